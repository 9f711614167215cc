// SPDX-License-Identifier: GPL-2.0
/*
 * translate: what PID/translate says of the address last written to it,
 * the path of that address through the tables (walk.c's vmv_walk_trace()),
 * the leaf it ends in and the frame.  Documentation/vmview.rst is the
 * contract.
 *
 * Locking: a read takes a user reference on the mm and
 * mmap_read_lock_killable() (vmv_target_lock_mm()), traces, and drops
 * both before the seq_file buffer is copied out.
 */
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "inspect.h"
#include "target.h"
#include "vmview.h"
#include "walk.h"

int vmv_show_translate(struct seq_file *m, struct vmv_target *t)
{
	struct vm_area_struct *vma;
	struct vmv_trace *tr;
	struct mm_struct *mm;
	unsigned long addr;
	char line[VMV_PTE_LINE_MAX];
	const char *last;
	size_t n;
	int ret, i;

	mutex_lock(&t->lock);
	addr = t->translate_addr;
	ret = t->translate_set;
	mutex_unlock(&t->lock);
	if (!ret) {
		seq_puts(m, "# write an address to this file first\n");
		return 0;
	}

	tr = vmv_kzalloc(sizeof(*tr), GFP_KERNEL);
	if (!tr)
		return -ENOMEM;
	mm = vmv_target_lock_mm(t, &ret);
	if (!mm)
		goto out_free;

	seq_printf(m, "vaddr: 0x%016lx\n", addr);
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		seq_puts(m, "vma: none\nstop: no vma\n");
		goto out_unlock;
	}
	seq_printf(m, "vma: 0x%016lx-0x%016lx %c%c%c%c\n",
		   vma->vm_start, vma->vm_end,
		   vma->vm_flags & VM_READ ? 'r' : '-',
		   vma->vm_flags & VM_WRITE ? 'w' : '-',
		   vma->vm_flags & VM_EXEC ? 'x' : '-',
		   vma->vm_flags & VM_MAYSHARE ? 's' : 'p');
	vmv_walk_trace(mm, vma, addr, tr);
	for (i = 0; i < tr->nr; i++)
		seq_printf(m, "%s[0x%03x] = 0x%016llx\n",
			   vmv_level_names[tr->level[i]], tr->index[i],
			   tr->entry[i]);
	last = vmv_level_names[tr->level[tr->nr - 1]];
	if (tr->bad) {
		seq_printf(m, "stop: %s bad\n", last);
	} else if (tr->leaf.kind == VMVIEW_KIND_NONE) {
		seq_printf(m, "stop: %s none\n", last);
	} else {
		n = vmv_fmt_pte(line, tr->leaf_addr, tr->level[tr->nr - 1],
				tr->entry[tr->nr - 1], &tr->leaf, &tr->pi);
		seq_puts(m, "leaf: ");
		seq_write(m, line, n);
		if (tr->leaf.kind == VMVIEW_KIND_PRESENT)
			seq_printf(m, "phys: 0x%016llx\n",
				   (tr->leaf.pfn << PAGE_SHIFT) +
				   (addr & ((1UL << tr->leaf.page_shift) - 1)));
		else
			seq_printf(m, "stop: %s %s\n", last,
				   vmv_kind_names[tr->leaf.kind]);
	}
out_unlock:
	vmv_target_unlock_mm(mm);
	ret = 0;
out_free:
	kfree(tr);
	return ret;
}

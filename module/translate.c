// SPDX-License-Identifier: GPL-2.0
/*
 * translate: what PID/translate says of the address last written to it,
 * the path of that address through the tables (walk.c's vmv_walk_trace()),
 * the leaf it ends in and the frame, the split of the address into
 * indexes and the path as a chain from CR3 (TTBR0_EL1) to the frame.
 * Documentation/vmview.rst is the contract.
 *
 * Locking: a read takes a user reference on the mm and
 * mmap_read_lock_killable() (vmv_target_lock_mm()), traces, and drops
 * both before the seq_file buffer is copied out.
 */
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "inspect.h"
#include "target.h"
#include "vmview.h"
#include "walk.h"

/*
 * The textbook's split of @addr: the index bits of every
 * level down to the one that maps it (a huge leaf ends the split early,
 * its page offset is wider), then the offset, e.g. on 32-bit x86 with PAE
 *   split: 2/9/9/12 pgd=0x002 pmd=0x1bf pte=0x101 offset=0x234
 * (10/10/12 without PAE, 9/9/9/9/12 on 4-level x86-64).
 */
static void vmv_show_split(struct seq_file *m, unsigned long addr,
			   const struct vmv_trace *tr)
{
	enum vmview_level lv[VMVIEW_NR_LEVELS];
	unsigned int offset_bits = PAGE_SHIFT;
	int stage, n = 0, i;

	if (tr->leaf.kind != VMVIEW_KIND_NONE && tr->leaf.page_shift)
		offset_bits = tr->leaf.page_shift;
	for (stage = VMVIEW_LEVEL_PGD; stage >= VMVIEW_LEVEL_PTE; stage--) {
		if (!vmv_stage_real(stage))
			continue;
		lv[n] = vmv_real_level(stage);
		if (vmv_level_shift(lv[n]) < offset_bits)
			break;
		n++;
	}
	seq_puts(m, "split: ");
	for (i = 0; i < n; i++)
		seq_printf(m, "%u/", ilog2(vmv_level_ptrs(lv[i])));
	seq_printf(m, "%u", offset_bits);
	for (i = 0; i < n; i++)
		seq_printf(m, " %s=0x%03x", vmv_level_names[lv[i]],
			   vmv_level_index(lv[i], addr));
	seq_printf(m, " offset=0x%03lx\n",
		   addr & ((1UL << offset_bits) - 1));
}

/*
 * The same walk as a chain: what CR3 (arm64: TTBR0_EL1) holds (the
 * top-level table's physical address), then for each level the entry used and
 * what it gives: the next table's physical address, the frame's, or why
 * the walk stops there; e.g.
 *   path: cr3 0x1a2b000 -> pgd[0x002] 0x1a2c000 -> pmd[0x1bf] 0x1a2d000
 *         -> pte[0x101] 0x123a000 -> phys 0x123a234
 * (one line).
 */
static void vmv_show_path(struct seq_file *m, struct mm_struct *mm,
			  unsigned long addr, const struct vmv_trace *tr)
{
	struct vmv_decoded d;
	int i;

	seq_printf(m, "path: %s 0x%llx", VMV_ARCH_ROOT,
		   (u64)virt_to_phys(mm->pgd));
	for (i = 0; i < tr->nr; i++) {
		seq_printf(m, " -> %s[0x%03x] ", vmv_level_names[tr->level[i]],
			   tr->index[i]);
		vmv_decode(&vmv_layout, tr->entry[i], tr->level[i], &d);
		if (i == tr->nr - 1 && tr->bad)
			seq_puts(m, "bad");
		else if (d.kind == VMVIEW_KIND_TABLE ||
			 d.kind == VMVIEW_KIND_PRESENT)
			seq_printf(m, "0x%llx", d.pfn << PAGE_SHIFT);
		else
			seq_puts(m, vmv_kind_names[d.kind]);
	}
	if (!tr->bad && tr->leaf.kind == VMVIEW_KIND_PRESENT)
		seq_printf(m, " -> phys 0x%llx",
			   (tr->leaf.pfn << PAGE_SHIFT) +
			   (addr & ((1UL << tr->leaf.page_shift) - 1)));
	seq_putc(m, '\n');
}

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
	/* The textbook's view: the split, and the path below. */
	vmv_show_split(m, addr, tr);
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
	vmv_show_path(m, mm, addr, tr);
out_unlock:
	vmv_target_unlock_mm(mm);
	ret = 0;
out_free:
	kfree(tr);
	return ret;
}

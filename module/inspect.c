// SPDX-License-Identifier: GPL-2.0
/*
 * inspect: the content of PID/mm, PID/vmas, PID/ptes, PID/ptes.bin and
 * PID/translate (Documentation/vmview.rst is the contract).  Everything
 * comes from one walker (walk.c), decoded by decode.c and formatted by
 * fmt.c.
 *
 * Locking: every show (and every seq_file start..stop, and every fill of
 * a ptes buffer) takes a user reference on the mm and
 * mmap_read_lock_killable(), walks, and drops both before anything is
 * copied to userspace.  Nothing is held between two reads; the vmas and
 * ptes files resume by address.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "inspect.h"
#include "target.h"
#include "vmview.h"
#include "walk.h"

/* --- PID/mm ------------------------------------------------------------ */

struct vmv_count {
	unsigned long tables[VMVIEW_NR_LEVELS];	/* tables of each level */
	u64 last[VMVIEW_NR_LEVELS];		/* by the level pointing */
	unsigned long deposited;
	unsigned long thp_pmd;
	unsigned long cont_ptes;	/* PTEs with the contiguous hint */
	unsigned long cont_runs;	/* the aligned runs they start */
};

static int vmv_count_table(struct vmv_walk *w, unsigned long addr,
			   enum vmview_level level, u64 entry)
{
	struct vmv_count *c = w->private;

	/* Neighbouring VMAs share tables: count each table once. */
	if (c->last[level] == entry)
		return 0;
	c->last[level] = entry;
	c->tables[vmv_child_level(level)]++;
	return 0;
}

static bool vmv_is_huge_zero(struct vmv_walk *w, enum vmview_level level,
			     u64 entry, const struct vmv_decoded *d)
{
	struct vmv_page_info pi;

	vmv_walk_page_info(w, level, entry, d, &pi);
	return pi.valid && (pi.flags & VMV_FLAG(VMVIEW_P_ZERO));
}

static int vmv_count_leaf(struct vmv_walk *w, unsigned long addr,
			  enum vmview_level level, u64 entry,
			  const struct vmv_decoded *d)
{
	struct vmv_count *c = w->private;

	if (level != vmv_pmd_level() || is_vm_hugetlb_page(w->vma))
		return 0;
	/*
	 * An anonymous PMD leaf (a THP, the huge zero page, or one under
	 * migration) keeps a PTE table deposited for a later split.
	 */
	if (vma_is_anonymous(w->vma) &&
	    (d->kind == VMVIEW_KIND_PRESENT || d->kind == VMVIEW_KIND_PROTNONE ||
	     d->kind == VMVIEW_KIND_MIGRATION))
		c->deposited++;
	if (d->kind == VMVIEW_KIND_PRESENT || d->kind == VMVIEW_KIND_PROTNONE)
		c->thp_pmd++;
	return 0;
}

#ifdef VMV_CONT_PTE
/*
 * A PTE with the contiguous hint (arm64): the hardware may hold its
 * whole aligned run of CONT_PTES entries in one TLB entry (the kernel
 * sets the hint on every entry of a run, contpte_convert(), or none).
 */
static __always_inline int vmv_count_pte(struct vmv_walk *w, void *arg,
					 pte_t *ptep, unsigned long addr,
					 u64 e)
{
	struct vmv_count *c = w->private;

	if (!(e & VMV_CONT_PTE) || !vmv_entry_maps_frame(&vmv_layout, e))
		return 0;
	c->cont_ptes++;
	if (!((addr >> PAGE_SHIFT) & (CONT_PTES - 1)))
		c->cont_runs++;
	return 0;
}

/* Tables are counted by ->table; entries only for the contiguous hint. */
static int vmv_count_pte_table(struct vmv_walk *w, pte_t *ptep,
			       unsigned long addr, unsigned long end,
			       unsigned long *resume)
{
	return vmv_walk_ptes(w, ptep, addr, end, resume, vmv_count_pte,
			     NULL);
}
#else
/* PTE tables are counted by ->table; their entries do not matter. */
static int vmv_count_pte_table(struct vmv_walk *w, pte_t *ptep,
			       unsigned long addr, unsigned long end,
			       unsigned long *resume)
{
	return 0;
}
#endif

static const struct vmv_walk_ops vmv_count_ops = {
	.table		= vmv_count_table,
	.pte_table	= vmv_count_pte_table,
	.leaf		= vmv_count_leaf,
};

/*
 * The system's THP mode, as /sys/kernel/mm/transparent_hugepage/enabled
 * says (the flags behind it are not exported).  Called when PID/mm is
 * opened, not from its show: reading a sysfs file takes that file's
 * seq_file lock, which must not nest inside PID/mm's own.
 */
void vmv_read_thp_mode(struct vmv_target *t)
{
	char buf[64], *b, *e;
	const char *mode = "unknown";
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open("/sys/kernel/mm/transparent_hugepage/enabled",
		      O_RDONLY, 0);
	if (!IS_ERR(f)) {
		n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
		fput(f);
		if (n > 0) {
			buf[n] = '\0';
			b = strchr(buf, '[');
			e = b ? strchr(b, ']') : NULL;
			if (e) {
				*e = '\0';
				mode = b + 1;
			}
		}
	}
	mutex_lock(&t->lock);
	strscpy(t->thp_mode, mode, sizeof(t->thp_mode));
	mutex_unlock(&t->lock);
}

int vmv_show_mm(struct seq_file *m, struct vmv_target *t)
{
	struct vmv_count c = { };
	struct vmv_walk w = {
		.ops = &vmv_count_ops,
		.private = &c,
	};
	char comm[TASK_COMM_LEN], thp[16];
	struct mm_struct *mm;
	unsigned long walked;
	int ret;

	mm = vmv_target_lock_mm(t, &ret);
	if (!mm)
		return ret;
	w.mm = mm;
	ret = vmv_walk(&w, 0, VMV_TASK_SIZE_MAX);
	if (ret)
		goto out;

	vmv_target_comm(t, comm);
	walked = c.tables[VMVIEW_LEVEL_PUD] + c.tables[VMVIEW_LEVEL_PMD] +
		 c.tables[VMVIEW_LEVEL_PTE] + c.deposited;
	seq_printf(m, "pid: %d\n", t->nr);
	seq_printf(m, "comm: %s\n", comm);
	seq_printf(m, "levels: %d\n", vmv_levels());
	seq_printf(m, "pgd: 0x%016llx\n", (u64)virt_to_phys(mm->pgd));
	/*
	 * Where user space ends: the target's own TASK_SIZE (a 32-bit task
	 * on x86-64 has a 4 GiB one), and where the kernel's direct map of
	 * physical memory begins.
	 */
	seq_printf(m, "task_size: 0x%016lx\n", mm->task_size);
	seq_printf(m, "page_offset: 0x%016lx\n", (unsigned long)PAGE_OFFSET);
	seq_printf(m, "pgtables_bytes: %lu\n", mm_pgtables_bytes(mm));
	seq_printf(m, "table_p4d: %lu\n", c.tables[VMVIEW_LEVEL_P4D]);
	seq_printf(m, "table_pud: %lu\n", c.tables[VMVIEW_LEVEL_PUD]);
	seq_printf(m, "table_pmd: %lu\n", c.tables[VMVIEW_LEVEL_PMD]);
	seq_printf(m, "table_pte: %lu\n", c.tables[VMVIEW_LEVEL_PTE]);
	seq_printf(m, "table_deposited: %lu\n", c.deposited);
	seq_printf(m, "walk_pgtables_bytes: %lu\n", walked * PAGE_SIZE);
	seq_printf(m, "map_count: %d\n", mm->map_count);
	seq_printf(m, "total_vm: %lu\n", mm->total_vm);
	seq_printf(m, "locked_vm: %lu\n", mm->locked_vm);
	seq_printf(m, "pinned_vm: %lld\n", (s64)atomic64_read(&mm->pinned_vm));
	seq_printf(m, "data_vm: %lu\n", mm->data_vm);
	seq_printf(m, "exec_vm: %lu\n", mm->exec_vm);
	seq_printf(m, "stack_vm: %lu\n", mm->stack_vm);
	seq_printf(m, "rss_anon: %lu\n", vmv_mm_counter(mm, MM_ANONPAGES));
	seq_printf(m, "rss_file: %lu\n", vmv_mm_counter(mm, MM_FILEPAGES));
	seq_printf(m, "rss_shmem: %lu\n", vmv_mm_counter(mm, MM_SHMEMPAGES));
	seq_printf(m, "swapents: %lu\n", vmv_mm_counter(mm, MM_SWAPENTS));
	seq_printf(m, "thp_pmd: %lu\n", c.thp_pmd);
#ifdef VMV_CONT_PTE
	seq_printf(m, "cont_ptes: %lu\n", c.cont_ptes);
	seq_printf(m, "cont_runs: %lu\n", c.cont_runs);
	seq_printf(m, "cont_run_ptes: %lu\n", (unsigned long)CONT_PTES);
#endif
	vmv_target_unlock_mm(mm);
	mutex_lock(&t->lock);
	strscpy(thp, t->thp_mode, sizeof(thp));
	mutex_unlock(&t->lock);
	seq_printf(m, "thp_enabled: %s\n", thp);
	return 0;
out:
	vmv_target_unlock_mm(mm);
	return ret;
}

/* --- PID/vmas ---------------------------------------------------------- */

static const struct {
	unsigned long flag;
	const char *name;
} vmv_vm_flags[] = {
	{ VM_READ,		"read" },
	{ VM_WRITE,		"write" },
	{ VM_EXEC,		"exec" },
	{ VM_SHARED,		"shared" },
	{ VM_MAYREAD,		"mayread" },
	{ VM_MAYWRITE,		"maywrite" },
	{ VM_MAYEXEC,		"mayexec" },
	{ VM_MAYSHARE,		"mayshare" },
	{ VM_GROWSDOWN,		"growsdown" },
	{ VM_UFFD_MISSING,	"uffd_missing" },
	{ VM_PFNMAP,		"pfnmap" },
	{ VM_UFFD_WP,		"uffd_wp" },
	{ VM_LOCKED,		"locked" },
	{ VM_IO,		"io" },
	{ VM_SEQ_READ,		"seqread" },
	{ VM_RAND_READ,		"randread" },
	{ VM_DONTCOPY,		"dontcopy" },
	{ VM_DONTEXPAND,	"dontexpand" },
	{ VM_LOCKONFAULT,	"lockonfault" },
	{ VM_ACCOUNT,		"account" },
	{ VM_NORESERVE,		"noreserve" },
	{ VM_HUGETLB,		"hugetlb" },
	{ VM_SYNC,		"sync" },
	{ VM_ARCH_1,		"arch1" },
	{ VM_WIPEONFORK,	"wipeonfork" },
	{ VM_DONTDUMP,		"dontdump" },
	{ VM_SOFTDIRTY,		"softdirty" },
	{ VM_MIXEDMAP,		"mixedmap" },
	{ VM_HUGEPAGE,		"hugepage" },
	{ VM_NOHUGEPAGE,	"nohugepage" },
	{ VM_MERGEABLE,		"mergeable" },
	{ VMV_VM_UFFD_MINOR,	"uffd_minor" },
#ifdef VM_SHADOW_STACK
	{ VM_SHADOW_STACK,	"shadowstack" },
#endif
#ifdef VM_SEALED
	{ VM_SEALED,		"sealed" },
#endif
};

struct vmv_vma_count {
	unsigned long rss, swap, thp;
};

static int vmv_vma_leaf(struct vmv_walk *w, unsigned long addr,
			enum vmview_level level, u64 entry,
			const struct vmv_decoded *d)
{
	struct vmv_vma_count *c = w->private;
	unsigned long pages = 1UL << (d->page_shift - PAGE_SHIFT);

	/* Count as smaps does: hugetlb is not Rss, nor are special pages. */
	if (is_vm_hugetlb_page(w->vma))
		return 0;
	switch (d->kind) {
	case VMVIEW_KIND_SWAP:
		c->swap += pages;
		return 0;
	case VMVIEW_KIND_PRESENT:
	case VMVIEW_KIND_PROTNONE:
		if (d->flags & (VMV_FLAG(VMVIEW_F_SPECIAL) |
				VMV_FLAG(VMVIEW_F_DEVMAP)))
			return 0;
		break;
	case VMVIEW_KIND_MIGRATION:
	case VMVIEW_KIND_DEVICE_PRIVATE:
	case VMVIEW_KIND_DEVICE_EXCLUSIVE:
		break;
	default:
		return 0;
	}
	if (level == vmv_pmd_level()) {
		if (vmv_is_huge_zero(w, level, entry, d))
			return 0;
		c->thp++;
	}
	c->rss += pages;
	return 0;
}

/*
 * One PTE: present and protnone entries (nearly all) counted inline, the
 * rest decoded and counted as leaves are.
 */
static __always_inline int vmv_vma_pte(struct vmv_walk *w, void *arg,
				       pte_t *ptep, unsigned long addr, u64 e)
{
	struct vmv_vma_count *c = w->private;
	struct vmv_decoded d;

	if (vmv_entry_maps_frame(&vmv_layout, e)) {
		c->rss += vmv_pte_maps_normal(&vmv_layout, e);
		return 0;
	}
	vmv_decode(&vmv_layout, e, VMVIEW_LEVEL_PTE, &d);
	return vmv_vma_leaf(w, addr, VMVIEW_LEVEL_PTE, e, &d);
}

static int vmv_vma_table(struct vmv_walk *w, pte_t *ptep, unsigned long addr,
			 unsigned long end, unsigned long *resume)
{
	if (is_vm_hugetlb_page(w->vma))
		return 0;
	return vmv_walk_ptes(w, ptep, addr, end, resume, vmv_vma_pte,
			     NULL);
}

static const struct vmv_walk_ops vmv_vma_ops = {
	.pte_table	= vmv_vma_table,
	.leaf		= vmv_vma_leaf,
};

static void vmv_vma_name(struct seq_file *m, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	const char *name = NULL;

	if (vma->vm_file) {
		seq_putc(m, ' ');
		seq_path(m, vmv_file_path(vma->vm_file), "\n");
		return;
	}
	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	else if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		name = "[heap]";
	else if (vma->vm_start <= vma->vm_mm->start_stack &&
		 vma->vm_end >= vma->vm_mm->start_stack)
		name = "[stack]";
	if (name)
		seq_printf(m, " %s", name);
}

/*
 * seq_file start for vmas and ptes: record @pos begins where the previous
 * read left it->addr (0 for the first).  Takes the mm and its lock, for
 * stop to drop.  Returns NULL past the end, or an ERR_PTR.
 */
static void *vmv_iter_start(struct seq_file *m, loff_t *pos)
{
	struct vmv_iter *it = m->private;
	int err;

	if (*pos == 0)
		it->addr = 0;
	else if (*pos != it->idx)
		return ERR_PTR(-ESPIPE);
	it->idx = *pos;
	if (it->addr >= VMV_TASK_SIZE_MAX)
		return NULL;
	it->mm = vmv_target_lock_mm(it->t, &err);
	return it->mm ? it : ERR_PTR(err);
}

static void *vmv_vmas_start(struct seq_file *m, loff_t *pos)
{
	struct vmv_iter *it = vmv_iter_start(m, pos);

	if (IS_ERR_OR_NULL(it))
		return it;
	it->vma = find_vma(it->mm, it->addr);
	return it->vma ? it : NULL;
}

static void *vmv_vmas_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmv_iter *it = m->private;

	it->addr = it->vma->vm_end;
	it->idx = ++*pos;
	it->vma = find_vma(it->mm, it->addr);
	return it->vma ? it : NULL;
}

static void vmv_iter_stop(struct seq_file *m, void *v)
{
	struct vmv_iter *it = m->private;

	if (it->mm) {
		vmv_target_unlock_mm(it->mm);
		it->mm = NULL;
	}
}

static int vmv_vmas_show(struct seq_file *m, void *v)
{
	struct vmv_iter *it = m->private;
	struct vm_area_struct *vma = it->vma;
	struct vmv_vma_count c = { };
	struct vmv_walk w = {
		.ops = &vmv_vma_ops,
		.mm = it->mm,
		.private = &c,
	};
	unsigned long long pgoff = 0;
	unsigned long ino = 0;
	bool first = true;
	dev_t dev = 0;
	unsigned int i;
	int ret;

	ret = vmv_walk(&w, vma->vm_start, vma->vm_end);
	if (ret)
		return ret;
	if (vma->vm_file) {
		struct inode *inode = file_inode(vma->vm_file);

		dev = inode->i_sb->s_dev;
		ino = inode->i_ino;
		pgoff = (unsigned long long)vma->vm_pgoff << PAGE_SHIFT;
	}
	seq_printf(m, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu rss=%lu swap=%lu thp=%lu flags=",
		   vma->vm_start, vma->vm_end,
		   vma->vm_flags & VM_READ ? 'r' : '-',
		   vma->vm_flags & VM_WRITE ? 'w' : '-',
		   vma->vm_flags & VM_EXEC ? 'x' : '-',
		   vma->vm_flags & VM_MAYSHARE ? 's' : 'p',
		   pgoff, MAJOR(dev), MINOR(dev), ino, c.rss, c.swap, c.thp);
	for (i = 0; i < ARRAY_SIZE(vmv_vm_flags); i++) {
		if (!vmv_vm_flags[i].flag ||
		    !(vma->vm_flags & vmv_vm_flags[i].flag))
			continue;
		if (!first)
			seq_putc(m, ',');
		seq_puts(m, vmv_vm_flags[i].name);
		first = false;
	}
	if (first)
		seq_putc(m, '-');
	vmv_vma_name(m, vma);
	seq_putc(m, '\n');
	return 0;
}

const struct seq_operations vmv_vmas_sops = {
	.start	= vmv_vmas_start,
	.next	= vmv_vmas_next,
	.stop	= vmv_iter_stop,
	.show	= vmv_vmas_show,
};

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

static struct mm_struct *vmv_lock_mm(struct vmv_target *t, int *err)
{
	struct mm_struct *mm = vmv_target_get_mm(t);

	if (!mm) {
		*err = -ESRCH;
		return NULL;
	}
	*err = mmap_read_lock_killable(mm);
	if (*err) {
		mmput(mm);
		return NULL;
	}
	return mm;
}

static void vmv_unlock_mm(struct mm_struct *mm)
{
	mmap_read_unlock(mm);
	mmput(mm);
}

/* --- PID/mm ------------------------------------------------------------ */

struct vmv_count {
	unsigned long tables[VMV_NR_LEVELS];	/* by the level pointing */
	u64 last[VMV_NR_LEVELS];		/* last table counted */
	unsigned long deposited;
	unsigned long thp_pmd;
};

static int vmv_count_table(struct vmv_walk *w, unsigned long addr,
			   enum vmv_level level, u64 entry)
{
	struct vmv_count *c = w->private;

	/* Neighbouring VMAs share tables: count each table once. */
	if (c->last[level] == entry)
		return 0;
	c->last[level] = entry;
	c->tables[level]++;
	return 0;
}

static bool vmv_is_huge_zero(struct vmv_walk *w, enum vmv_level level,
			     u64 entry, const struct vmv_decoded *d)
{
	struct vmv_page_info pi;

	vmv_walk_page_info(w, level, entry, d, &pi);
	return pi.valid && (pi.flags & VMV_FLAG(VMV_P_ZERO));
}

static int vmv_count_leaf(struct vmv_walk *w, unsigned long addr,
			  enum vmv_level level, u64 entry,
			  const struct vmv_decoded *d)
{
	struct vmv_count *c = w->private;

	if (level != VMV_LEVEL_PMD || is_vm_hugetlb_page(w->vma))
		return 0;
	/*
	 * An anonymous PMD leaf (a THP, the huge zero page, or one under
	 * migration) keeps a PTE table deposited for a later split.
	 */
	if (vma_is_anonymous(w->vma) &&
	    (d->kind == VMV_KIND_PRESENT || d->kind == VMV_KIND_PROTNONE ||
	     d->kind == VMV_KIND_MIGRATION))
		c->deposited++;
	if (d->kind == VMV_KIND_PRESENT || d->kind == VMV_KIND_PROTNONE)
		c->thp_pmd++;
	return 0;
}

/* PTE tables are counted by ->table; their entries do not matter. */
static int vmv_count_pte_table(struct vmv_walk *w, pte_t *ptep,
			       unsigned long addr, unsigned long end,
			       unsigned long *resume)
{
	return 0;
}

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

	mm = vmv_lock_mm(t, &ret);
	if (!mm)
		return ret;
	w.mm = mm;
	ret = vmv_walk(&w, 0, TASK_SIZE_MAX);
	if (ret)
		goto out;

	vmv_target_comm(t, comm);
	walked = c.tables[VMV_LEVEL_P4D] + c.tables[VMV_LEVEL_PUD] +
		 c.tables[VMV_LEVEL_PMD] + c.deposited;
	seq_printf(m, "pid: %d\n", t->nr);
	seq_printf(m, "comm: %s\n", comm);
	seq_printf(m, "levels: %d\n", pgtable_l5_enabled() ? 5 : 4);
	seq_printf(m, "pgd: 0x%016llx\n", (u64)virt_to_phys(mm->pgd));
	seq_printf(m, "pgtables_bytes: %lu\n", mm_pgtables_bytes(mm));
	/* The entries at one level point to the next level's tables. */
	seq_printf(m, "table_p4d: %lu\n", c.tables[VMV_LEVEL_PGD]);
	seq_printf(m, "table_pud: %lu\n", c.tables[VMV_LEVEL_P4D]);
	seq_printf(m, "table_pmd: %lu\n", c.tables[VMV_LEVEL_PUD]);
	seq_printf(m, "table_pte: %lu\n", c.tables[VMV_LEVEL_PMD]);
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
	vmv_unlock_mm(mm);
	mutex_lock(&t->lock);
	strscpy(thp, t->thp_mode, sizeof(thp));
	mutex_unlock(&t->lock);
	seq_printf(m, "thp_enabled: %s\n", thp);
	return 0;
out:
	vmv_unlock_mm(mm);
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
	{ VM_UFFD_MINOR,	"uffd_minor" },
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
			enum vmv_level level, u64 entry,
			const struct vmv_decoded *d)
{
	struct vmv_vma_count *c = w->private;
	unsigned long pages = 1UL << (d->page_shift - PAGE_SHIFT);

	/* Count as smaps does: hugetlb is not Rss, nor are special pages. */
	if (is_vm_hugetlb_page(w->vma))
		return 0;
	switch (d->kind) {
	case VMV_KIND_SWAP:
		c->swap += pages;
		return 0;
	case VMV_KIND_PRESENT:
	case VMV_KIND_PROTNONE:
		if (d->flags & (VMV_FLAG(VMV_F_SPECIAL) |
				VMV_FLAG(VMV_F_DEVMAP)))
			return 0;
		break;
	case VMV_KIND_MIGRATION:
	case VMV_KIND_DEVICE_PRIVATE:
	case VMV_KIND_DEVICE_EXCLUSIVE:
		break;
	default:
		return 0;
	}
	if (level == VMV_LEVEL_PMD) {
		if (vmv_is_huge_zero(w, level, entry, d))
			return 0;
		c->thp++;
	}
	c->rss += pages;
	return 0;
}

/*
 * vmv_vma_leaf() for a PTE table in one loop: present and protnone
 * entries (nearly all) inline, the rest decoded.
 */
static int vmv_vma_table(struct vmv_walk *w, pte_t *ptep, unsigned long addr,
			 unsigned long end, unsigned long *resume)
{
	struct vmv_vma_count *c = w->private;
	u64 not_normal = vmv_pte_not_normal_bits();
	struct vmv_decoded d;

	if (is_vm_hugetlb_page(w->vma))
		return 0;
	for (; addr != end; ptep++, addr += PAGE_SIZE) {
		pte_t pte = ptep_get(ptep);
		u64 e = pte_val(pte);

		if (e & (_PAGE_PRESENT | _PAGE_PROTNONE)) {
			c->rss += !(e & not_normal);
			continue;
		}
		if (pte_none(pte))
			continue;
		vmv_decode(&vmv_layout, e, VMV_LEVEL_PTE, &d);
		vmv_vma_leaf(w, addr, VMV_LEVEL_PTE, e, &d);
	}
	return 0;
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
	if (it->addr >= TASK_SIZE_MAX)
		return NULL;
	it->mm = vmv_lock_mm(it->t, &err);
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
		vmv_unlock_mm(it->mm);
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

/* --- PID/ptes and PID/ptes.bin ----------------------------------------- */

struct vmv_ptes_walk {
	struct vmv_dump *d;
	bool full;		/* stopped: the buffer had no room */
	unsigned long stop;	/* ... for the leaf at this address */
};

static struct vmview_pte *vmv_dump_rec(struct vmv_dump *d)
{
	return (struct vmview_pte *)(d->buf + d->count);
}

/* A decoded leaf as a record or a line, into the buffer. */
static void vmv_dump_put(struct vmv_dump *d, unsigned long addr,
			 enum vmv_level level, u64 entry,
			 const struct vmv_decoded *dec,
			 const struct vmv_page_info *pi)
{
	if (d->binary) {
		vmv_fmt_rec(vmv_dump_rec(d), addr, level, entry, dec, pi);
		d->count += sizeof(struct vmview_pte);
	} else {
		d->count += vmv_fmt_pte_cached(&d->cache, d->buf + d->count,
					       addr, level, entry, dec, pi);
	}
}

/* Room for one more record or line? */
static bool vmv_ptes_room(struct vmv_ptes_walk *pw, unsigned long addr)
{
	if (pw->d->count + VMV_PTE_LINE_MAX <= VMV_DUMP_BUF)
		return true;
	pw->full = true;
	pw->stop = addr;
	return false;
}

static int vmv_ptes_leaf(struct vmv_walk *w, unsigned long addr,
			 enum vmv_level level, u64 entry,
			 const struct vmv_decoded *dec)
{
	struct vmv_ptes_walk *pw = w->private;
	struct vmv_dump *d = pw->d;
	struct vmv_page_info pi;

	if (!vmv_ptes_room(pw, addr))
		return 1;
	vmv_walk_page_info(w, level, entry, dec, &pi);
	vmv_dump_put(d, addr, level, entry, dec, &pi);
	return 0;
}

/*
 * A PTE table range in one loop, under the table's lock (held by the
 * walker), each record written straight into the buffer.
 */
static int vmv_ptes_table(struct vmv_walk *w, pte_t *ptep, unsigned long addr,
			  unsigned long end, unsigned long *resume)
{
	struct vmv_ptes_walk *pw = w->private;
	struct vmv_dump *d = pw->d;
	struct vmv_page_info pi;
	struct vmv_decoded dec;

	for (; addr != end; ptep++, addr += PAGE_SIZE) {
		pte_t pte = ptep_get(ptep);
		u64 e = pte_val(pte);

		if (pte_none(pte))
			continue;
		if (!vmv_ptes_room(pw, addr)) {
			*resume = addr;
			return 1;
		}
		if (vmv_pte_info_fast(w->vma, e, &pi)) {
			/* Nearly every entry: nothing is called. */
			u32 flags = vmv_pte_present_flags(&vmv_layout, e);

			if (d->binary) {
				vmv_rec_present_pte(vmv_dump_rec(d), addr, e,
						    flags, &pi);
				d->count += sizeof(struct vmview_pte);
				continue;
			}
			d->count += vmv_fmt_present_pte(&d->cache,
							d->buf + d->count,
							addr, e, flags, &pi);
			continue;
		}
		vmv_decode(&vmv_layout, e, VMV_LEVEL_PTE, &dec);
		vmv_walk_pte_info(w, ptep, e, &dec, &pi);
		vmv_dump_put(d, addr, VMV_LEVEL_PTE, e, &dec, &pi);
	}
	return 0;
}

static const struct vmv_walk_ops vmv_ptes_ops = {
	.pte_table	= vmv_ptes_table,
	.leaf		= vmv_ptes_leaf,
};

#define VMV_PTES_HEADER "# VADDR LEVEL ENTRY KIND pfn=PFN [swap=TYPE:OFFSET] flags=F,... [page=P,... order=N mapcount=N]\n"

/*
 * Fill the (drained) buffer with the leaves from d->next on, as many as
 * it has room for.  Takes the mm and its lock and drops both.
 */
static int vmv_dump_fill(struct vmv_dump *d)
{
	struct vmv_ptes_walk pw = { .d = d };
	struct vmv_walk w = { .ops = &vmv_ptes_ops, .private = &pw };
	int ret;

	d->from = 0;
	d->count = 0;
	if (!d->binary && !d->next && !d->pos) {
		d->count = sizeof(VMV_PTES_HEADER) - 1;
		memcpy(d->buf, VMV_PTES_HEADER, d->count);
	}
	w.mm = vmv_lock_mm(d->t, &ret);
	if (!w.mm)
		return ret;
	ret = vmv_walk(&w, d->next, TASK_SIZE_MAX);
	vmv_unlock_mm(w.mm);
	if (ret < 0) {
		d->count = 0;
		return ret;
	}
	d->next = pw.full ? pw.stop : TASK_SIZE_MAX;
	return 0;
}

/*
 * copy_to_user() moves bytes with "rep movsb" on CPUs with ERMS, which
 * QEMU's TCG (where the selftests and `make bench` run) executes one
 * byte at a time, about six times slower than a loop of 8-byte stores;
 * on hardware the two cost the same.  Returns the bytes not copied.
 */
static unsigned long vmv_copy_out(char __user *dst, const char *src,
				  unsigned long n)
{
	if (!user_access_begin(dst, n))
		return n;
	unsafe_copy_to_user(dst, src, n, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	/* Redo it the ordinary way, to learn exactly how far it gets. */
	return copy_to_user(dst, src, n);
}

/*
 * One spare buffer, left by the last reader that closed: opening ptes or
 * ptes.bin again, as tools that poll do, then allocates no 128 KiB (an
 * order-5 allocation: about 200 us under TCG, a quarter of a dump of
 * 2^14 pages).  Freed at unload (an open file holds the module).
 */
static char *vmv_dump_spare;

struct vmv_dump *vmv_dump_create(struct vmv_target *t, bool binary)
{
	struct vmv_dump *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return NULL;
	d->buf = xchg(&vmv_dump_spare, NULL);
	if (!d->buf)
		d->buf = kvmalloc(VMV_DUMP_BUF, GFP_KERNEL);
	if (!d->buf) {
		kfree(d);
		return NULL;
	}
	mutex_init(&d->lock);
	d->t = t;
	d->binary = binary;
	return d;
}

void vmv_dump_destroy(struct vmv_dump *d)
{
	mutex_destroy(&d->lock);
	kvfree(xchg(&vmv_dump_spare, d->buf));
	kfree(d);
}

void vmv_dump_exit(void)
{
	kvfree(xchg(&vmv_dump_spare, NULL));
}

/*
 * read() of PID/ptes and PID/ptes.bin: whole records from where the
 * previous read stopped; offset 0 starts over, other jumps are ESPIPE.
 * Locking: d->lock (one reader of this open file at a time); each fill
 * takes and drops the mm's lock, nothing is held while copying out.
 */
ssize_t vmv_dump_read(struct vmv_dump *d, char __user *ubuf, size_t size,
		      loff_t *ppos)
{
	size_t copied = 0, n, left;
	int ret = 0;

	mutex_lock(&d->lock);
	if (*ppos != d->pos) {
		if (*ppos) {
			ret = -ESPIPE;
			goto out;
		}
		d->from = 0;
		d->count = 0;
		d->next = 0;
		d->pos = 0;
	}
	while (copied < size) {
		if (d->from == d->count) {
			if (d->next >= TASK_SIZE_MAX)
				break;
			ret = vmv_dump_fill(d);
			if (ret)
				break;
			continue;
		}
		n = min(d->count - d->from, size - copied);
		left = vmv_copy_out(ubuf + copied, d->buf + d->from, n);
		d->from += n - left;
		copied += n - left;
		if (left) {
			ret = -EFAULT;
			break;
		}
	}
	d->pos += copied;
	*ppos = d->pos;
out:
	mutex_unlock(&d->lock);
	return copied ?: ret;
}

/* --- PID/translate ----------------------------------------------------- */

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
	mm = vmv_lock_mm(t, &ret);
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
	} else if (tr->leaf.kind == VMV_KIND_NONE) {
		seq_printf(m, "stop: %s none\n", last);
	} else {
		n = vmv_fmt_pte(line, tr->leaf_addr, tr->level[tr->nr - 1],
				tr->entry[tr->nr - 1], &tr->leaf, &tr->pi);
		seq_puts(m, "leaf: ");
		seq_write(m, line, n);
		if (tr->leaf.kind == VMV_KIND_PRESENT)
			seq_printf(m, "phys: 0x%016llx\n",
				   (tr->leaf.pfn << PAGE_SHIFT) +
				   (addr & ((1UL << tr->leaf.page_shift) - 1)));
		else
			seq_printf(m, "stop: %s %s\n", last,
				   vmv_kind_names[tr->leaf.kind]);
	}
out_unlock:
	vmv_unlock_mm(mm);
	ret = 0;
out_free:
	kfree(tr);
	return ret;
}

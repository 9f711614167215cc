// SPDX-License-Identifier: GPL-2.0
/*
 * dump: the read path of PID/ptes and PID/ptes.bin.  Each open file has a
 * large buffer (struct vmv_dump); a read copies out what the buffer holds
 * and, when it is drained, refills it with one walk (walk.c) from where
 * the last one stopped, each leaf formatted by fmt.c as a line or a
 * record.  Documentation/vmview.rst is the contract.
 *
 * Locking: d->lock makes the reads of one open file take turns (it is
 * this file's own: other readers and the target never wait for it).  A
 * fill walks piece by piece, at most VMV_DUMP_PIECE entries (eight PTE
 * tables) each, and for each piece takes a user reference on the mm and
 * mmap_read_lock_killable(), walks (the PTE tables under their own lock,
 * see walk.h) and drops both; nothing of the target is held between
 * pieces or while copying to userspace.
 */
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "dump.h"
#include "target.h"
#include "vmview.h"
#include "walk.h"

/* Entries one piece of a fill walks: as many records as the buffer holds. */
#define VMV_DUMP_PIECE	(8 * PTRS_PER_PTE)

struct vmv_ptes_walk {
	struct vmv_dump *d;
	size_t first;		/* d->count where this fill's leaves begin */
	unsigned int piece;	/* entries walked in this piece */
	bool full;		/* stopped: the buffer had no room */
	unsigned long stop;	/* stopped (full or piece done) at this leaf */
	/*
	 * The PMD range of the last PTE table taken, where its first part
	 * began (a VMA boundary can split it) and d->count there.
	 */
	unsigned long pmd, pmd_addr;
	size_t pmd_count;
};

/*
 * Does the piece end before these @n entries at @addr?  Its first table
 * or leaf is always taken.
 */
static bool vmv_ptes_piece_done(struct vmv_ptes_walk *pw, unsigned long addr,
				unsigned int n)
{
	if (pw->piece && pw->piece + n > VMV_DUMP_PIECE) {
		pw->stop = addr;
		return true;
	}
	pw->piece += n;
	return false;
}

static struct vmview_pte *vmv_dump_rec(struct vmv_dump *d)
{
	return (struct vmview_pte *)(d->buf + d->count);
}

/* A decoded leaf as a record or a line, into the buffer. */
static void vmv_dump_put(struct vmv_dump *d, unsigned long addr,
			 enum vmview_level level, u64 entry,
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
			 enum vmview_level level, u64 entry,
			 const struct vmv_decoded *dec)
{
	struct vmv_ptes_walk *pw = w->private;
	struct vmv_dump *d = pw->d;
	struct vmv_page_info pi;

	if (vmv_ptes_piece_done(pw, addr, 1) || !vmv_ptes_room(pw, addr))
		return 1;
	vmv_walk_page_info(w, level, entry, dec, &pi);
	/*
	 * At its first address, also when the walk began inside it (a
	 * piece that resumed at a VMA boundary the leaf now spans: nothing
	 * of it before that boundary was dumped).
	 */
	vmv_dump_put(d, ALIGN_DOWN(addr, 1UL << dec->page_shift), level, entry,
		     dec, &pi);
	return 0;
}

/*
 * The entries of one PTE table, as the inline path sees them: where the
 * next record or line goes, and what it reads of the layout and of the
 * VMA, taken once (vmv_ptes_entries()).  A local of that function, which
 * the compiler keeps in registers: a store into the buffer may alias any
 * memory, and fields read through the dump, the walk or vmv_layout would
 * be loaded again after each.  What only the general path needs is in
 * @cold, in memory, so that it takes no register in the loop.  d->count
 * is behind while the loop runs, and brought up to date around
 * vmv_ptes_pte_slow() and at the end.  All of it under the PTE table's
 * lock, as ->pte_table runs (walk.h).
 */
struct vmv_ptes_cold {
	struct vmv_walk *w;
	struct vmv_dump *d;
};

struct vmv_ptes_run {
	const struct vmv_ptes_cold *cold;
	char *pos;
	struct vmv_pte_fast f;
};

/*
 * Any other PTE, at @pos: decoded, its page read by the walker.  Out of
 * line, so that the inline path does not set up (zero) its struct
 * vmv_decoded.  Returns where the next one goes.
 */
static noinline char *vmv_ptes_pte_slow(const struct vmv_ptes_cold *c,
					char *pos, pte_t *ptep,
					unsigned long addr, u64 e)
{
	struct vmv_dump *d = c->d;
	struct vmv_page_info pi;
	struct vmv_decoded dec;

	d->count = pos - d->buf;
	vmv_decode(&vmv_layout, e, VMVIEW_LEVEL_PTE, &dec);
	vmv_walk_pte_info(c->w, ptep, e, &dec, &pi);
	vmv_dump_put(d, addr, VMVIEW_LEVEL_PTE, e, &dec, &pi);
	return d->buf + d->count;
}

/*
 * One PTE, under its table's lock, written straight into the buffer.  A
 * present PTE mapping a normal page (nearly every one) takes the inline
 * path: its flags and page state without decoding, its line or record
 * built without a call.
 */
static __always_inline int vmv_ptes_pte(struct vmv_ptes_run *r, pte_t *ptep,
					unsigned long addr, u64 e, bool binary)
{
	struct vmv_page_info pi;

	if (likely(vmv_pte_info_fast(&r->f, e, &pi))) {
		u32 flags = vmv_fast_pte_flags(&r->f, e);
		u64 pfn = vmv_fast_pte_pfn(&r->f, e);

		if (binary) {
			vmv_rec_present_pte((struct vmview_pte *)r->pos, addr,
					    e, pfn, flags, &pi);
			r->pos += sizeof(struct vmview_pte);
		} else {
			r->pos += vmv_fmt_present_pte(&r->cold->d->cache,
						      r->pos, addr, e, pfn,
						      flags, &pi);
		}
		return 0;
	}
	r->pos = vmv_ptes_pte_slow(r->cold, r->pos, ptep, addr, e);
	return 0;
}

/* vmv_ptes_pte() for ptes.bin and for ptes. */
static __always_inline int vmv_ptes_pte_bin(struct vmv_walk *w, void *arg,
					    pte_t *ptep, unsigned long addr,
					    u64 e)
{
	return vmv_ptes_pte(arg, ptep, addr, e, true);
}

static __always_inline int vmv_ptes_pte_text(struct vmv_walk *w, void *arg,
					     pte_t *ptep, unsigned long addr,
					     u64 e)
{
	return vmv_ptes_pte(arg, ptep, addr, e, false);
}

/*
 * The entries [@addr, @end) of a PTE table into d's buffer, as records
 * or as lines: a function each, so that the compiler gives each loop the
 * registers it needs (the text loop's would take them from the binary
 * one's).
 */
static __always_inline int vmv_ptes_entries(struct vmv_walk *w,
					    struct vmv_dump *d, pte_t *ptep,
					    unsigned long addr,
					    unsigned long end,
					    unsigned long *resume, bool binary)
{
	struct vmv_ptes_cold cold = { .w = w, .d = d };
	struct vmv_ptes_run r;
	int ret;

	r.cold = &cold;
	r.pos = d->buf + d->count;
	r.f = vmv_pte_fast(&vmv_layout);
	/* vm_normal_page(): such a VMA may map anything; not inline. */
	if (w->vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		r.f.normal_mask = 0;
	if (binary)
		ret = vmv_walk_ptes(w, ptep, addr, end, resume,
				    vmv_ptes_pte_bin, &r);
	else
		ret = vmv_walk_ptes(w, ptep, addr, end, resume,
				    vmv_ptes_pte_text, &r);
	/* Through cold, as the loop sees it: d takes no register there. */
	cold.d->count = r.pos - cold.d->buf;
	return ret;
}

static noinline int vmv_ptes_records(struct vmv_walk *w, struct vmv_dump *d,
				     pte_t *ptep, unsigned long addr,
				     unsigned long end, unsigned long *resume)
{
	return vmv_ptes_entries(w, d, ptep, addr, end, resume, true);
}

static noinline int vmv_ptes_lines(struct vmv_walk *w, struct vmv_dump *d,
				   pte_t *ptep, unsigned long addr,
				   unsigned long end, unsigned long *resume)
{
	return vmv_ptes_entries(w, d, ptep, addr, end, resume, false);
}

/*
 * A PTE table's entries (those of one VMA), all of them in this piece or
 * none, and all the parts of one PMD range in one piece: a piece or a
 * fill that ends before a part takes back the range's earlier parts and
 * ends at its first.  A dump so never resumes inside a PMD range, which
 * might be one huge page by then, whose line would cover pages already
 * dumped.  The first PMD range of a piece always fits: a piece is eight
 * tables' worth, and a fill's buffer holds a whole table's longest lines
 * (VMV_DUMP_BUF).
 */
static int vmv_ptes_table(struct vmv_walk *w, pte_t *ptep, unsigned long addr,
			  unsigned long end, unsigned long *resume)
{
	struct vmv_ptes_walk *pw = w->private;
	struct vmv_dump *d = pw->d;
	unsigned long pmd = ALIGN_DOWN(addr, PMD_SIZE);
	size_t n = (end - addr) >> PAGE_SHIFT;
	size_t most = n * (d->binary ? sizeof(struct vmview_pte) :
			   VMV_PTE_LINE_MAX);

	pw->full = d->count > pw->first && d->count + most > VMV_DUMP_BUF;
	if (pw->full || (pw->piece && pw->piece + n > VMV_DUMP_PIECE)) {
		pw->stop = addr;
		if (pmd == pw->pmd && addr != pw->pmd_addr) {
			d->count = pw->pmd_count;
			pw->stop = pw->pmd_addr;
		}
		return 1;
	}
	pw->piece += n;
	if (pmd != pw->pmd) {
		pw->pmd = pmd;
		pw->pmd_addr = addr;
		pw->pmd_count = d->count;
	}
	if (d->binary)
		return vmv_ptes_records(w, d, ptep, addr, end, resume);
	return vmv_ptes_lines(w, d, ptep, addr, end, resume);
}

static const struct vmv_walk_ops vmv_ptes_ops = {
	.pte_table	= vmv_ptes_table,
	.leaf		= vmv_ptes_leaf,
};

#define VMV_PTES_HEADER "# VADDR LEVEL ENTRY KIND pfn=PFN [swap=TYPE:OFFSET] flags=F,... [mt=M] [page=P,... order=N mapcount=N [gen=G]]\n"

/*
 * Fill the (drained) buffer with the leaves from d->next on, as many as
 * it has room for, a piece at a time; each piece takes the mm and its
 * lock and drops both.  On an error the buffer is empty and d->next
 * where it was.
 */
static int vmv_dump_fill(struct vmv_dump *d)
{
	struct vmv_ptes_walk pw = { .d = d, .pmd = -1UL };
	struct vmv_walk w = { .ops = &vmv_ptes_ops, .private = &pw };
	unsigned long start = d->next;
	int ret;

	d->from = 0;
	d->count = 0;
	BUILD_BUG_ON(sizeof(VMV_PTES_HEADER) +
		     PTRS_PER_PTE * VMV_PTE_LINE_MAX > VMV_DUMP_BUF);
	if (!d->binary && !d->next && !d->pos) {
		d->count = sizeof(VMV_PTES_HEADER) - 1;
		memcpy(d->buf, VMV_PTES_HEADER, d->count);
	}
	pw.first = d->count;
	do {
		pw.piece = 0;
		w.mm = vmv_target_lock_mm(d->t, &ret);
		if (!w.mm)
			break;
		ret = vmv_walk(&w, d->next, VMV_TASK_SIZE_MAX);
		vmv_target_unlock_mm(w.mm);
		if (ret < 0)
			break;
		d->next = ret ? pw.stop : VMV_TASK_SIZE_MAX;
		ret = 0;
		if (pw.full || d->next >= VMV_TASK_SIZE_MAX)
			return 0;
		cond_resched();
	} while (!fatal_signal_pending(current));
	d->count = 0;
	d->next = start;
	return ret ?: -EINTR;
}

/*
 * x86's copy_to_user() moves bytes with "rep movsb" on CPUs with ERMS,
 * which QEMU's TCG (where the selftests and `make bench` run) executes
 * one byte at a time, about six times slower than a loop of 8-byte
 * stores; on hardware the two cost about the same, and by guest
 * instruction count the loop saves 2-3.5 % of a dump (Documentation/
 * bench.rst, "Speed tricks").  arm64's copy_to_user() is such a loop
 * already, unrolled, while its unsafe_copy_to_user() masks the address
 * of each 8-byte store: there copy_to_user() is the cheaper.  Returns
 * the bytes not copied.
 */
static unsigned long vmv_copy_out(char __user *dst, const char *src,
				  unsigned long n)
{
	if (!IS_ENABLED(CONFIG_X86))
		return copy_to_user(dst, src, n);
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
 * ptes.bin again, as tools that poll do, then allocates no 256 KiB (an
 * order-6 allocation or a vmalloc: about 200 us under TCG, a quarter of
 * a dump of 2^14 pages).  Freed at unload (an open file holds the module).
 */
static char *vmv_dump_spare;

struct vmv_dump *vmv_dump_create(struct vmv_target *t, bool binary)
{
	struct vmv_dump *d = vmv_kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return NULL;
	d->buf = xchg(&vmv_dump_spare, NULL);
	if (!d->buf)
		d->buf = vmv_kvmalloc(VMV_DUMP_BUF, GFP_KERNEL);
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
			if (d->next >= VMV_TASK_SIZE_MAX)
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

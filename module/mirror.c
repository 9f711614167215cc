// SPDX-License-Identifier: GPL-2.0
/*
 * mirror: each tracked process's shadow page table (shadow.c), filled by
 * hmm_range_fault() and kept in sync by an mmu_interval_notifier, in the
 * shape of lib/test_hmm.c's dmirror.
 *
 * Filling follows the mmu_interval_read_begin() / read_retry() protocol:
 * take the notifier's sequence number, walk with hmm_range_fault()
 * under mmap_read_lock() (no HMM_PFN_REQ_FAULT: nothing is faulted in),
 * then, under m->lock, store the result only if no invalidation ran
 * meanwhile; otherwise do it again.  Fills go in 2 MiB chunks aligned to
 * PMD boundaries, so a PMD-mapped huge page is always seen whole.
 *
 * Invalidation: the notifier callback, under m->lock, bumps the
 * sequence (mmu_interval_set_seq()), drops the range from the shadow,
 * records the event in a ring and remembers the range as dirty.  Dirty
 * ranges are refilled lazily, before the next verify.
 *
 * Locking order: m->verify_lock, m->fill_lock, mmap_lock, m->lock.  The
 * callback runs with the mutator's locks held (mmap_lock, and for
 * reclaim or migration the folio lock and rmap locks), so nothing done
 * under m->lock may wait for those: the shadow allocates its nodes with GFP_NOWAIT (a direct
 * reclaim could unmap pages of the tracked process and re-enter the
 * callback), and hmm_range_fault() runs without m->lock.
 */
#include <linux/hmm.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "mirror.h"
#include "shadow.h"
#include "vmview.h"
#include "walk.h"

#define VMV_CHUNK		PMD_SIZE
#define VMV_CHUNK_PAGES		(VMV_CHUNK >> PAGE_SHIFT)
#define VMV_NR_DIRTY		64	/* ranges; more: refill everything */
#define VMV_NR_EVENTS		256
#define VMV_FILL_TRIES		64
#define VMV_VERIFY_TRIES	8
#define VMV_MISMATCH_LINES	64

struct vmv_range {
	unsigned long start, end;
};

/* A few page ranges; past VMV_NR_DIRTY of them, "everything". */
struct vmv_ranges {
	struct vmv_range r[VMV_NR_DIRTY];
	unsigned int nr;
	bool all;
};

struct vmv_event {
	u64 seq;
	unsigned long start, end;
	u8 event;
};

struct vmv_verify {
	struct vmv_mirror *m;
	struct seq_file *seq;
	unsigned long checked, mismatches, matched;
	struct vmv_ranges missing;	/* present in the walk only */
	bool last_try;
};

/* What one verify works with; kept in the mirror, under verify_lock. */
struct vmv_verify_scratch {
	struct vmv_verify v;
	struct vmv_ranges todo;
	struct vmv_trace tr;
};

struct vmv_mirror {
	struct mmu_interval_notifier notifier;
	struct mutex lock;		/* protects everything below */
	struct vmv_shadow shadow;
	struct vmv_ranges dirty;	/* to refill before the next verify */
	struct vmv_ranges changed;	/* invalidated since the last verify */
	unsigned long verify_start, verify_end;
	bool verify_changed;		/* verify only what changed */
	bool verified;			/* a verify has completed */
	u64 fills, invalidations, retries, resynced;
	u64 nr_events;			/* events ever recorded */
	struct vmv_event events[VMV_NR_EVENTS];
	unsigned long pfns[VMV_CHUNK_PAGES];	/* hmm_range_fault() output */
	struct mutex fill_lock;		/* one filler at a time (pfns[]) */
	struct mutex verify_lock;	/* one verify at a time (scratch) */
	struct vmv_verify_scratch scratch;
};

static const char * const vmv_event_names[] = {
	[MMU_NOTIFY_UNMAP]		= "unmap",
	[MMU_NOTIFY_CLEAR]		= "clear",
	[MMU_NOTIFY_PROTECTION_VMA]	= "protection_vma",
	[MMU_NOTIFY_PROTECTION_PAGE]	= "protection_page",
	[MMU_NOTIFY_SOFT_DIRTY]		= "soft_dirty",
	[MMU_NOTIFY_RELEASE]		= "release",
	[MMU_NOTIFY_MIGRATE]		= "migrate",
	[MMU_NOTIFY_EXCLUSIVE]		= "exclusive",
};

/*
 * Add [start, end), by whole pages: a refill of part of a huge page
 * restores its whole leaf (vmv_store()), so after one fault only that
 * page is filled and compared again.  Called with m->lock held.
 */
static void vmv_ranges_add(struct vmv_ranges *rs, unsigned long start,
			   unsigned long end)
{
	unsigned int i;

	/* Clamp first: the release and soft-dirty ranges end at ~0UL. */
	end = PAGE_ALIGN(min(end, TASK_SIZE_MAX));
	start &= PAGE_MASK;
	if (rs->all || start >= end)
		return;
	for (i = 0; i < rs->nr; i++) {
		struct vmv_range *r = &rs->r[i];

		if (start <= r->end && end >= r->start) {
			r->start = min(r->start, start);
			r->end = max(r->end, end);
			return;
		}
	}
	if (rs->nr == VMV_NR_DIRTY) {
		rs->all = true;
		rs->nr = 0;
		return;
	}
	rs->r[rs->nr].start = start;
	rs->r[rs->nr].end = end;
	rs->nr++;
}

static bool vmv_ranges_empty(const struct vmv_ranges *rs)
{
	return !rs->all && !rs->nr;
}

static void vmv_ranges_clear(struct vmv_ranges *rs)
{
	rs->all = false;
	rs->nr = 0;
}

static void vmv_mark_dirty(struct vmv_mirror *m, unsigned long start,
			   unsigned long end)
{
	vmv_ranges_add(&m->dirty, start, end);
}

static bool vmv_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct vmv_mirror *m = container_of(mni, struct vmv_mirror, notifier);
	struct vmv_event *ev;

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&m->lock);
	else if (!mutex_trylock(&m->lock))
		return false;

	mmu_interval_set_seq(mni, cur_seq);
	vmv_shadow_invalidate(&m->shadow, range->start, range->end);
	if (range->event == MMU_NOTIFY_RELEASE) {
		vmv_ranges_clear(&m->dirty);	/* the address space is gone */
	} else {
		vmv_mark_dirty(m, range->start, range->end);
		vmv_ranges_add(&m->changed, range->start, range->end);
	}
	m->invalidations++;
	ev = &m->events[m->nr_events % VMV_NR_EVENTS];
	ev->seq = m->nr_events++;
	ev->event = range->event;
	ev->start = range->start;
	ev->end = range->end;
	mutex_unlock(&m->lock);
	return true;
}

static const struct mmu_interval_notifier_ops vmv_notifier_ops = {
	.invalidate = vmv_invalidate,
};

/* Store one chunk's hmm_range_fault() result.  Called with m->lock. */
static int vmv_store(struct vmv_mirror *m, unsigned long start,
		     unsigned long end)
{
	unsigned long npages = (end - start) >> PAGE_SHIFT, i, step;
	int ret;

	vmv_shadow_invalidate(&m->shadow, start, end);
	for (i = 0; i < npages; i += step) {
		unsigned long p = m->pfns[i], va = start + (i << PAGE_SHIFT);
		unsigned int shift = PAGE_SHIFT + hmm_pfn_to_map_order(p);
		unsigned long base, pfn;

		step = 1;
		if (!(p & HMM_PFN_VALID) || (p & HMM_PFN_ERROR))
			continue;
		if (shift != PMD_SHIFT && shift != PUD_SHIFT)
			shift = PAGE_SHIFT;
		/* The leaf's first address and frame, from any of its pages. */
		base = va & ~((1UL << shift) - 1);
		pfn = (p & ~HMM_PFN_FLAGS) - ((va - base) >> PAGE_SHIFT);
		ret = vmv_shadow_set(&m->shadow, base, pfn, shift,
				     p & HMM_PFN_WRITE);
		if (ret)
			return ret;
		step = min(npages - i, (base + (1UL << shift) - va) >> PAGE_SHIFT);
		m->resynced += step;
	}
	return 0;
}

/*
 * Fill [addr, end) of one chunk.  Returns the address to go on from, or a
 * negative errno.  Holes before the next VMA are skipped.
 */
static long vmv_fill_chunk(struct vmv_mirror *m, struct mm_struct *mm,
			   unsigned long addr, unsigned long end)
{
	struct hmm_range range = {
		.notifier = &m->notifier,
		.hmm_pfns = m->pfns,
	};
	struct vm_area_struct *vma;
	unsigned long skip;
	int ret, tries = 0;
	bool empty;

again:
	if (++tries > VMV_FILL_TRIES)
		return -EBUSY;
	range.notifier_seq = mmu_interval_read_begin(&m->notifier);
	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start >= end) {
		mmap_read_unlock(mm);
		return end;
	}
	/* Skip the hole before the VMA, keeping chunks PMD-aligned. */
	addr = max(addr, ALIGN_DOWN(vma->vm_start, VMV_CHUNK));
	/*
	 * And the part of the VMA with no page tables: nothing is mapped
	 * there, so the shadow holds nothing there either (a sparse
	 * mapping costs what it maps, not what it spans).
	 */
	skip = vmv_walk_next_pmd(mm, max(addr, vma->vm_start),
				 min(end, vma->vm_end));
	range.start = addr;
	empty = skip >= ALIGN_DOWN(addr, VMV_CHUNK) + VMV_CHUNK;
	if (empty) {
		range.end = ALIGN_DOWN(skip, VMV_CHUNK);
		ret = 0;
	} else {
		range.end = min(end, ALIGN_DOWN(addr, VMV_CHUNK) + VMV_CHUNK);
		ret = hmm_range_fault(&range);
	}
	mmap_read_unlock(mm);
	if (ret == -EBUSY) {
		mutex_lock(&m->lock);
		m->retries++;
		mutex_unlock(&m->lock);
		goto again;
	}
	if (ret)
		return ret;

	mutex_lock(&m->lock);
	if (mmu_interval_read_retry(&m->notifier, range.notifier_seq)) {
		m->retries++;
		mutex_unlock(&m->lock);
		goto again;
	}
	if (empty) {
		vmv_shadow_invalidate(&m->shadow, range.start, range.end);
	} else {
		ret = vmv_store(m, range.start, range.end);
		if (!ret)
			m->fills++;
		else
			vmv_mark_dirty(m, range.start, range.end);
	}
	mutex_unlock(&m->lock);
	return ret ?: (long)range.end;
}

static int vmv_fill_range(struct vmv_mirror *m, struct mm_struct *mm,
			  unsigned long start, unsigned long end)
{
	unsigned long addr = start;
	long next;

	while (addr < end) {
		next = vmv_fill_chunk(m, mm, addr, end);
		if (next < 0)
			return next;
		addr = next;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/* Refill every dirty range; what fails stays dirty. */
static int vmv_refill(struct vmv_mirror *m, struct mm_struct *mm)
{
	struct vmv_range r;
	int ret = 0;

	mutex_lock(&m->fill_lock);
	for (;;) {
		mutex_lock(&m->lock);
		if (m->dirty.all) {
			vmv_ranges_clear(&m->dirty);
			r.start = 0;
			r.end = TASK_SIZE_MAX;
		} else if (m->dirty.nr) {
			r = m->dirty.r[--m->dirty.nr];
		} else {
			mutex_unlock(&m->lock);
			break;
		}
		mutex_unlock(&m->lock);
		ret = vmv_fill_range(m, mm, r.start, r.end);
		if (ret) {
			mutex_lock(&m->lock);
			vmv_mark_dirty(m, r.start, r.end);
			mutex_unlock(&m->lock);
			break;
		}
	}
	mutex_unlock(&m->fill_lock);
	return ret;
}

struct vmv_mirror *vmv_mirror_create(struct mm_struct *mm)
{
	struct vmv_mirror *m;
	int ret;

	m = vmv_kvzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	mutex_init(&m->lock);
	mutex_init(&m->fill_lock);
	mutex_init(&m->verify_lock);
	ret = vmv_shadow_init(&m->shadow, pgtable_l5_enabled() ? 5 : 4);
	if (ret)
		goto err_free;
	m->dirty.all = true;
	ret = mmu_interval_notifier_insert(&m->notifier, mm, 0, TASK_SIZE_MAX,
					   &vmv_notifier_ops);
	if (ret)
		goto err_free;
	vmv_stat_inc(VMV_STAT_MIRRORS);
	/*
	 * A process that changes its mappings faster than a chunk can be
	 * filled makes the fill give up with -EBUSY; what it could not fill
	 * stays dirty for the next verify, so tracking still succeeds.
	 */
	ret = vmv_refill(m, mm);
	if (ret == -EBUSY)
		ret = 0;
	if (ret) {
		vmv_mirror_destroy(m);
		return ERR_PTR(ret);
	}
	return m;

err_free:
	kvfree(m);
	return ERR_PTR(ret);
}

void vmv_mirror_destroy(struct vmv_mirror *m)
{
	/* Waits for callbacks in flight; none comes after it. */
	mmu_interval_notifier_remove(&m->notifier);
	vmv_shadow_destroy(&m->shadow);
	mutex_destroy(&m->verify_lock);
	mutex_destroy(&m->fill_lock);
	mutex_destroy(&m->lock);
	kvfree(m);
	vmv_stat_dec(VMV_STAT_MIRRORS);
}

/* --- verify ----------------------------------------------------------- */

static void vmv_side(struct seq_file *seq, const char *name, bool present,
		     u64 pfn, bool writable, unsigned int shift)
{
	seq_printf(seq, " %s=", name);
	if (!present) {
		seq_puts(seq, "none");
		return;
	}
	seq_printf(seq, "present:0x%llx:%s:%s", pfn, writable ? "rw" : "ro",
		   shift == PUD_SHIFT ? "1g" : shift == PMD_SHIFT ? "2m" : "4k");
}

static void vmv_mismatch(struct vmv_verify *v, unsigned long addr,
			 const struct vmv_decoded *d,
			 const struct vmv_shadow_leaf *sl)
{
	if (++v->mismatches > VMV_MISMATCH_LINES)
		return;
	seq_printf(v->seq, "mismatch 0x%016lx", addr);
	vmv_side(v->seq, "walk", d, d ? d->pfn : 0, d && d->writable,
		 d ? d->page_shift : 0);
	vmv_side(v->seq, "shadow", sl, sl ? sl->pfn : 0, sl && sl->writable,
		 sl ? sl->shift : 0);
	seq_putc(v->seq, '\n');
}

/* What hmm_range_fault() reports as a mapping, vmview's walk must too. */
static bool vmv_mirrorable_vma(struct vm_area_struct *vma)
{
	return !(vma->vm_flags & (VM_IO | VM_PFNMAP)) &&
	       (vma->vm_flags & VM_READ);
}

static bool vmv_mirrorable_leaf(const struct vmv_decoded *d)
{
	if (d->kind != VMV_KIND_PRESENT)
		return false;	/* hmm sees protnone and swap as absent */
	if (d->flags & VMV_FLAG(VMV_F_SPECIAL))
		return is_zero_pfn(d->pfn);
	return true;
}

/* Runs under RCU for ptes: no sleeping, no locks taken. */
static int vmv_verify_leaf(struct vmv_walk *w, unsigned long addr,
			   enum vmv_level level, u64 entry,
			   const struct vmv_decoded *d)
{
	struct vmv_verify *v = w->private;
	struct vmv_shadow_leaf sl;
	bool have;

	if (!vmv_mirrorable_vma(w->vma) || !vmv_mirrorable_leaf(d))
		return 0;
	have = !vmv_shadow_lookup(&v->m->shadow, addr, &sl);
	/*
	 * The kernel notifies when it takes a mapping away or narrows it,
	 * not when it adds one (a first touch) or makes one writable (a
	 * write fault reusing the page, after fork or clear_refs).  The
	 * shadow catches up lazily, as a device would by faulting: fill
	 * the chunk and compare again.
	 */
	if (!v->last_try &&
	    (!have || (sl.pfn == d->pfn && sl.shift == d->page_shift &&
		       d->writable && !sl.writable))) {
		vmv_ranges_add(&v->missing, addr, addr + 1);
		return 0;
	}
	if (!have || sl.pfn != d->pfn || sl.writable != d->writable ||
	    sl.shift != d->page_shift) {
		vmv_mismatch(v, addr, d, have ? &sl : NULL);
		return 0;
	}
	v->matched++;
	return 0;
}

/*
 * A PTE table range against the shadow's lowest-level node for the same
 * 2 MiB, found once: plain present entries are compared inline, anything
 * else goes through vmv_verify_leaf().  Under the table's lock.
 */
static int vmv_verify_table(struct vmv_walk *w, pte_t *ptep,
			    unsigned long addr, unsigned long end,
			    unsigned long *resume)
{
	struct vmv_verify *v = w->private;
	struct vmv_shadow_ptes sp;
	struct vmv_decoded d;

	if (!vmv_mirrorable_vma(w->vma))
		return 0;
	vmv_shadow_ptes(&v->m->shadow, addr, &sp);
	for (; addr != end; ptep++, addr += PAGE_SIZE) {
		pte_t pte = ptep_get(ptep);
		u64 e = pte_val(pte), pfn;
		bool writable;

		if (pte_none(pte))
			continue;
		if ((e & (_PAGE_PRESENT | _PAGE_SPECIAL)) == _PAGE_PRESENT &&
		    vmv_shadow_pte(&sp, pte_index(addr), &pfn, &writable) &&
		    pfn == pte_pfn(pte) && writable == !!(e & _PAGE_RW)) {
			v->matched++;
			continue;
		}
		vmv_decode(&vmv_layout, e, VMV_LEVEL_PTE, &d);
		vmv_verify_leaf(w, addr, VMV_LEVEL_PTE, e, &d);
	}
	return 0;
}

static const struct vmv_walk_ops vmv_verify_ops = {
	.pte_table	= vmv_verify_table,
	.leaf		= vmv_verify_leaf,
};

struct vmv_extra {
	struct vmv_verify *v;
	struct mm_struct *mm;
	struct vmv_trace *tr;
};

/* A shadow leaf: has the walk one there?  (Only when counts differ.) */
static int vmv_verify_extra(void *priv, u64 va,
			    const struct vmv_shadow_leaf *sl)
{
	struct vmv_extra *x = priv;
	struct vm_area_struct *vma = find_vma(x->mm, va);
	bool same = false;

	if (vma && vma->vm_start <= va && vmv_mirrorable_vma(vma)) {
		vmv_walk_trace(x->mm, vma, va, x->tr);
		/* A leaf that differs was reported by the walk already. */
		same = vmv_mirrorable_leaf(&x->tr->leaf) &&
		       x->tr->leaf_addr == va;
	}
	if (!same)
		vmv_mismatch(x->v, va, NULL, sl);
	return 0;
}

static unsigned long vmv_mirrorable_pages(struct mm_struct *mm,
					  unsigned long start,
					  unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long pages = 0, addr = start;

	while (addr < end && (vma = find_vma(mm, addr)) &&
	       vma->vm_start < end) {
		if (vmv_mirrorable_vma(vma))
			pages += (min(end, vma->vm_end) -
				  max(addr, vma->vm_start)) >> PAGE_SHIFT;
		addr = vma->vm_end;
	}
	return pages;
}

static int vmv_count_leaf(void *priv, u64 va, const struct vmv_shadow_leaf *l)
{
	(*(unsigned long *)priv)++;
	return 0;
}

/*
 * Compare [start, end): the walk's leaves against the shadow, then (only
 * if the counts differ) the shadow's leaves against the walk.  Called
 * with mmap_read_lock() and m->lock held.
 */
static int vmv_compare(struct vmv_verify *v, struct mm_struct *mm,
		       unsigned long start, unsigned long end,
		       struct vmv_trace *tr)
{
	struct vmv_walk w = { .ops = &vmv_verify_ops, .mm = mm, .private = v };
	unsigned long matched = v->matched, leaves = 0;
	struct vmv_extra x = { .v = v, .mm = mm, .tr = tr };
	int ret;

	v->checked += vmv_mirrorable_pages(mm, start, end);
	ret = vmv_walk(&w, start, end);
	if (!ret && !start && end >= TASK_SIZE_MAX) {
		struct vmv_shadow_stats st;

		/* The whole table: its own counters say how many leaves. */
		vmv_shadow_stats(&v->m->shadow, &st);
		leaves = st.leaves[VMV_SHADOW_4K] + st.leaves[VMV_SHADOW_2M] +
			 st.leaves[VMV_SHADOW_1G];
	} else if (!ret) {
		ret = vmv_shadow_for_each(&v->m->shadow, start, end,
					  vmv_count_leaf, &leaves);
	}
	if (!ret && leaves != v->matched - matched)
		ret = vmv_shadow_for_each(&v->m->shadow, start, end,
					  vmv_verify_extra, &x);
	return ret;
}

/* "verify: checked=N mismatches=N resynced=N", without printf. */
static void vmv_verify_summary(struct seq_file *seq, u64 checked,
			       u64 mismatches, u64 resynced)
{
	char line[96], *p = line;

	memcpy(p, "verify: checked=", 16);
	p += 16;
	p += vmv_fmt_dec(p, checked);
	memcpy(p, " mismatches=", 12);
	p += 12;
	p += vmv_fmt_dec(p, mismatches);
	memcpy(p, " resynced=", 10);
	p += 10;
	p += vmv_fmt_dec(p, resynced);
	*p++ = '\n';
	seq_write(seq, line, p - line);
}

/**
 * vmv_mirror_verify - compare vmview's walk with the shadow
 * @m: the mirror
 * @mm: its address space, with a user reference held
 * @seq: where mismatch lines and the summary line go
 *
 * In "full" mode every page of the verify range is compared; in
 * "changed" mode (after a first verify) only the ranges invalidated since
 * the previous verify.
 *
 * Locking: m->verify_lock (one verify of a mirror at a time: its scratch
 * lives in the mirror, so a verify allocates nothing); refills without
 * other locks held (see vmv_fill_chunk()); then, under
 * mmap_read_lock() and m->lock, walks and looks every leaf up in the
 * shadow.  If an invalidation ran meanwhile (the notifier's sequence
 * moved), the result may be stale: refill and compare again.
 */
int vmv_mirror_verify(struct vmv_mirror *m, struct mm_struct *mm,
		      struct seq_file *seq)
{
	struct vmv_verify *v = &m->scratch.v;
	struct vmv_ranges *todo = &m->scratch.todo;
	struct vmv_trace *tr = &m->scratch.tr;
	unsigned long start, end, seq_nr;
	size_t count0 = seq->count;
	unsigned int i;
	u64 resynced;
	int ret, tries = 0;

	ret = mutex_lock_killable(&m->verify_lock);
	if (ret)
		return ret;
	v->m = m;
	v->seq = seq;
	mutex_lock(&m->lock);
	start = m->verify_start;
	end = m->verify_end ?: TASK_SIZE_MAX;
	mutex_unlock(&m->lock);

again:
	ret = vmv_refill(m, mm);
	if (ret)
		goto out_free;
	seq_nr = mmu_interval_read_begin(&m->notifier);
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out_free;
	mutex_lock(&m->lock);
	if (!vmv_ranges_empty(&m->dirty) && ++tries < VMV_VERIFY_TRIES) {
		/* Invalidated since the refill: refill first. */
		mutex_unlock(&m->lock);
		mmap_read_unlock(mm);
		goto again;
	}
	seq->count = count0;
	v->checked = 0;
	v->mismatches = 0;
	v->matched = 0;
	v->last_try = tries >= VMV_VERIFY_TRIES - 1;
	vmv_ranges_clear(&v->missing);
	if (m->verify_changed && m->verified && !m->changed.all) {
		*todo = m->changed;
	} else {
		vmv_ranges_clear(todo);
		todo->r[0].start = start;
		todo->r[0].end = end;
		todo->nr = 1;
	}
	for (i = 0, ret = 0; i < todo->nr && !ret; i++)
		if (todo->r[i].start < end && todo->r[i].end > start)
			ret = vmv_compare(v, mm, max(start, todo->r[i].start),
					  min(end, todo->r[i].end), tr);
	if (!ret && !v->last_try &&
	    (!vmv_ranges_empty(&v->missing) ||
	     mmu_interval_read_retry(&m->notifier, seq_nr))) {
		for (i = 0; i < v->missing.nr; i++)
			vmv_mark_dirty(m, v->missing.r[i].start,
				       v->missing.r[i].end);
		if (v->missing.all)
			m->dirty.all = true;
		mutex_unlock(&m->lock);
		mmap_read_unlock(mm);
		tries++;
		goto again;
	}
	resynced = m->resynced;
	if (!ret) {
		m->resynced = 0;
		m->verified = true;
		vmv_ranges_clear(&m->changed);
	}
	mutex_unlock(&m->lock);
	mmap_read_unlock(mm);
	if (ret)
		goto out_free;
	if (v->mismatches > VMV_MISMATCH_LINES)
		seq_printf(seq, "# %lu more mismatches not shown\n",
			   v->mismatches - VMV_MISMATCH_LINES);
	vmv_verify_summary(seq, v->checked, v->mismatches, resynced);
out_free:
	mutex_unlock(&m->verify_lock);
	return ret;
}

/* "full" or "changed": which pages the next verifies compare. */
void vmv_mirror_set_mode(struct vmv_mirror *m, bool changed)
{
	mutex_lock(&m->lock);
	m->verify_changed = changed;
	mutex_unlock(&m->lock);
}

void vmv_mirror_set_range(struct vmv_mirror *m, unsigned long start,
			  unsigned long end)
{
	mutex_lock(&m->lock);
	m->verify_start = start;
	m->verify_end = end;
	mutex_unlock(&m->lock);
}

void vmv_mirror_show_stats(struct vmv_mirror *m, struct seq_file *seq)
{
	static const char * const level[] = { "pte", "pmd", "pud", "p4d",
					      "pgd" };
	struct vmv_shadow_stats st;
	int i;

	mutex_lock(&m->lock);
	vmv_shadow_stats(&m->shadow, &st);
	seq_printf(seq, "levels: %u\n", m->shadow.levels);
	for (i = m->shadow.levels - 1; i >= 0; i--)
		seq_printf(seq, "nodes_%s: %llu\n", level[i], st.nodes[i]);
	seq_printf(seq, "nodes_pte_wide: %llu\n", st.wide);
	seq_printf(seq, "bytes: %llu\n", st.bytes);
	seq_printf(seq, "leaves_4k: %llu\n", st.leaves[VMV_SHADOW_4K]);
	seq_printf(seq, "leaves_2m: %llu\n", st.leaves[VMV_SHADOW_2M]);
	seq_printf(seq, "leaves_1g: %llu\n", st.leaves[VMV_SHADOW_1G]);
	seq_printf(seq, "fills: %llu\n", m->fills);
	seq_printf(seq, "invalidations: %llu\n", m->invalidations);
	seq_printf(seq, "retries: %llu\n", m->retries);
	seq_printf(seq, "dirty_ranges: %u%s\n", m->dirty.nr,
		   m->dirty.all ? " (all)" : "");
	seq_printf(seq, "verify_mode: %s\n",
		   m->verify_changed ? "changed" : "full");
	mutex_unlock(&m->lock);
}

void vmv_mirror_show_events(struct vmv_mirror *m, struct seq_file *seq)
{
	u64 first, i;

	mutex_lock(&m->lock);
	first = m->nr_events > VMV_NR_EVENTS ? m->nr_events - VMV_NR_EVENTS : 0;
	if (first)
		seq_printf(seq, "# dropped: %llu\n", first);
	for (i = first; i < m->nr_events; i++) {
		struct vmv_event *ev = &m->events[i % VMV_NR_EVENTS];
		const char *name = ev->event < ARRAY_SIZE(vmv_event_names) &&
				   vmv_event_names[ev->event] ?
				   vmv_event_names[ev->event] : "unknown";

		seq_printf(seq, "%llu %s 0x%016lx-0x%016lx\n", ev->seq, name,
			   ev->start, ev->end);
	}
	mutex_unlock(&m->lock);
}

int vmv_mirror_inject(struct vmv_mirror *m, unsigned long addr)
{
	struct vmv_shadow_leaf sl;
	unsigned long base;
	int ret;

	mutex_lock(&m->lock);
	ret = vmv_shadow_lookup(&m->shadow, addr, &sl);
	if (!ret) {
		/* Another frame of the same alignment: one wrong leaf. */
		base = addr & ~((1UL << sl.shift) - 1);
		ret = vmv_shadow_set(&m->shadow, base,
				     sl.pfn ^ (1ULL << (sl.shift - PAGE_SHIFT)),
				     sl.shift, sl.writable);
		/* Make sure a "changed" verify looks at it too. */
		vmv_ranges_add(&m->changed, base, base + (1UL << sl.shift));
	}
	mutex_unlock(&m->lock);
	return ret;
}

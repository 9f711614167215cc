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
 * meanwhile; otherwise do it again.  The store takes m->lock for at
 * most VMV_STORE_SLICE leaves at a time, checking the sequence again
 * each time it is retaken.  Fills go in chunks of PMD_SIZE (what
 * one pte table maps: 2 MiB, 4 MiB on 2-level i386) aligned to PMD
 * boundaries, so a PMD-mapped huge page is always seen whole.
 *
 * Geometry: the shadow takes the shape of the kernel's own tables,
 * worked out from its constants (vmv_mirror_geom()); a kernel whose
 * tables it cannot hold is refused when a process is tracked.
 *
 * Invalidation: the notifier callback, under m->lock, bumps the
 * sequence (mmu_interval_set_seq()), drops the range from the shadow,
 * records the event in a ring (PID/events) and in the vmview_invalidate
 * tracepoint, and remembers the range as dirty.  Dirty ranges are
 * refilled lazily, before the next verify; each chunk filled fires
 * vmview_fill (vmview_trace.h).
 *
 * Locking order: m->verify_lock, m->fill_lock, mmap_lock, m->lock.  The
 * callback runs with the mutator's locks held (mmap_lock, and for
 * reclaim or migration the folio lock and rmap locks), so nothing done
 * under m->lock may wait for those: the shadow allocates its nodes with
 * GFP_NOWAIT (a direct reclaim could unmap pages of the tracked process
 * and re-enter the callback), and hmm_range_fault() runs without
 * m->lock.
 */
#include <linux/hmm.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "mirror.h"
#include "mirror_priv.h"
#include "shadow.h"
#include "target.h"
#include "vmview.h"
#include "vmview_trace.h"
#include "walk.h"

static const char * const vmv_event_names[] = {
	[MMU_NOTIFY_UNMAP]		= "unmap",
	[MMU_NOTIFY_CLEAR]		= "clear",
	[MMU_NOTIFY_PROTECTION_VMA]	= "protection_vma",
	[MMU_NOTIFY_PROTECTION_PAGE]	= "protection_page",
	[MMU_NOTIFY_SOFT_DIRTY]		= "soft_dirty",
	[MMU_NOTIFY_RELEASE]		= "release",
	[MMU_NOTIFY_MIGRATE]		= "migrate",
	[VMV_NOTIFY_EXCLUSIVE]		= "exclusive",
};

/*
 * Add [start, end), by whole pages: a refill of part of a huge page
 * restores its whole leaf (vmv_store()), so after one fault only that
 * page is filled and compared again.  Called with m->lock held.
 */
void vmv_ranges_add(struct vmv_ranges *rs, unsigned long start,
		    unsigned long end)
{
	unsigned int i;

	/* Clamp first: the release and soft-dirty ranges end at ~0UL. */
	end = PAGE_ALIGN(min(end, VMV_TASK_SIZE_MAX));
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

void vmv_mark_dirty(struct vmv_mirror *m, unsigned long start,
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
	/* Under m->lock: the events' seq order is the tracepoint's order. */
	trace_vmview_invalidate(m->pid, ev->seq, range->event, range->start,
				range->end);
	mutex_unlock(&m->lock);
	return true;
}

static const struct mmu_interval_notifier_ops vmv_notifier_ops = {
	.invalidate = vmv_invalidate,
};

/*
 * Store one chunk's hmm_range_fault() result, taken under notifier
 * sequence @seq.  Called with m->lock held; drops and retakes it every
 * VMV_STORE_SLICE leaves, so that the target's invalidations, which take
 * it, wait for a slice and not for a chunk.  An invalidation that ran
 * meanwhile leaves the rest of the chunk empty and dirty, to be filled
 * again (what was stored before it, it invalidated itself).
 */
static int vmv_store(struct vmv_mirror *m, unsigned long start,
		     unsigned long end, unsigned long seq,
		     unsigned long *leaves)
{
	unsigned long npages = (end - start) >> PAGE_SHIFT, i, step;
	unsigned int slice = 0;
	int ret;

	vmv_shadow_invalidate(&m->shadow, start, end);
	for (i = 0; i < npages; i += step) {
		unsigned long p = m->pfns[i], va = start + (i << PAGE_SHIFT);
		unsigned int shift = PAGE_SHIFT + hmm_pfn_to_map_order(p);
		unsigned long base, pfn;

		step = 1;
		if (++slice > VMV_STORE_SLICE) {
			slice = 0;
			mutex_unlock(&m->lock);
			cond_resched();
			mutex_lock(&m->lock);
			if (mmu_interval_read_retry(&m->notifier, seq)) {
				m->retries++;
				vmv_mark_dirty(m, va, end);
				return 0;
			}
		}
		if (!(p & HMM_PFN_VALID) || (p & HMM_PFN_ERROR))
			continue;
		/* a size the tables have no level for: page by page */
		if (!vmv_shadow_leaf_size(&m->shadow, shift))
			shift = PAGE_SHIFT;
		/* The leaf's first address and frame, from any of its pages. */
		base = va & ~((1UL << shift) - 1);
		pfn = (p & ~HMM_PFN_FLAGS) - ((va - base) >> PAGE_SHIFT);
		ret = vmv_shadow_set(&m->shadow, base, pfn, shift,
				     p & HMM_PFN_WRITE);
		if (ret)
			return ret;
		(*leaves)++;
		step = min(npages - i, (base + (1UL << shift) - va) >> PAGE_SHIFT);
		m->resynced += step;
	}
	return 0;
}

/*
 * Fill [addr, end) of one chunk; *next is the address to go on from.
 * Holes before the next VMA are skipped.  (An address is not returned in
 * a long: on 32-bit, user addresses reach 0xc0000000.)  A chunk stored
 * fires vmview_fill with the leaves stored and the time it took from
 * the first try, retries included.
 */
static int vmv_fill_chunk(struct vmv_mirror *m, struct mm_struct *mm,
			  unsigned long addr, unsigned long end,
			  unsigned long *next)
{
	struct hmm_range range = {
		.notifier = &m->notifier,
		.hmm_pfns = m->pfns,
	};
	struct vm_area_struct *vma;
	unsigned long skip, leaves = 0;
	u64 t0 = ktime_get_ns();
	int ret, tries = 0;
	bool empty;

again:
	if (++tries > VMV_FILL_TRIES)
		return -EBUSY;
	range.notifier_seq = mmu_interval_read_begin(&m->notifier);
	ret = vmv_mmap_read_lock_piece(mm);
	if (ret)
		return ret;
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start >= end) {
		mmap_read_unlock(mm);
		*next = end;
		return 0;
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
		ret = vmv_store(m, range.start, range.end,
				range.notifier_seq, &leaves);
		if (!ret)
			m->fills++;
		else
			vmv_mark_dirty(m, range.start, range.end);
	}
	mutex_unlock(&m->lock);
	if (!empty && !ret)
		trace_vmview_fill(m->pid, range.start, range.end, leaves,
				  ktime_get_ns() - t0);
	*next = range.end;
	return ret;
}

static int vmv_fill_range(struct vmv_mirror *m, struct mm_struct *mm,
			  unsigned long start, unsigned long end)
{
	unsigned long addr = start;
	int ret;

	while (addr < end) {
		ret = vmv_fill_chunk(m, mm, addr, end, &addr);
		if (ret)
			return ret;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/* Refill every dirty range; what fails stays dirty. */
int vmv_refill(struct vmv_mirror *m, struct mm_struct *mm)
{
	struct vmv_range r;
	int ret = 0;

	mutex_lock(&m->fill_lock);
	for (;;) {
		mutex_lock(&m->lock);
		if (m->dirty.all) {
			vmv_ranges_clear(&m->dirty);
			r.start = 0;
			r.end = VMV_TASK_SIZE_MAX;
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

/*
 * The shadow's geometry from the kernel's constants: a level for each
 * page-table level that is not folded (vmv_level_ptrs() above 1; the pte
 * and pgd levels always are), named after it in @names; leaves where the
 * layout has them (the pmd stage's, a pgd leaf when the pmd is folded as
 * on 2-level i386; pud leaves on x86-64 and arm64 4 KiB); addresses
 * below VMV_TASK_SIZE_MAX rounded up to a power of two.  Returns NULL, or what
 * the shadow cannot hold (then the kernel's tables cannot be mirrored).
 */
static const char *vmv_mirror_geom(struct vmv_shadow_geom *g,
				   const char **names)
{
	enum vmview_level level;
	unsigned int l, shift = PAGE_SHIFT;

	memset(g, 0, sizeof(*g));
	g->page_shift = PAGE_SHIFT;
	for (level = VMVIEW_LEVEL_PTE; level <= VMVIEW_LEVEL_PGD; level++) {
		unsigned long ptrs = vmv_level_ptrs(level);

		if (vmv_level_folded(level))
			continue;
		if (!is_power_of_2(ptrs) || vmv_level_shift(level) != shift)
			return "a level's entries or shift do not follow from the level below";
		if (g->levels == VMV_SHADOW_MAX_LEVELS)
			return "more than 5 levels";
		names[g->levels] = vmv_level_names[level];
		g->bits[g->levels++] = ilog2(ptrs);
		shift += ilog2(ptrs);
	}
	g->leaf_levels = 1;
	for (l = 0, shift = PAGE_SHIFT; l < g->levels; shift += g->bits[l++])
		for (level = VMVIEW_LEVEL_PMD; level <= VMVIEW_LEVEL_PGD;
		     level++)
			if (vmv_layout.leaf_shift[level] == shift)
				g->leaf_levels |= 1U << l;
	g->va_bits = fls64(VMV_TASK_SIZE_MAX - 1);
	/*
	 * The widest frame a leaf maps: what the entries hold (the layout's
	 * pfn_mask), and no more than a PFN in an unsigned long says (PAE's
	 * entries hold 52 address bits, its PFNs 32).
	 */
	g->pfn_bits = min_t(unsigned int,
			    max_t(unsigned int, fls64(vmv_layout.pfn_mask),
				  vmv_layout.pfn_high_mask ?
				  fls64(vmv_layout.pfn_high_mask) +
				  vmv_layout.pfn_high_shift : 0) - PAGE_SHIFT,
			    BITS_PER_LONG);
	return vmv_shadow_geom_check(g);
}

struct vmv_mirror *vmv_mirror_create(struct mm_struct *mm, pid_t pid)
{
	struct vmv_shadow_geom g;
	struct vmv_mirror *m;
	const char *why;
	int ret;

	m = vmv_kvzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	mutex_init(&m->lock);
	mutex_init(&m->fill_lock);
	mutex_init(&m->verify_lock);
	m->pid = pid;
	why = vmv_mirror_geom(&g, m->level_names);
	if (why) {
		pr_warn_ratelimited("no shadow page table for %u-level tables of %u/%u/%u/%u/%u index bits (pte up), %u-bit addresses, %u-bit PFNs: %s\n",
				    g.levels, g.bits[0], g.bits[1], g.bits[2],
				    g.bits[3], g.bits[4], g.va_bits,
				    g.pfn_bits, why);
		ret = -EOPNOTSUPP;
		goto err_free;
	}
	ret = vmv_shadow_init(&m->shadow, &g);
	if (ret)
		goto err_free;
	m->dirty.all = true;
	ret = mmu_interval_notifier_insert(&m->notifier, mm, 0, VMV_TASK_SIZE_MAX,
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

void vmv_mirror_show_stats(struct vmv_mirror *m, struct seq_file *seq)
{
	const struct vmv_shadow *s = &m->shadow;
	char size[VMV_SHADOW_SIZE_NAME];
	struct vmv_shadow_stats st;
	int i;

	mutex_lock(&m->lock);
	vmv_shadow_stats(s, &st);
	seq_printf(seq, "levels: %u\n", s->levels);
	for (i = s->levels - 1; i >= 0; i--)
		seq_printf(seq, "nodes_%s: %llu\n", m->level_names[i],
			   st.nodes[i]);
	seq_printf(seq, "nodes_pte_wide: %llu\n", st.wide);
	seq_printf(seq, "bytes: %llu\n", st.bytes);
	/* leaves_4k, leaves_2m, leaves_1g on x86-64; leaves_4m on i386 */
	for (i = 0; i < s->levels; i++) {
		if (!(s->geom.leaf_levels & BIT(i)))
			continue;
		vmv_shadow_size_name(vmv_shadow_shift(s, i), size);
		seq_printf(seq, "leaves_%s: %llu\n", size, st.leaves[i]);
	}
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

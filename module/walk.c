// SPDX-License-Identifier: GPL-2.0
/*
 * walk: vmview's own page-table walker.  The rules (return values,
 * locking) are in walk.h; this file owns only the walk and the reading
 * of struct page state behind a leaf.  It never writes to a table.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "compat.h"
#include "walk.h"

/*
 * The page flags' tables (walk.h, vmv_folio_flags()): the flags word's
 * bits below PG_swapcache index the low one, its bits PG_swapcache to
 * PG_mlocked the high one.  Where the kernel keeps its flags is fixed when
 * it is built; a kernel that keeps one vmview reads elsewhere stops the
 * build here.  Written once at load (vmv_folio_flags_init()), read-only
 * after: no locking.
 */
static_assert(PG_lru < PG_mlocked && PG_active < PG_mlocked &&
	      PG_referenced < PG_mlocked && PG_unevictable < PG_mlocked &&
	      PG_dirty < PG_mlocked && PG_writeback < PG_mlocked &&
	      PG_head < PG_mlocked,
	      "vmview: a page flag it reports is above PG_mlocked: vmv_pg_tables.high does not cover it");
static_assert(PG_swapbacked > PG_swapcache,
	      "vmview: PG_swapbacked is below PG_swapcache: the two are not in one of the page flags' tables");
static_assert(VMV_PG_SPLIT <= 11 && VMV_PG_HIGH_BITS <= 12,
	      "vmview: the page flags' tables would be larger than 4 KiB and 8 KiB");

struct vmv_pg_tables vmv_pg_tables __ro_after_init;

void __init vmv_folio_flags_init(void)
{
	static const struct vmv_pg_bits pg = {
		.lru = PG_lru,
		.active = PG_active,
		.referenced = PG_referenced,
		.unevictable = PG_unevictable,
		.mlocked = PG_mlocked,
		.swapcache = PG_swapcache,
		.swapbacked = PG_swapbacked,
		.dirty = PG_dirty,
		.writeback = PG_writeback,
		.head = PG_head,
	};

	vmv_pg_tables_init(&pg, vmv_pg_tables.low, VMV_PG_SPLIT,
			   vmv_pg_tables.high, VMV_PG_HIGH_BITS);
}

static int vmv_walk_stop(struct vmv_walk *w, int ret, unsigned long next)
{
	if (ret > 0)
		w->next = next;
	return ret;
}

/* Between PMD ranges: let others run, give up on a fatal signal. */
static int vmv_walk_yield(void)
{
	cond_resched();
	return fatal_signal_pending(current) ? -EINTR : 0;
}

static int vmv_walk_leaf(struct vmv_walk *w, void *entryp,
			 enum vmview_level stage, unsigned long addr,
			 enum vmview_level level, u64 entry,
			 const struct vmv_decoded *d)
{
	int ret;

	if (!w->ops->leaf)
		return 0;
	w->entryp = entryp;
	w->entry_stage = stage;
	ret = w->ops->leaf(w, addr, level, entry, d);
	w->entryp = NULL;
	/* After the leaf: @addr is inside it when the walk began there. */
	return vmv_walk_stop(w, ret, ALIGN_DOWN(addr, 1UL << d->page_shift) +
				     (1UL << d->page_shift));
}

/*
 * The PTE level, from a pmd snapshot that is a present table.  As
 * __pte_offset_map_lock() does: under RCU (the table cannot be freed),
 * take the table's own lock, then check that the pmd still points to it
 * (if not, *changed tells the caller to read the pmd again), and map the
 * table for as long as it is read (HIGHPTE).
 */
static int vmv_walk_pte(struct vmv_walk *w, pmd_t *pmdp, pmd_t *pmdval,
			unsigned long addr, unsigned long end, bool *changed)
{
	unsigned long resume = end;
	spinlock_t *ptl;	/* the PTE table's own lock */
	pte_t *ptep;
	int ret;

	if (!w->ops->pte_table)
		return 0;
	rcu_read_lock();
	ptl = pte_lockptr(w->mm, pmdval);
	spin_lock(ptl);
	if (!pmd_same(*pmdval, vmv_pmdp_get_lockless(pmdp))) {
		spin_unlock(ptl);
		rcu_read_unlock();
		*changed = true;
		return 0;
	}
	ptep = vmv_pte_map(pmdval, addr);
	w->ptl_held = true;
	ret = w->ops->pte_table(w, ptep, addr, end, &resume);
	w->ptl_held = false;
	vmv_pte_unmap(ptep);
	spin_unlock(ptl);
	rcu_read_unlock();
	return vmv_walk_stop(w, ret, resume);
}

/*
 * The pmd stage: always an entry of its own (the pte level is never
 * folded), a pgd entry without PAE.  A folded pmd is the pud entry
 * itself: it is read where it lives, @pudp, not in our snapshot of it,
 * so that reading it again sees a change.
 */
static int vmv_walk_pmd(struct vmv_walk *w, pud_t *pudp, pud_t *pudval,
			unsigned long addr, unsigned long end)
{
	pmd_t *pmdp = vmv_level_folded(VMVIEW_LEVEL_PMD) ?
		      pmd_offset(pudp, addr) : pmd_offset(pudval, addr);
	enum vmview_level level = vmv_pmd_level();
	struct vmv_decoded d;
	unsigned long next;
	int ret;

	do {
		bool changed;
		pmd_t pmd;

again:
		/* One read, or two halves that agree (PAE). */
		pmd = vmv_pmdp_get_lockless(pmdp);
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmd))
			continue;
		vmv_decode(&vmv_layout, pmd_val(pmd), level, &d);
		if (d.kind == VMVIEW_KIND_TABLE) {
			if (pmd_bad(pmd))
				continue;
			if (w->ops->table) {
				ret = w->ops->table(w, addr, level,
						    pmd_val(pmd));
				if (ret)
					return vmv_walk_stop(w, ret, addr);
			}
			changed = false;
			ret = vmv_walk_pte(w, pmdp, &pmd, addr, next, &changed);
			/*
			 * Collapsed, split or freed meanwhile: read the pmd
			 * again, as walk_pte_range()'s ACTION_AGAIN does, for
			 * as long as it takes (a walk never skips a range);
			 * a fatal signal ends it.
			 */
			if (changed) {
				ret = vmv_walk_yield();
				if (ret)
					return ret;
				goto again;
			}
		} else if (d.kind != VMVIEW_KIND_NONE) {
			ret = vmv_walk_leaf(w, pmdp, VMVIEW_LEVEL_PMD, addr,
					    level, pmd_val(pmd), &d);
		} else {
			continue;
		}
		if (ret)
			return ret;
		ret = vmv_walk_yield();
		if (ret)
			return ret;
	} while (pmdp++, addr = next, addr != end);
	return 0;
}

/*
 * The pud stage: a pud entry (x86-64), a pgd entry (PAE: the pud is
 * folded into it), or nothing of its own when the pmd is folded (2
 * levels: the pmd stage reads the entry).
 */
static int vmv_walk_pud(struct vmv_walk *w, p4d_t *p4dp, p4d_t *p4dval,
			unsigned long addr, unsigned long end)
{
	pud_t *pudp = vmv_level_folded(VMVIEW_LEVEL_PUD) ?
		      pud_offset(p4dp, addr) : pud_offset(p4dval, addr);
	enum vmview_level level = vmv_real_level(VMVIEW_LEVEL_PUD);
	struct vmv_decoded d;
	unsigned long next;
	int ret;

	do {
		pud_t pud = READ_ONCE(*pudp);

		next = pud_addr_end(addr, end);
		if (!vmv_stage_real(VMVIEW_LEVEL_PUD)) {
			ret = vmv_walk_pmd(w, pudp, &pud, addr, next);
			if (ret)
				return ret;
			continue;
		}
		if (pud_none(pud))
			continue;
		vmv_decode(&vmv_layout, pud_val(pud), level, &d);
		if (d.kind == VMVIEW_KIND_TABLE) {
			if (pud_bad(pud))
				continue;
			if (w->ops->table) {
				ret = w->ops->table(w, addr, level,
						    pud_val(pud));
				if (ret)
					return vmv_walk_stop(w, ret, addr);
			}
			ret = vmv_walk_pmd(w, pudp, &pud, addr, next);
		} else if (d.kind != VMVIEW_KIND_NONE) {
			ret = vmv_walk_leaf(w, pudp, VMVIEW_LEVEL_PUD, addr,
					    level, pud_val(pud), &d);
			if (!ret)
				ret = vmv_walk_yield();
		} else {
			continue;
		}
		if (ret)
			return ret;
	} while (pudp++, addr = next, addr != end);
	return 0;
}

/*
 * The p4d stage: a p4d entry (5 levels), a pgd entry (4 levels), or
 * nothing of its own when the pud is folded into it (i386).
 */
static int vmv_walk_p4d(struct vmv_walk *w, pgd_t *pgdp, unsigned long addr,
			unsigned long end)
{
	/* Folded, this is the pgd entry itself. */
	p4d_t *p4dp = p4d_offset(pgdp, addr);
	unsigned long next;
	int ret;

	do {
		p4d_t p4d = READ_ONCE(*p4dp);

		next = p4d_addr_end(addr, end);
		if (vmv_stage_real(VMVIEW_LEVEL_P4D)) {
			if (p4d_none(p4d) || p4d_bad(p4d))
				continue;
			if (w->ops->table) {
				ret = w->ops->table(w, addr,
						    vmv_real_level(VMVIEW_LEVEL_P4D),
						    p4d_val(p4d));
				if (ret)
					return vmv_walk_stop(w, ret, addr);
			}
		}
		ret = vmv_walk_pud(w, p4dp, &p4d, addr, next);
		if (ret)
			return ret;
	} while (p4dp++, addr = next, addr != end);
	return 0;
}

static int vmv_walk_pgd(struct vmv_walk *w, unsigned long addr,
			unsigned long end)
{
	pgd_t *pgdp = pgd_offset(w->mm, addr);
	unsigned long next;
	int ret;

	do {
		pgd_t pgd = READ_ONCE(*pgdp);

		next = pgd_addr_end(addr, end);
		/* Both are false when the p4d is folded: a lower stage decides. */
		if (pgd_none(pgd) || pgd_bad(pgd))
			continue;
		if (vmv_stage_real(VMVIEW_LEVEL_PGD) && w->ops->table) {
			ret = w->ops->table(w, addr, VMVIEW_LEVEL_PGD,
					    pgd_val(pgd));
			if (ret)
				return vmv_walk_stop(w, ret, addr);
		}
		ret = vmv_walk_p4d(w, pgdp, addr, next);
		if (ret)
			return ret;
	} while (pgdp++, addr = next, addr != end);
	return 0;
}

/**
 * vmv_walk - walk the page tables under the VMAs of [start, end)
 * @w: the walk, with ->ops and ->mm set
 * @start: first address
 * @end: end of the range (exclusive)
 *
 * Locking: the caller holds mmap_read_lock(w->mm) and a reference on
 * w->mm; see walk.h for why that is enough and what runs under RCU.
 *
 * Return: 0 when the range is done (->next is @end), a callback's
 * positive value when it stopped the walk (->next is where to resume),
 * or a negative errno.
 */
int vmv_walk(struct vmv_walk *w, unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long addr = start, vend;
	int ret;

	mmap_assert_locked(w->mm);
	w->next = end;
	while (addr < end) {
		vma = find_vma(w->mm, addr);
		if (!vma || vma->vm_start >= end)
			break;
		if (addr < vma->vm_start)
			addr = vma->vm_start;
		vend = min(end, vma->vm_end);
		w->vma = vma;
		ret = vmv_walk_pgd(w, addr, vend);
		if (ret)
			return ret;
		addr = vend;
		ret = vmv_walk_yield();
		if (ret)
			return ret;
	}
	w->next = end;
	return 0;
}

/* The entry a stage read at @entryp, read again (as that stage reads it). */
static u64 vmv_entry_reread(void *entryp, enum vmview_level stage)
{
	switch (stage) {
	case VMVIEW_LEVEL_PTE:
		return pte_val(vmv_ptep_get_lockless(entryp));
	case VMVIEW_LEVEL_PMD:
		return pmd_val(vmv_pmdp_get_lockless(entryp));
	default:
		return pud_val(READ_ONCE(*(pud_t *)entryp));
	}
}

static void vmv_page_info(void *entryp, enum vmview_level stage, bool stable,
			  struct vm_area_struct *vma, enum vmview_level level,
			  u64 entry, const struct vmv_decoded *d,
			  struct vmv_page_info *pi)
{
	struct vmv_folio *folio;
	struct page *page;

	memset(pi, 0, sizeof(*pi));
	if (d->kind != VMVIEW_KIND_PRESENT && d->kind != VMVIEW_KIND_PROTNONE)
		return;
	/*
	 * A present entry that is not special maps a normal page, except
	 * in VM_PFNMAP and VM_MIXEDMAP VMAs (vm_normal_page()'s rule): only
	 * there, and for special entries, ask whether the frame has a
	 * struct page at all.
	 */
	if (((d->flags & VMV_FLAG(VMVIEW_F_SPECIAL)) ||
	     (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))) &&
	    !pfn_valid(d->pfn))
		return;
	if (is_zero_pfn(d->pfn)) {
		/* Mapped "special", but reserved for ever: no reference. */
		pi->valid = true;
		pi->flags = VMV_FLAG(VMVIEW_P_ZERO);
		return;
	}
	/* Other special and devmap entries have no struct page to speak of. */
	if (d->flags & (VMV_FLAG(VMVIEW_F_SPECIAL) | VMV_FLAG(VMVIEW_F_DEVMAP)))
		return;
	page = pfn_to_page(d->pfn);

	/*
	 * Under the PTE table's lock the entry cannot change, so the folio
	 * it maps stays mapped and cannot be freed or split: read it as
	 * pagemap does.  Otherwise do as GUP-fast: a speculative reference,
	 * then check that the page is still this folio's and the entry
	 * still maps it.
	 */
	folio = vmv_page_folio(page);
	if (stable) {
		vmv_folio_info(folio, page, vma, level, pi);
		return;
	}
	if (!vmv_folio_try_get(folio))
		return;
	if (vmv_page_folio(page) == folio && entryp &&
	    vmv_entry_reread(entryp, stage) == entry)
		vmv_folio_info(folio, page, vma, level, pi);
	vmv_folio_put(folio);
}

void vmv_walk_pte_info(struct vmv_walk *w, pte_t *ptep, u64 entry,
		       const struct vmv_decoded *d, struct vmv_page_info *pi)
{
	vmv_page_info(ptep, VMVIEW_LEVEL_PTE, w->ptl_held, w->vma,
		      VMVIEW_LEVEL_PTE, entry, d, pi);
}

void vmv_walk_page_info(struct vmv_walk *w, enum vmview_level level, u64 entry,
			const struct vmv_decoded *d, struct vmv_page_info *pi)
{
	vmv_page_info(w->entryp, w->entry_stage, w->ptl_held, w->vma, level,
		      entry, d, pi);
}

/**
 * vmv_walk_next_pmd - skip the part of a range that has no page tables
 * @mm: the address space
 * @addr: where to start
 * @end: the end of the range; [@addr, @end) lies inside one VMA
 *
 * Returns the first address in [@addr, @end) whose pmd entry is not empty
 * (a table, a huge leaf or a swap-format entry; @addr itself if its pmd
 * is not empty), or @end.  Empty pgd, p4d and pud entries are skipped
 * whole, so the cost grows with what is mapped, not with the span.
 *
 * Locking: as vmv_walk(): mmap_read_lock(@mm) held, entries read once
 * each without locks.  The answer may be stale as soon as it is given;
 * the fill that uses it checks its notifier sequence afterwards.
 */
unsigned long vmv_walk_next_pmd(struct mm_struct *mm, unsigned long addr,
				unsigned long end)
{
	mmap_assert_locked(mm);
	while (addr < end) {
		pgd_t *pgdp = pgd_offset(mm, addr);
		unsigned long next;
		p4d_t *p4dp, p4d;
		pud_t *pudp, pud;
		pmd_t *pmdp;

		next = pgd_addr_end(addr, end);
		if (pgd_none(READ_ONCE(*pgdp)))
			goto skip;
		p4dp = p4d_offset(pgdp, addr);
		p4d = READ_ONCE(*p4dp);
		next = p4d_addr_end(addr, end);
		if (p4d_none(p4d))
			goto skip;
		pudp = vmv_level_folded(VMVIEW_LEVEL_PUD) ?
		       pud_offset(p4dp, addr) : pud_offset(&p4d, addr);
		pud = READ_ONCE(*pudp);
		next = pud_addr_end(addr, end);
		if (pud_none(pud))
			goto skip;
		if (!pud_present(pud) || pud_leaf(pud) || pud_bad(pud))
			return addr;
		pmdp = vmv_level_folded(VMVIEW_LEVEL_PMD) ?
		       pmd_offset(pudp, addr) : pmd_offset(&pud, addr);
		next = pmd_addr_end(addr, end);
		if (!pmd_none(vmv_pmdp_get_lockless(pmdp)))
			return addr;
skip:
		addr = next;
	}
	return end;
}

static void vmv_trace_add(struct vmv_trace *tr, enum vmview_level level,
			  unsigned long addr, u64 entry)
{
	tr->level[tr->nr] = level;
	tr->index[tr->nr] = vmv_level_index(level, addr);
	tr->entry[tr->nr] = entry;
	tr->nr++;
	vmv_decode(&vmv_layout, entry, level, &tr->leaf);
}

/*
 * An entry of the pud or pmd stage on the path, of (real) @level: true
 * when it is not a table (a huge leaf, a swap-format entry or nothing),
 * which ends the path at it.
 */
static bool vmv_trace_huge(struct vmv_trace *tr, struct vm_area_struct *vma,
			   void *entryp, enum vmview_level stage,
			   enum vmview_level level, unsigned long addr,
			   u64 entry)
{
	vmv_trace_add(tr, level, addr, entry);
	if (tr->leaf.kind == VMVIEW_KIND_TABLE)
		return false;
	tr->leaf_addr = tr->leaf.page_shift ?
			ALIGN_DOWN(addr, 1UL << tr->leaf.page_shift) : addr;
	vmv_page_info(entryp, stage, false, vma, level, entry, &tr->leaf,
		      &tr->pi);
	return true;
}

/**
 * vmv_walk_trace - the path of one address through the tables
 * @mm: the address space
 * @vma: the VMA holding @addr
 * @addr: the address
 * @tr: where the path goes
 *
 * One entry a level that is not folded, under its Linux name, as
 * vmv_walk() reads them.
 *
 * Locking: as vmv_walk(): mmap_read_lock(@mm) held; the pmd entry read
 * inside rcu_read_lock(), and the PTE table it points to read there,
 * mapped (HIGHPTE), as __pte_offset_map() does.
 */
void vmv_walk_trace(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long addr, struct vmv_trace *tr)
{
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t *ptep, pte;

	mmap_assert_locked(mm);
	memset(tr, 0, sizeof(*tr));
	pgdp = pgd_offset(mm, addr);
	pgd = READ_ONCE(*pgdp);
	if (vmv_stage_real(VMVIEW_LEVEL_PGD)) {
		vmv_trace_add(tr, VMVIEW_LEVEL_PGD, addr, pgd_val(pgd));
		if (pgd_none(pgd))
			return;
		if (pgd_bad(pgd))
			goto bad;
	}
	p4dp = p4d_offset(pgdp, addr);
	p4d = READ_ONCE(*p4dp);
	if (vmv_stage_real(VMVIEW_LEVEL_P4D)) {
		vmv_trace_add(tr, vmv_real_level(VMVIEW_LEVEL_P4D), addr,
			      p4d_val(p4d));
		if (p4d_none(p4d))
			return;
		if (p4d_bad(p4d))
			goto bad;
	}

	pudp = vmv_level_folded(VMVIEW_LEVEL_PUD) ?
	       pud_offset(p4dp, addr) : pud_offset(&p4d, addr);
	pud = READ_ONCE(*pudp);
	if (vmv_stage_real(VMVIEW_LEVEL_PUD)) {
		if (vmv_trace_huge(tr, vma, pudp, VMVIEW_LEVEL_PUD,
				   vmv_real_level(VMVIEW_LEVEL_PUD), addr,
				   pud_val(pud)))
			return;
		if (pud_bad(pud))
			goto bad;
	}

	pmdp = vmv_level_folded(VMVIEW_LEVEL_PMD) ?
	       pmd_offset(pudp, addr) : pmd_offset(&pud, addr);
	rcu_read_lock();
	pmd = vmv_pmdp_get_lockless(pmdp);
	if (vmv_trace_huge(tr, vma, pmdp, VMVIEW_LEVEL_PMD, vmv_pmd_level(),
			   addr, pmd_val(pmd)))
		goto out;
	if (pmd_bad(pmd)) {
		tr->bad = true;
		goto out;
	}
	ptep = vmv_pte_map(&pmd, addr);
	pte = vmv_ptep_get_lockless(ptep);
	vmv_trace_add(tr, VMVIEW_LEVEL_PTE, addr, pte_val(pte));
	tr->leaf_addr = addr & PAGE_MASK;
	vmv_page_info(ptep, VMVIEW_LEVEL_PTE, false, vma, VMVIEW_LEVEL_PTE,
		      pte_val(pte), &tr->leaf, &tr->pi);
	vmv_pte_unmap(ptep);
out:
	rcu_read_unlock();
	return;
bad:
	tr->bad = true;
}

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

static int vmv_walk_leaf(struct vmv_walk *w, void *entryp, unsigned long addr,
			 enum vmview_level level, u64 entry,
			 const struct vmv_decoded *d)
{
	int ret;

	if (!w->ops->leaf)
		return 0;
	w->entryp = entryp;
	ret = w->ops->leaf(w, addr, level, entry, d);
	w->entryp = NULL;
	/* After the leaf: @addr is inside it when the walk began there. */
	return vmv_walk_stop(w, ret, ALIGN_DOWN(addr, 1UL << d->page_shift) +
				     (1UL << d->page_shift));
}

/*
 * The PTE level, from a pmd snapshot that is a present table.  As
 * __pte_offset_map_lock() does: under RCU (the table cannot be freed),
 * take the table's own lock, then check that the pmd still points to it;
 * if not, *changed tells the caller to read the pmd again.
 */
static int vmv_walk_pte(struct vmv_walk *w, pmd_t *pmdp, pmd_t *pmdval,
			unsigned long addr, unsigned long end, bool *changed)
{
	unsigned long resume = end;
	spinlock_t *ptl;	/* the PTE table's own lock */
	int ret;

	if (!w->ops->pte_table)
		return 0;
	rcu_read_lock();
	ptl = pte_lockptr(w->mm, pmdval);
	spin_lock(ptl);
	if (!pmd_same(*pmdval, READ_ONCE(*pmdp))) {
		spin_unlock(ptl);
		rcu_read_unlock();
		*changed = true;
		return 0;
	}
	w->ptl_held = true;
	ret = w->ops->pte_table(w, pte_offset_kernel(pmdval, addr), addr, end,
				&resume);
	w->ptl_held = false;
	spin_unlock(ptl);
	rcu_read_unlock();
	return vmv_walk_stop(w, ret, resume);
}

static int vmv_walk_pmd(struct vmv_walk *w, pud_t *pudval, unsigned long addr,
			unsigned long end)
{
	pmd_t *pmdp = pmd_offset(pudval, addr);
	struct vmv_decoded d;
	unsigned long next;
	int ret;

	do {
		bool changed;
		pmd_t pmd;

again:
		/* One 64-bit read: on x86-64 pmdp_get_lockless() is this. */
		pmd = READ_ONCE(*pmdp);
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmd))
			continue;
		vmv_decode(&vmv_layout, pmd_val(pmd), VMVIEW_LEVEL_PMD, &d);
		if (d.kind == VMVIEW_KIND_TABLE) {
			if (pmd_bad(pmd))
				continue;
			if (w->ops->table) {
				ret = w->ops->table(w, addr, VMVIEW_LEVEL_PMD,
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
			ret = vmv_walk_leaf(w, pmdp, addr, VMVIEW_LEVEL_PMD,
					    pmd_val(pmd), &d);
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

static int vmv_walk_pud(struct vmv_walk *w, p4d_t *p4dval, unsigned long addr,
			unsigned long end)
{
	pud_t *pudp = pud_offset(p4dval, addr);
	struct vmv_decoded d;
	unsigned long next;
	int ret;

	do {
		pud_t pud = READ_ONCE(*pudp);

		next = pud_addr_end(addr, end);
		if (pud_none(pud))
			continue;
		vmv_decode(&vmv_layout, pud_val(pud), VMVIEW_LEVEL_PUD, &d);
		if (d.kind == VMVIEW_KIND_TABLE) {
			if (pud_bad(pud))
				continue;
			if (w->ops->table) {
				ret = w->ops->table(w, addr, VMVIEW_LEVEL_PUD,
						    pud_val(pud));
				if (ret)
					return vmv_walk_stop(w, ret, addr);
			}
			ret = vmv_walk_pmd(w, &pud, addr, next);
		} else if (d.kind != VMVIEW_KIND_NONE) {
			ret = vmv_walk_leaf(w, pudp, addr, VMVIEW_LEVEL_PUD,
					    pud_val(pud), &d);
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

static int vmv_walk_p4d(struct vmv_walk *w, pgd_t *pgdp, unsigned long addr,
			unsigned long end)
{
	/* With 4-level paging this is the pgd entry itself (folded). */
	p4d_t *p4dp = p4d_offset(pgdp, addr);
	unsigned long next;
	int ret;

	do {
		p4d_t p4d = READ_ONCE(*p4dp);

		next = p4d_addr_end(addr, end);
		if (p4d_none(p4d) || p4d_bad(p4d))
			continue;
		if (w->ops->table) {
			ret = w->ops->table(w, addr, VMVIEW_LEVEL_P4D,
					    p4d_val(p4d));
			if (ret)
				return vmv_walk_stop(w, ret, addr);
		}
		ret = vmv_walk_pud(w, &p4d, addr, next);
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
		/* Both are false with 4-level paging: the p4d decides. */
		if (pgd_none(pgd) || pgd_bad(pgd))
			continue;
		if (PTRS_PER_P4D > 1 && w->ops->table) {
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

static void vmv_page_info(void *entryp, bool stable,
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
	    READ_ONCE(*(u64 *)entryp) == entry)
		vmv_folio_info(folio, page, vma, level, pi);
	vmv_folio_put(folio);
}

void vmv_walk_pte_info(struct vmv_walk *w, pte_t *ptep, u64 entry,
		       const struct vmv_decoded *d, struct vmv_page_info *pi)
{
	vmv_page_info(ptep, w->ptl_held, w->vma, VMVIEW_LEVEL_PTE, entry, d, pi);
}

void vmv_walk_page_info(struct vmv_walk *w, enum vmview_level level, u64 entry,
			const struct vmv_decoded *d, struct vmv_page_info *pi)
{
	vmv_page_info(w->entryp, w->ptl_held, w->vma, level, entry, d, pi);
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
		pudp = pud_offset(&p4d, addr);
		pud = READ_ONCE(*pudp);
		next = pud_addr_end(addr, end);
		if (pud_none(pud))
			goto skip;
		if (!pud_present(pud) || pud_leaf(pud) || pud_bad(pud))
			return addr;
		pmdp = pmd_offset(&pud, addr);
		next = pmd_addr_end(addr, end);
		if (!pmd_none(READ_ONCE(*pmdp)))
			return addr;
skip:
		addr = next;
	}
	return end;
}

static void vmv_trace_add(struct vmv_trace *tr, enum vmview_level level,
			  unsigned int index, u64 entry)
{
	tr->level[tr->nr] = level;
	tr->index[tr->nr] = index;
	tr->entry[tr->nr] = entry;
	tr->nr++;
	vmv_decode(&vmv_layout, entry, level, &tr->leaf);
}

/*
 * A pud or pmd entry on the path: true when it is not a table (a huge
 * leaf, a swap-format entry or nothing), which ends the path at it.
 */
static bool vmv_trace_huge(struct vmv_trace *tr, struct vm_area_struct *vma,
			   void *entryp, enum vmview_level level,
			   unsigned int index, u64 entry, unsigned long leaf_addr)
{
	vmv_trace_add(tr, level, index, entry);
	if (tr->leaf.kind == VMVIEW_KIND_TABLE)
		return false;
	tr->leaf_addr = leaf_addr;
	vmv_page_info(entryp, false, vma, level, entry, &tr->leaf, &tr->pi);
	return true;
}

/**
 * vmv_walk_trace - the path of one address through the tables
 * @mm: the address space
 * @vma: the VMA holding @addr
 * @addr: the address
 * @tr: where the path goes
 *
 * Locking: as vmv_walk(): mmap_read_lock(@mm) held, the PTE level read
 * under RCU from a pmd snapshot.
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
	if (PTRS_PER_P4D > 1) {
		vmv_trace_add(tr, VMVIEW_LEVEL_PGD, pgd_index(addr), pgd_val(pgd));
		if (pgd_none(pgd))
			return;
		if (pgd_bad(pgd))
			goto bad;
	}
	p4dp = p4d_offset(pgdp, addr);
	p4d = READ_ONCE(*p4dp);
	/* With 4-level paging the p4d entry is the pgd entry. */
	vmv_trace_add(tr, PTRS_PER_P4D > 1 ? VMVIEW_LEVEL_P4D : VMVIEW_LEVEL_PGD,
		      PTRS_PER_P4D > 1 ? p4d_index(addr) : pgd_index(addr),
		      p4d_val(p4d));
	if (p4d_none(p4d))
		return;
	if (p4d_bad(p4d))
		goto bad;

	pudp = pud_offset(&p4d, addr);
	pud = READ_ONCE(*pudp);
	if (vmv_trace_huge(tr, vma, pudp, VMVIEW_LEVEL_PUD, pud_index(addr),
			   pud_val(pud), addr & PUD_MASK))
		return;
	if (pud_bad(pud))
		goto bad;

	pmdp = pmd_offset(&pud, addr);
	pmd = READ_ONCE(*pmdp);
	if (vmv_trace_huge(tr, vma, pmdp, VMVIEW_LEVEL_PMD, pmd_index(addr),
			   pmd_val(pmd), addr & PMD_MASK))
		return;
	if (pmd_bad(pmd))
		goto bad;

	rcu_read_lock();
	ptep = pte_offset_kernel(&pmd, addr);
	pte = ptep_get(ptep);
	vmv_trace_add(tr, VMVIEW_LEVEL_PTE, pte_index(addr), pte_val(pte));
	tr->leaf_addr = addr & PAGE_MASK;
	vmv_page_info(ptep, false, vma, VMVIEW_LEVEL_PTE, pte_val(pte),
		      &tr->leaf, &tr->pi);
	rcu_read_unlock();
	return;
bad:
	tr->bad = true;
}

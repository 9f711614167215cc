/* SPDX-License-Identifier: GPL-2.0 */
/*
 * walk: vmview's own pgd -> p4d -> pud -> pmd -> pte walker.
 *
 * The kernel's walk_page_range() is not exported to modules, so vmview
 * walks the tables itself, in the shape of mm/pagewalk.c: one ops table
 * with a callback per kind of entry, the walk state in struct vmv_walk
 * with a private pointer, and one return rule for every callback:
 *
 *   0         go on
 *   positive  stop; vmv_walk() returns that value and ->next says where
 *             to resume
 *   negative  an error; vmv_walk() returns it
 *
 * Locking: the caller holds a reference on the mm (mmget) and its mmap
 * lock for reading (mmap_assert_locked() checks it).  Only VMA ranges
 * are walked: with the mmap lock held no VMA can be unmapped, so the
 * pgd, p4d, pud and pmd tables under a VMA cannot be freed (munmap frees
 * tables only after taking the VMAs out of the tree).  Entries are read
 * once each, locklessly (READ_ONCE), and may change under us; a walker
 * never writes.  A PTE table is read as __pte_offset_map_lock() does on
 * 6.5+ (and pagemap with it): inside rcu_read_lock(), from a pmd snapshot
 * that is present and not huge, holding the table's own lock, after
 * checking that the pmd still points to the table.  RCU is what keeps
 * the table itself alive on 6.12 (khugepaged frees a PTE table with only
 * the pmd lock held, after a grace period: pte_free_defer()); the lock
 * keeps its entries, and the pages they map, still while ->leaf looks at
 * them.  So ->leaf for a pte runs under a spinlock and must not sleep;
 * ->pmd_done runs outside, between PMD ranges, where the walker also
 * calls cond_resched() and gives up with -EINTR on a fatal signal.
 * Huge pmd and pud leaves are read locklessly; their struct page is read
 * under a speculative folio reference.
 */
#ifndef _VMV_WALK_H
#define _VMV_WALK_H

#include <linux/mm.h>

#include "compat.h"
#include "decode.h"
#include "fmt.h"

struct vmv_walk;

struct vmv_walk_ops {
	/*
	 * @entry at @level points to the next level's table (for pgd
	 * only with 5-level paging: with 4 levels the p4d is folded).
	 */
	int (*table)(struct vmv_walk *w, unsigned long addr,
		     enum vmv_level level, u64 entry);
	/*
	 * A whole range [@addr, @end) of one PTE table at once, instead of
	 * ->leaf for each of its entries: @ptep is the entry for @addr.
	 * Called with the table's lock held: must not sleep.  A positive
	 * return stops the walk, *@resume saying where to go on.
	 */
	int (*pte_table)(struct vmv_walk *w, pte_t *ptep, unsigned long addr,
			 unsigned long end, unsigned long *resume);
	/* A non-empty leaf at @level (pte, pmd or pud), decoded in @d. */
	int (*leaf)(struct vmv_walk *w, unsigned long addr,
		    enum vmv_level level, u64 entry,
		    const struct vmv_decoded *d);
	/* The range up to @next is done (a PMD range or a VMA's end). */
	int (*pmd_done)(struct vmv_walk *w, unsigned long next);
	/* A VMA is about to be walked. */
	int (*vma)(struct vmv_walk *w, struct vm_area_struct *vma);
};

struct vmv_walk {
	const struct vmv_walk_ops *ops;
	struct mm_struct *mm;
	struct vm_area_struct *vma;	/* the VMA being walked */
	void *private;
	unsigned long next;		/* where to resume after a stop */
	/* private to walk.c */
	void *entryp;			/* the live entry of the current leaf */
	bool ptl_held;			/* its PTE table's lock is held */
};

/* The decoding layout of the running kernel (filled at module load). */
extern struct vmv_layout vmv_layout;
int vmv_layout_init(void);

int vmv_walk(struct vmv_walk *w, unsigned long start, unsigned long end);

/* The first address of [addr, end) with a non-empty pmd entry, or end. */
unsigned long vmv_walk_next_pmd(struct mm_struct *mm, unsigned long addr,
				unsigned long end);

/*
 * What the struct page behind a present leaf says, read under a
 * speculative folio reference that is dropped again (the entry is
 * re-read after the reference is taken; if it changed, nothing is
 * reported).  Call only from ->leaf.
 */
void vmv_walk_page_info(struct vmv_walk *w, enum vmv_level level, u64 entry,
			const struct vmv_decoded *d,
			struct vmv_page_info *pi);

/* The same for a pte entry, from ->pte_table. */
void vmv_walk_pte_info(struct vmv_walk *w, pte_t *ptep, u64 entry,
		       const struct vmv_decoded *d, struct vmv_page_info *pi);

/*
 * The folio's flags from one read of its flags word (as kpageflags
 * does).  Inline, with vmv_folio_info() and vmv_pte_info_fast(): under
 * TCG every call and return costs a lookup of the translated code, and
 * this runs for every leaf of a dump.
 */
#define VMV_PG(fl, pg, vmv)	((((fl) >> (pg)) & 1UL) << (vmv))

static __always_inline u32 vmv_folio_flags(struct folio *folio)
{
	unsigned long fl = READ_ONCE(folio->flags);

	return VMV_PG(fl, PG_lru, VMV_P_LRU) |
	       VMV_PG(fl, PG_active, VMV_P_ACTIVE) |
	       VMV_PG(fl, PG_referenced, VMV_P_REFERENCED) |
	       VMV_PG(fl, PG_unevictable, VMV_P_UNEVICTABLE) |
	       VMV_PG(fl, PG_mlocked, VMV_P_MLOCKED) |
	       /* PG_swapcache means it only with PG_swapbacked. */
	       (VMV_PG(fl, PG_swapcache, VMV_P_SWAPCACHE) &
		(VMV_PG(fl, PG_swapbacked, VMV_P_SWAPCACHE))) |
	       VMV_PG(fl, PG_swapbacked, VMV_P_SWAPBACKED) |
	       VMV_PG(fl, PG_dirty, VMV_P_DIRTY) |
	       VMV_PG(fl, PG_writeback, VMV_P_WRITEBACK) |
	       VMV_PG(fl, PG_head, VMV_P_LARGE);
}

/* A folio that stays mapped while we look (entry locked or referenced). */
static __always_inline void vmv_folio_info(struct folio *folio,
					   struct page *page,
					   struct vm_area_struct *vma,
					   enum vmv_level level,
					   struct vmv_page_info *pi)
{
	pi->valid = true;
	pi->flags = vmv_folio_flags(folio);
	if (folio_test_anon(folio)) {
		pi->flags |= VMV_FLAG(VMV_P_ANON);
		if (folio_test_ksm(folio))
			pi->flags |= VMV_FLAG(VMV_P_KSM);
	} else if (level == VMV_LEVEL_PMD && vma_is_anonymous(vma)) {
		/* Not anon in an anonymous VMA: the huge zero page. */
		pi->flags |= VMV_FLAG(VMV_P_ZERO);
	} else if (folio->mapping) {
		pi->flags |= VMV_FLAG(VMV_P_FILE);
	}
	pi->order = folio_order(folio);
	pi->mapcount = vmv_page_mapcount(folio, page);
}

/*
 * The bits that keep a present PTE from mapping a normal page of its VMA:
 * special (the zero page, PFN maps) and devmap (vm_normal_page()'s rule;
 * the devmap bit is kernel-dependent).
 */
static __always_inline u64 vmv_pte_not_normal_bits(void)
{
	return _PAGE_SPECIAL | vmv_layout.devmap_mask;
}

/*
 * vmv_walk_pte_info() for the common case, from ->pte_table (the table's
 * lock held): a present PTE that is neither special nor devmap, in a VMA
 * that is neither VM_PFNMAP nor VM_MIXEDMAP, maps a normal page
 * (vm_normal_page()'s rule), unless it is the zero page.  False: not that
 * case, ask vmv_walk_pte_info().
 */
static __always_inline bool vmv_pte_info_fast(struct vm_area_struct *vma,
					      u64 entry,
					      struct vmv_page_info *pi)
{
	unsigned long pfn = VMV_PTE_PFN(entry);
	struct page *page;

	if ((entry & (_PAGE_PRESENT | vmv_pte_not_normal_bits())) !=
	    _PAGE_PRESENT ||
	    (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) || is_zero_pfn(pfn))
		return false;
	page = pfn_to_page(pfn);
	vmv_folio_info(page_folio(page), page, vma, VMV_LEVEL_PTE, pi);
	return true;
}

/* The path of one address through the tables, for PID/translate. */
struct vmv_trace {
	int nr;				/* levels visited */
	enum vmv_level level[VMV_NR_LEVELS];
	unsigned int index[VMV_NR_LEVELS];
	u64 entry[VMV_NR_LEVELS];
	struct vmv_decoded leaf;	/* the last entry, decoded */
	unsigned long leaf_addr;	/* first address the leaf maps */
	bool bad;			/* the last entry was a corrupt table */
	struct vmv_page_info pi;
};

void vmv_walk_trace(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long addr, struct vmv_trace *tr);

#endif /* _VMV_WALK_H */

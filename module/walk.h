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
 * Levels: the walk goes through every stage, pgd -> p4d -> pud -> pmd ->
 * pte, on every kernel, as the kernel's own walkers do.  A level with a
 * single entry (PTRS_PER_P4D, _PUD or _PMD is 1) is folded into the level
 * above: its entry is that level's entry itself (include/asm-generic/
 * pgtable-nop4d.h, -nopud.h, -nopmd.h).  Each entry is read, decoded and
 * reported once, at the lowest stage of its group, under the name of the
 * highest: Linux's name for it (vmv_real_level()).  So with 4-level
 * x86-64 the p4d stage reads pgd entries; with i386 PAE (3 levels) the
 * pud stage reads the 4 pgd entries; without PAE (2 levels) the pmd stage
 * reads the pgd entries, and a 4 MiB leaf there is a pgd leaf.
 *
 * Locking: the caller holds a reference on the mm (mmget) and its mmap
 * lock for reading (mmap_assert_locked() checks it).  Only VMA ranges
 * are walked: with the mmap lock held no VMA can be unmapped, so the
 * pgd, p4d, pud and pmd tables under a VMA cannot be freed (munmap frees
 * tables only after taking the VMAs out of the tree).  Entries are read
 * once each, locklessly, and may change under us; a walker never
 * writes.  A 64-bit entry that is two words (PAE) is read as the
 * kernel's lockless readers read it, until both halves agree
 * (vmv_pmdp_get_lockless(), vmv_ptep_get_lockless()).  A PTE table is
 * read as __pte_offset_map_lock() does on 6.5+ (and pagemap with it):
 * inside rcu_read_lock(), from a pmd snapshot that is present and not
 * huge, holding the table's own lock, after checking that the pmd still
 * points to the table, and mapped while it is read (vmv_pte_map(): with
 * CONFIG_HIGHPTE a PTE table may be in high memory; the mapping is
 * atomic, kmap_atomic() or kmap_local_page()) and unmapped before the
 * lock is dropped.  RCU is what keeps the table itself alive on 6.12
 * (khugepaged frees a PTE table with only the pmd lock held, after a
 * grace period: pte_free_defer()); the lock keeps its entries, and the
 * pages they map, still while ->leaf looks at them.  So ->pte_table runs
 * under a spinlock, with the table mapped, and must not sleep; between
 * PMD ranges, outside, the walker calls cond_resched() and gives up with
 * -EINTR on a fatal signal.  Huge pmd and pud leaves are read
 * locklessly; their struct page is read under a speculative folio
 * reference.
 */
#ifndef _VMV_WALK_H
#define _VMV_WALK_H

#include <linux/mm.h>

#include "compat.h"
#include "decode.h"
#include "fmt.h"
#include "pageflags.h"

struct vmv_walk;

struct vmv_walk_ops {
	/*
	 * @entry at @level (its Linux name) points to a table of the next
	 * level that is not folded, vmv_child_level(@level).
	 */
	int (*table)(struct vmv_walk *w, unsigned long addr,
		     enum vmview_level level, u64 entry);
	/*
	 * A range [@addr, @end) of one PTE table: @ptep is the entry for
	 * @addr, in the table's mapping (valid only during the call).
	 * Called with the table's lock held: must not sleep.  Its
	 * entries are visited with vmv_walk_ptes(), the one PTE loop.  A
	 * positive return stops the walk, *@resume saying where to go on.
	 * Without it PTE tables are not read.
	 */
	int (*pte_table)(struct vmv_walk *w, pte_t *ptep, unsigned long addr,
			 unsigned long end, unsigned long *resume);
	/*
	 * A non-empty huge leaf at @level (pmd or pud; pgd without PAE),
	 * decoded in @d.
	 */
	int (*leaf)(struct vmv_walk *w, unsigned long addr,
		    enum vmview_level level, u64 entry,
		    const struct vmv_decoded *d);
};

struct vmv_walk {
	const struct vmv_walk_ops *ops;
	struct mm_struct *mm;
	struct vm_area_struct *vma;	/* the VMA being walked */
	void *private;
	unsigned long next;		/* where to resume after a stop */
	/* private to walk.c */
	void *entryp;			/* the live entry of the current leaf */
	enum vmview_level entry_stage;	/* the stage that read it */
	bool ptl_held;			/* its PTE table's lock is held */
};

/*
 * The decoding layout of the running kernel, filled at load by the
 * architecture's probe (arch/ARCH/layout.c).  vmv_layout_init() returns
 * -EOPNOTSUPP, the reasons in dmesg, on a kernel whose paging or entries
 * vmview does not know; nothing else may run then.
 */
extern struct vmv_layout vmv_layout;
int vmv_layout_init(void);

/*
 * The name of the entry format vmv_layout_init() found, one of those
 * its arch/ARCH/vmv_arch.h writes down: "x86-64", "i386-pae",
 * "i386-2level", "arm64-6.1", "arm64-6.12-4k", "arm64-6.12-4k-lpa2",
 * "arm64-6.12-16k", "arm64-6.12-16k-lpa2" (/proc/vmview shows it, so
 * that vmview-cli decodes with the same format).
 */
extern const char *vmv_entry_format;

/*
 * For the probes (layout.c): a fact the module relies on (false: say
 * so, refusing to load), and decoding checks of entries the kernel made;
 * each returns 0 or -EOPNOTSUPP with the entry in dmesg.
 */
void vmv_layout_start(struct vmv_layout *l);
bool vmv_fact(bool holds, const char *fact);
int vmv_check_at(const char *what, u64 entry, enum vmview_level level,
		 enum vmview_kind kind, u64 pfn, u32 mask, u32 flags, int type,
		 u64 offset);
int vmv_layout_check(const char *what, u64 entry, enum vmview_kind kind,
		     u64 pfn, u32 flags, int type, u64 offset);
int vmv_check_present_pte(const char *what, pte_t pte, u32 mask, u32 want);
int vmv_check_swap(const char *what, unsigned int type, unsigned long offset);
int vmv_check_swap_entries(void);

/* Page-table levels in use: a folded level has a single entry. */
static inline int vmv_levels(void);

/*
 * The kernel's geometry of @level, the one place vmview reads it: the
 * entries of a table (1 when the level is folded) and the shift of the
 * address range one entry maps.  A switch, not a table: with 5-level
 * paging some of these are variables set at boot.
 */
struct vmv_level_geom {
	unsigned long ptrs;
	unsigned int shift;
};

static inline struct vmv_level_geom vmv_level_geom(enum vmview_level level)
{
	switch (level) {
	case VMVIEW_LEVEL_PTE:
		return (struct vmv_level_geom){ PTRS_PER_PTE, PAGE_SHIFT };
	case VMVIEW_LEVEL_PMD:
		return (struct vmv_level_geom){ PTRS_PER_PMD, PMD_SHIFT };
	case VMVIEW_LEVEL_PUD:
		return (struct vmv_level_geom){
			vmv_boot_folded(level) ? 1 : PTRS_PER_PUD, PUD_SHIFT };
	case VMVIEW_LEVEL_P4D:
		return (struct vmv_level_geom){
			vmv_boot_folded(level) ? 1 : PTRS_PER_P4D, P4D_SHIFT };
	default:
		/* Folded at boot, the level below is the top table. */
		if (vmv_boot_folded(VMVIEW_LEVEL_PUD))
			return (struct vmv_level_geom){ PTRS_PER_PUD,
							PUD_SHIFT };
		if (vmv_boot_folded(VMVIEW_LEVEL_P4D))
			return (struct vmv_level_geom){ PTRS_PER_P4D,
							P4D_SHIFT };
		return (struct vmv_level_geom){ PTRS_PER_PGD, PGDIR_SHIFT };
	}
}

static inline unsigned long vmv_level_ptrs(enum vmview_level level)
{
	return vmv_level_geom(level).ptrs;
}

static inline unsigned int vmv_level_shift(enum vmview_level level)
{
	return vmv_level_geom(level).shift;
}

/* Is @level folded into the level above (one entry a table)? */
static inline bool vmv_level_folded(enum vmview_level level)
{
	/* pgd and pte never are */
	return level != VMVIEW_LEVEL_PTE && level != VMVIEW_LEVEL_PGD &&
	       vmv_level_ptrs(level) == 1;
}

static inline int vmv_levels(void)
{
	return 2 + !vmv_level_folded(VMVIEW_LEVEL_PMD) +
	       !vmv_level_folded(VMVIEW_LEVEL_PUD) +
	       !vmv_level_folded(VMVIEW_LEVEL_P4D);
}

/* The Linux name of the entry read at stage @stage (see the top). */
static inline enum vmview_level vmv_real_level(enum vmview_level stage)
{
	while (stage < VMVIEW_LEVEL_PGD && vmv_level_folded(stage))
		stage++;
	return stage;
}

/*
 * Does stage @stage read an entry of its own, the lowest stage of its
 * group?  Not when the level below is folded into it: that stage reads
 * the same entry.
 */
static inline bool vmv_stage_real(enum vmview_level stage)
{
	return stage == VMVIEW_LEVEL_PTE || !vmv_level_folded(stage - 1);
}

/* The level of the tables an entry at (real) @level points to. */
static inline enum vmview_level vmv_child_level(enum vmview_level level)
{
	do {
		level--;
	} while (level > VMVIEW_LEVEL_PTE && vmv_level_folded(level));
	return level;
}

/*
 * The level of the pmd stage's entries, where THPs are mapped: pmd, or
 * pgd without PAE (4 MiB leaves).
 */
static inline enum vmview_level vmv_pmd_level(void)
{
	return vmv_real_level(VMVIEW_LEVEL_PMD);
}

/* The index of @addr in a table of (real) @level, as pgd_index() & co. */
static inline unsigned int vmv_level_index(enum vmview_level level,
					   unsigned long addr)
{
	return (addr >> vmv_level_shift(level)) & (vmv_level_ptrs(level) - 1);
}

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
void vmv_walk_page_info(struct vmv_walk *w, enum vmview_level level, u64 entry,
			const struct vmv_decoded *d,
			struct vmv_page_info *pi);

/* The same for a pte entry, from ->pte_table. */
void vmv_walk_pte_info(struct vmv_walk *w, pte_t *ptep, u64 entry,
		       const struct vmv_decoded *d, struct vmv_page_info *pi);

/*
 * The folio's flags from one read of its flags word (as kpageflags
 * does), with two table loads (pageflags.h): the word's bits below
 * PG_swapcache index one table, its bits PG_swapcache to PG_mlocked the
 * other (walk.c checks at build time that every flag read is in one of
 * them, and made them at load: vmv_folio_flags_init()).  Inline, with
 * vmv_folio_info() and vmv_pte_info_fast(): under TCG every call and
 * return costs a lookup of the translated code, and this runs for every
 * leaf of a dump.
 */
#define VMV_PG_SPLIT		PG_swapcache
#define VMV_PG_HIGH_BITS	(PG_mlocked - PG_swapcache + 1)
struct vmv_pg_tables {
	u16 low[1 << VMV_PG_SPLIT];
	u16 high[1 << VMV_PG_HIGH_BITS];
};

extern struct vmv_pg_tables vmv_pg_tables;
void vmv_folio_flags_init(void);

static __always_inline u32 vmv_folio_flags(unsigned long fl)
{
	return vmv_pg_flags_lookup(vmv_pg_tables.low, VMV_PG_SPLIT,
				   vmv_pg_tables.high, VMV_PG_HIGH_BITS, fl);
}

/*
 * A folio that stays mapped while we look (entry locked or referenced).
 * Whether it is large (PG_head) comes from the same read of its flags
 * word as the flags, not from another (folio_test_large()).
 *
 * Locking: the folio cannot be freed or split under us (its mapping
 * entry is locked, or we hold a reference), but its flags are not ours:
 * reclaim, the LRU code and MGLRU's aging change them under the lruvec
 * lock or with atomic bit operations, which we do not take.  So the
 * flags word is read once (READ_ONCE, as kpageflags and folio_lru_gen()
 * read it) and every page flag and the MGLRU generation come from that
 * one read: a consistent snapshot of one moment, possibly stale the next.
 * That is all a report needs; no decision is taken on it.
 */
static __always_inline void vmv_folio_info(struct vmv_folio *folio,
					   struct page *page,
					   struct vm_area_struct *vma,
					   enum vmview_level level,
					   struct vmv_page_info *pi)
{
	unsigned long fl = vmv_folio_flags_word(folio);
	bool large = fl & BIT(PG_head);

	pi->valid = true;
	pi->flags = vmv_folio_flags(fl);
	pi->lru_gen = vmv_flags_lru_gen(fl);
	if (vmv_folio_test_anon(folio)) {
		pi->flags |= VMV_FLAG(VMVIEW_P_ANON);
		if (vmv_folio_test_ksm(folio))
			pi->flags |= VMV_FLAG(VMVIEW_P_KSM);
	} else if (level == vmv_pmd_level() && vma_is_anonymous(vma)) {
		/* Not anon in an anonymous VMA: the huge zero page. */
		pi->flags |= VMV_FLAG(VMVIEW_P_ZERO);
	} else if (folio->mapping) {
		pi->flags |= VMV_FLAG(VMVIEW_P_FILE);
	}
	pi->order = large ? vmv_folio_order(folio) : 0;
	pi->mapcount = vmv_page_mapcount(folio, page, large);
}

/*
 * vmv_walk_pte_info() for the common case, from ->pte_table (the table's
 * lock held, the table mapped): a present PTE that is neither special
 * nor devmap, in a VMA that is neither VM_PFNMAP nor VM_MIXEDMAP, maps a
 * normal page (vm_normal_page()'s rule).  Not the zero page: with
 * pte_special() the kernel maps it special only, as vm_normal_page()
 * relies on (it asks is_zero_pfn() of special entries alone).
 * @f: the layout's part the inline helpers read (vmv_pte_fast()), in
 * the caller's locals; for a VM_PFNMAP or VM_MIXEDMAP VMA the caller
 * sets its normal_mask to 0, which no entry matches.  False: not that
 * case, ask vmv_walk_pte_info().
 */
static_assert(IS_ENABLED(CONFIG_ARCH_HAS_PTE_SPECIAL),
	      "vmview: no pte_special(): the zero page may be mapped as a normal page");

static __always_inline bool vmv_pte_info_fast(const struct vmv_pte_fast *f,
					      u64 entry,
					      struct vmv_page_info *pi)
{
	struct page *page;

	if (!vmv_fast_pte_normal(f, entry))
		return false;
	page = pfn_to_page(vmv_fast_pte_pfn(f, entry));
	vmv_folio_info(vmv_page_folio(page), page, NULL, VMVIEW_LEVEL_PTE, pi);
	return true;
}

/* Empty entries the PTE loop tests at a time, past an empty one. */
#define VMV_PTE_SKIP	8

/*
 * Are the VMV_PTE_SKIP entries from @p all zero, so all none?  Plain
 * loads of the raw values, unrolled, that the compiler may pair (not
 * pte_val(): a paravirt call on x86, as pte_none() knows): a zero entry
 * is none on every architecture, and the loop reads an entry that is not
 * zero again with ptep_get().
 */
static __always_inline bool vmv_ptes_zero(const pte_t *p)
{
	return !(p[0].pte | p[1].pte | p[2].pte | p[3].pte | p[4].pte |
		 p[5].pte | p[6].pte | p[7].pte);
}

/**
 * vmv_walk_ptes - the one PTE loop, for a ->pte_table op
 * @w: the walk
 * @ptep: the entry for @addr
 * @addr: the first address of the range
 * @end: its end, in the same PTE table
 * @resume: where the walk goes on if @fn stops it
 * @fn: called for each non-empty entry with @arg, its address and its
 *	value; non-zero stops the loop (and the walk, if positive)
 * @arg: the caller's, for @fn: state of this table that the compiler
 *	may keep in registers when it is a local of the caller's
 *
 * Always inline, and @fn a function the compiler sees at each use: the
 * loop and @fn become one, with no call per entry.  A mostly empty table
 * (a sparse mapping) costs a test per VMV_PTE_SKIP empty entries.  Runs
 * under the PTE table's lock, with the table mapped, as ->pte_table does.
 */
static __always_inline int vmv_walk_ptes(struct vmv_walk *w, pte_t *ptep,
					 unsigned long addr, unsigned long end,
					 unsigned long *resume,
					 int (*fn)(struct vmv_walk *w,
						   void *arg, pte_t *ptep,
						   unsigned long addr,
						   u64 entry),
					 void *arg)
{
	int ret;

	for (; addr != end; ptep++, addr += PAGE_SIZE) {
		pte_t pte = ptep_get(ptep);

		if (pte_none(pte)) {
			/* Past an empty entry, skip whole runs of them. */
			while (end - addr > VMV_PTE_SKIP * PAGE_SIZE &&
			       vmv_ptes_zero(ptep + 1)) {
				ptep += VMV_PTE_SKIP;
				addr += VMV_PTE_SKIP * PAGE_SIZE;
			}
			continue;
		}
		ret = fn(w, arg, ptep, addr, pte_val(pte));
		if (ret) {
			*resume = addr;
			return ret;
		}
	}
	return 0;
}

/*
 * The path of one address through the tables, for PID/translate: one
 * entry a level that is not folded, named as Linux names it.
 */
struct vmv_trace {
	int nr;				/* levels visited */
	enum vmview_level level[VMVIEW_NR_LEVELS];
	unsigned int index[VMVIEW_NR_LEVELS];
	u64 entry[VMVIEW_NR_LEVELS];
	struct vmv_decoded leaf;	/* the last entry, decoded */
	unsigned long leaf_addr;	/* first address the leaf maps */
	bool bad;			/* the last entry was a corrupt table */
	struct vmv_page_info pi;
};

void vmv_walk_trace(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long addr, struct vmv_trace *tr);

#endif /* _VMV_WALK_H */

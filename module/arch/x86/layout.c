// SPDX-License-Identifier: GPL-2.0
/*
 * layout: the x86 layout probe, run at load before anything else.
 *
 * First the platform: module/Kbuild already refuses to build for a kernel
 * that no guest of guests.table tests, but a module built past that
 * refusal (VMVIEW_UNTESTED=1, for porting) must still never read a page
 * table it does not understand.  Each fact in vmv_platform_check() is one
 * the walker, the shadow table or the decoder assumes; a kernel where one
 * does not hold is refused with that fact named in dmesg and -EOPNOTSUPP,
 * before a file exists.
 *
 * Then the entries: vmv_layout_init() fills struct vmv_layout from this
 * kernel's constants and checks the decoder (decode.c, vmv_arch.h)
 * against entries made by the kernel's own helpers (pfn_pte(),
 * swp_entry_to_pte(), migration entries), so that a kernel whose layout
 * vmview does not know refuses to load the same way.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/utsname.h>

#include "vmview.h"
#include "walk.h"

/*
 * The x86 paging modes vmview knows, each one a shape of tables the
 * walker, the shadow table and the decoder handle: the paging levels,
 * the entries a table holds at each level (1: folded into the level
 * above) and the width of an entry.
 */
static const struct vmv_paging {
	bool x86_64;		/* else i386 */
	bool pae;
	int levels;
	unsigned int pgd, p4d, pud, pmd, pte;
	unsigned int entry_bytes;
} vmv_pagings[] = {
	{ true, false, 5, 512, 512, 512, 512, 512, 8 },
	{ true, false, 4, 512, 1, 512, 512, 512, 8 },
	{ false, true, 3, 4, 1, 1, 512, 512, 8 },	/* PAE */
	{ false, false, 2, 1024, 1, 1, 1, 1024, 4 },
};

static bool vmv_paging_known(int levels)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmv_pagings); i++) {
		const struct vmv_paging *p = &vmv_pagings[i];

		if (p->x86_64 == IS_ENABLED(CONFIG_X86_64) &&
		    p->pae == IS_ENABLED(CONFIG_X86_PAE) &&
		    p->levels == levels && p->pgd == PTRS_PER_PGD &&
		    p->p4d == PTRS_PER_P4D && p->pud == PTRS_PER_PUD &&
		    p->pmd == PTRS_PER_PMD && p->pte == PTRS_PER_PTE &&
		    p->entry_bytes == sizeof(pte_t) &&
		    p->entry_bytes == sizeof(pmd_t))
			return true;
	}
	return false;
}

static int vmv_platform_check(void)
{
	int levels = vmv_levels();
	bool ok = true;

	ok &= vmv_fact(IS_ENABLED(CONFIG_X86_64) || IS_ENABLED(CONFIG_X86_32),
		       "the walker and the decoder know x86 paging only");
	ok &= vmv_fact(PAGE_SIZE == SZ_4K,
		       "the base page is not 4 KiB");
	ok &= vmv_fact(vmv_paging_known(levels),
		       "the page tables are none of x86-64's 4 and 5 levels of 512 64-bit entries, i386 PAE's 3 levels (4, 512, 512 64-bit entries) or i386's 2 levels (1024, 1024 32-bit entries)");
	/*
	 * Every PTE table is mapped before it is read (vmv_pte_map()), so
	 * CONFIG_HIGHPTE is fine; the upper tables are never in high
	 * memory (only PTE tables are allocated with __GFP_HIGHMEM).
	 */
	if (ok)
		return 0;
	pr_err("this kernel (%s, %s, %d-level paging) is not one vmview is tested on: see Documentation/vmview.rst, Supported kernels\n",
	       utsname()->machine, utsname()->release, levels);
	return -EOPNOTSUPP;
}

/*
 * The software bits that moved between kernels: devmap (x86-64 only,
 * gone in 6.17 with every devmap entry: a kernel without it has none to
 * report; i386 defines the bit but never sets it) and the saved-dirty bit
 * (6.6+; before, a write-protected page keeps its dirty bit in place).
 */
#if defined(_PAGE_DEVMAP) && defined(CONFIG_ARCH_HAS_PTE_DEVMAP)
#define VMV_PAGE_DEVMAP		_PAGE_DEVMAP
#else
#define VMV_PAGE_DEVMAP		0
#endif
#ifdef _PAGE_SAVED_DIRTY
#define VMV_PAGE_SAVED_DIRTY	_PAGE_SAVED_DIRTY
#else
#define VMV_PAGE_SAVED_DIRTY	0
#endif
/*
 * The bits of a swap entry: exclusive (x86-64 on 5.19+, i386 on 6.5+,
 * where it is bit 7), uffd-wp (x86-64 only; _PAGE_SWP_UFFD since 7.x)
 * and soft-dirty (x86-64 only: the 0 of !CONFIG_MEM_SOFT_DIRTY on i386).
 */
#ifdef _PAGE_SWP_EXCLUSIVE
#define VMV_PAGE_SWP_EXCLUSIVE	_PAGE_SWP_EXCLUSIVE
#else
#define VMV_PAGE_SWP_EXCLUSIVE	0
#endif
#if defined(_PAGE_SWP_UFFD_WP)
#define VMV_PAGE_SWP_UFFD_WP	_PAGE_SWP_UFFD_WP
#elif defined(_PAGE_SWP_UFFD)
#define VMV_PAGE_SWP_UFFD_WP	_PAGE_SWP_UFFD
#else
#define VMV_PAGE_SWP_UFFD_WP	0
#endif

/*
 * For the load-time check of the decoder: make @pte a devmap PTE where
 * the kernel has them.  False, @pte untouched, on a kernel without: it
 * has no such entries for the decoder to meet.
 */
static inline bool vmv_pte_mkdevmap(pte_t *pte)
{
#if defined(_PAGE_DEVMAP) && defined(CONFIG_ARCH_HAS_PTE_DEVMAP)
	*pte = pte_mkdevmap(*pte);
	return true;
#else
	return false;
#endif
}

/*
 * Where a swap entry keeps its type and offset (pgtable_64.h,
 * pgtable-3level.h, pgtable-2level.h), as far as swp_offset() can give
 * it back: the generic swp_entry_t keeps SWP_TYPE_SHIFT bits of offset,
 * and PAE's 32-bit arch swp_entry_t (the type below the offset) fewer
 * than its 64-bit entries hold.
 */
static void vmv_swap_layout(struct vmv_layout *l)
{
	unsigned int bits;

#ifdef SWP_OFFSET_FIRST_BIT	/* x86-64, PAE: type on top, ~offset */
	l->swp_type_shift = 64 - SWP_TYPE_BITS;
	l->swp_offset_shift = SWP_OFFSET_FIRST_BIT;
	l->swp_inverted = true;
	bits = min(64 - SWP_OFFSET_SHIFT, BITS_PER_LONG - SWP_TYPE_BITS);
#else				/* 2-level: type above present, offset */
	l->swp_type_shift = _PAGE_BIT_PRESENT + 1;
	l->swp_offset_shift = SWP_OFFSET_SHIFT;
	l->swp_inverted = false;
	bits = BITS_PER_LONG - SWP_OFFSET_SHIFT;
#endif
	l->swp_type_bits = SWP_TYPE_BITS;
	l->swp_offset_bits = min_t(unsigned int, bits, SWP_TYPE_SHIFT);
	l->swp_soft_dirty_mask = _PAGE_SWP_SOFT_DIRTY;
	l->swp_uffd_wp_mask = VMV_PAGE_SWP_UFFD_WP;
	l->swp_exclusive_mask = VMV_PAGE_SWP_EXCLUSIVE;
}

/*
 * A present PTE the kernel made: read as the kernel reads its frame, its
 * writability and NX (pte_exec()), by the decoder and the fast path.
 */
static int vmv_check_present(const char *what, pte_t pte)
{
	const u32 nx = VMV_FLAG(VMVIEW_F_NX), rw = VMV_FLAG(VMVIEW_F_RW);

	return vmv_check_present_pte(what, pte, nx | rw,
				     (pte_exec(pte) ? 0 : nx) |
				     (pte_write(pte) ? rw : 0));
}

/*
 * Huge leaves and tables at the pmd stage (a pgd entry without PAE),
 * made as the kernel makes them: pfn_pmd() + pmd_mkhuge() (and its
 * PFN inverted when not present), a table as pmd_populate() writes it.
 */
static int vmv_check_pmd(void)
{
	enum vmview_level level = vmv_pmd_level();
	unsigned long pfn = 0x123UL << (PMD_SHIFT - PAGE_SHIFT);
	u32 pse = VMV_FLAG(VMVIEW_F_PSE);
	pmd_t pmd;
	int ret;

	pmd = pmd_mkhuge(pfn_pmd(pfn, PAGE_SHARED));
	ret = vmv_check_at("huge", pmd_val(pmd), level, VMVIEW_KIND_PRESENT,
			   pmd_pfn(pmd), pse, pse, -1, 0);
	pmd = pmd_mkhuge(pfn_pmd(pfn, PAGE_NONE));
	ret = ret ?: vmv_check_at("huge protnone", pmd_val(pmd), level,
				  VMVIEW_KIND_PROTNONE, pmd_pfn(pmd), pse, pse,
				  -1, 0);
	pmd = __pmd(((pmdval_t)0x4321 << PAGE_SHIFT) | _PAGE_TABLE);
	ret = ret ?: vmv_check_at("table", pmd_val(pmd), level,
				  VMVIEW_KIND_TABLE, 0x4321, 0, 0, -1, 0);
	return ret;
}

/*
 * The entry format filled from the kernel's constants must be the one
 * vmv_arch.h writes down for this paging mode (what vmview-cli and the
 * host tests use); the swap flags may be fewer (older kernels).
 */
static int vmv_check_format(const struct vmv_layout *l)
{
	static const struct vmv_layout x86_64 = { VMV_X86_64_ENTRIES };
	static const struct vmv_layout pae = { VMV_X86_PAE_ENTRIES };
	static const struct vmv_layout two = { VMV_X86_2LEVEL_ENTRIES };
	const struct vmv_layout *w = IS_ENABLED(CONFIG_X86_64) ? &x86_64 :
				     IS_ENABLED(CONFIG_X86_PAE) ? &pae : &two;
	u64 swp = l->swp_soft_dirty_mask | l->swp_uffd_wp_mask |
		  l->swp_exclusive_mask;

	vmv_entry_format = IS_ENABLED(CONFIG_X86_64) ? "x86-64" :
			   IS_ENABLED(CONFIG_X86_PAE) ? "i386-pae" :
			   "i386-2level";

	if (l->pfn_mask == w->pfn_mask && l->nx_mask == w->nx_mask &&
	    l->none_mask == w->none_mask &&
	    !memcmp(l->leaf_shift, w->leaf_shift, sizeof(l->leaf_shift)) &&
	    l->pfn_inverted == w->pfn_inverted &&
	    l->swp_type_shift == w->swp_type_shift &&
	    l->swp_type_bits == w->swp_type_bits &&
	    l->swp_offset_shift == w->swp_offset_shift &&
	    l->swp_offset_bits == w->swp_offset_bits &&
	    l->swp_inverted == w->swp_inverted &&
	    (l->swp_soft_dirty_mask & ~w->swp_soft_dirty_mask) == 0 &&
	    (l->swp_uffd_wp_mask & ~w->swp_uffd_wp_mask) == 0 &&
	    (l->swp_exclusive_mask & ~w->swp_exclusive_mask) == 0 &&
	    !(swp & (vmv_swp_entry(l, 0x1f, ~0ULL) | vmv_swp_entry(l, 0, 0))))
		return 0;
	pr_err("refusing to load: this kernel's entry format is not the one vmview knows for %d-level paging\n",
	       vmv_levels());
	return -EOPNOTSUPP;
}

/*
 * Fill vmv_layout from the running kernel's constants, then check the
 * decoder against entries made by the kernel's own helpers, so that a
 * kernel whose layout vmview does not know refuses to load.
 */
int vmv_layout_init(void)
{
	/* The highest frame an entry holds (that an unsigned long names). */
	unsigned long max_pfn = min_t(u64, PTE_PFN_MASK >> PAGE_SHIFT,
				      ULONG_MAX);
	struct vmv_layout *l = &vmv_layout;
	pte_t pte;
	int ret;

	ret = vmv_platform_check();
	if (ret)
		return ret;
	vmv_layout_start(l);
	l->devmap_mask = VMV_PAGE_DEVMAP;
	l->saved_dirty_mask = VMV_PAGE_SAVED_DIRTY;
	l->pfn_mask = PTE_PFN_MASK;
	l->nx_mask = _PAGE_NX;
	l->none_mask = _PAGE_KNL_ERRATUM_MASK;
	/* Leaves: 4 KiB PTEs, the pmd stage's THPs, 1 GiB puds (x86-64). */
	l->leaf_shift[VMVIEW_LEVEL_PTE] = PAGE_SHIFT;
	l->leaf_shift[vmv_pmd_level()] = PMD_SHIFT;
	if (PTRS_PER_PUD > 1)
		l->leaf_shift[VMVIEW_LEVEL_PUD] = PUD_SHIFT;
	/* pgtable-invert.h: a non-zero entry without PRESENT (not 2-level) */
	l->pfn_inverted = __pte_needs_invert(_PAGE_PROTNONE);
	vmv_swap_layout(l);
	ret = vmv_check_format(l);
	if (ret)
		return ret;

	pte = pfn_pte(0x12345, PAGE_SHARED);
	ret = vmv_check_present("present", pte);
	ret = ret ?: vmv_check_present("highest frame",
				       pfn_pte(max_pfn, PAGE_READONLY));
	ret = ret ?: vmv_check_present("executable",
				       pfn_pte(0x12345, PAGE_READONLY_EXEC));
	/* Write-protected, a dirty page stays dirty (6.6+: saved dirty). */
	pte = pte_wrprotect(pte_mkdirty(pte));
	ret = ret ?: vmv_layout_check("dirty write-protected", pte_val(pte),
				      VMVIEW_KIND_PRESENT, 0x12345,
				      VMV_FLAG(VMVIEW_F_DIRTY), -1, 0);
	pte = pfn_pte(0x12345, PAGE_SHARED);
	if (vmv_pte_mkdevmap(&pte))
		ret = ret ?: vmv_layout_check("devmap", pte_val(pte),
					      VMVIEW_KIND_PRESENT, 0x12345,
					      VMV_FLAG(VMVIEW_F_DEVMAP), -1, 0);
	/* A protnone PFN is stored inverted (L1TF), except without PAE. */
	pte = pfn_pte(0x12345, PAGE_NONE);
	ret = ret ?: vmv_layout_check("protnone", pte_val(pte),
				      VMVIEW_KIND_PROTNONE, 0x12345, 0, -1, 0);
	ret = ret ?: vmv_check_pmd();
	ret = ret ?: vmv_check_swap_entries();
	pte = swp_entry_to_pte(swp_entry(1, 0x1234));
	pte = pte_swp_mksoft_dirty(pte);
	ret = ret ?: vmv_layout_check("soft-dirty swap", pte_val(pte),
				      VMVIEW_KIND_SWAP, VMVIEW_NO_PFN,
				      IS_ENABLED(CONFIG_MEM_SOFT_DIRTY) ?
				      VMV_FLAG(VMVIEW_F_SOFTDIRTY) : 0,
				      1, 0x1234);
	return ret;
}

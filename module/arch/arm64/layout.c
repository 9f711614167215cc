// SPDX-License-Identifier: GPL-2.0
/*
 * layout: the arm64 layout probe, run at load before anything else.
 *
 * As on x86 (arch/x86/layout.c): first the platform, each fact one the
 * walker, the shadow table or the decoder assumes, a kernel where one
 * does not hold refused with that fact named in dmesg and -EOPNOTSUPP;
 * then the descriptors: vmv_layout_init() fills struct vmv_layout from
 * this kernel's constants and this boot's choices (LPA2, the levels in
 * use) and checks the decoder (decode.c, vmv_arch.h) against entries
 * made by the kernel's own helpers.
 */
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
 * This boot's choices and the bits that moved between kernels: LPA2
 * (6.9+; 52-bit output addresses, bits 50..51 in bits 8..9 instead of
 * the shareability), the present-invalid marker (6.10+: bit 11 of any
 * level; before: PTE_PROT_NONE, bit 58, and for a pmd
 * PMD_PRESENT_INVALID, bit 59), uffd-wp (6.10+, bits 58 and, in swap
 * entries, 3) and devmap (gone in 6.17).
 */
#ifdef CONFIG_ARM64_LPA2
#define vmv_lpa2()		lpa2_is_enabled()
#define VMV_ADDR_HIGH		PTE_ADDR_HIGH
#define VMV_ADDR_HIGH_SHIFT	PTE_ADDR_HIGH_SHIFT
#else
#define vmv_lpa2()		false
#define VMV_ADDR_HIGH		0
#define VMV_ADDR_HIGH_SHIFT	0
#endif
#ifdef PTE_PRESENT_INVALID
#define VMV_PRESENT_INVALID	PTE_PRESENT_INVALID
#else
#define VMV_PRESENT_INVALID	(PTE_PROT_NONE | PMD_PRESENT_INVALID)
#endif
#ifdef PTE_UFFD_WP
#define VMV_UFFD_WP		PTE_UFFD_WP
#define VMV_SWP_UFFD_WP		PTE_SWP_UFFD_WP
#else
#define VMV_UFFD_WP		0
#define VMV_SWP_UFFD_WP		0
#endif
#if defined(PTE_DEVMAP) && defined(CONFIG_ARCH_HAS_PTE_DEVMAP)
#define VMV_DEVMAP		PTE_DEVMAP
#else
#define VMV_DEVMAP		0
#endif

static int vmv_platform_check(void)
{
	int levels = vmv_levels();
	bool ok = true;

	ok &= vmv_fact(PAGE_SIZE == SZ_4K || PAGE_SIZE == SZ_16K,
		       "the granule is neither 4 KiB nor 16 KiB");
	ok &= vmv_fact(sizeof(pte_t) == 8 && sizeof(pmd_t) == 8,
		       "descriptors are not 64 bits");
	ok &= vmv_fact(levels >= 3 && levels <= 5,
		       "the tables have fewer than 3 or more than 5 levels");
	ok &= vmv_fact(!vmv_level_folded(VMVIEW_LEVEL_PMD),
		       "the pmd level is folded");
	if (ok)
		return 0;
	pr_err("this kernel (%s, %s, %d-level paging) is not one vmview is tested on: see Documentation/vmview.rst, Supported kernels\n",
	       utsname()->machine, utsname()->release, levels);
	return -EOPNOTSUPP;
}

/*
 * The descriptor format filled from the kernel's constants must be one
 * vmv_arch.h writes down (what vmview-cli and the host tests use).
 */
static int vmv_check_format(const struct vmv_layout *l)
{
#ifdef PTE_PRESENT_INVALID
	static const struct vmv_layout w4 = { VMV_ARM64_612_ENTRIES(12, false) };
	static const struct vmv_layout w4_lpa2 = {
		VMV_ARM64_612_ENTRIES(12, true)
	};
	static const struct vmv_layout w16_lpa2 = {
		VMV_ARM64_612_ENTRIES(14, true)
	};
	static const struct vmv_layout w16 = {
		VMV_ARM64_612_ENTRIES(14, false)
	};
	const struct vmv_layout *w = PAGE_SHIFT == 12 ?
		(vmv_lpa2() ? &w4_lpa2 : &w4) : (vmv_lpa2() ? &w16_lpa2 : &w16);

	vmv_entry_format = PAGE_SHIFT == 12 ?
		(vmv_lpa2() ? "arm64-6.12-4k-lpa2" : "arm64-6.12-4k") :
		(vmv_lpa2() ? "arm64-6.12-16k-lpa2" : "arm64-6.12-16k");
#else
	static const struct vmv_layout w61 = { VMV_ARM64_61_ENTRIES };
	const struct vmv_layout *w = &w61;

	vmv_entry_format = "arm64-6.1";
#endif

	if (l->pfn_mask == w->pfn_mask &&
	    l->pfn_high_mask == w->pfn_high_mask &&
	    l->pfn_high_shift == w->pfn_high_shift &&
	    l->sh_mask == w->sh_mask &&
	    l->present_invalid_mask == w->present_invalid_mask &&
	    (l->uffd_wp_mask & ~w->uffd_wp_mask) == 0 &&
	    (l->devmap_mask & ~w->devmap_mask) == 0 &&
	    !memcmp(l->leaf_shift, w->leaf_shift, sizeof(l->leaf_shift)) &&
	    !memcmp(l->mt, w->mt, sizeof(l->mt)) &&
	    l->swp_type_shift == w->swp_type_shift &&
	    l->swp_type_bits == w->swp_type_bits &&
	    l->swp_offset_shift == w->swp_offset_shift &&
	    l->swp_offset_bits == w->swp_offset_bits &&
	    (l->swp_uffd_wp_mask & ~w->swp_uffd_wp_mask) == 0 &&
	    l->swp_exclusive_mask == w->swp_exclusive_mask)
		return 0;
	pr_err("refusing to load: this kernel's descriptor format is not one vmview knows (%lu-byte pages, LPA2 %s)\n",
	       PAGE_SIZE, vmv_lpa2() ? "on" : "off");
	return -EOPNOTSUPP;
}

/*
 * A valid PTE the kernel made: the decoder, and the dump's inline path
 * (vmv_pte_pfn(), vmv_pte_present_flags()), must read its frame, its
 * writability (pte_write()), dirtiness (pte_dirty()) and user execute
 * permission (pte_user_exec()) as the kernel does.
 */
static int vmv_check_present(const char *what, pte_t pte)
{
	const u32 mask = VMV_FLAG(VMVIEW_ARM64_F_DBM) |
			 VMV_FLAG(VMVIEW_ARM64_F_DIRTY) |
			 VMV_FLAG(VMVIEW_ARM64_F_UXN);
	u32 want = (pte_write(pte) ? VMV_FLAG(VMVIEW_ARM64_F_DBM) : 0) |
		   (pte_dirty(pte) ? VMV_FLAG(VMVIEW_ARM64_F_DIRTY) : 0) |
		   (pte_user_exec(pte) ? 0 : VMV_FLAG(VMVIEW_ARM64_F_UXN));
	u64 e = pte_val(pte);

	/* PAGE_* are normal memory: MAIR slot MT_NORMAL */
	if (vmv_flags_mt(vmv_pte_present_flags(&vmv_layout, e)) !=
	    VMVIEW_MT_NORMAL) {
		pr_err("refusing to load: a %s entry 0x%016llx is not normal memory for the decoder\n",
		       what, e);
		return -EOPNOTSUPP;
	}
	return vmv_check_present_pte(what, pte, mask, want);
}

/* The AttrIndx of a protection: its MAIR_EL1 slot. */
static unsigned int vmv_attrindx(pgprot_t prot)
{
	return (pgprot_val(prot) & PTE_ATTRINDX_MASK) >> ARM64_ATTRINDX_SHIFT;
}

/*
 * The memory type of each AttrIndx the kernel uses, as its own pgprot
 * helpers choose them (asm/pgtable.h, asm/memory.h's MT_* slots).
 */
static void vmv_mair_layout(struct vmv_layout *l)
{
	memset(l->mt, VMVIEW_MT_NONE, sizeof(l->mt));
	l->mt[vmv_attrindx(PAGE_KERNEL)] = VMVIEW_MT_NORMAL;
	l->mt[vmv_attrindx(pgprot_tagged(PAGE_KERNEL))] =
		VMVIEW_MT_NORMAL_TAGGED;
	l->mt[vmv_attrindx(pgprot_writecombine(PAGE_KERNEL))] =
		VMVIEW_MT_NORMAL_NC;
	l->mt[vmv_attrindx(pgprot_noncached(PAGE_KERNEL))] =
		VMVIEW_MT_DEVICE_NGNRNE;
	l->mt[vmv_attrindx(pgprot_device(PAGE_KERNEL))] =
		VMVIEW_MT_DEVICE_NGNRE;
}

/*
 * Blocks and tables at the pmd level, made as the kernel makes them:
 * pfn_pmd() + pmd_mkhuge(), invalidated as a THP split does, protnone,
 * and a table as pmd_populate() writes it.
 */
static int vmv_check_pmd(void)
{
	unsigned long pfn = 0x123UL << (PMD_SHIFT - PAGE_SHIFT);
	u32 block = VMV_FLAG(VMVIEW_ARM64_F_BLOCK);
	pmd_t pmd;
	int ret;

	pmd = pmd_mkhuge(pfn_pmd(pfn, PAGE_SHARED));
	ret = vmv_check_at("block", pmd_val(pmd), VMVIEW_LEVEL_PMD,
			   VMVIEW_KIND_PRESENT, pmd_pfn(pmd), block, block,
			   -1, 0);
	pmd = pmd_mkinvalid(pmd);
	ret = ret ?: vmv_check_at("invalidated block", pmd_val(pmd),
				  VMVIEW_LEVEL_PMD, VMVIEW_KIND_PRESENT,
				  pmd_pfn(pmd), block, block, -1, 0);
	pmd = pmd_mkhuge(pfn_pmd(pfn, PAGE_NONE));
	ret = ret ?: vmv_check_at("protnone block", pmd_val(pmd),
				  VMVIEW_LEVEL_PMD, VMVIEW_KIND_PROTNONE,
				  pmd_pfn(pmd), block, block, -1, 0);
	pmd = __pmd(__phys_to_pmd_val((phys_addr_t)0x4321 << PAGE_SHIFT) |
		    PMD_TYPE_TABLE);
	ret = ret ?: vmv_check_at("table", pmd_val(pmd), VMVIEW_LEVEL_PMD,
				  VMVIEW_KIND_TABLE, 0x4321, 0, 0, -1, 0);
	return ret;
}

int vmv_layout_init(void)
{
	struct vmv_layout *l = &vmv_layout;
	pte_t pte;
	int ret;

	ret = vmv_platform_check();
	if (ret)
		return ret;
	vmv_layout_start(l);
	l->devmap_mask = VMV_DEVMAP;
	l->pfn_mask = PTE_ADDR_LOW;
	if (vmv_lpa2()) {
		l->pfn_high_mask = VMV_ADDR_HIGH;
		l->pfn_high_shift = VMV_ADDR_HIGH_SHIFT;
	} else {
		l->sh_mask = PTE_SHARED;
	}
	l->present_invalid_mask = VMV_PRESENT_INVALID;
	l->uffd_wp_mask = VMV_UFFD_WP;
	l->leaf_shift[VMVIEW_LEVEL_PTE] = PAGE_SHIFT;
	l->leaf_shift[VMVIEW_LEVEL_PMD] = PMD_SHIFT;
	if (pud_sect_supported())
		l->leaf_shift[VMVIEW_LEVEL_PUD] = PUD_SHIFT;
	vmv_mair_layout(l);
	l->swp_type_shift = __SWP_TYPE_SHIFT;
	l->swp_type_bits = __SWP_TYPE_BITS;
	l->swp_offset_shift = __SWP_OFFSET_SHIFT;
	l->swp_offset_bits = __SWP_OFFSET_BITS;
	l->swp_uffd_wp_mask = VMV_SWP_UFFD_WP;
	l->swp_exclusive_mask = PTE_SWP_EXCLUSIVE;
	ret = vmv_check_format(l);
	if (ret)
		return ret;

	ret = vmv_check_present("present", pfn_pte(0x12345, PAGE_SHARED));
	ret = ret ?: vmv_check_present("highest frame",
				       pfn_pte(PHYS_MASK >> PAGE_SHIFT,
					       PAGE_READONLY));
	ret = ret ?: vmv_check_present("executable",
				       pfn_pte(0x12345, PAGE_READONLY_EXEC));
	pte = pte_mkdirty(pfn_pte(0x12345, PAGE_SHARED));
	ret = ret ?: vmv_check_present("dirty", pte);
	ret = ret ?: vmv_check_present("dirty write-protected",
				       pte_wrprotect(pte));
	/* PAGE_NONE keeps SH, which LPA2 reads as address bits 50..51. */
	pte = pfn_pte(0x12345, PAGE_NONE);
	ret = ret ?: vmv_layout_check("protnone", pte_val(pte),
				      VMVIEW_KIND_PROTNONE, pte_pfn(pte),
				      VMV_FLAG(VMVIEW_ARM64_F_PROTNONE), -1, 0);
	ret = ret ?: vmv_check_pmd();
	ret = ret ?: vmv_check_swap_entries();
	return ret;
}

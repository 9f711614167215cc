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

static bool vmv_fact(bool holds, const char *fact)
{
	if (!holds)
		pr_err("refusing to load: %s\n", fact);
	return holds;
}

static int vmv_platform_check(void)
{
	int levels = vmv_levels();
	bool ok = true;

	ok &= vmv_fact(IS_ENABLED(CONFIG_X86_64),
		       "the walker and the decoder know x86-64 paging only");
	ok &= vmv_fact(PAGE_SIZE == SZ_4K,
		       "the base page is not 4 KiB");
	ok &= vmv_fact(levels == 4 || levels == 5,
		       "the page tables do not have 4 or 5 levels");
	ok &= vmv_fact(PTRS_PER_PGD == 512 && PTRS_PER_PTE == 512 &&
		       (PTRS_PER_PMD == 512 && PTRS_PER_PUD == 512) &&
		       (PTRS_PER_P4D == 1 || PTRS_PER_P4D == 512),
		       "a page table does not hold 512 entries at every level");
	ok &= vmv_fact(sizeof(pte_t) == sizeof(u64) &&
		       sizeof(pmd_t) == sizeof(u64),
		       "page-table entries are not 64 bits wide");
	ok &= vmv_fact(!IS_ENABLED(CONFIG_HIGHPTE),
		       "PTE tables may live in high memory (CONFIG_HIGHPTE)");
	if (ok)
		return 0;
	pr_err("this kernel (%s, %s, %d-level paging) is not one vmview is tested on: see Documentation/vmview.rst, Supported kernels\n",
	       utsname()->machine, utsname()->release, levels);
	return -EOPNOTSUPP;
}

struct vmv_layout vmv_layout;

/*
 * The software bits that moved between kernels: devmap (gone in 6.17,
 * with every devmap entry: a kernel without it has none to report) and
 * the saved-dirty bit (6.6+; before, a write-protected page keeps its
 * dirty bit in place).
 */
#ifdef _PAGE_DEVMAP
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
 * For the load-time check of the decoder: make @pte a devmap PTE where
 * the kernel has them (until 6.16).  False, @pte untouched, on a kernel
 * without: it has no such entries for the decoder to meet.
 */
static inline bool vmv_pte_mkdevmap(pte_t *pte)
{
#ifdef _PAGE_DEVMAP
	*pte = pte_mkdevmap(*pte);
	return true;
#else
	return false;
#endif
}

/*
 * Decode @entry as a PTE: it must be of @kind, on @pfn, with every flag
 * of @flags (VMV_FLAG()s) and, for @type >= 0, that swap type and offset.
 */
static int vmv_layout_check(const char *what, u64 entry, enum vmview_kind kind,
			    u64 pfn, u32 flags, int type, u64 offset)
{
	struct vmv_decoded d;

	vmv_decode(&vmv_layout, entry, VMVIEW_LEVEL_PTE, &d);
	if (d.kind == kind && d.pfn == pfn && (d.flags & flags) == flags &&
	    (type < 0 || (d.swap_type == type && d.swap_offset == offset)))
		return 0;
	pr_err("refusing to load: decoding a %s entry 0x%016llx disagrees with this kernel\n",
	       what, entry);
	return -EOPNOTSUPP;
}

/*
 * Fill vmv_layout from the running kernel's constants, then check the
 * decoder against entries made by the kernel's own helpers, so that a
 * kernel whose layout vmview does not know refuses to load.
 */
int vmv_layout_init(void)
{
	struct vmv_layout *l = &vmv_layout;
	pte_t pte;
	int ret;

	ret = vmv_platform_check();
	if (ret)
		return ret;
	vmv_decode_init();
	memset(l, 0xff, sizeof(*l));	/* every type VMV_NO_TYPE */
	vmv_swap_types(l);
	l->swp_pfn_bits = VMV_SWP_PFN_BITS;
	l->devmap_mask = VMV_PAGE_DEVMAP;
	l->saved_dirty_mask = VMV_PAGE_SAVED_DIRTY;

	pte = pfn_pte(0x12345, PAGE_SHARED);
	ret = vmv_layout_check("present", pte_val(pte), VMVIEW_KIND_PRESENT,
			       pte_pfn(pte), VMV_FLAG(VMVIEW_F_RW), -1, 0);
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
	/* A protnone PFN is stored inverted (L1TF). */
	pte = pfn_pte(0x12345, PAGE_NONE);
	ret = ret ?: vmv_layout_check("protnone", pte_val(pte),
				      VMVIEW_KIND_PROTNONE, 0x12345, 0, -1, 0);
	pte = swp_entry_to_pte(swp_entry(1, 0x1234));
	ret = ret ?: vmv_layout_check("swap", pte_val(pte), VMVIEW_KIND_SWAP,
				      VMVIEW_NO_PFN, 0, 1, 0x1234);
	pte = pte_swp_mksoft_dirty(pte);
	ret = ret ?: vmv_layout_check("soft-dirty swap", pte_val(pte),
				      VMVIEW_KIND_SWAP, VMVIEW_NO_PFN,
				      IS_ENABLED(CONFIG_MEM_SOFT_DIRTY) ?
				      VMV_FLAG(VMVIEW_F_SOFTDIRTY) : 0,
				      1, 0x1234);
	if (vmv_pte_swp_mkexclusive(&pte))
		ret = ret ?: vmv_layout_check("exclusive swap", pte_val(pte),
					      VMVIEW_KIND_SWAP, VMVIEW_NO_PFN,
					      VMV_FLAG(VMVIEW_F_EXCLUSIVE),
					      1, 0x1234);
#if SWP_MIGRATION_NUM
	pte = swp_entry_to_pte(vmv_writable_migration_entry(0x4321));
	ret = ret ?: vmv_layout_check("migration", pte_val(pte),
				      VMVIEW_KIND_MIGRATION, 0x4321, 0,
				      SWP_MIGRATION_WRITE, 0x4321);
#endif
	if (vmv_pte_mkmarker(&pte))
		ret = ret ?: vmv_layout_check("marker", pte_val(pte),
					      VMVIEW_KIND_MARKER, VMVIEW_NO_PFN,
					      0, -1, 0);
	return ret;
}

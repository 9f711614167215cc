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

static int vmv_layout_check(const char *what, u64 entry, enum vmview_kind kind,
			    u64 pfn, int type, u64 offset)
{
	struct vmv_decoded d;

	vmv_decode(&vmv_layout, entry, VMVIEW_LEVEL_PTE, &d);
	if (d.kind == kind && d.pfn == pfn &&
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
	l->max_swapfiles = MAX_SWAPFILES;
#if SWP_HWPOISON_NUM
	l->type_hwpoison = SWP_HWPOISON;
#endif
#if SWP_MIGRATION_NUM
	l->type_migration_read = SWP_MIGRATION_READ;
	l->type_migration_read_exclusive = SWP_MIGRATION_READ_EXCLUSIVE;
	l->type_migration_write = SWP_MIGRATION_WRITE;
#endif
#if SWP_DEVICE_NUM
	l->type_device_private_read = SWP_DEVICE_READ;
	l->type_device_private_write = SWP_DEVICE_WRITE;
	l->type_device_exclusive_read = SWP_DEVICE_EXCLUSIVE_READ;
	l->type_device_exclusive_write = SWP_DEVICE_EXCLUSIVE_WRITE;
#endif
#if SWP_PTE_MARKER_NUM
	l->type_marker = SWP_PTE_MARKER;
#endif
#ifdef SWP_SWAPIN_ERROR_NUM
	l->type_swapin_error = SWP_SWAPIN_ERROR;
#endif
	l->swp_pfn_bits = SWP_PFN_BITS;
	l->devmap_mask = _PAGE_DEVMAP;
#ifdef _PAGE_SAVED_DIRTY
	l->saved_dirty_mask = _PAGE_SAVED_DIRTY;
#else
	l->saved_dirty_mask = 0;
#endif

	pte = pfn_pte(0x12345, PAGE_SHARED);
	ret = vmv_layout_check("present", pte_val(pte), VMVIEW_KIND_PRESENT,
			       pte_pfn(pte), -1, 0);
	/* A protnone PFN is stored inverted (L1TF). */
	pte = pfn_pte(0x12345, PAGE_NONE);
	ret = ret ?: vmv_layout_check("protnone", pte_val(pte),
				      VMVIEW_KIND_PROTNONE, 0x12345, -1, 0);
	pte = swp_entry_to_pte(swp_entry(1, 0x1234));
	ret = ret ?: vmv_layout_check("swap", pte_val(pte), VMVIEW_KIND_SWAP,
				      VMVIEW_NO_PFN, 1, 0x1234);
	pte = pte_swp_mkexclusive(pte_swp_mksoft_dirty(pte));
	ret = ret ?: vmv_layout_check("swap", pte_val(pte), VMVIEW_KIND_SWAP,
				      VMVIEW_NO_PFN, 1, 0x1234);
#if SWP_MIGRATION_NUM
	pte = swp_entry_to_pte(make_writable_migration_entry(0x4321));
	ret = ret ?: vmv_layout_check("migration", pte_val(pte),
				      VMVIEW_KIND_MIGRATION, 0x4321,
				      SWP_MIGRATION_WRITE, 0x4321);
#endif
	return ret;
}

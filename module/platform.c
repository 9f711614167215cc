// SPDX-License-Identifier: GPL-2.0
/*
 * platform: what the walker, the shadow table and the decoder rely on,
 * checked at load before anything else runs.
 *
 * module/Kbuild already refuses to build for a kernel that no guest of
 * guests.table tests.  A module built past that refusal (VMVIEW_UNTESTED=1,
 * for porting) must still never read a page table it does not understand:
 * each fact below is one the code assumes, and a kernel where one does not
 * hold is refused with that fact named in dmesg and -EOPNOTSUPP, before a
 * file exists.  The decoder's own check against the kernel's constructors
 * (vmv_layout_init()) runs after this one.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/utsname.h>

#include "vmview.h"

/* Page-table levels in use: the folded ones have a single entry. */
static int vmv_paging_levels(void)
{
	return 2 + (PTRS_PER_PMD > 1) + (PTRS_PER_PUD > 1) + (PTRS_PER_P4D > 1);
}

static bool vmv_fact(bool holds, const char *fact)
{
	if (!holds)
		pr_err("refusing to load: %s\n", fact);
	return holds;
}

int vmv_platform_check(void)
{
	int levels = vmv_paging_levels();
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

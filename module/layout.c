// SPDX-License-Identifier: GPL-2.0
/*
 * layout: what every architecture's layout probe (arch/ARCH/layout.c)
 * uses to check at load that vmview decodes this kernel's entries as the
 * kernel makes them: the layout itself, one refusal line a fact, and
 * checks of entries built by the kernel's own helpers.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/printk.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "compat.h"
#include "walk.h"

struct vmv_layout vmv_layout;
const char *vmv_entry_format = "unknown";

/*
 * The start of every probe: the decoder's tables made, then a layout
 * that holds only what no architecture decides (the kernel's special
 * swap types, VMV_NO_TYPE where it has none, and the bits a PFN takes
 * in a swap offset); the probe fills the rest.
 */
void vmv_layout_start(struct vmv_layout *l)
{
	vmv_decode_init();
	memset(l, 0, sizeof(*l));
	vmv_swap_types(l);
	l->swp_pfn_bits = VMV_SWP_PFN_BITS;
}

bool vmv_fact(bool holds, const char *fact)
{
	if (!holds)
		pr_err("refusing to load: %s\n", fact);
	return holds;
}

/*
 * Decode @entry found at @level: it must be of @kind, on @pfn, the flags
 * of @mask exactly @flags (VMV_FLAG()s), and for @type >= 0 that swap
 * type and offset.
 */
int vmv_check_at(const char *what, u64 entry, enum vmview_level level,
		 enum vmview_kind kind, u64 pfn, u32 mask, u32 flags, int type,
		 u64 offset)
{
	struct vmv_decoded d;

	vmv_decode(&vmv_layout, entry, level, &d);
	if (d.kind == kind && d.pfn == pfn && (d.flags & mask) == flags &&
	    (type < 0 || (d.swap_type == type && d.swap_offset == offset)))
		return 0;
	pr_err("refusing to load: decoding a %s entry 0x%016llx disagrees with this kernel\n",
	       what, entry);
	return -EOPNOTSUPP;
}

/* The same for a PTE, with every flag of @flags set. */
int vmv_layout_check(const char *what, u64 entry, enum vmview_kind kind,
		     u64 pfn, u32 flags, int type, u64 offset)
{
	return vmv_check_at(what, entry, VMVIEW_LEVEL_PTE, kind, pfn, flags,
			    flags, type, offset);
}

/*
 * A present PTE the kernel made: the dump's inline path (vmv_pte_fast()
 * and its helpers) must read it as the decoder does, and the decoder
 * must give its frame and, of the flags in @mask, exactly @want (what
 * the kernel's own pte_write() and friends say).
 */
int vmv_check_present_pte(const char *what, pte_t pte, u32 mask, u32 want)
{
	struct vmv_pte_fast f = vmv_pte_fast(&vmv_layout);
	u64 e = pte_val(pte);
	struct vmv_decoded d;

	vmv_decode(&vmv_layout, e, VMVIEW_LEVEL_PTE, &d);
	if (vmv_pte_pfn(&vmv_layout, e) != pte_pfn(pte) ||
	    vmv_fast_pte_pfn(&f, e) != pte_pfn(pte) ||
	    vmv_fast_pte_flags(&f, e) != d.flags ||
	    vmv_pte_present_flags(&vmv_layout, e) != d.flags) {
		pr_err("refusing to load: the fast path reads a %s entry 0x%016llx unlike the decoder\n",
		       what, e);
		return -EOPNOTSUPP;
	}
	return vmv_check_at(what, e, VMVIEW_LEVEL_PTE, VMVIEW_KIND_PRESENT,
			    pte_pfn(pte), mask, want, -1, 0);
}

/*
 * A swap entry of @type and @offset as the kernel makes it: the decoder
 * must give back what pte_to_swp_entry() does, and vmv_swp_entry() must
 * make the same entry.
 */
int vmv_check_swap(const char *what, unsigned int type, unsigned long offset)
{
	pte_t pte = swp_entry_to_pte(swp_entry(type, offset));
	/* pte_to_swp_entry() (softleaf_from_pte() on 7.x) without flags */
	swp_entry_t arch = __pte_to_swp_entry(pte);
	swp_entry_t back = swp_entry(__swp_type(arch), __swp_offset(arch));

	if (pte_val(pte) != vmv_swp_entry(&vmv_layout, swp_type(back),
					  swp_offset(back))) {
		pr_err("refusing to load: a %s entry 0x%016llx is not where vmview puts its type and offset\n",
		       what, (u64)pte_val(pte));
		return -EOPNOTSUPP;
	}
	return vmv_layout_check(what, pte_val(pte), VMVIEW_KIND_SWAP,
				VMVIEW_NO_PFN, 0, swp_type(back),
				swp_offset(back));
}

/*
 * The swap-format entries every architecture makes alike: swap entries
 * of the first, a middle and the last type, exclusive, migration and
 * marker entries where the kernel has them.
 */
int vmv_check_swap_entries(void)
{
	pte_t pte;
	int ret;

	ret = vmv_check_swap("swap", 1, 0x1234);
	ret = ret ?: vmv_check_swap("first swap", 0, 1);
	/* The largest offset the entry holds (arm64 does not mask more). */
	ret = ret ?: vmv_check_swap("last swap", MAX_SWAPFILES - 1,
				    ~0UL >> (BITS_PER_LONG -
					     min_t(unsigned int, BITS_PER_LONG,
						   vmv_layout.swp_offset_bits)));
	pte = swp_entry_to_pte(swp_entry(1, 0x1234));
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

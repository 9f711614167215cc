// SPDX-License-Identifier: GPL-2.0
/*
 * decode: raw x86-64 page-table entry -> kind, PFN, swap type/offset and
 * flags.  Plain C with no kernel state; it builds into the module and into
 * the host tests (tests/test_decode.c).  The entry bits, and which bit is
 * which flag, are in vmv_arch.h; what differs between kernels comes in a
 * struct vmv_layout.
 */
#include "vmv_arch.h"

u32 vmv_x86_pte_low_flags[4096];

void vmv_decode_init(void)
{
	static const struct vmv_layout none;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmv_x86_pte_low_flags); i++)
		vmv_x86_pte_low_flags[i] = vmv_x86_leaf_flags(&none, i, false);
}

u64 vmv_swp_entry(u8 type, u64 offset)
{
	return (~offset << X86_SWP_OFFSET_SHIFT >> X86_SWP_TYPE_BITS) |
	       ((u64)type << (64 - X86_SWP_TYPE_BITS));
}

static void vmv_decode_swap(const struct vmv_layout *l, u64 entry,
			    struct vmv_decoded *d)
{
	u64 val = entry & ~(X86_SWP_SOFT_DIRTY | X86_SWP_UFFD_WP |
			    X86_SWP_EXCLUSIVE);
	u8 type = val >> (64 - X86_SWP_TYPE_BITS);
	u64 offset = ~val << X86_SWP_TYPE_BITS >> X86_SWP_OFFSET_SHIFT;
	u64 pfn = offset & (VMV_BIT(l->swp_pfn_bits) - 1);

	d->swap_type = type;
	d->swap_offset = offset;
	d->flags = vmv_x86_swap_flags(entry);

	if (type < l->max_swapfiles) {
		d->kind = VMVIEW_KIND_SWAP;
		return;
	}
	if (type == l->type_migration_read ||
	    type == l->type_migration_read_exclusive ||
	    type == l->type_migration_write)
		d->kind = VMVIEW_KIND_MIGRATION;
	else if (type == l->type_device_private_read ||
		 type == l->type_device_private_write)
		d->kind = VMVIEW_KIND_DEVICE_PRIVATE;
	else if (type == l->type_device_exclusive_read ||
		 type == l->type_device_exclusive_write)
		d->kind = VMVIEW_KIND_DEVICE_EXCLUSIVE;
	else if (type == l->type_hwpoison)
		d->kind = VMVIEW_KIND_HWPOISON;
	else
		d->kind = VMVIEW_KIND_MARKER;	/* marker, swapin error */

	if (d->kind != VMVIEW_KIND_MARKER)
		d->pfn = pfn;
}

/* A present (or protnone) leaf mapping 1 << shift bytes. */
static void vmv_decode_leaf(const struct vmv_layout *l, u64 entry,
			    unsigned int shift, struct vmv_decoded *d)
{
	bool protnone = (entry & (X86_PRESENT | X86_PROTNONE)) == X86_PROTNONE;
	/* Any non-present entry keeps its PFN inverted (protnone_mask()). */
	u64 raw = (entry & X86_PRESENT) ? entry : ~entry;

	d->kind = protnone ? VMVIEW_KIND_PROTNONE : VMVIEW_KIND_PRESENT;
	d->page_shift = shift;
	d->pfn = (raw & X86_PFN_MASK(shift)) >> 12;
	d->writable = entry & X86_RW;
	d->flags = vmv_x86_leaf_flags(l, entry, shift != 12);
}

void vmv_decode(const struct vmv_layout *l, u64 entry, enum vmview_level level,
		struct vmv_decoded *d)
{
	memset(d, 0, sizeof(*d));
	d->kind = VMVIEW_KIND_NONE;
	d->pfn = VMVIEW_NO_PFN;
	/* As pte_none() and friends: A and D alone (a KNL erratum) are none. */
	if (!(entry & ~(X86_ACCESSED | X86_DIRTY)))
		return;

	switch (level) {
	case VMVIEW_LEVEL_PTE:
		if (entry & (X86_PRESENT | X86_PROTNONE))
			vmv_decode_leaf(l, entry, 12, d);
		else
			vmv_decode_swap(l, entry, d);
		d->page_shift = 12;
		return;
	case VMVIEW_LEVEL_PMD:
	case VMVIEW_LEVEL_PUD:
		/*
		 * PSE makes a leaf, present or not (a THP being split is
		 * briefly not present; pmd_present() still says it is).
		 */
		if (entry & X86_PSE) {
			vmv_decode_leaf(l, entry,
					level == VMVIEW_LEVEL_PMD ? 21 : 30, d);
			return;
		}
		if (!(entry & (X86_PRESENT | X86_PROTNONE))) {
			vmv_decode_swap(l, entry, d);
			d->page_shift = level == VMVIEW_LEVEL_PMD ? 21 : 30;
			return;
		}
		break;
	default:
		break;
	}
	/* A table (pgd and p4d entries are never leaves for user space). */
	if (entry & X86_PRESENT) {
		d->kind = VMVIEW_KIND_TABLE;
		d->pfn = (entry & X86_PFN_MASK(12)) >> 12;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * decode: raw x86-64 page-table entry -> kind, PFN, swap type/offset and
 * flags.  Plain C with no kernel state; it builds into the module and into
 * the host tests (tests/test_decode.c).  What differs between kernels
 * comes in a struct vmv_layout.
 *
 * The bit layout (arch/x86/include/asm/pgtable_types.h, pgtable_64.h):
 *
 *   bit  0 present    1 rw        2 user      3 pwt     4 pcd
 *   bit  5 accessed   6 dirty     7 pat (pte) / pse (pmd, pud)
 *   bit  8 global, or protnone when not present
 *   bit  9 special   10 uffd-wp  11 softdirty  12 pat (pmd, pud leaves)
 *   bits 12..51 PFN (21..51 in a pmd leaf, 30..51 in a pud leaf)
 *   bits 57/58 devmap and saved-dirty (which is which: see vmv_layout)
 *   bit 63 nx
 *
 * Not present and not protnone, an entry is in swap format: type in bits
 * 59..63, the offset inverted in bits 9..58, and bits 1, 2 and 3 carry
 * softdirty, uffd-wp and exclusive.  A non-present leaf (protnone, or a
 * THP pmd being split) keeps its PFN inverted (the L1TF mitigation), as
 * pte_pfn() undoes.
 */
#include "decode.h"

#define VMV_BIT(n)		(1ULL << (n))
#define X86_PRESENT		VMV_BIT(0)
#define X86_RW			VMV_BIT(1)
#define X86_USER		VMV_BIT(2)
#define X86_PWT			VMV_BIT(3)
#define X86_PCD			VMV_BIT(4)
#define X86_ACCESSED		VMV_BIT(5)
#define X86_DIRTY		VMV_BIT(6)
#define X86_PSE			VMV_BIT(7)
#define X86_PAT			VMV_BIT(7)
#define X86_GLOBAL		VMV_BIT(8)
#define X86_PROTNONE		VMV_BIT(8)
#define X86_SPECIAL		VMV_BIT(9)
#define X86_UFFD_WP		VMV_BIT(10)
#define X86_SOFT_DIRTY		VMV_BIT(11)
#define X86_PAT_LARGE		VMV_BIT(12)
#define X86_NX			VMV_BIT(63)

#define X86_SWP_SOFT_DIRTY	X86_RW
#define X86_SWP_UFFD_WP		X86_USER
#define X86_SWP_EXCLUSIVE	X86_PWT
#define X86_SWP_TYPE_BITS	5
#define X86_SWP_OFFSET_SHIFT	14

#define X86_PHYS_MASK		(VMV_BIT(52) - 1)
#define X86_PFN_MASK(shift)	(X86_PHYS_MASK & ~(VMV_BIT(shift) - 1))

const char * const vmv_kind_names[VMV_NR_KINDS] = { VMVIEW_KINDS(VMVIEW_WORD) };
const char * const vmv_level_names[VMV_NR_LEVELS] = { VMVIEW_LEVELS(VMVIEW_WORD) };
const char * const vmv_flag_names[VMV_NR_FLAGS] = { VMVIEW_FLAGS(VMVIEW_WORD) };

/*
 * The flags of a present entry, by shifts rather than a table: this runs
 * for every leaf of every dump.  Bits 0..6 (present .. dirty) are flags
 * 0..6 as they stand.
 */
static_assert(VMV_F_PRESENT == 0 && VMV_F_RW == 1 && VMV_F_USER == 2 &&
	      VMV_F_PWT == 3 && VMV_F_PCD == 4 && VMV_F_ACCESSED == 5 &&
	      VMV_F_DIRTY == 6);

static u32 vmv_present_flags(u64 entry)
{
	return (entry & 0x7f) |
	       ((entry >> 9) & 1) << VMV_F_SPECIAL |
	       ((entry >> 10) & 1) << VMV_F_UFFD_WP |
	       ((entry >> 11) & 1) << VMV_F_SOFTDIRTY |
	       (entry >> 63) << VMV_F_NX;
}

static u32 vmv_swap_flags(u64 entry)
{
	return (entry & X86_SWP_SOFT_DIRTY ? VMV_FLAG(VMV_F_SOFTDIRTY) : 0) |
	       (entry & X86_SWP_UFFD_WP ? VMV_FLAG(VMV_F_UFFD_WP) : 0) |
	       (entry & X86_SWP_EXCLUSIVE ? VMV_FLAG(VMV_F_EXCLUSIVE) : 0);
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
	d->flags = vmv_swap_flags(entry);

	if (type < l->max_swapfiles) {
		d->kind = VMV_KIND_SWAP;
		return;
	}
	if (type == l->type_migration_read ||
	    type == l->type_migration_read_exclusive ||
	    type == l->type_migration_write)
		d->kind = VMV_KIND_MIGRATION;
	else if (type == l->type_device_private_read ||
		 type == l->type_device_private_write)
		d->kind = VMV_KIND_DEVICE_PRIVATE;
	else if (type == l->type_device_exclusive_read ||
		 type == l->type_device_exclusive_write)
		d->kind = VMV_KIND_DEVICE_EXCLUSIVE;
	else if (type == l->type_hwpoison)
		d->kind = VMV_KIND_HWPOISON;
	else
		d->kind = VMV_KIND_MARKER;	/* marker, swapin error */

	if (d->kind != VMV_KIND_MARKER)
		d->pfn = pfn;
}

/* A present (or protnone) leaf mapping 1 << shift bytes. */
static void vmv_decode_leaf(const struct vmv_layout *l, u64 entry,
			    unsigned int shift, struct vmv_decoded *d)
{
	bool protnone = (entry & (X86_PRESENT | X86_PROTNONE)) == X86_PROTNONE;
	/* Any non-present entry keeps its PFN inverted (protnone_mask()). */
	u64 raw = (entry & X86_PRESENT) ? entry : ~entry;

	d->kind = protnone ? VMV_KIND_PROTNONE : VMV_KIND_PRESENT;
	d->page_shift = shift;
	d->pfn = (raw & X86_PFN_MASK(shift)) >> 12;
	d->writable = entry & X86_RW;
	d->flags = vmv_present_flags(entry);
	if (l->saved_dirty_mask && (entry & l->saved_dirty_mask))
		d->flags |= VMV_FLAG(VMV_F_DIRTY);
	if (entry & l->devmap_mask)
		d->flags |= VMV_FLAG(VMV_F_DEVMAP);
	if (protnone)
		d->flags |= VMV_FLAG(VMV_F_PROTNONE);
	else if (entry & X86_GLOBAL)
		d->flags |= VMV_FLAG(VMV_F_GLOBAL);
	if (shift == 12) {
		if (entry & X86_PAT)
			d->flags |= VMV_FLAG(VMV_F_PAT);
	} else {
		d->flags |= VMV_FLAG(VMV_F_PSE);
		if (entry & X86_PAT_LARGE)
			d->flags |= VMV_FLAG(VMV_F_PAT);
	}
}

void vmv_decode(const struct vmv_layout *l, u64 entry, enum vmv_level level,
		struct vmv_decoded *d)
{
	memset(d, 0, sizeof(*d));
	d->kind = VMV_KIND_NONE;
	d->pfn = VMV_NO_PFN;
	/* As pte_none() and friends: A and D alone (a KNL erratum) are none. */
	if (!(entry & ~(X86_ACCESSED | X86_DIRTY)))
		return;

	switch (level) {
	case VMV_LEVEL_PTE:
		if (entry & (X86_PRESENT | X86_PROTNONE))
			vmv_decode_leaf(l, entry, 12, d);
		else
			vmv_decode_swap(l, entry, d);
		d->page_shift = 12;
		return;
	case VMV_LEVEL_PMD:
	case VMV_LEVEL_PUD:
		/*
		 * PSE makes a leaf, present or not (a THP being split is
		 * briefly not present; pmd_present() still says it is).
		 */
		if (entry & X86_PSE) {
			vmv_decode_leaf(l, entry,
					level == VMV_LEVEL_PMD ? 21 : 30, d);
			return;
		}
		if (!(entry & (X86_PRESENT | X86_PROTNONE))) {
			vmv_decode_swap(l, entry, d);
			d->page_shift = level == VMV_LEVEL_PMD ? 21 : 30;
			return;
		}
		break;
	default:
		break;
	}
	/* A table (pgd and p4d entries are never leaves for user space). */
	if (entry & X86_PRESENT) {
		d->kind = VMV_KIND_TABLE;
		d->pfn = (entry & X86_PFN_MASK(12)) >> 12;
	}
}

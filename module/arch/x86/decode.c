// SPDX-License-Identifier: GPL-2.0
/*
 * decode: raw x86 page-table entry -> kind, PFN, swap type/offset and
 * flags, for the three entry formats of vmv_arch.h (x86-64, PAE,
 * 2-level).  Plain C with no kernel state; it builds into the module and
 * into the host tests (tests/test_decode.c).  The entry bits every format
 * shares, and which bit is which flag, are in vmv_arch.h; what differs
 * between formats and kernels comes in a struct vmv_layout.
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

/* The low @bits bits set (@bits up to 64). */
static u64 vmv_mask(unsigned int bits)
{
	return bits >= 64 ? ~0ULL : VMV_BIT(bits) - 1;
}

u64 vmv_swp_entry(const struct vmv_layout *l, u8 type, u64 offset)
{
	u64 off = (offset & vmv_mask(l->swp_offset_bits)) <<
		  l->swp_offset_shift;

	/*
	 * The kernel inverts the offset as a 64-bit value: the ones above
	 * an offset narrower than its field (PAE's 26 bits) fill the field
	 * up to the type.
	 */
	if (l->swp_inverted)
		off = ~off & vmv_mask(l->swp_type_shift) &
		      ~vmv_mask(l->swp_offset_shift);
	return off | ((u64)type & vmv_mask(l->swp_type_bits)) <<
		     l->swp_type_shift;
}

static void vmv_decode_swap(const struct vmv_layout *l, u64 entry,
			    struct vmv_decoded *d)
{
	u8 type = (entry >> l->swp_type_shift) & vmv_mask(l->swp_type_bits);
	u64 raw = l->swp_inverted ? ~entry : entry;
	u64 offset = (raw >> l->swp_offset_shift) &
		     vmv_mask(l->swp_offset_bits);
	u64 pfn = offset & vmv_mask(l->swp_pfn_bits);

	d->swap_type = type;
	d->swap_offset = offset;
	d->flags = vmv_x86_swap_flags(l, entry);

	d->kind = vmv_swap_kind(l, type);
	/* the special types hold a frame, but markers */
	if (d->kind != VMVIEW_KIND_SWAP && d->kind != VMVIEW_KIND_MARKER)
		d->pfn = pfn;
}

/* A present (or protnone) leaf mapping 1 << shift bytes. */
static void vmv_decode_leaf(const struct vmv_layout *l, u64 entry,
			    unsigned int shift, bool huge,
			    struct vmv_decoded *d)
{
	bool protnone = (entry & (X86_PRESENT | X86_PROTNONE)) == X86_PROTNONE;
	/* A non-present entry keeps its PFN inverted (protnone_mask()). */
	u64 raw = (entry & X86_PRESENT) || !l->pfn_inverted ? entry : ~entry;

	d->kind = protnone ? VMVIEW_KIND_PROTNONE : VMVIEW_KIND_PRESENT;
	d->page_shift = shift;
	d->pfn = (raw & l->pfn_mask & ~vmv_mask(shift)) >> 12;
	d->writable = entry & X86_RW;
	d->flags = vmv_x86_leaf_flags(l, entry, huge);
}

void vmv_decode(const struct vmv_layout *l, u64 entry, enum vmview_level level,
		struct vmv_decoded *d)
{
	unsigned int shift = level < VMVIEW_NR_LEVELS ? l->leaf_shift[level] : 0;

	vmv_decoded_none(d);
	/* As pte_none() and friends: A and D alone (a KNL erratum) are none. */
	if (!(entry & ~l->none_mask))
		return;

	if (level == VMVIEW_LEVEL_PTE) {
		if (entry & (X86_PRESENT | X86_PROTNONE))
			vmv_decode_leaf(l, entry, shift, false, d);
		else
			vmv_decode_swap(l, entry, d);
		d->page_shift = shift;
		return;
	}
	if (shift) {
		/*
		 * PSE makes a leaf, present or not (a THP being split is
		 * briefly not present; pmd_present() still says it is).
		 */
		if (entry & X86_PSE) {
			vmv_decode_leaf(l, entry, shift, true, d);
			return;
		}
		if (!(entry & (X86_PRESENT | X86_PROTNONE))) {
			vmv_decode_swap(l, entry, d);
			d->page_shift = shift;
			return;
		}
	}
	/* A table (where no leaf can be, as x86-64's pgd and p4d: always). */
	if (entry & X86_PRESENT) {
		d->kind = VMVIEW_KIND_TABLE;
		d->pfn = (entry & l->pfn_mask) >> 12;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * decode: raw arm64 descriptor -> kind, PFN, swap type/offset, flags and
 * memory type, for the descriptor formats of vmv_arch.h (6.1 and 6.12+,
 * 4 KiB and 16 KiB granules, LPA2 on or off).  Plain C with no kernel
 * state; it builds into the module and into the host tests
 * (tests/test_decode_arm64.c).  The bits are in vmv_arch.h; what differs
 * between kernels, granules and boots comes in a struct vmv_layout.
 */
#include "vmv_arch.h"

struct vmv_arm64_pte_flags vmv_arm64_pte_flags;
/* The low table's key is above every flag and the memory type. */
static_assert(!((VMV_FLAGS_MASK | VMV_MT(VMV_MT_MASK)) >>
		ARM64_FLAG_KEY_SHIFT));

void vmv_decode_init(void)
{
	/*
	 * Every bit a layout may have, at its place; the memory types of
	 * every layout.
	 */
	static const struct vmv_layout all = {
		.sh_mask = ARM64_SH,
		.devmap_mask = ARM64_DEVMAP,
		.uffd_wp_mask = ARM64_UFFD_WP,
		VMV_ARM64_MAIR,
	};
	struct vmv_arm64_pte_flags *t = &vmv_arm64_pte_flags;
	unsigned int i;
	u64 e;

	for (i = 0; i < ARRAY_SIZE(t->low); i++)
		t->low[i] = vmv_arm64_leaf_flags(&all, i, false) |
			    vmv_arm64_flag_key(i);
	/* What the high bits add to the flags of valid, user and rdonly. */
	for (i = 0; i < ARRAY_SIZE(t->high); i++) {
		e = (u64)(i >> 3) << (ARM64_HIGH_FLAG_SHIFT + 3) |
		    (i & 1 ? ARM64_VALID : 0) | (u64)(i & 6) << 5;
		t->high[i] = vmv_arm64_leaf_flags(&all, e, false) &
			     ~vmv_arm64_leaf_flags(&all, e & 0xfff, false);
	}
}

/* The low @bits bits set (@bits up to 64). */
static u64 vmv_mask(unsigned int bits)
{
	return bits >= 64 ? ~0ULL : VMV_BIT(bits) - 1;
}

u64 vmv_swp_entry(const struct vmv_layout *l, u8 type, u64 offset)
{
	return (offset & vmv_mask(l->swp_offset_bits)) << l->swp_offset_shift |
	       ((u64)type & vmv_mask(l->swp_type_bits)) << l->swp_type_shift;
}

static void vmv_decode_swap(const struct vmv_layout *l, u64 entry,
			    struct vmv_decoded *d)
{
	u8 type = (entry >> l->swp_type_shift) & vmv_mask(l->swp_type_bits);
	u64 offset = (entry >> l->swp_offset_shift) &
		     vmv_mask(l->swp_offset_bits);

	d->swap_type = type;
	d->swap_offset = offset;
	d->flags = (u32)!!(entry & l->swp_uffd_wp_mask) <<
		   VMVIEW_ARM64_F_UFFD_WP |
		   (u32)!!(entry & l->swp_exclusive_mask) <<
		   VMVIEW_ARM64_F_EXCLUSIVE;

	d->kind = vmv_swap_kind(l, type);
	/* the special types hold a frame, but markers */
	if (d->kind != VMVIEW_KIND_SWAP && d->kind != VMVIEW_KIND_MARKER)
		d->pfn = offset & vmv_mask(l->swp_pfn_bits);
}

/* A leaf that maps a frame (valid or present-invalid), 1 << shift bytes. */
static void vmv_decode_leaf(const struct vmv_layout *l, u64 entry,
			    unsigned int shift, bool huge,
			    struct vmv_decoded *d)
{
	d->flags = vmv_arm64_leaf_flags(l, entry, huge);
	d->kind = d->flags & VMV_FLAG(VMVIEW_ARM64_F_PROTNONE) ?
		  VMVIEW_KIND_PROTNONE : VMVIEW_KIND_PRESENT;
	d->page_shift = shift;
	/* A block's low address bits are its size's: not the frame's. */
	d->pfn = vmv_pte_pfn(l, entry) &
		 ~vmv_mask(shift - l->leaf_shift[VMVIEW_LEVEL_PTE]);
	d->writable = entry & ARM64_DBM;
}

void vmv_decode(const struct vmv_layout *l, u64 entry, enum vmview_level level,
		struct vmv_decoded *d)
{
	unsigned int shift = level < VMVIEW_NR_LEVELS ? l->leaf_shift[level] : 0;

	vmv_decoded_none(d);
	if (!entry)
		return;

	if (level == VMVIEW_LEVEL_PTE) {
		if (vmv_entry_maps_frame(l, entry))
			vmv_decode_leaf(l, entry, shift, false, d);
		else
			vmv_decode_swap(l, entry, d);
		d->page_shift = shift;
		return;
	}
	if (entry & ARM64_VALID) {
		if (entry & ARM64_TABLE) {
			d->kind = VMVIEW_KIND_TABLE;
			d->pfn = vmv_pte_pfn(l, entry);
		} else if (shift) {
			vmv_decode_leaf(l, entry, shift, true, d);
		}
		/* a block where the granule allows none: reserved, none */
		return;
	}
	if (!shift)
		return;		/* not valid where only tables can be */
	/*
	 * Not valid but present (a protnone THP, or one being split: the
	 * kernel clears valid and keeps the rest), or in swap format.
	 */
	if (entry & l->present_invalid_mask) {
		vmv_decode_leaf(l, entry, shift, !(entry & ARM64_TABLE), d);
		return;
	}
	vmv_decode_swap(l, entry, d);
	d->page_shift = shift;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 translation-table descriptors: the one place vmview knows their
 * bits.
 *
 * Plain C (it builds into the module and into the host tests): the
 * decoder (arch/arm64/decode.c) and the generic code's inline helpers
 * below read descriptors only through what this file defines and the
 * data of struct vmv_layout (decode.h), which the running kernel's
 * constants fill at load (arch/arm64/layout.c) and the kernel's own
 * constructors check.
 *
 * A descriptor (arch/arm64/include/asm/pgtable-hwdef.h), 64 bits:
 *
 *   bit  0     valid
 *   bit  1     table (above the last level) or page (at it); clear in a
 *              valid entry above the last level: a block
 *   bits 2..4  AttrIndx: an index into MAIR_EL1, the memory type
 *   bit  6     AP[1] user      bit 7  AP[2] read-only
 *   bits 8..9  SH, shareability; with LPA2 (52-bit output addresses on
 *              4 KiB and 16 KiB granules) output address bits 50..51
 *   bit  10    AF, the access flag     bit 11  nG, not global
 *   bits PAGE_SHIFT..49  the output address
 *   bit  51    DBM (the kernel's PTE_WRITE)   bit 52  contiguous
 *   bit  53    PXN              bit 54  UXN
 *   bits 55..58 software: dirty, special, devmap, and uffd-wp (6.12;
 *              protnone on 6.1)
 *
 * A table descriptor holds the next table's address the same way.  A
 * not-valid entry is present for the kernel when its present-invalid bit
 * is set (6.12: bit 11, PTE_PRESENT_INVALID; 6.1: bit 58, PTE_PROT_NONE,
 * or for a pmd bit 59, PMD_PRESENT_INVALID): protnone when it is
 * PAGE_NONE (no user access, UXN), else a leaf being changed (a THP
 * being split).  Otherwise a non-zero entry is in swap format: 6.12 the
 * type in bits 6..10 and the offset in bits 12..61, 6.1 the type in bits
 * 3..7 and the offset in bits 8..57; bit 2 is exclusive, bit 3 uffd-wp
 * (6.12).  Nothing is stored inverted.
 *
 * Blocks: 4 KiB granule, 2 MiB (pmd) and 1 GiB (pud); 16 KiB granule,
 * 32 MiB (pmd) only.
 */
#ifndef _VMV_ARCH_ARM64_H
#define _VMV_ARCH_ARM64_H

#include "decode.h"

/* The architecture of this decoder, as records name it, and its flags. */
#define VMV_ARCH		VMVIEW_ARCH_ARM64
#define VMV_ARCH_FLAGS		VMVIEW_ARM64_FLAGS
/* The register that holds a process's top-level table (user space). */
#define VMV_ARCH_ROOT		"ttbr0_el1"

#define VMV_BIT(n)		(1ULL << (n))
#define ARM64_VALID		VMV_BIT(0)
#define ARM64_TABLE		VMV_BIT(1)	/* or page, at the last level */
#define ARM64_ATTRINDX_SHIFT	2
#define ARM64_ATTRINDX_MASK	(7ULL << ARM64_ATTRINDX_SHIFT)
#define ARM64_USER		VMV_BIT(6)
#define ARM64_RDONLY		VMV_BIT(7)
#define ARM64_SH		(3ULL << 8)	/* inner shareable */
#define ARM64_AF		VMV_BIT(10)
#define ARM64_NG		VMV_BIT(11)
#define ARM64_DBM		VMV_BIT(51)
#define ARM64_CONT		VMV_BIT(52)
#define ARM64_PXN		VMV_BIT(53)
#define ARM64_UXN		VMV_BIT(54)
#define ARM64_SW_DIRTY		VMV_BIT(55)
#define ARM64_SPECIAL		VMV_BIT(56)
#define ARM64_DEVMAP		VMV_BIT(57)
#define ARM64_UFFD_WP		VMV_BIT(58)	/* 6.12; 6.1: PTE_PROT_NONE */
/* The output address: bits PAGE_SHIFT..49 (PTE_ADDR_LOW). */
#define ARM64_ADDR_LOW(page_shift)	((VMV_BIT(50) - 1) &		\
					 ~(VMV_BIT(page_shift) - 1))
/* LPA2: output address bits 50..51 in descriptor bits 8..9. */
#define ARM64_LPA2_HIGH		(3ULL << 8)
#define ARM64_LPA2_HIGH_SHIFT	42
/* Swap entries: exclusive and (6.12) uffd-wp. */
#define ARM64_SWP_EXCLUSIVE	VMV_BIT(2)
#define ARM64_SWP_UFFD_WP	VMV_BIT(3)

/*
 * The kernel's MAIR_EL1 layout (arch/arm64/include/asm/memory.h, the
 * same on 6.1 and 6.12): MT_NORMAL 0, MT_NORMAL_TAGGED 1, MT_NORMAL_NC 2,
 * MT_DEVICE_nGnRnE 3, MT_DEVICE_nGnRE 4.  layout.c checks each index
 * against the kernel's constants.
 */
#define VMV_ARM64_MAIR							\
	.mt = {								\
		VMVIEW_MT_NORMAL, VMVIEW_MT_NORMAL_TAGGED,		\
		VMVIEW_MT_NORMAL_NC, VMVIEW_MT_DEVICE_NGNRNE,		\
		VMVIEW_MT_DEVICE_NGNRE,					\
	}

/*
 * The entry formats as arch/arm64/layout.c fills struct vmv_layout (it
 * checks at load that they agree), as designated initializers for code
 * that cannot ask the kernel (vmview-cli, the host tests):
 * VMV_ARM64_612_ENTRIES(page_shift, lpa2) for 6.12 and later, with
 * @page_shift 12 or 14 and @lpa2 true or false (literals: they name the
 * granule's and the output address's parts below) for LPA2 on or off at
 * boot (output addresses of 50 bits, 52 with LPA2), and
 * VMV_ARM64_61_ENTRIES for 6.1 (4 KiB, 48-bit output addresses).
 */
#define VMV_ARM64_612_ENTRIES(page_shift, lpa2)				\
	VMV_ARM64_GRANULE_##page_shift,					\
	VMV_ARM64_OA_##lpa2,						\
	VMV_ARM64_COMMON_ENTRIES,					\
	.present_invalid_mask = ARM64_NG,				\
	.uffd_wp_mask = ARM64_UFFD_WP,					\
	.swp_type_shift = 6,						\
	.swp_offset_shift = 12,						\
	.swp_uffd_wp_mask = ARM64_SWP_UFFD_WP

#define VMV_ARM64_61_ENTRIES						\
	.pfn_mask = (VMV_BIT(48) - 1) & ~(VMV_BIT(12) - 1),		\
	.leaf_shift = {							\
		[VMVIEW_LEVEL_PTE] = 12,				\
		[VMVIEW_LEVEL_PMD] = 21,				\
		[VMVIEW_LEVEL_PUD] = 30,				\
	},								\
	.sh_mask = ARM64_SH,						\
	VMV_ARM64_COMMON_ENTRIES,					\
	.present_invalid_mask = VMV_BIT(58) | VMV_BIT(59),		\
	.swp_type_shift = 3,						\
	.swp_offset_shift = 8

/* 4 KiB granule: blocks of 2 MiB (pmd) and 1 GiB (pud). */
#define VMV_ARM64_GRANULE_12						\
	.pfn_mask = ARM64_ADDR_LOW(12),					\
	.leaf_shift = {							\
		[VMVIEW_LEVEL_PTE] = 12,				\
		[VMVIEW_LEVEL_PMD] = 21,				\
		[VMVIEW_LEVEL_PUD] = 30,				\
	}

/* 16 KiB granule: blocks of 32 MiB (pmd) only. */
#define VMV_ARM64_GRANULE_14						\
	.pfn_mask = ARM64_ADDR_LOW(14),					\
	.leaf_shift = {							\
		[VMVIEW_LEVEL_PTE] = 14,				\
		[VMVIEW_LEVEL_PMD] = 25,				\
	}

/* LPA2 on: address bits 50..51 in bits 8..9; off: those are SH. */
#define VMV_ARM64_OA_true						\
	.pfn_high_mask = ARM64_LPA2_HIGH,				\
	.pfn_high_shift = ARM64_LPA2_HIGH_SHIFT
#define VMV_ARM64_OA_false						\
	.sh_mask = ARM64_SH

#define VMV_ARM64_COMMON_ENTRIES					\
	.devmap_mask = ARM64_DEVMAP,					\
	.swp_type_bits = 5,						\
	.swp_offset_bits = 50,						\
	.swp_exclusive_mask = ARM64_SWP_EXCLUSIVE,			\
	VMV_ARM64_MAIR

/*
 * The contiguous hint: an entry of an aligned run the kernel made
 * contiguous (CONT_PTES of them: 16 with 4 KiB pages, 128 with 16 KiB),
 * which the hardware may cache as one TLB entry.  Defined only on
 * architectures that have one: PID/mm then counts them.
 */
#define VMV_CONT_PTE		ARM64_CONT

/* --- what the decoder and the generic code ask of an entry -------------- */

/* The entry maps a frame: valid, or not valid but present (protnone). */
static inline bool vmv_entry_maps_frame(const struct vmv_layout *l, u64 e)
{
	return e & (ARM64_VALID | l->present_invalid_mask);
}

/*
 * The flags of a leaf that maps a frame, @huge above the last level
 * (a block), with its memory type.  Bit 11 is nG only in a valid entry
 * (in a 6.12 not-valid one it says present-invalid).
 */
static __always_inline u32 vmv_arm64_leaf_flags(const struct vmv_layout *l,
						u64 e, bool huge)
{
	bool valid = e & ARM64_VALID;
	u32 f;

	f = (u32)valid << VMVIEW_ARM64_F_VALID |
	    (u32)!!(e & ARM64_DBM) << VMVIEW_ARM64_F_DBM |
	    (u32)!!(e & ARM64_USER) << VMVIEW_ARM64_F_USER |
	    (u32)!!(e & ARM64_RDONLY) << VMVIEW_ARM64_F_RDONLY |
	    (u32)(valid && (e & ARM64_NG)) << VMVIEW_ARM64_F_NG |
	    (u32)!!(e & ARM64_AF) << VMVIEW_ARM64_F_AF |
	    /* pte_dirty(): software dirty, or writable and written */
	    (u32)((e & ARM64_SW_DIRTY) ||
		  (e & (ARM64_DBM | ARM64_RDONLY)) == ARM64_DBM) <<
		    VMVIEW_ARM64_F_DIRTY |
	    (u32)huge << VMVIEW_ARM64_F_BLOCK |
	    (u32)(l->sh_mask && (e & l->sh_mask) == l->sh_mask) <<
		    VMVIEW_ARM64_F_SH |
	    (u32)!!(e & ARM64_PXN) << VMVIEW_ARM64_F_PXN |
	    (u32)!!(e & ARM64_UXN) << VMVIEW_ARM64_F_UXN |
	    (u32)!!(e & ARM64_CONT) << VMVIEW_ARM64_F_CONT |
	    (u32)!!(e & ARM64_SPECIAL) << VMVIEW_ARM64_F_SPECIAL |
	    (u32)!!(e & l->uffd_wp_mask) << VMVIEW_ARM64_F_UFFD_WP |
	    (u32)!!(e & l->devmap_mask) << VMVIEW_ARM64_F_DEVMAP;
	/* pte_protnone(): present, not valid, PAGE_NONE's permissions */
	if (!valid && (e & (ARM64_USER | ARM64_UXN)) == ARM64_UXN)
		f |= VMV_FLAG(VMVIEW_ARM64_F_PROTNONE);
	return f | VMV_MT(l->mt[(e & ARM64_ATTRINDX_MASK) >>
				ARM64_ATTRINDX_SHIFT]);
}

/*
 * The flags of a leaf's bits 0..11 and of its bits 51..58, made from
 * vmv_arm64_leaf_flags() by vmv_decode_init(): the dump reads a PTE's
 * flags with two loads instead of a test a bit (measured with
 * BENCH_ICOUNT=1, Documentation/bench.rst).  The low table is indexed by
 * bits 0..11 and holds the memory type too (AttrIndx is bits 2..4); the
 * high one by bits 51..58 in index bits 3..10, with valid, user and
 * rdonly in index bits 0..2 for the flags that depend on bits of both
 * halves (dirty: dbm without rdonly; protnone: not valid, not user,
 * uxn).  Those three come from the low table's entry, which keeps them
 * in bits 29..31, the key (no flag or memory type is there): the high
 * index is then one shift and one or.  Both tables are made with every
 * bit the layout may have at its place (SH in bits 8..9, devmap 57,
 * uffd-wp 58), and a layout without one clears it from the index
 * (vmv_arm64_flag_bits()), and with the memory types of VMV_ARM64_MAIR:
 * vmv_check_format() holds every layout to the formats above, where
 * these bits are there or 0 and the memory types are those.  One
 * object, so that a loop keeps one address for both.
 */
#define ARM64_LOW_FLAG_BITS	(0xfffULL & ~ARM64_SH)
#define ARM64_HIGH_FLAG_BITS	(ARM64_DBM | ARM64_CONT | ARM64_PXN |	\
				 ARM64_UXN | ARM64_SW_DIRTY | ARM64_SPECIAL)
#define ARM64_HIGH_FLAG_SHIFT	48
#define ARM64_FLAG_KEY_SHIFT	29
struct vmv_arm64_pte_flags {
	u32 low[4096];
	u16 high[2048];
};

extern struct vmv_arm64_pte_flags vmv_arm64_pte_flags;

/* The bits of an entry the tables read, for layout @l. */
static __always_inline u64 vmv_arm64_flag_bits(const struct vmv_layout *l)
{
	return ARM64_LOW_FLAG_BITS | ARM64_HIGH_FLAG_BITS | l->sh_mask |
	       l->devmap_mask | l->uffd_wp_mask;
}

/* The key of the low table's entry for bits 0..11 @e: the high index's. */
static __always_inline u32 vmv_arm64_flag_key(u64 e)
{
	return ((e & ARM64_VALID) | (e & (ARM64_USER | ARM64_RDONLY)) >> 5) <<
	       ARM64_FLAG_KEY_SHIFT;
}

/*
 * What the inline helpers of a dump's loop read of a layout, taken once a
 * PTE table (vmv_pte_fast()) into a local: the loop then keeps it in
 * registers, where through vmv_layout it would load each field again
 * after every store into its buffer (which may alias anything).
 */
struct vmv_pte_fast {
	u64 normal_mask;	/* valid, special, devmap; 0: none is normal */
	u64 flag_bits;		/* vmv_arm64_flag_bits() */
	u64 pfn_mask;
	u64 pfn_high_mask;	/* moved by ARM64_LPA2_HIGH_SHIFT */
	u8 page_shift;
};

static __always_inline struct vmv_pte_fast
vmv_pte_fast(const struct vmv_layout *l)
{
	return (struct vmv_pte_fast){
		.normal_mask = ARM64_VALID | ARM64_SPECIAL | l->devmap_mask,
		.flag_bits = vmv_arm64_flag_bits(l),
		.pfn_mask = l->pfn_mask,
		.pfn_high_mask = l->pfn_high_mask,
		.page_shift = l->leaf_shift[VMVIEW_LEVEL_PTE],
	};
}

/* The frame a valid (or present-invalid) descriptor points to. */
static __always_inline u64 vmv_pte_pfn(const struct vmv_layout *l, u64 e)
{
	return ((e & l->pfn_mask) |
		(e & l->pfn_high_mask) << l->pfn_high_shift) >>
	       l->leaf_shift[VMVIEW_LEVEL_PTE];
}

/*
 * The same from the fast part: where a format has a high part it is
 * LPA2's, moved by ARM64_LPA2_HIGH_SHIFT (a constant: one register less
 * in the loop).
 */
static __always_inline u64 vmv_fast_pte_pfn(const struct vmv_pte_fast *f,
					    u64 e)
{
	return ((e & f->pfn_mask) |
		(e & f->pfn_high_mask) << ARM64_LPA2_HIGH_SHIFT) >>
	       f->page_shift;
}

/*
 * The flags of a present 4 KiB (or 16 KiB) PTE, valid or not, as
 * vmv_decode() gives them (vmv_arm64_leaf_flags(), not huge), for a
 * layout with the memory types of VMV_ARM64_MAIR (every one vmview
 * accepts).
 */
static __always_inline u32 vmv_fast_pte_flags(const struct vmv_pte_fast *f,
					      u64 e)
{
	u64 b = e & f->flag_bits;
	u32 low = vmv_arm64_pte_flags.low[b & 0xfff];

	return (low | vmv_arm64_pte_flags.high[b >> ARM64_HIGH_FLAG_SHIFT |
					       low >> ARM64_FLAG_KEY_SHIFT]) &
	       ~(~0U << ARM64_FLAG_KEY_SHIFT);
}

static __always_inline u32 vmv_pte_present_flags(const struct vmv_layout *l,
						 u64 e)
{
	struct vmv_pte_fast f = vmv_pte_fast(l);

	return vmv_fast_pte_flags(&f, e);
}

/*
 * A valid PTE that maps a normal page of its VMA as far as the entry
 * can tell: neither special (the zero page, PFN maps) nor devmap
 * (vm_normal_page()'s rule).
 */
static __always_inline bool vmv_fast_pte_normal(const struct vmv_pte_fast *f,
						u64 e)
{
	return (e & f->normal_mask) == ARM64_VALID;
}

static inline bool vmv_pte_present_normal(const struct vmv_layout *l, u64 e)
{
	struct vmv_pte_fast f = vmv_pte_fast(l);

	return vmv_fast_pte_normal(&f, e);
}

/* The same, counting protnone entries as mapped (smaps' Rss). */
static inline bool vmv_pte_maps_normal(const struct vmv_layout *l, u64 e)
{
	return vmv_entry_maps_frame(l, e) &&
	       !(e & (ARM64_SPECIAL | l->devmap_mask));
}

/* A valid, not special PTE, and whether it allows writes (pte_write()). */
static inline bool vmv_pte_present_plain(u64 e, bool *writable)
{
	*writable = e & ARM64_DBM;
	return (e & (ARM64_VALID | ARM64_SPECIAL)) == ARM64_VALID;
}

#endif /* _VMV_ARCH_ARM64_H */

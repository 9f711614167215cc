/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 page-table entries: the one place vmview knows their bits.
 *
 * Plain C (it builds into the module and into the host tests): the
 * decoder (arch/x86/decode.c) and the generic code's inline helpers below
 * read entries only through what this file defines and the data of
 * struct vmv_layout (decode.h), which the running kernel's constants
 * fill at load (arch/x86/layout.c) and the kernel's own constructors
 * check.
 *
 * Three entry formats, one set of low bits
 * (arch/x86/include/asm/pgtable_types.h):
 *
 *   bit  0 present    1 rw        2 user      3 pwt     4 pcd
 *   bit  5 accessed   6 dirty     7 pat (pte) / pse (pmd, pud)
 *   bit  8 global, or protnone when not present
 *   bit  9 special   10 uffd-wp  11 softdirty  12 pat (huge leaves)
 *
 * x86-64 (4 or 5 levels, pgtable_64.h): 64-bit entries, the frame in
 * bits 12..51 (21..51 in a 2 MiB pmd leaf, 30..51 in a 1 GiB pud leaf),
 * devmap and saved-dirty in bits 57/58 (which is which: vmv_layout), NX
 * bit 63.  Not present and not protnone, an entry is in swap format:
 * type in bits 59..63, the offset inverted in bits 9..58, and bits 1, 2
 * and 3 carry softdirty, uffd-wp and exclusive.  A non-present leaf
 * (protnone, or a THP pmd being split) keeps its PFN inverted (the L1TF
 * mitigation), as pte_pfn() undoes.
 *
 * i386 with PAE (3 levels, pgtable-3level.h): the same 64-bit entries
 * (physical mask 52 bits, NX bit 63, inverted PFNs and swap offsets,
 * type in bits 59..63) under a 4-entry pgd whose entries (the PDPTEs)
 * only point to pmd tables; 2 MiB leaves at the pmd.  swp_entry_t is 32
 * bits there, so an offset has at most 26 bits; soft-dirty, uffd-wp and
 * (on 6.1) the exclusive bit do not exist.
 *
 * i386 without PAE (2 levels, pgtable-2level.h): 32-bit entries, the
 * frame in bits 12..31, no NX bit, 4 MiB PSE leaves in the pgd (the pmd
 * is folded into it), nothing inverted, and a swap entry holds its type
 * in bits 1..5 and its offset in bits 9..31.
 */
#ifndef _VMV_ARCH_X86_H
#define _VMV_ARCH_X86_H

#include "decode.h"

/* The architecture of this decoder, as records name it, and its flags. */
#define VMV_ARCH		VMVIEW_ARCH_X86
#define VMV_ARCH_FLAGS		VMVIEW_FLAGS
/* The register that holds a process's top-level table. */
#define VMV_ARCH_ROOT		"cr3"

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
#define X86_NX			VMV_BIT(63)	/* x86-64 and PAE */

/*
 * The widest frame field of the three formats, bits 12..51: x86-64's
 * and PAE's PTE_PFN_MASK (both have a 52-bit physical mask), and a
 * superset of the 2-level format's bits 12..31 (its entries are 32 bits
 * wide, so nothing above is ever set).  The inline fast paths below use
 * it; vmv_decode() uses the layout's own pfn_mask.
 */
#define X86_PFN_MASK		((VMV_BIT(52) - 1) & ~(VMV_BIT(12) - 1))

/*
 * The three entry formats as arch/x86/layout.c fills struct vmv_layout
 * from the running kernel (which checks at load that they agree), as
 * designated initializers: for code that cannot ask the kernel, such as
 * vmview-cli reading a swap offset out of a raw entry, and for host
 * tests that need a layout but do not test its format
 * (tests/test_decode.c spells every format out bit by bit).  The swap
 * flags are those of Debian's kernels: x86-64 has all three since 5.19
 * (exclusive; soft-dirty and uffd-wp before), i386 none on 6.1.
 */
#define VMV_X86_64_ENTRIES						\
	VMV_X86_WIDE_ENTRIES(30, 50),					\
	.swp_soft_dirty_mask = X86_RW,					\
	.swp_uffd_wp_mask = X86_USER,					\
	.swp_exclusive_mask = X86_PWT

/* PAE: x86-64's entries, 2 MiB leaves only, 26-bit swap offsets. */
#define VMV_X86_PAE_ENTRIES	VMV_X86_WIDE_ENTRIES(0, 26)

/*
 * The 64-bit entries both share: 1 GiB leaves (@pud_shift, 0: none) and
 * the swap offset's width differ.
 */
#define VMV_X86_WIDE_ENTRIES(pud_shift, offset_bits)			\
	.pfn_mask = X86_PFN_MASK,					\
	.nx_mask = X86_NX,						\
	.none_mask = X86_ACCESSED | X86_DIRTY,				\
	.leaf_shift = {							\
		[VMVIEW_LEVEL_PTE] = 12,				\
		[VMVIEW_LEVEL_PMD] = 21,				\
		[VMVIEW_LEVEL_PUD] = (pud_shift),			\
	},								\
	.pfn_inverted = true,						\
	.swp_type_shift = 59,						\
	.swp_type_bits = 5,						\
	.swp_offset_shift = 9,						\
	.swp_offset_bits = (offset_bits),				\
	.swp_inverted = true

/* 2 levels: 32-bit entries, 4 MiB pgd leaves, nothing inverted. */
#define VMV_X86_2LEVEL_ENTRIES						\
	.pfn_mask = 0xfffff000ULL,					\
	.leaf_shift = {							\
		[VMVIEW_LEVEL_PTE] = 12,				\
		[VMVIEW_LEVEL_PGD] = 22,				\
	},								\
	.swp_type_shift = 1,						\
	.swp_type_bits = 5,						\
	.swp_offset_shift = 9,						\
	.swp_offset_bits = 23

/*
 * Which entry bits are which flags, as data (the shape of
 * arch/x86/mm/dump_pagetables.c and arch/arm64/mm/ptdump.c): flag
 * VMVIEW_F_<flag> is set when (entry & mask) == value.  Bits every present
 * (or protnone) leaf carries in all three formats; those only a 4 KiB PTE
 * has; those only a huge leaf has.  Bit 8 is global in a present entry
 * and says protnone in one that is not.  The bits that differ between
 * formats and kernels (NX, devmap, saved dirty, the swap format's) are
 * struct vmv_layout's.
 */
struct vmv_x86_bit {
	u64 mask;
	u64 value;
	u8 flag;
};

static const struct vmv_x86_bit vmv_x86_leaf_bits[] = {
	{ X86_PRESENT, X86_PRESENT, VMVIEW_F_PRESENT },
	{ X86_RW, X86_RW, VMVIEW_F_RW },
	{ X86_USER, X86_USER, VMVIEW_F_USER },
	{ X86_PWT, X86_PWT, VMVIEW_F_PWT },
	{ X86_PCD, X86_PCD, VMVIEW_F_PCD },
	{ X86_ACCESSED, X86_ACCESSED, VMVIEW_F_ACCESSED },
	{ X86_DIRTY, X86_DIRTY, VMVIEW_F_DIRTY },
	{ X86_SPECIAL, X86_SPECIAL, VMVIEW_F_SPECIAL },
	{ X86_UFFD_WP, X86_UFFD_WP, VMVIEW_F_UFFD_WP },
	{ X86_SOFT_DIRTY, X86_SOFT_DIRTY, VMVIEW_F_SOFTDIRTY },
	{ X86_PRESENT | X86_GLOBAL, X86_PRESENT | X86_GLOBAL, VMVIEW_F_GLOBAL },
	{ X86_PRESENT | X86_PROTNONE, X86_PROTNONE, VMVIEW_F_PROTNONE },
};

static const struct vmv_x86_bit vmv_x86_pte_bits[] = {
	{ X86_PAT, X86_PAT, VMVIEW_F_PAT },
};

static const struct vmv_x86_bit vmv_x86_huge_bits[] = {
	{ X86_PSE, X86_PSE, VMVIEW_F_PSE },
	{ X86_PAT_LARGE, X86_PAT_LARGE, VMVIEW_F_PAT },
};

/*
 * The flags a table gives @e.  Always inline with a constant table: the
 * compiler unrolls the loop and folds the table into a few tests.
 */
static __always_inline u32 vmv_x86_flags(u64 e, const struct vmv_x86_bit *t,
					 unsigned int n)
{
	unsigned int i;
	u32 f = 0;

	for (i = 0; i < n; i++)
		f |= (u32)((e & t[i].mask) == t[i].value) << t[i].flag;
	return f;
}

/*
 * The flags of a present (or protnone) leaf, a 4 KiB PTE or a huge one,
 * with the kernel-dependent bits of @l (saved dirty, devmap).
 */
static __always_inline u32 vmv_x86_leaf_flags(const struct vmv_layout *l,
					      u64 e, bool huge)
{
	u32 f = vmv_x86_flags(e, vmv_x86_leaf_bits,
			      ARRAY_SIZE(vmv_x86_leaf_bits));

	if (huge)
		f |= vmv_x86_flags(e, vmv_x86_huge_bits,
				   ARRAY_SIZE(vmv_x86_huge_bits));
	else
		f |= vmv_x86_flags(e, vmv_x86_pte_bits,
				   ARRAY_SIZE(vmv_x86_pte_bits));
	return f | (u32)!!(e & l->nx_mask) << VMVIEW_F_NX |
	       (u32)!!(e & l->saved_dirty_mask) << VMVIEW_F_DIRTY |
	       (u32)!!(e & l->devmap_mask) << VMVIEW_F_DEVMAP;
}

/* The flags of a swap-format entry: the layout says which bits are set. */
static inline u32 vmv_x86_swap_flags(const struct vmv_layout *l, u64 e)
{
	return (u32)!!(e & l->swp_soft_dirty_mask) << VMVIEW_F_SOFTDIRTY |
	       (u32)!!(e & l->swp_uffd_wp_mask) << VMVIEW_F_UFFD_WP |
	       (u32)!!(e & l->swp_exclusive_mask) << VMVIEW_F_EXCLUSIVE;
}

/* --- what the generic code asks of an entry ------------------------------ */

/*
 * What the inline helpers of a dump's loop read of a layout, taken once a
 * PTE table (vmv_pte_fast()) into a local: the loop then keeps it in
 * registers, where through vmv_layout it would load each field again
 * after every store into its buffer (which may alias anything).
 */
struct vmv_pte_fast {
	u64 normal_mask;	/* present, special, devmap; 0: none is normal */
	u64 nx_mask;
	u64 saved_dirty_mask;
	u64 devmap_mask;
};

static __always_inline struct vmv_pte_fast
vmv_pte_fast(const struct vmv_layout *l)
{
	return (struct vmv_pte_fast){
		.normal_mask = X86_PRESENT | X86_SPECIAL | l->devmap_mask,
		.nx_mask = l->nx_mask,
		.saved_dirty_mask = l->saved_dirty_mask,
		.devmap_mask = l->devmap_mask,
	};
}

/*
 * The frame of a present 4 KiB PTE, in any of the three formats (the
 * same bits in each: @f and @l are for the architectures where they
 * differ).
 */
static __always_inline u64 vmv_fast_pte_pfn(const struct vmv_pte_fast *f,
					    u64 e)
{
	return (e & X86_PFN_MASK) >> 12;
}

static __always_inline u64 vmv_pte_pfn(const struct vmv_layout *l, u64 e)
{
	return (e & X86_PFN_MASK) >> 12;
}

/*
 * The flags of bits 0..11 of a present 4 KiB PTE, made from the tables
 * above by vmv_decode_init(): one load instead of a test per table row
 * (about 140 guest instructions a page of a dump, measured with
 * BENCH_ICOUNT=1).  The tables hold nothing above bit 11; NX and the
 * kernel-dependent bits come from the layout.
 */
extern u32 vmv_x86_pte_low_flags[4096];

/* The flags of a present 4 KiB PTE (vmv_decode() gives the same). */
static __always_inline u32 vmv_fast_pte_flags(const struct vmv_pte_fast *f,
					      u64 e)
{
	return vmv_x86_pte_low_flags[e & 0xfff] |
	       (u32)!!(e & f->nx_mask) << VMVIEW_F_NX |
	       (u32)!!(e & f->saved_dirty_mask) << VMVIEW_F_DIRTY |
	       (u32)!!(e & f->devmap_mask) << VMVIEW_F_DEVMAP;
}

static __always_inline u32 vmv_pte_present_flags(const struct vmv_layout *l,
						 u64 e)
{
	struct vmv_pte_fast f = vmv_pte_fast(l);

	return vmv_fast_pte_flags(&f, e);
}

/* The entry maps a frame (present or protnone), at any level. */
static inline bool vmv_entry_maps_frame(const struct vmv_layout *l, u64 e)
{
	return e & (X86_PRESENT | X86_PROTNONE);
}

/*
 * A present PTE that maps a normal page of its VMA as far as the entry
 * can tell: neither special (the zero page, PFN maps) nor devmap
 * (vm_normal_page()'s rule; the devmap bit is kernel-dependent).
 */
static __always_inline bool vmv_fast_pte_normal(const struct vmv_pte_fast *f,
						u64 e)
{
	return (e & f->normal_mask) == X86_PRESENT;
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
	       !(e & (X86_SPECIAL | l->devmap_mask));
}

/* A present, not special PTE, and whether it allows writes. */
static inline bool vmv_pte_present_plain(u64 e, bool *writable)
{
	*writable = e & X86_RW;
	return (e & (X86_PRESENT | X86_SPECIAL)) == X86_PRESENT;
}

#endif /* _VMV_ARCH_X86_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode: raw page-table entry -> kind, PFN, swap type/offset and flags,
 * the same for every architecture.  The architecture's decoder
 * (arch/ARCH/decode.c) implements vmv_decode(); its vmv_arch.h has the
 * entry bits and the inline helpers the generic code uses.  Plain C, no
 * kernel state: the module fills a struct vmv_layout from the running
 * kernel's constants once at load (arch/ARCH/layout.c), and the host
 * tests fill it by hand for each kernel and entry format.
 */
#ifndef _VMV_DECODE_H
#define _VMV_DECODE_H

#include <uapi/vmview.h>

#include "vmv_types.h"

/*
 * Where an entry was found (enum vmview_level), what it is (enum
 * vmview_kind) and its flags (enum vmview_flag) are the ABI's own enums,
 * from include/uapi/vmview.h; their words (the names in ptes) are in
 * vmv_level_names[], vmv_kind_names[] and vmv_flag_names[] (fmt.c).
 */

#define VMV_FLAG(f)	(1U << (f))

/*
 * A decoded entry's flags word: the flags of its architecture's
 * vocabulary in bits 0..16 (VMV_FLAG(VMVIEW_F_*), or VMVIEW_ARM64_F_* on
 * arm64: the uapi header lists which numbers both share), and in bits
 * 24..26 the memory type of a present entry (enum vmview_mt; 0, none, on
 * x86).  One word, so that what a line's tail shows is one value.
 */
#define VMV_FLAGS_MASK		0x1ffffU
#define VMV_MT_SHIFT		24
#define VMV_MT_MASK		0x7U
#define VMV_MT(mt)		((u32)(mt) << VMV_MT_SHIFT)

static inline enum vmview_mt vmv_flags_mt(u32 flags)
{
	return (enum vmview_mt)((flags >> VMV_MT_SHIFT) & VMV_MT_MASK);
}

/*
 * What differs between kernels and paging modes, as data: the decoder
 * has no other source.  The module fills it once at load from the
 * running kernel's constants (arch/ARCH/layout.c), the host tests by hand
 * for each kernel and entry format they test.
 *
 * The kernel's special swap types (MAX_SWAPFILES and the ones after it;
 * VMV_NO_TYPE when the kernel has none) and the bits a PFN takes in a
 * swap entry's offset (SWP_PFN_BITS: 40 with 5-level paging, 34 with
 * 4-level, 26 with PAE, 20 without); the software bits that moved
 * (devmap: bit 58 on 6.1, 57 on 6.12; 6.12 keeps a written page's dirty
 * bit in "saved dirty", bit 58, when the page is write-protected).
 *
 * The entry format (arch/ARCH/vmv_arch.h describes the three of x86):
 * which bits of an entry hold a physical address, whether there is an
 * NX bit, at which levels a leaf may sit and how much it maps, where a
 * swap entry keeps its type and offset and whether the offset (and the
 * PFN of a non-present leaf) is stored inverted.  A level is named as
 * Linux names it (enum vmview_level): with 2-level paging a 4 MiB leaf
 * is a pgd entry.
 */
#define VMV_NO_TYPE	0xffU
struct vmv_layout {
	u8 max_swapfiles;
	u8 type_hwpoison;
	u8 type_migration_read;
	u8 type_migration_read_exclusive;
	u8 type_migration_write;
	u8 type_device_private_read;
	u8 type_device_private_write;
	u8 type_device_exclusive_read;
	u8 type_device_exclusive_write;
	u8 type_marker;
	u8 type_swapin_error;		/* 6.1's poison marker */
	u8 swp_pfn_bits;
	u64 devmap_mask;
	u64 saved_dirty_mask;		/* 0 when the kernel has none */

	/* The entry format. */
	u64 pfn_mask;		/* PTE_PFN_MASK: the frame's address bits */
	u64 nx_mask;		/* _PAGE_NX, 0 without one */
	u64 none_mask;		/* bits pte_none() ignores (A, D: KNL) */
	/* log2 of what a leaf at each level maps; 0: only tables there */
	u8 leaf_shift[VMVIEW_NR_LEVELS];
	bool pfn_inverted;	/* non-present leaves keep ~PFN (L1TF) */
	u8 swp_type_shift;	/* the swap type: bits shift.. */
	u8 swp_type_bits;	/*   ..shift + bits - 1 */
	u8 swp_offset_shift;	/* the offset: bits shift.. */
	u8 swp_offset_bits;	/*   ..shift + bits - 1 */
	bool swp_inverted;	/* the offset is stored inverted (L1TF) */
	u64 swp_soft_dirty_mask;	/* _PAGE_SWP_SOFT_DIRTY, or 0 */
	u64 swp_uffd_wp_mask;		/* _PAGE_SWP_UFFD_WP, or 0 */
	u64 swp_exclusive_mask;		/* _PAGE_SWP_EXCLUSIVE, or 0 */

	/*
	 * arm64's descriptors (arch/arm64/vmv_arch.h), 0 on x86: the
	 * output address bits 50..51 that LPA2 keeps in bits 8..9
	 * (PTE_ADDR_HIGH, moved up by PTE_ADDR_HIGH_SHIFT) when it is
	 * enabled at boot, the shareability bits when they are not that,
	 * the bits that keep a not-valid entry present (6.12:
	 * PTE_PRESENT_INVALID; 6.1: PTE_PROT_NONE and
	 * PMD_PRESENT_INVALID), the uffd-wp bit of a present entry, and
	 * which memory type (enum vmview_mt) each AttrIndx is in the
	 * kernel's MAIR_EL1.
	 */
	u64 pfn_high_mask;
	u8 pfn_high_shift;
	u64 sh_mask;
	u64 present_invalid_mask;
	u64 uffd_wp_mask;
	u8 mt[8];
};

struct vmv_decoded {
	enum vmview_kind kind;
	u64 pfn;		/* frame, or VMVIEW_NO_PFN */
	u32 flags;		/* VMV_FLAG(VMVIEW_F_*) | VMV_MT(mt) */
	u8 swap_type;		/* for swap-format entries */
	u64 swap_offset;	/* for swap-format entries */
	u8 page_shift;		/* size mapped by a leaf: 12, 21, 22 or 30 */
	bool writable;		/* a present leaf allows writes */
};

/*
 * Name of a kind ("present", "swap", ...), of a level ("pte", ...), of a
 * flag of this architecture (VMV_ARCH_FLAGS, vmv_arch.h: both
 * vocabularies have VMVIEW_NR_FLAGS words) and of a memory type.
 */
extern const char * const vmv_kind_names[VMVIEW_NR_KINDS];
extern const char * const vmv_level_names[VMVIEW_NR_LEVELS];
extern const char * const vmv_flag_names[VMVIEW_NR_FLAGS];
extern const char * const vmv_mt_names[VMVIEW_NR_MTS];

/*
 * The kind of a swap-format entry of swap @type: a swap entry below
 * max_swapfiles, else the special type it is (a marker or 6.1's swap-in
 * error when none matches).  Every architecture's decoder asks this.
 */
static inline enum vmview_kind vmv_swap_kind(const struct vmv_layout *l,
					     u8 type)
{
	if (type < l->max_swapfiles)
		return VMVIEW_KIND_SWAP;
	if (type == l->type_migration_read ||
	    type == l->type_migration_read_exclusive ||
	    type == l->type_migration_write)
		return VMVIEW_KIND_MIGRATION;
	if (type == l->type_device_private_read ||
	    type == l->type_device_private_write)
		return VMVIEW_KIND_DEVICE_PRIVATE;
	if (type == l->type_device_exclusive_read ||
	    type == l->type_device_exclusive_write)
		return VMVIEW_KIND_DEVICE_EXCLUSIVE;
	if (type == l->type_hwpoison)
		return VMVIEW_KIND_HWPOISON;
	return VMVIEW_KIND_MARKER;	/* marker, swapin error */
}

/* What an empty entry decodes to; every decoder starts from it. */
static inline void vmv_decoded_none(struct vmv_decoded *d)
{
	memset(d, 0, sizeof(*d));
	d->kind = VMVIEW_KIND_NONE;
	d->pfn = VMVIEW_NO_PFN;
}

/*
 * Decode one entry found at a level (its Linux name: the level of a
 * folded one is the level above).  A pte is a leaf; an entry at another
 * level where the layout allows leaves (leaf_shift) is one when PSE is
 * set (or, not present, when it holds a swap-format entry), a table
 * otherwise; elsewhere (pgd, p4d on x86-64) entries are only tables.
 */
void vmv_decode(const struct vmv_layout *l, u64 entry, enum vmview_level level,
		struct vmv_decoded *d);

/* Make the decoder's tables (arch/ARCH/decode.c); once, before decoding. */
void vmv_decode_init(void);

/*
 * Build an entry's swap-format bits as the layout stores them (for tests
 * and for checks at load); offset bits the entry cannot hold are dropped.
 */
u64 vmv_swp_entry(const struct vmv_layout *l, u8 type, u64 offset);

#endif /* _VMV_DECODE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode: raw page-table entry -> kind, PFN, swap type/offset and flags,
 * the same for every architecture.  The architecture's decoder
 * (arch/ARCH/decode.c) implements vmv_decode(); its vmv_arch.h has the
 * entry bits and the inline helpers the generic code uses.  Plain C, no
 * kernel state: the module fills a struct vmv_layout from the running
 * kernel's constants once at load (arch/ARCH/layout.c), and the host
 * tests fill it for 6.1 and 6.12 by hand.
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
 * What differs between kernels: the swap types the kernel reserves for
 * special entries (MAX_SWAPFILES and the ones after it; VMV_NO_TYPE when
 * the kernel has none), the bits a PFN takes in a swap entry's offset
 * (SWP_PFN_BITS: 40 with 5-level paging, 34 with 4-level), and the
 * software bits that moved (devmap: bit 58 on 6.1, 57 on 6.12; 6.12
 * keeps a written page's dirty bit in "saved dirty", bit 58, when the
 * page is write-protected).
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
};

struct vmv_decoded {
	enum vmview_kind kind;
	u64 pfn;		/* frame, or VMVIEW_NO_PFN */
	u32 flags;		/* VMV_FLAG(VMVIEW_F_*) */
	u8 swap_type;		/* for swap-format entries */
	u64 swap_offset;	/* for swap-format entries */
	u8 page_shift;		/* size mapped by a leaf: 12, 21 or 30 */
	bool writable;		/* a present leaf allows writes */
};

/* Name of a kind ("present", "swap", ...) and of a level ("pte", ...). */
extern const char * const vmv_kind_names[VMVIEW_NR_KINDS];
extern const char * const vmv_level_names[VMVIEW_NR_LEVELS];
extern const char * const vmv_flag_names[VMVIEW_NR_FLAGS];

/*
 * Decode one entry found at a level.  Upper levels (pgd, p4d) only hold
 * tables; pud and pmd entries are leaves when PSE is set (or, not
 * present, when they hold a swap-format entry), tables otherwise.
 */
void vmv_decode(const struct vmv_layout *l, u64 entry, enum vmview_level level,
		struct vmv_decoded *d);

/* Make the decoder's tables (arch/ARCH/decode.c); once, before decoding. */
void vmv_decode_init(void);

/* Build an entry's swap-format bits (for tests and for checks at load). */
u64 vmv_swp_entry(u8 type, u64 offset);

#endif /* _VMV_DECODE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode: raw x86-64 page-table entry -> kind, PFN, swap type/offset and
 * flags.  Plain C, no kernel state: the module fills a struct vmv_layout
 * from the running kernel's constants once at load, and the host tests
 * fill it for 6.1 and 6.12 by hand.
 */
#ifndef _VMV_DECODE_H
#define _VMV_DECODE_H

#include <uapi/vmview.h>

#include "vmv_types.h"

/*
 * Where an entry was found, what it is, and its flags: the lists of
 * include/uapi/vmview.h, so the module's numbers are the ABI's.  Names
 * (the words of ptes) in vmv_level_names[], vmv_kind_names[] and
 * vmv_flag_names[].
 */
#define VMV_ENUM_LEVEL(name, word)	VMV_LEVEL_##name,
#define VMV_ENUM_KIND(name, word)	VMV_KIND_##name,
#define VMV_ENUM_FLAG(name, word)	VMV_F_##name,

enum vmv_level { VMVIEW_LEVELS(VMV_ENUM_LEVEL) VMV_NR_LEVELS };
enum vmv_kind { VMVIEW_KINDS(VMV_ENUM_KIND) VMV_NR_KINDS };
enum vmv_flag { VMVIEW_FLAGS(VMV_ENUM_FLAG) VMV_NR_FLAGS };

#define VMV_FLAG(f)	(1U << (f))
#define VMV_NO_PFN	(~0ULL)

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
	enum vmv_kind kind;
	u64 pfn;		/* frame, or VMV_NO_PFN */
	u32 flags;		/* VMV_FLAG(VMV_F_*) */
	u8 swap_type;		/* for swap-format entries */
	u64 swap_offset;	/* for swap-format entries */
	u8 page_shift;		/* size mapped by a leaf: 12, 21 or 30 */
	bool writable;		/* a present leaf allows writes */
};

/* Name of a kind ("present", "swap", ...) and of a level ("pte", ...). */
extern const char * const vmv_kind_names[VMV_NR_KINDS];
extern const char * const vmv_level_names[VMV_NR_LEVELS];
extern const char * const vmv_flag_names[VMV_NR_FLAGS];

/*
 * Decode one entry found at a level.  Upper levels (pgd, p4d) only hold
 * tables; pud and pmd entries are leaves when PSE is set (or, not
 * present, when they hold a swap-format entry), tables otherwise.
 */
void vmv_decode(const struct vmv_layout *l, u64 entry, enum vmv_level level,
		struct vmv_decoded *d);

/*
 * A present 4 KiB PTE, the case of nearly every leaf of a dump, without
 * the struct: its frame and its flags (as vmv_decode() gives them for
 * kind VMV_KIND_PRESENT at VMV_LEVEL_PTE; tests/test_fmt.c checks that
 * they agree).  Bits 0..6 (present .. dirty) and 11 (soft-dirty) are
 * flags of the same numbers; PAT (7) and global (8) move up by one;
 * special (9) and uffd-wp (10) by three; NX is bit 63.
 */
#define VMV_PTE_PFN(e)	(((e) & (((u64)1 << 52) - 1)) >> 12)

static inline u32 vmv_pte_present_flags(const struct vmv_layout *l, u64 e)
{
	return (u32)(e & 0x87f) | (u32)(e & 0x180) << 1 |
	       (u32)(e & 0x600) << 3 | (u32)(e >> 63) << VMV_F_NX |
	       (u32)!!(e & l->saved_dirty_mask) << VMV_F_DIRTY |
	       (u32)!!(e & l->devmap_mask) << VMV_F_DEVMAP;
}

/* Build an entry's swap-format bits (for tests and for checks at load). */
u64 vmv_swp_entry(u8 type, u64 offset);

#endif /* _VMV_DECODE_H */

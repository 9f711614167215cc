/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmview: what the module, vmview-cli and the tests share.
 *
 * Only fixed-size __u64 fields, so that the layout is the same for every
 * compiler and architecture.  See Documentation/vmview.rst.
 */
#ifndef _UAPI_VMVIEW_H
#define _UAPI_VMVIEW_H

#include <linux/types.h>

#define VMVIEW_DEBUGFS_DIR	"/sys/kernel/debug/vmview"
#define VMVIEW_PROC_STATUS	"/proc/vmview"

/*
 * PID/ptes.bin: the records of PID/ptes in binary, one struct vmview_pte
 * per non-empty leaf, in ascending address order, no header.  Like the
 * text file it can be read in chunks of any size; the stream is a
 * sequence of 32-byte records.
 *
 *   vaddr   the first virtual address the leaf maps
 *   entry   the raw page-table entry
 *   pfn     the frame for present, protnone, migration, device and
 *           hwpoison entries; the swap offset for swap entries;
 *           VMVIEW_NO_PFN for markers
 *   meta    the rest, in bit fields:
 *
 *   bits  0..7   kind     VMVIEW_KIND_*
 *   bits  8..11  level    VMVIEW_LEVEL_* (pte, pmd or pud)
 *   bit  12      page     the page fields below are valid
 *   bits 13..17  order    the folio's order
 *   bits 18..22  swap     the swap type (non-present kinds)
 *   bits 23..39  flags    VMVIEW_F_* of the entry (bit 23 + n for flag n)
 *   bits 40..53  pflags   VMVIEW_P_* of the page (bit 40 + n for flag n)
 *   bits 54..63  mapcount the page's mapcount, saturating at 1023
 */
struct vmview_pte {
	__u64 vaddr;
	__u64 entry;
	__u64 pfn;
	__u64 meta;
};

#define VMVIEW_NO_PFN			(~0ULL)

#define VMVIEW_META_KIND_SHIFT		0
#define VMVIEW_META_KIND_MASK		0xffULL
#define VMVIEW_META_LEVEL_SHIFT		8
#define VMVIEW_META_LEVEL_MASK		0xfULL
#define VMVIEW_META_PAGE		(1ULL << 12)
#define VMVIEW_META_ORDER_SHIFT		13
#define VMVIEW_META_ORDER_MASK		0x1fULL
#define VMVIEW_META_SWAP_SHIFT		18
#define VMVIEW_META_SWAP_MASK		0x1fULL
#define VMVIEW_META_FLAGS_SHIFT		23
#define VMVIEW_META_FLAGS_MASK		0x1ffffULL
#define VMVIEW_META_PFLAGS_SHIFT	40
#define VMVIEW_META_PFLAGS_MASK		0x3fffULL
#define VMVIEW_META_MAPCOUNT_SHIFT	54
#define VMVIEW_META_MAPCOUNT_MASK	0x3ffULL

/* Kinds, levels and flag numbers: the order of the words in ptes. */
enum vmview_kind {
	VMVIEW_KIND_NONE,
	VMVIEW_KIND_TABLE,
	VMVIEW_KIND_PRESENT,
	VMVIEW_KIND_PROTNONE,
	VMVIEW_KIND_SWAP,
	VMVIEW_KIND_MIGRATION,
	VMVIEW_KIND_DEVICE_PRIVATE,
	VMVIEW_KIND_DEVICE_EXCLUSIVE,
	VMVIEW_KIND_HWPOISON,
	VMVIEW_KIND_MARKER,
};

enum vmview_level {
	VMVIEW_LEVEL_PTE,
	VMVIEW_LEVEL_PMD,
	VMVIEW_LEVEL_PUD,
};

/* Entry flags: present, rw, user, pwt, pcd, accessed, dirty, pse, pat,
 * global, nx, softdirty, special, uffd-wp, devmap, protnone, exclusive.
 */
enum vmview_flag {
	VMVIEW_F_PRESENT,
	VMVIEW_F_RW,
	VMVIEW_F_USER,
	VMVIEW_F_PWT,
	VMVIEW_F_PCD,
	VMVIEW_F_ACCESSED,
	VMVIEW_F_DIRTY,
	VMVIEW_F_PSE,
	VMVIEW_F_PAT,
	VMVIEW_F_GLOBAL,
	VMVIEW_F_NX,
	VMVIEW_F_SOFTDIRTY,
	VMVIEW_F_SPECIAL,
	VMVIEW_F_UFFD_WP,
	VMVIEW_F_DEVMAP,
	VMVIEW_F_PROTNONE,
	VMVIEW_F_EXCLUSIVE,
};

/* Page flags: anon, file, ksm, zero, lru, active, referenced,
 * unevictable, mlocked, swapcache, swapbacked, dirty, writeback, large.
 */
enum vmview_page_flag {
	VMVIEW_P_ANON,
	VMVIEW_P_FILE,
	VMVIEW_P_KSM,
	VMVIEW_P_ZERO,
	VMVIEW_P_LRU,
	VMVIEW_P_ACTIVE,
	VMVIEW_P_REFERENCED,
	VMVIEW_P_UNEVICTABLE,
	VMVIEW_P_MLOCKED,
	VMVIEW_P_SWAPCACHE,
	VMVIEW_P_SWAPBACKED,
	VMVIEW_P_DIRTY,
	VMVIEW_P_WRITEBACK,
	VMVIEW_P_LARGE,
};

#endif /* _UAPI_VMVIEW_H */

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
 *   bits  8..11  level    VMVIEW_LEVEL_* (a leaf's: pte, pmd or pud; pgd
 *                         for i386's 4 MiB leaves without PAE)
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

/*
 * Kinds, levels, entry flags and page flags, each listed once as
 * X(NAME, "word"): the word is what PID/ptes prints, the position is the
 * number in meta (and in the enums below).  The module's own enums and
 * every name table (module, vmview-cli, the tests) are made from these
 * lists, so a number and its word cannot drift apart.  New entries go at
 * the end of a list.
 */
#define VMVIEW_KINDS(X)							\
	X(NONE, "none")							\
	X(TABLE, "table")						\
	X(PRESENT, "present")						\
	X(PROTNONE, "protnone")						\
	X(SWAP, "swap")							\
	X(MIGRATION, "migration")					\
	X(DEVICE_PRIVATE, "device-private")				\
	X(DEVICE_EXCLUSIVE, "device-exclusive")				\
	X(HWPOISON, "hwpoison")						\
	X(MARKER, "marker")

/* Where an entry was found: leaves are at pte, pmd or pud. */
#define VMVIEW_LEVELS(X)						\
	X(PTE, "pte")							\
	X(PMD, "pmd")							\
	X(PUD, "pud")							\
	X(P4D, "p4d")							\
	X(PGD, "pgd")

/* Flags of an entry (x86): present ones, then exclusive (swap format). */
#define VMVIEW_FLAGS(X)							\
	X(PRESENT, "present")						\
	X(RW, "rw")							\
	X(USER, "user")							\
	X(PWT, "pwt")							\
	X(PCD, "pcd")							\
	X(ACCESSED, "accessed")						\
	X(DIRTY, "dirty")						\
	X(PSE, "pse")							\
	X(PAT, "pat")							\
	X(GLOBAL, "global")						\
	X(NX, "nx")							\
	X(SOFTDIRTY, "softdirty")					\
	X(SPECIAL, "special")						\
	X(UFFD_WP, "uffd-wp")						\
	X(DEVMAP, "devmap")						\
	X(PROTNONE, "protnone")						\
	X(EXCLUSIVE, "exclusive")

/* Flags of the struct page a present entry maps. */
#define VMVIEW_PFLAGS(X)						\
	X(ANON, "anon")							\
	X(FILE, "file")							\
	X(KSM, "ksm")							\
	X(ZERO, "zero")							\
	X(LRU, "lru")							\
	X(ACTIVE, "active")						\
	X(REFERENCED, "referenced")					\
	X(UNEVICTABLE, "unevictable")					\
	X(MLOCKED, "mlocked")						\
	X(SWAPCACHE, "swapcache")					\
	X(SWAPBACKED, "swapbacked")					\
	X(DIRTY, "dirty")						\
	X(WRITEBACK, "writeback")					\
	X(LARGE, "large")

/*
 * A list's words as an array initializer, indexed by number:
 *   const char * const kind_names[] = VMVIEW_NAMES(VMVIEW_KINDS);
 */
#define VMVIEW_WORD(name, word)		word,
#define VMVIEW_NAMES(list)		{ list(VMVIEW_WORD) }

#define __VMVIEW_KIND(name, word)	VMVIEW_KIND_##name,
#define __VMVIEW_LEVEL(name, word)	VMVIEW_LEVEL_##name,
#define __VMVIEW_F(name, word)		VMVIEW_F_##name,
#define __VMVIEW_P(name, word)		VMVIEW_P_##name,

enum vmview_kind { VMVIEW_KINDS(__VMVIEW_KIND) VMVIEW_NR_KINDS };
enum vmview_level { VMVIEW_LEVELS(__VMVIEW_LEVEL) VMVIEW_NR_LEVELS };
enum vmview_flag { VMVIEW_FLAGS(__VMVIEW_F) VMVIEW_NR_FLAGS };
enum vmview_pflag { VMVIEW_PFLAGS(__VMVIEW_P) VMVIEW_NR_PFLAGS };

#endif /* _UAPI_VMVIEW_H */

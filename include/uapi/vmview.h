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
 *   bits  0..3   kind     VMVIEW_KIND_*
 *   bits  4..7   arch     VMVIEW_ARCH_*: whose entry format and flags
 *                         (0 is x86: a record of an x86 kernel is the
 *                         same as before the field existed)
 *   bits  8..11  level    VMVIEW_LEVEL_* (a leaf's: pte, pmd or pud; pgd
 *                         for i386's 4 MiB leaves without PAE)
 *   bit  12      page     the page fields below are valid
 *   bits 13..17  order    the folio's order
 *   bits 18..22  swap     the swap type (swap-format kinds: swap to
 *                         marker); the memory type VMVIEW_MT_* (present
 *                         and protnone kinds; 0 where the architecture
 *                         does not report one, as on x86)
 *   bits 23..39  flags    the entry's flags in the vocabulary of its
 *                         arch, bit 23 + n for flag n: VMVIEW_F_* (x86),
 *                         VMVIEW_ARM64_F_* (arm64)
 *   bits 40..53  pflags   VMVIEW_P_* of the page (bit 40 + n for flag n)
 *   bits 54..63  mapcount the page's mapcount, saturating at 1023
 *
 * PID/ptes's gen= (a folio's MGLRU generation, 0 to VMVIEW_NR_GENS - 1)
 * is not in the record: all 64 bits of meta are taken, and a wider
 * record would break every reader for a value that only matters while
 * reclaim is watched.
 */
struct vmview_pte {
	__u64 vaddr;
	__u64 entry;
	__u64 pfn;
	__u64 meta;
};

#define VMVIEW_NO_PFN			(~0ULL)
/* MGLRU's generations at a time (the kernel's MAX_NR_GENS): gen= < this */
#define VMVIEW_NR_GENS			4

#define VMVIEW_META_KIND_SHIFT		0
#define VMVIEW_META_KIND_MASK		0xfULL
#define VMVIEW_META_ARCH_SHIFT		4
#define VMVIEW_META_ARCH_MASK		0xfULL
#define VMVIEW_META_LEVEL_SHIFT		8
#define VMVIEW_META_LEVEL_MASK		0xfULL
#define VMVIEW_META_PAGE		(1ULL << 12)
#define VMVIEW_META_ORDER_SHIFT		13
#define VMVIEW_META_ORDER_MASK		0x1fULL
#define VMVIEW_META_SWAP_SHIFT		18
#define VMVIEW_META_SWAP_MASK		0x1fULL
#define VMVIEW_META_MT_SHIFT		VMVIEW_META_SWAP_SHIFT
#define VMVIEW_META_MT_MASK		VMVIEW_META_SWAP_MASK
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

/* The architecture a record's entry and flags belong to. */
#define VMVIEW_ARCHS(X)							\
	X(X86, "x86")							\
	X(ARM64, "arm64")

/*
 * Flags of an entry, one vocabulary per architecture, each of at most 17
 * flags.  Where the two mean the same they have the same number, so code
 * that asks only those may use the VMVIEW_F_* names on either:
 *
 *   0 present / valid     1 rw / dbm (the kernel's write permission)
 *   2 user                5 accessed / af      6 dirty
 *   7 pse / block (a huge leaf)                10 nx / uxn (no user exec)
 *   12 special  13 uffd-wp  14 devmap  15 protnone  16 exclusive
 *
 * x86: present ones, then exclusive (swap format).
 */
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

/*
 * arm64 (arch/arm64/include/asm/pgtable-hwdef.h, pgtable-prot.h): the
 * descriptor's bits as the architecture names them (AP[2] rdonly, AP[1]
 * user, SH inner shareable, nG, AF, DBM, the contiguous hint, PXN, UXN),
 * "block" for a block descriptor (a leaf above the last level), then the
 * kernel's software bits.  "dbm" is PTE_WRITE: the kernel's write
 * permission; "dirty" is pte_dirty(): the software dirty bit, or dbm
 * without rdonly (written since it was made writable).
 */
#define VMVIEW_ARM64_FLAGS(X)						\
	X(VALID, "valid")						\
	X(DBM, "dbm")							\
	X(USER, "user")							\
	X(RDONLY, "rdonly")						\
	X(NG, "ng")							\
	X(AF, "af")							\
	X(DIRTY, "dirty")						\
	X(BLOCK, "block")						\
	X(SH, "sh")							\
	X(PXN, "pxn")							\
	X(UXN, "uxn")							\
	X(CONT, "cont")							\
	X(SPECIAL, "special")						\
	X(UFFD_WP, "uffd-wp")						\
	X(DEVMAP, "devmap")						\
	X(PROTNONE, "protnone")						\
	X(EXCLUSIVE, "exclusive")

/*
 * The memory type of a present entry (arm64: its AttrIndx read through
 * the kernel's MAIR_EL1 layout); 0 when not reported.
 */
#define VMVIEW_MTS(X)							\
	X(NONE, "-")							\
	X(NORMAL, "normal")						\
	X(NORMAL_TAGGED, "normal-tagged")				\
	X(NORMAL_NC, "normal-nc")					\
	X(DEVICE_NGNRNE, "device-ngnrne")				\
	X(DEVICE_NGNRE, "device-ngnre")

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
#define __VMVIEW_ARM64_F(name, word)	VMVIEW_ARM64_F_##name,
#define __VMVIEW_ARCH(name, word)	VMVIEW_ARCH_##name,
#define __VMVIEW_MT(name, word)		VMVIEW_MT_##name,
#define __VMVIEW_P(name, word)		VMVIEW_P_##name,

enum vmview_kind { VMVIEW_KINDS(__VMVIEW_KIND) VMVIEW_NR_KINDS };
enum vmview_level { VMVIEW_LEVELS(__VMVIEW_LEVEL) VMVIEW_NR_LEVELS };
enum vmview_flag { VMVIEW_FLAGS(__VMVIEW_F) VMVIEW_NR_FLAGS };
enum vmview_arm64_flag {
	VMVIEW_ARM64_FLAGS(__VMVIEW_ARM64_F) VMVIEW_ARM64_NR_FLAGS
};
enum vmview_arch { VMVIEW_ARCHS(__VMVIEW_ARCH) VMVIEW_NR_ARCHS };
enum vmview_mt { VMVIEW_MTS(__VMVIEW_MT) VMVIEW_NR_MTS };
enum vmview_pflag { VMVIEW_PFLAGS(__VMVIEW_P) VMVIEW_NR_PFLAGS };

#endif /* _UAPI_VMVIEW_H */

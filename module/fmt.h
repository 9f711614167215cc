/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fmt: vmview's text output, without printf in the hot path.  Plain C:
 * builds into the module and into the host tests.
 *
 * A ptes line (Documentation/vmview.rst has the full contract):
 *   VADDR LEVEL ENTRY KIND pfn=PFN [swap=TYPE:OFFSET] flags=F,...
 *         [page=P,... order=N mapcount=N]
 * for example
 *   0x00007f1234560000 pte 0x8000000012345867 present pfn=0x12345
 *     flags=present,rw,user,accessed,dirty,nx,softdirty
 *     page=anon,lru,swapbacked order=0 mapcount=1
 * (one line).  VADDR and ENTRY are 0x and 16 hex digits; PFN is 0x-hex
 * or "-"; TYPE is decimal and OFFSET 0x-hex; an empty flag list is "-".
 */
#ifndef _VMV_FMT_H
#define _VMV_FMT_H

#include <uapi/vmview.h>

#include "decode.h"

/* Flags of the struct page an entry maps; names in vmv_page_flag_names[]. */
enum vmv_page_flag {
	VMV_P_ANON,
	VMV_P_FILE,
	VMV_P_KSM,
	VMV_P_ZERO,
	VMV_P_LRU,
	VMV_P_ACTIVE,
	VMV_P_REFERENCED,
	VMV_P_UNEVICTABLE,
	VMV_P_MLOCKED,
	VMV_P_SWAPCACHE,
	VMV_P_SWAPBACKED,
	VMV_P_DIRTY,
	VMV_P_WRITEBACK,
	VMV_P_LARGE,
	VMV_NR_PAGE_FLAGS,
};

extern const char * const vmv_page_flag_names[VMV_NR_PAGE_FLAGS];

/* What the module learnt of the struct page behind a present entry. */
struct vmv_page_info {
	bool valid;		/* false: no struct page (or it was unstable) */
	u32 flags;		/* VMV_FLAG(VMV_P_*) */
	u8 order;		/* folio order */
	int mapcount;		/* the page's mapcount */
};

/*
 * What a dump remembers between lines: the last line's tail (from
 * " flags=" to the newline) and what it was made of.  Neighbouring
 * entries nearly always share it.  Zero the cache before the first line.
 */
struct vmv_fmt_cache {
	u32 flags, pflags;
	int mapcount;
	u8 order;
	bool valid, pvalid;
	u16 len;
	char tail[256];
};

/* Longest line vmv_fmt_pte() can produce, newline included. */
#define VMV_PTE_LINE_MAX 384

/*
 * Format one ptes line (with its newline) into buf, which must hold
 * VMV_PTE_LINE_MAX bytes.  pi may be NULL.  Returns the length.
 */
size_t vmv_fmt_pte(char *buf, u64 vaddr, enum vmv_level level, u64 entry,
		   const struct vmv_decoded *d, const struct vmv_page_info *pi);
/* The same, with a cache kept across the lines of one dump (c may be NULL). */
size_t vmv_fmt_pte_cached(struct vmv_fmt_cache *c, char *buf, u64 vaddr,
			  enum vmv_level level, u64 entry,
			  const struct vmv_decoded *d,
			  const struct vmv_page_info *pi);

/* The same leaf as one PID/ptes.bin record (include/uapi/vmview.h). */
void vmv_fmt_rec(struct vmview_pte *rec, u64 vaddr, enum vmv_level level,
		 u64 entry, const struct vmv_decoded *d,
		 const struct vmv_page_info *pi);

/* Make formatting fast (tables); call once before the first line. */
void vmv_fmt_init(void);

/* Small pieces, also used elsewhere; each returns the bytes written. */
size_t vmv_fmt_hex(char *buf, u64 v, unsigned int min_digits);
size_t vmv_fmt_dec(char *buf, u64 v);
/* names[i] for each set bit i of mask, comma-separated; "-" if none. */
size_t vmv_fmt_names(char *buf, u32 mask, const char * const *names,
		     unsigned int nr);

#endif /* _VMV_FMT_H */

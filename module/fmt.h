/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fmt: vmview's text output, without printf in the hot path.  Plain C:
 * builds into the module and into the host tests.
 *
 * A ptes line (Documentation/vmview.rst has the full contract):
 *   VADDR LEVEL ENTRY KIND pfn=PFN [swap=TYPE:OFFSET] flags=F,... [mt=M]
 *         [page=P,... order=N mapcount=N [gen=G]]
 * for example
 *   0x00007f1234560000 pte 0x8000000012345867 present pfn=0x12345
 *     flags=present,rw,user,accessed,dirty,nx,softdirty
 *     page=anon,lru,swapbacked order=0 mapcount=1
 * (one line).  VADDR and ENTRY are 0x and 16 hex digits; PFN is 0x-hex
 * or "-"; TYPE is decimal and OFFSET 0x-hex; an empty flag list is "-";
 * M, a present entry's memory type, only where the architecture has one
 * (arm64); G, the folio's generation on the multi-generational LRU, only
 * for a folio on one of its lists.
 */
#ifndef _VMV_FMT_H
#define _VMV_FMT_H

#include <uapi/vmview.h>

#include "decode.h"
#include "vmv_arch.h"

/* Flags of the struct page an entry maps (enum vmview_pflag); names: */
extern const char * const vmv_page_flag_names[VMVIEW_NR_PFLAGS];

/* What the module learnt of the struct page behind a present entry. */
struct vmv_page_info {
	bool valid;		/* false: no struct page (or it was unstable) */
	u32 flags;		/* VMV_FLAG(VMVIEW_P_*) */
	u8 order;		/* folio order */
	int mapcount;		/* the page's mapcount */
	/*
	 * 1 + the folio's MGLRU generation (0..MAX_NR_GENS - 1), as the
	 * kernel keeps it in the flags word; 0: on no MGLRU list (MGLRU
	 * off or not built, or the folio is off the LRU), and gen= is
	 * left out.
	 */
	u8 lru_gen;
};

/*
 * What a dump remembers between lines: the last line's tail (from
 * " flags=" to the newline) and what it was made of.  Neighbouring
 * entries nearly always share it.  Zero the cache before the first line.
 */
struct vmv_fmt_cache {
	u32 flags, pflags;
	int mapcount;
	u8 order, lru_gen;
	bool valid, pvalid;
	u16 len;
	char tail[288];	/* the longest tail vmv_fmt_tail() can make: 279 */
};

/* Longest line vmv_fmt_pte() can produce, newline included. */
#define VMV_PTE_LINE_MAX 384

/*
 * Format one ptes line (with its newline) into buf, which must hold
 * VMV_PTE_LINE_MAX bytes.  pi may be NULL.  Returns the length.
 */
size_t vmv_fmt_pte(char *buf, u64 vaddr, enum vmview_level level, u64 entry,
		   const struct vmv_decoded *d, const struct vmv_page_info *pi);
/* The same, with a cache kept across the lines of one dump (c may be NULL). */
size_t vmv_fmt_pte_cached(struct vmv_fmt_cache *c, char *buf, u64 vaddr,
			  enum vmview_level level, u64 entry,
			  const struct vmv_decoded *d,
			  const struct vmv_page_info *pi);

/* The same leaf as one PID/ptes.bin record (include/uapi/vmview.h). */
void vmv_fmt_rec(struct vmview_pte *rec, u64 vaddr, enum vmview_level level,
		 u64 entry, const struct vmv_decoded *d,
		 const struct vmv_page_info *pi);

/* The page fields of a record's meta (pi valid). */
static inline u64 vmv_rec_page_meta(const struct vmv_page_info *pi)
{
	u32 mapcount = pi->mapcount < 0 ? 0 : pi->mapcount;

	if (mapcount > VMVIEW_META_MAPCOUNT_MASK)
		mapcount = VMVIEW_META_MAPCOUNT_MASK;
	return VMVIEW_META_PAGE |
	       ((u64)pi->order & VMVIEW_META_ORDER_MASK) <<
	       VMVIEW_META_ORDER_SHIFT |
	       ((u64)pi->flags & VMVIEW_META_PFLAGS_MASK) <<
	       VMVIEW_META_PFLAGS_SHIFT |
	       (u64)mapcount << VMVIEW_META_MAPCOUNT_SHIFT;
}

/* A record's meta without the page fields. */
static inline u64 vmv_rec_meta(enum vmview_kind kind, enum vmview_level level,
			       u32 flags)
{
	return (u64)kind << VMVIEW_META_KIND_SHIFT |
	       (u64)VMV_ARCH << VMVIEW_META_ARCH_SHIFT |
	       (u64)level << VMVIEW_META_LEVEL_SHIFT |
	       (u64)vmv_flags_mt(flags) << VMVIEW_META_MT_SHIFT |
	       (u64)(flags & VMV_FLAGS_MASK) << VMVIEW_META_FLAGS_SHIFT;
}

/* Write a record: @meta from vmv_rec_meta(), the page fields from @pi. */
static inline void vmv_rec_put(struct vmview_pte *rec, u64 vaddr, u64 entry,
			       u64 pfn, u64 meta,
			       const struct vmv_page_info *pi)
{
	rec->vaddr = vaddr;
	rec->entry = entry;
	rec->pfn = pfn;
	rec->meta = meta | (pi && pi->valid ? vmv_rec_page_meta(pi) : 0);
}

/*
 * vmv_fmt_rec() for a present base-page PTE with the frame of
 * vmv_pte_pfn() and the flags of vmv_pte_present_flags(), inline: the loop of a dump calls nothing.
 */
static inline void vmv_rec_present_pte(struct vmview_pte *rec, u64 vaddr,
				       u64 entry, u64 pfn, u32 flags,
				       const struct vmv_page_info *pi)
{
	vmv_rec_put(rec, vaddr, entry, pfn,
		    vmv_rec_meta(VMVIEW_KIND_PRESENT, VMVIEW_LEVEL_PTE, flags), pi);
}

/* Make formatting fast (tables); call once before the first line. */
void vmv_fmt_init(void);

/* Small pieces, also used elsewhere; each returns the bytes written. */
size_t vmv_fmt_hex(char *buf, u64 v, unsigned int min_digits);
size_t vmv_fmt_dec(char *buf, u64 v);
/* names[i] for each set bit i of mask, comma-separated; "-" if none. */
size_t vmv_fmt_names(char *buf, u32 mask, const char * const *names,
		     unsigned int nr);

/*
 * A present 4 KiB PTE's line (vmv_fmt_pte_cached() with kind present,
 * level pte and the flags of vmv_pte_present_flags()), built with 8-byte
 * stores: the hex fields by nibble arithmetic, the constant words and
 * the cached tail a word at a time.  It may write up to 7 bytes past the
 * line's end (the buffer holds VMV_PTE_LINE_MAX).  Inline: a dump's
 * loop calls nothing for such a line unless its tail changed.
 * Little-endian only (x86 and Debian's arm64, like the rest of vmview).
 */
static inline void vmv_put8(char *p, u64 v)
{
	memcpy(p, &v, 8);
}

static inline u64 vmv_get8(const char *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

/* The 8 hex digits of v, the first (most significant) in the low byte. */
static inline u64 vmv_hex8(u32 v)
{
	u64 x = v;

	x = (x & 0xffff0000ULL) << 16 | (x & 0xffffULL);
	x = (x & 0x0000ff000000ff00ULL) << 8 | (x & 0x000000ff000000ffULL);
	x = (x & 0x00f000f000f000f0ULL) << 4 | (x & 0x000f000f000f000fULL);
	/* each byte a nibble, the last digit first; 10..15 -> 'a'..'f' */
	x += 0x3030303030303030ULL +
	     0x27 * (((x + 0x0606060606060606ULL) >> 4) &
		     0x0101010101010101ULL);
	return __builtin_bswap64(x);
}

/* Does the cached tail belong to these flags and this page? */
static inline bool vmv_fmt_cache_hit(const struct vmv_fmt_cache *c, u32 flags,
				     const struct vmv_page_info *pi)
{
	bool pvalid = pi && pi->valid;

	return c->valid && c->flags == flags && c->pvalid == pvalid &&
	       (!pvalid || (c->pflags == pi->flags && c->order == pi->order &&
			    c->mapcount == pi->mapcount &&
			    c->lru_gen == pi->lru_gen));
}

/* Make the cached tail the one of these flags and this page (pi: NULL). */
void vmv_fmt_cache_fill(struct vmv_fmt_cache *c, u32 flags,
			const struct vmv_page_info *pi);

static inline size_t vmv_fmt_present_pte(struct vmv_fmt_cache *c, char *buf,
					 u64 vaddr, u64 entry, u64 pfn,
					 u32 flags,
					 const struct vmv_page_info *pi)
{
	char *p = buf;
	unsigned int i, n;

	memcpy(p, "0x", 2);
	vmv_put8(p + 2, vmv_hex8(vaddr >> 32));
	vmv_put8(p + 10, vmv_hex8(vaddr));
	vmv_put8(p + 18, vmv_get8(" pte 0x "));
	vmv_put8(p + 25, vmv_hex8(entry >> 32));
	vmv_put8(p + 33, vmv_hex8(entry));
	vmv_put8(p + 41, vmv_get8(" present"));
	vmv_put8(p + 49, vmv_get8(" pfn=0x "));
	p += 56;
	if (pfn >> 32) {
		p += vmv_fmt_hex(p, pfn, 1);
	} else {
		n = pfn ? (67 - __builtin_clzll(pfn)) / 4 : 1;
		vmv_put8(p, vmv_hex8(pfn) >> (8 * (8 - n)));
		p += n;
	}
	if (!vmv_fmt_cache_hit(c, flags, pi))
		vmv_fmt_cache_fill(c, flags, pi);
	for (i = 0; i < c->len; i += 8)
		vmv_put8(p + i, vmv_get8(c->tail + i));
	return p + c->len - buf;
}

#endif /* _VMV_FMT_H */

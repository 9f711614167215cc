// SPDX-License-Identifier: GPL-2.0
/*
 * format.c: text and JSON forms of the parsed records, shared by the
 * commands: sizes in human units, the ptes row (with its ten-letter flag
 * mask, legend in Documentation/vmview-cli.rst, and on arm64 the memory
 * type last), the JSON objects of a ptes line and of a VMA, and colours
 * (only when vmv_opts.color is set).  The ptes row and an entry's
 * streamed JSON (vmv_pte_jw()) are made for every entry of a process,
 * so without printf and without allocating.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vmview-cli.h"

/* 0B, 4K, 1.5M, 2G: one decimal at most, none when it is .0 (lsmem). */
char *vmv_size(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	unsigned int u = 0;
	uint64_t div = 1, tenths;

	while (u + 1 < sizeof(units) - 1 && bytes >= div * 1024) {
		div *= 1024;
		u++;
	}
	if (!u) {
		snprintf(buf, len, "%" PRIu64 "B", bytes);
		return buf;
	}
	/* rounded to the nearest tenth, without overflowing */
	tenths = bytes / div * 10 + ((bytes % div) * 10 + div / 2) / div;
	if (tenths % 10)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", tenths / 10,
			 tenths % 10, units[u]);
	else
		snprintf(buf, len, "%" PRIu64 "%c", tenths / 10, units[u]);
	return buf;
}

/*
 * Ten letters, one place each, '-' when clear:
 *   p present (n: protnone)  w rw  u user  a accessed  d dirty
 *   h huge leaf (pse)  x executable (nx clear)  s softdirty  g global
 *   e exclusive (swap and migration entries)
 * arm64 has the same places in its own words (vmv_pte_flag()): w dbm
 * (the kernel's write permission) or valid and not rdonly, a af, h block,
 * x uxn clear, g ng clear; it has no soft-dirty bit, so its place shows
 * c, the contiguous hint (cont).
 */
void vmv_flag_letters(char *buf, const struct vmv_pte *pte)
{
	/* the flag of each place; present and x are decided below */
	static const signed char place_flag[10] = {
		-1, VMVIEW_F_RW, VMVIEW_F_USER, VMVIEW_F_ACCESSED,
		VMVIEW_F_DIRTY, VMVIEW_F_PSE, -1, VMVIEW_F_SOFTDIRTY,
		VMVIEW_F_GLOBAL, VMVIEW_F_EXCLUSIVE,
	};
	bool arm64 = pte->arch == VMVIEW_ARCH_ARM64;
	const char *letters = arm64 ? "pwuadhxcge" : "pwuadhxsge";
	uint32_t x86 = vmv_pte_x86_flags(pte);
	bool present = vmv_pte_present(pte);
	int i;

	for (i = 0; i < 10; i++) {
		bool set = place_flag[i] >= 0 && (x86 >> place_flag[i] & 1);

		if (arm64 && i == 7)
			set = pte->flag_bits >> VMVIEW_ARM64_F_CONT & 1;
		buf[i] = set ? letters[i] : '-';
	}
	buf[10] = '\0';
	if (present)
		buf[0] = (x86 >> VMVIEW_F_PROTNONE & 1) ||
			 vmv_pte_kind_is(pte, VMVIEW_KIND_PROTNONE) ? 'n' : 'p';
	if (present && !(x86 >> VMVIEW_F_NX & 1))
		buf[6] = 'x';
}

/* What a page is, first of its kinds: anon, file, ksm, zero. */
static const char *page_kind(const struct vmv_pte *pte)
{
	static const enum vmview_pflag kinds[] = {
		VMVIEW_P_ZERO, VMVIEW_P_KSM, VMVIEW_P_ANON, VMVIEW_P_FILE
	};
	size_t i;

	if (!pte->has_page)
		return "";
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (pte->page_bits >> kinds[i] & 1)
			return vmv_page_flag_names[kinds[i]];
	return "other";
}

/*
 * The row is made by hand, not by snprintf(): ptes makes one for every
 * entry, and printf's parsing of the format was most of its time.
 */

/* "000102...ff": two hex digits a byte */
#define HEX16(h)	h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" \
			h "8" h "9" h "a" h "b" h "c" h "d" h "e" h "f"
static const char hex_pairs[] =
	HEX16("0") HEX16("1") HEX16("2") HEX16("3") HEX16("4") HEX16("5")
	HEX16("6") HEX16("7") HEX16("8") HEX16("9") HEX16("a") HEX16("b")
	HEX16("c") HEX16("d") HEX16("e") HEX16("f");

/*
 * Hex digits of v, at least min of them (zeros in front); returns the
 * end.  Two digits at a time: three of them a row, for every entry.
 */
static char *put_hex(char *p, uint64_t v, int min)
{
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1, i;

	if (n < min)
		n = min;
	for (i = n; i >= 2; i -= 2) {
		memcpy(p + i - 2, hex_pairs + 2 * (v & 0xff), 2);
		v >>= 8;
	}
	if (i)
		p[0] = hex_pairs[2 * (v & 0xf) + 1];
	return p + n;
}

/*
 * n bytes from s to p, 8 at a time: up to 7 more are read from s and
 * written to p (both have room for them).  For the few bytes of a row's
 * parts and an entry's JSON, not a call of memcpy() for each: a call
 * costs more than a few words take.  Long parts go to memcpy().
 */
static inline char *put_words(char *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 8)
		memcpy(p + i, s + i, 8);
	return p + n;
}

/* s, then blanks to width (printf's %-*s); returns the end. */
static char *put_left(char *p, const char *s, size_t width)
{
	const char *start = p;

	/* words are short: by hand, not strlen() and memcpy() */
	while (*s)
		*p++ = *s++;
	while ((size_t)(p - start) < width)
		*p++ = ' ';
	return p;
}

/* Blanks to width, then s (printf's %*s). */
static char *put_right(char *p, const char *s, size_t width)
{
	size_t n = strlen(s);

	for (; n < width; width--)
		*p++ = ' ';
	memcpy(p, s, n);
	return p + n;
}

/* v in decimal (printf's %d); returns the end. */
static char *put_dec(char *p, int v)
{
	char tmp[12];
	unsigned int u = v < 0 ? -(unsigned int)v : (unsigned int)v;
	int n = 0;

	do {
		tmp[n++] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		*p++ = '-';
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* The PFN/SWAP column: "1234a", "0:3f" (swap type:offset) or "-". */
static void pfn_col(char *buf, size_t len, const struct vmv_pte *pte)
{
	char *p = buf;

	(void)len;	/* 32 bytes: 10 digits, ":", 16 hex digits */
	if (pte->pfn != VMVIEW_NO_PFN) {
		p = put_hex(p, pte->pfn, 1);
	} else if (pte->has_swap) {
		p = put_dec(p, pte->swap_type);	/* < 32 */
		*p++ = ':';
		p = put_hex(p, pte->swap_offset, 1);
	} else {
		*p++ = '-';
	}
	*p = '\0';
}

#define PTE_ROW "%-12s  %-3s %-16s %-8s %-11s %-10s %-7s %4s"

/*
 * The header over vmv_fmt_pte_row()'s rows; on arm64 a last column, the
 * memory type.
 */
void vmv_pte_header(char *buf, size_t len)
{
	snprintf(buf, len, PTE_ROW "%s", "ADDRESS", "LVL", "ENTRY", "KIND",
		 "PFN/SWAP", "FLAGS", "PAGE", "MAPS",
		 vmv_arch() == VMVIEW_ARCH_ARM64 ? " MT" : "");
}

/*
 * The row from its FLAGS column to its end (flags, page, maps, memory
 * type), trailing blanks and all; returns the end.  It follows from the
 * entry's numbers alone (struct vmv_pte_key).
 */
static char *row_tail(char *p, const struct vmv_pte *pte)
{
	char page[32], maps[16], *q;

	vmv_flag_letters(p, pte);
	p += 10;
	*p++ = ' ';
	/* PAGE, MAPS: the kind, ":ORDER" for a large folio; the mapcount */
	q = page;
	if (pte->has_page) {
		q = put_left(q, page_kind(pte), 0);
		if (pte->order > 0) {
			*q++ = ':';
			q = put_dec(q, pte->order);
		}
	}
	*q = '\0';
	p = put_left(p, page, 7);
	*p++ = ' ';
	q = maps;
	if (pte->has_page && pte->mapcount >= 0)
		q = put_dec(q, pte->mapcount);
	*q = '\0';
	p = put_right(p, maps, 4);
	if (*pte->mt) {
		*p++ = ' ';
		p = put_left(p, pte->mt, 0);
	}
	return p;
}

/* Does k say what pte's numbers say (its row and JSON are k's)? */
static bool same_key(const struct vmv_pte_key *k, const struct vmv_pte *pte)
{
	return k->flag_bits == pte->flag_bits &&
	       k->page_bits == pte->page_bits &&
	       k->kind_nr == pte->kind_nr && k->level_nr == pte->level_nr &&
	       k->arch == pte->arch && k->order == pte->order &&
	       k->mapcount == pte->mapcount && k->has_page == pte->has_page &&
	       k->has_swap == pte->has_swap && k->has_gen == pte->has_gen &&
	       k->gen == pte->gen && k->mt[0] == pte->mt[0] &&
	       (!k->mt[0] || !strcmp(k->mt, pte->mt));
}

static void set_key(struct vmv_pte_key *k, const struct vmv_pte *pte)
{
	k->flag_bits = pte->flag_bits;
	k->page_bits = pte->page_bits;
	k->kind_nr = pte->kind_nr;
	k->level_nr = pte->level_nr;
	k->arch = pte->arch;
	k->order = pte->order;
	k->mapcount = pte->mapcount;
	k->has_page = pte->has_page;
	k->has_swap = pte->has_swap;
	k->has_gen = pte->has_gen;
	k->gen = pte->gen;
	snprintf(k->mt, sizeof(k->mt), "%s", pte->mt);
}

/*
 * ADDRESS, LVL, ENTRY, KIND, PFN/SWAP (pfn: the column's text, pfn_len
 * bytes, readable 8 bytes at a time), then FLAGS to the end from c, in
 * buf: 256 bytes, the longest row (16 + 8 + 16 + 32 + 28 + 128) and
 * what the 8-byte copies and the 16 blanks write past a part (the next
 * part overwrites it); the row's length.  The blanks are one store where
 * a byte-by-byte pad to 11 cost an entry 58 of its 538 instructions
 * (callgrind, 2^16 entries of a fake tree).
 */
static size_t row_emit(char *buf, const struct vmv_pte_cache *c,
		       uint64_t vaddr, uint64_t entry, const char *pfn,
		       size_t pfn_len)
{
	static const char blanks[16] = "                ";
	char *p = buf;

	p = put_hex(p, vaddr, 12);
	p = put_words(p, c->lvl, c->lvl_len);
	p = put_hex(p, entry, 16);
	p = put_words(p, c->kind, c->kind_len);
	/* PFN/SWAP, blanks to 11 (16 written: the tail overwrites them) */
	put_words(p, pfn, pfn_len);
	memcpy(p + pfn_len, blanks, sizeof(blanks));
	p += pfn_len < 11 ? 11 : pfn_len;
	*p++ = ' ';
	p = put_words(p, c->tail, c->tail_len);
	*p = '\0';
	return p - buf;
}

size_t vmv_fmt_pte_row_again(char *buf, const struct vmv_pte_cache *c,
			     uint64_t vaddr, uint64_t entry, uint64_t pfn)
{
	char col[24];
	size_t n = 1;

	if (pfn == VMVIEW_NO_PFN)
		col[0] = '-';
	else
		n = put_hex(col, pfn, 1) - col;
	return row_emit(buf, c, vaddr, entry, col, n);
}

/*
 * One row under vmv_pte_header(), no newline: its columns as PTE_ROW
 * and the memory type, without trailing blanks.  Returns its length
 * (cut to len - 1 as snprintf would).
 */
size_t vmv_fmt_pte_row(char *buf, size_t len, const struct vmv_pte *pte)
{
	struct vmv_pte_cache c;

	c.row_ok = false;
	return vmv_fmt_pte_row_cached(buf, len, pte, &c);
}

/*
 * The same, what follows from the entry's numbers (the level, the kind,
 * and FLAGS to the end) taken from c when the entry before had the same
 * numbers, else made and kept in c.
 */
size_t vmv_fmt_pte_row_cached(char *buf, size_t len, const struct vmv_pte *pte,
			      struct vmv_pte_cache *c)
{
	char row[256], pfn[32], *p, *t;
	size_t n;

	if (!c->row_ok || !same_key(&c->row_key, pte)) {
		set_key(&c->row_key, pte);
		/* the words fit: level 3 bytes, kind and mt under 24 */
		p = c->lvl;
		*p++ = ' ';
		*p++ = ' ';
		p = put_left(p, pte->level, 3);
		*p++ = ' ';
		c->lvl_len = p - c->lvl;
		p = c->kind;
		*p++ = ' ';
		p = put_left(p, pte->kind, 8);
		*p++ = ' ';
		c->kind_len = p - c->kind;
		/* no trailing blanks: the flag letters are never blank */
		t = row_tail(c->tail, pte);
		while (t > c->tail && t[-1] == ' ')
			t--;
		c->tail_len = t - c->tail;
		c->row_ok = true;
	}
	pfn_col(pfn, sizeof(pfn), pte);
	if (len >= sizeof(row))
		return row_emit(buf, c, pte->vaddr, pte->entry, pfn,
				strlen(pfn));
	n = row_emit(row, c, pte->vaddr, pte->entry, pfn, strlen(pfn));
	if (!len)
		return 0;
	if (n >= len)
		n = len - 1;
	memcpy(buf, row, n);
	buf[n] = '\0';
	return n;
}

/* In words, for the faults walk-through: "pte present pfn 0x1234a rw". */
void vmv_fmt_pte_where(char *buf, size_t len, const struct vmv_pte *pte)
{
	char pfn[24];

	pfn_col(pfn, sizeof(pfn), pte);
	snprintf(buf, len, "%s %s %s%s flags=%s%s%s%s%s", pte->level,
		 pte->kind, pte->pfn != VMVIEW_NO_PFN ? "pfn=0x" :
		 pte->has_swap ? "swap=" : "pfn=", pfn, pte->flags,
		 *pte->mt ? " mt=" : "", pte->mt,
		 pte->has_page ? " page=" : "", pte->has_page ? pte->page : "");
}

struct json_object *vmv_pte_json(const struct vmv_pte *pte)
{
	struct json_object *o = json_object_new_object();

	vmv_json_add_hex(o, "vaddr", pte->vaddr);
	vmv_json_add_str(o, "level", pte->level);
	vmv_json_add_hex(o, "entry", pte->entry);
	vmv_json_add_str(o, "kind", pte->kind);
	vmv_json_add_u64(o, "size_bytes", vmv_pte_size(pte));
	vmv_json_add(o, "pfn", pte->pfn == VMVIEW_NO_PFN ? NULL :
		     vmv_json_hex(pte->pfn));
	if (pte->has_swap) {
		struct json_object *s = json_object_new_object();

		vmv_json_add_u64(s, "type", pte->swap_type);
		vmv_json_add_hex(s, "offset", pte->swap_offset);
		vmv_json_add(o, "swap", s);
	}
	vmv_json_add(o, "flags", vmv_json_list(pte->flags));
	/* a memory type: arm64's present entries only */
	if (*pte->mt)
		vmv_json_add_str(o, "mt", pte->mt);
	if (pte->has_page) {
		struct json_object *pg = json_object_new_object();

		vmv_json_add(pg, "flags", vmv_json_list(pte->page));
		vmv_json_add_i64(pg, "order", pte->order);
		vmv_json_add_i64(pg, "mapcount", pte->mapcount);
		if (pte->has_gen)
			vmv_json_add_u64(pg, "gen", pte->gen);
		vmv_json_add(o, "page", pg);
	} else {
		vmv_json_add(o, "page", NULL);
	}
	return o;
}

/* From "flags" on: the members that follow the PFN and a swap entry's swap. */
static void pte_jw_rest(struct vmv_jw *w, const struct vmv_pte *pte)
{
	vmv_jw_words(w, "flags", pte->flags);
	if (*pte->mt)
		vmv_jw_str(w, "mt", pte->mt);
	if (pte->has_page) {
		vmv_jw_open(w, "page", '{');
		vmv_jw_words(w, "flags", pte->page);
		vmv_jw_i64(w, "order", pte->order);
		vmv_jw_i64(w, "mapcount", pte->mapcount);
		vmv_jw_close(w, '}');
	} else {
		vmv_jw_null(w, "page");
	}
}

/* What scratch made since the last cut, as c's segment i; false if too long. */
static bool jw_cut(struct vmv_pte_cache *c, int i, struct vmv_jw *scratch)
{
	/* 8 bytes to spare: put_words() reads up to 7 more */
	if (scratch->n + 8 > sizeof(c->seg[i]))
		return false;
	memcpy(c->seg[i], scratch->buf, scratch->n);
	c->seg_len[i] = scratch->n;
	scratch->n = 0;
	return true;
}

/*
 * c's segments for pte's numbers, made by a writer in w's place (w has
 * just opened the entry's object): everything but the values of
 * "vaddr", "entry" and "pfn".  False when they do not fit.
 */
static bool jw_segments(struct vmv_pte_cache *c, const struct vmv_jw *w,
			const struct vmv_pte *pte)
{
	static struct vmv_jw s;	/* an entry's members fit in its buffer */

	s.f = NULL;
	s.pretty = w->pretty;
	s.level = w->level;
	s.first = true;
	s.n = 0;
	c->json_ok = false;
	vmv_jw_key(&s, "vaddr");
	if (!jw_cut(c, 0, &s))
		return false;
	vmv_jw_str(&s, "level", pte->level);
	vmv_jw_key(&s, "entry");
	if (!jw_cut(c, 1, &s))
		return false;
	vmv_jw_str(&s, "kind", pte->kind);
	vmv_jw_u64(&s, "size_bytes", vmv_pte_size(pte));
	vmv_jw_key(&s, "pfn");
	if (!jw_cut(c, 2, &s))
		return false;
	pte_jw_rest(&s, pte);
	if (!jw_cut(c, 3, &s))
		return false;
	set_key(&c->json_key, pte);
	c->pretty = w->pretty;
	c->level = w->level;
	c->json_ok = true;
	return true;
}

/* A segment of c, then v as vmv_jw_hex() writes it ("0x..."); the end. */
static char *jw_seg_hex(char *p, const struct vmv_pte_cache *c, int i,
			uint64_t v)
{
	p = put_words(p, c->seg[i], c->seg_len[i]);
	*p++ = '"';
	*p++ = '0';
	*p++ = 'x';
	p = put_hex(p, v, 1);
	*p++ = '"';
	return p;
}

void vmv_pte_jw_again(struct vmv_jw *w, const struct vmv_pte_cache *c,
		      uint64_t vaddr, uint64_t entry, uint64_t pfn)
{
	/* the segments, the values and 8 bytes for put_words() */
	size_t need = c->seg_len[0] + c->seg_len[1] + c->seg_len[2] +
		      c->seg_len[3] + 3 * 24 + 8;
	char *p;

	/* straight into w's buffer (less than 4.2 KiB of its 64 KiB) */
	if (w->n + need > sizeof(w->buf))
		vmv_jw_flush(w);
	p = w->buf + w->n;
	p = jw_seg_hex(p, c, 0, vaddr);
	p = jw_seg_hex(p, c, 1, entry);
	if (pfn == VMVIEW_NO_PFN) {
		p = put_words(p, c->seg[2], c->seg_len[2]);
		memcpy(p, "null", 4);
		p += 4;
	} else {
		p = jw_seg_hex(p, c, 2, pfn);
	}
	/*
	 * The long last segment (flags, page: 150 bytes and more) by
	 * memcpy(): 58 instructions an entry fewer than 8 bytes at a time
	 * (callgrind, 2^16 entries of a fake tree: 601 to 543).
	 */
	p = mempcpy(p, c->seg[3], c->seg_len[3]);
	w->n = p - w->buf;
	w->first = false;
}

/*
 * The members of vmv_pte_json()'s object, in its order, written by w
 * into the object it has open (ptes adds "symbol", then closes it): the
 * streamed form of ptes' entries (json.c).  The host tests hold the two
 * to the same bytes for every kind of entry.
 */
void vmv_pte_jw(struct vmv_jw *w, const struct vmv_pte *pte)
{
	struct vmv_pte_cache c;

	c.json_ok = false;
	vmv_pte_jw_cached(w, pte, &c);
}

/*
 * The same, all but the three values copied from c's segments when the
 * entry before had the same numbers (else made and kept in c): an entry
 * of a swap kind (its swap object in the middle), or one too long for
 * c, is written member by member (and c's json_ok is then false).
 */
void vmv_pte_jw_cached(struct vmv_jw *w, const struct vmv_pte *pte,
		       struct vmv_pte_cache *c)
{
	if (!pte->has_swap && w->first &&
	    ((c->json_ok && c->pretty == w->pretty && c->level == w->level &&
	      same_key(&c->json_key, pte)) || jw_segments(c, w, pte))) {
		vmv_pte_jw_again(w, c, pte->vaddr, pte->entry, pte->pfn);
		return;
	}
	/* c's json_ok: c holds what the last entry printed */
	c->json_ok = false;
	vmv_jw_hex(w, "vaddr", pte->vaddr);
	vmv_jw_str(w, "level", pte->level);
	vmv_jw_hex(w, "entry", pte->entry);
	vmv_jw_str(w, "kind", pte->kind);
	vmv_jw_u64(w, "size_bytes", vmv_pte_size(pte));
	if (pte->pfn == VMVIEW_NO_PFN)
		vmv_jw_null(w, "pfn");
	else
		vmv_jw_hex(w, "pfn", pte->pfn);
	if (pte->has_swap) {
		vmv_jw_open(w, "swap", '{');
		vmv_jw_u64(w, "type", pte->swap_type);
		vmv_jw_hex(w, "offset", pte->swap_offset);
		vmv_jw_close(w, '}');
	}
	pte_jw_rest(w, pte);
}

/* A verify's counts and mismatches, added to o. */
void vmv_verify_json_add(struct json_object *o, const struct vmv_verify *v)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	vmv_json_add_u64(o, "checked", v->checked);
	vmv_json_add_u64(o, "mismatches", v->mismatches);
	vmv_json_add_u64(o, "resynced", v->resynced);
	for (i = 0; i < v->n; i++) {
		struct json_object *m = json_object_new_object();

		vmv_json_add_hex(m, "vaddr", v->v[i].vaddr);
		vmv_json_add_str(m, "walk", v->v[i].walk);
		vmv_json_add_str(m, "shadow", v->v[i].shadow);
		json_object_array_add(a, m);
	}
	vmv_json_add(o, "list", a);
}

struct json_object *vmv_vma_json(const struct vmv_vma *vma)
{
	struct json_object *o = json_object_new_object();
	char dev[16];

	snprintf(dev, sizeof(dev), "%02x:%02x", vma->dev_major,
		 vma->dev_minor);
	vmv_json_add_hex(o, "start", vma->start);
	vmv_json_add_hex(o, "end", vma->end);
	vmv_json_add_u64(o, "size_bytes", vma->end - vma->start);
	vmv_json_add_str(o, "perms", vma->perms);
	vmv_json_add_u64(o, "offset", vma->pgoff);
	vmv_json_add_str(o, "dev", dev);
	vmv_json_add_u64(o, "inode", vma->inode);
	vmv_json_add_u64(o, "rss_pages", vma->rss);
	vmv_json_add_u64(o, "swap_pages", vma->swap);
	vmv_json_add_u64(o, "thp_pmds", vma->thp);
	vmv_json_add(o, "flags", vmv_json_list(vma->flags));
	vmv_json_add_str(o, "name", vma->name);
	return o;
}

/* Hex digits the widest address takes (at least 12). */
int vmv_addr_digits(const struct vmv_vmas *vmas)
{
	int digits = 12;
	size_t i;

	for (i = 0; i < vmas->n; i++) {
		uint64_t a = vmas->v[i].end - 1;
		int d = 0;

		while (a) {
			d++;
			a >>= 4;
		}
		if (d > digits)
			digits = d;
	}
	return digits;
}

const char *vmv_color(const char *what)
{
	static const struct {
		const char *what, *esc;
	} colors[] = {
		{ "reset", "\033[0m" },
		{ "bold", "\033[1m" },
		{ "dim", "\033[2m" },
		{ "resident", "\033[32m" },
		{ "huge", "\033[35m" },
		{ "swap", "\033[33m" },
		{ "zero", "\033[36m" },
		{ "ok", "\033[1;32m" },
		{ "fail", "\033[1;31m" },
		{ "skip", "\033[1;33m" },
	};
	size_t i;

	if (!vmv_opts.color)
		return "";
	for (i = 0; i < ARRAY_SIZE(colors); i++)
		if (!strcmp(colors[i].what, what))
			return colors[i].esc;
	return "";
}

void vmv_print_wrapped(const char *indent, const char *text, int width)
{
	vmv_fprint_wrapped(stdout, indent, text, width);
}

/*
 * Print text to f after indent, broken at spaces to fit width columns;
 * the lines after the first are indented two more.
 */
void vmv_fprint_wrapped(FILE *f, const char *indent, const char *text,
			int width)
{
	int room = width - (int)strlen(indent), first = 1;
	const char *p = text;

	while (*p) {
		int n = strlen(p), cut = n, avail = room - (first ? 0 : 2);

		if (n > avail) {
			for (cut = avail; cut > 0 && p[cut] != ' '; cut--)
				;
			if (!cut)
				cut = strcspn(p, " ");
		}
		fprintf(f, "%s%s%.*s\n", indent, first ? "" : "  ", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		first = 0;
	}
}

/*
 * How long the UTF-8 sequence at s is when it is a valid one (no
 * overlong form, no surrogate, nothing above U+10FFFF), else 0.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * A label value of Prometheus's text format: backslash, double quote and
 * newline escaped (\\, \", \n), the rest as it is; a byte that is not
 * part of valid UTF-8 (a comm cut in the middle of a character, say),
 * which the format does not allow, becomes U+FFFD.
 */
void vmv_prom_label_value(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		n = utf8_len(p);
		if (*p == '\\' || *p == '"') {
			fputc('\\', f);
			fputc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if (n) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fputs("\xef\xbf\xbd", f);
			p++;
		}
	}
}

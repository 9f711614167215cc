// SPDX-License-Identifier: GPL-2.0
/*
 * format.c: text and JSON forms of the parsed records, shared by the
 * commands: sizes in human units, the ptes row (with its ten-letter flag
 * mask, legend in Documentation/vmview-cli.rst, and on arm64 the memory
 * type last), the JSON objects of a ptes line and of a VMA, and colours
 * (only when vmv_opts.color is set).
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
	static const char * const place_word[10] = {
		NULL, "rw", "user", "accessed", "dirty", "pse", NULL,
		"softdirty", "global", "exclusive",
	};
	bool arm64 = pte->arch == VMVIEW_ARCH_ARM64;
	const char *letters = arm64 ? "pwuadhxcge" : "pwuadhxsge";
	bool present = vmv_pte_present(pte);
	int i;

	for (i = 0; i < 10; i++) {
		const char *w = arm64 && i == 7 ? "cont" : place_word[i];

		buf[i] = w && vmv_pte_flag(pte, w) ? letters[i] : '-';
	}
	buf[10] = '\0';
	if (present)
		buf[0] = vmv_pte_flag(pte, vmv_flag_names[VMVIEW_F_PROTNONE]) ||
			 vmv_pte_kind_is(pte, VMVIEW_KIND_PROTNONE) ? 'n' : 'p';
	if (present && !vmv_pte_flag(pte, vmv_flag_names[VMVIEW_F_NX]))
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
		if (vmv_has_word(pte->page, vmv_page_flag_names[kinds[i]]))
			return vmv_page_flag_names[kinds[i]];
	return "other";
}

/* The PFN/SWAP column: "1234a", "0:3f" (swap type:offset) or "-". */
static void pfn_col(char *buf, size_t len, const struct vmv_pte *pte)
{
	if (pte->pfn != VMVIEW_NO_PFN)
		snprintf(buf, len, "%" PRIx64, pte->pfn);
	else if (pte->has_swap)
		snprintf(buf, len, "%u:%" PRIx64, pte->swap_type,
			 pte->swap_offset);
	else
		snprintf(buf, len, "-");
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

/* One row under vmv_pte_header(), no newline. */
void vmv_fmt_pte_row(char *buf, size_t len, const struct vmv_pte *pte)
{
	char letters[11], pfn[24], page[24] = "", maps[12] = "";

	vmv_flag_letters(letters, pte);
	pfn_col(pfn, sizeof(pfn), pte);
	if (pte->has_page) {
		if (pte->order > 0)
			snprintf(page, sizeof(page), "%s:%d", page_kind(pte),
				 pte->order);
		else
			snprintf(page, sizeof(page), "%s", page_kind(pte));
		if (pte->mapcount >= 0)
			snprintf(maps, sizeof(maps), "%d", pte->mapcount);
	}
	char addr[24], entry[24];

	snprintf(addr, sizeof(addr), "%012" PRIx64, pte->vaddr);
	snprintf(entry, sizeof(entry), "%016" PRIx64, pte->entry);
	snprintf(buf, len, PTE_ROW "%s%s", addr, pte->level, entry, pte->kind,
		 pfn, letters, page, maps, *pte->mt ? " " : "", pte->mt);
	/* no trailing blanks */
	len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = '\0';
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
		vmv_json_add(o, "page", pg);
	} else {
		vmv_json_add(o, "page", NULL);
	}
	return o;
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

/*
 * Print text after indent, broken at spaces to fit width columns; the
 * lines after the first are indented two more.
 */
void vmv_print_wrapped(const char *indent, const char *text, int width)
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
		printf("%s%s%.*s\n", indent, first ? "" : "  ", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		first = 0;
	}
}

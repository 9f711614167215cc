// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_map.c: "map PID", a one-screen picture of the address space from
 * PID/vmas and PID/ptes.bin: a row a VMA, or a row a region of a large VMA
 * (runs of empty regions folded into one line), each with a bar whose
 * cells show what maps that part:
 *   H huge (PMD/PUD leaf)  # mostly resident  + partly resident
 *   0 zero page  S mostly swapped  s partly swapped  . nothing
 * Colours only on a terminal (--color, NO_COLOR).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

#define BAR		32
/* a cell = 2M at most */
#define REGION_PAGES	((uint64_t)BAR * ((2ULL << 20) / VMV_PAGE_SIZE))

struct counts {
	uint64_t huge, resident, zero, swap;
};

struct row {
	uint64_t start, end;
	const struct vmv_vma *vma;
	struct counts total;
	struct counts cells[BAR];
	int nr_cells;
	uint64_t cell_pages;
};

/* Add the pages of [a, b) seen as one state to the row's cells. */
static void add(struct row *r, uint64_t a, uint64_t b, int state)
{
	uint64_t cell_bytes = r->cell_pages * VMV_PAGE_SIZE;

	if (a < r->start)
		a = r->start;
	if (b > r->end)
		b = r->end;
	while (a < b) {
		uint64_t i = (a - r->start) / cell_bytes;
		uint64_t cend = r->start + (i + 1) * cell_bytes;
		uint64_t n = ((cend < b ? cend : b) - a) / VMV_PAGE_SIZE;
		struct counts *c = &r->cells[i < BAR ? i : BAR - 1];
		uint64_t *cp[] = { &c->huge, &c->resident, &c->zero, &c->swap };
		uint64_t *tp[] = { &r->total.huge, &r->total.resident,
				   &r->total.zero, &r->total.swap };

		*cp[state] += n ? n : 1;
		*tp[state] += n ? n : 1;
		a = cend < b ? cend : b;
	}
}

static int pte_state(const struct vmv_pte *p)
{
	if (vmv_pte_present(p)) {
		if (vmv_pte_level(p) != VMVIEW_LEVEL_PTE)
			return 0;
		return vmv_has_word(p->page,
				    vmv_page_flag_names[VMVIEW_P_ZERO]) ? 2 : 1;
	}
	if (vmv_pte_kind_is(p, VMVIEW_KIND_SWAP))
		return 3;
	return -1;
}

/* What map keeps of an entry: 24 bytes, not a whole struct vmv_pte. */
struct leaf {
	uint64_t start, end;
	int state;
};

struct leaves {
	struct leaf *v;
	size_t n, cap;
};

static int keep_leaf(const struct vmv_pte *p, void *arg)
{
	struct leaves *l = arg;
	int st = pte_state(p);

	if (st < 0)
		return 0;
	if (vmv_grow((void **)&l->v, l->n, &l->cap, sizeof(*l->v)))
		return vmv_err(VMV_EXIT_FAIL, "out of memory");
	l->v[l->n].start = p->vaddr;
	l->v[l->n].end = p->vaddr + vmv_pte_size(p);
	l->v[l->n].state = st;
	l->n++;
	return 0;
}

static char glyph(const struct counts *c, uint64_t pages, const char **col)
{
	uint64_t m = c->huge;

	*col = "dim";
	if (!c->huge && !c->resident && !c->zero && !c->swap)
		return '.';
	if (c->resident > m)
		m = c->resident;
	if (c->zero > m)
		m = c->zero;
	if (c->swap > m)
		m = c->swap;
	if (m == c->huge) {
		*col = "huge";
		return 'H';
	}
	if (m == c->resident) {
		*col = "resident";
		return c->resident * 2 >= pages ? '#' : '+';
	}
	if (m == c->swap) {
		*col = "swap";
		return c->swap * 2 >= pages ? 'S' : 's';
	}
	*col = "zero";
	return '0';
}

static void bar_string(const struct row *r, char *bar, bool color)
{
	const char *col, *prev = NULL;
	size_t n = 0;
	int i;

	for (i = 0; i < r->nr_cells; i++) {
		uint64_t pages = r->cell_pages;
		char g;

		if (i == r->nr_cells - 1)
			pages = (r->end - r->start) / VMV_PAGE_SIZE -
				(uint64_t)i * r->cell_pages;
		g = glyph(&r->cells[i], pages, &col);
		if (color && col != prev) {
			n += sprintf(bar + n, "%s%s", vmv_color("reset"),
				     vmv_color(col));
			prev = col;
		}
		bar[n++] = g;
	}
	if (color && prev)
		n += sprintf(bar + n, "%s", vmv_color("reset"));
	bar[n] = '\0';
}

static const char *short_name(const struct vmv_vma *v)
{
	const char *s = strrchr(v->name, '/');

	if (v->name[0] == '/' && s)
		return s + 1;
	return *v->name ? v->name : "[anon]";
}

static void setup_row(struct row *r, const struct vmv_vma *v, uint64_t start,
		      uint64_t end)
{
	uint64_t pages = (end - start) / VMV_PAGE_SIZE;

	memset(r, 0, sizeof(*r));
	r->vma = v;
	r->start = start;
	r->end = end;
	r->cell_pages = (pages + BAR - 1) / BAR;
	if (!r->cell_pages)
		r->cell_pages = 1;
	r->nr_cells = (pages + r->cell_pages - 1) / r->cell_pages;
}

static bool row_empty(const struct row *r)
{
	return !r->total.huge && !r->total.resident && !r->total.zero &&
	       !r->total.swap;
}

static struct json_object *row_json(const struct row *r, const char *bar)
{
	struct json_object *o = json_object_new_object();

	vmv_json_add_hex(o, "start", r->start);
	vmv_json_add_hex(o, "end", r->end);
	vmv_json_add_hex(o, "vma_start", r->vma->start);
	vmv_json_add_str(o, "perms", r->vma->perms);
	vmv_json_add_str(o, "name", r->vma->name);
	vmv_json_add_u64(o, "pages", (r->end - r->start) / VMV_PAGE_SIZE);
	vmv_json_add_u64(o, "pages_per_cell", r->cell_pages);
	vmv_json_add_u64(o, "huge_pages", r->total.huge);
	vmv_json_add_u64(o, "resident_pages", r->total.resident);
	vmv_json_add_u64(o, "zero_pages", r->total.zero);
	vmv_json_add_u64(o, "swap_pages", r->total.swap);
	vmv_json_add_str(o, "bar", bar);
	return o;
}

static void print_folded(uint64_t *skipped, uint64_t start,
			 const struct vmv_vma *v, int digits)
{
	char s[24];

	if (*skipped && !vmv_opts.json)
		printf("%0*" PRIx64 " %6s %-4s  %*s (nothing mapped)\n",
		       digits, start, vmv_size(s, sizeof(s), *skipped),
		       v->perms, BAR, "");
	*skipped = 0;
}

int vmv_cmd_map(int argc, char **argv)
{
	struct vmv_vmas vmas = { 0 };
	struct leaves ptes = { 0 };
	struct json_object *rows = NULL;
	struct counts all = { 0 };
	uint64_t mapped = 0, skipped = 0, skip_start = 0;
	char bar[BAR * 16 + 16], comm[64], s[4][24];
	size_t i, j, k = 0;
	struct row r;
	pid_t pid;
	int ret, digits;

	ret = vmv_begin("map", "PID", argc, argv, 1, &pid);
	if (ret)
		return ret;
	ret = vmv_load_vmas(pid, &vmas);
	if (!ret)
		ret = vmv_each_pte(pid, keep_leaf, NULL, &ptes);
	if (ret)
		goto out;
	vmv_pid_comm(pid, comm, sizeof(comm));
	digits = vmv_addr_digits(&vmas);

	/* Totals first, for the header line. */
	for (i = 0; i < ptes.n; i++) {
		int st = ptes.v[i].state;
		uint64_t n = (ptes.v[i].end - ptes.v[i].start) /
			     VMV_PAGE_SIZE;

		if (st == 0)
			all.huge += n;
		else if (st == 1)
			all.resident += n;
		else if (st == 2)
			all.zero += n;
		else if (st == 3)
			all.swap += n;
	}
	for (i = 0; i < vmas.n; i++)
		mapped += vmas.v[i].end - vmas.v[i].start;

	if (vmv_opts.json) {
		rows = json_object_new_array();
	} else {
		printf("PID %d (%s): %zu VMAs, %s mapped, %s resident, %s huge, %s swapped\n",
		       (int)pid, comm, vmas.n, vmv_size(s[0], 24, mapped),
		       vmv_size(s[1], 24, (all.resident + all.zero) *
				VMV_PAGE_SIZE),
		       vmv_size(s[2], 24, all.huge * VMV_PAGE_SIZE),
		       vmv_size(s[3], 24, all.swap * VMV_PAGE_SIZE));
		printf("%sH%s huge  %s#%s resident  %s+%s partly  %s0%s zero page  %sS%s/%ss%s swapped  %s.%s none\n\n",
		       vmv_color("huge"), vmv_color("reset"),
		       vmv_color("resident"), vmv_color("reset"),
		       vmv_color("resident"), vmv_color("reset"),
		       vmv_color("zero"), vmv_color("reset"),
		       vmv_color("swap"), vmv_color("reset"),
		       vmv_color("swap"), vmv_color("reset"),
		       vmv_color("dim"), vmv_color("reset"));
		if (!vmv_opts.noheadings)
			printf("%-*s %6s %-4s %-*s  %s\n", digits, "START",
			       "SIZE", "PERM", BAR + 2, "PAGES", "NAME");
	}

	for (i = 0; i < vmas.n; i++) {
		const struct vmv_vma *v = &vmas.v[i];
		uint64_t a, b, step = REGION_PAGES * VMV_PAGE_SIZE;
		bool split = v->end - v->start > step;

		if (!split)
			step = v->end - v->start;
		for (a = v->start; a < v->end; a = b) {
			b = a + step < v->end ? a + step : v->end;
			setup_row(&r, v, a, b);
			while (k < ptes.n && ptes.v[k].end <= a)
				k++;
			for (j = k; j < ptes.n && ptes.v[j].start < b; j++)
				add(&r, ptes.v[j].start, ptes.v[j].end,
				    ptes.v[j].state);
			/* empty regions of a large VMA fold into one line */
			if (split && row_empty(&r)) {
				if (!skipped)
					skip_start = a;
				skipped += b - a;
				continue;
			}
			print_folded(&skipped, skip_start, v, digits);
			bar_string(&r, bar, false);
			if (vmv_opts.json) {
				json_object_array_add(rows, row_json(&r, bar));
				continue;
			}
			if (vmv_opts.color)
				bar_string(&r, bar, true);
			printf("%0*" PRIx64 " %6s %-4s |%s|%*s %s\n", digits,
			       a, vmv_size(s[0], 24, b - a), v->perms, bar,
			       BAR - r.nr_cells, "", short_name(v));
		}
		print_folded(&skipped, skip_start, v, digits);
	}

	if (vmv_opts.json) {
		struct json_object *o = json_object_new_object();

		vmv_json_add_i64(o, "pid", pid);
		vmv_json_add_str(o, "comm", comm);
		vmv_json_add_u64(o, "mapped_bytes", mapped);
		vmv_json_add_u64(o, "resident_pages", all.resident);
		vmv_json_add_u64(o, "zero_pages", all.zero);
		vmv_json_add_u64(o, "huge_pages", all.huge);
		vmv_json_add_u64(o, "swap_pages", all.swap);
		vmv_json_add(o, "rows", rows);
		vmv_json_print(o);
		json_object_put(o);
	}
out:
	vmv_vmas_free(&vmas);
	free(ptes.v);
	return ret;
}

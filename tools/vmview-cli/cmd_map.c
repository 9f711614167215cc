// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_map.c: "map PID", a one-screen picture of the address space from
 * PID/vmas and PID/ptes.bin: a row a VMA, or a row a region of a large VMA
 * (runs of empty regions folded into one line), each with a bar whose
 * cells show what maps that part:
 *   H huge (PMD/PUD leaf)  # mostly resident  + partly resident
 *   0 zero page  S mostly swapped  s partly swapped  . nothing
 * Colours only on a terminal (--color, NO_COLOR).  What is loaded (struct
 * vmv_map, optionally for a range) and the picture as text, with a bar
 * of any width, are watch's too (cmd_watch.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

/* map's bar; watch's is as wide as its window leaves (vmv_map_fprint()) */
#define BAR		32
/* a region of a large VMA: a row of bar cells of 2M at most */
#define REGION_PAGES(bar) ((uint64_t)(bar) * ((2ULL << 20) / VMV_PAGE_SIZE))

struct counts {
	uint64_t huge, resident, zero, swap;
};

/*
 * A line of the picture: a VMA or a region of one, or (folded) a run of
 * empty regions of one VMA, which has no cells.
 */
struct row {
	uint64_t start, end;
	const struct vmv_vma *vma;
	bool folded;
	struct counts total;
	struct counts cells[VMV_MAP_MAX_BAR];
	int nr_cells, bar;
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
		struct counts *c = &r->cells[i < (uint64_t)r->bar ? i :
					     (uint64_t)r->bar - 1];
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

/*
 * What map keeps of an entry (24 bytes, not a whole struct vmv_pte),
 * clipped to the range; the entries past it are not read.
 */
static int keep_leaf(const struct vmv_pte *p, void *arg)
{
	struct vmv_map *m = arg;
	uint64_t a = p->vaddr, b = p->vaddr + vmv_pte_size(p);
	uint64_t *counts[] = { &m->huge, &m->resident, &m->zero, &m->swap };
	int st = pte_state(p);

	if (a >= m->end)
		return VMV_EACH_STOP;
	if (st < 0 || b <= m->start)
		return 0;
	a = a > m->start ? a : m->start;
	b = b < m->end ? b : m->end;
	if (vmv_grow((void **)&m->v, m->n, &m->cap, sizeof(*m->v)))
		return vmv_err(VMV_EXIT_FAIL, "out of memory");
	m->v[m->n].start = a;
	m->v[m->n].end = b;
	m->v[m->n].state = st;
	m->n++;
	*counts[st] += (b - a) / VMV_PAGE_SIZE;
	return 0;
}

/* Keep the VMAs that meet [m->start, m->end), clipped to it. */
static void clip_vmas(struct vmv_map *m)
{
	struct vmv_vmas *vmas = &m->vmas;
	size_t i, n = 0;

	m->total_vmas = vmas->n;
	for (i = 0; i < vmas->n; i++) {
		struct vmv_vma *v = &vmas->v[i];

		if (v->end <= m->start || v->start >= m->end) {
			free(v->flags);
			free(v->name);
			continue;
		}
		if (v->start < m->start)
			v->start = m->start;
		if (v->end > m->end)
			v->end = m->end;
		vmas->v[n++] = *v;
		m->mapped += v->end - v->start;
	}
	vmas->n = n;
}

int vmv_map_load(pid_t pid, uint64_t start, uint64_t end, struct vmv_map *m)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->start = start;
	m->end = end;
	ret = vmv_load_vmas(pid, &m->vmas);
	if (!ret)
		ret = vmv_each_pte(pid, keep_leaf, NULL, m);
	if (ret) {
		vmv_map_free(m);
		return ret;
	}
	clip_vmas(m);
	return 0;
}

void vmv_map_free(struct vmv_map *m)
{
	vmv_vmas_free(&m->vmas);
	free(m->v);
	m->v = NULL;
	m->n = 0;
	m->cap = 0;
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
		      uint64_t end, int bar)
{
	uint64_t pages = (end - start) / VMV_PAGE_SIZE;

	memset(r, 0, sizeof(*r));
	r->vma = v;
	r->start = start;
	r->end = end;
	r->bar = bar;
	r->cell_pages = (pages + bar - 1) / bar;
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

/*
 * fn for each line of the picture with a bar of bar cells, in address
 * order: a row a VMA, or a row a region of a large one, each run of
 * empty regions of a VMA folded into one row.
 */
static void each_row(const struct vmv_map *m, int bar,
		     void (*fn)(const struct row *r, void *arg), void *arg)
{
	uint64_t a, b, step, skip_start = 0, skipped = 0;
	size_t i, j, k = 0;
	struct row *r = malloc(sizeof(*r));

	if (!r) {
		vmv_err(VMV_EXIT_FAIL, "out of memory");
		return;
	}
	for (i = 0; i < m->vmas.n; i++) {
		const struct vmv_vma *v = &m->vmas.v[i];
		bool split;

		step = REGION_PAGES(bar) * VMV_PAGE_SIZE;
		split = v->end - v->start > step;
		if (!split)
			step = v->end - v->start;
		for (a = v->start; a < v->end; a = b) {
			b = a + step < v->end ? a + step : v->end;
			setup_row(r, v, a, b, bar);
			while (k < m->n && m->v[k].end <= a)
				k++;
			for (j = k; j < m->n && m->v[j].start < b; j++)
				add(r, m->v[j].start, m->v[j].end,
				    m->v[j].state);
			/* empty regions of a large VMA fold into one line */
			if (split && row_empty(r)) {
				if (!skipped)
					skip_start = a;
				skipped += b - a;
				continue;
			}
			if (skipped) {
				struct row fold = { .start = skip_start,
						    .end = skip_start + skipped,
						    .vma = v, .folded = true };

				fn(&fold, arg);
				skipped = 0;
			}
			fn(r, arg);
		}
		if (skipped) {
			setup_row(r, v, skip_start, skip_start + skipped, bar);
			r->folded = true;
			fn(r, arg);
			skipped = 0;
		}
	}
	free(r);
}

struct text_rows {
	FILE *f;
	int digits, bar;
	char *buf;
};

static void text_row(const struct row *r, void *arg)
{
	struct text_rows *t = arg;
	char s[24];

	vmv_size(s, sizeof(s), r->end - r->start);
	if (r->folded) {
		fprintf(t->f, "%0*" PRIx64 " %6s %-4s  %*s (nothing mapped)\n",
			t->digits, r->start, s, r->vma->perms, t->bar, "");
		return;
	}
	bar_string(r, t->buf, vmv_opts.color);
	fprintf(t->f, "%0*" PRIx64 " %6s %-4s |%s|%*s %s\n", t->digits,
		r->start, s, r->vma->perms, t->buf, t->bar - r->nr_cells, "",
		short_name(r->vma));
}

static void json_row(const struct row *r, void *arg)
{
	char bar[VMV_MAP_MAX_BAR + 1];

	if (r->folded)
		return;
	bar_string(r, bar, false);
	json_object_array_add(arg, row_json(r, bar));
}

/*
 * The picture as text: the totals, the legend, the header (unless -n)
 * and the rows, with a bar of bar cells (2 to VMV_MAP_MAX_BAR).
 */
void vmv_map_fprint(FILE *f, const struct vmv_map *m, pid_t pid,
		    const char *comm, int bar)
{
	struct text_rows t = { f, vmv_addr_digits(&m->vmas), bar, NULL };
	char s[4][24];

	fprintf(f, "PID %d (%s): %zu VMAs, %s mapped, %s resident, %s huge, %s swapped\n",
		(int)pid, comm, m->vmas.n, vmv_size(s[0], 24, m->mapped),
		vmv_size(s[1], 24, (m->resident + m->zero) * VMV_PAGE_SIZE),
		vmv_size(s[2], 24, m->huge * VMV_PAGE_SIZE),
		vmv_size(s[3], 24, m->swap * VMV_PAGE_SIZE));
	fprintf(f, "%sH%s huge  %s#%s resident  %s+%s partly  %s0%s zero page  %sS%s/%ss%s swapped  %s.%s none\n\n",
		vmv_color("huge"), vmv_color("reset"),
		vmv_color("resident"), vmv_color("reset"),
		vmv_color("resident"), vmv_color("reset"),
		vmv_color("zero"), vmv_color("reset"),
		vmv_color("swap"), vmv_color("reset"),
		vmv_color("swap"), vmv_color("reset"),
		vmv_color("dim"), vmv_color("reset"));
	if (!vmv_opts.noheadings)
		fprintf(f, "%-*s %6s %-4s %-*s  %s\n", t.digits, "START",
			"SIZE", "PERM", bar + 2, "PAGES", "NAME");
	/* a colour change a cell at most, and a reset */
	t.buf = malloc(bar * 16 + 16);
	if (!t.buf) {
		vmv_err(VMV_EXIT_FAIL, "out of memory");
		return;
	}
	each_row(m, bar, text_row, &t);
	free(t.buf);
}

int vmv_cmd_map(int argc, char **argv)
{
	struct vmv_map m;
	char comm[64];
	pid_t pid;
	int ret;

	ret = vmv_begin("map", "PID", argc, argv, 1, &pid);
	if (ret)
		return ret;
	ret = vmv_map_load(pid, 0, UINT64_MAX, &m);
	if (ret)
		return ret;
	vmv_pid_comm(pid, comm, sizeof(comm));

	if (vmv_opts.json) {
		struct json_object *o = json_object_new_object();
		struct json_object *rows = json_object_new_array();

		each_row(&m, BAR, json_row, rows);
		vmv_json_add_i64(o, "pid", pid);
		vmv_json_add_str(o, "comm", comm);
		vmv_json_add_u64(o, "mapped_bytes", m.mapped);
		vmv_json_add_u64(o, "resident_pages", m.resident);
		vmv_json_add_u64(o, "zero_pages", m.zero);
		vmv_json_add_u64(o, "huge_pages", m.huge);
		vmv_json_add_u64(o, "swap_pages", m.swap);
		vmv_json_add(o, "rows", rows);
		vmv_json_print(o);
		json_object_put(o);
	} else {
		vmv_map_fprint(stdout, &m, pid, comm, BAR);
	}
	vmv_map_free(&m);
	return 0;
}

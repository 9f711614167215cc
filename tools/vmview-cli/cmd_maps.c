// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_maps.c: "maps PID", the VMAs of a process from PID/vmas, as a
 * table whose columns -o picks (lsmem's way); summary prints the same
 * table with fewer columns.  JSON always carries every field.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmview-cli.h"

enum col {
	COL_START,
	COL_END,
	COL_SIZE,
	COL_PERM,
	COL_OFFSET,
	COL_DEV,
	COL_INODE,
	COL_RSS,
	COL_SWAP,
	COL_THP,
	COL_FLAGS,
	COL_NAME,
	NR_COLS,
};

static const struct {
	const char *name;
	int width;		/* 0: the address width */
	bool right;
} cols[NR_COLS] = {
	[COL_START]	= { "START", 0, false },
	[COL_END]	= { "END", 0, false },
	[COL_SIZE]	= { "SIZE", 6, true },
	[COL_PERM]	= { "PERM", 4, false },
	[COL_OFFSET]	= { "OFFSET", 8, false },
	[COL_DEV]	= { "DEV", 5, false },
	[COL_INODE]	= { "INODE", 8, true },
	[COL_RSS]	= { "RSS", 6, true },
	[COL_SWAP]	= { "SWAP", 6, true },
	[COL_THP]	= { "THP", 3, true },
	[COL_FLAGS]	= { "FLAGS", 0, false },
	[COL_NAME]	= { "NAME", 0, false },
};

/* Parse "START,SIZE,..." into out[]; returns how many, or -1. */
static int parse_columns(const char *list, enum col *out, const char **bad)
{
	static char word[32];
	const char *p = list, *e;
	int n = 0, i;

	while (*p && n < NR_COLS * 2) {
		e = strchrnul(p, ',');
		snprintf(word, sizeof(word), "%.*s", (int)(e - p), p);
		for (i = 0; i < NR_COLS; i++)
			if (!strcasecmp(cols[i].name, word))
				break;
		if (i == NR_COLS) {
			*bad = word;
			return -1;
		}
		out[n++] = i;
		p = *e ? e + 1 : e;
	}
	return n;
}

static void cell(const struct vmv_vma *v, enum col c, char *buf, size_t len,
		 int digits)
{
	char s[24];

	switch (c) {
	case COL_START:
		snprintf(buf, len, "%0*" PRIx64, digits, v->start);
		break;
	case COL_END:
		snprintf(buf, len, "%0*" PRIx64, digits, v->end);
		break;
	case COL_SIZE:
		snprintf(buf, len, "%s", vmv_size(s, sizeof(s),
						  v->end - v->start));
		break;
	case COL_PERM:
		snprintf(buf, len, "%s", v->perms);
		break;
	case COL_OFFSET:
		snprintf(buf, len, "%08" PRIx64, v->pgoff);
		break;
	case COL_DEV:
		snprintf(buf, len, "%02x:%02x", v->dev_major, v->dev_minor);
		break;
	case COL_INODE:
		snprintf(buf, len, "%" PRIu64, v->inode);
		break;
	case COL_RSS:
		snprintf(buf, len, "%s", vmv_size(s, sizeof(s),
						  v->rss * VMV_PAGE_SIZE));
		break;
	case COL_SWAP:
		snprintf(buf, len, "%s", vmv_size(s, sizeof(s),
						  v->swap * VMV_PAGE_SIZE));
		break;
	case COL_THP:
		snprintf(buf, len, "%" PRIu64, v->thp);
		break;
	case COL_FLAGS:
		snprintf(buf, len, "%s", v->flags);
		break;
	case COL_NAME:
		snprintf(buf, len, "%s", v->name);
		break;
	default:
		buf[0] = '\0';
	}
}

static int col_width(enum col c, int digits, int var)
{
	if (cols[c].width)
		return cols[c].width;
	if (c == COL_START || c == COL_END)
		return digits;
	return var;
}

static void print_row(const enum col *sel, int n, char vals[][512],
		      const int *widths)
{
	char line[4096];
	size_t len = 0;
	int i, w;

	for (i = 0; i < n; i++) {
		w = widths[i];
		if (i == n - 1 && !cols[sel[i]].right)
			w = 0;	/* the last column is not padded */
		len += snprintf(line + len, sizeof(line) - len, "%s%*s",
				i ? " " : "", cols[sel[i]].right ? w : -w,
				vals[i]);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
	}
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	puts(line);
}

int vmv_print_vma_table(const struct vmv_vmas *vmas, const char *columns)
{
	int widths[NR_COLS * 2];
	enum col sel[NR_COLS * 2];
	const char *bad = NULL;
	char (*vals)[512];
	int n, i, digits;
	size_t k;

	n = parse_columns(columns, sel, &bad);
	if (n <= 0)
		return vmv_err(VMV_EXIT_USAGE,
			       "unknown column '%s': pick from START END SIZE PERM OFFSET DEV INODE RSS SWAP THP FLAGS NAME",
			       bad ? bad : "");
	vals = calloc(n, sizeof(*vals));
	if (!vals)
		return vmv_err(VMV_EXIT_FAIL, "out of memory");
	digits = vmv_addr_digits(vmas);
	/* FLAGS and NAME are as wide as their widest value */
	for (i = 0; i < n; i++) {
		int var = vmv_opts.noheadings ? 0 : strlen(cols[sel[i]].name);

		for (k = 0; !cols[sel[i]].width && k < vmas->n; k++) {
			cell(&vmas->v[k], sel[i], vals[i], sizeof(vals[i]),
			     digits);
			if ((int)strlen(vals[i]) > var)
				var = strlen(vals[i]);
		}
		widths[i] = col_width(sel[i], digits, var);
	}
	if (!vmv_opts.noheadings) {
		for (i = 0; i < n; i++)
			snprintf(vals[i], sizeof(vals[i]), "%s",
				 cols[sel[i]].name);
		print_row(sel, n, vals, widths);
	}
	for (k = 0; k < vmas->n; k++) {
		for (i = 0; i < n; i++)
			cell(&vmas->v[k], sel[i], vals[i], sizeof(vals[i]),
			     digits);
		print_row(sel, n, vals, widths);
	}
	free(vals);
	return 0;
}

int vmv_cmd_maps(int argc, char **argv)
{
	struct vmv_vmas vmas;
	pid_t pid;
	int ret;

	ret = vmv_begin("maps", "PID [-o COLUMNS]", argc, argv, 1, &pid);
	if (ret)
		return ret;
	ret = vmv_load_vmas(pid, &vmas);
	if (ret)
		return ret;
	if (vmv_opts.json) {
		struct json_object *o = json_object_new_object();
		struct json_object *a = json_object_new_array();
		size_t i;

		vmv_json_add_i64(o, "pid", pid);
		for (i = 0; i < vmas.n; i++)
			json_object_array_add(a, vmv_vma_json(&vmas.v[i]));
		vmv_json_add(o, "vmas", a);
		vmv_json_print(o);
		json_object_put(o);
	} else {
		ret = vmv_print_vma_table(&vmas, vmv_opts.output ?
					  vmv_opts.output :
					  "START,END,SIZE,PERM,RSS,SWAP,THP,NAME");
	}
	vmv_vmas_free(&vmas);
	return ret;
}

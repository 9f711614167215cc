// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_ptes.c: "ptes PID [--range A-B] [--kind KIND]", the leaf entries
 * of PID/ptes, filtered here (the file always covers every VMA), one
 * aligned row each; --symbolize adds the ELF section and symbol of
 * file-backed pages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vmview-cli.h"

static const char * const kinds[] = {
	"present", "protnone", "swap", "migration", "device-private",
	"device-exclusive", "hwpoison", "marker",
};

static int check_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i], kind))
			return 0;
	return vmv_err(VMV_EXIT_USAGE,
		       "unknown kind '%s': use present, protnone, swap, migration, device-private, device-exclusive, hwpoison or marker",
		       kind);
}

int cmd_ptes(int argc, char **argv)
{
	uint64_t start = 0, end = UINT64_MAX;
	struct vmv_vmas vmas = { 0 };
	struct vmv_ptes ptes = { 0 };
	struct vmv_json_stream js;
	char row[512], sym[256];
	pid_t pid;
	size_t i;
	int ret;

	if (opts.range && vmv_parse_range(opts.range, &start, &end))
		return vmv_err(VMV_EXIT_BAD_ADDR,
			       "bad range '%s': give START-END in hex, START below END, as in /proc/PID/maps",
			       opts.range);
	if (opts.kind) {
		ret = check_kind(opts.kind);
		if (ret)
			return ret;
	}
	ret = vmv_begin("ptes", "PID [--range A-B] [--kind KIND]", argc, argv,
			1, &pid);
	if (ret)
		return ret;
	if (opts.symbolize) {
		ret = vmv_load_vmas(pid, &vmas);
		if (ret)
			return ret;
	}
	ret = vmv_load_ptes(pid, &ptes);
	if (ret)
		goto out;

	if (opts.json) {
		struct json_object *o = json_object_new_object();

		/* Entry by entry: a large process has millions. */
		vmv_json_add_i64(o, "pid", pid);
		vmv_json_stream_begin(&js, o, "ptes");
	} else if (!opts.noheadings) {
		vmv_pte_header(row, sizeof(row));
		printf("%s%s\n", row, opts.symbolize ? " SYMBOL" : "");
	}
	for (i = 0; i < ptes.n; i++) {
		const struct vmv_pte *p = &ptes.v[i];

		if (p->vaddr >= end || p->vaddr + vmv_pte_size(p) <= start)
			continue;
		if (opts.kind && strcmp(opts.kind, p->kind))
			continue;
		sym[0] = '\0';
		if (opts.symbolize)
			vmv_symbolize_pte(pid, &vmas, p->vaddr, sym,
					  sizeof(sym));
		if (opts.json) {
			struct json_object *e = vmv_pte_json(p);

			if (opts.symbolize)
				vmv_json_add_str(e, "symbol",
						 *sym ? sym : NULL);
			vmv_json_stream_add(&js, e);
		} else {
			vmv_fmt_pte_row(row, sizeof(row), p);
			if (*sym)
				printf("%-80s %s\n", row, sym);
			else
				printf("%s\n", row);
		}
	}
	if (opts.json)
		vmv_json_stream_end(&js);
out:
	vmv_ptes_free(&ptes);
	vmv_vmas_free(&vmas);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_ptes.c: "ptes PID [--range A-B] [--kind KIND]", the leaf entries
 * of PID/ptes (read as its records, PID/ptes.bin), filtered here (the
 * file always covers every VMA), one aligned row each; --symbolize adds
 * the ELF section and symbol of file-backed pages.  Entries are printed
 * as they are read, and reading stops past the end of --range.
 *
 * A process has millions of entries, so an entry costs no allocation
 * and no printf: its row is made by hand (vmv_fmt_pte_row()), its JSON
 * streamed into stdout's buffer (vmv_pte_jw(), json.c says why not
 * json-c), and stdout's buffer is 64 KiB (stdio's default for a pipe or
 * a file is 4 KiB: a write() for every 50 rows).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmview-cli.h"

/* A leaf's kind: any but none and table. */
static int check_kind(const char *kind)
{
	char list[256];
	size_t i, n = 0;

	if (vmv_word_index(vmv_kind_names, VMVIEW_NR_KINDS, kind) >=
	    VMVIEW_KIND_PRESENT)
		return 0;
	for (i = VMVIEW_KIND_PRESENT; i < VMVIEW_NR_KINDS; i++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s",
			      i == VMVIEW_KIND_PRESENT ? "" :
			      i + 1 < VMVIEW_NR_KINDS ? ", " : " or ",
			      vmv_kind_names[i]);
	return vmv_err(VMV_EXIT_USAGE, "unknown kind '%s': use %s", kind,
		       list);
}

struct ptes_out {
	pid_t pid;
	uint64_t start, end;
	int kind;			/* --kind's VMVIEW_KIND_*, or -1 */
	struct vmv_vmas vmas;
	struct vmv_json_stream js;
	bool begun;
};

/*
 * The JSON head or the column headings, at the first entry: an error
 * before it prints nothing on stdout.
 */
static void ptes_begin(struct ptes_out *po)
{
	struct json_object *o;
	char row[512];

	if (po->begun)
		return;
	po->begun = true;
	if (vmv_opts.json) {
		o = json_object_new_object();
		vmv_json_add_i64(o, "pid", po->pid);
		vmv_json_stream_begin(&po->js, o, "ptes");
	} else if (!vmv_opts.noheadings) {
		vmv_pte_header(row, sizeof(row));
		printf("%s%s\n", row, vmv_opts.symbolize ? " SYMBOL" : "");
	}
}

/* One entry, as it is read: a large process has millions. */
static int ptes_one(const struct vmv_pte *p, void *arg)
{
	struct ptes_out *po = arg;
	char row[512], sym[256];

	/* Entries come in address order: past the range, stop reading. */
	if (p->vaddr >= po->end)
		return VMV_EACH_STOP;
	if (p->vaddr + vmv_pte_size(p) <= po->start)
		return 0;
	if (po->kind >= 0 && !vmv_pte_kind_is(p, po->kind))
		return 0;
	sym[0] = '\0';
	if (vmv_opts.symbolize)
		vmv_symbolize_pte(po->pid, &po->vmas, p->vaddr, sym,
				  sizeof(sym));
	ptes_begin(po);
	if (vmv_opts.json) {
		struct vmv_jw *w = &po->js.w;

		vmv_jw_open(w, NULL, '{');
		vmv_pte_jw(w, p);
		if (vmv_opts.symbolize)
			vmv_jw_str(w, "symbol", *sym ? sym : NULL);
		vmv_jw_close(w, '}');
	} else {
		size_t n = vmv_fmt_pte_row(row, sizeof(row), p);

		if (*sym) {
			printf("%-80s %s\n", row, sym);
		} else {
			row[n] = '\n';
			fwrite_unlocked(row, 1, n + 1, stdout);
		}
	}
	return 0;
}

/*
 * The end of the JSON printed so far, so that it stays a valid document;
 * an error then follows as an object of its own.
 */
static void ptes_end(void *arg)
{
	struct ptes_out *po = arg;

	if (vmv_opts.json && po->begun) {
		vmv_json_stream_end(&po->js);
		po->begun = false;
	}
}

int vmv_cmd_ptes(int argc, char **argv)
{
	struct ptes_out po = { .end = UINT64_MAX, .kind = -1 };
	static char outbuf[1 << 16];
	int ret;

	/* before anything is printed; a terminal keeps its line buffering */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	if (vmv_opts.range &&
	    vmv_parse_range(vmv_opts.range, &po.start, &po.end))
		return vmv_err(VMV_EXIT_BAD_ADDR,
			       "bad range '%s': give START-END in hex, START below END, as in /proc/PID/maps",
			       vmv_opts.range);
	if (vmv_opts.kind) {
		ret = check_kind(vmv_opts.kind);
		if (ret)
			return ret;
		po.kind = vmv_word_index(vmv_kind_names, VMVIEW_NR_KINDS,
					 vmv_opts.kind);
	}
	ret = vmv_begin("ptes", "PID [--range A-B] [--kind KIND]", argc, argv,
			1, &po.pid);
	if (ret)
		return ret;
	if (vmv_opts.symbolize) {
		ret = vmv_load_vmas(po.pid, &po.vmas);
		if (ret)
			return ret;
	}
	ret = vmv_each_pte(po.pid, ptes_one, ptes_end, &po);
	if (!ret) {
		ptes_begin(&po);	/* no entry: still the head */
		ptes_end(&po);
	}
	vmv_vmas_free(&po.vmas);
	return ret;
}

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
 * streamed (vmv_pte_jw(), json.c says why not json-c); rows and JSON
 * are made 64 KiB at a time in buffers of their own and written with
 * write(2) (vmv_write_out(): stdio would copy them once more; a write
 * error is reported, and the exit status says so).  What an entry prints
 * that follows from its kind, level and flags alone (most of its JSON,
 * half its row) is kept from the entry before (struct vmv_pte_cache):
 * a process's entries mostly share them.
 */
#include <errno.h>
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
	struct vmv_pte_cache cache;	/* what the entry before printed */
	/*
	 * The record's meta, as ptes_rec() saw it, and the last one that
	 * ptes_one() printed (again_ok): a record with that meta prints as
	 * that one did but for its address, entry and PFN, and spans size.
	 */
	uint64_t meta, again_meta;
	uint64_t again_size;
	bool again_ok;
	bool begun;
	int werr;			/* the first write error, or 0 */
	/* text rows, to stdout a buffer at a time (out_flush()) */
	size_t out_n;
	char out[1 << 16];
};

/* The text rows made so far, to stdout (before anything else is printed). */
static void out_flush(struct ptes_out *po)
{
	vmv_write_out(stdout, po->out, po->out_n, &po->werr);
	po->out_n = 0;
}

/* Room for a row (256 bytes) and its newline at the end of po->out. */
static char *out_room(struct ptes_out *po)
{
	if (po->out_n + 512 > sizeof(po->out))
		out_flush(po);
	return po->out + po->out_n;
}

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
		vmv_pte_jw_cached(w, p, &po->cache);
		if (vmv_opts.symbolize)
			vmv_jw_str(w, "symbol", *sym ? sym : NULL);
		vmv_jw_close(w, '}');
	} else if (*sym) {
		vmv_fmt_pte_row_cached(row, sizeof(row), p, &po->cache);
		out_flush(po);
		printf("%-80s %s\n", row, sym);
	} else {
		char *o = out_room(po);
		size_t n = vmv_fmt_pte_row_cached(o, 512, p, &po->cache);

		o[n] = '\n';
		po->out_n += n + 1;
	}
	/*
	 * The cache now holds what p printed, unless p is of a swap kind,
	 * has a symbol, or its JSON did not fit in the cache.
	 */
	po->again_ok = !p->has_swap && !vmv_opts.symbolize &&
		       (vmv_opts.json ? po->cache.json_ok : po->cache.row_ok);
	po->again_meta = po->meta;
	po->again_size = vmv_pte_size(p);
	return 0;
}

/*
 * A record as it is in ptes.bin: one with the meta of the last entry
 * printed is printed here from what that one left in the cache (the
 * same kind, level, flags and page: the same filters' answers and the
 * same words); any other goes to ptes_one() as a struct vmv_pte.
 */
static int ptes_rec(const struct vmview_pte *rec, void *arg)
{
	struct ptes_out *po = arg;

	po->meta = rec->meta;
	if (!po->again_ok || rec->meta != po->again_meta)
		return VMV_EACH_AS_PTE;
	if (rec->vaddr >= po->end)
		return VMV_EACH_STOP;
	if (rec->vaddr + po->again_size <= po->start)
		return 0;
	if (vmv_opts.json) {
		struct vmv_jw *w = &po->js.w;

		vmv_jw_open(w, NULL, '{');
		vmv_pte_jw_again(w, &po->cache, rec->vaddr, rec->entry,
				 rec->pfn);
		vmv_jw_close(w, '}');
	} else {
		char *o = out_room(po);
		size_t n = vmv_fmt_pte_row_again(o, &po->cache, rec->vaddr,
						 rec->entry, rec->pfn);

		o[n] = '\n';
		po->out_n += n + 1;
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

	out_flush(po);
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
	ret = vmv_each_pte_rec(po.pid, ptes_rec, ptes_one, ptes_end, &po);
	if (!ret) {
		ptes_begin(&po);	/* no entry: still the head */
		ptes_end(&po);
	}
	vmv_vmas_free(&po.vmas);
	if (!ret && (po.werr || po.js.w.err || fflush(stdout)))
		ret = vmv_err(VMV_EXIT_FAIL, "writing the entries: %s",
			      strerror(po.werr ? po.werr : po.js.w.err ?
				       po.js.w.err : errno));
	return ret;
}

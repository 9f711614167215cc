// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_wss.c: "wss PID --interval S [--rounds N]": the working set the
 * way the clock algorithm sees it.  Each round writes 1 to
 * /proc/PID/clear_refs (the kernel clears the accessed bit of every
 * page-table entry of the process's anonymous and file pages, and their
 * pages' referenced flags), waits S seconds, then reads PID/ptes and
 * counts, per VMA and in all, the resident pages whose entry has the
 * accessed bit again (x86's accessed, arm64's af: vmv_pte_flag()).  A
 * huge leaf counts as the base pages it maps.
 *
 * The cost is the kernel's: while the process runs, reclaim sees the
 * pages wss cleared as not referenced (Documentation/vmview-cli.rst).
 * And the figure is the clock's, not the truth: clear_refs flushes no
 * TLB (nor does reclaim on x86), and the CPU sets an accessed bit only
 * when it walks the tables, so a page used only through a translation
 * the TLB kept is not counted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmview-cli.h"

#define SYNOPSIS "PID --interval S [--rounds N]"

struct wss_vma {
	uint64_t resident, accessed;	/* base pages */
};

struct wss {
	const struct vmv_vmas *vmas;
	struct wss_vma *per;		/* one a VMA */
	uint64_t resident, accessed;
};

static int count_pte(const struct vmv_pte *pte, void *arg)
{
	struct wss *w = arg;
	const struct vmv_vma *v;
	uint64_t pages;

	if (!vmv_pte_kind_is(pte, VMVIEW_KIND_PRESENT))
		return 0;
	pages = vmv_pte_size(pte) / VMV_PAGE_SIZE;
	w->resident += pages;
	v = vmv_vma_find(w->vmas, pte->vaddr);
	if (v)
		w->per[v - w->vmas->v].resident += pages;
	if (!vmv_pte_flag(pte, "accessed"))
		return 0;
	w->accessed += pages;
	if (v)
		w->per[v - w->vmas->v].accessed += pages;
	return 0;
}

static int clear_refs(pid_t pid)
{
	char path[VMV_PATH_MAX];
	int ret;

	vmv_path(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	ret = vmv_write_path(path, "1\n");
	switch (ret) {
	case 0:
		return 0;
	case -ENOENT:
	case -ESRCH:
		return vmv_err(VMV_EXIT_EXITED,
			       "PID %d exited (%s: %s)", (int)pid, path,
			       strerror(-ret));
	case -EACCES:
	case -EPERM:
		return vmv_err(VMV_EXIT_NOT_ROOT,
			       "permission denied writing %s: clearing another process's accessed bits needs root",
			       path);
	default:
		return vmv_err(VMV_EXIT_FAIL, "writing 1 to %s: %s", path,
			       strerror(-ret));
	}
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void pct(char *buf, size_t len, uint64_t part, uint64_t whole)
{
	if (whole)
		snprintf(buf, len, "%" PRIu64 "/%" PRIu64 " (%.0f%%)", part,
			 whole, 100.0 * part / whole);
	else
		snprintf(buf, len, "0/0");
}

static void print_round(pid_t pid, const char *comm, unsigned int round,
			const struct wss *w)
{
	const struct vmv_vmas *vmas = w->vmas;
	int digits = vmv_addr_digits(vmas);
	char a[24], b[24], c[24], p[48];
	size_t i;

	printf("%sround %u of %u: PID %d (%s), %g s after its accessed bits were cleared\n",
	       round > 1 ? "\n" : "", round, vmv_opts.rounds, (int)pid, comm,
	       vmv_opts.interval_s);
	if (!vmv_opts.noheadings)
		printf("%-*s %7s %8s %8s %-16s %s\n", digits, "START", "SIZE",
		       "RESIDENT", "ACCESSED", "PAGES", "NAME");
	for (i = 0; i < vmas->n; i++) {
		const struct vmv_vma *v = &vmas->v[i];

		if (!w->per[i].resident)
			continue;
		pct(p, sizeof(p), w->per[i].accessed, w->per[i].resident);
		printf("%0*" PRIx64 " %7s %8s %8s %-16s %s\n", digits, v->start,
		       vmv_size(a, sizeof(a), v->end - v->start),
		       vmv_size(b, sizeof(b), w->per[i].resident * VMV_PAGE_SIZE),
		       vmv_size(c, sizeof(c), w->per[i].accessed * VMV_PAGE_SIZE),
		       p, *v->name ? v->name : "[anon]");
	}
	pct(p, sizeof(p), w->accessed, w->resident);
	printf("%-*s %7s %8s %8s %s\n", digits, "total", "",
	       vmv_size(b, sizeof(b), w->resident * VMV_PAGE_SIZE),
	       vmv_size(c, sizeof(c), w->accessed * VMV_PAGE_SIZE), p);
	fflush(stdout);
}

static struct json_object *round_json(unsigned int round, const struct wss *w)
{
	struct json_object *o = json_object_new_object(), *a, *e;
	size_t i;

	vmv_json_add_u64(o, "round", round);
	vmv_json_add_u64(o, "resident_pages", w->resident);
	vmv_json_add_u64(o, "accessed_pages", w->accessed);
	vmv_json_add_u64(o, "accessed_bytes", w->accessed * VMV_PAGE_SIZE);
	a = json_object_new_array();
	for (i = 0; i < w->vmas->n; i++) {
		if (!w->per[i].resident)
			continue;
		e = json_object_new_object();
		vmv_json_add_hex(e, "start", w->vmas->v[i].start);
		vmv_json_add_hex(e, "end", w->vmas->v[i].end);
		vmv_json_add_str(e, "name", w->vmas->v[i].name);
		vmv_json_add_u64(e, "resident_pages", w->per[i].resident);
		vmv_json_add_u64(e, "accessed_pages", w->per[i].accessed);
		json_object_array_add(a, e);
	}
	vmv_json_add(o, "vmas", a);
	return o;
}

int vmv_cmd_wss(int argc, char **argv)
{
	struct json_object *out = NULL, *rounds = NULL;
	struct vmv_vmas vmas = { 0 };
	struct wss w;
	char comm[64];
	unsigned int r;
	pid_t pid;
	int ret;

	if (argc == 1 && !vmv_opts.interval_s)
		return vmv_err(VMV_EXIT_USAGE,
			       "wss needs --interval S (seconds between clearing the accessed bits and counting them): usage: vmview-cli wss " SYNOPSIS);
	ret = vmv_begin("wss", SYNOPSIS, argc, argv, 1, &pid);
	if (ret)
		return ret;
	if (!vmv_opts.interval_s)
		return vmv_err(VMV_EXIT_USAGE, "usage: vmview-cli wss " SYNOPSIS);
	vmv_pid_comm(pid, comm, sizeof(comm));
	if (vmv_opts.json) {
		out = json_object_new_object();
		rounds = json_object_new_array();
		vmv_json_add_i64(out, "pid", pid);
		vmv_json_add_str(out, "comm", comm);
		json_object_object_add(out, "interval_s",
				       json_object_new_double(vmv_opts.interval_s));
		vmv_json_add_u64(out, "page_bytes", VMV_PAGE_SIZE);
		vmv_json_add(out, "rounds", rounds);
	}
	for (r = 1; r <= vmv_opts.rounds && !ret; r++) {
		ret = clear_refs(pid);
		if (ret)
			break;
		sleep_s(vmv_opts.interval_s);
		/* the VMAs of now, counted with the entries of now */
		vmv_vmas_free(&vmas);
		ret = vmv_load_vmas(pid, &vmas);
		if (ret)
			break;
		memset(&w, 0, sizeof(w));
		w.vmas = &vmas;
		w.per = calloc(vmas.n ? vmas.n : 1, sizeof(*w.per));
		if (!w.per) {
			ret = vmv_err(VMV_EXIT_FAIL, "out of memory");
			break;
		}
		ret = vmv_each_pte(pid, count_pte, NULL, &w);
		if (!ret && out)
			json_object_array_add(rounds, round_json(r, &w));
		else if (!ret)
			print_round(pid, comm, r, &w);
		free(w.per);
	}
	if (out) {
		if (!ret)
			vmv_json_print(out);
		json_object_put(out);
	} else if (!ret) {
		printf("\n");
		vmv_print_wrapped("", "Not counted: pages used only through a translation the TLB kept (clearing the bits flushes no TLB; the CPU sets a bit again when it walks the tables).", 80);
	}
	vmv_vmas_free(&vmas);
	return ret;
}

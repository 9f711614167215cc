// SPDX-License-Identifier: GPL-2.0
/*
 * tlb_report.c: the TLB section of summary and latency: the CPU's data
 * TLB and second-level TLB entries per page size (cpu.c, tlb.c), the
 * reach they give at 4K, 2M and 1G, and what a process needs: one
 * entry a present leaf as its memory is mapped now (a huge leaf is one
 * entry) against one a base page, which is what THP buys it.  The
 * leaves come from vmview's PID/ptes, or, without the module, from
 * smaps_rollup (tlb.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

static const enum vmv_tlb_size shown[] = { VMV_TLB_4K, VMV_TLB_2M,
					   VMV_TLB_1G };

/*
 * A tracked PID's present leaves, but those of VM_PFNMAP VMAs (which
 * /proc/PID/pagemap does not show either; figures.c counts them);
 * returns 0 or the (reported) exit code.
 */
int vmv_tlb_need_of_pid(pid_t pid, struct vmv_tlb_need *n)
{
	struct vmv_vmas vmas = { 0 };
	struct vmv_leaves l;
	int ret;

	memset(n, 0, sizeof(*n));
	ret = vmv_load_vmas(pid, &vmas);
	if (!ret)
		ret = vmv_count_leaves(pid, &vmas, &l);
	if (!ret)
		*n = l.need;
	vmv_vmas_free(&vmas);
	return ret;
}

static void cell(char *buf, size_t len, unsigned int entries,
		 enum vmv_tlb_size s)
{
	char sz[24];

	if (!entries)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%u = %s", entries,
			 vmv_size(sz, sizeof(sz), vmv_tlb_reach(entries, s)));
}

void vmv_tlb_print(const struct vmv_tlb_info *t, const char *why,
		   const struct vmv_tlb_need *n, const char *need_source,
		   uint64_t base_page)
{
	static const char * const rows[] = { "data TLB", "second level" };
	char buf[64], a[24], b[24], line[512], hyp[160];
	const unsigned int *e;
	size_t r, i;

	if (t->known) {
		bool virt = vmv_cpu_hypervisor(hyp, sizeof(hyp)) > 0;

		snprintf(line, sizeof(line),
			 "TLB entries and their reach (%s, %s%s):", t->source,
			 why, virt ? "; a virtual CPU: its hypervisor's figures" :
			 "");
		vmv_print_wrapped("", line, 80);
		printf("  %-14s", "");
		for (i = 0; i < ARRAY_SIZE(shown); i++) {
			snprintf(buf, sizeof(buf), "%s PAGES",
				 vmv_tlb_size_names[shown[i]]);
			vmv_print_cell(buf, i + 1 < ARRAY_SIZE(shown) ? 18 : 0,
				       false);
		}
		printf("\n");
		for (r = 0; r < ARRAY_SIZE(rows); r++) {
			e = r ? t->l2 : t->l1d;
			printf("  %-14s", rows[r]);
			for (i = 0; i < ARRAY_SIZE(shown); i++) {
				cell(buf, sizeof(buf), e[shown[i]], shown[i]);
				vmv_print_cell(buf, i + 1 < ARRAY_SIZE(shown) ?
					       18 : 0, false);
			}
			printf("\n");
		}
	} else {
		snprintf(line, sizeof(line), "TLB entries: %s", why);
		vmv_print_wrapped("", line, 80);
	}
	if (!n)
		return;
	snprintf(line, sizeof(line),
		 "the process needs %" PRIu64 " TLB entries for its %s resident as mapped now (%" PRIu64 " huge lea%s, %s; from %s), %" PRIu64 " if every page were %s: THP saves %" PRIu64 " entries",
		 n->entries, vmv_size(a, sizeof(a), n->bytes), n->huge_leaves,
		 n->huge_leaves == 1 ? "f" : "ves",
		 vmv_size(b, sizeof(b), n->huge_bytes), need_source,
		 n->base_entries, vmv_size(buf, sizeof(buf), base_page),
		 n->base_entries - n->entries);
	if (t->known && t->l2[VMV_TLB_4K])
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " (the second-level TLB has %u entries for 4K pages)",
			 t->l2[VMV_TLB_4K]);
	vmv_print_wrapped("  ", line, 80);
}

static struct json_object *row_json(const unsigned int *e)
{
	struct json_object *o = json_object_new_object(), *c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(shown); i++) {
		c = json_object_new_object();
		vmv_json_add(c, "entries",
			     e[shown[i]] ? json_object_new_int64(e[shown[i]]) :
			     NULL);
		vmv_json_add(c, "reach_bytes", e[shown[i]] ?
			     json_object_new_int64(vmv_tlb_reach(e[shown[i]],
								 shown[i])) :
			     NULL);
		vmv_json_add(o, vmv_tlb_size_names[shown[i]], c);
	}
	return o;
}

struct json_object *vmv_tlb_json(const struct vmv_tlb_info *t,
				 const char *why,
				 const struct vmv_tlb_need *n,
				 const char *need_source, uint64_t base_page)
{
	struct json_object *o = json_object_new_object(), *p;
	char buf[160];

	vmv_json_add_bool(o, "known", t->known);
	vmv_json_add_str(o, "source", t->known ? t->source : NULL);
	vmv_json_add_str(o, "cpu", why);
	vmv_json_add_bool(o, "virtual_cpu",
			  vmv_cpu_hypervisor(buf, sizeof(buf)) > 0);
	vmv_json_add(o, "data_tlb", t->known ? row_json(t->l1d) : NULL);
	vmv_json_add(o, "second_level", t->known ? row_json(t->l2) : NULL);
	if (n) {
		p = json_object_new_object();
		vmv_json_add_u64(p, "entries", n->entries);
		vmv_json_add_u64(p, "base_page_entries", n->base_entries);
		vmv_json_add_u64(p, "base_page_bytes", base_page);
		vmv_json_add_u64(p, "huge_leaves", n->huge_leaves);
		vmv_json_add_u64(p, "huge_bytes", n->huge_bytes);
		vmv_json_add_u64(p, "resident_bytes", n->bytes);
		vmv_json_add_str(p, "from", need_source);
		vmv_json_add(o, "process", p);
	}
	return o;
}

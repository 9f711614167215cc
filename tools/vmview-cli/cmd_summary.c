// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_summary.c: "summary PID" (or just "PID"): the process's figures
 * (figures.c: paging, page-table pages per level and what the kernel
 * counts for them, RSS by kind, swap, THP, from PID/mm), the TLB's
 * reach and the entries the process needs (tlb_report.c, from the
 * figures' pass over PID/ptes), then one row a VMA from PID/vmas.  The
 * head, to the number of VMAs, is watch's counts too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

#define KEY "%-12s "

static const char *sz(char *buf, uint64_t bytes)
{
	return vmv_size(buf, 24, bytes);
}

/*
 * The process in a few lines (to "vmas"), from PID/mm, the wrapped line
 * to width columns: summary's head, and watch's counts.
 */
void vmv_summary_fprint(FILE *f, pid_t pid, const struct vmv_kvs *mm,
			size_t nr_vmas, int width)
{
	static const char * const lv[] = { "p4d", "pud", "pmd", "pte" };
	const char *comm = vmv_kv_get(mm, "comm"), *thp;
	uint64_t pgt = vmv_kv_u64(mm, "pgtables_bytes", 0);
	uint64_t walk = vmv_kv_u64(mm, "walk_pgtables_bytes", 0);
	uint64_t rss, thp_pmd = vmv_kv_u64(mm, "thp_pmd", 0);
	uint64_t found = vmv_kv_u64(mm, "table_pmd", 0);
	char a[24], b[24], c[24], d[24], line[400], key[16];
	int levels = vmv_kv_u64(mm, "levels", vmv_levels()), pmds, huge;
	bool pti, agree;
	size_t i, n;

	huge = vmv_huge_level();
	pmds = vmv_pae_pmds(mm, &pti);
	agree = vmv_pgtables_agree(mm, pmds);
	rss = vmv_mm_bytes(mm, "rss_anon") + vmv_mm_bytes(mm, "rss_file") +
	      vmv_mm_bytes(mm, "rss_shmem");
	fprintf(f, KEY "%d (%s)\n", "pid", (int)pid, comm ? comm : "?");
	fprintf(f, KEY "%d-level, pgd (%s) at %s\n", "paging", levels,
		vmv_top_register(),
		vmv_kv_get(mm, "pgd") ? vmv_kv_get(mm, "pgd") : "?");
	fprintf(f, KEY "%s in tables:", "page tables", sz(a, pgt));
	/* the levels below the pgd that are not folded */
	for (i = 0, n = 0; i < ARRAY_SIZE(lv); i++) {
		snprintf(key, sizeof(key), "table_%s", lv[i]);
		if (vmv_level_has_tables(vmv_word_index(vmv_level_names,
							VMVIEW_NR_LEVELS,
							lv[i])))
			fprintf(f, "%s %s %" PRIu64, n++ ? "," : "", lv[i],
				vmv_kv_u64(mm, key, 0));
	}
	if (vmv_kv_u64(mm, "table_deposited", 0))
		fprintf(f, ", +%" PRIu64 " deposited",
			vmv_kv_u64(mm, "table_deposited", 0));
	fprintf(f, "\n");
	if (walk == pgt || pmds <= 0 || !agree) {
		snprintf(line, sizeof(line),
			 "walk finds %s, the kernel counts %s: %s", sz(a, walk),
			 sz(b, pgt), walk == pgt ? "agree" : pmds < 0 ?
			 "differ (with PAE the kernel also counts the pmd tables it preallocates, 3 or 5 with PTI, and /sys/devices/system/cpu/vulnerabilities/meltdown cannot be read to tell)" :
			 "differ (did the process change meanwhile?)");
	} else {
		snprintf(line, sizeof(line),
			 "walk finds %s, the kernel counts %s: agree once the %" PRIu64 " preallocated PAE pmd table%s the walk does not reach %s counted (pgd_alloc() makes all %d: %s; the walk finds %" PRIu64 ")",
			 sz(a, walk), sz(b, pgt), pmds - found,
			 pmds - found == 1 ? "" : "s",
			 pmds - found == 1 ? "is" : "are", pmds,
			 pti ? "4, and 1 for PTI's user pgd" :
			 "the user half's 3, the kernel's is shared", found);
	}
	vmv_fprint_wrapped(f, "             ", line, width);
	fprintf(f, KEY "%s: data %s, stack %s, exec %s\n", "size",
		sz(a, vmv_mm_bytes(mm, "total_vm")), sz(b, vmv_mm_bytes(mm, "data_vm")),
		sz(c, vmv_mm_bytes(mm, "stack_vm")), sz(d, vmv_mm_bytes(mm, "exec_vm")));
	fprintf(f, KEY "%s: anon %s, file %s, shmem %s\n", "resident",
		sz(a, rss), sz(b, vmv_mm_bytes(mm, "rss_anon")),
		sz(c, vmv_mm_bytes(mm, "rss_file")), sz(d, vmv_mm_bytes(mm, "rss_shmem")));
	fprintf(f, KEY "%s\n", "swap", sz(a, vmv_mm_bytes(mm, "swapents")));
	thp = vmv_kv_get(mm, "thp_enabled");
	fprintf(f, KEY "%" PRIu64 " %s lea%s (%s); THP mode: %s\n",
		"huge pages", thp_pmd, huge == VMVIEW_LEVEL_PMD ? "PMD" : "PGD",
		thp_pmd == 1 ? "f" : "ves",
		sz(a, thp_pmd << vmv_level_shift(huge)), thp ? thp : "?");
	fprintf(f, KEY "locked %s, pinned %s\n", "",
		sz(a, vmv_mm_bytes(mm, "locked_vm")), sz(b, vmv_mm_bytes(mm, "pinned_vm")));
	fprintf(f, KEY "%zu\n", "vmas", nr_vmas);
}

static void print_text(const struct vmv_figures *f)
{
	struct vmv_tlb_info tlb;
	char why[160];

	vmv_summary_fprint(stdout, f->pid, &f->mm, f->vmas.n, 80);
	vmv_cpu_tlb(&tlb, why, sizeof(why));
	vmv_tlb_print(&tlb, why, &f->leaves.need, "vmview's ptes",
		      VMV_PAGE_SIZE);
	printf("\n");
}

static void print_json(const struct vmv_figures *f)
{
	const struct vmv_kvs *mm = &f->mm;
	struct vmv_tlb_info tlb;
	char why[160];
	struct json_object *o = json_object_new_object(), *t, *a;
	size_t i;

	vmv_json_add_i64(o, "pid", f->pid);
	vmv_json_add_str(o, "comm", vmv_kv_get(mm, "comm"));
	vmv_json_add_i64(o, "levels", vmv_kv_u64(mm, "levels", vmv_levels()));
	vmv_json_add_str(o, "pgd", vmv_kv_get(mm, "pgd"));
	vmv_json_add_u64(o, "pgtables_bytes",
			 vmv_kv_u64(mm, "pgtables_bytes", 0));
	vmv_json_add_u64(o, "walk_pgtables_bytes",
			 vmv_kv_u64(mm, "walk_pgtables_bytes", 0));
	vmv_json_add(o, "pae_preallocated_pmds", f->pae_pmds > 0 ?
		     json_object_new_int(f->pae_pmds) : NULL);
	vmv_json_add_bool(o, "pgtables_agree", f->pgtables_agree);
	t = json_object_new_object();
	vmv_json_add_u64(t, "p4d", vmv_kv_u64(mm, "table_p4d", 0));
	vmv_json_add_u64(t, "pud", vmv_kv_u64(mm, "table_pud", 0));
	vmv_json_add_u64(t, "pmd", vmv_kv_u64(mm, "table_pmd", 0));
	vmv_json_add_u64(t, "pte", vmv_kv_u64(mm, "table_pte", 0));
	vmv_json_add_u64(t, "deposited", vmv_kv_u64(mm, "table_deposited", 0));
	vmv_json_add(o, "tables", t);
	t = json_object_new_object();
	vmv_json_add_u64(t, "anon_bytes", vmv_mm_bytes(mm, "rss_anon"));
	vmv_json_add_u64(t, "file_bytes", vmv_mm_bytes(mm, "rss_file"));
	vmv_json_add_u64(t, "shmem_bytes", vmv_mm_bytes(mm, "rss_shmem"));
	vmv_json_add_u64(t, "total_bytes", vmv_mm_bytes(mm, "rss_anon") +
			 vmv_mm_bytes(mm, "rss_file") + vmv_mm_bytes(mm, "rss_shmem"));
	vmv_json_add(o, "rss", t);
	vmv_json_add_u64(o, "swap_bytes", vmv_mm_bytes(mm, "swapents"));
	vmv_json_add_u64(o, "size_bytes", vmv_mm_bytes(mm, "total_vm"));
	vmv_json_add_u64(o, "thp_pmds", vmv_kv_u64(mm, "thp_pmd", 0));
	vmv_json_add_str(o, "thp_enabled", vmv_kv_get(mm, "thp_enabled"));
	vmv_json_add_u64(o, "map_count", vmv_kv_u64(mm, "map_count", 0));
	vmv_json_add(o, "mm", vmv_json_kvs(mm));
	vmv_cpu_tlb(&tlb, why, sizeof(why));
	vmv_json_add(o, "tlb", vmv_tlb_json(&tlb, why, &f->leaves.need,
					    "ptes", VMV_PAGE_SIZE));
	a = json_object_new_array();
	for (i = 0; i < f->vmas.n; i++)
		json_object_array_add(a, vmv_vma_json(&f->vmas.v[i]));
	vmv_json_add(o, "vmas", a);
	vmv_json_print(o);
	json_object_put(o);
}

int vmv_cmd_summary(int argc, char **argv)
{
	struct vmv_figures f;
	pid_t pid;
	int ret;

	ret = vmv_begin("summary", "PID", argc, argv, 1, &pid);
	if (ret)
		return ret;
	ret = vmv_figures_load(pid, &f);
	if (!ret && vmv_opts.json) {
		print_json(&f);
	} else if (!ret) {
		print_text(&f);
		ret = vmv_print_vma_table(&f.vmas,
					  "START,SIZE,RSS,SWAP,THP,PERM,NAME");
	}
	vmv_figures_free(&f);
	return ret;
}

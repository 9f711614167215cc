// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_summary.c: "summary PID" (or just "PID"): the process from PID/mm
 * (paging, page-table pages per level and what the kernel counts for
 * them, RSS by kind, swap, THP), then one row a VMA from PID/vmas.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

#define KEY "%-12s "

static uint64_t pages(const struct vmv_kvs *mm, const char *key)
{
	return vmv_kv_u64(mm, key, 0) * VMV_PAGE_SIZE;
}

static const char *sz(char *buf, uint64_t bytes)
{
	return vmv_size(buf, 24, bytes);
}

static void print_text(pid_t pid, const struct vmv_kvs *mm,
		       const struct vmv_vmas *vmas)
{
	const char *comm = vmv_kv_get(mm, "comm"), *thp;
	uint64_t pgt = vmv_kv_u64(mm, "pgtables_bytes", 0);
	uint64_t walk = vmv_kv_u64(mm, "walk_pgtables_bytes", 0);
	uint64_t rss, thp_pmd = vmv_kv_u64(mm, "thp_pmd", 0);
	char a[24], b[24], c[24], d[24];
	int levels = vmv_kv_u64(mm, "levels", vmv_levels());

	rss = pages(mm, "rss_anon") + pages(mm, "rss_file") +
	      pages(mm, "rss_shmem");
	printf(KEY "%d (%s)\n", "pid", (int)pid, comm ? comm : "?");
	printf(KEY "%d-level, pgd (CR3) at %s\n", "paging", levels,
	       vmv_kv_get(mm, "pgd") ? vmv_kv_get(mm, "pgd") : "?");
	printf(KEY "%s in tables: ", "page tables", sz(a, pgt));
	if (levels == 5)
		printf("p4d %" PRIu64 ", ", vmv_kv_u64(mm, "table_p4d", 0));
	printf("pud %" PRIu64 ", pmd %" PRIu64 ", pte %" PRIu64,
	       vmv_kv_u64(mm, "table_pud", 0), vmv_kv_u64(mm, "table_pmd", 0),
	       vmv_kv_u64(mm, "table_pte", 0));
	if (vmv_kv_u64(mm, "table_deposited", 0))
		printf(", +%" PRIu64 " deposited",
		       vmv_kv_u64(mm, "table_deposited", 0));
	printf("\n");
	printf(KEY "walk finds %s, the kernel counts %s: %s\n", "", sz(a, walk),
	       sz(b, pgt), walk == pgt ? "agree" :
	       "differ (did the process change meanwhile?)");
	printf(KEY "%s: data %s, stack %s, exec %s\n", "size",
	       sz(a, pages(mm, "total_vm")), sz(b, pages(mm, "data_vm")),
	       sz(c, pages(mm, "stack_vm")), sz(d, pages(mm, "exec_vm")));
	printf(KEY "%s: anon %s, file %s, shmem %s\n", "resident",
	       sz(a, rss), sz(b, pages(mm, "rss_anon")),
	       sz(c, pages(mm, "rss_file")), sz(d, pages(mm, "rss_shmem")));
	printf(KEY "%s\n", "swap", sz(a, pages(mm, "swapents")));
	thp = vmv_kv_get(mm, "thp_enabled");
	printf(KEY "%" PRIu64 " PMD lea%s (%s); THP mode: %s\n", "huge pages",
	       thp_pmd, thp_pmd == 1 ? "f" : "ves", sz(a, thp_pmd << 21),
	       thp ? thp : "?");
	printf(KEY "locked %s, pinned %s\n", "", sz(a, pages(mm, "locked_vm")),
	       sz(b, pages(mm, "pinned_vm")));
	printf(KEY "%zu\n\n", "vmas", vmas->n);
}

static void print_json(pid_t pid, const struct vmv_kvs *mm,
		       const struct vmv_vmas *vmas)
{
	struct json_object *o = json_object_new_object(), *t, *a;
	size_t i;

	vmv_json_add_i64(o, "pid", pid);
	vmv_json_add_str(o, "comm", vmv_kv_get(mm, "comm"));
	vmv_json_add_i64(o, "levels", vmv_kv_u64(mm, "levels", vmv_levels()));
	vmv_json_add_str(o, "pgd", vmv_kv_get(mm, "pgd"));
	vmv_json_add_u64(o, "pgtables_bytes",
			 vmv_kv_u64(mm, "pgtables_bytes", 0));
	vmv_json_add_u64(o, "walk_pgtables_bytes",
			 vmv_kv_u64(mm, "walk_pgtables_bytes", 0));
	t = json_object_new_object();
	vmv_json_add_u64(t, "p4d", vmv_kv_u64(mm, "table_p4d", 0));
	vmv_json_add_u64(t, "pud", vmv_kv_u64(mm, "table_pud", 0));
	vmv_json_add_u64(t, "pmd", vmv_kv_u64(mm, "table_pmd", 0));
	vmv_json_add_u64(t, "pte", vmv_kv_u64(mm, "table_pte", 0));
	vmv_json_add_u64(t, "deposited", vmv_kv_u64(mm, "table_deposited", 0));
	vmv_json_add(o, "tables", t);
	t = json_object_new_object();
	vmv_json_add_u64(t, "anon_bytes", pages(mm, "rss_anon"));
	vmv_json_add_u64(t, "file_bytes", pages(mm, "rss_file"));
	vmv_json_add_u64(t, "shmem_bytes", pages(mm, "rss_shmem"));
	vmv_json_add_u64(t, "total_bytes", pages(mm, "rss_anon") +
			 pages(mm, "rss_file") + pages(mm, "rss_shmem"));
	vmv_json_add(o, "rss", t);
	vmv_json_add_u64(o, "swap_bytes", pages(mm, "swapents"));
	vmv_json_add_u64(o, "size_bytes", pages(mm, "total_vm"));
	vmv_json_add_u64(o, "thp_pmds", vmv_kv_u64(mm, "thp_pmd", 0));
	vmv_json_add_str(o, "thp_enabled", vmv_kv_get(mm, "thp_enabled"));
	vmv_json_add_u64(o, "map_count", vmv_kv_u64(mm, "map_count", 0));
	vmv_json_add(o, "mm", vmv_json_kvs(mm));
	a = json_object_new_array();
	for (i = 0; i < vmas->n; i++)
		json_object_array_add(a, vmv_vma_json(&vmas->v[i]));
	vmv_json_add(o, "vmas", a);
	vmv_json_print(o);
	json_object_put(o);
}

int vmv_cmd_summary(int argc, char **argv)
{
	struct vmv_kvs mm = { 0 };
	struct vmv_vmas vmas = { 0 };
	pid_t pid;
	int ret;

	ret = vmv_begin("summary", "PID", argc, argv, 1, &pid);
	if (ret)
		return ret;
	ret = vmv_load_mm(pid, &mm);
	if (!ret)
		ret = vmv_load_vmas(pid, &vmas);
	if (!ret && vmv_opts.json) {
		print_json(pid, &mm, &vmas);
	} else if (!ret) {
		print_text(pid, &mm, &vmas);
		ret = vmv_print_vma_table(&vmas,
					  "START,SIZE,RSS,SWAP,THP,PERM,NAME");
	}
	vmv_kvs_free(&mm);
	vmv_vmas_free(&vmas);
	return ret;
}

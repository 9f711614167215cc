// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_verify.c: "verify PID [--range A-B]", the shadow page table
 * against vmview's walk (PID/verify).  A range is written to PID/verify
 * before the read and the whole address space restored after it.  The
 * shadow's own figures (PID/shadow) follow.  Exits 1 when there is any
 * mismatch.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

/*
 * The shadow's figures: nodes per level and leaves per size, as many as
 * PID/shadow has (leaves_4k, leaves_2m, leaves_4m, leaves_1g: what the
 * paging mode allows), in its order.
 */
static void shadow_text(const struct vmv_kvs *sh)
{
	static const char * const lv[] = { "pgd", "p4d", "pud", "pmd", "pte" };
	uint64_t nodes = 0;
	char key[16], s[24], leaves[256];
	size_t i, n = 0;
	int k;

	for (i = 0; i < ARRAY_SIZE(lv); i++) {
		snprintf(key, sizeof(key), "nodes_%s", lv[i]);
		nodes += vmv_kv_u64(sh, key, 0);
	}
	printf("shadow: %" PRIu64 " nodes in %s:", nodes,
	       vmv_size(s, sizeof(s), vmv_kv_u64(sh, "bytes", 0)));
	for (i = 0; i < ARRAY_SIZE(lv); i++) {
		snprintf(key, sizeof(key), "nodes_%s", lv[i]);
		if (vmv_kv_get(sh, key))
			printf(" %s %" PRIu64, lv[i], vmv_kv_u64(sh, key, 0));
	}
	leaves[0] = '\0';
	for (i = 0; i < sh->n && n < sizeof(leaves); i++) {
		const char *size = sh->v[i].key + 7;

		if (strncmp(sh->v[i].key, "leaves_", 7) || !*size)
			continue;
		n += snprintf(leaves + n, sizeof(leaves) - n, "%s%" PRIu64 " x ",
			      n ? ", " : "", vmv_kv_u64(sh, sh->v[i].key, 0));
		for (k = 0; size[k] && n + 1 < sizeof(leaves); k++)
			leaves[n++] = toupper((unsigned char)size[k]);
		leaves[n] = '\0';
	}
	printf("\n        leaves: %s; %" PRIu64 " fills, %" PRIu64
	       " invalidations, %" PRIu64 " retries\n", n ? leaves : "none",
	       vmv_kv_u64(sh, "fills", 0), vmv_kv_u64(sh, "invalidations", 0),
	       vmv_kv_u64(sh, "retries", 0));
}

int vmv_cmd_verify(int argc, char **argv)
{
	uint64_t start = 0, end = 0;
	struct vmv_kvs sh = { 0 };
	struct vmv_verify v = { 0 };
	bool has_shadow;
	char line[64], *text;
	pid_t pid;
	size_t i;
	int ret;

	if (vmv_opts.range && vmv_parse_range(vmv_opts.range, &start, &end))
		return vmv_err(VMV_EXIT_BAD_ADDR,
			       "bad range '%s': give START-END in hex, START below END, as in /proc/PID/maps",
			       vmv_opts.range);
	ret = vmv_begin("verify", "PID [--range A-B]", argc, argv, 1, &pid);
	if (ret)
		return ret;
	if (vmv_opts.range) {
		snprintf(line, sizeof(line), "0x%" PRIx64 "-0x%" PRIx64 "\n",
			 start, end);
		ret = vmv_write_pid_file(pid, "verify", line);
		if (ret == -EINVAL)
			return vmv_err(VMV_EXIT_BAD_ADDR,
				       "the module refused the range %s (EINVAL): give user addresses, START below END",
				       vmv_opts.range);
		if (ret)
			return vmv_pid_errno(pid, "verify", ret);
	}
	ret = vmv_load_verify(pid, &v);
	if (vmv_opts.range)	/* the whole address space again */
		vmv_write_pid_file(pid, "verify", "\n");
	if (ret) {
		vmv_verify_free(&v);
		return ret;
	}
	has_shadow = !vmv_read_pid_raw(pid, "shadow", &text);
	if (has_shadow) {
		vmv_parse_kvs(text, &sh);
		free(text);
	}

	if (vmv_opts.json) {
		struct json_object *o = json_object_new_object();
		struct json_object *r = NULL;

		vmv_json_add_i64(o, "pid", pid);
		if (vmv_opts.range) {
			r = json_object_new_object();
			vmv_json_add_hex(r, "start", start);
			vmv_json_add_hex(r, "end", end);
		}
		vmv_json_add(o, "range", r);
		vmv_verify_json_add(o, &v);
		vmv_json_add(o, "shadow", has_shadow ? vmv_json_kvs(&sh) : NULL);
		vmv_json_print(o);
		json_object_put(o);
	} else {
		if (v.n && !vmv_opts.noheadings)
			printf("%-12s  %-26s %s\n", "ADDRESS", "WALK",
			       "SHADOW");
		for (i = 0; i < v.n; i++)
			printf("%012" PRIx64 "  %-26s %s\n", v.v[i].vaddr,
			       v.v[i].walk, v.v[i].shadow);
		printf("verify: %" PRIu64 " pages checked, %" PRIu64
		       " mismatch%s, %" PRIu64 " resynced\n", v.checked,
		       v.mismatches, v.mismatches == 1 ? "" : "es",
		       v.resynced);
		if (has_shadow)
			shadow_text(&sh);
	}
	vmv_kvs_free(&sh);
	ret = v.mismatches ? VMV_EXIT_FAIL : 0;
	vmv_verify_free(&v);
	return ret;
}

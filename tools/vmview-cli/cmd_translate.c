// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_translate.c: "translate PID ADDR", one address walked the way a
 * textbook draws it: the address split into its per-level indexes and
 * page offset, then CR3 -> PGD[i] -> (P4D[j]) -> PUD -> PMD -> PTE ->
 * frame with each level's raw entry, the leaf's decoded flags and the
 * physical address.  Every entry comes from PID/translate; the CLI only
 * splits the address and reads the next table's address out of an entry
 * to draw the arrows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vmview-cli.h"

#define ENTRY_ADDR_MASK	0x000ffffffffff000ULL	/* bits 51:12 */

/* The shift of a level's index; pgd's depends on the paging mode. */
static int level_shift(int level, int levels)
{
	if (level == VMVIEW_LEVEL_PGD && levels == 4)
		return 39;
	return VMV_PAGE_SHIFT + 9 * level;
}

/* From the top: the i-th level of the walk (pgd, p4d, pud, pmd, pte). */
static int walk_level(int i)
{
	return VMVIEW_LEVEL_PGD - i;
}

static const char *next_name(const char *name, int levels)
{
	if (!strcmp(name, "pgd"))
		return levels == 5 ? "P4D" : "PUD";
	if (!strcmp(name, "p4d"))
		return "PUD";
	if (!strcmp(name, "pud"))
		return "PMD";
	return "PTE";
}

static void upper(char *dst, const char *src)
{
	while ((*dst++ = (*src >= 'a' && *src <= 'z') ? *src - 32 : *src))
		src++;
}

/* What a stop means for an access to the address. */
static const char *stop_meaning(const char *stop)
{
	static const struct {
		const char *kind, *meaning;
	} meanings[] = {
		{ "none", "empty entry: nothing mapped yet; an access faults and the kernel maps a page (demand paging)" },
		{ "swap", "swap entry: the page is in swap; an access faults and reads it back (major fault)" },
		{ "migration", "migration entry: the page is moving; an access waits for the migration to finish" },
		{ "bad", "corrupt table entry (the kernel would report a bad pmd/pud)" },
		{ "marker", "PTE marker (userfaultfd write-protect or poison): an access faults" },
		{ "hwpoison", "hardware-poisoned page: an access gets SIGBUS" },
	};
	const char *kind = strchr(stop, ' ');
	size_t i;

	if (!strcmp(stop, "no vma"))
		return "no VMA covers the address: an access gets SIGSEGV (SEGV_MAPERR)";
	kind = kind ? kind + 1 : stop;
	for (i = 0; i < ARRAY_SIZE(meanings); i++)
		if (!strcmp(kind, meanings[i].kind))
			return meanings[i].meaning;
	return "not present: an access faults";
}

static struct json_object *to_json(pid_t pid, const struct vmv_kvs *mm,
				   const struct vmv_translate *t,
				   const struct vmv_vma *vma, const char *sym)
{
	struct json_object *o = json_object_new_object(), *a, *e;
	int levels = vmv_levels(), i;
	char bits[16];

	vmv_json_add_i64(o, "pid", pid);
	vmv_json_add_hex(o, "vaddr", t->vaddr);
	vmv_json_add_i64(o, "levels", levels);
	vmv_json_add_str(o, "cr3", vmv_kv_get(mm, "pgd"));
	if (t->has_vma) {
		e = json_object_new_object();
		vmv_json_add_hex(e, "start", t->vma_start);
		vmv_json_add_hex(e, "end", t->vma_end);
		vmv_json_add_str(e, "perms", t->vma_perms);
		vmv_json_add_str(e, "name", vma ? vma->name : NULL);
		vmv_json_add(o, "vma", e);
	} else {
		vmv_json_add(o, "vma", NULL);
	}
	a = json_object_new_array();
	for (i = 0; i < 5; i++) {
		int sh = level_shift(walk_level(i), levels);

		if (levels == 4 && i == 1)
			continue;	/* p4d is folded into the pgd */

		e = json_object_new_object();
		vmv_json_add_str(e, "level", vmv_level_names[walk_level(i)]);
		snprintf(bits, sizeof(bits), "%d-%d", sh + 8, sh);
		vmv_json_add_str(e, "bits", bits);
		vmv_json_add_u64(e, "index", (t->vaddr >> sh) & 511);
		json_object_array_add(a, e);
	}
	e = json_object_new_object();
	vmv_json_add_str(e, "level", "offset");
	vmv_json_add_str(e, "bits", "11-0");
	vmv_json_add_u64(e, "index", t->vaddr & 4095);
	json_object_array_add(a, e);
	vmv_json_add(o, "split", a);

	a = json_object_new_array();
	for (i = 0; i < t->nr_levels; i++) {
		e = json_object_new_object();
		vmv_json_add_str(e, "level", t->level[i].name);
		vmv_json_add_u64(e, "index", t->level[i].index);
		vmv_json_add_hex(e, "entry", t->level[i].entry);
		json_object_array_add(a, e);
	}
	vmv_json_add(o, "walk", a);
	vmv_json_add(o, "leaf", t->has_leaf ? vmv_pte_json(&t->leaf) : NULL);
	vmv_json_add(o, "phys", t->has_phys ? vmv_json_hex(t->phys) : NULL);
	vmv_json_add_str(o, "stop", *t->stop ? t->stop : NULL);
	if (vmv_opts.symbolize)
		vmv_json_add_str(o, "symbol", sym && *sym ? sym : NULL);
	return o;
}

static void print_split(uint64_t vaddr, int levels, int leaf_level)
{
	int i, sh, leaf_sh = level_shift(leaf_level, levels);
	char up[4];
	printf("  the address, 9 bits an index:\n");
	if (levels == 5)
		printf("    bits 63-57  sign extension of bit 56\n");
	else
		printf("    bits 63-48  sign extension of bit 47\n");
	for (i = 0; i < 5; i++) {
		if (levels == 4 && i == 1)
			continue;	/* p4d is folded into the pgd */
		sh = level_shift(walk_level(i), levels);
		if (sh < leaf_sh)
			break;
		upper(up, vmv_level_names[walk_level(i)]);
		printf("    bits %2d-%-2d %s index %3" PRIu64 " (0x%03" PRIx64 ")\n",
		       sh + 8, sh, up, (vaddr >> sh) & 511,
		       (vaddr >> sh) & 511);
	}
	printf("    bits %2d-0  offset in the %s page 0x%" PRIx64 "\n",
	       leaf_sh - 1, leaf_sh == 12 ? "4K" : leaf_sh == 21 ? "2M" : "1G",
	       (uint64_t)(vaddr & ((1ULL << leaf_sh) - 1)));
}

static void print_text(pid_t pid, const struct vmv_kvs *mm,
		       const struct vmv_translate *t,
		       const struct vmv_vma *vma, const char *sym)
{
	const char *comm = vmv_kv_get(mm, "comm"), *cr3 = vmv_kv_get(mm, "pgd");
	int levels = vmv_levels(), i, leaf;
	char up[4], s[24];

	printf("%s0x%016" PRIx64 "%s in PID %d (%s), %d-level paging\n",
	       vmv_color("bold"), t->vaddr, vmv_color("reset"), (int)pid,
	       comm ? comm : "?", levels);
	if (t->has_vma)
		printf("vma 0x%" PRIx64 "-0x%" PRIx64 " %s %s\n", t->vma_start,
		       t->vma_end, t->vma_perms,
		       vma && *vma->name ? vma->name : "[anon]");
	else
		printf("vma none\n");
	if (!t->nr_levels) {
		printf("\n");
		vmv_print_wrapped("  ", stop_meaning(*t->stop ? t->stop :
							       "no vma"), 80);
		return;
	}
	printf("\n");
	leaf = t->has_leaf ? vmv_pte_level(&t->leaf) : VMVIEW_LEVEL_PTE;
	print_split(t->vaddr, levels, leaf > 0 ? leaf : VMVIEW_LEVEL_PTE);
	printf("\n  CR3 %s-> %s table at %s\n", "",
	       levels == 5 ? "PGD" : "PGD", cr3 ? cr3 : "?");
	for (i = 0; i < t->nr_levels; i++) {
		bool last = i == t->nr_levels - 1;

		upper(up, t->level[i].name);
		printf("      %s[%3u] = 0x%016" PRIx64, up, t->level[i].index,
		       t->level[i].entry);
		if (!last)
			printf(" -> %s table at 0x%" PRIx64 "\n",
			       next_name(t->level[i].name, levels),
			       (uint64_t)(t->level[i].entry & ENTRY_ADDR_MASK));
		else if (t->has_phys && t->has_leaf)
			printf(" -> frame 0x%" PRIx64 " (%s)\n",
			       t->leaf.pfn << VMV_PAGE_SHIFT,
			       vmv_size(s, sizeof(s), vmv_pte_size(&t->leaf)));
		else
			printf("\n");
	}
	if (t->has_phys) {
		uint64_t size = t->has_leaf ? vmv_pte_size(&t->leaf) :
					      VMV_PAGE_SIZE;

		printf("  phys = frame 0x%" PRIx64 " + offset 0x%" PRIx64
		       " = %s0x%016" PRIx64 "%s\n",
		       t->phys & ~(size - 1), t->phys & (size - 1),
		       vmv_color("bold"), t->phys, vmv_color("reset"));
	} else {
		char line[256];

		snprintf(line, sizeof(line), "stop: %s: %s", t->stop,
			 stop_meaning(t->stop));
		vmv_print_wrapped("  ", line, 80);
	}
	if (t->has_leaf) {
		char letters[11];

		vmv_flag_letters(letters, &t->leaf);
		printf("\n  leaf   %s %s", t->leaf.level, t->leaf.kind);
		if (t->leaf.pfn != VMVIEW_NO_PFN)
			printf(", pfn 0x%" PRIx64, t->leaf.pfn);
		if (t->leaf.has_swap)
			printf(", swap type %u offset 0x%" PRIx64,
			       t->leaf.swap_type, t->leaf.swap_offset);
		printf("\n  flags  %s (%s)\n", t->leaf.flags, letters);
		if (t->leaf.has_page)
			printf("  page   %s, order %d, mapcount %d\n",
			       t->leaf.page, t->leaf.order, t->leaf.mapcount);
	}
	if (sym && *sym)
		printf("  symbol %s\n", sym);
}

int vmv_cmd_translate(int argc, char **argv)
{
	struct vmv_vmas vmas = { 0 };
	struct vmv_kvs mm = { 0 };
	struct vmv_translate t;
	char sym[256] = "";
	uint64_t addr;
	pid_t pid;
	int ret;

	if (argc == 2 && vmv_parse_addr(argv[1], &addr))
		return vmv_err(VMV_EXIT_BAD_ADDR,
			       "bad address '%s': give a user address, 0x-hex or decimal",
			       argv[1]);
	ret = vmv_begin("translate", "PID ADDR", argc, argv, 2, &pid);
	if (ret)
		return ret;
	if (addr > (vmv_levels() == 5 ? 0x00ffffffffffffffULL :
					0x00007fffffffffffULL))
		return vmv_err(VMV_EXIT_BAD_ADDR,
			       "0x%" PRIx64 " is not a user address with %d-level paging: give one below 0x%s",
			       addr, vmv_levels(), vmv_levels() == 5 ?
			       "0100000000000000" : "0000800000000000");
	ret = vmv_load_mm(pid, &mm);
	if (!ret)
		ret = vmv_load_vmas(pid, &vmas);
	if (!ret)
		ret = vmv_load_translate(pid, addr, &t);
	if (ret)
		goto out;
	if (vmv_opts.symbolize)
		vmv_symbolize_pte(pid, &vmas, addr, sym, sizeof(sym));
	if (vmv_opts.json) {
		struct json_object *o = to_json(pid, &mm, &t,
						vmv_vma_find(&vmas, addr), sym);

		vmv_json_print(o);
		json_object_put(o);
	} else {
		print_text(pid, &mm, &t, vmv_vma_find(&vmas, addr), sym);
	}
out:
	vmv_kvs_free(&mm);
	vmv_vmas_free(&vmas);
	return ret;
}

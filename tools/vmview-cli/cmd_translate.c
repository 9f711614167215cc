// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_translate.c: "translate PID ADDR", one address walked the way a
 * textbook draws it: the address split into its per-level indexes and
 * page offset, then CR3 -> PGD[i] -> ... -> PTE -> frame with each
 * level's raw entry, the leaf's decoded flags and the physical address.
 * Every figure comes from PID/translate: its split: line (the fields'
 * widths and indexes), its level lines (the entries) and its path: line
 * (the address each entry gives); the CLI only lays them out.  For a
 * module without split: or path: lines the CLI splits the address by the
 * paging mode (parse.c) and reads the next table's address out of the
 * entry.  Levels are the kernel's that are not folded: pgd, (p4d,) pud,
 * pmd, pte on x86-64; pgd, pmd, pte with PAE; pgd, pte with 2 levels.
 * On arm64 the walk of a user address starts at TTBR0_EL1 and the text
 * names the levels as the architecture does, L0 to L3 from the top (L1
 * to L3 with 3 levels, L-1 to L3 with LPA2's 5), the last L3; the
 * leaf's memory type follows its flags.  JSON keeps Linux's names and
 * adds arm64's (arm64_level) and the architecture there.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vmview-cli.h"

/* The next table's address in a table entry (the entry format's bits). */
static uint64_t entry_addr(const struct vmv_translate *t, int i)
{
	return vmv_table_addr(t->level[i].entry,
			      vmv_word_index(vmv_level_names, VMVIEW_NR_LEVELS,
					     t->level[i].name));
}

/* A level as the architecture's manuals name it: PGD, or L0 on arm64. */
static const char *label(char *buf, size_t len, const char *name)
{
	return vmv_level_label(buf, len, name);
}

/*
 * The split of the address: the module's, else made here from the
 * paging mode, from the top level down to the leaf's (pte when there
 * is no huge leaf), then the offset.
 */
static void get_split(const struct vmv_translate *t, struct vmv_translate *s)
{
	int l, leaf = VMVIEW_LEVEL_PTE, n = 0;

	if (t->has_split) {
		s->nr_split = t->nr_split;
		memcpy(s->split, t->split, sizeof(s->split));
		return;
	}
	if (t->has_leaf && vmv_pte_level(&t->leaf) > 0)
		leaf = vmv_pte_level(&t->leaf);
	for (l = VMVIEW_LEVEL_PGD; l >= leaf; l--) {
		unsigned int sh = vmv_level_shift(l);

		if (!vmv_level_bits(l))
			continue;
		snprintf(s->split[n].name, sizeof(s->split[n].name), "%s",
			 vmv_level_names[l]);
		s->split[n].bits = vmv_level_bits(l);
		s->split[n].index = (t->vaddr >> sh) &
				    ((1ULL << vmv_level_bits(l)) - 1);
		n++;
	}
	snprintf(s->split[n].name, sizeof(s->split[n].name), "offset");
	s->split[n].bits = vmv_level_shift(leaf);
	s->split[n].index = t->vaddr & ((1ULL << s->split[n].bits) - 1);
	s->nr_split = n + 1;
}

/* The highest bit of the split's first field: 31, 47 or 56. */
static int split_top(const struct vmv_translate *s)
{
	int i, bits = 0;

	for (i = 0; i < s->nr_split; i++)
		bits += s->split[i].bits;
	return bits - 1;
}

/* "9/9/9/9/12" */
static void split_widths(char *buf, size_t len, const struct vmv_translate *s)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < s->nr_split && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%u", i ? "/" : "",
			      s->split[i].bits);
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
	bool arm64 = vmv_arch() == VMVIEW_ARCH_ARM64;
	struct vmv_translate s;
	char bits[16], up[8];
	int i, hi;

	vmv_json_add_i64(o, "pid", pid);
	vmv_json_add_hex(o, "vaddr", t->vaddr);
	vmv_json_add_i64(o, "levels", vmv_levels());
	if (arm64)
		vmv_json_add_str(o, "arch", "arm64");
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
	if (t->nr_levels || t->has_split) {
		get_split(t, &s);
		a = json_object_new_array();
		for (i = 0, hi = split_top(&s); i < s.nr_split; i++) {
			e = json_object_new_object();
			vmv_json_add_str(e, "level", s.split[i].name);
			if (arm64 && i + 1 < s.nr_split)
				vmv_json_add_str(e, "arm64_level",
						 label(up, sizeof(up),
						       s.split[i].name));
			snprintf(bits, sizeof(bits), "%d-%d", hi,
				 hi - (int)s.split[i].bits + 1);
			hi -= s.split[i].bits;
			vmv_json_add_str(e, "bits", bits);
			vmv_json_add_u64(e, "index", s.split[i].index);
			json_object_array_add(a, e);
		}
		vmv_json_add(o, "split", a);
	} else {
		vmv_json_add(o, "split", NULL);	/* no VMA, no walk */
	}

	a = json_object_new_array();
	for (i = 0; i < t->nr_levels; i++) {
		e = json_object_new_object();
		vmv_json_add_str(e, "level", t->level[i].name);
		if (arm64)
			vmv_json_add_str(e, "arm64_level",
					 label(up, sizeof(up), t->level[i].name));
		vmv_json_add_u64(e, "index", t->level[i].index);
		vmv_json_add_hex(e, "entry", t->level[i].entry);
		vmv_json_add(e, "next", t->has_path && t->path[i].has_addr ?
			     vmv_json_hex(t->path[i].addr) : NULL);
		json_object_array_add(a, e);
	}
	vmv_json_add(o, "walk", a);
	vmv_json_add(o, "leaf", t->has_leaf ? vmv_pte_json(&t->leaf) : NULL);
	vmv_json_add(o, "phys", t->has_phys ? vmv_json_hex(t->phys) : NULL);
	vmv_json_add_str(o, "stop", *t->stop ? t->stop : NULL);
	vmv_json_add_str(o, "path", t->has_path ? t->path_text : NULL);
	if (vmv_opts.symbolize)
		vmv_json_add_str(o, "symbol", sym && *sym ? sym : NULL);
	return o;
}

static void print_split(const struct vmv_translate *t)
{
	struct vmv_translate s;
	char up[8], w[40], sz[24];
	int i, hi, lo, top;

	get_split(t, &s);
	split_widths(w, sizeof(w), &s);
	printf("  the address, split %s:\n", w);
	top = split_top(&s);
	if (top < 63 && vmv_arch() == VMVIEW_ARCH_ARM64)
		printf("    bits 63-%d  zero: a user address, through %s\n",
		       top + 1, vmv_top_register());
	else if (top < 63 && vmv_levels() >= 4)
		printf("    bits 63-%d  sign extension of bit %d\n", top + 1,
		       top);
	for (i = 0, hi = top; i < s.nr_split - 1; i++, hi = lo - 1) {
		lo = hi - (int)s.split[i].bits + 1;
		label(up, sizeof(up), s.split[i].name);
		printf("    bits %2d-%-2d %s index %3" PRIu64 " (0x%03" PRIx64 ")\n",
		       hi, lo, up, s.split[i].index, s.split[i].index);
	}
	printf("    bits %2d-0  offset in the %s page 0x%" PRIx64 "\n", hi,
	       vmv_size(sz, sizeof(sz), 1ULL << s.split[i].bits),
	       s.split[i].index);
}

static void print_text(pid_t pid, const struct vmv_kvs *mm,
		       const struct vmv_translate *t,
		       const struct vmv_vma *vma, const char *sym)
{
	const char *comm = vmv_kv_get(mm, "comm"), *cr3 = vmv_kv_get(mm, "pgd");
	bool arm64 = vmv_arch() == VMVIEW_ARCH_ARM64;
	int levels = vmv_levels(), i;
	char up[8], s[24], line[512], gran[40] = "";

	if (arm64)
		snprintf(gran, sizeof(gran), " (arm64, %s granule)",
			 vmv_size(s, sizeof(s), VMV_PAGE_SIZE));
	printf("%s0x%016" PRIx64 "%s in PID %d (%s), %d-level paging%s\n",
	       vmv_color("bold"), t->vaddr, vmv_color("reset"), (int)pid,
	       comm ? comm : "?", levels, gran);
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
	print_split(t);
	if (!cr3 && t->has_path)
		snprintf(s, sizeof(s), "0x%" PRIx64, t->cr3);
	printf("\n  %s -> %s table at %s\n", vmv_top_register(),
	       label(up, sizeof(up), "pgd"), cr3 ? cr3 : t->has_path ? s : "?");
	for (i = 0; i < t->nr_levels; i++) {
		bool last = i == t->nr_levels - 1;

		label(up, sizeof(up), t->level[i].name);
		printf("      %s[%3u] = 0x%016" PRIx64, up, t->level[i].index,
		       t->level[i].entry);
		if (!last) {
			uint64_t next = t->has_path && t->path[i].has_addr ?
					t->path[i].addr :
					entry_addr(t, i);

			label(up, sizeof(up), t->level[i + 1].name);
			printf(" -> %s table at 0x%" PRIx64 "\n", up, next);
		} else if (t->has_phys && t->has_leaf) {
			printf(" -> frame 0x%" PRIx64 " (%s)\n",
			       t->leaf.pfn << VMV_PAGE_SHIFT,
			       vmv_size(s, sizeof(s), vmv_pte_size(&t->leaf)));
		} else {
			printf("\n");
		}
	}
	if (t->has_phys) {
		uint64_t size = t->has_leaf ? vmv_pte_size(&t->leaf) :
					      VMV_PAGE_SIZE;

		printf("  phys = frame 0x%" PRIx64 " + offset 0x%" PRIx64
		       " = %s0x%016" PRIx64 "%s\n",
		       t->phys & ~(size - 1), t->phys & (size - 1),
		       vmv_color("bold"), t->phys, vmv_color("reset"));
	} else {
		snprintf(line, sizeof(line), "stop: %s: %s", t->stop,
			 stop_meaning(t->stop));
		vmv_print_wrapped("  ", line, 80);
	}
	if (t->has_leaf) {
		char letters[11];

		vmv_flag_letters(letters, &t->leaf);
		if (arm64)
			printf("\n  leaf   %s (%s) %s",
			       label(up, sizeof(up), t->leaf.level),
			       t->leaf.level, t->leaf.kind);
		else
			printf("\n  leaf   %s %s", t->leaf.level, t->leaf.kind);
		if (t->leaf.pfn != VMVIEW_NO_PFN)
			printf(", pfn 0x%" PRIx64, t->leaf.pfn);
		if (t->leaf.has_swap)
			printf(", swap type %u offset 0x%" PRIx64,
			       t->leaf.swap_type, t->leaf.swap_offset);
		printf("\n  flags  %s (%s)\n", t->leaf.flags, letters);
		if (*t->leaf.mt)
			printf("  mt     %s\n", t->leaf.mt);
		if (t->leaf.has_page)
			printf("  page   %s, order %d, mapcount %d\n",
			       t->leaf.page, t->leaf.order, t->leaf.mapcount);
	}
	if (sym && *sym)
		printf("  symbol %s\n", sym);
	if (t->has_path) {
		printf("\n");
		snprintf(line, sizeof(line), "path %s", t->path_text);
		vmv_print_wrapped("  ", line, 80);
	}
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
	if (addr > vmv_user_limit())
		return vmv_err(VMV_EXIT_BAD_ADDR,
			       "0x%" PRIx64 " is not a user address with %d-level paging: give one below 0x%" PRIx64 "%s",
			       addr, vmv_levels(), vmv_user_limit() + 1,
			       vmv_user_limit() == 0xffffffffULL ?
			       " (32 bits; user space ends at task_size in PID/mm)" :
			       "");
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

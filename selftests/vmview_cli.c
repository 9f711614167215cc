// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_cli: vmview-cli ($VMVIEW_CLI) against live processes, its JSON
 * output compared with the module's files and with the kernel's own
 * views (issue 5, "Tests"):
 *
 *  summary_vs_status   summary's figures against PID/mm, /proc/PID/status
 *                      and /proc/PID/maps; a PID tracked before the CLI
 *                      ran stays tracked after it
 *  maps_vs_proc_maps   maps against /proc/PID/maps
 *  ptes_vs_pagemap     ptes against PID/ptes and /proc/PID/pagemap, and
 *                      its --kind and --range filters
 *  translate_vs_pagemap  translate's indexes, walk depth and physical
 *                      address against the address and pagemap
 *  map_vs_ptes         map's totals against the ptes
 *  symbolize           --symbolize names this very program's functions
 *  verify_events       verify (no mismatch on a still process), events
 *  untrack_at_exit     nothing stays tracked after a run, after SIGTERM
 *                      or SIGINT in events --follow, after an error
 *  exit_codes          no such PID, kernel thread, bad address, not root
 *                      (no CAP_SYS_ADMIN), module not loaded, as JSON too
 *  faults              "faults" (JSON): every scenario ok, or skipped
 *                      with a reason the guest explains (no swap); the
 *                      file scenario reads a hot-added zram device
 *
 * The JSON is read with vmview_clirun.h's small parser (the harness
 * builds with no library), which also checks that the output is valid
 * JSON.
 */
#include <ctype.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "vmview_harness.h"
#include "vmview_workload.h"
#include "vmview_clirun.h"

#define CAP_SYS_ADMIN_NR 21

/* --- the module's and the kernel's views ---------------------------------- */

/* "Key:   123 kB" of /proc/PID/FILE, in bytes; -1 when absent. */
static long long proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], v[64];
	char *st;
	long long n = -1;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	st = vmv_read_file(path, NULL);
	if (st && vmv_kv(st, key, v, sizeof(v)))
		n = strtoll(v, NULL, 10) * 1024;
	free(st);
	return n;
}

static long long status_kb(pid_t pid, const char *key)
{
	return proc_kb(pid, "status", key);
}

static int count_lines(const char *text, const char *skip_prefix)
{
	int n = 0;

	while (text && *text) {
		if (!skip_prefix || strncmp(text, skip_prefix,
					    strlen(skip_prefix)))
			n++;
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	return n;
}

/* Lines of /proc/PID/maps, without the gate VMA ([vsyscall]). */
static int count_maps(const char *maps)
{
	return count_lines(maps, NULL) - (strstr(maps, "[vsyscall]") ? 1 : 0);
}

static void pid_str(char *buf, pid_t pid)
{
	sprintf(buf, "%d", (int)pid);
}

/*
 * A function of this program that --symbolize must name: global, so
 * that it is emitted and in the symbol table whatever the inlining.
 */
int vmv_cli_marker(int x);
int vmv_cli_marker(int x)
{
	asm volatile("" : "+r" (x));
	return x * 7 + 3;
}

/* --- the fixture ----------------------------------------------------------- */

FIXTURE(cli) {
	bool was_loaded;
	struct vmv_workload wl;
	char pid[16];
};

/*
 * Run "vmview-cli -j CMD PID" into *r (freed first), which must succeed
 * with JSON, then read PID/FILE: the JSON and the file it is compared
 * with, read together.
 */
static char *cli_json_and_file(struct __test_metadata *_metadata,
			       struct run *r, const char *cmd, pid_t pid,
			       const char *file)
{
	char *text, pidarg[16];

	pid_str(pidarg, pid);
	run_free(r);
	*r = CLI("-j", cmd, pidarg);
	ASSERT_EQ(0, r->status) TH_LOG("%s: %s", cmd, r->err);
	ASSERT_NE(NULL, r->json) TH_LOG("%s: not JSON: %.300s", cmd, r->out);
	text = vmv_pid_read(pid, file, NULL);
	ASSERT_NE(NULL, text) TH_LOG("%s: %s", file, strerror(errno));
	return text;
}

FIXTURE_SETUP(cli)
{
	unsigned int want = VMV_WL(VMV_WL_ANON) | VMV_WL(VMV_WL_THP) |
			    VMV_WL(VMV_WL_FILE_PRIVATE);
	const char *swap = getenv("VMVIEW_SWAP");

	if (access(cli_path(), X_OK))
		SKIP(return, "no vmview-cli at %s (set VMVIEW_CLI)",
		     cli_path());
	self->was_loaded = vmv_module_loaded();
	ASSERT_EQ(0, vmv_ensure_loaded());
	if (!swap || strcmp(swap, "none"))
		want |= VMV_WL(VMV_WL_SWAP);
	ASSERT_EQ(0, vmv_wl_start(&self->wl, want));
	ASSERT_TRUE(vmv_wl_has(&self->wl, VMV_WL_ANON));
	pid_str(self->pid, self->wl.pid);
}

FIXTURE_TEARDOWN(cli)
{
	if (self->wl.pid > 0 && vmv_module_loaded())
		vmv_untrack(self->wl.pid);
	vmv_wl_stop(&self->wl);
	if (self->was_loaded && !vmv_module_loaded())
		vmv_load();
	if (!self->was_loaded && vmv_module_loaded())
		vmv_unload();
}

/* --- the tests --------------------------------------------------------------- */

/* Is the workload's THP region as large as a huge page (4 MiB on 2 levels)? */
static bool wl_thp_can_be_huge(void)
{
	return vmv_wl_len(VMV_WL_THP) >= 1UL << vmv_huge_shift();
}

static bool thp_enabled(void)
{
	char *t = vmv_read_file("/sys/kernel/mm/transparent_hugepage/enabled",
				NULL);
	bool yes = t && !strstr(t, "[never]");

	free(t);
	return yes;
}

static long long rollup_kb(pid_t pid, const char *key)
{
	return proc_kb(pid, "smaps_rollup", key);
}

/*
 * Where a huge page is not 2 MiB (4 MiB at the pgd with 2-level
 * paging), the workload's 2 MiB THP region cannot be one: a child maps
 * a region of the huge size, aligned to it, MADV_HUGEPAGE, and writes
 * it whole.  summary's thp_pmds must be PID/mm's thp_pmd and what
 * smaps counts (AnonHugePages), at least one.
 */
static void check_huge_thp(struct __test_metadata *_metadata)
{
	unsigned long huge = 1UL << vmv_huge_shift(), a;
	struct vmv_child c = { 0 };
	struct run r = { 0 };
	char *mm, ack, pidarg[16];
	int ret;

	ret = vmv_child_fork(&c, "vmv_thp");
	ASSERT_LE(0, ret);
	if (!ret) {
		char *p = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		a = ((unsigned long)p + huge - 1) & ~(huge - 1);
		madvise((void *)a, huge, MADV_HUGEPAGE);
		memset((void *)a, 1, huge);
		if (write(c.ack, "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(c.ack, &ack, 1));
	ASSERT_EQ(0, vmv_track(c.pid));
	mm = cli_json_and_file(_metadata, &r, "summary", c.pid, "mm");
	EXPECT_EQ(vmv_kv_num(mm, "thp_pmd"), jnum(r.json, "thp_pmds"));
	EXPECT_EQ(rollup_kb(c.pid, "AnonHugePages"),
		  jnum(r.json, "thp_pmds") * (long long)huge)
		TH_LOG("smaps_rollup's AnonHugePages against thp_pmds of %lu bytes",
		       huge);
	EXPECT_LE(1, jnum(r.json, "thp_pmds"))
		TH_LOG("no %lu-byte THP (AnonHugePages %lld)", huge,
		       rollup_kb(c.pid, "AnonHugePages"));
	free(mm);
	run_free(&r);
	pid_str(pidarg, c.pid);
	r = CLI("summary", pidarg);
	EXPECT_NE(NULL, strstr(r.out, huge == 4UL << 20 ? "PGD lea" : "PMD lea"))
		TH_LOG("%s", r.out);
	run_free(&r);
	vmv_untrack(c.pid);
	vmv_child_stop(&c);
}

/* summary's figures are PID/mm's, and agree with /proc/PID/status. */
TEST_F(cli, summary_vs_status)
{
	static const char * const same[] = {
		"pid", "levels", "pgd", "map_count", "total_vm", "rss_anon",
		"rss_file", "rss_shmem", "swapents", "thp_pmd",
		"pgtables_bytes", "table_pud", "table_pmd", "table_pte",
	};
	pid_t pid = self->wl.pid;
	struct run r = { 0 };
	char *mm = NULL, *maps, path[64];
	int tries, bad = 0;
	size_t i;

	/* Tracked before: the CLI must leave it tracked. */
	ASSERT_EQ(0, vmv_track(pid));
	/* The kernel may still change the process: a second chance. */
	for (tries = 0; tries < 2; tries++) {
		free(mm);
		mm = cli_json_and_file(_metadata, &r, "summary", pid, "mm");
		for (bad = 0, i = 0; i < ARRAY_SIZE(same); i++) {
			char v[64] = "", key[64];
			struct jv *x;

			vmv_kv(mm, same[i], v, sizeof(v));
			snprintf(key, sizeof(key), "mm.%s", same[i]);
			x = jget(r.json, key);
			if (x && (x->t == J_NUM ? x->num == strtoll(v, NULL, 0) :
				  x->t == J_STR && !strcmp(x->str, v)))
				continue;
			bad++;
			if (tries)
				TH_LOG("%s: the CLI says %lld/%s, PID/mm %s",
				       same[i], x ? x->num : -1,
				       x && x->str ? x->str : "", v);
		}
		if (!bad)
			break;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(pid, jnum(r.json, "pid"));
	EXPECT_EQ(vmv_expected_levels(), jnum(r.json, "levels"));
	EXPECT_STREQ(VMV_WL_COMM, jstr(r.json, "comm"));
	/* the kernel's own figures */
	EXPECT_EQ(status_kb(pid, "RssAnon"), jnum(r.json, "rss.anon_bytes"));
	EXPECT_EQ(status_kb(pid, "RssFile"), jnum(r.json, "rss.file_bytes"));
	EXPECT_EQ(status_kb(pid, "RssShmem"), jnum(r.json, "rss.shmem_bytes"));
	EXPECT_EQ(status_kb(pid, "VmSwap"), jnum(r.json, "swap_bytes"));
	EXPECT_EQ(status_kb(pid, "VmSize"), jnum(r.json, "size_bytes"));
	EXPECT_EQ(status_kb(pid, "VmPTE"), jnum(r.json, "pgtables_bytes"));
	if (vmv_paging().levels == 3) {
		/* PAE: the pmd tables pgd_alloc() made, reached or not */
		int pmds = vmv_pae_preallocated_pmds();

		EXPECT_EQ(jnum(r.json, "pgtables_bytes"),
			  jnum(r.json, "walk_pgtables_bytes") +
			  (long long)PG * (pmds - jnum(r.json, "tables.pmd")))
			TH_LOG("%d preallocated pmd tables, %lld found", pmds,
			       jnum(r.json, "tables.pmd"));
		EXPECT_EQ(pmds, jnum(r.json, "pae_preallocated_pmds"));
	} else {
		EXPECT_EQ(jnum(r.json, "pgtables_bytes"),
			  jnum(r.json, "walk_pgtables_bytes"));
		EXPECT_EQ(NULL, jget(r.json, "pae_preallocated_pmds"));
	}
	EXPECT_TRUE(jget(r.json, "pgtables_agree") &&
		    jget(r.json, "pgtables_agree")->num);
	/* the workload's THP region: a leaf where it is a huge page's size */
	if (vmv_wl_has(&self->wl, VMV_WL_THP) && wl_thp_can_be_huge())
		EXPECT_LE(1, jnum(r.json, "thp_pmds"));
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = vmv_read_file(path, NULL);
	ASSERT_NE(NULL, maps);
	EXPECT_EQ(count_maps(maps), (int)jlen(r.json, "vmas"));
	EXPECT_EQ(jnum(r.json, "map_count"), (long long)jlen(r.json, "vmas"));
	free(maps);
	free(mm);
	/* the text form says the same, in human units */
	run_free(&r);
	r = CLI("summary", self->pid);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "agree")) TH_LOG("%s", r.out);
	if (vmv_paging().levels == 3) {
		char *w, *o;

		/* the explanation, wrapped: one space for each line break */
		for (w = o = r.out; *o; o++)
			if (!isspace((unsigned char)*o) || (w > r.out && w[-1] != ' '))
				*w++ = isspace((unsigned char)*o) ? ' ' : *o;
		*w = '\0';
		EXPECT_NE(NULL, strstr(r.out, "agree once the"));
		EXPECT_NE(NULL, strstr(r.out, "preallocated PAE pmd table"))
			TH_LOG("%s", r.out);
	}
	EXPECT_NE(NULL, strstr(r.out, VMV_WL_COMM));
	run_free(&r);
	EXPECT_TRUE(tracked(pid))
		TH_LOG("the CLI untracked a PID it had not tracked itself");
	EXPECT_EQ(0, vmv_untrack(pid));
	if (!wl_thp_can_be_huge() && thp_enabled())
		check_huge_thp(_metadata);
}

/* maps lists /proc/PID/maps's VMAs, field by field. */
TEST_F(cli, maps_vs_proc_maps)
{
	char path[64], *maps, *line, *save, name[4096], perms[8], dev[16];
	unsigned long long start, end, off, inode;
	struct run r;
	size_t i = 0;
	int n;

	r = CLI("-j", "maps", self->pid);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_NE(NULL, r.json) TH_LOG("not JSON: %s", r.out);
	snprintf(path, sizeof(path), "/proc/%s/maps", self->pid);
	maps = vmv_read_file(path, NULL);
	ASSERT_NE(NULL, maps);
	for (line = strtok_r(maps, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[64];

		name[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %15s %llu %n", &start,
			   &end, perms, &off, dev, &inode, &n) < 6)
			continue;
		snprintf(name, sizeof(name), "%s", line + n);
		if (!strcmp(name, "[vsyscall]"))
			continue;
		snprintf(key, sizeof(key), "vmas.%zu", i++);
		ASSERT_NE(NULL, jget(r.json, key)) TH_LOG("no %s", key);
		sprintf(key, "vmas.%zu.start", i - 1);
		EXPECT_EQ(start, jhex(r.json, key));
		sprintf(key, "vmas.%zu.end", i - 1);
		EXPECT_EQ(end, jhex(r.json, key));
		sprintf(key, "vmas.%zu.perms", i - 1);
		EXPECT_STREQ(perms, jstr(r.json, key));
		sprintf(key, "vmas.%zu.offset", i - 1);
		EXPECT_EQ((long long)off, jnum(r.json, key));
		sprintf(key, "vmas.%zu.dev", i - 1);
		EXPECT_STREQ(dev, jstr(r.json, key));
		sprintf(key, "vmas.%zu.inode", i - 1);
		EXPECT_EQ((long long)inode, jnum(r.json, key));
		sprintf(key, "vmas.%zu.name", i - 1);
		EXPECT_STREQ(name, jstr(r.json, key) ? jstr(r.json, key) : "");
	}
	EXPECT_EQ(i, jlen(r.json, "vmas"));
	free(maps);
	run_free(&r);
	/* -o picks columns; the text form is one row a VMA */
	r = CLI("maps", "-n", "-o", "START,NAME", self->pid);
	EXPECT_EQ(0, r.status);
	EXPECT_EQ((int)i, count_lines(r.out, NULL));
	run_free(&r);
}

/* Compare the CLI's ptes with pagemap; returns the mismatches. */
static int ptes_mismatches(struct __test_metadata *_metadata, pid_t pid,
			   struct jv *json, bool log)
{
	size_t i, n = jlen(json, "ptes");
	int bad = 0;

	for (i = 0; i < n; i++) {
		struct jv *e = jget(json, "ptes");
		unsigned long long va, pm;
		const char *kind, *level;

		e = e->items[i];
		va = jhex(e, "vaddr");
		kind = jstr(e, "kind");
		level = jstr(e, "level");
		if (!kind || !level || strcmp(level, "pte"))
			continue;
		pm = vmv_pagemap_entry(pid, va);
		if (!strcmp(kind, "present")) {
			if ((pm & PM_PRESENT) && PM_PFN(pm) == jhex(e, "pfn"))
				continue;
		} else if (!strcmp(kind, "swap")) {
			if ((pm & PM_SWAP) &&
			    (long long)PM_SWAP_TYPE(pm) == jnum(e, "swap.type") &&
			    PM_SWAP_OFF(pm) == jhex(e, "swap.offset"))
				continue;
		} else {
			continue;
		}
		if (log && bad < 10)
			TH_LOG("0x%llx %s: pagemap 0x%016llx, the CLI pfn %s swap %s",
			       va, kind, pm, jstr(e, "pfn") ?: "-",
			       jstr(e, "swap.offset") ?: "-");
		bad++;
	}
	return bad;
}

/* An entry's flag words in the CLI's JSON, as BIT_ULL(VMVIEW_F_*). */
static unsigned long long json_flags(struct jv *e)
{
	struct jv *f = jget(e, "flags");
	unsigned long long m = 0;
	size_t i, k;

	for (i = 0; f && i < f->n; i++)
		for (k = 0; k < VMVIEW_NR_FLAGS; k++)
			if (f->items[i]->str &&
			    !strcmp(f->items[i]->str, vmv_flag_names[k]))
				m |= BIT_ULL(k);
	return m;
}

/*
 * Do two reads of one entry differ in its accessed or dirty bit alone?
 * The CPU sets them (and reclaim's aging clears the accessed bit) at any
 * moment, without the mapping changing: between the CLI's read and the
 * test's, a page the workload's fault-around mapped old may be used.
 */
static bool ad_only(unsigned long long a, unsigned long long b)
{
	unsigned long long ad = BIT_ULL(VMVIEW_F_ACCESSED) |
				BIT_ULL(VMVIEW_F_DIRTY);

	return (a ^ b) && !((a ^ b) & ~ad);
}

/*
 * The CLI's ptes against the lines of PID/ptes, entry for entry (vaddr,
 * level, entry, kind, pfn: the entry may differ in its accessed and
 * dirty bits alone); returns the mismatches.
 */
static int ptes_vs_text(struct __test_metadata *_metadata, struct jv *json,
			const char *raw, bool log)
{
	size_t i = 0, n = jlen(json, "ptes");
	const char *p, *nl, *why;
	struct vmv_pte l;
	int bad = 0;

	for (p = raw; *p && i < n; p = *nl ? nl + 1 : nl) {
		struct jv *e;

		nl = strchrnul(p, '\n');
		if (*p == '#')
			continue;
		e = jget(json, "ptes")->items[i++];
		why = vmv_pte_parse(p, nl - p, &l);
		if (!why && jhex(e, "vaddr") != l.va)
			why = "vaddr";
		if (!why && jhex(e, "entry") != l.entry &&
		    !ad_only(json_flags(e), l.flags))
			why = "entry";
		if (!why && (!jstr(e, "level") || !jstr(e, "kind") ||
			     strcmp(jstr(e, "level"), vmv_level_names[l.level]) ||
			     strcmp(jstr(e, "kind"), vmv_kind_names[l.kind])))
			why = "level or kind";
		if (!why && jhex(e, "pfn") != (l.has_pfn ? l.pfn : ~0ULL))
			why = "pfn";
		if (why && log && bad < 10)
			TH_LOG("entry %zu: %s: the CLI %s %s %s %s pfn %s, PID/ptes %.*s",
			       i - 1, why, jstr(e, "vaddr") ?: "-",
			       jstr(e, "level") ?: "-", jstr(e, "entry") ?: "-",
			       jstr(e, "kind") ?: "-",
			       jstr(e, "pfn") ?: "-", (int)(nl - p), p);
		bad += !!why;
	}
	return bad;
}

/* ptes is PID/ptes, PFN for PFN and slot for slot as pagemap says. */
TEST_F(cli, ptes_vs_pagemap)
{
	struct vmv_paging pg = vmv_paging();
	const char *hl = vmv_level_names[vmv_huge_level(&pg)];
	struct run r = { 0 }, f;
	size_t i, swaps = 0, huge = 0;
	char *raw = NULL, range[64];
	int tries, bad = 0;

	ASSERT_EQ(0, vmv_track(self->wl.pid));
	for (tries = 0; tries < 2; tries++) {
		free(raw);
		raw = cli_json_and_file(_metadata, &r, "ptes",
					self->wl.pid, "ptes");
		bad = count_lines(raw, "#") != (int)jlen(r.json, "ptes");
		bad += ptes_vs_text(_metadata, r.json, raw, tries);
		bad += ptes_mismatches(_metadata, self->wl.pid, r.json, tries);
		if (!bad)
			break;
	}
	EXPECT_EQ(0, bad) TH_LOG("PID/ptes has %d lines, the CLI %zu",
				 count_lines(raw, "#"), jlen(r.json, "ptes"));
	for (i = 0; i < jlen(r.json, "ptes"); i++) {
		struct jv *e = jget(r.json, "ptes")->items[i];

		swaps += jstr(e, "kind") && !strcmp(jstr(e, "kind"), "swap");
		huge += jstr(e, "level") && !strcmp(jstr(e, "level"), hl) &&
			jhex(e, "vaddr") == self->wl.start[VMV_WL_THP];
	}
	if (vmv_wl_has(&self->wl, VMV_WL_SWAP))
		EXPECT_LE(1UL, swaps);
	/* --kind keeps one kind */
	f = CLI("-j", "ptes", "--kind", "swap", self->pid);
	EXPECT_EQ(0, f.status);
	EXPECT_EQ(swaps, jlen(f.json, "ptes"));
	run_free(&f);
	/* --range inside a PMD leaf shows the leaf */
	if (huge) {
		snprintf(range, sizeof(range), "%lx-%lx",
			 self->wl.start[VMV_WL_THP] + 0x3000,
			 self->wl.start[VMV_WL_THP] + 0x5000);
		f = CLI("-j", "ptes", "--range", range, self->pid);
		EXPECT_EQ(0, f.status);
		EXPECT_EQ(1UL, jlen(f.json, "ptes"));
		EXPECT_STREQ(hl, jstr(f.json, "ptes.0.level") ?: "-");
		run_free(&f);
	} else if (vmv_wl_has(&self->wl, VMV_WL_THP) && wl_thp_can_be_huge()) {
		TH_LOG("the THP region is not PMD-mapped here (fragmented memory?)");
	}
	/* the text form: a header and a row an entry */
	f = CLI("ptes", self->pid);
	EXPECT_EQ(0, f.status);
	EXPECT_EQ((int)jlen(r.json, "ptes") + 1, count_lines(f.out, NULL));
	run_free(&f);
	run_free(&r);
	free(raw);
	EXPECT_EQ(0, vmv_untrack(self->wl.pid));
}

/*
 * One address through translate: the split (this guest's paging, from
 * vmv_paging(), down to the leaf's level), the walk's depth, the path
 * and the physical address against pagemap.
 */
static void check_translate(struct __test_metadata *_metadata, pid_t pid,
			    const char *pidstr, unsigned long addr,
			    const char *what)
{
	struct vmv_paging pg = vmv_paging();
	int levels = pg.levels, i, n, l, leaf = VMVIEW_LEVEL_PTE;
	unsigned long long pm, phys;
	const char *level, *path;
	char a[32], key[32], want[64];
	struct run r;

	snprintf(a, sizeof(a), "0x%lx", addr);
	r = CLI("-j", "translate", pidstr, a);
	ASSERT_EQ(0, r.status) TH_LOG("%s: %s%s", what, r.err, r.out);
	ASSERT_NE(NULL, r.json) TH_LOG("%s: not JSON: %s", what, r.out);
	EXPECT_EQ(addr, jhex(r.json, "vaddr"));
	EXPECT_EQ(levels, jnum(r.json, "levels"));
	level = jstr(r.json, "leaf.level");
	if (level && jstr(r.json, "phys"))
		leaf = vmv_lookup(level, vmv_level_names, VMVIEW_NR_LEVELS);
	ASSERT_LE(0, leaf) TH_LOG("%s: leaf level %s", what, level);
	/* the split: every real level from the top to the leaf's, then the offset */
	for (n = 0, l = VMVIEW_LEVEL_PGD; l >= leaf; l--) {
		if (!pg.bits[l])
			continue;
		snprintf(key, sizeof(key), "split.%d.level", n);
		EXPECT_STREQ(vmv_level_names[l], jstr(r.json, key) ?: "-")
			TH_LOG("%s: %s", what, key);
		snprintf(key, sizeof(key), "split.%d.index", n);
		EXPECT_EQ((long long)vmv_paging_index(&pg, l, addr),
			  jnum(r.json, key)) TH_LOG("%s: %s", what, key);
		n++;
	}
	EXPECT_EQ(n + 1, (int)jlen(r.json, "split")) TH_LOG("%s", what);
	snprintf(key, sizeof(key), "split.%d.index", n);
	EXPECT_EQ((long long)(addr & ((1UL << pg.shift[leaf]) - 1)),
		  jnum(r.json, key)) TH_LOG("%s: offset", what);
	snprintf(key, sizeof(key), "split.%d.level", n);
	EXPECT_STREQ("offset", jstr(r.json, key) ?: "-");
	/* the path from CR3 */
	path = jstr(r.json, "path");
	ASSERT_NE(NULL, path) TH_LOG("%s: no path: %s", what, r.out);
	snprintf(want, sizeof(want), "%s 0x%llx ", VMV_ROOT_REG,
		 jhex(r.json, "cr3"));
	EXPECT_EQ(0, strncmp(path, want, strlen(want))) TH_LOG("%s: %s", what, path);
	pm = vmv_pagemap_entry(pid, addr);
	if (pm & PM_PRESENT) {
		phys = PM_PFN(pm) * PG + (addr & (PG - 1));
		EXPECT_EQ(phys, jhex(r.json, "phys"))
			TH_LOG("%s: pagemap says 0x%llx", what, phys);
		ASSERT_NE(NULL, level) TH_LOG("%s: no leaf", what);
		EXPECT_EQ(levels - (strcmp(level, "pte") ? 1 : 0),
			  (int)jlen(r.json, "walk")) TH_LOG("%s", what);
		EXPECT_STREQ("present", jstr(r.json, "leaf.kind"));
		snprintf(want, sizeof(want), " -> phys 0x%llx", phys);
		EXPECT_NE(NULL, strstr(path, want)) TH_LOG("%s: %s", what, path);
		/* each table the walk passes is the next one's address */
		for (i = 0; i + 1 < (int)jlen(r.json, "walk"); i++) {
			snprintf(key, sizeof(key), "walk.%d.next", i);
			EXPECT_NE(~0ULL, jhex(r.json, key)) TH_LOG("%s: %s", what, key);
		}
	} else if (pm & PM_SWAP) {
		EXPECT_STREQ("pte swap", jstr(r.json, "stop"));
		EXPECT_EQ((long long)PM_SWAP_TYPE(pm),
			  jnum(r.json, "leaf.swap.type"));
		EXPECT_EQ(PM_SWAP_OFF(pm), jhex(r.json, "leaf.swap.offset"));
		EXPECT_EQ(NULL, jget(r.json, "phys"));
		EXPECT_NE(NULL, strstr(path, "] swap")) TH_LOG("%s: %s", what, path);
	} else {
		EXPECT_EQ(NULL, jget(r.json, "phys")) TH_LOG("%s", what);
		EXPECT_NE(NULL, jstr(r.json, "stop")) TH_LOG("%s", what);
		EXPECT_EQ(NULL, strstr(path, "-> phys")) TH_LOG("%s: %s", what, path);
	}
	run_free(&r);
}

TEST_F(cli, translate_vs_pagemap)
{
	const struct vmv_workload *wl = &self->wl;
	struct run r;
	char a[32];

	check_translate(_metadata, wl->pid, self->pid,
			vmv_wl_page(wl, VMV_WL_ANON, 3) + 0x123, "written");
	check_translate(_metadata, wl->pid, self->pid,
			vmv_wl_page(wl, VMV_WL_ANON, VMV_WL_WRITTEN + 2),
			"zero page");
	check_translate(_metadata, wl->pid, self->pid,
			vmv_wl_page(wl, VMV_WL_ANON, VMV_WL_PAGES - 1),
			"untouched");
	check_translate(_metadata, wl->pid, self->pid,
			vmv_wl_page(wl, VMV_WL_FILE_PRIVATE, 20) + 8,
			"file page");
	if (vmv_wl_has(wl, VMV_WL_THP))
		check_translate(_metadata, wl->pid, self->pid,
				wl->start[VMV_WL_THP] + 0x12345, "THP");
	if (vmv_wl_has(wl, VMV_WL_SWAP))
		check_translate(_metadata, wl->pid, self->pid,
				vmv_wl_page(wl, VMV_WL_SWAP, 1), "swapped");
	/* a hole: no VMA, exit 0 all the same */
	snprintf(a, sizeof(a), "0x%lx", wl->hole);
	r = CLI("-j", "translate", self->pid, a);
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("no vma", jstr(r.json, "stop"));
	EXPECT_EQ(NULL, jget(r.json, "vma"));
	run_free(&r);
	/*
	 * The picture: the root register and an arrow a level, named as
	 * the architecture names them (arm64: the last level is L3, the
	 * top L0, or L-1 with LPA2's fifth).
	 */
	snprintf(a, sizeof(a), "0x%lx", vmv_wl_page(wl, VMV_WL_ANON, 0));
	r = CLI("translate", self->pid, a);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "phys = frame"));
#ifdef __aarch64__
	EXPECT_NE(NULL, strstr(r.out, vmv_expected_levels() == 5 ?
			       "TTBR0_EL1 -> L-1 table at" :
			       "TTBR0_EL1 -> L0 table at")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "L3["));
	EXPECT_NE(NULL, strstr(r.out, "path ttbr0_el1 0x")) TH_LOG("%s", r.out);
	EXPECT_EQ(vmv_expected_levels() == 5, !!strstr(r.out, "L-1["));
	EXPECT_EQ(vmv_expected_levels() >= 4, !!strstr(r.out, "L0["));
	EXPECT_NE(NULL, strstr(r.out, "L2["));
#else
	EXPECT_NE(NULL, strstr(r.out, "CR3 -> PGD table at"));
	EXPECT_NE(NULL, strstr(r.out, "PTE["));
	EXPECT_NE(NULL, strstr(r.out, "path cr3 0x")) TH_LOG("%s", r.out);
	EXPECT_EQ(vmv_expected_levels() == 5, !!strstr(r.out, "P4D["));
	EXPECT_EQ(vmv_expected_levels() >= 4, !!strstr(r.out, "PUD["));
	EXPECT_EQ(vmv_expected_levels() >= 3, !!strstr(r.out, "PMD["));
#endif
	run_free(&r);
}

/* map's totals are the ptes' own. */
TEST_F(cli, map_vs_ptes)
{
	long long resident = 0, zero = 0, huge = 0, swap = 0;
	struct run p, m;
	int tries;
	size_t i;

	for (tries = 0; tries < 2; tries++) {
		p = CLI("-j", "ptes", self->pid);
		m = CLI("-j", "map", self->pid);
		ASSERT_EQ(0, p.status);
		ASSERT_EQ(0, m.status) TH_LOG("%s", m.err);
		ASSERT_NE(NULL, m.json) TH_LOG("not JSON: %.300s", m.out);
		resident = 0;
		zero = 0;
		huge = 0;
		swap = 0;
		for (i = 0; i < jlen(p.json, "ptes"); i++) {
			struct jv *e = jget(p.json, "ptes")->items[i];
			const char *k = jstr(e, "kind"), *l = jstr(e, "level");

			if (!k || !l)
				continue;
			if (!strcmp(k, "swap"))
				swap++;
			else if (strcmp(k, "present"))
				continue;
			else if (strcmp(l, "pte"))
				huge += jnum(e, "size_bytes") / PG;
			else if (jhas(jget(e, "page.flags"), "zero"))
				zero++;
			else
				resident++;
		}
		if (huge == jnum(m.json, "huge_pages") &&
		    swap == jnum(m.json, "swap_pages") &&
		    resident + zero == jnum(m.json, "resident_pages") +
				       jnum(m.json, "zero_pages"))
			break;
		if (!tries) {
			run_free(&p);
			run_free(&m);
		}
	}
	EXPECT_EQ(huge, jnum(m.json, "huge_pages"));
	EXPECT_EQ(swap, jnum(m.json, "swap_pages"));
	EXPECT_EQ(resident + zero, jnum(m.json, "resident_pages") +
				   jnum(m.json, "zero_pages"));
	if (vmv_wl_has(&self->wl, VMV_WL_THP) && huge)
		EXPECT_LE(512, jnum(m.json, "huge_pages"));
	EXPECT_LE(1, (long long)jlen(m.json, "rows"));
	run_free(&p);
	run_free(&m);
	/* the picture itself: a legend and bars, no colour into a file */
	m = CLI("map", self->pid);
	EXPECT_EQ(0, m.status);
	EXPECT_NE(NULL, strstr(m.out, "resident"));
	EXPECT_NE(NULL, strstr(m.out, "|"));
	EXPECT_EQ(NULL, strchr(m.out, '\033'));
	run_free(&m);
}

/* --symbolize names this program's own function, in the workload. */
TEST_F(cli, symbolize)
{
	unsigned long me = (unsigned long)vmv_cli_marker, s, e, off;
	unsigned long file_off = 0, target = 0;
	char path[64], *maps, *line, *save, name[512] = "", a[32];
	char want[128];
	struct run r;
	size_t i, named = 0;
	int n;

	EXPECT_EQ(10, vmv_cli_marker(1));
	/* where the function is in our file */
	maps = vmv_read_file("/proc/self/maps", NULL);
	ASSERT_NE(NULL, maps);
	for (line = strtok_r(maps, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &s, &e, &off,
			   &n) >= 3 && me >= s && me < e) {
			file_off = off + (me - s);
			snprintf(name, sizeof(name), "%s", line + n);
			break;
		}
	}
	free(maps);
	ASSERT_NE(0UL, file_off);
	/* and so where it is in the workload, the same program */
	snprintf(path, sizeof(path), "/proc/%s/maps", self->pid);
	maps = vmv_read_file(path, NULL);
	ASSERT_NE(NULL, maps);
	for (line = strtok_r(maps, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &s, &e, &off,
			   &n) >= 3 && !strcmp(line + n, name) &&
		    file_off >= off && file_off < off + (e - s))
			target = s + (file_off - off);
	}
	free(maps);
	ASSERT_NE(0UL, target) TH_LOG("%s is not mapped in the workload", name);
	snprintf(a, sizeof(a), "0x%lx", target + 4);
	r = CLI("-j", "--symbolize", "translate", self->pid, a);
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.err, r.out);
	EXPECT_STREQ(".text vmv_cli_marker+0x4", jstr(r.json, "symbol") ?: "(none)")
		TH_LOG("%s", r.out);
	run_free(&r);
	r = CLI("--symbolize", "translate", self->pid, a);
	snprintf(want, sizeof(want), "symbol .text vmv_cli_marker+0x4");
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	run_free(&r);
	/* ptes: resident pages of ELF files get a section (and a symbol) */
	r = CLI("-j", "--symbolize", "ptes", self->pid);
	EXPECT_EQ(0, r.status);
	for (i = 0; i < jlen(r.json, "ptes"); i++) {
		const char *sym = jstr(jget(r.json, "ptes")->items[i],
				       "symbol");

		if (!sym)
			continue;
		EXPECT_NE(0, sym[0]);
		named += !strncmp(sym, ".text ", 6);
	}
	EXPECT_LE(1UL, named);
	run_free(&r);
}

/* verify on a still process: nothing differs; events is JSON. */
TEST_F(cli, verify_events)
{
	struct run r;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		r = CLI("-j", "verify", self->pid);
		if (r.status == 10)
			SKIP(run_free(&r); return,
			     "this module has no PID/verify: %s", r.out);
		if (!r.status)
			break;
		TH_LOG("try %d: %s", tries, r.out);
		run_free(&r);
	}
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_NE(NULL, r.json);
	EXPECT_EQ(0, jnum(r.json, "mismatches"));
	EXPECT_LT(0, jnum(r.json, "checked"));
	EXPECT_EQ(0, (long long)jlen(r.json, "list"));
	run_free(&r);
	r = CLI("verify", self->pid);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, " 0 mismatches")) TH_LOG("%s", r.out);
	run_free(&r);
	r = CLI("-j", "events", self->pid);
	EXPECT_EQ(0, r.status);
	ASSERT_NE(NULL, r.json) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, jget(r.json, "events"));
	EXPECT_LE(0, jnum(r.json, "dropped"));
	run_free(&r);
}

/* What the CLI tracks it untracks: at exit, on signals, after errors. */
TEST_F(cli, untrack_at_exit)
{
	long long before = vmv_status_num("tracked");
	static const int sigs[] = { SIGTERM, SIGINT };
	struct run r;
	size_t i;

	r = CLI("maps", self->pid);
	EXPECT_EQ(0, r.status);
	run_free(&r);
	EXPECT_FALSE(tracked(self->wl.pid));
	EXPECT_EQ(before, vmv_status_num("tracked"));
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		r = run_cli_ex(NULL, sigs[i], 300, self->wl.pid,
			       (const char *const[]){ "events", "--follow",
						      self->pid, NULL });
		EXPECT_EQ(128 + sigs[i], r.status) TH_LOG("%s", r.err);
		EXPECT_FALSE(tracked(self->wl.pid))
			TH_LOG("still tracked after signal %d", sigs[i]);
		run_free(&r);
	}
	r = CLI("translate", self->pid, "0xffffffffff600000");
	EXPECT_EQ(8, r.status);
	run_free(&r);
	EXPECT_FALSE(tracked(self->wl.pid));
	EXPECT_EQ(before, vmv_status_num("tracked"));
}

static void drop_cap_sys_admin(void)
{
	/* out of the bounding set: root's exec then leaves it out too */
	prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN_NR, 0, 0, 0);
}

static pid_t kernel_thread(void)
{
	char *st = vmv_read_file("/proc/2/stat", NULL);
	pid_t pid = 0;

	/* kthreadd is PID 2 wherever there is no PID namespace */
	if (st && strstr(st, "(kthreadd)"))
		pid = 2;
	free(st);
	return pid;
}

/* Each error its own exit code, one line, and a JSON object with -j. */
TEST_F(cli, exit_codes)
{
	char gone[16], *tail;
	struct run r;
	pid_t pid;

	pid = fork();
	if (!pid)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	pid_str(gone, pid);
	r = CLI("maps", gone);
	EXPECT_EQ(6, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "no process"));
	run_free(&r);

	if (kernel_thread()) {
		r = CLI("2");
		EXPECT_EQ(7, r.status) TH_LOG("%s", r.err);
		EXPECT_NE(NULL, strstr(r.err, "kernel thread"));
		run_free(&r);
		r = CLI("-j", "2");
		EXPECT_EQ(7, r.status);
		ASSERT_NE(NULL, r.json) TH_LOG("not JSON: %s", r.out);
		EXPECT_EQ(7, jnum(r.json, "error.code"));
		EXPECT_STREQ("kernel_thread", jstr(r.json, "error.name"));
		run_free(&r);
	}

	r = CLI("translate", self->pid, "nonsense");
	EXPECT_EQ(8, r.status);
	run_free(&r);
	r = CLI("-j", "translate", self->pid, "0xffff888000000000");
	EXPECT_EQ(8, r.status);
	EXPECT_STREQ("bad_address", jstr(r.json, "error.name"));
	run_free(&r);

	/* root without CAP_SYS_ADMIN: the module says EPERM */
	r = run_cli_ex(drop_cap_sys_admin, 0, 0, 0, (const char *const[]){
		"maps", self->pid, NULL });
	EXPECT_EQ(3, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "root")) TH_LOG("%s", r.err);
	tail = strchr(r.err, '\n');
	EXPECT_TRUE(tail && !tail[1]) TH_LOG("one line: %s", r.err);
	run_free(&r);
	EXPECT_FALSE(tracked(self->wl.pid));

	/* last: the module gone (the teardown loads it back) */
	ASSERT_EQ(0, vmv_unload());
	r = CLI("maps", self->pid);
	EXPECT_EQ(4, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "insmod"));
	run_free(&r);
	r = CLI("-j", "faults");
	EXPECT_EQ(4, r.status);
	EXPECT_STREQ("module_not_loaded", jstr(r.json, "error.name"));
	run_free(&r);
	ASSERT_EQ(0, vmv_load());
}

/*
 * Does this kernel track soft-dirty bits (CONFIG_MEM_SOFT_DIRTY, which
 * 32-bit x86 lacks)?  Then a new VMA is VM_SOFTDIRTY: "sd" in VmFlags.
 */
static bool kernel_has_soft_dirty(void)
{
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *smaps, *v, *eol, head[32];
	bool yes = false;

	if (p == MAP_FAILED)
		return false;
	snprintf(head, sizeof(head), "%lx-", (unsigned long)p);
	smaps = vmv_read_file("/proc/self/smaps", NULL);
	v = smaps ? strstr(smaps, head) : NULL;
	v = v ? strstr(v, "VmFlags:") : NULL;
	if (v) {
		eol = strchrnul(v, '\n');
		*eol = '\0';
		yes = !!strstr(v, " sd");
	}
	free(smaps);
	munmap(p, PG);
	return yes;
}

/* Every scenario of "faults" ok, or skipped for a reason of the guest. */
TEST_F_TIMEOUT(cli, faults, 600)
{
	static const char * const must[] = {
		"demand-zero", "cow", "thp", "segv", "soft-dirty",
	};
	const char *swap = getenv("VMVIEW_SWAP");
	char dev[64] = "", *thp, *line, *save;
	long long before = vmv_status_num("tracked");
	bool soft_dirty = kernel_has_soft_dirty();
	int zram = zram_add(dev, sizeof(dev));
	struct run r, t;
	size_t i, j;

	if (zram < 0)
		TH_LOG("no zram device to hot-add: the file scenario may be skipped");
	r = zram >= 0 ? CLI("-j", "faults", "--file", dev) : CLI("-j", "faults");
	t = zram >= 0 ? CLI("faults", "--file", dev) : CLI("faults");
	zram_remove(zram);
	/* the story as it was told, for the log */
	for (line = strtok_r(t.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("#   %s\n", line);
	fflush(stdout);
	EXPECT_EQ(0, t.status) TH_LOG("%s", t.err);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_NE(NULL, r.json) TH_LOG("not JSON: %.500s", r.out);
	EXPECT_EQ(7, (int)jlen(r.json, "scenarios"));
	EXPECT_EQ(0, jnum(r.json, "failed"));
	thp = vmv_read_file("/sys/kernel/mm/transparent_hugepage/enabled",
			    NULL);
	for (i = 0; i < jlen(r.json, "scenarios"); i++) {
		struct jv *sc = jget(r.json, "scenarios")->items[i];
		const char *name = jstr(sc, "name"), *res = jstr(sc, "result");
		bool required = false;

		ASSERT_NE(NULL, name);
		ASSERT_NE(NULL, res);
		for (j = 0; j < ARRAY_SIZE(must); j++)
			required |= !strcmp(must[j], name);
		if (!strcmp(name, "thp") && thp && strstr(thp, "[never]"))
			required = false;
		if (!strcmp(name, "swap") && (!swap || strcmp(swap, "none")))
			required = true;
		if (!strcmp(name, "file") && zram >= 0)
			required = true;
		/* no soft-dirty bit: skipped, saying so, never "ok" */
		if (!strcmp(name, "soft-dirty") && !soft_dirty) {
			EXPECT_STREQ("skipped", res);
			EXPECT_NE(NULL, strstr(jstr(sc, "reason") ?: "",
					       "soft-dirty"));
			TH_LOG("soft-dirty skipped: %s", jstr(sc, "reason") ?: "");
			continue;
		}
		EXPECT_LT(0, (long long)jlen(sc, "steps")) TH_LOG("%s", name);
		if (!strcmp(res, "ok"))
			continue;
		if (!strcmp(res, "skipped") && !required &&
		    jstr(sc, "reason") && *jstr(sc, "reason")) {
			TH_LOG("%s skipped: %s", name, jstr(sc, "reason"));
			continue;
		}
		EXPECT_STREQ("ok", res) TH_LOG("%s: %s", name,
					       jstr(sc, "reason") ?: "");
	}
	free(thp);
	run_free(&r);
	run_free(&t);
	/* its target and the target's child are untracked again */
	EXPECT_EQ(before, vmv_status_num("tracked"));
}

TEST_HARNESS_MAIN

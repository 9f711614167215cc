// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_latency: vmview-cli's latency, wss and summary's TLB section
 * (issue 17) against what the kernel counts itself:
 *
 *  latency_claims      "latency --quick --json" (the file row on a
 *                      hot-added zram device): every row measured or
 *                      skipped with a reason the guest explains; medians
 *                      positive, p10 <= median <= p90; the fault rows
 *                      took exactly one fault a touch (minor, zero-page,
 *                      COW in the child; major from swap and the file),
 *                      and the CLI's own children counters (getrusage of
 *                      the waited-for CLI) hold at least what its rows
 *                      claim; vmview's ptes: the zero-page row mapped the
 *                      zero page, the COW row's child got frames of its
 *                      own, the swap row's pages were swap entries, the
 *                      2M region is huge leaves only (and smaps agrees)
 *                      and the 4K region has none; a load row that
 *                      faulted says DAMON (kdamond running, at most a
 *                      fault a page it chases)
 *  loads_without_damon the same with DAMON_STAT turned off (or where no
 *                      kdamond runs): the load rows take no fault at
 *                      all, so what the CLI puts down to DAMON is
 *                      DAMON's
 *  wss_vs_referenced   a child that keeps reading 16 of its 64 pages
 *                      (and flushing its TLB: clear_refs does not):
 *                      wss counts those 16 and none of the other 48 in
 *                      the child's VMA, and smaps' Referenced (which
 *                      also counts the pages' own referenced flags) has
 *                      at least the 16 and not all 64
 *  summary_tlb_needs   summary's TLB entries for a child with two THPs
 *                      and ten 4K pages: its present pages (pagemap,
 *                      over every VMA) less what the huge leaves
 *                      (smaps_rollup's AnonHugePages) cover, plus one a
 *                      huge leaf
 *  bad_input           one-line usage errors, as JSON too
 */
#include <dirent.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "vmview_harness.h"
#include "vmview_clirun.h"

#define WSS_PAGES	64
#define WSS_HOT		16
#define DAMON_STAT	"/sys/module/damon_stat/parameters/enabled"
#define DAMON_SLACK	16	/* the CLI's: code, stack, samples */

static const char * const load_rows[] = {
	"l1_load", "dram_load_2m", "dram_load_4k"
};

FIXTURE(latency) {
	bool was_loaded;
};

FIXTURE_SETUP(latency)
{
	if (access(cli_path(), X_OK))
		SKIP(return, "no vmview-cli at %s (set VMVIEW_CLI)",
		     cli_path());
	self->was_loaded = vmv_module_loaded();
	ASSERT_EQ(0, vmv_ensure_loaded());
}

FIXTURE_TEARDOWN(latency)
{
	if (!self->was_loaded && vmv_module_loaded())
		vmv_unload();
}

static bool thp_never(void)
{
	char *t = vmv_read_file("/sys/kernel/mm/transparent_hugepage/enabled",
				NULL);
	bool never = !t || strstr(t, "[never]");

	free(t);
	return never;
}

/* The row called name. */
static struct jv *row_of(struct jv *json, const char *name)
{
	struct jv *rows = jget(json, "rows");
	size_t i;

	for (i = 0; rows && i < rows->n; i++)
		if (jstr(rows->items[i], "name") &&
		    !strcmp(jstr(rows->items[i], "name"), name))
			return rows->items[i];
	return NULL;
}

/* kdamond threads running: DAMON samples accesses by clearing A bits. */
static int damon_threads(void)
{
	char path[300], *comm;	/* "/proc/" and a d_name */
	struct dirent *d;
	int n = 0;
	DIR *dp = opendir("/proc");

	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		comm = vmv_read_file(path, NULL);
		n += comm && !strncmp(comm, "kdamond", 7);
		free(comm);
	}
	if (dp)
		closedir(dp);
	return n;
}

/*
 * A load row's faults: none, or (kdamond running) up to one a page it
 * chases plus the CLI's slack, each put down to DAMON by the CLI.
 */
static void check_load_row(struct __test_metadata *_metadata,
			   struct jv *json, const char *name, bool damon_ok)
{
	struct jv *row = row_of(json, name);
	long long pages, minflt;
	const char *why;

	ASSERT_NE(NULL, row) TH_LOG("no row %s", name);
	if (jstr(row, "result") && !strcmp(jstr(row, "result"), "skipped"))
		return;
	minflt = jnum(row, "faults.minflt");
	why = jstr(row, "faults.explained_by");
	pages = strcmp(name, "l1_load") ?
		jnum(json, "region_bytes") / jnum(json, "page_bytes") : 1;
	EXPECT_EQ(0, jnum(row, "faults.majflt")) TH_LOG("%s", name);
	if (!minflt) {
		EXPECT_EQ(NULL, why) TH_LOG("%s: no fault to explain", name);
		return;
	}
	TH_LOG("%s: %lld minor faults while timed, put down to %s", name,
	       minflt, why ? why : "nothing");
	EXPECT_TRUE(damon_ok) TH_LOG("%s: %lld faults with no kdamond running",
				     name, minflt);
	ASSERT_NE(NULL, why);
	EXPECT_STREQ("damon", why);
	EXPECT_LT(0, jnum(json, "damon_threads"));
	EXPECT_LE(minflt, pages + DAMON_SLACK) TH_LOG("%s", name);
}

/*
 * A row that faults once a touch: the counters and the repetitions.  A
 * process may take a fault the row did not cause (its stack copied after
 * fork, a page migrated under it): the CLI allows 1 plus 1/16 of the
 * touches more, and so does this test; fewer is always wrong.
 */
static void check_fault_row(struct __test_metadata *_metadata,
			    struct jv *row, const char *counter)
{
	long long reps = jnum(row, "repetitions");
	long long slack = 1 + reps / 16, got = jnum(row, counter);
	const char *other = strcmp(counter, "faults.minflt") ?
			    "faults.minflt" : "faults.majflt";

	EXPECT_LT(0, reps);
	EXPECT_LE(reps, got)
		TH_LOG("%s: %s %lld for %lld touches", jstr(row, "name"),
		       counter, got, reps);
	EXPECT_LE(got, reps + slack)
		TH_LOG("%s: %s %lld for %lld touches", jstr(row, "name"),
		       counter, got, reps);
	EXPECT_LE(jnum(row, other), slack)
		TH_LOG("%s: the other counter moved", jstr(row, "name"));
}

TEST_F_TIMEOUT(latency, latency_claims, 900)
{
	long long minflt = 0, majflt = 0, reps, region, huge, page;
	const char *swap = getenv("VMVIEW_SWAP");
	struct rusage before, after;
	struct run r = { 0 };
	struct jv *row, *rows;
	char dev[32] = "";
	int zram;
	size_t i;

	zram = zram_add(dev, sizeof(dev));
	if (zram < 0)
		TH_LOG("no zram device to hot-add (%s, hot_add %s): the file row may be skipped",
		       strerror(errno),
		       access("/sys/class/zram-control/hot_add", R_OK) ?
		       "missing" : "there");
	getrusage(RUSAGE_CHILDREN, &before);
	if (zram >= 0)
		r = CLI("-j", "latency", "--quick", "--file", dev);
	else
		r = CLI("-j", "latency", "--quick");
	getrusage(RUSAGE_CHILDREN, &after);
	ASSERT_EQ(0, r.status) TH_LOG("%.2000s%s", r.out, r.err);
	ASSERT_NE(NULL, r.json) TH_LOG("not JSON: %.500s", r.out);
	ASSERT_TRUE(jget(r.json, "module") && jget(r.json, "module")->num)
		TH_LOG("the CLI did not use the module: %s",
		       jstr(r.json, "page_tables"));
	rows = jget(r.json, "rows");
	ASSERT_NE(NULL, rows);
	ASSERT_EQ(10, (int)rows->n);

	for (i = 0; i < rows->n; i++) {
		const char *res, *name;
		double med;

		row = rows->items[i];
		res = jstr(row, "result");
		name = jstr(row, "name");
		ASSERT_NE(NULL, res);
		ASSERT_NE(NULL, name);
		if (!strcmp(res, "skipped")) {
			EXPECT_NE(NULL, jstr(row, "reason"));
			TH_LOG("%s skipped: %s", name, jstr(row, "reason"));
			continue;
		}
		EXPECT_STREQ("ok", res)
			TH_LOG("%s: %s", name, jstr(row, "reason"));
		med = jdbl(row, "median_ns");
		EXPECT_LT(0, med) TH_LOG("%s: median %f", name, med);
		EXPECT_LE(jdbl(row, "p10_ns"), med) TH_LOG("%s", name);
		EXPECT_LE(med, jdbl(row, "p90_ns")) TH_LOG("%s", name);
		EXPECT_LE(jdbl(row, "min_ns"), jdbl(row, "p10_ns"));
		EXPECT_LE(jdbl(row, "p90_ns"), jdbl(row, "max_ns"));
		/* the COW child's too: the CLI waits for it */
		minflt += jnum(row, "faults.minflt");
		majflt += jnum(row, "faults.majflt");
	}
	/* what the rows say this process took, the kernel counted */
	EXPECT_LE(minflt, after.ru_minflt - before.ru_minflt);
	EXPECT_LE(majflt, after.ru_majflt - before.ru_majflt);

	row = row_of(r.json, "minor_fault");
	ASSERT_NE(NULL, row);
	check_fault_row(_metadata, row, "faults.minflt");
	reps = jnum(row, "repetitions");
	EXPECT_EQ(reps, jnum(row, "ptes.anon"));
	EXPECT_EQ(reps, jnum(row, "ptes.pte_leaves"));

	row = row_of(r.json, "zero_page_fault");
	ASSERT_NE(NULL, row);
	check_fault_row(_metadata, row, "faults.minflt");
	EXPECT_EQ(jnum(row, "repetitions"), jnum(row, "ptes.zero"))
		TH_LOG("the read faults should map the zero page");

	row = row_of(r.json, "cow_fault");
	ASSERT_NE(NULL, row);
	check_fault_row(_metadata, row, "faults.minflt");
	EXPECT_EQ(jnum(row, "repetitions"), jnum(row, "ptes.copied"))
		TH_LOG("the child's writes should give it frames of its own");

	row = row_of(r.json, "swap_major_fault");
	ASSERT_NE(NULL, row);
	if (swap && strcmp(swap, "none")) {
		ASSERT_STREQ("ok", jstr(row, "result"))
			TH_LOG("%s", jstr(row, "reason"));
		check_fault_row(_metadata, row, "faults.majflt");
		EXPECT_EQ(jnum(row, "repetitions"), jnum(row, "ptes.swap"));
		ASSERT_NE(NULL, jstr(r.json, "swap_device"));
		EXPECT_NE(NULL, strstr(jstr(r.json, "swap_device"), swap));
	}

	row = row_of(r.json, "file_major_fault");
	ASSERT_NE(NULL, row);
	if (zram >= 0) {
		ASSERT_STREQ("ok", jstr(row, "result"))
			TH_LOG("%s", jstr(row, "reason"));
		check_fault_row(_metadata, row, "faults.majflt");
		EXPECT_EQ(jnum(row, "repetitions"), jnum(row, "ptes.file"));
	}

	region = jnum(r.json, "region_bytes");
	huge = jnum(r.json, "huge_page_bytes");
	page = jnum(r.json, "page_bytes");
	ASSERT_LT(0, region);
	EXPECT_EQ(1LL << vmv_huge_shift(), huge);
	EXPECT_EQ((long long)PG, page);
	row = row_of(r.json, "dram_load_2m");
	ASSERT_NE(NULL, row);
	if (!thp_never()) {
		EXPECT_EQ(region / huge, jnum(row, "ptes.huge_leaves"));
		EXPECT_EQ(0, jnum(row, "ptes.pte_leaves"));
		EXPECT_EQ(region, jnum(row, "ptes.smaps_anon_huge_bytes"));
	}
	row = row_of(r.json, "dram_load_4k");
	ASSERT_NE(NULL, row);
	EXPECT_EQ(0, jnum(row, "ptes.huge_leaves"));
	EXPECT_EQ(region / page, jnum(row, "ptes.pte_leaves"));
	EXPECT_EQ(0, jnum(row, "ptes.smaps_anon_huge_bytes"));
	for (i = 0; i < ARRAY_SIZE(load_rows); i++)
		check_load_row(_metadata, r.json, load_rows[i],
			       jnum(r.json, "damon_threads") > 0);

	/* the process's TLB needs, with both regions mapped */
	EXPECT_LT(0, jnum(r.json, "tlb.process.entries"));
	if (!thp_never())
		EXPECT_LE(region / page - region / huge,
			  jnum(r.json, "tlb.process.base_page_entries") -
			  jnum(r.json, "tlb.process.entries"));
	EXPECT_NE(NULL, jget(r.json, "hypervisor.why"));
	run_free(&r);

	if (zram >= 0)
		r = CLI("latency", "--quick", "--file", dev);
	else
		r = CLI("latency", "--quick");
	zram_remove(zram);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "TEXTBOOK"));
	EXPECT_NE(NULL, strstr(r.out, "PAGE TABLES (vmview)"));
	EXPECT_NE(NULL, strstr(r.out, "TLB entries"));
	TH_LOG("latency --quick in this guest:\n%s", r.out);
	run_free(&r);
}

/*
 * DAMON_STAT (6.17+, on by default in Debian's kernels) turned off for
 * one run: no kdamond, and the load rows take no fault at all.  Where
 * DAMON_STAT is not built, the run is just as strict unless some other
 * DAMON user keeps a kdamond running.
 */
TEST_F_TIMEOUT(latency, loads_without_damon, 600)
{
	bool was_on = false;
	struct run r = { 0 };
	char *v = vmv_read_file(DAMON_STAT, NULL);
	size_t i;
	int k;

	if (v && v[0] == 'Y') {
		was_on = true;
		ASSERT_EQ(0, vmv_write_file(DAMON_STAT, "N"))
			TH_LOG("could not turn DAMON_STAT off: %s",
			       strerror(errno));
	}
	free(v);
	for (k = 0; k < 50 && damon_threads(); k++)
		usleep(100 * 1000);
	if (damon_threads()) {
		if (was_on)
			vmv_write_file(DAMON_STAT, "Y");
		SKIP(return, "a kdamond keeps running without DAMON_STAT (another DAMON user)");
	}
	r = CLI("-j", "latency", "--quick");
	if (was_on)
		EXPECT_EQ(0, vmv_write_file(DAMON_STAT, "Y"));
	ASSERT_EQ(0, r.status) TH_LOG("%.2000s%s", r.out, r.err);
	ASSERT_NE(NULL, r.json);
	EXPECT_EQ(0, jnum(r.json, "damon_threads"));
	for (i = 0; i < ARRAY_SIZE(load_rows); i++) {
		struct jv *row = row_of(r.json, load_rows[i]);

		ASSERT_NE(NULL, row);
		if (jstr(row, "result") &&
		    !strcmp(jstr(row, "result"), "skipped"))
			continue;
		EXPECT_STREQ("ok", jstr(row, "result"))
			TH_LOG("%s: %s", load_rows[i], jstr(row, "reason"));
		EXPECT_EQ(0, jnum(row, "faults.minflt"))
			TH_LOG("%s", load_rows[i]);
		EXPECT_EQ(0, jnum(row, "faults.majflt"))
			TH_LOG("%s", load_rows[i]);
	}
	TH_LOG("DAMON_STAT %s for the run; load rows fault-free",
	       was_on ? "turned off" : "not on");
	run_free(&r);
}

/* The VMA of round (0: the first) of wss's JSON that holds addr. */
static struct jv *wss_vma(struct jv *json, int round, unsigned long addr)
{
	char key[32];
	struct jv *vmas;

	snprintf(key, sizeof(key), "rounds.%d.vmas", round);
	vmas = jget(json, key);
	size_t i;

	for (i = 0; vmas && i < vmas->n; i++)
		if (jhex(vmas->items[i], "start") <= addr &&
		    addr < jhex(vmas->items[i], "end"))
			return vmas->items[i];
	return NULL;
}

/* smaps' "Referenced:" of the VMA that starts at addr, in kB; -1. */
static long long smaps_referenced(pid_t pid, unsigned long addr)
{
	char path[64], *text, *p, *v;
	long long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	text = vmv_read_file(path, NULL);
	if (!text)
		return -1;
	for (p = text; p; p = strchr(p + 1, '\n')) {
		if (*p == '\n')
			p++;
		if (strtoul(p, NULL, 16) != addr || !strchr(p, '-'))
			continue;
		v = strstr(p, "\nReferenced:");
		if (v)
			kb = strtoll(v + 12, NULL, 10);
		break;
	}
	free(text);
	return kb;
}

TEST_F(latency, wss_vs_referenced)
{
	struct vmv_child c = { 0 };
	struct run r = { 0 };
	unsigned long a;
	long long ref;
	char pid[16];
	struct jv *v;
	int ret;

	ret = vmv_child_fork(&c, "vmv_wss");
	ASSERT_LE(0, ret);
	if (!ret) {
		/* guard pages on both sides: a VMA of its own */
		char *p = mmap(NULL, (WSS_PAGES + 2) * PG,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		size_t flen = 1024 * PG;
		char *f = mmap(NULL, flen, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned long i;
		char *q, sum = 0;

		if (p == MAP_FAILED || f == MAP_FAILED)
			_exit(1);
		munmap(p, PG);
		munmap(p + (WSS_PAGES + 1) * PG, PG);
		q = p + PG;
		madvise(q, WSS_PAGES * PG, MADV_NOHUGEPAGE);
		madvise(f, flen, MADV_NOHUGEPAGE);
		for (i = 0; i < WSS_PAGES; i++)
			q[i * PG] = 1;
		memset(f, 1, flen);
		a = (unsigned long)q;
		if (write(c.ack, &a, sizeof(a)) != sizeof(a))
			_exit(1);
		for (;;) {
			/* the hot set, read every 10 ms */
			for (i = 0; i < WSS_HOT; i++)
				sum += q[i * PG];
			asm volatile("" : : "r" (sum) : "memory");
			/*
			 * Clearing accessed bits flushes no TLB (x86 and
			 * arm64 set a bit again only on a walk): this
			 * mprotect of 1024 present pages flushes all of
			 * this mm's, as a busy machine's TLB would have
			 * forgotten them anyway.
			 */
			mprotect(f, flen, PROT_READ);
			mprotect(f, flen, PROT_READ | PROT_WRITE);
			usleep(10000);
		}
	}
	ASSERT_EQ((ssize_t)sizeof(a), read(c.ack, &a, sizeof(a)));
	snprintf(pid, sizeof(pid), "%d", (int)c.pid);
	r = CLI("-j", "wss", pid, "--interval", "1");
	ASSERT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	ASSERT_EQ(1, (int)jlen(r.json, "rounds"));
	v = wss_vma(r.json, 0, a);
	ASSERT_NE(NULL, v) TH_LOG("no VMA at 0x%lx in wss's answer", a);
	EXPECT_EQ(a, jhex(v, "start"));
	EXPECT_EQ(a + WSS_PAGES * PG, jhex(v, "end"));
	EXPECT_EQ(WSS_PAGES, jnum(v, "resident_pages"));
	/* the touched set counted, the untouched not */
	EXPECT_EQ(WSS_HOT, jnum(v, "accessed_pages"));
	EXPECT_LE(WSS_HOT, jnum(r.json, "rounds.0.accessed_pages"));
	/*
	 * smaps' Referenced: a young entry, or a page marked referenced
	 * or young by the kernel (clear_refs cleared both): the hot pages
	 * at least, not all of them.
	 */
	ref = smaps_referenced(c.pid, a);
	EXPECT_LE(WSS_HOT * PG_KB, ref);
	EXPECT_GT(WSS_PAGES * PG_KB, ref);
	TH_LOG("wss: %lld of %lld pages accessed; smaps Referenced %lld kB",
	       jnum(v, "accessed_pages"), jnum(v, "resident_pages"), ref);
	run_free(&r);
	/* a second round counts again */
	r = CLI("-j", "wss", pid, "--interval", "0.5", "--rounds", "2");
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(2, (int)jlen(r.json, "rounds"));
	EXPECT_EQ(WSS_HOT, jnum(wss_vma(r.json, 1, a), "accessed_pages"));
	run_free(&r);
	vmv_untrack(c.pid);
	vmv_child_stop(&c);
}

/* Present pages of every VMA of pid (pagemap), and what /proc/PID/maps says. */
static long long present_pages(pid_t pid)
{
	char path[64], *maps, *line;
	unsigned long long *e, s, end;
	long long n = 0;
	size_t k, len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = vmv_read_file(path, NULL);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!maps || fd < 0) {
		free(maps);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (line = maps; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		if (sscanf(line, "%llx-%llx", &s, &end) != 2)
			continue;
		len = (end - s) / PG;
		e = calloc(len, sizeof(*e));
		if (!e)
			break;
		if (pread(fd, e, len * sizeof(*e), s / PG * sizeof(*e)) ==
		    (ssize_t)(len * sizeof(*e)))
			for (k = 0; k < len; k++)
				n += !!(e[k] & PM_PRESENT);
		free(e);
	}
	close(fd);
	free(maps);
	return n;
}

static long long rollup_kb(pid_t pid, const char *key)
{
	char path[64], *t, v[64];
	long long kb = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	t = vmv_read_file(path, NULL);
	if (t && vmv_kv(t, key, v, sizeof(v)))
		kb = strtoll(v, NULL, 10);
	free(t);
	return kb;
}

TEST_F(latency, summary_tlb_needs)
{
	unsigned long huge = 1UL << vmv_huge_shift();
	long long present, leaves, want;
	struct vmv_child c = { 0 };
	struct run r = { 0 };
	char pid[16], ack;
	int ret;

	ret = vmv_child_fork(&c, "vmv_tlb");
	ASSERT_LE(0, ret);
	if (!ret) {
		char *p = mmap(NULL, 3 * huge, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *q = mmap(NULL, 10 * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned long a;

		if (p == MAP_FAILED || q == MAP_FAILED)
			_exit(1);
		a = ((unsigned long)p + huge - 1) & ~(huge - 1);
		madvise((void *)a, 2 * huge, MADV_HUGEPAGE);
		memset((void *)a, 1, 2 * huge);
		madvise(q, 10 * PG, MADV_NOHUGEPAGE);
		memset(q, 1, 10 * PG);
		if (write(c.ack, "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(c.ack, &ack, 1));
	snprintf(pid, sizeof(pid), "%d", (int)c.pid);
	r = CLI("-j", "summary", pid);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	present = present_pages(c.pid);
	leaves = (rollup_kb(c.pid, "AnonHugePages") +
		  rollup_kb(c.pid, "ShmemPmdMapped") +
		  rollup_kb(c.pid, "FilePmdMapped")) * 1024 / huge;
	ASSERT_LT(0, present);
	want = present - leaves * (huge / PG) + leaves;
	EXPECT_EQ(want, jnum(r.json, "tlb.process.entries"))
		TH_LOG("pagemap: %lld present pages, smaps: %lld huge leaves",
		       present, leaves);
	EXPECT_EQ(present, jnum(r.json, "tlb.process.base_page_entries"));
	EXPECT_EQ(leaves, jnum(r.json, "tlb.process.huge_leaves"));
	if (!thp_never())
		EXPECT_LE(2, leaves);
	EXPECT_NE(NULL, jget(r.json, "tlb.known"));
	run_free(&r);
	r = CLI("summary", pid);
	EXPECT_NE(NULL, strstr(r.out, "TLB entries")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "the process needs "));
	TH_LOG("summary's TLB section:\n%s", strstr(r.out, "TLB entries") ?: r.out);
	run_free(&r);
	vmv_untrack(c.pid);
	vmv_child_stop(&c);
}

TEST_F(latency, bad_input)
{
	static const char *const bad[][6] = {
		{ "wss", "1" },
		{ "wss", "1", "--interval", "0" },
		{ "wss", "1", "--interval", "x" },
		{ "wss", "1", "--interval", "1", "--rounds", "0" },
		{ "wss", "-5", "--interval", "1" },
		{ "latency", "--rounds", "2" },
		{ "latency", "now" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = run_cli_ex(NULL, 0, 0, 0, bad[i]);
		EXPECT_EQ(2, r.status) TH_LOG("%s %s: %s", bad[i][0],
					      bad[i][1], r.err);
		EXPECT_NE(NULL, strstr(r.err, "vmview-cli: "));
		run_free(&r);
	}
	r = CLI("-j", "wss", "1", "--interval", "-1");
	EXPECT_EQ(2, r.status);
	EXPECT_STREQ("usage", jstr(r.json, "error.name"));
	run_free(&r);
	r = CLI("wss", "999999", "--interval", "0.1");
	EXPECT_EQ(6, r.status) TH_LOG("%s", r.err);
	run_free(&r);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_latency.c: "latency [--quick] [--file FILE]": the textbook's
 * numbers ("1 ns an instruction, 100 ns a DRAM read, 10 ms a disk seek
 * or one context switch") measured on this machine, in this process,
 * each many times (median, p10 and p90: stats.c), and each checked by
 * what it claims:
 *  - fault counters (getrusage() around the timed part: a load row
 *    takes none, a fault row exactly one a touch, COW's counted in the
 *    child that writes);
 *  - vmview's ptes of the pages involved, read after the row with this
 *    process (and the COW child) tracked: untracked while timed, so that
 *    vmview's MMU notifier is not part of what is measured; without the
 *    module the page-table column says so and the rest still works;
 *  - /proc/self/smaps (the THP region's AnonHugePages) and
 *    /proc/self/pagemap (the swap bit) where the kernel says it itself.
 * The process pins itself to the CPU it runs on: the loads see one
 * cache hierarchy, MADV_PAGEOUT finds the pages on its own CPU's LRU
 * batch, and the ping-pong's two processes switch on one CPU.
 * /proc/self is this process's own and is read without --root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmview-cli.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#define LINE		64
#define PM_SWAP		(1ULL << 62)

enum row_id {
	R_L1, R_THP, R_4K, R_MINOR, R_ZERO, R_COW, R_SWAP, R_FILE, R_CSW,
	R_SYSCALL, NR_ROWS
};

enum result { RES_OK, RES_FAILED, RES_SKIPPED };
static const char * const result_names[] = { "ok", "failed", "skipped" };

struct row {
	const char *name;		/* JSON */
	const char *title;
	double book_ns;			/* 0: the textbook gives none */
	const char *book;
	double *v;			/* samples, ns an operation */
	size_t n;
	uint64_t ops;			/* operations timed in all */
	struct vmv_stats st;
	enum result result;
	char reason[400];		/* why it failed or was skipped */
	char title_more[48];		/* " (64M)", " (zram)" */
	long minflt, majflt, nvcsw;	/* while timed */
	long nivcsw;
	long want_minflt, want_majflt;	/* -1: no claim */
	uint64_t span_pages;		/* a load row's: the pages it chases */
	bool damon;			/* its faults put down to DAMON */
	char faults[96];		/* what the counters say */
	char pages[160];		/* what the page tables say */
	struct json_object *pt;		/* the page-table counts, or NULL */
};

static struct row rows[NR_ROWS] = {
	[R_L1] = { "l1_load", "L1 load (4K chase)", 1, "1 ns an instruction" },
	[R_THP] = { "dram_load_2m", "DRAM load, 2M pages", 100,
		    "100 ns a DRAM read" },
	[R_4K] = { "dram_load_4k", "DRAM load, 4K pages", 100,
		   "100 ns a DRAM read" },
	[R_MINOR] = { "minor_fault", "minor fault (first touch)" },
	[R_ZERO] = { "zero_page_fault", "zero-page read fault" },
	[R_COW] = { "cow_fault", "COW fault after fork" },
	[R_SWAP] = { "swap_major_fault", "major fault, swap", 10e6,
		     "10 ms a disk seek" },
	[R_FILE] = { "file_major_fault", "major fault, file", 10e6,
		     "10 ms a disk seek" },
	[R_CSW] = { "context_switch", "context switch (pipe)", 10e6,
		    "10 ms a context switch" },
	[R_SYSCALL] = { "syscall", "system call (getppid)" },
};

/* How much of everything: normal, and --quick (emulators). */
struct sizes {
	size_t samples;		/* of the load, switch and syscall rows */
	size_t l1_loads, dram_loads;
	size_t fault_pages, fault_batch;
	size_t major_pages;
	size_t csw_trips, syscalls;
};
static const struct sizes normal = { 31, 1000000, 200000, 512, 16, 64, 2000,
				     10000 };
static const struct sizes quick = { 7, 100000, 20000, 32, 4, 16, 100, 1000 };

static struct {
	const struct sizes *sz;
	bool module;			/* vmview loaded and usable */
	char no_module[160];		/* else why: "module not loaded" */
	uint64_t page, huge;
	int cpu;
	char hyp[160];
	int hyp_state;
	uint64_t region;		/* the DRAM rows' */
	double walk_ns;			/* 4K median - 2M median, or 0 */
	struct vmv_tlb_need need;
	bool have_need;
	char need_from[48];
	char swap_dev[128];
	char file_note[320];
	char scratch[VMV_PATH_MAX];
	int damon;			/* kdamond threads running */
} L;

static volatile uintptr_t sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void usage_now(struct rusage *ru)
{
	getrusage(RUSAGE_SELF, ru);
}

static void faults_since(struct row *r, const struct rusage *a)
{
	struct rusage b;

	usage_now(&b);
	r->minflt += b.ru_minflt - a->ru_minflt;
	r->majflt += b.ru_majflt - a->ru_majflt;
	r->nvcsw += b.ru_nvcsw - a->ru_nvcsw;
	r->nivcsw += b.ru_nivcsw - a->ru_nivcsw;
}

static void fail(struct row *r, const char *fmt, ...) __printf(2, 3);
static void fail(struct row *r, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(r->reason);

	if (r->result == RES_SKIPPED)
		return;
	r->result = RES_FAILED;
	va_start(ap, fmt);
	vsnprintf(r->reason + n, sizeof(r->reason) - n, fmt, ap);
	va_end(ap);
}

static void skip(struct row *r, const char *fmt, ...) __printf(2, 3);
static void skip(struct row *r, const char *fmt, ...)
{
	va_list ap;

	r->result = RES_SKIPPED;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

static bool alloc_samples(struct row *r, size_t n)
{
	r->v = calloc(n ? n : 1, sizeof(*r->v));
	if (!r->v) {
		skip(r, "out of memory");
		return false;
	}
	memset(r->v, 0, (n ? n : 1) * sizeof(*r->v));	/* fault it in now */
	return true;
}

static void *map_anon(size_t len, size_t align, int advice)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = align ? ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1) :
	    (uintptr_t)p;
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	if (align && a + len < (uintptr_t)p + len + align)
		munmap((void *)(a + len), (uintptr_t)p + len + align - a - len);
	if (advice >= 0)
		madvise((void *)a, len, advice);
	return (void *)a;
}

/* --- the page tables, through vmview ------------------------------------- */

/* What vmview's ptes say of [start, end) of a process. */
struct scan {
	uint64_t start, end;
	uint64_t leaves, huge, pte, zero, anon, file, swap, pages;
	uint64_t *pfn;			/* per base page, or NULL */
};

static int scan_pte(const struct vmv_pte *p, void *arg)
{
	struct scan *s = arg;
	uint64_t size = vmv_pte_size(p), i;

	if (p->vaddr >= s->end)
		return VMV_EACH_STOP;
	if (p->vaddr + size <= s->start)
		return 0;
	if (vmv_pte_kind_is(p, VMVIEW_KIND_SWAP)) {
		s->swap++;
		return 0;
	}
	if (!vmv_pte_kind_is(p, VMVIEW_KIND_PRESENT))
		return 0;
	s->leaves++;
	s->pages += size / L.page;
	if (vmv_pte_level(p) == VMVIEW_LEVEL_PTE)
		s->pte++;
	else
		s->huge++;
	if (p->has_page && vmv_has_word(p->page, "zero"))
		s->zero++;
	if (p->has_page && vmv_has_word(p->page, "anon"))
		s->anon++;
	if (p->has_page && vmv_has_word(p->page, "file"))
		s->file++;
	if (s->pfn && p->vaddr >= s->start && size == L.page) {
		i = (p->vaddr - s->start) / L.page;
		s->pfn[i] = p->pfn;
	}
	return 0;
}

/*
 * Track pid (this process, or the COW child) and read its ptes of
 * [start, end); the caller untracks (vmv_untrack_all()).  Returns 0, or
 * -1 with the row's page-table column saying why.
 */
static int scan(struct row *r, pid_t pid, uint64_t start, uint64_t len,
		struct scan *s, uint64_t *pfn)
{
	memset(s, 0, sizeof(*s));
	s->start = start;
	s->end = start + len;
	s->pfn = pfn;
	if (!L.module) {
		snprintf(r->pages, sizeof(r->pages), "%s", L.no_module);
		return -1;
	}
	if (vmv_track(pid) || vmv_each_pte(pid, scan_pte, NULL, s)) {
		snprintf(r->pages, sizeof(r->pages),
			 "vmview's ptes could not be read (see above)");
		fail(r, "vmview's ptes of PID %d could not be read; ", (int)pid);
		return -1;
	}
	return 0;
}

static struct json_object *scan_json(const struct scan *s)
{
	struct json_object *o = json_object_new_object();

	vmv_json_add_u64(o, "leaves", s->leaves);
	vmv_json_add_u64(o, "pte_leaves", s->pte);
	vmv_json_add_u64(o, "huge_leaves", s->huge);
	vmv_json_add_u64(o, "pages", s->pages);
	vmv_json_add_u64(o, "anon", s->anon);
	vmv_json_add_u64(o, "file", s->file);
	vmv_json_add_u64(o, "zero", s->zero);
	vmv_json_add_u64(o, "swap", s->swap);
	return o;
}

/*
 * One counter's claim: every touch faulted (no fewer than @want), and at
 * most a few faults more, which the row did not cause but the process
 * counts all the same (a page of its stack or data copied after fork,
 * one migrated or reclaimed under it): 1 plus 1/16 of the touches.  On a
 * quiet machine the count is exact; the excess is said, not hidden.
 */
static void fault_claim(struct row *r, const char *kind, long want, long got)
{
	long slack = 1 + (long)(r->ops / 16);
	size_t n = strlen(r->faults);

	if (want < 0)
		return;
	if (got < want || got - want > slack)
		fail(r, "expected %ld %s faults, counted %ld; ", want, kind,
		     got);
	else if (got > want)
		snprintf(r->faults + n, sizeof(r->faults) - n,
			 " (+%ld %s elsewhere)", got - want, kind);
}

/*
 * DAMON (the kernel's data access monitor: kdamond threads, started by
 * DAMON_STAT at boot on 6.17+ kernels built with
 * CONFIG_DAMON_STAT_ENABLED_DEFAULT, as Debian's are) samples accesses
 * by clearing accessed bits through the rmap.  A CPU that sets them in
 * hardware (x86, arm64 with FEAT_HAFDBS) takes no fault for that; one
 * that does not (arm64 without it: Cortex-A57/A72, QEMU's cortex-a57)
 * takes an access-flag fault, a minor fault, at the next load of each
 * cleared page.  So while kdamond runs, a load row may count up to one
 * minor fault a page it chases (and a few for its code, stack and
 * samples), said in its FAULTS column as "(DAMON)"; more, or any major
 * fault, still fails it.  Seen on Debian's 7.3 arm64 under QEMU: 0 to 3
 * faults in the 2M and the 4K rows, none with DAMON_STAT off.
 */
#define DAMON_SLACK	16

static int damon_threads(void)
{
	char path[VMV_PATH_MAX], comm[32];
	struct dirent *d;
	int n = 0;
	DIR *dp;

	dp = opendir(vmv_path(path, sizeof(path), "/proc"));
	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9' &&
		    !vmv_pid_comm(atoi(d->d_name), comm, sizeof(comm)) &&
		    !strncmp(comm, "kdamond", 7))
			n++;
	closedir(dp);
	return n;
}

/* The counters' claim, in the FAULTS column; a mismatch fails the row. */
static void check_faults(struct row *r, const char *touches)
{
	if (r->want_minflt < 0 && r->want_majflt < 0) {
		r->damon = L.damon && !r->majflt && r->minflt &&
			   (uint64_t)r->minflt <= r->span_pages + DAMON_SLACK;
		snprintf(r->faults, sizeof(r->faults),
			 "minflt %ld, majflt %ld while timed%s", r->minflt,
			 r->majflt, r->damon ? " (DAMON)" : "");
		if ((r->minflt || r->majflt) && !r->damon)
			fail(r, "a load row should take no fault while timed (minflt %ld, majflt %ld%s); ",
			     r->minflt, r->majflt, L.damon ?
			     ", more than DAMON's sampling explains" : "");
		return;
	}
	snprintf(r->faults, sizeof(r->faults), "%s %ld, %s %ld; %" PRIu64 " %s",
		 r->want_majflt > 0 ? "majflt" : "minflt",
		 r->want_majflt > 0 ? r->majflt : r->minflt,
		 r->want_majflt > 0 ? "minflt" : "majflt",
		 r->want_majflt > 0 ? r->minflt : r->majflt, r->ops, touches);
	fault_claim(r, "minor", r->want_minflt, r->minflt);
	fault_claim(r, "major", r->want_majflt, r->majflt);
}

/* --- loads ----------------------------------------------------------------- */

static void *chase(void *p, size_t n)
{
	for (; n >= 8; n -= 8) {
		p = *(void **)p; p = *(void **)p; p = *(void **)p;
		p = *(void **)p; p = *(void **)p; p = *(void **)p;
		p = *(void **)p; p = *(void **)p;
	}
	while (n--)
		p = *(void **)p;
	return p;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One cycle through every line of [base, base + len), in random order. */
static int link_lines(char *base, size_t len)
{
	size_t n = len / LINE, i, j;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	uint32_t *idx = malloc(n * sizeof(*idx)), t;

	if (!idx)
		return -1;
	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = rnd(&seed) % (i + 1);
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	for (i = 0; i < n; i++)
		*(void **)(base + (size_t)idx[i] * LINE) =
			base + (size_t)idx[(i + 1) % n] * LINE;
	free(idx);
	return 0;
}

/* Time chases of loads dependent loads from p, samples times. */
static void time_loads(struct row *r, void *p, size_t loads)
{
	struct rusage ru;
	size_t i;
	double t0;

	p = chase(p, loads);	/* warm: caches, TLB, the code */
	usage_now(&ru);
	for (i = 0; i < L.sz->samples; i++) {
		t0 = now_ns();
		p = chase(p, loads);
		r->v[i] = (now_ns() - t0) / loads;
	}
	faults_since(r, &ru);
	sink = (uintptr_t)p;
	r->n = L.sz->samples;
	r->ops = loads * r->n;
	r->want_minflt = r->want_majflt = -1;
}

static void row_l1(struct row *r)
{
	struct scan s;
	char *buf;

	if (!alloc_samples(r, L.sz->samples))
		return;
	buf = map_anon(L.page, L.page, -1);
	if (!buf) {
		skip(r, "mmap: %s", strerror(errno));
		return;
	}
	link_lines(buf, 4096);
	r->span_pages = 1;
	time_loads(r, buf, L.sz->l1_loads);
	check_faults(r, "loads");
	if (!scan(r, getpid(), (uintptr_t)buf, L.page, &s, NULL)) {
		snprintf(r->pages, sizeof(r->pages), "%" PRIu64 " pte leaf, present",
			 s.leaves);
		if (s.leaves != 1 || s.pte != 1)
			fail(r, "the 4K buffer should be one present pte leaf (vmview: %" PRIu64 "); ",
			     s.leaves);
		r->pt = scan_json(&s);
	}
	vmv_untrack_all();
}

/* smaps' AnonHugePages of the VMA that starts at or covers addr, in bytes. */
static long long smaps_thp(uintptr_t addr)
{
	char *text, *p, *line;
	unsigned long long s, e;
	long long kb = -1;
	bool in = false;

	if (vmv_read_path("/proc/self/smaps", &text, NULL))
		return -1;
	for (line = text; line && *line; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		if (sscanf(line, "%llx-%llx ", &s, &e) == 2 && strchr(line, ' ') &&
		    line[strspn(line, "0123456789abcdef")] == '-')
			in = addr >= s && addr < e;
		else if (in && !strncmp(line, "AnonHugePages:", 14))
			kb = strtoll(line + 14, NULL, 10);
	}
	free(text);
	return kb < 0 ? -1 : kb << 10;
}

static void thp_mode(char *buf, size_t len)
{
	char path[VMV_PATH_MAX], *text, *a, *b;

	snprintf(buf, len, "?");
	vmv_path(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/enabled");
	if (vmv_read_path(path, &text, NULL))
		return;
	a = strchr(text, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b)
		snprintf(buf, len, "%.*s", (int)(b - a - 1), a + 1);
	free(text);
}

static void row_dram(struct row *r, bool huge, char **keep)
{
	long long thp;
	struct scan s;
	char mode[16], sz[24];
	char *buf;

	*keep = NULL;
	snprintf(r->title_more, sizeof(r->title_more), " (%s)",
		 vmv_size(sz, sizeof(sz), L.region));
	if (!alloc_samples(r, L.sz->samples))
		return;
	thp_mode(mode, sizeof(mode));
	if (huge && !strcmp(mode, "never")) {
		skip(r, "THP is disabled (transparent_hugepage/enabled: never)");
		return;
	}
	buf = map_anon(L.region, L.huge, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	if (!buf) {
		skip(r, "mmap of %s: %s", sz, strerror(errno));
		return;
	}
	*keep = buf;
	memset(buf, 1, L.region);	/* every page present before timing */
	if (link_lines(buf, L.region)) {
		skip(r, "out of memory");
		return;
	}
	r->span_pages = L.region / L.page;
	time_loads(r, buf, L.sz->dram_loads);
	check_faults(r, "loads");
	thp = smaps_thp((uintptr_t)buf);
	if (huge && thp != (long long)L.region)
		fail(r, "smaps: %lld of the %" PRIu64 " bytes are AnonHugePages, not all; ",
		     thp, L.region);
	if (!huge && thp != 0)
		fail(r, "smaps: %lld bytes of AnonHugePages in the 4K region; ",
		     thp);
	if (!scan(r, getpid(), (uintptr_t)buf, L.region, &s, NULL)) {
		if (huge)
			snprintf(r->pages, sizeof(r->pages),
				 "%" PRIu64 " of %" PRIu64 " leaves huge",
				 s.huge, s.leaves);
		else
			snprintf(r->pages, sizeof(r->pages),
				 "%" PRIu64 " pte leaves, %" PRIu64 " huge",
				 s.pte, s.huge);
		if (s.pages != L.region / L.page)
			fail(r, "vmview: %" PRIu64 " of %" PRIu64 " pages present; ",
			     s.pages, L.region / L.page);
		if (huge && (s.pte || s.huge != L.region / L.huge))
			fail(r, "vmview: %" PRIu64 " huge leaves and %" PRIu64 " ptes, want %" PRIu64 " huge; ",
			     s.huge, s.pte, L.region / L.huge);
		if (!huge && s.huge)
			fail(r, "vmview: %" PRIu64 " huge leaves in the 4K region; ",
			     s.huge);
		r->pt = scan_json(&s);
	} else {
		snprintf(r->pages + strlen(r->pages),
			 sizeof(r->pages) - strlen(r->pages),
			 "; smaps: %lld%s huge", thp >> 20, "M");
	}
	if (r->pt)
		vmv_json_add_i64(r->pt, "smaps_anon_huge_bytes", thp);
	vmv_untrack_all();
}

/* --- faults ------------------------------------------------------------------ */

/* Keep the compiler from dropping or merging the touches. */
static void touch_write(volatile char *p)
{
	*p = 1;
}

static char touch_read(volatile char *p)
{
	return *p;
}

/*
 * Fault pages pages of buf, batch at a time, each batch timed: writes
 * (minor) or reads (zero page).
 */
static void time_touches(struct row *r, char *buf, size_t pages, bool write)
{
	size_t batch = L.sz->fault_batch, i, k;
	struct rusage ru;
	double t0;
	char c = 0;

	usage_now(&ru);
	for (i = 0; i < pages / batch; i++) {
		t0 = now_ns();
		for (k = 0; k < batch; k++) {
			char *p = buf + (i * batch + k) * L.page;

			if (write)
				touch_write(p);
			else
				c += touch_read(p);
		}
		r->v[i] = (now_ns() - t0) / batch;
	}
	faults_since(r, &ru);
	sink = c;
	r->n = pages / batch;
	r->ops = r->n * batch;
}

/* Warm the code of a touch loop and the stack under it: no stray fault. */
static void __attribute__((noinline)) warm_stack(void)
{
	volatile char pad[32 << 10];

	memset((char *)pad, 0, sizeof(pad));
}

static void row_first_touch(struct row *r, bool write)
{
	size_t pages = L.sz->fault_pages;
	struct scan s;
	char *buf, *warm;

	if (!alloc_samples(r, pages))
		return;
	buf = map_anon(pages * L.page, L.huge, MADV_NOHUGEPAGE);
	warm = map_anon(L.page * L.sz->fault_batch, 0, MADV_NOHUGEPAGE);
	if (!buf || !warm) {
		skip(r, "mmap: %s", strerror(errno));
		return;
	}
	warm_stack();
	time_touches(r, warm, L.sz->fault_batch, write);
	r->minflt = r->majflt = r->nvcsw = 0;
	time_touches(r, buf, pages, write);
	r->want_minflt = r->ops;
	r->want_majflt = 0;
	check_faults(r, write ? "writes" : "reads");
	if (!scan(r, getpid(), (uintptr_t)buf, pages * L.page, &s, NULL)) {
		if (write) {
			snprintf(r->pages, sizeof(r->pages),
				 "%" PRIu64 " ptes present, %" PRIu64 " anon",
				 s.pte, s.anon);
			if (s.pte != r->ops || s.anon != r->ops || s.zero)
				fail(r, "vmview: %" PRIu64 " ptes (%" PRIu64 " anon, %" PRIu64 " zero), want %" PRIu64 " anon; ",
				     s.pte, s.anon, s.zero, r->ops);
		} else {
			snprintf(r->pages, sizeof(r->pages),
				 "%" PRIu64 " ptes map the zero page", s.zero);
			if (s.zero != r->ops || s.leaves != r->ops)
				fail(r, "vmview: %" PRIu64 " of %" PRIu64 " present ptes map the zero page, want %" PRIu64 "; ",
				     s.zero, s.leaves, r->ops);
		}
		r->pt = scan_json(&s);
	}
	vmv_untrack_all();
	munmap(buf, pages * L.page);
	munmap(warm, L.page * L.sz->fault_batch);
}

static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/*
 * Two pipes and a child: @down for the parent to write, @up for the
 * child.  Each side keeps its own ends; on any failure everything made is
 * closed, the row skipped, and -1 returned.
 */
static pid_t fork_piped(struct row *r, int down[2], int up[2])
{
	pid_t pid;

	if (pipe(down)) {
		skip(r, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe(up)) {
		skip(r, "pipe: %s", strerror(errno));
		close(down[0]);
		close(down[1]);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		skip(r, "fork: %s", strerror(errno));
		close(down[0]);
		close(down[1]);
		close(up[0]);
		close(up[1]);
		return -1;
	}
	close(pid ? down[0] : down[1]);
	close(pid ? up[1] : up[0]);
	return pid;
}

/*
 * The child of the COW row: writes every page (each a copy of the
 * parent's), timed in batches; sends the samples and its counted
 * faults, then waits for the parent to have read its ptes.
 */
static void __attribute__((noreturn)) cow_child(struct row *r, char *buf,
						size_t pages, int out, int in)
{
	long counts[2];
	struct rusage ru;
	char c;

	/*
	 * What the timed loop writes or calls (the stack, the samples,
	 * sink, the row, the counters' calls) is copied from the parent
	 * now, so that the only faults counted are the pages' own.
	 */
	warm_stack();
	memset(r->v, 0, pages * sizeof(*r->v));
	counts[0] = counts[1] = 0;
	sink = 0;
	now_ns();
	usage_now(&ru);
	r->minflt = r->majflt = r->nvcsw = r->nivcsw = 0;
	time_touches(r, buf, pages, true);
	counts[0] = r->minflt;
	counts[1] = r->majflt;
	if (write(out, counts, sizeof(counts)) != sizeof(counts) ||
	    write(out, r->v, r->n * sizeof(*r->v)) !=
	    (ssize_t)(r->n * sizeof(*r->v)))
		_exit(1);
	if (read(in, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

static void row_cow(struct row *r)
{
	size_t pages = L.sz->fault_pages, i, copied = 0;
	int to_child[2], from_child[2], st;
	uint64_t *mine = NULL, *theirs = NULL;
	struct scan s, cs;
	long counts[2];
	char *buf;
	pid_t pid;

	if (!alloc_samples(r, pages))
		return;
	buf = map_anon(pages * L.page, L.huge, MADV_NOHUGEPAGE);
	if (!buf) {
		skip(r, "mmap: %s", strerror(errno));
		return;
	}
	memset(buf, 2, pages * L.page);
	pid = fork_piped(r, to_child, from_child);
	if (pid < 0) {
		munmap(buf, pages * L.page);
		return;
	}
	if (!pid)
		cow_child(r, buf, pages, from_child[1], to_child[0]);
	vmv_track_add_child(pid);
	r->n = pages / L.sz->fault_batch;
	r->ops = r->n * L.sz->fault_batch;
	if (!read_all(from_child[0], counts, sizeof(counts)) ||
	    !read_all(from_child[0], r->v, r->n * sizeof(*r->v))) {
		r->n = 0;
		skip(r, "the child died before it reported");
		goto out;
	}
	r->minflt = counts[0];
	r->majflt = counts[1];
	r->want_minflt = r->ops;
	r->want_majflt = 0;
	check_faults(r, "child writes");
	mine = calloc(pages, sizeof(*mine));
	theirs = calloc(pages, sizeof(*theirs));
	if (mine && theirs &&
	    !scan(r, getpid(), (uintptr_t)buf, pages * L.page, &s, mine) &&
	    !scan(r, pid, (uintptr_t)buf, pages * L.page, &cs, theirs)) {
		for (i = 0; i < pages; i++)
			copied += mine[i] != VMVIEW_NO_PFN && mine[i] &&
				  theirs[i] != VMVIEW_NO_PFN && theirs[i] &&
				  mine[i] != theirs[i];
		snprintf(r->pages, sizeof(r->pages),
			 "%zu of %zu frames copied (the child's differ)",
			 copied, pages);
		if (copied != pages)
			fail(r, "vmview: only %zu of %zu pages got a frame of their own in the child; ",
			     copied, pages);
		r->pt = scan_json(&cs);
		vmv_json_add_u64(r->pt, "copied", copied);
	}
	vmv_untrack_all();
out:
	free(mine);
	free(theirs);
	close(to_child[1]);
	close(from_child[0]);
	waitpid(pid, &st, 0);
	munmap(buf, pages * L.page);
}

/* Pages of [buf, +pages) whose /proc/self/pagemap entry is swap. */
static size_t swapped(char *buf, size_t pages)
{
	uint64_t *e = calloc(pages, sizeof(*e));
	size_t i, n = 0;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && e &&
	    pread(fd, e, pages * sizeof(*e),
		  (uintptr_t)buf / L.page * sizeof(*e)) ==
	    (ssize_t)(pages * sizeof(*e)))
		for (i = 0; i < pages; i++)
			n += !!(e[i] & PM_SWAP);
	if (fd >= 0)
		close(fd);
	free(e);
	return n;
}

/*
 * Read each page once, timed alone with its own counters around it; a
 * sample is kept only when that read was one major fault (swap or file
 * readahead may have brought a neighbour in).
 */
static void time_majors(struct row *r, char *buf, size_t pages)
{
	struct rusage a, b;
	double t0, t1;
	char c = 0;
	size_t i;

	for (i = 0; i < pages; i++) {
		usage_now(&a);
		t0 = now_ns();
		c += touch_read(buf + i * L.page);
		t1 = now_ns();
		usage_now(&b);
		r->minflt += b.ru_minflt - a.ru_minflt;
		r->majflt += b.ru_majflt - a.ru_majflt;
		if (b.ru_majflt - a.ru_majflt == 1 &&
		    b.ru_minflt == a.ru_minflt)
			r->v[r->n++] = t1 - t0;
	}
	sink = c;
	r->ops = pages;
}

static bool swap_device(char *dev, size_t len)
{
	char path[VMV_PATH_MAX], *text, *nl;
	bool yes;

	dev[0] = '\0';
	vmv_path(path, sizeof(path), "/proc/swaps");
	if (vmv_read_path(path, &text, NULL))
		return false;
	nl = strchr(text, '\n');
	yes = nl && nl[1];
	if (yes)
		snprintf(dev, len, "%.*s", (int)strcspn(nl + 1, " \t\n"), nl + 1);
	free(text);
	return yes;
}

static bool is_zram(const char *name)
{
	const char *b = strrchr(name, '/');

	return !strncmp(b ? b + 1 : name, "zram", 4);
}

static void row_swap(struct row *r)
{
	size_t pages = L.sz->major_pages, i, out = 0;
	struct scan s;
	char *buf;
	int tries;

	if (!swap_device(L.swap_dev, sizeof(L.swap_dev))) {
		skip(r, "no swap device in /proc/swaps (enable one: zram, a partition or a file)");
		return;
	}
	if (is_zram(L.swap_dev))
		snprintf(r->title_more, sizeof(r->title_more), " (zram)");
	if (!alloc_samples(r, pages))
		return;
	buf = map_anon(pages * L.page, 0, MADV_NOHUGEPAGE);
	if (!buf) {
		skip(r, "mmap: %s", strerror(errno));
		return;
	}
	for (i = 0; i < pages * L.page; i += 64)	/* not same-filled */
		*(uint64_t *)(buf + i) = i * 0x9e3779b97f4a7c15ULL;
	for (tries = 0; tries < 5 && out < pages; tries++) {
		madvise(buf, pages * L.page, MADV_PAGEOUT);
		out = swapped(buf, pages);
	}
	if (out < pages) {
		skip(r, "MADV_PAGEOUT swapped out %zu of %zu pages (pagemap)",
		     out, pages);
		munmap(buf, pages * L.page);
		return;
	}
	if (!scan(r, getpid(), (uintptr_t)buf, pages * L.page, &s, NULL)) {
		snprintf(r->pages, sizeof(r->pages),
			 "%" PRIu64 " swap entries before the reads", s.swap);
		if (s.swap != pages)
			fail(r, "vmview: %" PRIu64 " swap entries of %zu pages paged out; ",
			     s.swap, pages);
		r->pt = scan_json(&s);
	}
	vmv_untrack_all();
	warm_stack();
	time_majors(r, buf, pages);
	r->want_majflt = pages;
	r->want_minflt = 0;
	check_faults(r, "reads");
	munmap(buf, pages * L.page);
}

/* Is the file (or the block device) on zram: memory, not a disk? */
static bool file_on_zram(const struct stat *sb)
{
	char path[VMV_PATH_MAX], link[VMV_PATH_MAX];
	dev_t d = S_ISBLK(sb->st_mode) ? sb->st_rdev : sb->st_dev;
	ssize_t n;

	vmv_path(path, sizeof(path), "/sys/dev/block/%u:%u", major(d),
		 minor(d));
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return is_zram(link);
}

static void row_file(struct row *r)
{
	size_t pages = L.sz->major_pages, i, cached = 0;
	const char *path = vmv_opts.file;
	unsigned char *vec = NULL;
	char why[400];
	struct stat sb;
	struct scan s;
	char *buf;
	int fd, tries;

	if (!path) {
		if (vmv_make_scratch(L.scratch, sizeof(L.scratch),
				     "vmview-latency", pages, L.page, why,
				     sizeof(why))) {
			skip(r, "%s", why);
			return;
		}
		path = L.scratch;
	}
	if (stat(path, &sb)) {
		skip(r, "--file %s: %s", path, strerror(errno));
		return;
	}
	if (!S_ISBLK(sb.st_mode) &&
	    (!S_ISREG(sb.st_mode) || sb.st_size < (off_t)(pages * L.page) ||
	     !vmv_droppable(path))) {
		skip(r, "--file %s: give a regular file of at least %zu pages on a disk filesystem (not tmpfs or ramfs), or a block device",
		     path, pages);
		return;
	}
	if (file_on_zram(&sb)) {
		snprintf(r->title_more, sizeof(r->title_more), " (zram)");
		snprintf(L.file_note, sizeof(L.file_note),
			 "the file row reads %.200s, which is on zram: memory, compressed, no seek",
			 path);
	}
	if (!alloc_samples(r, pages))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		skip(r, "%s: %s", path, strerror(errno));
		return;
	}
	buf = mmap(NULL, pages * L.page, PROT_READ, MAP_SHARED, fd, 0);
	vec = calloc(pages, 1);
	if (buf == MAP_FAILED || !vec) {
		skip(r, "mmap of %s: %s", path, strerror(errno));
		close(fd);
		free(vec);
		return;
	}
	/* one page a fault: no readahead, no fault-around of cached pages */
	madvise(buf, pages * L.page, MADV_RANDOM);
	for (tries = 0; tries < 5; tries++) {
		posix_fadvise(fd, 0, pages * L.page, POSIX_FADV_DONTNEED);
		cached = 0;
		if (!mincore(buf, pages * L.page, vec))
			for (i = 0; i < pages; i++)
				cached += vec[i] & 1;
		if (!cached)
			break;
	}
	if (cached) {
		skip(r, "%zu of %zu pages of %s stay in the page cache after POSIX_FADV_DONTNEED",
		     cached, pages, path);
	} else {
		warm_stack();
		time_majors(r, buf, pages);
		r->want_majflt = pages;
		r->want_minflt = 0;
		check_faults(r, "reads");
		if (!scan(r, getpid(), (uintptr_t)buf, pages * L.page, &s,
			  NULL)) {
			snprintf(r->pages, sizeof(r->pages),
				 "%" PRIu64 " ptes present, %" PRIu64 " file",
				 s.pte, s.file);
			if (s.pte != pages || s.file != pages)
				fail(r, "vmview: %" PRIu64 " ptes (%" PRIu64 " file) after the reads, want %zu; ",
				     s.pte, s.file, pages);
			r->pt = scan_json(&s);
		}
		vmv_untrack_all();
	}
	munmap(buf, pages * L.page);
	close(fd);
	free(vec);
	if (L.scratch[0]) {
		unlink(L.scratch);
		L.scratch[0] = '\0';
		vmv_track_tmpfile(NULL);
	}
}

/* --- switches and calls ------------------------------------------------------ */

static void row_csw(struct row *r)
{
	size_t trips = L.sz->csw_trips, i, k;
	int ping[2], pong[2], st;
	struct rusage ru;
	double t0;
	pid_t pid;
	char c = 0;

	if (!alloc_samples(r, L.sz->samples))
		return;
	pid = fork_piped(r, ping, pong);
	if (pid < 0)
		return;
	if (!pid) {
		while (read(ping[0], &c, 1) == 1)
			if (write(pong[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	vmv_track_add_child(pid);
	for (k = 0; k < 10; k++)	/* warm */
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			break;
	usage_now(&ru);
	for (i = 0; i < L.sz->samples; i++) {
		t0 = now_ns();
		for (k = 0; k < trips; k++)
			if (write(ping[1], &c, 1) != 1 ||
			    read(pong[0], &c, 1) != 1)
				break;
		/* a round trip is two switches (and two writes, two reads) */
		r->v[i] = (now_ns() - t0) / trips / 2;
	}
	faults_since(r, &ru);
	close(ping[1]);
	close(pong[0]);
	waitpid(pid, &st, 0);
	r->n = L.sz->samples;
	r->ops = r->n * trips * 2;
	r->want_minflt = r->want_majflt = -1;
	/*
	 * Each round trip takes this process off the CPU once: it blocks
	 * in read() (a voluntary switch), or the child it woke preempts
	 * it first (an involuntary one).
	 */
	snprintf(r->faults, sizeof(r->faults),
		 "switches %ld for %" PRIu64 " round trips",
		 r->nvcsw + r->nivcsw, r->ops / 2);
	if ((uint64_t)(r->nvcsw + r->nivcsw) < r->ops / 2 * 9 / 10)
		fail(r, "each round trip should take this process off the CPU once (switches: %ld voluntary, %ld involuntary for %" PRIu64 " round trips); ",
		     r->nvcsw, r->nivcsw, r->ops / 2);
	snprintf(r->pages, sizeof(r->pages), "-");
}

static void row_syscall(struct row *r)
{
	size_t calls = L.sz->syscalls, i, k;
	long want = getppid(), bad = 0;
	struct rusage ru;
	double t0;

	if (!alloc_samples(r, L.sz->samples))
		return;
	usage_now(&ru);
	for (i = 0; i < L.sz->samples; i++) {
		t0 = now_ns();
		for (k = 0; k < calls; k++)
			bad += syscall(SYS_getppid) != want;
		r->v[i] = (now_ns() - t0) / calls;
	}
	faults_since(r, &ru);
	r->n = L.sz->samples;
	r->ops = r->n * calls;
	r->want_minflt = r->want_majflt = -1;
	snprintf(r->faults, sizeof(r->faults),
		 "%" PRIu64 " calls, %ld wrong answers", r->ops, bad);
	if (bad)
		fail(r, "getppid() answered wrong %ld times; ", bad);
	snprintf(r->pages, sizeof(r->pages), "-");
}

/* --- the whole -------------------------------------------------------------- */

static void module_state(void)
{
	char path[VMV_PATH_MAX];

	vmv_path(path, sizeof(path), VMVIEW_PROC_STATUS);
	if (!vmv_exists(path)) {
		snprintf(L.no_module, sizeof(L.no_module), "module not loaded");
		return;
	}
	vmv_path(path, sizeof(path), VMVIEW_DEBUGFS_DIR);
	if (access(path, X_OK)) {
		snprintf(L.no_module, sizeof(L.no_module),
			 "module loaded, %.100s not readable (root?)", path);
		return;
	}
	if (vmv_preflight()) {
		snprintf(L.no_module, sizeof(L.no_module),
			 "module not usable (see above)");
		return;
	}
	L.module = true;
}

static uint64_t thp_size(void)
{
	char path[VMV_PATH_MAX], *text;
	uint64_t v = 0;

	if (L.module)
		return 1ULL << vmv_level_shift(vmv_huge_level());
	vmv_path(path, sizeof(path),
		 "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
	if (!vmv_read_path(path, &text, NULL)) {
		v = strtoull(text, NULL, 10);
		free(text);
	}
	return v ? v : 2ULL << 20;
}

static uint64_t mem_available(void)
{
	char path[VMV_PATH_MAX], *text, *p;
	uint64_t kb = 0;

	vmv_path(path, sizeof(path), "/proc/meminfo");
	if (vmv_read_path(path, &text, NULL))
		return 0;
	p = strstr(text, "MemAvailable:");
	if (p)
		kb = strtoull(p + 13, NULL, 10);
	free(text);
	return kb << 10;
}

/*
 * The DRAM rows' region: twice the last-level cache, at least 32M (a
 * cache sysfs does not describe), at most 256M and an eighth of the
 * available memory, in whole huge pages.
 */
static uint64_t region_size(void)
{
	uint64_t r = 2 * vmv_cpu_llc_bytes(), avail = mem_available();

	if (r < 32ULL << 20)
		r = 32ULL << 20;
	if (r > 256ULL << 20)
		r = 256ULL << 20;
	if (avail && r > avail / 8)
		r = avail / 8;
	r &= ~(L.huge - 1);
	return r ? r : L.huge;
}

static void pin_cpu(void)
{
	cpu_set_t set;

	L.cpu = sched_getcpu();
	if (L.cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(L.cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		L.cpu = -1;
}

static void self_tlb_need(void)
{
	if (L.module) {
		if (!vmv_track(getpid()) &&
		    !vmv_tlb_need_of_pid(getpid(), &L.need)) {
			L.have_need = true;
			snprintf(L.need_from, sizeof(L.need_from),
				 "vmview's ptes");
		}
		vmv_untrack_all();
		return;
	}
	if (!vmv_tlb_need_of_smaps("/proc/self/smaps_rollup", &L.need, L.page,
				   L.huge)) {
		L.have_need = true;
		snprintf(L.need_from, sizeof(L.need_from), "smaps_rollup");
	}
}

static void print_row(const struct row *r)
{
	char title[96], a[48], b[48], c[48], d[48];
	int u;

	snprintf(title, sizeof(title), "%s%s", r->title, r->title_more);
	vmv_print_cell(title, 30, false);
	if (r->n) {
		u = vmv_ns_unit(r->st.median);
		vmv_print_cell(vmv_fmt_ns_in(a, sizeof(a), r->st.median, u), 9,
			       true);
		printf("  ");
		vmv_print_cell(vmv_fmt_ns_range(b, sizeof(b), r->st.p10,
						r->st.p90, u), 17, false);
	} else {
		vmv_print_cell("-", 9, true);
		printf("  ");
		vmv_print_cell("", 17, false);
	}
	vmv_print_cell(r->book_ns ? vmv_fmt_ns(c, sizeof(c), r->book_ns) : "-",
		       8, true);
	vmv_print_cell(r->n && r->book_ns ?
		       vmv_fmt_ratio(d, sizeof(d), r->st.median / r->book_ns) :
		       "-", 8, true);
	printf("  %s\n", r->result == RES_OK ? "ok" :
	       r->result == RES_FAILED ? "FAILED" : "skipped");
}

static void print_text(void)
{
	struct vmv_tlb_info tlb;
	char why[160], line[600], a[48];
	size_t i, width = 37;

	printf("Latencies measured in PID %d%s%s, %zu samples a row%s; the median, and 10%% of samples below P10, 10%% above P90.\n",
	       (int)getpid(), L.cpu >= 0 ? " on CPU " : "",
	       L.cpu >= 0 ? (snprintf(a, sizeof(a), "%d", L.cpu), a) : "",
	       L.sz->samples, vmv_opts.quick ? " (--quick)" : "");
	if (L.hyp_state) {
		snprintf(line, sizeof(line),
			 "note: %s: %s", L.hyp, L.hyp_state > 0 ?
			 "these are the hypervisor's or the emulator's figures, not the bare hardware's" :
			 "these may be a hypervisor's or an emulator's figures");
		vmv_print_wrapped("", line, 80);
	}
	printf("\n");
	if (!vmv_opts.noheadings)
		printf("%-30s%9s  %-17s%8s%8s  %s\n", "WHAT", "MEDIAN",
		       "P10-P90", "TEXTBOOK", "RATIO", "CHECK");
	for (i = 0; i < NR_ROWS; i++)
		print_row(&rows[i]);
	if (L.walk_ns > 0)
		printf("\nA load over 4K pages costs %s more than over 2M pages: the page walk of its TLB miss.\n",
		       vmv_fmt_ns(a, sizeof(a), L.walk_ns));
	else if (rows[R_THP].n && rows[R_4K].n)
		printf("\nA load over 4K pages cost no more than over 2M pages here: no page walk shows (an emulator, or too few samples).\n");
	printf("\n");
	/* The counters' column as wide as its widest cell, and a blank. */
	for (i = 0; i < NR_ROWS; i++)
		if (rows[i].result != RES_SKIPPED &&
		    strlen(rows[i].faults) + 2 > width)
			width = strlen(rows[i].faults) + 2;
	if (!vmv_opts.noheadings)
		printf("%-30s%-*s%s\n", "WHAT", (int)width, "FAULTS COUNTED",
		       "PAGE TABLES (vmview)");
	for (i = 0; i < NR_ROWS; i++) {
		if (rows[i].result == RES_SKIPPED)
			continue;
		vmv_print_cell(rows[i].title, 30, false);
		vmv_print_cell(rows[i].faults, width, false);
		printf("%s\n", rows[i].pages);
	}
	for (i = 0; i < NR_ROWS; i++) {
		if (rows[i].result == RES_OK)
			continue;
		snprintf(line, sizeof(line), "%s %s: %s",
			 rows[i].title, rows[i].result == RES_FAILED ?
			 "FAILED" : "skipped", rows[i].reason);
		vmv_print_wrapped("", line, 80);
	}
	if (is_zram(L.swap_dev))
		printf("Swap is %s, zram: the swap-in decompresses memory, no disk seek.\n",
		       L.swap_dev);
	if (L.file_note[0])
		vmv_print_wrapped("", L.file_note, 80);
	for (i = 0; i < NR_ROWS && !rows[i].damon; i++)
		;
	if (i < NR_ROWS)
		vmv_print_wrapped("", "(DAMON): DAMON's kdamond is running; it samples accesses by clearing accessed bits, and a CPU that does not set them in hardware (arm64 without FEAT_HAFDBS) takes a minor fault to set each again.",
				  80);
	printf("\n");
	vmv_cpu_tlb(&tlb, why, sizeof(why));
	vmv_tlb_print(&tlb, why, L.have_need ? &L.need : NULL, L.need_from,
		      L.page);
}

static struct json_object *dbl(double v)
{
	return json_object_new_double(v);
}

static void print_json(void)
{
	struct json_object *o = json_object_new_object(), *a, *e, *f, *h;
	struct vmv_tlb_info tlb;
	char why[160];
	size_t i;

	vmv_json_add_i64(o, "pid", getpid());
	vmv_json_add(o, "cpu", L.cpu >= 0 ? json_object_new_int(L.cpu) : NULL);
	vmv_json_add_bool(o, "quick", vmv_opts.quick);
	vmv_json_add_u64(o, "samples", L.sz->samples);
	h = json_object_new_object();
	vmv_json_add(h, "reported", L.hyp_state < 0 ? NULL :
		     json_object_new_boolean(L.hyp_state > 0));
	vmv_json_add_str(h, "why", L.hyp);
	vmv_json_add(o, "hypervisor", h);
	vmv_json_add_bool(o, "module", L.module);
	vmv_json_add_str(o, "page_tables", L.module ? "vmview" : L.no_module);
	vmv_json_add_u64(o, "page_bytes", L.page);
	vmv_json_add_u64(o, "huge_page_bytes", L.huge);
	vmv_json_add_u64(o, "region_bytes", L.region);
	vmv_json_add_str(o, "swap_device", L.swap_dev[0] ? L.swap_dev : NULL);
	vmv_json_add_i64(o, "damon_threads", L.damon);
	vmv_json_add(o, "page_walk_ns", L.walk_ns ? dbl(L.walk_ns) : NULL);
	a = json_object_new_array();
	for (i = 0; i < NR_ROWS; i++) {
		const struct row *r = &rows[i];

		e = json_object_new_object();
		vmv_json_add_str(e, "name", r->name);
		vmv_json_add_str(e, "title", r->title);
		vmv_json_add_str(e, "result", result_names[r->result]);
		vmv_json_add_str(e, "reason", r->result == RES_OK ? NULL :
				 r->reason);
		vmv_json_add_u64(e, "samples", r->n);
		vmv_json_add_u64(e, "repetitions", r->ops);
		vmv_json_add(e, "median_ns", r->n ? dbl(r->st.median) : NULL);
		vmv_json_add(e, "p10_ns", r->n ? dbl(r->st.p10) : NULL);
		vmv_json_add(e, "p90_ns", r->n ? dbl(r->st.p90) : NULL);
		vmv_json_add(e, "min_ns", r->n ? dbl(r->st.min) : NULL);
		vmv_json_add(e, "max_ns", r->n ? dbl(r->st.max) : NULL);
		vmv_json_add(e, "textbook_ns", r->book_ns ? dbl(r->book_ns) :
			     NULL);
		vmv_json_add_str(e, "textbook", r->book);
		vmv_json_add(e, "ratio", r->n && r->book_ns ?
			     dbl(r->st.median / r->book_ns) : NULL);
		f = json_object_new_object();
		vmv_json_add_i64(f, "minflt", r->minflt);
		vmv_json_add_i64(f, "majflt", r->majflt);
		vmv_json_add_i64(f, "nvcsw", r->nvcsw);
		vmv_json_add_i64(f, "nivcsw", r->nivcsw);
		vmv_json_add(f, "expected_minflt", r->want_minflt >= 0 ?
			     json_object_new_int64(r->want_minflt) : NULL);
		vmv_json_add(f, "expected_majflt", r->want_majflt >= 0 ?
			     json_object_new_int64(r->want_majflt) : NULL);
		vmv_json_add_str(f, "explained_by", r->damon ? "damon" : NULL);
		vmv_json_add(e, "faults", r->result == RES_SKIPPED ? NULL : f);
		if (r->result == RES_SKIPPED)
			json_object_put(f);
		vmv_json_add_str(e, "page_tables", r->pages[0] ? r->pages :
				 NULL);
		vmv_json_add(e, "ptes", r->pt ? json_object_get(r->pt) : NULL);
		json_object_array_add(a, e);
	}
	vmv_json_add(o, "rows", a);
	vmv_cpu_tlb(&tlb, why, sizeof(why));
	vmv_json_add(o, "tlb", vmv_tlb_json(&tlb, why,
					    L.have_need ? &L.need : NULL,
					    L.need_from, L.page));
	vmv_json_print(o);
	json_object_put(o);
}

int vmv_cmd_latency(int argc, char **argv)
{
	char *thp_buf = NULL, *k_buf = NULL;
	enum result worst = RES_OK;
	size_t i;

	if (argc > 0)
		return vmv_err(VMV_EXIT_USAGE,
			       "unexpected argument '%s': usage: vmview-cli latency [--quick] [--file FILE]",
			       argv[0]);
	memset(&L, 0, sizeof(L));
	L.sz = vmv_opts.quick ? &quick : &normal;
	L.page = sysconf(_SC_PAGESIZE);
	module_state();
	L.huge = thp_size();
	L.region = region_size();
	L.hyp_state = vmv_cpu_hypervisor(L.hyp, sizeof(L.hyp));
	pin_cpu();
	now_ns();		/* the vDSO's data page: faulted in now */
	L.damon = damon_threads();

	row_l1(&rows[R_L1]);
	row_dram(&rows[R_THP], true, &thp_buf);
	row_dram(&rows[R_4K], false, &k_buf);
	self_tlb_need();	/* with both regions mapped */
	if (thp_buf)
		munmap(thp_buf, L.region);
	if (k_buf)
		munmap(k_buf, L.region);
	row_first_touch(&rows[R_MINOR], true);
	row_first_touch(&rows[R_ZERO], false);
	row_cow(&rows[R_COW]);
	row_swap(&rows[R_SWAP]);
	row_file(&rows[R_FILE]);
	row_csw(&rows[R_CSW]);
	row_syscall(&rows[R_SYSCALL]);

	for (i = 0; i < NR_ROWS; i++) {
		vmv_stats(rows[i].v, rows[i].n, &rows[i].st);
		if (rows[i].n == 0 && rows[i].result == RES_OK)
			fail(&rows[i], "no sample; ");
		if (rows[i].result == RES_FAILED &&
		    strlen(rows[i].reason) > 2)	/* the last "; " */
			rows[i].reason[strlen(rows[i].reason) - 2] = '\0';
		if (rows[i].result == RES_FAILED)
			worst = RES_FAILED;
	}
	if (rows[R_THP].result == RES_OK && rows[R_4K].result == RES_OK)
		L.walk_ns = rows[R_4K].st.median - rows[R_THP].st.median;
	if (vmv_opts.json)
		print_json();
	else
		print_text();
	for (i = 0; i < NR_ROWS; i++) {
		free(rows[i].v);
		json_object_put(rows[i].pt);
	}
	return worst == RES_FAILED ? VMV_EXIT_FAIL : VMV_EXIT_OK;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * bench-interfere: how much a reader of a process's page tables slows the
 * process down, for `make bench` (scripts/bench.sh runs it in a QEMU
 * guest with 2 vCPUs).
 *
 *   bench-interfere [-p PAGES] [-r ROUNDS] [-s SECS] [-w SECS] [-P USEC]
 *                   [-o SCENARIOS] [-l USEC]
 *
 *   -p  resident 4 KiB pages of the target (default 262144, 2^18)
 *   -r  rounds (default 5): each round runs every scenario once, so that
 *       a change in the host's speed spreads over all of them
 *   -s  seconds the target runs per scenario and round (default 3)
 *   -w  seconds of an untimed warm-up per scenario before the first round
 *       (default 1; 0: none)
 *   -P  the target's period in microseconds (default 2000)
 *   -o  only these scenarios (comma-separated names, as below)
 *   -l  log the operations slower than USEC (the 32 slowest of each
 *       scenario) with their start (CLOCK_MONOTONIC, ftrace's "mono"
 *       clock): "slow" lines, to find them in a trace
 *
 * The target, a child process, makes PAGES resident anonymous pages
 * (MADV_NOHUGEPAGE) and then, for SECS seconds a scenario and round, one
 * iteration a period (an absolute deadline; a late iteration moves the
 * next deadline, never bunches up), does a fixed mix of operations, each
 * timed with CLOCK_MONOTONIC:
 *
 *   fault     a write to a fresh page of an anonymous pool (a minor
 *             fault: the page is allocated and mapped)
 *   mprotect  16 resident pages in the middle of a 64-page VMA made
 *             read-only, then writable again (two operations: the VMA
 *             is split and merged back; the entries are changed)
 *   mmap      mmap() of 4 anonymous pages, a write to each, munmap()
 *
 * Meanwhile this process (the controller) runs one reader in a loop for
 * as long as the target runs:
 *
 *   alone     none
 *   tracked   none, the target tracked by vmview (its MMU notifier alone)
 *   pagemap   /proc/PID/pagemap over every VMA of /proc/PID/maps, 1 MiB
 *             pread()s, as bench-measure reads it
 *   smaps     /proc/PID/smaps to EOF in 64 KiB reads
 *   ptes      vmview's PID/ptes to EOF in 64 KiB reads (tracked)
 *   verify    a full verify: PID/verify opened once, each verify a
 *             pread() from offset 0 to EOF (tracked)
 *   track     PID written to track, then to untrack
 *
 * The target is pinned to CPU 1 and the controller to CPU 0 when the
 * machine has two CPUs or more, so that what is measured is what the
 * reader's locks cost the target, not a share of one CPU.
 *
 * Output, one record a line (lines starting with '#' are comments):
 *   itarget pid=PID pages=N period_us=P rounds=R iters=I cpus=C
 *                               (I: iterations a run has at most)
 *   lat SCENARIO OP n=N p50_ns=A p99_ns=B max_ns=C mean_ns=D
 *                               (OP: all, fault, mprotect, mmap)
 *   reader SCENARIO reads=N errors=E mean_ns=A max_ns=B mismatches=M
 *   irun SCENARIO wall_ns=W iters=N
 *                               (the target's runs of the scenario, from
 *                               the start of the first iteration to the
 *                               end of the last, and their iterations,
 *                               summed over the rounds)
 *   skip interfere SCENARIO REASON...
 *   slow SCENARIO OP START_NS NS  (-l)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"

#define PROG		"bench-interfere"
#define PAGE		BENCH_PAGE
#define MAX_RANGES	4096
#define PROT_PAGES	64	/* the mprotect VMA */
#define PROT_OFF	16	/* the part changed, from page 16 ... */
#define PROT_LEN	16	/* ... 16 pages long */
#define CYCLE_PAGES	4	/* mmap + touch + munmap */
#define NSCEN		(sizeof(scens) / sizeof(scens[0]))

#define die(what)	bench_die(PROG, "%s", what)

enum reader { R_NONE, R_PAGEMAP, R_SMAPS, R_PTES, R_VERIFY, R_TRACK };
enum op { OP_FAULT, OP_MPROTECT, OP_MMAP, NOPS };

static const char * const op_names[NOPS] = { "fault", "mprotect", "mmap" };
static const unsigned int op_per_iter[NOPS] = { 1, 2, 1 };

static const struct scen {
	const char *name;
	enum reader reader;
	bool tracked;		/* tracked for the whole scenario */
} scens[] = {
	{ "alone",	R_NONE,		false },
	{ "tracked",	R_NONE,		true },
	{ "pagemap",	R_PAGEMAP,	false },
	{ "smaps",	R_SMAPS,	false },
	{ "ptes",	R_PTES,		true },
	{ "verify",	R_VERIFY,	true },
	{ "track",	R_TRACK,	false },
};

static unsigned long pages = 1UL << 18;
static int rounds = 5;
static double secs = 3, warm = 1;
static unsigned long period_us = 2000;
static const char *only;
static unsigned long iters, warm_iters;
static uint64_t slow_ns;
static int ncpus;

static void pin(int cpu)
{
	cpu_set_t set;

	if (ncpus < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* Write a whole line to a pipe. */
static void send_line(int fd, const char *s)
{
	size_t len = strlen(s);

	if (write(fd, s, len) != (ssize_t)len)
		die("write to pipe");
}

/*
 * The read end of a pipe as a stream without a buffer: each read() takes
 * one byte, so that a line read leaves what follows in the pipe (where
 * poll() sees it).
 */
static FILE *pipe_stream(int fd)
{
	FILE *f = fdopen(fd, "r");

	if (!f || setvbuf(f, NULL, _IONBF, 0))
		die("fdopen");
	return f;
}

/* Read one line (without its '\n') from a pipe_stream(); 0, or -1 at EOF. */
static int recv_line(FILE *f, char *line, int size)
{
	if (!fgets(line, size, f))
		return -1;
	line[strcspn(line, "\n")] = '\0';
	return 0;
}

/* --- the target --------------------------------------------------------- */

#define MAX_SLOW	32

/* The samples of one scenario, over every round. */
struct lat {
	uint32_t *ns[NOPS];
	size_t n[NOPS];
	struct {
		uint64_t start, ns;
		enum op op;
	} slow[MAX_SLOW];
	unsigned int nslow;
};

static struct lat lats[NSCEN];

static uint32_t clamp_ns(uint64_t ns)
{
	return ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static void record(struct lat *l, enum op op, uint64_t t0, uint64_t ns)
{
	unsigned int i, k;

	if (!l)
		return;
	l->ns[op][l->n[op]++] = clamp_ns(ns);
	if (!slow_ns || ns < slow_ns)
		return;
	/* The slowest MAX_SLOW: a new one replaces the fastest kept. */
	if (l->nslow < MAX_SLOW) {
		i = l->nslow++;
	} else {
		for (i = 0, k = 1; k < MAX_SLOW; k++)
			if (l->slow[k].ns < l->slow[i].ns)
				i = k;
		if (l->slow[i].ns >= ns)
			return;
	}
	l->slow[i].start = t0;
	l->slow[i].ns = ns;
	l->slow[i].op = op;
}

static char *map_anon(size_t len, bool nohuge)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if (nohuge && madvise(p, len, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	return p;
}

/* One iteration of the mix; samples go to l (none when NULL). */
static void iteration(struct lat *l, char *fresh, char *prot)
{
	char *part = prot + PROT_OFF * PAGE, *c;
	uint64_t t0, t1;

	t0 = bench_now_ns();
	*(volatile char *)fresh = 1;
	t1 = bench_now_ns();
	record(l, OP_FAULT, t0, t1 - t0);

	t0 = bench_now_ns();
	if (mprotect(part, PROT_LEN * PAGE, PROT_READ))
		die("mprotect(PROT_READ)");
	t1 = bench_now_ns();
	record(l, OP_MPROTECT, t0, t1 - t0);
	t0 = bench_now_ns();
	if (mprotect(part, PROT_LEN * PAGE, PROT_READ | PROT_WRITE))
		die("mprotect(PROT_READ | PROT_WRITE)");
	t1 = bench_now_ns();
	record(l, OP_MPROTECT, t0, t1 - t0);

	t0 = bench_now_ns();
	c = mmap(NULL, CYCLE_PAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		die("mmap");
	bench_touch(c, CYCLE_PAGES);
	if (munmap(c, CYCLE_PAGES * PAGE))
		die("munmap");
	t1 = bench_now_ns();
	record(l, OP_MMAP, t0, t1 - t0);
}

/*
 * Iterations for dur nanoseconds (n at most), one a period, each touching
 * the next page of pool; returns how many ran.
 */
static unsigned long run(struct lat *l, unsigned long n, uint64_t dur,
			 char *pool, char *prot)
{
	struct timespec ts;
	uint64_t next = bench_now_ns(), end = next + dur, t;
	unsigned long i;

	for (i = 0; i < n && bench_now_ns() < end; i++) {
		iteration(l, pool + i * PAGE, prot);
		next += period_us * 1000;
		t = bench_now_ns();
		if (next < t)
			next = t;	/* late: no burst to catch up */
		ts.tv_sec = next / 1000000000ULL;
		ts.tv_nsec = next % 1000000000ULL;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				       NULL) == EINTR)
			;
	}
	return i;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of a sorted array. */
static uint32_t pct(const uint32_t *v, size_t n, unsigned int p)
{
	size_t k = (n * p + 99) / 100;

	return v[k ? k - 1 : 0];
}

static void report_one(int out, const char *scen, const char *op,
		       uint32_t *v, size_t n)
{
	char line[256];
	uint64_t sum = 0;
	size_t i;

	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (i = 0; i < n; i++)
		sum += v[i];
	snprintf(line, sizeof(line),
		 "lat %s %s n=%zu p50_ns=%" PRIu32 " p99_ns=%" PRIu32
		 " max_ns=%" PRIu32 " mean_ns=%" PRIu64 "\n", scen, op, n,
		 pct(v, n, 50), pct(v, n, 99), v[n - 1], sum / n);
	send_line(out, line);
}

static void report(int out)
{
	unsigned int s, o;
	uint32_t *all;
	size_t n;

	for (s = 0; s < NSCEN; s++) {
		struct lat *l = &lats[s];

		for (o = 0, n = 0; o < NOPS; o++)
			n += l->n[o];
		if (!n)
			continue;
		all = malloc(n * sizeof(*all));
		if (!all)
			die("malloc");
		for (o = 0, n = 0; o < NOPS; o++) {
			memcpy(all + n, l->ns[o], l->n[o] * sizeof(*all));
			n += l->n[o];
		}
		report_one(out, scens[s].name, "all", all, n);
		free(all);
		for (o = 0; o < NOPS; o++)
			report_one(out, scens[s].name, op_names[o], l->ns[o],
				   l->n[o]);
		for (o = 0; o < l->nslow; o++) {
			char line[128];

			snprintf(line, sizeof(line),
				 "slow %s %s %" PRIu64 " %" PRIu64 "\n",
				 scens[s].name, op_names[l->slow[o].op],
				 l->slow[o].start, l->slow[o].ns);
			send_line(out, line);
		}
	}
	send_line(out, "end\n");
}

/*
 * Commands, a line each, from the controller:
 *   prep N      a fresh pool of N pages (the old one unmapped): "ready"
 *   run S R N D iterations for D ns (N at most) for scenario S, recorded
 *               when R is 1: "done I T" (I iterations ran in T ns)
 *   report      the lat lines, then "end"
 *   exit
 */
static void __attribute__((noreturn)) target(FILE *in, int out)
{
	char line[128], *big, *prot, *pool = NULL;
	unsigned long pool_pages = 0, n;
	unsigned int s, o;
	uint64_t dur;
	int rec;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "bi-target");	/* for tracing it */
	pin(1);
	/* Room for every sample, touched now so that recording faults nothing. */
	for (s = 0; s < NSCEN; s++) {
		for (o = 0; o < NOPS; o++) {
			size_t sz = rounds * iters * op_per_iter[o] *
				    sizeof(uint32_t);

			lats[s].ns[o] = malloc(sz);
			if (!lats[s].ns[o])
				die("malloc");
			memset(lats[s].ns[o], 0, sz);
		}
	}
	big = map_anon(pages * PAGE, true);
	bench_touch(big, pages);
	prot = map_anon(PROT_PAGES * PAGE, true);
	bench_touch(prot, PROT_PAGES);
	send_line(out, "ready\n");

	while (!recv_line(in, line, sizeof(line))) {
		if (sscanf(line, "prep %lu", &n) == 1) {
			if (pool && munmap(pool, pool_pages * PAGE))
				die("munmap");
			pool = map_anon(n * PAGE, true);
			pool_pages = n;
			send_line(out, "ready\n");
		} else if (sscanf(line, "run %u %d %lu %" SCNu64, &s, &rec, &n,
				  &dur) == 4 && s < NSCEN && n <= pool_pages &&
			   (!rec || lats[s].n[OP_FAULT] + n <= rounds * iters)) {
			uint64_t t0 = bench_now_ns();

			n = run(rec ? &lats[s] : NULL, n, dur, pool, prot);
			snprintf(line, sizeof(line), "done %lu %" PRIu64 "\n", n,
				 bench_now_ns() - t0);
			send_line(out, line);
		} else if (!strcmp(line, "report")) {
			report(out);
		} else {
			break;
		}
	}
	_exit(0);
}

/* --- the controller and its readers --------------------------------------- */

static pid_t pid;
static int to_target;
static FILE *from_target;
static char *buf;
static const size_t bufsize = 8 << 20;
static struct bench_range ranges[MAX_RANGES];
static int nranges;
static int verify_fd = -1;
static char first_bad[4096];

/* A full verify through the open file; bytes or -errno; counts mismatches. */
static long long read_verify(unsigned long long *mism)
{
	unsigned long long c, m;
	long long n = bench_pread_text(verify_fd, buf, bufsize);

	if (n < 0)
		return n;
	if (bench_parse_verify(buf, &c, &m))
		return -EPROTO;
	/* The first verify that disagreed, printed at the end. */
	if (m && !first_bad[0])
		snprintf(first_bad, sizeof(first_bad), "%s", buf);
	*mism += m;
	return n;
}

/* One pass of the reader: 0 or -errno. */
static int read_once(enum reader r, unsigned long long *mism)
{
	char path[96];
	long long n = 0;

	switch (r) {
	case R_NONE:
		break;
	case R_PAGEMAP:
		n = bench_read_pagemap(pid, ranges, nranges, buf, 1 << 20);
		break;
	case R_SMAPS:
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
		n = bench_slurp(path, buf, 65536);
		break;
	case R_PTES:
		bench_pidpath(path, sizeof(path), pid, "ptes");
		n = bench_slurp(path, buf, 65536);
		break;
	case R_VERIFY:
		n = read_verify(mism);
		break;
	case R_TRACK:
		return bench_track(pid, true) ?: bench_track(pid, false);
	}
	return n < 0 ? (int)n : 0;
}

struct rstat {
	unsigned long long reads, errors, mism;
	uint64_t sum, max;
	uint64_t wall;			/* the target's runs */
	unsigned long long iters;	/* and their iterations */
	int last_err;
};

/* Has the target said "done I T"?  (It says nothing else during a run.) */
static bool target_done(bool block, struct rstat *st)
{
	struct pollfd p = { .fd = fileno(from_target), .events = POLLIN };
	unsigned long k;
	uint64_t t;
	char line[64];

	if (!block && poll(&p, 1, 0) <= 0)
		return false;
	if (recv_line(from_target, line, sizeof(line)) ||
	    sscanf(line, "done %lu %" SCNu64, &k, &t) != 2)
		die("the target did not finish its run");
	st->iters += k;
	st->wall += t;
	return true;
}

static struct rstat rstats[NSCEN];

/*
 * One scenario: a fresh pool, the reader started (one pass first, so
 * that it runs for the whole of the target's run), the target's run of
 * dur seconds (n iterations at most), the reader stopped after its
 * current pass.
 */
static void scenario(unsigned int s, bool rec, unsigned long n, double dur)
{
	const struct scen *sc = &scens[s];
	struct rstat *st = &rstats[s], junk = { 0 };
	char line[96], path[96];
	bool done = false;
	int ret;

	if (!rec)
		st = &junk;
	snprintf(line, sizeof(line), "prep %lu\n", n);
	send_line(to_target, line);
	if (recv_line(from_target, line, sizeof(line)) || strcmp(line, "ready"))
		die("the target did not prepare");
	nranges = bench_load_maps(PROG, pid, ranges, MAX_RANGES);
	ret = sc->tracked ? bench_track(pid, true) : 0;
	if (ret) {
		errno = -ret;
		die("write to " BENCH_DBG "/track");
	}
	if (sc->reader == R_VERIFY) {
		verify_fd = open(bench_pidpath(path, sizeof(path), pid,
					       "verify"), O_RDONLY);
		if (verify_fd < 0)
			die(path);
	}
	if (sc->reader != R_NONE)
		read_once(sc->reader, &st->mism);
	snprintf(line, sizeof(line), "run %u %d %lu %" PRIu64 "\n", s, rec, n,
		 (uint64_t)(dur * 1e9));
	send_line(to_target, line);
	if (sc->reader == R_NONE)
		done = target_done(true, st);
	while (!done) {
		uint64_t t0 = bench_now_ns(), t;

		ret = read_once(sc->reader, &st->mism);
		t = bench_now_ns() - t0;
		if (ret) {
			st->errors++;
			st->last_err = -ret;
		} else {
			st->reads++;
			st->sum += t;
			if (t > st->max)
				st->max = t;
		}
		done = target_done(false, st);
	}
	if (verify_fd >= 0) {
		close(verify_fd);
		verify_fd = -1;
	}
	if (sc->tracked)
		bench_track(pid, false);
}

int main(int argc, char **argv)
{
	int in[2], out[2], opt, r;
	unsigned int s, total = 0;
	char line[256];

	while ((opt = getopt(argc, argv, "p:r:s:w:P:o:l:")) != -1) {
		switch (opt) {
		case 'p':
			pages = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 'w':
			warm = atof(optarg);
			break;
		case 'P':
			period_us = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			only = optarg;
			break;
		case 'l':
			slow_ns = strtoull(optarg, NULL, 0) * 1000;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || !pages || rounds < 1 || secs <= 0 || warm < 0 ||
	    !period_us)
		goto usage;
	iters = (unsigned long)(secs * 1e6 / period_us);
	warm_iters = (unsigned long)(warm * 1e6 / period_us);
	if (!iters)
		goto usage;
	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	buf = malloc(bufsize);
	if (!buf)
		die("malloc");

	if (pipe(in) || pipe(out))
		die("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(in[1]);
		close(out[0]);
		target(pipe_stream(in[0]), out[1]);
	}
	close(in[0]);
	close(out[1]);
	to_target = in[1];
	from_target = pipe_stream(out[0]);
	pin(0);
	if (recv_line(from_target, line, sizeof(line)) || strcmp(line, "ready"))
		die("the target did not start");
	printf("itarget pid=%d pages=%lu period_us=%lu rounds=%d iters=%lu cpus=%d\n",
	       (int)pid, pages, period_us, rounds, iters, ncpus);
	if (ncpus < 2)
		printf("# bench-interfere: one CPU: the reader and the target share it\n");
	bench_flush_out();

	/* Warm-up: TCG translates every path of every scenario first. */
	for (s = 0; s < NSCEN && warm_iters; s++)
		if (bench_want(only, scens[s].name))
			scenario(s, false, warm_iters, warm);
	for (r = 0; r < rounds; r++) {
		for (s = 0; s < NSCEN; s++) {
			if (!bench_want(only, scens[s].name))
				continue;
			scenario(s, true, iters, secs);
			total++;
		}
		printf("# round %d of %d done\n", r + 1, rounds);
		bench_flush_out();
	}

	send_line(to_target, "report\n");
	while (!recv_line(from_target, line, sizeof(line)) &&
	       strcmp(line, "end"))
		printf("%s\n", line);
	for (s = 0; s < NSCEN; s++) {
		struct rstat *st = &rstats[s];

		if (!bench_want(only, scens[s].name))
			continue;
		printf("irun %s wall_ns=%" PRIu64 " iters=%llu\n", scens[s].name,
		       st->wall, st->iters);
		if (scens[s].reader == R_NONE)
			continue;
		printf("reader %s reads=%llu errors=%llu mean_ns=%" PRIu64
		       " max_ns=%" PRIu64 " mismatches=%llu\n", scens[s].name,
		       st->reads, st->errors,
		       (uint64_t)(st->reads ? st->sum / st->reads : 0), st->max,
		       st->mism);
		if (st->errors)
			printf("# reader %s: last error: %s\n", scens[s].name,
			       strerror(st->last_err));
		if (!st->reads)
			printf("skip interfere %s the reader never completed a read\n",
			       scens[s].name);
	}
	if (first_bad[0]) {
		char *p, *nl;

		printf("# the first verify with mismatches said:\n");
		for (p = first_bad; *p; p = nl + 1) {
			nl = strchrnul(p, '\n');
			printf("#   %.*s\n", (int)(nl - p), p);
			if (!*nl)
				break;
		}
	}
	bench_flush_out();
	send_line(to_target, "exit\n");
	waitpid(pid, NULL, 0);
	return total ? 0 : 1;

usage:
	fprintf(stderr,
		"usage: bench-interfere [-p PAGES] [-r ROUNDS] [-s SECS] [-w SECS] [-P USEC] [-o SCENARIOS] [-l USEC]\n");
	return 2;
}

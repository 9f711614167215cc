// SPDX-License-Identifier: GPL-2.0
/*
 * bench-measure: time vmview against /proc/PID/pagemap on one target
 * process, for `make bench` (scripts/bench.sh runs it in a QEMU guest).
 *
 *   bench-measure -n NAME [-r REPS] [-R REPS] [-b BYTES] [-B BYTES]
 *                 [-c CLI] [-f] [-d] [-o METHODS] -- bench-target ARGS...
 *
 *   -n  the target's name in the output
 *   -r  repetitions of track, the COW verify and the CLI (default 5)
 *   -R  repetitions of the reads paired with pagemap (default 11)
 *   -b  read size for PID/ptes and PID/ptes.bin (default 65536, the CLI's)
 *   -B  read size for /proc/PID/pagemap (default 1 MiB)
 *   -c  the CLI; -V, summary, ptes and ptes --json are timed end to
 *       end, ptes and ptes --json each right after a read of PID/ptes
 *       (ptes_raw; its pair printed with "ptes" at the end)
 *   -f  after the full verifies, write "changed" to PID/verify and time a
 *       verify after each of RR_REPS COW faults in the target (after one
 *       untimed round); then the same with the file opened and closed
 *       for each verify (verify_cow_open), and reads of PID/shadow right
 *       after a fault (read_floor)
 *   -d  diagnostics: ptes and ptes.bin at other read sizes, record counts
 *   -o  only these methods (comma-separated: track, pagemap, ptes.bin,
 *       ptes, verify, cli); default all
 *
 * The target is started with pipes on its stdin and stdout (protocol in
 * bench-target.c).  Every time is CLOCK_MONOTONIC around open, the reads
 * and close, except for verify: PID/verify is opened once and each
 * verify is a read from offset 0 (pread) to EOF, as a tool that verifies
 * again and again would do.  Opening a debugfs file right after a
 * context switch costs tens of microseconds under TCG (the path walk
 * refills QEMU's flushed TLB), which is not vmview's work; the
 * open-and-close variant is printed too.  Each read of ptes.bin, ptes
 * and verify comes right after a read of pagemap, and the pair is
 * printed: other guests on the host change the speed of this one from
 * second to second, and a pair shares the speed of its moment.
 *
 * Output, one record a line, fields separated by spaces:
 *   target NAME pid=PID pages=N vmas=V span_pages=S
 *   sample NAME METHOD REP NS BYTES
 *   pair NAME METHOD REP NS PAGEMAP_NS   (the pagemap read just before)
 *   pair NAME METHOD REP NS RAW_NS ptes  (the PID/ptes read just before)
 *   result NAME METHOD pages=N reps=R median_ns=M min_ns=A max_ns=B bytes=X
 *   value NAME KEY VALUE
 *   skip NAME METHOD REASON...
 * Lines starting with '#' are comments.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"

#define PROG		"bench-measure"
#define MAX_RANGES	4096
#define MAX_REPS	128

#define die(...)	bench_die(PROG, __VA_ARGS__)

extern char **environ;

static const char *name = "target";
static int reps = 5;
static int rr_reps = 11;
static size_t rdsize = 65536, pmsize = 1 << 20;
static char *buf;
static size_t bufsize;
static pid_t pid;
static unsigned long pages;
static FILE *to_target, *from_target;
static struct bench_range ranges[MAX_RANGES];	/* every VMA, from maps */
static int nranges;
static const char *only;
static int verify_fd = -1;	/* PID/verify, open once tracked */

/* Is this method wanted (-o)? */
static bool want(const char *method)
{
	return bench_want(only, method);
}

/* The target's file in vmview's directory. */
static const char *pidpath(char *p, size_t len, const char *file)
{
	return bench_pidpath(p, len, pid, file);
}

/* The target tracked (on) or untracked; 0 or -errno. */
static int track(bool on)
{
	return bench_track(pid, on);
}

/* The whole of a small file, NUL-terminated, in buf; bytes or -errno. */
static long long slurp_text(const char *path)
{
	int fd = open(path, O_RDONLY);
	long long n;

	if (fd < 0)
		return -errno;
	n = bench_pread_text(fd, buf, bufsize);
	close(fd);
	return n;
}

static long long key_value(const char *path, const char *key)
{
	size_t kl = strlen(key);
	char *p;

	if (slurp_text(path) < 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ':')
			return strtoll(p + kl + 1, NULL, 10);
	return -1;
}

/* --- samples --------------------------------------------------------- */

struct method {
	const char *name;
	uint64_t ns[MAX_REPS];
	long long bytes;
	int n;
};

static void sample(struct method *m, uint64_t ns, long long bytes)
{
	printf("sample %s %s %d %" PRIu64 " %lld\n", name, m->name, m->n + 1,
	       ns, bytes);
	bench_flush_out();
	if (m->n < MAX_REPS)
		m->ns[m->n++] = ns;
	m->bytes = bytes;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void result(struct method *m)
{
	uint64_t med;

	if (!m->n)
		return;
	qsort(m->ns, m->n, sizeof(m->ns[0]), cmp_u64);
	med = m->n % 2 ? m->ns[m->n / 2] :
			 (m->ns[m->n / 2 - 1] + m->ns[m->n / 2]) / 2;
	printf("result %s %s pages=%lu reps=%d median_ns=%" PRIu64
	       " min_ns=%" PRIu64 " max_ns=%" PRIu64 " bytes=%lld\n",
	       name, m->name, pages, m->n, med, m->ns[0], m->ns[m->n - 1],
	       m->bytes);
	bench_flush_out();
}

/*
 * Time one read of a file to EOF (pagemap when path is NULL); a failure
 * ends the method.  The time goes to *ns when ns is not NULL.
 */
/* A timed read of n bytes (or -errno): its sample, or a skip line. */
static int took(struct method *m, long long n, uint64_t t, uint64_t *ns)
{
	if (n < 0) {
		printf("skip %s %s read failed: %s\n", name, m->name,
		       strerror(-n));
		return -1;
	}
	sample(m, t, n);
	if (ns)
		*ns = t;
	return 0;
}

static int timed_read(struct method *m, const char *path, size_t sz,
		      uint64_t *ns)
{
	uint64_t t0 = bench_now_ns();
	long long n = path ? bench_slurp(path, buf, sz) :
			     bench_read_pagemap(pid, ranges, nranges, buf, sz);

	return took(m, n, bench_now_ns() - t0, ns);
}

/* --- the target ------------------------------------------------------- */

static void start_target(char **argv)
{
	int in[2], out[2];
	char line[256];
	unsigned long long s, e;

	if (pipe(in) || pipe(out))
		die("%s", "pipe");
	pid = fork();
	if (pid < 0)
		die("%s", "fork");
	if (!pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execvp(argv[0], argv);
		die("exec %s", argv[0]);
	}
	close(in[0]);
	close(out[1]);
	to_target = fdopen(in[1], "w");
	from_target = fdopen(out[0], "r");
	while (fgets(line, sizeof(line), from_target)) {
		if (sscanf(line, "range %llx %llx", &s, &e) == 2)
			continue;
		if (sscanf(line, "ready %lu", &pages) == 1)
			return;
	}
	errno = EPROTO;
	die("%s: no ready line", argv[0]);
}

static void stop_target(void)
{
	fputs("exit\n", to_target);
	fclose(to_target);
	fclose(from_target);
	waitpid(pid, NULL, 0);
}

static int cow_fault(void)
{
	char line[64];

	fputs("cow\n", to_target);
	fflush(to_target);
	return fgets(line, sizeof(line), from_target) &&
	       !strncmp(line, "done ", 5) ? 0 : -1;
}

/* --- vmview ------------------------------------------------------------ */

/* One verify: PID/verify from offset 0 to EOF; bytes or -errno. */
static long long read_verify(bool reopen)
{
	char path[96];

	if (reopen)
		return slurp_text(pidpath(path, sizeof(path), "verify"));
	return bench_pread_text(verify_fd, buf, bufsize);
}

/* An untimed verify: bytes or -errno. */
static long long verify(unsigned long long *checked,
			unsigned long long *mismatches)
{
	long long n = read_verify(false);

	return n < 0 ? n : bench_parse_verify(buf, checked, mismatches) ?: n;
}

static unsigned long long checked, mism;

/* Time one verify (reopen: open and close the file around it). */
static int timed_verify(struct method *m, bool reopen, uint64_t *ns)
{
	uint64_t t0 = bench_now_ns(), t1;
	long long n = read_verify(reopen);

	t1 = bench_now_ns();
	if (n >= 0)
		n = bench_parse_verify(buf, &checked, &mism) ?: n;
	return took(m, n, t1 - t0, ns);
}

/*
 * A pagemap read, then the method right after it: the pair shares the
 * host's load of the moment, so their ratio ("pair" line) is steadier
 * than the ratio of two medians on a busy host.
 */
static int paired(struct method *pm, struct method *m, const char *file,
		  size_t sz)
{
	char path[96];
	uint64_t a, b;
	int ret;

	if (timed_read(pm, NULL, pmsize, &a))
		return -1;
	if (file && strcmp(file, "verify"))
		ret = timed_read(m, pidpath(path, sizeof(path), file), sz, &b);
	else
		ret = timed_verify(m, false, &b);
	if (!ret)
		printf("pair %s %s %d %" PRIu64 " %" PRIu64 "\n", name,
		       m->name, m->n, b, a);
	return ret;
}

/*
 * Run the CLI (with opt, then cmd and the target's PID; cmd NULL: opt
 * alone) with its output to /dev/null; 0 when it exits 0.
 */
static int run_cli(const char *cli, const char *cmd, const char *opt)
{
	posix_spawn_file_actions_t fa;
	char pidstr[16];
	char *argv[6];
	pid_t child;
	int st, i = 0;

	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	argv[i++] = (char *)cli;
	if (opt)
		argv[i++] = (char *)opt;
	if (cmd) {
		argv[i++] = (char *)cmd;
		argv[i++] = pidstr;
	}
	argv[i] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&child, cli, &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(child, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/*
 * Time the CLI end to end (spawn to exit), reps times.  cold: the PID
 * untracked before each run (the CLI tracks and untracks).  raw: each
 * run right after a read of PID/ptes (64 KiB reads, method raw), and
 * the pair printed ("pair NAME METHOD REP NS RAW_NS ptes"): what the
 * CLI's ptes costs beside the file it prints, at the same moment.
 */
static void time_cli(const char *cli, const char *method, const char *cmd,
		     const char *opt, bool cold, struct method *raw)
{
	struct method m = { .name = method };
	char path[96];
	int r;

	if (!want("cli"))
		return;
	if (!cli || access(cli, X_OK)) {
		printf("skip %s %s no CLI\n", name, method);
		return;
	}
	/*
	 * At least 15 runs: what an entry costs the CLI is a difference of
	 * two program runs whose start alone varies by half (TCG: exec,
	 * the loader, the first touch of every page), and a run is short.
	 */
	for (r = 0; r < (reps < 15 ? 15 : reps); r++) {
		uint64_t t0, t1, a = 0, v = 0;

		if (cold)
			track(false);	/* the CLI tracks and untracks */
		if (raw && timed_read(raw, pidpath(path, sizeof(path), "ptes"),
				      rdsize, &a))
			break;
		/*
		 * Beside the raw read, the program's start alone (-V): what
		 * the entries cost the CLI is the run less its start.
		 */
		if (raw) {
			t0 = bench_now_ns();
			if (run_cli(cli, NULL, "-V"))
				break;
			v = bench_now_ns() - t0;
		}
		t0 = bench_now_ns();
		if (run_cli(cli, cmd, opt)) {
			printf("skip %s %s the CLI failed (exit status not 0)\n",
			       name, method);
			break;
		}
		t1 = bench_now_ns();
		sample(&m, t1 - t0, 0);
		if (raw) {
			printf("pair %s %s %d %" PRIu64 " %" PRIu64 " ptes\n",
			       name, method, m.n, t1 - t0, a);
			printf("pair %s %s-start %d %" PRIu64 " %" PRIu64 " ptes\n",
			       name, method, m.n,
			       t1 - t0 > v ? t1 - t0 - v : 0, a);
		}
	}
	result(&m);
	if (cold && track(true))
		die("%s", "track again");
}

int main(int argc, char **argv)
{
	const char *cli = NULL;
	bool cow = false, diag = false;
	struct method pm = { .name = "pagemap" };
	struct method bin = { .name = "ptes.bin" };
	struct method txt = { .name = "ptes" };
	struct method ver = { .name = "verify" };
	struct method trk = { .name = "track" };
	struct method pmt = { .name = "pagemap_t" };
	unsigned long long span = 0;
	char path[96];
	int opt, r, i;

	while ((opt = getopt(argc, argv, "n:r:R:b:B:c:fdo:")) != -1) {
		switch (opt) {
		case 'n': name = optarg; break;
		case 'r': reps = atoi(optarg); break;
		case 'R': rr_reps = atoi(optarg); break;
		case 'b': rdsize = strtoul(optarg, NULL, 0); break;
		case 'B': pmsize = strtoul(optarg, NULL, 0); break;
		case 'c': cli = optarg; break;
		case 'f': cow = true; break;
		case 'd': diag = true; break;
		case 'o': only = optarg; break;
		default: goto usage;
		}
	}
	if (optind >= argc || reps < 1 || reps > MAX_REPS || rr_reps < 1 ||
	    3 * rr_reps > MAX_REPS || !rdsize ||
	    !pmsize)
		goto usage;
	bufsize = 8 << 20;
	if (bufsize < rdsize || bufsize < pmsize)
		goto usage;
	buf = malloc(bufsize);
	if (!buf)
		die("%s", "malloc");

	start_target(argv + optind);
	nranges = bench_load_maps(PROG, pid, ranges, MAX_RANGES);
	for (i = 0; i < nranges; i++)
		span += (ranges[i].end - ranges[i].start) / 4096;
	printf("target %s pid=%d pages=%lu vmas=%d span_pages=%llu\n", name,
	       (int)pid, pages, nranges, span);
	bench_flush_out();

	/*
	 * 3a. track: the shadow's first fill, from untracked each time,
	 * each right after a pagemap read (its own method, pagemap_t: the
	 * pagemap method's samples stay those of the pairs below), so that
	 * track too is judged on ratios of pairs.
	 */
	if (!want("track") && track(true))
		die("%s", "write to " BENCH_DBG "/track");
	for (r = 0; r < reps && want("track"); r++) {
		uint64_t t0, dt, a = 0;

		if (timed_read(&pmt, NULL, pmsize, &a))
			break;
		t0 = bench_now_ns();
		if (track(true))
			die("%s", "write to " BENCH_DBG "/track");
		dt = bench_now_ns() - t0;
		sample(&trk, dt, 0);
		printf("pair %s %s %d %" PRIu64 " %" PRIu64 "\n", name,
		       trk.name, trk.n, dt, a);
		if (r < reps - 1 && track(false))
			die("%s", "write to " BENCH_DBG "/untrack");
	}
	result(&trk);
	verify_fd = open(pidpath(path, sizeof(path), "verify"), O_RDONLY);
	if (verify_fd < 0)
		die("%s", path);

	/* 1, 2, 3b: each right after a pagemap read, RR_REPS times. */
	for (r = 0; r < rr_reps; r++) {
		if (want("ptes.bin") &&
		    paired(&pm, &bin, "ptes.bin", rdsize))
			break;
		if (want("ptes") && paired(&pm, &txt, "ptes", rdsize))
			break;
		if (want("verify") && paired(&pm, &ver, "verify", 0))
			break;
		/* Nothing to pair with: pagemap alone. */
		if (!want("ptes.bin") && !want("ptes") && !want("verify") &&
		    want("pagemap") && timed_read(&pm, NULL, pmsize, NULL))
			break;
	}
	result(&pm);
	result(&bin);
	result(&txt);
	result(&ver);
	printf("value %s verify_checked %llu\n", name, checked);
	printf("value %s verify_mismatches %llu\n", name, mism);
	printf("value %s records %lld\n", name, bin.bytes / 32);

	/* 4. memory */
	printf("value %s shadow_bytes %lld\n", name,
	       key_value(pidpath(path, sizeof(path), "shadow"), "bytes"));
	printf("value %s pgtables_bytes %lld\n", name,
	       key_value(pidpath(path, sizeof(path), "mm"), "pgtables_bytes"));
	printf("value %s thp_pmd %lld\n", name,
	       key_value(pidpath(path, sizeof(path), "mm"), "thp_pmd"));
	printf("value %s table_pte %lld\n", name,
	       key_value(pidpath(path, sizeof(path), "mm"), "table_pte"));
	bench_flush_out();

	/* 3c. verify in "changed" mode right after one COW fault. */
	if (cow) {
		struct method vc = { .name = "verify_cow" };
		struct method vo = { .name = "verify_cow_open" };
		struct method fl = { .name = "read_floor" };
		struct method vf = { .name = "verify_full_beside" };
		unsigned long long c1 = 0, m1 = 0, c2 = 0, m2 = 0;
		int fd = open(pidpath(path, sizeof(path), "shadow"), O_RDONLY);

		if (fd < 0)
			die("%s", path);
		if (bench_put(pidpath(path, sizeof(path), "verify"),
			      "changed\n"))
			die("%s", "write changed to verify");
		/* One round untimed: TCG translates the code paths first. */
		if (cow_fault() || verify(&c1, &m1) < 0)
			printf("skip %s verify_cow warm-up failed\n", name);
		for (r = 0; r < 3 * rr_reps; r++) {
			struct method *m = r < rr_reps ? &vc :
					   r < 2 * rr_reps ? &vo : &fl;
			uint64_t full = 0, ns = 0;

			/*
			 * verify_cow: a full verify first, timed, then the
			 * fault and the changed-mode verify: the pair's ratio
			 * is judged (the host's speed of one moment).
			 */
			if (m == &vc) {
				if (bench_put(pidpath(path, sizeof(path), "verify"), "full\n") ||
				    timed_verify(&vf, false, &full) ||
				    bench_put(pidpath(path, sizeof(path), "verify"), "changed\n"))
					die("%s", "a full verify beside the COW one");
			}
			if (cow_fault()) {
				printf("skip %s %s the target did not fault\n",
				       name, m->name);
				break;
			}
			if (m == &fl) {
				/*
				 * The floor under it: a small single_open
				 * file of the same directory (PID/shadow),
				 * read as verify is, right after a fault.
				 */
				uint64_t t0 = bench_now_ns();
				long long n = bench_pread_text(fd, buf,
							     bufsize);

				if (took(m, n, bench_now_ns() - t0, NULL))
					break;
				continue;
			}
			if (timed_verify(m, m == &vo, &ns))
				break;
			if (m == &vc) {
				printf("pair %s %s %d %" PRIu64 " %" PRIu64 " verify\n",
				       name, vc.name, vc.n, ns, full);
				c1 = checked;
				m1 = mism;
			} else {
				c2 = checked;
				m2 = mism;
			}
		}
		close(fd);
		result(&vc);
		result(&vo);
		result(&fl);
		result(&vf);
		printf("value %s verify_cow_checked %llu\n", name, c1);
		printf("value %s verify_cow_mismatches %llu\n", name, m1);
		printf("value %s verify_cow_open_checked %llu\n", name, c2);
		printf("value %s verify_cow_open_mismatches %llu\n", name, m2);
		bench_put(pidpath(path, sizeof(path), "verify"), "full\n");
	}

	/* Diagnostics: read sizes, and the text's lines. */
	if (diag) {
		static const size_t sizes[] = { 4096, 16384, 65536, 262144,
						1 << 20 };
		static const char * const files[] = { "ptes.bin", "ptes" };
		struct method pm2 = { .name = "pagemap(diag)" };
		long long lines = 0, n;
		unsigned int f, s;
		int fd;

		for (f = 0; f < 2; f++) {
			for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				char mname[64];
				struct method m = { .name = mname };

				snprintf(mname, sizeof(mname), "%s@%zu",
					 files[f], sizes[s]);
				for (r = 0; r < rr_reps; r++)
					if (paired(&pm2, &m, files[f], sizes[s]))
						break;
				result(&m);
			}
		}
		fd = open(pidpath(path, sizeof(path), "ptes"), O_RDONLY);
		while (fd >= 0 && (n = read(fd, buf, rdsize)) > 0)
			for (i = 0; i < n; i++)
				lines += buf[i] == '\n';
		if (fd >= 0)
			close(fd);
		printf("value %s ptes_lines %lld\n", name, lines);
	}

	/*
	 * 5. the CLI, with the PID tracked (warm) and not (cold); first
	 * the floor, a run that starts, prints its version and exits.
	 * Its ptes, text and JSON, each paired with a read of the file.
	 */
	if (want("cli")) {
		struct method raw = { .name = "ptes_raw" };

		time_cli(cli, "cli_version", NULL, "-V", false, NULL);
		time_cli(cli, "cli_summary", "summary", NULL, false, NULL);
		time_cli(cli, "cli_ptes", "ptes", NULL, false, &raw);
		time_cli(cli, "cli_ptes_json", "ptes", "--json", false, &raw);
		result(&raw);
		time_cli(cli, "cli_summary_cold", "summary", NULL, true, NULL);
	}


	track(false);
	stop_target();
	return 0;

usage:
	fprintf(stderr,
		"usage: bench-measure -n NAME [-r REPS] [-R REPS] [-b BYTES] [-B BYTES] [-c CLI] [-f] [-d] [-o METHODS] -- TARGET ARGS...\n");
	return 2;
}

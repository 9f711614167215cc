// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_faultinj: allocation failures (issue 6, "Fault injection").
 *
 * With the module loaded with test_hooks=1, "echo N > fail_nth" makes the
 * Nth allocation vmview makes from then on fail, once
 * (Documentation/vmview.rst, "Test hooks").  For N = 1, 2, 3, ... each
 * test arms fail_nth and runs one operation:
 *  - track: the target, its mirror, then the shadow's nodes during the
 *    first fill;
 *  - a read of verify after the target changed: the shadow nodes its
 *    refill needs (verify itself allocates nothing);
 *  - a read of translate: its walk buffer.
 * The operation must succeed or fail with ENOMEM, nothing else.  After a
 * failure nothing is left: /proc/vmview's alloc_* counters and "tracked"
 * are back at their baseline and a failed track leaves no PID/ directory;
 * and the same operation without injection then works, with verify
 * reporting mismatches=0.  N goes up until an operation completes with
 * fewer than N allocations.  The coverage (which N failed what) is
 * printed as "#" lines.
 *
 * "echo 0 > fail_nth" disarms a countdown that an operation did not use
 * up (FAIL_OFF).
 *
 * Without test_hooks neither fail_nth nor PID/inject exists.
 *
 * The module is reloaded as each test needs, and its loaded state (and
 * test_hooks value) before the test is restored at the end.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "vmview_harness.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define FAIL_NTH	VMVIEW_DEBUGFS_DIR "/fail_nth"
/* Disarms fail_nth (Documentation/vmview.rst, "Test hooks"). */
#define FAIL_OFF	0
/* More allocations than any operation here makes: a runaway guard. */
#define MAX_N		400
#define CHANGE_PAGES	16
#define MAPS_MAX	256

/* What /proc/vmview counts. */
struct counts {
	long long targets, readers, mirrors, tracked;
};

static int read_counts(struct counts *c)
{
	char *st = vmv_read_file(VMVIEW_PROC_STATUS, NULL);

	if (!st)
		return -errno;
	c->targets = vmv_kv_num(st, "alloc_targets");
	c->readers = vmv_kv_num(st, "alloc_readers");
	c->mirrors = vmv_kv_num(st, "alloc_mirrors");
	c->tracked = vmv_kv_num(st, "tracked");
	free(st);
	return 0;
}

static bool same_counts(const struct counts *a, const struct counts *b)
{
	return a->targets == b->targets && a->readers == b->readers &&
	       a->mirrors == b->mirrors && a->tracked == b->tracked;
}

static bool exists(const char *path)
{
	return !access(path, F_OK);
}

/* Read a file whole: 0 and the text in *out (malloc'ed), or -errno. */
static int read_text(const char *path, char **out)
{
	*out = vmv_read_file(path, NULL);
	return *out ? 0 : -errno;
}

/* The "mismatches=" of a verify read, or -1. */
static long long nr_mismatches(const char *v)
{
	const char *p = v ? strstr(v, " mismatches=") : NULL;

	return p ? strtoll(p + 12, NULL, 10) : -1;
}

/* "test_hooks" of the loaded module: 1, 0, or -1 when not loaded. */
static int loaded_hooks(void)
{
	char *s = vmv_read_file("/sys/module/vmview/parameters/test_hooks",
				NULL);
	int v;

	if (!s)
		return -1;
	v = s[0] == 'Y' || s[0] == '1';
	free(s);
	return v;
}

/* (Re)load the module with test_hooks=hooks: 0 or -errno. */
static int reload(bool hooks)
{
	int ret;

	if (vmv_module_loaded()) {
		ret = vmv_unload();
		if (ret)
			return ret;
	}
	return vmv_load_params(hooks ? "test_hooks=1" : "");
}

/*
 * Two places for the changes, each in a top-level (pgd) entry of its own
 * that no VMA of the caller touches, below TASK_SIZE, so that each change
 * needs a new shadow node at every level below the top: the first two
 * such entries from the second one up.  With PAE only one of the three
 * user entries is free (the program lies below 1 GiB, mmap and the stack
 * below 3 GiB): then the first two entries of the next level in it (the
 * shadow frees a node with its last leaf, so each change needs the same
 * new nodes).  Returns 0, or -1 when no entry is free.
 */
static int change_places(unsigned long long place[2])
{
	unsigned long long start[MAPS_MAX], end[MAPS_MAX], lo, hi, e;
	unsigned long long ts = vmv_task_size();
	struct vmv_paging p = vmv_paging();
	unsigned int shift = p.shift[VMVIEW_LEVEL_PGD];
	char *maps = vmv_read_file("/proc/self/maps", NULL), *l;
	int n = 0, i, found = 0, level;

	for (l = maps; l && *l && n < MAPS_MAX; l = strchr(l, '\n'),
	     l = l ? l + 1 : NULL)
		if (sscanf(l, "%llx-%llx", &start[n], &end[n]) == 2)
			n++;
	free(maps);
	if (!n || n == MAPS_MAX)
		return -1;
	for (e = 1; found < 2 && (e + 1) << shift <= ts; e++) {
		lo = e << shift;
		hi = lo + (1ULL << shift);
		for (i = 0; i < n; i++)
			if (start[i] < hi && end[i] > lo)
				break;
		if (i == n)
			place[found++] = lo;
	}
	if (found == 1) {
		for (level = VMVIEW_LEVEL_PGD - 1; !p.bits[level]; level--)
			;
		place[1] = place[0] + (1ULL << p.shift[level]);
		found = 2;
	}
	return found == 2 ? 0 : -1;
}

/*
 * The target: a child with an anonymous region, a THP and, on command
 * 'c', a change (the last changed region unmapped, a new one mapped at
 * the other place of change_places() and written).  It answers every
 * command with one byte, and 'c' with the new region's address after it.
 */
static void target_main(int cmd, int ack)
{
	unsigned long i, huge = 1UL << vmv_huge_shift();
	unsigned long long place[2];
	char *anon, *thp, *cur = NULL, c;
	int next = 0;

	prctl(PR_SET_NAME, "vmv_faultinj");
	anon = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	thp = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED || thp == MAP_FAILED)
		_exit(1);
	madvise(anon, 64 * PG, MADV_NOHUGEPAGE);
	for (i = 0; i < 64; i++)
		anon[i * PG] = 1;
	thp = (char *)(((unsigned long)thp + huge - 1) & ~(huge - 1));
	madvise(thp, huge, MADV_HUGEPAGE);
	for (i = 0; i < huge / PG; i++)
		thp[i * PG] = 1;
	if (change_places(place))
		_exit(4);

	while (read(cmd, &c, 1) == 1) {
		if (c == 'c') {
			if (cur)
				munmap(cur, CHANGE_PAGES * PG);
			cur = mmap((void *)(unsigned long)place[next],
				   CHANGE_PAGES * PG, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS |
				   MAP_FIXED_NOREPLACE, -1, 0);
			if (cur != (void *)(unsigned long)place[next])
				_exit(2);
			madvise(cur, CHANGE_PAGES * PG, MADV_NOHUGEPAGE);
			for (i = 0; i < CHANGE_PAGES; i++)
				cur[i * PG] = 1;
			next = !next;
		}
		if (write(ack, &c, 1) != 1)
			_exit(3);
		if (c == 'c' && write(ack, &cur, sizeof(cur)) != sizeof(cur))
			_exit(3);
	}
	_exit(0);
}

static int target_start(struct vmv_child *t)
{
	int ret = vmv_child_fork(t, NULL);

	if (!ret)
		target_main(t->cmd, t->ack);
	return ret < 0 ? ret : 0;
}

/* Send a command and wait for its answer: 0 or -1. */
static int target_do(struct vmv_child *t, char c)
{
	char a;

	if (write(t->cmd, &c, 1) != 1 || read(t->ack, &a, 1) != 1 || a != c)
		return -1;
	return 0;
}

/* Make the target change ('c'): the new region's address, or 0. */
static unsigned long target_change(struct vmv_child *t)
{
	void *addr;

	if (target_do(t, 'c') ||
	    read(t->ack, &addr, sizeof(addr)) != sizeof(addr))
		return 0;
	return (unsigned long)addr;
}

FIXTURE(faultinj) {
	int was_hooks;		/* test_hooks before the test, -1: unloaded */
	struct vmv_child t;
	struct counts base;	/* nothing tracked */
};

FIXTURE_SETUP(faultinj)
{
	self->was_hooks = loaded_hooks();
	ASSERT_EQ(0, reload(true));
	ASSERT_TRUE(exists(FAIL_NTH)) TH_LOG("no fail_nth with test_hooks=1");
	ASSERT_EQ(0, read_counts(&self->base));
	ASSERT_EQ(0, self->base.tracked);
	ASSERT_EQ(0, target_start(&self->t));
	/* Wait until the target has set itself up. */
	ASSERT_EQ(0, target_do(&self->t, 'p'));
}

FIXTURE_TEARDOWN(faultinj)
{
	if (vmv_module_loaded() && exists(FAIL_NTH))
		vmv_write_num(FAIL_NTH, FAIL_OFF);
	if (self->t.pid > 0 && vmv_module_loaded())
		vmv_untrack(self->t.pid);
	vmv_child_stop(&self->t);
	if (self->was_hooks < 0) {
		if (vmv_module_loaded())
			vmv_unload();
	} else if (loaded_hooks() != self->was_hooks) {
		reload(self->was_hooks);
	}
}

/* Success or ENOMEM, nothing else. */
static void expect_ok_or_enomem(struct __test_metadata *_metadata, int ret,
				const char *what, int n)
{
	EXPECT_TRUE(ret == 0 || ret == -ENOMEM)
		TH_LOG("%s with fail_nth=%d: %s", what, n,
		       ret ? strerror(-ret) : "ok");
}

/* The counters equal want. */
static void expect_counts(struct __test_metadata *_metadata,
			  const struct counts *want, const char *when, int n)
{
	struct counts c;

	ASSERT_EQ(0, read_counts(&c));
	EXPECT_TRUE(same_counts(want, &c))
		TH_LOG("%s (fail_nth=%d): targets %lld readers %lld mirrors %lld tracked %lld",
		       when, n, c.targets, c.readers, c.mirrors, c.tracked);
}

static void print_coverage(const char *what, int failed, int n,
			   const char *alloc)
{
	ksft_print_msg("faultinj: %s: N=1..%d failed with ENOMEM, N=%d succeeded\n",
		       what, failed, n);
	ksft_print_msg("faultinj: %s: %d allocations: %s\n", what, n - 1,
		       alloc);
	fflush(stdout);
}

/* A verify of pid without injection: mismatches=0. */
static void expect_verify_clean(struct __test_metadata *_metadata, pid_t pid,
				int n)
{
	char path[96], *v;
	int ret;

	ret = read_text(vmv_pid_path(path, sizeof(path), pid, "verify"), &v);
	EXPECT_EQ(0, ret) TH_LOG("verify after fail_nth=%d: %s", n,
				 strerror(-ret));
	if (!ret) {
		EXPECT_EQ(0, nr_mismatches(v))
			TH_LOG("after fail_nth=%d: %.1500s", n, v);
		free(v);
	}
}

/*
 * track: N=1 fails the target, N=2 the mirror, N=3.. the shadow's nodes
 * in the first fill.  A failed track leaves nothing; tracking again
 * without injection works.
 */
TEST_F_TIMEOUT(faultinj, track, 600)
{
	pid_t pid = self->t.pid;
	char dir[96];
	int n, ret, failed = 0;

	vmv_pid_path(dir, sizeof(dir), pid, NULL);
	for (n = 1; n <= MAX_N; n++) {
		ASSERT_EQ(0, vmv_write_num(FAIL_NTH, n));
		ret = vmv_track(pid);
		ASSERT_EQ(0, vmv_write_num(FAIL_NTH, FAIL_OFF));
		expect_ok_or_enomem(_metadata, ret, "track", n);
		if (ret) {
			failed = n;
			EXPECT_FALSE(exists(dir))
				TH_LOG("fail_nth=%d left %s", n, dir);
			expect_counts(_metadata, &self->base,
				      "after a failed track", n);
			/* Without injection it works. */
			ASSERT_EQ(0, vmv_track(pid))
				TH_LOG("retry after fail_nth=%d", n);
		}
		expect_verify_clean(_metadata, pid, n);
		ASSERT_EQ(0, vmv_untrack(pid));
		expect_counts(_metadata, &self->base, "after untrack", n);
		if (!ret)
			break;
	}
	ASSERT_LE(n, MAX_N) TH_LOG("track kept failing");
	/* At least the target, the mirror and one shadow node. */
	EXPECT_GE(failed, 3);
	print_coverage("track", failed, n,
		       "target, mirror, then shadow nodes of the first fill");
}

/*
 * A read of verify after the target changed: N=1, 2, ... fail the nodes
 * its refill needs for the new pages (in a top-level entry of their
 * own, see change_places()): one at each level below the top that the
 * guest's paging does not fold, so N=1..that many fail and the next N
 * succeeds.  pagemap must show the new pages, and each change's place
 * is the other one.  After a failure the next verify without injection
 * reports mismatches=0.
 */
TEST_F_TIMEOUT(faultinj, verify_refill, 600)
{
	struct vmv_paging pg = vmv_paging();
	unsigned long addr, prev = 0;
	pid_t pid = self->t.pid;
	int n, ret, failed = 0, below = 0, level;
	struct counts tracked;
	char path[96], *v;

	for (level = VMVIEW_LEVEL_PTE; level < VMVIEW_LEVEL_PGD; level++)
		below += !!pg.bits[level];
	ASSERT_EQ(0, vmv_track(pid));
	vmv_pid_path(path, sizeof(path), pid, "verify");
	ASSERT_EQ(0, read_text(path, &v));
	EXPECT_EQ(0, nr_mismatches(v)) TH_LOG("%.1500s", v);
	free(v);
	ASSERT_EQ(0, read_counts(&tracked));
	for (n = 1; n <= MAX_N; n++) {
		addr = target_change(&self->t);
		ASSERT_NE(0UL, addr) TH_LOG("change %d", n);
		ASSERT_NE(prev, addr);
		prev = addr;
		EXPECT_EQ(PM_PRESENT, vmv_pagemap_entry(pid, addr) & PM_PRESENT);
		EXPECT_EQ(PM_PRESENT, vmv_pagemap_entry(pid, addr +
					(CHANGE_PAGES - 1) * PG) & PM_PRESENT);
		ASSERT_EQ(0, vmv_write_num(FAIL_NTH, n));
		ret = read_text(path, &v);
		ASSERT_EQ(0, vmv_write_num(FAIL_NTH, FAIL_OFF));
		expect_ok_or_enomem(_metadata, ret, "verify", n);
		if (!ret) {
			EXPECT_EQ(0, nr_mismatches(v)) TH_LOG("%.1500s", v);
			free(v);
		} else {
			failed = n;
		}
		expect_counts(_metadata, &tracked, "after verify", n);
		expect_verify_clean(_metadata, pid, n);
		if (!ret)
			break;
	}
	ASSERT_LE(n, MAX_N) TH_LOG("verify kept failing");
	/* A node at each level below the top (e.g. pud, pmd, pte). */
	EXPECT_EQ(below, failed);
	ASSERT_EQ(0, vmv_untrack(pid));
	expect_counts(_metadata, &self->base, "after untrack", n);
	print_coverage("verify after a change", failed, n,
		       "shadow nodes of the refill");
}

/* A read of translate: N=1 fails its walk buffer; N=2 succeeds. */
TEST_F(faultinj, translate)
{
	pid_t pid = self->t.pid;
	struct counts tracked;
	char path[96], s[32], buf[4096];
	int n, fd, ret, failed = 0;
	ssize_t r;

	ASSERT_EQ(0, vmv_track(pid));
	ASSERT_EQ(0, read_counts(&tracked));
	vmv_pid_path(path, sizeof(path), pid, "translate");
	snprintf(s, sizeof(s), "0x%lx\n", (unsigned long)&n);
	for (n = 1; n <= MAX_N; n++) {
		fd = open(path, O_RDWR);
		ASSERT_GE(fd, 0);
		ASSERT_EQ((ssize_t)strlen(s), write(fd, s, strlen(s)));
		ASSERT_EQ(0, vmv_write_num(FAIL_NTH, n));
		r = read(fd, buf, sizeof(buf) - 1);
		ret = r < 0 ? -errno : 0;
		ASSERT_EQ(0, vmv_write_num(FAIL_NTH, FAIL_OFF));
		close(fd);
		expect_ok_or_enomem(_metadata, ret, "translate", n);
		if (!ret) {
			buf[r] = '\0';
			EXPECT_EQ(0, strncmp(buf, "vaddr: 0x", 9))
				TH_LOG("%s", buf);
		} else {
			failed = n;
		}
		expect_counts(_metadata, &tracked, "after translate", n);
		if (!ret)
			break;
	}
	ASSERT_LE(n, MAX_N);
	EXPECT_EQ(1, failed);
	ASSERT_EQ(0, vmv_untrack(pid));
	print_coverage("translate", failed, n, "its walk buffer");
}

/*
 * An open of ptes or ptes.bin: N=1 fails its state and, while no spare
 * buffer is left by an earlier reader, N=2 its 128 KiB buffer; then the
 * open succeeds and the file reads.  ptes goes first (no spare yet),
 * ptes.bin after it (ptes left its buffer).
 */
TEST_F(faultinj, dump_open)
{
	static const struct {
		const char *file;
		int failures;
	} files[] = { { "ptes", 2 }, { "ptes.bin", 1 } };
	pid_t pid = self->t.pid;
	struct counts tracked;
	char path[96], buf[4096];
	int i, n, fd, failed;

	ASSERT_EQ(0, vmv_track(pid));
	ASSERT_EQ(0, read_counts(&tracked));
	for (i = 0; i < 2; i++) {
		vmv_pid_path(path, sizeof(path), pid, files[i].file);
		failed = 0;
		for (n = 1; n <= MAX_N; n++) {
			ASSERT_EQ(0, vmv_write_num(FAIL_NTH, n));
			fd = open(path, O_RDONLY);
			if (fd < 0)
				EXPECT_EQ(ENOMEM, errno)
					TH_LOG("open %s, fail_nth=%d: %s",
					       files[i].file, n,
					       strerror(errno));
			ASSERT_EQ(0, vmv_write_num(FAIL_NTH, FAIL_OFF));
			if (fd < 0) {
				expect_counts(_metadata, &tracked,
					      "after a failed open", n);
				failed = n;
				continue;
			}
			EXPECT_LT(0, read(fd, buf, sizeof(buf)));
			close(fd);
			break;
		}
		ASSERT_LE(n, MAX_N);
		EXPECT_EQ(files[i].failures, failed) TH_LOG("%s", files[i].file);
		expect_counts(_metadata, &tracked, "after the last close", n);
		print_coverage(files[i].file, failed, n,
			       i ? "its state (a spare buffer was left)" :
			       "its state, then its buffer");
	}
	ASSERT_EQ(0, vmv_untrack(pid));
}

/* Without test_hooks there is no fail_nth and no PID/inject. */
TEST_F(faultinj, no_hooks_no_files)
{
	char path[96];

	ASSERT_EQ(0, reload(false));
	EXPECT_FALSE(exists(FAIL_NTH));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, vmv_track(self->t.pid));
	vmv_pid_path(path, sizeof(path), self->t.pid, "verify");
	EXPECT_TRUE(exists(path));
	vmv_pid_path(path, sizeof(path), self->t.pid, "inject");
	EXPECT_FALSE(exists(path));
	ASSERT_EQ(0, vmv_untrack(self->t.pid));
	/* And with it, both. */
	ASSERT_EQ(0, reload(true));
	EXPECT_TRUE(exists(FAIL_NTH));
	ASSERT_EQ(0, vmv_track(self->t.pid));
	vmv_pid_path(path, sizeof(path), self->t.pid, "inject");
	EXPECT_TRUE(exists(path));
	ASSERT_EQ(0, vmv_untrack(self->t.pid));
}

TEST_HARNESS_MAIN

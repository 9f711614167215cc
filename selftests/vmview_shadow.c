// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_shadow: the shadow page table (issue 4, "Guest kselftests" and
 * "The inject test"; Documentation/vmview.rst, "The shadow page table").
 *
 * A target process, forked by the test, makes one change to its address
 * space at a time on command (a pipe protocol, see struct tgt_cmd).  The
 * test tracks it and, after every change, reads:
 *  - PID/verify: the last line is exactly
 *    "verify: checked=N mismatches=0 resynced=R", with N > 0;
 *  - PID/events: well formed, SEQ increasing by one, new events there,
 *    and the pages the change touched covered by new events of the
 *    kernel's name for that change (enum mmu_notifier_event);
 * and compares with the kernel's own view: /proc/PID/pagemap (present,
 * swapped, PFN, soft-dirty) and vmview's PID/ptes.
 *
 *  first_touch        write and read faults on fresh anonymous memory:
 *                     the kernel sends no invalidation for them, so no
 *                     event is expected; verify must still be clean and
 *                     count the new pages in resynced; ptes shows them
 *  cow                fork (the child tracked too), then writes in the
 *                     parent and in the child: protection_page (or
 *                     clear) at fork, clear at the copies, no event
 *                     where the kernel reuses a page; PFNs differ
 *  swap               MADV_PAGEOUT to zram (pagemap says swapped), then
 *                     a write brings the pages back (major faults)
 *  munmap, mprotect, mremap, dontneed, soft_dirty
 *                     unmap; protection_vma (and both sides of verify
 *                     read-only, seen through inject); unmap on the old
 *                     range of a move; clear; soft_dirty, then a write
 *                     (skipped where the kernel has no soft-dirty bits)
 *  thp                MADV_COLLAPSE of a populated huge page's range (one
 *                     pmd leaf in ptes, pgd on i386 without PAE; inject
 *                     reports its address), then a split by mprotect of
 *                     one page (pte lines)
 *  exit               release (exit_mmap() then unmaps everything, so
 *                     only unmap may follow it), verify fails with
 *                     ESRCH, untrack works, alloc_mirrors goes back
 *  shadow_stats       PID/shadow's levels and leaves against PID/ptes
 *                     and the guest's paging, and its bytes against the
 *                     target's pgtables_bytes
 *  verify_range       "START-END" limits checked to the pages of
 *                     readable VMAs in the range, up to TASK_SIZE, "\n"
 *                     restores, bad ranges are EINVAL and change nothing
 *  inject             one corrupted leaf gives exactly one mismatch at
 *                     its address; nothing mapped gives ENOENT
 *  no_test_hooks      without test_hooks=1 there is no PID/inject
 *
 * The target grows its stack and pre-faults everything it has
 * (MADV_POPULATE_WRITE, or _READ for what is not private and writable)
 * before it is tracked, and the child it forks maps the file pages fork()
 * did not copy (MADV_POPULATE_READ, sharing the rest), so that nothing
 * but the commanded change alters their page tables; the target runs on
 * one CPU so that MADV_PAGEOUT finds the pages it wrote on the LRU.
 *
 * The module is loaded with test_hooks=1 for these tests (reloaded if it
 * was loaded without); its state before each test is restored after it.
 */
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "vmview_harness.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define MIB		(1024 * 1024UL)
#define TRIES		20
#define LOG_MAX		10

/* --- the target ----------------------------------------------------------- */

enum tgt_op {
	OP_MAP,		/* len, arg TGT_*: a huge-aligned RW anon VMA */
	OP_HOLE,	/* len: a huge-aligned range no VMA covers */
	OP_WRITE,	/* addr, len: write every page */
	OP_READ,	/* addr, len: read every page */
	OP_UNMAP,	/* addr, len */
	OP_PROTECT,	/* addr, len, arg: mprotect() */
	OP_REMAP,	/* addr, len, to: move with mremap() */
	OP_ADVISE,	/* addr, len, arg: madvise() */
	OP_FORK,	/* the child serves the second channel */
	OP_EXIT,	/* _exit(0), no reply */
};

#define TGT_NOHUGE	1	/* MADV_NOHUGEPAGE */
#define TGT_HUGE	2	/* MADV_HUGEPAGE */

struct tgt_cmd {
	int op;
	int arg;
	unsigned long addr, len, to;
};

struct tgt_rep {
	long ret;		/* 0, a PID, or -errno */
	unsigned long addr;
};

/* A process the test talks to: its PID and the test's ends of its pipes. */
struct tgt {
	pid_t pid;
	int cmd_fd, rep_fd;
	bool tracked;
	bool reaped;		/* exited and waited for */
	long long seen;		/* the last event SEQ looked at, or -1 */
};

static void tgt_reply(int fd, long ret, unsigned long addr)
{
	struct tgt_rep r = { .ret = ret, .addr = addr };

	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
}

/* The size of a huge page: 2 MiB, 4 MiB on i386 without PAE. */
static unsigned long huge_sz(void)
{
	return 1UL << vmv_huge_shift();
}

/*
 * A free huge-aligned range of len bytes (aligned to a huge page), a page
 * or more from any VMA.
 */
static unsigned long tgt_hole(unsigned long len)
{
	unsigned long res, base, huge = huge_sz();
	void *p;

	p = mmap(NULL, len + 2 * huge, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	res = (unsigned long)p;
	base = (res + PG + huge - 1) & ~(huge - 1);
	munmap(p, len + 2 * huge);
	return base;
}

static long tgt_map(unsigned long len, int flags, unsigned long *addr)
{
	unsigned long base = tgt_hole(len);
	void *p;

	if (!base)
		return -ENOMEM;
	p = mmap((void *)base, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if ((flags & TGT_NOHUGE) && madvise(p, len, MADV_NOHUGEPAGE))
		return -errno;
	if ((flags & TGT_HUGE) && madvise(p, len, MADV_HUGEPAGE))
		return -errno;
	*addr = base;
	return 0;
}

/* Grow the stack by 256 KiB now, so that no command faults it in later. */
static void tgt_grow_stack(void)
{
	char buf[256 * 1024];

	memset(buf, 1, sizeof(buf));
	/* Keep the writes: the compiler cannot see what buf is for. */
	asm volatile("" : : "r" (buf) : "memory");
}

/*
 * Fault in every readable VMA (for writing too when write is set and the
 * VMA is private and writable: that also breaks COW), so that running
 * the command loop faults nothing in later.  Returns 0 or -errno.
 */
static long tgt_populate(bool write)
{
	static char maps[32768];
	unsigned long start, end;
	char perms[8], *p;
	ssize_t n, len = 0;
	int fd, advice;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -EIO;
	maps[len] = '\0';
	for (p = maps; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (sscanf(p, "%lx-%lx %7s", &start, &end, perms) != 3 ||
		    perms[0] != 'r')
			continue;
		advice = MADV_POPULATE_READ;
		if (write && perms[1] == 'w' && perms[3] == 'p')
			advice = MADV_POPULATE_WRITE;
		/* [vvar] and the like refuse: nothing to fault there. */
		madvise((void *)start, end - start, advice);
	}
	return 0;
}

static void tgt_loop(int cmd_fd, int rep_fd, int cmd2_fd, int rep2_fd);

static long tgt_fork(int cmd_fd, int rep_fd, int cmd2_fd, int rep2_fd)
{
	pid_t parent = getpid(), pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	close(cmd_fd);
	close(rep_fd);
	/* Map what fork() did not copy (file pages), sharing the rest. */
	tgt_reply(rep2_fd, tgt_populate(false), 0);	/* ready */
	tgt_loop(cmd2_fd, rep2_fd, -1, -1);
	_exit(0);
}

static long tgt_do(const struct tgt_cmd *c, unsigned long *addr,
		   int cmd_fd, int rep_fd, int cmd2_fd, int rep2_fd)
{
	char *p = (char *)c->addr, sum = 0;
	unsigned long i;
	void *q;

	switch (c->op) {
	case OP_MAP:
		return tgt_map(c->len, c->arg, addr);
	case OP_HOLE:
		*addr = tgt_hole(c->len);
		return *addr ? 0 : -ENOMEM;
	case OP_WRITE:
		for (i = 0; i < c->len; i += PG)
			p[i] = (char)(c->arg + i / PG + 1);
		asm volatile("" : : "r" (p) : "memory");
		return 0;
	case OP_READ:
		for (i = 0; i < c->len; i += PG)
			sum += p[i];
		asm volatile("" : : "r" (sum) : "memory");
		return 0;
	case OP_UNMAP:
		return munmap((void *)c->addr, c->len) ? -errno : 0;
	case OP_PROTECT:
		return mprotect((void *)c->addr, c->len, c->arg) ? -errno : 0;
	case OP_REMAP:
		q = mremap((void *)c->addr, c->len, c->len,
			   MREMAP_MAYMOVE | MREMAP_FIXED, (void *)c->to);
		if (q == MAP_FAILED)
			return -errno;
		*addr = (unsigned long)q;
		return 0;
	case OP_ADVISE:
		return madvise((void *)c->addr, c->len, c->arg) ? -errno : 0;
	case OP_FORK:
		if (cmd2_fd < 0)
			return -EINVAL;
		return tgt_fork(cmd_fd, rep_fd, cmd2_fd, rep2_fd);
	case OP_EXIT:
		_exit(0);
	}
	return -EINVAL;
}

/* Serve commands until the test closes its end. */
static void tgt_loop(int cmd_fd, int rep_fd, int cmd2_fd, int rep2_fd)
{
	struct tgt_cmd c;
	unsigned long addr;
	long ret;

	while (read(cmd_fd, &c, sizeof(c)) == (ssize_t)sizeof(c)) {
		addr = 0;
		ret = tgt_do(&c, &addr, cmd_fd, rep_fd, cmd2_fd, rep2_fd);
		tgt_reply(rep_fd, ret, addr);
	}
}

static void tgt_main(int cmd_fd, int rep_fd, int cmd2_fd, int rep2_fd)
{
	cpu_set_t all, one;
	long ret = 0;
	int cpu;

	/* One CPU: MADV_PAGEOUT drains that CPU's LRU batches only. */
	if (!sched_getaffinity(0, sizeof(all), &all)) {
		for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &all); cpu++)
			;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	tgt_grow_stack();
	ret = tgt_populate(true);
	tgt_reply(rep_fd, ret, 0);
	tgt_loop(cmd_fd, rep_fd, cmd2_fd, rep2_fd);
	_exit(0);
}

/* --- the fixture ---------------------------------------------------------- */

FIXTURE(shadow) {
	bool was_loaded, was_hooks;
	long mirrors0;		/* alloc_mirrors before the test */
	struct tgt t[2];	/* the target, and the child it forks */
};

static int write_pid(const char *path, pid_t pid)
{
	char s[32];

	snprintf(s, sizeof(s), "%d\n", (int)pid);
	return vmv_write_file(path, s);
}

static long tgt_call(struct tgt *t, int op, unsigned long addr,
		     unsigned long len, int arg, unsigned long to,
		     unsigned long *out)
{
	struct tgt_cmd c = { .op = op, .arg = arg, .addr = addr, .len = len,
			     .to = to };
	struct tgt_rep r;

	if (write(t->cmd_fd, &c, sizeof(c)) != (ssize_t)sizeof(c))
		return -EPIPE;
	if (read(t->rep_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return -EPIPE;
	if (out)
		*out = r.addr;
	return r.ret;
}

/* Start the target; its second channel is for the child it may fork. */
static int tgt_start(struct tgt t[2])
{
	int c1[2], r1[2], c2[2], r2[2];
	pid_t parent = getpid(), pid;
	struct tgt_rep r;

	if (pipe2(c1, O_CLOEXEC) || pipe2(r1, O_CLOEXEC) ||
	    pipe2(c2, O_CLOEXEC) || pipe2(r2, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(c1[1]);
		close(r1[0]);
		close(c2[1]);
		close(r2[0]);
		tgt_main(c1[0], r1[1], c2[0], r2[1]);
	}
	close(c1[0]);
	close(r1[1]);
	close(c2[0]);
	close(r2[1]);
	t[0].pid = pid;
	t[0].cmd_fd = c1[1];
	t[0].rep_fd = r1[0];
	t[1].cmd_fd = c2[1];
	t[1].rep_fd = r2[0];
	if (read(t[0].rep_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return -ECHILD;
	return r.ret;
}

FIXTURE_SETUP(shadow)
{
	int i;

	for (i = 0; i < 2; i++) {
		self->t[i].cmd_fd = -1;
		self->t[i].rep_fd = -1;
		self->t[i].seen = -1;
	}
	/* A target that died must fail a test, not kill it with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	self->was_loaded = vmv_module_loaded();
	self->was_hooks = self->was_loaded && vmv_hooks_on();
	ASSERT_EQ(0, vmv_module_state(true, true));
	ASSERT_TRUE(vmv_hooks_on());
	self->mirrors0 = vmv_status_num("alloc_mirrors");
	ASSERT_LE(0, self->mirrors0);
	/* The teardown does not run after a failed setup: undo here. */
	i = tgt_start(self->t);
	if (!i) {
		i = write_pid(VMV_TRACK, self->t[0].pid);
		self->t[0].tracked = !i;
	}
	if (i) {
		if (self->t[0].pid > 0) {
			kill(self->t[0].pid, SIGKILL);
			waitpid(self->t[0].pid, NULL, 0);
		}
		vmv_module_state(self->was_loaded, self->was_hooks);
	}
	ASSERT_EQ(0, i) TH_LOG("target: %s", strerror(-i));
}

FIXTURE_TEARDOWN(shadow)
{
	int i;

	for (i = 1; i >= 0; i--) {
		struct tgt *t = &self->t[i];

		if (t->tracked && t->pid > 0)
			write_pid(VMV_UNTRACK, t->pid);
		if (t->cmd_fd >= 0)
			close(t->cmd_fd);
		if (t->rep_fd >= 0)
			close(t->rep_fd);
		if (t->pid > 0 && !t->reaped)
			kill(t->pid, SIGKILL);
	}
	if (self->t[0].pid > 0 && !self->t[0].reaped)
		waitpid(self->t[0].pid, NULL, 0);
	vmv_module_state(self->was_loaded, self->was_hooks);
}

/* --- verify --------------------------------------------------------------- */

struct vres {
	long checked, mismatches, resynced;
	long lines;		/* "mismatch " lines */
	char *text;
};

/* Read PID/verify and parse it; 0, or -errno of the read. */
static int verify_read(struct __test_metadata *_metadata, pid_t pid,
		       struct vres *v)
{
	char *last, *p;
	int n = 0;

	memset(v, 0, sizeof(*v));
	v->text = vmv_pid_read(pid, "verify", NULL);
	if (!v->text)
		return -errno;
	ASSERT_NE('\0', v->text[0]);
	last = v->text;
	ASSERT_EQ('\n', v->text[strlen(v->text) - 1]);
	/* Every line but the last is a mismatch or a "# ..." note. */
	for (p = v->text; *p; p = strchr(p, '\n') + 1) {
		if (p != v->text)
			ASSERT_TRUE(!strncmp(last, "mismatch 0x", 11) ||
				    !strncmp(last, "# ", 2))
				TH_LOG("verify line: %.*s",
				       (int)(strchr(last, '\n') - last), last);
		last = p;
		if (!strncmp(p, "mismatch 0x", 11))
			v->lines++;
	}
	ASSERT_EQ(3, sscanf(last,
			    "verify: checked=%ld mismatches=%ld resynced=%ld%n",
			    &v->checked, &v->mismatches, &v->resynced, &n))
		TH_LOG("last line of verify: %s", last);
	ASSERT_STREQ("\n", last + n) TH_LOG("last line of verify: %s", last);
	if (v->mismatches <= 64)
		EXPECT_EQ(v->mismatches, v->lines);
	return 0;
}

/*
 * Verify the whole address space of pid: it must be clean.  Returns
 * resynced; *checked gets checked.
 */
static long verify_clean(struct __test_metadata *_metadata, pid_t pid,
			 const char *when, long *checked)
{
	struct vres v;
	int ret;

	ret = verify_read(_metadata, pid, &v);
	ASSERT_EQ(0, ret) TH_LOG("verify of %d %s: %s", pid, when,
				 strerror(-ret));
	EXPECT_LT(0, v.checked) TH_LOG("%s", when);
	EXPECT_EQ(0, v.mismatches) TH_LOG("verify of %d %s:\n%s", pid,
					  when, v.text);
	if (checked)
		*checked = v.checked;
	free(v.text);
	return v.resynced;
}

/* --- events --------------------------------------------------------------- */

struct ev {
	long long seq;
	char name[24];
	unsigned long start, end;
};

struct evs {
	struct ev *v;
	int n;
	char *text;
};

/* Read and parse PID/events: format, and SEQ going up by one. */
static void events_read(struct __test_metadata *_metadata, pid_t pid,
			struct evs *e)
{
	int n, got, cap = 0;
	struct ev *nv;
	char *p, *nl;

	memset(e, 0, sizeof(*e));
	e->text = vmv_pid_read(pid, "events", NULL);
	ASSERT_NE(NULL, e->text) TH_LOG("events of %d: %s", pid,
					strerror(errno));
	for (p = e->text; *p; p = nl + 1) {
		struct ev *x;
		unsigned long long d;

		nl = strchr(p, '\n');
		ASSERT_NE(NULL, nl) TH_LOG("events: unterminated line");
		if (p == e->text &&
		    sscanf(p, "# dropped: %llu%n", &d, &n) == 1 && p + n == nl)
			continue;
		nv = vmv_grow(e->v, &cap, e->n, sizeof(*e->v), 64);
		ASSERT_NE(NULL, nv);
		e->v = nv;
		x = &e->v[e->n];
		n = 0;
		got = sscanf(p, "%lld %23[a-z_] 0x%lx-0x%lx%n", &x->seq,
			     x->name, &x->start, &x->end, &n);
		ASSERT_EQ(4, got) TH_LOG("bad events line: %.*s",
					 (int)(nl - p), p);
		ASSERT_EQ(p + n, nl) TH_LOG("events line: %.*s",
					    (int)(nl - p), p);
		/* 16 hex digits each side: " 0x" 16 "-0x" 16. */
		ASSERT_EQ(38, nl - strstr(p, " 0x"))
			TH_LOG("events line: %.*s", (int)(nl - p), p);
		ASSERT_LT(x->start, x->end);
		if (e->n)
			ASSERT_EQ(e->v[e->n - 1].seq + 1, x->seq);
		e->n++;
	}
}

static bool name_in(const char *name, const char *names)
{
	size_t len = strlen(name);
	const char *p = names;

	while ((p = strstr(p, name))) {
		if ((p == names || p[-1] == '|') &&
		    (p[len] == '|' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

static bool ev_new(const struct ev *x, long long seen, const char *names)
{
	return x->seq > seen && name_in(x->name, names);
}

/*
 * Pages of [start, end) not covered by an event after seen named so; with
 * whole, one event must cover the range (else every page counts).
 */
static long uncovered(const struct evs *e, long long seen, const char *names,
		      bool whole, unsigned long start, unsigned long end,
		      unsigned long *first)
{
	unsigned long a;
	long count = 0;
	int i;

	if (whole) {
		for (i = 0; i < e->n; i++)
			if (ev_new(&e->v[i], seen, names) &&
			    e->v[i].start <= start && e->v[i].end >= end)
				return 0;
		*first = start;
		return (end - start) / PG;
	}
	for (a = start; a < end; a += PG) {
		for (i = 0; i < e->n; i++)
			if (ev_new(&e->v[i], seen, names) &&
			    e->v[i].start <= a && e->v[i].end >= a + PG)
				break;
		if (i == e->n && !count++)
			*first = a;
	}
	return count;
}

/*
 * New events (SEQ above since) must be there, and [start, end) must be
 * covered by new ones named in names ("a|b"): by one of them when whole,
 * else page by page.  Returns the last SEQ seen.
 */
static long long check_events(struct __test_metadata *_metadata, pid_t pid,
			      long long since, const char *names, bool whole,
			      unsigned long start, unsigned long end,
			      const char *what)
{
	unsigned long first = 0;
	long long last;
	long miss;
	struct evs e;

	events_read(_metadata, pid, &e);
	ASSERT_LT(0, e.n) TH_LOG("%s: no events", what);
	last = e.v[e.n - 1].seq;
	EXPECT_LT(since, last) TH_LOG("%s: no new event after %lld", what,
				      since);
	miss = uncovered(&e, since, names, whole, start, end, &first);
	EXPECT_EQ(0, miss)
		TH_LOG("%s: %ld pages of 0x%lx-0x%lx (from 0x%lx) not in %s new %s:\n%s",
		       what, miss, start, end, first, whole ? "one" : "a",
		       names, e.text);
	free(e.v);
	free(e.text);
	return last;
}

/* The same for the events since the last look, which this one becomes. */
static void expect_events(struct __test_metadata *_metadata, struct tgt *t,
			  const char *names, bool whole, unsigned long start,
			  unsigned long end, const char *what)
{
	t->seen = check_events(_metadata, t->pid, t->seen, names, whole,
			       start, end, what);
}

/* Take note of the events so far: later checks look at newer ones. */
static void events_mark(struct __test_metadata *_metadata, struct tgt *t)
{
	struct evs e;

	events_read(_metadata, t->pid, &e);
	if (e.n)
		t->seen = e.v[e.n - 1].seq;
	free(e.v);
	free(e.text);
}

/* --- the kernel's view and vmview's ptes ---------------------------------- */

/* Pages of [start, end) whose pagemap entry has all of bits. */
static long pm_count(pid_t pid, unsigned long start, unsigned long end,
		     unsigned long long bits)
{
	unsigned long a;
	long n = 0;

	for (a = start; a < end; a += PG)
		if ((vmv_pagemap_entry(pid, a) & bits) == bits)
			n++;
	return n;
}

static bool has_word(const char *list, const char *w)
{
	size_t len = strlen(w);
	const char *p = list;

	while ((p = strstr(p, w))) {
		if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/*
 * Every page of [start, end) has a present pte line in pid's ptes with
 * pagemap's PFN and, when rw is 0 or 1, without or with "rw".
 */
static void expect_ptes(struct __test_metadata *_metadata, pid_t pid,
			unsigned long start, unsigned long end, int rw,
			const char *what)
{
	char *text = vmv_pid_read(pid, "ptes", NULL);
	struct vmv_pte pl;
	unsigned long a;
	long bad = 0;

	ASSERT_NE(NULL, text) TH_LOG("ptes: %s", strerror(errno));
	for (a = start; a < end; a += PG) {
		unsigned long long pm = vmv_pagemap_entry(pid, a);
		bool ok;

		memset(&pl, 0, sizeof(pl));
		ok = vmv_pte_find(text, a, &pl) &&
		     pl.level == VMVIEW_LEVEL_PTE &&
		     pl.kind == VMVIEW_KIND_PRESENT && (pm & PM_PRESENT) &&
		     pl.pfn == PM_PFN(pm) &&
		     (rw < 0 || vmv_pte_has_flag(&pl, VMVIEW_F_RW) == rw);

		if (!ok && bad++ < LOG_MAX)
			TH_LOG("%s: 0x%lx: pagemap 0x%llx, ptes %.*s (want%s rw)",
			       what, a, pm, pl.len, pl.text ?: "",
			       rw ? "" : " no");
	}
	EXPECT_EQ(0, bad) TH_LOG("%s", what);
	free(text);
}

static void track(struct __test_metadata *_metadata, struct tgt *t)
{
	ASSERT_EQ(0, write_pid(VMV_TRACK, t->pid));
	t->tracked = true;
	t->seen = -1;
}

/* Map len bytes in the target, populate them, check a clean verify. */
static unsigned long map_written(struct __test_metadata *_metadata,
				 struct tgt *t, unsigned long len, int flags)
{
	unsigned long a = 0;
	long ret;

	ret = tgt_call(t, OP_MAP, 0, len, flags, 0, &a);
	ASSERT_EQ(0, ret) TH_LOG("map: %s", strerror(-ret));
	ASSERT_EQ(0, tgt_call(t, OP_WRITE, a, len, 1, 0, NULL));
	ASSERT_EQ((long)(len / PG), pm_count(t->pid, a, a + len, PM_PRESENT));
	verify_clean(_metadata, t->pid, "after populating", NULL);
	events_mark(_metadata, t);
	return a;
}

/* --- the changes ---------------------------------------------------------- */

/*
 * First touch: writes to 8 fresh pages, reads of 4 more (the zero page).
 * Filling an empty entry sends no invalidation, so there is no event to
 * look for; the new pages must still be in the shadow by the next verify.
 */
TEST_F(shadow, first_touch)
{
	struct tgt *t = &self->t[0];
	unsigned long a = 0;
	long r;

	ASSERT_EQ(0, tgt_call(t, OP_MAP, 0, 16 * PG, TGT_NOHUGE, 0, &a));
	verify_clean(_metadata, t->pid, "after mmap", NULL);
	ASSERT_EQ(0, pm_count(t->pid, a, a + 16 * PG, PM_PRESENT));

	ASSERT_EQ(0, tgt_call(t, OP_WRITE, a, 8 * PG, 1, 0, NULL));
	ASSERT_EQ(8, pm_count(t->pid, a, a + 8 * PG, PM_PRESENT));
	r = verify_clean(_metadata, t->pid, "after write faults", NULL);
	EXPECT_LE(8, r) TH_LOG("resynced=%ld after 8 first writes", r);
	expect_ptes(_metadata, t->pid, a, a + 8 * PG, 1, "written");

	ASSERT_EQ(0, tgt_call(t, OP_READ, a + 8 * PG, 4 * PG, 0, 0, NULL));
	ASSERT_EQ(4, pm_count(t->pid, a + 8 * PG, a + 12 * PG, PM_PRESENT));
	r = verify_clean(_metadata, t->pid, "after read faults", NULL);
	EXPECT_LE(4, r) TH_LOG("resynced=%ld after 4 first reads", r);
	expect_ptes(_metadata, t->pid, a + 8 * PG, a + 12 * PG, 0, "read");
	{
		char *text = vmv_pid_read(t->pid, "ptes", NULL);
		struct vmv_pte pl;

		ASSERT_NE(NULL, text);
		EXPECT_TRUE(vmv_pte_find(text, a + 8 * PG, &pl) &&
			    vmv_pte_has_pflag(&pl, VMVIEW_P_ZERO))
			TH_LOG("a read fault should map the zero page");
		free(text);
	}
}

static unsigned long long pfn_of(pid_t pid, unsigned long a)
{
	return vmv_pagemap_entry(pid, a) & PM_PFN_MASK;
}

/* PFNs of pages [from, to) of a must differ between the two processes. */
static void expect_apart(struct __test_metadata *_metadata, pid_t p, pid_t c,
			 unsigned long a, int from, int to, const char *what)
{
	int i;

	for (i = from; i < to; i++)
		EXPECT_NE(pfn_of(p, a + i * PG), pfn_of(c, a + i * PG))
			TH_LOG("%s: page %d still shared", what, i);
}

/*
 * COW: the target forks (its child is tracked too); fork write-protects
 * the parent's pages (protection_page).  Then, verifying both after each
 * step:
 *  - the parent writes pages 0-3: it copies them (clear);
 *  - the child writes pages 0-3: they are its own now, so the kernel
 *    reuses them (made writable, with no invalidation);
 *  - the child writes pages 4-7: it copies them (clear);
 *  - the parent writes pages 4-7: reused, as above.
 */
TEST_F(shadow, cow)
{
	struct tgt *p = &self->t[0], *c = &self->t[1];
	struct tgt_rep ready;
	unsigned long a;
	long ret;
	int i;

	a = map_written(_metadata, p, 16 * PG, TGT_NOHUGE);
	ret = tgt_call(p, OP_FORK, 0, 0, 0, 0, NULL);
	ASSERT_LT(0, ret) TH_LOG("fork: %s", strerror(-ret));
	c->pid = ret;
	ASSERT_EQ((ssize_t)sizeof(ready),
		  read(c->rep_fd, &ready, sizeof(ready)));
	ASSERT_EQ(0, ready.ret) TH_LOG("child: %s", strerror(-ready.ret));
	track(_metadata, c);
	EXPECT_EQ(self->mirrors0 + 2, vmv_status_num("alloc_mirrors"));

	expect_events(_metadata, p, "protection_page|clear", true, a,
		      a + 16 * PG, "parent at fork");
	verify_clean(_metadata, p->pid, "(parent) after fork", NULL);
	verify_clean(_metadata, c->pid, "(child) after fork", NULL);
	events_mark(_metadata, c);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(pfn_of(p->pid, a + i * PG),
			  pfn_of(c->pid, a + i * PG))
			TH_LOG("page %d not shared after fork", i);

	ASSERT_EQ(0, tgt_call(p, OP_WRITE, a, 4 * PG, 2, 0, NULL));
	expect_events(_metadata, p, "clear", false, a, a + 4 * PG,
		      "parent's copies");
	verify_clean(_metadata, p->pid, "(parent) after its copies", NULL);
	verify_clean(_metadata, c->pid, "(child) after the parent's copies",
		     NULL);
	expect_apart(_metadata, p->pid, c->pid, a, 0, 4, "parent's copies");

	ASSERT_EQ(0, tgt_call(c, OP_WRITE, a, 4 * PG, 3, 0, NULL));
	verify_clean(_metadata, c->pid, "(child) after reusing pages 0-3",
		     NULL);
	verify_clean(_metadata, p->pid, "(parent) after the child's reuse",
		     NULL);
	expect_ptes(_metadata, c->pid, a, a + 4 * PG, 1, "child's reused");

	ASSERT_EQ(0, tgt_call(c, OP_WRITE, a + 4 * PG, 4 * PG, 4, 0, NULL));
	expect_events(_metadata, c, "clear", false, a + 4 * PG, a + 8 * PG,
		      "child's copies");
	verify_clean(_metadata, c->pid, "(child) after its copies", NULL);
	verify_clean(_metadata, p->pid, "(parent) after the child's copies",
		     NULL);
	expect_apart(_metadata, p->pid, c->pid, a, 0, 8, "child's copies");

	ASSERT_EQ(0, tgt_call(p, OP_WRITE, a + 4 * PG, 4 * PG, 5, 0, NULL));
	verify_clean(_metadata, p->pid, "(parent) after reusing pages 4-7",
		     NULL);
	verify_clean(_metadata, c->pid, "(child) after the parent's reuse",
		     NULL);
	expect_ptes(_metadata, p->pid, a, a + 8 * PG, 1, "parent's written");
	expect_ptes(_metadata, c->pid, a, a + 8 * PG, 1, "child's written");
	expect_apart(_metadata, p->pid, c->pid, a, 0, 8, "both written");

	ASSERT_EQ(0, write_pid(VMV_UNTRACK, c->pid));
	c->tracked = false;
	EXPECT_EQ(self->mirrors0 + 1, vmv_status_num("alloc_mirrors"));
}

/*
 * Swap: MADV_PAGEOUT of pages 0-15 to zram until pagemap shows them
 * swapped (clear events), then a write brings them back (major faults).
 */
TEST_F(shadow, swap)
{
	const char *swap = getenv("VMVIEW_SWAP");
	struct tgt *t = &self->t[0];
	unsigned long a;
	long n = 0, r;
	int i;

	if (!swap || !strcmp(swap, "none"))
		SKIP(return, "no swap device in this guest (VMVIEW_SWAP=%s)",
		     swap ? swap : "unset");
	a = map_written(_metadata, t, 32 * PG, TGT_NOHUGE);
	for (i = 0; i < TRIES && n < 16; i++) {
		ASSERT_EQ(0, tgt_call(t, OP_ADVISE, a, 16 * PG, MADV_PAGEOUT,
				      0, NULL));
		n = pm_count(t->pid, a, a + 16 * PG, PM_SWAP);
		if (n < 16)
			usleep(20000);
	}
	ASSERT_EQ(16, n) TH_LOG("only %ld of 16 pages paged out", n);
	expect_events(_metadata, t, "clear", false, a, a + 16 * PG, "pageout");
	verify_clean(_metadata, t->pid, "after pageout", NULL);

	ASSERT_EQ(0, tgt_call(t, OP_WRITE, a, 16 * PG, 4, 0, NULL));
	ASSERT_EQ(16, pm_count(t->pid, a, a + 16 * PG, PM_PRESENT));
	r = verify_clean(_metadata, t->pid, "after swap-in", NULL);
	EXPECT_LE(16, r) TH_LOG("resynced=%ld after 16 swap-ins", r);
	expect_ptes(_metadata, t->pid, a, a + 16 * PG, -1, "swapped in");
}

/*
 * 16 written pages, then op (munmap, madvise) with arg on the middle 8
 * (pages 4-11): the event, nothing present there, and a clean verify
 * before and after (*before and *after pages checked).  Returns the
 * address of the 16.
 */
static unsigned long drop_middle(struct __test_metadata *_metadata,
				 struct tgt *t, enum tgt_op op, int arg,
				 const char *event, const char *what,
				 long *before, long *after)
{
	unsigned long a, m;
	char when[64];

	a = map_written(_metadata, t, 16 * PG, TGT_NOHUGE);
	m = a + 4 * PG;
	snprintf(when, sizeof(when), "before %s", what);
	verify_clean(_metadata, t->pid, when, before);
	ASSERT_EQ(0, tgt_call(t, op, m, 8 * PG, arg, 0, NULL));
	expect_events(_metadata, t, event, true, m, m + 8 * PG, what);
	EXPECT_EQ(0, pm_count(t->pid, m, m + 8 * PG, PM_PRESENT));
	snprintf(when, sizeof(when), "after %s", what);
	verify_clean(_metadata, t->pid, when, after);
	return a;
}

/* munmap of the middle 8 pages of 16: unmap, and 8 fewer pages checked. */
TEST_F(shadow, munmap)
{
	long before, after;

	drop_middle(_metadata, &self->t[0], OP_UNMAP, 0, "unmap", "munmap",
		    &before, &after);
	EXPECT_EQ(before - 8, after);
}

/* A leaf size as verify and the shadow file name it: 4k, 2m, 1g. */
static void size_name(unsigned int shift, char *buf, size_t len)
{
	if (shift >= 30)
		snprintf(buf, len, "%ug", 1U << (shift - 30));
	else if (shift >= 20)
		snprintf(buf, len, "%um", 1U << (shift - 20));
	else
		snprintf(buf, len, "%uk", 1U << (shift - 10));
}

/* The base page's name: 4k, or 16k on an arm64 16 KiB kernel. */
static const char *page_name(void)
{
	static char buf[8];

	if (!buf[0])
		size_name(__builtin_ctzl(PG), buf, sizeof(buf));
	return buf;
}

/* Parse a side of a mismatch line: "present:PFN:rw|ro:SIZE" or "none". */
static bool side(const char *line, const char *name, unsigned long long *pfn,
		 char *rw, char *size)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), " %s=present:", name);
	p = strstr(line, key);
	return p && sscanf(p + strlen(key), "0x%llx:%2[a-z]:%3[0-9a-z]", pfn,
			   rw, size) == 3;
}

/*
 * Inject a wrong PFN at addr; the next verify must report exactly one
 * mismatch, at leaf, with the walk's side as pagemap says (PFN, rw).
 */
static void expect_injected(struct __test_metadata *_metadata, pid_t pid,
			    unsigned long addr, unsigned long leaf,
			    const char *size, int rw)
{
	unsigned long long wpfn = 0, spfn = 0;
	char buf[32], want[40], wrw[4] = "", srw[4] = "", wsz[4] = "",
	     ssz[4] = "";
	const char *line;
	struct vres v;

	snprintf(buf, sizeof(buf), "0x%lx\n", addr);
	ASSERT_EQ(0, vmv_pid_write(pid, "inject", buf));
	ASSERT_EQ(0, verify_read(_metadata, pid, &v));
	EXPECT_EQ(1, v.mismatches) TH_LOG("verify after inject:\n%s", v.text);
	snprintf(want, sizeof(want), "mismatch 0x%016lx ", leaf);
	line = strstr(v.text, want);
	ASSERT_NE(NULL, line) TH_LOG("no \"%s\" line:\n%s", want, v.text);
	ASSERT_TRUE(side(line, "walk", &wpfn, wrw, wsz)) TH_LOG("%s", line);
	ASSERT_TRUE(side(line, "shadow", &spfn, srw, ssz)) TH_LOG("%s", line);
	EXPECT_EQ(pfn_of(pid, leaf), wpfn);
	EXPECT_NE(wpfn, spfn);
	EXPECT_STREQ(size, wsz);
	EXPECT_STREQ(size, ssz);
	if (rw >= 0) {
		EXPECT_STREQ(rw ? "rw" : "ro", wrw) TH_LOG("%s", line);
		EXPECT_STREQ(rw ? "rw" : "ro", srw) TH_LOG("%s", line);
	}
	free(v.text);
}

/*
 * mprotect(PROT_READ) of pages 0-7 of 16 written ones: protection_vma;
 * ptes show them without rw; a leaf injected there shows both sides of
 * verify read-only; mprotect back to RW refills it.
 */
TEST_F(shadow, mprotect)
{
	struct tgt *t = &self->t[0];
	unsigned long a;

	a = map_written(_metadata, t, 16 * PG, TGT_NOHUGE);
	ASSERT_EQ(0, tgt_call(t, OP_PROTECT, a, 8 * PG, PROT_READ, 0, NULL));
	expect_events(_metadata, t, "protection_vma", true, a, a + 8 * PG,
		      "mprotect read-only");
	verify_clean(_metadata, t->pid, "after mprotect(PROT_READ)", NULL);
	expect_ptes(_metadata, t->pid, a, a + 8 * PG, 0, "read-only");
	expect_ptes(_metadata, t->pid, a + 8 * PG, a + 16 * PG, 1, "writable");
	expect_injected(_metadata, t->pid, a + 2 * PG + 0x10, a + 2 * PG,
			page_name(), 0);

	ASSERT_EQ(0, tgt_call(t, OP_PROTECT, a, 8 * PG,
			      PROT_READ | PROT_WRITE, 0, NULL));
	expect_events(_metadata, t, "protection_vma", true, a, a + 8 * PG,
		      "mprotect read-write");
	verify_clean(_metadata, t->pid, "after mprotect back to RW", NULL);
}

/* mremap moves 16 populated pages to a free range: unmap on the old one. */
TEST_F(shadow, mremap)
{
	struct tgt *t = &self->t[0];
	unsigned long long pfn[16];
	unsigned long a, to = 0, got = 0;
	long before, after;
	int i;

	a = map_written(_metadata, t, 16 * PG, TGT_NOHUGE);
	for (i = 0; i < 16; i++)
		pfn[i] = pfn_of(t->pid, a + i * PG);
	ASSERT_EQ(0, tgt_call(t, OP_HOLE, 0, 16 * PG, 0, 0, &to));
	verify_clean(_metadata, t->pid, "before mremap", &before);
	events_mark(_metadata, t);

	ASSERT_EQ(0, tgt_call(t, OP_REMAP, a, 16 * PG, 0, to, &got));
	ASSERT_EQ(to, got);
	expect_events(_metadata, t, "unmap", true, a, a + 16 * PG, "mremap");
	EXPECT_EQ(0, pm_count(t->pid, a, a + 16 * PG, PM_PRESENT));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(pfn[i], pfn_of(t->pid, to + i * PG))
			TH_LOG("page %d", i);
	verify_clean(_metadata, t->pid, "after mremap", &after);
	EXPECT_EQ(before, after);
	expect_ptes(_metadata, t->pid, to, to + 16 * PG, 1, "moved");
}

/* MADV_DONTNEED of pages 4-11 of 16: clear, and they are gone. */
TEST_F(shadow, dontneed)
{
	struct tgt *t = &self->t[0];
	long before, after;
	unsigned long a;

	a = drop_middle(_metadata, t, OP_ADVISE, MADV_DONTNEED, "clear",
			"MADV_DONTNEED", &before, &after);
	EXPECT_EQ(8, pm_count(t->pid, a, a + 16 * PG, PM_PRESENT));
	EXPECT_EQ(before, after);
}

/*
 * Whether the kernel tracks soft-dirty bits (CONFIG_MEM_SOFT_DIRTY; never
 * on i386): then every new VMA is soft-dirty, and smaps shows "sd" in
 * its VmFlags.  1 or 0; -1 when smaps has no VMA at a.
 */
static int soft_dirty_tracked(pid_t pid, unsigned long a)
{
	char path[64], flags[512], *smaps, *p, *nl, *vf;
	unsigned long start, end;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	smaps = vmv_read_file(path, NULL);
	for (p = smaps; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (sscanf(p, "%lx-%lx ", &start, &end) != 2 || a < start ||
		    a >= end)
			continue;
		vf = strstr(p, "\nVmFlags:");
		if (vf && sscanf(vf, "\nVmFlags:%510[^\n]", flags) == 1) {
			strcat(flags, " ");
			ret = !!strstr(flags, " sd ");
		}
		break;
	}
	free(smaps);
	return ret;
}

/*
 * Pages of [start, end) whose soft-dirty bit differs between pagemap and
 * the ptes line of the page (its "softdirty" flag), or -1.
 */
static long soft_dirty_differ(struct __test_metadata *_metadata, pid_t pid,
			      unsigned long start, unsigned long end)
{
	char *text = vmv_pid_read(pid, "ptes", NULL);
	struct vmv_pte pl;
	unsigned long a;
	long bad = 0;
	bool pm, pt;

	if (!text)
		return -1;
	for (a = start; a < end; a += PG) {
		pm = vmv_pagemap_entry(pid, a) & PM_SOFT_DIRTY;
		pt = vmv_pte_find(text, a, &pl) &&
		     vmv_pte_has_flag(&pl, VMVIEW_F_SOFTDIRTY);
		if (pm != pt && bad++ < LOG_MAX)
			TH_LOG("0x%lx: soft-dirty in pagemap %d, in ptes %d",
			       a, pm, pt);
	}
	free(text);
	return bad;
}

/*
 * clear_refs 4: soft_dirty, pagemap's soft-dirty bits cleared, ptes
 * write-protected; a write then sets soft-dirty and rw again.  ptes'
 * softdirty flags agree with pagemap throughout.  Without soft-dirty
 * tracking in the kernel (no "sd" for a new VMA in smaps, nothing
 * soft-dirty in pagemap, and none in ptes either) there is nothing to
 * see: skipped.
 */
TEST_F(shadow, soft_dirty)
{
	struct tgt *t = &self->t[0];
	char path[64];
	unsigned long a;
	int tracked;

	a = map_written(_metadata, t, 16 * PG, TGT_NOHUGE);
	tracked = soft_dirty_tracked(t->pid, a);
	ASSERT_LE(0, tracked) TH_LOG("no VMA at 0x%lx in smaps", a);
	EXPECT_EQ(0, soft_dirty_differ(_metadata, t->pid, a, a + 16 * PG));
	if (!tracked) {
		ASSERT_EQ(0, pm_count(t->pid, a, a + 16 * PG, PM_SOFT_DIRTY));
		SKIP(return,
		     "no soft-dirty tracking in this kernel (CONFIG_MEM_SOFT_DIRTY): no \"sd\" in smaps");
	}
	ASSERT_EQ(16, pm_count(t->pid, a, a + 16 * PG, PM_SOFT_DIRTY));
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)t->pid);
	ASSERT_EQ(0, vmv_write_file(path, "4"));
	expect_events(_metadata, t, "soft_dirty", true, a, a + 16 * PG,
		      "clear_refs");
	EXPECT_EQ(0, pm_count(t->pid, a, a + 16 * PG, PM_SOFT_DIRTY));
	EXPECT_EQ(0, soft_dirty_differ(_metadata, t->pid, a, a + 16 * PG));
	verify_clean(_metadata, t->pid, "after clear_refs", NULL);
	expect_ptes(_metadata, t->pid, a, a + 16 * PG, 0, "soft-dirty clear");

	ASSERT_EQ(0, tgt_call(t, OP_WRITE, a, 4 * PG, 5, 0, NULL));
	EXPECT_EQ(4, pm_count(t->pid, a, a + 16 * PG, PM_SOFT_DIRTY));
	EXPECT_EQ(0, soft_dirty_differ(_metadata, t->pid, a, a + 16 * PG));
	verify_clean(_metadata, t->pid, "after writing again", NULL);
	expect_ptes(_metadata, t->pid, a, a + 4 * PG, 1, "written again");
}

/* The level of the ptes line at va: "pte", "pmd", ... or "" for none. */
static void pte_level(pid_t pid, unsigned long va, char *level, size_t len)
{
	char *text = vmv_pid_read(pid, "ptes", NULL);
	struct vmv_pte pl;
	bool found;

	found = text && vmv_pte_find(text, va, &pl) &&
		pl.kind == VMVIEW_KIND_PRESENT;
	snprintf(level, len, "%s", found ? vmv_level_names[pl.level] : "");
	free(text);
}

/* PID/shadow's and verify's name of a leaf of 2^shift bytes: 4k, 2m, 1g. */
/*
 * THP: the small pages of a huge page's range (512 of 2 MiB; 1024 of
 * 4 MiB without PAE), written in a VMA aligned to it, MADV_COLLAPSE
 * (clear over the range; one leaf at the huge level: pmd, or pgd
 * without PAE), a leaf injected there, then a split by mprotect of one
 * page (clear, protection_vma; pte lines).
 */
TEST_F_TIMEOUT(shadow, thp, 120)
{
	struct vmv_paging pg = vmv_paging();
	unsigned long a, huge = huge_sz();
	struct tgt *t = &self->t[0];
	char level[8], size[8];
	long long since;
	long ret = 0;
	int i;

	size_name(vmv_huge_shift(), size, sizeof(size));
	a = map_written(_metadata, t, huge, TGT_NOHUGE);
	pte_level(t->pid, a, level, sizeof(level));
	ASSERT_STREQ("pte", level);
	ASSERT_EQ(0, tgt_call(t, OP_ADVISE, a, huge, MADV_HUGEPAGE, 0, NULL));
	for (i = 0; i < TRIES; i++) {
		ret = tgt_call(t, OP_ADVISE, a, huge, MADV_COLLAPSE, 0, NULL);
		if (ret != -EAGAIN && ret != -ENOMEM)
			break;
		usleep(50000);
	}
	if (ret == -EINVAL)
		SKIP(return, "MADV_COLLAPSE: EINVAL (no THP for this VMA)");
	ASSERT_EQ(0, ret) TH_LOG("MADV_COLLAPSE: %s", strerror(-ret));
	expect_events(_metadata, t, "clear", true, a, a + huge, "collapse");
	EXPECT_EQ((long)(huge / PG), pm_count(t->pid, a, a + huge, PM_PRESENT));
	pte_level(t->pid, a, level, sizeof(level));
	ASSERT_STREQ(vmv_level_names[vmv_huge_level(&pg)], level);
	verify_clean(_metadata, t->pid, "after MADV_COLLAPSE", NULL);
	expect_injected(_metadata, t->pid, a + 5 * PG + 0x40, a, size, 1);

	ASSERT_EQ(0, tgt_call(t, OP_PROTECT, a + PG, PG, PROT_READ, 0, NULL));
	since = t->seen;
	expect_events(_metadata, t, "clear", true, a, a + huge, "split");
	check_events(_metadata, t->pid, since, "protection_vma", true, a + PG,
		     a + 2 * PG, "mprotect of one page");
	pte_level(t->pid, a, level, sizeof(level));
	EXPECT_STREQ("pte", level);
	verify_clean(_metadata, t->pid, "after the split", NULL);
	expect_ptes(_metadata, t->pid, a, a + PG, 1, "split, first page");
	expect_ptes(_metadata, t->pid, a + PG, a + 2 * PG, 0,
		    "split, read-only page");
	expect_ptes(_metadata, t->pid, a + 2 * PG, a + huge, 1,
		    "split, the rest");
}

/*
 * Exit: the kernel's exit_mmap() calls mmu_notifier_release() (release),
 * then unmaps everything (unmap); verify then fails with ESRCH, events
 * and shadow stay readable, untrack works and the mirror is freed.
 */
TEST_F(shadow, exit)
{
	struct tgt *t = &self->t[0];
	char path[128];
	struct evs e;
	int i, err, rel = -1;
	char *s;

	map_written(_metadata, t, 16 * PG, TGT_NOHUGE);
	EXPECT_EQ(self->mirrors0 + 1, vmv_status_num("alloc_mirrors"));
	ASSERT_EQ(-EPIPE, tgt_call(t, OP_EXIT, 0, 0, 0, 0, NULL));
	ASSERT_EQ(t->pid, waitpid(t->pid, NULL, 0));
	t->reaped = true;

	events_read(_metadata, t->pid, &e);
	for (i = 0; i < e.n; i++)
		if (e.v[i].seq > t->seen && !strcmp(e.v[i].name, "release"))
			rel = i;
	ASSERT_LE(0, rel) TH_LOG("no release event:\n%s", e.text);
	for (i = rel + 1; i < e.n; i++)
		EXPECT_STREQ("unmap", e.v[i].name)
			TH_LOG("after release:\n%s", e.text);
	free(e.v);
	free(e.text);

	s = vmv_pid_read(t->pid, "verify", NULL);
	err = errno;
	EXPECT_EQ(NULL, s);
	EXPECT_EQ(ESRCH, err) TH_LOG("verify after exit: %s", strerror(err));
	free(s);
	s = vmv_pid_read(t->pid, "shadow", NULL);
	EXPECT_NE(NULL, s);
	free(s);
	ASSERT_EQ(0, write_pid(VMV_UNTRACK, t->pid));
	t->tracked = false;
	EXPECT_EQ(-1, access(vmv_pid_path(path, sizeof(path), t->pid, "verify"),
			     F_OK));
	EXPECT_EQ(self->mirrors0, vmv_status_num("alloc_mirrors"));
}

struct vma {
	unsigned long start, end;
	bool mirrorable;
};

/* PID/vmas: the VMAs, and which ones the shadow mirrors. */
static int vmas_read(pid_t pid, struct vma *v, int max)
{
	char *text = vmv_pid_read(pid, "vmas", NULL), *p, *f, *nl;
	char perms[8], fl[512];
	int n = 0;

	for (p = text; p && *p && n < max; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (sscanf(p, "%lx-%lx %7s", &v[n].start, &v[n].end,
			   perms) != 3)
			continue;
		f = strstr(p, " flags=");
		fl[0] = '\0';
		if (f)
			sscanf(f, " flags=%511s", fl);
		v[n].mirrorable = perms[0] == 'r' && !has_word(fl, "io") &&
				  !has_word(fl, "pfnmap");
		n++;
	}
	free(text);
	return n;
}

/*
 * Count the leaves the shadow should hold, per level, from PID/ptes:
 * present lines in mirrorable VMAs that are not "special" unless they
 * are the zero page.
 */
static void ptes_leaves(pid_t pid, const struct vma *v, int nv,
			long counts[VMVIEW_NR_LEVELS])
{
	char *text = vmv_pid_read(pid, "ptes", NULL), *p, *nl;
	struct vmv_pte pl;
	int i;

	for (i = 0; i < VMVIEW_NR_LEVELS; i++)
		counts[i] = 0;
	for (p = text; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		if (*p == '#' || vmv_pte_parse(p, nl - p, &pl) ||
		    pl.kind != VMVIEW_KIND_PRESENT)
			continue;
		if (vmv_pte_has_flag(&pl, VMVIEW_F_SPECIAL) &&
		    !vmv_pte_has_pflag(&pl, VMVIEW_P_ZERO))
			continue;
		for (i = 0; i < nv; i++)
			if (v[i].start <= pl.va && pl.va < v[i].end)
				break;
		if (i == nv || !v[i].mirrorable)
			continue;
		counts[pl.level]++;
	}
	free(text);
}

/* Lines of text that start with prefix. */
static int lines_with(const char *text, const char *prefix)
{
	const char *p;
	int n = 0;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

/*
 * PID/shadow after a clean verify of a quiescent target with 8 MiB of
 * small pages and a huge page (a THP where the kernel makes one):
 *  - levels and one nodes_ line for each level of the guest's paging
 *    that is not folded (pgd, p4d, pud, pmd, pte by the kernel's names);
 *  - one leaves_ line per size a leaf can have (4k, 2m and 1g on
 *    x86-64, 4k and 2m with PAE, 4k and 4m without), each equal to the
 *    present lines of that level in PID/ptes in VMAs the shadow mirrors
 *    (readable, neither io nor pfnmap in PID/vmas; special entries only
 *    for the zero page);
 *  - bytes above 0 and at most the target's pgtables_bytes (PID/mm;
 *    VmPTE of /proc/PID/status agrees), plus, without PAE, the shadow's
 *    root of 1024 64-bit entries, which the kernel's count of its own
 *    pgd leaves out (Documentation/vmview.rst, "Shadow design").
 */
TEST_F_TIMEOUT(shadow, shadow_stats, 120)
{
	long want[VMVIEW_NR_LEVELS], have[VMVIEW_NR_LEVELS];
	long long bytes = 0, pgt = 0, vmpte, root = 0;
	struct vmv_paging pg = vmv_paging();
	int nv, try, i, l, nleaf = 0, nnode = 0;
	int leaf[3] = { VMVIEW_LEVEL_PTE, vmv_huge_level(&pg),
			VMVIEW_LEVEL_PUD };
	char key[32], path[64], *s, *st;
	struct tgt *t = &self->t[0];
	struct vma v[256];
	bool same;

	/*
	 * pud leaves: on x86-64 (1 GiB), and on arm64 where the kernel
	 * makes level-1 blocks (pud_sect_supported(): 4 KiB pages), which
	 * it tells by offering that size to hugetlb.
	 */
	nleaf = pg.levels >= 4 ? 3 : 2;
	if (VMV_ARCH_SELF == VMVIEW_ARCH_ARM64) {
		snprintf(path, sizeof(path),
			 "/sys/kernel/mm/hugepages/hugepages-%llukB",
			 1ULL << (pg.shift[VMVIEW_LEVEL_PUD] - 10));
		if (access(path, F_OK))
			nleaf = 2;
	}
	if (pg.levels == 2)
		root = 8LL << pg.bits[VMVIEW_LEVEL_PGD];
	map_written(_metadata, t, 8 * MIB, TGT_NOHUGE);
	map_written(_metadata, t, huge_sz(), TGT_HUGE);
	for (try = 0; try < 3; try++) {
		verify_clean(_metadata, t->pid, "before the counts", NULL);
		s = vmv_pid_read(t->pid, "shadow", NULL);
		ASSERT_NE(NULL, s);
		nv = vmas_read(t->pid, v, 256);
		ASSERT_LT(0, nv);
		ASSERT_GT(256, nv);
		ptes_leaves(t->pid, v, nv, want);
		same = true;
		for (i = 0; i < nleaf; i++) {
			strcpy(key, "leaves_");
			size_name(pg.shift[leaf[i]], key + 7, sizeof(key) - 7);
			have[leaf[i]] = vmv_kv_num(s, key);
			same = same && have[leaf[i]] == want[leaf[i]];
		}
		bytes = vmv_kv_num(s, "bytes");
		if (!try) {
			EXPECT_EQ(pg.levels, vmv_kv_num(s, "levels"));
			EXPECT_EQ(nleaf, lines_with(s, "leaves_")) TH_LOG("%s", s);
			for (l = VMVIEW_LEVEL_PTE; l <= VMVIEW_LEVEL_PGD; l++) {
				if (!pg.bits[l])
					continue;
				nnode++;
				snprintf(key, sizeof(key), "nodes_%s",
					 vmv_level_names[l]);
				EXPECT_LE(0, vmv_kv_num(s, key))
					TH_LOG("no %s:\n%s", key, s);
			}
			EXPECT_EQ(nnode + 1, lines_with(s, "nodes_"))
				TH_LOG("%s", s);
			EXPECT_LE(0, vmv_kv_num(s, "nodes_pte_wide"));
		}
		free(s);
		if (same)
			break;
		TH_LOG("try %d: shadow leaves %ld/%ld/%ld, ptes %ld/%ld/%ld",
		       try, have[leaf[0]], have[leaf[1]],
		       nleaf > 2 ? have[leaf[2]] : 0, want[leaf[0]],
		       want[leaf[1]], nleaf > 2 ? want[leaf[2]] : 0);
	}
	for (i = 0; i < nleaf; i++)
		EXPECT_EQ(want[leaf[i]], have[leaf[i]])
			TH_LOG("leaves at level %s", vmv_level_names[leaf[i]]);
	/* No present leaf at a level the shadow has no leaves_ line for. */
	for (l = VMVIEW_LEVEL_PTE; l <= VMVIEW_LEVEL_PGD; l++) {
		for (i = 0; i < nleaf && leaf[i] != l; i++)
			;
		if (i == nleaf)
			EXPECT_EQ(0, want[l]) TH_LOG("leaves at level %d", l);
	}
	EXPECT_LE((long)(8 * MIB / PG), have[VMVIEW_LEVEL_PTE]);

	s = vmv_pid_read(t->pid, "mm", NULL);
	ASSERT_NE(NULL, s);
	pgt = vmv_kv_num(s, "pgtables_bytes");
	free(s);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->pid);
	st = vmv_read_file(path, NULL);
	ASSERT_NE(NULL, st);
	vmpte = vmv_kv_num(st, "VmPTE");
	free(st);
	EXPECT_EQ(pgt, vmpte * 1024);
	EXPECT_LT(root, bytes);
	EXPECT_GE(pgt + root, bytes)
		TH_LOG("shadow bytes %lld > pgtables_bytes %lld + root %lld",
		       bytes, pgt, root);
	TH_LOG("shadow bytes %lld, pgtables_bytes %lld, leaves %ld/%ld/%ld",
	       bytes, pgt, have[leaf[0]], have[leaf[1]],
	       nleaf > 2 ? have[leaf[2]] : 0);
}

static long verify_checked(struct __test_metadata *_metadata, pid_t pid)
{
	struct vres v;
	int ret = verify_read(_metadata, pid, &v);

	EXPECT_EQ(0, ret);
	if (ret)
		return -1;
	EXPECT_EQ(0, v.mismatches) TH_LOG("%s", v.text);
	free(v.text);
	return v.checked;
}

static int set_range(pid_t pid, unsigned long start, unsigned long end)
{
	char s[64];

	snprintf(s, sizeof(s), "0x%lx-0x%lx\n", start, end);
	return vmv_pid_write(pid, "verify", s);
}

/* A verify through an open PID/verify: pread from offset 0 to EOF. */
static int verify_pread(int fd, long *checked, long *mismatches)
{
	char buf[8192], *last;
	ssize_t n = 0, r;

	while ((r = pread(fd, buf + n, sizeof(buf) - 1 - n, n)) > 0)
		n += r;
	if (r < 0 || !n)
		return -1;
	buf[n] = '\0';
	last = strstr(buf, "verify: ");
	if (!last || sscanf(last, "verify: checked=%ld mismatches=%ld",
			    checked, mismatches) != 2)
		return -1;
	return 0;
}

/*
 * Every read from offset 0 of an open PID/verify is a new verify (a tool
 * that verifies again and again keeps the file open): a range of 16
 * written pages, then MADV_DONTNEED of 4 (pagemap: 12 present) in
 * "changed" mode compares those 4, the next read nothing, and "full"
 * the 16 again.
 */
TEST_F(shadow, reread_from_zero)
{
	struct tgt *t = &self->t[0];
	long checked = -1, mism = -1;
	char path[96];
	unsigned long a;
	int fd;

	a = map_written(_metadata, t, 16 * PG, TGT_NOHUGE);
	ASSERT_EQ(0, set_range(t->pid, a, a + 16 * PG));
	fd = open(vmv_pid_path(path, sizeof(path), t->pid, "verify"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, verify_pread(fd, &checked, &mism));
	EXPECT_EQ(16, checked);
	EXPECT_EQ(0, mism);

	ASSERT_EQ(0, vmv_pid_write(t->pid, "verify", "changed\n"));
	ASSERT_EQ(0, tgt_call(t, OP_ADVISE, a + 4 * PG, 4 * PG, MADV_DONTNEED,
			      0, NULL));
	ASSERT_EQ(12, pm_count(t->pid, a, a + 16 * PG, PM_PRESENT));
	ASSERT_EQ(0, verify_pread(fd, &checked, &mism));
	EXPECT_EQ(4, checked);
	EXPECT_EQ(0, mism);
	ASSERT_EQ(0, verify_pread(fd, &checked, &mism));
	EXPECT_EQ(0, checked);

	ASSERT_EQ(0, vmv_pid_write(t->pid, "verify", "full\n"));
	ASSERT_EQ(0, verify_pread(fd, &checked, &mism));
	EXPECT_EQ(16, checked);
	EXPECT_EQ(0, mism);
	close(fd);
	ASSERT_EQ(0, vmv_pid_write(t->pid, "verify", "\n"));
}

/*
 * "START-END" limits verify to the pages of readable VMAs in the range:
 * a range starting in a hole, a whole VMA, a hole alone, a VMA partly
 * PROT_NONE.  "\n" restores the whole address space.  Bad ranges fail
 * with EINVAL and leave the range as it was.
 */
TEST_F(shadow, verify_range)
{
	static const char * const bad[] = {
		"0x2000-0x1000", "0x1000-0x1000", "abc", "0x1000", "0x1000-",
		"-0x1000", "0x1000-0x2000x", "0x1000-0x2000 ", "0x1000--0x2000",
		" 0x1000-0x2000", "0x-0x1000", "0x1000-0xffffffffffffffff",
		"0x1000-0x10000000000000000", "\n\n", "0x1000-0x2000\n\n",
	};
	struct tgt *t = &self->t[0];
	unsigned long a;
	unsigned int i;
	char s[64];
	long all;

	a = map_written(_metadata, t, 16 * PG, TGT_NOHUGE);
	all = verify_checked(_metadata, t->pid);
	ASSERT_LT(16, all);

	ASSERT_EQ(0, set_range(t->pid, a - 4 * PG, a + 8 * PG));
	EXPECT_EQ(8, verify_checked(_metadata, t->pid));
	ASSERT_EQ(0, set_range(t->pid, a, a + 16 * PG));
	EXPECT_EQ(16, verify_checked(_metadata, t->pid));
	ASSERT_EQ(0, set_range(t->pid, a - 4 * PG, a));
	EXPECT_EQ(0, verify_checked(_metadata, t->pid));

	ASSERT_EQ(0, tgt_call(t, OP_PROTECT, a + 12 * PG, 4 * PG, PROT_NONE,
			      0, NULL));
	ASSERT_EQ(0, set_range(t->pid, a, a + 16 * PG));
	EXPECT_EQ(12, verify_checked(_metadata, t->pid));

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *r = bad[i];

		EXPECT_EQ(-EINVAL, vmv_pid_write(t->pid, "verify", r))
			TH_LOG("range \"%s\"", r);
	}
	EXPECT_EQ(12, verify_checked(_metadata, t->pid));

	/* Up to TASK_SIZE itself is everything; a byte more is EINVAL. */
	snprintf(s, sizeof(s), "0x0-0x%llx\n", vmv_task_size());
	ASSERT_EQ(0, vmv_pid_write(t->pid, "verify", s)) TH_LOG("%s", s);
	EXPECT_EQ(all - 4, verify_checked(_metadata, t->pid));
	ASSERT_EQ(0, set_range(t->pid, a, a + 16 * PG));
	snprintf(s, sizeof(s), "0x0-0x%llx\n", vmv_task_size() + 1);
	EXPECT_EQ(-EINVAL, vmv_pid_write(t->pid, "verify", s)) TH_LOG("%s", s);
	EXPECT_EQ(12, verify_checked(_metadata, t->pid));

	ASSERT_EQ(0, vmv_pid_write(t->pid, "verify", "\n"));
	EXPECT_EQ(all - 4, verify_checked(_metadata, t->pid));
}

/*
 * inject: one corrupted leaf, exactly one mismatch at its page (the
 * address written may be anywhere in the page); a page zapped by
 * MADV_DONTNEED and a hole give ENOENT, junk EINVAL.  A fresh track starts
 * clean again.
 */
TEST_F(shadow, inject)
{
	struct tgt *t = &self->t[0];
	char buf[32];
	unsigned long a;

	a = map_written(_metadata, t, 16 * PG, TGT_NOHUGE);
	ASSERT_EQ(0, tgt_call(t, OP_ADVISE, a + 12 * PG, 4 * PG,
			      MADV_DONTNEED, 0, NULL));
	verify_clean(_metadata, t->pid, "before inject", NULL);

	snprintf(buf, sizeof(buf), "0x%lx", a + 12 * PG);
	EXPECT_EQ(-ENOENT, vmv_pid_write(t->pid, "inject", buf));
	snprintf(buf, sizeof(buf), "0x%lx\n", a - 4 * PG);
	EXPECT_EQ(-ENOENT, vmv_pid_write(t->pid, "inject", buf));
	EXPECT_EQ(-EINVAL, vmv_pid_write(t->pid, "inject", "xyz"));
	verify_clean(_metadata, t->pid, "after failed injects", NULL);

	expect_injected(_metadata, t->pid, a + 3 * PG + 0x123, a + 3 * PG,
			page_name(), 1);

	ASSERT_EQ(0, write_pid(VMV_UNTRACK, t->pid));
	t->tracked = false;
	track(_metadata, t);
	verify_clean(_metadata, t->pid, "tracked again", NULL);
}

/* Loaded without test_hooks, a tracked PID has verify but no inject. */
TEST_F(shadow, no_test_hooks)
{
	struct tgt *t = &self->t[0];
	char path[128];
	int ret, err;

	ASSERT_EQ(0, vmv_module_state(true, false));
	t->tracked = false;
	ASSERT_FALSE(vmv_hooks_on());
	track(_metadata, t);
	EXPECT_EQ(0, access(vmv_pid_path(path, sizeof(path), t->pid, "verify"),
			    F_OK));
	ret = access(vmv_pid_path(path, sizeof(path), t->pid, "inject"), F_OK);
	err = errno;
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(ENOENT, err);
	verify_clean(_metadata, t->pid, "without test hooks", NULL);
}

TEST_HARNESS_MAIN

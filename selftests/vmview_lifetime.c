// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_lifetime: unload and lifetime, and kernel lockdown (issue 6,
 * "Unload and lifetime" and the lockdown part of "Permissions").
 *
 * - rmmod while a thread reads PID/ptes slowly in 4 KiB chunks and
 *   another reads verify in a loop: refused with EAGAIN/EBUSY (the open
 *   files hold the module) every time, the reads go on unharmed; once the
 *   ptes reader closed, rmmod goes through.  With only the verify loop
 *   left, rmmod either fails the same way or goes through, and the loop
 *   then finds nothing (ENOENT), never a crash.
 * - A tracked process that execs: mm, vmas, ptes, translate and verify
 *   fail with ESRCH, shadow and events still read, and the last events
 *   are "release" and the "unmap" of the whole address space that
 *   exit_mmap() sends after it; tracking the number again needs an untrack first
 *   (EEXIST: it is still tracked), then follows the new program.
 * - A tracked process that is a zombie: the same, and tracking a zombie
 *   is ESRCH.
 * - A tracked PID that is reused: in a new PID namespace, the tracked
 *   child exits and is reaped, ns_last_pid brings its number back for a
 *   new child, and tracking that number replaces the stale entry.
 * - A tracked process killed (SIGKILL) while a thread reads its ptes
 *   over and over: every read gives data or ESRCH, nothing else.
 * - No global stalls (issue 16): process A maps enough zero pages that a
 *   full verify takes about a second (on x86-64; on i386 what its 3 GiB
 *   of user space holds: a few hundred ms); tracking and untracking a small
 *   process B takes less than a quarter of that while A's verify is in
 *   flight, while A is untracked under it, and while A's PID is tracked
 *   again as a read of its old directory is in flight (that track must
 *   end, not hang).
 * - Lockdown, raised at runtime (LAST test: it cannot be lowered again,
 *   and it keeps unsigned modules out; scripts/guest-run.sh runs this
 *   program last): track, untrack, translate and verify cannot be opened
 *   (EPERM), the read-only files still read, /proc/vmview's "lockdown:"
 *   line says so.  A kernel locked down from its command line
 *   (lockdown=...) refuses an unsigned vmview.ko outright (module
 *   signature enforcement), so this cannot be tested from boot.
 *
 * VMVIEW_LOCKDOWN=skip skips the lockdown test, VMVIEW_LOCKDOWN=only runs
 * it alone (scripts/debug-kernel.sh scans kmemleak, a debugfs file that
 * lockdown closes, in between).  Every test restores the module's loaded
 * state, but the lockdown test cannot reload it.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/userfaultfd.h>

#include "vmview_harness.h"

#define SECURITYFS	"/sys/kernel/security"
#define LOCKDOWN	SECURITYFS "/lockdown"
#define MIB		(1024UL * 1024)
/* The re-executed program (after exec) recognises itself by this. */
#define EXEC_ENV	"VMV_LIFETIME_EXECED"
#define EXEC_COMM	"vmv_execd"
#define MAX_TARGETS	8
/*
 * An event's range when it covers the whole address space: 0 to
 * ULONG_MAX, what exit_mmap() unmaps (0xffffffff on i386).
 */
#define WHOLE_FMT	"0x%016lx-0x%016lx"

/* The files that need the address space, and those that do not. */
static const char * const mm_files[] = {
	"mm", "vmas", "ptes", "ptes.bin", "translate", "verify",
};

static const char * const ro_files[] = {
	"mm", "vmas", "ptes", "ptes.bin", "shadow", "events",
};

static const char * const rw_files[] = { "translate", "verify" };

/* The exec'ed program: say so on the fd named in EXEC_ENV, then wait. */
static void __attribute__((constructor)) execd_ctor(void)
{
	const char *e = getenv(EXEC_ENV);
	char c = 'e';
	int fd;

	if (!e)
		return;
	fd = atoi(e);
	prctl(PR_SET_NAME, EXEC_COMM);
	if (write(fd, &c, 1) != 1)
		_exit(1);
	close(fd);
	for (;;)
		pause();
}

static ssize_t read_pid_file(pid_t pid, const char *file)
{
	char path[96];

	return vmv_read_all(vmv_pid_path(path, sizeof(path), pid, file), 65536);
}

static bool exists(const char *path)
{
	return !access(path, F_OK);
}

/*
 * Line n from the end of text (0: the last one), without its newline,
 * into out; "" when there is no such line.
 */
static void line_from_end(const char *text, int n, char *out, size_t len)
{
	const char *end = text + strlen(text), *start = end;

	while (end > text && end[-1] == '\n')
		end--;
	for (; n >= 0; n--) {
		for (start = end; start > text && start[-1] != '\n'; start--)
			;
		if (n && start == text) {
			end = text;	/* no such line: an empty one */
			start = end;
			break;
		}
		if (n)
			end = start - 1;
	}
	snprintf(out, len, "%.*s", (int)(end - start), start);
}

/* The last line of PID/events (without its newline) into out. */
static int last_event(pid_t pid, char *out, size_t len)
{
	char *ev;

	ev = vmv_pid_read(pid, "events", NULL);
	if (!ev)
		return -errno;
	line_from_end(ev, 0, out, len);
	free(ev);
	return 0;
}

/* "comm:" of PID/mm into out; 0 or -errno. */
static int mm_comm(pid_t pid, char *out, size_t len)
{
	char *mm;
	bool found;

	mm = vmv_pid_read(pid, "mm", NULL);
	if (!mm)
		return -errno;
	found = vmv_kv(mm, "comm", out, len);
	free(mm);
	return found ? 0 : -EINVAL;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * A target: a child with size bytes of anonymous memory written, that
 * waits for one byte on its command pipe, then execs this program (with
 * EXEC_ENV set: execd_ctor() takes over) or exits, as the byte says.  It
 * answers on its ack pipe: 'r' ready, 'e' exec'ed.
 */
static int target_start(struct vmv_child *t, size_t size)
{
	char env[32], c;
	size_t i;
	char *p;
	int ret;

	ret = vmv_child_fork(t, "vmv_lifetime");
	if (ret < 0)
		return ret;
	if (!ret) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		madvise(p, size, MADV_NOHUGEPAGE);
		for (i = 0; i < size; i += PG)
			p[i] = 1;
		c = 'r';
		if (write(t->ack, &c, 1) != 1 || read(t->cmd, &c, 1) != 1)
			_exit(0);
		if (c == 'x') {
			fcntl(t->ack, F_SETFD, 0);
			snprintf(env, sizeof(env), "%d", t->ack);
			setenv(EXEC_ENV, env, 1);
			execl("/proc/self/exe", EXEC_COMM, (char *)NULL);
		}
		_exit(0);
	}
	/* Ready: its memory is written. */
	return read(t->ack, &c, 1) == 1 && c == 'r' ? 0 : -ECHILD;
}

/* Which tests run: VMVIEW_LOCKDOWN=skip or =only. */
static bool lockdown_only(void)
{
	const char *e = getenv("VMVIEW_LOCKDOWN");

	return e && !strcmp(e, "only");
}

static bool lockdown_skipped(void)
{
	const char *e = getenv("VMVIEW_LOCKDOWN");

	return e && !strcmp(e, "skip");
}

FIXTURE(lifetime) {
	bool was_loaded;
	struct vmv_child t[MAX_TARGETS];
	long long base_tracked;
};

FIXTURE_SETUP(lifetime)
{
	self->was_loaded = vmv_module_loaded();
	ASSERT_EQ(0, vmv_ensure_loaded());
	ASSERT_TRUE(exists(VMV_TRACK)) TH_LOG("is debugfs mounted?");
	self->base_tracked = vmv_status_num("tracked");
	ASSERT_GE(self->base_tracked, 0);
}

FIXTURE_TEARDOWN(lifetime)
{
	int i;

	for (i = 0; i < MAX_TARGETS; i++) {
		if (self->t[i].pid > 0 && vmv_module_loaded())
			vmv_untrack(self->t[i].pid);
		vmv_child_stop(&self->t[i]);
	}
	if (self->was_loaded && !vmv_module_loaded())
		vmv_load();
	if (!self->was_loaded && vmv_module_loaded())
		vmv_unload();
}

/* --- rmmod under readers ---------------------------------------------------- */

/* The slow ptes reader. */
struct readers {
	pid_t pid;
	int started;		/* the ptes reader has read once */
	int done;		/* the ptes reader has closed its fd */
	int ptes_err;		/* -errno of a failed read */
	unsigned long ptes_reads, ptes_bytes;
	bool ptes_whole_lines;
};

/*
 * A thread reading PID/FILE whole in chunks, again and again, until told
 * to stop: it counts the reads with data, the reads that failed with one
 * of the errors gone[] (the file or its process is gone: expected), and
 * the other failures (an empty read is -ENODATA).
 */
struct loop_reader {
	pid_t pid;
	const char *file;
	size_t chunk;
	int gone[3];		/* errno values, 0 ends the list */
	int stop;
	unsigned long reads, bytes, gone_reads, bad;
	int err;		/* the last other failure */
};

static bool loop_reader_gone(const struct loop_reader *r, ssize_t n)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(r->gone) && r->gone[i]; i++)
		if (n == -r->gone[i])
			return true;
	return false;
}

static void *read_loop(void *arg)
{
	struct loop_reader *r = arg;
	char path[96];
	ssize_t n;

	vmv_pid_path(path, sizeof(path), r->pid, r->file);
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		n = vmv_read_all(path, r->chunk);
		if (n > 0) {
			__atomic_add_fetch(&r->reads, 1, __ATOMIC_RELAXED);
			r->bytes += n;
		} else if (loop_reader_gone(r, n)) {
			__atomic_add_fetch(&r->gone_reads, 1, __ATOMIC_RELAXED);
			/* Nothing to read for now: do not spin. */
			if (n == -ENOENT)
				usleep(1000);
		} else {
			r->bad++;
			r->err = n ? n : -ENODATA;
		}
	}
	return NULL;
}

/* Read PID/ptes in 4 KiB chunks, 5 ms apart, to EOF; check the lines. */
static void *slow_ptes_reader(void *arg)
{
	struct readers *r = arg;
	char path[96], buf[4097], last = '\n';
	bool line_start = true;
	ssize_t n, i;
	int fd;

	fd = open(vmv_pid_path(path, sizeof(path), r->pid, "ptes"), O_RDONLY);
	if (fd < 0) {
		r->ptes_err = -errno;
		goto out;
	}
	r->ptes_whole_lines = true;
	while ((n = read(fd, buf, 4096)) > 0) {
		for (i = 0; i < n; i++) {
			/* Every line is an entry ("0x...") or a comment. */
			if (line_start && buf[i] != '0' && buf[i] != '#')
				r->ptes_whole_lines = false;
			line_start = buf[i] == '\n';
		}
		last = buf[n - 1];
		r->ptes_reads++;
		r->ptes_bytes += n;
		__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
		usleep(5000);
	}
	if (n < 0)
		r->ptes_err = -errno;
	if (last != '\n')
		r->ptes_whole_lines = false;
	close(fd);
out:
	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST_F_TIMEOUT(lifetime, rmmod_while_reading, 300)
{
	struct readers r = { 0 };
	/*
	 * The verify loop: ENOENT when the module (or PID/) is gone; EIO
	 * when open as PID/ went (debugfs fails the read); ENXIO when opened
	 * while rmmod was under way (debugfs refuses a file of a module that
	 * is going).
	 */
	struct loop_reader v = {
		.file = "verify", .chunk = 4096, .gone = { ENOENT, EIO, ENXIO },
	};
	pthread_t pt, vt;
	int i, ret, refused = 0;
	long long t0;

	if (lockdown_only())
		SKIP(return, "VMVIEW_LOCKDOWN=only");

	/* 32 MiB written: about 8192 ptes lines, many 4 KiB reads. */
	ASSERT_EQ(0, target_start(&self->t[0], 32 * MIB));
	r.pid = self->t[0].pid;
	v.pid = r.pid;
	ASSERT_EQ(0, vmv_track(r.pid));
	ASSERT_EQ(0, pthread_create(&pt, NULL, slow_ptes_reader, &r));
	ASSERT_EQ(0, pthread_create(&vt, NULL, read_loop, &v));
	while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
		usleep(1000);

	/* Mid-read: every rmmod is refused, nothing moves. */
	for (i = 0; i < 10 && !__atomic_load_n(&r.done, __ATOMIC_ACQUIRE);
	     i++) {
		ret = vmv_unload();
		EXPECT_TRUE(ret == -EAGAIN || ret == -EBUSY)
			TH_LOG("rmmod with ptes open mid-read: %s",
			       ret ? strerror(-ret) : "done");
		if (ret)
			refused++;
		EXPECT_TRUE(vmv_module_loaded());
		usleep(50000);
	}
	pthread_join(pt, NULL);
	EXPECT_GT(refused, 0) TH_LOG("the ptes reader finished too soon");
	EXPECT_EQ(0, r.ptes_err) TH_LOG("ptes read: %s", strerror(-r.ptes_err));
	EXPECT_TRUE(r.ptes_whole_lines);
	/* At least 50 bytes for each page of the 32 MiB target. */
	EXPECT_GT(r.ptes_bytes, 32 * MIB / PG * 50)
		TH_LOG("%lu bytes", r.ptes_bytes);

	/* Only the verify loop is left: rmmod goes through at some point. */
	t0 = now_ms();
	do {
		ret = vmv_unload();
		EXPECT_TRUE(ret == 0 || ret == -EAGAIN || ret == -EBUSY)
			TH_LOG("rmmod with verify looping: %s", strerror(-ret));
		if (ret)
			usleep(10000);
	} while (ret && now_ms() - t0 < 60000);
	EXPECT_EQ(0, ret) TH_LOG("rmmod never went through");
	usleep(100000);
	__atomic_store_n(&v.stop, 1, __ATOMIC_RELAXED);
	pthread_join(vt, NULL);
	EXPECT_EQ(0UL, v.bad) TH_LOG("verify: %s", strerror(-v.err));
	EXPECT_GT(v.reads, 0UL);
	EXPECT_FALSE(vmv_module_loaded());
	ksft_print_msg("lifetime: rmmod refused %d times mid-read\n", refused);
	ksft_print_msg("lifetime: ptes: %lu reads of 4 KiB, %lu bytes\n",
		       r.ptes_reads, r.ptes_bytes);
	ksft_print_msg("lifetime: verify: %lu reads, %lu refused after rmmod\n",
		       v.reads, v.gone_reads);
	fflush(stdout);

	/* And it loads again, with nothing tracked. */
	ASSERT_EQ(0, vmv_load());
	EXPECT_EQ(0, vmv_status_num("tracked"));
}

/* --- a process that goes away -------------------------------------------------- */

/*
 * After pid's address space is gone: the files that need it fail with
 * ESRCH, shadow and events still read, and the last two events are
 * "release" and the "unmap" of everything that exit_mmap() sends after it
 * (Documentation/vmview.rst).
 */
static void expect_gone(struct __test_metadata *_metadata, pid_t pid,
			const char *why)
{
	char last[256], before[256], path[96], want[64], *ev;
	ssize_t n;
	size_t i;

	/* translate walks only once given an address. */
	vmv_pid_path(path, sizeof(path), pid, "translate");
	EXPECT_EQ(0, vmv_write_file(path, "0x1000\n"));
	for (i = 0; i < ARRAY_SIZE(mm_files); i++) {
		n = read_pid_file(pid, mm_files[i]);
		EXPECT_EQ(-ESRCH, n) TH_LOG("%s of a process that %s",
					    mm_files[i], why);
	}
	EXPECT_GT(read_pid_file(pid, "shadow"), 0) TH_LOG("%s", why);
	ev = vmv_pid_read(pid, "events", NULL);
	ASSERT_NE(NULL, ev) TH_LOG("events: %s", strerror(errno));
	line_from_end(ev, 0, last, sizeof(last));
	line_from_end(ev, 1, before, sizeof(before));
	snprintf(want, sizeof(want), " release " WHOLE_FMT, 0UL, ULONG_MAX);
	EXPECT_NE(NULL, strstr(before, want))
		TH_LOG("after it %s: %s, then %s", why, before, last);
	snprintf(want, sizeof(want), " unmap " WHOLE_FMT, 0UL, ULONG_MAX);
	EXPECT_NE(NULL, strstr(last, want))
		TH_LOG("after it %s: %s, then %s", why, before, last);
	free(ev);
}

/*
 * The read-only files of a live target read (events may be empty: no
 * invalidation yet).
 */
static void expect_alive(struct __test_metadata *_metadata, pid_t pid)
{
	ssize_t n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ro_files); i++) {
		n = read_pid_file(pid, ro_files[i]);
		EXPECT_TRUE(n > 0 || (n == 0 && !strcmp(ro_files[i], "events")))
			TH_LOG("%s: %zd", ro_files[i], n);
	}
}

TEST_F(lifetime, exec)
{
	struct vmv_child *t = &self->t[0];
	char c, comm[64], path[96];

	if (lockdown_only())
		SKIP(return, "VMVIEW_LOCKDOWN=only");

	ASSERT_EQ(0, target_start(t, 64 * PG));
	ASSERT_EQ(0, vmv_track(t->pid));
	vmv_pid_path(path, sizeof(path), t->pid, "translate");
	ASSERT_EQ(0, vmv_write_file(path, "0x1000\n"));
	expect_alive(_metadata, t->pid);
	ASSERT_EQ(0, mm_comm(t->pid, comm, sizeof(comm)));
	EXPECT_STREQ("vmv_lifetime", comm);

	/* exec, and wait until the new program runs. */
	ASSERT_EQ(1, write(t->cmd, "x", 1));
	ASSERT_EQ(1, read(t->ack, &c, 1));
	ASSERT_EQ('e', c);
	expect_gone(_metadata, t->pid, "exec'ed");

	/* Still tracked (the same process): track says EEXIST. */
	EXPECT_EQ(-EEXIST, vmv_track(t->pid));
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));
	/* Untracked and tracked again, it follows the new program. */
	ASSERT_EQ(0, vmv_untrack(t->pid));
	ASSERT_EQ(0, vmv_track(t->pid));
	expect_alive(_metadata, t->pid);
	ASSERT_EQ(0, mm_comm(t->pid, comm, sizeof(comm)));
	EXPECT_STREQ(EXEC_COMM, comm);
	EXPECT_EQ(0, last_event(t->pid, comm, sizeof(comm)));
	EXPECT_EQ(NULL, strstr(comm, " release ")) TH_LOG("%s", comm);
	EXPECT_EQ(0, vmv_untrack(t->pid));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
}

TEST_F(lifetime, zombie)
{
	struct vmv_child *t = &self->t[0], *u = &self->t[1];
	siginfo_t si;

	if (lockdown_only())
		SKIP(return, "VMVIEW_LOCKDOWN=only");

	ASSERT_EQ(0, target_start(t, 64 * PG));
	ASSERT_EQ(0, vmv_track(t->pid));
	expect_alive(_metadata, t->pid);

	/* Let it exit; do not reap it. */
	ASSERT_EQ(1, write(t->cmd, "q", 1));
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(0, waitid(P_PID, t->pid, &si, WEXITED | WNOWAIT));
	ASSERT_EQ(t->pid, si.si_pid);
	expect_gone(_metadata, t->pid, "is a zombie");
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));
	EXPECT_EQ(0, vmv_untrack(t->pid));

	/* A zombie has no address space to track. */
	EXPECT_EQ(-ESRCH, vmv_track(t->pid));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));

	/* Tracked, then reaped: the same, and untrack still works. */
	ASSERT_EQ(0, target_start(u, 64 * PG));
	ASSERT_EQ(0, vmv_track(u->pid));
	ASSERT_EQ(1, write(u->cmd, "q", 1));
	ASSERT_EQ(u->pid, waitpid(u->pid, NULL, 0));
	expect_gone(_metadata, u->pid, "was reaped");
	EXPECT_EQ(0, vmv_untrack(u->pid));
	u->pid = 0;
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
}

/* What the PID namespace's init saw, shared with the test. */
struct ns_report {
	int checks, fails;
	char log[4096];
};

static void ns_check(struct ns_report *r, bool ok, const char *fmt, ...)
{
	size_t used = strlen(r->log);
	va_list ap;

	r->checks++;
	if (ok)
		return;
	r->fails++;
	if (used + 100 >= sizeof(r->log))
		return;
	if (used)
		strcat(r->log, "\n# ");
	va_start(ap, fmt);
	vsnprintf(r->log + strlen(r->log), sizeof(r->log) - strlen(r->log),
		  fmt, ap);
	va_end(ap);
}

/* A child of the namespace's init that sits still, named: its PID. */
static pid_t ns_child(const char *comm)
{
	char c = 0;
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (!pid) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, comm);
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	/* Named before anyone looks. */
	if (pid > 0 && read(p[0], &c, 1) != 1)
		pid = -ECHILD;
	close(p[0]);
	return pid;
}

/*
 * PID 1 of a new PID namespace: track child "2", let it die, bring the
 * number back for a new child with ns_last_pid, track that number.
 */
static void ns_reuse(struct ns_report *r)
{
	char comm[64], ev[256];
	pid_t a, b;
	int ret;

	a = ns_child("vmv_first");
	ns_check(r, a == 2, "first child is PID %d, not 2", a);
	ret = vmv_track(a);
	ns_check(r, !ret, "track %d: %s", a, strerror(-ret));
	ret = mm_comm(a, comm, sizeof(comm));
	ns_check(r, !ret && !strcmp(comm, "vmv_first"), "%d/mm comm %s", a,
		 ret ? strerror(-ret) : comm);
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	ret = read_pid_file(a, "mm");
	ns_check(r, ret == -ESRCH, "mm of the reaped child: %d", ret);

	/* The next PID in this namespace is 2 again. */
	ret = vmv_write_file("/proc/sys/kernel/ns_last_pid", "1");
	ns_check(r, !ret, "ns_last_pid: %s", strerror(-ret));
	b = ns_child("vmv_second");
	ns_check(r, b == a, "second child is PID %d, not %d", b, a);
	if (b != a) {
		kill(b, SIGKILL);
		waitpid(b, NULL, 0);
		vmv_untrack(a);
		return;
	}
	ns_check(r, vmv_status_num("tracked") >= 1, "tracked: %lld", vmv_status_num("tracked"));
	/* The stale entry gives way to the new process. */
	ret = vmv_track(b);
	ns_check(r, !ret, "track of the reused PID %d: %s", b, strerror(-ret));
	ret = mm_comm(b, comm, sizeof(comm));
	ns_check(r, !ret && !strcmp(comm, "vmv_second"),
		 "%d/mm after reuse: comm %s", b, ret ? strerror(-ret) : comm);
	ret = last_event(b, ev, sizeof(ev));
	ns_check(r, !ret && !strstr(ev, " release "),
		 "events of the new entry: %s", ev);
	/* Tracked again, it is EEXIST: the entry is live now. */
	ret = vmv_track(b);
	ns_check(r, ret == -EEXIST, "track again: %d", ret);
	ret = vmv_untrack(b);
	ns_check(r, !ret, "untrack %d: %s", b, strerror(-ret));
	ret = vmv_untrack(b);
	ns_check(r, ret == -ENOENT, "untrack twice: %d (one entry only)", ret);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
}

TEST_F(lifetime, pid_reuse)
{
	struct ns_report *rep;
	long long before = vmv_status_num("tracked");
	pid_t a, b;
	int st;

	if (lockdown_only())
		SKIP(return, "VMVIEW_LOCKDOWN=only");

	if (access("/proc/sys/kernel/ns_last_pid", W_OK))
		SKIP(return, "no writable ns_last_pid (CONFIG_CHECKPOINT_RESTORE)");
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	a = fork();
	ASSERT_GE(a, 0);
	if (!a) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID))
			_exit(2);
		b = fork();
		if (!b) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			ns_reuse(rep);
			_exit(0);
		}
		if (b < 0 || waitpid(b, &st, 0) != b)
			_exit(3);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 4);
	}
	ASSERT_EQ(a, waitpid(a, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
		TH_LOG("namespace child: status 0x%x", st);
	EXPECT_EQ(0, rep->fails) TH_LOG("%s", rep->log);
	EXPECT_GE(rep->checks, 10);
	EXPECT_EQ(before, vmv_status_num("tracked"));
	munmap(rep, sizeof(*rep));
}

/* --- killed while a reader walks it -------------------------------------------- */

TEST_F_TIMEOUT(lifetime, killed_while_reading, 300)
{
	unsigned long reads = 0, esrch = 0;
	struct loop_reader r;
	long long t0;
	pthread_t th;
	int round;

	if (lockdown_only())
		SKIP(return, "VMVIEW_LOCKDOWN=only");

	for (round = 0; round < 5; round++) {
		struct vmv_child *t = &self->t[round];

		ASSERT_EQ(0, target_start(t, 16 * MIB));
		ASSERT_EQ(0, vmv_track(t->pid));
		/* Read PID/ptes whole, again and again: data or ESRCH. */
		r = (struct loop_reader){
			.pid = t->pid, .file = "ptes", .chunk = 16384,
			.gone = { ESRCH },
		};
		ASSERT_EQ(0, pthread_create(&th, NULL, read_loop, &r));
		/* Some reads, then SIGKILL in the middle of one. */
		t0 = now_ms();
		while (__atomic_load_n(&r.reads, __ATOMIC_RELAXED) < 2 &&
		       now_ms() - t0 < 60000)
			usleep(1000);
		usleep((round * 37 % 50) * 1000);
		ASSERT_EQ(0, kill(t->pid, SIGKILL));
		ASSERT_EQ(t->pid, waitpid(t->pid, NULL, 0));
		/* Reads after the reap: ESRCH. */
		t0 = now_ms();
		while (__atomic_load_n(&r.gone_reads, __ATOMIC_RELAXED) < 3 &&
		       now_ms() - t0 < 60000)
			usleep(1000);
		__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
		pthread_join(th, NULL);
		EXPECT_EQ(0UL, r.bad) TH_LOG("round %d: %s", round,
					     strerror(-r.err));
		EXPECT_GE(r.gone_reads, 3UL) TH_LOG("round %d", round);
		expect_gone(_metadata, t->pid, "was killed");
		EXPECT_EQ(0, vmv_untrack(t->pid));
		t->pid = 0;
		reads += r.reads;
		esrch += r.gone_reads;
	}
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
	ksft_print_msg("lifetime: 5 targets killed mid-walk: ptes reads: %lu data, %lu ESRCH\n",
		       reads, esrch);
	fflush(stdout);
}

/* --- no global stalls (issue 16) ------------------------------------------------ */

/*
 * A full verify of A should take about STALL_VERIFY_MS; below STALL_MIN_MS
 * a stall cannot be told from noise (SKIP).  A is grown from stall_sizes()'
 * first size up to at most its max to get there.  Where A cannot grow
 * that far (i386: 2.25 GiB of zero pages verify in 240 to 700 ms under
 * TCG, as busy as the host is), STALL_MIN_MS still leaves a bound (a
 * quarter of a verify: 30 ms or more) far above what B's track and
 * untrack take when nothing stalls (a few ms), and far below what they
 * take behind A's verify (most of one: it has run an eighth of a verify
 * when B starts).
 */
#define STALL_VERIFY_MS	1200
#define STALL_MIN_MS	120
#define GIB		(1024ULL * MIB)
#define STALL_TRIES	3	/* runs of a part before it fails */
#define STALL_SETUP_MS	600000	/* the most populating or tracking A may take */

/*
 * Process A, made slow to verify: private anonymous memory (THP disabled)
 * whose every page maps the shared zero page.  That costs 8 bytes of page
 * table a page and no memory, and a full verify compares every page (the
 * zero page's entries are "special": verify decodes each, about ten times
 * the cost of an ordinary page's): with the few GiB of RAM of a test
 * guest, ordinary pages would verify in tens of milliseconds.
 * UFFDIO_ZEROPAGE maps them six times faster than read faults would
 * under TCG (the fallback).  'g' and a size_t on A's command pipe map
 * that much more; it answers 'r' once mapped ('f': the mmap failed).
 */
static char zero_map(size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		       MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { (unsigned long)p, size },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct uffdio_zeropage z;
	size_t done = 0, i;
	int fd;

	if (p == MAP_FAILED)
		return 'f';
	fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd >= 0 && !ioctl(fd, UFFDIO_API, &api) &&
	    !ioctl(fd, UFFDIO_REGISTER, &reg)) {
		while (done < size) {
			z = (struct uffdio_zeropage){
				.range = { (unsigned long)p + done, size - done },
			};
			if (ioctl(fd, UFFDIO_ZEROPAGE, &z) && errno != EAGAIN)
				break;
			if (z.zeropage > 0)
				done += z.zeropage;
		}
	}
	if (fd >= 0)
		close(fd);
	/* What is left (all of it without userfaultfd): read faults. */
	for (i = done; i < size; i += PG)
		(void)__atomic_load_n(p + i, __ATOMIC_RELAXED);
	return 'r';
}

/* Wait for the child's answer, at most ms: 0, -ETIMEDOUT or -ECHILD. */
static int ack_wait(struct vmv_child *t, int ms)
{
	struct pollfd p = { .fd = t->ack, .events = POLLIN };
	char c;

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	return read(t->ack, &c, 1) == 1 && c == 'r' ? 0 : -ECHILD;
}

static int zero_target_start(struct vmv_child *t, size_t size)
{
	int ret;
	char c;

	ret = vmv_child_fork(t, "vmv_zero");
	if (ret < 0)
		return ret;
	if (!ret) {
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		c = zero_map(size);
		while (write(t->ack, &c, 1) == 1 && read(t->cmd, &c, 1) == 1 &&
		       c == 'g' &&
		       read(t->cmd, &size, sizeof(size)) == sizeof(size))
			c = zero_map(size);
		_exit(0);
	}
	return ack_wait(t, STALL_SETUP_MS);
}

/*
 * How big A starts, the most it may grow to, and the step its growth is
 * rounded to (whole pages, as userfaultfd wants): 4 GiB, 48 GiB and 1
 * GiB on x86-64; on i386, whose user space is 3 GiB (TASK_SIZE), three
 * quarters of that at most (A's mappings must fit between the program
 * and its stack), a quarter of it to start with.
 */
static void stall_sizes(unsigned long long *first, unsigned long long *max,
			unsigned long long *step)
{
	*max = vmv_task_size() / 4 * 3 / MIB * MIB;
	if (*max > 48 * GIB)
		*max = 48 * GIB;
	*first = *max / 4 < 4 * GIB ? *max / 4 / MIB * MIB : 4 * GIB;
	*step = *first / 4;
}

static int zero_target_grow(struct vmv_child *t, size_t more)
{
	if (write(t->cmd, "g", 1) != 1 ||
	    write(t->cmd, &more, sizeof(more)) != sizeof(more))
		return -EPIPE;
	return ack_wait(t, STALL_SETUP_MS);
}

/*
 * One track, untrack or read of verify, in a thread of its own, so that
 * the test can time it and never wait for it without a limit.  An op
 * that did not finish in time is left to its thread (never freed).
 */
struct op {
	pthread_t th;
	int (*fn)(struct op *op);
	pid_t pid;
	long long start, end;	/* now_ms(); end is 0 while it runs */
	long long opened;	/* verify: when its file was open */
	int ret;		/* 0 or -errno */
	char line[128];		/* verify: its last line */
};

static void *op_main(void *arg)
{
	struct op *op = arg;
	int ret;

	__atomic_store_n(&op->start, now_ms(), __ATOMIC_RELEASE);
	ret = op->fn(op);
	op->ret = ret;
	__atomic_store_n(&op->end, now_ms(), __ATOMIC_RELEASE);
	return NULL;
}

static struct op *op_start(int (*fn)(struct op *op), pid_t pid)
{
	struct op *op = calloc(1, sizeof(*op));
	long long t0 = now_ms();

	if (!op)
		return NULL;
	op->fn = fn;
	op->pid = pid;
	if (pthread_create(&op->th, NULL, op_main, op)) {
		free(op);
		return NULL;
	}
	/* Running: its clock started (its syscall follows at once). */
	while (!__atomic_load_n(&op->start, __ATOMIC_ACQUIRE) &&
	       now_ms() - t0 < 10000)
		usleep(100);
	return op;
}

static long long op_end(struct op *op)
{
	return __atomic_load_n(&op->end, __ATOMIC_ACQUIRE);
}

/* Wait at most ms for op: 0 (it is done) or -ETIMEDOUT. */
static int op_wait(struct op *op, long long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += ms % 1000 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return pthread_timedjoin_np(op->th, NULL, &ts) ? -ETIMEDOUT : 0;
}

/*
 * Wait at most ms for op, then free it: its result, or -ETIMEDOUT (op
 * left to its thread); took and end, if not NULL, say how long it took
 * and when it ended.
 */
static int op_finish(struct op *op, long long ms, long long *took,
		     long long *end)
{
	int ret;

	if (!op)
		return -ENOMEM;
	if (op_wait(op, ms))
		return -ETIMEDOUT;
	ret = op->ret;
	if (took)
		*took = op->end - op->start;
	if (end)
		*end = op->end;
	free(op);
	return ret;
}

static int op_track(struct op *op)
{
	return vmv_track(op->pid);
}

static int op_untrack(struct op *op)
{
	return vmv_untrack(op->pid);
}

/*
 * Read PID/verify whole (one verify): op->opened tells that the read is
 * about to start; its last line goes to op->line.
 */
static int op_verify(struct op *op)
{
	size_t len = 0, cap = 65536;
	char path[96], *buf = malloc(cap + 1);
	int fd, ret = 0;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	fd = open(vmv_pid_path(path, sizeof(path), op->pid, "verify"),
		  O_RDONLY);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	__atomic_store_n(&op->opened, now_ms(), __ATOMIC_RELEASE);
	/* Mismatch lines are few (64 at most): cap bytes are plenty. */
	while ((n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	if (n < 0)
		ret = -errno;
	close(fd);
	buf[len] = '\0';
	line_from_end(buf, 0, op->line, sizeof(op->line));
out:
	free(buf);
	return ret;
}

/* Run fn(pid) and wait for it, as op_finish(). */
static int op_run(int (*fn)(struct op *op), pid_t pid, long long ms,
		  long long *took, long long *end)
{
	return op_finish(op_start(fn, pid), ms, took, end);
}

struct stall {
	pid_t a, b;
	long long tracked;	/* /proc/vmview's count with A tracked */
	long long verify_ms;	/* a full verify of A */
	long long track_ms;	/* tracking A (its shadow's first fill) */
	long long bound;	/* what B's track and untrack may take */
	long long hang;		/* what anything may take before it hangs */
};

/* One track and untrack of B, timed. */
struct b_cycle {
	int track_ret, untrack_ret;
	long long track_ms, untrack_ms;
	long long end;		/* when the untrack ended */
};

static void stall_b(struct __test_metadata *_metadata, const struct stall *s,
		    struct b_cycle *c)
{
	c->track_ret = op_run(op_track, s->b, s->hang, &c->track_ms, NULL);
	ASSERT_NE(-ETIMEDOUT, c->track_ret) TH_LOG("track B hung");
	c->untrack_ret = op_run(op_untrack, s->b, s->hang, &c->untrack_ms,
				&c->end);
	ASSERT_NE(-ETIMEDOUT, c->untrack_ret) TH_LOG("untrack B hung");
	EXPECT_EQ(0, c->track_ret) TH_LOG("track B: %s",
					  strerror(-c->track_ret));
	EXPECT_EQ(0, c->untrack_ret) TH_LOG("untrack B: %s",
					    strerror(-c->untrack_ret));
}

/*
 * Start a full verify of A and let it get under way.  With untrack, also
 * untrack A meanwhile (in a thread of its own: it may wait for the
 * verify) and wait until A is no longer counted as tracked.  *early
 * tells that the verify was over before that untrack began.
 */
static struct op *stall_verify_start(struct __test_metadata *_metadata,
				     const struct stall *s, struct op **untrack,
				     bool *early)
{
	struct op *v = op_start(op_verify, s->a);
	long long t0 = now_ms();

	ASSERT_NE(NULL, v);
	/* Its read under way for an eighth of a verify. */
	while (!__atomic_load_n(&v->opened, __ATOMIC_ACQUIRE) &&
	       !op_end(v) && now_ms() - t0 < s->hang)
		usleep(1000);
	ASSERT_EQ(0, op_end(v)) TH_LOG("verify of A: %s", strerror(-v->ret));
	usleep(s->verify_ms / 8 * 1000);
	*early = op_end(v);
	if (!untrack)
		return v;
	*untrack = op_start(op_untrack, s->a);
	ASSERT_NE(NULL, *untrack);
	t0 = now_ms();
	while (vmv_status_num("tracked") != s->tracked - 1 &&
	       now_ms() - t0 < s->hang)
		usleep(1000);
	EXPECT_EQ(s->tracked - 1, vmv_status_num("tracked"))
		TH_LOG("untrack A never took A off the list");
	return v;
}

/*
 * Wait for the verify in flight: it read whole (or, with gone_ok, failed
 * with EIO: A's directory was removed under it) with no mismatch.
 * Returns how it ended.
 */
static int stall_verify_done(struct __test_metadata *_metadata,
			     const struct stall *s, struct op *v, bool gone_ok)
{
	int ret;

	ASSERT_EQ(0, op_wait(v, s->hang)) TH_LOG("the verify of A hung");
	ret = v->ret;
	EXPECT_TRUE(!ret || (gone_ok && ret == -EIO))
		TH_LOG("verify of A: %s", strerror(-ret));
	if (!ret)
		EXPECT_NE(NULL, strstr(v->line, " mismatches=0 "))
			TH_LOG("verify of A: %s", v->line);
	free(v);
	return ret;
}

/*
 * Was B's cycle done within the bound, with what it had to be done under
 * (shown) true?  Says so either way, and how A's verify ended (v_end:
 * when, as seen when B's cycle was over, 0: not yet; v_ret: its result).
 */
static bool stall_judge(const struct stall *s, const struct b_cycle *c,
			bool shown, long long v_end, int v_ret,
			const char *part, int try)
{
	bool quick = c->track_ms < s->bound && c->untrack_ms < s->bound;
	char vs[96];

	if (!v_end)
		snprintf(vs, sizeof(vs), "still in flight");
	else
		snprintf(vs, sizeof(vs), "%s %lld ms before",
			 v_ret ? strerror(-v_ret) : "done", c->end - v_end);
	ksft_print_msg("lifetime: %s (try %d): track B %lld ms, untrack B %lld ms\n",
		       part, try + 1, c->track_ms, c->untrack_ms);
	ksft_print_msg("lifetime:   (bound %lld ms); A's verify then: %s%s\n",
		       s->bound, vs,
		       !quick ? ": STALLED" : !shown ? ": nothing shown, again" :
		       "");
	fflush(stdout);
	return quick && shown;
}

/* Verify A, timed: the verify's duration, or -errno. */
static long long stall_time_verify(const struct stall *s)
{
	long long took = 0;
	int ret = op_run(op_verify, s->a, s->hang, &took, NULL);

	return ret ? ret : took;
}

/*
 * Tracking and untracking process B is not held up by process A: not by
 * a long verify of A in flight (1), not by untracking A while that verify
 * is in flight (2: that untrack may wait for the reads of A's directory,
 * nobody else), and not by tracking A's PID again while a read of A's old
 * directory is in flight (3), which itself must end (succeed, or fail
 * with EBUSY or EAGAIN), not hang.  "Not held up": B's track and untrack
 * each take less than a quarter of what a full verify of A takes,
 * measured first; in (1) they are over while that verify still runs; in
 * (2) and (3) the verify was under way when A was untracked (how long it
 * then runs is the module's business: it may end early).  A part is run
 * up to STALL_TRIES times (a stall shows every time, a scheduling hiccup
 * of the guest not); each try prints its figures.
 */
TEST_F_TIMEOUT(lifetime, no_global_stall, 1200)
{
	struct vmv_child *a = &self->t[0], *b = &self->t[1];
	struct stall s = { .hang = STALL_SETUP_MS };
	unsigned long long size, max, step, more;
	struct op *v, *ua = NULL, *ta;
	long long d = 0, d2, t0 = now_ms(), t;
	struct b_cycle c;
	char comm[64];
	int ret, try, i;
	bool ok = false, early;

	if (lockdown_only())
		SKIP(return, "VMVIEW_LOCKDOWN=only");
	s.tracked = self->base_tracked + 1;

	/* A, grown until a full verify takes about STALL_VERIFY_MS. */
	stall_sizes(&size, &max, &step);
	ASSERT_EQ(0, zero_target_start(a, size));
	s.a = a->pid;
	ASSERT_EQ(0, op_run(op_track, s.a, s.hang, &s.track_ms, NULL));
	for (i = 0; ; i++) {
		/* The shorter of two: the bound errs on the strict side. */
		d = stall_time_verify(&s);
		d2 = stall_time_verify(&s);
		ASSERT_LT(0, d) TH_LOG("verify of A: %s", strerror(-d));
		ASSERT_LT(0, d2) TH_LOG("verify of A: %s", strerror(-d2));
		d = d < d2 ? d : d2;
		ksft_print_msg("lifetime: A maps %llu MiB: a full verify takes %lld ms\n",
			       size / MIB, d);
		if (d >= STALL_VERIFY_MS * 3 / 4 || size >= max || i == 3)
			break;
		more = size * STALL_VERIFY_MS / (d > 10 ? d : 10);
		more = more > size ? more - size : 0;
		if (more < size / 4)
			more = size / 4;
		more = (more + step - 1) / step * step;
		if (more > max - size)
			more = max - size;
		/* Grown, then a new shadow: filled by track, not verify. */
		ASSERT_EQ(0, vmv_untrack(s.a));
		ASSERT_EQ(0, zero_target_grow(a, more));
		size += more;
		ASSERT_EQ(0, op_run(op_track, s.a, s.hang, &s.track_ms, NULL));
	}
	s.verify_ms = d;
	s.bound = s.verify_ms / 4;
	s.hang = 60000 + 10 * (s.verify_ms + s.track_ms);
	ksft_print_msg("lifetime: A maps %llu MiB of zero pages (made in %lld ms):\n",
		       size / MIB, now_ms() - t0);
	ksft_print_msg("lifetime:   track %lld ms, full verify %lld ms\n",
		       s.track_ms, s.verify_ms);
	/* The harness ends the test with _exit(): flush now. */
	fflush(stdout);
	if (s.verify_ms < STALL_MIN_MS)
		SKIP(return, "a full verify of A takes %lld ms here: too quick to tell a stall",
		     s.verify_ms);
	ASSERT_EQ(0, target_start(b, 64 * PG));
	s.b = b->pid;

	/* 1. A's verify in flight. */
	for (try = 0; try < STALL_TRIES && !ok; try++) {
		v = stall_verify_start(_metadata, &s, NULL, &early);
		stall_b(_metadata, &s, &c);
		t = op_end(v);
		ret = stall_verify_done(_metadata, &s, v, false);
		ok = stall_judge(&s, &c, !early && !ret && (!t || t >= c.end),
				 t, ret, "1. A's verify in flight", try);
	}
	EXPECT_TRUE(ok) TH_LOG("1: B's track and untrack waited for A's verify");

	/* 2. Untrack A while its verify is in flight. */
	for (try = 0, ok = false; try < STALL_TRIES && !ok; try++) {
		if (try)
			ASSERT_EQ(0, op_run(op_track, s.a, s.hang, &t, NULL));
		v = stall_verify_start(_metadata, &s, &ua, &early);
		stall_b(_metadata, &s, &c);
		t = op_end(v);
		ret = stall_verify_done(_metadata, &s, v, true);
		ok = stall_judge(&s, &c, !early, t, ret,
				 "2. A untracked while its verify runs", try);
		ret = op_finish(ua, s.hang, NULL, NULL);
		ASSERT_NE(-ETIMEDOUT, ret) TH_LOG("untrack of A hung");
		EXPECT_EQ(0, ret) TH_LOG("untrack of A: %s", strerror(-ret));
		EXPECT_EQ(s.tracked - 1, vmv_status_num("tracked"));
	}
	EXPECT_TRUE(ok) TH_LOG("2: B's track and untrack waited for A's verify");

	/* 3. Track A's PID again while a read of its old directory is in flight. */
	for (try = 0, ok = false; try < STALL_TRIES && !ok; try++) {
		ASSERT_EQ(0, op_run(op_track, s.a, s.hang, &t, NULL));
		v = stall_verify_start(_metadata, &s, &ua, &early);
		ta = op_start(op_track, s.a);
		ASSERT_NE(NULL, ta);
		stall_b(_metadata, &s, &c);
		t = op_end(v);
		ret = stall_verify_done(_metadata, &s, v, true);
		ok = stall_judge(&s, &c, !early, t, ret,
				 "3. A tracked again while its old directory is read",
				 try);
		ret = op_finish(ua, s.hang, NULL, NULL);
		ASSERT_NE(-ETIMEDOUT, ret) TH_LOG("untrack of A hung");
		EXPECT_EQ(0, ret) TH_LOG("untrack of A: %s", strerror(-ret));
		ret = op_finish(ta, s.hang, &t, NULL);
		ASSERT_NE(-ETIMEDOUT, ret) TH_LOG("tracking A again hung");
		EXPECT_TRUE(!ret || ret == -EBUSY || ret == -EAGAIN)
			TH_LOG("tracking A again: %s", strerror(-ret));
		ksft_print_msg("lifetime: A tracked again while its old directory was read: %s\n",
			       ret ? strerror(-ret) : "done");
		ksft_print_msg("lifetime:   in %lld ms\n", t);
		fflush(stdout);
		/* Refused for now: the old directory is gone, so now it goes. */
		if (ret)
			EXPECT_EQ(0, op_run(op_track, s.a, s.hang, &t, NULL));
		/* The new directory is A's. */
		EXPECT_EQ(0, mm_comm(s.a, comm, sizeof(comm)));
		EXPECT_STREQ("vmv_zero", comm);
		EXPECT_EQ(s.tracked, vmv_status_num("tracked"));
		ASSERT_EQ(0, vmv_untrack(s.a));
	}
	EXPECT_TRUE(ok) TH_LOG("3: B's track and untrack waited for A's verify");
	ksft_print_msg("lifetime: no_global_stall took %lld s\n",
		       (now_ms() - t0) / 1000);
	fflush(stdout);
}

/* --- lockdown: the LAST test ---------------------------------------------------- */

/* The lockdown level in force ("none", "integrity", ...), or "". */
static void lockdown_level(char *out, size_t len)
{
	char *s = vmv_read_file(LOCKDOWN, NULL), *a, *b;

	out[0] = '\0';
	if (!s)
		return;
	a = strchr(s, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b && (size_t)(b - a) < len) {
		memcpy(out, a + 1, b - a - 1);
		out[b - a - 1] = '\0';
	}
	free(s);
}

/*
 * Raised at runtime, lockdown closes debugfs's writable files: track,
 * untrack, translate and verify fail to open with EPERM; the read-only
 * files still read; /proc/vmview says it.  It cannot be lowered again:
 * this test must be the last of the last program.  Afterwards an
 * unsigned vmview.ko cannot be loaded where the kernel checks module
 * signatures (Debian's), as with lockdown= on the command line.
 */
TEST_F(lifetime, lockdown)
{
	struct vmv_child *t = &self->t[0];
	char level[32], path[96], *st, line[256];
	bool signing;
	size_t i;
	int ret;

	if (lockdown_skipped())
		SKIP(return, "VMVIEW_LOCKDOWN=skip");
	if (!exists(LOCKDOWN) && exists(SECURITYFS))
		mount("securityfs", SECURITYFS, "securityfs", 0, NULL);
	if (!exists(LOCKDOWN))
		SKIP(return, "no %s: no lockdown LSM in this kernel", LOCKDOWN);
	lockdown_level(level, sizeof(level));
	ASSERT_STREQ("none", level) TH_LOG("locked down already");
	st = vmv_read_file(VMVIEW_PROC_STATUS, NULL);
	ASSERT_NE(NULL, st);
	EXPECT_TRUE(vmv_kv(st, "lockdown", line, sizeof(line)));
	EXPECT_STREQ("none", line);
	free(st);

	/* Tracked before: its directory is there to try. */
	ASSERT_EQ(0, target_start(t, 64 * PG));
	ASSERT_EQ(0, vmv_track(t->pid));
	ASSERT_EQ(0, vmv_write_file(LOCKDOWN, "integrity"));
	lockdown_level(level, sizeof(level));
	ASSERT_STREQ("integrity", level);

	EXPECT_EQ(-EPERM, vmv_open_err(VMV_TRACK, O_WRONLY));
	EXPECT_EQ(-EPERM, vmv_open_err(VMV_UNTRACK, O_WRONLY));
	EXPECT_EQ(-EPERM, vmv_untrack(t->pid));
	for (i = 0; i < ARRAY_SIZE(rw_files); i++) {
		vmv_pid_path(path, sizeof(path), t->pid, rw_files[i]);
		EXPECT_EQ(-EPERM, vmv_open_err(path, O_RDWR)) TH_LOG("%s", path);
		/* The file's mode decides, not the open's flags. */
		EXPECT_EQ(-EPERM, vmv_open_err(path, O_RDONLY)) TH_LOG("%s", path);
	}
	expect_alive(_metadata, t->pid);
	st = vmv_read_file(VMVIEW_PROC_STATUS, NULL);
	ASSERT_NE(NULL, st);
	EXPECT_TRUE(vmv_kv(st, "lockdown", line, sizeof(line)));
	EXPECT_NE(0, strcmp(line, "none"));
	EXPECT_NE(NULL, strstr(line, "locked down")) TH_LOG("%s", line);
	ksft_print_msg("lifetime: under lockdown /proc/vmview says: lockdown: %s\n",
		       line);
	fflush(stdout);
	free(st);
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));

	/* rmmod still works (and untracks); loading again is checked. */
	vmv_child_stop(t);
	ASSERT_EQ(0, vmv_unload());
	ret = vmv_load();
	signing = exists("/sys/module/module/parameters/sig_enforce");
	if (!signing)
		TH_LOG("no module signing in this kernel: the load gave %s",
		       ret ? strerror(-ret) : "success");
	EXPECT_TRUE(!signing || ret == -EPERM)
		TH_LOG("loading the unsigned module under lockdown: %s",
		       ret ? strerror(-ret) : "loaded");
	/* What the teardown cannot undo: leave it as the load left it. */
	self->was_loaded = vmv_module_loaded();
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_errors: the inspector's error handling, permissions and lifetime
 * (issue 3, "Safety and errors"; the contract is Documentation/vmview.rst).
 *
 * - Every malformed write to track, untrack and PID/translate fails with
 *   EINVAL and changes nothing; the valid forms are accepted.
 * - An unknown PID is ESRCH, a kernel thread EINVAL (with no dmesg line),
 *   tracking twice EEXIST, untracking what is not tracked ENOENT.
 * - File modes and the "tracked:" count of /proc/vmview; a target that
 *   exits while tracked; an fd kept open across untrack and across rmmod;
 *   rmmod with processes tracked.
 * - Only CAP_SYS_ADMIN opens anything (uid 65534, and root without the
 *   capability); /proc/vmview stays readable by everyone.
 * - PIDs are resolved in the writer's PID namespace.
 * - Huge writes and reads return promptly.
 *
 * Targets are forked children parked in pause().  Children that check
 * things with other credentials or in another PID namespace never use the
 * harness macros (an ASSERT there would run the teardown in the child):
 * they record what they saw in a shared report that the test checks.
 * Every PID a test tracked is untracked at the end, and the module's
 * loaded state before the test is restored.
 */
#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "vmview_harness.h"

#define VMV_MIB		(1024 * 1024)
#define VMV_NOBODY	65534
#define VMV_MAX_EXTRA	4
#define VMV_MAX_SNAP	64
/* How long a refused 1 MiB write may take, even under TCG. */
#define VMV_PROMPT_MS	3000

/* The files of a tracked PID/ directory that tests read. */
static const char * const pid_files[] = { "mm", "vmas", "ptes", "translate" };

/* What a helper child saw, shared with the test through MAP_SHARED. */
struct vmv_report {
	int checks;
	int fails;
	char log[8192];
};

static void rep_fail(struct vmv_report *r, const char *fmt, ...)
{
	size_t used = strlen(r->log);
	va_list ap;

	r->fails++;
	/* One TH_LOG prints it all: later lines need their own "# ". */
	if (used) {
		if (used + 3 >= sizeof(r->log))
			return;
		strcpy(r->log + used, "\n# ");
		used += 3;
	}
	va_start(ap, fmt);
	vsnprintf(r->log + used, sizeof(r->log) - used, fmt, ap);
	va_end(ap);
}

/* One check in a child: got (0 or -errno) must be want1 or want2. */
static void rep_expect(struct vmv_report *r, const char *what, int got,
		       int want1, int want2)
{
	r->checks++;
	if (got != want1 && got != want2)
		rep_fail(r, "%s: got %d (%s), want %d or %d", what, got,
			 got < 0 ? strerror(-got) : "success", want1, want2);
}

/* One open, one write() of len bytes: the count written, or -errno. */
static ssize_t write_raw(const char *path, const void *data, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	err = errno;
	close(fd);
	return n < 0 ? -err : n;
}

/* One read() on an open fd: the count, or -errno. */
static ssize_t read_once(int fd)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf));

	return n < 0 ? -errno : n;
}

static bool is_dir(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISDIR(sb.st_mode);
}

static bool pid_dir_exists(int pid)
{
	char path[128];

	return is_dir(vmv_pid_path(path, sizeof(path), pid, NULL));
}

/* The numeric entries (tracked PIDs) of the debugfs directory. */
static int tracked_dirs(int *pids, int max)
{
	DIR *d = opendir(VMVIEW_DEBUGFS_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *end;
		long v = strtol(e->d_name, &end, 10);

		if (end == e->d_name || *end || v <= 0)
			continue;
		if (n < max)
			pids[n] = v;
		n++;
	}
	closedir(d);
	return n;
}

/*
 * A child that does nothing until killed (or until its parent dies),
 * returned once it runs: a child that has not run yet maps only what fork
 * copied (a few dozen entries), and the tests want its own pages: its
 * stack, its name, and pages it wrote: as many as make its ptes.bin
 * (32 bytes a page) run over 2 pages of its own size, 256 with 4 KiB
 * pages, 1024 (16 MiB) with 16 KiB pages.
 */
#define TARGET_PAGES	(256 * (PG / 4096))
static pid_t spawn_target(const char *comm)
{
	static char touched[1024 * 16384];	/* up to 16 KiB pages */
	int sync[2];
	pid_t pid;
	char c;

	if (pipe(sync))
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, comm);
		memset(touched, 1, TARGET_PAGES * PG);
		close(sync[0]);
		if (write(sync[1], "r", 1) != 1)
			_exit(1);
		close(sync[1]);
		for (;;)
			pause();
	}
	close(sync[1]);
	if (pid > 0 && read(sync[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(sync[0]);
	return pid;
}

static void kill_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * PID_MAX_LIMIT, the largest PID track accepts (include/linux/threads.h):
 * 4194304 on a 64-bit kernel, PAGE_SIZE * 8 = 32768 on i386 (2 or 3
 * paging levels).  pid_max is at most this, and PIDs stay below pid_max,
 * so no process ever has this PID.
 */
static int pid_max_limit(void)
{
	return vmv_expected_levels() <= 3 ? 32768 : 4194304;
}

/* A PID below pid_max that no process or thread has right now. */
static int free_pid(void)
{
	char *s = vmv_read_file("/proc/sys/kernel/pid_max", NULL);
	int max = s ? atoi(s) : 32768;
	char path[64];
	int pid;

	free(s);
	for (pid = max - 1; pid > 300; pid--) {
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (access(path, F_OK) && errno == ENOENT)
			return pid;
	}
	return -1;
}

/* The parent PID of pid from /proc/PID/stat, or -1. */
static int ppid_of(int pid)
{
	char path[64], *st, *p;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	st = vmv_read_file(path, NULL);
	if (!st)
		return -1;
	p = strrchr(st, ')');
	if (p && sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = -1;
	free(st);
	return ppid;
}

/* /dev/kmsg positioned after the last record, or -1 when unavailable. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Records logged since kmsg_open_at_end() containing word; the first in out. */
static int kmsg_count_new(int fd, const char *word, char *out, size_t outlen)
{
	char rec[8192];
	int found = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: read on */
		if (n <= 0)
			break;		/* EAGAIN: nothing more */
		rec[n] = '\0';
		if (strstr(rec, word)) {
			if (!found && outlen) {
				n = (size_t)n < outlen ? n : (ssize_t)outlen - 1;
				memcpy(out, rec, n);
				out[n] = '\0';
			}
			found++;
		}
	}
	return found;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A 1 MiB buffer: all '1's (digits), or bytes 0..255 (junk, NULs too). */
static char *mib_buf(bool digits)
{
	char *b = malloc(VMV_MIB);
	size_t i;

	if (!b)
		return NULL;
	for (i = 0; i < VMV_MIB; i++)
		b[i] = digits ? '1' : (char)(i * 7 + 3);
	return b;
}

/* Writes that no file accepts.  pid_only: a valid address for translate. */
struct bad_input {
	const char *what;
	const char *data;
	size_t len;
	bool pid_only;
};

#define BAD(w, s, p) { w, s, sizeof(s) - 1, p }

static const struct bad_input bad_inputs[] = {
	BAD("empty", "", false),
	BAD("abc", "abc", false),
	BAD("-1", "-1", false),
	BAD("0", "0", true),
	BAD("64-bit PID_MAX_LIMIT + 1", "4194305", true),
	BAD("10^20 - 1 (overflows 64 bits)", "99999999999999999999", false),
	BAD("12x", "12x", false),
	BAD("1 2", "1 2", false),
	BAD("two newlines", "1\n\n", false),
	BAD("leading space", " 1", false),
	BAD("hex (PIDs are decimal)", "0x10", true),
	BAD("embedded NUL", "1\0", false),
	BAD("newline, NUL, junk", "1\n\0abc", false),
};

/* Writes that translate refuses on top of bad_inputs[]. */
static const struct bad_input bad_addrs[] = {
	BAD("0x alone", "0x", false),
	BAD("kernel half", "0xffff888000000000", false),
	BAD("non-canonical (4- and 5-level)", "0x0100000000000000", false),
	BAD("all ones", "0xffffffffffffffff", false),
	BAD("2^64", "0x10000000000000000", false),
	BAD("negative hex", "-0x1000", false),
	BAD("hex trailing junk", "0x1000g", false),
};

/*
 * Write every bad input to path (one open and one write() each) and
 * expect EINVAL (PID_MAX_LIMIT + 1 too, unless for translate: there it
 * is an address); then 1 MiB of digits, of junk, and a valid number
 * followed by 1 MiB of NULs.
 */
static void expect_bad_writes(struct __test_metadata *_metadata,
			      const char *path, bool translate)
{
	char *digits = mib_buf(true), *junk = mib_buf(false);
	char s[32];
	size_t i;
	int len;

	ASSERT_NE(NULL, digits);
	ASSERT_NE(NULL, junk);
	for (i = 0; i < ARRAY_SIZE(bad_inputs); i++) {
		const struct bad_input *b = &bad_inputs[i];

		if (translate && b->pid_only)
			continue;
		EXPECT_EQ(-EINVAL, write_raw(path, b->data, b->len))
			TH_LOG("%s: write of %s", path, b->what);
	}
	len = snprintf(s, sizeof(s), "%d", pid_max_limit() + 1);
	if (!translate)
		EXPECT_EQ(-EINVAL, write_raw(path, s, len))
			TH_LOG("%s: write of PID_MAX_LIMIT + 1 (%s)", path, s);
	for (i = 0; translate && i < ARRAY_SIZE(bad_addrs); i++) {
		const struct bad_input *b = &bad_addrs[i];

		EXPECT_EQ(-EINVAL, write_raw(path, b->data, b->len))
			TH_LOG("%s: write of %s", path, b->what);
	}
	EXPECT_EQ(-EINVAL, write_raw(path, digits, VMV_MIB))
		TH_LOG("%s: 1 MiB of digits", path);
	EXPECT_EQ(-EINVAL, write_raw(path, junk, VMV_MIB))
		TH_LOG("%s: 1 MiB of junk", path);
	memset(digits, 0, VMV_MIB);
	memcpy(digits, "1\n", 2);
	EXPECT_EQ(-EINVAL, write_raw(path, digits, VMV_MIB))
		TH_LOG("%s: \"1\\n\" and 1 MiB of NULs", path);
	free(digits);
	free(junk);
}

/*
 * Bad writes built around a real PID (so that a lax parser would act on
 * it): each must fail with EINVAL.
 */
static void expect_bad_pid_writes(struct __test_metadata *_metadata,
				  const char *path, int pid)
{
	static const char * const fmts[] = {
		"%d\n\n", "%dx", " %d", "%d %d", "%d\n%d", "%d\t",
	};
	char s[64];
	size_t i;
	int len;

	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		len = snprintf(s, sizeof(s), fmts[i], pid, pid);
		EXPECT_EQ(-EINVAL, write_raw(path, s, len))
			TH_LOG("%s: write of format \"%s\" with PID %d", path,
			       fmts[i], pid);
	}
	/* The PID and a NUL, and the PID, a newline and a NUL. */
	len = snprintf(s, sizeof(s), "%d", pid);
	EXPECT_EQ(-EINVAL, write_raw(path, s, len + 1))
		TH_LOG("%s: \"%d\\0\"", path, pid);
	len = snprintf(s, sizeof(s), "%d\n", pid);
	EXPECT_EQ(-EINVAL, write_raw(path, s, len + 1))
		TH_LOG("%s: \"%d\\n\\0\"", path, pid);
}

FIXTURE(errors) {
	bool was_loaded;
	long long base_tracked;
	int nr_snap;
	int snap[VMV_MAX_SNAP];		/* tracked before the test */
	pid_t target;			/* a live, idle process */
	pid_t extra[VMV_MAX_EXTRA];	/* more of them, for some tests */
	struct vmv_report *rep;		/* shared with helper children */
};

FIXTURE_SETUP(errors)
{
	self->was_loaded = vmv_module_loaded();
	ASSERT_EQ(0, vmv_ensure_loaded());
	ASSERT_TRUE(is_dir(VMVIEW_DEBUGFS_DIR))
		TH_LOG("no %s: is debugfs mounted?", VMVIEW_DEBUGFS_DIR);
	ASSERT_EQ(0, access(VMV_TRACK, F_OK)) TH_LOG("no track file");
	ASSERT_EQ(0, access(VMV_UNTRACK, F_OK)) TH_LOG("no untrack file");
	self->nr_snap = tracked_dirs(self->snap, VMV_MAX_SNAP);
	ASSERT_GE(self->nr_snap, 0);
	ASSERT_LE(self->nr_snap, VMV_MAX_SNAP);
	self->base_tracked = vmv_status_num("tracked");
	ASSERT_EQ(self->nr_snap, self->base_tracked);

	self->rep = mmap(NULL, sizeof(*self->rep), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->rep);
	self->target = spawn_target("vmv_target");
	ASSERT_GT(self->target, 0);
}

FIXTURE_TEARDOWN(errors)
{
	int pids[VMV_MAX_SNAP];
	int i, j, n;

	/* Untrack whatever the test left tracked, then stop its targets. */
	if (vmv_module_loaded()) {
		n = tracked_dirs(pids, VMV_MAX_SNAP);
		for (i = 0; i < n && i < VMV_MAX_SNAP; i++) {
			for (j = 0; j < self->nr_snap; j++)
				if (self->snap[j] == pids[i])
					break;
			if (j == self->nr_snap)
				vmv_untrack(pids[i]);
		}
	}
	kill_reap(self->target);
	for (i = 0; i < VMV_MAX_EXTRA; i++)
		kill_reap(self->extra[i]);
	if (self->rep && self->rep != MAP_FAILED)
		munmap(self->rep, sizeof(*self->rep));
	if (self->was_loaded && !vmv_module_loaded())
		vmv_load();
	if (!self->was_loaded && vmv_module_loaded())
		vmv_unload();
}

/* Malformed PIDs fail with EINVAL and track nothing; valid forms work. */
/*
 * Write "PID" to path, with or without a newline, in one write(); all of
 * it must be taken.  Then PID/ must exist or not.
 */
static void write_pid_form(struct __test_metadata *_metadata,
			   const char *path, pid_t pid, bool newline,
			   bool dir_after)
{
	char s[32];
	int len;

	len = snprintf(s, sizeof(s), newline ? "%d\n" : "%d", pid);
	EXPECT_EQ(len, write_raw(path, s, len)) TH_LOG("%s: '%.*s'", path,
						       len, s);
	EXPECT_EQ(dir_after, pid_dir_exists(pid));
}

TEST_F(errors, track_bad_input)
{
	expect_bad_writes(_metadata, VMV_TRACK, false);
	expect_bad_pid_writes(_metadata, VMV_TRACK, self->target);
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
	EXPECT_FALSE(pid_dir_exists(self->target));
	EXPECT_FALSE(pid_dir_exists(1));

	/* "PID\n" and "PID" are both accepted, each as one write(). */
	write_pid_form(_metadata, VMV_TRACK, self->target, true, true);
	EXPECT_EQ(0, vmv_untrack(self->target));
	write_pid_form(_metadata, VMV_TRACK, self->target, false, true);
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));
	EXPECT_EQ(0, vmv_untrack(self->target));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
}

/* Malformed PIDs fail with EINVAL and untrack nothing; valid forms work. */
TEST_F(errors, untrack_bad_input)
{
	ASSERT_EQ(0, vmv_track(self->target));
	expect_bad_writes(_metadata, VMV_UNTRACK, false);
	expect_bad_pid_writes(_metadata, VMV_UNTRACK, self->target);
	EXPECT_TRUE(pid_dir_exists(self->target))
		TH_LOG("a bad write to untrack untracked the target");
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));

	write_pid_form(_metadata, VMV_UNTRACK, self->target, false, false);
	EXPECT_EQ(0, vmv_track(self->target));
	write_pid_form(_metadata, VMV_UNTRACK, self->target, true, false);
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
}

/* The task_size of pid's PID/mm (its TASK_SIZE), or 0. */
static unsigned long long mm_task_size(int pid)
{
	char *mm = vmv_pid_read(pid, "mm", NULL), v[64];
	unsigned long long ts = 0;

	if (mm && vmv_kv(mm, "task_size", v, sizeof(v)) &&
	    !vmv_parse_hex(v, &ts, 16))
		ts = 0;
	free(mm);
	return ts;
}

/*
 * Anything but a user address fails with EINVAL; "0x..." and decimal
 * work.  User addresses end at TASK_SIZE (PID/mm's task_size; 3 GiB on
 * i386, 2^47 or 2^56 less a page on x86-64): the ends of every geometry,
 * and the guest's own, are accepted exactly when below it.
 */
TEST_F(errors, translate_bad_input)
{
	/* User addresses, even where nothing can be mapped (0, 123). */
	static const char * const valid[] = {
		"123\n", "123", "0x7b\n", "0x7b", "0x0000000000001000", "0",
		"4194305", "32769",
	};
	static const unsigned long long edges[] = {
		0xbfffe000ULL, 0xbfffffffULL, 0xc0000000ULL, 0xffffffffULL,
		0x100000000ULL, 0x7ffffffe0000ULL, 0x7fffffffefffULL,
		0x7ffffffff000ULL, 0x800000000000ULL, 0xffffffffffefffULL,
		0xfffffffffff000ULL, 0x100000000000000ULL,
	};
	unsigned long long ts, a;
	char path[128], *out, s[64];
	size_t i;
	int len;

	ASSERT_EQ(0, vmv_track(self->target));
	ts = mm_task_size(self->target);
	/* What the kernel says against what the guest's paging gives. */
	ASSERT_EQ(vmv_task_size(), ts) TH_LOG("task_size of PID/mm");
	vmv_pid_path(path, sizeof(path), self->target, "translate");
	expect_bad_writes(_metadata, path, true);

	for (i = 0; i < ARRAY_SIZE(edges) + 5; i++) {
		static const long long around[] = {
			-0x20000, -4096, -1, 0, 4096,
		};

		a = i < ARRAY_SIZE(edges) ? edges[i] :
		    ts + around[i - ARRAY_SIZE(edges)];
		len = snprintf(s, sizeof(s), "0x%016llx", a);
		EXPECT_EQ(a < ts ? len : -EINVAL, write_raw(path, s, len))
			TH_LOG("%s with task_size 0x%llx", s, ts);
	}

	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		len = snprintf(s, sizeof(s), "%s", valid[i]);
		EXPECT_EQ(len, write_raw(path, s, len))
			TH_LOG("valid address \"%s\" refused", s);
	}

	/* The last accepted address is the one the walk is for. */
	EXPECT_EQ(0, vmv_write_file(path, "123\n"));
	out = vmv_read_file(path, NULL);
	ASSERT_NE(NULL, out) TH_LOG("read: %s", strerror(errno));
	EXPECT_NE(NULL, strstr(out, "vaddr: 0x000000000000007b"))
		TH_LOG("translate after \"123\": %.300s", out);
	free(out);

	/* An address the target really maps (the fork copied this stack). */
	len = snprintf(s, sizeof(s), "0x%lx\n", (unsigned long)s);
	EXPECT_EQ(len, write_raw(path, s, len));
	out = vmv_read_file(path, NULL);
	ASSERT_NE(NULL, out) TH_LOG("read: %s", strerror(errno));
	EXPECT_NE(NULL, strstr(out, "vaddr: 0x"));
	EXPECT_EQ(NULL, strstr(out, "vma: none"))
		TH_LOG("stack address %p: %.300s", (void *)s, out);
	free(out);
	EXPECT_EQ(0, vmv_untrack(self->target));
}

/* A PID that no process has: ESRCH for track, ENOENT for untrack. */
TEST_F(errors, unknown_pid)
{
	int pid = free_pid();

	ASSERT_GT(pid, 0);
	EXPECT_EQ(-ESRCH, vmv_track(pid)) TH_LOG("free PID %d", pid);
	/* Valid (1..PID_MAX_LIMIT) but above every pid_max: ESRCH too. */
	EXPECT_EQ(-ESRCH, vmv_track(pid_max_limit()));
	EXPECT_EQ(-ENOENT, vmv_untrack(pid));
	EXPECT_EQ(-ENOENT, vmv_untrack(pid_max_limit()));
	/* One more is out of range: EINVAL, whether or not it could exist. */
	EXPECT_EQ(-EINVAL, vmv_track(pid_max_limit() + 1));
	EXPECT_EQ(-EINVAL, vmv_untrack(pid_max_limit() + 1));
	EXPECT_FALSE(pid_dir_exists(pid));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
}

/* A kernel thread has no mm: EINVAL, refused without a word in dmesg. */
TEST_F(errors, kernel_thread)
{
	char *comm = vmv_read_file("/proc/2/comm", NULL);
	char line[512] = "";
	int kmsg, pid, other = -1;

	ASSERT_NE(NULL, comm);
	EXPECT_EQ(0, strcmp(comm, "kthreadd\n")) TH_LOG("PID 2 is %s", comm);
	free(comm);
	/* Another kernel thread: the first child of kthreadd. */
	for (pid = 3; pid < 1000 && other < 0; pid++)
		if (ppid_of(pid) == 2)
			other = pid;

	kmsg = kmsg_open_at_end();
	if (kmsg < 0)
		TH_LOG("no /dev/kmsg (%s): dmesg not checked", strerror(errno));
	EXPECT_EQ(-EINVAL, vmv_track(2));
	if (other > 0)
		EXPECT_EQ(-EINVAL, vmv_track(other)) TH_LOG("kernel thread %d", other);
	EXPECT_FALSE(pid_dir_exists(2));
	EXPECT_EQ(-ENOENT, vmv_untrack(2));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
	if (kmsg >= 0) {
		EXPECT_EQ(0, kmsg_count_new(kmsg, "vmview", line, sizeof(line)))
			TH_LOG("dmesg: %s", line);
		close(kmsg);
	}
}

/* Tracking twice is EEXIST, untracking twice ENOENT; the count follows. */
TEST_F(errors, track_twice)
{
	char s[32];

	ASSERT_EQ(0, vmv_track(self->target));
	EXPECT_EQ(-EEXIST, vmv_track(self->target));
	snprintf(s, sizeof(s), "%d", self->target);
	EXPECT_EQ(-EEXIST, vmv_write_file(VMV_TRACK, s));
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));
	EXPECT_EQ(0, vmv_untrack(self->target));
	EXPECT_EQ(-ENOENT, vmv_untrack(self->target));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
	/* And it can be tracked again. */
	EXPECT_EQ(0, vmv_track(self->target));
	EXPECT_EQ(0, vmv_untrack(self->target));
}

/* Untracking a live process that is not tracked: ENOENT. */
TEST_F(errors, untrack_not_tracked)
{
	EXPECT_EQ(-ENOENT, vmv_untrack(self->target));
	EXPECT_EQ(-ENOENT, vmv_untrack(getpid()));
	EXPECT_EQ(-ENOENT, vmv_untrack(1));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
}

/* The files of PID/, their modes, and the tracked: count going up and down. */
TEST_F(errors, files_and_count)
{
	static const struct {
		const char *file;
		int mode;
	} modes[] = {
		{ "mm", 0400 }, { "vmas", 0400 }, { "ptes", 0400 },
		/* read the walk and write the address: both */
		{ "translate", 0600 },
	};
	char path[128];
	struct stat sb;
	size_t i;
	pid_t two;

	ASSERT_EQ(0, stat(VMV_TRACK, &sb));
	EXPECT_EQ(0200, (int)(sb.st_mode & 07777));
	EXPECT_TRUE(S_ISREG(sb.st_mode));
	ASSERT_EQ(0, stat(VMV_UNTRACK, &sb));
	EXPECT_EQ(0200, (int)(sb.st_mode & 07777));

	ASSERT_EQ(0, vmv_track(self->target));
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));
	ASSERT_TRUE(pid_dir_exists(self->target));
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		vmv_pid_path(path, sizeof(path), self->target, modes[i].file);
		ASSERT_EQ(0, stat(path, &sb)) TH_LOG("%s", path);
		EXPECT_TRUE(S_ISREG(sb.st_mode)) TH_LOG("%s", path);
		EXPECT_EQ(modes[i].mode, (int)(sb.st_mode & 07777))
			TH_LOG("%s: mode %o", path, sb.st_mode & 07777);
		EXPECT_EQ(0, (int)sb.st_uid);
	}
	/* The read-only files cannot be opened for writing even by root. */
	for (i = 0; i < 3; i++) {
		ssize_t r;

		vmv_pid_path(path, sizeof(path), self->target, modes[i].file);
		r = write_raw(path, "1", 1);
		EXPECT_TRUE(r == -EACCES || r == -EPERM || r == -EINVAL ||
			    r == -EIO)
			TH_LOG("%s: write returned %zd", path, r);
	}

	two = spawn_target("vmv_target2");
	ASSERT_GT(two, 0);
	self->extra[0] = two;
	ASSERT_EQ(0, vmv_track(two));
	EXPECT_EQ(self->base_tracked + 2, vmv_status_num("tracked"));
	EXPECT_EQ(0, vmv_untrack(self->target));
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));
	EXPECT_FALSE(pid_dir_exists(self->target));
	EXPECT_TRUE(pid_dir_exists(two));
	EXPECT_EQ(0, vmv_untrack(two));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
	EXPECT_FALSE(pid_dir_exists(two));
}

/*
 * A tracked target exits: as a zombie reads work or fail with ESRCH; once
 * reaped they fail with ESRCH; untrack still works and nothing is left.
 */
TEST_F(errors, target_exits)
{
	char path[128], addr[32];
	siginfo_t si;
	ssize_t r;
	size_t i;
	pid_t t = self->target;
	int fd;

	ASSERT_EQ(0, vmv_track(t));
	vmv_pid_path(path, sizeof(path), t, "translate");
	snprintf(addr, sizeof(addr), "0x%lx\n", (unsigned long)addr);
	ASSERT_EQ(0, vmv_write_file(path, addr));
	vmv_pid_path(path, sizeof(path), t, "ptes");
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	for (i = 0; i < ARRAY_SIZE(pid_files); i++) {
		vmv_pid_path(path, sizeof(path), t, pid_files[i]);
		r = vmv_read_all(path, 4096);
		EXPECT_GT(r, 0) TH_LOG("%s while alive: %zd", path, r);
	}

	ASSERT_EQ(0, kill(t, SIGKILL));
	/* Wait until it is a zombie, without reaping it. */
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(0, waitid(P_PID, t, &si, WEXITED | WNOWAIT));
	for (i = 0; i < ARRAY_SIZE(pid_files); i++) {
		vmv_pid_path(path, sizeof(path), t, pid_files[i]);
		r = vmv_read_all(path, 4096);
		EXPECT_TRUE(r >= 0 || r == -ESRCH)
			TH_LOG("%s of a zombie: %zd", path, r);
	}

	ASSERT_EQ(t, waitpid(t, NULL, 0));
	self->target = 0;
	for (i = 0; i < ARRAY_SIZE(pid_files); i++) {
		vmv_pid_path(path, sizeof(path), t, pid_files[i]);
		EXPECT_EQ(-ESRCH, vmv_read_all(path, 4096))
			TH_LOG("%s of a reaped process", path);
	}
	/* An fd opened while it was alive fails the same way. */
	EXPECT_EQ(-ESRCH, read_once(fd));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));

	EXPECT_EQ(0, vmv_untrack(t));
	EXPECT_FALSE(pid_dir_exists(t));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
	EXPECT_EQ(-ENOENT, vmv_untrack(t));
	EXPECT_EQ(-ESRCH, vmv_track(t));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
}

/*
 * fds of PID/ptes (one unread, one part-read) and PID/translate kept across
 * untrack: reads and writes then fail with EIO (debugfs) or ESRCH, even
 * after the PID is tracked again; closing them is fine.
 */
TEST_F(errors, fd_across_untrack)
{
	char path[128];
	int fd, part, tr;
	ssize_t r;

	ASSERT_EQ(0, vmv_track(self->target));
	vmv_pid_path(path, sizeof(path), self->target, "ptes");
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	part = open(path, O_RDONLY);
	ASSERT_GE(part, 0);
	EXPECT_GT(read_once(part), 0);
	vmv_pid_path(path, sizeof(path), self->target, "translate");
	tr = open(path, O_RDWR);
	ASSERT_GE(tr, 0);

	ASSERT_EQ(0, vmv_untrack(self->target));
	EXPECT_FALSE(pid_dir_exists(self->target));
	r = read_once(fd);
	EXPECT_TRUE(r == -EIO || r == -ESRCH) TH_LOG("read: %zd", r);
	r = read_once(part);
	EXPECT_TRUE(r == -EIO || r == -ESRCH) TH_LOG("part-read: %zd", r);
	r = write(tr, "0x1000", 6) < 0 ? -errno : 0;
	EXPECT_TRUE(r == -EIO || r == -ESRCH) TH_LOG("translate write: %zd", r);

	/* A new directory for the same PID is not what the old fds see. */
	ASSERT_EQ(0, vmv_track(self->target));
	r = read_once(fd);
	EXPECT_TRUE(r == -EIO || r == -ESRCH) TH_LOG("after re-track: %zd", r);
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, close(part));
	EXPECT_EQ(0, close(tr));
	vmv_pid_path(path, sizeof(path), self->target, "ptes");
	EXPECT_GT(vmv_read_all(path, 4096), 0);
	EXPECT_EQ(0, vmv_untrack(self->target));
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
}

/*
 * rmmod while a PID/ptes fd is open: either refused (the open file pins the
 * module) and the fd still reads, or done and the fd fails cleanly.
 */
TEST_F(errors, fd_across_rmmod)
{
	char path[128];
	int fd, ret;
	ssize_t r;

	ASSERT_EQ(0, vmv_track(self->target));
	vmv_pid_path(path, sizeof(path), self->target, "ptes");
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);

	ret = vmv_unload();
	if (ret == 0) {
		TH_LOG("rmmod succeeded with a PID/ptes fd open");
		EXPECT_FALSE(vmv_module_loaded());
		EXPECT_FALSE(is_dir(VMVIEW_DEBUGFS_DIR));
		r = read_once(fd);
		EXPECT_TRUE(r == -EIO || r == -ESRCH) TH_LOG("read: %zd", r);
		EXPECT_EQ(0, close(fd));
	} else {
		EXPECT_TRUE(ret == -EBUSY || ret == -EAGAIN)
			TH_LOG("rmmod: %s", strerror(-ret));
		TH_LOG("rmmod refused with %s while a PID/ptes fd is open",
		       strerror(-ret));
		EXPECT_TRUE(vmv_module_loaded());
		EXPECT_TRUE(pid_dir_exists(self->target));
		EXPECT_GT(read_once(fd), 0);
		EXPECT_EQ(0, close(fd));
		/* Closed: now it goes, tracked process and all. */
		EXPECT_EQ(0, vmv_unload());
	}
	EXPECT_FALSE(vmv_module_loaded());
	EXPECT_NE(0, access(VMVIEW_PROC_STATUS, F_OK));
	ASSERT_EQ(0, vmv_load());
	EXPECT_EQ(0, vmv_status_num("tracked"));
	EXPECT_FALSE(pid_dir_exists(self->target));
}

/* rmmod with several processes tracked cleans up; a reload starts empty. */
TEST_F(errors, rmmod_with_tracked)
{
	int pids[VMV_MAX_SNAP];
	char path[128];
	int i;

	for (i = 0; i < 3; i++) {
		self->extra[i] = spawn_target("vmv_extra");
		ASSERT_GT(self->extra[i], 0);
		ASSERT_EQ(0, vmv_track(self->extra[i]));
	}
	ASSERT_EQ(0, vmv_track(self->target));
	ASSERT_EQ(0, vmv_track(getpid()));
	vmv_pid_path(path, sizeof(path), self->target, "translate");
	EXPECT_EQ(0, vmv_write_file(path, "0x1000"));
	EXPECT_EQ(self->base_tracked + 5, vmv_status_num("tracked"));

	ASSERT_EQ(0, vmv_unload());
	EXPECT_FALSE(vmv_module_loaded());
	EXPECT_NE(0, access(VMVIEW_DEBUGFS_DIR, F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_NE(0, access(VMVIEW_PROC_STATUS, F_OK));
	EXPECT_EQ(ENOENT, errno);
	/* The targets are untouched. */
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, kill(self->extra[i], 0));
	EXPECT_EQ(0, kill(self->target, 0));

	ASSERT_EQ(0, vmv_load());
	EXPECT_EQ(0, vmv_status_num("tracked"));
	EXPECT_EQ(0, tracked_dirs(pids, VMV_MAX_SNAP));
	EXPECT_EQ(0, vmv_track(self->target));
	EXPECT_EQ(1, vmv_status_num("tracked"));
	EXPECT_EQ(0, vmv_untrack(self->target));
}

/*
 * Directories a permission child walks from, opened O_PATH as root before
 * it drops anything: the guest's "/" may be 0700 (then no absolute path
 * reaches anything for uid 65534), and from these the lookup reaches
 * vmview's own files and their modes.  O_PATH gives no access to a file.
 */
struct vmv_dirs {
	int pid;	/* the tracked target */
	int vmv;	/* VMVIEW_DEBUGFS_DIR */
	int piddir;	/* VMVIEW_DEBUGFS_DIR/PID */
	int proc;	/* /proc */
};

/* Open every vmview file, by path and from the dirfds: want1 or want2. */
static void child_try_opens(struct vmv_report *r, const struct vmv_dirs *d,
			    int want1, int want2)
{
	static const struct {
		const char *name;
		bool in_pid_dir;
		int flags;
	} opens[] = {
		{ "track", false, O_WRONLY },
		{ "untrack", false, O_WRONLY },
		{ "mm", true, O_RDONLY },
		{ "vmas", true, O_RDONLY },
		{ "ptes", true, O_RDONLY },
		{ "translate", true, O_RDONLY },
		{ "translate", true, O_WRONLY },
		{ "translate", true, O_RDWR },
	};
	char path[128], what[192];
	const char *mode;
	int dirfd, got;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(opens); i++) {
		mode = opens[i].flags == O_RDONLY ? "O_RDONLY" :
		       opens[i].flags == O_WRONLY ? "O_WRONLY" : "O_RDWR";
		if (opens[i].in_pid_dir)
			vmv_pid_path(path, sizeof(path), d->pid, opens[i].name);
		else
			snprintf(path, sizeof(path), VMVIEW_DEBUGFS_DIR "/%s",
				 opens[i].name);
		snprintf(what, sizeof(what), "open(%s, %s)", path, mode);
		rep_expect(r, what, vmv_open_err(path, opens[i].flags), want1,
			   want2);

		dirfd = opens[i].in_pid_dir ? d->piddir : d->vmv;
		got = openat(dirfd, opens[i].name, opens[i].flags);
		if (got >= 0) {
			close(got);
			got = 0;
		} else {
			got = -errno;
		}
		snprintf(what, sizeof(what), "openat(%s dirfd, %s, %s)",
			 opens[i].in_pid_dir ? "PID/" : "vmview/",
			 opens[i].name, mode);
		rep_expect(r, what, got, want1, want2);
	}
}

/* /proc/vmview is readable with the child's credentials. */
static void child_read_status(struct vmv_report *r, const struct vmv_dirs *d,
			      bool by_path)
{
	char st[4096];
	ssize_t n;
	int fd;

	r->checks++;
	fd = by_path ? open(VMVIEW_PROC_STATUS, O_RDONLY) :
		       openat(d->proc, "vmview", O_RDONLY);
	if (fd < 0) {
		rep_fail(r, "open %s%s: %s", VMVIEW_PROC_STATUS,
			 by_path ? "" : " (from the /proc dirfd)",
			 strerror(errno));
		return;
	}
	n = read(fd, st, sizeof(st) - 1);
	close(fd);
	if (n <= 0) {
		rep_fail(r, "read %s: %zd (%s)", VMVIEW_PROC_STATUS, n,
			 strerror(errno));
		return;
	}
	st[n] = '\0';
	if (vmv_kv_num(st, "tracked") < 1)
		rep_fail(r, "%s without tracked >= 1: %s", VMVIEW_PROC_STATUS,
			 st);
}

/* Whether everyone may traverse "/" (the guest's initramfs root). */
static bool root_dir_searchable(void)
{
	struct stat sb;

	return !stat("/", &sb) && (sb.st_mode & 0001);
}

static void child_nobody(struct vmv_report *r, const struct vmv_dirs *d)
{
	gid_t gid = VMV_NOBODY;
	uid_t uid = VMV_NOBODY;
	bool by_path = root_dir_searchable();

	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		rep_fail(r, "dropping to %d: %s", VMV_NOBODY, strerror(errno));
		return;
	}
	if (geteuid() != uid || getegid() != gid || getgroups(0, NULL) != 0) {
		rep_fail(r, "still privileged after the drop");
		return;
	}
	/* Refused by the 0700 debugfs root, the file modes or vmview. */
	child_try_opens(r, d, -EPERM, -EACCES);
	child_read_status(r, d, false);
	if (by_path)
		child_read_status(r, d, true);
}

/* Root that keeps its uid but loses CAP_SYS_ADMIN (effective, permitted). */
static void child_no_sys_admin(struct vmv_report *r, const struct vmv_dirs *d)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int idx = CAP_TO_INDEX(CAP_SYS_ADMIN);
	__u32 bit = CAP_TO_MASK(CAP_SYS_ADMIN);

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data)) {
		rep_fail(r, "capget: %s", strerror(errno));
		return;
	}
	data[idx].effective &= ~bit;
	data[idx].permitted &= ~bit;
	data[idx].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data)) {
		rep_fail(r, "capset: %s", strerror(errno));
		return;
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) || (data[idx].effective & bit) ||
	    !(data[1].effective | data[0].effective) || getuid() != 0) {
		rep_fail(r, "CAP_SYS_ADMIN not dropped, or nothing else kept");
		return;
	}
	/* Root owns the path and keeps CAP_DAC_OVERRIDE: only vmview says no. */
	child_try_opens(r, d, -EPERM, -EPERM);
	child_read_status(r, d, true);
}

/* Run fn(rep, dirs) in a child and check what it reported. */
static void run_child(struct __test_metadata *_metadata,
		      struct vmv_report *rep,
		      void (*fn)(struct vmv_report *, const struct vmv_dirs *),
		      int pid)
{
	struct vmv_dirs d = { .pid = pid };
	char path[128];
	pid_t c;
	int st;

	d.vmv = open(VMVIEW_DEBUGFS_DIR, O_PATH | O_DIRECTORY);
	ASSERT_GE(d.vmv, 0);
	d.piddir = open(vmv_pid_path(path, sizeof(path), pid, NULL),
			O_PATH | O_DIRECTORY);
	ASSERT_GE(d.piddir, 0);
	d.proc = open("/proc", O_PATH | O_DIRECTORY);
	ASSERT_GE(d.proc, 0);
	memset(rep, 0, sizeof(*rep));
	c = fork();
	ASSERT_GE(c, 0);
	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn(rep, &d);
		_exit(0);
	}
	close(d.vmv);
	close(d.piddir);
	close(d.proc);
	ASSERT_EQ(c, waitpid(c, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("child status 0x%x", st);
	EXPECT_EQ(0, rep->fails) TH_LOG("%s", rep->log);
	EXPECT_GT(rep->checks, 0);
}

/* uid/gid 65534 without supplementary groups opens nothing. */
TEST_F(errors, unprivileged_user)
{
	ASSERT_EQ(0, vmv_track(self->target));
	if (!root_dir_searchable())
		TH_LOG("the guest's / is not searchable by others: uid %d walks from dirfds only",
		       VMV_NOBODY);
	run_child(_metadata, self->rep, child_nobody, self->target);
	EXPECT_TRUE(pid_dir_exists(self->target));
	EXPECT_EQ(0, vmv_untrack(self->target));
}

/* The module's own check: root without CAP_SYS_ADMIN gets EPERM. */
TEST_F(errors, no_cap_sys_admin)
{
	struct vmv_report *rep = self->rep;
	struct vmv_dirs d = { .pid = self->target };
	char path[128];

	ASSERT_EQ(0, vmv_track(self->target));
	/* With the capability every one of them opens. */
	d.vmv = open(VMVIEW_DEBUGFS_DIR, O_PATH | O_DIRECTORY);
	d.piddir = open(vmv_pid_path(path, sizeof(path), d.pid, NULL),
			O_PATH | O_DIRECTORY);
	memset(rep, 0, sizeof(*rep));
	child_try_opens(rep, &d, 0, 0);
	EXPECT_EQ(0, rep->fails) TH_LOG("as root: %s", rep->log);
	close(d.vmv);
	close(d.piddir);

	run_child(_metadata, rep, child_no_sys_admin, self->target);
	EXPECT_TRUE(pid_dir_exists(self->target));
	EXPECT_EQ(self->base_tracked + 1, vmv_status_num("tracked"));
	EXPECT_EQ(0, vmv_untrack(self->target));
}

/* "pid:" of PID/mm (read by the tracker), or -1. */
static long long mm_pid(int pid)
{
	char *mm;
	long long v;

	mm = vmv_pid_read(pid, "mm", NULL);
	if (!mm)
		return -1;
	v = vmv_kv_num(mm, "pid");
	free(mm);
	return v;
}

/*
 * Init of a new PID namespace (PID 1 there): tracks itself as "1" and its
 * child as "2", and cannot reach the test process outside.
 */
static void ns_init(struct vmv_report *r, int outside)
{
	static const char * const what[] = {
		"track 1 (this namespace's init)", "track 2 (its child)",
	};
	pid_t c, pid;

	if (getpid() != 1) {
		rep_fail(r, "not PID 1 in the new namespace: %d", getpid());
		return;
	}
	c = spawn_target("vmv_nschild");
	if (c != 2) {
		rep_fail(r, "namespace child is PID %d, not 2", c);
		kill_reap(c);
		return;
	}
	for (pid = 1; pid <= 2; pid++) {
		rep_expect(r, what[pid - 1], vmv_track(pid), 0, 0);
		r->checks++;
		if (!pid_dir_exists(pid))
			rep_fail(r, "no directory \"%d\"", pid);
		r->checks++;
		if (mm_pid(pid) != pid)
			rep_fail(r, "%d/mm says pid: %lld", pid, mm_pid(pid));
	}
	if (outside > 2) {
		rep_expect(r, "track the test process (outside)",
			   vmv_track(outside), -ESRCH, -ESRCH);
		r->checks++;
		if (pid_dir_exists(outside))
			rep_fail(r, "directory of the outside PID %d", outside);
	}
	rep_expect(r, "untrack 1", vmv_untrack(1), 0, 0);
	rep_expect(r, "untrack 2", vmv_untrack(2), 0, 0);
	r->checks++;
	if (pid_dir_exists(1) || pid_dir_exists(2))
		rep_fail(r, "directories left after untrack");
	kill_reap(c);
}

/* PIDs written to track are resolved in the writer's PID namespace. */
TEST_F(errors, pid_namespace)
{
	struct vmv_report *rep = self->rep;
	pid_t outside = getpid(), a, b;
	int st;

	memset(rep, 0, sizeof(*rep));
	a = fork();
	ASSERT_GE(a, 0);
	if (a == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID)) {
			rep_fail(rep, "unshare(CLONE_NEWPID): %s",
				 strerror(errno));
			_exit(1);
		}
		b = fork();
		if (b == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			ns_init(rep, outside);
			_exit(0);
		}
		if (b < 0 || waitpid(b, &st, 0) != b)
			_exit(1);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	}
	ASSERT_EQ(a, waitpid(a, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("namespace child status 0x%x", st);
	EXPECT_EQ(0, rep->fails) TH_LOG("%s", rep->log);
	EXPECT_GE(rep->checks, 8);
	EXPECT_EQ(self->base_tracked, vmv_status_num("tracked"));
}

/* 1 MiB writes are refused promptly; 1 MiB and 1-byte reads complete. */
TEST_F(errors, huge_io)
{
	static const char * const files[] = { "translate", NULL, NULL };
	char path[128], *big = mib_buf(true), *one;
	size_t i, len1, len2;
	bool same = false;
	long long t0, ms;
	int fd, try;
	ssize_t r;

	ASSERT_NE(NULL, big);
	ASSERT_EQ(0, vmv_track(self->target));
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		if (files[i])
			vmv_pid_path(path, sizeof(path), self->target, files[i]);
		else
			snprintf(path, sizeof(path), "%s",
				 i == 1 ? VMV_TRACK : VMV_UNTRACK);
		t0 = now_ms();
		r = write_raw(path, big, VMV_MIB);
		ms = now_ms() - t0;
		EXPECT_EQ(-EINVAL, r) TH_LOG("%s", path);
		EXPECT_LT(ms, VMV_PROMPT_MS) TH_LOG("%s: %lld ms", path, ms);
	}
	EXPECT_TRUE(pid_dir_exists(self->target));

	/* One 1 MiB read after another to EOF. */
	vmv_pid_path(path, sizeof(path), self->target, "ptes");
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	r = read(fd, big, VMV_MIB);
	EXPECT_GT(r, 0);
	EXPECT_GE(vmv_read_fd_all(fd, VMV_MIB), 0);
	close(fd);
	vmv_pid_path(path, sizeof(path), self->target, "translate");
	EXPECT_EQ(0, vmv_write_file(path, "0x1000\n"));
	EXPECT_GT(vmv_read_all(path, VMV_MIB), 0);

	/*
	 * mm, vmas, ptes and ptes.bin of an idle target read the same in
	 * 1-byte chunks (khugepaged may change it between two reads: try
	 * three times).
	 */
	for (i = 0; i < 4; i++) {
		static const char * const small[] = { "mm", "vmas", "ptes",
						      "ptes.bin" };

		vmv_pid_path(path, sizeof(path), self->target, small[i]);
		for (try = 0; try < 3; try++) {
			one = vmv_read_file(path, &len1);
			ASSERT_NE(NULL, one);
			fd = open(path, O_RDONLY);
			ASSERT_GE(fd, 0);
			len2 = 0;
			while (len2 < VMV_MIB &&
			       (r = read(fd, big + len2, 1)) > 0)
				len2++;
			ASSERT_EQ(0, r) TH_LOG("%s: 1-byte read: %s", path,
					       strerror(errno));
			close(fd);
			same = len1 == len2 && !memcmp(one, big, len1);
			free(one);
			if (same)
				break;
		}
		EXPECT_TRUE(same) TH_LOG("%s differs read 1 byte at a time",
					 path);
	}
	free(big);
	EXPECT_EQ(0, vmv_untrack(self->target));
}

/*
 * ptes and ptes.bin with bad buffers: an unmapped one is EFAULT; one whose
 * second page is PROT_NONE gets the bytes up to it, and the next read goes
 * on from there with nothing lost (the whole equals one big read).  Back
 * to offset 0 starts over; any other jump is ESPIPE.
 */
TEST_F(errors, ptes_bad_buffers)
{
	static const char * const files[] = { "ptes", "ptes.bin" };
	char path[128], *ref, *got, *pg;
	size_t i, reflen = 0, len;
	long page = sysconf(_SC_PAGESIZE);
	bool same = false;
	int fd, try;
	ssize_t r;

	ASSERT_EQ(0, vmv_track(self->target));
	pg = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pg);
	ASSERT_EQ(0, mprotect(pg + page, page, PROT_NONE));
	got = malloc(VMV_MIB);
	ASSERT_NE(NULL, got);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		vmv_pid_path(path, sizeof(path), self->target, files[i]);
		fd = open(path, O_RDONLY);
		ASSERT_GE(fd, 0);
		errno = 0;
		EXPECT_EQ(-1, read(fd, pg + page, 64));
		EXPECT_EQ(EFAULT, errno) TH_LOG("%s", files[i]);
		close(fd);

		for (try = 0; try < 3 && !same; try++) {
			ref = vmv_read_file(path, &reflen);
			ASSERT_NE(NULL, ref);
			ASSERT_GT(reflen, (size_t)page) TH_LOG("%s", files[i]);
			fd = open(path, O_RDONLY);
			ASSERT_GE(fd, 0);
			/* The first page fits, the second faults. */
			r = read(fd, pg, 2 * page);
			EXPECT_EQ(page, r) TH_LOG("%s", files[i]);
			len = r > 0 ? r : 0;
			memcpy(got, pg, len);
			while (len < VMV_MIB &&
			       (r = read(fd, got + len, VMV_MIB - len)) > 0)
				len += r;
			EXPECT_EQ(0, r);
			same = len == reflen && !memcmp(got, ref, len);
			/* Offset 0 starts over; a jump elsewhere is ESPIPE. */
			EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
			r = read(fd, pg, 16);
			EXPECT_EQ(16, r);
			EXPECT_EQ(0, memcmp(pg, ref, 16));
			errno = 0;
			EXPECT_EQ(-1, pread(fd, pg, 16, 5));
			EXPECT_EQ(ESPIPE, errno);
			close(fd);
			free(ref);
		}
		EXPECT_TRUE(same) TH_LOG("%s: the reads after a fault differ from one read",
					 files[i]);
		same = false;
	}
	free(got);
	munmap(pg, 2 * page);
	EXPECT_EQ(0, vmv_untrack(self->target));
}

TEST_HARNESS_MAIN

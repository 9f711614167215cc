// SPDX-License-Identifier: GPL-2.0
/*
 * track.c: checks before any command, and tracking the target PID (its
 * files are pidfile.c's).
 *
 * The order of the checks gives each failure its own exit code:
 * /proc/vmview missing (module not loaded), then the debugfs directory
 * (EACCES: not root; missing: debugfs not mounted), then /proc/PID (no
 * such PID) and the PF_KTHREAD flag of /proc/PID/stat (kernel thread),
 * and last what the module's track file answers.
 *
 * A PID this process started tracking (the write to track succeeded) is
 * untracked at exit, from atexit() or from the handler of SIGINT,
 * SIGTERM, SIGHUP and SIGPIPE, which then re-raises the signal.  A PID
 * that was tracked already (EEXIST) belongs to someone else and is left
 * alone.  The handler only uses async-signal-safe calls on paths built
 * beforehand.  So is a scratch file (vmv_make_scratch(), for faults and
 * latency) removed, and after killing the children the handler calls
 * the function of vmv_track_on_signal() (watch's: the terminal put
 * back; reclaim's: its cgroup, swap and mounts undone).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "vmview-cli.h"

#define PF_KTHREAD	0x00200000UL
#define PID_MAX_LIMIT	4194304
#define MAX_TRACKED	8
#define MAX_CHILDREN	8

static struct {
	char untrack[VMV_PATH_MAX];
	char line[16];
	pid_t pid;
} tracked[MAX_TRACKED];
static volatile sig_atomic_t nr_tracked;
static volatile pid_t children[MAX_CHILDREN];
static volatile sig_atomic_t nr_children;
static char tmpfile_path[VMV_PATH_MAX];
static void (*volatile on_signal)(void);

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

int vmv_preflight(void)
{
	char path[VMV_PATH_MAX], dir[VMV_PATH_MAX], why[512];
	struct vmv_kvs st = { 0 };
	const char *dbg;
	struct stat sb;
	char *text;
	int ret;

	vmv_path(path, sizeof(path), VMVIEW_PROC_STATUS);
	ret = vmv_read_path(path, &text, NULL);
	if (ret == -ENOENT)
		return vmv_err(VMV_EXIT_NO_MODULE,
			       "the vmview module is not loaded (no %s): load it with 'insmod vmview.ko' or 'modprobe vmview'",
			       path);
	if (ret)
		return vmv_err(VMV_EXIT_FAIL, "cannot read %s: %s", path,
			       strerror(-ret));
	vmv_parse_kvs(text, &st);
	free(text);
	/*
	 * the paging mode decides the entry format: never guessed (levels,
	 * and arch, entry_format, page_shift and geometry where the
	 * module has them)
	 */
	if (vmv_set_paging(&st, why, sizeof(why))) {
		ret = vmv_err(VMV_EXIT_FAIL, "%s says %s", path, why);
		vmv_kvs_free(&st);
		return ret;
	}

	vmv_path(dir, sizeof(dir), VMVIEW_DEBUGFS_DIR);
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		vmv_kvs_free(&st);
		return 0;
	}
	ret = errno;
	dbg = vmv_kv_get(&st, "debugfs");
	if (ret == EACCES || ret == EPERM)
		ret = vmv_err(VMV_EXIT_NOT_ROOT,
			      "permission denied on %s: vmview's debugfs files need root (CAP_SYS_ADMIN); run vmview-cli as root (sudo)",
			      dir);
	else if (dbg && !strncmp(dbg, "unavailable", 11))
		ret = vmv_err(VMV_EXIT_NO_DEBUGFS,
			      "the vmview module could not create its debugfs directory (" VMVIEW_PROC_STATUS " says \"debugfs: %s\"): mount debugfs, boot without debugfs=off, then reload the module",
			      dbg);
	else
		ret = vmv_err(VMV_EXIT_NO_DEBUGFS,
			      "debugfs is not mounted (no %s): mount it with 'mount -t debugfs none /sys/kernel/debug'",
			      dir);
	vmv_kvs_free(&st);
	return ret;
}

int vmv_parse_pid(const char *s, pid_t *pid)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s < '0' || *s > '9')
		goto bad;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > PID_MAX_LIMIT)
		goto bad;
	*pid = v;
	return 0;
bad:
	return vmv_err(VMV_EXIT_USAGE,
		       "'%s' is not a PID: give a decimal process ID (see 'vmview-cli help')",
		       s ? s : "");
}

/*
 * The comm of /proc/PID/stat (between the first "(" and the last ")",
 * as the kernel wrote it: any byte but NUL, a newline or ")" included)
 * and its flags (field 9).  Returns 0, or -1 when it cannot be read.
 */
int vmv_pid_stat(pid_t pid, char *comm, size_t len, unsigned long *flags)
{
	char path[VMV_PATH_MAX], *text, *p, *q;
	int i, ret = -1;

	comm[0] = '\0';
	*flags = 0;
	vmv_path(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (vmv_read_path(path, &text, NULL))
		return -1;
	p = strchr(text, '(');
	q = strrchr(text, ')');
	if (p && q && q > p) {
		snprintf(comm, len, "%.*s", (int)(q - p - 1), p + 1);
		p = q + 1;
		/* state ppid pgrp session tty_nr tpgid flags */
		for (i = 0; i < 7 && p; i++) {
			while (*p == ' ')
				p++;
			if (i == 6)
				*flags = strtoul(p, NULL, 10);
			p = strchr(p, ' ');
		}
		ret = 0;
	}
	free(text);
	return ret;
}

/* Is this process a kernel thread?  From the flags of its stat. */
static int pid_kthread(pid_t pid, char *comm, size_t len)
{
	unsigned long flags;

	if (vmv_pid_stat(pid, comm, len, &flags))
		return 0;
	return !!(flags & PF_KTHREAD);
}

static void block_signals(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(cleanup_signals); i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

int vmv_track(pid_t pid)
{
	char path[VMV_PATH_MAX], comm[64], line[16];
	sigset_t old;
	int ret, slot;

	vmv_path(path, sizeof(path), "/proc/%d", (int)pid);
	if (!vmv_exists(path))
		return vmv_err(VMV_EXIT_NO_PID,
			       "no process with PID %d (no %s): check the PID with ps",
			       (int)pid, path);
	if (pid_kthread(pid, comm, sizeof(comm)))
		return vmv_err(VMV_EXIT_KTHREAD,
			       "PID %d (%s) is a kernel thread: it has no user address space to show; pick a user process",
			       (int)pid, comm);

	snprintf(line, sizeof(line), "%d\n", (int)pid);
	vmv_path(path, sizeof(path), VMVIEW_DEBUGFS_DIR "/track");
	block_signals(&old);
	slot = nr_tracked;
	ret = vmv_write_path(path, line);
	if (!ret && slot < MAX_TRACKED) {
		vmv_path(tracked[slot].untrack, sizeof(tracked[slot].untrack),
			 VMVIEW_DEBUGFS_DIR "/untrack");
		memcpy(tracked[slot].line, line, sizeof(line));
		tracked[slot].pid = pid;
		nr_tracked = slot + 1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);

	switch (ret) {
	case 0:
	case -EEXIST:		/* tracked already: not ours to untrack */
		break;
	case -ESRCH:
		return vmv_err(VMV_EXIT_NO_PID,
			       "no process with PID %d (the module says ESRCH): check the PID with ps",
			       (int)pid);
	case -EINVAL:
		return vmv_err(VMV_EXIT_KTHREAD,
			       "the module refused PID %d (EINVAL): it is a kernel thread, with no user address space; pick a user process",
			       (int)pid);
	case -EPERM:
	case -EACCES:
		return vmv_err(VMV_EXIT_NOT_ROOT,
			       "permission denied writing %s: run vmview-cli as root (CAP_SYS_ADMIN)",
			       path);
	case -ENOENT:
		return vmv_err(VMV_EXIT_NO_FEATURE,
			       "%s is missing: this vmview module cannot track processes yet; load a newer vmview.ko",
			       path);
	default:
		return vmv_err(VMV_EXIT_FAIL, "writing %d to %s: %s",
			       (int)pid, path, strerror(-ret));
	}

	if (!vmv_exists(vmv_pid_path(path, sizeof(path), pid, NULL))) {
		vmv_path(comm, sizeof(comm), "/proc/%d", (int)pid);
		if (!vmv_exists(comm))
			return vmv_err(VMV_EXIT_EXITED,
				       "PID %d exited before it could be read",
				       (int)pid);
		return vmv_err(VMV_EXIT_FAIL,
			       "tracking PID %d did not create %s: is the module's debugfs tree intact?",
			       (int)pid, path);
	}
	return 0;
}

/* Async-signal-safe: open, write, close on paths built in vmv_track(). */
static void untrack_all_unsafe(void)
{
	int i, fd;

	for (i = nr_tracked - 1; i >= 0; i--) {
		fd = open(tracked[i].untrack, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, tracked[i].line,
				  strlen(tracked[i].line)) < 0) {
				/* gone already: nothing to undo */
			}
			close(fd);
		}
	}
	nr_tracked = 0;
}

void vmv_untrack_all(void)
{
	sigset_t old;

	block_signals(&old);
	untrack_all_unsafe();
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void vmv_track_add_child(pid_t pid)
{
	sigset_t old;

	block_signals(&old);
	if (pid > 0 && nr_children < MAX_CHILDREN)
		children[nr_children++] = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* A file to remove at exit or on a signal (faults' scratch file). */
void vmv_track_tmpfile(const char *path)
{
	sigset_t old;

	block_signals(&old);
	snprintf(tmpfile_path, sizeof(tmpfile_path), "%s", path ? path : "");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * fn (async-signal-safe only) is called by the handler of the signals
 * above, after the children are killed: what must be undone before the
 * CLI dies of one.
 */
void vmv_track_on_signal(void (*fn)(void))
{
	sigset_t old;

	block_signals(&old);
	on_signal = fn;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void cleanup_handler(int sig)
{
	int i, saved = errno;

	for (i = 0; i < nr_children; i++)
		kill(children[i], SIGKILL);
	if (on_signal)
		on_signal();
	if (tmpfile_path[0])
		unlink(tmpfile_path);
	untrack_all_unsafe();
	signal(sig, SIG_DFL);
	errno = saved;
	raise(sig);
}

void vmv_track_signals(void)
{
	struct sigaction sa = { .sa_handler = cleanup_handler };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(cleanup_signals); i++)
		sigaddset(&sa.sa_mask, cleanup_signals[i]);
	for (i = 0; i < ARRAY_SIZE(cleanup_signals); i++)
		sigaction(cleanup_signals[i], &sa, NULL);
	atexit(vmv_untrack_all);
}

/*
 * The start of every command on one PID: exactly nargs arguments, the
 * first a PID; then the module checks and tracking.
 */
int vmv_begin(const char *cmd, const char *synopsis, int argc, char **argv,
	      int nargs, pid_t *pid)
{
	int ret;

	if (argc < nargs)
		return vmv_err(VMV_EXIT_USAGE, "usage: vmview-cli %s %s",
			       cmd, synopsis);
	if (argc > nargs)
		return vmv_err(VMV_EXIT_USAGE,
			       "unexpected argument '%s': usage: vmview-cli %s %s",
			       argv[nargs], cmd, synopsis);
	ret = vmv_parse_pid(argv[0], pid);
	if (ret)
		return ret;
	ret = vmv_preflight();
	if (ret)
		return ret;
	return vmv_track(*pid);
}

#define TMPFS_MAGIC	0x01021994
#define RAMFS_MAGIC	0x858458f6

/* Can the page cache of files at path be dropped (not tmpfs, ramfs)? */
bool vmv_droppable(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf))
		return false;
	return sf.f_type != TMPFS_MAGIC &&
	       sf.f_type != (typeof(sf.f_type))RAMFS_MAGIC;
}

/*
 * A scratch file of pages pages (each filled with its own letter, made
 * durable) in $TMPDIR, /var/tmp, /tmp or ".", the first on a filesystem
 * whose pages can be dropped from the page cache: named NAME.XXXXXX,
 * its path in path, removed at exit or on a signal
 * (vmv_track_tmpfile()).  Returns 0, or -1 with why.
 */
int vmv_make_scratch(char *path, size_t len, const char *name, size_t pages,
		     size_t page, char *why, size_t wlen)
{
	const char *const dirs[] = { getenv("TMPDIR"), "/var/tmp", "/tmp", "." };
	static char buf[64 << 10];	/* a page: 4K, 16K */
	size_t i, k;
	int fd;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && page <= sizeof(buf);
	     i++) {
		if (!dirs[i] || access(dirs[i], W_OK) || !vmv_droppable(dirs[i]))
			continue;
		snprintf(path, len, "%s/%s.XXXXXX", dirs[i], name);
		fd = mkstemp(path);
		if (fd < 0)
			continue;
		vmv_track_tmpfile(path);
		for (k = 0; k < pages; k++) {
			memset(buf, 'a' + k % 26, page);
			if (write(fd, buf, page) != (ssize_t)page)
				break;
		}
		if (k < pages || fsync(fd)) {
			close(fd);
			unlink(path);
			path[0] = '\0';
			vmv_track_tmpfile(NULL);
			continue;
		}
		close(fd);
		return 0;
	}
	snprintf(why, wlen, "no directory on a disk filesystem ($TMPDIR, /var/tmp, /tmp and . are tmpfs/ramfs or not writable; their pages cannot be dropped from the page cache): pass --file FILE on a disk filesystem, or a block device");
	return -1;
}

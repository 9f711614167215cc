/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmview kselftests: loading the module, reading
 * files whole, and "key: value" parsing.  Environment (set by
 * scripts/guest-run.sh inside the guest):
 *   VMVIEW_KO             path of vmview.ko for this kernel
 *   VMVIEW_CLI            path of vmview-cli
 *   VMVIEW_EXPECT_LEVELS  4 or 5: the paging levels this guest booted with
 *   VMVIEW_SWAP           the swap device ("zram0"), or "none"
 */
#ifndef VMVIEW_UTIL_H
#define VMVIEW_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uapi/vmview.h>

/* Read a whole file into a malloc'ed, NUL-terminated buffer; NULL + errno. */
static inline char *vmv_read_file(const char *path, size_t *lenp)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap + 1), *nbuf;
	ssize_t n;
	int fd, err;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		goto err_free;
	for (;;) {
		if (len == cap) {
			cap *= 2;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf) {
				errno = ENOMEM;
				goto err_close;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0)
			goto err_close;
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;

err_close:
	err = errno;
	close(fd);
	errno = err;
err_free:
	err = errno;
	free(buf);
	errno = err;
	return NULL;
}

/* Write a string to a file in one write(); returns 0 or -errno. */
static inline int vmv_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/*
 * Find "key: value" in text and copy value (up to the end of the line)
 * into out.  Returns true when the key is there.
 */
static inline bool vmv_kv(const char *text, const char *key, char *out,
			  size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			const char *v = p + klen + 1, *e;

			while (*v == ' ' || *v == '\t')
				v++;
			e = strchrnul(v, '\n');
			if ((size_t)(e - v) >= outlen)
				return false;
			memcpy(out, v, e - v);
			out[e - v] = '\0';
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* The value of "key: N" as a number, or -1 when absent. */
static inline long long vmv_kv_num(const char *text, const char *key)
{
	char v[64];

	if (!vmv_kv(text, key, v, sizeof(v)))
		return -1;
	return strtoll(v, NULL, 0);
}

static inline const char *vmv_ko_path(void)
{
	const char *p = getenv("VMVIEW_KO");

	return p ? p : "/vmview/vmview.ko";
}

static inline bool vmv_module_loaded(void)
{
	return access("/sys/module/vmview", F_OK) == 0;
}

/* Load vmview.ko with the given parameters; returns 0 or -errno. */
static inline int vmv_load_params(const char *params)
{
	int fd = open(vmv_ko_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static inline int vmv_load(void)
{
	return vmv_load_params("");
}

static inline int vmv_unload(void)
{
	return syscall(SYS_delete_module, "vmview", O_NONBLOCK) ? -errno : 0;
}

/* Make sure the module is loaded (no parameters); returns 0 or -errno. */
static inline int vmv_ensure_loaded(void)
{
	int ret;

	if (vmv_module_loaded())
		return 0;
	ret = vmv_load();
	return ret == -EEXIST ? 0 : ret;
}

/*
 * The paging levels this guest should run with: VMVIEW_EXPECT_LEVELS
 * from the harness, else la57 in /proc/cpuinfo.
 */
static inline int vmv_expected_levels(void)
{
	const char *e = getenv("VMVIEW_EXPECT_LEVELS");
	char *cpuinfo;
	int levels = 4;

	if (e && *e)
		return atoi(e);
	cpuinfo = vmv_read_file("/proc/cpuinfo", NULL);
	if (cpuinfo && strstr(cpuinfo, " la57"))
		levels = 5;
	free(cpuinfo);
	return levels;
}

/* A "key: N" line of /proc/vmview; -1 when absent or unreadable. */
static inline long long vmv_status_num(const char *key)
{
	char *st = vmv_read_file(VMVIEW_PROC_STATUS, NULL);
	long long n = st ? vmv_kv_num(st, key) : -1;

	free(st);
	return n;
}

#define VMV_TRACK	VMVIEW_DEBUGFS_DIR "/track"
#define VMV_UNTRACK	VMVIEW_DEBUGFS_DIR "/untrack"

/* Write a number and a newline to a file; 0 or -errno. */
static inline int vmv_write_num(const char *path, long n)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld\n", n);
	return vmv_write_file(path, s);
}

static inline int vmv_track(pid_t pid)
{
	return vmv_write_num(VMV_TRACK, pid);
}

static inline int vmv_untrack(pid_t pid)
{
	return vmv_write_num(VMV_UNTRACK, pid);
}

/* VMVIEW_DEBUGFS_DIR/PID/FILE (or the directory when file is NULL). */
static inline char *vmv_pid_path(char *buf, size_t len, pid_t pid,
				 const char *file)
{
	if (file)
		snprintf(buf, len, VMVIEW_DEBUGFS_DIR "/%d/%s", pid, file);
	else
		snprintf(buf, len, VMVIEW_DEBUGFS_DIR "/%d", pid);
	return buf;
}

/* Open with flags and close again: 0, or the open's -errno. */
static inline int vmv_open_err(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The /proc/PID/pagemap entry of addr; 0 when it cannot be read. */
static inline unsigned long long vmv_pagemap_entry(pid_t pid,
						   unsigned long addr)
{
	unsigned long long e = 0;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), addr / getpagesize() * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/* A child the test drives over two pipes. */
struct vmv_child {
	pid_t pid;
	int cmd;	/* test -> child: commands */
	int ack;	/* child -> test: answers */
};

/* Kill and reap the child, close its pipes (nothing if not started). */
static inline void vmv_child_stop(struct vmv_child *c)
{
	if (c->pid <= 0)
		return;
	close(c->cmd);
	close(c->ack);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

#endif /* VMVIEW_UTIL_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * fakeerr.so: LD_PRELOAD shim for the host tests.  A fake tree of plain
 * files cannot answer a write with EINVAL or a read with ESRCH as the
 * module's files do; this makes it so, and logs what the CLI writes.
 *
 *   VMVIEW_FAKE="SUFFIX:OP:WHAT[@N];..."   for files whose path ends in
 *       SUFFIX, OP (open, read or write) fails with errno WHAT (a name:
 *       EINVAL, ESRCH, EEXIST, EIO, ENOENT, EPERM, EACCES), or, for
 *       WHAT=drop, a write succeeds without writing, or, for WHAT=short,
 *       a read returns at most SHORT_READ bytes (as a module may: records
 *       then straddle reads).  @N: from the Nth matching call on
 *       (default 1).
 *   VMVIEW_FAKE_LOG=FILE   each write to a file under the root is logged
 *       as "PATH-SUFFIX-AFTER-ROOT DATA" lines.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FDS 1024
#define MAX_RULES 16
#define SHORT_READ 1000		/* not a multiple of any record's size */
#define DROP 0
#define SHORT (-2)

static char *paths[MAX_FDS];

static struct rule {
	char suffix[128];
	char op[8];
	int err;		/* or DROP, SHORT */
	int from, seen;
} rules[MAX_RULES];
static int nr_rules = -1;

static const struct {
	const char *name;
	int err;
} errs[] = {
	{ "EINVAL", EINVAL }, { "ESRCH", ESRCH }, { "EEXIST", EEXIST },
	{ "EIO", EIO }, { "ENOENT", ENOENT }, { "EPERM", EPERM },
	{ "EACCES", EACCES }, { "drop", DROP }, { "short", SHORT },
};

static void load_rules(void)
{
	const char *env = getenv("VMVIEW_FAKE");
	char buf[1024], *save, *r;
	size_t i;

	nr_rules = 0;
	if (!env)
		return;
	snprintf(buf, sizeof(buf), "%s", env);
	for (r = strtok_r(buf, ";", &save); r && nr_rules < MAX_RULES;
	     r = strtok_r(NULL, ";", &save)) {
		struct rule *ru = &rules[nr_rules];
		char what[32] = "", *at;

		if (sscanf(r, "%127[^:]:%7[^:]:%31s", ru->suffix, ru->op,
			   what) != 3)
			continue;
		at = strchr(what, '@');
		ru->from = at ? atoi(at + 1) : 1;
		if (at)
			*at = '\0';
		ru->err = -1;
		for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
			if (!strcmp(errs[i].name, what))
				ru->err = errs[i].err;
		if (ru->err != -1)
			nr_rules++;
	}
}

/* The rule for (path, op) that fires now, or NULL. */
static struct rule *match(const char *path, const char *op)
{
	size_t pl, sl;
	int i;

	if (nr_rules < 0)
		load_rules();
	if (!path)
		return NULL;
	pl = strlen(path);
	for (i = 0; i < nr_rules; i++) {
		sl = strlen(rules[i].suffix);
		if (strcmp(rules[i].op, op) || sl > pl ||
		    strcmp(path + pl - sl, rules[i].suffix))
			continue;
		if (++rules[i].seen >= rules[i].from)
			return &rules[i];
	}
	return NULL;
}

static void log_write(const char *path, const void *buf, size_t n)
{
	const char *log = getenv("VMVIEW_FAKE_LOG");
	const char *root = getenv("VMVIEW_ROOT");
	static ssize_t (*real_write)(int, const void *, size_t);
	char line[512];
	int fd, len;

	if (!log || !path || !root || strncmp(path, root, strlen(root)))
		return;
	if (!real_write)
		real_write = dlsym(RTLD_NEXT, "write");
	len = snprintf(line, sizeof(line), "%s %.*s", path + strlen(root),
		       (int)(n > 200 ? 200 : n), (const char *)buf);
	if (len > 0 && line[len - 1] != '\n' && len < (int)sizeof(line) - 1)
		line[len++] = '\n';
	fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (real_write(fd, line, len) < 0) {
			/* nothing to do */
		}
		close(fd);
	}
}

static int do_open(int (*real)(int, const char *, int, mode_t), int dirfd,
		   const char *path, int flags, mode_t mode)
{
	struct rule *r = match(path, "open");
	int fd;

	if (r && r->err) {
		errno = r->err;
		return -1;
	}
	fd = real(dirfd, path, flags, mode);
	if (fd >= 0 && fd < MAX_FDS) {
		free(paths[fd]);
		paths[fd] = strdup(path);
	}
	return fd;
}

static int real_openat_wrap(int dirfd, const char *path, int flags,
			    mode_t mode)
{
	static int (*real)(int, const char *, int, ...);

	if (!real)
		real = dlsym(RTLD_NEXT, "openat");
	return real(dirfd, path, flags, mode);
}

/* The mode argument of an open that creates: mode_t m = OPEN_MODE(flags); */
#define OPEN_MODE(flags)						\
	({								\
		mode_t _m = 0;						\
		va_list _ap;						\
		if ((flags) & O_CREAT) {				\
			va_start(_ap, flags);				\
			_m = va_arg(_ap, mode_t);			\
			va_end(_ap);					\
		}							\
		_m;							\
	})

int open(const char *path, int flags, ...)
{
	return do_open(real_openat_wrap, AT_FDCWD, path, flags,
		       OPEN_MODE(flags));
}

int open64(const char *path, int flags, ...)
	__attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...)
{
	return do_open(real_openat_wrap, dirfd, path, flags, OPEN_MODE(flags));
}

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	struct rule *r;

	if (!real)
		real = dlsym(RTLD_NEXT, "read");
	r = fd >= 0 && fd < MAX_FDS ? match(paths[fd], "read") : NULL;
	if (r && r->err == SHORT)
		return real(fd, buf, n < SHORT_READ ? n : SHORT_READ);
	if (r && r->err) {
		errno = r->err;
		return -1;
	}
	return real(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	const char *path = fd >= 0 && fd < MAX_FDS ? paths[fd] : NULL;
	struct rule *r;

	if (!real)
		real = dlsym(RTLD_NEXT, "write");
	log_write(path, buf, n);
	r = match(path, "write");
	if (r && r->err != SHORT) {
		if (r->err == DROP)
			return n;
		errno = r->err;
		return -1;
	}
	return real(fd, buf, n);
}

int close(int fd)
{
	static int (*real)(int);

	if (!real)
		real = dlsym(RTLD_NEXT, "close");
	if (fd >= 0 && fd < MAX_FDS) {
		free(paths[fd]);
		paths[fd] = NULL;
	}
	return real(fd);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * fs.c: files, under the root prefix.
 *
 * Every path the CLI opens (/proc/vmview, /sys/kernel/debug/vmview/...,
 * /proc/PID/...) is built by vmv_path(), which puts --root (or
 * $VMVIEW_ROOT) in front, so that tests can point the CLI at a fake tree
 * of plain files.  Reads and writes use open/read/write directly: one
 * write() a request (as the module's files expect), reads in chunks until
 * EOF (the module serves ptes.bin and vmas a chunk at a time).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmview-cli.h"

const char *vmv_path(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = snprintf(buf, len, "%s", vmv_opts.root ? vmv_opts.root : "");
	va_list ap;

	if (n >= len)
		n = len - 1;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	return buf;
}

/*
 * Read a whole file into a NUL-terminated malloc'ed buffer.  Returns 0,
 * or -errno (from open or from any read).
 */
int vmv_read_path(const char *path, char **out, size_t *lenp)
{
	size_t cap = 65536, len = 0;
	char *buf, *nbuf;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		if (len == cap) {
			cap *= 2;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf) {
				err = -ENOMEM;
				goto out_free;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out_free;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	if (lenp)
		*lenp = len;
	return 0;

out_free:
	free(buf);
out_close:
	close(fd);
	return err;
}

/*
 * n bytes of output made in a buffer of the caller's own, written to
 * f's file descriptor with write(2) after what f holds: the rows of a
 * large dump (ptes) are made 64 KiB at a time, and stdio would only
 * copy them into its own buffer once more before writing them.  The
 * errno of a failed write goes to *err unless *err holds one already
 * (the first error is the one to report, after the last write).
 */
void vmv_write_out(FILE *f, const void *buf, size_t n, int *err)
{
	int fd = fileno(f), e;

	if (!n)
		return;
	if (fd < 0)	/* a memory stream (the host tests'): no descriptor */
		e = fwrite(buf, 1, n, f) == n ? 0 : EIO;
	else
		e = fflush(f) ? errno : vmv_write_fd(fd, buf, n);
	if (e && !*err)
		*err = e;
}

/* All n bytes to fd, however many write(2)s it takes; 0 or the errno. */
int vmv_write_fd(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t k;

	while (n) {
		k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EIO;
		p += k;
		n -= k;
	}
	return 0;
}

/*
 * Call fn for each record of size bytes of a file as the file is read,
 * nr records at a time: a file of millions of records is never held
 * whole, a record split between two reads is put back together, and a
 * caller that has seen enough stops the reading (fn returns non-zero;
 * that is returned).  Returns 0, -errno of open or read, fn's return, or
 * -EBADMSG when the file ends inside a record.
 */
int vmv_each_record(const char *path, size_t size, size_t nr,
		    int (*fn)(const void *rec, void *arg), void *arg)
{
	size_t cap = size * nr, len = 0, off;
	int fd, ret = 0;
	char *buf;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n ? -errno : len ? -EBADMSG : 0;
			break;
		}
		len += n;
		for (off = 0; !ret && len - off >= size; off += size)
			ret = fn(buf + off, arg);
		if (ret)
			break;
		memmove(buf, buf + off, len - off);
		len -= off;
	}
	free(buf);
	close(fd);
	return ret;
}

/* Write a string in one write() (no O_TRUNC: debugfs files take none). */
int vmv_write_path(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

bool vmv_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * fs.c: files, under the root prefix.
 *
 * Every path the CLI opens (/proc/vmview, /sys/kernel/debug/vmview/...,
 * /proc/PID/...) is built by vmv_path(), which puts --root (or
 * $VMVIEW_ROOT) in front, so that tests can point the CLI at a fake tree
 * of plain files.  Reads and writes use open/read/write directly: one
 * write() a request (as the module's files expect), reads in chunks until
 * EOF (the module serves ptes and vmas a chunk at a time).
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
	size_t n = snprintf(buf, len, "%s", opts.root ? opts.root : "");
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
 * Call fn for each line of a file (NUL-terminated, without its newline)
 * as the file is read, 64 KiB at a time: a file of millions of lines is
 * never held whole, and a caller that has seen enough stops the reading
 * (fn returns non-zero; that is returned).  Returns 0, -errno of open or
 * read, or fn's return.
 */
int vmv_each_line(const char *path, int (*fn)(char *line, void *arg),
		  void *arg)
{
	size_t cap = 65536, len = 0, used;
	char *buf, *nbuf, *line, *eol;
	int fd, ret = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (len == cap) {	/* a line longer than the buffer */
			cap *= 2;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf) {
				ret = -ENOMEM;
				break;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		len += n;
		buf[len] = '\0';
		for (line = buf; !ret && (eol = memchr(line, '\n',
						       buf + len - line));
		     line = eol + 1) {
			*eol = '\0';
			ret = fn(line, arg);
		}
		if (ret)
			break;
		used = line - buf;
		if (n == 0) {		/* the last line may lack its newline */
			if (len > used)
				ret = fn(line, arg);
			break;
		}
		memmove(buf, line, len - used);
		len -= used;
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

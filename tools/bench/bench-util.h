/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench-util.h: what the programs of `make bench` share (bench-measure,
 * bench-interfere, bench-target): the clock, vmview's debugfs files,
 * /proc/PID/maps and /proc/PID/pagemap, and the output.  The PID, the
 * buffers and the program's name come in as parameters: nothing here
 * keeps state.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BENCH_DBG	"/sys/kernel/debug/vmview"
#define BENCH_PAGE	4096UL

/* A VMA's addresses, from /proc/PID/maps. */
struct bench_range {
	uint64_t start, end;
};

/*
 * "PROG: ", fmt formatted, ": " and errno's message on stderr; exit 1.
 * errno is the one at the call.
 */
static inline void __attribute__((noreturn, format(printf, 2, 3)))
bench_die(const char *prog, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

/* Is name in only, a comma-separated list (every name when only is NULL)? */
static inline bool bench_want(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (!only)
		return true;
	for (p = only; (p = strstr(p, name)); p += n)
		if ((p == only || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Flush stdout and wait until it is sent: in the guest it is a serial
 * port, and a line still draining (an interrupt every few bytes) would
 * slow down what runs next.
 */
static inline void bench_flush_out(void)
{
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
}

/* A write to each of n pages from p, so that each is resident. */
static inline void bench_touch(char *p, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		p[i * BENCH_PAGE] = (char)(i | 1);	/* a page of its own */
}

/* vmview's file of pid in p (len bytes): BENCH_DBG/PID/file; p. */
static inline const char *bench_pidpath(char *p, size_t len, pid_t pid,
					const char *file)
{
	snprintf(p, len, BENCH_DBG "/%d/%s", (int)pid, file);
	return p;
}

/* Write s in one write(); 0 or -errno. */
static inline int bench_put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

/* pid written to vmview's track (on) or untrack; 0 or -errno. */
static inline int bench_track(pid_t pid, bool on)
{
	char line[32];

	snprintf(line, sizeof(line), "%d\n", (int)pid);
	return bench_put(on ? BENCH_DBG "/track" : BENCH_DBG "/untrack", line);
}

/* Read a file to EOF into buf, in reads of sz bytes; bytes or -errno. */
static inline long long bench_slurp(const char *path, char *buf, size_t sz)
{
	long long total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sz)) > 0)
		total += n;
	if (n < 0)
		total = -errno;
	close(fd);
	return total;
}

/*
 * An open file from offset 0 to EOF (pread()s), NUL-terminated, in buf
 * of size bytes (size - 1 at the most); bytes or -errno.
 */
static inline long long bench_pread_text(int fd, char *buf, size_t size)
{
	long long n = 0;
	ssize_t r = 0;

	while (n < (long long)size - 1 &&
	       (r = pread(fd, buf + n, size - 1 - n, n)) > 0)
		n += r;
	if (r < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/* checked= and mismatches= of a verify's text; 0 or -EPROTO. */
static inline int bench_parse_verify(const char *text,
				     unsigned long long *checked,
				     unsigned long long *mismatches)
{
	const char *v = strstr(text, "verify: ");

	if (!v || sscanf(v, "verify: checked=%llu mismatches=%llu", checked,
			 mismatches) != 2)
		return -EPROTO;
	return 0;
}

/*
 * Every VMA of /proc/PID/maps (max at the most; not [vsyscall], which is
 * not a VMA of the mm) in ranges; how many.  Dies as prog when maps
 * cannot be opened.
 */
static inline int bench_load_maps(const char *prog, pid_t pid,
				  struct bench_range *ranges, int max)
{
	char path[64], line[512];
	unsigned long long s, e;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		bench_die(prog, "%s", path);
	while (fgets(line, sizeof(line), f) && n < max) {
		if (sscanf(line, "%llx-%llx", &s, &e) != 2 ||
		    strstr(line, "[vsyscall]"))
			continue;
		ranges[n].start = s;
		ranges[n].end = e;
		n++;
	}
	fclose(f);
	return n;
}

/*
 * /proc/PID/pagemap over the n ranges, as a tool that read maps would,
 * in pread()s of sz bytes at the most into buf; bytes or -errno.
 */
static inline long long bench_read_pagemap(pid_t pid,
					   const struct bench_range *ranges,
					   int n, char *buf, size_t sz)
{
	char path[64];
	long long total = 0;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		uint64_t off = ranges[i].start / BENCH_PAGE * 8;
		uint64_t end = ranges[i].end / BENCH_PAGE * 8;

		while (off < end) {
			size_t want = end - off < sz ? end - off : sz;
			ssize_t r = pread(fd, buf, want, off);

			if (r <= 0) {
				total = r < 0 ? -errno : -EIO;
				goto out;
			}
			off += r;
			total += r;
		}
	}
out:
	close(fd);
	return total;
}

#endif /* BENCH_UTIL_H */

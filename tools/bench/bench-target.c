// SPDX-License-Identifier: GPL-2.0
/*
 * bench-target: a process with a known amount of resident memory, for
 * `make bench` (scripts/bench.sh).  One of:
 *
 *   bench-target pages N     N resident 4 KiB anonymous pages in one VMA
 *                            (MADV_NOHUGEPAGE), shared copy-on-write with a
 *                            sleeping child so that a write is a COW fault
 *   bench-target thp N       N 4 KiB pages' worth of anonymous memory in
 *                            2 MiB-aligned huge pages (MADV_HUGEPAGE)
 *   bench-target sparse N REGIONS REGION_MB STRIDE_GB
 *                            REGIONS MAP_NORESERVE VMAs of REGION_MB MiB each,
 *                            placed with MAP_FIXED_NOREPLACE every STRIDE_GB
 *                            GiB from 16 TiB up, with N resident pages in all,
 *                            one at a random offset in each equal slot
 *
 * Protocol, over stdin/stdout (line by line):
 *   target -> "range START END\n" for each VMA it made (hex), then
 *             "ready PAGES\n" (PAGES: 4 KiB pages it made resident)
 *   "cow\n"   -> writes to the next page of the first range, which is a COW
 *                fault in "pages" mode; answers "done ADDR\n"
 *   "exit\n" or end of input -> exits (the child follows: it sees EOF on
 *                a pipe whose other end only the parent holds)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

#include "bench-util.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define PAGE		BENCH_PAGE
#define HUGE		(2UL << 20)
#define SPARSE_BASE	(16ULL << 40)	/* 16 TiB: below 2^47 for 4-level */

#define die(what)	bench_die("bench-target", "%s", what)

/* A child that keeps the parent's pages shared until the parent exits. */
static void cow_child(void)
{
	int fds[2];
	char c;

	if (pipe(fds))
		die("pipe");
	switch (fork()) {
	case -1:
		die("fork");
	case 0:
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[1]);
		while (read(fds[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(fds[0]);	/* the write end stays open in the parent only */
}

static unsigned long xrand(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ULL;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (unsigned long)s;
}

int main(int argc, char **argv)
{
	unsigned long pages, i, cow_next = 0;
	char *first = NULL, line[64];
	size_t first_len = 0;

	if (argc < 3)
		goto usage;
	pages = strtoul(argv[2], NULL, 0);
	if (!pages)
		goto usage;

	if (!strcmp(argv[1], "pages")) {
		size_t len = pages * PAGE;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		if (madvise(p, len, MADV_NOHUGEPAGE))
			die("madvise(MADV_NOHUGEPAGE)");
		bench_touch(p, pages);
		cow_child();
		printf("range %lx %lx\n", (unsigned long)p,
		       (unsigned long)p + len);
		first = p;
		first_len = len;
	} else if (!strcmp(argv[1], "thp")) {
		size_t len = (pages * PAGE + HUGE - 1) & ~(HUGE - 1);
		char *raw = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *p;

		if (raw == MAP_FAILED)
			die("mmap");
		p = (char *)(((unsigned long)raw + HUGE - 1) & ~(HUGE - 1));
		/* Only the aligned part stays: one VMA of whole huge pages. */
		if (p > raw)
			munmap(raw, p - raw);
		munmap(p + len, raw + len + HUGE - p - len);
		if (madvise(p, len, MADV_HUGEPAGE))
			die("madvise(MADV_HUGEPAGE)");
		bench_touch(p, len / PAGE);
		printf("range %lx %lx\n", (unsigned long)p,
		       (unsigned long)p + len);
		first = p;
		first_len = len;
		pages = len / PAGE;
	} else if (!strcmp(argv[1], "sparse") && argc == 6) {
		unsigned long regions = strtoul(argv[3], NULL, 0);
		size_t rlen = strtoull(argv[4], NULL, 0) << 20;
		uint64_t stride = strtoull(argv[5], NULL, 0) << 30;
		unsigned long per, slot, r;

		if (!regions || !rlen || stride < rlen || pages % regions)
			goto usage;
		per = pages / regions;
		slot = rlen / per;
		if (slot < PAGE)
			goto usage;
		for (r = 0; r < regions; r++) {
			char *want = (char *)(uintptr_t)(SPARSE_BASE + r * stride);
			char *p = mmap(want, rlen, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS |
				       MAP_NORESERVE | MAP_FIXED_NOREPLACE,
				       -1, 0);

			if (p == MAP_FAILED)
				die("mmap(MAP_FIXED_NOREPLACE)");
			if (p != want) {
				errno = EEXIST;
				die("mmap placed the region elsewhere");
			}
			/* One page per slot: never a huge page. */
			if (madvise(p, rlen, MADV_NOHUGEPAGE))
				die("madvise(MADV_NOHUGEPAGE)");
			for (i = 0; i < per; i++) {
				size_t off = i * slot +
					     (xrand() % (slot / PAGE)) * PAGE;

				p[off] = (char)(i | 1);
			}
			printf("range %lx %lx\n", (unsigned long)p,
			       (unsigned long)p + rlen);
			if (!first) {
				first = p;
				first_len = rlen;
			}
		}
	} else {
		goto usage;
	}
	printf("ready %lu\n", pages);
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin)) {
		if (!strcmp(line, "cow\n")) {
			char *a = first + (cow_next++ * PAGE) % first_len;

			*(volatile char *)a += 1;
			printf("done %lx\n", (unsigned long)a);
			fflush(stdout);
		} else if (!strcmp(line, "exit\n")) {
			break;
		}
	}
	return 0;

usage:
	fprintf(stderr,
		"usage: bench-target pages N | thp N | sparse N REGIONS REGION_MB STRIDE_GB\n");
	return 2;
}

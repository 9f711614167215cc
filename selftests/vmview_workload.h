/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmview_workload: a process with a known address space, for the
 * kselftests that compare vmview's answers with the kernel's own views.
 *
 *	struct vmv_workload wl;
 *
 *	vmv_wl_start(&wl, VMV_WL(VMV_WL_ANON) | VMV_WL(VMV_WL_THP));
 *	... inspect wl.pid; wl.start[r], wl.end[r]: region r's VMA ...
 *	vmv_wl_stop(&wl);
 *
 * vmv_wl_start() forks and runs the test program again (/proc/self/exe)
 * as the workload, so that the workload shares no anonymous page with
 * the test: a test writing its own memory would otherwise change the
 * workload's mapcounts under its feet.  The constructor at the end of
 * this header recognises the re-executed program by VMV_WL_ENV and runs
 * the workload instead of main().  The workload, whose comm is
 * VMV_WL_COMM:
 *  - maps each region asked for as its own VMA, at the start of its own
 *    slot of two huge pages (vmv_wl_huge(): 2 MiB, or 4 MiB on i386
 *    without PAE), huge-page aligned; the rest of every slot is
 *    unmapped, so no two regions merge and wl.hole is covered by no VMA;
 *  - touches the regions as described at enum vmv_wl_region;
 *  - clears soft-dirty (VMV_WL_SOFTDIRTY) and forks (VMV_WL_COW) last;
 *  - drains the per-CPU LRU batches of every CPU, so that no page flag
 *    changes later;
 *  - reports and waits, faulting nothing, until vmv_wl_stop() or the
 *    death of the test; then it exits, and with it its COW child.
 * A region that cannot be set up (no huge pages reserved, no swap) is
 * left out of wl.have, with the reason in wl.err[r].
 */
#ifndef VMVIEW_WORKLOAD_H
#define VMVIEW_WORKLOAD_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmview_util.h"

#ifndef MADV_COLD
#define MADV_COLD	20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define VMV_WL_ENV	"VMVIEW_WORKLOAD"
#define VMV_WL_COMM	"vmv_workload"
#define VMV_WL_PAGE	((unsigned long)sysconf(_SC_PAGESIZE))
#define VMV_WL_NR_FILES	3	/* FILE_PRIVATE, FILE_SHARED, FILE_RO */

/* Pages in each small region, and which of them are touched how. */
#define VMV_WL_PAGES	64
#define VMV_WL_WRITTEN	32	/* [0, 32) written */
#define VMV_WL_READ	48	/* [32, 48) read only; [48, 64) untouched */
#define VMV_WL_REDIRTY	16	/* [0, 16) written again at the end */
#define VMV_WL_PAGEOUT	32	/* VMV_WL_SWAP: [0, 32) paged out */

/*
 * The size of a huge page here (THP and hugetlb alike): 2 MiB at the pmd,
 * 4 MiB at the pgd of i386 without PAE (vmview_util.h's vmv_paging()).
 */
static inline unsigned long vmv_wl_huge(void)
{
	return 1UL << vmv_huge_shift();
}

/* Each region's slot: two huge pages. */
static inline unsigned long vmv_wl_slot(void)
{
	return 2 * vmv_wl_huge();
}

/*
 * The regions.  Anonymous private ones that are not meant to be huge
 * are MADV_NOHUGEPAGE (and smaller than a huge page anyway), so that no
 * huge zero page and no khugepaged collapse changes them.  Files are in
 * /tmp (tmpfs in the guests), filled with data first.
 */
enum vmv_wl_region {
	VMV_WL_ANON,		/* written, read (zero page), untouched */
	VMV_WL_FILE_PRIVATE,	/* private file: all read, [0, 16) written */
	VMV_WL_FILE_SHARED,	/* shared file: written, read, untouched */
	VMV_WL_FILE_RO,		/* PROT_READ private file: all read */
	VMV_WL_SHARED_ANON,	/* MAP_SHARED: written, read, untouched */
	VMV_WL_POPULATE,	/* MAP_POPULATE, never touched after */
	VMV_WL_MLOCK,		/* mlock()ed */
	VMV_WL_THP,		/* a huge page, MADV_HUGEPAGE, written whole */
	VMV_WL_HUGETLB,		/* a huge page, MAP_HUGETLB, written whole */
	VMV_WL_SWAP,		/* all written, [0, 32) MADV_PAGEOUT'ed */
	VMV_WL_SOFTDIRTY,	/* written, soft-dirty cleared, [0, 16) again */
	VMV_WL_COW,		/* all written, fork(), [0, 16) written again */
	VMV_WL_NR,
};

#define VMV_WL(r)	(1U << (r))
#define VMV_WL_ALL	(VMV_WL(VMV_WL_NR) - 1)

struct vmv_workload {
	pid_t pid;		/* the workload, 0 when none */
	int ctl_fd;		/* closing it ends the workload */
	/* Filled in by the workload. */
	int err;		/* 0, or -errno: the workload failed */
	unsigned int want;	/* regions asked for */
	unsigned int have;	/* regions set up */
	unsigned long start[VMV_WL_NR];	/* region r's VMA is [start, end) */
	unsigned long end[VMV_WL_NR];
	int rerr[VMV_WL_NR];	/* -errno: why region r is missing */
	unsigned long hole;	/* an address no VMA covers */
	unsigned int swapped;	/* pages of VMV_WL_SWAP found swapped out */
	pid_t cow_pid;		/* the COW child (VMV_WL_COW), or 0 */
};

static inline const char *vmv_wl_name(enum vmv_wl_region r)
{
	static const char * const names[VMV_WL_NR] = {
		"anon", "file_private", "file_shared", "file_ro",
		"shared_anon", "populate", "mlock", "thp", "hugetlb", "swap",
		"softdirty", "cow",
	};

	return r < VMV_WL_NR ? names[r] : "?";
}

static inline bool vmv_wl_has(const struct vmv_workload *wl,
			      enum vmv_wl_region r)
{
	return wl->have & VMV_WL(r);
}

/* Address of page i of region r. */
static inline unsigned long vmv_wl_page(const struct vmv_workload *wl,
					enum vmv_wl_region r, unsigned int i)
{
	return wl->start[r] + i * VMV_WL_PAGE;
}

static inline unsigned long vmv_wl_len(enum vmv_wl_region r)
{
	if (r == VMV_WL_THP || r == VMV_WL_HUGETLB)
		return vmv_wl_huge();
	return VMV_WL_PAGES * VMV_WL_PAGE;
}

/* --- the workload side (runs in the re-executed program) ---------------- */

static inline void vmv_wl_file_name(char *buf, size_t len, pid_t pid,
				    enum vmv_wl_region r)
{
	snprintf(buf, len, "/tmp/vmv_wl.%d.%s", (int)pid, vmv_wl_name(r));
}

/* Write distinct data to pages [from, to) of p. */
static inline void vmv_wl_write(char *p, unsigned int from, unsigned int to,
				unsigned long tag)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		unsigned long *w = (unsigned long *)(p + i * VMV_WL_PAGE);

		w[0] = tag;
		w[1] = i;
		w[2] = (unsigned long)w;
	}
}

static inline void vmv_wl_read(const char *p, unsigned int from,
			       unsigned int to)
{
	unsigned int i;
	char sum = 0;

	for (i = from; i < to; i++)
		sum += p[i * VMV_WL_PAGE];
	/* Keep the reads: the compiler cannot see what sum is for. */
	asm volatile("" : : "r" (sum) : "memory");
}

/* A /tmp file of VMV_WL_PAGES pages of data; returns an fd or -errno. */
static inline int vmv_wl_file(enum vmv_wl_region r)
{
	char name[64], page[VMV_WL_PAGE];
	unsigned int i;
	int fd;

	vmv_wl_file_name(name, sizeof(name), getpid(), r);
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (i = 0; i < VMV_WL_PAGES; i++) {
		memset(page, 'a' + (i + r) % 26, sizeof(page));
		if (pwrite(fd, page, sizeof(page), i * VMV_WL_PAGE) !=
		    (ssize_t)sizeof(page)) {
			close(fd);
			return -EIO;
		}
	}
	return fd;
}

/* How many of pages [0, n) of p are swapped out, per our own pagemap. */
static inline unsigned int vmv_wl_count_swapped(const char *p, unsigned int n)
{
	unsigned long long pm[VMV_WL_PAGES];
	unsigned int i, count = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t len = sizeof(pm[0]) * n;

	if (fd < 0)
		return 0;
	if (pread(fd, pm, len, (unsigned long)p / VMV_WL_PAGE * sizeof(pm[0]))
	    != len)
		n = 0;
	close(fd);
	for (i = 0; i < n; i++)
		if (pm[i] & (1ULL << 62))
			count++;
	return count;
}

/* Map region r at addr and touch it; returns 0 or -errno. */
static inline int vmv_wl_map(struct vmv_workload *wl, enum vmv_wl_region r,
			     char *addr)
{
	int prot = PROT_READ | PROT_WRITE, fd = -1, flags, err = 0, i;
	int anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	unsigned long len = vmv_wl_len(r);
	char *p;

	switch (r) {
	case VMV_WL_FILE_PRIVATE:
	case VMV_WL_FILE_SHARED:
	case VMV_WL_FILE_RO:
		fd = vmv_wl_file(r);
		if (fd < 0)
			return fd;
		flags = (r == VMV_WL_FILE_SHARED ? MAP_SHARED : MAP_PRIVATE) |
			MAP_FIXED;
		if (r == VMV_WL_FILE_RO)
			prot = PROT_READ;
		break;
	case VMV_WL_SHARED_ANON:
		flags = MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED;
		break;
	case VMV_WL_POPULATE:
		flags = anon | MAP_POPULATE;
		break;
	case VMV_WL_HUGETLB:
		flags = anon | MAP_HUGETLB;
		break;
	default:
		flags = anon;
		break;
	}
	p = mmap(addr, len, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		return err;
	if (p != addr)
		return -EFAULT;
	if (r == VMV_WL_THP)
		err = madvise(p, len, MADV_HUGEPAGE);
	else if (!(flags & MAP_SHARED) && r != VMV_WL_HUGETLB)
		err = madvise(p, len, MADV_NOHUGEPAGE);
	if (err)
		return -errno;

	switch (r) {
	case VMV_WL_ANON:
	case VMV_WL_FILE_SHARED:
	case VMV_WL_SHARED_ANON:
		vmv_wl_write(p, 0, VMV_WL_WRITTEN, r);
		vmv_wl_read(p, VMV_WL_WRITTEN, VMV_WL_READ);
		break;
	case VMV_WL_FILE_PRIVATE:
		vmv_wl_read(p, 0, VMV_WL_PAGES);
		vmv_wl_write(p, 0, VMV_WL_REDIRTY, r);
		break;
	case VMV_WL_FILE_RO:
		vmv_wl_read(p, 0, VMV_WL_PAGES);
		break;
	case VMV_WL_POPULATE:
		break;
	case VMV_WL_MLOCK:
		if (mlock(p, len))
			return -errno;
		break;
	case VMV_WL_THP:
	case VMV_WL_HUGETLB:
		vmv_wl_write(p, 0, len / VMV_WL_PAGE, r);
		break;
	case VMV_WL_SWAP:
		vmv_wl_write(p, 0, VMV_WL_PAGES, r);
		/* MADV_PAGEOUT is best effort: try again a few times. */
		for (i = 0; i < 20; i++) {
			if (madvise(p, VMV_WL_PAGEOUT * VMV_WL_PAGE,
				    MADV_PAGEOUT))
				return -errno;
			wl->swapped = vmv_wl_count_swapped(p, VMV_WL_PAGEOUT);
			if (wl->swapped == VMV_WL_PAGEOUT)
				break;
			usleep(20000);
		}
		if (!wl->swapped)
			return -EAGAIN;
		break;
	default:
		vmv_wl_write(p, 0, VMV_WL_PAGES, r);
		break;
	}
	return 0;
}

/*
 * Push every page out of the per-CPU LRU batches, where PG_lru is not
 * yet set: MADV_COLD drains the local CPU's batches, so run it on each
 * CPU in turn (on an empty shared mapping, where it deactivates nothing).
 */
static inline void vmv_wl_drain_lru(void)
{
	cpu_set_t all, one;
	void *d;
	int cpu;

	d = mmap(NULL, VMV_WL_PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (d == MAP_FAILED)
		return;
	if (!sched_getaffinity(0, sizeof(all), &all)) {
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (!CPU_ISSET(cpu, &all))
				continue;
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			if (!sched_setaffinity(0, sizeof(one), &one))
				madvise(d, VMV_WL_PAGE, MADV_COLD);
		}
		sched_setaffinity(0, sizeof(all), &all);
	}
	munmap(d, VMV_WL_PAGE);
}

/* Fork a child that shares our pages and sits still; returns its PID. */
static inline pid_t vmv_wl_fork_cow(int ctl_fd, int rep_fd)
{
	pid_t parent = getpid(), pid;
	char c = 0;
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(ctl_fd);
		close(rep_fd);
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	/* Wait until it has run: its own faults are over by then. */
	if (read(p[0], &c, 1) != 1) {
		close(p[0]);
		return -ECHILD;
	}
	close(p[0]);
	return pid;
}

static inline void vmv_wl_unlink_files(pid_t pid)
{
	static const enum vmv_wl_region files[VMV_WL_NR_FILES] = {
		VMV_WL_FILE_PRIVATE, VMV_WL_FILE_SHARED, VMV_WL_FILE_RO,
	};
	char name[64];
	unsigned int i;

	for (i = 0; i < VMV_WL_NR_FILES; i++) {
		vmv_wl_file_name(name, sizeof(name), pid, files[i]);
		unlink(name);
	}
}

/* Never returns. */
static inline void vmv_wl_run(unsigned int want, int ctl_fd, int rep_fd)
{
	unsigned long huge = vmv_wl_huge(), slot = vmv_wl_slot();
	unsigned long nr = VMV_WL_NR, size = nr * slot, base, a;
	struct vmv_workload wl = { .want = want };
	char *res, *p;
	unsigned int r;
	ssize_t n;
	char c;
	int fd;

	prctl(PR_SET_NAME, VMV_WL_COMM);
	res = mmap(NULL, size + huge, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		wl.err = -errno;
		goto report;
	}
	base = ((unsigned long)res + huge - 1) & ~(huge - 1);
	for (r = 0; r < VMV_WL_NR; r++) {
		p = (char *)(base + r * slot);
		if (!(want & VMV_WL(r)))
			continue;
		wl.rerr[r] = vmv_wl_map(&wl, r, p);
		if (wl.rerr[r])
			continue;
		wl.have |= VMV_WL(r);
		wl.start[r] = (unsigned long)p;
		wl.end[r] = (unsigned long)p + vmv_wl_len(r);
	}
	/* Unmap what is left of the reservation: gaps between regions. */
	if (base > (unsigned long)res)
		munmap(res, base - (unsigned long)res);
	for (r = 0; r < VMV_WL_NR; r++) {
		a = base + r * slot;
		if (wl.have & VMV_WL(r))
			a += vmv_wl_len(r);
		munmap((void *)a, base + (r + 1) * slot - a);
	}
	a = base + size;
	munmap((void *)a, (unsigned long)res + size + huge - a);
	wl.hole = base + slot - huge / 2;

	if (wl.have & VMV_WL(VMV_WL_SOFTDIRTY)) {
		fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "4", 1) != 1) {
			wl.have &= ~VMV_WL(VMV_WL_SOFTDIRTY);
			wl.rerr[VMV_WL_SOFTDIRTY] = -errno;
		} else {
			vmv_wl_write((char *)wl.start[VMV_WL_SOFTDIRTY], 0,
				     VMV_WL_REDIRTY, 100);
		}
		if (fd >= 0)
			close(fd);
	}
	if (wl.have & VMV_WL(VMV_WL_COW)) {
		wl.cow_pid = vmv_wl_fork_cow(ctl_fd, rep_fd);
		if (wl.cow_pid < 0) {
			wl.have &= ~VMV_WL(VMV_WL_COW);
			wl.rerr[VMV_WL_COW] = wl.cow_pid;
			wl.cow_pid = 0;
		} else {
			vmv_wl_write((char *)wl.start[VMV_WL_COW], 0,
				     VMV_WL_REDIRTY, 200);
		}
	}
	vmv_wl_drain_lru();

report:
	n = write(rep_fd, &wl, sizeof(wl));
	close(rep_fd);
	/* Sit still until the test closes its end (or dies). */
	if (n == (ssize_t)sizeof(wl))
		while (read(ctl_fd, &c, 1) < 0 && errno == EINTR)
			;
	if (wl.cow_pid > 0) {
		kill(wl.cow_pid, SIGKILL);
		waitpid(wl.cow_pid, NULL, 0);
	}
	vmv_wl_unlink_files(getpid());
	_exit(wl.err ? 1 : 0);
}

/* The re-executed test program: be the workload, never return to main(). */
static void __attribute__((constructor)) vmv_wl_ctor(void)
{
	const char *e = getenv(VMV_WL_ENV);
	unsigned int want;
	int ctl_fd, rep_fd;

	if (!e || sscanf(e, "%x:%d:%d", &want, &ctl_fd, &rep_fd) != 3)
		return;
	unsetenv(VMV_WL_ENV);
	vmv_wl_run(want, ctl_fd, rep_fd);
}

/* --- the test side ------------------------------------------------------- */

/* End the workload (and its COW child) and reap it. */
static inline void vmv_wl_stop(struct vmv_workload *wl)
{
	if (wl->ctl_fd >= 0)
		close(wl->ctl_fd);
	wl->ctl_fd = -1;
	if (wl->pid > 0) {
		waitpid(wl->pid, NULL, 0);
		vmv_wl_unlink_files(wl->pid);
	}
	wl->pid = 0;
}

/*
 * Start a workload with the given regions (VMV_WL() bits) and wait until
 * it is ready; the caller must vmv_wl_stop() it.  Returns 0 (check
 * wl->have for what was set up) or -errno.
 */
static inline int vmv_wl_start(struct vmv_workload *wl, unsigned int regions)
{
	int ctl[2], rep[2], err;
	pid_t parent = getpid(), pid;
	char env[64];
	ssize_t n;

	memset(wl, 0, sizeof(*wl));
	wl->ctl_fd = -1;
	if (pipe2(ctl, O_CLOEXEC))
		return -errno;
	if (pipe2(rep, O_CLOEXEC)) {
		err = -errno;
		close(ctl[0]);
		close(ctl[1]);
		return err;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(ctl[0]);
		close(ctl[1]);
		close(rep[0]);
		close(rep[1]);
		return err;
	}
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		/* Only the workload's ends survive the exec. */
		fcntl(ctl[0], F_SETFD, 0);
		fcntl(rep[1], F_SETFD, 0);
		snprintf(env, sizeof(env), "%x:%d:%d", regions, ctl[0],
			 rep[1]);
		setenv(VMV_WL_ENV, env, 1);
		execl("/proc/self/exe", VMV_WL_COMM, (char *)NULL);
		_exit(127);
	}
	close(ctl[0]);
	close(rep[1]);
	n = read(rep[0], wl, sizeof(*wl));
	close(rep[0]);
	wl->pid = pid;
	wl->ctl_fd = ctl[1];
	if (n != (ssize_t)sizeof(*wl) || wl->err) {
		err = n != (ssize_t)sizeof(*wl) ? -ECHILD : wl->err;
		vmv_wl_stop(wl);
		return err;
	}
	return 0;
}

#endif /* VMVIEW_WORKLOAD_H */

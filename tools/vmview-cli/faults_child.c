// SPDX-License-Identifier: GPL-2.0
/*
 * faults_child.c: "__target", the process faults starts and drives (a
 * re-exec of the CLI, so it begins with a small, clean address space).
 *
 * The CLI passes four pipe ends: commands come in on fd 3 and replies go
 * out on fd 4; after "fork", the child reads fd 5 and replies on fd 6
 * while the parent keeps 3 and 4.  A command is one line, a reply is one
 * line, "ok ..." or "err MESSAGE".  Memory touched here is touched one
 * byte at a time with volatile accesses, so each command makes exactly
 * the faults it names; at start the target touches its stack, locks
 * what it has mapped (MCL_CURRENT only: later mappings fault as usual)
 * so that running a command seldom faults on anything else, and pins
 * itself to one CPU, so that a page it faults in is on that CPU's LRU
 * batch when MADV_PAGEOUT drains it.
 *
 * Commands (ADDR, LEN in hex with 0x):
 *   anon LEN nohuge|huge     map anonymous memory; huge: LEN-aligned
 *                            (LEN a huge page: 2M, or 4M with 2-level
 *                            paging), MADV_HUGEPAGE; huge2m is huge
 *                            with 2M alignment                -> ok ADDR
 *   read ADDR | write ADDR | fill ADDR LEN
 *                            -> ok [VALUE] minflt=N majflt=N (getrusage
 *                               around the access alone)
 *   pageout|dontneed ADDR LEN   madvise                      -> ok
 *   protect ADDR LEN r|rw|none  mprotect                     -> ok
 *   unmap ADDR LEN                                           -> ok
 *   mapfile PATH             map 16 pages read-only, shared  -> ok ADDR
 *   dropcache                posix_fadvise(DONTNEED) on it   -> ok
 *   mincore ADDR             is the page in the page cache   -> ok 0|1
 *   fork                     -> ok CHILD_PID (the child: ok on fd 6)
 *   segv ADDR r|w            a grandchild makes the access and dies
 *                            -> ok SIGNAL SI_CODE SI_ADDR
 *   exit
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmview-cli.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define FILE_PAGES 16

static int cmd_fd = 3, reply_fd = 4;
static int file_fd = -1;
static int segv_pipe = -1;

static void reply(const char *fmt, ...) __printf(1, 2);
static void reply(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vmv_write_line(reply_fd, buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		_exit(1);
}

/* "ok", or "err" with what failed and errno's message (ret: a call's). */
static void reply_done(int ret, const char *what)
{
	if (ret)
		reply("err %s: %s", what, strerror(errno));
	else
		reply("ok");
}

/*
 * One line to fd in one write(): fmt formatted into buf (cut to fit) and
 * a newline.  Returns the bytes written, or -1.
 */
int vmv_write_line(int fd, char *buf, size_t len, const char *fmt,
		   va_list ap)
{
	int n = vsnprintf(buf, len - 1, fmt, ap);

	if (n < 0 || n > (int)len - 2)
		n = len - 2;
	buf[n++] = '\n';
	return write(fd, buf, n) == n ? n : -1;
}

/* One line from fd, without buffering beyond it; -1 on EOF or error. */
int vmv_read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char c;

	while (n + 1 < len) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* Digits of v in base (10 or 16) at p; returns the end.  Signal-safe. */
static char *put_num(char *p, unsigned long v, unsigned int base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* "SIG CODE 0xADDR\n" to the parent, with async-signal-safe calls only. */
static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	char buf[64], *p = buf;

	(void)uc;
	p = put_num(p, sig, 10);
	*p++ = ' ';
	p = put_num(p, si->si_code, 10);
	*p++ = ' ';
	*p++ = '0';
	*p++ = 'x';
	p = put_num(p, (unsigned long)si->si_addr, 16);
	*p++ = '\n';
	if (write(segv_pipe, buf, p - buf) < 0)
		_exit(2);
	/* SA_RESETHAND: returning re-runs the access, which now kills */
}

static void do_segv(uintptr_t addr, bool write_access)
{
	struct sigaction sa = { .sa_sigaction = segv_handler,
				.sa_flags = SA_SIGINFO | SA_RESETHAND };
	char buf[64] = "";
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(p)) {
		reply("err pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		reply("err fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		close(p[0]);
		segv_pipe = p[1];
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
		if (write_access)
			*(volatile char *)addr = 1;
		else
			(void)*(volatile char *)addr;
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) < 0) {
		reply("err waitpid: %s", strerror(errno));
		return;
	}
	if (!WIFSIGNALED(status)) {
		reply("ok 0 0 0x0 exited %d", WEXITSTATUS(status));
		return;
	}
	if (!*buf)
		snprintf(buf, sizeof(buf), "%d 0 0x0", WTERMSIG(status));
	buf[strcspn(buf, "\n")] = '\0';
	/* what the handler saw; the signal that ended the grandchild */
	reply("ok %s killed %d", buf, WTERMSIG(status));
}

static void *map_anon(size_t len, const char *how)
{
	char *p;

	if (!strcmp(how, "huge2m") || !strcmp(how, "huge")) {
		size_t huge = strcmp(how, "huge") ? 2UL << 20 : len;
		uintptr_t a;

		if (!huge || (huge & (huge - 1))) {
			errno = EINVAL;
			return NULL;
		}
		p = mmap(NULL, len + huge, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
		if (a > (uintptr_t)p)
			munmap(p, a - (uintptr_t)p);
		if ((uintptr_t)p + len + huge > a + len)
			munmap((void *)(a + len),
			       (uintptr_t)p + len + huge - (a + len));
		p = (char *)a;
		madvise(p, len, MADV_HUGEPAGE);
		return p;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (!strcmp(how, "nohuge"))
		madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/*
 * The kernel's page size: this process runs no preflight (it does not
 * read /proc/vmview), so it asks the kernel itself.
 */
static size_t page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);

	return n > 0 ? (size_t)n : 4096;
}

static void *map_file(const char *path)
{
	void *p;

	if (file_fd >= 0)
		close(file_fd);
	file_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (file_fd < 0)
		return NULL;
	p = mmap(NULL, FILE_PAGES * page_size(), PROT_READ, MAP_SHARED,
		 file_fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* one page a fault: no readahead around it */
	madvise(p, FILE_PAGES * page_size(), MADV_RANDOM);
	return p;
}

static int prot_of(const char *s)
{
	if (!strcmp(s, "rw"))
		return PROT_READ | PROT_WRITE;
	if (!strcmp(s, "r"))
		return PROT_READ;
	return PROT_NONE;
}

enum access { ACC_READ, ACC_WRITE, ACC_FILL };

/*
 * Make one access and count the faults it took, with getrusage() right
 * before and after (the structs are written first, so that breaking COW
 * on this stack page, after a fork, happens outside the window).
 */
static int measure(enum access how, uintptr_t addr, size_t len,
		   long *minflt, long *majflt)
{
	static unsigned char counter = 1;
	struct rusage r0, r1;
	int val = 0;
	size_t i;

	memset(&r0, 0, sizeof(r0));
	memset(&r1, 0, sizeof(r1));
	getrusage(RUSAGE_SELF, &r0);
	switch (how) {
	case ACC_READ:
		val = *(volatile unsigned char *)addr;
		break;
	case ACC_WRITE:
		*(volatile unsigned char *)addr = counter;
		break;
	case ACC_FILL:
		for (i = 0; i < len; i += 64)
			*(volatile unsigned char *)(addr + i) =
				(unsigned char)(i * 131 + counter);
		break;
	}
	getrusage(RUSAGE_SELF, &r1);
	counter++;
	*minflt = r1.ru_minflt - r0.ru_minflt;
	*majflt = r1.ru_majflt - r0.ru_majflt;
	return val;
}

/* Run the code of measure() once, so that it is mapped when it counts. */
static void warm_up(void)
{
	volatile unsigned char byte = 0;
	long mn, mj;

	measure(ACC_READ, (uintptr_t)&byte, 1, &mn, &mj);
	measure(ACC_WRITE, (uintptr_t)&byte, 1, &mn, &mj);
	measure(ACC_FILL, (uintptr_t)&byte, 1, &mn, &mj);
}

/*
 * Warm up: touch the stack, run the measuring code, lock what is mapped
 * now (not later maps), and stay on this CPU.
 */
static void settle(void)
{
	volatile char stack[64 * 1024];
	cpu_set_t set;
	size_t i;

	for (i = 0; i < sizeof(stack); i += 4096)
		stack[i] = 0;
	warm_up();
	mlockall(MCL_CURRENT);
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void serve(void)
{
	char line[4200], a1[4096], a2[64];
	unsigned long addr, len;
	long mn, mj;
	void *p;
	int v;

	while (!vmv_read_line(cmd_fd, line, sizeof(line))) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;	/* a child that was told to exit */
		a1[0] = a2[0] = '\0';
		addr = len = 0;
		if (sscanf(line, "anon %lx %63s", &len, a2) == 2) {
			p = map_anon(len, a2);
			if (p)
				reply("ok 0x%lx", (unsigned long)p);
			else
				reply("err mmap: %s", strerror(errno));
		} else if (sscanf(line, "read %lx", &addr) == 1) {
			v = measure(ACC_READ, addr, 1, &mn, &mj);
			reply("ok %d minflt=%ld majflt=%ld", v, mn, mj);
		} else if (sscanf(line, "write %lx", &addr) == 1) {
			measure(ACC_WRITE, addr, 1, &mn, &mj);
			reply("ok minflt=%ld majflt=%ld", mn, mj);
		} else if (sscanf(line, "fill %lx %lx", &addr, &len) == 2) {
			measure(ACC_FILL, addr, len, &mn, &mj);
			reply("ok minflt=%ld majflt=%ld", mn, mj);
		} else if (sscanf(line, "pageout %lx %lx", &addr, &len) == 2) {
			reply_done(madvise((void *)addr, len, MADV_PAGEOUT),
				   "madvise(MADV_PAGEOUT)");
		} else if (sscanf(line, "dontneed %lx %lx", &addr, &len) == 2) {
			reply_done(madvise((void *)addr, len, MADV_DONTNEED),
				   "madvise(MADV_DONTNEED)");
		} else if (sscanf(line, "protect %lx %lx %63s", &addr, &len,
				  a2) == 3) {
			reply_done(mprotect((void *)addr, len, prot_of(a2)),
				   "mprotect");
		} else if (sscanf(line, "unmap %lx %lx", &addr, &len) == 2) {
			reply_done(munmap((void *)addr, len),
				   "munmap");
		} else if (sscanf(line, "mapfile %4095s", a1) == 1) {
			p = map_file(a1);
			if (p)
				reply("ok 0x%lx", (unsigned long)p);
			else
				reply("err %s: %s", a1, strerror(errno));
		} else if (!strcmp(line, "dropcache")) {
			int err = file_fd < 0 ? EBADF :
				  posix_fadvise(file_fd, 0, 0,
						POSIX_FADV_DONTNEED);

			if (err)
				reply("err posix_fadvise: %s", strerror(err));
			else
				reply("ok");
		} else if (sscanf(line, "mincore %lx", &addr) == 1) {
			unsigned char vec = 0;

			if (mincore((void *)(addr & ~(page_size() - 1)),
				    page_size(), &vec))
				reply("err mincore: %s", strerror(errno));
			else
				reply("ok %d", vec & 1);
		} else if (!strcmp(line, "fork")) {
			pid_t pid = fork();

			if (pid < 0) {
				reply("err fork: %s", strerror(errno));
			} else if (!pid) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				warm_up();
				cmd_fd = 5;
				reply_fd = 6;
				reply("ok 0");
			} else {
				reply("ok %d", (int)pid);
			}
		} else if (sscanf(line, "segv %lx %63s", &addr, a2) == 2) {
			do_segv(addr, !strcmp(a2, "w"));
		} else if (!strcmp(line, "exit")) {
			reply("ok");
			_exit(0);
		} else {
			reply("err unknown command '%s'", line);
		}
	}
	_exit(0);
}

int vmv_cmd_target(int argc, char **argv)
{
	struct stat sb;
	int fd;

	(void)argv;
	for (fd = 3; fd <= 6; fd++)
		if (fstat(fd, &sb) || !S_ISFIFO(sb.st_mode))
			break;
	if (argc || fd <= 6)
		return vmv_err(VMV_EXIT_USAGE,
			       "__target is run by 'vmview-cli faults', not by hand");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	settle();
	reply("ok %d", (int)getpid());
	serve();
	return 0;
}

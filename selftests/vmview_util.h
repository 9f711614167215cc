/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmview kselftests: loading the module, reading
 * files whole, "key: value" parsing, and the one parser of PID/ptes lines
 * and PID/ptes.bin records (struct vmv_pte).  Environment (set by
 * scripts/guest-run.sh inside the guest):
 *   VMVIEW_KO             path of vmview.ko for this kernel
 *   VMVIEW_CLI            path of vmview-cli
 *   VMVIEW_EXPECT_LEVELS  2, 3, 4 or 5: the paging levels this guest booted
 *                         with (2 and 3: i386 without and with PAE)
 *   VMVIEW_SWAP           the swap device ("zram0"), or "none"
 */
#ifndef VMVIEW_UTIL_H
#define VMVIEW_UTIL_H

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uapi/vmview.h>

#ifndef BIT_ULL
#define BIT_ULL(n)	(1ULL << (n))
#endif
/* The base page: 4 KiB, or 16 KiB on arm64's 16k kernels. */
#define PG		((unsigned long)sysconf(_SC_PAGESIZE))
/* A page in kB, as smaps and status count: 4, 16 or 64. */
#define PG_KB		((long long)(PG / 1024))

/* /proc/PID/pagemap (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_PFN(e)	((e) & PM_PFN_MASK)
#define PM_SWAP_TYPE(e)	((e) & 0x1f)
#define PM_SWAP_OFF(e)	(PM_PFN(e) >> 5)
#define PM_SOFT_DIRTY	BIT_ULL(55)
#define PM_EXCLUSIVE	BIT_ULL(56)
#define PM_SWAP		BIT_ULL(62)
#define PM_PRESENT	BIT_ULL(63)

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

/*
 * Room for element n of arr, an array of *cap elements of size bytes
 * (first of them at first, then doubling): arr itself, a larger copy, or
 * NULL (arr kept) when out of memory.
 */
static inline void *vmv_grow(void *arr, int *cap, int n, size_t size,
			     int first)
{
	int ncap = *cap ? 2 * *cap : first;
	void *na;

	if (n < *cap)
		return arr;
	na = realloc(arr, (size_t)ncap * size);
	if (na)
		*cap = ncap;
	return na;
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

#define VMV_HOOKS	"/sys/module/vmview/parameters/test_hooks"

/* Loaded with test_hooks=1? */
static inline bool vmv_hooks_on(void)
{
	char *s = vmv_read_file(VMV_HOOKS, NULL);
	bool on = s && (s[0] == 'Y' || s[0] == '1');

	free(s);
	return on;
}

/* Load the module as wanted: not at all, or with or without hooks. */
static inline int vmv_module_state(bool loaded, bool hooks)
{
	int ret;

	if (vmv_module_loaded()) {
		if (loaded && vmv_hooks_on() == hooks)
			return 0;
		ret = vmv_unload();
		if (ret)
			return ret;
	}
	if (!loaded)
		return 0;
	return vmv_load_params(hooks ? "test_hooks=1" : "");
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

/*
 * This guest's paging, written down independently of the module: per
 * level (enum vmview_level), the index bits of its tables (0: folded
 * into the level above) and the shift of the range one entry maps.
 *   x86-64, 4 or 5 levels: 9 bits a level, pgd at 39 or 48;
 *   i386 with PAE (3):     pgd 2 bits at 30, pmd 9 at 21, pte 9 at 12;
 *   i386 without (2):      pgd 10 bits at 22, pte 10 at 12;
 *   arm64: page_shift - 3 bits a level (9 with 4 KiB pages, 11 with 16
 *          KiB), the top level the rest of the address (48 or 52 bits).
 * Huge leaves: at the pmd level (2 MiB), the pgd without PAE (4 MiB);
 * vmv_huge_shift() is their shift.
 */
struct vmv_paging {
	int levels;
	unsigned int bits[VMVIEW_NR_LEVELS];
	unsigned int shift[VMVIEW_NR_LEVELS];
};

/*
 * The bits of a user address at this boot: VMVIEW_EXPECT_VA_BITS from
 * the harness (guests.table), else what the levels imply (arm64: 52 with
 * 5 levels, else 48; x86-64: 56 or 47; i386: 32).
 */
static inline int vmv_expected_va_bits(void)
{
	const char *e = getenv("VMVIEW_EXPECT_VA_BITS");
	int levels = vmv_expected_levels();

	if (e && *e)
		return atoi(e);
	if (sizeof(long) == 4)
		return 32;
#ifdef __aarch64__
	return levels == 5 ? 52 : 48;
#else
	return levels == 5 ? 56 : 47;
#endif
}

static inline struct vmv_paging vmv_paging(void)
{
	struct vmv_paging p = { .levels = vmv_expected_levels() };
	static const unsigned int x86_64[] = { 9, 9, 9, 9, 9 };
	static const unsigned int pae[] = { 9, 9, 0, 0, 2 };
	static const unsigned int two[] = { 10, 0, 0, 0, 10 };
	const unsigned int *bits = p.levels == 2 ? two :
				   p.levels == 3 ? pae : x86_64;
	unsigned int shift = 12;
	int l;
#ifdef __aarch64__
	/*
	 * arm64: a granule of 2^page_shift bytes, page_shift - 3 bits a
	 * level; the top level takes what is left of the address (4 bits
	 * with LPA2's 52 on 4 KiB, 5 with 16 KiB).
	 */
	unsigned int page_shift = __builtin_ctzl(sysconf(_SC_PAGESIZE));
	unsigned int arm64[VMVIEW_NR_LEVELS] = { 0 };

	for (l = VMVIEW_LEVEL_PTE; l < p.levels - 1; l++)
		arm64[l] = page_shift - 3;
	arm64[VMVIEW_LEVEL_PGD] = vmv_expected_va_bits() - page_shift -
				  (p.levels - 1) * (page_shift - 3);
	bits = arm64;
	shift = page_shift;
#endif

	for (l = VMVIEW_LEVEL_PTE; l <= VMVIEW_LEVEL_PGD; l++) {
		p.bits[l] = bits[l];
		if (l == VMVIEW_LEVEL_P4D && p.levels == 4)
			p.bits[l] = 0;
		/* a folded level maps what the level above maps */
		p.shift[l] = shift;
		shift += p.bits[l];
	}
	for (l = VMVIEW_LEVEL_PGD - 1; l > VMVIEW_LEVEL_PTE; l--)
		if (!p.bits[l])
			p.shift[l] = p.shift[l + 1];
	return p;
}

/* vmv_paging(), worked out once (the environment does not change). */
static inline const struct vmv_paging *vmv_paging_once(void)
{
	static struct vmv_paging p;

	if (!p.levels)
		p = vmv_paging();
	return &p;
}

/* The index of @va in a table of @level (0 for a folded level). */
static inline unsigned int vmv_paging_index(const struct vmv_paging *p,
					    int level, unsigned long long va)
{
	return (va >> p->shift[level]) & ((1ULL << p->bits[level]) - 1);
}

/* The real level huge pages are mapped at: pmd, or pgd without PAE. */
static inline int vmv_huge_level(const struct vmv_paging *p)
{
	return p->bits[VMVIEW_LEVEL_PMD] ? VMVIEW_LEVEL_PMD : VMVIEW_LEVEL_PGD;
}

/* Their size's shift: 21 (2 MiB), or 22 (4 MiB) without PAE. */
static inline unsigned int vmv_huge_shift(void)
{
	const struct vmv_paging *p = vmv_paging_once();

	return p->shift[vmv_huge_level(p)];
}

/*
 * The end of user space (TASK_SIZE; PID/mm says it too): 3 GiB on i386,
 * 2^47 or 2^56 less a guard page on x86-64, 2^48 or 2^52 on arm64.
 */
static inline unsigned long long vmv_task_size(void)
{
	if (sizeof(long) == 4)
		return 0xc0000000ULL;
#ifdef __aarch64__
	return 1ULL << vmv_expected_va_bits();	/* TASK_SIZE_64, no guard */
#else
	return (1ULL << vmv_expected_va_bits()) - PG;
#endif
}

/*
 * With PAE, pgd_alloc() allocates every pmd table with the pgd and counts
 * them all in pgtables_bytes (arch/x86/mm/pgtable.c): one for each of
 * the four pgd entries when PTI is on (the kernel's pmd is then not
 * shared) plus one for PTI's user copy of the pgd (5), the three of the
 * user part when PTI is off.
 */
static inline int vmv_pae_preallocated_pmds(void)
{
	char *t = vmv_read_file("/sys/devices/system/cpu/vulnerabilities/meltdown",
				NULL);
	bool pti = t && strstr(t, "PTI");

	free(t);
	return pti ? 5 : 3;
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

/*
 * Fork a child with a command pipe (parent to child) and an ack pipe
 * (child to parent), named @comm (NULL: not renamed) and killed with
 * its parent.  Returns 0 in the child, 1 in the parent, or -errno; in
 * each, t->cmd and t->ack are its own ends of the two pipes (the child
 * reads t->cmd and writes t->ack), and t->pid is the child's.
 */
static inline int vmv_child_fork(struct vmv_child *t, const char *comm)
{
	int c[2], a[2];

	if (pipe2(c, O_CLOEXEC) || pipe2(a, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	close(t->pid ? c[0] : c[1]);
	close(t->pid ? a[1] : a[0]);
	t->cmd = t->pid ? c[1] : c[0];
	t->ack = t->pid ? a[0] : a[1];
	if (t->pid)
		return 1;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (comm)
		prctl(PR_SET_NAME, comm);
	return 0;
}

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

/* Read an open fd to EOF in chunks of chunk bytes: the total or -errno. */
static inline ssize_t vmv_read_fd_all(int fd, size_t chunk)
{
	char *buf = malloc(chunk);
	ssize_t n, total = 0;

	if (!buf)
		return -ENOMEM;
	while ((n = read(fd, buf, chunk)) > 0)
		total += n;
	if (n < 0)
		total = -errno;
	free(buf);
	return total;
}

/* Open and read a file to EOF: the size, or -errno of the open or a read. */
static inline ssize_t vmv_read_all(const char *path, size_t chunk)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = vmv_read_fd_all(fd, chunk);
	close(fd);
	return n;
}

/* VMVIEW_DEBUGFS_DIR/PID/FILE read whole (vmv_read_file()). */
static inline char *vmv_pid_read(pid_t pid, const char *file, size_t *lenp)
{
	char path[128];

	return vmv_read_file(vmv_pid_path(path, sizeof(path), pid, file), lenp);
}

/* Write s to VMVIEW_DEBUGFS_DIR/PID/FILE in one write(); 0 or -errno. */
static inline int vmv_pid_write(pid_t pid, const char *file, const char *s)
{
	char path[128];

	return vmv_write_file(vmv_pid_path(path, sizeof(path), pid, file), s);
}

/* --- parsing the contract's text ----------------------------------------- */

/* "0x" and hex digits (exactly digits of them unless 0) into *v. */
static inline bool vmv_parse_hex(const char *s, unsigned long long *v,
				 int digits)
{
	int i;

	if (s[0] != '0' || s[1] != 'x' || !s[2])
		return false;
	for (i = 2; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	if ((digits && i - 2 != digits) || i - 2 > 16)
		return false;
	*v = strtoull(s + 2, NULL, 16);
	return true;
}

/* A whole decimal number, maybe negative, into *v. */
static inline bool vmv_parse_dec(const char *s, long long *v)
{
	const char *p = s;
	char *end;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !*end && !errno;
}

/* "a,b,c" or "-" into a mask over names[]; false on an unknown word. */
static inline bool vmv_parse_words(const char *s, const char * const *names,
				   int nr, unsigned long long *mask)
{
	const char *p = s, *e;
	int i;

	*mask = 0;
	if (!strcmp(s, "-"))
		return true;
	while (*p) {
		e = strchrnul(p, ',');
		for (i = 0; i < nr; i++)
			if (strlen(names[i]) == (size_t)(e - p) &&
			    !strncmp(names[i], p, e - p))
				break;
		if (i == nr || (*mask & BIT_ULL(i)))
			return false;
		*mask |= BIT_ULL(i);
		if (!*e)
			break;
		p = e + 1;
		if (!*p)
			return false;
	}
	return true;
}

/* The index of s in names[], or -1. */
static inline int vmv_lookup(const char *s, const char * const *names, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* Split buf in place into at most max space-separated tokens (max + 1: more). */
static inline int vmv_split(char *buf, char **tok, int max)
{
	char *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (n < max)
			tok[n++] = t;
		else
			return max + 1;
	return n;
}

/* --- PID/ptes and PID/ptes.bin ------------------------------------------- */

/* The words of include/uapi/vmview.h, indexed by VMVIEW_KIND_* etc. */
static const char * const vmv_kind_names[] = VMVIEW_NAMES(VMVIEW_KINDS);
static const char * const vmv_level_names[] = VMVIEW_NAMES(VMVIEW_LEVELS);
static const char * const vmv_pflag_names[] = VMVIEW_NAMES(VMVIEW_PFLAGS);
static const char * const vmv_mt_names[] = VMVIEW_NAMES(VMVIEW_MTS);

/*
 * This architecture's flag words (the uapi header: both vocabularies
 * give the flags they share the same numbers, so the tests ask those by
 * their VMVIEW_F_* names), the architecture records must name, and the
 * flags a non-present (swap format) entry may have.
 */
#ifdef __aarch64__
static const char * const vmv_flag_names[] = VMVIEW_NAMES(VMVIEW_ARM64_FLAGS);
#define VMV_ARCH_SELF		VMVIEW_ARCH_ARM64
#define VMV_ROOT_REG		"ttbr0_el1"
#define VMV_F_NONPRESENT	(BIT_ULL(VMVIEW_F_EXCLUSIVE) |		\
				 BIT_ULL(VMVIEW_F_UFFD_WP))
#else
static const char * const vmv_flag_names[] = VMVIEW_NAMES(VMVIEW_FLAGS);
#define VMV_ARCH_SELF		VMVIEW_ARCH_X86
#define VMV_ROOT_REG		"cr3"
#define VMV_F_NONPRESENT	(BIT_ULL(VMVIEW_F_EXCLUSIVE) |		\
				 BIT_ULL(VMVIEW_F_SOFTDIRTY) |		\
				 BIT_ULL(VMVIEW_F_UFFD_WP))
#endif

#define VMV_PTE_LINE_MAX	512

/*
 * One leaf of PID/ptes (a text line, vmv_pte_parse()) or of PID/ptes.bin
 * (a record, vmv_pte_from_rec()).  A record holds no swap offset for the
 * swap-format kinds other than swap (its pfn is the frame): there
 * swap_off is 0.
 */
struct vmv_pte {
	unsigned long va;
	int level;			/* VMVIEW_LEVEL_* */
	unsigned long long entry;
	int kind;			/* VMVIEW_KIND_* */
	bool has_pfn;
	unsigned long long pfn;
	bool has_swap;			/* swap=TYPE:OFFSET */
	int swap_type;
	unsigned long long swap_off;
	unsigned long long flags;	/* BIT_ULL(VMVIEW_F_*) */
	int mt;				/* mt=, VMVIEW_MT_* (0: none) */
	int arch;			/* VMVIEW_ARCH_* */
	bool has_page;			/* page= order= mapcount= */
	unsigned long long pflags;	/* BIT_ULL(VMVIEW_P_*) */
	int order;
	long long mapcount;
	bool has_gen;			/* gen=: MGLRU generation (text only) */
	int gen;
	const char *text;		/* the line, without its newline */
	int len;
};

static inline unsigned long vmv_pte_size(const struct vmv_pte *l)
{
	return 1UL << vmv_paging_once()->shift[l->level];
}

static inline unsigned long vmv_pte_end(const struct vmv_pte *l)
{
	return l->va + vmv_pte_size(l);
}

/* Present or protnone: the entry maps a frame (not swap format). */
static inline bool vmv_pte_present(const struct vmv_pte *l)
{
	return l->kind == VMVIEW_KIND_PRESENT ||
	       l->kind == VMVIEW_KIND_PROTNONE;
}

static inline bool vmv_pte_has_flag(const struct vmv_pte *l, int f)
{
	return l->flags & BIT_ULL(f);
}

static inline bool vmv_pte_has_pflag(const struct vmv_pte *l, int p)
{
	return l->has_page && (l->pflags & BIT_ULL(p));
}

/*
 * Parse one PID/ptes line of len bytes (without its newline) per the
 * contract (Documentation/vmview.rst):
 *   VADDR LEVEL ENTRY KIND pfn=PFN [swap=TYPE:OFFSET] flags=F,... [mt=M]
 *         [page=P,... order=N mapcount=N [gen=G]]
 * Returns NULL, or what is wrong with the line.
 */
static inline const char *vmv_pte_parse(const char *text, int len,
					struct vmv_pte *l)
{
	char buf[VMV_PTE_LINE_MAX], *tok[13], *colon;
	bool swap_fmt, no_pfn;
	unsigned long long v;
	int n, i = 4;
	long long d;

	memset(l, 0, sizeof(*l));
	l->text = text;
	l->len = len;
	l->arch = VMV_ARCH_SELF;
	if (len >= VMV_PTE_LINE_MAX)
		return "line too long";
	memcpy(buf, text, len);
	buf[len] = '\0';
	n = vmv_split(buf, tok, 12);
	if (n < 6 || n > 11)
		return "wrong number of fields";
	if (!vmv_parse_hex(tok[0], &v, 16))
		return "VADDR is not 0x and 16 hex digits";
	l->va = v;
	l->level = vmv_lookup(tok[1], vmv_level_names, VMVIEW_NR_LEVELS);
	/* leaves: pte, pmd, pud; pgd where the pmd is folded (4 MiB) */
	if (l->level < 0 || (l->level > VMVIEW_LEVEL_PUD &&
			     l->level != vmv_huge_level(vmv_paging_once())))
		return "unknown LEVEL";
	if (!vmv_parse_hex(tok[2], &l->entry, 16))
		return "ENTRY is not 0x and 16 hex digits";
	l->kind = vmv_lookup(tok[3], vmv_kind_names, VMVIEW_NR_KINDS);
	if (l->kind < VMVIEW_KIND_PRESENT)
		return "unknown KIND";
	no_pfn = l->kind == VMVIEW_KIND_SWAP || l->kind == VMVIEW_KIND_MARKER;
	if (strncmp(tok[i], "pfn=", 4))
		return "no pfn=";
	if (!strcmp(tok[i] + 4, "-")) {
		if (!no_pfn)
			return "pfn=- for a kind that holds a frame";
	} else {
		if (!vmv_parse_hex(tok[i] + 4, &l->pfn, 0))
			return "bad pfn=";
		if (no_pfn)
			return "a pfn for a swap or marker entry";
		l->has_pfn = true;
	}
	i++;
	swap_fmt = !vmv_pte_present(l);
	if (swap_fmt) {
		if (i >= n || strncmp(tok[i], "swap=", 5))
			return "no swap= for a non-present entry";
		colon = strchr(tok[i] + 5, ':');
		if (!colon)
			return "bad swap=";
		*colon = '\0';
		if (!vmv_parse_dec(tok[i] + 5, &d) || d < 0 ||
		    d > (long long)VMVIEW_META_SWAP_MASK ||
		    !vmv_parse_hex(colon + 1, &l->swap_off, 0))
			return "bad swap=TYPE:OFFSET";
		l->swap_type = d;
		l->has_swap = true;
		i++;
	}
	if (i >= n || strncmp(tok[i], "flags=", 6))
		return "no flags=";
	if (!vmv_parse_words(tok[i] + 6, vmv_flag_names, VMVIEW_NR_FLAGS,
			     &l->flags))
		return "unknown or repeated flag";
	if (swap_fmt ? (l->flags & ~VMV_F_NONPRESENT) :
	    vmv_pte_has_flag(l, VMVIEW_F_EXCLUSIVE))
		return "flag not allowed for this kind";
	i++;
	/* mt=: a present entry's memory type, where the arch has one */
	if (i < n && !strncmp(tok[i], "mt=", 3)) {
		l->mt = vmv_lookup(tok[i] + 3, vmv_mt_names, VMVIEW_NR_MTS);
		if (l->mt <= VMVIEW_MT_NONE || swap_fmt ||
		    VMV_ARCH_SELF != VMVIEW_ARCH_ARM64)
			return "bad mt=";
		i++;
	} else if (!swap_fmt && VMV_ARCH_SELF == VMVIEW_ARCH_ARM64) {
		return "no mt= for a present entry";
	}
	if (i == n)
		return NULL;
	if ((n - i != 3 && n - i != 4) || strncmp(tok[i], "page=", 5) ||
	    strncmp(tok[i + 1], "order=", 6) ||
	    strncmp(tok[i + 2], "mapcount=", 9) ||
	    (n - i == 4 && strncmp(tok[i + 3], "gen=", 4)))
		return "trailing fields are not page= order= mapcount= [gen=]";
	if (!vmv_parse_words(tok[i] + 5, vmv_pflag_names,
			     VMVIEW_NR_PFLAGS, &l->pflags))
		return "unknown or repeated page flag";
	if (!vmv_parse_dec(tok[i + 1] + 6, &d) || d < 0 || d > 20)
		return "bad order=";
	l->order = d;
	if (!vmv_parse_dec(tok[i + 2] + 9, &l->mapcount))
		return "bad mapcount=";
	if (n - i == 4) {
		if (!vmv_parse_dec(tok[i + 3] + 4, &d) || d < 0 ||
		    d >= VMVIEW_NR_GENS)
			return "bad gen=";
		l->has_gen = true;
		l->gen = d;
	}
	l->has_page = true;
	return NULL;
}

/*
 * The line of PID/ptes text whose leaf starts at va, parsed; false when
 * there is none or it does not parse.
 */
static inline bool vmv_pte_find(const char *text, unsigned long va,
				struct vmv_pte *l)
{
	const char *p, *nl;
	char want[24];

	snprintf(want, sizeof(want), "0x%016lx ", va);
	for (p = text; *p; p = *nl ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		if (!strncmp(p, want, strlen(want)))
			return !vmv_pte_parse(p, nl - p, l);
	}
	return false;
}

#define VMV_META(r, f)	(((r)->meta >> VMVIEW_META_##f##_SHIFT) &	\
			 VMVIEW_META_##f##_MASK)

/* A PID/ptes.bin record as a struct vmv_pte (text NULL). */
static inline void vmv_pte_from_rec(const struct vmview_pte *r,
				    struct vmv_pte *l)
{
	memset(l, 0, sizeof(*l));
	l->va = r->vaddr;
	l->entry = r->entry;
	l->kind = VMV_META(r, KIND);
	l->arch = VMV_META(r, ARCH);
	l->level = VMV_META(r, LEVEL);
	l->flags = VMV_META(r, FLAGS);
	if (l->kind == VMVIEW_KIND_SWAP) {
		l->swap_off = r->pfn;
	} else if (r->pfn != VMVIEW_NO_PFN) {
		l->has_pfn = true;
		l->pfn = r->pfn;
	}
	if (!vmv_pte_present(l)) {
		l->has_swap = true;
		l->swap_type = VMV_META(r, SWAP);
	} else {
		l->mt = VMV_META(r, MT);
	}
	if (r->meta & VMVIEW_META_PAGE) {
		l->has_page = true;
		l->order = VMV_META(r, ORDER);
		l->pflags = VMV_META(r, PFLAGS);
		l->mapcount = VMV_META(r, MAPCOUNT);
	}
}

/*
 * PID/ptes.bin read whole: a malloc'ed array of *np records, or NULL
 * with errno (EPROTO when the size is not a whole number of records).
 */
static inline struct vmview_pte *vmv_ptes_bin(pid_t pid, size_t *np)
{
	size_t len;
	char *buf = vmv_pid_read(pid, "ptes.bin", &len);

	if (!buf)
		return NULL;
	if (len % sizeof(struct vmview_pte)) {
		free(buf);
		errno = EPROTO;
		return NULL;
	}
	*np = len / sizeof(struct vmview_pte);
	return (struct vmview_pte *)buf;
}

#endif /* VMVIEW_UTIL_H */

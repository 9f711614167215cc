// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_inspect: the inspector's answers (PID/ptes, PID/vmas, PID/mm,
 * PID/translate; Documentation/vmview.rst) compared with the kernel's
 * own views of the same process (issue 3, "Correctness"):
 *
 *  ptes_format     every ptes line parses per the contract, ascending,
 *                  aligned, inside a VMA; every region has lines
 *  ptes_bin        ptes.bin's records are the ptes lines, field for field
 *  ptes_pagemap    present pages, PFNs, swap type:offset, softdirty and
 *                  mapcount=1 against /proc/PID/pagemap
 *  ptes_kpageflags page=anon, zero, ksm, large against /proc/kpageflags
 *  vmas_maps       PID/vmas against /proc/PID/maps and /proc/PID/smaps
 *  mm_status       PID/mm against /proc/PID/status, smaps, maps, sysfs
 *                  and the ptes file (the table accounting rule)
 *  translate       PID/translate against ptes and pagemap for chosen
 *                  addresses (written, zero page, THP, hugetlb, swapped,
 *                  holes, first and last pages of VMAs); its levels,
 *                  split and path against the guest's paging
 *                  (vmv_paging(): x86-64 with 4 or 5 levels, i386 with
 *                  and without PAE)
 *  read_chunks     ptes and vmas read 1, 7, 4096 and 1 MiB at a time
 *
 * Each test runs on a workload (vmview_workload.h) with one kind of
 * memory (a variant each), and on one with all of them at once.  The
 * workload sits still while it is inspected, but the kernel may still
 * change it (khugepaged, compaction, reclaim): a comparison that fails
 * is made once more from fresh reads before it counts as a failure.
 *
 * Readings of the contract chosen here (a kernel engineer's):
 *  - "thp" (vmas) and "thp_pmd" (mm) count transparent huge pages only,
 *    not hugetlb pages, as smaps' AnonHugePages/ShmemPmdMapped do;
 *  - "rss" of a VMA is smaps' Rss, which leaves hugetlb pages out;
 *  - translate of a non-present leaf (a swap entry) prints the "leaf:"
 *    line (it is a ptes line) before "stop: LEVEL KIND";
 *  - soft-dirty is compared only outside hugetlb VMAs (pagemap reports
 *    no hugetlb soft-dirty bit) and VMAs with VM_SOFTDIRTY (pagemap then
 *    reports every page soft-dirty); a kernel without soft-dirty bits
 *    (32-bit x86) skips the softdirty variant;
 *  - with PAE, pgtables_bytes also counts the pmd tables allocated with
 *    the pgd (vmv_pae_preallocated_pmds()) that no VMA is under, which
 *    no walk reaches.
 */
#include <ctype.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "vmview_harness.h"
#include "vmview_workload.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif

/* /proc/kpageflags bits. */
#define KPF_ANON		12
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_KSM			21
#define KPF_ZERO_PAGE		24

/* Mismatches logged per comparison; the rest are only counted. */
#define LOG_MAX		20
#define LINE_MAX_LEN	VMV_PTE_LINE_MAX

/* --- the contract's vocabularies ------------------------------------------ */

/*
 * The kinds, levels and flags of ptes are include/uapi/vmview.h's (parsed
 * by vmview_util.h).  smaps VmFlags codes and vmview's words for them
 * (Documentation):
 */
static const char * const vmflag_map[][2] = {
	{ "rd", "read" }, { "wr", "write" }, { "ex", "exec" },
	{ "sh", "shared" }, { "mr", "mayread" }, { "mw", "maywrite" },
	{ "me", "mayexec" }, { "ms", "mayshare" }, { "gd", "growsdown" },
	{ "pf", "pfnmap" }, { "lf", "lockonfault" }, { "sl", "sealed" },
	{ "lo", "locked" }, { "io", "io" }, { "sr", "seqread" },
	{ "rr", "randread" }, { "dc", "dontcopy" }, { "de", "dontexpand" },
	{ "ac", "account" }, { "nr", "noreserve" }, { "ht", "hugetlb" },
	{ "sf", "sync" }, { "ar", "arch1" }, { "wf", "wipeonfork" },
	{ "dd", "dontdump" }, { "sd", "softdirty" }, { "mm", "mixedmap" },
	{ "hg", "hugepage" }, { "nh", "nohugepage" }, { "mg", "mergeable" },
	{ "um", "uffd_missing" }, { "uw", "uffd_wp" }, { "ui", "uffd_minor" },
	{ "ss", "shadowstack" },
};

#define NR_VMFLAGS	ARRAY_SIZE(vmflag_map)

static int vmflag_index(const char *w, size_t len, int col)
{
	unsigned int i;

	for (i = 0; i < NR_VMFLAGS; i++)
		if (strlen(vmflag_map[i][col]) == len &&
		    !strncmp(vmflag_map[i][col], w, len))
			return i;
	return -1;
}

/* --- comparisons: count mismatches, log the first few --------------------- */

struct cmp {
	struct __test_metadata *md;
	bool log;	/* the last try: say what is wrong */
	int bad;
	char note[256];	/* what was compared, logged at the end */
};

#define MISMATCH(c, fmt, ...) do {					\
	struct cmp *_c = (c);						\
	struct __test_metadata *_metadata = _c->md;			\
									\
	if (_c->log && _c->bad < LOG_MAX)				\
		TH_LOG(fmt, ##__VA_ARGS__);				\
	_c->bad++;							\
} while (0)

/* --- this guest's paging ------------------------------------------------- */

/* The physical address a table entry points to. */
static unsigned long long entry_table(unsigned long long entry)
{
#ifdef __aarch64__
	/*
	 * arm64: bits PAGE_SHIFT..49; with LPA2 (52-bit addresses) bits
	 * 50..51 are kept in bits 8..9.
	 */
	unsigned long long a = entry & ((1ULL << 50) - 1) & ~(PG - 1);

	if (vmv_expected_va_bits() == 52)
		a |= (entry & (3ULL << 8)) << 42;
	return a;
#else
	/* 32-bit entries without PAE, else bits 12..51 */
	if (vmv_paging_once()->levels == 2)
		return entry & 0xfffff000ULL;
	return entry & 0x000ffffffffff000ULL;
#endif
}

/* The size of the top-level table, as aligned: a page but on arm64. */
static unsigned long long top_table_bytes(void)
{
#ifdef __aarch64__
	unsigned long long n = 8ULL << vmv_paging_once()->bits[VMVIEW_LEVEL_PGD];

	return n < 64 ? 64 : n > PG ? PG : n;
#else
	return PG;
#endif
}

/* --- PID/ptes ------------------------------------------------------------- */

/*
 * Parse a whole ptes file: every line per the contract, ascending and
 * not overlapping, each leaf aligned to its size, at a level this
 * guest's paging has.
 */
static int parse_ptes(struct cmp *c, const char *text, struct vmv_pte **out)
{
	const char *p = text, *e, *why;
	struct vmv_pte *v = NULL, *nv;
	int n = 0, cap = 0;
	unsigned long prev_end = 0;

	for (; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		if (*p == '#')
			continue;
		if (!*e)
			MISMATCH(c, "ptes: last line has no newline: %.*s",
				 (int)(e - p), p);
		nv = vmv_grow(v, &cap, n, sizeof(*v), 1024);
		if (!nv)
			break;
		v = nv;
		why = vmv_pte_parse(p, e - p, &v[n]);
		if (why) {
			MISMATCH(c, "ptes: %s: '%.*s'", why, (int)(e - p), p);
			continue;
		}
		if (!vmv_paging_once()->bits[v[n].level]) {
			MISMATCH(c, "ptes: a leaf at a folded level: %.*s",
				 (int)(e - p), p);
			continue;
		}
		if (v[n].va & (vmv_pte_size(&v[n]) - 1))
			MISMATCH(c, "ptes: leaf not aligned to its size: %.*s",
				 (int)(e - p), p);
		if (n && v[n].va < prev_end)
			MISMATCH(c, "ptes: not ascending: %.*s after %.*s",
				 (int)(e - p), p, v[n - 1].len, v[n - 1].text);
		if (v[n].level != VMVIEW_LEVEL_PTE && vmv_pte_present(&v[n]) &&
		    !(v[n].flags & BIT_ULL(VMVIEW_F_PSE)))
			MISMATCH(c, "ptes: huge leaf without pse: %.*s",
				 (int)(e - p), p);
		prev_end = vmv_pte_end(&v[n]);
		n++;
	}
	*out = v;
	return n;
}

/* The line mapping va, or NULL. */
static struct vmv_pte *pte_find(struct vmv_pte *v, int n, unsigned long va)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (vmv_pte_end(&v[mid]) <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].va <= va ? &v[lo] : NULL;
}

/* --- /proc/PID/maps and smaps, and PID/vmas ------------------------------- */

struct vma {
	unsigned long start, end;
	char range[64], perms[8], pgoff[24], dev[16], inode[24];
	char *name;
	bool anon_private;	/* no file, private: smaps Swap is its swap */
	/* From smaps, in kB. */
	bool smaps;
	long long rss, swap, anon_huge, shmem_pmd, file_pmd;
	unsigned long long vmflags;	/* BIT_ULL(index in vmflag_map) */
	unsigned long long *pm;		/* pagemap, one entry a page */
};

static bool vma_has(const struct vma *v, const char *code)
{
	int i = vmflag_index(code, strlen(code), 0);

	return i >= 0 && (v->vmflags & BIT_ULL(i));
}

/*
 * The first five fields of a maps line (START-END PERMS PGOFF MAJ:MIN
 * INODE) and the rest (NAME, leading blanks skipped).
 */
static bool parse_maps_line(const char *p, int len, struct vma *v)
{
	char buf[LINE_MAX_LEN + PATH_MAX];
	int off = 0;

	if (len >= (int)sizeof(buf))
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (sscanf(buf, "%63s %7s %23s %15s %23s %n", v->range, v->perms,
		   v->pgoff, v->dev, v->inode, &off) != 5 || !off)
		return false;
	if (sscanf(v->range, "%lx-%lx", &v->start, &v->end) != 2)
		return false;
	while (buf[off] == ' ')
		off++;
	v->name = strdup(buf + off);
	v->anon_private = !strcmp(v->inode, "0") && v->perms[3] == 'p';
	return v->name;
}

static void free_vmas(struct vma *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].pm);
	}
	free(v);
}

/* The VMAs of maps, without [vsyscall] (not a VMA of the mm). */
static int parse_maps(struct cmp *c, const char *text, struct vma **out)
{
	struct vma *v = NULL, *nv;
	const char *p, *e;
	int n = 0, cap = 0;

	for (p = text; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		nv = vmv_grow(v, &cap, n, sizeof(*v), 64);
		if (!nv)
			break;
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		if (!parse_maps_line(p, e - p, &v[n])) {
			MISMATCH(c, "maps: cannot parse '%.*s'", (int)(e - p),
				 p);
			free(v[n].name);
			continue;
		}
		if (!strcmp(v[n].name, "[vsyscall]")) {
			free(v[n].name);
			continue;
		}
		n++;
	}
	*out = v;
	return n;
}

static struct vma *vma_find(struct vma *v, int n, unsigned long va)
{
	int i;

	for (i = 0; i < n; i++)
		if (va >= v[i].start && va < v[i].end)
			return &v[i];
	return NULL;
}

/* Add smaps' figures to the VMAs of maps. */
static void parse_smaps(struct cmp *c, const char *text, struct vma *v,
			int n)
{
	struct vma *cur = NULL;
	const char *p, *e, *q;
	unsigned long start, end;
	char key[32];
	long long val;
	int i, k;

	for (p = text; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		for (q = p; q < e && isxdigit((unsigned char)*q); q++)
			;
		if (q > p && *q == '-' &&
		    sscanf(p, "%lx-%lx", &start, &end) == 2) {
			cur = vma_find(v, n, start);
			if (cur && (cur->start != start || cur->end != end))
				cur = NULL;
			if (cur)
				cur->smaps = true;
			else if (e - p < 10 ||
				 strncmp(e - 10, "[vsyscall]", 10))
				MISMATCH(c, "smaps: VMA not in maps: %.*s",
					 (int)(e - p), p);
			continue;
		}
		if (!cur)
			continue;
		if (!strncmp(p, "VmFlags:", 8)) {
			for (q = p + 8; q < e; q += k) {
				while (q < e && *q == ' ')
					q++;
				for (k = 0; q + k < e && q[k] != ' '; k++)
					;
				i = k ? vmflag_index(q, k, 0) : -1;
				if (i >= 0)
					cur->vmflags |= BIT_ULL(i);
			}
			continue;
		}
		if (sscanf(p, "%31[^:]: %lld kB", key, &val) != 2)
			continue;
		if (!strcmp(key, "Rss"))
			cur->rss = val;
		else if (!strcmp(key, "Swap"))
			cur->swap = val;
		else if (!strcmp(key, "AnonHugePages"))
			cur->anon_huge = val;
		else if (!strcmp(key, "ShmemPmdMapped"))
			cur->shmem_pmd = val;
		else if (!strcmp(key, "FilePmdMapped"))
			cur->file_pmd = val;
	}
	for (i = 0; i < n; i++)
		if (!v[i].smaps)
			MISMATCH(c, "smaps: no entry for %s", v[i].range);
}

struct vmas_line {
	char f[5][64];		/* START-END PERMS PGOFF MAJ:MIN INODE */
	long long rss, swap, thp;
	unsigned long long flags;	/* BIT_ULL(index in vmflag_map) */
	char name[PATH_MAX];
};

static const char *parse_vmas_line(const char *p, int len,
				   struct vmas_line *l)
{
	static const char * const keys[] = { "rss=", "swap=", "thp=" };
	char buf[LINE_MAX_LEN + PATH_MAX], *tok[9], *rest, *w, *save = NULL;
	long long *num[] = { &l->rss, &l->swap, &l->thp };
	int i, k, off = 0;

	memset(l, 0, sizeof(*l));
	if (len >= (int)sizeof(buf))
		return "line too long";
	memcpy(buf, p, len);
	buf[len] = '\0';
	/* Nine fields, then NAME: the rest, which may hold blanks. */
	for (i = 0, rest = buf; i < 9; i++) {
		while (*rest == ' ')
			rest++;
		tok[i] = rest;
		rest = strchrnul(rest, ' ');
		if (rest == tok[i])
			return "too few fields";
		if (*rest)
			*rest++ = '\0';
	}
	for (i = 0; i < 5; i++) {
		if (strlen(tok[i]) >= sizeof(l->f[i]))
			return "field too long";
		strcpy(l->f[i], tok[i]);
	}
	for (i = 0; i < 3; i++) {
		k = strlen(keys[i]);
		if (strncmp(tok[5 + i], keys[i], k) ||
		    !vmv_parse_dec(tok[5 + i] + k, num[i]) || *num[i] < 0)
			return "bad rss=, swap= or thp=";
	}
	if (strncmp(tok[8], "flags=", 6))
		return "no flags=";
	if (strcmp(tok[8] + 6, "-")) {
		for (w = strtok_r(tok[8] + 6, ",", &save); w;
		     w = strtok_r(NULL, ",", &save)) {
			i = vmflag_index(w, strlen(w), 1);
			if (i < 0)
				return "unknown flag word";
			l->flags |= BIT_ULL(i);
		}
	}
	off = strlen(rest);
	if (off >= (int)sizeof(l->name))
		return "NAME too long";
	strcpy(l->name, rest);
	return NULL;
}

/* --- reading the files ---------------------------------------------------- */

struct snap {
	char *ptes, *maps, *smaps, *vmas, *mm, *status;
	struct vmv_pte *pte;
	int npte;
	struct vmview_pte *bin;		/* PID/ptes.bin, read right after ptes */
	size_t nbin;
	struct vma *vma;
	int nvma;
};

enum {
	S_PTES = 1, S_MAPS = 2, S_SMAPS = 4, S_VMAS = 8, S_MM = 16,
	S_STATUS = 32, S_PAGEMAP = 64, S_PTES_BIN = 128,
};

static void snap_free(struct snap *s)
{
	free(s->ptes);
	free(s->maps);
	free(s->smaps);
	free(s->vmas);
	free(s->mm);
	free(s->status);
	free(s->pte);
	free(s->bin);
	free_vmas(s->vma, s->nvma);
	memset(s, 0, sizeof(*s));
}

static char *read_proc(struct cmp *c, int pid, const char *file)
{
	char path[64];
	char *t;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	t = vmv_read_file(path, NULL);
	if (!t)
		MISMATCH(c, "cannot read %s: %s", path, strerror(errno));
	return t;
}

static char *read_vmv(struct cmp *c, int pid, const char *file)
{
	char *t = vmv_pid_read(pid, file, NULL);

	if (!t)
		MISMATCH(c, "cannot read %d/%s: %s", pid, file,
			 strerror(errno));
	return t;
}

/* Every VMA's pagemap entries. */
static void read_pagemap(struct cmp *c, int pid, struct vma *v, int n)
{
	char path[64];
	size_t len;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		MISMATCH(c, "cannot open %s: %s", path, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		len = (v[i].end - v[i].start) / PG * sizeof(v[i].pm[0]);
		v[i].pm = malloc(len);
		if (!v[i].pm || pread(fd, v[i].pm, len, v[i].start / PG *
				      sizeof(v[i].pm[0])) != (ssize_t)len) {
			MISMATCH(c, "cannot read pagemap of %s", v[i].range);
			free(v[i].pm);
			v[i].pm = NULL;
		}
	}
	close(fd);
}

static unsigned long long pagemap_of(const struct vma *v, unsigned long va)
{
	return v->pm ? v->pm[(va - v->start) / PG] : 0;
}

/* Read what a comparison needs; what fails to read or parse is a mismatch. */
static void snap_take(struct cmp *c, int pid, unsigned int what,
		      struct snap *s)
{
	memset(s, 0, sizeof(*s));
	/* VMA flags (from smaps) decide what is compared where. */
	if (what & (S_MAPS | S_SMAPS | S_PAGEMAP))
		what |= S_MAPS | S_SMAPS;
	if (what & S_MAPS) {
		s->maps = read_proc(c, pid, "maps");
		if (s->maps)
			s->nvma = parse_maps(c, s->maps, &s->vma);
	}
	if (what & S_SMAPS) {
		s->smaps = read_proc(c, pid, "smaps");
		if (s->smaps)
			parse_smaps(c, s->smaps, s->vma, s->nvma);
	}
	if (what & S_STATUS)
		s->status = read_proc(c, pid, "status");
	if (what & S_PTES) {
		s->ptes = read_vmv(c, pid, "ptes");
		if (s->ptes)
			s->npte = parse_ptes(c, s->ptes, &s->pte);
	}
	if (what & S_PTES_BIN) {
		s->bin = vmv_ptes_bin(pid, &s->nbin);
		if (!s->bin)
			MISMATCH(c, "cannot read %d/ptes.bin: %s", pid,
				 strerror(errno));
	}
	if (what & S_VMAS)
		s->vmas = read_vmv(c, pid, "vmas");
	if (what & S_MM)
		s->mm = read_vmv(c, pid, "mm");
	if (what & S_PAGEMAP)
		read_pagemap(c, pid, s->vma, s->nvma);
}

/* --- the fixture ---------------------------------------------------------- */

FIXTURE(inspect) {
	struct vmv_workload wl;
	int pid;
	bool tracked;
	bool skip;
};

/*
 * The workload maps needs | also (VMV_WL() bits); needs: the regions the
 * variant is about, whose absence (no swap, no huge page) is a SKIP.
 */
FIXTURE_VARIANT(inspect) {
	unsigned int needs;
	unsigned int also;
};

FIXTURE_VARIANT_ADD(inspect, anon) { .needs = VMV_WL(VMV_WL_ANON) };
FIXTURE_VARIANT_ADD(inspect, file_private) { .needs = VMV_WL(VMV_WL_FILE_PRIVATE) };
FIXTURE_VARIANT_ADD(inspect, file_shared) { .needs = VMV_WL(VMV_WL_FILE_SHARED) };
FIXTURE_VARIANT_ADD(inspect, file_ro) { .needs = VMV_WL(VMV_WL_FILE_RO) };
FIXTURE_VARIANT_ADD(inspect, shared_anon) { .needs = VMV_WL(VMV_WL_SHARED_ANON) };
FIXTURE_VARIANT_ADD(inspect, populate) { .needs = VMV_WL(VMV_WL_POPULATE) };
FIXTURE_VARIANT_ADD(inspect, mlock) { .needs = VMV_WL(VMV_WL_MLOCK) };
FIXTURE_VARIANT_ADD(inspect, thp) { .needs = VMV_WL(VMV_WL_THP) };
FIXTURE_VARIANT_ADD(inspect, hugetlb) { .needs = VMV_WL(VMV_WL_HUGETLB) };
FIXTURE_VARIANT_ADD(inspect, swap) { .needs = VMV_WL(VMV_WL_SWAP) };

FIXTURE_VARIANT_ADD(inspect, softdirty) {
	.needs = VMV_WL(VMV_WL_SOFTDIRTY),
	.also = VMV_WL(VMV_WL_ANON),
};

FIXTURE_VARIANT_ADD(inspect, cow) {
	.needs = VMV_WL(VMV_WL_COW),
	.also = VMV_WL(VMV_WL_ANON),
};

FIXTURE_VARIANT_ADD(inspect, all) { .also = VMV_WL_ALL };

static bool swap_configured(void)
{
	const char *s = getenv("VMVIEW_SWAP");

	return !s || strcmp(s, "none");
}

/*
 * Map every page of our own file mappings (the test program, libc, ...).
 * The workload maps the same files; were a page of them mapped by the
 * workload alone, this test faulting it in later (running code for the
 * first time) would change its mapcount between two reads.
 */
static void populate_own_files(void)
{
	char *maps = vmv_read_file("/proc/self/maps", NULL), *p, *e;
	unsigned long start, end, inode;
	char perms[8];

	for (p = maps; p && *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		if (sscanf(p, "%lx-%lx %7s %*s %*s %lu", &start, &end, perms,
			   &inode) == 4 && inode && perms[0] == 'r')
			madvise((void *)start, end - start, MADV_POPULATE_READ);
	}
	free(maps);
}

/*
 * Set when this kernel keeps no soft-dirty bits (no CONFIG_MEM_SOFT_DIRTY,
 * as on 32-bit x86): the softdirty region then cannot be what it is
 * meant to be, and is not checked for it.
 */
static bool no_softdirty;

/*
 * Whether the kernel tracks soft-dirty bits, as pagemap shows them: a
 * child writes a page, clears the soft-dirty bits (clear_refs 4) and
 * writes the page again; pagemap bit 55 is set then, or never.  1: it
 * is tracked, 0: it is not, -1: the child could not tell.
 */
static int softdirty_tracked(void)
{
	unsigned long long pm;
	char *p;
	int fd, st;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		p[0] = 1;
		fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "4", 1) != 1)
			_exit(2);
		close(fd);
		p[0] = 2;
		pm = vmv_pagemap_entry(getpid(), (unsigned long)p);
		if (!(pm & PM_PRESENT))
			_exit(2);
		_exit(pm & PM_SOFT_DIRTY ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) > 1)
		return -1;
	return WEXITSTATUS(st);
}

/* The kernel's THP size (hpage_pmd_size), in bytes; -1 if unknown. */
static long long thp_size(void)
{
	char *t = vmv_read_file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
				NULL);
	long long n = t ? strtoll(t, NULL, 10) : -1;

	free(t);
	return n;
}

/* smaps' AnonHugePages of the VMA at start, in kB; -1 if none. */
static long long thp_kb(int pid, unsigned long start)
{
	struct cmp c = { 0 };
	struct snap s;
	struct vma *v;
	long long kb = -1;

	snap_take(&c, pid, S_SMAPS, &s);
	v = vma_find(s.vma, s.nvma, start);
	if (v)
		kb = v->anon_huge;
	snap_free(&s);
	return kb;
}

FIXTURE_SETUP(inspect)
{
	unsigned int want = variant->needs | variant->also, missing, r;
	int sd;

	ASSERT_EQ(0, vmv_ensure_loaded());
	if ((want & VMV_WL(VMV_WL_SWAP)) && !swap_configured()) {
		want &= ~VMV_WL(VMV_WL_SWAP);
		if (variant->needs & VMV_WL(VMV_WL_SWAP)) {
			self->skip = true;
			SKIP(return, "no swap here (VMVIEW_SWAP=none)");
		}
		TH_LOG("workload: no swap region (VMVIEW_SWAP=none)");
	}
	no_softdirty = false;
	if (want & VMV_WL(VMV_WL_SOFTDIRTY)) {
		sd = softdirty_tracked();
		ASSERT_LE(0, sd)
			TH_LOG("cannot tell whether soft-dirty bits are tracked");
		no_softdirty = !sd;
	}
	if (no_softdirty) {
		if (variant->needs & VMV_WL(VMV_WL_SOFTDIRTY)) {
			self->skip = true;
			SKIP(return,
			     "no soft-dirty tracking here (no CONFIG_MEM_SOFT_DIRTY): pagemap bit 55 stays clear after clear_refs 4 and a write");
		}
		TH_LOG("workload: no soft-dirty tracking, not checked");
	}
	/* The workload's huge pages are the kernel's size. */
	if ((want & VMV_WL(VMV_WL_THP)) && thp_size() >= 0)
		ASSERT_EQ(thp_size(), (long long)vmv_wl_huge())
			TH_LOG("hpage_pmd_size: not the huge page size of %d levels",
			       vmv_expected_levels());
	populate_own_files();
	ASSERT_EQ(0, vmv_wl_start(&self->wl, want));
	self->pid = self->wl.pid;
	missing = want & ~self->wl.have;
	for (r = 0; r < VMV_WL_NR; r++)
		if (missing & VMV_WL(r))
			TH_LOG("workload: no %s region: %s", vmv_wl_name(r),
			       strerror(-self->wl.rerr[r]));
	if (missing & variant->needs) {
		self->skip = true;
		SKIP(return, "the workload could not set up its %s memory",
		     vmv_wl_name(__builtin_ctz(missing & variant->needs)));
	}
	if (vmv_wl_has(&self->wl, VMV_WL_THP) &&
	    thp_kb(self->pid, self->wl.start[VMV_WL_THP]) !=
	    (long long)(vmv_wl_huge() / 1024)) {
		TH_LOG("workload: the THP region is not a THP (AnonHugePages)");
		if (variant->needs & VMV_WL(VMV_WL_THP)) {
			self->skip = true;
			SKIP(return, "no THP could be allocated");
		}
	}
	ASSERT_EQ(0, vmv_track(self->pid));
	self->tracked = true;
}

FIXTURE_TEARDOWN(inspect)
{
	if (self->tracked)
		EXPECT_EQ(0, vmv_untrack(self->pid));
	vmv_wl_stop(&self->wl);
}

/*
 * Read what fn needs and compare; on mismatches read everything again
 * and compare once more (khugepaged, compaction or reclaim may have
 * changed the workload between two reads), logging this time.  Returns
 * the mismatches of the last try.
 */
static int compare_twice(struct __test_metadata *_metadata,
			 const struct vmv_workload *wl, unsigned int what,
			 void (*fn)(struct cmp *c, struct snap *s,
				    const struct vmv_workload *wl))
{
	struct cmp c = { .md = _metadata };
	struct snap s;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		c.log = attempt == 1;
		c.bad = 0;
		snap_take(&c, wl->pid, what, &s);
		c.note[0] = '\0';
		fn(&c, &s, wl);
		snap_free(&s);
		if (!c.bad)
			break;
		if (!c.log)
			TH_LOG("%d mismatches; reading everything again",
			       c.bad);
	}
	if (c.note[0])
		TH_LOG("compared: %s", c.note);
	return c.bad;
}

/* --- ptes_format ---------------------------------------------------------- */

static void cmp_format(struct cmp *c, struct snap *s,
		       const struct vmv_workload *wl)
{
	unsigned int r;
	int i;

	if (!s->ptes)
		return;
	if (!s->npte)
		MISMATCH(c, "ptes: no lines at all");
	for (i = 0; i < s->npte; i++) {
		struct vmv_pte *l = &s->pte[i];
		struct vma *v = vma_find(s->vma, s->nvma, l->va);

		if (!v || vmv_pte_end(l) > v->end)
			MISMATCH(c, "ptes: leaf outside the VMAs of maps: %.*s",
				 l->len, l->text);
	}
	/* Every region of the workload has something mapped. */
	for (r = 0; r < VMV_WL_NR; r++) {
		struct vmv_pte *l;

		if (!vmv_wl_has(wl, r))
			continue;
		l = pte_find(s->pte, s->npte, wl->start[r]);
		if (!l || l->va >= wl->end[r])
			MISMATCH(c, "ptes: nothing for the %s region at %#lx",
				 vmv_wl_name(r), wl->start[r]);
	}
}

TEST_F_TIMEOUT(inspect, ptes_format, 120)
{
	if (self->skip)
		return;
	EXPECT_EQ(0, compare_twice(_metadata, &self->wl, S_PTES | S_MAPS,
				   cmp_format));
}

/* --- ptes_bin ------------------------------------------------------------- */

/* The first field in which record r says other than the text line t. */
static const char *bin_diff(const struct vmv_pte *t,
			    const struct vmview_pte *r)
{
	long long mapcount = t->mapcount < 0 ? 0 : t->mapcount;
	struct vmv_pte b;

	if (mapcount > (long long)VMVIEW_META_MAPCOUNT_MASK)
		mapcount = VMVIEW_META_MAPCOUNT_MASK;
	vmv_pte_from_rec(r, &b);
	if (b.va != t->va || b.entry != t->entry)
		return "vaddr or entry";
	if (b.level != t->level || b.kind != t->kind)
		return "level or kind";
	if (b.has_pfn != t->has_pfn || b.pfn != t->pfn)
		return "pfn";
	if (b.has_swap != t->has_swap || b.swap_type != t->swap_type ||
	    (t->kind == VMVIEW_KIND_SWAP && b.swap_off != t->swap_off))
		return "swap";
	if (b.flags != t->flags || b.mt != t->mt)
		return "flags or mt";
	if (b.arch != VMV_ARCH_SELF)
		return "arch";
	if (b.has_page != t->has_page)
		return "page (valid)";
	if (t->has_page && (b.pflags != t->pflags || b.order != t->order ||
			    b.mapcount != mapcount))
		return "page, order or mapcount";
	return NULL;
}

/* ptes.bin holds the records of ptes, one for each line, field for field. */
static void cmp_bin(struct cmp *c, struct snap *s,
		    const struct vmv_workload *wl)
{
	const char *why;
	size_t i;

	(void)wl;
	if (!s->ptes || !s->bin)
		return;
	if (s->nbin != (size_t)s->npte)
		MISMATCH(c, "ptes.bin: %zu records, ptes %d lines", s->nbin,
			 s->npte);
	for (i = 0; i < s->nbin && i < (size_t)s->npte; i++) {
		why = bin_diff(&s->pte[i], &s->bin[i]);
		if (why)
			MISMATCH(c,
				 "ptes.bin: record %zu {%#llx %#llx %#llx %#llx} differs in %s from: %.*s",
				 i, (unsigned long long)s->bin[i].vaddr,
				 (unsigned long long)s->bin[i].entry,
				 (unsigned long long)s->bin[i].pfn,
				 (unsigned long long)s->bin[i].meta, why,
				 s->pte[i].len, s->pte[i].text);
	}
	snprintf(c->note, sizeof(c->note), "%zu records", s->nbin);
}

TEST_F_TIMEOUT(inspect, ptes_bin, 120)
{
	if (self->skip)
		return;
	EXPECT_EQ(0, compare_twice(_metadata, &self->wl,
				   S_PTES | S_PTES_BIN, cmp_bin));
}

/* --- ptes_pagemap --------------------------------------------------------- */

/* What ptes_pagemap compared: [0] with the bit clear, [1] set. */
struct pm_stats {
	int present, swapped, huge;
	int softdirty[2], exclusive[2];
};

/* One page of a leaf against its pagemap entry. */
static void cmp_page(struct cmp *c, const struct vma *v,
		     const struct vmv_pte *l, unsigned long va,
		     unsigned long long pm, struct pm_stats *st)
{
	unsigned long long idx = (va - l->va) / PG, want;
	bool sd = l->flags & BIT_ULL(VMVIEW_F_SOFTDIRTY);
	bool excl;

	if (pm & PM_PRESENT) {
		if (!vmv_pte_present(l)) {
			MISMATCH(c, "%#lx: pagemap present (%#llx), ptes: %.*s",
				 va, pm, l->len, l->text);
			return;
		}
		if (l->pfn + idx != (pm & PM_PFN_MASK))
			MISMATCH(c, "%#lx: pagemap pfn %#llx, ptes: %.*s", va,
				 pm & PM_PFN_MASK, l->len, l->text);
		/* Exclusively mapped (bit 56) is mapcount 1, for 4 KiB. */
		excl = l->has_page && l->mapcount == 1;
		if (l->level == VMVIEW_LEVEL_PTE && excl != !!(pm & PM_EXCLUSIVE))
			MISMATCH(c, "%#lx: pagemap exclusive=%d, ptes: %.*s",
				 va, !!(pm & PM_EXCLUSIVE), l->len, l->text);
		if (l->level == VMVIEW_LEVEL_PTE)
			st->exclusive[!!(pm & PM_EXCLUSIVE)]++;
		st->present++;
		st->huge += l->level != VMVIEW_LEVEL_PTE;
	} else if (pm & PM_SWAP) {
		if (vmv_pte_present(l) || !l->has_swap) {
			MISMATCH(c, "%#lx: pagemap swap (%#llx), ptes: %.*s",
				 va, pm, l->len, l->text);
			return;
		}
		/* Entries that hold a frame show it as pagemap's offset. */
		want = l->kind == VMVIEW_KIND_SWAP || l->kind == VMVIEW_KIND_MARKER ?
		       l->swap_off : l->pfn;
		if ((int)PM_SWAP_TYPE(pm) != l->swap_type ||
		    PM_SWAP_OFF(pm) != want + idx)
			MISMATCH(c, "%#lx: pagemap swap %llu:%#llx, ptes: %.*s",
				 va, PM_SWAP_TYPE(pm), PM_SWAP_OFF(pm),
				 l->len, l->text);
		st->swapped++;
	} else {
		MISMATCH(c, "%#lx: pagemap has nothing (%#llx), ptes: %.*s",
			 va, pm, l->len, l->text);
		return;
	}
	/*
	 * Soft-dirty (bit 55): pagemap also sets it for the whole of a VMA
	 * with VM_SOFTDIRTY, and ignores it for hugetlb pages.
	 */
	if (vma_has(v, "sd") || vma_has(v, "ht"))
		return;
	if (sd != !!(pm & PM_SOFT_DIRTY))
		MISMATCH(c, "%#lx: pagemap soft-dirty=%d, ptes: %.*s", va,
			 !!(pm & PM_SOFT_DIRTY), l->len, l->text);
	st->softdirty[!!(pm & PM_SOFT_DIRTY)]++;
}

/*
 * The workload is what it should be, per the kernel (so that the
 * comparisons above cover what they are meant to): pages [from, to) of
 * region r have pagemap bit set or not.
 */
static void expect_pm_bit(struct cmp *c, struct snap *s,
			  const struct vmv_workload *wl, enum vmv_wl_region r,
			  unsigned int from, unsigned int to,
			  unsigned long long bit, bool set)
{
	unsigned long va;
	struct vma *v;
	unsigned int i;

	if (!vmv_wl_has(wl, r))
		return;
	for (i = from; i < to; i++) {
		va = vmv_wl_page(wl, r, i);
		v = vma_find(s->vma, s->nvma, va);
		if (v && !!(pagemap_of(v, va) & bit) != set)
			MISMATCH(c,
				 "workload: %s page %u: pagemap %#llx, want bit %d %s",
				 vmv_wl_name(r), i, pagemap_of(v, va),
				 __builtin_ctzll(bit), set ? "set" : "clear");
	}
}

/* A region that should be one huge leaf is. */
static void expect_huge_leaf(struct cmp *c, struct snap *s,
			     const struct vmv_workload *wl,
			     enum vmv_wl_region r)
{
	struct vmv_pte *l;
	struct vma *v;

	if (!vmv_wl_has(wl, r))
		return;
	v = vma_find(s->vma, s->nvma, wl->start[r]);
	/* A THP the kernel could not allocate is no failure of vmview's. */
	if (r == VMV_WL_THP && (!v || !v->anon_huge))
		return;
	l = pte_find(s->pte, s->npte, wl->start[r]);
	if (!l || l->level != vmv_huge_level(vmv_paging_once()) ||
	    l->va != wl->start[r] || vmv_pte_end(l) != wl->end[r])
		MISMATCH(c, "workload: the %s region is not one %s leaf",
			 vmv_wl_name(r),
			 vmv_level_names[vmv_huge_level(vmv_paging_once())]);
}

static void cmp_pagemap(struct cmp *c, struct snap *s,
			const struct vmv_workload *wl)
{
	struct pm_stats st = { 0 };
	unsigned long va;
	int i;

	for (i = 0; i < s->nvma; i++) {
		struct vma *v = &s->vma[i];

		if (!v->pm)
			continue;
		for (va = v->start; va < v->end; va += PG) {
			unsigned long long pm = pagemap_of(v, va);
			struct vmv_pte *l = pte_find(s->pte, s->npte, va);

			if (!l) {
				if (pm & (PM_PRESENT | PM_SWAP))
					MISMATCH(c,
						 "%#lx: in pagemap (%#llx), not in ptes",
						 va, pm);
				continue;
			}
			cmp_page(c, v, l, va, pm, &st);
		}
	}
	/* Leaves outside every VMA would have been missed above. */
	for (i = 0; i < s->npte; i++)
		if (!vma_find(s->vma, s->nvma, s->pte[i].va))
			MISMATCH(c, "ptes: leaf outside the VMAs: %.*s",
				 s->pte[i].len, s->pte[i].text);
	if (!st.present)
		MISMATCH(c, "no present page compared");
	if (vmv_wl_has(wl, VMV_WL_SWAP) && st.swapped < (int)wl->swapped)
		MISMATCH(c, "%d swapped pages compared, the workload has %u",
			 st.swapped, wl->swapped);
	if (!no_softdirty) {
		expect_pm_bit(c, s, wl, VMV_WL_SOFTDIRTY, 0, VMV_WL_REDIRTY,
			      PM_SOFT_DIRTY, true);
		expect_pm_bit(c, s, wl, VMV_WL_SOFTDIRTY, VMV_WL_REDIRTY,
			      VMV_WL_PAGES, PM_SOFT_DIRTY, false);
	}
	expect_pm_bit(c, s, wl, VMV_WL_COW, 0, VMV_WL_REDIRTY, PM_EXCLUSIVE,
		      true);
	expect_pm_bit(c, s, wl, VMV_WL_COW, VMV_WL_REDIRTY, VMV_WL_PAGES,
		      PM_EXCLUSIVE, false);
	if (wl->swapped == VMV_WL_PAGEOUT)
		expect_pm_bit(c, s, wl, VMV_WL_SWAP, 0, VMV_WL_PAGEOUT,
			      PM_SWAP, true);
	expect_pm_bit(c, s, wl, VMV_WL_SWAP, VMV_WL_PAGEOUT, VMV_WL_PAGES,
		      PM_PRESENT, true);
	expect_huge_leaf(c, s, wl, VMV_WL_THP);
	expect_huge_leaf(c, s, wl, VMV_WL_HUGETLB);
	snprintf(c->note, sizeof(c->note),
		 "%d present pages (%d in huge leaves), %d swapped; exclusive %d/%d, soft-dirty %d/%d (set/clear)",
		 st.present, st.huge, st.swapped, st.exclusive[1],
		 st.exclusive[0], st.softdirty[1], st.softdirty[0]);
}

TEST_F_TIMEOUT(inspect, ptes_pagemap, 120)
{
	if (self->skip)
		return;
	EXPECT_EQ(0, compare_twice(_metadata, &self->wl, S_PTES | S_PAGEMAP,
				   cmp_pagemap));
}

/* --- ptes_kpageflags ------------------------------------------------------ */

/* Whether any KSM page exists at all (pages_shared: KSM pages in use). */
static bool ksm_pages_exist(void)
{
	char *t = vmv_read_file("/sys/kernel/mm/ksm/pages_shared", NULL);
	bool yes = t && strtoll(t, NULL, 10) > 0;

	free(t);
	return yes;
}

static void cmp_kpageflags(struct cmp *c, struct snap *s,
			   const struct vmv_workload *wl)
{
	static const struct {
		int pflag;
		unsigned long long kpf;
	} map[] = {
		{ VMVIEW_P_ANON, BIT_ULL(KPF_ANON) },
		{ VMVIEW_P_ZERO, BIT_ULL(KPF_ZERO_PAGE) },
		{ VMVIEW_P_KSM, BIT_ULL(KPF_KSM) },
		{ VMVIEW_P_LARGE, BIT_ULL(KPF_COMPOUND_HEAD) |
			   BIT_ULL(KPF_COMPOUND_TAIL) },
	};
	unsigned long long kpf;
	int fd, i, seen = 0, zero = 0;
	bool ksm = ksm_pages_exist();
	unsigned int j;

	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0) {
		MISMATCH(c, "cannot open /proc/kpageflags: %s",
			 strerror(errno));
		return;
	}
	for (i = 0; i < s->npte; i++) {
		struct vmv_pte *l = &s->pte[i];

		if (!vmv_pte_present(l))
			continue;
		if (pread(fd, &kpf, sizeof(kpf), l->pfn * sizeof(kpf)) !=
		    sizeof(kpf))
			continue;	/* no struct page there */
		if (kpf & BIT_ULL(KPF_ZERO_PAGE)) {
			zero++;
			if (!l->has_page || !(l->pflags & BIT_ULL(VMVIEW_P_ZERO)))
				MISMATCH(c,
					 "pfn %#llx is the zero page (kpageflags %#llx), ptes: %.*s",
					 l->pfn, kpf, l->len, l->text);
		}
		if (!l->has_page)
			continue;
		seen++;
		/*
		 * 6.12's kpageflags sets KPF_KSM on every anonymous page
		 * (it tests mapping & PAGE_MAPPING_KSM, two bits, for
		 * non-zero): when the system has no KSM page at all, the
		 * truth is "not KSM" for every page.
		 */
		if (!ksm)
			kpf &= ~BIT_ULL(KPF_KSM);
		for (j = 0; j < ARRAY_SIZE(map); j++) {
			bool want = kpf & map[j].kpf;
			bool got = l->pflags & BIT_ULL(map[j].pflag);

			if (want != got)
				MISMATCH(c,
					 "pfn %#llx: kpageflags %#llx says %s=%d, ptes: %.*s",
					 l->pfn, kpf, vmv_pflag_names[map[j].pflag],
					 want, l->len, l->text);
		}
	}
	close(fd);
	if (!seen)
		MISMATCH(c, "no page= line compared");
	if (vmv_wl_has(wl, VMV_WL_ANON) && !zero)
		MISMATCH(c,
			 "the anon region's read pages are not the zero page");
}

TEST_F_TIMEOUT(inspect, ptes_kpageflags, 120)
{
	if (self->skip)
		return;
	EXPECT_EQ(0, compare_twice(_metadata, &self->wl, S_PTES,
				   cmp_kpageflags));
}

/* --- vmas_maps ------------------------------------------------------------ */

static void cmp_vmas(struct cmp *c, struct snap *s,
		     const struct vmv_workload *wl)
{
	static const char * const what[] = {
		"START-END", "PERMS", "PGOFF", "MAJ:MIN", "INODE",
	};
	const char *p, *e, *why;
	struct vmas_line *l;
	int n = 0, i;

	(void)wl;
	if (!s->vmas)
		return;
	l = malloc(sizeof(*l));
	if (!l)
		return;
	for (p = s->vmas; *p; p = *e ? e + 1 : e, n++) {
		struct vma *v = n < s->nvma ? &s->vma[n] : NULL;
		const char *mf[5];
		long long thp;

		e = strchrnul(p, '\n');
		why = parse_vmas_line(p, e - p, l);
		if (why) {
			MISMATCH(c, "vmas: %s: '%.*s'", why, (int)(e - p), p);
			continue;
		}
		if (!v) {
			MISMATCH(c, "vmas: more lines than maps: %.*s",
				 (int)(e - p), p);
			continue;
		}
		mf[0] = v->range;
		mf[1] = v->perms;
		mf[2] = v->pgoff;
		mf[3] = v->dev;
		mf[4] = v->inode;
		for (i = 0; i < 5; i++)
			if (strcmp(mf[i], l->f[i]))
				MISMATCH(c, "vmas %s '%s', maps '%s' (VMA %s)",
					 what[i], l->f[i], mf[i], v->range);
		if (strcmp(v->name, l->name))
			MISMATCH(c, "vmas NAME '%s', maps '%s' (VMA %s)",
				 l->name, v->name, v->range);
		if (!v->smaps)
			continue;
		if (l->rss * PG_KB != v->rss)
			MISMATCH(c, "vmas rss=%lld, smaps Rss %lld kB (VMA %s)",
				 l->rss, v->rss, v->range);
		if (v->anon_private && l->swap * PG_KB != v->swap)
			MISMATCH(c,
				 "vmas swap=%lld, smaps Swap %lld kB (VMA %s)",
				 l->swap, v->swap, v->range);
		thp = (v->anon_huge + v->shmem_pmd + v->file_pmd) /
		      (long long)(vmv_wl_huge() / 1024);
		if (l->thp != thp)
			MISMATCH(c,
				 "vmas thp=%lld, smaps %lld+%lld+%lld kB (VMA %s)",
				 l->thp, v->anon_huge, v->shmem_pmd,
				 v->file_pmd, v->range);
		for (i = 0; i < (int)NR_VMFLAGS; i++)
			if (!!(l->flags & BIT_ULL(i)) !=
			    !!(v->vmflags & BIT_ULL(i)))
				MISMATCH(c,
					 "vmas flag %s=%d, smaps VmFlags %s=%d (VMA %s)",
					 vmflag_map[i][1],
					 !!(l->flags & BIT_ULL(i)),
					 vmflag_map[i][0],
					 !!(v->vmflags & BIT_ULL(i)), v->range);
	}
	free(l);
	if (n != s->nvma)
		MISMATCH(c,
			 "vmas has %d lines, maps %d VMAs (without [vsyscall])",
			 n, s->nvma);
}

TEST_F_TIMEOUT(inspect, vmas_maps, 120)
{
	if (self->skip)
		return;
	EXPECT_EQ(0, compare_twice(_metadata, &self->wl,
				   S_VMAS | S_MAPS | S_SMAPS, cmp_vmas));
}

/* --- mm_status ------------------------------------------------------------ */

static void thp_mode(char *out, size_t len)
{
	char *t = vmv_read_file("/sys/kernel/mm/transparent_hugepage/enabled",
				NULL);
	char *a = t ? strchr(t, '[') : NULL;
	char *b = a ? strchr(a, ']') : NULL;

	snprintf(out, len, "%.*s", b ? (int)(b - a - 1) : 1,
		 b ? a + 1 : "?");
	free(t);
}

/* The table counts of PID/mm: the accounting rule and the ptes lines. */
static void cmp_mm_tables(struct cmp *c, struct snap *s)
{
	static const char * const key[VMVIEW_NR_LEVELS] = {
		[VMVIEW_LEVEL_PTE] = "table_pte",
		[VMVIEW_LEVEL_PMD] = "table_pmd",
		[VMVIEW_LEVEL_PUD] = "table_pud",
		[VMVIEW_LEVEL_P4D] = "table_p4d",
	};
	const struct vmv_paging *pg = vmv_paging_once();
	int huge = vmv_huge_level(pg), i, lv, need[VMVIEW_NR_LEVELS] = { 0 };
	unsigned long long last[VMVIEW_NR_LEVELS], slots = 0, a;
	long long tables[VMVIEW_NR_LEVELS], bytes, walk, deposited, prealloc;
	int leaves = 0, anon_leaves = 0;
	unsigned int span;

	bytes = vmv_kv_num(s->mm, "pgtables_bytes");
	walk = vmv_kv_num(s->mm, "walk_pgtables_bytes");
	deposited = vmv_kv_num(s->mm, "table_deposited");
	for (lv = VMVIEW_LEVEL_PTE; lv < VMVIEW_LEVEL_PGD; lv++) {
		tables[lv] = vmv_kv_num(s->mm, key[lv]);
		if (tables[lv] < 0)
			MISMATCH(c, "mm: %s is missing", key[lv]);
		last[lv] = ~0ULL;
	}
	if (deposited < 0)
		MISMATCH(c, "mm: table_deposited is missing");
	if (walk != (long long)PG * (tables[VMVIEW_LEVEL_PUD] +
				     tables[VMVIEW_LEVEL_PMD] +
				     tables[VMVIEW_LEVEL_PTE] + deposited))
		MISMATCH(c,
			 "mm walk_pgtables_bytes %lld != %lu * (table_pud %lld + table_pmd %lld + table_pte %lld + table_deposited %lld)",
			 walk, PG, tables[VMVIEW_LEVEL_PUD],
			 tables[VMVIEW_LEVEL_PMD], tables[VMVIEW_LEVEL_PTE],
			 deposited);
	/*
	 * The walk accounts for all of pgtables_bytes; with PAE but for
	 * the pmd tables allocated with the pgd that no VMA is under.
	 */
	prealloc = 0;
	if (pg->levels == 3)
		prealloc = (long long)PG * (vmv_pae_preallocated_pmds() -
					    tables[VMVIEW_LEVEL_PMD]);
	if (bytes != walk + prealloc)
		MISMATCH(c,
			 "mm pgtables_bytes %lld, walk_pgtables_bytes %lld + %lld (pmd tables preallocated with the pgd and under no VMA)",
			 bytes, walk, prealloc);

	/*
	 * The tables the ptes lines need at least: a table of level lv
	 * holds the leaves of lv and below, in a range of
	 * 2^(shift + bits) bytes.  A folded level has no tables.
	 */
	for (i = 0; i < s->npte; i++) {
		struct vmv_pte *l = &s->pte[i];
		struct vma *v = vma_find(s->vma, s->nvma, l->va);

		for (lv = VMVIEW_LEVEL_PTE; lv < VMVIEW_LEVEL_PGD; lv++) {
			span = pg->shift[lv] + pg->bits[lv];
			if (!pg->bits[lv] || l->level > lv ||
			    (unsigned long long)l->va >> span == last[lv])
				continue;
			last[lv] = (unsigned long long)l->va >> span;
			need[lv]++;
		}
		if (l->level != huge || (v && vma_has(v, "ht")) ||
		    !vmv_pte_present(l))
			continue;
		leaves++;
		if (l->has_page && (l->pflags & (BIT_ULL(VMVIEW_P_ANON) |
						 BIT_ULL(VMVIEW_P_ZERO))))
			anon_leaves++;
	}
	for (lv = VMVIEW_LEVEL_PTE; lv < VMVIEW_LEVEL_PGD; lv++) {
		if (!pg->bits[lv] ? tables[lv] != 0 : tables[lv] < need[lv])
			MISMATCH(c,
				 "mm %s %lld with %d levels, but the ptes lines need %d (a folded level has none)",
				 key[lv], tables[lv], pg->levels, need[lv]);
	}
	if (pg->bits[VMVIEW_LEVEL_P4D] && tables[VMVIEW_LEVEL_P4D] < 1)
		MISMATCH(c, "mm table_p4d %lld with 5 levels",
			 tables[VMVIEW_LEVEL_P4D]);
	/*
	 * With PAE every pmd table exists from the start: the walk finds
	 * one under each pgd entry that a VMA of maps is under.
	 */
	if (pg->levels == 3) {
		span = pg->shift[VMVIEW_LEVEL_PGD];
		for (i = 0; i < s->nvma; i++)
			for (a = s->vma[i].start >> span;
			     a <= (s->vma[i].end - 1) >> span; a++)
				slots |= 1ULL << a;
		if (tables[VMVIEW_LEVEL_PMD] != __builtin_popcountll(slots))
			MISMATCH(c,
				 "mm table_pmd %lld, but VMAs of maps are under %d pgd entries",
				 tables[VMVIEW_LEVEL_PMD],
				 __builtin_popcountll(slots));
	}
	if (deposited != anon_leaves)
		MISMATCH(c,
			 "mm table_deposited %lld, anonymous THP %s leaves in ptes %d",
			 deposited, vmv_level_names[huge], anon_leaves);
	if (vmv_kv_num(s->mm, "thp_pmd") != leaves)
		MISMATCH(c, "mm thp_pmd %lld, THP %s leaves in ptes %d",
			 vmv_kv_num(s->mm, "thp_pmd"), vmv_level_names[huge],
			 leaves);
}

static void cmp_mm(struct cmp *c, struct snap *s,
		   const struct vmv_workload *wl)
{
	static const struct {
		const char *mm;
		const char *status[2];	/* summed, in kB */
	} kb[] = {
		{ "rss_anon", { "RssAnon" } },
		{ "rss_file", { "RssFile" } },
		{ "rss_shmem", { "RssShmem" } },
		{ "swapents", { "VmSwap" } },
		{ "total_vm", { "VmSize" } },
		{ "locked_vm", { "VmLck" } },
		{ "pinned_vm", { "VmPin" } },
		{ "data_vm", { "VmData" } },
		{ "exec_vm", { "VmExe", "VmLib" } },
		{ "stack_vm", { "VmStk" } },
	};
	int levels = vmv_expected_levels(), i, j;
	long long got, want, v, pgd;
	char str[64], want_str[64];

	if (!s->mm || !s->status)
		return;
	if (vmv_kv_num(s->mm, "pid") != wl->pid)
		MISMATCH(c, "mm pid %lld, workload %d",
			 vmv_kv_num(s->mm, "pid"), wl->pid);
	if (!vmv_kv(s->mm, "comm", str, sizeof(str)) ||
	    strcmp(str, VMV_WL_COMM))
		MISMATCH(c, "mm comm '%s', workload '%s'", str, VMV_WL_COMM);
	if (vmv_kv_num(s->mm, "levels") != levels)
		MISMATCH(c, "mm levels %lld, this guest %d",
			 vmv_kv_num(s->mm, "levels"), levels);
	/*
	 * The top-level table is a page, or on arm64 a table smaller than
	 * a page (LPA2's 16-entry pgd, from a slab), aligned to its size
	 * and at least 64 bytes, as TTBR0_EL1 needs.
	 */
	pgd = vmv_kv_num(s->mm, "pgd");
	if (pgd <= 0 || (pgd & (top_table_bytes() - 1)))
		MISMATCH(c, "mm pgd %#llx: not aligned to its table (%llu bytes)",
			 pgd, top_table_bytes());

	/* pgtables_bytes is VmPTE. */
	want = vmv_kv_num(s->status, "VmPTE") * 1024;
	got = vmv_kv_num(s->mm, "pgtables_bytes");
	if (got != want)
		MISMATCH(c, "mm pgtables_bytes %lld, status VmPTE %lld bytes",
			 got, want);
	cmp_mm_tables(c, s);

	/* Counters, as /proc/PID/status shows them (kB). */
	for (i = 0; i < (int)ARRAY_SIZE(kb); i++) {
		want = 0;
		for (j = 0; j < 2 && kb[i].status[j]; j++) {
			v = vmv_kv_num(s->status, kb[i].status[j]);
			if (v < 0)
				MISMATCH(c, "status has no %s",
					 kb[i].status[j]);
			want += v;
		}
		got = vmv_kv_num(s->mm, kb[i].mm);
		if (got * PG_KB != want)
			MISMATCH(c, "mm %s %lld pages, status %s%s%s %lld kB",
				 kb[i].mm, got, kb[i].status[0],
				 kb[i].status[1] ? "+" : "",
				 kb[i].status[1] ?: "", want);
	}
	if (vmv_kv_num(s->mm, "map_count") != s->nvma)
		MISMATCH(c,
			 "mm map_count %lld, maps %d VMAs (without [vsyscall])",
			 vmv_kv_num(s->mm, "map_count"), s->nvma);
	thp_mode(want_str, sizeof(want_str));
	if (!vmv_kv(s->mm, "thp_enabled", str, sizeof(str)) ||
	    strcmp(str, want_str))
		MISMATCH(c, "mm thp_enabled '%s', sysfs '%s'", str, want_str);
}

TEST_F_TIMEOUT(inspect, mm_status, 120)
{
	char *comm;

	if (self->skip)
		return;
	/* The workload's comm, as the kernel shows it. */
	comm = read_proc(&(struct cmp){ .md = _metadata, .log = true },
			 self->pid, "comm");
	ASSERT_NE(NULL, comm);
	EXPECT_STREQ(VMV_WL_COMM "\n", comm);
	free(comm);
	EXPECT_EQ(0, compare_twice(_metadata, &self->wl,
				   S_MM | S_STATUS | S_PTES | S_MAPS, cmp_mm));
}

/* --- translate ------------------------------------------------------------ */

struct tcase {
	unsigned long va;
	const char *what;
};

#define NR_TCASES	(4 * VMV_WL_NR + 16)

static void tcase_add(struct tcase *t, int *n, unsigned long va,
		      const char *what)
{
	t[*n].va = va;
	t[*n].what = what;
	(*n)++;
}

static int translate_cases(const struct vmv_workload *wl, struct tcase *t)
{
	unsigned int r;
	int n = 0;

	for (r = 0; r < VMV_WL_NR; r++) {
		if (!vmv_wl_has(wl, r))
			continue;
		tcase_add(t, &n, wl->start[r] + 0x10, "first page");
		tcase_add(t, &n, wl->end[r] - 8, "last page");
	}
	if (vmv_wl_has(wl, VMV_WL_ANON)) {
		tcase_add(t, &n, vmv_wl_page(wl, VMV_WL_ANON, 5) + 0x123,
			  "written anon page");
		tcase_add(t, &n, vmv_wl_page(wl, VMV_WL_ANON, 40) + 7,
			  "zero page");
		tcase_add(t, &n, vmv_wl_page(wl, VMV_WL_ANON, 50),
			  "untouched page in a VMA");
	}
	if (vmv_wl_has(wl, VMV_WL_THP))
		tcase_add(t, &n, wl->start[VMV_WL_THP] + 0x12345, "THP page");
	if (vmv_wl_has(wl, VMV_WL_HUGETLB))
		tcase_add(t, &n, wl->start[VMV_WL_HUGETLB] + 0x154321,
			  "hugetlb page");
	if (vmv_wl_has(wl, VMV_WL_SWAP)) {
		tcase_add(t, &n, vmv_wl_page(wl, VMV_WL_SWAP, 3) + 0x80,
			  "swapped page");
		tcase_add(t, &n, vmv_wl_page(wl, VMV_WL_SWAP, 40),
			  "resident page next to swapped ones");
	}
	if (vmv_wl_has(wl, VMV_WL_COW))
		tcase_add(t, &n, vmv_wl_page(wl, VMV_WL_COW, 20),
			  "page shared with the COW child");
	tcase_add(t, &n, wl->hole, "hole between regions");
	tcase_add(t, &n, 0x10000, "hole at the bottom");
	return n;
}

/* The lines of one translate output. */
struct tout {
	const char *line[16];
	int len[16];
	int n;
};

/* Line k, or "" past the end (for messages). */
static const char *tline(const struct tout *o, int k, int *len)
{
	*len = k < o->n ? o->len[k] : 0;
	return k < o->n ? o->line[k] : "";
}

static bool tline_is(const struct tout *o, int k, const char *want)
{
	int len;
	const char *l = tline(o, k, &len);

	return k < o->n && len == (int)strlen(want) && !strncmp(l, want, len);
}

/* Line k must be want. */
static void expect_tline(struct cmp *c, const struct tcase *t,
			 const struct tout *o, int k, const char *want)
{
	const char *l;
	int len;

	if (tline_is(o, k, want))
		return;
	l = tline(o, k, &len);
	MISMATCH(c, "translate %#lx (%s): line %d is '%.*s', want '%s'",
		 t->va, t->what, k, len, l, want);
}

#define BAD(fmt, ...) MISMATCH(c, "translate %#lx (%s): " fmt, t->va, \
			       t->what, ##__VA_ARGS__)

/*
 * The split line for va, from this guest's paging alone: the index bits
 * of each level from the top down to the one whose entry maps the page
 * (offset_bits: the page's shift), the offset bits, then the indexes
 * and the offset.
 */
static void want_split(char *buf, size_t len, unsigned long va,
		       unsigned int offset_bits)
{
	const struct vmv_paging *pg = vmv_paging_once();
	int lv, n = 0;

	n += snprintf(buf + n, len - n, "split: ");
	for (lv = VMVIEW_LEVEL_PGD; lv >= VMVIEW_LEVEL_PTE; lv--)
		if (pg->bits[lv] && pg->shift[lv] >= offset_bits)
			n += snprintf(buf + n, len - n, "%u/", pg->bits[lv]);
	n += snprintf(buf + n, len - n, "%u", offset_bits);
	for (lv = VMVIEW_LEVEL_PGD; lv >= VMVIEW_LEVEL_PTE; lv--)
		if (pg->bits[lv] && pg->shift[lv] >= offset_bits)
			n += snprintf(buf + n, len - n, " %s=0x%03x",
				      vmv_level_names[lv],
				      vmv_paging_index(pg, lv, va));
	snprintf(buf + n, len - n, " offset=0x%03lx",
		 va & ((1UL << offset_bits) - 1));
}

/* What one translate output says, as far as read. */
struct twalk {
	int nlevels;			/* level lines */
	int level[VMVIEW_NR_LEVELS];	/* their levels, in walk order */
	unsigned long long entry[VMVIEW_NR_LEVELS];
};

/* Does the line start like a level line ("pmd[")? */
static bool is_level_line(const char *line, int len)
{
	int lv;

	for (lv = 0; lv < VMVIEW_NR_LEVELS; lv++)
		if (len > 3 && !strncmp(line, vmv_level_names[lv], 3) &&
		    line[3] == '[')
			return true;
	return false;
}

/*
 * The level lines from line *k on: a prefix of this guest's levels,
 * from the pgd down, the folded ones left out, each with the index of
 * va at that level.
 */
static void read_levels(struct cmp *c, const struct tcase *t,
			const struct tout *o, int *k, struct twalk *w)
{
	const struct vmv_paging *pg = vmv_paging_once();
	char head[32], hex[19];
	const char *name;
	int lv, hl;

	w->nlevels = 0;
	for (lv = VMVIEW_LEVEL_PGD; lv >= VMVIEW_LEVEL_PTE && *k < o->n; lv--) {
		if (!pg->bits[lv])
			continue;
		name = vmv_level_names[lv];
		hl = snprintf(head, sizeof(head), "%s[0x%03x] = ", name,
			      vmv_paging_index(pg, lv, t->va));
		if (!is_level_line(o->line[*k], o->len[*k]))
			break;
		if (o->len[*k] != hl + 18 || strncmp(o->line[*k], head, hl)) {
			BAD("level line '%.*s', want '%s0x<16 digits>'",
			    o->len[*k], o->line[*k], head);
			break;
		}
		memcpy(hex, o->line[*k] + hl, 18);
		hex[18] = '\0';
		if (!vmv_parse_hex(hex, &w->entry[w->nlevels], 16))
			BAD("bad entry in '%.*s'", o->len[*k], o->line[*k]);
		w->level[w->nlevels++] = lv;
		(*k)++;
	}
}

/*
 * The path line: from CR3 (PID/mm's pgd), for each level line the entry
 * used and what it gives: the next table (the entry's frame), then at
 * the last the frame of a present leaf, or the kind of a non-present
 * one ("none" for an empty entry), and for a present leaf the
 * physical address.
 */
static void want_path(char *buf, size_t len, const struct tcase *t,
		      unsigned long long cr3, const struct twalk *w,
		      const struct vmv_pte *l)
{
	const struct vmv_paging *pg = vmv_paging_once();
	int i, lv, n;

	n = snprintf(buf, len, "path: %s 0x%llx", VMV_ROOT_REG, cr3);
	for (i = 0; i < w->nlevels && n < (int)len; i++) {
		lv = w->level[i];
		n += snprintf(buf + n, len - n, " -> %s[0x%03x] ",
			      vmv_level_names[lv],
			      vmv_paging_index(pg, lv, t->va));
		if (i + 1 < w->nlevels)
			n += snprintf(buf + n, len - n, "0x%llx",
				      entry_table(w->entry[i]));
		else if (!l)
			n += snprintf(buf + n, len - n, "none");
		else if (l->kind == VMVIEW_KIND_PRESENT)
			n += snprintf(buf + n, len - n, "0x%llx", l->pfn * PG);
		else
			n += snprintf(buf + n, len - n, "%s",
				      vmv_kind_names[l->kind]);
	}
	if (l && l->kind == VMVIEW_KIND_PRESENT && n < (int)len)
		snprintf(buf + n, len - n, " -> phys 0x%llx",
			 (l->pfn * PG) + (t->va - l->va));
}

/* Check one translate output for va against the snapshot. */
static void cmp_one_translate(struct cmp *c, struct snap *s,
			      const struct tcase *t, const char *out)
{
	struct vma *v = vma_find(s->vma, s->nvma, t->va);
	struct vmv_pte *l = v ? pte_find(s->pte, s->npte, t->va) : NULL;
	unsigned long long pm = v ? pagemap_of(v, t->va) : 0, entry, phys;
	long long cr3 = s->mm ? vmv_kv_num(s->mm, "pgd") : -1;
	char want[2 * LINE_MAX_LEN];
	struct tout o = { .n = 0 };
	struct twalk w;
	const char *p, *e;
	int i, k = 0, last;

	for (p = out; *p && o.n < 16; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		o.line[o.n] = p;
		o.len[o.n++] = e - p;
	}

	snprintf(want, sizeof(want), "vaddr: 0x%016lx", t->va);
	expect_tline(c, t, &o, k++, want);
	if (!v) {
		expect_tline(c, t, &o, k++, "vma: none");
		expect_tline(c, t, &o, k++, "stop: no vma");
		if (k < o.n && o.len[k])
			BAD("extra line '%.*s'", o.len[k], o.line[k]);
		return;
	}
	snprintf(want, sizeof(want), "vma: 0x%016lx-0x%016lx %s", v->start,
		 v->end, v->perms);
	expect_tline(c, t, &o, k++, want);
	/* A leaf ends the split at its level: its page offset is wider. */
	want_split(want, sizeof(want), t->va,
		   vmv_paging_once()->shift[l ? l->level : VMVIEW_LEVEL_PTE]);
	expect_tline(c, t, &o, k++, want);

	read_levels(c, t, &o, &k, &w);
	last = w.nlevels ? w.level[w.nlevels - 1] : -1;
	entry = w.nlevels ? w.entry[w.nlevels - 1] : 0;
	/* The entries above the last: tables, present and not huge. */
	for (i = 0; i + 1 < w.nlevels; i++)
		if (!(w.entry[i] & 1) || (w.entry[i] & 0x80))
			BAD("%s entry %#llx is not a table entry",
			    vmv_level_names[w.level[i]], w.entry[i]);

	if (!l) {
		/* Nothing mapped: the walk stops at an empty entry. */
		if (pm & (PM_PRESENT | PM_SWAP))
			BAD("no ptes line, but pagemap %#llx", pm);
		if (!w.nlevels) {
			BAD("no level lines");
		} else {
			/* pte_none() ignores accessed and dirty (KNL). */
			if (entry & ~0x60ULL)
				BAD("the last entry %#llx is not empty", entry);
			snprintf(want, sizeof(want), "stop: %s none",
				 vmv_level_names[last]);
			expect_tline(c, t, &o, k, want);
		}
		k++;
	} else {
		/* A leaf: its level is the last, its line is the ptes line. */
		if (last != l->level)
			BAD("walk ends at %s, ptes has a %s leaf",
			    last >= 0 ? vmv_level_names[last] : "-",
			    vmv_level_names[l->level]);
		else if (entry != l->entry)
			BAD("leaf entry %#llx, ptes: %.*s", entry, l->len,
			    l->text);
		snprintf(want, sizeof(want), "leaf: %.*s", l->len, l->text);
		expect_tline(c, t, &o, k++, want);
		if (vmv_pte_present(l)) {
			phys = (l->pfn * PG) + (t->va - l->va);
			snprintf(want, sizeof(want), "phys: 0x%016llx", phys);
			expect_tline(c, t, &o, k++, want);
			if (!(pm & PM_PRESENT) ||
			    ((pm & PM_PFN_MASK) * PG | (t->va & (PG - 1))) !=
			    phys)
				BAD("phys %#llx, pagemap %#llx", phys, pm);
		} else {
			snprintf(want, sizeof(want), "stop: %s %s",
				 vmv_level_names[l->level],
				 vmv_kind_names[l->kind]);
			expect_tline(c, t, &o, k++, want);
		}
	}
	if (cr3 <= 0)
		BAD("no pgd in PID/mm for the path's cr3");
	want_path(want, sizeof(want), t, cr3, &w, l);
	expect_tline(c, t, &o, k++, want);
	if (k < o.n && o.len[k])
		BAD("extra line '%.*s'", o.len[k], o.line[k]);
}

#undef BAD

static void cmp_translate(struct cmp *c, struct snap *s,
			  const struct vmv_workload *wl)
{
	struct tcase t[NR_TCASES];
	char path[64], buf[32], *out;
	int n, i, err;

	n = translate_cases(wl, t);
	vmv_pid_path(path, sizeof(path), wl->pid, "translate");
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%#lx", t[i].va);
		err = vmv_write_file(path, buf);
		if (err) {
			MISMATCH(c, "writing %s to translate: %s", buf,
				 strerror(-err));
			continue;
		}
		out = vmv_read_file(path, NULL);
		if (!out) {
			MISMATCH(c, "reading translate: %s", strerror(errno));
			continue;
		}
		cmp_one_translate(c, s, &t[i], out);
		free(out);
	}
}

TEST_F_TIMEOUT(inspect, translate, 120)
{
	if (self->skip)
		return;
	EXPECT_EQ(0, compare_twice(_metadata, &self->wl,
				   S_PTES | S_PAGEMAP | S_MM, cmp_translate));
}

/* --- read_chunks ---------------------------------------------------------- */

/* Read a whole file chunk bytes at a time; NULL on error. */
static char *read_chunked(const char *path, size_t chunk, size_t *lenp)
{
	size_t len = 0, cap = 1 << 20;
	char *buf = malloc(cap), *nb;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || !buf)
		goto fail;
	for (;;) {
		if (cap - len < chunk) {
			cap = 2 * cap + chunk;
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		n = read(fd, buf + len, chunk);
		if (n < 0 || (size_t)n > chunk)
			goto fail;
		if (!n)
			break;
		len += n;
	}
	close(fd);
	nb = realloc(buf, len + 1);
	if (!nb) {
		free(buf);
		return NULL;
	}
	nb[len] = '\0';
	*lenp = len;
	return nb;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* Is the comma-separated word w[0..n) one reclaim's aging may change? */
static bool aged_word(const char *w, size_t n)
{
	static const char * const aged[] = {
		"accessed", "af", "referenced", "active", "lru",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(aged); i++)
		if (strlen(aged[i]) == n && !memcmp(w, aged[i], n))
			return true;
	return false;
}

/*
 * The entry's accessed bit: x86's A (bit 5), arm64's AF (bit 10).  On an
 * arm64 CPU without hardware access flags the kernel sets AF in a fault,
 * and anything that ages pages clears it again.
 */
#ifdef __aarch64__
#define ACCESSED_BIT	BIT_ULL(10)
#else
#define ACCESSED_BIT	BIT_ULL(5)
#endif

/*
 * A ptes text without what the kernel may change between two reads of a
 * quiet process: reclaim's aging (MGLRU's walks, kswapd) and DAMON's
 * sampling (a kdamond runs from boot on 7.x kernels with DAMON_STAT)
 * clear accessed bits, and pages move between LRU lists.  The entry's
 * accessed bit (ACCESSED_BIT) and the words accessed, af, referenced,
 * active and lru go from each line; everything else stays to be
 * compared.  In place; returns the new length.
 */
static size_t canon_ptes(char *text, size_t len)
{
	char *in = text, *out = text, *end = text + len;
	unsigned int nword = 0;
	bool list = false;	/* inside a flags= or page= list */
	size_t n;

	while (in < end) {
		for (n = 0; in + n < end && !strchr(" ,=\n", in[n]); n++)
			;
		if (nword == 2 && n == 18 && in[1] == 'x') {
			char hex[19];

			memcpy(hex, in, 18);
			hex[18] = '\0';
			snprintf(hex, sizeof(hex), "0x%016llx",
				 strtoull(hex, NULL, 16) & ~ACCESSED_BIT);
			memcpy(out, hex, 18);
			out += 18;
			in += n;
		} else if (list && aged_word(in, n)) {
			in += n;
			if (in < end && *in == ',')
				in++;
			else if (out > text && out[-1] == ',')
				out--;
			continue;
		} else {
			memmove(out, in, n);
			out += n;
			in += n;
		}
		if (in >= end)
			break;
		if (*in == '=')
			list = true;
		if (*in == ' ' || *in == '\n') {
			list = false;
			nword = *in == ' ' ? nword + 1 : 0;
		}
		*out++ = *in++;
	}
	return out - text;
}

static void cmp_chunks(struct cmp *c, struct snap *s,
		       const struct vmv_workload *wl)
{
	static const size_t sizes[] = { 1 << 20, 1, 7, 4096 };
	static const char * const files[] = { "ptes", "vmas" };
	char path[64], *ref, *got;
	size_t rlen, glen, i, f, at;

	(void)s;
	for (f = 0; f < ARRAY_SIZE(files); f++) {
		vmv_pid_path(path, sizeof(path), wl->pid, files[f]);
		ref = read_chunked(path, sizes[0], &rlen);
		if (!ref) {
			MISMATCH(c, "cannot read %s: %s", path,
				 strerror(errno));
			continue;
		}
		if (!rlen || ref[rlen - 1] != '\n')
			MISMATCH(c, "%s is empty or does not end a line",
				 files[f]);
		for (i = 1; i < ARRAY_SIZE(sizes); i++) {
			got = read_chunked(path, sizes[i], &glen);
			if (!got) {
				MISMATCH(c, "cannot read %s %zu at a time",
					 files[f], sizes[i]);
				continue;
			}
			if (!f) {
				glen = canon_ptes(got, glen);
				if (i == 1)
					rlen = canon_ptes(ref, rlen);
			}
			for (at = 0; at < glen && at < rlen; at++)
				if (got[at] != ref[at])
					break;
			if (glen != rlen || at != rlen)
				MISMATCH(c,
					 "%s read %zu at a time: %zu bytes, %zu in one read; first difference at %zu: '%.40s' vs '%.40s'",
					 files[f], sizes[i], glen, rlen, at,
					 at < glen ? got + at : "",
					 at < rlen ? ref + at : "");
			free(got);
		}
		free(ref);
	}
}

TEST_F_TIMEOUT(inspect, read_chunks, 300)
{
	if (self->skip)
		return;
	EXPECT_EQ(0, compare_twice(_metadata, &self->wl, 0, cmp_chunks));
}

TEST_HARNESS_MAIN

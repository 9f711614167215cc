// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_stress: vmview under a storm (issue 6, "Stress").
 *
 * For VMVIEW_STRESS_SECONDS seconds (default 60):
 *  - a target process changes its address space as fast as it can in
 *    NR_MUTATORS threads: mmap and munmap of varied sizes (anonymous and
 *    memfd, private and shared), mprotect, mremap, MADV_DONTNEED,
 *    MADV_PAGEOUT, MADV_COLLAPSE, THPs split in part (one page made
 *    read-only, unmapped or zapped), fork and exit of children, and
 *    writes that break COW while a child still shares the pages;
 *  - NR_READERS threads read every file of its PID/ directory in chunks
 *    of varied sizes (mm, vmas, ptes, ptes.bin, translate at random
 *    addresses, verify, shadow, events), and /proc/vmview;
 *  - NR_TRACKERS threads untrack and track it again, racing each other;
 *  - one thread forks children that exit at once and tracks, reads and
 *    untracks each while it is exiting.
 * Every operation must succeed or fail with an errno the contract
 * (Documentation/vmview.rst) names for that race: the table ops[] lists
 * them with the reason.  Reads that succeed must look like their format.
 * Afterwards the target stops, one verify of it must report mismatches=0,
 * untrack must bring /proc/vmview's alloc_* counters back to 0, and rmmod
 * must succeed.  The figures (reads by file, track/untrack cycles,
 * mutations by kind, errors by errno) are printed as "#" lines.
 *
 * The test unloads vmview first (counters start at 0) and restores the
 * module's loaded state at the end.
 *
 * No silent gaps (issue 16), the gaps tests: a target keeps four THPs (8
 * MiB; 16 MiB on i386 without PAE, where a THP is a 4 MiB leaf of the
 * pgd and "PMD" below means that pgd entry) mapped and populated the
 * whole time while splitting their PMDs
 * (mprotect() of one page) and joining them again (variant collapse:
 * MADV_COLLAPSE, 6.1 and later, else SKIP; variant remap: a fresh THP
 * moved over one by mremap(), every kernel).  Every dump of ptes and
 * ptes.bin must cover each 4 KiB page of that range exactly once, by a
 * PTE leaf or inside a PMD leaf at its own aligned address, with no hole
 * and no overlap, or fail with EAGAIN or EBUSY (no stable view); pagemap
 * right after must find every page present, and at rest agree frame for
 * frame.  churn does it at random for VMVIEW_GAPS_SECONDS (default 3),
 * half of the dumps in 4 KiB reads that pause inside the range; resume
 * makes a dump stop between two fills inside the split range, joins the
 * THPs, and lets it resume inside a PMD leaf.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "vmview_harness.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define STRESS_SECONDS	60	/* default of VMVIEW_STRESS_SECONDS */
/* The harness's limit: VMVIEW_STRESS_SECONDS may go up to about 7000. */
#define STRESS_TIMEOUT	7200
#define NR_MUTATORS	3
#define NR_READERS	4
#define NR_TRACKERS	2
#define NR_SLOTS	12
#define HUGE_MAX	(32UL << 20)	/* the largest THP (arm64 16 KiB pages) */
#define NO_HOLE		(~0UL)
#define MAX_ERRNO	160	/* errnos above it are counted together */
#define QUIESCE_MS	60000

/*
 * The size of this guest's THPs: 2 MiB at the pmd level, 4 MiB at the
 * pgd level on i386 without PAE.  Set by the fixtures' setup, before any
 * target is forked.
 */
static unsigned long huge;

static void paging_init(void)
{
	huge = 1UL << vmv_huge_shift();
}

/* --- the target ------------------------------------------------------------ */

enum mop {
	M_MAP, M_UNMAP, M_PROTECT, M_REMAP, M_DONTNEED, M_PAGEOUT, M_THP,
	M_SPLIT, M_COLLAPSE, M_FORK, M_WRITE, M_READ, NR_MOPS,
};

static const char * const mop_names[NR_MOPS] = {
	"mmap", "munmap", "mprotect", "mremap", "dontneed", "pageout",
	"thp", "thp_split", "collapse", "fork", "write", "read",
};

/* Shared (MAP_SHARED) between the test and the target. */
struct stress_ctl {
	int stop;			/* the test asks the target to stop */
	int quiesced;			/* the target's threads are done */
	unsigned long done[NR_MOPS];	/* operations that took effect */
	unsigned long failed[NR_MOPS];	/* refused by the kernel (fine) */
	/* Addresses the target maps now (hints for translate). */
	unsigned long hint[NR_MUTATORS][NR_SLOTS];
};

enum slot_kind { SLOT_ANON, SLOT_MEMFD, SLOT_THP };

/*
 * A mapping owned by one mutator thread.  Invariant: unless frozen,
 * every page of [p, p + len) but the hole is mapped read-write, so the
 * thread may touch it.
 */
struct slot {
	char *p;
	unsigned long len;
	unsigned long hole;	/* offset of an unmapped page, or NO_HOLE */
	enum slot_kind kind;
	bool frozen;		/* partly read-only or PROT_NONE */
};

struct mutator {
	struct stress_ctl *ctl;
	int id;
	unsigned long long rng;
	struct slot s[NR_SLOTS];
};

static unsigned long long rnd(unsigned long long *x)
{
	/* xorshift64 (64 bits on i386 too) */
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void count(unsigned long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static bool stopped(const int *flag)
{
	return __atomic_load_n(flag, __ATOMIC_RELAXED);
}

/* Touch page i of s (write or read), unless it is the hole. */
static void touch(struct slot *s, unsigned long i, bool write)
{
	unsigned long off = i * PG;

	if (off >= s->len || off == s->hole)
		return;
	if (write)
		s->p[off + (i & 63)] = (char)i;
	else
		(void)__atomic_load_n(&s->p[off], __ATOMIC_RELAXED);
}

static void touch_some(struct mutator *m, struct slot *s, unsigned int n,
		       bool write)
{
	unsigned long pages = s->len / PG;

	if (!s->p || s->frozen)
		return;
	while (n--)
		touch(s, rnd(&m->rng) % pages, write);
}

static void slot_unmap(struct slot *s)
{
	if (s->p)
		munmap(s->p, s->len);
	memset(s, 0, sizeof(*s));
	s->hole = NO_HOLE;
}

/*
 * A random page-aligned subrange [*off, *off + *len) of s, on one side of
 * the hole (madvise and mprotect fail on unmapped pages).
 */
static void subrange(struct mutator *m, struct slot *s, unsigned long *off,
		     unsigned long *len)
{
	unsigned long lo = 0, hi = s->len / PG, a;

	if (s->hole != NO_HOLE) {
		if (s->hole / PG + 1 < hi && (!s->hole || rnd(&m->rng) & 1))
			lo = s->hole / PG + 1;
		else
			hi = s->hole / PG;
	}
	a = lo + rnd(&m->rng) % (hi - lo);
	*off = a * PG;
	*len = (1 + rnd(&m->rng) % (hi - a)) * PG;
}

static bool do_map(struct mutator *m, struct slot *s)
{
	unsigned long len = (1 + rnd(&m->rng) % 256) * PG;
	int flags = MAP_PRIVATE, fd = -1;
	char *p;

	slot_unmap(s);
	if (rnd(&m->rng) % 4 == 0) {
		fd = memfd_create("vmv_stress", MFD_CLOEXEC);
		if (fd < 0)
			return false;
		if (ftruncate(fd, len)) {
			close(fd);
			return false;
		}
		if (rnd(&m->rng) & 1)
			flags = MAP_SHARED;
	} else {
		flags |= MAP_ANONYMOUS;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED)
		return false;
	s->p = p;
	s->len = len;
	s->kind = fd >= 0 ? SLOT_MEMFD : SLOT_ANON;
	touch_some(m, s, len / PG / 2 + 1, rnd(&m->rng) & 1);
	return true;
}

/* An anonymous THP, aligned to its size, written whole. */
static bool do_thp(struct slot *s)
{
	unsigned long a, i;
	char *p;

	slot_unmap(s);
	p = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	a = ((unsigned long)p + huge - 1) & ~(huge - 1);
	if (a > (unsigned long)p)
		munmap(p, a - (unsigned long)p);
	munmap((char *)a + huge, (unsigned long)p + 2 * huge - a - huge);
	s->p = (char *)a;
	s->len = huge;
	s->kind = SLOT_THP;
	madvise(s->p, huge, MADV_HUGEPAGE);
	for (i = 0; i < huge / PG; i++)
		touch(s, i, true);
	return true;
}

static bool do_unmap(struct mutator *m, struct slot *s)
{
	unsigned long pages = s->len / PG, keep;

	if (pages < 2 || rnd(&m->rng) & 1) {
		slot_unmap(s);
		return true;
	}
	/* Keep a head, drop the tail. */
	keep = 1 + rnd(&m->rng) % (pages - 1);
	if (munmap(s->p + keep * PG, s->len - keep * PG))
		return false;
	s->len = keep * PG;
	if (s->hole != NO_HOLE && s->hole >= s->len)
		s->hole = NO_HOLE;
	return true;
}

/* mprotect both sides of the hole. */
static int protect_all(struct slot *s, int prot)
{
	int ret = 0;

	if (s->hole == NO_HOLE)
		return mprotect(s->p, s->len, prot);
	if (s->hole)
		ret = mprotect(s->p, s->hole, prot);
	if (s->hole + PG < s->len)
		ret |= mprotect(s->p + s->hole + PG, s->len - s->hole - PG,
				prot);
	return ret;
}

static bool do_protect(struct mutator *m, struct slot *s)
{
	unsigned long off, len;

	if (s->frozen || rnd(&m->rng) % 3 == 0) {
		/* Whole again: read-write, and touchable. */
		if (protect_all(s, PROT_READ | PROT_WRITE))
			return false;
		s->frozen = false;
		return true;
	}
	subrange(m, s, &off, &len);
	if (mprotect(s->p + off, len,
		     rnd(&m->rng) & 1 ? PROT_READ : PROT_NONE))
		return false;
	s->frozen = true;
	return true;
}

static bool do_remap(struct mutator *m, struct slot *s)
{
	unsigned long len = (1 + rnd(&m->rng) % 512) * PG;
	char *p;

	if (s->frozen || s->hole != NO_HOLE)
		return false;
	/* A memfd mapping never grows past its file: no SIGBUS. */
	if (s->kind == SLOT_MEMFD && len > s->len)
		len = s->len / PG / 2 * PG;
	if (!len)
		return false;
	p = mremap(s->p, s->len, len, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return false;	/* several VMAs, say: nothing moved */
	s->p = p;
	if (len > s->len) {
		s->len = len;
		touch_some(m, s, 8, true);
	}
	s->len = len;
	return true;
}

static bool do_madvise(struct mutator *m, struct slot *s, int advice)
{
	unsigned long off, len;

	subrange(m, s, &off, &len);
	return !madvise(s->p + off, len, advice);
}

/* Split a THP in part: one page read-only, unmapped or zapped, or half. */
static bool do_split(struct mutator *m, struct slot *s)
{
	unsigned long off = (1 + rnd(&m->rng) % (huge / PG - 2)) * PG;

	if (s->kind != SLOT_THP || s->frozen || s->hole != NO_HOLE ||
	    s->len != huge)
		return false;
	switch (rnd(&m->rng) % 4) {
	case 0:
		if (mprotect(s->p + off, PG, PROT_READ))
			return false;
		s->frozen = true;
		return true;
	case 1:
		if (munmap(s->p + off, PG))
			return false;
		s->hole = off;
		return true;
	case 2:
		return !madvise(s->p + off, PG, MADV_DONTNEED);
	default:
		return !madvise(s->p, huge / 2, MADV_DONTNEED);
	}
}

/* Fork a child that writes, then exits; write meanwhile (COW). */
static bool do_fork(struct mutator *m, struct slot *s)
{
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (!pid) {
		touch_some(m, s, 4, true);
		usleep(500);
		_exit(0);
	}
	touch_some(m, s, 8, true);
	return waitpid(pid, NULL, 0) == pid;
}

static void mutate_once(struct mutator *m)
{
	unsigned int i = rnd(&m->rng) % NR_SLOTS;
	struct slot *s = &m->s[i];
	enum mop op = rnd(&m->rng) % NR_MOPS;
	bool ok;

	if (!s->p && op != M_THP)
		op = M_MAP;
	switch (op) {
	case M_MAP:
		ok = do_map(m, s);
		break;
	case M_UNMAP:
		ok = do_unmap(m, s);
		break;
	case M_PROTECT:
		ok = do_protect(m, s);
		break;
	case M_REMAP:
		ok = do_remap(m, s);
		break;
	case M_DONTNEED:
		ok = do_madvise(m, s, MADV_DONTNEED);
		break;
	case M_PAGEOUT:
		ok = do_madvise(m, s, MADV_PAGEOUT);
		break;
	case M_THP:
		ok = do_thp(s);
		break;
	case M_SPLIT:
		ok = do_split(m, s);
		break;
	case M_COLLAPSE:
		/* EINVAL where the kernel has no MADV_COLLAPSE: fine. */
		ok = !madvise(s->p, s->len, MADV_COLLAPSE);
		break;
	case M_FORK:
		ok = do_fork(m, s);
		break;
	case M_WRITE:
		ok = s->p && !s->frozen;
		touch_some(m, s, 16, true);
		break;
	default:
		ok = s->p && !s->frozen;
		touch_some(m, s, 16, false);
		break;
	}
	count(ok ? &m->ctl->done[op] : &m->ctl->failed[op]);
	__atomic_store_n(&m->ctl->hint[m->id][i],
			 s->p ? (unsigned long)s->p +
				rnd(&m->rng) % s->len : 0, __ATOMIC_RELAXED);
}

static void *mutator_main(void *arg)
{
	struct mutator *m = arg;
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++)
		m->s[i].hole = NO_HOLE;
	while (!stopped(&m->ctl->stop))
		mutate_once(m);
	return NULL;
}

/* The target process: mutate until told to stop, then sit still. */
static void target_main(struct stress_ctl *ctl)
{
	struct mutator m[NR_MUTATORS];
	pthread_t th[NR_MUTATORS];
	int i, n = 0;

	prctl(PR_SET_NAME, "vmv_stress");
	memset(m, 0, sizeof(m));
	for (i = 0; i < NR_MUTATORS; i++) {
		m[i].ctl = ctl;
		m[i].id = i;
		m[i].rng = 0x9e3779b97f4a7c15ULL * (i + 1) ^ getpid();
		if (!pthread_create(&th[i], NULL, mutator_main, &m[i]))
			n++;
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	__atomic_store_n(&ctl->quiesced, n == NR_MUTATORS ? 1 : -1,
			 __ATOMIC_RELEASE);
	for (;;)
		pause();
}

/* --- the test side: what is counted ------------------------------------------ */

enum stress_op {
	/* Reads of the target's files (open, write if any, read). */
	OP_MM, OP_VMAS, OP_PTES, OP_PTES_BIN, OP_TRANSLATE, OP_VERIFY,
	OP_SHADOW, OP_EVENTS,
	OP_STATUS,		/* /proc/vmview */
	OP_TRACK, OP_UNTRACK,	/* the target, by the tracker threads */
	/* Children that exit right away: tracked, read, untracked. */
	OP_X_TRACK, OP_X_READ, OP_X_UNTRACK,
	NR_OPS,
};

#define NR_FILE_OPS	(OP_EVENTS + 1)

/*
 * Each operation with the errnos it may fail with under this storm, and
 * why (Documentation/vmview.rst).  Anything else fails the test.
 */
struct op_info {
	const char *name;
	int allowed[6];
};

/*
 * Reads of the target's files:
 *  ENOENT  the open raced an untrack: PID/ is gone (or going: debugfs
 *          refuses to open a file being removed with ENOENT);
 *  EIO     the fd was open when an untrack removed PID/ (debugfs);
 *  ENOMEM  an allocation failed (seq_file buffers, verify's buffers);
 *  EINTR   the killable mmap lock was interrupted (only by a fatal
 *          signal: listed by the contract, not expected here).
 * The target never exits during the storm: ESRCH is not allowed.
 *
 * verify also fails with EBUSY when its refill gave up because the
 * process changed too fast (64 tries a chunk): under this storm it does.
 * (track keeps the target even when its first fill gives up.)
 */
#define READ_ERRS	{ ENOENT, EIO, ENOMEM, EINTR }
#define VERIFY_ERRS	{ ENOENT, EIO, ENOMEM, EINTR, EBUSY }

static const struct op_info ops[NR_OPS] = {
	[OP_MM]		= { "mm", READ_ERRS },
	[OP_VMAS]	= { "vmas", READ_ERRS },
	[OP_PTES]	= { "ptes", READ_ERRS },
	[OP_PTES_BIN]	= { "ptes.bin", READ_ERRS },
	[OP_TRANSLATE]	= { "translate", READ_ERRS },
	[OP_VERIFY]	= { "verify", VERIFY_ERRS },
	[OP_SHADOW]	= { "shadow", READ_ERRS },
	[OP_EVENTS]	= { "events", READ_ERRS },
	/* /proc/vmview: always readable. */
	[OP_STATUS]	= { "/proc/vmview", { 0 } },
	/*
	 * track: EEXIST when the other tracker thread tracked it first;
	 * ENOMEM when an allocation failed.
	 */
	[OP_TRACK]	= { "track", { EEXIST, ENOMEM } },
	/* untrack: ENOENT when the other tracker untracked it first. */
	[OP_UNTRACK]	= { "untrack", { ENOENT } },
	/*
	 * track of an exiting child: ESRCH when it is gone or past the
	 * point where it has an mm; ENOMEM.  (It is not reaped yet, so its
	 * number cannot name anything else: no EEXIST, no EINVAL.)
	 */
	[OP_X_TRACK]	= { "track (exiting)", { ESRCH, ENOMEM } },
	/*
	 * A read of its files: ESRCH once its address space is gone,
	 * ENOENT when track failed, ENOMEM, EINTR, EBUSY (verify) as above.
	 */
	[OP_X_READ]	= { "read (exiting)",
			    { ESRCH, ENOENT, ENOMEM, EINTR, EBUSY } },
	/* untrack: ENOENT when track had failed. */
	[OP_X_UNTRACK]	= { "untrack (exiting)", { ENOENT } },
};

static const char * const files[NR_FILE_OPS] = {
	"mm", "vmas", "ptes", "ptes.bin", "translate", "verify", "shadow",
	"events",
};

#define NR_WORKERS	(NR_READERS + NR_TRACKERS + 1)

struct stress;

struct worker {
	struct stress *st;
	unsigned long long rng;
	char *buf;
	size_t cap;
};

struct stress {
	pid_t target;
	struct stress_ctl *ctl;
	int stop;			/* the test's threads stop */
	int levels;
	unsigned long task_size;	/* where user space ends */
	unsigned long ok[NR_OPS];
	unsigned long bytes[NR_OPS];
	unsigned long err[NR_OPS][MAX_ERRNO + 1];
	unsigned long bad[NR_OPS];	/* data in the wrong format */
	unsigned long partial[NR_OPS];	/* closed before EOF on purpose */
	unsigned long forks;
	pthread_mutex_t lock;		/* protects log */
	char log[4096];			/* the first problems seen */
	pthread_t th[NR_WORKERS];
	struct worker w[NR_WORKERS];
	int nr_th;
};

static void note(struct stress *st, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	pthread_mutex_lock(&st->lock);
	used = strlen(st->log);
	if (used + 80 < sizeof(st->log)) {
		va_start(ap, fmt);
		vsnprintf(st->log + used, sizeof(st->log) - used, fmt, ap);
		va_end(ap);
		used = strlen(st->log);
		if (used + 1 < sizeof(st->log))
			strcat(st->log, "\n");
	}
	pthread_mutex_unlock(&st->lock);
}

static bool allowed(enum stress_op op, int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops[op].allowed) && ops[op].allowed[i]; i++)
		if (ops[op].allowed[i] == err)
			return true;
	return false;
}

/* Record an outcome: 0, or -errno. */
static void record(struct stress *st, enum stress_op op, int ret)
{
	int e = -ret;

	if (!ret) {
		count(&st->ok[op]);
		return;
	}
	count(&st->err[op][e > 0 && e < MAX_ERRNO ? e : MAX_ERRNO]);
	if (!allowed(op, e))
		note(st, "%s: unexpected %s (%d)", ops[op].name,
		     e > 0 ? strerror(e) : "?", ret);
}

static int write_pid(const char *file, pid_t pid)
{
	char path[64], s[32];

	snprintf(path, sizeof(path), VMVIEW_DEBUGFS_DIR "/%s", file);
	snprintf(s, sizeof(s), "%d\n", pid);
	return vmv_write_file(path, s);
}

/* Does a whole file's content look like its format? */
static bool well_formed(enum stress_op op, const char *b, size_t len, pid_t pid)
{
	char key[32];

	switch (op) {
	case OP_MM:
		snprintf(key, sizeof(key), "pid: %d\n", pid);
		return strstr(b, key) && strstr(b, "pgtables_bytes: ");
	case OP_VMAS:
	case OP_PTES:
		return len && b[len - 1] == '\n';
	case OP_PTES_BIN:
		return len && !(len % sizeof(struct vmview_pte));
	case OP_TRANSLATE:
		return !strncmp(b, "vaddr: 0x", 9) &&
		       (strstr(b, "\nphys: 0x") || strstr(b, "\nstop: "));
	case OP_VERIFY:
		return strstr(b, "verify: checked=") &&
		       strstr(b, " mismatches=");
	case OP_SHADOW:
		return !strncmp(b, "levels: ", 8) && strstr(b, "\nfills: ");
	case OP_EVENTS:
		return !len || b[len - 1] == '\n';
	case OP_STATUS:
		return strstr(b, "alloc_targets: ") &&
		       strstr(b, "tracked: ");
	default:
		return true;
	}
}

/*
 * Read fd to EOF in chunks of one random size (or stop after the first
 * chunk, now and then, to close mid-file).  Returns the bytes read, or
 * -errno; *partial tells that it stopped early.
 */
static ssize_t read_chunks(struct worker *w, int fd, bool *partial)
{
	static const size_t chunks[] = { 4096, 16384, 65536, 262144, 1000 };
	size_t chunk = chunks[rnd(&w->rng) % ARRAY_SIZE(chunks)], len = 0;
	ssize_t n;
	char *nb;

	*partial = rnd(&w->rng) % 16 == 0;
	for (;;) {
		if (len + chunk + 1 > w->cap) {
			nb = realloc(w->buf, (len + chunk + 1) * 2);
			if (!nb)
				return -ENOMEM;
			w->buf = nb;
			w->cap = (len + chunk + 1) * 2;
		}
		n = read(fd, w->buf + len, chunk);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		len += n;
		if (*partial)
			break;
	}
	w->buf[len] = '\0';
	return len;
}

/* A user address: one the target maps, or anything below TASK_SIZE. */
static unsigned long pick_address(struct worker *w)
{
	struct stress_ctl *ctl = w->st->ctl;
	unsigned long a;

	if (rnd(&w->rng) % 4) {
		a = __atomic_load_n(&ctl->hint[rnd(&w->rng) % NR_MUTATORS]
					      [rnd(&w->rng) % NR_SLOTS],
				    __ATOMIC_RELAXED);
		if (a)
			return a;
	}
	return rnd(&w->rng) % w->st->task_size;
}

/* Before reading translate or verify (opened O_RDWR): what to write. */
static int prepare(struct worker *w, enum stress_op op, int fd)
{
	unsigned long a, b;
	char s[64];
	int len;

	if (op == OP_TRANSLATE) {
		len = snprintf(s, sizeof(s), "0x%lx\n", pick_address(w));
	} else if (op == OP_VERIFY) {
		/* Change the mode or the range. */
		switch (rnd(&w->rng) % 4) {
		case 0:
			len = snprintf(s, sizeof(s), "changed\n");
			break;
		case 1:
			len = snprintf(s, sizeof(s), "full\n");
			break;
		case 2:
			len = snprintf(s, sizeof(s), "\n");
			break;
		default:
			/* START < END <= TASK_SIZE (TASK_SIZE_MAX). */
			a = pick_address(w) & ~(PG - 1);
			b = a + (1 + rnd(&w->rng) % 1024) * PG;
			if (b > w->st->task_size)
				b = w->st->task_size;
			len = snprintf(s, sizeof(s), "0x%lx-0x%lx\n", a, b);
			break;
		}
	} else {
		return 0;
	}
	return write(fd, s, len) == len ? 0 : -errno;
}

/* Open, maybe write, read: 0 or -errno. */
static int read_file(struct worker *w, enum stress_op op, pid_t pid,
		     const char *file, enum stress_op as)
{
	struct stress *st = w->st;
	bool partial, rw;
	char path[96];
	ssize_t n;
	int fd, ret;

	if (file)
		vmv_pid_path(path, sizeof(path), pid, file);
	else
		snprintf(path, sizeof(path), VMVIEW_PROC_STATUS);
	/* translate always, verify now and then: write, then read. */
	rw = op == OP_TRANSLATE || (op == OP_VERIFY && rnd(&w->rng) % 4 == 0);
	fd = open(path, rw ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return -errno;
	ret = rw ? prepare(w, op, fd) : 0;
	if (!ret) {
		n = read_chunks(w, fd, &partial);
		if (n < 0) {
			ret = n;
		} else {
			__atomic_fetch_add(&st->bytes[as], n, __ATOMIC_RELAXED);
			if (partial) {
				count(&st->partial[as]);
			} else if (!well_formed(op, w->buf, n, pid)) {
				count(&st->bad[as]);
				note(st, "%s of %d: malformed (%zd bytes): %.200s",
				     file ? file : path, pid, n, w->buf);
			}
		}
	}
	close(fd);
	return ret;
}

static void *reader_main(void *arg)
{
	struct worker *w = arg;
	struct stress *st = w->st;
	enum stress_op op;
	int ret;

	while (!stopped(&st->stop)) {
		op = rnd(&w->rng) % (OP_STATUS + 1);
		ret = read_file(w, op, st->target,
				op == OP_STATUS ? NULL : files[op], op);
		record(st, op, ret);
		/* Untracked for now: do not spin on open(). */
		if (ret == -ENOENT)
			usleep(2000);
	}
	return NULL;
}

/* A sleep of up to max_ms, cut short when the test stops. */
static void nap(struct worker *w, unsigned int max_ms)
{
	unsigned int ms = rnd(&w->rng) % (max_ms + 1);

	while (ms && !stopped(&w->st->stop)) {
		usleep(ms > 10 ? 10000 : ms * 1000);
		ms = ms > 10 ? ms - 10 : 0;
	}
}

static void *tracker_main(void *arg)
{
	struct worker *w = arg;
	struct stress *st = w->st;

	while (!stopped(&st->stop)) {
		nap(w, 300);
		record(st, OP_UNTRACK, write_pid("untrack", st->target));
		nap(w, 20);
		record(st, OP_TRACK, write_pid("track", st->target));
	}
	return NULL;
}

/* Fork children that exit at once; track, read and untrack each. */
static void *exiter_main(void *arg)
{
	static const enum stress_op xfiles[] = {
		OP_MM, OP_VMAS, OP_PTES, OP_VERIFY, OP_SHADOW, OP_EVENTS,
	};
	struct worker *w = arg;
	struct stress *st = w->st;
	unsigned int us;
	enum stress_op op;
	pid_t pid;

	while (!stopped(&st->stop)) {
		/* Mostly a moment (or none), sometimes long enough to read. */
		us = rnd(&w->rng) % 4 ? rnd(&w->rng) % 2000 : 50000;
		pid = fork();
		if (pid < 0) {
			usleep(10000);
			continue;
		}
		if (!pid) {
			if (us)
				usleep(us);
			_exit(0);
		}
		count(&st->forks);
		record(st, OP_X_TRACK, write_pid("track", pid));
		op = xfiles[rnd(&w->rng) % ARRAY_SIZE(xfiles)];
		record(st, OP_X_READ, read_file(w, op, pid, files[op],
						OP_X_READ));
		record(st, OP_X_UNTRACK, write_pid("untrack", pid));
		waitpid(pid, NULL, 0);
	}
	return NULL;
}

/*
 * "alloc_*" and "tracked" of /proc/vmview, summed (0 when nothing is
 * left); -1 when unreadable.  The file's text goes to text.
 */
static long long status_sum(char *text, size_t len)
{
	static const char * const keys[] = {
		"alloc_targets", "alloc_readers", "alloc_mirrors", "tracked",
	};
	char *st = vmv_read_file(VMVIEW_PROC_STATUS, NULL);
	long long n = 0, v;
	unsigned int i;

	if (!st)
		return -1;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		v = vmv_kv_num(st, keys[i]);
		n = v < 0 || n < 0 ? -1 : n + v;
	}
	if (text)
		snprintf(text, len, "%s", st);
	free(st);
	return n;
}

static const char *errname(int e)
{
	const char *n = e < MAX_ERRNO ? strerrorname_np(e) : NULL;

	return n ? n : "other";
}

/* The figures, one "#" line per operation. */
static void print_figures(struct stress *st, int seconds)
{
	unsigned long total = 0, failed = 0;
	char line[1024];
	size_t used;
	int i, e;

	ksft_print_msg("stress: %d s on %s, %d-level paging, target %d\n",
		       seconds, getenv("VMVIEW_GUEST") ?: "?", st->levels,
		       st->target);
	ksft_print_msg("stress: %d mutator threads, %d readers, %d trackers, 1 exiter\n",
		       NR_MUTATORS, NR_READERS, NR_TRACKERS);
	for (i = 0; i < NR_OPS; i++) {
		used = snprintf(line, sizeof(line), "%s: %lu ok", ops[i].name,
				st->ok[i]);
		if (st->bytes[i])
			used += snprintf(line + used, sizeof(line) - used,
					 " (%lu KiB)", st->bytes[i] / 1024);
		if (st->partial[i])
			used += snprintf(line + used, sizeof(line) - used,
					 ", %lu closed mid-file",
					 st->partial[i]);
		for (e = 1; e <= MAX_ERRNO; e++)
			if (st->err[i][e])
				used += snprintf(line + used,
						 sizeof(line) - used,
						 ", %s %lu", errname(e),
						 st->err[i][e]);
		if (st->bad[i])
			used += snprintf(line + used, sizeof(line) - used,
					 ", MALFORMED %lu", st->bad[i]);
		ksft_print_msg("stress: %s\n", line);
	}
	ksft_print_msg("stress: track/untrack cycles of the target: %lu\n",
		       st->ok[OP_TRACK]);
	ksft_print_msg("stress: exiting children: %lu forked, %lu tracked\n",
		       st->forks, st->ok[OP_X_TRACK]);
	used = 0;
	for (i = 0; i < NR_MOPS; i++) {
		total += st->ctl->done[i];
		failed += st->ctl->failed[i];
		used += snprintf(line + used, sizeof(line) - used, "%s%s %lu",
				 i ? ", " : "", mop_names[i],
				 st->ctl->done[i]);
	}
	ksft_print_msg("stress: target mutations: %lu (and %lu refused by the kernel): %s\n",
		       total, failed, line);
	/* The harness ends the test with _exit(): flush now. */
	fflush(stdout);
}

FIXTURE(stress) {
	bool was_loaded;
	struct stress *st;
};

FIXTURE_SETUP(stress)
{
	char text[1024];

	self->was_loaded = vmv_module_loaded();
	/* A fresh module: every counter starts at 0. */
	if (self->was_loaded)
		ASSERT_EQ(0, vmv_unload()) TH_LOG("rmmod before the storm");
	ASSERT_EQ(0, vmv_load());
	ASSERT_EQ(0, status_sum(text, sizeof(text))) TH_LOG("%s", text);

	self->st = calloc(1, sizeof(*self->st));
	ASSERT_NE(NULL, self->st);
	pthread_mutex_init(&self->st->lock, NULL);
	self->st->levels = vmv_expected_levels();
	self->st->task_size = vmv_task_size();
	paging_init();
	self->st->ctl = mmap(NULL, sizeof(*self->st->ctl),
			     PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->st->ctl);
	memset(self->st->ctl, 0, sizeof(*self->st->ctl));
	self->st->target = fork();
	ASSERT_GE(self->st->target, 0);
	if (!self->st->target) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		target_main(self->st->ctl);
	}
}

static void stop_threads(struct stress *st)
{
	int i;

	__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < st->nr_th; i++) {
		pthread_join(st->th[i], NULL);
		free(st->w[i].buf);
	}
	st->nr_th = 0;
}

FIXTURE_TEARDOWN(stress)
{
	struct stress *st = self->st;

	if (!st)
		return;
	stop_threads(st);
	if (st->target > 0) {
		if (vmv_module_loaded())
			write_pid("untrack", st->target);
		kill(st->target, SIGKILL);
		waitpid(st->target, NULL, 0);
	}
	if (st->ctl && st->ctl != MAP_FAILED)
		munmap(st->ctl, sizeof(*st->ctl));
	pthread_mutex_destroy(&st->lock);
	free(st);
	if (self->was_loaded && !vmv_module_loaded())
		vmv_load();
	if (!self->was_loaded && vmv_module_loaded())
		vmv_unload();
}

static int stress_seconds(void)
{
	const char *e = getenv("VMVIEW_STRESS_SECONDS");
	int s = e && *e ? atoi(e) : STRESS_SECONDS;

	return s > 0 ? s : STRESS_SECONDS;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int start(struct stress *st, void *(*fn)(void *))
{
	struct worker *w = &st->w[st->nr_th];
	int ret;

	w->st = st;
	w->rng = 0x2545f4914f6cdd1dULL * (st->nr_th + 1) ^ now_ms();
	ret = pthread_create(&st->th[st->nr_th], NULL, fn, w);
	if (!ret)
		st->nr_th++;
	return ret;
}

TEST_F_TIMEOUT(stress, storm, STRESS_TIMEOUT)
{
	struct stress *st = self->st;
	int seconds = stress_seconds(), i, ret, e, status;
	long long t_end, t0;
	char path[96], text[1024], *v;
	unsigned long unexpected = 0;
	const char *name;

	ASSERT_EQ(0, write_pid("track", st->target));
	/* (A loop body is one statement: the harness's macros are two.) */
	for (i = 0; i < NR_READERS + NR_TRACKERS + 1; i++) {
		ret = start(st, i < NR_READERS ? reader_main :
				i < NR_READERS + NR_TRACKERS ? tracker_main :
				exiter_main);
		ASSERT_EQ(0, ret);
	}

	/* The storm; the target must live through it. */
	t_end = now_ms() + seconds * 1000LL;
	while (now_ms() < t_end) {
		usleep(100000);
		ASSERT_EQ(0, waitpid(st->target, &status, WNOHANG))
			TH_LOG("the target died: status 0x%x", status);
	}
	stop_threads(st);

	/* Quiesce the target. */
	__atomic_store_n(&st->ctl->stop, 1, __ATOMIC_RELAXED);
	t0 = now_ms();
	while (!__atomic_load_n(&st->ctl->quiesced, __ATOMIC_ACQUIRE) &&
	       now_ms() - t0 < QUIESCE_MS)
		usleep(10000);
	ASSERT_EQ(1, st->ctl->quiesced) TH_LOG("the target did not stop");
	print_figures(st, seconds);

	for (i = 0; i < NR_OPS; i++) {
		for (e = 1; e <= MAX_ERRNO; e++)
			if (st->err[i][e] && !allowed(i, e))
				unexpected += st->err[i][e];
		name = ops[i].name;
		EXPECT_EQ(0UL, st->bad[i]) TH_LOG("%s: malformed reads", name);
	}
	EXPECT_EQ(0UL, unexpected) TH_LOG("first problems:\n%s", st->log);
	for (i = 0; i < NR_OPS; i++) {
		name = ops[i].name;
		EXPECT_GT(st->ok[i], 0UL) TH_LOG("no %s succeeded", name);
	}

	/* One verify of the quiescent target: nothing differs. */
	ret = write_pid("track", st->target);
	ASSERT_TRUE(!ret || ret == -EEXIST) TH_LOG("track: %d", ret);
	vmv_pid_path(path, sizeof(path), st->target, "verify");
	ASSERT_EQ(0, vmv_write_file(path, "full\n"));
	ASSERT_EQ(0, vmv_write_file(path, "\n"));
	v = vmv_read_file(path, NULL);
	ASSERT_NE(NULL, v) TH_LOG("verify: %s", strerror(errno));
	ksft_print_msg("stress: final %s", strstr(v, "verify:") ?: v);
	fflush(stdout);
	EXPECT_NE(NULL, strstr(v, " mismatches=0 ")) TH_LOG("%.2000s", v);
	free(v);

	/* Untrack: nothing of vmview's is left. */
	ASSERT_EQ(0, write_pid("untrack", st->target));
	EXPECT_EQ(0, status_sum(text, sizeof(text))) TH_LOG("%s", text);
	kill(st->target, SIGKILL);
	waitpid(st->target, NULL, 0);
	st->target = 0;
	EXPECT_EQ(0, vmv_unload());
	EXPECT_FALSE(vmv_module_loaded());
}

/* --- no silent gaps (issue 16) -------------------------------------------- */

/*
 * The target of the gaps tests maps, in a reservation of its own, from
 * low to high addresses:
 *
 *   [filler: GAPS_FILLER]  small pages (MADV_NOHUGEPAGE), written on demand
 *   [range: GAPS_LEN]      GAPS_THPS huge pages (MADV_HUGEPAGE), written whole
 *   [guard: huge]          PROT_NONE
 *   [spare: huge]          where a fresh THP is made before mremap() moves it
 *
 * (huge: 2 MiB, 4 MiB at the pgd level on i386 without PAE, where a
 * "PMD" below is that pgd entry, or 32 MiB with arm64's 16 KiB pages.
 * The range and the spare slot start at a multiple of it: MADV_COLLAPSE
 * of a range holding no whole aligned THP does nothing and succeeds.)
 *
 * Every page of the range stays mapped and present the whole time: the
 * range changes only under the mmap lock taken for writing (mprotect(),
 * MADV_COLLAPSE, mremap()), never through an unmapped state a walk could
 * see.  The filler puts the end of ptes.bin's first fill inside the range.
 */
#define GAPS_THPS	4
#define GAPS_LEN	(GAPS_THPS * huge)
#define GAPS_PAGES	(GAPS_LEN / PG)
#define GAPS_PAGES_MAX	(GAPS_THPS * HUGE_MAX / 4096)	/* the smallest page */
/* 16 MiB, or one THP where that is larger: the range starts THP-aligned. */
#define GAPS_FILLER	((16UL << 20) > huge ? 16UL << 20 : huge)
#define GAPS_RESERVE	(GAPS_FILLER + GAPS_LEN + 2 * huge)
#define GAPS_SECONDS	3	/* default of VMVIEW_GAPS_SECONDS */
#define GAPS_WAIT_MS	60000	/* the longest a target's command may take */
/*
 * About how many records one fill of the dump's 128 KiB buffer holds
 * (Documentation/vmview.rst, "Reading large files"), and how far into
 * the range the first fill of ptes.bin should end.  Only an aim: if the
 * buffer changes, the text dumps still end fills inside the range.
 */
#define GAPS_FILL_RECS	4080
#define GAPS_INTO	256
#define GAPS_LOG	2048
#define GAPS_NO_COLLAPSE \
	"no MADV_COLLAPSE in this kernel (before 6.1): the remap variant covers it"

enum gaps_cmd {
	G_FILL,		/* write arg pages of the filler */
	G_SPLIT,	/* every THP of the range mapped by PTEs */
	G_HUGE,		/* every THP of the range mapped by a PMD again */
	G_CHURN,	/* split and rejoin THPs at random until G_STOP */
	G_STOP,
};

/* Shared (MAP_SHARED) between the test and the target. */
struct gaps_ctl {
	bool remap;		/* rejoin by mremap() of a fresh THP */
	unsigned long base, range, spare;
	int ready;		/* 1: set up; -errno: failed */
	bool no_collapse;	/* MADV_COLLAPSE is EINVAL here (5.10) */
	/* A command: the test sets cmd and arg, then seq; the target acks. */
	int cmd;
	unsigned long arg;
	unsigned int seq, ack;
	int cmd_err;
	/* What the churn did. */
	unsigned long splits, joins, failed;
	int first_err;
};

/* One page of THP i made read-only and writable again: the PMD splits. */
static int gaps_split(struct gaps_ctl *c, unsigned int i)
{
	char *p = (char *)c->range + i * huge + (17 + 31 * i) * PG;

	if (mprotect(p, PG, PROT_READ) ||
	    mprotect(p, PG, PROT_READ | PROT_WRITE))
		return -errno;
	return 0;
}

/* A fresh THP, written whole, at the spare slot. */
static int gaps_fresh(struct gaps_ctl *c)
{
	char *p = mmap((void *)c->spare, huge, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	unsigned long i;

	if (p == MAP_FAILED)
		return -errno;
	madvise(p, huge, MADV_HUGEPAGE);
	for (i = 0; i < huge / PG; i++)
		p[i * PG + (i & 63)] = (char)i;
	return 0;
}

/*
 * THP i mapped by a PMD again: MADV_COLLAPSE, or a fresh THP moved over
 * it by mremap(), which replaces the old pages and moves the PMD in one
 * go under the mmap lock.
 */
static int gaps_join(struct gaps_ctl *c, unsigned int i)
{
	char *to = (char *)c->range + i * huge;
	int ret, tries;

	if (!c->remap) {
		/* EAGAIN: a page was busy for a moment (LRU, lock). */
		for (tries = 0; tries < 3; tries++) {
			if (!madvise(to, huge, MADV_COLLAPSE))
				return 0;
			if (errno != EAGAIN)
				break;
		}
		return -errno;
	}
	ret = gaps_fresh(c);
	if (ret)
		return ret;
	if (mremap((void *)c->spare, huge, huge, MREMAP_MAYMOVE | MREMAP_FIXED,
		   to) == MAP_FAILED)
		return -errno;
	return 0;
}

static int gaps_all(struct gaps_ctl *c, int (*fn)(struct gaps_ctl *,
						  unsigned int))
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < GAPS_THPS && !ret; i++)
		ret = fn(c, i);
	return ret;
}

static void gaps_churn_once(struct gaps_ctl *c, unsigned long long *rng,
			    bool *split)
{
	unsigned int i = rnd(rng) % GAPS_THPS;
	int ret;

	ret = split[i] ? gaps_join(c, i) : gaps_split(c, i);
	if (ret) {
		count(&c->failed);
		if (!c->first_err)
			c->first_err = ret;
		return;
	}
	count(split[i] ? &c->joins : &c->splits);
	split[i] = !split[i];
}

static int gaps_map(struct gaps_ctl *c)
{
	char *res, *p;
	unsigned long i;

	res = mmap(NULL, GAPS_RESERVE + huge, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return -errno;
	c->base = ((unsigned long)res + huge - 1) & ~(huge - 1);
	c->range = c->base + GAPS_FILLER;
	c->spare = c->range + GAPS_LEN + huge;
	p = mmap((void *)c->base, GAPS_FILLER, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED || madvise(p, GAPS_FILLER, MADV_NOHUGEPAGE))
		return -errno;
	p = mmap((void *)c->range, GAPS_LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	madvise(p, GAPS_LEN, MADV_HUGEPAGE);
	for (i = 0; i < GAPS_PAGES; i++)
		p[i * PG + (i & 63)] = (char)i;
	/* Mapped by PMDs already: a no-op where the kernel has it. */
	c->no_collapse = madvise(p, GAPS_LEN, MADV_COLLAPSE) && errno == EINVAL;
	return 0;
}

static int gaps_run_cmd(struct gaps_ctl *c, bool *split, bool *churn)
{
	unsigned long i;
	int ret = 0;

	switch (c->cmd) {
	case G_FILL:
		for (i = 0; i < c->arg && i < GAPS_FILLER / PG; i++)
			((char *)c->base)[i * PG] = 1;
		break;
	case G_SPLIT:
		ret = gaps_all(c, gaps_split);
		memset(split, 1, GAPS_THPS * sizeof(*split));
		break;
	case G_HUGE:
		ret = gaps_all(c, gaps_join);
		memset(split, 0, GAPS_THPS * sizeof(*split));
		break;
	case G_CHURN:
		*churn = true;
		break;
	case G_STOP:
		*churn = false;
		break;
	}
	return ret;
}

/* The target: set up, then run commands (and churn) until killed. */
static void gaps_target(struct gaps_ctl *c)
{
	unsigned long long rng = 0x9e3779b97f4a7c15ULL ^ getpid();
	bool split[GAPS_THPS] = { false }, churn = false;
	unsigned int seq;
	int ret;

	prctl(PR_SET_NAME, "vmv_gaps");
	ret = gaps_map(c);
	__atomic_store_n(&c->ready, ret ? ret : 1, __ATOMIC_RELEASE);
	if (ret)
		_exit(1);
	for (;;) {
		seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		if (seq != c->ack) {
			c->cmd_err = gaps_run_cmd(c, split, &churn);
			__atomic_store_n(&c->ack, seq, __ATOMIC_RELEASE);
		} else if (churn) {
			gaps_churn_once(c, &rng, split);
		} else {
			usleep(500);
		}
	}
}

/* Have the target run a command and wait for it: its result or -ETIMEDOUT. */
static int gaps_do(struct gaps_ctl *c, enum gaps_cmd cmd, unsigned long arg)
{
	unsigned int seq = c->seq + 1;
	long long t0 = now_ms();

	c->cmd = cmd;
	c->arg = arg;
	__atomic_store_n(&c->seq, seq, __ATOMIC_RELEASE);
	while (__atomic_load_n(&c->ack, __ATOMIC_ACQUIRE) != seq) {
		if (now_ms() - t0 > GAPS_WAIT_MS)
			return -ETIMEDOUT;
		usleep(200);
	}
	return c->cmd_err;
}

/* An error a dump may end with when it cannot give a stable view? */
static bool gaps_unstable(int err)
{
	return err == -EAGAIN || err == -EBUSY;
}

/* A dump read whole. */
struct gaps_dump {
	bool binary;
	char *buf;
	size_t len, cap;
};

/* The first address of the last whole line or record read so far; 0: none. */
static unsigned long gaps_last_va(const struct gaps_dump *d)
{
	const char *e, *s;

	if (d->binary)
		return d->len < sizeof(struct vmview_pte) ? 0 :
		       ((struct vmview_pte *)d->buf)
				[d->len / sizeof(struct vmview_pte) - 1].vaddr;
	e = memrchr(d->buf, '\n', d->len);
	if (!e)
		return 0;
	for (s = e; s > d->buf && s[-1] != '\n'; s--)
		;
	return strncmp(s, "0x", 2) ? 0 : strtoul(s + 2, NULL, 16);
}

/*
 * Read PID/ptes or ptes.bin to EOF.  slow: 4 KiB reads with a pause
 * after each that ended inside [lo, hi), so that the target changes the
 * range between two fills of the dump.  at_range, if set, is called once
 * as soon as what was read reaches lo.  Returns 0 or the read's -errno.
 */
static int gaps_read(pid_t pid, struct gaps_dump *d, bool slow,
		     unsigned long lo, unsigned long hi,
		     void (*at_range)(void *), void *arg)
{
	size_t chunk = slow ? 4096 : 262144;
	char path[96];
	unsigned long va;
	ssize_t n;
	int fd, ret = 0;

	d->len = 0;
	fd = open(vmv_pid_path(path, sizeof(path), pid,
			       d->binary ? "ptes.bin" : "ptes"), O_RDONLY);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (d->len + chunk + 1 > d->cap) {
			char *nb = realloc(d->buf, (d->len + chunk + 1) * 2);

			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			d->buf = nb;
			d->cap = (d->len + chunk + 1) * 2;
		}
		n = read(fd, d->buf + d->len, chunk);
		if (n <= 0) {
			ret = n ? -errno : 0;
			break;
		}
		d->len += n;
		if (!slow && !at_range)
			continue;
		va = gaps_last_va(d);
		if (at_range && va >= lo) {
			at_range(arg);
			at_range = NULL;
		}
		if (slow && va >= lo && va < hi)
			usleep(1000);
	}
	close(fd);
	if (d->buf)
		d->buf[d->len] = '\0';
	return ret;
}

/* What a dump says about the range: its leaves, in order. */
struct gaps_view {
	unsigned int nr, pmd, pte;	/* pmd: huge leaves (pgd without PAE) */
	struct vmv_pte leaf[GAPS_PAGES_MAX];
};

/* Take one leaf of the dump; false (and why) when something is wrong. */
static bool gaps_leaf(struct gaps_view *v, const struct vmv_pte *l,
		      unsigned long lo, unsigned long hi,
		      unsigned long *prev_end, unsigned long *cursor,
		      char *why, size_t len)
{
	unsigned long end;

	/* Leaves are where this paging has tables: no folded level. */
	if (l->level < 0 || l->level >= VMVIEW_NR_LEVELS ||
	    !vmv_paging_once()->bits[l->level]) {
		snprintf(why, len, "leaf 0x%lx at level %d: not a level of %d-level paging",
			 l->va, l->level, vmv_paging_once()->levels);
		return false;
	}
	end = l->va + vmv_pte_size(l);
	if (l->va < *prev_end) {
		snprintf(why, len,
			 "leaf 0x%lx (%s) overlaps or comes before the leaf ending at 0x%lx",
			 l->va, vmv_level_names[l->level], *prev_end);
		return false;
	}
	*prev_end = end;
	if (l->va & (vmv_pte_size(l) - 1)) {
		snprintf(why, len, "%s leaf printed at 0x%lx, but it maps from 0x%lx",
			 vmv_level_names[l->level], l->va,
			 l->va & ~(vmv_pte_size(l) - 1));
		return false;
	}
	if (end <= lo || l->va >= hi)
		return true;
	if (l->va < lo || end > hi) {
		snprintf(why, len, "leaf 0x%lx-0x%lx crosses the range 0x%lx-0x%lx",
			 l->va, end, lo, hi);
		return false;
	}
	if (l->va != *cursor) {
		snprintf(why, len, "hole: 0x%lx-0x%lx (%lu pages) of the range has no leaf",
			 *cursor, l->va, (l->va - *cursor) / PG);
		return false;
	}
	/* Always populated: present, or on its way to a new frame. */
	if (!vmv_pte_present(l) && l->kind != VMVIEW_KIND_MIGRATION) {
		snprintf(why, len, "%s leaf at 0x%lx is %s: the range is never unmapped",
			 vmv_level_names[l->level], l->va,
			 vmv_kind_names[l->kind]);
		return false;
	}
	*cursor = end;
	v->leaf[v->nr++] = *l;
	if (l->level == VMVIEW_LEVEL_PTE)
		v->pte++;
	else
		v->pmd++;
	return true;
}

/*
 * Every 4 KiB page of [lo, hi) covered exactly once, by a PTE leaf or
 * inside a PMD leaf, each leaf aligned to its size, the whole dump in
 * ascending order without overlap.  Returns true, or false with why.
 */
static bool gaps_check(const struct gaps_dump *d, unsigned long lo,
		       unsigned long hi, struct gaps_view *v, char *why,
		       size_t len)
{
	unsigned long prev_end = 0, cursor = lo;
	const char *p, *nl, *err;
	struct vmv_pte l;
	size_t i;

	memset(v, 0, offsetof(struct gaps_view, leaf));
	if (d->binary) {
		const struct vmview_pte *r = (const void *)d->buf;

		if (d->len % sizeof(*r)) {
			snprintf(why, len, "ptes.bin: %zu bytes, not whole records",
				 d->len);
			return false;
		}
		for (i = 0; i < d->len / sizeof(*r); i++) {
			vmv_pte_from_rec(&r[i], &l);
			if (!gaps_leaf(v, &l, lo, hi, &prev_end, &cursor, why,
				       len))
				return false;
		}
	} else {
		for (p = d->buf; *p; p = *nl ? nl + 1 : nl) {
			nl = strchrnul(p, '\n');
			if (*p == '#')
				continue;
			err = vmv_pte_parse(p, nl - p, &l);
			if (err) {
				snprintf(why, len, "%s: %.*s", err,
					 (int)(nl - p), p);
				return false;
			}
			if (!gaps_leaf(v, &l, lo, hi, &prev_end, &cursor, why,
				       len))
				return false;
		}
	}
	if (cursor != hi) {
		snprintf(why, len,
			 "hole: 0x%lx-0x%lx (%lu pages) at the end of the range has no leaf",
			 cursor, hi, (hi - cursor) / PG);
		return false;
	}
	return true;
}

/* /proc/PID/pagemap of the range into pm; false (and why) if unreadable. */
static bool gaps_pagemap_read(pid_t pid, unsigned long lo,
			      unsigned long long *pm, char *why, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return false;
	}
	n = pread(fd, pm, GAPS_PAGES * sizeof(*pm), lo / PG * sizeof(*pm));
	close(fd);
	if (n != (ssize_t)(GAPS_PAGES * sizeof(*pm))) {
		snprintf(why, len, "%s: read %zd bytes", path, n);
		return false;
	}
	return true;
}

/* The first page of the range pagemap does not see present; -1: none. */
static int gaps_absent(const unsigned long long *pm)
{
	int i;

	for (i = 0; i < (int)GAPS_PAGES; i++)
		if (!(pm[i] & PM_PRESENT))
			return i;
	return -1;
}

/*
 * The kernel's view, /proc/PID/pagemap, right after a dump: every page of
 * the range present (read again once, a moment later, if not: a page
 * being migrated shows as a migration entry meanwhile); with exact, the
 * frame of every page as the dump's leaves say (only when the target
 * sits still).
 */
static bool gaps_pagemap(pid_t pid, unsigned long lo,
			 const struct gaps_view *v, bool exact, char *why,
			 size_t len)
{
	static unsigned long long pm[GAPS_PAGES_MAX];
	unsigned long long pfn;
	unsigned int i, j, k;
	int absent;

	if (!gaps_pagemap_read(pid, lo, pm, why, len))
		return false;
	absent = gaps_absent(pm);
	if (absent >= 0) {
		usleep(10000);
		if (!gaps_pagemap_read(pid, lo, pm, why, len))
			return false;
		absent = gaps_absent(pm);
	}
	if (absent >= 0) {
		snprintf(why, len, "pagemap: page 0x%lx of the range not present (0x%llx)",
			 lo + absent * PG, pm[absent]);
		return false;
	}
	if (!exact)
		return true;
	for (k = 0, i = 0; k < v->nr; k++) {
		for (j = 0; j < vmv_pte_size(&v->leaf[k]) / PG; j++, i++) {
			pfn = v->leaf[k].pfn + j;
			if (PM_PFN(pm[i]) != pfn) {
				snprintf(why, len,
					 "pagemap: page 0x%lx is pfn 0x%llx, the dump's %s leaf says 0x%llx",
					 lo + i * PG, PM_PFN(pm[i]),
					 vmv_level_names[v->leaf[k].level],
					 pfn);
				return false;
			}
		}
	}
	return true;
}

/* A gaps test's target, its dump and what the checks found. */
struct gaps_run {
	struct gaps_ctl *c;
	pid_t pid;
	struct gaps_dump d;
	struct gaps_view *v;
	char why[512];
};

FIXTURE(gaps) {
	bool was_loaded;
	bool tracked;
	struct gaps_run g;
};

/*
 * collapse: PMDs split by mprotect() of one page and rejoined by
 * MADV_COLLAPSE (6.1 and later); remap: rejoined by moving a fresh THP
 * over them with mremap() (every kernel).
 */
FIXTURE_VARIANT(gaps) {
	bool remap;
};

FIXTURE_VARIANT_ADD(gaps, collapse) { .remap = false };
FIXTURE_VARIANT_ADD(gaps, remap) { .remap = true };

FIXTURE_SETUP(gaps)
{
	struct gaps_run *g = &self->g;
	size_t n = 0, i;
	struct vmview_pte *r;
	unsigned long before = 0;
	long long t0;

	paging_init();
	self->was_loaded = vmv_module_loaded();
	ASSERT_EQ(0, vmv_ensure_loaded());
	g->v = malloc(sizeof(*g->v));
	ASSERT_NE(NULL, g->v);
	g->c = mmap(NULL, sizeof(*g->c), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, g->c);
	memset(g->c, 0, sizeof(*g->c));
	g->c->remap = variant->remap;
	g->pid = fork();
	ASSERT_GE(g->pid, 0);
	if (!g->pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		gaps_target(g->c);
	}
	t0 = now_ms();
	while (!__atomic_load_n(&g->c->ready, __ATOMIC_ACQUIRE) &&
	       now_ms() - t0 < GAPS_WAIT_MS)
		usleep(1000);
	ASSERT_EQ(1, g->c->ready) TH_LOG("the target's setup: %s",
					 strerror(-g->c->ready));
	ASSERT_EQ(0, vmv_track(g->pid));
	self->tracked = true;

	/* The filler: ptes.bin's first fill ends GAPS_INTO records in. */
	r = vmv_ptes_bin(g->pid, &n);
	ASSERT_NE(NULL, r) TH_LOG("ptes.bin: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (r[i].vaddr < g->c->range)
			before++;
	free(r);
	if (before + GAPS_INTO < GAPS_FILL_RECS)
		ASSERT_EQ(0, gaps_do(g->c, G_FILL,
				     GAPS_FILL_RECS - GAPS_INTO - before));
}

FIXTURE_TEARDOWN(gaps)
{
	struct gaps_run *g = &self->g;

	if (g->pid > 0) {
		if (self->tracked && vmv_module_loaded())
			vmv_untrack(g->pid);
		kill(g->pid, SIGKILL);
		waitpid(g->pid, NULL, 0);
	}
	if (g->c && g->c != MAP_FAILED)
		munmap(g->c, sizeof(*g->c));
	free(g->d.buf);
	free(g->v);
	if (!self->was_loaded && vmv_module_loaded())
		vmv_unload();
}

static int gaps_seconds(void)
{
	const char *e = getenv("VMVIEW_GAPS_SECONDS");
	int s = e && *e ? atoi(e) : GAPS_SECONDS;

	return s > 0 ? s : GAPS_SECONDS;
}

/*
 * One dump of the quiet target, both formats: whole, and frame for frame
 * what pagemap says (a dump and pagemap taken again, up to 3 times, if
 * only the frames differ: compaction may move a page in between).
 * Returns the huge leaves of the range (-1: failed).
 */
static int gaps_quiet_check(struct __test_metadata *_metadata,
			    struct gaps_run *g, const char *when)
{
	unsigned long lo = g->c->range, hi = lo + GAPS_LEN;
	int fmt, ret, try, pmd = -1;
	bool whole, same;

	for (fmt = 0; fmt < 2; fmt++) {
		g->d.binary = fmt;
		for (try = 0; try < 3; try++) {
			ret = gaps_read(g->pid, &g->d, false, lo, hi,
					NULL, NULL);
			EXPECT_EQ(0, ret) TH_LOG("%s: %s: %s", when,
						 fmt ? "ptes.bin" : "ptes",
						 strerror(-ret));
			if (ret)
				return -1;
			whole = gaps_check(&g->d, lo, hi, g->v,
					   g->why, sizeof(g->why));
			same = whole && gaps_pagemap(g->pid, lo, g->v,
						     true, g->why,
						     sizeof(g->why));
			if (!whole || same)
				break;
		}
		EXPECT_TRUE(same) TH_LOG("%s: %s: %s", when,
					 fmt ? "ptes.bin" : "ptes", g->why);
		if (!same)
			return -1;
		pmd = g->v->pmd;
	}
	return pmd;
}

/*
 * The range split and rejoined at random, as fast as the target can, while
 * the test reads ptes and ptes.bin in a loop (half of the dumps in 4 KiB
 * reads that pause inside the range, so that fills of one dump see the
 * range change between them): every dump covers every page of the range
 * exactly once, or fails with EAGAIN or EBUSY; pagemap right after finds
 * every page present.
 */
TEST_F_TIMEOUT(gaps, churn, 300)
{
	struct gaps_run *g = &self->g;
	unsigned long lo = g->c->range, hi = lo + GAPS_LEN;
	unsigned long dumps[2] = { 0 }, bad = 0, unstable = 0, errs = 0;
	unsigned long layouts = 0, with_pmd = 0, with_pte = 0, mixed = 0;
	unsigned int last_pmd = ~0U, i;
	char log[GAPS_LOG] = "";
	long long t_end;
	int ret;

	if (!variant->remap && g->c->no_collapse)
		SKIP(return, GAPS_NO_COLLAPSE);
	ASSERT_EQ(0, gaps_do(g->c, G_CHURN, 0));
	t_end = now_ms() + gaps_seconds() * 1000LL;
	for (i = 0; now_ms() < t_end; i++) {
		g->d.binary = i & 1;
		ret = gaps_read(g->pid, &g->d, i & 2, lo, hi, NULL, NULL);
		if (ret) {
			if (gaps_unstable(ret)) {
				unstable++;
			} else {
				errs++;
				snprintf(log + strlen(log), sizeof(log) - strlen(log),
					 "# dump %u (%s): %s\n", i,
					 g->d.binary ? "ptes.bin" : "ptes",
					 strerror(-ret));
			}
			continue;
		}
		dumps[g->d.binary]++;
		if (!gaps_check(&g->d, lo, hi, g->v, g->why,
				sizeof(g->why)) ||
		    !gaps_pagemap(g->pid, lo, g->v, false, g->why,
				  sizeof(g->why))) {
			bad++;
			snprintf(log + strlen(log), sizeof(log) - strlen(log),
				 "# dump %u (%s%s): %s\n", i,
				 g->d.binary ? "ptes.bin" : "ptes",
				 i & 2 ? ", slow" : "", g->why);
			continue;
		}
		with_pmd += g->v->pmd > 0;
		with_pte += g->v->pte > 0;
		mixed += g->v->pmd > 0 && g->v->pte > 0;
		layouts += g->v->pmd != last_pmd;
		last_pmd = g->v->pmd;
	}
	ASSERT_EQ(0, gaps_do(g->c, G_STOP, 0));
	ksft_print_msg("gaps: %s, %d s: target: %lu splits, %lu %s, %lu refused (first: %s)\n",
		       variant->remap ? "remap" : "collapse", gaps_seconds(),
		       g->c->splits, g->c->joins,
		       variant->remap ? "remaps" : "collapses", g->c->failed,
		       g->c->first_err ? strerror(-g->c->first_err) : "-");
	ksft_print_msg("gaps: dumps read whole: %lu ptes, %lu ptes.bin\n",
		       dumps[0], dumps[1]);
	ksft_print_msg("gaps: %lu wrong in the range, %lu unstable, %lu other errors\n",
		       bad, unstable, errs);
	ksft_print_msg("gaps: the range with %s leaves in %lu dumps, pte leaves in %lu,\n",
		       vmv_level_names[vmv_huge_level(vmv_paging_once())], with_pmd,
		       with_pte);
	ksft_print_msg("gaps: both in %lu; %lu changes of layout between dumps\n",
		       mixed, layouts);
	fflush(stdout);
	EXPECT_EQ(0UL, bad) TH_LOG("first problems:\n%s", log);
	EXPECT_EQ(0UL, errs) TH_LOG("first problems:\n%s", log);
	/* It ran, and the target really changed the range under it. */
	EXPECT_GE(dumps[0], 3UL);
	EXPECT_GE(dumps[1], 3UL);
	EXPECT_GT(g->c->splits, 2UL);
	EXPECT_GT(g->c->joins, 2UL);
	EXPECT_GT(layouts, 2UL);

	/* At rest: whole, and frame for frame what pagemap says. */
	EXPECT_LE(0, gaps_quiet_check(_metadata, g, "at rest"));
}

/* at_range of the resume test: rejoin every THP (the dump is mid-range). */
struct gaps_join_now {
	struct gaps_ctl *c;
	int ret;
};

static void gaps_join_now(void *arg)
{
	struct gaps_join_now *j = arg;

	j->ret = gaps_do(j->c, G_HUGE, 0);
}

/*
 * A dump that stops between two fills inside the range while the range is
 * mapped by PTEs, and resumes after every THP of it was rejoined: its next
 * fill starts at an address inside a PMD leaf.  The dump must still cover
 * every page of the range exactly once (the PTE leaves before the stop,
 * the rest after it, no PMD leaf at an address that is not its own), or
 * fail with EAGAIN or EBUSY.  Both formats, in 4 KiB reads.
 */
TEST_F_TIMEOUT(gaps, resume, 120)
{
	struct gaps_run *g = &self->g;
	unsigned long lo = g->c->range, hi = lo + GAPS_LEN;
	struct gaps_join_now j = { .c = g->c };
	unsigned int pte = 0, pmd = 0;
	int fmt, ret, now, try;
	char why[512];
	bool ok;

	if (!variant->remap && g->c->no_collapse)
		SKIP(return, GAPS_NO_COLLAPSE);
	for (fmt = 0; fmt < 2; fmt++) {
		const char *name = fmt ? "ptes.bin" : "ptes";

		/*
		 * khugepaged may collapse the range again right after a
		 * split (the kernel's own pagemap agrees then): split again.
		 */
		for (try = 0; try < 5; try++) {
			ASSERT_EQ(0, gaps_do(g->c, G_SPLIT, 0));
			ret = gaps_quiet_check(_metadata, g, "split");
			ASSERT_LE(0, ret);
			if (!ret)
				break;
		}
		ASSERT_EQ(0, ret)
			TH_LOG("%s: the range is not all PTEs after 5 splits",
			       name);
		g->d.binary = fmt;
		j.ret = -ENODATA;
		ret = gaps_read(g->pid, &g->d, true, lo, hi, gaps_join_now, &j);
		ok = !ret && gaps_check(&g->d, lo, hi, g->v, why, sizeof(why));
		if (ok) {
			pte = g->v->pte;
			pmd = g->v->pmd;
		}
		/* Rejoined for real?  Else there was nothing to resume into. */
		now = gaps_quiet_check(_metadata, g, "rejoined");
		if (j.ret || now == 0)
			SKIP(return, "no THP to resume into (%s: %s, %d huge leaves)",
			     variant->remap ? "a fresh THP" : "MADV_COLLAPSE",
			     strerror(-j.ret), now);
		if (gaps_unstable(ret)) {
			ksft_print_msg("gaps: resume: %s: %s (no stable view)\n",
				       name, strerror(-ret));
			continue;
		}
		EXPECT_EQ(0, ret) TH_LOG("%s: %s", name, strerror(-ret));
		EXPECT_TRUE(ok || ret)
			TH_LOG("%s resumed inside a rejoined THP: %s", name, why);
		if (ok)
			ksft_print_msg("gaps: resume: %s: %u PTE, %u huge leaves (then %d)\n",
				       name, pte, pmd, now);
	}
	fflush(stdout);
}

TEST_HARNESS_MAIN

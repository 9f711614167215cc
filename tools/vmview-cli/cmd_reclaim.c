// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_reclaim.c: "reclaim [--rounds N]": the clock live.  A child in a
 * memory cgroup of its own keeps touching a hot set of pages and leaves
 * a cold set idle; memory.max is lowered round by round, and each round
 * shows, from the child's PID/ptes, each set's accessed bits, its pages'
 * active and referenced flags, their MGLRU generations (gen=, where the
 * multi-generational LRU is on), which pages became swap entries and
 * which were read back (present again with a clean entry).  The claim
 * checked at the end: most evicted pages were cold.  With MGLRU on, the
 * cgroup is aged twice before round 0 (see age_cgroup()), as a workload
 * that has run for a while would have been.
 *
 * What it sets up, and undoes at exit, on error and on SIGINT, SIGTERM,
 * SIGHUP or SIGPIPE (the undoing runs in the signal handler too, so it
 * uses only system calls on what was recorded beforehand):
 *  - cgroup v2 at /sys/fs/cgroup, mounted if nothing is mounted there;
 *    the memory controller enabled in its cgroup.subtree_control if it
 *    is not; a child cgroup vmview-reclaim.PID;
 *  - when no swap is active: a zram device (the zram module loaded with
 *    modprobe if its control directory is missing, a device hot-added,
 *    a swap header written to it, swapon);
 *  - the child (killed and reaped first, so that the cgroup is empty).
 *
 * Why the cold pages go first: reclaim scans the LRU from its cold end
 * and asks the page tables whether a page was used since the last look
 * (folio_referenced(): the accessed bit of every PTE mapping it, cleared
 * as it is read).  The classic LRU gives a page whose bit was set a
 * second chance (PG_referenced, then activation); MGLRU's aging and
 * look-around move pages with the bit set into the youngest generation
 * and evicts from the oldest.  Either way a page the child keeps
 * touching has its bit set again before the hand comes back, and a page
 * it never touches has not.  The hot set is mapped first, so a FIFO
 * that ignored the bits would evict it first.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmview-cli.h"

#define SYNOPSIS	"[--rounds N]"
#define HOT_PAGES	256
/*
 * One hot page in every HOT_STRIDE: MGLRU's look-around (reclaim finding
 * one page young clears the accessed bits of the up to 64 pages around it
 * in its VMA) then never reaches a second hot page.  Without a page-table
 * walk (arm64 without hardware AF: lru_gen/enabled lacks 0x0002) reclaim
 * is where MGLRU sees accesses, and since 6.14 ("mm/mglru: rework
 * workingset protection") a page is promoted on its second sighting, not
 * its first: a contiguous hot set had the bits of the pages just ahead of
 * each isolated batch cleared, too recently for the child to set them
 * again, and they were evicted as cold.  Apart, each hot page is judged on
 * its own accesses alone.
 */
#define HOT_STRIDE	64
#define COLD_PAGES	1024
#define NR_PAGES	(HOT_PAGES + COLD_PAGES)
#define HOT_SPAN	(HOT_PAGES * HOT_STRIDE)	/* pages of its VMA */
#define ZRAM_BYTES	(128ULL << 20)
/*
 * The share of evicted pages that must be cold.  The hot set is a fifth
 * of the pages: an eviction blind to the accessed bits would take about
 * 20% of its victims from it (all of them first, in FIFO order).  The
 * clock predicts none; 10% is left for hot pages reclaim catches between
 * two passes of the child (under an emulator a pass can be late).
 */
#define COLD_SHARE_MIN	0.9
#define ROUNDS_DEFAULT	4
#define CG_ROOT		"/sys/fs/cgroup"
#define CGROUP2_MAGIC	0x63677270
#define TMPFS_MAGIC	0x01021994
#define HOLD_ENV	"VMVIEW_RECLAIM_HOLD"
#define AGINGS_ENV	"VMVIEW_RECLAIM_AGINGS"

/* What was set up, for undo() (also from the signal handler). */
static struct {
	char cg[128];			/* our cgroup, when made */
	char subtree[VMV_PATH_MAX];	/* the root's cgroup.subtree_control */
	char swap_dev[64];		/* the zram device we swapped on */
	char zram_reset[VMV_PATH_MAX];
	char zram_id[16];
	volatile sig_atomic_t mounted_cg, enabled_memory, made_cg;
	volatile sig_atomic_t made_zram, swapped_on;
	volatile sig_atomic_t loaded_zram, loaded_zsmalloc;
	volatile pid_t child;
} S;

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* write(2) of a string to a file; async-signal-safe. */
static int put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	size_t len = strlen(s);

	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

/* Undo everything S records, in reverse order; async-signal-safe. */
static void undo(void)
{
	int st, i;

	if (S.child > 0) {
		kill(S.child, SIGKILL);
		waitpid(S.child, &st, 0);
		S.child = 0;
	}
	/* an exiting task leaves its cgroup a moment after it is reaped */
	for (i = 0; S.made_cg && i < 200; i++) {
		if (!rmdir(S.cg) || errno == ENOENT)
			S.made_cg = 0;
		else
			sleep_ms(10);
	}
	if (S.enabled_memory && !put(S.subtree, "-memory"))
		S.enabled_memory = 0;
	if (S.swapped_on && !swapoff(S.swap_dev))
		S.swapped_on = 0;
	if (S.made_zram && !S.swapped_on) {
		put(S.zram_reset, "1");
		if (!put("/sys/class/zram-control/hot_remove", S.zram_id))
			S.made_zram = 0;
	}
	if (S.loaded_zram && !S.made_zram &&
	    !syscall(SYS_delete_module, "zram", O_NONBLOCK))
		S.loaded_zram = 0;
	if (S.loaded_zsmalloc && !S.loaded_zram &&
	    !syscall(SYS_delete_module, "zsmalloc", O_NONBLOCK))
		S.loaded_zsmalloc = 0;
	if (S.mounted_cg && !S.made_cg && !umount2(CG_ROOT, 0))
		S.mounted_cg = 0;
}

static int err_errno(int code, int err, const char *fmt, const char *what)
{
	return vmv_err(code, fmt, what, strerror(err), err);
}

/* --- cgroup v2 and its memory controller --------------------------------- */

static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = text; (p = strstr(p, word)); p += n)
		if ((p == text || p[-1] == ' ' || p[-1] == '\n') &&
		    (!p[n] || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

static int setup_cgroup(void)
{
	char path[VMV_PATH_MAX], *text = NULL;
	struct statfs sf;
	int ret;

	if (statfs(CG_ROOT, &sf))
		return err_errno(VMV_EXIT_NO_KERNEL_FEATURE, errno,
				 "no cgroup v2: cannot look at %s: %s (errno %d); mount it with 'mount -t cgroup2 none /sys/fs/cgroup'",
				 CG_ROOT);
	if (sf.f_type == TMPFS_MAGIC)
		return vmv_err(VMV_EXIT_NO_KERNEL_FEATURE,
			       "no cgroup v2: %s holds cgroup v1 hierarchies (%s, errno %d); reclaim needs the unified hierarchy (boot with systemd.unified_cgroup_hierarchy=1)",
			       CG_ROOT, strerror(EOPNOTSUPP), EOPNOTSUPP);
	if (sf.f_type != CGROUP2_MAGIC) {
		/* nothing mounted there (a bare system): mount it, undo later */
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			return err_errno(VMV_EXIT_NO_KERNEL_FEATURE, errno,
					 "no cgroup v2: nothing is mounted at %s and mounting cgroup2 there failed: %s (errno %d); a kernel with CONFIG_CGROUPS?",
					 CG_ROOT);
		S.mounted_cg = 1;
	}
	snprintf(path, sizeof(path), CG_ROOT "/cgroup.controllers");
	ret = vmv_read_path(path, &text, NULL);
	if (ret)
		return err_errno(VMV_EXIT_NO_KERNEL_FEATURE, -ret,
				 "no cgroup v2 controllers list: %s: %s (errno %d)",
				 path);
	if (!has_word(text, "memory")) {
		free(text);
		return vmv_err(VMV_EXIT_NO_KERNEL_FEATURE,
			       "no memory controller: %s does not list \"memory\" (%s, errno %d): a kernel with CONFIG_MEMCG, booted without cgroup_disable=memory, and no cgroup v1 hierarchy holding it",
			       path, strerror(ENODEV), ENODEV);
	}
	free(text);
	snprintf(S.subtree, sizeof(S.subtree), CG_ROOT "/cgroup.subtree_control");
	ret = vmv_read_path(S.subtree, &text, NULL);
	if (ret)
		return err_errno(VMV_EXIT_FAIL, -ret, "%s: %s (errno %d)",
				 S.subtree);
	if (!has_word(text, "memory")) {
		ret = put(S.subtree, "+memory");
		if (ret) {
			free(text);
			return err_errno(VMV_EXIT_NO_KERNEL_FEATURE, -ret,
					 "cannot enable the memory controller in %s: %s (errno %d)",
					 S.subtree);
		}
		S.enabled_memory = 1;
	}
	free(text);
	snprintf(S.cg, sizeof(S.cg), CG_ROOT "/vmview-reclaim.%d",
		 (int)getpid());
	if (mkdir(S.cg, 0755))
		return err_errno(VMV_EXIT_FAIL, errno,
				 "cannot make the cgroup %s: %s (errno %d)",
				 S.cg);
	S.made_cg = 1;
	return 0;
}

static int cg_file(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", S.cg, name);
	return 0;
}

static int64_t cg_u64(const char *name)
{
	char path[VMV_PATH_MAX], *text;
	int64_t v = -1;

	cg_file(name, path, sizeof(path));
	if (vmv_read_path(path, &text, NULL))
		return -1;
	if (strncmp(text, "max", 3))
		v = strtoll(text, NULL, 10);
	free(text);
	return v;
}

/* --- swap ----------------------------------------------------------------- */

struct swapinfo {
	char dev[64];
	bool zram, set_up;
};

/* The first active swap area of /proc/swaps, or false. */
static bool active_swap(struct swapinfo *si)
{
	char *text, *nl;
	bool found = false;

	if (vmv_read_path("/proc/swaps", &text, NULL))
		return false;
	nl = strchr(text, '\n');	/* the header */
	if (nl && nl[1] && sscanf(nl + 1, "%63s", si->dev) == 1) {
		si->zram = !strncmp(si->dev, "/dev/zram", 9);
		found = true;
	}
	free(text);
	return found;
}

static int run_modprobe(const char *mod)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		execlp("modprobe", "modprobe", mod, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A swap area's first page, as mkswap writes it (version 1, no bad pages). */
static int write_swap_header(const char *dev, uint64_t bytes)
{
	size_t pg = sysconf(_SC_PAGESIZE);
	char *buf = calloc(1, pg);
	uint32_t hdr[3] = { 1, (uint32_t)(bytes / pg - 1), 0 };
	int fd, err = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(buf + 1024, hdr, sizeof(hdr));	/* version, last_page, nr_bad */
	memcpy(buf + pg - 10, "SWAPSPACE2", 10);
	fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		err = -errno;
	else if (pwrite(fd, buf, pg, 0) != (ssize_t)pg || fsync(fd))
		err = errno ? -errno : -EIO;
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

static int setup_zram(struct swapinfo *si)
{
	char path[VMV_PATH_MAX], size[32], *id;
	int ret, i, n;

	if (!vmv_exists("/sys/class/zram-control")) {
		bool had_zram = vmv_exists("/sys/module/zram");
		bool had_zsmalloc = vmv_exists("/sys/module/zsmalloc");

		ret = run_modprobe("zram");
		if (!vmv_exists("/sys/class/zram-control"))
			return vmv_err(VMV_EXIT_NO_KERNEL_FEATURE,
				       "no swap and no zram: no swap area is active, 'modprobe zram' %s%s%d, and /sys/class/zram-control is missing (%s, errno %d): activate swap, or use a kernel with CONFIG_ZRAM",
				       ret < 0 ? "could not run: " : "exited ",
				       ret < 0 ? strerror(-ret) : "with ",
				       ret < 0 ? -ret : ret, strerror(ENODEV),
				       ENODEV);
		S.loaded_zram = !had_zram && vmv_exists("/sys/module/zram");
		S.loaded_zsmalloc = !had_zsmalloc &&
				    vmv_exists("/sys/module/zsmalloc");
	}
	ret = vmv_read_path("/sys/class/zram-control/hot_add", &id, NULL);
	if (ret)
		return err_errno(VMV_EXIT_NO_KERNEL_FEATURE, -ret,
				 "no zram device: reading %s: %s (errno %d)",
				 "/sys/class/zram-control/hot_add");
	n = atoi(id);
	free(id);
	snprintf(S.zram_id, sizeof(S.zram_id), "%d", n);
	snprintf(S.zram_reset, sizeof(S.zram_reset), "/sys/block/zram%d/reset",
		 n);
	S.made_zram = 1;
	snprintf(path, sizeof(path), "/sys/block/zram%d/disksize", n);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)ZRAM_BYTES);
	ret = put(path, size);
	if (ret)
		return err_errno(VMV_EXIT_FAIL, -ret,
				 "zram: writing the disk size to %s: %s (errno %d)",
				 path);
	snprintf(S.swap_dev, sizeof(S.swap_dev), "/dev/zram%d", n);
	for (i = 0; i < 200 && access(S.swap_dev, W_OK); i++)
		sleep_ms(10);
	ret = write_swap_header(S.swap_dev, ZRAM_BYTES);
	if (ret)
		return err_errno(VMV_EXIT_FAIL, -ret,
				 "zram: writing a swap header to %s: %s (errno %d)",
				 S.swap_dev);
	if (swapon(S.swap_dev, 0))
		return err_errno(VMV_EXIT_FAIL, errno,
				 "swapon %s: %s (errno %d)", S.swap_dev);
	S.swapped_on = 1;
	snprintf(si->dev, sizeof(si->dev), "%s", S.swap_dev);
	si->zram = si->set_up = true;
	return 0;
}

/* --- the child ------------------------------------------------------------ */

struct child {
	pid_t pid;
	uint64_t hot, cold;		/* first addresses */
	/* the child's passes over the hot set: a shared page it counts in */
	unsigned int *passes;
	int64_t majflt0, refault0;	/* at round 0 */
};

/*
 * The child's major faults (/proc/PID/stat, field 12), or -1.  After
 * setup it reads only its hot set: each one is a hot page evicted and
 * read back from swap.
 */
static int64_t child_majflt(pid_t pid)
{
	char path[48], *text, *p;
	int64_t v = -1;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (vmv_read_path(path, &text, NULL))
		return -1;
	p = strrchr(text, ')');		/* comm may hold blanks */
	for (f = 2; p && f < 12; f++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoll(p + 1, NULL, 10);
	free(text);
	return v;
}

/* A key of our cgroup's memory.stat, or -1. */
static int64_t cg_stat(const char *key)
{
	char path[VMV_PATH_MAX], *text, *p;
	size_t n = strlen(key);
	int64_t v = -1;

	cg_file("memory.stat", path, sizeof(path));
	if (vmv_read_path(path, &text, NULL))
		return -1;
	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ') {
			v = strtoll(p + n + 1, NULL, 10);
			break;
		}
	free(text);
	return v;
}

/* Wait until the child has made n more passes over its hot set. */
static bool wait_passes(const struct child *c, unsigned int n)
{
	unsigned int from = __atomic_load_n(c->passes, __ATOMIC_ACQUIRE);
	int i;

	for (i = 0; i < 1000; i++) {
		if (__atomic_load_n(c->passes, __ATOMIC_ACQUIRE) - from >= n)
			return true;
		sleep_ms(5);
	}
	return false;
}

static void child_main(int rfd, int wfd, unsigned int *passes)
{
	size_t pg = sysconf(_SC_PAGESIZE), i;
	uint64_t addr[2];
	volatile char sink;
	char *p, *hot, *cold, go;
	unsigned int pass = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* wait until the parent has moved us into the cgroup */
	if (read(rfd, &go, 1) != 1)
		_exit(1);
	/* hot, a guard page, cold: two VMAs that do not merge */
	p = mmap(NULL, (HOT_SPAN + 1 + COLD_PAGES) * pg,
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	hot = p;
	cold = p + (HOT_SPAN + 1) * pg;
	munmap(p + HOT_SPAN * pg, pg);
	madvise(hot, HOT_SPAN * pg, MADV_NOHUGEPAGE);
	madvise(cold, COLD_PAGES * pg, MADV_NOHUGEPAGE);
	for (i = 0; i < HOT_PAGES; i++)
		memset(hot + i * HOT_STRIDE * pg, 1 + i % 251, pg);
	for (i = 0; i < COLD_PAGES; i++)
		memset(cold + i * pg, 1 + i % 241, pg);
	addr[0] = (uintptr_t)hot;
	addr[1] = (uintptr_t)cold;
	if (write(wfd, addr, sizeof(addr)) != sizeof(addr))
		_exit(1);
	for (;;) {
		for (i = 0; i < HOT_PAGES; i++)
			sink = hot[i * HOT_STRIDE * pg + (pass % 64) * 8];
		(void)sink;
		pass++;
		__atomic_add_fetch(passes, 1, __ATOMIC_RELEASE);
		/*
		 * The CPU sets an accessed bit again only when it walks the
		 * tables, and neither clear_refs nor reclaim on x86 flushes
		 * the TLB: change the hot set's protection twice, which
		 * flushes this mm's TLB entries (more than 33 pages), as a
		 * busy machine would have forgotten them anyway.
		 */
		mprotect(hot, HOT_SPAN * pg, PROT_READ);
		mprotect(hot, HOT_SPAN * pg, PROT_READ | PROT_WRITE);
		usleep(5000);
	}
}

static int start_child(struct child *c)
{
	int to[2], from[2], ret;
	char line[24], path[VMV_PATH_MAX];
	uint64_t addr[2];
	pid_t pid;

	/* touched here first: charged to our cgroup, not the child's */
	c->passes = mmap(NULL, VMV_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->passes == MAP_FAILED) {
		c->passes = NULL;
		return vmv_err(VMV_EXIT_FAIL, "mmap: %s", strerror(errno));
	}
	*c->passes = 0;
	if (pipe2(to, O_CLOEXEC))
		return vmv_err(VMV_EXIT_FAIL, "pipe: %s", strerror(errno));
	if (pipe2(from, O_CLOEXEC)) {
		ret = errno;
		close(to[0]);
		close(to[1]);
		return vmv_err(VMV_EXIT_FAIL, "pipe: %s", strerror(ret));
	}
	fflush(NULL);
	pid = fork();
	if (!pid) {
		close(to[1]);
		close(from[0]);
		child_main(to[0], from[1], c->passes);
	}
	close(to[0]);
	close(from[1]);
	if (pid < 0) {
		ret = errno;
		close(to[1]);
		close(from[0]);
		return vmv_err(VMV_EXIT_FAIL, "fork: %s", strerror(ret));
	}
	S.child = pid;
	vmv_track_add_child(pid);
	c->pid = pid;
	cg_file("cgroup.procs", path, sizeof(path));
	snprintf(line, sizeof(line), "%d\n", (int)pid);
	ret = put(path, line);
	if (ret) {
		close(to[1]);
		close(from[0]);
		return err_errno(VMV_EXIT_FAIL, -ret,
				 "moving the child into %s: %s (errno %d)",
				 path);
	}
	ret = write(to[1], "g", 1) == 1 &&
	      read(from[0], addr, sizeof(addr)) == sizeof(addr);
	close(to[1]);
	close(from[0]);
	if (!ret)
		return vmv_err(VMV_EXIT_FAIL,
			       "the child did not map its pages (out of memory?)");
	c->hot = addr[0];
	c->cold = addr[1];
	return 0;
}

/* --- a round: the child's pages as PID/ptes shows them -------------------- */

enum { ST_NONE, ST_PRESENT, ST_SWAP };

struct page_state {
	uint8_t st;
	bool accessed, dirty, active, referenced, has_gen;
	uint8_t gen;
	unsigned int swap_type;
	uint64_t swap_offset;
	int evicted;			/* first round seen as swap, or -1 */
	int back;			/* first round seen read back, or -1 */
};

/*
 * "back": present with a clean entry.  The child wrote every page once,
 * at the start, and only reads them since; a page read back from swap
 * by a read fault is mapped clean.  So a clean page was evicted and
 * faulted in again, even between two rounds, when no round saw it as a
 * swap entry.
 */
struct set_count {
	unsigned int present, accessed, active, referenced, swapped, fresh;
	unsigned int back, fresh_back;
	unsigned int gens[VMVIEW_NR_GENS], no_gen;
};

struct lru_window {
	bool known;
	unsigned int memcg_id;
	uint64_t min_seq, max_seq;
};

struct round {
	int nr;
	int64_t max, current, swap_current;
	int64_t majflt, refault;	/* since round 0, or -1 */
	struct lru_window win;
	struct set_count hot, cold;
	char hot_strip[65], cold_strip[65];
};

static int read_pages(const struct child *c, struct page_state *pages)
{
	size_t pg = VMV_PAGE_SIZE;
	char *text, *line, *nl;
	struct vmv_pte pte;
	int ret, i;

	for (i = 0; i < NR_PAGES; i++) {
		pages[i].st = ST_NONE;
		pages[i].accessed = pages[i].dirty = pages[i].active = false;
		pages[i].referenced = pages[i].has_gen = false;
	}
	ret = vmv_read_pid_file(c->pid, "ptes", &text);
	if (ret)
		return ret;
	for (line = text; line && *line; line = nl ? nl + 1 : NULL) {
		struct page_state *p;
		uint64_t idx;

		nl = strchr(line, '\n');
		if (*line == '#' || vmv_parse_pte_line(line, &pte))
			continue;
		if (pte.vaddr >= c->hot && pte.vaddr < c->hot + HOT_SPAN * pg &&
		    !((pte.vaddr - c->hot) / pg % HOT_STRIDE))
			idx = (pte.vaddr - c->hot) / pg / HOT_STRIDE;
		else if (pte.vaddr >= c->cold &&
			 pte.vaddr < c->cold + COLD_PAGES * pg)
			idx = HOT_PAGES + (pte.vaddr - c->cold) / pg;
		else
			continue;
		p = &pages[idx];
		if (vmv_pte_kind_is(&pte, VMVIEW_KIND_SWAP)) {
			p->st = ST_SWAP;
			p->swap_type = pte.swap_type;
			p->swap_offset = pte.swap_offset;
		} else if (vmv_pte_present(&pte)) {
			p->st = ST_PRESENT;
			p->accessed = vmv_pte_flag(&pte, "accessed");
			p->dirty = vmv_pte_flag(&pte, "dirty");
			p->active = pte.has_page &&
				    vmv_has_word(pte.page, "active");
			p->referenced = pte.has_page &&
					vmv_has_word(pte.page, "referenced");
			p->has_gen = pte.has_gen && pte.gen < VMVIEW_NR_GENS;
			p->gen = pte.gen;
		}
	}
	free(text);
	return 0;
}

/* One character for a run of pages: swapped, accessed, idle, none. */
static char strip_char(const struct page_state *p, int n)
{
	int sw = 0, acc = 0, pr = 0, i;

	for (i = 0; i < n; i++) {
		sw += p[i].st == ST_SWAP;
		pr += p[i].st == ST_PRESENT;
		acc += p[i].st == ST_PRESENT && p[i].accessed;
	}
	if (sw == n)
		return 'S';
	if (sw)
		return 's';
	if (acc == n)
		return 'A';
	if (acc)
		return 'a';
	return pr ? '.' : ' ';
}

static void count_set(struct page_state *p, int n, int round,
		      struct set_count *sc, char *strip)
{
	int i;

	memset(sc, 0, sizeof(*sc));
	for (i = 0; i < n; i++) {
		if (p[i].st == ST_SWAP) {
			sc->swapped++;
			if (p[i].evicted < 0) {
				p[i].evicted = round;
				sc->fresh++;
			}
		}
		if (p[i].st != ST_PRESENT)
			continue;
		sc->present++;
		if (!p[i].dirty) {
			sc->back++;
			if (p[i].back < 0) {
				p[i].back = round;
				sc->fresh_back++;
			}
		}
		sc->accessed += p[i].accessed;
		sc->active += p[i].active;
		sc->referenced += p[i].referenced;
		if (p[i].has_gen)
			sc->gens[p[i].gen]++;
		else
			sc->no_gen++;
	}
	for (i = 0; i < 64; i++)
		strip[i] = strip_char(p + i * n / 64, n / 64);
	strip[64] = '\0';
}

/*
 * The generations of our memcg's lruvec (node 0) in the kernel's
 * /sys/kernel/debug/lru_gen: "memcg ID PATH", " node N", then one line a
 * generation from min_seq (anon) to max_seq.
 */
static void lru_window(struct lru_window *w)
{
	const char *name = S.cg + strlen(CG_ROOT);
	char *text, *line, *nl;
	bool ours = false, node0 = false;
	unsigned long long seq;

	memset(w, 0, sizeof(*w));
	if (vmv_read_path("/sys/kernel/debug/lru_gen", &text, NULL))
		return;
	for (line = text; line && *line; line = nl ? nl + 1 : NULL) {
		char path[VMV_PATH_MAX];
		unsigned int id;
		int node;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(line, "memcg", 5)) {
			if (ours && w->known)
				break;
			ours = sscanf(line, "memcg %u %4095s", &id, path) == 2 &&
			       !strcmp(path, name);
			if (ours)
				w->memcg_id = id;
			node0 = false;
		} else if (sscanf(line, " node %d", &node) == 1) {
			node0 = ours && node == 0;
		} else if (node0 && sscanf(line, " %llu", &seq) == 1) {
			if (!w->known)
				w->min_seq = seq;
			w->max_seq = seq;
			w->known = true;
		}
	}
	free(text);
}

/*
 * MGLRU: age the cgroup's lruvec (node 0) AGINGS times through
 * /sys/kernel/debug/lru_gen ("+ memcg_id node_id max_gen can_swap
 * force_scan": a walk of the page tables), the child making a full pass
 * over its hot set before each and after the last.  A workload running
 * for a while has been aged so; a fresh cgroup has not, and its first
 * pressure finds every page in one generation: the aging it then runs
 * clears the hot pages' accessed bits and ages again at once, before
 * the child can touch them, and evicts the hot set (mapped first) with
 * the cold one.  After these agings the hot pages are younger than the
 * cold ones by a generation at least.  VMVIEW_RECLAIM_AGINGS (0 to 4)
 * asks for another number, 0 to show the first pressure of a fresh
 * cgroup.  The agings done, or -errno.
 */
#define AGINGS		2
static int age_cgroup(const struct child *c, int agings)
{
	struct lru_window w;
	char cmd[96];
	int i, ret;

	for (i = 0; i < agings; i++) {
		if (!wait_passes(c, 2))
			return -ETIMEDOUT;
		lru_window(&w);
		if (!w.known)
			return i ? i : -ENOENT;
		snprintf(cmd, sizeof(cmd), "+ %u 0 %" PRIu64 " 1 1\n",
			 w.memcg_id, w.max_seq);
		ret = put("/sys/kernel/debug/lru_gen", cmd);
		if (ret)
			return i ? i : ret;
	}
	if (!wait_passes(c, 2))
		return -ETIMEDOUT;
	return i;
}

static int take_round(struct child *c, struct page_state *pages,
		      struct round *r, int nr, int64_t max, bool mglru)
{
	int ret = read_pages(c, pages);

	if (ret)
		return ret;
	r->nr = nr;
	r->max = max;
	r->current = cg_u64("memory.current");
	r->swap_current = cg_u64("memory.swap.current");
	r->majflt = child_majflt(c->pid);
	r->refault = cg_stat("workingset_refault_anon");
	if (nr == 0) {
		/* the baselines: before any pressure */
		c->majflt0 = r->majflt;
		c->refault0 = r->refault;
	}
	r->majflt = r->majflt >= 0 && c->majflt0 >= 0 ?
		    r->majflt - c->majflt0 : -1;
	r->refault = r->refault >= 0 && c->refault0 >= 0 ?
		     r->refault - c->refault0 : -1;
	/* lru_gen lists every memcg, with empty generations, when MGLRU is off */
	if (mglru)
		lru_window(&r->win);
	else
		memset(&r->win, 0, sizeof(r->win));
	count_set(pages, HOT_PAGES, nr, &r->hot, r->hot_strip);
	count_set(pages + HOT_PAGES, COLD_PAGES, nr, &r->cold, r->cold_strip);
	return 0;
}

/* --- output ---------------------------------------------------------------- */

static void gens_text(char *buf, size_t len, const struct set_count *sc)
{
	size_t n = 0;
	int g;

	buf[0] = '\0';
	for (g = 0; g < VMVIEW_NR_GENS; g++)
		if (sc->gens[g] && n < len)
			n += snprintf(buf + n, len - n, "%s%d:%u", n ? "," : "",
				      g, sc->gens[g]);
	if (!n)
		snprintf(buf, len, "-");
}

static void print_set(const char *name, const struct set_count *sc,
		      unsigned int pages, bool mglru)
{
	char gens[64];

	gens_text(gens, sizeof(gens), sc);
	printf("  %-5s %5u %7u %8u %6u %10u %7u %5u %5u  %s\n", name, pages,
	       sc->present, sc->accessed, sc->active, sc->referenced,
	       sc->swapped, sc->fresh, sc->back, mglru ? gens : "-");
}

static void print_round(const struct round *r, bool mglru)
{
	char a[24], b[24], c[24];

	if (r->nr == 0)
		printf("\nround 0: before pressure (memory.max max");
	else
		printf("\nround %d: memory.max %s", r->nr,
		       vmv_size(a, sizeof(a), r->max));
	printf(", memory.current %s, swapped %s)\n",
	       r->current < 0 ? "?" : vmv_size(b, sizeof(b), r->current),
	       r->swap_current < 0 ? "?" :
	       vmv_size(c, sizeof(c), r->swap_current));
	if (r->win.known)
		printf("  generations of the cgroup: seq %" PRIu64 "..%" PRIu64 " (gen= %" PRIu64 " is the youngest)\n",
		       r->win.min_seq, r->win.max_seq,
		       r->win.max_seq % VMVIEW_NR_GENS);
	if (!vmv_opts.noheadings)
		printf("  %-5s %5s %7s %8s %6s %10s %7s %5s %5s  %s\n", "SET",
		       "PAGES", "PRESENT", "ACCESSED", "ACTIVE", "REFERENCED",
		       "SWAPPED", "NEW", "BACK", "GEN:PAGES");
	print_set("hot", &r->hot, HOT_PAGES, mglru);
	print_set("cold", &r->cold, COLD_PAGES, mglru);
	printf("  hot  [%s]\n  cold [%s]\n", r->hot_strip, r->cold_strip);
	if (r->nr && r->majflt >= 0 && r->refault >= 0)
		printf("  since round 0: the child's major faults %" PRId64 ", the cgroup's workingset_refault_anon %" PRId64 "\n",
		       r->majflt, r->refault);
}

static struct json_object *set_json(const struct set_count *sc, bool mglru)
{
	struct json_object *o = json_object_new_object(), *g;
	int i;

	vmv_json_add_u64(o, "present", sc->present);
	vmv_json_add_u64(o, "accessed", sc->accessed);
	vmv_json_add_u64(o, "active", sc->active);
	vmv_json_add_u64(o, "referenced", sc->referenced);
	vmv_json_add_u64(o, "swapped", sc->swapped);
	vmv_json_add_u64(o, "newly_swapped", sc->fresh);
	vmv_json_add_u64(o, "read_back", sc->back);
	vmv_json_add_u64(o, "newly_read_back", sc->fresh_back);
	if (mglru) {
		g = json_object_new_array();
		for (i = 0; i < VMVIEW_NR_GENS; i++)
			json_object_array_add(g,
					      json_object_new_int64(sc->gens[i]));
		vmv_json_add(o, "gens", g);
		vmv_json_add_u64(o, "present_without_gen", sc->no_gen);
	} else {
		vmv_json_add(o, "gens", NULL);
	}
	return o;
}

static struct json_object *round_json(const struct round *r, bool mglru)
{
	struct json_object *o = json_object_new_object(), *w;

	vmv_json_add_u64(o, "round", r->nr);
	if (r->nr)
		vmv_json_add_u64(o, "memory_max", r->max);
	else
		vmv_json_add(o, "memory_max", NULL);
	vmv_json_add_i64(o, "memory_current", r->current);
	vmv_json_add_i64(o, "memory_swap_current", r->swap_current);
	if (r->majflt >= 0)
		vmv_json_add_i64(o, "child_major_faults", r->majflt);
	else
		vmv_json_add(o, "child_major_faults", NULL);
	if (r->refault >= 0)
		vmv_json_add_i64(o, "workingset_refault_anon", r->refault);
	else
		vmv_json_add(o, "workingset_refault_anon", NULL);
	if (r->win.known) {
		w = json_object_new_object();
		vmv_json_add_u64(w, "min_seq", r->win.min_seq);
		vmv_json_add_u64(w, "max_seq", r->win.max_seq);
		vmv_json_add(o, "lru_gen", w);
	} else {
		vmv_json_add(o, "lru_gen", NULL);
	}
	vmv_json_add(o, "hot", set_json(&r->hot, mglru));
	vmv_json_add(o, "cold", set_json(&r->cold, mglru));
	return o;
}

/* Take round nr and show it: in the JSON array rounds, or as text. */
static int show_round(struct child *c, struct page_state *pages,
		      struct round *r, int nr, int64_t max, bool mglru,
		      struct json_object *rounds)
{
	int ret = take_round(c, pages, r, nr, max, mglru);

	if (ret)
		return ret;
	if (rounds)
		json_object_array_add(rounds, round_json(r, mglru));
	else
		print_round(r, mglru);
	return 0;
}

/* MGLRU: "on", "off" (built, switched off), or "not built". */
static const char *mglru_state(bool *on)
{
	char *t;
	unsigned long caps;

	*on = false;
	if (vmv_read_path("/sys/kernel/mm/lru_gen/enabled", &t, NULL))
		return "not built";
	caps = strtoul(t, NULL, 0);
	free(t);
	*on = caps & 1;
	return *on ? "on" : "off";
}

/* Wait while the file named by VMVIEW_RECLAIM_HOLD exists (for tests). */
static void hold(pid_t child)
{
	const char *path = getenv(HOLD_ENV);
	char line[24];
	int i, fd;

	if (!path || !*path)
		return;
	fflush(stdout);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	snprintf(line, sizeof(line), "%d\n", (int)child);
	if (write(fd, line, strlen(line)) < 0)
		vmv_warn("%s: %s", path, strerror(errno));
	close(fd);
	for (i = 0; i < 30000 && !access(path, F_OK); i++)
		sleep_ms(10);
}

int vmv_cmd_reclaim(int argc, char **argv)
{
	struct page_state *pages = NULL;
	struct json_object *out = NULL, *rounds = NULL, *sw, *o;
	unsigned int nrounds = vmv_opts.rounds_given ? vmv_opts.rounds :
			       ROUNDS_DEFAULT;
	unsigned int evicted = 0, cold_evicted = 0, hot_swapped = 0;
	unsigned int hot_back = 0, i;
	int agings, nagings = AGINGS;
	const char *env;
	struct swapinfo si = { 0 };
	struct child c = { 0 };
	struct round r;
	int64_t start, step, max;
	const char *mglru_word;
	bool mglru, ok;
	double share;
	char a[24], b[24], line[32], path[VMV_PATH_MAX], val[32];
	int ret;

	(void)argv;
	if (argc > 0)
		return vmv_err(VMV_EXIT_USAGE, "usage: vmview-cli reclaim " SYNOPSIS);
	env = getenv(AGINGS_ENV);
	if (env && *env) {
		char *end;
		long n = strtol(env, &end, 10);

		if (*end || n < 0 || n > 4)
			return vmv_err(VMV_EXIT_USAGE,
				       "%s=%s: the agings before round 0 are 0 to 4",
				       AGINGS_ENV, env);
		nagings = (int)n;
	}
	if (geteuid())
		return vmv_err(VMV_EXIT_NOT_ROOT,
			       "reclaim needs root (%s, errno %d): it makes a memory cgroup, may set up zram swap, and reads vmview's debugfs files",
			       strerror(EPERM), EPERM);
	ret = vmv_preflight();
	if (ret)
		return ret;
	vmv_track_on_signal(undo);
	ret = setup_cgroup();
	if (ret)
		goto out;
	if (!active_swap(&si)) {
		ret = setup_zram(&si);
		if (ret)
			goto out;
	}
	ret = start_child(&c);
	if (ret)
		goto out;
	ret = vmv_track(c.pid);
	if (ret)
		goto out;
	pages = calloc(NR_PAGES, sizeof(*pages));
	if (!pages) {
		ret = vmv_err(VMV_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < NR_PAGES; i++)
		pages[i].evicted = pages[i].back = -1;
	mglru_word = mglru_state(&mglru);
	agings = mglru ? age_cgroup(&c, nagings) : 0;
	if (!mglru && !wait_passes(&c, 2))
		agings = -ETIMEDOUT;
	if (agings == -ETIMEDOUT) {
		ret = vmv_err(VMV_EXIT_FAIL,
			      "the child made no pass over its hot set in 5 s (%s, errno %d)",
			      strerror(ETIMEDOUT), ETIMEDOUT);
		goto out;
	}
	if (agings < 0)
		vmv_warn("could not age the cgroup through /sys/kernel/debug/lru_gen: %s (errno %d); its first pressure may evict hot pages",
			 strerror(-agings), -agings);

	/* The hand has just passed: every accessed bit and referenced flag clear. */
	snprintf(line, sizeof(line), "/proc/%d/clear_refs", (int)c.pid);
	ret = put(line, "1\n");
	if (ret) {
		ret = err_errno(VMV_EXIT_FAIL, -ret, "%s: %s (errno %d)", line);
		goto out;
	}
	sleep_ms(500);

	if (vmv_opts.json) {
		out = json_object_new_object();
		vmv_json_add_str(out, "cgroup", S.cg);
		vmv_json_add_i64(out, "child_pid", c.pid);
		vmv_json_add_u64(out, "page_bytes", VMV_PAGE_SIZE);
		o = json_object_new_object();
		vmv_json_add_str(o, "device", si.dev);
		vmv_json_add_bool(o, "zram", si.zram);
		vmv_json_add_bool(o, "set_up", si.set_up);
		vmv_json_add(out, "swap", o);
		vmv_json_add_str(out, "mglru", mglru_word);
		vmv_json_add_i64(out, "agings", agings > 0 ? agings : 0);
		o = json_object_new_object();
		vmv_json_add_hex(o, "start", c.hot);
		vmv_json_add_u64(o, "pages", HOT_PAGES);
		vmv_json_add_u64(o, "stride_pages", HOT_STRIDE);
		vmv_json_add(out, "hot", o);
		o = json_object_new_object();
		vmv_json_add_hex(o, "start", c.cold);
		vmv_json_add_u64(o, "pages", COLD_PAGES);
		vmv_json_add(out, "cold", o);
		rounds = json_object_new_array();
		vmv_json_add(out, "rounds", rounds);
	} else {
		printf("The clock live: PID %d in the memory cgroup %s keeps touching %u hot pages (%s, one in every %u pages from 0x%" PRIx64 ") and leaves %u cold pages idle (%s at 0x%" PRIx64 ").\n",
		       (int)c.pid, S.cg, HOT_PAGES,
		       vmv_size(a, sizeof(a), HOT_PAGES * VMV_PAGE_SIZE),
		       HOT_STRIDE, c.hot,
		       COLD_PAGES,
		       vmv_size(b, sizeof(b), COLD_PAGES * VMV_PAGE_SIZE),
		       c.cold);
		printf("Swap: %s%s%s.  MGLRU: %s.\n",
		       si.dev, si.zram ? " (zram: compressed RAM)" : "",
		       si.set_up ? ", set up for this run" : "", mglru_word);
		if (agings > 0)
			printf("The cgroup was aged %d times (/sys/kernel/debug/lru_gen), the child making a full pass over its hot set between; then its accessed bits were cleared (clear_refs) 0.5 s before round 0.\n",
			       agings);
		else
			printf("Its accessed bits were cleared (clear_refs) 0.5 s before round 0.\n");
	}

	ret = show_round(&c, pages, &r, 0, -1, mglru, rounds);
	if (ret)
		goto out;
	/* lower memory.max to evict three quarters of the cold set in all */
	start = r.current > 0 ? r.current :
		(int64_t)((NR_PAGES + 64) * VMV_PAGE_SIZE);
	step = (int64_t)COLD_PAGES * VMV_PAGE_SIZE * 3 / 4 / nrounds;
	for (i = 1; i <= nrounds; i++) {
		int st;

		max = start - step * i;
		cg_file("memory.max", path, sizeof(path));
		snprintf(val, sizeof(val), "%" PRId64 "\n", max);
		ret = put(path, val);
		if (ret) {
			ret = err_errno(VMV_EXIT_FAIL, -ret,
					"%s: %s (errno %d)", path);
			goto out;
		}
		sleep_ms(300);
		if (waitpid(c.pid, &st, WNOHANG) == c.pid) {
			S.child = 0;
			ret = vmv_err(VMV_EXIT_FAIL,
				      "the child died in round %u (%s %d): out of memory and swap?",
				      i, WIFSIGNALED(st) ? "signal" : "exit",
				      WIFSIGNALED(st) ? WTERMSIG(st) :
				      WEXITSTATUS(st));
			goto out;
		}
		ret = show_round(&c, pages, &r, i, max, mglru, rounds);
		if (ret)
			goto out;
	}

	/* evicted: seen as a swap entry, or read back, in any round */
	for (i = 0; i < NR_PAGES; i++) {
		if (pages[i].evicted < 0 && pages[i].back < 0)
			continue;
		evicted++;
		cold_evicted += i >= HOT_PAGES;
		hot_swapped += i < HOT_PAGES && pages[i].evicted >= 0;
		hot_back += i < HOT_PAGES && pages[i].back >= 0;
	}
	share = evicted ? (double)cold_evicted / evicted : 0;
	ok = evicted && share >= COLD_SHARE_MIN;
	if (out) {
		o = json_object_new_object();
		vmv_json_add_u64(o, "pages", evicted);
		vmv_json_add_u64(o, "cold", cold_evicted);
		vmv_json_add_u64(o, "hot", evicted - cold_evicted);
		vmv_json_add_u64(o, "hot_swapped", hot_swapped);
		vmv_json_add_u64(o, "hot_read_back", hot_back);
		json_object_object_add(o, "cold_share",
				       json_object_new_double(share));
		json_object_object_add(o, "threshold",
				       json_object_new_double(COLD_SHARE_MIN));
		vmv_json_add_bool(o, "ok", ok);
		vmv_json_add(out, "evicted", o);
		sw = json_object_new_array();
		for (i = 0; i < NR_PAGES; i++) {
			const struct page_state *p = &pages[i];
			bool cold = i >= HOT_PAGES;

			if (p->st != ST_SWAP)
				continue;
			o = json_object_new_object();
			vmv_json_add_hex(o, "vaddr", cold ?
					 c.cold + (i - HOT_PAGES) * VMV_PAGE_SIZE :
					 c.hot + i * HOT_STRIDE * VMV_PAGE_SIZE);
			vmv_json_add_str(o, "set", cold ? "cold" : "hot");
			vmv_json_add_u64(o, "type", p->swap_type);
			vmv_json_add_hex(o, "offset", p->swap_offset);
			vmv_json_add_u64(o, "round", p->evicted);
			json_object_array_add(sw, o);
		}
		vmv_json_add(out, "swapped", sw);
		vmv_json_print(out);
	} else {
		printf("\nStrips: a character for %u hot or %u cold pages: A all accessed, a some, . none accessed, S all swap entries, s some.\n",
		       HOT_PAGES / 64, COLD_PAGES / 64);
		printf("BACK: present again with a clean entry: written once at the start, the page was evicted and read back from swap.\n");
		printf("Evicted (seen as swap entries or read back in any round): %u pages, %u cold, %u hot (%u seen as swap entries, %u read back).\n",
		       evicted, cold_evicted, evicted - cold_evicted,
		       hot_swapped, hot_back);
		printf("%s: %.0f%% of the evicted pages were cold (the claim needs %.0f%%: a reclaim blind to the accessed bits would take about %.0f%% from the hot set).\n",
		       ok ? "PASS" : "FAILED", 100 * share,
		       100 * COLD_SHARE_MIN,
		       100.0 * HOT_PAGES / NR_PAGES);
	}
	fflush(stdout);
	hold(c.pid);
	ret = ok ? 0 : VMV_EXIT_FAIL;
out:
	if (out)
		json_object_put(out);
	free(pages);
	undo();
	vmv_track_on_signal(NULL);
	return ret;
}

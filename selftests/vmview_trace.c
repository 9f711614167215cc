// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_trace: the tracepoints (issue 19; Documentation/vmview.rst,
 * "Tracepoints"), read back through tracefs alone, so that every guest
 * runs it: events/vmview/enable on, the changes made, the "trace" file
 * parsed.
 *
 *  cow_munmap   a tracked child forks (its pages shared copy-on-write
 *               with a grandchild that lives on), writes every page of a
 *               region of its own, then unmaps the region; then:
 *               - every vmview_invalidate of the child's pid is exactly
 *                 a line of its PID/events (seq, kind, range), and every
 *                 line PID/events kept has its event;
 *               - the fork's invalidation (protection_page, or clear)
 *                 covers the region, each page has a clear (its copy)
 *                 after it, and the munmap's unmap is exactly the region;
 *               - the child's vmview_fill events, each with a duration,
 *                 are as many as PID/shadow's "fills", and cover every
 *                 page of the region, storing at least its pages, at
 *                 tracking and again at the verify after the copies
 *  mismatch     one leaf corrupted through PID/inject (test_hooks=1):
 *               one vmview_mismatch of the child, at its address, with the live side
 *               pagemap's frame and the shadow side that frame with its
 *               lowest bit flipped, both present, writable, one page
 *
 * The module is loaded with test_hooks=1 (reloaded if need be) and put
 * back as it was afterwards; so are tracefs's tracing_on and the events'
 * enable.  tracefs is mounted at /sys/kernel/tracing if it is not there.
 */
#include <sys/mman.h>
#include <sys/mount.h>

#include "vmview_harness.h"

#define TRACEFS		"/sys/kernel/tracing"
#define NPAGES		16
#define MAX_EVENTS	4096

enum { EV_INVALIDATE, EV_FILL, EV_MISMATCH };

/* One line of the trace file, its fields by name (those it has). */
struct tev {
	int type;
	long long pid;
	unsigned long long seq, start, end, entries, duration_ns;
	char kind[24];
	unsigned long long addr, live_entry, live_present, live_pfn;
	unsigned long long live_shift, shadow_present, shadow_pfn;
	unsigned long long shadow_shift;
	char live_rw[4], shadow_rw[4];
};

/* One line of PID/events: "SEQ KIND 0xSTART-0xEND". */
struct pev {
	unsigned long long seq, start, end;
	char kind[24];
};

/* What the child is told to do, one byte each. */
enum { CMD_FORK_WRITE = 'f', CMD_UNMAP = 'u' };

FIXTURE(trace) {
	struct vmv_child c;
	bool was_loaded, had_hooks, tracing_was_on;
	struct tev *ev;
	int nr;
};

static int tracefs_write(const char *file, const char *s)
{
	char path[128];

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	return vmv_write_file(path, s);
}

/* Empty the ring buffer (what writing an empty "trace" does). */
static int trace_clear(void)
{
	int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* "key=value" of one event's line into e; unknown keys are ignored. */
static bool tev_field(struct tev *e, const char *key, const char *val)
{
	static const struct {
		const char *key;
		size_t off;
	} nums[] = {
#define F(x) { #x, offsetof(struct tev, x) }
		F(seq), F(start), F(end), F(entries), F(duration_ns), F(addr),
		F(live_entry),
#undef F
	};
	unsigned long long p, pfn, sh;
	char rw[4];
	size_t i;

	if (!strcmp(key, "pid"))
		return vmv_parse_dec(val, &e->pid);
	if (!strcmp(key, "kind")) {
		snprintf(e->kind, sizeof(e->kind), "%s", val);
		return true;
	}
	/* live= and shadow=: PRESENT:0xPFN:rw|ro:SHIFT */
	if (!strcmp(key, "live") || !strcmp(key, "shadow")) {
		if (sscanf(val, "%llu:%llx:%2[rwo]:%llu", &p, &pfn, rw,
			   &sh) != 4)
			return false;
		if (key[0] == 'l') {
			e->live_present = p;
			e->live_pfn = pfn;
			e->live_shift = sh;
			snprintf(e->live_rw, sizeof(e->live_rw), "%s", rw);
		} else {
			e->shadow_present = p;
			e->shadow_pfn = pfn;
			e->shadow_shift = sh;
			snprintf(e->shadow_rw, sizeof(e->shadow_rw), "%s", rw);
		}
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		if (strcmp(key, nums[i].key))
			continue;
		errno = 0;
		*(unsigned long long *)((char *)e + nums[i].off) =
			strtoull(val, NULL, 0);
		return !errno;
	}
	return true;
}

/*
 * The vmview events of the trace file, in its order; -1 on a line that
 * names a vmview event but does not parse (written to bad).
 */
static int trace_read(struct tev *ev, int max, char *bad, size_t badlen)
{
	static const char * const names[] = {
		[EV_INVALIDATE] = "vmview_invalidate",
		[EV_FILL] = "vmview_fill",
		[EV_MISMATCH] = "vmview_mismatch",
	};
	char *text = vmv_read_file(TRACEFS "/trace", NULL), *line, *save;
	int n = 0, t;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, ": vmview_"), *tok, *s2;
		struct tev e = { .pid = -1 };

		if (line[0] == '#' || !p)
			continue;
		p += 2;
		for (t = 0; t < 3; t++)
			if (!strncmp(p, names[t], strlen(names[t])) &&
			    p[strlen(names[t])] == ':')
				break;
		if (t == 3 || n == max)
			goto bad;
		e.type = t;
		p += strlen(names[t]) + 1;
		for (tok = strtok_r(p, " ", &s2); tok;
		     tok = strtok_r(NULL, " ", &s2)) {
			char *eq = strchr(tok, '=');

			if (!eq)
				goto bad;
			*eq = '\0';
			if (!tev_field(&e, tok, eq + 1))
				goto bad;
		}
		if (e.pid < 0)
			goto bad;
		ev[n++] = e;
	}
	free(text);
	return n;
bad:
	snprintf(bad, badlen, "%s", line);
	free(text);
	return -1;
}

/* PID/events into pe[]; its count, or -1 on a malformed line. */
static int events_read(pid_t pid, struct pev *pe, int max)
{
	char *text = vmv_pid_read(pid, "events", NULL), *line, *save;
	int n = 0;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (n == max || sscanf(line, "%llu %23s 0x%llx-0x%llx",
				       &pe[n].seq, pe[n].kind, &pe[n].start,
				       &pe[n].end) != 4) {
			n = -1;
			break;
		}
		n++;
	}
	free(text);
	return n;
}

/*
 * The child: maps NPAGES pages between two PROT_NONE guard pages (a VMA
 * of their own), writes them, sends their address, then obeys.
 */
static void child_main(struct vmv_child *c)
{
	unsigned long pg = PG, i;
	char *map, cmd;
	pid_t g;

	map = mmap(NULL, (NPAGES + 2) * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED ||
	    mprotect(map, pg, PROT_NONE) ||
	    mprotect(map + (NPAGES + 1) * pg, pg, PROT_NONE))
		_exit(1);
	map += pg;
	memset(map, 1, NPAGES * pg);
	if (write(c->ack, &map, sizeof(map)) != sizeof(map))
		_exit(1);
	while (read(c->cmd, &cmd, 1) == 1) {
		switch (cmd) {
		case CMD_FORK_WRITE:
			g = fork();
			if (g < 0)
				_exit(1);
			if (!g) {
				/* shares the pages until the test ends */
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				for (;;)
					pause();
			}
			for (i = 0; i < NPAGES; i++)
				map[i * pg] = 2;
			break;
		case CMD_UNMAP:
			if (munmap(map, NPAGES * pg))
				_exit(1);
			break;
		}
		if (write(c->ack, &cmd, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static int child_do(struct vmv_child *c, char cmd)
{
	char ack;

	if (write(c->cmd, &cmd, 1) != 1 || read(c->ack, &ack, 1) != 1)
		return -EPIPE;
	return ack == cmd ? 0 : -EPROTO;
}

FIXTURE_SETUP(trace)
{
	char *on;

	self->c.pid = 0;
	self->nr = 0;
	self->was_loaded = vmv_module_loaded();
	self->had_hooks = self->was_loaded && vmv_hooks_on();
	self->ev = calloc(MAX_EVENTS, sizeof(*self->ev));
	ASSERT_NE(NULL, self->ev);
	if (access(TRACEFS "/events", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/events", F_OK))
		SKIP(return, "no tracefs at " TRACEFS " (a kernel without CONFIG_TRACING)");
	ASSERT_EQ(0, vmv_module_state(true, true));
	ASSERT_EQ(0, access(TRACEFS "/events/vmview/enable", W_OK))
		TH_LOG("the module's events are not in tracefs: %s",
		       strerror(errno));
	on = vmv_read_file(TRACEFS "/tracing_on", NULL);
	self->tracing_was_on = on && on[0] == '1';
	free(on);
	ASSERT_EQ(0, tracefs_write("events/vmview/enable", "1"));
	ASSERT_EQ(0, trace_clear());
	ASSERT_EQ(0, tracefs_write("tracing_on", "1"));
}

FIXTURE_TEARDOWN(trace)
{
	if (self->c.pid > 0)
		vmv_untrack(self->c.pid);
	vmv_child_stop(&self->c);
	tracefs_write("events/vmview/enable", "0");
	if (!self->tracing_was_on)
		tracefs_write("tracing_on", "0");
	trace_clear();
	free(self->ev);
	vmv_module_state(self->was_loaded, self->had_hooks);
}

/* Stop recording and read what was recorded into self->ev. */
static void collect(struct __test_metadata *_metadata,
		    struct _test_data_trace *self)
{
	char bad[512] = "";

	ASSERT_EQ(0, tracefs_write("events/vmview/enable", "0"));
	self->nr = trace_read(self->ev, MAX_EVENTS, bad, sizeof(bad));
	ASSERT_LE(0, self->nr) TH_LOG("trace line not understood: %s", bad);
	ASSERT_LT(self->nr, MAX_EVENTS);
}

static pid_t start_child(struct __test_metadata *_metadata,
			 struct _test_data_trace *self, unsigned long *addr)
{
	int ret = vmv_child_fork(&self->c, "vmv_trace_tgt");

	if (!ret)
		child_main(&self->c);
	ASSERT_EQ(1, ret);
	ASSERT_EQ((ssize_t)sizeof(*addr),
		  read(self->c.ack, addr, sizeof(*addr)));
	return self->c.pid;
}

static bool covers(unsigned long long s, unsigned long long e,
		   unsigned long a, unsigned long len)
{
	return s <= a && e >= a + len;
}

TEST_F_TIMEOUT(trace, cow_munmap, 120)
{
	unsigned long pg = PG, len = NPAGES * PG, a, i;
	unsigned long long fork_seq = ~0ULL, unmap_seq = ~0ULL;
	unsigned long long entries_track = 0, entries_cow = 0;
	int n, j, k, fills = 0, fork_idx = -1, unmap_idx = -1;
	struct pev *pe;
	char *v, *sh;
	pid_t pid;

	pid = start_child(_metadata, self, &a);
	ASSERT_EQ(0, vmv_track(pid));
	ASSERT_EQ(0, child_do(&self->c, CMD_FORK_WRITE));
	v = vmv_pid_read(pid, "verify", NULL);	/* refills the copies */
	ASSERT_NE(NULL, v) TH_LOG("verify: %s", strerror(errno));
	EXPECT_NE(NULL, strstr(v, "mismatches=0")) TH_LOG("%s", v);
	free(v);
	ASSERT_EQ(0, child_do(&self->c, CMD_UNMAP));
	sh = vmv_pid_read(pid, "shadow", NULL);
	ASSERT_NE(NULL, sh);
	pe = calloc(512, sizeof(*pe));
	ASSERT_NE(NULL, pe);
	n = events_read(pid, pe, 512);
	ASSERT_LT(0, n) TH_LOG("PID/events did not parse");
	collect(_metadata, self);

	/*
	 * The child's events (another process tracked meanwhile has its
	 * own pid): each invalidation a PID/events line.
	 */
	for (j = 0; j < self->nr; j++) {
		struct tev *e = &self->ev[j];

		if (e->pid != pid)
			continue;
		if (e->type == EV_FILL) {
			fills++;
			EXPECT_LT(e->start, e->end);
			EXPECT_LT(0ULL, e->duration_ns);
			continue;
		}
		if (e->type != EV_INVALIDATE)
			continue;
		for (k = 0; k < n && pe[k].seq != e->seq; k++)
			;
		if (k == n) {
			/* older than what PID/events keeps */
			EXPECT_LT(e->seq, pe[0].seq)
				TH_LOG("seq %llu is not in PID/events", e->seq);
			continue;
		}
		EXPECT_STREQ(pe[k].kind, e->kind) TH_LOG("seq %llu", e->seq);
		EXPECT_EQ(pe[k].start, e->start) TH_LOG("seq %llu", e->seq);
		EXPECT_EQ(pe[k].end, e->end) TH_LOG("seq %llu", e->seq);
		pe[k].seq = ~0ULL;	/* seen */
		if (fork_seq == ~0ULL && covers(e->start, e->end, a, len) &&
		    (!strcmp(e->kind, "protection_page") ||
		     !strcmp(e->kind, "clear"))) {
			fork_seq = e->seq;
			fork_idx = j;
		}
		if (!strcmp(e->kind, "unmap") && e->start == a &&
		    e->end == a + len) {
			unmap_seq = e->seq;
			unmap_idx = j;
		}
	}
	for (k = 0; k < n; k++)
		EXPECT_EQ(~0ULL, pe[k].seq)
			TH_LOG("PID/events line %d (%s) has no trace event",
			       k, pe[k].kind);
	ASSERT_NE(~0ULL, fork_seq) TH_LOG("no invalidation of the fork");
	ASSERT_NE(~0ULL, unmap_seq)
		TH_LOG("no unmap of exactly 0x%lx-0x%lx", a, a + len);

	/*
	 * Each page: filled at tracking (before the fork), a clear (its
	 * copy) after the fork's invalidation, filled again after that, at
	 * the verify (before the unmap).
	 */
	for (i = 0; i < NPAGES; i++) {
		bool cleared = false, filled = false, refilled = false;
		unsigned long p = a + i * pg;

		for (j = 0; j < self->nr; j++) {
			struct tev *e = &self->ev[j];

			if (e->pid != pid ||
			    !covers(e->start, e->end, p, pg))
				continue;
			if (e->type == EV_FILL && j < fork_idx)
				filled = true;
			if (e->type == EV_FILL && j > fork_idx && j < unmap_idx)
				refilled = true;
			if (e->type == EV_INVALIDATE && e->seq > fork_seq &&
			    e->seq < unmap_seq && !strcmp(e->kind, "clear"))
				cleared = true;
		}
		EXPECT_TRUE(filled) TH_LOG("page %lu not filled at tracking", i);
		EXPECT_TRUE(cleared) TH_LOG("no clear of the copy of page %lu", i);
		EXPECT_TRUE(refilled) TH_LOG("page %lu not filled after its copy", i);
	}

	/*
	 * The fills meeting the region stored at least its pages, at
	 * tracking and again after the copies (entries: leaves stored, in
	 * a chunk that may hold more).
	 */
	for (j = 0; j < self->nr; j++) {
		struct tev *e = &self->ev[j];

		if (e->type != EV_FILL || e->pid != pid ||
		    e->end <= a || e->start >= a + len)
			continue;
		if (j < fork_idx)
			entries_track += e->entries;
		else if (j < unmap_idx)
			entries_cow += e->entries;
	}
	EXPECT_LE((unsigned long long)NPAGES, entries_track);
	EXPECT_LE((unsigned long long)NPAGES, entries_cow);

	/* As many fills as PID/shadow counts. */
	EXPECT_EQ(vmv_kv_num(sh, "fills"), fills) TH_LOG("%s", sh);
	free(pe);
	free(sh);
}

TEST_F_TIMEOUT(trace, mismatch, 120)
{
	unsigned long pg = PG, a, page;
	unsigned long long pm;
	int j, found = 0;
	char buf[64], *v;
	struct tev *m = NULL;
	pid_t pid;

	pid = start_child(_metadata, self, &a);
	ASSERT_EQ(0, vmv_track(pid));
	page = a + 3 * pg;
	pm = vmv_pagemap_entry(pid, page);
	ASSERT_NE(0ULL, pm & PM_PRESENT);
	snprintf(buf, sizeof(buf), "0x%lx\n", page + 8);
	ASSERT_EQ(0, vmv_pid_write(pid, "inject", buf));
	v = vmv_pid_read(pid, "verify", NULL);
	ASSERT_NE(NULL, v);
	EXPECT_NE(NULL, strstr(v, "mismatches=1")) TH_LOG("%s", v);
	free(v);
	collect(_metadata, self);

	for (j = 0; j < self->nr; j++) {
		if (self->ev[j].type != EV_MISMATCH ||
		    self->ev[j].pid != pid)
			continue;
		m = &self->ev[j];
		found++;
	}
	ASSERT_EQ(1, found);
	EXPECT_EQ(pid, m->pid);
	EXPECT_EQ(page, m->addr);
	EXPECT_EQ(1ULL, m->live_present);
	EXPECT_EQ(1ULL, m->shadow_present);
	EXPECT_NE(0ULL, m->live_entry);
	if (PM_PFN(pm))		/* PFNs shown: CAP_SYS_ADMIN */
		EXPECT_EQ(PM_PFN(pm), m->live_pfn);
	EXPECT_EQ(m->live_pfn ^ 1, m->shadow_pfn);
	EXPECT_EQ((unsigned long long)__builtin_ctzl(pg), m->live_shift);
	EXPECT_EQ(m->live_shift, m->shadow_shift);
	EXPECT_STREQ("rw", m->live_rw);
	EXPECT_STREQ("rw", m->shadow_rw);
}

TEST_HARNESS_MAIN

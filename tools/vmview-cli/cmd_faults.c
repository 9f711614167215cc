// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_faults.c: "faults", page faults made to happen and shown.
 *
 * It starts its own target (this binary re-executed as "__target", see
 * faults_child.c), tracks it, and runs the scenarios of faults_scenarios.c.
 * Each step of a scenario asks the target (or its child) to do one thing
 * over a pipe, then shows the page's ptes row as PID/translate sees it,
 * the change in the process's minflt/majflt (/proc/PID/stat), the new
 * MMU-notifier events (PID/events) and the verify line for the
 * scenario's range (PID/verify).  Scenarios check what they expect and
 * end ok, FAILED or skipped (with the reason); the command exits 1 when
 * any FAILED.  A module without events or verify yet is said once and
 * those parts left out.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faults.h"

#define INDENT "      "

static struct json_object *notes;

int vmv_ask(struct fctx *x, int who, char *reply, size_t len,
	    const char *fmt, ...)
{
	char line[4200], buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vmv_write_line(x->ch[who].cmd, line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || vmv_read_line(x->ch[who].reply, buf, sizeof(buf))) {
		x->fatal = vmv_err(VMV_EXIT_FAIL,
				   "the %s process (PID %d) died unexpectedly",
				   who ? "child" : "target",
				   (int)x->ch[who].pid);
		return -2;
	}
	snprintf(x->last_reply, sizeof(x->last_reply), "%s", buf);
	if (!strncmp(buf, "ok", 2)) {
		if (reply)
			snprintf(reply, len, "%s", buf[2] ? buf + 3 : "");
		return 0;
	}
	line[n - 1] = '\0';
	vmv_expect(x, false, "'%s' failed in the target: %s", line,
		   strncmp(buf, "err ", 4) ? buf : buf + 4);
	if (reply)
		snprintf(reply, len, "%s", buf);
	return -1;
}

int vmv_ask_addr(struct fctx *x, int who, uint64_t *addr, const char *fmt, ...)
{
	char line[4200], reply[128];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ret = vmv_ask(x, who, reply, sizeof(reply), "%s", line);
	if (!ret)
		*addr = strtoull(reply, NULL, 16);
	return ret;
}

void vmv_note(struct fctx *x, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	(void)x;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (vmv_opts.json)
		json_object_array_add(notes, json_object_new_string(buf));
	else
		vmv_print_wrapped(INDENT, buf, 80);
}

void vmv_expect(struct fctx *x, bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond || x->result != RES_OK)
		return;
	x->result = RES_FAILED;
	va_start(ap, fmt);
	vsnprintf(x->reason, sizeof(x->reason), fmt, ap);
	va_end(ap);
}

void vmv_skip(struct fctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->result != RES_OK)
		return;
	x->result = RES_SKIPPED;
	va_start(ap, fmt);
	vsnprintf(x->reason, sizeof(x->reason), fmt, ap);
	va_end(ap);
}

static int read_counters(pid_t pid, uint64_t *minflt, uint64_t *majflt)
{
	char path[VMV_PATH_MAX], *text, *p;
	unsigned long long v[10];
	int ret;

	vmv_path(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ret = vmv_read_path(path, &text, NULL);
	if (ret)
		return ret;
	p = strrchr(text, ')');
	/* fields 3..12: state ppid pgrp session tty tpgid flags minflt cminflt majflt */
	ret = p && sscanf(p + 1, " %*c %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			  &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			  &v[7], &v[8]) == 9 ? 0 : -EINVAL;
	if (!ret) {
		*minflt = v[6];
		*majflt = v[8];
	}
	free(text);
	return ret;
}

int vmv_snap_take(struct fctx *x, int who, uint64_t addr, struct snap *s)
{
	pid_t pid = x->ch[who].pid;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = vmv_load_translate(pid, addr, &s->t);
	if (ret) {
		x->fatal = ret;
		return ret;
	}
	ret = read_counters(pid, &s->minflt, &s->majflt);
	if (ret)
		x->fatal = vmv_err(VMV_EXIT_EXITED,
				   "cannot read /proc/%d/stat: %s", (int)pid,
				   strerror(-ret));
	return x->fatal;
}

/* The tail of PID/events: everything after the last sequence seen. */
static int new_events(struct fctx *x, int who, struct vmv_events *ev)
{
	struct vmv_events all = { 0 };
	size_t i;

	memset(ev, 0, sizeof(*ev));
	if (!x->have_events)
		return 0;
	x->fatal = vmv_load_events(x->ch[who].pid, &all);
	if (x->fatal) {
		vmv_events_free(&all);
		return x->fatal;
	}
	ev->v = calloc(all.n ? all.n : 1, sizeof(*ev->v));
	/* sequence numbers start at 0: "none seen yet" is its own state */
	for (i = 0; ev->v && i < all.n; i++)
		if (!x->seq_seen[who] || all.v[i].seq > x->last_seq[who])
			ev->v[ev->n++] = all.v[i];
	if (all.n) {
		x->last_seq[who] = all.v[all.n - 1].seq;
		x->seq_seen[who] = true;
	}
	vmv_events_free(&all);
	return 0;
}

static int verify_now(struct fctx *x, int who, struct vmv_verify *v)
{
	pid_t pid = x->ch[who].pid;
	char line[64];
	int ret;

	memset(v, 0, sizeof(*v));
	if (!x->have_verify)
		return 1;
	snprintf(line, sizeof(line), "0x%" PRIx64 "-0x%" PRIx64 "\n",
		 x->range_start, x->range_end);
	ret = vmv_write_pid_file(pid, "verify", line);
	x->fatal = ret ? vmv_pid_errno(pid, "verify", ret) :
			 vmv_load_verify(pid, v);
	return x->fatal;
}

bool vmv_events_cover(const struct vmv_events *ev, uint64_t addr)
{
	size_t i;

	for (i = 0; i < ev->n; i++)
		if (ev->v[i].start <= addr && addr < ev->v[i].end)
			return true;
	return false;
}

bool vmv_leaf_is(const struct snap *s, const char *level, const char *kind)
{
	return s->t.has_leaf && (!level || !strcmp(s->t.leaf.level, level)) &&
	       (!kind || !strcmp(s->t.leaf.kind, kind));
}

/* flag in x86's words ("rw", "pse", ...), whatever the architecture */
bool vmv_leaf_flag(const struct snap *s, const char *flag)
{
	return s->t.has_leaf && vmv_pte_flag(&s->t.leaf, flag);
}

bool vmv_leaf_page(const struct snap *s, const char *pageflag)
{
	return s->t.has_leaf && vmv_has_word(s->t.leaf.page, pageflag);
}

uint64_t vmv_leaf_pfn(const struct snap *s)
{
	return s->t.has_leaf ? s->t.leaf.pfn : VMVIEW_NO_PFN;
}

const char *vmv_stop_of(const struct snap *s)
{
	return s->t.has_leaf ? "" : s->t.stop;
}

/* Bit 55 of the page's /proc/PID/pagemap entry: soft-dirty. */
int vmv_pagemap_softdirty(pid_t pid, uint64_t addr)
{
	char path[VMV_PATH_MAX];
	uint64_t e;
	int fd;
	ssize_t n;

	vmv_path(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, &e, sizeof(e), (addr >> VMV_PAGE_SHIFT) * sizeof(e));
	close(fd);
	return n == sizeof(e) ? (int)((e >> 55) & 1) : -1;
}

/* The ptes row without its address column (the step names the page). */
static const char *row_tail(const char *row)
{
	const char *p = strchr(row, ' ');

	while (p && *p == ' ')
		p++;
	return p ? p : row;
}

static void print_snap(const char *label, const struct snap *s)
{
	char row[512];

	if (s->t.has_leaf) {
		vmv_fmt_pte_row(row, sizeof(row), &s->t.leaf);
		printf(INDENT "%-7s %s\n", label, row_tail(row));
	} else {
		printf(INDENT "%-7s (nothing: %s)\n", label,
		       *s->t.stop ? s->t.stop : "no leaf");
	}
}

static struct json_object *step_json(int who, pid_t pid, const char *label,
				     uint64_t addr, const struct snap *s)
{
	struct json_object *o = json_object_new_object();

	vmv_json_add_str(o, "step", label);
	vmv_json_add_str(o, "process", who ? "child" : "target");
	vmv_json_add_i64(o, "pid", pid);
	vmv_json_add_hex(o, "vaddr", addr);
	vmv_json_add(o, "leaf", s->t.has_leaf ? vmv_pte_json(&s->t.leaf) :
						NULL);
	vmv_json_add_str(o, "stop", s->t.has_leaf ? NULL : s->t.stop);
	return o;
}

#define MAX_EVENT_LINES 6

static struct json_object *events_json(struct fctx *x,
				       const struct vmv_events *ev)
{
	struct json_object *a;
	size_t i;

	if (!x->have_events)
		return NULL;
	a = json_object_new_array();
	for (i = 0; i < ev->n; i++) {
		struct json_object *e = json_object_new_object();

		vmv_json_add_u64(e, "seq", ev->v[i].seq);
		vmv_json_add_str(e, "event", ev->v[i].event);
		vmv_json_add_hex(e, "start", ev->v[i].start);
		vmv_json_add_hex(e, "end", ev->v[i].end);
		json_object_array_add(a, e);
	}
	return a;
}

/* The events of a step, a few lines at most; "none" when asked. */
static void print_events(struct fctx *x, const struct vmv_events *ev,
			 bool say_none)
{
	char s[24];
	size_t i;

	for (i = 0; i < ev->n && i < MAX_EVENT_LINES; i++)
		printf(INDENT "        event %" PRIu64 " %s %" PRIx64 "-%"
		       PRIx64 " (%s)\n", ev->v[i].seq, ev->v[i].event,
		       ev->v[i].start, ev->v[i].end,
		       vmv_size(s, sizeof(s), ev->v[i].end - ev->v[i].start));
	if (ev->n > MAX_EVENT_LINES)
		printf(INDENT "        ... and %zu more events (--json lists them)\n",
		       ev->n - MAX_EVENT_LINES);
	if (x->have_events && !ev->n && say_none)
		printf(INDENT "        no notifier event\n");
}

int vmv_show(struct fctx *x, int who, const char *label, uint64_t addr)
{
	struct snap s;

	struct vmv_events ev;

	if (vmv_snap_take(x, who, addr, &s))
		return x->fatal;
	x->last = s;
	/* what happened since the last step (a fork, say) */
	if (new_events(x, who, &ev))
		return x->fatal;
	if (vmv_opts.json) {
		struct json_object *o = step_json(who, x->ch[who].pid, label,
						  addr, &s);

		vmv_json_add(o, "events", events_json(x, &ev));
		json_object_array_add(x->steps, o);
	} else {
		print_snap(label, &s);
		print_events(x, &ev, false);
	}
	vmv_events_free(&ev);
	return 0;
}

/* Forget the events so far (earlier scenarios'): a step shows its own. */
int vmv_skip_events(struct fctx *x, int who)
{
	struct vmv_events ev;
	int ret = new_events(x, who, &ev);

	vmv_events_free(&ev);
	return ret;
}

/* "minflt=N majflt=N" of the target's reply: the access's own faults. */
static void acc_faults(struct fctx *x)
{
	const char *mn = strstr(x->last_reply, "minflt=");
	const char *mj = strstr(x->last_reply, "majflt=");

	x->has_acc = mn && mj;
	x->acc_min = mn ? atol(mn + 7) : 0;
	x->acc_maj = mj ? atol(mj + 7) : 0;
}

int vmv_step_begin(struct fctx *x, int who, struct snap *before)
{
	memset(before, 0, sizeof(*before));
	x->last_reply[0] = '\0';
	if (read_counters(x->ch[who].pid, &before->minflt, &before->majflt))
		x->fatal = vmv_err(VMV_EXIT_EXITED,
				   "cannot read /proc/%d/stat",
				   (int)x->ch[who].pid);
	return x->fatal;
}

int vmv_step_end(struct fctx *x, int who, const char *label, uint64_t addr,
		 const struct snap *before)
{
	struct json_object *o = NULL, *a;
	struct vmv_verify *v = &x->last_verify;
	struct vmv_events *ev = &x->last_events;
	int64_t dmin, dmaj;
	size_t i;
	int ret;

	if (vmv_snap_take(x, who, addr, &x->last))
		return x->fatal;
	acc_faults(x);
	dmin = x->last.minflt - before->minflt;
	dmaj = x->last.majflt - before->majflt;
	vmv_events_free(ev);
	if (new_events(x, who, ev))
		return x->fatal;
	vmv_verify_free(v);
	ret = verify_now(x, who, v);
	if (ret < 0 || ret > 1)
		return x->fatal;
	x->last_has_verify = !ret;

	if (vmv_opts.json) {
		o = step_json(who, x->ch[who].pid, label, addr, &x->last);
		vmv_json_add_i64(o, "minflt", dmin);
		vmv_json_add_i64(o, "majflt", dmaj);
		if (x->has_acc) {
			vmv_json_add_i64(o, "access_minflt", x->acc_min);
			vmv_json_add_i64(o, "access_majflt", x->acc_maj);
		}
		vmv_json_add(o, "events", events_json(x, ev));
		a = NULL;
		if (x->last_has_verify) {
			a = json_object_new_object();
			vmv_verify_json_add(a, v);
		}
		vmv_json_add(o, "verify", a);
		json_object_array_add(x->steps, o);
	} else {
		print_snap(label, &x->last);
		printf(INDENT "        minflt %+" PRId64 ", majflt %+" PRId64,
		       dmin, dmaj);
		if (x->has_acc)
			printf("; the access alone: %ld minor, %ld major",
			       x->acc_min, x->acc_maj);
		printf("\n");
		if (x->last_has_verify)
			printf(INDENT "        verify: %" PRIu64 " checked, %"
			       PRIu64 " mismatches, %" PRIu64 " resynced\n",
			       v->checked, v->mismatches, v->resynced);
		for (i = 0; x->last_has_verify && i < v->n && i < 4; i++)
			printf(INDENT "        mismatch %" PRIx64
			       " walk=%s shadow=%s\n", v->v[i].vaddr,
			       v->v[i].walk, v->v[i].shadow);
		print_events(x, ev, true);
	}
	if (x->last_has_verify)
		vmv_expect(x, !v->mismatches,
			   "after '%s', verify found %" PRIu64 " mismatch(es) between the walk and the shadow",
			   label, v->mismatches);
	return 0;
}

/* Events and verify: there, or said once that this module lacks them. */
static void probe_features(struct fctx *x)
{
	char *text;
	int ret;

	ret = vmv_read_pid_raw(x->ch[0].pid, "events", &text);
	x->have_events = !ret;
	if (!ret) {
		struct vmv_events ev;

		if (!vmv_parse_events(text, &ev) && ev.n) {
			x->last_seq[0] = ev.v[ev.n - 1].seq;
			x->seq_seen[0] = true;
		}
		vmv_events_free(&ev);
		free(text);
	}
	x->have_verify = vmv_read_pid_raw(x->ch[0].pid, "verify", &text) == 0;
	if (x->have_verify)
		free(text);
	if (!x->have_events)
		vmv_warn("this vmview module has no PID/events: notifier events are left out");
	if (!x->have_verify)
		vmv_warn("this vmview module has no PID/verify: verify lines are left out");
}

static int make_pipe(int p[2])
{
	return pipe2(p, O_CLOEXEC);
}

/* Start the target: fds 3/4 for it, 5/6 for its future child. */
static int spawn_target(struct fctx *x)
{
	int cmd[2][2], rep[2][2], hi[4], i;
	char line[64];
	pid_t pid;

	for (i = 0; i < 2; i++)
		if (make_pipe(cmd[i]) || make_pipe(rep[i]))
			return vmv_err(VMV_EXIT_FAIL, "pipe: %s",
				       strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return vmv_err(VMV_EXIT_FAIL, "fork: %s", strerror(errno));
	if (!pid) {
		int want[4] = { cmd[0][0], rep[0][1], cmd[1][0], rep[1][1] };

		/* out of the way first, so that no dup2 clobbers a source */
		for (i = 0; i < 4; i++)
			hi[i] = fcntl(want[i], F_DUPFD_CLOEXEC, 20);
		for (i = 0; i < 4; i++)
			if (hi[i] < 0 || dup2(hi[i], 3 + i) < 0)
				_exit(127);
		execl("/proc/self/exe", "vmview-cli", "__target", (char *)NULL);
		_exit(127);
	}
	vmv_track_add_child(pid);
	for (i = 0; i < 2; i++) {
		close(cmd[i][0]);
		close(rep[i][1]);
		x->ch[i].cmd = cmd[i][1];
		x->ch[i].reply = rep[i][0];
	}
	x->ch[0].pid = pid;
	if (vmv_read_line(x->ch[0].reply, line, sizeof(line)) ||
	    strncmp(line, "ok ", 3))
		return vmv_err(VMV_EXIT_FAIL,
			       "the target process did not start (exec of /proc/self/exe failed?)");
	return 0;
}

int vmv_start_child(struct fctx *x)
{
	char reply[64], line[64];
	struct vmv_events ev;
	char *text;
	int ret;

	if (vmv_ask(x, WHO_PARENT, reply, sizeof(reply), "fork"))
		return -1;
	x->ch[1].pid = atoi(reply);
	if (vmv_read_line(x->ch[1].reply, line, sizeof(line))) {
		x->fatal = vmv_err(VMV_EXIT_FAIL, "the child did not start");
		return -1;
	}
	vmv_track_add_child(x->ch[1].pid);
	ret = vmv_track(x->ch[1].pid);
	if (ret) {
		x->fatal = ret;
		return -1;
	}
	x->last_seq[1] = 0;
	x->seq_seen[1] = false;
	if (x->have_events && !vmv_read_pid_raw(x->ch[1].pid, "events",
						&text)) {
		if (!vmv_parse_events(text, &ev) && ev.n) {
			x->last_seq[1] = ev.v[ev.n - 1].seq;
			x->seq_seen[1] = true;
		}
		vmv_events_free(&ev);
		free(text);
	}
	return 0;
}

void vmv_stop_child(struct fctx *x)
{
	if (x->ch[1].pid > 0)
		vmv_ask(x, WHO_CHILD, NULL, 0, "exit");
	x->ch[1].pid = 0;
}

/* --scenario: numbers or names, comma-separated. */
static int selected(size_t i)
{
	const char *p = vmv_opts.only;
	size_t n;

	if (!p)
		return 1;
	while (*p) {
		n = strcspn(p, ",");
		if ((size_t)atoi(p) == i + 1 ||
		    (n == strlen(vmv_scenarios[i].name) &&
		     !strncmp(p, vmv_scenarios[i].name, n)))
			return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static int check_selection(void)
{
	const char *p = vmv_opts.only;
	size_t n, i;

	while (p && *p) {
		n = strcspn(p, ",");
		for (i = 0; i < vmv_nr_scenarios; i++)
			if ((size_t)atoi(p) == i + 1 ||
			    (n == strlen(vmv_scenarios[i].name) &&
			     !strncmp(p, vmv_scenarios[i].name, n)))
				break;
		if (i == vmv_nr_scenarios)
			return vmv_err(VMV_EXIT_USAGE,
				       "no scenario '%.*s': give numbers 1-%zu or names (demand-zero, cow, swap, file, thp, segv, soft-dirty)",
				       (int)n, p, vmv_nr_scenarios);
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

int vmv_cmd_faults(int argc, char **argv)
{
	struct fctx *x = calloc(1, sizeof(*x));
	struct json_object *root = NULL, *list = NULL, *sc;
	int ret, nok = 0, nfail = 0, nskip = 0, status;
	size_t i;

	if (!x)
		return vmv_err(VMV_EXIT_FAIL, "out of memory");
	if (argc) {
		free(x);
		return vmv_err(VMV_EXIT_USAGE,
			       "unexpected argument '%s': usage: vmview-cli faults [--file FILE] [--scenario N,...]",
			       argv[0]);
	}
	ret = check_selection();
	if (!ret)
		ret = vmv_preflight();
	if (ret) {
		free(x);
		return ret;
	}
	signal(SIGPIPE, SIG_IGN);	/* a dead target is seen as EOF */
	ret = spawn_target(x);
	if (!ret)
		ret = vmv_track(x->ch[0].pid);
	if (ret)
		goto out;
	probe_features(x);

	if (vmv_opts.json) {
		root = json_object_new_object();
		list = json_object_new_array();
		vmv_json_add_i64(root, "pid", x->ch[0].pid);
		vmv_json_add_i64(root, "levels", vmv_levels());
	} else {
		printf("faults: target PID %d, %d-level paging\n",
		       (int)x->ch[0].pid, vmv_levels());
	}

	for (i = 0; i < vmv_nr_scenarios && !x->fatal; i++) {
		static const char * const res[] = { "ok", "FAILED", "skipped" };
		static const char * const col[] = { "ok", "fail", "skip" };

		if (!selected(i))
			continue;
		x->result = RES_OK;
		x->reason[0] = '\0';
		x->range_start = x->range_end = 0;
		if (vmv_opts.json) {
			x->steps = json_object_new_array();
			notes = json_object_new_array();
		} else {
			printf("\n%s[%zu/%zu] %s: %s%s\n", vmv_color("bold"),
			       i + 1, vmv_nr_scenarios, vmv_scenarios[i].name,
			       vmv_scenarios[i].title, vmv_color("reset"));
		}
		if (!vmv_skip_events(x, WHO_PARENT))
			vmv_scenarios[i].run(x);
		if (x->ch[1].pid && !x->fatal)
			vmv_stop_child(x);
		if (x->fatal)
			break;
		if (x->result == RES_OK)
			nok++;
		else if (x->result == RES_FAILED)
			nfail++;
		else
			nskip++;
		if (vmv_opts.json) {
			sc = json_object_new_object();
			vmv_json_add_i64(sc, "number", i + 1);
			vmv_json_add_str(sc, "name", vmv_scenarios[i].name);
			vmv_json_add_str(sc, "title", vmv_scenarios[i].title);
			vmv_json_add_str(sc, "result", x->result == RES_OK ?
					 "ok" : x->result == RES_FAILED ?
					 "failed" : "skipped");
			vmv_json_add_str(sc, "reason",
					 *x->reason ? x->reason : NULL);
			vmv_json_add(sc, "notes", notes);
			vmv_json_add(sc, "steps", x->steps);
			json_object_array_add(list, sc);
		} else {
			printf(INDENT "%s%s%s%s%s\n", vmv_color(col[x->result]),
			       res[x->result], vmv_color("reset"),
			       *x->reason ? ": " : "", x->reason);
		}
	}
	vmv_scenario_cleanup();
	if (x->fatal) {
		ret = x->fatal;
		if (vmv_opts.json)
			json_object_put(root);
		goto out;
	}
	if (vmv_opts.json) {
		vmv_json_add(root, "scenarios", list);
		vmv_json_add_i64(root, "ok", nok);
		vmv_json_add_i64(root, "failed", nfail);
		vmv_json_add_i64(root, "skipped", nskip);
		vmv_json_print(root);
		json_object_put(root);
	} else {
		printf("\nfaults: %d ok, %d FAILED, %d skipped\n", nok, nfail,
		       nskip);
	}
	ret = nfail ? VMV_EXIT_FAIL : 0;
out:
	if (x->ch[0].pid > 0) {
		kill(x->ch[0].pid, SIGKILL);
		waitpid(x->ch[0].pid, &status, 0);
	}
	vmv_events_free(&x->last_events);
	vmv_verify_free(&x->last_verify);
	free(x);
	return ret;
}

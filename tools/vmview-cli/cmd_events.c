// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_events.c: "events PID [--follow]", the ring of MMU-notifier
 * invalidations (PID/events).  --follow re-reads the ring every
 * --interval ms and prints what is new (by sequence number), saying how
 * many were lost when the ring overtook it; it ends when the process
 * exits (a "release" event, or /proc/PID gone or a zombie: exit 0) or on
 * a signal.  With --json, --follow prints one JSON
 * object a line.  Reading the ring, the rows and telling that the
 * process is gone are watch's too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmview-cli.h"

static struct json_object *event_json(const struct vmv_event *e)
{
	struct json_object *o = json_object_new_object();

	vmv_json_add_u64(o, "seq", e->seq);
	vmv_json_add_str(o, "event", e->event);
	vmv_json_add_hex(o, "start", e->start);
	vmv_json_add_hex(o, "end", e->end);
	vmv_json_add_u64(o, "size_bytes", e->end - e->start);
	return o;
}

/* An event as a text row, and the header over such rows (unless -n). */
void vmv_event_fprint(FILE *f, const struct vmv_event *e)
{
	char s[24];

	fprintf(f, "%8" PRIu64 " %-16s %012" PRIx64 "  %012" PRIx64 " %6s\n",
		e->seq, e->event, e->start, e->end,
		vmv_size(s, sizeof(s), e->end - e->start));
}

void vmv_events_header(FILE *f)
{
	if (!vmv_opts.noheadings)
		fprintf(f, "%8s %-16s %-12s  %-12s %6s\n", "SEQ", "EVENT",
			"START", "END", "SIZE");
}

static void print_event(const struct vmv_event *e)
{
	if (vmv_opts.json) {
		struct json_object *o = event_json(e);

		vmv_json_print(o);
		json_object_put(o);
		return;
	}
	vmv_event_fprint(stdout, e);
}

static void print_header(void)
{
	if (!vmv_opts.json)
		vmv_events_header(stdout);
}

/*
 * Read and parse PID/events into ev.  With quiet_exit, a process that is
 * gone (ESRCH, EIO, ENOENT) is -ESRCH, unreported; any other failure is
 * reported, and its exit code returned.
 */
int vmv_events_read(pid_t pid, struct vmv_events *ev, bool quiet_exit)
{
	char *text;
	int ret;

	ret = vmv_read_pid_raw(pid, "events", &text);
	if (ret && quiet_exit && (ret == -ESRCH || ret == -EIO ||
				  ret == -ENOENT))
		return -ESRCH;
	if (ret)
		return vmv_pid_errno(pid, "events", ret);
	ret = vmv_parse_events(text, ev);
	free(text);
	if (ret)
		return vmv_err(VMV_EXIT_FAIL,
			       "PID %d: cannot parse line %d of events",
			       (int)pid, ret);
	return 0;
}

/* Gone, or a zombie whose mm is released: nothing more will happen. */
bool vmv_pid_gone(pid_t pid)
{
	char path[VMV_PATH_MAX], *text, *p;
	bool gone;

	vmv_path(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (vmv_read_path(path, &text, NULL))
		return true;
	p = strrchr(text, ')');
	gone = !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
	free(text);
	return gone;
}

/* Where the events printed so far end. */
struct seen {
	uint64_t last;		/* the last seq printed */
	bool any;		/* anything printed yet */
	bool released;		/* a release event: the mm is gone */
};

/*
 * Print the events of ev after the last one printed (saying how many
 * were dropped in between), then free ev.
 */
static void print_new(struct vmv_events *ev, struct seen *s)
{
	size_t i;

	for (i = 0; i < ev->n; i++) {
		if (s->any && ev->v[i].seq <= s->last)
			continue;
		if (s->any && ev->v[i].seq > s->last + 1 && !vmv_opts.json)
			printf("# dropped: %" PRIu64 "\n",
			       ev->v[i].seq - s->last - 1);
		print_event(&ev->v[i]);
		s->last = ev->v[i].seq;
		s->any = true;
		s->released |= !strcmp(ev->v[i].event, "release");
	}
	fflush(stdout);
	vmv_events_free(ev);
}

static int follow(pid_t pid, struct seen *s)
{
	struct timespec ts = {
		.tv_sec = vmv_opts.interval_ms / 1000,
		.tv_nsec = (vmv_opts.interval_ms % 1000) * 1000000L,
	};
	struct vmv_events ev;
	int ret;

	for (;;) {
		bool gone = s->released || vmv_pid_gone(pid);

		if (!gone)
			nanosleep(&ts, NULL);
		memset(&ev, 0, sizeof(ev));
		ret = vmv_events_read(pid, &ev, true);
		if (ret == -ESRCH)
			gone = true;
		else if (ret)
			return ret;
		print_new(&ev, s);
		if (gone) {
			fprintf(stderr, "vmview-cli: PID %d exited\n",
				(int)pid);
			return 0;
		}
	}
}

int vmv_cmd_events(int argc, char **argv)
{
	struct vmv_events ev;
	struct seen s = { 0 };
	pid_t pid;
	size_t i;
	int ret;

	ret = vmv_begin("events", "PID [--follow]", argc, argv, 1, &pid);
	if (ret)
		return ret;
	ret = vmv_events_read(pid, &ev, false);
	if (ret)
		return ret;
	if (vmv_opts.json && !vmv_opts.follow) {
		struct json_object *o = json_object_new_object();
		struct json_object *a = json_object_new_array();

		vmv_json_add_i64(o, "pid", pid);
		vmv_json_add_u64(o, "dropped", ev.dropped);
		for (i = 0; i < ev.n; i++)
			json_object_array_add(a, event_json(&ev.v[i]));
		vmv_json_add(o, "events", a);
		vmv_json_print(o);
		json_object_put(o);
		vmv_events_free(&ev);
		return 0;
	}
	print_header();
	if (ev.dropped && !vmv_opts.json)
		printf("# dropped: %" PRIu64 "\n", ev.dropped);
	print_new(&ev, &s);
	return vmv_opts.follow ? follow(pid, &s) : 0;
}

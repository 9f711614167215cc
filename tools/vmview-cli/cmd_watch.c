// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_watch.c: "watch PID [--range A-B] [--interval S]", a full-screen
 * view of a process that redraws itself: summary's counts, map's picture
 * and the latest events.  Each section is printed by its command's own
 * code (vmv_summary_fprint(), vmv_map_fprint(), vmv_event_fprint()) into
 * a buffer; this file only lays the lines out on the window, cropped to
 * its width, and decides when to draw.
 *
 * The screen is plain ANSI escapes (the alternate screen, cursor shown
 * and hidden, cursor position, erase to the end of the line) and
 * termios, not curses: those few sequences are what every terminal
 * vmview meets understands (xterm's and the VT100's), a frame a second
 * needs none of curses' optimisation, and the CLI keeps its two
 * libraries; the test guests' static builds would need libncurses and a
 * terminfo database in their initramfs too.
 *
 * When: every --interval seconds (default 1), and as soon as PID/events
 * has an event it did not show (read every EVENTS_POLL_MS at most: a
 * debugfs file cannot be poll()ed for new data), on a key other than q,
 * and on SIGWINCH (at the size TIOCGWINSZ gives).
 *
 * Leaving: q, Q or Ctrl-C (ISIG is off, so Ctrl-C is a key) and SIGINT
 * (taken from a signalfd) end it with 0.  SIGTERM, SIGHUP and SIGPIPE go
 * through track.c's handler, which first calls screen_leave() (only
 * async-signal-safe calls) and untracks; the CLI then dies of the signal
 * as every command does.  The process exiting, or the module unloaded,
 * is said on the last line for HOLD_MS (any key leaves sooner), then
 * again on stderr once the terminal is back: exit 0 and 4.
 *
 * While the screen is up, stderr goes to a temporary file (what the
 * shared loaders report with vmv_err() would be lost with the
 * alternate screen), copied to the real stderr when the screen is left.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vmview-cli.h"

#define SYNOPSIS	"PID [--range A-B] [--interval S]"
#define EVENTS_POLL_MS	200	/* how often PID/events is read */
#define HOLD_MS		2000	/* the last frame, saying why */
#define NAME_COLS	16	/* what a map row keeps for the name */
#define MIN_BAR		8
#define MIN_EVENTS	3	/* events kept when the map is cut */
#define MIN_MAP_ROWS	4	/* map rows kept, or the counts go */
#define MAP_HEAD	2	/* totals, legend; the header unless -n */
#define KEY_CTRL_C	3

/* What the screen changed, for screen_leave() (also from a handler). */
static struct {
	volatile sig_atomic_t on;
	struct termios saved;
	int saved_err;		/* the real stderr, while held */
	int held;		/* where stderr goes meanwhile */
	FILE *held_file;
} scr = { .saved_err = -1, .held = -1 };

struct watch {
	pid_t pid;
	uint64_t start, end;		/* --range, or all */
	unsigned int interval_ms;
	int rows, cols;
	char comm[64];
	/* the last frame's sections, as printed */
	char *counts, *map, *events;
	uint64_t last_seq;		/* the newest event shown */
	bool any_seq;
	bool released;			/* a release event: mm gone */
	char status[256];		/* shown on the last line, if any */
};

enum end_why { GOES_ON, QUIT, EXITED, UNLOADED };

/* 64 bits: a 32-bit long of milliseconds overflows after 24 days up */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * (int64_t)1000 + ts.tv_nsec / 1000000;
}

/* Write it all (a frame is larger than a tty's buffer); errors ignored. */
static void write_all(int fd, const char *s, size_t len)
{
	vmv_write_fd(fd, s, len);
}

/*
 * Put the terminal back: main screen, cursor, settings, then what was
 * said on stderr meanwhile.  Async-signal-safe; does nothing twice.
 */
static void screen_leave(void)
{
	static const char seq[] = "\033[0m\033[?25h\033[?1049l";
	char buf[512];
	ssize_t n;

	if (!scr.on)
		return;
	scr.on = 0;
	write_all(STDOUT_FILENO, seq, sizeof(seq) - 1);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &scr.saved);
	if (scr.saved_err < 0)
		return;
	dup2(scr.saved_err, STDERR_FILENO);
	close(scr.saved_err);
	scr.saved_err = -1;
	if (lseek(scr.held, 0, SEEK_SET) == 0)
		while ((n = read(scr.held, buf, sizeof(buf))) > 0)
			write_all(STDERR_FILENO, buf, n);
}

static int screen_enter(void)
{
	static const char seq[] = "\033[?1049h\033[?25l\033[H\033[2J";
	struct termios raw;
	sigset_t all, old;

	if (tcgetattr(STDIN_FILENO, &scr.saved))
		return vmv_err(VMV_EXIT_FAIL,
			       "cannot read the terminal's settings: %s",
			       strerror(errno));
	raw = scr.saved;
	/* keys one at a time, unechoed; Ctrl-C and Ctrl-S are keys */
	raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	raw.c_iflag &= ~(IXON | ICRNL);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;

	fflush(stderr);
	scr.held_file = tmpfile();
	if (scr.held_file) {
		scr.held = fileno(scr.held_file);
		scr.saved_err = dup(STDERR_FILENO);
	}
	vmv_track_on_signal(screen_leave);
	atexit(screen_leave);
	/* a signal now finds the screen either untouched or marked on */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	scr.on = 1;
	if (scr.saved_err >= 0)
		dup2(scr.held, STDERR_FILENO);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	write_all(STDOUT_FILENO, seq, sizeof(seq) - 1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

static void window_size(struct watch *w)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_col ||
	    !ws.ws_row) {
		ws.ws_col = 80;
		ws.ws_row = 24;
	}
	w->cols = ws.ws_col;
	w->rows = ws.ws_row;
}

/*
 * What the process names (its comm, its files) goes to the terminal:
 * control characters, an escape's first, become '?'.
 */
static void sanitize(char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static bool module_loaded(void)
{
	char path[VMV_PATH_MAX];

	return vmv_exists(vmv_path(path, sizeof(path), VMVIEW_PROC_STATUS));
}

/* The map's bar: what a row leaves of the window (map's rows, widened). */
static int bar_width(const struct watch *w, const struct vmv_map *m)
{
	/* "ADDR SIZE PERM |bar| NAME": the address, 16 and the name */
	int bar = w->cols - vmv_addr_digits(&m->vmas) - 16 - NAME_COLS;

	if (bar < MIN_BAR)
		return MIN_BAR;
	return bar < VMV_MAP_MAX_BAR ? bar : VMV_MAP_MAX_BAR;
}

static char *print_events(struct watch *w, const struct vmv_events *ev)
{
	size_t len, i, shown;
	char *text = NULL;
	FILE *f;

	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	vmv_events_header(f);
	/* the newest a window can show, of those in the range */
	for (i = ev->n, shown = 0; i > 0 && shown < (size_t)w->rows; i--) {
		const struct vmv_event *e = &ev->v[i - 1];

		shown += e->end > w->start && e->start < w->end;
	}
	for (; i < ev->n; i++) {
		const struct vmv_event *e = &ev->v[i];

		w->released |= !strcmp(e->event, "release");
		if (e->end > w->start && e->start < w->end)
			vmv_event_fprint(f, e);
	}
	if (ev->n) {
		w->last_seq = ev->v[ev->n - 1].seq;
		w->any_seq = true;
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * Read everything and print the sections of a frame at the window's
 * width; the last frame's stay when anything fails.  Returns 0 or the
 * exit code of what failed (reported).
 */
static int gather(struct watch *w)
{
	char *counts = NULL, *map = NULL, *events;
	struct vmv_events ev = { 0 };
	struct vmv_kvs mm = { 0 };
	struct vmv_map m;
	size_t len, i;
	FILE *f;
	int ret;

	ret = vmv_load_mm(w->pid, &mm);
	if (ret)
		return ret;
	ret = vmv_map_load(w->pid, w->start, w->end, &m);
	if (ret)
		goto out_mm;
	ret = vmv_events_read(w->pid, &ev, false);
	if (ret)
		goto out_map;
	for (i = 0; i < m.vmas.n; i++)
		sanitize(m.vmas.v[i].name);
	for (i = 0; i < mm.n; i++)
		sanitize(mm.v[i].val);
	snprintf(w->comm, sizeof(w->comm), "%s",
		 vmv_kv_get(&mm, "comm") ? vmv_kv_get(&mm, "comm") : "?");

	f = open_memstream(&counts, &len);
	if (f) {
		vmv_summary_fprint(f, w->pid, &mm, m.total_vmas, w->cols);
		if (fclose(f))
			counts = NULL;
	}
	f = open_memstream(&map, &len);
	if (f) {
		vmv_map_fprint(f, &m, w->pid, w->comm, bar_width(w, &m));
		if (fclose(f))
			map = NULL;
	}
	events = print_events(w, &ev);
	if (!counts || !map || !events) {
		free(counts);
		free(map);
		free(events);
		ret = vmv_err(VMV_EXIT_FAIL, "out of memory");
		goto out_events;
	}
	free(w->counts);
	free(w->map);
	free(w->events);
	w->counts = counts;
	w->map = map;
	w->events = events;
out_events:
	vmv_events_free(&ev);
out_map:
	vmv_map_free(&m);
out_mm:
	vmv_kvs_free(&mm);
	return ret;
}

/*
 * Has PID/events an event not shown yet (*fresh)?  Returns 0, or the
 * exit code of a failure (reported), VMV_EXIT_EXITED when the process is
 * gone (not reported).
 */
static int new_events(struct watch *w, bool *fresh)
{
	struct vmv_events ev = { 0 };
	int ret;

	ret = vmv_events_read(w->pid, &ev, true);
	if (ret)
		return ret == -ESRCH ? VMV_EXIT_EXITED : ret;
	*fresh = ev.n && (!w->any_seq || ev.v[ev.n - 1].seq != w->last_seq);
	vmv_events_free(&ev);
	return 0;
}

/*
 * The lines of a section, empty ones left out when asked: the first
 * ARRAY_SIZE(s) kept (more than a window has), all counted in total.
 */
struct lines {
	const char *s[512];
	int len[512];
	int n, total;
};

static int lines_in(const char *text)
{
	int n = 0;

	for (; text && *text; text++)
		n += *text == '\n';
	return n;
}

static void add_len(struct lines *l, const char *s, int len)
{
	l->total++;
	if (l->n < (int)ARRAY_SIZE(l->s)) {
		l->s[l->n] = s;
		l->len[l->n++] = len;
	}
}

static void add_line(struct lines *l, const char *s)
{
	add_len(l, s, strlen(s));
}

static void add_lines(struct lines *l, const char *text, bool skip_empty)
{
	const char *p = text, *e;

	while (p && *p) {
		e = strchrnul(p, '\n');
		if (e > p || !skip_empty)
			add_len(l, p, e - p);
		p = *e ? e + 1 : e;
	}
}

/*
 * A line cropped to cols columns (a UTF-8 sequence a column, the
 * colours' escapes none), the rest of the screen line erased.  Erasing
 * from the last column would erase its character: not done then.
 */
static void put_line(FILE *o, const char *s, int len, int cols)
{
	bool escapes = false;
	int i = 0, width = 0;

	while (i < len) {
		unsigned char c = s[i];

		if (c == '\033' && i + 1 < len && s[i + 1] == '[') {
			int j = i + 2;

			while (j < len && (s[j] < 0x40 || s[j] > 0x7e))
				j++;
			fwrite(s + i, 1, j + 1 - i, o);
			i = j + 1;
			escapes = true;
			continue;
		}
		if ((c & 0xc0) != 0x80 && width++ == cols)
			break;
		fputc(c < 0x20 || c == 0x7f ? '?' : c, o);
		i++;
	}
	if (escapes)
		fputs("\033[0m", o);
	if (width < cols)
		fputs("\033[K", o);
}

/*
 * The frame: title, counts, the map (cut, saying how much, when the
 * window is too short) and the newest events that fit, at least
 * MIN_EVENTS of them; the status over the last line.  A short window
 * loses the counts first, then map rows.
 */
static void draw(struct watch *w)
{
	struct lines *l = calloc(1, sizeof(*l)), map = { 0 }, ev = { 0 };
	char title[256], more[64], range[64] = "", clock[16];
	int i, room, evrows, maprows, want, heads = !vmv_opts.noheadings;
	time_t t = time(NULL);
	char *frame = NULL;
	size_t len;
	FILE *o;

	if (!l)
		return;
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&t));
	if (w->start || w->end != UINT64_MAX)
		snprintf(range, sizeof(range), ", range %" PRIx64 "-%" PRIx64,
			 w->start, w->end);
	snprintf(title, sizeof(title),
		 "vmview-cli watch: PID %d (%s)%s, every %gs, %s; q quits",
		 (int)w->pid, w->comm, range, w->interval_ms / 1000.0, clock);
	add_lines(&map, w->map, true);
	add_lines(&ev, w->events, false);
	add_line(l, title);
	/*
	 * The counts only where the map keeps its head and MIN_MAP_ROWS
	 * rows, and the events theirs: the map's head has the totals.
	 */
	evrows = ev.n - heads;
	want = evrows < MIN_EVENTS ? evrows : MIN_EVENTS;
	room = MAP_HEAD + heads + MIN_MAP_ROWS;
	if (room > map.n)
		room = map.n;
	if (1 + lines_in(w->counts) + 1 + room + 1 + heads + want <= w->rows) {
		add_lines(l, w->counts, false);
		add_line(l, "");
	}

	/* what is left for the map and the events (a blank between) */
	room = w->rows - l->n - 1;
	if (map.total + 1 + heads + evrows > room) {
		maprows = room - 1 - heads - want;
		if (maprows > map.n)
			maprows = map.n;
		evrows = room - 1 - heads - (maprows > 0 ? maprows : 0);
	} else {
		maprows = map.n;
	}
	if (evrows > ev.n - heads)
		evrows = ev.n - heads;
	if (evrows < 0)
		evrows = 0;
	for (i = 0; i < maprows; i++) {
		if (i == maprows - 1 && maprows < map.total) {
			snprintf(more, sizeof(more),
				 "... %d more rows: a taller window shows them",
				 map.total - i);
			add_line(l, more);
			break;
		}
		add_len(l, map.s[i], map.len[i]);
	}
	add_line(l, "");
	for (i = 0; i < heads && i < ev.n; i++)
		add_len(l, ev.s[i], ev.len[i]);
	for (i = ev.n - evrows; i < ev.n; i++)
		add_len(l, ev.s[i], ev.len[i]);

	o = open_memstream(&frame, &len);
	if (!o) {
		free(l);
		return;
	}
	for (i = 0; i < w->rows; i++) {
		fprintf(o, "\033[%d;1H", i + 1);
		if (i == w->rows - 1 && *w->status) {
			fputs("\033[7m", o);
			put_line(o, w->status, strlen(w->status), w->cols);
		} else if (i < l->n) {
			put_line(o, l->s[i], l->len[i], w->cols);
		} else {
			fputs("\033[K", o);
		}
	}
	if (!fclose(o))
		write_all(STDOUT_FILENO, frame, len);
	free(frame);
	free(l);
}

/* What a failure means: the process gone, the module gone, or neither. */
static enum end_why why_failed(struct watch *w, int ret)
{
	if (!module_loaded())
		return UNLOADED;
	if (ret == VMV_EXIT_EXITED || w->released || vmv_pid_gone(w->pid))
		return EXITED;
	return GOES_ON;
}

/* Keys waiting: q, Q, Ctrl-C quit; anything else asks for a redraw. */
static enum end_why read_keys(bool *redraw)
{
	char buf[64];
	ssize_t n, i;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	for (i = 0; i < n; i++) {
		if (buf[i] == 'q' || buf[i] == 'Q' || buf[i] == KEY_CTRL_C)
			return QUIT;
		*redraw = true;
	}
	return GOES_ON;
}

/* The signalfd's signals: SIGINT quits, SIGWINCH asks for a redraw. */
static enum end_why read_signals(int sfd, struct watch *w, bool *redraw)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGINT)
			return QUIT;
		window_size(w);
		*redraw = true;
	}
	return GOES_ON;
}

/*
 * Until a key or a signal ends it, or the process or the module goes
 * (then said on the last line for HOLD_MS).  Returns why, or GOES_ON
 * with *err the exit code of a failure (reported).
 */
static enum end_why run(struct watch *w, int sfd, int *err)
{
	int64_t next_draw = 0, next_poll = 0, now, hold_until = 0;
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	enum end_why why, end = GOES_ON;
	bool redraw = false;
	off_t mark = 0;
	int ret, timeout;

	/* the first frame, gathered before the screen */
	draw(w);
	next_draw = now_ms() + w->interval_ms;
	for (;;) {
		now = now_ms();
		if (end != GOES_ON && now >= hold_until)
			return end;
		if (end == GOES_ON &&
		    (redraw || now >= next_draw || now >= next_poll)) {
			bool fresh = redraw || now >= next_draw;

			/* a failure that means the end: its report dropped */
			if (scr.held >= 0)
				mark = lseek(scr.held, 0, SEEK_CUR);
			ret = 0;
			if (w->released || vmv_pid_gone(w->pid))
				ret = VMV_EXIT_EXITED;
			else if (!fresh)
				ret = new_events(w, &fresh);
			if (!ret && fresh) {
				ret = gather(w);
				if (!ret) {
					draw(w);
					next_draw = now + w->interval_ms;
					redraw = false;
				}
			}
			/* a release event is shown, then it ends */
			if (!ret && w->released)
				ret = VMV_EXIT_EXITED;
			if (ret) {
				end = why_failed(w, ret);
				if (end == GOES_ON) {
					*err = ret;
					return GOES_ON;
				}
				if (scr.held >= 0 && mark >= 0 &&
				    !ftruncate(scr.held, mark))
					lseek(scr.held, mark, SEEK_SET);
				snprintf(w->status, sizeof(w->status),
					 end == EXITED ?
					 "PID %d exited: watch ends (any key leaves now)" :
					 "the vmview module was unloaded: watch ends (any key leaves now)",
					 (int)w->pid);
				draw(w);
				hold_until = now + HOLD_MS;
				continue;
			}
			next_poll = now + (w->interval_ms < EVENTS_POLL_MS ?
					   w->interval_ms : EVENTS_POLL_MS);
		}
		timeout = (int)((end != GOES_ON ? hold_until :
				next_poll < next_draw ? next_poll : next_draw) -
				now);
		pfd[0].revents = 0;
		pfd[1].revents = 0;
		if (poll(pfd, 2, timeout > 0 ? timeout : 0) < 0 &&
		    errno != EINTR) {
			*err = vmv_err(VMV_EXIT_FAIL, "poll: %s",
				       strerror(errno));
			return GOES_ON;
		}
		if (pfd[0].revents & (POLLHUP | POLLERR))
			return QUIT;	/* the terminal went away */
		if (pfd[0].revents & POLLIN) {
			why = read_keys(&redraw);
			if (why != GOES_ON || end != GOES_ON)
				return end != GOES_ON ? end : why;
		}
		if (pfd[1].revents & POLLIN) {
			why = read_signals(sfd, w, &redraw);
			if (why != GOES_ON)
				return end != GOES_ON ? end : why;
			if (end != GOES_ON && redraw)
				draw(w);
		}
	}
}

int vmv_cmd_watch(int argc, char **argv)
{
	struct watch w = { .start = 0, .end = UINT64_MAX };
	enum end_why why;
	sigset_t set, old;
	int ret, sfd, err = 0;

	/* what is wrong with the command line first, then the terminal */
	if (argc != 1)
		return vmv_begin("watch", SYNOPSIS, argc, argv, 1, &w.pid);
	ret = vmv_parse_pid(argv[0], &w.pid);
	if (ret)
		return ret;
	if (vmv_opts.range && vmv_parse_range(vmv_opts.range, &w.start,
					      &w.end))
		return vmv_err(VMV_EXIT_BAD_ADDR,
			       "bad range '%s': give START-END in hex, START below END, as in /proc/PID/maps",
			       vmv_opts.range);
	if (vmv_opts.json)
		return vmv_err(VMV_EXIT_USAGE,
			       "watch draws on a terminal and has no JSON form: use summary, map and events with -j");
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return vmv_err(VMV_EXIT_USAGE,
			       "watch needs a terminal: standard %s is not one; for a snapshot use 'vmview-cli summary', 'map' and 'events'",
			       isatty(STDOUT_FILENO) ? "input" : "output");
	w.interval_ms = vmv_opts.interval_s ? vmv_opts.interval_s * 1000 :
			1000;

	ret = vmv_begin("watch", SYNOPSIS, argc, argv, 1, &w.pid);
	if (ret)
		return ret;
	/* the first frame's failures are reported before the screen */
	window_size(&w);
	ret = gather(&w);
	if (ret)
		goto out;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		ret = vmv_err(VMV_EXIT_FAIL, "signalfd: %s", strerror(errno));
		goto out_mask;
	}
	ret = screen_enter();
	if (ret)
		goto out_sfd;
	why = run(&w, sfd, &err);
	screen_leave();

	if (why == EXITED)
		fprintf(stderr, "vmview-cli: PID %d exited\n", (int)w.pid);
	else if (why == UNLOADED)
		err = vmv_err(VMV_EXIT_NO_MODULE,
			      "the vmview module was unloaded while watch ran: load it again and restart watch");
	ret = err;
out_sfd:
	close(sfd);
out_mask:
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	free(w.counts);
	free(w.map);
	free(w.events);
	return ret;
}

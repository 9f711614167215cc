/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running vmview-cli ($VMVIEW_CLI) from a kselftest and reading its
 * JSON, for vmview_cli.c and vmview_latency.c: a small JSON parser of
 * our own (the harness builds with no library; it also checks that the
 * output is valid JSON), run_cli_ex() and CLI(), and a hot-added zram
 * device for what needs a block device whose page cache can be dropped.
 */
#ifndef VMVIEW_CLIRUN_H
#define VMVIEW_CLIRUN_H

#include <ctype.h>
#include <signal.h>
#include <sys/wait.h>

#include "vmview_util.h"

/* --- a small JSON reader -------------------------------------------------- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	long long num;		/* a number with a fraction: truncated */
	double dbl;
	char *str;
	size_t n;
	char **keys;
	struct jv **items;
};

static inline void jfree(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jfree(v->items[i]);
	}
	free(v->keys);
	free(v->items);
	free(v->str);
	free(v);
}

static inline const char *jws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static inline struct jv *jparse_value(const char **pp, int depth);

static inline char *jparse_string(const char **pp)
{
	const char *p = *pp + 1;
	size_t cap = 64, n = 0;
	char *s = malloc(cap);

	while (s && *p && *p != '"') {
		char c = *p++;

		if ((unsigned char)c < 0x20)
			goto bad;
		if (c == '\\') {
			c = *p++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u':
				if (!isxdigit(p[0]) || !isxdigit(p[1]) ||
				    !isxdigit(p[2]) || !isxdigit(p[3]))
					goto bad;
				c = '?';	/* not needed here */
				p += 4;
				break;
			case '"':
			case '\\':
			case '/':
				break;
			default:
				goto bad;
			}
		}
		if (n + 2 > cap) {
			char *ns = realloc(s, cap *= 2);

			if (!ns)
				goto bad;
			s = ns;
		}
		s[n++] = c;
	}
	if (!s || *p != '"')
		goto bad;
	s[n] = '\0';
	*pp = p + 1;
	return s;
bad:
	free(s);
	return NULL;
}

static inline int jadd(struct jv *v, char *key, struct jv *item)
{
	char **nk = v->t == J_OBJ ? realloc(v->keys, (v->n + 1) * sizeof(*nk)) :
		    NULL;
	struct jv **ni = realloc(v->items, (v->n + 1) * sizeof(*ni));

	if (v->t == J_OBJ) {
		if (!nk)
			return -1;
		v->keys = nk;
		v->keys[v->n] = key;
	}
	if (!ni)
		return -1;
	v->items = ni;
	v->items[v->n++] = item;
	return 0;
}

static inline struct jv *jparse_value(const char **pp, int depth)
{
	struct jv *v = calloc(1, sizeof(*v)), *item;
	const char *p = jws(*pp);
	char *key, *end;

	if (!v || depth > 32)
		goto bad;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		v->t = *p == '{' ? J_OBJ : J_ARR;
		p = jws(p + 1);
		if (*p == close) {
			*pp = p + 1;
			return v;
		}
		for (;;) {
			key = NULL;
			if (v->t == J_OBJ) {
				if (*p != '"')
					goto bad;
				key = jparse_string(&p);
				if (!key)
					goto bad;
				p = jws(p);
				if (*p++ != ':') {
					free(key);
					goto bad;
				}
			}
			item = jparse_value(&p, depth + 1);
			if (!item || jadd(v, key, item)) {
				free(key);
				jfree(item);
				goto bad;
			}
			p = jws(p);
			if (*p == ',') {
				p = jws(p + 1);
				continue;
			}
			if (*p++ != close)
				goto bad;
			*pp = p;
			return v;
		}
	}
	if (*p == '"') {
		v->t = J_STR;
		v->str = jparse_string(&p);
		if (!v->str)
			goto bad;
	} else if (*p == '-' || isdigit(*p)) {
		v->t = J_NUM;
		errno = 0;
		if (*p == '-')
			v->num = strtoll(p, &end, 10);
		else
			v->num = (long long)strtoull(p, &end, 10);
		if (end == p || errno)
			goto bad;
		v->dbl = v->num;
		if (*end == '.' || *end == 'e' || *end == 'E') {
			v->dbl = strtod(p, &end);
			if (errno)
				goto bad;
		}
		p = end;
	} else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
		v->t = J_BOOL;
		v->num = *p == 't';
		p += v->num ? 4 : 5;
	} else if (!strncmp(p, "null", 4)) {
		v->t = J_NULL;
		p += 4;
	} else {
		goto bad;
	}
	*pp = p;
	return v;
bad:
	jfree(v);
	return NULL;
}

/* One whole JSON value (and nothing after it but blanks), or NULL. */
static inline struct jv *jparse(const char *text)
{
	const char *p = text;
	struct jv *v = text ? jparse_value(&p, 0) : NULL;

	if (v && *jws(p)) {
		jfree(v);
		v = NULL;
	}
	return v;
}

/* "a.b.3.c": object members and array indexes; NULL when absent/null. */
static inline struct jv *jget(struct jv *v, const char *path)
{
	char buf[128], *save, *k;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); v && k;
	     k = strtok_r(NULL, ".", &save)) {
		if (v->t == J_ARR) {
			i = strtoul(k, NULL, 10);
			v = i < v->n ? v->items[i] : NULL;
		} else if (v->t == J_OBJ) {
			for (i = 0; i < v->n && strcmp(v->keys[i], k); i++)
				;
			v = i < v->n ? v->items[i] : NULL;
		} else {
			v = NULL;
		}
	}
	return v && v->t != J_NULL ? v : NULL;
}

static inline long long jnum(struct jv *v, const char *path)
{
	struct jv *x = jget(v, path);

	return x && x->t == J_NUM ? x->num : -1;
}

/* A number, with its fraction; -1 when absent. */
static inline double jdbl(struct jv *v, const char *path)
{
	struct jv *x = jget(v, path);

	return x && x->t == J_NUM ? x->dbl : -1;
}

static inline const char *jstr(struct jv *v, const char *path)
{
	struct jv *x = jget(v, path);

	return x && x->t == J_STR ? x->str : NULL;
}

/* "0x..." strings, as the CLI writes addresses; ~0 when absent. */
static inline unsigned long long jhex(struct jv *v, const char *path)
{
	const char *s = jstr(v, path);

	return s ? strtoull(s, NULL, 16) : ~0ULL;
}

static inline size_t jlen(struct jv *v, const char *path)
{
	struct jv *x = jget(v, path);

	return x && (x->t == J_ARR || x->t == J_OBJ) ? x->n : 0;
}

/* Does the array hold this string? */
static inline bool jhas(struct jv *arr, const char *s)
{
	size_t i;

	for (i = 0; arr && arr->t == J_ARR && i < arr->n; i++)
		if (arr->items[i]->t == J_STR && !strcmp(arr->items[i]->str, s))
			return true;
	return false;
}

/* Is pid tracked by vmview (its debugfs directory is there)? */
static inline bool tracked(pid_t pid)
{
	char path[128];

	vmv_pid_path(path, sizeof(path), pid, NULL);
	return access(path, F_OK) == 0;
}

/* --- running the CLI ----------------------------------------------------- */

struct run {
	int status;		/* exit status, or 128 + signal */
	char *out, *err;
	struct jv *json;	/* stdout parsed, when it is JSON */
};

static inline const char *cli_path(void)
{
	const char *p = getenv("VMVIEW_CLI");

	return p && *p ? p : "/vmview/vmview-cli";
}

static inline void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	jfree(r->json);
	memset(r, 0, sizeof(*r));
}

/* What a child does before it runs the CLI (drop a capability ...). */
typedef void (*prep_fn)(void);

/*
 * Run the CLI with the NULL-terminated arguments; with signal_after_ms,
 * send sig that long after the CLI has tracked wait_pid.
 */
static inline struct run run_cli_ex(prep_fn prep, int sig,
				    int signal_after_ms, pid_t wait_pid,
				    const char *const *args)
{
	char out[64], err[64];
	const char *argv[32];
	struct run r = { 0 };
	int i, st;
	pid_t pid;

	snprintf(out, sizeof(out), "/tmp/vmv_cli.%d.out", (int)getpid());
	snprintf(err, sizeof(err), "/tmp/vmv_cli.%d.err", (int)getpid());
	argv[0] = "vmview-cli";
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	fflush(NULL);
	pid = fork();
	if (!pid) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fo < 0 || fe < 0)
			_exit(126);
		dup2(fo, 1);
		dup2(fe, 2);
		unsetenv("VMVIEW_ROOT");
		setenv("NO_COLOR", "1", 1);
		if (prep)
			prep();
		execv(cli_path(), (char **)argv);
		_exit(127);
	}
	if (signal_after_ms) {
		for (i = 0; i < 1000 && wait_pid && !tracked(wait_pid); i++)
			usleep(10000);
		usleep(signal_after_ms * 1000);
		kill(pid, sig);
	}
	waitpid(pid, &st, 0);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r.out = vmv_read_file(out, NULL);
	r.err = vmv_read_file(err, NULL);
	if (!r.out)
		r.out = strdup("");
	if (!r.err)
		r.err = strdup("");
	unlink(out);
	unlink(err);
	r.json = jparse(r.out);
	return r;
}

#define CLI(...) run_cli_ex(NULL, 0, 0, 0, (const char *const[]){ __VA_ARGS__, NULL })

/* A zram device to read pages from, for the file scenario; -1 if none. */
static inline int zram_add(char *dev, size_t len)
{
	char *id = vmv_read_file("/sys/class/zram-control/hot_add", NULL);
	char path[64];
	int n, i;

	if (!id)
		return -1;
	n = atoi(id);
	free(id);
	snprintf(path, sizeof(path), "/sys/block/zram%d/disksize", n);
	if (vmv_write_file(path, "16M"))
		return -1;
	snprintf(dev, len, "/dev/zram%d", n);
	for (i = 0; i < 100 && access(dev, R_OK); i++)
		usleep(10000);
	return access(dev, R_OK) ? -1 : n;
}

static inline void zram_remove(int n)
{
	char s[16];

	if (n < 0)
		return;
	snprintf(s, sizeof(s), "%d", n);
	vmv_write_file("/sys/class/zram-control/hot_remove", s);
}

#endif /* VMVIEW_CLIRUN_H */

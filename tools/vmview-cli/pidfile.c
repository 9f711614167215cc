// SPDX-License-Identifier: GPL-2.0
/*
 * pidfile.c: the files of a tracked PID (VMVIEW_DEBUGFS_DIR/PID/...),
 * read and parsed, with what a failure means reported once.
 *
 * PID/ptes is read as PID/ptes.bin, the binary records of
 * include/uapi/vmview.h, 64 KiB at a time: a process with millions of
 * entries is never held whole, and a caller that has seen enough stops
 * the reading.  The text files (mm, vmas, translate) are read whole.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

/* Records read at a time: 64 KiB. */
#define PTES_PER_READ	2048

/* The path of PID/name, or of the PID's directory when name is NULL. */
const char *vmv_pid_path(char *buf, size_t len, pid_t pid, const char *name)
{
	return vmv_path(buf, len, VMVIEW_DEBUGFS_DIR "/%d%s%s", (int)pid,
			name ? "/" : "", name ? name : "");
}

/*
 * What a failed read or write of PID/name means, reported; returns the
 * exit code.
 */
int vmv_pid_errno(pid_t pid, const char *name, int err)
{
	char file[VMV_PATH_MAX], path[VMV_PATH_MAX];

	vmv_pid_path(file, sizeof(file), pid, name);
	vmv_path(path, sizeof(path), "/proc/%d", (int)pid);
	switch (err) {
	case -ESRCH:
		return vmv_err(VMV_EXIT_EXITED,
			       "PID %d exited (%s: ESRCH); nothing left to show",
			       (int)pid, file);
	case -EPERM:
	case -EACCES:
		return vmv_err(VMV_EXIT_NOT_ROOT,
			       "permission denied on %s: run vmview-cli as root (CAP_SYS_ADMIN)",
			       file);
	case -EIO:
	case -ENOENT:
		if (!vmv_exists(path))
			return vmv_err(VMV_EXIT_EXITED,
				       "PID %d exited while it was read (%s: %s)",
				       (int)pid, file, strerror(-err));
		if (err == -EIO)
			return vmv_err(VMV_EXIT_FAIL,
				       "%s: I/O error (its directory is being removed: was PID %d untracked or the module unloaded?)",
				       file, (int)pid);
		if (vmv_exists(vmv_pid_path(path, sizeof(path), pid, NULL)))
			return vmv_err(VMV_EXIT_NO_FEATURE,
				       "this vmview module has no %s: load a newer vmview.ko",
				       file);
		return vmv_err(VMV_EXIT_FAIL,
			       "%s vanished: PID %d was untracked by someone else, or the module was unloaded",
			       file, (int)pid);
	case -ENOMEM:
		return vmv_err(VMV_EXIT_FAIL, "PID %d: out of memory",
			       (int)pid);
	default:
		return vmv_err(VMV_EXIT_FAIL, "%s: %s", file, strerror(-err));
	}
}

/* Read PID/name whole; on error report it and return the exit code. */
int vmv_read_pid_file(pid_t pid, const char *name, char **out)
{
	int ret = vmv_read_pid_raw(pid, name, out);

	return ret ? vmv_pid_errno(pid, name, ret) : 0;
}

int vmv_read_pid_raw(pid_t pid, const char *name, char **out)
{
	char path[VMV_PATH_MAX];

	return vmv_read_path(vmv_pid_path(path, sizeof(path), pid, name), out,
			     NULL);
}

/* Returns 0 or -errno, unreported (the caller knows what EINVAL means). */
int vmv_write_pid_file(pid_t pid, const char *name, const char *s)
{
	char path[VMV_PATH_MAX];

	return vmv_write_path(vmv_pid_path(path, sizeof(path), pid, name), s);
}

/* The parsers of the text files, as load() calls them. */
static int parse_kvs(const char *text, void *out)
{
	return vmv_parse_kvs(text, out);
}

static int parse_vmas(const char *text, void *out)
{
	return vmv_parse_vmas(text, out);
}

static int parse_translate(const char *text, void *out)
{
	return vmv_parse_translate(text, out);
}

static int parse_verify(const char *text, void *out)
{
	return vmv_parse_verify(text, out);
}

static int parse_events(const char *text, void *out)
{
	return vmv_parse_events(text, out);
}

/*
 * Read PID/name whole and parse it into out; what fails (the read, a
 * line the parser cannot read, -ENOMEM) is reported.  Returns 0 or the
 * exit code.
 */
static int load(pid_t pid, const char *name,
		int (*parse)(const char *text, void *out), void *out)
{
	char *text;
	int ret;

	ret = vmv_read_pid_file(pid, name, &text);
	if (ret)
		return ret;
	ret = parse(text, out);
	free(text);
	if (ret > 0)
		return vmv_err(VMV_EXIT_FAIL,
			       "PID %d: cannot parse line %d of %s (module and CLI disagree on the format?)",
			       (int)pid, ret, name);
	return ret ? vmv_pid_errno(pid, name, ret) : 0;
}

int vmv_load_mm(pid_t pid, struct vmv_kvs *mm)
{
	return load(pid, "mm", parse_kvs, mm);
}

int vmv_load_vmas(pid_t pid, struct vmv_vmas *vmas)
{
	return load(pid, "vmas", parse_vmas, vmas);
}

int vmv_load_verify(pid_t pid, struct vmv_verify *v)
{
	return load(pid, "verify", parse_verify, v);
}

int vmv_load_events(pid_t pid, struct vmv_events *ev)
{
	return load(pid, "events", parse_events, ev);
}

struct each_pte {
	int (*rec_fn)(const struct vmview_pte *rec, void *arg);
	int (*fn)(const struct vmv_pte *pte, void *arg);
	void *arg;
	size_t nr;			/* records read */
	bool bad;			/* bad_rec is one the CLI cannot read */
	struct vmview_pte bad_rec;	/* a copy: the read buffer is freed */
	int ret;			/* fn's */
};

static int each_pte_rec(const void *rec, void *arg)
{
	struct each_pte *e = arg;
	struct vmv_pte pte;

	e->nr++;
	if (e->rec_fn) {
		e->ret = e->rec_fn(rec, e->arg);
		if (e->ret != VMV_EACH_AS_PTE)
			return e->ret ? 1 : 0;
		e->ret = 0;
	}
	if (vmv_pte_from_rec(rec, &pte)) {
		e->bad = true;
		memcpy(&e->bad_rec, rec, sizeof(e->bad_rec));
		return 1;
	}
	e->ret = e->fn(&pte, e->arg);
	return e->ret ? 1 : 0;
}

/* A record of ptes.bin this CLI cannot read, reported. */
static int bad_rec(pid_t pid, const struct each_pte *e)
{
	uint64_t meta = e->bad_rec.meta;
	unsigned int kind = meta >> VMVIEW_META_KIND_SHIFT &
			    VMVIEW_META_KIND_MASK;
	unsigned int arch = meta >> VMVIEW_META_ARCH_SHIFT &
			    VMVIEW_META_ARCH_MASK;
	unsigned int level = meta >> VMVIEW_META_LEVEL_SHIFT &
			     VMVIEW_META_LEVEL_MASK;

	return vmv_err(VMV_EXIT_FAIL,
		       "PID %d: record %zu of ptes.bin has an unknown %s (%u): a newer module than this vmview-cli?",
		       (int)pid, e->nr, kind >= VMVIEW_NR_KINDS ? "kind" :
		       arch >= VMVIEW_NR_ARCHS ? "arch" : "level",
		       kind >= VMVIEW_NR_KINDS ? kind :
		       arch >= VMVIEW_NR_ARCHS ? arch : level);
}

int vmv_each_pte(pid_t pid, int (*fn)(const struct vmv_pte *pte, void *arg),
		 void (*before_error)(void *arg), void *arg)
{
	return vmv_each_pte_rec(pid, NULL, fn, before_error, arg);
}

int vmv_each_pte_rec(pid_t pid,
		     int (*rec_fn)(const struct vmview_pte *rec, void *arg),
		     int (*fn)(const struct vmv_pte *pte, void *arg),
		     void (*before_error)(void *arg), void *arg)
{
	struct each_pte e = { .rec_fn = rec_fn, .fn = fn, .arg = arg };
	char path[VMV_PATH_MAX];
	int ret;

	vmv_pid_path(path, sizeof(path), pid, "ptes.bin");
	ret = vmv_each_record(path, sizeof(struct vmview_pte), PTES_PER_READ,
			      each_pte_rec, &e);
	if (e.ret)		/* fn stopped the reading, or failed itself */
		return e.ret == VMV_EACH_STOP ? 0 : e.ret;
	if ((e.bad || ret) && before_error)
		before_error(arg);
	if (e.bad)
		return bad_rec(pid, &e);
	if (ret == -EBADMSG)
		return vmv_err(VMV_EXIT_FAIL,
			       "PID %d: ptes.bin ends inside a record (its size is not a multiple of %zu bytes): module and CLI disagree on the format?",
			       (int)pid, sizeof(struct vmview_pte));
	return ret ? vmv_pid_errno(pid, "ptes.bin", ret) : 0;
}

/* Where user space ends, for a message: PID/mm's task_size, or "". */
static void task_size_hint(pid_t pid, char *buf, size_t len)
{
	struct vmv_kvs mm = { 0 };
	const char *ts;
	char *text;

	buf[0] = '\0';
	if (vmv_read_pid_raw(pid, "mm", &text))
		return;
	if (!vmv_parse_kvs(text, &mm) && (ts = vmv_kv_get(&mm, "task_size")))
		snprintf(buf, len, "%s", ts);
	free(text);
	vmv_kvs_free(&mm);
}

int vmv_load_translate(pid_t pid, uint64_t addr, struct vmv_translate *t)
{
	char line[32], limit[40];
	int ret;

	snprintf(line, sizeof(line), "0x%" PRIx64 "\n", addr);
	ret = vmv_write_pid_file(pid, "translate", line);
	if (ret == -EINVAL) {
		task_size_hint(pid, limit, sizeof(limit));
		if (!*limit)
			snprintf(limit, sizeof(limit), "0x%" PRIx64,
				 vmv_user_limit() + 1);
		return vmv_err(VMV_EXIT_BAD_ADDR,
			       "0x%" PRIx64 " is not a user address of PID %d (the module said EINVAL): give one below %s",
			       addr, (int)pid, limit);
	}
	if (ret)
		return vmv_pid_errno(pid, "translate", ret);
	return load(pid, "translate", parse_translate, t);
}

int vmv_pid_comm(pid_t pid, char *buf, size_t len)
{
	char path[VMV_PATH_MAX], *text;

	buf[0] = '\0';
	vmv_path(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (vmv_read_path(path, &text, NULL))
		return -1;
	text[strcspn(text, "\n")] = '\0';
	snprintf(buf, len, "%s", text);
	free(text);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * error.c: the one error helper.
 *
 * Every error is one line saying what is wrong and what to do.  In text
 * mode it goes to stderr as "vmview-cli: MESSAGE"; with --json it is a
 * JSON object on stdout, so that whoever parses stdout always gets JSON:
 *   {"error":{"code":6,"name":"no_such_pid","message":"..."}}
 * The caller returns (or exits with) the code vmv_err() hands back.
 */
#include <stdarg.h>
#include <stdio.h>

#include "vmview-cli.h"

static const char * const exit_names[] = {
	[VMV_EXIT_OK]		= "ok",
	[VMV_EXIT_FAIL]		= "failed",
	[VMV_EXIT_USAGE]	= "usage",
	[VMV_EXIT_NOT_ROOT]	= "not_root",
	[VMV_EXIT_NO_MODULE]	= "module_not_loaded",
	[VMV_EXIT_NO_DEBUGFS]	= "debugfs_not_mounted",
	[VMV_EXIT_NO_PID]	= "no_such_pid",
	[VMV_EXIT_KTHREAD]	= "kernel_thread",
	[VMV_EXIT_BAD_ADDR]	= "bad_address",
	[VMV_EXIT_EXITED]	= "target_exited",
	[VMV_EXIT_NO_FEATURE]	= "module_lacks_feature",
	[VMV_EXIT_NO_KERNEL_FEATURE] = "kernel_lacks_feature",
};

const char *vmv_exit_name(int code)
{
	if (code < 0 || (size_t)code >= ARRAY_SIZE(exit_names))
		return "failed";
	return exit_names[code];
}

int vmv_err(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (vmv_opts.json) {
		struct json_object *o = json_object_new_object();
		struct json_object *e = json_object_new_object();

		vmv_json_add_i64(e, "code", code);
		vmv_json_add_str(e, "name", vmv_exit_name(code));
		vmv_json_add_str(e, "message", msg);
		vmv_json_add(o, "error", e);
		fflush(stdout);
		vmv_json_print(o);
		json_object_put(o);
	} else {
		fflush(stdout);
		fprintf(stderr, "vmview-cli: %s\n", msg);
	}
	return code;
}

/* A warning never changes the exit code; it always goes to stderr. */
void vmv_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vmview-cli: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

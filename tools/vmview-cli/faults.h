/* SPDX-License-Identifier: GPL-2.0 */
/*
 * faults.h: between the faults framework (cmd_faults.c: the target
 * process, observing a step, printing, expectations) and the scenarios
 * (faults_scenarios.c).
 */
#ifndef VMVIEW_FAULTS_H
#define VMVIEW_FAULTS_H

#include "vmview-cli.h"

#define WHO_PARENT	0	/* the target */
#define WHO_CHILD	1	/* the target's child, after "fork" */

enum result { RES_OK, RES_FAILED, RES_SKIPPED };

struct chan {
	int cmd;		/* we write commands here */
	int reply;		/* and read replies here */
	pid_t pid;
};

/* What a step saw of one page: the walk, and the fault counters. */
struct snap {
	struct vmv_translate t;
	uint64_t minflt, majflt;
};

struct fctx {
	struct chan ch[2];
	int fatal;			/* exit code that ends the run */
	enum result result;
	char reason[512];
	struct json_object *steps;	/* this scenario's, in JSON mode */
	uint64_t last_seq[2];		/* the last event seen, if any */
	bool seq_seen[2];
	bool have_events, have_verify;
	uint64_t range_start, range_end;	/* what verify looks at */
	struct snap last;		/* what the last step saw */
	struct vmv_events last_events;
	struct vmv_verify last_verify;
	bool last_has_verify;
	char last_reply[256];		/* the target's last reply */
	long acc_min, acc_maj;		/* the faults of the access alone */
	bool has_acc;
};

/* cmd_faults.c */
int vmv_ask(struct fctx *x, int who, char *reply, size_t len,
	    const char *fmt, ...) __printf(5, 6);
int vmv_ask_addr(struct fctx *x, int who, uint64_t *addr, const char *fmt, ...)
	__printf(4, 5);
int vmv_start_child(struct fctx *x);
void vmv_stop_child(struct fctx *x);
int vmv_snap_take(struct fctx *x, int who, uint64_t addr, struct snap *s);
int vmv_step_begin(struct fctx *x, int who, struct snap *before);
int vmv_step_end(struct fctx *x, int who, const char *label, uint64_t addr,
		 const struct snap *before);
int vmv_show(struct fctx *x, int who, const char *label, uint64_t addr);
int vmv_skip_events(struct fctx *x, int who);
void vmv_note(struct fctx *x, const char *fmt, ...) __printf(2, 3);
void vmv_expect(struct fctx *x, bool cond, const char *fmt, ...) __printf(3, 4);
void vmv_skip(struct fctx *x, const char *fmt, ...) __printf(2, 3);
bool vmv_events_cover(const struct vmv_events *ev, uint64_t addr);
bool vmv_leaf_is(const struct snap *s, const char *level, const char *kind);
bool vmv_leaf_flag(const struct snap *s, const char *flag);
bool vmv_leaf_page(const struct snap *s, const char *pageflag);
uint64_t vmv_leaf_pfn(const struct snap *s);
const char *vmv_stop_of(const struct snap *s);
int vmv_pagemap_softdirty(pid_t pid, uint64_t addr);

/* faults_scenarios.c */
struct scenario {
	const char *name;
	const char *title;
	void (*run)(struct fctx *x);
};
extern const struct scenario vmv_scenarios[];
extern const size_t vmv_nr_scenarios;
void vmv_scenario_cleanup(void);

#endif /* VMVIEW_FAULTS_H */

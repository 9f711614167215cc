/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmview: what the module's files share.
 *
 * Data flows one way: a debugfs file (debugfs.c) resolves its target
 * (target.c), asks the walker (walk.c) for entries, decodes them
 * (decode.c) and formats them (fmt.c, inspect.c).  procfs.c only
 * reports status.
 */
#ifndef _VMVIEW_H
#define _VMVIEW_H

#include <linux/atomic.h>
#include <linux/types.h>

#define VMVIEW_VERSION "0.1.0"

/* main.c: test_hooks=1 adds the files that only tests may use. */
extern bool vmv_test_hooks;

/*
 * Fault injection (test_hooks=1 only): after "echo N > fail_nth" the Nth
 * allocation vmview makes from then on fails, once.  Every allocation of
 * the module goes through vmv_kzalloc(), vmv_kvzalloc(), vmv_kvmalloc()
 * or vmv_zalloc() (shadow nodes).
 */
bool vmv_should_fail(void);
void vmv_fail_nth(int n);

#include <linux/mm.h>		/* kvzalloc() before 5.17 */
#include <linux/slab.h>

static inline void *vmv_kzalloc(size_t size, gfp_t gfp)
{
	return vmv_should_fail() ? NULL : kzalloc(size, gfp);
}

static inline void *vmv_kvzalloc(size_t size, gfp_t gfp)
{
	return vmv_should_fail() ? NULL : kvzalloc(size, gfp);
}

static inline void *vmv_kvmalloc(size_t size, gfp_t gfp)
{
	return vmv_should_fail() ? NULL : kvmalloc(size, gfp);
}

/* debugfs.c: the /sys/kernel/debug/vmview tree. */
int vmv_debugfs_init(void);
void vmv_debugfs_exit(void);
/* Why debugfs could not be used (0 when it is), for /proc/vmview. */
extern int vmv_debugfs_error;

/* procfs.c: the /proc/vmview status file. */
int vmv_procfs_init(void);
void vmv_procfs_exit(void);

/*
 * The module's own allocations, live: /proc/vmview shows them, and the
 * tests check that they return to zero after untrack.
 */
enum vmv_stat {
	VMV_STAT_TARGETS,	/* struct vmv_target */
	VMV_STAT_ITERS,		/* open vmas/ptes readers */
	VMV_STAT_MIRRORS,	/* struct vmv_mirror (with a notifier) */
	VMV_NR_STATS,
};

extern atomic_long_t vmv_stats[VMV_NR_STATS];
extern const char * const vmv_stat_names[VMV_NR_STATS];

static inline void vmv_stat_inc(enum vmv_stat s)
{
	atomic_long_inc(&vmv_stats[s]);
}

static inline void vmv_stat_dec(enum vmv_stat s)
{
	atomic_long_dec(&vmv_stats[s]);
}

#endif /* _VMVIEW_H */

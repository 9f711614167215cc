/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmview: internal interfaces between the module's files.
 *
 * Data flows one way: a debugfs file (debugfs.c) resolves its target
 * (target.c), asks the walker (walk.c) for entries, decodes them
 * (decode.c) and formats them (fmt.c).  procfs.c only reports status.
 */
#ifndef _VMVIEW_H
#define _VMVIEW_H

#include <linux/types.h>

#define VMVIEW_VERSION "0.1.0"

struct dentry;

/* debugfs.c: the /sys/kernel/debug/vmview tree. */
int vmv_debugfs_init(void);
void vmv_debugfs_exit(void);

/* procfs.c: the /proc/vmview status file. */
int vmv_procfs_init(void);
void vmv_procfs_exit(void);

/* Why debugfs could not be used (0 when it is), for /proc/vmview. */
extern int vmv_debugfs_error;

unsigned int vmv_nr_tracked(void);

#endif /* _VMVIEW_H */

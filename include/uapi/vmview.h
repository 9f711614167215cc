/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmview: what the module, vmview-cli and the tests share.
 *
 * Only fixed-size __u64 fields, so that the layout is the same for every
 * compiler and architecture.  See Documentation/vmview.rst.
 */
#ifndef _UAPI_VMVIEW_H
#define _UAPI_VMVIEW_H

#include <linux/types.h>

#define VMVIEW_DEBUGFS_DIR	"/sys/kernel/debug/vmview"
#define VMVIEW_PROC_STATUS	"/proc/vmview"

#endif /* _UAPI_VMVIEW_H */

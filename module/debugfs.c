// SPDX-License-Identifier: GPL-2.0
/*
 * The /sys/kernel/debug/vmview tree.
 *
 * This file owns the directory and its files: it parses what userspace
 * writes, calls into the rest of the module and formats what comes back.
 */
#include <linux/debugfs.h>
#include <linux/err.h>

#include "vmview.h"

static struct dentry *vmv_root;
int vmv_debugfs_error;

unsigned int vmv_nr_tracked(void)
{
	return 0;
}

int vmv_debugfs_init(void)
{
	vmv_root = debugfs_create_dir("vmview", NULL);
	if (IS_ERR(vmv_root)) {
		/*
		 * Debugfs can be absent or locked down; the module still
		 * loads so that /proc/vmview can say why.
		 */
		vmv_debugfs_error = PTR_ERR(vmv_root);
		vmv_root = NULL;
		pr_warn("debugfs unavailable (%d)\n", vmv_debugfs_error);
	}
	return 0;
}

void vmv_debugfs_exit(void)
{
	debugfs_remove(vmv_root);
	vmv_root = NULL;
}

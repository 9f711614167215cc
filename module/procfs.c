// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmview: a small read-only status file.
 *
 * It owns nothing but the file; every figure comes from the other parts.
 * Readable by everyone: it shows no addresses, only the module's state.
 */
#include <linux/pgtable.h>
#include <linux/proc_fs.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>

#include "target.h"
#include "walk.h"
#include "vmview.h"

static struct proc_dir_entry *vmv_proc;

static int vmv_status_show(struct seq_file *m, void *v)
{
	int i;

	seq_printf(m, "version: %s\n", VMVIEW_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "levels: %d\n", vmv_levels());
	seq_printf(m, "tracked: %u\n", vmv_nr_tracked());
	for (i = 0; i < VMV_NR_STATS; i++)
		seq_printf(m, "alloc_%s: %ld\n", vmv_stat_names[i],
			   atomic_long_read(&vmv_stats[i]));
	if (vmv_debugfs_error)
		seq_printf(m, "debugfs: unavailable (error %d)\n",
			   vmv_debugfs_error);
	else
		seq_puts(m, "debugfs: /sys/kernel/debug/vmview\n");
	/*
	 * Under lockdown debugfs refuses to open files that can be written:
	 * track, untrack, translate and verify.  Reading stays possible.
	 */
	if (security_locked_down(LOCKDOWN_DEBUGFS))
		seq_puts(m, "lockdown: debugfs is locked down: track, untrack, translate and verify cannot be opened\n");
	else
		seq_puts(m, "lockdown: none\n");
	return 0;
}

int vmv_procfs_init(void)
{
	vmv_proc = proc_create_single("vmview", 0444, NULL, vmv_status_show);
	return vmv_proc ? 0 : -ENOMEM;
}

void vmv_procfs_exit(void)
{
	proc_remove(vmv_proc);
}

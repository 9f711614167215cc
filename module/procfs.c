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

static const char * const vmv_arch_names[] = VMVIEW_NAMES(VMVIEW_ARCHS);

/*
 * "geometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@12": each level in use,
 * from the top, with the address bits that index it and where they start
 * (vmv_level_ptrs(), vmv_level_shift(): folded levels are left out).
 */
static void vmv_status_geometry(struct seq_file *m)
{
	enum vmview_level level;

	seq_puts(m, "geometry:");
	for (level = VMVIEW_LEVEL_PGD; (int)level >= VMVIEW_LEVEL_PTE;
	     level--)
		if (!vmv_level_folded(level))
			seq_printf(m, " %s=%d@%u", vmv_level_names[level],
				   ilog2(vmv_level_ptrs(level)),
				   vmv_level_shift(level));
	seq_putc(m, '\n');
}

static int vmv_status_show(struct seq_file *m, void *v)
{
	int i;

	seq_printf(m, "version: %s\n", VMVIEW_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "levels: %d\n", vmv_levels());
	seq_printf(m, "arch: %s\n", vmv_arch_names[VMV_ARCH]);
	seq_printf(m, "entry_format: %s\n", vmv_entry_format);
	seq_printf(m, "page_shift: %d\n", PAGE_SHIFT);
	vmv_status_geometry(m);
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

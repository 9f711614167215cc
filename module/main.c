// SPDX-License-Identifier: GPL-2.0
/*
 * vmview: make a process's virtual memory visible.
 *
 * Loading the module creates /sys/kernel/debug/vmview/ (the inspector:
 * track a PID, then read its mm, vmas, ptes and translate files) and
 * /proc/vmview (a read-only status file).  Unloading untracks everything
 * and removes both.  This file owns only module init and exit; see
 * Documentation/vmview.rst.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/utsname.h>

#include "fmt.h"
#include "dump.h"
#include "inspect.h"
#include "vmview.h"
#include "walk.h"

atomic_long_t vmv_stats[VMV_NR_STATS];
const char * const vmv_stat_names[VMV_NR_STATS] = {
	[VMV_STAT_TARGETS]	= "targets",
	[VMV_STAT_ITERS]	= "readers",
	[VMV_STAT_MIRRORS]	= "mirrors",
};

/*
 * test_hooks: for the selftests only.  It adds PID/inject, which
 * corrupts one leaf of the shadow table, to prove that verify can fail.
 */
bool vmv_test_hooks;
module_param_named(test_hooks, vmv_test_hooks, bool, 0400);
MODULE_PARM_DESC(test_hooks, "Add test-only files: PID/inject and fail_nth (default: off)");

/*
 * A module built with VMVIEW_UNTESTED=1 (module/Kbuild defines
 * VMV_UNTESTED_BUILD) for a kernel no guest of guests.table tests loads
 * only when asked, for porting.
 */
#ifndef VMV_UNTESTED_BUILD
#define VMV_UNTESTED_BUILD	0
#endif
static bool vmv_untested;
module_param_named(untested, vmv_untested, bool, 0400);
MODULE_PARM_DESC(untested, "Load a module built with VMVIEW_UNTESTED=1, for porting (default: refuse)");

static int vmv_untested_check(void)
{
	if (!VMV_UNTESTED_BUILD)
		return 0;
	if (!vmv_untested) {
		pr_err("refusing to load: built with VMVIEW_UNTESTED=1 for a kernel no guest of guests.table tests; load with untested=1 to port vmview to it\n");
		pr_err("this kernel (%s, %s, %d-level paging) is not one vmview is tested on: see Documentation/vmview.rst, Supported kernels\n",
		       utsname()->machine, utsname()->release, vmv_levels());
		return -EOPNOTSUPP;
	}
	pr_warn("loading on a kernel no guest of guests.table tests (untested=1): for porting only\n");
	return 0;
}

static atomic_t vmv_fail_countdown = ATOMIC_INIT(0);

void vmv_fail_nth(int n)
{
	atomic_set(&vmv_fail_countdown, n);
}

bool vmv_should_fail(void)
{
	if (!vmv_test_hooks || !atomic_read(&vmv_fail_countdown))
		return false;
	if (atomic_dec_return(&vmv_fail_countdown))
		return false;
	pr_debug("injected an allocation failure\n");
	return true;
}

static int __init vmview_init(void)
{
	int ret;

	/*
	 * First: refuse a kernel no guest tests, unless told to load, and
	 * one vmview does not know (arch/ARCH/layout.c).
	 */
	ret = vmv_untested_check();
	if (ret)
		return ret;
	ret = vmv_layout_init();
	if (ret)
		return ret;
	vmv_fmt_init();
	vmv_folio_flags_init();

	ret = vmv_debugfs_init();
	if (ret)
		return ret;

	ret = vmv_procfs_init();
	if (ret)
		goto err_debugfs;

	pr_info("version %s loaded\n", VMVIEW_VERSION);
	return 0;

err_debugfs:
	vmv_debugfs_exit();
	return ret;
}

static void __exit vmview_exit(void)
{
	vmv_procfs_exit();
	vmv_debugfs_exit();
	vmv_dump_exit();
	pr_info("unloaded\n");
}

module_init(vmview_init);
module_exit(vmview_exit);

MODULE_DESCRIPTION("Inspect a process's page tables, VMAs and THP state");
MODULE_AUTHOR("vmview developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMVIEW_VERSION);

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mirror: the shadow page table of a tracked process, filled through the
 * kernel's own mirroring API (hmm_range_fault(), which walks with
 * walk_page_range(): a path independent of vmview's walker) and kept in
 * sync by an mmu_interval_notifier.  verify compares the two.
 */
#ifndef _VMV_MIRROR_H
#define _VMV_MIRROR_H

#include <linux/seq_file.h>

struct mm_struct;
struct vmv_mirror;

/*
 * Register the notifier and fill the shadow; ERR_PTR on failure.  @pid
 * names the process in the tracepoints (vmview_trace.h).
 */
struct vmv_mirror *vmv_mirror_create(struct mm_struct *mm, pid_t pid);
void vmv_mirror_destroy(struct vmv_mirror *m);

/* PID/verify: refill what was invalidated, then compare. */
int vmv_mirror_verify(struct vmv_mirror *m, struct mm_struct *mm,
		      struct seq_file *seq);
/* Limit verify to [start, end); start == end means everything. */
void vmv_mirror_set_range(struct vmv_mirror *m, unsigned long start,
			  unsigned long end);
/* Verify every page ("full", the default) or only what changed. */
void vmv_mirror_set_mode(struct vmv_mirror *m, bool changed);
/* PID/shadow and PID/events. */
void vmv_mirror_show_stats(struct vmv_mirror *m, struct seq_file *seq);
void vmv_mirror_show_events(struct vmv_mirror *m, struct seq_file *seq);
/* PID/inject (test_hooks=1): corrupt the leaf mapping @addr. */
int vmv_mirror_inject(struct vmv_mirror *m, unsigned long addr);

#endif /* _VMV_MIRROR_H */

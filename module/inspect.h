/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inspect: what the PID/mm and vmas files say (inspect.c) and the
 * PID/translate file (translate.c).  Each show function takes the
 * target's mm and mmap lock itself and drops them before returning;
 * nothing is held between two reads.  PID/ptes is dump.h's.
 */
#ifndef _VMV_INSPECT_H
#define _VMV_INSPECT_H

#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "fmt.h"

struct vmv_target;

/* Per-open state of the vmas file (seq_file private). */
struct vmv_iter {
	struct vmv_target *t;
	struct mm_struct *mm;		/* between start and stop */
	struct vm_area_struct *vma;	/* vmas: the VMA of this record */
	unsigned long addr;		/* where record @idx starts */
	unsigned long next;		/* where the following one starts */
	loff_t idx;
};

extern const struct seq_operations vmv_vmas_sops;

int vmv_show_mm(struct seq_file *m, struct vmv_target *t);
void vmv_read_thp_mode(struct vmv_target *t);
int vmv_show_translate(struct seq_file *m, struct vmv_target *t);

#endif /* _VMV_INSPECT_H */

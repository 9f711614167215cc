/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inspect: what the PID/mm, vmas, ptes and translate files say.  Each
 * show function takes the target's mm and mmap lock itself and drops
 * them before returning; nothing is held between two reads.
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

/*
 * Per-open state of PID/ptes and PID/ptes.bin.  A large buffer: one walk
 * (one mmap lock) serves many reads.
 */
#define VMV_DUMP_BUF	(128 * 1024)
struct vmv_dump {
	struct vmv_target *t;
	struct mutex lock;	/* one read of this open file at a time */
	char *buf;		/* VMV_DUMP_BUF bytes */
	size_t from, count;	/* buf[from, count) is not read yet */
	unsigned long next;	/* where the next fill starts */
	loff_t pos;		/* the file position of buf[from] */
	bool binary;		/* ptes.bin rather than ptes */
	struct vmv_fmt_cache cache;
};

struct vmv_dump *vmv_dump_create(struct vmv_target *t, bool binary);
void vmv_dump_destroy(struct vmv_dump *d);
void vmv_dump_exit(void);	/* at unload: frees the spare buffer */
ssize_t vmv_dump_read(struct vmv_dump *d, char __user *ubuf, size_t size,
		      loff_t *ppos);

int vmv_show_mm(struct seq_file *m, struct vmv_target *t);
void vmv_read_thp_mode(struct vmv_target *t);
int vmv_show_translate(struct seq_file *m, struct vmv_target *t);

#endif /* _VMV_INSPECT_H */

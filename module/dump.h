/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dump: the read path of PID/ptes and PID/ptes.bin (dump.c).
 */
#ifndef _VMV_DUMP_H
#define _VMV_DUMP_H

#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>

#include "fmt.h"

struct vmv_target;

/*
 * Per-open state of PID/ptes and PID/ptes.bin.  A large buffer: one fill
 * serves many reads.  It holds a whole PTE table's lines at their longest
 * (256 KiB on x86-64): a fill takes whole tables only, so a dump never
 * resumes inside what may by then be a huge page.
 */
#define VMV_DUMP_BUF	ALIGN(PTRS_PER_PTE * VMV_PTE_LINE_MAX + PAGE_SIZE, \
			      SZ_64K)
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

#endif /* _VMV_DUMP_H */

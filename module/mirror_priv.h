/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mirror_priv: the mirror's state, shared by mirror.c (filling, the
 * notifier, PID/shadow and PID/events) and verify.c (PID/verify) and by
 * nothing else.  The locking rules are mirror.c's header comment.
 */
#ifndef _VMV_MIRROR_PRIV_H
#define _VMV_MIRROR_PRIV_H

#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "shadow.h"
#include "walk.h"

#define VMV_CHUNK		PMD_SIZE	/* what a pte table maps */
#define VMV_CHUNK_PAGES		(VMV_CHUNK >> PAGE_SHIFT)
#define VMV_NR_DIRTY		64	/* ranges; more: refill everything */
#define VMV_NR_EVENTS		256
#define VMV_FILL_TRIES		64
#define VMV_STORE_SLICE		64	/* leaves stored per hold of m->lock */
#define VMV_VERIFY_TRIES	8	/* per piece */
/*
 * The most entries one verify piece compares under the mmap lock and
 * m->lock (a piece ends before the PTE table, or after the huge leaf,
 * that would take it past this): two PTE tables, about as many guest
 * instructions as pagemap spends under the mmap lock on one 2 MiB
 * chunk (Documentation/bench.rst, "Interference").
 */
#define VMV_VERIFY_PIECE	(2 * PTRS_PER_PTE)
#define VMV_MISMATCH_LINES	64

struct vmv_range {
	unsigned long start, end;
};

/* A few page ranges; past VMV_NR_DIRTY of them, "everything". */
struct vmv_ranges {
	struct vmv_range r[VMV_NR_DIRTY];
	unsigned int nr;
	bool all;
};

struct vmv_event {
	u64 seq;
	unsigned long start, end;
	u8 event;
};

struct vmv_verify {
	struct vmv_mirror *m;
	struct seq_file *seq;
	unsigned long checked, mismatches, matched;
	struct vmv_ranges missing;	/* present in the walk only */
	struct vmv_shadow_ptes sp;	/* the shadow node of this PTE table */
	unsigned int piece;		/* entries compared in this piece */
	bool last_try;
};

/* What one verify works with; kept in the mirror, under verify_lock. */
struct vmv_verify_scratch {
	struct vmv_verify v;
	struct vmv_ranges todo;
	struct vmv_trace tr;
};

struct vmv_mirror {
	struct mmu_interval_notifier notifier;
	/* the shadow's levels, pte up, by the kernel's names; read-only */
	const char *level_names[VMV_SHADOW_MAX_LEVELS];
	pid_t pid;			/* the tracepoints' pid; read-only */
	struct mutex lock;		/* protects everything below */
	struct vmv_shadow shadow;
	struct vmv_ranges dirty;	/* to refill before the next verify */
	struct vmv_ranges changed;	/* invalidated since the last verify */
	unsigned long verify_start, verify_end;
	bool verify_changed;		/* verify only what changed */
	bool verified;			/* a verify has completed */
	u64 fills, invalidations, retries, resynced;
	u64 nr_events;			/* events ever recorded */
	struct vmv_event events[VMV_NR_EVENTS];
	unsigned long pfns[VMV_CHUNK_PAGES];	/* hmm_range_fault() output */
	struct mutex fill_lock;		/* one filler at a time (pfns[]) */
	struct mutex verify_lock;	/* one verify at a time (scratch) */
	struct vmv_verify_scratch scratch;
};

static inline bool vmv_ranges_empty(const struct vmv_ranges *rs)
{
	return !rs->all && !rs->nr;
}

static inline void vmv_ranges_clear(struct vmv_ranges *rs)
{
	rs->all = false;
	rs->nr = 0;
}

/* mirror.c, for verify.c (m->lock held for the first two). */
void vmv_ranges_add(struct vmv_ranges *rs, unsigned long start,
		    unsigned long end);
void vmv_mark_dirty(struct vmv_mirror *m, unsigned long start,
		    unsigned long end);
/* Refill every dirty range; takes m->fill_lock, the mmap lock is held. */
int vmv_refill(struct vmv_mirror *m, struct mm_struct *mm);

#endif /* _VMV_MIRROR_PRIV_H */

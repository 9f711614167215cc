/* SPDX-License-Identifier: GPL-2.0 */
/*
 * target: the processes vmview tracks.
 *
 * A target holds a reference on the struct pid it was asked for and on
 * the mm_struct (mmgrab: the struct stays; the address space may go
 * away when the process exits).  Each read takes the address space with
 * vmv_target_get_mm(), which fails with -ESRCH once it is gone.
 *
 * Lifetime: the list of tracked targets holds one reference; every open
 * file of the target's debugfs directory holds another (taken in open,
 * where debugfs guarantees the directory is not yet removed, and dropped
 * in release).  Untracking marks the target dying under the list's
 * mutex, then, without it, removes the directory (debugfs waits for
 * operations in flight, and fails later ones with -EIO), takes it off the
 * list and drops the list's reference.
 */
#ifndef _VMV_TARGET_H
#define _VMV_TARGET_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>

struct vmv_target {
	struct kref ref;
	struct list_head node;		/* in vmv_targets, under its mutex */
	bool dying;			/* untracked, directory being removed */
	struct completion buried;	/* directory removed, off the list */
	struct pid *pid;
	pid_t nr;			/* as named in debugfs */
	struct mm_struct *mm;		/* mmgrab()ed */
	struct dentry *dir;
	struct vmv_mirror *mirror;	/* the shadow page table */
	char comm[TASK_COMM_LEN];

	struct mutex lock;		/* protects what follows */
	unsigned long translate_addr;
	bool translate_set;
	char thp_mode[16];		/* as read at the last open of mm */
};

int vmv_target_track(pid_t nr);
int vmv_target_untrack(pid_t nr);
void vmv_target_untrack_all(void);
unsigned int vmv_nr_tracked(void);

void vmv_target_get(struct vmv_target *t);
void vmv_target_put(struct vmv_target *t);

/* The address space with a user reference (mmput() it), or NULL. */
struct mm_struct *vmv_target_get_mm(struct vmv_target *t);
/*
 * The address space with a user reference and its mmap lock held for
 * reading (NULL and *err: -ESRCH, -EINTR), and the undoing of both.
 */
struct mm_struct *vmv_target_lock_mm(struct vmv_target *t, int *err);
/*
 * mmap_read_lock_killable() for a loop that takes the lock piece after
 * piece (the dump, verify, the fill): a writer that waits (the target's
 * mprotect, mmap, munmap) goes first.
 */
int vmv_mmap_read_lock_piece(struct mm_struct *mm);
void vmv_target_unlock_mm(struct mm_struct *mm);
/* Refresh t->comm from the task when it still exists. */
void vmv_target_comm(struct vmv_target *t, char *buf);

/* debugfs.c: create and remove the PID/ directory of a target. */
int vmv_debugfs_add_target(struct vmv_target *t);
void vmv_debugfs_remove_target(struct vmv_target *t);

#endif /* _VMV_TARGET_H */

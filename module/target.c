// SPDX-License-Identifier: GPL-2.0
/*
 * target: resolving a PID, holding the task's mm, and the list of
 * tracked processes.  Lifetime rules are in target.h.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "mirror.h"
#include "target.h"
#include "vmview.h"

static LIST_HEAD(vmv_targets);
static DEFINE_MUTEX(vmv_targets_lock);
static atomic_t vmv_nr_targets = ATOMIC_INIT(0);

unsigned int vmv_nr_tracked(void)
{
	return atomic_read(&vmv_nr_targets);
}

void vmv_target_get(struct vmv_target *t)
{
	kref_get(&t->ref);
}

static void vmv_target_release(struct kref *ref)
{
	struct vmv_target *t = container_of(ref, struct vmv_target, ref);

	if (t->mirror)
		vmv_mirror_destroy(t->mirror);
	mmdrop(t->mm);
	put_pid(t->pid);
	mutex_destroy(&t->lock);
	kfree(t);
	vmv_stat_dec(VMV_STAT_TARGETS);
}

void vmv_target_put(struct vmv_target *t)
{
	kref_put(&t->ref, vmv_target_release);
}

struct mm_struct *vmv_target_get_mm(struct vmv_target *t)
{
	return mmget_not_zero(t->mm) ? t->mm : NULL;
}

void vmv_target_comm(struct vmv_target *t, char *buf)
{
	struct task_struct *task = get_pid_task(t->pid, PIDTYPE_PID);

	if (task) {
		get_task_comm(t->comm, task);
		put_task_struct(task);
	}
	strscpy(buf, t->comm, TASK_COMM_LEN);
}

/*
 * Called with vmv_targets_lock held: the live target named @nr (or
 * @pid), or with @dying the one whose directory named @nr is still being
 * removed.
 */
static struct vmv_target *vmv_target_find(pid_t nr, struct pid *pid,
					  bool dying)
{
	struct vmv_target *t;

	list_for_each_entry(t, &vmv_targets, node) {
		if (t->dying != dying)
			continue;
		if (t->nr == nr || (!dying && pid && t->pid == pid))
			return t;
	}
	return NULL;
}

/*
 * Is @nr (or @pid) tracked, by an entry whose process still lives?  Asked
 * before the shadow is built (a whole fill), so that tracking a process
 * twice costs nothing; asked again, under the same lock, before adding.
 */
static bool vmv_target_tracked(pid_t nr, struct pid *pid)
{
	struct vmv_target *t;
	bool ret;

	mutex_lock(&vmv_targets_lock);
	t = vmv_target_find(nr, pid, false);
	ret = t && (t->pid == pid || pid_has_task(t->pid, PIDTYPE_PID));
	mutex_unlock(&vmv_targets_lock);
	return ret;
}

/*
 * Untracking is two steps, so that no reader of one process stalls the
 * tracking and untracking of every other: vmv_target_unlink(), under
 * vmv_targets_lock, makes the target dying (no longer found, counted or
 * untracked again); vmv_target_bury(), without the lock, removes its
 * directory, which waits for the reads in flight (a full verify of a
 * big process can take a while), then drops it from the list and wakes
 * whoever waits to track the same PID again (its directory has the same
 * name).
 */
static void vmv_target_unlink(struct vmv_target *t)
{
	lockdep_assert_held(&vmv_targets_lock);
	t->dying = true;
	atomic_dec(&vmv_nr_targets);
}

static void vmv_target_bury(struct vmv_target *t)
{
	vmv_debugfs_remove_target(t);
	mutex_lock(&vmv_targets_lock);
	list_del(&t->node);
	mutex_unlock(&vmv_targets_lock);
	complete_all(&t->buried);
	vmv_target_put(t);	/* the list's reference */
}

/*
 * Wait, without vmv_targets_lock, until @t (dying, a reference held by
 * the caller) is buried.  Return: 0 or -EINTR on a fatal signal.
 */
static int vmv_target_wait_buried(struct vmv_target *t)
{
	int ret = wait_for_completion_killable(&t->buried);

	vmv_target_put(t);
	return ret ? -EINTR : 0;
}

/**
 * vmv_target_track - start tracking a process
 * @nr: its PID in the caller's PID namespace
 *
 * Return: 0, -ESRCH (no such process, or it is exiting), -EINVAL (a
 * kernel thread: it has no mm), -EEXIST (tracked already) or -ENOMEM.
 */
int vmv_target_track(pid_t nr)
{
	struct vmv_target *t, *old;
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	int ret;

	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task) {
		ret = -ESRCH;
		goto err_pid;
	}
	if (task->flags & PF_KTHREAD) {
		ret = -EINVAL;
		goto err_task;
	}
	if (vmv_target_tracked(nr, pid)) {
		ret = -EEXIST;
		goto err_task;
	}
	mm = get_task_mm(task);
	if (!mm) {
		ret = -ESRCH;	/* exiting */
		goto err_task;
	}

	t = vmv_kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t) {
		ret = -ENOMEM;
		goto err_mm;
	}
	vmv_stat_inc(VMV_STAT_TARGETS);
	kref_init(&t->ref);
	mutex_init(&t->lock);
	init_completion(&t->buried);
	t->pid = pid;
	t->nr = nr;
	get_task_comm(t->comm, task);
	mmgrab(mm);
	t->mm = mm;
	t->mirror = vmv_mirror_create(mm, nr);
	if (IS_ERR(t->mirror)) {
		ret = PTR_ERR(t->mirror);
		t->mirror = NULL;
		goto err_put;
	}

retry:
	mutex_lock(&vmv_targets_lock);
	old = vmv_target_find(nr, pid, false);
	/*
	 * The number may name a process that exited since it was tracked
	 * (its PID now reused): that stale entry gives way.
	 */
	if (old && old->pid != pid && !pid_has_task(old->pid, PIDTYPE_PID)) {
		vmv_target_unlink(old);
		mutex_unlock(&vmv_targets_lock);
		vmv_target_bury(old);
		goto retry;
	}
	if (old) {
		ret = -EEXIST;
		goto err_unlock;
	}
	/* A directory of the same name still being removed: wait for it. */
	old = vmv_target_find(nr, NULL, true);
	if (old) {
		vmv_target_get(old);
		mutex_unlock(&vmv_targets_lock);
		ret = vmv_target_wait_buried(old);
		if (ret)
			goto err_put;
		goto retry;
	}
	ret = vmv_debugfs_add_target(t);
	if (ret)
		goto err_unlock;
	list_add_tail(&t->node, &vmv_targets);
	atomic_inc(&vmv_nr_targets);
	mutex_unlock(&vmv_targets_lock);

	mmput(mm);
	put_task_struct(task);
	return 0;

err_unlock:
	mutex_unlock(&vmv_targets_lock);
err_put:
	vmv_target_put(t);	/* drops the mmgrab and the pid */
	mmput(mm);
	put_task_struct(task);
	return ret;
err_mm:
	mmput(mm);
err_task:
	put_task_struct(task);
err_pid:
	put_pid(pid);
	return ret;
}

/**
 * vmv_target_untrack - stop tracking a process
 * @nr: the PID it was tracked as
 *
 * Return: 0 or -ENOENT when @nr is not tracked (or being untracked
 * already).  Returns once the directory is gone: a read of it in flight
 * delays this call, and no other process's.
 */
int vmv_target_untrack(pid_t nr)
{
	struct pid *pid = find_get_pid(nr);
	struct vmv_target *t, *found = NULL;

	mutex_lock(&vmv_targets_lock);
	/*
	 * The number names a process in the caller's PID namespace; only a
	 * process that is gone (whose number means nothing any more) is
	 * found by its number alone.
	 */
	list_for_each_entry(t, &vmv_targets, node) {
		if (t->dying)
			continue;
		if ((pid && t->pid == pid) ||
		    (t->nr == nr && !pid_has_task(t->pid, PIDTYPE_PID))) {
			vmv_target_unlink(t);
			found = t;
			break;
		}
	}
	mutex_unlock(&vmv_targets_lock);
	put_pid(pid);
	if (!found)
		return -ENOENT;
	vmv_target_bury(found);
	return 0;
}

/*
 * At module exit.  No file of vmview's is open then (an open file holds
 * a module reference), so nobody tracks, untracks or buries meanwhile.
 */
void vmv_target_untrack_all(void)
{
	struct vmv_target *t;

	for (;;) {
		mutex_lock(&vmv_targets_lock);
		t = list_first_entry_or_null(&vmv_targets, struct vmv_target,
					     node);
		if (t)
			vmv_target_unlink(t);
		mutex_unlock(&vmv_targets_lock);
		if (!t)
			break;
		vmv_target_bury(t);
	}
}

/*
 * The address space, with a user reference and mmap_read_lock_killable()
 * held, for one read of a file: -ESRCH once it is gone, -EINTR on a
 * fatal signal.  vmv_target_unlock_mm() drops both.
 */
struct mm_struct *vmv_target_lock_mm(struct vmv_target *t, int *err)
{
	struct mm_struct *mm = vmv_target_get_mm(t);

	if (!mm) {
		*err = -ESRCH;
		return NULL;
	}
	*err = vmv_mmap_read_lock_piece(mm);
	if (*err) {
		mmput(mm);
		return NULL;
	}
	return mm;
}

/*
 * A reader that takes the mmap lock again right after dropping it steals
 * it from the writer its release woke (rwsem lock stealing), until the
 * writer asks for a handoff a jiffy later: a loop of pieces would make
 * every mprotect() of the target wait that jiffy.  pagemap's reader
 * leaves a gap (it returns to user space between chunks); a loop here
 * lets a queued writer take the lock first, waiting a bounded time.
 */
#define VMV_WRITER_SPINS	1000

int vmv_mmap_read_lock_piece(struct mm_struct *mm)
{
	unsigned int spins = 0;

	while (mmap_lock_is_contended(mm) && spins++ < VMV_WRITER_SPINS)
		cpu_relax();
	return mmap_read_lock_killable(mm);
}

void vmv_target_unlock_mm(struct mm_struct *mm)
{
	mmap_read_unlock(mm);
	mmput(mm);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * verify: PID/verify, the walk (walk.c) against the shadow table that
 * mirror.c keeps.  Every leaf the walk finds in a mirrorable VMA must be
 * in the shadow with the same frame and writability, and the shadow must
 * hold nothing the walk does not; mismatches are listed, the rest
 * counted.
 *
 * Locking: m->verify_lock for the whole verify (one verify of a process
 * at a time; the scratch state lives in the mirror, so nothing is
 * allocated); then piece by piece, at most VMV_VERIFY_PIECE entries
 * (two PTE tables) each: the mmap read lock and m->lock for the compare
 * of that piece only, with a refill (vmv_refill(), as a fill locks)
 * before the first piece and before a piece is compared again.  The
 * target's faults, munmaps and reclaim, whose notifier callbacks take
 * m->lock, wait for at most one piece, as pagemap's readers make them
 * wait for one PMD.
 */
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>

#include "compat.h"
#include "mirror.h"
#include "mirror_priv.h"
#include "target.h"
#include "vmview.h"
#include "vmview_trace.h"

/* One side of a mismatch line; the size as PID/shadow names it (4k, 4m). */
static void vmv_side(struct seq_file *seq, const char *name, bool present,
		     u64 pfn, bool writable, unsigned int shift)
{
	char size[VMV_SHADOW_SIZE_NAME];

	seq_printf(seq, " %s=", name);
	if (!present) {
		seq_puts(seq, "none");
		return;
	}
	vmv_shadow_size_name(shift, size);
	seq_printf(seq, "present:0x%llx:%s:%s", pfn, writable ? "rw" : "ro",
		   size);
}

/*
 * One mismatch: a PID/verify line (the first VMV_MISMATCH_LINES) and a
 * vmview_mismatch event (every one).  @entry is the live entry the walk
 * read (0 without @d).
 */
static void vmv_mismatch(struct vmv_verify *v, unsigned long addr, u64 entry,
			 const struct vmv_decoded *d,
			 const struct vmv_shadow_leaf *sl)
{
	trace_vmview_mismatch(v->m->pid, addr, !!d, d ? entry : 0,
			      d ? d->pfn : 0, d && d->writable,
			      d ? d->page_shift : 0, !!sl, sl ? sl->pfn : 0,
			      sl && sl->writable, sl ? sl->shift : 0);
	if (++v->mismatches > VMV_MISMATCH_LINES)
		return;
	seq_printf(v->seq, "mismatch 0x%016lx", addr);
	vmv_side(v->seq, "walk", d, d ? d->pfn : 0, d && d->writable,
		 d ? d->page_shift : 0);
	vmv_side(v->seq, "shadow", sl, sl ? sl->pfn : 0, sl && sl->writable,
		 sl ? sl->shift : 0);
	seq_putc(v->seq, '\n');
}

/* What hmm_range_fault() reports as a mapping, vmview's walk must too. */
static bool vmv_mirrorable_vma(struct vm_area_struct *vma)
{
	return !(vma->vm_flags & (VM_IO | VM_PFNMAP)) &&
	       (vma->vm_flags & VM_READ);
}

static bool vmv_mirrorable_leaf(const struct vmv_decoded *d)
{
	if (d->kind != VMVIEW_KIND_PRESENT)
		return false;	/* hmm sees protnone and swap as absent */
	if (d->flags & VMV_FLAG(VMVIEW_F_SPECIAL))
		return is_zero_pfn(d->pfn);
	return true;
}

/* Runs under RCU for ptes: no sleeping, no locks taken. */
static int vmv_verify_leaf(struct vmv_walk *w, unsigned long addr,
			   enum vmview_level level, u64 entry,
			   const struct vmv_decoded *d)
{
	struct vmv_verify *v = w->private;
	struct vmv_shadow_leaf sl;
	bool have;

	if (!vmv_mirrorable_vma(w->vma) || !vmv_mirrorable_leaf(d))
		return 0;
	have = !vmv_shadow_lookup(&v->m->shadow, addr, &sl);
	/*
	 * The kernel notifies when it takes a mapping away or narrows it,
	 * not when it adds one (a first touch) or makes one writable (a
	 * write fault reusing the page, after fork or clear_refs).  The
	 * shadow catches up lazily, as a device would by faulting: fill
	 * the chunk and compare again.
	 */
	if (!v->last_try &&
	    (!have || (sl.pfn == d->pfn && sl.shift == d->page_shift &&
		       d->writable && !sl.writable))) {
		vmv_ranges_add(&v->missing, addr, addr + 1);
		return 0;
	}
	if (!have || sl.pfn != d->pfn || sl.writable != d->writable ||
	    sl.shift != d->page_shift) {
		vmv_mismatch(v, addr, entry, d, have ? &sl : NULL);
		return 0;
	}
	v->matched++;
	return 0;
}

/*
 * One PTE against the shadow's lowest-level node for its 2 MiB (v->sp,
 * found once a table): plain present entries are compared inline,
 * anything else goes through vmv_verify_leaf().  Under the table's lock.
 */
static __always_inline int vmv_verify_pte(struct vmv_walk *w, void *arg,
					  pte_t *ptep, unsigned long addr,
					  u64 e)
{
	struct vmv_verify *v = w->private;
	bool writable, live_writable;
	struct vmv_decoded d;
	u64 pfn;

	if (vmv_pte_present_plain(e, &live_writable) &&
	    vmv_shadow_pte(&v->sp, pte_index(addr), &pfn, &writable) &&
	    pfn == vmv_pte_pfn(&vmv_layout, e) && writable == live_writable) {
		v->matched++;
		return 0;
	}
	vmv_decode(&vmv_layout, e, VMVIEW_LEVEL_PTE, &d);
	return vmv_verify_leaf(w, addr, VMVIEW_LEVEL_PTE, e, &d);
}

/*
 * A piece ends before the PTE table that would take it past
 * VMV_VERIFY_PIECE entries (its first table is always taken): the walk
 * stops there and the piece resumes from it.
 */
static int vmv_verify_table(struct vmv_walk *w, pte_t *ptep,
			    unsigned long addr, unsigned long end,
			    unsigned long *resume)
{
	struct vmv_verify *v = w->private;
	unsigned int n = (end - addr) >> PAGE_SHIFT;

	if (v->piece && v->piece + n > VMV_VERIFY_PIECE) {
		*resume = addr;
		return 1;
	}
	v->piece += n;
	if (!vmv_mirrorable_vma(w->vma))
		return 0;
	vmv_shadow_ptes(&v->m->shadow, addr, &v->sp);
	return vmv_walk_ptes(w, ptep, addr, end, resume, vmv_verify_pte,
			     NULL);
}

/* A huge leaf; the piece ends after it when it is full. */
static int vmv_verify_huge(struct vmv_walk *w, unsigned long addr,
			   enum vmview_level level, u64 entry,
			   const struct vmv_decoded *d)
{
	struct vmv_verify *v = w->private;

	vmv_verify_leaf(w, addr, level, entry, d);
	return ++v->piece >= VMV_VERIFY_PIECE;
}

static const struct vmv_walk_ops vmv_verify_ops = {
	.pte_table	= vmv_verify_table,
	.leaf		= vmv_verify_huge,
};

struct vmv_extra {
	struct vmv_verify *v;
	struct mm_struct *mm;
	struct vmv_trace *tr;
};

/* A shadow leaf: has the walk one there?  (Only when counts differ.) */
static int vmv_verify_extra(void *priv, u64 va,
			    const struct vmv_shadow_leaf *sl)
{
	struct vmv_extra *x = priv;
	struct vm_area_struct *vma = find_vma(x->mm, va);
	bool same = false;

	if (vma && vma->vm_start <= va && vmv_mirrorable_vma(vma)) {
		vmv_walk_trace(x->mm, vma, va, x->tr);
		/* A leaf that differs was reported by the walk already. */
		same = vmv_mirrorable_leaf(&x->tr->leaf) &&
		       x->tr->leaf_addr == va;
	}
	if (same)
		return 0;
	/*
	 * munmap() takes the VMA out of the tree and downgrades the mmap
	 * lock before it zaps the pages and notifies: in between, the
	 * shadow still holds leaves under no VMA, and the invalidation
	 * waits for m->lock, which this verify holds.  As for a leaf the
	 * shadow lacks, compare again once the lock was dropped (the next
	 * mmu_interval_read_begin() waits for that invalidation to end).
	 */
	if (!x->v->last_try)
		vmv_ranges_add(&x->v->missing, va, va + (1ULL << sl->shift));
	else
		vmv_mismatch(x->v, va, 0, NULL, sl);
	return 0;
}

static unsigned long vmv_mirrorable_pages(struct mm_struct *mm,
					  unsigned long start,
					  unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long pages = 0, addr = start;

	while (addr < end && (vma = find_vma(mm, addr)) &&
	       vma->vm_start < end) {
		if (vmv_mirrorable_vma(vma))
			pages += (min(end, vma->vm_end) -
				  max(addr, vma->vm_start)) >> PAGE_SHIFT;
		addr = vma->vm_end;
	}
	return pages;
}

/*
 * Compare one piece from @start: the walk's leaves against the shadow,
 * then (only if the counts differ) the shadow's leaves against the walk,
 * over [@start, *@next), where the walk stopped.  Called with
 * mmap_read_lock() and m->lock held.
 */
static int vmv_compare(struct vmv_verify *v, struct mm_struct *mm,
		       unsigned long start, unsigned long end,
		       unsigned long *next, struct vmv_trace *tr)
{
	struct vmv_walk w = { .ops = &vmv_verify_ops, .mm = mm, .private = v };
	unsigned long matched = v->matched;
	struct vmv_extra x = { .v = v, .mm = mm, .tr = tr };
	int ret;

	v->piece = 0;
	ret = vmv_walk(&w, start, end);
	if (ret < 0)
		return ret;
	*next = ret ? w.next : end;
	v->checked += vmv_mirrorable_pages(mm, start, *next);
	if (vmv_shadow_count(&v->m->shadow, start, *next) != v->matched - matched)
		return vmv_shadow_for_each(&v->m->shadow, start, *next,
					   vmv_verify_extra, &x);
	return 0;
}

/*
 * Verify [@start, @end), piece by piece (see the top of the file).  A
 * piece whose leaves the shadow lacks (a first touch: the kernel does
 * not notify for those) or that an invalidation may have raced is
 * refilled and compared again, its output taken back, up to
 * VMV_VERIFY_TRIES times; the last try reports what it sees.
 */
static int vmv_verify_range(struct vmv_verify *v, struct mm_struct *mm,
			    unsigned long start, unsigned long end,
			    struct vmv_trace *tr)
{
	struct vmv_mirror *m = v->m;
	unsigned long addr = start, next, seq_nr;
	unsigned long checked, matched, mismatches;
	size_t count;
	unsigned int i, tries = 0;
	bool stale;
	int ret;

	while (addr < end) {
		/*
		 * Catch up once, then only for a piece that found the
		 * shadow behind: a piece takes the mmap lock once when
		 * nothing changed in it, however busy the target is
		 * elsewhere.
		 */
		if (addr == start || tries) {
			ret = vmv_refill(m, mm);
			if (ret)
				return ret;
		}
		seq_nr = mmu_interval_read_begin(&m->notifier);
		ret = vmv_mmap_read_lock_piece(mm);
		if (ret)
			return ret;
		mutex_lock(&m->lock);
		count = v->seq->count;
		checked = v->checked;
		matched = v->matched;
		mismatches = v->mismatches;
		v->last_try = tries >= VMV_VERIFY_TRIES - 1;
		vmv_ranges_clear(&v->missing);
		ret = vmv_compare(v, mm, addr, end, &next, tr);
		stale = !ret && !v->last_try &&
			(!vmv_ranges_empty(&v->missing) ||
			 mmu_interval_read_retry(&m->notifier, seq_nr));
		if (stale) {
			for (i = 0; i < v->missing.nr; i++)
				vmv_mark_dirty(m, v->missing.r[i].start,
					       v->missing.r[i].end);
			if (v->missing.all)
				m->dirty.all = true;
			v->seq->count = count;
			v->checked = checked;
			v->matched = matched;
			v->mismatches = mismatches;
		}
		mutex_unlock(&m->lock);
		mmap_read_unlock(mm);
		if (ret)
			return ret;
		if (stale) {
			tries++;
			continue;
		}
		addr = next;
		tries = 0;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/* "verify: checked=N mismatches=N resynced=N", without printf. */
static void vmv_verify_summary(struct seq_file *seq, u64 checked,
			       u64 mismatches, u64 resynced)
{
	char line[96], *p = line;

	memcpy(p, "verify: checked=", 16);
	p += 16;
	p += vmv_fmt_dec(p, checked);
	memcpy(p, " mismatches=", 12);
	p += 12;
	p += vmv_fmt_dec(p, mismatches);
	memcpy(p, " resynced=", 10);
	p += 10;
	p += vmv_fmt_dec(p, resynced);
	*p++ = '\n';
	seq_write(seq, line, p - line);
}

/**
 * vmv_mirror_verify - compare vmview's walk with the shadow
 * @m: the mirror
 * @mm: its address space, with a user reference held
 * @seq: where mismatch lines and the summary line go
 *
 * In "full" mode every page of the verify range is compared; in
 * "changed" mode (after a first verify) only the ranges invalidated since
 * the previous verify began.  Locking: see the top of the file; no lock
 * but m->verify_lock is held between pieces.
 */
int vmv_mirror_verify(struct vmv_mirror *m, struct mm_struct *mm,
		      struct seq_file *seq)
{
	struct vmv_verify *v = &m->scratch.v;
	struct vmv_ranges *todo = &m->scratch.todo;
	struct vmv_trace *tr = &m->scratch.tr;
	unsigned long start, end;
	unsigned int i;
	u64 resynced;
	int ret;

	ret = mutex_lock_killable(&m->verify_lock);
	if (ret)
		return ret;
	v->m = m;
	v->seq = seq;
	v->checked = 0;
	v->mismatches = 0;
	v->matched = 0;
	/*
	 * What to compare, taken as the verify begins: invalidations from
	 * now on are for the next "changed" verify.
	 */
	mutex_lock(&m->lock);
	start = m->verify_start;
	end = m->verify_end ?: VMV_TASK_SIZE_MAX;
	if (m->verify_changed && m->verified && !m->changed.all) {
		*todo = m->changed;
	} else {
		vmv_ranges_clear(todo);
		todo->r[0].start = start;
		todo->r[0].end = end;
		todo->nr = 1;
	}
	vmv_ranges_clear(&m->changed);
	mutex_unlock(&m->lock);

	for (i = 0, ret = 0; i < todo->nr && !ret; i++)
		if (todo->r[i].start < end && todo->r[i].end > start)
			ret = vmv_verify_range(v, mm,
					       max(start, todo->r[i].start),
					       min(end, todo->r[i].end), tr);

	mutex_lock(&m->lock);
	resynced = m->resynced;
	if (ret) {
		/* Not verified: what was to be compared still is. */
		for (i = 0; i < todo->nr; i++)
			vmv_ranges_add(&m->changed, todo->r[i].start,
				       todo->r[i].end);
	} else {
		m->resynced = 0;
		m->verified = true;
	}
	mutex_unlock(&m->lock);
	if (ret)
		goto out_unlock;
	if (v->mismatches > VMV_MISMATCH_LINES)
		seq_printf(seq, "# %lu more mismatches not shown\n",
			   v->mismatches - VMV_MISMATCH_LINES);
	vmv_verify_summary(seq, v->checked, v->mismatches, resynced);
out_unlock:
	mutex_unlock(&m->verify_lock);
	return ret;
}

/* "full" or "changed": which pages the next verifies compare. */
void vmv_mirror_set_mode(struct vmv_mirror *m, bool changed)
{
	mutex_lock(&m->lock);
	m->verify_changed = changed;
	mutex_unlock(&m->lock);
}

void vmv_mirror_set_range(struct vmv_mirror *m, unsigned long start,
			  unsigned long end)
{
	mutex_lock(&m->lock);
	m->verify_start = start;
	m->verify_end = end;
	mutex_unlock(&m->lock);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmview_trace: the module's tracepoints, system "vmview" under
 * /sys/kernel/tracing/events/ (Documentation/vmview.rst, "Tracepoints").
 * An out-of-tree trace header: trace.c defines CREATE_TRACE_POINTS and
 * includes it, and define_trace.h finds it again through
 * TRACE_INCLUDE_PATH (".", searched on the -I$(src) Kbuild gives
 * trace.o) and TRACE_INCLUDE_FILE.
 *
 *  vmview_invalidate  an mmu-notifier invalidation the mirror saw: the
 *                     same record PID/events keeps (seq, kind, range)
 *  vmview_fill        one chunk of the shadow filled by hmm_range_fault()
 *  vmview_mismatch    one leaf verify found different (each one, not only
 *                     the PID/verify lines)
 *
 * Every event carries the tracked process's PID (not the task that
 * caused it: reclaim and other processes invalidate too).  Only scalars
 * are recorded, so the format is the same on every supported kernel.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmview

#if !defined(_VMV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VMV_TRACE_H

#include <linux/tracepoint.h>

#include "compat.h"		/* VMV_NOTIFY_EXCLUSIVE */

/*
 * enum mmu_notifier_event, by the names PID/events gives (mirror.c); the
 * values go into the format file for perf, trace-cmd and bpftrace.  A
 * kernel without MMU_NOTIFY_EXCLUSIVE never sends it.
 */
TRACE_DEFINE_ENUM(MMU_NOTIFY_UNMAP);
TRACE_DEFINE_ENUM(MMU_NOTIFY_CLEAR);
TRACE_DEFINE_ENUM(MMU_NOTIFY_PROTECTION_VMA);
TRACE_DEFINE_ENUM(MMU_NOTIFY_PROTECTION_PAGE);
TRACE_DEFINE_ENUM(MMU_NOTIFY_SOFT_DIRTY);
TRACE_DEFINE_ENUM(MMU_NOTIFY_RELEASE);
TRACE_DEFINE_ENUM(MMU_NOTIFY_MIGRATE);
#ifdef VMV_HAVE_NOTIFY_EXCLUSIVE
TRACE_DEFINE_ENUM(MMU_NOTIFY_EXCLUSIVE);
#endif

TRACE_EVENT(vmview_invalidate,
	    TP_PROTO(pid_t pid, u64 seq, unsigned int kind,
		     unsigned long start, unsigned long end),
	    TP_ARGS(pid, seq, kind, start, end),
	    TP_STRUCT__entry(__field(u64, seq)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(pid_t, pid)
			     __field(unsigned int, kind)),
	    TP_fast_assign(__entry->seq = seq;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->pid = pid;
			   __entry->kind = kind;),
	    TP_printk("pid=%d seq=%llu kind=%s start=0x%lx end=0x%lx",
		      __entry->pid, __entry->seq,
		      __print_symbolic(__entry->kind,
				       { MMU_NOTIFY_UNMAP, "unmap" },
				       { MMU_NOTIFY_CLEAR, "clear" },
				       { MMU_NOTIFY_PROTECTION_VMA,
					 "protection_vma" },
				       { MMU_NOTIFY_PROTECTION_PAGE,
					 "protection_page" },
				       { MMU_NOTIFY_SOFT_DIRTY, "soft_dirty" },
				       { MMU_NOTIFY_RELEASE, "release" },
				       { MMU_NOTIFY_MIGRATE, "migrate" },
				       { VMV_NOTIFY_EXCLUSIVE, "exclusive" }),
		      __entry->start, __entry->end));

TRACE_EVENT(vmview_fill,
	    TP_PROTO(pid_t pid, unsigned long start, unsigned long end,
		     unsigned long entries, u64 duration_ns),
	    TP_ARGS(pid, start, end, entries, duration_ns),
	    TP_STRUCT__entry(__field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(unsigned long, entries)
			     __field(u64, duration_ns)
			     __field(pid_t, pid)),
	    TP_fast_assign(__entry->start = start;
			   __entry->end = end;
			   __entry->entries = entries;
			   __entry->duration_ns = duration_ns;
			   __entry->pid = pid;),
	    TP_printk("pid=%d start=0x%lx end=0x%lx entries=%lu duration_ns=%llu",
		      __entry->pid, __entry->start, __entry->end,
		      __entry->entries, __entry->duration_ns));

/*
 * A side that maps nothing has present=0 and its other fields 0; the
 * live side's entry is the raw page-table entry the walk read (0 when
 * the shadow holds a leaf the walk did not find).  Shifts are the size
 * a leaf maps (12 for 4 KiB).
 */
TRACE_EVENT(vmview_mismatch,
	    TP_PROTO(pid_t pid, unsigned long addr, bool live_present,
		     u64 live_entry, u64 live_pfn, bool live_writable,
		     unsigned int live_shift, bool shadow_present,
		     u64 shadow_pfn, bool shadow_writable,
		     unsigned int shadow_shift),
	    TP_ARGS(pid, addr, live_present, live_entry, live_pfn,
		    live_writable, live_shift, shadow_present, shadow_pfn,
		    shadow_writable, shadow_shift),
	    TP_STRUCT__entry(__field(unsigned long, addr)
			     __field(u64, live_entry)
			     __field(u64, live_pfn)
			     __field(u64, shadow_pfn)
			     __field(pid_t, pid)
			     __field(u8, live_present)
			     __field(u8, live_writable)
			     __field(u8, live_shift)
			     __field(u8, shadow_present)
			     __field(u8, shadow_writable)
			     __field(u8, shadow_shift)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->live_entry = live_entry;
			   __entry->live_pfn = live_pfn;
			   __entry->shadow_pfn = shadow_pfn;
			   __entry->pid = pid;
			   __entry->live_present = live_present;
			   __entry->live_writable = live_writable;
			   __entry->live_shift = live_shift;
			   __entry->shadow_present = shadow_present;
			   __entry->shadow_writable = shadow_writable;
			   __entry->shadow_shift = shadow_shift;),
	    TP_printk("pid=%d addr=0x%lx live_entry=0x%llx live=%u:0x%llx:%s:%u shadow=%u:0x%llx:%s:%u",
		      __entry->pid, __entry->addr, __entry->live_entry,
		      __entry->live_present, __entry->live_pfn,
		      __entry->live_writable ? "rw" : "ro",
		      __entry->live_shift, __entry->shadow_present,
		      __entry->shadow_pfn,
		      __entry->shadow_writable ? "rw" : "ro",
		      __entry->shadow_shift));

#endif /* _VMV_TRACE_H */

/* Outside the guard: define_trace.h reads the header again from here. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vmview_trace
#include <trace/define_trace.h>

// SPDX-License-Identifier: GPL-2.0
/*
 * faults_scenarios.c: the seven page-fault scenarios of "faults", each a
 * short story told through the target's page tables:
 *   1 demand-zero  read of fresh anonymous memory maps the zero page
 *                  read-only; the write replaces it with a private frame
 *   2 cow          after fork both share one read-only frame; the child's
 *                  write copies it, the parent keeps (and reuses) it
 *   3 swap         MADV_PAGEOUT turns the entry into a swap entry; the
 *                  next access is a major fault
 *   4 file         a file page dropped from the page cache is read back
 *                  by a major fault
 *   5 thp          a huge-page-aligned MADV_HUGEPAGE range (2M; 4M
 *                  with 2-level paging) is one leaf at the pmd (the
 *                  pgd with 2 levels); mprotect of one page splits it
 *                  into PTEs
 *   6 segv         a write to a read-only VMA and a read of an unmapped
 *                  address kill a child with SIGSEGV, and why
 *   7 soft-dirty   clear_refs 4 clears the bit, a write sets it again
 *                  (skipped where the kernel has no soft-dirty bit:
 *                  CONFIG_MEM_SOFT_DIRTY, which 32-bit x86 and arm64 lack)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "faults.h"

#define P		WHO_PARENT
#define C		WHO_CHILD
#define PAGE		VMV_PAGE_SIZE
#define FILE_PAGES	16

static char scratch[VMV_PATH_MAX];	/* a file we made for scenario 4 */

/* Run one step: remember the counters, ask, then observe addr. */
#define STEP(x, who, label, addr, ...)					\
	({								\
		struct snap _b;						\
		int _r = vmv_step_begin(x, who, &_b);			\
		if (!_r)						\
			_r = vmv_ask(x, who, NULL, 0, __VA_ARGS__);	\
		if (!_r)						\
			_r = vmv_step_end(x, who, label, addr, &_b);	\
		_r;							\
	})

static void anon_intro(struct fctx *x, uint64_t a, uint64_t len,
		       const char *what)
{
	char s[24];

	x->range_start = a;
	x->range_end = a + len;
	vmv_note(x, "%s anonymous at 0x%" PRIx64 " (%s), page 0x%" PRIx64,
		 vmv_size(s, sizeof(s), len), a, what, a);
}

static void sc_demand_zero(struct fctx *x)
{
	uint64_t a, zero_pfn;

	if (vmv_ask_addr(x, P, &a, "anon %llx nohuge", 4 * PAGE))
		return;
	anon_intro(x, a, 4 * PAGE, "MADV_NOHUGEPAGE");
	if (vmv_show(x, P, "before", a))
		return;
	vmv_expect(x, !x->last.t.has_leaf,
		   "fresh memory should have no entry, found %s",
		   x->last.t.leaf.kind);

	if (STEP(x, P, "read", a, "read %" PRIx64, a))
		return;
	zero_pfn = vmv_leaf_pfn(&x->last);
	vmv_expect(x, x->acc_min == 1 && !x->acc_maj,
		   "the read should be one minor fault (%ld minor, %ld major)",
		   x->acc_min, x->acc_maj);
	vmv_expect(x, vmv_leaf_is(&x->last, "pte", "present"),
		   "the read should map a page (stop: %s)",
		   vmv_stop_of(&x->last));
	vmv_expect(x, vmv_leaf_page(&x->last, "zero") ||
		   (!x->last.t.leaf.has_page &&
		    vmv_leaf_flag(&x->last, "special")),
		   "the read should map the zero page (page=%s)",
		   x->last.t.leaf.page);
	vmv_expect(x, !vmv_leaf_flag(&x->last, "rw"),
		   "the zero page should be mapped read-only");

	if (STEP(x, P, "write", a, "write %" PRIx64, a))
		return;
	vmv_expect(x, vmv_leaf_is(&x->last, "pte", "present") &&
		   vmv_leaf_flag(&x->last, "rw") &&
		   vmv_leaf_page(&x->last, "anon"),
		   "the write should map a private writable anonymous page (flags=%s page=%s)",
		   x->last.t.leaf.flags, x->last.t.leaf.page);
	vmv_expect(x, x->acc_min == 1 && !x->acc_maj,
		   "the write should be one minor fault (%ld minor, %ld major)",
		   x->acc_min, x->acc_maj);
	vmv_expect(x, vmv_leaf_pfn(&x->last) != zero_pfn,
		   "the write should move the page off the zero page's frame");
	vmv_expect(x, !x->have_events || vmv_events_cover(&x->last_events, a),
		   "the write should invalidate the zero page's mapping (no notifier event)");
	if (x->result == RES_OK)
		vmv_note(x, "the read mapped the shared zero page read-only, the write a private frame: minor faults, no I/O");
}

static void sc_cow(struct fctx *x)
{
	uint64_t a, frame;
	struct snap parent;

	if (vmv_ask_addr(x, P, &a, "anon %llx nohuge", 4 * PAGE))
		return;
	anon_intro(x, a, 4 * PAGE, "MADV_NOHUGEPAGE");
	if (STEP(x, P, "write", a, "write %" PRIx64, a))
		return;
	frame = vmv_leaf_pfn(&x->last);
	vmv_expect(x, vmv_leaf_flag(&x->last, "rw"),
		   "the parent's page should be writable");
	if (vmv_start_child(x))
		return;
	vmv_note(x, "fork: child PID %d", (int)x->ch[C].pid);
	if (vmv_show(x, P, "parent", a))
		return;
	vmv_expect(x, vmv_leaf_pfn(&x->last) == frame &&
		   !vmv_leaf_flag(&x->last, "rw"),
		   "after fork the parent's entry should be read-only on the same frame");
	if (vmv_show(x, C, "child", a))
		return;
	vmv_expect(x, vmv_leaf_pfn(&x->last) == frame &&
		   !vmv_leaf_flag(&x->last, "rw"),
		   "after fork the child's entry should be read-only on the parent's frame 0x%" PRIx64,
		   frame);

	if (STEP(x, C, "child w", a, "write %" PRIx64, a))
		return;
	vmv_expect(x, vmv_leaf_flag(&x->last, "rw") &&
		   vmv_leaf_pfn(&x->last) != frame &&
		   vmv_leaf_pfn(&x->last) != VMVIEW_NO_PFN,
		   "the child's write should give it a new writable frame");
	vmv_expect(x, x->acc_min == 1 && !x->acc_maj,
		   "the child's write should be one minor fault (%ld minor, %ld major)",
		   x->acc_min, x->acc_maj);
	vmv_expect(x, !x->have_events || vmv_events_cover(&x->last_events, a),
		   "the copy should invalidate the child's old mapping (no notifier event)");
	if (vmv_snap_take(x, P, a, &parent))
		return;
	x->last = parent;
	if (vmv_show(x, P, "parent", a))
		return;
	vmv_expect(x, vmv_leaf_pfn(&x->last) == frame,
		   "the parent should keep its frame 0x%" PRIx64, frame);

	if (STEP(x, P, "parent w", a, "write %" PRIx64, a))
		return;
	/*
	 * Now alone on the frame, the parent may write in place.  Kernels
	 * from 5.19 on do reuse it; 5.8 to 5.18 reuse an anonymous page only
	 * when nothing else holds a reference to it, and a page fresh from
	 * a fault is often still held by the LRU's per-CPU batch: they copy.
	 */
	vmv_expect(x, vmv_leaf_flag(&x->last, "rw") &&
		   vmv_leaf_pfn(&x->last) != VMVIEW_NO_PFN,
		   "the parent's write should leave it a writable frame");
	if (x->result != RES_OK)
		return;
	if (vmv_leaf_pfn(&x->last) == frame)
		vmv_note(x, "fork shared frame 0x%" PRIx64 " read-only; the child's write copied it, the parent's reused it",
			 frame);
	else
		vmv_note(x, "fork shared frame 0x%" PRIx64 " read-only; the child's write copied it, and so did the parent's (this kernel reuses a page only when no one else holds a reference)",
			 frame);
}

static bool have_swap(void)
{
	char path[VMV_PATH_MAX], *text, *nl;
	bool yes = false;

	vmv_path(path, sizeof(path), "/proc/swaps");
	if (vmv_read_path(path, &text, NULL))
		return false;
	nl = strchr(text, '\n');
	yes = nl && nl[1];
	free(text);
	return yes;
}

static void sc_swap(struct fctx *x)
{
	uint64_t a;
	int tries;

	if (!have_swap()) {
		vmv_skip(x, "no swap device in /proc/swaps (enable one, e.g. zram: swapon /dev/zram0)");
		return;
	}
	if (vmv_ask_addr(x, P, &a, "anon %llx nohuge", 4 * PAGE))
		return;
	anon_intro(x, a, 4 * PAGE, "MADV_NOHUGEPAGE");
	if (STEP(x, P, "write", a, "fill %" PRIx64 " %llx", a, PAGE))
		return;
	for (tries = 0; tries < 3; tries++) {
		if (STEP(x, P, "pageout", a, "pageout %" PRIx64 " %llx", a,
			 PAGE))
			return;
		if (vmv_leaf_is(&x->last, NULL, "swap"))
			break;
	}
	vmv_expect(x, vmv_leaf_is(&x->last, "pte", "swap") &&
		   x->last.t.leaf.has_swap,
		   "MADV_PAGEOUT should leave a swap entry (found %s)",
		   x->last.t.has_leaf ? x->last.t.leaf.kind : x->last.t.stop);
	vmv_expect(x, !x->have_events || vmv_events_cover(&x->last_events, a),
		   "unmapping the page for swap-out should raise a notifier event");
	if (x->last.t.has_leaf && x->last.t.leaf.has_swap)
		vmv_note(x, "swap entry: type %u (the swap device), offset 0x%" PRIx64 " (the slot)",
			 x->last.t.leaf.swap_type, x->last.t.leaf.swap_offset);
	if (STEP(x, P, "read", a, "read %" PRIx64, a))
		return;
	vmv_expect(x, vmv_leaf_is(&x->last, "pte", "present"),
		   "the read should bring the page back");
	vmv_expect(x, x->acc_maj == 1,
		   "the read should be one major fault (%ld minor, %ld major)",
		   x->acc_min, x->acc_maj);
	if (x->result == RES_OK)
		vmv_note(x, "the page went to swap and came back with a major fault");
}

/* A scratch file of FILE_PAGES pages on a filesystem that can drop them. */
static int make_scratch(char *why, size_t len)
{
	return vmv_make_scratch(scratch, sizeof(scratch), "vmview-faults",
				FILE_PAGES, PAGE, why, len);
}

static void sc_file(struct fctx *x)
{
	const char *path = vmv_opts.file;
	char why[512], cached[64];
	struct stat sb;
	uint64_t a;

	if (path) {
		if (stat(path, &sb)) {
			vmv_skip(x, "--file %s: %s", path, strerror(errno));
			return;
		}
		if (!S_ISBLK(sb.st_mode) &&
		    (!S_ISREG(sb.st_mode) || sb.st_size < (off_t)(FILE_PAGES * PAGE))) {
			vmv_skip(x, "--file %s: give a regular file of at least %d pages, or a block device",
				 path, FILE_PAGES);
			return;
		}
		if (!S_ISBLK(sb.st_mode) && !vmv_droppable(path)) {
			vmv_skip(x, "--file %s is on tmpfs/ramfs, whose pages cannot be dropped from the page cache",
				 path);
			return;
		}
	} else {
		if (make_scratch(why, sizeof(why))) {
			vmv_skip(x, "%s", why);
			return;
		}
		path = scratch;
	}
	if (vmv_ask_addr(x, P, &a, "mapfile %s", path))
		return;
	x->range_start = a;
	x->range_end = a + FILE_PAGES * PAGE;
	vmv_note(x, "%s mapped read-only, shared, at 0x%" PRIx64, path, a);
	if (STEP(x, P, "read", a, "read %" PRIx64, a))
		return;
	vmv_expect(x, vmv_leaf_is(&x->last, "pte", "present") &&
		   vmv_leaf_page(&x->last, "file"),
		   "the read should map the file's page (page=%s)",
		   x->last.t.leaf.page);

	if (STEP(x, P, "drop", a, "dontneed %" PRIx64 " %llx", a, PAGE))
		return;
	if (vmv_ask(x, P, NULL, 0, "dropcache") ||
	    vmv_ask(x, P, cached, sizeof(cached), "mincore %" PRIx64, a))
		return;
	vmv_note(x, "MADV_DONTNEED unmapped it, POSIX_FADV_DONTNEED dropped it: in the page cache: %s",
		 atoi(cached) ? "still (FAILED to drop)" : "no");
	vmv_expect(x, !x->last.t.has_leaf,
		   "MADV_DONTNEED should leave no entry");
	vmv_expect(x, !atoi(cached),
		   "the page stayed in the page cache (is someone else mapping %s?)",
		   path);
	if (STEP(x, P, "read", a, "read %" PRIx64, a))
		return;
	vmv_expect(x, vmv_leaf_is(&x->last, "pte", "present") &&
		   vmv_leaf_page(&x->last, "file"),
		   "the read should map the page again");
	vmv_expect(x, x->acc_maj == 1,
		   "reading a page that is not in the page cache should be one major fault (%ld minor, %ld major)",
		   x->acc_min, x->acc_maj);
	if (x->result == RES_OK)
		vmv_note(x, "the page left the page cache and came back from the file with a major fault");
}

static bool thp_mode(char *mode, size_t len)
{
	char path[VMV_PATH_MAX], *text, *l, *r;

	vmv_path(path, sizeof(path),
		 "/sys/kernel/mm/transparent_hugepage/enabled");
	if (vmv_read_path(path, &text, NULL))
		return false;
	l = strchr(text, '[');
	r = l ? strchr(l, ']') : NULL;
	snprintf(mode, len, "%.*s", l && r ? (int)(r - l - 1) : 7,
		 l && r ? l + 1 : "unknown");
	free(text);
	return true;
}

static void sc_thp(struct fctx *x)
{
	int level = vmv_huge_level();
	uint64_t huge = 1ULL << vmv_level_shift(level), a;
	const char *lname = vmv_level_names[level];
	char mode[32], hs[24];

	vmv_size(hs, sizeof(hs), huge);
	if (!thp_mode(mode, sizeof(mode))) {
		vmv_skip(x, "no /sys/kernel/mm/transparent_hugepage: this kernel has no THP");
		return;
	}
	if (!strcmp(mode, "never")) {
		vmv_skip(x, "THP is disabled (transparent_hugepage/enabled is [never])");
		return;
	}
	if (vmv_ask_addr(x, P, &a, "anon %" PRIx64 " huge", huge))
		return;
	x->range_start = a;
	x->range_end = a + huge;
	vmv_note(x, "%s anonymous at 0x%" PRIx64 " (%s-aligned, MADV_HUGEPAGE; THP mode %s)",
		 hs, a, hs, mode);
	if (STEP(x, P, "write", a, "write %" PRIx64, a))
		return;
	vmv_expect(x, vmv_leaf_is(&x->last, lname, "present") &&
		   vmv_leaf_flag(&x->last, "pse"),
		   "the write should map a %s page with one %s leaf (got a %s entry: memory too fragmented? see thp_fault_fallback in /proc/vmstat)",
		   hs, lname,
		   x->last.t.has_leaf ? x->last.t.leaf.level : "missing");
	vmv_expect(x, x->acc_min == 1,
		   "one fault should map the whole %s (%ld minor faults)", hs,
		   x->acc_min);
	if (x->result != RES_OK)
		return;
	vmv_note(x, "one fault, one %s entry for %" PRIu64 " pages: no PTE table below it",
		 lname, (uint64_t)(huge / PAGE));
	if (STEP(x, P, "protect", a, "protect %" PRIx64 " %llx r", a, PAGE))
		return;
	vmv_expect(x, vmv_leaf_is(&x->last, "pte", "present") &&
		   !vmv_leaf_flag(&x->last, "rw"),
		   "mprotect of the first page should split the %s leaf: a read-only PTE",
		   lname);
	vmv_expect(x, !x->have_events || vmv_events_cover(&x->last_events, a),
		   "the split should raise a notifier event");
	if (vmv_show(x, P, "next", a + PAGE))
		return;
	vmv_expect(x, vmv_leaf_is(&x->last, "pte", "present") &&
		   vmv_leaf_flag(&x->last, "rw"),
		   "the next page should now be a writable PTE");
	if (x->result == RES_OK)
		vmv_note(x, "the %s leaf was split into a PTE table: the first page read-only, the rest still writable",
			 lname);
}

static void segv_one(struct fctx *x, uint64_t a, const char *access,
		     int want_code, const char *code_name)
{
	char reply[128];
	int sig = 0, code = 0;
	unsigned long long addr = 0;

	if (vmv_ask(x, P, reply, sizeof(reply), "segv %" PRIx64 " %s", a,
		    access))
		return;
	if (sscanf(reply, "%d %d %llx", &sig, &code, &addr) != 3)
		vmv_expect(x, false, "the target's answer '%s' makes no sense",
			   reply);
	vmv_note(x, "the child died of signal %d, si_code %d (%s), si_addr 0x%llx",
		 sig, code, code == 1 ? "SEGV_MAPERR" : code == 2 ? "SEGV_ACCERR" :
		 "?", addr);
	vmv_expect(x, sig == 11 && code == want_code && addr == a,
		   "expected SIGSEGV with %s at 0x%" PRIx64, code_name, a);
	/* forking that child write-protected our pages: not this story */
	vmv_skip_events(x, P);
}

static void sc_segv(struct fctx *x)
{
	uint64_t a, b;

	if (vmv_ask_addr(x, P, &a, "anon %llx nohuge", PAGE))
		return;
	x->range_start = a;
	x->range_end = a + PAGE;
	if (STEP(x, P, "write", a, "write %" PRIx64, a) ||
	    STEP(x, P, "protect", a, "protect %" PRIx64 " %llx r", a, PAGE))
		return;
	vmv_note(x, "the VMA is now %s and the PTE %s: a write has no way to succeed",
		 x->last.t.has_vma ? x->last.t.vma_perms : "?",
		 vmv_leaf_flag(&x->last, "rw") ? "writable (?)" :
		 vmv_arch() == VMVIEW_ARCH_ARM64 ?
		 "present but not writable (dbm clear, rdonly set)" :
		 "present but not writable (rw clear)");
	vmv_note(x, "so the CPU's protection fault is not COW nor a missing page: the kernel finds no write right in the VMA and sends SIGSEGV");
	segv_one(x, a, "w", 2, "SEGV_ACCERR");

	if (vmv_ask_addr(x, P, &b, "anon %llx nohuge", PAGE) ||
	    vmv_ask(x, P, NULL, 0, "unmap %" PRIx64 " %llx", b, PAGE))
		return;
	if (vmv_show(x, P, "unmapped", b))
		return;
	vmv_expect(x, !x->last.t.has_vma,
		   "no VMA should cover 0x%" PRIx64 " after munmap", b);
	vmv_note(x, "no VMA covers 0x%" PRIx64 ": the fault handler finds nothing to map and sends SIGSEGV",
		 b);
	segv_one(x, b, "r", 1, "SEGV_MAPERR");
}

/*
 * Does the kernel track soft-dirty bits?  With CONFIG_MEM_SOFT_DIRTY
 * every new VMA is VM_SOFTDIRTY, "sd" in smaps' VmFlags; without it
 * (32-bit x86) the flag does not exist.  Returns 1, 0, or -1 when the
 * VMA of addr is not in /proc/PID/smaps.
 */
static int vma_soft_dirty(pid_t pid, uint64_t addr)
{
	char path[VMV_PATH_MAX], *text, *p, *flags;
	unsigned long long s, e;
	int ret = -1;

	vmv_path(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	if (vmv_read_path(path, &text, NULL))
		return -1;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (sscanf(p, "%llx-%llx ", &s, &e) != 2 || addr < s ||
		    addr >= e)
			continue;
		flags = strstr(p, "\nVmFlags:");
		if (flags) {
			char *eol = strchrnul(flags + 1, '\n');
			char *sd = strstr(flags, " sd");

			ret = sd && sd < eol && (sd[3] == ' ' || sd[3] == '\n' ||
						 !sd[3]);
		}
		break;
	}
	free(text);
	return ret;
}

static void sc_soft_dirty(struct fctx *x)
{
	char path[VMV_PATH_MAX];
	pid_t pid = x->ch[P].pid;
	uint64_t a;
	int ret, bit;

	vmv_path(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	if (!vmv_exists(path)) {
		vmv_skip(x, "no %s (a kernel without CONFIG_PROC_PAGE_MONITOR)",
			 path);
		return;
	}
	if (vmv_ask_addr(x, P, &a, "anon %llx nohuge", 4 * PAGE))
		return;
	ret = vma_soft_dirty(pid, a);
	if (ret < 0) {
		vmv_expect(x, false, "no VmFlags for 0x%" PRIx64 " in /proc/%d/smaps: cannot tell whether this kernel tracks soft-dirty bits",
			   a, (int)pid);
		return;
	}
	if (!ret) {
		vmv_skip(x, "this kernel has no soft-dirty bits (no CONFIG_MEM_SOFT_DIRTY, which 32-bit x86 and arm64 lack): the new VMA at 0x%" PRIx64 " has no 'sd' in /proc/%d/smaps VmFlags",
			 a, (int)pid);
		return;
	}
	anon_intro(x, a, 4 * PAGE, "MADV_NOHUGEPAGE");
	if (STEP(x, P, "write", a, "write %" PRIx64, a))
		return;
	vmv_expect(x, vmv_leaf_flag(&x->last, "softdirty"),
		   "a freshly written page should be soft-dirty");

	{
		struct snap b;

		if (vmv_step_begin(x, P, &b))
			return;
		ret = vmv_write_path(path, "4\n");
		if (ret) {
			vmv_expect(x, false, "writing 4 to %s: %s", path,
				   strerror(-ret));
			return;
		}
		if (vmv_step_end(x, P, "clear", a, &b))
			return;
	}
	bit = vmv_pagemap_softdirty(pid, a);
	vmv_note(x, "clear_refs 4: soft-dirty cleared and the page write-protected; pagemap bit 55 = %d",
		 bit);
	vmv_expect(x, vmv_leaf_is(&x->last, "pte", "present") &&
		   !vmv_leaf_flag(&x->last, "softdirty") &&
		   !vmv_leaf_flag(&x->last, "rw"),
		   "after clear_refs the entry should be clean and read-only (flags=%s)",
		   x->last.t.leaf.flags);
	vmv_expect(x, bit == 0, "pagemap should say not soft-dirty after clear_refs");
	vmv_expect(x, !x->have_events || vmv_events_cover(&x->last_events, a),
		   "clear_refs should raise a notifier event");

	if (STEP(x, P, "write", a, "write %" PRIx64, a))
		return;
	bit = vmv_pagemap_softdirty(pid, a);
	vmv_note(x, "the write faulted, the kernel set soft-dirty again; pagemap bit 55 = %d",
		 bit);
	vmv_expect(x, x->acc_min == 1,
		   "the write to the write-protected page should be one minor fault (%ld)",
		   x->acc_min);
	vmv_expect(x, vmv_leaf_flag(&x->last, "softdirty") &&
		   vmv_leaf_flag(&x->last, "rw"),
		   "after the write the entry should be soft-dirty and writable (flags=%s)",
		   x->last.t.leaf.flags);
	vmv_expect(x, bit == 1, "pagemap should say soft-dirty after the write");
}

const struct scenario vmv_scenarios[] = {
	{ "demand-zero", "read fresh anonymous memory, then write it",
	  sc_demand_zero },
	{ "cow", "copy-on-write after fork", sc_cow },
	{ "swap", "a major fault from swap (MADV_PAGEOUT, then touch)",
	  sc_swap },
	{ "file", "a major fault from a file (page dropped from the cache)",
	  sc_file },
	{ "thp", "a transparent huge page, then split by mprotect", sc_thp },
	{ "segv", "SIGSEGV from a permission fault and an unmapped access",
	  sc_segv },
	{ "soft-dirty", "clear_refs, write, see the soft-dirty bit",
	  sc_soft_dirty },
};
const size_t vmv_nr_scenarios = ARRAY_SIZE(vmv_scenarios);

void vmv_scenario_cleanup(void)
{
	if (scratch[0]) {
		unlink(scratch);
		scratch[0] = '\0';
		vmv_track_tmpfile(NULL);
	}
}

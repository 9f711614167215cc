/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vmview reads differently on the kernels it supports (5.10, 6.1,
 * 6.12, 7.3), each behind a helper named for what it does.  Which way a
 * kernel goes is found by feature, never by version number: module/Kbuild
 * looks for the newer interface (a function, a type, a field) in the
 * kernel's headers and defines VMV_HAVE_*; constants the preprocessor can
 * see (the swap types, the entry bits) are tested here with #ifdef.
 * Where a kernel lacks something vmview cannot do without, the build
 * stops with #error naming it: nothing is approximated silently.
 */
#ifndef _VMV_COMPAT_H
#define _VMV_COMPAT_H

#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/pgtable.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "decode.h"

/*
 * An RSS counter as /proc/PID/status reads it.  Kernels with
 * get_mm_counter_sum() (6.2+: per-CPU counters) print the exact sum in
 * status, and so do we.  Kernels without it keep one shared atomic per
 * counter with per-task caches folded in at sync points (5.10, 6.1:
 * SPLIT_RSS_COUNTING); status reads that atomic with get_mm_counter(),
 * so it is exactly what status says there.  A kernel with per-CPU
 * counters but no exact sum would make our figure an approximation of
 * status's: refuse to build.
 */
#if !defined(VMV_HAVE_MM_COUNTER_SUM) && defined(VMV_HAVE_MM_PERCPU_RSS)
#error "vmview: per-CPU RSS counters without get_mm_counter_sum(): no exact RSS"
#endif
static inline unsigned long vmv_mm_counter(struct mm_struct *mm, int member)
{
#ifdef VMV_HAVE_MM_COUNTER_SUM
	return get_mm_counter_sum(mm, member);
#else
	return get_mm_counter(mm, member);
#endif
}

/*
 * Folios (5.16+) and, before them, compound pages: struct vmv_folio is
 * the folio, or on a kernel without folios the head page of the compound
 * page (a single page is its own head).  Every question vmview asks of
 * one goes through these names.
 */
#ifdef VMV_HAVE_FOLIO
#define vmv_folio		folio
#define vmv_page_folio		page_folio
#define vmv_folio_try_get	folio_try_get
#define vmv_folio_put		folio_put
#define vmv_folio_test_anon	folio_test_anon
#define vmv_folio_test_ksm	folio_test_ksm
#define vmv_folio_test_large	folio_test_large
#define vmv_folio_order		folio_order
#else
#define vmv_folio		page
#define vmv_page_folio		compound_head
#define vmv_folio_try_get	get_page_unless_zero
#define vmv_folio_put		put_page
#define vmv_folio_test_anon	PageAnon
#define vmv_folio_test_ksm	PageKsm
#define vmv_folio_test_large	PageCompound
#define vmv_folio_order		compound_order
#endif

/*
 * The page-flags word, read once (as kpageflags does): an unsigned long
 * until 6.17, then wrapped in memdesc_flags_t.
 */
static __always_inline unsigned long vmv_folio_flags_word(struct vmv_folio *folio)
{
#ifdef VMV_HAVE_MEMDESC_FLAGS
	return READ_ONCE(folio->flags.f);
#else
	return READ_ONCE(folio->flags);
#endif
}

/*
 * The folio's generation on the multi-generational LRU (MGLRU, 6.1+),
 * from a flags word already read with vmv_folio_flags_word(), so that it
 * is of the same moment as the other flags: 1 + the generation, as the
 * kernel stores it, or 0 when the folio is on no MGLRU list.  This is
 * folio_lru_gen() (<linux/mm_inline.h>) plus one, on our word instead of
 * a second read of folio->flags, with the kernel's own mask and offset.
 * Without CONFIG_LRU_GEN the kernel has no such field (LRU_GEN_WIDTH is
 * 0) and the answer is always 0.  When MGLRU is built in but switched
 * off (/sys/kernel/mm/lru_gen/enabled 0, CONFIG_LRU_GEN_ENABLED unset)
 * the kernel keeps folios on the classic lists with the field zero, and
 * on switching it off moves every folio back there and clears it
 * (lru_gen_change_state()): 0 again, so no check of the switch (a static
 * key modules cannot read) is needed.  A kernel with CONFIG_LRU_GEN but
 * without folio_lru_gen() keeps the generation somewhere else, and one
 * with more than VMVIEW_NR_GENS generations breaks the contract: refuse
 * to build rather than print a wrong one.
 */
#ifdef CONFIG_LRU_GEN
#ifndef VMV_HAVE_FOLIO_LRU_GEN
#error "vmview: CONFIG_LRU_GEN without folio_lru_gen(): where is a folio's generation?"
#endif
/* gen= is documented (and read by the CLI) as below this */
static_assert(MAX_NR_GENS == VMVIEW_NR_GENS);
static __always_inline u8 vmv_flags_lru_gen(unsigned long flags)
{
	return (flags & LRU_GEN_MASK) >> LRU_GEN_PGOFF;
}
#else
static __always_inline u8 vmv_flags_lru_gen(unsigned long flags)
{
	return 0;
}
#endif

/*
 * How many times this page of the folio is mapped, as pagemap's
 * "exclusively mapped" bit counts it: page_mapcount() where the kernel
 * has it (5.10, 6.1: it adds a compound page's entire mapcount itself),
 * folio_precise_page_mapcount() in fs/proc on kernels with typed pages
 * (6.12+), which needs per-page mapcounts (CONFIG_PAGE_MAPCOUNT).
 * @large: folio_test_large(@folio), from the caller's read of its flags.
 */
#if defined(VMV_HAVE_MAPCOUNT_IS_TYPE) && defined(CONFIG_NO_PAGE_MAPCOUNT)
#error "vmview: CONFIG_NO_PAGE_MAPCOUNT: no per-page mapcount for PID/ptes"
#endif
static __always_inline int vmv_page_mapcount(struct vmv_folio *folio,
					     struct page *page, bool large)
{
#ifdef VMV_HAVE_MAPCOUNT_IS_TYPE
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (page_mapcount_is_type(mapcount))
		mapcount = 0;
	if (large)
		mapcount += atomic_read(&folio->_entire_mapcount) + 1;
	return mapcount;
#else
	return page_mapcount(page);
#endif
}

/* The path a file was opened with, as /proc/PID/maps prints it. */
static inline const struct path *vmv_file_path(struct file *file)
{
#ifdef VMV_HAVE_FILE_USER_PATH
	return file_user_path(file);
#else
	return &file->f_path;
#endif
}

/* userfaultfd's minor-fault mode (5.13+); before, a flag never set. */
#ifdef VM_UFFD_MINOR
#define VMV_VM_UFFD_MINOR	VM_UFFD_MINOR
#else
#define VMV_VM_UFFD_MINOR	VM_NONE
#endif

/*
 * The notifier's event for a conversion to device-exclusive entries
 * (5.14+).  A kernel without one never sends it; the name table keeps
 * its slot.
 */
#ifdef VMV_HAVE_NOTIFY_EXCLUSIVE
#define VMV_NOTIFY_EXCLUSIVE	MMU_NOTIFY_EXCLUSIVE
#else
#define VMV_NOTIFY_EXCLUSIVE	(MMU_NOTIFY_MIGRATE + 1)
#endif

/*
 * The kernel's special swap types, for the decoder: each is
 * VMV_NO_TYPE where this kernel has no such entry.  Migration entries
 * for exclusively mapped anonymous pages came with 5.19; device-exclusive
 * entries with 5.14, as a read and a write type until 6.15 and as one
 * type since; PTE markers with 5.19; 6.1 also has a swap-in error type.
 */
static inline void vmv_swap_types(struct vmv_layout *l)
{
	l->type_hwpoison = VMV_NO_TYPE;
	l->type_migration_read = VMV_NO_TYPE;
	l->type_migration_read_exclusive = VMV_NO_TYPE;
	l->type_migration_write = VMV_NO_TYPE;
	l->type_device_private_read = VMV_NO_TYPE;
	l->type_device_private_write = VMV_NO_TYPE;
	l->type_device_exclusive_read = VMV_NO_TYPE;
	l->type_device_exclusive_write = VMV_NO_TYPE;
	l->type_marker = VMV_NO_TYPE;
	l->type_swapin_error = VMV_NO_TYPE;
	l->max_swapfiles = MAX_SWAPFILES;
#if SWP_HWPOISON_NUM
	l->type_hwpoison = SWP_HWPOISON;
#endif
#if SWP_MIGRATION_NUM
	l->type_migration_read = SWP_MIGRATION_READ;
#ifdef SWP_MIGRATION_READ_EXCLUSIVE
	l->type_migration_read_exclusive = SWP_MIGRATION_READ_EXCLUSIVE;
#endif
	l->type_migration_write = SWP_MIGRATION_WRITE;
#endif
#if SWP_DEVICE_NUM
	l->type_device_private_read = SWP_DEVICE_READ;
	l->type_device_private_write = SWP_DEVICE_WRITE;
#if defined(SWP_DEVICE_EXCLUSIVE_WRITE)
	l->type_device_exclusive_read = SWP_DEVICE_EXCLUSIVE_READ;
	l->type_device_exclusive_write = SWP_DEVICE_EXCLUSIVE_WRITE;
#elif defined(SWP_DEVICE_EXCLUSIVE)
	l->type_device_exclusive_read = SWP_DEVICE_EXCLUSIVE;
	l->type_device_exclusive_write = SWP_DEVICE_EXCLUSIVE;
#endif
#endif
#if defined(SWP_PTE_MARKER_NUM) && SWP_PTE_MARKER_NUM
	l->type_marker = SWP_PTE_MARKER;
#endif
#ifdef SWP_SWAPIN_ERROR_NUM
	l->type_swapin_error = SWP_SWAPIN_ERROR;
#endif
}

/*
 * How many bits of a migration, device or hwpoison entry's offset are
 * the PFN: SWP_PFN_BITS (6.1+; the rest of the offset carries the
 * young and dirty bits), or the whole offset of the generic swap entry
 * before that (5.10 keeps nothing else there).
 */
#ifdef SWP_PFN_BITS
#define VMV_SWP_PFN_BITS	SWP_PFN_BITS
#else
#define VMV_SWP_PFN_BITS	SWP_TYPE_SHIFT
#endif

/*
 * A migration entry for writing to @pfn, as the kernel makes it:
 * make_writable_migration_entry() (5.14+); before, make_migration_entry()
 * takes a locked page, and is swp_entry() of the write type on its PFN.
 */
static inline swp_entry_t vmv_writable_migration_entry(unsigned long pfn)
{
#ifdef VMV_HAVE_WRITABLE_MIGRATION_ENTRY
	return make_writable_migration_entry(pfn);
#else
	return swp_entry(SWP_MIGRATION_WRITE, pfn);
#endif
}

/*
 * Mark a swap PTE exclusively mapped (5.19+: pte_swp_mkexclusive()).
 * False, @pte untouched, on a kernel without the bit: it has no such
 * entries, and the decoder never reports the flag there.  6.1 has the
 * helper everywhere but the bit only where the architecture defines
 * __HAVE_ARCH_PTE_SWP_EXCLUSIVE (x86-64, not i386: there the generic
 * helper leaves the entry as it is); since 6.5 every architecture has
 * the bit and the macro is gone.  So the kernel's own answer decides:
 * the bit is there when pte_swp_exclusive() sees what the helper set.
 */
static inline bool vmv_pte_swp_mkexclusive(pte_t *pte)
{
#ifdef VMV_HAVE_PTE_SWP_EXCLUSIVE
	pte_t excl = pte_swp_mkexclusive(*pte);

	if (!pte_swp_exclusive(excl))
		return false;
	*pte = excl;
	return true;
#else
	return false;
#endif
}

/*
 * The PTE table a pmd snapshot points to, mapped for reading @addr's
 * entry, and its unmapping.  With CONFIG_HIGHPTE (i386) a PTE table may
 * live in high memory, outside the kernel's permanent mapping, and must
 * be mapped before it is read, as the kernel's own readers do:
 *
 * - 5.10 and 6.1: pte_offset_map() is a macro that maps (kmap_atomic()
 *   or kmap_local_page() of the table under HIGHPTE, pte_offset_kernel()
 *   otherwise) and pte_unmap() undoes it;
 * - 6.5+: pte_offset_map() is __pte_offset_map(), which also checks the
 *   pmd and takes rcu_read_lock() (and is not exported); the mapping
 *   alone is __pte_map(), undone by kunmap_local() under HIGHPTE (its
 *   pte_unmap() also drops the RCU lock, which the walker holds itself).
 *
 * Which one a kernel has is whether pte_offset_map is a macro.  Mapped
 * tables nest like kmap_local_page(): unmap in reverse order, from the
 * same task, without sleeping in between.
 */
#ifdef pte_offset_map
static inline pte_t *vmv_pte_map(pmd_t *pmd, unsigned long addr)
{
	return pte_offset_map(pmd, addr);
}

static inline void vmv_pte_unmap(pte_t *pte)
{
	pte_unmap(pte);
}
#else
static inline pte_t *vmv_pte_map(pmd_t *pmd, unsigned long addr)
{
	return __pte_map(pmd, addr);
}

static inline void vmv_pte_unmap(pte_t *pte)
{
#ifdef CONFIG_HIGHPTE
	kunmap_local(pte);
#endif
}
#endif

/*
 * Read an entry that may change under us, in one piece.  A 64-bit PAE
 * entry is two 32-bit words, which a plain read may tear: the kernel's
 * lockless readers read the low word, the high word, then the low word
 * again until it did not change (ptep_get_lockless(); for a pmd,
 * pmdp_get_lockless() since 6.2, which 6.1 lacks: it reads pmds the
 * same way there).  Where an entry is one word (x86-64, 2-level i386)
 * this is one READ_ONCE(), as before.
 */
static inline pte_t vmv_ptep_get_lockless(pte_t *ptep)
{
#if defined(CONFIG_GUP_GET_PTE_LOW_HIGH) || defined(CONFIG_GUP_GET_PXX_LOW_HIGH)
	return ptep_get_lockless(ptep);
#else
	return ptep_get(ptep);
#endif
}

static inline pmd_t vmv_pmdp_get_lockless(pmd_t *pmdp)
{
#if defined(pmdp_get_lockless)
	return pmdp_get_lockless(pmdp);
#elif defined(CONFIG_GUP_GET_PTE_LOW_HIGH) && CONFIG_PGTABLE_LEVELS > 2
	u32 *half = (u32 *)pmdp;
	u32 lo, hi;

	do {
		lo = READ_ONCE(half[0]);
		smp_rmb();	/* the high word after the low one */
		hi = READ_ONCE(half[1]);
		smp_rmb();	/* the low word again after the high one */
	} while (unlikely(lo != READ_ONCE(half[0])));
	return __pmd((pmdval_t)hi << 32 | lo);
#else
	return READ_ONCE(*pmdp);
#endif
}

/*
 * For the load-time check of the decoder: make @pte a PTE marker where
 * the kernel has those (5.19+; on 6.1 only with CONFIG_PTE_MARKER, which
 * its i386 kernels lack: make_pte_marker() then WARNs).  False, @pte
 * untouched, on a kernel without: it has no such entries for the decoder
 * to meet.  (The x86 bits that moved, devmap and saved-dirty, are
 * arch/x86/layout.c's.)
 */
static inline bool vmv_pte_mkmarker(pte_t *pte)
{
#if defined(VMV_HAVE_PTE_MARKER) && SWP_PTE_MARKER_NUM
	*pte = make_pte_marker(PTE_MARKER_UFFD_WP);
	return true;
#else
	return false;
#endif
}

/*
 * Levels folded at boot.  An arm64 kernel built for 52-bit addresses
 * (Debian's 6.12: CONFIG_PGTABLE_LEVELS 5 with 4 KiB pages, 4 with 16
 * KiB) folds its top level when the CPU has no LPA2 and runs with 48
 * bits (pgtable_l5_enabled(), pgtable_l4_enabled()): PTRS_PER_P4D (or
 * _PUD) still says 512, but the entry read there is the top table's,
 * indexed by p4d_index() in the page pgd_offset() points into.  x86's
 * 5-level kernels fold the same way through variables (PTRS_PER_P4D is
 * 1 under no5lvl) and need nothing here; arm64 kernels before 6.9
 * (no pgtable_l4_enabled()) fold only at build time.
 */
static inline bool vmv_boot_folded(enum vmview_level level)
{
#if defined(CONFIG_ARM64) && defined(VMV_HAVE_ARM64_BOOT_FOLDING)
#if CONFIG_PGTABLE_LEVELS > 4
	if (level == VMVIEW_LEVEL_P4D)
		return !pgtable_l5_enabled();
#endif
#if CONFIG_PGTABLE_LEVELS > 3
	if (level == VMVIEW_LEVEL_PUD)
		return !pgtable_l4_enabled();
#endif
#endif
	return false;
}

/*
 * The end of user space for every task: TASK_SIZE_MAX, or on arm64
 * (whose TASK_SIZE_MAX is the configured VA_BITS, 52 on Debian's 6.12
 * even when the CPU runs with 48) what a 64-bit task gets at this boot.
 */
#ifdef CONFIG_ARM64
#define VMV_TASK_SIZE_MAX	TASK_SIZE_64
#else
#define VMV_TASK_SIZE_MAX	TASK_SIZE_MAX
#endif

#endif /* _VMV_COMPAT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few things vmview reads differently on 6.1 and 6.12, each behind a
 * helper named for what it does.  Which way a kernel goes is found by
 * module/Kbuild, which looks for the newer interface in the kernel's
 * headers and defines VMV_HAVE_* (no version numbers are compared).
 */
#ifndef _VMV_COMPAT_H
#define _VMV_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>

/*
 * An RSS counter as /proc/PID/status reads it: 6.12 sums the per-CPU
 * counters exactly; 6.1 reads the shared atomic (per-task caches are
 * folded in at sync points, for status and for us alike).
 */
static inline unsigned long vmv_mm_counter(struct mm_struct *mm, int member)
{
#ifdef VMV_HAVE_MM_COUNTER_SUM
	return get_mm_counter_sum(mm, member);
#else
	return get_mm_counter(mm, member);
#endif
}

/*
 * How many times this page of the folio is mapped, as pagemap's
 * "exclusively mapped" bit counts it (page_mapcount() on 6.1,
 * folio_precise_page_mapcount() in fs/proc on 6.12).
 */
static inline int vmv_page_mapcount(struct folio *folio, struct page *page)
{
#ifdef VMV_HAVE_MAPCOUNT_IS_TYPE
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (page_mapcount_is_type(mapcount))
		mapcount = 0;
	if (folio_test_large(folio))
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

#endif /* _VMV_COMPAT_H */

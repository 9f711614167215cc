/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pageflags: a folio's flags word -> the page flags of PID/ptes
 * (VMVIEW_P_LRU ... VMVIEW_P_LARGE), bit by bit and with two tables.
 * Plain C: it builds into the module and into the host tests
 * (tests/test_pageflags.c).  Where each PG_ flag sits in the word comes
 * in a struct vmv_pg_bits: the module's is made of the kernel's enum
 * pageflags (walk.c, which also checks at build time that the flags fit
 * the tables), the tests' by hand, for each kernel series.
 */
#ifndef _VMV_PAGEFLAGS_H
#define _VMV_PAGEFLAGS_H

#include <uapi/vmview.h>

#include "vmv_types.h"

/* The bit of each PG_ flag the page flags are read from. */
struct vmv_pg_bits {
	u8 lru, active, referenced, unevictable, mlocked;
	u8 swapcache, swapbacked, dirty, writeback, head;
};

/*
 * The page flags of flags word @fl, bit by bit: the reference the tables
 * are made from.  PG_swapcache means swap cache only with PG_swapbacked
 * (the kernel's folio_test_swapcache()).
 */
u32 vmv_pg_flags(const struct vmv_pg_bits *pg, unsigned long fl);

/*
 * The same with two loads: @low is indexed by the word's bits
 * 0..@split-1, @high by its bits @split..@split+@high_bits-1.  Every
 * flag read must be in one of the two parts, and swapcache in the same
 * part as swapbacked, the flag it depends on (walk.c checks this of the
 * kernel's bits when it builds; the tests of theirs).  The tables hold
 * 1 << @split and 1 << @high_bits entries.
 */
void vmv_pg_tables_init(const struct vmv_pg_bits *pg, u16 *low,
			unsigned int split, u16 *high, unsigned int high_bits);

static __always_inline u32 vmv_pg_flags_lookup(const u16 *low,
					       unsigned int split,
					       const u16 *high,
					       unsigned int high_bits,
					       unsigned long fl)
{
	return low[fl & ((1UL << split) - 1)] |
	       high[(fl >> split) & ((1UL << high_bits) - 1)];
}

#endif /* _VMV_PAGEFLAGS_H */

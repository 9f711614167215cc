// SPDX-License-Identifier: GPL-2.0
/*
 * pageflags: the page flags of a folio's flags word (pageflags.h).
 * Plain C with no kernel state, built into the module and the host tests.
 */
#include "pageflags.h"

#define VMV_PGB(fl, pg, p)	((u32)(((fl) >> (pg)) & 1) << VMVIEW_P_##p)

u32 vmv_pg_flags(const struct vmv_pg_bits *pg, unsigned long fl)
{
	return VMV_PGB(fl, pg->lru, LRU) |
	       VMV_PGB(fl, pg->active, ACTIVE) |
	       VMV_PGB(fl, pg->referenced, REFERENCED) |
	       VMV_PGB(fl, pg->unevictable, UNEVICTABLE) |
	       VMV_PGB(fl, pg->mlocked, MLOCKED) |
	       (VMV_PGB(fl, pg->swapcache, SWAPCACHE) &
		VMV_PGB(fl, pg->swapbacked, SWAPCACHE)) |
	       VMV_PGB(fl, pg->swapbacked, SWAPBACKED) |
	       VMV_PGB(fl, pg->dirty, DIRTY) |
	       VMV_PGB(fl, pg->writeback, WRITEBACK) |
	       VMV_PGB(fl, pg->head, LARGE);
}

void vmv_pg_tables_init(const struct vmv_pg_bits *pg, u16 *low,
			unsigned int split, u16 *high, unsigned int high_bits)
{
	unsigned long i;

	for (i = 0; i < 1UL << split; i++)
		low[i] = vmv_pg_flags(pg, i);
	for (i = 0; i < 1UL << high_bits; i++)
		high[i] = vmv_pg_flags(pg, i << split);
}

// SPDX-License-Identifier: GPL-2.0
// units: pageflags.c
/*
 * Host unit tests for module/pageflags.c: a folio's flags word -> the page
 * flags of PID/ptes, bit by bit and with the two tables the dump reads,
 * for where each kernel series keeps its PG_ flags (enum pageflags of
 * include/linux/page-flags.h in Debian's linux-headers-5.10.0-46,
 * 6.1.0-57, 6.12.117+deb12 and 7.3.4+deb13, CONFIG_MMU=y).  The tables
 * are split as walk.c splits the kernel's: below PG_swapcache, and
 * PG_swapcache to PG_mlocked.
 */
#include "unit.h"
#include "pageflags.h"

unsigned long vmv_host_fail_after, vmv_host_allocs;

#define P(f)	(1U << VMVIEW_P_##f)

struct series {
	const char *name;
	struct vmv_pg_bits pg;
};

static const struct series series[] = {
	/* 5.10 and 6.1: locked, referenced, uptodate, dirty, lru, ... */
	{ "5.10/6.1", { .referenced = 1, .dirty = 3, .lru = 4, .active = 5,
			.swapcache = 10, .writeback = 15, .head = 16,
			.swapbacked = 19, .unevictable = 20,
			.mlocked = 21 } },
	/* 6.12: locked, writeback, referenced, uptodate, dirty, lru, ... */
	{ "6.12", { .writeback = 1, .referenced = 2, .dirty = 4, .lru = 5,
		    .head = 6, .active = 8, .swapcache = 10,
		    .swapbacked = 17, .unevictable = 18, .mlocked = 19 } },
	/* 7.3: as 6.12, with PG_dropbehind before PG_mlocked */
	{ "7.3", { .writeback = 1, .referenced = 2, .dirty = 4, .lru = 5,
		   .head = 6, .active = 8, .swapcache = 10, .swapbacked = 17,
		   .unevictable = 18, .mlocked = 20 } },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* What walk.c's static_asserts demand of a kernel's bits. */
static bool fits(const struct vmv_pg_bits *pg)
{
	const u8 b[] = { pg->lru, pg->active, pg->referenced, pg->unevictable,
			 pg->dirty, pg->writeback, pg->head };
	unsigned int i;

	for (i = 0; i < NELEM(b); i++)
		if (b[i] >= pg->mlocked)
			return false;
	return pg->swapbacked > pg->swapcache && pg->swapcache <= 11 &&
	       pg->mlocked - pg->swapcache + 1 <= 12;
}

/* Each flag alone, and the one that needs another. */
UNIT_TEST(bit_by_bit)
{
	unsigned int i;

	for (i = 0; i < NELEM(series); i++) {
		const struct vmv_pg_bits *pg = &series[i].pg;

		EXPECT(fits(pg));
		EXPECT_EQ(vmv_pg_flags(pg, 0), 0);
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->lru), P(LRU));
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->active), P(ACTIVE));
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->referenced),
			  P(REFERENCED));
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->unevictable),
			  P(UNEVICTABLE));
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->mlocked), P(MLOCKED));
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->dirty), P(DIRTY));
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->writeback),
			  P(WRITEBACK));
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->head), P(LARGE));
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->swapbacked),
			  P(SWAPBACKED));
		/* PG_swapcache is an fs's PG_checked without swapbacked */
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->swapcache), 0);
		EXPECT_EQ(vmv_pg_flags(pg, 1UL << pg->swapcache |
					   1UL << pg->swapbacked),
			  P(SWAPCACHE) | P(SWAPBACKED));
		/* the flags never read: locked (bit 0), the top bits */
		EXPECT_EQ(vmv_pg_flags(pg, 1UL | ~0UL << (pg->mlocked + 1)),
			  0);
	}
}

/*
 * The tables give what the bits give, for every word of the flags' bits
 * (2^22 words for 5.10/6.1), with random bits above them (the node,
 * zone and section fields of the real word).
 */
UNIT_TEST(tables_match_bit_by_bit)
{
	static u16 low[(1 << 11) + 1], high[(1 << 12) + 1];
	uint64_t seed = 0x5ee3c0ffee15f00dULL;
	unsigned int i, bad = 0;

	for (i = 0; i < NELEM(series); i++) {
		const struct vmv_pg_bits *pg = &series[i].pg;
		unsigned int split = pg->swapcache;
		unsigned int high_bits = pg->mlocked - pg->swapcache + 1;
		unsigned int top = pg->mlocked + 1;
		unsigned long w, fl;

		ASSERT(fits(pg));
		memset(low, 0xff, sizeof(low));
		memset(high, 0xff, sizeof(high));
		vmv_pg_tables_init(pg, low, split, high, high_bits);
		for (w = 0; w < 1UL << top; w++) {
			fl = w | (unsigned long)unit_xorshift(&seed) << top;
			if (vmv_pg_flags_lookup(low, split, high, high_bits,
						fl) != vmv_pg_flags(pg, fl) &&
			    !bad++)
				UNIT_FAIL("%s: 0x%lx: tables 0x%x, bits 0x%x",
					  series[i].name, fl,
					  vmv_pg_flags_lookup(low, split, high,
							      high_bits, fl),
					  vmv_pg_flags(pg, fl));
		}
		/* nothing past the tables' ends was written */
		EXPECT_EQ(low[1U << split], 0xffff);
		EXPECT_EQ(high[1U << high_bits], 0xffff);
	}
	EXPECT_EQ(bad, 0);
}

UNIT_MAIN()

// SPDX-License-Identifier: GPL-2.0
// units: shadow.c
/*
 * Unit tests of the shadow page table (module/shadow.c).
 *
 * check() cross-checks a table against what it reports: every leaf that
 * vmv_shadow_for_each() yields must be found by vmv_shadow_lookup(), the
 * leaf counts must match the stats, and the nodes per level and the bytes
 * must be exactly what the leaves need (shadow.c's layout comment).
 */
#include "unit.h"
#include "shadow.h"

unsigned long vmv_host_fail_after;
unsigned long vmv_host_allocs;

#define K4	(1ULL << 12)
#define M2	(1ULL << 21)
#define G1	(1ULL << 30)
#define T1	(1ULL << 40)
#define L4_END	(1ULL << 47)
#define L5_END	(1ULL << 56)
#define BIG_PFN	(1ULL << 30)	/* the first PFN a compact node cannot hold */

#define DIR_BYTES	4096
#define PTE_BYTES	2048
#define WPTE_BYTES	4096

#define MAX_RECS	8192

struct rec {
	u64 va;
	struct vmv_shadow_leaf leaf;
};

struct coll {
	struct rec r[MAX_RECS];
	int n;
	int stop_at;		/* return stop_ret at this call (1-based) */
	int stop_ret;
};

static struct coll coll_a, coll_b;

static int collect(void *priv, u64 va, const struct vmv_shadow_leaf *leaf)
{
	struct coll *c = priv;

	if (c->n < MAX_RECS) {
		c->r[c->n].va = va;
		c->r[c->n].leaf = *leaf;
	}
	c->n++;
	if (c->stop_at && c->n == c->stop_at)
		return c->stop_ret;
	return 0;
}

/*
 * Every collection also checks vmv_shadow_count(): the leaves it counts
 * are the ones vmv_shadow_for_each() visits.
 */
static int collect_all(const struct vmv_shadow *s, struct coll *c, u64 start,
		       u64 end)
{
	int ret;

	memset(c, 0, sizeof(*c));
	ret = vmv_shadow_for_each(s, start, end, collect, c);
	if (!ret && vmv_shadow_count(s, start, end) != (u64)c->n)
		UNIT_FAIL("count of [0x%llx, 0x%llx) is %llu, for_each saw %d",
			  (unsigned long long)start, (unsigned long long)end,
			  (unsigned long long)vmv_shadow_count(s, start, end),
			  c->n);
	return ret;
}

static unsigned int size_index(unsigned int shift)
{
	return shift == 12 ? 0 : shift == 21 ? 1 : 2;
}

/* What the nodes and bytes must be for the leaves in c (ascending). */
static void expected_stats(const struct coll *c, unsigned int levels,
			   struct vmv_shadow_stats *st)
{
	unsigned int level, top = levels - 1;
	u64 prev, prefix;
	bool any;
	int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < c->n; i++)
		st->leaves[size_index(c->r[i].leaf.shift)]++;
	if (!c->n)
		return;
	st->nodes[top] = 1;
	for (level = 0; level < top; level++) {
		any = false;
		prev = 0;
		for (i = 0; i < c->n; i++) {
			if (size_index(c->r[i].leaf.shift) > level)
				continue;
			prefix = c->r[i].va >> (12 + 9 * (level + 1));
			if (!any || prefix != prev)
				st->nodes[level]++;
			any = true;
			prev = prefix;
		}
	}
	any = false;
	prev = 0;
	for (i = 0; i < c->n; i++) {
		if (c->r[i].leaf.shift != 12 || c->r[i].leaf.pfn < BIG_PFN)
			continue;
		prefix = c->r[i].va >> 21;
		if (!any || prefix != prev)
			st->wide++;
		any = true;
		prev = prefix;
	}
	for (level = 1; level < levels; level++)
		st->bytes += st->nodes[level] * DIR_BYTES;
	st->bytes += st->nodes[0] * PTE_BYTES + st->wide * (WPTE_BYTES - PTE_BYTES);
}

static int stat_differs(const char *what, int i, u64 got, u64 want)
{
	if (got == want)
		return 0;
	UNIT_FAIL("stats %s[%d]: %llu, want %llu", what, i,
		  (unsigned long long)got, (unsigned long long)want);
	return 1;
}

/* Cross-check a table; returns the number of problems found. */
static int check(const struct vmv_shadow *s)
{
	struct vmv_shadow_stats st, want;
	struct vmv_shadow_leaf leaf;
	int i, bad = 0;
	u64 size;

	if (collect_all(s, &coll_b, 0, ~0ULL) || coll_b.n > MAX_RECS)
		return 1;
	for (i = 0; i < coll_b.n; i++) {
		struct rec *r = &coll_b.r[i];

		size = 1ULL << r->leaf.shift;
		if (i && r->va < coll_b.r[i - 1].va +
			 (1ULL << coll_b.r[i - 1].leaf.shift)) {
			UNIT_FAIL("leaf %d at 0x%llx out of order", i,
				  (unsigned long long)r->va);
			bad++;
		}
		if (r->va & (size - 1) || r->leaf.pfn & ((size >> 12) - 1)) {
			UNIT_FAIL("leaf at 0x%llx unaligned",
				  (unsigned long long)r->va);
			bad++;
		}
		if (vmv_shadow_lookup(s, r->va + size - 1, &leaf) ||
		    leaf.pfn != r->leaf.pfn || leaf.shift != r->leaf.shift ||
		    leaf.writable != r->leaf.writable) {
			UNIT_FAIL("lookup of 0x%llx disagrees with for_each",
				  (unsigned long long)r->va);
			bad++;
		}
	}
	vmv_shadow_stats(s, &st);
	expected_stats(&coll_b, s->levels, &want);
	for (i = 0; i < VMV_SHADOW_MAX_LEVELS; i++)
		bad += stat_differs("nodes", i, st.nodes[i], want.nodes[i]);
	for (i = 0; i < VMV_SHADOW_NR_SIZES; i++)
		bad += stat_differs("leaves", i, st.leaves[i], want.leaves[i]);
	bad += stat_differs("wide", 0, st.wide, want.wide);
	bad += stat_differs("bytes", 0, st.bytes, want.bytes);
	return bad;
}

static bool mapped(const struct vmv_shadow *s, u64 va)
{
	struct vmv_shadow_leaf leaf;

	return vmv_shadow_lookup(s, va, &leaf) == 0;
}

static u64 pfn_of(const struct vmv_shadow *s, u64 va)
{
	struct vmv_shadow_leaf leaf;

	if (vmv_shadow_lookup(s, va, &leaf))
		return ~0ULL;
	return leaf.pfn;
}

static struct vmv_shadow_stats stats_of(const struct vmv_shadow *s)
{
	struct vmv_shadow_stats st;

	vmv_shadow_stats(s, &st);
	return st;
}

UNIT_TEST(init_levels)
{
	struct vmv_shadow s;

	EXPECT_EQ(vmv_shadow_init(&s, 0), -EINVAL);
	EXPECT_EQ(vmv_shadow_init(&s, 3), -EINVAL);
	EXPECT_EQ(vmv_shadow_init(&s, 6), -EINVAL);
	ASSERT(vmv_shadow_init(&s, 4) == 0);
	EXPECT_EQ(s.levels, 4);
	EXPECT_EQ(vmv_shadow_limit(&s), L4_END);
	vmv_shadow_destroy(&s);
	ASSERT(vmv_shadow_init(&s, 5) == 0);
	EXPECT_EQ(vmv_shadow_limit(&s), L5_END);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(empty_table)
{
	struct vmv_shadow_leaf leaf;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	EXPECT_EQ(vmv_shadow_lookup(&s, 0, &leaf), -ENOENT);
	EXPECT_EQ(vmv_shadow_lookup(&s, 0x7f0000000000ULL, &leaf), -ENOENT);
	EXPECT_EQ(vmv_shadow_lookup(&s, ~0ULL, &leaf), -ENOENT);
	EXPECT_EQ(collect_all(&s, &coll_a, 0, ~0ULL), 0);
	EXPECT_EQ(coll_a.n, 0);
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	EXPECT(s.root == NULL);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

/* Set one leaf of each size in a table of each depth, look it up. */
static void one_leaf(unsigned int levels, unsigned int shift, u64 va, u64 pfn,
		     bool writable)
{
	u64 size = 1ULL << shift, dirs = levels - 1 - (shift - 12) / 9;
	struct vmv_shadow_leaf leaf;
	struct vmv_shadow_stats st;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, levels) == 0);
	ASSERT(vmv_shadow_set(&s, va, pfn, shift, writable) == 0);
	ASSERT(vmv_shadow_lookup(&s, va, &leaf) == 0);
	EXPECT_EQ(leaf.pfn, pfn);
	EXPECT_EQ(leaf.shift, shift);
	EXPECT_EQ(leaf.writable, writable);
	EXPECT_EQ(vmv_shadow_phys(&leaf, va), pfn << 12);
	ASSERT(vmv_shadow_lookup(&s, va + size - 1, &leaf) == 0);
	EXPECT_EQ(leaf.pfn, pfn);
	EXPECT_EQ(vmv_shadow_phys(&leaf, va + size - 1),
		  (pfn << 12) + size - 1);
	EXPECT_EQ(vmv_shadow_phys(&leaf, va + 0x123), (pfn << 12) + 0x123);
	if (va)
		EXPECT_EQ(vmv_shadow_lookup(&s, va - 1, &leaf), -ENOENT);
	EXPECT_EQ(vmv_shadow_lookup(&s, va + size, &leaf), -ENOENT);
	vmv_shadow_stats(&s, &st);
	EXPECT_EQ(st.leaves[size_index(shift)], 1);
	EXPECT_EQ(st.leaves[0] + st.leaves[1] + st.leaves[2], 1);
	/* one node on each level from the root down to the leaf's */
	EXPECT_EQ(st.bytes, shift == 12 ? dirs * DIR_BYTES + PTE_BYTES :
		  (dirs + 1) * DIR_BYTES);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
	EXPECT_EQ(stats_of(&s).bytes, 0);
}

UNIT_TEST(set_lookup_4k)
{
	one_leaf(4, 12, 0x7f1234561000ULL, 0x1234a, true);
	one_leaf(4, 12, 0x400000ULL, 0x1, false);
	one_leaf(5, 12, 0x7f1234561000ULL, 0x1234a, false);
	one_leaf(5, 12, 0xff1234561000ULL, 0x3fffffff, true);
}

UNIT_TEST(set_lookup_2m)
{
	one_leaf(4, 21, 0x7f1234600000ULL, 0x23400, true);
	one_leaf(5, 21, 0x12345678600000ULL, 0x23400, false);
}

UNIT_TEST(set_lookup_1g)
{
	one_leaf(4, 30, 0x7f0040000000ULL, 0x40000, true);
	one_leaf(5, 30, 0xf0000040000000ULL, T1 - 0x40000, false);
}

UNIT_TEST(phys_offsets)
{
	struct vmv_shadow_leaf l4 = { .pfn = 0x1234a, .shift = 12 };
	struct vmv_shadow_leaf l2 = { .pfn = 0x23400, .shift = 21 };
	struct vmv_shadow_leaf l1 = { .pfn = 0x40000, .shift = 30 };

	EXPECT_EQ(vmv_shadow_phys(&l4, 0x7f1234561abcULL), 0x1234aabcULL);
	EXPECT_EQ(vmv_shadow_phys(&l2, 0x7f12346abcdeULL), 0x234abcdeULL);
	EXPECT_EQ(vmv_shadow_phys(&l1, 0x7f0052345678ULL), 0x52345678ULL);
}

UNIT_TEST(boundaries_4level)
{
	struct vmv_shadow s;

	one_leaf(4, 12, 0, 0, true);
	one_leaf(4, 12, L4_END - K4, 0x5, true);
	one_leaf(4, 21, 0, 0, true);
	one_leaf(4, 21, L4_END - M2, 0x200, false);
	one_leaf(4, 30, 0, 0, true);
	one_leaf(4, 30, L4_END - G1, 0x40000, false);

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	EXPECT_EQ(vmv_shadow_set(&s, L4_END, 1, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, L4_END, 0, 21, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, L4_END, 0, 30, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, L5_END - K4, 1, 12, true), -EINVAL);
	ASSERT(vmv_shadow_set(&s, 0, 7, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, L4_END - K4, 8, 12, true) == 0);
	EXPECT_EQ(pfn_of(&s, 0), 7);
	EXPECT_EQ(pfn_of(&s, L4_END - 1), 8);
	EXPECT(!mapped(&s, L4_END));
	EXPECT(!mapped(&s, ~0ULL));
	/* the first and last pages are as far apart as a table allows */
	EXPECT_EQ(stats_of(&s).nodes[3], 1);
	EXPECT_EQ(stats_of(&s).nodes[2], 2);
	EXPECT_EQ(stats_of(&s).nodes[1], 2);
	EXPECT_EQ(stats_of(&s).nodes[0], 2);
	EXPECT_EQ(collect_all(&s, &coll_a, 0, ~0ULL), 0);
	EXPECT_EQ(coll_a.n, 2);
	EXPECT_EQ(coll_a.r[1].va, L4_END - K4);
	vmv_shadow_invalidate(&s, L4_END - 1, ~0ULL);
	EXPECT(!mapped(&s, L4_END - K4));
	EXPECT(mapped(&s, 0));
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(boundaries_5level)
{
	struct vmv_shadow s;

	one_leaf(5, 12, 0, 0, true);
	one_leaf(5, 12, L5_END - K4, 0x5, true);
	one_leaf(5, 12, L4_END, 0x6, true);
	one_leaf(5, 21, L5_END - M2, 0x200, false);
	one_leaf(5, 30, L5_END - G1, 0x40000, false);

	ASSERT(vmv_shadow_init(&s, 5) == 0);
	EXPECT_EQ(vmv_shadow_set(&s, L5_END, 1, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 1ULL << 57, 1, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, ~0ULL << 30, 0, 30, true), -EINVAL);
	ASSERT(vmv_shadow_set(&s, 0, 7, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, L5_END - K4, 8, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).nodes[4], 1);
	EXPECT_EQ(stats_of(&s).nodes[3], 2);
	EXPECT_EQ(stats_of(&s).nodes[2], 2);
	EXPECT_EQ(stats_of(&s).nodes[1], 2);
	EXPECT_EQ(stats_of(&s).nodes[0], 2);
	EXPECT_EQ(stats_of(&s).bytes, 7 * DIR_BYTES + 2 * PTE_BYTES);
	EXPECT_EQ(pfn_of(&s, L5_END - 1), 8);
	EXPECT(!mapped(&s, L5_END));
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(einval_cases)
{
	static const unsigned int bad_shifts[] = {
		0, 1, 11, 13, 20, 22, 29, 31, 39, 64, 255,
	};
	struct vmv_shadow s;
	unsigned int i;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	for (i = 0; i < sizeof(bad_shifts) / sizeof(bad_shifts[0]); i++)
		EXPECT_EQ(vmv_shadow_set(&s, 0, 0, bad_shifts[i], true),
			  -EINVAL);
	/* va not aligned to the size */
	EXPECT_EQ(vmv_shadow_set(&s, 1, 0, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0x800, 0, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, K4, 0, 21, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, M2 - K4, 0, 21, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, M2, 0, 30, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, G1 + K4, 0, 30, true), -EINVAL);
	/* va out of range */
	EXPECT_EQ(vmv_shadow_set(&s, L4_END, 0, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, ~0ULL << 12, 0, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0xffff800000000000ULL, 0, 30, true),
		  -EINVAL);
	/* pfn too large */
	EXPECT_EQ(vmv_shadow_set(&s, 0, T1, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, ~0ULL, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, T1, 21, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 1ULL << 52, 30, true), -EINVAL);
	/* pfn not aligned to the size */
	EXPECT_EQ(vmv_shadow_set(&s, 0, 1, 21, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0x1ff, 21, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0x200, 30, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0x3ffff, 30, true), -EINVAL);
	/* nothing was built by the failures */
	EXPECT_EQ(stats_of(&s).bytes, 0);
	EXPECT(s.root == NULL);
	/* the largest valid PFNs */
	EXPECT_EQ(vmv_shadow_set(&s, 0, T1 - 1, 12, true), 0);
	EXPECT_EQ(vmv_shadow_set(&s, G1, T1 - 0x200, 21, true), 0);
	EXPECT_EQ(vmv_shadow_set(&s, 2 * G1, T1 - 0x40000, 30, true), 0);
	EXPECT_EQ(pfn_of(&s, 0), T1 - 1);
	EXPECT_EQ(pfn_of(&s, G1), T1 - 0x200);
	EXPECT_EQ(pfn_of(&s, 2 * G1), T1 - 0x40000);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(eexist_inside_larger_leaf)
{
	struct vmv_shadow_stats before, after;
	u64 m = 0x7f0000200000ULL, g = 0x7f0040000000ULL;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	ASSERT(vmv_shadow_set(&s, m, 0x400, 21, true) == 0);
	ASSERT(vmv_shadow_set(&s, g, 0x80000, 30, false) == 0);
	vmv_shadow_stats(&s, &before);
	EXPECT_EQ(vmv_shadow_set(&s, m, 5, 12, true), -EEXIST);
	EXPECT_EQ(vmv_shadow_set(&s, m + M2 - K4, 5, 12, true), -EEXIST);
	EXPECT_EQ(vmv_shadow_set(&s, m + M2 - K4, BIG_PFN, 12, true), -EEXIST);
	EXPECT_EQ(vmv_shadow_set(&s, g, 0x200, 21, true), -EEXIST);
	EXPECT_EQ(vmv_shadow_set(&s, g + G1 - M2, 0x200, 21, true), -EEXIST);
	EXPECT_EQ(vmv_shadow_set(&s, g + 0x12345000, 5, 12, true), -EEXIST);
	vmv_shadow_stats(&s, &after);
	EXPECT(memcmp(&before, &after, sizeof(before)) == 0);
	EXPECT_EQ(pfn_of(&s, m + 0x1000), 0x400);
	EXPECT_EQ(pfn_of(&s, g + 0x12345000), 0x80000);
	/* the neighbours are free */
	EXPECT_EQ(vmv_shadow_set(&s, m - K4, 5, 12, true), 0);
	EXPECT_EQ(vmv_shadow_set(&s, m + M2, 6, 12, true), 0);
	EXPECT_EQ(vmv_shadow_set(&s, g - M2, 0x200, 21, true), 0);
	EXPECT_EQ(vmv_shadow_set(&s, g + G1, 0x200, 21, true), 0);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(overwrite_same_size)
{
	struct vmv_shadow_leaf leaf;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	ASSERT(vmv_shadow_set(&s, 0x1000, 1, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, 0x1000, 2, 12, false) == 0);
	ASSERT(vmv_shadow_lookup(&s, 0x1000, &leaf) == 0);
	EXPECT_EQ(leaf.pfn, 2);
	EXPECT(!leaf.writable);
	ASSERT(vmv_shadow_set(&s, M2, 0x200, 21, false) == 0);
	ASSERT(vmv_shadow_set(&s, M2, 0x400, 21, true) == 0);
	ASSERT(vmv_shadow_lookup(&s, M2 + 5, &leaf) == 0);
	EXPECT_EQ(leaf.pfn, 0x400);
	EXPECT(leaf.writable);
	ASSERT(vmv_shadow_set(&s, G1, 0x40000, 30, false) == 0);
	ASSERT(vmv_shadow_set(&s, G1, 0x80000, 30, true) == 0);
	EXPECT_EQ(pfn_of(&s, G1 + 77), 0x80000);
	EXPECT_EQ(stats_of(&s).leaves[0], 1);
	EXPECT_EQ(stats_of(&s).leaves[1], 1);
	EXPECT_EQ(stats_of(&s).leaves[2], 1);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(overwrite_subtree_with_2m)
{
	u64 base = 0x7f1234400000ULL, i;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	for (i = 0; i < 512; i++)
		ASSERT(vmv_shadow_set(&s, base + i * K4, 100 + i, 12,
				      i & 1) == 0);
	/* one neighbour on each side, in other pte nodes */
	ASSERT(vmv_shadow_set(&s, base - K4, 1, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, base + M2, 2, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).leaves[0], 514);
	EXPECT_EQ(stats_of(&s).nodes[0], 3);
	EXPECT_EQ(check(&s), 0);
	ASSERT(vmv_shadow_set(&s, base, 0x200, 21, true) == 0);
	EXPECT_EQ(stats_of(&s).leaves[0], 2);
	EXPECT_EQ(stats_of(&s).leaves[1], 1);
	EXPECT_EQ(stats_of(&s).nodes[0], 2);
	EXPECT_EQ(stats_of(&s).bytes, 3 * DIR_BYTES + 2 * PTE_BYTES);
	EXPECT_EQ(pfn_of(&s, base + 0x5000), 0x200);
	EXPECT_EQ(pfn_of(&s, base - K4), 1);
	EXPECT_EQ(pfn_of(&s, base + M2), 2);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(overwrite_subtree_with_1g)
{
	u64 base = 0x7f0000000000ULL, i;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	/* 4K leaves in 8 pte nodes, with a wide one, and 2M leaves */
	for (i = 0; i < 8; i++) {
		ASSERT(vmv_shadow_set(&s, base + i * M2, i, 12, true) == 0);
		ASSERT(vmv_shadow_set(&s, base + i * M2 + 7 * K4,
				      i ? i : BIG_PFN, 12, true) == 0);
	}
	for (i = 100; i < 110; i++)
		ASSERT(vmv_shadow_set(&s, base + i * M2, i * 512, 21,
				      false) == 0);
	ASSERT(vmv_shadow_set(&s, base + G1, 0x40000, 30, true) == 0);
	EXPECT_EQ(stats_of(&s).nodes[0], 8);
	EXPECT_EQ(stats_of(&s).wide, 1);
	EXPECT_EQ(stats_of(&s).nodes[1], 1);
	EXPECT_EQ(check(&s), 0);
	ASSERT(vmv_shadow_set(&s, base, 0x80000, 30, true) == 0);
	EXPECT_EQ(stats_of(&s).nodes[0], 0);
	EXPECT_EQ(stats_of(&s).wide, 0);
	EXPECT_EQ(stats_of(&s).nodes[1], 0);
	EXPECT_EQ(stats_of(&s).leaves[0], 0);
	EXPECT_EQ(stats_of(&s).leaves[1], 0);
	EXPECT_EQ(stats_of(&s).leaves[2], 2);
	EXPECT_EQ(stats_of(&s).bytes, 2 * DIR_BYTES);
	EXPECT_EQ(pfn_of(&s, base + 100 * M2), 0x80000);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

/* 16 pages from base, pfn 0x100 + i. */
static void sixteen(struct vmv_shadow *s, u64 base)
{
	u64 i;

	for (i = 0; i < 16; i++)
		vmv_shadow_set(s, base + i * K4, 0x100 + i, 12, true);
}

UNIT_TEST(invalidate_pages)
{
	u64 base = 0x7f0000001000ULL, i;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	sixteen(&s, base);
	vmv_shadow_invalidate(&s, base + 5 * K4, base + 6 * K4);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(mapped(&s, base + i * K4), i != 5);
	EXPECT_EQ(stats_of(&s).leaves[0], 15);
	/* empty and reversed ranges do nothing */
	vmv_shadow_invalidate(&s, base, base);
	vmv_shadow_invalidate(&s, base + 10 * K4, base);
	EXPECT_EQ(stats_of(&s).leaves[0], 15);
	/* unaligned: a range touching a page's last byte drops it */
	vmv_shadow_invalidate(&s, base + K4 - 1, base + K4);
	EXPECT(!mapped(&s, base));
	EXPECT(mapped(&s, base + K4));
	/* and its first byte */
	vmv_shadow_invalidate(&s, base + 2 * K4 + 1, base + 3 * K4 + 1);
	EXPECT(mapped(&s, base + K4));
	EXPECT(!mapped(&s, base + 2 * K4));
	EXPECT(!mapped(&s, base + 3 * K4));
	EXPECT(mapped(&s, base + 4 * K4));
	EXPECT_EQ(stats_of(&s).leaves[0], 12);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_invalidate(&s, base, base + 16 * K4);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	EXPECT(s.root == NULL);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(invalidate_huge_partly)
{
	u64 m = 0x7f0000200000ULL, g = 0x7f0040000000ULL;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	ASSERT(vmv_shadow_set(&s, m - K4, 1, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, m, 0x200, 21, true) == 0);
	ASSERT(vmv_shadow_set(&s, m + M2, 2, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, g, 0x40000, 30, true) == 0);
	ASSERT(vmv_shadow_set(&s, g + G1, 3, 12, true) == 0);
	/* one byte of a 2M leaf drops it whole, not its neighbours */
	vmv_shadow_invalidate(&s, m + 0x12345, m + 0x12346);
	EXPECT(!mapped(&s, m));
	EXPECT(!mapped(&s, m + M2 - 1));
	EXPECT(mapped(&s, m - K4));
	EXPECT(mapped(&s, m + M2));
	EXPECT_EQ(check(&s), 0);
	/* a range from inside a 1G leaf to inside the next 4K page */
	vmv_shadow_invalidate(&s, g + G1 - 5, g + G1 + 1);
	EXPECT(!mapped(&s, g));
	EXPECT(!mapped(&s, g + G1));
	EXPECT_EQ(stats_of(&s).leaves[2], 0);
	EXPECT_EQ(check(&s), 0);
	/* a range spanning a 4K, a 2M and a 4K leaf */
	ASSERT(vmv_shadow_set(&s, m, 0x200, 21, true) == 0);
	vmv_shadow_invalidate(&s, m - 1, m + M2 + 1);
	EXPECT_EQ(stats_of(&s).leaves[0], 0);
	EXPECT_EQ(stats_of(&s).leaves[1], 0);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(invalidate_clamps)
{
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	ASSERT(vmv_shadow_set(&s, L4_END - K4, 1, 12, true) == 0);
	vmv_shadow_invalidate(&s, L4_END, ~0ULL);
	EXPECT(mapped(&s, L4_END - K4));
	vmv_shadow_invalidate(&s, ~0ULL - 5, ~0ULL);
	EXPECT(mapped(&s, L4_END - K4));
	vmv_shadow_invalidate(&s, L4_END - 1, ~0ULL);
	EXPECT(!mapped(&s, L4_END - K4));
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(stats_per_level)
{
	struct vmv_shadow_stats st;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	ASSERT(vmv_shadow_set(&s, 0, 1, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, K4, 2, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, M2, 0x200, 21, true) == 0);
	ASSERT(vmv_shadow_set(&s, G1, 0x40000, 30, true) == 0);
	ASSERT(vmv_shadow_set(&s, 1ULL << 39, 3, 12, true) == 0);
	vmv_shadow_stats(&s, &st);
	EXPECT_EQ(st.nodes[3], 1);	/* root */
	EXPECT_EQ(st.nodes[2], 2);	/* puds for [0, 512G) and [512G, 1T) */
	EXPECT_EQ(st.nodes[1], 2);	/* pmds for [0, 1G) and [512G, +1G) */
	EXPECT_EQ(st.nodes[0], 2);	/* ptes for [0, 2M) and [512G, +2M) */
	EXPECT_EQ(st.nodes[4], 0);
	EXPECT_EQ(st.wide, 0);
	EXPECT_EQ(st.bytes, 5 * DIR_BYTES + 2 * PTE_BYTES);
	EXPECT_EQ(st.leaves[0], 3);
	EXPECT_EQ(st.leaves[1], 1);
	EXPECT_EQ(st.leaves[2], 1);
	EXPECT_EQ(check(&s), 0);
	/* dropping the 1G leaf frees no node; dropping page 512G frees 3 */
	vmv_shadow_invalidate(&s, G1, 2 * G1);
	EXPECT_EQ(stats_of(&s).bytes, 5 * DIR_BYTES + 2 * PTE_BYTES);
	vmv_shadow_invalidate(&s, 1ULL << 39, (1ULL << 39) + 1);
	EXPECT_EQ(stats_of(&s).bytes, 3 * DIR_BYTES + 1 * PTE_BYTES);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);

	ASSERT(vmv_shadow_init(&s, 5) == 0);
	ASSERT(vmv_shadow_set(&s, 0, 1, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, 1ULL << 48, 2, 12, true) == 0);
	vmv_shadow_stats(&s, &st);
	EXPECT_EQ(st.nodes[4], 1);
	EXPECT_EQ(st.nodes[3], 2);
	EXPECT_EQ(st.nodes[2], 2);
	EXPECT_EQ(st.nodes[1], 2);
	EXPECT_EQ(st.nodes[0], 2);
	EXPECT_EQ(st.bytes, 7 * DIR_BYTES + 2 * PTE_BYTES);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(memory_below_kernel_tables)
{
	/*
	 * A dense 64 MiB of 4K pages: the kernel would use 32 pte + 1 pmd +
	 * 1 pud tables = 34 pages in pgtables_bytes.
	 */
	u64 base = 0x7f0000000000ULL, i, kernel = 34 * 4096;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	for (i = 0; i < 64 * 256; i++)
		ASSERT(vmv_shadow_set(&s, base + i * K4, i, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).bytes, 3 * DIR_BYTES + 32 * PTE_BYTES);
	EXPECT(stats_of(&s).bytes <= kernel);
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(bytes_zero_after_full_invalidate_and_destroy)
{
	unsigned int levels;
	struct vmv_shadow s;
	u64 i, va;

	for (levels = 4; levels <= 5; levels++) {
		ASSERT(vmv_shadow_init(&s, levels) == 0);
		for (i = 0; i < 300; i++) {
			va = (i * 0x9e3779b97f4a7c15ULL) % vmv_shadow_limit(&s);
			vmv_shadow_set(&s, va & ~(K4 - 1), i, 12, i & 1);
			vmv_shadow_set(&s, va & ~(M2 - 1), i * 512, 21, true);
			vmv_shadow_set(&s, (va & ~(K4 - 1)) + G1,
				       BIG_PFN + i, 12, true);
			vmv_shadow_set(&s, va & ~(G1 - 1), 0x40000, 30, false);
		}
		EXPECT(stats_of(&s).bytes > 0);
		EXPECT_EQ(check(&s), 0);
		vmv_shadow_invalidate(&s, 0, ~0ULL);
		EXPECT_EQ(stats_of(&s).bytes, 0);
		EXPECT_EQ(check(&s), 0);
		EXPECT(s.root == NULL);
		/* refill, then destroy (ASan reports any leak) */
		for (i = 0; i < 300; i++)
			vmv_shadow_set(&s, i * (G1 + M2 + K4) %
				       vmv_shadow_limit(&s) & ~(K4 - 1),
				       i << 25, 12, true);
		EXPECT(stats_of(&s).wide > 0);
		vmv_shadow_destroy(&s);
		EXPECT_EQ(stats_of(&s).bytes, 0);
		EXPECT_EQ(stats_of(&s).leaves[0], 0);
		EXPECT(s.root == NULL);
		/* a destroyed table is an empty one */
		ASSERT(vmv_shadow_set(&s, 0, 1, 12, true) == 0);
		EXPECT_EQ(pfn_of(&s, 0), 1);
		vmv_shadow_destroy(&s);
	}
}

UNIT_TEST(for_each_order_and_range)
{
	static const u64 vas[] = {
		0x7f0000003000ULL, 0x1000, 0x7f0040000000ULL,
		0x7f0000200000ULL, 0x0, 0x7f0000001000ULL, 0x7fffffff0000ULL,
	};
	static const unsigned int shifts[] = { 12, 12, 30, 21, 12, 12, 12 };
	static const u64 sorted[] = {
		0x0, 0x1000, 0x7f0000001000ULL, 0x7f0000003000ULL,
		0x7f0000200000ULL, 0x7f0040000000ULL, 0x7fffffff0000ULL,
	};
	struct vmv_shadow s;
	unsigned int i;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	for (i = 0; i < 7; i++)
		ASSERT(vmv_shadow_set(&s, vas[i], (u64)i << 18, shifts[i],
				      true) == 0);
	EXPECT_EQ(collect_all(&s, &coll_a, 0, ~0ULL), 0);
	ASSERT(coll_a.n == 7);
	for (i = 0; i < 7; i++)
		EXPECT_EQ(coll_a.r[i].va, sorted[i]);
	EXPECT_EQ(coll_a.r[4].leaf.shift, 21);
	EXPECT_EQ(coll_a.r[5].leaf.shift, 30);
	EXPECT_EQ(coll_a.r[5].leaf.pfn, 2ULL << 18);

	/* a range starting inside a 2M leaf and ending inside a 1G one */
	EXPECT_EQ(collect_all(&s, &coll_a, 0x7f0000300000ULL,
			      0x7f0040000001ULL), 0);
	ASSERT(coll_a.n == 2);
	EXPECT_EQ(coll_a.r[0].va, 0x7f0000200000ULL);
	EXPECT_EQ(coll_a.r[1].va, 0x7f0040000000ULL);
	/* [start, end): a leaf starting at end is not included */
	EXPECT_EQ(collect_all(&s, &coll_a, 0x1000, 0x7f0000003000ULL), 0);
	ASSERT(coll_a.n == 2);
	EXPECT_EQ(coll_a.r[0].va, 0x1000);
	EXPECT_EQ(coll_a.r[1].va, 0x7f0000001000ULL);
	/* a page's last byte is enough */
	EXPECT_EQ(collect_all(&s, &coll_a, 0x1fff, 0x2000), 0);
	EXPECT_EQ(coll_a.n, 1);
	/* empty, reversed and out-of-range ranges */
	EXPECT_EQ(collect_all(&s, &coll_a, 0x1000, 0x1000), 0);
	EXPECT_EQ(coll_a.n, 0);
	EXPECT_EQ(collect_all(&s, &coll_a, 0x2000, 0x1000), 0);
	EXPECT_EQ(coll_a.n, 0);
	EXPECT_EQ(collect_all(&s, &coll_a, L4_END, ~0ULL), 0);
	EXPECT_EQ(coll_a.n, 0);
	EXPECT_EQ(collect_all(&s, &coll_a, 0x2000, 0x3000), 0);
	EXPECT_EQ(coll_a.n, 0);

	/* early stop: the callback's value comes back, no more calls */
	memset(&coll_a, 0, sizeof(coll_a));
	coll_a.stop_at = 3;
	coll_a.stop_ret = 42;
	EXPECT_EQ(vmv_shadow_for_each(&s, 0, ~0ULL, collect, &coll_a), 42);
	EXPECT_EQ(coll_a.n, 3);
	memset(&coll_a, 0, sizeof(coll_a));
	coll_a.stop_at = 6;
	coll_a.stop_ret = -EINTR;
	EXPECT_EQ(vmv_shadow_for_each(&s, 0, ~0ULL, collect, &coll_a),
		  -EINTR);
	EXPECT_EQ(coll_a.n, 6);
	EXPECT_EQ(coll_a.r[5].va, 0x7f0040000000ULL);
	memset(&coll_a, 0, sizeof(coll_a));
	coll_a.stop_at = 7;
	coll_a.stop_ret = 1;
	EXPECT_EQ(vmv_shadow_for_each(&s, 0, ~0ULL, collect, &coll_a), 1);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(widen_and_narrow)
{
	u64 base = 0x7f0000000000ULL, bytes;
	struct vmv_shadow_leaf leaf;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	ASSERT(vmv_shadow_set(&s, base, 0x3fffffff, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, base + K4, 2, 12, false) == 0);
	ASSERT(vmv_shadow_set(&s, base + 511 * K4, 3, 12, true) == 0);
	bytes = stats_of(&s).bytes;
	EXPECT_EQ(bytes, 3 * DIR_BYTES + PTE_BYTES);
	EXPECT_EQ(stats_of(&s).wide, 0);

	/* a PFN that does not fit widens the node: 2048 more bytes */
	ASSERT(vmv_shadow_set(&s, base + 2 * K4, BIG_PFN, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).wide, 1);
	EXPECT_EQ(stats_of(&s).nodes[0], 1);
	EXPECT_EQ(stats_of(&s).bytes, bytes + WPTE_BYTES - PTE_BYTES);
	EXPECT_EQ(pfn_of(&s, base), 0x3fffffff);
	ASSERT(vmv_shadow_lookup(&s, base + K4, &leaf) == 0);
	EXPECT_EQ(leaf.pfn, 2);
	EXPECT(!leaf.writable);
	EXPECT_EQ(pfn_of(&s, base + 2 * K4), BIG_PFN);
	EXPECT_EQ(pfn_of(&s, base + 511 * K4), 3);
	ASSERT(vmv_shadow_set(&s, base + 3 * K4, T1 - 1, 12, true) == 0);
	EXPECT_EQ(pfn_of(&s, base + 3 * K4), T1 - 1);
	EXPECT_EQ(stats_of(&s).wide, 1);
	EXPECT_EQ(check(&s), 0);

	/* it stays wide while one large PFN is left */
	vmv_shadow_invalidate(&s, base + 2 * K4, base + 3 * K4);
	EXPECT_EQ(stats_of(&s).wide, 1);
	EXPECT_EQ(check(&s), 0);
	/* overwriting the last one with a small PFN narrows it */
	ASSERT(vmv_shadow_set(&s, base + 3 * K4, 4, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).wide, 0);
	EXPECT_EQ(stats_of(&s).bytes, bytes);
	EXPECT_EQ(pfn_of(&s, base + 3 * K4), 4);
	EXPECT_EQ(pfn_of(&s, base), 0x3fffffff);
	EXPECT_EQ(check(&s), 0);

	/* so does invalidating it */
	ASSERT(vmv_shadow_set(&s, base + 9 * K4, T1 - 1, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).wide, 1);
	vmv_shadow_invalidate(&s, base + 9 * K4, base + 9 * K4 + 1);
	EXPECT_EQ(stats_of(&s).wide, 0);
	EXPECT_EQ(stats_of(&s).bytes, bytes);
	EXPECT_EQ(check(&s), 0);

	/* a node made for a large PFN is wide from the start */
	ASSERT(vmv_shadow_set(&s, base + M2, BIG_PFN, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).wide, 1);
	EXPECT_EQ(stats_of(&s).bytes, bytes + WPTE_BYTES);
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	EXPECT_EQ(stats_of(&s).wide, 0);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(narrow_without_memory_stays_wide)
{
	u64 base = 0x7f0000000000ULL;
	struct vmv_shadow s;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	ASSERT(vmv_shadow_set(&s, base, 1, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, base + K4, BIG_PFN, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, base + 2 * K4, 3, 12, true) == 0);
	vmv_host_allocs = 0;
	vmv_host_fail_after = 1;
	EXPECT_EQ(vmv_shadow_set(&s, base + K4, 2, 12, true), 0);
	vmv_host_fail_after = 0;
	EXPECT_EQ(stats_of(&s).wide, 1);	/* correct, only bigger */
	EXPECT_EQ(pfn_of(&s, base + K4), 2);
	EXPECT_EQ(pfn_of(&s, base), 1);
	/* the next invalidation touching the node narrows it */
	vmv_shadow_invalidate(&s, base + 2 * K4, base + 3 * K4);
	EXPECT_EQ(stats_of(&s).wide, 0);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
}

/* Everything a table holds, to compare before and after a failure. */
struct snap {
	struct vmv_shadow_stats st;
	int n;
	struct rec r[64];
};

static void snap_take(const struct vmv_shadow *s, struct snap *sn)
{
	int i;

	memset(sn, 0, sizeof(*sn));
	vmv_shadow_stats(s, &sn->st);
	collect_all(s, &coll_a, 0, ~0ULL);
	sn->n = coll_a.n;
	for (i = 0; i < coll_a.n && i < 64; i++)
		sn->r[i] = coll_a.r[i];
}

static bool snap_same(const struct snap *a, const struct snap *b)
{
	int i;

	if (memcmp(&a->st, &b->st, sizeof(a->st)) || a->n != b->n)
		return false;
	for (i = 0; i < a->n && i < 64; i++)
		if (a->r[i].va != b->r[i].va ||
		    a->r[i].leaf.pfn != b->r[i].leaf.pfn ||
		    a->r[i].leaf.shift != b->r[i].leaf.shift ||
		    a->r[i].leaf.writable != b->r[i].leaf.writable)
			return false;
	return true;
}

struct set_op {
	u64 va;
	u64 pfn;
	unsigned int shift;
	int allocs;	/* allocations it needs */
};

UNIT_TEST(enomem_at_every_allocation)
{
	static const struct set_op ops5[] = {
		{ 0x7f0000001000ULL, 1, 12, 5 },	/* the whole path */
		{ 0x7f0000002000ULL, 2, 12, 0 },
		{ 0x7f0000003000ULL, BIG_PFN, 12, 1 },	/* widen */
		{ 0x7f0000200000ULL, BIG_PFN + 7, 12, 1 }, /* a wide node */
		{ 0x7f0000400000ULL, 0x200, 21, 0 },
		{ 0x7f0040200000ULL, 0x200, 21, 1 },	/* a pmd */
		{ 0x7f8000000000ULL, 0x40000, 30, 1 },	/* a pud */
		{ 0x12345600000000ULL, 9, 12, 4 },	/* p4d to pte */
		{ 0x7f0000000000ULL, 0x40000, 30, 0 },	/* drops a subtree */
		{ 0, 5, 12, 3 },
	};
	struct snap *before = malloc(sizeof(*before));
	struct snap *after = malloc(sizeof(*after));
	struct vmv_shadow s;
	unsigned int i, n;
	int ret, fails;

	ASSERT(before && after);
	ASSERT(vmv_shadow_init(&s, 5) == 0);
	for (i = 0; i < sizeof(ops5) / sizeof(ops5[0]); i++) {
		const struct set_op *op = &ops5[i];

		fails = 0;
		for (n = 1; n < 20; n++) {
			snap_take(&s, before);
			vmv_host_allocs = 0;
			vmv_host_fail_after = n;
			ret = vmv_shadow_set(&s, op->va, op->pfn, op->shift,
					     true);
			vmv_host_fail_after = 0;
			if (ret == 0)
				break;
			EXPECT_EQ(ret, -ENOMEM);
			fails++;
			snap_take(&s, after);
			if (!snap_same(before, after))
				UNIT_FAIL("op %u, allocation %u: changed", i,
					  n);
			EXPECT_EQ(check(&s), 0);
		}
		EXPECT_EQ(ret, 0);
		EXPECT_EQ(fails, op->allocs);
		EXPECT_EQ(pfn_of(&s, op->va), op->pfn);
		EXPECT_EQ(check(&s), 0);
	}
	/*
	 * Invalidation cannot fail; it only allocates to narrow a wide node,
	 * and without memory the node stays wide until the next one.
	 */
	ASSERT(vmv_shadow_set(&s, 0x7f8040001000ULL, BIG_PFN, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, 0x7f8040002000ULL, 1, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, 0x7f8040003000ULL, 2, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).wide, 1);
	vmv_host_allocs = 0;
	vmv_host_fail_after = 1;
	vmv_shadow_invalidate(&s, 0x7f8040001000ULL, 0x7f8040002000ULL);
	vmv_host_fail_after = 0;
	EXPECT(!mapped(&s, 0x7f8040001000ULL));
	EXPECT_EQ(pfn_of(&s, 0x7f8040002000ULL), 1);
	EXPECT_EQ(stats_of(&s).wide, 1);
	vmv_shadow_invalidate(&s, 0x7f8040002000ULL, 0x7f8040002001ULL);
	EXPECT_EQ(stats_of(&s).wide, 0);
	EXPECT_EQ(pfn_of(&s, 0x7f8040003000ULL), 2);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);
	free(before);
	free(after);
}

UNIT_TEST(sparse_span_is_cheap)
{
	struct vmv_shadow_stats st;
	struct vmv_shadow s;
	u64 i, va, step;
	int round;

	/* 4 levels: one page in each 2 TiB of the 128 TiB */
	ASSERT(vmv_shadow_init(&s, 4) == 0);
	step = 1ULL << 41;
	for (i = 0; i < 64; i++)
		ASSERT(vmv_shadow_set(&s, i * step + i * K4, i, 12, true) == 0);
	vmv_shadow_stats(&s, &st);
	EXPECT_EQ(st.nodes[3], 1);
	EXPECT_EQ(st.nodes[2], 64);
	EXPECT_EQ(st.nodes[1], 64);
	EXPECT_EQ(st.nodes[0], 64);
	EXPECT_EQ(st.bytes, 129 * DIR_BYTES + 64 * PTE_BYTES);
	/*
	 * Walks over the whole 2^35 pages, many times: this only finishes
	 * because empty subtrees are skipped.
	 */
	for (round = 0; round < 200; round++) {
		EXPECT_EQ(collect_all(&s, &coll_a, 0, ~0ULL), 0);
		EXPECT_EQ(coll_a.n, 64);
		EXPECT_EQ(collect_all(&s, &coll_a, step + 1,
				      L4_END - step), 0);
		EXPECT_EQ(coll_a.n, 62);
		vmv_shadow_invalidate(&s, 8 * step, L4_END);
		EXPECT_EQ(stats_of(&s).leaves[0], 8);
		for (i = 8; i < 64; i++)
			vmv_shadow_set(&s, i * step + i * K4, i, 12, true);
	}
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);

	/* 5 levels: 1000 pages scattered over 2^56 */
	ASSERT(vmv_shadow_init(&s, 5) == 0);
	for (i = 0; i < 1000; i++) {
		va = (i * 0x9e3779b97f4a7c15ULL) & (L5_END - 1) & ~(K4 - 1);
		ASSERT(vmv_shadow_set(&s, va, i, 12, true) == 0);
	}
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_stats(&s, &st);
	EXPECT(st.nodes[0] + st.nodes[1] + st.nodes[2] + st.nodes[3] +
	       st.nodes[4] <= 1 + 4 * 1000);
	for (round = 0; round < 20; round++) {
		EXPECT_EQ(collect_all(&s, &coll_a, 0, ~0ULL), 0);
		EXPECT_EQ(coll_a.n, 1000);
	}
	vmv_shadow_invalidate(&s, 1, L5_END - 1);
	EXPECT(stats_of(&s).leaves[0] <= 2);
	vmv_shadow_destroy(&s);
	EXPECT_EQ(stats_of(&s).bytes, 0);
}

/* A brief run against a model; tests/fuzz_shadow.c does this at length. */
#define MODEL_MAX 256
struct model_leaf {
	u64 va, pfn;
	unsigned int shift;
	bool w;
};

static struct model_leaf model[MODEL_MAX];
static int model_n;

static uint64_t rnd_state = 88172645463325252ULL;

static u64 rnd(void)
{
	return unit_xorshift(&rnd_state);
}

static void model_drop(u64 start, u64 end)
{
	int i, j = 0;

	for (i = 0; i < model_n; i++)
		if (model[i].va + (1ULL << model[i].shift) <= start ||
		    model[i].va >= end)
			model[j++] = model[i];
	model_n = j;
}

UNIT_TEST(random_against_model)
{
	static const unsigned int shifts[] = { 12, 12, 12, 21, 30 };
	struct vmv_shadow_leaf leaf;
	struct vmv_shadow s;
	u64 va, pfn, size, start, end;
	unsigned int shift;
	int op, i, ret, want;

	ASSERT(vmv_shadow_init(&s, 4) == 0);
	model_n = 0;
	for (op = 0; op < 20000; op++) {
		/* addresses in a few GiB at both ends of the range */
		va = (rnd() % (4 * G1)) + ((rnd() & 1) ? L4_END - 4 * G1 : 0);
		switch (rnd() % 4) {
		case 0:
		case 1:
			shift = shifts[rnd() % 5];
			size = 1ULL << shift;
			va &= ~(size - 1);
			pfn = (rnd() & 1 ? rnd() % T1 : rnd() % 4096);
			pfn &= ~((size >> 12) - 1);
			want = 0;
			for (i = 0; i < model_n; i++)
				if (model[i].shift > shift &&
				    va >= model[i].va &&
				    va < model[i].va + (1ULL << model[i].shift))
					want = -EEXIST;
			if (!want && model_n == MODEL_MAX)
				break;
			ret = vmv_shadow_set(&s, va, pfn, shift, op & 1);
			EXPECT_EQ(ret, want);
			if (ret)
				break;
			model_drop(va, va + size);
			model[model_n].va = va;
			model[model_n].pfn = pfn;
			model[model_n].shift = shift;
			model[model_n].w = op & 1;
			model_n++;
			break;
		case 2:
			start = va;
			end = start + rnd() % (rnd() & 1 ? 3 * G1 : 3 * M2);
			vmv_shadow_invalidate(&s, start, end);
			model_drop(start, end);
			break;
		default:
			want = -ENOENT;
			for (i = 0; i < model_n; i++)
				if (va >= model[i].va &&
				    va < model[i].va + (1ULL << model[i].shift))
					want = i;
			ret = vmv_shadow_lookup(&s, va, &leaf);
			if (want < 0) {
				EXPECT_EQ(ret, -ENOENT);
				break;
			}
			ASSERT(ret == 0);
			EXPECT_EQ(leaf.pfn, model[want].pfn);
			EXPECT_EQ(leaf.shift, model[want].shift);
			EXPECT_EQ(leaf.writable, model[want].w);
			break;
		}
		if (op % 500 == 0) {
			EXPECT_EQ(check(&s), 0);
			EXPECT_EQ(stats_of(&s).leaves[0] +
				  stats_of(&s).leaves[1] +
				  stats_of(&s).leaves[2], model_n);
		}
		if (unit_failed_now)
			break;
	}
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);
}

UNIT_MAIN()

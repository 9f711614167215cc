// SPDX-License-Identifier: GPL-2.0
// units: shadow.c
/*
 * Unit tests of the shadow page table (module/shadow.c).
 *
 * check() cross-checks a table against what it reports: every leaf that
 * vmv_shadow_for_each() yields must be found by vmv_shadow_lookup() and,
 * for a page-sized leaf, by vmv_shadow_ptes() and vmv_shadow_pte(), the
 * leaf counts must match the stats, and the nodes per level and the bytes
 * must be exactly what the leaves need (shadow.c's layout comment).  Most
 * tests use x86-64's geometry; the pae_ and i386_ tests (and the model
 * run) use the two 32-bit x86 ones, the arm64_ tests arm64's 4 KiB and
 * 16 KiB granules.
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
#define M4	(1ULL << 22)
#define G4	(1ULL << 32)	/* the end of a 32-bit address space */
#define USER_TOP_32	0xc0000000ULL	/* i386's TASK_SIZE (3G/1G split) */

#define DIR_BYTES	4096
#define PTE_BYTES	2048
#define WPTE_BYTES	4096

/* arm64's 16 KiB granule: pages, level-1 leaves, level-2 entries. */
#define K16	(1ULL << 14)
#define M32	(1ULL << 25)
#define G64	(1ULL << 36)
#define VA48_END	(1ULL << 48)
#define VA52_END	(1ULL << 52)
#define DIR16_BYTES	16384	/* 2048 u64 */
#define PTE16_BYTES	8192	/* 2048 u32 */
#define WPTE16_BYTES	16384

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

/* A table of x86-64's geometry (4 or 5 levels). */
static int init64(struct vmv_shadow *s, unsigned int levels)
{
	struct vmv_shadow_geom g;

	if (vmv_shadow_geom_x86_64(&g, levels))
		return -EINVAL;
	return vmv_shadow_init(s, &g);
}

static int init_pae(struct vmv_shadow *s, unsigned int pfn_bits)
{
	struct vmv_shadow_geom g;

	vmv_shadow_geom_pae(&g, pfn_bits);
	return vmv_shadow_init(s, &g);
}

static int init_2level(struct vmv_shadow *s)
{
	struct vmv_shadow_geom g;

	vmv_shadow_geom_2level(&g);
	return vmv_shadow_init(s, &g);
}

/* arm64: pages of 2^page_shift bytes, addresses below 2^va_bits. */
static int init_arm64(struct vmv_shadow *s, unsigned int page_shift,
		      unsigned int va_bits, unsigned int pfn_bits)
{
	struct vmv_shadow_geom g;

	if (vmv_shadow_geom_arm64(&g, page_shift, va_bits, pfn_bits))
		return -EINVAL;
	return vmv_shadow_init(s, &g);
}

/* The level whose leaves are 2^shift bytes. */
static unsigned int level_of(const struct vmv_shadow *s, unsigned int shift)
{
	unsigned int level;

	for (level = 0; level < s->levels; level++)
		if (vmv_shadow_shift(s, level) == shift)
			return level;
	UNIT_FAIL("no level of shift %u", shift);
	return 0;
}

/* The size of a node of @level (its compact form for level 0). */
static u64 node_bytes(const struct vmv_shadow *s, unsigned int level)
{
	u64 entries = 1ULL << s->geom.bits[level];

	return entries * (level ? 8 : 4);
}

/* What the nodes and bytes must be for the leaves in c (ascending). */
static void expected_stats(const struct coll *c, const struct vmv_shadow *s,
			   struct vmv_shadow_stats *st)
{
	unsigned int level, top = s->levels - 1;
	u64 prev, prefix;
	bool any;
	int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < c->n; i++)
		st->leaves[level_of(s, c->r[i].leaf.shift)]++;
	if (!c->n)
		return;
	st->nodes[top] = 1;
	for (level = 0; level < top; level++) {
		any = false;
		prev = 0;
		for (i = 0; i < c->n; i++) {
			if (level_of(s, c->r[i].leaf.shift) > level)
				continue;
			prefix = c->r[i].va >> vmv_shadow_shift(s, level + 1);
			if (!any || prefix != prev)
				st->nodes[level]++;
			any = true;
			prev = prefix;
		}
	}
	any = false;
	prev = 0;
	for (i = 0; i < c->n; i++) {
		if (c->r[i].leaf.shift != s->page_shift ||
		    c->r[i].leaf.pfn < BIG_PFN)
			continue;
		prefix = c->r[i].va >> vmv_shadow_shift(s, 1);
		if (!any || prefix != prev)
			st->wide++;
		any = true;
		prev = prefix;
	}
	for (level = 0; level < s->levels; level++)
		st->bytes += st->nodes[level] * node_bytes(s, level);
	st->bytes += st->wide * node_bytes(s, 0);	/* twice the compact */
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
	struct vmv_shadow_ptes p;
	bool writable;
	u64 size, pfn;

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
		if (r->va & (size - 1) ||
		    r->leaf.pfn & ((size >> s->page_shift) - 1) ||
		    r->leaf.page_shift != s->page_shift) {
			UNIT_FAIL("leaf at 0x%llx unaligned or of pages of 2^%u",
				  (unsigned long long)r->va,
				  r->leaf.page_shift);
			bad++;
		}
		if (vmv_shadow_lookup(s, r->va + size - 1, &leaf) ||
		    leaf.pfn != r->leaf.pfn || leaf.shift != r->leaf.shift ||
		    leaf.writable != r->leaf.writable ||
		    leaf.page_shift != s->page_shift) {
			UNIT_FAIL("lookup of 0x%llx disagrees with for_each",
				  (unsigned long long)r->va);
			bad++;
		}
		/* verify's path: the node, then the entry by pte index */
		vmv_shadow_ptes(s, r->va, &p);
		if (r->leaf.shift != s->page_shift ? p.node != NULL :
		    !p.node ||
		    !vmv_shadow_pte(&p, (r->va >> s->page_shift) & s->mask,
				    &pfn, &writable) ||
		    pfn != r->leaf.pfn || writable != r->leaf.writable) {
			UNIT_FAIL("ptes of 0x%llx disagree with for_each",
				  (unsigned long long)r->va);
			bad++;
		}
	}
	vmv_shadow_stats(s, &st);
	expected_stats(&coll_b, s, &want);
	for (i = 0; i < VMV_SHADOW_MAX_LEVELS; i++)
		bad += stat_differs("nodes", i, st.nodes[i], want.nodes[i]);
	for (i = 0; i < VMV_SHADOW_MAX_LEVELS; i++)
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

/*
 * Entry idx of the pte node p holds pfn, writable w (1), read-only (0)
 * or either (ANY_W); or, with EXPECT_NO_PTE(), nothing.
 */
#define ANY_W	(-1)
#define EXPECT_PTE(p, idx, pfn, w)					\
	expect_pte(__LINE__, (p), (idx), true, (pfn), (w))
#define EXPECT_NO_PTE(p, idx)						\
	expect_pte(__LINE__, (p), (idx), false, 0, ANY_W)

static void expect_pte(int line, const struct vmv_shadow_ptes *p,
		       unsigned int idx, bool set, u64 want_pfn, int want_w)
{
	u64 pfn = 0;
	bool w = false;

	if (vmv_shadow_pte(p, idx, &pfn, &w) != set)
		UNIT_FAIL("line %d: pte %u is %s", line, idx,
			  set ? "empty" : "set");
	else if (set && (pfn != want_pfn || (want_w != ANY_W && w != want_w)))
		UNIT_FAIL("line %d: pte %u is pfn 0x%llx %s, want 0x%llx %s",
			  line, idx, (unsigned long long)pfn, w ? "rw" : "ro",
			  (unsigned long long)want_pfn,
			  want_w == ANY_W ? "" : want_w ? "rw" : "ro");
}

/* A test's last cross-check of its table, then the table freed. */
static void check_destroy(struct vmv_shadow *s)
{
	EXPECT_EQ(check(s), 0);
	vmv_shadow_destroy(s);
}

/* The table holds l0 4K, l1 2M and l2 1G leaves. */
#define EXPECT_LEAVES(s, l0, l1, l2)					\
	expect_leaves(__LINE__, (s), (const u64[]){ (l0), (l1), (l2) })

static void expect_leaves(int line, const struct vmv_shadow *s,
			  const u64 want[3])
{
	struct vmv_shadow_stats st = stats_of(s);
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (st.leaves[i] != want[i])
			UNIT_FAIL("line %d: leaves[%u] %llu, want %llu", line,
				  i, (unsigned long long)st.leaves[i],
				  (unsigned long long)want[i]);
}

/* Leaves to set: at va, pfn, 2^shift bytes, writable or not. */
struct set_leaf {
	u64 va, pfn;
	unsigned int shift;
	bool writable;
};

/* Set every leaf of the list; nonzero (and a failure) if one fails. */
#define SET_LEAVES(s, ...)						\
	set_leaves(__LINE__, (s), (const struct set_leaf[]){ __VA_ARGS__ }, \
		   sizeof((const struct set_leaf[]){ __VA_ARGS__ }) /	\
		   sizeof(struct set_leaf))

static int set_leaves(int line, struct vmv_shadow *s,
		      const struct set_leaf *l, unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = vmv_shadow_set(s, l[i].va, l[i].pfn, l[i].shift,
				     l[i].writable);
		if (ret) {
			UNIT_FAIL("line %d: setting 0x%llx to pfn 0x%llx (2^%u) gave %d",
				  line, (unsigned long long)l[i].va,
				  (unsigned long long)l[i].pfn, l[i].shift,
				  ret);
			return ret;
		}
	}
	return 0;
}

UNIT_TEST(init_levels)
{
	struct vmv_shadow s;

	EXPECT_EQ(init64(&s, 0), -EINVAL);
	EXPECT_EQ(init64(&s, 3), -EINVAL);
	EXPECT_EQ(init64(&s, 6), -EINVAL);
	ASSERT(init64(&s, 4) == 0);
	EXPECT_EQ(s.levels, 4);
	EXPECT_EQ(vmv_shadow_limit(&s), L4_END);
	vmv_shadow_destroy(&s);
	ASSERT(init64(&s, 5) == 0);
	EXPECT_EQ(vmv_shadow_limit(&s), L5_END);
	vmv_shadow_destroy(&s);
}

UNIT_TEST(empty_table)
{
	struct vmv_shadow_leaf leaf;
	struct vmv_shadow s;

	ASSERT(init64(&s, 4) == 0);
	EXPECT_EQ(vmv_shadow_lookup(&s, 0, &leaf), -ENOENT);
	EXPECT_EQ(vmv_shadow_lookup(&s, 0x7f0000000000ULL, &leaf), -ENOENT);
	EXPECT_EQ(vmv_shadow_lookup(&s, ~0ULL, &leaf), -ENOENT);
	EXPECT_EQ(collect_all(&s, &coll_a, 0, ~0ULL), 0);
	EXPECT_EQ(coll_a.n, 0);
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	EXPECT(s.root == NULL);
	check_destroy(&s);
}

/* Set one leaf in a table of geometry g, look it up. */
static void one_leaf_in(const struct vmv_shadow_geom *g, unsigned int shift,
			u64 va, u64 pfn, bool writable)
{
	u64 size = 1ULL << shift, bytes = 0, phys = pfn << g->page_shift;
	struct vmv_shadow_leaf leaf;
	struct vmv_shadow_stats st;
	unsigned int level, i;
	struct vmv_shadow s;
	int n = 0;

	ASSERT(vmv_shadow_init(&s, g) == 0);
	ASSERT(vmv_shadow_set(&s, va, pfn, shift, writable) == 0);
	ASSERT(vmv_shadow_lookup(&s, va, &leaf) == 0);
	EXPECT_EQ(leaf.pfn, pfn);
	EXPECT_EQ(leaf.shift, shift);
	EXPECT_EQ(leaf.writable, writable);
	EXPECT_EQ(leaf.page_shift, g->page_shift);
	EXPECT_EQ(vmv_shadow_phys(&leaf, va), phys);
	ASSERT(vmv_shadow_lookup(&s, va + size - 1, &leaf) == 0);
	EXPECT_EQ(leaf.pfn, pfn);
	EXPECT_EQ(vmv_shadow_phys(&leaf, va + size - 1), phys + size - 1);
	EXPECT_EQ(vmv_shadow_phys(&leaf, va + 0x123), phys + 0x123);
	if (va)
		EXPECT_EQ(vmv_shadow_lookup(&s, va - 1, &leaf), -ENOENT);
	EXPECT_EQ(vmv_shadow_lookup(&s, va + size, &leaf), -ENOENT);
	vmv_shadow_stats(&s, &st);
	level = level_of(&s, shift);
	EXPECT_EQ(st.leaves[level], 1);
	for (i = 0; i < VMV_SHADOW_MAX_LEVELS; i++)
		n += st.leaves[i];
	EXPECT_EQ(n, 1);
	/* one node on each level from the root down to the leaf's */
	for (i = level; i < s.levels; i++)
		bytes += node_bytes(&s, i);
	if (!level && pfn >= BIG_PFN)
		bytes += node_bytes(&s, 0);	/* wide: twice the size */
	EXPECT_EQ(st.bytes, bytes);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_destroy(&s);
	EXPECT_EQ(stats_of(&s).bytes, 0);
}

/* The same in x86-64's geometry of @levels levels. */
static void one_leaf(unsigned int levels, unsigned int shift, u64 va, u64 pfn,
		     bool writable)
{
	struct vmv_shadow_geom g;

	ASSERT(vmv_shadow_geom_x86_64(&g, levels) == 0);
	one_leaf_in(&g, shift, va, pfn, writable);
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
	struct vmv_shadow_leaf l4 = {
		.pfn = 0x1234a, .shift = 12, .page_shift = 12,
	};
	struct vmv_shadow_leaf l2 = {
		.pfn = 0x23400, .shift = 21, .page_shift = 12,
	};
	struct vmv_shadow_leaf l1 = {
		.pfn = 0x40000, .shift = 30, .page_shift = 12,
	};
	/* 16 KiB pages: PFNs count 16 KiB frames */
	struct vmv_shadow_leaf l16k = {
		.pfn = 0x1234a, .shift = 14, .page_shift = 14,
	};
	struct vmv_shadow_leaf l32m = {
		.pfn = 0x23800, .shift = 25, .page_shift = 14,
	};

	EXPECT_EQ(vmv_shadow_phys(&l4, 0x7f1234561abcULL), 0x1234aabcULL);
	EXPECT_EQ(vmv_shadow_phys(&l2, 0x7f12346abcdeULL), 0x234abcdeULL);
	EXPECT_EQ(vmv_shadow_phys(&l1, 0x7f0052345678ULL), 0x52345678ULL);
	EXPECT_EQ(vmv_shadow_phys(&l16k, 0x7f1234563abcULL), 0x48d28000ULL +
		  0x3abc);
	EXPECT_EQ(vmv_shadow_phys(&l32m, 0xffff1234567ULL), 0x8e000000ULL +
		  0x1234567);
	/* the largest: a 38-bit PFN of 16 KiB, a 52-bit address */
	l16k.pfn = (1ULL << 38) - 1;
	EXPECT_EQ(vmv_shadow_phys(&l16k, 0x3fff), (1ULL << 52) - 1);
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

	ASSERT(init64(&s, 4) == 0);
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
	check_destroy(&s);
}

UNIT_TEST(boundaries_5level)
{
	struct vmv_shadow s;

	one_leaf(5, 12, 0, 0, true);
	one_leaf(5, 12, L5_END - K4, 0x5, true);
	one_leaf(5, 12, L4_END, 0x6, true);
	one_leaf(5, 21, L5_END - M2, 0x200, false);
	one_leaf(5, 30, L5_END - G1, 0x40000, false);

	ASSERT(init64(&s, 5) == 0);
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

	ASSERT(init64(&s, 4) == 0);
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
	check_destroy(&s);
}

UNIT_TEST(eexist_inside_larger_leaf)
{
	struct vmv_shadow_stats before, after;
	u64 m = 0x7f0000200000ULL, g = 0x7f0040000000ULL;
	struct vmv_shadow s;

	ASSERT(init64(&s, 4) == 0);
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
	check_destroy(&s);
}

UNIT_TEST(overwrite_same_size)
{
	struct vmv_shadow_leaf leaf;
	struct vmv_shadow s;

	ASSERT(init64(&s, 4) == 0);
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
	EXPECT_LEAVES(&s, 1, 1, 1);
	check_destroy(&s);
}

UNIT_TEST(overwrite_subtree_with_2m)
{
	u64 base = 0x7f1234400000ULL, i;
	struct vmv_shadow s;

	ASSERT(init64(&s, 4) == 0);
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
	check_destroy(&s);
}

UNIT_TEST(overwrite_subtree_with_1g)
{
	u64 base = 0x7f0000000000ULL, i;
	struct vmv_shadow s;

	ASSERT(init64(&s, 4) == 0);
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
	EXPECT_LEAVES(&s, 0, 0, 2);
	EXPECT_EQ(stats_of(&s).bytes, 2 * DIR_BYTES);
	EXPECT_EQ(pfn_of(&s, base + 100 * M2), 0x80000);
	check_destroy(&s);
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

	ASSERT(init64(&s, 4) == 0);
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

	ASSERT(init64(&s, 4) == 0);
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
	check_destroy(&s);
}

UNIT_TEST(invalidate_clamps)
{
	struct vmv_shadow s;

	ASSERT(init64(&s, 4) == 0);
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

	ASSERT(init64(&s, 4) == 0);
	ASSERT(SET_LEAVES(&s, { 0, 1, 12, true }, { K4, 2, 12, true },
			  { M2, 0x200, 21, true }, { G1, 0x40000, 30, true },
			  { 1ULL << 39, 3, 12, true }) == 0);
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

	ASSERT(init64(&s, 5) == 0);
	ASSERT(vmv_shadow_set(&s, 0, 1, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, 1ULL << 48, 2, 12, true) == 0);
	vmv_shadow_stats(&s, &st);
	EXPECT_EQ(st.nodes[4], 1);
	EXPECT_EQ(st.nodes[3], 2);
	EXPECT_EQ(st.nodes[2], 2);
	EXPECT_EQ(st.nodes[1], 2);
	EXPECT_EQ(st.nodes[0], 2);
	EXPECT_EQ(st.bytes, 7 * DIR_BYTES + 2 * PTE_BYTES);
	check_destroy(&s);
}

UNIT_TEST(memory_below_kernel_tables)
{
	/*
	 * A dense 64 MiB of 4K pages: the kernel would use 32 pte + 1 pmd +
	 * 1 pud tables = 34 pages in pgtables_bytes.
	 */
	u64 base = 0x7f0000000000ULL, i, kernel = 34 * 4096;
	struct vmv_shadow s;

	ASSERT(init64(&s, 4) == 0);
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
		ASSERT(init64(&s, levels) == 0);
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

	ASSERT(init64(&s, 4) == 0);
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

	ASSERT(init64(&s, 4) == 0);
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

	ASSERT(init64(&s, 4) == 0);
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
	check_destroy(&s);
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
	ASSERT(init64(&s, 5) == 0);
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
	ASSERT(init64(&s, 4) == 0);
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
	ASSERT(init64(&s, 5) == 0);
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

/*
 * ops operations on s (empty) and the model: addresses in a window at
 * each end of the range (4 GiB on x86-64 and arm64; all of a 32-bit
 * range), leaves of every size the geometry has (pages three times as
 * often as each larger size), PFNs small or anywhere below its limit.
 */
static void model_run(struct vmv_shadow *s, int ops)
{
	u64 lim = vmv_shadow_limit(s), win = lim / 2 < 4 * G1 ? lim / 2 : 4 * G1;
	u64 va, pfn, size, start, end, n;
	unsigned int shifts[8], nr = 0, shift, level;
	struct vmv_shadow_leaf leaf;
	int op, i, ret, want;

	for (level = 0; level < s->levels; level++)
		if (s->geom.leaf_levels & (1U << level))
			shifts[nr++] = vmv_shadow_shift(s, level);
	shifts[nr++] = s->page_shift;
	shifts[nr++] = s->page_shift;
	model_n = 0;
	for (op = 0; op < ops; op++) {
		va = (rnd() % win) + ((rnd() & 1) ? lim - win : 0);
		switch (rnd() % 4) {
		case 0:
		case 1:
			shift = shifts[rnd() % nr];
			size = 1ULL << shift;
			va &= ~(size - 1);
			pfn = (rnd() & 1 ? rnd() % (1ULL << s->geom.pfn_bits) :
			       rnd() % 4096);
			pfn &= ~((size >> s->page_shift) - 1);
			want = 0;
			for (i = 0; i < model_n; i++)
				if (model[i].shift > shift &&
				    va >= model[i].va &&
				    va < model[i].va + (1ULL << model[i].shift))
					want = -EEXIST;
			if (!want && model_n == MODEL_MAX)
				break;
			ret = vmv_shadow_set(s, va, pfn, shift, op & 1);
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
			vmv_shadow_invalidate(s, start, end);
			model_drop(start, end);
			break;
		default:
			want = -ENOENT;
			for (i = 0; i < model_n; i++)
				if (va >= model[i].va &&
				    va < model[i].va + (1ULL << model[i].shift))
					want = i;
			ret = vmv_shadow_lookup(s, va, &leaf);
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
			EXPECT_EQ(check(s), 0);
			for (i = 0, n = 0; i < VMV_SHADOW_MAX_LEVELS; i++)
				n += stats_of(s).leaves[i];
			EXPECT_EQ(n, model_n);
		}
		if (unit_failed_now)
			break;
	}
	EXPECT_EQ(check(s), 0);
	vmv_shadow_invalidate(s, 0, ~0ULL);
	EXPECT_EQ(stats_of(s).bytes, 0);
	vmv_shadow_destroy(s);
}

UNIT_TEST(random_against_model)
{
	struct vmv_shadow s;

	ASSERT(init64(&s, 4) == 0);
	model_run(&s, 20000);
}

UNIT_TEST(random_against_model_32bit)
{
	struct vmv_shadow s;

	ASSERT(init_pae(&s, 24) == 0);	/* 36-bit physical addresses */
	model_run(&s, 20000);
	ASSERT(init_pae(&s, 32) == 0);	/* the kernel's limit: wide nodes */
	model_run(&s, 20000);
	ASSERT(init_2level(&s) == 0);
	model_run(&s, 20000);
}

/* The geometries of shadow.h's helpers, and those a table refuses. */
UNIT_TEST(geometries)
{
	struct geom_row {
		unsigned int levels, bits[5], leaf_levels, va_bits, pfn_bits;
		unsigned int page_shift;
	};
	static const struct geom_row bad[] = {
		{ 1, { 9 }, 1, 21, 40, 12 },			/* one level */
		{ 6, { 9, 9, 9, 9, 9 }, 1, 56, 40, 12 },	/* six */
		{ 2, { 0, 9 }, 1, 30, 40, 12 },			/* 1 entry */
		{ 2, { 12, 12 }, 1, 36, 40, 12 },		/* 4096 */
		{ 2, { 13, 13 }, 1, 42, 40, 16 },		/* arm64 64K */
		{ 3, { 9, 10, 9 }, 1, 40, 40, 12 },		/* uneven */
		{ 2, { 9, 10 }, 1, 31, 40, 12 },		/* wide top */
		{ 4, { 9, 9, 9, 9 }, 1, 49, 40, 12 },		/* va > span */
		{ 4, { 11, 11, 11, 5 }, 3, 53, 38, 14 },	/* va > span */
		{ 4, { 9, 9, 9, 9 }, 1, 39, 40, 12 },		/* one top entry */
		{ 4, { 11, 11, 11, 1 }, 3, 47, 34, 14 },	/* one top entry */
		{ 5, { 10, 10, 10, 10, 10 }, 1, 63, 40, 12 },	/* 2^63 */
		{ 5, { 11, 11, 11, 11, 11 }, 1, 64, 40, 12 },	/* 2^64 */
		{ 4, { 9, 9, 9, 9 }, 6, 47, 40, 12 },		/* no 4 KiB */
		{ 2, { 10, 10 }, 5, 32, 20, 12 },		/* above top */
		{ 4, { 9, 9, 9, 9 }, 7, 47, 53, 12 },		/* pfn bits */
		{ 4, { 9, 9, 9, 9 }, 7, 47, 0, 12 },
		{ 4, { 9, 9, 9, 9 }, 7, 47, 40, 0 },		/* page size */
		{ 4, { 9, 9, 9, 9 }, 7, 46, 40, 11 },
		{ 4, { 9, 9, 9, 9 }, 7, 52, 40, 17 },
		{ 4, { 9, 9, 9, 9 }, 7, 99, 40, 64 },
		{ 2, { 11, 11 }, 3, 38, 49, 16 },		/* phys > 2^64 */
		{ 4, { 11, 11, 11, 5 }, 3, 52, 51, 14 },
	};
	/* the limits: 2048 entries, 64 KiB pages, 52-bit PFNs */
	static const struct geom_row good[] = {
		{ 2, { 11, 11 }, 3, 34, 40, 12 },
		{ 2, { 11, 11 }, 3, 38, 48, 16 },
		{ 3, { 11, 11, 1 }, 1, 37, 1, 14 },
		{ 5, { 11, 11, 11, 11, 11 }, 31, 63, 52, 12 },
	};
	struct vmv_shadow_geom g;
	struct vmv_shadow s;
	unsigned int i, l;

	ASSERT(vmv_shadow_geom_x86_64(&g, 4) == 0);
	EXPECT_EQ(g.levels, 4);
	EXPECT_EQ(g.va_bits, 47);
	EXPECT_EQ(g.pfn_bits, 40);
	EXPECT_EQ(g.leaf_levels, 7);
	EXPECT(vmv_shadow_geom_check(&g) == NULL);
	ASSERT(vmv_shadow_geom_x86_64(&g, 5) == 0);
	EXPECT_EQ(g.va_bits, 56);
	for (l = 0; l < 5; l++)
		EXPECT_EQ(g.bits[l], 9);
	EXPECT_EQ(vmv_shadow_geom_x86_64(&g, 3), -EINVAL);

	vmv_shadow_geom_pae(&g, 24);
	EXPECT(vmv_shadow_geom_check(&g) == NULL);
	ASSERT(vmv_shadow_init(&s, &g) == 0);
	EXPECT_EQ(s.levels, 3);
	EXPECT_EQ(vmv_shadow_limit(&s), G4);
	EXPECT_EQ(s.entries[0], 512);
	EXPECT_EQ(s.entries[1], 512);
	EXPECT_EQ(s.entries[2], 4);
	EXPECT_EQ(vmv_shadow_shift(&s, 1), 21);
	EXPECT_EQ(vmv_shadow_shift(&s, 2), 30);
	EXPECT_EQ(vmv_shadow_shift(&s, 3), 32);
	EXPECT(vmv_shadow_leaf_size(&s, 12));
	EXPECT(vmv_shadow_leaf_size(&s, 21));
	EXPECT(!vmv_shadow_leaf_size(&s, 30));
	EXPECT(!vmv_shadow_leaf_size(&s, 22));
	EXPECT(!vmv_shadow_leaf_size(&s, 64));
	EXPECT(!vmv_shadow_leaf_size(&s, 200));
	vmv_shadow_destroy(&s);

	vmv_shadow_geom_2level(&g);
	EXPECT(vmv_shadow_geom_check(&g) == NULL);
	ASSERT(vmv_shadow_init(&s, &g) == 0);
	EXPECT_EQ(s.levels, 2);
	EXPECT_EQ(s.geom.pfn_bits, 20);
	EXPECT_EQ(vmv_shadow_limit(&s), G4);
	EXPECT_EQ(s.entries[0], 1024);
	EXPECT_EQ(s.entries[1], 1024);
	EXPECT_EQ(vmv_shadow_shift(&s, 1), 22);
	EXPECT(vmv_shadow_leaf_size(&s, 12));
	EXPECT(vmv_shadow_leaf_size(&s, 22));
	EXPECT(!vmv_shadow_leaf_size(&s, 21));
	EXPECT(!vmv_shadow_leaf_size(&s, 32));
	vmv_shadow_destroy(&s);

	for (i = 0; i < ARRAY_SIZE(bad) + ARRAY_SIZE(good); i++) {
		const struct geom_row *r = i < ARRAY_SIZE(bad) ? &bad[i] :
					   &good[i - ARRAY_SIZE(bad)];

		memset(&g, 0, sizeof(g));
		g.levels = r->levels;
		for (l = 0; l < 5; l++)
			g.bits[l] = r->bits[l];
		g.leaf_levels = r->leaf_levels;
		g.va_bits = r->va_bits;
		g.pfn_bits = r->pfn_bits;
		g.page_shift = r->page_shift;
		if (i < ARRAY_SIZE(bad)) {
			if (!vmv_shadow_geom_check(&g))
				UNIT_FAIL("bad geometry %u accepted", i);
			EXPECT_EQ(vmv_shadow_init(&s, &g), -EINVAL);
			continue;
		}
		if (vmv_shadow_geom_check(&g))
			UNIT_FAIL("good geometry %u refused: %s",
				  i - (unsigned int)ARRAY_SIZE(bad),
				  vmv_shadow_geom_check(&g));
		ASSERT(vmv_shadow_init(&s, &g) == 0);
		EXPECT_EQ(vmv_shadow_shift(&s, 0), r->page_shift);
		EXPECT_EQ(vmv_shadow_shift(&s, r->levels), r->page_shift +
			  r->bits[0] * (r->levels - 1) + r->bits[r->levels - 1]);
		vmv_shadow_destroy(&s);
	}
	/* every x86 helper sets the page size */
	ASSERT(vmv_shadow_geom_x86_64(&g, 5) == 0);
	EXPECT_EQ(g.page_shift, 12);
	vmv_shadow_geom_pae(&g, 32);
	EXPECT_EQ(g.page_shift, 12);
	vmv_shadow_geom_2level(&g);
	EXPECT_EQ(g.page_shift, 12);
}

UNIT_TEST(size_names)
{
	static const struct {
		unsigned int shift;
		const char *name;
	} names[] = {
		{ 12, "4k" }, { 21, "2m" }, { 22, "4m" }, { 30, "1g" },
		{ 16, "64k" }, { 10, "1k" }, { 39, "512g" }, { 40, "1t" },
		{ 49, "512t" }, { 9, "?" }, { 50, "?" }, { 0, "?" },
		{ 14, "16k" }, { 25, "32m" }, { 36, "64g" }, { 47, "128t" },
	};
	char buf[VMV_SHADOW_SIZE_NAME];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		memset(buf, 'x', sizeof(buf));
		vmv_shadow_size_name(names[i].shift, buf);
		EXPECT_STREQ(buf, names[i].name);
	}
}

/* vmv_shadow_ptes() and vmv_shadow_pte(), verify's per-table path. */
UNIT_TEST(ptes_x86_64)
{
	u64 base = 0x7f0000000000ULL;
	struct vmv_shadow_ptes p;
	struct vmv_shadow s;

	ASSERT(init64(&s, 4) == 0);
	vmv_shadow_ptes(&s, base, &p);
	EXPECT(p.node == NULL);
	ASSERT(SET_LEAVES(&s, { base, 7, 12, true },
			  { base + 511 * K4, 8, 12, false },
			  { base + M2, 0x200, 21, true }) == 0);
	vmv_shadow_ptes(&s, base + 0x1234, &p);
	ASSERT(p.node != NULL);
	EXPECT(!p.wide);
	EXPECT_PTE(&p, 0, 7, 1);
	EXPECT_PTE(&p, 511, 8, 0);
	EXPECT_NO_PTE(&p, 1);
	/* a wide node, then compact again */
	ASSERT(vmv_shadow_set(&s, base + K4, T1 - 1, 12, true) == 0);
	vmv_shadow_ptes(&s, base, &p);
	EXPECT(p.wide);
	EXPECT_PTE(&p, 1, T1 - 1, ANY_W);
	EXPECT_PTE(&p, 511, 8, 0);
	vmv_shadow_invalidate(&s, base + K4, base + 2 * K4);
	vmv_shadow_ptes(&s, base, &p);
	EXPECT(!p.wide);
	/* no node under a huge leaf, nor where nothing is, nor past the end */
	vmv_shadow_ptes(&s, base + M2, &p);
	EXPECT(p.node == NULL);
	EXPECT_NO_PTE(&p, 0);
	vmv_shadow_ptes(&s, base + 2 * M2, &p);
	EXPECT(p.node == NULL);
	vmv_shadow_ptes(&s, L4_END + base, &p);
	EXPECT(p.node == NULL);
	check_destroy(&s);
}

/* PAE: 4 + 512 + 512 entries, 4 KiB and 2 MiB leaves, below 4 GiB. */
UNIT_TEST(pae_edges)
{
	struct vmv_shadow_geom g;
	struct vmv_shadow s;

	vmv_shadow_geom_pae(&g, 24);
	one_leaf_in(&g, 12, 0, 0, true);
	one_leaf_in(&g, 12, USER_TOP_32 - K4, 0x5, true);
	one_leaf_in(&g, 12, G4 - K4, (1ULL << 24) - 1, false);
	one_leaf_in(&g, 21, 0, 0, true);
	one_leaf_in(&g, 21, USER_TOP_32 - M2, 0x200, false);
	one_leaf_in(&g, 21, G4 - M2, (1ULL << 24) - 512, true);

	ASSERT(init_pae(&s, 24) == 0);
	/* no 1 GiB or 4 MiB leaves; nothing at or above 4 GiB */
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0, 30, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0, 22, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, G4, 1, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, G4, 0, 21, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, L4_END - K4, 1, 12, true), -EINVAL);
	/* PFNs below 2^24 (36-bit physical addresses) */
	EXPECT_EQ(vmv_shadow_set(&s, 0, 1ULL << 24, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 1ULL << 24, 21, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0x100, 21, true), -EINVAL);
	EXPECT(s.root == NULL);

	/* the first user page, the last, and the last of the 4 GiB */
	ASSERT(vmv_shadow_set(&s, 0, 7, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, USER_TOP_32 - K4, 8, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).nodes[2], 1);
	EXPECT_EQ(stats_of(&s).nodes[1], 2);	/* [0, 1G) and [2G, 3G) */
	EXPECT_EQ(stats_of(&s).nodes[0], 2);
	EXPECT_EQ(stats_of(&s).bytes, 32 + 2 * 4096 + 2 * 2048);
	ASSERT(vmv_shadow_set(&s, G4 - K4, 9, 12, false) == 0);
	EXPECT_EQ(stats_of(&s).bytes, 32 + 3 * 4096 + 3 * 2048);
	EXPECT_EQ(pfn_of(&s, USER_TOP_32 - 1), 8);
	EXPECT_EQ(pfn_of(&s, G4 - 1), 9);
	EXPECT(!mapped(&s, USER_TOP_32));
	EXPECT(!mapped(&s, G4));
	EXPECT_EQ(collect_all(&s, &coll_a, USER_TOP_32 - 1, G4), 0);
	ASSERT(coll_a.n == 2);
	EXPECT_EQ(coll_a.r[0].va, USER_TOP_32 - K4);
	EXPECT_EQ(coll_a.r[1].va, G4 - K4);
	EXPECT_EQ(vmv_shadow_count(&s, 0, ~0ULL), 3);
	EXPECT_EQ(vmv_shadow_count(&s, USER_TOP_32, ~0ULL), 1);
	EXPECT_EQ(check(&s), 0);
	/* a 2 MiB leaf over the top user table frees it */
	ASSERT(vmv_shadow_set(&s, USER_TOP_32 - M2, 0x400, 21, true) == 0);
	EXPECT_EQ(stats_of(&s).leaves[1], 1);
	EXPECT_EQ(stats_of(&s).leaves[0], 2);
	EXPECT_EQ(stats_of(&s).nodes[0], 2);
	EXPECT_EQ(pfn_of(&s, USER_TOP_32 - K4), 0x400);
	EXPECT_EQ(vmv_shadow_set(&s, USER_TOP_32 - K4, 1, 12, true), -EEXIST);
	EXPECT_EQ(check(&s), 0);
	/* the clamp is 4 GiB: the last page goes, the rest stays */
	vmv_shadow_invalidate(&s, G4, ~0ULL);
	EXPECT(mapped(&s, G4 - K4));
	vmv_shadow_invalidate(&s, G4 - 1, ~0ULL);
	EXPECT(!mapped(&s, G4 - K4));
	EXPECT(mapped(&s, USER_TOP_32 - M2));
	EXPECT_EQ(stats_of(&s).nodes[1], 2);
	vmv_shadow_invalidate(&s, USER_TOP_32 - 1, USER_TOP_32);
	EXPECT(!mapped(&s, USER_TOP_32 - M2));
	EXPECT_EQ(stats_of(&s).bytes, 32 + 4096 + 2048);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_invalidate(&s, 0, G4);
	EXPECT(s.root == NULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);
}

/* PAE with the kernel's own PFN limit, 2^32: wide pte nodes above 2^30. */
UNIT_TEST(pae_wide)
{
	u64 base = 0x08048000ULL;
	struct vmv_shadow_ptes p;
	struct vmv_shadow s;

	ASSERT(init_pae(&s, 32) == 0);
	ASSERT(vmv_shadow_set(&s, base, 1, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).bytes, 32 + 4096 + 2048);
	ASSERT(vmv_shadow_set(&s, base + K4, (1ULL << 32) - 1, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).wide, 1);
	EXPECT_EQ(stats_of(&s).bytes, 32 + 4096 + 4096);
	vmv_shadow_ptes(&s, base, &p);
	EXPECT(p.wide);
	EXPECT_PTE(&p, (base >> 12) & 511, 1, ANY_W);
	EXPECT_PTE(&p, ((base >> 12) + 1) & 511, (1ULL << 32) - 1, ANY_W);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 1ULL << 32, 12, true), -EINVAL);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_invalidate(&s, base + K4, base + 2 * K4);
	EXPECT_EQ(stats_of(&s).wide, 0);
	EXPECT_EQ(stats_of(&s).bytes, 32 + 4096 + 2048);
	check_destroy(&s);
}

/* 2-level i386: 1024 + 1024 entries, 4 KiB and 4 MiB leaves. */
UNIT_TEST(i386_edges)
{
	struct vmv_shadow_geom g;
	struct vmv_shadow s;
	u64 i;

	vmv_shadow_geom_2level(&g);
	one_leaf_in(&g, 12, 0, 0, true);
	one_leaf_in(&g, 12, USER_TOP_32 - K4, 0x5, true);
	one_leaf_in(&g, 12, G4 - K4, 0xfffff, false);
	one_leaf_in(&g, 22, 0, 0, true);
	one_leaf_in(&g, 22, USER_TOP_32 - M4, 0xffc00, false);
	one_leaf_in(&g, 22, G4 - M4, 0x400, true);

	ASSERT(init_2level(&s) == 0);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0, 21, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0, 30, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, M2, 0, 22, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0x200, 22, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, G4, 1, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, G4, 0, 22, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 1ULL << 20, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 1ULL << 20, 22, true), -EINVAL);
	EXPECT(s.root == NULL);

	/* a 4 MiB leaf is an entry of the root */
	ASSERT(vmv_shadow_set(&s, USER_TOP_32 - M4, 0x400, 22, true) == 0);
	EXPECT_EQ(stats_of(&s).nodes[1], 1);
	EXPECT_EQ(stats_of(&s).nodes[0], 0);
	EXPECT_EQ(stats_of(&s).leaves[1], 1);
	EXPECT_EQ(stats_of(&s).bytes, 8192);
	EXPECT_EQ(pfn_of(&s, USER_TOP_32 - 1), 0x400);
	EXPECT_EQ(vmv_shadow_set(&s, USER_TOP_32 - K4, 1, 12, true), -EEXIST);
	EXPECT_EQ(vmv_shadow_set(&s, USER_TOP_32 - M4, 1, 12, true), -EEXIST);
	/* 1024 4 KiB leaves below it, in one pte node of 4096 bytes */
	for (i = 0; i < 1024; i++)
		ASSERT(vmv_shadow_set(&s, USER_TOP_32 - 2 * M4 + i * K4,
				      0x100 + i, 12, i & 1) == 0);
	EXPECT_EQ(stats_of(&s).nodes[0], 1);
	EXPECT_EQ(stats_of(&s).wide, 0);
	EXPECT_EQ(stats_of(&s).bytes, 8192 + 4096);
	EXPECT_EQ(vmv_shadow_count(&s, 0, ~0ULL), 1025);
	EXPECT_EQ(vmv_shadow_count(&s, USER_TOP_32 - M4 - K4, USER_TOP_32),
		  2);
	EXPECT_EQ(collect_all(&s, &coll_a, USER_TOP_32 - M4 - 1, G4), 0);
	ASSERT(coll_a.n == 2);
	EXPECT_EQ(coll_a.r[0].va, USER_TOP_32 - M4 - K4);
	EXPECT_EQ(coll_a.r[0].leaf.pfn, 0x100 + 1023);
	EXPECT_EQ(coll_a.r[1].va, USER_TOP_32 - M4);
	EXPECT_EQ(coll_a.r[1].leaf.shift, 22);
	EXPECT_EQ(check(&s), 0);
	/* the 4 MiB leaf replaces them and frees their node */
	ASSERT(vmv_shadow_set(&s, USER_TOP_32 - 2 * M4, 0x800, 22, false) == 0);
	EXPECT_EQ(stats_of(&s).leaves[0], 0);
	EXPECT_EQ(stats_of(&s).leaves[1], 2);
	EXPECT_EQ(stats_of(&s).bytes, 8192);
	/* one byte of a 4 MiB leaf drops it whole, not its neighbour */
	vmv_shadow_invalidate(&s, USER_TOP_32 - M4 - 5, USER_TOP_32 - M4 - 4);
	EXPECT(!mapped(&s, USER_TOP_32 - 2 * M4));
	EXPECT(mapped(&s, USER_TOP_32 - M4));
	EXPECT_EQ(check(&s), 0);
	/* the last page of the 4 GiB, and the clamp */
	ASSERT(vmv_shadow_set(&s, G4 - K4, 0xfffff, 12, true) == 0);
	EXPECT_EQ(pfn_of(&s, G4 - 1), 0xfffff);
	EXPECT(!mapped(&s, G4));
	vmv_shadow_invalidate(&s, G4, ~0ULL);
	EXPECT(mapped(&s, G4 - K4));
	vmv_shadow_invalidate(&s, USER_TOP_32, ~0ULL);
	EXPECT(!mapped(&s, G4 - K4));
	EXPECT(mapped(&s, USER_TOP_32 - M4));
	vmv_shadow_invalidate(&s, 0, USER_TOP_32);
	EXPECT(s.root == NULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);
}

/* A 1024-entry pte node through verify's path. */
UNIT_TEST(i386_ptes)
{
	u64 base = USER_TOP_32 - M4;
	struct vmv_shadow_ptes p;
	struct vmv_shadow s;

	ASSERT(init_2level(&s) == 0);
	ASSERT(vmv_shadow_set(&s, base, 3, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, USER_TOP_32 - K4, 0xfffff, 12, false) == 0);
	ASSERT(vmv_shadow_set(&s, base - M4, 0x400, 22, true) == 0);
	vmv_shadow_ptes(&s, USER_TOP_32 - 1, &p);
	ASSERT(p.node != NULL);
	EXPECT(!p.wide);
	EXPECT_PTE(&p, 0, 3, 1);
	EXPECT_PTE(&p, 1023, 0xfffff, 0);
	EXPECT_NO_PTE(&p, 511);
	EXPECT_NO_PTE(&p, 512);
	vmv_shadow_ptes(&s, base - 1, &p);
	EXPECT(p.node == NULL);			/* a 4 MiB leaf */
	vmv_shadow_ptes(&s, base - M4 - 1, &p);
	EXPECT(p.node == NULL);			/* nothing */
	vmv_shadow_ptes(&s, G4, &p);
	EXPECT(p.node == NULL);
	check_destroy(&s);
}

/*
 * Against the kernel's pgtables_bytes for a dense 64 MiB of 4 KiB pages:
 * PAE counts its 3 preallocated user pmd tables and 32 pte tables of
 * 4096 bytes; 2-level i386 16 pte tables of 4096 bytes (not its pgd).
 */
UNIT_TEST(memory_32bit)
{
	u64 base = 0x40000000ULL, i;
	struct vmv_shadow s;

	ASSERT(init_pae(&s, 24) == 0);
	for (i = 0; i < 64 * 256; i++)
		ASSERT(vmv_shadow_set(&s, base + i * K4, i, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).bytes, 32 + 4096 + 32 * 2048);
	EXPECT(stats_of(&s).bytes <= 3 * 4096 + 32 * 4096);
	EXPECT_EQ(vmv_shadow_count(&s, 0, ~0ULL), 64 * 256);
	vmv_shadow_destroy(&s);

	ASSERT(init_2level(&s) == 0);
	for (i = 0; i < 64 * 256; i++)
		ASSERT(vmv_shadow_set(&s, base + i * K4, i, 12, true) == 0);
	/* pgtables_bytes and the root: 8 KiB more (shadow.c says why) */
	EXPECT_EQ(stats_of(&s).bytes, 16 * 4096 + 8192);
	EXPECT_EQ(vmv_shadow_count(&s, 0, ~0ULL), 64 * 256);
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);
}

/* Failing each allocation of a set leaves a 32-bit table unchanged. */
UNIT_TEST(enomem_32bit)
{
	static const struct {
		unsigned int pae;
		u64 va, pfn;
		unsigned int shift;
		int allocs;
	} ops[] = {
		{ 1, 0x08048000ULL, 1, 12, 3 },		/* pgd, pmd, pte */
		{ 1, 0xbffff000ULL, 2, 12, 2 },		/* pmd, pte */
		{ 1, 0xbfc00000ULL, 0x200, 21, 0 },
		{ 1, 0x08049000ULL, 1ULL << 31, 12, 1 },	/* widen */
		{ 0, 0x08048000ULL, 1, 12, 2 },		/* pgd, pte */
		{ 0, 0xbfc00000ULL, 0x400, 22, 0 },
		{ 0, 0xbf800000ULL, 5, 12, 1 },		/* pte */
		{ 0, 0x08000000ULL, 0x800, 22, 0 },	/* drops a node */
	};
	struct vmv_shadow pae, two, *s;
	unsigned int i, n;
	u64 before;
	int ret, fails;

	ASSERT(init_pae(&pae, 32) == 0);
	ASSERT(init_2level(&two) == 0);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		s = ops[i].pae ? &pae : &two;
		fails = 0;
		for (n = 1; n < 10; n++) {
			before = stats_of(s).bytes;
			vmv_host_allocs = 0;
			vmv_host_fail_after = n;
			ret = vmv_shadow_set(s, ops[i].va, ops[i].pfn,
					     ops[i].shift, true);
			vmv_host_fail_after = 0;
			if (ret == 0)
				break;
			EXPECT_EQ(ret, -ENOMEM);
			EXPECT_EQ(stats_of(s).bytes, before);
			EXPECT(!mapped(s, ops[i].va) ||
			       pfn_of(s, ops[i].va) != ops[i].pfn);
			fails++;
		}
		EXPECT_EQ(ret, 0);
		EXPECT_EQ(fails, ops[i].allocs);
		EXPECT_EQ(pfn_of(s, ops[i].va), ops[i].pfn);
		EXPECT_EQ(check(s), 0);
	}
	vmv_shadow_destroy(&pae);
	vmv_shadow_destroy(&two);
}

/* arm64's geometries from vmv_shadow_geom_arm64(), and what it refuses. */
UNIT_TEST(arm64_geometries)
{
	static const struct {
		unsigned int page_shift, va_bits, pfn_bits;
		unsigned int levels, bits[5], leaf_levels;
	} good[] = {
		{ 12, 39, 36, 3, { 9, 9, 9 }, 7 },
		{ 12, 48, 36, 4, { 9, 9, 9, 9 }, 7 },
		{ 12, 52, 40, 5, { 9, 9, 9, 9, 4 }, 7 },	/* LPA2 */
		{ 12, 22, 36, 2, { 9, 1 }, 3 },
		{ 14, 36, 34, 2, { 11, 11 }, 3 },
		{ 14, 47, 34, 3, { 11, 11, 11 }, 3 },
		{ 14, 48, 34, 4, { 11, 11, 11, 1 }, 3 },
		{ 14, 52, 38, 4, { 11, 11, 11, 5 }, 3 },	/* LPA2 */
		{ 14, 26, 50, 2, { 11, 1 }, 3 },
	};
	static const struct {
		unsigned int page_shift, va_bits, pfn_bits;
	} bad[] = {
		{ 16, 48, 32 }, { 16, 52, 36 },		/* 8192 entries */
		{ 13, 48, 35 }, { 0, 48, 36 }, { 15, 48, 33 },
		{ 12, 21, 36 }, { 14, 25, 34 },		/* one level */
		{ 12, 53, 36 }, { 14, 53, 38 }, { 12, 64, 36 },
		{ 14, 52, 0 }, { 14, 52, 53 }, { 12, 48, 64 },
		{ 14, 52, 51 },				/* phys > 2^64 */
	};
	struct vmv_shadow_geom g;
	struct vmv_shadow s;
	unsigned int i, l;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		memset(&g, 0xa5, sizeof(g));
		ASSERT(vmv_shadow_geom_arm64(&g, good[i].page_shift,
					     good[i].va_bits,
					     good[i].pfn_bits) == 0);
		EXPECT_EQ(g.page_shift, good[i].page_shift);
		EXPECT_EQ(g.levels, good[i].levels);
		for (l = 0; l < VMV_SHADOW_MAX_LEVELS; l++)
			EXPECT_EQ(g.bits[l], good[i].bits[l]);
		EXPECT_EQ(g.leaf_levels, good[i].leaf_levels);
		EXPECT_EQ(g.va_bits, good[i].va_bits);
		EXPECT_EQ(g.pfn_bits, good[i].pfn_bits);
		EXPECT(vmv_shadow_geom_check(&g) == NULL);
		ASSERT(vmv_shadow_init(&s, &g) == 0);
		EXPECT_EQ(s.page_shift, good[i].page_shift);
		EXPECT_EQ(vmv_shadow_limit(&s), 1ULL << good[i].va_bits);
		EXPECT_EQ(vmv_shadow_shift(&s, 0), good[i].page_shift);
		EXPECT_EQ(vmv_shadow_shift(&s, s.levels), good[i].va_bits);
		EXPECT_EQ(s.entries[0], 1U << (good[i].page_shift - 3));
		EXPECT(vmv_shadow_leaf_size(&s, good[i].page_shift));
		EXPECT(vmv_shadow_leaf_size(&s, 2 * good[i].page_shift - 3));
		EXPECT(!vmv_shadow_leaf_size(&s, good[i].page_shift + 1));
		vmv_shadow_destroy(&s);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (vmv_shadow_geom_arm64(&g, bad[i].page_shift,
					  bad[i].va_bits,
					  bad[i].pfn_bits) != -EINVAL)
			UNIT_FAIL("arm64 geometry %u/%u/%u accepted",
				  bad[i].page_shift, bad[i].va_bits,
				  bad[i].pfn_bits);

	/* 16 KiB, 52-bit: a top of 32 entries from bit 47 */
	ASSERT(init_arm64(&s, 14, 52, 38) == 0);
	EXPECT_EQ(s.levels, 4);
	EXPECT_EQ(s.entries[0], 2048);
	EXPECT_EQ(s.entries[2], 2048);
	EXPECT_EQ(s.entries[3], 32);
	EXPECT_EQ(vmv_shadow_shift(&s, 1), 25);
	EXPECT_EQ(vmv_shadow_shift(&s, 2), 36);
	EXPECT_EQ(vmv_shadow_shift(&s, 3), 47);
	EXPECT_EQ(vmv_shadow_limit(&s), VA52_END);
	EXPECT(vmv_shadow_leaf_size(&s, 14));
	EXPECT(vmv_shadow_leaf_size(&s, 25));
	EXPECT(!vmv_shadow_leaf_size(&s, 12));
	EXPECT(!vmv_shadow_leaf_size(&s, 21));
	EXPECT(!vmv_shadow_leaf_size(&s, 30));
	EXPECT(!vmv_shadow_leaf_size(&s, 36));	/* no 64 GiB blocks */
	EXPECT(!vmv_shadow_leaf_size(&s, 47));
	vmv_shadow_destroy(&s);
	/* 4 KiB, 52-bit: a top of 16 entries from bit 48 */
	ASSERT(init_arm64(&s, 12, 52, 40) == 0);
	EXPECT_EQ(s.levels, 5);
	EXPECT_EQ(s.entries[4], 16);
	EXPECT_EQ(vmv_shadow_shift(&s, 4), 48);
	EXPECT(vmv_shadow_leaf_size(&s, 30));
	EXPECT(!vmv_shadow_leaf_size(&s, 39));
	vmv_shadow_destroy(&s);
}

/* One leaf in arm64's geometry of page_shift and va_bits. */
static void one_leaf_arm64(unsigned int page_shift, unsigned int va_bits,
			   unsigned int pfn_bits, unsigned int shift, u64 va,
			   u64 pfn, bool writable)
{
	struct vmv_shadow_geom g;

	ASSERT(vmv_shadow_geom_arm64(&g, page_shift, va_bits, pfn_bits) == 0);
	one_leaf_in(&g, shift, va, pfn, writable);
}

UNIT_TEST(arm64_16k_set_lookup)
{
	u64 max38 = (1ULL << 38) - 1, max34 = (1ULL << 34) - 1;

	/* 52-bit addresses and PFNs of 38 bits */
	one_leaf_arm64(14, 52, 38, 14, 0, 0, true);
	one_leaf_arm64(14, 52, 38, 14, 0x7f1234564000ULL, 0x1234a, false);
	one_leaf_arm64(14, 52, 38, 14, VA52_END - K16, BIG_PFN - 1, true);
	one_leaf_arm64(14, 52, 38, 14, 1ULL << 47, 5, true);
	one_leaf_arm64(14, 52, 38, 25, 0, 0, true);
	one_leaf_arm64(14, 52, 38, 25, 0xfedcba000000ULL, 0x2800, false);
	one_leaf_arm64(14, 52, 38, 25, VA52_END - M32, max38 - 0x7ff, true);
	/* 48-bit: a top of 2 entries */
	one_leaf_arm64(14, 48, 34, 14, VA48_END - K16, max34, true);
	one_leaf_arm64(14, 48, 34, 14, (1ULL << 47) - K16, 7, false);
	one_leaf_arm64(14, 48, 34, 25, VA48_END - M32, max34 - 0x7ff, true);
	/* 47-bit, 3 levels; 36-bit, 2 */
	one_leaf_arm64(14, 47, 34, 14, (1ULL << 47) - K16, 7, true);
	one_leaf_arm64(14, 47, 34, 25, (1ULL << 47) - M32, 0x800, false);
	one_leaf_arm64(14, 36, 34, 14, G64 - K16, 9, true);
	one_leaf_arm64(14, 36, 34, 25, G64 - M32, 0x1000, true);
}

/* The top of a 52-bit range of 16 KiB pages. */
UNIT_TEST(arm64_16k_boundaries)
{
	struct vmv_shadow s;

	ASSERT(init_arm64(&s, 14, 52, 38) == 0);
	EXPECT_EQ(vmv_shadow_set(&s, VA52_END, 1, 14, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, VA52_END, 0, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 1ULL << 53, 1, 14, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, L5_END - K16, 1, 14, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, ~0ULL << 25, 0, 25, true), -EINVAL);
	EXPECT(s.root == NULL);
	ASSERT(vmv_shadow_set(&s, 0, 7, 14, true) == 0);
	ASSERT(vmv_shadow_set(&s, VA52_END - K16, 8, 14, true) == 0);
	EXPECT_EQ(pfn_of(&s, 0), 7);
	EXPECT_EQ(pfn_of(&s, K16 - 1), 7);
	EXPECT(!mapped(&s, K16));
	EXPECT_EQ(pfn_of(&s, VA52_END - 1), 8);
	EXPECT_EQ(pfn_of(&s, VA52_END - K16), 8);
	EXPECT(!mapped(&s, VA52_END - K16 - 1));
	EXPECT(!mapped(&s, VA52_END));
	EXPECT(!mapped(&s, ~0ULL));
	/* the first and last pages are as far apart as a table allows */
	EXPECT_EQ(stats_of(&s).nodes[3], 1);
	EXPECT_EQ(stats_of(&s).nodes[2], 2);
	EXPECT_EQ(stats_of(&s).nodes[1], 2);
	EXPECT_EQ(stats_of(&s).nodes[0], 2);
	EXPECT_EQ(stats_of(&s).bytes, 256 + 4 * DIR16_BYTES +
		  2 * PTE16_BYTES);
	EXPECT_EQ(collect_all(&s, &coll_a, 0, ~0ULL), 0);
	ASSERT(coll_a.n == 2);
	EXPECT_EQ(coll_a.r[1].va, VA52_END - K16);
	EXPECT_EQ(coll_a.r[1].leaf.shift, 14);
	EXPECT_EQ(coll_a.r[1].leaf.page_shift, 14);
	EXPECT_EQ(collect_all(&s, &coll_a, VA52_END - 1, ~0ULL), 0);
	EXPECT_EQ(coll_a.n, 1);
	EXPECT_EQ(collect_all(&s, &coll_a, VA52_END, ~0ULL), 0);
	EXPECT_EQ(coll_a.n, 0);
	EXPECT_EQ(vmv_shadow_count(&s, K16 - 1, VA52_END - K16), 1);
	EXPECT_EQ(vmv_shadow_count(&s, K16, VA52_END - K16), 0);
	/* a 32 MiB leaf at the very top, over the last page's node */
	ASSERT(vmv_shadow_set(&s, VA52_END - M32, 0x3ffffff800ULL, 25,
			      false) == 0);
	EXPECT_EQ(pfn_of(&s, VA52_END - 1), 0x3ffffff800ULL);
	EXPECT_EQ(stats_of(&s).nodes[0], 1);
	EXPECT_EQ(stats_of(&s).leaves[1], 1);
	EXPECT_EQ(check(&s), 0);
	/* the clamp is 2^52 */
	vmv_shadow_invalidate(&s, VA52_END, ~0ULL);
	EXPECT(mapped(&s, VA52_END - 1));
	vmv_shadow_invalidate(&s, VA52_END - 1, ~0ULL);
	EXPECT(!mapped(&s, VA52_END - M32));
	EXPECT(mapped(&s, 0));
	EXPECT_EQ(stats_of(&s).bytes, 256 + 2 * DIR16_BYTES + PTE16_BYTES);
	/* across the top level's entries, 2^47 apart */
	ASSERT(vmv_shadow_set(&s, (1ULL << 47) - K16, 9, 14, true) == 0);
	ASSERT(vmv_shadow_set(&s, 1ULL << 47, 10, 14, true) == 0);
	EXPECT_EQ(stats_of(&s).nodes[2], 2);
	EXPECT_EQ(pfn_of(&s, (1ULL << 47) - 1), 9);
	EXPECT_EQ(pfn_of(&s, 1ULL << 47), 10);
	EXPECT_EQ(vmv_shadow_count(&s, (1ULL << 47) - 1,
				   (1ULL << 47) + 1), 2);
	check_destroy(&s);
}

UNIT_TEST(arm64_16k_einval)
{
	static const unsigned int bad_shifts[] = {
		0, 12, 13, 15, 21, 22, 24, 26, 30, 36, 47, 48, 64, 255,
	};
	u64 lim34 = 1ULL << 34;
	struct vmv_shadow s;
	unsigned int i;

	ASSERT(init_arm64(&s, 14, 48, 34) == 0);
	for (i = 0; i < ARRAY_SIZE(bad_shifts); i++)
		EXPECT_EQ(vmv_shadow_set(&s, 0, 0, bad_shifts[i], true),
			  -EINVAL);
	/* va not aligned to the size */
	EXPECT_EQ(vmv_shadow_set(&s, 1, 0, 14, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, K4, 0, 14, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 3 * K4, 0, 14, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, K16, 0, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, M2, 0, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, M32 - K16, 0, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, G1 + M2, 0, 25, true), -EINVAL);
	/* va out of range */
	EXPECT_EQ(vmv_shadow_set(&s, VA48_END, 0, 14, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, VA48_END, 0, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, ~0ULL << 14, 0, 14, true), -EINVAL);
	/* pfn too large (2^34 frames of 16 KiB: 48-bit addresses) */
	EXPECT_EQ(vmv_shadow_set(&s, 0, lim34, 14, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, lim34, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, ~0ULL, 14, true), -EINVAL);
	/* pfn not aligned to the size: 2048 frames a 32 MiB leaf */
	EXPECT_EQ(vmv_shadow_set(&s, 0, 1, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0x200, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0x400, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0x7ff, 25, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0x801, 25, true), -EINVAL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	EXPECT(s.root == NULL);
	/* the largest valid PFNs; 4 KiB-aligned 16 KiB frames are fine */
	EXPECT_EQ(vmv_shadow_set(&s, 0, lim34 - 1, 14, true), 0);
	EXPECT_EQ(vmv_shadow_set(&s, M32, lim34 - 0x800, 25, true), 0);
	EXPECT_EQ(vmv_shadow_set(&s, K16, 0x801, 14, true), 0);
	EXPECT_EQ(vmv_shadow_set(&s, 2 * M32, 0x800, 25, true), 0);
	EXPECT_EQ(pfn_of(&s, 0), lim34 - 1);
	EXPECT_EQ(pfn_of(&s, M32 + K16), lim34 - 0x800);
	EXPECT_EQ(pfn_of(&s, K16), 0x801);
	/* -EEXIST inside a 32 MiB leaf */
	EXPECT_EQ(vmv_shadow_set(&s, M32 + M32 - K16, 1, 14, true), -EEXIST);
	EXPECT_EQ(stats_of(&s).wide, 1);
	check_destroy(&s);
}

/* Nodes per level and bytes, with 16 KiB nodes and 8 KiB compact ones. */
UNIT_TEST(arm64_16k_stats)
{
	struct vmv_shadow_stats st;
	struct vmv_shadow s;
	u64 bytes;

	ASSERT(init_arm64(&s, 14, 52, 38) == 0);
	ASSERT(SET_LEAVES(&s, { 0, 1, 14, true }, { K16, 2, 14, true },
			  { M32, 0x800, 25, true }, { G64, 3, 14, false },
			  { 1ULL << 47, 4, 14, true }) == 0);
	vmv_shadow_stats(&s, &st);
	EXPECT_EQ(st.nodes[3], 1);	/* root, 32 entries */
	EXPECT_EQ(st.nodes[2], 2);	/* puds for [0, 2^47), [2^47, 2^48) */
	EXPECT_EQ(st.nodes[1], 3);	/* pmds: [0, 64G), [64G, +64G), 2^47 */
	EXPECT_EQ(st.nodes[0], 3);	/* ptes of 32 MiB each */
	EXPECT_EQ(st.nodes[4], 0);
	EXPECT_EQ(st.wide, 0);
	EXPECT_EQ(st.bytes, 256 + 5 * DIR16_BYTES + 3 * PTE16_BYTES);
	EXPECT_EQ(st.leaves[0], 4);
	EXPECT_EQ(st.leaves[1], 1);
	EXPECT_EQ(st.leaves[2], 0);
	EXPECT_EQ(check(&s), 0);
	bytes = st.bytes;
	/* a PFN of 2^30 widens a node to 16 KiB, and narrows it going */
	ASSERT(vmv_shadow_set(&s, 2 * K16, BIG_PFN, 14, true) == 0);
	EXPECT_EQ(stats_of(&s).wide, 1);
	EXPECT_EQ(stats_of(&s).bytes, bytes + WPTE16_BYTES - PTE16_BYTES);
	EXPECT_EQ(pfn_of(&s, 0), 1);
	EXPECT_EQ(pfn_of(&s, 2 * K16 + 5), BIG_PFN);
	ASSERT(vmv_shadow_set(&s, 2047 * K16, (1ULL << 38) - 1, 14,
			      false) == 0);
	EXPECT_EQ(pfn_of(&s, M32 - 1), (1ULL << 38) - 1);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_invalidate(&s, 2 * K16, 2 * K16 + 1);
	EXPECT_EQ(stats_of(&s).wide, 1);
	vmv_shadow_invalidate(&s, M32 - 1, M32);
	EXPECT_EQ(stats_of(&s).wide, 0);
	EXPECT_EQ(stats_of(&s).bytes, bytes);
	/* dropping the page at 2^47 frees its pud, pmd and pte nodes */
	vmv_shadow_invalidate(&s, 1ULL << 47, (1ULL << 47) + 1);
	EXPECT_EQ(stats_of(&s).bytes, bytes - 2 * DIR16_BYTES - PTE16_BYTES);
	EXPECT_EQ(check(&s), 0);
	/* the 32 MiB leaf frees nothing; the page at 64G its pmd and pte */
	vmv_shadow_invalidate(&s, M32, 2 * M32);
	vmv_shadow_invalidate(&s, G64, G64 + K16);
	EXPECT_EQ(stats_of(&s).bytes, 256 + 2 * DIR16_BYTES + PTE16_BYTES);
	EXPECT_LEAVES(&s, 2, 0, 0);
	check_destroy(&s);

	/* 48-bit: a root of 2 entries, 16 bytes */
	ASSERT(init_arm64(&s, 14, 48, 34) == 0);
	ASSERT(vmv_shadow_set(&s, VA48_END - K16, 1, 14, true) == 0);
	EXPECT_EQ(stats_of(&s).bytes, 16 + 2 * DIR16_BYTES + PTE16_BYTES);
	check_destroy(&s);
	/* 47-bit: 3 levels, a full root */
	ASSERT(init_arm64(&s, 14, 47, 34) == 0);
	ASSERT(vmv_shadow_set(&s, 0, 0x800, 25, true) == 0);
	EXPECT_EQ(stats_of(&s).bytes, 2 * DIR16_BYTES);
	ASSERT(vmv_shadow_set(&s, M32, 1, 14, true) == 0);
	EXPECT_EQ(stats_of(&s).bytes, 2 * DIR16_BYTES + PTE16_BYTES);
	check_destroy(&s);
}

/* 2048 pages under one node, replaced by a 32 MiB leaf, invalidated. */
UNIT_TEST(arm64_16k_overwrite_invalidate)
{
	u64 base = 0x7f0002000000ULL, i;
	struct vmv_shadow s;

	ASSERT(init_arm64(&s, 14, 48, 34) == 0);
	for (i = 0; i < 2048; i++)
		ASSERT(vmv_shadow_set(&s, base + i * K16, 100 + i, 14,
				      i & 1) == 0);
	ASSERT(vmv_shadow_set(&s, base - K16, 1, 14, true) == 0);
	ASSERT(vmv_shadow_set(&s, base + M32, 2, 14, true) == 0);
	EXPECT_EQ(stats_of(&s).leaves[0], 2050);
	EXPECT_EQ(stats_of(&s).nodes[0], 3);
	EXPECT_EQ(stats_of(&s).nodes[1], 1);
	/* counting a full compact node of 2048, and parts of it */
	EXPECT_EQ(vmv_shadow_count(&s, base, base + M32), 2048);
	EXPECT_EQ(vmv_shadow_count(&s, base + K16 + 1, base + M32 - K16),
		  2046);
	EXPECT_EQ(vmv_shadow_count(&s, base + 3 * K16 - 1, base + 3 * K16),
		  1);
	EXPECT_EQ(vmv_shadow_count(&s, base - 1, base + M32 + 1), 2050);
	EXPECT_EQ(collect_all(&s, &coll_a, base + 2046 * K16, ~0ULL), 0);
	ASSERT(coll_a.n == 3);
	EXPECT_EQ(coll_a.r[0].leaf.pfn, 100 + 2046);
	EXPECT(!coll_a.r[0].leaf.writable);
	EXPECT_EQ(coll_a.r[1].va, base + 2047 * K16);
	EXPECT(coll_a.r[1].leaf.writable);
	EXPECT_EQ(coll_a.r[2].va, base + M32);
	EXPECT_EQ(check(&s), 0);
	/* a 32 MiB leaf replaces them and frees their node */
	ASSERT(vmv_shadow_set(&s, base, 0x1000, 25, true) == 0);
	EXPECT_LEAVES(&s, 2, 1, 0);
	EXPECT_EQ(stats_of(&s).nodes[0], 2);
	EXPECT_EQ(stats_of(&s).bytes, 16 + 2 * DIR16_BYTES +
		  2 * PTE16_BYTES);
	EXPECT_EQ(pfn_of(&s, base + 0x123456), 0x1000);
	EXPECT_EQ(vmv_shadow_phys(&(struct vmv_shadow_leaf){
			.pfn = 0x1000, .shift = 25, .page_shift = 14 },
			base + 0x123456), 0x4000000ULL + 0x123456);
	EXPECT_EQ(pfn_of(&s, base - K16), 1);
	EXPECT_EQ(pfn_of(&s, base + M32), 2);
	EXPECT_EQ(check(&s), 0);
	/* one byte of it drops it whole, not its neighbours */
	vmv_shadow_invalidate(&s, base + 0x1234567, base + 0x1234568);
	EXPECT(!mapped(&s, base));
	EXPECT(!mapped(&s, base + M32 - 1));
	EXPECT(mapped(&s, base - K16));
	EXPECT(mapped(&s, base + M32));
	EXPECT_EQ(check(&s), 0);
	/* a range over a page, a 32 MiB leaf and a page */
	ASSERT(vmv_shadow_set(&s, base, 0x1000, 25, true) == 0);
	vmv_shadow_invalidate(&s, base - 1, base + M32 + 1);
	EXPECT_LEAVES(&s, 0, 0, 0);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	EXPECT(s.root == NULL);
	/* unaligned ends: a page's last byte and first byte */
	for (i = 0; i < 8; i++)
		ASSERT(vmv_shadow_set(&s, base + i * K16, i, 14, true) == 0);
	vmv_shadow_invalidate(&s, base + K16 - 1, base + K16);
	vmv_shadow_invalidate(&s, base + 3 * K16 + K4, base + 4 * K16 + 1);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(mapped(&s, base + i * K16), i != 0 && i != 3 &&
			  i != 4);
	check_destroy(&s);
}

UNIT_TEST(arm64_16k_for_each)
{
	static const u64 vas[] = {
		0x7f0000008000ULL, 0x4000, 0x7f0006000000ULL,
		0x7f0002000000ULL, 0x0, 0x7f0000004000ULL, 0x7fffffffc000ULL,
	};
	static const unsigned int shifts[] = { 14, 14, 25, 25, 14, 14, 14 };
	static const u64 sorted[] = {
		0x0, 0x4000, 0x7f0000004000ULL, 0x7f0000008000ULL,
		0x7f0002000000ULL, 0x7f0006000000ULL, 0x7fffffffc000ULL,
	};
	struct vmv_shadow s;
	unsigned int i;

	ASSERT(init_arm64(&s, 14, 47, 34) == 0);
	for (i = 0; i < 7; i++)
		ASSERT(vmv_shadow_set(&s, vas[i], (u64)i << 11, shifts[i],
				      true) == 0);
	EXPECT_EQ(collect_all(&s, &coll_a, 0, ~0ULL), 0);
	ASSERT(coll_a.n == 7);
	for (i = 0; i < 7; i++) {
		EXPECT_EQ(coll_a.r[i].va, sorted[i]);
		EXPECT_EQ(coll_a.r[i].leaf.page_shift, 14);
	}
	EXPECT_EQ(coll_a.r[4].leaf.shift, 25);
	EXPECT_EQ(coll_a.r[4].leaf.pfn, 3ULL << 11);
	EXPECT_EQ(coll_a.r[5].leaf.shift, 25);
	EXPECT_EQ(coll_a.r[6].leaf.shift, 14);
	/* from inside one 32 MiB leaf to inside the next */
	EXPECT_EQ(collect_all(&s, &coll_a, 0x7f0003000000ULL,
			      0x7f0006000001ULL), 0);
	ASSERT(coll_a.n == 2);
	EXPECT_EQ(coll_a.r[0].va, 0x7f0002000000ULL);
	EXPECT_EQ(coll_a.r[1].va, 0x7f0006000000ULL);
	/* [start, end): a leaf starting at end is not included */
	EXPECT_EQ(collect_all(&s, &coll_a, 0x4000, 0x7f0000008000ULL), 0);
	ASSERT(coll_a.n == 2);
	EXPECT_EQ(coll_a.r[1].va, 0x7f0000004000ULL);
	/* a page's last byte is enough; within a page only that page */
	EXPECT_EQ(collect_all(&s, &coll_a, 0x7fff, 0x8000), 0);
	EXPECT_EQ(coll_a.n, 1);
	EXPECT_EQ(collect_all(&s, &coll_a, 0x5000, 0x6000), 0);
	EXPECT_EQ(coll_a.n, 1);
	EXPECT_EQ(collect_all(&s, &coll_a, 0x8000, 0xc000), 0);
	EXPECT_EQ(coll_a.n, 0);
	EXPECT_EQ(collect_all(&s, &coll_a, 1ULL << 47, ~0ULL), 0);
	EXPECT_EQ(coll_a.n, 0);
	/* early stop */
	memset(&coll_a, 0, sizeof(coll_a));
	coll_a.stop_at = 5;
	coll_a.stop_ret = 42;
	EXPECT_EQ(vmv_shadow_for_each(&s, 0, ~0ULL, collect, &coll_a), 42);
	EXPECT_EQ(coll_a.n, 5);
	EXPECT_EQ(coll_a.r[4].va, 0x7f0002000000ULL);
	check_destroy(&s);
}

/* Verify's per-table path over 2048-entry nodes. */
UNIT_TEST(arm64_16k_ptes)
{
	u64 base = 0x7f0000000000ULL;
	struct vmv_shadow_ptes p;
	struct vmv_shadow s;

	ASSERT(init_arm64(&s, 14, 52, 38) == 0);
	vmv_shadow_ptes(&s, base, &p);
	EXPECT(p.node == NULL);
	ASSERT(SET_LEAVES(&s, { base, 7, 14, true },
			  { base + 2047 * K16, 8, 14, false },
			  { base + 1024 * K16, 9, 14, true },
			  { base + M32, 0x800, 25, true }) == 0);
	vmv_shadow_ptes(&s, base + M32 - 1, &p);
	ASSERT(p.node != NULL);
	EXPECT(!p.wide);
	EXPECT_PTE(&p, 0, 7, 1);
	EXPECT_PTE(&p, 2047, 8, 0);
	EXPECT_PTE(&p, 1024, 9, 1);
	EXPECT_NO_PTE(&p, 1);
	EXPECT_NO_PTE(&p, 1023);
	EXPECT_NO_PTE(&p, 2046);
	/* wide, then compact again */
	ASSERT(vmv_shadow_set(&s, base + K16, (1ULL << 38) - 1, 14,
			      true) == 0);
	vmv_shadow_ptes(&s, base, &p);
	EXPECT(p.wide);
	EXPECT_PTE(&p, 1, (1ULL << 38) - 1, 1);
	EXPECT_PTE(&p, 2047, 8, 0);
	vmv_shadow_invalidate(&s, base + K16, base + 2 * K16);
	vmv_shadow_ptes(&s, base, &p);
	EXPECT(!p.wide);
	EXPECT_PTE(&p, 2047, 8, 0);
	/* no node under a 32 MiB leaf, nor where nothing is, nor above */
	vmv_shadow_ptes(&s, base + M32, &p);
	EXPECT(p.node == NULL);
	vmv_shadow_ptes(&s, base + 2 * M32, &p);
	EXPECT(p.node == NULL);
	vmv_shadow_ptes(&s, VA52_END + base, &p);
	EXPECT(p.node == NULL);
	check_destroy(&s);
}

/*
 * Against the kernel's pgtables_bytes, 16 KiB tables: a dense 64 MiB of
 * 16 KiB pages takes 2 pte tables, a pmd and (with 4 levels) a pud.
 */
UNIT_TEST(arm64_16k_memory)
{
	static const struct {
		unsigned int va_bits;
		u64 root, kernel;
	} geoms[] = {
		{ 48, 16, 4 * DIR16_BYTES },
		{ 52, 256, 4 * DIR16_BYTES },
		{ 47, DIR16_BYTES, 3 * DIR16_BYTES },
	};
	u64 base = 0x7f0000000000ULL, i, upper;
	struct vmv_shadow s;
	unsigned int g;

	for (g = 0; g < ARRAY_SIZE(geoms); g++) {
		ASSERT(init_arm64(&s, 14, geoms[g].va_bits, 34) == 0);
		upper = geoms[g].root + (s.levels - 2) * DIR16_BYTES;
		ASSERT(vmv_shadow_set(&s, base, 1, 14, true) == 0);
		EXPECT_EQ(stats_of(&s).bytes, upper + PTE16_BYTES);
		/* one pte table: above with 3 levels, below with 4 */
		EXPECT_EQ(stats_of(&s).bytes <=
			  geoms[g].kernel - DIR16_BYTES, s.levels == 4);
		for (i = 0; i < 4096; i++)
			ASSERT(vmv_shadow_set(&s, base + i * K16, i, 14,
					      true) == 0);
		EXPECT_EQ(stats_of(&s).bytes, upper + 2 * PTE16_BYTES);
		EXPECT(stats_of(&s).bytes <= geoms[g].kernel);
		EXPECT_EQ(vmv_shadow_count(&s, 0, ~0ULL), 4096);
		vmv_shadow_invalidate(&s, 0, ~0ULL);
		EXPECT_EQ(stats_of(&s).bytes, 0);
		vmv_shadow_destroy(&s);
	}
}

/* Failing each allocation of a set leaves the table unchanged. */
static void enomem_ops(struct vmv_shadow *s, const struct set_op *ops,
		       unsigned int nr)
{
	struct snap *before = malloc(sizeof(*before));
	struct snap *after = malloc(sizeof(*after));
	unsigned int i, n;
	int ret = 0, fails;

	ASSERT(before && after);
	for (i = 0; i < nr; i++) {
		fails = 0;
		for (n = 1; n < 20; n++) {
			snap_take(s, before);
			vmv_host_allocs = 0;
			vmv_host_fail_after = n;
			ret = vmv_shadow_set(s, ops[i].va, ops[i].pfn,
					     ops[i].shift, true);
			vmv_host_fail_after = 0;
			if (ret == 0)
				break;
			EXPECT_EQ(ret, -ENOMEM);
			fails++;
			snap_take(s, after);
			if (!snap_same(before, after))
				UNIT_FAIL("op %u, allocation %u: changed", i,
					  n);
		}
		EXPECT_EQ(ret, 0);
		EXPECT_EQ(fails, ops[i].allocs);
		EXPECT_EQ(pfn_of(s, ops[i].va), ops[i].pfn);
		EXPECT_EQ(check(s), 0);
	}
	free(before);
	free(after);
}

UNIT_TEST(arm64_enomem)
{
	static const struct set_op ops16[] = {
		{ 0x7f0000004000ULL, 1, 14, 4 },	/* the whole path */
		{ 0x7f0000008000ULL, 2, 14, 0 },
		{ 0x7f000000c000ULL, BIG_PFN, 14, 1 },	/* widen */
		{ 0x7f0002000000ULL, BIG_PFN + 7, 14, 1 }, /* a wide node */
		{ 0x7f0004000000ULL, 0x800, 25, 0 },
		{ 0x7f1000000000ULL, 0x800, 25, 1 },	/* a pmd */
		{ 0x8000000000000ULL, 9, 14, 3 },	/* pud to pte */
		{ 0x7f0000000000ULL, 0x1000, 25, 0 },	/* drops a node */
		{ 0, 5, 14, 2 },
	};
	static const struct set_op ops4k52[] = {
		{ 0x7f0000001000ULL, 1, 12, 5 },	/* the whole path */
		{ 0xf000000001000ULL, 2, 12, 4 },	/* p4d to pte */
		{ 0xf000000400000ULL, 0x200, 21, 0 },
		{ 0xf000040000000ULL, 0x40000, 30, 0 },
	};
	struct vmv_shadow s;

	ASSERT(init_arm64(&s, 14, 52, 38) == 0);
	enomem_ops(&s, ops16, ARRAY_SIZE(ops16));
	vmv_shadow_invalidate(&s, 0, ~0ULL);
	EXPECT_EQ(stats_of(&s).bytes, 0);
	vmv_shadow_destroy(&s);
	ASSERT(init_arm64(&s, 12, 52, 40) == 0);
	enomem_ops(&s, ops4k52, ARRAY_SIZE(ops4k52));
	check_destroy(&s);
}

/* arm64 4 KiB with 52-bit addresses (LPA2): 5 levels, a top of 16. */
UNIT_TEST(arm64_4k_52bit)
{
	u64 t1 = 1ULL << 40;
	struct vmv_shadow s;

	one_leaf_arm64(12, 52, 40, 12, 0, 0, true);
	one_leaf_arm64(12, 52, 40, 12, VA52_END - K4, 0x5, true);
	one_leaf_arm64(12, 52, 40, 12, VA48_END, 0x6, false);
	one_leaf_arm64(12, 52, 40, 12, VA48_END - K4, BIG_PFN - 1, true);
	one_leaf_arm64(12, 52, 40, 21, VA52_END - M2, 0x200, false);
	one_leaf_arm64(12, 52, 40, 30, VA52_END - G1, t1 - 0x40000, true);
	/* 48-bit: x86-64's shape, over the whole 2^48 */
	one_leaf_arm64(12, 48, 36, 12, VA48_END - K4, 0x5, true);
	one_leaf_arm64(12, 48, 36, 30, L4_END, 0x40000, true);
	/* 39-bit: 3 levels, 1 GiB leaves in the root */
	one_leaf_arm64(12, 39, 36, 30, (1ULL << 39) - G1, 0x40000, true);
	one_leaf_arm64(12, 39, 36, 12, (1ULL << 39) - K4, 0x40000, true);

	ASSERT(init_arm64(&s, 12, 52, 40) == 0);
	EXPECT_EQ(vmv_shadow_set(&s, VA52_END, 1, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, L5_END - K4, 1, 12, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0, 39, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, 0, 14, true), -EINVAL);
	EXPECT_EQ(vmv_shadow_set(&s, 0, t1, 12, true), -EINVAL);
	ASSERT(vmv_shadow_set(&s, 0, 7, 12, true) == 0);
	ASSERT(vmv_shadow_set(&s, VA52_END - K4, 8, 12, true) == 0);
	EXPECT_EQ(stats_of(&s).nodes[4], 1);
	EXPECT_EQ(stats_of(&s).nodes[3], 2);
	EXPECT_EQ(stats_of(&s).nodes[2], 2);
	EXPECT_EQ(stats_of(&s).nodes[1], 2);
	EXPECT_EQ(stats_of(&s).nodes[0], 2);
	/* a root of 16 entries, 128 bytes */
	EXPECT_EQ(stats_of(&s).bytes, 128 + 6 * DIR_BYTES + 2 * PTE_BYTES);
	EXPECT_EQ(pfn_of(&s, VA52_END - 1), 8);
	EXPECT(!mapped(&s, VA52_END));
	EXPECT_EQ(vmv_shadow_count(&s, VA48_END, ~0ULL), 1);
	ASSERT(vmv_shadow_set(&s, VA52_END - G1, t1 - 0x40000, 30,
			      false) == 0);
	EXPECT_EQ(pfn_of(&s, VA52_END - 1), t1 - 0x40000);
	EXPECT_LEAVES(&s, 1, 0, 1);
	EXPECT_EQ(check(&s), 0);
	vmv_shadow_invalidate(&s, VA52_END, ~0ULL);
	EXPECT(mapped(&s, VA52_END - 1));
	vmv_shadow_invalidate(&s, VA52_END - 1, ~0ULL);
	EXPECT(!mapped(&s, VA52_END - 1));
	EXPECT_EQ(stats_of(&s).bytes, 128 + 3 * DIR_BYTES + PTE_BYTES);
	check_destroy(&s);
}

UNIT_TEST(random_against_model_arm64)
{
	static const unsigned int geoms[][3] = {
		{ 14, 48, 34 }, { 14, 52, 38 }, { 14, 47, 34 }, { 14, 36, 34 },
		{ 12, 52, 40 }, { 12, 39, 36 },
	};
	struct vmv_shadow s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(geoms); i++) {
		ASSERT(init_arm64(&s, geoms[i][0], geoms[i][1],
				  geoms[i][2]) == 0);
		model_run(&s, 20000);
	}
}

UNIT_MAIN()

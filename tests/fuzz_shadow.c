// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the shadow page table (module/shadow.c).
 *
 * The input is a program: one header byte (the geometry: with bit 3
 * clear, bits 0-1 pick x86-64 with 4 levels, with 5, PAE or 2-level
 * i386, bit 2 PAE's PFN limit, 2^24 or 2^32; with bit 3 set, bits 0-2
 * pick one of arm64's (16 KiB pages with 36, 47, 48 or 52-bit addresses,
 * 4 KiB with 39, 48 or 52, and 16 KiB with 52 again), bit 4 their PFN
 * limit, the physical address bits less the page's or the most a table
 * takes, 2^52 for 4 KiB pages and 2^50 for 16 KiB, whose physical
 * addresses must fit in 64 bits) and then operations, each an opcode byte and its
 * operands; a reset operation reads a new header byte.  Every
 * operation runs on the shadow and on a reference model (a sorted array of
 * leaves), and the two must agree on the result, on every leaf (through
 * vmv_shadow_for_each() and vmv_shadow_lookup()), on the leaf counts and on
 * the nodes per level and bytes the leaves need (shadow.c's layout).  At
 * the end everything is invalidated and the node memory must be zero.
 * Any disagreement aborts.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined (tests/Makefile, fuzz).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shadow.h"

unsigned long vmv_host_fail_after;
unsigned long vmv_host_allocs;

#define M2	(1ULL << 21)
#define G1	(1ULL << 30)
#define BIG_PFN	(1ULL << 30)

/* The page, and the size of a level-1 entry: 2 MiB, 4 MiB or 32 MiB. */
#define PAGE	(1ULL << g_shift[0])
#define L1	(1ULL << g_shift[1])

#define MODEL_MAX	2048

struct mleaf {
	u64 va;
	u64 pfn;
	unsigned int shift;
	bool w;
};

/* The reference model: leaves sorted by address, never overlapping. */
static struct mleaf model[MODEL_MAX];
static int model_n;

static struct vmv_shadow sh;
static bool sh_loose;	/* a narrowing may have failed: bytes not exact */
static unsigned long op_no;

/*
 * The geometry as the model sees it, worked out from the geometry's
 * fields (not from the table's own derived ones).
 */
static struct vmv_shadow_geom geom;
static unsigned int g_shift[VMV_SHADOW_MAX_LEVELS + 1];
static u64 g_max_pfn;

struct input {
	const uint8_t *p;
	size_t left;
};

static u64 get(struct input *in, unsigned int bytes)
{
	u64 v = 0;

	while (bytes--) {
		v <<= 8;
		if (in->left) {
			v |= *in->p++;
			in->left--;
		}
	}
	return v;
}

#define FAIL(...)							\
	do {								\
		fprintf(stderr, "fuzz_shadow: op %lu: ", op_no);	\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		abort();						\
	} while (0)

static u64 mend(const struct mleaf *l)
{
	return l->va + (1ULL << l->shift);
}

/* The level of leaves of 2^shift bytes, or -1 when there is none. */
static int leaf_level(unsigned int shift)
{
	unsigned int l;

	for (l = 0; l < geom.levels; l++)
		if (g_shift[l] == shift && (geom.leaf_levels >> l & 1))
			return l;
	return -1;
}

/* The size of a node of level l, the compact one at level 0. */
static u64 node_bytes(unsigned int l)
{
	return (1ULL << geom.bits[l]) * (l ? 8 : 4);
}

/* The first model leaf ending after start. */
static int model_first(u64 start)
{
	int lo = 0, hi = model_n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (mend(&model[mid]) <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The model leaf containing va, or -1. */
static int model_find(u64 va)
{
	int i = model_first(va);

	return i < model_n && model[i].va <= va ? i : -1;
}

static void model_drop(u64 start, u64 end)
{
	int i, j = 0;

	for (i = 0; i < model_n; i++)
		if (mend(&model[i]) <= start || model[i].va >= end)
			model[j++] = model[i];
	model_n = j;
}

static void model_insert(u64 va, u64 pfn, unsigned int shift, bool w)
{
	int i = model_first(va);

	memmove(&model[i + 1], &model[i], (model_n - i) * sizeof(model[0]));
	model[i].va = va;
	model[i].pfn = pfn;
	model[i].shift = shift;
	model[i].w = w;
	model_n++;
}

/* What a for_each walk saw. */
struct seen {
	int n;
	int stop_at;
	int stop_ret;
	u64 start, end;
	int first;	/* the model leaf expected next: model_first(start) */
};

static int compare_leaf(void *priv, u64 va, const struct vmv_shadow_leaf *leaf)
{
	struct seen *sn = priv;
	const struct mleaf *m;
	int i = sn->first + sn->n;

	if (i >= model_n || model[i].va >= sn->end)
		FAIL("for_each [0x%llx, 0x%llx): extra leaf at 0x%llx",
		     (unsigned long long)sn->start,
		     (unsigned long long)sn->end, (unsigned long long)va);
	m = &model[i];
	if (va != m->va || leaf->pfn != m->pfn || leaf->shift != m->shift ||
	    leaf->writable != m->w || leaf->page_shift != g_shift[0])
		FAIL("for_each leaf %d: 0x%llx pfn 0x%llx shift %u w %d, want 0x%llx pfn 0x%llx shift %u w %d",
		     sn->n, (unsigned long long)va,
		     (unsigned long long)leaf->pfn, leaf->shift,
		     leaf->writable, (unsigned long long)m->va,
		     (unsigned long long)m->pfn, m->shift, m->w);
	sn->n++;
	if (sn->stop_at && sn->n == sn->stop_at)
		return sn->stop_ret;
	return 0;
}

/* Walk [start, end) and compare with the model; stop_at 0: no stop. */
static void check_walk(u64 start, u64 end, int stop_at)
{
	struct seen sn = {
		.stop_at = stop_at, .stop_ret = 1000 + stop_at,
		.start = start, .end = end,
	};
	u64 lim = vmv_shadow_limit(&sh);
	int want_n = 0, i, ret;

	if (sn.end > lim)
		sn.end = lim;
	if (start < sn.end) {
		sn.first = model_first(start);
		for (i = sn.first; i < model_n && model[i].va < sn.end; i++)
			want_n++;
	}
	/* the shadow is given the unclamped end */
	if (vmv_shadow_count(&sh, start, end) != (u64)want_n)
		FAIL("count [0x%llx, 0x%llx): %llu leaves, want %d",
		     (unsigned long long)start, (unsigned long long)end,
		     (unsigned long long)vmv_shadow_count(&sh, start, end),
		     want_n);
	ret = vmv_shadow_for_each(&sh, start, end, compare_leaf, &sn);
	if (stop_at && stop_at <= want_n) {
		if (ret != 1000 + stop_at || sn.n != stop_at)
			FAIL("for_each stop at %d: ret %d after %d", stop_at,
			     ret, sn.n);
		return;
	}
	if (ret || sn.n != want_n)
		FAIL("for_each [0x%llx, 0x%llx): ret %d, %d leaves, want %d",
		     (unsigned long long)start, (unsigned long long)end, ret,
		     sn.n, want_n);
}

static void check_lookup(u64 va)
{
	struct vmv_shadow_leaf leaf;
	int i = va < vmv_shadow_limit(&sh) ? model_find(va) : -1;
	int ret = vmv_shadow_lookup(&sh, va, &leaf);
	u64 phys;

	if (i < 0) {
		if (ret != -ENOENT)
			FAIL("lookup 0x%llx: %d, want -ENOENT",
			     (unsigned long long)va, ret);
		return;
	}
	if (ret || leaf.pfn != model[i].pfn || leaf.shift != model[i].shift ||
	    leaf.writable != model[i].w || leaf.page_shift != g_shift[0])
		FAIL("lookup 0x%llx: %d pfn 0x%llx shift %u, want pfn 0x%llx shift %u",
		     (unsigned long long)va, ret,
		     (unsigned long long)leaf.pfn, leaf.shift,
		     (unsigned long long)model[i].pfn, model[i].shift);
	phys = (model[i].pfn << g_shift[0]) + (va - model[i].va);
	if (vmv_shadow_phys(&leaf, va) != phys)
		FAIL("phys 0x%llx", (unsigned long long)va);
}

/* Nodes per level, wide nodes and bytes that the model's leaves need. */
static void model_stats(struct vmv_shadow_stats *st)
{
	unsigned int level, top = geom.levels - 1;
	u64 prefix, prev = 0;
	bool any;
	int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < model_n; i++)
		st->leaves[leaf_level(model[i].shift)]++;
	if (!model_n)
		return;
	st->nodes[top] = 1;
	for (level = 0; level < top; level++) {
		any = false;
		for (i = 0; i < model_n; i++) {
			if (leaf_level(model[i].shift) > (int)level)
				continue;
			prefix = model[i].va >> g_shift[level + 1];
			if (!any || prefix != prev)
				st->nodes[level]++;
			any = true;
			prev = prefix;
		}
	}
	any = false;
	for (i = 0; i < model_n; i++) {
		if (model[i].shift != g_shift[0] || model[i].pfn < BIG_PFN)
			continue;
		prefix = model[i].va >> g_shift[1];
		if (!any || prefix != prev)
			st->wide++;
		any = true;
		prev = prefix;
	}
	for (level = 0; level < geom.levels; level++)
		st->bytes += st->nodes[level] * node_bytes(level);
	st->bytes += st->wide * node_bytes(0);	/* twice the compact size */
}

static void check_stats(void)
{
	struct vmv_shadow_stats st, want;
	unsigned int i;

	vmv_shadow_stats(&sh, &st);
	model_stats(&want);
	for (i = 0; i < VMV_SHADOW_MAX_LEVELS; i++)
		if (st.nodes[i] != want.nodes[i])
			FAIL("nodes[%u] %llu, want %llu", i,
			     (unsigned long long)st.nodes[i],
			     (unsigned long long)want.nodes[i]);
	for (i = 0; i < VMV_SHADOW_MAX_LEVELS; i++)
		if (st.leaves[i] != want.leaves[i])
			FAIL("leaves[%u] %llu, want %llu", i,
			     (unsigned long long)st.leaves[i],
			     (unsigned long long)want.leaves[i]);
	if (!model_n)
		sh_loose = false;
	if (sh_loose) {
		/* a failed narrowing leaves a node wide: at most all of them */
		if (st.wide < want.wide || st.wide > st.nodes[0] ||
		    st.bytes != want.bytes + (st.wide - want.wide) *
				node_bytes(0))
			FAIL("loose: wide %llu bytes %llu, want wide %llu bytes %llu",
			     (unsigned long long)st.wide,
			     (unsigned long long)st.bytes,
			     (unsigned long long)want.wide,
			     (unsigned long long)want.bytes);
	} else if (st.wide != want.wide || st.bytes != want.bytes) {
		FAIL("wide %llu bytes %llu, want wide %llu bytes %llu",
		     (unsigned long long)st.wide, (unsigned long long)st.bytes,
		     (unsigned long long)want.wide,
		     (unsigned long long)want.bytes);
	}
	if (!model_n && sh.root)
		FAIL("an empty table keeps its root");
}

static void check_all(void)
{
	int i;

	check_stats();
	check_walk(0, ~0ULL, 0);
	for (i = 0; i < model_n; i++) {
		check_lookup(model[i].va);
		check_lookup(mend(&model[i]) - 1);
	}
}

/* An index in a node of level l: one of the first or the last eight. */
static u64 edge(unsigned int k, unsigned int l)
{
	k &= 15;
	return k < 8 ? k : (1ULL << geom.bits[l]) - 16 + k;
}

/*
 * A little below the end of the span of a node of level l - 1 (l up to
 * levels; higher l: 2^63): 2 GiB below, or half the span when smaller.
 */
static u64 below_span(unsigned int l)
{
	u64 end = 1ULL << (g_shift[l] < 63 ? g_shift[l] : 63);

	return end - (end / 2 < 2 * G1 ? end / 2 : 2 * G1);
}

/* An address in one of a few regions, so that operations collide. */
static u64 gen_va(struct input *in)
{
	u64 lim = vmv_shadow_limit(&sh), base, v;
	unsigned int sel = get(in, 1);
	unsigned int f = get(in, 2);

	switch (sel & 7) {
	case 0:
		base = 0;
		break;
	case 1:
		base = lim - 4 * G1;		/* the top of the range */
		break;
	case 2:
		/*
		 * Across a level-2 node (x86-64: a pud's 2^39); with bit 3,
		 * a level-1 one (16 KiB pages: a pmd's 2^36).
		 */
		base = below_span(sel & 8 ? 2 : 3);
		break;
	case 3:
		/* across a level-3 node (a p4d's 2^48), or the tree's top */
		base = below_span(sel & 8 ? 5 : 4);
		break;
	case 4:
		base = (get(in, 2) << 30) % lim;	/* anywhere, sparse */
		break;
	case 5:
		return get(in, 8) % lim;
	case 6:
		base = (1ULL << 47) - 2 * G1;	/* the 4-level top */
		break;
	default:
		return get(in, 8);		/* anything, out of range too */
	}
	v = base + (f & 3) * G1 + edge(f >> 2, 1) * L1 + edge(f >> 6, 0) * PAGE;
	/*
	 * 32-bit: the regions above wrap into the range.  So they do, unless
	 * bit 4 says otherwise, below 2^47 and with 16 KiB pages (whose
	 * 2048-entry edges reach 64 GiB past the base).
	 */
	if (lim <= 4 * G1 ||
	    ((lim < 1ULL << 47 || g_shift[0] != 12) && !(sel & 16)))
		v &= lim - 1;
	switch ((f >> 10) & 3) {
	case 1:
		v += 1;
		break;
	case 2:
		v += PAGE - 1;
		break;
	case 3:
		v += (f >> 12) * 0x111;
		break;
	}
	return v;
}

static u64 gen_len(struct input *in)
{
	unsigned int sel = get(in, 1);

	switch (sel & 7) {
	case 0:
		return get(in, 1);
	case 1:
		return (get(in, 1) + 1) * PAGE;
	case 2:
		return get(in, 2) * PAGE + get(in, 1);
	case 3:
		/* 2 MiB steps (level-1 ones with 16 KiB pages) */
		return (get(in, 1) + 1) * (g_shift[0] == 12 ? M2 : L1) -
		       (sel >> 3);
	case 4:
		return (get(in, 1) % 8 + 1) * G1 + (sel >> 3);
	case 5:
		return get(in, 8);
	case 6:
		return ~0ULL;
	default:
		return 0;
	}
}

static u64 gen_pfn(struct input *in)
{
	unsigned int sel = get(in, 1);

	switch (sel & 7) {
	case 0:
	case 1:
		return get(in, 2);
	case 2:
		return BIG_PFN - 8 + get(in, 1) % 16;	/* the compact limit */
	case 3:
		return get(in, 8) % g_max_pfn;
	case 4:
		return g_max_pfn - 1 - get(in, 1) % 256;
	case 5:
		return get(in, 8);			/* maybe too large */
	default:
		return get(in, 4) << 12;
	}
}

static int model_set_result(u64 va, u64 pfn, unsigned int shift)
{
	u64 size;
	int i;

	if (leaf_level(shift) < 0)
		return -EINVAL;
	size = 1ULL << shift;
	if (va & (size - 1) || va >> geom.va_bits ||
	    pfn >= g_max_pfn || pfn & ((size >> g_shift[0]) - 1))
		return -EINVAL;
	i = model_find(va);
	if (i >= 0 && model[i].shift > shift)
		return -EEXIST;
	return 0;
}

static void do_set(struct input *in, bool inject)
{
	/* in levels: pages... level 1 (2, 4 or 32 MiB), level 2 */
	static const unsigned int levels[8] = { 0, 0, 0, 0, 1, 1, 2, 9 };
	unsigned int sel = get(in, 1), shift = levels[sel & 7];
	u64 va = gen_va(in), pfn = gen_pfn(in), size;
	bool w = sel & 8;
	int want, ret;

	if (shift == 9)
		shift = get(in, 1);	/* usually invalid */
	else
		shift = g_shift[shift];	/* PAE's level 2, i386's "2": none */
	if (shift < 64) {
		size = 1ULL << shift;
		if (!(sel & 16))
			va &= ~(size - 1);
		if (!(sel & 32) && shift >= g_shift[0])
			pfn &= ~((size >> g_shift[0]) - 1);
	}
	want = model_set_result(va, pfn, shift);
	if (!want && model_n >= MODEL_MAX - 1)
		return;
	if (inject) {
		vmv_host_allocs = 0;
		vmv_host_fail_after = 1 + get(in, 1) % 8;
	}
	ret = vmv_shadow_set(&sh, va, pfn, shift, w);
	vmv_host_fail_after = 0;
	if (inject && !want && ret == -ENOMEM)
		return;		/* check_all() proves nothing changed */
	if (ret != want)
		FAIL("set 0x%llx pfn 0x%llx shift %u: %d, want %d",
		     (unsigned long long)va, (unsigned long long)pfn, shift,
		     ret, want);
	if (ret)
		return;
	if (inject)
		sh_loose = true;
	size = 1ULL << shift;
	model_drop(va, va + size);
	model_insert(va, pfn, shift, w);
}

static void do_invalidate(struct input *in, bool inject)
{
	u64 start = gen_va(in), len = gen_len(in);
	u64 end = start + len < start ? ~0ULL : start + len;

	if (inject) {
		vmv_host_allocs = 0;
		vmv_host_fail_after = 1;
		sh_loose = true;
	}
	vmv_shadow_invalidate(&sh, start, end);
	vmv_host_fail_after = 0;
	if (end > vmv_shadow_limit(&sh))
		end = vmv_shadow_limit(&sh);
	if (start < end)
		model_drop(start, end);
}

static void do_for_each(struct input *in)
{
	u64 start = gen_va(in), len = gen_len(in);
	u64 end = start + len < start ? ~0ULL : start + len;

	check_walk(start, end, get(in, 1) % 8);
}

/* arm64's: page_shift, va_bits and pfn_bits (48-bit physical addresses). */
static const unsigned int arm64_geoms[8][3] = {
	{ 14, 36, 34 }, { 14, 47, 34 }, { 14, 48, 34 }, { 14, 52, 38 },
	{ 12, 39, 36 }, { 12, 48, 36 }, { 12, 52, 40 }, { 14, 52, 38 },
};

/* Make geom and its derived values from a selector (the header byte). */
static void pick_geom(unsigned int sel)
{
	const unsigned int *a = arm64_geoms[sel & 7];
	unsigned int l, pfn_bits = a[2];

	if (sel & 8) {
		/* or the most: 52 bits, and physical addresses below 2^64 */
		if (sel & 16)
			pfn_bits = 64 - a[0] < 52 ? 64 - a[0] : 52;
		if (vmv_shadow_geom_arm64(&geom, a[0], a[1], pfn_bits))
			FAIL("arm64 geometry %u/%u/%u", a[0], a[1], pfn_bits);
	} else {
		switch (sel & 3) {
		case 0:
		case 1:
			if (vmv_shadow_geom_x86_64(&geom, sel & 1 ? 5 : 4))
				FAIL("x86-64 geometry");
			break;
		case 2:
			vmv_shadow_geom_pae(&geom, sel & 4 ? 32 : 24);
			break;
		default:
			vmv_shadow_geom_2level(&geom);
			break;
		}
	}
	/* worked out from the helpers' documented shapes */
	g_shift[0] = sel & 8 ? a[0] : 12;
	if (geom.page_shift != g_shift[0])
		FAIL("page_shift %u, want %u", geom.page_shift, g_shift[0]);
	for (l = 0; l < geom.levels; l++)
		g_shift[l + 1] = g_shift[l] + geom.bits[l];
	for (; l < VMV_SHADOW_MAX_LEVELS; l++)
		g_shift[l + 1] = 64;
	g_max_pfn = 1ULL << geom.pfn_bits;
}

static void reset(unsigned int sel)
{
	vmv_shadow_destroy(&sh);
	if (sh.root || sh.st.bytes)
		FAIL("destroy left %llu bytes", (unsigned long long)sh.st.bytes);
	pick_geom(sel);
	if (vmv_shadow_init(&sh, &geom))
		FAIL("init %u", sel);
	if (vmv_shadow_limit(&sh) != 1ULL << geom.va_bits)
		FAIL("limit %llx", (unsigned long long)vmv_shadow_limit(&sh));
	model_n = 0;
	sh_loose = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .p = data, .left = size };
	struct vmv_shadow_stats st;
	unsigned int op;

	memset(&sh, 0, sizeof(sh));
	if (vmv_shadow_geom_x86_64(&geom, 3) != -EINVAL ||
	    vmv_shadow_geom_x86_64(&geom, 6) != -EINVAL)
		FAIL("x86-64 has 3 or 6 levels");
	if (vmv_shadow_geom_arm64(&geom, 16, 48, 32) != -EINVAL ||
	    vmv_shadow_geom_arm64(&geom, 14, 25, 34) != -EINVAL ||
	    vmv_shadow_geom_arm64(&geom, 12, 53, 36) != -EINVAL)
		FAIL("arm64 with 64 KiB pages, one level or 53-bit addresses");
	op_no = 0;
	reset(get(&in, 1));
	while (in.left) {
		op = get(&in, 1);
		op_no++;
		switch (op % 10) {
		case 0:
		case 1:
		case 2:
		case 3:
			do_set(&in, false);
			break;
		case 4:
			do_set(&in, true);
			break;
		case 5:
		case 6:
			do_invalidate(&in, op & 16);
			break;
		case 7:
			check_lookup(gen_va(&in));
			break;
		case 8:
			do_for_each(&in);
			break;
		default:
			if (op & 16)
				reset(get(&in, 1));
			break;
		}
		check_all();
	}
	vmv_shadow_invalidate(&sh, 0, ~0ULL);
	model_n = 0;
	check_all();
	vmv_shadow_stats(&sh, &st);
	if (st.bytes || sh.root)
		FAIL("%llu bytes after invalidating everything",
		     (unsigned long long)st.bytes);
	vmv_shadow_destroy(&sh);
	return 0;
}

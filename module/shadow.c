// SPDX-License-Identifier: GPL-2.0
/*
 * shadow: vmview's shadow page table (the API is in shadow.h).  Plain C with
 * no kernel state: it builds into the module, the host tests and the fuzzer.
 *
 * Levels are numbered from the bottom, like stats.nodes[]: level 0 holds
 * 4 KiB leaves (the hardware's pte tables), level 1 (pmd) 2 MiB leaves,
 * level 2 (pud) 1 GiB leaves, levels 3 (p4d) and 4 (pgd, 5 levels only)
 * only tables.  Address bits 12 + 9 * L to 20 + 9 * L index level L; the
 * root is level levels - 1.
 *
 * Node layout
 *
 * Upper node (levels 1 to 4), struct vmv_shadow_dir, 4096 bytes, 512 u64:
 *   0                          empty
 *   PFN << 12 | W << 1 | 1     a leaf: 2 MiB at level 1, 1 GiB at level 2
 *   child | WIDE << 1          a child node (nodes are at least 8-byte
 *                              aligned); WIDE: the level-0 child is wide
 *
 * Lowest node (level 0) in one of two forms:
 *   compact, struct vmv_shadow_pte, 2048 bytes, 512 u32:
 *     PFN << 2 | W << 1 | V    PFN below 2^30 (frames in the first 4 TiB)
 *   wide, struct vmv_shadow_wpte, 4096 bytes, 512 u64:
 *     PFN << 12 | W << 1 | V   any PFN below 2^40
 * A lowest node is wide exactly while it holds a PFN of 2^30 or more:
 * vmv_shadow_set() replaces it with a wide copy when such a PFN arrives,
 * and it is replaced by a compact copy again when the last one leaves (if
 * that allocation fails it stays wide, which is still correct, until the
 * next invalidation that touches it).
 *
 * Every node is allocated when the first leaf below it arrives and freed
 * when its last leaf goes, the root included: an empty table holds no
 * memory.  stats.bytes is the sum of the sizes allocated:
 *   4096 * upper nodes + 2048 * compact nodes + 4096 * wide nodes.
 * The kernel counts 4096 bytes per pud, pmd and pte table in
 * pgtables_bytes (not the pgd, nor a p4d).  For the same mappings the
 * shadow adds its root (and its p4d nodes with 5 levels) and saves 2048
 * bytes per pte table, so it stays at or below pgtables_bytes from two pte
 * tables on (four with 5 levels and one p4d node).
 *
 * Walks (set, lookup, invalidate, for_each) go down one path or recurse
 * only into entries that exist and overlap the range, at most
 * levels - 1 deep, so their cost grows with what is mapped.  Emptiness is
 * found by scanning a node once after an invalidation touched it.
 */
#include "shadow.h"

#define SH_ENTRIES		512
#define SH_INDEX_BITS		9
#define SH_BASE_SHIFT		12

/* Bits of 64-bit entries (upper and wide nodes). */
#define SH_LEAF			1ULL	/* upper: a leaf; lowest: valid */
#define SH_W			2ULL	/* a leaf: writable */
#define SH_WIDE			2ULL	/* upper, to a level-0 child: wide */
#define SH_TAGS			3ULL
#define SH_PFN_SHIFT		12

/* Compact entries. */
#define SH_C_PFN_SHIFT		2
#define SH_C_PFN_BITS		30

struct vmv_shadow_dir {
	u64 e[SH_ENTRIES];
};

struct vmv_shadow_pte {
	u32 e[SH_ENTRIES];
};

struct vmv_shadow_wpte {
	u64 e[SH_ENTRIES];
};

static unsigned int sh_shift(unsigned int level)
{
	return SH_BASE_SHIFT + SH_INDEX_BITS * level;
}

static unsigned int sh_index(u64 va, unsigned int level)
{
	return (va >> sh_shift(level)) & (SH_ENTRIES - 1);
}

/* The entry of an upper node at @level that covers @va. */
static u64 *sh_slot(void *dir, u64 va, unsigned int level)
{
	return &((struct vmv_shadow_dir *)dir)->e[sh_index(va, level)];
}

static void *sh_ptr(u64 e)
{
	return (void *)(uintptr_t)(e & ~SH_TAGS);
}

static u64 sh_child(void *node, bool wide)
{
	return (u64)(uintptr_t)node | (wide ? SH_WIDE : 0);
}

static bool sh_big(u64 e)
{
	return (e >> SH_PFN_SHIFT) >> SH_C_PFN_BITS;
}

static size_t sh_node_size(unsigned int level, bool wide)
{
	if (level)
		return sizeof(struct vmv_shadow_dir);
	if (wide)
		return sizeof(struct vmv_shadow_wpte);
	return sizeof(struct vmv_shadow_pte);
}

static void sh_node_add(struct vmv_shadow *s, unsigned int level, bool wide)
{
	s->st.nodes[level]++;
	s->st.wide += wide;
	s->st.bytes += sh_node_size(level, wide);
}

static void sh_node_free(struct vmv_shadow *s, void *node, unsigned int level,
			 bool wide)
{
	s->st.nodes[level]--;
	s->st.wide -= wide;
	s->st.bytes -= sh_node_size(level, wide);
	vmv_free(node);
}

/* A level-0 entry, in the 64-bit form whatever the node's form. */
static u64 sh_pte_get(const void *node, bool wide, unsigned int i)
{
	u32 c;

	if (wide)
		return ((const struct vmv_shadow_wpte *)node)->e[i];
	c = ((const struct vmv_shadow_pte *)node)->e[i];
	return (u64)(c >> SH_C_PFN_SHIFT) << SH_PFN_SHIFT | (c & SH_TAGS);
}

/*
 * The leaves among entries @first to @last of a level-0 node: its valid
 * bits summed (a verify counts every node it compares).  A compact
 * node's entries are summed two at a time, in the two halves of a u64
 * (at most 512 each: no carry crosses).
 */
static unsigned int sh_pte_count(const void *node, bool wide,
				 unsigned int first, unsigned int last)
{
	const struct vmv_shadow_wpte *w = node;
	const struct vmv_shadow_pte *c = node;
	unsigned int i = first, end = last + 1, n = 0;
	u64 two, sum = 0;

	if (wide) {
		for (; i < end; i++)
			n += w->e[i] & SH_LEAF;
		return n;
	}
	if (i & 1)
		n += c->e[i++] & SH_LEAF;
	if ((end & 1) && end > i)
		n += c->e[--end] & SH_LEAF;
	for (; i < end; i += 2) {
		memcpy(&two, &c->e[i], sizeof(two));
		sum += two & (SH_LEAF << 32 | SH_LEAF);
	}
	return n + (u32)sum + (u32)(sum >> 32);
}

/* Store a 64-bit form entry; a compact node must be able to hold it. */
static void sh_pte_put(void *node, bool wide, unsigned int i, u64 e)
{
	u32 c = (u32)((e >> SH_PFN_SHIFT) << SH_C_PFN_SHIFT | (e & SH_TAGS));

	if (wide)
		((struct vmv_shadow_wpte *)node)->e[i] = e;
	else
		((struct vmv_shadow_pte *)node)->e[i] = c;
}

static bool sh_pte_empty(const void *node, bool wide)
{
	unsigned int i;

	for (i = 0; i < SH_ENTRIES; i++)
		if (sh_pte_get(node, wide, i))
			return false;
	return true;
}

static bool sh_dir_empty(const struct vmv_shadow_dir *dir)
{
	unsigned int i;

	for (i = 0; i < SH_ENTRIES; i++)
		if (dir->e[i])
			return false;
	return true;
}

/* Copy a level-0 node into a fresh one of the other form. */
static void sh_pte_convert(void *to, bool to_wide, const void *from)
{
	unsigned int i;

	for (i = 0; i < SH_ENTRIES; i++)
		sh_pte_put(to, to_wide, i, sh_pte_get(from, !to_wide, i));
}

/* Make the wide level-0 node *slot points to compact if it can be. */
static void sh_pte_narrow(struct vmv_shadow *s, u64 *slot)
{
	struct vmv_shadow_wpte *wide = sh_ptr(*slot);
	struct vmv_shadow_pte *c;
	unsigned int i;

	for (i = 0; i < SH_ENTRIES; i++)
		if (sh_big(wide->e[i]))
			return;
	c = vmv_zalloc(sizeof(*c));
	if (!c)
		return;		/* stays wide: correct, only bigger */
	sh_pte_convert(c, false, wide);
	*slot = sh_child(c, false);
	sh_node_add(s, 0, false);
	sh_node_free(s, wide, 0, true);
}

static void sh_leaf_decode(u64 e, unsigned int level,
			   struct vmv_shadow_leaf *leaf)
{
	leaf->pfn = e >> SH_PFN_SHIFT;
	leaf->shift = sh_shift(level);
	leaf->writable = e & SH_W;
}

/* Free the node a child entry points to and everything below it. */
static void sh_free_tree(struct vmv_shadow *s, u64 child, unsigned int level)
{
	void *node = sh_ptr(child);
	bool wide = level == 0 && (child & SH_WIDE);
	struct vmv_shadow_dir *dir = node;
	unsigned int i;
	u64 e;

	for (i = 0; i < SH_ENTRIES; i++) {
		if (level == 0) {
			if (sh_pte_get(node, wide, i))
				s->st.leaves[0]--;
			continue;
		}
		e = dir->e[i];
		if (e & SH_LEAF)
			s->st.leaves[level]--;
		else if (e)
			sh_free_tree(s, e, level - 1);
	}
	sh_node_free(s, node, level, wide);
}

u64 vmv_shadow_limit(const struct vmv_shadow *s)
{
	return 1ULL << (sh_shift(s->levels) - 1);
}

int vmv_shadow_init(struct vmv_shadow *s, unsigned int levels)
{
	if (levels != 4 && levels != 5)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->levels = levels;
	return 0;
}

void vmv_shadow_destroy(struct vmv_shadow *s)
{
	if (s->root)
		sh_free_tree(s, sh_child(s->root, false), s->levels - 1);
	s->root = NULL;
}

int vmv_shadow_set(struct vmv_shadow *s, u64 va, u64 pfn, unsigned int shift,
		   bool writable)
{
	void *fresh[VMV_SHADOW_MAX_LEVELS];
	unsigned int level, target, nr, i;
	void *node, *wide = NULL;
	u64 *slot = NULL;
	u64 size, e, old;
	bool big;

	if (shift != 12 && shift != 21 && shift != 30)
		return -EINVAL;
	size = 1ULL << shift;
	if ((va & (size - 1)) || va >= vmv_shadow_limit(s))
		return -EINVAL;
	if ((pfn >> VMV_SHADOW_PFN_BITS) ||
	    (pfn & ((size >> SH_BASE_SHIFT) - 1)))
		return -EINVAL;
	target = (shift - SH_BASE_SHIFT) / SH_INDEX_BITS;
	big = pfn >> SH_C_PFN_BITS;

	/*
	 * Go down to the node at the target level as far as the path exists:
	 * then node is that node, or NULL when the node at @level is missing
	 * (it and those below it are to be made); slot is the entry that
	 * points to it (NULL for the root).
	 */
	node = s->root;
	level = s->levels - 1;
	while (node && level > target) {
		slot = sh_slot(node, va, level);
		if (*slot & SH_LEAF)
			return -EEXIST;
		node = sh_ptr(*slot);
		level--;
	}

	/* Allocate everything before changing anything. */
	nr = node ? 0 : level - target + 1;
	for (i = 0; i < nr; i++) {
		fresh[i] = vmv_zalloc(sh_node_size(level - i, big));
		if (!fresh[i])
			goto nomem;
	}
	if (node && target == 0 && big && !(*slot & SH_WIDE)) {
		wide = vmv_zalloc(sizeof(struct vmv_shadow_wpte));
		if (!wide)
			goto nomem;
	}

	/* Link the new nodes, top down; slot ends on the target's. */
	for (i = 0; i < nr; i++, level--) {
		node = fresh[i];
		if (!slot)
			s->root = node;
		else
			*slot = sh_child(node, level == 0 && big);
		sh_node_add(s, level, level == 0 && big);
		if (level > target)
			slot = sh_slot(node, va, level);
	}

	if (wide) {
		sh_pte_convert(wide, true, node);
		*slot = sh_child(wide, true);
		sh_node_add(s, 0, true);
		sh_node_free(s, node, 0, false);
		node = wide;
	}

	e = pfn << SH_PFN_SHIFT | (writable ? SH_W : 0) | SH_LEAF;
	if (target == 0) {
		i = sh_index(va, 0);
		old = sh_pte_get(node, *slot & SH_WIDE, i);
		if (old)
			s->st.leaves[0]--;
		sh_pte_put(node, *slot & SH_WIDE, i, e);
		if (sh_big(old) && !big)
			sh_pte_narrow(s, slot);
	} else {
		slot = sh_slot(node, va, target);
		old = *slot;
		if (old & SH_LEAF)
			s->st.leaves[target]--;
		else if (old)
			sh_free_tree(s, old, target - 1);
		*slot = e;
	}
	s->st.leaves[target]++;
	return 0;

nomem:
	while (i--)
		vmv_free(fresh[i]);
	return -ENOMEM;
}

int vmv_shadow_lookup(const struct vmv_shadow *s, u64 va,
		      struct vmv_shadow_leaf *out)
{
	const struct vmv_shadow_dir *dir = s->root;
	unsigned int level = s->levels - 1;
	u64 e;

	if (!dir || va >= vmv_shadow_limit(s))
		return -ENOENT;
	for (;;) {
		e = dir->e[sh_index(va, level)];
		if (!e)
			return -ENOENT;
		if (e & SH_LEAF)
			break;
		if (--level == 0) {
			e = sh_pte_get(sh_ptr(e), e & SH_WIDE, sh_index(va, 0));
			if (!e)
				return -ENOENT;
			break;
		}
		dir = sh_ptr(e);
	}
	sh_leaf_decode(e, level, out);
	return 0;
}

u64 vmv_shadow_phys(const struct vmv_shadow_leaf *leaf, u64 va)
{
	u64 mask = (1ULL << leaf->shift) - 1;

	return (leaf->pfn << SH_BASE_SHIFT) + (va & mask);
}

void vmv_shadow_stats(const struct vmv_shadow *s, struct vmv_shadow_stats *st)
{
	*st = s->st;
}

/*
 * The entries of a node at @level whose first address is @base that
 * overlap [start, end), which must overlap the node.
 */
static void sh_span(unsigned int level, u64 base, u64 start, u64 end,
		    unsigned int *first, unsigned int *last)
{
	unsigned int shift = sh_shift(level);

	*first = start > base ? (start - base) >> shift : 0;
	if (end - base > (u64)(SH_ENTRIES - 1) << shift)
		*last = SH_ENTRIES - 1;
	else
		*last = (end - 1 - base) >> shift;
}

/*
 * Drop the leaves overlapping [start, end) from the level-0 node *slot
 * points to.  Returns true when the node is left empty (the caller frees
 * it); a wide node left holding only small PFNs is made compact (this
 * also retries a narrowing that failed earlier for want of memory).
 */
static bool sh_pte_drop(struct vmv_shadow *s, u64 *slot, u64 base, u64 start,
			u64 end)
{
	void *node = sh_ptr(*slot);
	bool wide = *slot & SH_WIDE;
	unsigned int i, first, last;

	sh_span(0, base, start, end, &first, &last);
	for (i = first; i <= last; i++) {
		if (!sh_pte_get(node, wide, i))
			continue;
		sh_pte_put(node, wide, i, 0);
		s->st.leaves[0]--;
	}
	if (sh_pte_empty(node, wide))
		return true;
	if (wide)
		sh_pte_narrow(s, slot);
	return false;
}

/* The same for an upper node. */
static bool sh_dir_drop(struct vmv_shadow *s, struct vmv_shadow_dir *dir,
			unsigned int level, u64 base, u64 start, u64 end)
{
	u64 size = 1ULL << sh_shift(level);
	unsigned int i, first, last;
	u64 *slot, lo;
	bool empty;

	sh_span(level, base, start, end, &first, &last);
	for (i = first; i <= last; i++) {
		slot = &dir->e[i];
		if (!*slot)
			continue;
		lo = base + i * size;
		if (*slot & SH_LEAF) {
			s->st.leaves[level]--;
		} else if (start <= lo && lo + size <= end) {
			sh_free_tree(s, *slot, level - 1);
		} else {
			if (level == 1)
				empty = sh_pte_drop(s, slot, lo, start, end);
			else
				empty = sh_dir_drop(s, sh_ptr(*slot), level - 1,
						    lo, start, end);
			if (!empty)
				continue;
			sh_node_free(s, sh_ptr(*slot), level - 1,
				     level == 1 && (*slot & SH_WIDE));
		}
		*slot = 0;
	}
	return sh_dir_empty(dir);
}

void vmv_shadow_invalidate(struct vmv_shadow *s, u64 start, u64 end)
{
	unsigned int top = s->levels - 1;

	if (end > vmv_shadow_limit(s))
		end = vmv_shadow_limit(s);
	if (!s->root || start >= end)
		return;
	if (sh_dir_drop(s, s->root, top, 0, start, end)) {
		sh_node_free(s, s->root, top, false);
		s->root = NULL;
	}
}

/* A walk for vmv_shadow_for_each(), or with no @fn, vmv_shadow_count(). */
struct sh_walk {
	u64 start;
	u64 end;
	vmv_shadow_fn fn;
	void *priv;
	u64 count;
};

static int sh_pte_walk(struct sh_walk *w, u64 child, u64 base)
{
	const void *node = sh_ptr(child);
	bool wide = child & SH_WIDE;
	struct vmv_shadow_leaf leaf;
	unsigned int i, first, last;
	int ret;
	u64 e;

	sh_span(0, base, w->start, w->end, &first, &last);
	if (!w->fn) {
		w->count += sh_pte_count(node, wide, first, last);
		return 0;
	}
	for (i = first; i <= last; i++) {
		e = sh_pte_get(node, wide, i);
		if (!e)
			continue;
		sh_leaf_decode(e, 0, &leaf);
		ret = w->fn(w->priv, base + ((u64)i << SH_BASE_SHIFT), &leaf);
		if (ret)
			return ret;
	}
	return 0;
}

static int sh_dir_walk(struct sh_walk *w,
		       const struct vmv_shadow_dir *dir, unsigned int level,
		       u64 base)
{
	unsigned int shift = sh_shift(level), i, first, last;
	struct vmv_shadow_leaf leaf;
	int ret;
	u64 e, lo;

	sh_span(level, base, w->start, w->end, &first, &last);
	for (i = first; i <= last; i++) {
		e = dir->e[i];
		if (!e)
			continue;
		lo = base + ((u64)i << shift);
		if ((e & SH_LEAF) && !w->fn) {
			w->count++;
			ret = 0;
		} else if (e & SH_LEAF) {
			sh_leaf_decode(e, level, &leaf);
			ret = w->fn(w->priv, lo, &leaf);
		} else if (level == 1) {
			ret = sh_pte_walk(w, e, lo);
		} else {
			ret = sh_dir_walk(w, sh_ptr(e), level - 1, lo);
		}
		if (ret)
			return ret;
	}
	return 0;
}

int vmv_shadow_for_each(const struct vmv_shadow *s, u64 start, u64 end,
			vmv_shadow_fn fn, void *priv)
{
	struct sh_walk w = {
		.start = start, .end = end, .fn = fn, .priv = priv,
	};

	if (w.end > vmv_shadow_limit(s))
		w.end = vmv_shadow_limit(s);
	if (!s->root || w.start >= w.end)
		return 0;
	return sh_dir_walk(&w, s->root, s->levels - 1, 0);
}

u64 vmv_shadow_count(const struct vmv_shadow *s, u64 start, u64 end)
{
	struct sh_walk w = { .start = start, .end = end };

	if (w.end > vmv_shadow_limit(s))
		w.end = vmv_shadow_limit(s);
	if (!s->root || w.start >= w.end)
		return 0;
	sh_dir_walk(&w, s->root, s->levels - 1, 0);
	return w.count;
}

void vmv_shadow_ptes(const struct vmv_shadow *s, u64 va,
		     struct vmv_shadow_ptes *out)
{
	const struct vmv_shadow_dir *dir = s->root;
	unsigned int level = s->levels - 1;
	u64 e;

	out->node = NULL;
	out->wide = false;
	if (!dir || va >= vmv_shadow_limit(s))
		return;
	for (;;) {
		e = dir->e[sh_index(va, level)];
		if (!e || (e & SH_LEAF))
			return;
		if (--level == 0) {
			out->node = sh_ptr(e);
			out->wide = e & SH_WIDE;
			return;
		}
		dir = sh_ptr(e);
	}
}

bool vmv_shadow_pte(const struct vmv_shadow_ptes *p, unsigned int i,
		    u64 *pfn, bool *writable)
{
	u64 e;

	if (!p->node)
		return false;
	e = sh_pte_get(p->node, p->wide, i);
	if (!e)
		return false;
	*pfn = e >> SH_PFN_SHIFT;
	*writable = e & SH_W;
	return true;
}

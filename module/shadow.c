// SPDX-License-Identifier: GPL-2.0
/*
 * shadow: vmview's shadow page table (the API is in shadow.h).  Plain C with
 * no kernel state: it builds into the module, the host tests and the fuzzer.
 *
 * Geometry.  Levels are numbered from the bottom, like stats.nodes[]:
 * level 0 holds page leaves of 2^page_shift bytes (the hardware's pte
 * tables; 4 KiB, or 16 KiB on arm64's 16 KiB granule), and level L is
 * indexed by the geom.bits[L] address bits from shift[L] = page_shift +
 * bits[0] + ... + bits[L - 1] up; the root is level levels - 1.  A level
 * whose bit is set in geom.leaf_levels may hold leaves of 2^shift[L]
 * bytes.  PFNs count frames of 2^page_shift bytes, as the kernel's do.
 *
 *   x86-64, 4 or 5 levels  9 bits each: pte, pmd (2 MiB leaves), pud
 *                          (1 GiB leaves), (p4d,) pgd; addresses below
 *                          2^47 (2^56), PFNs below 2^40
 *   i386 PAE, 3 levels     9, 9, 2 bits: pte, pmd (2 MiB leaves), pgd of
 *                          4 entries; addresses below 2^32, PFNs below a
 *                          bound the caller gives (2^32 at most in Linux)
 *   i386, 2 levels         10, 10 bits: pte, pgd (4 MiB leaves);
 *                          addresses below 2^32, PFNs below 2^20
 *   arm64 4 KiB, 3 to 5    9 bits each, as x86-64: 3 levels for 39-bit
 *     levels               addresses, 4 for 48, 5 for 52 (LPA2, a top
 *                          of 4 bits, 16 entries); leaves of 4 KiB,
 *                          2 MiB and 1 GiB
 *   arm64 16 KiB, 2 to 4   page_shift 14, 11 bits each: pte (16 KiB
 *     levels               leaves), pmd (32 MiB leaves), (pud,) pgd;
 *                          3 levels for 47-bit addresses, 4 for 48 (a
 *                          top of 1 bit) and 52 (5 bits from bit 47, 32
 *                          entries), 2 for 36; no 64 GiB leaves
 *
 * arm64's PFNs are below 2^(48 - page_shift), or 2^(52 - page_shift)
 * with 52-bit physical addresses: the caller gives the bound.
 *
 * Node layout
 *
 * Upper node (levels 1 and up), 2^bits[L] u64:
 *   0                          empty
 *   PFN << 12 | W << 1 | 1     a leaf (a level that may hold leaves)
 *   child | WIDE << 1          a child node (nodes are at least 8-byte
 *                              aligned); WIDE: the level-0 child is wide
 *
 * Lowest node (level 0), 2^bits[0] entries in one of two forms:
 *   compact, u32:  PFN << 2 | W << 1 | V    PFN below 2^30 (frames in the
 *                                           first 4 TiB, 16 TiB with
 *                                           16 KiB pages)
 *   wide, u64:     PFN << 12 | W << 1 | V   any PFN
 * The 12 of PFN << 12 is a fixed encoding, not the page size: a PFN of
 * up to VMV_SHADOW_MAX_PFN_BITS (52) bits fits above the two tag bits
 * whatever the page size, and 16 KiB pages need no more than 38 (52-bit
 * physical addresses).
 * A lowest node is wide exactly while it holds a PFN of 2^30 or more:
 * vmv_shadow_set() replaces it with a wide copy when such a PFN arrives,
 * and it is replaced by a compact copy again when the last one leaves (if
 * that allocation fails it stays wide, which is still correct, until the
 * next invalidation that touches it).  Without PAE every PFN is compact.
 *
 * Every node is allocated when the first leaf below it arrives and freed
 * when its last leaf goes, the root included: an empty table holds no
 * memory.  stats.bytes is the sum of the sizes allocated.  Against the
 * kernel's pgtables_bytes for the same mappings:
 *
 *   x86-64: upper nodes 4096 bytes, compact 2048, wide 4096.  The kernel
 *     counts 4096 bytes per pud, pmd and pte table (not the pgd, nor a
 *     p4d).  The shadow adds its root (and its p4d nodes with 5 levels)
 *     and saves 2048 bytes per pte table, so it stays at or below
 *     pgtables_bytes from two pte tables on (four with 5 levels and one
 *     p4d node).
 *   i386 PAE: root 32 bytes (4 u64), pmd nodes 4096, compact pte nodes
 *     2048, wide 4096.  The kernel's pgd is 32 bytes too and not
 *     counted, but each process has its 3 user pmd tables from the start
 *     (with PTI all 4, and one for the user copy), 4096 bytes each, and
 *     pte tables of 4096 (512 8-byte entries).  The shadow has only the
 *     pmd nodes in use and half-size pte nodes: below pgtables_bytes as
 *     soon as it holds one pte node.
 *   i386 without PAE: root 8192 bytes (1024 u64), compact pte nodes 4096
 *     (1024 u32, never wide: PFNs are below 2^20).  The kernel counts
 *     only its pte tables, 4096 bytes (1024 4-byte entries) each, not its
 *     pgd (4096): the shadow is pgtables_bytes plus 8192, its root, whose
 *     entries are twice as wide as the pgd's because they hold pointers
 *     of the host (64-bit in the host tests).
 *   arm64 4 KiB: as x86-64, 4096-byte tables of which the kernel counts
 *     the pud (unless folded), pmd and pte ones.  With 3 or 4 levels the
 *     shadow's root is a full 4096-byte node: at or below pgtables_bytes
 *     from two pte tables on.  With 5 levels (52-bit addresses) it is 128
 *     bytes (16 u64), as is the kernel's pgd, and the p4d nodes 4096,
 *     which the kernel does not count either: from three pte tables on
 *     with one p4d node.
 *   arm64 16 KiB: the kernel's tables are 16 KiB each (2048 8-byte
 *     entries); it counts its pte, pmd and (with 4 levels) pud tables,
 *     not the pgd.  The shadow's upper nodes are 16384 bytes (2048 u64),
 *     compact pte nodes 8192 (2048 u32), wide 16384; its root is 16
 *     bytes with 48-bit addresses (2 entries), 256 with 52-bit (32
 *     entries), a full 16384 with 47-bit (3 levels) or 36-bit (2).  With
 *     4 levels it stays below pgtables_bytes from its first pte node
 *     (each saves 8192 bytes, more than the root); with 2 or 3, at or
 *     below it from its second.
 *
 * Walks (set, lookup, invalidate, for_each) go down one path or recurse
 * only into entries that exist and overlap the range, at most
 * levels - 1 deep, so their cost grows with what is mapped.  Emptiness is
 * found by scanning a node once after an invalidation touched it.
 */
#include "shadow.h"

/* Bits of 64-bit entries (upper and wide nodes). */
#define SH_LEAF			1ULL	/* upper: a leaf; lowest: valid */
#define SH_W			2ULL	/* a leaf: writable */
#define SH_WIDE			2ULL	/* upper, to a level-0 child: wide */
#define SH_TAGS			3ULL
#define SH_PFN_SHIFT		12

/* Compact entries. */
#define SH_C_PFN_SHIFT		2
#define SH_C_PFN_BITS		30

/*
 * The index of @va in a node of @level.  One mask serves every level:
 * the levels below the top have the same width and the top's index is
 * below its entries for any address below the limit (see
 * vmv_shadow_geom_check()).
 */
static unsigned int sh_index(const struct vmv_shadow *s, u64 va,
			     unsigned int level)
{
	return (va >> s->shift[level]) & s->mask;
}

/* The entry of an upper node at @level that covers @va. */
static u64 *sh_slot(const struct vmv_shadow *s, u64 *dir, u64 va,
		    unsigned int level)
{
	return &dir[sh_index(s, va, level)];
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

static size_t sh_node_size(const struct vmv_shadow *s, unsigned int level,
			   bool wide)
{
	size_t n = s->entries[level];

	if (level || wide)
		return n * sizeof(u64);
	return n * sizeof(u32);
}

static void sh_node_add(struct vmv_shadow *s, unsigned int level, bool wide)
{
	s->st.nodes[level]++;
	s->st.wide += wide;
	s->st.bytes += sh_node_size(s, level, wide);
}

static void sh_node_free(struct vmv_shadow *s, void *node, unsigned int level,
			 bool wide)
{
	s->st.nodes[level]--;
	s->st.wide -= wide;
	s->st.bytes -= sh_node_size(s, level, wide);
	vmv_free(node);
}

/* A level-0 entry, in the 64-bit form whatever the node's form. */
static u64 sh_pte_get(const void *node, bool wide, unsigned int i)
{
	u32 c;

	if (wide)
		return ((const u64 *)node)[i];
	c = ((const u32 *)node)[i];
	return (u64)(c >> SH_C_PFN_SHIFT) << SH_PFN_SHIFT | (c & SH_TAGS);
}

/*
 * The leaves among entries @first to @last of a level-0 node: its valid
 * bits summed (a verify counts every node it compares).  A compact
 * node's entries are summed two at a time, in the two halves of a u64
 * (at most 1024 each in a node of 2048: no carry crosses).
 */
static __always_inline unsigned int sh_pte_count(const void *node, bool wide,
						 unsigned int first,
						 unsigned int last)
{
	const u64 *w = node;
	const u32 *c = node;
	unsigned int i = first, end = last + 1, n = 0;
	u64 two, sum = 0;

	if (wide) {
		for (; i < end; i++)
			n += w[i] & SH_LEAF;
		return n;
	}
	if (i & 1)
		n += c[i++] & SH_LEAF;
	if ((end & 1) && end > i)
		n += c[--end] & SH_LEAF;
	for (; i < end; i += 2) {
		memcpy(&two, &c[i], sizeof(two));
		sum += two & (SH_LEAF << 32 | SH_LEAF);
	}
	return n + (u32)sum + (u32)(sum >> 32);
}

/* Store a 64-bit form entry; a compact node must be able to hold it. */
static void sh_pte_put(void *node, bool wide, unsigned int i, u64 e)
{
	u32 c = (u32)((e >> SH_PFN_SHIFT) << SH_C_PFN_SHIFT | (e & SH_TAGS));

	if (wide)
		((u64 *)node)[i] = e;
	else
		((u32 *)node)[i] = c;
}

static bool sh_pte_empty(const struct vmv_shadow *s, const void *node,
			 bool wide)
{
	unsigned int i;

	for (i = 0; i < s->entries[0]; i++)
		if (sh_pte_get(node, wide, i))
			return false;
	return true;
}

static bool sh_dir_empty(const struct vmv_shadow *s, const u64 *dir,
			 unsigned int level)
{
	unsigned int i;

	for (i = 0; i < s->entries[level]; i++)
		if (dir[i])
			return false;
	return true;
}

/* Copy a level-0 node into a fresh one of the other form. */
static void sh_pte_convert(const struct vmv_shadow *s, void *to, bool to_wide,
			   const void *from)
{
	unsigned int i;

	for (i = 0; i < s->entries[0]; i++)
		sh_pte_put(to, to_wide, i, sh_pte_get(from, !to_wide, i));
}

/* Make the wide level-0 node *slot points to compact if it can be. */
static void sh_pte_narrow(struct vmv_shadow *s, u64 *slot)
{
	u64 *wide = sh_ptr(*slot);
	unsigned int i;
	u32 *c;

	for (i = 0; i < s->entries[0]; i++)
		if (sh_big(wide[i]))
			return;
	c = vmv_zalloc(sh_node_size(s, 0, false));
	if (!c)
		return;		/* stays wide: correct, only bigger */
	sh_pte_convert(s, c, false, wide);
	*slot = sh_child(c, false);
	sh_node_add(s, 0, false);
	sh_node_free(s, wide, 0, true);
}

static void sh_leaf_decode(const struct vmv_shadow *s, u64 e,
			   unsigned int shift, struct vmv_shadow_leaf *leaf)
{
	leaf->pfn = e >> SH_PFN_SHIFT;
	leaf->shift = shift;
	leaf->writable = e & SH_W;
	leaf->page_shift = s->page_shift;
}

/* Free the node a child entry points to and everything below it. */
static void sh_free_tree(struct vmv_shadow *s, u64 child, unsigned int level)
{
	void *node = sh_ptr(child);
	bool wide = child & SH_WIDE;
	u64 *dir = node;
	unsigned int i;
	u64 e;

	if (level == 0) {
		s->st.leaves[0] -= sh_pte_count(node, wide, 0, s->mask);
		sh_node_free(s, node, 0, wide);
		return;
	}
	for (i = 0; i < s->entries[level]; i++) {
		e = dir[i];
		if (e & SH_LEAF)
			s->st.leaves[level]--;
		else if (e)
			sh_free_tree(s, e, level - 1);
	}
	sh_node_free(s, node, level, false);
}

int vmv_shadow_geom_x86_64(struct vmv_shadow_geom *g, unsigned int levels)
{
	unsigned int l;

	if (levels != 4 && levels != 5)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->page_shift = 12;
	g->levels = levels;
	for (l = 0; l < levels; l++)
		g->bits[l] = 9;
	g->leaf_levels = 1 << VMV_SHADOW_PTE | 1 << VMV_SHADOW_PMD |
			 1 << VMV_SHADOW_PUD;
	g->va_bits = levels == 4 ? 47 : 56;
	g->pfn_bits = 40;
	return 0;
}

void vmv_shadow_geom_pae(struct vmv_shadow_geom *g, unsigned int pfn_bits)
{
	memset(g, 0, sizeof(*g));
	g->page_shift = 12;
	g->levels = 3;
	g->bits[0] = 9;
	g->bits[1] = 9;
	g->bits[2] = 2;
	g->leaf_levels = 1 << 0 | 1 << 1;
	g->va_bits = 32;
	g->pfn_bits = pfn_bits;
}

void vmv_shadow_geom_2level(struct vmv_shadow_geom *g)
{
	memset(g, 0, sizeof(*g));
	g->page_shift = 12;
	g->levels = 2;
	g->bits[0] = 10;
	g->bits[1] = 10;
	g->leaf_levels = 1 << 0 | 1 << 1;
	g->va_bits = 32;
	g->pfn_bits = 20;
}

int vmv_shadow_geom_arm64(struct vmv_shadow_geom *g, unsigned int page_shift,
			  unsigned int va_bits, unsigned int pfn_bits)
{
	unsigned int bits = page_shift - 3, l, span;

	if (page_shift != 12 && page_shift != 14)
		return -EINVAL;
	if (va_bits <= page_shift + bits || va_bits > 52)
		return -EINVAL;
	if (pfn_bits < 1 || pfn_bits > VMV_SHADOW_MAX_PFN_BITS ||
	    pfn_bits + page_shift > 64)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->page_shift = page_shift;
	/* full levels up from the page, the top one with what is left */
	for (l = 0, span = page_shift; span < va_bits; l++) {
		g->bits[l] = va_bits - span < bits ? va_bits - span : bits;
		span += g->bits[l];
	}
	g->levels = l;
	/* 4 KiB: 2 MiB and 1 GiB blocks; 16 KiB: 32 MiB ones */
	g->leaf_levels = 1 << VMV_SHADOW_PTE | 1 << VMV_SHADOW_PMD;
	if (page_shift == 12 && l > VMV_SHADOW_PUD)
		g->leaf_levels |= 1 << VMV_SHADOW_PUD;
	g->va_bits = va_bits;
	g->pfn_bits = pfn_bits;
	return 0;
}

const char *vmv_shadow_geom_check(const struct vmv_shadow_geom *g)
{
	unsigned int l, span = g->page_shift;

	if (g->page_shift < 12 || g->page_shift > 16)
		return "pages smaller than 4 KiB or larger than 64 KiB";
	if (g->levels < 2 || g->levels > VMV_SHADOW_MAX_LEVELS)
		return "not 2 to 5 levels";
	for (l = 0; l < g->levels; l++) {
		if (g->bits[l] < 1 || g->bits[l] > VMV_SHADOW_MAX_BITS)
			return "a level of fewer than 2 or more than 2048 entries";
		if (l < g->levels - 1 ? g->bits[l] != g->bits[0] :
		    g->bits[l] > g->bits[0])
			return "levels of different widths below the top, or a wider top";
		span += g->bits[l];
	}
	if (g->va_bits > span || g->va_bits > 63)
		return "an address range beyond the levels' span or 2^63";
	if (g->va_bits <= span - g->bits[g->levels - 1])
		return "an address range within one entry of the top level";
	if (!(g->leaf_levels & 1) || g->leaf_levels >> g->levels)
		return "leaves not at the lowest level, or above the top";
	if (g->pfn_bits < 1 || g->pfn_bits > VMV_SHADOW_MAX_PFN_BITS)
		return "PFNs of more than 52 bits";
	if (g->pfn_bits + g->page_shift > 64)
		return "physical addresses of more than 64 bits";
	return NULL;
}

void vmv_shadow_size_name(unsigned int shift, char *buf)
{
	unsigned int n;

	if (shift < 10 || shift >= 50) {
		buf[0] = '?';
		buf[1] = 0;
		return;
	}
	n = 1U << (shift % 10);
	if (n >= 100)
		*buf++ = '0' + n / 100;
	if (n >= 10)
		*buf++ = '0' + n / 10 % 10;
	*buf++ = '0' + n % 10;
	*buf++ = "kmgt"[shift / 10 - 1];
	*buf = 0;
}

u64 vmv_shadow_limit(const struct vmv_shadow *s)
{
	return s->limit;
}

int vmv_shadow_init(struct vmv_shadow *s, const struct vmv_shadow_geom *g)
{
	unsigned int l;

	if (vmv_shadow_geom_check(g))
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->geom = *g;
	s->levels = g->levels;
	s->page_shift = g->page_shift;
	s->shift[0] = g->page_shift;
	for (l = 0; l < g->levels; l++) {
		s->entries[l] = 1U << g->bits[l];
		s->shift[l + 1] = s->shift[l] + g->bits[l];
		if (g->leaf_levels & (1U << l))
			s->leaf_shifts |= 1ULL << s->shift[l];
	}
	s->bits = g->bits[0];
	s->mask = s->entries[0] - 1;
	s->limit = 1ULL << g->va_bits;
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
	unsigned int level, target, nr, i, at;
	void *node, *wide = NULL;
	u64 *slot = NULL;
	u64 size, e, old;
	bool big;

	if (!vmv_shadow_leaf_size(s, shift))
		return -EINVAL;
	size = 1ULL << shift;
	if ((va & (size - 1)) || va >= s->limit)
		return -EINVAL;
	if ((pfn >> s->geom.pfn_bits) ||
	    (pfn & ((size >> s->page_shift) - 1)))
		return -EINVAL;
	for (target = 0; s->shift[target] != shift; target++)
		;
	big = pfn >> SH_C_PFN_BITS;

	/*
	 * Go down to the node at the target level as far as the path exists:
	 * then node is that node, or NULL when the node at @level is missing
	 * (it and those below it are to be made); slot is the entry that
	 * points to it (NULL for the root).
	 */
	node = s->root;
	level = s->levels - 1;
	at = s->shift[level];
	while (node && level > target) {
		slot = (u64 *)node + ((va >> at) & s->mask);
		if (*slot & SH_LEAF)
			return -EEXIST;
		node = sh_ptr(*slot);
		level--;
		at -= s->bits;
	}

	/* Allocate everything before changing anything. */
	nr = node ? 0 : level - target + 1;
	for (i = 0; i < nr; i++) {
		fresh[i] = vmv_zalloc(sh_node_size(s, level - i, big));
		if (!fresh[i])
			goto nomem;
	}
	if (node && target == 0 && big && !(*slot & SH_WIDE)) {
		wide = vmv_zalloc(sh_node_size(s, 0, true));
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
			slot = sh_slot(s, node, va, level);
	}

	if (wide) {
		sh_pte_convert(s, wide, true, node);
		*slot = sh_child(wide, true);
		sh_node_add(s, 0, true);
		sh_node_free(s, node, 0, false);
		node = wide;
	}

	e = pfn << SH_PFN_SHIFT | (writable ? SH_W : 0) | SH_LEAF;
	if (target == 0) {
		i = (va >> s->page_shift) & s->mask;
		old = sh_pte_get(node, *slot & SH_WIDE, i);
		if (old)
			s->st.leaves[0]--;
		sh_pte_put(node, *slot & SH_WIDE, i, e);
		if (sh_big(old) && !big)
			sh_pte_narrow(s, slot);
	} else {
		slot = sh_slot(s, node, va, target);
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

/*
 * Lookups go down with the shift in a register, one level's width less
 * at each step, as they would with the constant widths of one geometry.
 */
int vmv_shadow_lookup(const struct vmv_shadow *s, u64 va,
		      struct vmv_shadow_leaf *out)
{
	unsigned int level = s->levels - 1, shift = s->shift[level];
	const u64 *dir = s->root;
	u64 e;

	if (!dir || va >= s->limit)
		return -ENOENT;
	for (;;) {
		e = dir[(va >> shift) & s->mask];
		if (!e)
			return -ENOENT;
		if (e & SH_LEAF)
			break;
		shift -= s->bits;
		if (--level == 0) {
			e = sh_pte_get(sh_ptr(e), e & SH_WIDE,
				       (va >> shift) & s->mask);
			if (!e)
				return -ENOENT;
			break;
		}
		dir = sh_ptr(e);
	}
	sh_leaf_decode(s, e, shift, out);
	return 0;
}

u64 vmv_shadow_phys(const struct vmv_shadow_leaf *leaf, u64 va)
{
	u64 mask = (1ULL << leaf->shift) - 1;

	return (leaf->pfn << leaf->page_shift) + (va & mask);
}

void vmv_shadow_stats(const struct vmv_shadow *s, struct vmv_shadow_stats *st)
{
	*st = s->st;
}

/*
 * The entries of a node of @n entries, each mapping 2^@shift bytes, whose
 * first address is @base that overlap [start, end), which must overlap
 * the node.
 */
static void sh_span(unsigned int shift, unsigned int n, u64 base, u64 start,
		    u64 end, unsigned int *first, unsigned int *last)
{
	*first = start > base ? (start - base) >> shift : 0;
	if (end - base > (u64)(n - 1) << shift)
		*last = n - 1;
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

	sh_span(s->page_shift, s->mask + 1, base, start, end, &first, &last);
	for (i = first; i <= last; i++) {
		if (!sh_pte_get(node, wide, i))
			continue;
		sh_pte_put(node, wide, i, 0);
		s->st.leaves[0]--;
	}
	if (sh_pte_empty(s, node, wide))
		return true;
	if (wide)
		sh_pte_narrow(s, slot);
	return false;
}

/* The same for an upper node. */
static bool sh_dir_drop(struct vmv_shadow *s, u64 *dir, unsigned int level,
			u64 base, u64 start, u64 end)
{
	u64 size = 1ULL << s->shift[level];
	unsigned int i, first, last;
	u64 *slot, lo;
	bool empty;

	sh_span(s->shift[level], s->entries[level], base, start, end, &first,
		&last);
	for (i = first; i <= last; i++) {
		slot = &dir[i];
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
	return sh_dir_empty(s, dir, level);
}

void vmv_shadow_invalidate(struct vmv_shadow *s, u64 start, u64 end)
{
	unsigned int top = s->levels - 1;

	if (end > s->limit)
		end = s->limit;
	if (!s->root || start >= end)
		return;
	if (sh_dir_drop(s, s->root, top, 0, start, end)) {
		sh_node_free(s, s->root, top, false);
		s->root = NULL;
	}
}

/* A walk for vmv_shadow_for_each(), or with no @fn, vmv_shadow_count(). */
struct sh_walk {
	const struct vmv_shadow *s;
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

	sh_span(w->s->page_shift, w->s->mask + 1, base, w->start, w->end,
		&first, &last);
	if (!w->fn) {
		w->count += sh_pte_count(node, wide, first, last);
		return 0;
	}
	for (i = first; i <= last; i++) {
		e = sh_pte_get(node, wide, i);
		if (!e)
			continue;
		sh_leaf_decode(w->s, e, w->s->page_shift, &leaf);
		ret = w->fn(w->priv, base + ((u64)i << w->s->page_shift),
			    &leaf);
		if (ret)
			return ret;
	}
	return 0;
}

static int sh_dir_walk(struct sh_walk *w, const u64 *dir, unsigned int level,
		       u64 base)
{
	unsigned int shift = w->s->shift[level], i, first, last;
	struct vmv_shadow_leaf leaf;
	int ret;
	u64 e, lo;

	sh_span(shift, w->s->entries[level], base, w->start, w->end, &first,
		&last);
	for (i = first; i <= last; i++) {
		e = dir[i];
		if (!e)
			continue;
		lo = base + ((u64)i << shift);
		if ((e & SH_LEAF) && !w->fn) {
			w->count++;
			ret = 0;
		} else if (e & SH_LEAF) {
			sh_leaf_decode(w->s, e, shift, &leaf);
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
		.s = s, .start = start, .end = end, .fn = fn, .priv = priv,
	};

	if (w.end > s->limit)
		w.end = s->limit;
	if (!s->root || w.start >= w.end)
		return 0;
	return sh_dir_walk(&w, s->root, s->levels - 1, 0);
}

u64 vmv_shadow_count(const struct vmv_shadow *s, u64 start, u64 end)
{
	struct sh_walk w = { .s = s, .start = start, .end = end };

	if (w.end > s->limit)
		w.end = s->limit;
	if (!s->root || w.start >= w.end)
		return 0;
	sh_dir_walk(&w, s->root, s->levels - 1, 0);
	return w.count;
}

void vmv_shadow_ptes(const struct vmv_shadow *s, u64 va,
		     struct vmv_shadow_ptes *out)
{
	unsigned int level = s->levels - 1, shift = s->shift[level];
	const u64 *dir = s->root;
	u64 e;

	out->node = NULL;
	out->wide = false;
	if (!dir || va >= s->limit)
		return;
	for (;;) {
		e = dir[(va >> shift) & s->mask];
		if (!e || (e & SH_LEAF))
			return;
		shift -= s->bits;
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

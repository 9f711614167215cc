/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shadow: vmview's shadow page table, a radix tree with the geometry of
 * the hardware's page tables (struct vmv_shadow_geom: x86-64's 4 or 5
 * levels of 512 entries, PAE's 4, 512 and 512, 2-level i386's 1024 and
 * 1024, arm64's 4 KiB granule like x86-64's and its 16 KiB granule of
 * 2048 entries a level) that maps a user virtual address to a PFN, a
 * writable bit and a mapping size.  Plain C: builds into the module and into the host tests
 * and fuzzer.  shadow.c documents the node layout.
 *
 * Locking: none inside.  The caller serialises vmv_shadow_set(),
 * vmv_shadow_invalidate() and vmv_shadow_destroy() against every other
 * call on the same table; vmv_shadow_lookup(), vmv_shadow_for_each() and
 * vmv_shadow_stats() may run concurrently with each other.
 *
 * Memory: nodes come from vmv_zalloc() (vmv_types.h decides the GFP
 * flags).  vmv_shadow_set() allocates and can fail with -ENOMEM;
 * vmv_shadow_invalidate() cannot fail but may try one allocation, to
 * shrink a node back to its compact form, and carries on without it, so
 * vmv_zalloc() must be usable wherever the caller invalidates (an MMU
 * notifier: no direct reclaim).  Nothing else allocates.
 */
#ifndef _VMV_SHADOW_H
#define _VMV_SHADOW_H

#include "vmv_types.h"

#define VMV_SHADOW_MAX_LEVELS	5
#define VMV_SHADOW_MAX_BITS	11	/* a node has at most 2048 entries */
#define VMV_SHADOW_MAX_PFN_BITS	52	/* what an entry can hold */

/*
 * Levels of the tree from the bottom, as indexes of struct
 * vmv_shadow_stats.nodes[] and .leaves[] and of the geometry's bits[]:
 * level 0 holds the smallest leaves (pages: 4 KiB, 16 KiB on arm64's
 * 16 KiB granule).  The names are x86-64's levels; a geometry with fewer
 * levels skips the kernel's folded ones (PAE: pte, pmd, pgd; 2-level:
 * pte, pgd; arm64 16 KiB with 3 levels: pte, pmd, pgd).
 */
#define VMV_SHADOW_PTE		0
#define VMV_SHADOW_PMD		1
#define VMV_SHADOW_PUD		2
#define VMV_SHADOW_P4D		3
#define VMV_SHADOW_PGD		4

/**
 * struct vmv_shadow_geom - the shape of a shadow table
 * @page_shift: log2 of the page size, 12 to 16: the lowest level's
 *	leaves are 2^page_shift bytes, PFNs count frames of that size, and
 *	level 0 is indexed by address bits page_shift and up (12 on x86 and
 *	arm64 4 KiB, 14 on arm64 16 KiB; the kernel's PAGE_SHIFT)
 * @levels: 2 to 5
 * @bits: address bits that index each level, from the bottom ([0]: the
 *	lowest, indexed by bits @page_shift and up); 1 to
 *	VMV_SHADOW_MAX_BITS each, the same for every level below the top,
 *	and no more at the top (true of x86, of arm64's 4 KiB and 16 KiB
 *	granules and of RISC-V's)
 * @leaf_levels: bit L set when level L may hold leaves; bit 0 must be
 * @va_bits: addresses below 2^va_bits are mapped: at most the range the
 *	levels span, more than the range of one top-level entry, below 64
 * @pfn_bits: a leaf's PFN is below 2^pfn_bits; at most
 *	VMV_SHADOW_MAX_PFN_BITS, and 64 - @page_shift (a physical address
 *	fits in a u64)
 *
 * The helpers below make the x86 and arm64 ones; the module derives its
 * own from the kernel's constants (mirror.c).
 */
struct vmv_shadow_geom {
	unsigned int page_shift;
	unsigned int levels;
	unsigned int bits[VMV_SHADOW_MAX_LEVELS];
	unsigned int leaf_levels;
	unsigned int va_bits;
	unsigned int pfn_bits;
};

/**
 * vmv_shadow_geom_x86_64() - x86-64's geometry
 * @g: filled in
 * @levels: 4 (user addresses below 2^47) or 5 (below 2^56)
 *
 * 512 entries a level, leaves of 4 KiB, 2 MiB and 1 GiB (levels 0 to
 * 2), PFNs below 2^40 (52-bit physical addresses).
 *
 * Return: 0, or -EINVAL for any other number of levels.
 */
int vmv_shadow_geom_x86_64(struct vmv_shadow_geom *g, unsigned int levels);

/**
 * vmv_shadow_geom_pae() - 32-bit x86 with PAE (Debian's 686-pae)
 * @g: filled in
 * @pfn_bits: PFNs are below 2^@pfn_bits (24 for 36-bit physical
 *	addresses; the kernel's limit is 32, a PFN in an unsigned long)
 *
 * 3 levels: a top node of 4 entries (bits 30-31), pmd and pte nodes of
 * 512; leaves of 4 KiB and 2 MiB; addresses below 4 GiB.
 */
void vmv_shadow_geom_pae(struct vmv_shadow_geom *g, unsigned int pfn_bits);

/**
 * vmv_shadow_geom_2level() - 32-bit x86 without PAE (Debian's 686)
 * @g: filled in
 *
 * 2 levels of 1024 entries (bits 22-31 and 12-21); leaves of 4 KiB and
 * 4 MiB; addresses below 4 GiB, PFNs below 2^20.
 */
void vmv_shadow_geom_2level(struct vmv_shadow_geom *g);

/**
 * vmv_shadow_geom_arm64() - arm64 with a 4 KiB or 16 KiB granule
 * @g: filled in
 * @page_shift: 12 (4 KiB) or 14 (16 KiB); the 64 KiB granule's 8192
 *	entries a table are more than a node holds
 * @va_bits: user addresses are below 2^@va_bits (the kernel's
 *	vabits_actual): more than one level spans (@page_shift +
 *	@page_shift - 3 bits), 52 at most
 * @pfn_bits: PFNs are below 2^@pfn_bits: the physical address bits less
 *	@page_shift (48 - @page_shift, 52 - @page_shift with 52-bit
 *	physical addresses, LPA2)
 *
 * Levels of 2^(@page_shift - 3) entries (8-byte descriptors filling a
 * page), as many as cover @va_bits, the top one with the bits left over
 * (the kernel's ARM64_HW_PGTABLE_LEVELS()).  4 KiB: 9 bits a level, 3
 * levels for 39-bit addresses, 4 for 48, 5 for 52 (LPA2: a top level of
 * 4 bits); leaves of 4 KiB, 2 MiB and 1 GiB (levels 0 to 2).  16 KiB: 11
 * bits a level, 2 levels for 36-bit addresses, 3 for 47, 4 for 48 (a top
 * level of 1 bit) and for 52 (5 bits, at shift 47); leaves of 16 KiB and
 * 32 MiB (levels 0 and 1: Linux makes no 64 GiB block).
 *
 * Return: 0, or -EINVAL for another @page_shift, a @va_bits out of
 * range or a @pfn_bits of 0, above VMV_SHADOW_MAX_PFN_BITS or above
 * 64 - @page_shift.
 */
int vmv_shadow_geom_arm64(struct vmv_shadow_geom *g, unsigned int page_shift,
			  unsigned int va_bits, unsigned int pfn_bits);

/**
 * vmv_shadow_geom_check() - can a shadow table have this geometry?
 * @g: the geometry
 *
 * Return: NULL when it can, otherwise what it cannot hold, in words.
 */
const char *vmv_shadow_geom_check(const struct vmv_shadow_geom *g);

/**
 * struct vmv_shadow_leaf - one mapping of the shadow table
 * @pfn: the first frame the leaf maps (aligned to the leaf's size), in
 *	frames of 2^@page_shift bytes
 * @shift: log2 of the size mapped: 12, 21 or 30 on x86-64, 22 for the
 *	4 MiB leaves of 2-level i386, 14 or 25 on arm64 16 KiB
 * @writable: the mapping allows writes
 * @page_shift: the table's page size (its geometry's page_shift)
 */
struct vmv_shadow_leaf {
	u64 pfn;
	u8 shift;
	bool writable;
	u8 page_shift;
};

/**
 * struct vmv_shadow_stats - what a shadow table holds and costs
 * @nodes: nodes per level, [VMV_SHADOW_PTE] (lowest) up to the top level
 * @wide: lowest-level nodes in their wide (64-bit entry) form
 * @bytes: node memory in use: the sum of the sizes allocated
 * @leaves: leaves per level, [0] the smallest (a page: 4 KiB, or 16 KiB);
 *	the size of level L's leaves is 2^vmv_shadow_shift(s, L)
 */
struct vmv_shadow_stats {
	u64 nodes[VMV_SHADOW_MAX_LEVELS];
	u64 wide;
	u64 bytes;
	u64 leaves[VMV_SHADOW_MAX_LEVELS];
};

/**
 * struct vmv_shadow - a shadow page table
 * @root: the top node, NULL while the table is empty
 * @levels: the geometry's levels
 * @page_shift: the geometry's page_shift: log2 of a level-0 leaf's size
 *	and of a frame's
 * @shift: the lowest address bit that indexes each level ([0] is
 *	@page_shift); [levels] is the bits the whole tree spans
 * @entries: entries in a node of each level
 * @bits: the width of every level below the top
 * @mask: entries[0] - 1, the index mask of every level
 * @limit: 2^va_bits, the end of the range mapped
 * @leaf_shifts: bit N set when 2^N is a leaf size
 * @geom: the geometry the table was made with
 * @st: the counters vmv_shadow_stats() reports
 *
 * Use the functions below; the fields are visible for debugging only.
 */
struct vmv_shadow {
	void *root;
	unsigned int levels;
	unsigned int page_shift;
	u8 shift[VMV_SHADOW_MAX_LEVELS + 1];
	u16 entries[VMV_SHADOW_MAX_LEVELS];
	unsigned int bits;
	unsigned int mask;
	u64 limit;
	u64 leaf_shifts;
	struct vmv_shadow_geom geom;
	struct vmv_shadow_stats st;
};

/**
 * vmv_shadow_init() - make an empty table
 * @s: the table
 * @g: its geometry (copied)
 *
 * Allocates nothing: nodes come with the first vmv_shadow_set().
 *
 * Return: 0, or -EINVAL for a geometry vmv_shadow_geom_check() refuses.
 */
int vmv_shadow_init(struct vmv_shadow *s, const struct vmv_shadow_geom *g);

/**
 * vmv_shadow_shift() - the size of a level's leaves, or its entries' span
 * @s: the table
 * @level: 0 to the levels of the geometry; the levels themselves give
 *	the bits the whole tree spans
 *
 * Return: log2 of the size: on x86-64 12 + 9 * @level, on arm64 16 KiB
 * 14 + 11 * @level.
 */
static inline unsigned int vmv_shadow_shift(const struct vmv_shadow *s,
					    unsigned int level)
{
	return s->shift[level];
}

/**
 * vmv_shadow_leaf_size() - is 2^@shift a leaf size of the table?
 * @s: the table
 * @shift: log2 of a size
 *
 * Return: true when vmv_shadow_set() takes @shift.
 */
static inline bool vmv_shadow_leaf_size(const struct vmv_shadow *s,
					unsigned int shift)
{
	return shift < 64 && ((s->leaf_shifts >> shift) & 1);
}

#define VMV_SHADOW_SIZE_NAME	8

/**
 * vmv_shadow_size_name() - a leaf size as PID/shadow and PID/verify say it
 * @shift: log2 of the size, 10 to 49
 * @buf: VMV_SHADOW_SIZE_NAME bytes, filled with "4k", "2m", "4m", "1g",
 *	"16k", "32m"...
 *	("?" for a @shift out of range)
 */
void vmv_shadow_size_name(unsigned int shift, char *buf);

/**
 * vmv_shadow_destroy() - free every node
 * @s: the table
 *
 * Leaves @s an empty table with the same geometry.
 */
void vmv_shadow_destroy(struct vmv_shadow *s);

/**
 * vmv_shadow_limit() - the end of the address range a table covers
 * @s: the table
 *
 * Return: 2^va_bits: 2^47 for x86-64's 4 levels, 2^56 for 5, 2^32 on i386,
 * 2^48 or 2^52 on arm64 (2^39, 2^36 or 2^47 with fewer levels).
 */
u64 vmv_shadow_limit(const struct vmv_shadow *s);

/**
 * vmv_shadow_set() - map [@va, @va + 2^@shift) to @pfn
 * @s: the table
 * @va: the first address, aligned to the size
 * @pfn: the first frame, below 2^pfn_bits and aligned to the size
 * @shift: the size of a level that may hold leaves: on x86-64 12 (4 KiB),
 *	21 (2 MiB) or 30 (1 GiB); with PAE 12 or 21; without, 12 or 22; on
 *	arm64 16 KiB 14 (16 KiB) or 25 (32 MiB)
 * @writable: the mapping allows writes
 *
 * Whatever lay inside the range before (a leaf of the same size, smaller
 * leaves, whole subtrees) is replaced, and the nodes that held it freed.
 * On failure the table is unchanged.
 *
 * Return: 0; -EINVAL for a @shift that is not a leaf size, an unaligned
 * @va or @pfn, @va out of range or @pfn too large; -EEXIST when the
 * range lies inside a larger leaf; -ENOMEM.
 */
int vmv_shadow_set(struct vmv_shadow *s, u64 va, u64 pfn, unsigned int shift,
		   bool writable);

/**
 * vmv_shadow_lookup() - find the leaf that maps an address
 * @s: the table
 * @va: any address
 * @out: filled with the leaf (its base PFN) when there is one
 *
 * Return: 0, or -ENOENT when nothing maps @va.
 */
int vmv_shadow_lookup(const struct vmv_shadow *s, u64 va,
		      struct vmv_shadow_leaf *out);

/**
 * vmv_shadow_phys() - translate an address through a leaf
 * @leaf: a leaf from vmv_shadow_lookup() for @va
 * @va: the address
 *
 * Return: the physical address, (pfn << page_shift) + (@va's offset in
 * the leaf).
 */
u64 vmv_shadow_phys(const struct vmv_shadow_leaf *leaf, u64 va);

/**
 * vmv_shadow_invalidate() - drop every leaf that overlaps [@start, @end)
 * @s: the table
 * @start: the first address, any alignment
 * @end: the address after the last, any alignment; clamped to the range
 *
 * A huge leaf that only partly overlaps is dropped whole.  Nodes left
 * empty are freed (the root too).  Cost grows with the nodes that exist
 * in the range, not with its span.  Cannot fail.
 */
void vmv_shadow_invalidate(struct vmv_shadow *s, u64 start, u64 end);

/**
 * vmv_shadow_stats() - read the counters
 * @s: the table
 * @st: filled with nodes per level, bytes and leaves per level
 */
void vmv_shadow_stats(const struct vmv_shadow *s, struct vmv_shadow_stats *st);

/**
 * typedef vmv_shadow_fn - what vmv_shadow_for_each() calls for each leaf
 * @priv: the caller's pointer
 * @va: the leaf's first address
 * @leaf: the leaf
 *
 * Return: 0 to go on, anything else to stop the walk with that value.
 */
typedef int (*vmv_shadow_fn)(void *priv, u64 va,
			     const struct vmv_shadow_leaf *leaf);

/**
 * vmv_shadow_for_each() - call @fn for each leaf overlapping [@start, @end)
 * @s: the table
 * @start: the first address, any alignment
 * @end: the address after the last, any alignment; clamped to the range
 * @fn: called in ascending address order; must not change the table
 * @priv: passed to @fn
 *
 * Empty subtrees are skipped: the cost grows with what is mapped.
 *
 * Return: 0 after the last leaf, or the first non-zero value @fn returned.
 */
int vmv_shadow_for_each(const struct vmv_shadow *s, u64 start, u64 end,
			vmv_shadow_fn fn, void *priv);

/**
 * vmv_shadow_count() - how many leaves overlap [@start, @end)
 * @s: the table
 * @start: the first address, any alignment
 * @end: the address after the last, any alignment; clamped to the range
 *
 * What vmv_shadow_for_each() would call its @fn for, counted without a
 * call per leaf (a lowest-level node is one scan of its entries).
 *
 * Return: the number of those leaves.
 */
u64 vmv_shadow_count(const struct vmv_shadow *s, u64 start, u64 end);

/**
 * struct vmv_shadow_ptes - the lowest-level node that covers a range
 * @node: the node, NULL when the range holds no page-sized leaves; it
 *	covers 2^vmv_shadow_shift(s, 1) bytes (2 MiB, 4 MiB without PAE,
 *	32 MiB on arm64 16 KiB)
 * @wide: the node holds 64-bit entries
 *
 * For comparing a whole page table at once (see vmv_shadow_pte()).
 */
struct vmv_shadow_ptes {
	const void *node;
	bool wide;
};

/**
 * vmv_shadow_ptes() - find the lowest-level node that covers @va
 * @s: the table
 * @va: any address
 * @out: the node; out->node is NULL when there is none
 */
void vmv_shadow_ptes(const struct vmv_shadow *s, u64 va,
		     struct vmv_shadow_ptes *out);

/**
 * vmv_shadow_pte() - read one page leaf of a node from vmv_shadow_ptes()
 * @p: the node
 * @i: the index in it: the address bits that index level 0 (12-20,
 *	12-21 without PAE, 14-24 on arm64 16 KiB; the kernel's pte_index())
 * @pfn: the frame, when there is a leaf
 * @writable: its writable bit
 *
 * Return: true when the entry is a leaf.
 */
bool vmv_shadow_pte(const struct vmv_shadow_ptes *p, unsigned int i,
		    u64 *pfn, bool *writable);

#endif /* _VMV_SHADOW_H */

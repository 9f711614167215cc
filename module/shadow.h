/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shadow: vmview's shadow page table, a radix tree with x86-64's geometry
 * (4 or 5 levels, 512 entries a node, 4 KiB, 2 MiB and 1 GiB leaves) that
 * maps a user virtual address to a PFN, a writable bit and a mapping size.
 * Plain C: builds into the module and into the host tests and fuzzer.
 * shadow.c documents the node layout.
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
#define VMV_SHADOW_PFN_BITS	40	/* a leaf's PFN is below 2^40 */

/* Levels of the tree, as indexes of struct vmv_shadow_stats.nodes[]. */
#define VMV_SHADOW_PTE		0
#define VMV_SHADOW_PMD		1
#define VMV_SHADOW_PUD		2
#define VMV_SHADOW_P4D		3
#define VMV_SHADOW_PGD		4

/* Leaf sizes, as indexes of struct vmv_shadow_stats.leaves[]. */
#define VMV_SHADOW_4K		0
#define VMV_SHADOW_2M		1
#define VMV_SHADOW_1G		2
#define VMV_SHADOW_NR_SIZES	3

/**
 * struct vmv_shadow_leaf - one mapping of the shadow table
 * @pfn: the first frame the leaf maps (aligned to the leaf's size)
 * @shift: log2 of the size mapped: 12, 21 or 30
 * @writable: the mapping allows writes
 */
struct vmv_shadow_leaf {
	u64 pfn;
	u8 shift;
	bool writable;
};

/**
 * struct vmv_shadow_stats - what a shadow table holds and costs
 * @nodes: nodes per level, [VMV_SHADOW_PTE] (lowest) to [VMV_SHADOW_PGD]
 * @wide: lowest-level nodes in their wide (64-bit entry) form
 * @bytes: node memory in use: the sum of the sizes allocated
 * @leaves: leaves per size, [VMV_SHADOW_4K], [VMV_SHADOW_2M], [VMV_SHADOW_1G]
 */
struct vmv_shadow_stats {
	u64 nodes[VMV_SHADOW_MAX_LEVELS];
	u64 wide;
	u64 bytes;
	u64 leaves[VMV_SHADOW_NR_SIZES];
};

struct vmv_shadow_dir;

/**
 * struct vmv_shadow - a shadow page table
 * @root: the top node, NULL while the table is empty
 * @levels: 4 or 5
 * @st: the counters vmv_shadow_stats() reports
 *
 * Use the functions below; the fields are visible for debugging only.
 */
struct vmv_shadow {
	struct vmv_shadow_dir *root;
	unsigned int levels;
	struct vmv_shadow_stats st;
};

/**
 * vmv_shadow_init() - make an empty table
 * @s: the table
 * @levels: 4 (user addresses below 2^47) or 5 (below 2^56)
 *
 * Allocates nothing: nodes come with the first vmv_shadow_set().
 *
 * Return: 0, or -EINVAL for any other number of levels.
 */
int vmv_shadow_init(struct vmv_shadow *s, unsigned int levels);

/**
 * vmv_shadow_destroy() - free every node
 * @s: the table
 *
 * Leaves @s an empty table with the same number of levels.
 */
void vmv_shadow_destroy(struct vmv_shadow *s);

/**
 * vmv_shadow_limit() - the end of the address range a table covers
 * @s: the table
 *
 * Return: 2^47 for 4 levels, 2^56 for 5.
 */
u64 vmv_shadow_limit(const struct vmv_shadow *s);

/**
 * vmv_shadow_set() - map [@va, @va + 2^@shift) to @pfn
 * @s: the table
 * @va: the first address, aligned to the size
 * @pfn: the first frame, below 2^40 and aligned to the size
 * @shift: 12 (4 KiB), 21 (2 MiB) or 30 (1 GiB)
 * @writable: the mapping allows writes
 *
 * Whatever lay inside the range before (a leaf of the same size, smaller
 * leaves, whole subtrees) is replaced, and the nodes that held it freed.
 * On failure the table is unchanged.
 *
 * Return: 0; -EINVAL for a bad @shift, an unaligned @va or @pfn, @va out
 * of range or @pfn too large; -EEXIST when the range lies inside a larger
 * leaf; -ENOMEM.
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
 * Return: the physical address, (pfn << 12) + (@va's offset in the leaf).
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
 * @st: filled with nodes per level, bytes and leaves per size
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
 */
u64 vmv_shadow_count(const struct vmv_shadow *s, u64 start, u64 end);

/**
 * struct vmv_shadow_ptes - the lowest-level node that covers a 2 MiB range
 * @node: the node, NULL when the range holds no 4 KiB leaves
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
 * vmv_shadow_pte() - read one 4 KiB leaf of a node from vmv_shadow_ptes()
 * @p: the node
 * @i: the index in it (bits 12..20 of the address)
 * @pfn: the frame, when there is a leaf
 * @writable: its writable bit
 *
 * Return: true when the entry is a leaf.
 */
bool vmv_shadow_pte(const struct vmv_shadow_ptes *p, unsigned int i,
		    u64 *pfn, bool *writable);

#endif /* _VMV_SHADOW_H */

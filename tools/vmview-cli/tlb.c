// SPDX-License-Identifier: GPL-2.0
/*
 * tlb.c: what the CPU says about its TLBs, decoded from the registers
 * of CPUID (plain C: the instruction itself is cpu.c's), the reach the
 * entries give, and the entries a process's mapping needs.
 *
 * Three sources, each a function that takes the registers as CPUID
 * returned them (so that the host tests can give known values):
 *  - leaf 0x2 (Intel SDM vol. 2, CPUID, table 3-12): one-byte
 *    descriptors.  Only the data and shared second-level TLB descriptors
 *    are kept, and only those whose meaning is certain (the ones the
 *    kernel's own table has, arch/x86/kernel/cpu/intel.c); 0xff says
 *    "see leaf 0x18", any other byte is ignored.
 *  - leaf 0x18, deterministic address translation parameters: per
 *    subleaf a TLB's type and level, the page sizes it holds, and ways
 *    times sets entries.
 *  - AMD's leaves 0x80000005 (L1), 0x80000006 (L2) and 0x80000019 (1G
 *    pages): entry counts in fixed fields; an associativity of 0 means
 *    there is no such TLB.
 * Where two sources or descriptors name the same TLB and page size, the
 * larger count wins (as the kernel merges them).
 *
 * A process's needs are counted from its present leaves (one entry a
 * leaf, huge or not; tlb_report.c reads them from vmview's ptes) or,
 * without the module, from smaps: Rss in base pages, but the PMD-mapped
 * AnonHugePages, ShmemPmdMapped and FilePmdMapped in huge pages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

const char * const vmv_tlb_size_names[VMV_TLB_NR_SIZES] = {
	[VMV_TLB_4K] = "4K", [VMV_TLB_2M] = "2M", [VMV_TLB_4M] = "4M",
	[VMV_TLB_1G] = "1G",
};

const uint64_t vmv_tlb_size_bytes[VMV_TLB_NR_SIZES] = {
	[VMV_TLB_4K] = 4ULL << 10, [VMV_TLB_2M] = 2ULL << 20,
	[VMV_TLB_4M] = 4ULL << 20, [VMV_TLB_1G] = 1ULL << 30,
};

/* Page sizes of a descriptor, as bits of 1 << enum vmv_tlb_size. */
#define S4K	(1U << VMV_TLB_4K)
#define S2M	(1U << VMV_TLB_2M)
#define S4M	(1U << VMV_TLB_4M)
#define S1G	(1U << VMV_TLB_1G)

static const struct {
	uint8_t desc;
	uint8_t level;		/* 1: data TLB, 2: shared second level */
	uint8_t sizes;
	uint16_t entries;
} leaf2[] = {
	{ 0x03, 1, S4K, 64 },		/* 4-way */
	{ 0x04, 1, S4M, 8 },		/* 4-way */
	{ 0x05, 1, S4M, 32 },		/* DTLB1, 4-way */
	{ 0x56, 1, S4M, 16 },		/* DTLB0, 4-way */
	{ 0x57, 1, S4K, 16 },		/* DTLB0, 4-way */
	{ 0x59, 1, S4K, 16 },		/* DTLB0, fully associative */
	{ 0x5a, 1, S2M | S4M, 32 },	/* DTLB0, 4-way */
	{ 0x5b, 1, S4K | S4M, 64 },
	{ 0x5c, 1, S4K | S4M, 128 },
	{ 0x5d, 1, S4K | S4M, 256 },
	{ 0x63, 1, S2M | S4M, 32 },	/* and 4 1G entries, below */
	{ 0x63, 1, S1G, 4 },
	{ 0x6b, 1, S4K, 256 },		/* 8-way */
	{ 0x6c, 1, S2M | S4M, 128 },	/* 8-way */
	{ 0x6d, 1, S1G, 16 },		/* fully associative */
	{ 0xb3, 1, S4K, 128 },		/* 4-way */
	{ 0xb4, 1, S4K, 256 },		/* DTLB1, 4-way */
	{ 0xba, 1, S4K, 64 },		/* DTLB1, 4-way */
	{ 0xc0, 1, S4K | S4M, 8 },	/* 4-way */
	{ 0xc1, 2, S4K | S2M, 1024 },	/* STLB, 8-way */
	{ 0xc2, 1, S2M | S4M, 16 },	/* 4-way */
	{ 0xca, 2, S4K, 512 },		/* STLB, 4-way */
};

static void merge(struct vmv_tlb_info *t, int level, unsigned int sizes,
		  unsigned int entries, const char *source)
{
	unsigned int *row = level == 1 ? t->l1d : t->l2;
	int s;

	if (!entries || !sizes)
		return;
	for (s = 0; s < VMV_TLB_NR_SIZES; s++)
		if ((sizes & (1U << s)) && row[s] < entries)
			row[s] = entries;
	if (!t->known || !strstr(t->source, source))
		snprintf(t->source + strlen(t->source),
			 sizeof(t->source) - strlen(t->source), "%s%s",
			 t->known ? ", " : "", source);
	t->known = true;
}

/* One descriptor byte of leaf 0x2. */
static void leaf2_byte(struct vmv_tlb_info *t, uint8_t b)
{
	size_t i;

	if (b == 0xff)
		t->leaf2_says_leaf18 = true;
	for (i = 0; i < ARRAY_SIZE(leaf2); i++)
		if (leaf2[i].desc == b)
			merge(t, leaf2[i].level, leaf2[i].sizes,
			      leaf2[i].entries, "CPUID leaf 0x2");
}

void vmv_tlb_leaf2(struct vmv_tlb_info *t, const uint32_t r[4])
{
	int i, k;

	for (i = 0; i < 4; i++) {
		if (r[i] & (1U << 31))		/* no valid descriptors */
			continue;
		/* AL is the count of calls, not a descriptor */
		for (k = i ? 0 : 1; k < 4; k++)
			leaf2_byte(t, r[i] >> (8 * k) & 0xff);
	}
}

/*
 * One subleaf of leaf 0x18: EDX[4:0] the type (1 data, 3 unified, 4
 * load-only, 5 store-only; 2 instruction, 0 none), EDX[7:5] the level;
 * EBX[3:0] the page sizes (4K, 2M, 4M, 1G), EBX[31:16] the ways; ECX
 * the sets.  Returns false for a null subleaf (type 0).
 */
bool vmv_tlb_leaf18(struct vmv_tlb_info *t, const uint32_t r[4])
{
	unsigned int type = r[3] & 0x1f, level = r[3] >> 5 & 0x7;
	unsigned int ways = r[1] >> 16, sets = r[2];
	unsigned int sizes = r[1] & 0xf;

	if (!type)
		return false;
	if (type == 2 || level < 1 || level > 2)
		return true;
	merge(t, level, sizes, ways * sets, "CPUID leaf 0x18");
	return true;
}

/*
 * AMD: 0x80000005 EAX[23:16] L1 data TLB 2M entries (EAX[31:24] its
 * associativity), EBX[23:16] 4K entries; 0x80000006 EAX[27:16] L2 data
 * TLB 2M entries (EAX[31:28] associativity, 0: none), EBX[27:16] 4K;
 * 0x80000019 EAX[27:16] L1 data TLB 1G entries, EBX[27:16] L2.  A
 * leaf the CPU lacks is passed as NULL.
 */
void vmv_tlb_amd(struct vmv_tlb_info *t, const uint32_t *l5,
		 const uint32_t *l6, const uint32_t *l19)
{
	const char *src = "CPUID 0x80000005/6";

	if (l5) {
		if (l5[0] >> 24)
			merge(t, 1, S2M | S4M, l5[0] >> 16 & 0xff, src);
		if (l5[1] >> 24)
			merge(t, 1, S4K, l5[1] >> 16 & 0xff, src);
	}
	if (l6) {
		if (l6[0] >> 28)
			merge(t, 2, S2M | S4M, l6[0] >> 16 & 0xfff, src);
		if (l6[1] >> 28)
			merge(t, 2, S4K, l6[1] >> 16 & 0xfff, src);
	}
	if (l19) {
		if (l19[0] >> 28)
			merge(t, 1, S1G, l19[0] >> 16 & 0xfff, "CPUID 0x80000019");
		if (l19[1] >> 28)
			merge(t, 2, S1G, l19[1] >> 16 & 0xfff, "CPUID 0x80000019");
	}
}

/* What entries of a page size cover: entries * size. */
uint64_t vmv_tlb_reach(unsigned int entries, enum vmv_tlb_size size)
{
	return (uint64_t)entries * vmv_tlb_size_bytes[size];
}

/*
 * A present leaf, counted into a process's needs: one entry as mapped
 * now, its size in base pages if every page were base-sized.
 */
void vmv_tlb_need_add(struct vmv_tlb_need *n, uint64_t leaf_bytes,
		      uint64_t base_page)
{
	n->entries++;
	n->base_entries += leaf_bytes / base_page;
	if (leaf_bytes > base_page) {
		n->huge_leaves++;
		n->huge_bytes += leaf_bytes;
	}
	n->bytes += leaf_bytes;
}

/* "Key:   123 kB" of a smaps text, in bytes (0 when absent). */
static uint64_t smaps_kb(const char *text, const char *key)
{
	size_t klen = strlen(key);
	uint64_t sum = 0;
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			sum += strtoull(p + klen + 1, NULL, 10) << 10;
	return sum;
}

/*
 * From a smaps or smaps_rollup file: every resident byte in base pages,
 * but the PMD-mapped ones in huge pages.  Returns 0 or -errno.
 */
int vmv_tlb_need_of_smaps(const char *path, struct vmv_tlb_need *n,
			  uint64_t base_page, uint64_t huge_page)
{
	uint64_t rss, huge;
	char *text;
	int ret;

	memset(n, 0, sizeof(*n));
	ret = vmv_read_path(path, &text, NULL);
	if (ret)
		return ret;
	rss = smaps_kb(text, "Rss");
	huge = smaps_kb(text, "AnonHugePages") +
	       smaps_kb(text, "ShmemPmdMapped") +
	       smaps_kb(text, "FilePmdMapped");
	free(text);
	if (huge > rss)
		huge = rss;
	n->huge_leaves = huge_page ? huge / huge_page : 0;
	n->huge_bytes = n->huge_leaves * huge_page;
	n->bytes = rss;
	n->base_entries = rss / base_page;
	n->entries = (rss - n->huge_bytes) / base_page + n->huge_leaves;
	return 0;
}

// units: arch/x86/decode.c fmt.c
/*
 * The fast formatting paths (the two-digit hex table after
 * vmv_fmt_init(), the cached line tail) give exactly the lines the plain
 * path gives, for every kind of entry, in any order.
 */
#include "unit.h"
#include "fmt.h"

unsigned long vmv_host_fail_after, vmv_host_allocs;

static const struct vmv_layout l612 = {
	.max_swapfiles = 27, .type_hwpoison = 27,
	.type_migration_read = 28, .type_migration_read_exclusive = 29,
	.type_migration_write = 30, .type_marker = 31,
	.type_device_private_read = VMV_NO_TYPE,
	.type_device_private_write = VMV_NO_TYPE,
	.type_device_exclusive_read = VMV_NO_TYPE,
	.type_device_exclusive_write = VMV_NO_TYPE,
	.type_swapin_error = VMV_NO_TYPE, .swp_pfn_bits = 40,
	.devmap_mask = 1ULL << 57, .saved_dirty_mask = 1ULL << 58,
	VMV_X86_64_ENTRIES,
};

#define GUARD	'#'

static uint64_t rng = 88172645463325252ULL;

static u64 next(void)
{
	return unit_xorshift(&rng);
}

UNIT_TEST(cached_lines_equal_plain_lines)
{
	struct vmv_fmt_cache cache = { 0 };
	char a[VMV_PTE_LINE_MAX], b[VMV_PTE_LINE_MAX];
	int i, hits = 0;

	vmv_fmt_init();
	vmv_decode_init();
	for (i = 0; i < 20000; i++) {
		/* Runs of similar entries, as in a real table. */
		u64 e = (i % 7 == 0) ? next() : (0x8000000000000867ULL |
			((u64)(i & 0xfffff) << 12));
		struct vmv_page_info pi = {
			.valid = next() & 1, .flags = (i / 64) & 0x3fff,
			.order = (i / 128) & 9, .mapcount = (int)(i / 256) - 2,
			.lru_gen = (i / 512) % 5,
		};
		enum vmview_level level = (enum vmview_level)(i % 3);
		struct vmv_decoded d;
		size_t na, nb;

		vmv_decode(&l612, e, level, &d);
		na = vmv_fmt_pte(a, (u64)i << 12, level, e, &d, &pi);
		nb = vmv_fmt_pte_cached(&cache, b, (u64)i << 12, level, e, &d,
					&pi);
		ASSERT(na == nb && !memcmp(a, b, na));
		hits += i && cache.valid;
	}
	EXPECT(hits > 0);
}

/*
 * A dump's inline line for present PTEs (vmv_fmt_present_pte(), 8-byte
 * stores) against the plain formatter: the same bytes for frames of
 * every width, every vaddr, entries with every low bit, random page
 * info, and a cache shared with the plain path; it writes at most 7
 * bytes past the line and never past VMV_PTE_LINE_MAX.
 */
UNIT_TEST(present_lines_equal_plain_lines)
{
	struct vmv_fmt_cache cache = { 0 }, cache2 = { 0 };
	char a[VMV_PTE_LINE_MAX], b[VMV_PTE_LINE_MAX + 8];
	int i, j;

	vmv_fmt_init();
	vmv_decode_init();
	for (i = 0; i < 200000; i++) {
		unsigned int bits = (i % 41);	/* frame width 0..40 bits */
		u64 pfn = bits ? (next() >> (64 - bits)) : 0;
		u64 e = (next() & 0xfe00000000000ffeULL) | 1 |
			(pfn & ((1ULL << 40) - 1)) << 12;
		u64 vaddr = (i & 1) ? (u64)i << 12 : next() & ~0xfffULL;
		struct vmv_page_info pi = {
			.valid = (i / 3) & 1, .flags = (i / 64) & 0x3fff,
			.order = (i / 128) & 9,
			.mapcount = (i % 5 == 0) ? (int)next() :
						   (int)(i / 256) - 2,
			.lru_gen = (i % 7 == 0) ? (int)(next() % 5) : (i / 512) % 5,
		};
		u32 flags = vmv_pte_present_flags(&l612, e);
		struct vmv_decoded d;
		size_t na, nb;

		if (i % 11 == 0)
			e &= ~0xfe00000000000000ULL;
		flags = vmv_pte_present_flags(&l612, e);
		vmv_decode(&l612, e, VMVIEW_LEVEL_PTE, &d);
		na = (i & 2) ? vmv_fmt_pte(a, vaddr, VMVIEW_LEVEL_PTE, e, &d, &pi)
			     : vmv_fmt_pte_cached(&cache2, a, vaddr,
						  VMVIEW_LEVEL_PTE, e, &d, &pi);
		memset(b, GUARD, sizeof(b));
		nb = vmv_fmt_present_pte((i % 3) ? &cache : &cache2, b, vaddr,
					 e, vmv_pte_pfn(&l612, e), flags, &pi);
		ASSERT(d.kind == VMVIEW_KIND_PRESENT);
		if (na != nb || memcmp(a, b, na))
			UNIT_FAIL("entry 0x%016llx vaddr 0x%llx:\n  %.*s  %.*s",
				  (unsigned long long)e,
				  (unsigned long long)vaddr, (int)na, a,
				  (int)nb, b);
		ASSERT(na == nb && !memcmp(a, b, na));
		for (j = nb + 7; j < (int)sizeof(b); j++)
			ASSERT(b[j] == GUARD);
	}
}

UNIT_MAIN()

// SPDX-License-Identifier: GPL-2.0
// units: arch/x86/decode.c fmt.c
/*
 * Host unit tests for module/fmt.c: the small formatters and whole ptes
 * lines, compared with lines written by hand from the contract in
 * fmt.h and Documentation/vmview.rst (PID/ptes):
 *
 *   VADDR LEVEL ENTRY KIND pfn=PFN [swap=TYPE:OFFSET] flags=F,...
 *         [page=P,... order=N mapcount=N [gen=G]]
 */
#include <limits.h>

#include "unit.h"
#include "fmt.h"

unsigned long vmv_host_fail_after, vmv_host_allocs;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define F(x)	VMV_FLAG(VMVIEW_F_##x)
#define P(x)	VMV_FLAG(VMVIEW_P_##x)

/* ---- vmv_fmt_hex, vmv_fmt_dec ---- */

#define GUARD	'#'

/*
 * The helpers return what they wrote: no "0x", no NUL; the byte after
 * the returned length stays untouched.
 */
static void check_piece(int line, const char *what, char *buf, size_t len,
			const char *want)
{
	if (len != strlen(want) || memcmp(buf, want, len))
		UNIT_FAIL("line %d: %s gave \"%.*s\" (%zu), want \"%s\"",
			  line, what, (int)(len < 64 ? len : 64), buf, len,
			  want);
	else if (buf[len] != GUARD)
		UNIT_FAIL("line %d: %s wrote past its length %zu", line,
			  what, len);
}

#define HEX(v, min, want)						\
	do {								\
		char b_[40];						\
		size_t n_;						\
									\
		memset(b_, GUARD, sizeof(b_));				\
		n_ = vmv_fmt_hex(b_, (v), (min));			\
		check_piece(__LINE__, "vmv_fmt_hex(" #v ", " #min ")",	\
			    b_, n_, (want));				\
	} while (0)

#define DEC(v, want)							\
	do {								\
		char b_[40];						\
		size_t n_;						\
									\
		memset(b_, GUARD, sizeof(b_));				\
		n_ = vmv_fmt_dec(b_, (v));				\
		check_piece(__LINE__, "vmv_fmt_dec(" #v ")", b_, n_,	\
			    (want));					\
	} while (0)

UNIT_TEST(fmt_hex)
{
	HEX(0, 0, "0");
	HEX(0, 1, "0");
	HEX(0, 4, "0000");
	HEX(0, 16, "0000000000000000");
	HEX(1, 0, "1");
	HEX(0xf, 0, "f");
	HEX(0x10, 0, "10");
	HEX(0x12345, 0, "12345");
	HEX(0x12345, 3, "12345");
	HEX(0x12345, 5, "12345");
	HEX(0x12345, 8, "00012345");
	HEX(0xabcdef, 0, "abcdef");
	HEX(0x7f1234560000ULL, 16, "00007f1234560000");
	HEX(0x8000000000000000ULL, 0, "8000000000000000");
	HEX(0x8000000012345867ULL, 16, "8000000012345867");
	HEX(0x0123456789abcdefULL, 0, "123456789abcdef");
	HEX(~0ULL, 0, "ffffffffffffffff");
	HEX(~0ULL, 16, "ffffffffffffffff");
	HEX(~0ULL, 4, "ffffffffffffffff");
}

UNIT_TEST(fmt_dec)
{
	DEC(0, "0");
	DEC(1, "1");
	DEC(9, "9");
	DEC(10, "10");
	DEC(255, "255");
	DEC(1000, "1000");
	DEC(1234567890, "1234567890");
	DEC(2147483647, "2147483647");
	DEC(10000000000000000000ULL, "10000000000000000000");
	DEC(~0ULL, "18446744073709551615");
}

/* ---- vmv_fmt_names ---- */

#define NAMES(mask, names, nr, want)					\
	do {								\
		char b_[400];						\
		size_t n_;						\
									\
		memset(b_, GUARD, sizeof(b_));				\
		n_ = vmv_fmt_names(b_, (mask), (names), (nr));		\
		check_piece(__LINE__, "vmv_fmt_names(" #mask ")", b_,	\
			    n_, (want));				\
	} while (0)

UNIT_TEST(fmt_names)
{
	static const char * const abc[] = { "a", "bb", "ccc", "dddd" };

	NAMES(0, abc, 4, "-");
	NAMES(0x1, abc, 4, "a");
	NAMES(0x8, abc, 4, "dddd");
	NAMES(0x5, abc, 4, "a,ccc");
	NAMES(0xa, abc, 4, "bb,dddd");
	NAMES(0xf, abc, 4, "a,bb,ccc,dddd");
	/* bits at and above nr name nothing */
	NAMES(0x10, abc, 4, "-");
	NAMES(0xfffffff0, abc, 4, "-");
	NAMES(0x18, abc, 4, "dddd");
	NAMES(0xc, abc, 3, "ccc");
	NAMES(0xf, abc, 0, "-");

	/* the real tables, in bit order whatever the mask's history */
	NAMES(F(NX) | F(PRESENT) | F(DIRTY), vmv_flag_names, VMVIEW_NR_FLAGS,
	      "present,dirty,nx");
	NAMES(F(EXCLUSIVE) | F(SOFTDIRTY) | F(UFFD_WP), vmv_flag_names,
	      VMVIEW_NR_FLAGS, "softdirty,uffd-wp,exclusive");
	NAMES((1U << VMVIEW_NR_FLAGS) - 1, vmv_flag_names, VMVIEW_NR_FLAGS,
	      "present,rw,user,pwt,pcd,accessed,dirty,pse,pat,global,nx,"
	      "softdirty,special,uffd-wp,devmap,protnone,exclusive");
	NAMES((1U << VMVIEW_NR_PFLAGS) - 1, vmv_page_flag_names,
	      VMVIEW_NR_PFLAGS,
	      "anon,file,ksm,zero,lru,active,referenced,unevictable,"
	      "mlocked,swapcache,swapbacked,dirty,writeback,large");
	NAMES(P(LARGE) | P(ANON) | P(SWAPBACKED), vmv_page_flag_names,
	      VMVIEW_NR_PFLAGS, "anon,swapbacked,large");
}

UNIT_TEST(page_flag_names)
{
	EXPECT_EQ(VMVIEW_NR_PFLAGS, 14);
	EXPECT_NAME_LIST(vmv_page_flag_names, VMVIEW_NR_PFLAGS,
			 "anon,file,ksm,zero,lru,active,referenced,unevictable,"
			 "mlocked,swapcache,swapbacked,dirty,writeback,large");
}

/* ---- vmv_fmt_pte ---- */

/*
 * Format into a heap buffer of exactly VMV_PTE_LINE_MAX bytes (ASan
 * catches any write past it) and compare with want.  fmt.h promises the
 * line and its length, no NUL: the first n bytes must be want (so n is
 * strlen(want)), ending with the line's only newline.
 */
static void check_line(int line, int idx, u64 vaddr, enum vmview_level level,
		       u64 entry, const struct vmv_decoded *d,
		       const struct vmv_page_info *pi, const char *want)
{
	char *buf = malloc(VMV_PTE_LINE_MAX);
	size_t n;

	if (!buf) {
		UNIT_FAIL("line %d: out of memory", line);
		return;
	}
	memset(buf, GUARD, VMV_PTE_LINE_MAX);
	n = vmv_fmt_pte(buf, vaddr, level, entry, d, pi);
	if (n > VMV_PTE_LINE_MAX)
		UNIT_FAIL("line %d case %d: length %zu, max %d", line, idx, n,
			  VMV_PTE_LINE_MAX);
	else if (n != strlen(want) || memcmp(buf, want, n))
		UNIT_FAIL("line %d case %d:\n#     got  \"%.*s\" (%zu)\n"
			  "#     want \"%s\" (%zu)", line, idx, (int)n, buf, n,
			  want, strlen(want));
	free(buf);
}

#define LINE(vaddr, level, entry, d, pi, want)				\
	check_line(__LINE__, 0, (vaddr), (level), (entry), (d), (pi), (want))

/* One line to format: where, what entry, decoded as d, and the page. */
struct line_case {
	u64 vaddr;
	enum vmview_level level;
	u64 entry;
	struct vmv_decoded d;
	const struct vmv_page_info *pi;
	const char *want;
};

#define LINES(cases)	check_lines(__LINE__, (cases), ARRAY_SIZE(cases))

static void check_lines(int line, const struct line_case *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		check_line(line, i, c[i].vaddr, c[i].level, c[i].entry,
			   &c[i].d, c[i].pi, c[i].want);
}

/* 0x867: present, rw, user, accessed, dirty, softdirty (bit 11), nx */
static const struct vmv_decoded d_867 = {
	.kind = VMVIEW_KIND_PRESENT, .pfn = 0x12345,
	.flags = F(PRESENT) | F(RW) | F(USER) | F(ACCESSED) | F(DIRTY) |
		 F(SOFTDIRTY) | F(NX),
	.page_shift = 12, .writable = true,
};

UNIT_TEST(pte_line_present_with_page)
{
	const struct vmv_page_info pi = {
		.valid = true, .flags = P(ANON) | P(LRU) | P(SWAPBACKED),
		.order = 0, .mapcount = 1,
	};

	LINE(0x7f1234560000ULL, VMVIEW_LEVEL_PTE, 0x8000000012345867ULL,
	     &d_867, &pi,
	     "0x00007f1234560000 pte 0x8000000012345867 present pfn=0x12345"
	     " flags=present,rw,user,accessed,dirty,nx,softdirty"
	     " page=anon,lru,swapbacked order=0 mapcount=1\n");
}

/*
 * MGLRU: a folio on one of its lists has gen= (the generation, one less
 * than what the flags word stores); lru_gen 0 (not on an MGLRU list:
 * MGLRU off or not built) leaves the field out, it is never gen=0 for
 * "none".  Without page info there is no gen= either.
 */
UNIT_TEST(pte_line_mglru_gen)
{
	static const char head[] =
		"0x00007f1234560000 pte 0x8000000012345867 present pfn=0x12345"
		" flags=present,rw,user,accessed,dirty,nx,softdirty"
		" page=anon,lru,swapbacked order=0 mapcount=1";
	struct vmv_page_info pi = {
		.valid = true, .flags = P(ANON) | P(LRU) | P(SWAPBACKED),
		.order = 0, .mapcount = 1,
	};
	char want[VMV_PTE_LINE_MAX];
	unsigned int g;

	for (g = 0; g <= 4; g++) {
		pi.lru_gen = g;
		if (g)
			snprintf(want, sizeof(want), "%s gen=%u\n", head, g - 1);
		else
			snprintf(want, sizeof(want), "%s\n", head);
		LINE(0x7f1234560000ULL, VMVIEW_LEVEL_PTE,
		     0x8000000012345867ULL, &d_867, &pi, want);
	}
	pi.valid = false;
	pi.lru_gen = 2;
	LINE(0x7f1234560000ULL, VMVIEW_LEVEL_PTE, 0x8000000012345867ULL,
	     &d_867, &pi,
	     "0x00007f1234560000 pte 0x8000000012345867 present pfn=0x12345"
	     " flags=present,rw,user,accessed,dirty,nx,softdirty\n");
}

/* The cached tail follows a change of generation alone. */
UNIT_TEST(pte_line_gen_cache)
{
	struct vmv_fmt_cache cache = { 0 };
	struct vmv_page_info pi = {
		.valid = true, .flags = P(ANON) | P(LRU), .order = 0,
		.mapcount = 1, .lru_gen = 1,
	};
	char a[VMV_PTE_LINE_MAX + 8];
	size_t n;

	n = vmv_fmt_present_pte(&cache, a, 0x1000, 0x8000000012345867ULL,
				0x12345, d_867.flags, &pi);
	EXPECT(n > 7 && !memcmp(a + n - 7, " gen=0\n", 7));
	pi.lru_gen = 4;
	n = vmv_fmt_present_pte(&cache, a, 0x2000, 0x8000000012345867ULL,
				0x12345, d_867.flags, &pi);
	EXPECT(n > 7 && !memcmp(a + n - 7, " gen=3\n", 7));
	pi.lru_gen = 0;
	n = vmv_fmt_present_pte(&cache, a, 0x3000, 0x8000000012345867ULL,
				0x12345, d_867.flags, &pi);
	EXPECT(n > 11 && !memcmp(a + n - 11, "mapcount=1\n", 11));
}

UNIT_TEST(pte_line_no_page_info)
{
	const struct vmv_page_info invalid = {
		.valid = false, .flags = P(ANON) | P(LRU), .order = 3,
		.mapcount = 7,
	};
	const char *want =
		"0x00007f1234560000 pte 0x8000000012345867 present pfn=0x12345"
		" flags=present,rw,user,accessed,dirty,nx,softdirty\n";

	LINE(0x7f1234560000ULL, VMVIEW_LEVEL_PTE, 0x8000000012345867ULL,
	     &d_867, NULL, want);
	LINE(0x7f1234560000ULL, VMVIEW_LEVEL_PTE, 0x8000000012345867ULL,
	     &d_867, &invalid, want);
}

/*
 * The zero page after a read fault: PAGE_COPY (present, user, accessed,
 * nx; 0x025) made special (bit 9): 0x225.
 */
UNIT_TEST(pte_line_zero_page)
{
	const struct vmv_decoded d = {
		.kind = VMVIEW_KIND_PRESENT, .pfn = 0x2a1b,
		.flags = F(PRESENT) | F(USER) | F(ACCESSED) | F(SPECIAL) |
			 F(NX),
		.page_shift = 12,
	};
	const struct vmv_page_info pi = {
		.valid = true, .flags = P(ZERO), .order = 0, .mapcount = 0,
	};

	LINE(0x555555554000ULL, VMVIEW_LEVEL_PTE, 0x8000000002a1b225ULL, &d,
	     &pi,
	     "0x0000555555554000 pte 0x8000000002a1b225 present pfn=0x2a1b"
	     " flags=present,user,accessed,nx,special"
	     " page=zero order=0 mapcount=0\n");
}

/* A struct page with no flag of the vocabulary: "page=-". */
UNIT_TEST(pte_line_page_without_flags)
{
	const struct vmv_decoded d = {
		.kind = VMVIEW_KIND_PRESENT, .pfn = 0x100,
		.flags = F(PRESENT) | F(USER), .page_shift = 12,
	};
	const struct vmv_page_info pi = {
		.valid = true, .flags = 0, .order = 0, .mapcount = 2,
	};

	LINE(0x1000, VMVIEW_LEVEL_PTE, 0x0000000000100005ULL, &d, &pi,
	     "0x0000000000001000 pte 0x0000000000100005 present pfn=0x100"
	     " flags=present,user page=- order=0 mapcount=2\n");
}

/* Swap type 0 offset 3, exclusive (bit 3): ~3 in bits 9..58. */
UNIT_TEST(pte_line_swap)
{
	static const struct line_case c[] = {
		{ 0x7f1234561000ULL, VMVIEW_LEVEL_PTE, 0x07fffffffffff808ULL,
		  { .kind = VMVIEW_KIND_SWAP, .pfn = VMVIEW_NO_PFN,
		    .flags = F(EXCLUSIVE), .swap_type = 0, .swap_offset = 3,
		    .page_shift = 12 }, NULL,
		  "0x00007f1234561000 pte 0x07fffffffffff808 swap pfn=-"
		  " swap=0:0x3 flags=exclusive\n" },
		{ 0x7f1234561000ULL, VMVIEW_LEVEL_PTE, 0xc800000000000000ULL,
		  { .kind = VMVIEW_KIND_SWAP, .pfn = VMVIEW_NO_PFN, .flags = 0,
		    .swap_type = 25, .swap_offset = 0x3ffffffffffffULL,
		    .page_shift = 12 }, NULL,
		  "0x00007f1234561000 pte 0xc800000000000000 swap pfn=-"
		  " swap=25:0x3ffffffffffff flags=-\n" },
	};

	LINES(c);
}

/* 6.1 SWP_MIGRATION_WRITE (29), pfn 0x12345, swap soft-dirty (bit 1). */
UNIT_TEST(pte_line_migration)
{
	const struct vmv_decoded d = {
		.kind = VMVIEW_KIND_MIGRATION, .pfn = 0x12345,
		.flags = F(SOFTDIRTY), .swap_type = 29,
		.swap_offset = 0x12345, .page_shift = 12,
	};

	LINE(0x7f1234562000ULL, VMVIEW_LEVEL_PTE, 0xeffffffffdb97402ULL, &d,
	     NULL,
	     "0x00007f1234562000 pte 0xeffffffffdb97402 migration"
	     " pfn=0x12345 swap=29:0x12345 flags=softdirty\n");
}

UNIT_TEST(pte_line_other_swap_kinds)
{
	static const struct line_case c[] = {
		{ 0x7f1234563000ULL, VMVIEW_LEVEL_PTE, 0xdfffffffff79bc00ULL,
		  { .kind = VMVIEW_KIND_HWPOISON, .pfn = 0x4321,
		    .swap_type = 27, .swap_offset = 0x4321, .page_shift = 12 },
		  NULL, "0x00007f1234563000 pte 0xdfffffffff79bc00 hwpoison"
			" pfn=0x4321 swap=27:0x4321 flags=-\n" },
		{ 0x7f1234564000ULL, VMVIEW_LEVEL_PTE, 0xfffffffffffffc00ULL,
		  { .kind = VMVIEW_KIND_MARKER, .pfn = VMVIEW_NO_PFN,
		    .swap_type = 31, .swap_offset = 1, .page_shift = 12 },
		  NULL, "0x00007f1234564000 pte 0xfffffffffffffc00 marker pfn=-"
			" swap=31:0x1 flags=-\n" },
		{ 0x7f1234565000ULL, VMVIEW_LEVEL_PTE, 0xe7ffffffffdb9608ULL,
		  { .kind = VMVIEW_KIND_DEVICE_PRIVATE, .pfn = 0x1234,
		    .flags = F(EXCLUSIVE), .swap_type = 28,
		    .swap_offset = 0x1234, .page_shift = 12 },
		  NULL, "0x00007f1234565000 pte 0xe7ffffffffdb9608"
			" device-private pfn=0x1234 swap=28:0x1234"
			" flags=exclusive\n" },
		{ 0x7f1234566000ULL, VMVIEW_LEVEL_PTE, 0xf7ffffffea864200ULL,
		  { .kind = VMVIEW_KIND_DEVICE_EXCLUSIVE, .pfn = 0xabcde,
		    .swap_type = 30, .swap_offset = 0xabcde, .page_shift = 12 },
		  NULL, "0x00007f1234566000 pte 0xf7ffffffea864200"
			" device-exclusive pfn=0xabcde swap=30:0xabcde"
			" flags=-\n" },
	};

	LINES(c);
}

/* Protnone is present for the kernel: no swap= part. */
UNIT_TEST(pte_line_protnone)
{
	const struct vmv_decoded d = {
		.kind = VMVIEW_KIND_PROTNONE, .pfn = 0x12345,
		.flags = F(ACCESSED) | F(PROTNONE), .page_shift = 12,
	};

	LINE(0x7f1234567000ULL, VMVIEW_LEVEL_PTE, 0x000fffffedcba120ULL, &d,
	     NULL,
	     "0x00007f1234567000 pte 0x000fffffedcba120 protnone"
	     " pfn=0x12345 flags=accessed,protnone\n");
}

UNIT_TEST(pmd_pud_lines)
{
	static const struct vmv_page_info thp = {
		.valid = true, .flags = P(ANON) | P(SWAPBACKED) | P(LARGE),
		.order = 9, .mapcount = 1,
	};
	static const struct line_case c[] = {
		/* 0x8e7: present, rw, user, accessed, dirty, pse, softdirty */
		{ 0x7f1234600000ULL, VMVIEW_LEVEL_PMD, 0x80000000234008e7ULL,
		  { .kind = VMVIEW_KIND_PRESENT, .pfn = 0x23400,
		    .flags = F(PRESENT) | F(RW) | F(USER) | F(ACCESSED) |
			     F(DIRTY) | F(PSE) | F(SOFTDIRTY) | F(NX),
		    .page_shift = 21, .writable = true }, &thp,
		  "0x00007f1234600000 pmd 0x80000000234008e7 present pfn=0x23400"
		  " flags=present,rw,user,accessed,dirty,pse,nx,softdirty"
		  " page=anon,swapbacked,large order=9 mapcount=1\n" },
		{ 0x7f0000000000ULL, VMVIEW_LEVEL_PUD, 0x80000000400000e7ULL,
		  { .kind = VMVIEW_KIND_PRESENT, .pfn = 0x40000,
		    .flags = F(PRESENT) | F(RW) | F(USER) | F(ACCESSED) |
			     F(DIRTY) | F(PSE) | F(NX),
		    .page_shift = 30, .writable = true }, NULL,
		  "0x00007f0000000000 pud 0x80000000400000e7 present pfn=0x40000"
		  " flags=present,rw,user,accessed,dirty,pse,nx\n" },
		/* 6.12 SWP_MIGRATION_WRITE (30), pfn 0x23400 */
		{ 0x7f1234800000ULL, VMVIEW_LEVEL_PMD, 0xf7fffffffb97fe00ULL,
		  { .kind = VMVIEW_KIND_MIGRATION, .pfn = 0x23400,
		    .swap_type = 30, .swap_offset = 0x23400,
		    .page_shift = 21 }, NULL,
		  "0x00007f1234800000 pmd 0xf7fffffffb97fe00 migration"
		  " pfn=0x23400 swap=30:0x23400 flags=-\n" },
	};

	LINES(c);
}

UNIT_TEST(pte_line_negative_mapcount)
{
	const struct vmv_decoded d = {
		.kind = VMVIEW_KIND_PRESENT, .pfn = 1, .flags = F(PRESENT),
		.page_shift = 12,
	};
	const struct vmv_page_info pi = {
		.valid = true, .flags = P(FILE), .order = 0, .mapcount = -1,
	};

	LINE(0x2000, VMVIEW_LEVEL_PTE, 0x1001, &d, &pi,
	     "0x0000000000002000 pte 0x0000000000001001 present pfn=0x1"
	     " flags=present page=file order=0 mapcount=-1\n");
}

/*
 * The longest line: every flag, every page flag, the longest kind,
 * 16-digit numbers everywhere, the largest order and mapcount.
 */
#define ALL_FLAGS							\
	"present,rw,user,pwt,pcd,accessed,dirty,pse,pat,global,nx,"	\
	"softdirty,special,uffd-wp,devmap,protnone,exclusive"
#define ALL_PAGE_FLAGS							\
	"anon,file,ksm,zero,lru,active,referenced,unevictable,"		\
	"mlocked,swapcache,swapbacked,dirty,writeback,large"

UNIT_TEST(pte_line_longest)
{
	const struct vmv_decoded d = {
		.kind = VMVIEW_KIND_DEVICE_EXCLUSIVE,
		.pfn = 0xfffffffffffffffeULL,
		.flags = (1U << VMVIEW_NR_FLAGS) - 1,
		.swap_type = 31, .swap_offset = ~0ULL, .page_shift = 12,
	};
	const struct vmv_page_info pi = {
		.valid = true, .flags = (1U << VMVIEW_NR_PFLAGS) - 1,
		.order = 255, .mapcount = INT_MAX, .lru_gen = 4,
	};
	const char *want =
		"0xffffffffffffffff pte 0xffffffffffffffff device-exclusive"
		" pfn=0xfffffffffffffffe swap=31:0xffffffffffffffff"
		" flags=" ALL_FLAGS " page=" ALL_PAGE_FLAGS
		" order=255 mapcount=2147483647 gen=3\n";

	LINE(~0ULL, VMVIEW_LEVEL_PTE, ~0ULL, &d, &pi, want);
	EXPECT(strlen(want) < VMV_PTE_LINE_MAX);
}

/*
 * Whatever the kind and level, with everything at its widest (swap
 * type 255, mapcount INT_MIN), the line fits in VMV_PTE_LINE_MAX, has
 * exactly one newline, at its end, and nothing past VMV_PTE_LINE_MAX is
 * touched.
 */
#define CANARY		0xa5
#define CANARY_LEN	256

UNIT_TEST(pte_line_fits_canary)
{
	static unsigned char buf[VMV_PTE_LINE_MAX + CANARY_LEN];
	const int mapcounts[] = { INT_MIN, INT_MAX, -1, 0 };
	unsigned int kind, level, m, i, nl;
	struct vmv_page_info pi = {
		.valid = true, .flags = ~0U, .order = 255, .lru_gen = 4,
	};
	struct vmv_decoded d = {
		.pfn = 0xfffffffffffffffeULL, .flags = ~0U,
		.swap_type = 255, .swap_offset = ~0ULL, .page_shift = 30,
		.writable = true,
	};
	size_t n, longest = 0;

	for (kind = 0; kind < VMVIEW_NR_KINDS; kind++) {
		for (level = 0; level < VMVIEW_NR_LEVELS; level++) {
			for (m = 0; m < 4; m++) {
				d.kind = kind;
				pi.mapcount = mapcounts[m];
				memset(buf, CANARY, sizeof(buf));
				n = vmv_fmt_pte((char *)buf, ~0ULL, level,
						~0ULL, &d, &pi);
				for (i = VMV_PTE_LINE_MAX;
				     i < sizeof(buf); i++)
					if (buf[i] != CANARY)
						break;
				if (i != sizeof(buf)) {
					UNIT_FAIL("kind %u level %u: byte "
						  "%u past the max written",
						  kind, level, i);
					continue;
				}
				if (n == 0 || n > VMV_PTE_LINE_MAX) {
					UNIT_FAIL("kind %u level %u: "
						  "length %zu", kind, level,
						  n);
					continue;
				}
				if (n > longest)
					longest = n;
				for (i = 0, nl = 0; i < n; i++)
					nl += buf[i] == '\n';
				if (nl != 1 || buf[n - 1] != '\n')
					UNIT_FAIL("kind %u level %u: %u "
						  "newlines, last byte 0x%02x",
						  kind, level, nl, buf[n - 1]);
			}
		}
	}
	/* the longest line worked out by hand: 365 bytes, and " gen=3" */
	EXPECT_EQ(longest, 371);
}

/* decode + fmt together, on 6.12 with 5-level paging. */
UNIT_TEST(decode_then_format)
{
	const struct vmv_layout l612 = {
		.max_swapfiles = 27, .type_hwpoison = 27,
		.type_migration_read = 28,
		.type_migration_read_exclusive = 29,
		.type_migration_write = 30,
		.type_device_private_read = VMV_NO_TYPE,
		.type_device_private_write = VMV_NO_TYPE,
		.type_device_exclusive_read = VMV_NO_TYPE,
		.type_device_exclusive_write = VMV_NO_TYPE,
		.type_marker = 31, .type_swapin_error = VMV_NO_TYPE,
		.swp_pfn_bits = 40, .devmap_mask = 1ULL << 57,
		.saved_dirty_mask = 1ULL << 58,
		VMV_X86_64_ENTRIES,
	};
	static const struct {
		u64 vaddr;
		enum vmview_level level;
		u64 entry;
		const char *want;
	} c[] = {
		{ 0x7f1234560000ULL, VMVIEW_LEVEL_PTE, 0x8000000012345867ULL,
		  "0x00007f1234560000 pte 0x8000000012345867 present pfn=0x12345"
		  " flags=present,rw,user,accessed,dirty,nx,softdirty\n" },
		{ 0x7f1234561000ULL, VMVIEW_LEVEL_PTE, 0x07fffffffffff808ULL,
		  "0x00007f1234561000 pte 0x07fffffffffff808 swap pfn=-"
		  " swap=0:0x3 flags=exclusive\n" },
		/* saved dirty, read-only: pte_dirty() says dirty */
		{ 0x7f1234562000ULL, VMVIEW_LEVEL_PTE, 0x8400000012345825ULL,
		  "0x00007f1234562000 pte 0x8400000012345825 present pfn=0x12345"
		  " flags=present,user,accessed,dirty,nx,softdirty\n" },
		{ 0x7f1234600000ULL, VMVIEW_LEVEL_PMD, 0x80000000234008e7ULL,
		  "0x00007f1234600000 pmd 0x80000000234008e7 present pfn=0x23400"
		  " flags=present,rw,user,accessed,dirty,pse,nx,softdirty\n" },
	};
	struct vmv_decoded d;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		vmv_decode(&l612, c[i].entry, c[i].level, &d);
		check_line(__LINE__, i, c[i].vaddr, c[i].level, c[i].entry,
			   &d, NULL, c[i].want);
	}
}

/*
 * The dump's inline path for present PTEs (vmv_pte_present_flags(),
 * vmv_pte_pfn(), vmv_rec_present_pte()) against vmv_decode() +
 * vmv_fmt_rec(): the same record for every combination of the low 12
 * bits, the software bits 57..63 and many frames, on both layouts.
 */
/*
 * The inline path's record of a present PTE against the general path's
 * (want, got: both records, for the message); true when they agree.
 */
static bool fast_rec_agrees(const struct vmv_layout *l, u64 e, u64 vaddr,
			    const struct vmv_page_info *pi,
			    struct vmview_pte *want, struct vmview_pte *got)
{
	struct vmv_decoded d;

	vmv_decode(l, e, VMVIEW_LEVEL_PTE, &d);
	vmv_fmt_rec(want, vaddr, VMVIEW_LEVEL_PTE, e, &d, pi);
	vmv_rec_present_pte(got, vaddr, e, vmv_pte_pfn(l, e),
			    vmv_pte_present_flags(l, e), pi);
	return !memcmp(want, got, sizeof(*want)) &&
	       d.kind == VMVIEW_KIND_PRESENT && d.pfn == vmv_pte_pfn(l, e);
}

UNIT_TEST(present_pte_fast_path)
{
	const struct vmv_layout layouts[] = {
		/* 6.1: devmap 58, no saved dirty; 6.12: devmap 57, saved 58 */
		{ .max_swapfiles = 26, .devmap_mask = 1ULL << 58,
		  VMV_X86_64_ENTRIES },
		{ .max_swapfiles = 27, .devmap_mask = 1ULL << 57,
		  .saved_dirty_mask = 1ULL << 58, VMV_X86_64_ENTRIES },
	};
	const struct vmv_page_info pis[] = {
		{ .valid = false },
		{ .valid = true, .flags = P(ANON) | P(LRU) | P(SWAPBACKED),
		  .order = 0, .mapcount = 1 },
		{ .valid = true, .flags = P(FILE) | P(LARGE), .order = 9,
		  .mapcount = 5000 },
		{ .valid = true, .flags = P(KSM), .order = 0, .mapcount = -3 },
	};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned int li, lo, hi, bad = 0;
	struct vmview_pte want, got;

	vmv_decode_init();
	for (li = 0; li < 2; li++) {
		for (lo = 0; lo < 4096; lo++) {
			for (hi = 0; hi < 128; hi++) {
				u64 r = unit_xorshift(&seed);
				u64 e = (r & 0x01fffffffffff000ULL) |
					(u64)hi << 57 | lo | 1;	/* present */

				if (!fast_rec_agrees(&layouts[li], e,
						     0x7f0000001000ULL + lo,
						     &pis[lo & 3], &want,
						     &got) &&
				    bad++ < 5)
					UNIT_FAIL("layout %u entry 0x%016llx: meta 0x%016llx, want 0x%016llx; pfn 0x%llx, want 0x%llx",
						  li, (unsigned long long)e,
						  (unsigned long long)got.meta,
						  (unsigned long long)want.meta,
						  (unsigned long long)got.pfn,
						  (unsigned long long)want.pfn);
			}
		}
	}
	EXPECT_EQ(bad, 0);
}

UNIT_MAIN()

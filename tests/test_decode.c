// SPDX-License-Identifier: GPL-2.0
// units: arch/x86/decode.c fmt.c
/*
 * Host unit tests for module/decode.c: every entry kind and flag, with
 * entries built bit by bit from the x86-64 definitions of Linux 6.1 and
 * 6.12 (arch/x86/include/asm/pgtable_types.h, pgtable_64.h,
 * pgtable_64_types.h, pgtable.h, pgtable-invert.h, include/linux/swap.h,
 * include/linux/swapops.h) and Debian's configs for those kernels.
 *
 * Every expected value is computed here from bit numbers; decode is
 * never used to compute what decode should return.
 */
#include <limits.h>

#include "unit.h"
#include "decode.h"

unsigned long vmv_host_fail_after, vmv_host_allocs;

#define BIT64(n)	(1ULL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Hardware and software bits of a present (or protnone) entry
 * (pgtable_types.h, identical in 6.1 and 6.12 unless noted).
 */
#define E_PRESENT	BIT64(0)
#define E_RW		BIT64(1)
#define E_USER		BIT64(2)
#define E_PWT		BIT64(3)
#define E_PCD		BIT64(4)
#define E_ACCESSED	BIT64(5)
#define E_DIRTY		BIT64(6)
#define E_PSE		BIT64(7)	/* pmd and pud level */
#define E_PAT		BIT64(7)	/* pte level */
#define E_GLOBAL	BIT64(8)
#define E_PROTNONE	BIT64(8)	/* aliases GLOBAL when !PRESENT */
#define E_SPECIAL	BIT64(9)	/* SOFTW1 */
#define E_UFFD_WP	BIT64(10)	/* SOFTW2 */
#define E_SOFTDIRTY	BIT64(11)	/* SOFTW3 */
#define E_PAT_LARGE	BIT64(12)	/* pmd and pud level */
#define E_BIT57		BIT64(57)	/* 6.12: SOFTW4 = devmap */
#define E_BIT58		BIT64(58)	/* 6.1: devmap; 6.12: saved dirty */
#define E_PKEYS		(BIT64(59) | BIT64(60) | BIT64(61) | BIT64(62))
#define E_NX		BIT64(63)

/* _PAGE_TABLE: what a table entry of a user address space holds */
#define E_TABLE		(E_PRESENT | E_RW | E_USER | E_ACCESSED | E_DIRTY)

/*
 * PTE_PFN_MASK is PHYSICAL_PAGE_MASK: bits 12..51 (__PHYSICAL_MASK_SHIFT
 * is 52, PAGE_SHIFT 12); PHYSICAL_PMD_PAGE_MASK bits 21..51,
 * PHYSICAL_PUD_PAGE_MASK bits 30..51.
 */
#define PFN_MASK	((BIT64(52) - 1) & ~(BIT64(12) - 1))
#define PMD_PFN_MASK	((BIT64(52) - 1) & ~(BIT64(21) - 1))
#define PUD_PFN_MASK	((BIT64(52) - 1) & ~(BIT64(30) - 1))
#define MAX_PFN		(BIT64(40) - 1)

/*
 * Bits of a non-present (swap-format) entry: pgtable_types.h and
 * pgtable_64_types.h.  _PAGE_SWP_SOFT_DIRTY is _PAGE_RW (bit 1),
 * _PAGE_SWP_UFFD_WP is _PAGE_USER (bit 2), _PAGE_SWP_EXCLUSIVE is
 * _PAGE_PWT (bit 3).
 */
#define S_SOFTDIRTY	BIT64(1)
#define S_UFFD_WP	BIT64(2)
#define S_EXCLUSIVE	BIT64(3)

/* PTE markers (swapops.h): the marker bits live in the offset */
#define MARKER_UFFD_WP		1ULL
#define MARKER_POISONED		2ULL	/* 6.12 */

#define F(x)	VMV_FLAG(VMVIEW_F_##x)

/*
 * The arch swap entry, as pgtable_64.h's __swp_entry(type, offset)
 * lays it out, derived bit by bit: SWP_TYPE_BITS is 5 and the type sits
 * in the top 5 bits (59..63, "64 - SWP_TYPE_BITS").  SWP_OFFSET_FIRST_BIT
 * is _PAGE_BIT_PROTNONE + 1 = 9 and SWP_OFFSET_SHIFT = 9 + 5 = 14:
 * __swp_entry shifts ~offset left by 14 then right by 5, so bit i of
 * ~offset lands at bit 9 + i, and bits 9..58 (50 bits) hold the inverted
 * offset; offset bits 50 and up are shifted out.
 */
static u64 swp_bits(unsigned int type, u64 offset)
{
	u64 e = (u64)type << 59;
	unsigned int i;

	for (i = 0; i < 50; i++)
		if (!(offset & BIT64(i)))
			e |= BIT64(9 + i);
	return e;
}

/* A present pte for pfn: the pfn in bits 12..51. */
static u64 pfn_bits(u64 pfn)
{
	return (pfn << 12) & PFN_MASK;
}

/*
 * pfn_pte()/pfn_pmd()/pfn_pud() with a !PRESENT, non-zero pgprot
 * (protnone): protnone_mask() is ~0 (pgtable-invert.h,
 * __pte_needs_invert()), so the pfn bits are stored inverted, then
 * masked with the level's pfn mask.
 */
static u64 protnone_pfn_bits(u64 pfn, u64 mask)
{
	return ~(pfn << 12) & mask;
}

struct test_layout {
	const char *name;
	struct vmv_layout l;
	unsigned int devmap_bit;
	bool saved_dirty;
	bool swapin_error;
};

/*
 * Debian 6.1.0-56-amd64 (6.1.192), /boot/config-6.1.0-56-amd64:
 * CONFIG_MIGRATION=y, CONFIG_MEMORY_FAILURE=y, CONFIG_PTE_MARKER=y,
 * CONFIG_DEVICE_PRIVATE not set.  include/linux/swap.h:
 *   MAX_SWAPFILES_SHIFT 5, SWP_DEVICE_NUM 0, SWP_MIGRATION_NUM 3,
 *   SWP_HWPOISON_NUM 1, SWP_PTE_MARKER_NUM 1, SWP_SWAPIN_ERROR_NUM 1
 *   MAX_SWAPFILES = 32 - 0 - 3 - 1 - 1 - 1 = 26
 *   SWP_HWPOISON = MAX_SWAPFILES = 26
 *   SWP_MIGRATION_READ = 26 + 1 = 27, _READ_EXCLUSIVE 28, _WRITE 29
 *   SWP_PTE_MARKER = 26 + 1 + 3 + 0 = 30
 *   SWP_SWAPIN_ERROR = 26 + 1 + 3 + 0 + 1 = 31
 * swapops.h: SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT; sparsemem.h:
 *   MAX_PHYSMEM_BITS = 52 with 5-level paging, 46 with 4-level, so 40 / 34.
 * pgtable_types.h: _PAGE_BIT_DEVMAP = _PAGE_BIT_SOFTW4 = 58; there is no
 *   saved-dirty bit (pte_dirty() is _PAGE_DIRTY only).
 */
#define LAYOUT_61(pfn_bits)						\
	{								\
		.max_swapfiles = 26,					\
		.type_hwpoison = 26,					\
		.type_migration_read = 27,				\
		.type_migration_read_exclusive = 28,			\
		.type_migration_write = 29,				\
		.type_device_private_read = VMV_NO_TYPE,		\
		.type_device_private_write = VMV_NO_TYPE,		\
		.type_device_exclusive_read = VMV_NO_TYPE,		\
		.type_device_exclusive_write = VMV_NO_TYPE,		\
		.type_marker = 30,					\
		.type_swapin_error = 31,				\
		.swp_pfn_bits = (pfn_bits),				\
		.devmap_mask = BIT64(58),				\
		.saved_dirty_mask = 0,					\
	}

/*
 * Debian 6.12.117+deb12-amd64, /boot/config-6.12.117+deb12-amd64:
 * CONFIG_MIGRATION=y, CONFIG_MEMORY_FAILURE=y, CONFIG_DEVICE_PRIVATE not
 * set; the PTE marker type is unconditional in 6.12 (SWP_PTE_MARKER_NUM
 * is always 1) and SWP_SWAPIN_ERROR is gone (PTE_MARKER_POISONED).
 *   MAX_SWAPFILES = 32 - 0 - 3 - 1 - 1 = 27
 *   SWP_HWPOISON = 27
 *   SWP_MIGRATION_READ = 28, _READ_EXCLUSIVE 29, _WRITE 30
 *   SWP_PTE_MARKER = 27 + 1 + 3 + 0 = 31
 * SWP_PFN_BITS 40 / 34 as for 6.1.
 * pgtable_types.h: _PAGE_BIT_SOFTW4 = 57 = _PAGE_BIT_DEVMAP;
 *   _PAGE_BIT_SOFTW5 = 58 = _PAGE_BIT_SAVED_DIRTY (CONFIG_X86_64), and
 *   pte_dirty()/pmd_dirty() test _PAGE_DIRTY_BITS = DIRTY | SAVED_DIRTY.
 */
#define LAYOUT_612(pfn_bits)						\
	{								\
		.max_swapfiles = 27,					\
		.type_hwpoison = 27,					\
		.type_migration_read = 28,				\
		.type_migration_read_exclusive = 29,			\
		.type_migration_write = 30,				\
		.type_device_private_read = VMV_NO_TYPE,		\
		.type_device_private_write = VMV_NO_TYPE,		\
		.type_device_exclusive_read = VMV_NO_TYPE,		\
		.type_device_exclusive_write = VMV_NO_TYPE,		\
		.type_marker = 31,					\
		.type_swapin_error = VMV_NO_TYPE,			\
		.swp_pfn_bits = (pfn_bits),				\
		.devmap_mask = BIT64(57),				\
		.saved_dirty_mask = BIT64(58),				\
	}

static const struct test_layout layouts[] = {
	{ "6.1 5-level", LAYOUT_61(40), 58, false, true },
	{ "6.1 4-level", LAYOUT_61(34), 58, false, true },
	{ "6.12 5-level", LAYOUT_612(40), 57, true, false },
	{ "6.12 4-level", LAYOUT_612(34), 57, true, false },
};
#define NR_LAYOUTS	(ARRAY_SIZE(layouts))

/*
 * A kernel built with CONFIG_DEVICE_PRIVATE=y (not Debian's): 6.12's
 * swap.h with SWP_DEVICE_NUM 4:
 *   MAX_SWAPFILES = 32 - 4 - 3 - 1 - 1 = 23, SWP_HWPOISON 23,
 *   SWP_MIGRATION_READ 24, _READ_EXCLUSIVE 25, _WRITE 26,
 *   SWP_DEVICE_WRITE = 23 + 1 + 3 = 27, SWP_DEVICE_READ 28,
 *   SWP_DEVICE_EXCLUSIVE_WRITE 29, SWP_DEVICE_EXCLUSIVE_READ 30,
 *   SWP_PTE_MARKER = 23 + 1 + 3 + 4 = 31.
 */
static const struct test_layout layout_devpriv = {
	"6.12 5-level DEVICE_PRIVATE",
	{
		.max_swapfiles = 23,
		.type_hwpoison = 23,
		.type_migration_read = 24,
		.type_migration_read_exclusive = 25,
		.type_migration_write = 26,
		.type_device_private_write = 27,
		.type_device_private_read = 28,
		.type_device_exclusive_write = 29,
		.type_device_exclusive_read = 30,
		.type_marker = 31,
		.type_swapin_error = VMV_NO_TYPE,
		.swp_pfn_bits = 40,
		.devmap_mask = BIT64(57),
		.saved_dirty_mask = BIT64(58),
	},
	57, true, false,
};

/* What one decode should give; only the fields named in check. */
enum {
	CK_PFN		= 1 << 0,
	CK_FLAGS	= 1 << 1,
	CK_SWAP		= 1 << 2,
	CK_SHIFT	= 1 << 3,
	CK_WRITABLE	= 1 << 4,
};

struct want {
	unsigned int check;
	enum vmview_kind kind;
	u64 pfn;
	u32 flags;
	unsigned int swap_type;
	u64 swap_offset;
	unsigned int page_shift;
	bool writable;
};

static const char *kind_str(enum vmview_kind k)
{
	static const char * const s[] = {
		"NONE", "TABLE", "PRESENT", "PROTNONE", "SWAP", "MIGRATION",
		"DEVICE_PRIVATE", "DEVICE_EXCLUSIVE", "HWPOISON", "MARKER",
	};

	return (unsigned int)k < ARRAY_SIZE(s) ? s[k] : "?";
}

static const char *level_str(enum vmview_level lv)
{
	static const char * const s[] = { "pte", "pmd", "pud", "p4d", "pgd" };

	return (unsigned int)lv < 5 ? s[lv] : "?";
}

/*
 * Decode entry at level with layout t and compare with w; on mismatch
 * name the layout, the entry and the field.
 */
#define CHECK(t, entry, level, ...)					\
	check_decode(__LINE__, (t), (entry), (level),			\
		     (struct want){ __VA_ARGS__ })

static void check_decode(int line, const struct test_layout *t, u64 entry,
			 enum vmview_level level, struct want w)
{
	struct vmv_decoded d;

	memset(&d, 0x5a, sizeof(d));
	vmv_decode(&t->l, entry, level, &d);

#define MISMATCH(fmt, ...)						\
	UNIT_FAIL("line %d, %s, %s entry 0x%016llx: " fmt, line,	\
		  t->name, level_str(level),				\
		  (unsigned long long)entry, __VA_ARGS__)

	if (d.kind != w.kind) {
		MISMATCH("kind %s, want %s", kind_str(d.kind),
			 kind_str(w.kind));
		return;
	}
	if ((w.check & CK_PFN) && d.pfn != w.pfn)
		MISMATCH("pfn 0x%llx, want 0x%llx",
			 (unsigned long long)d.pfn,
			 (unsigned long long)w.pfn);
	if ((w.check & CK_FLAGS) && d.flags != w.flags)
		MISMATCH("flags 0x%x, want 0x%x", d.flags, w.flags);
	if ((w.check & CK_SWAP) && (d.swap_type != w.swap_type ||
				    d.swap_offset != w.swap_offset))
		MISMATCH("swap %u:0x%llx, want %u:0x%llx", d.swap_type,
			 (unsigned long long)d.swap_offset, w.swap_type,
			 (unsigned long long)w.swap_offset);
	if ((w.check & CK_SHIFT) && d.page_shift != w.page_shift)
		MISMATCH("page_shift %u, want %u", d.page_shift,
			 w.page_shift);
	if ((w.check & CK_WRITABLE) && d.writable != w.writable)
		MISMATCH("writable %d, want %d", d.writable, w.writable);
#undef MISMATCH
}

/* ---- pte level: none and present ---- */

UNIT_TEST(pte_none)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		CHECK(&layouts[i], 0, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_NONE);
		/*
		 * pte_none() ignores _PAGE_KNL_ERRATUM_MASK (A and D),
		 * which some CPUs set in non-present entries.
		 */
		CHECK(&layouts[i], E_ACCESSED | E_DIRTY, VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_NONE);
	}
}

/* Each flag bit alone with PRESENT, on a 4 KiB pte. */
UNIT_TEST(pte_present_each_flag)
{
	const u64 pfn = 0x12345;
	unsigned int i, j;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];
		const struct {
			u64 bit;
			u32 flag;
		} bits[] = {
			{ 0,				0 },
			{ E_RW,				F(RW) },
			{ E_USER,			F(USER) },
			{ E_PWT,			F(PWT) },
			{ E_PCD,			F(PCD) },
			{ E_ACCESSED,			F(ACCESSED) },
			{ E_DIRTY,			F(DIRTY) },
			{ E_PAT,			F(PAT) },
			{ E_GLOBAL,			F(GLOBAL) },
			{ E_SPECIAL,			F(SPECIAL) },
			{ E_UFFD_WP,			F(UFFD_WP) },
			{ E_SOFTDIRTY,			F(SOFTDIRTY) },
			{ BIT64(t->devmap_bit),		F(DEVMAP) },
			{ E_NX,				F(NX) },
		};

		for (j = 0; j < ARRAY_SIZE(bits); j++)
			CHECK(t, E_PRESENT | bits[j].bit | pfn_bits(pfn),
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS | CK_SHIFT |
				       CK_WRITABLE,
			      .pfn = pfn, .flags = F(PRESENT) | bits[j].flag,
			      .page_shift = 12,
			      .writable = bits[j].bit == E_RW);
	}
}

UNIT_TEST(pte_present_all_flags)
{
	const u64 pfn = 0xabcde;
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];
		u64 e = E_PRESENT | E_RW | E_USER | E_PWT | E_PCD |
			E_ACCESSED | E_DIRTY | E_PAT | E_GLOBAL | E_SPECIAL |
			E_UFFD_WP | E_SOFTDIRTY | BIT64(t->devmap_bit) |
			E_NX | pfn_bits(pfn);
		u32 f = F(PRESENT) | F(RW) | F(USER) | F(PWT) | F(PCD) |
			F(ACCESSED) | F(DIRTY) | F(PAT) | F(GLOBAL) |
			F(SPECIAL) | F(UFFD_WP) | F(SOFTDIRTY) | F(DEVMAP) |
			F(NX);

		CHECK(t, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
		      .pfn = pfn, .flags = f, .page_shift = 12,
		      .writable = true);
		/* and every bit there is: pkeys, 52..58 too */
		CHECK(t, e | E_PKEYS | BIT64(57) | BIT64(58) |
		      (0x1fULL << 52), VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
		      .pfn = pfn, .flags = f, .page_shift = 12,
		      .writable = true);
		/* a typical user pte: 0x867 is P|RW|U|A|D|SOFTDIRTY */
		CHECK(t, 0x8000000012345867ULL, VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
		      .pfn = 0x12345,
		      .flags = F(PRESENT) | F(RW) | F(USER) | F(ACCESSED) |
			       F(DIRTY) | F(SOFTDIRTY) | F(NX),
		      .page_shift = 12, .writable = true);
	}
}

/* PAT is bit 7 on a pte (not PSE), and bit 12 is part of the pfn there. */
UNIT_TEST(pte_pat_is_bit7)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		CHECK(&layouts[i], E_PRESENT | E_PAT | pfn_bits(0x100),
		      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS, .pfn = 0x100,
		      .flags = F(PRESENT) | F(PAT));
		CHECK(&layouts[i], E_PRESENT | BIT64(12), VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_PRESENT, .check = CK_PFN | CK_FLAGS,
		      .pfn = 1, .flags = F(PRESENT));
	}
}

UNIT_TEST(pte_pfn_extraction)
{
	const u64 pfns[] = {
		0, 1, 0x12345, BIT64(39), BIT64(39) | 1, 0x8000000001ULL,
		0xfedcba9876ULL, MAX_PFN,
	};
	unsigned int i, j;

	for (i = 0; i < NR_LAYOUTS; i++) {
		for (j = 0; j < ARRAY_SIZE(pfns); j++) {
			/* pfn alone */
			CHECK(&layouts[i], E_PRESENT | pfn_bits(pfns[j]),
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS,
			      .pfn = pfns[j], .flags = F(PRESENT));
			/* protection keys (59..62) are not pfn, not flags */
			CHECK(&layouts[i],
			      E_PRESENT | E_PKEYS | pfn_bits(pfns[j]),
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS,
			      .pfn = pfns[j], .flags = F(PRESENT));
			/* nor are the ignored bits 52..56, nor NX */
			CHECK(&layouts[i], E_PRESENT | (0x1fULL << 52) |
			      E_NX | pfn_bits(pfns[j]), VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS, .pfn = pfns[j],
			      .flags = F(PRESENT) | F(NX));
		}
		/* literal: max pfn is bits 12..51 all set */
		CHECK(&layouts[i], 0x000ffffffffff001ULL, VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_PRESENT, .check = CK_PFN,
		      .pfn = 0xffffffffffULL);
	}
}

/*
 * Bit 58: 6.1's devmap, 6.12's saved dirty (pte_dirty() is true for
 * DIRTY | SAVED_DIRTY); bit 57: 6.12's devmap, nothing on 6.1.
 */
UNIT_TEST(pte_bits_57_58)
{
	const u64 base = E_PRESENT | E_USER | E_ACCESSED | pfn_bits(0x777);
	const u32 fbase = F(PRESENT) | F(USER) | F(ACCESSED);
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];

		if (t->saved_dirty) {
			/* write-protected, written: W=0, D=0, SavedDirty=1 */
			CHECK(t, base | E_BIT58, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS | CK_WRITABLE,
			      .pfn = 0x777, .flags = fbase | F(DIRTY),
			      .writable = false);
			CHECK(t, base | E_BIT58 | E_DIRTY, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS, .pfn = 0x777,
			      .flags = fbase | F(DIRTY));
			CHECK(t, base | E_BIT57, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS, .pfn = 0x777,
			      .flags = fbase | F(DEVMAP));
		} else {
			CHECK(t, base | E_BIT58, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS | CK_WRITABLE,
			      .pfn = 0x777, .flags = fbase | F(DEVMAP),
			      .writable = false);
			CHECK(t, base | E_BIT57, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS, .pfn = 0x777,
			      .flags = fbase);
		}
	}
}

/* ---- protnone (NUMA hinting, PROT_NONE) ---- */

UNIT_TEST(pte_protnone)
{
	const u64 pfns[] = { 0, 1, 0x12345, 0x8000000001ULL, MAX_PFN };
	unsigned int i, j;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];

		for (j = 0; j < ARRAY_SIZE(pfns); j++) {
			/* PAGE_NONE is ACCESSED | PROTNONE */
			CHECK(t, E_PROTNONE | E_ACCESSED |
			      protnone_pfn_bits(pfns[j], PFN_MASK),
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PROTNONE,
			      .check = CK_PFN | CK_FLAGS | CK_SHIFT,
			      .pfn = pfns[j],
			      .flags = F(PROTNONE) | F(ACCESSED),
			      .page_shift = 12);
			/* pte_modify() keeps D, soft-dirty, NX... */
			CHECK(t, E_PROTNONE | E_ACCESSED | E_DIRTY |
			      E_SOFTDIRTY | E_NX |
			      protnone_pfn_bits(pfns[j], PFN_MASK),
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PROTNONE,
			      .check = CK_PFN | CK_FLAGS, .pfn = pfns[j],
			      .flags = F(PROTNONE) | F(ACCESSED) | F(DIRTY) |
				       F(SOFTDIRTY) | F(NX));
		}
		/* literal: pfn 0x12345 is stored as ~0x12345 in 12..51 */
		CHECK(t, 0x000fffffedcba120ULL, VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_PROTNONE, .check = CK_PFN | CK_FLAGS,
		      .pfn = 0x12345, .flags = F(PROTNONE) | F(ACCESSED));
		/* all pfn bits clear: the largest pfn */
		CHECK(t, E_PROTNONE | E_ACCESSED, VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_PROTNONE, .check = CK_PFN,
		      .pfn = MAX_PFN);
		/* pkeys are not pfn */
		CHECK(t, E_PROTNONE | E_PKEYS |
		      protnone_pfn_bits(0x4242, PFN_MASK), VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_PROTNONE, .check = CK_PFN | CK_FLAGS,
		      .pfn = 0x4242, .flags = F(PROTNONE));
	}
}

/* ---- swap-format entries ---- */

/* Cross-check the helper against values worked out by hand. */
UNIT_TEST(swp_bits_helper)
{
	EXPECT_EQ(swp_bits(0, 0), 0x07fffffffffffe00ULL);
	EXPECT_EQ(swp_bits(0, 1), 0x07fffffffffffc00ULL);
	EXPECT_EQ(swp_bits(0, 3), 0x07fffffffffff800ULL);
	EXPECT_EQ(swp_bits(1, 0), 0x0ffffffffffffe00ULL);
	EXPECT_EQ(swp_bits(31, 1), 0xfffffffffffffc00ULL);
	EXPECT_EQ(swp_bits(29, 0x12345), 0xeffffffffdb97400ULL);
	EXPECT_EQ(swp_bits(1, BIT64(50) - 1), 0x0800000000000000ULL);
}

UNIT_TEST(swp_entry_round_trip)
{
	const u64 offsets[] = {
		0, 1, 2, 3, 0x200, 0x12345, 0x123456789abULL,
		BIT64(49), BIT64(50) - 2, BIT64(50) - 1,
	};
	unsigned int type, j, i;

	for (type = 0; type < 32; type++) {
		for (j = 0; j < ARRAY_SIZE(offsets); j++) {
			u64 e = swp_bits(type, offsets[j]);

			if (vmv_swp_entry(type, offsets[j]) != e)
				UNIT_FAIL("vmv_swp_entry(%u, 0x%llx) = "
					  "0x%016llx, want 0x%016llx", type,
					  (unsigned long long)offsets[j],
					  (unsigned long long)
					  vmv_swp_entry(type, offsets[j]),
					  (unsigned long long)e);
			if (!e)
				continue;	/* type 0, offset all ones */
			/* what decode reads back is what was put in */
			for (i = 0; i < NR_LAYOUTS; i++) {
				struct vmv_decoded d;

				vmv_decode(&layouts[i].l, e, VMVIEW_LEVEL_PTE,
					   &d);
				if (d.swap_type != type ||
				    d.swap_offset != offsets[j])
					UNIT_FAIL("%s: 0x%016llx decodes "
						  "as %u:0x%llx, want "
						  "%u:0x%llx",
						  layouts[i].name,
						  (unsigned long long)e,
						  d.swap_type,
						  (unsigned long long)
						  d.swap_offset, type,
						  (unsigned long long)
						  offsets[j]);
			}
		}
	}
	/* offset bits above the 50 the entry holds are dropped */
	EXPECT_EQ(vmv_swp_entry(1, BIT64(50) | 5), swp_bits(1, 5));
	EXPECT_EQ(vmv_swp_entry(3, ~0ULL), swp_bits(3, BIT64(50) - 1));
}

UNIT_TEST(pte_swap)
{
	const u64 offsets[] = {
		0, 1, 3, 0x12345, 0x123456789abULL, BIT64(50) - 1,
	};
	unsigned int i, j, k;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];
		const unsigned int types[] = {
			0, 1, 7, t->l.max_swapfiles - 1u,
		};

		for (j = 0; j < ARRAY_SIZE(types); j++) {
			for (k = 0; k < ARRAY_SIZE(offsets);
			     k++) {
				u64 e = swp_bits(types[j], offsets[k]);

				if (!e)
					continue;
				CHECK(t, e, VMVIEW_LEVEL_PTE,
				      .kind = VMVIEW_KIND_SWAP,
				      .check = CK_PFN | CK_FLAGS | CK_SWAP |
					       CK_SHIFT | CK_WRITABLE,
				      .pfn = VMVIEW_NO_PFN, .flags = 0,
				      .swap_type = types[j],
				      .swap_offset = offsets[k],
				      .page_shift = 12, .writable = false);
			}
		}
		/* the doc's example: 0:0x3 exclusive */
		CHECK(t, 0x07fffffffffff808ULL, VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_SWAP,
		      .check = CK_PFN | CK_FLAGS | CK_SWAP,
		      .pfn = VMVIEW_NO_PFN, .flags = F(EXCLUSIVE),
		      .swap_type = 0, .swap_offset = 3);
	}
}

/*
 * The swap-only bits (1, 2, 3) are exclusive, softdirty and uffd-wp,
 * not rw, user and pwt; they do not move type or offset.  A and D
 * (KNL erratum) may be set by hardware and mean nothing here.
 */
UNIT_TEST(pte_swap_flags)
{
	const struct {
		u64 bits;
		u32 flags;
	} sw[] = {
		{ S_EXCLUSIVE,	F(EXCLUSIVE) },
		{ S_SOFTDIRTY,	F(SOFTDIRTY) },
		{ S_UFFD_WP,	F(UFFD_WP) },
		{ S_EXCLUSIVE | S_SOFTDIRTY | S_UFFD_WP,
		  F(EXCLUSIVE) | F(SOFTDIRTY) | F(UFFD_WP) },
		{ E_ACCESSED | E_DIRTY, 0 },
		{ E_ACCESSED | S_SOFTDIRTY, F(SOFTDIRTY) },
	};
	unsigned int i, j;

	for (i = 0; i < NR_LAYOUTS; i++) {
		for (j = 0; j < ARRAY_SIZE(sw); j++) {
			CHECK(&layouts[i], swp_bits(2, 0x1234) | sw[j].bits,
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_SWAP,
			      .check = CK_PFN | CK_FLAGS | CK_SWAP |
				       CK_WRITABLE,
			      .pfn = VMVIEW_NO_PFN, .flags = sw[j].flags,
			      .swap_type = 2, .swap_offset = 0x1234,
			      .writable = false);
			CHECK(&layouts[i], swp_bits(0, 0) | sw[j].bits,
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_SWAP,
			      .check = CK_FLAGS | CK_SWAP,
			      .flags = sw[j].flags,
			      .swap_type = 0, .swap_offset = 0);
		}
	}
}

/*
 * Migration entries: the pfn is swp_offset_pfn() = offset &
 * (BIT(SWP_PFN_BITS) - 1); SWP_MIG_YOUNG_BIT = SWP_PFN_BITS and
 * SWP_MIG_DIRTY_BIT = SWP_PFN_BITS + 1 are in the offset but not the pfn.
 */
static void check_pfn_kind(const struct test_layout *t, unsigned int type,
			   enum vmview_kind kind)
{
	const unsigned int pb = t->l.swp_pfn_bits;
	const u64 pmask = BIT64(pb) - 1;
	const u64 pfns[] = { 0, 1, 0x12345, BIT64(pb - 1), pmask };
	const u64 extra[] = {
		0, BIT64(pb), BIT64(pb + 1), BIT64(pb) | BIT64(pb + 1),
	};
	unsigned int j, k;

	for (j = 0; j < ARRAY_SIZE(pfns); j++) {
		for (k = 0; k < ARRAY_SIZE(extra); k++) {
			u64 off = pfns[j] | extra[k];

			CHECK(t, swp_bits(type, off), VMVIEW_LEVEL_PTE,
			      .kind = kind,
			      .check = CK_PFN | CK_FLAGS | CK_SWAP |
				       CK_SHIFT | CK_WRITABLE,
			      .pfn = pfns[j], .flags = 0,
			      .swap_type = type, .swap_offset = off,
			      .page_shift = 12, .writable = false);
		}
		CHECK(t, swp_bits(type, pfns[j]) | S_EXCLUSIVE | S_SOFTDIRTY |
		      S_UFFD_WP, VMVIEW_LEVEL_PTE, .kind = kind,
		      .check = CK_PFN | CK_FLAGS | CK_SWAP,
		      .pfn = pfns[j],
		      .flags = F(EXCLUSIVE) | F(SOFTDIRTY) | F(UFFD_WP),
		      .swap_type = type, .swap_offset = pfns[j]);
	}
}

UNIT_TEST(pte_migration)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];

		check_pfn_kind(t, t->l.type_migration_read,
			       VMVIEW_KIND_MIGRATION);
		check_pfn_kind(t, t->l.type_migration_read_exclusive,
			       VMVIEW_KIND_MIGRATION);
		check_pfn_kind(t, t->l.type_migration_write,
			       VMVIEW_KIND_MIGRATION);
	}
	/* literals: 6.1 write (29), 6.12 write (30) */
	CHECK(&layouts[0], 0xeffffffffdb97400ULL, VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MIGRATION, .check = CK_PFN | CK_SWAP,
	      .pfn = 0x12345, .swap_type = 29, .swap_offset = 0x12345);
	CHECK(&layouts[2], 0xf7fffffffdb97400ULL, VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MIGRATION, .check = CK_PFN | CK_SWAP,
	      .pfn = 0x12345, .swap_type = 30, .swap_offset = 0x12345);
}

UNIT_TEST(pte_hwpoison)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++)
		check_pfn_kind(&layouts[i], layouts[i].l.type_hwpoison,
			       VMVIEW_KIND_HWPOISON);
}

UNIT_TEST(pte_device_private_exclusive)
{
	const struct test_layout *t = &layout_devpriv;

	check_pfn_kind(t, 27, VMVIEW_KIND_DEVICE_PRIVATE);
	check_pfn_kind(t, 28, VMVIEW_KIND_DEVICE_PRIVATE);
	check_pfn_kind(t, 29, VMVIEW_KIND_DEVICE_EXCLUSIVE);
	check_pfn_kind(t, 30, VMVIEW_KIND_DEVICE_EXCLUSIVE);
	check_pfn_kind(t, 23, VMVIEW_KIND_HWPOISON);
	check_pfn_kind(t, 24, VMVIEW_KIND_MIGRATION);
	check_pfn_kind(t, 26, VMVIEW_KIND_MIGRATION);
	CHECK(t, swp_bits(22, 5), VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_SWAP,
	      .check = CK_PFN | CK_SWAP, .pfn = VMVIEW_NO_PFN,
	      .swap_type = 22, .swap_offset = 5);
	CHECK(t, swp_bits(31, MARKER_UFFD_WP), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MARKER, .check = CK_PFN | CK_SWAP,
	      .pfn = VMVIEW_NO_PFN, .swap_type = 31,
	      .swap_offset = MARKER_UFFD_WP);
}

UNIT_TEST(pte_marker)
{
	const u64 markers[] = {
		MARKER_UFFD_WP, MARKER_POISONED,
		MARKER_UFFD_WP | MARKER_POISONED,
	};
	unsigned int i, j;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];

		for (j = 0; j < ARRAY_SIZE(markers); j++)
			CHECK(t, swp_bits(t->l.type_marker, markers[j]),
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_MARKER,
			      .check = CK_PFN | CK_FLAGS | CK_SWAP |
				       CK_WRITABLE,
			      .pfn = VMVIEW_NO_PFN, .flags = 0,
			      .swap_type = t->l.type_marker,
			      .swap_offset = markers[j], .writable = false);
		/* the swap-only bits still read as flags on a marker */
		CHECK(t, swp_bits(t->l.type_marker, 1) | S_SOFTDIRTY,
		      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_MARKER,
		      .check = CK_PFN | CK_FLAGS, .pfn = VMVIEW_NO_PFN,
		      .flags = F(SOFTDIRTY));
	}
	/* literals: 6.1 marker type 30, 6.12 type 31 */
	CHECK(&layouts[0], 0xf7fffffffffffc00ULL, VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MARKER, .check = CK_SWAP | CK_PFN,
	      .pfn = VMVIEW_NO_PFN, .swap_type = 30, .swap_offset = 1);
	CHECK(&layouts[3], 0xfffffffffffffc00ULL, VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MARKER, .check = CK_SWAP | CK_PFN,
	      .pfn = VMVIEW_NO_PFN, .swap_type = 31, .swap_offset = 1);
}

/*
 * 6.1's SWP_SWAPIN_ERROR (31): make_swapin_error_entry() stores a pfn,
 * but it is not a pfn swap entry (is_pfn_swap_entry() leaves it out):
 * it is the poison marker of 6.1 and holds no frame for vmview.
 */
UNIT_TEST(pte_swapin_error_61)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];

		if (!t->swapin_error)
			continue;
		EXPECT_EQ(t->l.type_swapin_error, 31);
		CHECK(t, swp_bits(31, 0x12345), VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_MARKER,
		      .check = CK_PFN | CK_FLAGS | CK_SWAP,
		      .pfn = VMVIEW_NO_PFN, .flags = 0, .swap_type = 31,
		      .swap_offset = 0x12345);
		CHECK(t, swp_bits(31, 0), VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_MARKER, .check = CK_PFN | CK_SWAP,
		      .pfn = VMVIEW_NO_PFN, .swap_type = 31, .swap_offset = 0);
	}
}

/* The same type means different things on 6.1 and 6.12. */
UNIT_TEST(types_differ_61_612)
{
	const u64 off = 0x4321;

	/* 26: 6.1 hwpoison, 6.12 a swap file */
	CHECK(&layouts[0], swp_bits(26, off), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_HWPOISON, .check = CK_PFN, .pfn = off);
	CHECK(&layouts[2], swp_bits(26, off), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_SWAP, .check = CK_PFN | CK_SWAP,
	      .pfn = VMVIEW_NO_PFN, .swap_type = 26, .swap_offset = off);
	/* 27: 6.1 migration read, 6.12 hwpoison */
	CHECK(&layouts[0], swp_bits(27, off), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MIGRATION, .check = CK_PFN, .pfn = off);
	CHECK(&layouts[2], swp_bits(27, off), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_HWPOISON, .check = CK_PFN, .pfn = off);
	/* 30: 6.1 marker, 6.12 migration write */
	CHECK(&layouts[0], swp_bits(30, 1), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MARKER, .check = CK_PFN, .pfn = VMVIEW_NO_PFN);
	CHECK(&layouts[2], swp_bits(30, 1), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MIGRATION, .check = CK_PFN, .pfn = 1);
	/* 31: 6.1 swapin error, 6.12 marker: both markers */
	CHECK(&layouts[1], swp_bits(31, 1), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MARKER, .check = CK_PFN, .pfn = VMVIEW_NO_PFN);
	CHECK(&layouts[3], swp_bits(31, 1), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MARKER, .check = CK_PFN, .pfn = VMVIEW_NO_PFN);
}

/* The pfn bits of a migration entry depend on the paging mode. */
UNIT_TEST(migration_pfn_bits_4l_5l)
{
	/* offset with bits 0, 34, 35 and 39 set */
	const u64 off = 1 | BIT64(34) | BIT64(35) | BIT64(39);

	/* 5-level: 40 pfn bits, the pfn is the whole offset */
	CHECK(&layouts[0], swp_bits(27, off), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MIGRATION, .check = CK_PFN | CK_SWAP,
	      .pfn = off, .swap_type = 27, .swap_offset = off);
	/* 4-level: 34 pfn bits; 34 and 35 are young and dirty */
	CHECK(&layouts[1], swp_bits(27, off), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MIGRATION, .check = CK_PFN | CK_SWAP,
	      .pfn = 1, .swap_type = 27, .swap_offset = off);
	CHECK(&layouts[3], swp_bits(28, off), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MIGRATION, .check = CK_PFN | CK_SWAP,
	      .pfn = 1, .swap_type = 28, .swap_offset = off);
}

/* ---- pmd level ---- */

UNIT_TEST(pmd_table_and_none)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		CHECK(&layouts[i], 0, VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_NONE);
		/* pmd_none() ignores the KNL erratum bits too */
		CHECK(&layouts[i], E_ACCESSED | E_DIRTY, VMVIEW_LEVEL_PMD,
		      .kind = VMVIEW_KIND_NONE);
		CHECK(&layouts[i], E_TABLE | pfn_bits(0x123459),
		      VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_TABLE);
		CHECK(&layouts[i], 0x0000000123459067ULL, VMVIEW_LEVEL_PMD,
		      .kind = VMVIEW_KIND_TABLE);
		/* a kernel-style table entry (no USER) is a table too */
		CHECK(&layouts[i], E_PRESENT | E_RW | E_ACCESSED | E_DIRTY |
		      pfn_bits(0x5000), VMVIEW_LEVEL_PMD,
		      .kind = VMVIEW_KIND_TABLE);
	}
}

UNIT_TEST(pmd_huge_leaf)
{
	const u64 base = E_PRESENT | E_RW | E_USER | E_ACCESSED | E_DIRTY |
			 E_PSE;
	const u32 fbase = F(PRESENT) | F(RW) | F(USER) | F(ACCESSED) |
			  F(DIRTY) | F(PSE);
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];

		/* the doc's example */
		CHECK(t, 0x80000000234008e7ULL, VMVIEW_LEVEL_PMD,
		      .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
		      .pfn = 0x23400,
		      .flags = fbase | F(SOFTDIRTY) | F(NX),
		      .page_shift = 21, .writable = true);
		/* bit 7 is PSE here, never PAT */
		CHECK(t, base | pfn_bits(0x23400), VMVIEW_LEVEL_PMD,
		      .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
		      .pfn = 0x23400, .flags = fbase, .page_shift = 21,
		      .writable = true);
		/* PAT is bit 12 (_PAGE_BIT_PAT_LARGE), not part of the pfn */
		CHECK(t, base | E_PAT_LARGE | pfn_bits(0x23400),
		      VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT,
		      .pfn = 0x23400, .flags = fbase | F(PAT),
		      .page_shift = 21);
		/* pmd_pfn() masks with bits 21..51: the pfn is aligned */
		CHECK(t, base | (0x1ffULL << 12) | pfn_bits(0x23400),
		      VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_SHIFT, .pfn = 0x23400,
		      .page_shift = 21);
		CHECK(t, base | (PMD_PFN_MASK & ~0ULL), VMVIEW_LEVEL_PMD,
		      .kind = VMVIEW_KIND_PRESENT, .check = CK_PFN,
		      .pfn = MAX_PFN & ~0x1ffULL);
		/* read-only, global, devmap, pkeys */
		CHECK(t, (base & ~E_RW) | E_GLOBAL | BIT64(t->devmap_bit) |
		      E_PKEYS | pfn_bits(0x400), VMVIEW_LEVEL_PMD,
		      .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_WRITABLE,
		      .pfn = 0x400,
		      .flags = (fbase & ~F(RW)) | F(GLOBAL) | F(DEVMAP),
		      .writable = false);
		/* saved dirty: pmd_dirty() on 6.12 */
		if (t->saved_dirty)
			CHECK(t, (base & ~(E_RW | E_DIRTY)) | E_BIT58 |
			      pfn_bits(0x600), VMVIEW_LEVEL_PMD,
			      .kind = VMVIEW_KIND_PRESENT,
			      .check = CK_PFN | CK_FLAGS | CK_WRITABLE,
			      .pfn = 0x600,
			      .flags = fbase & ~F(RW), .writable = false);
	}
}

/* A THP under NUMA hinting: PSE | PROTNONE, pfn inverted in 21..51. */
UNIT_TEST(pmd_protnone)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		CHECK(&layouts[i], E_PROTNONE | E_ACCESSED | E_PSE |
		      protnone_pfn_bits(0x23400, PMD_PFN_MASK),
		      VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PROTNONE,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT,
		      .pfn = 0x23400,
		      .flags = F(PROTNONE) | F(ACCESSED) | F(PSE),
		      .page_shift = 21);
		CHECK(&layouts[i], 0x000fffffdca001a0ULL, VMVIEW_LEVEL_PMD,
		      .kind = VMVIEW_KIND_PROTNONE, .check = CK_PFN,
		      .pfn = 0x23400);
	}
}

/*
 * A THP being split: pmdp_invalidate() writes pmd_mkinvalid(), which is
 * pfn_pmd(pmd_pfn(pmd), flags & ~(PRESENT | PROTNONE)).  PSE stays, so
 * pmd_present() is still true; the entry is non-zero and !PRESENT, so
 * pfn_pmd() stored the pfn inverted and pmd_pfn() inverts it back.
 */
UNIT_TEST(pmd_invalidated_thp)
{
	const u64 flags = E_RW | E_USER | E_ACCESSED | E_DIRTY | E_PSE;
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++)
		CHECK(&layouts[i], flags |
		      protnone_pfn_bits(0x23400, PMD_PFN_MASK),
		      VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT,
		      .pfn = 0x23400,
		      .flags = F(RW) | F(USER) | F(ACCESSED) | F(DIRTY) |
			       F(PSE),
		      .page_shift = 21);
}

/* set_pmd_migration_entry(): a swap-format pmd, PSE clear. */
UNIT_TEST(pmd_migration)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];
		const u8 types[] = {
			t->l.type_migration_read,
			t->l.type_migration_read_exclusive,
			t->l.type_migration_write,
		};
		unsigned int j;

		for (j = 0; j < 3; j++) {
			CHECK(t, swp_bits(types[j], 0x23400), VMVIEW_LEVEL_PMD,
			      .kind = VMVIEW_KIND_MIGRATION,
			      .check = CK_PFN | CK_FLAGS | CK_SWAP |
				       CK_SHIFT | CK_WRITABLE,
			      .pfn = 0x23400, .flags = 0,
			      .swap_type = types[j], .swap_offset = 0x23400,
			      .page_shift = 21, .writable = false);
			CHECK(t, swp_bits(types[j], 0x23400 |
					  BIT64(t->l.swp_pfn_bits)) |
			      S_SOFTDIRTY | S_UFFD_WP, VMVIEW_LEVEL_PMD,
			      .kind = VMVIEW_KIND_MIGRATION,
			      .check = CK_PFN | CK_FLAGS | CK_SWAP,
			      .pfn = 0x23400,
			      .flags = F(SOFTDIRTY) | F(UFFD_WP),
			      .swap_type = types[j],
			      .swap_offset = 0x23400 |
					     BIT64(t->l.swp_pfn_bits));
		}
	}
}

/* ---- pud, p4d, pgd ---- */

UNIT_TEST(pud_levels)
{
	const u64 leaf = E_PRESENT | E_RW | E_USER | E_ACCESSED | E_DIRTY |
			 E_PSE | E_NX;
	const u32 fleaf = F(PRESENT) | F(RW) | F(USER) | F(ACCESSED) |
			  F(DIRTY) | F(PSE) | F(NX);
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];

		CHECK(t, 0, VMVIEW_LEVEL_PUD, .kind = VMVIEW_KIND_NONE);
		/* so does pud_none() */
		CHECK(t, E_ACCESSED, VMVIEW_LEVEL_PUD, .kind = VMVIEW_KIND_NONE);
		CHECK(t, 0x0000000123458067ULL, VMVIEW_LEVEL_PUD,
		      .kind = VMVIEW_KIND_TABLE);
		/* 1 GiB leaf: pfn a multiple of 2^18 */
		CHECK(t, leaf | pfn_bits(0x40000), VMVIEW_LEVEL_PUD,
		      .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
		      .pfn = 0x40000, .flags = fleaf, .page_shift = 30,
		      .writable = true);
		/* PAT at bit 12; bits 12..29 are not pfn (pud_pfn_mask) */
		CHECK(t, leaf | (0x3ffffULL << 12) | pfn_bits(0x1c0000),
		      VMVIEW_LEVEL_PUD, .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS | CK_SHIFT,
		      .pfn = 0x1c0000, .flags = fleaf | F(PAT),
		      .page_shift = 30);
		CHECK(t, leaf | PUD_PFN_MASK, VMVIEW_LEVEL_PUD,
		      .kind = VMVIEW_KIND_PRESENT, .check = CK_PFN,
		      .pfn = MAX_PFN & ~0x3ffffULL);
	}
}

UNIT_TEST(p4d_pgd_levels)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];

		CHECK(t, 0, VMVIEW_LEVEL_P4D, .kind = VMVIEW_KIND_NONE);
		CHECK(t, 0, VMVIEW_LEVEL_PGD, .kind = VMVIEW_KIND_NONE);
		CHECK(t, 0x0000000123457067ULL, VMVIEW_LEVEL_P4D,
		      .kind = VMVIEW_KIND_TABLE);
		CHECK(t, 0x0000000123456067ULL, VMVIEW_LEVEL_PGD,
		      .kind = VMVIEW_KIND_TABLE);
		CHECK(t, E_TABLE | E_NX | pfn_bits(MAX_PFN), VMVIEW_LEVEL_PGD,
		      .kind = VMVIEW_KIND_TABLE);
		/* no leaves up here: PSE does not make one */
		CHECK(t, E_TABLE | E_PSE | pfn_bits(0x9999), VMVIEW_LEVEL_PGD,
		      .kind = VMVIEW_KIND_TABLE);
		CHECK(t, E_TABLE | E_PSE | pfn_bits(0x9999), VMVIEW_LEVEL_P4D,
		      .kind = VMVIEW_KIND_TABLE);
	}
}

/* ---- names ---- */

UNIT_TEST(kind_names)
{
	/* Documentation/vmview.rst, PID/ptes KIND and translate "none" */
	EXPECT_STREQ(vmv_kind_names[VMVIEW_KIND_NONE], "none");
	ASSERT(vmv_kind_names[VMVIEW_KIND_TABLE] != NULL);
	EXPECT_STREQ(vmv_kind_names[VMVIEW_KIND_PRESENT], "present");
	EXPECT_STREQ(vmv_kind_names[VMVIEW_KIND_PROTNONE], "protnone");
	EXPECT_STREQ(vmv_kind_names[VMVIEW_KIND_SWAP], "swap");
	EXPECT_STREQ(vmv_kind_names[VMVIEW_KIND_MIGRATION], "migration");
	EXPECT_STREQ(vmv_kind_names[VMVIEW_KIND_DEVICE_PRIVATE],
		     "device-private");
	EXPECT_STREQ(vmv_kind_names[VMVIEW_KIND_DEVICE_EXCLUSIVE],
		     "device-exclusive");
	EXPECT_STREQ(vmv_kind_names[VMVIEW_KIND_HWPOISON], "hwpoison");
	EXPECT_STREQ(vmv_kind_names[VMVIEW_KIND_MARKER], "marker");
	EXPECT(strcmp(vmv_kind_names[VMVIEW_KIND_TABLE], "none") != 0);
	EXPECT(strcmp(vmv_kind_names[VMVIEW_KIND_TABLE], "present") != 0);
}

UNIT_TEST(level_names)
{
	EXPECT_STREQ(vmv_level_names[VMVIEW_LEVEL_PTE], "pte");
	EXPECT_STREQ(vmv_level_names[VMVIEW_LEVEL_PMD], "pmd");
	EXPECT_STREQ(vmv_level_names[VMVIEW_LEVEL_PUD], "pud");
	EXPECT_STREQ(vmv_level_names[VMVIEW_LEVEL_P4D], "p4d");
	EXPECT_STREQ(vmv_level_names[VMVIEW_LEVEL_PGD], "pgd");
}

UNIT_TEST(flag_names)
{
	static const char * const want[VMVIEW_NR_FLAGS] = {
		[VMVIEW_F_PRESENT]		= "present",
		[VMVIEW_F_RW]		= "rw",
		[VMVIEW_F_USER]		= "user",
		[VMVIEW_F_PWT]		= "pwt",
		[VMVIEW_F_PCD]		= "pcd",
		[VMVIEW_F_ACCESSED]	= "accessed",
		[VMVIEW_F_DIRTY]		= "dirty",
		[VMVIEW_F_PSE]		= "pse",
		[VMVIEW_F_PAT]		= "pat",
		[VMVIEW_F_GLOBAL]		= "global",
		[VMVIEW_F_NX]		= "nx",
		[VMVIEW_F_SOFTDIRTY]	= "softdirty",
		[VMVIEW_F_SPECIAL]		= "special",
		[VMVIEW_F_UFFD_WP]		= "uffd-wp",
		[VMVIEW_F_DEVMAP]		= "devmap",
		[VMVIEW_F_PROTNONE]	= "protnone",
		[VMVIEW_F_EXCLUSIVE]	= "exclusive",
	};

	EXPECT_EQ(VMVIEW_NR_FLAGS, 17);
	EXPECT_NAMES(vmv_flag_names, want, VMVIEW_NR_FLAGS);
}

UNIT_MAIN()

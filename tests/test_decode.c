// SPDX-License-Identifier: GPL-2.0
// units: arch/x86/decode.c fmt.c
/*
 * Host unit tests for module/decode.c: every entry kind and flag, with
 * entries built bit by bit from the x86-64 definitions of Linux 6.1 and
 * 6.12 (arch/x86/include/asm/pgtable_types.h, pgtable_64.h,
 * pgtable_64_types.h, pgtable.h, pgtable-invert.h, include/linux/swap.h,
 * include/linux/swapops.h) and Debian's configs for those kernels; then
 * the two i386 formats of 6.1, PAE (pgtable-3level.h) and 2-level
 * (pgtable-2level.h), from Debian's 686-pae and 686 kernels.
 *
 * Every expected value is computed here from bit numbers; decode is
 * never used to compute what decode should return.
 */
#include <limits.h>

#include "unit.h"
#include "vmv_arch.h"

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
 * The swap types of include/linux/swap.h, in the order it stacks them
 * above the swap files: SWP_HWPOISON = MAX_SWAPFILES, then
 * SWP_MIGRATION_READ, _READ_EXCLUSIVE and _WRITE; the device and
 * marker types are given.
 */
#define SWAP_TYPES(max, marker, swapin_error)				\
		.max_swapfiles = (max),					\
		.type_hwpoison = (max),					\
		.type_migration_read = (max) + 1,			\
		.type_migration_read_exclusive = (max) + 2,		\
		.type_migration_write = (max) + 3,			\
		.type_marker = (marker),				\
		.type_swapin_error = (swapin_error)
#define NO_DEVICE_TYPES							\
		.type_device_private_read = VMV_NO_TYPE,		\
		.type_device_private_write = VMV_NO_TYPE,		\
		.type_device_exclusive_read = VMV_NO_TYPE,		\
		.type_device_exclusive_write = VMV_NO_TYPE

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
 * The entry format is vmv_arch.h's VMV_X86_64_ENTRIES, which
 * format_initializers below checks against the kernel headers bit by bit.
 */
#define LAYOUT_61(pfn_bits)						\
	{								\
		SWAP_TYPES(26, 30, 31),					\
		NO_DEVICE_TYPES,					\
		.swp_pfn_bits = (pfn_bits),				\
		.devmap_mask = BIT64(58),				\
		.saved_dirty_mask = 0,					\
		VMV_X86_64_ENTRIES,					\
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
		SWAP_TYPES(27, 31, VMV_NO_TYPE),			\
		NO_DEVICE_TYPES,					\
		.swp_pfn_bits = (pfn_bits),				\
		.devmap_mask = BIT64(57),				\
		.saved_dirty_mask = BIT64(58),				\
		VMV_X86_64_ENTRIES,					\
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
		SWAP_TYPES(23, 31, VMV_NO_TYPE),
		.type_device_private_write = 27,
		.type_device_private_read = 28,
		.type_device_exclusive_write = 29,
		.type_device_exclusive_read = 30,
		.swp_pfn_bits = 40,
		.devmap_mask = BIT64(57),
		.saved_dirty_mask = BIT64(58),
		VMV_X86_64_ENTRIES,
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

/*
 * 0 is none at level in every layout, and so is A | D alone:
 * pte_none() and pmd_none() ignore _PAGE_KNL_ERRATUM_MASK (A and D),
 * which some CPUs set in non-present entries.
 */
static void check_none(const struct test_layout *t, enum vmview_level level)
{
	CHECK(t, 0, level, .kind = VMVIEW_KIND_NONE);
	CHECK(t, E_ACCESSED | E_DIRTY, level, .kind = VMVIEW_KIND_NONE);
}

UNIT_TEST(pte_none)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++)
		check_none(&layouts[i], VMVIEW_LEVEL_PTE);
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

			if (vmv_swp_entry(&layouts[0].l, type,
					  offsets[j]) != e)
				UNIT_FAIL("vmv_swp_entry(%u, 0x%llx) = "
					  "0x%016llx, want 0x%016llx", type,
					  (unsigned long long)offsets[j],
					  (unsigned long long)
					  vmv_swp_entry(&layouts[0].l, type,
							offsets[j]),
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
	EXPECT_EQ(vmv_swp_entry(&layouts[2].l, 1, BIT64(50) | 5),
		  swp_bits(1, 5));
	EXPECT_EQ(vmv_swp_entry(&layouts[2].l, 3, ~0ULL),
		  swp_bits(3, BIT64(50) - 1));
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
		check_none(&layouts[i], VMVIEW_LEVEL_PMD);
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

/* A user's writable huge leaf: P|RW|U|A|D|PSE|NX, and its flags. */
#define E_RW_LEAF	(E_PRESENT | E_RW | E_USER | E_ACCESSED | E_DIRTY | \
			 E_PSE | E_NX)
#define F_RW_LEAF	(F(PRESENT) | F(RW) | F(USER) | F(ACCESSED) |	\
			 F(DIRTY) | F(PSE) | F(NX))

/*
 * An E_RW_LEAF of 2^shift bytes at level for pfn; and one for pat_pfn
 * with bits 12..shift-1 all set: PAT (bit 12, _PAGE_BIT_PAT_LARGE) and
 * ignored bits, not frame.
 */
static void check_rw_leaf(const struct test_layout *t, enum vmview_level level,
			  unsigned int shift, u64 pfn, u64 pat_pfn)
{
	CHECK(t, E_RW_LEAF | pfn_bits(pfn), level,
	      .kind = VMVIEW_KIND_PRESENT,
	      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
	      .pfn = pfn, .flags = F_RW_LEAF, .page_shift = shift,
	      .writable = true);
	CHECK(t, E_RW_LEAF | ((BIT64(shift - 12) - 1) << 12) |
	      pfn_bits(pat_pfn), level, .kind = VMVIEW_KIND_PRESENT,
	      .check = CK_PFN | CK_FLAGS | CK_SHIFT, .pfn = pat_pfn,
	      .flags = F_RW_LEAF | F(PAT), .page_shift = shift);
}

UNIT_TEST(pud_levels)
{
	unsigned int i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct test_layout *t = &layouts[i];

		CHECK(t, 0, VMVIEW_LEVEL_PUD, .kind = VMVIEW_KIND_NONE);
		/* so does pud_none() */
		CHECK(t, E_ACCESSED, VMVIEW_LEVEL_PUD, .kind = VMVIEW_KIND_NONE);
		CHECK(t, 0x0000000123458067ULL, VMVIEW_LEVEL_PUD,
		      .kind = VMVIEW_KIND_TABLE);
		/*
		 * 1 GiB leaf: pfn a multiple of 2^18; PAT at bit 12, bits
		 * 12..29 are not pfn (pud_pfn_mask)
		 */
		check_rw_leaf(t, VMVIEW_LEVEL_PUD, 30, 0x40000, 0x1c0000);
		CHECK(t, E_RW_LEAF | PUD_PFN_MASK, VMVIEW_LEVEL_PUD,
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

/* ---- i386: PAE (3 levels) and 2 levels, Debian 6.1 686-pae and 686 ---- */

/*
 * Debian 6.1.0-57-686-pae and -686, their .config: CONFIG_MIGRATION=y,
 * CONFIG_MEMORY_FAILURE=y, CONFIG_PTE_MARKER and CONFIG_DEVICE_PRIVATE
 * not set, CONFIG_FLATMEM=y, no CONFIG_MEM_SOFT_DIRTY, no
 * CONFIG_HAVE_ARCH_USERFAULTFD_WP, no CONFIG_ARCH_HAS_PTE_DEVMAP.
 * include/linux/swap.h:
 *   MAX_SWAPFILES = 32 - 0 - 3 - 1 - 0 - 1 = 27, SWP_HWPOISON 27,
 *   SWP_MIGRATION_READ 28, _READ_EXCLUSIVE 29, _WRITE 30,
 *   SWP_SWAPIN_ERROR = 27 + 1 + 3 + 0 + 0 = 31, no PTE marker type.
 * swapops.h, without MAX_PHYSMEM_BITS (FLATMEM): SWP_PFN_BITS =
 *   min(sizeof(phys_addr_t) * 8 - PAGE_SHIFT, SWP_TYPE_SHIFT), where
 *   SWP_TYPE_SHIFT = BITS_PER_XA_VALUE - MAX_SWAPFILES_SHIFT = 31 - 5 =
 *   26: 26 with PAE (64-bit phys_addr_t), 20 without (32-bit).
 * No swap-entry flag exists on either (_PAGE_SWP_EXCLUSIVE is x86-64's
 * only in 6.1; soft-dirty and uffd-wp are not configured).
 */
#define I386_61_TYPES							\
		SWAP_TYPES(27, VMV_NO_TYPE, 31),			\
		NO_DEVICE_TYPES

/*
 * PAE (pgtable-3level_types.h, pgtable-3level.h, page_32_types.h):
 * 64-bit entries, __PHYSICAL_MASK_SHIFT 52 (frames in bits 12..51),
 * NX bit 63, the KNL erratum mask A | D, PMD_SHIFT 21 and the 4 pgd
 * entries (PGDIR_SHIFT 30) only tables, pgtable-invert.h as on x86-64.
 * Swap: SWP_TYPE_BITS 5 in bits 59..63; SWP_OFFSET_FIRST_BIT 9,
 * SWP_OFFSET_SHIFT 14; __swp_pteval_entry() writes
 * ~(pteval_t)offset << 14 >> 5, but the offset comes from a 32-bit
 * swp_entry_t (type in bits 0..4, offset above: 27 bits), and the
 * generic swp_offset() keeps SWP_TYPE_SHIFT = 26 of them.  That is
 * vmv_arch.h's VMV_X86_PAE_ENTRIES (format_initializers checks it).
 */
static const struct test_layout layout_pae = {
	"6.1 i386 PAE",
	{ I386_61_TYPES, .swp_pfn_bits = 26, VMV_X86_PAE_ENTRIES },
	0, false, true,
};

/*
 * 2 levels (pgtable-2level_types.h, pgtable-2level.h, pgtable_types.h):
 * 32-bit entries, __PHYSICAL_MASK_SHIFT 32 (frames in bits 12..31),
 * _PAGE_NX 0, _PAGE_KNL_ERRATUM_MASK 0, the pmd folded into the pgd
 * (PGDIR_SHIFT 22 = PMD_SHIFT: 4 MiB PSE leaves in the pgd), nothing
 * inverted (protnone_mask() is 0).  Swap: __swp_entry() puts the type at
 * _PAGE_BIT_PRESENT + 1 = 1 (SWP_TYPE_BITS 5) and the offset at
 * SWP_OFFSET_SHIFT = _PAGE_BIT_PROTNONE + 1 = 9, as a 32-bit value:
 * 23 bits.  That is vmv_arch.h's VMV_X86_2LEVEL_ENTRIES.
 */
static const struct test_layout layout_2l = {
	"6.1 i386 2-level",
	{ I386_61_TYPES, .swp_pfn_bits = 20, VMV_X86_2LEVEL_ENTRIES },
	0, false, true,
};

/*
 * A PAE swap entry as __swp_pteval_entry() makes it, bit by bit: the
 * 26-bit offset through the 32-bit swp_entry_t, then ~offset as a 64-bit
 * value shifted left 14 and right 5 (bit i of ~offset at 9 + i, i < 50),
 * and the type at 59.
 */
static u64 pae_swp_bits(unsigned int type, u64 offset)
{
	u64 e = (u64)type << 59;
	unsigned int i;

	offset &= BIT64(26) - 1;
	for (i = 0; i < 50; i++)
		if (!(offset & BIT64(i)))
			e |= BIT64(9 + i);
	return e;
}

/* A 2-level swap entry: type << 1 | offset << 9, in 32 bits. */
static u64 l2_swp_bits(unsigned int type, u64 offset)
{
	return ((u64)type << 1 | offset << 9) & 0xffffffffULL;
}

/*
 * bits() gives hand_1_1234 for type 1, offset 0x1234 (worked out by
 * hand); for every type and offset, vmv_swp_entry() makes the entry
 * bits() makes, and each entry of a swap file's type decodes as that
 * swap; offset bits from offset_bits up are dropped on the way in.
 */
static void check_swap_entries(const struct test_layout *t,
			       u64 (*bits)(unsigned int type, u64 offset),
			       u64 hand_1_1234, unsigned int offset_bits,
			       const u64 *offsets, unsigned int n)
{
	unsigned int type, j;

	EXPECT_EQ(bits(1, 0x1234), hand_1_1234);
	EXPECT_EQ(vmv_swp_entry(&t->l, 2, BIT64(offset_bits) | 7),
		  bits(2, 7));
	for (type = 0; type < 32; type++) {
		for (j = 0; j < n; j++) {
			u64 e = bits(type, offsets[j]);
			u64 got = vmv_swp_entry(&t->l, type, offsets[j]);

			if (got != e)
				UNIT_FAIL("%s: vmv_swp_entry(%u, 0x%llx) = "
					  "0x%016llx, want 0x%016llx", t->name,
					  type, (unsigned long long)offsets[j],
					  (unsigned long long)got,
					  (unsigned long long)e);
			if (type >= t->l.max_swapfiles)
				continue;
			CHECK(t, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_SWAP,
			      .check = CK_PFN | CK_FLAGS | CK_SWAP | CK_SHIFT,
			      .pfn = VMVIEW_NO_PFN, .flags = 0,
			      .swap_type = type, .swap_offset = offsets[j],
			      .page_shift = 12);
		}
	}
}

UNIT_TEST(pae_present)
{
	const struct test_layout *t = &layout_pae;
	const u64 pfns[] = { 1, 0x12345, 0xfffff, 0x100000, 0x123456,
			     0xffffff, BIT64(40) - 1 };
	unsigned int j;

	/* a user page: P|RW|U|A|D, NX, a frame above 4 GiB */
	CHECK(t, 0x8000000123456067ULL, VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_PRESENT,
	      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
	      .pfn = 0x123456,
	      .flags = F(PRESENT) | F(RW) | F(USER) | F(ACCESSED) |
		       F(DIRTY) | F(NX),
	      .page_shift = 12, .writable = true);
	/* executable, read-only: no NX */
	CHECK(t, 0x0000000001234025ULL, VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_PRESENT,
	      .check = CK_PFN | CK_FLAGS | CK_WRITABLE, .pfn = 0x1234,
	      .flags = F(PRESENT) | F(USER) | F(ACCESSED),
	      .writable = false);
	for (j = 0; j < ARRAY_SIZE(pfns); j++)
		CHECK(t, E_PRESENT | E_NX | pfn_bits(pfns[j]),
		      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .check = CK_PFN | CK_FLAGS, .pfn = pfns[j],
		      .flags = F(PRESENT) | F(NX));
	/* A and D alone are none (KNL erratum), as on x86-64 */
	CHECK(t, E_ACCESSED | E_DIRTY, VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_NONE);
	/* protnone: PAGE_NONE, the frame inverted in bits 12..51 */
	CHECK(t, E_PROTNONE | E_ACCESSED |
	      protnone_pfn_bits(0x123456, PFN_MASK), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_PROTNONE, .check = CK_PFN | CK_FLAGS,
	      .pfn = 0x123456, .flags = F(PROTNONE) | F(ACCESSED));
}

/* pmd: 2 MiB leaves (PMD_SHIFT 21) and tables; pgd: the 4 PDPTEs. */
UNIT_TEST(pae_pmd_pgd)
{
	const struct test_layout *t = &layout_pae;

	/* bits 12..20 are PAT and ignored, not frame */
	check_rw_leaf(t, VMVIEW_LEVEL_PMD, 21, 0x123400, 0x123400);
	/* a THP under NUMA hinting: inverted, as on x86-64 */
	CHECK(t, E_PROTNONE | E_ACCESSED | E_PSE |
	      protnone_pfn_bits(0x23400, PMD_PFN_MASK), VMVIEW_LEVEL_PMD,
	      .kind = VMVIEW_KIND_PROTNONE, .check = CK_PFN | CK_SHIFT,
	      .pfn = 0x23400, .page_shift = 21);
	CHECK(t, E_TABLE | pfn_bits(0x1234a), VMVIEW_LEVEL_PMD,
	      .kind = VMVIEW_KIND_TABLE, .check = CK_PFN, .pfn = 0x1234a);
	/* pud_populate(): a PDPTE holds PRESENT and the address only */
	CHECK(t, 0x000000001234a001ULL, VMVIEW_LEVEL_PGD,
	      .kind = VMVIEW_KIND_TABLE, .check = CK_PFN, .pfn = 0x1234a);
	/* and is never a leaf, whatever bit 7 says */
	CHECK(t, E_PRESENT | E_PSE | pfn_bits(0x40000), VMVIEW_LEVEL_PGD,
	      .kind = VMVIEW_KIND_TABLE, .check = CK_PFN, .pfn = 0x40000);
	CHECK(t, 0, VMVIEW_LEVEL_PGD, .kind = VMVIEW_KIND_NONE);
}

UNIT_TEST(pae_swap)
{
	const struct test_layout *t = &layout_pae;
	const u64 offsets[] = { 1, 0x1234, 0x3ffffff, BIT64(25) };

	/* type 1, offset 0x1234 worked out by hand; 26 offset bits */
	check_swap_entries(t, pae_swp_bits, 0x0fffffffffdb9600ULL, 26,
			   offsets, ARRAY_SIZE(offsets));
	/* bits 1..3 mean nothing in a 6.1 PAE swap entry */
	CHECK(t, pae_swp_bits(2, 0x1234) | S_SOFTDIRTY | S_UFFD_WP |
	      S_EXCLUSIVE, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_SWAP,
	      .check = CK_FLAGS | CK_SWAP, .flags = 0, .swap_type = 2,
	      .swap_offset = 0x1234);
	/* migration (write, 30): the frame is the offset's 26 bits */
	CHECK(t, pae_swp_bits(30, 0x123456), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MIGRATION, .check = CK_PFN | CK_SWAP,
	      .pfn = 0x123456, .swap_type = 30, .swap_offset = 0x123456);
	CHECK(t, pae_swp_bits(27, 0x42), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_HWPOISON, .check = CK_PFN, .pfn = 0x42);
	/* 31 is 6.1's swap-in error marker */
	CHECK(t, pae_swp_bits(31, 0x42), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MARKER, .check = CK_PFN,
	      .pfn = VMVIEW_NO_PFN);
}

UNIT_TEST(l2_present_and_pgd_leaf)
{
	const struct test_layout *t = &layout_2l;
	const u32 fuser = F(PRESENT) | F(RW) | F(USER) | F(ACCESSED) |
			  F(DIRTY);

	/* P|RW|U|A|D: no NX bit in this format */
	CHECK(t, 0x12345067ULL, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
	      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
	      .pfn = 0x12345, .flags = fuser, .page_shift = 12,
	      .writable = true);
	CHECK(t, 0xfffff067ULL, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
	      .check = CK_PFN, .pfn = 0xfffff);
	/* every low bit, as on x86-64 (PAT is bit 7 in a pte) */
	CHECK(t, 0x12345fffULL, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
	      .check = CK_PFN | CK_FLAGS, .pfn = 0x12345,
	      .flags = fuser | F(PWT) | F(PCD) | F(PAT) | F(GLOBAL) |
		       F(SPECIAL) | F(UFFD_WP) | F(SOFTDIRTY));
	/* protnone (PAGE_NONE): the frame is not inverted */
	CHECK(t, 0x12345120ULL, VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_PROTNONE, .check = CK_PFN | CK_FLAGS,
	      .pfn = 0x12345, .flags = F(PROTNONE) | F(ACCESSED));
	/* a 4 MiB PSE leaf is a pgd entry: PGDIR_SHIFT 22 */
	CHECK(t, 0x1c0000e7ULL, VMVIEW_LEVEL_PGD, .kind = VMVIEW_KIND_PRESENT,
	      .check = CK_PFN | CK_FLAGS | CK_SHIFT | CK_WRITABLE,
	      .pfn = 0x1c000, .flags = fuser | F(PSE), .page_shift = 22,
	      .writable = true);
	/* bit 12 is PAT there, bits 13..21 not frame */
	CHECK(t, 0x1c3ff0e5ULL, VMVIEW_LEVEL_PGD, .kind = VMVIEW_KIND_PRESENT,
	      .check = CK_PFN | CK_FLAGS | CK_SHIFT, .pfn = 0x1c000,
	      .flags = (fuser & ~F(RW)) | F(PSE) | F(PAT), .page_shift = 22);
	/* a 4 MiB THP under NUMA hinting (not inverted) */
	CHECK(t, 0x1c0001a0ULL, VMVIEW_LEVEL_PGD,
	      .kind = VMVIEW_KIND_PROTNONE, .check = CK_PFN | CK_SHIFT,
	      .pfn = 0x1c000, .page_shift = 22);
	/* a pgd entry pointing to a pte table (_PAGE_TABLE) */
	CHECK(t, 0x01234067ULL, VMVIEW_LEVEL_PGD, .kind = VMVIEW_KIND_TABLE,
	      .check = CK_PFN, .pfn = 0x1234);
	CHECK(t, 0, VMVIEW_LEVEL_PGD, .kind = VMVIEW_KIND_NONE);
	/*
	 * pte_none() ignores nothing here (_PAGE_KNL_ERRATUM_MASK is 0):
	 * A | D alone is a swap entry (type 16, offset 0).
	 */
	CHECK(t, E_ACCESSED | E_DIRTY, VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_SWAP, .check = CK_SWAP, .swap_type = 16,
	      .swap_offset = 0);
}

UNIT_TEST(l2_swap)
{
	const struct test_layout *t = &layout_2l;
	const u64 offsets[] = { 1, 0x1234, 0x7fffff, BIT64(22) };

	/* the 32-bit entry holds 23 offset bits */
	check_swap_entries(t, l2_swp_bits, 0x246802ULL, 23,
			   offsets, ARRAY_SIZE(offsets));
	/* migration: 20 frame bits, then young and dirty */
	CHECK(t, l2_swp_bits(30, 0x12345 | BIT64(20) | BIT64(21)),
	      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_MIGRATION,
	      .check = CK_PFN | CK_SWAP, .pfn = 0x12345, .swap_type = 30,
	      .swap_offset = 0x12345 | BIT64(20) | BIT64(21));
	CHECK(t, l2_swp_bits(28, 0xfffff), VMVIEW_LEVEL_PTE,
	      .kind = VMVIEW_KIND_MIGRATION, .check = CK_PFN, .pfn = 0xfffff);
}

/*
 * The dump's inline path (vmv_pte_present_flags(), vmv_pte_pfn(), and
 * vmv_fast_pte_flags(), vmv_fast_pte_pfn() from the layout's fast part
 * that its loop reads) reads every present PTE of every format as
 * vmv_decode() does; vmv_fast_pte_normal() is vmv_pte_present_normal(),
 * and takes no entry with the fast part's normal_mask cleared (the dump
 * clears it for VM_PFNMAP and VM_MIXEDMAP VMAs).
 */
UNIT_TEST(fast_path_all_formats)
{
	const struct test_layout *ts[] = {
		&layouts[0], &layouts[2], &layout_pae, &layout_2l,
	};
	uint64_t seed = 0x243f6a8885a308d3ULL;
	unsigned int i, lo, bad = 0;

	vmv_decode_init();
	for (i = 0; i < ARRAY_SIZE(ts); i++) {
		const struct vmv_layout *l = &ts[i]->l;
		const struct vmv_pte_fast fast = vmv_pte_fast(l);
		struct vmv_pte_fast none = vmv_pte_fast(l);

		none.normal_mask = 0;
		for (lo = 0; lo < 4096; lo++) {
			u64 r = unit_xorshift(&seed);
			u64 e = (r & l->pfn_mask) | lo | E_PRESENT;
			struct vmv_decoded d;

			if (l->nx_mask)
				e |= r & E_NX;
			if (r & 1)	/* devmap on the layouts that have it */
				e |= l->devmap_mask;
			vmv_decode(l, e, VMVIEW_LEVEL_PTE, &d);
			if (d.kind != VMVIEW_KIND_PRESENT ||
			    d.pfn != vmv_pte_pfn(l, e) ||
			    d.flags != vmv_pte_present_flags(l, e) ||
			    d.pfn != vmv_fast_pte_pfn(&fast, e) ||
			    d.flags != vmv_fast_pte_flags(&fast, e) ||
			    vmv_fast_pte_normal(&fast, e) !=
			    vmv_pte_present_normal(l, e) ||
			    vmv_fast_pte_normal(&none, e)) {
				if (!bad++)
					UNIT_FAIL("%s: 0x%016llx", ts[i]->name,
						  (unsigned long long)e);
			}
		}
	}
	EXPECT_EQ(bad, 0);
}

/*
 * vmv_arch.h's format initializers (which every layout above and other
 * tests use) are the formats worked out bit by bit.
 *
 * x86-64 (pgtable_64.h, pgtable_64_types.h, pgtable-invert.h), the same
 * in 6.1 and 6.12: frames in bits 12..51, NX bit 63, A and D alone are
 * none (_PAGE_KNL_ERRATUM_MASK), leaves at pte (PAGE_SHIFT 12), pmd
 * (PMD_SHIFT 21) and pud (PUD_SHIFT 30), PFNs of non-present leaves
 * inverted; swap entries: type in bits 59..63 (64 - SWP_TYPE_BITS),
 * ~offset from SWP_OFFSET_FIRST_BIT 9 for 64 - SWP_OFFSET_SHIFT = 50
 * bits, and the flags of S_* above.  PAE and 2 levels: see layout_pae
 * and layout_2l.
 */
struct want_format {
	u64 pfn_mask, nx_mask, none_mask;
	u8 leaf_shift[VMVIEW_NR_LEVELS];	/* pte, pmd, pud, p4d, pgd */
	bool pfn_inverted;
	u8 type_shift, type_bits, offset_shift, offset_bits;
	bool swp_inverted;
	u64 soft_dirty, uffd_wp, exclusive;
};

static const struct want_format want_x86_64 = {
	PFN_MASK, E_NX, E_ACCESSED | E_DIRTY, { 12, 21, 30, 0, 0 }, true,
	59, 5, 9, 50, true, S_SOFTDIRTY, S_UFFD_WP, S_EXCLUSIVE,
};
static const struct want_format want_pae = {
	PFN_MASK, E_NX, E_ACCESSED | E_DIRTY, { 12, 21, 0, 0, 0 }, true,
	59, 5, 9, 26, true, 0, 0, 0,
};
static const struct want_format want_2l = {
	0xfffff000ULL, 0, 0, { 12, 0, 0, 0, 22 }, false,
	1, 5, 9, 23, false, 0, 0, 0,
};

static void check_format(const char *name, const struct vmv_layout *l,
			 const struct want_format *w)
{
	const struct {
		const char *field;
		u64 got, want;
	} f[] = {
		{ "pfn_mask", l->pfn_mask, w->pfn_mask },
		{ "nx_mask", l->nx_mask, w->nx_mask },
		{ "none_mask", l->none_mask, w->none_mask },
		{ "pfn_inverted", l->pfn_inverted, w->pfn_inverted },
		{ "swp_type_shift", l->swp_type_shift, w->type_shift },
		{ "swp_type_bits", l->swp_type_bits, w->type_bits },
		{ "swp_offset_shift", l->swp_offset_shift, w->offset_shift },
		{ "swp_offset_bits", l->swp_offset_bits, w->offset_bits },
		{ "swp_inverted", l->swp_inverted, w->swp_inverted },
		{ "swp_soft_dirty_mask", l->swp_soft_dirty_mask, w->soft_dirty },
		{ "swp_uffd_wp_mask", l->swp_uffd_wp_mask, w->uffd_wp },
		{ "swp_exclusive_mask", l->swp_exclusive_mask, w->exclusive },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		if (f[i].got != f[i].want)
			UNIT_FAIL("%s: %s 0x%llx, want 0x%llx", name, f[i].field,
				  (unsigned long long)f[i].got,
				  (unsigned long long)f[i].want);
	for (i = 0; i < VMVIEW_NR_LEVELS; i++)
		if (l->leaf_shift[i] != w->leaf_shift[i])
			UNIT_FAIL("%s: leaf_shift[%s] %u, want %u", name,
				  level_str(i), l->leaf_shift[i],
				  w->leaf_shift[i]);
}

UNIT_TEST(format_initializers)
{
	const struct vmv_layout x86_64 = { VMV_X86_64_ENTRIES };
	const struct vmv_layout pae = { VMV_X86_PAE_ENTRIES };
	const struct vmv_layout two = { VMV_X86_2LEVEL_ENTRIES };
	unsigned int i;

	check_format("VMV_X86_64_ENTRIES", &x86_64, &want_x86_64);
	check_format("VMV_X86_PAE_ENTRIES", &pae, &want_pae);
	check_format("VMV_X86_2LEVEL_ENTRIES", &two, &want_2l);
	for (i = 0; i < NR_LAYOUTS; i++)
		check_format(layouts[i].name, &layouts[i].l, &want_x86_64);
	check_format(layout_devpriv.name, &layout_devpriv.l, &want_x86_64);
	check_format(layout_pae.name, &layout_pae.l, &want_pae);
	check_format(layout_2l.name, &layout_2l.l, &want_2l);
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
	EXPECT_EQ(VMVIEW_NR_FLAGS, 17);
	EXPECT_NAME_LIST(vmv_flag_names, VMVIEW_NR_FLAGS,
			 "present,rw,user,pwt,pcd,accessed,dirty,pse,pat,"
			 "global,nx,softdirty,special,uffd-wp,devmap,protnone,"
			 "exclusive");
}

UNIT_MAIN()

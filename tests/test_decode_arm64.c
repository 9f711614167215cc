// SPDX-License-Identifier: GPL-2.0
// units: arch/arm64/decode.c fmt.c
/*
 * Host unit tests for module/arch/arm64/decode.c and the inline fast path
 * of module/arch/arm64/vmv_arch.h: every entry kind, flag and memory type
 * of the five descriptor formats vmview knows (6.12 with 4 KiB and 16 KiB
 * granules, LPA2 on and off at boot, and 6.1 with 4 KiB), with entries
 * built bit by bit from the kernels' own definitions:
 *
 *   arch/arm64/include/asm/pgtable-hwdef.h   descriptor bits, PTE_ADDR_*
 *   arch/arm64/include/asm/pgtable-prot.h    software bits, PAGE_*
 *   arch/arm64/include/asm/pgtable.h         pte_*() / pmd_*() helpers,
 *                                            __pte_to_phys(), swap format
 *   arch/arm64/include/asm/pgalloc.h         table entries
 *   arch/arm64/include/asm/memory.h          MT_* (the MAIR_EL1 layout)
 *   arch/arm64/include/asm/sparsemem.h       MAX_PHYSMEM_BITS
 *   include/linux/swap.h, swapops.h          swap types, SWP_PFN_BITS
 *
 * of Debian's linux-headers-6.12.117+deb12 and 6.1.0-57, with the arm64
 * configs of /var/cache/vmview/roots/bookworm-arm64 (6.12 arm64 and
 * arm64-16k, 6.1 arm64).  Every expected value is computed here from bit
 * numbers and the kernel's predicates; the decoder is never used to
 * compute what it should return.
 */
#include <limits.h>

#include "unit.h"
#include "vmv_arch.h"
#include "fmt.h"

unsigned long vmv_host_fail_after, vmv_host_allocs;

#define BIT64(n)	(1ULL << (n))
#define GENMASK64(h, l)	((~0ULL >> (63 - (h))) & ~(BIT64(l) - 1))
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * pgtable-hwdef.h (the same in 6.1 and 6.12): PTE_VALID, PTE_TABLE_BIT
 * (PMD_TABLE_BIT, PUD_TABLE_BIT), PTE_TYPE_PAGE = PMD_TYPE_TABLE = 3,
 * PTE_ATTRINDX(t) = t << 2, PTE_USER (AP[1]), PTE_RDONLY (AP[2]),
 * PTE_SHARED (SH[1:0], inner shareable), PTE_AF, PTE_NG, PTE_GP (BTI),
 * PTE_DBM, PTE_CONT, PTE_PXN, PTE_UXN; PMD_TABLE_PXN (bit 59) and
 * PMD_TABLE_UXN (60) of a table descriptor.
 */
#define D_VALID		BIT64(0)
#define D_TABLE		BIT64(1)
#define D_TYPE_PAGE	(D_VALID | D_TABLE)	/* PTE_TYPE_PAGE */
#define D_TYPE_TABLE	(D_VALID | D_TABLE)	/* PMD_TYPE_TABLE */
#define D_ATTRINDX(t)	((u64)(t) << 2)
#define D_ATTRINDX_MASK	(7ULL << 2)
#define D_USER		BIT64(6)
#define D_RDONLY	BIT64(7)
#define D_SHARED	(3ULL << 8)
#define D_AF		BIT64(10)
#define D_NG		BIT64(11)
#define D_GP		BIT64(50)
#define D_DBM		BIT64(51)
#define D_CONT		BIT64(52)
#define D_PXN		BIT64(53)
#define D_UXN		BIT64(54)
#define D_TABLE_PXN	BIT64(59)
#define D_TABLE_UXN	BIT64(60)
/* 6.12: CONFIG_ARM64_PA_BITS_52, not 64K: PTE_ADDR_HIGH, _SHIFT */
#define D_ADDR_HIGH	(3ULL << 8)
#define D_ADDR_HIGH_SHIFT 42

/*
 * pgtable-prot.h, both kernels: PTE_WRITE is PTE_DBM, PTE_SWP_EXCLUSIVE
 * bit 2 (swap entries only), PTE_DIRTY 55, PTE_SPECIAL 56, PTE_DEVMAP 57.
 * 6.12: PTE_PRESENT_INVALID is PTE_NG (only when !PTE_VALID), and with
 * CONFIG_HAVE_ARCH_USERFAULTFD_WP=y PTE_UFFD_WP bit 58, PTE_SWP_UFFD_WP
 * bit 3.  6.1: PTE_PROT_NONE bit 58 (only when !PTE_VALID) and
 * PMD_PRESENT_INVALID bit 59 (only when !PMD_SECT_VALID); no uffd-wp
 * (arm64 6.1 has no CONFIG_HAVE_ARCH_USERFAULTFD_WP).
 */
#define D_WRITE		D_DBM
#define D_SWP_EXCLUSIVE	BIT64(2)
#define D_DIRTY		BIT64(55)
#define D_SPECIAL	BIT64(56)
#define D_DEVMAP	BIT64(57)
#define D612_PRESENT_INVALID	D_NG
#define D612_UFFD_WP		BIT64(58)
#define D612_SWP_UFFD_WP	BIT64(3)
#define D61_PROT_NONE		BIT64(58)
#define D61_PMD_PRESENT_INVALID	BIT64(59)

/* memory.h (6.1 and 6.12): the kernel's MAIR_EL1 indices */
#define MT_NORMAL		0
#define MT_NORMAL_TAGGED	1
#define MT_NORMAL_NC		2
#define MT_DEVICE_nGnRnE	3
#define MT_DEVICE_nGnRE		4

/*
 * pgtable-prot.h (identical in 6.1 and 6.12 but for PAGE_NONE):
 *   _PROT_DEFAULT  = PTE_TYPE_PAGE | PTE_AF | PTE_SHARED
 *   _PAGE_DEFAULT  = _PROT_DEFAULT | PTE_ATTRINDX(MT_NORMAL)
 *   _PAGE_SHARED   = _PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG |
 *                    PTE_PXN | PTE_UXN | PTE_WRITE
 *   _PAGE_SHARED_EXEC, _PAGE_READONLY, _PAGE_READONLY_EXEC,
 *   _PAGE_EXECONLY as below
 *   PAGE_NONE = (_PAGE_DEFAULT & ~PTE_VALID) | PTE_PRESENT_INVALID (6.12)
 *               or PTE_PROT_NONE (6.1) | PTE_RDONLY | PTE_NG | PTE_PXN |
 *               PTE_UXN
 * With LPA2 enabled, arch/arm64/mm/mmap.c adjust_protection_map() clears
 * PTE_SHARED from every protection_map[] entry (bits 8..9 are output
 * address bits then): user_prot() below.
 */
#define P_DEFAULT	(D_TYPE_PAGE | D_AF | D_SHARED | D_ATTRINDX(MT_NORMAL))
#define P_SHARED	(P_DEFAULT | D_USER | D_RDONLY | D_NG | D_PXN | \
			 D_UXN | D_WRITE)
#define P_SHARED_EXEC	(P_DEFAULT | D_USER | D_RDONLY | D_NG | D_PXN | \
			 D_WRITE)
#define P_READONLY	(P_DEFAULT | D_USER | D_RDONLY | D_NG | D_PXN | D_UXN)
#define P_READONLY_EXEC	(P_DEFAULT | D_USER | D_RDONLY | D_NG | D_PXN)
#define P_EXECONLY	(P_DEFAULT | D_RDONLY | D_NG | D_PXN)
#define P_NONE_612	((P_DEFAULT & ~D_VALID) | D612_PRESENT_INVALID | \
			 D_RDONLY | D_NG | D_PXN | D_UXN)
#define P_NONE_61	((P_DEFAULT & ~D_VALID) | D61_PROT_NONE | \
			 D_RDONLY | D_NG | D_PXN | D_UXN)

/*
 * PTE markers (swapops.h): PTE_MARKER_UFFD_WP BIT(0) in both,
 * PTE_MARKER_POISONED BIT(1) in 6.12.
 */
#define MARKER_UFFD_WP		1ULL
#define MARKER_POISONED		2ULL

#define F(x)	VMV_FLAG(VMVIEW_ARM64_F_##x)
#define MT(x)	VMV_MT(VMVIEW_MT_##x)

/*
 * include/linux/swap.h, by config (both kernels: MAX_SWAPFILES_SHIFT 5;
 * CONFIG_MIGRATION=y: SWP_MIGRATION_NUM 3; CONFIG_MEMORY_FAILURE=y:
 * SWP_HWPOISON_NUM 1; CONFIG_DEVICE_PRIVATE not set (ZONE_DEVICE=y on
 * 6.12, but DEVICE_PRIVATE is off in all three configs):
 * SWP_DEVICE_NUM 0).
 *
 * 6.12: SWP_PTE_MARKER_NUM is 1 unconditionally, no swap-in error type:
 *   MAX_SWAPFILES = 32 - 0 - 3 - 1 - 1 = 27
 *   SWP_HWPOISON = MAX_SWAPFILES = 27
 *   SWP_MIGRATION_READ = 27 + 1 = 28, _READ_EXCLUSIVE 29, _WRITE 30
 *   SWP_PTE_MARKER = 27 + 1 + 3 + 0 = 31
 * 6.1: SWP_PTE_MARKER_NUM is 1 only with CONFIG_PTE_MARKER, which only
 * PTE_MARKER_UFFD_WP selects, which needs HAVE_ARCH_USERFAULTFD_WP: not
 * on arm64 6.1, so 0; SWP_SWAPIN_ERROR_NUM is 1:
 *   MAX_SWAPFILES = 32 - 0 - 3 - 1 - 0 - 1 = 27
 *   SWP_HWPOISON 27, SWP_MIGRATION_READ 28, _READ_EXCLUSIVE 29, _WRITE 30
 *   SWP_SWAPIN_ERROR = 27 + 1 + 3 + 0 + 0 = 31
 */
struct swap_nums {
	unsigned int device, migration, hwpoison, marker, swapin_error;
};
static const struct swap_nums swap_nums_612 = { 0, 3, 1, 1, 0 };
static const struct swap_nums swap_nums_61 = { 0, 3, 1, 0, 1 };

#define NO_DEVICE_TYPES							\
	.type_device_private_read = VMV_NO_TYPE,			\
	.type_device_private_write = VMV_NO_TYPE,			\
	.type_device_exclusive_read = VMV_NO_TYPE,			\
	.type_device_exclusive_write = VMV_NO_TYPE
#define SWAP_TYPES_612							\
	.max_swapfiles = 27, .type_hwpoison = 27,			\
	.type_migration_read = 28, .type_migration_read_exclusive = 29,	\
	.type_migration_write = 30, .type_marker = 31,			\
	.type_swapin_error = VMV_NO_TYPE, NO_DEVICE_TYPES
#define SWAP_TYPES_61							\
	.max_swapfiles = 27, .type_hwpoison = 27,			\
	.type_migration_read = 28, .type_migration_read_exclusive = 29,	\
	.type_migration_write = 30, .type_marker = VMV_NO_TYPE,		\
	.type_swapin_error = 31, NO_DEVICE_TYPES

/*
 * One descriptor format and kernel.  phys_shift is PHYS_MASK_SHIFT of
 * that boot: 6.12 (CONFIG_ARM64_PA_BITS 52, CONFIG_ARM64_LPA2=y in both
 * Debian builds) lpa2_is_enabled() ? 52 : 48; 6.1 CONFIG_ARM64_PA_BITS 48.
 * SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT, MAX_PHYSMEM_BITS being
 * PHYS_MASK_SHIFT (6.12) or CONFIG_ARM64_PA_BITS (6.1):
 *   6.12 4K 48 - 12 = 36, 4K LPA2 52 - 12 = 40, 16K LPA2 52 - 14 = 38,
 *   16K 48 - 14 = 34; 6.1 4K 48 - 12 = 36.
 */
struct fmt {
	const char *name;
	struct vmv_layout l;
	bool v612;		/* 6.12 descriptors, else 6.1 */
	bool lpa2;		/* LPA2 enabled at boot */
	unsigned int ps;	/* PAGE_SHIFT */
	unsigned int phys_shift;	/* PHYS_MASK_SHIFT */
};

static const struct fmt fmts[] = {
	{ "6.12 4K", { VMV_ARM64_612_ENTRIES(12, false), SWAP_TYPES_612,
		       .swp_pfn_bits = 36 }, true, false, 12, 48 },
	{ "6.12 4K LPA2", { VMV_ARM64_612_ENTRIES(12, true), SWAP_TYPES_612,
			    .swp_pfn_bits = 40 }, true, true, 12, 52 },
	{ "6.12 16K LPA2", { VMV_ARM64_612_ENTRIES(14, true), SWAP_TYPES_612,
			     .swp_pfn_bits = 38 }, true, true, 14, 52 },
	{ "6.12 16K", { VMV_ARM64_612_ENTRIES(14, false), SWAP_TYPES_612,
			.swp_pfn_bits = 34 }, true, false, 14, 48 },
	{ "6.1 4K", { VMV_ARM64_61_ENTRIES, SWAP_TYPES_61,
		      .swp_pfn_bits = 36 }, false, false, 12, 48 },
};
#define NR_FMTS	NELEM(fmts)
#define FOR_EACH_FMT(f)	for (f = fmts; f < fmts + NR_FMTS; f++)

/* ---- the kernel's definitions, per format -------------------------------- */

/* ARM64_HW_PGTABLE_LEVEL_SHIFT(n) = (PAGE_SHIFT - 3) * (4 - n) + 3 */
static unsigned int pmd_shift(const struct fmt *f)
{
	return (f->ps - 3) * 2 + 3;		/* PMD_SHIFT: level 2 */
}

static unsigned int pud_shift(const struct fmt *f)
{
	return (f->ps - 3) * 3 + 3;		/* PUD_SHIFT: level 1 */
}

/* pud_sect_supported(): PAGE_SIZE == SZ_4K (both kernels) */
static bool pud_sect(const struct fmt *f)
{
	return f->ps == 12;
}

/*
 * PTE_ADDR_LOW: 6.12 ((1 << (50 - PAGE_SHIFT)) - 1) << PAGE_SHIFT,
 * 6.1 ((1 << (48 - PAGE_SHIFT)) - 1) << PAGE_SHIFT.
 */
static u64 addr_low(const struct fmt *f)
{
	unsigned int top = f->v612 ? 50 : 48;

	return ((1ULL << (top - f->ps)) - 1) << f->ps;
}

/*
 * __phys_to_pte_val(): 6.12 with CONFIG_ARM64_PA_BITS_52 (both Debian
 * builds, LPA2 on or off), (phys | phys >> PTE_ADDR_HIGH_SHIFT) &
 * PHYS_TO_PTE_ADDR_MASK (GENMASK_ULL(49, 8)); 6.1 (PA_BITS_48) phys.
 */
static u64 phys_to_pte_val(const struct fmt *f, u64 phys)
{
	if (!f->v612)
		return phys;
	return (phys | phys >> D_ADDR_HIGH_SHIFT) & GENMASK64(49, 8);
}

/*
 * __pte_to_phys(): 6.12 (PA_BITS_52) clears PTE_MAYBE_SHARED (PTE_SHARED
 * unless LPA2 is enabled), then (pte & PTE_ADDR_LOW) |
 * ((pte & PTE_ADDR_HIGH) << PTE_ADDR_HIGH_SHIFT); 6.1 pte & PTE_ADDR_MASK
 * (= PTE_ADDR_LOW).
 */
static u64 pte_to_phys(const struct fmt *f, u64 e)
{
	if (!f->v612)
		return e & addr_low(f);
	if (!f->lpa2)
		e &= ~D_SHARED;
	return (e & addr_low(f)) | (e & D_ADDR_HIGH) << D_ADDR_HIGH_SHIFT;
}

/* pfn_pte(pfn, prot), pfn_pmd(), pfn_pud() */
static u64 pfn_pte(const struct fmt *f, u64 pfn, u64 prot)
{
	return phys_to_pte_val(f, pfn << f->ps) | prot;
}

/* pte_pfn() */
static u64 pte_pfn(const struct fmt *f, u64 e)
{
	return pte_to_phys(f, e) >> f->ps;
}

/* pmd_pfn(), pud_pfn(): (__pmd_to_phys(pmd) & PMD_MASK) >> PAGE_SHIFT */
static u64 leaf_pfn(const struct fmt *f, u64 e, unsigned int shift)
{
	return (pte_to_phys(f, e) & ~(BIT64(shift) - 1)) >> f->ps;
}

/* A protection_map[] value as vm_get_page_prot() gives it. */
static u64 user_prot(const struct fmt *f, u64 prot)
{
	return f->lpa2 ? prot & ~D_SHARED : prot;
}

static u64 page_none(const struct fmt *f)
{
	return user_prot(f, f->v612 ? P_NONE_612 : P_NONE_61);
}

/* The highest frame: PHYS_MASK >> PAGE_SHIFT */
static u64 max_pfn(const struct fmt *f)
{
	return (BIT64(f->phys_shift) - 1) >> f->ps;
}

/* SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT */
static unsigned int swp_pfn_bits(const struct fmt *f)
{
	return f->phys_shift - f->ps;
}

/* pte_mkdirty(): set PTE_DIRTY; if pte_write(), clear PTE_RDONLY. */
static u64 k_mkdirty(u64 e)
{
	e |= D_DIRTY;
	if (e & D_WRITE)
		e &= ~D_RDONLY;
	return e;
}

/* pte_hw_dirty(): pte_write() && !pte_rdonly() */
static bool k_hw_dirty(u64 e)
{
	return (e & D_WRITE) && !(e & D_RDONLY);
}

/* pte_wrprotect(): hw dirty -> PTE_DIRTY (6.1 via pte_mkdirty()); -WRITE +RDONLY */
static u64 k_wrprotect(u64 e)
{
	if (k_hw_dirty(e))
		e = k_mkdirty(e);
	return (e & ~D_WRITE) | D_RDONLY;
}

/* pte_mkclean(): clear PTE_DIRTY, set PTE_RDONLY */
static u64 k_mkclean(u64 e)
{
	return (e & ~D_DIRTY) | D_RDONLY;
}

/*
 * pte_modify(): the mask of 6.12 (PTE_USER | PTE_PXN | PTE_UXN |
 * PTE_RDONLY | PTE_PRESENT_INVALID | PTE_VALID | PTE_WRITE | PTE_GP |
 * PTE_ATTRINDX_MASK | PTE_PO_IDX_MASK) or 6.1 (the same with
 * PTE_PROT_NONE for PTE_PRESENT_INVALID and no PTE_PO_IDX_MASK), keeping
 * hardware dirtiness as PTE_DIRTY and making a sw-dirty pte hw dirty
 * again.
 */
static u64 k_modify(const struct fmt *f, u64 e, u64 prot)
{
	u64 mask = D_USER | D_PXN | D_UXN | D_RDONLY | D_VALID | D_WRITE |
		   D_GP | D_ATTRINDX_MASK;

	mask |= f->v612 ? D612_PRESENT_INVALID | GENMASK64(62, 60) :
			  D61_PROT_NONE;
	if (k_hw_dirty(e))
		e |= D_DIRTY;
	e = (e & ~mask) | (prot & mask);
	if (e & D_DIRTY)
		e = k_mkdirty(e);
	return e;
}

/* pmd_mkhuge(): clear PMD_TABLE_BIT */
static u64 k_mkhuge(u64 e)
{
	return e & ~D_TABLE;
}

/*
 * pmd_mkinvalid(): 6.12 pte_mkinvalid(): set PTE_PRESENT_INVALID, clear
 * PTE_VALID; 6.1: set PMD_PRESENT_INVALID, clear PMD_SECT_VALID.
 */
static u64 k_mkinvalid(const struct fmt *f, u64 e)
{
	e |= f->v612 ? D612_PRESENT_INVALID : D61_PMD_PRESENT_INVALID;
	return e & ~D_VALID;
}

/* A table entry as pmd_populate() / pud_populate() write it */
static u64 k_table(const struct fmt *f, u64 pfn)
{
	return phys_to_pte_val(f, pfn << f->ps) | D_TYPE_TABLE | D_TABLE_PXN;
}

/*
 * __swp_entry(type, offset) and its fields (pgtable.h):
 * 6.12 __SWP_TYPE_SHIFT 6, __SWP_OFFSET_SHIFT 12; 6.1 __SWP_TYPE_SHIFT 3,
 * __SWP_OFFSET_SHIFT = __SWP_TYPE_BITS + __SWP_TYPE_SHIFT = 8; both
 * __SWP_TYPE_BITS 5 and __SWP_OFFSET_BITS 50.
 */
#define SWP_TYPE_BITS	5
#define SWP_OFFSET_BITS	50
static unsigned int swp_type_shift(const struct fmt *f)
{
	return f->v612 ? 6 : 3;
}

static unsigned int swp_offset_shift(const struct fmt *f)
{
	return f->v612 ? 12 : 3 + 5;
}

static u64 swp(const struct fmt *f, unsigned int type, u64 offset)
{
	return (u64)type << swp_type_shift(f) | offset << swp_offset_shift(f);
}

static unsigned int k_swp_type(const struct fmt *f, u64 e)
{
	return (e >> swp_type_shift(f)) & (BIT64(SWP_TYPE_BITS) - 1);
}

static u64 k_swp_offset(const struct fmt *f, u64 e)
{
	return (e >> swp_offset_shift(f)) & (BIT64(SWP_OFFSET_BITS) - 1);
}

/* The special swap types of swap.h, from the NUM values above. */
struct swap_types {
	unsigned int max, hwpoison, mig_read, mig_read_excl, mig_write;
	int marker, swapin_error;	/* -1: none */
};

static struct swap_types k_swap_types(const struct fmt *f)
{
	const struct swap_nums *n = f->v612 ? &swap_nums_612 : &swap_nums_61;
	struct swap_types t;

	t.max = 32 - n->device - n->migration - n->hwpoison - n->marker -
		n->swapin_error;
	t.hwpoison = t.max;
	t.mig_read = t.max + n->hwpoison;
	t.mig_read_excl = t.max + n->hwpoison + 1;
	t.mig_write = t.max + n->hwpoison + 2;
	t.marker = n->marker ? (int)(t.max + n->hwpoison + n->migration +
				     n->device) : -1;
	t.swapin_error = n->swapin_error ?
		(int)(t.max + n->hwpoison + n->migration + n->device +
		      n->marker) : -1;
	return t;
}

/* pte_present(): 6.12 pte_valid() || pte_present_invalid(); 6.1 VALID | PROT_NONE */
static bool k_pte_present(const struct fmt *f, u64 e)
{
	if (f->v612)
		return (e & D_VALID) ||
		       (e & (D_VALID | D612_PRESENT_INVALID)) ==
		       D612_PRESENT_INVALID;
	return e & (D_VALID | D61_PROT_NONE);
}

/* pmd_present(): 6.12 pte_present(); 6.1 also pmd_present_invalid() */
static bool k_pmd_present(const struct fmt *f, u64 e)
{
	return k_pte_present(f, e) ||
	       (!f->v612 && (e & D61_PMD_PRESENT_INVALID));
}

/*
 * pte_protnone(), pmd_protnone(): 6.12 pte_present_invalid() &&
 * !pte_user() && !pte_user_exec(); 6.1 (VALID | PROT_NONE) == PROT_NONE.
 */
static bool k_protnone(const struct fmt *f, u64 e)
{
	if (f->v612)
		return (e & (D_VALID | D612_PRESENT_INVALID)) ==
		       D612_PRESENT_INVALID &&
		       !(e & D_USER) && (e & D_UXN);
	return (e & (D_VALID | D61_PROT_NONE)) == D61_PROT_NONE;
}

/* memory.h's MT_* as vmview's memory types; other indices unused. */
static enum vmview_mt k_mt(unsigned int attrindx)
{
	switch (attrindx) {
	case MT_NORMAL:		return VMVIEW_MT_NORMAL;
	case MT_NORMAL_TAGGED:	return VMVIEW_MT_NORMAL_TAGGED;
	case MT_NORMAL_NC:	return VMVIEW_MT_NORMAL_NC;
	case MT_DEVICE_nGnRnE:	return VMVIEW_MT_DEVICE_NGNRNE;
	case MT_DEVICE_nGnRE:	return VMVIEW_MT_DEVICE_NGNRE;
	}
	return VMVIEW_MT_NONE;
}

/*
 * The flags of a leaf that maps a frame, by the kernel's predicates:
 * pte_valid(), pte_write() (DBM), pte_user(), pte_rdonly(), nG (bit 11
 * of a valid entry; in a 6.12 not-valid one it is PTE_PRESENT_INVALID,
 * and vmview reports nG of valid entries only), pte_young() (AF),
 * pte_dirty() = pte_sw_dirty() || pte_hw_dirty(), a block (pmd_mkhuge()),
 * SH = PTE_SHARED (not an address bit: LPA2 off), PXN,
 * !pte_user_exec() (UXN), pte_cont(), pte_special(), pte_uffd_wp()
 * (6.12), pte_devmap(), pte_protnone(); and the memory type of
 * AttrIndx.
 */
static u32 k_leaf_flags(const struct fmt *f, u64 e, bool block)
{
	bool valid = e & D_VALID;
	u32 fl = 0;

	if (valid)
		fl |= F(VALID);
	if (e & D_WRITE)
		fl |= F(DBM);
	if (e & D_USER)
		fl |= F(USER);
	if (e & D_RDONLY)
		fl |= F(RDONLY);
	if (valid && (e & D_NG))
		fl |= F(NG);
	if (e & D_AF)
		fl |= F(AF);
	if ((e & D_DIRTY) || k_hw_dirty(e))
		fl |= F(DIRTY);
	if (block)
		fl |= F(BLOCK);
	if (!f->lpa2 && (e & D_SHARED) == D_SHARED)
		fl |= F(SH);
	if (e & D_PXN)
		fl |= F(PXN);
	if (e & D_UXN)
		fl |= F(UXN);
	if (e & D_CONT)
		fl |= F(CONT);
	if (e & D_SPECIAL)
		fl |= F(SPECIAL);
	if (f->v612 && (e & D612_UFFD_WP))
		fl |= F(UFFD_WP);
	if (e & D_DEVMAP)
		fl |= F(DEVMAP);
	if (k_protnone(f, e))
		fl |= F(PROTNONE);
	return fl | VMV_MT(k_mt((e & D_ATTRINDX_MASK) >> 2));
}

/* What one decode should give; every field is compared. */
struct want {
	enum vmview_kind kind;
	u64 pfn;
	u32 flags;
	unsigned int swap_type;
	u64 swap_offset;
	unsigned int page_shift;
	bool writable;
};

/* A swap-format entry as the kernel reads it (is_pfn_swap_entry() etc.) */
static struct want k_swap(const struct fmt *f, u64 e, unsigned int shift)
{
	struct swap_types t = k_swap_types(f);
	unsigned int type = k_swp_type(f, e);
	struct want w = {
		.pfn = VMVIEW_NO_PFN,
		.swap_type = type,
		.swap_offset = k_swp_offset(f, e),
		.page_shift = shift,
	};

	if (e & D_SWP_EXCLUSIVE)
		w.flags |= F(EXCLUSIVE);
	if (f->v612 && (e & D612_SWP_UFFD_WP))
		w.flags |= F(UFFD_WP);
	if (type < t.max) {
		w.kind = VMVIEW_KIND_SWAP;
		return w;
	}
	if (type == t.hwpoison)
		w.kind = VMVIEW_KIND_HWPOISON;
	else if (type == t.mig_read || type == t.mig_read_excl ||
		 type == t.mig_write)
		w.kind = VMVIEW_KIND_MIGRATION;
	else
		w.kind = VMVIEW_KIND_MARKER;	/* marker, 6.1 swap-in error */
	/* swp_offset_pfn(): the offset's low SWP_PFN_BITS */
	if (w.kind != VMVIEW_KIND_MARKER)
		w.pfn = w.swap_offset & (BIT64(swp_pfn_bits(f)) - 1);
	return w;
}

static struct want k_leaf(const struct fmt *f, u64 e, unsigned int shift,
			  bool block)
{
	struct want w = {
		.kind = k_protnone(f, e) ? VMVIEW_KIND_PROTNONE :
					   VMVIEW_KIND_PRESENT,
		.pfn = leaf_pfn(f, e, shift),
		.flags = k_leaf_flags(f, e, block),
		.page_shift = shift,
		.writable = e & D_WRITE,	/* pte_write() */
	};

	return w;
}

static struct want k_none(void)
{
	struct want w = { .kind = VMVIEW_KIND_NONE, .pfn = VMVIEW_NO_PFN };

	return w;
}

/* A table entry: the next table's frame (pmd_page_paddr() etc.) */
static struct want k_table_want(const struct fmt *f, u64 e)
{
	struct want w = { .kind = VMVIEW_KIND_TABLE, .pfn = pte_pfn(f, e) };

	return w;
}

/*
 * What the kernel makes of an entry at a level, for the entries it can
 * hold there (gen_entry() below keeps to those):
 *   pte: !pte_present(): swap format; else a leaf of PAGE_SIZE.
 *   pmd: pmd_present(): valid and pmd_table(): a table, else a block
 *        (pmd_leaf(), pmd_trans_huge(): a not-valid present pmd is a
 *        block); not present: a swap (migration) entry.
 *   pud: the same with 4 KiB pages (pud_sect_supported()); with 16 KiB
 *        only tables.
 *   p4d, pgd: only tables.
 */
static struct want k_decode(const struct fmt *f, u64 e, enum vmview_level lv)
{
	bool leaves = lv == VMVIEW_LEVEL_PMD ||
		      (lv == VMVIEW_LEVEL_PUD && pud_sect(f));
	unsigned int shift = lv == VMVIEW_LEVEL_PMD ? pmd_shift(f) :
			     pud_shift(f);

	if (!e)
		return k_none();
	if (lv == VMVIEW_LEVEL_PTE) {
		if (!k_pte_present(f, e))
			return k_swap(f, e, f->ps);
		return k_leaf(f, e, f->ps, false);
	}
	if ((e & D_TYPE_TABLE) == D_TYPE_TABLE)
		return k_table_want(f, e);
	if (!leaves)
		return k_none();
	if (!k_pmd_present(f, e))
		return k_swap(f, e, shift);
	return k_leaf(f, e, shift, true);
}

/* ---- checking ------------------------------------------------------------- */

static const char *kind_str(enum vmview_kind k)
{
	static const char * const s[] = {
		"NONE", "TABLE", "PRESENT", "PROTNONE", "SWAP", "MIGRATION",
		"DEVICE_PRIVATE", "DEVICE_EXCLUSIVE", "HWPOISON", "MARKER",
	};

	return (unsigned int)k < NELEM(s) ? s[k] : "?";
}

static const char *level_str(enum vmview_level lv)
{
	static const char * const s[] = { "pte", "pmd", "pud", "p4d", "pgd" };

	return (unsigned int)lv < NELEM(s) ? s[lv] : "?";
}

/*
 * Decode entry at level in format f and compare every field with w; on
 * a mismatch name the line, format, level, entry and field.  Returns
 * whether all matched; quiet: report nothing.
 */
static bool check_decode(int line, const struct fmt *f, u64 entry,
			 enum vmview_level level, struct want w, bool quiet)
{
	struct vmv_decoded d;
	bool ok = true;

	memset(&d, 0x5a, sizeof(d));
	vmv_decode(&f->l, entry, level, &d);

#define MISMATCH(fmt, ...)						\
	do {								\
		ok = false;						\
		if (!quiet)						\
			UNIT_FAIL("line %d, %s, %s 0x%016llx: " fmt,	\
				  line, f->name, level_str(level),	\
				  (unsigned long long)entry, __VA_ARGS__); \
		else							\
			unit_failed_now = 1;				\
	} while (0)

	if (d.kind != w.kind)
		MISMATCH("kind %s, want %s", kind_str(d.kind),
			 kind_str(w.kind));
	if (d.pfn != w.pfn)
		MISMATCH("pfn 0x%llx, want 0x%llx", (unsigned long long)d.pfn,
			 (unsigned long long)w.pfn);
	if (d.flags != w.flags)
		MISMATCH("flags 0x%x, want 0x%x (differ 0x%x)", d.flags,
			 w.flags, d.flags ^ w.flags);
	if (d.swap_type != w.swap_type || d.swap_offset != w.swap_offset)
		MISMATCH("swap %u:0x%llx, want %u:0x%llx", d.swap_type,
			 (unsigned long long)d.swap_offset, w.swap_type,
			 (unsigned long long)w.swap_offset);
	if (d.page_shift != w.page_shift)
		MISMATCH("page_shift %u, want %u", d.page_shift, w.page_shift);
	if (d.writable != w.writable)
		MISMATCH("writable %d, want %d", d.writable, w.writable);
#undef MISMATCH
	return ok;
}

#define CHECK(f, entry, level, ...)					\
	check_decode(__LINE__, (f), (entry), (level),			\
		     (struct want){ __VA_ARGS__ }, false)
#define CHECK_W(f, entry, level, w)					\
	check_decode(__LINE__, (f), (entry), (level), (w), false)
/* Against the kernel's own reading (k_decode()) */
#define CHECK_K(f, entry, level)					\
	check_decode(__LINE__, (f), (entry), (level),			\
		     k_decode((f), (entry), (level)), false)

/* SH, when the format has it: bits 8..9 of prot are 11 and LPA2 is off */
static u32 sh(const struct fmt *f, u64 prot)
{
	return !f->lpa2 && (prot & D_SHARED) == D_SHARED ? F(SH) : 0;
}

/* ---- the formats ------------------------------------------------------- */

/*
 * vmv_arch.h's VMV_ARM64_612_ENTRIES() and VMV_ARM64_61_ENTRIES are the
 * formats the headers define: pfn_mask PTE_ADDR_LOW, LPA2's PTE_ADDR_HIGH
 * (bits 8..9, shifted up by PTE_ADDR_HIGH_SHIFT 42) instead of
 * PTE_SHARED, the present-invalid bits (6.12 PTE_PRESENT_INVALID; 6.1
 * PTE_PROT_NONE | PMD_PRESENT_INVALID), PTE_UFFD_WP (6.12), PTE_DEVMAP,
 * leaves at PAGE_SHIFT, PMD_SHIFT and (pud_sect_supported()) PUD_SHIFT,
 * the swap fields, PTE_SWP_UFFD_WP (6.12), PTE_SWP_EXCLUSIVE, and MT_*
 * of memory.h.
 */
UNIT_TEST(format_initializers)
{
	const struct fmt *f;
	unsigned int i;

	FOR_EACH_FMT(f) {
		const struct vmv_layout *l = &f->l;
		const struct {
			const char *field;
			u64 got, want;
		} c[] = {
			{ "pfn_mask", l->pfn_mask, addr_low(f) },
			{ "pfn_high_mask", l->pfn_high_mask,
			  f->lpa2 ? D_ADDR_HIGH : 0 },
			{ "pfn_high_shift", l->pfn_high_shift,
			  f->lpa2 ? D_ADDR_HIGH_SHIFT : 0 },
			{ "sh_mask", l->sh_mask, f->lpa2 ? 0 : D_SHARED },
			{ "present_invalid_mask", l->present_invalid_mask,
			  f->v612 ? D612_PRESENT_INVALID :
				    D61_PROT_NONE | D61_PMD_PRESENT_INVALID },
			{ "uffd_wp_mask", l->uffd_wp_mask,
			  f->v612 ? D612_UFFD_WP : 0 },
			{ "devmap_mask", l->devmap_mask, D_DEVMAP },
			{ "saved_dirty_mask", l->saved_dirty_mask, 0 },
			{ "nx_mask", l->nx_mask, 0 },
			{ "none_mask", l->none_mask, 0 },
			{ "pfn_inverted", l->pfn_inverted, 0 },
			{ "swp_inverted", l->swp_inverted, 0 },
			{ "swp_type_shift", l->swp_type_shift,
			  swp_type_shift(f) },
			{ "swp_type_bits", l->swp_type_bits, SWP_TYPE_BITS },
			{ "swp_offset_shift", l->swp_offset_shift,
			  swp_offset_shift(f) },
			{ "swp_offset_bits", l->swp_offset_bits,
			  SWP_OFFSET_BITS },
			{ "swp_soft_dirty_mask", l->swp_soft_dirty_mask, 0 },
			{ "swp_uffd_wp_mask", l->swp_uffd_wp_mask,
			  f->v612 ? D612_SWP_UFFD_WP : 0 },
			{ "swp_exclusive_mask", l->swp_exclusive_mask,
			  D_SWP_EXCLUSIVE },
			{ "leaf_shift[pte]", l->leaf_shift[VMVIEW_LEVEL_PTE],
			  f->ps },
			{ "leaf_shift[pmd]", l->leaf_shift[VMVIEW_LEVEL_PMD],
			  pmd_shift(f) },
			{ "leaf_shift[pud]", l->leaf_shift[VMVIEW_LEVEL_PUD],
			  pud_sect(f) ? pud_shift(f) : 0 },
			{ "leaf_shift[p4d]", l->leaf_shift[VMVIEW_LEVEL_P4D],
			  0 },
			{ "leaf_shift[pgd]", l->leaf_shift[VMVIEW_LEVEL_PGD],
			  0 },
		};

		for (i = 0; i < NELEM(c); i++)
			if (c[i].got != c[i].want)
				UNIT_FAIL("%s: %s 0x%llx, want 0x%llx",
					  f->name, c[i].field,
					  (unsigned long long)c[i].got,
					  (unsigned long long)c[i].want);
		for (i = 0; i < 8; i++)
			if (l->mt[i] != k_mt(i))
				UNIT_FAIL("%s: mt[%u] %u, want %u", f->name, i,
					  l->mt[i], k_mt(i));
	}
	/* the sizes: 4 KiB 2 MiB 1 GiB; 16 KiB 32 MiB */
	EXPECT_EQ(pmd_shift(&fmts[0]), 21);
	EXPECT_EQ(pud_shift(&fmts[0]), 30);
	EXPECT_EQ(pmd_shift(&fmts[2]), 25);
	EXPECT_EQ(pud_shift(&fmts[2]), 36);
	EXPECT_EQ(addr_low(&fmts[0]), GENMASK64(49, 12));
	EXPECT_EQ(addr_low(&fmts[2]), GENMASK64(49, 14));
	EXPECT_EQ(addr_low(&fmts[4]), GENMASK64(47, 12));
}

/* The layouts' swap types and SWP_PFN_BITS are swap.h's for each config. */
UNIT_TEST(swap_types)
{
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		struct swap_types t = k_swap_types(f);
		const struct vmv_layout *l = &f->l;

		EXPECT_EQ(l->max_swapfiles, t.max);
		EXPECT_EQ(l->type_hwpoison, t.hwpoison);
		EXPECT_EQ(l->type_migration_read, t.mig_read);
		EXPECT_EQ(l->type_migration_read_exclusive, t.mig_read_excl);
		EXPECT_EQ(l->type_migration_write, t.mig_write);
		EXPECT_EQ(l->type_marker,
			  t.marker < 0 ? VMV_NO_TYPE : (unsigned int)t.marker);
		EXPECT_EQ(l->type_swapin_error,
			  t.swapin_error < 0 ? VMV_NO_TYPE :
					       (unsigned int)t.swapin_error);
		EXPECT_EQ(l->type_device_private_read, VMV_NO_TYPE);
		EXPECT_EQ(l->type_device_private_write, VMV_NO_TYPE);
		EXPECT_EQ(l->type_device_exclusive_read, VMV_NO_TYPE);
		EXPECT_EQ(l->type_device_exclusive_write, VMV_NO_TYPE);
		EXPECT_EQ(l->swp_pfn_bits, swp_pfn_bits(f));
	}
	/* the numbers of the comment above swap_nums */
	EXPECT_EQ(k_swap_types(&fmts[0]).max, 27);
	EXPECT_EQ(k_swap_types(&fmts[0]).marker, 31);
	EXPECT_EQ(k_swap_types(&fmts[4]).max, 27);
	EXPECT_EQ(k_swap_types(&fmts[4]).marker, -1);
	EXPECT_EQ(k_swap_types(&fmts[4]).swapin_error, 31);
	EXPECT_EQ(swp_pfn_bits(&fmts[0]), 36);
	EXPECT_EQ(swp_pfn_bits(&fmts[1]), 40);
	EXPECT_EQ(swp_pfn_bits(&fmts[2]), 38);
	EXPECT_EQ(swp_pfn_bits(&fmts[3]), 34);
	EXPECT_EQ(swp_pfn_bits(&fmts[4]), 36);
}

/* ---- none --------------------------------------------------------------- */

/* 0 is none at every level (pte_none() etc.: !val). */
UNIT_TEST(none_every_level)
{
	const struct fmt *f;
	enum vmview_level lv;

	FOR_EACH_FMT(f)
		for (lv = VMVIEW_LEVEL_PTE; lv < VMVIEW_NR_LEVELS; lv++)
			CHECK(f, 0, lv, .kind = VMVIEW_KIND_NONE,
			      .pfn = VMVIEW_NO_PFN);
}

/* ---- present ptes -------------------------------------------------------- */

/*
 * The user protections of protection_map[] (vm_get_page_prot()) on a
 * pfn, decoded: each flag spelled out from the PAGE_* definition.  A
 * writable page starts clean (PTE_RDONLY | PTE_WRITE: "shared+writable
 * pages are clean by default").
 */
UNIT_TEST(pte_user_protections)
{
	static const struct {
		const char *name;
		u64 prot;
		u32 flags;	/* without SH */
	} p[] = {
		{ "PAGE_SHARED", P_SHARED,
		  F(VALID) | F(DBM) | F(USER) | F(RDONLY) | F(NG) | F(AF) |
		  F(PXN) | F(UXN) },
		{ "PAGE_SHARED_EXEC", P_SHARED_EXEC,
		  F(VALID) | F(DBM) | F(USER) | F(RDONLY) | F(NG) | F(AF) |
		  F(PXN) },
		{ "PAGE_READONLY", P_READONLY,
		  F(VALID) | F(USER) | F(RDONLY) | F(NG) | F(AF) | F(PXN) |
		  F(UXN) },
		{ "PAGE_READONLY_EXEC", P_READONLY_EXEC,
		  F(VALID) | F(USER) | F(RDONLY) | F(NG) | F(AF) | F(PXN) },
		{ "PAGE_EXECONLY", P_EXECONLY,
		  F(VALID) | F(RDONLY) | F(NG) | F(AF) | F(PXN) },
	};
	const u64 pfn = 0x12345;
	const struct fmt *f;
	unsigned int i;

	FOR_EACH_FMT(f) {
		for (i = 0; i < NELEM(p); i++) {
			u64 prot = user_prot(f, p[i].prot);
			u64 e = pfn_pte(f, pfn, prot);

			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = pfn,
			      .flags = p[i].flags | sh(f, prot) | MT(NORMAL),
			      .page_shift = f->ps,
			      .writable = p[i].prot & D_WRITE);
			CHECK_K(f, e, VMVIEW_LEVEL_PTE);
		}
		/* bits 8..9 of a user pte: SH without LPA2, 0 with it */
		EXPECT_EQ(pfn_pte(f, pfn, user_prot(f, P_SHARED)) & D_SHARED,
			  f->lpa2 ? 0 : D_SHARED);
	}
}

/*
 * The bits of a present pte one at a time, on PAGE_SHARED with the bit
 * flipped: which flag follows it.
 */
UNIT_TEST(pte_each_bit)
{
	const u64 pfn = 0x2345;
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		u64 base = pfn_pte(f, pfn, user_prot(f, P_SHARED));
		u32 bf = F(VALID) | F(DBM) | F(USER) | F(RDONLY) | F(NG) |
			 F(AF) | F(PXN) | F(UXN) | sh(f, base) | MT(NORMAL);
		const struct {
			u64 bit;
			u32 flag;
		} b[] = {
			{ D_USER, F(USER) },
			{ D_RDONLY, F(RDONLY) },	/* and dirty, below */
			{ D_AF, F(AF) },
			{ D_NG, F(NG) },
			{ D_DBM, F(DBM) },
			{ D_CONT, F(CONT) },
			{ D_PXN, F(PXN) },
			{ D_UXN, F(UXN) },
			{ D_DIRTY, F(DIRTY) },
			{ D_SPECIAL, F(SPECIAL) },
			{ D_DEVMAP, F(DEVMAP) },
			/* 6.12 uffd-wp; 6.1 PTE_PROT_NONE: nothing when valid */
			{ BIT64(58), f->v612 ? F(UFFD_WP) : 0 },
			/* BTI guarded, software and PBHA bits: no flag */
			{ D_GP, 0 },
			{ BIT64(59), 0 },
			{ BIT64(60), 0 },
			{ BIT64(63), 0 },
			/* the page bit: a 0b01 pte is still pte_valid() */
			{ D_TABLE, 0 },
		};
		unsigned int i;

		for (i = 0; i < NELEM(b); i++) {
			u64 e = base ^ b[i].bit;
			u32 want = bf ^ b[i].flag;

			/* clearing RDONLY with DBM set: hw dirty */
			if (b[i].bit == D_RDONLY)
				want |= F(DIRTY);
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = pfn,
			      .flags = want, .page_shift = f->ps,
			      .writable = e & D_DBM);
			CHECK_K(f, e, VMVIEW_LEVEL_PTE);
		}
	}
}

/*
 * pte_dirty() = pte_sw_dirty() || pte_hw_dirty(): PTE_DIRTY, or
 * PTE_WRITE (DBM) without PTE_RDONLY; through pte_mkdirty(),
 * pte_wrprotect(), pte_mkclean() and a hardware write (DBM clears
 * AP[2], PTE_RDONLY).
 */
UNIT_TEST(pte_dirty_bits)
{
	const u64 pfn = 0x3456;
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		u64 shared = pfn_pte(f, pfn, user_prot(f, P_SHARED));
		u64 ro = pfn_pte(f, pfn, user_prot(f, P_READONLY));
		u32 s = sh(f, shared) | MT(NORMAL);
		u32 rw = F(VALID) | F(USER) | F(NG) | F(AF) | F(PXN) | F(UXN) |
			 s;
		u64 e;

		/* clean writable: DBM and RDONLY */
		CHECK(f, shared, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = rw | F(DBM) | F(RDONLY),
		      .page_shift = f->ps, .writable = true);
		/* written by the hardware: DBM cleared RDONLY */
		e = shared & ~D_RDONLY;
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = rw | F(DBM) | F(DIRTY),
		      .page_shift = f->ps, .writable = true);
		/* pte_mkdirty(): PTE_DIRTY, and RDONLY cleared */
		e = k_mkdirty(shared);
		EXPECT_EQ(e, (shared | D_DIRTY) & ~D_RDONLY);
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = rw | F(DBM) | F(DIRTY),
		      .page_shift = f->ps, .writable = true);
		/* pte_wrprotect() of it: sw dirty, read-only */
		e = k_wrprotect(e);
		EXPECT_EQ(e, (shared | D_DIRTY) & ~D_WRITE);
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = rw | F(RDONLY) | F(DIRTY),
		      .page_shift = f->ps, .writable = false);
		/* pte_wrprotect() of a hw-dirty pte keeps it dirty */
		e = k_wrprotect(shared & ~D_RDONLY);
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = rw | F(RDONLY) | F(DIRTY),
		      .page_shift = f->ps, .writable = false);
		/* pte_mkclean() */
		e = k_mkclean(k_mkdirty(shared));
		EXPECT_EQ(e, shared);
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = rw | F(DBM) | F(RDONLY),
		      .page_shift = f->ps, .writable = true);
		/* software dirty on a read-only page */
		e = ro | D_DIRTY;
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = rw | F(RDONLY) | F(DIRTY),
		      .page_shift = f->ps, .writable = false);
		/* neither RDONLY nor DBM: not writable, not dirty */
		e = ro & ~D_RDONLY;
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = rw, .page_shift = f->ps,
		      .writable = false);
	}
}

/*
 * The frame: PTE_ADDR_LOW (6.12 bits PAGE_SHIFT..49, 6.1 12..47) and,
 * with LPA2, output address bits 50..51 in bits 8..9; the highest frame
 * (PHYS_MASK >> PAGE_SHIFT) and the whole address field.
 */
UNIT_TEST(pte_frame)
{
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		u64 prot = user_prot(f, P_READONLY);
		u32 fl = F(VALID) | F(USER) | F(RDONLY) | F(NG) | F(AF) |
			 F(PXN) | F(UXN) | MT(NORMAL);
		u64 pfns[] = { 0, 1, 0x12345, max_pfn(f),
			       max_pfn(f) & 0x5555555555ULL,
			       addr_low(f) >> f->ps,
			       BIT64(50 - f->ps - 1) };
		unsigned int i;

		for (i = 0; i < NELEM(pfns); i++) {
			u64 pfn = pfns[i];
			u64 e;

			/* 6.1 has 48-bit output addresses */
			if (!f->v612)
				pfn &= addr_low(f) >> f->ps;
			e = pfn_pte(f, pfn, prot);
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = pfn,
			      .flags = fl | sh(f, e), .page_shift = f->ps);
			EXPECT_EQ(pte_pfn(f, e), pfn);
		}

		/* the highest frame, spelled out */
		if (f->lpa2) {
			/* PA bits ps..49 low, 50..51 in 8..9 */
			u64 e = GENMASK64(49, f->ps) | D_ADDR_HIGH | prot;

			EXPECT_EQ(max_pfn(f), BIT64(52 - f->ps) - 1);
			EXPECT_EQ(pfn_pte(f, max_pfn(f), prot), e);
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .pfn = BIT64(52 - f->ps) - 1, .flags = fl,
			      .page_shift = f->ps);
			/* only bit 50 of the address: descriptor bit 8 */
			e = BIT64(8) | prot;
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .pfn = BIT64(50 - f->ps), .flags = fl,
			      .page_shift = f->ps);
			e = BIT64(9) | prot;
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .pfn = BIT64(51 - f->ps), .flags = fl,
			      .page_shift = f->ps);
		} else {
			u64 top = f->v612 ? 49 : 47;
			u64 e = GENMASK64(top, f->ps) | prot;

			EXPECT_EQ(max_pfn(f), BIT64(48 - f->ps) - 1);
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .pfn = BIT64(top + 1 - f->ps) - 1,
			      .flags = fl | F(SH), .page_shift = f->ps);
			/* SH is no address: the frame without it */
			CHECK(f, pfn_pte(f, 0x77, prot) & ~D_SHARED,
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
			      .pfn = 0x77, .flags = fl, .page_shift = f->ps);
		}
		/* 6.1: bits 48, 49 are no address bits (RES0) */
		if (!f->v612)
			CHECK(f, pfn_pte(f, 0x77, prot) | BIT64(48) | BIT64(49),
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
			      .pfn = 0x77, .flags = fl | F(SH),
			      .page_shift = f->ps);
		/* PTE_GP (bit 50) and the bits below PAGE_SHIFT: no address */
		CHECK(f, pfn_pte(f, 0x77, prot) | D_GP | (f->ps == 14 ?
							 BIT64(12) | BIT64(13) :
							 0),
		      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = 0x77, .flags = fl | sh(f, prot),
		      .page_shift = f->ps);
	}
}

/*
 * Bits 8..9: SH[1:0] without LPA2 (the flag: inner shareable, 11; 10 is
 * outer, 01 reserved), output address bits 50..51 with it (no flag).
 */
UNIT_TEST(pte_sh_and_lpa2)
{
	const u64 pfn = 0x1000;
	const struct fmt *f;
	unsigned int v;

	FOR_EACH_FMT(f) {
		u64 prot = P_READONLY & ~D_SHARED;
		u32 fl = F(VALID) | F(USER) | F(RDONLY) | F(NG) | F(AF) |
			 F(PXN) | F(UXN) | MT(NORMAL);

		for (v = 0; v < 4; v++) {
			u64 e = pfn_pte(f, pfn, prot) | (u64)v << 8;

			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT,
			      .pfn = f->lpa2 ? pfn | (u64)v << (50 - f->ps) :
					       pfn,
			      .flags = fl | (!f->lpa2 && v == 3 ? F(SH) : 0),
			      .page_shift = f->ps);
			CHECK_K(f, e, VMVIEW_LEVEL_PTE);
		}
	}
}

/*
 * pte_mkcont(): PTE_CONT (and PTE_TYPE_PAGE); each pte of a contiguous
 * range maps its own page.
 */
UNIT_TEST(pte_cont)
{
	const struct fmt *f;
	unsigned int i;

	FOR_EACH_FMT(f) {
		u64 prot = user_prot(f, P_READONLY_EXEC) | D_CONT;

		for (i = 0; i < 16; i++) {
			u64 e = pfn_pte(f, 0x1230 + i, prot);

			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = 0x1230 + i,
			      .flags = F(VALID) | F(USER) | F(RDONLY) | F(NG) |
				       F(AF) | F(PXN) | F(CONT) | sh(f, prot) |
				       MT(NORMAL),
			      .page_shift = f->ps);
		}
	}
}

/*
 * Software bits: pte_mkspecial() (PTE_SPECIAL), pte_mkdevmap()
 * (PTE_DEVMAP | PTE_SPECIAL), 6.12 pte_mkuffd_wp() (PTE_UFFD_WP, then
 * pte_wrprotect()); on 6.1 bit 58 is PTE_PROT_NONE, which a valid pte
 * ignores (no uffd-wp there).
 */
UNIT_TEST(pte_software_bits)
{
	const u64 pfn = 0x4567;
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		u64 shared = pfn_pte(f, pfn, user_prot(f, P_SHARED));
		u32 base = F(VALID) | F(USER) | F(NG) | F(AF) | F(PXN) |
			   F(UXN) | sh(f, shared) | MT(NORMAL);
		u64 e;

		e = shared | D_SPECIAL;
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn,
		      .flags = base | F(DBM) | F(RDONLY) | F(SPECIAL),
		      .page_shift = f->ps, .writable = true);
		e = shared | D_DEVMAP | D_SPECIAL;
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn,
		      .flags = base | F(DBM) | F(RDONLY) | F(SPECIAL) |
			       F(DEVMAP),
		      .page_shift = f->ps, .writable = true);
		/* pte_mkuffd_wp(pte_mkdirty(shared)) */
		e = k_wrprotect(k_mkdirty(shared) | BIT64(58));
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn,
		      .flags = base | F(RDONLY) | F(DIRTY) |
			       (f->v612 ? F(UFFD_WP) : 0),
		      .page_shift = f->ps);
	}
}

/*
 * PAGE_NONE and pte_protnone(): 6.12 PTE_PRESENT_INVALID (bit 11) with
 * !PTE_VALID, no PTE_USER and PTE_UXN; 6.1 PTE_PROT_NONE (bit 58) with
 * !PTE_VALID.  Protnone: not valid, so no nG (bit 11 is not nG there);
 * also through pte_modify() (NUMA hinting, mprotect(PROT_NONE)) of a
 * dirty page, which keeps it dirty.
 */
UNIT_TEST(pte_protnone_entries)
{
	const u64 pfn = 0x5678;
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		u64 none = page_none(f);
		u32 fl = F(PROTNONE) | F(RDONLY) | F(AF) | F(PXN) | F(UXN) |
			 sh(f, none) | MT(NORMAL);
		u64 e = pfn_pte(f, pfn, none);
		u64 shared = pfn_pte(f, pfn, user_prot(f, P_SHARED));

		EXPECT(!(e & D_VALID));
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PROTNONE,
		      .pfn = pfn, .flags = fl, .page_shift = f->ps);
		CHECK_K(f, e, VMVIEW_LEVEL_PTE);
		/* the highest frame */
		e = pfn_pte(f, max_pfn(f), none);
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PROTNONE,
		      .pfn = max_pfn(f), .flags = fl, .page_shift = f->ps);
		/* pte_modify(dirty shared, PAGE_NONE) */
		e = k_modify(f, shared & ~D_RDONLY, none);
		EXPECT_EQ(e, (pfn_pte(f, pfn, none) | D_DIRTY));
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PROTNONE,
		      .pfn = pfn, .flags = fl | F(DIRTY),
		      .page_shift = f->ps);
		/* and back: pte_modify(it, PAGE_SHARED) is valid, dirty */
		e = k_modify(f, e, user_prot(f, P_SHARED));
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn,
		      .flags = F(VALID) | F(DBM) | F(USER) | F(NG) | F(AF) |
			       F(DIRTY) | F(PXN) | F(UXN) | sh(f, none) |
			       MT(NORMAL),
		      .page_shift = f->ps, .writable = true);
		if (f->v612) {
			/*
			 * present-invalid but not PAGE_NONE's permissions
			 * (pte_mkinvalid() of a user page): present, not
			 * protnone, not valid
			 */
			e = (shared | D612_PRESENT_INVALID) & ~D_VALID;
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = pfn,
			      .flags = F(DBM) | F(USER) | F(RDONLY) | F(AF) |
				       F(PXN) | F(UXN) | sh(f, shared) |
				       MT(NORMAL),
			      .page_shift = f->ps, .writable = true);
			CHECK_K(f, e, VMVIEW_LEVEL_PTE);
			/* !user but user-executable: not protnone */
			e = pfn_pte(f, pfn, none & ~D_UXN);
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = pfn,
			      .flags = F(RDONLY) | F(AF) | F(PXN) |
				       sh(f, none) | MT(NORMAL),
			      .page_shift = f->ps);
			CHECK_K(f, e, VMVIEW_LEVEL_PTE);
			/* 6.12's bit 58 of a protnone pte: uffd-wp */
			e = pfn_pte(f, pfn, none) | D612_UFFD_WP;
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PROTNONE, .pfn = pfn,
			      .flags = fl | F(UFFD_WP), .page_shift = f->ps);
		} else {
			/* 6.1: bit 11 alone (not valid) is a swap entry */
			e = pfn_pte(f, pfn, none) & ~D61_PROT_NONE;
			EXPECT(!k_pte_present(f, e));
			CHECK_K(f, e, VMVIEW_LEVEL_PTE);
			EXPECT_EQ(k_decode(f, e, VMVIEW_LEVEL_PTE).kind,
				  VMVIEW_KIND_SWAP);
		}
	}
}

/*
 * With LPA2 only vm_get_page_prot() drops PTE_SHARED (mmap.c
 * adjust_protection_map()); the PAGE_* macros themselves keep it
 * (_PROT_DEFAULT has PTE_SHARED), so pfn_pte(pfn, PAGE_NONE) or
 * pfn_pte(pfn, PAGE_SHARED) made from the macros carries output address
 * bits 50..51 in bits 8..9: pte_pfn() is pfn | 3 << (50 - PAGE_SHIFT),
 * and so is the decoder's frame.  (Code that checks the decoder against
 * such an entry must compare with pte_pfn(), not with pfn.)
 */
UNIT_TEST(lpa2_raw_page_macros)
{
	const u64 pfn = 0x12345;
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		u64 none = f->v612 ? P_NONE_612 : P_NONE_61;
		u64 e = pfn_pte(f, pfn, none);
		u64 want = f->lpa2 ? pfn | 3ULL << (50 - f->ps) : pfn;

		EXPECT_EQ(pte_pfn(f, e), want);
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PROTNONE,
		      .pfn = want,
		      .flags = F(PROTNONE) | F(RDONLY) | F(AF) | F(PXN) |
			       F(UXN) | sh(f, none) | MT(NORMAL),
		      .page_shift = f->ps);
		e = pfn_pte(f, pfn, P_SHARED);
		EXPECT_EQ(pte_pfn(f, e), want);
		CHECK_K(f, e, VMVIEW_LEVEL_PTE);
	}
}

/* ---- pmd, pud: blocks, tables; p4d, pgd: tables ------------------------- */

/*
 * A THP or hugetlb block: pmd_mkhuge(pfn_pmd(pfn, prot)), 2 MiB with 4
 * KiB pages, 32 MiB with 16 KiB; pmd_pfn() drops the address bits below
 * PMD_SHIFT.
 */
UNIT_TEST(pmd_block)
{
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		unsigned int s = pmd_shift(f);
		u64 step = BIT64(s - f->ps);	/* frames a block maps */
		u64 prot = user_prot(f, P_SHARED);
		u32 fl = F(VALID) | F(DBM) | F(USER) | F(RDONLY) | F(NG) |
			 F(AF) | F(BLOCK) | F(PXN) | F(UXN) | sh(f, prot) |
			 MT(NORMAL);
		u64 pfn = 0x123 * step;
		u64 top = max_pfn(f) & ~(step - 1);
		u64 e = k_mkhuge(pfn_pte(f, pfn, prot));

		EXPECT_EQ(BIT64(s), f->ps == 12 ? 2ULL << 20 : 32ULL << 20);
		CHECK(f, e, VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = fl, .page_shift = s,
		      .writable = true);
		CHECK_K(f, e, VMVIEW_LEVEL_PMD);
		/* the frame bits below the block size are not the frame's */
		CHECK(f, e | phys_to_pte_val(f, (step - 1) << f->ps),
		      VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = fl, .page_shift = s,
		      .writable = true);
		/* the highest block */
		e = k_mkhuge(pfn_pte(f, top, prot));
		CHECK(f, e, VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = top, .flags = fl, .page_shift = s,
		      .writable = true);
		/* dirty, read-only exec, contiguous (hugetlb CONT_PMD) */
		e = k_mkhuge(pfn_pte(f, pfn,
				     user_prot(f, P_READONLY_EXEC) | D_CONT |
				     D_DIRTY));
		CHECK(f, e, VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn,
		      .flags = F(VALID) | F(USER) | F(RDONLY) | F(NG) |
			       F(AF) | F(DIRTY) | F(BLOCK) | F(PXN) |
			       F(CONT) | sh(f, prot) | MT(NORMAL),
		      .page_shift = s);
		/* pmd devmap, special; 6.12 pmd_mkuffd_wp() */
		e = k_mkhuge(pfn_pte(f, pfn, prot)) | D_DEVMAP | D_SPECIAL |
		    BIT64(58);
		CHECK(f, e, VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn,
		      .flags = fl | F(DEVMAP) | F(SPECIAL) |
			       (f->v612 ? F(UFFD_WP) : 0),
		      .page_shift = s, .writable = true);
	}
}

/*
 * pmd_protnone(): a THP of a PROT_NONE or NUMA-hinting VMA,
 * pmd_modify(pmd, PAGE_NONE) (pte_modify() keeps PMD_TABLE_BIT clear):
 * a block, protnone.
 */
UNIT_TEST(pmd_protnone_block)
{
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		unsigned int s = pmd_shift(f);
		u64 pfn = 0x45 * BIT64(s - f->ps);
		u64 huge = k_mkhuge(pfn_pte(f, pfn, user_prot(f, P_SHARED)));
		u64 e = k_modify(f, huge, page_none(f));
		u32 fl = F(PROTNONE) | F(RDONLY) | F(AF) | F(BLOCK) | F(PXN) |
			 F(UXN) | sh(f, page_none(f)) | MT(NORMAL);

		EXPECT_EQ(e, k_mkhuge(pfn_pte(f, pfn, page_none(f))));
		CHECK(f, e, VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PROTNONE,
		      .pfn = pfn, .flags = fl, .page_shift = s);
		CHECK_K(f, e, VMVIEW_LEVEL_PMD);
		/* being split: pmdp_invalidate() of a protnone pmd */
		e = k_mkinvalid(f, e);
		CHECK(f, e, VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PROTNONE,
		      .pfn = pfn, .flags = fl, .page_shift = s);
		CHECK_K(f, e, VMVIEW_LEVEL_PMD);
	}
}

/*
 * pmd_mkinvalid() (pmdp_invalidate() while a THP is split or changed):
 * 6.12 clears PTE_VALID and sets PTE_PRESENT_INVALID (bit 11); 6.1
 * clears PMD_SECT_VALID and sets PMD_PRESENT_INVALID (bit 59).
 * pmd_present() and pmd_trans_huge() stay true: a present block, not
 * valid, not protnone, nG not reported (bit 11 is the marker on 6.12).
 */
UNIT_TEST(pmd_invalidated_thp)
{
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		unsigned int s = pmd_shift(f);
		u64 pfn = 0x67 * BIT64(s - f->ps);
		u64 prot = user_prot(f, P_SHARED);
		u64 valid = k_mkdirty(k_mkhuge(pfn_pte(f, pfn, prot)));
		u64 e = k_mkinvalid(f, valid);

		EXPECT_EQ(e, (valid & ~D_VALID) |
			     (f->v612 ? BIT64(11) : BIT64(59)));
		EXPECT(k_pmd_present(f, e));
		CHECK(f, e, VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn,
		      .flags = F(DBM) | F(USER) | F(AF) | F(DIRTY) |
			       F(BLOCK) | F(PXN) | F(UXN) | sh(f, prot) |
			       MT(NORMAL),
		      .page_shift = s, .writable = true);
		CHECK_K(f, e, VMVIEW_LEVEL_PMD);
		/* a read-only exec THP */
		e = k_mkinvalid(f, k_mkhuge(pfn_pte(f, pfn,
					user_prot(f, P_READONLY_EXEC))));
		CHECK(f, e, VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn,
		      .flags = F(USER) | F(RDONLY) | F(AF) | F(BLOCK) |
			       F(PXN) | sh(f, prot) | MT(NORMAL),
		      .page_shift = s);
		/* 4 KiB: a pud being changed, the same bits */
		if (pud_sect(f)) {
			u64 ppfn = 3 * BIT64(pud_shift(f) - f->ps);

			e = k_mkinvalid(f, k_mkhuge(pfn_pte(f, ppfn, prot)));
			CHECK(f, e, VMVIEW_LEVEL_PUD,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = ppfn,
			      .flags = F(DBM) | F(USER) | F(RDONLY) | F(AF) |
				       F(BLOCK) | F(PXN) | F(UXN) |
				       sh(f, prot) | MT(NORMAL),
			      .page_shift = pud_shift(f), .writable = true);
		}
	}
}

/*
 * 1 GiB blocks at the pud (4 KiB pages: pud_sect_supported()); with 16
 * KiB pages a pud holds only tables (a valid entry with the table bit
 * clear is no leaf: none), and so do p4d and pgd at any granule.
 */
UNIT_TEST(pud_block_and_upper_levels)
{
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		u64 prot = user_prot(f, P_SHARED);
		u64 pfn = 5 * BIT64(pud_shift(f) - f->ps);
		u64 e = k_mkhuge(pfn_pte(f, pfn, prot));

		if (pud_sect(f)) {
			u64 step = BIT64(pud_shift(f) - f->ps);
			u64 top = max_pfn(f) & ~(step - 1);

			EXPECT_EQ(BIT64(pud_shift(f)), 1ULL << 30);
			CHECK(f, e, VMVIEW_LEVEL_PUD,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = pfn,
			      .flags = F(VALID) | F(DBM) | F(USER) | F(RDONLY) |
				       F(NG) | F(AF) | F(BLOCK) | F(PXN) |
				       F(UXN) | sh(f, prot) | MT(NORMAL),
			      .page_shift = 30, .writable = true);
			CHECK_K(f, e, VMVIEW_LEVEL_PUD);
			/* low frame bits of the block dropped (pud_pfn()) */
			CHECK(f, e | phys_to_pte_val(f, 0x1234ULL << f->ps),
			      VMVIEW_LEVEL_PUD, .kind = VMVIEW_KIND_PRESENT,
			      .pfn = pfn,
			      .flags = F(VALID) | F(DBM) | F(USER) | F(RDONLY) |
				       F(NG) | F(AF) | F(BLOCK) | F(PXN) |
				       F(UXN) | sh(f, prot) | MT(NORMAL),
			      .page_shift = 30, .writable = true);
			e = k_mkhuge(pfn_pte(f, top, prot));
			CHECK(f, e, VMVIEW_LEVEL_PUD,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = top,
			      .flags = F(VALID) | F(DBM) | F(USER) | F(RDONLY) |
				       F(NG) | F(AF) | F(BLOCK) | F(PXN) |
				       F(UXN) | sh(f, prot) | MT(NORMAL),
			      .page_shift = 30, .writable = true);
			/* protnone 1 GiB (hugetlb mprotect(PROT_NONE)) */
			e = k_mkhuge(pfn_pte(f, pfn, page_none(f)));
			CHECK(f, e, VMVIEW_LEVEL_PUD,
			      .kind = VMVIEW_KIND_PROTNONE, .pfn = pfn,
			      .flags = F(PROTNONE) | F(RDONLY) | F(AF) |
				       F(BLOCK) | F(PXN) | F(UXN) |
				       sh(f, page_none(f)) | MT(NORMAL),
			      .page_shift = 30);
		} else {
			CHECK(f, e, VMVIEW_LEVEL_PUD, .kind = VMVIEW_KIND_NONE,
			      .pfn = VMVIEW_NO_PFN);
			/* nor anything not valid */
			CHECK(f, k_mkhuge(pfn_pte(f, pfn, page_none(f))),
			      VMVIEW_LEVEL_PUD, .kind = VMVIEW_KIND_NONE,
			      .pfn = VMVIEW_NO_PFN);
			CHECK(f, swp(f, 28, 0x1234), VMVIEW_LEVEL_PUD,
			      .kind = VMVIEW_KIND_NONE, .pfn = VMVIEW_NO_PFN);
		}
		/* p4d and pgd: blocks, protnone, swap format: not leaves */
		CHECK(f, e, VMVIEW_LEVEL_P4D, .kind = VMVIEW_KIND_NONE,
		      .pfn = VMVIEW_NO_PFN);
		CHECK(f, e, VMVIEW_LEVEL_PGD, .kind = VMVIEW_KIND_NONE,
		      .pfn = VMVIEW_NO_PFN);
		CHECK(f, k_mkhuge(pfn_pte(f, pfn, page_none(f))),
		      VMVIEW_LEVEL_PGD, .kind = VMVIEW_KIND_NONE,
		      .pfn = VMVIEW_NO_PFN);
		CHECK(f, swp(f, 3, 0x99), VMVIEW_LEVEL_PGD,
		      .kind = VMVIEW_KIND_NONE, .pfn = VMVIEW_NO_PFN);
		CHECK(f, swp(f, 3, 0x99), VMVIEW_LEVEL_P4D,
		      .kind = VMVIEW_KIND_NONE, .pfn = VMVIEW_NO_PFN);
	}
}

/*
 * Tables at each level above the pte, as pmd_populate(), pud_populate(),
 * p4d_populate() and pgd_populate() write them: the table's address,
 * PMD_TYPE_TABLE and PXNTable (bit 59: on 6.1 also PMD_PRESENT_INVALID,
 * which a valid entry ignores); the highest table address; with LPA2
 * address bits 50..51 in 8..9.
 */
UNIT_TEST(tables_each_level)
{
	const struct fmt *f;
	enum vmview_level lv;

	FOR_EACH_FMT(f) {
		for (lv = VMVIEW_LEVEL_PMD; lv < VMVIEW_NR_LEVELS; lv++) {
			u64 pfns[] = { 0x4321, max_pfn(f), 0 };
			unsigned int i;

			for (i = 0; i < NELEM(pfns); i++) {
				u64 e = k_table(f, pfns[i]);

				CHECK(f, e, lv, .kind = VMVIEW_KIND_TABLE,
				      .pfn = pfns[i]);
				CHECK_K(f, e, lv);
				/* kernel tables: UXNTable instead */
				e = (e & ~D_TABLE_PXN) | D_TABLE_UXN;
				CHECK(f, e, lv, .kind = VMVIEW_KIND_TABLE,
				      .pfn = pfns[i]);
			}
			if (f->lpa2)
				CHECK(f, k_table(f, 0x4321) | BIT64(9), lv,
				      .kind = VMVIEW_KIND_TABLE,
				      .pfn = 0x4321 | BIT64(51 - f->ps));
		}
	}
}

/* ---- swap format ---------------------------------------------------------- */

/*
 * The swap entry's fields, bit by bit: 6.12 type in bits 6..10, offset
 * in 12..61; 6.1 type 3..7, offset 8..57.  vmv_swp_entry() builds the
 * same as __swp_entry().
 */
UNIT_TEST(swap_bit_positions)
{
	const struct fmt *f;
	unsigned int i;

	FOR_EACH_FMT(f) {
		unsigned int ts = f->v612 ? 6 : 3, os = f->v612 ? 12 : 8;

		for (i = 0; i < SWP_TYPE_BITS; i++) {
			u64 e = BIT64(ts + i);

			EXPECT_EQ(swp(f, 1U << i, 0), e);
			EXPECT_EQ(vmv_swp_entry(&f->l, 1U << i, 0), e);
			/* type 1 << i, offset 0, a swap file's (< 27) */
			if ((1U << i) < 27)
				CHECK(f, e, VMVIEW_LEVEL_PTE,
				      .kind = VMVIEW_KIND_SWAP,
				      .pfn = VMVIEW_NO_PFN,
				      .swap_type = 1U << i,
				      .page_shift = f->ps);
		}
		for (i = 0; i < SWP_OFFSET_BITS; i++) {
			u64 e = BIT64(os + i);

			EXPECT_EQ(swp(f, 0, BIT64(i)), e);
			EXPECT_EQ(vmv_swp_entry(&f->l, 0, BIT64(i)), e);
			CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_SWAP,
			      .pfn = VMVIEW_NO_PFN, .swap_offset = BIT64(i),
			      .page_shift = f->ps);
		}
		/* the whole offset and the highest swap-file type */
		CHECK(f, GENMASK64(os + 49, os) | swp(f, 26, 0),
		      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_SWAP,
		      .pfn = VMVIEW_NO_PFN, .swap_type = 26,
		      .swap_offset = BIT64(50) - 1, .page_shift = f->ps);
		EXPECT_EQ(os + 49, f->v612 ? 61 : 57);
		/* offset bits the entry cannot hold are dropped */
		EXPECT_EQ(vmv_swp_entry(&f->l, 1, BIT64(50) | 5), swp(f, 1, 5));
		EXPECT_EQ(vmv_swp_entry(&f->l, 33, 5), swp(f, 1, 5));
	}
}

/*
 * pte_swp_mkexclusive(): bit 2 in both; 6.12 pte_swp_mkuffd_wp(): bit
 * 3, on 6.1 the low bit of the type.
 */
UNIT_TEST(swap_exclusive_uffd_wp)
{
	const u64 off = 0xabcde;
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		u64 e = swp(f, 2, off);

		CHECK(f, e | D_SWP_EXCLUSIVE, VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_SWAP, .pfn = VMVIEW_NO_PFN,
		      .flags = F(EXCLUSIVE), .swap_type = 2,
		      .swap_offset = off, .page_shift = f->ps);
		if (f->v612) {
			CHECK(f, e | D612_SWP_UFFD_WP, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_SWAP, .pfn = VMVIEW_NO_PFN,
			      .flags = F(UFFD_WP), .swap_type = 2,
			      .swap_offset = off, .page_shift = f->ps);
			CHECK(f, e | D612_SWP_UFFD_WP | D_SWP_EXCLUSIVE,
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_SWAP,
			      .pfn = VMVIEW_NO_PFN,
			      .flags = F(UFFD_WP) | F(EXCLUSIVE),
			      .swap_type = 2, .swap_offset = off,
			      .page_shift = f->ps);
			/* a migration entry keeps them too */
			CHECK(f, swp(f, 28, off) | D612_SWP_UFFD_WP |
				 D_SWP_EXCLUSIVE,
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_MIGRATION,
			      .pfn = off, .flags = F(UFFD_WP) | F(EXCLUSIVE),
			      .swap_type = 28, .swap_offset = off,
			      .page_shift = f->ps);
		} else {
			/* bit 3 is the type's bit 0 */
			CHECK(f, e | BIT64(3), VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_SWAP, .pfn = VMVIEW_NO_PFN,
			      .swap_type = 3, .swap_offset = off,
			      .page_shift = f->ps);
		}
		/* 6.12 bits 4..5 (between flags and type) are no field */
		if (f->v612)
			CHECK(f, e | BIT64(4) | BIT64(5), VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_SWAP, .pfn = VMVIEW_NO_PFN,
			      .swap_type = 2, .swap_offset = off,
			      .page_shift = f->ps);
	}
}

/*
 * A swap entry never has the present-invalid bit (6.12: bit 11 "must be
 * zero"; 6.1: bit 58 PTE_PROT_NONE "must be zero"); with it, the entry
 * is pte_present().
 */
UNIT_TEST(swap_vs_present_invalid)
{
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		u64 e = swp(f, 1, 0x10) |
			(f->v612 ? D612_PRESENT_INVALID : D61_PROT_NONE);
		struct vmv_decoded d;

		EXPECT(k_pte_present(f, e));
		vmv_decode(&f->l, e, VMVIEW_LEVEL_PTE, &d);
		EXPECT(d.kind == VMVIEW_KIND_PRESENT ||
		       d.kind == VMVIEW_KIND_PROTNONE);
		/*
		 * 6.1 would call this PTE_PROT_NONE entry with PTE_USER
		 * clear and PTE_UXN clear protnone, vmview present: no
		 * such entry exists (see gen_entry())
		 */
		if (f->v612)
			CHECK_K(f, e, VMVIEW_LEVEL_PTE);
	}
}

/* vmv_swp_entry() and decode agree with __swp_entry() over random values. */
UNIT_TEST(swp_entry_round_trip)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	const struct fmt *f;
	unsigned int i, bad = 0;

	FOR_EACH_FMT(f) {
		for (i = 0; i < 20000; i++) {
			u64 r = unit_xorshift(&seed);
			unsigned int type = r & 31;
			u64 off = (r >> 5) & (BIT64(50) - 1);
			u64 e = vmv_swp_entry(&f->l, type, off);
			struct vmv_decoded d;

			if (!e)
				continue;
			if (e != swp(f, type, off)) {
				if (!bad++)
					UNIT_FAIL("%s: vmv_swp_entry(%u, 0x%llx) = 0x%016llx, want 0x%016llx",
						  f->name, type,
						  (unsigned long long)off,
						  (unsigned long long)e,
						  (unsigned long long)swp(f, type, off));
				continue;
			}
			vmv_decode(&f->l, e, VMVIEW_LEVEL_PTE, &d);
			if (d.swap_type != type || d.swap_offset != off) {
				if (!bad++)
					UNIT_FAIL("%s: 0x%016llx decodes %u:0x%llx, want %u:0x%llx",
						  f->name,
						  (unsigned long long)e,
						  d.swap_type,
						  (unsigned long long)d.swap_offset,
						  type,
						  (unsigned long long)off);
				continue;
			}
			if (!check_decode(__LINE__, f, e, VMVIEW_LEVEL_PTE,
					  k_decode(f, e, VMVIEW_LEVEL_PTE),
					  bad != 0))
				bad++;
		}
	}
	EXPECT_EQ(bad, 0);
}

/*
 * Migration entries (make_readable_migration_entry() etc.): types 28
 * (read), 29 (read exclusive), 30 (write); the offset's low SWP_PFN_BITS
 * are the frame, SWP_MIG_YOUNG_BIT (SWP_PFN_BITS) and SWP_MIG_DIRTY_BIT
 * (+1) above it are not; at the pte and, for THP migration
 * (CONFIG_ARCH_ENABLE_THP_MIGRATION=y), the pmd.
 */
UNIT_TEST(migration_entries)
{
	static const unsigned int types[] = { 28, 29, 30 };
	const struct fmt *f;
	unsigned int i;

	FOR_EACH_FMT(f) {
		unsigned int pb = swp_pfn_bits(f);
		u64 young = BIT64(pb), dirty = BIT64(pb + 1);
		u64 pfns[] = { 0x12345, max_pfn(f), 0 };
		unsigned int j;

		for (i = 0; i < NELEM(types); i++) {
			for (j = 0; j < NELEM(pfns); j++) {
				u64 pfn = pfns[j];

				CHECK(f, swp(f, types[i], pfn), VMVIEW_LEVEL_PTE,
				      .kind = VMVIEW_KIND_MIGRATION, .pfn = pfn,
				      .swap_type = types[i], .swap_offset = pfn,
				      .page_shift = f->ps);
				CHECK(f, swp(f, types[i], pfn | young | dirty),
				      VMVIEW_LEVEL_PTE,
				      .kind = VMVIEW_KIND_MIGRATION, .pfn = pfn,
				      .swap_type = types[i],
				      .swap_offset = pfn | young | dirty,
				      .page_shift = f->ps);
			}
			/* a THP's: pmd level, the block's first frame */
			CHECK(f, swp(f, types[i], 0x200) | D_SWP_EXCLUSIVE,
			      VMVIEW_LEVEL_PMD, .kind = VMVIEW_KIND_MIGRATION,
			      .pfn = 0x200, .flags = F(EXCLUSIVE),
			      .swap_type = types[i], .swap_offset = 0x200,
			      .page_shift = pmd_shift(f));
		}
		EXPECT_EQ(max_pfn(f), BIT64(pb) - 1);
	}
}

/* make_hwpoison_entry(): SWP_HWPOISON (27) and the frame. */
UNIT_TEST(hwpoison_entries)
{
	const struct fmt *f;

	FOR_EACH_FMT(f) {
		CHECK(f, swp(f, 27, 0x5432), VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_HWPOISON, .pfn = 0x5432,
		      .swap_type = 27, .swap_offset = 0x5432,
		      .page_shift = f->ps);
		CHECK(f, swp(f, 27, max_pfn(f)), VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_HWPOISON, .pfn = max_pfn(f),
		      .swap_type = 27, .swap_offset = max_pfn(f),
		      .page_shift = f->ps);
		/* 26, the type below, is the last swap file's */
		CHECK(f, swp(f, 26, 0x5432), VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_SWAP, .pfn = VMVIEW_NO_PFN,
		      .swap_type = 26, .swap_offset = 0x5432,
		      .page_shift = f->ps);
	}
}

/*
 * Markers: 6.12 make_pte_marker(PTE_MARKER_UFFD_WP / _POISONED), type
 * SWP_PTE_MARKER 31, no frame; 6.1 has no PTE marker on arm64, and its
 * type 31 is SWP_SWAPIN_ERROR (make_swapin_error_entry() stores the
 * page's frame, but it is no pfn swap entry: vmview shows it as a
 * marker without a frame).
 */
UNIT_TEST(marker_entries)
{
	static const u64 markers[] = {
		MARKER_UFFD_WP, MARKER_POISONED,
		MARKER_UFFD_WP | MARKER_POISONED,
	};
	const struct fmt *f;
	unsigned int i;

	FOR_EACH_FMT(f) {
		if (f->v612) {
			for (i = 0; i < NELEM(markers); i++)
				CHECK(f, swp(f, 31, markers[i]),
				      VMVIEW_LEVEL_PTE,
				      .kind = VMVIEW_KIND_MARKER,
				      .pfn = VMVIEW_NO_PFN, .swap_type = 31,
				      .swap_offset = markers[i],
				      .page_shift = f->ps);
			/* uffd-wp marker of a swapped-out uffd-wp page */
			CHECK(f, swp(f, 31, MARKER_UFFD_WP) | D612_SWP_UFFD_WP,
			      VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_MARKER,
			      .pfn = VMVIEW_NO_PFN, .flags = F(UFFD_WP),
			      .swap_type = 31, .swap_offset = MARKER_UFFD_WP,
			      .page_shift = f->ps);
		} else {
			CHECK(f, swp(f, 31, 0x6789), VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_MARKER, .pfn = VMVIEW_NO_PFN,
			      .swap_type = 31, .swap_offset = 0x6789,
			      .page_shift = f->ps);
		}
		/* 30 is the write migration type in both */
		CHECK(f, swp(f, 30, 1), VMVIEW_LEVEL_PTE,
		      .kind = VMVIEW_KIND_MIGRATION, .pfn = 1,
		      .swap_type = 30, .swap_offset = 1, .page_shift = f->ps);
	}
}

/* ---- memory types ----------------------------------------------------- */

/*
 * AttrIndx 0..4 through the kernel's MAIR_EL1 layout (memory.h): normal,
 * normal-tagged (PROT_MTE: pgprot_tagged()), normal-nc
 * (pgprot_writecombine()), device-nGnRnE (pgprot_noncached()),
 * device-nGnRE (pgprot_device()); 5..7 are unused: no type.  At the pte,
 * a block, protnone; never in a swap entry (whose bits 2..4 are other
 * fields).
 */
UNIT_TEST(memory_types)
{
	static const enum vmview_mt want[8] = {
		VMVIEW_MT_NORMAL, VMVIEW_MT_NORMAL_TAGGED, VMVIEW_MT_NORMAL_NC,
		VMVIEW_MT_DEVICE_NGNRNE, VMVIEW_MT_DEVICE_NGNRE,
		VMVIEW_MT_NONE, VMVIEW_MT_NONE, VMVIEW_MT_NONE,
	};
	const u64 pfn = 0x8000;
	const struct fmt *f;
	unsigned int i;

	vmv_decode_init();	/* the fast path's tables hold the types */
	FOR_EACH_FMT(f) {
		u64 shared = user_prot(f, P_SHARED);
		u32 fl = F(VALID) | F(DBM) | F(USER) | F(RDONLY) | F(NG) |
			 F(AF) | F(PXN) | F(UXN) | sh(f, shared);
		u64 e;

		for (i = 0; i < 8; i++) {
			u64 prot = (shared & ~D_ATTRINDX_MASK) | D_ATTRINDX(i);
			unsigned int s = pmd_shift(f);

			e = pfn_pte(f, pfn, prot);
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PRESENT, .pfn = pfn,
			      .flags = fl | VMV_MT(want[i]),
			      .page_shift = f->ps, .writable = true);
			e = k_mkhuge(pfn_pte(f, BIT64(s - f->ps), prot));
			CHECK(f, e, VMVIEW_LEVEL_PMD,
			      .kind = VMVIEW_KIND_PRESENT,
			      .pfn = BIT64(s - f->ps),
			      .flags = fl | F(BLOCK) | VMV_MT(want[i]),
			      .page_shift = s, .writable = true);
			e = pfn_pte(f, pfn, (page_none(f) & ~D_ATTRINDX_MASK) |
					    D_ATTRINDX(i));
			CHECK(f, e, VMVIEW_LEVEL_PTE,
			      .kind = VMVIEW_KIND_PROTNONE, .pfn = pfn,
			      .flags = F(PROTNONE) | F(RDONLY) | F(AF) |
				       F(PXN) | F(UXN) | sh(f, page_none(f)) |
				       VMV_MT(want[i]),
			      .page_shift = f->ps);
			EXPECT_EQ(vmv_flags_mt(vmv_pte_present_flags(&f->l,
				pfn_pte(f, pfn, prot))), want[i]);
		}
		/* the kernel's constructors */
		e = pfn_pte(f, pfn, (shared & ~D_ATTRINDX_MASK) |
				    D_ATTRINDX(MT_NORMAL_TAGGED));
		EXPECT_EQ(vmv_flags_mt(k_leaf_flags(f, e, false)),
			  VMVIEW_MT_NORMAL_TAGGED);
		e = pfn_pte(f, pfn, (shared & ~D_ATTRINDX_MASK) |
				    D_ATTRINDX(MT_DEVICE_nGnRE) | D_PXN | D_UXN);
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = fl | MT(DEVICE_NGNRE),
		      .page_shift = f->ps, .writable = true);
		e = pfn_pte(f, pfn, (shared & ~D_ATTRINDX_MASK) |
				    D_ATTRINDX(MT_DEVICE_nGnRnE) | D_PXN | D_UXN);
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = fl | MT(DEVICE_NGNRNE),
		      .page_shift = f->ps, .writable = true);
		e = pfn_pte(f, pfn, (shared & ~D_ATTRINDX_MASK) |
				    D_ATTRINDX(MT_NORMAL_NC) | D_PXN | D_UXN);
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_PRESENT,
		      .pfn = pfn, .flags = fl | MT(NORMAL_NC),
		      .page_shift = f->ps, .writable = true);
		/* swap entries and tables: no memory type */
		e = swp(f, 7, 0x1c) | D_SWP_EXCLUSIVE;
		CHECK(f, e, VMVIEW_LEVEL_PTE, .kind = VMVIEW_KIND_SWAP,
		      .pfn = VMVIEW_NO_PFN, .flags = F(EXCLUSIVE),
		      .swap_type = 7, .swap_offset = 0x1c,
		      .page_shift = f->ps);
		CHECK(f, k_table(f, 0x55) | D_ATTRINDX(4), VMVIEW_LEVEL_PMD,
		      .kind = VMVIEW_KIND_TABLE, .pfn = 0x55);
	}
}

/* ---- the kernel's reading of random entries -------------------------- */

/*
 * A random entry of one class the kernel makes at a level:
 *   0 valid (any other bits),
 *   1 present but not valid (6.12: bit 11; 6.1: PTE_PROT_NONE with
 *     PAGE_NONE's permissions, or at the pmd PMD_PRESENT_INVALID of a
 *     user block), blocks only above the pte,
 *   2 swap format (no present bit), nonzero.
 * On 6.1 pte_protnone() is PTE_PROT_NONE alone, vmview's rule (like
 * 6.12's) also asks for !PTE_USER and PTE_UXN: the same for every entry
 * the kernel makes (PTE_PROT_NONE comes only with PAGE_NONE), so the 6.1
 * entries keep to those; bit 59 only ever marks a pmd.
 */
static u64 gen_entry(const struct fmt *f, enum vmview_level lv,
		     unsigned int cls, uint64_t *seed)
{
	u64 e = unit_xorshift(seed);
	u64 r = unit_xorshift(seed);

	switch (cls) {
	case 0:
		return e | D_VALID;
	case 1:
		e &= ~D_VALID;
		if (lv != VMVIEW_LEVEL_PTE)
			e &= ~D_TABLE;
		if (f->v612)
			return e | D612_PRESENT_INVALID;
		if (lv == VMVIEW_LEVEL_PTE || (r & 1)) {
			e = (e | D61_PROT_NONE | D_UXN) & ~D_USER;
			if (lv == VMVIEW_LEVEL_PTE)
				e &= ~D61_PMD_PRESENT_INVALID;
			return e;
		}
		/* an invalidated user THP: PTE_USER, not PROT_NONE */
		return (e | D61_PMD_PRESENT_INVALID | D_USER) & ~D61_PROT_NONE;
	default:
		e &= ~D_VALID;
		e &= f->v612 ? ~D612_PRESENT_INVALID :
			       ~(D61_PROT_NONE | D61_PMD_PRESENT_INVALID);
		return e ? e : BIT64(swp_offset_shift(f));
	}
}

/*
 * Many random entries of each class at each level, decoded as the
 * kernel's own helpers read them (k_decode()): every field.
 */
UNIT_TEST(random_entries_match_kernel)
{
	uint64_t seed = 0x243f6a8885a308d3ULL;
	const struct fmt *f;
	enum vmview_level lv;
	unsigned int cls, i, bad = 0, n = 0;

	FOR_EACH_FMT(f)
		for (lv = VMVIEW_LEVEL_PTE; lv < VMVIEW_NR_LEVELS; lv++)
			for (cls = 0; cls < 3; cls++)
				for (i = 0; i < 3000; i++) {
					u64 e = gen_entry(f, lv, cls, &seed);
					struct want w = k_decode(f, e, lv);

					n++;
					/* report the first few only */
					if (!check_decode(__LINE__, f, e, lv, w,
							  bad >= 3))
						bad++;
				}
	EXPECT_EQ(bad, 0);
	EXPECT(n == NR_FMTS * VMVIEW_NR_LEVELS * 3 * 3000);
}

/*
 * The inline fast path of vmv_arch.h that the dump uses instead of
 * vmv_decode() for present ptes: vmv_pte_pfn() and
 * vmv_pte_present_flags() give what vmv_decode() gives, for valid and
 * not-valid present ptes, and so do vmv_fast_pte_pfn() and
 * vmv_fast_pte_flags() from the layout's fast part (vmv_pte_fast(), what
 * the dump's loop reads); vmv_entry_maps_frame() is pte_present().
 */
UNIT_TEST(fast_path_matches_decode)
{
	uint64_t seed = 0x13198a2e03707344ULL;
	const struct fmt *f;
	unsigned int cls, i, bad = 0;

	vmv_decode_init();
	FOR_EACH_FMT(f) {
		const struct vmv_layout *l = &f->l;
		const struct vmv_pte_fast fast = vmv_pte_fast(l);

		for (cls = 0; cls < 3; cls++) {
			for (i = 0; i < 20000; i++) {
				u64 e = gen_entry(f, VMVIEW_LEVEL_PTE, cls,
						  &seed);
				struct vmv_decoded d;
				bool maps;

				vmv_decode(l, e, VMVIEW_LEVEL_PTE, &d);
				maps = d.kind == VMVIEW_KIND_PRESENT ||
				       d.kind == VMVIEW_KIND_PROTNONE;
				if (vmv_entry_maps_frame(l, e) !=
				    k_pte_present(f, e) ||
				    maps != k_pte_present(f, e) ||
				    (maps && (d.pfn != vmv_pte_pfn(l, e) ||
					      d.flags !=
					      vmv_pte_present_flags(l, e) ||
					      d.pfn != pte_pfn(f, e) ||
					      d.pfn !=
					      vmv_fast_pte_pfn(&fast, e) ||
					      d.flags !=
					      vmv_fast_pte_flags(&fast, e)))) {
					if (!bad++)
						UNIT_FAIL("%s: 0x%016llx: kind %s pfn 0x%llx flags 0x%x; fast pfn 0x%llx flags 0x%x maps %d",
							  f->name,
							  (unsigned long long)e,
							  kind_str(d.kind),
							  (unsigned long long)d.pfn,
							  d.flags,
							  (unsigned long long)vmv_pte_pfn(l, e),
							  vmv_pte_present_flags(l, e),
							  vmv_entry_maps_frame(l, e));
				}
			}
		}
	}
	EXPECT_EQ(bad, 0);
}

/*
 * The other inline helpers: vmv_pte_present_normal() is vm_normal_page()'s
 * rule on a valid pte (not pte_special(), not pte_devmap()), and so is
 * vmv_fast_pte_normal() from the layout's fast part, which with its
 * normal_mask cleared (the dump's, in a VM_PFNMAP or VM_MIXEDMAP VMA)
 * takes none; vmv_pte_maps_normal() the same counting protnone ptes
 * (pte_present()); vmv_pte_present_plain() a valid, not special pte and
 * pte_write().
 */
UNIT_TEST(fast_path_helpers)
{
	uint64_t seed = 0xa4093822299f31d0ULL;
	const struct fmt *f;
	unsigned int cls, i, bad = 0;

	FOR_EACH_FMT(f) {
		const struct vmv_layout *l = &f->l;
		const struct vmv_pte_fast fast = vmv_pte_fast(l);
		struct vmv_pte_fast none = vmv_pte_fast(l);

		none.normal_mask = 0;

		for (cls = 0; cls < 3; cls++) {
			for (i = 0; i < 5000; i++) {
				u64 e = gen_entry(f, VMVIEW_LEVEL_PTE, cls,
						  &seed);
				bool valid = e & D_VALID;
				bool normal = !(e & (D_SPECIAL | D_DEVMAP));
				bool w, plain = vmv_pte_present_plain(e, &w);

				if (vmv_pte_present_normal(l, e) !=
				    (valid && normal) ||
				    vmv_fast_pte_normal(&fast, e) !=
				    (valid && normal) ||
				    vmv_fast_pte_normal(&none, e) ||
				    vmv_pte_maps_normal(l, e) !=
				    (k_pte_present(f, e) && normal) ||
				    plain != (valid && !(e & D_SPECIAL)) ||
				    w != !!(e & D_WRITE)) {
					if (!bad++)
						UNIT_FAIL("%s: 0x%016llx",
							  f->name,
							  (unsigned long long)e);
				}
			}
		}
		/* the named cases */
		EXPECT(vmv_pte_present_normal(l, pfn_pte(f, 1,
						user_prot(f, P_SHARED))));
		EXPECT(!vmv_pte_present_normal(l, pfn_pte(f, 1,
						page_none(f))));
		EXPECT(vmv_pte_maps_normal(l, pfn_pte(f, 1, page_none(f))));
		EXPECT(!vmv_pte_maps_normal(l, swp(f, 1, 1)));
		EXPECT(!vmv_pte_present_normal(l, pfn_pte(f, 1,
				user_prot(f, P_SHARED) | D_DEVMAP | D_SPECIAL)));
		EXPECT(!vmv_pte_maps_normal(l, pfn_pte(f, 1,
				user_prot(f, P_SHARED) | D_SPECIAL)));
	}
	EXPECT_EQ(bad, 0);
}

/*
 * The fast path's flag tables (vmv_decode_init()) give what the decoder's
 * bit-by-bit vmv_arm64_leaf_flags() gives, in every format: for every
 * combination of bits 0..11 and 51..58, the bits in between (the frame)
 * and above (software, ignored) random.
 */
UNIT_TEST(flag_tables_match_leaf_flags)
{
	uint64_t seed = 0x082efa98ec4e6c89ULL;
	const struct fmt *f;
	unsigned int hi, lo, bad = 0;

	vmv_decode_init();
	FOR_EACH_FMT(f) {
		const struct vmv_layout *l = &f->l;

		for (hi = 0; hi < 256; hi++) {
			for (lo = 0; lo < 4096; lo++) {
				u64 r = unit_xorshift(&seed);
				u64 e = (u64)hi << 51 | lo |
					(r & (GENMASK64(50, 12) |
					      GENMASK64(63, 59)));
				u32 want = vmv_arm64_leaf_flags(l, e, false);
				u32 got = vmv_pte_present_flags(l, e);

				if (got != want && !bad++)
					UNIT_FAIL("%s: 0x%016llx: tables 0x%x, leaf flags 0x%x",
						  f->name,
						  (unsigned long long)e, got,
						  want);
			}
		}
	}
	EXPECT_EQ(bad, 0);
}

/* ---- names and a line -------------------------------------------------- */

/*
 * The arm64 vocabulary (uapi VMVIEW_ARM64_FLAGS) is what fmt.c names in
 * this build, with the numbers both vocabularies share; memory types.
 */
UNIT_TEST(flag_and_mt_names)
{
	EXPECT_EQ(VMVIEW_ARM64_NR_FLAGS, VMVIEW_NR_FLAGS);
	EXPECT_NAME_LIST(vmv_flag_names, VMVIEW_NR_FLAGS,
			 "valid,dbm,user,rdonly,ng,af,dirty,block,sh,pxn,uxn,"
			 "cont,special,uffd-wp,devmap,protnone,exclusive");
	EXPECT_NAME_LIST(vmv_mt_names, VMVIEW_NR_MTS,
			 "-,normal,normal-tagged,normal-nc,device-ngnrne,"
			 "device-ngnre");
	/* uapi: 0 1 2 5 6 7 10 12 13 14 15 16 mean the same on both */
	EXPECT_EQ(VMVIEW_ARM64_F_VALID, VMVIEW_F_PRESENT);
	EXPECT_EQ(VMVIEW_ARM64_F_DBM, VMVIEW_F_RW);
	EXPECT_EQ(VMVIEW_ARM64_F_USER, VMVIEW_F_USER);
	EXPECT_EQ(VMVIEW_ARM64_F_AF, VMVIEW_F_ACCESSED);
	EXPECT_EQ(VMVIEW_ARM64_F_DIRTY, VMVIEW_F_DIRTY);
	EXPECT_EQ(VMVIEW_ARM64_F_BLOCK, VMVIEW_F_PSE);
	EXPECT_EQ(VMVIEW_ARM64_F_UXN, VMVIEW_F_NX);
	EXPECT_EQ(VMVIEW_ARM64_F_SPECIAL, VMVIEW_F_SPECIAL);
	EXPECT_EQ(VMVIEW_ARM64_F_UFFD_WP, VMVIEW_F_UFFD_WP);
	EXPECT_EQ(VMVIEW_ARM64_F_DEVMAP, VMVIEW_F_DEVMAP);
	EXPECT_EQ(VMVIEW_ARM64_F_PROTNONE, VMVIEW_F_PROTNONE);
	EXPECT_EQ(VMVIEW_ARM64_F_EXCLUSIVE, VMVIEW_F_EXCLUSIVE);
	/* every flag fits the flags word below the memory type */
	EXPECT((VMV_FLAG(VMVIEW_ARM64_NR_FLAGS) - 1) == VMV_FLAGS_MASK);
	EXPECT(VMVIEW_NR_MTS - 1 <= VMV_MT_MASK);
}

/* A decoded entry as a ptes line: the arm64 words and its memory type. */
UNIT_TEST(fmt_line)
{
	const struct fmt *f = &fmts[0];
	char buf[VMV_PTE_LINE_MAX];
	struct vmv_decoded d;
	u64 e;
	size_t n;

	e = k_mkdirty(pfn_pte(f, 0x12345, user_prot(f, P_SHARED)));
	vmv_decode(&f->l, e, VMVIEW_LEVEL_PTE, &d);
	n = vmv_fmt_pte(buf, 0x7f0000001000ULL, VMVIEW_LEVEL_PTE, e, &d,
			NULL);
	ASSERT(n < sizeof(buf));
	buf[n] = 0;
	EXPECT_HAS(buf, " pte 0x");
	EXPECT_HAS(buf, " present pfn=0x12345 ");
	EXPECT_HAS(buf, " flags=valid,dbm,user,ng,af,dirty,sh,pxn,uxn mt=normal\n");

	e = pfn_pte(&fmts[2], 0x777, page_none(&fmts[2]));
	vmv_decode(&fmts[2].l, e, VMVIEW_LEVEL_PTE, &d);
	n = vmv_fmt_pte(buf, 0x7f0000004000ULL, VMVIEW_LEVEL_PTE, e, &d,
			NULL);
	ASSERT(n < sizeof(buf));
	buf[n] = 0;
	EXPECT_HAS(buf, " protnone pfn=0x777 flags=rdonly,af,pxn,uxn,protnone mt=normal\n");

	e = swp(&fmts[4], 31, 0x42);
	vmv_decode(&fmts[4].l, e, VMVIEW_LEVEL_PTE, &d);
	n = vmv_fmt_pte(buf, 0x7f0000008000ULL, VMVIEW_LEVEL_PTE, e, &d,
			NULL);
	ASSERT(n < sizeof(buf));
	buf[n] = 0;
	EXPECT_HAS(buf, " marker pfn=- ");
	EXPECT_HASNT(buf, " mt=");
}

UNIT_MAIN()

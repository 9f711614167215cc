// SPDX-License-Identifier: GPL-2.0
/*
 * arch_arm64.c: the arm64 descriptor formats /proc/vmview's entry_format
 * names (arm64-6.1, arm64-6.12-4k, arm64-6.12-4k-lpa2, arm64-6.12-16k,
 * arm64-6.12-16k-lpa2), as the layouts of module/arch/arm64/vmv_arch.h
 * (VMV_ARM64_61_ENTRIES, VMV_ARM64_612_ENTRIES(page_shift, lpa2)) for
 * the module's own arm64 decoder (module/arch/arm64/decode.c, linked in
 * as decode_arm64.o).  Built with -I module/arch/arm64 and the decoder's
 * symbols renamed (vmv_decode -> vmv_arm64_decode, ...: see the
 * Makefile), beside x86's decoder of the same names.
 */
#include "vmview-cli.h"
#include "vmv_arch.h"		/* module/arch/arm64/ */

/*
 * Every type below max_swapfiles, as on x86 (arch_x86.c).  The
 * arguments of VMV_ARM64_612_ENTRIES() are literals it pastes into
 * names: not through another macro, which would expand false to 0.
 */
static const struct vmv_layout l61 = {
	.max_swapfiles = 0xff, VMV_ARM64_61_ENTRIES
};
static const struct vmv_layout l612_4k = {
	.max_swapfiles = 0xff, VMV_ARM64_612_ENTRIES(12, false)
};
static const struct vmv_layout l612_4k_lpa2 = {
	.max_swapfiles = 0xff, VMV_ARM64_612_ENTRIES(12, true)
};
static const struct vmv_layout l612_16k = {
	.max_swapfiles = 0xff, VMV_ARM64_612_ENTRIES(14, false)
};
static const struct vmv_layout l612_16k_lpa2 = {
	.max_swapfiles = 0xff, VMV_ARM64_612_ENTRIES(14, true)
};

static uint64_t arm64_swap_offset(const struct vmv_entry_format *f,
				  uint64_t entry, int level)
{
	struct vmv_decoded d;

	vmv_decode(f->layout, entry, level, &d);
	return d.swap_offset;
}

/*
 * A table descriptor holds the next table's address as a page's: bits
 * PAGE_SHIFT..49 (47 on 6.1), and with LPA2 bits 50..51 in bits 8..9.
 */
static uint64_t arm64_table_addr(const struct vmv_entry_format *f,
				 uint64_t entry, int level)
{
	const struct vmv_layout *l = f->layout;

	(void)level;
	return vmv_pte_pfn(l, entry) << l->leaf_shift[VMVIEW_LEVEL_PTE];
}

#define FORMAT(name, shift, desc, layout)				\
	{ name, VMVIEW_ARCH_ARM64, shift, desc, &layout,		\
	  arm64_swap_offset, arm64_table_addr }

const struct vmv_entry_format vmv_arm64_formats[] = {
	FORMAT("arm64-6.12-4k", 12, "arm64 6.12, 4K granule", l612_4k),
	FORMAT("arm64-6.12-4k-lpa2", 12, "arm64 6.12, 4K granule, LPA2",
	       l612_4k_lpa2),
	FORMAT("arm64-6.12-16k", 14, "arm64 6.12, 16K granule", l612_16k),
	FORMAT("arm64-6.12-16k-lpa2", 14, "arm64 6.12, 16K granule, LPA2",
	       l612_16k_lpa2),
	FORMAT("arm64-6.1", 12, "arm64 6.1, 4K granule", l61),
};
const size_t vmv_arm64_nr_formats = ARRAY_SIZE(vmv_arm64_formats);

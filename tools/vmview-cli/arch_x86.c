// SPDX-License-Identifier: GPL-2.0
/*
 * arch_x86.c: the x86 entry formats /proc/vmview's entry_format names
 * (x86-64, i386-pae, i386-2level), as the layouts of
 * module/arch/x86/vmv_arch.h (VMV_X86_*_ENTRIES) for the module's own
 * x86 decoder (module/arch/x86/decode.c, linked in as decode.o): the
 * swap offset of a record whose pfn is a frame, the address in a table
 * entry.  Built with -I module/arch/x86: the two architectures'
 * vmv_arch.h cannot meet in one file (arch_arm64.c has arm64's).
 */
#include "vmview-cli.h"
#include "vmv_arch.h"		/* module/arch/x86/ */

/*
 * Every type below max_swapfiles: the decoder reads any swap-format
 * entry as a swap entry, its offset whole.
 */
static const struct vmv_layout x86_64 = {
	.max_swapfiles = 0xff, VMV_X86_64_ENTRIES
};
static const struct vmv_layout pae = {
	.max_swapfiles = 0xff, VMV_X86_PAE_ENTRIES
};
static const struct vmv_layout two = {
	.max_swapfiles = 0xff, VMV_X86_2LEVEL_ENTRIES
};

static uint64_t x86_swap_offset(const struct vmv_entry_format *f,
				uint64_t entry, int level)
{
	struct vmv_decoded d;

	vmv_decode(f->layout, entry, level, &d);
	return d.swap_offset;
}

/* Bits 12..51, or 12..31 of a 2-level entry: the layout's pfn_mask. */
static uint64_t x86_table_addr(const struct vmv_entry_format *f,
			       uint64_t entry, int level)
{
	const struct vmv_layout *l = f->layout;

	(void)level;
	return entry & l->pfn_mask;
}

const struct vmv_entry_format vmv_x86_formats[] = {
	{ "x86-64", VMVIEW_ARCH_X86, 12, "x86-64 (64-bit entries)", &x86_64,
	  x86_swap_offset, x86_table_addr },
	{ "i386-pae", VMVIEW_ARCH_X86, 12, "i386 PAE (64-bit entries)", &pae,
	  x86_swap_offset, x86_table_addr },
	{ "i386-2level", VMVIEW_ARCH_X86, 12, "i386 2-level (32-bit entries)",
	  &two, x86_swap_offset, x86_table_addr },
};
const size_t vmv_x86_nr_formats = ARRAY_SIZE(vmv_x86_formats);

// SPDX-License-Identifier: GPL-2.0
/*
 * fmt: vmview's text output without printf in the hot path.  Plain C;
 * builds into the module and into the host tests (tests/test_fmt.c).
 * The format of a ptes line is in fmt.h and Documentation/vmview.rst.
 */
#include "fmt.h"

const char * const vmv_page_flag_names[VMV_NR_PAGE_FLAGS] = {
	[VMV_P_ANON]		= "anon",
	[VMV_P_FILE]		= "file",
	[VMV_P_KSM]		= "ksm",
	[VMV_P_ZERO]		= "zero",
	[VMV_P_LRU]		= "lru",
	[VMV_P_ACTIVE]		= "active",
	[VMV_P_REFERENCED]	= "referenced",
	[VMV_P_UNEVICTABLE]	= "unevictable",
	[VMV_P_MLOCKED]		= "mlocked",
	[VMV_P_SWAPCACHE]	= "swapcache",
	[VMV_P_SWAPBACKED]	= "swapbacked",
	[VMV_P_DIRTY]		= "dirty",
	[VMV_P_WRITEBACK]	= "writeback",
	[VMV_P_LARGE]		= "large",
};

static const char vmv_hex_digits[16] = "0123456789abcdef";

size_t vmv_fmt_hex(char *buf, u64 v, unsigned int min_digits)
{
	unsigned int n = 1, i;

	while (n < 16 && (v >> (4 * n)))
		n++;
	if (n < min_digits)
		n = min_digits > 16 ? 16 : min_digits;
	for (i = 0; i < n; i++)
		buf[n - 1 - i] = vmv_hex_digits[(v >> (4 * i)) & 0xf];
	return n;
}

size_t vmv_fmt_dec(char *buf, u64 v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static size_t vmv_fmt_str(char *buf, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf, s, n);
	return n;
}

size_t vmv_fmt_names(char *buf, u32 mask, const char * const *names,
		     unsigned int nr)
{
	char *p = buf;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (!(mask & (1U << i)))
			continue;
		if (p != buf)
			*p++ = ',';
		p += vmv_fmt_str(p, names[i]);
	}
	if (p == buf)
		*p++ = '-';
	return p - buf;
}

static bool vmv_kind_is_swap_format(enum vmv_kind kind)
{
	return kind >= VMV_KIND_SWAP && kind <= VMV_KIND_MARKER;
}

size_t vmv_fmt_pte(char *buf, u64 vaddr, enum vmv_level level, u64 entry,
		   const struct vmv_decoded *d, const struct vmv_page_info *pi)
{
	char *p = buf;

	p += vmv_fmt_str(p, "0x");
	p += vmv_fmt_hex(p, vaddr, 16);
	*p++ = ' ';
	p += vmv_fmt_str(p, vmv_level_names[level]);
	p += vmv_fmt_str(p, " 0x");
	p += vmv_fmt_hex(p, entry, 16);
	*p++ = ' ';
	p += vmv_fmt_str(p, vmv_kind_names[d->kind]);
	p += vmv_fmt_str(p, " pfn=");
	if (d->pfn == VMV_NO_PFN) {
		*p++ = '-';
	} else {
		p += vmv_fmt_str(p, "0x");
		p += vmv_fmt_hex(p, d->pfn, 1);
	}
	if (vmv_kind_is_swap_format(d->kind)) {
		p += vmv_fmt_str(p, " swap=");
		p += vmv_fmt_dec(p, d->swap_type);
		p += vmv_fmt_str(p, ":0x");
		p += vmv_fmt_hex(p, d->swap_offset, 1);
	}
	p += vmv_fmt_str(p, " flags=");
	p += vmv_fmt_names(p, d->flags, vmv_flag_names, VMV_NR_FLAGS);
	if (pi && pi->valid) {
		p += vmv_fmt_str(p, " page=");
		p += vmv_fmt_names(p, pi->flags, vmv_page_flag_names,
				   VMV_NR_PAGE_FLAGS);
		p += vmv_fmt_str(p, " order=");
		p += vmv_fmt_dec(p, pi->order);
		p += vmv_fmt_str(p, " mapcount=");
		if (pi->mapcount < 0) {
			*p++ = '-';
			p += vmv_fmt_dec(p, -(s64)pi->mapcount);
		} else {
			p += vmv_fmt_dec(p, pi->mapcount);
		}
	}
	*p++ = '\n';
	return p - buf;
}

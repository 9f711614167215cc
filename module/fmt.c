// SPDX-License-Identifier: GPL-2.0
/*
 * fmt: vmview's text output without printf in the hot path.  Plain C;
 * builds into the module and into the host tests (tests/test_fmt.c).
 * The format of a ptes line is in fmt.h and Documentation/vmview.rst.
 */
#include "fmt.h"

/* The words of ptes, from the ABI's lists. */
const char * const vmv_kind_names[] = VMVIEW_NAMES(VMVIEW_KINDS);
const char * const vmv_level_names[] = VMVIEW_NAMES(VMVIEW_LEVELS);
const char * const vmv_flag_names[] = VMVIEW_NAMES(VMV_ARCH_FLAGS);
const char * const vmv_mt_names[] = VMVIEW_NAMES(VMVIEW_MTS);
const char * const vmv_page_flag_names[] = VMVIEW_NAMES(VMVIEW_PFLAGS);

/* The enums come from the uapi lists; the record's fields must hold them. */
static_assert(VMVIEW_NR_KINDS - 1 <= VMVIEW_META_KIND_MASK &&
	      VMVIEW_NR_ARCHS - 1 <= VMVIEW_META_ARCH_MASK &&
	      VMVIEW_NR_LEVELS - 1 <= VMVIEW_META_LEVEL_MASK &&
	      VMVIEW_NR_MTS - 1 <= VMV_MT_MASK &&
	      VMVIEW_NR_FLAGS <= 17 && VMVIEW_NR_PFLAGS <= 14);
static_assert(ARRAY_SIZE(vmv_flag_names) == VMVIEW_NR_FLAGS);
static_assert(!(VMV_MT_MASK & ~VMVIEW_META_MT_MASK));

/* The flags both vocabularies share have the same numbers (uapi). */
#define VMV_SAME(a, b)	((int)(a) == (int)(b))
static_assert(VMV_SAME(VMVIEW_ARM64_NR_FLAGS, VMVIEW_NR_FLAGS) &&
	      VMV_SAME(VMVIEW_ARM64_F_VALID, VMVIEW_F_PRESENT) &&
	      VMV_SAME(VMVIEW_ARM64_F_DBM, VMVIEW_F_RW) &&
	      VMV_SAME(VMVIEW_ARM64_F_USER, VMVIEW_F_USER) &&
	      VMV_SAME(VMVIEW_ARM64_F_AF, VMVIEW_F_ACCESSED) &&
	      VMV_SAME(VMVIEW_ARM64_F_DIRTY, VMVIEW_F_DIRTY) &&
	      VMV_SAME(VMVIEW_ARM64_F_BLOCK, VMVIEW_F_PSE) &&
	      VMV_SAME(VMVIEW_ARM64_F_UXN, VMVIEW_F_NX) &&
	      VMV_SAME(VMVIEW_ARM64_F_SPECIAL, VMVIEW_F_SPECIAL) &&
	      VMV_SAME(VMVIEW_ARM64_F_UFFD_WP, VMVIEW_F_UFFD_WP) &&
	      VMV_SAME(VMVIEW_ARM64_F_DEVMAP, VMVIEW_F_DEVMAP) &&
	      VMV_SAME(VMVIEW_ARM64_F_PROTNONE, VMVIEW_F_PROTNONE) &&
	      VMV_SAME(VMVIEW_ARM64_F_EXCLUSIVE, VMVIEW_F_EXCLUSIVE));

static const char vmv_hex_digits[16] = "0123456789abcdef";

size_t vmv_fmt_hex(char *buf, u64 v, unsigned int min_digits)
{
	unsigned int n = 1;
	char *p;

	while (n < 16 && (v >> (4 * n)))
		n++;
	if (n < min_digits)
		n = min_digits > 16 ? 16 : min_digits;
	for (p = buf + n; p != buf; v >>= 4)
		*--p = vmv_hex_digits[v & 0xf];
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

static bool vmv_kind_is_swap_format(enum vmview_kind kind)
{
	return kind >= VMVIEW_KIND_SWAP && kind <= VMVIEW_KIND_MARKER;
}

size_t vmv_fmt_pte(char *buf, u64 vaddr, enum vmview_level level, u64 entry,
		   const struct vmv_decoded *d, const struct vmv_page_info *pi)
{
	return vmv_fmt_pte_cached(NULL, buf, vaddr, level, entry, d, pi);
}

/*
 * Two hex digits a lookup: the 16-digit fields are most of a line.  The
 * table is filled by vmv_fmt_init() (at module load); until then the
 * digits come one at a time.
 */
static char vmv_hex2[512];

void vmv_fmt_init(void)
{
	unsigned int i;

	for (i = 0; i < 256; i++) {
		vmv_hex2[2 * i] = vmv_hex_digits[i >> 4];
		vmv_hex2[2 * i + 1] = vmv_hex_digits[i & 15];
	}
}

static size_t vmv_fmt_hex16(char *p, u64 v)
{
	int i;

	if (!vmv_hex2[1])
		return vmv_fmt_hex(p, v, 16);
	for (i = 7; i >= 0; i--, v >>= 8)
		memcpy(p + 2 * i, vmv_hex2 + 2 * (v & 0xff), 2);
	return 16;
}

/* From " flags=" to the newline. */
static size_t vmv_fmt_tail(char *buf, u32 flags,
			   const struct vmv_page_info *pi)
{
	char *p = buf;

	p += vmv_fmt_str(p, " flags=");
	p += vmv_fmt_names(p, flags & VMV_FLAGS_MASK, vmv_flag_names,
			   VMVIEW_NR_FLAGS);
	if (vmv_flags_mt(flags) && vmv_flags_mt(flags) < VMVIEW_NR_MTS) {
		p += vmv_fmt_str(p, " mt=");
		p += vmv_fmt_str(p, vmv_mt_names[vmv_flags_mt(flags)]);
	}
	if (pi && pi->valid) {
		p += vmv_fmt_str(p, " page=");
		p += vmv_fmt_names(p, pi->flags, vmv_page_flag_names,
				   VMVIEW_NR_PFLAGS);
		p += vmv_fmt_str(p, " order=");
		p += vmv_fmt_dec(p, pi->order);
		p += vmv_fmt_str(p, " mapcount=");
		if (pi->mapcount < 0) {
			*p++ = '-';
			p += vmv_fmt_dec(p, -(s64)pi->mapcount);
		} else {
			p += vmv_fmt_dec(p, pi->mapcount);
		}
		if (pi->lru_gen) {
			p += vmv_fmt_str(p, " gen=");
			p += vmv_fmt_dec(p, pi->lru_gen - 1);
		}
	}
	*p++ = '\n';
	return p - buf;
}

void vmv_fmt_cache_fill(struct vmv_fmt_cache *c, u32 flags,
			const struct vmv_page_info *pi)
{
	c->len = vmv_fmt_tail(c->tail, flags, pi);
	c->flags = flags;
	c->pvalid = pi && pi->valid;
	c->pflags = c->pvalid ? pi->flags : 0;
	c->order = c->pvalid ? pi->order : 0;
	c->mapcount = c->pvalid ? pi->mapcount : 0;
	c->lru_gen = c->pvalid ? pi->lru_gen : 0;
	c->valid = true;
}

size_t vmv_fmt_pte_cached(struct vmv_fmt_cache *c, char *buf, u64 vaddr,
			  enum vmview_level level, u64 entry,
			  const struct vmv_decoded *d,
			  const struct vmv_page_info *pi)
{
	char *p = buf;

	p += vmv_fmt_str(p, "0x");
	p += vmv_fmt_hex16(p, vaddr);
	*p++ = ' ';
	p += vmv_fmt_str(p, vmv_level_names[level]);
	p += vmv_fmt_str(p, " 0x");
	p += vmv_fmt_hex16(p, entry);
	*p++ = ' ';
	p += vmv_fmt_str(p, vmv_kind_names[d->kind]);
	p += vmv_fmt_str(p, " pfn=");
	if (d->pfn == VMVIEW_NO_PFN) {
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
	if (!c)
		return p + vmv_fmt_tail(p, d->flags, pi) - buf;
	if (!vmv_fmt_cache_hit(c, d->flags, pi))
		vmv_fmt_cache_fill(c, d->flags, pi);
	memcpy(p, c->tail, c->len);
	return p + c->len - buf;
}

void vmv_fmt_rec(struct vmview_pte *rec, u64 vaddr, enum vmview_level level,
		 u64 entry, const struct vmv_decoded *d,
		 const struct vmv_page_info *pi)
{
	u64 meta = vmv_rec_meta(d->kind, level, d->flags);
	u64 pfn = d->pfn;

	if (vmv_kind_is_swap_format(d->kind)) {
		meta |= ((u64)d->swap_type & VMVIEW_META_SWAP_MASK) <<
			VMVIEW_META_SWAP_SHIFT;
		if (d->kind == VMVIEW_KIND_SWAP)
			pfn = d->swap_offset;
	}
	vmv_rec_put(rec, vaddr, entry, pfn, meta, pi);
}

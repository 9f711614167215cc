// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c: the module's text formats into structs.
 *
 * One parser for each file in Documentation/vmview.rst: key: value files
 * (/proc/vmview, PID/mm, PID/shadow), PID/vmas, the records of
 * PID/ptes.bin, a line of PID/ptes (translate's leaf), PID/translate,
 * PID/verify and PID/events.  Unknown key=value words and unknown keys
 * are skipped, so a newer module that adds fields still parses.  The
 * list parsers return 0, a line number (1-based) for a line they cannot
 * read, or -ENOMEM.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Copy [p, p + n) into dst (NUL-terminated, truncated to len). */
static void copy_word(char *dst, size_t len, const char *p, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static size_t word_len(const char *p)
{
	return strcspn(p, " \t\n");
}

/* Room for element n of an array of *cap (doubling): 0 or -ENOMEM. */
int vmv_grow(void **v, size_t n, size_t *cap, size_t size)
{
	void *nv;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	nv = realloc(*v, *cap * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}

int vmv_parse_kvs(const char *text, struct vmv_kvs *kvs)
{
	const char *p = text, *colon, *eol, *v;
	size_t cap = 0;

	memset(kvs, 0, sizeof(*kvs));
	while (*p) {
		eol = strchrnul(p, '\n');
		colon = memchr(p, ':', eol - p);
		if (*p != '#' && colon && colon > p) {
			if (vmv_grow((void **)&kvs->v, kvs->n, &cap,
				 sizeof(*kvs->v)))
				return -ENOMEM;
			v = skip_spaces(colon + 1);
			kvs->v[kvs->n].key = strndup(p, colon - p);
			kvs->v[kvs->n].val = strndup(v, eol - v);
			if (!kvs->v[kvs->n].key || !kvs->v[kvs->n].val)
				return -ENOMEM;
			kvs->n++;
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

const char *vmv_kv_get(const struct vmv_kvs *kvs, const char *key)
{
	size_t i;

	for (i = 0; i < kvs->n; i++)
		if (!strcmp(kvs->v[i].key, key))
			return kvs->v[i].val;
	return NULL;
}

uint64_t vmv_kv_u64(const struct vmv_kvs *kvs, const char *key,
		    uint64_t dflt)
{
	const char *v = vmv_kv_get(kvs, key);
	char *end;
	uint64_t n;

	if (!v || !isdigit((unsigned char)*v))
		return dflt;
	n = strtoull(v, &end, 0);
	return end == v ? dflt : n;
}

void vmv_kvs_free(struct vmv_kvs *kvs)
{
	size_t i;

	for (i = 0; i < kvs->n; i++) {
		free(kvs->v[i].key);
		free(kvs->v[i].val);
	}
	free(kvs->v);
	memset(kvs, 0, sizeof(*kvs));
}

/* A "key=" word: lower-case letters, digits, '_' then '='. */
static size_t key_len(const char *p)
{
	size_t n = 0;

	while (islower((unsigned char)p[n]) || p[n] == '_' ||
	       (n && isdigit((unsigned char)p[n])))
		n++;
	return n && p[n] == '=' ? n : 0;
}

static int hex_u64(const char **pp, uint64_t *v)
{
	const char *p = *pp;
	char *end;

	if (!isxdigit((unsigned char)*p))
		return -1;
	*v = strtoull(p, &end, 16);
	*pp = end;
	return 0;
}

static int dec_u64(const char **pp, uint64_t *v)
{
	const char *p = *pp;
	char *end;

	if (!isdigit((unsigned char)*p))
		return -1;
	*v = strtoull(p, &end, 10);
	*pp = end;
	return 0;
}

/* START-END PERMS PGOFF MAJ:MIN INODE rss=N swap=N thp=N flags=F NAME */
int vmv_parse_vma_line(const char *line, struct vmv_vma *vma)
{
	const char *p = line, *eol = strchrnul(line, '\n');
	uint64_t maj, min;
	size_t k, n;

	memset(vma, 0, sizeof(*vma));
	if (hex_u64(&p, &vma->start) || *p++ != '-' ||
	    hex_u64(&p, &vma->end) || *p++ != ' ')
		return -1;
	p = skip_spaces(p);
	if (word_len(p) != 4)
		return -1;
	copy_word(vma->perms, sizeof(vma->perms), p, 4);
	p = skip_spaces(p + 4);
	if (hex_u64(&p, &vma->pgoff))
		return -1;
	p = skip_spaces(p);
	if (hex_u64(&p, &maj) || *p++ != ':' || hex_u64(&p, &min))
		return -1;
	vma->dev_major = maj;
	vma->dev_minor = min;
	p = skip_spaces(p);
	if (dec_u64(&p, &vma->inode))
		return -1;
	for (;;) {
		p = skip_spaces(p);
		k = key_len(p);
		if (!k)
			break;
		n = word_len(p);
		if (!strncmp(p, "rss=", 4))
			vma->rss = strtoull(p + 4, NULL, 10);
		else if (!strncmp(p, "swap=", 5))
			vma->swap = strtoull(p + 5, NULL, 10);
		else if (!strncmp(p, "thp=", 4))
			vma->thp = strtoull(p + 4, NULL, 10);
		else if (!strncmp(p, "flags=", 6))
			vma->flags = strndup(p + 6, n - 6);
		p += n;
	}
	vma->name = strndup(p, eol - p);
	if (!vma->flags)
		vma->flags = strdup("");
	if (!vma->name || !vma->flags)
		return -ENOMEM;
	return vma->end > vma->start ? 0 : -1;
}

int vmv_parse_vmas(const char *text, struct vmv_vmas *vmas)
{
	const char *p = text, *eol;
	size_t cap = 0;
	int lineno = 0, ret;

	memset(vmas, 0, sizeof(*vmas));
	while (*p) {
		eol = strchrnul(p, '\n');
		lineno++;
		if (*p != '#' && eol > p) {
			if (vmv_grow((void **)&vmas->v, vmas->n, &cap,
				 sizeof(*vmas->v)))
				return -ENOMEM;
			ret = vmv_parse_vma_line(p, &vmas->v[vmas->n]);
			if (ret) {
				vmas->n++;
				return ret == -ENOMEM ? ret : lineno;
			}
			vmas->n++;
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

void vmv_vmas_free(struct vmv_vmas *vmas)
{
	size_t i;

	for (i = 0; i < vmas->n; i++) {
		free(vmas->v[i].flags);
		free(vmas->v[i].name);
	}
	free(vmas->v);
	memset(vmas, 0, sizeof(*vmas));
}

const struct vmv_vma *vmv_vma_find(const struct vmv_vmas *vmas,
				   uint64_t addr)
{
	size_t lo = 0, hi = vmas->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (addr < vmas->v[mid].start)
			hi = mid;
		else if (addr >= vmas->v[mid].end)
			lo = mid + 1;
		else
			return &vmas->v[mid];
	}
	return NULL;
}

/* The words of include/uapi/vmview.h's lists, indexed by number. */
const char * const vmv_kind_names[] = VMVIEW_NAMES(VMVIEW_KINDS);
const char * const vmv_level_names[] = VMVIEW_NAMES(VMVIEW_LEVELS);
const char * const vmv_flag_names[] = VMVIEW_NAMES(VMVIEW_FLAGS);
const char * const vmv_arm64_flag_names[] = VMVIEW_NAMES(VMVIEW_ARM64_FLAGS);
const char * const vmv_arch_names[] = VMVIEW_NAMES(VMVIEW_ARCHS);
const char * const vmv_mt_names[] = VMVIEW_NAMES(VMVIEW_MTS);
const char * const vmv_page_flag_names[] = VMVIEW_NAMES(VMVIEW_PFLAGS);

const char * const *vmv_flag_names_of(int arch)
{
	return arch == VMVIEW_ARCH_ARM64 ? vmv_arm64_flag_names :
					   vmv_flag_names;
}

/* The number of word in names[nr], or -1. */
int vmv_word_index(const char * const *names, size_t nr, const char *word)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(names[i], word))
			return i;
	return -1;
}

/*
 * A list of words (names[], nr of them) padded to 16 bytes each with
 * their lengths, made at the first use: mask_words() copies each word
 * with one 16-byte move.
 */
struct padded_words {
	const char * const *names;
	unsigned char len[32];
	char word[32][16];
};

static const struct padded_words *padded_words(const char * const *names,
					       size_t nr)
{
	static struct padded_words lists[4];
	struct padded_words *l;
	size_t i;

	for (l = lists; l < lists + ARRAY_SIZE(lists) && l->names; l++)
		if (l->names == names)
			return l;
	if (l == lists + ARRAY_SIZE(lists) || nr > ARRAY_SIZE(l->len))
		return NULL;
	for (i = 0; i < nr; i++) {
		size_t n = strlen(names[i]);

		if (n >= sizeof(l->word[i]))
			return NULL;
		l->len[i] = n;
		memcpy(l->word[i], names[i], n);
	}
	l->names = names;
	return l;
}

/*
 * The words of mask's bits ("a,b"; "-" for none) in buf: a record's
 * flags, for every entry of ptes, so without printf.
 */
static void mask_words(char *buf, size_t len, uint64_t mask,
		       const char * const *names, size_t nr)
{
	const struct padded_words *l = padded_words(names, nr);
	size_t i, n = 0;
	const char *w;

	for (i = 0; i < nr && mask; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		mask &= ~(1ULL << i);
		if (n && n + 1 < len)
			buf[n++] = ',';
		if (l && n + sizeof(l->word[i]) < len) {
			memcpy(buf + n, l->word[i], sizeof(l->word[i]));
			n += l->len[i];
			continue;
		}
		for (w = names[i]; *w && n + 1 < len; w++)
			buf[n++] = *w;
	}
	if (!n)
		buf[n++] = '-';
	buf[n] = '\0';
}

/*
 * mask_words() with its last answer kept (one memo for a record's flags,
 * one for its page's): the entries of a process mostly have the same
 * flags, and ptes reads them all.
 */
struct words_memo {
	const char * const *names;
	uint64_t mask;
	size_t n;			/* strlen(text) */
	char text[160];
};

static void mask_words_memo(struct words_memo *m, char *buf, size_t len,
			    uint64_t mask, const char * const *names,
			    size_t nr)
{
	if (len != sizeof(m->text)) {
		mask_words(buf, len, mask, names, nr);
		return;
	}
	if (m->names != names || m->mask != mask) {
		mask_words(m->text, sizeof(m->text), mask, names, nr);
		m->names = names;
		m->mask = mask;
		m->n = strlen(m->text);
	}
	memcpy(buf, m->text, m->n + 1);
}

/* The bits of the words of "a,b" that are names[] ("-": none). */
static uint32_t words_bits(const char *commas, const char * const *names,
			   size_t nr)
{
	uint32_t bits = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		if (vmv_has_word(commas, names[i]))
			bits |= 1U << i;
	return bits;
}

static uint64_t meta_field(uint64_t meta, unsigned int shift, uint64_t mask)
{
	return meta >> shift & mask;
}

/* --- the paging mode ------------------------------------------------------ */

/*
 * The paging mode the module reports in /proc/vmview, and what follows
 * from it, written down once: the architecture, the page size, per level
 * (enum vmview_level) the index bits of its tables (0: folded into the
 * level above) and so the shift of what one entry maps, and the entry
 * format (module/arch/ARCH/vmv_arch.h; arch_x86.c, arch_arm64.c).
 *
 * A module that says "arch:", "entry_format:", "page_shift:" and
 * "geometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@12" (each level in use
 * from the top, its index bits @ its shift) is taken at its word.  An
 * older one says only "levels:", and is x86 (4 KiB pages):
 *   5, 4  x86-64: 9 bits a level (p4d folded with 4), 64-bit entries;
 *   3     i386 with PAE: pgd 2 bits at 30, pmd 9 at 21, pte 9 at 12,
 *         64-bit entries, 2 MiB leaves at the pmd;
 *   2     i386 without: pgd 10 bits at 22, pte 10 at 12, 32-bit
 *         entries, 4 MiB leaves at the pgd.
 * A 32-bit CLI on an x86-64 kernel sees 4 or 5 levels, and x86-64's
 * entries: the kernel's paging decides, not how the CLI was built.
 */
struct paging {
	int arch;
	int levels;
	unsigned int page_shift;
	unsigned int bits[VMVIEW_NR_LEVELS];
	const struct vmv_entry_format *format;
};

static struct paging paging = {
	.arch = VMVIEW_ARCH_X86,
	.levels = 4,
	.page_shift = 12,
	.bits = { 9, 9, 9, 0, 9 },
	.format = &vmv_x86_formats[0],
};

const struct vmv_entry_format *vmv_find_format(const char *name)
{
	size_t i;

	for (i = 0; name && i < vmv_x86_nr_formats; i++)
		if (!strcmp(vmv_x86_formats[i].name, name))
			return &vmv_x86_formats[i];
	for (i = 0; name && i < vmv_arm64_nr_formats; i++)
		if (!strcmp(vmv_arm64_formats[i].name, name))
			return &vmv_arm64_formats[i];
	return NULL;
}

/* An older module's paging: x86's, from the number of levels alone. */
static int x86_paging(struct paging *pg, int levels)
{
	static const unsigned int bits[4][VMVIEW_NR_LEVELS] = {
		/* pte pmd pud p4d pgd */
		{ 10, 0, 0, 0, 10 },	/* 2 levels */
		{ 9, 9, 0, 0, 2 },	/* 3: PAE */
		{ 9, 9, 9, 0, 9 },	/* 4 */
		{ 9, 9, 9, 9, 9 },	/* 5 */
	};

	if (levels < 2 || levels > 5)
		return -EINVAL;
	memset(pg, 0, sizeof(*pg));
	pg->arch = VMVIEW_ARCH_X86;
	pg->levels = levels;
	pg->page_shift = 12;
	memcpy(pg->bits, bits[levels - 2], sizeof(pg->bits));
	pg->format = vmv_find_format(levels == 2 ? "i386-2level" :
				     levels == 3 ? "i386-pae" : "x86-64");
	return 0;
}

int vmv_set_levels(int levels)
{
	return x86_paging(&paging, levels);
}

static unsigned int vmv_address_bits_of(const struct paging *pg)
{
	unsigned int bits = pg->page_shift;
	int l;

	for (l = VMVIEW_LEVEL_PTE; l <= VMVIEW_LEVEL_PGD; l++)
		bits += pg->bits[l];
	return bits;
}

/*
 * "pgd=9@39 pud=9@30 pmd=9@21 pte=9@12": from the top down, each
 * level's index bits start where the level above's end, the last is the
 * pte's, at the page shift, and levels of them in all.
 */
static int parse_geometry(const char *p, struct paging *pg)
{
	int last = VMVIEW_NR_LEVELS, n = 0, l;
	unsigned int shift = 64;
	char name[8];
	uint64_t bits, at;
	size_t k;

	memset(pg->bits, 0, sizeof(pg->bits));
	for (;;) {
		p = skip_spaces(p);
		if (!*p || *p == '\n')
			break;
		k = strcspn(p, "=");
		if (!p[k] || k >= sizeof(name))
			return -1;
		copy_word(name, sizeof(name), p, k);
		l = vmv_word_index(vmv_level_names, VMVIEW_NR_LEVELS, name);
		p += k + 1;
		if (l < 0 || l >= last || dec_u64(&p, &bits) || *p++ != '@' ||
		    dec_u64(&p, &at) || !bits || bits > 16 || at >= 64 ||
		    (shift < 64 && at + bits != shift) ||
		    (*p && *p != ' ' && *p != '\n'))
			return -1;
		pg->bits[l] = bits;
		shift = at;
		last = l;
		n++;
	}
	if (last != VMVIEW_LEVEL_PTE || shift != pg->page_shift ||
	    n != pg->levels || vmv_address_bits_of(pg) > 64)
		return -1;
	return 0;
}

/* "x86-64, i386-pae, ...": every entry format this CLI knows. */
static const char *known_formats(char *buf, size_t len)
{
	const struct vmv_entry_format *const tables[] = {
		vmv_x86_formats, vmv_arm64_formats,
	};
	const size_t nr[] = { vmv_x86_nr_formats, vmv_arm64_nr_formats };
	size_t t, i, n = 0;

	buf[0] = '\0';
	for (t = 0; t < ARRAY_SIZE(tables); t++)
		for (i = 0; i < nr[t] && n < len; i++)
			n += snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
				      tables[t][i].name);
	return buf;
}

/*
 * The paging mode from /proc/vmview's lines (status): 0, or -EINVAL
 * with why (what follows "/proc/vmview says ") filled and the mode
 * left as it was.
 */
int vmv_set_paging(const struct vmv_kvs *status, char *why, size_t len)
{
	const char *levels = vmv_kv_get(status, "levels");
	const char *arch = vmv_kv_get(status, "arch");
	const char *format = vmv_kv_get(status, "entry_format");
	const char *shift = vmv_kv_get(status, "page_shift");
	const char *geometry = vmv_kv_get(status, "geometry");
	const struct vmv_entry_format *f;
	struct paging pg = { 0 };
	char known[256];

	if (x86_paging(&pg, vmv_kv_u64(status, "levels", 0))) {
		snprintf(why, len,
			 "\"levels: %s\": this vmview-cli knows 2 and 3 (i386, without and with PAE), 4 and 5 (x86-64); is the module newer than the CLI?",
			 levels ? levels : "(none)");
		return -EINVAL;
	}
	if (arch) {
		pg.arch = vmv_word_index(vmv_arch_names, VMVIEW_NR_ARCHS,
					 arch);
		if (pg.arch < 0) {
			snprintf(why, len,
				 "\"arch: %s\": this vmview-cli knows x86 and arm64; is the module newer than the CLI?",
				 arch);
			return -EINVAL;
		}
	}
	if (format || pg.arch != VMVIEW_ARCH_X86) {
		f = vmv_find_format(format);
		if (!f || f->arch != pg.arch) {
			if (f)
				snprintf(why, len,
					 "\"entry_format: %s\" with \"arch: %s\": the format is %s's, not %s's",
					 format, vmv_arch_names[pg.arch],
					 vmv_arch_names[f->arch],
					 vmv_arch_names[pg.arch]);
			else
				snprintf(why, len,
					 "\"entry_format: %s\": this vmview-cli knows %s; is the module newer than the CLI?",
					 format ? format : "(none)",
					 known_formats(known, sizeof(known)));
			return -EINVAL;
		}
		pg.format = f;
		pg.page_shift = f->page_shift;
	}
	if (shift && (!isdigit((unsigned char)*shift) ||
		      strtoul(shift, NULL, 10) != pg.page_shift)) {
		snprintf(why, len,
			 "\"page_shift: %s\": entry format %s has %u; is the module newer than the CLI?",
			 shift, pg.format->name, pg.page_shift);
		return -EINVAL;
	}
	if (geometry ? parse_geometry(geometry, &pg) :
		       pg.arch != VMVIEW_ARCH_X86) {
		snprintf(why, len,
			 "\"geometry: %s\": this vmview-cli cannot read it (%s levels from the top, as pgd=9@39 ... pte=9@12, the last the pte's at the page shift %u); is the module newer than the CLI?",
			 geometry ? geometry : "(none)", levels,
			 pg.page_shift);
		return -EINVAL;
	}
	paging = pg;
	return 0;
}

int vmv_levels(void)
{
	return paging.levels;
}

int vmv_arch(void)
{
	return paging.arch;
}

unsigned int vmv_page_shift(void)
{
	return paging.page_shift;
}

unsigned int vmv_level_bits(int level)
{
	if (level < 0 || level >= VMVIEW_NR_LEVELS)
		return 0;
	return paging.bits[level];
}

unsigned int vmv_level_shift(int level)
{
	unsigned int shift = paging.page_shift;
	int l;

	if (level < 0 || level >= VMVIEW_NR_LEVELS)
		return paging.page_shift;
	/* a folded level maps what the level above it maps */
	while (level < VMVIEW_LEVEL_PGD && !vmv_level_bits(level))
		level++;
	for (l = VMVIEW_LEVEL_PTE; l < level; l++)
		shift += vmv_level_bits(l);
	return shift;
}

int vmv_huge_level(void)
{
	return vmv_level_bits(VMVIEW_LEVEL_PMD) ? VMVIEW_LEVEL_PMD :
						  VMVIEW_LEVEL_PGD;
}

unsigned int vmv_address_bits(void)
{
	return vmv_address_bits_of(&paging);
}

/*
 * x86: the lower half (bit 47 or 56 clear), or 32 bits on i386 (user
 * space ends at TASK_SIZE below); arm64: what TTBR0_EL1 translates,
 * every address below 1 << VA_BITS.
 */
uint64_t vmv_user_limit(void)
{
	unsigned int bits = vmv_address_bits();

	if (paging.arch == VMVIEW_ARCH_ARM64)
		return bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
	if (bits <= 32)
		return 0xffffffffULL;
	return (1ULL << (bits - 1)) - 1;
}

const char *vmv_entry_format(void)
{
	return paging.format->desc;
}

const char *vmv_top_register(void)
{
	return paging.arch == VMVIEW_ARCH_ARM64 ? "TTBR0_EL1" : "CR3";
}

const char *vmv_level_label(char *buf, size_t len, const char *name)
{
	int level = vmv_word_index(vmv_level_names, VMVIEW_NR_LEVELS, name);
	int below = 0, l;
	size_t i;

	if (paging.arch == VMVIEW_ARCH_ARM64 && level >= 0) {
		/* the last level is L3, each one in use above one less */
		for (l = VMVIEW_LEVEL_PTE; l < level; l++)
			below += !!paging.bits[l];
		snprintf(buf, len, "L%d", 3 - below);
		return buf;
	}
	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = toupper((unsigned char)name[i]);
	buf[i] = '\0';
	return buf;
}

uint64_t vmv_table_addr(uint64_t entry, int level)
{
	return paging.format->table_addr(paging.format, entry, level);
}

/*
 * The offset of a swap-format entry of an architecture, by the module's
 * own decoder of that architecture (module/arch/ARCH/decode.c) with the
 * entry format of the running kernel (or, for a record of another
 * architecture than the kernel's, which no module writes, that
 * architecture's first format): with every type below max_swapfiles it
 * reads any such entry as a swap entry, offset whole.
 */
static uint64_t swap_offset(int arch, uint64_t entry, unsigned int level)
{
	const struct vmv_entry_format *f = paging.format;

	if (f->arch != arch)
		f = arch == VMVIEW_ARCH_ARM64 ? &vmv_arm64_formats[0] :
						&vmv_x86_formats[0];
	return f->swap_offset(f, entry, level);
}

/*
 * A record of PID/ptes.bin as vmv_parse_pte_line() reads the same
 * entry's line of PID/ptes (module/fmt.c writes both): every swap-format
 * kind (swap to marker) has a swap type and offset; a swap entry has no
 * frame, its record's pfn is the offset.  The other kinds' records carry
 * a frame (or none) in pfn, so their offset is read from the entry by
 * the module's own decoder (swap_offset()) of the record's architecture.
 * Flags are words of that architecture's vocabulary (VMVIEW_FLAGS,
 * VMVIEW_ARM64_FLAGS); the swap field of a present or protnone record is
 * its memory type (0: none, as on x86).  Returns 0, or -EBADMSG for a
 * kind, architecture or level this CLI does not know.
 */
int vmv_pte_from_rec(const struct vmview_pte *rec, struct vmv_pte *pte)
{
	static struct words_memo flags_memo, page_memo;
	uint64_t m = rec->meta;
	unsigned int kind = meta_field(m, VMVIEW_META_KIND_SHIFT,
				       VMVIEW_META_KIND_MASK);
	unsigned int arch = meta_field(m, VMVIEW_META_ARCH_SHIFT,
				       VMVIEW_META_ARCH_MASK);
	unsigned int level = meta_field(m, VMVIEW_META_LEVEL_SHIFT,
					VMVIEW_META_LEVEL_MASK);
	unsigned int swap = meta_field(m, VMVIEW_META_SWAP_SHIFT,
				       VMVIEW_META_SWAP_MASK);

	if (kind >= VMVIEW_NR_KINDS || arch >= VMVIEW_NR_ARCHS ||
	    level >= VMVIEW_NR_LEVELS)
		return -EBADMSG;
	memset(pte, 0, sizeof(*pte));
	pte->vaddr = rec->vaddr;
	pte->arch = arch;
	pte->entry = rec->entry;
	pte->pfn = rec->pfn;
	pte->kind_nr = kind;
	pte->level_nr = level;
	/* the words are shorter than the fields (a test checks) */
	strcpy(pte->level, vmv_level_names[level]);
	strcpy(pte->kind, vmv_kind_names[kind]);
	if (kind >= VMVIEW_KIND_SWAP && kind <= VMVIEW_KIND_MARKER) {
		pte->has_swap = true;
		pte->swap_type = swap;
		if (kind == VMVIEW_KIND_SWAP) {
			pte->swap_offset = rec->pfn;
			pte->pfn = VMVIEW_NO_PFN;
		} else {
			pte->swap_offset = swap_offset(arch, rec->entry,
						       level);
		}
	} else if ((kind == VMVIEW_KIND_PRESENT ||
		    kind == VMVIEW_KIND_PROTNONE) && swap) {
		/* a type this CLI has no word for: its number */
		if (swap < VMVIEW_NR_MTS)
			strcpy(pte->mt, vmv_mt_names[swap]);
		else
			snprintf(pte->mt, sizeof(pte->mt), "%u", swap);
	}
	pte->flag_bits = meta_field(m, VMVIEW_META_FLAGS_SHIFT,
				    VMVIEW_META_FLAGS_MASK);
	mask_words_memo(&flags_memo, pte->flags, sizeof(pte->flags),
			pte->flag_bits, vmv_flag_names_of(arch),
			VMVIEW_NR_FLAGS);
	pte->order = -1;
	pte->mapcount = -1;
	if (m & VMVIEW_META_PAGE) {
		pte->has_page = true;
		pte->page_bits = meta_field(m, VMVIEW_META_PFLAGS_SHIFT,
					    VMVIEW_META_PFLAGS_MASK);
		mask_words_memo(&page_memo, pte->page, sizeof(pte->page),
				pte->page_bits, vmv_page_flag_names,
				VMVIEW_NR_PFLAGS);
		pte->order = meta_field(m, VMVIEW_META_ORDER_SHIFT,
					VMVIEW_META_ORDER_MASK);
		pte->mapcount = meta_field(m, VMVIEW_META_MAPCOUNT_SHIFT,
					   VMVIEW_META_MAPCOUNT_MASK);
	}
	return 0;
}

/*
 * VADDR LEVEL ENTRY KIND pfn=PFN [swap=T:O] flags=F [mt=M]
 *   [page=P order=N mapcount=N [gen=G]]
 * A line says nothing of its architecture: its flags are words of the
 * running kernel's (vmv_arch()).
 */
int vmv_parse_pte_line(const char *line, struct vmv_pte *pte)
{
	const char *p = line;
	size_t n;

	memset(pte, 0, sizeof(*pte));
	pte->arch = paging.arch;
	pte->pfn = VMVIEW_NO_PFN;
	pte->order = -1;
	pte->mapcount = -1;
	strcpy(pte->flags, "-");
	if (strncmp(p, "0x", 2))
		return -1;
	p += 2;
	if (hex_u64(&p, &pte->vaddr) || *p != ' ')
		return -1;
	p = skip_spaces(p);
	n = word_len(p);
	if (!n || n >= sizeof(pte->level))
		return -1;
	copy_word(pte->level, sizeof(pte->level), p, n);
	p = skip_spaces(p + n);
	if (strncmp(p, "0x", 2))
		return -1;
	p += 2;
	if (hex_u64(&p, &pte->entry) || *p != ' ')
		return -1;
	p = skip_spaces(p);
	n = word_len(p);
	if (!n)
		return -1;
	copy_word(pte->kind, sizeof(pte->kind), p, n);
	p += n;
	for (;;) {
		p = skip_spaces(p);
		if (!*p || *p == '\n')
			break;
		n = word_len(p);
		if (!strncmp(p, "pfn=", 4)) {
			if (p[4] != '-')
				pte->pfn = strtoull(p + 4, NULL, 16);
		} else if (!strncmp(p, "swap=", 5)) {
			const char *q = p + 5;
			char *end;

			pte->swap_type = strtoul(q, &end, 10);
			if (*end != ':')
				return -1;
			pte->swap_offset = strtoull(end + 1, NULL, 16);
			pte->has_swap = true;
		} else if (!strncmp(p, "flags=", 6)) {
			copy_word(pte->flags, sizeof(pte->flags), p + 6,
				  n - 6);
		} else if (!strncmp(p, "mt=", 3)) {
			copy_word(pte->mt, sizeof(pte->mt), p + 3, n - 3);
		} else if (!strncmp(p, "page=", 5)) {
			copy_word(pte->page, sizeof(pte->page), p + 5, n - 5);
			pte->has_page = true;
		} else if (!strncmp(p, "order=", 6)) {
			pte->order = atoi(p + 6);
		} else if (!strncmp(p, "mapcount=", 9)) {
			pte->mapcount = atoi(p + 9);
		} else if (!strncmp(p, "gen=", 4)) {
			pte->gen = strtoul(p + 4, NULL, 10);
			pte->has_gen = true;
		}
		p += n;
	}
	pte->kind_nr = vmv_word_index(vmv_kind_names, VMVIEW_NR_KINDS,
				      pte->kind);
	pte->level_nr = vmv_word_index(vmv_level_names, VMVIEW_NR_LEVELS,
				       pte->level);
	pte->flag_bits = words_bits(pte->flags, vmv_flag_names_of(pte->arch),
				    VMVIEW_NR_FLAGS);
	if (pte->has_page)
		pte->page_bits = words_bits(pte->page, vmv_page_flag_names,
					    VMVIEW_NR_PFLAGS);
	return 0;
}

/* "split: 2/9/9/12 pgd=0x000 pmd=0x040 pte=0x048 offset=0x000" */
static int parse_split(const char *p, const char *eol, struct vmv_translate *t)
{
	unsigned int widths[VMV_MAX_LEVELS + 1];
	int n = 0, i;
	char *end;

	for (;;) {
		if (!isdigit((unsigned char)*p) || n == VMV_MAX_LEVELS + 1)
			return -1;
		widths[n++] = strtoul(p, &end, 10);
		p = end;
		if (*p != '/')
			break;
		p++;
	}
	for (i = 0; i < n; i++) {
		const char *eq;

		p = skip_spaces(p);
		eq = memchr(p, '=', eol - p);
		if (!eq || eq == p || eq - p >= (long)sizeof(t->split[i].name) ||
		    strncmp(eq + 1, "0x", 2))
			return -1;
		copy_word(t->split[i].name, sizeof(t->split[i].name), p,
			  eq - p);
		p = eq + 3;
		if (hex_u64(&p, &t->split[i].index))
			return -1;
		t->split[i].bits = widths[i];
	}
	p = skip_spaces(p);
	if (strcmp(t->split[n - 1].name, "offset") || (*p && *p != '\n'))
		return -1;
	t->nr_split = n;
	t->has_split = true;
	return 0;
}

/*
 * "path: cr3 0x1af4000 -> pgd[0x000] 0x19fe000 -> pte[0x048] swap" or
 * "... -> phys 0x3fc05000": each step must be the walk's level line.
 */
static int parse_path(const char *p, const char *eol, struct vmv_translate *t)
{
	int i = 0;
	size_t n;

	copy_word(t->path_text, sizeof(t->path_text), p, eol - p);
	/* the top table's register: cr3 (x86), maybe ttbr0 (arm64) */
	n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (!n || strncmp(p + n, " 0x", 3))
		return -1;
	p += n + 3;
	if (hex_u64(&p, &t->cr3))
		return -1;
	while (p < eol && *p != '\n') {
		if (strncmp(p, " -> ", 4))
			return -1;
		p += 4;
		if (!strncmp(p, "phys 0x", 7)) {
			p += 7;
			if (hex_u64(&p, &t->path_phys))
				return -1;
			t->path_has_phys = true;
			continue;
		}
		n = word_len(p);
		if (i >= t->nr_levels || n < 4 || p[3] != '[' ||
		    strncmp(p, t->level[i].name, 3) ||
		    strtoull(p + 4, NULL, 16) != t->level[i].index)
			return -1;
		p = skip_spaces(p + n);
		if (!strncmp(p, "0x", 2)) {
			p += 2;
			if (hex_u64(&p, &t->path[i].addr))
				return -1;
			t->path[i].has_addr = true;
		} else {
			n = word_len(p);
			if (!n)
				return -1;
			copy_word(t->path[i].what, sizeof(t->path[i].what), p,
				  n);
			p += n;
		}
		i++;
	}
	if (i != t->nr_levels)
		return -1;
	t->has_path = true;
	return 0;
}

int vmv_parse_translate(const char *text, struct vmv_translate *t)
{
	const char *p = text, *eol, *q;
	int lineno = 0;
	char *end;

	memset(t, 0, sizeof(*t));
	while (*p) {
		eol = strchrnul(p, '\n');
		lineno++;
		if (*p == '#' || eol == p) {
			/* comment or empty */
		} else if (!strncmp(p, "vaddr: ", 7)) {
			t->vaddr = strtoull(p + 7, NULL, 16);
		} else if (!strncmp(p, "vma: ", 5)) {
			q = skip_spaces(p + 5);
			if (strncmp(q, "none", 4)) {
				t->vma_start = strtoull(q, &end, 16);
				if (*end != '-')
					return lineno;
				t->vma_end = strtoull(end + 1, &end, 16);
				q = skip_spaces(end);
				copy_word(t->vma_perms, sizeof(t->vma_perms),
					  q, word_len(q));
				t->has_vma = true;
			}
		} else if (!strncmp(p, "split: ", 7)) {
			if (parse_split(p + 7, eol, t))
				return lineno;
		} else if (!strncmp(p, "path: ", 6)) {
			if (parse_path(p + 6, eol, t))
				return lineno;
		} else if (!strncmp(p, "leaf: ", 6)) {
			if (vmv_parse_pte_line(p + 6, &t->leaf))
				return lineno;
			t->has_leaf = true;
		} else if (!strncmp(p, "phys: ", 6)) {
			t->phys = strtoull(p + 6, NULL, 16);
			t->has_phys = true;
		} else if (!strncmp(p, "stop: ", 6)) {
			copy_word(t->stop, sizeof(t->stop), p + 6,
				  eol - (p + 6));
		} else if (eol - p > 4 && p[3] == '[' &&
			   t->nr_levels < VMV_MAX_LEVELS) {
			int i = t->nr_levels;

			copy_word(t->level[i].name, sizeof(t->level[i].name),
				  p, 3);
			if (vmv_word_index(vmv_level_names, VMVIEW_NR_LEVELS,
					   t->level[i].name) < 0)
				return lineno;
			t->level[i].index = strtoul(p + 4, &end, 16);
			if (strncmp(end, "] = ", 4))
				return lineno;
			t->level[i].entry = strtoull(end + 4, NULL, 16);
			t->nr_levels++;
		} else {
			return lineno;
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

int vmv_parse_verify(const char *text, struct vmv_verify *v)
{
	const char *p = text, *eol, *w, *s;
	size_t cap = 0;
	int lineno = 0;

	memset(v, 0, sizeof(*v));
	while (*p) {
		eol = strchrnul(p, '\n');
		lineno++;
		if (!strncmp(p, "mismatch ", 9)) {
			struct vmv_mismatch *m;

			if (vmv_grow((void **)&v->v, v->n, &cap, sizeof(*v->v)))
				return -ENOMEM;
			m = &v->v[v->n];
			memset(m, 0, sizeof(*m));
			m->vaddr = strtoull(p + 9, NULL, 16);
			w = strstr(p, " walk=");
			s = strstr(p, " shadow=");
			if (!w || !s || w > eol || s > eol)
				return lineno;
			copy_word(m->walk, sizeof(m->walk), w + 6,
				  word_len(w + 6));
			copy_word(m->shadow, sizeof(m->shadow), s + 8,
				  word_len(s + 8));
			v->n++;
		} else if (!strncmp(p, "verify: ", 8)) {
			if (sscanf(p + 8, "checked=%" SCNu64 " mismatches=%" SCNu64
				   " resynced=%" SCNu64,
				   &v->checked, &v->mismatches,
				   &v->resynced) != 3)
				return lineno;
			v->has_summary = true;
		} else if (*p != '#' && eol > p) {
			return lineno;
		}
		p = *eol ? eol + 1 : eol;
	}
	return v->has_summary ? 0 : lineno + 1;
}

void vmv_verify_free(struct vmv_verify *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

int vmv_parse_events(const char *text, struct vmv_events *ev)
{
	const char *p = text, *eol, *q;
	size_t cap = 0;
	int lineno = 0;
	char *end;

	memset(ev, 0, sizeof(*ev));
	while (*p) {
		eol = strchrnul(p, '\n');
		lineno++;
		if (!strncmp(p, "# dropped: ", 11)) {
			ev->dropped = strtoull(p + 11, NULL, 10);
		} else if (*p != '#' && eol > p) {
			struct vmv_event *e;

			if (vmv_grow((void **)&ev->v, ev->n, &cap, sizeof(*ev->v)))
				return -ENOMEM;
			e = &ev->v[ev->n];
			q = p;
			if (dec_u64(&q, &e->seq) || *q != ' ')
				return lineno;
			q = skip_spaces(q);
			copy_word(e->event, sizeof(e->event), q, word_len(q));
			q = skip_spaces(q + word_len(q));
			e->start = strtoull(q, &end, 16);
			if (*end != '-')
				return lineno;
			e->end = strtoull(end + 1, NULL, 16);
			ev->n++;
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

void vmv_events_free(struct vmv_events *ev)
{
	free(ev->v);
	memset(ev, 0, sizeof(*ev));
}

bool vmv_has_word(const char *commas, const char *word)
{
	size_t n = strlen(word);
	const char *p = commas;

	while (p && *p) {
		if (!strncmp(p, word, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* An address: 0x-hex or decimal, as PID/translate takes it. */
int vmv_parse_addr(const char *s, uint64_t *addr)
{
	char *end;
	int base = 10;

	if (!s || !*s)
		return -EINVAL;
	if (!strncasecmp(s, "0x", 2)) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return -EINVAL;
	} else if (!isdigit((unsigned char)*s)) {
		return -EINVAL;
	}
	errno = 0;
	*addr = strtoull(s, &end, base);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

/* START-END, both hex (0x optional) as in /proc/PID/maps; START < END. */
int vmv_parse_range(const char *s, uint64_t *start, uint64_t *end)
{
	const char *dash = s ? strchr(s, '-') : NULL;
	char a[40], b[40];
	char *e;

	if (!dash || dash == s || dash - s >= (long)sizeof(a) ||
	    strlen(dash + 1) >= sizeof(b) || !dash[1])
		return -EINVAL;
	copy_word(a, sizeof(a), s, dash - s);
	copy_word(b, sizeof(b), dash + 1, strlen(dash + 1));
	e = a + (strncasecmp(a, "0x", 2) ? 0 : 2);
	if (!isxdigit((unsigned char)*e))
		return -EINVAL;
	errno = 0;
	*start = strtoull(e, &e, 16);
	if (errno || *e)
		return -EINVAL;
	e = b + (strncasecmp(b, "0x", 2) ? 0 : 2);
	if (!isxdigit((unsigned char)*e))
		return -EINVAL;
	*end = strtoull(e, &e, 16);
	if (errno || *e || *end <= *start)
		return -EINVAL;
	return 0;
}

/* The level's number (VMVIEW_LEVEL_*); -1 for none. */
int vmv_pte_level(const struct vmv_pte *pte)
{
	return pte->level_nr;
}

bool vmv_pte_kind_is(const struct vmv_pte *pte, enum vmview_kind kind)
{
	return pte->kind_nr == (int)kind;
}

/* What the leaf maps: 4K, 2M (pmd), 1G (pud), 4M (pgd, 2 levels). */
uint64_t vmv_pte_size(const struct vmv_pte *pte)
{
	int level = vmv_pte_level(pte);

	return 1ULL << vmv_level_shift(level > 0 ? level : VMVIEW_LEVEL_PTE);
}

bool vmv_pte_present(const struct vmv_pte *pte)
{
	return vmv_pte_kind_is(pte, VMVIEW_KIND_PRESENT) ||
	       vmv_pte_kind_is(pte, VMVIEW_KIND_PROTNONE);
}

#define ARM64_F(name)	(1U << VMVIEW_ARM64_F_##name)

uint32_t vmv_pte_x86_flags(const struct vmv_pte *pte)
{
	/* the same number in both: user, dirty, special, ... exclusive */
	const uint32_t same = 1U << VMVIEW_F_USER | 1U << VMVIEW_F_DIRTY |
			      1U << VMVIEW_F_SPECIAL | 1U << VMVIEW_F_UFFD_WP |
			      1U << VMVIEW_F_DEVMAP | 1U << VMVIEW_F_PROTNONE |
			      1U << VMVIEW_F_EXCLUSIVE;
	uint32_t b = pte->flag_bits, x86;

	if (pte->arch != VMVIEW_ARCH_ARM64)
		return b;
	x86 = b & same;
	if (b & ARM64_F(VALID))
		x86 |= 1U << VMVIEW_F_PRESENT;
	/*
	 * PTE_WRITE (dbm: pte_write()), or a valid entry the hardware
	 * lets write (AP[2], rdonly, clear)
	 */
	if ((b & ARM64_F(DBM)) ||
	    ((b & ARM64_F(VALID)) && !(b & ARM64_F(RDONLY))))
		x86 |= 1U << VMVIEW_F_RW;
	if (b & ARM64_F(AF))
		x86 |= 1U << VMVIEW_F_ACCESSED;
	if (b & ARM64_F(BLOCK))
		x86 |= 1U << VMVIEW_F_PSE;
	if (b & ARM64_F(UXN))
		x86 |= 1U << VMVIEW_F_NX;
	/* nG marks a user (per-ASID) entry: global is its absence */
	if ((b & ARM64_F(VALID)) && !(b & ARM64_F(NG)))
		x86 |= 1U << VMVIEW_F_GLOBAL;
	/* none on arm64: softdirty, pwt, pcd, pat */
	return x86;
}

bool vmv_pte_flag_nr(const struct vmv_pte *pte, enum vmview_flag f)
{
	return vmv_pte_x86_flags(pte) >> f & 1;
}

bool vmv_pte_flag(const struct vmv_pte *pte, const char *x86_word)
{
	int f = vmv_word_index(vmv_flag_names, VMVIEW_NR_FLAGS, x86_word);

	if (f >= 0)
		return vmv_pte_flag_nr(pte, f);
	/* not x86's ("cont", or a newer module's): asked as it is */
	return vmv_has_word(pte->flags, x86_word);
}

const char *vmv_write_word(int arch)
{
	return arch == VMVIEW_ARCH_ARM64 ? "dbm" : "rw";
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmview-cli: what the command files share.
 *
 * Data flows one way: a file of the module (fs.c, pidfile.c) is read,
 * parsed into the structs below (parse.c), then each command (cmd_*.c)
 * formats it as text (format.c) or JSON (json.c).  Errors go through one
 * helper (error.c); tracking a PID and untracking it at exit is
 * track.c's.  What the module and the CLI share (the debugfs path, the
 * binary records, the words for kinds, levels and flags) is
 * include/uapi/vmview.h.
 */
#ifndef VMVIEW_CLI_H
#define VMVIEW_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "uapi/vmview.h"

#define VMV_CLI_VERSION	"0.1.0"
/* The kernel's page size, from /proc/vmview (parse.c): 4K or 16K. */
#define VMV_PAGE_SHIFT	vmv_page_shift()
#define VMV_PAGE_SIZE	(1ULL << vmv_page_shift())

#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Exit codes, documented in Documentation/vmview-cli.rst.  A command
 * returns one of these; main() exits with it.
 */
enum vmv_exit {
	VMV_EXIT_OK		= 0,
	VMV_EXIT_FAIL		= 1,	/* I/O error, mismatches, FAILED */
	VMV_EXIT_USAGE		= 2,	/* bad command line */
	VMV_EXIT_NOT_ROOT	= 3,	/* EPERM/EACCES on debugfs */
	VMV_EXIT_NO_MODULE	= 4,	/* no VMVIEW_PROC_STATUS */
	VMV_EXIT_NO_DEBUGFS	= 5,	/* no VMVIEW_DEBUGFS_DIR */
	VMV_EXIT_NO_PID		= 6,	/* no such process */
	VMV_EXIT_KTHREAD	= 7,	/* a kernel thread: no mm */
	VMV_EXIT_BAD_ADDR	= 8,	/* not a user address or range */
	VMV_EXIT_EXITED		= 9,	/* the target exited (ESRCH) */
	VMV_EXIT_NO_FEATURE	= 10,	/* the module lacks a file */
	/* reclaim: no cgroup v2, memory controller or swap (zram) */
	VMV_EXIT_NO_KERNEL_FEATURE = 11,
};

/* Global options and the few per-command ones (main.c fills it). */
struct vmv_opts {
	bool json;
	bool pretty;
	bool symbolize;
	bool color;		/* resolved from --color, isatty, NO_COLOR */
	bool noheadings;
	const char *root;	/* "" or the --root / VMVIEW_ROOT prefix */
	const char *range;	/* ptes, verify, watch: "A-B" */
	const char *kind;	/* ptes: a KIND */
	const char *output;	/* maps: -o columns; export: --output FILE */
	const char *file;	/* faults: --file */
	const char *only;	/* faults: --scenario N[,N...] */
	bool follow;		/* events */
	unsigned int interval_ms; /* events --follow */
	double interval_s;	/* wss, watch --interval */
	unsigned int rounds;	/* wss --rounds */
	bool quick;		/* latency --quick */
	bool rounds_given;	/* --rounds was given (reclaim's default 4) */
	bool prometheus;	/* export --prometheus */
};
extern struct vmv_opts vmv_opts;

/* error.c: the one error helper. */
int vmv_err(int code, const char *fmt, ...) __printf(2, 3);
void vmv_warn(const char *fmt, ...) __printf(1, 2);
const char *vmv_exit_name(int code);

/* json.c: the one JSON writer. */
int vmv_json_flags(void);		/* json-c's, for -j or -p */
void vmv_json_print(struct json_object *obj);
/*
 * The streaming writer: values written into f's buffer as they come,
 * byte for byte as vmv_json_print() prints the same tree (json.c says
 * how), through a buffer of its own: vmv_jw_flush() before anything
 * else writes to f.  level is how many objects and arrays are open (0:
 * the next value is the document), first whether the innermost has no
 * member yet.  key is NULL for an array's elements and the document.
 */
struct vmv_jw {
	FILE *f;
	bool pretty;
	unsigned int level;
	bool first;
	int err;			/* the first write error, or 0 */
	size_t n;			/* bytes in buf */
	char buf[1 << 16];
};
void vmv_jw_flush(struct vmv_jw *w);
void vmv_jw_key(struct vmv_jw *w, const char *key);	/* before a value */
void vmv_jw_open(struct vmv_jw *w, const char *key, char bracket);
void vmv_jw_close(struct vmv_jw *w, char bracket);
void vmv_jw_str(struct vmv_jw *w, const char *key, const char *s);
void vmv_jw_null(struct vmv_jw *w, const char *key);
void vmv_jw_u64(struct vmv_jw *w, const char *key, uint64_t v);
void vmv_jw_i64(struct vmv_jw *w, const char *key, int64_t v);
void vmv_jw_hex(struct vmv_jw *w, const char *key, uint64_t v);
void vmv_jw_words(struct vmv_jw *w, const char *key, const char *commas);
/*
 * An object whose last member is a long array, printed as
 * vmv_json_print() would print it whole, one element at a time: begin
 * prints head (taking it) with an empty array named key, up to its "[";
 * each element is then written through w (vmv_jw_open(&s->w, NULL, ...)
 * or any value with a NULL key); end closes both.
 */
struct vmv_json_stream {
	char *suffix;
	struct vmv_jw w;
};
void vmv_json_stream_begin(struct vmv_json_stream *s, struct json_object *head,
			   const char *key);
void vmv_json_stream_end(struct vmv_json_stream *s);
struct json_object *vmv_json_hex(uint64_t v);
void vmv_json_add(struct json_object *o, const char *key,
		  struct json_object *v);
void vmv_json_add_str(struct json_object *o, const char *key,
		      const char *s);
void vmv_json_add_u64(struct json_object *o, const char *key, uint64_t v);
void vmv_json_add_i64(struct json_object *o, const char *key, int64_t v);
void vmv_json_add_hex(struct json_object *o, const char *key, uint64_t v);
void vmv_json_add_bool(struct json_object *o, const char *key, bool v);
/* "a,b,c" (or "-") as a JSON array of strings. */
struct json_object *vmv_json_list(const char *commas);
struct vmv_kvs;
struct json_object *vmv_json_kvs(const struct vmv_kvs *kvs);

/* fs.c: every path goes through the root prefix. */
const char *vmv_path(char *buf, size_t len, const char *fmt, ...)
	__printf(3, 4);
#define VMV_PATH_MAX 4096
int vmv_read_path(const char *path, char **out, size_t *lenp);
int vmv_each_record(const char *path, size_t size, size_t nr,
		    int (*fn)(const void *rec, void *arg), void *arg);
int vmv_write_path(const char *path, const char *s);
void vmv_write_out(FILE *f, const void *buf, size_t n, int *err);
int vmv_write_fd(int fd, const void *buf, size_t n);
bool vmv_exists(const char *path);
bool vmv_droppable(const char *path);
int vmv_make_scratch(char *path, size_t len, const char *name, size_t pages,
		     size_t page, char *why, size_t wlen);

/* track.c: the PID a command looks at. */
int vmv_preflight(void);
int vmv_parse_pid(const char *s, pid_t *pid);
int vmv_track(pid_t pid);
int vmv_pid_stat(pid_t pid, char *comm, size_t len, unsigned long *flags);
void vmv_untrack_all(void);
void vmv_track_signals(void);
void vmv_track_add_child(pid_t pid);
void vmv_track_tmpfile(const char *path);
/*
 * A function the signal handler calls after killing the children and
 * before untracking (only async-signal-safe calls in it): what must be
 * undone before the CLI dies of a signal (watch's terminal, reclaim's
 * cgroup, swap and mounts).  NULL: none.
 */
void vmv_track_on_signal(void (*fn)(void));
int vmv_begin(const char *cmd, const char *synopsis, int argc, char **argv,
	      int nargs, pid_t *pid);

/* parse.c: the module's formats (Documentation/vmview.rst). */
struct vmv_kv {
	char *key;
	char *val;
};

struct vmv_kvs {
	struct vmv_kv *v;
	size_t n;
};

struct vmv_vma {
	uint64_t start, end;
	char perms[5];
	uint64_t pgoff;			/* bytes, as /proc/PID/maps */
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	uint64_t rss, swap, thp;	/* pages, pages, PMD leaves */
	char *flags;			/* "read,write,..." */
	char *name;			/* "" when anonymous */
};

struct vmv_vmas {
	struct vmv_vma *v;
	size_t n;
};

struct vmv_pte {
	uint64_t vaddr;
	int arch;			/* VMVIEW_ARCH_*: whose flag words */
	char level[4];			/* pte, pmd, pud */
	uint64_t entry;
	char kind[24];
	uint64_t pfn;			/* VMVIEW_NO_PFN for "-" */
	bool has_swap;
	unsigned int swap_type;
	uint64_t swap_offset;
	char flags[160];		/* "present,rw,..." or "-" */
	char mt[24];			/* memory type (arm64), "" when none */
	bool has_page;
	char page[160];			/* "anon,lru,..." */
	int order;
	int mapcount;
	/*
	 * The words above as numbers, set with them by vmv_pte_from_rec()
	 * and vmv_parse_pte_line(): what the CLI asks (vmv_pte_flag() and
	 * the row's letters), where the words are what it prints.  A word
	 * this CLI does not know is -1, or no bit.
	 */
	int kind_nr;			/* VMVIEW_KIND_* */
	int level_nr;			/* VMVIEW_LEVEL_* */
	uint32_t flag_bits;		/* bit n: flag n of arch's words */
	uint32_t page_bits;		/* bit n: VMVIEW_P_* n */
	/*
	 * gen=: the folio's generation on the multi-generational LRU
	 * (text PID/ptes only: ptes.bin has no field for it)
	 */
	bool has_gen;
	unsigned int gen;
};

#define VMV_MAX_LEVELS 5
struct vmv_translate {
	uint64_t vaddr;
	bool has_vma;
	uint64_t vma_start, vma_end;
	char vma_perms[5];
	int nr_levels;
	struct {
		char name[4];		/* pgd, p4d, pud, pmd, pte */
		unsigned int index;
		uint64_t entry;
	} level[VMV_MAX_LEVELS];
	bool has_leaf;
	struct vmv_pte leaf;
	bool has_phys;
	uint64_t phys;
	char stop[48];			/* "pte swap", "no vma", ... or "" */
	/*
	 * The module's "split:" line: the index fields from the top level
	 * to the leaf's, then "offset" (nr_split entries in all).
	 */
	bool has_split;
	int nr_split;
	struct {
		char name[8];		/* pgd, ..., pte, offset */
		unsigned int bits;
		uint64_t index;
	} split[VMV_MAX_LEVELS + 1];
	/*
	 * Its "path:" line: CR3, then per level of the walk what the entry
	 * gives (the next table's or the frame's physical address, or the
	 * kind that stops the walk), then the physical address.
	 */
	bool has_path;
	uint64_t cr3;
	struct {
		bool has_addr;
		uint64_t addr;
		char what[24];		/* "none", "swap", "bad", ... or "" */
	} path[VMV_MAX_LEVELS];
	bool path_has_phys;
	uint64_t path_phys;
	char path_text[400];		/* the line, without "path: " */
};

struct vmv_verify {
	uint64_t checked, mismatches, resynced;
	bool has_summary;
	size_t n;
	struct vmv_mismatch {
		uint64_t vaddr;
		char walk[64];
		char shadow[64];
	} *v;
};

struct vmv_events {
	uint64_t dropped;
	size_t n;
	struct vmv_event {
		uint64_t seq;
		char event[32];
		uint64_t start, end;
	} *v;
};

/*
 * The paging mode (parse.c): set once from /proc/vmview, by
 * vmv_set_paging() from its arch, entry_format, page_shift and geometry
 * lines, or for an older module without them by vmv_set_levels() from
 * its levels (2 and 3: i386 without and with PAE; 4 and 5: x86-64); the
 * rest follows from it (Documentation/vmview.rst, PID/translate).
 */
int vmv_set_levels(int levels);		/* -EINVAL: not 2 to 5 */
int vmv_set_paging(const struct vmv_kvs *status, char *why, size_t len);
int vmv_levels(void);
int vmv_arch(void);			/* VMVIEW_ARCH_* */
unsigned int vmv_page_shift(void);	/* 12, or 14 (arm64 16K) */
unsigned int vmv_level_bits(int level);	/* index bits, 0: folded */
unsigned int vmv_level_shift(int level);	/* log2 of what an entry maps */
int vmv_huge_level(void);		/* pmd, or pgd with 2 levels */
unsigned int vmv_address_bits(void);	/* 32, 39, 47, 48, 52 or 57 */
uint64_t vmv_user_limit(void);		/* the highest address to ask about */
const char *vmv_entry_format(void);
/* The register that holds the top table: "CR3", "TTBR0_EL1". */
const char *vmv_top_register(void);
/*
 * A level (its Linux name, "pgd") as this architecture's manuals name
 * it: "PGD" on x86; "L0".."L3" on arm64 (L3 the last, "L-1" the top
 * of 5 levels).
 */
const char *vmv_level_label(char *buf, size_t len, const char *name);
/* The physical address a table entry at a level points to. */
uint64_t vmv_table_addr(uint64_t entry, int level);

/*
 * An entry format, as /proc/vmview's entry_format names it, with what
 * the CLI reads out of raw entries by the module's own decoder of that
 * architecture (arch_x86.c, arch_arm64.c: module/arch/ARCH/decode.c).
 */
struct vmv_entry_format {
	const char *name;		/* "x86-64", "arm64-6.12-4k", ... */
	int arch;			/* VMVIEW_ARCH_* */
	unsigned int page_shift;
	const char *desc;		/* "x86-64 (64-bit entries)" */
	const void *layout;		/* the decoder's struct vmv_layout */
	/* the offset a swap-format entry found at level holds */
	uint64_t (*swap_offset)(const struct vmv_entry_format *f,
				uint64_t entry, int level);
	/* the physical address a table entry points to */
	uint64_t (*table_addr)(const struct vmv_entry_format *f,
			       uint64_t entry, int level);
};
extern const struct vmv_entry_format vmv_x86_formats[];
extern const size_t vmv_x86_nr_formats;
extern const struct vmv_entry_format vmv_arm64_formats[];
extern const size_t vmv_arm64_nr_formats;
const struct vmv_entry_format *vmv_find_format(const char *name);

int vmv_parse_kvs(const char *text, struct vmv_kvs *kvs);
const char *vmv_kv_get(const struct vmv_kvs *kvs, const char *key);
uint64_t vmv_kv_u64(const struct vmv_kvs *kvs, const char *key,
		    uint64_t dflt);
void vmv_kvs_free(struct vmv_kvs *kvs);
int vmv_parse_vma_line(const char *line, struct vmv_vma *vma);
int vmv_parse_vmas(const char *text, struct vmv_vmas *vmas);
void vmv_vmas_free(struct vmv_vmas *vmas);
const struct vmv_vma *vmv_vma_find(const struct vmv_vmas *vmas,
				   uint64_t addr);
int vmv_parse_pte_line(const char *line, struct vmv_pte *pte);
int vmv_pte_from_rec(const struct vmview_pte *rec, struct vmv_pte *pte);
extern const char * const vmv_kind_names[VMVIEW_NR_KINDS];
extern const char * const vmv_level_names[VMVIEW_NR_LEVELS];
extern const char * const vmv_flag_names[VMVIEW_NR_FLAGS];
extern const char * const vmv_arm64_flag_names[VMVIEW_ARM64_NR_FLAGS];
extern const char * const vmv_arch_names[VMVIEW_NR_ARCHS];
extern const char * const vmv_mt_names[VMVIEW_NR_MTS];
extern const char * const vmv_page_flag_names[VMVIEW_NR_PFLAGS];
/* The flag words of an architecture (VMVIEW_NR_FLAGS of them). */
const char * const *vmv_flag_names_of(int arch);
int vmv_word_index(const char * const *names, size_t nr, const char *word);
int vmv_grow(void **v, size_t n, size_t *cap, size_t size);
int vmv_parse_translate(const char *text, struct vmv_translate *t);
int vmv_parse_verify(const char *text, struct vmv_verify *v);
void vmv_verify_free(struct vmv_verify *v);
int vmv_parse_events(const char *text, struct vmv_events *ev);
void vmv_events_free(struct vmv_events *ev);
bool vmv_has_word(const char *commas, const char *word);
int vmv_parse_addr(const char *s, uint64_t *addr);
int vmv_parse_range(const char *s, uint64_t *start, uint64_t *end);
int vmv_pte_level(const struct vmv_pte *pte);
bool vmv_pte_kind_is(const struct vmv_pte *pte, enum vmview_kind kind);
uint64_t vmv_pte_size(const struct vmv_pte *pte);
bool vmv_pte_present(const struct vmv_pte *pte);
/*
 * Does the entry have a flag, asked in x86's words whatever its
 * architecture: "rw" (writable), "user", "accessed", "dirty", "pse" (a
 * huge leaf), "nx" (no user execution), "global", "softdirty",
 * "present", ...; on arm64 read from its own words (dbm and rdonly, af,
 * block, uxn, ng, valid; no soft-dirty).  Other words are asked as
 * they are ("cont", "special", "exclusive").
 */
bool vmv_pte_flag(const struct vmv_pte *pte, const char *x86_word);
/* The same, asked by the x86 flag's number; all of them as x86's bits. */
bool vmv_pte_flag_nr(const struct vmv_pte *pte, enum vmview_flag f);
uint32_t vmv_pte_x86_flags(const struct vmv_pte *pte);
/* The word of the flag that makes an entry writable: "rw", "dbm". */
const char *vmv_write_word(int arch);

/* format.c: text output. */
char *vmv_size(char *buf, size_t len, uint64_t bytes);
void vmv_flag_letters(char *buf, const struct vmv_pte *pte);
size_t vmv_fmt_pte_row(char *buf, size_t len, const struct vmv_pte *pte);
/*
 * What an entry's row and JSON print that follows from its numbers
 * alone (kind, level, flags, page, memory type: all but the address,
 * the entry, the PFN and a swap offset), kept from one entry to the
 * next: a process's entries mostly share them, and ptes then copies
 * them instead of making them again.  Only for entries whose words
 * follow from their numbers, as vmv_pte_from_rec()'s do (a line of
 * PID/ptes may have words this CLI has no number for).  Zero it first.
 */
struct vmv_pte_key {
	int arch, kind_nr, level_nr, order, mapcount;
	uint32_t flag_bits, page_bits;
	bool has_page, has_swap, has_gen;
	unsigned int gen;
	char mt[24];
};
struct vmv_pte_cache {
	bool row_ok, json_ok;
	struct vmv_pte_key row_key, json_key;
	/* the row: "  LVL ", " KIND ", and from FLAGS to its end */
	unsigned char lvl_len, kind_len, tail_len;
	char lvl[8], kind[32], tail[128];
	/* the JSON: before the address, the entry, the PFN, and after it */
	bool pretty;
	unsigned int level;
	unsigned short seg_len[4];
	char seg[4][1024];
};
size_t vmv_fmt_pte_row_cached(char *buf, size_t len, const struct vmv_pte *pte,
			      struct vmv_pte_cache *c);
/*
 * The row (in buf, of at least 256 bytes) and the JSON members of an
 * entry with the numbers of the last one given to
 * vmv_fmt_pte_row_cached() or vmv_pte_jw_cached() (c's row_ok or
 * json_ok), that was not of a swap kind: only its address, entry and
 * PFN (VMVIEW_NO_PFN: none) are its own.
 */
size_t vmv_fmt_pte_row_again(char *buf, const struct vmv_pte_cache *c,
			     uint64_t vaddr, uint64_t entry, uint64_t pfn);
void vmv_fmt_pte_where(char *buf, size_t len, const struct vmv_pte *pte);
struct json_object *vmv_pte_json(const struct vmv_pte *pte);
void vmv_pte_jw(struct vmv_jw *w, const struct vmv_pte *pte);
void vmv_pte_jw_cached(struct vmv_jw *w, const struct vmv_pte *pte,
		       struct vmv_pte_cache *c);
void vmv_pte_jw_again(struct vmv_jw *w, const struct vmv_pte_cache *c,
		      uint64_t vaddr, uint64_t entry, uint64_t pfn);
struct json_object *vmv_vma_json(const struct vmv_vma *vma);
void vmv_verify_json_add(struct json_object *o, const struct vmv_verify *v);
int vmv_addr_digits(const struct vmv_vmas *vmas);
const char *vmv_color(const char *what);
void vmv_print_wrapped(const char *indent, const char *text, int width);
void vmv_fprint_wrapped(FILE *f, const char *indent, const char *text,
			int width);
void vmv_pte_header(char *buf, size_t len);
/* A label value in Prometheus's text format (export): escaped, UTF-8. */
void vmv_prom_label_value(FILE *f, const char *s);

/* symbolize.c: section and nearest symbol of a file offset in an ELF. */
int vmv_symbolize(const char *path, uint64_t file_off, char *buf,
		  size_t len);
int vmv_symbolize_pte(pid_t pid, const struct vmv_vmas *vmas,
		      uint64_t vaddr, char *buf, size_t len);
void vmv_symbolize_cleanup(void);

/* The commands: cmd_*.c.  argv[0] is the command's first argument. */
int vmv_cmd_summary(int argc, char **argv);
int vmv_cmd_maps(int argc, char **argv);
int vmv_cmd_ptes(int argc, char **argv);
int vmv_cmd_verify(int argc, char **argv);
int vmv_cmd_events(int argc, char **argv);
int vmv_cmd_translate(int argc, char **argv);
int vmv_cmd_map(int argc, char **argv);
int vmv_cmd_faults(int argc, char **argv);
int vmv_cmd_latency(int argc, char **argv);
int vmv_cmd_wss(int argc, char **argv);
int vmv_cmd_reclaim(int argc, char **argv);
int vmv_cmd_watch(int argc, char **argv);
int vmv_cmd_export(int argc, char **argv);
int vmv_cmd_target(int argc, char **argv);	/* hidden: faults' target */
/*
 * faults_child.c: one line from fd, unbuffered (-1 at EOF); one line to
 * fd (fmt and a newline in buf) in one write(), -1 if it fails.
 */
int vmv_read_line(int fd, char *buf, size_t len);
int vmv_write_line(int fd, char *buf, size_t len, const char *fmt,
		   va_list ap) __printf(4, 0);

/* stats.c: latency's statistics and number formats. */
struct vmv_stats {
	size_t n;
	double min, p10, median, p90, max;
};
void vmv_stats(double *v, size_t n, struct vmv_stats *s);
double vmv_percentile(const double *sorted, size_t n, unsigned int p);
int vmv_ns_unit(double ns);
char *vmv_fmt_ns_in(char *buf, size_t len, double ns, int unit);
char *vmv_fmt_ns(char *buf, size_t len, double ns);
char *vmv_fmt_ns_range(char *buf, size_t len, double lo, double hi, int unit);
char *vmv_fmt_ratio(char *buf, size_t len, double ratio);
size_t vmv_text_width(const char *s);
void vmv_print_cell(const char *s, size_t width, bool right);

/* tlb.c: the TLBs as CPUID describes them, their reach, a process's needs. */
enum vmv_tlb_size { VMV_TLB_4K, VMV_TLB_2M, VMV_TLB_4M, VMV_TLB_1G,
		    VMV_TLB_NR_SIZES };
extern const char * const vmv_tlb_size_names[VMV_TLB_NR_SIZES];
extern const uint64_t vmv_tlb_size_bytes[VMV_TLB_NR_SIZES];
struct vmv_tlb_info {
	bool known;			/* the CPU said anything */
	bool leaf2_says_leaf18;		/* leaf 0x2 had descriptor 0xff */
	char source[96];		/* "CPUID leaf 0x18", ... */
	unsigned int l1d[VMV_TLB_NR_SIZES];	/* data TLB; 0 unknown */
	unsigned int l2[VMV_TLB_NR_SIZES];	/* second level; 0 unknown */
};
void vmv_tlb_leaf2(struct vmv_tlb_info *t, const uint32_t regs[4]);
bool vmv_tlb_leaf18(struct vmv_tlb_info *t, const uint32_t regs[4]);
void vmv_tlb_amd(struct vmv_tlb_info *t, const uint32_t *l5,
		 const uint32_t *l6, const uint32_t *l19);
uint64_t vmv_tlb_reach(unsigned int entries, enum vmv_tlb_size size);
/* What a process's present leaves need, as mapped and if all base pages. */
struct vmv_tlb_need {
	uint64_t entries;		/* one a leaf, huge or not */
	uint64_t base_entries;		/* one a base page */
	uint64_t huge_leaves, huge_bytes, bytes;
};
void vmv_tlb_need_add(struct vmv_tlb_need *n, uint64_t leaf_bytes,
		      uint64_t base_page);

/*
 * cpu.c: this machine's CPU: its TLBs (CPUID on x86; unknown elsewhere),
 * whether it reports a hypervisor (what, or why it cannot tell), the
 * size of the last-level cache.
 */
void vmv_cpu_tlb(struct vmv_tlb_info *t, char *why, size_t len);
int vmv_cpu_hypervisor(char *what, size_t len);	/* 1 yes, 0 no, -1 unknown */
uint64_t vmv_cpu_llc_bytes(void);		/* 0 when unknown */
/* tlb_report.c: the TLB section of summary and latency. */
int vmv_tlb_need_of_pid(pid_t pid, struct vmv_tlb_need *n);
int vmv_tlb_need_of_smaps(const char *path, struct vmv_tlb_need *n,
			  uint64_t base_page, uint64_t huge_page);
void vmv_tlb_print(const struct vmv_tlb_info *t, const char *why,
		   const struct vmv_tlb_need *n, const char *need_source,
		   uint64_t base_page);
struct json_object *vmv_tlb_json(const struct vmv_tlb_info *t,
				 const char *why,
				 const struct vmv_tlb_need *n,
				 const char *need_source, uint64_t base_page);

/*
 * cmd_map.c: the picture of the address space, also watch's: the VMAs
 * that meet [start, end), clipped to it, and the present and swap leaves
 * in it (state: 0 huge, 1 resident, 2 zero page, 3 swap), with their
 * pages counted; printed with a bar of bar cells.
 */
#define VMV_MAP_MAX_BAR	256
struct vmv_map {
	struct vmv_vmas vmas;
	struct vmv_map_leaf {
		uint64_t start, end;
		int state;
	} *v;
	size_t n, cap;
	uint64_t start, end;
	size_t total_vmas;			/* before the range */
	uint64_t mapped;			/* bytes of the VMAs */
	uint64_t huge, resident, zero, swap;	/* pages */
};
int vmv_map_load(pid_t pid, uint64_t start, uint64_t end, struct vmv_map *m);
void vmv_map_free(struct vmv_map *m);
void vmv_map_fprint(FILE *f, const struct vmv_map *m, pid_t pid,
		    const char *comm, int bar);

/* cmd_events.c: the ring, its rows, and whether the process is gone. */
int vmv_events_read(pid_t pid, struct vmv_events *ev, bool quiet_exit);
void vmv_event_fprint(FILE *f, const struct vmv_event *e);
void vmv_events_header(FILE *f);
bool vmv_pid_gone(pid_t pid);

/* cmd_summary.c: summary's head, also watch's counts. */
void vmv_summary_fprint(FILE *f, pid_t pid, const struct vmv_kvs *mm,
			size_t nr_vmas, int width);

/*
 * figures.c: a tracked process's figures, what summary and export show.
 * The leaves of one pass over PID/ptes.bin, but those of VM_PFNMAP VMAs:
 */
struct vmv_leaves {
	uint64_t kinds[VMVIEW_NR_KINDS];	/* leaf entries by kind */
	uint64_t huge[VMVIEW_NR_LEVELS];	/* present leaves above the pte */
	uint64_t zero_pages;			/* pages of the zero page mapped */
	struct vmv_tlb_need need;		/* present leaves: the TLB's */
};
struct vmv_figures {
	pid_t pid;
	struct vmv_kvs mm;			/* PID/mm */
	struct vmv_vmas vmas;			/* PID/vmas */
	struct vmv_leaves leaves;
	int pae_pmds;		/* PAE: pmd tables made with the pgd (5 or 3,
				 * -1 unknown); 0 without PAE */
	bool pti;		/* PAE: PTI on, so 5 */
	bool pgtables_agree;	/* the walk accounts for pgtables_bytes */
};
/* Returns 0 or the (reported) exit code; free the figures either way. */
int vmv_figures_load(pid_t pid, struct vmv_figures *f);
void vmv_figures_free(struct vmv_figures *f);
int vmv_count_leaves(pid_t pid, const struct vmv_vmas *vmas,
		     struct vmv_leaves *l);
/*
 * PAE: the pmd tables pgd_alloc() makes with the pgd (5 with PTI, else
 * 3), 0 without PAE, -1 when PTI's state cannot be read; and whether the
 * walk accounts for pgtables_bytes once they are counted.
 */
int vmv_pae_pmds(const struct vmv_kvs *mm, bool *pti);
bool vmv_pgtables_agree(const struct vmv_kvs *mm, int pmds);
/* A count of pages of PID/mm, in bytes. */
uint64_t vmv_mm_bytes(const struct vmv_kvs *mm, const char *key);
/* A level below the top that is not folded: table_LEVEL counts its tables. */
bool vmv_level_has_tables(int level);
/* A level whose leaves are huge pages: pmd (pgd with 2 levels), and pud. */
bool vmv_level_has_huge(int level);

/* cmd_maps.c: the VMA table, also summary's. */
int vmv_print_vma_table(const struct vmv_vmas *vmas, const char *columns);

/* pidfile.c: the files of a tracked PID, read and parsed. */
const char *vmv_pid_path(char *buf, size_t len, pid_t pid, const char *name);
int vmv_read_pid_file(pid_t pid, const char *name, char **out);
int vmv_read_pid_raw(pid_t pid, const char *name, char **out);
int vmv_pid_errno(pid_t pid, const char *name, int err);
int vmv_write_pid_file(pid_t pid, const char *name, const char *s);
int vmv_load_vmas(pid_t pid, struct vmv_vmas *vmas);
/*
 * fn for each entry of PID/ptes (read as PID/ptes.bin) as it is read
 * (nothing is kept); fn
 * returns 0 to go on, VMV_EACH_STOP to stop reading, or an exit code.
 * Errors are reported (exit codes as for any PID/ file), after calling
 * before_error (if not NULL: to close what the caller printed so far);
 * returns 0 or an exit code.
 */
#define VMV_EACH_STOP (-1)
int vmv_each_pte(pid_t pid, int (*fn)(const struct vmv_pte *pte, void *arg),
		 void (*before_error)(void *arg), void *arg);
/*
 * The same, each record first offered to rec_fn as it is in ptes.bin:
 * it returns as fn does, or VMV_EACH_AS_PTE to have the record made a
 * struct vmv_pte (checked) and given to fn (ptes: what an entry shares
 * with the one before is printed without making it again).
 */
#define VMV_EACH_AS_PTE (-2)
int vmv_each_pte_rec(pid_t pid,
		     int (*rec_fn)(const struct vmview_pte *rec, void *arg),
		     int (*fn)(const struct vmv_pte *pte, void *arg),
		     void (*before_error)(void *arg), void *arg);
int vmv_load_mm(pid_t pid, struct vmv_kvs *mm);
int vmv_load_verify(pid_t pid, struct vmv_verify *v);
int vmv_load_events(pid_t pid, struct vmv_events *ev);
int vmv_load_translate(pid_t pid, uint64_t addr, struct vmv_translate *t);
int vmv_pid_comm(pid_t pid, char *buf, size_t len);

#endif /* VMVIEW_CLI_H */

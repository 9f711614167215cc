// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of vmview-cli: the parsers and formatters linked in
 * directly, then the binary run against fake trees of plain files (a
 * copy of fixtures/tree per test, pointed to by VMVIEW_ROOT), with
 * fakeerr.so preloaded where a module file has to answer with an errno.
 * JSON output is parsed back with json-c.  watch, which needs a terminal,
 * runs in a tmux pane the tests type into and read (skipped without
 * tmux).  Prints TAP (tests/unit.h, the runner of every host test, which
 * drops the fake tree after each test); exits 1 when a test failed.
 *
 * Built and run by "make -C tools/vmview-cli check" (tests/Makefile),
 * which passes CLI, SHIM and FIXTURES as absolute paths.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../vmview-cli.h"
#include "unit.h"

struct vmv_opts vmv_opts = { .root = "" };

/* --- fake trees and runs of the CLI --------------------------------------- */

#define PTES	"sys/kernel/debug/vmview/1234/ptes"

static char root[256];

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd))
		UNIT_FAIL("command failed: %s", cmd);
}

static char *get(const char *rel);
static void put_ptes(const char *text);

/*
 * A copy of fixtures/tree, its PID/ptes.bin made from its PID/ptes (the
 * fixture keeps the text, which people can read).
 */
static void new_tree(void)
{
	char *text;

	snprintf(root, sizeof(root), "/tmp/vmview-cli-test.XXXXXX");
	if (!mkdtemp(root)) {
		UNIT_FAIL("mkdtemp: %s", strerror(errno));
		return;
	}
	chmod(root, 0755);
	sh("cp -a '%s'/. '%s'/", FIXTURES, root);
	text = get(PTES);
	put_ptes(text);
	free(text);
}

static void drop_tree(void)
{
	if (root[0])
		sh("rm -rf '%s'", root);
	root[0] = '\0';
}

/*
 * Write (mode "w") or append ("a") bytes to a file of the fake tree
 * (path relative to the root).  A file written whole is replaced by a
 * rename: a CLI reading it meanwhile (watch) sees it before or after.
 */
static void put_bytes(const char *rel, const void *buf, size_t len,
		      const char *mode)
{
	char path[512], tmp[520];
	bool whole = *mode == 'w';
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(tmp, sizeof(tmp), "%s%s", path, whole ? ".new" : "");
	f = fopen(tmp, mode);
	if (!f || fwrite(buf, 1, len, f) != len)
		UNIT_FAIL("%s: %s", path, strerror(errno));
	if (f && (fclose(f) || (whole && rename(tmp, path))))
		UNIT_FAIL("%s: %s", path, strerror(errno));
}

static void put(const char *rel, const char *text)
{
	put_bytes(rel, text, strlen(text), "w");
}

static char *slurp(const char *path)
{
	char *text;

	if (vmv_read_path(path, &text, NULL))
		return strdup("");
	return text;
}

static char *get(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return slurp(path);
}

static void rm(const char *rel)
{
	sh("rm -rf '%s/%s'", root, rel);
}

/* The bits of a comma-separated list of names[] words ("-": none). */
static uint64_t words_mask(const char *commas, const char * const *names,
			   size_t nr)
{
	uint64_t mask = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		if (vmv_has_word(commas, names[i]))
			mask |= 1ULL << i;
	return mask;
}

/*
 * The record the module writes to ptes.bin for a line of ptes: its
 * architecture's flag words, and the swap field the swap type, or for a
 * present (or protnone) entry its memory type.
 */
static struct vmview_pte rec_of(const struct vmv_pte *p)
{
	int kind = vmv_word_index(vmv_kind_names, VMVIEW_NR_KINDS, p->kind);
	int mt = vmv_word_index(vmv_mt_names, VMVIEW_NR_MTS, p->mt);
	struct vmview_pte rec = {
		.vaddr = p->vaddr,
		.entry = p->entry,
		.pfn = kind == VMVIEW_KIND_SWAP ? p->swap_offset : p->pfn,
		.meta = (uint64_t)kind << VMVIEW_META_KIND_SHIFT |
			(uint64_t)p->arch << VMVIEW_META_ARCH_SHIFT |
			(uint64_t)vmv_pte_level(p) << VMVIEW_META_LEVEL_SHIFT |
			(uint64_t)(p->has_swap ? p->swap_type : mt > 0 ? mt : 0) <<
			VMVIEW_META_SWAP_SHIFT |
			words_mask(p->flags, vmv_flag_names_of(p->arch),
				   VMVIEW_NR_FLAGS) << VMVIEW_META_FLAGS_SHIFT,
	};

	if (p->has_page)
		rec.meta |= VMVIEW_META_PAGE |
			    (uint64_t)p->order << VMVIEW_META_ORDER_SHIFT |
			    words_mask(p->page, vmv_page_flag_names,
				       VMVIEW_NR_PFLAGS) <<
			    VMVIEW_META_PFLAGS_SHIFT |
			    (uint64_t)p->mapcount << VMVIEW_META_MAPCOUNT_SHIFT;
	return rec;
}

/* Write text to a file outside the fake tree (an absolute path). */
static void put_bytes_abs(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0)
		UNIT_FAIL("%s: %s", path, strerror(errno));
	if (f)
		fclose(f);
}

/* PID/ptes (text) and PID/ptes.bin, the same entries. */
static void put_ptes(const char *text)
{
	struct vmview_pte *recs = NULL;
	size_t n = 0, cap = 0;
	const char *line, *eol;
	struct vmv_pte p;
	char buf[512];

	put(PTES, text);
	for (line = text; *line; line = *eol ? eol + 1 : eol) {
		eol = strchrnul(line, '\n');
		snprintf(buf, sizeof(buf), "%.*s", (int)(eol - line), line);
		if (*buf == '#' || !*buf)
			continue;
		if (vmv_parse_pte_line(buf, &p) ||
		    vmv_grow((void **)&recs, n, &cap, sizeof(*recs))) {
			UNIT_FAIL("cannot make a record of: %s", buf);
			break;
		}
		recs[n++] = rec_of(&p);
	}
	put_bytes(PTES ".bin", recs, n * sizeof(*recs), "w");
	free(recs);
}

/* Two JSON trees print the same; both are freed. */
static void json_string_eq(struct json_object *a, struct json_object *b)
{
	EXPECT_STREQ(json_object_to_json_string(a),
		     json_object_to_json_string(b));
	json_object_put(a);
	json_object_put(b);
}

struct run {
	int status;		/* exit status, or 128 + signal */
	char *out, *err, *log;
};

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	free(r->log);
	memset(r, 0, sizeof(*r));
}

/*
 * Run the CLI with VMVIEW_ROOT=root; fake: fakeerr.so rules (or NULL).
 * With kill_after_ms, send sig that long after it has tracked a PID.
 */
static struct run run_ex(const char *fake, const char *env, int kill_after_ms,
			 int sig, const char *const *argv)
{
	char out[300], err[300], log[300];
	const char *args[32];
	struct run r = { 0 };
	int i, status;
	pid_t pid;

	snprintf(out, sizeof(out), "%s.out", root);
	snprintf(err, sizeof(err), "%s.err", root);
	snprintf(log, sizeof(log), "%s.log", root);
	unlink(log);
	args[0] = CLI;
	for (i = 0; argv[i] && i < 30; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fo, 1);
		dup2(fe, 2);
		setenv("VMVIEW_ROOT", root, 1);
		unsetenv("NO_COLOR");
		setenv("VMVIEW_FAKE_LOG", log, 1);
		setenv("LD_PRELOAD", SHIM, 1);
		if (fake)
			setenv("VMVIEW_FAKE", fake, 1);
		if (env)
			putenv((char *)env);
		execv(CLI, (char **)args);
		_exit(127);
	}
	if (kill_after_ms) {
		struct timespec ts = { kill_after_ms / 1000,
				       (kill_after_ms % 1000) * 1000000L };
		char *t = NULL;

		/* once the CLI has tracked its PID (the fake track file) */
		for (i = 0; i < 500; i++) {
			free(t);
			t = get("sys/kernel/debug/vmview/track");
			if (*t)
				break;
			usleep(10000);
		}
		free(t);
		nanosleep(&ts, NULL);
		kill(pid, sig);
	}
	waitpid(pid, &status, 0);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) :
		   128 + WTERMSIG(status);
	r.out = slurp(out);
	r.err = slurp(err);
	r.log = slurp(log);
	unlink(out);
	unlink(err);
	unlink(log);
	return r;
}

#define RUN(...) run_ex(NULL, NULL, 0, 0, (const char *const[]){ __VA_ARGS__, NULL })
#define RUN_FAKE(fake, ...) run_ex(fake, NULL, 0, 0, (const char *const[]){ __VA_ARGS__, NULL })

/* The longest line of text, not counting lines that contain skip. */
static size_t widest(const char *text, const char *skip)
{
	const char *p = text, *e;
	size_t max = 0;

	while (*p) {
		e = strchrnul(p, '\n');
		if ((size_t)(e - p) > max &&
		    !(skip && memmem(p, e - p, skip, strlen(skip))))
			max = e - p;
		p = *e ? e + 1 : e;
	}
	return max;
}

static int lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static struct json_object *parse_json(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	if (!o)
		UNIT_FAIL("not JSON:\n%s", text);
	return o;
}

/* o.a.b... as an object; NULL when absent. */
static struct json_object *jget(struct json_object *o, const char *path)
{
	char buf[128], *save, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); o && k;
	     k = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, atoi(k));
		else if (!json_object_object_get_ex(o, k, &o))
			o = NULL;
	}
	return o;
}

static int64_t jint(struct json_object *o, const char *path)
{
	return json_object_get_int64(jget(o, path));
}

static const char *jstr(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);

	return v ? json_object_get_string(v) : NULL;
}

static size_t jlen(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);

	return v ? json_object_array_length(v) : 0;
}

/* --- units ------------------------------------------------------------- */

UNIT_TEST(size_in_human_units)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} t[] = {
		{ 0, "0B" }, { 1023, "1023B" }, { 1024, "1K" },
		{ 1536, "1.5K" }, { 4096, "4K" }, { 36864, "36K" },
		{ 1048575, "1024K" }, { 1048576, "1M" },
		{ 1288490189, "1.2G" }, { 1ULL << 60, "1E" },
		{ ~0ULL, "16E" },
	};
	char buf[24];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		EXPECT_STREQ(vmv_size(buf, sizeof(buf), t[i].bytes), t[i].text);
}

UNIT_TEST(parse_vma_lines)
{
	struct vmv_vma v;

	EXPECT_EQ(0, vmv_parse_vma_line("7f0040400000-7f0040401000 rw-s 00001000 fd:01 77 rss=1 swap=2 thp=3 flags=read,write,shared newkey=9 /tmp/a file (deleted)\n", &v));
	EXPECT_EQ(v.start, 0x7f0040400000ULL);
	EXPECT_EQ(v.end, 0x7f0040401000ULL);
	EXPECT_STREQ(v.perms, "rw-s");
	EXPECT_EQ(v.pgoff, 0x1000);
	EXPECT_EQ(v.dev_major, 0xfd);
	EXPECT_EQ(v.dev_minor, 1);
	EXPECT_EQ(v.inode, 77);
	EXPECT_EQ(v.rss, 1);
	EXPECT_EQ(v.swap, 2);
	EXPECT_EQ(v.thp, 3);
	EXPECT_STREQ(v.flags, "read,write,shared");
	EXPECT_STREQ(v.name, "/tmp/a file (deleted)");
	free(v.flags);
	free(v.name);

	EXPECT_EQ(0, vmv_parse_vma_line("00400000-00401000 r--p 00000000 00:00 0 rss=0 swap=0 thp=0 flags=read", &v));
	EXPECT_STREQ(v.name, "");
	free(v.flags);
	free(v.name);
	EXPECT(vmv_parse_vma_line("00400000 r--p 00000000 00:00 0", &v));
	EXPECT(vmv_parse_vma_line("00401000-00400000 r--p 0 00:00 0 flags=x", &v));
	EXPECT(vmv_parse_vma_line("", &v));
}

UNIT_TEST(parse_pte_lines)
{
	struct vmv_pte p;

	EXPECT_EQ(0, vmv_parse_pte_line("0x00007f1234561000 pte 0x07fffffffffff808 swap pfn=- swap=1:0x3f flags=exclusive,softdirty", &p));
	EXPECT_STREQ(p.kind, "swap");
	EXPECT_EQ(p.pfn, VMVIEW_NO_PFN);
	EXPECT(p.has_swap);
	EXPECT_EQ(p.swap_type, 1);
	EXPECT_EQ(p.swap_offset, 0x3f);
	EXPECT(vmv_has_word(p.flags, "softdirty"));
	EXPECT(!p.has_page);
	EXPECT(!vmv_pte_present(&p));

	EXPECT_EQ(0, vmv_parse_pte_line("0x00007f1234600000 pmd 0x80000000234008e7 present pfn=0x23400 flags=present,rw,pse page=anon,large order=9 mapcount=1 future=1\n", &p));
	EXPECT_STREQ(p.level, "pmd");
	EXPECT_EQ(p.entry, 0x80000000234008e7ULL);
	EXPECT_EQ(p.pfn, 0x23400);
	EXPECT_EQ(vmv_pte_size(&p), 2 << 20);
	EXPECT_STREQ(p.page, "anon,large");
	EXPECT_EQ(p.order, 9);
	EXPECT_EQ(p.mapcount, 1);
	EXPECT(vmv_pte_present(&p));
	EXPECT(!p.has_gen);

	/* MGLRU's generation, after mapcount; absent is not gen 0 */
	EXPECT_EQ(0, vmv_parse_pte_line("0x00007f1234560000 pte 0x8000000012345867 present pfn=0x12345 flags=present,rw,user,accessed page=anon,lru,swapbacked order=0 mapcount=1 gen=2\n", &p));
	EXPECT(p.has_gen);
	EXPECT_EQ(p.gen, 2);
	EXPECT_EQ(p.mapcount, 1);
	EXPECT_EQ(0, vmv_parse_pte_line("0x00007f1234560000 pte 0x8000000012345867 present pfn=0x12345 flags=present page=anon order=0 mapcount=1 gen=0", &p));
	EXPECT(p.has_gen);
	EXPECT_EQ(p.gen, 0);

	EXPECT(vmv_parse_pte_line("7f1234600000 pmd 0x1 present", &p));
	EXPECT(vmv_parse_pte_line("0x00007f1234600000 pmd", &p));
	EXPECT(vmv_parse_pte_line("0x00007f1234600000 pte 0x1 swap swap=1x3", &p));
}

UNIT_TEST(parse_translate_walks)
{
	struct vmv_translate t;

	EXPECT_EQ(0, vmv_parse_translate(
		"vaddr: 0x00007f1234561234\n"
		"vma: 0x00007f1234400000-0x00007f1234800000 rw-p\n"
		"pgd[0x0fe] = 0x0000000123456067\n"
		"p4d[0x000] = 0x0000000123457067\n"
		"pud[0x1fc] = 0x0000000123458067\n"
		"pmd[0x000] = 0x0000000123459067\n"
		"pte[0x161] = 0x800000001234a867\n"
		"leaf: 0x00007f1234561000 pte 0x800000001234a867 present pfn=0x1234a flags=present page=anon order=0 mapcount=1\n"
		"phys: 0x000000001234a234\n", &t));
	EXPECT_EQ(t.vaddr, 0x7f1234561234ULL);
	EXPECT(t.has_vma);
	EXPECT_STREQ(t.vma_perms, "rw-p");
	EXPECT_EQ(t.nr_levels, 5);
	EXPECT_STREQ(t.level[1].name, "p4d");
	EXPECT_EQ(t.level[4].index, 0x161);
	EXPECT_EQ(t.level[2].entry, 0x123458067ULL);
	EXPECT(t.has_leaf && t.has_phys);
	EXPECT_EQ(t.phys, 0x1234a234);
	EXPECT_STREQ(t.stop, "");

	EXPECT_EQ(0, vmv_parse_translate("vaddr: 0x1000\nvma: none\nstop: no vma\n", &t));
	EXPECT(!t.has_vma && !t.nr_levels);
	EXPECT_STREQ(t.stop, "no vma");
	EXPECT_EQ(0, vmv_parse_translate("vaddr: 0x1000\nvma: 0x1000-0x2000 rw-p\npgd[0x000] = 0x0\nstop: pgd none\n", &t));
	EXPECT_STREQ(t.stop, "pgd none");
	EXPECT_EQ(2, vmv_parse_translate("vaddr: 0x1000\nbogus\n", &t));
}

UNIT_TEST(parse_translate_split_and_path)
{
	struct vmv_translate t;

	EXPECT_EQ(0, vmv_parse_translate(
		"vaddr: 0x0000000008048000\n"
		"vma: 0x0000000008048000-0x0000000008049000 r--p\n"
		"split: 2/9/9/12 pgd=0x000 pmd=0x040 pte=0x048 offset=0x000\n"
		"pgd[0x000] = 0x00000000019fe001\n"
		"pmd[0x040] = 0x000000003f911067\n"
		"pte[0x048] = 0x000000003fc05025\n"
		"leaf: 0x0000000008048000 pte 0x000000003fc05025 present pfn=0x3fc05 flags=present,user,accessed page=file order=0 mapcount=4\n"
		"phys: 0x000000003fc05000\n"
		"path: cr3 0x1af4000 -> pgd[0x000] 0x19fe000 -> pmd[0x040] 0x3f911000 -> pte[0x048] 0x3fc05000 -> phys 0x3fc05000\n",
		&t));
	EXPECT(t.has_split && t.has_path);
	EXPECT_EQ(t.nr_split, 4);
	EXPECT_STREQ(t.split[1].name, "pmd");
	EXPECT_EQ(t.split[1].bits, 9);
	EXPECT_EQ(t.split[1].index, 0x40);
	EXPECT_STREQ(t.split[3].name, "offset");
	EXPECT_EQ(t.split[3].bits, 12);
	EXPECT_EQ(t.cr3, 0x1af4000);
	EXPECT_EQ(t.path[1].addr, 0x3f911000);
	EXPECT(t.path_has_phys && t.path_phys == 0x3fc05000);
	EXPECT_EQ(t.nr_levels, 3);
	/* a stop: the kind ends the path */
	EXPECT_EQ(0, vmv_parse_translate(
		"vaddr: 0x1000\nvma: 0x1000-0x2000 rw-p\n"
		"split: 10/10/12 pgd=0x000 pte=0x001 offset=0x000\n"
		"pgd[0x000] = 0x0\nstop: pgd none\npath: cr3 0x1000 -> pgd[0x000] none\n", &t));
	EXPECT_STREQ(t.path[0].what, "none");
	EXPECT(!t.path[0].has_addr && !t.path_has_phys);
	/* what does not read: the line's number */
	EXPECT_EQ(3, vmv_parse_translate("vaddr: 0x1000\nvma: none\nsplit: 9/x\n", &t));
	EXPECT_EQ(3, vmv_parse_translate("vaddr: 0x1000\nvma: none\nsplit: 10/12 pgd=0x1\n", &t));
	EXPECT_EQ(4, vmv_parse_translate("vaddr: 0x1000\nvma: 0x1000-0x2000 rw-p\npgd[0x000] = 0x0\npath: cr3 0x1 -> pmd[0x000] none\n", &t));
	EXPECT_EQ(3, vmv_parse_translate("vaddr: 0x1000\nvma: none\nxyz[0x0] = 0x0\n", &t));
}

/* Sizes and swap offsets follow the paging mode. */
UNIT_TEST(paging_modes)
{
	static const struct {
		int levels, bits;
		unsigned int pgd_bits, pgd_shift, huge_shift;
		uint64_t limit;
	} m[] = {
		{ 2, 32, 10, 22, 22, 0xffffffffULL },
		{ 3, 32, 2, 30, 21, 0xffffffffULL },
		{ 4, 48, 9, 39, 21, 0x7fffffffffffULL },
		{ 5, 57, 9, 48, 21, 0xffffffffffffffULL },
	};
	struct vmview_pte rec = { 0 };
	struct vmv_pte p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		EXPECT_EQ(0, vmv_set_levels(m[i].levels));
		EXPECT_EQ(vmv_address_bits(), m[i].bits);
		EXPECT_EQ(vmv_level_bits(VMVIEW_LEVEL_PGD), m[i].pgd_bits);
		EXPECT_EQ(vmv_level_shift(VMVIEW_LEVEL_PGD), m[i].pgd_shift);
		EXPECT_EQ(vmv_level_shift(vmv_huge_level()), m[i].huge_shift);
		EXPECT_EQ(vmv_user_limit(), m[i].limit);
	}
	EXPECT_EQ(-EINVAL, vmv_set_levels(1));
	EXPECT_EQ(-EINVAL, vmv_set_levels(6));
	EXPECT_EQ(vmv_levels(), 5);

	/* a 4 MiB pgd leaf with 2 levels */
	EXPECT_EQ(0, vmv_set_levels(2));
	vmv_parse_pte_line("0x00000000b6c00000 pgd 0x234000e7 present pfn=0x23400 flags=present,pse", &p);
	EXPECT_EQ(vmv_pte_size(&p), 4 << 20);
	/*
	 * A migration entry's record carries its frame, so its offset is
	 * read from the entry: 2-level (type bits 1..5, offset 9..31, not
	 * inverted), PAE (type 59..63, offset inverted from bit 9), x86-64.
	 */
	rec.meta = (uint64_t)VMVIEW_KIND_MIGRATION << VMVIEW_META_KIND_SHIFT |
		   (uint64_t)VMVIEW_LEVEL_PTE << VMVIEW_META_LEVEL_SHIFT |
		   30ULL << VMVIEW_META_SWAP_SHIFT;
	rec.entry = 30 << 1 | 0x1234ULL << 9;
	rec.pfn = 0x1234;
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_EQ(p.swap_offset, 0x1234);
	EXPECT_EQ(0, vmv_set_levels(3));
	rec.entry = (30ULL << 59) | (~(0x1234ULL << 9) & ((1ULL << 59) - 1) &
				      ~0x1ffULL);
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_EQ(p.swap_offset, 0x1234);
	EXPECT_EQ(0, vmv_set_levels(4));
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_EQ(p.swap_offset, 0x1234);
	/* a 2-level entry read as x86-64's would be nonsense */
	rec.entry = 30 << 1 | 0x1234ULL << 9;
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT(p.swap_offset != 0x1234);
	EXPECT_EQ(0, vmv_set_levels(4));
}

/* --- arm64, and the paging /proc/vmview describes ------------------------ */

/* The paging mode of a /proc/vmview text: vmv_set_paging()'s answer. */
static int set_paging(const char *status, char *why, size_t len)
{
	struct vmv_kvs kvs;
	int ret = vmv_parse_kvs(status, &kvs);

	if (!ret)
		ret = vmv_set_paging(&kvs, why, len);
	vmv_kvs_free(&kvs);
	return ret;
}

#define ARM64_4K							\
	"levels: 4\narch: arm64\nentry_format: arm64-6.12-4k\n"	\
	"page_shift: 12\ngeometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@12\n"
#define ARM64_61							\
	"levels: 4\narch: arm64\nentry_format: arm64-6.1\n"		\
	"page_shift: 12\ngeometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@12\n"

/*
 * /proc/vmview's arch, entry_format, page_shift and geometry make the
 * paging mode: x86-64 with 4 and 5 levels, PAE, 2 levels, arm64's 4K
 * granule with 3 and 4 levels and LPA2's 5, the 16K granule.  A module
 * without them is x86 by its levels.
 */
UNIT_TEST(paging_from_geometry)
{
	static const struct {
		const char *status;
		int arch, levels;
		unsigned int page_shift, bits[VMVIEW_NR_LEVELS];
		unsigned int address_bits, huge_shift;
		uint64_t limit;
		/* pgd p4d pud pmd pte; a folded level is the one above */
		const char *top, *labels;
	} m[] = {
		{ "levels: 4\narch: x86\nentry_format: x86-64\npage_shift: 12\n"
		  "geometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@12\n",
		  VMVIEW_ARCH_X86, 4, 12, { 9, 9, 9, 0, 9 }, 48, 21,
		  0x7fffffffffffULL, "CR3", "PGD P4D PUD PMD PTE" },
		{ "levels: 5\narch: x86\nentry_format: x86-64\npage_shift: 12\n"
		  "geometry: pgd=9@48 p4d=9@39 pud=9@30 pmd=9@21 pte=9@12\n",
		  VMVIEW_ARCH_X86, 5, 12, { 9, 9, 9, 9, 9 }, 57, 21,
		  0xffffffffffffffULL, "CR3", "PGD P4D PUD PMD PTE" },
		{ "levels: 3\narch: x86\nentry_format: i386-pae\npage_shift: 12\n"
		  "geometry: pgd=2@30 pmd=9@21 pte=9@12\n",
		  VMVIEW_ARCH_X86, 3, 12, { 9, 9, 0, 0, 2 }, 32, 21,
		  0xffffffffULL, "CR3", "PGD P4D PUD PMD PTE" },
		{ "levels: 2\narch: x86\nentry_format: i386-2level\n"
		  "page_shift: 12\ngeometry: pgd=10@22 pte=10@12\n",
		  VMVIEW_ARCH_X86, 2, 12, { 10, 0, 0, 0, 10 }, 32, 22,
		  0xffffffffULL, "CR3", "PGD P4D PUD PMD PTE" },
		{ ARM64_4K, VMVIEW_ARCH_ARM64, 4, 12, { 9, 9, 9, 0, 9 }, 48, 21,
		  0xffffffffffffULL, "TTBR0_EL1", "L0 L0 L1 L2 L3" },
		{ "levels: 3\narch: arm64\nentry_format: arm64-6.1\n"
		  "page_shift: 12\ngeometry: pgd=9@30 pmd=9@21 pte=9@12\n",
		  VMVIEW_ARCH_ARM64, 3, 12, { 9, 9, 0, 0, 9 }, 39, 21,
		  0x7fffffffffULL, "TTBR0_EL1", "L1 L1 L1 L2 L3" },
		{ "levels: 5\narch: arm64\nentry_format: arm64-6.12-4k-lpa2\n"
		  "page_shift: 12\n"
		  "geometry: pgd=4@48 p4d=9@39 pud=9@30 pmd=9@21 pte=9@12\n",
		  VMVIEW_ARCH_ARM64, 5, 12, { 9, 9, 9, 9, 4 }, 52, 21,
		  0xfffffffffffffULL, "TTBR0_EL1", "L-1 L0 L1 L2 L3" },
		{ "levels: 4\narch: arm64\nentry_format: arm64-6.12-16k-lpa2\n"
		  "page_shift: 14\n"
		  "geometry: pgd=5@47 pud=11@36 pmd=11@25 pte=11@14\n",
		  VMVIEW_ARCH_ARM64, 4, 14, { 11, 11, 11, 0, 5 }, 52, 25,
		  0xfffffffffffffULL, "TTBR0_EL1", "L0 L0 L1 L2 L3" },
		/* an older module: levels alone, x86 */
		{ "levels: 3\n", VMVIEW_ARCH_X86, 3, 12, { 9, 9, 0, 0, 2 }, 32,
		  21, 0xffffffffULL, "CR3", "PGD P4D PUD PMD PTE" },
		{ "levels: 5\n", VMVIEW_ARCH_X86, 5, 12, { 9, 9, 9, 9, 9 }, 57,
		  21, 0xffffffffffffffULL, "CR3", "PGD P4D PUD PMD PTE" },
	};
	char why[512], buf[8], labels[64];
	struct vmv_pte p;
	size_t i, n;
	int l;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		why[0] = '\0';
		EXPECT_EQ(set_paging(m[i].status, why, sizeof(why)), 0);
		EXPECT_STREQ(why, "");
		EXPECT_EQ(vmv_arch(), m[i].arch);
		EXPECT_EQ(vmv_levels(), m[i].levels);
		EXPECT_EQ(vmv_page_shift(), m[i].page_shift);
		EXPECT_EQ(VMV_PAGE_SIZE, 1ULL << m[i].page_shift);
		for (l = 0; l < VMVIEW_NR_LEVELS; l++)
			EXPECT_EQ(vmv_level_bits(l), m[i].bits[l]);
		EXPECT_EQ(vmv_address_bits(), m[i].address_bits);
		EXPECT_EQ(vmv_level_shift(vmv_huge_level()), m[i].huge_shift);
		EXPECT_EQ(vmv_level_shift(VMVIEW_LEVEL_PTE), m[i].page_shift);
		EXPECT_EQ(vmv_user_limit(), m[i].limit);
		EXPECT_STREQ(vmv_top_register(), m[i].top);
		for (l = VMVIEW_LEVEL_PGD, n = 0; l >= VMVIEW_LEVEL_PTE; l--)
			n += snprintf(labels + n, sizeof(labels) - n, "%s%s",
				      n ? " " : "",
				      vmv_level_label(buf, sizeof(buf),
						      vmv_level_names[l]));
		EXPECT_STREQ(labels, m[i].labels);
	}
	/* the 16K granule: a pmd leaf maps 32M, a pte 16K */
	EXPECT_EQ(set_paging(m[7].status, why, sizeof(why)), 0);
	vmv_parse_pte_line("0x0000ffff80000000 pmd 0x0068000042000f41 present pfn=0x10800 flags=valid,dbm,user,ng,af,dirty,block,pxn,uxn mt=normal", &p);
	EXPECT_EQ(vmv_pte_size(&p), 32 << 20);
	EXPECT_EQ(vmv_level_shift(VMVIEW_LEVEL_PUD), 36);
	vmv_parse_pte_line("0x0000ffff80004000 pte 0x0068000042004f43 present pfn=0x10801 flags=valid mt=normal", &p);
	EXPECT_EQ(vmv_pte_size(&p), 16384);
	EXPECT_HAS(vmv_entry_format(), "16K");
	/* LPA2's table descriptors keep address bits 50..51 in bits 8..9 */
	EXPECT_EQ(vmv_table_addr(0x0000000041110303ULL, VMVIEW_LEVEL_PGD),
		  0x000c000041110000ULL);
	EXPECT_EQ(set_paging(m[4].status, why, sizeof(why)), 0);
	EXPECT_EQ(vmv_table_addr(0x0000000041111003ULL, VMVIEW_LEVEL_PGD),
		  0x41111000ULL);
	EXPECT_EQ(set_paging(m[3].status, why, sizeof(why)), 0);
	EXPECT_EQ(vmv_table_addr(0x0000000001a2c067ULL, VMVIEW_LEVEL_PGD),
		  0x1a2c000ULL);
}

/* What /proc/vmview says that this CLI does not know: named, nothing set. */
UNIT_TEST(paging_refused_by_name)
{
	static const struct {
		const char *status, *why;
	} bad[] = {
		{ "levels: 6\n", "\"levels: 6\"" },
		{ "arch: arm64\n", "\"levels: (none)\"" },
		{ "levels: 4\narch: riscv\n", "\"arch: riscv\": this vmview-cli knows x86 and arm64; is the module newer than the CLI?" },
		{ "levels: 4\narch: arm64\nentry_format: arm64-7.0\npage_shift: 12\ngeometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@12\n",
		  "\"entry_format: arm64-7.0\": this vmview-cli knows x86-64, i386-pae, i386-2level, arm64-6.12-4k, arm64-6.12-4k-lpa2, arm64-6.12-16k, arm64-6.12-16k-lpa2, arm64-6.1; is the module newer than the CLI?" },
		{ "levels: 4\narch: x86\nentry_format: arm64-6.1\n",
		  "\"entry_format: arm64-6.1\" with \"arch: x86\": the format is arm64's, not x86's" },
		{ "levels: 4\nentry_format: sparc\n", "\"entry_format: sparc\"" },
		{ "levels: 4\narch: arm64\ngeometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@12\n",
		  "\"entry_format: (none)\"" },
		{ "levels: 4\narch: arm64\nentry_format: arm64-6.12-4k\n",
		  "\"geometry: (none)\"" },
		{ "levels: 4\narch: arm64\nentry_format: arm64-6.12-16k\npage_shift: 12\ngeometry: pgd=1@47 pud=11@36 pmd=11@25 pte=11@14\n",
		  "\"page_shift: 12\": entry format arm64-6.12-16k has 14" },
		/* a gap, a level too few or too many, not down to the pte */
		{ "levels: 4\ngeometry: pgd=9@40 pud=9@30 pmd=9@21 pte=9@12\n",
		  "\"geometry: pgd=9@40 pud=9@30 pmd=9@21 pte=9@12\": this vmview-cli cannot read it" },
		{ "levels: 5\ngeometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@12\n",
		  "\"geometry: pgd=9@39" },
		{ "levels: 4\ngeometry: pgd=9@39 pud=9@30 pmd=9@21\n", "\"geometry:" },
		{ "levels: 4\ngeometry: pud=9@30 pgd=9@39 pmd=9@21 pte=9@12\n", "\"geometry:" },
		{ "levels: 4\ngeometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@13\n", "\"geometry:" },
		{ "levels: 4\ngeometry: pgd=9@39 pud=9@30 pmd=9@21 xyz=9@12\n", "\"geometry:" },
		{ "levels: 4\ngeometry: pgd=9 pud=9@30 pmd=9@21 pte=9@12\n", "\"geometry:" },
	};
	char why[512];
	size_t i;

	EXPECT_EQ(set_paging(ARM64_61, why, sizeof(why)), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		EXPECT_EQ(set_paging(bad[i].status, why, sizeof(why)), -EINVAL);
		EXPECT_HAS(why, bad[i].why);
		/* what was set stays */
		EXPECT_EQ(vmv_arch(), VMVIEW_ARCH_ARM64);
		EXPECT_EQ(vmv_levels(), 4);
	}
}

/* The binary says what it does not know, as for an unknown levels. */
UNIT_TEST(unknown_arch_and_format_refused)
{
	struct run r;

	new_tree();
	sh("echo 'arch: riscv' >> %s/proc/vmview", root);
	r = RUN("summary", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_HAS(r.err, "/proc/vmview says \"arch: riscv\": this vmview-cli knows x86 and arm64");
	EXPECT_EQ(strlen(r.out), 0);
	run_free(&r);
	sh("sed -i 's/^arch: riscv/arch: arm64\\nentry_format: arm64-9.9-64k/' %s/proc/vmview",
	   root);
	r = RUN("-j", "ptes", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_HAS(r.out, "says \\\"entry_format: arm64-9.9-64k\\\": this vmview-cli knows");
	EXPECT_EQ(strlen(r.err), 0);
	run_free(&r);
}

/* A record's meta for kind, architecture, level, swap field and flags. */
static uint64_t meta_of(int kind, int arch, int level, unsigned int swap,
			uint64_t flags)
{
	return (uint64_t)kind << VMVIEW_META_KIND_SHIFT |
	       (uint64_t)arch << VMVIEW_META_ARCH_SHIFT |
	       (uint64_t)level << VMVIEW_META_LEVEL_SHIFT |
	       (uint64_t)swap << VMVIEW_META_SWAP_SHIFT |
	       flags << VMVIEW_META_FLAGS_SHIFT;
}

#define A(f)	(1ULL << VMVIEW_ARM64_F_##f)

/*
 * arm64 records: flag words by the record's arch tag, the memory type in
 * the swap field of a present entry, the letters and x86's questions
 * asked in arm64's words; an unknown arch tag is as bad as an unknown
 * kind.
 */
UNIT_TEST(arm64_records)
{
	static const struct {
		int kind, level;
		uint64_t flags;
		unsigned int mt;
		const char *words, *mtw, *letters;
		bool rw, nx, global, huge;
	} t[] = {
		/* a text page: read-only, executable by the user */
		{ VMVIEW_KIND_PRESENT, VMVIEW_LEVEL_PTE,
		  A(VALID) | A(USER) | A(RDONLY) | A(NG) | A(AF) | A(SH) | A(PXN),
		  VMVIEW_MT_NORMAL, "valid,user,rdonly,ng,af,sh,pxn", "normal",
		  "p-ua--x---", false, false, false, false },
		/* written anonymous memory: writable and dirty (dbm, no rdonly) */
		{ VMVIEW_KIND_PRESENT, VMVIEW_LEVEL_PTE,
		  A(VALID) | A(DBM) | A(USER) | A(NG) | A(AF) | A(DIRTY) |
		  A(SH) | A(PXN) | A(UXN),
		  VMVIEW_MT_NORMAL, "valid,dbm,user,ng,af,dirty,sh,pxn,uxn",
		  "normal", "pwuad-----", true, true, false, false },
		/* writable, not written yet: dbm with rdonly */
		{ VMVIEW_KIND_PRESENT, VMVIEW_LEVEL_PTE,
		  A(VALID) | A(DBM) | A(USER) | A(RDONLY) | A(NG) | A(AF) |
		  A(PXN) | A(UXN),
		  VMVIEW_MT_NORMAL_TAGGED, "valid,dbm,user,rdonly,ng,af,pxn,uxn",
		  "normal-tagged", "pwua------", true, true, false, false },
		/* a 2M block with the contiguous hint */
		{ VMVIEW_KIND_PRESENT, VMVIEW_LEVEL_PMD,
		  A(VALID) | A(DBM) | A(USER) | A(NG) | A(AF) | A(DIRTY) |
		  A(BLOCK) | A(PXN) | A(CONT),
		  VMVIEW_MT_NORMAL, "valid,dbm,user,ng,af,dirty,block,pxn,cont",
		  "normal", "pwuadhxc--", true, false, false, true },
		/* global (no nG), writable by AP (no rdonly): the kernel's */
		{ VMVIEW_KIND_PRESENT, VMVIEW_LEVEL_PTE,
		  A(VALID) | A(AF) | A(UXN), VMVIEW_MT_DEVICE_NGNRE,
		  "valid,af,uxn", "device-ngnre", "pw-a----g-", true, true,
		  true, false },
		/* PAGE_NONE: not valid, so no nG and no write */
		{ VMVIEW_KIND_PROTNONE, VMVIEW_LEVEL_PTE,
		  A(RDONLY) | A(AF) | A(PXN) | A(UXN) | A(PROTNONE),
		  VMVIEW_MT_NORMAL, "rdonly,af,pxn,uxn,protnone", "normal",
		  "n--a------", false, true, false, false },
		/* a memory type this CLI has no word for: its number */
		{ VMVIEW_KIND_PRESENT, VMVIEW_LEVEL_PTE, A(VALID) | A(AF), 7,
		  "valid,af", "7", "pw-a--x-g-", true, false, true, false },
	};
	struct vmview_pte rec = { .vaddr = 0x400000, .entry = 0x1, .pfn = 0x41234 };
	struct json_object *o;
	char l[11], row[512], where[512];
	struct vmv_pte p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		rec.meta = meta_of(t[i].kind, VMVIEW_ARCH_ARM64, t[i].level,
				   t[i].mt, t[i].flags);
		EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
		EXPECT_EQ(p.arch, VMVIEW_ARCH_ARM64);
		EXPECT_STREQ(p.flags, t[i].words);
		EXPECT_STREQ(p.mt, t[i].mtw);
		vmv_flag_letters(l, &p);
		EXPECT_STREQ(l, t[i].letters);
		EXPECT_EQ(vmv_pte_flag(&p, "rw"), t[i].rw);
		EXPECT_EQ(vmv_pte_flag(&p, "nx"), t[i].nx);
		EXPECT_EQ(vmv_pte_flag(&p, "global"), t[i].global);
		EXPECT_EQ(vmv_pte_flag(&p, "pse"), t[i].huge);
		EXPECT_EQ(vmv_pte_flag(&p, "accessed"), true);
		EXPECT_EQ(vmv_pte_flag(&p, "softdirty"), false);
		EXPECT_EQ(vmv_pte_flag(&p, "user"),
			  !!(t[i].flags & A(USER)));
		vmv_fmt_pte_row(row, sizeof(row), &p);
		snprintf(where, sizeof(where), " %s", t[i].mtw);
		EXPECT(strlen(row) > strlen(where) &&
		       !strcmp(row + strlen(row) - strlen(where), where));
		vmv_fmt_pte_where(where, sizeof(where), &p);
		EXPECT_HAS(where, " mt=");
		o = vmv_pte_json(&p);
		EXPECT_STREQ(jstr(o, "mt"), t[i].mtw);
		EXPECT_STREQ(jstr(o, "flags.0"), t[i].kind ==
			     VMVIEW_KIND_PROTNONE ? "rdonly" : "valid");
		json_object_put(o);
	}
	EXPECT_STREQ(vmv_write_word(VMVIEW_ARCH_ARM64), "dbm");
	EXPECT_STREQ(vmv_write_word(VMVIEW_ARCH_X86), "rw");

	/* the same bits tagged x86: x86's words, and no memory type */
	rec.meta = meta_of(VMVIEW_KIND_PRESENT, VMVIEW_ARCH_X86,
			   VMVIEW_LEVEL_PTE, 0, t[0].flags);
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_EQ(p.arch, VMVIEW_ARCH_X86);
	EXPECT_STREQ(p.flags, "present,user,pwt,pcd,accessed,pat,global");
	EXPECT_STREQ(p.mt, "");
	vmv_fmt_pte_row(row, sizeof(row), &p);
	EXPECT_HASNT(row, "normal");
	vmv_fmt_pte_where(where, sizeof(where), &p);
	EXPECT_HASNT(where, "mt=");
	o = vmv_pte_json(&p);
	EXPECT(jget(o, "mt") == NULL);
	json_object_put(o);
	/* a swap entry: the swap field is its type, not a memory type */
	rec.meta = meta_of(VMVIEW_KIND_SWAP, VMVIEW_ARCH_ARM64,
			   VMVIEW_LEVEL_PTE, 1, A(EXCLUSIVE));
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_STREQ(p.mt, "");
	EXPECT_EQ(p.swap_type, 1);
	EXPECT_STREQ(p.flags, "exclusive");
	vmv_flag_letters(l, &p);
	EXPECT_STREQ(l, "---------e");

	/* architectures this CLI does not know */
	rec.meta = meta_of(VMVIEW_KIND_PRESENT, VMVIEW_NR_ARCHS,
			   VMVIEW_LEVEL_PTE, 0, 0);
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), -EBADMSG);
	rec.meta = meta_of(VMVIEW_KIND_PRESENT, 15, VMVIEW_LEVEL_PTE, 0, 0);
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), -EBADMSG);
	rec.meta = 200 << VMVIEW_META_KIND_SHIFT;	/* kind 8, arch 12 */
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), -EBADMSG);
}

/*
 * A migration record carries its frame, so its swap offset (the frame
 * and, above it, the young and dirty bits) is read out of the entry by
 * arm64's decoder with the layout entry_format names: 6.12 keeps the
 * type in bits 6..10 and the offset from bit 12, 6.1 the type in bits
 * 3..7 and the offset from bit 8.  A record tagged arm64 is read as
 * arm64's whatever the kernel (6.12's layout when it is not arm64).
 */
UNIT_TEST(arm64_migration_offsets)
{
	const uint64_t offset = 0x30000012345ULL;
	const uint64_t e612 = 29ULL << 6 | offset << 12 | 1ULL << 2;
	const uint64_t e61 = 29ULL << 3 | offset << 8 | 1ULL << 2;
	struct vmview_pte rec = { .vaddr = 0x400000, .pfn = 0x12345 };
	char why[256];
	struct vmv_pte p;

	rec.meta = meta_of(VMVIEW_KIND_MIGRATION, VMVIEW_ARCH_ARM64,
			   VMVIEW_LEVEL_PTE, 29, A(EXCLUSIVE));
	EXPECT_EQ(set_paging(ARM64_4K, why, sizeof(why)), 0);
	rec.entry = e612;
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_STREQ(p.kind, "migration");
	EXPECT_EQ(p.swap_type, 29);
	EXPECT_EQ(p.swap_offset, offset);
	EXPECT_EQ(p.pfn, 0x12345);
	EXPECT_STREQ(p.flags, "exclusive");
	EXPECT_STREQ(p.mt, "");
	/* a THP's migration entry, at the pmd */
	rec.meta = meta_of(VMVIEW_KIND_MIGRATION, VMVIEW_ARCH_ARM64,
			   VMVIEW_LEVEL_PMD, 29, 0);
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_EQ(p.swap_offset, offset);
	rec.meta = meta_of(VMVIEW_KIND_MIGRATION, VMVIEW_ARCH_ARM64,
			   VMVIEW_LEVEL_PTE, 29, 0);
	/* 6.1's entry read as 6.12's would be nonsense */
	rec.entry = e61;
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT(p.swap_offset != offset);

	EXPECT_EQ(set_paging(ARM64_61, why, sizeof(why)), 0);
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_EQ(p.swap_offset, offset);
	rec.entry = e612;
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT(p.swap_offset != offset);

	/* on an x86 kernel, an arm64 record is still arm64's (6.12) */
	EXPECT_EQ(vmv_set_levels(4), 0);
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_EQ(p.swap_offset, offset);
	/* and an x86 record under arm64 paging x86-64's */
	EXPECT_EQ(set_paging(ARM64_4K, why, sizeof(why)), 0);
	rec.entry = (30ULL << 59) | (~(0x1234ULL << 9) & ((1ULL << 59) - 1) &
				      ~0x1ffULL);
	rec.meta = meta_of(VMVIEW_KIND_MIGRATION, VMVIEW_ARCH_X86,
			   VMVIEW_LEVEL_PTE, 30, 0);
	EXPECT_EQ(vmv_pte_from_rec(&rec, &p), 0);
	EXPECT_EQ(p.swap_offset, 0x1234);
}

/*
 * arm64 lines of PID/ptes: flags in arm64's words, mt= after them; read
 * as text and as the record beside them, the same row, words and JSON.
 */
UNIT_TEST(arm64_lines_with_mt)
{
	static const char * const lines_[] = {
		"0x0000aaaab0400000 pte 0x0020000041234fc3 present pfn=0x41234 flags=valid,user,rdonly,ng,af,sh,pxn mt=normal page=file,lru,referenced order=0 mapcount=2",
		"0x0000ffff9a400000 pte 0x006800004234af43 present pfn=0x4234a flags=valid,dbm,user,ng,af,dirty,sh,pxn,uxn mt=normal-tagged page=anon,lru,swapbacked order=0 mapcount=1",
		"0x0000ffff9a600000 pmd 0x0068000042400f41 present pfn=0x42400 flags=valid,dbm,user,ng,af,dirty,block,sh,pxn,uxn mt=normal page=anon,large order=9 mapcount=1",
		"0x0000ffff9a401000 pte 0x0060000041235f80 protnone pfn=0x41235 flags=rdonly,af,sh,pxn,uxn,protnone mt=normal",
		"0x0000ffff9b000000 pte 0x0068000010000703 present pfn=0x10000 flags=valid,dbm,ng,af,pxn,uxn mt=device-ngnrne",
		"0x0000ffff9a402000 pte 0x0000000000003004 swap pfn=- swap=0:0x3 flags=exclusive",
		"0x0000ffff9a403000 pte 0x0030000012345744 migration pfn=0x12345 swap=29:0x30000012345 flags=exclusive",
	};
	char a[512], b[512], l[11], why[256];
	struct vmv_pte t, r;
	struct vmview_pte rec;
	size_t i;

	EXPECT_EQ(set_paging(ARM64_4K, why, sizeof(why)), 0);
	EXPECT_EQ(vmv_parse_pte_line(lines_[0], &t), 0);
	EXPECT_EQ(t.arch, VMVIEW_ARCH_ARM64);
	EXPECT_STREQ(t.mt, "normal");
	EXPECT_STREQ(t.flags, "valid,user,rdonly,ng,af,sh,pxn");
	EXPECT_STREQ(t.page, "file,lru,referenced");
	EXPECT_EQ(t.mapcount, 2);
	vmv_flag_letters(l, &t);
	EXPECT_STREQ(l, "p-ua--x---");
	vmv_fmt_pte_where(a, sizeof(a), &t);
	EXPECT_STREQ(a, "pte present pfn=0x41234 flags=valid,user,rdonly,ng,af,sh,pxn mt=normal page=file,lru,referenced");
	vmv_fmt_pte_row(a, sizeof(a), &t);
	EXPECT_STREQ(a, "aaaab0400000  pte 0020000041234fc3 present  41234       p-ua--x--- file       2 normal");
	vmv_pte_header(b, sizeof(b));
	EXPECT_STREQ(b, "ADDRESS       LVL ENTRY            KIND     PFN/SWAP    FLAGS      PAGE    MAPS MT");

	for (i = 0; i < ARRAY_SIZE(lines_); i++) {
		EXPECT_EQ(vmv_parse_pte_line(lines_[i], &t), 0);
		rec = rec_of(&t);
		EXPECT_EQ(rec.meta >> VMVIEW_META_ARCH_SHIFT &
			  VMVIEW_META_ARCH_MASK, VMVIEW_ARCH_ARM64);
		EXPECT_EQ(vmv_pte_from_rec(&rec, &r), 0);
		EXPECT_STREQ(r.kind, t.kind);
		EXPECT_STREQ(r.flags, t.flags);
		EXPECT_STREQ(r.mt, t.mt);
		EXPECT_EQ(r.pfn, t.pfn);
		vmv_fmt_pte_row(a, sizeof(a), &t);
		vmv_fmt_pte_row(b, sizeof(b), &r);
		EXPECT_STREQ(b, a);
		vmv_fmt_pte_where(a, sizeof(a), &t);
		vmv_fmt_pte_where(b, sizeof(b), &r);
		EXPECT_STREQ(b, a);
		json_string_eq(vmv_pte_json(&r), vmv_pte_json(&t));
	}
	/* swap entries have no memory type: no MT column, no mt */
	vmv_parse_pte_line(lines_[5], &t);
	vmv_fmt_pte_row(a, sizeof(a), &t);
	EXPECT_STREQ(a, "ffff9a402000  pte 0000000000003004 swap     0:3         ---------e");
	/* an x86 line has no mt, and x86's header no MT */
	EXPECT_EQ(vmv_set_levels(4), 0);
	vmv_parse_pte_line("0x0000000000401000 pte 0x0000000012346025 present pfn=0x12346 flags=present,user,accessed page=file,lru,active order=0 mapcount=3", &t);
	EXPECT_EQ(t.arch, VMVIEW_ARCH_X86);
	EXPECT_STREQ(t.mt, "");
	vmv_pte_header(b, sizeof(b));
	EXPECT_STREQ(b, "ADDRESS       LVL ENTRY            KIND     PFN/SWAP    FLAGS      PAGE    MAPS");
}

UNIT_TEST(parse_verify_and_events)
{
	struct vmv_verify v;
	struct vmv_events ev;

	EXPECT_EQ(0, vmv_parse_verify("mismatch 0x00007f1234561000 walk=present:0x1234a:rw:4k shadow=none\n# 3 more mismatches not shown\nverify: checked=10 mismatches=4 resynced=2\n", &v));
	EXPECT_EQ(v.n, 1);
	EXPECT_STREQ(v.v[0].walk, "present:0x1234a:rw:4k");
	EXPECT_STREQ(v.v[0].shadow, "none");
	EXPECT_EQ(v.checked, 10);
	EXPECT_EQ(v.mismatches, 4);
	EXPECT_EQ(v.resynced, 2);
	vmv_verify_free(&v);
	EXPECT(vmv_parse_verify("mismatch 0x1 walk=none\n", &v));
	vmv_verify_free(&v);
	EXPECT(vmv_parse_verify("", &v));	/* no summary line */
	vmv_verify_free(&v);

	EXPECT_EQ(0, vmv_parse_events("# dropped: 7\n42 unmap 0x00007f1234400000-0x00007f1234600000\n43 soft_dirty 0x0000000000000000-0xffffffffffffffff\n", &ev));
	EXPECT_EQ(ev.dropped, 7);
	EXPECT_EQ(ev.n, 2);
	EXPECT_EQ(ev.v[0].seq, 42);
	EXPECT_STREQ(ev.v[0].event, "unmap");
	EXPECT_EQ(ev.v[0].end, 0x7f1234600000ULL);
	EXPECT_EQ(ev.v[1].end, ~0ULL);
	vmv_events_free(&ev);
	EXPECT(vmv_parse_events("x unmap 0x1-0x2\n", &ev));
	vmv_events_free(&ev);
}

UNIT_TEST(parse_addresses_and_ranges)
{
	uint64_t a, b;

	EXPECT(!vmv_parse_addr("0x10", &a) && a == 16);
	EXPECT(!vmv_parse_addr("16", &a) && a == 16);
	EXPECT(!vmv_parse_addr("0XfF", &a) && a == 255);
	EXPECT(vmv_parse_addr("0x", &a));
	EXPECT(vmv_parse_addr("abc", &a));
	EXPECT(vmv_parse_addr("12x", &a));
	EXPECT(vmv_parse_addr("-1", &a));
	EXPECT(vmv_parse_addr("", &a));
	EXPECT(vmv_parse_addr("0x10000000000000000", &a));
	EXPECT(!vmv_parse_range("400000-401000", &a, &b) &&
	      a == 0x400000 && b == 0x401000);
	EXPECT(!vmv_parse_range("0x1e6a000-0x1e6c000", &a, &b) &&
	      a == 0x1e6a000 && b == 0x1e6c000);
	EXPECT(vmv_parse_range("2-1", &a, &b));
	EXPECT(vmv_parse_range("1-1", &a, &b));
	EXPECT(vmv_parse_range("-5", &a, &b));
	EXPECT(vmv_parse_range("5-", &a, &b));
	EXPECT(vmv_parse_range("5", &a, &b));
	EXPECT(vmv_parse_range("g-h", &a, &b));
}

UNIT_TEST(flag_letters_and_words)
{
	struct vmv_pte p;
	char l[11];

	vmv_parse_pte_line("0x0000000000001000 pte 0x1 present pfn=0x1 flags=present,rw,user,accessed,dirty,softdirty", &p);
	vmv_flag_letters(l, &p);
	EXPECT_STREQ(l, "pwuad-xs--");
	vmv_parse_pte_line("0x0000000000001000 pmd 0x1 present pfn=0x1 flags=present,user,pse,nx,global", &p);
	vmv_flag_letters(l, &p);
	EXPECT_STREQ(l, "p-u--h--g-");
	vmv_parse_pte_line("0x0000000000001000 pte 0x1 protnone pfn=0x1 flags=protnone,nx", &p);
	vmv_flag_letters(l, &p);
	EXPECT_STREQ(l, "n---------");
	vmv_parse_pte_line("0x0000000000001000 pte 0x1 swap pfn=- swap=0:0x1 flags=exclusive,softdirty", &p);
	vmv_flag_letters(l, &p);
	EXPECT_STREQ(l, "-------s-e");
	EXPECT(vmv_has_word("a,bc,d", "bc"));
	EXPECT(!vmv_has_word("a,bcd", "bc"));
	EXPECT(!vmv_has_word("-", "rw"));
	EXPECT(!vmv_has_word("", "rw"));
}

/* --- symbolization, with an ELF built here ------------------------------ */

static char elf_path[300];
static uint64_t main_off, rodata_off;

/* Build a small program; find main's and .rodata's file offsets with nm/readelf. */
static int build_elf(void)
{
	char src[300], cmd[1024], line[512], name[64];
	uint64_t main_addr = 0, addr, off, text_addr = 0, text_off = 0;
	FILE *f;

	snprintf(src, sizeof(src), "%s/demo.c", root);
	snprintf(elf_path, sizeof(elf_path), "%s/usr/bin/demo", root);
	f = fopen(src, "w");
	if (!f)
		return -1;
	fputs("#include <stdio.h>\n"
	      "static const char msg[] = \"hello, page tables\";\n"
	      "int helper(int x) { return x * 3 + 1; }\n"
	      "int main(int argc, char **argv)\n"
	      "{\n\tint i, s = 0;\n\tfor (i = 0; i < argc; i++)\n"
	      "\t\ts += helper(i) + argv[i][0];\n"
	      "\tputs(msg);\n\treturn s;\n}\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/usr/bin && cc -O0 -g -o %s %s",
		 root, elf_path, src);
	if (system(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), "nm %s", elf_path);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNx64 " T %63s", &addr, name) == 2 &&
		    !strcmp(name, "main"))
			main_addr = addr;
	if (f)
		pclose(f);
	snprintf(cmd, sizeof(cmd), "readelf -SW %s", elf_path);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ']');

		if (!p || sscanf(p + 1, " %63s %*s %" SCNx64 " %" SCNx64, name,
				 &addr, &off) != 3)
			continue;
		if (!strcmp(name, ".text")) {
			text_addr = addr;
			text_off = off;
		} else if (!strcmp(name, ".rodata")) {
			rodata_off = off;
		}
	}
	if (f)
		pclose(f);
	if (!main_addr || !text_addr)
		return -1;
	main_off = text_off + (main_addr - text_addr);
	return 0;
}

UNIT_TEST(symbolize_an_elf_file)
{
	char buf[256], txt[300];

	new_tree();
	if (build_elf()) {
		UNIT_FAIL("could not build and inspect a test ELF (cc, nm, readelf)");
		return;
	}
	EXPECT_EQ(0, vmv_symbolize(elf_path, main_off + 0x1c, buf, sizeof(buf)));
	EXPECT_STREQ(buf, ".text main+0x1c");
	EXPECT_EQ(0, vmv_symbolize(elf_path, main_off, buf, sizeof(buf)));
	EXPECT_STREQ(buf, ".text main");
	EXPECT_EQ(0, vmv_symbolize(elf_path, rodata_off, buf, sizeof(buf)));
	EXPECT(!strncmp(buf, ".rodata", 7));
	/* the ELF header itself is in no section */
	EXPECT_EQ(-ENOENT, vmv_symbolize(elf_path, 0, buf, sizeof(buf)));
	/* not an ELF file; no such file: no symbol, no crash */
	snprintf(txt, sizeof(txt), "%s/demo.c", root);
	EXPECT_EQ(-ENOENT, vmv_symbolize(txt, 0x10, buf, sizeof(buf)));
	snprintf(txt, sizeof(txt), "%s/nonexistent", root);
	EXPECT_EQ(-ENOENT, vmv_symbolize(txt, 0x10, buf, sizeof(buf)));
	/* stripped: only .dynsym, which has no main, so the section alone */
	sh("strip -o %s/stripped %s", root, elf_path);
	snprintf(txt, sizeof(txt), "%s/stripped", root);
	EXPECT_EQ(0, vmv_symbolize(txt, main_off + 0x1c, buf, sizeof(buf)));
	EXPECT(!strncmp(buf, ".text", 5));
	EXPECT_HASNT(buf, "main");
	vmv_symbolize_cleanup();
}

UNIT_TEST(symbolize_in_ptes_and_translate)
{
	char text[2048];
	uint64_t page, vaddr, start = 0x400000;
	struct json_object *o;
	struct run r;

	new_tree();
	if (build_elf()) {
		UNIT_FAIL("could not build and inspect a test ELF");
		return;
	}
	page = main_off & ~0xfffULL;
	vaddr = start + (main_off + 0x1c - page);
	snprintf(text, sizeof(text),
		 "%08" PRIx64 "-%08" PRIx64 " r-xp %08" PRIx64 " 00:1f 100 rss=1 swap=0 thp=0 flags=read,exec /usr/bin/demo\n",
		 start, start + 0x1000, page);
	put("sys/kernel/debug/vmview/1234/vmas", text);
	snprintf(text, sizeof(text),
		 "0x%016" PRIx64 " pte 0x0000000012346025 present pfn=0x12346 flags=present,user,accessed page=file order=0 mapcount=1\n",
		 start);
	put_ptes(text);
	snprintf(text, sizeof(text),
		 "vaddr: 0x%016" PRIx64 "\nvma: 0x%016" PRIx64 "-0x%016" PRIx64 " r-xp\n"
		 "pgd[0x000] = 0x0000000011111067\npud[0x000] = 0x0000000022222067\n"
		 "pmd[0x002] = 0x0000000033333067\npte[0x000] = 0x0000000012346025\n"
		 "leaf: 0x%016" PRIx64 " pte 0x0000000012346025 present pfn=0x12346 flags=present,user,accessed page=file order=0 mapcount=1\n"
		 "phys: 0x%016" PRIx64 "\n", vaddr, start, start + 0x1000, start,
		 0x12346000 + (vaddr & 0xfff));
	put("sys/kernel/debug/vmview/1234/translate", text);

	r = RUN("--symbolize", "ptes", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "SYMBOL");
	EXPECT_HAS(r.out, " .");
	run_free(&r);
	snprintf(text, sizeof(text), "0x%" PRIx64, vaddr);
	r = RUN_FAKE("translate:write:drop", "--symbolize", "translate",
		     "1234", text);
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "symbol .text main+0x1c");
	run_free(&r);
	r = RUN_FAKE("translate:write:drop", "-j", "--symbolize", "translate",
		     "1234", text);
	o = parse_json(r.out);
	EXPECT_STREQ(jstr(o, "symbol"), ".text main+0x1c");
	json_object_put(o);
	run_free(&r);
	r = RUN("-j", "--symbolize", "ptes", "1234");
	o = parse_json(r.out);
	EXPECT(jstr(o, "ptes.0.symbol") && jstr(o, "ptes.0.symbol")[0] == '.');
	json_object_put(o);
	run_free(&r);
}

/* --- the command line ---------------------------------------------------- */

UNIT_TEST(help_usage_and_version)
{
	struct run r;

	new_tree();
	r = RUN("-h");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "Usage: vmview-cli");
	EXPECT_EQ(strlen(r.err), 0);
	EXPECT(widest(r.out, NULL) <= 80);
	run_free(&r);
	r = run_ex(NULL, NULL, 0, 0, (const char *const[]){ NULL });
	EXPECT_EQ(r.status, 2);
	EXPECT_HAS(r.err, "Usage:");
	run_free(&r);
	r = RUN("help", "ptes");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "--kind KIND");
	run_free(&r);
	r = RUN("translate", "--help");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "translate PID ADDR");
	run_free(&r);
	r = RUN("help", "nothing");
	EXPECT_EQ(r.status, 2);
	run_free(&r);
	r = RUN("-V");
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(r.out, "vmview-cli " VMV_CLI_VERSION "\n");
	run_free(&r);
	r = RUN("-j", "--version");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "{\"version\":\"" VMV_CLI_VERSION "\"}");
	run_free(&r);
}

UNIT_TEST(commands_by_prefix)
{
	struct run r;

	new_tree();
	r = RUN("bogus", "1234");
	EXPECT_EQ(r.status, 2);
	EXPECT_HAS(r.err, "unknown command 'bogus'");
	run_free(&r);
	r = RUN("ma", "1234");
	EXPECT_EQ(r.status, 2);
	EXPECT_HAS(r.err, "ambiguous (maps, map)");
	run_free(&r);
	r = RUN("map", "1234");		/* exact beats prefix of maps */
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "PAGES");
	run_free(&r);
	r = RUN("su", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "pid          1234 (demo)");
	run_free(&r);
	r = RUN("1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "pid          1234 (demo)");
	run_free(&r);
	r = RUN("-j", "ev", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "\"events\"");
	run_free(&r);
	r = RUN("__targ");		/* hidden, never by prefix */
	EXPECT_EQ(r.status, 2);
	run_free(&r);
	r = RUN("__target");		/* by hand: no pipes */
	EXPECT_EQ(r.status, 2);
	EXPECT_HAS(r.err, "run by 'vmview-cli faults'");
	run_free(&r);
}

UNIT_TEST(bad_options_and_arguments)
{
	static const char *const bad[][5] = {
		{ "--color=sometimes", "1234" },
		{ "--interval", "5", "events", "1234" },
		{ "--follow", "maps", "1234" },
		{ "--kind", "swap", "summary", "1234" },
		{ "--nope", "1234" },
		{ "maps", "1234", "-o" },
		{ "summary" },
		{ "summary", "abc" },
		{ "summary", "0" },
		{ "summary", "4194305" },
		{ "summary", "1234", "5" },
		{ "translate", "1234" },
		{ "faults", "extra" },
		{ "faults", "--scenario", "9" },
		{ "ptes", "--kind", "nope", "1234" },
	};
	struct run r;
	size_t i;

	new_tree();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = run_ex(NULL, NULL, 0, 0, bad[i]);
		if (r.status != 2 || !*r.err || lines(r.err) != 1)
			UNIT_FAIL("'%s %s %s' should be a one-line usage error (2), got %d: %s",
			     bad[i][0], bad[i][1] ? bad[i][1] : "",
			     bad[i][1] && bad[i][2] ? bad[i][2] : "",
			     r.status, r.err);
		run_free(&r);
	}
	/* nothing was tracked by any of them */
	EXPECT_STREQ(get("sys/kernel/debug/vmview/track"), "");
}

/* --- errors: one line, what to do, its own exit code ---------------------- */

static void check_error(struct run *r, int code, const char *name,
			const char *words)
{
	EXPECT_EQ(r->status, code);
	EXPECT_EQ(lines(r->err), 1);
	EXPECT_HAS(r->err, words);
	EXPECT_STREQ(r->out, "");
	(void)name;
}

static void check_json_error(struct run *r, int code, const char *name)
{
	struct json_object *o = parse_json(r->out);

	EXPECT_EQ(r->status, code);
	EXPECT_EQ(jint(o, "error.code"), code);
	EXPECT_STREQ(jstr(o, "error.name"), name);
	EXPECT(jstr(o, "error.message") && *jstr(o, "error.message"));
	EXPECT_STREQ(r->err, "");
	json_object_put(o);
}

UNIT_TEST(error_module_not_loaded)
{
	struct run r;

	new_tree();
	rm("proc/vmview");
	r = RUN("1234");
	check_error(&r, 4, "module_not_loaded", "insmod vmview.ko");
	run_free(&r);
	r = RUN("-j", "maps", "1234");
	check_json_error(&r, 4, "module_not_loaded");
	run_free(&r);
	r = RUN("faults");
	check_error(&r, 4, "module_not_loaded", "not loaded");
	run_free(&r);
}

UNIT_TEST(error_debugfs_not_mounted)
{
	struct run r;

	new_tree();
	rm("sys/kernel/debug/vmview");
	r = RUN("ptes", "1234");
	check_error(&r, 5, "debugfs_not_mounted", "mount -t debugfs");
	run_free(&r);
	r = RUN("-p", "ptes", "1234");
	check_json_error(&r, 5, "debugfs_not_mounted");
	run_free(&r);
	sh("sed -i 's|^debugfs:.*|debugfs: unavailable (error -19)|' %s/proc/vmview",
	   root);
	r = RUN("ptes", "1234");
	check_error(&r, 5, "debugfs_not_mounted", "error -19");
	run_free(&r);
}

UNIT_TEST(error_not_root)
{
	char cmd[1024];
	int status;

	if (geteuid() != 0 || system("command -v setpriv >/dev/null")) {
		printf("# skipped: needs root and setpriv\n");
		return;
	}
	new_tree();
	/* debugfs is 0700 root: a user cannot even look inside */
	sh("chmod 0700 %s/sys/kernel/debug", root);
	snprintf(cmd, sizeof(cmd),
		 "VMVIEW_ROOT=%s setpriv --reuid=65534 --regid=65534 --clear-groups %s summary 1234 >%s.out 2>%s.err",
		 root, CLI, root, root);
	status = system(cmd);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 3);
	snprintf(cmd, sizeof(cmd), "%s.err", root);
	EXPECT_HAS(slurp(cmd), "need root");
	snprintf(cmd, sizeof(cmd), "rm -f %s.out %s.err", root, root);
	sh("%s", cmd);
}

UNIT_TEST(error_not_root_from_track)
{
	struct run r;

	new_tree();
	r = RUN_FAKE("vmview/track:write:EPERM", "1234");
	check_error(&r, 3, "not_root", "root");
	run_free(&r);
	r = RUN_FAKE("1234/mm:open:EACCES", "1234");
	check_error(&r, 3, "not_root", "root");
	run_free(&r);
}

UNIT_TEST(error_no_such_pid)
{
	struct run r;

	new_tree();
	r = RUN("maps", "999");
	check_error(&r, 6, "no_such_pid", "no process with PID 999");
	run_free(&r);
	r = RUN("-j", "maps", "999");
	check_json_error(&r, 6, "no_such_pid");
	run_free(&r);
	/* it exits between the /proc check and the track write */
	r = RUN_FAKE("vmview/track:write:ESRCH", "maps", "1234");
	check_error(&r, 6, "no_such_pid", "ESRCH");
	run_free(&r);
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "");
}

UNIT_TEST(error_kernel_thread)
{
	struct run r;

	new_tree();
	r = RUN("2");
	check_error(&r, 7, "kernel_thread", "kernel thread");
	EXPECT_HAS(r.err, "kthreadd");
	run_free(&r);
	r = RUN("-j", "2");
	check_json_error(&r, 7, "kernel_thread");
	run_free(&r);
	/* what the module says for a PID without an mm */
	r = RUN_FAKE("vmview/track:write:EINVAL", "1234");
	check_error(&r, 7, "kernel_thread", "kernel thread");
	run_free(&r);
	EXPECT_STREQ(get("sys/kernel/debug/vmview/track"), "");
}

UNIT_TEST(error_bad_address)
{
	struct run r;

	new_tree();
	r = RUN("translate", "1234", "xyz");
	check_error(&r, 8, "bad_address", "bad address 'xyz'");
	run_free(&r);
	r = RUN("translate", "1234", "0xffff888000000000");
	check_error(&r, 8, "bad_address", "not a user address");
	run_free(&r);
	r = RUN_FAKE("translate:write:EINVAL", "translate", "1234", "0x1000");
	check_error(&r, 8, "bad_address", "EINVAL");
	run_free(&r);
	r = RUN("-j", "translate", "1234", "12x");
	check_json_error(&r, 8, "bad_address");
	run_free(&r);
	r = RUN("ptes", "--range", "5-1", "1234");
	check_error(&r, 8, "bad_address", "bad range");
	run_free(&r);
	r = RUN("verify", "--range", "x-y", "1234");
	check_error(&r, 8, "bad_address", "bad range");
	run_free(&r);
	r = RUN_FAKE("verify:write:EINVAL", "verify", "--range", "1-2", "1234");
	check_error(&r, 8, "bad_address", "refused");
	run_free(&r);
}

UNIT_TEST(error_target_exited)
{
	struct run r;

	new_tree();
	r = RUN_FAKE("1234/mm:read:ESRCH", "1234");
	check_error(&r, 9, "target_exited", "exited");
	run_free(&r);
	r = RUN_FAKE("1234/ptes.bin:read:ESRCH", "-j", "ptes", "1234");
	check_json_error(&r, 9, "target_exited");
	run_free(&r);
	/* untracked all the same */
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "1234\n");
	/* EIO while the process is still there: the directory went away */
	r = RUN_FAKE("1234/vmas:read:EIO", "maps", "1234");
	check_error(&r, 1, "failed", "being removed");
	run_free(&r);
}

UNIT_TEST(error_module_lacks_file)
{
	struct run r;

	new_tree();
	rm("sys/kernel/debug/vmview/1234/verify");
	r = RUN("verify", "1234");
	check_error(&r, 10, "module_lacks_feature", "newer vmview.ko");
	run_free(&r);
	rm("sys/kernel/debug/vmview/1234/events");
	r = RUN("-j", "events", "1234");
	check_json_error(&r, 10, "module_lacks_feature");
	run_free(&r);
	/* a module older than ptes.bin */
	rm(PTES ".bin");
	r = RUN("ptes", "1234");
	check_error(&r, 10, "module_lacks_feature", "ptes.bin");
	run_free(&r);
}

/* --- tracking ----------------------------------------------------------- */

UNIT_TEST(track_and_untrack)
{
	struct run r;

	new_tree();
	r = RUN("maps", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(get("sys/kernel/debug/vmview/track"), "1234\n");
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "1234\n");
	run_free(&r);
	drop_tree();

	/* tracked by someone else: used, then left tracked */
	new_tree();
	r = RUN_FAKE("vmview/track:write:EEXIST", "maps", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "");
	EXPECT_HASNT(r.log, "untrack");
	run_free(&r);
	/* tracking succeeded but no directory appeared */
	rm("sys/kernel/debug/vmview/1234");
	r = RUN("maps", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_HAS(r.err, "did not create");
	run_free(&r);
}

static void untrack_on(int sig)
{
	struct run r;

	new_tree();
	r = run_ex(NULL, NULL, 200, sig, (const char *const[]){
		"events", "--follow", "--interval", "50", "1234", NULL });
	EXPECT_EQ(r.status, 128 + sig);
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "1234\n");
	EXPECT_HAS(r.out, "protection_vma");
	run_free(&r);
}

UNIT_TEST(untrack_on_sigterm)
{
	untrack_on(SIGTERM);
}

UNIT_TEST(untrack_on_sigint)
{
	untrack_on(SIGINT);
}

UNIT_TEST(untrack_on_sigpipe)
{
	int p[2], status = 0, i;
	char c;
	pid_t pid;

	new_tree();
	if (pipe(p)) {
		UNIT_FAIL("pipe");
		return;
	}
	pid = fork();
	if (!pid) {
		dup2(p[1], 1);
		close(p[0]);
		setenv("VMVIEW_ROOT", root, 1);
		execl(CLI, CLI, "events", "--follow", "--interval", "20",
		      "1234", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* the reader goes away after one byte ... */
	EXPECT_EQ(read(p[0], &c, 1), 1);
	close(p[0]);
	/* ... and the next event the CLI prints hits a closed pipe */
	sh("echo '9 clear 0x0000000000400000-0x0000000000401000' >> %s/sys/kernel/debug/vmview/1234/events",
	   root);
	for (i = 0; i < 300 && !waitpid(pid, &status, WNOHANG); i++)
		usleep(10000);
	if (i == 300) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		UNIT_FAIL("the CLI did not die of SIGPIPE");
	}
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "1234\n");
}

/* --- each command's output ------------------------------------------------ */

UNIT_TEST(summary_text)
{
	struct run r;

	new_tree();
	r = RUN("summary", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "pid          1234 (demo)\n");
	EXPECT_HAS(r.out, "paging       4-level, pgd (CR3) at 0x0000000001234000\n");
	EXPECT_HAS(r.out, "36K in tables: pud 3, pmd 3, pte 2, +1 deposited\n");
	EXPECT_HAS(r.out, "walk finds 36K, the kernel counts 36K: agree");
	EXPECT_HAS(r.out, "resident     2M: anon 2M, file 12K, shmem 0B\n");
	EXPECT_HAS(r.out, "swap         4K\n");
	EXPECT_HAS(r.out, "1 PMD leaf (2M); THP mode: always");
	EXPECT_HAS(r.out, "START          SIZE    RSS   SWAP THP PERM NAME\n");
	EXPECT_HAS(r.out, "000001e6a000   132K     8K     4K   0 rw-p [heap]\n");
	EXPECT_HAS(r.out, "7f0000000000     4M     2M     0B   1 rw-p\n");
	EXPECT(widest(r.out, "spaces") <= 80);
	EXPECT_EQ(strlen(r.err), 0);
	run_free(&r);
	/* the walk and the kernel disagree: said so */
	sh("sed -i 's/^walk_pgtables_bytes:.*/walk_pgtables_bytes: 32768/' %s/sys/kernel/debug/vmview/1234/mm",
	   root);
	r = RUN("1234");
	EXPECT_HAS(r.out, "walk finds 32K, the kernel counts 36K: differ");
	run_free(&r);
}

UNIT_TEST(summary_json)
{
	struct json_object *o;
	struct run r;

	new_tree();
	r = RUN("-j", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(lines(r.out), 1);
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "pid"), 1234);
	EXPECT_STREQ(jstr(o, "comm"), "demo");
	EXPECT_EQ(jint(o, "levels"), 4);
	EXPECT_EQ(jint(o, "pgtables_bytes"), 36864);
	EXPECT_EQ(jint(o, "walk_pgtables_bytes"), 36864);
	EXPECT_EQ(jint(o, "tables.pte"), 2);
	EXPECT_EQ(jint(o, "tables.deposited"), 1);
	EXPECT_EQ(jint(o, "rss.anon_bytes"), 518 * 4096);
	EXPECT_EQ(jint(o, "rss.total_bytes"), 521 * 4096);
	EXPECT_EQ(jint(o, "swap_bytes"), 4096);
	EXPECT_EQ(jint(o, "thp_pmds"), 1);
	EXPECT_STREQ(jstr(o, "thp_enabled"), "always");
	EXPECT_EQ(jint(o, "mm.total_vm"), 263204);
	EXPECT_STREQ(jstr(o, "mm.pgd"), "0x0000000001234000");
	EXPECT_EQ(jlen(o, "vmas"), 9);
	EXPECT_STREQ(jstr(o, "vmas.6.name"), "/tmp/a file with spaces (deleted)");
	EXPECT_STREQ(jstr(o, "vmas.4.start"), "0x7f0000000000");
	EXPECT_EQ(jint(o, "vmas.4.thp_pmds"), 1);
	EXPECT_EQ(jint(o, "vmas.4.size_bytes"), 4 << 20);
	EXPECT_STREQ(jstr(o, "vmas.4.flags.6"), "hugepage");
	json_object_put(o);
	run_free(&r);
}

UNIT_TEST(maps_columns)
{
	struct json_object *o;
	struct run r;

	new_tree();
	r = RUN("maps", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(lines(r.out), 10);
	EXPECT_HAS(r.out, "START        END            SIZE PERM    RSS   SWAP THP NAME\n");
	EXPECT_HAS(r.out, "000000401000 000000402000     4K r-xp     4K     0B   0 /usr/bin/demo\n");
	EXPECT(widest(r.out, "spaces") <= 80);
	run_free(&r);
	r = RUN("maps", "-o", "start,Name,flags", "-n", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(lines(r.out), 9);
	EXPECT_HAS(r.out, "7ffd12340000 [stack]                           read,write,mayread,maywrite,mayexec,growsdown,account\n");
	run_free(&r);
	r = RUN("maps", "--output", "OFFSET,DEV,INODE,SIZE", "1234");
	EXPECT_HAS(r.out, "00002000 00:1f      100     8K\n");
	run_free(&r);
	r = RUN("maps", "-o", "START,BOGUS", "1234");
	EXPECT_EQ(r.status, 2);
	EXPECT_HAS(r.err, "unknown column 'BOGUS'");
	run_free(&r);
	r = RUN("-j", "maps", "1234");
	o = parse_json(r.out);
	EXPECT_EQ(jlen(o, "vmas"), 9);
	EXPECT_STREQ(jstr(o, "vmas.0.perms"), "r--p");
	EXPECT_EQ(jint(o, "vmas.2.offset"), 0x2000);
	EXPECT_STREQ(jstr(o, "vmas.2.dev"), "00:1f");
	EXPECT_EQ(jint(o, "vmas.3.swap_pages"), 1);
	EXPECT_STREQ(jstr(o, "vmas.4.name"), "");
	json_object_put(o);
	run_free(&r);
}

/*
 * ptes writes its rows and its JSON with write(2), not through stdio: a
 * write that fails (ENOSPC on /dev/full) is an error with its reason and
 * exit status 1, not a silent success.  (With -j the error is an object
 * on stdout, which is full: the exit status says it.)
 */
UNIT_TEST(ptes_write_error)
{
	const char *mode[] = { "", "-j" };
	char cmd[1024];
	int i, status;

	new_tree();
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd),
			 "VMVIEW_ROOT=%s %s %s ptes 1234 >/dev/full 2>%s.err",
			 root, CLI, mode[i], root);
		status = system(cmd);
		EXPECT(WIFEXITED(status));
		EXPECT_EQ(WEXITSTATUS(status), 1);
		snprintf(cmd, sizeof(cmd), "%s.err", root);
		if (!*mode[i])
			EXPECT_HAS(slurp(cmd), "writing the entries: No space left on device");
	}
	sh("rm -f %s.err", root);
}

/*
 * ptes prints entries as it reads them from ptes.bin, 64 KiB (2048
 * records) at a time: 3000 records (94 KiB, two reads) all come out, in
 * order; --range stops early; a read that fails half-way (ESRCH on the
 * second read) leaves the rows printed so far and, with -j, a complete
 * JSON document before the error's.
 */
UNIT_TEST(ptes_streamed)
{
	const int n = 3000;
	struct json_object *o;
	char *text, *p, path[512];
	struct run r;
	size_t len;
	int i;

	new_tree();
	text = malloc((size_t)n * 200);
	EXPECT(text != NULL);
	if (!text)
		return;
	p = text;
	p += sprintf(p, "# header\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "0x%016llx pte 0x80000000%08llx867 present pfn=0x%llx flags=present,rw,user,accessed,dirty,nx page=anon,lru,swapbacked order=0 mapcount=1%s",
			     0x7f0000000000ULL + (unsigned long long)i * 4096,
			     0x100000ULL + i, 0x100000ULL + i,
			     i == n - 1 ? "" : "\n");
	put_ptes(text);
	free(text);
	snprintf(path, sizeof(path), "%s/" PTES ".bin", root);
	EXPECT_EQ(vmv_read_path(path, &text, &len), 0);
	EXPECT_EQ(len, n * sizeof(struct vmview_pte));
	EXPECT(len > 65536);
	free(text);

	r = RUN("ptes", "-n", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(lines(r.out), n);
	EXPECT(!strncmp(r.out, "7f0000000000 ", 13));
	EXPECT_HAS(r.out, "\n7f0000bb7000 ");	/* the last, entry 2999 */
	run_free(&r);
	r = RUN("-j", "ptes", "1234");
	o = parse_json(r.out);
	EXPECT_EQ(jlen(o, "ptes"), n);
	EXPECT_STREQ(jstr(o, "ptes.2999.pfn"), "0x100bb7");
	json_object_put(o);
	run_free(&r);
	r = RUN("ptes", "-n", "--range", "7f0000001000-7f0000003000", "1234");
	EXPECT_EQ(lines(r.out), 2);
	run_free(&r);
	/* stopped early, the JSON is still one document */
	r = RUN("-j", "ptes", "--range", "7f0000001000-7f0000003000", "1234");
	EXPECT_EQ(r.status, 0);
	o = parse_json(r.out);
	EXPECT_EQ(jlen(o, "ptes"), 2);
	EXPECT_STREQ(jstr(o, "ptes.1.vaddr"), "0x7f0000002000");
	EXPECT_EQ(lines(r.out), 1);
	json_object_put(o);
	run_free(&r);

	r = RUN_FAKE("1234/ptes.bin:read:ESRCH@2", "ptes", "-n", "1234");
	EXPECT_EQ(r.status, 9);
	EXPECT(lines(r.out) > 0 && lines(r.out) < n);
	EXPECT_HAS(r.err, "exited");
	run_free(&r);
	r = RUN_FAKE("1234/ptes.bin:read:ESRCH@2", "-j", "ptes", "1234");
	EXPECT_EQ(r.status, 9);
	p = strstr(r.out, "]}\n{\"error\":");
	EXPECT(p != NULL);
	if (p) {
		char *first = strndup(r.out, p + 2 - r.out);

		o = parse_json(first);
		EXPECT(jlen(o, "ptes") > 0 && jlen(o, "ptes") < n);
		json_object_put(o);
		free(first);
		o = parse_json(p + 3);
		EXPECT_EQ(jint(o, "error.code"), 9);
		json_object_put(o);
	}
	run_free(&r);
}

UNIT_TEST(ptes_rows_and_filters)
{
	struct json_object *o;
	struct run r;

	new_tree();
	r = RUN("ptes", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(lines(r.out), 14);
	EXPECT_HAS(r.out, "ADDRESS       LVL ENTRY            KIND     PFN/SWAP    FLAGS      PAGE    MAPS\n");
	EXPECT_HAS(r.out, "000001e6c000  pte 7ffffffffffff900 swap     0:3         ---------e\n");
	EXPECT_HAS(r.out, "7f0000000000  pmd 80000000234008e7 present  23400       pwuadh---- anon:9     1\n");
	EXPECT_HAS(r.out, "000001e6b000  pte 8000000003c00225 present  3c00        p-ua------ zero       0\n");
	EXPECT(widest(r.out, NULL) <= 80);
	run_free(&r);
	r = RUN("ptes", "--kind", "swap", "-n", "1234");
	EXPECT_EQ(lines(r.out), 1);
	run_free(&r);
	r = RUN("ptes", "--range", "1e6a000-1e6c000", "-n", "1234");
	EXPECT_EQ(lines(r.out), 2);
	EXPECT_HAS(r.out, "000001e6a000");
	EXPECT_HAS(r.out, "000001e6b000");
	run_free(&r);
	/* a range inside a PMD leaf shows the leaf */
	r = RUN("ptes", "--range", "0x7f0000100000-0x7f0000101000", "-n", "1234");
	EXPECT_EQ(lines(r.out), 1);
	EXPECT_HAS(r.out, " pmd ");
	run_free(&r);
	r = RUN("-j", "ptes", "--kind", "present", "--range", "0-2000000", "1234");
	o = parse_json(r.out);
	EXPECT_EQ(jlen(o, "ptes"), 7);
	EXPECT_STREQ(jstr(o, "ptes.0.vaddr"), "0x400000");
	EXPECT_STREQ(jstr(o, "ptes.0.entry"), "0x8000000012345025");
	EXPECT_STREQ(jstr(o, "ptes.0.pfn"), "0x12345");
	EXPECT_STREQ(jstr(o, "ptes.0.page.flags.0"), "file");
	EXPECT_EQ(jint(o, "ptes.0.page.mapcount"), 2);
	EXPECT_STREQ(jstr(o, "ptes.5.flags.4"), "special");
	json_object_put(o);
	run_free(&r);
	r = RUN("-j", "ptes", "--kind", "swap", "1234");
	o = parse_json(r.out);
	EXPECT(jget(o, "ptes.0.pfn") == NULL);
	EXPECT_EQ(jint(o, "ptes.0.swap.type"), 0);
	EXPECT_STREQ(jstr(o, "ptes.0.swap.offset"), "0x3");
	EXPECT(jget(o, "ptes.0.page") == NULL);
	json_object_put(o);
	run_free(&r);
	/*
	 * --json prints the entries one at a time (a process has millions):
	 * byte for byte what json-c prints for the whole tree, plain and
	 * pretty, with and without entries.
	 */
	{
		static const char * const kinds[] = { "present", "marker" };
		int k, pretty;

		for (k = 0; k < 2; k++) {
			for (pretty = 0; pretty < 2; pretty++) {
				int fl = JSON_C_TO_STRING_NOSLASHESCAPE |
					 (pretty ? JSON_C_TO_STRING_PRETTY |
						   JSON_C_TO_STRING_SPACED :
						   JSON_C_TO_STRING_PLAIN);
				char *want;

				r = pretty ? RUN("-j", "-p", "ptes", "--kind",
						 kinds[k], "1234") :
					     RUN("-j", "ptes", "--kind",
						 kinds[k], "1234");
				EXPECT_EQ(r.status, 0);
				o = parse_json(r.out);
				EXPECT(o != NULL);
				EXPECT_EQ(jlen(o, "ptes"), k ? 0 : 12);
				want = strdup(
					json_object_to_json_string_ext(o, fl));
				EXPECT(!strncmp(r.out, want, strlen(want)));
				EXPECT_STREQ(r.out + strlen(want), "\n");
				free(want);
				json_object_put(o);
				run_free(&r);
			}
		}
	}
}

/*
 * ptes.bin, read the way the module serves it: records cut across reads
 * come out whole; a file that ends inside a record, or a record of a
 * kind or level this CLI does not know, is an error that says so (after
 * the rows before it, the JSON closed).
 */
UNIT_TEST(ptes_bin_records)
{
	struct vmview_pte bad = { .vaddr = 0x7ffd12500000ULL };
	struct json_object *o;
	struct run r, whole;
	char *p;

	new_tree();
	whole = RUN("-n", "ptes", "1234");
	EXPECT_EQ(whole.status, 0);
	EXPECT_EQ(lines(whole.out), 13);
	r = RUN_FAKE("1234/ptes.bin:read:short", "-n", "ptes", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(r.out, whole.out);
	run_free(&r);

	put_bytes(PTES ".bin", "\1\2\3\4\5", 5, "a");
	r = RUN("-n", "ptes", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_STREQ(r.out, whole.out);
	EXPECT_HAS(r.err, "ptes.bin ends inside a record");
	run_free(&r);
	r = RUN("-j", "ptes", "1234");
	EXPECT_EQ(r.status, 1);
	p = strstr(r.out, "]}\n{\"error\":");
	EXPECT(p != NULL);
	if (p) {
		p[2] = '\0';
		o = parse_json(r.out);
		EXPECT_EQ(jlen(o, "ptes"), 13);
		json_object_put(o);
	}
	run_free(&r);

	/*
	 * a fresh tree: the records, then one of an unknown kind; 200 in
	 * the low byte, once a kind, is kind 8 of architecture 12 since
	 * the record has an arch field (bits 4..7): unknown all the same
	 */
	drop_tree();
	new_tree();
	bad.meta = 200 << VMVIEW_META_KIND_SHIFT;
	put_bytes(PTES ".bin", &bad, sizeof(bad), "a");
	r = RUN("-n", "ptes", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_STREQ(r.out, whole.out);
	EXPECT_HAS(r.err, "record 14 of ptes.bin has an unknown arch (12)");
	EXPECT_EQ(lines(r.err), 1);
	run_free(&r);
	r = RUN("map", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_HAS(r.err, "unknown arch (12)");
	run_free(&r);
	bad.meta = 15 << VMVIEW_META_KIND_SHIFT;
	put_bytes(PTES ".bin", &bad, sizeof(bad), "w");
	r = RUN("ptes", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_HAS(r.err, "record 1 of ptes.bin has an unknown kind (15)");
	run_free(&r);
	bad.meta = (uint64_t)VMVIEW_KIND_PRESENT << VMVIEW_META_KIND_SHIFT |
		   9 << VMVIEW_META_LEVEL_SHIFT;
	put_bytes(PTES ".bin", &bad, sizeof(bad), "w");
	r = RUN("ptes", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_HAS(r.err, "record 1 of ptes.bin has an unknown level (9)");
	run_free(&r);
	run_free(&whole);
}

/*
 * A record says what its line says: each line below, read as text and
 * as the record the module writes beside it, gives the same row, words
 * and JSON.  Migration, device and hwpoison records carry the frame, so
 * the swap offset (with a migration entry's young and dirty bits above
 * the frame) comes from the entry.
 */
UNIT_TEST(ptes_record_is_its_line)
{
	static const struct {
		const char *kind;
		unsigned int type;
		uint64_t offset, pfn;
		const char *rest;
	} swp[] = {
		{ "swap", 1, 0x3f, VMVIEW_NO_PFN, "flags=softdirty,exclusive" },
		{ "migration", 29, 0x30000012345ULL, 0x12345, "flags=-" },
		{ "device-private", 27, 0x777, 0x777, "flags=uffd-wp" },
		{ "hwpoison", 30, 0x4242, 0x4242, "flags=-" },
		{ "marker", 31, 0x1, VMVIEW_NO_PFN, "flags=-" },
	};
	static const char * const plain[] = {
		"0x00007f0000000000 pud 0x80000000400008e7 present pfn=0x40000 flags=present,rw,user,accessed,dirty,pse,nx page=anon,large order=18 mapcount=1",
		"0x0000000000400000 pte 0x8000000012345024 protnone pfn=0x12345 flags=user,accessed,nx,protnone page=file,lru,active,referenced order=2 mapcount=7",
		"0x0000000000401000 pte 0x0000000012346025 present pfn=0x12346 flags=present,user,accessed,global page=- order=0 mapcount=0",
	};
	char line[512], a[512], b[512];
	struct vmv_pte t, r;
	struct vmview_pte rec;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(swp) + ARRAY_SIZE(plain); i++) {
		if (i < ARRAY_SIZE(swp)) {
			uint64_t entry = (~swp[i].offset << 14 >> 5) |
					 (uint64_t)swp[i].type << 59;
			char pfn[24] = "-";

			if (swp[i].pfn != VMVIEW_NO_PFN)
				snprintf(pfn, sizeof(pfn), "0x%" PRIx64,
					 swp[i].pfn);
			snprintf(line, sizeof(line),
				 "0x00007f1234561000 pte 0x%016" PRIx64 " %s pfn=%s swap=%u:0x%" PRIx64 " %s",
				 entry, swp[i].kind, pfn, swp[i].type,
				 swp[i].offset, swp[i].rest);
		} else {
			snprintf(line, sizeof(line), "%s",
				 plain[i - ARRAY_SIZE(swp)]);
		}
		EXPECT_EQ(vmv_parse_pte_line(line, &t), 0);
		rec = rec_of(&t);
		EXPECT_EQ(vmv_pte_from_rec(&rec, &r), 0);
		EXPECT_STREQ(r.kind, t.kind);
		EXPECT_STREQ(r.level, t.level);
		EXPECT_STREQ(r.flags, t.flags);
		EXPECT_STREQ(r.page, t.page);
		EXPECT_EQ(r.pfn, t.pfn);
		EXPECT_EQ(r.swap_offset, t.swap_offset);
		vmv_fmt_pte_row(a, sizeof(a), &t);
		vmv_fmt_pte_row(b, sizeof(b), &r);
		EXPECT_STREQ(b, a);
		vmv_fmt_pte_where(a, sizeof(a), &t);
		vmv_fmt_pte_where(b, sizeof(b), &r);
		EXPECT_STREQ(b, a);
		json_string_eq(vmv_pte_json(&r), vmv_pte_json(&t));
	}
	rec.meta = VMVIEW_NR_KINDS << VMVIEW_META_KIND_SHIFT;
	EXPECT_EQ(vmv_pte_from_rec(&rec, &r), -EBADMSG);
}

UNIT_TEST(translate_4level)
{
	struct json_object *o;
	struct run r;

	new_tree();
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0x1e6a123");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.log, "/sys/kernel/debug/vmview/1234/translate 0x1e6a123\n");
	EXPECT_HAS(r.out, "0x0000000001e6a123 in PID 1234 (demo), 4-level paging\n");
	EXPECT_HAS(r.out, "vma 0x1e6a000-0x1e8b000 rw-p [heap]\n");
	EXPECT_HAS(r.out, "bits 47-39 PGD index   0 (0x000)\n");
	EXPECT_HAS(r.out, "bits 29-21 PMD index  15 (0x00f)\n");
	EXPECT_HAS(r.out, "bits 11-0  offset in the 4K page 0x123\n");
	EXPECT_HASNT(r.out, "P4D");
	EXPECT_HAS(r.out, "CR3 -> PGD table at 0x0000000001234000\n");
	EXPECT_HAS(r.out, "PGD[  0] = 0x0000000011111067 -> PUD table at 0x11111000\n");
	EXPECT_HAS(r.out, "PMD[ 15] = 0x0000000033333067 -> PTE table at 0x33333000\n");
	EXPECT_HAS(r.out, "PTE[106] = 0x800000001234a867 -> frame 0x1234a000 (4K)\n");
	EXPECT_HAS(r.out, "phys = frame 0x1234a000 + offset 0x123 = 0x000000001234a123\n");
	EXPECT_HAS(r.out, "flags  present,rw,user,accessed,dirty,nx (pwuad-----)\n");
	EXPECT_HAS(r.out, "the address, split 9/9/9/9/12:\n");
	EXPECT_HAS(r.out, "bits 63-48  sign extension of bit 47\n");
	EXPECT_HAS(r.out, "  path cr3 0x1234000 -> pgd[0x000] 0x11111000 -> pud[0x000]");
	EXPECT(widest(r.out, NULL) <= 80);
	EXPECT_HASNT(r.out, "\033");
	run_free(&r);

	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "31891747");
	EXPECT_HAS(r.log, "translate 0x1e6a123\n");
	o = parse_json(r.out);
	EXPECT_STREQ(jstr(o, "vaddr"), "0x1e6a123");
	EXPECT_STREQ(jstr(o, "cr3"), "0x0000000001234000");
	EXPECT_STREQ(jstr(o, "vma.name"), "[heap]");
	EXPECT_EQ(jlen(o, "split"), 5);
	EXPECT_STREQ(jstr(o, "split.0.level"), "pgd");
	EXPECT_STREQ(jstr(o, "split.0.bits"), "47-39");
	EXPECT_EQ(jint(o, "split.2.index"), 15);
	EXPECT_EQ(jint(o, "split.4.index"), 0x123);
	EXPECT_EQ(jlen(o, "walk"), 4);
	EXPECT_STREQ(jstr(o, "walk.3.entry"), "0x800000001234a867");
	EXPECT_STREQ(jstr(o, "leaf.pfn"), "0x1234a");
	EXPECT_STREQ(jstr(o, "phys"), "0x1234a123");
	EXPECT(jget(o, "stop") == NULL);
	EXPECT_STREQ(jstr(o, "walk.0.next"), "0x11111000");
	EXPECT_STREQ(jstr(o, "walk.3.next"), "0x1234a000");
	EXPECT_STREQ(jstr(o, "path"), "cr3 0x1234000 -> pgd[0x000] 0x11111000 -> pud[0x000] 0x22222000 -> pmd[0x00f] 0x33333000 -> pte[0x06a] 0x1234a000 -> phys 0x1234a123");
	json_object_put(o);
	run_free(&r);
}

UNIT_TEST(translate_5level_and_huge)
{
	struct json_object *o;
	struct run r;

	new_tree();
	sh("sed -i 's/^levels: 4/levels: 5/' %s/proc/vmview", root);
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x00007f0000012345\n"
	    "vma: 0x00007f0000000000-0x00007f0000400000 rw-p\n"
	    "pgd[0x000] = 0x0000000011111067\n"
	    "p4d[0x0fe] = 0x0000000012121067\n"
	    "pud[0x000] = 0x0000000022222067\n"
	    "pmd[0x000] = 0x80000000234008e7\n"
	    "leaf: 0x00007f0000000000 pmd 0x80000000234008e7 present pfn=0x23400 flags=present,rw,user,accessed,dirty,pse,nx page=anon,large order=9 mapcount=1\n"
	    "phys: 0x0000000023412345\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0x7f0000012345");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "5-level paging");
	EXPECT_HAS(r.out, "bits 56-48 PGD index");
	EXPECT_HAS(r.out, "bits 47-39 P4D index 254 (0x0fe)\n");
	EXPECT_HAS(r.out, "bits 20-0  offset in the 2M page 0x12345\n");
	EXPECT_HASNT(r.out, "PTE index");
	EXPECT_HAS(r.out, "P4D[254] = 0x0000000012121067 -> PUD table");
	EXPECT_HAS(r.out, "PGD[  0] = 0x0000000011111067 -> P4D table");
	EXPECT_HAS(r.out, "PMD[  0] = 0x80000000234008e7 -> frame 0x23400000 (2M)\n");
	EXPECT_HAS(r.out, "phys = frame 0x23400000 + offset 0x12345 = 0x0000000023412345\n");
	EXPECT(widest(r.out, NULL) <= 80);
	run_free(&r);
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "0x7f0000012345");
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "levels"), 5);
	/* a huge leaf ends the split at its level, with a wider offset */
	EXPECT_EQ(jlen(o, "split"), 5);
	EXPECT_STREQ(jstr(o, "split.0.bits"), "56-48");
	EXPECT_STREQ(jstr(o, "split.1.level"), "p4d");
	EXPECT_EQ(jint(o, "split.1.index"), 254);
	EXPECT_STREQ(jstr(o, "split.3.level"), "pmd");
	EXPECT_STREQ(jstr(o, "split.4.level"), "offset");
	EXPECT_STREQ(jstr(o, "split.4.bits"), "20-0");
	EXPECT_EQ(jint(o, "split.4.index"), 0x12345);
	EXPECT(jget(o, "path") == NULL);	/* an older module: none */
	EXPECT_STREQ(jstr(o, "leaf.level"), "pmd");
	json_object_put(o);
	run_free(&r);
	/* user addresses reach higher with 5 levels */
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "0x00ff000000000000");
	EXPECT_EQ(r.status, 0);
	run_free(&r);
}

UNIT_TEST(translate_stops)
{
	struct json_object *o;
	struct run r;

	new_tree();
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x0000000001e6c000\n"
	    "vma: 0x0000000001e6a000-0x0000000001e8b000 rw-p\n"
	    "pgd[0x000] = 0x0000000011111067\n"
	    "pud[0x000] = 0x0000000022222067\n"
	    "pmd[0x00f] = 0x0000000033333067\n"
	    "pte[0x06c] = 0x7ffffffffffff900\n"
	    "leaf: 0x0000000001e6c000 pte 0x7ffffffffffff900 swap pfn=- swap=0:0x3 flags=exclusive\n"
	    "stop: pte swap\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0x1e6c000");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "stop: pte swap: swap entry");
	EXPECT_HAS(r.out, "major fault");
	EXPECT_HAS(r.out, "swap type 0 offset 0x3");
	EXPECT_HASNT(r.out, "phys");
	EXPECT(widest(r.out, NULL) <= 80);
	run_free(&r);
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "0x1e6c000");
	o = parse_json(r.out);
	EXPECT_STREQ(jstr(o, "stop"), "pte swap");
	EXPECT(jget(o, "phys") == NULL);
	EXPECT_STREQ(jstr(o, "leaf.kind"), "swap");
	json_object_put(o);
	run_free(&r);

	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x0000000001e70000\n"
	    "vma: 0x0000000001e6a000-0x0000000001e8b000 rw-p\n"
	    "pgd[0x000] = 0x0000000011111067\n"
	    "pud[0x000] = 0x0000000022222067\n"
	    "pmd[0x00f] = 0x0000000033333067\n"
	    "pte[0x070] = 0x0000000000000000\n"
	    "stop: pte none\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0x1e70000");
	EXPECT_HAS(r.out, "stop: pte none: empty entry");
	EXPECT_HAS(r.out, "demand paging");
	run_free(&r);
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x0000000000001000\nvma: none\nstop: no vma\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "4096");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "vma none\n");
	EXPECT_HAS(r.out, "SEGV_MAPERR");
	run_free(&r);
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "4096");
	o = parse_json(r.out);
	EXPECT(jget(o, "vma") == NULL);
	EXPECT_EQ(jlen(o, "walk"), 0);
	EXPECT_STREQ(jstr(o, "stop"), "no vma");
	json_object_put(o);
	run_free(&r);
}

/* The fake tree as an i386 guest's: levels 3 (PAE) or 2 everywhere. */
static void i386_tree(int levels)
{
	new_tree();
	sh("sed -i 's/^levels: 4/levels: %d/' %s/proc/vmview %s/sys/kernel/debug/vmview/1234/mm %s/sys/kernel/debug/vmview/1234/shadow",
	   levels, root, root, root);
	sh("sed -i 's/^task_size:.*//; s/^pgd:.*/pgd: 0x0000000001af4000/' %s/sys/kernel/debug/vmview/1234/mm",
	   root);
}

UNIT_TEST(translate_pae)
{
	struct json_object *o;
	struct run r;

	i386_tree(3);
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x00000000b7f0a123\n"
	    "vma: 0x00000000b7f00000-0x00000000b7f20000 rw-p\n"
	    "split: 2/9/9/12 pgd=0x002 pmd=0x1bf pte=0x10a offset=0x123\n"
	    "pgd[0x002] = 0x00000000019fe001\n"
	    "pmd[0x1bf] = 0x000000003f911067\n"
	    "pte[0x10a] = 0x000000013fc05867\n"
	    "leaf: 0x00000000b7f0a000 pte 0x000000013fc05867 present pfn=0x13fc05 flags=present,rw,user,accessed,dirty page=anon,lru,swapbacked order=0 mapcount=1\n"
	    "phys: 0x000000013fc05123\n"
	    "path: cr3 0x1af4000 -> pgd[0x002] 0x19fe000 -> pmd[0x1bf] 0x3f911000 -> pte[0x10a] 0x13fc05000 -> phys 0x13fc05123\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0xb7f0a123");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "3-level paging\n");
	EXPECT_HAS(r.out, "the address, split 2/9/9/12:\n");
	EXPECT_HASNT(r.out, "sign extension");
	EXPECT_HAS(r.out, "bits 31-30 PGD index   2 (0x002)\n");
	EXPECT_HAS(r.out, "bits 29-21 PMD index 447 (0x1bf)\n");
	EXPECT_HAS(r.out, "bits 20-12 PTE index 266 (0x10a)\n");
	EXPECT_HAS(r.out, "bits 11-0  offset in the 4K page 0x123\n");
	EXPECT_HASNT(r.out, "PUD");
	EXPECT_HAS(r.out, "PGD[  2] = 0x00000000019fe001 -> PMD table at 0x19fe000\n");
	EXPECT_HAS(r.out, "PMD[447] = 0x000000003f911067 -> PTE table at 0x3f911000\n");
	/* a frame above 4 GiB: PAE's 64-bit entries */
	EXPECT_HAS(r.out, "PTE[266] = 0x000000013fc05867 -> frame 0x13fc05000 (4K)\n");
	EXPECT_HAS(r.out, "phys = frame 0x13fc05000 + offset 0x123 = 0x000000013fc05123\n");
	/* no NX bit set: executable */
	EXPECT_HAS(r.out, "(pwuad-x---)");
	EXPECT_HAS(r.out, "path cr3 0x1af4000 -> pgd[0x002] 0x19fe000");
	EXPECT(widest(r.out, NULL) <= 80);
	run_free(&r);
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "0xb7f0a123");
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "levels"), 3);
	EXPECT_EQ(jlen(o, "split"), 4);
	EXPECT_STREQ(jstr(o, "split.0.level"), "pgd");
	EXPECT_STREQ(jstr(o, "split.0.bits"), "31-30");
	EXPECT_STREQ(jstr(o, "split.1.bits"), "29-21");
	EXPECT_EQ(jint(o, "split.2.index"), 0x10a);
	EXPECT_STREQ(jstr(o, "split.3.bits"), "11-0");
	EXPECT_EQ(jlen(o, "walk"), 3);
	EXPECT_STREQ(jstr(o, "walk.1.level"), "pmd");
	EXPECT_STREQ(jstr(o, "walk.1.next"), "0x3f911000");
	EXPECT_STREQ(jstr(o, "phys"), "0x13fc05123");
	json_object_put(o);
	run_free(&r);

	/* a 2 MiB THP: the split ends at the pmd */
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x00000000b6a12345\n"
	    "vma: 0x00000000b6a00000-0x00000000b6c00000 rw-p\n"
	    "split: 2/9/21 pgd=0x002 pmd=0x1b5 offset=0x12345\n"
	    "pgd[0x002] = 0x00000000019fe001\n"
	    "pmd[0x1b5] = 0x00000000234000e7\n"
	    "leaf: 0x00000000b6a00000 pmd 0x00000000234000e7 present pfn=0x23400 flags=present,rw,user,accessed,dirty,pse page=anon,large order=9 mapcount=1\n"
	    "phys: 0x0000000023412345\n"
	    "path: cr3 0x1af4000 -> pgd[0x002] 0x19fe000 -> pmd[0x1b5] 0x23400000 -> phys 0x23412345\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0xb6a12345");
	EXPECT_HAS(r.out, "bits 20-0  offset in the 2M page 0x12345\n");
	EXPECT_HAS(r.out, "PMD[437] = 0x00000000234000e7 -> frame 0x23400000 (2M)\n");
	EXPECT_HASNT(r.out, "PTE index");
	run_free(&r);
	/* a swap entry: PAE's inverted offset, type in bits 59..63 */
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x00000000b7f0b000\n"
	    "vma: 0x00000000b7f00000-0x00000000b7f20000 rw-p\n"
	    "split: 2/9/9/12 pgd=0x002 pmd=0x1bf pte=0x10b offset=0x000\n"
	    "pgd[0x002] = 0x00000000019fe001\n"
	    "pmd[0x1bf] = 0x000000003f911067\n"
	    "pte[0x10b] = 0x07fffffffffff800\n"
	    "leaf: 0x00000000b7f0b000 pte 0x07fffffffffff800 swap pfn=- swap=0:0x3 flags=-\n"
	    "stop: pte swap\n"
	    "path: cr3 0x1af4000 -> pgd[0x002] 0x19fe000 -> pmd[0x1bf] 0x3f911000 -> pte[0x10b] swap\n");
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "0xb7f0b000");
	EXPECT_EQ(r.status, 0);
	o = parse_json(r.out);
	EXPECT_STREQ(jstr(o, "stop"), "pte swap");
	EXPECT(jget(o, "walk.2.next") == NULL);
	EXPECT_STREQ(jstr(o, "leaf.swap.offset"), "0x3");
	json_object_put(o);
	run_free(&r);
	/* beyond 32 bits: not a user address, said before asking */
	r = RUN("translate", "1234", "0x100000000");
	EXPECT_EQ(r.status, 8);
	EXPECT_HAS(r.err, "3-level paging");
	run_free(&r);
}

UNIT_TEST(translate_2level)
{
	struct json_object *o;
	struct run r;

	i386_tree(2);
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x0000000008049123\n"
	    "vma: 0x0000000008049000-0x00000000080e6000 r-xp\n"
	    "split: 10/10/12 pgd=0x020 pte=0x049 offset=0x123\n"
	    "pgd[0x020] = 0x0000000001a2c067\n"
	    "pte[0x049] = 0x0000000003fc0025\n"
	    "leaf: 0x0000000008049000 pte 0x0000000003fc0025 present pfn=0x3fc0 flags=present,user,accessed page=file order=0 mapcount=2\n"
	    "phys: 0x0000000003fc0123\n"
	    "path: cr3 0x1af4000 -> pgd[0x020] 0x1a2c000 -> pte[0x049] 0x3fc0000 -> phys 0x3fc0123\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0x8049123");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "2-level paging\n");
	EXPECT_HAS(r.out, "the address, split 10/10/12:\n");
	EXPECT_HAS(r.out, "bits 31-22 PGD index  32 (0x020)\n");
	EXPECT_HAS(r.out, "bits 21-12 PTE index  73 (0x049)\n");
	EXPECT_HASNT(r.out, "PMD");
	EXPECT_HAS(r.out, "PGD[ 32] = 0x0000000001a2c067 -> PTE table at 0x1a2c000\n");
	EXPECT_HAS(r.out, "PTE[ 73] = 0x0000000003fc0025 -> frame 0x3fc0000 (4K)\n");
	EXPECT(widest(r.out, NULL) <= 80);
	run_free(&r);
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "0x8049123");
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "levels"), 2);
	EXPECT_EQ(jlen(o, "split"), 3);
	EXPECT_STREQ(jstr(o, "split.0.bits"), "31-22");
	EXPECT_STREQ(jstr(o, "split.1.bits"), "21-12");
	EXPECT_EQ(jlen(o, "walk"), 2);
	json_object_put(o);
	run_free(&r);

	/* a 4 MiB leaf in the pgd */
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x00000000b6c12345\n"
	    "vma: 0x00000000b6c00000-0x00000000b7000000 rw-p\n"
	    "split: 10/22 pgd=0x2db offset=0x012345\n"
	    "pgd[0x2db] = 0x00000000234000e7\n"
	    "leaf: 0x00000000b6c00000 pgd 0x00000000234000e7 present pfn=0x23400 flags=present,rw,user,accessed,dirty,pse page=anon,large order=10 mapcount=1\n"
	    "phys: 0x0000000023412345\n"
	    "path: cr3 0x1af4000 -> pgd[0x2db] 0x23400000 -> phys 0x23412345\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0xb6c12345");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "bits 31-22 PGD index 731 (0x2db)\n");
	EXPECT_HAS(r.out, "bits 21-0  offset in the 4M page 0x12345\n");
	EXPECT_HAS(r.out, "PGD[731] = 0x00000000234000e7 -> frame 0x23400000 (4M)\n");
	EXPECT_HAS(r.out, "phys = frame 0x23400000 + offset 0x12345 = 0x0000000023412345\n");
	run_free(&r);
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "0xb6c12345");
	o = parse_json(r.out);
	EXPECT_EQ(jlen(o, "split"), 2);
	EXPECT_STREQ(jstr(o, "split.1.bits"), "21-0");
	EXPECT_STREQ(jstr(o, "leaf.level"), "pgd");
	EXPECT_EQ(jint(o, "leaf.size_bytes"), 4 << 20);
	json_object_put(o);
	run_free(&r);
}

/* /proc/vmview's lines of an arm64 kernel with 4K pages and 4 levels. */
#define ARM64_STATUS							\
	"version: 0.1.0\nkernel: 6.12.117+deb12-arm64\n" ARM64_4K	\
	"tracked: 0\ndebugfs: /sys/kernel/debug/vmview\n"

/*
 * The fake tree as an arm64 guest's: its /proc/vmview, and PID/ptes (and
 * ptes.bin, made by this process under arm64's paging) in arm64's words.
 */
static void arm64_tree(void)
{
	char why[256];

	new_tree();
	put("proc/vmview", ARM64_STATUS);
	EXPECT_EQ(set_paging(ARM64_4K, why, sizeof(why)), 0);
	put_ptes("# vmview ptes: pid 1234\n"
		 "0x0000000000400000 pte 0x0020000041234fc3 present pfn=0x41234 flags=valid,user,rdonly,ng,af,sh,pxn mt=normal page=file,lru,referenced order=0 mapcount=2\n"
		 "0x0000000001e6a000 pte 0x006800004234af43 present pfn=0x4234a flags=valid,dbm,user,ng,af,dirty,sh,pxn,uxn mt=normal page=anon,lru,swapbacked order=0 mapcount=1\n"
		 "0x0000000001e6c000 pte 0x0000000000003004 swap pfn=- swap=0:0x3 flags=exclusive\n"
		 "0x0000000001e6d000 pte 0x0030000012345744 migration pfn=0x12345 swap=29:0x30000012345 flags=exclusive\n"
		 "0x00007f0000000000 pmd 0x0068000042400f41 present pfn=0x42400 flags=valid,dbm,user,ng,af,dirty,block,sh,pxn,uxn mt=normal page=anon,swapbacked,large order=9 mapcount=1\n");
}

/* ptes on arm64: its words, its letters, and the memory type last. */
UNIT_TEST(arm64_ptes_output)
{
	struct json_object *o;
	struct run r;

	arm64_tree();
	r = RUN("ptes", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "ADDRESS       LVL ENTRY            KIND     PFN/SWAP    FLAGS      PAGE    MAPS MT\n");
	EXPECT_HAS(r.out, "000000400000  pte 0020000041234fc3 present  41234       p-ua--x--- file       2 normal\n");
	EXPECT_HAS(r.out, "000001e6a000  pte 006800004234af43 present  4234a       pwuad----- anon       1 normal\n");
	EXPECT_HAS(r.out, "000001e6c000  pte 0000000000003004 swap     0:3         ---------e\n");
	EXPECT_HAS(r.out, "7f0000000000  pmd 0068000042400f41 present  42400       pwuadh---- anon:9     1 normal\n");
	run_free(&r);
	r = RUN("-j", "ptes", "1234");
	EXPECT_EQ(r.status, 0);
	o = parse_json(r.out);
	EXPECT_EQ(jlen(o, "ptes"), 5);
	EXPECT_STREQ(jstr(o, "ptes.0.mt"), "normal");
	EXPECT_STREQ(jstr(o, "ptes.0.flags.0"), "valid");
	EXPECT_STREQ(jstr(o, "ptes.0.flags.2"), "rdonly");
	EXPECT(jget(o, "ptes.2.mt") == NULL);
	/* the migration entry's offset, from the entry by 6.12's layout */
	EXPECT_STREQ(jstr(o, "ptes.3.swap.offset"), "0x30000012345");
	EXPECT_STREQ(jstr(o, "ptes.3.pfn"), "0x12345");
	EXPECT_EQ(jint(o, "ptes.4.size_bytes"), 2 << 20);
	json_object_put(o);
	run_free(&r);
	/* map counts the block as huge */
	r = RUN("-j", "map", "1234");
	EXPECT_EQ(r.status, 0);
	run_free(&r);
	r = RUN("summary", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "paging       4-level, pgd (TTBR0_EL1) at 0x0000000001234000\n");
	EXPECT_HASNT(r.out, "CR3");
	run_free(&r);
}

/*
 * translate on arm64: the walk from TTBR0_EL1 through L0..L3, the leaf's
 * memory type; JSON with Linux's level names and arm64's beside them.
 */
UNIT_TEST(arm64_translate)
{
	struct json_object *o;
	struct run r;

	arm64_tree();
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x0000000001e6a123\n"
	    "vma: 0x0000000001e6a000-0x0000000001e8b000 rw-p\n"
	    "split: 9/9/9/9/12 pgd=0x000 pud=0x000 pmd=0x00f pte=0x06a offset=0x123\n"
	    "pgd[0x000] = 0x0000000041111003\n"
	    "pud[0x000] = 0x0000000042222003\n"
	    "pmd[0x00f] = 0x0000000043333003\n"
	    "pte[0x06a] = 0x006800004234af43\n"
	    "leaf: 0x0000000001e6a000 pte 0x006800004234af43 present pfn=0x4234a flags=valid,dbm,user,ng,af,dirty,sh,pxn,uxn mt=normal page=anon,lru,swapbacked order=0 mapcount=1\n"
	    "phys: 0x000000004234a123\n"
	    "path: cr3 0x1234000 -> pgd[0x000] 0x41111000 -> pud[0x000] 0x42222000 -> pmd[0x00f] 0x43333000 -> pte[0x06a] 0x4234a000 -> phys 0x4234a123\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0x1e6a123");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "0x0000000001e6a123 in PID 1234 (demo), 4-level paging (arm64, 4K granule)\n");
	EXPECT_HAS(r.out, "bits 63-48  zero: a user address, through TTBR0_EL1\n");
	EXPECT_HAS(r.out, "bits 47-39 L0 index   0 (0x000)\n");
	EXPECT_HAS(r.out, "bits 38-30 L1 index   0 (0x000)\n");
	EXPECT_HAS(r.out, "bits 29-21 L2 index  15 (0x00f)\n");
	EXPECT_HAS(r.out, "bits 20-12 L3 index 106 (0x06a)\n");
	EXPECT_HAS(r.out, "TTBR0_EL1 -> L0 table at 0x0000000001234000\n");
	EXPECT_HAS(r.out, "L0[  0] = 0x0000000041111003 -> L1 table at 0x41111000\n");
	EXPECT_HAS(r.out, "L2[ 15] = 0x0000000043333003 -> L3 table at 0x43333000\n");
	EXPECT_HAS(r.out, "L3[106] = 0x006800004234af43 -> frame 0x4234a000 (4K)\n");
	EXPECT_HAS(r.out, "phys = frame 0x4234a000 + offset 0x123 = 0x000000004234a123\n");
	EXPECT_HAS(r.out, "leaf   L3 (pte) present, pfn 0x4234a\n");
	EXPECT_HAS(r.out, "flags  valid,dbm,user,ng,af,dirty,sh,pxn,uxn (pwuad-----)\n");
	EXPECT_HAS(r.out, "  mt     normal\n");
	EXPECT_HASNT(r.out, "CR3");
	EXPECT_HASNT(r.out, "PGD");
	EXPECT_HASNT(r.out, "sign extension");
	EXPECT(widest(r.out, NULL) <= 80);
	run_free(&r);
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "0x1e6a123");
	o = parse_json(r.out);
	EXPECT_STREQ(jstr(o, "arch"), "arm64");
	EXPECT_STREQ(jstr(o, "cr3"), "0x0000000001234000");
	EXPECT_STREQ(jstr(o, "split.0.level"), "pgd");
	EXPECT_STREQ(jstr(o, "split.0.arm64_level"), "L0");
	EXPECT_STREQ(jstr(o, "split.3.arm64_level"), "L3");
	EXPECT(jget(o, "split.4.arm64_level") == NULL);	/* the offset */
	EXPECT_STREQ(jstr(o, "walk.1.level"), "pud");
	EXPECT_STREQ(jstr(o, "walk.1.arm64_level"), "L1");
	EXPECT_STREQ(jstr(o, "walk.3.next"), "0x4234a000");
	EXPECT_STREQ(jstr(o, "leaf.mt"), "normal");
	EXPECT_STREQ(jstr(o, "leaf.flags.1"), "dbm");
	json_object_put(o);
	run_free(&r);

	/* an older module's walk (no split:, no path:): from the geometry */
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x00007f0000012345\n"
	    "vma: 0x00007f0000000000-0x00007f0000400000 rw-p\n"
	    "pgd[0x0fe] = 0x0000000041111003\n"
	    "pud[0x000] = 0x0000000042222003\n"
	    "pmd[0x000] = 0x0068000042400f41\n"
	    "leaf: 0x00007f0000000000 pmd 0x0068000042400f41 present pfn=0x42400 flags=valid,dbm,user,ng,af,dirty,block,sh,pxn,uxn mt=normal page=anon,large order=9 mapcount=1\n"
	    "phys: 0x0000000042412345\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0x7f0000012345");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "the address, split 9/9/9/21:\n");
	EXPECT_HAS(r.out, "bits 47-39 L0 index 254 (0x0fe)\n");
	EXPECT_HAS(r.out, "bits 20-0  offset in the 2M page 0x12345\n");
	EXPECT_HAS(r.out, "L0[254] = 0x0000000041111003 -> L1 table at 0x41111000\n");
	EXPECT_HAS(r.out, "L2[  0] = 0x0068000042400f41 -> frame 0x42400000 (2M)\n");
	EXPECT_HAS(r.out, "leaf   L2 (pmd) present");
	EXPECT_HAS(r.out, "(pwuadh----)");
	run_free(&r);

	/* user addresses: all of TTBR0_EL1's 48 bits, none above */
	r = RUN_FAKE("translate:write:drop", "-j", "translate", "1234", "0xffffffffffff");
	EXPECT_EQ(r.status, 0);
	run_free(&r);
	r = RUN("translate", "1234", "0x1000000000000");
	EXPECT_EQ(r.status, 8);
	EXPECT_HAS(r.err, "with 4-level paging: give one below 0x1000000000000");
	EXPECT_HASNT(r.err, "32 bits");
	run_free(&r);
}

/* 16K pages and LPA2's 52 bits: the split and the table addresses. */
UNIT_TEST(arm64_translate_16k_lpa2)
{
	struct run r;

	new_tree();
	put("proc/vmview",
	    "version: 0.1.0\nlevels: 4\narch: arm64\n"
	    "entry_format: arm64-6.12-16k-lpa2\npage_shift: 14\n"
	    "geometry: pgd=5@47 pud=11@36 pmd=11@25 pte=11@14\n"
	    "debugfs: /sys/kernel/debug/vmview\n");
	put("sys/kernel/debug/vmview/1234/translate",
	    "vaddr: 0x0000000001e6a123\n"
	    "vma: 0x0000000001e6a000-0x0000000001e8b000 rw-p\n"
	    "pgd[0x000] = 0x0000000041110303\n"
	    "pud[0x000] = 0x0000000042224003\n"
	    "pmd[0x000] = 0x0000000043338003\n"
	    "pte[0x79a] = 0x0068000042348f43\n"
	    "leaf: 0x0000000001e68000 pte 0x0068000042348f43 present pfn=0x108d2 flags=valid,dbm,user,ng,af,dirty,pxn,uxn mt=normal page=anon order=0 mapcount=1\n"
	    "phys: 0x000000004234a123\n");
	r = RUN_FAKE("translate:write:drop", "translate", "1234", "0x1e6a123");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "4-level paging (arm64, 16K granule)\n");
	EXPECT_HAS(r.out, "the address, split 5/11/11/11/14:\n");
	EXPECT_HAS(r.out, "bits 63-52  zero: a user address, through TTBR0_EL1\n");
	EXPECT_HAS(r.out, "bits 51-47 L0 index");
	EXPECT_HAS(r.out, "bits 24-14 L3 index 1946 (0x79a)\n");
	EXPECT_HAS(r.out, "bits 13-0  offset in the 16K page 0x2123\n");
	/* bits 8..9 of the descriptor are address bits 50..51 */
	EXPECT_HAS(r.out, "L0[  0] = 0x0000000041110303 -> L1 table at 0xc000041110000\n");
	EXPECT_HAS(r.out, "L3[1946] = 0x0068000042348f43 -> frame 0x42348000 (16K)\n");
	EXPECT_HAS(r.out, "phys = frame 0x42348000 + offset 0x2123 = 0x000000004234a123\n");
	run_free(&r);
}

/*
 * x86 with the new lines of /proc/vmview (arch, entry_format,
 * page_shift, geometry): the output of a module without them, byte for
 * byte.
 */
UNIT_TEST(x86_status_lines_change_nothing)
{
	static const char *const cmds[][5] = {
		{ "summary", "1234" }, { "-j", "summary", "1234" },
		{ "ptes", "1234" }, { "-j", "ptes", "1234" },
		{ "map", "1234" }, { "maps", "1234" }, { "verify", "1234" },
		{ "translate", "1234", "0x1e6a123" },
		{ "-j", "translate", "1234", "0x1e6a123" },
		{ "translate", "1234", "0x800000000000" },
	};
	struct run before[ARRAY_SIZE(cmds)], r;
	size_t i;

	new_tree();
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		before[i] = run_ex("translate:write:drop", NULL, 0, 0, cmds[i]);
	sh("printf 'arch: x86\\nentry_format: x86-64\\npage_shift: 12\\ngeometry: pgd=9@39 pud=9@30 pmd=9@21 pte=9@12\\n' >> %s/proc/vmview",
	   root);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		r = run_ex("translate:write:drop", NULL, 0, 0, cmds[i]);
		EXPECT_EQ(r.status, before[i].status);
		EXPECT_STREQ(r.out, before[i].out);
		EXPECT_STREQ(r.err, before[i].err);
		EXPECT(strlen(r.out) + strlen(r.err) > 0);
		run_free(&r);
		run_free(&before[i]);
	}
}

/* PAE's pmd tables, all allocated with the pgd: explained, not "differ". */
UNIT_TEST(summary_pae_pmds)
{
	struct json_object *o;
	struct run r;

	i386_tree(3);
	sh("mkdir -p %s/sys/devices/system/cpu/vulnerabilities && echo 'Mitigation: PTI' > %s/sys/devices/system/cpu/vulnerabilities/meltdown",
	   root, root);
	/* 2 pmd and 7 pte tables found, 1 deposited; 5 pmds preallocated */
	sh("sed -i 's/^pgtables_bytes:.*/pgtables_bytes: 53248/; s/^walk_pgtables_bytes:.*/walk_pgtables_bytes: 40960/; s/^table_pud:.*/table_pud: 0/; s/^table_pmd:.*/table_pmd: 2/; s/^table_pte:.*/table_pte: 7/' %s/sys/kernel/debug/vmview/1234/mm",
	   root);
	r = RUN("summary", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "paging       3-level");
	EXPECT_HAS(r.out, "52K in tables: pmd 2, pte 7, +1 deposited\n");
	EXPECT_HAS(r.out, "walk finds 40K, the kernel counts 52K: agree once the 3");
	EXPECT_HAS(r.out, "preallocated PAE pmd tables");
	EXPECT_HAS(r.out, "PTI's user pgd");
	EXPECT_HASNT(r.out, "differ");
	EXPECT(widest(r.out, "spaces") <= 80);
	run_free(&r);
	r = RUN("-j", "summary", "1234");
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "pae_preallocated_pmds"), 5);
	EXPECT(json_object_get_boolean(jget(o, "pgtables_agree")));
	json_object_put(o);
	run_free(&r);
	/* without PTI: 3 pmd tables, so 4K more is not explained */
	sh("echo 'Not affected' > %s/sys/devices/system/cpu/vulnerabilities/meltdown",
	   root);
	r = RUN("summary", "1234");
	EXPECT_HAS(r.out, "differ");
	run_free(&r);
	sh("sed -i 's/^pgtables_bytes:.*/pgtables_bytes: 45056/' %s/sys/kernel/debug/vmview/1234/mm",
	   root);
	r = RUN("summary", "1234");
	EXPECT_HAS(r.out, "agree once the 1\n               preallocated PAE pmd table the walk");
	EXPECT_HAS(r.out, "the user half's 3");
	run_free(&r);
	r = RUN("-j", "summary", "1234");
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "pae_preallocated_pmds"), 3);
	json_object_put(o);
	run_free(&r);
}

/* 2 levels: tables are pte tables only, a THP is a 4 MiB pgd leaf. */
UNIT_TEST(summary_2level)
{
	struct json_object *o;
	struct run r;

	i386_tree(2);
	sh("sed -i 's/^pgtables_bytes:.*/pgtables_bytes: 12288/; s/^walk_pgtables_bytes:.*/walk_pgtables_bytes: 12288/; s/^table_pud:.*/table_pud: 0/; s/^table_pmd:.*/table_pmd: 0/' %s/sys/kernel/debug/vmview/1234/mm",
	   root);
	r = RUN("summary", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "12K in tables: pte 2, +1 deposited\n");
	EXPECT_HAS(r.out, ": agree\n");
	EXPECT_HAS(r.out, "1 PGD leaf (4M); THP mode: always");
	run_free(&r);
	r = RUN("-j", "summary", "1234");
	o = parse_json(r.out);
	EXPECT(jget(o, "pae_preallocated_pmds") == NULL);
	json_object_put(o);
	run_free(&r);
}

/* verify prints every leaves_ size the module gives. */
UNIT_TEST(verify_leaves_per_paging)
{
	struct run r;

	i386_tree(2);
	put("sys/kernel/debug/vmview/1234/shadow",
	    "levels: 2\nnodes_pgd: 1\nnodes_pte: 5\nnodes_pte_wide: 0\nbytes: 12288\n"
	    "leaves_4k: 70\nleaves_4m: 1\nfills: 2\ninvalidations: 3\nretries: 0\n"
	    "dirty_ranges: 0\nverify_mode: full\n");
	r = RUN("verify", "1234");
	EXPECT_HAS(r.out, "shadow: 6 nodes in 12K: pgd 1 pte 5\n");
	EXPECT_HAS(r.out, "leaves: 70 x 4K, 1 x 4M; 2 fills, 3 invalidations, 0 retries\n");
	EXPECT_HASNT(r.out, "2M");
	EXPECT_HASNT(r.out, "1G");
	run_free(&r);
	i386_tree(3);
	put("sys/kernel/debug/vmview/1234/shadow",
	    "levels: 3\nnodes_pgd: 1\nnodes_pmd: 2\nnodes_pte: 5\nbytes: 12288\n"
	    "leaves_4k: 70\nleaves_2m: 1\nfills: 2\ninvalidations: 3\nretries: 0\n");
	r = RUN("verify", "1234");
	EXPECT_HAS(r.out, "leaves: 70 x 4K, 1 x 2M; 2 fills");
	EXPECT_HASNT(r.out, "1G");
	run_free(&r);
}

/* A paging mode the CLI does not know: said, not guessed. */
UNIT_TEST(unknown_paging_refused)
{
	struct run r;

	new_tree();
	sh("sed -i 's/^levels: 4/levels: 6/' %s/proc/vmview", root);
	r = RUN("summary", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_HAS(r.err, "levels: 6");
	run_free(&r);
	sh("sed -i '/^levels:/d' %s/proc/vmview", root);
	r = RUN("summary", "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_HAS(r.err, "(none)");
	run_free(&r);
}

UNIT_TEST(verify_output)
{
	struct json_object *o;
	struct run r;

	new_tree();
	r = RUN("verify", "1234");
	EXPECT_EQ(r.status, 1);	/* a mismatch */
	EXPECT_HAS(r.out, "000001e6b000  present:0x3c00:ro:4k       none\n");
	EXPECT_HAS(r.out, "verify: 530 pages checked, 1 mismatch, 5 resynced\n");
	EXPECT_HAS(r.out, "shadow: 9 nodes in 26K:");
	EXPECT(widest(r.out, NULL) <= 80);
	run_free(&r);
	r = RUN("-j", "verify", "1234");
	EXPECT_EQ(r.status, 1);
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "checked"), 530);
	EXPECT_EQ(jint(o, "mismatches"), 1);
	EXPECT_STREQ(jstr(o, "list.0.vaddr"), "0x1e6b000");
	EXPECT_STREQ(jstr(o, "list.0.shadow"), "none");
	EXPECT_EQ(jint(o, "shadow.invalidations"), 17);
	EXPECT(jget(o, "range") == NULL);
	json_object_put(o);
	run_free(&r);
	put("sys/kernel/debug/vmview/1234/verify",
	    "verify: checked=12 mismatches=0 resynced=0\n");
	rm("sys/kernel/debug/vmview/1234/shadow");
	r = RUN_FAKE("1234/verify:write:drop", "verify", "--range",
		     "1e6a000-1e6b000", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(r.out, "verify: 12 pages checked, 0 mismatches, 0 resynced\n");
	/* the range, then the whole address space again */
	EXPECT_HAS(r.log, "/1234/verify 0x1e6a000-0x1e6b000\n/sys/kernel/debug/vmview/1234/verify \n");
	run_free(&r);
	r = RUN_FAKE("1234/verify:write:drop", "-j", "verify", "--range",
		     "1e6a000-1e6b000", "1234");
	o = parse_json(r.out);
	EXPECT_STREQ(jstr(o, "range.start"), "0x1e6a000");
	EXPECT(jget(o, "shadow") == NULL);
	json_object_put(o);
	run_free(&r);
}

UNIT_TEST(events_output)
{
	struct json_object *o;
	struct run r;

	new_tree();
	r = RUN("events", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(r.out,
		  "     SEQ EVENT            START         END            SIZE\n"
		  "# dropped: 3\n"
		  "       4 clear            000001e6a000  000001e6b000     4K\n"
		  "       5 protection_vma   7f0000000000  7f0000200000     2M\n"
		  "       6 unmap            7f0000400000  7f0040400000     1G\n");
	run_free(&r);
	r = RUN("-j", "events", "1234");
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "dropped"), 3);
	EXPECT_EQ(jlen(o, "events"), 3);
	EXPECT_STREQ(jstr(o, "events.2.event"), "unmap");
	EXPECT_EQ(jint(o, "events.2.size_bytes"), 1 << 30);
	json_object_put(o);
	run_free(&r);
}

UNIT_TEST(events_follow_until_exit)
{
	struct run r;
	time_t t0 = time(NULL);

	new_tree();
	/* the third read fails with ESRCH: the process is gone */
	r = RUN_FAKE("1234/events:read:ESRCH@3", "events", "--follow",
		     "--interval", "20", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.err, "PID 1234 exited");
	EXPECT_EQ(lines(r.out), 5);
	run_free(&r);
	/* a release event ends it too */
	sh("echo '7 release 0x0000000000000000-0xffffffffffffffff' >> %s/sys/kernel/debug/vmview/1234/events",
	   root);
	r = RUN("-j", "events", "--follow", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(lines(r.out), 4);	/* JSON lines, one an event */
	EXPECT_HAS(r.out, "\"event\":\"release\"");
	run_free(&r);
	/* /proc/PID gone: the same */
	sh("sed -i '$d' %s/sys/kernel/debug/vmview/1234/events", root);
	r = run_ex("1234/events:read:ENOENT@4", NULL, 0, 0,
		   (const char *const[]){ "events", "-f", "--interval", "20",
					  "1234", NULL });
	EXPECT_EQ(r.status, 0);
	run_free(&r);
	EXPECT(time(NULL) - t0 < 20);
}

UNIT_TEST(map_picture)
{
	struct json_object *o;
	struct run r;

	new_tree();
	r = RUN("map", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "PID 1234 (demo): 9 VMAs, 1G mapped, 44K resident, 2M huge, 4K swapped\n");
	EXPECT_HAS(r.out, "7f0000000000     4M rw-p |HHHHHHHHHHHHHHHH................| [anon]\n");
	EXPECT_HAS(r.out, "(nothing mapped)");
	EXPECT_HAS(r.out, "000000403000     8K rw-p |##|");
	EXPECT_HASNT(r.out, "\033");
	EXPECT(widest(r.out, "spaces") <= 80);
	run_free(&r);
	r = RUN("--color=always", "map", "1234");
	EXPECT_HAS(r.out, "\033[35mH");
	run_free(&r);
	r = run_ex(NULL, "NO_COLOR=1", 0, 0,
		   (const char *const[]){ "map", "1234", NULL });
	EXPECT_HASNT(r.out, "\033");
	run_free(&r);
	r = RUN("-j", "map", "1234");
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "huge_pages"), 512);
	EXPECT_EQ(jint(o, "swap_pages"), 1);
	EXPECT_EQ(jint(o, "zero_pages"), 1);
	EXPECT_STREQ(jstr(o, "rows.3.name"), "[heap]");
	EXPECT_EQ(jint(o, "rows.3.resident_pages"), 2);
	EXPECT_EQ(jint(o, "rows.3.zero_pages"), 1);
	EXPECT_EQ(jint(o, "rows.3.swap_pages"), 1);
	EXPECT_EQ(jint(o, "rows.4.huge_pages"), 512);
	EXPECT_STREQ(jstr(o, "rows.4.bar"), "HHHHHHHHHHHHHHHH................");
	EXPECT_HASNT(json_object_to_json_string(o), "\\u001b");
	json_object_put(o);
	run_free(&r);
}

UNIT_TEST(every_command_speaks_json)
{
	static const char *const cmds[][4] = {
		{ "summary", "1234" }, { "maps", "1234" }, { "ptes", "1234" },
		{ "translate", "1234", "0x1e6a123" }, { "map", "1234" },
		{ "verify", "1234" }, { "events", "1234" },
	};
	const char *args[8];
	struct run r;
	size_t i;
	int pretty;

	new_tree();
	for (pretty = 0; pretty < 2; pretty++) {
		for (i = 0; i < ARRAY_SIZE(cmds); i++) {
			struct json_object *o;

			args[0] = pretty ? "--pretty" : "--json";
			memcpy(args + 1, cmds[i], sizeof(cmds[i]));
			args[5] = NULL;
			r = run_ex("translate:write:drop", NULL, 0, 0, args);
			o = json_tokener_parse(r.out);
			if (!o || !json_object_is_type(o, json_type_object))
				UNIT_FAIL("%s %s: not a JSON object:\n%s", args[0],
				     cmds[i][0], r.out);
			if (pretty && lines(r.out) < 3)
				UNIT_FAIL("%s: --pretty should indent", cmds[i][0]);
			if (!pretty && lines(r.out) != 1)
				UNIT_FAIL("%s: --json should be one line", cmds[i][0]);
			if (o && jint(o, "pid") != 1234)
				UNIT_FAIL("%s: no pid", cmds[i][0]);
			json_object_put(o);
			run_free(&r);
		}
	}
}

UNIT_TEST(root_from_option_and_environment)
{
	char *a, *b;
	struct run r;

	new_tree();
	r = RUN("maps", "1234");
	a = strdup(r.out);
	run_free(&r);
	r = run_ex(NULL, "VMVIEW_ROOT=/nonexistent", 0, 0,
		   (const char *const[]){ "--root", root, "maps", "1234",
					  NULL });
	b = strdup(r.out);
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(a, b);
	run_free(&r);
	r = run_ex(NULL, "VMVIEW_ROOT=/nonexistent", 0, 0,
		   (const char *const[]){ "maps", "1234", NULL });
	EXPECT_EQ(r.status, 4);
	EXPECT_HAS(r.err, "/nonexistent/proc/vmview");
	run_free(&r);
	free(a);
	free(b);
}

/* --- latency's statistics, CPUID's TLBs, reach, wss ------------------------ */

UNIT_TEST(stats_median_and_spread)
{
	double odd[] = { 5, 1, 4, 2, 3 }, ten[10], one[] = { 7 };
	struct vmv_stats st;
	size_t i;

	vmv_stats(odd, ARRAY_SIZE(odd), &st);
	EXPECT(st.median == 3 && st.min == 1 && st.max == 5);
	EXPECT(st.p10 == 1 && st.p90 == 5);
	for (i = 0; i < 10; i++)
		ten[i] = 10 - i;
	vmv_stats(ten, 10, &st);
	EXPECT(st.median == 5.5);
	EXPECT(st.p10 == 1 && st.p90 == 9);	/* nearest rank: 1st, 9th */
	vmv_stats(one, 1, &st);
	EXPECT(st.median == 7 && st.p10 == 7 && st.p90 == 7);
	vmv_stats(NULL, 0, &st);
	EXPECT(st.n == 0 && st.median == 0);
}

UNIT_TEST(stats_units_and_ratios)
{
	static const struct {
		double ns;
		const char *text;
	} t[] = {
		{ 1, "1 ns" }, { 1.234, "1.23 ns" }, { 12.34, "12.3 ns" },
		{ 123.4, "123 ns" }, { 100, "100 ns" },
		{ 1234, "1.23 \xc2\xb5s" }, { 999.6, "1000 ns" },
		{ 45678, "45.7 \xc2\xb5s" }, { 10e6, "10 ms" },
		{ 2.5e9, "2.50 s" },
	};
	static const struct {
		double r;
		const char *text;
	} q[] = {
		{ 1.08, "1.1" }, { 0.95, "0.95" }, { 1, "1" }, { 15.4, "15" },
		{ 3.1e-4, "1/3200" }, { 0.05, "1/20" }, { 0.0123, "1/81" },
		{ 0, "-" }, { -1, "-" },
	};
	char buf[48];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		EXPECT_STREQ(vmv_fmt_ns(buf, sizeof(buf), t[i].ns), t[i].text);
	for (i = 0; i < ARRAY_SIZE(q); i++)
		EXPECT_STREQ(vmv_fmt_ratio(buf, sizeof(buf), q[i].r), q[i].text);
	/* a row's spread in the unit of its median */
	EXPECT_STREQ(vmv_fmt_ns_range(buf, sizeof(buf), 980, 3400,
				      vmv_ns_unit(2000)), "0.98-3.40 \xc2\xb5s");
	EXPECT_STREQ(vmv_fmt_ns_in(buf, sizeof(buf), 1500, vmv_ns_unit(1500)),
		     "1.50 \xc2\xb5s");
	EXPECT_EQ(vmv_text_width("1.23 \xc2\xb5s"), 7);
	EXPECT_EQ(vmv_text_width(""), 0);
}

/* Haswell's leaf 0x2, as it is: 63 03 76 / ff b5 f0 / - / c1. */
UNIT_TEST(tlb_cpuid_leaf2)
{
	const uint32_t haswell[4] = { 0x76036301, 0x00f0b5ff, 0, 0x00c10000 };
	const uint32_t invalid[4] = { 0x76036301, 0, 0, 0x80c10000 };
	/* a P6: 01 02 03 (ITLB, ITLB, DTLB 4K) / 43 08 04 0c (DTLB 4M) */
	const uint32_t p6[4] = { 0x03020101, 0, 0, 0x0c040843 };
	struct vmv_tlb_info t = { 0 };

	vmv_tlb_leaf2(&t, haswell);
	EXPECT(t.known);
	EXPECT_STREQ(t.source, "CPUID leaf 0x2");
	EXPECT_EQ(t.l1d[VMV_TLB_4K], 64);
	EXPECT_EQ(t.l1d[VMV_TLB_2M], 32);
	EXPECT_EQ(t.l1d[VMV_TLB_4M], 32);
	EXPECT_EQ(t.l1d[VMV_TLB_1G], 4);
	EXPECT_EQ(t.l2[VMV_TLB_4K], 1024);
	EXPECT_EQ(t.l2[VMV_TLB_2M], 1024);
	EXPECT_EQ(t.l2[VMV_TLB_1G], 0);
	EXPECT(t.leaf2_says_leaf18);	/* the 0xff of EBX */

	memset(&t, 0, sizeof(t));	/* bit 31: EDX holds nothing */
	vmv_tlb_leaf2(&t, invalid);
	EXPECT_EQ(t.l2[VMV_TLB_4K], 0);
	EXPECT_EQ(t.l1d[VMV_TLB_4K], 64);
	EXPECT(!t.leaf2_says_leaf18);

	memset(&t, 0, sizeof(t));
	vmv_tlb_leaf2(&t, p6);
	EXPECT_EQ(t.l1d[VMV_TLB_4K], 64);
	EXPECT_EQ(t.l1d[VMV_TLB_4M], 8);
	EXPECT_EQ(t.l1d[VMV_TLB_2M], 0);

	memset(&t, 0, sizeof(t));	/* caches only (QEMU's): nothing */
	vmv_tlb_leaf2(&t, (const uint32_t[4]){ 1, 0, 0x4d, 0x2c307d });
	EXPECT(!t.known);
}

UNIT_TEST(tlb_cpuid_leaf18)
{
	struct vmv_tlb_info t = { 0 };

	/* L1 data, 4K, 4 ways x 16 sets; L1 data, 2M|4M, 4 x 8 */
	EXPECT(vmv_tlb_leaf18(&t, (const uint32_t[4]){ 0, 4 << 16 | 0x1, 16, 0x21 }));
	EXPECT(vmv_tlb_leaf18(&t, (const uint32_t[4]){ 0, 4 << 16 | 0x6, 8, 0x21 }));
	/* L2 unified, 4K|2M, 8 x 256; L2 unified, 1G, 8 x 2 */
	EXPECT(vmv_tlb_leaf18(&t, (const uint32_t[4]){ 0, 8 << 16 | 0x3, 256, 0x43 }));
	EXPECT(vmv_tlb_leaf18(&t, (const uint32_t[4]){ 0, 8 << 16 | 0x8, 2, 0x43 }));
	/* an instruction TLB is not a data TLB */
	EXPECT(vmv_tlb_leaf18(&t, (const uint32_t[4]){ 0, 8 << 16 | 0x1, 64, 0x22 }));
	/* a null subleaf ends nothing but says so */
	EXPECT(!vmv_tlb_leaf18(&t, (const uint32_t[4]){ 0, 0, 0, 0 }));
	EXPECT_STREQ(t.source, "CPUID leaf 0x18");
	EXPECT_EQ(t.l1d[VMV_TLB_4K], 64);
	EXPECT_EQ(t.l1d[VMV_TLB_2M], 32);
	EXPECT_EQ(t.l1d[VMV_TLB_4M], 32);
	EXPECT_EQ(t.l2[VMV_TLB_4K], 2048);
	EXPECT_EQ(t.l2[VMV_TLB_2M], 2048);
	EXPECT_EQ(t.l2[VMV_TLB_1G], 16);
}

UNIT_TEST(tlb_cpuid_amd)
{
	/* L1: 72 fully associative for 2M and for 4K */
	const uint32_t l5[4] = { 0xff48ff40, 0xff48ff40, 0, 0 };
	/* L2: 2048 2M (assoc 6), 3072 4K (assoc 6) */
	const uint32_t l6[4] = { 0x68000000, 0x6c000000, 0, 0 };
	/* QEMU's: L2 2M disabled (associativity 0), 512 4K */
	const uint32_t q6[4] = { 0x00000000, 0x42004200, 0, 0 };
	const uint32_t l19[4] = { 0xf0400000, 0xf4000000, 0, 0 };
	struct vmv_tlb_info t = { 0 };

	vmv_tlb_amd(&t, l5, l6, l19);
	EXPECT_EQ(t.l1d[VMV_TLB_4K], 72);
	EXPECT_EQ(t.l1d[VMV_TLB_2M], 72);
	EXPECT_EQ(t.l2[VMV_TLB_4K], 3072);
	EXPECT_EQ(t.l2[VMV_TLB_2M], 2048);
	EXPECT_EQ(t.l1d[VMV_TLB_1G], 64);
	EXPECT_EQ(t.l2[VMV_TLB_1G], 1024);
	EXPECT_STREQ(t.source, "CPUID 0x80000005/6, CPUID 0x80000019");
	memset(&t, 0, sizeof(t));
	vmv_tlb_amd(&t, NULL, q6, NULL);
	EXPECT_EQ(t.l2[VMV_TLB_4K], 512);
	EXPECT_EQ(t.l2[VMV_TLB_2M], 0);
}

UNIT_TEST(tlb_reach_and_needs)
{
	struct vmv_tlb_need n = { 0 };
	char path[] = "/tmp/vmview-smaps.XXXXXX";
	int fd;

	EXPECT_EQ(vmv_tlb_reach(64, VMV_TLB_4K), 256 << 10);
	EXPECT_EQ(vmv_tlb_reach(32, VMV_TLB_2M), 64 << 20);
	EXPECT_EQ(vmv_tlb_reach(16, VMV_TLB_1G), 16ULL << 30);
	EXPECT_EQ(vmv_tlb_reach(0, VMV_TLB_1G), 0);
	/* three 4K leaves and one 2M leaf: 4 entries, 515 if all 4K */
	vmv_tlb_need_add(&n, 4096, 4096);
	vmv_tlb_need_add(&n, 4096, 4096);
	vmv_tlb_need_add(&n, 2 << 20, 4096);
	vmv_tlb_need_add(&n, 4096, 4096);
	EXPECT_EQ(n.entries, 4);
	EXPECT_EQ(n.base_entries, 515);
	EXPECT_EQ(n.huge_leaves, 1);
	EXPECT_EQ(n.huge_bytes, 2 << 20);
	EXPECT_EQ(n.bytes, (2 << 20) + 3 * 4096);
	/* the same from smaps: Rss in base pages but PMD-mapped in 2M */
	fd = mkstemp(path);
	EXPECT(fd >= 0);
	EXPECT(write(fd, "Rss:                4108 kB\nPss: 4108 kB\nAnonHugePages:      2048 kB\nShmemPmdMapped:        0 kB\nFilePmdMapped:  2048 kB\n", 117) == 117);
	close(fd);
	EXPECT_EQ(vmv_tlb_need_of_smaps(path, &n, 4096, 2 << 20), 0);
	EXPECT_EQ(n.entries, 3 + 2);
	EXPECT_EQ(n.base_entries, 1027);
	EXPECT_EQ(n.huge_leaves, 2);
	unlink(path);
	EXPECT_EQ(vmv_tlb_need_of_smaps(path, &n, 4096, 2 << 20), -ENOENT);
}

/* The fixture's present leaves: 11 ptes and one 2M pmd. */
UNIT_TEST(summary_tlb_needs)
{
	struct json_object *o;
	struct run r;

	new_tree();
	r = RUN("-j", "summary", "1234");
	EXPECT_EQ(r.status, 0);
	o = parse_json(r.out);
	EXPECT_EQ(jint(o, "tlb.process.entries"), 12);
	EXPECT_EQ(jint(o, "tlb.process.base_page_entries"), 11 + 512);
	EXPECT_EQ(jint(o, "tlb.process.huge_leaves"), 1);
	EXPECT_EQ(jint(o, "tlb.process.resident_bytes"), (11 + 512) * 4096);
	EXPECT_STREQ(jstr(o, "tlb.process.from"), "ptes");
	EXPECT(jget(o, "tlb.known"));
	json_object_put(o);
	run_free(&r);
	r = RUN("summary", "1234");
	EXPECT_HAS(r.out, "TLB entries");
	EXPECT_HAS(r.out, "the process needs 12 TLB entries for its 2M resident");
	EXPECT(widest(r.out, "spaces") <= 80);
	run_free(&r);
}

/* The fixture's ptes with the accessed bit cleared on some. */
static void wss_tree(void)
{
	char *text;

	new_tree();
	put("proc/1234/clear_refs", "");
	text = get(PTES);
	/* 0x403000 (demo's data) and the 2M leaf were not touched again */
	sh("sed -i -e '/^0x0000000000403000/s/accessed,//' -e '/ pmd /s/accessed,//' %s/%s",
	   root, PTES);
	free(text);
	text = get(PTES);
	put_ptes(text);
	free(text);
}

UNIT_TEST(wss_counts_accessed_pages)
{
	struct json_object *o;
	struct run r;

	wss_tree();
	r = RUN("-j", "wss", "1234", "--interval", "0.01", "--rounds", "2");
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(get("proc/1234/clear_refs"), "1\n");
	o = parse_json(r.out);
	EXPECT_EQ(jlen(o, "rounds"), 2);
	EXPECT_EQ(jint(o, "rounds.1.round"), 2);
	EXPECT_EQ(jint(o, "rounds.0.resident_pages"), 11 + 512);
	EXPECT_EQ(jint(o, "rounds.0.accessed_pages"), 10);
	EXPECT_EQ(jint(o, "rounds.0.accessed_bytes"), 10 * 4096);
	/* per VMA: demo's data 1 of 2, the heap 3 of 3, the THP 0 of 512 */
	EXPECT_STREQ(jstr(o, "rounds.0.vmas.2.start"), "0x403000");
	EXPECT_EQ(jint(o, "rounds.0.vmas.2.resident_pages"), 2);
	EXPECT_EQ(jint(o, "rounds.0.vmas.2.accessed_pages"), 1);
	EXPECT_STREQ(jstr(o, "rounds.0.vmas.3.name"), "[heap]");
	EXPECT_EQ(jint(o, "rounds.0.vmas.3.accessed_pages"), 3);
	EXPECT_EQ(jint(o, "rounds.0.vmas.4.resident_pages"), 512);
	EXPECT_EQ(jint(o, "rounds.0.vmas.4.accessed_pages"), 0);
	json_object_put(o);
	run_free(&r);
	r = RUN("wss", "--interval", "0.01", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "round 1 of 1: PID 1234 (demo), 0.01 s after");
	EXPECT_HAS(r.out, "START           SIZE RESIDENT ACCESSED PAGES            NAME\n");
	EXPECT_HAS(r.out, "000000403000      8K       8K       4K 1/2 (50%)        /usr/bin/demo\n");
	EXPECT_HAS(r.out, "7f0000000000      4M       2M       0B 0/512 (0%)       [anon]\n");
	EXPECT_HAS(r.out, "total                      2M      40K 10/523 (2%)\n");
	EXPECT(widest(r.out, "spaces") <= 80);
	run_free(&r);
}

UNIT_TEST(wss_and_latency_errors)
{
	static const char *const bad[][6] = {
		{ "wss", "1234" },
		{ "wss", "1234", "--interval", "0" },
		{ "wss", "1234", "--interval", "abc" },
		{ "wss", "1234", "--interval", "-1" },
		{ "wss", "1234", "--interval", "3601" },
		{ "wss", "1234", "--interval", "nan" },
		{ "wss", "1234", "--interval", "1", "--rounds" },
		{ "wss", "abc", "--interval", "1" },
		{ "wss", "1234", "5", "--interval", "1" },
		{ "wss", "1234", "--interval", "1", "--quick" },
		{ "--rounds", "0", "wss", "1234", "--interval", "1" },
		{ "--rounds", "x", "wss", "1234", "--interval", "1" },
		{ "latency", "extra" },
		{ "latency", "--rounds", "2" },
		{ "latency", "--interval", "20" },
		{ "summary", "1234", "--quick" },
		{ "events", "1234", "--interval", "0.5" },
	};
	struct run r;
	size_t i;

	wss_tree();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = run_ex(NULL, NULL, 0, 0, bad[i]);
		if (r.status != 2 || lines(r.err) != 1 || *r.out)
			UNIT_FAIL("'%s %s %s %s' should be a one-line usage error (2), got %d: %s",
				  bad[i][0], bad[i][1] ? bad[i][1] : "",
				  bad[i][1] && bad[i][2] ? bad[i][2] : "",
				  bad[i][1] && bad[i][2] && bad[i][3] ? bad[i][3] : "",
				  r.status, r.err);
		run_free(&r);
	}
	r = RUN("-j", "wss", "1234", "--interval", "0");
	check_json_error(&r, 2, "usage");
	run_free(&r);
	r = RUN("wss", "999", "--interval", "0.01");
	check_error(&r, 6, "no_such_pid", "no process with PID 999");
	run_free(&r);
	rm("proc/1234/clear_refs");
	r = RUN("wss", "1234", "--interval", "0.01");
	check_error(&r, 9, "target_exited", "clear_refs");
	run_free(&r);
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "1234\n");
}

/*
 * latency on this very host, without the module (the fake tree has no
 * /proc/vmview): every row measured or skipped with a reason, the
 * counters' claims hold, the page-table column says why it is empty.
 */
/* A row's minor faults: at least the key's count, at most 1 + 1/16 more. */
static bool minflt_within(struct json_object *row, const char *key)
{
	long long got = jint(row, "faults.minflt"), want = jint(row, key);

	return got >= want && got - want <= 1 + want / 16;
}

UNIT_TEST(latency_without_module)
{
	struct json_object *o;
	char key[64];
	struct run r;
	size_t i;

	new_tree();
	rm("proc/vmview");
	r = RUN("-j", "latency", "--quick");
	EXPECT_EQ(r.status, 0);
	o = parse_json(r.out);
	EXPECT(!json_object_get_boolean(jget(o, "module")));
	EXPECT_STREQ(jstr(o, "page_tables"), "module not loaded");
	EXPECT_EQ(jlen(o, "rows"), 10);
	for (i = 0; i < jlen(o, "rows"); i++) {
		struct json_object *row = jget(o, (snprintf(key, sizeof(key), "rows.%zu", i), key));
		const char *res = jstr(row, "result");
		double med = json_object_get_double(jget(row, "median_ns"));

		if (!res || !strcmp(res, "skipped")) {
			EXPECT(jstr(row, "reason") && *jstr(row, "reason"));
			continue;
		}
		EXPECT_STREQ(res, "ok");
		EXPECT(med > 0);
		EXPECT(json_object_get_double(jget(row, "p10_ns")) <= med);
		EXPECT(json_object_get_double(jget(row, "p90_ns")) >= med);
		/*
		 * The process may count a fault or two the row did not
		 * cause (a stack or libc page first touched meanwhile): the
		 * CLI allows 1 plus 1/16 of the touches and says so.
		 */
		if (jget(row, "faults.expected_minflt"))
			EXPECT(minflt_within(row, "faults.expected_minflt"));
		if (strcmp(jstr(row, "name"), "context_switch") &&
		    strcmp(jstr(row, "name"), "syscall"))
			EXPECT_HAS(jstr(row, "page_tables"), "module not loaded");
	}
	EXPECT_STREQ(jstr(o, "rows.3.name"), "minor_fault");
	EXPECT(minflt_within(jget(o, "rows.3"), "repetitions"));
	EXPECT_EQ(jint(o, "rows.3.repetitions"), 32);
	EXPECT_EQ(jint(o, "rows.0.faults.minflt"), 0);
	EXPECT(jint(o, "tlb.process.entries") > 0);
	EXPECT_STREQ(jstr(o, "tlb.process.from"), "smaps_rollup");
	json_object_put(o);
	run_free(&r);
	r = RUN("latency", "--quick");
	EXPECT_HAS(r.out, "WHAT                             MEDIAN  P10-P90          TEXTBOOK   RATIO  CHECK\n");
	EXPECT_HAS(r.out, "        1 ns");
	EXPECT_HAS(r.out, "module not loaded");
	run_free(&r);
}

/* --- the faults target, driven the way faults drives it ------------------- */

struct target {
	pid_t pid;
	int cmd[2], reply[2];	/* ours: cmd[i] to write, reply[i] to read */
};

static int target_start(struct target *t)
{
	int p[4][2], i;

	for (i = 0; i < 4; i++)
		if (pipe(p[i]))
			return -1;
	t->pid = fork();
	if (!t->pid) {
		int hi[4] = { dup(p[0][0]), dup(p[1][1]), dup(p[2][0]),
			      dup(p[3][1]) };

		for (i = 0; i < 4; i++)
			dup2(hi[i], 3 + i);
		for (i = 7; i < 64; i++)
			close(i);
		execl(CLI, "vmview-cli", "__target", (char *)NULL);
		_exit(127);
	}
	t->cmd[0] = p[0][1];
	t->reply[0] = p[1][0];
	t->cmd[1] = p[2][1];
	t->reply[1] = p[3][0];
	close(p[0][0]);
	close(p[1][1]);
	close(p[2][0]);
	close(p[3][1]);
	return 0;
}

static char *target_ask(struct target *t, int who, const char *fmt, ...)
{
	static char buf[256];
	char line[256];
	size_t n = 0;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[len++] = '\n';
	if (write(t->cmd[who], line, len) != len)
		return "write failed";
	while (n + 1 < sizeof(buf) && read(t->reply[who], buf + n, 1) == 1 &&
	       buf[n] != '\n')
		n++;
	buf[n] = '\0';
	return buf;
}

UNIT_TEST(faults_target_protocol)
{
	unsigned long a, b;
	struct target t;
	char *rep, line[256];
	size_t n = 0;
	int status;

	if (target_start(&t)) {
		UNIT_FAIL("pipes");
		return;
	}
	while (n + 1 < sizeof(line) && read(t.reply[0], line + n, 1) == 1 &&
	       line[n] != '\n')
		n++;
	line[n] = '\0';
	EXPECT(!strncmp(line, "ok ", 3));
	rep = target_ask(&t, 0, "anon 4000 nohuge");
	EXPECT(sscanf(rep, "ok %lx", &a) == 1);
	/* a fresh page: the read is one minor fault (the zero page) */
	EXPECT_STREQ(target_ask(&t, 0, "read %lx", a), "ok 0 minflt=1 majflt=0");
	EXPECT_STREQ(target_ask(&t, 0, "write %lx", a), "ok minflt=1 majflt=0");
	EXPECT_STREQ(target_ask(&t, 0, "write %lx", a), "ok minflt=0 majflt=0");
	EXPECT_STREQ(target_ask(&t, 0, "fill %lx 2000", a + 0x1000),
		  "ok minflt=2 majflt=0");
	EXPECT_STREQ(target_ask(&t, 0, "protect %lx 1000 r", a), "ok");
	EXPECT_STREQ(target_ask(&t, 0, "segv %lx w", a),
		  (snprintf(line, sizeof(line), "ok 11 2 0x%lx killed 11", a),
		   line));
	rep = target_ask(&t, 0, "anon 1000 nohuge");
	EXPECT(sscanf(rep, "ok %lx", &b) == 1);
	EXPECT_STREQ(target_ask(&t, 0, "unmap %lx 1000", b), "ok");
	EXPECT_STREQ(target_ask(&t, 0, "segv %lx r", b),
		  (snprintf(line, sizeof(line), "ok 11 1 0x%lx killed 11", b),
		   line));
	rep = target_ask(&t, 0, "fork");
	EXPECT(!strncmp(rep, "ok ", 3) && atoi(rep + 3) > 0);
	n = 0;	/* the child says it is there */
	while (n + 1 < sizeof(line) && read(t.reply[1], line + n, 1) == 1 &&
	       line[n] != '\n')
		n++;
	line[n] = '\0';
	EXPECT_STREQ(line, "ok 0");
	/* copied at fork: no fault in the child */
	EXPECT_HAS(target_ask(&t, 1, "read %lx", a + 0x1000),
		  " minflt=0 majflt=0");
	EXPECT_STREQ(target_ask(&t, 1, "exit"), "ok");
	rep = target_ask(&t, 0, "mapfile %s", CLI);
	EXPECT(sscanf(rep, "ok %lx", &b) == 1);
	rep = target_ask(&t, 0, "read %lx", b);
	EXPECT_STREQ(rep, "ok 127 minflt=1 majflt=0");	/* \177ELF */
	EXPECT_STREQ(target_ask(&t, 0, "mincore %lx", b), "ok 1");
	EXPECT_STREQ(target_ask(&t, 0, "dropcache"), "ok");
	EXPECT(!strncmp(target_ask(&t, 0, "mapfile /nonexistent"), "err ", 4));
	EXPECT(!strncmp(target_ask(&t, 0, "bogus"), "err unknown command", 19));
	EXPECT_STREQ(target_ask(&t, 0, "exit"), "ok");
	waitpid(t.pid, &status, 0);
	EXPECT(WIFEXITED(status) && !WEXITSTATUS(status));
}

/* --- ptes streamed: the same bytes as before ---------------------------- */

/*
 * The streaming writer (json.c) and the lean ptes row (format.c) are
 * held to what they replaced, byte for byte: json-c printing the whole
 * tree with vmv_pte_json() (kept: translate and faults use it, and here
 * it is the reference), and the row as snprintf() made it (old_row()
 * below, the formatter as it was).
 */

/* A vmv_jw writing into memory; jw_text() ends it and gives the text. */
struct jw_mem {
	char *text;
	size_t len;
	FILE *f;
	struct vmv_jw w;
};

static void jw_mem_open(struct jw_mem *m, bool pretty)
{
	memset(m, 0, sizeof(*m));
	m->f = open_memstream(&m->text, &m->len);
	m->w.f = m->f;
	m->w.pretty = pretty;
	m->w.first = true;
}

static char *jw_text(struct jw_mem *m)
{
	vmv_jw_flush(&m->w);
	fclose(m->f);
	return m->text;
}

/* json-c's flags for -j (pretty false) or -p. */
static int jc_flags(bool pretty)
{
	bool was = vmv_opts.pretty;
	int fl;

	vmv_opts.pretty = pretty;
	fl = vmv_json_flags();
	vmv_opts.pretty = was;
	return fl;
}

/* The writer's text is json-c's for o (which is freed); both freed. */
static void expect_jc(char *got, struct json_object *o, bool pretty,
		      const char *what)
{
	const char *want = json_object_to_json_string_ext(o, jc_flags(pretty));

	if (strcmp(got, want))
		UNIT_FAIL("%s (%s):\n#     got  \"%s\"\n#     want \"%s\"", what,
			  pretty ? "pretty" : "plain", got, want);
	free(got);
	json_object_put(o);
}

/* Where two long texts first differ, reported; true when they do not. */
static bool same_text(const char *got, const char *want, const char *what)
{
	size_t i = 0;

	if (!got || !want) {
		UNIT_FAIL("%s: no text", what);
		return false;
	}
	while (got[i] && got[i] == want[i])
		i++;
	if (got[i] == want[i])
		return true;
	UNIT_FAIL("%s: differs at byte %zu of %zu (want %zu):\n#     got  \"%.60s\"\n#     want \"%.60s\"",
		  what, i, strlen(got), strlen(want),
		  got + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
	return false;
}

/*
 * Strings (every byte value, as a value and as a key), integers at their
 * limits, "0x" strings, null, lists of words, and objects and arrays
 * nested and empty, pretty and not: the writer prints what json-c does.
 */
UNIT_TEST(json_writer_is_json_c)
{
	static const char * const lists[] = {
		"-", "", "a", "present,rw", ",a,,b,", "a\"b,c\\d",
		"x,\x01y\x7f",
	};
	static const uint64_t u[] = { 0, 1, 9, 10, 4096, 1ULL << 53,
				      UINT64_MAX };
	static const int64_t i64[] = { INT64_MIN, -1024, -1, 0, 1, 1023,
				       INT64_MAX };
	char s[4], all[256], *big;
	struct json_object *o, *a, *b;
	struct jw_mem m;
	int pretty, c;
	size_t i;

	for (i = 1; i < 256; i++)
		all[i - 1] = i;
	all[255] = '\0';
	big = malloc(20001);
	for (i = 0; i < 20000; i++)
		big[i] = "a\"\\\x01/\xc3\xa9z"[i % 8];
	big[20000] = '\0';
	for (pretty = 0; pretty < 2; pretty++) {
		for (c = 1; c < 256; c++) {
			snprintf(s, sizeof(s), "a%cb", c);
			jw_mem_open(&m, pretty);
			vmv_jw_str(&m.w, NULL, s);
			expect_jc(jw_text(&m), json_object_new_string(s),
				  pretty, "a byte");
			jw_mem_open(&m, pretty);
			vmv_jw_open(&m.w, NULL, '{');
			vmv_jw_str(&m.w, s, s + 1);
			vmv_jw_close(&m.w, '}');
			o = json_object_new_object();
			vmv_json_add_str(o, s, s + 1);
			expect_jc(jw_text(&m), o, pretty, "a byte in a key");
		}
		jw_mem_open(&m, pretty);
		vmv_jw_open(&m.w, NULL, '[');
		vmv_jw_str(&m.w, NULL, all);
		vmv_jw_str(&m.w, NULL, "");
		vmv_jw_str(&m.w, NULL, NULL);
		vmv_jw_null(&m.w, NULL);
		vmv_jw_str(&m.w, NULL, big);	/* more than the buffer */
		vmv_jw_close(&m.w, ']');
		o = json_object_new_array();
		json_object_array_add(o, json_object_new_string(all));
		json_object_array_add(o, json_object_new_string(""));
		json_object_array_add(o, NULL);
		json_object_array_add(o, NULL);
		json_object_array_add(o, json_object_new_string(big));
		expect_jc(jw_text(&m), o, pretty, "every byte");

		jw_mem_open(&m, pretty);
		vmv_jw_open(&m.w, NULL, '{');
		o = json_object_new_object();
		for (i = 0; i < ARRAY_SIZE(u); i++) {
			snprintf(s, sizeof(s), "u%zu", i);
			vmv_jw_u64(&m.w, s, u[i]);
			vmv_json_add_u64(o, s, u[i]);
			snprintf(s, sizeof(s), "x%zu", i);
			vmv_jw_hex(&m.w, s, u[i]);
			vmv_json_add_hex(o, s, u[i]);
			snprintf(s, sizeof(s), "i%zu", i);
			vmv_jw_i64(&m.w, s, i64[i]);
			vmv_json_add_i64(o, s, i64[i]);
		}
		for (i = 0; i < ARRAY_SIZE(lists); i++) {
			snprintf(s, sizeof(s), "l%zu", i);
			vmv_jw_words(&m.w, s, lists[i]);
			vmv_json_add(o, s, vmv_json_list(lists[i]));
		}
		vmv_jw_words(&m.w, "lnull", NULL);
		vmv_json_add(o, "lnull", vmv_json_list(NULL));
		vmv_jw_close(&m.w, '}');
		expect_jc(jw_text(&m), o, pretty, "numbers and lists");

		/* {"a":[],"b":{},"c":[1,[2,{}],{"d":null,"e":[[]]}]} */
		jw_mem_open(&m, pretty);
		vmv_jw_open(&m.w, NULL, '{');
		vmv_jw_open(&m.w, "a", '[');
		vmv_jw_close(&m.w, ']');
		vmv_jw_open(&m.w, "b", '{');
		vmv_jw_close(&m.w, '}');
		vmv_jw_open(&m.w, "c", '[');
		vmv_jw_u64(&m.w, NULL, 1);
		vmv_jw_open(&m.w, NULL, '[');
		vmv_jw_u64(&m.w, NULL, 2);
		vmv_jw_open(&m.w, NULL, '{');
		vmv_jw_close(&m.w, '}');
		vmv_jw_close(&m.w, ']');
		vmv_jw_open(&m.w, NULL, '{');
		vmv_jw_null(&m.w, "d");
		vmv_jw_open(&m.w, "e", '[');
		vmv_jw_open(&m.w, NULL, '[');
		vmv_jw_close(&m.w, ']');
		vmv_jw_close(&m.w, ']');
		vmv_jw_close(&m.w, '}');
		vmv_jw_close(&m.w, ']');
		vmv_jw_close(&m.w, '}');
		o = json_object_new_object();
		vmv_json_add(o, "a", json_object_new_array());
		vmv_json_add(o, "b", json_object_new_object());
		a = json_object_new_array();
		json_object_array_add(a, json_object_new_uint64(1));
		b = json_object_new_array();
		json_object_array_add(b, json_object_new_uint64(2));
		json_object_array_add(b, json_object_new_object());
		json_object_array_add(a, b);
		b = json_object_new_object();
		vmv_json_add(b, "d", NULL);
		vmv_json_add(b, "e", json_object_new_array());
		json_object_array_add(json_object_object_get(b, "e"),
				      json_object_new_array());
		json_object_array_add(a, b);
		vmv_json_add(o, "c", a);
		expect_jc(jw_text(&m), o, pretty, "nesting");

		/* many members: the buffer fills and is flushed */
		jw_mem_open(&m, pretty);
		vmv_jw_open(&m.w, NULL, '[');
		o = json_object_new_array();
		for (i = 0; i < 5000; i++) {
			vmv_jw_hex(&m.w, NULL, i * 0x1000);
			json_object_array_add(o, vmv_json_hex(i * 0x1000));
		}
		vmv_jw_close(&m.w, ']');
		expect_jc(jw_text(&m), o, pretty, "5000 members");
		/* empty strings, at every place of the buffer's end */
		jw_mem_open(&m, pretty);
		vmv_jw_open(&m.w, NULL, '[');
		o = json_object_new_array();
		for (i = 0; i < 10000; i++) {
			vmv_jw_str(&m.w, NULL, i % 3 ? "" : "x");
			json_object_array_add(o, json_object_new_string(
						      i % 3 ? "" : "x"));
		}
		vmv_jw_close(&m.w, ']');
		expect_jc(jw_text(&m), o, pretty, "empty strings");
	}
	free(big);
}

/*
 * A fake tree's PID/ptes of n entries of every kind, level and flag
 * (x86's words), in address order: anonymous, file, zero and KSM
 * pages, every flag and page flag at once, a page without flags, huge
 * leaves at the pmd and pud, folios of orders 1 to 31, protnone, swap
 * (types 0 and 31), migration (also at the pmd), device-private and
 * -exclusive, hwpoison, markers.
 */
/*
 * n entries of every kind and level, run entries in a row of each (ptes
 * prints a run's second and later entries from what the first left in
 * its cache; --range's start cuts into a run), then the next.
 */
static char *big_ptes_runs(size_t n, size_t run)
{
	static const char * const tmpl[] = {
		"pte 0x8000000012345867 present pfn=0x12345 flags=present,rw,user,accessed,dirty,nx page=anon,lru,swapbacked order=0 mapcount=1",
		"pte 0x0000000012346025 present pfn=0x12346 flags=present,user,accessed,global page=file,lru,active,referenced order=2 mapcount=7",
		"pte 0x8000000003c00225 present pfn=0x3c00 flags=present,user,accessed,nx,special page=zero order=0 mapcount=0",
		"pte 0x8000000012347867 present pfn=0x12347 flags=present,rw,user,accessed,dirty,nx,softdirty page=ksm,anon,lru order=0 mapcount=1023",
		"pte 0xffffffffffffffff present pfn=0xfffffffffffff flags=present,rw,user,pwt,pcd,accessed,dirty,pse,pat,global,nx,softdirty,special,uffd-wp,devmap,protnone,exclusive page=anon,file,ksm,zero,lru,active,referenced,unevictable,mlocked,swapcache,swapbacked,dirty,writeback,large order=31 mapcount=1023",
		"pte 0x0000000002345025 present pfn=0x2345 flags=present,user,accessed page=- order=0 mapcount=1",
		"pte 0x8000000012348867 present pfn=0x12348 flags=present,rw,user,accessed,dirty,nx page=anon,lru,swapbacked,large order=1 mapcount=2",
		"pte 0x0000000000000001 present pfn=0x0 flags=present",
		"pmd 0x80000000234008e7 present pfn=0x23400 flags=present,rw,user,accessed,dirty,pse,nx page=anon,swapbacked,large order=9 mapcount=1",
		"pud 0x80000000400008e7 present pfn=0x40000 flags=present,rw,user,accessed,dirty,pse,nx page=anon,large order=18 mapcount=1",
		"pte 0x8000000012345024 protnone pfn=0x12345 flags=user,accessed,nx,protnone page=file,lru,active,referenced order=2 mapcount=7",
		"pte 0x7ffffffffffff900 swap pfn=- swap=0:0x3 flags=exclusive",
		"pte 0xfffffe0000000200 swap pfn=- swap=31:0xffffffffff flags=softdirty,exclusive,uffd-wp",
		"pte 0xeffffffcfb975d40 migration pfn=0x12345 swap=29:0x30000012345 flags=-",
		"pmd 0xeffffffcfb975d40 migration pfn=0x12345 swap=29:0x30000012345 flags=exclusive",
		"pte 0xd80000000007fc40 device-private pfn=0x777 swap=27:0x777 flags=uffd-wp",
		"pte 0xe00000000007fc40 device-exclusive pfn=0x778 swap=28:0x778 flags=-",
		"pte 0xf000000000b77b40 hwpoison pfn=0x4242 swap=30:0x4242 flags=-",
		"pte 0xf800000000000000 marker pfn=- swap=31:0x1 flags=-",
	};
	char *text = malloc(n * 400 + 64), *p = text;
	size_t i;

	p += sprintf(p, "# vmview ptes: pid 1234\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "0x%016" PRIx64 " %s\n",
			     (uint64_t)i << 12, tmpl[i / run % ARRAY_SIZE(tmpl)]);
	return text;
}

static char *big_ptes(size_t n)
{
	return big_ptes_runs(n, 1);
}

/*
 * ptes' document as json-c printed it whole before it was streamed:
 * {"pid", "ptes": [vmv_pte_json() of each record of ptes.bin]}, with
 * ptes' filters (kind: NULL for any) and --symbolize's "symbol".
 */
static char *ptes_json_c(bool pretty, const char *kind, uint64_t start,
			 uint64_t end, bool symbolize)
{
	struct json_object *top = json_object_new_object();
	struct json_object *a = json_object_new_array(), *e;
	struct vmv_vmas vmas = { 0 };
	const struct vmview_pte *rec;
	char path[512], *bin, *text, sym[256];
	struct vmv_pte p;
	size_t len, i;

	snprintf(path, sizeof(path), "%s/" PTES ".bin", root);
	if (vmv_read_path(path, &bin, &len))
		return strdup("");
	if (symbolize) {
		text = get("sys/kernel/debug/vmview/1234/vmas");
		EXPECT_EQ(vmv_parse_vmas(text, &vmas), 0);
		free(text);
	}
	vmv_opts.root = root;
	vmv_json_add_i64(top, "pid", 1234);
	for (i = 0; i + sizeof(*rec) <= len; i += sizeof(*rec)) {
		rec = (const void *)(bin + i);
		EXPECT_EQ(vmv_pte_from_rec(rec, &p), 0);
		if (p.vaddr >= end)
			break;
		if (p.vaddr + vmv_pte_size(&p) <= start ||
		    (kind && strcmp(kind, p.kind)))
			continue;
		e = vmv_pte_json(&p);
		if (symbolize) {
			vmv_symbolize_pte(1234, &vmas, p.vaddr, sym,
					  sizeof(sym));
			vmv_json_add_str(e, "symbol", *sym ? sym : NULL);
		}
		json_object_array_add(a, e);
	}
	vmv_opts.root = "";
	vmv_json_add(top, "ptes", a);
	if (asprintf(&text, "%s\n", json_object_to_json_string_ext(
			top, jc_flags(pretty))) < 0)
		text = NULL;
	json_object_put(top);
	vmv_vmas_free(&vmas);
	vmv_symbolize_cleanup();
	free(bin);
	return text;
}

/* The CLI's -j or -p ptes (with args after "ptes") is ptes_json_c(). */
static void expect_ptes_json(bool pretty, const char *kind, uint64_t start,
			     uint64_t end, bool symbolize, const char *what)
{
	const char *argv[12];
	char range[64], *want;
	struct run r;
	int n = 0;

	argv[n++] = pretty ? "-p" : "-j";
	if (symbolize)
		argv[n++] = "--symbolize";
	argv[n++] = "ptes";
	argv[n++] = "1234";
	if (kind) {
		argv[n++] = "--kind";
		argv[n++] = kind;
	}
	if (start || end != UINT64_MAX) {
		snprintf(range, sizeof(range), "%" PRIx64 "-%" PRIx64, start,
			 end);
		argv[n++] = "--range";
		argv[n++] = range;
	}
	argv[n] = NULL;
	r = run_ex(NULL, NULL, 0, 0, argv);
	EXPECT_EQ(r.status, 0);
	want = ptes_json_c(pretty, kind, start, end, symbolize);
	same_text(r.out, want, what);
	free(want);
	run_free(&r);
}

/*
 * Each entry of the big tree (x86) and of arm64 lines, written by the
 * writer as a document and as a member, is json-c's vmv_pte_json().
 */
UNIT_TEST(pte_json_streamed_is_json_c)
{
	static const char * const arm64[] = {
		"0x0000aaaab0400000 pte 0x0020000041234fc3 present pfn=0x41234 flags=valid,user,rdonly,ng,af,sh,pxn mt=normal page=file,lru,referenced order=0 mapcount=2",
		"0x0000ffff9a600000 pmd 0x0068000042400f41 present pfn=0x42400 flags=valid,dbm,user,ng,af,dirty,block,sh,pxn,uxn,cont mt=normal-tagged page=anon,large order=9 mapcount=1",
		"0x0000ffff9b000000 pte 0x0068000010000703 present pfn=0x10000 flags=valid,dbm,ng,af,pxn,uxn mt=device-ngnrne",
		"0x0000ffff9b001000 pte 0x0068000010000703 present pfn=0x10000 flags=valid mt=17",
		"0x0000ffff9a403000 pte 0x0030000012345744 migration pfn=0x12345 swap=29:0x30000012345 flags=exclusive",
	};
	char *text = big_ptes(19), *line, *eol, why[256];
	struct json_object *o;
	struct vmv_pte p;
	struct jw_mem m;
	int pretty, n = 0;
	size_t i;

	for (line = strchr(text, '\n') + 1; *line; line = eol + 1, n++) {
		eol = strchr(line, '\n');
		*eol = '\0';
		EXPECT_EQ(vmv_parse_pte_line(line, &p), 0);
		for (pretty = 0; pretty < 2; pretty++) {
			jw_mem_open(&m, pretty);
			vmv_jw_open(&m.w, NULL, '{');
			vmv_pte_jw(&m.w, &p);
			vmv_jw_close(&m.w, '}');
			expect_jc(jw_text(&m), vmv_pte_json(&p), pretty, line);
			/* as translate's "leaf", with ptes' "symbol" */
			jw_mem_open(&m, pretty);
			vmv_jw_open(&m.w, NULL, '{');
			vmv_jw_open(&m.w, "leaf", '{');
			vmv_pte_jw(&m.w, &p);
			vmv_jw_str(&m.w, "symbol", n % 2 ? NULL : ".text \"x\"");
			vmv_jw_close(&m.w, '}');
			vmv_jw_close(&m.w, '}');
			o = json_object_new_object();
			vmv_json_add(o, "leaf", vmv_pte_json(&p));
			vmv_json_add_str(json_object_object_get(o, "leaf"),
					 "symbol", n % 2 ? NULL : ".text \"x\"");
			expect_jc(jw_text(&m), o, pretty, line);
		}
	}
	free(text);
	EXPECT_EQ(n, 19);
	EXPECT_EQ(set_paging(ARM64_4K, why, sizeof(why)), 0);
	for (i = 0; i < ARRAY_SIZE(arm64); i++) {
		EXPECT_EQ(vmv_parse_pte_line(arm64[i], &p), 0);
		for (pretty = 0; pretty < 2; pretty++) {
			jw_mem_open(&m, pretty);
			vmv_jw_open(&m.w, NULL, '{');
			vmv_pte_jw(&m.w, &p);
			vmv_jw_close(&m.w, '}');
			expect_jc(jw_text(&m), vmv_pte_json(&p), pretty,
				  arm64[i]);
		}
	}
}

/*
 * The whole document, streamed by the CLI, is json-c's: on the fixture,
 * on a tree of 2^14 + 3 entries of every kind (eight reads of ptes.bin),
 * with and without --kind and --range, and on arm64's tree.
 */
UNIT_TEST(ptes_json_streamed_is_json_c)
{
	static const char * const kinds[] = {
		"present", "protnone", "swap", "migration", "device-private",
		"device-exclusive", "hwpoison", "marker",
	};
	char *text;
	int pretty;
	size_t i;

	new_tree();
	for (pretty = 0; pretty < 2; pretty++) {
		expect_ptes_json(pretty, NULL, 0, UINT64_MAX, false, "fixture");
		expect_ptes_json(pretty, "swap", 0, UINT64_MAX, false,
				 "fixture, --kind swap");
		expect_ptes_json(pretty, "marker", 0, UINT64_MAX, false,
				 "fixture, no entry");
	}
	text = big_ptes((1 << 14) + 3);
	put_ptes(text);
	free(text);
	for (pretty = 0; pretty < 2; pretty++) {
		expect_ptes_json(pretty, NULL, 0, UINT64_MAX, false, "big tree");
		expect_ptes_json(pretty, NULL, 0x5000, 0x123456, false,
				 "big tree, --range");
	}
	text = big_ptes_runs((1 << 14) + 3, 7);
	put_ptes(text);
	free(text);
	for (pretty = 0; pretty < 2; pretty++) {
		expect_ptes_json(pretty, NULL, 0, UINT64_MAX, false,
				 "big tree in runs");
		expect_ptes_json(pretty, NULL, 0x5000, 0x123456, false,
				 "big tree in runs, --range");
		expect_ptes_json(pretty, "present", 0x3000, UINT64_MAX, false,
				 "big tree in runs, --kind present");
		expect_ptes_json(pretty, "swap", 0, UINT64_MAX, false,
				 "big tree in runs, --kind swap");
	}
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		expect_ptes_json(i % 2, kinds[i], 0, UINT64_MAX, false, kinds[i]);
	drop_tree();
	arm64_tree();
	for (pretty = 0; pretty < 2; pretty++)
		expect_ptes_json(pretty, NULL, 0, UINT64_MAX, false, "arm64");
}

/*
 * A symbol whose name needs escaping (quote, backslash, slash, control
 * bytes, DEL, UTF-8 and bytes that are not), in an ELF file whose path
 * has a quote and a backslash: the symbol the CLI streams is json-c's.
 */
UNIT_TEST(ptes_json_symbol_escaped_as_json_c)
{
	static const char plain[] = "vmvjsonescape_0123456789ab";
	/* as long as plain, no NUL, not starting with '$' */
	static const char odd[] = "\"\\/\x01\x1f\x7f\xc3\xa9\t\n\b\f\r\xff\x80 q\"\\/e_nd!!";
	char src[300], elf[300], cmd[1024], line[512], name[64], text[1024];
	uint64_t addr, off, fn = 0, text_addr = 0, text_off = 0, page;
	char *bin, *p;
	size_t len, n = 0;
	FILE *f;
	int pretty;

	_Static_assert(sizeof(odd) == sizeof(plain), "same length");
	new_tree();
	snprintf(src, sizeof(src), "%s/odd.c", root);
	snprintf(elf, sizeof(elf), "%s/usr/bin/o\"dd\\x", root);
	put("odd.c", "int vmvjsonescape_0123456789ab(int x) { return x + 1; }\n"
		     "int main(int argc, char **argv)\n"
		     "{\n\t(void)argv;\n\treturn vmvjsonescape_0123456789ab(argc);\n}\n");
	sh("mkdir -p '%s/usr/bin' && cc -O0 -o '%s' '%s'", root, elf, src);
	snprintf(cmd, sizeof(cmd), "nm '%s'; readelf -SW '%s'", elf, elf);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *q = strchr(line, ']');

		if (sscanf(line, "%" SCNx64 " T %63s", &addr, name) == 2 &&
		    !strcmp(name, plain))
			fn = addr;
		if (q && sscanf(q + 1, " %63s %*s %" SCNx64 " %" SCNx64, name,
				&addr, &off) == 3 && !strcmp(name, ".text")) {
			text_addr = addr;
			text_off = off;
		}
	}
	if (f)
		pclose(f);
	if (!fn || !text_addr) {
		UNIT_FAIL("could not build and inspect %s", elf);
		return;
	}
	/* the symbol's name, made odd in every string table */
	EXPECT_EQ(vmv_read_path(elf, &bin, &len), 0);
	for (p = bin; (p = memmem(p, bin + len - p, plain, sizeof(plain) - 1));
	     p += sizeof(plain) - 1, n++)
		memcpy(p, odd, sizeof(odd) - 1);
	EXPECT(n > 0);
	f = fopen(elf, "w");
	EXPECT(f && fwrite(bin, 1, len, f) == len);
	if (f)
		fclose(f);
	free(bin);

	off = text_off + (fn - text_addr);
	page = off & ~0xfffULL;
	snprintf(text, sizeof(text),
		 "00400000-00401000 r-xp %08" PRIx64 " 00:1f 100 rss=1 swap=0 thp=0 flags=read,exec /usr/bin/o\"dd\\x\n",
		 page);
	put("sys/kernel/debug/vmview/1234/vmas", text);
	snprintf(text, sizeof(text),
		 "0x%016" PRIx64 " pte 0x0000000012346025 present pfn=0x12346 flags=present,user,accessed page=file order=0 mapcount=1\n"
		 /* in no VMA: "symbol": null */
		 "0x0000000000500000 pte 0x0000000012347025 present pfn=0x12347 flags=present,user,accessed page=anon order=0 mapcount=1\n",
		 0x400000 + (off - page));
	put_ptes(text);
	for (pretty = 0; pretty < 2; pretty++) {
		struct run r = pretty ? RUN("-p", "--symbolize", "ptes", "1234") :
					RUN("-j", "--symbolize", "ptes", "1234");

		EXPECT_EQ(r.status, 0);
		EXPECT_HAS(r.out, "\\\"\\\\/\\u0001\\u001f\x7f\xc3\xa9\\t\\n\\b\\f\\r\xff\x80 q\\\"\\\\/e_nd!!");
		EXPECT_HAS(r.out, pretty ? "\"symbol\": null" : "\"symbol\":null");
		run_free(&r);
		expect_ptes_json(pretty, NULL, 0, UINT64_MAX, true,
				 "an odd symbol");
	}
}

/* The ptes row as snprintf() made it before: the reference. */
static void old_row(char *buf, size_t len, const struct vmv_pte *pte)
{
	static const enum vmview_pflag kinds[] = {
		VMVIEW_P_ZERO, VMVIEW_P_KSM, VMVIEW_P_ANON, VMVIEW_P_FILE
	};
	char letters[11], pfn[24], page[24] = "", maps[12] = "";
	char addr[24], entry[24];
	const char *kind = "other";
	size_t i;

	vmv_flag_letters(letters, pte);
	if (pte->pfn != VMVIEW_NO_PFN)
		snprintf(pfn, sizeof(pfn), "%" PRIx64, pte->pfn);
	else if (pte->has_swap)
		snprintf(pfn, sizeof(pfn), "%u:%" PRIx64, pte->swap_type,
			 pte->swap_offset);
	else
		snprintf(pfn, sizeof(pfn), "-");
	if (pte->has_page) {
		for (i = ARRAY_SIZE(kinds); i-- > 0;)
			if (vmv_has_word(pte->page,
					 vmv_page_flag_names[kinds[i]]))
				kind = vmv_page_flag_names[kinds[i]];
		if (pte->order > 0)
			snprintf(page, sizeof(page), "%s:%d", kind, pte->order);
		else
			snprintf(page, sizeof(page), "%s", kind);
		if (pte->mapcount >= 0)
			snprintf(maps, sizeof(maps), "%d", pte->mapcount);
	}
	snprintf(addr, sizeof(addr), "%012" PRIx64, pte->vaddr);
	snprintf(entry, sizeof(entry), "%016" PRIx64, pte->entry);
	snprintf(buf, len, "%-12s  %-3s %-16s %-8s %-11s %-10s %-7s %4s%s%s",
		 addr, pte->level, entry, pte->kind, pfn, letters, page, maps,
		 *pte->mt ? " " : "", pte->mt);
	len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = '\0';
}

/* A flag as vmv_pte_flag() read it from the words before the bits. */
static bool old_flag(const struct vmv_pte *pte, const char *x86_word)
{
	static const struct {
		const char *x86, *arm64;
	} same[] = {
		{ "present", "valid" }, { "accessed", "af" },
		{ "pse", "block" }, { "nx", "uxn" },
		{ "softdirty", NULL }, { "pwt", NULL }, { "pcd", NULL },
		{ "pat", NULL },
	};
	const char *f = pte->flags;
	size_t i;

	if (pte->arch != VMVIEW_ARCH_ARM64)
		return vmv_has_word(f, x86_word);
	if (!strcmp(x86_word, "rw"))
		return vmv_has_word(f, "dbm") ||
		       (vmv_has_word(f, "valid") && !vmv_has_word(f, "rdonly"));
	if (!strcmp(x86_word, "global"))
		return vmv_has_word(f, "valid") && !vmv_has_word(f, "ng");
	for (i = 0; i < ARRAY_SIZE(same); i++)
		if (!strcmp(x86_word, same[i].x86))
			return same[i].arm64 && vmv_has_word(f, same[i].arm64);
	return vmv_has_word(f, x86_word);
}

/* Rows, letters and flag questions of every record of a tree: as before. */
static void expect_old_rows(const char *what)
{
	const struct vmview_pte *rec;
	char path[512], *bin, a[512], b[512];
	struct vmv_pte p, t;
	size_t len, i, w;

	snprintf(path, sizeof(path), "%s/" PTES ".bin", root);
	EXPECT_EQ(vmv_read_path(path, &bin, &len), 0);
	for (i = 0; i + sizeof(*rec) <= len; i += sizeof(*rec)) {
		rec = (const void *)(bin + i);
		EXPECT_EQ(vmv_pte_from_rec(rec, &p), 0);
		EXPECT_EQ(vmv_fmt_pte_row(a, sizeof(a), &p), strlen(a));
		old_row(b, sizeof(b), &p);
		if (strcmp(a, b)) {
			UNIT_FAIL("%s: row %zu:\n#     got  \"%s\"\n#     want \"%s\"",
				  what, i / sizeof(*rec), a, b);
			break;
		}
		for (w = 0; w < VMVIEW_NR_FLAGS; w++) {
			EXPECT_EQ(vmv_pte_flag(&p, vmv_flag_names[w]),
				  old_flag(&p, vmv_flag_names[w]));
			EXPECT_EQ(vmv_pte_flag(&p, vmv_arm64_flag_names[w]),
				  old_flag(&p, vmv_arm64_flag_names[w]));
		}
		/* a record and its words, read back as a line, agree */
		snprintf(a, sizeof(a), "0x%016" PRIx64 " %s 0x%016" PRIx64 " %s pfn=- flags=%s%s%s%s%s",
			 p.vaddr, p.level, p.entry, p.kind, p.flags,
			 *p.mt ? " mt=" : "", p.mt,
			 p.has_page ? " page=" : "", p.has_page ? p.page : "");
		EXPECT_EQ(vmv_parse_pte_line(a, &t), 0);
		EXPECT_EQ(t.kind_nr, p.kind_nr);
		EXPECT_EQ(t.level_nr, p.level_nr);
		EXPECT_EQ(t.flag_bits, p.flag_bits);
		EXPECT_EQ(t.page_bits, p.page_bits);
	}
	free(bin);
}

/* ptes of the tree is the header and old_row() of each record of ptes.bin. */
static void expect_ptes_old_rows(const char *what)
{
	char *text, *want, *p, row[512];
	const struct vmview_pte *rec;
	struct vmv_pte pte;
	size_t len, i;
	struct run r;

	snprintf(row, sizeof(row), "%s/" PTES ".bin", root);
	EXPECT_EQ(vmv_read_path(row, &text, &len), 0);
	want = malloc(len / sizeof(*rec) * 128 + 256);
	p = want;
	vmv_pte_header(row, sizeof(row));
	p += sprintf(p, "%s\n", row);
	for (i = 0; i + sizeof(*rec) <= len; i += sizeof(*rec)) {
		rec = (const void *)(text + i);
		vmv_pte_from_rec(rec, &pte);
		old_row(row, sizeof(row), &pte);
		p += sprintf(p, "%s\n", row);
	}
	free(text);
	r = RUN("ptes", "1234");
	EXPECT_EQ(r.status, 0);
	same_text(r.out, want, what);
	run_free(&r);
	free(want);
}

/*
 * The text of ptes, made without printf now, is what it was: each row of
 * the big tree (x86) and of arm64's is old_row()'s, vmv_pte_flag() says
 * what it said from the words, and the CLI prints the header and old
 * rows (2 MiB of them, through its 64 KiB buffer), also where entries
 * come in runs of the same kind and flags (the run's later rows are
 * made from what its first left in the cache).
 */
UNIT_TEST(ptes_rows_as_before)
{
	struct vmv_pte pte;
	char *text;
	size_t i;

	/* vmv_pte_from_rec() copies these words with strcpy() */
	for (i = 0; i < VMVIEW_NR_KINDS; i++)
		EXPECT(strlen(vmv_kind_names[i]) < sizeof(pte.kind));
	for (i = 0; i < VMVIEW_NR_LEVELS; i++)
		EXPECT(strlen(vmv_level_names[i]) < sizeof(pte.level));
	for (i = 0; i < VMVIEW_NR_MTS; i++)
		EXPECT(strlen(vmv_mt_names[i]) < sizeof(pte.mt));

	new_tree();
	text = big_ptes((1 << 14) + 3);
	put_ptes(text);
	free(text);
	expect_old_rows("x86");
	expect_ptes_old_rows("big tree");
	text = big_ptes_runs((1 << 14) + 3, 7);
	put_ptes(text);
	free(text);
	expect_ptes_old_rows("big tree in runs");
	drop_tree();
	arm64_tree();
	expect_old_rows("arm64");
}


/* --- watch, driven in tmux ------------------------------------------------ */

/*
 * watch needs a terminal: tmux gives it one (a server of the test's own,
 * on a socket beside the fake tree), types into it (send-keys) and reads
 * the screen back (capture-pane).  The pane runs a shell, so that what
 * watch leaves behind (its exit status, the terminal's settings, the
 * shell's prompt) is read on the screen too.
 */
static char tmux_sock[300];

/* Run tmux with args on the test's server; its stdout, or NULL. */
static char *tmux(const char *const *args)
{
	const char *argv[24] = { "tmux", "-S", tmux_sock, "-f", "/dev/null" };
	char path[320], *out;
	int i, fd, status;
	pid_t pid;

	for (i = 0; args[i] && i < 18; i++)
		argv[5 + i] = args[i];
	snprintf(path, sizeof(path), "%s.cap", tmux_sock);
	fflush(stdout);
	pid = fork();
	if (!pid) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		unsetenv("TMUX");
		execvp("tmux", (char **)argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	out = slurp(path);
	unlink(path);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		free(out);
		return NULL;
	}
	return out;
}

#define TMUX(...) tmux((const char *const[]){ __VA_ARGS__, NULL })

static void tmux_do(const char *const *args)
{
	char *out = tmux(args);

	if (!out)
		UNIT_FAIL("tmux %s %s failed", args[0], args[1] ? args[1] : "");
	free(out);
}

#define TMUX_DO(...) tmux_do((const char *const[]){ __VA_ARGS__, NULL })

/* Type a line into the pane's shell. */
static void type_line(const char *line)
{
	TMUX_DO("send-keys", "-t", "w", "-l", line);
	TMUX_DO("send-keys", "-t", "w", "Enter");
}

/*
 * The screen once it shows want (and, with gone, no longer shows gone),
 * within 10 s; else the last one seen, with the failure recorded.
 */
static char *screen_until(const char *want, const char *gone)
{
	char *s = NULL;
	int i;

	for (i = 0; i < 200; i++) {
		free(s);
		s = TMUX("capture-pane", "-p", "-t", "w");
		if (!s)
			s = strdup("");
		if (strstr(s, want) && !(gone && strstr(s, gone)))
			return s;
		usleep(50000);
	}
	UNIT_FAIL("the screen never showed \"%s\"%s%s; it is:\n%s", want,
		  gone ? " without " : "", gone ? gone : "", s);
	return s;
}

static char *screen_with(const char *want)
{
	return screen_until(want, NULL);
}

static bool alternate_on(void)
{
	char *s = TMUX("display", "-p", "-t", "w", "#{alternate_on}");
	bool on = s && *s == '1';

	free(s);
	return on;
}

/* Every watch test begins so: skipped where there is no tmux. */
#define NEED_TMUX()							\
	do {								\
		if (system("command -v tmux >/dev/null 2>&1"))		\
			UNIT_SKIP("tmux is not installed (scripts/deps.sh test installs it)"); \
	} while (0)

/* A shell in a 100x30 pane, with a fake tree as the root. */
static bool tmux_start(void)
{
	char cmd[600];
	char *s;

	new_tree();
	snprintf(tmux_sock, sizeof(tmux_sock), "%s.tmux", root);
	snprintf(cmd, sizeof(cmd),
		 "exec env -u NO_COLOR VMVIEW_ROOT=%s ENV= PS1='sh$ ' sh",
		 root);
	s = TMUX("new-session", "-d", "-s", "w", "-x", "100", "-y", "30",
		 cmd);
	if (!s) {
		UNIT_FAIL("tmux new-session failed");
		return false;
	}
	free(s);
	free(screen_with("sh$"));
	return true;
}

static void tmux_stop(void)
{
	free(TMUX("kill-server"));
	unlink(tmux_sock);
}

/* Start watch in the pane; its status is printed when it ends. */
static char *start_watch(const char *args)
{
	char line[600], *s, *t;
	int i;

	snprintf(line, sizeof(line), "%s watch 1234 %s; echo status=$?", CLI,
		 args);
	type_line(line);
	s = screen_with("vmview-cli watch: PID 1234 (demo)");
	/*
	 * The first frame whole: the title shows before tmux has drawn the
	 * rest (seen: a capture cut inside the events' heading), so wait
	 * until two captures 50 ms apart agree.
	 */
	for (i = 0; i < 100; i++) {
		usleep(50000);
		t = TMUX("capture-pane", "-p", "-t", "w");
		if (t && !strcmp(s, t)) {
			free(t);
			break;
		}
		if (t) {
			free(s);
			s = t;
		}
	}
	return s;
}

/* After watch: the status, the main screen, a terminal as it was. */
static void expect_restored(const char *status)
{
	char want[64], *s;

	snprintf(want, sizeof(want), "status=%s\n", status);
	s = screen_with(want);
	EXPECT_HASNT(s, "q quits");
	free(s);
	EXPECT(!alternate_on());
	type_line("echo tty=$(stty -a | tr ' ;' '\\n\\n' | grep -E -x -e '-?(isig|icanon|echo)' | paste -sd, -)");
	free(screen_with("tty=isig,icanon,echo\n"));
	/* and the shell answers */
	type_line("echo $((6 * 7))");
	free(screen_with("\n42\n"));
}

/* Lines of text without their trailing blanks. */
static char *rtrim_lines(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	const char *p = text, *e;

	while (*p) {
		e = strchrnul(p, '\n');
		o = mempcpy(o, p, e - p);
		while (o > out && o[-1] == ' ')
			o--;
		if (*e)
			*o++ = '\n';
		p = *e ? e + 1 : e;
	}
	*o = '\0';
	return out;
}

/*
 * Every line of want (up to stop, if found; not its "#" notes) is a line
 * of screen, cropped to cols columns as the screen crops it.
 */
static void expect_lines_of(const char *screen, const char *want,
			    const char *stop, int cols)
{
	char *scr = rtrim_lines(screen), *w = rtrim_lines(want), line[512];
	const char *p = w, *e, *end = stop ? strstr(w, stop) : NULL;
	int n;

	while (*p && (!end || p < end)) {
		e = strchrnul(p, '\n');
		n = e - p < cols ? e - p : cols;
		while (n && p[n - 1] == ' ')
			n--;
		snprintf(line, sizeof(line), "\n%.*s\n", n, p);
		if (n && *p != '#' && !strstr(scr, line))
			UNIT_FAIL("the screen has no line \"%.*s\"; it is:\n%s",
				  n, p, screen);
		p = *e ? e + 1 : e;
	}
	free(scr);
	free(w);
}

/* A map row without its bar, runs of blanks as one: "ADDR SIZE PERM NAME". */
static void unbar(char *out, size_t len, const char *row, size_t n)
{
	size_t i, o = 0;
	bool bar = false;

	for (i = 0; i < n && o + 1 < len; i++) {
		if (row[i] == '|')
			bar = !bar;
		else if (!bar && !(row[i] == ' ' && o && out[o - 1] == ' '))
			out[o++] = row[i];
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/*
 * map's rows (from its START line on) are rows of the screen but for
 * their bars, the names cropped where the screen crops them.
 */
static void expect_rows_but_bars(const char *screen, const char *map)
{
	const char *p = strstr(map, "START"), *e, *q, *qe;
	char want[512], got[512];
	bool found;

	for (p = p ? p : ""; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		unbar(want, sizeof(want), p, e - p);
		found = false;
		for (q = screen; *q && !found; q = *qe ? qe + 1 : qe) {
			qe = strchrnul(q, '\n');
			unbar(got, sizeof(got), q, qe - q);
			found = strlen(got) > 24 &&
				!strncmp(want, got, strlen(got));
		}
		if (!found)
			UNIT_FAIL("the screen has no row \"%s\"; it is:\n%s",
				  want, screen);
	}
}

/* A resident page more in the heap, after its last (PID/ptes, ptes.bin). */
static void add_heap_page(void)
{
	char *text = get(PTES), *p = strstr(text, "\n0x00007f0000000000 ");
	char *t;

	if (!p) {
		UNIT_FAIL("the fixture's ptes changed");
		free(text);
		return;
	}
	if (asprintf(&t, "%.*s\n0x0000000001e6e000 pte 0x800000001234f867 present pfn=0x1234f flags=present,rw,user,accessed,dirty,nx page=anon,lru,swapbacked order=0 mapcount=1%s",
		     (int)(p - text), text, p) > 0) {
		put_ptes(t);
		free(t);
	}
	free(text);
}

UNIT_TEST(watch_first_frame_resize_and_quit)
{
	struct run map, summary, events;
	char *s;

	NEED_TMUX();
	if (!tmux_start())
		return;
	map = RUN("map", "1234");
	summary = RUN("summary", "1234");
	events = RUN("events", "1234");
	s = start_watch("--interval 0.3");
	EXPECT(alternate_on());
	/* summary's counts, map's header and legend, the events */
	expect_lines_of(s, summary.out, "TLB", 100);
	expect_lines_of(s, map.out, "START", 100);
	expect_lines_of(s, events.out, NULL, 100);
	EXPECT(widest(s, NULL) <= 100);
	/* map's rows, with a bar as wide as 100 columns leave: 56 cells */
	expect_rows_but_bars(s, map.out);
	EXPECT_HAS(s, "|HHHHHHHHHHHHHHHHHHHHHHHHHHH...........................|   [anon]\n");
	free(s);
	/* 76 columns leave map's 32 cells: its very rows */
	TMUX_DO("resize-window", "-t", "w", "-x", "76", "-y", "30");
	s = screen_until("|HHHHHHHHHHHHHHHH................|", "HHHHHHHHHHHHHHHHHH");
	expect_lines_of(s, strstr(map.out, "START"), NULL, 76);
	EXPECT(widest(s, NULL) <= 76);
	free(s);
	/* a changed ptes.bin: one page more in the heap, on the next redraw */
	add_heap_page();
	free(screen_with("PID 1234 (demo): 9 VMAs, 1G mapped, 48K resident"));
	TMUX_DO("send-keys", "-t", "w", "q");
	expect_restored("0");
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "1234\n");
	run_free(&map);
	run_free(&summary);
	run_free(&events);
	tmux_stop();
}

UNIT_TEST(watch_redraws_on_events_and_keys)
{
	char *s;

	NEED_TMUX();
	if (!tmux_start())
		return;
	/* an hour between redraws: only events and keys redraw */
	s = start_watch("--interval 3600");
	EXPECT_HASNT(s, "       7 clear");
	free(s);
	sh("echo '7 clear 0x00007ffd12340000-0x00007ffd12341000' >> %s/sys/kernel/debug/vmview/1234/events",
	   root);
	free(screen_with("       7 clear            7ffd12340000  7ffd12341000     4K"));
	/*
	 * a key other than q redraws: the ptes read again, and a name
	 * with an escape in it shown, not obeyed
	 */
	add_heap_page();
	sh("sed -i 's/\\[heap\\]/he\\x1b[2Jap/' %s/sys/kernel/debug/vmview/1234/vmas",
	   root);
	TMUX_DO("send-keys", "-t", "w", "Space");
	s = screen_with("48K resident");
	EXPECT_HAS(s, " he?[2Jap\n");
	EXPECT_HAS(s, "vmview-cli watch: PID 1234");
	free(s);
	TMUX_DO("send-keys", "-t", "w", "C-c");
	expect_restored("0");
	tmux_stop();
}

/* The PID of watch: the child of the pane's shell named vmview-cli. */
static pid_t watch_pid(void)
{
	char *s = TMUX("display", "-p", "-t", "w", "#{pane_pid}");
	int shell = s ? atoi(s) : 0, ppid;
	DIR *proc = opendir("/proc");
	char path[300], *text, *p;
	struct dirent *d;
	pid_t found = 0;

	free(s);
	while (proc && shell && !found && (d = readdir(proc))) {
		if (!atoi(d->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		text = slurp(path);
		p = strrchr(text, ')');
		if (strstr(text, "(vmview-cli)") && p &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == shell)
			found = atoi(d->d_name);
		free(text);
	}
	if (proc)
		closedir(proc);
	if (!found)
		UNIT_FAIL("no vmview-cli under the pane's shell %d", shell);
	return found;
}

/* Signals: SIGINT quits as q does; SIGTERM kills, the terminal put back. */
UNIT_TEST(watch_signals)
{
	char *s;
	pid_t pid;

	NEED_TMUX();
	if (!tmux_start())
		return;
	free(start_watch(""));
	pid = watch_pid();
	if (pid)
		kill(pid, SIGINT);
	expect_restored("0");
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "1234\n");
	put("sys/kernel/debug/vmview/untrack", "");
	free(start_watch(""));
	pid = watch_pid();
	if (pid)
		kill(pid, SIGTERM);
	expect_restored("143");
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "1234\n");
	/* the window resized under it: redrawn at once, at the new width */
	s = start_watch("--interval 3600");
	free(s);
	TMUX_DO("resize-window", "-t", "w", "-x", "60", "-y", "30");
	s = screen_until("|HHHHHHHH........|", "HHHHHHHHH");
	EXPECT(widest(s, NULL) <= 60);
	free(s);
	TMUX_DO("send-keys", "-t", "w", "Q");
	expect_restored("0");
	tmux_stop();
}

/*
 * The process exits, the module goes, a file goes bad: said on the
 * screen (the first two), then on the terminal once it is back.
 */
UNIT_TEST(watch_ends_by_itself)
{
	char *s;

	NEED_TMUX();
	if (!tmux_start())
		return;
	free(start_watch("--interval 0.2"));
	sh("sed -i 's/) S /) Z /' %s/proc/1234/stat", root);
	s = screen_with("PID 1234 exited: watch ends");
	EXPECT(alternate_on());
	free(s);
	expect_restored("0");
	free(screen_with("vmview-cli: PID 1234 exited\n"));
	drop_tree();
	tmux_stop();

	if (!tmux_start())
		return;
	/* a release event: shown, then the end */
	free(start_watch("--interval 3600"));
	sh("echo '7 release 0x0000000000000000-0xffffffffffffffff' >> %s/sys/kernel/debug/vmview/1234/events",
	   root);
	s = screen_with("PID 1234 exited: watch ends");
	EXPECT_HAS(s, "       7 release");
	free(s);
	TMUX_DO("send-keys", "-t", "w", "x");	/* any key leaves now */
	expect_restored("0");
	drop_tree();
	tmux_stop();

	if (!tmux_start())
		return;
	free(start_watch("--interval 0.2"));
	rm("proc/vmview");
	rm("sys/kernel/debug/vmview/1234");
	free(screen_with("the vmview module was unloaded: watch ends"));
	expect_restored("4");
	s = screen_with("vmview-cli: the vmview module was unloaded");
	/* what the failed reads said is not repeated */
	EXPECT_HASNT(s, "vanished");
	free(s);
	drop_tree();
	tmux_stop();

	/* an error: the screen left first, the message after it */
	if (!tmux_start())
		return;
	free(start_watch("--interval 0.2"));
	put("sys/kernel/debug/vmview/1234/vmas", "garbage\n");
	expect_restored("1");
	free(screen_with("vmview-cli: PID 1234: cannot parse"));
	EXPECT_STREQ(get("sys/kernel/debug/vmview/untrack"), "1234\n");
	tmux_stop();
}

/* --range: the VMAs, pages and events of the range; a short window. */
UNIT_TEST(watch_range_and_short_window)
{
	char *s;

	NEED_TMUX();
	if (!tmux_start())
		return;
	s = start_watch("--range 7f0000100000-7ffd12400000");
	EXPECT_HAS(s, ", range 7f0000100000-7ffd12400000,");
	EXPECT_HAS(s, "PID 1234 (demo): 4 VMAs, 1G mapped, 12K resident, 1M huge, 0B swapped\n");
	EXPECT_HAS(s, "7f0000100000     3M rw-p |");
	EXPECT_HASNT(s, "[heap]");
	EXPECT_HASNT(s, "[vdso]");
	EXPECT_HASNT(s, "       4 clear");
	EXPECT_HAS(s, "       5 protection_vma");
	EXPECT_HAS(s, "vmas         9\n");
	free(s);
	/* shorter: the counts go first (the map's head has the totals) */
	TMUX_DO("resize-window", "-t", "w", "-x", "100", "-y", "22");
	s = screen_until("[stack]", "vmas         9");
	EXPECT_HASNT(s, "pid          1234 (demo)");
	EXPECT_HAS(s, "       6 unmap");
	free(s);
	/* then rows of the map, saying how many */
	TMUX_DO("resize-window", "-t", "w", "-x", "100", "-y", "9");
	s = screen_with("... 5 more rows: a taller window shows them");
	EXPECT_HAS(s, "PID 1234 (demo): 4 VMAs");
	EXPECT_HAS(s, "       6 unmap");
	EXPECT_EQ(lines(s), 9);
	free(s);
	TMUX_DO("send-keys", "-t", "w", "q");
	expect_restored("0");
	tmux_stop();
}

UNIT_TEST(watch_refuses)
{
	static const char *const bad[][6] = {
		{ "watch" },
		{ "watch", "abc" },
		{ "watch", "1234", "5" },
		{ "watch", "1234", "--interval", "0.05" },
		{ "watch", "1234", "--interval", "x" },
		{ "watch", "1234", "--interval", "3601" },
		{ "watch", "1234", "--rounds", "2" },
		{ "watch", "1234", "--kind", "swap" },
		{ "watch", "1234", "-f" },
		{ "-j", "watch", "1234" },
	};
	struct run r;
	size_t i;

	new_tree();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = run_ex(NULL, NULL, 0, 0, bad[i]);
		if (r.status != 2 || lines(r.err) + lines(r.out) != 1)
			UNIT_FAIL("'%s %s %s %s' should be a one-line usage error (2), got %d: %s%s",
				  bad[i][0], bad[i][1] ? bad[i][1] : "",
				  bad[i][1] && bad[i][2] ? bad[i][2] : "",
				  bad[i][1] && bad[i][2] && bad[i][3] ? bad[i][3] : "",
				  r.status, r.out, r.err);
		run_free(&r);
	}
	r = RUN("watch", "1234", "--range", "zz");
	EXPECT_EQ(r.status, 8);
	EXPECT_HAS(r.err, "bad range 'zz'");
	run_free(&r);
	/* not a terminal: said, and nothing tracked */
	r = RUN("watch", "1234");
	EXPECT_EQ(r.status, 2);
	EXPECT_HAS(r.err, "watch needs a terminal: standard output is not one");
	EXPECT_STREQ(r.out, "");
	EXPECT_STREQ(get("sys/kernel/debug/vmview/track"), "");
	run_free(&r);
	r = RUN("help", "watch");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "Usage: vmview-cli [OPTIONS] watch PID [--range A-B] [--interval S]\n");
	run_free(&r);
	r = RUN("--help");
	EXPECT_HAS(r.out, "  watch PID [--range A-B] [--interval S]");
	run_free(&r);
}

/* --- export --prometheus: promtool and a real node_exporter ------------- */

/*
 * What the export of a fake tree's PID should say, worked out here from
 * the tree's own files: its mm, its verify, and its ptes lines (the
 * leaves of VMAs flagged pfnmap left out), never from the CLI's output.
 */
struct prom_want {
	uint64_t mm_pgt, mm_walk, pud, pmd, pte, deposited;
	uint64_t anon, file, shmem, swapents;
	uint64_t zero, kinds[VMVIEW_NR_KINDS], huge_pmd, huge_pud;
	uint64_t mapped, huge_mapped, checked, mismatches;
};

/* "key: N" of a tree's file, N decimal. */
static uint64_t file_num(const char *text, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n%s: ", key);
	p = strstr(text, pat);
	if (!p && !strncmp(text, pat + 1, strlen(pat + 1)))
		p = text - 1;
	if (!p) {
		UNIT_FAIL("no %s in the tree's file", key);
		return 0;
	}
	return strtoull(p + strlen(pat), NULL, 10);
}

/* The word w is in the comma-separated list after "name=" on line. */
static bool line_word(const char *line, const char *name, const char *w)
{
	char pat[32], list[256], *tok, *save;
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", name);
	p = strstr(line, pat);
	if (!p || sscanf(p + strlen(pat), "%255s", list) != 1)
		return false;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, w))
			return true;
	return false;
}

static void prom_want_of(pid_t pid, struct prom_want *w)
{
	uint64_t pfnmap[16][2], a, b, va, size;
	char rel[128], level[8], kind[32], *mm, *vmas, *ptes, *ver, *line;
	char *save;
	size_t npfn = 0, i;
	int k;

	memset(w, 0, sizeof(*w));
	snprintf(rel, sizeof(rel), "sys/kernel/debug/vmview/%d/mm", (int)pid);
	mm = get(rel);
	w->mm_pgt = file_num(mm, "pgtables_bytes");
	w->mm_walk = file_num(mm, "walk_pgtables_bytes");
	w->pud = file_num(mm, "table_pud");
	w->pmd = file_num(mm, "table_pmd");
	w->pte = file_num(mm, "table_pte");
	w->deposited = file_num(mm, "table_deposited");
	w->anon = file_num(mm, "rss_anon");
	w->file = file_num(mm, "rss_file");
	w->shmem = file_num(mm, "rss_shmem");
	w->swapents = file_num(mm, "swapents");
	free(mm);
	snprintf(rel, sizeof(rel), "sys/kernel/debug/vmview/%d/verify",
		 (int)pid);
	ver = get(rel);
	line = strstr(ver, "verify: ");
	if (!line || sscanf(line, "verify: checked=%" SCNu64 " mismatches=%" SCNu64,
			    &w->checked, &w->mismatches) != 2)
		UNIT_FAIL("no verify line in the tree");
	free(ver);
	snprintf(rel, sizeof(rel), "sys/kernel/debug/vmview/%d/vmas", (int)pid);
	vmas = get(rel);
	for (line = strtok_r(vmas, "\n", &save); line && npfn < 16;
	     line = strtok_r(NULL, "\n", &save))
		if (line_word(line, "flags", "pfnmap") &&
		    sscanf(line, "%" SCNx64 "-%" SCNx64, &a, &b) == 2) {
			pfnmap[npfn][0] = a;
			pfnmap[npfn++][1] = b;
		}
	free(vmas);
	snprintf(rel, sizeof(rel), "sys/kernel/debug/vmview/%d/ptes", (int)pid);
	ptes = get(rel);
	for (line = strtok_r(ptes, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (*line == '#' ||
		    sscanf(line, "%" SCNx64 " %7s %*s %31s", &va, level,
			   kind) != 3)
			continue;
		for (i = 0; i < npfn; i++)
			if (va >= pfnmap[i][0] && va < pfnmap[i][1])
				break;
		if (i < npfn)
			continue;
		for (k = 0; k < VMVIEW_NR_KINDS; k++)
			if (!strcmp(kind, vmv_kind_names[k]))
				w->kinds[k]++;
		if (strcmp(kind, "present"))
			continue;
		/* x86-64 with 4 KiB pages, as the fixture's /proc/vmview */
		size = !strcmp(level, "pmd") ? 2ULL << 20 :
		       !strcmp(level, "pud") ? 1ULL << 30 : 4096;
		w->mapped += size;
		if (size > 4096)
			w->huge_mapped += size;
		w->huge_pmd += !strcmp(level, "pmd");
		w->huge_pud += !strcmp(level, "pud");
		if (line_word(line, "page", "zero"))
			w->zero += size / 4096;
	}
	free(ptes);
}

/*
 * The value of the one sample of name whose labels include want (pairs
 * of label name and value, NULL-ended), parsed from exposition text with
 * label values unescaped; NAN (and a failure) unless exactly one.
 */
static double prom_get(const char *text, const char *name,
		       const char *const *want)
{
	double v = NAN;
	int found = 0;
	const char *p = text, *eol;

	for (; *p; p = *eol ? eol + 1 : eol) {
		char lnames[8][32], lvals[8][128];
		size_t nl = strcspn(p, "{ "), n = 0, j, m;
		const char *q = p + nl;
		bool ok = true;

		eol = strchrnul(p, '\n');
		if (*p == '#' || nl != strlen(name) || strncmp(p, name, nl))
			continue;
		if (*q == '{') {
			for (q++; *q && *q != '}' && n < 8; n++) {
				m = strcspn(q, "=");
				snprintf(lnames[n], sizeof(lnames[n]), "%.*s",
					 (int)m, q);
				q += m + 2;	/* =" */
				for (j = 0; *q && *q != '"'; q++) {
					char c = *q;

					if (c == '\\') {
						c = *++q;
						if (c == 'n')
							c = '\n';
					}
					if (j + 1 < sizeof(lvals[n]))
						lvals[n][j++] = c;
				}
				lvals[n][j] = '\0';
				q++;			/* the closing " */
				if (*q == ',')
					q++;
			}
			q++;				/* } */
		}
		for (j = 0; want[j]; j += 2) {
			for (m = 0; m < n; m++)
				if (!strcmp(lnames[m], want[j]))
					break;
			if (m == n || strcmp(lvals[m], want[j + 1]))
				ok = false;
		}
		if (!ok)
			continue;
		found++;
		v = strtod(q, NULL);
	}
	if (found != 1) {
		UNIT_FAIL("%d samples of %s with those labels", found, name);
		return NAN;
	}
	return v;
}

#define PROM(text, name, ...) \
	prom_get(text, name, (const char *const[]){ __VA_ARGS__, NULL })
#define PROM0(text, name) prom_get(text, name, (const char *const[]){ NULL })

/* Every figure of PID in text (the CLI's, or node_exporter's scrape). */
static void expect_figures(const char *text, pid_t pid, const char *comm)
{
	struct prom_want w;
	char p[16];
	int k;

	snprintf(p, sizeof(p), "%d", (int)pid);
	prom_want_of(pid, &w);
#define ONE(name, want) \
	EXPECT_EQ(PROM(text, name, "pid", p, "comm", comm), want)
#define BY(name, label, value, want) \
	EXPECT_EQ(PROM(text, name, "pid", p, "comm", comm, label, value), want)
	ONE("vmview_page_tables_bytes", w.mm_pgt);
	ONE("vmview_page_tables_walk_bytes", w.mm_walk);
	BY("vmview_page_tables", "level", "pud", w.pud);
	BY("vmview_page_tables", "level", "pmd", w.pmd);
	BY("vmview_page_tables", "level", "pte", w.pte);
	ONE("vmview_page_tables_deposited", w.deposited);
	BY("vmview_resident_pages", "kind", "anon", w.anon);
	BY("vmview_resident_pages", "kind", "file", w.file);
	BY("vmview_resident_pages", "kind", "shmem", w.shmem);
	BY("vmview_resident_pages", "kind", "zero", w.zero);
	ONE("vmview_swap_pages", w.swapents);
	for (k = VMVIEW_KIND_PRESENT; k < VMVIEW_NR_KINDS; k++)
		BY("vmview_leaf_entries", "kind", vmv_kind_names[k],
		   w.kinds[k]);
	BY("vmview_huge_leaves", "level", "pmd", w.huge_pmd);
	BY("vmview_huge_leaves", "level", "pud", w.huge_pud);
	ONE("vmview_mapped_bytes", w.mapped);
	ONE("vmview_huge_mapped_bytes", w.huge_mapped);
	EXPECT(fabs(PROM(text, "vmview_thp_coverage_ratio", "pid", p, "comm",
			 comm) - (double)w.huge_mapped / w.mapped) < 1e-8);
	ONE("vmview_verify_checked_pages", w.checked);
	ONE("vmview_verify_mismatches", w.mismatches);
#undef ONE
#undef BY
}

/* promtool's lint of text: silent, and exit 0. */
static void expect_promtool_ok(const char *text)
{
	char path[300], cmd[700], *out;

	snprintf(path, sizeof(path), "%s.prom-in", root);
	put_bytes_abs(path, text);
	snprintf(cmd, sizeof(cmd),
		 "promtool check metrics < '%s' > '%s.lint' 2>&1", path, root);
	if (system(cmd))
		UNIT_FAIL("promtool check metrics failed (promtool is in Debian's prometheus package: scripts/deps.sh test)");
	snprintf(path, sizeof(path), "%s.lint", root);
	out = slurp(path);
	EXPECT_STREQ(out, "");
	free(out);
	unlink(path);
	snprintf(path, sizeof(path), "%s.prom-in", root);
	unlink(path);
}

UNIT_TEST(prom_label_values_escaped)
{
	static const char * const cases[][2] = {
		{ "demo", "demo" },
		{ "a\\b\"c\nd", "a\\\\b\\\"c\\nd" },
		{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
		/* cut inside a character; bytes UTF-8 never has */
		{ "ab\xe2\x82", "ab\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xff}\xc0\xaf", "\xef\xbf\xbd}\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf0\x9f\x98\x80\t", "\xf0\x9f\x98\x80\t" },
	};
	size_t i, len;
	char *buf;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		f = open_memstream(&buf, &len);
		vmv_prom_label_value(f, cases[i][0]);
		fclose(f);
		EXPECT_STREQ(buf, cases[i][1]);
		free(buf);
	}
}

UNIT_TEST(export_prometheus_text)
{
	struct run r;
	char *t;

	new_tree();
	r = RUN("export", "--prometheus", "1234");
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(r.err, "");
	EXPECT_HAS(r.out, "# HELP vmview_page_tables_bytes ");
	EXPECT_HAS(r.out, "# TYPE vmview_thp_coverage_ratio gauge\n");
	EXPECT_HAS(r.out, "vmview_export_processes 1\n");
	/* no folded level (p4d with 4 levels), no kind a leaf cannot be */
	EXPECT_HASNT(r.out, "kind=\"table\"");
	EXPECT_HASNT(r.out, "level=\"p4d\"");
	expect_figures(r.out, 1234, "demo");
	expect_promtool_ok(r.out);
	/* tracked for the export, untracked after it */
	t = get("sys/kernel/debug/vmview/untrack");
	EXPECT_STREQ(t, "1234\n");
	free(t);
	run_free(&r);
	/* nothing tracked: the families, no sample, still lint clean */
	rm("sys/kernel/debug/vmview/1234");
	r = RUN("export", "--prometheus");
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.out, "vmview_export_processes 0\n");
	EXPECT_HASNT(r.out, "pid=");
	expect_promtool_ok(r.out);
	run_free(&r);
}

UNIT_TEST(export_errors)
{
	char path[300], *t;
	struct stat st;
	mode_t mask;
	struct run r;

	new_tree();
	r = RUN("export", "1234");
	EXPECT_EQ(r.status, 2);
	EXPECT_HAS(r.err, "--prometheus");
	run_free(&r);
	r = RUN("-j", "export", "--prometheus", "1234");
	EXPECT_EQ(r.status, 2);
	run_free(&r);
	r = RUN("ptes", "--prometheus", "1234");
	EXPECT_EQ(r.status, 2);
	EXPECT_HAS(r.err, "--prometheus does not apply to 'ptes'");
	run_free(&r);
	r = RUN("export", "--prometheus", "12x");
	EXPECT_EQ(r.status, 2);
	run_free(&r);
	/* a PID named that fails: its exit code, the file left alone */
	snprintf(path, sizeof(path), "%s/out.prom", root);
	put("out.prom", "old\n");
	r = RUN("export", "--prometheus", "--output", path, "1234", "5555");
	EXPECT_EQ(r.status, 6);
	EXPECT_HAS(r.err, "5555");
	t = get("out.prom");
	EXPECT_STREQ(t, "old\n");
	free(t);
	run_free(&r);
	/* replaced whole, as readable as a new file, no temporary left */
	mask = umask(022);
	r = run_ex(NULL, NULL, 0, 0, (const char *const[]){
		"export", "--prometheus", "-o", path, "1234", NULL });
	umask(mask);
	EXPECT_EQ(r.status, 0);
	EXPECT_STREQ(r.out, "");
	t = get("out.prom");
	EXPECT_HAS(t, "vmview_export_processes 1\n");
	free(t);
	EXPECT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	run_free(&r);
	sh("test \"$(ls -A '%s' | grep -c '^\\.out\\.prom')\" = 0", root);
	/* a directory that is not there */
	snprintf(path, sizeof(path), "%s/nodir/out.prom", root);
	r = RUN("export", "--prometheus", "--output", path, "1234");
	EXPECT_EQ(r.status, 1);
	EXPECT_HAS(r.err, "cannot create a file in");
	run_free(&r);
}

/* A port on 127.0.0.1 that nothing listens on now. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/*
 * node_exporter with only its textfile collector, reading dir, on a
 * loopback port (another, up to 3 tries, if it exits at once: someone
 * took the port meanwhile); its /metrics scraped with curl once it
 * answers (10 s at most).  Returns the scrape ("" on failure); the
 * exporter is ended (by its PID).
 */
static char *node_exporter_scrape(const char *dir)
{
	char listen[64], tdir[400], log[300], out[300], cmd[800];
	int i, status, port, tries = 0;
	char *text = strdup("");
	pid_t pid;

again:
	port = free_port();

	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d",
		 port);
	snprintf(tdir, sizeof(tdir), "--collector.textfile.directory=%s", dir);
	snprintf(log, sizeof(log), "%s.node-exporter.log", root);
	snprintf(out, sizeof(out), "%s.scrape", root);
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execlp("prometheus-node-exporter", "prometheus-node-exporter",
		       listen, "--collector.disable-defaults",
		       "--collector.textfile", tdir,
		       "--web.disable-exporter-metrics", (char *)NULL);
		_exit(127);
	}
	snprintf(cmd, sizeof(cmd),
		 "curl -sf --max-time 2 http://127.0.0.1:%d/metrics -o '%s'",
		 port, out);
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			break;
		}
		if (!system(cmd))
			break;
		usleep(100000);
	}
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
	}
	if (i < 100 && pid > 0) {
		free(text);
		text = slurp(out);
	} else if (!pid && ++tries < 3) {
		goto again;	/* the port was taken meanwhile? */
	} else {
		char *l = slurp(log);

		UNIT_FAIL("no scrape of prometheus-node-exporter on port %d (Debian's prometheus-node-exporter and curl: scripts/deps.sh test); its log:\n%s",
			  port, l);
		free(l);
	}
	unlink(out);
	unlink(log);
	return text;
}

UNIT_TEST(export_node_exporter_scrape)
{
	static const char comm[] = "we\"ird\\ na\nme";
	char dir[300], path[320], stat_line[256], *t;
	struct run r;

	new_tree();
	/* 1234 with a comm to escape, a [vvar] PFN map left out */
	snprintf(stat_line, sizeof(stat_line),
		 "1234 (%s) S 1 1234 1234 0 -1 4194560 120 0 3 0 5 2 0 0 20 0 1 0 100 1077248000 521 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		 comm);
	put("proc/1234/stat", stat_line);
	sh("cd '%s/sys/kernel/debug/vmview/1234' && "
	   "echo '7ffd12402000-7ffd12404000 r--p 00000000 00:00 0 rss=0 swap=0 thp=0 flags=read,mayread,maywrite,mayexec,io,dontexpand,pfnmap,dontdump [vvar]' >> vmas && "
	   "echo '0x00007ffd12402000 pte 0x8000000000ffd125 present pfn=0xffd flags=present,user,accessed,nx,special' >> ptes",
	   root);
	t = get(PTES);
	put_ptes(t);
	free(t);
	/* 4321 another, 999 exited (ESRCH) but still tracked: left out */
	sh("cd '%s' && cp -a sys/kernel/debug/vmview/1234 sys/kernel/debug/vmview/4321 && "
	   "sed -i 's/^pgtables_bytes: .*/pgtables_bytes: 40960/; s/^walk_pgtables_bytes: .*/walk_pgtables_bytes: 40960/; s/^table_pte: .*/table_pte: 3/' sys/kernel/debug/vmview/4321/mm && "
	   "mkdir -p proc/4321 sys/kernel/debug/vmview/999 && "
	   "sed 's/^1234 (demo)/4321 (worker)/' '%s/proc/1234/stat' > proc/4321/stat && "
	   "cp sys/kernel/debug/vmview/1234/mm sys/kernel/debug/vmview/999/",
	   root, FIXTURES);
	snprintf(dir, sizeof(dir), "%s/textfile", root);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/vmview.prom", dir);
	r = RUN_FAKE("vmview/999/mm:open:ESRCH", "export", "--prometheus",
		     "--output", path);
	EXPECT_EQ(r.status, 0);
	EXPECT_HAS(r.err, "999");
	run_free(&r);
	t = slurp(path);
	expect_promtool_ok(t);
	free(t);
	/* nothing tracked by the export, nothing untracked */
	t = get("sys/kernel/debug/vmview/untrack");
	EXPECT_STREQ(t, "");
	free(t);

	t = node_exporter_scrape(dir);
	EXPECT_EQ(PROM0(t, "node_textfile_scrape_error"), 0);
	EXPECT_EQ(PROM0(t, "vmview_export_processes"), 2);
	expect_figures(t, 1234, comm);
	expect_figures(t, 4321, "worker");
	EXPECT_HASNT(t, "pid=\"999\"");
	EXPECT_HAS(t, "# TYPE vmview_resident_pages gauge\n");
	free(t);
}

/* After each test: no fake tree, and x86-64's paging again. */
static void after_test(void)
{
	drop_tree();
	vmv_set_levels(4);
}

UNIT_MAIN_AFTER(after_test)

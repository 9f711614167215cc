// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_export.c: "export --prometheus [PID...] [--output FILE]": processes'
 * figures as Prometheus gauges, in the text exposition format that
 * node_exporter's textfile collector reads.
 *
 * The figures are summary's (figures.c: PID/mm, PID/vmas, one pass over
 * PID/ptes.bin), with one verify (PID/verify) a process.  Without a PID
 * every process vmview tracks now is exported (the numbered directories
 * of its debugfs tree): tracking stays the operator's choice, and a
 * process that has exited since, or was untracked meanwhile, is left
 * out.  PIDs named are tracked for the export and untracked after it
 * (those tracked already are left so), and any failure is the command's.
 *
 * The whole text is made in memory first, so that nothing is written
 * when a named PID fails: to standard output, or to FILE atomically (a
 * temporary file in FILE's directory, whose name does not end in .prom
 * so the collector never reads it half-written, then fsync() and
 * rename() over FILE).  The exposition format wants every sample of a
 * metric together, under its HELP and TYPE: families in the outer loop,
 * processes in the inner.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmview-cli.h"

#define SYNOPSIS "--prometheus [PID...] [--output FILE]"

struct proc {
	char comm[80];
	struct vmv_figures f;
	uint64_t checked, mismatches;	/* the export's verify */
};

struct procs {
	struct proc *v;
	size_t n, cap;
};

static void labels(FILE *o, const char *name, const struct proc *p,
		   const char *lname, const char *lval)
{
	fprintf(o, "%s{pid=\"%d\",comm=\"", name, (int)p->f.pid);
	vmv_prom_label_value(o, p->comm);
	fputc('"', o);
	if (lname) {
		fprintf(o, ",%s=\"", lname);
		vmv_prom_label_value(o, lval);
		fputc('"', o);
	}
	fputs("} ", o);
}

static void sample(FILE *o, const char *name, const struct proc *p,
		   const char *lname, const char *lval, uint64_t v)
{
	labels(o, name, p, lname, lval);
	fprintf(o, "%" PRIu64 "\n", v);
}

static uint64_t mm(const struct proc *p, const char *key)
{
	return vmv_kv_u64(&p->f.mm, key, 0);
}

static void pgtables_bytes(FILE *o, const char *name, const struct proc *p)
{
	sample(o, name, p, NULL, NULL, mm(p, "pgtables_bytes"));
}

static void walk_bytes(FILE *o, const char *name, const struct proc *p)
{
	sample(o, name, p, NULL, NULL, mm(p, "walk_pgtables_bytes"));
}

static void tables(FILE *o, const char *name, const struct proc *p)
{
	char key[24];
	int l;

	for (l = VMVIEW_LEVEL_PGD - 1; l >= VMVIEW_LEVEL_PTE; l--) {
		if (!vmv_level_has_tables(l))
			continue;
		snprintf(key, sizeof(key), "table_%s", vmv_level_names[l]);
		sample(o, name, p, "level", vmv_level_names[l], mm(p, key));
	}
}

static void deposited(FILE *o, const char *name, const struct proc *p)
{
	sample(o, name, p, NULL, NULL, mm(p, "table_deposited"));
}

static void resident(FILE *o, const char *name, const struct proc *p)
{
	sample(o, name, p, "kind", "anon", mm(p, "rss_anon"));
	sample(o, name, p, "kind", "file", mm(p, "rss_file"));
	sample(o, name, p, "kind", "shmem", mm(p, "rss_shmem"));
	sample(o, name, p, "kind", "zero", p->f.leaves.zero_pages);
}

static void swap_pages(FILE *o, const char *name, const struct proc *p)
{
	sample(o, name, p, NULL, NULL, mm(p, "swapents"));
}

static void leaf_entries(FILE *o, const char *name, const struct proc *p)
{
	int k;

	/* the kinds a leaf can be: "none" and "table" are none */
	for (k = VMVIEW_KIND_PRESENT; k < VMVIEW_NR_KINDS; k++)
		sample(o, name, p, "kind", vmv_kind_names[k],
		       p->f.leaves.kinds[k]);
}

/* The levels whose leaves are huge pages, and any other that has some. */
static void huge_leaves(FILE *o, const char *name, const struct proc *p)
{
	int l;

	for (l = VMVIEW_LEVEL_PMD; l < VMVIEW_NR_LEVELS; l++)
		if (vmv_level_has_huge(l) || p->f.leaves.huge[l])
			sample(o, name, p, "level", vmv_level_names[l],
			       p->f.leaves.huge[l]);
}

static void mapped_bytes(FILE *o, const char *name, const struct proc *p)
{
	sample(o, name, p, NULL, NULL, p->f.leaves.need.bytes);
}

static void huge_bytes(FILE *o, const char *name, const struct proc *p)
{
	sample(o, name, p, NULL, NULL, p->f.leaves.need.huge_bytes);
}

static void coverage(FILE *o, const char *name, const struct proc *p)
{
	const struct vmv_tlb_need *n = &p->f.leaves.need;

	labels(o, name, p, NULL, NULL);
	fprintf(o, "%.9g\n", n->bytes ? (double)n->huge_bytes / n->bytes : 0.0);
}

static void checked(FILE *o, const char *name, const struct proc *p)
{
	sample(o, name, p, NULL, NULL, p->checked);
}

static void mismatches(FILE *o, const char *name, const struct proc *p)
{
	sample(o, name, p, NULL, NULL, p->mismatches);
}

/* Documentation/vmview-cli.rst, EXPORT, lists them as here. */
static const struct family {
	const char *name;
	/* one process's samples, printed by sample() and friends */
	void (*fn)(FILE *o, const char *name, const struct proc *p);
	const char *help;
} families[] = {
	{ "vmview_page_tables_bytes", pgtables_bytes,
	  "Memory in the process's page tables as the kernel counts it (mm->pgtables_bytes, VmPTE; the top-level table is not counted)." },
	{ "vmview_page_tables_walk_bytes", walk_bytes,
	  "Memory in the page tables vmview's walk found, with the PTE tables deposited for huge pages (the top-level table is not counted)." },
	{ "vmview_page_tables", tables,
	  "Page tables vmview's walk found, by level (the levels below the top that are not folded)." },
	{ "vmview_page_tables_deposited", deposited,
	  "PTE tables the kernel keeps deposited for PMD-mapped huge pages: counted in vmview_page_tables_bytes, reached by no walk." },
	{ "vmview_resident_pages", resident,
	  "Resident pages by kind: anon, file and shmem are the kernel's RSS counters (RssAnon, RssFile, RssShmem); zero is the pages of the shared zero page mapped (vmview's walk; not in RSS)." },
	{ "vmview_swap_pages", swap_pages,
	  "Pages of the process in swap, as the kernel counts them (VmSwap)." },
	{ "vmview_leaf_entries", leaf_entries,
	  "Leaf page-table entries vmview's walk found, by kind (kind=\"swap\": swap entries); VM_PFNMAP mappings left out." },
	{ "vmview_huge_leaves", huge_leaves,
	  "Present huge leaf entries (a THP or hugetlb page each) vmview's walk found, by level." },
	{ "vmview_mapped_bytes", mapped_bytes,
	  "Memory mapped by present leaf entries (vmview's walk; VM_PFNMAP mappings left out)." },
	{ "vmview_huge_mapped_bytes", huge_bytes,
	  "Memory mapped by present huge leaf entries." },
	{ "vmview_thp_coverage_ratio", coverage,
	  "Share of vmview_mapped_bytes that huge leaves map (THP, and hugetlb if any), from 0 to 1." },
	{ "vmview_verify_checked_pages", checked,
	  "Pages the export's verify compared: vmview's walk against its shadow page table." },
	{ "vmview_verify_mismatches", mismatches,
	  "Pages on which vmview's walk and its shadow page table disagreed in the export's verify (0 expected)." },
};

static void write_text(FILE *o, const struct procs *ps)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		fprintf(o, "# HELP %s %s\n# TYPE %s gauge\n", families[i].name,
			families[i].help, families[i].name);
		for (j = 0; j < ps->n; j++)
			families[i].fn(o, families[i].name, &ps->v[j]);
	}
	fprintf(o, "# HELP vmview_export_processes Processes in this export.\n"
		"# TYPE vmview_export_processes gauge\n"
		"vmview_export_processes %zu\n", ps->n);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The PIDs vmview tracks now, ascending; returns 0 or the exit code. */
static int tracked_pids(pid_t **pids, size_t *n)
{
	char dir[VMV_PATH_MAX];
	size_t cap = 0;
	struct dirent *d;
	DIR *dp;

	*pids = NULL;
	*n = 0;
	vmv_path(dir, sizeof(dir), VMVIEW_DEBUGFS_DIR);
	dp = opendir(dir);
	if (!dp)
		return vmv_err(VMV_EXIT_FAIL, "cannot list %s: %s", dir,
			       strerror(errno));
	while ((d = readdir(dp))) {
		if (!*d->d_name ||
		    strspn(d->d_name, "0123456789") != strlen(d->d_name))
			continue;
		if (vmv_grow((void **)pids, *n, &cap, sizeof(**pids))) {
			closedir(dp);
			return vmv_err(VMV_EXIT_FAIL, "out of memory");
		}
		(*pids)[(*n)++] = atoi(d->d_name);
	}
	closedir(dp);
	qsort(*pids, *n, sizeof(**pids), cmp_pid);
	return 0;
}

/* Gone since it was listed: exited, or untracked by someone else. */
static bool gone(pid_t pid, int ret)
{
	char path[VMV_PATH_MAX];

	return ret == VMV_EXIT_EXITED ||
	       !vmv_exists(vmv_pid_path(path, sizeof(path), pid, NULL));
}

/* One process's figures, comm and verify; 0 or the exit code. */
static int load(pid_t pid, struct proc *p)
{
	struct vmv_verify v = { 0 };
	unsigned long flags;
	const char *comm;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = vmv_figures_load(pid, &p->f);
	if (!ret)
		ret = vmv_load_verify(pid, &v);
	p->checked = v.checked;
	p->mismatches = v.mismatches;
	vmv_verify_free(&v);
	if (ret)
		return ret;
	/* the whole comm, newlines and quotes included; mm's ends at one */
	if (vmv_pid_stat(pid, p->comm, sizeof(p->comm), &flags)) {
		comm = vmv_kv_get(&p->f.mm, "comm");
		snprintf(p->comm, sizeof(p->comm), "%s", comm ? comm : "");
	}
	/* the numbers are all export keeps of them */
	vmv_vmas_free(&p->f.vmas);
	return 0;
}

/*
 * text to path atomically: a temporary file beside it (a name the
 * collector ignores), as readable as a new file would be, made durable,
 * then renamed over path.
 */
static int write_file(const char *path, const char *text, size_t len)
{
	const char *slash = strrchr(path, '/');
	char tmp[VMV_PATH_MAX], dir[VMV_PATH_MAX];
	mode_t mask;
	int fd, err = 0, dfd;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1),
			 path);
	else
		snprintf(dir, sizeof(dir), "./");
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%s.XXXXXX", dir,
			     slash ? slash + 1 : path) >= sizeof(tmp))
		return vmv_err(VMV_EXIT_USAGE, "--output %s: path too long",
			       path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return vmv_err(VMV_EXIT_FAIL,
			       "cannot create a file in %s for --output: %s",
			       dir, strerror(errno));
	vmv_track_tmpfile(tmp);
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask))
		err = errno;
	if (!err)
		err = vmv_write_fd(fd, text, len);
	if (!err && fsync(fd))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		unlink(tmp);
		vmv_track_tmpfile(NULL);
		return vmv_err(VMV_EXIT_FAIL, "cannot write %s (through %s): %s",
			       path, tmp, strerror(err));
	}
	vmv_track_tmpfile(NULL);
	/* the rename itself made durable */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int vmv_cmd_export(int argc, char **argv)
{
	struct procs ps = { 0 };
	pid_t *pids = NULL;
	size_t npids = 0, i, len = 0;
	bool named = argc > 0;
	char *text = NULL;
	FILE *o;
	int ret = 0;

	if (!vmv_opts.prometheus)
		return vmv_err(VMV_EXIT_USAGE,
			       "export needs a format: vmview-cli export " SYNOPSIS);
	if (vmv_opts.json)
		return vmv_err(VMV_EXIT_USAGE,
			       "export writes Prometheus's text format: -j and -p do not apply");
	if (vmv_opts.output && !*vmv_opts.output)
		return vmv_err(VMV_EXIT_USAGE, "--output takes a file name");
	if (named) {
		pids = calloc(argc, sizeof(*pids));
		if (!pids)
			return vmv_err(VMV_EXIT_FAIL, "out of memory");
		for (i = 0; i < (size_t)argc && !ret; i++)
			ret = vmv_parse_pid(argv[i], &pids[i]);
		npids = argc;
	}
	if (!ret)
		ret = vmv_preflight();
	if (!ret && !named)
		ret = tracked_pids(&pids, &npids);
	for (i = 0; i < npids && !ret; i++) {
		if (vmv_grow((void **)&ps.v, ps.n, &ps.cap, sizeof(*ps.v))) {
			ret = vmv_err(VMV_EXIT_FAIL, "out of memory");
			break;
		}
		memset(&ps.v[ps.n], 0, sizeof(ps.v[ps.n]));
		if (named)
			ret = vmv_track(pids[i]);
		if (!ret)
			ret = load(pids[i], &ps.v[ps.n]);
		if (!ret)
			ps.n++;
		else
			vmv_figures_free(&ps.v[ps.n].f);
		if (named)	/* one at a time: track.c keeps a few */
			vmv_untrack_all();
		if (ret && !named && gone(pids[i], ret))
			ret = 0;
	}
	if (!ret) {
		o = open_memstream(&text, &len);
		if (!o)
			ret = vmv_err(VMV_EXIT_FAIL, "out of memory");
	}
	if (!ret) {
		write_text(o, &ps);
		if (fclose(o))
			ret = vmv_err(VMV_EXIT_FAIL, "out of memory");
	}
	if (!ret && vmv_opts.output)
		ret = write_file(vmv_opts.output, text, len);
	else if (!ret && fwrite(text, 1, len, stdout) != len)
		ret = vmv_err(VMV_EXIT_FAIL, "cannot write to standard output");
	for (i = 0; i < ps.n; i++)
		vmv_figures_free(&ps.v[i].f);
	free(ps.v);
	free(pids);
	free(text);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * symbolize.c: --symbolize, the section and nearest symbol behind a
 * file-backed page of an ELF file (".text main+0x1c").
 *
 * A file offset is found in the section whose file range holds it; the
 * section's address plus the distance into it gives the ELF address,
 * and the nearest symbol at or below it in that section (.symtab, else
 * .dynsym) names it.  Files are opened once with ELF_C_READ_MMAP and
 * kept until vmv_symbolize_cleanup(); every libelf failure is reported
 * with elf_errmsg(-1), once per file.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmview-cli.h"

struct sym {
	uint64_t value, size;
	size_t shndx;
	const char *name;
	bool global;
};

struct elf_file {
	char *path;
	int fd;
	Elf *elf;		/* NULL: not an ELF file, or broken */
	size_t shstrndx;
	struct sym *syms;	/* sorted by value */
	size_t nr_syms;
};

#define MAX_FILES 64
static struct elf_file files[MAX_FILES];
static size_t nr_files;

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (int)y->global - (int)x->global;
}

/* Symbols of one table (SHT_SYMTAB or SHT_DYNSYM); returns how many. */
static size_t load_syms(struct elf_file *f, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n, kept = 0;
	struct sym *syms;
	GElf_Sym s;

	if (!data || !sh->sh_entsize) {
		if (!data)
			vmv_warn("%s: elf_getdata: %s", f->path,
				 elf_errmsg(-1));
		return 0;
	}
	n = sh->sh_size / sh->sh_entsize;
	syms = calloc(n ? n : 1, sizeof(*syms));
	if (!syms)
		return 0;
	for (i = 0; i < n; i++) {
		int type;

		if (!gelf_getsym(data, i, &s))
			continue;
		type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_OBJECT &&
		     type != STT_NOTYPE) || s.st_shndx == SHN_UNDEF ||
		    s.st_shndx >= SHN_LORESERVE || !s.st_name)
			continue;
		syms[kept].name = elf_strptr(f->elf, sh->sh_link, s.st_name);
		if (!syms[kept].name || !*syms[kept].name ||
		    syms[kept].name[0] == '$')
			continue;
		syms[kept].value = s.st_value;
		syms[kept].size = s.st_size;
		syms[kept].shndx = s.st_shndx;
		syms[kept].global = GELF_ST_BIND(s.st_info) != STB_LOCAL;
		kept++;
	}
	qsort(syms, kept, sizeof(*syms), sym_cmp);
	f->syms = syms;
	f->nr_syms = kept;
	return kept;
}

static struct elf_file *open_elf(const char *path)
{
	Elf_Scn *scn = NULL, *dynsym = NULL;
	GElf_Shdr sh, dynsh;
	struct elf_file *f;
	size_t i;

	for (i = 0; i < nr_files; i++)
		if (!strcmp(files[i].path, path))
			return files[i].elf ? &files[i] : NULL;
	if (nr_files == MAX_FILES)
		return NULL;
	f = &files[nr_files];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	nr_files++;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		vmv_warn("libelf: elf_version: %s", elf_errmsg(-1));
		return NULL;
	}
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return NULL;	/* not there for us: no symbol, no noise */
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->elf) {
		vmv_warn("%s: elf_begin: %s", path, elf_errmsg(-1));
		goto err;
	}
	if (elf_kind(f->elf) != ELF_K_ELF)
		goto err;	/* a data file: fine, nothing to say */
	if (elf_getshdrstrndx(f->elf, &f->shstrndx)) {
		vmv_warn("%s: elf_getshdrstrndx: %s", path, elf_errmsg(-1));
		goto err;
	}
	while ((scn = elf_nextscn(f->elf, scn))) {
		if (!gelf_getshdr(scn, &sh)) {
			vmv_warn("%s: gelf_getshdr: %s", path, elf_errmsg(-1));
			goto err;
		}
		if (sh.sh_type == SHT_SYMTAB && load_syms(f, scn, &sh))
			return f;
		if (sh.sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dynsh = sh;
		}
	}
	free(f->syms);
	f->syms = NULL;
	if (dynsym)
		load_syms(f, dynsym, &dynsh);
	return f;

err:
	if (f->elf)
		elf_end(f->elf);
	f->elf = NULL;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	return NULL;
}

int vmv_symbolize(const char *path, uint64_t file_off, char *buf,
		  size_t len)
{
	struct elf_file *f = open_elf(path);
	const struct sym *best = NULL;
	Elf_Scn *scn = NULL;
	const char *secname;
	uint64_t addr;
	GElf_Shdr sh;
	size_t i;

	if (!f)
		return -ENOENT;
	while ((scn = elf_nextscn(f->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return -EIO;
		if (sh.sh_type == SHT_NOBITS || !(sh.sh_flags & SHF_ALLOC))
			continue;
		if (file_off >= sh.sh_offset &&
		    file_off < sh.sh_offset + sh.sh_size)
			break;
	}
	if (!scn)
		return -ENOENT;
	secname = elf_strptr(f->elf, f->shstrndx, sh.sh_name);
	if (!secname) {
		vmv_warn("%s: elf_strptr: %s", path, elf_errmsg(-1));
		secname = "?";
	}
	addr = sh.sh_addr + (file_off - sh.sh_offset);
	for (i = 0; i < f->nr_syms; i++) {
		if (f->syms[i].value > addr)
			break;
		if (f->syms[i].shndx != elf_ndxscn(scn))
			continue;
		/* the last one at or below addr; at equal values, global */
		if (!best || f->syms[i].value != best->value)
			best = &f->syms[i];
	}
	if (!best)
		snprintf(buf, len, "%s", secname);
	else if (addr == best->value)
		snprintf(buf, len, "%s %s", secname, best->name);
	else
		snprintf(buf, len, "%s %s+0x%" PRIx64, secname, best->name,
			 addr - best->value);
	return 0;
}

/* The symbol of vaddr in PID, when a file VMA maps it; else -ENOENT. */
int vmv_symbolize_pte(pid_t pid, const struct vmv_vmas *vmas,
		      uint64_t vaddr, char *buf, size_t len)
{
	const struct vmv_vma *vma = vmv_vma_find(vmas, vaddr);
	char path[VMV_PATH_MAX];

	(void)pid;
	buf[0] = '\0';
	if (!vma || vma->name[0] != '/' || !vma->inode ||
	    strstr(vma->name, " (deleted)"))
		return -ENOENT;
	vmv_path(path, sizeof(path), "%s", vma->name);
	return vmv_symbolize(path, vma->pgoff + (vaddr - vma->start), buf,
			     len);
}

void vmv_symbolize_cleanup(void)
{
	size_t i;

	for (i = 0; i < nr_files; i++) {
		if (files[i].elf)
			elf_end(files[i].elf);
		if (files[i].elf && files[i].fd >= 0)
			close(files[i].fd);
		free(files[i].syms);
		free(files[i].path);
	}
	nr_files = 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * figures.c: a tracked process's figures, as summary and export read
 * them: PID/mm (the kernel's counters and the walk's tables per level),
 * PID/vmas, and one pass over PID/ptes.bin counting the leaves by kind,
 * the huge leaves by level, the pages of the zero page and what the
 * process's present leaves need of the TLB (tlb_report.c prints that).
 * Leaves of VM_PFNMAP VMAs ([vvar] and the like) are left out of the
 * pass: they are not the process's memory, and /proc/PID/pagemap does
 * not show them either.  With PAE, whether the walk accounts for
 * pgtables_bytes once the pmd tables the pgd comes with are counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

uint64_t vmv_mm_bytes(const struct vmv_kvs *mm, const char *key)
{
	return vmv_kv_u64(mm, key, 0) * VMV_PAGE_SIZE;
}

bool vmv_level_has_tables(int level)
{
	return level >= 0 && level < VMVIEW_LEVEL_PGD && vmv_level_bits(level);
}

bool vmv_level_has_huge(int level)
{
	return level == vmv_huge_level() ||
	       (level == VMVIEW_LEVEL_PUD && vmv_level_has_tables(level));
}

/*
 * With PAE the kernel allocates every pmd table with the pgd
 * (pgd_alloc(), arch/x86/mm/pgtable.c): the 4 of the user and kernel
 * halves when PTI keeps the kernel's pmd per process, 3 when it is
 * shared, and with PTI 1 more for the user copy of the pgd
 * (PREALLOCATED_USER_PMDS).  All are in pgtables_bytes (VmPTE); the
 * walk reaches only those under a VMA.  PTI is on when
 * /sys/devices/system/cpu/vulnerabilities/meltdown says so.  Returns
 * the preallocated pmd tables (5 or 3), 0 when not PAE, -1 when PTI's
 * state cannot be read.
 */
int vmv_pae_pmds(const struct vmv_kvs *mm, bool *pti)
{
	char path[VMV_PATH_MAX], *text;

	*pti = false;
	if (vmv_kv_u64(mm, "levels", vmv_levels()) != 3)
		return 0;
	vmv_path(path, sizeof(path),
		 "/sys/devices/system/cpu/vulnerabilities/meltdown");
	if (vmv_read_path(path, &text, NULL))
		return -1;
	*pti = strstr(text, "PTI") != NULL;
	free(text);
	return *pti ? 5 : 3;
}

/*
 * Does the walk account for pgtables_bytes?  Exactly, or (PAE) once the
 * preallocated pmd tables the walk does not reach are added.
 */
bool vmv_pgtables_agree(const struct vmv_kvs *mm, int pmds)
{
	uint64_t pgt = vmv_kv_u64(mm, "pgtables_bytes", 0);
	uint64_t walk = vmv_kv_u64(mm, "walk_pgtables_bytes", 0);
	uint64_t found = vmv_kv_u64(mm, "table_pmd", 0);

	if (pmds > 0 && found <= (uint64_t)pmds)
		walk += VMV_PAGE_SIZE * (pmds - found);
	return walk == pgt;
}

struct count {
	struct vmv_leaves *l;
	const struct vmv_vmas *vmas;
};

static int count_leaf(const struct vmv_pte *pte, void *arg)
{
	struct count *c = arg;
	const struct vmv_vma *v = vmv_vma_find(c->vmas, pte->vaddr);
	int level = vmv_pte_level(pte);
	uint64_t size = vmv_pte_size(pte);

	if (v && vmv_has_word(v->flags, "pfnmap"))
		return 0;
	if (pte->kind_nr >= 0 && pte->kind_nr < VMVIEW_NR_KINDS)
		c->l->kinds[pte->kind_nr]++;
	if (!vmv_pte_kind_is(pte, VMVIEW_KIND_PRESENT))
		return 0;
	vmv_tlb_need_add(&c->l->need, size, VMV_PAGE_SIZE);
	if (level > VMVIEW_LEVEL_PTE && level < VMVIEW_NR_LEVELS)
		c->l->huge[level]++;
	if (pte->has_page && pte->page_bits & 1U << VMVIEW_P_ZERO)
		c->l->zero_pages += size / VMV_PAGE_SIZE;
	return 0;
}

int vmv_count_leaves(pid_t pid, const struct vmv_vmas *vmas,
		     struct vmv_leaves *l)
{
	struct count c = { l, vmas };

	memset(l, 0, sizeof(*l));
	return vmv_each_pte(pid, count_leaf, NULL, &c);
}

int vmv_figures_load(pid_t pid, struct vmv_figures *f)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->pid = pid;
	ret = vmv_load_mm(pid, &f->mm);
	if (!ret)
		ret = vmv_load_vmas(pid, &f->vmas);
	if (!ret)
		ret = vmv_count_leaves(pid, &f->vmas, &f->leaves);
	if (ret)
		return ret;
	f->pae_pmds = vmv_pae_pmds(&f->mm, &f->pti);
	f->pgtables_agree = vmv_pgtables_agree(&f->mm, f->pae_pmds);
	return 0;
}

void vmv_figures_free(struct vmv_figures *f)
{
	vmv_kvs_free(&f->mm);
	vmv_vmas_free(&f->vmas);
}

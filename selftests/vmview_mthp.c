// SPDX-License-Identifier: GPL-2.0
/*
 * mthp: multi-size THP folios (6.8+) and, on arm64, the contiguous runs
 * the kernel folds them into (ARM64_CONTPTE, 6.9+).
 *
 * With the 64 KiB mTHP size enabled ("always" in
 * /sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled, restored
 * afterwards), the first write to each 64 KiB of a fresh anonymous
 * mapping faults in a 64 KiB folio.  PID/ptes must show it as the kernel
 * does elsewhere: sixteen present 4 KiB PTEs (four with 16 KiB pages) of
 * order=log2(64 KiB / page) on consecutive frames aligned to the folio,
 * the frames pagemap gives, kpageflags saying compound head then tails,
 * all THP.  On arm64, where a folio spans a contiguous run (64 KiB with
 * 4 KiB pages), every entry of the run carries "cont" and PID/mm counts
 * the run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmview_util.h"

#define MTHP_SIZE	(64UL << 10)
#define MTHP_CHUNKS	16		/* 1 MiB: no 2 MiB THP fits */
#define MTHP_CTL	"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled"

#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_THP			22

static unsigned long long page_flags(unsigned long long pfn)
{
	unsigned long long f = 0;
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &f, sizeof(f), pfn * sizeof(f)) != sizeof(f))
		f = 0;
	close(fd);
	return f;
}

FIXTURE(mthp) {
	char saved[32];		/* the size's setting before, e.g. "never" */
	char *map;
	bool skip;
};

FIXTURE_SETUP(mthp)
{
	char *t = vmv_read_file(MTHP_CTL, NULL), *b, *e;

	self->map = NULL;
	self->saved[0] = '\0';
	self->skip = !t;
	if (!t)
		SKIP(return, "no %s: multi-size THP came with 6.8", MTHP_CTL);
	b = strchr(t, '[');
	e = b ? strchr(b, ']') : NULL;
	ASSERT_NE(NULL, e) TH_LOG("%s says \"%s\"", MTHP_CTL, t);
	*e = '\0';
	snprintf(self->saved, sizeof(self->saved), "%s", b + 1);
	free(t);
	ASSERT_EQ(0, vmv_ensure_loaded());
	ASSERT_EQ(0, vmv_write_file(MTHP_CTL, "always"));
}

FIXTURE_TEARDOWN(mthp)
{
	if (self->map)
		munmap(self->map, MTHP_CHUNKS * MTHP_SIZE + 2 * MTHP_SIZE);
	if (self->saved[0])
		vmv_write_file(MTHP_CTL, self->saved);
	vmv_untrack(getpid());
}

TEST_F_TIMEOUT(mthp, folios_64k, 120)
{
	unsigned long pg = getpagesize(), per = MTHP_SIZE / pg;
	unsigned int order = __builtin_ctzl(per);
	long long cont_ptes, cont_runs, run_ptes;
	unsigned long base, i, j;
	int folios = 0, cont_folios = 0;
	char first[VMV_PTE_LINE_MAX] = "";
	struct vmv_pte l;
	char *ptes, *mm;

	if (self->skip)
		return;
	/*
	 * 1 MiB aligned to 64 KiB, a VMA of its own between PROT_NONE
	 * guards: too small for a 2 MiB THP, whatever THP's mode.
	 */
	self->map = mmap(NULL, MTHP_CHUNKS * MTHP_SIZE + 2 * MTHP_SIZE,
			 PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	base = ((unsigned long)self->map + MTHP_SIZE) & ~(MTHP_SIZE - 1);
	ASSERT_EQ(0, mprotect((void *)base, MTHP_CHUNKS * MTHP_SIZE,
			      PROT_READ | PROT_WRITE));
	for (i = 0; i < MTHP_CHUNKS; i++)
		__atomic_store_n((char *)base + i * MTHP_SIZE + 5 * pg, (char)i,
				 __ATOMIC_RELAXED);

	ASSERT_EQ(0, vmv_track(getpid()));
	ptes = vmv_pid_read(getpid(), "ptes", NULL);
	ASSERT_NE(NULL, ptes);
	for (i = 0; i < MTHP_CHUNKS; i++) {
		unsigned long va = base + i * MTHP_SIZE;
		unsigned long long pfn0 = 0;
		bool folio = true, cont = true;

		for (j = 0; j < per; j++) {
			unsigned long long pm = vmv_pagemap_entry(getpid(),
								  va + j * pg);

			ASSERT_TRUE(vmv_pte_find(ptes, va + j * pg, &l))
				TH_LOG("no ptes line at 0x%lx", va + j * pg);
			ASSERT_EQ(VMVIEW_KIND_PRESENT, l.kind);
			ASSERT_EQ(VMVIEW_LEVEL_PTE, l.level);
			ASSERT_TRUE(l.has_page);
			if (!first[0])
				snprintf(first, sizeof(first), "%.*s", l.len,
					 l.text);
			/* the frame pagemap gives (root sees PFNs) */
			ASSERT_TRUE(!!(pm >> 63));
			EXPECT_EQ(pm & ((1ULL << 55) - 1), l.pfn);
			if (j == 0)
				pfn0 = l.pfn;
			if (l.order != (int)order || l.pfn != pfn0 + j ||
			    pfn0 % per)
				folio = false;
#ifdef __aarch64__
			if (!vmv_pte_has_flag(&l, VMVIEW_ARM64_F_CONT))
				cont = false;
#endif
		}
		if (!folio) {
			TH_LOG("0x%lx: not one 64 KiB folio (order=%d, fallback?)",
			       va, l.order);
			continue;
		}
		folios++;
		/* kpageflags: one compound page, head then tails, THP */
		for (j = 0; j < per; j++) {
			unsigned long long kf = page_flags(pfn0 + j);

			EXPECT_TRUE(!!(kf & (1ULL << (j ? KPF_COMPOUND_TAIL :
						      KPF_COMPOUND_HEAD))))
				TH_LOG("pfn 0x%llx kpageflags 0x%llx",
				       pfn0 + j, kf);
			EXPECT_TRUE(!!(kf & (1ULL << KPF_THP)));
		}
		cont_folios += cont;
	}
	free(ptes);
	/* A fresh guest has the memory: most folios must be 64 KiB ones. */
	EXPECT_LE(MTHP_CHUNKS / 2, folios);

	mm = vmv_pid_read(getpid(), "mm", NULL);
	ASSERT_NE(NULL, mm);
	cont_ptes = vmv_kv_num(mm, "cont_ptes");
	cont_runs = vmv_kv_num(mm, "cont_runs");
	run_ptes = vmv_kv_num(mm, "cont_run_ptes");
	free(mm);
	ksft_print_msg("mthp: %s\n", first);
	ksft_print_msg("mthp: %d of %d chunks 64 KiB folios (order %u), %d in contiguous runs\n",
		       folios, MTHP_CHUNKS, order, cont_folios);
	ksft_print_msg("mthp: PID/mm cont_ptes %lld, cont_runs %lld of %lld PTEs\n",
		       cont_ptes, cont_runs, run_ptes);
	fflush(stdout);		/* the test runs in a child of the harness */
#ifdef __aarch64__
	/*
	 * A folio as large as a contiguous run is folded into one (all
	 * sixteen entries "cont"); PID/mm counts whole runs.
	 */
	ASSERT_LT(0, run_ptes);
	if ((unsigned long)run_ptes == per)
		EXPECT_EQ(folios, cont_folios);
	EXPECT_LE((long long)cont_folios, cont_runs);
	EXPECT_EQ(cont_runs * run_ptes, cont_ptes);
#else
	/* no contiguous hint on x86: PID/mm has no such lines */
	EXPECT_EQ(-1, cont_ptes);
	EXPECT_EQ(-1, cont_runs);
	(void)run_ptes;
	(void)cont_folios;
#endif
}

TEST_HARNESS_MAIN

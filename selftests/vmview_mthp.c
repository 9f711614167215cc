// SPDX-License-Identifier: GPL-2.0
/*
 * mthp: multi-size THP folios (6.8+) and, on arm64, the contiguous runs
 * the kernel folds them into (ARM64_CONTPTE, 6.9+).
 *
 * The size tested is the one the hardware can fold: a contiguous run of
 * PTEs on arm64 (64 KiB with 4 KiB pages, 2 MiB with 16 KiB pages), and
 * 64 KiB on x86-64.  With that mTHP size enabled ("always" in
 * /sys/kernel/mm/transparent_hugepage/hugepages-<size>kB/enabled,
 * restored afterwards), the first write to each chunk of that size of a
 * fresh anonymous mapping faults in one folio.  PID/ptes must show it as
 * the kernel does elsewhere: present PTEs (sixteen of 4 KiB for 64 KiB)
 * of order=log2(size / page) on consecutive frames aligned to the folio,
 * the frames pagemap gives, kpageflags saying compound head then tails,
 * all THP.  On arm64 every entry of such a folio carries "cont" and
 * PID/mm counts the run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmview_util.h"

#define MTHP_CTL	"/sys/kernel/mm/transparent_hugepage/hugepages-%lukB/enabled"

/* The mTHP size under test: a contiguous run on arm64, else 64 KiB. */
static unsigned long mthp_size(void)
{
#ifdef __aarch64__
	if (PG == 16384)
		return 2UL << 20;	/* CONT_PTES: 128 of 16 KiB */
#endif
	return 64UL << 10;		/* 16 of 4 KiB */
}

/* Chunks of that size: half a PMD, so no PMD THP fits (16 with 4 KiB). */
static unsigned long mthp_chunks(void)
{
	return (1UL << vmv_huge_shift()) / mthp_size() / 2;
}

static char *mthp_ctl(char *buf, size_t len)
{
	snprintf(buf, len, MTHP_CTL, mthp_size() >> 10);
	return buf;
}

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
	char ctl[96];		/* its control file */
	char *map;
	bool skip;
};

FIXTURE_SETUP(mthp)
{
	char *t = vmv_read_file(mthp_ctl(self->ctl, sizeof(self->ctl)), NULL);
	char *b, *e;

	self->map = NULL;
	self->saved[0] = '\0';
	self->skip = !t;
	if (!t)
		SKIP(return, "no %s: multi-size THP came with 6.8", self->ctl);
	b = strchr(t, '[');
	e = b ? strchr(b, ']') : NULL;
	ASSERT_NE(NULL, e) TH_LOG("%s says \"%s\"", self->ctl, t);
	*e = '\0';
	snprintf(self->saved, sizeof(self->saved), "%s", b + 1);
	free(t);
	ASSERT_EQ(0, vmv_ensure_loaded());
	ASSERT_EQ(0, vmv_write_file(self->ctl, "always"));
}

FIXTURE_TEARDOWN(mthp)
{
	if (self->map)
		munmap(self->map, (mthp_chunks() + 2) * mthp_size());
	if (self->saved[0])
		vmv_write_file(self->ctl, self->saved);
	vmv_untrack(getpid());
}

TEST_F_TIMEOUT(mthp, folios, 120)
{
	unsigned long size = mthp_size(), chunks = mthp_chunks();
	unsigned long pg = getpagesize(), per = size / pg;
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
	 * Half a PMD aligned to the size, a VMA of its own between PROT_NONE
	 * guards: too small for a PMD THP, whatever THP's mode.  One byte is
	 * written in each chunk, not at its start.
	 */
	self->map = mmap(NULL, (chunks + 2) * size, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	base = ((unsigned long)self->map + size) & ~(size - 1);
	ASSERT_EQ(0, mprotect((void *)base, chunks * size,
			      PROT_READ | PROT_WRITE));
	for (i = 0; i < chunks; i++)
		__atomic_store_n((char *)base + i * size + (per / 2 + 1) * pg,
				 (char)i, __ATOMIC_RELAXED);

	ASSERT_EQ(0, vmv_track(getpid()));
	ptes = vmv_pid_read(getpid(), "ptes", NULL);
	ASSERT_NE(NULL, ptes);
	for (i = 0; i < chunks; i++) {
		unsigned long va = base + i * size;
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
			TH_LOG("0x%lx: not one %lu KiB folio (order=%d, fallback?)",
			       va, size >> 10, l.order);
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
	EXPECT_LE(chunks / 2, (unsigned long)folios);

	mm = vmv_pid_read(getpid(), "mm", NULL);
	ASSERT_NE(NULL, mm);
	cont_ptes = vmv_kv_num(mm, "cont_ptes");
	cont_runs = vmv_kv_num(mm, "cont_runs");
	run_ptes = vmv_kv_num(mm, "cont_run_ptes");
	free(mm);
	ksft_print_msg("mthp: %s\n", first);
	ksft_print_msg("mthp: %d of %lu chunks %lu KiB folios (order %u), %d in contiguous runs\n",
		       folios, chunks, size >> 10, order, cont_folios);
	ksft_print_msg("mthp: PID/mm cont_ptes %lld, cont_runs %lld of %lld PTEs\n",
		       cont_ptes, cont_runs, run_ptes);
	fflush(stdout);		/* the test runs in a child of the harness */
#ifdef __aarch64__
	/*
	 * A folio as large as a contiguous run is folded into one (all its
	 * entries "cont"); PID/mm counts whole runs.
	 */
	ASSERT_EQ((long long)per, run_ptes);
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

// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_load: the module loads, creates its debugfs directory and
 * /proc/vmview with the right content, unloads leaving nothing behind, and
 * survives 20 load/unload cycles in a row.
 *
 * The module's state before the test is restored at the end.
 */
#include <ctype.h>
#include <sys/utsname.h>

#include "vmview_harness.h"

static bool vmv_gone(void)
{
	return access("/sys/module/vmview", F_OK) && errno == ENOENT &&
	       access(VMVIEW_PROC_STATUS, F_OK) && errno == ENOENT &&
	       access(VMVIEW_DEBUGFS_DIR, F_OK) && errno == ENOENT;
}

static bool in_proc_modules(void)
{
	char *mods = vmv_read_file("/proc/modules", NULL);
	bool found = mods && (!strncmp(mods, "vmview ", 7) ||
			      strstr(mods, "\nvmview "));

	free(mods);
	return found;
}

FIXTURE(load) {
	bool was_loaded;
};

FIXTURE_SETUP(load)
{
	self->was_loaded = vmv_module_loaded();
	if (self->was_loaded)
		ASSERT_EQ(0, vmv_unload());
	ASSERT_TRUE(vmv_gone());
}

FIXTURE_TEARDOWN(load)
{
	if (self->was_loaded && !vmv_module_loaded())
		vmv_load();
	if (!self->was_loaded && vmv_module_loaded())
		vmv_unload();
}

/* /proc/vmview reads "version", "kernel", "levels", "tracked" right. */
TEST_F(load, status_file)
{
	struct utsname uts;
	char v[128];
	char *st, *p;
	struct stat sb;

	ASSERT_EQ(0, vmv_load());
	st = vmv_read_file(VMVIEW_PROC_STATUS, NULL);
	ASSERT_NE(NULL, st);

	ASSERT_TRUE(vmv_kv(st, "version", v, sizeof(v)));
	/* MAJOR.MINOR.PATCH, and the same as modinfo's version. */
	for (p = v; *p; p++)
		ASSERT_TRUE(isdigit(*p) || *p == '.');
	{
		char *mv = vmv_read_file("/sys/module/vmview/version", NULL);

		ASSERT_NE(NULL, mv);
		mv[strcspn(mv, "\n")] = '\0';
		EXPECT_STREQ(mv, v);
		free(mv);
	}

	ASSERT_EQ(0, uname(&uts));
	ASSERT_TRUE(vmv_kv(st, "kernel", v, sizeof(v)));
	EXPECT_STREQ(uts.release, v);

	EXPECT_EQ(vmv_expected_levels(), vmv_kv_num(st, "levels"));
	EXPECT_EQ(0, vmv_kv_num(st, "tracked"));

	/*
	 * The status file is read-only, for everyone: mode 0444, and even
	 * root (who may open it for writing) cannot write to it.
	 */
	ASSERT_EQ(0, stat(VMVIEW_PROC_STATUS, &sb));
	EXPECT_EQ(0444, (int)(sb.st_mode & 0777));
	EXPECT_EQ(-EIO, vmv_write_file(VMVIEW_PROC_STATUS, "1"));

	/* The debugfs directory is there, and it is a directory. */
	ASSERT_EQ(0, stat(VMVIEW_DEBUGFS_DIR, &sb));
	EXPECT_TRUE(S_ISDIR(sb.st_mode));
	EXPECT_TRUE(in_proc_modules());
	free(st);

	ASSERT_EQ(0, vmv_unload());
	EXPECT_TRUE(vmv_gone());
	EXPECT_FALSE(in_proc_modules());
}

/* A second load while loaded fails with EEXIST and changes nothing. */
TEST_F(load, double_load)
{
	ASSERT_EQ(0, vmv_load());
	EXPECT_EQ(-EEXIST, vmv_load());
	EXPECT_EQ(0, access(VMVIEW_PROC_STATUS, R_OK));
	ASSERT_EQ(0, vmv_unload());
	EXPECT_TRUE(vmv_gone());
	/* And unloading twice fails cleanly. */
	EXPECT_EQ(-ENOENT, vmv_unload());
}

/* 20 cycles: each load shows the files, each unload removes them all. */
TEST_F(load, twenty_cycles)
{
	char *before, *after;
	int i;

	for (i = 0; i < 20; i++) {
		char *st;

		ASSERT_EQ(0, vmv_load()) TH_LOG("load %d", i);
		st = vmv_read_file(VMVIEW_PROC_STATUS, NULL);
		ASSERT_NE(NULL, st) TH_LOG("cycle %d", i);
		EXPECT_EQ(0, vmv_kv_num(st, "tracked"));
		free(st);
		EXPECT_EQ(0, access(VMVIEW_DEBUGFS_DIR, F_OK));
		ASSERT_EQ(0, vmv_unload()) TH_LOG("unload %d", i);
		ASSERT_TRUE(vmv_gone()) TH_LOG("cycle %d left a trace", i);
	}
	/* Nothing of vmview's in the debugfs root or /proc afterwards. */
	before = vmv_read_file("/proc/modules", NULL);
	ASSERT_NE(NULL, before);
	EXPECT_EQ(NULL, strstr(before, "vmview"));
	free(before);
	after = vmv_read_file("/proc/sys/kernel/tainted", NULL);
	ASSERT_NE(NULL, after);
	/* Out-of-tree (4096) and unsigned (8192) are expected, nothing more. */
	EXPECT_EQ(0UL, strtoul(after, NULL, 10) & ~(4096UL | 8192UL));
	free(after);
}

TEST_HARNESS_MAIN

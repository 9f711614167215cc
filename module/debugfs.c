// SPDX-License-Identifier: GPL-2.0
/*
 * The /sys/kernel/debug/vmview tree.
 *
 * This file owns the files: it checks the opener's capability, parses
 * what userspace writes, and hands reads to inspect.c.  Every file needs
 * CAP_SYS_ADMIN to open (they show physical addresses); modes are 0400
 * for reading and 0200 for writing (0600 for translate, which does both).
 */
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/threads.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "dump.h"
#include "inspect.h"
#include "mirror.h"
#include "target.h"
#include "vmview.h"

static struct dentry *vmv_root;
int vmv_debugfs_error;

static int vmv_may_open(void)
{
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/*
 * Copy a short write into buf, NUL-terminated, without its one optional
 * trailing newline.  Only a whole write at offset 0 is accepted, and it
 * must hold no NUL byte.
 */
static int vmv_copy_word(char *buf, size_t size, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	if (*ppos || !count || count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (buf[count - 1] == '\n')
		buf[--count] = '\0';
	if (!count || strlen(buf) != count)
		return -EINVAL;
	return 0;
}

static bool vmv_all(const char *s, int (*test)(int c))
{
	for (; *s; s++)
		if (!test(*s))
			return false;
	return true;
}

static int vmv_isdigit(int c)
{
	return isdigit(c);
}

static int vmv_isxdigit(int c)
{
	return isxdigit(c);
}

/* A decimal PID from 1 to PID_MAX_LIMIT. */
static int vmv_parse_pid(const char __user *ubuf, size_t count, loff_t *ppos,
			 pid_t *pid)
{
	char buf[16];
	int ret, v;

	ret = vmv_copy_word(buf, sizeof(buf), ubuf, count, ppos);
	if (ret)
		return ret;
	if (!vmv_all(buf, vmv_isdigit) || kstrtoint(buf, 10, &v) ||
	    v < 1 || v > PID_MAX_LIMIT)
		return -EINVAL;
	*pid = v;
	return 0;
}

/* An address: 0x-hex or decimal, at most @max. */
static int vmv_str_to_addr(char *s, unsigned long max, unsigned long *addr)
{
	unsigned long long v;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	}
	if (!*s || !vmv_all(s, base == 16 ? vmv_isxdigit : vmv_isdigit) ||
	    kstrtoull(s, base, &v) || v > max)
		return -EINVAL;
	*addr = v;
	return 0;
}

/* A user address: 0x-hex or decimal, below VMV_TASK_SIZE_MAX. */
static int vmv_parse_addr(const char __user *ubuf, size_t count, loff_t *ppos,
			  unsigned long *addr)
{
	char buf[32];
	int ret;

	ret = vmv_copy_word(buf, sizeof(buf), ubuf, count, ppos);
	if (ret)
		return ret;
	return vmv_str_to_addr(buf, VMV_TASK_SIZE_MAX - 1, addr);
}

/*
 * A range START-END of user addresses (START < END <= VMV_TASK_SIZE_MAX), or
 * a lone newline for "everything" (both 0).
 */
static int vmv_parse_range(const char __user *ubuf, size_t count,
			   loff_t *ppos, unsigned long *start,
			   unsigned long *end)
{
	char buf[64], *dash;
	int ret;

	if (count == 1 && !*ppos) {
		if (get_user(buf[0], ubuf))
			return -EFAULT;
		if (buf[0] != '\n')
			return -EINVAL;
		*start = 0;
		*end = 0;
		return 0;
	}
	ret = vmv_copy_word(buf, sizeof(buf), ubuf, count, ppos);
	if (ret)
		return ret;
	dash = strchr(buf, '-');
	if (!dash)
		return -EINVAL;
	*dash = '\0';
	ret = vmv_str_to_addr(buf, VMV_TASK_SIZE_MAX - 1, start);
	if (!ret)
		ret = vmv_str_to_addr(dash + 1, VMV_TASK_SIZE_MAX, end);
	if (!ret && *start >= *end)
		ret = -EINVAL;
	return ret;
}

/* --- track, untrack ------------------------------------------------------ */

static int vmv_ctl_open(struct inode *inode, struct file *file)
{
	return vmv_may_open() ?: nonseekable_open(inode, file);
}

/* A PID written to track or untrack, handed to @op. */
static ssize_t vmv_pid_write(const char __user *ubuf, size_t count,
			     loff_t *ppos, int (*op)(pid_t nr))
{
	pid_t pid;
	int ret;

	ret = vmv_parse_pid(ubuf, count, ppos, &pid);
	if (!ret)
		ret = op(pid);
	return ret ?: count;
}

static ssize_t vmv_track_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	return vmv_pid_write(ubuf, count, ppos, vmv_target_track);
}

static ssize_t vmv_untrack_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	return vmv_pid_write(ubuf, count, ppos, vmv_target_untrack);
}

/* fail_nth (test_hooks=1): the Nth allocation from now on fails. */
static ssize_t vmv_fail_nth_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char buf[16];
	int ret, n;

	/* 0 disarms; N arms the countdown. */
	ret = vmv_copy_word(buf, sizeof(buf), ubuf, count, ppos);
	if (ret)
		return ret;
	if (!vmv_all(buf, vmv_isdigit) || kstrtoint(buf, 10, &n))
		return -EINVAL;
	vmv_fail_nth(n);
	return count;
}

/* A write-only control file NAME: vmv_NAME_write() takes its input. */
#define VMV_CTL_FOPS(name)						\
static const struct file_operations vmv_##name##_fops = {		\
	.owner	= THIS_MODULE,						\
	.open	= vmv_ctl_open,						\
	.write	= vmv_##name##_write,					\
}

VMV_CTL_FOPS(track);
VMV_CTL_FOPS(untrack);
VMV_CTL_FOPS(fail_nth);

/* --- PID/mm, PID/translate (single_open) ----------------------------------- */

static int vmv_mm_show(struct seq_file *m, void *v)
{
	return vmv_show_mm(m, m->private);
}

static int vmv_translate_show(struct seq_file *m, void *v)
{
	return vmv_show_translate(m, m->private);
}

static int vmv_verify_show(struct seq_file *m, void *v)
{
	struct vmv_target *t = m->private;
	struct mm_struct *mm = vmv_target_get_mm(t);
	int ret;

	if (!mm)
		return -ESRCH;
	ret = vmv_mirror_verify(t->mirror, mm, m);
	mmput(mm);
	return ret;
}

static int vmv_shadow_show(struct seq_file *m, void *v)
{
	struct vmv_target *t = m->private;

	vmv_mirror_show_stats(t->mirror, m);
	return 0;
}

static int vmv_events_show(struct seq_file *m, void *v)
{
	struct vmv_target *t = m->private;

	vmv_mirror_show_events(t->mirror, m);
	return 0;
}

#define VMV_SEQ_SIZE	(32 * 1024)

static int vmv_single_open(struct inode *inode, struct file *file,
			   int (*show)(struct seq_file *, void *))
{
	struct vmv_target *t = inode->i_private;
	int ret;

	ret = vmv_may_open();
	if (ret)
		return ret;
	vmv_target_get(t);
	/*
	 * Room for the longest content (events: 256 lines; verify: 64
	 * mismatch lines) from the start: seq_read() runs a show again
	 * with a bigger buffer when it overflows, and a second verify would
	 * report a changed-mode verify's ranges as already compared.
	 */
	ret = single_open_size(file, show, t, VMV_SEQ_SIZE);
	if (ret)
		vmv_target_put(t);
	return ret;
}

static int vmv_single_release(struct inode *inode, struct file *file)
{
	struct vmv_target *t = ((struct seq_file *)file->private_data)->private;

	single_release(inode, file);
	vmv_target_put(t);
	return 0;
}

static ssize_t vmv_verify_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct vmv_target *t = ((struct seq_file *)file->private_data)->private;
	unsigned long start, end;
	int ret;

	char word[16];

	/* "full" or "changed" set the mode; anything else is a range. */
	if (!vmv_copy_word(word, sizeof(word), ubuf, count, ppos) &&
	    (!strcmp(word, "full") || !strcmp(word, "changed"))) {
		vmv_mirror_set_mode(t->mirror, word[0] == 'c');
		return count;
	}
	ret = vmv_parse_range(ubuf, count, ppos, &start, &end);
	if (ret)
		return ret;
	vmv_mirror_set_range(t->mirror, start, end);
	return count;
}

static ssize_t vmv_inject_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct vmv_target *t = file_inode(file)->i_private;
	unsigned long addr;
	int ret;

	ret = vmv_parse_addr(ubuf, count, ppos, &addr);
	if (!ret)
		ret = vmv_mirror_inject(t->mirror, addr);
	return ret ?: count;
}

static ssize_t vmv_translate_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct vmv_target *t = ((struct seq_file *)file->private_data)->private;
	unsigned long addr;
	int ret;

	ret = vmv_parse_addr(ubuf, count, ppos, &addr);
	if (ret)
		return ret;
	mutex_lock(&t->lock);
	t->translate_addr = addr;
	t->translate_set = true;
	mutex_unlock(&t->lock);
	return count;
}

/* PID/mm reads the THP mode from sysfs at open, not inside its show. */
static int vmv_mm_open(struct inode *inode, struct file *file)
{
	int ret = vmv_may_open();

	if (ret)
		return ret;
	vmv_read_thp_mode(inode->i_private);
	return vmv_single_open(inode, file, vmv_mm_show);
}

static const struct file_operations vmv_mm_fops = {
	.owner		= THIS_MODULE,
	.open		= vmv_mm_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= vmv_single_release,
};

/*
 * The open and file_operations of a target's single_open() file NAME, as
 * the kernel's DEFINE_SHOW_STORE_ATTRIBUTE() makes them: vmv_NAME_show()
 * gives its content and @wr (NULL: none) takes its input.
 */
#define VMV_SEQ_FOPS(name, wr)						\
static int vmv_##name##_open(struct inode *inode, struct file *file)	\
{									\
	return vmv_single_open(inode, file, vmv_##name##_show);		\
}									\
static const struct file_operations vmv_##name##_fops = {		\
	.owner		= THIS_MODULE,					\
	.open		= vmv_##name##_open,				\
	.read		= seq_read,					\
	.write		= wr,						\
	.llseek		= seq_lseek,					\
	.release	= vmv_single_release,				\
}

VMV_SEQ_FOPS(translate, vmv_translate_write);
VMV_SEQ_FOPS(verify, vmv_verify_write);
VMV_SEQ_FOPS(shadow, NULL);
VMV_SEQ_FOPS(events, NULL);

static const struct file_operations vmv_inject_fops = {
	.owner		= THIS_MODULE,
	.open		= vmv_ctl_open,
	.write		= vmv_inject_write,
};

/* --- PID/vmas (seq_operations resuming by address) ------------------- */

static int vmv_vmas_open(struct inode *inode, struct file *file)
{
	struct vmv_target *t = inode->i_private;
	struct vmv_iter *it;
	int ret;

	ret = vmv_may_open();
	if (ret)
		return ret;
	it = __seq_open_private(file, &vmv_vmas_sops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	vmv_stat_inc(VMV_STAT_ITERS);
	vmv_target_get(t);
	it->t = t;
	return 0;
}

static int vmv_vmas_release(struct inode *inode, struct file *file)
{
	struct vmv_iter *it = ((struct seq_file *)file->private_data)->private;

	vmv_target_put(it->t);
	vmv_stat_dec(VMV_STAT_ITERS);
	return seq_release_private(inode, file);
}

static const struct file_operations vmv_vmas_fops = {
	.owner		= THIS_MODULE,
	.open		= vmv_vmas_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= vmv_vmas_release,
};

/* --- PID/ptes, PID/ptes.bin (inspect.c's dump) ------------------------- */

static int vmv_dump_open(struct inode *inode, struct file *file, bool binary)
{
	struct vmv_target *t = inode->i_private;
	struct vmv_dump *d;
	int ret;

	ret = vmv_may_open();
	if (ret)
		return ret;
	d = vmv_dump_create(t, binary);
	if (!d)
		return -ENOMEM;
	vmv_stat_inc(VMV_STAT_ITERS);
	vmv_target_get(t);
	file->private_data = d;
	return 0;
}

static ssize_t vmv_dump_file_read(struct file *file, char __user *ubuf,
				  size_t size, loff_t *ppos)
{
	return vmv_dump_read(file->private_data, ubuf, size, ppos);
}

static int vmv_dump_release(struct inode *inode, struct file *file)
{
	struct vmv_dump *d = file->private_data;

	vmv_target_put(d->t);
	vmv_dump_destroy(d);
	vmv_stat_dec(VMV_STAT_ITERS);
	return 0;
}

/* The open and file_operations of a dump file, text or @binary. */
#define VMV_DUMP_FOPS(name, binary)					\
static int vmv_##name##_open(struct inode *inode, struct file *file)	\
{									\
	return vmv_dump_open(inode, file, binary);			\
}									\
static const struct file_operations vmv_##name##_fops = {		\
	.owner		= THIS_MODULE,					\
	.open		= vmv_##name##_open,				\
	.read		= vmv_dump_file_read,				\
	.llseek		= no_seek_end_llseek,				\
	.release	= vmv_dump_release,				\
}

VMV_DUMP_FOPS(ptes, false);
VMV_DUMP_FOPS(ptes_bin, true);

/* --- the tree ---------------------------------------------------------- */

/* The files of a target's directory; Documentation/vmview.rst says each. */
static const struct vmv_file {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
	bool test_only;		/* only with test_hooks=1 */
} vmv_target_files[] = {
	{ "mm",		0400, &vmv_mm_fops },
	{ "vmas",	0400, &vmv_vmas_fops },
	{ "ptes",	0400, &vmv_ptes_fops },
	{ "ptes.bin",	0400, &vmv_ptes_bin_fops },
	{ "translate",	0600, &vmv_translate_fops },
	{ "verify",	0600, &vmv_verify_fops },
	{ "shadow",	0400, &vmv_shadow_fops },
	{ "events",	0400, &vmv_events_fops },
	{ "inject",	0200, &vmv_inject_fops, true },
};

int vmv_debugfs_add_target(struct vmv_target *t)
{
	const struct vmv_file *f;
	char name[16];
	struct dentry *dir;

	if (!vmv_root)
		return -ENODEV;
	snprintf(name, sizeof(name), "%d", t->nr);
	dir = debugfs_create_dir(name, vmv_root);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	for (f = vmv_target_files; f < vmv_target_files +
	     ARRAY_SIZE(vmv_target_files); f++)
		if (!f->test_only || vmv_test_hooks)
			debugfs_create_file(f->name, f->mode, dir, t, f->fops);
	t->dir = dir;
	return 0;
}

void vmv_debugfs_remove_target(struct vmv_target *t)
{
	/* Waits for reads in flight; later ones on open files get -EIO. */
	debugfs_remove(t->dir);
	t->dir = NULL;
}

int vmv_debugfs_init(void)
{
	vmv_root = debugfs_create_dir("vmview", NULL);
	if (IS_ERR(vmv_root)) {
		/*
		 * Debugfs can be absent or locked down; the module still
		 * loads so that /proc/vmview can say why.
		 */
		vmv_debugfs_error = PTR_ERR(vmv_root);
		vmv_root = NULL;
		pr_warn("debugfs unavailable (%d)\n", vmv_debugfs_error);
		return 0;
	}
	debugfs_create_file("track", 0200, vmv_root, NULL, &vmv_track_fops);
	debugfs_create_file("untrack", 0200, vmv_root, NULL,
			    &vmv_untrack_fops);
	if (vmv_test_hooks)
		debugfs_create_file("fail_nth", 0200, vmv_root, NULL,
				    &vmv_fail_nth_fops);
	return 0;
}

void vmv_debugfs_exit(void)
{
	vmv_target_untrack_all();
	debugfs_remove(vmv_root);
	vmv_root = NULL;
}

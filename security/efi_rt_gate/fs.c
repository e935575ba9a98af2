// SPDX-License-Identifier: GPL-2.0
/*
 * securityfs interface of the EFI runtime gate: /sys/kernel/security/efi_rt/
 *
 *   unlock               (0200) "1" unlocks, "0" relocks, both measured
 *   state                (0444) locked, unlocked or disabled
 *   pcr                  (0444) the PCR the gate extends
 *   binary_measurements  (0440) TCG crypto-agile event log
 *   ascii_measurements   (0440) the same, one line per record
 *   staged_journal       (0600) staged variable writes (staged.c)
 *   staged               (0440) their state
 */

#define pr_fmt(fmt) "efi_rt_gate: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "efi_rt_gate.h"

static bool rtgate_may_unlock(struct file *file)
{
	/* The opener's credentials (no fd passing) and the writer's. */
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
		capable(CAP_SYS_ADMIN);
}

static int rtgate_unlock_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static ssize_t rtgate_unlock_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	char buf[2];
	int ret;

	if (!rtgate_may_unlock(file))
		return -EPERM;
	/* Exactly "1", "1\n", "0" or "0\n", written at offset 0. */
	if (*ppos != 0 || count == 0 || count > sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	if ((count == 2 && buf[1] != '\n') || (buf[0] != '0' && buf[0] != '1'))
		return -EINVAL;

	ret = rtgate_request(buf[0] == '1');
	return ret ? ret : count;
}

static const struct file_operations rtgate_unlock_fops = {
	.open = rtgate_unlock_open,
	.write = rtgate_unlock_write,
	.llseek = noop_llseek,
};

static ssize_t rtgate_state_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%s\n", rtgate_state_name());
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations rtgate_state_fops = {
	.read = rtgate_state_read,
	.llseek = generic_file_llseek,
};

static ssize_t rtgate_pcr_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%u\n", rtgate_pcr());
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations rtgate_pcr_fops = {
	.read = rtgate_pcr_read,
	.llseek = generic_file_llseek,
};

static int rtgate_binary_open(struct inode *inode, struct file *file)
{
	return seq_open(file, &rtgate_binary_seqops);
}

static const struct file_operations rtgate_binary_fops = {
	.open = rtgate_binary_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release,
};

static int rtgate_ascii_open(struct inode *inode, struct file *file)
{
	return seq_open(file, &rtgate_ascii_seqops);
}

static const struct file_operations rtgate_ascii_fops = {
	.open = rtgate_ascii_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release,
};

/**
 * rtgate_fs_init() - create /sys/kernel/security/efi_rt/
 *
 * Return: 0 on success, a negative errno otherwise.
 */
int __init rtgate_fs_init(void)
{
	static const struct {
		const char *name;
		umode_t mode;
		const struct file_operations *fops;
	} files[] = {
		{ "unlock", 0200, &rtgate_unlock_fops },
		{ "state", 0444, &rtgate_state_fops },
		{ "pcr", 0444, &rtgate_pcr_fops },
		{ "binary_measurements", 0440, &rtgate_binary_fops },
		{ "ascii_measurements", 0440, &rtgate_ascii_fops },
#ifdef CONFIG_EFI_STAGED_VARS
		{ "staged_journal", 0600, &rtgate_staged_journal_fops },
		{ "staged", 0440, &rtgate_staged_fops },
#endif
	};
	struct dentry *dir, *d;
	unsigned int i;

	dir = securityfs_create_dir("efi_rt", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		d = securityfs_create_file(files[i].name, files[i].mode, dir,
					   NULL, files[i].fops);
		if (IS_ERR(d)) {
			securityfs_recursive_remove(dir);
			return PTR_ERR(d);
		}
	}
	return 0;
}

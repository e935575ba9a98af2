// SPDX-License-Identifier: GPL-2.0
/*
 * securityfs files of staged EFI variable writes (drivers/firmware/efi/
 * var-staged.c), in /sys/kernel/security/efi_rt/:
 *
 *   staged_journal  (0600) write the ESP's mount point to attach the
 *                   journal, "-" to detach it; read: the mount point
 *   staged          (0440) what the EFI stub did at boot, the journal's
 *                   state, and the writes staged in this boot
 */

#define pr_fmt(fmt) "efi_rt_gate: " fmt

#include <linux/capability.h>
#include <linux/efi_staged_vars.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "efi_rt_gate.h"

static int rtgate_staged_journal_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static ssize_t rtgate_staged_journal_write(struct file *file,
					   const char __user *ubuf,
					   size_t count, loff_t *ppos)
{
	char *buf;
	int ret;

	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) ||
	    !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (*ppos != 0 || count == 0 || count >= PATH_MAX)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	strim(buf);
	if (!strcmp(buf, "-")) {
		efi_staged_detach();
		ret = 0;
	} else if (buf[0] != '/') {
		ret = -EINVAL;
	} else {
		ret = efi_staged_attach(buf);
	}
	kfree(buf);
	return ret ? ret : count;
}

static int rtgate_staged_show(struct seq_file *m, void *v)
{
	efi_staged_show(m);
	return 0;
}

static int rtgate_staged_open(struct inode *inode, struct file *file)
{
	return single_open(file, rtgate_staged_show, NULL);
}

const struct file_operations rtgate_staged_journal_fops = {
	.open = rtgate_staged_journal_open,
	.write = rtgate_staged_journal_write,
	.llseek = noop_llseek,
};

const struct file_operations rtgate_staged_fops = {
	.open = rtgate_staged_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

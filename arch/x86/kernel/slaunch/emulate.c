// SPDX-License-Identifier: GPL-2.0
/*
 * Debug-only emulation of an Intel TXT secure launch (CONFIG_SECURE_LAUNCH
 * _EMULATION, "slaunch_emulate" on the command line), for emulators without
 * TXT such as QEMU.
 *
 * It replaces only what such a machine cannot provide: the TXT registers
 * (the launch is simply declared to have happened) and the DRTM event log
 * the bootloader would have set up (a kernel buffer, exposed read-only at
 * /sys/kernel/security/slaunch/eventlog like the Secure Launch series'
 * log).  The TPM, its localities, PCRs 17-22 and EFI stay real: whoever
 * runs the emulator is expected to perform the DRTM hash sequence on the
 * TPM (swtpm's control channel) as the kernel starts, with
 * SLAUNCH_EMULATED_LAUNCH_DATA.
 */

#define pr_fmt(fmt) "slaunch: " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/sizes.h>
#include <linux/slaunch.h>
#include <linux/string.h>

#include "slaunch.h"

#define SL_EMU_LOG_SIZE	SZ_32K

static bool sl_emu_requested __initdata;
static bool sl_emu_active __ro_after_init;

/* The emulated DRTM event log; append-only. */
static DEFINE_MUTEX(sl_emu_log_mutex);
static u8 sl_emu_log[SL_EMU_LOG_SIZE];
static size_t sl_emu_log_len;

static int __init slaunch_emulate_param(char *str)
{
	if (str && *str)
		return -EINVAL;
	sl_emu_requested = true;
	return 0;
}
early_param("slaunch_emulate", slaunch_emulate_param);

/**
 * slaunch_emulate_setup() - declare an emulated launch if asked to
 *
 * Return: true if the kernel is to behave as if securely launched.
 */
bool __init slaunch_emulate_setup(void)
{
	if (!sl_emu_requested)
		return false;

	pr_warn("**********************************************************\n");
	pr_warn("**   SECURE LAUNCH IS EMULATED (slaunch_emulate)        **\n");
	pr_warn("**   There was no Intel TXT launch: PCRs 17-22 and the  **\n");
	pr_warn("**   DRTM log only show what the emulator injected.     **\n");
	pr_warn("**   NEVER use this kernel or option in production.     **\n");
	pr_warn("**********************************************************\n");
	sl_emu_active = true;
	return true;
}

/**
 * slaunch_emulated_log_space() - room left in the emulated DRTM event log
 *
 * Return: free bytes.
 */
size_t slaunch_emulated_log_space(void)
{
	guard(mutex)(&sl_emu_log_mutex);
	return SL_EMU_LOG_SIZE - sl_emu_log_len;
}

/**
 * slaunch_emulated_log_append() - append to the emulated DRTM event log
 * @data: record to append
 * @size: its size
 *
 * Return: 0 on success, -ENOSPC if it does not fit.
 */
int slaunch_emulated_log_append(const void *data, size_t size)
{
	guard(mutex)(&sl_emu_log_mutex);
	if (size > SL_EMU_LOG_SIZE - sl_emu_log_len)
		return -ENOSPC;
	memcpy(sl_emu_log + sl_emu_log_len, data, size);
	sl_emu_log_len += size;
	return 0;
}

static ssize_t sl_emu_eventlog_read(struct file *file, char __user *buf,
				    size_t count, loff_t *ppos)
{
	guard(mutex)(&sl_emu_log_mutex);
	return simple_read_from_buffer(buf, count, ppos, sl_emu_log,
				       sl_emu_log_len);
}

static const struct file_operations sl_emu_eventlog_fops = {
	.read = sl_emu_eventlog_read,
	.llseek = default_llseek,
};

static ssize_t sl_emu_emulated_read(struct file *file, char __user *buf,
				    size_t count, loff_t *ppos)
{
	static const char msg[] = "1\n";

	return simple_read_from_buffer(buf, count, ppos, msg, sizeof(msg) - 1);
}

static const struct file_operations sl_emu_emulated_fops = {
	.read = sl_emu_emulated_read,
	.llseek = default_llseek,
};

static int __init slaunch_emulate_fs_init(void)
{
	struct dentry *dir, *d;

	if (!sl_emu_active)
		return 0;

	dir = securityfs_create_dir("slaunch", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	d = securityfs_create_file("eventlog", 0440, dir, NULL,
				   &sl_emu_eventlog_fops);
	if (!IS_ERR(d))
		d = securityfs_create_file("emulated", 0444, dir, NULL,
					   &sl_emu_emulated_fops);
	if (IS_ERR(d)) {
		securityfs_recursive_remove(dir);
		return PTR_ERR(d);
	}
	return 0;
}
fs_initcall(slaunch_emulate_fs_init);

// SPDX-License-Identifier: GPL-2.0
/*
 * Suspend after a secure launch.
 *
 * Suspend to RAM loses the DRTM measurements: TPM2_Startup(STATE) on
 * resume restores no PCR 17-22 (the PC Client PTP gives them no state
 * save), and the kernel resumes without a new launch.  On TXT, locality
 * 2 is also closed after S3 until a new launch.  The kernel would go on
 * running as launched while the DRTM PCRs no longer say so and no longer
 * match the DRTM event log.  Until the Secure Launch series supports it,
 * every suspend is refused after a launch (suspend-to-idle too: the
 * notifier is not told the target state), with -EBUSY to the writer of
 * /sys/power/state.
 */

#define pr_fmt(fmt) "slaunch: " fmt

#include <linux/init.h>
#include <linux/notifier.h>
#include <linux/slaunch.h>
#include <linux/slaunch_emulation.h>
#include <linux/suspend.h>

static int slaunch_pm_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	if (action != PM_SUSPEND_PREPARE)
		return NOTIFY_DONE;
	pr_warn("suspend refused after a secure launch: the DRTM PCRs would be lost\n");
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block slaunch_pm_nb = {
	.notifier_call = slaunch_pm_notify,
};

static int __init slaunch_pm_init(void)
{
	if (!slaunch_is_txt_launch() && !slaunch_emulated())
		return 0;
	return register_pm_notifier(&slaunch_pm_nb);
}
late_initcall(slaunch_pm_init);

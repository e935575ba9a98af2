// SPDX-License-Identifier: GPL-2.0
/*
 * EFI runtime-services gate: the mechanism.
 *
 * "efi=noruntime" cannot be undone: it skips SetVirtualAddressMap(), leaves
 * efi_mm empty and frees the memory the firmware would need.  The gate adds
 * a state in between, "prepared but withheld": the virtual-mode setup runs
 * at boot up to SetVirtualAddressMap() (the EFI page tables and the new
 * memory map, no firmware involved), and runtime services are withheld
 * from the OS.  SetVirtualAddressMap() itself, the first firmware code the
 * kernel runs, waits for the first unlock; the boot-services memory stays
 * reserved until then.  EFI_RUNTIME_SERVICES, tested by every
 * runtime-services wrapper (efi_gate_closed()), keeps every call away
 * from the firmware until efi_gate_open(); it and the supported mask
 * are cleared so that consumers behave as on a kernel without runtime
 * services, and are restored (with the consumers that decided at boot) on
 * open.
 *
 * The policy (efi_rt_gate=) is decided here; measuring and exposing the
 * transitions is security/efi_rt_gate/.
 */

#define pr_fmt(fmt) "efi: runtime gate: " fmt

#include <linux/efi.h>
#include <linux/efi_rt_gate.h>
#include <linux/efi_staged_vars.h>
#include <linux/efi_var_snapshot.h>
#include <linux/fault-inject.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/platform_device.h>
#include <linux/slaunch.h>
#include <linux/slaunch_emulation.h>
#include <linux/string.h>
#include <linux/suspend.h>
#include <linux/syscore_ops.h>

#include <asm/efi.h>

static const char *const efi_gate_mode_names[] = {
	[EFI_GATE_MODE_AUTO] = "auto",
	[EFI_GATE_MODE_LOCKED] = "locked",
	[EFI_GATE_MODE_UNLOCKED] = "unlocked",
};

static enum efi_gate_mode gate_mode __initdata =
	IS_ENABLED(CONFIG_EFI_RT_GATE_DEFAULT_LOCKED) ?
	EFI_GATE_MODE_LOCKED : EFI_GATE_MODE_AUTO;
static bool gate_mode_set __initdata;
/*
 * This boot never unlocks (nor calls SVAM): efi_rt_gate_nounlock, no
 * measured interface built, or it failed at init (efi_gate_abandon()).
 */
static bool gate_nounlock __ro_after_init;

/* Serialises open and close; the state is read without it. */
static DEFINE_MUTEX(efi_gate_mutex);
static enum efi_gate_state gate_state = EFI_GATE_DISABLED;
/* The state the boot started in, once efi_gate_withhold() decided it */
static enum efi_gate_state boot_state __ro_after_init = EFI_GATE_DISABLED;
/* Set when this boot prepared runtime services natively. */
static bool gate_armed __ro_after_init;
/* The policy withholds runtime services at boot (armed gates only). */
static bool gate_lock_at_boot __ro_after_init;
/* A kexec'ed kernel: the EFI stub did not run and measure the policy. */
static bool gate_kexec_boot __ro_after_init;
/* Its policy opens the gate, once its opener has measured that policy. */
static bool gate_open_when_measured __ro_after_init;
/* A firmware fault disabled runtime services for good. */
static bool gate_faulted;
/* efisubsys_init() registered the efivars device (boot was unlocked). */
static bool efivars_pdev_from_boot __ro_after_init;
static enum efi_gate_reason boot_reason __ro_after_init;
static u32 saved_mask;
static struct platform_device *efivars_pdev;
/* /sys/devices/platform/efi_rt_gate: carries a uevent per transition */
static struct platform_device *gate_pdev;
/* Consumers that follow the gate (efi_gate_follow()) */
static BLOCKING_NOTIFIER_HEAD(efi_gate_chain);

#ifdef CONFIG_EFI_RT_GATE_FAULT_INJECTION
/*
 * fail_efi_rt_gate_close: a consumer that refuses a close with -EBUSY,
 * as capsule.c does while a capsule is pending.  Asked last, so that the
 * consumers asked before it see the close aborted.
 */
static DECLARE_FAULT_ATTR(fail_close);

static int efi_gate_fail_close(struct notifier_block *nb,
			       unsigned long event, void *data)
{
	if (event == EFI_GATE_CLOSING && should_fail(&fail_close, 1))
		return notifier_from_errno(-EBUSY);
	return NOTIFY_DONE;
}

static struct notifier_block fail_close_nb = {
	.notifier_call = efi_gate_fail_close,
	.priority = INT_MIN,
};

static int __init fail_close_init(void)
{
	struct dentry *dir;

	dir = fault_create_debugfs_attr("fail_efi_rt_gate_close", NULL,
					&fail_close);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	return blocking_notifier_chain_register(&efi_gate_chain,
					       &fail_close_nb);
}
late_initcall(fail_close_init);

#endif

/**
 * efi_gate_parse_mode() - parse an efi_rt_gate= value strictly
 * @str: the value
 *
 * Return: the &enum efi_gate_mode, or -EINVAL unless @str is exactly
 * one of "auto", "locked" or "unlocked".
 */
int efi_gate_parse_mode(const char *str)
{
	if (!str)
		return -EINVAL;
	return match_string(efi_gate_mode_names,
			    ARRAY_SIZE(efi_gate_mode_names), str);
}

static int __init efi_gate_param(char *str)
{
	int i = efi_gate_parse_mode(str);

	if (i < 0) {
		pr_warn("unknown mode '%s' ignored, using '%s'\n",
			str ? str : "", efi_gate_mode_names[gate_mode]);
		return -EINVAL;
	}
	gate_mode = i;
	gate_mode_set = true;
	return 0;
}
early_param("efi_rt_gate", efi_gate_param);

static int __init efi_gate_nounlock_param(char *str)
{
	gate_nounlock = true;
	return 0;
}
early_param("efi_rt_gate_nounlock", efi_gate_nounlock_param);

/**
 * efi_gate_nounlock() - does a boot that starts locked never unlock?
 *
 * Valid once efi_gate_prepare() has run.
 *
 * Return: true with efi_rt_gate_nounlock on the command line, or without
 * a measured interface built in (CONFIG_SECURITY_EFI_RT_GATE=n: nothing
 * can ever claim the gate's transitions): the architecture then frees the
 * boot-services memory at boot and never calls SetVirtualAddressMap(),
 * and every unlock fails.
 */
bool __init efi_gate_nounlock(void)
{
	return gate_nounlock;
}

static bool __init efi_gate_secure_launch(void)
{
	return slaunch_is_txt_launch() || slaunch_emulated();
}

/**
 * efi_gate_prepare() - decide the gate's policy before virtual mode
 *
 * Called by the architecture before it enters virtual mode.  When runtime
 * services are to be withheld, the gate is closed here; the architecture
 * then defers SetVirtualAddressMap() to the first efi_gate_open(), so
 * that no firmware code runs before the first measured unlock.
 * Where the gate cannot hold (mixed mode, paravirtualised EFI, UV), a policy
 * that withholds runtime services disables them for the boot instead, and
 * the architecture keeps nothing for them.
 *
 * Return: false if the architecture must not enter virtual mode.
 */
bool __init efi_gate_prepare(void)
{
	const char *why;
	bool lock;

	switch (gate_mode) {
	case EFI_GATE_MODE_LOCKED:
		lock = true;
		boot_reason = gate_mode_set ? EFI_GATE_REASON_LOCKED :
			EFI_GATE_REASON_LOCKED_DEFAULT;
		break;
	case EFI_GATE_MODE_UNLOCKED:
		lock = false;
		boot_reason = EFI_GATE_REASON_UNLOCKED;
		break;
	default:
		lock = efi_gate_secure_launch();
		if (!lock)
			boot_reason = EFI_GATE_REASON_AUTO_NO_LAUNCH;
		else if (slaunch_emulated())
			boot_reason = EFI_GATE_REASON_AUTO_EMULATED;
		else
			boot_reason = EFI_GATE_REASON_AUTO_LAUNCH;
		break;
	}

	/*
	 * Where some way into the firmware bypasses the wrappers the gate
	 * guards (mixed-mode thunks, paravirtualised EFI, UV BIOS calls),
	 * the gate cannot hold.
	 */
	why = efi_gate_arch_unavailable();
	if (why) {
		boot_reason = EFI_GATE_REASON_UNAVAILABLE;
		if (!lock) {
			gate_state = EFI_GATE_UNLOCKED;
			return true;
		}
		/* Never more open than the policy: no runtime services. */
		pr_warn("%s: the gate cannot hold, EFI runtime services disabled for this boot\n",
			why);
		efi.runtime_supported_mask = 0;
		clear_bit(EFI_RUNTIME_SERVICES, &efi.flags);
		gate_state = EFI_GATE_DISABLED;
		return false;
	}

	/*
	 * A kexec'ed (or kdump) kernel was not started by the EFI stub, which
	 * measures the policy of a cold boot before any firmware code runs:
	 * whatever its policy, it withholds runtime services until its
	 * opener has measured that policy, and opens only then if the policy
	 * says so.
	 */
	if (efi_gate_arch_kexec_boot()) {
		gate_kexec_boot = true;
		gate_open_when_measured = !lock;
		lock = true;
	}

	gate_armed = true;
	gate_lock_at_boot = lock;
	/* Without the measured interface nothing can ever open the gate. */
	if (lock && !IS_ENABLED(CONFIG_SECURITY_EFI_RT_GATE)) {
		gate_nounlock = true;
		pr_info("no measured interface built: runtime services never unlocked in this boot\n");
	}
	return true;
}

/**
 * efi_gate_defer_svam() - must the architecture defer SetVirtualAddressMap()?
 *
 * Return: true if the gate withholds runtime services on this boot, so
 * that no firmware code may run before the first measured unlock.
 */
bool __init efi_gate_defer_svam(void)
{
	return gate_lock_at_boot;
}

/**
 * efi_gate_fault() - a runtime service faulted
 *
 * Called by efi_crash_gracefully_on_page_fault(), which has cleared
 * EFI_RUNTIME_SERVICES (so every wrapper refuses from now on): the state
 * reads disabled for the rest of the boot.  A relock is still accepted,
 * and measured.
 */
void efi_gate_fault(void)
{
	WRITE_ONCE(gate_faulted, true);
}

/**
 * efi_gate_withhold() - withhold runtime services after virtual mode
 *
 * Called by the architecture once the virtual-mode setup has finished.  If
 * it failed, runtime services are disabled for good.  Otherwise, if the
 * gate is closed, the flag and the supported mask are saved and cleared, so
 * that consumers deciding at boot see no runtime services.
 */
void __init efi_gate_withhold(void)
{
	boot_state = gate_state;
	if (!gate_armed)
		return;

	if (!efi_enabled(EFI_RUNTIME_SERVICES)) {
		gate_armed = false;
		boot_reason = EFI_GATE_REASON_SVAM_FAILED;
		return;
	}

	if (!gate_lock_at_boot) {
		gate_state = EFI_GATE_UNLOCKED;
		boot_state = gate_state;
		/* efisubsys_init() registers "efivars" under this condition */
		efivars_pdev_from_boot =
			efi_rt_services_supported(EFI_RT_SUPPORTED_GET_VARIABLE |
						  EFI_RT_SUPPORTED_GET_NEXT_VARIABLE_NAME);
		return;
	}

	saved_mask = efi.runtime_supported_mask;
	efi.runtime_supported_mask = 0;
	clear_bit(EFI_RUNTIME_SERVICES, &efi.flags);
	gate_state = EFI_GATE_LOCKED;
	boot_state = gate_state;
	pr_info("EFI runtime services withheld until %s (%s)\n",
		gate_open_when_measured ?
		"this kexec'ed kernel's policy is measured" : "unlocked",
		efi_gate_reason_name(boot_reason));
}

/**
 * efi_gate_boot_state() - the state the boot started in
 *
 * Return: the state efi_gate_withhold() left at boot (what the boot
 * record describes), whatever happened since.
 */
enum efi_gate_state efi_gate_boot_state(void)
{
	return boot_state;
}

/**
 * efi_gate_kexec_boot() - must the kernel measure its own policy?
 *
 * Return: true on a kexec'ed or kdump kernel booted with EFI: the EFI stub,
 * which measures the policy of a cold boot, did not run, and runtime
 * services are withheld until the opener has measured the policy.
 */
bool efi_gate_kexec_boot(void)
{
	return gate_kexec_boot;
}

/**
 * efi_gate_open_when_measured() - does the measured policy open the gate?
 *
 * Return: true on a kexec'ed kernel whose policy enables runtime services:
 * the opener opens the gate once it has measured that policy.
 */
bool efi_gate_open_when_measured(void)
{
	return gate_open_when_measured;
}

/**
 * efi_gate_withheld() - are runtime services prepared but withheld?
 *
 * Lets boot-time consumers prepare what they need for a later unlock (the
 * runtime-services workqueue, the ACPI PRM handler).
 *
 * Return: true while the gate is locked.
 */
bool efi_gate_withheld(void)
{
	return READ_ONCE(gate_state) == EFI_GATE_LOCKED;
}
EXPORT_SYMBOL_GPL(efi_gate_withheld);

/**
 * efi_gate_state() - the state of EFI runtime services
 *
 * A firmware fault in a runtime service (efi_crash_gracefully_on_page_fault())
 * disables runtime services for good; that shows as disabled here.
 *
 * Return: the current &enum efi_gate_state.
 */
enum efi_gate_state efi_gate_state(void)
{
	if (READ_ONCE(gate_faulted))
		return EFI_GATE_DISABLED;
	return READ_ONCE(gate_state);
}

static const char *const efi_gate_reason_names[] = {
	[EFI_GATE_REASON_NONE] = "no reason",
	[EFI_GATE_REASON_LOCKED] = "efi_rt_gate=locked",
	[EFI_GATE_REASON_LOCKED_DEFAULT] = "efi_rt_gate=locked (default)",
	[EFI_GATE_REASON_UNLOCKED] = "efi_rt_gate=unlocked",
	[EFI_GATE_REASON_AUTO_NO_LAUNCH] = "efi_rt_gate=auto: no secure launch",
	[EFI_GATE_REASON_AUTO_LAUNCH] = "efi_rt_gate=auto: secure launch",
	[EFI_GATE_REASON_AUTO_EMULATED] = "efi_rt_gate=auto: secure launch (emulated)",
	[EFI_GATE_REASON_NORUNTIME] = "efi=noruntime or CONFIG_EFI_DISABLE_RUNTIME",
	[EFI_GATE_REASON_SVAM_FAILED] = "EFI virtual mode failed",
	[EFI_GATE_REASON_UNAVAILABLE] = "gate not available (mixed mode, paravirt EFI or UV)",
	[EFI_GATE_REASON_REQUEST] = "securityfs request",
	[EFI_GATE_REASON_FAULT] = "firmware fault",
	[EFI_GATE_REASON_POLICY_AUTO] = "efi_rt_gate=auto",
	[EFI_GATE_REASON_NOT_EFI] = "not booted via EFI",
};

/**
 * efi_gate_reason_name() - text of a reason code
 * @reason: the code
 *
 * Return: a constant string, "unknown reason" for a code out of range.
 */
const char *efi_gate_reason_name(enum efi_gate_reason reason)
{
	if (reason >= ARRAY_SIZE(efi_gate_reason_names))
		return "unknown reason";
	return efi_gate_reason_names[reason];
}

/**
 * efi_gate_boot_reason() - why runtime services started as they did
 *
 * Return: the &enum efi_gate_reason for logs and the boot record.
 */
enum efi_gate_reason efi_gate_boot_reason(void)
{
	if (boot_reason != EFI_GATE_REASON_NONE)
		return boot_reason;
	if (!efi_enabled(EFI_BOOT))
		return EFI_GATE_REASON_NOT_EFI;
	if (efi_runtime_disabled())
		return EFI_GATE_REASON_NORUNTIME;
	return EFI_GATE_REASON_UNAVAILABLE;
}

/*
 * A KOBJ_CHANGE uevent with EFI_RT_GATE_STATE=locked|unlocked|disabled
 * on the gate's platform device (which, unlike /sys/firmware/efi, belongs
 * to a kset, so that the event reaches udev and netlink listeners).
 */
static void efi_gate_uevent(void)
{
	static const char *const names[] = {
		[EFI_GATE_DISABLED] = "EFI_RT_GATE_STATE=disabled",
		[EFI_GATE_LOCKED] = "EFI_RT_GATE_STATE=locked",
		[EFI_GATE_UNLOCKED] = "EFI_RT_GATE_STATE=unlocked",
	};
	char *envp[2];
	int ret;

	if (!gate_pdev)
		return;
	envp[0] = (char *)names[efi_gate_state()];
	envp[1] = NULL;
	ret = kobject_uevent_env(&gate_pdev->dev.kobj, KOBJ_CHANGE, envp);
	if (ret)
		pr_warn("uevent: %d\n", ret);
}

static int __init efi_gate_device_init(void)
{
	struct platform_device *pdev;

	if (!gate_armed)
		return 0;
	pdev = platform_device_register_simple("efi_rt_gate", PLATFORM_DEVID_NONE,
					       NULL, 0);
	if (IS_ERR(pdev)) {
		pr_warn("no device for uevents: %pe\n", pdev);
		return 0;
	}
	gate_pdev = pdev;
	return 0;
}
device_initcall(efi_gate_device_init);

/**
 * efi_gate_snapshot_ready() - serve the variable snapshot while locked
 *
 * Called once the EFI variable snapshot has been validated, after
 * efisubsys_init().  If runtime services are withheld, variable reads are
 * answered from the snapshot from now on and the efivars operations are
 * registered read-only, so that efivarfs can be mounted.
 */
void __init efi_gate_snapshot_ready(void)
{
	guard(mutex)(&efi_gate_mutex);

	if (gate_state == EFI_GATE_LOCKED &&
	    efi_var_snapshot_serve(saved_mask))
		efivars_generic_ops_register();
}

#ifdef CONFIG_EFI_STAGED_VARS
/**
 * efi_gate_stage_writes() - stage variable writes while locked, or stop
 * @on: whether variable writes go to the staged-write journal
 *
 * Called by the staged-write code when the journal is attached or
 * detached: the snapshot takes SetVariable() (or gives it up) and the
 * efivars operations are registered again, so that efivarfs becomes
 * writable (or read-only).  No firmware code runs.
 *
 * Return: 0, or -EBUSY if runtime services are not withheld with the
 * snapshot served.
 */
int efi_gate_stage_writes(bool on)
{
	guard(mutex)(&efi_gate_mutex);

	if (gate_state != EFI_GATE_LOCKED ||
	    !efi_var_snapshot_stage_writes(on, saved_mask))
		return -EBUSY;
	efivars_generic_ops_register();
	return 0;
}
#endif

/**
 * efi_gate_follow() - follow the gate's transitions
 * @nb: called with an &enum efi_gate_event as its action
 *
 * For a consumer that would otherwise decide once, at boot, whether
 * runtime services are there (a device, a reboot notifier, a pstore
 * backend).  @nb is called with EFI_GATE_OPENED after every open,
 * once runtime services are available, and with EFI_GATE_CLOSED after
 * every close, once they are withheld; if they are available now, it is
 * called with EFI_GATE_OPENED before this returns.  Before a close it
 * is called with EFI_GATE_CLOSING and may refuse the close by
 * returning notifier_from_errno(-EBUSY); the consumers that had agreed
 * are then called with EFI_GATE_CLOSE_ABORTED.  Every call is made
 * with the gate's mutex held, so they are serialised and @nb must not
 * open or close the gate itself.
 *
 * Return: 0 if @nb now follows the gate; -ENODEV if the gate does not
 * hold on this boot (the consumer then decides once, as without the gate).
 */
int efi_gate_follow(struct notifier_block *nb)
{
	int ret;

	guard(mutex)(&efi_gate_mutex);

	if (!gate_armed)
		return -ENODEV;
	ret = blocking_notifier_chain_register(&efi_gate_chain, nb);
	if (ret)
		return ret;
	if (efi_gate_state() == EFI_GATE_UNLOCKED)
		nb->notifier_call(nb, EFI_GATE_OPENED, NULL);
	return 0;
}
EXPORT_SYMBOL_GPL(efi_gate_follow);

/**
 * efi_gate_unfollow() - stop following the gate
 * @nb: as passed to efi_gate_follow()
 *
 * No call of @nb is in progress or made once this returns.
 */
void efi_gate_unfollow(struct notifier_block *nb)
{
	guard(mutex)(&efi_gate_mutex);
	blocking_notifier_chain_unregister(&efi_gate_chain, nb);
}
EXPORT_SYMBOL_GPL(efi_gate_unfollow);

/**
 * efi_gate_can_open() - would efi_gate_open() succeed now?
 *
 * Checked before an unlock is measured, so that no measurement is taken
 * for a transition that cannot take effect.
 *
 * Return: true if the gate is locked and everything the late enable needs
 * (native runtime services, the runtime-services workqueue) is there.
 */
bool efi_gate_can_open(void)
{
	guard(mutex)(&efi_gate_mutex);
	return gate_armed && gate_state == EFI_GATE_LOCKED && efi_rts_wq &&
		!(gate_lock_at_boot && gate_nounlock);
}

/**
 * efi_gate_svam_deferred() - will the next open run SetVirtualAddressMap()?
 *
 * Return: true on a boot that started locked, until the first open.
 */
bool efi_gate_svam_deferred(void)
{
	return efi_svam_deferred();
}

/**
 * efi_gate_can_close() - is there an unlock for efi_gate_close() to end?
 *
 * Return: true if the gate is unlocked, also when a firmware fault has
 * disabled runtime services since (the relock is then measured as such).
 */
bool efi_gate_can_close(void)
{
	guard(mutex)(&efi_gate_mutex);
	return gate_armed && gate_state == EFI_GATE_UNLOCKED;
}

/*
 * efi_gate_open() - make withheld runtime services available
 *
 * Opens the gate, restores the supported mask and EFI_RUNTIME_SERVICES, and
 * re-triggers the consumers that decided at boot: the generic efivars ops
 * and the "efivars" platform device (udev then loads efi_pstore), the EFI
 * power-off handler where the platform needs it, and a uevent.  The efivar
 * SSDT loader is never run again.  The caller measures first.
 *
 * On a boot that started locked, SetVirtualAddressMap() was deferred to
 * here (efi_enter_virtual_mode_late()): the first open calls it before
 * anything else reaches the firmware, and frees the boot-services memory.
 *
 * Return: 0 on success or if already open, -EOPNOTSUPP if runtime services
 * are disabled on this boot or the gate is not available, -EIO if the
 * deferred SetVirtualAddressMap() failed (runtime services are then
 * disabled for the boot).
 */
static int efi_gate_open(void)
{
	struct platform_device *pdev;
	bool svam;
	int ret;

	guard(mutex)(&efi_gate_mutex);

	if (efi_gate_state() == EFI_GATE_UNLOCKED)
		return 0;
	if (!gate_armed || gate_state != EFI_GATE_LOCKED || !efi_rts_wq ||
	    (gate_lock_at_boot && gate_nounlock))
		return -EOPNOTSUPP;

	/*
	 * On a boot that started locked, the first unlock is when the
	 * firmware first runs: SetVirtualAddressMap().  If that fails,
	 * runtime services stay closed for the boot.
	 */
	svam = efi_svam_deferred();
	if (svam) {
		ret = efi_enter_virtual_mode_late();
		if (ret) {
			WRITE_ONCE(gate_state, EFI_GATE_DISABLED);
			pr_err("SetVirtualAddressMap() failed: EFI runtime services disabled for this boot\n");
			return -EIO;
		}
	}

	efi_var_snapshot_unserve();
	efi.runtime_supported_mask = saved_mask;
	/* The mask is visible before the flag that lets calls through. */
	smp_mb__before_atomic();
	set_bit(EFI_RUNTIME_SERVICES, &efi.flags);
	WRITE_ONCE(gate_state, EFI_GATE_UNLOCKED);

	if (efi_rt_services_supported(EFI_RT_SUPPORTED_GET_VARIABLE |
				      EFI_RT_SUPPORTED_GET_NEXT_VARIABLE_NAME)) {
		efivars_generic_ops_register();
		if (!efivars_pdev && !efivars_pdev_from_boot) {
			pdev = platform_device_register_simple("efivars", 0,
							       NULL, 0);
			if (IS_ERR(pdev))
				pr_warn("efivars device: %pe\n", pdev);
			else
				efivars_pdev = pdev;
		}
	}
	if (efi_rt_services_supported(EFI_RT_SUPPORTED_RESET_SYSTEM)) {
		ret = efi_power_off_register();
		if (ret)
			pr_warn("EFI power-off handler: %d\n", ret);
	}
	blocking_notifier_call_chain(&efi_gate_chain, EFI_GATE_OPENED,
				     NULL);
	efi_gate_uevent();
	/* As at the end of a boot-time SetVirtualAddressMap() */
	if (svam)
		efi_delete_dummy_variable();
	return 0;
}

/* From here every wrapper refuses, and no call is still in the firmware. */
static void efi_gate_stop_calls(void)
{
	clear_bit(EFI_RUNTIME_SERVICES, &efi.flags);
	/* The cleared flag before the lock that the wrappers re-check under */
	smp_mb__after_atomic();
	efi_runtime_quiesce();
}

/* Withdraw what efi_gate_open() registered beyond the efivars ops. */
static void efi_gate_withdraw(void)
{
	efi_power_off_unregister();
	if (efivars_pdev) {
		platform_device_unregister(efivars_pdev);
		efivars_pdev = NULL;
	}
	efi.runtime_supported_mask = 0;
}

/*
 * efi_gate_close() - withhold runtime services again
 *
 * Asks the consumers that follow the gate first: one of them may refuse
 * (a capsule update is pending and needs runtime services at reset), and
 * nothing changes then.  Otherwise closes the gate, waits until calls
 * already in the firmware have returned, then withdraws what
 * efi_gate_open() registered: efivarfs refuses further access, the EFI
 * power-off handler is gone, and the consumers that follow the gate are
 * told.  If a firmware fault disabled runtime services meanwhile, the
 * state becomes disabled and they are never enabled again.
 *
 * Return: 0 on success or if already closed, -EOPNOTSUPP if the gate is
 * not available on this boot, -EBUSY (or another error) if a consumer
 * refused the close.
 */
static int efi_gate_close(void)
{
	bool faulted;
	int ret;

	guard(mutex)(&efi_gate_mutex);

	if (gate_state == EFI_GATE_LOCKED)
		return 0;
	if (!gate_armed || gate_state != EFI_GATE_UNLOCKED)
		return -EOPNOTSUPP;

	ret = blocking_notifier_call_chain_robust(&efi_gate_chain,
						  EFI_GATE_CLOSING,
						  EFI_GATE_CLOSE_ABORTED,
						  NULL);
	ret = notifier_to_errno(ret);
	if (ret) {
		pr_info("close refused by a consumer: %d\n", ret);
		return ret;
	}

	efi_gate_stop_calls();
	faulted = READ_ONCE(gate_faulted);
	if (!faulted)
		saved_mask = efi.runtime_supported_mask;
	efi_gate_withdraw();
	WRITE_ONCE(gate_state, faulted ? EFI_GATE_DISABLED :
		   EFI_GATE_LOCKED);
	/*
	 * With a variable snapshot, efivars stay registered and turn
	 * read-only (efivarfs follows through efivar_ops_nh and sees the
	 * state locked already); without, they go away.
	 */
	if (!faulted && efi_var_snapshot_serve(saved_mask))
		efivars_generic_ops_register();
	else
		efivars_generic_ops_unregister();
	blocking_notifier_call_chain(&efi_gate_chain, EFI_GATE_CLOSED,
				     NULL);
	efi_gate_uevent();
	return 0;
}

static const struct efi_gate_ops gate_ops = {
	.open = efi_gate_open,
	.close = efi_gate_close,
};

static bool gate_claimed __initdata;

#ifdef CONFIG_HIBERNATION
/*
 * Hibernation.  The image may be restored in a later boot of the machine,
 * by a kernel whose own policy decided whether this firmware boot got
 * SetVirtualAddressMap(), while the image carries the gate and virtual
 * mode of the boot that made it.  The restored image follows the firmware
 * it finds, never more open: if it needs a virtual mode the firmware was
 * not given (runtime services in use, or a SetVirtualAddressMap() done
 * in its own boot), runtime services are disabled for the rest of the
 * boot; if its SetVirtualAddressMap() was still deferred and the restoring
 * kernel called it, it is not called again and the next unlock just
 * opens.  Whether runtime services may run is thus always what this
 * boot's own measurements say: its policy, measured by its EFI stub (or,
 * after a launch, its boot record), and any unlock measured since.
 */
static bool gate_hibernating;
/* Set by the syscore resume, which does not run if hibernation failed early */
static bool gate_resume_checked;
static int gate_resume_fw;

/* Syscore resume of the image: one CPU, interrupts off, tasks frozen */
static void efi_gate_syscore_resume(void *data)
{
	if (!gate_hibernating)
		return;
	gate_resume_fw = efi_resume_firmware_virtual();
	gate_resume_checked = true;
	/* Nothing reaches the firmware once tasks are thawed. */
	if (gate_resume_fw != 1 && !efi_svam_deferred())
		clear_bit(EFI_RUNTIME_SERVICES, &efi.flags);
}

static const struct syscore_ops efi_gate_syscore_ops = {
	.resume = efi_gate_syscore_resume,
};

static struct syscore efi_gate_syscore = {
	.ops = &efi_gate_syscore_ops,
};

/* Runtime services can never be used again in this boot. */
static void efi_gate_lose_firmware(const char *why)
{
	enum efi_gate_state old = gate_state;

	lockdep_assert_held(&efi_gate_mutex);
	efi_gate_stop_calls();
	WRITE_ONCE(gate_state, EFI_GATE_DISABLED);
	pr_warn("resumed from hibernation: %s: EFI runtime services disabled for this boot\n",
		why);
	if (old == EFI_GATE_UNLOCKED) {
		efi_gate_withdraw();
		efivars_generic_ops_unregister();
		blocking_notifier_call_chain(&efi_gate_chain, EFI_GATE_CLOSED,
					     NULL);
	}
	efi_gate_uevent();
}

/* After a hibernation image was made, or restored: follow the firmware. */
static void efi_gate_resumed(int fw)
{
	guard(mutex)(&efi_gate_mutex);

	if (gate_state == EFI_GATE_DISABLED)
		return;
	if (efi_svam_deferred()) {
		if (fw == 0)
			return;
		if (fw < 0) {
			efi_gate_lose_firmware("the EFI system table is not where it was");
			return;
		}
		if (efi_enter_virtual_mode_resumed())
			efi_gate_lose_firmware("the adopted virtual mode failed");
		return;
	}
	if (fw == 1)
		return;
	efi_gate_lose_firmware(fw ? "the EFI system table is not where it was" :
			       "this firmware boot never got SetVirtualAddressMap()");
}

static int efi_gate_pm_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	switch (action) {
	case PM_HIBERNATION_PREPARE:
		if (efi_resume_prepare())
			return notifier_from_errno(-ENOMEM);
		WRITE_ONCE(gate_hibernating, true);
		break;
	case PM_POST_HIBERNATION:
		if (!READ_ONCE(gate_hibernating))
			break;
		if (gate_resume_checked)
			efi_gate_resumed(gate_resume_fw);
		WRITE_ONCE(gate_hibernating, false);
		gate_resume_checked = false;
		efi_resume_finish();
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block efi_gate_pm_nb = {
	.notifier_call = efi_gate_pm_notify,
};

static int __init efi_gate_pm_init(void)
{
	if (!gate_armed)
		return 0;
	register_syscore(&efi_gate_syscore);
	return register_pm_notifier(&efi_gate_pm_nb);
}
late_initcall(efi_gate_pm_init);
#endif /* CONFIG_HIBERNATION */

/**
 * efi_gate_claim() - take the gate's transitions, once
 *
 * The gate has a single opener, its measured interface, which claims the
 * transitions at boot.  A second claim is refused, and none is possible
 * after init: no other code can open the gate without the measurement.
 *
 * Return: the gate's transitions, or NULL if they were claimed before.
 */
const struct efi_gate_ops * __init efi_gate_claim(void)
{
	if (gate_claimed) {
		pr_err("transitions already claimed: refused\n");
		return NULL;
	}
	gate_claimed = true;
	return &gate_ops;
}

/**
 * efi_gate_abandon() - the gate's opener failed at init
 *
 * Called by the measured interface when it cannot serve this boot (the
 * transitions were claimed before it, or its files could not be
 * created): nothing can ever open the gate with a measurement.  On a boot
 * that started locked, every open is refused from now on and the
 * architecture frees what it kept for the deferred
 * SetVirtualAddressMap(), which never happens (efi_svam_cancel()).
 */
void __init efi_gate_abandon(void)
{
	guard(mutex)(&efi_gate_mutex);

	if (!gate_armed || !gate_lock_at_boot || gate_nounlock)
		return;
	gate_nounlock = true;
	pr_warn("no measured interface: runtime services never unlocked in this boot\n");
	efi_svam_cancel();
}

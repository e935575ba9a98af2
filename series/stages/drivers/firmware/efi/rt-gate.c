// SPDX-License-Identifier: GPL-2.0
/*
 * EFI runtime-services gate: the mechanism.
 *
 * "efi=noruntime" cannot be undone: it skips SetVirtualAddressMap(), leaves
 * efi_mm empty and frees the memory the firmware would need.  The gate adds
 * a state in between, "prepared but withheld": the whole virtual-mode setup
 * runs at boot as usual, and only then are runtime services withheld from
 * the OS.  A static key, tested by every runtime-services wrapper, keeps
 * every call away from the firmware until efi_gate_open(); the flag and
 * mask that consumers look at are cleared so they behave as on a kernel
 * without runtime services, and are restored (with the consumers that
 * decided at boot) on open.
 *
 * The policy (efi_rt_gate=) is decided here; measuring and exposing the
 * transitions is security/efi_rt_gate/.
 */

#define pr_fmt(fmt) "efi: runtime gate: " fmt

#include <linux/efi.h>
#include <linux/efi_rt_gate.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slaunch.h>
#include <linux/slaunch_emulation.h>
#include <linux/string.h>

#include <asm/efi.h>

DEFINE_STATIC_KEY_FALSE(efi_gate_closed_key);

static const char *const efi_gate_mode_names[] = {
	[EFI_GATE_MODE_AUTO] = "auto",
	[EFI_GATE_MODE_LOCKED] = "locked",
	[EFI_GATE_MODE_UNLOCKED] = "unlocked",
};

static enum efi_gate_mode gate_mode __initdata =
	IS_ENABLED(CONFIG_EFI_RT_GATE_DEFAULT_LOCKED) ?
	EFI_GATE_MODE_LOCKED : EFI_GATE_MODE_AUTO;
static bool gate_mode_set __initdata;

/* Serialises open and close; the state is read without it. */
static DEFINE_MUTEX(efi_gate_mutex);
static enum efi_gate_state gate_state = EFI_GATE_DISABLED;
/* Set when this boot prepared runtime services natively. */
static bool gate_armed __ro_after_init;
/* efisubsys_init() registered the efivars device (boot was unlocked). */
static bool efivars_pdev_from_boot __ro_after_init;
static enum efi_gate_reason boot_reason __ro_after_init;
static u32 saved_mask;
static struct platform_device *efivars_pdev;

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

static bool __init efi_gate_secure_launch(void)
{
	return slaunch_is_txt_launch() || slaunch_emulated();
}

/**
 * efi_gate_prepare() - decide the gate's policy before virtual mode
 *
 * Called by the architecture before SetVirtualAddressMap().  When runtime
 * services are to be withheld, the gate is closed here, so that the only
 * runtime call of the boot that reaches the firmware is
 * SetVirtualAddressMap() itself (which does not go through the wrappers).
 * Where the gate cannot hold (mixed mode, paravirtualised EFI), a policy
 * that withholds runtime services disables them for the boot instead.
 *
 * Return: false if the architecture must not enter virtual mode.
 */
bool __init efi_gate_prepare(void)
{
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
	 * Mixed mode thunks and paravirtualised EFI do not go through the
	 * wrappers the static key guards, so the gate cannot hold there.
	 */
	if (efi_enabled(EFI_PARAVIRT) || efi_is_mixed()) {
		boot_reason = EFI_GATE_REASON_UNAVAILABLE;
		if (!lock) {
			gate_state = EFI_GATE_UNLOCKED;
			return true;
		}
		/* Never more open than the policy: no runtime services. */
		pr_warn("%s EFI cannot hold the gate: EFI runtime services disabled for this boot\n",
			efi_enabled(EFI_PARAVIRT) ? "paravirtualised" : "mixed-mode");
		efi.runtime_supported_mask = 0;
		clear_bit(EFI_RUNTIME_SERVICES, &efi.flags);
		gate_state = EFI_GATE_DISABLED;
		return false;
	}

	gate_armed = true;
	if (lock)
		static_branch_enable(&efi_gate_closed_key);
	return true;
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
	if (!gate_armed)
		return;

	if (!efi_enabled(EFI_RUNTIME_SERVICES)) {
		gate_armed = false;
		boot_reason = EFI_GATE_REASON_SVAM_FAILED;
		return;
	}

	if (!efi_gate_closed()) {
		gate_state = EFI_GATE_UNLOCKED;
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
	pr_info("EFI runtime services withheld until unlocked (%s)\n",
		efi_gate_reason_name(boot_reason));
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
	enum efi_gate_state s = READ_ONCE(gate_state);

	if (s == EFI_GATE_UNLOCKED && !efi_enabled(EFI_RUNTIME_SERVICES))
		return EFI_GATE_DISABLED;
	return s;
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
	[EFI_GATE_REASON_UNAVAILABLE] = "gate not available (mixed mode or paravirt EFI)",
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
	return gate_armed && gate_state == EFI_GATE_LOCKED && efi_rts_wq;
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
 * Return: 0 on success or if already open, -EOPNOTSUPP if runtime services
 * are disabled on this boot or the gate is not available.
 */
static int efi_gate_open(void)
{
	struct platform_device *pdev;
	int ret;

	guard(mutex)(&efi_gate_mutex);

	if (efi_gate_state() == EFI_GATE_UNLOCKED)
		return 0;
	if (!gate_armed || gate_state != EFI_GATE_LOCKED || !efi_rts_wq)
		return -EOPNOTSUPP;

	static_branch_disable(&efi_gate_closed_key);
	efi.runtime_supported_mask = saved_mask;
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
	if (efi_kobj)
		kobject_uevent(efi_kobj, KOBJ_CHANGE);
	return 0;
}

/*
 * efi_gate_close() - withhold runtime services again
 *
 * Closes the gate, waits until calls already in the firmware have
 * returned, then withdraws what efi_gate_open() registered: efivarfs
 * refuses further access and the EFI power-off handler is gone.  If a
 * firmware fault disabled runtime services meanwhile, the state becomes
 * disabled and they are never enabled again.
 *
 * Return: 0 on success or if already closed, -EOPNOTSUPP if the gate is
 * not available on this boot.
 */
static int efi_gate_close(void)
{
	bool faulted;

	guard(mutex)(&efi_gate_mutex);

	if (gate_state == EFI_GATE_LOCKED)
		return 0;
	if (!gate_armed || gate_state != EFI_GATE_UNLOCKED)
		return -EOPNOTSUPP;

	static_branch_enable(&efi_gate_closed_key);
	efi_runtime_quiesce();

	faulted = !efi_enabled(EFI_RUNTIME_SERVICES);
	if (!faulted)
		saved_mask = efi.runtime_supported_mask;
	efi_power_off_unregister();
	if (efivars_pdev) {
		platform_device_unregister(efivars_pdev);
		efivars_pdev = NULL;
	}
	efivars_generic_ops_unregister();
	efi.runtime_supported_mask = 0;
	clear_bit(EFI_RUNTIME_SERVICES, &efi.flags);
	WRITE_ONCE(gate_state, faulted ? EFI_GATE_DISABLED :
		   EFI_GATE_LOCKED);
	if (efi_kobj)
		kobject_uevent(efi_kobj, KOBJ_CHANGE);
	return 0;
}

static const struct efi_gate_ops gate_ops = {
	.open = efi_gate_open,
	.close = efi_gate_close,
};

static bool gate_claimed __initdata;

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

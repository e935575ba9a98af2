/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EFI runtime-services gate: runtime services prepared at boot
 * (SetVirtualAddressMap done) but withheld from the OS until a measured
 * unlock through /sys/kernel/security/efi_rt/unlock.
 */
#ifndef _LINUX_EFI_RT_GATE_H
#define _LINUX_EFI_RT_GATE_H

#include <linux/bits.h>
#include <linux/jump_label.h>
#include <linux/string.h>
#include <linux/types.h>

/*
 * The gate's measured event, version 1 (Documentation/ABI/testing/
 * securityfs-efi-rt-gate has it byte by byte).  The EFI stub measures the
 * boot policy with it into the firmware's log, the kernel its transitions
 * into its own log.  In a log it is the data of a TCG_PCClientTaggedEvent
 * with EFI_GATE_EVENT_TAG_ID, in an EV_EVENT_TAG record whose digests
 * are the hashes of exactly the event's bytes.
 */
#define EFI_GATE_EVENT_TAG_ID	0x8F3B22EE
#define EFI_GATE_EVENT_MAGIC		0x47545245	/* "ERTG" */
#define EFI_GATE_EVENT_VERSION	1
/* Fixed part: magic to nr_digests; digests and text follow */
#define EFI_GATE_EVENT_HDR_SIZE	22
#define EFI_GATE_EVENT_TEXT_MAX	128

/* Operations */
#define EFI_GATE_OP_POLICY		1	/* EFI stub, firmware log */
#define EFI_GATE_OP_BOOT		2	/* kernel, after a secure launch */
#define EFI_GATE_OP_UNLOCK		3
#define EFI_GATE_OP_RELOCK		4

/* State codes are enum efi_gate_state; this one means "no state". */
#define EFI_GATE_EV_STATE_NONE	0xff

#define EFI_GATE_EV_FLAG_NORUNTIME	BIT(0)	/* efi=noruntime or noefi */
#define EFI_GATE_EV_FLAG_CMDLINE	BIT(1)	/* mode from efi_rt_gate= */

/**
 * enum efi_gate_reason - why a gate event happened (its reason field)
 * @EFI_GATE_REASON_NONE: no reason recorded
 * @EFI_GATE_REASON_LOCKED: efi_rt_gate=locked
 * @EFI_GATE_REASON_LOCKED_DEFAULT: locked by the Kconfig default
 * @EFI_GATE_REASON_UNLOCKED: efi_rt_gate=unlocked
 * @EFI_GATE_REASON_AUTO_NO_LAUNCH: auto, no secure launch
 * @EFI_GATE_REASON_AUTO_LAUNCH: auto, secure launch
 * @EFI_GATE_REASON_AUTO_EMULATED: auto, emulated secure launch
 * @EFI_GATE_REASON_NORUNTIME: efi=noruntime, noefi or CONFIG_EFI_DISABLE_RUNTIME
 * @EFI_GATE_REASON_SVAM_FAILED: EFI virtual mode (SetVirtualAddressMap() or
 *	the mappings before it) failed
 * @EFI_GATE_REASON_UNAVAILABLE: mixed-mode or paravirtualised EFI
 * @EFI_GATE_REASON_REQUEST: written to /sys/kernel/security/efi_rt/unlock
 * @EFI_GATE_REASON_FAULT: a firmware fault disabled runtime services
 * @EFI_GATE_REASON_POLICY_AUTO: policy "auto", decided by the kernel
 * @EFI_GATE_REASON_NOT_EFI: not booted through EFI
 */
enum efi_gate_reason {
	EFI_GATE_REASON_NONE,
	EFI_GATE_REASON_LOCKED,
	EFI_GATE_REASON_LOCKED_DEFAULT,
	EFI_GATE_REASON_UNLOCKED,
	EFI_GATE_REASON_AUTO_NO_LAUNCH,
	EFI_GATE_REASON_AUTO_LAUNCH,
	EFI_GATE_REASON_AUTO_EMULATED,
	EFI_GATE_REASON_NORUNTIME,
	EFI_GATE_REASON_SVAM_FAILED,
	EFI_GATE_REASON_UNAVAILABLE,
	EFI_GATE_REASON_REQUEST,
	EFI_GATE_REASON_FAULT,
	EFI_GATE_REASON_POLICY_AUTO,
	EFI_GATE_REASON_NOT_EFI,
};

/**
 * enum efi_gate_state - what the OS may do with EFI runtime services
 * @EFI_GATE_DISABLED: no runtime services on this boot, nor ever will be
 *	(not an EFI boot, efi=noruntime, SetVirtualAddressMap failed, or a
 *	firmware fault disabled them)
 * @EFI_GATE_LOCKED: prepared but withheld; no call reaches the firmware
 * @EFI_GATE_UNLOCKED: available as on any kernel
 */
enum efi_gate_state {
	EFI_GATE_DISABLED,
	EFI_GATE_LOCKED,
	EFI_GATE_UNLOCKED,
};

/**
 * enum efi_gate_mode - the efi_rt_gate= policy
 * @EFI_GATE_MODE_AUTO: withhold runtime services after a secure launch
 * @EFI_GATE_MODE_LOCKED: withhold them on every boot
 * @EFI_GATE_MODE_UNLOCKED: never withhold them at boot
 */
enum efi_gate_mode {
	EFI_GATE_MODE_AUTO,
	EFI_GATE_MODE_LOCKED,
	EFI_GATE_MODE_UNLOCKED,
};

/**
 * struct efi_gate_ops - the gate's transitions, for its one opener
 * @open: make withheld runtime services available: restore the supported
 *	mask and EFI_RUNTIME_SERVICES and re-trigger the consumers that
 *	decided at boot; on a boot that started locked, run the deferred
 *	SetVirtualAddressMap() first.  The caller measures first.  Returns
 *	0 (also if already open), -EOPNOTSUPP if runtime services are
 *	disabled or the gate is not available, -EIO if the deferred
 *	SetVirtualAddressMap() failed (runtime services are then disabled
 *	for the boot).
 * @close: withhold runtime services again: wait until calls already in the
 *	firmware have returned, then withdraw what @open registered (after
 *	a firmware fault the state becomes disabled).  Returns 0 (also if
 *	already closed) or -EOPNOTSUPP if the gate is not available.
 */
struct efi_gate_ops {
	int (*open)(void);
	int (*close)(void);
};

/**
 * efi_gate_boot_cmdline() - the command line x86's setup_arch() will parse
 * @buf: where to write it, @size bytes
 * @size: COMMAND_LINE_SIZE
 * @builtin: the built-in command line (CONFIG_CMDLINE), "" without one
 * @loader: the boot loader's command line, or NULL
 * @override: CONFIG_CMDLINE_OVERRIDE: @builtin replaces @loader
 *
 * setup_arch() makes boot_command_line the built-in line alone with
 * CONFIG_CMDLINE_OVERRIDE; otherwise, if the built-in line is not empty,
 * the built-in line, a space and the loader's line, truncated to @size - 1
 * bytes; otherwise the loader's line, of which only @size - 1 bytes are
 * parsed.  The EFI stub derives the gate's policy from this very string,
 * so that the measured policy never names a parameter the kernel cut
 * off.  Shared with KUnit, which checks it against setup_arch()'s own
 * steps.
 *
 * Return: the length of the string in @buf (@size must not be 0).
 */
static inline size_t efi_gate_boot_cmdline(char *buf, size_t size,
					   const char *builtin,
					   const char *loader, bool override)
{
	const char *part[3] = { builtin, NULL, NULL };
	size_t len = 0, n;
	int i;

	if (!override) {
		part[0] = *builtin ? builtin : NULL;
		part[1] = *builtin ? " " : NULL;
		part[2] = loader;
	}
	for (i = 0; i < 3; i++) {
		if (!part[i])
			continue;
		n = strnlen(part[i], size - 1 - len);
		memcpy(buf + len, part[i], n);
		len += n;
	}
	buf[len] = '\0';
	return len;
}

#ifdef CONFIG_EFI_RT_GATE

DECLARE_STATIC_KEY_FALSE(efi_gate_closed_key);

/**
 * efi_gate_closed() - may no runtime service call reach the firmware?
 *
 * Tested by every runtime-services wrapper before it takes
 * efi_runtime_lock.  A static key: nothing in the fast path, and it can
 * only be flipped by patching kernel text, never by a data write.
 *
 * Return: true while runtime services are withheld.
 */
static inline bool efi_gate_closed(void)
{
	return static_branch_unlikely(&efi_gate_closed_key);
}

int efi_gate_parse_mode(const char *str);
bool efi_gate_prepare(void);
void efi_gate_withhold(void);
bool efi_gate_withheld(void);
enum efi_gate_state efi_gate_state(void);
enum efi_gate_reason efi_gate_boot_reason(void);
const char *efi_gate_reason_name(enum efi_gate_reason reason);
bool efi_gate_can_open(void);
const struct efi_gate_ops *efi_gate_claim(void);
void efi_runtime_quiesce(void);

#else /* !CONFIG_EFI_RT_GATE */

static inline bool efi_gate_closed(void)
{
	return false;
}

static inline bool efi_gate_prepare(void)
{
	return true;
}

static inline void efi_gate_withhold(void) { }

static inline bool efi_gate_withheld(void)
{
	return false;
}

#endif /* CONFIG_EFI_RT_GATE */

#endif /* _LINUX_EFI_RT_GATE_H */

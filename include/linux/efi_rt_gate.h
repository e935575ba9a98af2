/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EFI runtime-services gate: runtime services prepared at boot
 * (SetVirtualAddressMap done) but withheld from the OS until a measured
 * unlock through /sys/kernel/security/efi_rt/unlock.
 */
#ifndef _LINUX_EFI_RT_GATE_H
#define _LINUX_EFI_RT_GATE_H

#include <linux/jump_label.h>
#include <linux/types.h>

/**
 * enum efi_rt_gate_state - what the OS may do with EFI runtime services
 * @EFI_RT_GATE_DISABLED: no runtime services on this boot, nor ever will be
 *	(not an EFI boot, efi=noruntime, SetVirtualAddressMap failed, or a
 *	firmware fault disabled them)
 * @EFI_RT_GATE_LOCKED: prepared but withheld; no call reaches the firmware
 * @EFI_RT_GATE_UNLOCKED: available as on any kernel
 */
enum efi_rt_gate_state {
	EFI_RT_GATE_DISABLED,
	EFI_RT_GATE_LOCKED,
	EFI_RT_GATE_UNLOCKED,
};

/**
 * enum efi_rt_gate_mode - the efi_rt_gate= policy
 * @EFI_RT_GATE_MODE_AUTO: withhold runtime services after a secure launch
 * @EFI_RT_GATE_MODE_LOCKED: withhold them on every boot
 * @EFI_RT_GATE_MODE_UNLOCKED: never withhold them at boot
 */
enum efi_rt_gate_mode {
	EFI_RT_GATE_MODE_AUTO,
	EFI_RT_GATE_MODE_LOCKED,
	EFI_RT_GATE_MODE_UNLOCKED,
};

#ifdef CONFIG_EFI_RT_GATE

DECLARE_STATIC_KEY_FALSE(efi_rt_gate_closed_key);

/**
 * efi_rt_gate_closed() - may no runtime service call reach the firmware?
 *
 * Tested by every runtime-services wrapper before it takes
 * efi_runtime_lock.  A static key: nothing in the fast path, and it can
 * only be flipped by patching kernel text, never by a data write.
 *
 * Return: true while runtime services are withheld.
 */
static inline bool efi_rt_gate_closed(void)
{
	return static_branch_unlikely(&efi_rt_gate_closed_key);
}

int efi_rt_gate_parse_mode(const char *str);
void efi_rt_gate_prepare(void);
void efi_rt_gate_withhold(void);
bool efi_rt_gate_withheld(void);
enum efi_rt_gate_state efi_rt_gate_state(void);
const char *efi_rt_gate_boot_reason(void);
int efi_rt_gate_open(void);
int efi_rt_gate_close(void);
void efi_runtime_quiesce(void);

#else /* !CONFIG_EFI_RT_GATE */

static inline bool efi_rt_gate_closed(void)
{
	return false;
}

static inline void efi_rt_gate_prepare(void) { }
static inline void efi_rt_gate_withhold(void) { }

static inline bool efi_rt_gate_withheld(void)
{
	return false;
}

#endif /* CONFIG_EFI_RT_GATE */

#endif /* _LINUX_EFI_RT_GATE_H */

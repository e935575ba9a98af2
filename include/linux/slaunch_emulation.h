/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debug-only emulation of an Intel TXT secure launch
 * (CONFIG_SECURE_LAUNCH_EMULATION, arch/x86/kernel/slaunch/emulate.c).
 *
 * It never sets the Secure Launch flags: slaunch_get_flags() stays 0 and
 * nothing that acts on a real launch runs.  Code that is to behave as
 * after a launch under the emulation too (the EFI runtime gate) asks
 * slaunch_emulated() in addition to slaunch_is_txt_launch().
 */
#ifndef _LINUX_SLAUNCH_EMULATION_H
#define _LINUX_SLAUNCH_EMULATION_H

#include <linux/types.h>

/*
 * The data whose hash the test harness extends into PCR 17 with a DRTM
 * hash sequence when it emulates a launch on swtpm; the emulated DRTM log
 * records the same measurement, so that the log replays from zero.
 */
#define SLAUNCH_EMULATED_LAUNCH_DATA	"Linux emulated Intel TXT secure launch v1"
#define SLAUNCH_EMULATED_LAUNCH_PCR	17

#ifdef CONFIG_SECURE_LAUNCH_EMULATION
bool slaunch_emulated(void);
#else
static inline bool slaunch_emulated(void)
{
	return false;
}
#endif

#endif /* _LINUX_SLAUNCH_EMULATION_H */

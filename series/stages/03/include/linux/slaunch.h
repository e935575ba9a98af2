/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Secure Launch (DRTM) state, as seen by the rest of the kernel.
 *
 * A subset of the Secure Launch series' header ("x86: Secure Launch
 * support for Intel TXT", v16): the same names, values and semantics, so
 * that the series' own header replaces this one.  SLAUNCH_FLAG, the
 * loader flag, is in <asm/bootparam.h> as in the series.
 *
 * Beyond the series: tpm_chip_register() hands every chip to
 * slaunch_tpm_chip_register(), which moves it to the launch's locality,
 * so that a TPM whose driver probes after the launch code ran gets it.
 */
#ifndef _LINUX_SLAUNCH_H
#define _LINUX_SLAUNCH_H

#include <linux/types.h>

struct tpm_chip;

/*
 * Secure Launch Defined State Flags
 */
#define SL_FLAG_ACTIVE		0x00000001
#define SL_FLAG_ARCH_TXT	0x00000002

/*
 * Secure Launch event log entry type: the TXT DRTM base 0x400 (Intel TXT
 * Software Development Guide, appendix F) + 0x102.
 */
#define SL_EVTYPE_BASE			0x400
#define SL_EVTYPE_SECURE_LAUNCH		(SL_EVTYPE_BASE + 0x102)

#ifdef CONFIG_SECURE_LAUNCH

void slaunch_setup(void);
u32 slaunch_get_flags(void);
void slaunch_tpm_chip_register(struct tpm_chip *chip);

/**
 * slaunch_is_txt_launch() - was this kernel started by an Intel TXT launch?
 *
 * Return: true if a TXT secure launch was detected.
 */
static inline bool slaunch_is_txt_launch(void)
{
	u32 mask = SL_FLAG_ACTIVE | SL_FLAG_ARCH_TXT;

	return (slaunch_get_flags() & mask) == mask;
}

#else /* !CONFIG_SECURE_LAUNCH */

static inline void slaunch_setup(void)
{
}

static inline u32 slaunch_get_flags(void)
{
	return 0;
}

static inline bool slaunch_is_txt_launch(void)
{
	return false;
}

static inline void slaunch_tpm_chip_register(struct tpm_chip *chip)
{
}

#endif /* CONFIG_SECURE_LAUNCH */

#endif /* _LINUX_SLAUNCH_H */

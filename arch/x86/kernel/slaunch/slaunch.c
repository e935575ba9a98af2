// SPDX-License-Identifier: GPL-2.0
/*
 * Secure Launch detection for Intel TXT.
 *
 * The Secure Launch entry code sets SLAUNCH_FLAG in boot_params.hdr
 * .loadflags once the kernel was entered through the measured launch.
 * A bootloader could set that bit on its own, so it is only a hint: the
 * launch is real when the CPU has SMX, TXT.STS says SENTER is done and no
 * SEXIT happened, and the TXT device ID names Intel.  Those are the checks
 * of the Secure Launch series' slaunch_setup(), whose interface this file
 * provides until that series is merged.
 */

#define pr_fmt(fmt) "slaunch: " fmt

#include <linux/cpufeature.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/slaunch.h>

#include <asm/bootparam.h>
#include <asm/early_ioremap.h>
#include <asm/setup.h>

#include "slaunch.h"

/* TXT configuration register spaces and the registers read here */
#define TXT_PRIV_CONFIG_REGS_BASE	0xfed20000
#define TXT_PUB_CONFIG_REGS_BASE	0xfed30000
#define TXT_CR_STS			0x0000
#define TXT_CR_DIDVID			0x0110
#define TXT_SENTER_DONE_STS		BIT(0)
#define TXT_SEXIT_DONE_STS		BIT(1)
#define TXT_VENDOR_INTEL		0x8086

static u32 sl_flags __ro_after_init;

/**
 * slaunch_get_flags() - the Secure Launch state flags
 *
 * Return: SL_FLAG_* bits; 0 when the kernel was not securely launched.
 */
u32 slaunch_get_flags(void)
{
	return sl_flags;
}
EXPORT_SYMBOL_GPL(slaunch_get_flags);

static u64 __init txt_read(unsigned long base, unsigned long reg)
{
	void __iomem *regs;
	u64 val;

	regs = early_ioremap(base + reg, sizeof(u64));
	if (!regs)
		return ~0ULL;
	val = readq(regs);
	early_iounmap(regs, sizeof(u64));
	return val;
}

/**
 * slaunch_setup() - detect an Intel TXT secure launch
 *
 * Called from setup_arch() once early_ioremap() works and before EFI
 * enters virtual mode, so that policies depending on the launch (the EFI
 * runtime gate) see the result.  A launch claimed by the loader flag but
 * contradicted by TXT is fatal, as in the Secure Launch series: the kernel
 * would otherwise run believing it was measured when it was not.
 */
void __init slaunch_setup(void)
{
	u64 sts, didvid;

	if (slaunch_emulate_setup()) {
		sl_flags = SL_FLAG_ACTIVE | SL_FLAG_ARCH_TXT | SL_FLAG_EMULATED;
		return;
	}

	if (!(boot_params.hdr.loadflags & SLAUNCH_FLAG))
		return;

	if (!boot_cpu_has(X86_FEATURE_SMX)) {
		pr_warn("loader claims a secure launch, but the CPU has no SMX: ignored\n");
		return;
	}

	sts = txt_read(TXT_PUB_CONFIG_REGS_BASE, TXT_CR_STS);
	if (!(sts & TXT_SENTER_DONE_STS) || (sts & TXT_SEXIT_DONE_STS))
		panic("slaunch: secure launch claimed but TXT.STS is 0x%llx\n", sts);

	didvid = txt_read(TXT_PRIV_CONFIG_REGS_BASE, TXT_CR_DIDVID);
	if ((didvid & 0xffff) != TXT_VENDOR_INTEL)
		panic("slaunch: secure launch claimed but TXT.DIDVID is 0x%llx\n",
		      didvid);

	sl_flags = SL_FLAG_ACTIVE | SL_FLAG_ARCH_TXT;
	pr_info("Intel TXT secure launch detected\n");
}

/**
 * slaunch_eventlog_space() - room left in the DRTM event log
 *
 * Return: the number of bytes that slaunch_eventlog_append() can still
 * take, 0 if there is no DRTM event log this code can append to.
 */
size_t slaunch_eventlog_space(void)
{
	if (sl_flags & SL_FLAG_EMULATED)
		return slaunch_emulated_log_space();
	/* The TXT-heap log belongs to the Secure Launch series. */
	return 0;
}

/**
 * slaunch_eventlog_append() - append a record to the DRTM event log
 * @data: a complete TCG_PCR_EVENT2 record (or the log's header)
 * @size: its size
 *
 * Return: 0 on success, -ENOSPC if it does not fit, -EOPNOTSUPP without a
 * DRTM event log this code can append to.
 */
int slaunch_eventlog_append(const void *data, size_t size)
{
	if (sl_flags & SL_FLAG_EMULATED)
		return slaunch_emulated_log_append(data, size);
	return -EOPNOTSUPP;
}

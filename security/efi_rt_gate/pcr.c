// SPDX-License-Identifier: GPL-2.0
/*
 * Which PCR the EFI runtime gate extends: slaunch_efi_pcr=.
 */

#define pr_fmt(fmt) "efi_rt_gate: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/printk.h>
#include <linux/slaunch.h>
#include <linux/string.h>

#include "efi_rt_gate.h"

#define PCR_PARAM_MAX	16

static char pcr_param[PCR_PARAM_MAX] __initdata;
static bool pcr_param_set __initdata;

static int __init rtgate_pcr_setup(char *str)
{
	strscpy(pcr_param, str, sizeof(pcr_param));
	pcr_param_set = true;
	return 1;
}
__setup("slaunch_efi_pcr=", rtgate_pcr_setup);

/**
 * rtgate_parse_pcr() - parse a PCR index strictly
 * @str: the text, a decimal number with nothing around it
 * @min: lowest accepted index
 * @max: highest accepted index
 * @pcr: the index, set only on success
 *
 * Return: 0 on success, -EINVAL if @str is not a decimal number, -ERANGE
 * if it is outside [@min, @max].
 */
int rtgate_parse_pcr(const char *str, unsigned int min, unsigned int max,
		     unsigned int *pcr)
{
	unsigned int v;
	int ret;

	if (!str || !*str || *str == '+')
		return -EINVAL;
	ret = kstrtouint(str, 10, &v);
	if (ret)
		return ret == -ERANGE ? -ERANGE : -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*pcr = v;
	return 0;
}

/**
 * rtgate_select_pcr() - the PCR to use on this boot
 *
 * After a secure launch the PCR is CONFIG_EFI_RT_GATE_DRTM_PCR, or
 * slaunch_efi_pcr= if that names a DRTM PCR that cannot be reset from
 * locality 2 (17-19; the kernel and every TPM user hold locality 2 after
 * a launch, and that resets 20-22).  Otherwise it is
 * CONFIG_EFI_RT_GATE_STATIC_PCR, or slaunch_efi_pcr= if that names an OS
 * PCR (8-15).  Anything else is refused with a warning, and the default is
 * used.
 *
 * Return: the PCR index.
 */
unsigned int __init rtgate_select_pcr(void)
{
	bool drtm = rtgate_launched();
	unsigned int def = drtm ? CONFIG_EFI_RT_GATE_DRTM_PCR :
		CONFIG_EFI_RT_GATE_STATIC_PCR;
	unsigned int pcr = def;
	int ret;

	if (!pcr_param_set)
		return def;

	ret = rtgate_parse_pcr(pcr_param, drtm ? 17 : 8, drtm ? 22 : 15, &pcr);
	if (ret == -EINVAL)
		pr_warn("slaunch_efi_pcr=%s is not a PCR index; using PCR %u\n",
			pcr_param, def);
	else if (!ret && drtm && pcr >= 20)
		pr_warn("slaunch_efi_pcr=%u refused: after a launch all the kernel's TPM traffic, /dev/tpmrm0 included, runs at locality 2, which can reset PCRs 20-22; using PCR %u\n",
			pcr, def);
	else if (ret && drtm)
		pr_warn("slaunch_efi_pcr=%s refused: after a secure launch only the DRTM PCRs 17-19 are used; using PCR %u\n",
			pcr_param, def);
	else if (ret)
		pr_warn("slaunch_efi_pcr=%s refused: outside a secure launch only PCRs 8-15 are used (0-7 belong to the firmware, 16 and 23 are resettable, 17-22 need a DRTM); using PCR %u\n",
			pcr_param, def);
	else
		return pcr;
	return def;
}

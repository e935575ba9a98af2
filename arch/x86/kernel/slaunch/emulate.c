// SPDX-License-Identifier: GPL-2.0
/*
 * Debug-only emulation of an Intel TXT secure launch (CONFIG_SECURE_LAUNCH
 * _EMULATION, "slaunch_emulate" on the command line), for emulators without
 * TXT such as QEMU.
 *
 * It replaces only what such a machine cannot provide: the TXT registers
 * (the launch is simply declared to have happened) and the TXT heap with
 * the DRTM event log the bootloader would have set up (kernel buffers,
 * found and appended to by the same code that handles a real launch).
 * The TPM, its localities, PCRs 17-22 and EFI stay real: whoever runs the
 * emulator is expected to perform the DRTM hash sequence on the TPM
 * (swtpm's control channel) as the kernel starts, with
 * SLAUNCH_EMULATED_LAUNCH_DATA.
 */

#define pr_fmt(fmt) "slaunch: " fmt

#include <linux/init.h>
#include <linux/sizes.h>
#include <linux/slaunch.h>

#include <asm/page.h>

#include "slaunch.h"

/* An emulated TXT heap: the four tables, OsSinitData with the log pointer */
struct sl_emu_heap {
	u64 bios_data_size;
	u64 os_mle_data_size;
	u64 os_sinit_data_size;
	u32 os_sinit_version;
	u8 os_sinit_fixed[TXT_OS_SINIT_DATA_FIXED_SIZE - sizeof(u32)];
	struct txt_heap_ext_data_element log_element;
	struct txt_heap_event_log_pointer2_1 log;
	struct txt_heap_ext_data_element end_element;
	u64 sinit_mle_data_size;
} __packed;

static bool sl_emu_requested __initdata;
static struct sl_emu_heap sl_emu_heap;
static u8 sl_emu_log[SZ_32K] __aligned(PAGE_SIZE);

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
 * @heap_base: set to the physical address of the emulated TXT heap
 * @heap_size: set to its size
 *
 * Return: true if the kernel is to behave as if securely launched.
 */
bool __init slaunch_emulate_setup(u64 *heap_base, u64 *heap_size)
{
	struct sl_emu_heap *h = &sl_emu_heap;

	if (!sl_emu_requested)
		return false;

	pr_warn("**********************************************************\n");
	pr_warn("**   SECURE LAUNCH IS EMULATED (slaunch_emulate)        **\n");
	pr_warn("**   There was no Intel TXT launch: PCRs 17-22 and the  **\n");
	pr_warn("**   DRTM log only show what the emulator injected.     **\n");
	pr_warn("**   NEVER use this kernel or option in production.     **\n");
	pr_warn("**********************************************************\n");

	h->bios_data_size = sizeof(u64);
	h->os_mle_data_size = sizeof(u64);
	h->os_sinit_data_size = offsetof(struct sl_emu_heap, sinit_mle_data_size) -
				offsetof(struct sl_emu_heap, os_sinit_data_size);
	h->os_sinit_version = 7;
	h->log_element.type = TXT_HEAP_EXTDATA_TYPE_EVENT_LOG_PTR2_1;
	h->log_element.size = sizeof(h->log_element) + sizeof(h->log);
	/* An empty log: the EFI runtime gate writes the header and launch. */
	h->log.phys_addr = __pa_symbol(sl_emu_log);
	h->log.allocated_event_container_size = sizeof(sl_emu_log);
	h->end_element.type = TXT_HEAP_EXTDATA_TYPE_END;
	h->end_element.size = sizeof(h->end_element);
	h->sinit_mle_data_size = sizeof(u64);

	*heap_base = __pa_symbol(h);
	*heap_size = sizeof(*h);
	return true;
}

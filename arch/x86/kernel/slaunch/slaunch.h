/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interface between the secure-launch detection, its DRTM event
 * log access and its debug-only emulation.
 */
#ifndef _X86_KERNEL_SLAUNCH_H
#define _X86_KERNEL_SLAUNCH_H

#include <linux/types.h>

/*
 * The TXT heap holds four tables, BiosData, OsMleData, OsSinitData and
 * SinitMleData, each preceded by a u64 size that counts itself.  From
 * version 6 on, OsSinitData ends with extended data elements; the TPM 2.0
 * DRTM event log is described by the HEAP_EVENT_LOG_POINTER_ELEMENT2_1
 * element (Intel TXT Software Development Guide, appendix C).
 */
#define TXT_OS_SINIT_DATA_TABLE			2
#define TXT_OS_SINIT_DATA_MIN_VERSION		6
/* OsSinitData from Version to EfiRsdtPtr, before the extended elements */
#define TXT_OS_SINIT_DATA_FIXED_SIZE		92
#define TXT_HEAP_EXTDATA_TYPE_END		0
#define TXT_HEAP_EXTDATA_TYPE_EVENT_LOG_PTR2_1	8

struct txt_heap_ext_data_element {
	u32 type;
	u32 size;	/* including this header */
} __packed;

struct txt_heap_event_log_pointer2_1 {
	u64 phys_addr;
	u32 allocated_event_container_size;
	u32 first_record_offset;
	u32 next_record_offset;
} __packed;

#if IS_ENABLED(CONFIG_KUNIT)
struct txt_heap_event_log_pointer2_1 *txt_heap_find_log(u8 *heap,
							u64 heap_size);
int txt_log_ptr_check(const struct txt_heap_event_log_pointer2_1 *p, u64 base,
		      u32 size, u32 *next);
int slaunch_specid_parse(const u8 *log, size_t len, u16 *algs, u16 *sizes,
			 unsigned int max);
int slaunch_log_placement(u64 log, u64 log_size, u64 heap, u64 heap_size,
			  u64 elem);
int slaunch_txt_regs_check(u64 sts, u64 didvid);
const char *slaunch_emulate_refusal(bool launched, bool secure_boot,
				    bool locked_down);
#endif

int slaunch_eventlog_use_heap(void *heap, u64 heap_size);

struct tpm_chip;
#ifdef CONFIG_SECURE_LAUNCH_EMULATION
void slaunch_emulate_tpm_chip(struct tpm_chip *chip);
#else
static inline void slaunch_emulate_tpm_chip(struct tpm_chip *chip) { }
#endif

#endif /* _X86_KERNEL_SLAUNCH_H */

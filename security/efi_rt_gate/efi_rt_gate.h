/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of security/efi_rt_gate.
 */
#ifndef _SECURITY_EFI_RT_GATE_H
#define _SECURITY_EFI_RT_GATE_H

#include <linux/seq_file.h>
#include <linux/tpm.h>
#include <linux/types.h>

/*
 * TCG PC Client PFP tagged event (EV_EVENT_TAG) carrying the gate's events.
 * The EFI stub's tagged events (initrd, load options) use 0x8F3B22EC and
 * 0x8F3B22ED; the gate's ID is the next one of that family not taken.
 */
#define EFI_RT_GATE_EVENT_TAG_ID	0x8F3B22F0

#define EFI_RT_EV_NO_ACTION		0x3
#define EFI_RT_EV_EVENT_TAG		0x6

/* Upper bound of a gate event's text, without the terminating NUL. */
#define EFI_RT_EVENT_TEXT_MAX		200

/**
 * struct efi_rt_bank - one PCR bank as recorded in the event log
 * @alg_id: TPM_ALG_ID of the bank
 * @digest_size: size of the bank's digests in bytes
 */
struct efi_rt_bank {
	u16 alg_id;
	u16 digest_size;
};

size_t efi_rt_specid_size(unsigned int nr_banks);
size_t efi_rt_specid_write(u8 *buf, const struct efi_rt_bank *banks,
			   unsigned int nr_banks);
size_t efi_rt_tagged_event_size(size_t text_len);
size_t efi_rt_tagged_event_write(u8 *buf, const char *text, size_t text_len);
size_t efi_rt_event2_size(const struct efi_rt_bank *banks,
			  unsigned int nr_banks, size_t event_size);
size_t efi_rt_event2_write(u8 *buf, u32 pcr, u32 type,
			   const struct efi_rt_bank *banks, unsigned int nr_banks,
			   const struct tpm_digest *digests,
			   const u8 *event, size_t event_size);

int efi_rt_parse_pcr(const char *str, unsigned int min, unsigned int max,
		     unsigned int *pcr);
unsigned int efi_rt_select_pcr(void);

int efi_rt_request(bool unlock);
unsigned int efi_rt_pcr(void);
const char *efi_rt_state_name(void);
int efi_rt_show_binary(struct seq_file *m, void *v);
int efi_rt_show_ascii(struct seq_file *m, void *v);

int efi_rt_fs_init(void);

#endif /* _SECURITY_EFI_RT_GATE_H */

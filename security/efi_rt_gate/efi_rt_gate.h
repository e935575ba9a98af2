/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of security/efi_rt_gate.
 */
#ifndef _SECURITY_EFI_RT_GATE_H
#define _SECURITY_EFI_RT_GATE_H

#include <linux/seq_file.h>
#include <linux/slaunch.h>
#include <linux/slaunch_emulation.h>
#include <linux/tpm.h>
#include <linux/types.h>

struct efi_var_snapshot_var;

/* After a secure launch (or, on debug kernels, its emulation) */
static inline bool rtgate_launched(void)
{
	return slaunch_is_txt_launch() || slaunch_emulated();
}

#define RTGATE_EV_NO_ACTION		0x3
#define RTGATE_EV_EVENT_TAG		0x6

/**
 * struct rtgate_event_digest - a typed digest of what a transition admits
 * @type: what was hashed (defined by the series that adds it)
 * @alg_id: TPM_ALG_ID of the hash
 * @size: size of @data in bytes
 * @data: the digest
 */
struct rtgate_event_digest {
	u16 type;
	u16 alg_id;
	u16 size;
	const u8 *data;
};

/**
 * struct rtgate_event - a gate event before encoding (version 1)
 * @op: EFI_GATE_OP_*
 * @before: state before (&enum efi_gate_state or EFI_GATE_EV_STATE_NONE)
 * @after: state after, same codes
 * @flags: EFI_GATE_EV_FLAG_*
 * @reason: &enum efi_gate_reason
 * @seq: per-boot sequence number of the kernel's records, from 1
 * @pcr: the PCR the event is extended into
 * @digests: typed digests of what the transition admits
 * @nr_digests: number of entries in @digests
 * @text: short human-readable summary, NUL-terminated
 */
struct rtgate_event {
	u8 op;
	u8 before;
	u8 after;
	u8 flags;
	u16 reason;
	u32 seq;
	u32 pcr;
	const struct rtgate_event_digest *digests;
	unsigned int nr_digests;
	const char *text;
};

/**
 * struct rtgate_bank - one PCR bank as recorded in the event log
 * @alg_id: TPM_ALG_ID of the bank
 * @digest_size: size of the bank's digests in bytes
 */
struct rtgate_bank {
	u16 alg_id;
	u16 digest_size;
};

size_t rtgate_specid_size(unsigned int nr_banks);
size_t rtgate_specid_write(u8 *buf, const struct rtgate_bank *banks,
			   unsigned int nr_banks);
size_t rtgate_event_size(const struct rtgate_event *ev);
size_t rtgate_event_write(u8 *buf, const struct rtgate_event *ev);
size_t rtgate_tagged_event_size(size_t data_len);
size_t rtgate_tagged_event_write(u8 *buf, const u8 *data, size_t data_len);
size_t rtgate_event2_size(const struct rtgate_bank *banks,
			  unsigned int nr_banks, size_t event_size);
size_t rtgate_event2_write(u8 *buf, u32 pcr, u32 type,
			   const struct rtgate_bank *banks, unsigned int nr_banks,
			   const struct tpm_digest *digests,
			   const u8 *event, size_t event_size);

int rtgate_parse_pcr(const char *str, unsigned int min, unsigned int max,
		     unsigned int *pcr);
unsigned int rtgate_select_pcr(void);

int rtgate_request(bool unlock);
int rtgate_code_digest(u8 *digest);
int rtgate_trusted_vars_digest(const struct efi_var_snapshot_var *vars,
			       unsigned int count, u8 *digest);
unsigned int rtgate_pcr(void);
const char *rtgate_state_name(void);
extern const struct seq_operations rtgate_binary_seqops;
extern const struct seq_operations rtgate_ascii_seqops;

int rtgate_fs_init(void);
extern const struct file_operations rtgate_staged_journal_fops;
extern const struct file_operations rtgate_staged_fops;

#endif /* _SECURITY_EFI_RT_GATE_H */

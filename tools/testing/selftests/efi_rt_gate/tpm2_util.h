/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw TPM 2.0 commands for the efi_rt_gate selftests, sent through
 * /dev/tpmrm0 so that the tests depend on no TSS, and PCR reads through
 * /sys/class/tpm/tpm0/pcr-<bank>/<N>.
 */
#ifndef EFI_RT_GATE_TPM2_UTIL_H
#define EFI_RT_GATE_TPM2_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define TPM2_ALG_SHA1		0x0004
#define TPM2_ALG_SHA256		0x000B
#define TPM2_ALG_SHA384		0x000C
#define TPM2_ALG_SHA512		0x000D

#define TPM2_RC_LOCALITY	0x0907

#define TPM_SYSFS		"/sys/class/tpm/tpm0"
#define TPM_MAX_DIGEST		64

/* Returns the TPM response code (0 on success) or -errno. */
int tpm2_pcr_read(unsigned int pcr, uint16_t alg, uint8_t *digest, size_t *len);
int tpm2_pcr_extend(unsigned int pcr, uint16_t alg, const uint8_t *digest, size_t len);
/* One extend of every bank in @algs (zero digests), like the kernel's. */
int tpm2_pcr_extend_banks(unsigned int pcr, int n, const uint16_t *algs);
/*
 * The same with @digest (TPM_MAX_DIGEST bytes, of which each bank takes as
 * many as its size) instead of zeros.
 */
int tpm2_pcr_extend_banks_with(unsigned int pcr, int n, const uint16_t *algs,
			       const uint8_t *digest);
int tpm2_pcr_reset(unsigned int pcr);

/* Bank name as in sysfs ("sha256") for a TPM algorithm ID, or NULL. */
const char *tpm2_alg_name(uint16_t alg);
size_t tpm2_alg_size(uint16_t alg);

/* Read /sys/class/tpm/tpm0/pcr-<bank>/<pcr> into @digest; -errno or length. */
int sysfs_pcr_read(const char *bank, unsigned int pcr, uint8_t *digest, size_t max);

int tpm_present(void);

/* Banks the kernel exposes under /sys/class/tpm/tpm0/pcr-<name>. */
int sysfs_banks(uint16_t *algs, int max);

#endif

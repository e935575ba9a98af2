/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A secret sealed to one PCR with tpm2-tss (ESAPI), the way a disk
 * encryption tool binds its key: a primary storage key in the owner
 * hierarchy, a sealed data object whose only authorization is a
 * TPM2_PolicyPCR over the PCR's current SHA-256 value, and an unseal that
 * satisfies that policy in a policy session.  Every TPM command goes
 * through the library (device TCTI on /dev/tpmrm0); nothing is marshalled
 * by hand.
 */
#ifndef EFI_RT_GATE_SEAL_UTIL_H
#define EFI_RT_GATE_SEAL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_esys.h>

#define SEAL_DIGEST_SIZE	32	/* SHA-256: the bank and the policy hash */
#define SEAL_SECRET_MAX		128

/* What is stored: enough to load the object again after a power cycle. */
struct sealed_blob {
	uint32_t pcr;
	uint8_t pcr_value[SEAL_DIGEST_SIZE];	/* the value sealed to */
	uint8_t policy[SEAL_DIGEST_SIZE];	/* authPolicy of the object */
	uint8_t secret_hash[SEAL_DIGEST_SIZE];	/* SHA-256 of the secret */
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
};

/*
 * The TPM's answer to an unseal whose PCR policy no longer holds, as ESAPI
 * returns it: TPM_RC_POLICY_FAIL for the session in slot 1.
 */
#define SEAL_RC_POLICY_FAIL	(TPM2_RC_POLICY_FAIL | TPM2_RC_S | TPM2_RC_1)

/* ESAPI on /dev/tpmrm0 (or $SEAL_TPM_DEVICE), library logging off. */
TSS2_RC seal_open(ESYS_CONTEXT **ctx);
void seal_close(ESYS_CONTEXT *ctx);

/* TPM2_PCR_Read of @pcr in the SHA-256 bank. */
TSS2_RC seal_pcr_read(ESYS_CONTEXT *ctx, unsigned int pcr, uint8_t value[SEAL_DIGEST_SIZE]);

/* Seal @len bytes of @secret to the current value of @pcr. */
TSS2_RC seal_secret(ESYS_CONTEXT *ctx, unsigned int pcr, const void *secret,
		    size_t len, struct sealed_blob *blob);

/* Unseal into @out (at least SEAL_SECRET_MAX bytes); *@len gets the size. */
TSS2_RC unseal_secret(ESYS_CONTEXT *ctx, const struct sealed_blob *blob,
		      uint8_t *out, size_t *len);

/* Does @secret hash to what was recorded when it was sealed? */
int seal_secret_matches(const struct sealed_blob *blob, const void *secret, size_t len);

/* Store / load a blob (a file or a block device); 0 or -errno. */
int blob_write(const char *path, const struct sealed_blob *blob);
int blob_read(const char *path, struct sealed_blob *blob);

/* "tpm:session(1):a policy check failed" and the like. */
const char *seal_rc_text(TSS2_RC rc);

/* The gate's PCR from /sys/kernel/security/efi_rt/pcr, or -errno. */
int gate_pcr(void);

void hex(char *out, const uint8_t *in, size_t len);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * efi_rt_gate_seal: seal a secret to the EFI runtime gate's PCR with
 * tpm2-tss, store the sealed blob in a file (or a partition), and unseal it
 * on request.  What a disk encryption tool does with its key, in a few
 * lines (seal_util.c); used by "make demo".
 *
 *   efi_rt_gate_seal seal FILE [SECRET]  seal to the PCR in
 *                                        /sys/kernel/security/efi_rt/pcr
 *   efi_rt_gate_seal unseal FILE         print the secret, or the TPM's
 *                                        error (exit status 1)
 *   efi_rt_gate_seal pcr FILE            the PCR, its value when sealed, now
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "seal_util.h"

static int bad_usage(void)
{
	fprintf(stderr, "usage: efi_rt_gate_seal seal FILE [SECRET] | unseal FILE | pcr FILE\n");
	return 2;
}

static int do_seal(ESYS_CONTEXT *ctx, const char *path, const char *arg)
{
	char secret[SEAL_SECRET_MAX + 1], h[2 * SEAL_DIGEST_SIZE + 1], r[17];
	struct sealed_blob blob;
	uint8_t rnd[8];
	int pcr = gate_pcr(), ret;
	TSS2_RC rc;

	if (pcr < 0) {
		fprintf(stderr, "no gate PCR: %s\n", strerror(-pcr));
		return 2;
	}
	if (!arg) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return 2;
		hex(r, rnd, sizeof(rnd));
		snprintf(secret, sizeof(secret), "disk key %s", r);
		arg = secret;
	}
	rc = seal_secret(ctx, pcr, arg, strlen(arg), &blob);
	if (rc) {
		printf("seal failed: TPM error 0x%x (%s)\n", rc, seal_rc_text(rc));
		return 1;
	}
	ret = blob_write(path, &blob);
	if (ret) {
		fprintf(stderr, "%s: %s\n", path, strerror(-ret));
		return 2;
	}
	hex(h, blob.pcr_value, SEAL_DIGEST_SIZE);
	printf("sealed \"%s\" to PCR %d = %.16s...\n", arg, pcr, h);
	return 0;
}

static int do_unseal(ESYS_CONTEXT *ctx, const struct sealed_blob *blob)
{
	uint8_t secret[SEAL_SECRET_MAX + 1];
	size_t len;
	TSS2_RC rc;

	rc = unseal_secret(ctx, blob, secret, &len);
	if (rc) {
		printf("unseal failed: TPM error 0x%x (%s)\n", rc, seal_rc_text(rc));
		return 1;
	}
	secret[len] = 0;
	printf("unsealed \"%s\"\n", (char *)secret);
	return seal_secret_matches(blob, secret, len) ? 0 : 1;
}

static int do_pcr(ESYS_CONTEXT *ctx, const struct sealed_blob *blob)
{
	char h[2 * SEAL_DIGEST_SIZE + 1];
	uint8_t now[SEAL_DIGEST_SIZE];
	TSS2_RC rc;

	hex(h, blob->pcr_value, SEAL_DIGEST_SIZE);
	printf("PCR %u sealed to %s\n", blob->pcr, h);
	rc = seal_pcr_read(ctx, blob->pcr, now);
	if (rc) {
		printf("PCR_Read failed: TPM error 0x%x (%s)\n", rc, seal_rc_text(rc));
		return 1;
	}
	hex(h, now, SEAL_DIGEST_SIZE);
	printf("PCR %u now       %s\n", blob->pcr, h);
	return 0;
}

int main(int argc, char **argv)
{
	struct sealed_blob blob;
	ESYS_CONTEXT *ctx = NULL;
	TSS2_RC rc;
	int ret;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[1], "seal")))
		return bad_usage();
	if (strcmp(argv[1], "seal")) {
		if (strcmp(argv[1], "unseal") && strcmp(argv[1], "pcr"))
			return bad_usage();
		ret = blob_read(argv[2], &blob);
		if (ret) {
			fprintf(stderr, "%s: %s\n", argv[2],
				ret == -ENOENT ? "nothing sealed there" : strerror(-ret));
			return 2;
		}
	}
	rc = seal_open(&ctx);
	if (rc) {
		fprintf(stderr, "ESAPI on /dev/tpmrm0: 0x%x (%s)\n", rc, seal_rc_text(rc));
		return 2;
	}
	if (!strcmp(argv[1], "seal"))
		ret = do_seal(ctx, argv[2], argc == 4 ? argv[3] : NULL);
	else if (!strcmp(argv[1], "unseal"))
		ret = do_unseal(ctx, &blob);
	else
		ret = do_pcr(ctx, &blob);
	seal_close(ctx);
	return ret;
}

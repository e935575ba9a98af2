// SPDX-License-Identifier: GPL-2.0
/*
 * The digest of the EFI variables the kernel's keyrings trust, as the
 * kernel serves them from its validated copy of the EFI variable snapshot
 * (drivers/firmware/efi/var-snapshot.c).
 *
 * After a secure launch the pre-launch environment is untrusted, yet
 * load_uefi_certs() fills the platform keyring and the blacklist from the
 * snapshot while runtime services are withheld, and MokListTrustedRT
 * decides whether the machine keyring is trusted.  The boot record in the
 * DRTM PCR carries this digest, so that a verifier sees exactly which
 * keys the launched kernel trusts, and can recompute it from efivarfs
 * while the gate is locked.  Only these variables: the rest of the store
 * (monotonic counters, boot entries) changes from boot to boot and would
 * make the DRTM PCR unpredictable for sealing.
 */

#define pr_fmt(fmt) "efi_rt_gate: " fmt

#include <crypto/sha2.h>
#include <linux/efi.h>
#include <linux/efi_var_snapshot.h>
#include <linux/ucs2_string.h>
#include <asm/byteorder.h>

#include "efi_rt_gate.h"

/* In the order they are hashed (Documentation/ABI/testing/securityfs-efi-rt-gate) */
static const struct {
	const efi_char16_t *name;
	efi_guid_t vendor;
} rtgate_trusted_vars[] = {
	{ L"db", EFI_IMAGE_SECURITY_DATABASE_GUID },
	{ L"dbx", EFI_IMAGE_SECURITY_DATABASE_GUID },
	{ L"MokListRT", EFI_SHIM_LOCK_GUID },
	{ L"MokListXRT", EFI_SHIM_LOCK_GUID },
	{ L"MokListTrustedRT", EFI_SHIM_LOCK_GUID },
	{ L"SbatLevelRT", EFI_SHIM_LOCK_GUID },
};

/**
 * rtgate_trusted_vars_digest() - SHA-256 of the variables the keyrings trust
 * @vars: a validated snapshot (efi_var_snapshot_parse())
 * @count: the number of @vars
 * @digest: SHA256_DIGEST_SIZE bytes for the result
 *
 * Hashes, for db and dbx (EFI_IMAGE_SECURITY_DATABASE_GUID), then
 * MokListRT, MokListXRT, MokListTrustedRT and SbatLevelRT
 * (EFI_SHIM_LOCK_GUID), one UEFI_VARIABLE_DATA structure each, as the
 * TCG PC Client PFP defines it for variable events: the vendor GUID (16
 * bytes, EFI_GUID layout), le64 the name's length in characters without
 * its NUL, le64 the data's length, the UCS-2LE name without its NUL, the
 * data.  A variable the snapshot does not hold has data length 0 and no
 * data.
 *
 * Return: the number of those variables the snapshot holds.
 */
int rtgate_trusted_vars_digest(const struct efi_var_snapshot_var *vars,
			       unsigned int count, u8 *digest)
{
	const struct efi_var_snapshot_var *v;
	struct sha256_state sctx;
	unsigned int i, k, nlen;
	__le16 ch;
	__le64 len[2];
	int present = 0;

	sha256_init(&sctx);
	for (i = 0; i < ARRAY_SIZE(rtgate_trusted_vars); i++) {
		v = efi_var_snapshot_find(vars, count,
					  rtgate_trusted_vars[i].name,
					  &rtgate_trusted_vars[i].vendor);
		nlen = ucs2_strlen(rtgate_trusted_vars[i].name);
		len[0] = cpu_to_le64(nlen);
		len[1] = cpu_to_le64(v ? v->data_size : 0);
		sha256_update(&sctx, (const u8 *)&rtgate_trusted_vars[i].vendor,
			      sizeof(efi_guid_t));
		sha256_update(&sctx, (const u8 *)len, sizeof(len));
		for (k = 0; k < nlen; k++) {
			ch = cpu_to_le16(rtgate_trusted_vars[i].name[k]);
			sha256_update(&sctx, (const u8 *)&ch, sizeof(ch));
		}
		if (v) {
			sha256_update(&sctx, v->data, v->data_size);
			present++;
		}
	}
	sha256_final(&sctx, digest);
	return present;
}

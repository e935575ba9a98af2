// SPDX-License-Identifier: GPL-2.0
/*
 * A secret sealed to one PCR with tpm2-tss ESAPI (see seal_util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tcti_device.h>

#include "seal_util.h"

#define BLOB_MAGIC	"ERTGSEAL"
#define BLOB_VERSION	1
#define BLOB_HDR_SIZE	(8 + 4 + 4 + 3 * SEAL_DIGEST_SIZE + 4)
#define BLOB_MAX	(BLOB_HDR_SIZE + sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE))

static void sha256(const void *data, size_t len, uint8_t *out)
{
	unsigned int n = SEAL_DIGEST_SIZE;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL))
		memset(out, 0, SEAL_DIGEST_SIZE);
}

void hex(char *out, const uint8_t *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
	out[2 * len] = 0;
}

const char *seal_rc_text(TSS2_RC rc)
{
	return Tss2_RC_Decode(rc);
}

int gate_pcr(void)
{
	char buf[16];
	ssize_t n;
	int fd;

	fd = open("/sys/kernel/security/efi_rt/pcr", O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	return atoi(buf);
}

TSS2_RC seal_open(ESYS_CONTEXT **ctx)
{
	const char *dev = getenv("SEAL_TPM_DEVICE");
	TSS2_TCTI_CONTEXT *tcti;
	size_t size = 0;
	TSS2_RC rc;

	/* The library would log every TPM error to stderr: the caller reports. */
	setenv("TSS2_LOG", "all+none", 0);
	if (!dev)
		dev = "/dev/tpmrm0";
	rc = Tss2_Tcti_Device_Init(NULL, &size, dev);
	if (rc)
		return rc;
	tcti = calloc(1, size);
	if (!tcti)
		return TSS2_ESYS_RC_MEMORY;
	rc = Tss2_Tcti_Device_Init(tcti, &size, dev);
	if (!rc)
		rc = Esys_Initialize(ctx, tcti, NULL);
	if (rc) {
		Tss2_Tcti_Finalize(tcti);
		free(tcti);
	}
	return rc;
}

void seal_close(ESYS_CONTEXT *ctx)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;

	if (!ctx)
		return;
	Esys_GetTcti(ctx, &tcti);
	Esys_Finalize(&ctx);
	if (tcti) {
		Tss2_Tcti_Finalize(tcti);
		free(tcti);
	}
}

static void pcr_select(TPML_PCR_SELECTION *sel, unsigned int pcr)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	sel->pcrSelections[0].pcrSelect[pcr / 8] = 1 << (pcr % 8);
}

TSS2_RC seal_pcr_read(ESYS_CONTEXT *ctx, unsigned int pcr, uint8_t value[SEAL_DIGEST_SIZE])
{
	TPML_PCR_SELECTION sel, *sel_out = NULL;
	TPML_DIGEST *values = NULL;
	UINT32 counter;
	TSS2_RC rc;

	if (pcr > 23)
		return TSS2_ESYS_RC_BAD_VALUE;
	pcr_select(&sel, pcr);
	rc = Esys_PCR_Read(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel,
			   &counter, &sel_out, &values);
	if (rc)
		return rc;
	if (values->count != 1 || values->digests[0].size != SEAL_DIGEST_SIZE)
		rc = TSS2_ESYS_RC_MALFORMED_RESPONSE;
	else
		memcpy(value, values->digests[0].buffer, SEAL_DIGEST_SIZE);
	Esys_Free(sel_out);
	Esys_Free(values);
	return rc;
}

/* The parent: an ECC P-256 storage key, the same on every call. */
static TSS2_RC create_primary(ESYS_CONTEXT *ctx, ESYS_TR *primary)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION creation = { 0 };
	TPM2B_PUBLIC tmpl = {
		.publicArea = {
			.type = TPM2_ALG_ECC,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
				TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
				TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_NODA,
			.parameters.eccDetail = {
				.symmetric = {
					.algorithm = TPM2_ALG_AES,
					.keyBits.aes = 128,
					.mode.aes = TPM2_ALG_CFB,
				},
				.scheme.scheme = TPM2_ALG_NULL,
				.curveID = TPM2_ECC_NIST_P256,
				.kdf.scheme = TPM2_ALG_NULL,
			},
		},
	};

	return Esys_CreatePrimary(ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				  ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl, &outside,
				  &creation, primary, NULL, NULL, NULL, NULL);
}

/*
 * A session of @type with TPM2_PolicyPCR(@pcr_digest, @sel) applied: a trial
 * session computes the policy, a policy session satisfies it (an empty
 * @pcr_digest makes the TPM take the PCR as it is now).
 */
static TSS2_RC pcr_policy(ESYS_CONTEXT *ctx, TPM2_SE type, const TPML_PCR_SELECTION *sel,
			  const TPM2B_DIGEST *pcr_digest, ESYS_TR *session)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	TSS2_RC rc;

	rc = Esys_StartAuthSession(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, NULL, type, &sym,
				   TPM2_ALG_SHA256, session);
	if (rc)
		return rc;
	rc = Esys_PolicyPCR(ctx, *session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			    pcr_digest, sel);
	if (rc) {
		Esys_FlushContext(ctx, *session);
		*session = ESYS_TR_NONE;
	}
	return rc;
}

TSS2_RC seal_secret(ESYS_CONTEXT *ctx, unsigned int pcr, const void *secret,
		    size_t len, struct sealed_blob *blob)
{
	ESYS_TR primary = ESYS_TR_NONE, trial = ESYS_TR_NONE;
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_DIGEST pcr_digest = { .size = SEAL_DIGEST_SIZE }, *policy = NULL;
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION creation = { 0 }, sel;
	TPM2B_PUBLIC tmpl = {
		.publicArea = {
			.type = TPM2_ALG_KEYEDHASH,
			.nameAlg = TPM2_ALG_SHA256,
			/* No userWithAuth: the policy is the only way in. */
			.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
				TPMA_OBJECT_NODA,
			.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL,
		},
	};
	TSS2_RC rc;

	if (len > SEAL_SECRET_MAX || len > sizeof(sens.sensitive.data.buffer))
		return TSS2_ESYS_RC_BAD_SIZE;
	memset(blob, 0, sizeof(*blob));
	blob->pcr = pcr;
	rc = seal_pcr_read(ctx, pcr, blob->pcr_value);
	if (rc)
		return rc;
	/* PolicyPCR's pcrDigest: the hash of the selected PCR values. */
	sha256(blob->pcr_value, SEAL_DIGEST_SIZE, pcr_digest.buffer);
	pcr_select(&sel, pcr);
	rc = pcr_policy(ctx, TPM2_SE_TRIAL, &sel, &pcr_digest, &trial);
	if (rc)
		return rc;
	rc = Esys_PolicyGetDigest(ctx, trial, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				  &policy);
	Esys_FlushContext(ctx, trial);
	if (rc)
		return rc;
	if (policy->size != SEAL_DIGEST_SIZE) {
		Esys_Free(policy);
		return TSS2_ESYS_RC_MALFORMED_RESPONSE;
	}
	tmpl.publicArea.authPolicy = *policy;
	memcpy(blob->policy, policy->buffer, SEAL_DIGEST_SIZE);
	Esys_Free(policy);

	rc = create_primary(ctx, &primary);
	if (rc)
		return rc;
	sens.sensitive.data.size = len;
	memcpy(sens.sensitive.data.buffer, secret, len);
	rc = Esys_Create(ctx, primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
			 &sens, &tmpl, &outside, &creation, &priv, &pub,
			 NULL, NULL, NULL);
	Esys_FlushContext(ctx, primary);
	memset(&sens, 0, sizeof(sens));
	if (rc)
		return rc;
	blob->pub = *pub;
	blob->priv = *priv;
	sha256(secret, len, blob->secret_hash);
	Esys_Free(pub);
	Esys_Free(priv);
	return 0;
}

TSS2_RC unseal_secret(ESYS_CONTEXT *ctx, const struct sealed_blob *blob,
		      uint8_t *out, size_t *len)
{
	ESYS_TR primary = ESYS_TR_NONE, item = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TPM2B_SENSITIVE_DATA *data = NULL;
	TPM2B_DIGEST current = { 0 };
	TPML_PCR_SELECTION sel;
	TSS2_RC rc;

	*len = 0;
	rc = create_primary(ctx, &primary);
	if (rc)
		return rc;
	rc = Esys_Load(ctx, primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
		       &blob->priv, &blob->pub, &item);
	Esys_FlushContext(ctx, primary);
	if (rc)
		return rc;
	pcr_select(&sel, blob->pcr);
	rc = pcr_policy(ctx, TPM2_SE_POLICY, &sel, &current, &session);
	if (!rc) {
		rc = Esys_Unseal(ctx, item, session, ESYS_TR_NONE, ESYS_TR_NONE, &data);
		Esys_FlushContext(ctx, session);
	}
	Esys_FlushContext(ctx, item);
	if (rc)
		return rc;
	if (data->size > SEAL_SECRET_MAX) {
		rc = TSS2_ESYS_RC_MALFORMED_RESPONSE;
	} else {
		memcpy(out, data->buffer, data->size);
		*len = data->size;
	}
	Esys_Free(data);
	return rc;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * "ERTGSEAL", le32 version, le32 PCR, the PCR value, the policy and the
 * secret's hash, le32 length of what follows: TPM2B_PUBLIC, TPM2B_PRIVATE
 * as the library marshals them.
 */
int blob_write(const char *path, const struct sealed_blob *blob)
{
	uint8_t buf[BLOB_MAX];
	size_t off = BLOB_HDR_SIZE;
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	memcpy(buf, BLOB_MAGIC, 8);
	put32(buf + 8, BLOB_VERSION);
	put32(buf + 12, blob->pcr);
	memcpy(buf + 16, blob->pcr_value, SEAL_DIGEST_SIZE);
	memcpy(buf + 16 + SEAL_DIGEST_SIZE, blob->policy, SEAL_DIGEST_SIZE);
	memcpy(buf + 16 + 2 * SEAL_DIGEST_SIZE, blob->secret_hash, SEAL_DIGEST_SIZE);
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&blob->pub, buf, sizeof(buf), &off) ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(&blob->priv, buf, sizeof(buf), &off))
		return -EOVERFLOW;
	put32(buf + BLOB_HDR_SIZE - 4, off - BLOB_HDR_SIZE);

	fd = open(path, O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, off);
	if (n != (ssize_t)off)
		ret = n < 0 ? -errno : -EIO;
	if (!ret && !fstat(fd, &st) && S_ISREG(st.st_mode) && ftruncate(fd, off))
		ret = -errno;
	/* The machine may be powered off right after: make it reach the disk. */
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

int blob_read(const char *path, struct sealed_blob *blob)
{
	uint8_t buf[BLOB_MAX];
	size_t off = BLOB_HDR_SIZE, len;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return -errno;
	if (n < BLOB_HDR_SIZE || memcmp(buf, BLOB_MAGIC, 8))
		return -ENOENT;		/* nothing sealed there */
	if (get32(buf + 8) != BLOB_VERSION)
		return -EPROTO;
	len = get32(buf + BLOB_HDR_SIZE - 4);
	if (len > (size_t)n - BLOB_HDR_SIZE)
		return -EPROTO;
	memset(blob, 0, sizeof(*blob));
	blob->pcr = get32(buf + 12);
	memcpy(blob->pcr_value, buf + 16, SEAL_DIGEST_SIZE);
	memcpy(blob->policy, buf + 16 + SEAL_DIGEST_SIZE, SEAL_DIGEST_SIZE);
	memcpy(blob->secret_hash, buf + 16 + 2 * SEAL_DIGEST_SIZE, SEAL_DIGEST_SIZE);
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, BLOB_HDR_SIZE + len, &off, &blob->pub) ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(buf, BLOB_HDR_SIZE + len, &off, &blob->priv) ||
	    off != BLOB_HDR_SIZE + len || blob->pcr > 23)
		return -EPROTO;
	return 0;
}

/* Does @secret match the hash recorded when it was sealed? */
int seal_secret_matches(const struct sealed_blob *blob, const void *secret, size_t len)
{
	uint8_t h[SEAL_DIGEST_SIZE];

	sha256(secret, len, h);
	return !memcmp(h, blob->secret_hash, SEAL_DIGEST_SIZE);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Raw TPM 2.0 commands for the efi_rt_gate selftests (see tpm2_util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tpm2_util.h"

#define TPM2_ST_NO_SESSIONS	0x8001
#define TPM2_ST_SESSIONS	0x8002
#define TPM2_CC_PCR_RESET	0x013D
#define TPM2_CC_PCR_READ	0x017E
#define TPM2_CC_PCR_EXTEND	0x0182
#define TPM2_RS_PW		0x40000009

struct buf {
	uint8_t d[1024];
	size_t n;
};

static void put8(struct buf *b, uint8_t v)
{
	b->d[b->n++] = v;
}

static void put16(struct buf *b, uint16_t v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static void start(struct buf *b, uint16_t tag, uint32_t cc)
{
	b->n = 0;
	put16(b, tag);
	put32(b, 0);		/* size, fixed up in transmit() */
	put32(b, cc);
}

/* Password session with an empty password, as for an unowned PCR. */
static void pw_session(struct buf *b)
{
	put32(b, 9);
	put32(b, TPM2_RS_PW);
	put16(b, 0);
	put8(b, 0);
	put16(b, 0);
}

static int transmit(struct buf *cmd, uint8_t *resp, size_t max)
{
	ssize_t n;
	int fd;

	cmd->d[2] = cmd->n >> 24;
	cmd->d[3] = cmd->n >> 16;
	cmd->d[4] = cmd->n >> 8;
	cmd->d[5] = cmd->n;
	fd = open("/dev/tpmrm0", O_RDWR);
	if (fd < 0)
		return -errno;
	n = write(fd, cmd->d, cmd->n);
	if (n != (ssize_t)cmd->n) {
		n = n < 0 ? -errno : -EIO;
		close(fd);
		return n;
	}
	n = read(fd, resp, max);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	if (n < 10 || get32(resp + 2) != (uint32_t)n)
		return -EPROTO;
	return get32(resp + 6);
}

int tpm2_pcr_read(unsigned int pcr, uint16_t alg, uint8_t *digest, size_t *len)
{
	uint8_t r[1024];
	struct buf b;
	uint32_t cnt;
	const uint8_t *p;
	int rc;

	start(&b, TPM2_ST_NO_SESSIONS, TPM2_CC_PCR_READ);
	put32(&b, 1);
	put16(&b, alg);
	put8(&b, 3);
	put8(&b, pcr < 8 ? 1 << pcr : 0);
	put8(&b, pcr >= 8 && pcr < 16 ? 1 << (pcr - 8) : 0);
	put8(&b, pcr >= 16 ? 1 << (pcr - 16) : 0);
	rc = transmit(&b, r, sizeof(r));
	if (rc)
		return rc;
	/* updateCounter, TPML_PCR_SELECTION (1 x alg,size,3 bytes), TPML_DIGEST */
	p = r + 10 + 4;
	if (get32(p) != 1)
		return -EPROTO;
	p += 4 + 2 + 1 + p[4 + 2];
	cnt = get32(p);
	if (cnt != 1)
		return -ENOENT;
	p += 4;
	*len = get16(p);
	if (*len > TPM_MAX_DIGEST)
		return -EPROTO;
	memcpy(digest, p + 2, *len);
	return 0;
}

/* One TPM2_PCR_Extend of @pcr in @n banks; @digest (or zeros) in each. */
static int pcr_extend(unsigned int pcr, int n, const uint16_t *algs,
		      const uint8_t *digest)
{
	uint8_t r[64];
	struct buf b;
	size_t j;
	int i;

	start(&b, TPM2_ST_SESSIONS, TPM2_CC_PCR_EXTEND);
	put32(&b, pcr);
	pw_session(&b);
	put32(&b, n);
	for (i = 0; i < n; i++) {
		put16(&b, algs[i]);
		for (j = 0; j < tpm2_alg_size(algs[i]); j++)
			put8(&b, digest ? digest[j] : 0);
	}
	return transmit(&b, r, sizeof(r));
}

int tpm2_pcr_extend(unsigned int pcr, uint16_t alg, const uint8_t *digest, size_t len)
{
	if (len != tpm2_alg_size(alg))
		return -EINVAL;
	return pcr_extend(pcr, 1, &alg, digest);
}

int tpm2_pcr_extend_banks(unsigned int pcr, int n, const uint16_t *algs)
{
	return pcr_extend(pcr, n, algs, NULL);
}

/* One TPM2_PCR_Extend of @pcr in @n banks, each with the first bytes of @digest */
int tpm2_pcr_extend_banks_with(unsigned int pcr, int n, const uint16_t *algs,
			       const uint8_t *digest)
{
	return pcr_extend(pcr, n, algs, digest);
}

int tpm2_pcr_reset(unsigned int pcr)
{
	uint8_t r[64];
	struct buf b;

	start(&b, TPM2_ST_SESSIONS, TPM2_CC_PCR_RESET);
	put32(&b, pcr);
	pw_session(&b);
	return transmit(&b, r, sizeof(r));
}

const char *tpm2_alg_name(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1: return "sha1";
	case TPM2_ALG_SHA256: return "sha256";
	case TPM2_ALG_SHA384: return "sha384";
	case TPM2_ALG_SHA512: return "sha512";
	}
	return NULL;
}

size_t tpm2_alg_size(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1: return 20;
	case TPM2_ALG_SHA256: return 32;
	case TPM2_ALG_SHA384: return 48;
	case TPM2_ALG_SHA512: return 64;
	}
	return 0;
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sysfs_pcr_read(const char *bank, unsigned int pcr, uint8_t *digest, size_t max)
{
	char path[128], hex[2 * TPM_MAX_DIGEST + 2];
	ssize_t n;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), TPM_SYSFS "/pcr-%s/%u", bank, pcr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, hex, sizeof(hex) - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	while (n && (hex[n - 1] == '\n'))
		n--;
	if (n % 2 || (size_t)n / 2 > max)
		return -EPROTO;
	for (i = 0; i < (size_t)n / 2; i++) {
		int hi = unhex(hex[2 * i]), lo = unhex(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EPROTO;
		digest[i] = hi << 4 | lo;
	}
	return n / 2;
}

int tpm_present(void)
{
	return access(TPM_SYSFS, F_OK) == 0;
}

int sysfs_banks(uint16_t *algs, int max)
{
	static const uint16_t all[] = {
		TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512,
	};
	char path[64];
	int i, n = 0;

	for (i = 0; i < 4 && n < max; i++) {
		snprintf(path, sizeof(path), TPM_SYSFS "/pcr-%s", tpm2_alg_name(all[i]));
		if (access(path, F_OK) == 0)
			algs[n++] = all[i];
	}
	return n;
}

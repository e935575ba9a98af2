// SPDX-License-Identifier: GPL-2.0
/*
 * A strict parser of TCG PC Client crypto-agile event logs (log_util.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../kselftest.h"
#include "log_util.h"

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static int log_read(struct event_log *log, const char *path);

int log_load(struct event_log *log, const char *path)
{
	int ret = log_read(log, path);

	return ret ? ret : log_parse(log);
}

int log_load_container(struct event_log *log, const char *path)
{
	int ret = log_read(log, path);

	log->container = 1;
	return ret ? ret : log_parse(log);
}

static int log_read(struct event_log *log, const char *path)
{
	size_t cap = 4096;
	ssize_t n;
	int fd;

	memset(log, 0, sizeof(*log));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	log->buf = malloc(cap);
	for (;;) {
		if (log->len == cap)
			log->buf = realloc(log->buf, cap *= 2);
		n = read(fd, log->buf + log->len, cap - log->len);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		log->len += n;
	}
	close(fd);
	log->size = log->len;
	return 0;
}

/* Only zero bytes from @p to @end: the unused rest of a log container */
static int all_zero(const uint8_t *p, const uint8_t *end)
{
	while (p < end)
		if (*p++)
			return 0;
	return 1;
}

void log_free(struct event_log *log)
{
	free(log->buf);
	free(log->rec);
	log->buf = NULL;
	log->rec = NULL;
	log->rec_cap = 0;
}

static int __printf(2, 3) fail(struct event_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(log->error, sizeof(log->error), fmt, ap);
	va_end(ap);
	return 1;
}

int log_parse(struct event_log *log)
{
	static const char sig[16] = "Spec ID Event03";
	const uint8_t *p = log->buf, *end = log->buf + log->len, *spec;
	uint32_t esize, count;
	unsigned int i;

	log->nr_records = 0;
	log->nr_banks = 0;
	if (log->container && all_zero(p, end))
		log->len = 0;
	if (!log->len)
		return 0;
	/* TCG_PCR_EVENT: pcr, type, sha1[20], size, Spec ID Event03 */
	if (log->len < 32)
		return fail(log, "header truncated (%zu bytes)", log->len);
	if (le32(p) != 0 || le32(p + 4) != EV_NO_ACTION)
		return fail(log, "first record is not an EV_NO_ACTION for PCR 0");
	for (i = 0; i < 20; i++)
		if (p[8 + i])
			return fail(log, "header digest is not zero");
	esize = le32(p + 28);
	spec = p + 32;
	if (esize < 24 + 4 + 1 || spec + esize > end)
		return fail(log, "header event size %u invalid", esize);
	if (memcmp(spec, sig, 16))
		return fail(log, "no Spec ID Event03 signature");
	if (spec[21] != 2 || spec[23] != 2)
		return fail(log, "spec version %u.%u / uintnSize %u", spec[21], spec[20], spec[23]);
	log->nr_banks = le32(spec + 24);
	if (!log->nr_banks || log->nr_banks > LOG_MAX_BANKS)
		return fail(log, "%u banks", log->nr_banks);
	if (esize != 28 + 4 * log->nr_banks + 1 + spec[28 + 4 * log->nr_banks])
		return fail(log, "header event size %u does not match %u banks",
			    esize, log->nr_banks);
	for (i = 0; i < log->nr_banks; i++) {
		log->banks[i].alg = le16(spec + 28 + 4 * i);
		log->banks[i].size = le16(spec + 30 + 4 * i);
		if (log->banks[i].size == 0 || log->banks[i].size > TPM_MAX_DIGEST)
			return fail(log, "bank 0x%04x size %u",
				    log->banks[i].alg, log->banks[i].size);
	}
	p = spec + esize;

	while (p < end) {
		struct log_record *r;

		if (log->container && all_zero(p, end)) {
			log->len = p - log->buf;
			break;
		}

		if (log->nr_records == LOG_MAX_RECORDS)
			return fail(log, "too many records");
		if (log->nr_records == log->rec_cap) {
			unsigned int cap = log->rec_cap ? 2 * log->rec_cap : 64;

			r = realloc(log->rec, cap * sizeof(*r));
			if (!r)
				return fail(log, "out of memory at record %u", log->nr_records);
			log->rec = r;
			log->rec_cap = cap;
		}
		r = &log->rec[log->nr_records];
		r->offset = p - log->buf;
		if (end - p < 12)
			return fail(log, "record %u truncated", log->nr_records);
		r->pcr = le32(p);
		r->type = le32(p + 4);
		count = le32(p + 8);
		p += 12;
		if (count != log->nr_banks)
			return fail(log, "record %u has %u digests, header lists %u banks",
			     log->nr_records, count, log->nr_banks);
		for (i = 0; i < count; i++) {
			if (end - p < 2 || le16(p) != log->banks[i].alg)
				return fail(log, "record %u digest %u: bank order",
					    log->nr_records, i);
			if (end - p < 2 + log->banks[i].size)
				return fail(log, "record %u digest %u truncated",
					    log->nr_records, i);
			r->digest[i] = p + 2;
			p += 2 + log->banks[i].size;
		}
		if (end - p < 4)
			return fail(log, "record %u event size truncated", log->nr_records);
		r->event_size = le32(p);
		p += 4;
		if ((size_t)(end - p) < r->event_size)
			return fail(log, "record %u event truncated", log->nr_records);
		r->event = p;
		p += r->event_size;
		log->nr_records++;
	}
	return 0;
}

static int __printf(3, 4) gate_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return 1;
}

static int gate_state_valid(uint8_t s)
{
	return s == GATE_STATE_DISABLED || s == GATE_STATE_LOCKED ||
	       s == GATE_STATE_UNLOCKED || s == GATE_STATE_NONE;
}

int gate_event_decode(const uint8_t *data, uint32_t size, struct gate_event *ev,
		      char *err, size_t errlen)
{
	const uint8_t *p, *end;
	uint16_t type, alg, dsize, text_len;
	uint32_t i;

	memset(ev, 0, sizeof(*ev));
	if (errlen)
		err[0] = 0;
	/* TCG_PCClientTaggedEvent */
	if (size < 8)
		return gate_fail(err, errlen, "tagged event truncated (%u bytes)", size);
	if (le32(data) != GATE_EVENT_TAG_ID)
		return gate_fail(err, errlen, "tag 0x%08x is not the gate's", le32(data));
	if (le32(data + 4) != size - 8)
		return gate_fail(err, errlen, "tagged data size %u, event has %u bytes",
				 le32(data + 4), size - 8);
	p = data + 8;
	end = data + size;
	if (end - p < GATE_EVENT_HDR_SIZE)
		return gate_fail(err, errlen, "event truncated (%td bytes)", end - p);
	if (le32(p) != GATE_EVENT_MAGIC)
		return gate_fail(err, errlen, "magic 0x%08x", le32(p));
	if (le16(p + 4) != GATE_EVENT_VERSION)
		return gate_fail(err, errlen, "version %u", le16(p + 4));
	ev->op = p[6];
	ev->before = p[7];
	ev->after = p[8];
	ev->flags = p[9];
	ev->reason = le16(p + 10);
	ev->seq = le32(p + 12);
	ev->pcr = le32(p + 16);
	ev->nr_digests = le16(p + 20);
	/* 5 was the stub's snapshot digest, retired before any release */
	if (ev->op < GATE_OP_POLICY || ev->op == 5 ||
	    ev->op > GATE_OP_STAGED_JOURNAL)
		return gate_fail(err, errlen, "operation %u", ev->op);
	if (!gate_state_valid(ev->before) || !gate_state_valid(ev->after))
		return gate_fail(err, errlen, "state codes %u -> %u", ev->before, ev->after);
	if (ev->flags & ~(GATE_FLAG_NORUNTIME | GATE_FLAG_CMDLINE))
		return gate_fail(err, errlen, "unknown flags 0x%02x", ev->flags);
	if (ev->reason > GATE_REASON_MAX)
		return gate_fail(err, errlen, "reason %u", ev->reason);
	if (ev->pcr > 23)
		return gate_fail(err, errlen, "PCR %u", ev->pcr);
	p += GATE_EVENT_HDR_SIZE;
	for (i = 0; i < ev->nr_digests; i++) {
		if (end - p < 6)
			return gate_fail(err, errlen, "digest %u header truncated", i);
		type = le16(p);
		alg = le16(p + 2);
		dsize = le16(p + 4);
		p += 6;
		if (!dsize || dsize > TPM_MAX_DIGEST ||
		    (tpm2_alg_size(alg) && dsize != tpm2_alg_size(alg)))
			return gate_fail(err, errlen, "digest %u (type %u) alg 0x%04x size %u",
					 i, type, alg, dsize);
		if (end - p < dsize)
			return gate_fail(err, errlen, "digest %u truncated", i);
		if (i < GATE_MAX_DIGESTS) {
			ev->digest[i].type = type;
			ev->digest[i].alg = alg;
			ev->digest[i].size = dsize;
			memcpy(ev->digest[i].data, p, dsize);
		}
		p += dsize;
	}
	if (end - p < 2)
		return gate_fail(err, errlen, "text length truncated");
	text_len = le16(p);
	p += 2;
	if (text_len > GATE_EVENT_TEXT_MAX)
		return gate_fail(err, errlen, "text length %u > %u", text_len,
				 GATE_EVENT_TEXT_MAX);
	if (end - p != text_len)
		return gate_fail(err, errlen, "text length %u, %td bytes left",
				 text_len, end - p);
	for (i = 0; i < text_len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return gate_fail(err, errlen, "text byte %u is 0x%02x", i, p[i]);
	memcpy(ev->text, p, text_len);
	ev->text[text_len] = 0;
	return 0;
}

int log_bank_index(const struct event_log *log, uint16_t alg)
{
	unsigned int i;

	for (i = 0; i < log->nr_banks; i++)
		if (log->banks[i].alg == alg)
			return i;
	return -1;
}

static const EVP_MD *md_of(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1: return EVP_sha1();
	case TPM2_ALG_SHA256: return EVP_sha256();
	case TPM2_ALG_SHA384: return EVP_sha384();
	case TPM2_ALG_SHA512: return EVP_sha512();
	}
	return NULL;
}

int hash_buf(uint16_t alg, const void *data, size_t len, uint8_t *out)
{
	const EVP_MD *md = md_of(alg);
	unsigned int n = 0;

	if (!md || !EVP_Digest(data, len, out, &n, md, NULL))
		return -1;
	return n;
}

int pcr_fold(uint16_t alg, uint8_t *pcr, const uint8_t *digest)
{
	uint8_t buf[2 * TPM_MAX_DIGEST];
	size_t n = tpm2_alg_size(alg);

	if (!n)
		return -1;
	memcpy(buf, pcr, n);
	memcpy(buf + n, digest, n);
	return hash_buf(alg, buf, 2 * n, pcr) == (int)n ? 0 : -1;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict parser of TCG PC Client crypto-agile event logs (the firmware's
 * and the EFI runtime gate's), and the hashes needed to replay them.
 */
#ifndef EFI_RT_GATE_LOG_UTIL_H
#define EFI_RT_GATE_LOG_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "tpm2_util.h"

#define EV_NO_ACTION		0x3
#define EV_EVENT_TAG		0x6
#define EFI_RT_GATE_EVENT_TAG_ID 0x8F3B22F0u
#define LOG_MAX_BANKS		8
#define LOG_MAX_RECORDS		(1024 * 1024)	/* sanity limit of the parser */

struct log_bank {
	uint16_t alg;
	uint16_t size;
};

struct log_record {
	uint32_t pcr;
	uint32_t type;
	const uint8_t *digest[LOG_MAX_BANKS];	/* in header bank order */
	const uint8_t *event;
	uint32_t event_size;
	size_t offset;				/* of the record in the log */
};

struct event_log {
	uint8_t *buf;
	size_t len;
	unsigned int nr_banks;
	struct log_bank banks[LOG_MAX_BANKS];
	unsigned int nr_records;		/* after the header */
	struct log_record *rec;			/* nr_records of them */
	unsigned int rec_cap;
	char error[160];
};

/*
 * Read and parse a log; 0 on success, -errno if it cannot be read, 1 if it
 * is malformed (log->error says why).  An empty file parses to no header
 * and no records.
 */
int log_load(struct event_log *log, const char *path);
int log_parse(struct event_log *log);
/* Frees the buffer and the records; log_load() may reuse @log. */
void log_free(struct event_log *log);

/* Index of @alg among the log's banks, or -1. */
int log_bank_index(const struct event_log *log, uint16_t alg);

/* Hash @len bytes with the TPM algorithm @alg; digest size or -1. */
int hash_buf(uint16_t alg, const void *data, size_t len, uint8_t *out);

/* @pcr = H(@pcr || @digest) for @alg. */
int pcr_fold(uint16_t alg, uint8_t *pcr, const uint8_t *digest);

#endif

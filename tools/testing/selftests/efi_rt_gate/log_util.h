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

/*
 * The gate's measured event, version 1 (Documentation/ABI/testing/
 * securityfs-efi-rt-gate), the data of a TCG_PCClientTaggedEvent with
 * GATE_EVENT_TAG_ID.
 */
#define GATE_EVENT_TAG_ID	0x8F3B22EEu
#define GATE_EVENT_MAGIC	0x47545245u	/* "ERTG" */
#define GATE_EVENT_VERSION	1
#define GATE_EVENT_HDR_SIZE	22
#define GATE_EVENT_TEXT_MAX	128
#define GATE_OP_POLICY		1
#define GATE_OP_BOOT		2
#define GATE_OP_UNLOCK		3
#define GATE_OP_RELOCK		4
#define GATE_OP_STAGED_RECORD	6	/* EFI stub: a staged write applied */
#define GATE_OP_STAGED_JOURNAL	7	/* EFI stub: the journal it applied */
#define GATE_STATE_DISABLED	0
#define GATE_STATE_LOCKED	1
#define GATE_STATE_UNLOCKED	2
#define GATE_STATE_NONE		0xff
#define GATE_FLAG_NORUNTIME	0x01
#define GATE_FLAG_CMDLINE	0x02
#define GATE_REASON_LOCKED	1
#define GATE_REASON_LOCKED_DEFAULT 2
#define GATE_REASON_UNLOCKED	3
#define GATE_REASON_NORUNTIME	7
#define GATE_REASON_SVAM_FAILED	8
#define GATE_REASON_UNAVAILABLE	9
#define GATE_REASON_REQUEST	10
#define GATE_REASON_POLICY_AUTO	12
#define GATE_REASON_MAX		13	/* not booted through EFI */

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

/*
 * Typed digests: the runtime-services code before SetVirtualAddressMap();
 * the variables the kernel's keyrings trust, as it serves them
 */
#define GATE_DIGEST_RT_CODE	1
#define GATE_DIGEST_TRUSTED_VARS	2
#define GATE_DIGEST_STAGED_DATA	3
#define GATE_DIGEST_STAGED_JOURNAL	4
#define GATE_MAX_DIGESTS	4	/* kept by the decoder; more are checked */

struct gate_digest {
	uint16_t type, alg, size;
	uint8_t data[TPM_MAX_DIGEST];
};

struct gate_event {
	uint8_t op, before, after, flags;
	uint16_t reason;
	uint32_t seq, pcr;
	uint16_t nr_digests;
	struct gate_digest digest[GATE_MAX_DIGESTS];	/* the first ones */
	char text[GATE_EVENT_TEXT_MAX + 1];	/* NUL-terminated */
};

struct event_log {
	uint8_t *buf;
	size_t len;
	unsigned int nr_banks;
	struct log_bank banks[LOG_MAX_BANKS];
	unsigned int nr_records;		/* after the header */
	struct log_record *rec;			/* nr_records of them */
	unsigned int rec_cap;
	int container;		/* records end where only zero bytes follow */
	size_t size;		/* bytes read, the container's size */
	char error[160];
};

/*
 * Read and parse a log; 0 on success, -errno if it cannot be read, 1 if it
 * is malformed (log->error says why).  An empty file parses to no header
 * and no records.
 */
int log_load(struct event_log *log, const char *path);
/*
 * The same for a log container such as the DRTM log file, which holds the
 * whole buffer: the records end where only zero bytes follow; @len is cut
 * there, @size keeps what was read.
 */
int log_load_container(struct event_log *log, const char *path);
int log_parse(struct event_log *log);
/* Frees the buffer and the records; log_load() may reuse @log. */
void log_free(struct event_log *log);

/*
 * Decode the event data of an EV_EVENT_TAG record as a gate event: 0 if
 * @data is a TCG_PCClientTaggedEvent with GATE_EVENT_TAG_ID wrapping a valid
 * version-1 gate event (known operation, state and flag codes, reason,
 * digest entries within the event, printable ASCII text of at most
 * GATE_EVENT_TEXT_MAX bytes) and nothing else, byte for byte; otherwise 1,
 * with the reason in @err.
 */
int gate_event_decode(const uint8_t *data, uint32_t size, struct gate_event *ev,
		      char *err, size_t errlen);

/* Index of @alg among the log's banks, or -1. */
int log_bank_index(const struct event_log *log, uint16_t alg);

/* Hash @len bytes with the TPM algorithm @alg; digest size or -1. */
int hash_buf(uint16_t alg, const void *data, size_t len, uint8_t *out);

/* @pcr = H(@pcr || @digest) for @alg. */
int pcr_fold(uint16_t alg, uint8_t *pcr, const uint8_t *digest);

#endif

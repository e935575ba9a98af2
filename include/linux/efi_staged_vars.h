/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Staged EFI variable writes: the journal on the EFI system partition, the
 * configuration table the EFI stub hands to the kernel, and the HMAC both
 * sides compute.
 *
 * While the EFI runtime gate is locked, a variable write through efivarfs
 * does not reach the firmware: the kernel appends it to a journal file on
 * the ESP and makes it durable before the write returns.  At the next boot
 * the EFI stub verifies the journal, applies it with boot-services
 * SetVariable() and measures what it did into PCR 1.
 *
 * Everything is little-endian.  The journal is
 *
 *	\EFI\Linux\efi-rt-gate\<store id as 32 lower-case hex digits>.evj
 *
 * on the volume the stub was loaded from, EFI_STAGED_CAPACITY bytes, created
 * (zero-filled) by the stub.  It starts with a struct efi_staged_header (one
 * 512-byte sector); the next EFI_STAGED_MAX_RECORDS bytes hold one result
 * (enum efi_staged_result) per record, written by the stub when it applied
 * them; the records follow at EFI_STAGED_REC_OFF, each a struct
 * efi_staged_record,
 * the UCS-2 name (with its NUL), the data, zero padding to 8 bytes and a
 * 32-byte MAC.  The journal ends at the first record whose size or MAC does
 * not verify: a torn append was never acknowledged.  If a valid record
 * follows it (efi_staged_altered()), it was altered: the journal is
 * invalid.
 *
 * Keys: K is 32 random bytes in a boot-services-only non-volatile variable
 * (EFI_STAGED_KEY_NAME), created by the stub; the running system cannot
 * read it.  store_id = HMAC(K, "efi_rt_gate store id")[0..15].  The boot
 * key of the boot that staged is Kb = HMAC(K, "efi_rt_gate boot key" ||
 * epoch || nonce).  mac0 = HMAC(Kb, "efi_rt_gate journal" || store_id ||
 * epoch || nonce); the MAC of record i is HMAC(Kb, mac(i-1) || the record
 * without its MAC), mac(0) being mac0.  HMAC is HMAC-SHA256, the labels
 * are their ASCII characters without a NUL, epoch is its 8 bytes (le64).
 *
 * A record that is not a delete carries at least one byte of data; its
 * padding is zero.  efi_staged_check_header(), efi_staged_walk() and
 * efi_staged_altered() below are the one parser of the journal, for the
 * stub and the kernel.
 */
#ifndef _LINUX_EFI_STAGED_VARS_H
#define _LINUX_EFI_STAGED_VARS_H

#include <linux/efi.h>
#include <linux/string.h>
#include <linux/types.h>
#include <crypto/sha2.h>

/* The table the stub installs for the kernel (struct efi_staged_table). */
#define LINUX_EFI_STAGED_TABLE_GUID \
	EFI_GUID(0x3c0c7d38, 0x9b26, 0x4c8d, \
		 0x9e, 0x12, 0x4f, 0x7d, 0x35, 0x56, 0x0e, 0x21)

/* Vendor GUID of the stub's own boot-services-only variables. */
#define LINUX_EFI_STAGED_VARS_GUID \
	EFI_GUID(0x7a3e8a57, 0x2f51, 0x4d16, \
		 0xa4, 0x6b, 0x0c, 0x93, 0x8e, 0x55, 0x41, 0xd2)
#define EFI_STAGED_KEY_NAME	L"EfiRtGateStagedKey"	/* K, 32 bytes */
/*
 * u64: the epoch of the last journal applied, plus one once the stub
 * measured it.  A PENDING or APPLYING journal must have a greater epoch,
 * an APPLIED one at least this one.
 */
#define EFI_STAGED_EPOCH_NAME	L"EfiRtGateStagedEpoch"

#define EFI_STAGED_DIR		L"\\EFI\\Linux\\efi-rt-gate"
#define EFI_STAGED_SUFFIX	".evj"
#define EFI_STAGED_CAPACITY	(128 * 1024)
#define EFI_STAGED_HDR_SIZE	512
#define EFI_STAGED_RES_OFF	EFI_STAGED_HDR_SIZE
#define EFI_STAGED_REC_OFF	(EFI_STAGED_RES_OFF + EFI_STAGED_MAX_RECORDS)
#define EFI_STAGED_MAC_SIZE	SHA256_DIGEST_SIZE
#define EFI_STAGED_KEY_SIZE	32
#define EFI_STAGED_ID_SIZE	16
#define EFI_STAGED_NONCE_SIZE	16
#define EFI_STAGED_MAX_NAME	1024	/* bytes, UCS-2 with NUL */
#define EFI_STAGED_MAX_DATA	(32 * 1024)
#define EFI_STAGED_MAX_RECORDS	1024

#define EFI_STAGED_MAGIC	0x314a5645	/* "EVJ1" */
#define EFI_STAGED_VERSION	1

/* Journal states (header.state) */
#define EFI_STAGED_EMPTY	0	/* nothing to apply */
#define EFI_STAGED_PENDING	1	/* staged by a running kernel */
#define EFI_STAGED_APPLYING	2	/* the stub began to apply it */
#define EFI_STAGED_APPLIED	3	/* applied; results written, not yet measured */

/**
 * struct efi_staged_header - sector 0 of the journal
 * @magic: EFI_STAGED_MAGIC
 * @version: EFI_STAGED_VERSION
 * @header_size: EFI_STAGED_HDR_SIZE
 * @state: EFI_STAGED_EMPTY, _PENDING, _APPLYING or _APPLIED; the stub and the kernel
 *	change it with one in-place write of this sector and a flush
 * @capacity: the file's size, set when the stub created it
 * @store_id: the machine's store id (also the file's name)
 * @epoch: the monotonic count of the boot that staged
 * @nonce: that boot's random nonce
 * @mac0: the chain's first MAC (see the file comment)
 *
 * The rest of the sector is zero.
 */
struct efi_staged_header {
	__le32 magic;
	__le16 version;
	__le16 header_size;
	__le32 state;
	__le32 capacity;
	u8 store_id[EFI_STAGED_ID_SIZE];
	__le64 epoch;
	u8 nonce[EFI_STAGED_NONCE_SIZE];
	u8 mac0[EFI_STAGED_MAC_SIZE];
} __packed;

/* Record flags */
#define EFI_STAGED_REC_DELETE		BIT(0)	/* SetVariable(name, 0, 0) */
#define EFI_STAGED_REC_FROM_APPEND	BIT(1)	/* an append, staged as the whole new value */

/**
 * struct efi_staged_record - one staged SetVariable()
 * @size: the record's size: this header, name, data, padding and MAC; a
 *	multiple of 8
 * @seq: 1 for the first record, one more for each next
 * @attributes: the variable's attributes (0 for a delete)
 * @flags: EFI_STAGED_REC_*
 * @vendor: the vendor GUID
 * @name_size: the name's size in bytes, with its NUL
 * @data_size: the data's size in bytes (0 for a delete)
 */
struct efi_staged_record {
	__le32 size;
	__le32 seq;
	__le32 attributes;
	__le32 flags;
	efi_guid_t vendor;
	__le32 name_size;
	__le32 data_size;
} __packed;

#define EFI_STAGED_REC_HDR_SIZE	sizeof(struct efi_staged_record)

/* What the stub found and did (efi_staged_table.status). */
enum efi_staged_status {
	EFI_STAGED_ST_NONE,		/* no journal, or an empty one */
	EFI_STAGED_ST_APPLIED,		/* applied (see the counts) */
	EFI_STAGED_ST_FOREIGN,		/* another machine's or store's key */
	EFI_STAGED_ST_INVALID,		/* bad header or MAC: left as it was */
	EFI_STAGED_ST_REPLAYED,		/* an epoch already applied, or not older than this boot */
	EFI_STAGED_ST_NO_VOLUME,	/* no writable volume: no journal this boot */
	EFI_STAGED_ST_ERROR,		/* could not read or mark it */
};

/* Per record, in the stub's measured event (the gate event's reason). */
enum efi_staged_result {
	EFI_STAGED_RES_APPLIED = 1,	/* SetVariable() succeeded */
	EFI_STAGED_RES_UNCHANGED,	/* the variable already held the value */
	EFI_STAGED_RES_REFUSED,		/* a runtime SetVariable() could not have done it */
	EFI_STAGED_RES_SKIPPED,		/* a one-shot after an interrupted apply */
	EFI_STAGED_RES_FAILED,		/* the firmware refused it */
};

/*
 * Measured by the stub into PCR 1, as gate events (<linux/efi_rt_gate.h>,
 * the same operation and digest number spaces), after a journal was
 * applied: one EFI_GATE_OP_STAGED_RECORD per record, in journal order,
 * with the record's result (enum efi_staged_result) as its reason, the
 * record's seq as its sequence, the typed digest
 * EFI_GATE_DIGEST_STAGED_DATA (SHA-256 of the record's data; of nothing
 * for a delete) and the text "<vendor GUID>-<name> attrs=0x%x len=%u" (or
 * "<vendor GUID>-<name> delete"; the name shortened to fit, characters
 * outside printable ASCII as '?'); then one EFI_GATE_OP_STAGED_JOURNAL
 * with reason 0, the number of records as its sequence, the typed digest
 * EFI_GATE_DIGEST_STAGED_JOURNAL (SHA-256 of the journal's header sector
 * as the staging kernel wrote it, i.e. with state EFI_STAGED_PENDING
 * whatever state the stub found, followed by the records up to the end of
 * the last valid one, MACs included; not the results) and the counts as
 * text.  In every one: states before and after EFI_GATE_EV_STATE_NONE,
 * flags 0, PCR 1.
 */
#define EFI_GATE_OP_STAGED_RECORD	6
#define EFI_GATE_OP_STAGED_JOURNAL	7
#define EFI_GATE_DIGEST_STAGED_DATA	3
#define EFI_GATE_DIGEST_STAGED_JOURNAL	4

#define EFI_STAGED_TABLE_MAGIC	0x31545645	/* "EVT1" */

/* efi_staged_table.flags */
#define EFI_STAGED_TBL_JOURNAL	BIT(0)	/* the journal file exists and is writable */

/**
 * struct efi_staged_table - from the EFI stub to the kernel
 * @magic: EFI_STAGED_TABLE_MAGIC
 * @size: sizeof(struct efi_staged_table)
 * @flags: EFI_STAGED_TBL_*
 * @status: enum efi_staged_status of this boot's apply
 * @applied: records applied (or unchanged) this boot
 * @refused: records refused or failed this boot
 * @skipped: one-shot records skipped this boot
 * @reserved: zero
 * @esp_partuuid: the GPT partition GUID of the journal's volume
 * @store_id: the store id
 * @epoch: this boot's monotonic count
 * @nonce: this boot's nonce
 * @boot_key: Kb of this boot; the kernel wipes it from the table
 */
struct efi_staged_table {
	u32 magic;
	u32 size;
	u32 flags;
	u32 status;
	u32 applied;
	u32 refused;
	u32 skipped;
	u32 reserved;
	u8 esp_partuuid[16];
	u8 store_id[EFI_STAGED_ID_SIZE];
	u64 epoch;
	u8 nonce[EFI_STAGED_NONCE_SIZE];
	u8 boot_key[EFI_STAGED_KEY_SIZE];
} __packed;

/**
 * struct efi_staged_hmac - HMAC-SHA256 in progress
 * @ctx: the inner hash
 * @opad: the key XOR the outer pad
 */
struct efi_staged_hmac {
	struct sha256_state ctx;
	u8 opad[SHA256_BLOCK_SIZE];
};

/* HMAC-SHA256 (RFC 2104) with a key of at most one block. */
static inline void efi_staged_hmac_init(struct efi_staged_hmac *h,
					const u8 *key, size_t key_len)
{
	u8 ipad[SHA256_BLOCK_SIZE];
	size_t i;

	memset(ipad, 0, sizeof(ipad));
	memcpy(ipad, key, key_len);
	for (i = 0; i < SHA256_BLOCK_SIZE; i++) {
		h->opad[i] = ipad[i] ^ 0x5c;
		ipad[i] ^= 0x36;
	}
	sha256_init(&h->ctx);
	sha256_update(&h->ctx, ipad, sizeof(ipad));
	memzero_explicit(ipad, sizeof(ipad));
}

static inline void efi_staged_hmac_update(struct efi_staged_hmac *h,
					  const void *data, size_t len)
{
	sha256_update(&h->ctx, data, len);
}

static inline void efi_staged_hmac_final(struct efi_staged_hmac *h,
					 u8 mac[EFI_STAGED_MAC_SIZE])
{
	u8 inner[SHA256_DIGEST_SIZE];

	sha256_final(&h->ctx, inner);
	sha256_init(&h->ctx);
	sha256_update(&h->ctx, h->opad, sizeof(h->opad));
	sha256_update(&h->ctx, inner, sizeof(inner));
	sha256_final(&h->ctx, mac);
	memzero_explicit(inner, sizeof(inner));
	memzero_explicit(h, sizeof(*h));
}

/* mac0 of a journal header, from the boot key of the boot that staged */
static inline void efi_staged_mac0(const u8 kb[EFI_STAGED_KEY_SIZE],
				   const struct efi_staged_header *hdr,
				   u8 mac[EFI_STAGED_MAC_SIZE])
{
	static const char label[] = "efi_rt_gate journal";
	struct efi_staged_hmac h;

	efi_staged_hmac_init(&h, kb, EFI_STAGED_KEY_SIZE);
	efi_staged_hmac_update(&h, label, sizeof(label) - 1);
	efi_staged_hmac_update(&h, hdr->store_id, sizeof(hdr->store_id));
	efi_staged_hmac_update(&h, &hdr->epoch, sizeof(hdr->epoch));
	efi_staged_hmac_update(&h, hdr->nonce, sizeof(hdr->nonce));
	efi_staged_hmac_final(&h, mac);
}

/* The MAC of a record (@rec: @len bytes, its MAC excluded) after @prev */
static inline void efi_staged_record_mac(const u8 kb[EFI_STAGED_KEY_SIZE],
					 const u8 prev[EFI_STAGED_MAC_SIZE],
					 const void *rec, size_t len,
					 u8 mac[EFI_STAGED_MAC_SIZE])
{
	struct efi_staged_hmac h;

	efi_staged_hmac_init(&h, kb, EFI_STAGED_KEY_SIZE);
	efi_staged_hmac_update(&h, prev, EFI_STAGED_MAC_SIZE);
	efi_staged_hmac_update(&h, rec, len);
	efi_staged_hmac_final(&h, mac);
}

/* Two UCS-2 names, each NUL-terminated, are the same */
static inline bool efi_staged_name_eq(const efi_char16_t *a,
				      const efi_char16_t *b)
{
	for (; *a == *b; a++, b++)
		if (!*a)
			return true;
	return false;
}

/* A UCS-2 name, NUL-terminated, equals an ASCII string */
static inline bool efi_staged_name_is(const efi_char16_t *name, const char *s)
{
	for (; *name == (u8)*s; name++, s++)
		if (!*s)
			return true;
	return false;
}

/*
 * One-shot variables: a component that runs before the kernel consumes
 * (deletes) them when it acts, so they are applied at most once.
 */
static inline bool efi_staged_one_shot(const efi_guid_t *vendor,
				       const efi_char16_t *name)
{
	static const efi_char16_t global[][16] = {
		L"BootNext", L"OsIndications",
	};
	static const efi_char16_t loader[][32] = {
		L"LoaderEntryOneShot", L"LoaderConfigTimeoutOneShot",
	};
	static const efi_char16_t shim[][20] = {
		L"MokNew", L"MokDel", L"MokSB", L"MokPW", L"MokAuth",
		L"MokDB", L"MokXNew", L"MokXDel", L"MokXAuth",
		L"MokListTrustedNew", L"SbatPolicy", L"MokDelAuth",
		L"MokXDelAuth",
	};
	size_t i;

	if (!efi_guidcmp(*vendor, EFI_GLOBAL_VARIABLE_GUID)) {
		for (i = 0; i < ARRAY_SIZE(global); i++)
			if (efi_staged_name_eq(name, global[i]))
				return true;
	} else if (!efi_guidcmp(*vendor, LINUX_EFI_LOADER_ENTRY_GUID)) {
		for (i = 0; i < ARRAY_SIZE(loader); i++)
			if (efi_staged_name_eq(name, loader[i]))
				return true;
	} else if (!efi_guidcmp(*vendor, EFI_SHIM_LOCK_GUID)) {
		for (i = 0; i < ARRAY_SIZE(shim); i++)
			if (efi_staged_name_eq(name, shim[i]))
				return true;
	}
	return false;
}

/* Two MACs are equal (in a time that does not depend on where they differ) */
static inline bool efi_staged_mac_eq(const u8 *a, const u8 *b)
{
	u8 diff = 0;
	size_t i;

	for (i = 0; i < EFI_STAGED_MAC_SIZE; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}

/**
 * efi_staged_check_header() - check sector 0 of a journal (not its MAC)
 * @buf: the journal, @len bytes (the whole file)
 * @len: its size
 * @store_id: the machine's store id
 *
 * Return: EFI_STAGED_ST_NONE if the header is well-formed and this
 * machine's (in any state), EFI_STAGED_ST_FOREIGN if it is well-formed
 * with another store id, EFI_STAGED_ST_INVALID otherwise (a size other
 * than its capacity, an unknown magic, version or state, bytes after
 * mac0 that are not zero).
 */
static inline enum efi_staged_status
efi_staged_check_header(const void *buf, size_t len,
			const u8 store_id[EFI_STAGED_ID_SIZE])
{
	const struct efi_staged_header *hdr = buf;
	const u8 *p = buf;
	size_t i;

	if (len != EFI_STAGED_CAPACITY ||
	    le32_to_cpu(hdr->magic) != EFI_STAGED_MAGIC ||
	    le16_to_cpu(hdr->version) != EFI_STAGED_VERSION ||
	    le16_to_cpu(hdr->header_size) != EFI_STAGED_HDR_SIZE ||
	    le32_to_cpu(hdr->capacity) != EFI_STAGED_CAPACITY ||
	    le32_to_cpu(hdr->state) > EFI_STAGED_APPLIED)
		return EFI_STAGED_ST_INVALID;
	for (i = sizeof(*hdr); i < EFI_STAGED_HDR_SIZE; i++)
		if (p[i])
			return EFI_STAGED_ST_INVALID;
	if (memcmp(hdr->store_id, store_id, EFI_STAGED_ID_SIZE))
		return EFI_STAGED_ST_FOREIGN;
	return EFI_STAGED_ST_NONE;
}

/**
 * efi_staged_check_record() - verify one record of a journal
 * @buf: the journal, @len bytes
 * @len: its size
 * @off: the record's offset, a multiple of 8 (EFI_STAGED_REC_OFF for the
 *	first record)
 * @seq: the sequence number it must have (1 for the first)
 * @kb: the boot key of the boot that staged the journal
 * @mac: in: the MAC of the previous record (mac0 for the first); out, if
 *	the record verifies: its own MAC
 *
 * The record verifies if it lies within the journal, its size is exactly
 * that of its header, name, data, padding to 8 bytes and MAC, its seq is
 * @seq (at most EFI_STAGED_MAX_RECORDS), its name is 2 to
 * EFI_STAGED_MAX_NAME bytes of UCS-2 with one NUL, at its end, its data at
 * most EFI_STAGED_MAX_DATA bytes (at least 1 unless a delete), it has no
 * unknown flag, a delete has no data, no attributes and no other flag,
 * its padding is zero, and its MAC is right.
 *
 * Return: the record's size, or 0 if it does not verify: the journal ends
 * at @off.
 */
static inline u32 efi_staged_check_record(const u8 *buf, size_t len,
					  size_t off, u32 seq, const u8 *kb,
					  u8 mac[EFI_STAGED_MAC_SIZE])
{
	const struct efi_staged_record *rec;
	u8 calc[EFI_STAGED_MAC_SIZE];
	u32 size, name_size, data_size, flags, body, i;
	const __le16 *name;

	if (off % 8 || off > len ||
	    len - off < EFI_STAGED_REC_HDR_SIZE + EFI_STAGED_MAC_SIZE)
		return 0;
	rec = (const void *)(buf + off);
	size = le32_to_cpu(rec->size);
	name_size = le32_to_cpu(rec->name_size);
	data_size = le32_to_cpu(rec->data_size);
	flags = le32_to_cpu(rec->flags);
	if (seq < 1 || seq > EFI_STAGED_MAX_RECORDS ||
	    le32_to_cpu(rec->seq) != seq)
		return 0;
	if (name_size < 2 || name_size > EFI_STAGED_MAX_NAME ||
	    name_size % 2 || data_size > EFI_STAGED_MAX_DATA)
		return 0;
	if (flags & ~(EFI_STAGED_REC_DELETE | EFI_STAGED_REC_FROM_APPEND))
		return 0;
	if (flags & EFI_STAGED_REC_DELETE) {
		if (flags != EFI_STAGED_REC_DELETE || data_size ||
		    le32_to_cpu(rec->attributes))
			return 0;
	} else if (!data_size) {
		return 0;
	}
	body = EFI_STAGED_REC_HDR_SIZE + name_size + data_size;
	if (size != ALIGN(body, 8) + EFI_STAGED_MAC_SIZE || size > len - off)
		return 0;

	name = (const __le16 *)(rec + 1);
	for (i = 0; i < name_size / 2 - 1; i++)
		if (!name[i])
			return 0;
	if (name[i])
		return 0;
	for (i = body; i < size - EFI_STAGED_MAC_SIZE; i++)
		if (buf[off + i])
			return 0;

	efi_staged_record_mac(kb, mac, rec, size - EFI_STAGED_MAC_SIZE, calc);
	if (!efi_staged_mac_eq(calc, buf + off + size - EFI_STAGED_MAC_SIZE))
		return 0;
	memcpy(mac, calc, EFI_STAGED_MAC_SIZE);
	memzero_explicit(calc, sizeof(calc));
	return size;
}

/**
 * efi_staged_walk() - find the valid records of a journal
 * @buf: the journal, @len bytes, whose header passed
 *	efi_staged_check_header() and whose mac0 is right
 * @len: its size
 * @kb: the boot key of the boot that staged it
 * @mac: in: the header's mac0; out: the MAC of the last valid record
 *	(mac0 if there is none), which the next record chains to
 * @end: out: the offset after the last valid record (EFI_STAGED_REC_OFF
 *	if there is none), where the next record goes
 *
 * The journal ends at the first record that does not verify (see
 * efi_staged_check_record()), or after EFI_STAGED_MAX_RECORDS.
 *
 * Return: the number of valid records.
 */
static inline u32 efi_staged_walk(const u8 *buf, size_t len, const u8 *kb,
				  u8 mac[EFI_STAGED_MAC_SIZE], size_t *end)
{
	size_t off = EFI_STAGED_REC_OFF;
	u32 n = 0, size;

	while (n < EFI_STAGED_MAX_RECORDS) {
		size = efi_staged_check_record(buf, len, off, n + 1, kb, mac);
		if (!size)
			break;
		off += size;
		n++;
	}
	*end = off;
	return n;
}

/**
 * efi_staged_altered() - was the record a journal ends at altered?
 * @buf: the journal, @len bytes
 * @len: its size
 * @end: where efi_staged_walk() stopped
 * @n: the number of valid records it found
 * @kb: the boot key of the boot that staged the journal
 *
 * A crash while the kernel appended a record leaves that record torn and
 * nothing after it: the kernel appends the next record only once the
 * previous one is durable.  If the record at @end has a plausible size
 * and the record after it verifies, chained to the MAC that the record at
 * @end carries, the record at @end was changed after it was written (an
 * offline edit, or the medium's fault).  An altered last record cannot
 * be told from a torn one: it ends the journal, as a truncation would.
 *
 * Return: true if the record at @end was altered.
 */
static inline bool efi_staged_altered(const u8 *buf, size_t len, size_t end,
				      u32 n, const u8 *kb)
{
	const struct efi_staged_record *rec;
	u8 mac[EFI_STAGED_MAC_SIZE];
	u32 size;

	if (end % 8 || end > len ||
	    len - end < EFI_STAGED_REC_HDR_SIZE + EFI_STAGED_MAC_SIZE)
		return false;
	rec = (const void *)(buf + end);
	size = le32_to_cpu(rec->size);
	if (size % 8 || size < EFI_STAGED_REC_HDR_SIZE + EFI_STAGED_MAC_SIZE ||
	    size > len - end)
		return false;
	memcpy(mac, buf + end + size - EFI_STAGED_MAC_SIZE, sizeof(mac));
	return efi_staged_check_record(buf, len, end + size, n + 2, kb, mac);
}

struct seq_file;

extern unsigned long efi_staged_table;

bool efi_staged_get_variable(efi_char16_t *name, efi_guid_t *vendor,
			     u32 *attr, unsigned long *data_size, void *data,
			     efi_status_t *status);
bool efi_staged_get_next_variable(unsigned long *name_size,
				  efi_char16_t *name, efi_guid_t *vendor,
				  efi_status_t *status);
efi_status_t efi_staged_set_variable(efi_char16_t *name, efi_guid_t *vendor,
				     u32 attr, unsigned long data_size,
				     void *data);
int efi_gate_stage_writes(bool on);
int efi_staged_attach(const char *where);
void efi_staged_detach(void);
void efi_staged_show(struct seq_file *m);

#endif /* _LINUX_EFI_STAGED_VARS_H */

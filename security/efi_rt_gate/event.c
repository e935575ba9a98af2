// SPDX-License-Identifier: GPL-2.0
/*
 * Serialisation of the EFI runtime gate's event log: a TCG PC Client PFP
 * crypto-agile log.  The first record is a TCG_PCR_EVENT (SHA-1 format)
 * of type EV_NO_ACTION carrying the "Spec ID Event03" header, which lists
 * the TPM's allocated banks in the chip's order; every later record is a
 * TCG_PCR_EVENT2 with one digest per bank, in that same order.
 *
 * struct tcg_pcr_event2_head embeds fixed-size struct tpm_digest entries,
 * while on disk each digest takes only its bank's size, so the records are
 * packed here field by field.  All multi-byte fields are little-endian.
 */

#include <linux/efi_rt_gate.h>
#include <linux/tpm_eventlog.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "efi_rt_gate.h"

/* TCG_EfiSpecIDEventStruct values for a TPM 2.0 crypto-agile log */
#define SPECID_PLATFORM_CLIENT	0
#define SPECID_VERSION_MINOR	0
#define SPECID_VERSION_MAJOR	2
#define SPECID_ERRATA		0
#define SPECID_UINTN_SIZE_64	2

/**
 * rtgate_specid_size() - size of the log's first record
 * @nr_banks: number of PCR banks
 *
 * Return: the size of the TCG_PCR_EVENT carrying the Spec ID Event03 header.
 */
size_t rtgate_specid_size(unsigned int nr_banks)
{
	return sizeof(struct tcg_pcr_event) +
		sizeof(struct tcg_efi_specid_event_head) +
		nr_banks * sizeof(struct tcg_efi_specid_event_algs) +
		1;	/* vendorInfoSize */
}

/**
 * rtgate_specid_write() - write the log's first record
 * @buf: destination, rtgate_specid_size() bytes
 * @banks: the TPM's allocated banks, in the chip's order
 * @nr_banks: number of entries in @banks
 *
 * Return: the number of bytes written.
 */
size_t rtgate_specid_write(u8 *buf, const struct rtgate_bank *banks,
			   unsigned int nr_banks)
{
	struct tcg_efi_specid_event_head *head;
	struct tcg_pcr_event *ev = (struct tcg_pcr_event *)buf;
	size_t size = rtgate_specid_size(nr_banks);
	unsigned int i;
	u8 *p;

	memset(buf, 0, size);
	put_unaligned_le32(0, &ev->pcr_idx);
	put_unaligned_le32(RTGATE_EV_NO_ACTION, &ev->event_type);
	put_unaligned_le32(size - sizeof(*ev), &ev->event_size);

	head = (struct tcg_efi_specid_event_head *)ev->event;
	memcpy(head->signature, TCG_SPECID_SIG, sizeof(TCG_SPECID_SIG));
	put_unaligned_le32(SPECID_PLATFORM_CLIENT, &head->platform_class);
	head->spec_version_minor = SPECID_VERSION_MINOR;
	head->spec_version_major = SPECID_VERSION_MAJOR;
	head->spec_errata = SPECID_ERRATA;
	head->uintnsize = SPECID_UINTN_SIZE_64;
	put_unaligned_le32(nr_banks, &head->num_algs);
	for (i = 0; i < nr_banks; i++) {
		put_unaligned_le16(banks[i].alg_id,
				   &head->digest_sizes[i].alg_id);
		put_unaligned_le16(banks[i].digest_size,
				   &head->digest_sizes[i].digest_size);
	}
	p = (u8 *)&head->digest_sizes[nr_banks];
	*p = 0;		/* vendorInfoSize: no vendor information */
	return size;
}

/**
 * rtgate_event_size() - size of an encoded gate event
 * @ev: the event
 *
 * Return: the number of bytes rtgate_event_write() writes for @ev.
 */
size_t rtgate_event_size(const struct rtgate_event *ev)
{
	size_t size = EFI_GATE_EVENT_HDR_SIZE + sizeof(u16);
	unsigned int i;

	for (i = 0; i < ev->nr_digests; i++)
		size += 3 * sizeof(u16) + ev->digests[i].size;
	return size + strnlen(ev->text, EFI_GATE_EVENT_TEXT_MAX);
}

/**
 * rtgate_event_write() - encode a gate event (version 1)
 * @buf: destination, rtgate_event_size(@ev) bytes
 * @ev: the event
 *
 * The layout is documented byte by byte in
 * Documentation/ABI/testing/securityfs-efi-rt-gate: a fixed little-endian
 * header, the typed digests, then the text (at most
 * EFI_GATE_EVENT_TEXT_MAX bytes, not NUL-terminated).
 *
 * Return: the number of bytes written.
 */
size_t rtgate_event_write(u8 *buf, const struct rtgate_event *ev)
{
	size_t text_len = strnlen(ev->text, EFI_GATE_EVENT_TEXT_MAX);
	const struct rtgate_event_digest *d;
	unsigned int i;
	u8 *p = buf;

	put_unaligned_le32(EFI_GATE_EVENT_MAGIC, p);
	put_unaligned_le16(EFI_GATE_EVENT_VERSION, p + 4);
	p[6] = ev->op;
	p[7] = ev->before;
	p[8] = ev->after;
	p[9] = ev->flags;
	put_unaligned_le16(ev->reason, p + 10);
	put_unaligned_le32(ev->seq, p + 12);
	put_unaligned_le32(ev->pcr, p + 16);
	put_unaligned_le16(ev->nr_digests, p + 20);
	p += EFI_GATE_EVENT_HDR_SIZE;
	for (i = 0; i < ev->nr_digests; i++) {
		d = &ev->digests[i];
		put_unaligned_le16(d->type, p);
		put_unaligned_le16(d->alg_id, p + 2);
		put_unaligned_le16(d->size, p + 4);
		memcpy(p + 6, d->data, d->size);
		p += 6 + d->size;
	}
	put_unaligned_le16(text_len, p);
	memcpy(p + 2, ev->text, text_len);
	p += 2 + text_len;
	return p - buf;
}

/**
 * rtgate_tagged_event_size() - size of a tagged event's data
 * @data_len: length of the gate event it carries
 *
 * Return: the size of the TCG_PCClientTaggedEvent carrying @data_len bytes.
 */
size_t rtgate_tagged_event_size(size_t data_len)
{
	return 2 * sizeof(u32) + data_len;
}

/**
 * rtgate_tagged_event_write() - wrap a gate event for the event log
 * @buf: destination, rtgate_tagged_event_size(@data_len) bytes
 * @data: the encoded gate event
 * @data_len: length of @data
 *
 * The event data of an EV_EVENT_TAG record is a TCG_PCClientTaggedEvent:
 * taggedEventID, taggedEventDataSize, then the data.  As for the EFI
 * stub's tagged events, the digests of the record are the hashes of the
 * data alone, not of this wrapper.
 *
 * Return: the number of bytes written.
 */
size_t rtgate_tagged_event_write(u8 *buf, const u8 *data, size_t data_len)
{
	put_unaligned_le32(EFI_GATE_EVENT_TAG_ID, buf);
	put_unaligned_le32(data_len, buf + 4);
	memcpy(buf + 8, data, data_len);
	return rtgate_tagged_event_size(data_len);
}

/**
 * rtgate_event2_size() - size of a TCG_PCR_EVENT2 record
 * @banks: the banks whose digests the record carries
 * @nr_banks: number of entries in @banks
 * @event_size: size of the event data
 *
 * Return: the size of the packed record.
 */
size_t rtgate_event2_size(const struct rtgate_bank *banks,
			  unsigned int nr_banks, size_t event_size)
{
	size_t size = 3 * sizeof(u32) + sizeof(u32) + event_size;
	unsigned int i;

	for (i = 0; i < nr_banks; i++)
		size += sizeof(u16) + banks[i].digest_size;
	return size;
}

/**
 * rtgate_event2_write() - write a packed TCG_PCR_EVENT2 record
 * @buf: destination, rtgate_event2_size() bytes
 * @pcr: PCR index
 * @type: event type
 * @banks: the banks, in the order of the Spec ID header
 * @nr_banks: number of entries in @banks and @digests
 * @digests: one digest per bank, in the order of @banks
 * @event: event data
 * @event_size: size of @event
 *
 * Return: the number of bytes written.
 */
size_t rtgate_event2_write(u8 *buf, u32 pcr, u32 type,
			   const struct rtgate_bank *banks, unsigned int nr_banks,
			   const struct tpm_digest *digests,
			   const u8 *event, size_t event_size)
{
	unsigned int i;
	u8 *p = buf;

	put_unaligned_le32(pcr, p);
	put_unaligned_le32(type, p + 4);
	put_unaligned_le32(nr_banks, p + 8);
	p += 12;
	for (i = 0; i < nr_banks; i++) {
		put_unaligned_le16(banks[i].alg_id, p);
		memcpy(p + 2, digests[i].digest, banks[i].digest_size);
		p += 2 + banks[i].digest_size;
	}
	put_unaligned_le32(event_size, p);
	memcpy(p + 4, event, event_size);
	p += 4 + event_size;
	return p - buf;
}

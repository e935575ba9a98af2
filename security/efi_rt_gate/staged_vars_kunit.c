// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the staged-write journal's parser, which the EFI stub
 * and the kernel share (include/linux/efi_staged_vars.h): HMAC-SHA256
 * against RFC 4231, a golden header and record written by an independent
 * implementation (scripts/staged-journal.py), one malformed variant per
 * rule (with a correct MAC, so that only the rule can refuse it), torn
 * tails, the record limit, and a fuzz run of random mutations.
 */

#include <kunit/test.h>
#include <linux/efi.h>
#include <linux/efi_staged_vars.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>

/* RFC 4231 test case 2 */
static void staged_hmac_rfc4231(struct kunit *test)
{
	static const u8 want[] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e,
		0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
		0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83,
		0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
	};
	static const char data[] = "what do ya want for nothing?";
	struct efi_staged_hmac h;
	u8 mac[EFI_STAGED_MAC_SIZE];

	efi_staged_hmac_init(&h, (const u8 *)"Jefe", 4);
	efi_staged_hmac_update(&h, data, 10);
	efi_staged_hmac_update(&h, data + 10, sizeof(data) - 1 - 10);
	efi_staged_hmac_final(&h, mac);
	KUNIT_EXPECT_MEMEQ(test, mac, want, sizeof(want));
}

/*
 * Kb = 00 01 .. 1f; store id 16 x 0xaa, epoch 0x100000001, nonce 00 .. 0f,
 * state PENDING; one record: NV|BS|RT 5b8e3c2a-0f4d-4c1e-9a57-e1f7a9c0b4d2
 * L"StagedTest" = 01 02 03 04.  Written by scripts/staged-journal.py.
 */
static const u8 golden_hdr[] = {
	0x45, 0x56, 0x4a, 0x31, 0x01, 0x00, 0x00, 0x02,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	/* mac0 */
	0x8e, 0x15, 0x2b, 0xe8, 0xeb, 0x79, 0x05, 0xfe,
	0x1a, 0x4b, 0x55, 0xae, 0xb8, 0xa7, 0x86, 0x2d,
	0x9b, 0x55, 0x51, 0xd7, 0x13, 0x02, 0x51, 0xf1,
	0x34, 0x2a, 0x33, 0x6e, 0x89, 0x6e, 0x97, 0x09,
};

static const u8 golden_rec[] = {
	/* size 104, seq 1, attributes 7, flags 0 */
	0x68, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x2a, 0x3c, 0x8e, 0x5b, 0x4d, 0x0f, 0x1e, 0x4c,
	0x9a, 0x57, 0xe1, 0xf7, 0xa9, 0xc0, 0xb4, 0xd2,
	/* name size 22, data size 4 */
	0x16, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x53, 0x00, 0x74, 0x00, 0x61, 0x00, 0x67, 0x00,
	0x65, 0x00, 0x64, 0x00, 0x54, 0x00, 0x65, 0x00,
	0x73, 0x00, 0x74, 0x00, 0x00, 0x00, 0x01, 0x02,
	0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* MAC */
	0x10, 0x9c, 0xd6, 0xde, 0xe3, 0x38, 0x28, 0xdd,
	0x91, 0x46, 0x81, 0x94, 0xd4, 0x74, 0x2d, 0x51,
	0x8c, 0x80, 0xc4, 0x15, 0xd3, 0x61, 0x4f, 0x3e,
	0x55, 0x5a, 0xfd, 0x7c, 0xe1, 0xa3, 0xd1, 0x65,
};

#define MAC0_OFF	offsetof(struct efi_staged_header, mac0)

static void kb_init(u8 kb[EFI_STAGED_KEY_SIZE])
{
	int i;

	for (i = 0; i < EFI_STAGED_KEY_SIZE; i++)
		kb[i] = i;
}

/* A journal of EFI_STAGED_CAPACITY bytes with the golden header */
static u8 *journal(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, EFI_STAGED_CAPACITY, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, golden_hdr, sizeof(golden_hdr));
	return buf;
}

static void staged_golden(struct kunit *test)
{
	u8 *buf = journal(test);
	u8 kb[EFI_STAGED_KEY_SIZE], mac[EFI_STAGED_MAC_SIZE], id[16];
	size_t end;

	kb_init(kb);
	memset(id, 0xaa, sizeof(id));
	efi_staged_mac0(kb, (void *)buf, mac);
	KUNIT_EXPECT_MEMEQ(test, mac, golden_hdr + MAC0_OFF, sizeof(mac));
	KUNIT_EXPECT_EQ(test, EFI_STAGED_ST_NONE,
			efi_staged_check_header(buf, EFI_STAGED_CAPACITY, id));

	memcpy(buf + EFI_STAGED_REC_OFF, golden_rec, sizeof(golden_rec));
	KUNIT_EXPECT_EQ(test, 1, efi_staged_walk(buf, EFI_STAGED_CAPACITY, kb,
						 mac, &end));
	KUNIT_EXPECT_EQ(test, EFI_STAGED_REC_OFF + sizeof(golden_rec), end);
	KUNIT_EXPECT_MEMEQ(test, mac, golden_rec + sizeof(golden_rec) - 32, 32);
}

static void staged_header_rules(struct kunit *test)
{
	static const struct {
		size_t off;
		u8 val;
		enum efi_staged_status want;
	} cases[] = {
		{ 0, 0x46, EFI_STAGED_ST_INVALID },	/* magic */
		{ 4, 2, EFI_STAGED_ST_INVALID },	/* version */
		{ 6, 1, EFI_STAGED_ST_INVALID },	/* header size */
		{ 8, 4, EFI_STAGED_ST_INVALID },	/* unknown state */
		{ 12, 1, EFI_STAGED_ST_INVALID },	/* capacity */
		{ 120, 1, EFI_STAGED_ST_INVALID },	/* after mac0 */
		{ 511, 1, EFI_STAGED_ST_INVALID },	/* end of the sector */
		{ 16, 0xab, EFI_STAGED_ST_FOREIGN },	/* store id */
		{ 31, 0, EFI_STAGED_ST_FOREIGN },
		{ 8, 3, EFI_STAGED_ST_NONE },		/* APPLIED */
		{ 512, 1, EFI_STAGED_ST_NONE },		/* results: not the header's */
	};
	u8 *buf = journal(test);
	u8 id[16], save;
	size_t i;

	memset(id, 0xaa, sizeof(id));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		save = buf[cases[i].off];
		buf[cases[i].off] = cases[i].val;
		KUNIT_EXPECT_EQ_MSG(test, cases[i].want,
				    efi_staged_check_header(buf,
							    EFI_STAGED_CAPACITY,
							    id),
				    "byte %zu = 0x%02x", cases[i].off,
				    cases[i].val);
		buf[cases[i].off] = save;
	}
	KUNIT_EXPECT_EQ(test, EFI_STAGED_ST_INVALID,
			efi_staged_check_header(buf, EFI_STAGED_CAPACITY - 8,
						id));
}

/* Recompute the MAC of the record at @off (@size bytes) after @prev */
static void remac(u8 *buf, size_t off, u32 size, const u8 *kb, const u8 *prev)
{
	efi_staged_record_mac(kb, prev, buf + off, size - EFI_STAGED_MAC_SIZE,
			      buf + off + size - EFI_STAGED_MAC_SIZE);
}

/*
 * Append a record at *off (after the MAC in @mac, which becomes its own):
 * @name in ASCII, @data_size bytes of 0x5a.
 */
static void add_rec(u8 *buf, size_t *off, u32 seq, u32 attrs, u32 flags,
		    const char *name, u32 data_size, const u8 *kb, u8 *mac)
{
	struct efi_staged_record *r = (void *)(buf + *off);
	u32 ns = 2 * (strlen(name) + 1), body, size, i;
	__le16 *n = (__le16 *)(r + 1);

	body = EFI_STAGED_REC_HDR_SIZE + ns + data_size;
	size = ALIGN(body, 8) + EFI_STAGED_MAC_SIZE;
	r->size = cpu_to_le32(size);
	r->seq = cpu_to_le32(seq);
	r->attributes = cpu_to_le32(attrs);
	r->flags = cpu_to_le32(flags);
	r->vendor = EFI_GLOBAL_VARIABLE_GUID;
	r->name_size = cpu_to_le32(ns);
	r->data_size = cpu_to_le32(data_size);
	for (i = 0; i < ns / 2; i++)
		n[i] = cpu_to_le16(name[i]);
	memset((u8 *)n + ns, 0x5a, data_size);
	memset(buf + *off + body, 0, ALIGN(body, 8) - body);
	remac(buf, *off, size, kb, mac);
	memcpy(mac, buf + *off + size - EFI_STAGED_MAC_SIZE,
	       EFI_STAGED_MAC_SIZE);
	*off += size;
}

static u32 walk(u8 *buf, size_t len, const u8 *kb, size_t *end)
{
	u8 mac[EFI_STAGED_MAC_SIZE];

	memcpy(mac, buf + MAC0_OFF, sizeof(mac));
	return efi_staged_walk(buf, len, kb, mac, end);
}

/* Make the record (name L"Boot0001") one without data; its new size */
static u32 no_data(struct efi_staged_record *r)
{
	u32 body = EFI_STAGED_REC_HDR_SIZE + 18;

	r->data_size = 0;
	memset((u8 *)r + body, 0, ALIGN(body, 8) - body);
	r->size = cpu_to_le32(ALIGN(body, 8) + EFI_STAGED_MAC_SIZE);
	return le32_to_cpu(r->size);
}

/* A name of @chars characters */
static char *long_name(struct kunit *test, size_t chars)
{
	char *s = kunit_kmalloc(test, chars + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	memset(s, 'N', chars);
	s[chars] = 0;
	return s;
}

/* Each rule of efi_staged_check_record() refuses the second record alone */
static void staged_record_rules(struct kunit *test)
{
	char *big = long_name(test, EFI_STAGED_MAX_NAME / 2);
	char *max = long_name(test, EFI_STAGED_MAX_NAME / 2 - 1);
	enum { SIZE_PLUS8, SIZE_ODD, SEQ, NAME_ODD, NAME_ZERO, NAME_BIG,
	       NAME_INNER_NUL, NAME_NO_NUL, DATA_BIG, DEL_DATA, DEL_ATTRS,
	       DEL_APPEND, UNKNOWN_FLAG, NO_DATA, PADDING, PAST_END, MAC,
	       NR_CASES };
	u8 kb[EFI_STAGED_KEY_SIZE], mac1[EFI_STAGED_MAC_SIZE];
	u8 mac[EFI_STAGED_MAC_SIZE];
	struct efi_staged_record *r;
	size_t off, second, end, len;
	u8 *buf = journal(test);
	u32 size;
	int c;

	kb_init(kb);
	for (c = 0; c < NR_CASES; c++) {
		memset(buf + EFI_STAGED_REC_OFF, 0,
		       EFI_STAGED_CAPACITY - EFI_STAGED_REC_OFF);
		memcpy(mac, golden_hdr + MAC0_OFF, sizeof(mac));
		off = EFI_STAGED_REC_OFF;
		add_rec(buf, &off, 1, 7, 0, "BootOrder", 4, kb, mac);
		memcpy(mac1, mac, sizeof(mac));
		second = off;
		add_rec(buf, &off, 2, 7, 0, "Boot0001", 3, kb, mac);
		r = (void *)(buf + second);
		size = le32_to_cpu(r->size);
		len = EFI_STAGED_CAPACITY;
		switch (c) {
		case SIZE_PLUS8:
			size += 8;
			r->size = cpu_to_le32(size);
			break;
		case SIZE_ODD:
			r->size = cpu_to_le32(size - 4);
			size -= 4;
			break;
		case SEQ:
			r->seq = cpu_to_le32(3);
			break;
		case NAME_ODD:
			r->name_size = cpu_to_le32(17);
			break;
		case NAME_ZERO:
			r->name_size = 0;
			break;
		case NAME_BIG:
			/* a consistent record, one character too long */
			off = second;
			add_rec(buf, &off, 2, 7, 0, big, 3, kb, mac);
			size = off - second;
			break;
		case NAME_INNER_NUL:
			((__le16 *)(r + 1))[3] = 0;
			break;
		case NAME_NO_NUL:
			((__le16 *)(r + 1))[8] = cpu_to_le16('x');
			break;
		case DATA_BIG:
			off = second;
			add_rec(buf, &off, 2, 7, 0, "Boot0001",
				EFI_STAGED_MAX_DATA + 1, kb, mac);
			size = off - second;
			break;
		case DEL_DATA:
			r->flags = cpu_to_le32(EFI_STAGED_REC_DELETE);
			r->attributes = 0;
			break;
		case DEL_ATTRS:
			r->flags = cpu_to_le32(EFI_STAGED_REC_DELETE);
			size = no_data(r);
			break;
		case DEL_APPEND:
			r->flags = cpu_to_le32(EFI_STAGED_REC_DELETE |
					       EFI_STAGED_REC_FROM_APPEND);
			r->attributes = 0;
			size = no_data(r);
			break;
		case UNKNOWN_FLAG:
			r->flags = cpu_to_le32(BIT(2));
			break;
		case NO_DATA:
			size = no_data(r);
			break;
		case PADDING:
			buf[second + EFI_STAGED_REC_HDR_SIZE + 18 + 3] = 1;
			break;
		case PAST_END:
			len = second + size - 1;
			break;
		case MAC:
			buf[second + EFI_STAGED_REC_HDR_SIZE] ^= 1;
			break;
		}
		if (c != MAC && c != PAST_END && c != NAME_BIG && c != DATA_BIG)
			remac(buf, second, size, kb, mac1);
		KUNIT_EXPECT_EQ_MSG(test, 1, walk(buf, len, kb, &end),
				    "case %d", c);
		KUNIT_EXPECT_EQ_MSG(test, second, end, "case %d", c);
	}

	/* The well-formed delete and the unmodified pair pass */
	memset(buf + EFI_STAGED_REC_OFF, 0,
	       EFI_STAGED_CAPACITY - EFI_STAGED_REC_OFF);
	memcpy(mac, golden_hdr + MAC0_OFF, sizeof(mac));
	off = EFI_STAGED_REC_OFF;
	add_rec(buf, &off, 1, 7, EFI_STAGED_REC_FROM_APPEND, "BootOrder", 4,
		kb, mac);
	add_rec(buf, &off, 2, 0, EFI_STAGED_REC_DELETE, "Boot0001", 0, kb,
		mac);
	KUNIT_EXPECT_EQ(test, 2, walk(buf, EFI_STAGED_CAPACITY, kb, &end));
	KUNIT_EXPECT_EQ(test, off, end);
	/* Exactly as long as the journal: still within it */
	KUNIT_EXPECT_EQ(test, 2, walk(buf, off, kb, &end));
	/* The largest name and data */
	add_rec(buf, &off, 3, 7, 0, max, EFI_STAGED_MAX_DATA, kb, mac);
	KUNIT_EXPECT_EQ(test, 3, walk(buf, EFI_STAGED_CAPACITY, kb, &end));
	KUNIT_EXPECT_EQ(test, off, end);
}

/* A torn append: the journal ends after the last complete record */
static void staged_torn_tail(struct kunit *test)
{
	u8 kb[EFI_STAGED_KEY_SIZE], mac[EFI_STAGED_MAC_SIZE];
	u8 *buf = journal(test);
	size_t off = EFI_STAGED_REC_OFF, third, end;

	kb_init(kb);
	memcpy(mac, golden_hdr + MAC0_OFF, sizeof(mac));
	add_rec(buf, &off, 1, 7, 0, "A", 10, kb, mac);
	add_rec(buf, &off, 2, 7, 0, "B", 20, kb, mac);
	third = off;
	add_rec(buf, &off, 3, 7, 0, "C", 30, kb, mac);
	KUNIT_EXPECT_EQ(test, 3, walk(buf, EFI_STAGED_CAPACITY, kb, &end));
	KUNIT_EXPECT_EQ(test, off, end);
	/* The third record's last bytes never reached the disk */
	memset(buf + off - 20, 0, 20);
	KUNIT_EXPECT_EQ(test, 2, walk(buf, EFI_STAGED_CAPACITY, kb, &end));
	KUNIT_EXPECT_EQ(test, third, end);
	/* Another boot key: nothing */
	kb[0] ^= 1;
	KUNIT_EXPECT_EQ(test, 0, walk(buf, EFI_STAGED_CAPACITY, kb, &end));
	KUNIT_EXPECT_EQ(test, EFI_STAGED_REC_OFF, end);
}

/* At most EFI_STAGED_MAX_RECORDS, even if more would fit */
static void staged_max_records(struct kunit *test)
{
	u8 kb[EFI_STAGED_KEY_SIZE], mac[EFI_STAGED_MAC_SIZE];
	u8 *buf = journal(test);
	size_t off = EFI_STAGED_REC_OFF, end, last = 0;
	u32 i;

	kb_init(kb);
	memcpy(mac, golden_hdr + MAC0_OFF, sizeof(mac));
	for (i = 1; i <= EFI_STAGED_MAX_RECORDS + 1; i++) {
		if (i == EFI_STAGED_MAX_RECORDS + 1)
			last = off;
		add_rec(buf, &off, i, 7, 0, "V", 1, kb, mac);
	}
	KUNIT_ASSERT_LE(test, off, (size_t)EFI_STAGED_CAPACITY);
	KUNIT_EXPECT_EQ(test, EFI_STAGED_MAX_RECORDS,
			walk(buf, EFI_STAGED_CAPACITY, kb, &end));
	KUNIT_EXPECT_EQ(test, last, end);
}

#define FUZZ_INPUTS	2000

/*
 * Random mutations of a valid journal: the walk stays within the buffer
 * (an exact-size allocation, so KASAN sees any read beyond), and every
 * record it accepts is byte for byte one of the original ones.
 */
static void staged_fuzz(struct kunit *test)
{
	u8 kb[EFI_STAGED_KEY_SIZE], mac[EFI_STAGED_MAC_SIZE];
	struct rnd_state rnd;
	u8 *orig = journal(test), *buf;
	size_t off = EFI_STAGED_REC_OFF, end, len;
	u32 i, n, accepted = 0;

	kb_init(kb);
	memcpy(mac, golden_hdr + MAC0_OFF, sizeof(mac));
	add_rec(orig, &off, 1, 7, 0, "BootOrder", 6, kb, mac);
	add_rec(orig, &off, 2, 0, EFI_STAGED_REC_DELETE, "Boot0003", 0, kb,
		mac);
	add_rec(orig, &off, 3, 7, 0, "LoaderEntryOneShot", 40, kb, mac);
	len = off;
	buf = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	prandom_seed_state(&rnd, 0x45564a31ULL);
	for (i = 0; i < FUZZ_INPUTS; i++) {
		memcpy(buf, orig, len);
		for (n = 1 + prandom_u32_state(&rnd) % 4; n; n--)
			buf[EFI_STAGED_REC_OFF + prandom_u32_state(&rnd) %
			    (len - EFI_STAGED_REC_OFF)] ^=
				1 + prandom_u32_state(&rnd) % 255;
		n = walk(buf, len, kb, &end);
		KUNIT_ASSERT_LE(test, n, 3U);
		KUNIT_ASSERT_LE(test, end, len);
		KUNIT_ASSERT_EQ(test, 0, memcmp(buf + EFI_STAGED_REC_OFF,
						orig + EFI_STAGED_REC_OFF,
						end - EFI_STAGED_REC_OFF));
		accepted += n;
	}
	kunit_info(test, "fuzz: %u inputs, %u records accepted\n",
		   FUZZ_INPUTS, accepted);
}

static struct kunit_case staged_vars_cases[] = {
	KUNIT_CASE(staged_hmac_rfc4231),
	KUNIT_CASE(staged_golden),
	KUNIT_CASE(staged_header_rules),
	KUNIT_CASE(staged_record_rules),
	KUNIT_CASE(staged_torn_tail),
	KUNIT_CASE(staged_max_records),
	KUNIT_CASE(staged_fuzz),
	{}
};

static struct kunit_suite staged_vars_suite = {
	.name = "efi_staged_vars",
	.test_cases = staged_vars_cases,
};

kunit_test_suite(staged_vars_suite);

MODULE_DESCRIPTION("KUnit tests of the staged EFI variable journal parser");
MODULE_LICENSE("GPL");

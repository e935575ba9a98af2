// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the EFI variable snapshot parser
 * (drivers/firmware/efi/var-snapshot.c): a golden vector, one malformed
 * variant per rule, and a short fuzz run of random mutations; then its
 * GetNextVariableName(), and the EFI stub's check of the name sizes the
 * firmware asks for while it takes the snapshot; and the digest of the
 * variables the keyrings trust that the boot record carries.
 */

#include <kunit/test.h>
#include <crypto/sha2.h>
#include <linux/efi.h>
#include <linux/efi_var_snapshot.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "efi_rt_gate.h"

/* Two variables, written out byte by byte (not by the code under test). */
static const u8 golden[] = {
	/* header: "EVSN", version 1, header size 16, count 2, total 112 */
	0x45, 0x56, 0x53, 0x4e, 0x01, 0x00, 0x10, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00,
	/* entry 0 @16: size 56, attributes NV|BS|RT */
	0x38, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
	/* EFI_GLOBAL_VARIABLE_GUID 8be4df61-93ca-11d2-aa0d-00e098032b8c */
	0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
	0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c,
	/* name size 20, data size 4 */
	0x14, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	/* L"BootOrder" */
	'B', 0, 'o', 0, 'o', 0, 't', 0, 'O', 0, 'r', 0, 'd', 0, 'e', 0,
	'r', 0, 0, 0,
	/* data: Boot0000, Boot0001 */
	0x00, 0x00, 0x01, 0x00,
	/* entry 1 @72: size 40, attributes BS|RT */
	0x28, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
	/* 5b8e3c2a-0f4d-4c1e-9a57-e1f7a9c0b4d2 */
	0x2a, 0x3c, 0x8e, 0x5b, 0x4d, 0x0f, 0x1e, 0x4c,
	0x9a, 0x57, 0xe1, 0xf7, 0xa9, 0xc0, 0xb4, 0xd2,
	/* name size 4, data size 3 */
	0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	/* L"X", data 1 2 3, one byte of padding */
	'X', 0, 0, 0, 0x01, 0x02, 0x03, 0x00,
};

#define E0	16	/* offset of entry 0 */
#define E1	72	/* offset of entry 1 */

static int parse(struct kunit *test, const u8 *bytes, size_t size,
		 struct efi_var_snapshot_var *vars, unsigned int max)
{
	/* An exact-size heap copy: any read beyond it is a bug. */
	u8 *buf = kunit_kmalloc(test, size ?: 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, bytes, size);
	return efi_var_snapshot_parse(buf, size, vars, max);
}

static void var_snapshot_golden(struct kunit *test)
{
	static const efi_char16_t boot_order[] = {
		'B', 'o', 'o', 't', 'O', 'r', 'd', 'e', 'r', 0
	};
	struct efi_var_snapshot_var vars[4];
	u8 *buf = kunit_kmalloc(test, sizeof(golden), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, golden, sizeof(golden));
	KUNIT_ASSERT_EQ(test, 2, efi_var_snapshot_parse(buf, sizeof(golden),
							vars, 4));
	KUNIT_EXPECT_EQ(test, 20, vars[0].name_size);
	KUNIT_EXPECT_MEMEQ(test, vars[0].name, boot_order, 20);
	KUNIT_EXPECT_TRUE(test, !efi_guidcmp(vars[0].vendor,
					     EFI_GLOBAL_VARIABLE_GUID));
	KUNIT_EXPECT_EQ(test, 7, vars[0].attributes);
	KUNIT_EXPECT_EQ(test, 4, vars[0].data_size);
	KUNIT_EXPECT_PTR_EQ(test, (const u8 *)vars[0].data, buf + E0 + 52);
	KUNIT_EXPECT_EQ(test, 4, vars[1].name_size);
	KUNIT_EXPECT_EQ(test, 6, vars[1].attributes);
	KUNIT_EXPECT_EQ(test, 3, vars[1].data_size);
	KUNIT_EXPECT_MEMEQ(test, vars[1].data, "\x01\x02\x03", 3);

	/* Too small an index is its own error, not a malformed snapshot. */
	KUNIT_EXPECT_EQ(test, -E2BIG, parse(test, golden, sizeof(golden),
					    vars, 1));
	/* The empty snapshot. */
	KUNIT_EXPECT_EQ(test, 0, parse(test, (const u8 *)
				       "EVSN\x01\x00\x10\x00\0\0\0\0\x10\0\0\0",
				       16, vars, 4));
}

/* One malformed variant: change le32/le16/u8 fields, or the size. */
struct snap_case {
	const char *name;
	unsigned int off;	/* of the field to change */
	unsigned int width;	/* 0: no change, 1, 2 or 4 bytes */
	u32 value;
	int size_delta;		/* added to the buffer's size */
	bool fix_total;		/* total_size follows the size change */
};

static const struct snap_case bad_cases[] = {
	{ "bad magic", 0, 1, 'X' },
	{ "version 2", 4, 2, 2 },
	{ "header size 24", 6, 2, 24 },
	{ "truncated by one byte", 0, 0, 0, -1 },
	{ "truncated, total fixed", 0, 0, 0, -8, true },
	{ "truncated to the header", 0, 0, 0, -96, true },
	{ "trailing bytes", 0, 0, 0, 8, true },
	{ "total size larger than buffer", 12, 4, 120 },
	{ "total size smaller than header", 12, 4, 8 },
	{ "oversized total", 12, 4, EFI_VAR_SNAPSHOT_MAX_SIZE + 8 },
	{ "count one more", 8, 4, 3 },
	{ "count one less", 8, 4, 1 },
	{ "count huge", 8, 4, 0xffffffff },
	{ "entry size zero", E0, 4, 0 },
	{ "entry size below header", E0, 4, 24 },
	{ "entry size unaligned", E0, 4, 60 },
	{ "entry size past the end", E1, 4, 48 },
	{ "entry overlaps the next (name+data > size)", E0, 4, 48 },
	{ "padding of 8 or more", E0, 4, 64 },
	{ "nonzero padding", E1 + 39, 1, 0xff },
	{ "data size overflows the entry", E1 + 28, 4, 0xfffffff0 },
	{ "data size past the entry", E1 + 28, 4, 9 },
	{ "name size zero", E1 + 24, 4, 0 },
	{ "name size odd", E1 + 24, 4, 3 },
	{ "name size oversized", E1 + 24, 4, EFI_VAR_SNAPSHOT_MAX_NAME + 2 },
	{ "unterminated name", E0 + 50, 1, 'x' },
	{ "embedded NUL in name", E0 + 34, 1, 0 },
	{ "no RUNTIME_ACCESS", E1 + 4, 4, EFI_VARIABLE_BOOTSERVICE_ACCESS },
};

static void var_snapshot_malformed(struct kunit *test)
{
	struct efi_var_snapshot_var vars[4];
	u8 buf[sizeof(golden) + 16];
	const struct snap_case *c;
	unsigned int i;
	size_t size;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		c = &bad_cases[i];
		memset(buf, 0, sizeof(buf));
		memcpy(buf, golden, sizeof(golden));
		size = sizeof(golden) + c->size_delta;
		if (c->fix_total)
			put_unaligned_le32(size, buf + 12);
		if (c->width == 1)
			buf[c->off] = c->value;
		else if (c->width == 2)
			put_unaligned_le16(c->value, buf + c->off);
		else if (c->width == 4)
			put_unaligned_le32(c->value, buf + c->off);
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL, parse(test, buf, size, vars, 4),
				    "%s: accepted", c->name);
	}

	/* The same name and GUID twice: entry 1 after itself. */
	memcpy(buf, golden, EFI_VAR_SNAPSHOT_HDR_SIZE);
	memcpy(buf + 16, golden + E1, 40);
	memcpy(buf + 56, golden + E1, 40);
	put_unaligned_le32(96, buf + 12);
	KUNIT_EXPECT_EQ_MSG(test, -EINVAL, parse(test, buf, 96, vars, 4),
			    "duplicate: accepted");
	/* ... and with another GUID it is fine. */
	buf[56 + 8] ^= 1;
	KUNIT_EXPECT_EQ(test, 2, parse(test, buf, 96, vars, 4));
}

/*
 * GetNextVariableName() over the golden vector: L"" starts the walk, each
 * name leads to the next and the last to EFI_NOT_FOUND; a buffer too
 * small gets the size needed and keeps its name; an unknown name or
 * vendor, a NULL or a size below one character is EFI_INVALID_PARAMETER.
 */
static void var_snapshot_next_name(struct kunit *test)
{
	struct efi_var_snapshot_var vars[4];
	efi_char16_t name[16] = { 0 };
	efi_guid_t vendor = NULL_GUID;
	unsigned long size;

	KUNIT_ASSERT_EQ(test, 2, parse(test, golden, sizeof(golden), vars, 4));
	size = sizeof(efi_char16_t);
	KUNIT_EXPECT_EQ(test, EFI_BUFFER_TOO_SMALL,
			efi_var_snapshot_next_name(vars, 2, &size, name, &vendor));
	KUNIT_EXPECT_EQ(test, 20, size);
	KUNIT_EXPECT_EQ(test, 0, name[0]);

	size = sizeof(name);
	KUNIT_ASSERT_EQ(test, EFI_SUCCESS,
			efi_var_snapshot_next_name(vars, 2, &size, name, &vendor));
	KUNIT_EXPECT_EQ(test, 20, size);
	KUNIT_EXPECT_MEMEQ(test, name, vars[0].name, 20);
	KUNIT_EXPECT_TRUE(test, !efi_guidcmp(vendor, EFI_GLOBAL_VARIABLE_GUID));
	size = sizeof(name);
	KUNIT_ASSERT_EQ(test, EFI_SUCCESS,
			efi_var_snapshot_next_name(vars, 2, &size, name, &vendor));
	KUNIT_EXPECT_EQ(test, 4, size);
	KUNIT_EXPECT_MEMEQ(test, name, vars[1].name, 4);
	KUNIT_EXPECT_TRUE(test, !efi_guidcmp(vendor, vars[1].vendor));
	size = sizeof(name);
	KUNIT_EXPECT_EQ(test, EFI_NOT_FOUND,
			efi_var_snapshot_next_name(vars, 2, &size, name, &vendor));

	/* L"X" with another vendor, then L"Y" */
	vendor = EFI_GLOBAL_VARIABLE_GUID;
	KUNIT_EXPECT_EQ(test, EFI_INVALID_PARAMETER,
			efi_var_snapshot_next_name(vars, 2, &size, name, &vendor));
	vendor = vars[1].vendor;
	name[0] = 'Y';
	KUNIT_EXPECT_EQ(test, EFI_INVALID_PARAMETER,
			efi_var_snapshot_next_name(vars, 2, &size, name, &vendor));
	name[0] = 0;
	KUNIT_EXPECT_EQ(test, EFI_INVALID_PARAMETER,
			efi_var_snapshot_next_name(vars, 2, NULL, name, &vendor));
	KUNIT_EXPECT_EQ(test, EFI_INVALID_PARAMETER,
			efi_var_snapshot_next_name(vars, 2, &size, NULL, &vendor));
	KUNIT_EXPECT_EQ(test, EFI_INVALID_PARAMETER,
			efi_var_snapshot_next_name(vars, 2, &size, name, NULL));
	size = 1;
	KUNIT_EXPECT_EQ(test, EFI_INVALID_PARAMETER,
			efi_var_snapshot_next_name(vars, 2, &size, name, &vendor));
}

/*
 * UEFI: EFI_INVALID_PARAMETER if the "Null-terminator is not found in
 * the first VariableNameSize bytes of the input VariableName buffer", and
 * nothing beyond those bytes may be read.  Each name below matches a
 * stored name only when read past its size (within its allocation, so
 * that the answer shows it, not a fault): L"BootOrder" given as 18 bytes,
 * and L"X" given as 2 bytes, upstream's generic_ops_supported() whose
 * uninitialised character happens to be 'X', or as 3 bytes.
 */
static void var_snapshot_next_name_unterminated(struct kunit *test)
{
	struct efi_var_snapshot_var vars[4];
	static const struct {
		unsigned int var;
		unsigned long size;
	} cases[] = { { 0, 18 }, { 1, 2 }, { 1, 3 } };
	unsigned long size;
	efi_guid_t vendor;
	efi_char16_t *name;
	unsigned int i, v;

	KUNIT_ASSERT_EQ(test, 2, parse(test, golden, sizeof(golden), vars, 4));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		v = cases[i].var;
		name = kunit_kmalloc(test, vars[v].name_size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, name);
		memcpy(name, vars[v].name, vars[v].name_size);
		vendor = vars[v].vendor;
		size = cases[i].size;
		KUNIT_EXPECT_EQ_MSG(test, EFI_INVALID_PARAMETER,
				    efi_var_snapshot_next_name(vars, 2, &size,
							       name, &vendor),
				    "variable %u, name of %lu bytes as %lu",
				    v, (unsigned long)vars[v].name_size,
				    cases[i].size);
		KUNIT_EXPECT_EQ(test, cases[i].size, size);
		KUNIT_EXPECT_MEMEQ(test, name, vars[v].name, vars[v].name_size);
		/* The whole name, with its NUL, is a valid one. */
		size = vars[v].name_size;
		KUNIT_EXPECT_NE(test, EFI_INVALID_PARAMETER,
				efi_var_snapshot_next_name(vars, 2, &size, name,
							   &vendor));
	}
}

/*
 * The EFI stub's check when GetNextVariableName() answers
 * EFI_BUFFER_TOO_SMALL (snap_next_name() in libstub/var-snapshot.c): it
 * then allocates the size asked for and copies the previous name, all of
 * its old buffer of @cap bytes, into it.  So whatever size it accepts must
 * exceed @cap, and be at most EFI_VAR_SNAPSHOT_MAX_NAME.
 */
static void var_snapshot_name_grow(struct kunit *test)
{
	static const unsigned long caps[] = { 2, 512, EFI_VAR_SNAPSHOT_MAX_NAME };
	unsigned long size, bad = 0, ok = 0;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, EFI_SUCCESS, efi_var_snapshot_name_grow(514, 512));
	KUNIT_EXPECT_EQ(test, EFI_SUCCESS,
			efi_var_snapshot_name_grow(EFI_VAR_SNAPSHOT_MAX_NAME, 512));
	KUNIT_EXPECT_EQ(test, EFI_BAD_BUFFER_SIZE,
			efi_var_snapshot_name_grow(EFI_VAR_SNAPSHOT_MAX_NAME + 2,
						   512));
	KUNIT_EXPECT_EQ(test, EFI_DEVICE_ERROR,
			efi_var_snapshot_name_grow(512, 512));
	KUNIT_EXPECT_EQ(test, EFI_DEVICE_ERROR,
			efi_var_snapshot_name_grow(0, 512));

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		for (size = 0; size <= EFI_VAR_SNAPSHOT_MAX_NAME + 8; size++) {
			if (efi_var_snapshot_name_grow(size, caps[i]) != EFI_SUCCESS)
				continue;
			ok++;
			if (size <= caps[i] || size > EFI_VAR_SNAPSHOT_MAX_NAME)
				bad++;
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, 0, bad,
			    "%lu of %lu accepted sizes overflow the copy", bad,
			    ok);
}

/*
 * Random mutations of the golden vector (1 to 8 bytes changed, and
 * random sizes): the parser must never read outside the buffer (an
 * exact-size heap copy; KASAN or a fault would tell) and whatever it
 * accepts must lie within the buffer.
 */
#define FUZZ_INPUTS	20000

static void var_snapshot_fuzz(struct kunit *test)
{
	struct efi_var_snapshot_var vars[4];
	struct rnd_state rnd;
	unsigned int i, k, n, accepted = 0;
	u8 *buf, tmp[sizeof(golden) + 16];
	size_t size;
	int ret;

	prandom_seed_state(&rnd, 0x45565345ULL);
	for (i = 0; i < FUZZ_INPUTS; i++) {
		memcpy(tmp, golden, sizeof(golden));
		memset(tmp + sizeof(golden), 0, 16);
		n = 1 + prandom_u32_state(&rnd) % 8;
		for (k = 0; k < n; k++)
			tmp[prandom_u32_state(&rnd) % sizeof(tmp)] =
				prandom_u32_state(&rnd);
		size = prandom_u32_state(&rnd) % 4 ? sizeof(golden) :
			prandom_u32_state(&rnd) % sizeof(tmp);
		if (prandom_u32_state(&rnd) % 2)
			put_unaligned_le32(size, tmp + 12);
		buf = kmalloc(size ?: 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		memcpy(buf, tmp, size);
		ret = efi_var_snapshot_parse(buf, size, vars, 4);
		KUNIT_EXPECT_TRUE(test, ret == -EINVAL || ret == -E2BIG ||
				  (ret >= 0 && ret <= 4));
		for (k = 0; ret > 0 && k < ret; k++) {
			KUNIT_EXPECT_TRUE(test, (const u8 *)vars[k].name >= buf &&
					  (const u8 *)vars[k].data +
					  vars[k].data_size <= buf + size);
		}
		accepted += ret >= 0;
		kfree(buf);
	}
	kunit_info(test, "fuzz: %u inputs, %u accepted\n", FUZZ_INPUTS,
		   accepted);
}

/*
 * The digest of the variables the keyrings trust (trusted-vars.c), from a
 * snapshot with db, a "dbx" under the wrong GUID (not the trusted one),
 * and SbatLevelRT; the expected values were computed outside the kernel
 * from the documented definition (one UEFI_VARIABLE_DATA per variable).
 */
static const u8 trusted_snap[] = {
	/* header: "EVSN", version 1, header size 16, count 3, total 176 */
	0x45, 0x56, 0x53, 0x4e, 0x01, 0x00, 0x10, 0x00,
	0x03, 0x00, 0x00, 0x00, 0xb0, 0x00, 0x00, 0x00,
	/* size 48, NV|BS|RT|TIME_BASED_AUTH, EFI_IMAGE_SECURITY_DATABASE_GUID */
	0x30, 0x00, 0x00, 0x00, 0x27, 0x00, 0x00, 0x00,
	0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45,
	0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f,
	/* name size 6, data size 3, L"db", 01 02 03, padding */
	0x06, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x64, 0x00, 0x62, 0x00, 0x00, 0x00, 0x01, 0x02,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* size 48, NV|BS|RT, EFI_GLOBAL_VARIABLE_GUID */
	0x30, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
	0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
	0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c,
	/* name size 8, data size 1, L"dbx", ff, padding */
	0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x64, 0x00, 0x62, 0x00, 0x78, 0x00, 0x00, 0x00,
	0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* size 64, BS|RT, EFI_SHIM_LOCK_GUID */
	0x40, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
	0x50, 0xab, 0x5d, 0x60, 0x46, 0xe0, 0x00, 0x43,
	0xab, 0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23,
	/* name size 24, data size 7, L"SbatLevelRT", "sbat,1\n", padding */
	0x18, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
	0x53, 0x00, 0x62, 0x00, 0x61, 0x00, 0x74, 0x00,
	0x4c, 0x00, 0x65, 0x00, 0x76, 0x00, 0x65, 0x00,
	0x6c, 0x00, 0x52, 0x00, 0x54, 0x00, 0x00, 0x00,
	0x73, 0x62, 0x61, 0x74, 0x2c, 0x31, 0x0a, 0x00,
};

static const u8 trusted_digest[SHA256_DIGEST_SIZE] = {
	0x20, 0xe6, 0xa1, 0x11, 0x96, 0x09, 0x58, 0x39,
	0x56, 0xf3, 0x2e, 0x8d, 0x32, 0x7e, 0x90, 0xeb,
	0x8b, 0xe0, 0x34, 0x8a, 0x50, 0xf3, 0xf3, 0xfb,
	0x85, 0xdf, 0x6c, 0x87, 0x4e, 0x85, 0x95, 0xb8,
};

/* None of the six variables: six UEFI_VARIABLE_DATA without data */
static const u8 trusted_digest_none[SHA256_DIGEST_SIZE] = {
	0x1e, 0xb4, 0xf0, 0xb8, 0x6a, 0x2e, 0x47, 0x64,
	0x4a, 0xfe, 0x96, 0xe1, 0xd5, 0x69, 0x8a, 0x8c,
	0xe3, 0xcb, 0x67, 0x41, 0x07, 0xb7, 0x99, 0xc6,
	0x76, 0xdd, 0xec, 0xdf, 0x02, 0x6a, 0x43, 0x55,
};

static void var_snapshot_trusted_digest(struct kunit *test)
{
	struct efi_var_snapshot_var vars[3];
	u8 digest[SHA256_DIGEST_SIZE];

	KUNIT_ASSERT_EQ(test, 3, parse(test, trusted_snap, sizeof(trusted_snap),
				       vars, ARRAY_SIZE(vars)));
	KUNIT_EXPECT_EQ(test, 2, rtgate_trusted_vars_digest(vars, 3, digest));
	KUNIT_EXPECT_MEMEQ(test, digest, trusted_digest, sizeof(digest));
	/* Without db: a different digest */
	KUNIT_EXPECT_EQ(test, 1, rtgate_trusted_vars_digest(vars + 1, 2, digest));
	KUNIT_EXPECT_MEMNEQ(test, digest, trusted_digest, sizeof(digest));
	/* Only the wrong-GUID "dbx": as if none were there */
	KUNIT_EXPECT_EQ(test, 0, rtgate_trusted_vars_digest(vars + 1, 1, digest));
	KUNIT_EXPECT_MEMEQ(test, digest, trusted_digest_none, sizeof(digest));
	KUNIT_EXPECT_EQ(test, 0, rtgate_trusted_vars_digest(vars, 0, digest));
	KUNIT_EXPECT_MEMEQ(test, digest, trusted_digest_none, sizeof(digest));
}

static struct kunit_case var_snapshot_cases[] = {
	KUNIT_CASE(var_snapshot_golden),
	KUNIT_CASE(var_snapshot_malformed),
	KUNIT_CASE(var_snapshot_fuzz),
	KUNIT_CASE(var_snapshot_next_name),
	KUNIT_CASE(var_snapshot_next_name_unterminated),
	KUNIT_CASE(var_snapshot_name_grow),
	KUNIT_CASE(var_snapshot_trusted_digest),
	{}
};

static struct kunit_suite var_snapshot_suite = {
	.name = "efi_var_snapshot",
	.test_cases = var_snapshot_cases,
};

kunit_test_suite(var_snapshot_suite);

MODULE_DESCRIPTION("KUnit tests of the EFI variable snapshot parser");
MODULE_LICENSE("GPL");

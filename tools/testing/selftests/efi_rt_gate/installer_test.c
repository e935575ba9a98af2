// SPDX-License-Identifier: GPL-2.0
/*
 * The installer story that motivates the EFI runtime gate: an installer is
 * launched with runtime services locked, seals a secret (say, a disk key)
 * to the gate's PCR, then unlocks runtime services to write a boot entry.
 * From then on the machine can no longer prove its earlier state: the
 * secret does not unseal.  After a reboot with a fresh launch the gate is
 * locked again, the PCR has its old value, the secret unseals again, and
 * the boot entry written before the reboot is still in the firmware.
 *
 * The steps are tests run in this order, the first five in one boot and
 * the last three in the next boot of the same machine (same TPM state,
 * same firmware variable store, same disk):
 *
 *   seal  unseal_works  unlock  boot_entry  unseal_fails  | reboot |
 *   locked_again  unseal_again  boot_entry_kept
 *
 * The machine has a GPT disk with an EFI system partition (partition 1,
 * what the boot entry points at) and a partition named "sealed" that holds
 * the sealed blob across the reboot.  The TPM work goes through tpm2-tss
 * (seal_util.c); the boot entry is written by efibootmgr through efivarfs.
 *
 * Environment: EXPECT_PCR=N (the gate's PCR, when set, must be N).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../kselftest_harness.h"
#include "seal_util.h"
#include "test_util.h"

#define GATE		"/sys/kernel/security/efi_rt"
#define EFIVARFS	"/sys/firmware/efi/efivars"
#define GLOBAL_GUID	"8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define LABEL		"efi_rt_gate installed system"
#define LOADER		"\\EFI\\installed\\grubx64.efi"
#define EFI_VARIABLE_NV_BS_RT	0x7
#define LOAD_OPTION_ACTIVE	0x1

static const char *gate_state(void)
{
	static char state[32];

	if (read_text(GATE "/state", state, sizeof(state)) < 0)
		return "(unreadable)";
	return state;
}

static int sealed_path(char *dev)
{
	char disk[DEV_MAX];
	int n;

	return find_partition("sealed", dev, disk, &n);
}

static int sysfs_pcr_sha256(unsigned int pcr, char *out, size_t max)
{
	char path[64];
	int i;

	snprintf(path, sizeof(path), "/sys/class/tpm/tpm0/pcr-sha256/%u", pcr);
	if (read_text(path, out, max) < 0)
		return -1;
	for (i = 0; out[i]; i++)
		out[i] = tolower(out[i]);
	return 0;
}

/* PCR value now, through the library and through sysfs (must agree). */
static int pcr_now(struct __test_metadata *_metadata, ESYS_CONTEXT *ctx,
		   unsigned int pcr, uint8_t value[SEAL_DIGEST_SIZE])
{
	char h[2 * SEAL_DIGEST_SIZE + 1], s[2 * SEAL_DIGEST_SIZE + 8];
	TSS2_RC rc = seal_pcr_read(ctx, pcr, value);

	EXPECT_EQ(0, rc) TH_LOG("PCR_Read: 0x%x %s", rc, seal_rc_text(rc));
	if (rc)
		return -1;
	hex(h, value, SEAL_DIGEST_SIZE);
	EXPECT_EQ(0, sysfs_pcr_sha256(pcr, s, sizeof(s)));
	EXPECT_STREQ(h, s);
	return strcmp(h, s) ? -1 : 0;
}

static void show_pcr(const char *what, unsigned int pcr, const uint8_t *v)
{
	char h[2 * SEAL_DIGEST_SIZE + 1];

	hex(h, v, SEAL_DIGEST_SIZE);
	printf("# %s: PCR %u sha256 %s\n", what, pcr, h);
}

static int gate_unlock(void)
{
	int fd = open(GATE "/unlock", O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* Run @cmd through the shell, its output as TAP comments; exit status. */
static int run(const char *cmd, char *out, size_t max)
{
	char line[512];
	size_t n = 0;
	FILE *p;
	int st;

	printf("# $ %s\n", cmd);
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	if (max)
		out[0] = 0;
	while (fgets(line, sizeof(line), p)) {
		printf("#   %s", line);
		if (n + strlen(line) < max)
			n += snprintf(out + n, max - n, "%s", line);
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static ssize_t read_var(const char *name, uint8_t *buf, size_t max)
{
	char path[256];

	snprintf(path, sizeof(path), EFIVARFS "/%s-" GLOBAL_GUID, name);
	return read_bytes(path, buf, max);
}

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* UCS-2 at @p (at most @max bytes, NUL-terminated) as ASCII; bytes used. */
static int ucs2_ascii(const uint8_t *p, size_t max, char *out, size_t outmax)
{
	size_t i, o = 0;

	for (i = 0; i + 1 < max; i += 2) {
		uint16_t c = le16(p + i);

		if (!c) {
			out[o] = 0;
			return i + 2;
		}
		if (o + 1 < outmax)
			out[o++] = c < 0x80 ? c : '?';
	}
	return -1;
}

/* A boot entry as it is stored: Boot#### = attributes + EFI_LOAD_OPTION. */
struct boot_entry {
	uint32_t var_attr, attr;
	char desc[128];
	int hd;				/* an HD() node was found */
	uint32_t part;
	uint64_t start, size;
	uint8_t sig[16];
	uint8_t mbr_type, sig_type;
	char file[256];
	int nodes;
};

static int decode_boot_entry(const uint8_t *v, size_t len, struct boot_entry *e)
{
	size_t off, fpl, end;
	int n;

	memset(e, 0, sizeof(*e));
	if (len < 4 + 6)
		return -1;
	e->var_attr = le32(v);
	e->attr = le32(v + 4);
	fpl = le16(v + 8);
	n = ucs2_ascii(v + 10, len - 10, e->desc, sizeof(e->desc));
	if (n < 0)
		return -1;
	off = 10 + n;
	end = off + fpl;
	if (end > len)
		return -1;
	while (off + 4 <= end) {
		uint8_t type = v[off], sub = v[off + 1];
		uint16_t nlen = le16(v + off + 2);

		if (nlen < 4 || off + nlen > end)
			return -1;
		e->nodes++;
		if (type == 0x7f && sub == 0xff)
			return off + nlen == end ? 0 : -1;
		if (type == 4 && sub == 1 && nlen == 42) {
			e->hd = 1;
			e->part = le32(v + off + 4);
			e->start = le64(v + off + 8);
			e->size = le64(v + off + 16);
			memcpy(e->sig, v + off + 24, 16);
			e->mbr_type = v[off + 40];
			e->sig_type = v[off + 41];
		} else if (type == 4 && sub == 4) {
			if (ucs2_ascii(v + off + 4, nlen - 4, e->file, sizeof(e->file)) < 0)
				return -1;
		}
		off += nlen;
	}
	return -1;
}

/* The Boot#### whose description is LABEL: its number, or -1 (or -2: two). */
static int find_entry(struct boot_entry *e)
{
	uint8_t buf[4096];
	struct boot_entry t;
	struct dirent *de;
	unsigned int num;
	int found = -1;
	char name[16];
	ssize_t n;
	DIR *d;

	d = opendir(EFIVARFS);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "Boot%4X-", &num) != 1 || strlen(de->d_name) != 45)
			continue;
		snprintf(name, sizeof(name), "Boot%04X", num);
		n = read_var(name, buf, sizeof(buf));
		if (n < 0 || decode_boot_entry(buf, n, &t) || strcmp(t.desc, LABEL))
			continue;
		found = found == -1 ? (int)num : -2;
		*e = t;
	}
	closedir(d);
	return found;
}

/* GPT entry @partn of @disk: unique GUID (as stored), first LBA, size. */
static int gpt_entry(const char *disk, int partn, uint8_t guid[16],
		     uint64_t *start, uint64_t *size)
{
	uint8_t ent[128];

	if (gpt_read_entry(disk, partn, ent))
		return -1;
	memcpy(guid, ent + 16, 16);
	*start = le64(ent + 32);
	*size = le64(ent + 40) - *start + 1;
	return 0;
}

/*
 * What efibootmgr stored must be what the firmware needs: an active entry,
 * non-volatile, HD(partition 1, its first LBA and size, GPT, its unique
 * GUID)/File(LOADER).
 */
static void check_entry(struct __test_metadata *_metadata, const struct boot_entry *e)
{
	uint64_t start, size;
	char esp[DEV_MAX], disk[DEV_MAX];
	uint8_t guid[16];
	int partn;

	ASSERT_EQ(0, find_partition("esp", esp, disk, &partn));
	ASSERT_EQ(0, gpt_entry(disk, partn, guid, &start, &size));
	EXPECT_EQ(EFI_VARIABLE_NV_BS_RT, e->var_attr);
	EXPECT_EQ(LOAD_OPTION_ACTIVE, e->attr & LOAD_OPTION_ACTIVE);
	ASSERT_TRUE(e->hd) TH_LOG("no HD() node in the device path");
	EXPECT_EQ(partn, e->part);
	EXPECT_EQ(start, e->start);
	EXPECT_EQ(size, e->size);
	EXPECT_EQ(2, e->mbr_type);	/* GPT */
	EXPECT_EQ(2, e->sig_type);	/* GUID signature */
	EXPECT_EQ(0, memcmp(guid, e->sig, 16));
	EXPECT_STREQ(LOADER, e->file);
	EXPECT_EQ(3, e->nodes);		/* HD, File, End */
}

static void open_tpm(struct __test_metadata *_metadata, ESYS_CONTEXT **ctx)
{
	TSS2_RC rc = seal_open(ctx);

	ASSERT_EQ(0, rc) TH_LOG("ESAPI on /dev/tpmrm0: 0x%x %s", rc, seal_rc_text(rc));
}

static void load_blob(struct __test_metadata *_metadata, struct sealed_blob *blob)
{
	char dev[DEV_MAX];

	ASSERT_EQ(0, sealed_path(dev)) TH_LOG("no partition named \"sealed\"");
	ASSERT_EQ(0, blob_read(dev, blob)) TH_LOG("no sealed blob on %s", dev);
	ASSERT_EQ(gate_pcr(), (int)blob->pcr);
}

/* Unseal; the TPM's response code.  On success the secret must match. */
static TSS2_RC try_unseal(struct __test_metadata *_metadata, ESYS_CONTEXT *ctx,
			  const struct sealed_blob *blob)
{
	uint8_t secret[SEAL_SECRET_MAX + 1];
	size_t len;
	TSS2_RC rc;

	rc = unseal_secret(ctx, blob, secret, &len);
	if (rc) {
		printf("# unseal: 0x%x %s\n", rc, seal_rc_text(rc));
		return rc;
	}
	secret[len] = 0;
	printf("# unseal: \"%s\"\n", (char *)secret);
	EXPECT_TRUE(seal_secret_matches(blob, secret, len))
		TH_LOG("the unsealed secret is not the one that was sealed");
	return rc;
}

/* Boot 1: locked; seal a fresh secret to the gate's PCR, on the disk. */
TEST(seal)
{
	struct sealed_blob blob;
	uint8_t value[SEAL_DIGEST_SIZE], rnd[8];
	char secret[64], r[17], dev[DEV_MAX];
	ESYS_CONTEXT *ctx;
	int pcr = gate_pcr();
	TSS2_RC rc;

	ASSERT_STREQ("locked", gate_state());
	ASSERT_LE(0, pcr) TH_LOG("no gate PCR: %s", strerror(-pcr));
	if (getenv("EXPECT_PCR"))
		ASSERT_EQ(atoi(getenv("EXPECT_PCR")), pcr);
	ASSERT_EQ(0, sealed_path(dev)) TH_LOG("no partition named \"sealed\"");
	ASSERT_EQ(sizeof(rnd), getrandom(rnd, sizeof(rnd), 0));
	hex(r, rnd, sizeof(rnd));
	snprintf(secret, sizeof(secret), "disk key %s", r);

	open_tpm(_metadata, &ctx);
	rc = seal_secret(ctx, pcr, secret, strlen(secret), &blob);
	ASSERT_EQ(0, rc) TH_LOG("seal: 0x%x %s", rc, seal_rc_text(rc));
	ASSERT_EQ(0, pcr_now(_metadata, ctx, pcr, value));
	seal_close(ctx);
	ASSERT_EQ(0, memcmp(value, blob.pcr_value, SEAL_DIGEST_SIZE));
	show_pcr("sealed to", pcr, blob.pcr_value);
	ASSERT_EQ(0, blob_write(dev, &blob));
	printf("# sealed \"%s\" (PolicyPCR), blob on %s\n", secret, dev);
}

/* The secret sealed to the gate's PCR unseals. */
static void unseal_ok(struct __test_metadata *_metadata)
{
	struct sealed_blob blob;
	ESYS_CONTEXT *ctx;

	load_blob(_metadata, &blob);
	open_tpm(_metadata, &ctx);
	ASSERT_EQ(0, try_unseal(_metadata, ctx, &blob));
	seal_close(ctx);
}

TEST(unseal_works)
{
	unseal_ok(_metadata);
}

/* The records of the gate's ASCII log, up to @max, as lines in @lines. */
static int read_records(char (*lines)[512], int max)
{
	FILE *f = fopen(GATE "/ascii_measurements", "r");
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fgets(lines[n], sizeof(lines[n]), f))
		n++;
	fclose(f);
	return n;
}

/*
 * The measured unlock moves the PCR by exactly the records it added, and
 * the log's last record says why.  Usually that is one record; when the
 * TPM's driver probed after the gate started (a module, as on the debug
 * kernel) and nothing used it before, the boot record of a launch comes
 * first, with the unlock.
 */
TEST(unlock)
{
	uint8_t before[SEAL_DIGEST_SIZE], after[SEAL_DIGEST_SIZE], rec[SEAL_DIGEST_SIZE];
	uint8_t fold[2 * SEAL_DIGEST_SIZE], want[SEAL_DIGEST_SIZE];
	static char lines[16][512];
	char digest[2 * SEAL_DIGEST_SIZE + 1];
	unsigned int n = SEAL_DIGEST_SIZE, lpcr;
	struct sealed_blob blob;
	ESYS_CONTEXT *ctx;
	int i, r, n0, n1;

	load_blob(_metadata, &blob);
	ASSERT_STREQ("locked", gate_state());
	n0 = read_records(lines, 16);
	ASSERT_LE(0, n0);
	open_tpm(_metadata, &ctx);
	ASSERT_EQ(0, pcr_now(_metadata, ctx, blob.pcr, before));
	ASSERT_EQ(0, memcmp(before, blob.pcr_value, SEAL_DIGEST_SIZE));
	ASSERT_EQ(0, gate_unlock()) TH_LOG("unlock: %s", strerror(errno));
	ASSERT_STREQ("unlocked", gate_state());
	ASSERT_EQ(0, pcr_now(_metadata, ctx, blob.pcr, after));
	seal_close(ctx);
	show_pcr("after unlock", blob.pcr, after);
	ASSERT_NE(0, memcmp(before, after, SEAL_DIGEST_SIZE));

	n1 = read_records(lines, 16);
	ASSERT_LT(n0, n1);
	if (n1 - n0 > 1) {
		ASSERT_EQ(0, n0);
		ASSERT_EQ(2, n1);
		ASSERT_NE(NULL, strstr(lines[0], " op=boot ")) TH_LOG("%s", lines[0]);
	}
	printf("# log: %s", lines[n1 - 1]);
	ASSERT_NE(NULL, strstr(lines[n1 - 1], " op=unlock before=locked after=unlocked "));
	/* PCR after = SHA-256(PCR before || each new record's digest) */
	memcpy(want, before, SEAL_DIGEST_SIZE);
	for (r = n0; r < n1; r++) {
		i = sscanf(lines[r], "%u sha256:%64[0-9a-f] ", &lpcr, digest);
		ASSERT_EQ(2, i);
		ASSERT_EQ(blob.pcr, lpcr);
		ASSERT_EQ(2 * SEAL_DIGEST_SIZE, strlen(digest));
		for (i = 0; i < SEAL_DIGEST_SIZE; i++) {
			char byte[3] = { digest[2 * i], digest[2 * i + 1], 0 };

			rec[i] = strtoul(byte, NULL, 16);
		}
		memcpy(fold, want, SEAL_DIGEST_SIZE);
		memcpy(fold + SEAL_DIGEST_SIZE, rec, SEAL_DIGEST_SIZE);
		ASSERT_EQ(1, EVP_Digest(fold, sizeof(fold), want, &n, EVP_sha256(), NULL));
	}
	ASSERT_EQ(0, memcmp(want, after, SEAL_DIGEST_SIZE));
}

/* efibootmgr -c: a real SetVariable through efivarfs, as an installer does. */
TEST(boot_entry)
{
	char esp[DEV_MAX], disk[DEV_MAX], cmd[2 * DEV_MAX + 128], out[4096], want[128];
	struct boot_entry e;
	uint8_t order[64];
	ssize_t n;
	int partn, num;

	ASSERT_STREQ("unlocked", gate_state());
	ASSERT_EQ(0, mount_efivarfs());
	ASSERT_EQ(-1, find_entry(&e)) TH_LOG("the entry exists before efibootmgr ran");
	ASSERT_EQ(0, find_partition("esp", esp, disk, &partn));
	snprintf(cmd, sizeof(cmd), "efibootmgr -c -d %s -p %d -L '%s' -l '%s' 2>&1",
		 disk, partn, LABEL, LOADER);
	ASSERT_EQ(0, run(cmd, out, sizeof(out)));

	num = find_entry(&e);
	ASSERT_LE(0, num) TH_LOG("no Boot#### variable named \"%s\"", LABEL);
	printf("# Boot%04X: attributes 0x%x, HD(%u,GPT,...,0x%llx,0x%llx)/File(%s)\n",
	       num, e.attr, e.part, (unsigned long long)e.start,
	       (unsigned long long)e.size, e.file);
	check_entry(_metadata, &e);
	/* efibootmgr puts the new entry first in BootOrder. */
	n = read_var("BootOrder", order, sizeof(order));
	ASSERT_LE(6, n);
	ASSERT_EQ(num, le16(order + 4));
	snprintf(want, sizeof(want), "Boot%04X* %s", num, LABEL);
	ASSERT_NE(NULL, strstr(out, want));
}

/* The PCR moved: the TPM refuses the secret, with a policy failure. */
TEST(unseal_fails)
{
	uint8_t now[SEAL_DIGEST_SIZE];
	struct sealed_blob blob;
	ESYS_CONTEXT *ctx;
	TSS2_RC rc;

	load_blob(_metadata, &blob);
	ASSERT_STREQ("unlocked", gate_state());
	open_tpm(_metadata, &ctx);
	ASSERT_EQ(0, pcr_now(_metadata, ctx, blob.pcr, now));
	/* Not fatal: what the TPM says about the secret is the point here. */
	EXPECT_NE(0, memcmp(now, blob.pcr_value, SEAL_DIGEST_SIZE))
		TH_LOG("PCR %u still has the value sealed to", blob.pcr);
	rc = try_unseal(_metadata, ctx, &blob);
	seal_close(ctx);
	/* TPM_RC_POLICY_FAIL for session 1, exactly */
	ASSERT_EQ(SEAL_RC_POLICY_FAIL, rc) TH_LOG("unseal: 0x%x %s", rc, seal_rc_text(rc));
}

/* Boot 2: a fresh launch of the same machine. */
TEST(locked_again)
{
	uint8_t now[SEAL_DIGEST_SIZE];
	struct sealed_blob blob;
	char line[512];
	ESYS_CONTEXT *ctx;
	FILE *f;

	load_blob(_metadata, &blob);
	ASSERT_STREQ("locked", gate_state());
	open_tpm(_metadata, &ctx);
	ASSERT_EQ(0, pcr_now(_metadata, ctx, blob.pcr, now));
	seal_close(ctx);
	show_pcr("now", blob.pcr, now);
	ASSERT_EQ(0, memcmp(now, blob.pcr_value, SEAL_DIGEST_SIZE))
		TH_LOG("the PCR did not come back to the value sealed to");
	/* Nothing unlocked in this boot: no unlock record in the log. */
	f = fopen(GATE "/ascii_measurements", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		EXPECT_EQ(NULL, strstr(line, " op=unlock ")) TH_LOG("%s", line);
	fclose(f);
}

TEST(unseal_again)
{
	unseal_ok(_metadata);
}

/* The entry written before the reboot is still there (after an unlock). */
TEST(boot_entry_kept)
{
	char out[4096], want[128];
	struct boot_entry e;
	int num;

	ASSERT_STREQ("locked", gate_state());
	ASSERT_EQ(0, gate_unlock()) TH_LOG("unlock: %s", strerror(errno));
	ASSERT_EQ(0, mount_efivarfs());
	ASSERT_EQ(0, run("efibootmgr 2>&1", out, sizeof(out)));
	num = find_entry(&e);
	ASSERT_LE(0, num) TH_LOG("no Boot#### variable named \"%s\"", LABEL);
	snprintf(want, sizeof(want), "Boot%04X* %s", num, LABEL);
	ASSERT_NE(NULL, strstr(out, want));
	check_entry(_metadata, &e);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Baseline checks of the test platform, independent of the gate: OVMF's
 * variables are reachable through efivarfs and a TPM 2.0 answers with the
 * same PCR values through sysfs and through /dev/tpmrm0.  A failure here
 * means the platform, not the gate, is broken.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "test_util.h"
#include "tpm2_util.h"

#define EFIVARFS	"/sys/firmware/efi/efivars"
#define GLOBAL_GUID	"8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define TEST_GUID	"5b8e3c2a-0f4d-4c1e-9a57-e1f7a9c0b4d2"
#define EFI_VARIABLE_NV_BS_RT	0x7

/*
 * EXPECT_TPM=1 (or 0) in the environment, e.g. from the kernel command line,
 * turns a missing (or present) TPM into a failure instead of a SKIP; with
 * EXPECT_TPM=0 the TPM tests assert that the TPM is absent.  Without it, a
 * machine without a TPM SKIPs them.
 */
static int tpm_expected(void)
{
	const char *e = getenv("EXPECT_TPM");

	return e ? atoi(e) : -1;
}

/* Is a TPM attached, as far as the environment says it should be? */
static int tpm_mismatch(void)
{
	if (tpm_expected() == 0 && tpm_present())
		return 1;
	return tpm_expected() == 1 && !tpm_present();
}

TEST(efivarfs_reads_boot_order)
{
	uint8_t buf[256];
	uint32_t attr;
	ssize_t n;

	ASSERT_EQ(0, mount_efivarfs());
	n = read_bytes(EFIVARFS "/BootOrder-" GLOBAL_GUID, buf, sizeof(buf));
	/* 4 bytes of attributes, then at least one UINT16 boot option */
	ASSERT_GE(n, 6) TH_LOG("BootOrder: %zd", n);
	memcpy(&attr, buf, 4);
	ASSERT_EQ(EFI_VARIABLE_NV_BS_RT, attr & EFI_VARIABLE_NV_BS_RT);
	ASSERT_EQ(0, (n - 4) % 2);
}

TEST(efivar_write_reads_back)
{
	const char *path = EFIVARFS "/EfiRtGateHarness-" TEST_GUID;
	uint8_t out[4 + 32], in[sizeof(out) + 8];
	uint32_t attr = EFI_VARIABLE_NV_BS_RT;
	ssize_t n;
	int fd, i;

	ASSERT_EQ(0, mount_efivarfs());
	memcpy(out, &attr, 4);
	srand(getpid());
	for (i = 4; i < (int)sizeof(out); i++)
		out[i] = rand();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd) TH_LOG("create %s: %s", path, strerror(errno));
	ASSERT_EQ((ssize_t)sizeof(out), write(fd, out, sizeof(out)));
	ASSERT_EQ(0, close(fd));

	n = read_bytes(path, in, sizeof(in));
	ASSERT_EQ((ssize_t)sizeof(out), n);
	ASSERT_EQ(0, memcmp(out, in, sizeof(out)));
	ASSERT_EQ(0, efivar_delete(path));
	ASSERT_EQ(-ENOENT, read_bytes(path, in, sizeof(in)));
}

TEST(tpm_is_tpm2)
{
	char v[8] = "";

	ASSERT_FALSE(tpm_mismatch())
		TH_LOG("EXPECT_TPM=%d but a TPM is %s", tpm_expected(),
		       tpm_present() ? "present" : "missing");
	if (tpm_expected() == 0) {
		/* No TPM attached: no character device either. */
		ASSERT_EQ(-ENOENT, read_bytes("/dev/tpm0", v, sizeof(v)));
		ASSERT_EQ(-ENOENT, read_bytes("/dev/tpmrm0", v, sizeof(v)));
		return;
	}
	if (!tpm_present())
		SKIP(return, "no TPM: " TPM_SYSFS " does not exist");
	ASSERT_LT(0, read_bytes(TPM_SYSFS "/tpm_version_major", v, sizeof(v) - 1));
	ASSERT_STREQ("2\n", v);
}

TEST(pcr_sysfs_matches_tpm2_pcr_read)
{
	static const unsigned int pcrs[] = { 0, 7, 9, 16, 17, 23 };
	static const uint16_t algs[] = { TPM2_ALG_SHA1, TPM2_ALG_SHA256 };
	uint8_t a[TPM_MAX_DIGEST], b[TPM_MAX_DIGEST];
	size_t i, j, blen;
	int alen;

	ASSERT_FALSE(tpm_mismatch())
		TH_LOG("EXPECT_TPM=%d but a TPM is %s", tpm_expected(),
		       tpm_present() ? "present" : "missing");
	if (tpm_expected() == 0) {
		/* No TPM attached: both ways of reading a PCR report that. */
		ASSERT_EQ(-ENOENT, sysfs_pcr_read("sha256", 0, a, sizeof(a)));
		ASSERT_EQ(-ENOENT, tpm2_pcr_read(0, TPM2_ALG_SHA256, b, &blen));
		return;
	}
	if (!tpm_present())
		SKIP(return, "no TPM: " TPM_SYSFS " does not exist");
	for (i = 0; i < ARRAY_SIZE(algs); i++) {
		for (j = 0; j < ARRAY_SIZE(pcrs); j++) {
			alen = sysfs_pcr_read(tpm2_alg_name(algs[i]), pcrs[j], a, sizeof(a));
			ASSERT_EQ((int)tpm2_alg_size(algs[i]), alen);
			ASSERT_EQ(0, tpm2_pcr_read(pcrs[j], algs[i], b, &blen));
			ASSERT_EQ((size_t)alen, blen);
			ASSERT_EQ(0, memcmp(a, b, blen))
				TH_LOG("PCR %u %s differs", pcrs[j], tpm2_alg_name(algs[i]));
		}
	}
	/* PCR 0 was measured by the firmware, so it cannot be all zero. */
	ASSERT_EQ(32, sysfs_pcr_read("sha256", 0, a, sizeof(a)));
	memset(b, 0, sizeof(b));
	ASSERT_NE(0, memcmp(a, b, 32));
}

TEST_HARNESS_MAIN

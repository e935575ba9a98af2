// SPDX-License-Identifier: GPL-2.0
/*
 * Hibernation and the EFI runtime gate, over several boots of one machine
 * (same TPM state, variables and disk; scenarios hibernate-*):
 *
 *   swap_setup          boot 1: write a swap signature on the partition
 *                       named "swap" (the first boot of a fresh variable
 *                       store lays out memory differently: hibernating
 *                       in it would leave an image that a second boot
 *                       refuses)
 *   hibernate_unlocked  boot 2 (efi_rt_gate=locked): seal a secret to the
 *                       gate's PCR, unlock, hibernate; the image resumes
 *                       in boot 3, locked again by its policy, whose
 *                       firmware never got SetVirtualAddressMap(): runtime
 *                       services are disabled for that boot, no firmware
 *                       entry happens, and the secret unseals (PCR 9 says
 *                       locked, and the firmware cannot run)
 *   hibernate_locked    boot 2 (efi_rt_gate=locked): seal, hibernate with
 *                       SetVirtualAddressMap() deferred; the image resumes
 *                       in boot 3 (efi_rt_gate=auto, no launch), whose
 *                       kernel called it: still locked, the secret no longer
 *                       unseals (PCR 9 says unlocked), and the next unlock
 *                       opens without a second SetVirtualAddressMap()
 *
 * Each hibernating test goes on, in the same process, in the boot that
 * resumed the image.  "@@HARNESS hibernate@@" tells run-scenario.py that
 * the power-off that follows is a hibernation: it starts the machine
 * again (resume_cmdline:) and reads the same run on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/swap.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "seal_util.h"
#include "test_util.h"

#define GATE		"/sys/kernel/security/efi_rt"
#define EFIVARS		"/sys/firmware/efi/efivars"
#define BOOTORDER	EFIVARS "/BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define FW_ENTRIES	"/sys/kernel/debug/x86/efi_firmware_entries"
#define SECRET		"hibernated disk key"
#define SWAP_PAGE	4096
/* drivers/firmware/efi/rt-gate.c, when the resumed image loses the firmware */
#define RESUMED_NO_SVAM	"resumed from hibernation: " \
	"this firmware boot never got SetVirtualAddressMap()"

static const char *gate_state(void)
{
	static char state[32];

	if (read_text(GATE "/state", state, sizeof(state)) < 0)
		return "(unreadable)";
	return state;
}

static int write_str(const char *path, const char *s)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int gate_write(const char *v)
{
	return write_str(GATE "/unlock", v);
}

static long long fw_entries(void)
{
	char buf[32];

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (read_text(FW_ENTRIES, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Read BootOrder through efivarfs: the bytes read, or -errno. */
static int read_bootorder(void)
{
	char buf[64];
	int fd, n;

	if (mount("efivarfs", EFIVARS, "efivarfs", 0, NULL) && errno != EBUSY)
		return -errno;
	fd = open(BOOTORDER, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static void seal_pcr9(struct __test_metadata *_metadata,
		      struct sealed_blob *blob)
{
	ESYS_CONTEXT *ctx;
	TSS2_RC rc;

	ASSERT_EQ(0, seal_open(&ctx));
	rc = seal_secret(ctx, 9, SECRET, strlen(SECRET), blob);
	seal_close(ctx);
	ASSERT_EQ(0, rc) TH_LOG("seal: 0x%x %s", rc, seal_rc_text(rc));
}

/* 0 if the secret unseals, 1 if the TPM refuses the PCR policy */
static int unseal(struct __test_metadata *_metadata,
		  const struct sealed_blob *blob)
{
	uint8_t out[SEAL_SECRET_MAX];
	size_t len = sizeof(out);
	ESYS_CONTEXT *ctx;
	TSS2_RC rc;

	if (seal_open(&ctx))
		return -1;
	rc = unseal_secret(ctx, blob, out, &len);
	seal_close(ctx);
	if (rc == SEAL_RC_POLICY_FAIL)
		return 1;
	if (rc || !seal_secret_matches(blob, out, len))
		return -1;
	return 0;
}

/*
 * Swap on, then hibernate: the image is written and the machine powered
 * off; this returns in the boot that resumed the image.
 */
static int hibernate_machine(void)
{
	char dev[DEV_MAX], disk[DEV_MAX];
	int partn, ret;

	ret = find_partition("swap", dev, disk, &partn);
	if (ret)
		return ret;
	if (swapon(dev, 0))
		return -errno;
	ret = write_str("/sys/power/disk", "shutdown");
	if (ret)
		return ret;
	sync();
	printf("@@HARNESS hibernate@@\n");
	fflush(stdout);
	ret = write_str("/sys/power/state", "disk");
	printf("# resumed (/sys/power/state: %d)\n", ret);
	swapoff(dev);
	return ret;
}

TEST(swap_setup)
{
	char dev[DEV_MAX], disk[DEV_MAX], path[DEV_MAX + 32], size[32];
	static uint8_t page[SWAP_PAGE];
	uint32_t last;
	int fd, partn;

	ASSERT_EQ(0, find_partition("swap", dev, disk, &partn));
	snprintf(path, sizeof(path), "/sys/class/block/%s/size", dev + 5);
	ASSERT_LT(0, read_text(path, size, sizeof(size)));
	last = strtoull(size, NULL, 10) * 512 / SWAP_PAGE - 1;
	/* union swap_header: version 1, last page, no bad pages */
	memset(page, 0, sizeof(page));
	page[1024] = 1;
	memcpy(page + 1028, &last, sizeof(last));
	memcpy(page + SWAP_PAGE - 10, "SWAPSPACE2", 10);
	fd = open(dev, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(SWAP_PAGE, pwrite(fd, page, SWAP_PAGE, 0));
	ASSERT_EQ(0, fsync(fd));
	close(fd);
	printf("# swap on %s: %u pages\n", dev, last + 1);
}

TEST(hibernate_unlocked)
{
	struct sealed_blob blob;
	long long entries;

	ASSERT_STREQ("locked", gate_state());
	seal_pcr9(_metadata, &blob);
	ASSERT_EQ(0, gate_write("1"));
	ASSERT_STREQ("unlocked", gate_state());
	ASSERT_LT(0, read_bootorder());
	entries = fw_entries();
	ASSERT_LT(0, entries);

	ASSERT_EQ(0, hibernate_machine());

	/* Boot 3: its policy locked, its firmware not in virtual mode */
	EXPECT_GT(0, read_bootorder()) TH_LOG("a variable read reached the firmware");
	EXPECT_EQ(entries, fw_entries()) TH_LOG("firmware entered after the resume");
	ASSERT_STREQ("disabled", gate_state());
	ASSERT_EQ(-EOPNOTSUPP, gate_write("1"));
	ASSERT_EQ(entries, fw_entries());
	/* PCR 9 is boot 3's: its policy said locked, and that holds. */
	ASSERT_EQ(0, unseal(_metadata, &blob));
	ASSERT_TRUE(kmsg_has(RESUMED_NO_SVAM));
}

TEST(hibernate_locked)
{
	struct sealed_blob blob;
	char log[8192], *last;

	ASSERT_STREQ("locked", gate_state());
	ASSERT_TRUE(kmsg_has("SetVirtualAddressMap() deferred to the first unlock"));
	ASSERT_EQ(0, fw_entries());
	seal_pcr9(_metadata, &blob);

	ASSERT_EQ(0, hibernate_machine());

	/* Boot 3 (efi_rt_gate=auto, no launch) called SetVirtualAddressMap(). */
	ASSERT_STREQ("locked", gate_state());
	ASSERT_EQ(0, fw_entries());
	/* PCR 9 is boot 3's, whose policy enabled runtime services. */
	ASSERT_EQ(1, unseal(_metadata, &blob));
	ASSERT_EQ(0, gate_write("1"));
	ASSERT_STREQ("unlocked", gate_state());
	ASSERT_FALSE(kmsg_has("SetVirtualAddressMap() done at the first unlock"));
	ASSERT_FALSE(kmsg_has("Unable to switch EFI into virtual mode"));
	/* The unlock carries no runtime-code digest: no SetVirtualAddressMap() */
	ASSERT_LT(0, read_text(GATE "/ascii_measurements", log, sizeof(log)));
	last = strrchr(log, '\n');
	last = last ? last + 1 : log;
	printf("# %s\n", last);
	ASSERT_NE(NULL, strstr(last, " op=unlock ") ? strstr(last, " digests=0 ") : NULL);
	ASSERT_LT(0, read_bootorder());
	ASSERT_LT(0, fw_entries());
	ASSERT_TRUE(kmsg_has("not called again"));
}

TEST_HARNESS_MAIN

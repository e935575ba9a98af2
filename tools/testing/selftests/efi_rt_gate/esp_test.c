// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's ESP boot mode (run-scenario.py "boot: esp"): the kernel was
 * started by the firmware from the FAT EFI system partition of the harness
 * disk, through systemd-boot, and what the guest writes to that partition
 * is there in the next boot of the same machine.
 *
 *   esp_partition  the GPT partition named "esp" has the ESP type GUID
 *   esp_mounts     it mounts as vfat (at /esp) and holds
 *                  \EFI\BOOT\BOOTX64.EFI, a PE image of systemd-boot, and
 *                  systemd-boot's loader entry
 *   loader_vars    systemd-boot started this kernel: its volatile
 *                  LoaderInfo ("systemd-boot ...") and LoaderDevicePartUUID
 *                  (the ESP's unique GUID) are in efivarfs; while the gate
 *                  is locked efivarfs serves the EFI stub's snapshot,
 *                  which holds them too (the stub runs after systemd-boot)
 *   esp_write      write ESP_FILE (boot 1 of a two-boot scenario)
 *   esp_kept       ESP_FILE is there with what esp_write wrote (boot 2)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "test_util.h"

#define ESP_MNT		"/esp"
#define ESP_FILE	ESP_MNT "/harness/esp_test.txt"
#define ESP_TEXT	"esp_test: written by the guest in boot 1\n"
#define LOADER_ENTRY	ESP_MNT "/loader/entries/harness.conf"
#define EFIVARS		"/sys/firmware/efi/efivars"
#define LOADER_GUID	"4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define EFI_VARIABLE_NON_VOLATILE	0x1

/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B as it is stored (mixed endian) */
static const uint8_t esp_type[16] = {
	0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
};

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The type and unique GUID of GPT entry @partn of @disk: 0 or -1. */
static int gpt_guids(const char *disk, int partn, uint8_t type[16], uint8_t uniq[16])
{
	uint8_t ent[128];

	if (gpt_read_entry(disk, partn, ent))
		return -1;
	memcpy(type, ent, 16);
	memcpy(uniq, ent + 16, 16);
	return 0;
}

/* A GUID as stored in GPT, in its usual text form (lower case). */
static void guid_text(const uint8_t g[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* Mount the partition named "esp" at ESP_MNT as vfat, once: 0 or -errno. */
static int mount_esp(void)
{
	char dev[DEV_MAX], disk[DEV_MAX];
	struct statfs sf;
	int partn, ret;

	if (statfs(ESP_MNT, &sf) == 0 && sf.f_type == MSDOS_SUPER_MAGIC)
		return 0;
	ret = find_partition("esp", dev, disk, &partn);
	if (ret)
		return ret;
	if (mkdir(ESP_MNT, 0755) && errno != EEXIST)
		return -errno;
	if (mount(dev, ESP_MNT, "vfat", 0, NULL))
		return -errno;
	return 0;
}

/*
 * The UCS-2 text of Loader variable @name as ASCII in @out (@max bytes)
 * and its attributes: the text length, or -errno.
 */
static int loader_var(const char *name, char *out, size_t max, uint32_t *attr)
{
	uint8_t buf[512];
	char path[256];
	ssize_t n;
	size_t i, j;

	snprintf(path, sizeof(path), EFIVARS "/%s-" LOADER_GUID, name);
	n = read_bytes(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	if (n < 4 || (n - 4) % 2)
		return -EINVAL;
	*attr = le32(buf);
	for (i = 4, j = 0; i + 1 < (size_t)n && j + 1 < max; i += 2) {
		if (!buf[i] && !buf[i + 1])
			break;
		out[j++] = buf[i + 1] ? '?' : buf[i];
	}
	out[j] = 0;
	return j;
}

TEST(esp_partition)
{
	char dev[DEV_MAX], disk[DEV_MAX], text[37];
	uint8_t type[16], uniq[16];
	int partn;

	ASSERT_EQ(0, find_partition("esp", dev, disk, &partn));
	ASSERT_EQ(0, gpt_guids(disk, partn, type, uniq));
	guid_text(type, text);
	printf("# %s: partition %d of %s, type %s\n", dev, partn, disk, text);
	ASSERT_EQ(0, memcmp(type, esp_type, 16)) TH_LOG("not the ESP type GUID");
}

/* The ESP mounts as vfat and holds systemd-boot as the removable-media loader. */
TEST(esp_mounts)
{
	static char img[1 << 20];
	struct statfs sf;
	char *magic;
	ssize_t len;
	int ret;

	ret = mount_esp();
	ASSERT_EQ(0, ret) TH_LOG("mount -t vfat: %s", strerror(-ret));
	ASSERT_EQ(0, statfs(ESP_MNT, &sf));
	ASSERT_EQ(MSDOS_SUPER_MAGIC, sf.f_type);
	len = read_bytes(ESP_MNT "/EFI/BOOT/BOOTX64.EFI", img, sizeof(img));
	ASSERT_LE(2, len) TH_LOG("\\EFI\\BOOT\\BOOTX64.EFI: %s",
				 len < 0 ? strerror(-len) : "empty");
	ASSERT_EQ(0, memcmp(img, "MZ", 2)) TH_LOG("BOOTX64.EFI is not a PE image");
	/* systemd-boot names itself in its ".sdmagic" section */
	magic = memmem(img, len, "#### LoaderInfo: systemd-boot ", 30);
	ASSERT_NE(NULL, magic) TH_LOG("BOOTX64.EFI is not systemd-boot");
	printf("# BOOTX64.EFI: %zd bytes, %.*s\n", len,
	       (int)strnlen(magic, img + len - magic), magic);
	ASSERT_EQ(0, access(LOADER_ENTRY, R_OK)) TH_LOG("%s: %s", LOADER_ENTRY, strerror(errno));
}

/*
 * systemd-boot started this kernel: it exported LoaderInfo and, for the
 * partition it was loaded from, LoaderDevicePartUUID, both volatile.
 */
TEST(loader_vars)
{
	char dev[DEV_MAX], disk[DEV_MAX], text[37], val[128], state[32];
	uint8_t type[16], uniq[16];
	uint32_t attr;
	int partn, n;

	n = mount_efivarfs();
	ASSERT_EQ(0, n) TH_LOG("efivarfs: %s", strerror(-n));
	if (read_text("/sys/kernel/security/efi_rt/state", state, sizeof(state)) < 0)
		snprintf(state, sizeof(state), "(no gate)");
	printf("# gate %s: efivarfs serves %s\n", state,
	       strcmp(state, "locked") ? "the firmware's variables" : "the EFI stub's snapshot");
	n = loader_var("LoaderInfo", val, sizeof(val), &attr);
	ASSERT_LT(0, n) TH_LOG("LoaderInfo: %s", strerror(n ? -n : EINVAL));
	printf("# LoaderInfo (attributes 0x%x): %s\n", attr, val);
	EXPECT_EQ(0, attr & EFI_VARIABLE_NON_VOLATILE);
	ASSERT_EQ(0, strncmp(val, "systemd-boot ", 13));

	ASSERT_EQ(0, find_partition("esp", dev, disk, &partn));
	ASSERT_EQ(0, gpt_guids(disk, partn, type, uniq));
	guid_text(uniq, text);
	n = loader_var("LoaderDevicePartUUID", val, sizeof(val), &attr);
	ASSERT_LT(0, n) TH_LOG("LoaderDevicePartUUID: %s", strerror(n ? -n : EINVAL));
	printf("# LoaderDevicePartUUID (attributes 0x%x): %s, %s has %s\n",
	       attr, val, dev, text);
	EXPECT_EQ(0, attr & EFI_VARIABLE_NON_VOLATILE);
	ASSERT_EQ(0, strcasecmp(val, text));
}

/* Write ESP_FILE and make it durable (boot 1). */
TEST(esp_write)
{
	size_t len = strlen(ESP_TEXT);
	int fd, ret;

	ret = mount_esp();
	ASSERT_EQ(0, ret) TH_LOG("mount -t vfat: %s", strerror(-ret));
	ASSERT_TRUE(!mkdir(ESP_MNT "/harness", 0755) || errno == EEXIST);
	fd = open(ESP_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", ESP_FILE, strerror(errno));
	ASSERT_EQ((ssize_t)len, write(fd, ESP_TEXT, len));
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, close(fd));
	fd = open(ESP_MNT "/harness", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fsync(fd));
	close(fd);
	ASSERT_EQ(0, umount(ESP_MNT));
	printf("# wrote %zu bytes to %s\n", len, ESP_FILE);
}

/* ESP_FILE holds what esp_write wrote (boot 2 of the same machine). */
TEST(esp_kept)
{
	char buf[256];
	int ret;

	ret = mount_esp();
	ASSERT_EQ(0, ret) TH_LOG("mount -t vfat: %s", strerror(-ret));
	ret = read_text(ESP_FILE, buf, sizeof(buf));
	ASSERT_LE(0, ret) TH_LOG("%s: %s", ESP_FILE, strerror(-ret));
	printf("# %s: %s\n", ESP_FILE, buf);
	ASSERT_EQ(0, strncmp(buf, ESP_TEXT, strlen(ESP_TEXT) - 1));
	ASSERT_EQ(strlen(ESP_TEXT) - 1, (size_t)ret);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Staged EFI variable writes, across boots of one machine booted from its
 * ESP (the EFI stub's volume is then the writable ESP, where it keeps the
 * journal).  Tests are selected with -t, per boot:
 *
 *   boot 1 (locked):  no_journal_erofs attach stage refusals
 *                     staged_listed efibootmgr detach
 *   boot 2:           applied fw_events journal_empty
 *
 * and, for the unlock with writes pending (scenario staged-unlock):
 *
 *   boot 1 (locked):  attach stage unlock_applies
 *   boot 2:           nothing_pending
 *
 * and for a journal edited offline (staged-tamper): boot 1 "attach stage
 * detach tamper", boot 2 "rejected"; for a journal the host wrote (the
 * staged-stub-* scenarios): boot 2 "applied fw_events journal_empty" or
 * "not_applied".
 *
 * Environment: EXPECT_STAGED_STATUS=<status> for not_applied.
 *
 * Environment: EXPECT_STAGED_BOOTNEXT=1 if boot 2 must have been started
 * by the boot entry efibootmgr staged as BootNext.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/fs.h>

#include <openssl/evp.h>

#include "../kselftest_harness.h"
#include "log_util.h"
#include "test_util.h"

#define GATE		"/sys/kernel/security/efi_rt"
#define JOURNAL_CTL	GATE "/staged_journal"
#define STAGED		GATE "/staged"
#define EFIVARFS	"/sys/firmware/efi/efivars"
#define TEST_GUID	"3b0e7a56-62d4-4f0a-9d8b-1c2e3f405161"
#define DB_GUID		"d719b2cb-3d3a-4596-a3bc-dad00e67656f"
#define SD_LOADER_GUID	"4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define ESP		"/efi"
#define NV_BS_RT	0x7
#define APPEND		0x40
#define TIME_AUTH	0x20
#define BIOS_LOG	"/sys/kernel/security/tpm0/binary_bios_measurements"
#define FW_ENTRIES	"/sys/kernel/debug/x86/efi_firmware_entries"

static const char value_a[] = "alpha";
static const char value_a2[] = " beta";

static int var_write(const char *name, const char *guid, uint32_t attr,
		     const void *data, size_t len)
{
	char path[256], *buf;
	int fd, ret = 0;

	snprintf(path, sizeof(path), EFIVARFS "/%s-%s", name, guid);
	buf = malloc(len + 4);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &attr, 4);
	memcpy(buf + 4, data, len);
	/* As efivar does: an existing variable's file may be immutable. */
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		int flags;

		if (!ioctl(fd, FS_IOC_GETFLAGS, &flags)) {
			flags &= ~FS_IMMUTABLE_FL;
			ioctl(fd, FS_IOC_SETFLAGS, &flags);
		}
		close(fd);
	}
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0) {
		ret = -errno;
	} else {
		if (write(fd, buf, len + 4) != (ssize_t)(len + 4))
			ret = -errno;
		close(fd);
	}
	free(buf);
	return ret;
}

/* The value (without the attributes), or -errno */
static ssize_t var_read(const char *name, const char *guid, void *data,
			size_t max, uint32_t *attr)
{
	char path[256], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), EFIVARFS "/%s-%s", name, guid);
	n = read_bytes(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	/* efivarfs shows a variable never written as an empty file */
	if (!n)
		return -ENOENT;
	if (n < 4 || (size_t)n - 4 > max)
		return -EINVAL;
	if (attr)
		memcpy(attr, buf, 4);
	memcpy(data, buf + 4, n - 4);
	return n - 4;
}

static int var_delete(const char *name, const char *guid)
{
	char path[256];

	snprintf(path, sizeof(path), EFIVARFS "/%s-%s", name, guid);
	return efivar_delete(path);
}

static int write_ctl(const char *text)
{
	int fd = open(JOURNAL_CTL, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int mount_esp(void)
{
	char dev[DEV_MAX], disk[DEV_MAX];
	int n;

	if (find_partition("esp", dev, disk, &n))
		return -ENOENT;
	mkdir(ESP, 0755);
	if (mount(dev, ESP, "vfat", 0, NULL) && errno != EBUSY)
		return -errno;
	return 0;
}

static bool staged_has(const char *needle)
{
	char buf[8192];

	if (read_text(STAGED, buf, sizeof(buf)) < 0)
		return false;
	printf("# staged: %s", buf);
	return strstr(buf, needle);
}

static int gate_log_size(void)
{
	char buf[16384];

	return read_text(GATE "/ascii_measurements", buf, sizeof(buf));
}

static long fw_entries(void)
{
	char buf[32];

	if (read_text(FW_ENTRIES, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* The journal file on the mounted ESP */
static int journal_path(char *path, size_t size)
{
	char dir[] = ESP "/EFI/Linux/efi-rt-gate";
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".evj") || strstr(de->d_name, ".EVJ")) {
			snprintf(path, size, "%s/%s", dir, de->d_name);
			ret = 0;
			break;
		}
	closedir(d);
	return ret;
}

static int journal_state(void)
{
	unsigned char hdr[16];
	char path[512];

	if (journal_path(path, sizeof(path)) ||
	    read_bytes(path, hdr, sizeof(hdr)) != sizeof(hdr))
		return -1;
	if (memcmp(hdr, "EVJ1", 4))
		return -2;
	return hdr[8] | hdr[9] << 8;
}

TEST(no_journal_erofs)
{
	ASSERT_EQ(0, mount_efivarfs());
	ASSERT_EQ(-EROFS, var_write("StagedA", TEST_GUID, NV_BS_RT, "x", 1));
	ASSERT_TRUE(staged_has("journal: detached"));
}

TEST(attach)
{
	ASSERT_EQ(0, mount_efivarfs());
	ASSERT_EQ(0, mount_esp());
	ASSERT_EQ(-EINVAL, write_ctl("relative/path"));
	ASSERT_EQ(-EINVAL, write_ctl("/"));	/* not a FAT file system */
	ASSERT_EQ(0, write_ctl(ESP));
	ASSERT_EQ(-EBUSY, write_ctl(ESP));
	ASSERT_TRUE(staged_has("journal: attached " ESP));
}

TEST(stage)
{
	char before[4][80], after[4][80], data[64];
	static const int pcrs[4] = { 1, 7, 9, 18 };
	long fw = fw_entries();
	int log = gate_log_size(), i;
	uint32_t attr;
	ssize_t n;

	for (i = 0; i < 4; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/sys/class/tpm/tpm0/pcr-sha256/%d", pcrs[i]);
		ASSERT_LT(0, read_text(p, before[i], sizeof(before[i])));
	}
	ASSERT_EQ(0, var_write("StagedA", TEST_GUID, NV_BS_RT, value_a,
			       strlen(value_a)));
	n = var_read("StagedA", TEST_GUID, data, sizeof(data), &attr);
	ASSERT_EQ((ssize_t)strlen(value_a), n);
	ASSERT_EQ(NV_BS_RT, attr);
	ASSERT_EQ(0, memcmp(data, value_a, n));
	/* An append reads back as the whole new value. */
	ASSERT_EQ(0, var_write("StagedA", TEST_GUID, NV_BS_RT | APPEND,
			       value_a2, strlen(value_a2)));
	n = var_read("StagedA", TEST_GUID, data, sizeof(data), NULL);
	ASSERT_EQ((ssize_t)(strlen(value_a) + strlen(value_a2)), n);
	ASSERT_EQ(0, memcmp(data + strlen(value_a), value_a2, strlen(value_a2)));
	/* Created and deleted: gone now, and after the next boot. */
	ASSERT_EQ(0, var_write("StagedB", TEST_GUID, NV_BS_RT, "b", 1));
	ASSERT_EQ(0, var_delete("StagedB", TEST_GUID));
	ASSERT_EQ(-ENOENT, var_read("StagedB", TEST_GUID, data, sizeof(data), NULL));

	/* Staging extends nothing, logs nothing and runs no firmware code. */
	for (i = 0; i < 4; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/sys/class/tpm/tpm0/pcr-sha256/%d", pcrs[i]);
		ASSERT_LT(0, read_text(p, after[i], sizeof(after[i])));
		ASSERT_STREQ(before[i], after[i]) TH_LOG("PCR %d moved", pcrs[i]);
	}
	ASSERT_EQ(log, gate_log_size());
	if (fw >= 0)
		ASSERT_EQ(fw, fw_entries());
	ASSERT_EQ(1, journal_state()) TH_LOG("the journal is not PENDING");
}

TEST(refusals)
{
	char data[8];

	/* Volatile: a runtime SetVariable() cannot create one. */
	ASSERT_EQ(-EINVAL, var_write("StagedV", TEST_GUID, 0x6, "v", 1));
	/* Authenticated writes and Secure Boot's variables need the unlock. */
	ASSERT_EQ(-EACCES, var_write("StagedT", TEST_GUID, NV_BS_RT | TIME_AUTH,
				     "t", 1));
	ASSERT_EQ(-EACCES, var_write("db", DB_GUID, NV_BS_RT, "d", 1));
	/* Nothing of it is visible. */
	ASSERT_EQ(-ENOENT, var_read("StagedV", TEST_GUID, data, sizeof(data), NULL));
	ASSERT_EQ(-ENOENT, var_read("StagedT", TEST_GUID, data, sizeof(data), NULL));
	/* A volatile variable that exists (systemd-boot's) stays as it is. */
	if (!access(EFIVARFS "/LoaderDevicePartUUID-" SD_LOADER_GUID, F_OK))
		ASSERT_EQ(-EROFS, var_write("LoaderDevicePartUUID", SD_LOADER_GUID,
					    NV_BS_RT, "x", 1));
}

TEST(staged_listed)
{
	ASSERT_TRUE(staged_has("-StagedA attrs=0x7 len=10"));
	ASSERT_TRUE(staged_has("-StagedB delete"));
}

/* Shell: n is the number of the boot entry efibootmgr staged */
#define ENTRY_NUM \
	"n=$(efibootmgr | sed -n 's/^Boot\\([0-9A-F]\\{4\\}\\)\\* staged-entry.*/\\1/p'); "
#define HAS_NEXT "efibootmgr | grep -q \"BootNext: $n\""

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Unmodified efibootmgr: a new entry, BootOrder and BootNext, staged. */
TEST(efibootmgr)
{
	char dev[DEV_MAX], disk[DEV_MAX], cmd[512];
	int n;

	ASSERT_EQ(0, run("command -v efibootmgr >/dev/null"))
		TH_LOG("efibootmgr is not in this initramfs");
	ASSERT_EQ(0, find_partition("esp", dev, disk, &n));
	snprintf(cmd, sizeof(cmd),
		 "efibootmgr -q -c -d %s -p %d -L staged-entry -l '\\EFI\\BOOT\\BOOTX64.EFI'",
		 disk, n);
	ASSERT_EQ(0, run(cmd));
	ASSERT_EQ(0, run("efibootmgr | grep -q 'staged-entry'"));
	ASSERT_EQ(0, run(ENTRY_NUM "[ -n \"$n\" ] && efibootmgr -q -n $n && " HAS_NEXT));
}

/*
 * A full journal: the write that does not fit fails with ENOSPC and
 * changes nothing (not visible, not listed); one larger than a variable
 * may be fails with EINVAL.
 */
TEST(journal_full)
{
	static char big[30000], huge[40000];
	char name[32], data[8];
	int i, ret = 0;

	memset(big, 'j', sizeof(big));
	ASSERT_EQ(-EINVAL, var_write("StagedHuge", TEST_GUID, NV_BS_RT, huge, sizeof(huge)));
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "StagedFull%d", i);
		ret = var_write(name, TEST_GUID, NV_BS_RT, big, sizeof(big));
		if (ret)
			break;
	}
	ASSERT_EQ(-ENOSPC, ret) TH_LOG("write %d", i);
	ASSERT_LT(0, i);
	ASSERT_EQ(-ENOENT, var_read(name, TEST_GUID, data, sizeof(data), NULL));
	snprintf(name, sizeof(name), "-StagedFull%d ", i);
	ASSERT_FALSE(staged_has(name));
	/* The variables staged before it are all there. */
	snprintf(name, sizeof(name), "StagedFull%d", i - 1);
	ASSERT_EQ(-EINVAL, var_read(name, TEST_GUID, data, sizeof(data), NULL))
		TH_LOG("a staged 30000-byte value should not fit this buffer");
}

TEST(detach)
{
	ASSERT_EQ(0, write_ctl("-"));
	ASSERT_TRUE(staged_has("journal: detached"));
	ASSERT_EQ(-EROFS, var_write("StagedC", TEST_GUID, NV_BS_RT, "c", 1));
	sync();
	ASSERT_EQ(0, umount(ESP));
}

/*
 * An offline edit of the journal: one byte of the header's mac0 (offset
 * 56), so that nothing of it verifies.  (An altered record ends the
 * journal there, as a torn append does: the stub's KUnit tests show it.)
 */
TEST(tamper)
{
	char path[512];
	unsigned char b;
	int fd;

	ASSERT_EQ(0, mount_esp());
	ASSERT_EQ(0, journal_path(path, sizeof(path)));
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pread(fd, &b, 1, 56));
	b ^= 0x20;
	ASSERT_EQ(1, pwrite(fd, &b, 1, 56));
	close(fd);
	sync();
	ASSERT_EQ(0, umount(ESP));
}

TEST(applied)
{
	char data[64];
	ssize_t n;

	ASSERT_EQ(0, mount_efivarfs());
	ASSERT_TRUE(staged_has("boot: applied"));
	n = var_read("StagedA", TEST_GUID, data, sizeof(data), NULL);
	ASSERT_EQ((ssize_t)(strlen(value_a) + strlen(value_a2)), n);
	ASSERT_EQ(0, memcmp(data, "alpha beta", n));
	ASSERT_EQ(-ENOENT, var_read("StagedB", TEST_GUID, data, sizeof(data), NULL));
	if (env("EXPECT_STAGED_BOOTNEXT")) {
		ASSERT_EQ(0, run("efibootmgr | grep -q staged-entry"));
		ASSERT_EQ(0, run(ENTRY_NUM "efibootmgr | grep -q \"BootCurrent: $n\""));
		ASSERT_NE(0, run("efibootmgr | grep -q BootNext"));
	}
}

TEST(rejected)
{
	char data[64];

	ASSERT_EQ(0, mount_efivarfs());
	ASSERT_TRUE(staged_has("boot: invalid"));
	ASSERT_EQ(-ENOENT, var_read("StagedA", TEST_GUID, data, sizeof(data), NULL));
	/* Left as it was: not applied, not modified. */
	ASSERT_EQ(0, mount_esp());
	ASSERT_EQ(1, journal_state());
}

/*
 * A journal the EFI stub must not apply (scenarios staged-stub-tamper,
 * -foreign, -replayed, whose host wrote it onto the ESP in boot 1): the
 * kernel shows the status EXPECT_STAGED_STATUS names, nothing of it is in
 * the store, and the file is still pending.
 */
TEST(not_applied)
{
	const char *want = env("EXPECT_STAGED_STATUS");
	char data[64], line[64];

	ASSERT_NE(NULL, want) TH_LOG("EXPECT_STAGED_STATUS is not set");
	ASSERT_EQ(0, mount_efivarfs());
	snprintf(line, sizeof(line), "boot: %s ", want);
	ASSERT_TRUE(staged_has(line)) TH_LOG("no '%s'", line);
	ASSERT_EQ(-ENOENT, var_read("StagedA", TEST_GUID, data, sizeof(data), NULL));
	ASSERT_EQ(0, mount_esp());
	ASSERT_EQ(1, journal_state());
}

/*
 * PCR 1 carries one event per applied record, whose typed digest is the
 * SHA-256 of the value now in the store, and one for the journal.
 */
TEST(fw_events)
{
	struct event_log log = { 0 };
	int records = 0, journals = 0, found_a = 0;
	struct gate_event ev;
	uint8_t want[32];
	unsigned int i, k;
	char err[160];

	ASSERT_EQ(0, log_load(&log, BIOS_LOG)) TH_LOG("%s", log.error);
	ASSERT_EQ(32, hash_buf(0x000b, "alpha beta", 10, want));
	for (i = 0; i < log.nr_records; i++) {
		const struct log_record *r = &log.rec[i];

		if (r->type != EV_EVENT_TAG ||
		    gate_event_decode(r->event, r->event_size, &ev, err, sizeof(err)))
			continue;
		if (ev.op != GATE_OP_STAGED_RECORD && ev.op != GATE_OP_STAGED_JOURNAL)
			continue;
		ASSERT_EQ(1, r->pcr);
		if (ev.op == GATE_OP_STAGED_JOURNAL) {
			journals++;
			continue;
		}
		records++;
		printf("# staged event: %s (result %u)\n", ev.text, ev.reason);
		for (k = 0; k < ev.nr_digests && k < GATE_MAX_DIGESTS; k++)
			if (ev.digest[k].type == GATE_DIGEST_STAGED_DATA &&
			    strstr(ev.text, "-StagedA ") && ev.digest[k].size == 32 &&
			    !memcmp(ev.digest[k].data, want, 32))
				found_a++;
	}
	log_free(&log);
	ASSERT_EQ(1, journals);
	ASSERT_LE(2, records);
	ASSERT_EQ(1, found_a);
}

TEST(journal_empty)
{
	ASSERT_EQ(0, mount_esp());
	ASSERT_EQ(0, journal_state());
}

TEST(unlock_applies)
{
	char data[64];
	int fd;

	fd = open(GATE "/unlock", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "1", 1));
	close(fd);
	ASSERT_TRUE(staged_has("journal: closed"));
	/* Now read from the firmware: the write reached it. */
	ASSERT_EQ(10, var_read("StagedA", TEST_GUID, data, sizeof(data), NULL));
	ASSERT_EQ(0, memcmp(data, "alpha beta", 10));
	ASSERT_EQ(0, journal_state());
}

TEST(nothing_pending)
{
	char data[64];

	ASSERT_EQ(0, mount_efivarfs());
	ASSERT_TRUE(staged_has("boot: none"));
	ASSERT_EQ(10, var_read("StagedA", TEST_GUID, data, sizeof(data), NULL));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * kexec_file_load() from a boot whose EFI runtime services are withheld by
 * the EFI runtime gate (efi_rt_gate=locked), so that SetVirtualAddressMap()
 * has not been called yet.  There is no virtual runtime map to hand on:
 * the next kernel must boot without EFI and say so, not crash calling the
 * firmware through addresses the firmware was never given.
 *
 * Two kernels on one machine, one test binary:
 *
 *   load          first kernel: no runtime-map in sysfs, "kexec -s -l"
 *                 loads /kexec/bzImage with /kexec/initrd.cpio.gz, the
 *                 load logs why no EFI is passed, /run/harness-kexec tells
 *                 /init to run "kexec -e" after the tests
 *   second_kernel the kernel kexec'ed by load (harness.kexecd=1)
 *   no_efi        not an EFI boot: no /sys/firmware/efi, the gate logs why
 *   gate_files    state "disabled"; unlock fails with EOPNOTSUPP, no change
 *   no_oops       no oops, BUG or WARNING in this kernel's log
 *
 * and after an unlock, when SetVirtualAddressMap() has run (scenario
 * kexec-unlocked):
 *
 *   load_unlocked first kernel: unlock, which exports the runtime map in
 *                 sysfs, then load as above; EFI is passed
 *   efi_kexecd    the kexec'ed kernel is an EFI boot, locked by its own
 *                 efi_rt_gate=locked, with no SetVirtualAddressMap() to
 *                 defer (the firmware already has its virtual map)
 *   unlock_kexecd its unlock opens runtime services: efivarfs reads
 *                 BootOrder through the map the first kernel passed
 *   efibc_kexecd  efibc, built in and registered by the first kernel's
 *                 unlock (its boot started locked), wrote the reason of
 *                 the kexec reboot into LoaderEntryOneShot (debug kernel)
 *
 * The second kernel's tests come from harness.kexec_tests= on the first
 * kernel's command line (run-scenario.py "after_kexec:"); load passes the
 * rest of the command line on unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "test_util.h"

#define GATE		"/sys/kernel/security/efi_rt"
#define KEXEC_KERNEL	"/kexec/bzImage"
#define KEXEC_INITRD	"/kexec/initrd.cpio.gz"
#define KEXEC_FLAG	"/run/harness-kexec"
#define EFIVARS		"/sys/firmware/efi/efivars"
#define BOOTORDER	EFIVARS "/BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define CMDLINE_MAX	4096
#define KMSG_MAX	(1024 * 1024)
/* arch/x86/kernel/kexec-bzimage64.c, when it passes no EFI */
#define NO_EFI_LOG	"EFI runtime services are off " \
	"(SetVirtualAddressMap() deferred by the EFI runtime gate): " \
	"the next kernel boots without EFI"

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The whole kernel log, one message text per line, from /dev/kmsg. */
static char *kmsg_all(void)
{
	char rec[2048], *log, *text;
	size_t len = 0, tl;
	ssize_t n;
	int fd;

	log = calloc(1, KMSG_MAX);
	if (!log)
		return NULL;
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		free(log);
		return NULL;
	}
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten records */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		tl = strlen(text);
		if (len + tl + 2 > KMSG_MAX)
			break;
		memcpy(log + len, text, tl);
		len += tl;
		log[len++] = '\n';
	}
	close(fd);
	return log;
}

static bool kmsg_has(const char *needle)
{
	char *log = kmsg_all();
	bool found;

	if (!log)
		return false;
	found = strstr(log, needle);
	if (found)
		printf("# kernel log: ...%s...\n", needle);
	free(log);
	return found;
}

/* Value of "key=" on the kernel command line, or NULL. */
static char *cmdline_value(const char *cmdline, const char *key, char *val,
			   size_t max)
{
	size_t kl = strlen(key);
	const char *p = cmdline;

	while (*p) {
		size_t wl = strcspn(p, " ");

		if (wl > kl && !strncmp(p, key, kl) && wl - kl < max) {
			memcpy(val, p + kl, wl - kl);
			val[wl - kl] = '\0';
			return val;
		}
		p += wl;
		p += strspn(p, " ");
	}
	return NULL;
}

/*
 * The second kernel's command line: this one without harness.tests= and
 * harness.kexec_tests=, with harness.tests=<harness.kexec_tests> and the
 * marker harness.kexecd=1.
 */
static int next_cmdline(char *out, size_t max)
{
	char cmdline[CMDLINE_MAX], tests[CMDLINE_MAX];
	const char *p = cmdline;
	size_t len = 0;
	int ret;

	ret = read_text("/proc/cmdline", cmdline, sizeof(cmdline));
	if (ret < 0)
		return ret;
	if (!cmdline_value(cmdline, "harness.kexec_tests=", tests, sizeof(tests)))
		return -ENOENT;
	out[0] = '\0';
	while (*p) {
		size_t wl = strcspn(p, " ");

		if (strncmp(p, "harness.tests=", 14) &&
		    strncmp(p, "harness.kexec_tests=", 20)) {
			if (len + wl + 2 > max)
				return -E2BIG;
			memcpy(out + len, p, wl);
			len += wl;
			out[len++] = ' ';
			out[len] = '\0';
		}
		p += wl;
		p += strspn(p, " ");
	}
	ret = snprintf(out + len, max - len, "harness.tests=%s harness.kexecd=1",
		       tests);
	return ret < 0 || (size_t)ret >= max - len ? -E2BIG : 0;
}

/* kexec -s -l: kexec_file_load(2); exit status, or a negative errno. */
static int kexec_load(const char *append)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		execlp("kexec", "kexec", "-s", "-l", KEXEC_KERNEL,
		       "--initrd=" KEXEC_INITRD, append, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int write_unlock(const char *val)
{
	int fd, ret = 0;

	fd = open(GATE "/unlock", O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

TEST(load)
{
	char append[CMDLINE_MAX + 32], arg[CMDLINE_MAX + 64], state[32];

	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("locked", state);
	ASSERT_TRUE(kmsg_has("SetVirtualAddressMap() deferred to the first unlock"));
	/* The firmware has no virtual map yet: none is exported. */
	ASSERT_TRUE(exists("/sys/firmware/efi/systab"));
	ASSERT_FALSE(exists("/sys/firmware/efi/runtime-map"));

	ASSERT_EQ(0, next_cmdline(append, sizeof(append)));
	snprintf(arg, sizeof(arg), "--append=%s", append);
	printf("# kexec -s -l %s --initrd=%s '%s'\n", KEXEC_KERNEL, KEXEC_INITRD,
	       arg);
	ASSERT_EQ(0, kexec_load(arg));
	ASSERT_LE(0, read_text("/sys/kernel/kexec_loaded", state, sizeof(state)));
	ASSERT_STREQ("1", state);
	ASSERT_TRUE(kmsg_has(NO_EFI_LOG));
	/* Loading changed nothing here. */
	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("locked", state);
	ASSERT_EQ(0, close(open(KEXEC_FLAG, O_WRONLY | O_CREAT, 0600)));
}

TEST(load_unlocked)
{
	char append[CMDLINE_MAX + 32], arg[CMDLINE_MAX + 64], state[32];

	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("locked", state);
	ASSERT_EQ(0, write_unlock("1"));
	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("unlocked", state);
	ASSERT_TRUE(kmsg_has("SetVirtualAddressMap() done at the first unlock"));
	/* The late SetVirtualAddressMap() exported the map, for kexec_load(). */
	ASSERT_TRUE(exists("/sys/firmware/efi/runtime-map/0/virt_addr"));

	ASSERT_EQ(0, next_cmdline(append, sizeof(append)));
	snprintf(arg, sizeof(arg), "--append=%s", append);
	ASSERT_EQ(0, kexec_load(arg));
	ASSERT_LE(0, read_text("/sys/kernel/kexec_loaded", state, sizeof(state)));
	ASSERT_STREQ("1", state);
	ASSERT_FALSE(kmsg_has("the next kernel boots without EFI"));
	ASSERT_EQ(0, close(open(KEXEC_FLAG, O_WRONLY | O_CREAT, 0600)));
}

TEST(efi_kexecd)
{
	char cmdline[CMDLINE_MAX], state[32], v[8];
	struct statvfs sv;

	ASSERT_LE(0, read_text("/proc/cmdline", cmdline, sizeof(cmdline)));
	ASSERT_NE(NULL, cmdline_value(cmdline, "harness.kexecd=", v, sizeof(v)));
	ASSERT_TRUE(exists("/sys/firmware/efi/systab"));
	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("locked", state);
	ASSERT_FALSE(kmsg_has("SetVirtualAddressMap() deferred"));
	/*
	 * Locked: efivarfs serves the variable snapshot of the boot that
	 * kexec'ed this kernel (its table survives as ACPI reclaim memory),
	 * read-only, without the firmware.
	 */
	ASSERT_EQ(0, mount("efivarfs", EFIVARS, "efivarfs", 0, NULL));
	ASSERT_EQ(0, statvfs(EFIVARS, &sv));
	ASSERT_TRUE(sv.f_flag & ST_RDONLY) TH_LOG("efivarfs writable while locked");
	ASSERT_EQ(0, umount(EFIVARS));
}

TEST(unlock_kexecd)
{
	char state[32], buf[64];
	int fd;

	ASSERT_EQ(0, write_unlock("1"));
	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("unlocked", state);
	ASSERT_EQ(0, mount("efivarfs", EFIVARS, "efivarfs", 0, NULL));
	fd = open(BOOTORDER, O_RDONLY);
	ASSERT_LE(0, fd);
	/* 4 bytes of attributes and at least one 2-byte entry */
	ASSERT_LE(6, read(fd, buf, sizeof(buf)));
	close(fd);
}

#define LOADER_GUID	"4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

/* Does efivarfs variable @name hold the UCS-2 string @text (no NUL)? */
static bool efivar_is(const char *name, const char *text)
{
	char path[256], buf[256];
	size_t i, len = strlen(text);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), EFIVARS "/%s-" LOADER_GUID, name);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("# %s: %s\n", path, strerror(errno));
		return false;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	/* 4 bytes of attributes, then the UCS-2 text */
	if (n != (ssize_t)(4 + 2 * len)) {
		printf("# %s: %zd bytes\n", path, n);
		return false;
	}
	for (i = 0; i < len; i++)
		if (buf[4 + 2 * i] != text[i] || buf[5 + 2 * i])
			return false;
	return true;
}

TEST(efibc_kexecd)
{
	int ret = mount("efivarfs", EFIVARS, "efivarfs", 0, NULL);

	ASSERT_TRUE(!ret || errno == EBUSY) TH_LOG("efivarfs: %s", strerror(errno));
	ASSERT_TRUE(efivar_is("LoaderEntryRebootReason", "reboot"))
		TH_LOG("efibc did not record the first kernel's kexec reboot");
	ASSERT_TRUE(efivar_is("LoaderEntryOneShot", "kexec reboot"));
}

TEST(second_kernel)
{
	char cmdline[CMDLINE_MAX], v[8];

	ASSERT_LE(0, read_text("/proc/cmdline", cmdline, sizeof(cmdline)));
	ASSERT_NE(NULL, cmdline_value(cmdline, "harness.kexecd=", v, sizeof(v)));
	ASSERT_STREQ("1", v);
	ASSERT_TRUE(kmsg_has("efi_rt_gate=locked"));
}

TEST(no_efi)
{
	ASSERT_FALSE(exists("/sys/firmware/efi"));
	ASSERT_TRUE(kmsg_has("efi_rt_gate: runtime services disabled (not booted via EFI)"));
}

TEST(gate_files)
{
	char state[32];
	ssize_t n;
	int fd;

	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("disabled", state);
	fd = open(GATE "/unlock", O_WRONLY);
	ASSERT_LE(0, fd);
	n = write(fd, "1", 1);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("disabled", state);
}

TEST(no_oops)
{
	static const char * const bad[] = {
		"Oops", "BUG:", "WARNING:", "general protection fault",
		"Call Trace:", "efi: Froze efi_rts_wq",
	};
	char *log = kmsg_all();
	size_t i;

	ASSERT_NE(NULL, log);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(NULL, strstr(log, bad[i])) {
			TH_LOG("kernel log has '%s'", bad[i]);
		}
	}
	free(log);
}

TEST_HARNESS_MAIN

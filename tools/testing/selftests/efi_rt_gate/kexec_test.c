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
 * and a relock before the kexec, and a kexec after that (scenario
 * kexec-relock):
 *
 *   load_relock    first kernel: unlock, no freed boot-services region in
 *                  the runtime map, load a kernel with the default policy
 *                  (no efi_rt_gate=), relock, keep PCR 9 on the disk
 *   policy_kexecd  that kernel withheld runtime services until it measured
 *                  its own policy (unlocked): one boot record, flagged
 *                  kexec, and PCR 9 is the relocked PCR folded with it
 *   memory_kexecd  MemTotal did not drop by the boot-services footprint
 *                  since the kernel before (harness.memtotal_kb=)
 *   load_again     load a third kernel (it runs memory_kexecd again)
 *
 * The second kernel's tests come from harness.kexec_tests= on the first
 * kernel's command line (run-scenario.py "after_kexec:"), a third
 * kernel's from harness.kexec_tests2= ("after_kexec2:"); the loads pass
 * the rest of the command line on unchanged (load_relock without
 * efi_rt_gate=).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../kselftest_harness.h"
#include "test_util.h"
#include "tpm2_util.h"

#define GATE		"/sys/kernel/security/efi_rt"
#define KEXEC_KERNEL	"/kexec/bzImage"
#define KEXEC_INITRD	"/kexec/initrd.cpio.gz"
#define KEXEC_FLAG	"/run/harness-kexec"
#define EFIVARS		"/sys/firmware/efi/efivars"
#define BOOTORDER	EFIVARS "/BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define CMDLINE_MAX	4096
/* arch/x86/kernel/kexec-bzimage64.c, when it passes no EFI */
#define NO_EFI_LOG	"EFI runtime services are off " \
	"(SetVirtualAddressMap() deferred by the EFI runtime gate): " \
	"the next kernel boots without EFI"

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
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
 * The next kernel's command line: this one without the harness's own
 * parameters, with harness.tests=<harness.kexec_tests>, the tests of the
 * kernel after it (harness.kexec_tests2=) as its harness.kexec_tests=,
 * the marker harness.kexecd=1 and @extra; without efi_rt_gate= if
 * @drop_policy (the next kernel then has the default policy).
 */
static int next_cmdline(char *out, size_t max, const char *extra,
			bool drop_policy)
{
	static const char * const drop[] = {
		"harness.tests=", "harness.kexec_tests=", "harness.kexec_tests2=",
		"harness.kexecd=", "harness.memtotal_kb=", "efi_rt_gate=",
	};
	char cmdline[CMDLINE_MAX], tests[CMDLINE_MAX], tests2[CMDLINE_MAX];
	const char *p = cmdline;
	size_t len = 0, i, n = ARRAY_SIZE(drop) - !drop_policy;
	bool keep;
	int ret;

	ret = read_text("/proc/cmdline", cmdline, sizeof(cmdline));
	if (ret < 0)
		return ret;
	if (!cmdline_value(cmdline, "harness.kexec_tests=", tests, sizeof(tests)))
		return -ENOENT;
	out[0] = '\0';
	while (*p) {
		size_t wl = strcspn(p, " ");

		keep = true;
		for (i = 0; i < n; i++)
			if (!strncmp(p, drop[i], strlen(drop[i])))
				keep = false;
		if (keep) {
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
	if (cmdline_value(cmdline, "harness.kexec_tests2=", tests2,
			  sizeof(tests2)))
		ret = snprintf(out + len, max - len,
			       "harness.tests=%s harness.kexec_tests=%s harness.kexecd=1 %s",
			       tests, tests2, extra);
	else
		ret = snprintf(out + len, max - len,
			       "harness.tests=%s harness.kexecd=1 %s", tests,
			       extra);
	return ret < 0 || (size_t)ret >= max - len ? -E2BIG : 0;
}

/* MemTotal in /proc/meminfo, in KiB, or -1 */
static long memtotal_kb(void)
{
	char buf[4096], *p;
	int ret;

	ret = read_text("/proc/meminfo", buf, sizeof(buf));
	if (ret < 0)
		return -1;
	p = strstr(buf, "MemTotal:");
	return p ? strtol(p + 9, NULL, 10) : -1;
}

/*
 * Entries of /sys/firmware/efi/runtime-map that describe boot-services
 * memory (EfiBootServicesCode or Data without EFI_MEMORY_RUNTIME), which
 * a SetVirtualAddressMap() freed: the next kernel would reserve them
 * again.  The count, or -errno.
 */
static int runtime_map_freed_bs(void)
{
	char path[128], v[32];
	unsigned long type;
	unsigned long long attr;
	int i, n = 0, ret;

	for (i = 0; ; i++) {
		snprintf(path, sizeof(path),
			 "/sys/firmware/efi/runtime-map/%d/type", i);
		ret = read_text(path, v, sizeof(v));
		if (ret == -ENOENT)
			break;
		if (ret < 0)
			return ret;
		type = strtoul(v, NULL, 0);
		snprintf(path, sizeof(path),
			 "/sys/firmware/efi/runtime-map/%d/attribute", i);
		ret = read_text(path, v, sizeof(v));
		if (ret < 0)
			return ret;
		attr = strtoull(v, NULL, 0);
		/* EfiBootServicesCode 3, Data 4; EFI_MEMORY_RUNTIME bit 63 */
		if ((type == 3 || type == 4) && !(attr >> 63)) {
			printf("# runtime-map/%d: boot-services type %lu attr %#llx\n",
			       i, type, attr);
			n++;
		}
	}
	return i ? n : -ENOENT;
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

/*
 * Load the next kernel with this command line (see next_cmdline()) and
 * this kernel's MemTotal, and leave the flag that makes /init kexec it.
 */
static int load_next(bool drop_policy)
{
	char append[CMDLINE_MAX + 32], arg[CMDLINE_MAX + 64], extra[64];
	int ret;

	snprintf(extra, sizeof(extra), "harness.memtotal_kb=%ld", memtotal_kb());
	ret = next_cmdline(append, sizeof(append), extra, drop_policy);
	if (ret)
		return ret;
	snprintf(arg, sizeof(arg), "--append=%s", append);
	printf("# kexec -s -l %s --initrd=%s '%s'\n", KEXEC_KERNEL,
	       KEXEC_INITRD, arg);
	ret = kexec_load(arg);
	if (ret)
		return ret;
	return close(open(KEXEC_FLAG, O_WRONLY | O_CREAT, 0600));
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

	ASSERT_EQ(0, next_cmdline(append, sizeof(append), "", false));
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

	ASSERT_EQ(0, next_cmdline(append, sizeof(append), "", false));
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

/*
 * Unlock (the late SetVirtualAddressMap() frees the boot-services memory),
 * load a kernel with the default policy, relock, and kexec it: the
 * runtime map hands on no freed boot-services region, and the PCR after
 * the relock is kept on the "sealed" partition for policy_kexecd.
 */
TEST(load_relock)
{
	char state[32], dev[DEV_MAX], disk[DEV_MAX], hex[2 * 32 + 2];
	uint8_t pcr[32];
	int fd, partn, i;

	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("locked", state);
	ASSERT_EQ(0, write_unlock("1"));
	ASSERT_TRUE(kmsg_has("SetVirtualAddressMap() done at the first unlock"));
	ASSERT_TRUE(kmsg_has("Freeing EFI boot services memory"));
	/* Go on: the kernels after this one show what that costs. */
	EXPECT_EQ(0, runtime_map_freed_bs())
		TH_LOG("the runtime map hands freed boot-services memory on");
	printf("# MemTotal after the unlock: %ld kB\n", memtotal_kb());
	ASSERT_EQ(0, load_next(true));
	ASSERT_FALSE(kmsg_has("the next kernel boots without EFI"));

	ASSERT_EQ(0, write_unlock("0"));
	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("locked", state);
	ASSERT_EQ(32, sysfs_pcr_read("sha256", 9, pcr, sizeof(pcr)));
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", pcr[i]);
	printf("# PCR 9 after the relock: %s\n", hex);
	ASSERT_EQ(0, find_partition("sealed", dev, disk, &partn));
	fd = open(dev, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(64, pwrite(fd, hex, 64, 0));
	ASSERT_EQ(0, fsync(fd));
	close(fd);
}

static int unhex_byte(const char *p)
{
	unsigned int v;

	return sscanf(p, "%2x", &v) == 1 ? (int)v : -1;
}

/*
 * The kernel kexec'ed after the relock, with the default policy (auto, no
 * secure launch: unlocked): the EFI stub did not run, so the kernel
 * measured its policy itself before runtime services were enabled, in a
 * record of its own.  PCR 9 is the PCR after the relock folded with that
 * record, so a verifier sees that this kernel enabled them.
 */
TEST(policy_kexecd)
{
	char cmdline[CMDLINE_MAX], log[4096], state[32], dev[DEV_MAX];
	char disk[DEV_MAX], hex[65], v[8], *rec, *d;
	uint8_t fold[64], want[32], now[32];
	unsigned int n = 0;
	int fd, partn, i;
	char *p;

	ASSERT_LE(0, read_text("/proc/cmdline", cmdline, sizeof(cmdline)));
	ASSERT_NE(NULL, cmdline_value(cmdline, "harness.kexecd=", v, sizeof(v)));
	ASSERT_EQ(NULL, strstr(cmdline, "efi_rt_gate="));
	ASSERT_TRUE(kmsg_has("withheld until this kexec'ed kernel's policy is measured"));
	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("unlocked", state);

	/* One record: the boot, with the kexec flag, after=unlocked */
	ASSERT_LE(0, read_text(GATE "/ascii_measurements", log, sizeof(log)));
	printf("# %s\n", log);
	for (p = log; (p = strchr(p, '\n')); p++)
		n++;
	ASSERT_EQ(0, n) TH_LOG("more than one record");
	ASSERT_NE(NULL, strstr(log, " op=boot before=none after=unlocked flags=0x04 reason=4 "));
	rec = strstr(log, " sha256:");
	ASSERT_NE(NULL, rec);
	d = rec + 8;

	ASSERT_EQ(0, find_partition("sealed", dev, disk, &partn));
	fd = open(dev, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(64, pread(fd, hex, 64, 0));
	close(fd);
	hex[64] = '\0';
	for (i = 0; i < 32; i++) {
		int a = unhex_byte(hex + 2 * i), b = unhex_byte(d + 2 * i);

		ASSERT_LE(0, a);
		ASSERT_LE(0, b);
		fold[i] = a;
		fold[32 + i] = b;
	}
	ASSERT_EQ(1, EVP_Digest(fold, sizeof(fold), want, NULL, EVP_sha256(),
				NULL));
	ASSERT_EQ(32, sysfs_pcr_read("sha256", 9, now, sizeof(now)));
	ASSERT_EQ(0, memcmp(want, now, sizeof(now)))
		TH_LOG("PCR 9 is not the relocked PCR (%.16s...) folded with the boot record", hex);
}

/*
 * The kernel before this one wrote its MemTotal (after it freed the
 * boot-services memory) on the command line: this one must not have lost
 * the boot-services footprint to a runtime map that still described it.
 */
TEST(memory_kexecd)
{
	char cmdline[CMDLINE_MAX], v[32];
	long before, now = memtotal_kb();

	ASSERT_LE(0, read_text("/proc/cmdline", cmdline, sizeof(cmdline)));
	ASSERT_NE(NULL, cmdline_value(cmdline, "harness.memtotal_kb=", v, sizeof(v)));
	before = strtol(v, NULL, 10);
	printf("# MemTotal: %ld kB in the kernel that kexec'ed this one, %ld kB here\n",
	       before, now);
	ASSERT_LT(0, now);
	/* OVMF's boot-services footprint is 40-50 MiB */
	ASSERT_GT(8 * 1024, before - now)
		TH_LOG("%ld kB less memory than the kernel before", before - now);
}

/* Kexec once more, with EFI (runtime services are on): a third kernel */
TEST(load_again)
{
	char state[32];

	ASSERT_LE(0, read_text(GATE "/state", state, sizeof(state)));
	ASSERT_STREQ("unlocked", state);
	ASSERT_EQ(0, runtime_map_freed_bs());
	ASSERT_EQ(0, load_next(false));
	ASSERT_FALSE(kmsg_has("the next kernel boots without EFI"));
}

TEST_HARNESS_MAIN

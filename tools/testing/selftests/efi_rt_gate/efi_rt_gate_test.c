// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the EFI runtime gate: /sys/kernel/security/efi_rt/.
 *
 * What the boot was meant to produce comes from the environment (the
 * kernel passes unknown NAME=value command-line parameters to init):
 *
 *   EXPECT_STATE=locked|unlocked|disabled   state at boot
 *   EXPECT_PCR=N                            the effective PCR
 *   EXPECT_TPM=0|1                          a TPM is (not) attached
 *   EXPECT_PCR_WARNING=text                 dmesg must contain text
 *   EXPECT_TPM2_TOOLS=1                     tpm2_eventlog must be present
 *   EXPECT_EFIBOOTMGR=1                     efibootmgr must be present
 *   EXPECT_NOUNLOCK=1                       booted with efi_rt_gate_nounlock
 *   EXPECT_SVAM_FAIL=1                      booted with fail_efi_rt_gate_svam
 *   EXPECT_CPUS=N                           N CPUs online (fw_entries)
 *   EXPECT_SLAUNCH=emulated|none            secure launch (emulated) or not
 *   EXPECT_TPM_BANKS=sha1,sha256,...        the TPM's banks, in its order
 *   EXPECT_DRTM_BANKS=sha1,sha256           the DRTM log header's banks, in order
 *                                           (unset: the TPM's banks)
 *   EXPECT_UNLOCK_ERRNO=N                   errno of a refused unlock
 *   EXPECT_RTCODE_HOST=1                    the harness hashes the runtime
 *                                           code at the first unlock
 *   EXPECT_SUBJ=context                     the writer's LSM context, which
 *                                           the audit records carry as subj=
 *
 * Unset expectations are not checked.  Expected PCR values are never
 * hard-coded: they are computed by folding the digests of the log into the
 * values read before, and compared with what the TPM reports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "test_util.h"
#include "log_util.h"
#include "tpm2_util.h"

#define GATE		"/sys/kernel/security/efi_rt"
#define UNLOCK		GATE "/unlock"
#define BIN_LOG		GATE "/binary_measurements"
#define ASCII_LOG	GATE "/ascii_measurements"
#define FW_LOG		"/sys/kernel/security/tpm0/binary_bios_measurements"
#define SL_DIR		"/sys/kernel/security/slaunch"
#define DRTM_LOG	SL_DIR "/eventlog"
#define LAUNCH_DATA	"Linux emulated Intel TXT secure launch v1"
#define EFIVARFS	"/sys/firmware/efi/efivars"
#define GLOBAL_GUID	"8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define TEST_GUID	"5b8e3c2a-0f4d-4c1e-9a57-e1f7a9c0b4d2"
#define EFIVARS_BOOTORDER EFIVARFS "/BootOrder-" GLOBAL_GUID
#define RACERS		64
#define TAINTED		"/proc/sys/kernel/tainted"
#define TAINT_USER_BIT	0x40UL	/* bit 6: TAINT_USER, 'U' */

/* Everything a write to unlock could change. */
struct snapshot {
	char state[16];
	unsigned int pcr;
	int nr_banks;
	uint16_t alg[LOG_MAX_BANKS];
	uint8_t value[LOG_MAX_BANKS][TPM_MAX_DIGEST];
	struct event_log log;
};

static void gate_state(char *buf, size_t max)
{
	if (read_text(GATE "/state", buf, max) < 0)
		snprintf(buf, max, "(unreadable)");
}

/* /proc/sys/kernel/tainted; all bits set if it cannot be read */
static unsigned long tainted(void)
{
	unsigned long t;
	FILE *f = fopen(TAINTED, "r");

	if (!f)
		return ~0UL;
	if (fscanf(f, "%lu", &t) != 1)
		t = ~0UL;
	fclose(f);
	return t;
}

static unsigned int gate_pcr(void)
{
	char buf[16];

	if (read_text(GATE "/pcr", buf, sizeof(buf)) < 0)
		return ~0u;
	return strtoul(buf, NULL, 10);
}

/* Write @len bytes of @data to unlock at @off; 0 or -errno. */
static int gate_write(const void *data, size_t len, off_t off)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(UNLOCK, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = off ? pwrite(fd, data, len, off) : write(fd, data, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EMSGSIZE;
	close(fd);
	return ret;
}

static int take_snapshot(struct snapshot *s)
{
	int i, n;

	memset(s, 0, sizeof(*s));
	gate_state(s->state, sizeof(s->state));
	s->pcr = gate_pcr();
	if (tpm_present()) {
		s->nr_banks = sysfs_banks(s->alg, LOG_MAX_BANKS);
		for (i = 0; i < s->nr_banks; i++) {
			n = sysfs_pcr_read(tpm2_alg_name(s->alg[i]), s->pcr,
					   s->value[i], TPM_MAX_DIGEST);
			if (n != (int)tpm2_alg_size(s->alg[i])) {
				/* The TPM no longer answers. */
				s->nr_banks = -1;
				memset(s->value, 0, sizeof(s->value));
				break;
			}
		}
	}
	return log_load(&s->log, BIN_LOG);
}

static void free_snapshot(struct snapshot *s)
{
	log_free(&s->log);
}

/* Did nothing change between @a and @b? */
/* The same PCR values and log, whatever the state */
static int measured_equal(const struct snapshot *a, const struct snapshot *b)
{
	return a->pcr == b->pcr && a->nr_banks == b->nr_banks &&
		!memcmp(a->value, b->value, sizeof(a->value)) &&
		a->log.len == b->log.len &&
		!memcmp(a->log.buf, b->log.buf, a->log.len);
}

static int snapshot_equal(const struct snapshot *a, const struct snapshot *b)
{
	return !strcmp(a->state, b->state) && a->pcr == b->pcr &&
		a->nr_banks == b->nr_banks &&
		!memcmp(a->value, b->value, sizeof(a->value)) &&
		a->log.len == b->log.len &&
		!memcmp(a->log.buf, b->log.buf, a->log.len);
}

static int record_event(const struct log_record *r, struct gate_event *ev);
static int dmesg_has(const char *who, const char *text);

/*
 * Did exactly @n records get appended from @a to @b, with every bank of the
 * PCR in @b equal to @a's value folded with the new records' digests?
 * After a launch whose TPM driver probed after the gate started (a module,
 * as on the debug kernel), the boot record is measured with the gate's
 * first transition, before it: one more record, the first of the log.
 */
static void check_folded(struct __test_metadata *_metadata,
			 const struct snapshot *a, const struct snapshot *b,
			 unsigned int n)
{
	uint8_t want[TPM_MAX_DIGEST];
	struct gate_event ev;
	unsigned int r;
	int i, bank;

	if (a->pcr >= 17 && !a->log.nr_records && b->log.nr_records) {
		ASSERT_TRUE(dmesg_has("efi_rt_gate: ", "no TPM yet"))
			TH_LOG("no boot record, yet the TPM was there at boot");
		ASSERT_EQ(0, record_event(&b->log.rec[0], &ev));
		ASSERT_EQ(GATE_OP_BOOT, ev.op);
		n++;
	}
	ASSERT_EQ(a->log.nr_records + n, b->log.nr_records);
	ASSERT_EQ(0, memcmp(a->log.buf, b->log.buf, a->log.len))
		TH_LOG("the log changed instead of growing");
	ASSERT_LT(0, a->nr_banks);
	for (i = 0; i < a->nr_banks; i++) {
		bank = log_bank_index(&b->log, a->alg[i]);
		ASSERT_LE(0, bank) TH_LOG("bank %s not in the log", tpm2_alg_name(a->alg[i]));
		memcpy(want, a->value[i], sizeof(want));
		for (r = a->log.nr_records; r < b->log.nr_records; r++) {
			ASSERT_EQ(a->pcr, b->log.rec[r].pcr);
			ASSERT_EQ(0, pcr_fold(a->alg[i], want, b->log.rec[r].digest[bank]));
		}
		ASSERT_EQ(0, memcmp(want, b->value[i], tpm2_alg_size(a->alg[i])))
			TH_LOG("PCR %u %s is not old value folded with %u record(s)",
			       a->pcr, tpm2_alg_name(a->alg[i]), n);
	}
}

/* Decode a gate record strictly; 0 or -1 (with the reason on stdout). */
static int record_event(const struct log_record *r, struct gate_event *ev)
{
	char err[128];

	if (r->type != EV_EVENT_TAG ||
	    gate_event_decode(r->event, r->event_size, ev, err, sizeof(err))) {
		printf("# record at offset %zu: %s\n", r->offset,
		       r->type != EV_EVENT_TAG ? "not EV_EVENT_TAG" : err);
		return -1;
	}
	return 0;
}

static const char *state_code_name(uint8_t s)
{
	switch (s) {
	case GATE_STATE_DISABLED: return "disabled";
	case GATE_STATE_LOCKED: return "locked";
	case GATE_STATE_UNLOCKED: return "unlocked";
	default: return "none";
	}
}

static int efivar_roundtrip(void)
{
	const char *path = EFIVARFS "/EfiRtGateTest-" TEST_GUID;
	uint8_t out[4 + 16] = { 7, 0, 0, 0 }, in[64];
	int fd, flags, i;
	ssize_t n;

	for (i = 4; i < (int)sizeof(out); i++)
		out[i] = i * 37 + getpid();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, out, sizeof(out));
	close(fd);
	if (n != sizeof(out))
		return -EIO;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, in, sizeof(in));
	if (n == sizeof(out) && !memcmp(in, out, n) &&
	    ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		flags &= ~FS_IMMUTABLE_FL;
		ioctl(fd, FS_IOC_SETFLAGS, &flags);
		n = 0;
	} else {
		n = -EBADMSG;
	}
	close(fd);
	if (!n && unlink(path))
		n = -errno;
	return n;
}

/* Did @who log @text (not merely the command line echo it)? */
static int dmesg_has(const char *who, const char *text)
{
	static char buf[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	char *line, *save;

	if (n < 0)
		return 0;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '<' && strchr(line, '>'))
			line = strchr(line, '>') + 1;
		if (!strncmp(line, who, strlen(who)) && strstr(line, text))
			return 1;
	}
	return 0;
}

/*
 * Did this boot defer SetVirtualAddressMap() to the first unlock?  The
 * kernel says so at boot; after many transitions (gate-stress) the ring
 * buffer no longer holds the boot, and a boot that started locked is what
 * defers it.
 */
static int svam_deferred_at_boot(void)
{
	const char *state = env("EXPECT_STATE");

	if (dmesg_has("efi: ", "SetVirtualAddressMap() deferred"))
		return 1;
	if (dmesg_has("", "Linux version "))
		return 0;
	return state && !strcmp(state, "locked") && !env("EXPECT_NOUNLOCK");
}

/* The second serial port, where the harness answers "@@HOOK" markers */
#define HARNESS_TTY	"/dev/ttyS1"

/*
 * The harness's SHA-256 of the runtime-services code (EXPECT_RTCODE_HOST),
 * asked for by this process just before the first unlock of the boot, or
 * "".
 */
static char host_rtcode[2 * 32 + 1];

/*
 * Ask the harness to hash the runtime-services code itself: on
 * "@@HOOK rtcode@@" run-scenario.py pauses the VM, reads the
 * EfiRuntimeServicesCode ranges of the firmware's memory map, as the kernel
 * printed it at boot (efi=debug), from guest physical memory, hashes them as
 * rtcode.c documents and answers "ack rtcode=HEX" on HARNESS_TTY.  The
 * unlock has not run SetVirtualAddressMap() yet: the host reads the bytes
 * that the kernel is about to hash, through neither the kernel's memory map
 * nor its code.
 */
static void ask_host_rtcode(struct __test_metadata *_metadata)
{
	struct pollfd p = { .events = POLLIN };
	char line[160];
	struct termios t;
	size_t n = 0;
	ssize_t r;

	p.fd = open(HARNESS_TTY, O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, p.fd) TH_LOG("%s: %s", HARNESS_TTY, strerror(errno));
	ASSERT_EQ(0, tcgetattr(p.fd, &t));
	cfmakeraw(&t);
	ASSERT_EQ(0, tcsetattr(p.fd, TCSANOW, &t));
	ASSERT_EQ(0, tcflush(p.fd, TCIFLUSH));
	printf("@@HOOK rtcode@@\n");
	fflush(stdout);
	while (!n || line[n - 1] != '\n') {
		ASSERT_LT(n, sizeof(line) - 1) TH_LOG("harness answered '%.*s'", (int)n, line);
		ASSERT_EQ(1, poll(&p, 1, 60000))
			TH_LOG("no answer from the harness on %s", HARNESS_TTY);
		r = read(p.fd, line + n, sizeof(line) - 1 - n);
		ASSERT_LT(0, r) TH_LOG("%s: %s", HARNESS_TTY, strerror(errno));
		n += r;
	}
	close(p.fd);
	line[n] = 0;
	ASSERT_TRUE(!strncmp(line, "ack rtcode=", 11) &&
		    strspn(line + 11, "0123456789abcdef") == 64 && line[11 + 64] == '\n')
		TH_LOG("harness answered '%s'", line);
	memcpy(host_rtcode, line + 11, 64);
}

/*
 * The typed digests of a gate event: none, except in the first unlock
 * of a boot that deferred SetVirtualAddressMap(), which carries exactly
 * one SHA-256 of the runtime-services code: the harness's own hash of
 * that memory, if this process asked for it (EXPECT_RTCODE_HOST); and in
 * a boot record of a kernel holding a variable snapshot, which carries
 * the SHA-256 of the variables the keyrings trust.
 */
static void check_event_digests(struct __test_metadata *_metadata,
				const struct gate_event *ev, int first_unlock)
{
	char hex[2 * 32 + 1];
	int i;

	if (ev->op == GATE_OP_BOOT && ev->nr_digests) {
		/* drtm_trusted_vars checks the value */
		ASSERT_EQ(1, ev->nr_digests) TH_LOG("seq %u", ev->seq);
		ASSERT_EQ(GATE_DIGEST_TRUSTED_VARS, ev->digest[0].type);
		ASSERT_EQ(TPM2_ALG_SHA256, ev->digest[0].alg);
		ASSERT_EQ(32, ev->digest[0].size);
		return;
	}
	if (!(first_unlock && ev->op == GATE_OP_UNLOCK && svam_deferred_at_boot())) {
		ASSERT_EQ(0, ev->nr_digests) TH_LOG("seq %u", ev->seq);
		return;
	}
	ASSERT_EQ(1, ev->nr_digests) TH_LOG("first unlock after a deferred SVAM: no rtcode digest");
	ASSERT_EQ(GATE_DIGEST_RT_CODE, ev->digest[0].type);
	ASSERT_EQ(TPM2_ALG_SHA256, ev->digest[0].alg);
	ASSERT_EQ(32, ev->digest[0].size);
	if (!host_rtcode[0])
		return;
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", ev->digest[0].data[i]);
	ASSERT_STREQ(host_rtcode, hex)
		TH_LOG("the record's rtcode digest is not the host's hash of that code");
}

/* BootOrder as efivarfs shows it, or -errno */
static ssize_t read_bootorder(uint8_t *buf, size_t len)
{
	int fd = open(EFIVARS_BOOTORDER, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/* BootOrder served from the variable snapshot while locked */
static uint8_t locked_bootorder[64];
static ssize_t locked_bootorder_len = -1;

/*
 * While locked, efivarfs serves the EFI stub's variable snapshot: it
 * mounts, read-only, reads give the boot-time values, writes and creates
 * fail with EROFS and the kernel says once how to unlock.
 */
static void expect_ro_efivarfs(struct __test_metadata *_metadata, int message)
{
	struct statvfs sv;
	uint8_t buf[64];
	ssize_t n;
	int fd;

	ASSERT_EQ(0, mount_efivarfs());
	ASSERT_EQ(0, statvfs(EFIVARFS, &sv));
	ASSERT_TRUE(sv.f_flag & ST_RDONLY) TH_LOG("efivarfs is writable while locked");
	n = read_bootorder(buf, sizeof(buf));
	ASSERT_LE(6, n) TH_LOG("BootOrder from the snapshot: %s", strerror(-n));
	if (locked_bootorder_len < 0) {
		memcpy(locked_bootorder, buf, n);
		locked_bootorder_len = n;
	}
	ASSERT_EQ(locked_bootorder_len, n);
	ASSERT_EQ(0, memcmp(locked_bootorder, buf, n));
	fd = open(EFIVARFS "/EfiRtGateTest-" TEST_GUID, O_WRONLY | O_CREAT, 0600);
	ASSERT_GT(0, fd) TH_LOG("created a variable while locked");
	ASSERT_EQ(EROFS, errno);
	fd = open(EFIVARS_BOOTORDER, O_WRONLY);
	ASSERT_GT(0, fd) TH_LOG("opened BootOrder for writing while locked");
	ASSERT_EQ(EROFS, errno);
	if (message)
		ASSERT_TRUE(dmesg_has("efivarfs: ", "/sys/kernel/security/efi_rt/unlock"))
			TH_LOG("no message naming the unlock file");
}

static void expect_locked_ro_efivarfs(struct __test_metadata *_metadata)
{
	expect_ro_efivarfs(_metadata, 1);
}

static int set_caps_without(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &h, d);
}

static int tpm_expected(void)
{
	return env("EXPECT_TPM") ? atoi(env("EXPECT_TPM")) : -1;
}

TEST(boot_state)
{
	static const struct { const char *name; mode_t mode; } files[] = {
		{ "unlock", 0200 }, { "state", 0444 }, { "pcr", 0444 },
		{ "binary_measurements", 0440 }, { "ascii_measurements", 0440 },
	};
	struct event_log log;
	struct gate_event ev;
	char state[16], text[256];
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(text, sizeof(text), GATE "/%s", files[i].name);
		ASSERT_EQ(0, stat(text, &st)) TH_LOG("%s: %s", text, strerror(errno));
		ASSERT_EQ(files[i].mode, st.st_mode & 07777) TH_LOG("%s mode", text);
	}

	gate_state(state, sizeof(state));
	ASSERT_TRUE(!strcmp(state, "locked") || !strcmp(state, "unlocked") ||
		    !strcmp(state, "disabled")) TH_LOG("state '%s'", state);
	if (env("EXPECT_STATE"))
		ASSERT_STREQ(env("EXPECT_STATE"), state);
	if (env("EXPECT_PCR"))
		ASSERT_EQ(strtoul(env("EXPECT_PCR"), NULL, 10), gate_pcr());
	if (env("EXPECT_PCR_WARNING"))
		ASSERT_TRUE(dmesg_has("efi_rt_gate: ", env("EXPECT_PCR_WARNING")))
			TH_LOG("dmesg lacks '%s'", env("EXPECT_PCR_WARNING"));

	ASSERT_EQ(0, log_load(&log, BIN_LOG)) TH_LOG("%s", log.error);
	if (tpm_expected() == 0 || !tpm_present()) {
		ASSERT_NE(1, tpm_expected());
		ASSERT_EQ(0, log.len) TH_LOG("a log without a TPM");
	} else if (!log.len && dmesg_has("efi_rt_gate: ", "no TPM yet")) {
		/*
		 * The TPM's driver probed after the gate started (a module, as
		 * on the debug kernel): the gate measures nothing, the boot
		 * record of a launch included, before it first uses the TPM
		 * (check_folded() then expects the boot record).
		 */
		ASSERT_EQ(0, log.nr_records);
	} else if (gate_pcr() >= 17) {
		/* After a launch the state at boot is measured, in the DRTM PCR. */
		ASSERT_EQ(1, log.nr_records);
		ASSERT_EQ(gate_pcr(), log.rec[0].pcr);
		ASSERT_EQ(0, record_event(&log.rec[0], &ev));
		ASSERT_EQ(GATE_OP_BOOT, ev.op);
		ASSERT_EQ(GATE_STATE_NONE, ev.before);
		ASSERT_STREQ(env("EXPECT_STATE") ? env("EXPECT_STATE") : state,
			     state_code_name(ev.after));
		ASSERT_EQ(1, ev.seq);
		ASSERT_EQ(gate_pcr(), ev.pcr);
	} else {
		/* Otherwise the stub measured the policy; the kernel nothing. */
		ASSERT_LT(0, log.len) TH_LOG("no Spec ID header");
		ASSERT_EQ(0, log.nr_records) TH_LOG("the kernel measured at boot");
	}
	log_free(&log);
}

TEST(efivarfs_follows_state)
{
	char state[16];
	uint8_t buf[64];
	int fd;

	gate_state(state, sizeof(state));
	if (!strcmp(state, "unlocked")) {
		ASSERT_EQ(0, mount_efivarfs());
		fd = open(EFIVARS_BOOTORDER, O_RDONLY);
		ASSERT_LE(0, fd);
		ASSERT_LE(6, read(fd, buf, sizeof(buf)));
		close(fd);
	} else if (!strcmp(state, "locked")) {
		expect_locked_ro_efivarfs(_metadata);
	} else {
		ASSERT_EQ(-EOPNOTSUPP, mount_efivarfs()) TH_LOG("state %s", state);
	}
}

/*
 * load_uefi_certs() ran while locked, from the EFI variable snapshot:
 * db's certificates (EXPECT_DB_CERTS, '|'-separated subjects) are in the
 * platform keyring, and dbx's hashes (EXPECT_DBX, '|'-separated
 * "bin:<sha256>" descriptions) in the blacklist.
 */
TEST(platform_certs_locked)
{
	char state[16], list[512], line[512], *name, *save, *p;
	FILE *f;
	int found;

	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state);
	ASSERT_NE(NULL, env("EXPECT_DB_CERTS"));
	ASSERT_TRUE(dmesg_has("integrity: ", "Loading X.509 certificate: UEFI:db"))
		TH_LOG("db was not read");
	snprintf(list, sizeof(list), "%s", env("EXPECT_DB_CERTS"));
	for (name = strtok_r(list, "|", &save); name; name = strtok_r(NULL, "|", &save)) {
		/* '_' for ' ' on the kernel command line */
		for (p = name; *p; p++)
			if (*p == '_')
				*p = ' ';
		snprintf(line, sizeof(line), "Loaded X.509 cert '%s", name);
		ASSERT_TRUE(dmesg_has("integrity: ", line)) TH_LOG("no '%s'", line);
	}
	if (!env("EXPECT_DBX"))
		return;
	snprintf(list, sizeof(list), "%s", env("EXPECT_DBX"));
	for (name = strtok_r(list, "|", &save); name; name = strtok_r(NULL, "|", &save)) {
		f = fopen("/proc/keys", "r");
		ASSERT_NE(NULL, f);
		found = 0;
		while (fgets(line, sizeof(line), f))
			found |= strstr(line, " blacklist ") && strstr(line, name);
		fclose(f);
		ASSERT_TRUE(found) TH_LOG("no blacklist key %s in /proc/keys", name);
	}
}

static const struct {
	const char *name;
	const char *data;
	size_t len;
	off_t off;
} bad_writes[] = {
	{ "empty", "", 0, 0 },
	{ "2", "2", 1, 0 },
	{ "11", "11", 2, 0 },
	{ "1 1", "1 1", 3, 0 },
	{ "yes", "yes", 3, 0 },
	{ "NUL", "\0", 1, 0 },
	{ "1 NUL", "1\0", 2, 0 },
	{ "NUL 1", "\0001", 2, 0 },
	{ "space 1", " 1", 2, 0 },
	{ "1 CR", "1\r", 2, 0 },
	{ "1 LF LF", "1\n\n", 3, 0 },
	{ "-1", "-1", 2, 0 },
	{ "1 at offset 1", "1", 1, 1 },
	{ "0 at offset 4096", "0", 1, 4096 },
	{ "4 KiB of garbage", NULL, 4096, 0 },
};

TEST(bad_input)
{
	struct snapshot before, after;
	static char garbage[4096];
	unsigned int i;
	int ret;

	memset(garbage, '1', sizeof(garbage));
	for (i = 0; i < ARRAY_SIZE(bad_writes); i++) {
		ASSERT_EQ(0, take_snapshot(&before));
		ASSERT_TRUE(!tpm_present() || before.nr_banks > 0);
		ret = gate_write(bad_writes[i].data ? bad_writes[i].data : garbage,
				 bad_writes[i].len, bad_writes[i].off);
		ASSERT_EQ(-EINVAL, ret) TH_LOG("write '%s': %d", bad_writes[i].name, ret);
		ASSERT_EQ(0, take_snapshot(&after));
		ASSERT_TRUE(snapshot_equal(&before, &after))
			TH_LOG("write '%s' changed state, PCR or log", bad_writes[i].name);
		free_snapshot(&before);
		free_snapshot(&after);
	}
}

TEST(privilege)
{
	struct snapshot before, after;
	int status, fd;
	pid_t pid;

	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_TRUE(!tpm_present() || before.nr_banks > 0);

	/* Root without CAP_SYS_ADMIN cannot open the file for writing. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (set_caps_without(CAP_SYS_ADMIN))
			_exit(10);
		fd = open(UNLOCK, O_WRONLY);
		_exit(fd < 0 && errno == EPERM ? 0 : 11);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("no-cap open: %d", WEXITSTATUS(status));

	/* Opened with the capability, written without it: still refused. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		fd = open(UNLOCK, O_WRONLY);
		if (fd < 0 || set_caps_without(CAP_SYS_ADMIN))
			_exit(10);
		_exit(write(fd, "1", 1) < 0 && errno == EPERM ? 0 : 11);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("no-cap write: %d", WEXITSTATUS(status));

	/* An unprivileged uid cannot open it at all. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = open(UNLOCK, O_WRONLY);
		_exit(fd < 0 && errno == EACCES ? 0 : 11);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("uid 65534 open: %d", WEXITSTATUS(status));

	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_TRUE(snapshot_equal(&before, &after));
	free_snapshot(&before);
	free_snapshot(&after);
}

/*
 * After a launch the kernel sends every TPM command from locality 2, set
 * once by the secure-launch code (the emulation here), and so do
 * /dev/tpmrm0 users: PCR 21 takes an extend only from locality 2 and a
 * reset from 2 or 4.  The gate's PCR (17-19) cannot be reset: that needs
 * locality 4.  At locality 0 (not_launched) PCR 21 refuses the extend.
 * The gate's own extends of PCR @p, which the TPM takes from localities
 * 2-4 only, are what unlock_relock and drtm_log_replays check.
 */
TEST(userspace_locality)
{
	uint8_t before[TPM_MAX_DIGEST], after[TPM_MAX_DIGEST], zero[32] = { 0 };
	unsigned int p = gate_pcr();

	ASSERT_LE(17, p);
	ASSERT_GE(19, p);
	ASSERT_EQ(32, sysfs_pcr_read("sha256", p, before, sizeof(before)));
	ASSERT_EQ(0, tpm2_pcr_extend(21, TPM2_ALG_SHA256, zero, 32))
		TH_LOG("userspace is not at locality 2");
	ASSERT_EQ(32, sysfs_pcr_read("sha256", 21, after, sizeof(after)));
	ASSERT_NE(0, memcmp(zero, after, 32));
	ASSERT_EQ(0, tpm2_pcr_reset(21));
	ASSERT_EQ(32, sysfs_pcr_read("sha256", 21, after, sizeof(after)));
	ASSERT_EQ(0, memcmp(zero, after, 32)) TH_LOG("PCR 21 not reset to zero");
	ASSERT_EQ(TPM2_RC_LOCALITY, tpm2_pcr_reset(p));
	ASSERT_EQ(32, sysfs_pcr_read("sha256", p, after, sizeof(after)));
	ASSERT_EQ(0, memcmp(before, after, 32));
}

TEST(not_launched)
{
	uint8_t zero[32] = { 0 };

	ASSERT_NE(0, access(SL_DIR, F_OK)) TH_LOG(SL_DIR " exists without a launch");
	ASSERT_FALSE(dmesg_has("slaunch: ", "EMULATED"));
	ASSERT_FALSE(tainted() & TAINT_USER_BIT);
	/* Without a launch the kernel and userspace stay at locality 0. */
	if (tpm_present())
		ASSERT_EQ(TPM2_RC_LOCALITY,
			  tpm2_pcr_extend(21, TPM2_ALG_SHA256, zero, 32));
	if (env("EXPECT_EMULATION_REFUSED"))
		ASSERT_TRUE(dmesg_has("slaunch: ", env("EXPECT_EMULATION_REFUSED")))
			TH_LOG("dmesg lacks '%s'", env("EXPECT_EMULATION_REFUSED"));
}

/*
 * After a secure launch every suspend is refused: the DRTM PCRs would not
 * survive it.  Without the refusal the guest suspends here and the run
 * times out.
 */
TEST(suspend_refused)
{
	static const char *const states[] = { "mem", "freeze" };
	unsigned int i;
	ssize_t n;
	int fd;

	for (i = 0; i < ARRAY_SIZE(states); i++) {
		fd = open("/sys/power/state", O_WRONLY);
		ASSERT_LE(0, fd) TH_LOG("/sys/power/state: %s", strerror(errno));
		n = write(fd, states[i], strlen(states[i]));
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EBUSY, errno) TH_LOG("%s: %s", states[i], strerror(errno));
		close(fd);
	}
	ASSERT_TRUE(dmesg_has("slaunch: ", "suspend refused after a secure launch"));
}

/* The emulation taints the kernel: TAINT_USER ('U'). */
TEST(emulation_taints)
{
	ASSERT_TRUE(dmesg_has("slaunch: ", "SECURE LAUNCH IS EMULATED"));
	ASSERT_TRUE(tainted() & TAINT_USER_BIT) TH_LOG("tainted: 0x%lx", tainted());
}

/* Index of the log's first unlock record, or -1 */
static int first_unlock_record(const struct event_log *log)
{
	struct gate_event ev;
	unsigned int r;

	for (r = 0; r < log->nr_records; r++)
		if (!record_event(&log->rec[r], &ev) && ev.op == GATE_OP_UNLOCK)
			return r;
	return -1;
}

/* A kernel uevent listener (netlink group 1), or -errno */
static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * Did "change@/devices/platform/efi_rt_gate" with EFI_RT_GATE_STATE=@state
 * arrive within 2 s?
 */
static int uevent_seen(int fd, const char *state)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096], want[64], *q;
	ssize_t n;

	snprintf(want, sizeof(want), "EFI_RT_GATE_STATE=%s", state);
	while (poll(&p, 1, 2000) > 0) {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0)
			return 0;
		buf[n] = 0;
		if (strcmp(buf, "change@/devices/platform/efi_rt_gate"))
			continue;
		for (q = buf; q < buf + n; q += strlen(q) + 1)
			if (!strcmp(q, want))
				return 1;
	}
	return 0;
}

/* One measured transition: write @val, expect @state and one new record. */
static void transition(struct __test_metadata *_metadata, const char *val,
		       const char *state, const char *text_prefix)
{
	struct snapshot before, after, again;
	struct gate_event ev;
	int ufd = uevent_open();

	/* Kernels without CONFIG_NET (the noemu variant) have no netlink. */
	ASSERT_TRUE(ufd >= 0 || ufd == -EAFNOSUPPORT)
		TH_LOG("uevent socket: %s", strerror(-ufd));
	ASSERT_EQ(0, take_snapshot(&before));
	/* The first unlock of the boot: the harness hashes the code first. */
	if (env("EXPECT_RTCODE_HOST") && val[0] == '1' && !strcmp(before.state, "locked") &&
	    first_unlock_record(&before.log) < 0 && svam_deferred_at_boot())
		ask_host_rtcode(_metadata);
	ASSERT_EQ(0, gate_write(val, strlen(val), 0));
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_STREQ(state, after.state);
	if (ufd >= 0) {
		ASSERT_TRUE(uevent_seen(ufd, state))
			TH_LOG("no uevent for %s on /devices/platform/efi_rt_gate", state);
		close(ufd);
	}
	check_folded(_metadata, &before, &after, 1);
	ASSERT_EQ(0, record_event(&after.log.rec[after.log.nr_records - 1], &ev));
	ASSERT_EQ(0, strncmp(text_prefix, ev.text, strlen(text_prefix)))
		TH_LOG("'%s'", ev.text);
	ASSERT_EQ(val[0] == '1' ? GATE_OP_UNLOCK : GATE_OP_RELOCK, ev.op);
	ASSERT_STREQ(before.state, state_code_name(ev.before));
	ASSERT_STREQ(state, state_code_name(ev.after));
	ASSERT_EQ(GATE_REASON_REQUEST, ev.reason);
	ASSERT_EQ(after.pcr, ev.pcr);
	/* The first unlock record of the boot may carry the rtcode digest. */
	check_event_digests(_metadata, &ev, ev.op == GATE_OP_UNLOCK &&
			    first_unlock_record(&after.log) == after.log.nr_records - 1);

	/* The same request again succeeds without a second extend or record. */
	ASSERT_EQ(0, gate_write(val, strlen(val), 0));
	ASSERT_EQ(0, take_snapshot(&again));
	ASSERT_TRUE(snapshot_equal(&after, &again));
	free_snapshot(&before);
	free_snapshot(&after);
	free_snapshot(&again);
}

/* A test variable, opened for writing while unlocked, or -1 */
#define HELD_VAR	EFIVARFS "/EfiRtGateHeld-" TEST_GUID
static int held_fd = -1;

static void drop_held_variable(struct __test_metadata *_metadata)
{
	int flags;

	if (held_fd < 0)
		return;
	/* efivarfs makes variables it does not know immutable */
	ASSERT_EQ(0, ioctl(held_fd, FS_IOC_GETFLAGS, &flags));
	flags &= ~FS_IMMUTABLE_FL;
	ASSERT_EQ(0, ioctl(held_fd, FS_IOC_SETFLAGS, &flags));
	close(held_fd);
	held_fd = -1;
	ASSERT_EQ(0, unlink(HELD_VAR)) TH_LOG("%s: %s", HELD_VAR, strerror(errno));
}

static void expect_unlocked_efivarfs(struct __test_metadata *_metadata)
{
	struct statvfs sv;
	uint8_t buf[64];
	ssize_t n;

	/* A mount from the locked state turned writable, no remount. */
	ASSERT_EQ(0, mount_efivarfs());
	ASSERT_EQ(0, statvfs(EFIVARFS, &sv));
	ASSERT_FALSE(sv.f_flag & ST_RDONLY) TH_LOG("efivarfs read-only after unlock");
	n = read_bootorder(buf, sizeof(buf));
	ASSERT_LE(6, n) TH_LOG("BootOrder: %s", strerror(-n));
	/* The snapshot served what the firmware holds. */
	if (locked_bootorder_len >= 0) {
		ASSERT_EQ(locked_bootorder_len, n);
		ASSERT_EQ(0, memcmp(locked_bootorder, buf, n))
			TH_LOG("BootOrder differs between snapshot and firmware");
	}
	ASSERT_EQ(0, efivar_roundtrip());
	drop_held_variable(_metadata);
	/* Held open across the next relock: its writes must then fail. */
	held_fd = open(HELD_VAR, O_WRONLY | O_CREAT, 0600);
	ASSERT_LE(0, held_fd) TH_LOG("test variable: %s", strerror(errno));
	ASSERT_EQ(5, write(held_fd, (uint8_t []){ 7, 0, 0, 0, 1 }, 5));
}

/*
 * The variables the kernel's keyrings trust (load_uefi_certs(): db, dbx,
 * MokListRT, MokListXRT, MokListTrustedRT; SbatLevelRT), in the order of
 * the boot record's trustedvars digest (Documentation/ABI/testing/
 * securityfs-efi-rt-gate).
 */
static const struct {
	const char *name, *guid;
} trusted_vars[] = {
	{ "db", "d719b2cb-3d3a-4596-a3bc-dad00e67656f" },
	{ "dbx", "d719b2cb-3d3a-4596-a3bc-dad00e67656f" },
	{ "MokListRT", "605dab50-e046-4300-abb6-3dd810dd8b23" },
	{ "MokListXRT", "605dab50-e046-4300-abb6-3dd810dd8b23" },
	{ "MokListTrustedRT", "605dab50-e046-4300-abb6-3dd810dd8b23" },
	{ "SbatLevelRT", "605dab50-e046-4300-abb6-3dd810dd8b23" },
};

#define TRUSTED_VAR_MAX	(1024 * 1024)	/* the snapshot's bound */

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

/* The text form of a GUID in EFI's binary layout (EFI_GUID) */
static int guid_bytes(const char *text, uint8_t *g)
{
	unsigned int f[11], i;

	if (sscanf(text, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &f[0], &f[1],
		   &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9],
		   &f[10]) != 11)
		return -1;
	for (i = 0; i < 4; i++)
		g[i] = f[0] >> (8 * i);
	g[4] = f[1];
	g[5] = f[1] >> 8;
	g[6] = f[2];
	g[7] = f[2] >> 8;
	for (i = 0; i < 8; i++)
		g[8 + i] = f[3 + i];
	return 0;
}

/*
 * What a verifier computes from efivarfs: SHA-256 over one
 * UEFI_VARIABLE_DATA per trusted variable, in order (VariableName GUID,
 * le64 name length in characters without the NUL, le64 data length, the
 * UCS-2 name without the NUL, the data; an absent variable with data
 * length 0 and no data).  Returns the number of variables present, or -1.
 */
static int trusted_vars_digest(uint8_t *digest)
{
	size_t cap = 64 * 1024, len = 0, nlen, i, k;
	uint8_t *buf = malloc(cap), *file = malloc(TRUSTED_VAR_MAX + 4);
	char path[256];
	ssize_t n;
	int present = 0, ret = -1;

	if (!buf || !file)
		goto out;
	for (i = 0; i < ARRAY_SIZE(trusted_vars); i++) {
		snprintf(path, sizeof(path), EFIVARFS "/%s-%s",
			 trusted_vars[i].name, trusted_vars[i].guid);
		n = read_bytes(path, file, TRUSTED_VAR_MAX + 4);
		if (n == -ENOENT)
			n = 4;		/* absent: no attributes, no data */
		else if (n < 4)	/* the attributes, then the data */
			goto out;
		else
			present++;
		nlen = strlen(trusted_vars[i].name);
		if (len + 32 + 2 * nlen + n - 4 > cap) {
			uint8_t *more = realloc(buf, len + 32 + 2 * nlen + n);

			if (!more)
				goto out;
			buf = more;
			cap = len + 32 + 2 * nlen + n;
		}
		if (guid_bytes(trusted_vars[i].guid, buf + len))
			goto out;
		put_le64(buf + len + 16, nlen);
		put_le64(buf + len + 24, n - 4);
		len += 32;
		for (k = 0; k < nlen; k++) {	/* ASCII names: UCS-2 LE */
			buf[len++] = trusted_vars[i].name[k];
			buf[len++] = 0;
		}
		memcpy(buf + len, file + 4, n - 4);
		len += n - 4;
	}
	if (hash_buf(TPM2_ALG_SHA256, buf, len, digest) == 32)
		ret = present;
out:
	free(file);
	free(buf);
	return ret;
}

/* The gate's boot records in a DRTM log */
static unsigned int drtm_boot_records(const struct event_log *drtm)
{
	struct gate_event ev;
	unsigned int r, n = 0;
	char err[160];

	for (r = 0; r < drtm->nr_records; r++)
		if (drtm->rec[r].pcr == gate_pcr() &&
		    drtm->rec[r].type == EV_EVENT_TAG &&
		    !gate_event_decode(drtm->rec[r].event, drtm->rec[r].event_size,
				       &ev, err, sizeof(err)) &&
		    ev.op == GATE_OP_BOOT)
			n++;
	return n;
}

/*
 * After a secure launch the kernel's boot record in the DRTM log carries
 * the SHA-256 of the variables its keyrings trust, as it serves them from
 * its validated copy of the EFI stub's snapshot (typed digest 2,
 * trustedvars).  Computed here from efivarfs while locked, as a verifier
 * would, it must match.
 */
TEST(drtm_trusted_vars)
{
	uint8_t want[32];
	static struct gate_digest found;
	const struct gate_digest *d = NULL;
	struct event_log drtm;
	struct gate_event ev;
	unsigned int r, i, boots = 0;
	char state[32], err[160];
	int present;

	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state) TH_LOG("efivarfs serves the snapshot only while locked");
	ASSERT_EQ(0, mount_efivarfs());
	present = trusted_vars_digest(want);
	ASSERT_LE(0, present) TH_LOG("cannot read the trusted variables from efivarfs");
	ASSERT_EQ(0, log_load_container(&drtm, DRTM_LOG)) TH_LOG("DRTM log: %s", drtm.error);
	/*
	 * A TPM whose driver probed after the gate (tpm_tis as a module, on
	 * the debug kernel) gets the boot record as it appears, without any
	 * transition: a boot on which nobody unlocks has one too.  It is
	 * measured from a work item; allow it a few seconds.
	 */
	for (i = 0; i < 50 && !drtm_boot_records(&drtm); i++) {
		usleep(100000);
		log_free(&drtm);
		ASSERT_EQ(0, log_load_container(&drtm, DRTM_LOG))
			TH_LOG("DRTM log: %s", drtm.error);
	}
	ASSERT_NE(0, drtm_boot_records(&drtm)) TH_LOG("no boot record in the DRTM log");
	for (r = 0; r < drtm.nr_records; r++) {
		if (drtm.rec[r].pcr != gate_pcr() || drtm.rec[r].type != EV_EVENT_TAG)
			continue;
		ASSERT_EQ(0, gate_event_decode(drtm.rec[r].event, drtm.rec[r].event_size,
					       &ev, err, sizeof(err))) TH_LOG("%s", err);
		if (ev.op != GATE_OP_BOOT)
			continue;
		boots++;
		d = NULL;
		for (i = 0; i < ev.nr_digests && i < GATE_MAX_DIGESTS; i++)
			if (ev.digest[i].type == GATE_DIGEST_TRUSTED_VARS)
				d = &ev.digest[i];
		/* ev is reused by the next record: keep a copy */
		if (d) {
			found = *d;
			d = &found;
		}
		ASSERT_NE(NULL, d) TH_LOG("the boot record has no trustedvars digest (%u digests)",
					  ev.nr_digests);
	}
	ASSERT_EQ(1, boots) TH_LOG("%u boot records in the DRTM log", boots);
	ASSERT_EQ(TPM2_ALG_SHA256, d->alg);
	ASSERT_EQ(32, d->size);
	printf("# trusted variables (%d of %zu present): efivarfs sha256 ", present,
	       ARRAY_SIZE(trusted_vars));
	for (i = 0; i < 32; i++)
		printf("%02x", want[i]);
	printf(", boot record ");
	for (i = 0; i < 32; i++)
		printf("%02x", d->data[i]);
	printf("\n");
	ASSERT_EQ(0, memcmp(want, d->data, 32))
		TH_LOG("the boot record's digest is not that of what efivarfs serves");
	log_free(&drtm);
}

/*
 * Two of the trusted variables that OVMF lacks, with the attributes shim
 * gives them (boot-services and runtime access, non-volatile here so that
 * the next boot's snapshot holds them): scenario sl-trusted-vars writes
 * them in its first boot (trusted_vars_write, which unlocks) and checks in
 * its second, locked again, that the snapshot serves them
 * (trusted_vars_served) and that the boot record's digest covers them
 * (drtm_trusted_vars).
 */
static const struct {
	const char *path;
	uint8_t data[24];
	size_t len;
} written_vars[] = {
	{ EFIVARFS "/SbatLevelRT-605dab50-e046-4300-abb6-3dd810dd8b23",
	  { 7, 0, 0, 0, 's', 'b', 'a', 't', ',', '1', ',', '2', '0', '2', '1',
	    '0', '3', '0', '2', '1', '8', '\n' }, 22 },
	{ EFIVARFS "/MokListTrustedRT-605dab50-e046-4300-abb6-3dd810dd8b23",
	  { 7, 0, 0, 0, 1 }, 5 },
};

TEST(trusted_vars_write)
{
	unsigned int i;
	int fd, ret;

	ret = gate_write("1", 1, 0);
	ASSERT_EQ(0, ret) TH_LOG("unlock: %s", strerror(-ret));
	ASSERT_EQ(0, mount_efivarfs());
	for (i = 0; i < ARRAY_SIZE(written_vars); i++) {
		fd = open(written_vars[i].path, O_WRONLY | O_CREAT, 0600);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", written_vars[i].path, strerror(errno));
		ASSERT_EQ((ssize_t)written_vars[i].len,
			  write(fd, written_vars[i].data, written_vars[i].len))
			TH_LOG("%s: %s", written_vars[i].path, strerror(errno));
		close(fd);
	}
}

TEST(trusted_vars_served)
{
	uint8_t buf[64];
	unsigned int i;
	char state[32];
	ssize_t n;

	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state);
	ASSERT_EQ(0, mount_efivarfs());
	for (i = 0; i < ARRAY_SIZE(written_vars); i++) {
		n = read_bytes(written_vars[i].path, buf, sizeof(buf));
		ASSERT_EQ((ssize_t)written_vars[i].len, n)
			TH_LOG("%s from the snapshot: %zd", written_vars[i].path, n);
		ASSERT_EQ(0, memcmp(written_vars[i].data, buf, n));
	}
}

static void expect_locked_efivarfs(struct __test_metadata *_metadata)
{
	uint8_t out[5] = { 7, 0, 0, 0, 1 };

	/* A file opened for writing while unlocked gets an error. */
	if (held_fd >= 0) {
		ASSERT_GT(0, write(held_fd, out, sizeof(out)))
			TH_LOG("a write reached the variable while locked");
		ASSERT_EQ(EROFS, errno);
	}
	/* A mount made while unlocked turned read-only, no remount. */
	expect_locked_ro_efivarfs(_metadata);
	umount(EFIVARFS);
	expect_locked_ro_efivarfs(_metadata);
}

TEST(unlock_relock)
{
	char state[16];

	if (!tpm_present())
		SKIP(return, "no TPM");
	gate_state(state, sizeof(state));
	if (!strcmp(state, "locked")) {
		expect_locked_efivarfs(_metadata);
		transition(_metadata, "1\n", "unlocked",
			   "efi_rt_gate unlock: runtime services enabled");
		expect_unlocked_efivarfs(_metadata);
		transition(_metadata, "0\n", "locked",
			   "efi_rt_gate relock: runtime services withheld");
		expect_locked_efivarfs(_metadata);
		transition(_metadata, "1", "unlocked",
			   "efi_rt_gate unlock: runtime services enabled");
		expect_unlocked_efivarfs(_metadata);
		drop_held_variable(_metadata);
	} else if (!strcmp(state, "unlocked")) {
		expect_unlocked_efivarfs(_metadata);
		transition(_metadata, "0", "locked",
			   "efi_rt_gate relock: runtime services withheld");
		expect_locked_efivarfs(_metadata);
		transition(_metadata, "1", "unlocked",
			   "efi_rt_gate unlock: runtime services enabled");
		expect_unlocked_efivarfs(_metadata);
		drop_held_variable(_metadata);
	} else {
		SKIP(return, "runtime services are %s", state);
	}
}

TEST(unlock_race)
{
	struct snapshot before, after;
	int go[2], status, i, ok = 0;
	pid_t pids[RACERS];
	char c;

	if (!tpm_present())
		SKIP(return, "no TPM");
	gate_state(before.state, sizeof(before.state));
	if (!strcmp(before.state, "unlocked"))
		ASSERT_EQ(0, gate_write("0", 1, 0));
	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_STREQ("locked", before.state);

	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < RACERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			int fd = open(UNLOCK, O_WRONLY);

			close(go[1]);
			if (fd < 0 || read(go[0], &c, 1) != 0)
				_exit(10);
			_exit(write(fd, "1", 1) == 1 ? 0 : 11);
		}
	}
	close(go[0]);
	close(go[1]);		/* all readers see EOF at once: go */
	for (i = 0; i < RACERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	ASSERT_EQ(RACERS, ok);
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_STREQ("unlocked", after.state);
	check_folded(_metadata, &before, &after, 1);
	free_snapshot(&before);
	free_snapshot(&after);
}

/*
 * The log checks run after the transitions above (kselftest runs tests in
 * the order they are declared), so they validate every record a scenario
 * produced, not only the boot record.
 */
TEST(log_valid)
{
	static const char *const op_names[] = {
		[GATE_OP_POLICY] = "policy", [GATE_OP_BOOT] = "boot",
		[GATE_OP_UNLOCK] = "unlock", [GATE_OP_RELOCK] = "relock",
	};
	uint8_t digest[TPM_MAX_DIGEST];
	char line[512], want[512];
	struct gate_event ev[2], *cur;
	unsigned int d;
	struct event_log log;
	uint16_t algs[LOG_MAX_BANKS];
	unsigned int r, i;
	int nb, sha256;
	FILE *f;

	ASSERT_EQ(0, log_load(&log, BIN_LOG)) TH_LOG("%s", log.error);
	if (!log.len)
		SKIP(return, "empty log: no TPM");

	/* The header lists the TPM's banks. */
	nb = sysfs_banks(algs, LOG_MAX_BANKS);
	ASSERT_EQ(nb, (int)log.nr_banks);
	for (i = 0; i < (unsigned int)nb; i++) {
		ASSERT_LE(0, log_bank_index(&log, algs[i]));
		ASSERT_EQ(tpm2_alg_size(algs[i]),
			  log.banks[log_bank_index(&log, algs[i])].size);
	}

	/*
	 * Every record: the gate's PCR, a strictly decoded gate event with
	 * consecutive sequence numbers, each transition starting from the
	 * state the previous one ended in, and digest = H(event's data).
	 */
	for (r = 0; r < log.nr_records; r++) {
		ASSERT_EQ(gate_pcr(), log.rec[r].pcr);
		ASSERT_EQ(0, record_event(&log.rec[r], &ev[r % 2]));
		cur = &ev[r % 2];
		ASSERT_EQ(r + 1, cur->seq);
		ASSERT_EQ(gate_pcr(), cur->pcr);
		check_event_digests(_metadata, cur, (int)r == first_unlock_record(&log));
		ASSERT_TRUE(cur->op == GATE_OP_UNLOCK || cur->op == GATE_OP_RELOCK ||
			    (cur->op == GATE_OP_BOOT && r == 0));
		if (r)
			ASSERT_EQ(ev[(r + 1) % 2].after, cur->before);
		for (i = 0; i < log.nr_banks; i++) {
			ASSERT_EQ((int)log.banks[i].size,
				  hash_buf(log.banks[i].alg, log.rec[r].event + 8,
					   log.rec[r].event_size - 8, digest));
			ASSERT_EQ(0, memcmp(digest, log.rec[r].digest[i], log.banks[i].size))
				TH_LOG("record %u bank 0x%04x: digest is not H(event data)",
				       r, log.banks[i].alg);
		}
	}

	/* ascii_measurements: one line per record, same digest, decoded fields. */
	sha256 = log_bank_index(&log, TPM2_ALG_SHA256);
	ASSERT_LE(0, sha256);
	f = fopen(ASCII_LOG, "r");
	ASSERT_NE(NULL, f);
	for (r = 0; fgets(line, sizeof(line), f); r++) {
		ASSERT_LT(r, log.nr_records);
		ASSERT_EQ(0, record_event(&log.rec[r], &ev[0]));
		i = snprintf(want, sizeof(want), "%u sha256:", log.rec[r].pcr);
		for (nb = 0; nb < 32; nb++)
			i += snprintf(want + i, sizeof(want) - i, "%02x",
				      log.rec[r].digest[sha256][nb]);
		i += snprintf(want + i, sizeof(want) - i,
			      " EV_EVENT_TAG v1 seq=%u op=%s before=%s after=%s flags=0x%02x reason=%u digests=%u",
			      ev[0].seq, op_names[ev[0].op], state_code_name(ev[0].before),
			      state_code_name(ev[0].after), ev[0].flags, ev[0].reason,
			      ev[0].nr_digests);
		for (nb = 0; nb < ev[0].nr_digests; nb++) {
			/* check_event_digests() allowed only these, sha256 */
			i += snprintf(want + i, sizeof(want) - i, " %s:sha256:",
				      ev[0].digest[nb].type == GATE_DIGEST_TRUSTED_VARS ?
				      "trustedvars" : "rtcode");
			for (d = 0; d < ev[0].digest[nb].size; d++)
				i += snprintf(want + i, sizeof(want) - i, "%02x",
					      ev[0].digest[nb].data[d]);
		}
		snprintf(want + i, sizeof(want) - i, " %s\n", ev[0].text);
		ASSERT_STREQ(want, line);
	}
	fclose(f);
	ASSERT_EQ(log.nr_records, r);

	/* A standard parser accepts the file. */
	if (access("/usr/bin/tpm2_eventlog", X_OK) == 0) {
		ASSERT_EQ(0, system("tpm2_eventlog " BIN_LOG " > /tmp/eventlog.yaml"));
		ASSERT_EQ(0, system("grep -q 'EV_EVENT_TAG' /tmp/eventlog.yaml"));
	} else {
		ASSERT_EQ(NULL, env("EXPECT_TPM2_TOOLS"))
			TH_LOG("EXPECT_TPM2_TOOLS is set but tpm2_eventlog is missing");
	}
	log_free(&log);
}

TEST(log_replays_pcr)
{
	struct event_log fw, own;
	uint16_t algs[LOG_MAX_BANKS];
	uint8_t pcr[TPM_MAX_DIGEST], now[TPM_MAX_DIGEST];
	unsigned int idx = gate_pcr(), r;
	int i, nb, fb, ob;

	if (!tpm_present())
		SKIP(return, "no TPM");
	if (idx < 8 || idx > 15)
		SKIP(return, "PCR %u is not a static OS PCR", idx);
	/* Firmware log (with the EFI stub's events), then the gate's. */
	ASSERT_EQ(0, log_load(&fw, FW_LOG)) TH_LOG("firmware log: %s", fw.error);
	ASSERT_EQ(0, log_load(&own, BIN_LOG)) TH_LOG("%s", own.error);
	nb = sysfs_banks(algs, LOG_MAX_BANKS);
	for (i = 0; i < nb; i++) {
		fb = log_bank_index(&fw, algs[i]);
		ob = log_bank_index(&own, algs[i]);
		ASSERT_LE(0, fb);
		ASSERT_LE(0, ob);
		memset(pcr, 0, sizeof(pcr));
		for (r = 0; r < fw.nr_records; r++)
			if (fw.rec[r].pcr == idx && fw.rec[r].type != EV_NO_ACTION)
				ASSERT_EQ(0, pcr_fold(algs[i], pcr, fw.rec[r].digest[fb]));
		for (r = 0; r < own.nr_records; r++)
			ASSERT_EQ(0, pcr_fold(algs[i], pcr, own.rec[r].digest[ob]));
		ASSERT_EQ((int)tpm2_alg_size(algs[i]),
			  sysfs_pcr_read(tpm2_alg_name(algs[i]), idx, now, sizeof(now)));
		ASSERT_EQ(0, memcmp(pcr, now, tpm2_alg_size(algs[i])))
			TH_LOG("PCR %u %s does not replay from the logs", idx,
			       tpm2_alg_name(algs[i]));
	}
	log_free(&fw);
	log_free(&own);
}

/* TPM_ALG_IDs of a comma-separated list of bank names; count or -1. */
static int parse_banks(const char *list, uint16_t *algs, int max)
{
	static const uint16_t known[] = {
		TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512,
	};
	char buf[128], *tok, *save;
	unsigned int i;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(known); i++)
			if (!strcmp(tok, tpm2_alg_name(known[i])))
				break;
		if (i == ARRAY_SIZE(known) || n == max)
			return -1;
		algs[n++] = known[i];
	}
	return n;
}

static int hex_decode(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (hex[0] && hex[1] && n < max && sscanf(hex, "%2x", &v) == 1) {
		out[n++] = v;
		hex += 2;
	}
	return *hex ? -1 : (int)n;
}

/*
 * tpm2_eventlog, a parser that knows nothing of this series, reads the
 * whole DRTM log: every record carries as many digests as the header has
 * banks, it replays exactly the header's banks, and every PCR value it
 * replays equals the TPM's, including PCR 17 (launch) and @gate.
 */
static void tool_replays_drtm(struct __test_metadata *_metadata,
			      const struct event_log *drtm, unsigned int gate)
{
	uint8_t want[TPM_MAX_DIGEST], now[TPM_MAX_DIGEST];
	char line[512], hex[2 * TPM_MAX_DIGEST + 2], bank[16] = "";
	unsigned int count, pcr, seen = 0, launch = 0, gated = 0, records = 0;
	int pcrs = 0, b = -1, n, indent;
	FILE *f;

	/* The records, without the container's unused rest */
	f = fopen("/tmp/drtm.bin", "w");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(drtm->len, fwrite(drtm->buf, 1, drtm->len, f));
	ASSERT_EQ(0, fclose(f));
	ASSERT_EQ(0, system("tpm2_eventlog /tmp/drtm.bin > /tmp/drtm.yaml"));
	f = fopen("/tmp/drtm.yaml", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		indent = strspn(line, " ");
		if (sscanf(line, " DigestCount: %u", &count) == 1) {
			ASSERT_EQ(drtm->nr_banks, count)
				TH_LOG("tpm2_eventlog: a record with %u digests, header lists %u",
				       count, drtm->nr_banks);
			records++;
		} else if (!strcmp(line, "pcrs:")) {
			pcrs = 1;
		} else if (pcrs && indent == 2 && sscanf(line, " %15[a-z0-9]", bank) == 1 &&
			   line[2 + strlen(bank)] == ':') {
			b = -1;
			for (n = 0; n < (int)drtm->nr_banks; n++)
				if (!strcmp(bank, tpm2_alg_name(drtm->banks[n].alg) ?: ""))
					b = n;
			ASSERT_LE(0, b)
				TH_LOG("tpm2_eventlog replays bank %s, not in the header", bank);
			ASSERT_FALSE(seen & (1u << b));
			seen |= 1u << b;
		} else if (pcrs && indent == 4 &&
			   sscanf(line, " %u : 0x%129s", &pcr, hex) == 2) {
			ASSERT_LE(0, b);
			n = hex_decode(hex, want, sizeof(want));
			ASSERT_EQ((int)drtm->banks[b].size, n);
			ASSERT_EQ(n, sysfs_pcr_read(bank, pcr, now, sizeof(now)));
			ASSERT_EQ(0, memcmp(want, now, n))
				TH_LOG("tpm2_eventlog's replay of PCR %u %s differs from the TPM",
				       pcr, bank);
			launch += pcr == 17;
			gated += pcr == gate;
		} else {
			ASSERT_FALSE(pcrs) TH_LOG("tpm2_eventlog: unexpected '%s'", line);
		}
	}
	fclose(f);
	ASSERT_EQ(drtm->nr_records, records);
	ASSERT_EQ((1u << drtm->nr_banks) - 1, seen)
		TH_LOG("tpm2_eventlog does not replay every bank of the header");
	ASSERT_EQ(drtm->nr_banks, launch);
	ASSERT_EQ(drtm->nr_banks, gated);
}

/*
 * The DRTM log file takes appends from root as the Secure Launch series'
 * does: one whole record per write at offset 0, no partial writes.  Like
 * a DLME that measures something (u-root's sluinit), extend PCR 19, which
 * userspace can at locality 2, and log it: the log must then hold exactly
 * that record at its end, and drtm_log_replays still holds.
 */
TEST(drtm_log_append)
{
	static const char data[] = "efi_rt_gate selftest: appended by root";
	uint8_t rec[12 + LOG_MAX_BANKS * (2 + TPM_MAX_DIGEST) + 4 + sizeof(data)];
	struct event_log before, after;
	const struct log_record *last;
	size_t n = 12;
	unsigned int i;
	int fd;

	ASSERT_EQ(0, log_load_container(&before, DRTM_LOG)) TH_LOG("%s", before.error);
	/* pcrIndex 19, eventType 0x502 (the Secure Launch series' type) */
	memcpy(rec, "\x13\0\0\0\x02\x05\0\0", 8);
	memcpy(rec + 8, &before.nr_banks, 4);
	for (i = 0; i < before.nr_banks; i++) {
		memcpy(rec + n, &before.banks[i].alg, 2);
		ASSERT_EQ((int)before.banks[i].size,
			  hash_buf(before.banks[i].alg, data, sizeof(data) - 1, rec + n + 2));
		ASSERT_EQ(0, tpm2_pcr_extend(19, before.banks[i].alg, rec + n + 2,
					     before.banks[i].size));
		n += 2 + before.banks[i].size;
	}
	i = sizeof(data) - 1;
	memcpy(rec + n, &i, 4);
	memcpy(rec + n + 4, data, i);
	n += 4 + i;

	fd = open(DRTM_LOG, O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("open for writing: %s", strerror(errno));
	ASSERT_EQ(-1, pwrite(fd, rec, n, 1));
	ASSERT_EQ(EINVAL, errno) TH_LOG("a write at offset 1: %s", strerror(errno));
	ASSERT_EQ((ssize_t)n, pwrite(fd, rec, n, 0)) TH_LOG("%s", strerror(errno));
	close(fd);

	ASSERT_EQ(0, log_load_container(&after, DRTM_LOG)) TH_LOG("%s", after.error);
	ASSERT_EQ(before.size, after.size);
	ASSERT_EQ(before.nr_records + 1, after.nr_records);
	ASSERT_EQ(before.len + n, after.len);
	ASSERT_EQ(0, memcmp(before.buf, after.buf, before.len));
	last = &after.rec[after.nr_records - 1];
	ASSERT_EQ(19, last->pcr);
	ASSERT_EQ(0, memcmp(rec, after.buf + before.len, n));
	log_free(&before);
	log_free(&after);
}

/*
 * After an (emulated) secure launch: the DRTM log parses strictly, its
 * header lists the expected banks (EXPECT_DRTM_BANKS=sha1,sha256, else
 * the TPM's), every record carries exactly the header's digests, the gate's
 * records are its own log's records with the header's digests, and the log
 * replays PCRs 17-22 in every header bank, by our fold and tpm2_eventlog's.
 */
TEST(drtm_log_replays)
{
	uint8_t pcr[TPM_MAX_DIGEST], now[TPM_MAX_DIGEST], d[TPM_MAX_DIGEST];
	uint16_t algs[LOG_MAX_BANKS], want[LOG_MAX_BANKS];
	unsigned int p, r, i, seen[24] = { 0 };
	struct event_log drtm, own;
	int nb, nw, b, ob, tools;
	char buf[8];
	bool late;

	ASSERT_EQ(1, read_text(SL_DIR "/emulated", buf, sizeof(buf)));
	ASSERT_STREQ("1", buf);
	ASSERT_EQ(0, log_load_container(&drtm, DRTM_LOG))
		TH_LOG("DRTM log: %s", drtm.error);
	/* The file is the whole container, as the Secure Launch series': */
	ASSERT_LT(drtm.len, drtm.size) TH_LOG("no unused rest after the records");
	ASSERT_EQ(0, log_load(&own, BIN_LOG)) TH_LOG("%s", own.error);
	/*
	 * The launch, and the gate's boot record unless its TPM came late
	 * (a module) and nothing used it yet: then the boot record comes
	 * with the first transition.
	 */
	late = !own.nr_records && dmesg_has("efi_rt_gate: ", "no TPM yet");
	ASSERT_LE(late ? 1 : 2, drtm.nr_records);

	/* The TPM's banks are the ones the scenario set up. */
	nb = sysfs_banks(algs, LOG_MAX_BANKS);
	ASSERT_LT(0, nb);
	if (env("EXPECT_TPM_BANKS")) {
		nw = parse_banks(env("EXPECT_TPM_BANKS"), want, LOG_MAX_BANKS);
		ASSERT_EQ(nw, nb);
		for (i = 0; i < (unsigned int)nw; i++)
			ASSERT_EQ(want[i], algs[i]) TH_LOG("TPM bank %u", i);
	}

	/* The header lists exactly the expected banks, in that order. */
	if (env("EXPECT_DRTM_BANKS")) {
		nw = parse_banks(env("EXPECT_DRTM_BANKS"), want, LOG_MAX_BANKS);
	} else {
		nw = nb;
		memcpy(want, algs, sizeof(want));
	}
	ASSERT_LT(0, nw);
	ASSERT_EQ(nw, (int)drtm.nr_banks) TH_LOG("the DRTM log header lists %u banks",
						 drtm.nr_banks);
	for (i = 0; i < drtm.nr_banks; i++)
		ASSERT_EQ(want[i], drtm.banks[i].alg)
			TH_LOG("header bank %u is 0x%04x", i, drtm.banks[i].alg);

	/* The emulated launch measurement comes first, in PCR 17. */
	ASSERT_EQ(17, drtm.rec[0].pcr);
	ASSERT_EQ(strlen(LAUNCH_DATA), drtm.rec[0].event_size);
	ASSERT_EQ(0, memcmp(LAUNCH_DATA, drtm.rec[0].event, drtm.rec[0].event_size));

	/*
	 * Every gate record is in the DRTM log too, in order: the same type
	 * and event, with the header's banks of the digests in its own log.
	 */
	ASSERT_LE(late ? 0 : 1, own.nr_records);
	for (r = 0, i = 0; r < drtm.nr_records; r++) {
		const struct log_record *dr = &drtm.rec[r], *or;

		if (dr->pcr != gate_pcr())
			continue;
		ASSERT_LT(i, own.nr_records);
		or = &own.rec[i++];
		ASSERT_EQ(or->type, dr->type);
		ASSERT_EQ(or->event_size, dr->event_size);
		ASSERT_EQ(0, memcmp(or->event, dr->event, dr->event_size));
		for (b = 0; b < (int)drtm.nr_banks; b++) {
			ob = log_bank_index(&own, drtm.banks[b].alg);
			ASSERT_LE(0, ob);
			ASSERT_EQ(0, memcmp(or->digest[ob], dr->digest[b], drtm.banks[b].size));
		}
	}
	ASSERT_EQ(own.nr_records, i) TH_LOG("gate records missing from the DRTM log");

	/*
	 * Every digest is the hash of its event: of the launch data, or of
	 * a gate record's gate event (the tagged event's data).
	 */
	for (r = 0; r < drtm.nr_records; r++) {
		const struct log_record *dr = &drtm.rec[r];
		unsigned int skip = dr->type == EV_EVENT_TAG ? 8 : 0;

		ASSERT_LE(17, dr->pcr);
		ASSERT_GE(22, dr->pcr);
		ASSERT_LE(skip, dr->event_size);
		seen[dr->pcr]++;
		for (i = 0; i < drtm.nr_banks; i++) {
			ASSERT_EQ((int)drtm.banks[i].size,
				  hash_buf(drtm.banks[i].alg, dr->event + skip,
					   dr->event_size - skip, d));
			ASSERT_EQ(0, memcmp(d, drtm.rec[r].digest[i], drtm.banks[i].size));
		}
	}
	ASSERT_LE(late ? 0 : 1, seen[gate_pcr()]);

	/* Replayed from the launch's initial value (0), PCRs 17-22 match. */
	for (p = 17; p <= 22; p++) {
		for (b = 0; b < (int)drtm.nr_banks; b++) {
			uint16_t alg = drtm.banks[b].alg;
			int size = tpm2_alg_size(alg);

			memset(pcr, 0, sizeof(pcr));
			for (r = 0; r < drtm.nr_records; r++) {
				if (drtm.rec[r].pcr != p)
					continue;
				ASSERT_EQ(0, pcr_fold(alg, pcr, drtm.rec[r].digest[b]));
			}
			ASSERT_EQ(size, sysfs_pcr_read(tpm2_alg_name(alg), p, now, sizeof(now)))
				TH_LOG("header bank %s: not a TPM bank", tpm2_alg_name(alg));
			ASSERT_EQ(0, memcmp(pcr, now, size))
				TH_LOG("PCR %u %s does not replay from the DRTM log (%u records)",
				       p, tpm2_alg_name(alg), seen[p]);
		}
	}

	tools = access("/usr/bin/tpm2_eventlog", X_OK) == 0;
	ASSERT_TRUE(tools || !env("EXPECT_TPM2_TOOLS"))
		TH_LOG("EXPECT_TPM2_TOOLS is set but tpm2_eventlog is missing");
	if (tools)
		tool_replays_drtm(_metadata, &drtm, gate_pcr());
	log_free(&drtm);
	log_free(&own);
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	struct event_log l;
	int ret = log_load(&l, path);

	if (ret < 0)
		return ret;
	*buf = l.buf;
	*len = l.len;
	return 0;
}

/*
 * After an emulated launch whose DRTM log header is broken
 * (slaunch_emulate=...,badspecid): the log really has no valid header, and
 * an unlock fails (EXPECT_UNLOCK_ERRNO=N, if set, is its errno) without
 * extending the PCR, without a record in either log, and leaves the gate
 * locked.
 */
TEST(drtm_header_invalid)
{
	struct snapshot before, after;
	struct event_log drtm;
	uint8_t *log0, *log1;
	size_t len0, len1;
	int ret;

	ASSERT_EQ(1, log_load_container(&drtm, DRTM_LOG)) TH_LOG("the DRTM log parses");
	ASSERT_NE(NULL, strstr(drtm.error, "Spec ID")) TH_LOG("%s", drtm.error);
	log_free(&drtm);
	ASSERT_TRUE(dmesg_has("slaunch: ", "broken signature"));

	ASSERT_EQ(0, read_file(DRTM_LOG, &log0, &len0));
	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_STREQ("locked", before.state);
	ASSERT_LT(0, before.nr_banks);
	ret = gate_write("1", 1, 0);
	ASSERT_GT(0, ret) TH_LOG("unlock succeeded with an invalid DRTM log header");
	if (env("EXPECT_UNLOCK_ERRNO"))
		ASSERT_EQ(-atoi(env("EXPECT_UNLOCK_ERRNO")), ret);
	ASSERT_EQ(0, take_snapshot(&after));
	if (!before.log.len && dmesg_has("efi_rt_gate: ", "no TPM yet")) {
		/*
		 * A TPM that came late (a module): its first use gave the
		 * gate's log the header of its banks, and nothing more.
		 */
		ASSERT_STREQ(before.state, after.state);
		ASSERT_EQ(0, memcmp(before.value, after.value, sizeof(before.value)))
			TH_LOG("PCR %u changed", before.pcr);
		ASSERT_EQ(0, after.log.nr_records);
	} else {
		ASSERT_TRUE(snapshot_equal(&before, &after))
			TH_LOG("state, PCR %u or the gate's log changed", before.pcr);
	}
	ASSERT_EQ(0, read_file(DRTM_LOG, &log1, &len1));
	ASSERT_EQ(len0, len1);
	ASSERT_EQ(0, memcmp(log0, log1, len0)) TH_LOG("the DRTM log changed");
	free(log0);
	free(log1);
	free_snapshot(&before);
	free_snapshot(&after);
	expect_locked_ro_efivarfs(_metadata);
}

/* Unlock must fail with @err and change nothing. */
static void unlock_refused(struct __test_metadata *_metadata, int err)
{
	struct snapshot before, after;

	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_EQ(err, gate_write("1", 1, 0));
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_TRUE(snapshot_equal(&before, &after));
	free_snapshot(&before);
	free_snapshot(&after);
	expect_locked_ro_efivarfs(_metadata);
}

TEST(no_tpm_unlock_fails)
{
	char state[16];

	ASSERT_FALSE(tpm_present()) TH_LOG("this test needs a boot without a TPM");
	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state);
	unlock_refused(_metadata, -ENODEV);
	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state);
}

TEST(disabled_refuses)
{
	struct snapshot before, after;

	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_STREQ("disabled", before.state);
	ASSERT_EQ(-EOPNOTSUPP, gate_write("1", 1, 0));
	ASSERT_EQ(-EOPNOTSUPP, gate_write("0", 1, 0));
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_TRUE(snapshot_equal(&before, &after));
	free_snapshot(&before);
	free_snapshot(&after);
	ASSERT_EQ(-EOPNOTSUPP, mount_efivarfs());
}

/*
 * Tests of issue 8's items 4-8: audit records, the fault-injected ambiguous
 * extend, the log cap, a TPM driver that probes after the gate, the errno of
 * every refused write, and a 10,000-transition stress run.
 */

#define DEBUGFS		"/sys/kernel/debug"
#define FAIL_TPM	DEBUGFS "/fail_tpm_transmit"
#define KMEMLEAK	DEBUGFS "/kmemleak"
#define LOG_MAX_PARAM	"/sys/module/efi_rt_gate/parameters/log_max_records"
#define AUDIT_INTEGRITY_EFI_RT 1809
#define PCR_EXTEND_CC	"0x182"		/* TPM2_CC_PCR_Extend */

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" }, { EINVAL, "EINVAL" }, { EFAULT, "EFAULT" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENODEV, "ENODEV" }, { EIO, "EIO" },
	{ ENOSPC, "ENOSPC" }, { ETIME, "ETIME" }, { ENOMEM, "ENOMEM" },
	{ EINTR, "EINTR" }, { EBUSY, "EBUSY" },
};

static int errno_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (!strcmp(errno_names[i].name, name))
			return errno_names[i].err;
	return 0;
}

/*
 * The TPM stops answering after boot (the harness kills swtpm).  The unlock
 * fails with EXPECT_UNLOCK_ERRNO=NAME: ENODEV with HMAC sessions on (the
 * TPM core cannot load its null key, so it disables the chip), EIO with
 * tpm.disable_pcr_integrity=1 (the TPM's PCR_Read fails).
 */
TEST(tpm_failure_unlock_fails)
{
	const char *name = env("EXPECT_UNLOCK_ERRNO");
	uint8_t d[TPM_MAX_DIGEST];
	char state[16];
	int i;

	ASSERT_TRUE(name && errno_by_name(name)) TH_LOG("EXPECT_UNLOCK_ERRNO=NAME is needed");
	ASSERT_TRUE(tpm_present());
	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state);
	/* The harness stops the TPM when it sees this line. */
	printf("# efi_rt_gate_test: waiting for the TPM to fail\n");
	fflush(stdout);
	for (i = 0; i < 300; i++) {
		if (sysfs_pcr_read("sha256", 0, d, sizeof(d)) < 0)
			break;
		usleep(100000);
	}
	ASSERT_LT(i, 300) TH_LOG("the TPM kept answering");
	unlock_refused(_metadata, -errno_by_name(name));
	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state);
}

static const char *errno_name(int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "?";
}

/* A TAP diagnostic line, flushed at once (the test runs in a child). */
static void __printf(1, 2) diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* scripts/check.sh collects these lines: every errno must appear once. */
static void report_errno(int err, const char *how)
{
	diag("errno %s: provoked (%s)", errno_name(err), how);
}

static int write_text(const char *path, const char *text)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -errno;
	close(fd);
	return ret;
}

static long read_long(const char *path)
{
	char buf[32];

	if (read_text(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* Arm the fault-injection knob in debugfs directory @dir to fire once. */
static int arm_fault_once(const char *dir)
{
	static const char *const knob[][2] = {
		{ "interval", "1" }, { "space", "0" }, { "times", "1" },
		{ "probability", "100" },
	};
	char path[256];
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(knob); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, knob[i][0]);
		ret = write_text(path, knob[i][1]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Arm the TPM transport's fault injection for PCR_Extend only: lose the
 * command before it is sent (@unsent) or the TPM's response to it.
 */
static int arm_extend_fault_keep(int unsent);

static int arm_extend_fault(int unsent)
{
	return arm_extend_fault_keep(unsent) ?: arm_fault_once(FAIL_TPM);
}

/* The same, but keep "times" as it is (the storm sets it per transition). */
static int arm_extend_fault_keep(int unsent)
{
	return write_text(FAIL_TPM "/verbose", "0") ?:
		write_text(FAIL_TPM "/ordinal", PCR_EXTEND_CC) ?:
		write_text(FAIL_TPM "/unsent", unsent ? "1" : "0") ?:
		write_text(FAIL_TPM "/interval", "1") ?:
		write_text(FAIL_TPM "/probability", "100");
}

/*
 * An ordinary transition: write @val, then expect state @state and the
 * PCR and the log advanced by exactly one record, folded in every bank.
 */
static void folded_transition(struct __test_metadata *_metadata,
			      const char *val, const char *state)
{
	struct snapshot before, after;

	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_EQ(0, gate_write(val, 1, 0));
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_STREQ(state, after.state);
	check_folded(_metadata, &before, &after, 1);
	free_snapshot(&before);
	free_snapshot(&after);
}

static int mount_debugfs(void)
{
	if (!access(DEBUGFS "/fault_around_bytes", F_OK) ||
	    !access(KMEMLEAK, F_OK) || !access(FAIL_TPM, F_OK))
		return 0;
	if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL) == 0)
		return 0;
	return errno == EBUSY ? 0 : -errno;
}

/* The value that moves the gate away from @state: "1" unless unlocked. */
static const char *away_from(const char *state)
{
	return strcmp(state, "unlocked") ? "1" : "0";
}

/*
 * One audit record of the gate (type=1809, AUDIT_INTEGRITY_EFI_RT) as the
 * kernel log shows it: its fields in order (keys, space separated) and
 * their values.  subj is "" without a subj= field.
 */
struct audit_rec {
	char keys[160], subj[128], op[32], old_state[16], new_state[16];
	char comm[80];
	long pcr, err, res, auid, ses, pid, uid;
};

/* The documented order; subj= only when an LSM labels tasks. */
#define AUDIT_KEYS_HEAD	"pid uid auid ses"
#define AUDIT_KEYS_TAIL	"op old_state new_state pcr comm res errno"

static void audit_field(struct audit_rec *a, const char *key, const char *val)
{
	size_t n = strlen(a->keys);

	snprintf(a->keys + n, sizeof(a->keys) - n, "%s%s", n ? " " : "", key);
	if (!strcmp(key, "op"))
		snprintf(a->op, sizeof(a->op), "%s", val);
	else if (!strcmp(key, "subj"))
		snprintf(a->subj, sizeof(a->subj), "%s", val);
	else if (!strcmp(key, "old_state"))
		snprintf(a->old_state, sizeof(a->old_state), "%s", val);
	else if (!strcmp(key, "new_state"))
		snprintf(a->new_state, sizeof(a->new_state), "%s", val);
	else if (!strcmp(key, "comm"))
		snprintf(a->comm, sizeof(a->comm), "%s", val);
	else if (!strcmp(key, "pcr"))
		a->pcr = strtol(val, NULL, 10);
	else if (!strcmp(key, "errno"))
		a->err = strtol(val, NULL, 10);
	else if (!strcmp(key, "res"))
		a->res = strtol(val, NULL, 10);
	else if (!strcmp(key, "auid"))
		a->auid = strtoul(val, NULL, 10);
	else if (!strcmp(key, "ses"))
		a->ses = strtoul(val, NULL, 10);
	else if (!strcmp(key, "pid"))
		a->pid = strtol(val, NULL, 10);
	else if (!strcmp(key, "uid"))
		a->uid = strtol(val, NULL, 10);
}

/*
 * The gate's audit records of process @pid in the kernel log (kauditd
 * prints them there when no audit daemon listens); up to @max into @out,
 * returns how many there are.  Records reach the log from kauditd, so wait
 * up to two seconds for the first one.  The fields are those after the
 * "audit(<time>:<serial>):" token.
 */
static int audit_records_of(pid_t pid, struct audit_rec *out, int max)
{
	static char buf[1 << 18];
	char *line, *save, *tok, *tsave, *eq, *rec;
	char type[16];
	struct audit_rec a;
	int n = 0, tries, len;

	snprintf(type, sizeof(type), "type=%d ", AUDIT_INTEGRITY_EFI_RT);
	for (tries = 0; tries < 20 && !n; tries++) {
		if (tries)
			usleep(100000);
		len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
		if (len < 0)
			return -errno;
		buf[len] = 0;
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			rec = strstr(line, type);
			if (!rec)
				continue;
			rec = strstr(rec, "): ");
			if (!rec)
				continue;
			a = (struct audit_rec){ .pcr = -1, .err = -1, .res = -1,
						.auid = -1, .ses = -1, .pid = -1,
						.uid = -1 };
			for (tok = strtok_r(rec + 3, " ", &tsave); tok;
			     tok = strtok_r(NULL, " ", &tsave)) {
				eq = strchr(tok, '=');
				if (!eq) {
					audit_field(&a, "(no key)", tok);
					continue;
				}
				*eq = 0;
				audit_field(&a, tok, eq + 1);
			}
			if (a.pid != pid)
				continue;
			if (n < max)
				out[n] = a;
			n++;
		}
	}
	return n;
}

/* The LSM context of the calling task, "" if no LSM labels it. */
static void task_context(char *buf, size_t max)
{
	if (read_text("/proc/self/attr/current", buf, max) < 0)
		buf[0] = 0;
}

/*
 * The fields of @a are the documented ones, in the documented order, and
 * subj= is the writer's context @ctx (absent when it has none);
 * EXPECT_SUBJ names the context the writer must have.
 */
static void audit_check_format(struct __test_metadata *_metadata,
			       const struct audit_rec *a, const char *ctx)
{
	const char *want_subj = env("EXPECT_SUBJ");

	if (want_subj) {
		EXPECT_STREQ(want_subj, ctx) TH_LOG("the writer's LSM context");
		EXPECT_STREQ(want_subj, a->subj);
	}
	if (*ctx) {
		EXPECT_STREQ(AUDIT_KEYS_HEAD " subj " AUDIT_KEYS_TAIL, a->keys);
		EXPECT_STREQ(ctx, a->subj);
	} else {
		EXPECT_STREQ(AUDIT_KEYS_HEAD " " AUDIT_KEYS_TAIL, a->keys);
	}
	EXPECT_GE(0, a->err) TH_LOG("errno=%ld is not a negative errno or 0", a->err);
	EXPECT_EQ(a->err ? 0 : 1, a->res);
}

/* comm= as audit_log_untrustedstring() writes it: quoted, or hex. */
static void audit_comm(const char *comm, char *out, size_t max)
{
	const unsigned char *p;
	int hex = 0;
	size_t n = 0;

	for (p = (const unsigned char *)comm; *p; p++)
		hex |= *p == '"' || *p < 0x21 || *p > 0x7e;
	if (!hex) {
		snprintf(out, max, "\"%s\"", comm);
		return;
	}
	for (p = (const unsigned char *)comm; *p && n + 3 < max; p++)
		n += snprintf(out + n, max - n, "%02X", *p);
}

/* What a child that wrote to unlock saw, shared with the parent. */
struct attempt {
	int ret;
	long auid, ses, uid;
	char subj[128];
};

/*
 * Write @val to unlock from a child named @comm (loginuid @auid first, if
 * not negative), and check the one audit record of that attempt against
 * what the child and the gate saw.  Returns the write's result.
 */
static int audited_write(struct __test_metadata *_metadata, const char *comm,
			 long auid, const char *val)
{
	struct attempt *at;
	struct audit_rec rec[4];
	char before[16], after[16], want[80], num[24];
	int status, n, ret;
	pid_t pid;

	at = mmap(NULL, sizeof(*at), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (at == MAP_FAILED) {
		TH_LOG("mmap: %s", strerror(errno));
		return -EFAULT;
	}
	gate_state(before, sizeof(before));
	pid = fork();
	if (!pid) {
		prctl(PR_SET_NAME, comm);
		if (auid >= 0) {
			snprintf(num, sizeof(num), "%ld", auid);
			if (write_text("/proc/self/loginuid", num))
				_exit(10);
		}
		at->auid = read_long("/proc/self/loginuid");
		at->ses = read_long("/proc/self/sessionid");
		at->uid = getuid();
		task_context(at->subj, sizeof(at->subj));
		at->ret = gate_write(val, strlen(val), 0);
		_exit(0);
	}
	EXPECT_LE(0, pid);
	EXPECT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child could not set loginuid %ld", auid);
	ret = at->ret;
	gate_state(after, sizeof(after));

	n = audit_records_of(pid, rec, ARRAY_SIZE(rec));
	/* Without auditd, kauditd prints at most 10 records per 5 s. */
	EXPECT_EQ(1, n) TH_LOG("%d audit records of pid %d (%s writing %s)",
			       n, pid, comm, val);
	if (n >= 1) {
		audit_check_format(_metadata, &rec[0], at->subj);
		EXPECT_STREQ(*val == '1' ? "unlock" : "relock", rec[0].op);
		EXPECT_STREQ(before, rec[0].old_state);
		EXPECT_STREQ(after, rec[0].new_state);
		EXPECT_EQ(gate_pcr(), rec[0].pcr);
		EXPECT_EQ(ret, rec[0].err)
			TH_LOG("errno=%ld, write returned %d", rec[0].err, ret);
		EXPECT_EQ(ret ? 0 : 1, rec[0].res);
		EXPECT_EQ(at->uid, rec[0].uid);
		EXPECT_EQ(at->auid, rec[0].auid);
		EXPECT_EQ(at->ses, rec[0].ses);
		audit_comm(comm, want, sizeof(want));
		EXPECT_STREQ(want, rec[0].comm);
		if (auid >= 0)
			EXPECT_EQ(auid, rec[0].auid);
	}
	munmap(at, sizeof(*at));
	return ret;
}

/*
 * Every unlock or relock attempt leaves one AUDIT_INTEGRITY_EFI_RT record
 * (type 1809) with who asked, the writer's LSM context (subj=, with an
 * LSM), the operation, the states, the PCR and the result, in the
 * documented order; comm is an untrusted string (hex when it holds a
 * space or a quote).  EXPECT_UNLOCK_ERRNO=NAME:
 * the attempt is refused with that errno (res=0, the state stays).
 * Keep this test first in its boot: without auditd, kauditd prints
 * records through printk_ratelimit() (10 per 5 s).
 */
TEST(audit_records)
{
	const char *refused = env("EXPECT_UNLOCK_ERRNO");
	char state[16];
	int ret;

	gate_state(state, sizeof(state));
	ASSERT_EQ(0, access("/proc/self/loginuid", F_OK)) TH_LOG("kernel without CONFIG_AUDIT");
	if (refused) {
		ASSERT_NE(0, errno_by_name(refused)) TH_LOG("unknown errno %s", refused);
		ret = audited_write(_metadata, "ertg \"refused\"", 4243, away_from(state));
		ASSERT_EQ(-errno_by_name(refused), ret);
		return;
	}
	ASSERT_TRUE(tpm_present());
	ASSERT_EQ(0, audited_write(_metadata, "ertg-audit", 4242, away_from(state)));
	gate_state(state, sizeof(state));
	ASSERT_EQ(0, audited_write(_metadata, "ertg \"x\"", -1, away_from(state)));
}

/*
 * The TPM's driver was a module that /init loaded after every initcall, the
 * gate's included (harness.modprobe=tpm_crb, or tpm_tis on the debug kernel,
 * named by LATE_TPM_MODULE): the chip appeared after the gate initialised.
 * The gate must find it on first use; after an emulated launch the TIS
 * probe found locality 2 active, as a launch leaves it.
 */
TEST(late_tpm)
{
	const char *mod = getenv("LATE_TPM_MODULE") ?: "tpm_tis";
	char buf[64], path[96];
	size_t len = strlen(mod);
	FILE *f;
	int found = 0;

	f = fopen("/proc/modules", "r");
	ASSERT_NE(NULL, f);
	while (fgets(buf, sizeof(buf), f))
		found |= !strncmp(buf, mod, len) && buf[len] == ' ';
	fclose(f);
	ASSERT_TRUE(found) TH_LOG("%s is not a loaded module (built in?)", mod);
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", mod);
	ASSERT_EQ(4, read_text(path, buf, sizeof(buf)));
	ASSERT_STREQ("live", buf);
	ASSERT_TRUE(tpm_present());
	/* The gate initialised without a chip and said so. */
	ASSERT_TRUE(dmesg_has("efi_rt_gate: ", "no TPM yet"));
	/* An emulated launch left TIS locality 2 active for the probe. */
	if (!access(SL_DIR "/emulated", F_OK) && !strcmp(mod, "tpm_tis"))
		ASSERT_TRUE(dmesg_has("slaunch: ", "locality 2 left active"));
	gate_state(buf, sizeof(buf));
	ASSERT_STREQ("locked", buf);
	/* unlock_relock and log_replays_pcr then use the late chip. */
}

#define FW_ENTRIES	DEBUGFS "/x86/efi_firmware_entries"

/* Entries into EFI runtime firmware since boot (debug kernel) */
static long long fw_entry_count(void)
{
	char buf[32];

	if (read_text(FW_ENTRIES, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Read every file of the gate's securityfs directory (and discard it). */
static void read_gate_files(struct __test_metadata *_metadata)
{
	static const char *const files[] = {
		"state", "pcr", "binary_measurements", "ascii_measurements",
	};
	char buf[4096];
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char path[128];

		snprintf(path, sizeof(path), GATE "/%s", files[i]);
		fd = open(path, O_RDONLY);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

/*
 * No firmware code before the first unlock (debug kernel, locked boot):
 * the count of entries into EFI runtime firmware is 0 at boot, when
 * SetVirtualAddressMap() is deferred, and stays 0 through everything that
 * would reach the firmware if the gate let it: mounting efivarfs,
 * efibootmgr (tools initramfs) and reading every gate file.  The first
 * unlock runs SetVirtualAddressMap() (the kernel says so) and the count
 * becomes positive; after a relock it no longer moves.  Ends locked.
 */
TEST(fw_entries)
{
	long long before, after;
	char state[16];

	ASSERT_EQ(0, mount_debugfs());
	/* With more CPUs, the late SVAM runs (and flushes TLBs) with SMP up. */
	if (env("EXPECT_CPUS"))
		ASSERT_EQ(atoi(env("EXPECT_CPUS")), sysconf(_SC_NPROCESSORS_ONLN));
	ASSERT_EQ(0, access(FW_ENTRIES, R_OK)) TH_LOG("%s: %s", FW_ENTRIES, strerror(errno));
	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state);
	ASSERT_EQ(0, fw_entry_count()) TH_LOG("firmware code ran on a locked boot");
	ASSERT_TRUE(dmesg_has("efi: ", "SetVirtualAddressMap() deferred"));

	/* Variables are served from the EFI stub's snapshot, read-only. */
	expect_locked_ro_efivarfs(_metadata);
	if (env("EXPECT_EFIBOOTMGR")) {
		ASSERT_EQ(0, system("command -v efibootmgr > /dev/null"));
		ASSERT_EQ(0, system("efibootmgr > /dev/null 2>&1"))
			TH_LOG("efibootmgr cannot list the snapshot's boot entries");
		ASSERT_NE(0, system("efibootmgr -t 7 > /dev/null 2>&1"))
			TH_LOG("efibootmgr wrote a variable while locked");
	}
	umount(EFIVARFS);
	read_gate_files(_metadata);
	ASSERT_EQ(0, fw_entry_count()) TH_LOG("firmware code ran while locked");

	ASSERT_EQ(0, gate_write("1", 1, 0));
	ASSERT_TRUE(dmesg_has("efi: ", "SetVirtualAddressMap() done at the first unlock"));
	after = fw_entry_count();
	ASSERT_LT(0, after);
	ASSERT_EQ(0, mount_efivarfs());
	if (env("EXPECT_EFIBOOTMGR"))
		ASSERT_EQ(0, system("efibootmgr > /dev/null 2>&1"));
	ASSERT_LT(after, fw_entry_count());
	umount(EFIVARFS);

	ASSERT_EQ(0, gate_write("0", 1, 0));
	before = fw_entry_count();
	expect_locked_ro_efivarfs(_metadata);
	umount(EFIVARFS);
	read_gate_files(_metadata);
	ASSERT_EQ(before, fw_entry_count()) TH_LOG("firmware code ran after the relock");
}

#define CAPSULE_DEV	"/dev/efi_capsule_loader"
#define FAIL_CLOSE	DEBUGFS "/fail_efi_rt_gate_close"
#define PSTORE_BACKEND	"/sys/module/pstore/parameters/backend"
#define EFI_CAPSULE_PERSIST_ACROSS_RESET	0x00010000

/* EFI_CAPSULE_HEADER (UEFI 2.10, 8.5.3): 28 bytes, no padding */
struct capsule_header {
	uint8_t guid[16];
	uint32_t header_size;
	uint32_t flags;
	uint32_t image_size;
};

/*
 * Are the consumers that follow the gate there (@there) or gone?  The
 * capsule loader's device node and the registered pstore backend.
 */
static void expect_consumers(struct __test_metadata *_metadata, int there)
{
	char backend[64];

	if (read_text(PSTORE_BACKEND, backend, sizeof(backend)) < 0)
		snprintf(backend, sizeof(backend), "(unreadable: %s)", strerror(errno));
	if (there) {
		ASSERT_EQ(0, access(CAPSULE_DEV, W_OK))
			TH_LOG("%s after an unlock: %s", CAPSULE_DEV, strerror(errno));
		ASSERT_STREQ("efi_pstore", backend);
	} else {
		ASSERT_NE(0, access(CAPSULE_DEV, F_OK))
			TH_LOG("%s exists while locked", CAPSULE_DEV);
		ASSERT_EQ(ENOENT, errno);
		ASSERT_STRNE("efi_pstore", backend)
			TH_LOG("efi_pstore registered while locked");
	}
}

/*
 * Upload a capsule made of its header alone through the capsule loader:
 * the write returns 0 or -errno.  The firmware decides whether it takes it
 * (QueryCapsuleCapabilities(), then UpdateCapsule()).
 */
static int upload_capsule(uint32_t flags)
{
	/* EFI_FIRMWARE_MANAGEMENT_CAPSULE_ID_GUID, 6dcbd5ed-e82d-4c44-bda1-7194199ad92a */
	struct capsule_header h = {
		.guid = { 0xed, 0xd5, 0xcb, 0x6d, 0x2d, 0xe8, 0x44, 0x4c,
			  0xbd, 0xa1, 0x71, 0x94, 0x19, 0x9a, 0xd9, 0x2a },
		.header_size = sizeof(h), .flags = flags, .image_size = sizeof(h),
	};
	ssize_t n;
	int fd, ret;

	fd = open(CAPSULE_DEV, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, &h, sizeof(h));
	ret = n < 0 ? -errno : n == sizeof(h) ? 0 : -EMSGSIZE;
	close(fd);
	return ret;
}

/*
 * The EFI consumers that decide at boot follow the gate (debug kernel,
 * where the capsule loader, efibc and efi-pstore are built in; a boot
 * that started locked): while locked there is no capsule loader and no
 * efi_pstore backend, and nothing enters the firmware; after an unlock
 * both are there and a capsule written to the loader reaches the
 * firmware; after a relock both are gone again.  A relock that a consumer
 * refuses (fault injection fail_efi_rt_gate_close) fails with EBUSY and
 * changes nothing: state, PCR, log, consumers.  If the firmware took the
 * capsule (it is pending until the reset), the real relock is refused the
 * same way; OVMF takes none.  Ends locked, or unlocked with the capsule
 * pending.
 */
TEST(consumers)
{
	struct snapshot before, after;
	long long n0, n1;
	char state[16];
	int ret, taken;

	if (!tpm_present())
		SKIP(return, "no TPM");
	ASSERT_EQ(0, mount_debugfs());
	gate_state(state, sizeof(state));
	if (!strcmp(state, "unlocked"))
		ASSERT_EQ(0, gate_write("0", 1, 0));
	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state);

	n0 = fw_entry_count();
	expect_consumers(_metadata, 0);
	ASSERT_EQ(-ENOENT, upload_capsule(0));
	ASSERT_EQ(n0, fw_entry_count()) TH_LOG("firmware code ran while locked");

	ASSERT_EQ(0, gate_write("1", 1, 0));
	expect_consumers(_metadata, 1);
	ASSERT_TRUE(dmesg_has("pstore: ", "Registered efi_pstore as persistent store backend"));

	/* A capsule processed at once, then one that persists across reset */
	n0 = fw_entry_count();
	ret = upload_capsule(0);
	n1 = fw_entry_count();
	diag("capsule, flags 0: %s, %lld firmware entries",
	     ret ? strerror(-ret) : "taken", n1 - n0);
	ASSERT_LT(n0, n1) TH_LOG("the capsule did not reach the firmware");
	ret = upload_capsule(EFI_CAPSULE_PERSIST_ACROSS_RESET);
	diag("capsule, PERSIST_ACROSS_RESET: %s, %lld firmware entries",
	     ret ? strerror(-ret) : "taken", fw_entry_count() - n1);
	ASSERT_LT(n1, fw_entry_count()) TH_LOG("the capsule did not reach the firmware");

	taken = !ret;

	/*
	 * A consumer refuses the relock (fault injection, as the capsule
	 * code does while a capsule is pending): EBUSY and nothing changes,
	 * no extend, no record; the consumers asked before stay as they were
	 * (a capsule still reaches the firmware).
	 */
	ASSERT_EQ(0, access(FAIL_CLOSE, F_OK)) TH_LOG("no " FAIL_CLOSE);
	ASSERT_EQ(0, arm_fault_once(FAIL_CLOSE));
	ASSERT_EQ(0, take_snapshot(&before));
	ret = gate_write("0", 1, 0);
	ASSERT_EQ(0, write_text(FAIL_CLOSE "/probability", "0"));
	ASSERT_EQ(-EBUSY, ret) TH_LOG("relock: %s", strerror(-ret));
	report_errno(EBUSY, "relock refused by a consumer (fail_efi_rt_gate_close)");
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_TRUE(snapshot_equal(&before, &after))
		TH_LOG("a refused relock changed state, PCR or log");
	free_snapshot(&after);
	ASSERT_TRUE(dmesg_has("efi: runtime gate: ", "close refused by a consumer: -16"));
	expect_consumers(_metadata, 1);
	n0 = fw_entry_count();
	ASSERT_NE(-ENODEV, upload_capsule(0)) TH_LOG("capsules withheld after a refused relock");
	ASSERT_LT(n0, fw_entry_count()) TH_LOG("the capsule did not reach the firmware");

	if (taken) {
		/* Pending until the reset: a relock would drop it. */
		ASSERT_EQ(-EBUSY, gate_write("0", 1, 0));
		ASSERT_EQ(0, take_snapshot(&after));
		ASSERT_TRUE(snapshot_equal(&before, &after))
			TH_LOG("a refused relock changed state, PCR or log");
		expect_consumers(_metadata, 1);
		free_snapshot(&after);
	} else {
		ASSERT_EQ(0, gate_write("0", 1, 0));
		ASSERT_EQ(0, take_snapshot(&after));
		ASSERT_STREQ("locked", after.state);
		check_folded(_metadata, &before, &after, 1);
		expect_consumers(_metadata, 0);
		n0 = fw_entry_count();
		ASSERT_EQ(-ENOENT, upload_capsule(0));
		ASSERT_EQ(n0, fw_entry_count()) TH_LOG("firmware code ran after the relock");
		free_snapshot(&after);
	}
	free_snapshot(&before);
}

#define PSTORE_DISABLE	"/sys/module/efi_pstore/parameters/pstore_disable"

/* Is efi-pstore the registered pstore backend? */
static int efi_pstore_registered(void)
{
	char backend[64];

	return read_text(PSTORE_BACKEND, backend, sizeof(backend)) > 0 &&
	       !strcmp(backend, "efi_pstore");
}

/*
 * Read the kernel messages logged since @fd (/dev/kmsg, non-blocking,
 * opened at its end) was last read and print those that contain one of
 * @words: their number.  Each time the ring buffer had overwritten
 * records before they were read, *@lost is incremented.
 */
static int kmsg_count(int fd, const char *const *words, unsigned int *lost)
{
	char rec[4096], *text;
	int hits = 0, i;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			(*lost)++;
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = 0;
		text = strchr(rec, ';') ? strchr(rec, ';') + 1 : rec;
		for (i = 0; words[i]; i++) {
			if (strstr(text, words[i])) {
				diag("kernel: %.*s", (int)strcspn(text, "\n"), text);
				hits++;
				break;
			}
		}
	}
	return hits;
}

/*
 * efi-pstore's pstore_disable parameter and the gate's notifier both
 * register and unregister the pstore backend.  A child toggles the
 * parameter while this process unlocks and relocks (debug kernel, 2 CPUs,
 * efi-pstore built in).  Then: no warning (a second pstore_unregister()
 * WARNs), no second registration ("already loaded"), no BUG, no new
 * taint, no kernel message lost unread, and the backend is registered
 * exactly when the gate is unlocked and the parameter allows it: in the
 * state the race left, and in each combination after it.  Ends locked,
 * with pstore_disable N.
 */
TEST(pstore_race)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "already loaded", "already in use",
		NULL
	};
	static const struct {
		const char *gate, *disable;
		int registered;
	} steps[] = {
		{ "0", "N", 0 }, { "1", "N", 1 }, { "1", "Y", 0 }, { "1", "N", 1 },
		{ "0", "N", 0 }, { "0", "Y", 0 }, { "1", "Y", 0 }, { "1", "N", 1 },
		{ "0", "N", 0 },
	};
	unsigned int i, n = 400, failed = 0, lost = 0;
	unsigned long taint0 = tainted();
	char state[16], disable[8];
	int kfd, status, warned = 0;
	unsigned long *cnt;
	pid_t pid;

	if (!tpm_present())
		SKIP(return, "no TPM");
	ASSERT_EQ(0, access(PSTORE_DISABLE, W_OK))
		TH_LOG(PSTORE_DISABLE ": %s", strerror(errno));
	if (env("PSTORE_RACE_TRANSITIONS"))
		n = strtoul(env("PSTORE_RACE_TRANSITIONS"), NULL, 10);
	gate_state(state, sizeof(state));
	if (!strcmp(state, "unlocked"))
		ASSERT_EQ(0, gate_write("0", 1, 0));
	ASSERT_EQ(0, write_text(PSTORE_DISABLE, "N"));
	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, kfd) TH_LOG("/dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(kfd, 0, SEEK_END));

	/* [0]: stop, [1]: toggles, [2]: toggles that failed */
	cnt = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, cnt);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (i = 0; !__atomic_load_n(&cnt[0], __ATOMIC_ACQUIRE); i++) {
			if (write_text(PSTORE_DISABLE, i % 2 ? "N" : "Y"))
				cnt[2]++;
			cnt[1]++;
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		failed += !!gate_write(i % 2 ? "0" : "1", 1, 0);
		/* Read along, before the ring buffer overwrites anything. */
		warned += kmsg_count(kfd, bad, &lost);
	}
	__atomic_store_n(&cnt[0], 1, __ATOMIC_RELEASE);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	diag("pstore_race: %u transitions, %lu writes of pstore_disable", n, cnt[1]);
	EXPECT_EQ(0, failed) TH_LOG("%u transitions failed", failed);
	EXPECT_EQ(0, cnt[2]) TH_LOG("%lu writes of pstore_disable failed", cnt[2]);
	munmap(cnt, 4096);

	gate_state(state, sizeof(state));
	ASSERT_LT(0, read_text(PSTORE_DISABLE, disable, sizeof(disable)));
	EXPECT_EQ(!strcmp(state, "unlocked") && !strcmp(disable, "N"),
		  efi_pstore_registered())
		TH_LOG("after the race: gate %s, pstore_disable %s, efi_pstore %s",
		       state, disable, efi_pstore_registered() ? "registered" : "not registered");
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		ASSERT_EQ(0, gate_write(steps[i].gate, 1, 0));
		ASSERT_EQ(0, write_text(PSTORE_DISABLE, steps[i].disable));
		EXPECT_EQ(steps[i].registered, efi_pstore_registered())
			TH_LOG("gate %s, pstore_disable %s: efi_pstore %s", steps[i].gate,
			       steps[i].disable, steps[i].registered ? "not registered" :
			       "registered");
	}
	warned += kmsg_count(kfd, bad, &lost);
	EXPECT_EQ(0, warned) TH_LOG("the kernel warned while the backend came and went");
	EXPECT_EQ(0, lost) TH_LOG("the kernel log overran %u times before it was read", lost);
	close(kfd);
	EXPECT_EQ(taint0, tainted()) TH_LOG("the kernel was tainted during the race");
}

#define REBOOT_TYPE	"/sys/kernel/reboot/type"
#define REBOOT_FLAG	"/run/harness-reboot"

/*
 * A reboot while locked never asks the firmware (booted with reboot=efi,
 * the method a HW-reduced ACPI platform defaults to): the reboot type
 * still says efi, the gate is locked, and /init reboots after the tests
 * (REBOOT_FLAG).  The kernel must then reset through ACPI; the scenario
 * checks its "rebooting through ACPI" line on the console.
 */
TEST(reboot_locked)
{
	char buf[16];

	ASSERT_LT(0, read_text(REBOOT_TYPE, buf, sizeof(buf)))
		TH_LOG("%s: %s", REBOOT_TYPE, strerror(errno));
	ASSERT_STREQ("efi", buf);
	gate_state(buf, sizeof(buf));
	ASSERT_STREQ("locked", buf);
	ASSERT_EQ(0, close(open(REBOOT_FLAG, O_WRONLY | O_CREAT, 0600)));
}

/*
 * efi_rt_gate_nounlock on a locked boot: the boot-services memory was
 * freed at boot, SetVirtualAddressMap() never runs, so no runtime-map
 * with virtual addresses the firmware never received is exported (for
 * kexec_load()), and an unlock fails with EOPNOTSUPP before anything is
 * measured (state, PCR, log unchanged).
 */
TEST(nounlock)
{
	struct snapshot before, after;

	ASSERT_NE(NULL, env("EXPECT_NOUNLOCK")) TH_LOG("run with efi_rt_gate_nounlock");
	ASSERT_TRUE(dmesg_has("efi: ", "SetVirtualAddressMap() never called"));
	ASSERT_TRUE(dmesg_has("efi: ", "Freeing EFI boot services memory"));
	ASSERT_EQ(0, access("/sys/firmware/efi", F_OK));
	ASSERT_NE(0, access("/sys/firmware/efi/runtime-map", F_OK))
		TH_LOG("runtime-map exported with addresses the firmware never got");
	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_STREQ("locked", before.state);
	ASSERT_EQ(-EOPNOTSUPP, gate_write("1", 1, 0));
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_TRUE(snapshot_equal(&before, &after));
	ASSERT_FALSE(dmesg_has("efi: ", "SetVirtualAddressMap() done"));
	free_snapshot(&before);
	free_snapshot(&after);
}

/*
 * The deferred SetVirtualAddressMap() of the first unlock faults (fault
 * injection, debug kernel: fail_efi_rt_gate_svam, a page fault on
 * efi_rts_wq in efi_mm where the firmware call would be) and the
 * firmware-fault handler contains it: the unlock returns EIO after its
 * record, a second record (unlock, unlocked -> disabled, reason 8) says
 * so, the failed write is audited, the state is disabled for the boot,
 * the boot-services memory stays reserved, the firmware was entered once
 * and never again, and relock and unlock are refused with EOPNOTSUPP
 * without further records.
 */
TEST(svam_failure)
{
	struct snapshot before, after, again;
	struct audit_rec rec[2];
	char ctx[128];
	struct gate_event ev;

	ASSERT_NE(NULL, env("EXPECT_SVAM_FAIL")) TH_LOG("run with fail_efi_rt_gate_svam");
	ASSERT_EQ(0, mount_debugfs());
	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_STREQ("locked", before.state);
	ASSERT_EQ(0, fw_entry_count());
	ASSERT_EQ(-EIO, gate_write("1", 1, 0));
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_STREQ("disabled", after.state);
	check_folded(_metadata, &before, &after, 2);
	ASSERT_EQ(0, record_event(&after.log.rec[after.log.nr_records - 2], &ev));
	ASSERT_EQ(GATE_OP_UNLOCK, ev.op);
	ASSERT_STREQ("unlocked", state_code_name(ev.after));
	check_event_digests(_metadata, &ev, 1);
	ASSERT_EQ(0, record_event(&after.log.rec[after.log.nr_records - 1], &ev));
	ASSERT_EQ(GATE_OP_UNLOCK, ev.op);
	ASSERT_STREQ("unlocked", state_code_name(ev.before));
	ASSERT_STREQ("disabled", state_code_name(ev.after));
	ASSERT_EQ(GATE_REASON_SVAM_FAILED, ev.reason);
	ASSERT_EQ(0, ev.nr_digests);
	/* The failed write is audited as such. */
	ASSERT_EQ(1, audit_records_of(getpid(), rec, ARRAY_SIZE(rec)));
	task_context(ctx, sizeof(ctx));
	audit_check_format(_metadata, &rec[0], ctx);
	ASSERT_EQ(0, rec[0].res);
	ASSERT_EQ(-EIO, rec[0].err);
	ASSERT_STREQ("disabled", rec[0].new_state);
	/*
	 * The injected fault is a page fault where the firmware runs (on
	 * efi_rts_wq, in efi_mm): the firmware-fault handler contained it,
	 * as it contains a fault in any runtime service.
	 */
	ASSERT_TRUE(dmesg_has("", "Page fault caused by firmware at PA"));
	ASSERT_TRUE(dmesg_has("efi: ", "Froze efi_rts_wq and disabled EFI Runtime Services"));
	ASSERT_FALSE(dmesg_has("", "Oops"));
	ASSERT_FALSE(dmesg_has("efi: ", "SetVirtualAddressMap() done"));
	ASSERT_FALSE(dmesg_has("efi: ", "Freeing EFI boot services memory"));
	/* That one entry into the firmware's context, and none after. */
	ASSERT_EQ(1, fw_entry_count());

	ASSERT_EQ(-EOPNOTSUPP, gate_write("0", 1, 0));
	ASSERT_EQ(-EOPNOTSUPP, gate_write("1", 1, 0));
	/*
	 * Still the boot-time snapshot, read-only, without the firmware
	 * (no message: there is nothing to unlock any more).
	 */
	expect_ro_efivarfs(_metadata, 0);
	umount(EFIVARFS);
	ASSERT_EQ(1, fw_entry_count());
	ASSERT_EQ(0, take_snapshot(&again));
	ASSERT_TRUE(snapshot_equal(&after, &again));
	free_snapshot(&before);
	free_snapshot(&after);
	free_snapshot(&again);
}

/*
 * The TPM's response to the extend of an unlock is lost after the TPM
 * executed it (fault injection in the TPM transport: fail_tpm_transmit,
 * PCR_Extend only).  The gate cannot know from the error; the TPM core
 * reads the PCR back (in an HMAC session where the extend used one) and
 * finds it extended, so the record is logged and the unlock is done: one
 * record, folded into every bank, runtime services on, one audit record.
 */
TEST(fault_ambiguous_extend)
{
	struct snapshot before, after;
	struct audit_rec rec[2];
	char ctx[128];

	ASSERT_EQ(0, mount_debugfs());
	ASSERT_EQ(0, access(FAIL_TPM, F_OK)) TH_LOG("no " FAIL_TPM);
	ASSERT_EQ(0, arm_extend_fault(0));
	ASSERT_FALSE(dmesg_has("tpm tpm0: ", "fault injection: response to 0x182 lost"));

	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_STREQ("locked", before.state);
	ASSERT_EQ(0, gate_write("1", 1, 0));
	ASSERT_EQ(0, take_snapshot(&after));

	/* The fault fired, once. */
	ASSERT_EQ(0, read_long(FAIL_TPM "/times"));
	ASSERT_TRUE(dmesg_has("tpm tpm0: ", "fault injection: response to 0x182 lost"));
	ASSERT_STREQ("unlocked", after.state);
	check_folded(_metadata, &before, &after, 1);
	ASSERT_EQ(1, audit_records_of(getpid(), rec, ARRAY_SIZE(rec)));
	task_context(ctx, sizeof(ctx));
	audit_check_format(_metadata, &rec[0], ctx);
	ASSERT_EQ(1, rec[0].res);
	ASSERT_STREQ("unlocked", rec[0].new_state);
	free_snapshot(&before);
	free_snapshot(&after);

	/* Spent: the next transition is an ordinary one. */
	folded_transition(_metadata, "0", "locked");
}

/*
 * The extend of an unlock is lost before it reached the TPM (the same
 * fault injection, "unsent").  The TPM core reads the PCR back, finds it
 * unchanged, and the write fails with ETIME: no record, no extend, still
 * locked, one failed audit record.
 */
TEST(fault_lost_unsent)
{
	struct snapshot before, after;
	struct audit_rec rec[2];
	char ctx[128];

	ASSERT_EQ(0, mount_debugfs());
	ASSERT_EQ(0, access(FAIL_TPM, F_OK)) TH_LOG("no " FAIL_TPM);
	ASSERT_EQ(0, arm_extend_fault(1));

	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_STREQ("locked", before.state);
	ASSERT_EQ(-ETIME, gate_write("1", 1, 0));
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_EQ(0, read_long(FAIL_TPM "/times"));
	ASSERT_TRUE(snapshot_equal(&before, &after))
		TH_LOG("a lost, unsent extend changed state, PCR or log");
	ASSERT_EQ(1, audit_records_of(getpid(), rec, ARRAY_SIZE(rec)));
	task_context(ctx, sizeof(ctx));
	audit_check_format(_metadata, &rec[0], ctx);
	ASSERT_EQ(0, rec[0].res);
	ASSERT_STREQ("locked", rec[0].new_state);
	ASSERT_EQ(-ETIME, rec[0].err);
	report_errno(ETIME, "extend lost before it reached the TPM, PCR unchanged");
	free_snapshot(&before);
	free_snapshot(&after);
	ASSERT_EQ(0, write_text(FAIL_TPM "/unsent", "0"));

	/* Spent: the next unlock is an ordinary one. */
	folded_transition(_metadata, "1", "unlocked");
	ASSERT_EQ(0, gate_write("0", 1, 0));
}

/*
 * efi_rt_gate.log_max_records=N (EXPECT_LOG_MAX=N): transitions succeed
 * until the log holds N records; the next fails with ENOSPC.  An unlock
 * then changes nothing (state, PCR, log); a relock (N odd, from a locked
 * boot) still closes the gate, without a record and with the PCR as it
 * was: withholding is always safe.
 */
TEST(log_cap)
{
	struct snapshot before, after;
	unsigned int cap, i;
	long param;
	char state[16];
	int ret = 0;

	ASSERT_NE(NULL, env("EXPECT_LOG_MAX"));
	cap = strtoul(env("EXPECT_LOG_MAX"), NULL, 10);
	param = read_long(LOG_MAX_PARAM);
	if (param >= 0)
		ASSERT_EQ(cap, param);
	ASSERT_TRUE(tpm_present());

	for (i = 0; i <= cap + 1; i++) {
		gate_state(state, sizeof(state));
		ASSERT_EQ(0, take_snapshot(&before));
		ret = gate_write(away_from(state), 1, 0);
		ASSERT_EQ(0, take_snapshot(&after));
		if (ret && !strcmp(state, "unlocked")) {
			ASSERT_STREQ("locked", after.state)
				TH_LOG("a relock at the log cap left runtime services unlocked");
			ASSERT_TRUE(measured_equal(&before, &after))
				TH_LOG("the unmeasured relock changed the PCR or the log");
			break;
		}
		if (ret) {
			ASSERT_TRUE(snapshot_equal(&before, &after))
				TH_LOG("the refused transition changed state, PCR or log");
			break;
		}
		ASSERT_STRNE(state, after.state);
		check_folded(_metadata, &before, &after, 1);
		free_snapshot(&before);
		free_snapshot(&after);
	}
	ASSERT_EQ(-ENOSPC, ret) TH_LOG("transition %u: %d", i + 1, ret);
	ASSERT_EQ(cap, before.log.nr_records);
	ASSERT_EQ(cap, i);
	ASSERT_TRUE(dmesg_has("efi_rt_gate: ", "log_max_records"))
		TH_LOG("no message naming log_max_records");
	report_errno(ENOSPC, "transition past efi_rt_gate.log_max_records");
	free_snapshot(&before);
	free_snapshot(&after);
}

/* Write @data (@len bytes) to unlock; must fail with @err, nothing changes. */
static void refused_write(struct __test_metadata *_metadata, const void *data,
			  size_t len, int err, const char *how)
{
	struct snapshot before, after;
	int ret, fd;

	ASSERT_EQ(0, take_snapshot(&before));
	fd = open(UNLOCK, O_WRONLY);
	ASSERT_LE(0, fd);
	ret = write(fd, data, len) < 0 ? -errno : 0;
	close(fd);
	ASSERT_EQ(-err, ret) TH_LOG("%s: %d", how, ret);
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_TRUE(snapshot_equal(&before, &after)) TH_LOG("%s changed state, PCR or log", how);
	free_snapshot(&before);
	free_snapshot(&after);
	report_errno(err, how);
}

/*
 * The errnos of a write to unlock (Documentation/ABI/testing/
 * securityfs-efi-rt-gate), each with nothing changed: EPERM, EINVAL and
 * EFAULT on any boot, and EXPECT_UNLOCK_ERRNO=NAME for the transition away
 * from the current state on this one (ENODEV without a TPM, EOPNOTSUPP
 * when disabled, EIO with the TPM dead, ENOSPC at the log cap).
 */
TEST(errnos)
{
	struct snapshot before, after;
	const char *name = env("EXPECT_UNLOCK_ERRNO");
	char state[16];
	void *page;
	int status, err;
	pid_t pid;

	gate_state(state, sizeof(state));

	/* EPERM: opened with CAP_SYS_ADMIN, written without it. */
	ASSERT_EQ(0, take_snapshot(&before));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(UNLOCK, O_WRONLY);

		if (fd < 0 || set_caps_without(CAP_SYS_ADMIN))
			_exit(10);
		_exit(write(fd, away_from(state), 1) < 0 && errno == EPERM ? 0 : 11);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_TRUE(snapshot_equal(&before, &after));
	free_snapshot(&before);
	free_snapshot(&after);
	report_errno(EPERM, "write without CAP_SYS_ADMIN");

	refused_write(_metadata, "2", 1, EINVAL, "write of \"2\"");

	/* EFAULT: the buffer is not readable. */
	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	refused_write(_metadata, page, 1, EFAULT, "write from a PROT_NONE page");
	munmap(page, 4096);
	refused_write(_metadata, NULL, 1, EFAULT, "write from NULL");

	if (name) {
		err = errno_by_name(name);
		ASSERT_NE(0, err) TH_LOG("unknown errno %s", name);
		refused_write(_metadata, away_from(state), 1, err,
			      !strcmp(state, "unlocked") ? "relock" : "unlock");
	}
}

/*
 * kmemleak's report, as blocks of text, one per suspected leak; returns the
 * report or NULL.  Two scans a second apart: an orphan can still be seen
 * through a stale stack slot in the first (measured: the kmemleak-test
 * module's leaks appear only from the second scan on).
 */
static char *kmemleak_report(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	if (!buf || write_text(KMEMLEAK, "scan") || sleep(1) ||
	    write_text(KMEMLEAK, "scan")) {
		free(buf);
		return NULL;
	}
	fd = open(KMEMLEAK, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap)
			buf = realloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

/*
 * Count the leak blocks of @report whose backtrace names a function or
 * module that contains one of @words.
 */
static int kmemleak_blocks(const char *report, const char *const *words, int print)
{
	const char *p = report, *next, *end, *bt;
	int n = 0, i, hit;

	while ((p = strstr(p, "unreferenced object"))) {
		next = strstr(p + 1, "unreferenced object");
		end = next ? next : p + strlen(p);
		bt = memmem(p, end - p, "backtrace", 9);
		hit = 0;
		for (i = 0; bt && words[i]; i++)
			hit |= !!memmem(bt, end - bt, words[i], strlen(words[i]));
		if (hit) {
			n++;
			if (print)
				diag("kmemleak: %.*s", (int)(end - p), p);
		}
		p = end;
	}
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Mean, median and 10th percentile of @n times.  The guest runs under
 * TCG on a host that may be busy: a slow host inflates the mean and even
 * the median of a whole window, while the fast tenth still shows what a
 * transition itself costs.
 */
static void window_stats(const double *t, unsigned int n, double *mean,
			 double *median, double *p10)
{
	double *s = malloc(n * sizeof(*s)), sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += t[i];
	*mean = sum / n;
	memcpy(s, t, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	*median = s[n / 2];
	*p10 = s[n / 10];
	free(s);
}

static long meminfo_kb(const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

FIXTURE(stress) {};
FIXTURE_SETUP(stress) {}
FIXTURE_TEARDOWN(stress) {}

/*
 * STRESS_TRANSITIONS (default 10000) alternating unlocks and relocks: every
 * one succeeds, the time per transition stays flat (the mean and the median
 * of the last 1000 within 2x of the first 1000's), unreclaimable slab growth
 * stays within a small multiple of the log's own growth, a kmemleak scan finds no leak
 * allocated by the gate, efivars/efivarfs (mounted across three unlock/relock
 * pairs and unmounted while locked, first) or the TPM code (while it finds the leaks of the
 * kmemleak-test module, the positive control), and every bank of the PCR is
 * the old value folded with exactly the new records.
 */
/*
 * A kernel with the mechanism (CONFIG_EFI_RT_GATE) but neither its measured
 * interface nor a TPM driver: runtime services withheld at boot stay
 * withheld, since nothing can claim the gate's transitions.  No securityfs
 * files; EFI variables read-only from the snapshot.
 */
TEST(mechanism_only)
{
	struct stat st;

	ASSERT_NE(0, stat(GATE, &st)) TH_LOG(GATE " exists without the interface");
	ASSERT_EQ(ENOENT, errno);
	ASSERT_TRUE(dmesg_has("efi: runtime gate: ", "withheld until unlocked"));
	ASSERT_NE(0, access("/dev/tpm0", F_OK)) TH_LOG("a TPM driver is built in");
	expect_ro_efivarfs(_metadata, 0);
}

/* The size in the last "efi: Freeing EFI boot services memory: NK", or 0. */
static long dmesg_bs_freed_kb(void)
{
	static const char key[] = "efi: Freeing EFI boot services memory: ";
	static char buf[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	long kb = 0;
	char *p = buf;

	if (n < 0)
		return 0;
	buf[n] = 0;
	while ((p = strstr(p, key))) {
		p += strlen(key);
		kb = strtol(p, NULL, 10);
	}
	return kb;
}

/*
 * The gate can never open in this boot, which started with a locked
 * policy (EXPECT_NEVER_OPENS=mixed: EFI mixed mode, where the gate cannot
 * hold; noopener: no measured interface built; initfail: its init failed,
 * fail_efi_rt_gate_init=): nothing is kept for the firmware.  The
 * boot-services memory was freed (a boot that defers
 * SetVirtualAddressMap() keeps it reserved until the first unlock), the
 * firmware never got a virtual address map and no runtime-map is exported
 * (kexec_load() would hand on addresses the firmware never received), and
 * the early_memremap() of the EFI memory map did not outlive init
 * (check_early_ioremap_leak(), whose WARNING fails the scenario too).
 */
TEST(never_opens)
{
	const char *how = env("EXPECT_NEVER_OPENS");
	long freed = dmesg_bs_freed_kb();

	ASSERT_NE(NULL, how) TH_LOG("run with EXPECT_NEVER_OPENS=mixed|noopener|initfail");
	printf("# never_opens (%s): MemTotal %ld kB, boot-services memory freed %ld kB\n",
	       how, meminfo_kb("MemTotal:"), freed);
	ASSERT_LT(0, freed) TH_LOG("the boot-services memory is still reserved");
	ASSERT_EQ(0, access("/sys/firmware/efi", F_OK));
	ASSERT_NE(0, access("/sys/firmware/efi/runtime-map", F_OK))
		TH_LOG("runtime-map exported with addresses the firmware never got");
	ASSERT_FALSE(dmesg_has("", "early ioremap leak"));
	ASSERT_FALSE(dmesg_has("efi: ", "SetVirtualAddressMap() done"));
	/* Mixed mode disables runtime services before virtual mode. */
	ASSERT_TRUE(strcmp(how, "mixed") ?
		    dmesg_has("efi: ", "SetVirtualAddressMap() never called") :
		    dmesg_has("efi: runtime gate: ", "mixed-mode EFI: the gate cannot hold"));
	ASSERT_TRUE(strcmp(how, "initfail") || access(GATE, F_OK))
		TH_LOG(GATE " exists after a failed init");
}

/*
 * remount,rw racing unlocks and relocks: efivarfs asks whether the efivars
 * can write (efivar_supports_writes()) while a relock replaces them.  A
 * child remounts efivarfs read-write and read-only in a loop, counting
 * what the kernel answered, while this process unlocks and relocks.  The
 * kernel must stay intact (no oops, no new taint), remount,rw must have
 * been refused while locked (EROFS, also while an unlock is still on its
 * way to efivarfs) and accepted while unlocked, and efivarfs must end up
 * following the final state.
 */
TEST(remount_race)
{
	unsigned int i, n = 400, refused = 0;
	unsigned long taint0 = tainted();
	unsigned long *cnt;
	struct statvfs sv;
	char state[16];
	int status;
	pid_t pid;

	ASSERT_EQ(0, mount_efivarfs());
	gate_state(state, sizeof(state));
	if (!strcmp(state, "unlocked"))
		ASSERT_EQ(0, gate_write("0", 1, 0));
	/* [0] rw accepted, [1] rw refused with EROFS, [2] other errors */
	cnt = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, cnt);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (;;) {
			if (!mount(NULL, EFIVARFS, NULL, MS_REMOUNT, NULL))
				cnt[0]++;
			else
				cnt[errno == EROFS ? 1 : 2]++;
			mount(NULL, EFIVARFS, NULL, MS_REMOUNT | MS_RDONLY, NULL);
		}
	}
	for (i = 0; i < n; i++) {
		if (gate_write(i % 2 ? "0" : "1", 1, 0))
			refused++;
		/* Let the child in between transitions as well. */
		if (i % 8 == 7)
			usleep(2000);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* The child is gone: its counts are final. */
	diag("remount_race: %u transitions, remount,rw %lu accepted, %lu refused (EROFS),",
	     n, cnt[0], cnt[1]);
	diag("remount_race: %lu other errors", cnt[2]);
	EXPECT_EQ(0, refused) TH_LOG("%u transitions failed", refused);
	EXPECT_LT(0, cnt[0]) TH_LOG("remount,rw never ran while unlocked");
	EXPECT_LT(0, cnt[1]) TH_LOG("remount,rw never refused while locked");
	EXPECT_EQ(0, cnt[2]) TH_LOG("remount failed with another error");
	EXPECT_EQ(taint0, tainted()) TH_LOG("the kernel was tainted during the race");
	EXPECT_FALSE(dmesg_has("", "BUG:") || dmesg_has("", "Oops"));
	munmap(cnt, 4096);

	/* Locked now (n is even): read-only, and remount,rw refused. */
	gate_state(state, sizeof(state));
	ASSERT_STREQ("locked", state);
	ASSERT_EQ(0, statvfs(EFIVARFS, &sv));
	ASSERT_TRUE(sv.f_flag & ST_RDONLY);
	ASSERT_NE(0, mount(NULL, EFIVARFS, NULL, MS_REMOUNT, NULL));
	ASSERT_EQ(EROFS, errno);
	/* Unlocked: remount,rw works and a variable can be written. */
	ASSERT_EQ(0, gate_write("1", 1, 0));
	ASSERT_EQ(0, mount(NULL, EFIVARFS, NULL, MS_REMOUNT, NULL));
	ASSERT_EQ(0, efivar_roundtrip());
	ASSERT_EQ(0, gate_write("0", 1, 0));
	ASSERT_EQ(0, statvfs(EFIVARFS, &sv));
	ASSERT_TRUE(sv.f_flag & ST_RDONLY) TH_LOG("efivarfs writable after the relock");
	ASSERT_EQ(0, umount(EFIVARFS));
}

#define ADMIN_A		"/tmp/efivarfs-admin"
#define ADMIN_B		"/tmp/efivarfs-plain"

/* 1 if the file system at @path is read-only, 0 if not, -errno */
static int ro_at(const char *path)
{
	struct statvfs sv;

	if (statvfs(path, &sv))
		return -errno;
	return !!(sv.f_flag & ST_RDONLY);
}

/* errno of access(@path, W_OK): EROFS on a read-only mount, else 0 */
static int write_errno(const char *path)
{
	return access(path, W_OK) ? errno : 0;
}

/* /dev/kmsg opened at its end, so that only new records are read; or -errno */
static int kmsg_open_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Did a record read from @fd since kmsg_open_end() start with @who, contain @text? */
static int kmsg_fd_has(int fd, const char *who, const char *text)
{
	char rec[2048], *msg, *nl;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: skip */
			continue;
		if (n <= 0)
			return 0;
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		diag("efivarfs_admin_ro: kernel: %s", msg);
		if (!strncmp(msg, who, strlen(who)) && strstr(msg, text))
			return 1;
	}
}

/* Relock, expect both mount points read-only, unlock. */
static void relock_unlock(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, gate_write("0", 1, 0));
	ASSERT_EQ(1, ro_at(ADMIN_A)) TH_LOG("admin's mount writable while locked");
	ASSERT_EQ(1, ro_at(ADMIN_B)) TH_LOG("plain mount writable while locked");
	ASSERT_EQ(0, gate_write("1", 1, 0));
}

/*
 * efivarfs keeps an administrator's read-only request across unlocks: a
 * remount,ro while unlocked and a mount -o ro while locked each stay
 * read-only after relock and unlock, while a plain mount follows the gate
 * (read-only while locked, writable after an unlock).  While locked,
 * remount,rw fails with EROFS and the kernel names the gate.
 *
 * mount(2) with MS_RDONLY also makes that mount point read-only
 * (MNT_READONLY), which would hide a superblock turned writable; the
 * second mount point, of the same superblock (efivarfs has one) and
 * without MS_RDONLY, shows the superblock's own flag.
 */
TEST(efivarfs_admin_ro)
{
	struct stat sa, sb;
	char state[16], initial[16];
	int kfd, ret;

	if (!tpm_present())
		SKIP(return, "no TPM");
	gate_state(initial, sizeof(initial));
	if (strcmp(initial, "locked") && strcmp(initial, "unlocked"))
		SKIP(return, "runtime services are %s", initial);
	if (!strcmp(initial, "locked"))
		ASSERT_EQ(0, gate_write("1", 1, 0));
	/* A superblock of this test's own: unmount what earlier tests left. */
	while (!umount(EFIVARFS))
		;
	ASSERT_TRUE(!mkdir(ADMIN_A, 0700) || errno == EEXIST);
	ASSERT_TRUE(!mkdir(ADMIN_B, 0700) || errno == EEXIST);

	/* Unlocked: two plain mounts of one superblock, both writable. */
	ASSERT_EQ(0, mount("efivarfs", ADMIN_A, "efivarfs", 0, NULL));
	ASSERT_EQ(0, mount("efivarfs", ADMIN_B, "efivarfs", 0, NULL));
	ASSERT_EQ(0, stat(ADMIN_A, &sa));
	ASSERT_EQ(0, stat(ADMIN_B, &sb));
	ASSERT_EQ(sa.st_dev, sb.st_dev) TH_LOG("two efivarfs superblocks");
	ASSERT_EQ(0, ro_at(ADMIN_A));
	ASSERT_EQ(0, ro_at(ADMIN_B));

	/* remount,ro while unlocked: the superblock is read-only ... */
	ASSERT_EQ(0, mount(NULL, ADMIN_A, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_EQ(1, ro_at(ADMIN_A));
	ASSERT_EQ(1, ro_at(ADMIN_B));
	/* ... and stays read-only across a relock and an unlock. */
	relock_unlock(_metadata);
	EXPECT_EQ(1, ro_at(ADMIN_B))
		TH_LOG("the unlock undid remount,ro: superblock writable");
	EXPECT_EQ(EROFS, write_errno(ADMIN_B));

	/* remount,rw while unlocked: both writable; relocked: read-only. */
	ASSERT_EQ(0, mount(NULL, ADMIN_A, NULL, MS_REMOUNT, NULL));
	ASSERT_EQ(0, ro_at(ADMIN_A));
	ASSERT_EQ(0, ro_at(ADMIN_B));
	ASSERT_EQ(0, gate_write("0", 1, 0));
	ASSERT_EQ(1, ro_at(ADMIN_A));
	ASSERT_EQ(1, ro_at(ADMIN_B));

	/* Locked: remount,rw refused with EROFS, naming the gate. */
	kfd = kmsg_open_end();
	ASSERT_LE(0, kfd) TH_LOG("/dev/kmsg: %s", strerror(-kfd));
	ret = mount(NULL, ADMIN_A, NULL, MS_REMOUNT, NULL);
	ASSERT_EQ(-1, ret) TH_LOG("remount,rw accepted while locked");
	EXPECT_EQ(EROFS, errno) TH_LOG("remount,rw while locked: %s", strerror(errno));
	EXPECT_TRUE(kmsg_fd_has(kfd, "efivarfs: ", "efi_rt_gate"))
		TH_LOG("the refused remount,rw did not name the gate");
	close(kfd);
	EXPECT_EQ(1, ro_at(ADMIN_A));
	EXPECT_EQ(1, ro_at(ADMIN_B));

	/* The refused remount changed nothing: plain mounts follow the unlock. */
	ASSERT_EQ(0, gate_write("1", 1, 0));
	EXPECT_EQ(0, ro_at(ADMIN_A)) TH_LOG("plain mount read-only after unlock");
	EXPECT_EQ(0, ro_at(ADMIN_B)) TH_LOG("plain mount read-only after unlock");
	EXPECT_EQ(0, write_errno(ADMIN_B));
	ASSERT_EQ(0, umount(ADMIN_A));
	ASSERT_EQ(0, umount(ADMIN_B));

	/* mount -o ro while locked: read-only after the unlock too. */
	ASSERT_EQ(0, gate_write("0", 1, 0));
	ASSERT_EQ(0, mount("efivarfs", ADMIN_A, "efivarfs", MS_RDONLY, NULL));
	ASSERT_EQ(0, mount("efivarfs", ADMIN_B, "efivarfs", 0, NULL));
	ASSERT_EQ(1, ro_at(ADMIN_B));
	ASSERT_EQ(0, gate_write("1", 1, 0));
	EXPECT_EQ(1, ro_at(ADMIN_B))
		TH_LOG("the unlock undid mount -o ro: superblock writable");
	relock_unlock(_metadata);
	EXPECT_EQ(1, ro_at(ADMIN_B))
		TH_LOG("the unlock undid mount -o ro: superblock writable");
	EXPECT_EQ(EROFS, write_errno(ADMIN_B));
	ASSERT_EQ(0, umount(ADMIN_A));
	ASSERT_EQ(0, umount(ADMIN_B));

	gate_state(state, sizeof(state));
	if (strcmp(initial, state))
		ASSERT_EQ(0, gate_write(initial[0] == 'l' ? "0" : "1", 1, 0));
}

TEST_F_TIMEOUT(stress, transitions, 1800)
{
	static const char *const ours[] = { "efi_rt", "tpm", "slaunch", "efivar", NULL };
	static const char *const control[] = { "kmemleak_test", NULL };
	static const char *const all[] = { "+0x", NULL };
	unsigned int n = 10000, w = 1000, i, bad = 0;
	struct snapshot before, after;
	double *t, m1, md1, p1, m2, md2, p2, total = 0;
	long slab0, slab1, rslab0, rslab1, avail0, avail1;
	struct timespec a, b, planted;
	char state[16], *report;
	int leak_control = 0, ret, first_bad = 0;
	uint8_t bo[64];

	if (env("STRESS_TRANSITIONS"))
		n = strtoul(env("STRESS_TRANSITIONS"), NULL, 10);
	if (n < 10 * w)
		w = n / 10;
	ASSERT_LT(0, w);
	ASSERT_TRUE(tpm_present());
	gate_state(state, sizeof(state));
	if (!strcmp(state, "unlocked"))
		ASSERT_EQ(0, gate_write("0", 1, 0));

	if (env("EXPECT_KMEMLEAK")) {
		ASSERT_EQ(0, mount_debugfs());
		ASSERT_EQ(0, access(KMEMLEAK, F_OK));
		/* Forget what the boot left behind, then plant known leaks. */
		report = kmemleak_report();
		ASSERT_NE(NULL, report);
		free(report);
		ASSERT_EQ(0, write_text(KMEMLEAK, "clear"));
		leak_control = system("modprobe kmemleak-test >/dev/null 2>&1") == 0;
		ASSERT_TRUE(leak_control) TH_LOG("modprobe kmemleak-test failed");
		clock_gettime(CLOCK_MONOTONIC, &planted);
		/*
		 * efivarfs mounted across transitions, then unmounted while
		 * locked: its entries must be freed (the scan below).
		 */
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, mount_efivarfs());
			ASSERT_LE(6, read_bootorder(bo, sizeof(bo)));
			ASSERT_EQ(0, gate_write("1", 1, 0));
			ASSERT_LE(6, read_bootorder(bo, sizeof(bo)));
			ASSERT_EQ(0, gate_write("0", 1, 0));
			ASSERT_LE(6, read_bootorder(bo, sizeof(bo)));
			ASSERT_EQ(0, umount(EFIVARFS)) TH_LOG("umount: %s", strerror(errno));
		}
	}

	t = calloc(n, sizeof(*t));
	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_STREQ("locked", before.state);
	slab0 = meminfo_kb("SUnreclaim:");
	rslab0 = meminfo_kb("SReclaimable:");
	avail0 = meminfo_kb("MemAvailable:");
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		ret = gate_write(i % 2 ? "0" : "1", 1, 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
		total += t[i];
		if (ret && !bad++)
			first_bad = i;
		if (ret && bad == 1)
			TH_LOG("transition %u: %d", i, ret);
	}
	slab1 = meminfo_kb("SUnreclaim:");
	rslab1 = meminfo_kb("SReclaimable:");
	avail1 = meminfo_kb("MemAvailable:");
	ASSERT_EQ(0, take_snapshot(&after));
	EXPECT_EQ(0, bad) TH_LOG("%u transitions failed, the first at %d", bad, first_bad);

	window_stats(t, w, &m1, &md1, &p1);
	window_stats(t + n - w, w, &m2, &md2, &p2);
	free(t);
	diag("stress: %u transitions in %.1f s", n, total / 1e6);
	diag("stress: first %u: mean %.0f us, median %.0f us, 10th percentile %.0f us",
	     w, m1, md1, p1);
	diag("stress: last %u: mean %.0f us, median %.0f us, 10th percentile %.0f us",
	     w, m2, md2, p2);
	diag("stress: last/first: mean %.2f, median %.2f, 10th percentile %.2f",
	     m2 / m1, md2 / md1, p2 / p1);
	diag("stress: log %zu -> %zu bytes, %u -> %u records", before.log.len,
	     after.log.len, before.log.nr_records, after.log.nr_records);
	diag("stress: SUnreclaim %ld -> %ld kB, SReclaimable %ld -> %ld kB",
	     slab0, slab1, rslab0, rslab1);
	diag("stress: MemAvailable %ld -> %ld kB", avail0, avail1);
	EXPECT_GE(2.0, p2 / p1) TH_LOG("time per transition grew");
	EXPECT_GE(8 * (long)(after.log.len - before.log.len) / 1024 + 4096, slab1 - slab0)
		TH_LOG("unreclaimable slab grew by %ld kB for a log %zu bytes longer",
		       slab1 - slab0, after.log.len - before.log.len);

	if (leak_control) {
		/* kmemleak reports only objects older than 5 s. */
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (b.tv_sec - planted.tv_sec < 6)
			sleep(6 - (b.tv_sec - planted.tv_sec));
		report = kmemleak_report();
		ASSERT_NE(NULL, report);
		EXPECT_EQ(0, kmemleak_blocks(report, ours, 1))
			TH_LOG("kmemleak: leaks allocated by the gate or the TPM code");
		i = kmemleak_blocks(report, control, 0);
		diag("stress: kmemleak: %u leaks of kmemleak-test (the control), %d in all",
		     i, kmemleak_blocks(report, all, 0));
		EXPECT_LT(0, i) TH_LOG("kmemleak found not even the planted leaks");
		free(report);
	}

	ASSERT_STREQ(n % 2 ? "unlocked" : "locked", after.state);
	check_folded(_metadata, &before, &after, n);
	free_snapshot(&before);
	free_snapshot(&after);
}

/*
 * Tests of issue 20 items 2 and 4: one TPM critical section per
 * transition, with another extender of the same PCR and with signals and
 * lost TPM answers reaching the writer.
 */

#define EXT_MAX		8192

/*
 * What the concurrent extender did, in shared memory: before its j-th
 * extend it read the PCR's first bank (before[j]), then extended every
 * bank with ext_digest(j), then read the first bank again (after[j]).
 */
struct ext_record {
	int stop;		/* the loop calls out, so it rereads this */
	unsigned int n;
	int err;
	uint8_t before[EXT_MAX][TPM_MAX_DIGEST];
	uint8_t after[EXT_MAX][TPM_MAX_DIGEST];
	/* the extend's answer was lost: it may or may not have happened */
	uint8_t maybe[EXT_MAX];
};

static void ext_digest(unsigned int j, uint8_t *d)
{
	unsigned int k;

	for (k = 0; k < TPM_MAX_DIGEST; k++)
		d[k] = (uint8_t)(j * 131 + k * 7 + 0x5a);
	memcpy(d, &j, sizeof(j));
}

static void extender(struct ext_record *x, unsigned int pcr,
		     const struct snapshot *s)
{
	const char *bank = tpm2_alg_name(s->alg[0]);
	size_t size = tpm2_alg_size(s->alg[0]);
	uint8_t d[TPM_MAX_DIGEST];
	int rc;

	while (!x->stop && x->n < EXT_MAX) {
		ext_digest(x->n, d);
		if (sysfs_pcr_read(bank, pcr, x->before[x->n], size) != (int)size) {
			x->err = -EIO;
			break;
		}
		rc = tpm2_pcr_extend_banks_with(pcr, s->nr_banks, s->alg, d);
		if (rc > 0) {
			x->err = rc;
			break;
		}
		/* Lost (fault injection): the search below tries both. */
		x->maybe[x->n] = rc < 0;
		if (sysfs_pcr_read(bank, pcr, x->after[x->n], size) != (int)size) {
			x->err = -EIO;
			x->n++;
			break;
		}
		x->n++;
	}
	_exit(0);
}

/*
 * Is there an order of the gate's records (from @i) and the extender's
 * extends that takes the first bank from @pcr to @final and passes
 * through every value the extender read, in its order?  @k counts the
 * extender's steps: 3 * j + 0 is "read before[j]", + 1 "extend j", + 2
 * "read after[j]".  A hash chain does not repeat a value, so a read is
 * matched where its value appears; only an extend can also wait for a
 * gate record, which is where the search branches.  The order found goes
 * to @order (a gate record's index, or ~0 for the extender's next extend).
 */
static int interleave(const struct ext_record *x, const struct event_log *log,
		      unsigned int i, unsigned int k, uint16_t alg,
		      const uint8_t *pcr, const uint8_t *final,
		      unsigned int *order, unsigned int depth)
{
	size_t size = tpm2_alg_size(alg);
	uint8_t c[TPM_MAX_DIGEST], d[TPM_MAX_DIGEST];
	unsigned int j;

	memcpy(c, pcr, sizeof(c));
	for (; k < 3 * x->n && k % 3 != 1; k++) {
		j = k / 3;
		if (memcmp(c, k % 3 ? x->after[j] : x->before[j], size))
			break;
	}
	if (k < 3 * x->n && k % 3 == 1) {
		uint8_t e[TPM_MAX_DIGEST];

		memcpy(e, c, sizeof(e));
		ext_digest(k / 3, d);
		if (pcr_fold(alg, e, d))
			return 0;
		order[depth] = ~0u;
		if (interleave(x, log, i, k + 1, alg, e, final, order,
			       depth + 1))
			return 1;
		order[depth] = ~1u;
		if (x->maybe[k / 3] &&
		    interleave(x, log, i, k + 1, alg, c, final, order,
			       depth + 1))
			return 1;
	}
	if (i == log->nr_records)
		return k == 3 * x->n && !memcmp(c, final, size);
	if (pcr_fold(alg, c, log->rec[i].digest[log_bank_index(log, alg)]))
		return 0;
	order[depth] = i;
	return interleave(x, log, i + 1, k, alg, c, final, order, depth + 1);
}

/* Replay one bank in @order (from interleave()): 0 if it gives @final. */
static int replay_order(const struct ext_record *x, const struct event_log *log,
			const unsigned int *order, unsigned int len,
			uint16_t alg, const uint8_t *pcr, const uint8_t *final)
{
	int bank = log_bank_index(log, alg);
	uint8_t c[TPM_MAX_DIGEST], d[TPM_MAX_DIGEST];
	unsigned int i, e = 0;

	if (bank < 0)
		return -1;
	memcpy(c, pcr, sizeof(c));
	for (i = 0; i < len; i++) {
		if (order[i] == ~1u) {
			e++;		/* a lost extend that did not happen */
			continue;
		}
		if (order[i] == ~0u)
			ext_digest(e++, d);
		if (pcr_fold(alg, c, order[i] == ~0u ? d :
			     log->rec[order[i]].digest[bank]))
			return -1;
	}
	return memcmp(c, final, tpm2_alg_size(alg)) ? -1 : 0;
}

/*
 * Another extender of the gate's PCR (a loop on /dev/tpmrm0, as
 * systemd-pcrextend or tpm2_pcrextend would) while 200 transitions run:
 * no transition fails, and the firmware's log (the PCR's value before),
 * the gate's new records and the extender's own record of what it
 * extended replay the PCR in every bank, in an order consistent with
 * every value the extender read.  On the debug kernel a third of all
 * PCR_Extend answers (the gate's and the loop's) are lost in the TPM
 * transport, so the gate must read the PCR back: unless nothing can
 * extend it between the extend and the read-back, that read finds the
 * loop's extend and the transition fails with EIO.
 */
TEST(concurrent_extender)
{
	const unsigned int n = 200;
	struct snapshot before, after;
	struct event_log tail;
	unsigned int t, *order;
	struct ext_record *x;
	int bank, status, inject;
	char state[16];
	pid_t pid;

	ASSERT_EQ(1, tpm_present());
	ASSERT_EQ(0, mount_debugfs());
	inject = !access(FAIL_TPM, F_OK);
	if (inject) {
		/* Lose a third of the extends' answers, the loop's too. */
		ASSERT_EQ(0, arm_extend_fault_keep(0));
		ASSERT_EQ(0, write_text(FAIL_TPM "/probability", "33"));
		ASSERT_EQ(0, write_text(FAIL_TPM "/times", "-1"));
	}
	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_LT(0, before.nr_banks);
	x = mmap(NULL, sizeof(*x), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, x);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		extender(x, before.pcr, &before);

	for (t = 0; t < n; t++) {
		gate_state(state, sizeof(state));
		ASSERT_EQ(0, gate_write(away_from(state), 1, 0))
			TH_LOG("transition %u failed with another extender", t);
	}
	x->stop = 1;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (inject)
		ASSERT_EQ(0, write_text(FAIL_TPM "/times", "0"));
	ASSERT_EQ(0, x->err) TH_LOG("the extender failed: %d", x->err);
	ASSERT_EQ(0, take_snapshot(&after));
	for (t = 0, status = 0; t < x->n; t++)
		status += x->maybe[t];
	diag("concurrent_extender: %u transitions, %u extends of PCR %u by the loop",
	     n, x->n, before.pcr);
	diag("concurrent_extender: %d of them with their answer lost; fault injection %s",
	     status, inject ? "on" : "off");
	ASSERT_LT(0, x->n) TH_LOG("the extender never ran");
	ASSERT_EQ(before.log.nr_records + n, after.log.nr_records);
	ASSERT_EQ(0, memcmp(before.log.buf, after.log.buf, before.log.len));

	/* The order, found on the first bank, must replay every bank. */
	order = calloc(n + x->n + 1, sizeof(*order));
	ASSERT_NE(NULL, order);
	tail = after.log;
	tail.rec += before.log.nr_records;
	tail.nr_records -= before.log.nr_records;
	ASSERT_EQ(1, interleave(x, &tail, 0, 0, before.alg[0], before.value[0],
				after.value[0], order, 0))
		TH_LOG("no order of the gate's %u records and the loop's %u extends replays PCR %u",
		       n, x->n, before.pcr);
	for (bank = 1; bank < before.nr_banks; bank++)
		ASSERT_EQ(0, replay_order(x, &tail, order, n + x->n,
					  before.alg[bank], before.value[bank],
					  after.value[bank]))
			TH_LOG("bank %s does not replay in that order",
			       tpm2_alg_name(before.alg[bank]));
	free(order);
	munmap(x, sizeof(*x));
	free_snapshot(&before);
	free_snapshot(&after);
}

static void storm_handler(int sig)
{
	(void)sig;
}

/* What each writer of the storm got, in shared memory */
struct storm_result {
	int done;		/* read after waitpid() */
	int ret;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * 200 transitions, each written by a child that a signal reaches at a
 * random moment within the time a transition takes: a caught SIGUSR1
 * (as timeout(1) or a job manager sends), every fourth a SIGKILL.  On the
 * debug kernel the TPM transport also loses, at random, an extend before
 * it is sent or the TPM's response after it executed.  After each write:
 * a write that returned 0 added exactly one record and moved the state; a
 * write that failed (ETIME: lost before it was sent) added none and moved
 * nothing; a killed writer added at most one, matching the state; and the
 * PCR is the value before folded with exactly the new records, in every
 * bank.  A classification that takes a lost response for a lost command
 * (or the reverse) fails here.
 */
TEST(signal_storm)
{
	const unsigned int n = 200;
	struct snapshot before, prev, cur;
	unsigned int t, killed = 0, done_killed = 0, etime = 0, faults = 0;
	struct storm_result *res;
	struct sigaction sa = { .sa_handler = storm_handler };
	long long t0, span;
	int status, inject, delta, armed = 0;
	char state[16];
	pid_t pid;

	ASSERT_EQ(1, tpm_present());
	ASSERT_EQ(0, mount_debugfs());
	inject = !access(FAIL_TPM, F_OK);
	res = mmap(NULL, n * sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	srand(getpid());

	/* How long a transition takes, to aim the signals at it */
	t0 = now_ns();
	for (t = 0; t < 4; t++) {
		gate_state(state, sizeof(state));
		ASSERT_EQ(0, gate_write(away_from(state), 1, 0));
	}
	span = (now_ns() - t0) / 4;
	diag("signal_storm: a transition takes %lld us; fault injection %s",
	     span / 1000, inject ? "on" : "off (no " FAIL_TPM ")");

	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_EQ(0, take_snapshot(&prev));
	for (t = 0; t < n; t++) {
		const char *val = away_from(prev.state);
		const char *want = *val == '1' ? "unlocked" : "locked";
		struct timespec d;
		long long delay = span ? rand() % (span * 3 / 2) : 0;
		int kill9 = t % 4 == 3;

		if (inject) {
			/*
			 * One in three transitions: a command or answer lost.
			 * A relock whose extend never went out still closes,
			 * without a record (see the ABI), which log_valid
			 * would then find: relocks only lose answers.
			 */
			armed = !(rand() % 3);
			ASSERT_EQ(0, write_text(FAIL_TPM "/times",
						armed ? "1" : "0"));
			ASSERT_EQ(0, arm_extend_fault_keep(*val == '1' &&
							   rand() % 2));
		}
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			sigaction(SIGUSR1, &sa, NULL);
			res[t].ret = gate_write(val, 1, 0);
			res[t].done = 1;
			_exit(0);
		}
		d.tv_sec = delay / 1000000000LL;
		d.tv_nsec = delay % 1000000000LL;
		nanosleep(&d, NULL);
		kill(pid, kill9 ? SIGKILL : SIGUSR1);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (inject && armed && !read_long(FAIL_TPM "/times"))
			faults++;

		ASSERT_EQ(0, take_snapshot(&cur));
		delta = (int)cur.log.nr_records - (int)prev.log.nr_records;
		if (res[t].done && !res[t].ret) {
			ASSERT_EQ(1, delta) TH_LOG("write %u succeeded with %d records", t, delta);
			ASSERT_STREQ(want, cur.state);
		} else if (res[t].done) {
			ASSERT_EQ(-ETIME, res[t].ret)
				TH_LOG("write %u failed: %s", t, strerror(-res[t].ret));
			ASSERT_EQ(0, delta) TH_LOG("failed write %u added %d records", t, delta);
			ASSERT_STREQ(prev.state, cur.state);
			etime++;
		} else {
			ASSERT_TRUE(WIFSIGNALED(status));
			ASSERT_GE(1, delta);
			ASSERT_LE(0, delta);
			ASSERT_STREQ(delta ? want : prev.state, cur.state);
			killed++;
			done_killed += delta;
		}
		check_folded(_metadata, &prev, &cur, delta);
		free_snapshot(&prev);
		prev = cur;
	}
	if (inject)
		ASSERT_EQ(0, write_text(FAIL_TPM "/times", "0"));
	diag("signal_storm: %u writes, %u killed before returning (%u after their record)",
	     n, killed, done_killed);
	diag("signal_storm: %u ETIME, %u faults injected", etime, faults);
	check_folded(_metadata, &before, &prev, prev.log.nr_records - before.log.nr_records);
	if (inject)
		EXPECT_LT(0, faults) TH_LOG("no fault fired");
	free_snapshot(&before);
	free_snapshot(&prev);
	munmap(res, n * sizeof(*res));
}

TEST_HARNESS_MAIN

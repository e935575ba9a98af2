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
 *   EXPECT_SLAUNCH=emulated|none            secure launch (emulated) or not
 *   EXPECT_TPM_BANKS=sha1,sha256,...        the TPM's banks, in its order
 *   EXPECT_DRTM_BANKS=sha1,sha256           the DRTM log header's banks, in order
 *                                           (unset: the TPM's banks)
 *   EXPECT_UNLOCK_ERRNO=N                   errno of a refused unlock
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
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
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

/* Everything a write to unlock could change. */
struct snapshot {
	char state[16];
	unsigned int pcr;
	int nr_banks;
	uint16_t alg[LOG_MAX_BANKS];
	uint8_t value[LOG_MAX_BANKS][TPM_MAX_DIGEST];
	struct event_log log;
};

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int read_text(const char *path, char *buf, size_t max)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, max - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = 0;
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return n;
}

static void gate_state(char *buf, size_t max)
{
	if (read_text(GATE "/state", buf, max) < 0)
		snprintf(buf, max, "(unreadable)");
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
static int snapshot_equal(const struct snapshot *a, const struct snapshot *b)
{
	return !strcmp(a->state, b->state) && a->pcr == b->pcr &&
		a->nr_banks == b->nr_banks &&
		!memcmp(a->value, b->value, sizeof(a->value)) &&
		a->log.len == b->log.len &&
		!memcmp(a->log.buf, b->log.buf, a->log.len);
}

/*
 * Did exactly @n records get appended from @a to @b, with every bank of the
 * PCR in @b equal to @a's value folded with the new records' digests?
 */
static void check_folded(struct __test_metadata *_metadata,
			 const struct snapshot *a, const struct snapshot *b,
			 unsigned int n)
{
	uint8_t want[TPM_MAX_DIGEST];
	unsigned int r;
	int i, bank;

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

/* The text of a gate record (inside its tagged event), NUL-terminated. */
static int record_text(const struct log_record *r, char *buf, size_t max)
{
	uint32_t id, size;

	if (r->event_size < 8)
		return -1;
	memcpy(&id, r->event, 4);
	memcpy(&size, r->event + 4, 4);
	if (id != EFI_RT_GATE_EVENT_TAG_ID || size != r->event_size - 8 || size >= max)
		return -1;
	memcpy(buf, r->event + 8, size);
	buf[size] = 0;
	return 0;
}

static int mount_efivarfs(void)
{
	if (mount("efivarfs", EFIVARFS, "efivarfs", 0, NULL) == 0)
		return 0;
	return errno == EBUSY ? 0 : -errno;
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
	char state[16], text[256], want[64];
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
	} else {
		/* The first record is the state at boot, in the gate's PCR. */
		ASSERT_LE(1, log.nr_records);
		ASSERT_EQ(gate_pcr(), log.rec[0].pcr);
		ASSERT_EQ(EV_EVENT_TAG, log.rec[0].type);
		ASSERT_EQ(0, record_text(&log.rec[0], text, sizeof(text)));
		snprintf(want, sizeof(want), "efi_rt_gate boot: runtime services %s (",
			 env("EXPECT_STATE") ? env("EXPECT_STATE") : state);
		ASSERT_EQ(0, strncmp(want, text, strlen(want))) TH_LOG("boot record '%s'", text);
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
	} else {
		ASSERT_EQ(-EOPNOTSUPP, mount_efivarfs()) TH_LOG("state %s", state);
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

TEST(userspace_locality)
{
	uint8_t before[TPM_MAX_DIGEST], after[TPM_MAX_DIGEST], zero[32] = { 0 };
	unsigned int p = gate_pcr();

	ASSERT_LE(17, p);
	ASSERT_EQ(32, sysfs_pcr_read("sha256", p, before, sizeof(before)));
	/* /dev/tpmrm0 users talk at locality 0: no DRTM extend, no reset. */
	ASSERT_EQ(TPM2_RC_LOCALITY, tpm2_pcr_extend(p, TPM2_ALG_SHA256, zero, 32));
	ASSERT_EQ(TPM2_RC_LOCALITY, tpm2_pcr_extend(18, TPM2_ALG_SHA256, zero, 32));
	ASSERT_EQ(TPM2_RC_LOCALITY, tpm2_pcr_reset(20));
	ASSERT_EQ(32, sysfs_pcr_read("sha256", p, after, sizeof(after)));
	ASSERT_EQ(0, memcmp(before, after, 32));
	/* Locality 0 itself works: PCR 23 is extendable from there. */
	ASSERT_EQ(0, tpm2_pcr_extend(23, TPM2_ALG_SHA256, zero, 32));
}

TEST(not_launched)
{
	ASSERT_NE(0, access(SL_DIR, F_OK)) TH_LOG(SL_DIR " exists without a launch");
	ASSERT_FALSE(dmesg_has("slaunch: ", "EMULATED"));
}

/* One measured transition: write @val, expect @state and one new record. */
static void transition(struct __test_metadata *_metadata, const char *val,
		       const char *state, const char *text_prefix)
{
	struct snapshot before, after, again;
	char text[256];

	ASSERT_EQ(0, take_snapshot(&before));
	ASSERT_EQ(0, gate_write(val, strlen(val), 0));
	ASSERT_EQ(0, take_snapshot(&after));
	ASSERT_STREQ(state, after.state);
	check_folded(_metadata, &before, &after, 1);
	ASSERT_EQ(0, record_text(&after.log.rec[after.log.nr_records - 1],
				 text, sizeof(text)));
	ASSERT_EQ(0, strncmp(text_prefix, text, strlen(text_prefix))) TH_LOG("'%s'", text);

	/* The same request again succeeds without a second extend or record. */
	ASSERT_EQ(0, gate_write(val, strlen(val), 0));
	ASSERT_EQ(0, take_snapshot(&again));
	ASSERT_TRUE(snapshot_equal(&after, &again));
	free_snapshot(&before);
	free_snapshot(&after);
	free_snapshot(&again);
}

static void expect_unlocked_efivarfs(struct __test_metadata *_metadata)
{
	uint8_t buf[64];
	int fd;

	ASSERT_EQ(0, mount_efivarfs());
	fd = open(EFIVARS_BOOTORDER, O_RDONLY);
	ASSERT_LE(0, fd) TH_LOG("BootOrder: %s", strerror(errno));
	ASSERT_LE(6, read(fd, buf, sizeof(buf)));
	close(fd);
	ASSERT_EQ(0, efivar_roundtrip());
}

static void expect_locked_efivarfs(struct __test_metadata *_metadata)
{
	uint8_t buf[64];
	int fd;

	/* A mount made while unlocked no longer reaches the firmware. */
	fd = open(EFIVARS_BOOTORDER, O_RDONLY);
	if (fd >= 0) {
		ASSERT_GT(0, read(fd, buf, sizeof(buf)));
		close(fd);
	}
	umount(EFIVARFS);
	ASSERT_EQ(-EOPNOTSUPP, mount_efivarfs());
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
	} else if (!strcmp(state, "unlocked")) {
		expect_unlocked_efivarfs(_metadata);
		transition(_metadata, "0", "locked",
			   "efi_rt_gate relock: runtime services withheld");
		expect_locked_efivarfs(_metadata);
		transition(_metadata, "1", "unlocked",
			   "efi_rt_gate unlock: runtime services enabled");
		expect_unlocked_efivarfs(_metadata);
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
	uint8_t digest[TPM_MAX_DIGEST];
	char text[256], line[512], want[512];
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

	/* Every record: the gate's PCR, a tagged event, digest = H(event). */
	for (r = 0; r < log.nr_records; r++) {
		ASSERT_EQ(gate_pcr(), log.rec[r].pcr);
		ASSERT_EQ(EV_EVENT_TAG, log.rec[r].type);
		ASSERT_EQ(0, record_text(&log.rec[r], text, sizeof(text)));
		ASSERT_EQ(0, strncmp("efi_rt_gate ", text, 12));
		for (i = 0; i < log.nr_banks; i++) {
			ASSERT_EQ((int)log.banks[i].size,
				  hash_buf(log.banks[i].alg, log.rec[r].event,
					   log.rec[r].event_size, digest));
			ASSERT_EQ(0, memcmp(digest, log.rec[r].digest[i], log.banks[i].size))
				TH_LOG("record %u bank 0x%04x: digest is not H(event)",
				       r, log.banks[i].alg);
		}
	}

	/* ascii_measurements: one line per record, same digest and text. */
	sha256 = log_bank_index(&log, TPM2_ALG_SHA256);
	ASSERT_LE(0, sha256);
	f = fopen(ASCII_LOG, "r");
	ASSERT_NE(NULL, f);
	for (r = 0; fgets(line, sizeof(line), f); r++) {
		ASSERT_LT(r, log.nr_records);
		ASSERT_EQ(0, record_text(&log.rec[r], text, sizeof(text)));
		i = snprintf(want, sizeof(want), "%u sha256:", log.rec[r].pcr);
		for (nb = 0; nb < 32; nb++)
			i += snprintf(want + i, sizeof(want) - i, "%02x",
				      log.rec[r].digest[sha256][nb]);
		snprintf(want + i, sizeof(want) - i, " EV_EVENT_TAG %s\n", text);
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

	ASSERT_EQ(0, system("tpm2_eventlog " DRTM_LOG " > /tmp/drtm.yaml"));
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

	ASSERT_EQ(1, read_text(SL_DIR "/emulated", buf, sizeof(buf)));
	ASSERT_STREQ("1", buf);
	ASSERT_EQ(0, log_load(&drtm, DRTM_LOG)) TH_LOG("DRTM log: %s", drtm.error);
	ASSERT_EQ(0, log_load(&own, BIN_LOG)) TH_LOG("%s", own.error);
	ASSERT_LE(2, drtm.nr_records);

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
	ASSERT_LE(1, own.nr_records);
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

	/* Every digest is the hash of its event. */
	for (r = 0; r < drtm.nr_records; r++) {
		ASSERT_LE(17, drtm.rec[r].pcr);
		ASSERT_GE(22, drtm.rec[r].pcr);
		seen[drtm.rec[r].pcr]++;
		for (i = 0; i < drtm.nr_banks; i++) {
			ASSERT_EQ((int)drtm.banks[i].size,
				  hash_buf(drtm.banks[i].alg, drtm.rec[r].event,
					   drtm.rec[r].event_size, d));
			ASSERT_EQ(0, memcmp(d, drtm.rec[r].digest[i], drtm.banks[i].size));
		}
	}
	ASSERT_LE(1, seen[gate_pcr()]);

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

	ASSERT_EQ(1, log_load(&drtm, DRTM_LOG)) TH_LOG("the DRTM log parses");
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
	ASSERT_TRUE(snapshot_equal(&before, &after))
		TH_LOG("state, PCR %u or the gate's log changed", before.pcr);
	ASSERT_EQ(0, read_file(DRTM_LOG, &log1, &len1));
	ASSERT_EQ(len0, len1);
	ASSERT_EQ(0, memcmp(log0, log1, len0)) TH_LOG("the DRTM log changed");
	free(log0);
	free(log1);
	free_snapshot(&before);
	free_snapshot(&after);
	ASSERT_EQ(-EOPNOTSUPP, mount_efivarfs());
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
	ASSERT_EQ(-EOPNOTSUPP, mount_efivarfs());
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

TEST(tpm_failure_unlock_fails)
{
	uint8_t d[TPM_MAX_DIGEST];
	char state[16];
	int i;

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
	unlock_refused(_metadata, -EIO);
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

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware's event log (binary_bios_measurements) with the EFI stub's
 * measurement of the EFI runtime gate's boot policy.
 *
 *   EXPECT_POLICY=locked|unlocked|auto|noruntime   the policy the stub measured
 *   EXPECT_TPM2_TOOLS=1                            tpm2_eventlog must be present
 *   EXPECT_IMA=1                                   IMA measures (a list per bank)
 *
 * fw_log_replays_all must run before anything extends a PCR from the OS (an
 * unlock or a relock): on a boot where nobody did, the firmware's log alone
 * replays PCRs 0-15 in every bank; on a kernel with IMA, the firmware's log
 * followed by IMA's measurement list of that bank (IMA extends PCR 10).
 *
 * fw_pcrs_record and fw_pcrs_same run in two boots of one machine (a
 * scenario with "disk: yes" and "after_reboot:"): PCRs 0-7 must not
 * change from one boot to the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "test_util.h"
#include "log_util.h"
#include "tpm2_util.h"

#define FW_LOG		"/sys/kernel/security/tpm0/binary_bios_measurements"
#define IMA_LOG		"/sys/kernel/security/ima/binary_runtime_measurements_"
#define IMA_LOG_MAX	(1024 * 1024)
#define GATE_PCR	9
#define TEXT_PREFIX	"efi_rt_gate policy: "

static int is_startup_locality(const struct log_record *r)
{
	static const char sig[16] = "StartupLocality";

	return r->type == EV_NO_ACTION && r->event_size >= sizeof(sig) &&
	       !memcmp(r->event, sig, sizeof(sig));
}

/*
 * Fold IMA's measurement list of @alg's bank into @pcr: per entry a u32
 * PCR, the template digest of this bank, the template name (u32 length,
 * bytes) and, except for the "ima" template, its data (u32 length,
 * bytes); a violation is listed as zeros and extended as all ones
 * (security/integrity/ima/ima_fs.c, ima_queue.c).
 *
 * Return: the number of entries, 0 without IMA, -1 if the list is malformed.
 */
static int ima_fold(uint16_t alg, uint8_t pcr[16][TPM_MAX_DIGEST])
{
	static uint8_t buf[IMA_LOG_MAX];
	int size = tpm2_alg_size(alg), n = 0;
	uint8_t ones[TPM_MAX_DIGEST], zero[TPM_MAX_DIGEST] = { 0 };
	char path[128];
	uint32_t idx, len;
	ssize_t got, off = 0;

	snprintf(path, sizeof(path), IMA_LOG "%s", tpm2_alg_name(alg));
	got = read_bytes(path, buf, sizeof(buf));
	if (got < 0)
		return errno == ENOENT ? 0 : -1;
	memset(ones, 0xff, sizeof(ones));
	while (off < got) {
		if (got - off < 4 + size + 4)
			return -1;
		memcpy(&idx, buf + off, 4);
		if (idx > 15)
			return -1;
		if (pcr_fold(alg, pcr[idx], memcmp(buf + off + 4, zero, size) ?
			     buf + off + 4 : ones))
			return -1;
		off += 4 + size;
		memcpy(&len, buf + off, 4);
		off += 4;
		if (len > got - off)
			return -1;
		off += len;
		if (!(len == 3 && !memcmp(buf + off - 3, "ima", 3))) {
			if (got - off < 4)
				return -1;
			memcpy(&len, buf + off, 4);
			off += 4;
			if (len > got - off)
				return -1;
			off += len;
		}
		n++;
	}
	return n;
}

TEST(fw_log_replays_all)
{
	uint8_t fwpcr[16][TPM_MAX_DIGEST], pcr[16][TPM_MAX_DIGEST];
	uint8_t now[16][TPM_MAX_DIGEST];
	uint16_t algs[LOG_MAX_BANKS];
	unsigned int p, r, extended0;
	int b, i, nb, size, ima, again, tries, bad = 0;
	struct event_log fw;

	if (!tpm_present())
		SKIP(return, "no TPM");
	ASSERT_EQ(0, log_load(&fw, FW_LOG)) TH_LOG("firmware log: %s", fw.error);
	ASSERT_LT(0, fw.nr_banks) TH_LOG("empty firmware log");
	nb = sysfs_banks(algs, LOG_MAX_BANKS);
	ASSERT_LT(0, nb);

	for (i = 0; i < nb; i++) {
		b = log_bank_index(&fw, algs[i]);
		size = tpm2_alg_size(algs[i]);
		ASSERT_LE(0, b) TH_LOG("the firmware log lacks the TPM's %s bank",
				       tpm2_alg_name(algs[i]));
		ASSERT_EQ(size, fw.banks[b].size);
		memset(fwpcr, 0, sizeof(fwpcr));
		extended0 = 0;
		for (r = 0; r < fw.nr_records; r++) {
			const struct log_record *rec = &fw.rec[r];

			/*
			 * TCG PC Client PFP, "Startup Locality Event": PCR 0
			 * starts at 0...0<locality> (3, or 4 for an H-CRTM);
			 * the event itself is not extended, and it precedes
			 * every measurement into PCR 0.
			 */
			if (is_startup_locality(rec)) {
				ASSERT_EQ(0, rec->pcr);
				ASSERT_EQ(17, rec->event_size)
					TH_LOG("StartupLocality event of %u bytes",
					       rec->event_size);
				ASSERT_EQ(0, extended0)
					TH_LOG("StartupLocality after a PCR 0 measurement");
				fwpcr[0][size - 1] = rec->event[16];
				continue;
			}
			if (rec->type == EV_NO_ACTION)
				continue;
			if (rec->pcr > 15)
				continue;
			if (!rec->pcr)
				extended0++;
			ASSERT_EQ(0, pcr_fold(algs[i], fwpcr[rec->pcr], rec->digest[b]));
		}
		/*
		 * IMA measures on: take its list, the PCRs, and its list
		 * again until nothing was added in between.
		 */
		for (tries = 0; tries < 10; tries++) {
			memcpy(pcr, fwpcr, sizeof(pcr));
			ima = ima_fold(algs[i], pcr);
			ASSERT_LE(0, ima) TH_LOG("IMA's %s list is malformed",
						 tpm2_alg_name(algs[i]));
			for (p = 0; p < 16; p++)
				ASSERT_EQ(size, sysfs_pcr_read(tpm2_alg_name(algs[i]), p,
							       now[p], sizeof(now[p])));
			memcpy(pcr, fwpcr, sizeof(pcr));
			again = ima_fold(algs[i], pcr);
			if (again == ima)
				break;
		}
		ASSERT_GT(10, tries) TH_LOG("IMA's list kept growing");
		if (env("EXPECT_IMA"))
			ASSERT_LT(0, ima) TH_LOG("no IMA measurement list for %s",
						 tpm2_alg_name(algs[i]));
		if (ima)
			TH_LOG("%s: firmware log and %d IMA entries",
			       tpm2_alg_name(algs[i]), ima);
		for (p = 0; p < 16; p++) {
			if (memcmp(pcr[p], now[p], size)) {
				TH_LOG("PCR %u %s does not replay from the firmware log",
				       p, tpm2_alg_name(algs[i]));
				bad++;
			}
		}
	}
	EXPECT_EQ(0, bad);
	log_free(&fw);
}

/*
 * The last valid efi_rt_gate= of the command line, or NULL.  Parameter
 * names compare as the kernel's early parameters do: '-' equals '_'.
 */
static const char *cmdline_mode(char *buf, size_t max)
{
	const char *mode = NULL;
	char *tok, *save, *c;
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, max - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (!strcmp(tok, "--"))
			break;
		for (c = tok; *c && *c != '='; c++)
			if (*c == '-')
				*c = '_';
		if (!strncmp(tok, "efi_rt_gate=", 12) &&
		    (!strcmp(tok + 12, "auto") || !strcmp(tok + 12, "locked") ||
		     !strcmp(tok + 12, "unlocked")))
			mode = tok + 12;
	}
	return mode;
}

TEST(fw_policy_event)
{
	uint8_t d[TPM_MAX_DIGEST];
	uint16_t algs[LOG_MAX_BANKS];
	const char *want = env("EXPECT_POLICY"), *mode;
	const struct log_record *rec = NULL;
	struct gate_event ev;
	struct event_log fw;
	char err[160], cmdline[4096];
	unsigned int r, found = 0;
	int i, b, nb;

	ASSERT_NE(NULL, want) TH_LOG("EXPECT_POLICY is not set");
	if (!tpm_present())
		SKIP(return, "no TPM");
	ASSERT_EQ(0, log_load(&fw, FW_LOG)) TH_LOG("firmware log: %s", fw.error);

	/*
	 * Exactly one record with the gate's tag: the stub measures nothing
	 * else (in particular no variable snapshot into a firmware PCR).
	 */
	for (r = 0; r < fw.nr_records; r++) {
		if (fw.rec[r].event_size < 4)
			continue;
		if (fw.rec[r].event[0] != (GATE_EVENT_TAG_ID & 0xff) ||
		    fw.rec[r].event[1] != (GATE_EVENT_TAG_ID >> 8 & 0xff) ||
		    fw.rec[r].event[2] != (GATE_EVENT_TAG_ID >> 16 & 0xff) ||
		    fw.rec[r].event[3] != GATE_EVENT_TAG_ID >> 24)
			continue;
		found++;
		rec = &fw.rec[r];
	}
	ASSERT_EQ(1, found) TH_LOG("%u gate policy events in the firmware log", found);
	ASSERT_EQ(EV_EVENT_TAG, rec->type);
	ASSERT_EQ(GATE_PCR, rec->pcr);
	ASSERT_EQ(0, gate_event_decode(rec->event, rec->event_size, &ev, err, sizeof(err)))
		TH_LOG("policy event: %s", err);
	ASSERT_EQ(GATE_OP_POLICY, ev.op);
	ASSERT_EQ(GATE_STATE_NONE, ev.before);
	ASSERT_EQ(0, ev.seq);
	ASSERT_EQ(GATE_PCR, ev.pcr);
	ASSERT_EQ(0, ev.nr_digests);
	ASSERT_EQ(0, strncmp(TEXT_PREFIX, ev.text, strlen(TEXT_PREFIX)))
		TH_LOG("text '%s'", ev.text);

	/* Every digest is the hash of the gate event (the tagged data). */
	nb = sysfs_banks(algs, LOG_MAX_BANKS);
	ASSERT_LT(0, nb);
	for (i = 0; i < nb; i++)
		ASSERT_LE(0, log_bank_index(&fw, algs[i]));
	for (b = 0; b < (int)fw.nr_banks; b++) {
		ASSERT_EQ((int)fw.banks[b].size,
			  hash_buf(fw.banks[b].alg, rec->event + 8,
				   rec->event_size - 8, d));
		ASSERT_EQ(0, memcmp(d, rec->digest[b], fw.banks[b].size))
			TH_LOG("bank 0x%04x: digest is not H(gate event)",
			       fw.banks[b].alg);
	}

	/* The policy, and where it came from. */
	mode = cmdline_mode(cmdline, sizeof(cmdline));
	ASSERT_EQ(!!mode, !!(ev.flags & GATE_FLAG_CMDLINE))
		TH_LOG("flags 0x%02x, command line mode %s", ev.flags,
		       mode ? mode : "(none)");
	TH_LOG("policy event: after %u flags 0x%02x reason %u '%s'",
	       ev.after, ev.flags, ev.reason, ev.text);
	if (!strcmp(want, "noruntime")) {
		ASSERT_EQ(GATE_STATE_DISABLED, ev.after);
		ASSERT_EQ(GATE_FLAG_NORUNTIME, ev.flags & GATE_FLAG_NORUNTIME);
		ASSERT_EQ(GATE_REASON_NORUNTIME, ev.reason);
		return;
	}
	ASSERT_EQ(0, ev.flags & GATE_FLAG_NORUNTIME);
	if (!strcmp(want, "locked")) {
		ASSERT_EQ(GATE_STATE_LOCKED, ev.after);
		ASSERT_EQ(mode ? GATE_REASON_LOCKED : GATE_REASON_LOCKED_DEFAULT,
			  ev.reason);
	} else if (!strcmp(want, "unlocked")) {
		ASSERT_EQ(GATE_STATE_UNLOCKED, ev.after);
		ASSERT_EQ(GATE_REASON_UNLOCKED, ev.reason);
	} else if (!strcmp(want, "auto")) {
		ASSERT_EQ(GATE_STATE_NONE, ev.after);
		ASSERT_EQ(GATE_REASON_POLICY_AUTO, ev.reason);
	} else {
		ASSERT_TRUE(0) TH_LOG("EXPECT_POLICY=%s is not a policy", want);
	}
	ASSERT_NE(NULL, strstr(ev.text + strlen(TEXT_PREFIX), want))
		TH_LOG("text '%s' does not name %s", ev.text, want);
	log_free(&fw);
}

/* Two hex digits to a byte, or -1. */
static int hex_byte(const char *s)
{
	int v = 0, i;

	for (i = 0; i < 2; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= s[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Bank name as tpm2_eventlog prints it ("sha256:") to a TPM algorithm. */
static uint16_t yaml_bank(const char *line)
{
	static const uint16_t algs[] = {
		TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512,
	};
	char want[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(algs); i++) {
		snprintf(want, sizeof(want), "  %s:\n", tpm2_alg_name(algs[i]));
		if (!strcmp(line, want))
			return algs[i];
	}
	return 0;
}

/*
 * A standard parser reads the whole firmware log, shows the gate's event
 * once, and its own replay (the "pcrs:" section) matches the TPM.
 */
TEST(fw_log_tpm2_eventlog)
{
	uint8_t now[TPM_MAX_DIGEST];
	char line[512], hex[2 * TPM_MAX_DIGEST + 1];
	int found = 0, in_pcrs = 0, checked = 0, size, i;
	unsigned int p;
	uint16_t alg = 0;
	FILE *f;

	if (access("/usr/bin/tpm2_eventlog", X_OK)) {
		ASSERT_EQ(NULL, env("EXPECT_TPM2_TOOLS"))
			TH_LOG("EXPECT_TPM2_TOOLS is set but tpm2_eventlog is missing");
		SKIP(return, "no tpm2_eventlog");
	}
	ASSERT_EQ(0, system("tpm2_eventlog " FW_LOG " > /tmp/fwlog.yaml"));
	f = fopen("/tmp/fwlog.yaml", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		/* The event data in hex: the tag, the size, the magic. */
		if (strstr(line, "Event: \"ee223b8f") && strstr(line, "45525447")) {
			TH_LOG("%s", line);
			found++;
		}
		if (!strcmp(line, "pcrs:\n")) {
			in_pcrs = 1;
			continue;
		}
		if (!in_pcrs)
			continue;
		if (line[0] == ' ' && line[1] == ' ' && line[2] != ' ') {
			alg = yaml_bank(line);
			ASSERT_NE(0, alg) TH_LOG("unknown bank line '%s'", line);
			continue;
		}
		ASSERT_EQ(2, sscanf(line, " %u : 0x%128s", &p, hex)) TH_LOG("'%s'", line);
		if (p > 15)
			continue;
		size = sysfs_pcr_read(tpm2_alg_name(alg), p, now, sizeof(now));
		ASSERT_EQ((int)strlen(hex), 2 * size);
		for (i = 0; i < size; i++) {
			int byte = hex_byte(hex + 2 * i);

			ASSERT_LE(0, byte) TH_LOG("'%s' is not hex", hex);
			EXPECT_EQ(now[i], byte)
				TH_LOG("tpm2_eventlog's PCR %u %s differs from the TPM",
				       p, tpm2_alg_name(alg));
			if (now[i] != byte)
				break;
		}
		checked++;
	}
	fclose(f);
	/* The policy event, and no other */
	ASSERT_EQ(1, found)
		TH_LOG("tpm2_eventlog shows %d gate events", found);
	ASSERT_LT(0, checked) TH_LOG("no replayed PCRs in tpm2_eventlog's output");
}

/* A valid policy event, then what each mutation must make the decoder say. */
static size_t build_event(uint8_t *b, const char *text)
{
	static const uint8_t hdr[] = {
		0xee, 0x22, 0x3b, 0x8f,		/* taggedEventID */
		0, 0, 0, 0,			/* taggedEventDataSize */
		0x45, 0x52, 0x54, 0x47,		/* magic "ERTG" */
		1, 0,				/* version */
		1, 0xff, 1, 0x02,		/* policy, none -> locked, cmdline */
		1, 0,				/* reason: efi_rt_gate=locked */
		0, 0, 0, 0,			/* sequence */
		9, 0, 0, 0,			/* pcr */
		0, 0,				/* nr_digests */
	};
	size_t n = sizeof(hdr), len = strlen(text);

	memcpy(b, hdr, n);
	b[n++] = len & 0xff;
	b[n++] = len >> 8;
	memcpy(b + n, text, len);
	n += len;
	b[4] = (n - 8) & 0xff;
	b[5] = (n - 8) >> 8;
	return n;
}

static const struct {
	const char *name;
	int off;		/* of the byte to store, from the tagged data */
	int value;		/* byte to store there, -1: none */
	int delta;		/* bytes added (+) or cut (-) at the end */
	int fix_size;		/* taggedEventDataSize follows the change */
	const char *error;	/* in the decoder's message; NULL: valid */
} mutations[] = {
	{ "valid", 0, -1, 0, 0, NULL },
	{ "tag", -8, 0xef, 0, 0, "tag" },
	{ "tagged size", -4, 0x40, 0, 0, "tagged data size" },
	{ "magic", 0, 'X', 0, 0, "magic" },
	{ "version 0", 4, 0, 0, 0, "version" },
	{ "version 2", 4, 2, 0, 0, "version" },
	{ "op 0", 6, 0, 0, 0, "operation" },
	{ "op 5", 6, 5, 0, 0, "operation" },
	{ "op 8", 6, 8, 0, 0, "operation" },
	{ "state before 3", 7, 3, 0, 0, "state" },
	{ "state after 0xfe", 8, 0xfe, 0, 0, "state" },
	{ "flags bit 2", 9, 0x04, 0, 0, "flags" },
	{ "reason 99", 10, 99, 0, 0, "reason" },
	{ "pcr 24", 16, 24, 0, 0, "PCR" },
	{ "nr_digests 1", 20, 1, 0, 0, "digest" },
	{ "text_len 200", 22, 200, 0, 0, "text length" },
	{ "text_len short", 22, 5, 0, 0, "text length" },
	{ "text not printable", 24, 0x07, 0, 0, "text byte" },
	{ "text NUL", 25, 0, 0, 0, "text byte" },
	{ "text DEL", 30, 0x7f, 0, 0, "text byte" },
	{ "trailing byte", 0, -1, 1, 0, "tagged data size" },
	{ "trailing byte, size fixed", 0, -1, 1, 1, "text length" },
	{ "truncated", 0, -1, -1, 0, "tagged data size" },
	{ "truncated, size fixed", 0, -1, -1, 1, "text length" },
	{ "no text length", 0, -1, -27, 1, "text length truncated" },
	{ "header truncated", 0, -1, -30, 1, "event truncated" },
	{ "wrapper only", 0, -1, -46, 1, "event truncated" },
	{ "tag truncated", 0, -1, -51, 0, "tagged event truncated" },
};

TEST(gate_event_decoder_strict)
{
	char text[GATE_EVENT_TEXT_MAX + 2], err[160];
	uint8_t buf[512];
	struct gate_event ev;
	size_t n, i;

	for (i = 0; i < ARRAY_SIZE(mutations); i++) {
		memset(buf, 0, sizeof(buf));
		n = build_event(buf, "efi_rt_gate policy: locked");
		if (mutations[i].value >= 0)
			buf[8 + mutations[i].off] = mutations[i].value;
		n += mutations[i].delta;
		if (mutations[i].fix_size) {
			buf[4] = (n - 8) & 0xff;
			buf[5] = (n - 8) >> 8;
		}
		if (!mutations[i].error) {
			ASSERT_EQ(0, gate_event_decode(buf, n, &ev, err, sizeof(err)))
				TH_LOG("valid event: %s", err);
			ASSERT_EQ(GATE_OP_POLICY, ev.op);
			ASSERT_EQ(GATE_STATE_NONE, ev.before);
			ASSERT_EQ(GATE_STATE_LOCKED, ev.after);
			ASSERT_EQ(GATE_FLAG_CMDLINE, ev.flags);
			ASSERT_EQ(GATE_REASON_LOCKED, ev.reason);
			ASSERT_EQ(0, ev.seq);
			ASSERT_EQ(9, ev.pcr);
			ASSERT_EQ(0, ev.nr_digests);
			ASSERT_STREQ("efi_rt_gate policy: locked", ev.text);
			continue;
		}
		ASSERT_EQ(1, gate_event_decode(buf, n, &ev, err, sizeof(err)))
			TH_LOG("%s: accepted", mutations[i].name);
		ASSERT_NE(NULL, strstr(err, mutations[i].error))
			TH_LOG("%s: '%s', expected '%s'", mutations[i].name, err,
			       mutations[i].error);
	}

	/* Text of exactly GATE_EVENT_TEXT_MAX bytes, and one more. */
	memset(text, 'a', sizeof(text));
	text[GATE_EVENT_TEXT_MAX] = 0;
	n = build_event(buf, text);
	ASSERT_EQ(0, gate_event_decode(buf, n, &ev, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(GATE_EVENT_TEXT_MAX, strlen(ev.text));
	text[GATE_EVENT_TEXT_MAX] = 'a';
	text[GATE_EVENT_TEXT_MAX + 1] = 0;
	n = build_event(buf, text);
	ASSERT_EQ(1, gate_event_decode(buf, n, &ev, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "text length")) TH_LOG("%s", err);

	/* One sha256 digest entry in bounds is accepted, cut short it is not. */
	n = build_event(buf, "x");
	memmove(buf + 8 + 22 + 6 + 32, buf + 8 + 22, 3);
	memset(buf + 8 + 22, 0, 6 + 32);
	buf[8 + 20] = 1;
	buf[8 + 22] = 1;				/* type */
	buf[8 + 24] = TPM2_ALG_SHA256;
	buf[8 + 26] = 32;
	memset(buf + 8 + 28, 0x5a, 32);
	n += 6 + 32;
	buf[4] = n - 8;
	ASSERT_EQ(0, gate_event_decode(buf, n, &ev, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(1, ev.nr_digests);
	ASSERT_STREQ("x", ev.text);
	buf[8 + 26] = 48;
	ASSERT_EQ(1, gate_event_decode(buf, n, &ev, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "digest 0")) TH_LOG("%s", err);
}

/*
 * The firmware's PCRs (0-7) of two boots of one machine, read from the
 * TPM with TPM2_PCR_Read in every bank: fw_pcrs_record (first boot)
 * stores them on the disk partition "sealed", fw_pcrs_same (second boot,
 * same command line, same variable store) compares.  Nothing the EFI
 * stub or the kernel measures may make them differ from one boot to the
 * next (the stub's policy goes to PCR 9), whatever the policy: sealing to
 * PCR 1 or 7 and predicting them must keep working.
 */
#define FW_PCRS_MAGIC	"efi_rt_gate firmware PCRs v1\n"
#define FW_PCRS_MAX	8192

/* "<bank> <pcr> <hex>\n" for PCRs 0-7 of every bank; length or -errno */
static int fw_pcrs_text(char *buf, size_t max)
{
	uint16_t algs[LOG_MAX_BANKS];
	uint8_t d[TPM_MAX_DIGEST];
	size_t len, off;
	unsigned int p, i;
	int b, nb, rc;

	off = snprintf(buf, max, FW_PCRS_MAGIC);
	nb = sysfs_banks(algs, LOG_MAX_BANKS);
	if (nb <= 0)
		return -ENOENT;
	for (b = 0; b < nb; b++) {
		for (p = 0; p < 8; p++) {
			rc = tpm2_pcr_read(p, algs[b], d, &len);
			if (rc)
				return rc < 0 ? rc : -EIO;
			off += snprintf(buf + off, max - off, "%s %u ",
					tpm2_alg_name(algs[b]), p);
			for (i = 0; i < len; i++)
				off += snprintf(buf + off, max - off, "%02x", d[i]);
			off += snprintf(buf + off, max - off, "\n");
			if (off >= max)
				return -E2BIG;
		}
	}
	return off;
}

static int fw_pcrs_dev(char *dev)
{
	char disk[DEV_MAX];
	int n;

	return find_partition("sealed", dev, disk, &n);
}

TEST(fw_pcrs_record)
{
	static char buf[FW_PCRS_MAX];
	char dev[DEV_MAX], *pcr1;
	int len, fd;

	if (!tpm_present())
		SKIP(return, "no TPM");
	ASSERT_EQ(0, fw_pcrs_dev(dev)) TH_LOG("no partition named \"sealed\"");
	len = fw_pcrs_text(buf, sizeof(buf));
	ASSERT_LT(0, len) TH_LOG("reading the PCRs: %s", strerror(-len));
	fd = open(dev, O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", dev, strerror(errno));
	/* The whole buffer: zeros after the text end it on the next read. */
	ASSERT_EQ((ssize_t)sizeof(buf), pwrite(fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, fsync(fd));
	close(fd);
	pcr1 = strstr(buf, "sha256 1 ");
	if (pcr1)
		printf("# boot %s: %.*s\n", env("HARNESS_BOOT") ?: "?",
		       (int)strcspn(pcr1, "\n"), pcr1);
}

TEST(fw_pcrs_same)
{
	static char before[FW_PCRS_MAX + 1], now[FW_PCRS_MAX];
	char dev[DEV_MAX], *a, *b, *ea, *eb;
	int len, differ = 0;

	if (!tpm_present())
		SKIP(return, "no TPM");
	ASSERT_EQ(0, fw_pcrs_dev(dev)) TH_LOG("no partition named \"sealed\"");
	ASSERT_LT(0, read_bytes(dev, before, FW_PCRS_MAX));
	ASSERT_EQ(0, strncmp(before, FW_PCRS_MAGIC, strlen(FW_PCRS_MAGIC)))
		TH_LOG("no PCRs of an earlier boot on %s (fw_pcrs_record)", dev);
	len = fw_pcrs_text(now, sizeof(now));
	ASSERT_LT(0, len) TH_LOG("reading the PCRs: %s", strerror(-len));
	/* Same banks in the same order: compare line by line. */
	for (a = before, b = now; *a && *b; a = ea + 1, b = eb + 1) {
		ea = strchr(a, '\n');
		eb = strchr(b, '\n');
		ASSERT_TRUE(ea && eb);
		if (ea - a != eb - b || memcmp(a, b, ea - a)) {
			printf("# differs: earlier boot %.*s, this boot %.*s\n",
			       (int)(ea - a), a, (int)(eb - b), b);
			differ++;
		} else if (!strncmp(a, "sha256 1 ", 9)) {
			printf("# same in both boots: %.*s\n", (int)(ea - a), a);
		}
	}
	ASSERT_TRUE(!*a && !*b) TH_LOG("the banks changed between the boots");
	ASSERT_EQ(0, differ) TH_LOG("%d firmware PCR values differ between two boots", differ);
}

TEST_HARNESS_MAIN

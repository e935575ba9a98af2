// SPDX-License-Identifier: GPL-2.0
/*
 * Debug-only emulation of an Intel TXT secure launch (CONFIG_SECURE_LAUNCH
 * _EMULATION, "slaunch_emulate" on the command line), for emulators without
 * TXT such as QEMU.
 *
 * It replaces only what such a machine cannot provide: the TXT registers
 * (the launch is simply declared to have happened) and the TXT heap with
 * the DRTM event log the bootloader would have set up (kernel buffers,
 * found and appended to by the same code that handles a real launch).
 * It never sets the Secure Launch flags, so nothing that acts on a real
 * launch runs; code that is to behave as after a launch asks
 * slaunch_emulated().  It taints the kernel (TAINT_USER), is refused under
 * lockdown and with Secure Boot enabled, and a real launch wins over it.
 * It is decided before security_init(), where the lockdown LSM, unless it
 * is an early LSM, does not answer yet: the lockdown that the command line
 * ("lockdown=") or the kernel's configuration (LOCK_DOWN_KERNEL_FORCE_*)
 * asks for refuses it too.
 * Like a bootloader, it writes the log's Spec ID Event03 header and, like
 * the SINIT ACM, the launch measurement in PCR 17; both before anything
 * else in the kernel measures into the log.  The TPM, its localities,
 * PCRs 17-22 and EFI stay real: whoever runs the emulator is expected to
 * perform the DRTM hash sequence on the TPM (swtpm's control channel) as
 * the kernel starts, with SLAUNCH_EMULATED_LAUNCH_DATA.
 *
 * "slaunch_emulate" alone lists the TPM's allocated banks in the header;
 * "slaunch_emulate=sha1,sha256" lists exactly those, in that order (any of
 * sha1, sha256, sha384 and sha512), so that a log whose header lists other
 * algorithms than the TPM has can be tested.  The further word
 * "badspecid" writes a header with a broken signature, so that a log
 * without a valid header can be tested.
 *
 * Like the Secure Launch series' early code, it leaves locality 2 of a TIS
 * TPM active, which the TIS driver's probe must cope with; as after a real
 * launch, every TPM chip then moves to locality 2 when it registers
 * (slaunch_tpm_chip_register()), the emulated log gets its header when the
 * first chip does, unless "slaunch_emulate=" named the banks.
 */

#define pr_fmt(fmt) "slaunch: " fmt

#include <crypto/hash.h>
#include <crypto/hash_info.h>
#include <kunit/visibility.h>
#include <linux/efi.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/panic.h>
#include <linux/security.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/slaunch.h>
#include <linux/slaunch_emulation.h>
#include <linux/string.h>
#include <linux/tpm.h>
#include <linux/tpm_eventlog.h>
#include <linux/unaligned.h>

#include <asm/page.h>

#include "slaunch.h"

/* An emulated TXT heap: the four tables, OsSinitData with the log pointer */
struct sl_emu_heap {
	u64 bios_data_size;
	u64 os_mle_data_size;
	u64 os_sinit_data_size;
	u32 os_sinit_version;
	u8 os_sinit_fixed[TXT_OS_SINIT_DATA_FIXED_SIZE - sizeof(u32)];
	struct txt_heap_ext_data_element log_element;
	struct txt_heap_event_log_pointer2_1 log;
	struct txt_heap_ext_data_element end_element;
	u64 sinit_mle_data_size;
} __packed;

/* The banks "slaunch_emulate=" can name */
static const struct {
	const char *name;
	u16 alg_id;
	enum hash_algo algo;
} sl_emu_algs[] = {
	{ "sha1", TPM_ALG_SHA1, HASH_ALGO_SHA1 },
	{ "sha256", TPM_ALG_SHA256, HASH_ALGO_SHA256 },
	{ "sha384", TPM_ALG_SHA384, HASH_ALGO_SHA384 },
	{ "sha512", TPM_ALG_SHA512, HASH_ALGO_SHA512 },
};

#define SL_EMU_BADSPECID	"badspecid"

/*
 * A TIS TPM at its PC Client address: the locality's ACCESS and the
 * interface ID registers (TCG PC Client Platform TPM Profile), where a
 * launch leaves locality 2 active.
 */
#define SL_EMU_TIS_BASE			0xfed40000
#define SL_EMU_TIS_LOCALITY_SIZE	0x1000
#define SL_EMU_TIS_LOCALITY		2
#define SL_EMU_TIS_ACCESS		0x00
#define SL_EMU_TIS_INTERFACE_ID		0x30
#define SL_EMU_TIS_ACCESS_VALID		0x80
#define SL_EMU_TIS_ACCESS_ACTIVE	0x20
#define SL_EMU_TIS_ACCESS_REQUEST_USE	0x02
/* InterfaceType: FIFO (TPM 2.0) or 0xf, TIS 1.3; CRB is 1 */
#define SL_EMU_TIS_IFTYPE_MASK		0xf
#define SL_EMU_TIS_IFTYPE_FIFO		0x0
#define SL_EMU_TIS_IFTYPE_TIS13		0xf

static bool sl_emu_requested __ro_after_init;
static bool sl_emu_badspecid __ro_after_init;
/* "lockdown=integrity" or "lockdown=confidentiality" was given */
static bool sl_emu_lockdown_param __ro_after_init;
/* The header's banks as indices into sl_emu_algs[]; none: the TPM's banks */
static u8 sl_emu_order[ARRAY_SIZE(sl_emu_algs)] __ro_after_init;
static int sl_emu_nr_algs __ro_after_init;
/* Decided on the first question, during boot, after the early params */
static bool sl_emu_decided __ro_after_init;
static bool sl_emu_on __ro_after_init;
static struct sl_emu_heap sl_emu_heap;
static u8 sl_emu_log[SZ_32K] __aligned(PAGE_SIZE);
/* The header and the launch record are in the log; under its mutex */
static bool sl_emu_log_written;

/*
 * "slaunch_emulate" or "slaunch_emulate=ALG[,ALG...][,badspecid]": the
 * header lists the ALGs in the order given.  Anything else (an empty
 * list, an unknown word, a bank given twice) means no emulation.
 */
static int __init slaunch_emulate_param(char *str)
{
	unsigned long seen = 0;
	bool bad = false;
	int i, n = 0;
	char *tok;

	while (str && (tok = strsep(&str, ",")) != NULL) {
		if (!strcmp(tok, SL_EMU_BADSPECID)) {
			bad = true;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(sl_emu_algs); i++)
			if (!strcmp(tok, sl_emu_algs[i].name))
				break;
		if (i == ARRAY_SIZE(sl_emu_algs) || (seen & BIT(i))) {
			pr_err("slaunch_emulate: '%s' is not sha1, sha256, sha384, sha512 or %s, or is repeated: no emulation\n",
			       tok, SL_EMU_BADSPECID);
			return -EINVAL;
		}
		seen |= BIT(i);
		sl_emu_order[n++] = i;
	}
	sl_emu_requested = true;
	sl_emu_badspecid = bad;
	sl_emu_nr_algs = n;
	return 0;
}
early_param("slaunch_emulate", slaunch_emulate_param);

/*
 * The lockdown LSM's own early parameter, seen here too: the emulation is
 * decided before security_init(), where a lockdown LSM that is not an
 * early LSM is not registered yet and security_locked_down() says no.
 * The same values as the LSM's; every other value locks nothing down
 * there, and is left to the LSM to report.
 */
static int __init slaunch_emulate_lockdown_param(char *level)
{
	if (level && (!strcmp(level, "integrity") ||
		      !strcmp(level, "confidentiality")))
		sl_emu_lockdown_param = true;
	return 0;
}
early_param("lockdown", slaunch_emulate_lockdown_param);

/*
 * Locked down now, or about to be once the lockdown LSM initialises: by
 * the command line or by the kernel's configuration.
 */
static bool sl_emu_locked_down(void)
{
	return security_locked_down(LOCKDOWN_INTEGRITY_MAX) ||
	       sl_emu_lockdown_param ||
	       IS_ENABLED(CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY) ||
	       IS_ENABLED(CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY);
}

/**
 * slaunch_emulate_refusal() - why the emulation must not run, if it must not
 * @launched: a real secure launch happened
 * @secure_boot: Secure Boot is enabled
 * @locked_down: the kernel is locked down (integrity or confidentiality)
 *
 * Return: the reason, or %NULL if the emulation may run.
 */
VISIBLE_IF_KUNIT const char *slaunch_emulate_refusal(bool launched,
						     bool secure_boot,
						     bool locked_down)
{
	if (launched)
		return "this is a real secure launch";
	if (secure_boot)
		return "Secure Boot is enabled";
	if (locked_down)
		return "the kernel is locked down";
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(slaunch_emulate_refusal);

/* Whether the emulation may run; the first question decides, at boot. */
static bool sl_emu_decide(void)
{
	const char *why;

	if (!sl_emu_requested)
		return false;
	why = slaunch_emulate_refusal(slaunch_get_flags() & SL_FLAG_ACTIVE,
				      efi_enabled(EFI_SECURE_BOOT),
				      sl_emu_locked_down());
	if (why) {
		pr_err("slaunch_emulate refused: %s\n", why);
		return false;
	}

	pr_warn("**********************************************************\n");
	pr_warn("**   SECURE LAUNCH IS EMULATED (slaunch_emulate)        **\n");
	pr_warn("**   There was no Intel TXT launch: PCRs 17-22 and the  **\n");
	pr_warn("**   DRTM log only show what the emulator injected.     **\n");
	pr_warn("**   NEVER use this kernel or option in production.     **\n");
	pr_warn("**********************************************************\n");
	add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	return true;
}

/**
 * slaunch_emulated() - is a secure launch emulated on this boot?
 *
 * The first call, during boot and after the early parameters were
 * parsed, decides: "slaunch_emulate" was given, there was no real launch,
 * Secure Boot is off and the kernel is not locked down, nor asked to be
 * by "lockdown=" or its configuration (the first call may come before
 * the lockdown LSM initialised).  Turning the emulation on taints the
 * kernel.
 *
 * Return: true if the kernel is to behave as after a secure launch.
 */
bool slaunch_emulated(void)
{
	if (!sl_emu_decided) {
		sl_emu_on = sl_emu_decide();
		sl_emu_decided = true;
	}
	return sl_emu_on;
}
EXPORT_SYMBOL_GPL(slaunch_emulated);

/*
 * Leave locality 2 of a TIS TPM active, as the Secure Launch series'
 * early code does before it enters the kernel: the TIS driver must cope
 * with it when it probes.  The firmware's locality 0 (OVMF leaves it
 * active) is given up first, as a launching bootloader does.  Nothing to
 * do without a TIS TPM (a CRB one, none: registers that read all-ones).
 */
static void __init sl_emu_tis_locality(void)
{
	void __iomem *loc0, *loc;
	u8 access;
	u32 iftype;

	loc0 = ioremap(SL_EMU_TIS_BASE, SL_EMU_TIS_LOCALITY_SIZE);
	if (!loc0)
		return;
	access = ioread8(loc0 + SL_EMU_TIS_ACCESS);
	iftype = ioread32(loc0 + SL_EMU_TIS_INTERFACE_ID) &
		 SL_EMU_TIS_IFTYPE_MASK;
	if (access == 0xff || !(access & SL_EMU_TIS_ACCESS_VALID) ||
	    (iftype != SL_EMU_TIS_IFTYPE_FIFO &&
	     iftype != SL_EMU_TIS_IFTYPE_TIS13)) {
		iounmap(loc0);
		return;
	}
	if (access & SL_EMU_TIS_ACCESS_ACTIVE)
		iowrite8(SL_EMU_TIS_ACCESS_ACTIVE, loc0 + SL_EMU_TIS_ACCESS);
	iounmap(loc0);

	loc = ioremap(SL_EMU_TIS_BASE +
		      SL_EMU_TIS_LOCALITY * SL_EMU_TIS_LOCALITY_SIZE,
		      SL_EMU_TIS_LOCALITY_SIZE);
	if (!loc)
		return;
	iowrite8(SL_EMU_TIS_ACCESS_REQUEST_USE, loc + SL_EMU_TIS_ACCESS);
	access = ioread8(loc + SL_EMU_TIS_ACCESS);
	iounmap(loc);
	if (access & SL_EMU_TIS_ACCESS_ACTIVE)
		pr_info("TIS TPM locality %d left active, as a launch leaves it\n",
			SL_EMU_TIS_LOCALITY);
	else
		pr_warn("TIS TPM locality %d not granted (ACCESS 0x%02x)\n",
			SL_EMU_TIS_LOCALITY, access);
}

/*
 * The emulated TXT heap, handed to the DRTM log code before it maps logs,
 * and the TPM as a launch hands it over, before any TPM driver probes.
 */
static int __init slaunch_emulate_heap_init(void)
{
	struct sl_emu_heap *h = &sl_emu_heap;
	int ret;

	if (!slaunch_emulated())
		return 0;

	sl_emu_tis_locality();

	h->bios_data_size = sizeof(u64);
	h->os_mle_data_size = sizeof(u64);
	h->os_sinit_data_size = offsetof(struct sl_emu_heap, sinit_mle_data_size) -
				offsetof(struct sl_emu_heap, os_sinit_data_size);
	h->os_sinit_version = 7;
	h->log_element.type = TXT_HEAP_EXTDATA_TYPE_EVENT_LOG_PTR2_1;
	h->log_element.size = sizeof(h->log_element) + sizeof(h->log);
	/* An empty log: slaunch_emulate_log_init() writes header and launch. */
	h->log.phys_addr = __pa_symbol(sl_emu_log);
	h->log.allocated_event_container_size = sizeof(sl_emu_log);
	h->end_element.type = TXT_HEAP_EXTDATA_TYPE_END;
	h->end_element.size = sizeof(h->end_element);
	h->sinit_mle_data_size = sizeof(u64);

	ret = slaunch_eventlog_use_heap(h, sizeof(*h));
	if (ret)
		pr_err("emulated TXT heap not used: %d\n", ret);
	return ret;
}
arch_initcall(slaunch_emulate_heap_init);

struct sl_emu_bank {
	u16 alg_id;
	u16 digest_size;
	enum hash_algo algo;
};

/*
 * The header's banks: those named on the command line, or @chip's; no
 * banks (-ENODEV) without either.
 */
static int sl_emu_banks(struct tpm_chip *chip, struct sl_emu_bank *banks)
{
	int i, n = 0;

	if (sl_emu_nr_algs) {
		for (n = 0; n < sl_emu_nr_algs; n++) {
			i = sl_emu_order[n];
			banks[n].alg_id = sl_emu_algs[i].alg_id;
			banks[n].algo = sl_emu_algs[i].algo;
			banks[n].digest_size = hash_digest_size[banks[n].algo];
		}
		return n;
	}

	if (!chip)
		return -ENODEV;
	for (i = 0; i < chip->nr_allocated_banks; i++) {
		banks[n].alg_id = chip->allocated_banks[i].alg_id;
		banks[n].digest_size = chip->allocated_banks[i].digest_size;
		banks[n].algo = chip->allocated_banks[i].crypto_id;
		n++;
	}
	return n ?: -ENODEV;
}

/* The TCG_PCR_EVENT with the Spec ID Event03 header for @banks. */
static size_t sl_emu_write_specid(u8 *buf, const struct sl_emu_bank *banks,
				  int n)
{
	struct tcg_pcr_event *ev = (struct tcg_pcr_event *)buf;
	struct tcg_efi_specid_event_head *head;
	size_t esize = sizeof(*head) + n * sizeof(head->digest_sizes[0]) + 1;
	int i;

	memset(buf, 0, sizeof(*ev) + esize);
	put_unaligned_le32(0, &ev->pcr_idx);
	put_unaligned_le32(NO_ACTION, &ev->event_type);
	put_unaligned_le32(esize, &ev->event_size);
	head = (struct tcg_efi_specid_event_head *)ev->event;
	memcpy(head->signature, TCG_SPECID_SIG, sizeof(TCG_SPECID_SIG));
	if (sl_emu_badspecid)
		head->signature[sizeof(TCG_SPECID_SIG) - 2] = '2';
	head->spec_version_major = 2;	/* TPM 2.0 crypto-agile log */
	head->uintnsize = 2;		/* UINTN is 64 bits */
	put_unaligned_le32(n, &head->num_algs);
	for (i = 0; i < n; i++) {
		put_unaligned_le16(banks[i].alg_id,
				   &head->digest_sizes[i].alg_id);
		put_unaligned_le16(banks[i].digest_size,
				   &head->digest_sizes[i].digest_size);
	}
	/* vendorInfoSize 0: already zero */
	return sizeof(*ev) + esize;
}

/* @out = H_@algo(@data, @len) */
static int sl_emu_digest(enum hash_algo algo, const void *data, size_t len,
			 u8 *out)
{
	struct crypto_shash *tfm;
	int ret;

	if (algo >= HASH_ALGO__LAST)
		return -EOPNOTSUPP;
	tfm = crypto_alloc_shash(hash_algo_name[algo], 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = crypto_shash_tfm_digest(tfm, data, len, out);
	crypto_free_shash(tfm);
	return ret;
}

/* The TCG_PCR_EVENT2 of the launch: SL_EVTYPE_SECURE_LAUNCH in PCR 17. */
static int sl_emu_write_launch(u8 *buf, const struct sl_emu_bank *banks,
			       int n, size_t *size)
{
	static const char data[] = SLAUNCH_EMULATED_LAUNCH_DATA;
	size_t len = sizeof(data) - 1;
	u8 *p = buf;
	int i, ret;

	put_unaligned_le32(SLAUNCH_EMULATED_LAUNCH_PCR, p);
	put_unaligned_le32(SL_EVTYPE_SECURE_LAUNCH, p + 4);
	put_unaligned_le32(n, p + 8);
	p += 12;
	for (i = 0; i < n; i++) {
		put_unaligned_le16(banks[i].alg_id, p);
		ret = sl_emu_digest(banks[i].algo, data, len, p + 2);
		if (ret) {
			pr_err("emulated DRTM log: no kernel hash for bank 0x%04x: %d\n",
			       banks[i].alg_id, ret);
			return ret;
		}
		p += 2 + banks[i].digest_size;
	}
	put_unaligned_le32(len, p);
	memcpy(p + 4, data, len);
	*size = p + 4 + len - buf;
	return 0;
}

/*
 * Play the bootloader and the SINIT ACM: write the header and the launch
 * record into the emulated (empty) log, through the same code that
 * appends to a real one, once.  The banks are those named on the command
 * line, or @chip's.  Before anything else in the kernel measures into the
 * log: the gate does only once it found a TPM, which is registered by
 * then.
 */
static int sl_emu_log_write(struct tpm_chip *chip)
{
	struct sl_emu_bank banks[TPM2_MAX_PCR_BANKS];
	size_t hsize, rsize;
	bool written;
	int n, ret;
	u8 *buf;

	slaunch_eventlog_lock();
	written = sl_emu_log_written;
	slaunch_eventlog_unlock();
	if (written)
		return 0;

	n = sl_emu_banks(chip, banks);
	if (n < 0) {
		pr_err("emulated DRTM log: %s has no PCR banks for its header\n",
		       dev_name(&chip->dev));
		return n;
	}
	buf = kzalloc(SZ_4K, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	hsize = sl_emu_write_specid(buf, banks, n);
	ret = sl_emu_write_launch(buf + hsize, banks, n, &rsize);
	if (!ret) {
		slaunch_eventlog_lock();
		if (sl_emu_log_written)
			written = true;
		else if (slaunch_eventlog_space() != sizeof(sl_emu_log))
			ret = -EEXIST;
		else
			ret = slaunch_eventlog_append(buf, hsize + rsize);
		if (!ret)
			sl_emu_log_written = true;
		slaunch_eventlog_unlock();
	}
	kfree(buf);
	if (ret)
		pr_err("emulated DRTM log not set up: %d\n", ret);
	else if (!written)
		pr_info("emulated DRTM log: Spec ID header with %d bank(s)%s, launch measurement in PCR %d\n",
			n, sl_emu_badspecid ? " (broken signature: " SL_EMU_BADSPECID ")" : "",
			SLAUNCH_EMULATED_LAUNCH_PCR);
	return ret;
}

/**
 * slaunch_emulate_tpm_chip() - the emulated launch meets a TPM chip
 * @chip: a chip that registers, at the launch's locality already
 *
 * Without banks named on the command line, the emulated log takes the
 * banks of the first chip that registers: its header is written now.
 */
void slaunch_emulate_tpm_chip(struct tpm_chip *chip)
{
	if (slaunch_emulated())
		sl_emu_log_write(chip);
}

/*
 * A late_initcall in arch/, so before the late_initcalls of security/ and
 * drivers/ that may measure into the log: with the banks named on the
 * command line the header needs no TPM; otherwise the first chip that
 * registers brings it (slaunch_emulate_tpm_chip()), maybe only later.
 */
static int __init slaunch_emulate_log_init(void)
{
	bool written;

	if (!slaunch_emulated())
		return 0;
	if (sl_emu_nr_algs)
		return sl_emu_log_write(NULL);
	slaunch_eventlog_lock();
	written = sl_emu_log_written;
	slaunch_eventlog_unlock();
	if (!written)
		pr_info("emulated DRTM log: its header waits for the first TPM (slaunch_emulate=sha256 names the banks)\n");
	return 0;
}
late_initcall(slaunch_emulate_log_init);

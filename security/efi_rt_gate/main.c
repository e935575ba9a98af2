// SPDX-License-Identifier: GPL-2.0
/*
 * Measured transitions of the EFI runtime gate.
 *
 * Every transition of the gate (the state at boot, each unlock, each
 * relock) is extended into a PCR and appended to an event log before it
 * takes effect, under one mutex, so that the log always equals the PCR's
 * history as far as the gate is concerned: a record exists if and only if
 * its extend succeeded.  Unlocking fails closed: without a TPM, or when the
 * TPM does not accept the extend, runtime services stay withheld.
 */

#define pr_fmt(fmt) "efi_rt_gate: " fmt

#include <crypto/hash.h>
#include <crypto/hash_info.h>
#include <linux/cred.h>
#include <linux/efi_rt_gate.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/slaunch.h>
#include <linux/tpm.h>
#include <linux/uidgid.h>

#include "efi_rt_gate.h"

/**
 * struct efi_rt_record - one measured event, for the ascii log
 * @list: entry in efi_rt_records
 * @pcr: PCR index
 * @alg: hash algorithm of @digest (HASH_ALGO_*)
 * @digest: the record's digest in the preferred bank
 * @text: what happened
 */
struct efi_rt_record {
	struct list_head list;
	u32 pcr;
	enum hash_algo alg;
	u8 digest[SHA512_DIGEST_SIZE];
	char text[];
};

/* Serialises measurements, the log and the gate's transitions. */
static DEFINE_MUTEX(efi_rt_mutex);
static struct tpm_chip *efi_rt_chip;
static unsigned int efi_rt_pcr_idx;
static unsigned int efi_rt_nr_banks;
static struct efi_rt_bank efi_rt_banks[TPM2_MAX_PCR_BANKS];
static enum hash_algo efi_rt_bank_algo[TPM2_MAX_PCR_BANKS];
static struct crypto_shash *efi_rt_tfm[TPM2_MAX_PCR_BANKS];
static unsigned int efi_rt_ascii_bank;

/* TPM locality from which the DRTM PCRs 17-22 are extended */
#define EFI_RT_DRTM_LOCALITY	2

/* The binary log; append-only, never shrinks. */
static u8 *efi_rt_log;
static size_t efi_rt_log_len;
static LIST_HEAD(efi_rt_records);

static const char *const efi_rt_state_names[] = {
	[EFI_RT_GATE_DISABLED] = "disabled",
	[EFI_RT_GATE_LOCKED] = "locked",
	[EFI_RT_GATE_UNLOCKED] = "unlocked",
};

/**
 * efi_rt_pcr() - the PCR the gate extends on this boot
 *
 * Return: the PCR index.
 */
unsigned int efi_rt_pcr(void)
{
	return efi_rt_pcr_idx;
}

static bool efi_rt_drtm_pcr(unsigned int pcr)
{
	return pcr >= 17 && pcr <= 22;
}

/*
 * TEMPORARY (drtm helper's worktree, for testing the slaunch API; the lead
 * owns this file): a record for the DRTM event log, with the digests of
 * exactly the banks its Spec ID header lists, in the header's order.
 */
struct efi_rt_drtm_rec {
	struct efi_rt_bank banks[TPM2_MAX_PCR_BANKS];
	struct tpm_digest digests[TPM2_MAX_PCR_BANKS];
	unsigned int nr;
	size_t size;
	u8 data[];
};

/*
 * With the DRTM log's lock held: take the algorithms of the log's Spec ID
 * header, pick the matching digests out of @digests (the TPM's banks),
 * check the room and allocate the record.
 */
static int efi_rt_drtm_prepare(const struct tpm_digest *digests,
			       size_t ev_size, struct efi_rt_drtm_rec **out)
{
	u16 algs[TPM2_MAX_PCR_BANKS], sizes[TPM2_MAX_PCR_BANKS];
	struct efi_rt_bank banks[TPM2_MAX_PCR_BANKS];
	u8 idx[TPM2_MAX_PCR_BANKS];
	struct efi_rt_drtm_rec *r;
	unsigned int i, j;
	size_t size;
	int n;

	n = slaunch_eventlog_algs(algs, sizes, ARRAY_SIZE(algs));
	if (n < 0) {
		pr_err("DRTM event log has no valid Spec ID Event03 header (%d): not measured\n",
		       n);
		return -EOPNOTSUPP;
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < efi_rt_nr_banks; i++)
			if (efi_rt_banks[i].alg_id == algs[j])
				break;
		if (i == efi_rt_nr_banks ||
		    efi_rt_banks[i].digest_size != sizes[j]) {
			pr_err("DRTM event log lists bank 0x%04x, which the TPM lacks: not measured\n",
			       algs[j]);
			return -EOPNOTSUPP;
		}
		banks[j] = efi_rt_banks[i];
		idx[j] = i;
	}
	size = efi_rt_event2_size(banks, n, ev_size);
	if (slaunch_eventlog_space() < size) {
		pr_err("no room in the DRTM event log for %zu bytes\n", size);
		return -ENOSPC;
	}
	r = kmalloc(struct_size(r, data, size), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	for (j = 0; j < n; j++) {
		r->banks[j] = banks[j];
		r->digests[j] = digests[idx[j]];
	}
	r->nr = n;
	r->size = size;
	*out = r;
	return 0;
}

/*
 * Extend @text as an EV_EVENT_TAG record into the PCR, then append it to
 * the log (and, after a secure launch, to the DRTM event log).  Everything
 * that can fail apart from the extend happens before it, so that a
 * successful extend is always logged.
 */
static int efi_rt_measure(const char *text)
{
	struct tpm_digest digests[TPM2_MAX_PCR_BANKS] = {};
	size_t text_len = strlen(text);
	size_t ev_size = efi_rt_tagged_event_size(text_len);
	bool drtm = slaunch_is_txt_launch();
	struct efi_rt_drtm_rec *drtm_rec = NULL;
	struct efi_rt_record *rec;
	size_t rec_size;
	u8 *ev, *log;
	unsigned int i;
	int ret;

	lockdep_assert_held(&efi_rt_mutex);

	if (!efi_rt_chip)
		return -ENODEV;

	ev = kmalloc(ev_size, GFP_KERNEL);
	rec = kzalloc(struct_size(rec, text, text_len + 1), GFP_KERNEL);
	rec_size = efi_rt_event2_size(efi_rt_banks, efi_rt_nr_banks, ev_size);
	log = krealloc(efi_rt_log, efi_rt_log_len + rec_size, GFP_KERNEL);
	if (log)
		efi_rt_log = log;
	if (!ev || !rec || !log) {
		ret = -ENOMEM;
		goto out;
	}
	efi_rt_tagged_event_write(ev, text, text_len);

	for (i = 0; i < efi_rt_nr_banks; i++) {
		digests[i].alg_id = efi_rt_banks[i].alg_id;
		if (!efi_rt_tfm[i]) {
			ret = -EOPNOTSUPP;
			goto out;
		}
		ret = crypto_shash_tfm_digest(efi_rt_tfm[i], ev, ev_size,
					      digests[i].digest);
		if (ret)
			goto out;
	}

	/*
	 * Attestation replays the DRTM log: no extend without a record, and
	 * the record carries exactly the digests of the log's own header.
	 */
	if (drtm) {
		slaunch_eventlog_lock();
		ret = efi_rt_drtm_prepare(digests, ev_size, &drtm_rec);
		if (ret)
			goto out_unlock;
	}

	if (efi_rt_drtm_pcr(efi_rt_pcr_idx))
		ret = tpm_pcr_extend_locality(efi_rt_chip, efi_rt_pcr_idx,
					      digests, EFI_RT_DRTM_LOCALITY);
	else
		ret = tpm_pcr_extend(efi_rt_chip, efi_rt_pcr_idx, digests);
	if (ret) {
		pr_err("TPM extend of PCR %u failed: %d\n", efi_rt_pcr_idx, ret);
		ret = ret == -ENODEV ? -ENODEV : -EIO;
		goto out_unlock;
	}

	efi_rt_event2_write(efi_rt_log + efi_rt_log_len, efi_rt_pcr_idx,
			    EFI_RT_EV_EVENT_TAG, efi_rt_banks, efi_rt_nr_banks,
			    digests, ev, ev_size);
	if (drtm) {
		efi_rt_event2_write(drtm_rec->data, efi_rt_pcr_idx,
				    EFI_RT_EV_EVENT_TAG, drtm_rec->banks,
				    drtm_rec->nr, drtm_rec->digests, ev, ev_size);
		if (slaunch_eventlog_append(drtm_rec->data, drtm_rec->size))
			pr_err("DRTM event log append failed after the extend\n");
	}
	efi_rt_log_len += rec_size;
	rec->pcr = efi_rt_pcr_idx;
	rec->alg = efi_rt_bank_algo[efi_rt_ascii_bank];
	memcpy(rec->digest, digests[efi_rt_ascii_bank].digest,
	       efi_rt_banks[efi_rt_ascii_bank].digest_size);
	memcpy(rec->text, text, text_len);
	list_add_tail(&rec->list, &efi_rt_records);
	rec = NULL;
out_unlock:
	if (drtm)
		slaunch_eventlog_unlock();
out:
	kfree(drtm_rec);
	kfree(rec);
	kfree(ev);
	return ret;
}

static void efi_rt_report(const char *op, int ret)
{
	pr_notice("%s by pid %d (%s) uid %u: PCR %u %s, runtime services %s\n",
		  op, task_pid_nr(current), current->comm,
		  from_kuid(&init_user_ns, current_uid()), efi_rt_pcr_idx,
		  ret ? "not extended" : "extended",
		  efi_rt_state_names[efi_rt_gate_state()]);
	if (ret)
		pr_notice("%s failed: %d\n", op, ret);
}

/**
 * efi_rt_request() - measured unlock or relock
 * @unlock: true to enable runtime services, false to withhold them again
 *
 * Unlock measures first and enables runtime services only after the TPM
 * accepted the extend.  Relock closes the gate first, then measures; if
 * that extend fails the gate stays closed, no record is added and the
 * error is returned.  Either is a no-op without a record when the gate is
 * already in the requested state.
 *
 * Return: 0 on success, -EOPNOTSUPP if runtime services are disabled on
 * this boot or the gate is not available, -ENODEV without a usable TPM,
 * -EIO if the TPM refused the extend, another negative errno otherwise.
 */
int efi_rt_request(bool unlock)
{
	const char *op = unlock ? "unlock" : "relock";
	enum efi_rt_gate_state state;
	char text[EFI_RT_EVENT_TEXT_MAX + 1];
	int ret;

	guard(mutex)(&efi_rt_mutex);

	state = efi_rt_gate_state();
	if (state == EFI_RT_GATE_DISABLED)
		return -EOPNOTSUPP;
	if (state == (unlock ? EFI_RT_GATE_UNLOCKED : EFI_RT_GATE_LOCKED))
		return 0;

	if (!unlock) {
		ret = efi_rt_gate_close();
		if (ret)
			return ret;
	}

	snprintf(text, sizeof(text),
		 "efi_rt_gate %s: runtime services %s (securityfs)",
		 op, unlock ? "enabled" : "withheld");
	ret = efi_rt_measure(text);
	if (!ret && unlock)
		ret = efi_rt_gate_open();
	efi_rt_report(op, ret);
	return ret;
}

/**
 * efi_rt_show_binary() - seq_file show of binary_measurements
 * @m: the seq_file
 * @v: unused
 *
 * Return: 0.
 */
int efi_rt_show_binary(struct seq_file *m, void *v)
{
	guard(mutex)(&efi_rt_mutex);
	seq_write(m, efi_rt_log, efi_rt_log_len);
	return 0;
}

/**
 * efi_rt_show_ascii() - seq_file show of ascii_measurements
 * @m: the seq_file
 * @v: unused
 *
 * One line per measured record: PCR, digest (sha256 if the TPM has that
 * bank), event type and what happened.
 *
 * Return: 0.
 */
int efi_rt_show_ascii(struct seq_file *m, void *v)
{
	struct efi_rt_record *rec;

	guard(mutex)(&efi_rt_mutex);
	list_for_each_entry(rec, &efi_rt_records, list)
		seq_printf(m, "%u %s:%*phN EV_EVENT_TAG %s\n", rec->pcr,
			   hash_algo_name[rec->alg],
			   hash_digest_size[rec->alg], rec->digest, rec->text);
	return 0;
}

/* Take the TPM's banks, their hashes and write the log header. */
static int __init efi_rt_setup_banks(struct tpm_chip *chip)
{
	unsigned int i, n = chip->nr_allocated_banks;
	struct crypto_shash *tfm;
	enum hash_algo algo;

	efi_rt_log = kmalloc(efi_rt_specid_size(n), GFP_KERNEL);
	if (!efi_rt_log)
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		efi_rt_banks[i].alg_id = chip->allocated_banks[i].alg_id;
		efi_rt_banks[i].digest_size =
			chip->allocated_banks[i].digest_size;
		algo = chip->allocated_banks[i].crypto_id;
		efi_rt_bank_algo[i] = algo;
		if (algo == HASH_ALGO_SHA256)
			efi_rt_ascii_bank = i;
		if (algo == HASH_ALGO__LAST) {
			pr_warn("no kernel hash for PCR bank 0x%04x: measurements will fail\n",
				efi_rt_banks[i].alg_id);
			continue;
		}
		tfm = crypto_alloc_shash(hash_algo_name[algo], 0, 0);
		if (IS_ERR(tfm)) {
			pr_warn("%s for PCR bank 0x%04x: %pe; measurements will fail\n",
				hash_algo_name[algo], efi_rt_banks[i].alg_id, tfm);
			continue;
		}
		efi_rt_tfm[i] = tfm;
	}
	efi_rt_nr_banks = n;
	efi_rt_log_len = efi_rt_specid_write(efi_rt_log, efi_rt_banks, n);
	return 0;
}

static struct tpm_chip *__init efi_rt_get_chip(void)
{
	struct tpm_chip *chip = tpm_default_chip();
	const char *why;

	if (!chip) {
		pr_warn("no TPM: the state at boot is not measured, and unlocking will fail\n");
		return NULL;
	}
	if (chip->flags & TPM_CHIP_FLAG_VIRTUAL)
		why = "a virtual (proxy) TPM is refused";
	else if (!(chip->flags & TPM_CHIP_FLAG_TPM2))
		why = "TPM 1.2 is not supported";
	else if (efi_rt_setup_banks(chip))
		why = "out of memory";
	else
		return chip;
	pr_warn("%s; the state at boot is not measured, and unlocking will fail\n",
		why);
	put_device(&chip->dev);
	return NULL;
}

static int __init efi_rt_gate_init(void)
{
	enum efi_rt_gate_state state = efi_rt_gate_state();
	char text[EFI_RT_EVENT_TEXT_MAX + 1];
	int ret;

	efi_rt_pcr_idx = efi_rt_select_pcr();

	mutex_lock(&efi_rt_mutex);
	efi_rt_chip = efi_rt_get_chip();
	if (efi_rt_chip) {
		snprintf(text, sizeof(text),
			 "efi_rt_gate boot: runtime services %s (%s)",
			 efi_rt_state_names[state], efi_rt_gate_boot_reason());
		ret = efi_rt_measure(text);
		if (ret) {
			/* A log without its boot record must not grow. */
			pr_err("boot state not measured: %d; unlocking will fail\n",
			       ret);
			put_device(&efi_rt_chip->dev);
			efi_rt_chip = NULL;
		}
	}
	mutex_unlock(&efi_rt_mutex);

	pr_info("runtime services %s (%s), PCR %u\n", efi_rt_state_names[state],
		efi_rt_gate_boot_reason(), efi_rt_pcr_idx);

	return efi_rt_fs_init();
}
late_initcall(efi_rt_gate_init);

/**
 * efi_rt_state_name() - name of the gate's current state
 *
 * Return: "locked", "unlocked" or "disabled".
 */
const char *efi_rt_state_name(void)
{
	return efi_rt_state_names[efi_rt_gate_state()];
}

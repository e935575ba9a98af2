// SPDX-License-Identifier: GPL-2.0
/*
 * Measured transitions of the EFI runtime gate.
 *
 * The boot policy is measured by the EFI stub into the firmware's own log
 * (PCR 9).  The kernel measures only what changes the posture after that:
 * each unlock and relock and, after a secure launch, the state at boot
 * (into the DRTM PCR and the DRTM event log, which the firmware's log does
 * not describe).  A boot where nobody unlocks thus leaves every static PCR
 * exactly as the firmware's log describes it.
 *
 * Every measurement is extended into the PCR and appended to the gate's
 * log (and, after a secure launch, to the DRTM log) under one mutex, so
 * the logs always replay the PCR: a record exists if and only if the TPM
 * extended it.  The extend runs in a work item, where no signal to the
 * writer reaches the TPM driver, through tpm_pcr_extend_checked(): the TPM
 * core holds the chip across reading the PCR, extending it and, when the
 * answer is lost after the command went out (a timeout, a broken or
 * forged response), reading it back in every bank (authenticated when the
 * extend was), so no other extender comes in between and the outcome is
 * known or the gate stops measuring.  Unlocking fails closed: without a
 * TPM, or when the TPM did not extend, runtime services stay withheld.
 */

#define pr_fmt(fmt) "efi_rt_gate: " fmt

#include <crypto/hash.h>
#include <crypto/hash_info.h>
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/efi_rt_gate.h>
#include <linux/efi_var_snapshot.h>
#include <linux/fault-inject.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/slaunch.h>
#include <linux/tpm.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/unaligned.h>

#include <crypto/sha2.h>

#include "efi_rt_gate.h"

/**
 * struct rtgate_record - one record of the gate's event log
 * @list: entry in rtgate_records (RCU, never removed)
 * @seq: the gate event's sequence number
 * @pcr: the PCR it was extended into
 * @op: the gate event's operation, 0 for the log's Spec ID header (which
 *	ascii_measurements does not show)
 * @before: state before
 * @after: state after
 * @flags: the gate event's flags
 * @reason: the gate event's reason
 * @nr_digests: number of typed digests in the gate event
 * @alg: hash algorithm of the digest ascii_measurements shows
 * @digest_off: offset of that digest in @bin
 * @ev_off: offset of the gate event in @bin
 * @text_len: length of the gate event's text, which ends @bin
 * @size: size of @bin
 * @bin: the packed record as in binary_measurements
 */
struct rtgate_record {
	struct list_head list;
	u32 seq;
	u32 pcr;
	u8 op;
	u8 before;
	u8 after;
	u8 flags;
	u16 reason;
	u16 nr_digests;
	u8 alg;
	u16 digest_off;
	u16 ev_off;
	u16 text_len;
	u16 size;
	u8 bin[];
};

/*
 * Serialises measurements, the logs and the gate's transitions.  Readers
 * of the log do not take it: they walk the RCU list.
 */
static DEFINE_MUTEX(rtgate_mutex);
/* The gate's transitions, claimed once at boot: this is their one user */
static const struct efi_gate_ops *rtgate_ops __ro_after_init;
static struct tpm_chip *rtgate_chip;
static unsigned int rtgate_pcr_idx;
static unsigned int rtgate_nr_banks;
static struct rtgate_bank rtgate_banks[TPM2_MAX_PCR_BANKS];
static enum hash_algo rtgate_bank_algo[TPM2_MAX_PCR_BANKS];
static struct crypto_shash *rtgate_tfm[TPM2_MAX_PCR_BANKS];
static unsigned int rtgate_ascii_bank;

static LIST_HEAD(rtgate_records);
static unsigned int rtgate_nr_records;
static u32 rtgate_seq;
/* After a secure launch: the state at boot still has to be measured. */
static bool rtgate_boot_pending;
/* A PCR may hold an event no log describes: no more measurements. */
static bool rtgate_log_broken;

static unsigned int log_max_records = 16384;
module_param(log_max_records, uint, 0444);
MODULE_PARM_DESC(log_max_records,
		 "Records the gate's event log holds at most (default 16384)");

#ifdef CONFIG_EFI_RT_GATE_FAULT_INJECTION
/*
 * fail_efi_rt_gate_init=: the securityfs interface cannot be created at
 * boot (the command line only: it is asked before debugfs could be).
 */
static DECLARE_FAULT_ATTR(fail_init);

static int __init fail_init_setup(char *str)
{
	return setup_fault_attr(&fail_init, str);
}
__setup("fail_efi_rt_gate_init=", fail_init_setup);

static bool __init rtgate_fail_init(void)
{
	return should_fail(&fail_init, 1);
}
#else
static bool __init rtgate_fail_init(void)
{
	return false;
}
#endif

static const char *const rtgate_state_names[] = {
	[EFI_GATE_DISABLED] = "disabled",
	[EFI_GATE_LOCKED] = "locked",
	[EFI_GATE_UNLOCKED] = "unlocked",
};

static const char *const rtgate_op_names[] = {
	[EFI_GATE_OP_POLICY] = "policy",
	[EFI_GATE_OP_BOOT] = "boot",
	[EFI_GATE_OP_UNLOCK] = "unlock",
	[EFI_GATE_OP_RELOCK] = "relock",
};

static const char *rtgate_ev_state_name(u8 state)
{
	if (state < ARRAY_SIZE(rtgate_state_names))
		return rtgate_state_names[state];
	return "none";
}

/**
 * rtgate_pcr() - the PCR the gate extends on this boot
 *
 * Return: the PCR index.
 */
unsigned int rtgate_pcr(void)
{
	return rtgate_pcr_idx;
}

/* Can the log take one more record? */
static int rtgate_log_check(void)
{
	if (rtgate_log_broken)
		return -EIO;
	if (rtgate_nr_records >= log_max_records) {
		pr_err("the event log holds efi_rt_gate.log_max_records=%u records: no more transitions on this boot\n",
		       log_max_records);
		return -ENOSPC;
	}
	return 0;
}

static void rtgate_add_record(struct rtgate_record *rec)
{
	lockdep_assert_held(&rtgate_mutex);
	list_add_tail_rcu(&rec->list, &rtgate_records);
	rtgate_nr_records++;
}

/*
 * After a secure launch the records go to the DRTM log too, with digests
 * for exactly the banks its Spec ID header lists (the SINIT ACM or the
 * boot loader chose them); anything else would break the parsing of the
 * whole launch log.  Called with the DRTM log locked.
 */
static int rtgate_drtm_record(const struct tpm_digest *digests,
			      const u8 *ev, size_t ev_size,
			      u8 **out, size_t *out_size)
{
	u16 algs[TPM2_MAX_PCR_BANKS], sizes[TPM2_MAX_PCR_BANKS];
	struct rtgate_bank hbanks[TPM2_MAX_PCR_BANKS];
	struct tpm_digest *hdigests;
	unsigned int i, j;
	size_t size;
	int n, ret;

	n = slaunch_eventlog_algs(algs, sizes, TPM2_MAX_PCR_BANKS);
	if (n <= 0) {
		pr_err("the DRTM event log does not start with a valid Spec ID Event03 header (%d); not measuring\n",
		       n);
		return -EIO;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < rtgate_nr_banks; j++)
			if (rtgate_banks[j].alg_id == algs[i])
				break;
		if (j == rtgate_nr_banks) {
			pr_err("the DRTM event log lists bank 0x%04x, which the TPM does not have; not measuring\n",
			       algs[i]);
			return -EOPNOTSUPP;
		}
		if (rtgate_banks[j].digest_size != sizes[i]) {
			pr_err("the DRTM event log gives bank 0x%04x %u-byte digests, the TPM %u; not measuring\n",
			       algs[i], sizes[i], rtgate_banks[j].digest_size);
			return -EIO;
		}
		hbanks[i] = rtgate_banks[j];
	}

	size = rtgate_event2_size(hbanks, n, ev_size);
	if (slaunch_eventlog_space() < size) {
		pr_err("no room in the DRTM event log for %zu bytes; not measuring\n",
		       size);
		return -ENOSPC;
	}
	hdigests = kcalloc(n, sizeof(*hdigests), GFP_KERNEL);
	*out = kmalloc(size, GFP_KERNEL);
	ret = -ENOMEM;
	if (hdigests && *out) {
		for (i = 0; i < n; i++)
			for (j = 0; j < rtgate_nr_banks; j++)
				if (rtgate_banks[j].alg_id == algs[i])
					hdigests[i] = digests[j];
		*out_size = rtgate_event2_write(*out, rtgate_pcr_idx,
						RTGATE_EV_EVENT_TAG, hbanks, n,
						hdigests, ev, ev_size);
		ret = 0;
	}
	kfree(hdigests);
	return ret;
}

/**
 * struct rtgate_extend_work - one extend, done where no signal reaches it
 * @work: the work item, on the writer's stack
 * @chip: the TPM
 * @pcr: the PCR to extend
 * @digests: the event's digest in every bank
 * @ret: what tpm_pcr_extend_checked() returned
 * @unknown: whether it could not tell if the PCR moved
 */
struct rtgate_extend_work {
	struct work_struct work;
	struct tpm_chip *chip;
	unsigned int pcr;
	struct tpm_digest *digests;
	int ret;
	bool unknown;
};

static void rtgate_extend_workfn(struct work_struct *work)
{
	struct rtgate_extend_work *w =
		container_of(work, struct rtgate_extend_work, work);

	/*
	 * After a launch the kernel talks to the TPM at locality 2 (set once
	 * by the secure-launch code), where the DRTM PCRs can be extended.
	 */
	w->ret = tpm_pcr_extend_checked(w->chip, w->pcr, w->digests,
					&w->unknown);
}

/*
 * Extend the PCR and know whether it took effect.  The TPM core holds the
 * chip across reading the PCR, extending it and, when the answer is lost,
 * reading it back, so no other extender can come in between.  This runs
 * in a work item: a signal to the writer (a timeout(1), Ctrl-C, SIGKILL)
 * would make the TPM driver stop waiting after the command went out.  The
 * writer waits for it uninterruptibly; a TPM command is bounded by the
 * driver's timeouts.
 */
static int rtgate_extend(struct tpm_digest *digests)
{
	struct rtgate_extend_work w = {
		.chip = rtgate_chip, .pcr = rtgate_pcr_idx, .digests = digests,
	};

	INIT_WORK_ONSTACK(&w.work, rtgate_extend_workfn);
	queue_work(system_unbound_wq, &w.work);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);

	if (!w.ret)
		return 0;
	if (w.unknown) {
		pr_err("TPM extend of PCR %u failed (%d) and the TPM cannot tell whether it took effect: the logs may no longer replay it; no further measurements on this boot\n",
		       rtgate_pcr_idx, w.ret);
		rtgate_log_broken = true;
		return -EIO;
	}
	pr_err("TPM extend of PCR %u failed: %d; the PCR is unchanged\n",
	       rtgate_pcr_idx, w.ret);
	if (w.ret == -ENODEV || w.ret == -EPIPE)
		return -ENODEV;
	if (w.ret == -EOPNOTSUPP || w.ret == -ENOMEM || w.ret == -ETIME ||
	    w.ret == -EBUSY)
		return w.ret;
	return -EIO;
}

/*
 * Measure one event: encode it, extend it into the PCR, and append it to
 * the log (and the DRTM log).  Everything that can fail apart from the
 * extend happens before it, so that an extend that took effect is always
 * logged.
 */
static int rtgate_measure(u8 op, u8 before, u8 after, u16 reason,
			  const struct rtgate_event_digest *tdigests,
			  unsigned int nr_tdigests, const char *text)
{
	struct rtgate_event ev = {
		.op = op, .before = before, .after = after, .reason = reason,
		.seq = rtgate_seq + 1, .pcr = rtgate_pcr_idx, .text = text,
		.digests = tdigests, .nr_digests = nr_tdigests,
		.flags = op == EFI_GATE_OP_BOOT && efi_gate_kexec_boot() ?
			 EFI_GATE_EV_FLAG_KEXEC : 0,
	};
	bool drtm = rtgate_launched();
	struct tpm_digest *digests;
	size_t data_size, ev_size, drtm_size = 0;
	struct rtgate_record *rec = NULL;
	u8 *data, *tagged = NULL, *drtm_rec = NULL;
	unsigned int i;
	int ret;

	lockdep_assert_held(&rtgate_mutex);

	ret = rtgate_log_check();
	if (ret)
		return ret;

	data_size = rtgate_event_size(&ev);
	ev_size = rtgate_tagged_event_size(data_size);
	digests = kcalloc(rtgate_nr_banks, sizeof(*digests), GFP_KERNEL);
	data = kmalloc(data_size, GFP_KERNEL);
	tagged = kmalloc(ev_size, GFP_KERNEL);
	rec = kzalloc(struct_size(rec, bin,
				  rtgate_event2_size(rtgate_banks,
						     rtgate_nr_banks, ev_size)),
		      GFP_KERNEL);
	if (!digests || !data || !tagged || !rec) {
		ret = -ENOMEM;
		goto out;
	}
	rtgate_event_write(data, &ev);
	rtgate_tagged_event_write(tagged, data, data_size);

	for (i = 0; i < rtgate_nr_banks; i++) {
		digests[i].alg_id = rtgate_banks[i].alg_id;
		ret = crypto_shash_tfm_digest(rtgate_tfm[i], data, data_size,
					      digests[i].digest);
		if (ret)
			goto out;
	}

	if (drtm) {
		slaunch_eventlog_lock();
		ret = rtgate_drtm_record(digests, tagged, ev_size, &drtm_rec,
					 &drtm_size);
		if (ret)
			goto out_drtm;
	}

	ret = rtgate_extend(digests);
	if (ret)
		goto out_drtm;

	if (drtm && slaunch_eventlog_append(drtm_rec, drtm_size)) {
		/* Cannot happen: the space was checked under the same lock. */
		pr_err("appending to the DRTM event log failed: it no longer replays PCR %u\n",
		       rtgate_pcr_idx);
		rtgate_log_broken = true;
	}

	rec->size = rtgate_event2_write(rec->bin, rtgate_pcr_idx,
					RTGATE_EV_EVENT_TAG, rtgate_banks,
					rtgate_nr_banks, digests, tagged,
					ev_size);
	rec->seq = ev.seq;
	rec->pcr = ev.pcr;
	rec->op = ev.op;
	rec->before = ev.before;
	rec->after = ev.after;
	rec->flags = ev.flags;
	rec->reason = ev.reason;
	rec->nr_digests = ev.nr_digests;
	rec->alg = rtgate_bank_algo[rtgate_ascii_bank];
	/* pcrIndex, eventType, digest count, then (algorithm, digest)s */
	rec->digest_off = 3 * sizeof(u32) + sizeof(u16);
	for (i = 0; i < rtgate_ascii_bank; i++)
		rec->digest_off += sizeof(u16) + rtgate_banks[i].digest_size;
	rec->text_len = strnlen(text, EFI_GATE_EVENT_TEXT_MAX);
	/* The record ends with the event size, the tagged event and the text. */
	rec->ev_off = rec->size - ev_size + 8;
	rtgate_add_record(rec);
	rtgate_seq++;
	rec = NULL;
out_drtm:
	if (drtm)
		slaunch_eventlog_unlock();
out:
	kfree(drtm_rec);
	kfree(rec);
	kfree(tagged);
	kfree(data);
	kfree(digests);
	return ret;
}

/*
 * The state at boot where the EFI stub did not measure it: after a secure
 * launch (into the DRTM PCR and log), and on a kexec'ed kernel, whose
 * policy is measured here before it may open the gate.  If the kernel
 * holds a validated variable snapshot, the record carries the digest of
 * the variables the keyrings trust, as served from it.
 */
static int rtgate_measure_boot(void)
{
	enum efi_gate_reason reason = efi_gate_boot_reason();
	/* What the boot started in, not what a fault or resume made of it */
	enum efi_gate_state state = efi_gate_boot_state();
	char text[EFI_GATE_EVENT_TEXT_MAX + 1];
	u8 vars_digest[SHA256_DIGEST_SIZE];
	struct rtgate_event_digest d = {
		.type = EFI_GATE_DIGEST_TRUSTED_VARS, .alg_id = TPM_ALG_SHA256,
		.size = sizeof(vars_digest), .data = vars_digest,
	};
	const struct efi_var_snapshot_var *vars;
	unsigned int nr_vars;
	bool open;
	int ret;

	vars = efi_var_snapshot_vars(&nr_vars);
	if (vars) {
		ret = rtgate_trusted_vars_digest(vars, nr_vars, vars_digest);
		pr_info("boot record: %d trusted variables in the snapshot, sha256 %*phN\n",
			ret, (int)sizeof(vars_digest), vars_digest);
	}

	open = efi_gate_open_when_measured() && efi_gate_can_open();
	if (open)
		state = EFI_GATE_UNLOCKED;
	snprintf(text, sizeof(text), "efi_rt_gate boot%s: runtime services %s",
		 efi_gate_kexec_boot() ? " (kexec)" : "",
		 rtgate_state_names[state]);
	ret = rtgate_measure(EFI_GATE_OP_BOOT, EFI_GATE_EV_STATE_NONE,
			     state, reason, vars ? &d : NULL, !!vars, text);
	if (ret) {
		pr_err("state at boot not measured: %d; unlocking waits until it is\n",
		       ret);
		return ret;
	}
	rtgate_boot_pending = false;
	if (!open)
		return 0;
	ret = rtgate_ops->open();
	if (ret)
		pr_err("the measured policy did not take effect: %d; runtime services %s\n",
		       ret, rtgate_state_name());
	return 0;
}

/* Take the TPM's banks and their hashes, and start the log. */
static int rtgate_setup_banks(struct tpm_chip *chip)
{
	unsigned int i, n = chip->nr_allocated_banks;
	struct crypto_shash *tfm;
	struct rtgate_record *hdr;
	enum hash_algo algo;
	int ret = 0;

	if (!n) {
		pr_err("the TPM reports no allocated PCR bank; nothing can be measured\n");
		return -EOPNOTSUPP;
	}
	for (i = 0; i < n; i++) {
		rtgate_banks[i].alg_id = chip->allocated_banks[i].alg_id;
		rtgate_banks[i].digest_size =
			chip->allocated_banks[i].digest_size;
		algo = chip->allocated_banks[i].crypto_id;
		rtgate_bank_algo[i] = algo;
		if (algo == HASH_ALGO__LAST) {
			pr_err("PCR bank 0x%04x has no kernel hash (supported: sha1, sha256, sha384, sha512); nothing can be measured\n",
			       rtgate_banks[i].alg_id);
			ret = -EOPNOTSUPP;
			goto err;
		}
		tfm = crypto_alloc_shash(hash_algo_name[algo], 0, 0);
		if (IS_ERR(tfm)) {
			pr_err("%s for PCR bank 0x%04x: %pe; nothing can be measured\n",
			       hash_algo_name[algo], rtgate_banks[i].alg_id, tfm);
			ret = -EOPNOTSUPP;
			goto err;
		}
		rtgate_tfm[i] = tfm;
	}

	rtgate_ascii_bank = 0;
	for (i = 0; i < n; i++)
		if (rtgate_bank_algo[i] == HASH_ALGO_SHA256)
			rtgate_ascii_bank = i;

	hdr = kzalloc(struct_size(hdr, bin, rtgate_specid_size(n)),
		      GFP_KERNEL);
	if (!hdr) {
		ret = -ENOMEM;
		goto err;
	}
	hdr->size = rtgate_specid_write(hdr->bin, rtgate_banks, n);
	rtgate_nr_banks = n;
	/* The header is not a measurement: it does not count. */
	list_add_tail_rcu(&hdr->list, &rtgate_records);
	return 0;
err:
	for (i = 0; i < n; i++) {
		crypto_free_shash(rtgate_tfm[i]);
		rtgate_tfm[i] = NULL;
	}
	return ret;
}

/*
 * Find the TPM on first use: its driver may probe after the gate started
 * (deferred probe, a module).  Once found, it is kept for the boot.
 */
static int rtgate_get_chip(void)
{
	struct tpm_chip *chip;
	int ret;

	lockdep_assert_held(&rtgate_mutex);

	if (rtgate_chip)
		return 0;
	chip = tpm_default_chip();
	if (!chip)
		return -ENODEV;
	if (chip->flags & TPM_CHIP_FLAG_VIRTUAL) {
		pr_err("a virtual (proxy) TPM is refused\n");
		ret = -ENODEV;
	} else if (!(chip->flags & TPM_CHIP_FLAG_TPM2)) {
		pr_err("TPM 1.2 is not supported\n");
		ret = -ENODEV;
	} else {
		/* The banks are fixed once the log has its header. */
		ret = rtgate_nr_banks ? 0 : rtgate_setup_banks(chip);
	}
	if (ret) {
		put_device(&chip->dev);
		return ret;
	}
	rtgate_chip = chip;
	return 0;
}

/*
 * One AUDIT_INTEGRITY_EFI_RT record per attempt, fields in this order
 * (Documentation/ABI/testing/securityfs-efi-rt-gate): pid uid auid ses
 * subj op old_state new_state pcr comm res errno.  subj= comes from
 * audit_log_task_context(), so only when an LSM labels tasks.
 */
static void rtgate_audit(int op, enum efi_gate_state old,
			 enum efi_gate_state new, int ret)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL,
			     AUDIT_INTEGRITY_EFI_RT);
	if (!ab)
		return;
	audit_log_format(ab, "pid=%d uid=%u auid=%u ses=%u",
			 task_pid_nr(current),
			 from_kuid(&init_user_ns, current_uid()),
			 from_kuid(&init_user_ns, audit_get_loginuid(current)),
			 audit_get_sessionid(current));
	audit_log_task_context(ab);
	audit_log_format(ab, " op=%s old_state=%s new_state=%s pcr=%u comm=",
			 rtgate_op_names[op], rtgate_state_names[old],
			 rtgate_state_names[new], rtgate_pcr_idx);
	audit_log_untrustedstring(ab, current->comm);
	audit_log_format(ab, " res=%d errno=%d", !ret, ret);
	audit_log_end(ab);
}

/* The TPM, and after a secure launch the boot record, before a transition */
static int rtgate_prepare(void)
{
	int ret = rtgate_get_chip();

	if (ret == -ENODEV)
		pr_err("no usable TPM: the transition cannot be measured\n");
	if (!ret && rtgate_boot_pending)
		ret = rtgate_measure_boot();
	return ret;
}

/*
 * Unlock: measure, then open.  On a boot that started locked the first
 * open runs SetVirtualAddressMap(); the unlock event then carries the
 * digest of the runtime-services code that is about to run, and if
 * SetVirtualAddressMap() fails, a second record says that runtime
 * services are disabled for the boot.
 */
static int rtgate_unlock(enum efi_gate_state state)
{
	static const char svam_failed_text[] =
		"efi_rt_gate unlock: SetVirtualAddressMap failed, runtime services disabled";
	u8 rtcode[SHA256_DIGEST_SIZE];
	struct rtgate_event_digest d = {
		.type = EFI_GATE_DIGEST_RT_CODE, .alg_id = TPM_ALG_SHA256,
		.size = sizeof(rtcode), .data = rtcode,
	};
	bool svam = efi_gate_svam_deferred();
	int ret;

	ret = rtgate_prepare();
	if (ret)
		return ret;
	/* A kexec'ed kernel's policy, measured just now, may have opened. */
	if (efi_gate_state() == EFI_GATE_UNLOCKED)
		return 0;
	if (svam) {
		ret = rtgate_code_digest(rtcode);
		if (ret)
			return ret;
	}
	ret = rtgate_measure(EFI_GATE_OP_UNLOCK, state, EFI_GATE_UNLOCKED,
			     EFI_GATE_REASON_REQUEST, svam ? &d : NULL, svam,
			     "efi_rt_gate unlock: runtime services enabled");
	if (ret)
		return ret;
	ret = rtgate_ops->open();
	if (!ret)
		return 0;
	pr_err("measured unlock did not take effect: %d\n", ret);
	if (efi_gate_state() != EFI_GATE_DISABLED)
		return ret;
	if (rtgate_measure(EFI_GATE_OP_UNLOCK, EFI_GATE_UNLOCKED,
			   EFI_GATE_DISABLED, EFI_GATE_REASON_SVAM_FAILED,
			   NULL, 0, svam_failed_text))
		pr_err("the failed SetVirtualAddressMap() could not be measured\n");
	return ret;
}

static int rtgate_transition(bool unlock)
{
	u8 op = unlock ? EFI_GATE_OP_UNLOCK : EFI_GATE_OP_RELOCK;
	enum efi_gate_state state = efi_gate_state(), after;
	int ret, err;

	/* After a firmware fault, a relock still ends the unlock. */
	if (state == EFI_GATE_DISABLED &&
	    (unlock || !efi_gate_can_close()))
		return -EOPNOTSUPP;
	if (state == (unlock ? EFI_GATE_UNLOCKED : EFI_GATE_LOCKED))
		return 0;
	if (unlock && !efi_gate_can_open())
		return -EOPNOTSUPP;

	if (unlock)
		return rtgate_unlock(state);

	/*
	 * Close first: a relock takes effect even if it cannot be measured,
	 * also when the log is full or broken (then without a record, and
	 * the write fails with that error): withholding is always safe.
	 */
	err = rtgate_log_check();
	ret = rtgate_ops->close();
	if (ret)
		return ret;
	if (err)
		return err;
	ret = rtgate_prepare();
	if (ret)
		return ret;
	after = efi_gate_state();
	return rtgate_measure(op, state, after,
			      after == EFI_GATE_DISABLED ?
			      EFI_GATE_REASON_FAULT :
			      EFI_GATE_REASON_REQUEST, NULL, 0,
			      "efi_rt_gate relock: runtime services withheld");
}

/**
 * rtgate_request() - measured unlock or relock
 * @unlock: true to enable runtime services, false to withhold them again
 *
 * Unlock checks that the late enable can succeed, measures, and enables
 * runtime services only after the TPM extended the PCR.  Relock closes
 * the gate first, then measures; if the log is full or stopped, or the
 * extend fails, the gate stays closed, no record is added and the error
 * is returned.  Either is a
 * no-op without a record when the gate is already in the requested state.
 * Every attempt is audited.
 *
 * Return: 0 on success; -EINTR if killed while waiting for another
 * transition; -EOPNOTSUPP if runtime services are disabled on this boot,
 * the gate is not available or the TPM's banks cannot be measured;
 * -ENODEV without a usable TPM; -EIO if the TPM did not extend the PCR;
 * -ETIME if the TPM's answer was lost and the PCR shows it did not
 * extend; -ENOSPC if the log is full; -EBUSY if a relock is refused
 * before anything changed (a capsule update is pending); -ENOMEM.
 */
int rtgate_request(bool unlock)
{
	enum efi_gate_state old;
	int ret;

	ret = mutex_lock_killable(&rtgate_mutex);
	if (ret)
		return ret;
	old = efi_gate_state();
	ret = rtgate_transition(unlock);
	rtgate_audit(unlock ? EFI_GATE_OP_UNLOCK : EFI_GATE_OP_RELOCK,
		     old, efi_gate_state(), ret);
	if (ret)
		pr_notice("%s by pid %d failed (%d): runtime services %s\n",
			  unlock ? "unlock" : "relock", task_pid_nr(current),
			  ret, rtgate_state_name());
	else if (old != efi_gate_state())
		pr_notice("%s by pid %d: PCR %u extended, runtime services %s\n",
			  unlock ? "unlock" : "relock", task_pid_nr(current),
			  rtgate_pcr_idx, rtgate_state_name());
	mutex_unlock(&rtgate_mutex);
	return ret;
}

static void *rtgate_seq_start(struct seq_file *m, loff_t *pos)
	__acquires(RCU)
{
	struct rtgate_record *rec;
	loff_t l = *pos;

	rcu_read_lock();
	list_for_each_entry_rcu(rec, &rtgate_records, list)
		if (!l--)
			return rec;
	return NULL;
}

static void *rtgate_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct rtgate_record *rec = v;

	(*pos)++;
	return list_next_or_null_rcu(&rtgate_records, &rec->list,
				     struct rtgate_record, list);
}

static void rtgate_seq_stop(struct seq_file *m, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int rtgate_seq_show_binary(struct seq_file *m, void *v)
{
	struct rtgate_record *rec = v;

	seq_write(m, rec->bin, rec->size);
	return 0;
}

static const char *rtgate_digest_type_name(u16 type)
{
	switch (type) {
	case EFI_GATE_DIGEST_RT_CODE:
		return "rtcode";
	case EFI_GATE_DIGEST_TRUSTED_VARS:
		return "trustedvars";
	default:
		return "unknown";
	}
}

static int rtgate_seq_show_ascii(struct seq_file *m, void *v)
{
	struct rtgate_record *rec = v;
	const u8 *p;
	unsigned int i;

	if (!rec->op)
		return 0;	/* the Spec ID header */
	seq_printf(m, "%u %s:%*phN EV_EVENT_TAG v%u seq=%u op=%s before=%s after=%s flags=0x%02x reason=%u digests=%u",
		   rec->pcr, hash_algo_name[rec->alg],
		   hash_digest_size[rec->alg], rec->bin + rec->digest_off,
		   EFI_GATE_EVENT_VERSION, rec->seq, rtgate_op_names[rec->op],
		   rtgate_ev_state_name(rec->before),
		   rtgate_ev_state_name(rec->after), rec->flags, rec->reason,
		   rec->nr_digests);
	/* The typed digests: type, TPM_ALG_ID, size, digest */
	p = rec->bin + rec->ev_off + EFI_GATE_EVENT_HDR_SIZE;
	for (i = 0; i < rec->nr_digests; i++) {
		seq_printf(m, " %s:%s:%*phN",
			   rtgate_digest_type_name(get_unaligned_le16(p)),
			   get_unaligned_le16(p + 2) == TPM_ALG_SHA256 ?
			   "sha256" : "unknown", get_unaligned_le16(p + 4),
			   p + 6);
		p += 6 + get_unaligned_le16(p + 4);
	}
	seq_printf(m, " %.*s\n", rec->text_len,
		   rec->bin + rec->size - rec->text_len);
	return 0;
}

const struct seq_operations rtgate_binary_seqops = {
	.start = rtgate_seq_start,
	.next = rtgate_seq_next,
	.stop = rtgate_seq_stop,
	.show = rtgate_seq_show_binary,
};

const struct seq_operations rtgate_ascii_seqops = {
	.start = rtgate_seq_start,
	.next = rtgate_seq_next,
	.stop = rtgate_seq_stop,
	.show = rtgate_seq_show_ascii,
};

/*
 * A TPM whose driver probes after the gate (a module, a deferred probe):
 * measure the boot record as the chip appears, not at the first
 * transition, so that a boot on which nobody unlocks has one too.
 */
static void rtgate_late_chip_workfn(struct work_struct *work)
{
	guard(mutex)(&rtgate_mutex);

	if (rtgate_boot_pending && !rtgate_get_chip() &&
	    !rtgate_measure_boot())
		pr_info("boot record measured as the TPM appeared\n");
}

static DECLARE_WORK(rtgate_late_chip_work, rtgate_late_chip_workfn);

static int rtgate_chip_event(struct notifier_block *nb, unsigned long event,
			     void *data)
{
	if (event == TPM_CHIP_REGISTERED)
		schedule_work(&rtgate_late_chip_work);
	return NOTIFY_DONE;
}

static struct notifier_block rtgate_chip_nb = {
	.notifier_call = rtgate_chip_event,
};

static int __init rtgate_init(void)
{
	enum efi_gate_state state = efi_gate_state();
	int ret;

	rtgate_ops = efi_gate_claim();
	if (!rtgate_ops) {
		pr_err("the gate's transitions were claimed by other code: no measured unlock\n");
		efi_gate_abandon();
		return -EBUSY;
	}
	rtgate_pcr_idx = rtgate_select_pcr();

	mutex_lock(&rtgate_mutex);
	rtgate_boot_pending = rtgate_launched() || efi_gate_kexec_boot();
	if (!rtgate_get_chip()) {
		if (rtgate_boot_pending)
			rtgate_measure_boot();
	} else if (rtgate_boot_pending) {
		pr_info("no TPM yet: the boot record is measured when it appears\n");
		tpm_chip_notifier_register(&rtgate_chip_nb);
		/* A chip registered meanwhile was not announced. */
		schedule_work(&rtgate_late_chip_work);
	} else {
		pr_info("no TPM yet: it is looked up again when first needed\n");
	}
	mutex_unlock(&rtgate_mutex);

	pr_info("runtime services %s (%s), PCR %u\n", rtgate_state_names[state],
		efi_gate_reason_name(efi_gate_boot_reason()),
		rtgate_pcr_idx);

	ret = rtgate_fail_init() ? -ENOMEM : rtgate_fs_init();
	if (ret) {
		pr_err("no securityfs interface (%d): no measured unlock\n", ret);
		efi_gate_abandon();
	}
	return ret;
}
late_initcall(rtgate_init);

/**
 * rtgate_state_name() - name of the gate's current state
 *
 * Return: "locked", "unlocked" or "disabled".
 */
const char *rtgate_state_name(void)
{
	return rtgate_state_names[efi_gate_state()];
}

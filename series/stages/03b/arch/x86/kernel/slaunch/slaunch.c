// SPDX-License-Identifier: GPL-2.0
/*
 * Secure Launch detection for Intel TXT.
 *
 * The Secure Launch entry code sets SLAUNCH_FLAG in boot_params.hdr
 * .loadflags once the kernel was entered through the measured launch.
 * A bootloader could set that bit on its own, so it is only a hint: the
 * launch is real when the CPU has SMX, TXT.STS says SENTER is done and no
 * SEXIT happened, and the TXT device ID names Intel.  Those are the checks
 * of the Secure Launch series' slaunch_setup(), whose interface this file
 * provides until that series is merged.  A machine without TXT registers
 * (they read all-ones) was not launched, whatever the loader flag says:
 * a warning, not a panic.  After a launch the kernel talks to the TPM at
 * locality 2 (tpm_chip_set_locality()), as the series' late module does.
 *
 * It also gives the kernel access to the DRTM event log the bootloader
 * described in the TXT heap: the log's own Spec ID header says which
 * digests every record must carry, and the heap element says where the
 * next record goes; both are read afresh on every use, under one mutex
 * that a measuring caller holds across its PCR extend.
 */

#define pr_fmt(fmt) "slaunch: " fmt

#include <kunit/visibility.h>
#include <linux/cpufeature.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/memblock.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/sizes.h>
#include <linux/slaunch.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/tpm.h>
#include <linux/tpm_eventlog.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>

#include <crypto/sha1.h>
#include <crypto/sha2.h>
#include <crypto/sm3.h>

#include <asm/bootparam.h>
#include <asm/e820/api.h>
#include <asm/early_ioremap.h>
#include <asm/setup.h>

#include "slaunch.h"

/* TXT configuration register spaces and the registers read here */
#define TXT_PRIV_CONFIG_REGS_BASE	0xfed20000
#define TXT_PUB_CONFIG_REGS_BASE	0xfed30000
#define TXT_CR_STS			0x0000
#define TXT_CR_DIDVID			0x0110
#define TXT_CR_HEAP_BASE		0x0300
#define TXT_CR_HEAP_SIZE		0x0308
#define TXT_SENTER_DONE_STS		BIT(0)
#define TXT_SEXIT_DONE_STS		BIT(1)
#define TXT_VENDOR_INTEL		0x8086
/* The locality a DRTM launch hands to the kernel */
#define SL_TPM_LOCALITY			2

static u32 sl_flags __ro_after_init;
static u64 sl_heap_base __ro_after_init;
static u64 sl_heap_size __ro_after_init;

/* The DRTM event log as found at boot: where, how big */
static u64 sl_log_base __ro_after_init;
static u32 sl_log_size __ro_after_init;
static u64 sl_log_ptr_off __ro_after_init;

/*
 * The mapped log and its pointer element in the mapped heap.  The next
 * record offset is only ever read from (and written to) the element.
 */
static DEFINE_MUTEX(sl_evt_log_mutex);
static struct txt_heap_event_log_pointer2_1 *sl_log_ptr;
static u8 *sl_log;

/**
 * slaunch_get_flags() - the Secure Launch state flags
 *
 * Return: SL_FLAG_* bits; 0 when the kernel was not securely launched.
 */
u32 slaunch_get_flags(void)
{
	return sl_flags;
}
EXPORT_SYMBOL_GPL(slaunch_get_flags);

static u64 __init txt_read(unsigned long base, unsigned long reg)
{
	void __iomem *regs;
	u64 val;

	regs = early_ioremap(base + reg, sizeof(u64));
	if (!regs)
		return ~0ULL;
	val = readq(regs);
	early_iounmap(regs, sizeof(u64));
	return val;
}

/**
 * txt_heap_find_log() - find the TPM 2.0 event log pointer in a TXT heap
 * @heap: the mapped TXT heap
 * @heap_size: its size
 *
 * Walks BiosData and OsMleData to OsSinitData and its extended data
 * elements, checking every size against the heap and the table, since
 * the heap is written by the bootloader.
 *
 * Return: the HEAP_EVENT_LOG_POINTER_ELEMENT2_1 data inside @heap, or
 * %NULL if the heap is malformed or has none.
 */
VISIBLE_IF_KUNIT struct txt_heap_event_log_pointer2_1 *
txt_heap_find_log(u8 *heap, u64 heap_size)
{
	struct txt_heap_ext_data_element *e;
	u64 off = 0, size, end;
	u32 type, esize;
	int i;

	for (i = 0; i <= TXT_OS_SINIT_DATA_TABLE; i++) {
		if (heap_size - off < sizeof(u64))
			return NULL;
		size = get_unaligned((u64 *)(heap + off));
		if (size < sizeof(u64) || size > heap_size - off)
			return NULL;
		if (i < TXT_OS_SINIT_DATA_TABLE)
			off += size;
	}
	/* off: OsSinitData's size field; size: its size */
	if (size < sizeof(u64) + TXT_OS_SINIT_DATA_FIXED_SIZE ||
	    get_unaligned((u32 *)(heap + off + sizeof(u64))) <
	    TXT_OS_SINIT_DATA_MIN_VERSION)
		return NULL;
	end = off + size;
	off += sizeof(u64) + TXT_OS_SINIT_DATA_FIXED_SIZE;
	while (end - off >= sizeof(*e)) {
		e = (struct txt_heap_ext_data_element *)(heap + off);
		type = get_unaligned(&e->type);
		esize = get_unaligned(&e->size);
		if (type == TXT_HEAP_EXTDATA_TYPE_END)
			break;
		if (esize < sizeof(*e) || esize > end - off)
			return NULL;
		if (type == TXT_HEAP_EXTDATA_TYPE_EVENT_LOG_PTR2_1 &&
		    esize >= sizeof(*e) + sizeof(struct txt_heap_event_log_pointer2_1))
			return (struct txt_heap_event_log_pointer2_1 *)(e + 1);
		off += esize;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(txt_heap_find_log);

/**
 * slaunch_log_placement() - check where the DRTM event log lies
 * @log: the log's physical address
 * @log_size: its container size
 * @heap: the TXT heap's physical address
 * @heap_size: its size
 * @elem: the physical address of the heap's pointer element to the log
 *
 * The log may sit inside the TXT heap (the Secure Launch series allows
 * it) or outside of it, but not across its boundary, and must not wrap.
 * Inside the heap it must not cover the element that points to it: an
 * append would overwrite the log's own bounds.
 *
 * Return: 0 if the placement is valid, -EINVAL otherwise.
 */
VISIBLE_IF_KUNIT int slaunch_log_placement(u64 log, u64 log_size, u64 heap,
					   u64 heap_size, u64 elem)
{
	u64 esize = sizeof(struct txt_heap_event_log_pointer2_1);

	if (!log_size || log + log_size < log || heap + heap_size < heap)
		return -EINVAL;
	if (log >= heap && log + log_size <= heap + heap_size)
		return elem < log + log_size && log < elem + esize ? -EINVAL : 0;
	if (log < heap + heap_size && heap < log + log_size)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(slaunch_log_placement);

/* Where the log pointer in the mapped @heap says the DRTM event log is */
static int slaunch_log_locate(u8 *heap, u64 len)
{
	struct txt_heap_event_log_pointer2_1 *p;

	p = txt_heap_find_log(heap, len);
	if (!p || p->first_record_offset > p->next_record_offset ||
	    p->next_record_offset > p->allocated_event_container_size ||
	    slaunch_log_placement(p->phys_addr,
				  p->allocated_event_container_size,
				  sl_heap_base, sl_heap_size,
				  sl_heap_base + ((u8 *)p - heap))) {
		pr_err("no valid TPM 2.0 DRTM event log in the TXT heap\n");
		return -EINVAL;
	}
	sl_log_base = p->phys_addr;
	sl_log_size = p->allocated_event_container_size;
	sl_log_ptr_off = (u8 *)p - heap;
	return 0;
}

/*
 * Find the DRTM event log through the TXT heap and keep memblock away from
 * it and from the heap: the bootloader may have put them in ordinary RAM.
 */
static void __init slaunch_find_eventlog(void)
{
	u64 len = min_t(u64, sl_heap_size, SZ_128K);
	int ret = -ENOMEM;
	u8 *heap;

	/*
	 * The tables up to OsSinitData are small; a log pointer beyond the
	 * first 128K is not found, like one in a malformed heap.
	 */
	heap = early_memremap(sl_heap_base, len);
	if (heap) {
		ret = slaunch_log_locate(heap, len);
		early_memunmap(heap, len);
	}
	if (ret)
		return;
	if (e820__mapped_any(sl_heap_base, sl_heap_base + sl_heap_size,
			     E820_TYPE_RAM))
		memblock_reserve(sl_heap_base, sl_heap_size);
	if (e820__mapped_any(sl_log_base, sl_log_base + sl_log_size,
			     E820_TYPE_RAM))
		memblock_reserve(sl_log_base, sl_log_size);
}

/**
 * slaunch_txt_regs_check() - what the TXT registers say about a launch
 * @sts: TXT.STS from the public configuration space
 * @didvid: TXT.DIDVID from the private configuration space
 *
 * Return: 0 if they show a completed SENTER on Intel TXT, -ENODEV if
 * there are no TXT registers (a read gives all-ones), -EIO if they
 * contradict a launch.
 */
VISIBLE_IF_KUNIT int slaunch_txt_regs_check(u64 sts, u64 didvid)
{
	if (sts == ~0ULL || didvid == ~0ULL)
		return -ENODEV;
	if (!(sts & TXT_SENTER_DONE_STS) || (sts & TXT_SEXIT_DONE_STS))
		return -EIO;
	if ((didvid & 0xffff) != TXT_VENDOR_INTEL)
		return -EIO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(slaunch_txt_regs_check);

/**
 * slaunch_setup() - detect an Intel TXT secure launch
 *
 * Called from setup_arch() where the Secure Launch series calls it, after
 * the E820 map is final and before memblock hands out memory (the DRTM
 * event log is reserved here), and before EFI enters virtual mode, so that
 * policies depending on the launch (the EFI runtime gate) see the result.
 * A launch claimed by the loader flag but contradicted by the TXT
 * registers is fatal, as in the series: the kernel would otherwise run
 * believing it was measured when it was not.  Registers that read
 * all-ones mean there is no TXT: not a launch, a warning.
 */
void __init slaunch_setup(void)
{
	u64 sts, didvid;

	if (!(boot_params.hdr.loadflags & SLAUNCH_FLAG))
		return;

	if (!boot_cpu_has(X86_FEATURE_SMX)) {
		pr_warn("loader claims a secure launch, but the CPU has no SMX: ignored\n");
		return;
	}

	sts = txt_read(TXT_PUB_CONFIG_REGS_BASE, TXT_CR_STS);
	didvid = txt_read(TXT_PRIV_CONFIG_REGS_BASE, TXT_CR_DIDVID);
	switch (slaunch_txt_regs_check(sts, didvid)) {
	case 0:
		break;
	case -ENODEV:
		pr_warn("loader claims a secure launch, but there are no TXT registers (TXT.STS 0x%llx, TXT.DIDVID 0x%llx): not a launch\n",
			sts, didvid);
		return;
	default:
		panic("slaunch: secure launch claimed but TXT.STS is 0x%llx, TXT.DIDVID 0x%llx\n",
		      sts, didvid);
	}

	sl_heap_base = txt_read(TXT_PUB_CONFIG_REGS_BASE, TXT_CR_HEAP_BASE);
	sl_heap_size = txt_read(TXT_PUB_CONFIG_REGS_BASE, TXT_CR_HEAP_SIZE);
	sl_flags = SL_FLAG_ACTIVE | SL_FLAG_ARCH_TXT;
	pr_info("Intel TXT secure launch detected\n");
	slaunch_find_eventlog();
}

/**
 * txt_log_ptr_check() - read the DRTM log's next record offset, checked
 * @p: the HEAP_EVENT_LOG_POINTER_ELEMENT2_1 data in the TXT heap
 * @base: the log's physical address as found (and reserved) at boot
 * @size: the log's container size as found (and mapped) at boot
 * @next: set to the next record offset
 *
 * The element is the one place that says where the log ends, and other
 * code that appends to the log (the Secure Launch series' own
 * measurements) updates it there, so it is read on every use.  It must
 * still describe the buffer that was reserved and mapped at boot.
 *
 * Return: 0, or -EIO if the element no longer describes that buffer or
 * its offsets are out of bounds.
 */
VISIBLE_IF_KUNIT int
txt_log_ptr_check(const struct txt_heap_event_log_pointer2_1 *p, u64 base,
		  u32 size, u32 *next)
{
	u32 first = get_unaligned(&p->first_record_offset);
	u32 n = get_unaligned(&p->next_record_offset);

	if (get_unaligned(&p->phys_addr) != base ||
	    get_unaligned(&p->allocated_event_container_size) != size ||
	    first > n || n > size)
		return -EIO;
	*next = n;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(txt_log_ptr_check);

/* The next record offset, from the heap element; caller holds the mutex. */
static int sl_log_next_offset(u32 *next)
{
	int ret;

	lockdep_assert_held(&sl_evt_log_mutex);
	if (!sl_log)
		return -EOPNOTSUPP;
	ret = txt_log_ptr_check(sl_log_ptr, sl_log_base, sl_log_size, next);
	if (ret)
		pr_err_ratelimited("the TXT heap's DRTM log pointer no longer describes the log\n");
	return ret;
}

/* The TCG PC Client algorithms whose digest size is known here. */
static const struct tcg_efi_specid_event_algs sl_known_algs[] = {
	{ TPM_ALG_SHA1, SHA1_DIGEST_SIZE },
	{ TPM_ALG_SHA256, SHA256_DIGEST_SIZE },
	{ TPM_ALG_SHA384, SHA384_DIGEST_SIZE },
	{ TPM_ALG_SHA512, SHA512_DIGEST_SIZE },
	{ TPM_ALG_SM3_256, SM3_DIGEST_SIZE },
};

static bool sl_digest_size_ok(u16 alg, u16 size)
{
	unsigned int i;

	if (!size || size > TPM2_MAX_DIGEST_SIZE)
		return false;
	for (i = 0; i < ARRAY_SIZE(sl_known_algs); i++)
		if (sl_known_algs[i].alg_id == alg)
			return sl_known_algs[i].digest_size == size;
	return true;
}

/**
 * slaunch_specid_parse() - parse the Spec ID Event03 header of a TPM 2.0 log
 * @log: the log, from its first byte
 * @len: the bytes of @log that hold records (up to the next record offset)
 * @algs: filled with the header's TPM_ALG_IDs, in header order
 * @sizes: filled with their digest sizes
 * @max: room in @algs and @sizes
 *
 * The first record of a crypto-agile log is a TCG_PCR_EVENT (SHA-1
 * format) for PCR 0 of type EV_NO_ACTION with an all-zero digest, whose
 * event data is a TCG_EfiSpecIDEvent: the signature "Spec ID Event03",
 * platform class, version, uintnSize, numberOfAlgorithms, that many
 * (algorithmId, digestSize) pairs, vendorInfoSize and the vendor
 * information.  Every size is checked against @len and against the
 * record's own event size, which the header must fill exactly.  An
 * algorithm listed twice, a digest size of 0 or above 64 bytes, or a size
 * that does not match a known algorithm is refused too: records written
 * for such a header could not be parsed.
 *
 * Return: the number of algorithms, -EINVAL if @log does not start with a
 * valid header, -E2BIG if it lists more than @max algorithms.
 */
VISIBLE_IF_KUNIT int slaunch_specid_parse(const u8 *log, size_t len, u16 *algs,
					  u16 *sizes, unsigned int max)
{
	const struct tcg_pcr_event *ev = (const struct tcg_pcr_event *)log;
	const struct tcg_efi_specid_event_head *head;
	size_t esize, fixed = sizeof(*head) + 1;	/* + vendorInfoSize */
	u32 n, i, j;
	u16 alg, size;
	u8 vendor;

	if (len < sizeof(*ev))
		return -EINVAL;
	if (get_unaligned_le32(&ev->pcr_idx) != 0 ||
	    get_unaligned_le32(&ev->event_type) != NO_ACTION ||
	    memchr_inv(ev->digest, 0, sizeof(ev->digest)))
		return -EINVAL;
	esize = get_unaligned_le32(&ev->event_size);
	if (esize > len - sizeof(*ev) || esize < fixed)
		return -EINVAL;

	head = (const struct tcg_efi_specid_event_head *)ev->event;
	if (memcmp(head->signature, TCG_SPECID_SIG, sizeof(TCG_SPECID_SIG)))
		return -EINVAL;
	n = get_unaligned_le32(&head->num_algs);
	if (!n || n > (esize - fixed) / sizeof(head->digest_sizes[0]))
		return -EINVAL;
	vendor = *(const u8 *)&head->digest_sizes[n];
	if (esize != fixed + n * sizeof(head->digest_sizes[0]) + vendor)
		return -EINVAL;

	for (i = 0; i < n; i++) {
		alg = get_unaligned_le16(&head->digest_sizes[i].alg_id);
		size = get_unaligned_le16(&head->digest_sizes[i].digest_size);
		if (!sl_digest_size_ok(alg, size))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (get_unaligned_le16(&head->digest_sizes[j].alg_id) == alg)
				return -EINVAL;
	}
	if (n > max)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		algs[i] = get_unaligned_le16(&head->digest_sizes[i].alg_id);
		sizes[i] = get_unaligned_le16(&head->digest_sizes[i].digest_size);
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(slaunch_specid_parse);

/*
 * Append @data at the next record offset read from the TXT heap's log
 * pointer element and store the advanced offset back into the element,
 * as the Secure Launch series' tpm2_log_event() does.  Caller holds the
 * mutex.  0, -EINVAL for an empty record, -ENOSPC if it does not fit
 * (nothing is written), -EOPNOTSUPP without a log, -EIO if the element
 * was corrupted.
 */
static int sl_log_append(const void *data, size_t size)
{
	u32 next;
	int ret;

	ret = sl_log_next_offset(&next);
	if (ret)
		return ret;
	if (!size)
		return -EINVAL;
	if (size > sl_log_size - next)
		return -ENOSPC;
	/* The log does not cover the pointer element (checked at boot). */
	memcpy(sl_log + next, data, size);
	put_unaligned((u32)(next + size), &sl_log_ptr->next_record_offset);
	return 0;
}

/*
 * Beyond the Secure Launch series: kernel code that measures into a DRTM
 * PCR appends its record to the DRTM log under the log's own mutex, the
 * one the log file's writes take, held across its PCR extend.
 */

/**
 * slaunch_eventlog_lock() - take the DRTM event log's mutex
 *
 * Everything that reads the log's layout or appends to it runs under this
 * mutex: a caller that checks the header and the room left, extends a PCR
 * and then appends the record holds it across all of that, so that
 * nothing else appends in between.  May sleep.
 */
void slaunch_eventlog_lock(void)
{
	mutex_lock(&sl_evt_log_mutex);
}
EXPORT_SYMBOL_GPL(slaunch_eventlog_lock);

/**
 * slaunch_eventlog_unlock() - release the DRTM event log's mutex
 */
void slaunch_eventlog_unlock(void)
{
	mutex_unlock(&sl_evt_log_mutex);
}
EXPORT_SYMBOL_GPL(slaunch_eventlog_unlock);

/**
 * slaunch_eventlog_algs() - the algorithms of the DRTM event log's header
 * @algs: filled with the TPM_ALG_IDs listed in the header, in its order
 * @sizes: filled with their digest sizes
 * @max: room in @algs and @sizes
 *
 * Parses the log's first record now, every time: the SINIT ACM or the
 * bootloader wrote it, and every record appended to the log must carry
 * exactly these digests, in this order, or the log cannot be parsed past
 * it.  The caller holds slaunch_eventlog_lock().
 *
 * Return: the number of algorithms; -EINVAL if the log does not start
 * with a valid Spec ID Event03 header (or has none yet), -E2BIG if it
 * lists more than @max, -EOPNOTSUPP without a DRTM event log, -EIO if
 * the TXT heap's pointer to the log was corrupted.
 */
int slaunch_eventlog_algs(u16 *algs, u16 *sizes, unsigned int max)
{
	u32 next;
	int ret;

	ret = sl_log_next_offset(&next);
	if (ret)
		return ret;
	return slaunch_specid_parse(sl_log, next, algs, sizes, max);
}
EXPORT_SYMBOL_GPL(slaunch_eventlog_algs);

/**
 * slaunch_eventlog_space() - room left in the DRTM event log
 *
 * Reads the next record offset from the TXT heap's log pointer element.
 * The caller holds slaunch_eventlog_lock() until its append, so the room
 * cannot shrink in between.
 *
 * Return: the number of bytes that slaunch_eventlog_append() can still
 * take, 0 if there is no usable DRTM event log.
 */
size_t slaunch_eventlog_space(void)
{
	u32 next;

	if (sl_log_next_offset(&next))
		return 0;
	return sl_log_size - next;
}
EXPORT_SYMBOL_GPL(slaunch_eventlog_space);

/**
 * slaunch_eventlog_append() - append a record to the DRTM event log
 * @data: a complete record (or, to an empty log, its Spec ID header)
 * @size: its size
 *
 * Reads the next record offset from the TXT heap's log pointer element,
 * writes @data there and stores the advanced offset back into the
 * element, as the log file's writes do.  The record's format is the
 * caller's business: it must carry the digests slaunch_eventlog_algs()
 * lists.  The caller holds slaunch_eventlog_lock().
 *
 * Return: 0 on success, -EINVAL for an empty record, -ENOSPC if it does
 * not fit (nothing is written), -EOPNOTSUPP without a DRTM event log,
 * -EIO if the TXT heap's pointer to the log was corrupted.
 */
int slaunch_eventlog_append(const void *data, size_t size)
{
	lockdep_assert_held(&sl_evt_log_mutex);
	return sl_log_append(data, size);
}
EXPORT_SYMBOL_GPL(slaunch_eventlog_append);

/*
 * The log file behaves as the Secure Launch series' one: a read returns
 * the whole container (header, records, then the unused rest), a write
 * appends one complete record, given whole at offset 0, to a log that has
 * a Spec ID header.  The file is 0440: only root (DAC override) writes.
 */
static ssize_t sl_evtlog_read(struct file *file, char __user *buf,
			      size_t count, loff_t *ppos)
{
	ssize_t ret;

	ret = mutex_lock_killable(&sl_evt_log_mutex);
	if (ret)
		return ret;
	ret = simple_read_from_buffer(buf, count, ppos, sl_log, sl_log_size);
	mutex_unlock(&sl_evt_log_mutex);
	return ret;
}

static ssize_t sl_evtlog_write(struct file *file, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	u16 algs[TPM2_MAX_PCR_BANKS], sizes[TPM2_MAX_PCR_BANKS];
	ssize_t ret;
	u32 next;
	void *data;

	/* No partial writes. */
	if (*ppos != 0)
		return -EINVAL;
	if (count > sl_log_size)
		return -E2BIG;
	data = memdup_user(buf, count);
	if (IS_ERR(data))
		return PTR_ERR(data);

	ret = mutex_lock_killable(&sl_evt_log_mutex);
	if (ret)
		goto out;
	ret = sl_log_next_offset(&next);
	if (!ret && slaunch_specid_parse(sl_log, next, algs, sizes,
					 TPM2_MAX_PCR_BANKS) <= 0)
		ret = -EINVAL;
	if (!ret)
		ret = sl_log_append(data, count);
	mutex_unlock(&sl_evt_log_mutex);
	if (ret == -ENOSPC)
		ret = -E2BIG;
out:
	kfree(data);
	return ret ?: count;
}

static const struct file_operations sl_evtlog_ops = {
	.read = sl_evtlog_read,
	.write = sl_evtlog_write,
	.llseek = default_llseek,
};

static int __init slaunch_securityfs_init(void)
{
	struct dentry *dir, *d;

	dir = securityfs_create_dir("slaunch", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	d = securityfs_create_file("eventlog", 0440, dir, NULL,
				   &sl_evtlog_ops);
	if (IS_ERR(d)) {
		securityfs_recursive_remove(dir);
		return PTR_ERR(d);
	}
	return 0;
}

/*
 * Map the DRTM event log found at boot and the heap's pointer element to
 * it, and expose the log at /sys/kernel/security/slaunch/eventlog like
 * the Secure Launch series.
 */
static int __init slaunch_eventlog_init(void)
{
	u8 *heap, *log;
	u32 next;

	if (!sl_log_size)
		return 0;

	heap = memremap(sl_heap_base, sl_heap_size, MEMREMAP_WB);
	log = memremap(sl_log_base, sl_log_size, MEMREMAP_WB);
	if (!heap || !log) {
		pr_err("cannot map the TXT heap or the DRTM event log\n");
		if (heap)
			memunmap(heap);
		if (log)
			memunmap(log);
		return -ENOMEM;
	}
	scoped_guard(mutex, &sl_evt_log_mutex) {
		sl_log = log;
		sl_log_ptr = (struct txt_heap_event_log_pointer2_1 *)
			     (heap + sl_log_ptr_off);
		if (!sl_log_next_offset(&next))
			pr_info("DRTM event log: %u of %u bytes used\n", next,
				sl_log_size);
	}
	return slaunch_securityfs_init();
}
fs_initcall(slaunch_eventlog_init);

/**
 * slaunch_tpm_chip_register() - give a TPM chip the launch's locality
 * @chip: a chip that tpm_chip_register() is about to make available
 *
 * After a launch the kernel holds locality 2, the one the DRTM PCRs need,
 * for all its traffic with the chip (/dev/tpm0 and /dev/tpmrm0 included),
 * as the Secure Launch series' late module sets it.  Each chip gets it as
 * it registers, before anything can find it: a chip whose driver probes
 * late (a module, a deferred probe) too.  A chip whose transport cannot
 * reach locality 2 (CRB, tpm_tis_i2c, a virtual TPM) stays at locality 0,
 * where no DRTM PCR can be extended: that is logged and the DRTM PCRs'
 * users fail closed, where the Secure Launch series' late module would
 * reset the platform.
 */
void slaunch_tpm_chip_register(struct tpm_chip *chip)
{
	int ret;

	if (!slaunch_is_txt_launch())
		return;
	ret = tpm_chip_set_locality(chip, SL_TPM_LOCALITY);
	if (ret)
		pr_err("%s: cannot move to locality %d (%d): DRTM PCRs cannot be extended through it\n",
		       dev_name(&chip->dev), SL_TPM_LOCALITY, ret);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what the kernel reads from the TXT heap and the DRTM event
 * log, all written by the bootloader or the SINIT ACM:
 *
 *  - the heap walk that finds the DRTM event log pointer
 *    (HEAP_EVENT_LOG_POINTER_ELEMENT2_1 in OsSinitData), over well-formed
 *    heaps and over heaps a buggy or hostile bootloader could leave: sizes
 *    that are zero or run past the heap or the table, an old OsSinitData
 *    version, a truncated element, no element at all;
 *  - the check of that element on every use of the log (moved buffer,
 *    offsets out of bounds);
 *  - the parser of the log's Spec ID Event03 header, whose algorithm list
 *    decides the digests of every record appended to the log: valid
 *    headers, and truncated ones, a bad signature, type, PCR or digest,
 *    numberOfAlgorithms out of bounds, vendorInfoSize overflowing the
 *    event, bad digest sizes, a repeated algorithm, too many algorithms;
 *  - what the TXT registers say about a launch the loader flag claims: a
 *    machine without TXT (registers read all-ones) is not a launch, a
 *    contradiction (no SENTER, an SEXIT, another vendor) is fatal;
 *  - where the DRTM log may lie: inside the TXT heap (not over the heap's
 *    pointer to it) or outside of it, not across its boundary, never
 *    wrapping;
 *  - with the emulation built in: it is refused after a real launch, with
 *    Secure Boot enabled and when the kernel is locked down.
 */

#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/tpm.h>
#include <linux/tpm_eventlog.h>
#include <linux/unaligned.h>

#include "slaunch.h"

#define LOG_PHYS	0x12345000ULL
#define HEAP_MAX	512
#define SIZE_ZERO	0xffffffff	/* an element size of 0 */

struct heap_case {
	const char *name;
	u64 bios_size;		/* 0: 8 (an empty table) */
	u64 os_sinit_size;	/* 0: what the elements need */
	u32 version;
	/*
	 * Extended elements before the END element: type, size (0: natural,
	 * SIZE_ZERO: 0); the list ends at the first all-zero entry.
	 */
	struct { u32 type, size; } elt[3];
	bool no_end;
	int trim;		/* bytes cut off the end of the heap */
	u64 heap_size;		/* 0: the built size less trim */
	bool found;
};

/* Write @c's heap into @heap; return its size. */
static u64 build_heap(const struct heap_case *c, u8 *heap)
{
	struct txt_heap_event_log_pointer2_1 log = {
		.phys_addr = LOG_PHYS,
		.allocated_event_container_size = 0x8000,
	};
	struct txt_heap_ext_data_element *e;
	u64 off = 0, sinit, size;
	u32 esize;
	int i;

	memset(heap, 0, HEAP_MAX);
	put_unaligned(c->bios_size ?: sizeof(u64), (u64 *)heap);
	off = sizeof(u64);			/* BiosData, empty */
	put_unaligned(sizeof(u64), (u64 *)(heap + off));	/* OsMleData */
	off += sizeof(u64);
	sinit = off;
	off += sizeof(u64);
	put_unaligned(c->version, (u32 *)(heap + off));
	off += TXT_OS_SINIT_DATA_FIXED_SIZE;
	for (i = 0; i < ARRAY_SIZE(c->elt) && (c->elt[i].type || c->elt[i].size);
	     i++) {
		e = (struct txt_heap_ext_data_element *)(heap + off);
		esize = c->elt[i].size ?: sizeof(*e) + sizeof(log);
		if (esize == SIZE_ZERO)
			esize = 0;
		put_unaligned(c->elt[i].type, &e->type);
		put_unaligned(esize, &e->size);
		if (c->elt[i].type == TXT_HEAP_EXTDATA_TYPE_EVENT_LOG_PTR2_1)
			memcpy(e + 1, &log, sizeof(log));
		/* Whatever the size says, the next element follows closely. */
		off += esize ? min_t(u64, esize, sizeof(*e) + sizeof(log)) :
			       sizeof(*e);
	}
	if (!c->no_end) {
		e = (struct txt_heap_ext_data_element *)(heap + off);
		put_unaligned(TXT_HEAP_EXTDATA_TYPE_END, &e->type);
		put_unaligned(sizeof(*e), &e->size);
		off += sizeof(*e);
	}
	size = off - sinit;
	put_unaligned(c->os_sinit_size ?: size, (u64 *)(heap + sinit));
	put_unaligned(sizeof(u64), (u64 *)(heap + off));	/* SinitMleData */
	off += sizeof(u64);
	return c->heap_size ?: off - c->trim;
}

#define LOG2_1	TXT_HEAP_EXTDATA_TYPE_EVENT_LOG_PTR2_1

static const struct heap_case heap_cases[] = {
	{ .name = "log element only", .version = 7,
	  .elt = { { LOG2_1 } }, .found = true },
	{ .name = "log element after another one", .version = 6,
	  .elt = { { 5, 16 }, { LOG2_1 } }, .found = true },
	{ .name = "no END element, table ends after the log", .version = 7,
	  .elt = { { LOG2_1 } }, .no_end = true, .found = true },
	{ .name = "OsSinitData version 5", .version = 5,
	  .elt = { { LOG2_1 } } },
	{ .name = "no log element", .version = 7,
	  .elt = { { 5, 16 } } },
	{ .name = "no log element and no END element", .version = 7,
	  .elt = { { 5, 16 } }, .no_end = true },
	{ .name = "END before the log element", .version = 7,
	  .elt = { { TXT_HEAP_EXTDATA_TYPE_END, 8 }, { LOG2_1 } } },
	{ .name = "log element too short", .version = 7,
	  .elt = { { LOG2_1, 8 + 16 } } },
	{ .name = "element size 0", .version = 7,
	  .elt = { { 5, SIZE_ZERO }, { LOG2_1 } } },
	{ .name = "element size past the table", .version = 7,
	  .elt = { { 5, 0x1000 }, { LOG2_1 } } },
	{ .name = "BiosData size below 8", .bios_size = 7, .version = 7,
	  .elt = { { LOG2_1 } } },
	{ .name = "BiosData size past the heap", .bios_size = 0x10000,
	  .version = 7, .elt = { { LOG2_1 } } },
	{ .name = "OsSinitData shorter than its fixed part", .version = 7,
	  .os_sinit_size = 8 + TXT_OS_SINIT_DATA_FIXED_SIZE - 1,
	  .elt = { { LOG2_1 } } },
	{ .name = "OsSinitData past the heap", .version = 7,
	  .os_sinit_size = 0x10000, .elt = { { LOG2_1 } } },
	{ .name = "heap ends inside OsSinitData", .version = 7,
	  .elt = { { LOG2_1 } }, .trim = 8 + 8 + 8 },
	{ .name = "heap of 7 bytes", .version = 7,
	  .elt = { { LOG2_1 } }, .heap_size = 7 },
};

static void heap_case_desc(const struct heap_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(heap, heap_cases, heap_case_desc);

static void txt_heap_find_log_test(struct kunit *test)
{
	const struct heap_case *c = test->param_value;
	struct txt_heap_event_log_pointer2_1 *p;
	u8 *heap;
	u64 size;

	heap = kunit_kzalloc(test, HEAP_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, heap);
	size = build_heap(c, heap);
	p = txt_heap_find_log(heap, size);
	if (!c->found) {
		KUNIT_EXPECT_NULL(test, p);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, p->phys_addr, LOG_PHYS);
	KUNIT_EXPECT_EQ(test, p->allocated_event_container_size, 0x8000);
	KUNIT_EXPECT_TRUE(test, (u8 *)p > heap && (u8 *)(p + 1) <= heap + size);
}

static struct kunit_case slaunch_test_cases[] = {
	KUNIT_CASE_PARAM(txt_heap_find_log_test, heap_gen_params),
	{}
};

static struct kunit_suite slaunch_test_suite = {
	.name = "slaunch_txt_heap",
	.test_cases = slaunch_test_cases,
};

/* The log pointer element as read on every use of the log */

struct ptr_case {
	const char *name;
	u64 phys_addr;
	u32 size, first, next;
	int ret;
};

#define LOG_SIZE	0x8000

static const struct ptr_case ptr_cases[] = {
	{ "empty log", LOG_PHYS, LOG_SIZE, 0, 0, 0 },
	{ "records up to the next offset", LOG_PHYS, LOG_SIZE, 0, 0x200, 0 },
	{ "full log", LOG_PHYS, LOG_SIZE, 0, LOG_SIZE, 0 },
	{ "next offset past the container", LOG_PHYS, LOG_SIZE, 0,
	  LOG_SIZE + 1, -EIO },
	{ "next offset 0xffffffff", LOG_PHYS, LOG_SIZE, 0, 0xffffffff, -EIO },
	{ "first record after the next", LOG_PHYS, LOG_SIZE, 0x100, 0x80,
	  -EIO },
	{ "log moved", LOG_PHYS + PAGE_SIZE, LOG_SIZE, 0, 0x200, -EIO },
	{ "container grown", LOG_PHYS, LOG_SIZE * 2, 0, 0x200, -EIO },
	{ "container shrunk below the records", LOG_PHYS, 0x100, 0, 0x200,
	  -EIO },
};

static void ptr_case_desc(const struct ptr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ptr, ptr_cases, ptr_case_desc);

static void txt_log_ptr_check_test(struct kunit *test)
{
	const struct ptr_case *c = test->param_value;
	struct txt_heap_event_log_pointer2_1 p;
	u32 next = 0x5a5a5a5a;

	put_unaligned(c->phys_addr, &p.phys_addr);
	put_unaligned(c->size, &p.allocated_event_container_size);
	put_unaligned(c->first, &p.first_record_offset);
	put_unaligned(c->next, &p.next_record_offset);
	KUNIT_EXPECT_EQ(test, txt_log_ptr_check(&p, LOG_PHYS, LOG_SIZE, &next),
			c->ret);
	KUNIT_EXPECT_EQ(test, next, c->ret ? 0x5a5a5a5a : c->next);
}

static struct kunit_case slaunch_log_ptr_cases[] = {
	KUNIT_CASE_PARAM(txt_log_ptr_check_test, ptr_gen_params),
	{}
};

static struct kunit_suite slaunch_log_ptr_suite = {
	.name = "slaunch_log_ptr",
	.test_cases = slaunch_log_ptr_cases,
};

/* The Spec ID Event03 header of the DRTM event log */

#define SPECID_MAX	256
#define SHA1		{ TPM_ALG_SHA1, 20 }
#define SHA256		{ TPM_ALG_SHA256, 32 }
#define SHA384		{ TPM_ALG_SHA384, 48 }
#define SHA512		{ TPM_ALG_SHA512, 64 }
#define SHA3_256	{ 0x0027, 32 }	/* not known to the parser */

struct specid_case {
	const char *name;
	/* Algorithms written, as (TPM_ALG_ID, digest size) pairs */
	struct { u16 alg, size; } bank[5];
	unsigned int nr;
	bool set_num;		/* numberOfAlgorithms = num, not nr */
	u32 num;
	u8 vendor;		/* vendorInfoSize */
	int vendor_bytes;	/* bytes of vendor info present - vendor */
	int esize_delta;	/* added to the event size written */
	bool set_esize;		/* write esize as the event size */
	u32 esize;
	bool empty;		/* a log of 0 bytes */
	int len;		/* 0: the record; < 0: cut that much off */
	unsigned int extra;	/* bytes of (later records) after the header */
	bool bad_sig, bad_type, bad_pcr, bad_digest;
	unsigned int max;	/* 0: 8 */
	int ret;
};

/* Write @c's header into @buf; return the length to parse. */
static size_t build_specid(const struct specid_case *c, u8 *buf)
{
	struct tcg_pcr_event *ev = (struct tcg_pcr_event *)buf;
	struct tcg_efi_specid_event_head *head = (void *)ev->event;
	size_t esize, size;
	unsigned int i;
	u8 *p;

	memset(buf, 0, SPECID_MAX);
	put_unaligned_le32(c->bad_pcr ? 17 : 0, &ev->pcr_idx);
	put_unaligned_le32(c->bad_type ? EVENT_TAG : NO_ACTION,
			   &ev->event_type);
	if (c->bad_digest)
		ev->digest[19] = 1;
	memcpy(head->signature, c->bad_sig ? "Spec ID Event02" : TCG_SPECID_SIG,
	       sizeof(TCG_SPECID_SIG));
	head->spec_version_major = 2;
	head->uintnsize = 2;
	put_unaligned_le32(c->set_num ? c->num : c->nr, &head->num_algs);
	for (i = 0; i < c->nr; i++) {
		put_unaligned_le16(c->bank[i].alg, &head->digest_sizes[i].alg_id);
		put_unaligned_le16(c->bank[i].size,
				   &head->digest_sizes[i].digest_size);
	}
	p = (u8 *)&head->digest_sizes[c->nr];
	*p++ = c->vendor;
	memset(p, 0xee, c->vendor + c->vendor_bytes);
	esize = p + c->vendor + c->vendor_bytes - (u8 *)head;
	put_unaligned_le32(c->set_esize ? c->esize : esize + c->esize_delta,
			   &ev->event_size);
	size = sizeof(*ev) + esize + c->extra;
	memset(buf + sizeof(*ev) + esize, 0x11, c->extra);
	if (c->empty)
		return 0;
	if (c->len > 0)
		return c->len;
	return size + c->len;
}

static const struct specid_case specid_cases[] = {
	{ .name = "sha1 and sha256", .bank = { SHA1, SHA256 },
	  .nr = 2, .ret = 2 },
	{ .name = "sha256 and sha1: header order kept",
	  .bank = { SHA256, SHA1 }, .nr = 2, .ret = 2 },
	{ .name = "four banks",
	  .bank = { SHA1, SHA256, SHA384, SHA512 },
	  .nr = 4, .ret = 4 },
	{ .name = "vendor information", .bank = { SHA256 }, .nr = 1,
	  .vendor = 7, .ret = 1 },
	{ .name = "records after the header", .bank = { SHA1, SHA256 },
	  .nr = 2, .extra = 100, .ret = 2 },
	{ .name = "algorithm unknown here", .bank = { SHA3_256 }, .nr = 1,
	  .ret = 1 },
	{ .name = "as many algorithms as room", .max = 2,
	  .bank = { SHA1, SHA256 }, .nr = 2, .ret = 2 },
	{ .name = "empty log", .bank = { SHA256 }, .nr = 1, .empty = true,
	  .ret = -EINVAL },
	{ .name = "1-byte log", .bank = { SHA256 }, .nr = 1, .len = 1,
	  .ret = -EINVAL },
	{ .name = "truncated in the TCG_PCR_EVENT", .bank = { SHA256 },
	  .nr = 1, .len = sizeof(struct tcg_pcr_event) - 1, .ret = -EINVAL },
	{ .name = "truncated in the Spec ID event", .bank = { SHA256 },
	  .nr = 1, .len = -1, .ret = -EINVAL },
	{ .name = "event size past the log", .bank = { SHA256 }, .nr = 1,
	  .esize_delta = 1, .ret = -EINVAL },
	{ .name = "event size 0xffffffff", .bank = { SHA256 }, .nr = 1,
	  .set_esize = true, .esize = 0xffffffff, .ret = -EINVAL },
	{ .name = "event too short for vendorInfoSize", .bank = { SHA256 },
	  .nr = 1, .set_esize = true, .esize = 28, .extra = 64,
	  .ret = -EINVAL },
	{ .name = "event longer than the header", .bank = { SHA256 },
	  .nr = 1, .esize_delta = 4, .extra = 4, .ret = -EINVAL },
	{ .name = "bad signature", .bank = { SHA256 }, .nr = 1,
	  .bad_sig = true, .ret = -EINVAL },
	{ .name = "not EV_NO_ACTION", .bank = { SHA256 }, .nr = 1,
	  .bad_type = true, .ret = -EINVAL },
	{ .name = "not PCR 0", .bank = { SHA256 }, .nr = 1,
	  .bad_pcr = true, .ret = -EINVAL },
	{ .name = "digest not zero", .bank = { SHA256 }, .nr = 1,
	  .bad_digest = true, .ret = -EINVAL },
	{ .name = "numberOfAlgorithms 0", .nr = 0, .ret = -EINVAL },
	{ .name = "numberOfAlgorithms one more than the event holds",
	  .bank = { SHA1, SHA256 }, .nr = 2, .set_num = true,
	  .num = 3, .extra = 64, .ret = -EINVAL },
	{ .name = "numberOfAlgorithms 0xffffffff",
	  .bank = { SHA1, SHA256 }, .nr = 2, .set_num = true,
	  .num = 0xffffffff, .extra = 64, .ret = -EINVAL },
	{ .name = "numberOfAlgorithms 0x40000001",
	  .bank = { SHA1, SHA256 }, .nr = 2, .set_num = true,
	  .num = 0x40000001, .extra = 64, .ret = -EINVAL },
	{ .name = "numberOfAlgorithms one less than listed",
	  .bank = { SHA1, SHA256 }, .nr = 2, .set_num = true,
	  .num = 1, .ret = -EINVAL },
	{ .name = "vendorInfoSize past the event", .bank = { SHA256 },
	  .nr = 1, .vendor = 255, .vendor_bytes = -255, .extra = 64,
	  .ret = -EINVAL },
	{ .name = "vendorInfoSize one past the event", .bank = { SHA256 },
	  .nr = 1, .vendor = 4, .vendor_bytes = -1, .extra = 64,
	  .ret = -EINVAL },
	{ .name = "vendorInfoSize past the log", .bank = { SHA256 },
	  .nr = 1, .vendor = 200, .vendor_bytes = -200, .esize_delta = 200,
	  .ret = -EINVAL },
	{ .name = "digest size 0", .bank = { { 0x0027, 0 } }, .nr = 1,
	  .ret = -EINVAL },
	{ .name = "digest size 65", .bank = { { 0x0027, 65 } }, .nr = 1,
	  .ret = -EINVAL },
	{ .name = "sha256 with 20-byte digests", .bank = { { TPM_ALG_SHA256, 20 } },
	  .nr = 1, .ret = -EINVAL },
	{ .name = "sha256 listed twice", .bank = { SHA256, SHA1, SHA256 },
	  .nr = 3, .ret = -EINVAL },
	{ .name = "more algorithms than room", .max = 3,
	  .bank = { SHA1, SHA256, SHA384, SHA512 },
	  .nr = 4, .ret = -E2BIG },
};

static void specid_case_desc(const struct specid_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(specid, specid_cases, specid_case_desc);

static void slaunch_specid_parse_test(struct kunit *test)
{
	const struct specid_case *c = test->param_value;
	u16 algs[8], sizes[8];
	unsigned int i;
	size_t len;
	u8 *buf;
	int ret;

	buf = kunit_kzalloc(test, SPECID_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = build_specid(c, buf);
	KUNIT_ASSERT_LE(test, len, SPECID_MAX);
	memset(algs, 0, sizeof(algs));
	ret = slaunch_specid_parse(buf, len, algs, sizes, c->max ?: 8);
	KUNIT_ASSERT_EQ(test, ret, c->ret);
	for (i = 0; i < 8; i++) {
		if ((int)i < ret) {
			KUNIT_EXPECT_EQ(test, algs[i], c->bank[i].alg);
			KUNIT_EXPECT_EQ(test, sizes[i], c->bank[i].size);
		} else {
			/* Nothing written past the count, or on failure */
			KUNIT_EXPECT_EQ(test, algs[i], 0);
		}
	}
}

static struct kunit_case slaunch_specid_cases[] = {
	KUNIT_CASE_PARAM(slaunch_specid_parse_test, specid_gen_params),
	{}
};

static struct kunit_suite slaunch_specid_suite = {
	.name = "slaunch_specid",
	.test_cases = slaunch_specid_cases,
};

/* The TXT registers behind SLAUNCH_FLAG */

struct regs_case {
	const char *name;
	u64 sts;
	u64 didvid;
	int ret;
};

#define STS_SENTER	0x1ULL
#define STS_SEXIT	0x2ULL
#define DIDVID_INTEL	0x00000001b0078086ULL

static const struct regs_case regs_cases[] = {
	{ "launched", STS_SENTER, DIDVID_INTEL, 0 },
	{ "launched, other status bits", STS_SENTER | 0x10000, DIDVID_INTEL,
	  0 },
	{ "no TXT: both all-ones", ~0ULL, ~0ULL, -ENODEV },
	{ "no TXT: DIDVID all-ones", STS_SENTER, ~0ULL, -ENODEV },
	{ "no TXT: STS all-ones", ~0ULL, DIDVID_INTEL, -ENODEV },
	{ "no SENTER", 0, DIDVID_INTEL, -EIO },
	{ "SEXIT done", STS_SENTER | STS_SEXIT, DIDVID_INTEL, -EIO },
	{ "not Intel", STS_SENTER, 0x00000001b0071022ULL, -EIO },
	{ "DIDVID zero", STS_SENTER, 0, -EIO },
};

static void regs_case_desc(const struct regs_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(regs, regs_cases, regs_case_desc);

static void slaunch_txt_regs_check_test(struct kunit *test)
{
	const struct regs_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, slaunch_txt_regs_check(c->sts, c->didvid),
			c->ret);
}

/* Where the DRTM log lies relative to the TXT heap */

struct place_case {
	const char *name;
	u64 log;
	u64 log_size;
	int ret;
};

#define HEAP_PHYS	0x80000000ULL
#define HEAP_SIZE	0x100000ULL
/* The heap's pointer element to the log, in OsSinitData */
#define ELEM_PHYS	(HEAP_PHYS + 0x400)

static const struct place_case place_cases[] = {
	{ "below the heap", HEAP_PHYS - 0x8000, 0x8000, 0 },
	{ "above the heap", HEAP_PHYS + HEAP_SIZE, 0x8000, 0 },
	{ "inside the heap", HEAP_PHYS + 0x1000, 0x8000, 0 },
	{ "inside the heap, right after its pointer", ELEM_PHYS + 20, 0x8000, 0 },
	{ "inside the heap, right before its pointer", ELEM_PHYS - 0x100, 0x100,
	  0 },
	{ "inside the heap, over its pointer", HEAP_PHYS, 0x8000, -EINVAL },
	{ "inside the heap, over the pointer's end", ELEM_PHYS + 19, 0x100,
	  -EINVAL },
	{ "the whole heap", HEAP_PHYS, HEAP_SIZE, -EINVAL },
	{ "at the heap's end", HEAP_PHYS + HEAP_SIZE - 0x8000, 0x8000, 0 },
	{ "across the heap's start", HEAP_PHYS - 0x1000, 0x8000, -EINVAL },
	{ "across the heap's end", HEAP_PHYS + HEAP_SIZE - 0x1000, 0x8000,
	  -EINVAL },
	{ "around the heap", HEAP_PHYS - 0x1000, HEAP_SIZE + 0x2000,
	  -EINVAL },
	{ "empty", HEAP_PHYS - 0x8000, 0, -EINVAL },
	{ "wrapping", ~0ULL - 0xfff, 0x2000, -EINVAL },
};

static void place_case_desc(const struct place_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(place, place_cases, place_case_desc);

static void slaunch_log_placement_test(struct kunit *test)
{
	const struct place_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, slaunch_log_placement(c->log, c->log_size,
						    HEAP_PHYS, HEAP_SIZE,
						    ELEM_PHYS),
			c->ret);
}

#ifdef CONFIG_SECURE_LAUNCH_EMULATION
/* The emulation: refused after a real launch, with Secure Boot, locked down */
static void slaunch_emulate_refusal_test(struct kunit *test)
{
	unsigned int i;
	const char *why;

	for (i = 0; i < 8; i++) {
		why = slaunch_emulate_refusal(i & 1, i & 2, i & 4);
		if (!i)
			KUNIT_EXPECT_NULL(test, why);
		else
			KUNIT_EXPECT_NOT_NULL_MSG(test, why, "case %u", i);
	}
	KUNIT_EXPECT_STREQ(test, slaunch_emulate_refusal(true, false, false),
			   "this is a real secure launch");
	KUNIT_EXPECT_STREQ(test, slaunch_emulate_refusal(false, true, false),
			   "Secure Boot is enabled");
	KUNIT_EXPECT_STREQ(test, slaunch_emulate_refusal(false, false, true),
			   "the kernel is locked down");
}
#endif

static struct kunit_case slaunch_launch_cases[] = {
	KUNIT_CASE_PARAM(slaunch_txt_regs_check_test, regs_gen_params),
	KUNIT_CASE_PARAM(slaunch_log_placement_test, place_gen_params),
#ifdef CONFIG_SECURE_LAUNCH_EMULATION
	KUNIT_CASE(slaunch_emulate_refusal_test),
#endif
	{}
};

static struct kunit_suite slaunch_launch_suite = {
	.name = "slaunch_launch",
	.test_cases = slaunch_launch_cases,
};

kunit_test_suites(&slaunch_test_suite, &slaunch_log_ptr_suite,
		  &slaunch_specid_suite, &slaunch_launch_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for the Secure Launch TXT heap and DRTM log parsers");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the TXT heap walk that finds the DRTM event log pointer
 * (HEAP_EVENT_LOG_POINTER_ELEMENT2_1 in OsSinitData), over well-formed
 * heaps and over heaps a buggy or hostile bootloader could leave: sizes
 * that are zero or run past the heap or the table, an old OsSinitData
 * version, a truncated element, no element at all.
 */

#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/module.h>
#include <linux/string.h>
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

kunit_test_suite(slaunch_test_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for the Secure Launch TXT heap walk");
MODULE_LICENSE("GPL");

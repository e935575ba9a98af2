// SPDX-License-Identifier: GPL-2.0
/*
 * The digest of the EFI runtime-services code that the first unlock admits.
 *
 * On a boot that starts locked, SetVirtualAddressMap() waits for the first
 * unlock (arch/x86/platform/efi/efi.c), so the EfiRuntimeServicesCode
 * regions still hold the code as the firmware loaded it, before it applied
 * the relocations for the kernel's virtual addresses.  The unlock event
 * carries their SHA-256, so that a verifier sees which firmware code the
 * unlock let run.
 */

#define pr_fmt(fmt) "efi_rt_gate: " fmt

#include <crypto/sha2.h>
#include <linux/efi.h>
#include <linux/io.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <asm/byteorder.h>

#include "efi_rt_gate.h"

/* memremap() this much at a time: the regions are not in the direct map */
#define RTGATE_CODE_CHUNK	SZ_1M

static int rtgate_code_cmp(const void *a, const void *b)
{
	const efi_memory_desc_t *x = *(const efi_memory_desc_t * const *)a;
	const efi_memory_desc_t *y = *(const efi_memory_desc_t * const *)b;

	return x->phys_addr < y->phys_addr ? -1 : x->phys_addr > y->phys_addr;
}

static int rtgate_code_hash_region(struct sha256_state *sctx,
				   const efi_memory_desc_t *md)
{
	u64 size = md->num_pages << EFI_PAGE_SHIFT;
	__le64 hdr[2] = { cpu_to_le64(md->phys_addr), cpu_to_le64(size) };
	u64 off, len;
	void *p;

	sha256_update(sctx, (const u8 *)hdr, sizeof(hdr));
	for (off = 0; off < size; off += len) {
		len = min_t(u64, size - off, RTGATE_CODE_CHUNK);
		p = memremap(md->phys_addr + off, len, MEMREMAP_WB);
		if (!p) {
			pr_err("cannot map runtime code at 0x%llx\n",
			       md->phys_addr + off);
			return -ENOMEM;
		}
		sha256_update(sctx, p, len);
		memunmap(p);
		cond_resched();
	}
	return 0;
}

/**
 * rtgate_code_digest() - SHA-256 of the EFI runtime-services code
 * @digest: SHA256_DIGEST_SIZE bytes for the result
 *
 * Hashes, over the EfiRuntimeServicesCode regions of the EFI memory map in
 * ascending address order, for each region its physical base and its size
 * in bytes (both le64) and then its content.  Meaningful only before
 * SetVirtualAddressMap(), which lets the firmware relocate that code.
 *
 * Return: 0, or -ENOMEM.
 */
int rtgate_code_digest(u8 *digest)
{
	const efi_memory_desc_t **mds;
	struct sha256_state sctx;
	efi_memory_desc_t *md;
	int i, n = 0, ret = 0;

	mds = kmalloc_array(efi.memmap.nr_map, sizeof(*mds), GFP_KERNEL);
	if (!mds)
		return -ENOMEM;
	for_each_efi_memory_desc(md)
		if (md->type == EFI_RUNTIME_SERVICES_CODE)
			mds[n++] = md;
	sort(mds, n, sizeof(*mds), rtgate_code_cmp, NULL);

	sha256_init(&sctx);
	for (i = 0; i < n && !ret; i++)
		ret = rtgate_code_hash_region(&sctx, mds[i]);
	sha256_final(&sctx, digest);
	kfree(mds);
	if (ret)
		memzero_explicit(digest, SHA256_DIGEST_SIZE);
	return ret;
}

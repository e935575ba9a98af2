// SPDX-License-Identifier: GPL-2.0
/*
 * EFI variable snapshot: before ExitBootServices(), copy the
 * runtime-accessible variables into one EFI_ACPI_RECLAIM_MEMORY buffer
 * and install it as a configuration table, so that a kernel that withholds
 * runtime services (the EFI runtime gate) can still answer reads of them.
 * Layout: include/linux/efi_var_snapshot.h.
 */

#include <linux/efi.h>
#include <linux/efi_var_snapshot.h>
#include <asm/efi.h>

#include "efistub.h"

/* A timestamp for the boot-time cost the snapshot reports ("make bench") */
static u64 snap_cycles(void)
{
#ifdef CONFIG_X86
	u32 lo, hi;

	asm volatile("rdtsc" : "=a" (lo), "=d" (hi));
	return (u64)hi << 32 | lo;
#else
	return 0;
#endif
}

/*
 * Read the next variable's name into *name (grown as needed).  A firmware
 * that answers EFI_BUFFER_TOO_SMALL with a size no larger than the buffer
 * it was given gets EFI_DEVICE_ERROR back, and there is no snapshot.
 */
static efi_status_t snap_next_name(efi_char16_t **name, unsigned long *cap,
				   efi_guid_t *vendor)
{
	unsigned long size = *cap;
	efi_char16_t *bigger;
	efi_status_t status;

	status = efi_rt_call(get_next_variable, &size, *name, vendor);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status;
	status = efi_var_snapshot_name_grow(size, *cap);
	if (status != EFI_SUCCESS)
		return status;
	status = efi_bs_call(allocate_pool, EFI_LOADER_DATA, size,
			     (void **)&bigger);
	if (status != EFI_SUCCESS)
		return status;
	memset(bigger, 0, size);
	memcpy(bigger, *name, *cap);
	efi_bs_call(free_pool, *name);
	*name = bigger;
	*cap = size;
	return efi_rt_call(get_next_variable, &size, *name, vendor);
}

static unsigned long snap_name_size(const efi_char16_t *name,
				    unsigned long cap)
{
	unsigned long n = 0;

	while (n < cap / 2 && name[n])
		n++;
	return n < cap / 2 ? (n + 1) * 2 : 0;
}

/*
 * Walk the variables into buf (EFI_VAR_SNAPSHOT_MAX_SIZE bytes).  Returns
 * the snapshot's size, or 0 with a message when there is none.
 */
static u32 snap_walk(u8 *buf, u32 *count)
{
	efi_guid_t crash_guid = LINUX_EFI_CRASH_GUID;
	struct efi_var_snapshot_header *hdr = (void *)buf;
	unsigned long cap = 512, name_size, data_size;
	u32 off = EFI_VAR_SNAPSHOT_HDR_SIZE, n = 0;
	struct efi_var_snapshot_entry *e;
	efi_char16_t *name;
	efi_status_t status;
	efi_guid_t vendor;
	unsigned int iter;
	u32 attr, esize;

	status = efi_bs_call(allocate_pool, EFI_LOADER_DATA, cap,
			     (void **)&name);
	if (status != EFI_SUCCESS)
		return 0;
	memset(name, 0, cap);

	for (iter = 0; ; iter++) {
		if (iter >= 2 * EFI_VAR_SNAPSHOT_MAX_COUNT) {
			efi_err("EFI variable snapshot: variable walk does not end; no snapshot\n");
			goto fail;
		}
		status = snap_next_name(&name, &cap, &vendor);
		if (status == EFI_NOT_FOUND)
			break;
		if (status != EFI_SUCCESS) {
			efi_err("EFI variable snapshot: GetNextVariableName: 0x%lx; no snapshot\n",
				status);
			goto fail;
		}
		name_size = snap_name_size(name, cap);
		/* pstore records are large and of no use to a reader */
		if (!name_size || !efi_guidcmp(vendor, crash_guid))
			continue;

		e = (void *)(buf + off);
		if (off + EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE + name_size >
		    EFI_VAR_SNAPSHOT_MAX_SIZE)
			goto too_big;
		data_size = EFI_VAR_SNAPSHOT_MAX_SIZE - off -
			    EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE - name_size;
		status = get_efi_var(name, &vendor, &attr, &data_size,
				     e->payload + name_size);
		if (status == EFI_BUFFER_TOO_SMALL)
			goto too_big;
		if (status != EFI_SUCCESS)
			continue;	/* deleted meanwhile */
		/* Boot-services-only variables must not reach the OS. */
		if (!(attr & EFI_VARIABLE_RUNTIME_ACCESS))
			continue;
		esize = ALIGN(EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE + name_size +
			      data_size, EFI_VAR_SNAPSHOT_ALIGN);
		if (off + esize > EFI_VAR_SNAPSHOT_MAX_SIZE ||
		    n >= EFI_VAR_SNAPSHOT_MAX_COUNT)
			goto too_big;
		memcpy(e->payload, name, name_size);
		memset(e->payload + name_size + data_size, 0,
		       esize - EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE - name_size -
		       data_size);
		e->entry_size = cpu_to_le32(esize);
		e->attributes = cpu_to_le32(attr);
		e->vendor = vendor;
		e->name_size = cpu_to_le32(name_size);
		e->data_size = cpu_to_le32(data_size);
		off += esize;
		n++;
	}
	efi_bs_call(free_pool, name);

	hdr->magic = cpu_to_le32(EFI_VAR_SNAPSHOT_MAGIC);
	hdr->version = cpu_to_le16(EFI_VAR_SNAPSHOT_VERSION);
	hdr->header_size = cpu_to_le16(EFI_VAR_SNAPSHOT_HDR_SIZE);
	hdr->count = cpu_to_le32(n);
	hdr->total_size = cpu_to_le32(off);
	*count = n;
	return off;

too_big:
	efi_err("EFI variable snapshot: runtime variables exceed %u KiB or %u variables; no snapshot: variables are unreadable while runtime services are withheld\n",
		EFI_VAR_SNAPSHOT_MAX_SIZE / SZ_1K, EFI_VAR_SNAPSHOT_MAX_COUNT);
fail:
	efi_bs_call(free_pool, name);
	return 0;
}

/* Walk the variables into a new table; its size, or 0 if there is none. */
static u32 snap_take(void **table)
{
	u32 size, count = 0;
	efi_status_t status;
	u8 *walk;
	u64 start;

	start = snap_cycles();
	status = efi_bs_call(allocate_pool, EFI_LOADER_DATA,
			     EFI_VAR_SNAPSHOT_MAX_SIZE, (void **)&walk);
	if (status != EFI_SUCCESS) {
		efi_err("EFI variable snapshot: no memory; no snapshot\n");
		return 0;
	}
	size = snap_walk(walk, &count);
	if (!size)
		goto out;
	status = efi_bs_call(allocate_pool, EFI_ACPI_RECLAIM_MEMORY, size,
			     table);
	if (status != EFI_SUCCESS) {
		efi_err("EFI variable snapshot: no memory; no snapshot\n");
		size = 0;
		goto out;
	}
	memcpy(*table, walk, size);
	efi_info("EFI variable snapshot: %u variables, %u bytes, %llu TSC cycles\n",
		 count, size, snap_cycles() - start);
out:
	efi_bs_call(free_pool, walk);
	return size;
}

/**
 * efi_var_snapshot_install() - snapshot the runtime variables
 * @take: take a snapshot (the policy lets the kernel start locked)
 *
 * With @take, walks the variables with GetNextVariableName() and
 * GetVariable() while boot services are still up, keeps those with the
 * RUNTIME_ACCESS attribute (except pstore records, LINUX_EFI_CRASH_GUID),
 * and installs them as the LINUX_EFI_VAR_SNAPSHOT_TABLE_GUID
 * configuration table in EFI_ACPI_RECLAIM_MEMORY (never freed by the
 * kernel, survives kexec).  Must be called after the stub's own variable
 * writes.  Beyond EFI_VAR_SNAPSHOT_MAX_SIZE bytes or
 * EFI_VAR_SNAPSHOT_MAX_COUNT variables there is no snapshot at all, never
 * a partial one.
 *
 * A table with that GUID that is already installed (by a boot loader) is
 * never passed on: it is replaced by the stub's own snapshot, or removed
 * when there is none, so that the kernel serves only what this stub read
 * from the firmware.
 *
 * Nothing is measured here: the variable store changes from boot to boot
 * (monotonic counters, boot entries, loader timestamps), and a digest of
 * it would make any PCR it went into unpredictable.  After a secure
 * launch the kernel measures what its keyrings trust, from its own
 * validated copy, into the DRTM PCR (security/efi_rt_gate).
 */
void efi_var_snapshot_install(bool take)
{
	efi_guid_t guid = LINUX_EFI_VAR_SNAPSHOT_TABLE_GUID;
	bool foreign = !!get_efi_config_table(guid);
	efi_status_t status;
	void *snap = NULL;

	if (foreign)
		efi_warn("EFI variable snapshot installed before the stub: not used\n");
	if (take && efi_is_native() && snap_take(&snap)) {
		/* Replaces a table installed earlier, if any */
		status = efi_bs_call(install_configuration_table, &guid, snap);
		if (status == EFI_SUCCESS)
			return;
		efi_err("EFI variable snapshot: cannot install table: 0x%lx; no snapshot\n",
			status);
		efi_bs_call(free_pool, snap);
	}
	if (!foreign)
		return;
	status = efi_bs_call(install_configuration_table, &guid, NULL);
	if (status != EFI_SUCCESS)
		efi_err("EFI variable snapshot: cannot remove the earlier table: 0x%lx\n",
			status);
}

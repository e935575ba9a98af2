// SPDX-License-Identifier: GPL-2.0
/*
 * EFI variable snapshot: read-only EFI variables while the EFI runtime
 * gate withholds runtime services.
 *
 * The EFI stub installs the runtime-accessible variables as read before
 * ExitBootServices() as a configuration table
 * (include/linux/efi_var_snapshot.h); it measures nothing, since the
 * variable store changes from boot to boot.  The table is untrusted input
 * here: every length and offset is checked, and any inconsistency rejects
 * the whole snapshot.  After a secure launch the gate measures what the
 * keyrings trust from the validated copy (efi_var_snapshot_vars()).
 * While the gate is locked, efi.get_variable() and
 * efi.get_next_variable() answer from it without calling the firmware;
 * the gate swaps the firmware's functions back in on unlock.
 *
 * The snapshot is never refreshed: after a relock it again serves the
 * values the stub read at boot, not those written while unlocked.
 */

#define pr_fmt(fmt) "efi: variable snapshot: " fmt

#include <linux/efi.h>
#include <linux/efi_rt_gate.h>
#include <linux/efi_staged_vars.h>
#include <linux/efi_var_snapshot.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ucs2_string.h>
#include <linux/unaligned.h>

unsigned long efi_var_snapshot_table __ro_after_init = EFI_INVALID_TABLE_ADDR;
static u32 efi_var_snapshot_size __initdata;

static void *snap_buf __ro_after_init;
static struct efi_var_snapshot_var *snap_vars __ro_after_init;
static unsigned int snap_count __ro_after_init;

/* The firmware's functions, while the snapshot stands in for them */
static efi_get_variable_t *fw_get_variable;
static efi_get_next_variable_t *fw_get_next_variable;
static efi_query_variable_info_t *fw_query_variable_info;
static efi_set_variable_t *fw_set_variable;
static efi_set_variable_t *fw_set_variable_nonblocking;
static bool snap_serving;
static bool snap_writes;	/* SetVariable() stages into the journal */

static bool snap_header_ok(const void *buf, u32 *total_size)
{
	*total_size = get_unaligned_le32(buf + 12);
	return get_unaligned_le32(buf) == EFI_VAR_SNAPSHOT_MAGIC &&
	       get_unaligned_le16(buf + 4) == EFI_VAR_SNAPSHOT_VERSION &&
	       get_unaligned_le16(buf + 6) == EFI_VAR_SNAPSHOT_HDR_SIZE &&
	       *total_size >= EFI_VAR_SNAPSHOT_HDR_SIZE &&
	       *total_size <= EFI_VAR_SNAPSHOT_MAX_SIZE;
}

static bool snap_name_ok(const u8 *name, u32 name_size)
{
	u32 i, n = name_size / 2;

	for (i = 0; i < n - 1; i++)
		if (!get_unaligned_le16(name + 2 * i))
			return false;
	return !get_unaligned_le16(name + 2 * (n - 1));
}

static bool snap_same_var(const struct efi_var_snapshot_var *a,
			  const struct efi_var_snapshot_var *b)
{
	return a->name_size == b->name_size &&
	       !efi_guidcmp(a->vendor, b->vendor) &&
	       !memcmp(a->name, b->name, a->name_size);
}

/**
 * efi_var_snapshot_parse() - validate a variable snapshot and index it
 * @buf: the snapshot, @size bytes
 * @size: the size of @buf; must equal the header's total size
 * @vars: filled with one entry per variable, pointing into @buf
 * @max_vars: number of entries @vars has room for
 *
 * Checks the header (magic, version, header size, total size against
 * @size and EFI_VAR_SNAPSHOT_MAX_SIZE, count against
 * EFI_VAR_SNAPSHOT_MAX_COUNT) and every entry: its header lies within the
 * snapshot, its size is 8-byte aligned and holds its name and data with
 * less than 8 bytes of zero padding, the name is UCS-2 of even size up to
 * EFI_VAR_SNAPSHOT_MAX_NAME bytes with exactly one NUL at its end, the
 * attributes include RUNTIME_ACCESS, the entries end exactly at the total
 * size after @count of them, and no name/GUID pair repeats.  @buf must be
 * at least 2-byte aligned.
 *
 * Return: the number of variables, -EINVAL if anything is inconsistent
 * (@vars is then undefined), -E2BIG if @max_vars is too small.
 */
int efi_var_snapshot_parse(const void *buf, size_t size,
			   struct efi_var_snapshot_var *vars,
			   unsigned int max_vars)
{
	u32 total, count, off, esize, nsize, dsize, i, j;
	const u8 *e, *p = buf;
	u64 used;

	if (size < EFI_VAR_SNAPSHOT_HDR_SIZE || !snap_header_ok(buf, &total) ||
	    total != size)
		return -EINVAL;
	count = get_unaligned_le32(p + 8);
	if (count > EFI_VAR_SNAPSHOT_MAX_COUNT)
		return -EINVAL;
	if (count > max_vars)
		return -E2BIG;

	off = EFI_VAR_SNAPSHOT_HDR_SIZE;
	for (i = 0; i < count; i++) {
		if (total - off < EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE)
			return -EINVAL;
		e = p + off;
		esize = get_unaligned_le32(e);
		nsize = get_unaligned_le32(e + 24);
		dsize = get_unaligned_le32(e + 28);
		if (esize < EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE ||
		    esize % EFI_VAR_SNAPSHOT_ALIGN || esize > total - off)
			return -EINVAL;
		if (nsize < 2 || nsize % 2 || nsize > EFI_VAR_SNAPSHOT_MAX_NAME)
			return -EINVAL;
		used = (u64)EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE + nsize + dsize;
		if (used > esize || esize - used >= EFI_VAR_SNAPSHOT_ALIGN ||
		    memchr_inv(e + used, 0, esize - used))
			return -EINVAL;
		if (!snap_name_ok(e + EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE, nsize))
			return -EINVAL;

		vars[i].attributes = get_unaligned_le32(e + 4);
		if (!(vars[i].attributes & EFI_VARIABLE_RUNTIME_ACCESS))
			return -EINVAL;
		memcpy(&vars[i].vendor, e + 8, sizeof(efi_guid_t));
		vars[i].name = (const efi_char16_t *)(e +
					EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE);
		vars[i].name_size = nsize;
		vars[i].data = e + EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE + nsize;
		vars[i].data_size = dsize;
		for (j = 0; j < i; j++)
			if (snap_same_var(&vars[i], &vars[j]))
				return -EINVAL;
		off += esize;
	}
	return off == total ? count : -EINVAL;
}

/**
 * efi_var_snapshot_early_reserve() - reserve the snapshot's memory
 *
 * Called by efi_config_parse_tables() when the configuration tables hold
 * LINUX_EFI_VAR_SNAPSHOT_TABLE_GUID.  Checks the header and reserves the
 * whole snapshot in memblock (the stub's EFI_ACPI_RECLAIM_MEMORY is not
 * RAM to the kernel anyway; a loader's EFI_LOADER_DATA would be), so that
 * it survives until efi_var_snapshot_init() validates and copies it.
 */
void __init efi_var_snapshot_early_reserve(void)
{
	void *hdr;
	u32 size;
	bool ok;

	if (efi_var_snapshot_table == EFI_INVALID_TABLE_ADDR)
		return;
	hdr = early_memremap(efi_var_snapshot_table, EFI_VAR_SNAPSHOT_HDR_SIZE);
	if (!hdr) {
		pr_err("cannot map the header; ignored\n");
		return;
	}
	ok = snap_header_ok(hdr, &size);
	early_memunmap(hdr, EFI_VAR_SNAPSHOT_HDR_SIZE);
	if (!ok) {
		pr_err("malformed header; ignored\n");
		return;
	}
	memblock_reserve(efi_var_snapshot_table, size);
	efi_var_snapshot_size = size;
}

/**
 * efi_var_snapshot_find() - look a variable up in a snapshot
 * @vars: the snapshot's variables, as efi_var_snapshot_parse() indexed them
 * @count: the number of @vars
 * @name: the UCS-2 name, NUL-terminated (nothing after its NUL is read)
 * @vendor: the vendor GUID
 *
 * Return: the variable, or NULL if @vars has no such name/GUID pair.
 */
const struct efi_var_snapshot_var *
efi_var_snapshot_find(const struct efi_var_snapshot_var *vars,
		      unsigned int count, const efi_char16_t *name,
		      const efi_guid_t *vendor)
{
	const struct efi_var_snapshot_var *v;
	unsigned int i, k;

	for (i = 0; i < count; i++) {
		v = &vars[i];
		if (efi_guidcmp(v->vendor, *vendor))
			continue;
		/* v->name has its only NUL last: a match ends both names. */
		for (k = 0; k < v->name_size / 2; k++)
			if (name[k] != v->name[k])
				break;
		if (k == v->name_size / 2)
			return v;
	}
	return NULL;
}

static efi_status_t snap_get_variable(efi_char16_t *name, efi_guid_t *vendor,
				      u32 *attr, unsigned long *data_size,
				      void *data)
{
	const struct efi_var_snapshot_var *v;
	efi_status_t status;

	if (!name || !vendor || !data_size)
		return EFI_INVALID_PARAMETER;
	if (IS_ENABLED(CONFIG_EFI_STAGED_VARS) &&
	    efi_staged_get_variable(name, vendor, attr, data_size, data,
				    &status))
		return status;
	v = efi_var_snapshot_find(snap_vars, snap_count, name, vendor);
	if (!v)
		return EFI_NOT_FOUND;
	if (attr)
		*attr = v->attributes;
	if (*data_size < v->data_size) {
		*data_size = v->data_size;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!data && v->data_size)
		return EFI_INVALID_PARAMETER;
	memcpy(data, v->data, v->data_size);
	*data_size = v->data_size;
	return EFI_SUCCESS;
}

/**
 * efi_var_snapshot_next_name() - GetNextVariableName() over a snapshot
 * @vars: the snapshot's variables, as efi_var_snapshot_parse() indexed them
 * @count: the number of @vars
 * @name_size: in: the size of @name in bytes; out: the size of the next
 *	name in bytes, with its NUL
 * @name: in: the previous name, or L"" for the first; out: the next name
 * @vendor: in: the previous name's vendor GUID; out: the next one's
 *
 * GetNextVariableName() as the UEFI specification defines it, in the
 * order of @vars.  On EFI_BUFFER_TOO_SMALL only *@name_size changes.
 *
 * Return: EFI_SUCCESS; EFI_NOT_FOUND after the last variable;
 * EFI_BUFFER_TOO_SMALL with *@name_size set to the size needed;
 * EFI_INVALID_PARAMETER if an argument is NULL, @name has no NUL within
 * its first *@name_size bytes (nothing beyond them is read), or @name
 * names no variable of @vars.
 */
efi_status_t efi_var_snapshot_next_name(const struct efi_var_snapshot_var *vars,
					unsigned int count,
					unsigned long *name_size,
					efi_char16_t *name, efi_guid_t *vendor)
{
	const struct efi_var_snapshot_var *v;
	unsigned int next = 0;
	unsigned long len;

	if (!name_size || !name || !vendor)
		return EFI_INVALID_PARAMETER;
	/* Nothing after @name's NUL is read: a match ends both names. */
	len = *name_size / sizeof(*name);
	if (ucs2_strnlen(name, len) == len)
		return EFI_INVALID_PARAMETER;
	if (name[0]) {
		v = efi_var_snapshot_find(vars, count, name, vendor);
		if (!v)
			return EFI_INVALID_PARAMETER;
		next = v - vars + 1;
	}
	if (next >= count)
		return EFI_NOT_FOUND;
	v = &vars[next];
	if (*name_size < v->name_size) {
		*name_size = v->name_size;
		return EFI_BUFFER_TOO_SMALL;
	}
	memcpy(name, v->name, v->name_size);
	*vendor = v->vendor;
	*name_size = v->name_size;
	return EFI_SUCCESS;
}

static efi_status_t snap_get_next_variable(unsigned long *name_size,
					   efi_char16_t *name,
					   efi_guid_t *vendor)
{
	efi_status_t status;

	if (IS_ENABLED(CONFIG_EFI_STAGED_VARS) &&
	    efi_staged_get_next_variable(name_size, name, vendor, &status))
		return status;
	return efi_var_snapshot_next_name(snap_vars, snap_count, name_size,
					  name, vendor);
}

/* Staged writes go through efivarfs; pstore and other atomic writers wait. */
static efi_status_t snap_set_variable_nonblocking(efi_char16_t *name,
						  efi_guid_t *vendor, u32 attr,
						  unsigned long data_size,
						  void *data)
{
	return EFI_WRITE_PROTECTED;
}

static efi_status_t snap_query_variable_info(u32 attr, u64 *storage_space,
					     u64 *remaining_space,
					     u64 *max_variable_size)
{
	return EFI_UNSUPPORTED;
}

/**
 * efi_var_snapshot_vars() - the validated snapshot the kernel serves
 * @count: set to the number of variables
 *
 * The kernel's private copy, validated at boot and never changed: what
 * efi.get_variable() answers while the gate is locked, and what
 * load_uefi_certs() read if it ran locked.
 *
 * Return: the variables, or NULL (and *@count 0) if the kernel holds no
 * snapshot (none installed, or rejected).
 */
const struct efi_var_snapshot_var *efi_var_snapshot_vars(unsigned int *count)
{
	*count = snap_count;
	return snap_vars;
}

/**
 * efi_var_snapshot_serve() - answer variable reads from the snapshot
 * @mask: the runtime services the firmware supports (EFI_RT_SUPPORTED_*)
 *
 * Called by the gate with runtime services withheld and quiesced.  Puts
 * the snapshot's GetVariable() and GetNextVariableName() in place of the
 * firmware's, QueryVariableInfo() reports EFI_UNSUPPORTED, and the
 * supported mask becomes the two read services, so that consumers that
 * check it read variables again.  The efivars operations are the caller's
 * business.
 *
 * With staged writes (efi_var_snapshot_stage_writes()) SetVariable() is
 * efi_staged_set_variable() and the mask has it too.
 *
 * Return: true if the snapshot is served, false if there is none (or the
 * firmware has no variable services to stand in for).
 */
bool efi_var_snapshot_serve(u32 mask)
{
	const u32 reads = EFI_RT_SUPPORTED_GET_VARIABLE |
			  EFI_RT_SUPPORTED_GET_NEXT_VARIABLE_NAME;

	if (!snap_vars || (mask & reads) != reads)
		return false;
	if (!snap_serving) {
		fw_get_variable = efi.get_variable;
		fw_get_next_variable = efi.get_next_variable;
		fw_query_variable_info = efi.query_variable_info;
		fw_set_variable = efi.set_variable;
		fw_set_variable_nonblocking = efi.set_variable_nonblocking;
	}
	efi.get_variable = snap_get_variable;
	efi.get_next_variable = snap_get_next_variable;
	efi.query_variable_info = snap_query_variable_info;
	efi.runtime_supported_mask = reads;
	if (IS_ENABLED(CONFIG_EFI_STAGED_VARS) && snap_writes) {
		efi.set_variable = efi_staged_set_variable;
		efi.set_variable_nonblocking = snap_set_variable_nonblocking;
		efi.runtime_supported_mask |= EFI_RT_SUPPORTED_SET_VARIABLE;
	} else {
		efi.set_variable = fw_set_variable;
		efi.set_variable_nonblocking = fw_set_variable_nonblocking;
	}
	snap_serving = true;
	return true;
}

/**
 * efi_var_snapshot_stage_writes() - stage variable writes while served
 * @on: whether SetVariable() goes to the staged-write journal
 * @mask: the runtime services the firmware supports (EFI_RT_SUPPORTED_*)
 *
 * Called by the gate, with runtime services withheld, when a journal is
 * attached or detached; the caller re-registers the efivars operations.
 *
 * Return: true if the snapshot is served (and now with or without
 * writes), false otherwise.
 */
bool efi_var_snapshot_stage_writes(bool on, u32 mask)
{
	if (!snap_serving)
		return false;
	snap_writes = on;
	return efi_var_snapshot_serve(mask);
}

/**
 * efi_var_snapshot_unserve() - give variable reads back to the firmware
 *
 * Called by the gate when it opens, before it restores the supported
 * mask and re-registers the efivars operations.
 */
void efi_var_snapshot_unserve(void)
{
	if (!snap_serving)
		return;
	efi.get_variable = fw_get_variable;
	efi.get_next_variable = fw_get_next_variable;
	efi.query_variable_info = fw_query_variable_info;
	efi.set_variable = fw_set_variable;
	efi.set_variable_nonblocking = fw_set_variable_nonblocking;
	snap_writes = false;
	snap_serving = false;
}

/*
 * After efisubsys_init() (which sees no runtime services while the gate
 * is locked, and so neither registers efivars nor loads SSDTs from
 * variables) and before the late consumers (load_uefi_certs()).
 */
static int __init efi_var_snapshot_init(void)
{
	struct efi_var_snapshot_var *vars;
	void *buf, *map;
	u32 size = efi_var_snapshot_size, count;
	int n;

	if (!size)
		return 0;
	vars = NULL;
	buf = kvmalloc(size, GFP_KERNEL);
	map = memremap(efi_var_snapshot_table, size, MEMREMAP_WB);
	if (!buf || !map) {
		n = -ENOMEM;
		goto fail;
	}
	/* Validate and serve a private copy: nothing can change it later. */
	memcpy(buf, map, size);
	count = min_t(u32, get_unaligned_le32(buf + 8),
		      EFI_VAR_SNAPSHOT_MAX_COUNT);
	vars = kvcalloc(max(count, 1U), sizeof(*vars), GFP_KERNEL);
	if (!vars) {
		n = -ENOMEM;
		goto fail;
	}
	n = efi_var_snapshot_parse(buf, size, vars, count);
fail:
	if (n < 0) {
		pr_err("rejected (%pe): variables are unreadable while runtime services are withheld\n",
		       ERR_PTR(n));
		goto out;
	}
	snap_buf = buf;
	snap_vars = vars;
	snap_count = n;
	pr_info("%d variables, %u bytes\n", n, size);
	efi_gate_snapshot_ready();
out:
	if (map)
		memunmap(map);
	if (n < 0) {
		kvfree(vars);
		kvfree(buf);
	}
	return 0;
}
subsys_initcall_sync(efi_var_snapshot_init);

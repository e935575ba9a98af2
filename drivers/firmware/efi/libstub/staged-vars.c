// SPDX-License-Identifier: GPL-2.0
/*
 * Staged EFI variable writes, the EFI stub's part: find (or create) this
 * machine's journal on the volume the stub was loaded from, verify it,
 * apply it with boot-services SetVariable(), measure what was done into
 * PCR 1 and hand the kernel the keys of this boot in a configuration
 * table.  Formats: include/linux/efi_staged_vars.h.
 */

#include <linux/efi.h>
#include <linux/efi_rt_gate.h>
#include <linux/efi_staged_vars.h>
#include <crypto/sha2.h>
#include <asm/efi.h>

#include "efistub.h"

/* efi_rt_gate.staged_reset=never (efi_parse_options()) */
bool efi_staged_reset_never;

#define STAGED_KEY_ATTRS	(EFI_VARIABLE_NON_VOLATILE | \
				 EFI_VARIABLE_BOOTSERVICE_ACCESS)
#define STAGED_VAR_ATTRS	(STAGED_KEY_ATTRS | EFI_VARIABLE_RUNTIME_ACCESS)

/* "\EFI\Linux\efi-rt-gate\" + 32 hex digits + ".evj" + NUL */
#define STAGED_PATH_LEN		(sizeof(EFI_STAGED_DIR) / 2 + 1 + \
				 2 * EFI_STAGED_ID_SIZE + \
				 sizeof(EFI_STAGED_SUFFIX))

/* EFI_FILE_SYSTEM_INFO with room for its volume label */
union staged_fs_info {
	struct efi_file_system_info info;
	u8 buf[sizeof(struct efi_file_system_info) + 256];
};

/* The HARDDRIVE_DEVICE_PATH media node (UEFI 2.10, 10.3.5.1) */
struct staged_hd_dev_path {
	struct efi_generic_dev_path header;
	u32 partition_number;
	u64 partition_start;
	u64 partition_size;
	u8 signature[16];
	u8 mbr_type;
	u8 signature_type;		/* 2: GUID */
} __packed;

struct staged_journal {
	efi_file_protocol_t *file;
	u8 *buf;			/* the file's EFI_STAGED_CAPACITY bytes */
	u8 kb[EFI_STAGED_KEY_SIZE];	/* the boot key of the staging boot */
	u32 state;			/* as found */
	u32 records;			/* valid records */
	size_t end;			/* offset after the last one */
	bool reset;			/* a pre-kernel variable changed */
};

/* HMAC(key, label || a || b) */
static void staged_hmac(const u8 *key, const char *label, const void *a,
			size_t a_len, const void *b, size_t b_len,
			u8 mac[EFI_STAGED_MAC_SIZE])
{
	struct efi_staged_hmac h;

	efi_staged_hmac_init(&h, key, EFI_STAGED_KEY_SIZE);
	efi_staged_hmac_update(&h, label, strlen(label));
	efi_staged_hmac_update(&h, a, a_len);
	efi_staged_hmac_update(&h, b, b_len);
	efi_staged_hmac_final(&h, mac);
}

/* Kb = HMAC(K, "efi_rt_gate boot key" || le64 epoch || nonce) */
static void staged_boot_key(const u8 *k, __le64 epoch, const u8 *nonce,
			    u8 kb[EFI_STAGED_KEY_SIZE])
{
	staged_hmac(k, "efi_rt_gate boot key", &epoch, sizeof(epoch), nonce,
		    EFI_STAGED_NONCE_SIZE, kb);
}

/*
 * One of the stub's two variables (K, the last applied epoch): exactly
 * @size bytes, NV|BS.  EFI_NOT_FOUND if absent, EFI_SECURITY_VIOLATION if
 * it has other attributes or another size: a runtime writer may have
 * created it, so it is not to be trusted.
 */
static efi_status_t staged_get_own(const efi_char16_t *name, void *val,
				   unsigned long size)
{
	efi_guid_t guid = LINUX_EFI_STAGED_VARS_GUID;
	unsigned long got = size;
	efi_status_t status;
	u32 attr = 0;

	status = get_efi_var(name, &guid, &attr, &got, val);
	if (status == EFI_BUFFER_TOO_SMALL ||
	    (status == EFI_SUCCESS &&
	     (got != size || attr != STAGED_KEY_ATTRS)))
		return EFI_SECURITY_VIOLATION;
	return status;
}

static efi_status_t staged_set_own(const efi_char16_t *name, void *val,
				   unsigned long size)
{
	efi_guid_t guid = LINUX_EFI_STAGED_VARS_GUID;

	return set_efi_var(name, &guid, size ? STAGED_KEY_ATTRS : 0, size,
			   val);
}

/*
 * K (created if missing) and the last applied epoch (0 if none).  If
 * either variable is not what the stub writes (attributes, size), both
 * are replaced: a new K makes every older journal foreign, so that a
 * forged epoch cannot open the door to a replay.
 */
static enum efi_staged_status staged_keys(u8 k[EFI_STAGED_KEY_SIZE],
					  u64 *last)
{
	efi_status_t status, st_epoch;
	__le64 epoch = 0;

	status = staged_get_own(EFI_STAGED_KEY_NAME, k, EFI_STAGED_KEY_SIZE);
	st_epoch = staged_get_own(EFI_STAGED_EPOCH_NAME, &epoch,
				  sizeof(epoch));
	if (status == EFI_SECURITY_VIOLATION ||
	    st_epoch == EFI_SECURITY_VIOLATION) {
		efi_err("staged variable writes: %ls or %ls is not the stub's: new key, older journals are foreign\n",
			EFI_STAGED_KEY_NAME, EFI_STAGED_EPOCH_NAME);
		staged_set_own(EFI_STAGED_KEY_NAME, NULL, 0);
		staged_set_own(EFI_STAGED_EPOCH_NAME, NULL, 0);
		status = EFI_NOT_FOUND;
		epoch = 0;
	} else if (st_epoch != EFI_SUCCESS && st_epoch != EFI_NOT_FOUND) {
		efi_err("staged variable writes: cannot read %ls: 0x%lx\n",
			EFI_STAGED_EPOCH_NAME, st_epoch);
		return EFI_STAGED_ST_ERROR;
	}
	*last = le64_to_cpu(epoch);
	if (status == EFI_SUCCESS)
		return EFI_STAGED_ST_NONE;
	if (status != EFI_NOT_FOUND) {
		efi_err("staged variable writes: cannot read %ls: 0x%lx\n",
			EFI_STAGED_KEY_NAME, status);
		return EFI_STAGED_ST_ERROR;
	}

	status = efi_get_random_bytes(EFI_STAGED_KEY_SIZE, k);
	if (status != EFI_SUCCESS) {
		efi_info("staged variable writes: no EFI_RNG_PROTOCOL (0x%lx): off for this boot\n",
			 status);
		return EFI_STAGED_ST_ERROR;
	}
	status = staged_set_own(EFI_STAGED_KEY_NAME, k, EFI_STAGED_KEY_SIZE);
	if (status != EFI_SUCCESS) {
		efi_err("staged variable writes: cannot create %ls: 0x%lx\n",
			EFI_STAGED_KEY_NAME, status);
		return EFI_STAGED_ST_ERROR;
	}
	efi_info("staged variable writes: created the key of this machine\n");
	return EFI_STAGED_ST_NONE;
}

/* This boot's epoch, nonce and boot key, and the store id, into @tbl */
static enum efi_staged_status staged_this_boot(const u8 *k,
					       struct efi_staged_table *tbl)
{
	u8 id[EFI_STAGED_MAC_SIZE];
	efi_status_t status;
	u64 count = 0;

	status = efi_bs_call(get_next_monotonic_count, &count);
	if (status != EFI_SUCCESS) {
		efi_err("staged variable writes: GetNextMonotonicCount: 0x%lx\n",
			status);
		return EFI_STAGED_ST_ERROR;
	}
	status = efi_get_random_bytes(EFI_STAGED_NONCE_SIZE, tbl->nonce);
	if (status != EFI_SUCCESS) {
		efi_info("staged variable writes: no EFI_RNG_PROTOCOL (0x%lx): off for this boot\n",
			 status);
		return EFI_STAGED_ST_ERROR;
	}
	tbl->epoch = count;
	staged_boot_key(k, cpu_to_le64(count), tbl->nonce, tbl->boot_key);
	staged_hmac(k, "efi_rt_gate store id", NULL, 0, NULL, 0, id);
	memcpy(tbl->store_id, id, EFI_STAGED_ID_SIZE);
	return EFI_STAGED_ST_NONE;
}

/* The GPT partition GUID of the HD media node of @dev's device path */
static void staged_partuuid(efi_handle_t dev, u8 uuid[16])
{
	efi_guid_t dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
	const struct efi_generic_dev_path *node;
	const struct staged_hd_dev_path *hd;
	int i;

	if (efi_bs_call(handle_protocol, dev, &dp_guid,
			(void **)&node) != EFI_SUCCESS)
		return;
	for (i = 0; node && i < 64; i++) {
		if (node->type == EFI_DEV_END_PATH ||
		    node->type == EFI_DEV_END_PATH2 ||
		    node->length < sizeof(*node))
			return;
		hd = (const void *)node;
		if (node->type == EFI_DEV_MEDIA &&
		    node->sub_type == EFI_DEV_MEDIA_HARD_DRIVE &&
		    node->length >= sizeof(*hd) && hd->signature_type == 2) {
			memcpy(uuid, hd->signature, 16);
			return;
		}
		node = (const void *)node + node->length;
	}
}

/* The root directory of the writable volume the stub was loaded from */
static enum efi_staged_status staged_volume(efi_handle_t handle,
					    efi_loaded_image_t *image,
					    efi_file_protocol_t **root,
					    u8 partuuid[16])
{
	efi_guid_t loaded_image = LOADED_IMAGE_PROTOCOL_GUID;
	efi_guid_t fs_guid = EFI_FILE_SYSTEM_GUID;
	efi_guid_t fs_info_guid = EFI_FILE_SYSTEM_INFO_ID;
	efi_simple_file_system_protocol_t *fs;
	union staged_fs_info fsi;
	unsigned long size = sizeof(fsi);
	efi_handle_t dev;
	efi_status_t status;

	/* The EFI handover protocol gives no image: the loader's volume */
	if (!image &&
	    efi_bs_call(handle_protocol, handle, &loaded_image,
			(void **)&image) != EFI_SUCCESS)
		return EFI_STAGED_ST_NO_VOLUME;
	dev = efi_table_attr(image, device_handle);
	if (!dev ||
	    efi_bs_call(handle_protocol, dev, &fs_guid,
			(void **)&fs) != EFI_SUCCESS) {
		efi_info("staged variable writes: not loaded from a file system: no journal\n");
		return EFI_STAGED_ST_NO_VOLUME;
	}
	status = efi_call_proto(fs, open_volume, root);
	if (status != EFI_SUCCESS) {
		*root = NULL;
		efi_info("staged variable writes: cannot open the volume: 0x%lx: no journal\n",
			 status);
		return EFI_STAGED_ST_NO_VOLUME;
	}
	status = efi_call_proto(*root, get_info, &fs_info_guid, &size, &fsi);
	if (status == EFI_SUCCESS && fsi.info.read_only) {
		efi_info("staged variable writes: the volume is read-only: no journal\n");
		efi_call_proto(*root, close);
		*root = NULL;
		return EFI_STAGED_ST_NO_VOLUME;
	}
	staged_partuuid(dev, partuuid);
	return EFI_STAGED_ST_NONE;
}

/* Write @len bytes at @off, then flush */
static efi_status_t staged_write(efi_file_protocol_t *file, u64 off,
				 const void *buf, unsigned long len)
{
	unsigned long done = len;
	efi_status_t status;

	status = efi_call_proto(file, set_position, off);
	if (status == EFI_SUCCESS)
		status = efi_call_proto(file, write, &done, (void *)buf);
	if (status == EFI_SUCCESS && done != len)
		status = EFI_DEVICE_ERROR;
	if (status == EFI_SUCCESS)
		status = efi_call_proto(file, flush);
	return status;
}

/* The journal's path: \EFI\Linux\efi-rt-gate\<store id>.evj */
static void staged_path(efi_char16_t *path, const u8 *store_id)
{
	static const efi_char16_t dir[] = EFI_STAGED_DIR;
	static const char hex[] = "0123456789abcdef";
	static const char suffix[] = EFI_STAGED_SUFFIX;
	int i, n = 0;

	for (i = 0; dir[i]; i++)
		path[n++] = dir[i];
	path[n++] = L'\\';
	for (i = 0; i < EFI_STAGED_ID_SIZE; i++) {
		path[n++] = hex[store_id[i] >> 4];
		path[n++] = hex[store_id[i] & 15];
	}
	for (i = 0; suffix[i]; i++)
		path[n++] = suffix[i];
	path[n] = 0;
}

/* Open or create @path (a directory with @attr EFI_FILE_DIRECTORY) */
static efi_status_t staged_open(efi_file_protocol_t *root,
				efi_file_protocol_t **fh, efi_char16_t *path,
				bool create, u64 attr)
{
	u64 mode = EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE;
	efi_status_t status;

	if (create)
		mode |= EFI_FILE_MODE_CREATE;
	status = efi_call_proto(root, open, fh, path, mode, attr);
	if (status != EFI_SUCCESS)
		*fh = NULL;
	return status;
}

/*
 * Create the journal: the directories, then EFI_STAGED_CAPACITY bytes, an
 * EMPTY header and zeros, written and flushed; removed again if that
 * fails.  Never called on an existing file.
 */
static efi_status_t staged_create(efi_file_protocol_t *root,
				  efi_char16_t *path, const u8 *store_id,
				  u8 *buf, efi_file_protocol_t **fh)
{
	struct efi_staged_header *hdr = (void *)buf;
	efi_file_protocol_t *dir;
	efi_status_t status;
	efi_char16_t c;
	int i;

	/* Each directory of the path, from the root: "\EFI", "\EFI\Linux", ... */
	for (i = 1; path[i]; i++) {
		if (path[i] != L'\\')
			continue;
		c = path[i];
		path[i] = 0;
		status = staged_open(root, &dir, path, true,
				     EFI_FILE_DIRECTORY);
		path[i] = c;
		if (status != EFI_SUCCESS)
			return status;
		efi_call_proto(dir, close);
	}

	status = staged_open(root, fh, path, true, 0);
	if (status != EFI_SUCCESS)
		return status;
	memset(buf, 0, EFI_STAGED_CAPACITY);
	hdr->magic = cpu_to_le32(EFI_STAGED_MAGIC);
	hdr->version = cpu_to_le16(EFI_STAGED_VERSION);
	hdr->header_size = cpu_to_le16(EFI_STAGED_HDR_SIZE);
	hdr->state = cpu_to_le32(EFI_STAGED_EMPTY);
	hdr->capacity = cpu_to_le32(EFI_STAGED_CAPACITY);
	memcpy(hdr->store_id, store_id, EFI_STAGED_ID_SIZE);
	status = staged_write(*fh, 0, buf, EFI_STAGED_CAPACITY);
	if (status != EFI_SUCCESS) {
		efi_call_proto(*fh, delete);	/* closes it too */
		*fh = NULL;
	}
	return status;
}

/*
 * Open this machine's journal read-write and read it into j->buf, or
 * create it.  Sets EFI_STAGED_TBL_JOURNAL in @tbl if the file is usable
 * for staging: the right size and store id, writable.
 */
static enum efi_staged_status staged_read(efi_file_protocol_t *root,
					  struct staged_journal *j,
					  struct efi_staged_table *tbl)
{
	efi_guid_t info_guid = EFI_FILE_INFO_ID;
	efi_char16_t path[STAGED_PATH_LEN];
	unsigned long size, got;
	struct {
		efi_file_info_t info;
		efi_char16_t name[STAGED_PATH_LEN];
	} fi;
	efi_status_t status;
	enum efi_staged_status st;

	staged_path(path, tbl->store_id);
	status = staged_open(root, &j->file, path, false, 0);
	if (status == EFI_NOT_FOUND) {
		status = staged_create(root, path, tbl->store_id, j->buf,
				       &j->file);
		if (status != EFI_SUCCESS) {
			efi_err("staged variable writes: cannot create %ls: 0x%lx\n",
				path, status);
			return EFI_STAGED_ST_ERROR;
		}
		efi_info("staged variable writes: created %ls\n", path);
		tbl->flags |= EFI_STAGED_TBL_JOURNAL;
		j->state = EFI_STAGED_EMPTY;
		return EFI_STAGED_ST_NONE;
	}
	if (status != EFI_SUCCESS) {
		efi_err("staged variable writes: cannot open %ls for writing: 0x%lx\n",
			path, status);
		return EFI_STAGED_ST_ERROR;
	}

	size = sizeof(fi);
	status = efi_call_proto(j->file, get_info, &info_guid, &size, &fi);
	if (status != EFI_SUCCESS) {
		efi_err("staged variable writes: cannot stat %ls: 0x%lx\n",
			path, status);
		return EFI_STAGED_ST_ERROR;
	}
	if (fi.info.file_size != EFI_STAGED_CAPACITY ||
	    (fi.info.attribute & EFI_FILE_DIRECTORY)) {
		efi_err("staged variable writes: %ls: size %llu, not %u: left as it is\n",
			path, fi.info.file_size, EFI_STAGED_CAPACITY);
		return EFI_STAGED_ST_INVALID;
	}
	for (size = 0; size < EFI_STAGED_CAPACITY; size += got) {
		got = EFI_STAGED_CAPACITY - size;
		status = efi_call_proto(j->file, read, &got, j->buf + size);
		if (status != EFI_SUCCESS || !got) {
			efi_err("staged variable writes: cannot read %ls: 0x%lx\n",
				path, status);
			return EFI_STAGED_ST_ERROR;
		}
	}

	st = efi_staged_check_header(j->buf, EFI_STAGED_CAPACITY,
				     tbl->store_id);
	if (st == EFI_STAGED_ST_NONE)
		tbl->flags |= EFI_STAGED_TBL_JOURNAL;
	else if (st == EFI_STAGED_ST_FOREIGN)
		efi_err("staged variable writes: %ls is another store's journal: left as it is\n",
			path);
	else
		efi_err("staged variable writes: %ls has no valid header: left as it is\n",
			path);
	j->state = le32_to_cpu(((struct efi_staged_header *)j->buf)->state);
	return st;
}

/*
 * Check a journal of this machine against the epochs and its MACs, and
 * count its records.  Changes nothing.  EFI_STAGED_ST_NONE: go on (with
 * j->records of them; none: nothing to do).
 */
static enum efi_staged_status staged_verify(struct staged_journal *j,
					    const u8 *k, u64 last, u64 now)
{
	const struct efi_staged_header *hdr = (void *)j->buf;
	const u8 *res = j->buf + EFI_STAGED_RES_OFF;
	u64 epoch = le64_to_cpu(hdr->epoch);
	u8 mac[EFI_STAGED_MAC_SIZE];
	u32 i;

	if (j->state == EFI_STAGED_EMPTY)
		return EFI_STAGED_ST_NONE;
	/*
	 * Staged in an earlier boot, after the last journal applied; an
	 * applied one may have that very epoch (it reset before it was
	 * measured).
	 */
	if (epoch >= now || epoch < last ||
	    (epoch == last && j->state != EFI_STAGED_APPLIED)) {
		efi_err("staged variable writes: journal of epoch 0x%llx, last applied 0x%llx, this boot 0x%llx: replayed, left as it is\n",
			epoch, last, now);
		return EFI_STAGED_ST_REPLAYED;
	}
	staged_boot_key(k, hdr->epoch, hdr->nonce, j->kb);
	efi_staged_mac0(j->kb, hdr, mac);
	if (!efi_staged_mac_eq(mac, hdr->mac0)) {
		efi_err("staged variable writes: journal of epoch 0x%llx: wrong MAC, left as it is\n",
			epoch);
		return EFI_STAGED_ST_INVALID;
	}
	j->records = efi_staged_walk(j->buf, EFI_STAGED_CAPACITY, j->kb, mac,
				     &j->end);
	if (efi_staged_altered(j->buf, EFI_STAGED_CAPACITY, j->end, j->records,
			       j->kb)) {
		efi_err("staged variable writes: journal of epoch 0x%llx: record %u was altered, left as it is\n",
			epoch, j->records + 1);
		return EFI_STAGED_ST_INVALID;
	}
	/* What an append torn by a crash leaves: it was never acknowledged */
	for (i = j->end; i < EFI_STAGED_CAPACITY && !j->buf[i]; i++)
		;
	if (i < EFI_STAGED_CAPACITY)
		efi_info("staged variable writes: journal of epoch 0x%llx: what follows record %u does not verify (a torn write): ignored\n",
			 epoch, j->records);
	if (j->state == EFI_STAGED_APPLIED) {
		for (i = 0; i < EFI_STAGED_MAX_RECORDS; i++) {
			if (i < j->records ?
			    res[i] < EFI_STAGED_RES_APPLIED ||
			    res[i] > EFI_STAGED_RES_FAILED : res[i]) {
				efi_err("staged variable writes: applied journal of epoch 0x%llx: bad result of record %u, left as it is\n",
					epoch, i + 1);
				return EFI_STAGED_ST_INVALID;
			}
		}
	}
	return EFI_STAGED_ST_NONE;
}

/* A UCS-2 name is @prefix and four upper-case hex digits (Boot####) */
static bool staged_name_numbered(const efi_char16_t *name, const char *prefix)
{
	int i;

	for (; *prefix; name++, prefix++)
		if (*name != (u8)*prefix)
			return false;
	for (i = 0; i < 4; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'A' && name[i] <= 'F')))
			return false;
	return !name[4];
}

/*
 * What a runtime SetVariable() could not have done, whatever the current
 * variable: attributes other than NV|BS|RT (authenticated, hardware
 * error record, append, volatile, boot-services only), Secure Boot's
 * databases, and the stub's own variables.
 */
static bool staged_refused(const efi_guid_t *vendor, const efi_char16_t *name,
			   u32 attrs, bool del)
{
	if (!del && attrs != STAGED_VAR_ATTRS)
		return true;
	if (!efi_guidcmp(*vendor, LINUX_EFI_STAGED_VARS_GUID) ||
	    !efi_guidcmp(*vendor, EFI_IMAGE_SECURITY_DATABASE_GUID))
		return true;
	return !efi_guidcmp(*vendor, EFI_GLOBAL_VARIABLE_GUID) &&
	       (efi_staged_name_is(name, "PK") || efi_staged_name_is(name, "KEK"));
}

/*
 * Read by the firmware or a boot loader before the kernel: a change takes
 * effect in the boot the user expects only after a reset.
 */
static bool staged_pre_kernel(const efi_guid_t *vendor,
			      const efi_char16_t *name)
{
	if (!efi_guidcmp(*vendor, LINUX_EFI_LOADER_ENTRY_GUID) ||
	    !efi_guidcmp(*vendor, EFI_SHIM_LOCK_GUID))
		return true;
	if (efi_guidcmp(*vendor, EFI_GLOBAL_VARIABLE_GUID))
		return false;
	return efi_staged_name_is(name, "BootNext") ||
	       efi_staged_name_is(name, "BootOrder") ||
	       efi_staged_name_is(name, "DriverOrder") ||
	       efi_staged_name_is(name, "SysPrepOrder") ||
	       efi_staged_name_is(name, "OsIndications") ||
	       staged_name_numbered(name, "Boot") ||
	       staged_name_numbered(name, "Driver") ||
	       staged_name_numbered(name, "SysPrep");
}

/* The current value of a variable into *cur (grown as needed) */
static efi_status_t staged_get_current(const efi_char16_t *name,
				       efi_guid_t *vendor, u32 *attrs,
				       u8 **cur, unsigned long *cap,
				       unsigned long *size)
{
	efi_status_t status;

	*size = *cap;
	status = get_efi_var(name, vendor, attrs, size, *cur);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status;
	if (*cur)
		efi_bs_call(free_pool, *cur);
	*cap = *size;
	status = efi_bs_call(allocate_pool, EFI_LOADER_DATA, *cap,
			     (void **)cur);
	if (status != EFI_SUCCESS) {
		*cur = NULL;
		*cap = 0;
		return status;
	}
	return get_efi_var(name, vendor, attrs, size, *cur);
}

/* Apply one record; its result */
static u8 staged_apply_one(const struct efi_staged_record *rec, u8 **cur,
			   unsigned long *cap, bool interrupted, bool *reset)
{
	const efi_char16_t *name = (const void *)(rec + 1);
	const u8 *data = (const u8 *)name + le32_to_cpu(rec->name_size);
	u32 data_size = le32_to_cpu(rec->data_size);
	u32 attrs = le32_to_cpu(rec->attributes);
	bool del = le32_to_cpu(rec->flags) & EFI_STAGED_REC_DELETE;
	efi_guid_t vendor = rec->vendor;
	unsigned long size;
	efi_status_t status;
	u32 cur_attrs = 0;

	if (staged_refused(&vendor, name, attrs, del))
		return EFI_STAGED_RES_REFUSED;
	status = staged_get_current(name, &vendor, &cur_attrs, cur, cap,
				    &size);
	if (status == EFI_SUCCESS) {
		/* Volatile, boot-services only or authenticated */
		if (cur_attrs != STAGED_VAR_ATTRS)
			return EFI_STAGED_RES_REFUSED;
		if (!del && size == data_size && !memcmp(*cur, data, size))
			return EFI_STAGED_RES_UNCHANGED;
	} else if (status == EFI_NOT_FOUND) {
		if (del)
			return EFI_STAGED_RES_UNCHANGED;
	} else {
		return EFI_STAGED_RES_FAILED;
	}
	if (interrupted && efi_staged_one_shot(&vendor, name))
		return EFI_STAGED_RES_SKIPPED;
	status = set_efi_var(name, &vendor, del ? 0 : attrs,
			     del ? 0 : data_size, del ? NULL : (void *)data);
	if (status != EFI_SUCCESS)
		return EFI_STAGED_RES_FAILED;
	if (staged_pre_kernel(&vendor, name))
		*reset = true;
	return EFI_STAGED_RES_APPLIED;
}

static const char *staged_result_name(u8 res)
{
	switch (res) {
	case EFI_STAGED_RES_APPLIED:	return "applied";
	case EFI_STAGED_RES_UNCHANGED:	return "unchanged";
	case EFI_STAGED_RES_REFUSED:	return "refused";
	case EFI_STAGED_RES_SKIPPED:	return "skipped (one-shot)";
	default:			return "failed";
	}
}

/*
 * Apply a verified journal: mark it APPLYING, apply each record in order,
 * write the results and mark it APPLIED, then record its epoch as the
 * last applied one.  Each mark is an in-place write and a flush; without
 * the first nothing is applied.  A journal already APPLYING when found
 * was interrupted: every record is applied again (an unchanged variable
 * is not written), except one-shot variables.
 */
static enum efi_staged_status staged_apply(struct staged_journal *j,
					   u64 *last)
{
	struct efi_staged_header *hdr = (void *)j->buf;
	bool interrupted = j->state == EFI_STAGED_APPLYING;
	u8 *res = j->buf + EFI_STAGED_RES_OFF;
	size_t off = EFI_STAGED_REC_OFF;
	const struct efi_staged_record *rec;
	unsigned long cap = EFI_STAGED_MAX_DATA;
	efi_status_t status;
	u8 *cur;
	u32 i;

	status = efi_bs_call(allocate_pool, EFI_LOADER_DATA, cap,
			     (void **)&cur);
	if (status != EFI_SUCCESS) {
		efi_err("staged variable writes: no memory: nothing applied\n");
		return EFI_STAGED_ST_ERROR;
	}
	if (interrupted) {
		efi_info("staged variable writes: an apply of the journal of epoch 0x%llx was interrupted: applying it again, one-shot variables skipped\n",
			 le64_to_cpu(hdr->epoch));
	} else {
		hdr->state = cpu_to_le32(EFI_STAGED_APPLYING);
		status = staged_write(j->file, 0, hdr, EFI_STAGED_HDR_SIZE);
		if (status != EFI_SUCCESS) {
			efi_err("staged variable writes: cannot mark the journal: 0x%lx: nothing applied\n",
				status);
			efi_bs_call(free_pool, cur);
			return EFI_STAGED_ST_ERROR;
		}
	}
	efi_info("staged variable writes: applying %u records of epoch 0x%llx\n",
		 j->records, le64_to_cpu(hdr->epoch));

	for (i = 0; i < j->records; i++) {
		rec = (const void *)(j->buf + off);
		res[i] = staged_apply_one(rec, &cur, &cap, interrupted,
					  &j->reset);
		efi_info("staged write %u/%u: %ls: %s\n", i + 1, j->records,
			 (const efi_char16_t *)(rec + 1),
			 staged_result_name(res[i]));
		off += le32_to_cpu(rec->size);
	}
	if (cur)
		efi_bs_call(free_pool, cur);

	status = staged_write(j->file, EFI_STAGED_RES_OFF, res,
			      EFI_STAGED_MAX_RECORDS);
	if (status == EFI_SUCCESS) {
		hdr->state = cpu_to_le32(EFI_STAGED_APPLIED);
		status = staged_write(j->file, 0, hdr, EFI_STAGED_HDR_SIZE);
	}
	if (status != EFI_SUCCESS) {
		efi_err("staged variable writes: applied, but cannot mark the journal: 0x%lx: applied again at the next boot\n",
			status);
		return EFI_STAGED_ST_ERROR;
	}
	j->state = EFI_STAGED_APPLIED;
	status = staged_set_own(EFI_STAGED_EPOCH_NAME, &hdr->epoch,
				sizeof(hdr->epoch));
	if (status == EFI_SUCCESS)
		*last = le64_to_cpu(hdr->epoch);
	else
		efi_err("staged variable writes: cannot record the epoch: 0x%lx\n",
			status);
	return EFI_STAGED_ST_NONE;
}

/* "<vendor GUID>-<name> attrs=0x%x len=%u" or "... delete", at most @size - 1 */
static size_t staged_record_text(char *text, size_t size,
				 const struct efi_staged_record *rec)
{
	const efi_char16_t *name = (const void *)(rec + 1);
	const u8 *g = rec->vendor.b;
	char tail[32];
	size_t n, t, room;

	if (le32_to_cpu(rec->flags) & EFI_STAGED_REC_DELETE)
		t = snprintf(tail, sizeof(tail), " delete");
	else
		t = snprintf(tail, sizeof(tail), " attrs=0x%x len=%u",
			     le32_to_cpu(rec->attributes),
			     le32_to_cpu(rec->data_size));
	n = snprintf(text, size,
		     "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x-",
		     g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
		     g[10], g[11], g[12], g[13], g[14], g[15]);
	room = size - 1 - t;
	for (; *name && n < room; name++)
		text[n++] = *name >= 0x20 && *name < 0x7f ? *name : '?';
	memcpy(text + n, tail, t + 1);
	return n + t;
}

/*
 * Measure an applied journal into PCR 1: one event per record, then the
 * summary (include/linux/efi_staged_vars.h); count the results into @tbl.
 */
static void staged_measure(const struct staged_journal *j,
			   struct efi_staged_table *tbl)
{
	static const __le32 pending = cpu_to_le32(EFI_STAGED_PENDING);
	const u8 *res = j->buf + EFI_STAGED_RES_OFF;
	size_t off = EFI_STAGED_REC_OFF;
	const struct efi_staged_record *rec;
	u32 n[EFI_STAGED_RES_FAILED + 1] = {}, i;
	u8 digest[SHA256_DIGEST_SIZE];
	char text[EFI_GATE_EVENT_TEXT_MAX + 1];
	efi_status_t status = EFI_SUCCESS;
	struct sha256_state sha;
	size_t len;

	for (i = 0; i < j->records; i++) {
		rec = (const void *)(j->buf + off);
		sha256((const u8 *)(rec + 1) + le32_to_cpu(rec->name_size),
		       le32_to_cpu(rec->data_size), digest);
		len = staged_record_text(text, sizeof(text), rec);
		status |= efi_measure_staged_event(EFI_GATE_OP_STAGED_RECORD,
						   res[i], i + 1,
						   EFI_GATE_DIGEST_STAGED_DATA,
						   digest, text, len);
		n[res[i]]++;
		off += le32_to_cpu(rec->size);
	}

	/* The header as the staging kernel wrote it, then the records */
	sha256_init(&sha);
	sha256_update(&sha, j->buf, offsetof(struct efi_staged_header, state));
	sha256_update(&sha, (const u8 *)&pending, sizeof(pending));
	sha256_update(&sha, j->buf + offsetof(struct efi_staged_header,
					      capacity),
		      EFI_STAGED_HDR_SIZE -
		      offsetof(struct efi_staged_header, capacity));
	sha256_update(&sha, j->buf + EFI_STAGED_REC_OFF,
		      j->end - EFI_STAGED_REC_OFF);
	sha256_final(&sha, digest);
	len = snprintf(text, sizeof(text),
		       "staged journal epoch 0x%llx: %u records: %u applied, %u unchanged, %u refused, %u skipped, %u failed",
		       le64_to_cpu(((struct efi_staged_header *)j->buf)->epoch),
		       j->records, n[EFI_STAGED_RES_APPLIED],
		       n[EFI_STAGED_RES_UNCHANGED], n[EFI_STAGED_RES_REFUSED],
		       n[EFI_STAGED_RES_SKIPPED], n[EFI_STAGED_RES_FAILED]);
	status |= efi_measure_staged_event(EFI_GATE_OP_STAGED_JOURNAL, 0,
					   j->records,
					   EFI_GATE_DIGEST_STAGED_JOURNAL,
					   digest, text, len);
	efi_info("staged variable writes: %s; %s\n", text,
		 status == EFI_SUCCESS ? "measured into PCR 1" :
		 "not measured");

	tbl->applied = n[EFI_STAGED_RES_APPLIED] + n[EFI_STAGED_RES_UNCHANGED];
	tbl->refused = n[EFI_STAGED_RES_REFUSED] + n[EFI_STAGED_RES_FAILED];
	tbl->skipped = n[EFI_STAGED_RES_SKIPPED];
}

/*
 * Back to EMPTY: the fixed fields of the header stay; the rest of it and
 * the results go, then the records and whatever follows them (a torn
 * write), so that the next journal starts on zeros.
 */
static efi_status_t staged_empty(struct staged_journal *j)
{
	struct efi_staged_header *hdr = (void *)j->buf;
	size_t used = EFI_STAGED_CAPACITY;
	efi_status_t status;

	while (used > EFI_STAGED_REC_OFF && !j->buf[used - 1])
		used--;
	hdr->state = cpu_to_le32(EFI_STAGED_EMPTY);
	hdr->epoch = 0;
	memset(hdr->nonce, 0, sizeof(hdr->nonce));
	memset(hdr->mac0, 0, sizeof(hdr->mac0));
	memset(j->buf + sizeof(*hdr), 0, used - sizeof(*hdr));
	status = staged_write(j->file, 0, j->buf, EFI_STAGED_REC_OFF);
	if (status == EFI_SUCCESS && used > EFI_STAGED_REC_OFF)
		status = staged_write(j->file, EFI_STAGED_REC_OFF,
				      j->buf + EFI_STAGED_REC_OFF,
				      used - EFI_STAGED_REC_OFF);
	return status;
}

static void staged_close(struct staged_journal *j, efi_file_protocol_t *root)
{
	memzero_explicit(j->kb, sizeof(j->kb));
	if (j->buf)
		efi_bs_call(free_pool, j->buf);
	j->buf = NULL;
	if (j->file)
		efi_call_proto(j->file, close);
	j->file = NULL;
	if (root)
		efi_call_proto(root, close);
}

/**
 * efi_staged_vars_apply() - apply and measure staged EFI variable writes
 * @handle: the image handle the stub was entered with
 * @image: the stub's LOADED_IMAGE, or NULL (EFI handover protocol: the
 *	LOADED_IMAGE of @handle, the boot loader's, is used)
 *
 * On the volume the image was loaded from, unless it is read-only, finds
 * or creates this machine's journal, \EFI\Linux\efi-rt-gate\<store
 * id>.evj.  If it holds writes staged by an earlier boot of this machine
 * that verify, applies them with SetVariable() (only what a runtime
 * SetVariable() could have done), measures what was done into PCR 1 and
 * empties the journal; if a variable that the firmware or a boot loader
 * reads before the kernel changed, resets the machine first (unless
 * efi_rt_gate.staged_reset=never), and the next boot measures.  A
 * journal of another machine, an altered one or an old one is left as it
 * is and not measured.  Then installs LINUX_EFI_STAGED_TABLE_GUID in
 * EFI_ACPI_RECLAIM_MEMORY: what was found and done, and this boot's keys
 * for the kernel to stage with.  The variable key K must be created from
 * EFI_RNG_PROTOCOL: without it nothing happens in this boot.
 *
 * To be called before the stub's other variable reads and writes, the
 * variable snapshot and the policy measurement, and only in native mode.
 */
void efi_staged_vars_apply(efi_handle_t handle, efi_loaded_image_t *image)
{
	efi_guid_t guid = LINUX_EFI_STAGED_TABLE_GUID;
	struct staged_journal j = {};
	efi_file_protocol_t *root = NULL;
	struct efi_staged_table *tbl;
	u8 k[EFI_STAGED_KEY_SIZE];
	enum efi_staged_status st;
	efi_status_t status;
	__le64 measured;
	u64 last = 0;

	if (get_efi_config_table(guid)) {
		efi_err("staged variable writes: table installed before the stub: removed\n");
		efi_bs_call(install_configuration_table, &guid, NULL);
	}
	status = efi_bs_call(allocate_pool, EFI_ACPI_RECLAIM_MEMORY,
			     sizeof(*tbl), (void **)&tbl);
	if (status != EFI_SUCCESS) {
		efi_err("staged variable writes: no memory: off for this boot\n");
		return;
	}
	memset(tbl, 0, sizeof(*tbl));
	tbl->magic = EFI_STAGED_TABLE_MAGIC;
	tbl->size = sizeof(*tbl);

	st = staged_keys(k, &last);
	if (st == EFI_STAGED_ST_NONE)
		st = staged_this_boot(k, tbl);
	if (st == EFI_STAGED_ST_NONE)
		st = staged_volume(handle, image, &root, tbl->esp_partuuid);
	if (st == EFI_STAGED_ST_NONE &&
	    efi_bs_call(allocate_pool, EFI_LOADER_DATA, EFI_STAGED_CAPACITY,
			(void **)&j.buf) != EFI_SUCCESS) {
		j.buf = NULL;
		st = EFI_STAGED_ST_ERROR;
	}
	if (st == EFI_STAGED_ST_NONE)
		st = staged_read(root, &j, tbl);
	if (st == EFI_STAGED_ST_NONE)
		st = staged_verify(&j, k, last, tbl->epoch);
	memzero_explicit(k, sizeof(k));

	/* Staged by this machine, but no record was ever acknowledged */
	if (st == EFI_STAGED_ST_NONE && !j.records &&
	    j.state == EFI_STAGED_PENDING) {
		efi_info("staged variable writes: journal without a valid record: emptied\n");
		if (staged_empty(&j) != EFI_SUCCESS)
			st = EFI_STAGED_ST_ERROR;
	}
	if (st == EFI_STAGED_ST_NONE && j.records &&
	    j.state != EFI_STAGED_APPLIED) {
		st = staged_apply(&j, &last);
		if (st == EFI_STAGED_ST_NONE && j.reset &&
		    !efi_staged_reset_never) {
			efi_info("staged variable writes: boot variables changed: resetting, the next boot measures them\n");
			staged_close(&j, root);
			efi_rt_call(reset_system, EFI_RESET_WARM, EFI_SUCCESS,
				    0, NULL);
			efi_err("staged variable writes: ResetSystem() returned\n");
			/* Measured by the next boot that gets this far */
			st = EFI_STAGED_ST_ERROR;
			root = NULL;
		}
	}
	if (st == EFI_STAGED_ST_NONE && j.records) {
		/*
		 * Found APPLIED (an earlier boot reset), or applied just now:
		 * measure it, then record that it was, so that a copy of it
		 * is never measured again, and empty it.
		 */
		staged_measure(&j, tbl);
		measured = cpu_to_le64(le64_to_cpu(((struct efi_staged_header *)
						    j.buf)->epoch) + 1);
		status = staged_set_own(EFI_STAGED_EPOCH_NAME, &measured,
					sizeof(measured));
		if (status != EFI_SUCCESS)
			efi_err("staged variable writes: cannot record the epoch: 0x%lx\n",
				status);
		status = staged_empty(&j);
		if (status != EFI_SUCCESS) {
			efi_err("staged variable writes: cannot empty the journal: 0x%lx\n",
				status);
			tbl->flags &= ~EFI_STAGED_TBL_JOURNAL;
		}
		st = EFI_STAGED_ST_APPLIED;
	}
	if (st == EFI_STAGED_ST_ERROR)
		tbl->flags &= ~EFI_STAGED_TBL_JOURNAL;
	tbl->status = st;
	staged_close(&j, root);

	status = efi_bs_call(install_configuration_table, &guid, tbl);
	if (status != EFI_SUCCESS) {
		efi_err("staged variable writes: cannot install the table: 0x%lx\n",
			status);
		memzero_explicit(tbl, sizeof(*tbl));
		efi_bs_call(free_pool, tbl);
	}
}

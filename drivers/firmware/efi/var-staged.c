// SPDX-License-Identifier: GPL-2.0
/*
 * Staged EFI variable writes while the EFI runtime gate is locked.
 *
 * With runtime services withheld, variable reads are answered from the
 * boot-time snapshot (var-snapshot.c).  Once root has attached the
 * journal that the EFI stub keeps on the ESP, a variable write does not
 * reach the firmware either: it is checked as a runtime SetVariable()
 * would be, appended to the journal with a MAC chained under this boot's
 * key, made durable (fsync) and only then shown to readers, through an
 * overlay on the snapshot.  The EFI stub applies the journal at the next
 * boot, before any launch, and measures what it did (<linux/efi_staged_vars.h>).
 *
 * Nothing here runs firmware code or extends a PCR.  An unlock applies
 * what is pending through the firmware, in order, and empties the
 * journal; after an unlock nothing is staged for the rest of the boot
 * (the snapshot no longer describes the firmware's store).
 */

#define pr_fmt(fmt) "efi: staged: " fmt

#include <linux/efi.h>
#include <linux/efi_rt_gate.h>
#include <linux/efi_staged_vars.h>
#include <linux/efi_var_snapshot.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/notifier.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/ucs2_string.h>
#include <linux/unaligned.h>
#include <linux/blkdev.h>

unsigned long __ro_after_init efi_staged_table = EFI_INVALID_TABLE_ADDR;

#define STAGED_STD_ATTRS	(EFI_VARIABLE_NON_VOLATILE | \
				 EFI_VARIABLE_BOOTSERVICE_ACCESS | \
				 EFI_VARIABLE_RUNTIME_ACCESS)
/* Attributes a staged write never carries: the firmware must check those. */
#define STAGED_AUTH_ATTRS	(EFI_VARIABLE_HARDWARE_ERROR_RECORD | \
				 EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS | \
				 EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS | \
				 0x80 /* ENHANCED_AUTHENTICATED_ACCESS */)

/**
 * struct staged_var - a variable as the overlay holds it
 * @list: in staged_vars, in the order of first change
 * @vendor: the vendor GUID
 * @name: the name, UCS-2 with its NUL
 * @name_size: its size in bytes
 * @deleted: staged for deletion (@data is then NULL)
 * @in_snapshot: the snapshot has a variable of this name
 * @attributes: the attributes
 * @data: the value
 * @data_size: its size
 * @seq: the journal record that last changed it
 */
struct staged_var {
	struct list_head list;
	efi_guid_t vendor;
	efi_char16_t *name;
	u32 name_size;
	bool deleted;
	bool in_snapshot;
	u32 attributes;
	u8 *data;
	u32 data_size;
	u32 seq;
};

static DEFINE_MUTEX(staged_mutex);
static LIST_HEAD(staged_vars);
static struct efi_staged_table staged_tbl;
static bool staged_available;	/* the stub handed us a usable table */
static bool staged_over;	/* unlocked: nothing is staged this boot */
static struct file *staged_file;
static char *staged_where;	/* the ESP mount point, for the status */
static bool staged_hdr_written;	/* this boot's header is on the journal */
static loff_t staged_tail = EFI_STAGED_REC_OFF;
static u32 staged_seq;
static u8 staged_prev_mac[EFI_STAGED_MAC_SIZE];

static const char *const staged_status_names[] = {
	[EFI_STAGED_ST_NONE]		= "none",
	[EFI_STAGED_ST_APPLIED]		= "applied",
	[EFI_STAGED_ST_FOREIGN]		= "foreign",
	[EFI_STAGED_ST_INVALID]		= "invalid",
	[EFI_STAGED_ST_REPLAYED]	= "replayed",
	[EFI_STAGED_ST_NO_VOLUME]	= "no-volume",
	[EFI_STAGED_ST_ERROR]		= "error",
};

/* Secure Boot's own variables: changed only through the measured unlock. */
static bool staged_secure_boot_var(const efi_guid_t *vendor,
				   const efi_char16_t *name)
{
	static const char *const global[] = {
		"PK", "KEK", "PKDefault", "KEKDefault", "dbDefault",
		"dbxDefault", "dbtDefault", "dbrDefault", "SecureBoot",
		"SetupMode", "AuditMode", "DeployedMode", "VendorKeys",
	};
	unsigned int i;

	if (!efi_guidcmp(*vendor, EFI_IMAGE_SECURITY_DATABASE_GUID) ||
	    !efi_guidcmp(*vendor, LINUX_EFI_STAGED_VARS_GUID))
		return true;
	if (efi_guidcmp(*vendor, EFI_GLOBAL_VARIABLE_GUID))
		return false;
	for (i = 0; i < ARRAY_SIZE(global); i++)
		if (efi_staged_name_is(name, global[i]))
			return true;
	return false;
}

static struct staged_var *staged_find(const efi_char16_t *name,
				      const efi_guid_t *vendor)
{
	struct staged_var *v;

	list_for_each_entry(v, &staged_vars, list)
		if (!efi_guidcmp(v->vendor, *vendor) &&
		    efi_staged_name_eq(v->name, name))
			return v;
	return NULL;
}

static bool staged_active(void)
{
	return !list_empty(&staged_vars);
}

/**
 * efi_staged_get_variable() - GetVariable() of the overlay
 * @name: the name
 * @vendor: the vendor GUID
 * @attr: set to the attributes (may be NULL)
 * @data_size: in: the size of @data; out: the value's size
 * @data: the value
 * @status: set to the answer if this returns true
 *
 * Called by the snapshot's GetVariable() while it serves reads.
 *
 * Return: true if the overlay answers for this variable (*@status is the
 * answer), false if the snapshot does.
 */
bool efi_staged_get_variable(efi_char16_t *name, efi_guid_t *vendor,
			     u32 *attr, unsigned long *data_size, void *data,
			     efi_status_t *status)
{
	struct staged_var *v;

	guard(mutex)(&staged_mutex);
	v = staged_find(name, vendor);
	if (!v)
		return false;
	if (v->deleted) {
		*status = EFI_NOT_FOUND;
		return true;
	}
	if (attr)
		*attr = v->attributes;
	if (*data_size < v->data_size) {
		*data_size = v->data_size;
		*status = EFI_BUFFER_TOO_SMALL;
		return true;
	}
	memcpy(data, v->data, v->data_size);
	*data_size = v->data_size;
	*status = EFI_SUCCESS;
	return true;
}

static efi_status_t staged_copy_name(const efi_char16_t *src, u32 size,
				     const efi_guid_t *vendor,
				     unsigned long *name_size,
				     efi_char16_t *name, efi_guid_t *out)
{
	if (*name_size < size) {
		*name_size = size;
		return EFI_BUFFER_TOO_SMALL;
	}
	memcpy(name, src, size);
	*out = *vendor;
	*name_size = size;
	return EFI_SUCCESS;
}

/**
 * efi_staged_get_next_variable() - GetNextVariableName() with the overlay
 * @name_size: as for GetNextVariableName()
 * @name: as for GetNextVariableName()
 * @vendor: as for GetNextVariableName()
 * @status: set to the answer if this returns true
 *
 * The snapshot's variables in its order, without those staged for
 * deletion, then the variables created by staged writes, in the order
 * they were first written.
 *
 * Return: true if the overlay answered (*@status), false if nothing is
 * staged and the snapshot answers alone.
 */
bool efi_staged_get_next_variable(unsigned long *name_size,
				  efi_char16_t *name, efi_guid_t *vendor,
				  efi_status_t *status)
{
	const struct efi_var_snapshot_var *vars, *sv;
	struct staged_var *v, *start = NULL;
	unsigned int count, i = 0;
	unsigned long len;

	guard(mutex)(&staged_mutex);
	if (!staged_active())
		return false;
	*status = EFI_INVALID_PARAMETER;
	if (!name_size || !name || !vendor)
		return true;
	len = *name_size / sizeof(*name);
	if (ucs2_strnlen(name, len) == len)
		return true;

	vars = efi_var_snapshot_vars(&count);
	if (name[0]) {
		sv = efi_var_snapshot_find(vars, count, name, vendor);
		if (sv) {
			i = sv - vars + 1;
		} else {
			start = staged_find(name, vendor);
			if (!start || start->in_snapshot)
				return true;
			i = count;
		}
	}
	for (; i < count; i++) {
		sv = &vars[i];
		v = staged_find(sv->name, &sv->vendor);
		if (v && v->deleted)
			continue;
		*status = staged_copy_name(sv->name, sv->name_size,
					   &sv->vendor, name_size, name,
					   vendor);
		return true;
	}
	v = start ? list_next_entry(start, list) :
		    list_first_entry(&staged_vars, struct staged_var, list);
	list_for_each_entry_from(v, &staged_vars, list) {
		if (v->in_snapshot || v->deleted)
			continue;
		*status = staged_copy_name(v->name, v->name_size, &v->vendor,
					   name_size, name, vendor);
		return true;
	}
	*status = EFI_NOT_FOUND;
	return true;
}

/* The value a reader sees now: the overlay's, or the snapshot's. */
static bool staged_current(const efi_char16_t *name, const efi_guid_t *vendor,
			   u32 *attr, const u8 **data, u32 *size)
{
	const struct efi_var_snapshot_var *vars, *sv;
	struct staged_var *v = staged_find(name, vendor);
	unsigned int count;

	if (v) {
		if (v->deleted)
			return false;
		*attr = v->attributes;
		*data = v->data;
		*size = v->data_size;
		return true;
	}
	vars = efi_var_snapshot_vars(&count);
	sv = efi_var_snapshot_find(vars, count, name, vendor);
	if (!sv)
		return false;
	*attr = sv->attributes;
	*data = sv->data;
	*size = sv->data_size;
	return true;
}

static int staged_write_at(const void *buf, size_t len, loff_t pos)
{
	ssize_t n = kernel_write(staged_file, buf, len, &pos);

	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

static int staged_write_header(u32 state)
{
	struct efi_staged_header *hdr;
	int ret;

	hdr = kzalloc(EFI_STAGED_HDR_SIZE, GFP_KERNEL);
	if (!hdr)
		return -ENOMEM;
	hdr->magic = cpu_to_le32(EFI_STAGED_MAGIC);
	hdr->version = cpu_to_le16(EFI_STAGED_VERSION);
	hdr->header_size = cpu_to_le16(EFI_STAGED_HDR_SIZE);
	hdr->state = cpu_to_le32(state);
	hdr->capacity = cpu_to_le32(EFI_STAGED_CAPACITY);
	memcpy(hdr->store_id, staged_tbl.store_id, sizeof(hdr->store_id));
	if (state == EFI_STAGED_PENDING) {
		hdr->epoch = cpu_to_le64(staged_tbl.epoch);
		memcpy(hdr->nonce, staged_tbl.nonce, sizeof(hdr->nonce));
		efi_staged_mac0(staged_tbl.boot_key, hdr, hdr->mac0);
		/* The first record chains to it. */
		memcpy(staged_prev_mac, hdr->mac0, sizeof(staged_prev_mac));
	}
	ret = staged_write_at(hdr, EFI_STAGED_HDR_SIZE, 0);
	kfree(hdr);
	return ret;
}

/*
 * Append one record (@rec, its MAC space included) and make it durable.
 * On failure nothing is acknowledged and the tail stays: the next record
 * overwrites whatever reached the file.
 */
static int staged_append(u8 *rec, u32 size)
{
	u8 mac[EFI_STAGED_MAC_SIZE];
	int ret;

	if (staged_seq >= EFI_STAGED_MAX_RECORDS ||
	    staged_tail + size > EFI_STAGED_CAPACITY)
		return -ENOSPC;
	if (!staged_hdr_written) {
		ret = staged_write_header(EFI_STAGED_PENDING);
		if (ret)
			return ret;
	}
	efi_staged_record_mac(staged_tbl.boot_key, staged_prev_mac, rec,
			      size - EFI_STAGED_MAC_SIZE, mac);
	memcpy(rec + size - EFI_STAGED_MAC_SIZE, mac, sizeof(mac));
	ret = staged_write_at(rec, size, staged_tail);
	if (!ret)
		ret = vfs_fsync(staged_file, 0);
	if (ret)
		return ret;
	staged_hdr_written = true;
	staged_tail += size;
	staged_seq++;
	memcpy(staged_prev_mac, mac, sizeof(mac));
	return 0;
}

static efi_status_t staged_errno_status(int err)
{
	return err == -ENOSPC ? EFI_OUT_OF_RESOURCES :
	       err == -ENOMEM ? EFI_OUT_OF_RESOURCES : EFI_DEVICE_ERROR;
}

/* Journal a write, then show it: the overlay follows the durable record. */
static efi_status_t staged_commit(const efi_char16_t *name, u32 name_size,
				  const efi_guid_t *vendor, u32 attr,
				  u32 flags, const u8 *data, u32 data_size)
{
	struct efi_staged_record *r;
	struct staged_var *v;
	u8 *rec, *copy = NULL;
	u32 size;
	int ret;

	size = ALIGN(EFI_STAGED_REC_HDR_SIZE + name_size + data_size, 8) +
	       EFI_STAGED_MAC_SIZE;
	rec = kzalloc(size, GFP_KERNEL);
	if (data_size)
		copy = kmemdup(data, data_size, GFP_KERNEL);
	v = staged_find(name, vendor);
	if (!v) {
		v = kzalloc(sizeof(*v), GFP_KERNEL);
		if (v)
			v->name = kmemdup(name, name_size, GFP_KERNEL);
		if (v && !v->name) {
			kfree(v);
			v = NULL;
		} else if (v) {
			unsigned int count;
			const struct efi_var_snapshot_var *vars =
				efi_var_snapshot_vars(&count);

			v->vendor = *vendor;
			v->name_size = name_size;
			v->in_snapshot = !!efi_var_snapshot_find(vars, count,
								 name, vendor);
			INIT_LIST_HEAD(&v->list);
		}
	}
	if (!rec || !v || (data_size && !copy)) {
		ret = -ENOMEM;
		goto fail;
	}

	r = (struct efi_staged_record *)rec;
	r->size = cpu_to_le32(size);
	r->seq = cpu_to_le32(staged_seq + 1);
	r->attributes = cpu_to_le32(attr);
	r->flags = cpu_to_le32(flags);
	r->vendor = *vendor;
	r->name_size = cpu_to_le32(name_size);
	r->data_size = cpu_to_le32(data_size);
	memcpy(rec + EFI_STAGED_REC_HDR_SIZE, name, name_size);
	if (data_size)
		memcpy(rec + EFI_STAGED_REC_HDR_SIZE + name_size, data,
		       data_size);
	ret = staged_append(rec, size);
	if (ret)
		goto fail;
	kfree(rec);

	if (list_empty(&v->list))
		list_add_tail(&v->list, &staged_vars);
	kfree(v->data);
	v->data = copy;
	v->data_size = data_size;
	v->attributes = attr;
	v->deleted = flags & EFI_STAGED_REC_DELETE;
	v->seq = staged_seq;
	return EFI_SUCCESS;

fail:
	if (v && list_empty(&v->list)) {
		kfree(v->name);
		kfree(v);
	}
	kfree(copy);
	kfree(rec);
	pr_warn_ratelimited("journal write failed (%d): nothing staged\n", ret);
	return staged_errno_status(ret);
}

/**
 * efi_staged_set_variable() - SetVariable() while the gate is locked
 * @name: the name
 * @vendor: the vendor GUID
 * @attr: the attributes
 * @data_size: the size of @data
 * @data: the value
 *
 * Does what a runtime SetVariable() would do, into the journal and the
 * overlay, and refuses what it would refuse: a volatile variable
 * (EFI_WRITE_PROTECTED), attributes other than non-volatile, boot-service
 * and runtime access together, or different from the variable's
 * (EFI_INVALID_PARAMETER).  Authenticated writes and Secure Boot's
 * variables are refused with EFI_SECURITY_VIOLATION: they need the
 * measured unlock.  A journal that is full gives EFI_OUT_OF_RESOURCES,
 * one that cannot be written EFI_DEVICE_ERROR, none attached
 * EFI_WRITE_PROTECTED.
 *
 * Return: an EFI status, as SetVariable().
 */
efi_status_t efi_staged_set_variable(efi_char16_t *name, efi_guid_t *vendor,
				     u32 attr, unsigned long data_size,
				     void *data)
{
	u32 cur_attr, cur_size, name_size, new_size;
	const u8 *cur_data;
	bool exists, append;
	efi_status_t status;
	u8 *merged;

	if (!name || !vendor || (data_size && !data))
		return EFI_INVALID_PARAMETER;
	/* The name with its NUL, which must come within the limit */
	name_size = ucs2_strnlen(name, EFI_STAGED_MAX_NAME / 2);
	if (!name_size || name_size == EFI_STAGED_MAX_NAME / 2)
		return EFI_INVALID_PARAMETER;
	name_size = (name_size + 1) * sizeof(*name);

	guard(mutex)(&staged_mutex);
	if (!staged_file || staged_over)
		return EFI_WRITE_PROTECTED;
	exists = staged_current(name, vendor, &cur_attr, &cur_data, &cur_size);
	if ((attr & STAGED_AUTH_ATTRS) ||
	    (exists && (cur_attr & STAGED_AUTH_ATTRS)) ||
	    staged_secure_boot_var(vendor, name))
		return EFI_SECURITY_VIOLATION;

	/* Attributes 0, or no data without APPEND: a delete. */
	if (!attr || (!data_size && !(attr & EFI_VARIABLE_APPEND_WRITE))) {
		if (!exists)
			return EFI_NOT_FOUND;
		if (!(cur_attr & EFI_VARIABLE_NON_VOLATILE))
			return EFI_WRITE_PROTECTED;
		return staged_commit(name, name_size, vendor, 0,
				     EFI_STAGED_REC_DELETE, NULL, 0);
	}

	if ((attr & ~(STAGED_STD_ATTRS | EFI_VARIABLE_APPEND_WRITE)) ||
	    (attr & STAGED_STD_ATTRS) != STAGED_STD_ATTRS)
		return EFI_INVALID_PARAMETER;
	if (exists && !(cur_attr & EFI_VARIABLE_NON_VOLATILE))
		return EFI_WRITE_PROTECTED;
	if (exists && cur_attr != (attr & ~EFI_VARIABLE_APPEND_WRITE))
		return EFI_INVALID_PARAMETER;

	append = attr & EFI_VARIABLE_APPEND_WRITE;
	attr &= ~EFI_VARIABLE_APPEND_WRITE;
	if (append && !data_size)
		return EFI_SUCCESS;
	new_size = data_size + (append && exists ? cur_size : 0);
	if (data_size > EFI_STAGED_MAX_DATA || new_size > EFI_STAGED_MAX_DATA)
		return EFI_INVALID_PARAMETER;
	if (!append || !exists)
		return staged_commit(name, name_size, vendor, attr, 0, data,
				     data_size);

	/* An append is staged as the whole new value. */
	merged = kmalloc(new_size, GFP_KERNEL);
	if (!merged)
		return EFI_OUT_OF_RESOURCES;
	memcpy(merged, cur_data, cur_size);
	memcpy(merged + cur_size, data, data_size);
	status = staged_commit(name, name_size, vendor, attr,
			       EFI_STAGED_REC_FROM_APPEND, merged, new_size);
	kfree(merged);
	return status;
}

/* "EFI/Linux/efi-rt-gate/<store id>.evj", relative to the ESP's root */
static void staged_file_name(char *buf, size_t size)
{
	snprintf(buf, size, "EFI/Linux/efi-rt-gate/%*phN" EFI_STAGED_SUFFIX,
		 EFI_STAGED_ID_SIZE, staged_tbl.store_id);
}

/* The file must be this machine's journal, empty or staged by this boot. */
static int staged_check_file(struct file *f)
{
	struct efi_staged_header *hdr;
	loff_t pos = 0;
	u32 state;
	int ret;

	if (!S_ISREG(file_inode(f)->i_mode) ||
	    i_size_read(file_inode(f)) != EFI_STAGED_CAPACITY)
		return -EINVAL;
	hdr = kmalloc(EFI_STAGED_HDR_SIZE, GFP_KERNEL);
	if (!hdr)
		return -ENOMEM;
	ret = kernel_read(f, hdr, EFI_STAGED_HDR_SIZE, &pos);
	if (ret >= 0)
		ret = ret == EFI_STAGED_HDR_SIZE ? 0 : -EIO;
	if (ret)
		goto out;
	ret = -EINVAL;
	if (le32_to_cpu(hdr->magic) != EFI_STAGED_MAGIC ||
	    le16_to_cpu(hdr->version) != EFI_STAGED_VERSION ||
	    le16_to_cpu(hdr->header_size) != EFI_STAGED_HDR_SIZE ||
	    le32_to_cpu(hdr->capacity) != EFI_STAGED_CAPACITY ||
	    memcmp(hdr->store_id, staged_tbl.store_id, EFI_STAGED_ID_SIZE))
		goto out;
	state = le32_to_cpu(hdr->state);
	ret = 0;
	if (state == EFI_STAGED_EMPTY && !staged_hdr_written)
		goto out;
	if (state == EFI_STAGED_PENDING && staged_hdr_written &&
	    le64_to_cpu(hdr->epoch) == staged_tbl.epoch &&
	    !memcmp(hdr->nonce, staged_tbl.nonce, EFI_STAGED_NONCE_SIZE))
		goto out;
	/* Writes of an earlier boot that no stub applied: keep them. */
	pr_warn("the journal holds writes this boot did not stage (state %u): not attached; boot through the EFI stub from this ESP to apply them, or delete the file\n",
		state);
	ret = -EBUSY;
out:
	kfree(hdr);
	return ret;
}

/* The ESP's GPT partition GUID must be the one the stub found the file on */
static int staged_check_esp(struct super_block *sb)
{
	char uuid[PARTITION_META_INFO_UUIDLTH];

	if (sb->s_magic != MSDOS_SUPER_MAGIC)
		return -EINVAL;
	if (!memchr_inv(staged_tbl.esp_partuuid, 0,
			sizeof(staged_tbl.esp_partuuid)))
		return 0;
	snprintf(uuid, sizeof(uuid), "%pUl", staged_tbl.esp_partuuid);
	if (!sb->s_bdev || !sb->s_bdev->bd_meta_info ||
	    strcasecmp(uuid, sb->s_bdev->bd_meta_info->uuid))
		return -ENODEV;
	return 0;
}

/**
 * efi_staged_attach() - attach the journal on a mounted ESP
 * @where: the ESP's mount point
 *
 * Opens the journal the EFI stub keeps on the ESP it was loaded from and
 * lets variable writes be staged into it while the gate is locked.  The
 * ESP stays busy (no unmount) until efi_staged_detach().
 *
 * Return: 0; -ENODEV if the stub handed over no journal this boot or
 * @where is another partition; -EINVAL if @where is not the root of a
 * FAT file system or the file is not this machine's journal; -EBUSY if
 * it holds writes staged in an earlier boot, one is attached already or
 * the gate is not locked (or was unlocked this boot); the errors of
 * opening the file.
 */
int efi_staged_attach(const char *where)
{
	char name[64];
	struct path root;
	struct file *f;
	int ret;

	if (!staged_available)
		return -ENODEV;
	ret = kern_path(where, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &root);
	if (ret)
		return ret;
	ret = -EINVAL;
	if (root.dentry != root.mnt->mnt_root)
		goto out_path;
	ret = staged_check_esp(root.mnt->mnt_sb);
	if (ret)
		goto out_path;
	staged_file_name(name, sizeof(name));
	f = file_open_root(&root, name, O_RDWR | O_LARGEFILE, 0);
	ret = PTR_ERR_OR_ZERO(f);
	if (ret)
		goto out_path;

	scoped_guard(mutex, &staged_mutex) {
		ret = -EBUSY;
		if (staged_file || staged_over)
			break;
		ret = staged_check_file(f);
		if (ret)
			break;
		staged_where = kstrdup(where, GFP_KERNEL);
		if (!staged_where) {
			ret = -ENOMEM;
			break;
		}
		staged_file = f;
		f = NULL;
	}
	if (f) {
		fput(f);
		goto out_path;
	}
	/* Outside staged_mutex: registering the efivars takes their lock. */
	ret = efi_gate_stage_writes(true);
	if (ret)
		efi_staged_detach();
	else
		pr_info("journal attached on %s: variable writes are staged for the next boot\n",
			where);
out_path:
	path_put(&root);
	return ret;
}

/**
 * efi_staged_detach() - detach the journal
 *
 * Variable writes fail with EROFS again; what was staged stays in the
 * journal for the next boot, and readers keep seeing it.
 */
void efi_staged_detach(void)
{
	struct file *f;

	efi_gate_stage_writes(false);
	scoped_guard(mutex, &staged_mutex) {
		f = staged_file;
		staged_file = NULL;
		kfree(staged_where);
		staged_where = NULL;
	}
	if (f)
		fput(f);
}

/**
 * efi_staged_show() - the staged writes, for securityfs
 * @m: where to print
 *
 * What the EFI stub did at this boot (status, counts), whether a journal
 * is attached, and every record staged in this boot, in order.
 */
void efi_staged_show(struct seq_file *m)
{
	struct staged_var *v;
	u32 status = staged_tbl.status;

	guard(mutex)(&staged_mutex);
	seq_printf(m, "boot: %s applied=%u refused=%u skipped=%u\n",
		   status < ARRAY_SIZE(staged_status_names) ?
		   staged_status_names[status] : "unknown",
		   staged_tbl.applied, staged_tbl.refused, staged_tbl.skipped);
	if (!staged_available) {
		seq_puts(m, "journal: unavailable\n");
		return;
	}
	seq_printf(m, "store: %*phN\n", EFI_STAGED_ID_SIZE, staged_tbl.store_id);
	if (staged_over)
		seq_puts(m, "journal: closed (runtime services were unlocked)\n");
	else if (staged_file)
		seq_printf(m, "journal: attached %s\n", staged_where);
	else
		seq_puts(m, "journal: detached\n");
	seq_printf(m, "records: %u\n", staged_seq);
	list_for_each_entry(v, &staged_vars, list) {
		seq_printf(m, "pending %u %pUl-", v->seq, &v->vendor);
		for (u32 i = 0; i < v->name_size / 2 - 1; i++)
			seq_putc(m, v->name[i] < 0x80 && v->name[i] >= 0x20 ?
				 v->name[i] : '?');
		if (v->deleted)
			seq_puts(m, " delete\n");
		else
			seq_printf(m, " attrs=0x%x len=%u\n", v->attributes,
				   v->data_size);
	}
}

/* Zero the records, so that no stale one follows the next journal's */
static int staged_zero_records(void)
{
	size_t len = staged_tail - EFI_STAGED_REC_OFF;
	void *zero;
	int ret;

	if (!len)
		return 0;
	zero = kvzalloc(len, GFP_KERNEL);
	if (!zero)
		return -ENOMEM;
	ret = staged_write_at(zero, len, EFI_STAGED_REC_OFF);
	kvfree(zero);
	return ret;
}

static int staged_seq_cmp(const void *a, const void *b)
{
	const struct staged_var *x = *(struct staged_var *const *)a;
	const struct staged_var *y = *(struct staged_var *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Unlocked: apply what is pending through the firmware, in the order it
 * was staged, and empty the journal so that the next boot does not apply
 * it again.  Without an attached journal the records stay for the next
 * boot (the stub applies them then).
 */
static void staged_apply_at_unlock(void)
{
	struct staged_var **order, *v;
	unsigned int n = 0, i, failed = 0;
	struct file *f;
	efi_status_t st;

	scoped_guard(mutex, &staged_mutex) {
		staged_over = true;
		f = staged_file;
		staged_file = NULL;
		if (!f || !staged_active())
			break;
		list_for_each_entry(v, &staged_vars, list)
			n++;
	}
	if (!f) {
		if (staged_active())
			pr_warn("unlocked with %u staged records and no journal attached: the EFI stub applies them at the next boot\n",
				staged_seq);
		return;
	}
	order = n ? kcalloc(n, sizeof(*order), GFP_KERNEL) : NULL;
	if (n && !order) {
		pr_err("no memory to apply the staged writes: the EFI stub applies them at the next boot\n");
		goto out;
	}
	i = 0;
	list_for_each_entry(v, &staged_vars, list)
		order[i++] = v;
	sort(order, n, sizeof(*order), staged_seq_cmp, NULL);
	for (i = 0; i < n; i++) {
		v = order[i];
		st = efivar_set_variable(v->name, &v->vendor,
					 v->deleted ? 0 : v->attributes,
					 v->deleted ? 0 : v->data_size,
					 v->data);
		if (st != EFI_SUCCESS && !(v->deleted && st == EFI_NOT_FOUND)) {
			failed++;
			pr_warn("unlock: the firmware refused staged record %u: %d\n",
				v->seq, efi_status_to_err(st));
		}
	}
	kfree(order);
	/* Applied (or refused by the firmware itself): never again. */
	mutex_lock(&staged_mutex);
	staged_file = f;
	if (staged_write_header(EFI_STAGED_EMPTY) || staged_zero_records() ||
	    vfs_fsync(f, 0))
		pr_err("unlock: the journal could not be emptied: the next boot applies its records again\n");
	staged_file = NULL;
	mutex_unlock(&staged_mutex);
	pr_info("unlock: %u staged records applied through the firmware, %u refused\n",
		n - failed, failed);
out:
	fput(f);
}

static int staged_gate_event(struct notifier_block *nb, unsigned long event,
			     void *data)
{
	if (event == EFI_GATE_OPENED)
		staged_apply_at_unlock();
	return NOTIFY_DONE;
}

static struct notifier_block staged_gate_nb = {
	.notifier_call = staged_gate_event,
};

static int __init efi_staged_init(void)
{
	struct efi_staged_table *tbl;

	if (efi_staged_table == EFI_INVALID_TABLE_ADDR)
		return 0;
	tbl = memremap(efi_staged_table, sizeof(*tbl), MEMREMAP_WB);
	if (!tbl)
		return -ENOMEM;
	if (tbl->magic == EFI_STAGED_TABLE_MAGIC &&
	    tbl->size == sizeof(*tbl)) {
		staged_tbl = *tbl;
		/* The boot key is this kernel's alone (not a kexec'ed one's). */
		memzero_explicit(tbl->boot_key, sizeof(tbl->boot_key));
	}
	memunmap(tbl);
	if (staged_tbl.magic != EFI_STAGED_TABLE_MAGIC) {
		pr_warn("ignoring a malformed table\n");
		return 0;
	}
	staged_available = (staged_tbl.flags & EFI_STAGED_TBL_JOURNAL) &&
			   memchr_inv(staged_tbl.boot_key, 0,
				      sizeof(staged_tbl.boot_key));
	if (staged_tbl.status != EFI_STAGED_ST_NONE)
		pr_info("the EFI stub found a journal: %s (applied %u, refused %u, skipped %u)\n",
			staged_tbl.status < ARRAY_SIZE(staged_status_names) ?
			staged_status_names[staged_tbl.status] : "unknown",
			staged_tbl.applied, staged_tbl.refused,
			staged_tbl.skipped);
	if (efi_gate_follow(&staged_gate_nb) || !staged_available ||
	    efi_gate_state() != EFI_GATE_LOCKED) {
		staged_available = false;
		return 0;
	}
	pr_info("variable writes can be staged while locked: attach the journal with 'echo <ESP mount point> > /sys/kernel/security/efi_rt/staged_journal'\n");
	return 0;
}
late_initcall(efi_staged_init);

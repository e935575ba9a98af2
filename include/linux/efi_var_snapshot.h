/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EFI variable snapshot: the runtime-accessible EFI variables as the EFI
 * stub read them before ExitBootServices(), installed as a configuration
 * table (a table installed before the stub ran is replaced or removed).
 * While the EFI runtime gate withholds runtime services, GetVariable()
 * and GetNextVariableName() are answered from it, without any firmware
 * call.
 *
 * Layout (all fields little-endian, no padding between fields):
 *
 *   header (16 bytes)
 *     0  le32 magic            EFI_VAR_SNAPSHOT_MAGIC ("EVSN")
 *     4  le16 version          EFI_VAR_SNAPSHOT_VERSION
 *     6  le16 header_size      16
 *     8  le32 count            number of entries
 *    12  le32 total_size       header and all entries, in bytes
 *   entries, back to back from offset header_size, each:
 *     0  le32 entry_size       this entry, 8-byte aligned, >= 32 + name + data
 *     4  le32 attributes       EFI_VARIABLE_* (RUNTIME_ACCESS always set)
 *     8  16   vendor GUID
 *    24  le32 name_size        bytes of UCS-2 name including its NUL, even
 *    28  le32 data_size        bytes of data
 *    32  name, then data, then zero padding up to entry_size
 *
 * The entries fill the snapshot exactly: the last one ends at total_size.
 * A name has exactly one NUL, its last character; no name/GUID pair
 * appears twice.  The kernel rejects the whole snapshot if any of this
 * does not hold (drivers/firmware/efi/var-snapshot.c).
 */
#ifndef _LINUX_EFI_VAR_SNAPSHOT_H
#define _LINUX_EFI_VAR_SNAPSHOT_H

#include <linux/efi.h>
#include <linux/sizes.h>
#include <linux/types.h>

#define LINUX_EFI_VAR_SNAPSHOT_TABLE_GUID \
	EFI_GUID(0xb4a93b3c, 0x6b8b, 0x43da, \
		 0xb8, 0xb8, 0x4d, 0x7c, 0xf0, 0xe1, 0x35, 0x32)

#define EFI_VAR_SNAPSHOT_MAGIC		0x4e535645	/* "EVSN" */
#define EFI_VAR_SNAPSHOT_VERSION	1
#define EFI_VAR_SNAPSHOT_HDR_SIZE	16
#define EFI_VAR_SNAPSHOT_ENTRY_HDR_SIZE	32
#define EFI_VAR_SNAPSHOT_ALIGN		8
/* Upper bounds the stub enforces and the kernel checks */
#define EFI_VAR_SNAPSHOT_MAX_SIZE	SZ_1M
#define EFI_VAR_SNAPSHOT_MAX_COUNT	4096
#define EFI_VAR_SNAPSHOT_MAX_NAME	1024	/* bytes, with the NUL */

struct efi_var_snapshot_header {
	__le32	magic;
	__le16	version;
	__le16	header_size;
	__le32	count;
	__le32	total_size;
} __packed;

struct efi_var_snapshot_entry {
	__le32		entry_size;
	__le32		attributes;
	efi_guid_t	vendor;
	__le32		name_size;
	__le32		data_size;
	u8		payload[];	/* name, data, padding */
} __packed;

/**
 * struct efi_var_snapshot_var - one validated variable of a snapshot
 * @name: the UCS-2 name, NUL-terminated
 * @name_size: bytes of @name including the NUL
 * @vendor: the vendor GUID
 * @attributes: EFI_VARIABLE_* attributes
 * @data: the data
 * @data_size: bytes of @data
 */
struct efi_var_snapshot_var {
	const efi_char16_t *name;
	u32 name_size;
	efi_guid_t vendor;
	u32 attributes;
	const u8 *data;
	u32 data_size;
};

/**
 * efi_var_snapshot_name_grow() - check a name size the firmware asks for
 * @size: the size that GetNextVariableName() returned with
 *	EFI_BUFFER_TOO_SMALL
 * @cap: the size of the name buffer it was given
 *
 * The EFI stub's walk then allocates @size bytes and copies the @cap
 * bytes of the previous name into them.  A firmware that asks for no
 * more than it was given contradicts itself, and the copy would overflow
 * the new buffer.
 *
 * Return: EFI_SUCCESS if the stub may grow its buffer to @size bytes,
 * EFI_DEVICE_ERROR if @size is not larger than @cap, EFI_BAD_BUFFER_SIZE
 * if it exceeds EFI_VAR_SNAPSHOT_MAX_NAME.
 */
static inline efi_status_t efi_var_snapshot_name_grow(unsigned long size,
						      unsigned long cap)
{
	if (size <= cap)
		return EFI_DEVICE_ERROR;
	if (size > EFI_VAR_SNAPSHOT_MAX_NAME)
		return EFI_BAD_BUFFER_SIZE;
	return EFI_SUCCESS;
}

#ifdef CONFIG_EFI_RT_GATE
extern unsigned long efi_var_snapshot_table;

int efi_var_snapshot_parse(const void *buf, size_t size,
			   struct efi_var_snapshot_var *vars,
			   unsigned int max_vars);
efi_status_t efi_var_snapshot_next_name(const struct efi_var_snapshot_var *vars,
					unsigned int count,
					unsigned long *name_size,
					efi_char16_t *name, efi_guid_t *vendor);
const struct efi_var_snapshot_var *
efi_var_snapshot_find(const struct efi_var_snapshot_var *vars,
		      unsigned int count, const efi_char16_t *name,
		      const efi_guid_t *vendor);
const struct efi_var_snapshot_var *efi_var_snapshot_vars(unsigned int *count);
void efi_var_snapshot_early_reserve(void);
bool efi_var_snapshot_serve(u32 mask);
bool efi_var_snapshot_stage_writes(bool on, u32 mask);
void efi_var_snapshot_unserve(void);
#else
static inline void efi_var_snapshot_early_reserve(void) { }
static inline bool efi_var_snapshot_serve(u32 mask)
{
	return false;
}

static inline void efi_var_snapshot_unserve(void) { }
#endif

#endif /* _LINUX_EFI_VAR_SNAPSHOT_H */

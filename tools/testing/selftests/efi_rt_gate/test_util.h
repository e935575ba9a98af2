/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the efi_rt_gate selftests: environment, files
 * and efivarfs.
 */
#ifndef EFI_RT_GATE_TEST_UTIL_H
#define EFI_RT_GATE_TEST_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The environment variable @name if it is set and not empty, else NULL */
const char *env(const char *name);

/*
 * Read the text file @path into @buf (@max bytes, NUL-terminated) without
 * its trailing newlines: the length, or -errno.
 */
int read_text(const char *path, char *buf, size_t max);

/* Read at most @max bytes of @path: the number read, or -errno. */
ssize_t read_bytes(const char *path, void *buf, size_t max);

/* Raw GPT entry @partn (from 1) of @disk, 128 bytes: 0, or -1 */
int gpt_read_entry(const char *disk, int partn, unsigned char ent[128]);

/* Mount efivarfs at /sys/firmware/efi/efivars: 0 (also if mounted), -errno */
int mount_efivarfs(void);

/*
 * Delete an EFI variable through efivarfs: new variables are created
 * immutable, so clear the flag, then unlink.  0 or -errno.
 */
int efivar_delete(const char *path);

#define DEV_MAX		(NAME_MAX + 8)	/* "/dev/" + a name */

/*
 * The block device of the GPT partition named @name: its /dev path, the
 * whole disk's /dev path and the partition number (@dev and @disk hold
 * DEV_MAX bytes).  0 or -ENOENT.
 */
int find_partition(const char *name, char *dev, char *disk, int *partn);

/*
 * The whole kernel log from /dev/kmsg, one message text per line, in a
 * buffer the caller frees; NULL on error.
 */
char *kmsg_all(void);

/* Is @needle in the kernel log?  Says so in a TAP comment if it is. */
bool kmsg_has(const char *needle);

#endif /* EFI_RT_GATE_TEST_UTIL_H */

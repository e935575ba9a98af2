// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers shared by the efi_rt_gate selftests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "test_util.h"

const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int read_text(const char *path, char *buf, size_t max)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, max - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = 0;
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return n;
}

ssize_t read_bytes(const char *path, void *buf, size_t max)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, max);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

int mount_efivarfs(void)
{
	if (mount("efivarfs", "/sys/firmware/efi/efivars", "efivarfs", 0, NULL) == 0)
		return 0;
	return errno == EBUSY ? 0 : -errno;
}

int efivar_delete(const char *path)
{
	int fd, flags, ret = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		ret = -errno;
	flags &= ~FS_IMMUTABLE_FL;
	if (!ret && ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0)
		ret = -errno;
	close(fd);
	if (!ret && unlink(path) < 0)
		ret = -errno;
	return ret;
}

int gpt_read_entry(const char *disk, int partn, unsigned char ent[128])
{
	unsigned char hdr[512];
	unsigned long long lba = 0;
	unsigned int esz = 0;
	int fd, i, ret = -1;

	fd = open(disk, O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, hdr, sizeof(hdr), 512) != sizeof(hdr) || memcmp(hdr, "EFI PART", 8))
		goto out;
	for (i = 7; i >= 0; i--)
		lba = lba << 8 | hdr[72 + i];
	for (i = 3; i >= 0; i--)
		esz = esz << 8 | hdr[84 + i];
	if (esz >= 128 && partn >= 1 &&
	    pread(fd, ent, 128, lba * 512 + (unsigned long long)(partn - 1) * esz) == 128)
		ret = 0;
out:
	close(fd);
	return ret;
}

int find_partition(const char *name, char *dev, char *disk, int *partn)
{
	char path[PATH_MAX], link[PATH_MAX], line[256], want[128];
	struct dirent *de;
	int found = -ENOENT;
	DIR *d;
	FILE *f;

	snprintf(want, sizeof(want), "PARTNAME=%s\n", name);
	d = opendir("/sys/class/block");
	if (!d)
		return -errno;
	while (found && (de = readdir(d))) {
		int match = 0, n = 0;
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/block/%s/uevent", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (!strcmp(line, want))
				match = 1;
			else if (!strncmp(line, "PARTN=", 6))
				n = atoi(line + 6);
		}
		fclose(f);
		if (!match || !n)
			continue;
		/* .../block/vda/vda2: the parent directory is the disk */
		snprintf(path, sizeof(path), "/sys/class/block/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		*strrchr(link, '/') = 0;
		snprintf(dev, DEV_MAX, "/dev/%s", de->d_name);
		snprintf(disk, DEV_MAX, "/dev/%.*s", NAME_MAX, strrchr(link, '/') + 1);
		*partn = n;
		found = 0;
	}
	closedir(d);
	return found;
}

#define KMSG_MAX	(1024 * 1024)

char *kmsg_all(void)
{
	char rec[2048], *log, *text;
	size_t len = 0, tl;
	ssize_t n;
	int fd;

	log = calloc(1, KMSG_MAX);
	if (!log)
		return NULL;
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		free(log);
		return NULL;
	}
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten records */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		tl = strlen(text);
		if (len + tl + 2 > KMSG_MAX)
			break;
		memcpy(log + len, text, tl);
		len += tl;
		log[len++] = '\n';
	}
	close(fd);
	return log;
}

bool kmsg_has(const char *needle)
{
	char *log = kmsg_all();
	bool found;

	if (!log)
		return false;
	found = strstr(log, needle);
	if (found)
		printf("# kernel log: ...%s...\n", needle);
	free(log);
	return found;
}

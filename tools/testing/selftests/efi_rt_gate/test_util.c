// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers shared by the efi_rt_gate selftests.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
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

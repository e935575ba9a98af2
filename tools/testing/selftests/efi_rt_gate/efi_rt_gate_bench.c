// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of the EFI runtime gate, run in the guest by "make bench".
 * Prints "BENCH name=value" lines (microseconds) for the host to compare:
 *
 *   first_unlock_us  the first unlock of a boot that started locked: it
 *                runs SetVirtualAddressMap() and frees the boot-services
 *                memory (only when the gate was locked at start)
 *   bs_reserved_kib  what that freed: MemTotal after it minus before, the
 *                boot-services memory a locked boot keeps reserved
 *   unlock_us    median of later measured unlocks (relock in between,
 *                untimed)
 *   extend_us    median of a bare TPM2_PCR_Extend of the same PCR, all
 *                banks (as the kernel sends it), through /dev/tpmrm0:
 *                the floor any measured unlock pays
 *   getvar_us    median of a read() of BootOrder through efivarfs, i.e.
 *                one GetVariable() round trip through the wrappers
 *   snapvar_us   the same read while the gate is locked, answered from
 *                the EFI stub's variable snapshot (only when the boot
 *                starts locked)
 *   tmpfsvar_us  the floor for that: the same bytes read from a file on
 *                tmpfs in the same boot
 *
 * Everything is timed in-process around the system call, so process
 * start-up is not part of any number.  Not a test: it asserts nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tpm2_util.h"

#define GATE		"/sys/kernel/security/efi_rt"
#define BOOTORDER	"/sys/firmware/efi/efivars/BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int gate_write(const char *val)
{
	int fd = open(GATE "/unlock", O_WRONLY);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, val, 1) == 1 ? 0 : -errno;
	close(fd);
	return ret;
}

/* MemTotal from /proc/meminfo, in KiB, or -1 */
static long memtotal_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Time @reads reads of @path from offset 0 into @t; its bytes to @buf. */
static int read_file_us(const char *path, double *t, int reads,
			uint8_t *buf, size_t size, ssize_t *len)
{
	double t0;
	int fd, i;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("BENCH error=open_%s_%d\n", path, errno);
		return 1;
	}
	for (i = 0; i < reads; i++) {
		t0 = now_us();
		*len = pread(fd, buf, size, 0);
		if (*len < 6) {
			printf("BENCH error=read_%s\n", path);
			close(fd);
			return 1;
		}
		t[i] = now_us() - t0;
	}
	close(fd);
	return 0;
}

/* Time @reads reads of BootOrder through efivarfs into @t. */
static int read_bootorder_us(double *t, int reads)
{
	uint8_t buf[64];
	ssize_t len;

	if (mount("efivarfs", "/sys/firmware/efi/efivars", "efivarfs", 0, NULL) &&
	    errno != EBUSY) {
		printf("BENCH error=efivarfs_mount_%d\n", errno);
		return 1;
	}
	return read_file_us(BOOTORDER, t, reads, buf, sizeof(buf), &len);
}

/*
 * The floor a snapshot read is held to: the same bytes (attributes and
 * data, as efivarfs returns them) from a file on tmpfs, in the same boot.
 */
static int read_tmpfs_copy_us(double *t, int reads)
{
	static const char dir[] = "/run/bench", path[] = "/run/bench/BootOrder";
	uint8_t buf[64];
	ssize_t len;
	int fd;

	if (read_file_us(BOOTORDER, t, 1, buf, sizeof(buf), &len))
		return 1;
	mkdir(dir, 0700);
	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") && errno != EBUSY) {
		printf("BENCH error=tmpfs_mount_%d\n", errno);
		return 1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, len) != len) {
		printf("BENCH error=tmpfs_write_%d\n", errno);
		return 1;
	}
	close(fd);
	return read_file_us(path, t, reads, buf, sizeof(buf), &len);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 25, reads = 1000, i, pcr = 9;
	double *t = calloc(reads > n ? reads : n, sizeof(double)), t0;
	uint16_t algs[8];
	char state[16];
	int nb, locked = 0;
	FILE *f;

	f = fopen(GATE "/pcr", "r");
	if (f) {
		if (fscanf(f, "%d", &pcr) != 1)
			pcr = 9;
		fclose(f);
	}

	f = fopen(GATE "/state", "r");
	if (f) {
		locked = fscanf(f, "%15s", state) == 1 && !strcmp(state, "locked");
		fclose(f);
	}
	if (locked) {
		if (read_bootorder_us(t, reads))
			return 1;
		printf("BENCH snapvar_us=%.1f\n", median(t, reads));
		if (read_tmpfs_copy_us(t, reads))
			return 1;
		printf("BENCH tmpfsvar_us=%.1f\n", median(t, reads));
	}

	if (access(GATE, F_OK) == 0) {
		long before, after;

		if (locked) {
			before = memtotal_kib();
			t0 = now_us();
			if (gate_write("1")) {
				printf("BENCH error=unlock_failed\n");
				return 1;
			}
			printf("BENCH first_unlock_us=%.0f\n", now_us() - t0);
			after = memtotal_kib();
			printf("BENCH bs_reserved_kib=%ld\n", after - before);
		}
		for (i = 0; i < n; i++) {
			if (gate_write("0"))
				break;
			t0 = now_us();
			if (gate_write("1"))
				break;
			t[i] = now_us() - t0;
		}
		if (i < n) {
			printf("BENCH error=unlock_failed\n");
			return 1;
		}
		printf("BENCH unlock_us=%.0f\n", median(t, n));
	}

	if (tpm_present()) {
		nb = sysfs_banks(algs, 8);
		for (i = 0; i < n; i++) {
			t0 = now_us();
			if (tpm2_pcr_extend_banks(pcr, nb, algs)) {
				printf("BENCH error=extend_failed\n");
				return 1;
			}
			t[i] = now_us() - t0;
		}
		printf("BENCH extend_us=%.0f\n", median(t, n));
	}

	if (read_bootorder_us(t, reads))
		return 1;
	printf("BENCH getvar_us=%.1f\n", median(t, reads));
	return 0;
}

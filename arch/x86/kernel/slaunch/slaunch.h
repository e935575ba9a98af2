/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interface between the secure-launch detection and its
 * debug-only emulation.
 */
#ifndef _X86_KERNEL_SLAUNCH_H
#define _X86_KERNEL_SLAUNCH_H

#include <linux/types.h>

#ifdef CONFIG_SECURE_LAUNCH_EMULATION
bool slaunch_emulate_setup(void);
size_t slaunch_emulated_log_space(void);
int slaunch_emulated_log_append(const void *data, size_t size);
#else
static inline bool slaunch_emulate_setup(void)
{
	return false;
}

static inline size_t slaunch_emulated_log_space(void)
{
	return 0;
}

static inline int slaunch_emulated_log_append(const void *data, size_t size)
{
	return -EOPNOTSUPP;
}
#endif

#endif /* _X86_KERNEL_SLAUNCH_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Secure Launch (DRTM) state, as seen by the rest of the kernel.
 *
 * The names and semantics follow the Secure Launch series ("x86: Secure
 * Launch support for Intel TXT"): callers ask slaunch_get_flags() or
 * slaunch_is_txt_launch() and never test flag values themselves, which
 * differ between versions of that series.  This header carries only what
 * the EFI runtime gate needs; with the real series applied, the series'
 * own header replaces it (see Documentation/admin-guide/efi-rt-gate.rst).
 *
 * The DRTM event log: whoever measures into a DRTM PCR takes
 * slaunch_eventlog_lock(), reads the algorithms of the log's own Spec ID
 * header with slaunch_eventlog_algs(), checks slaunch_eventlog_space(),
 * extends, appends a record carrying exactly those digests with
 * slaunch_eventlog_append() and only then calls slaunch_eventlog_unlock().
 */
#ifndef _LINUX_SLAUNCH_H
#define _LINUX_SLAUNCH_H

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>

/* Secure Launch state flags */
#define SL_FLAG_ACTIVE		BIT(0)
#define SL_FLAG_ARCH_TXT	BIT(1)
/* Not in the Secure Launch series: the launch is emulated (debug only) */
#define SL_FLAG_EMULATED	BIT(31)

/* boot_params.hdr.loadflags: set by the Secure Launch entry code */
#define SLAUNCH_FLAG		BIT(2)

/*
 * The data whose hash the test harness extends into PCR 17 with a DRTM
 * hash sequence when it emulates a launch on swtpm; the emulated DRTM log
 * records the same measurement, so that the log replays from zero.
 */
#define SLAUNCH_EMULATED_LAUNCH_DATA	"Linux emulated Intel TXT secure launch v1"
#define SLAUNCH_EMULATED_LAUNCH_PCR	17
/* TXT_EVTYPE_BASE + 0x102, the Secure Launch series' event type */
#define SLAUNCH_EVTYPE			0x502

#ifdef CONFIG_SECURE_LAUNCH

void slaunch_setup(void);
u32 slaunch_get_flags(void);

/**
 * slaunch_is_txt_launch() - was this kernel started by an Intel TXT launch?
 *
 * Return: true if a TXT secure launch was detected (or emulated).
 */
static inline bool slaunch_is_txt_launch(void)
{
	u32 mask = SL_FLAG_ACTIVE | SL_FLAG_ARCH_TXT;

	return (slaunch_get_flags() & mask) == mask;
}

void slaunch_eventlog_lock(void);
void slaunch_eventlog_unlock(void);
int slaunch_eventlog_algs(u16 *algs, u16 *sizes, unsigned int max);
size_t slaunch_eventlog_space(void);
int slaunch_eventlog_append(const void *data, size_t size);

#else /* !CONFIG_SECURE_LAUNCH */

static inline void slaunch_setup(void) { }

static inline u32 slaunch_get_flags(void)
{
	return 0;
}

static inline bool slaunch_is_txt_launch(void)
{
	return false;
}

static inline void slaunch_eventlog_lock(void) { }
static inline void slaunch_eventlog_unlock(void) { }

static inline int slaunch_eventlog_algs(u16 *algs, u16 *sizes,
					unsigned int max)
{
	return -EOPNOTSUPP;
}

static inline size_t slaunch_eventlog_space(void)
{
	return 0;
}

static inline int slaunch_eventlog_append(const void *data, size_t size)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_SECURE_LAUNCH */

#endif /* _LINUX_SLAUNCH_H */

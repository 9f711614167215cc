/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types and a few helpers for vmview's kernel-independent C (decode.c,
 * fmt.c, pageflags.c, shadow.c), which builds both into the module and
 * into the host unit tests (tests/) and fuzzers.  Nothing here may reach
 * kernel state.
 */
#ifndef _VMV_TYPES_H
#define _VMV_TYPES_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

/*
 * No direct reclaim: the shadow allocates under the mirror's lock, which
 * the MMU notifier takes, and reclaim may unmap the tracked process's
 * pages and so call that notifier.  A failure is -ENOMEM, retried later.
 */
bool vmv_should_fail(void);	/* main.c: test_hooks fault injection */

static inline void *vmv_zalloc(size_t size)
{
	if (vmv_should_fail())
		return NULL;
	return kzalloc(size, GFP_NOWAIT | __GFP_NOWARN);
}

static inline void vmv_free(void *p)
{
	kfree(p);
}
#else /* host */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef long long s64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Host allocation: calloc, with a hook so tests can make the Nth
 * allocation fail (vmv_host_fail_after = N; 0 means never).
 */
extern unsigned long vmv_host_fail_after;
extern unsigned long vmv_host_allocs;

static inline void *vmv_zalloc(size_t size)
{
	if (vmv_host_fail_after && ++vmv_host_allocs >= vmv_host_fail_after)
		return NULL;
	return calloc(1, size);
}

static inline void vmv_free(void *p)
{
	free(p);
}
#endif /* __KERNEL__ */

#endif /* _VMV_TYPES_H */

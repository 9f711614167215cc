/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every vmview kselftest includes: the kernel's kselftest_harness.h
 * (taken from linux-source at build time), without the warning about its
 * timeout handler's unused parameter (not ours to fix), and the shared
 * helpers of vmview_util.h.
 */
#ifndef VMVIEW_HARNESS_H
#define VMVIEW_HARNESS_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "vmview_util.h"

#endif /* VMVIEW_HARNESS_H */

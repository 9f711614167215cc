// SPDX-License-Identifier: GPL-2.0
/*
 * trace: creates the tracepoints of vmview_trace.h (system "vmview"),
 * which mirror.c and verify.c fire.  Nothing else lives here.
 */
#define CREATE_TRACE_POINTS
#include "vmview_trace.h"

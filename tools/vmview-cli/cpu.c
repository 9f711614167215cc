// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.c: what this machine's CPU says about itself, for latency and
 * summary: its TLBs (x86: the CPUID leaves tlb.c decodes; other
 * architectures have no instruction that tells, so "unknown"), whether
 * it runs under a hypervisor or an emulator, and the size of its
 * last-level cache (sysfs, under the root prefix).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HAVE_CPUID 1
#endif

#include "vmview-cli.h"

#ifdef HAVE_CPUID
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

static void vendor(char v[13])
{
	uint32_t r[4];

	cpuid(0, 0, r);
	memcpy(v, &r[1], 4);
	memcpy(v + 4, &r[3], 4);
	memcpy(v + 8, &r[2], 4);
	v[12] = '\0';
}
#endif

void vmv_cpu_tlb(struct vmv_tlb_info *t, char *why, size_t len)
{
	memset(t, 0, sizeof(*t));
	snprintf(why, len, "unknown");
#ifdef HAVE_CPUID
	{
		uint32_t r[4], r5[4], r6[4], r19[4], max, xmax, sub, nsub;
		char v[13];

		vendor(v);
		max = __get_cpuid_max(0, NULL);
		xmax = __get_cpuid_max(0x80000000, NULL);
		if (max >= 0x18) {
			cpuid(0x18, 0, r);
			nsub = r[0];
			for (sub = 0; sub <= nsub && sub < 64; sub++) {
				cpuid(0x18, sub, r);
				vmv_tlb_leaf18(t, r);
			}
		}
		if (max >= 2 && !t->known) {
			cpuid(2, 0, r);
			vmv_tlb_leaf2(t, r);
		}
		if (!t->known && (!strcmp(v, "AuthenticAMD") ||
				  !strcmp(v, "HygonGenuine")) &&
		    xmax >= 0x80000006) {
			cpuid(0x80000005, 0, r5);
			cpuid(0x80000006, 0, r6);
			if (xmax >= 0x80000019)
				cpuid(0x80000019, 0, r19);
			vmv_tlb_amd(t, r5, r6, xmax >= 0x80000019 ? r19 : NULL);
		}
		if (!t->known)
			snprintf(why, len, "unknown: CPUID (%s) describes no data TLB%s",
				 v, t->leaf2_says_leaf18 ?
				 " (leaf 0x2 points to leaf 0x18, which has none)" :
				 " (emulators often report none)");
		else
			snprintf(why, len, "%s", v);
	}
#elif defined(__aarch64__)
	snprintf(why, len, "unknown: arm64 has no instruction that tells the TLB's size");
#else
	snprintf(why, len, "unknown on this architecture");
#endif
}

#ifndef HAVE_CPUID
/* Is the device tree QEMU's virt board (arm64 guests of make check)? */
static bool dt_qemu_virt(void)
{
	char path[VMV_PATH_MAX], *text;
	size_t len, i;
	bool yes = false;

	vmv_path(path, sizeof(path), "/proc/device-tree/compatible");
	if (vmv_read_path(path, &text, &len))
		return false;
	for (i = 0; i < len; i += strlen(text + i) + 1)
		if (!strcmp(text + i, "linux,dummy-virt"))
			yes = true;
	free(text);
	return yes;
}
#endif

/* The "hypervisor" word of /proc/cpuinfo's flags (x86 only has it). */
static bool cpuinfo_hypervisor(void)
{
	char path[VMV_PATH_MAX], *text, *p;
	bool yes = false;

	vmv_path(path, sizeof(path), "/proc/cpuinfo");
	if (vmv_read_path(path, &text, NULL))
		return false;
	for (p = strstr(text, " hypervisor"); p; p = strstr(p + 1, " hypervisor"))
		if (p[11] == ' ' || p[11] == '\n' || !p[11])
			yes = true;
	free(text);
	return yes;
}

int vmv_cpu_hypervisor(char *what, size_t len)
{
#ifdef HAVE_CPUID
	uint32_t r[4];
	char sig[13];

	cpuid(1, 0, r);
	if (r[2] & (1U << 31)) {
		cpuid(0x40000000, 0, r);
		memcpy(sig, &r[1], 4);
		memcpy(sig + 4, &r[2], 4);
		memcpy(sig + 8, &r[3], 4);
		sig[12] = '\0';
		snprintf(what, len, "CPUID says a hypervisor runs this CPU%s%s%s",
			 *sig ? " (\"" : "", sig, *sig ? "\")" : "");
		return 1;
	}
	if (cpuinfo_hypervisor()) {
		snprintf(what, len, "/proc/cpuinfo has the hypervisor flag");
		return 1;
	}
	snprintf(what, len, "CPUID reports no hypervisor");
	return 0;
#else
	if (dt_qemu_virt()) {
		snprintf(what, len, "the device tree is QEMU's virt machine (linux,dummy-virt)");
		return 1;
	}
	if (cpuinfo_hypervisor()) {
		snprintf(what, len, "/proc/cpuinfo has the hypervisor flag");
		return 1;
	}
	snprintf(what, len, "unknown (this CPU does not say whether a hypervisor runs it)");
	return -1;
#endif
}

/* The largest data or unified cache of cpu0, from sysfs; 0 unknown. */
uint64_t vmv_cpu_llc_bytes(void)
{
	char path[VMV_PATH_MAX], *text, *end;
	uint64_t best = 0, v;
	int i;

	for (i = 0; i < 16; i++) {
		vmv_path(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
		if (vmv_read_path(path, &text, NULL))
			break;
		if (!strncmp(text, "Instruction", 11)) {
			free(text);
			continue;
		}
		free(text);
		vmv_path(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		if (vmv_read_path(path, &text, NULL))
			continue;
		v = strtoull(text, &end, 10);
		if (*end == 'K')
			v <<= 10;
		else if (*end == 'M')
			v <<= 20;
		if (v > best)
			best = v;
		free(text);
	}
	return best;
}

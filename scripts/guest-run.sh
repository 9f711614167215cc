#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest (busybox sh), from /vmview, as root: every
# kselftest in /vmview/selftests, in name order, then unloads vmview.
# Prints TAP; a test program that fails without saying "not ok" (a crash,
# a signal) gets a "not ok" line of its own.  Set by scripts/check.sh:
# VMVIEW_EXPECT_LEVELS, VMVIEW_EXPECT_VA_BITS, VMVIEW_ONLY (a glob of test names; default all).
export VMVIEW_KO=/vmview/vmview.ko
export VMVIEW_CLI=/vmview/vmview-cli
if grep -q zram0 /proc/swaps; then
	export VMVIEW_SWAP=zram0
else
	export VMVIEW_SWAP=none
fi
# Reserve huge pages for the hugetlb tests.
echo 16 >/proc/sys/vm/nr_hugepages

# Tests that leave the kernel changed for good (lockdown cannot be
# lowered again) run last.
last=${VMVIEW_LAST:-vmview_lifetime}
rc=0
for t in $(ls -d /vmview/selftests/${VMVIEW_ONLY:-*} 2>/dev/null | grep -v "/$last\$") \
	 $(ls -d /vmview/selftests/${VMVIEW_ONLY:-*} 2>/dev/null | grep "/$last\$"); do
	[ -f "$t" ] && [ -x "$t" ] || continue
	n=$(basename "$t")
	echo "# selftest $n"
	"$t" >/tmp/out.$n 2>&1
	st=$?
	cat /tmp/out.$n
	if [ $st -ne 0 ] && [ $st -ne 4 ]; then
		rc=1
		grep -q '^not ok' /tmp/out.$n ||
			echo "not ok - $n exited with status $st without reporting a failure"
	fi
done
if [ -e /sys/module/vmview ]; then
	if rmmod vmview; then
		echo "ok - rmmod vmview after the selftests"
	else
		echo "not ok - rmmod vmview after the selftests"
		rc=1
	fi
fi
exit $rc

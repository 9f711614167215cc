#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the guest: a live edition of a chapter on virtual
# memory.  A small process is started, vmview shows its address space
# through debugfs and through vmview-cli, then vmview-cli's "faults"
# walks through minor, major and copy-on-write faults one at a time, and
# "latency --quick" puts a price on them: the textbook's latency table,
# measured in this guest (about 2 s under TCG; the figures are the
# emulator's, and the table says so), and "reclaim --rounds 2" shows the
# clock choosing what to evict: a hot and a cold set of pages in a memory
# cgroup whose limit is lowered twice (about 2 s under TCG).
say() { printf '\n$ %s\n' "$*"; }
D=/sys/kernel/debug/vmview

say insmod vmview.ko
insmod /vmview/vmview.ko || exit 1
say cat /proc/vmview
cat /proc/vmview

sleep 600 &
P=$!
sleep 0.2
printf '\n# A process to look at: PID %s (busybox sleep)\n' "$P"

say "echo $P > $D/track"
echo $P >$D/track || exit 1
say "cat $D/$P/mm"
cat $D/$P/mm
say "cat $D/$P/vmas"
cat $D/$P/vmas
say "head -n 12 $D/$P/ptes"
head -n 12 $D/$P/ptes
text=$(grep ' r-xp ' /proc/$P/maps | head -n 1 | cut -d- -f1)
addr=$(printf '0x%x' $((0x$text + 0x1234)))
say "echo $addr > $D/$P/translate; cat $D/$P/translate"
echo $addr >$D/$P/translate
cat $D/$P/translate
say "cat $D/$P/verify"
cat $D/$P/verify
say "echo $P > $D/untrack"
echo $P >$D/untrack

say "vmview-cli $P"
vmview-cli $P
say "vmview-cli map $P"
vmview-cli map $P
say "vmview-cli --symbolize translate $P $addr"
vmview-cli --symbolize translate $P $addr

# A small block device for the "major fault from a file" scenario: /tmp
# is tmpfs, whose pages cannot be dropped from the page cache.
n=$(cat /sys/class/zram-control/hot_add 2>/dev/null) &&
	echo 16M >/sys/block/zram$n/disksize
say "vmview-cli faults${n:+ --file /dev/zram$n}"
vmview-cli faults ${n:+--file /dev/zram$n}
rc=$?

printf "\n# What each of these costs, next to the textbook's figure\n"
say "vmview-cli latency --quick${n:+ --file /dev/zram$n}"
vmview-cli latency --quick ${n:+--file /dev/zram$n} || rc=$?

printf '\n# The clock: under memory pressure, the pages whose accessed bits stay clear go first\n'
say "vmview-cli reclaim --rounds 2"
vmview-cli reclaim --rounds 2 || rc=$?

kill $P
say rmmod vmview
rmmod vmview
exit $rc

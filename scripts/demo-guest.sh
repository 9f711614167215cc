#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the guest.
say() { printf '\n$ %s\n' "$*"; }
say insmod vmview.ko
insmod /vmview/vmview.ko || exit 1
say cat /proc/vmview
cat /proc/vmview
say ls /sys/kernel/debug/vmview
ls -l /sys/kernel/debug/vmview
say rmmod vmview
rmmod vmview

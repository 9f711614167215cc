#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build vmview.ko for every kernel of the test guests of guests.table, each
# from its own copy of the sources: DIR/KVER/module/vmview.ko.
#
#   scripts/modules.sh [-o DIR] [MAKE ARGS...]   (default DIR: build/kmod)
#
# A directory whose .built stamp is newer than every source is kept.
# Prints each kernel's version; on a failed build its log, and exits 1.
set -u
cd "$(dirname "$0")/.."
top=$PWD
. scripts/guests.sh
dir=$top/build/kmod
if [ "${1:-}" = -o ]; then
	dir=$(realpath -m "$2")
	shift 2
fi
declare -A done=()
for g in $(guest_names test); do
	guest_kernel "$g" || exit 1
	[ -n "${done[$G_KVER]:-}" ] && continue
	done[$G_KVER]=1
	d=$dir/$G_KVER
	if [ -f "$d/.built" ] &&
	   [ -z "$(find Kbuild guests.table module include -newer "$d/.built" -print -quit)" ]; then
		echo "$G_KVER"
		continue
	fi
	build_module "$G_HDRS" "$d" "$@" || { cat "$d/build.log" >&2; exit 1; }
	touch "$d/.built"
	echo "$G_KVER"
done

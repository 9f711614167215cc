#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the version string of the Debian guest kernel for a series:
#   scripts/kernels.sh 6.1    ->  6.1.0-56-amd64
#   scripts/kernels.sh 6.12   ->  6.12.117+deb12-amd64
# The newest installed kernel of that series whose image (in /boot) and
# headers (in /usr/src) are both present wins.  Prints nothing when none is.
set -u
series=${1:?usage: kernels.sh 6.1|6.12}
best=
for img in /boot/vmlinuz-"$series".*-amd64; do
	[ -e "$img" ] || continue
	ver=${img#/boot/vmlinuz-}
	[ -d "/usr/src/linux-headers-$ver" ] || continue
	best=$(printf '%s\n%s\n' "$best" "$ver" | sed '/^$/d' | sort -V | tail -n 1)
done
[ -n "$best" ] && echo "$best"
exit 0

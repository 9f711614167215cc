#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: install what is missing, build, boot a 6.12 guest (5-level
# paging when the CPU has la57), load vmview and show it at work.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh test
make -s modules-all >/dev/null
make -s cli >/dev/null
kver=$(scripts/kernels.sh 6.12)
pl=build/guest/demo/payload
rm -rf "$pl" && mkdir -p "$pl"
cp "build/kmod/$kver/module/vmview.ko" "$pl/"
cp tools/vmview-cli/vmview-cli "$pl/"
cp scripts/demo-guest.sh "$pl/run.sh"
echo "# booting $kver under QEMU (TCG); this takes a few seconds" >&2
scripts/vm.sh -k "$kver" -n demo -p "$pl" -o build/guest/demo -t 600 |
	grep -v '^ok - demo:'

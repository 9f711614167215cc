#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: install what is missing, build, boot a guest of guests.table
# (GUEST=NAME, or a Debian flavour only one guest has: GUEST=686-pae,
# GUEST=686; default g612-5l: 6.12 with 5-level paging), load vmview and
# show it at work.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh test
make -s modules-all >/dev/null
guest=${GUEST:-g612-5l}
[ "$(scripts/guests.sh role "$guest")" = test ] ||
	{ echo "demo: $guest is not a test guest of guests.table ($(scripts/guests.sh names test | xargs))" >&2; exit 2; }
kver=$(scripts/guests.sh kver "$guest")
progs=$(scripts/guest-progs.sh "$(scripts/guests.sh arch "$guest")")
pl=build/guest/demo/payload
rm -rf "$pl" && mkdir -p "$pl"
cp "build/kmod/$kver/module/vmview.ko" "$pl/"
cp "$progs/vmview-cli" "$pl/"
cp scripts/demo-guest.sh "$pl/run.sh"
echo "# booting $kver under QEMU (TCG); this takes a few seconds" >&2
scripts/vm.sh -g "$guest" -n demo -p "$pl" -o build/guest/demo -t 600 |
	grep -v '^ok - demo:'

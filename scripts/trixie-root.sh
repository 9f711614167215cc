#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A Debian trixie root to build modules for 7.x kernels in: their headers
# want gcc-14, which does not run on bookworm (it needs a newer glibc), and
# gcc-12 rejects their flags.  Made once with debootstrap (taken from
# trixie with apt-get download, not installed), in the cache outside the
# work tree, with dkms added for the DKMS test; prints its path.
#
#   scripts/trixie-root.sh        ->  /var/cache/vmview/roots/trixie-build
#
# Build in it with (objtool needs /proc; BTF generation needs pahole)
#
#   unshare --mount --pid --fork --mount-proc=ROOT/proc chroot ROOT make ...
#
# scripts/guests.sh extracts each 7.x kernel's headers and kbuild into it,
# at their real /usr/src and /usr/lib paths.  Idempotent: a finished root
# (its .vmview-ready stamp) is printed and left alone.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${VMVIEW_CACHE:-/var/cache/vmview}
root=$cache/roots/trixie-build
export VMVIEW_SUITES=${VMVIEW_TRIXIE_SUITES:-trixie-backports trixie}

# DKMS in the root, for `make dkms-check` on 7.x kernels (a root made
# before it gets it added): the root's own apt, from its own sources.
add_dkms() {
	[ -f "$root/.vmview-dkms" ] && return 0
	echo "trixie-root: installing dkms in $root" >&2
	unshare --mount --pid --fork --mount-proc="$root/proc" chroot "$root" \
		sh -c 'export DEBIAN_FRONTEND=noninteractive
		       apt-get update -qq &&
		       apt-get install -y -q --no-install-recommends dkms' >&2 &&
		[ -x "$root/usr/sbin/dkms" ] ||
		{ echo "trixie-root: dkms did not install in $root" >&2; return 1; }
	touch "$root/.vmview-dkms"
}

if [ -f "$root/.vmview-ready" ]; then
	add_dkms
	echo "$root"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "trixie-root: debootstrap needs root" >&2; exit 1; }

# The main mirror the system's own sources name.
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	 tr ' ' '\n' | grep -m 1 '/debian/\?$' || true)
mirror=${mirror:-http://deb.debian.org/debian}

dbs=$("$here/fetch.sh" trixie-debootstrap debootstrap)
echo "trixie-root: debootstrap trixie into $root (about 30 s and 450 MB)" >&2
rm -rf "$root"
DEBOOTSTRAP_DIR=$dbs/usr/share/debootstrap "$dbs/usr/sbin/debootstrap" \
	--variant=minbase \
	--include=gcc-14,make,libelf1t64,libssl3t64,zlib1g,kmod,pahole \
	trixie "$root" "${mirror%/}" >&2
chroot "$root" sh -c 'command -v pahole && command -v gcc-14' >/dev/null ||
	{ echo "trixie-root: gcc-14 or pahole missing in $root" >&2; exit 1; }
touch "$root/.vmview-ready"
add_dkms
echo "$root"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A Debian root to build modules in for kernels whose compiler this
# Debian 12 machine lacks: each such kernel's headers want their own
# release's gcc, and Debian 12 has neither bullseye's gcc-10 (5.10: its
# headers name gcc-10) nor trixie's gcc-14 (7.x: it needs a newer glibc,
# and gcc-12 rejects 7.x's flags).  Made once with debootstrap (taken from
# trixie with apt-get download, not installed), with that release's
# compiler (trixie's also its arm64 cross compiler, for 7.x arm64), make,
# the libraries the kernel's build programs link to, kmod and dkms (for
# the DKMS test), in the cache outside the work tree; prints its path.
#
#   scripts/build-root.sh bullseye   ->  /var/cache/vmview/roots/bullseye-build
#   scripts/build-root.sh trixie     ->  /var/cache/vmview/roots/trixie-build
#
# Build in it with (objtool needs /proc; BTF generation needs pahole)
#
#   unshare --mount --pid --fork --mount-proc=ROOT/proc chroot ROOT make ...
#
# scripts/guests.sh extracts the headers and kbuild of each kernel that
# needs the root into it, at their real /usr/src and /usr/lib paths, and
# builds there (scripts/guests.sh build_module); scripts/dkms-test.sh runs
# the root's own dkms.  Idempotent: a finished root (its .vmview-ready
# stamp) is printed and left alone.
set -euo pipefail

suite=${1:?usage: build-root.sh bullseye|trixie}
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMVIEW_CACHE:-/var/cache/vmview}
root=$cache/roots/$suite-build

# What each release's root holds (debootstrap resolves their Depends), and
# the programs that must run in it.  sparse: bullseye's 0.6.3 reads 5.10's
# headers, so `C=1` runs for 5.10 too; trixie's 0.6.4 cannot read 7.x's
# (it stops at __typeof_unqual__), so that root has none.  bullseye's is
# made without merged /usr: its kernel headers ship /lib/modules/VER/build,
# and scripts/fetch.sh's dpkg-deb -x would replace a /lib symlink with a
# directory (trixie's packages are all under /usr).
opts=()
case $suite in
bullseye)
	include=gcc-10,make,libelf1,libssl1.1,zlib1g,kmod,sparse,dkms
	opts=(--no-merged-usr)
	need="gcc-10 make sparse dkms"
	late="dkms:dkms"
	size="about 100 s and 550 MB"
	;;
trixie)
	# gcc-14-aarch64-linux-gnu: 7.x's arm64 headers, cross-built here.
	include=gcc-14,make,libelf1t64,libssl3t64,zlib1g,kmod,pahole,dkms,gcc-14-aarch64-linux-gnu
	need="gcc-14 make pahole dkms aarch64-linux-gnu-gcc-14"
	late="dkms:dkms gcc-14-aarch64-linux-gnu:aarch64-linux-gnu-gcc-14"
	size="about 70 s and 600 MB"
	;;
*) echo "build-root: no build root known for $suite (bullseye, trixie)" >&2; exit 2 ;;
esac

# Packages added to the list after roots were made with it (DKMS for
# `make dkms-check`, the arm64 cross compiler), as PACKAGE:PROGRAM: a
# root without them gets them from its own apt and its own sources.
# A stamp per package says it is there.
late_missing() {
	local p
	for p in $late; do
		[ -f "$root/.vmview-late-${p%%:*}" ] || return 0
	done
	return 1
}

add_late() {
	local p prog
	for p in $late; do
		prog=${p#*:}
		p=${p%%:*}
		[ -f "$root/.vmview-late-$p" ] && continue
		if ! chroot "$root" sh -c "command -v $prog" >/dev/null; then
			echo "build-root: installing $p in $root" >&2
			unshare --mount --pid --fork --mount-proc="$root/proc" chroot "$root" \
				sh -c 'export DEBIAN_FRONTEND=noninteractive
				       apt-get update -qq &&
				       apt-get install -y -q --no-install-recommends "$0" &&
				       apt-get clean' "$p" >&2 || true
			if ! chroot "$root" sh -c "command -v $prog" >/dev/null; then
				echo "build-root: $p did not install in $root" >&2
				return 1
			fi
		fi
		touch "$root/.vmview-late-$p"
	done
}

if [ -f "$root/.vmview-ready" ] && ! late_missing; then
	echo "$root"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "build-root: debootstrap needs root" >&2; exit 1; }
# One maker at a time (two checks on one machine share the cache).
mkdir -p "$cache/roots"
exec 9>"$cache/roots/.$suite-build.lock"
flock 9
if [ -f "$root/.vmview-ready" ]; then
	add_late
	echo "$root"
	exit 0
fi

# The main mirror the system's own sources name.
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	 tr ' ' '\n' | grep -m 1 '/debian/\?$' || true)
mirror=${mirror:-http://deb.debian.org/debian}

# trixie's debootstrap knows every release up to trixie.
dbs=$(VMVIEW_SUITES="trixie-backports trixie" "$here/fetch.sh" trixie-debootstrap debootstrap)
echo "build-root: debootstrap $suite into $root ($size)" >&2
t0=$(date +%s)
rm -rf "$root"
DEBOOTSTRAP_DIR=$dbs/usr/share/debootstrap "$dbs/usr/sbin/debootstrap" \
	--variant=minbase --include="$include" "${opts[@]}" \
	"$suite" "$root" "${mirror%/}" >&2
for p in $need; do
	chroot "$root" sh -c "command -v $p" >/dev/null ||
		{ echo "build-root: $p missing in $root" >&2; exit 1; }
done
chroot "$root" apt-get clean	# debootstrap leaves its .debs (100 MB)
for p in $late; do
	touch "$root/.vmview-late-${p%%:*}"
done
touch "$root/.vmview-ready"
echo "build-root: $root made in $(( $(date +%s) - t0 ))s" >&2
echo "$root"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, with apt-get, what vmview's build and tests use.  Idempotent: on a
# machine that has everything it only asks dpkg and returns (well under 2 s).
#
#   scripts/deps.sh build   compiler, libelf, json-c, kernel headers to build
#   scripts/deps.sh test    all of "build", plus the two Debian guest kernels
#                           (6.1 and 6.12, images and headers), QEMU, busybox,
#                           cpio, kmod, sparse, clang/libFuzzer,
#                           linux-source-6.1 (kselftest headers, checkpatch),
#                           tmux (the CLI's watch tests),
#                           prometheus (promtool) and prometheus-node-exporter
#                           with curl (the CLI's export --prometheus test),
#                           and the arm64 cross compiler with its C
#                           library (static arm64 guest programs); kernels of other
#                           architectures are fetched by scripts/fetch.sh,
#                           and so are the test guests' kernels Debian 12
#                           does not have (5.10 from bullseye, 7.x from
#                           trixie-backports, with the bullseye and trixie
#                           roots that build for them with gcc-10 and
#                           gcc-14: scripts/build-root.sh), into
#                           /var/cache/vmview, never installed
#   scripts/deps.sh pkg     all of "build", plus what packaging and the docs
#                           use: dkms, debhelper, dh-dkms, lintian, Sphinx,
#                           docutils (rst2man), dpkg-dev, fakeroot, kmod,
#                           and what the CLI's host tests, run by the package
#                           build, need: prometheus, prometheus-node-exporter,
#                           curl
#
# Without root it prints the apt-get command to run and fails.
set -euo pipefail

profile=${1:-test}
here=$(cd "$(dirname "$0")" && pwd)

build_pkgs=(gcc make pkg-config libelf-dev zlib1g-dev libjson-c-dev xz-utils)
test_pkgs=(qemu-system-x86 qemu-system-arm busybox-static cpio kmod sparse clang-14
	   libfuzzer-14-dev linux-image-amd64 linux-headers-amd64
	   linux-source-6.1 python3 gcc-aarch64-linux-gnu
	   libc6-dev-arm64-cross # arm64 guests: aarch64-linux-gnu-gcc -static
	   # (scripts/guest-progs.sh); gcc-aarch64-linux-gnu only recommends it
	   gcc-12-multilib # i386 guests: gcc -m32 (scripts/guest-progs.sh);
	   # never the gcc-multilib metapackage: it conflicts with cross compilers
	   wget # wget: debootstrap (scripts/build-root.sh)
	   tmux # tmux: the terminal the CLI's host tests drive watch in
	   prometheus prometheus-node-exporter # export --prometheus: promtool
	   # check metrics and a textfile-collector scrape (CLI host tests)
	   curl) # the scrape of that node_exporter
pkg_pkgs=(dkms debhelper dh-dkms lintian python3-sphinx python3-docutils
	  dpkg-dev fakeroot kmod
	  prometheus prometheus-node-exporter curl) # the CLI's host tests,
	  # which the package build runs (Build-Depends <!nocheck>)

case "$profile" in
build) want=("${build_pkgs[@]}") ;;
test) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
pkg) want=("${build_pkgs[@]}" "${pkg_pkgs[@]}") ;;
*) echo "usage: $0 build|test|pkg" >&2; exit 2 ;;
esac

installed() {
	dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'
}

missing=()
for p in "${want[@]}"; do
	installed "$p" || missing+=("$p")
done

# A 6.12 guest kernel: any installed 6.12 image with its headers will do;
# otherwise the newest version the archive has both packages for.
need_612=
if [ "$profile" = test ] && [ -z "$("$here/kernels.sh" 6.12)" ]; then
	need_612=1
fi
# 'make' alone needs headers for some kernel: the running one's, or any
# Debian one under /usr/src.
if [ "$profile" = build ] && [ ! -d "/lib/modules/$(uname -r)/build" ] &&
   ! ls -d /usr/src/linux-headers-*-amd64 >/dev/null 2>&1; then
	missing+=(linux-headers-amd64)
fi

# The test guests' kernels of other Debian releases (scripts/guests.sh
# fetches them into the cache when first asked; ask now).  Cached: fast.
fetch_guests() {
	local g top
	[ "$profile" = test ] && [ "$(id -u)" -eq 0 ] || return 0
	# shellcheck disable=SC2034 # guests.sh reads it
	top=$(cd "$here/.." && pwd)
	# shellcheck source=scripts/guests.sh disable=SC1091 # with -x, from the top
	. "$here/guests.sh"
	for g in $(guest_names test); do
		guest_get "$g"
		[ -n "$(guest_origin "$G_SERIES")" ] || continue
		guest_kernel "$g" image >&2 || { echo "deps: cannot fetch the kernel of guest $g" >&2; exit 1; }
	done
}

if [ ${#missing[@]} -eq 0 ] && [ -z "$need_612" ]; then
	fetch_guests
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing ${missing[*]} ${need_612:+and a 6.12 kernel}; install them with your package manager" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root; run as root: apt-get install ${missing[*]}${need_612:+ linux-image-6.12.<N>+deb12-amd64-unsigned linux-headers-6.12.<N>+deb12-amd64}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	echo "deps: apt-get update" >&2
	apt-get update -qq
	apt_updated=1
}
# A fresh machine has no package lists: update before the first look-up.
if ! apt-cache show linux-source-6.1 >/dev/null 2>&1; then
	apt_update
fi

# The newest 6.12 version the archive has both the image and headers of.
newest_612() {
	local v
	for v in $(apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		   sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-amd64-unsigned$/\1/p' |
		   sort -rV); do
		if apt-cache show "linux-headers-$v-amd64" >/dev/null 2>&1; then
			echo "$v"
			return
		fi
	done
}

if [ -n "$need_612" ]; then
	v612=$(newest_612)
	if [ -z "$v612" ]; then
		apt_update
		v612=$(newest_612)
	fi
	[ -n "$v612" ] || { echo "deps: no 6.12 kernel with headers in the archive" >&2; exit 1; }
	missing+=("linux-image-$v612-amd64-unsigned" "linux-headers-$v612-amd64")
fi

echo "deps: installing ${missing[*]}" >&2
# Kernel images trigger initramfs-tools; the guests boot their own
# initramfs, so skip generating one for the build machine.
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
	apt_update
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
fetch_guests

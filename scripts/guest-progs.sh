#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The programs a guest runs, built for its architecture (a column of
# guests.table): vmview-cli, the kselftests and make bench's programs.
#
#   scripts/guest-progs.sh ARCH      prints the directory that holds them:
#                                    DIR/vmview-cli, DIR/selftests/ and
#                                    DIR/bench/ (tools/bench)
#
#   x86-64  the host's own build: tools/vmview-cli/vmview-cli and
#           build/selftests (make cli, make selftests)
#   i386    build/progs/i386: static 32-bit programs (gcc -m32, from
#           gcc-12-multilib), linked against Debian's i386 libelf, zlib
#           and json-c, fetched with scripts/fetch.sh into the cache
#           (root "i386-dev"), found by pkg-config there; nothing is
#           installed for i386.  The 32-bit glibc headers of
#           libc6-dev-i386 need the biarch kernel headers of the amd64
#           linux-libc-dev (asm/), which Debian links only in the
#           gcc-multilib package: -idirafter adds them.
#   arm64   build/progs/arm64: static arm64 programs, the same way with
#           aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu and
#           libc6-dev-arm64-cross, scripts/deps.sh test) against Debian's
#           arm64 libelf, zlib and json-c (root "arm64-dev").
#
# Rebuilt every time (make decides what is stale).  Output of the builds
# on stderr; exit status non-zero when a build fails.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:?usage: guest-progs.sh ARCH}
case $arch in
x86-64)
	make -s -C "$top" cli selftests >&2
	mkdir -p "$top/build/progs/x86-64"
	ln -sfn "$top/tools/vmview-cli/vmview-cli" "$top/build/progs/x86-64/vmview-cli"
	ln -sfn "$top/build/selftests" "$top/build/progs/x86-64/selftests"
	make -s -C "$top/tools/bench" OUTPUT="$top/build/progs/x86-64/bench" >&2
	;;
i386)
	root=$("$top/scripts/fetch.sh" i386-dev libelf-dev:i386 libelf1:i386 \
		zlib1g-dev:i386 libjson-c-dev:i386)
	make -s -C "$top" ksrc >&2
	out=$top/build/progs/i386
	cc="gcc -m32 -idirafter /usr/include/x86_64-linux-gnu"
	PKG_CONFIG_LIBDIR=$root/usr/lib/i386-linux-gnu/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$root \
		make -s -C "$top/tools/vmview-cli" OUTPUT="$out/cli" CC="$cc" STATIC=1 >&2
	ln -sfn cli/vmview-cli "$out/vmview-cli"
	# kselftest_harness.h prints pointers through a cast to an integer
	# of another size on 32-bit: its warning, not the tests'.
	make -s -C "$top/selftests" OUTPUT="$out/selftests" CC="$cc" \
		KSFT="$top/build/ksrc/tools/testing/selftests" \
		EXTRA_CFLAGS=-Wno-pointer-to-int-cast LDFLAGS=-static >&2
	make -s -C "$top/tools/bench" OUTPUT="$out/bench" CC="$cc" >&2
	;;
arm64)
	root=$("$top/scripts/fetch.sh" arm64-dev libelf-dev:arm64 libelf1:arm64 \
		zlib1g-dev:arm64 libjson-c-dev:arm64)
	make -s -C "$top" ksrc >&2
	out=$top/build/progs/arm64
	cc=aarch64-linux-gnu-gcc
	PKG_CONFIG_LIBDIR=$root/usr/lib/aarch64-linux-gnu/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$root \
		make -s -C "$top/tools/vmview-cli" OUTPUT="$out/cli" CC="$cc" STATIC=1 >&2
	ln -sfn cli/vmview-cli "$out/vmview-cli"
	make -s -C "$top/selftests" OUTPUT="$out/selftests" CC="$cc" \
		KSFT="$top/build/ksrc/tools/testing/selftests" LDFLAGS=-static >&2
	make -s -C "$top/tools/bench" OUTPUT="$out/bench" CC="$cc" >&2
	;;
*)
	echo "guest-progs: no programs for $arch guests yet" >&2
	exit 1
	;;
esac
echo "$top/build/progs/$arch"

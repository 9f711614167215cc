#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The guest table (guests.table) for the scripts: source this file.
#
#   guest_names [ROLE]        the names of the table's guests (of one role)
#   guest_get NAME            sets G_NAME G_ARCH G_SERIES G_FLAVOUR G_QEMU
#                             G_CPU G_KARGS G_LEVELS G_PAGE G_ROLE; fails
#                             for a name the table does not have
#   guest_kernel NAME [image] sets G_KVER and G_HDRS (the kernel headers),
#                             and with "image" also G_KIMG (vmlinuz),
#                             G_MODS (its modules) and G_BUSYBOX (a static
#                             busybox for the guest's architecture).
#                             amd64 kernels are the ones scripts/deps.sh
#                             installs; the others are fetched (of the same
#                             Debian kernel version) by scripts/fetch.sh
#   build_module HDRS DIR [MAKE ARGS...]
#                             copies the module's sources to DIR (so builds
#                             for different kernels share no object file)
#                             and builds them there; output in DIR/build.log
#
# Needs $top (the source tree).  Also a command: see its end.

guest_names() { # [role]
	awk -v role="${1:-}" '!/^[ \t]*(#|$)/ && (role == "" || $10 == role) { print $1 }' \
		"$top/guests.table"
}

guest_get() { # name
	local row
	row=$(awk -v n="$1" '!/^[ \t]*(#|$)/ && $1 == n' "$top/guests.table")
	[ -n "$row" ] || { echo "guests: no guest $1 in guests.table" >&2; return 1; }
	# shellcheck disable=SC2086
	set -- $row
	G_NAME=$1 G_ARCH=$2 G_SERIES=$3 G_FLAVOUR=$4 G_QEMU=$5 G_CPU=$6
	G_KARGS=$7 G_LEVELS=$8 G_PAGE=$9 G_ROLE=${10}
	[ "$G_KARGS" = - ] && G_KARGS=
	return 0
}

# Debian's name for an architecture of the table.
guest_debarch() {
	case $1 in
	x86-64) echo amd64 ;;
	*) echo "$1" ;;
	esac
}

guest_kernel() { # name [image]
	local amd64 abi darch root
	guest_get "$1" || return 1
	amd64=$("$top/scripts/kernels.sh" "$G_SERIES")
	[ -n "$amd64" ] || { echo "guests: no $G_SERIES amd64 kernel installed (scripts/deps.sh test)" >&2; return 1; }
	if [ "$G_FLAVOUR" = amd64 ]; then
		G_KVER=$amd64
		G_HDRS=/usr/src/linux-headers-$G_KVER
		G_KIMG=/boot/vmlinuz-$G_KVER
		G_MODS=/lib/modules/$G_KVER
		G_BUSYBOX=/bin/busybox
		return 0
	fi
	# The same Debian kernel version for another flavour: its headers
	# share the installed amd64 kernel's -common tree and kbuild.
	abi=${amd64%-amd64}
	G_KVER=$abi-$G_FLAVOUR
	darch=$(guest_debarch "$G_ARCH")
	local pkgs=("linux-headers-$G_KVER:$darch")
	if [ "${2:-}" = image ]; then
		pkgs+=("busybox-static:$darch")
		if [ "$darch" = i386 ]; then
			pkgs+=("linux-image-$G_KVER:$darch")
		else
			pkgs+=("linux-image-$G_KVER-unsigned:$darch")
		fi
	fi
	root=$("$top/scripts/fetch.sh" "bookworm-$darch" "${pkgs[@]}") || return 1
	G_HDRS=$root/usr/src/linux-headers-$G_KVER
	G_KIMG=$root/boot/vmlinuz-$G_KVER
	G_MODS=$root/lib/modules/$G_KVER
	G_BUSYBOX=$root/bin/busybox
	[ -d "$G_HDRS" ] || { echo "guests: $G_HDRS missing after fetching" >&2; return 1; }
}

build_module() { # hdrs dir [make args...]
	local hdrs=$1 dir
	dir=$(realpath -m "$2")
	shift 2
	rm -rf "$dir" && mkdir -p "$dir" &&
	cp -r "$top/Kbuild" "$top/guests.table" "$top/module" "$top/include" "$dir/" &&
	find "$dir" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete || return 1
	make -C "$hdrs" M="$dir" "$@" modules >"$dir/build.log" 2>&1
}

# Run as a command: scripts/guests.sh names [ROLE] | FIELD NAME, where FIELD
# is kver, levels or any G_ variable's name in lower case (kimg, qemu, ...).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -eu
	top=$(cd "$(dirname "$0")/.." && pwd)
	case ${1:-} in
	names) guest_names "${2:-}" ;;
	kver | hdrs) guest_kernel "${2:?name}" >&2 && v=G_${1^^} && echo "${!v}" ;;
	kimg | mods | busybox) guest_kernel "${2:?name}" image >&2 && v=G_${1^^} && echo "${!v}" ;;
	arch | series | flavour | qemu | cpu | kargs | levels | page | role)
		guest_get "${2:?name}" && v=G_${1^^} && echo "${!v}" ;;
	*) echo "usage: guests.sh names [ROLE] | FIELD NAME" >&2; exit 2 ;;
	esac
fi

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The guest table (guests.table) for the scripts: source this file.
#
#   guest_names [ROLE]        the names of the table's guests (of one role)
#   guest_get NAME            (NAME: a guest's name, or a flavour that
#                             only one guest has, such as 686-pae)
#                             sets G_NAME G_ARCH G_SERIES G_FLAVOUR G_QEMU
#                             G_CPU G_KARGS G_LEVELS G_PAGE G_VABITS G_ROLE; fails
#                             for a name the table does not have
#   guest_kernel NAME [image] sets G_KVER and G_HDRS (the kernel headers),
#                             and with "image" also G_KIMG (vmlinuz),
#                             G_MODS (its modules) and G_BUSYBOX (a static
#                             busybox for the guest's architecture).
#                             amd64 6.1 and 6.12 kernels are the ones
#                             scripts/deps.sh installs; other flavours are
#                             fetched (of the same Debian kernel version)
#                             by scripts/fetch.sh; series Debian 12 does not
#                             have (5.10 from bullseye, 7.x from
#                             trixie-backports) are fetched whole, the
#                             newest version the archive has, into
#                             /var/cache/vmview (guest_fetched_kernel),
#                             their headers into their release's build
#                             root (scripts/build-root.sh)
#   build_module HDRS DIR [MAKE ARGS...]
#                             copies the module's sources to DIR (so builds
#                             for different kernels share no object file)
#                             and builds them there; output in DIR/build.log.
#                             Headers inside a build root of the cache
#                             (scripts/build-root.sh: 5.10 wants gcc-10,
#                             7.x gcc-14) are built in that root, in a
#                             chroot
#
# Needs $top (the source tree).  Also a command: see its end.

guest_names() { # [role]
	awk -v role="${1:-}" '!/^[ \t]*(#|$)/ && (role == "" || $11 == role) { print $1 }' \
		"$top/guests.table"
}

guest_get() { # name, or a flavour only one guest has (686-pae, 686)
	local row
	row=$(awk -v n="$1" '!/^[ \t]*(#|$)/ && $1 == n' "$top/guests.table")
	[ -n "$row" ] ||
		row=$(awk -v n="$1" '!/^[ \t]*(#|$)/ && $4 == n { r = $0; c++ } END { if (c == 1) print r }' \
			"$top/guests.table")
	[ -n "$row" ] || { echo "guests: no guest $1 in guests.table" >&2; return 1; }
	# shellcheck disable=SC2086
	set -- $row
	# shellcheck disable=SC2034 # the G_ variables are for the callers
	G_NAME=$1 G_ARCH=$2 G_SERIES=$3 G_FLAVOUR=$4 G_QEMU=$5 G_CPU=$6 \
		G_KARGS=$7 G_LEVELS=$8 G_PAGE=$9 G_VABITS=${10} G_ROLE=${11}
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

# Where a series Debian 12 does not have comes from: its suites, and
# the package layout ("bullseye": linux-image-ABI-amd64 with /boot and
# /lib/modules, built with gcc-10 in a bullseye root; "trixie":
# linux-image-VER-amd64 is a metapackage over linux-binary-,
# linux-modules- and linux-base-, all under /usr/lib/modules, built with
# gcc-14 in a trixie root).  The layout names the build root
# (scripts/build-root.sh LAYOUT).  Nothing for 6.1 and 6.12.
guest_origin() { # series
	case $1 in
	5.10) echo "bullseye|bullseye bullseye-updates bullseye-security" ;;
	7.*) echo "trixie|trixie-backports trixie" ;;
	esac
}

# A kernel of such a series (amd64; arm64 and arm64-16k from trixie),
# fetched into the cache with scripts/fetch.sh (a private apt
# configuration: the system's sources are not touched, nothing is
# installed).  Sets what guest_kernel sets.
guest_fetched_kernel() { # image?
	local origin layout suites re abi root broot darch
	origin=$(guest_origin "$G_SERIES")
	layout=${origin%%|*}
	suites=${origin#*|}
	darch=$(guest_debarch "$G_ARCH")
	case $layout/$G_FLAVOUR in
	*/amd64 | trixie/arm64 | trixie/arm64-16k) ;;
	*) echo "guests: $G_SERIES is not fetched for $G_FLAVOUR" >&2; return 1 ;;
	esac
	# The newest version the archive has: linux-image-5.10.0-46-amd64,
	# linux-image-7.3.4+deb13-arm64.
	re="^linux-image-(${G_SERIES//./\\.}\\.[0-9]+(-[0-9]+|\\+deb[0-9]+))-$G_FLAVOUR\$"
	abi=$(VMVIEW_SUITES=$suites "$top/scripts/fetch.sh" -l "linux-image-$G_SERIES." |
	      sed -En "s/$re/\\1/p" | sort -V | tail -n 1)
	[ -n "$abi" ] || { echo "guests: no $G_SERIES $G_FLAVOUR kernel in $suites" >&2; return 1; }
	G_KVER=$abi-$G_FLAVOUR
	# The headers go into the release's build root (scripts/build-root.sh:
	# its own gcc, and trixie's arm64 cross gcc), at their real paths,
	# with their kbuild (the host's architecture: it runs on the host).
	local hpkgs=("linux-headers-$G_KVER:$darch" "linux-headers-$abi-common")
	case $layout in
	bullseye) hpkgs+=("linux-kbuild-$G_SERIES") ;;
	trixie) hpkgs+=("linux-kbuild-$abi") ;;
	*) echo "guests: no origin known for series $G_SERIES" >&2; return 1 ;;
	esac
	broot=$("$top/scripts/build-root.sh" "$layout") || return 1
	[ "$(VMVIEW_SUITES=$suites "$top/scripts/fetch.sh" "${broot##*/}" "${hpkgs[@]}")" = "$broot" ] || return 1
	G_HDRS=$broot/usr/src/linux-headers-$G_KVER
	G_BUSYBOX=/bin/busybox
	if [ "${1:-}" = image ]; then
		case $layout in
		bullseye)
			root=$(VMVIEW_SUITES=$suites "$top/scripts/fetch.sh" "$layout-$darch" \
				"linux-image-$G_KVER") || return 1
			G_KIMG=$root/boot/vmlinuz-$G_KVER
			;;
		trixie)
			root=$(VMVIEW_SUITES=$suites "$top/scripts/fetch.sh" "$layout-$darch" \
				"linux-binary-$G_KVER:$darch" "linux-modules-$G_KVER:$darch" \
				"linux-base-$G_KVER:$darch") || return 1
			# merged /usr: depmod and vm.sh look in lib/modules
			[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
			G_KIMG=$root/usr/lib/modules/$G_KVER/vmlinuz
			;;
		esac
		G_MODS=$root/lib/modules/$G_KVER
		# Another architecture's guest runs bookworm's static busybox.
		if [ "$darch" != amd64 ]; then
			G_BUSYBOX=$("$top/scripts/fetch.sh" "bookworm-$darch" \
				"busybox-static:$darch")/bin/busybox || return 1
		fi
	fi
	[ -d "$G_HDRS" ] || { echo "guests: $G_HDRS missing after fetching" >&2; return 1; }
	[ "${1:-}" = image ] || return 0
	# The packages' postinst would run depmod; vm.sh reads modules.dep.
	if [ ! -s "$G_MODS/modules.dep" ]; then
		depmod -b "$root" "$G_KVER" || return 1
	fi
	[ -f "$G_KIMG" ] || { echo "guests: $G_KIMG missing after fetching" >&2; return 1; }
}

guest_kernel() { # name [image]
	local amd64 abi darch root
	guest_get "$1" || return 1
	if [ -n "$(guest_origin "$G_SERIES")" ]; then
		guest_fetched_kernel "${2:-}"
		return
	fi
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
	# shellcheck disable=SC2034 # for the callers
	G_BUSYBOX=$root/bin/busybox
	[ -d "$G_HDRS" ] || { echo "guests: $G_HDRS missing after fetching" >&2; return 1; }
	# Extracted, not installed: no postinst ran depmod; vm.sh reads
	# modules.dep (for zram).
	if [ "${2:-}" = image ] && [ ! -s "$G_MODS/modules.dep" ]; then
		depmod -b "$root" "$G_KVER" || return 1
	fi
	return 0
}

build_module() { # hdrs dir [make args...]
	local hdrs=$1 dir broot
	dir=$(realpath -m "$2")
	shift 2
	# every core: the module's files compile independently
	set -- -j"$(nproc)" "$@"
	rm -rf "$dir" && mkdir -p "$dir" &&
	cp -r "$top/Kbuild" "$top/guests.table" "$top/module" "$top/include" "$dir/" &&
	find "$dir" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete || return 1
	broot=${hdrs%/usr/src/*}
	if [ "$broot" != "$hdrs" ] && [ -f "$broot/.vmview-ready" ]; then
		# A build root (scripts/build-root.sh): its release's compiler,
		# the headers at their real path, DIR bound to /mnt/vmview in a
		# private mount namespace, /proc for objtool.
		# sparse runs from the root too; the trixie root has none (its
		# 0.6.4 stops at 7.x's __typeof_unqual__), and Debian's kbuild
		# lacks the checker-valid.sh that would say so: say it here, once.
		local a args=()
		for a in "$@"; do
			case $a in
			C=*)
				if [ -x "$broot/usr/bin/sparse" ]; then
					args+=("$a")
				else
					echo "vmview: no sparse in ${broot##*/} for these headers: $a not run" >"$dir/build.log"
				fi
				;;
			*) args+=("$a") ;;
			esac
		done
		set -- "${args[@]}"
		# shellcheck disable=SC2016 # bash -c's script, expanded there
		mkdir -p "$broot/mnt/vmview" &&
		unshare --mount --pid --fork --mount-proc="$broot/proc" \
			bash -c 'mount --bind "$1" "$2/mnt/vmview" && shift 2 && exec chroot "$0" make "$@"' \
			"$broot" "$dir" "$broot" -C "${hdrs#"$broot"}" M=/mnt/vmview "$@" modules \
			>>"$dir/build.log" 2>&1
		return
	fi
	# Debian's arm64 headers name the cross compiler themselves from
	# 6.12 on; 6.1's only when DEB_HOST_ARCH says so: say it always.
	if grep -qs '^override ARCH = arm64' "$hdrs/.kernelvariables"; then
		set -- CROSS_COMPILE=aarch64-linux-gnu- "$@"
	fi
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
	arch | series | flavour | qemu | cpu | kargs | levels | page | vabits | role)
		guest_get "${2:?name}" && v=G_${1^^} && echo "${!v}" ;;
	*) echo "usage: guests.sh names [ROLE] | FIELD NAME" >&2; exit 2 ;;
	esac
fi

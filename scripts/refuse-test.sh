#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The refusal test (part of make check): no kernel that guests.table does
# not test can be made to run vmview code.  For every "refuse" row:
#
#   1. the module is built against that kernel's headers (fetched by
#      scripts/fetch.sh): the build must stop, before compiling anything,
#      with the one line naming what is supported and what this kernel is;
#   2. it is built again past that check (VMVIEW_UNTESTED=1).  Where that
#      gives a vmview.ko, the guest is booted (scripts/vm.sh) and insmod
#      must fail with EOPNOTSUPP, dmesg must say why ("refusing to load:"),
#      nothing of vmview may remain, and the kernel must stay healthy (no
#      oops, no warning, taint only O/E).  Where the forced build does not
#      compile, nothing can be loaded, and that is said.
#
#   scripts/refuse-test.sh [NAME...]    (default: every refuse row)
#
# Prints TAP lines.  Logs: build/refuse/NAME/.
set -u
cd "$(dirname "$0")/.."
top=$PWD
. scripts/guests.sh

tap() { # status description
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# What the refusal line must say, worked out here on its own (not with
# module/supported.awk): "vmview supports ARCH on Linux A, B and C[, and
# ARCH2 on Linux D]; this is ...", an architecture named "ARCH with P
# pages" when a row of it has a page size none of its test rows has.
supported_clause() {
	local arch list out= n i=0 tp allp p only all
	local archs
	archs=$(guest_names test | while read -r g; do guest_get "$g"; echo "$G_ARCH"; done | awk '!s[$0]++')
	n=$(echo "$archs" | wc -l)
	for arch in $archs; do
		i=$((i + 1))
		list=$(guest_names test | while read -r g; do
			guest_get "$g"; [ "$G_ARCH" = "$arch" ] && echo "$G_SERIES"; done |
			sort -uV | paste -sd, | sed 's/,\([^,]*\)$/ and \1/; s/,/, /g')
		tp=$(guest_names test | while read -r g; do
			guest_get "$g"; [ "$G_ARCH" = "$arch" ] && echo "$G_PAGE"; done | awk '!s[$0]++')
		allp=$(guest_names | while read -r g; do
			guest_get "$g"; [ "$G_ARCH" = "$arch" ] && echo "$G_PAGE"; done | awk '!s[$0]++')
		# a page size tested on some of the series only
		all=$(echo "$list" | sed 's/ and /, /')
		for p in $tp; do
			only=$(guest_names test | while read -r g; do
				guest_get "$g"; [ "$G_ARCH" = "$arch" ] && [ "$G_PAGE" = "$p" ] &&
					echo "$G_SERIES"; done | sort -uV | paste -sd, | sed 's/,/, /g')
			[ "$only" = "$all" ] || list="$list ($p pages: $only only)"
		done
		if [ -n "$(comm -13 <(echo "$tp" | sort) <(echo "$allp" | sort))" ]; then
			arch="$arch with $(echo "$tp" | paste -sd' ' | sed 's/ / or /g') pages"
		fi
		if [ $i = 1 ]; then out="$arch on Linux $list"
		elif [ $i = "$n" ]; then out="$out, and $arch on Linux $list"
		else out="$out, $arch on Linux $list"
		fi
	done
	echo "vmview supports $out"
}

clause=$(supported_clause)

# 0. DKMS's own guard (dkms.conf's BUILD_EXCLUSIVE_*) must accept exactly
# the tested pairs: every architecture of the table against every series
# of the table and a few around them, as Debian names their releases.
# DKMS sources dkms.conf with $arch set (its BUILD_EXCLUSIVE_KERNEL may
# depend on it): so does this, in a subshell.
dkms_var() { # arch variable
	(set +u && arch=$1 && . ./dkms.conf >/dev/null 2>&1 && eval "echo \"\$$2\"")
}
tested=$(guest_names test | while read -r t; do guest_get "$t"; echo "$G_ARCH/$G_SERIES/$G_PAGE"; done)
wrong=
for a in $(guest_names | while read -r t; do guest_get "$t"; echo "$G_ARCH"; done | sort -u); do
	case $a in x86-64) m=x86_64 ;; i386) m=i686 ;; arm64) m=aarch64 ;; *) m=$a ;; esac
	kre=$(dkms_var "$m" BUILD_EXCLUSIVE_KERNEL)
	are=$(dkms_var "$m" BUILD_EXCLUSIVE_ARCH)
	if [ -z "$kre" ] || [ -z "$are" ]; then
		wrong="$wrong $m:(no BUILD_EXCLUSIVE_* from dkms.conf)"
		continue
	fi
	for v in $( (guest_names | while read -r t; do guest_get "$t"; echo "$G_SERIES"; done
		     echo 5.10 6.2 6.10 6.11 6.120 7.3 | tr ' ' '\n') | sort -uV); do
		# Debian names a 16k arm64 kernel's release "...-arm64-16k".
		rels=("$v.0-1-x" "$v.117+deb12-x")
		[ "$a" = arm64 ] && rels+=("$v.117+deb12-arm64-16k")
		for rel in "${rels[@]}"; do
			case $rel in *-16k) p=16k ;; *) p=4k ;; esac
			took=no
			[[ $rel =~ $kre ]] && [[ $m =~ $are ]] && took=yes
			echo "$tested" | grep -qx "$a/$v/$p" && want=yes || want=no
			[ $took = $want ] || wrong="$wrong $m:$rel($took)"
		done
	done
done
tap "$([ -z "$wrong" ] && echo 0 || echo 1)" "dkms.conf's BUILD_EXCLUSIVE_* accept exactly the tested kernels (${wrong:- $(echo "$tested" | sort -uV | xargs)})"

names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(guest_names refuse)

for g in "${names[@]}"; do
	out=$top/build/refuse/$g
	rm -rf "$out"
	mkdir -p "$out"
	if ! guest_kernel "$g" >"$out/fetch.log" 2>&1; then
		tap 1 "refuse $g: fetch the $G_SERIES $G_FLAVOUR headers (see build/refuse/$g/fetch.log)"
		tail -n 5 "$out/fetch.log" | sed 's/^/# /'
		continue
	fi
	if guest_names test | grep -qx "$g"; then
		tap 1 "refuse $g: a test row of guests.table"
		continue
	fi
	case " $(guest_names test | while read -r t; do guest_get "$t"; echo "$G_ARCH/$G_SERIES $G_ARCH"; done | xargs) " in
	*" $G_ARCH/$G_SERIES "*) this="Linux $G_SERIES with $G_PAGE pages" ;;
	*" $G_ARCH "*) this="Linux $G_SERIES" ;;
	*) this=$G_ARCH ;;
	esac
	want="$clause; this is $this ($G_KVER): see Documentation/vmview.rst, Supported kernels"

	# 1. The plain build stops with the line, having compiled nothing.
	build_module "$G_HDRS" "$out/kmod"
	rc=$?
	objs=$(find "$out/kmod" -name '*.o' | wc -l)
	if [ $rc -ne 0 ] && grep -qF "*** $want.  Stop." "$out/kmod/build.log" && [ "$objs" = 0 ]; then
		tap 0 "refuse $g: the build for $G_KVER stops with the supported-kernels line"
	else
		tap 1 "refuse $g: the build for $G_KVER stops with the supported-kernels line (exit $rc, $objs objects)"
		echo "# expected: $want"
		grep -m 3 '\*\*\*' "$out/kmod/build.log" | sed 's/^/# got: /'
	fi

	# 2. Forced past the check, the module must refuse to load.
	build_module "$G_HDRS" "$out/forced" VMVIEW_UNTESTED=1
	if [ ! -f "$out/forced/module/vmview.ko" ]; then
		# A compiler's error or the missing architecture, not a
		# missing tool, must be what stopped it.
		first=$(grep -m 1 -E ' error: |\*\*\* vmview knows no ' "$out/forced/build.log")
		tap "$([ -n "$first" ] && echo 0 || echo 1)" \
			"refuse $g: forced past the check, the build does not compile, so nothing can be loaded (${first##*/})"
		[ -n "$first" ] || tail -n 5 "$out/forced/build.log" | sed 's/^/# /'
		continue
	fi
	if ! guest_kernel "$g" image >>"$out/fetch.log" 2>&1; then
		tap 1 "refuse $g: fetch the $G_KVER image (see build/refuse/$g/fetch.log)"
		continue
	fi
	pl=$out/payload
	mkdir -p "$pl"
	cp "$out/forced/module/vmview.ko" "$pl/"
	cat >"$pl/run.sh" <<'GUEST'
# Runs in the guest: a vmview.ko built for this kernel past the build's
# refusal must not load, must say why, and must leave nothing behind.
rc=0
check() { # status description
	if [ "$1" = 0 ]; then echo "ok - $GUEST: $2"; else echo "not ok - $GUEST: $2"; rc=1; fi
}
insmod /vmview/vmview.ko 2>/tmp/insmod.err
st=$?
echo "# insmod: $(cat /tmp/insmod.err)"
[ $st -ne 0 ] && grep -q 'Operation not supported' /tmp/insmod.err
check $? "insmod of a forced build is refused with EOPNOTSUPP"
dmesg | grep 'vmview: ' | sed 's/^/# dmesg: /'
dmesg | grep -q 'vmview: refusing to load: ' &&
	dmesg | grep -q 'vmview: this kernel .* is not one vmview is tested on'
check $? "dmesg says why the load was refused"
[ ! -e /sys/module/vmview ] && [ ! -e /proc/vmview ] && [ ! -e /sys/kernel/debug/vmview ]
check $? "nothing of vmview remains (/sys/module, /proc/vmview, debugfs)"
exit $rc
GUEST
	sed -i "1i GUEST=$g" "$pl/run.sh"
	echo "# refuse $g: booting $G_KVER ($G_QEMU, $G_LEVELS-level paging) with a forced build"
	scripts/vm.sh -g "$g" -p "$pl" -o "$out/guest" -t "${VM_TIMEOUT:-300}" \
		>"$out/guest.log" 2>&1
	grep -E '^(not )?ok |^# (insmod|dmesg)' "$out/guest.log" |
		sed "s/^\(\(not \)\?ok\) - $g: /\1 - refuse $g: /"
done
exit 0

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make dkms-check`: build vmview with Debian's own DKMS for both Debian
# kernels and prove, in a QEMU guest of each, that the module DKMS built is
# the one the kernel loads.  Nothing is loaded into this machine's kernel.
#
#   1. scripts/deps.sh test and pkg (kernels, QEMU, dkms);
#   2. `make dkms-install DESTDIR=...` stages exactly what DKMS gets
#      (Kbuild, dkms.conf, module/, include/), copied to /usr/src/vmview-V;
#   3. dkms add, then dkms build -k KVER for the kernel of every test guest
#      of guests.table (5.10 and 7.x: the dkms of the bullseye or trixie
#      build root, where their headers and gcc-10 or gcc-14 are);
#      each vmview.ko's vermagic must name its kernel; a kernel outside
#      BUILD_EXCLUSIVE_KERNEL must be refused (exit 77);
#   4. scripts/vm.sh boots each kernel with that vmview.ko: the guest
#      insmods it and checks /proc/vmview's kernel: and version: lines and
#      /sys/module/vmview/srcversion against the host's modinfo, then rmmods;
#   5. dkms remove --all and the source copy are removed.
#
# Prints TAP lines and ends with "N passed, N failed"; exit status 0 when
# none failed.  Idempotent: leftovers of an earlier run (/usr/src/vmview-*,
# /var/lib/dkms/vmview) are removed first, and again on exit.  Refuses to
# run while the vmview-dkms package is installed (it owns the same paths).
# Logs: build/dkms/ (dkms output, guest console and output per kernel).
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
out=$top/build/dkms

pass=0 fail=0
tap() { # status description
	if [ "$1" = 0 ]; then
		echo "ok - $2"
		pass=$((pass + 1))
	else
		echo "not ok - $2"
		fail=$((fail + 1))
	fi
}
# Copy TAP lines from another tool (vm.sh) into the count.
count_tap() {
	local line
	while IFS= read -r line; do
		echo "$line"
		case $line in
		"ok "*) pass=$((pass + 1)) ;;
		"not ok "*) fail=$((fail + 1)) ;;
		esac
	done
}
bail() {
	echo "Bail out! $*"
	exit 1
}

[ "$(id -u)" = 0 ] || bail "dkms-test needs root (dkms writes /usr/src and /var/lib/dkms)"
scripts/deps.sh test >&2 || bail "scripts/deps.sh test failed"
scripts/deps.sh pkg >&2 || bail "scripts/deps.sh pkg failed"

ver=$(sed -n 's/^#define VMVIEW_VERSION "\(.*\)"/\1/p' module/vmview.h)
confver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
if [ -z "$ver" ] || [ "$ver" != "$confver" ]; then
	bail "dkms.conf PACKAGE_VERSION ($confver) differs from VMVIEW_VERSION ($ver)"
fi
src=/usr/src/vmview-$ver
# Every kernel of guests.table's test guests, with a guest that boots it.
declare -A guest_of=()
kernels=()
for g in $(scripts/guests.sh names test); do
	k=$(scripts/guests.sh kver "$g") || bail "no kernel for guest $g (scripts/deps.sh test)"
	[ -n "${guest_of[$k]:-}" ] && continue
	guest_of[$k]=$g
	kernels+=("$k")
done
[ ${#kernels[@]} -gt 0 ] || bail "no test guest in guests.table"

if dpkg-query -W -f='${db:Status-Abbrev}' vmview-dkms 2>/dev/null | grep -q '^i'; then
	bail "the vmview-dkms package is installed and owns $src; remove it first (dpkg -r vmview-dkms)"
fi

# A kernel whose headers are not installed on this host (5.10: they need
# bullseye's gcc-10; 7.x: trixie's gcc-14) is built by the DKMS of the
# build root its headers live in (scripts/build-root.sh), from a copy of
# the same source tree there, as DKMS on Debian 11 or 13 would build it.
# dkroot_of[KVER] is that root; dk ROOT ARGS runs its dkms.
declare -A dkroot_of=()
dk() { # root|"" dkms-args...
	local root=$1
	shift
	if [ -z "$root" ]; then
		dkms "$@"
	else
		unshare --mount --pid --fork --mount-proc="$root/proc" \
			chroot "$root" dkms "$@"
	fi
}

# dkms signs what it builds with /var/lib/dkms/mok.key, creating the key on
# first use: remove it again if this run created it.
mok_existed=
[ -e /var/lib/dkms/mok.key ] && mok_existed=1

cleanup() {
	local d
	for d in /var/lib/dkms/vmview/*/; do
		[ -d "$d" ] || continue
		d=${d%/}
		dkms remove "vmview/${d##*/}" --all >>"$out/dkms.log" 2>&1
	done
	rm -rf /var/lib/dkms/vmview /usr/src/vmview-*
	for d in "${dkroot_of[@]}"; do
		dk "$d" remove "vmview/$ver" --all >>"$out/dkms.log" 2>&1
		rm -rf "$d/var/lib/dkms/vmview" "$d"/usr/src/vmview-*
	done
	if [ -z "$mok_existed" ]; then
		rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	fi
}
rm -rf "$out"
mkdir -p "$out"
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup

echo "TAP version 13"
echo "# vmview $ver with $(dkms --version 2>/dev/null | head -n 1) for ${kernels[*]}"

# --- the source tree ------------------------------------------------------
stage=$out/stage
make -s dkms-install DESTDIR="$stage" >"$out/stage.log" 2>&1
rc=$?
if [ $rc = 0 ] && cp -a "$stage$src" /usr/src/; then
	extra=$(cd "$src" && find . -type f | sed 's|^\./||' |
		grep -Ev '^(Kbuild|dkms\.conf|guests\.table|module/(Kbuild|supported\.awk|[A-Za-z0-9_-]+\.[ch]|arch/[a-z0-9]+/[A-Za-z0-9_-]+\.[ch])|include/.*\.h)$' |
		tr '\n' ' ')
	bad=$(cd "$src" && find . -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o -name '*.mod*' | head -n 3)
	n=$(find "$src" -type f | wc -l)
	if [ -z "$extra" ] && [ -z "$bad" ] && [ -f "$src/Kbuild" ] && [ -f "$src/dkms.conf" ]; then
		tap 0 "source copied to $src ($n files: Kbuild, dkms.conf, guests.table, module/, include/)"
	else
		tap 1 "source copied to $src: unexpected files: $extra $bad"
	fi
else
	tap 1 "source copied to $src (see $out/stage.log)"
	bail "no source tree"
fi

if dkms add "vmview/$ver" >"$out/dkms.log" 2>&1; then
	tap 0 "dkms add vmview/$ver"
else
	tap 1 "dkms add vmview/$ver (see $out/dkms.log)"
	bail "dkms add failed"
fi

# --- build for both kernels -----------------------------------------------
built=()
for k in "${kernels[@]}"; do
	log=$out/build-$k.log
	t0=$(date +%s)
	root='' dkv='' dkargs=() cross=''
	garch=$(scripts/guests.sh arch "${guest_of[$k]}")
	if [ ! -e "/lib/modules/$k/build" ] && [ "$garch" = i386 ]; then
		# 32-bit x86 headers, extracted: this machine's DKMS builds
		# for them as a Debian i386 system's would (its gcc builds
		# -m32), told the architecture and where the headers are.
		hdrs=$(scripts/guests.sh hdrs "${guest_of[$k]}" 2>>"$log")
		dkargs=(-a i686 --kernelsourcedir "$hdrs")
	elif [ ! -e "/lib/modules/$k/build" ]; then
		hdrs=$(scripts/guests.sh hdrs "${guest_of[$k]}" 2>>"$log")
		root=${hdrs%/usr/src/linux-headers-"$k"}
		[ -x "$root/usr/sbin/dkms" ] || root=''
		if [ "$garch" = arm64 ]; then
			# arm64 headers, extracted: the same, cross-compiled
			# (6.12's headers name aarch64-linux-gnu- themselves,
			# 6.1's take it from the environment); 7.x's by the
			# DKMS of the build root that has their gcc-14.
			dkargs=(-a aarch64 --kernelsourcedir "${hdrs#"$root"}")
			cross=aarch64-linux-gnu-
		elif [ -z "$root" ]; then
			tap 1 "dkms build $k: its headers are neither installed here nor in a build root with dkms (see $log)"
			continue
		fi
	fi
	if [ -n "$root" ]; then
		dkroot_of[$k]=$root
		dkv=$(dk "$root" --version 2>/dev/null | head -n 1)
		mkdir -p "$root/lib/modules/$k"
		ln -sfn "/usr/src/linux-headers-$k" "$root/lib/modules/$k/build"
		if ! { rm -rf "$root$src" && cp -a "$src" "$root/usr/src/" &&
		       { dk "$root" status "vmview/$ver" 2>/dev/null | grep -q . ||
			 dk "$root" add "vmview/$ver"; } >>"$log" 2>&1; }; then
			tap 1 "dkms add in $root for $k (see $log)"
			continue
		fi
	fi
	if CROSS_COMPILE=$cross dk "$root" build "vmview/$ver" -k "$k" "${dkargs[@]}" >>"$log" 2>&1; then
		tap 0 "dkms build $k${dkargs[*]:+ ${dkargs[*]}}${root:+ (${dkv:-dkms} in $root)} ($(( $(date +%s) - t0 ))s)"
	else
		tap 1 "dkms build $k (see $log)"
		tail -n 20 "$log" | sed 's/^/# /'
		continue
	fi
	ko=$(find "$root/var/lib/dkms/vmview/$ver/$k" -name 'vmview.ko*' -path '*/module/*' | head -n 1)
	if [ -z "$ko" ]; then
		tap 1 "dkms left a vmview.ko for $k in $root/var/lib/dkms/vmview/$ver/$k"
		continue
	fi
	magic=$(modinfo -F vermagic "$ko" 2>/dev/null)
	if [ "${magic%% *}" = "$k" ]; then
		tap 0 "vermagic of ${ko#"$root"/var/lib/dkms/} is $k"
	else
		tap 1 "vermagic of ${ko#"$root"/var/lib/dkms/} is $k (got '$magic')"
		continue
	fi
	status=$(dk "$root" status "vmview/$ver" -k "$k" "${dkargs[@]:0:2}" 2>/dev/null)
	case $status in
	*": built"*) tap 0 "dkms status: $status" ;;
	*) tap 1 "dkms status says built for $k (got '$status')" ;;
	esac

	# The guest's copy: uncompressed (busybox insmod), and what the host
	# knows about it.
	pl=$out/guest-$k/payload
	mkdir -p "$pl"
	case $ko in
	*.xz) xz -dc "$ko" >"$pl/vmview.ko" ;;
	*.zst) zstd -qdc "$ko" >"$pl/vmview.ko" ;;
	*.gz) gzip -dc "$ko" >"$pl/vmview.ko" ;;
	*) cp "$ko" "$pl/vmview.ko" ;;
	esac
	printf '%s\n' "$k" >"$pl/expect-kernel"
	printf '%s\n' "$ver" >"$pl/expect-version"
	modinfo -F srcversion "$pl/vmview.ko" >"$pl/expect-srcversion"
	built+=("$k")
done

# Outside BUILD_EXCLUSIVE_KERNEL: dkms must refuse before looking for headers.
# (32-bit x86: only 6.1 is tested.)
for k in 6.10.0-1-amd64 4.19.0-27-amd64 5.10.0-30-686-pae/i686; do
	a=()
	[ "${k#*/}" != "$k" ] && a=(-a "${k#*/}")
	dkms build "vmview/$ver" -k "${k%/*}" "${a[@]}" >"$out/exclusive-${k%/*}.log" 2>&1
	rc=$?
	tap "$([ $rc = 77 ] && echo 0 || echo 1)" "dkms build -k ${k%/*}${a[*]:+ ${a[*]}} refused by BUILD_EXCLUSIVE_KERNEL (exit $rc, want 77)"
done

# --- load each in its guest -----------------------------------------------
cat >"$out/run.sh" <<'GUEST'
#!/bin/sh
# Inside the guest: load the dkms-built module and check it is the one.
k=$(cat /vmview/expect-kernel)
v=$(cat /vmview/expect-version)
s=$(cat /vmview/expect-srcversion)
rc=0
t() { # status description
	if [ "$1" = 0 ]; then echo "ok - $k: $2"; else echo "not ok - $k: $2"; rc=1; fi
}
run=$(uname -r)
t "$([ "$run" = "$k" ] && echo 0 || echo 1)" "guest runs $run"
if insmod /vmview/vmview.ko 2>/tmp/insmod.err; then
	t 0 "insmod of the dkms-built vmview.ko"
else
	t 1 "insmod of the dkms-built vmview.ko: $(cat /tmp/insmod.err)"
	exit 1
fi
sed 's/^/# \/proc\/vmview: /' /proc/vmview
got=$(sed -n 's/^kernel: //p' /proc/vmview)
t "$([ "$got" = "$k" ] && echo 0 || echo 1)" "/proc/vmview kernel: $got"
got=$(sed -n 's/^version: //p' /proc/vmview)
t "$([ "$got" = "$v" ] && echo 0 || echo 1)" "/proc/vmview version: $got"
got=$(cat /sys/module/vmview/srcversion 2>/dev/null)
t "$([ -n "$s" ] && [ "$got" = "$s" ] && echo 0 || echo 1)" "loaded srcversion $got is the built module's ($s)"
if rmmod vmview && [ ! -e /proc/vmview ]; then
	t 0 "rmmod vmview"
else
	t 1 "rmmod vmview"
fi
exit $rc
GUEST
for k in "${built[@]}"; do
	pl=$out/guest-$k/payload
	cp "$out/run.sh" "$pl/run.sh"
	echo "# booting $k under QEMU (TCG)"
	count_tap < <(scripts/vm.sh -g "${guest_of[$k]}" -n "dkms-$k" -p "$pl" -o "$out/guest-$k" -t 600 2>&1)
done

# --- remove ---------------------------------------------------------------
if dkms remove "vmview/$ver" --all >>"$out/dkms.log" 2>&1; then
	tap 0 "dkms remove vmview/$ver --all"
else
	tap 1 "dkms remove vmview/$ver --all (see $out/dkms.log)"
fi
cleanup
left=$(for d in "" "${dkroot_of[@]}"; do
	ls -d "$d"/usr/src/vmview-* "$d/var/lib/dkms/vmview" 2>/dev/null
done | tr '\n' ' ')
tap "$([ -z "$left" ] && echo 0 || echo 1)" "no /usr/src/vmview-* or /var/lib/dkms/vmview left${left:+: $left}"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

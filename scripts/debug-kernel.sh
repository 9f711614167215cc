#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel (issue 6): a small 6.1 kernel from Debian's
# linux-source-6.1 with KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_VM and
# kmemleak, and vmview built against it.
#
#   scripts/debug-kernel.sh build   extract, configure, build (cached), and
#                                   build vmview.ko against it
#   scripts/debug-kernel.sh check   build, then boot it under QEMU and run
#                                   the kselftests (stress included) and a
#                                   kmemleak scan after untrack and rmmod;
#                                   this is `make check-debug`
#
# Everything lives in build/debug-kernel/ (outside git):
#   linux/             the kernel tree, built in place
#   build.log          the kernel build's output; config.log the config's
#   stamp              what the cached kernel was built from
#   kmod/              vmview's sources and vmview.ko for this kernel
#   guest/             the guest's console.log, output.log, dmesg.log
#
# The config is x86_64_defconfig + kvm_guest.config + the fragment in
# scripts/debug-kernel.config, applied with scripts/config and settled by
# olddefconfig; every line of the fragment is then checked.  The kernel
# is rebuilt only when the fragment, the source tarball or the compiler
# changed.  The build runs under `nice -n 19` (the machine is shared).
#
# Knobs: JOBS (make -j, default nproc), DURATION (the stress test's
# seconds in `check`, default 120), VM_TIMEOUT (the guest's limit, default
# 3600 s), VMVIEW_ONLY (selftests to run, a glob), VMVIEW_VMSH (a vm.sh
# to use instead of scripts/vm.sh; it must take -K IMAGE and -M MODDIR).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dk=$top/build/debug-kernel
src=$dk/linux
tarball=/usr/src/linux-source-6.1.tar.xz
fragment=$top/scripts/debug-kernel.config
base_configs="x86_64_defconfig kvm_guest.config"
jobs=${JOBS:-$(nproc)}

log() { echo "# debug-kernel: $*"; }
die() { echo "debug-kernel: $*" >&2; exit 1; }

# --- what the build needs -----------------------------------------------------
deps() {
	local p missing=()

	for p in flex bison bc libssl-dev libelf-dev linux-source-6.1 gcc make \
		 xz-utils; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null |
			grep -q '^ii' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "missing ${missing[*]}; run as root: apt-get install ${missing[*]}"
	log "apt-get install ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq "${missing[@]}" ||
		{ apt-get update -qq && apt-get install -y -qq "${missing[@]}"; }
}

# --- the tree -----------------------------------------------------------------
extract() {
	[ -r "$tarball" ] || die "no $tarball (apt-get install linux-source-6.1)"
	if [ -f "$src/Makefile" ] && [ "$dk/.extracted" -nt "$tarball" ]; then
		return 0
	fi
	log "extracting $tarball into $src"
	rm -rf "$src" "$dk/stamp"
	mkdir -p "$src"
	nice -n 19 tar -xJf "$tarball" -C "$src" --strip-components=1
	touch "$dk/.extracted"
}

# 6.1 does not export dump_mm(), which mmap_assert_locked() calls with
# DEBUG_VM: no module that asserts the mmap lock links against such a
# kernel.  Later kernels export it (6.12 does); do the same here.
patch_tree() {
	local f=$src/mm/debug.c

	grep -q '^EXPORT_SYMBOL(dump_mm);' "$f" && return 0
	grep -q '^void dump_mm(const struct mm_struct \*mm)$' "$f" ||
		die "$f: no dump_mm() to export"
	log "exporting dump_mm() from mm/debug.c (as later kernels do)"
	awk '{ print }
	     /^void dump_mm\(const struct mm_struct \*mm\)$/ { in_fn = 1 }
	     in_fn && /^}$/ { print "EXPORT_SYMBOL(dump_mm);"; in_fn = 0 }' \
		"$f" >"$f.new" && mv "$f.new" "$f"
}

# What the cached kernel depends on: the fragment, the tarball, the compiler.
inputs() {
	{
		echo "base: $base_configs"
		echo "patches: dump_mm"
		cat "$fragment"
		stat -c 'tarball: %n %s %Y' "$tarball"
		gcc --version | head -n 1
	} | sha256sum | cut -d' ' -f1
}

# Apply the fragment with scripts/config: one option a line.
apply_fragment() {
	local line name val args=()

	while IFS= read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			name=${line#\# CONFIG_}
			args+=(--disable "${name% is not set}")
			;;
		CONFIG_*=*)
			name=${line%%=*}
			name=${name#CONFIG_}
			val=${line#*=}
			case $val in
			y) args+=(--enable "$name") ;;
			m) args+=(--module "$name") ;;
			*) args+=(--set-val "$name" "$val") ;;
			esac
			;;
		esac
	done <"$fragment"
	(cd "$src" && scripts/config --file .config "${args[@]}")
}

# Every line of the fragment must hold in the final .config.
check_config() {
	local line name bad=0

	while IFS= read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			name=${line#\# }
			name=${name% is not set}
			if grep -q "^$name=" "$src/.config"; then
				echo "debug-kernel: $name is set, the fragment wants it off" >&2
				bad=1
			fi
			;;
		CONFIG_*=*)
			if ! grep -qx "$line" "$src/.config"; then
				echo "debug-kernel: want $line, the config has: $(grep "^${line%%=*}=" "$src/.config" || echo "${line%%=*} unset")" >&2
				bad=1
			fi
			;;
		esac
	done <"$fragment"
	return $bad
}

build_kernel() {
	local want t0 secs

	want=$(inputs)
	if [ -f "$dk/stamp" ] && [ "$(cat "$dk/stamp")" = "$want" ] &&
	   [ -f "$src/arch/x86/boot/bzImage" ] && [ -f "$src/Module.symvers" ]; then
		log "kernel cached: $src/arch/x86/boot/bzImage ($(cat "$src/include/config/kernel.release"))"
		return 0
	fi
	rm -f "$dk/stamp"
	log "configuring: $base_configs + scripts/debug-kernel.config"
	(
		cd "$src"
		make $base_configs
		cd "$top" && apply_fragment
		cd "$src" && make olddefconfig
	) >"$dk/config.log" 2>&1 || { tail -n 30 "$dk/config.log"; die "config failed (see $dk/config.log)"; }
	check_config || die "the config lost options (their dependencies?); see $dk/config.log"

	log "building bzImage and modules with make -j$jobs under nice -n 19 (log: $dk/build.log)"
	t0=$(date +%s)
	if ! nice -n 19 make -C "$src" -j"$jobs" bzImage modules >"$dk/build.log" 2>&1; then
		tail -n 40 "$dk/build.log"
		die "kernel build failed (see $dk/build.log)"
	fi
	secs=$(( $(date +%s) - t0 ))
	echo "$secs" >"$dk/build-seconds"
	echo "$want" >"$dk/stamp"
	log "kernel built in ${secs}s: $src/arch/x86/boot/bzImage ($(cat "$src/include/config/kernel.release"))"
}

# vmview.ko for this kernel, from a copy of the sources (as modules-all).
build_module() {
	local d=$dk/kmod

	rm -rf "$d"
	mkdir -p "$d"
	cp -r "$top/Kbuild" "$top/guests.table" "$top/module" "$top/include" "$d/"
	find "$d" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o \
		-name '*.mod*' -o -name 'modules.order' \) -delete
	if ! make -C "$src" M="$d" W=1 modules >"$d/build.log" 2>&1; then
		cat "$d/build.log"
		die "vmview.ko did not build against the debug kernel"
	fi
	if grep -q 'warning:' "$d/build.log"; then
		grep 'warning:' "$d/build.log" >&2
		die "vmview.ko built with warnings against the debug kernel"
	fi
	log "vmview.ko: $d/module/vmview.ko"
}

build() {
	mkdir -p "$dk"
	deps
	extract
	patch_tree
	build_kernel
	build_module
}

# --- the run ------------------------------------------------------------------

# A vm.sh that can boot a kernel image that is not in /boot.
find_vmsh() {
	local v=${VMVIEW_VMSH:-$top/scripts/vm.sh}

	grep -q 'getopts "[^"]*K:' "$v" && grep -q 'getopts "[^"]*M:' "$v" ||
		die "$v cannot boot a custom kernel: it needs -K IMAGE and -M MODDIR (see the report of issue 6); or set VMVIEW_VMSH to a vm.sh that has them"
	echo "$v"
}

# The guest's script: every selftest but the lockdown test (kmemleak must
# still be writable afterwards), a kmemleak scan after untrack and rmmod,
# then the lockdown test alone.
write_run_sh() { # payload
	cat >"$1/run.sh" <<EOF
export VMVIEW_EXPECT_LEVELS=5 VMVIEW_EXPECT_VA_BITS=56
export VMVIEW_GUEST=debug
export VMVIEW_STRESS_SECONDS=${DURATION:-120}
${VMVIEW_ONLY:+export VMVIEW_ONLY='$VMVIEW_ONLY'}
EOF
	cat >>"$1/run.sh" <<'EOF'
kml=/sys/kernel/debug/kmemleak
# Whatever the boot left behind is not vmview's: forget it.
if [ -w $kml ]; then
	echo scan >$kml
	echo clear >$kml
fi
VMVIEW_LOCKDOWN=skip sh /vmview/guest-run.sh
rc=$?
if [ -e /sys/module/vmview ]; then
	echo "not ok - debug: vmview still loaded before the kmemleak scan"
	rc=1
elif [ ! -w $kml ]; then
	echo "not ok - debug: no $kml"
	rc=1
else
	# Objects younger than 5 s are never reported: wait, scan twice.
	sleep 6
	echo scan >$kml
	sleep 6
	echo scan >$kml
	cat $kml >/tmp/kmemleak.txt
	n=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
	if [ "$n" -eq 0 ]; then
		echo "ok - debug: kmemleak reports nothing after untrack and rmmod"
	else
		echo "not ok - debug: kmemleak reports $n unreferenced objects ($(grep -c vmv_ /tmp/kmemleak.txt) lines name vmview)"
		sed 's/^/# kmemleak: /' /tmp/kmemleak.txt | head -n 200
		rc=1
	fi
fi
# Lockdep turns itself off after its first report: say whether it
# watched the whole run.
if [ -r /proc/lockdep_stats ]; then
	if grep -Eq 'debug_locks: +1' /proc/lockdep_stats; then
		echo "ok - debug: lockdep still on after the selftests"
	else
		echo "not ok - debug: lockdep turned itself off (a report in dmesg)"
		rc=1
	fi
fi
# Lockdown cannot be lowered again: its test runs last, alone.
if [ -z "${VMVIEW_ONLY:-}" ] || [ "$VMVIEW_ONLY" = vmview_lifetime ]; then
	VMVIEW_LOCKDOWN=only VMVIEW_ONLY=vmview_lifetime sh /vmview/guest-run.sh || rc=1
fi
exit $rc
EOF
}

check() {
	local vmsh pl out t0 rc=0

	build
	vmsh=$(find_vmsh)
	make -C "$top" -s cli selftests >"$dk/userspace.log" 2>&1 ||
		{ tail -n 30 "$dk/userspace.log"; die "make cli selftests failed"; }

	pl=$dk/payload
	out=$dk/guest
	rm -rf "$pl" "$dk/moddir"
	mkdir -p "$pl/selftests" "$dk/moddir"
	# Everything the guest needs is built in: no module but vmview.
	: >"$dk/moddir/modules.dep"
	cp "$dk/kmod/module/vmview.ko" "$pl/"
	[ -x "$top/tools/vmview-cli/vmview-cli" ] && cp "$top/tools/vmview-cli/vmview-cli" "$pl/"
	find "$top/build/selftests" -maxdepth 1 -type f -perm -u+x -exec cp {} "$pl/selftests/" \;
	cp "$top/scripts/guest-run.sh" "$pl/guest-run.sh"
	write_run_sh "$pl"

	log "booting $src/arch/x86/boot/bzImage (5-level paging; stress ${DURATION:-120}s)"
	t0=$(date +%s)
	"$vmsh" -k "$(cat "$src/include/config/kernel.release")" \
		-K "$src/arch/x86/boot/bzImage" -M "$dk/moddir" -n debug \
		-p "$pl" -o "$out" -t "${VM_TIMEOUT:-3600}" || rc=$?
	log "guest ran for $(( $(date +%s) - t0 ))s; kernel build took $(cat "$dk/build-seconds" 2>/dev/null || echo '?')s (when last built); logs in $out"
	return $rc
}

case ${1:-build} in
build) build ;;
check) check ;;
*) echo "usage: $0 build|check" >&2; exit 2 ;;
esac

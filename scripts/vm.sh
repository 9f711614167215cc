#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a Debian kernel under QEMU (TCG), run a script inside as root, bring
# its output and exit status back, and judge the guest's health.
#
#   scripts/vm.sh -g GUEST -p PAYLOAD -o OUTDIR [-t SECONDS] [-m MEM_MB] ...
#   scripts/vm.sh -k KVER -p PAYLOAD -o OUTDIR [-n NAME] [-a KARGS]
#                 [-t SECONDS] [-m MEM_MB] [-s SCRIPT] [-Q QEMU] [-C CPU]
#                 [-B BUSYBOX]
#
#   -g  a guest of guests.table: its kernel (fetched if it is not
#       installed), QEMU, CPU, command line and name; the options below
#       that come after -g override it
#   -k  guest kernel version (an image in /boot, modules in /lib/modules)
#   -K  boot this kernel image instead of /boot/vmlinuz-KVER
#   -M  take modules.dep (for zram) from this directory instead of
#       /lib/modules/KVER (an empty modules.dep: everything is built in)
#   -p  directory copied to /vmview in the guest (module, CLI, selftests);
#       the shared libraries of every ELF program in it come along (their
#       NEEDED entries, recursively, and the program interpreter, found
#       with readelf as the loader would find them, so any architecture)
#   -r  find those libraries under this root instead of the host's /: a
#       root of the guest's architecture (scripts/fetch.sh -r)
#   -s  script run with busybox sh from /vmview (default: PAYLOAD/run.sh)
#   -a  extra kernel command line (for example "no5lvl")
#   -n  name used in the TAP lines (default: KVER)
#   -Q  qemu-system-QEMU boots it: x86_64 (default), i386 or aarch64
#   -C  QEMU's -cpu (default max)
#   -B  the static busybox of the guest's architecture (default /bin/busybox)
#   -X  more QEMU options, split on blanks (for example "-icount shift=0")
#   -o  where console.log (kernel console), output.log (the script's
#       output), dmesg.log and initramfs.cpio are written
#
# The guest sets up swap on zram (the zram module and its dependencies are
# taken from the guest kernel's own modules.dep), mounts proc, sysfs,
# debugfs, devtmpfs and tmpfs, runs the script, dumps dmesg and powers off.
# The kernel's console goes to the first serial port (console.log); the
# script's output and the guest's reports come back on a channel of their
# own (output.log): on x86 the second serial port (ttyS1); on arm64, whose
# virt machine has a single PL011 (ttyAMA0, the console), a virtio-serial
# port named "vmview" on virtio-pci, its drivers (virtio_pci,
# virtio_console) loaded first from the guest's modules where they are not
# built in (6.1 has them as modules, 6.12 built in).
# The host side has a hard timeout (qemu is killed; nothing can hang) and
# prints TAP lines for the guest itself:
#   ok - NAME: guest ran to the end        (script finished, no timeout)
#   ok - NAME: script exit status 0
#   ok - NAME: dmesg clean                 (no BUG, WARNING, Oops, ...)
#   ok - NAME: kernel not tainted          (beyond out-of-tree/unsigned)
# after copying the script's own output (its TAP lines) to stdout.
# Exit status: 0 when all of these pass, 1 otherwise.
#
# A guest that dies before the script starts (before vmview is loaded) is
# booted once more: under TCG a 6.12 guest rarely oopses while loading
# zram.  A failure after the script started is never retried.
set -u

kver= payload= outdir= name= kargs= timeout=900 mem=2048 script=
kimg= mdir= qemu=x86_64 cpu=max busybox=/bin/busybox extra= sysroot=
while getopts "g:k:K:M:p:o:n:a:t:m:s:Q:C:B:X:r:" opt; do
	case $opt in
	g)
		top=$(cd "$(dirname "$0")/.." && pwd)
		. "$top/scripts/guests.sh"
		guest_kernel "$OPTARG" image || exit 2
		kver=$G_KVER kimg=$G_KIMG mdir=$G_MODS busybox=$G_BUSYBOX
		qemu=$G_QEMU cpu=$G_CPU kargs=$G_KARGS name=$G_NAME
		;;
	k) kver=$OPTARG ;;
	K) kimg=$OPTARG ;;
	M) mdir=$OPTARG ;;
	p) payload=$OPTARG ;;
	o) outdir=$OPTARG ;;
	n) name=$OPTARG ;;
	a) kargs=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	s) script=$OPTARG ;;
	Q) qemu=$OPTARG ;;
	C) cpu=$OPTARG ;;
	B) busybox=$OPTARG ;;
	X) extra=$OPTARG ;;
	r) sysroot=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ -n "$kver" ] && [ -n "$payload" ] && [ -n "$outdir" ] ||
	{ echo "usage: vm.sh -k KVER -p PAYLOAD -o OUTDIR [...]" >&2; exit 2; }
name=${name:-$kver}
kimg=${kimg:-/boot/vmlinuz-$kver}
mdir=${mdir:-/lib/modules/$kver}
[ -r "$kimg" ] || { echo "vm.sh: no kernel image $kimg" >&2; exit 2; }
[ -d "$mdir" ] || { echo "vm.sh: no modules in $mdir" >&2; exit 2; }
[ -d "$payload" ] || { echo "vm.sh: no payload directory $payload" >&2; exit 2; }
[ -x "$busybox" ] || { echo "vm.sh: no busybox $busybox" >&2; exit 2; }
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

# What differs between the machines: the console, the results channel
# (a device, or "virtio:NAME" for a virtio-serial port the guest finds by
# its name in sysfs), the modules the channel needs, and QEMU's options for
# the machine and for the channel, which QEMU writes to output.log.
case $qemu in
x86_64 | i386)
	console=ttyS0 channel=/dev/ttyS1 chanmods=
	qmachine=() qchannel=(-serial "file:$outdir/output.log")
	;;
aarch64)
	console=ttyAMA0 channel=virtio:vmview chanmods="virtio_pci virtio_console"
	qmachine=(-M virt)
	# shellcheck disable=SC2054 # commas: QEMU's option syntax
	qchannel=(-device virtio-serial-pci
		  -chardev "file,id=vmview,path=$outdir/output.log"
		  -device virtserialport,chardev=vmview,name=vmview)
	;;
*) echo "vm.sh: cannot boot a qemu-system-$qemu guest (x86_64, i386 and aarch64 only)" >&2; exit 2 ;;
esac

root=$(mktemp -d "${TMPDIR:-/tmp}/vmview-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

# --- the initramfs -------------------------------------------------------
chmod 0755 "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,lib/vmview-mods,root,vmview}
cp "$busybox" "$root/bin/busybox"
cp -a "$payload"/. "$root/vmview/"
[ -n "$script" ] && cp "$script" "$root/vmview/run.sh"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Shared libraries (and the dynamic loader) of every ELF file in the
# payload, from the host's / or the -r root: each NEEDED name looked up in
# the architecture's multiarch directories, then /lib and /usr/lib, as the
# loader does without an ld.so.cache; each library's own NEEDED in turn.
# A library that is not there stops the boot with its name.
declare -A have_lib
copy_libs() {
	local f n d lib t todo=("$@")
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		case $(readelf -hW "$f" | sed -n 's/^ *Machine: *//p') in
		AArch64) t=aarch64-linux-gnu ;;
		"Intel 80386") t=i386-linux-gnu ;;
		*X86-64) t=x86_64-linux-gnu ;;
		*) t=none ;;
		esac
		for n in $(readelf -lW "$f" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p') \
			 $(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			[ -n "${have_lib[$n]:-}" ] && continue
			lib=
			case $n in
			/*) [ -e "$sysroot$n" ] && lib=$n ;;
			*)
				for d in /lib/$t /usr/lib/$t /lib /usr/lib; do
					[ -e "$sysroot$d/$n" ] && { lib=$d/$n; break; }
				done
				;;
			esac
			[ -n "$lib" ] || { echo "vm.sh: ${f#"$root"} needs $n, not in ${sysroot:-/}" >&2; exit 2; }
			have_lib[$n]=1
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$sysroot$lib" "$root$lib"
			todo+=("$root$lib")
		done
	done
}
mapfile -t elves < <(find "$root/vmview" -type f -perm -u+x -exec sh -c \
	'head -c 4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
[ ${#elves[@]} -gt 0 ] && copy_libs "${elves[@]}"

# Modules and what they depend on, in load order, decompressed: the
# channel's (lib/vmview-mods/early, before the channel is opened) and
# zram's (lib/vmview-mods/order).  Built-in ones are not in modules.dep.
resolve() {
	local mod=$1 line deps d
	line=$(grep -E "(^|/)$mod\.ko(\.xz|\.zst|\.gz)?:" "$mdir/modules.dep") || return 0
	deps=${line#*:}
	for d in $(echo $deps | tr ' ' '\n' | tac); do
		echo "$d"
	done
	echo "${line%%:*}"
}
add_mods() { # list module...
	local list=$1 rel base m
	shift
	: >"$root/lib/vmview-mods/$list"
	for rel in $(for m in "$@"; do resolve "$m"; done | awk '!seen[$0]++'); do
		base=$(basename "$rel")
		case "$base" in
		*.xz) xz -dc "$mdir/$rel" >"$root/lib/vmview-mods/${base%.xz}"; base=${base%.xz} ;;
		*.zst) zstd -qdc "$mdir/$rel" >"$root/lib/vmview-mods/${base%.zst}"; base=${base%.zst} ;;
		*.gz) gzip -dc "$mdir/$rel" >"$root/lib/vmview-mods/${base%.gz}"; base=${base%.gz} ;;
		*) cp "$mdir/$rel" "$root/lib/vmview-mods/$base" ;;
		esac
		echo "$base" >>"$root/lib/vmview-mods/$list"
	done
}
# shellcheck disable=SC2086 # a list of names
add_mods early $chanmods
add_mods order zram
echo "$channel" >"$root/etc/vmview-channel"

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
/bin/busybox --install -s /sbin
export PATH=/vmview:/vmview/bin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm /dev/pts && mount -t tmpfs tmpfs /dev/shm
# The results channel (/etc/vmview-channel): a serial port, or
# virtio:NAME, the virtio-serial port of that name once its drivers are
# loaded (devtmpfs makes /dev/vportNpM; the name, which the host sends
# after the port appears, is in sysfs; 30 s at most).
for m in $(cat /lib/vmview-mods/early); do
	insmod /lib/vmview-mods/$m || echo "vmview: insmod $m failed" >/dev/console
done
chan=$(cat /etc/vmview-channel)
case $chan in
virtio:*)
	i=0
	while [ $i -lt 300 ]; do
		for p in /sys/class/virtio-ports/*; do
			if [ "$(cat "$p/name" 2>/dev/null)" = "${chan#virtio:}" ] && [ -c "/dev/${p##*/}" ]; then
				chan=/dev/${p##*/}
				break 2
			fi
		done
		i=$((i + 1))
		sleep 0.1
	done
	;;
esac
if [ ! -c "$chan" ]; then
	echo "vmview: no results channel ($(cat /etc/vmview-channel))" >/dev/console
	poweroff -f
fi
exec 3>"$chan"
echo VMVIEW-BOOTED >&3
for m in $(cat /lib/vmview-mods/order); do
	insmod /lib/vmview-mods/$m 2>&3 || echo "insmod $m failed" >&3
done
if [ -e /sys/block/zram0/disksize ] &&
   echo 256M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null &&
   swapon /dev/zram0; then
	echo "VMVIEW-SWAP zram0" >&3
else
	echo "VMVIEW-SWAP none" >&3
fi
echo VMVIEW-START >&3
cd /vmview
sh /vmview/run.sh >&3 2>&3
echo "VMVIEW-RC $?" >&3
echo "VMVIEW-TAINT $(cat /proc/sys/kernel/tainted)" >&3
echo VMVIEW-DMESG-BEGIN >&3
dmesg >&3
echo VMVIEW-DMESG-END >&3
sync
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$outdir/initramfs.cpio"

# --- boot ---------------------------------------------------------------
boot() {
	: >"$outdir/console.log"
	: >"$outdir/output.log"
	# A soft lockup panics (softlockup_panic=1): the guest stops at once
	# instead of at the timeout, and the panic prints the stuck CPU's
	# stack on the console, which "quiet" otherwise keeps off it.
	# shellcheck disable=SC2086 # -X: split on blanks
	timeout -k 10 "$timeout" "qemu-system-$qemu" "${qmachine[@]}" \
		-accel tcg -cpu "$cpu" -smp 2 -m "$mem" \
		-nodefaults -display none -no-reboot \
		-kernel "$kimg" -initrd "$outdir/initramfs.cpio" \
		-append "console=$console quiet panic=-1 oops=panic softlockup_panic=1 $kargs" \
		-serial "file:$outdir/console.log" \
		"${qchannel[@]}" $extra </dev/null
}
start=$(date +%s)
boot
qrc=$?
if ! grep -q '^VMVIEW-START' "$outdir/output.log"; then
	echo "# $name: guest died before the script started (qemu rc $qrc); booting once more" >&2
	boot
	qrc=$?
fi
secs=$(( $(date +%s) - start ))

# --- judge --------------------------------------------------------------
out=$outdir/output.log
sed -n '/^VMVIEW-START/,/^VMVIEW-RC /p' "$out" | sed '1d;$d' | tr -d '\r'
sed -n '/^VMVIEW-DMESG-BEGIN/,/^VMVIEW-DMESG-END/p' "$out" | sed '1d;$d' | tr -d '\r' >"$outdir/dmesg.log"

fail=0
tap() { # ok? description
	if [ "$1" = 0 ]; then echo "ok - $name: $2"; else echo "not ok - $name: $2"; fail=1; fi
}
rc=$(sed -n 's/^VMVIEW-RC \([0-9]*\).*/\1/p' "$out" | tr -d '\r')
if [ -n "$rc" ] && grep -q '^VMVIEW-DMESG-END' "$out"; then
	tap 0 "guest ran to the end (${secs}s, $(grep '^VMVIEW-SWAP' "$out" | tr -d '\r'))"
else
	[ "$qrc" = 124 ] && why="timed out after ${timeout}s" || why="qemu exit $qrc"
	tap 1 "guest ran to the end ($why; see $outdir/console.log)"
	tail -n 30 "$outdir/console.log" | sed 's/^/# console: /'
fi
tap "$([ "$rc" = 0 ] && echo 0 || echo 1)" "script exit status ${rc:-missing}"
bad='BUG|WARNING|Oops|general protection|refcount_t|Call Trace|RCU stall|rcu_sched detected|soft lockup|hung_task|blocked for more than|kernel panic|UBSAN|KASAN|kmemleak: [0-9]+ new suspected'
if grep -Eq "$bad" "$outdir/dmesg.log" "$outdir/console.log"; then
	tap 1 "dmesg clean"
	grep -Eh -B2 -A20 "$bad" "$outdir/dmesg.log" "$outdir/console.log" | head -n 60 | sed 's/^/# dmesg: /'
else
	tap 0 "dmesg clean"
fi
taint=$(sed -n 's/^VMVIEW-TAINT \([0-9]*\).*/\1/p' "$out" | tr -d '\r')
# 4096: out-of-tree module (O), 8192: unsigned module (E).
if [ -n "$taint" ] && [ $(( taint & ~(4096 | 8192) )) -eq 0 ]; then
	tap 0 "kernel not tainted beyond O/E (tainted=$taint)"
else
	tap 1 "kernel not tainted beyond O/E (tainted=${taint:-unknown})"
fi
exit $fail

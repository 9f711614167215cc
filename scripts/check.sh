#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every vmview test, ending with one line
#   N passed, N failed, N skipped
# counted over the TAP lines of all host tests, the refusal test and all
# kselftests on the "test" guests of guests.table.  Exits non-zero on any
# failure.  Logs: build/check/.
#
#   GUESTS="g61-4l g612-5l"   which test guests to boot (default: all)
#   VMVIEW_ONLY=vmview_load   run only these selftests (a glob; the
#                             tracing tools' boot is "vmview_trace_tools")
#   VMVIEW_TOOLS_GUESTS="g612-5l i386-pae arm64-612"  the guests (of
#                             GUESTS) where trace-cmd, perf and bpftrace
#                             record the tracepoints (the default)
#   VMVIEW_CHECK=guests       only the builds and the guests (a developer's
#                             quick loop; CI always runs everything)
set -u
cd "$(dirname "$0")/.."
top=$PWD
. scripts/guests.sh
mkdir -p build
# One check at a time on a machine: runs share build/ (and two cores).
exec 9>build/.check.lock
if ! flock -n 9; then
	echo "# another make check is running here; waiting for it" >&2
	flock 9
fi
logs=$top/build/check
rm -rf "$logs"
mkdir -p "$logs"
all=$logs/all.tap
: >"$all"
started=$(date +%s)

# Record a TAP stream: show it, keep it for the count.
record() {
	tee -a "$all"
}

# Run a step; its own output goes to a log.  A step that fails gets a
# "not ok" line; the log's tail is shown.
step() { # name command...
	local name=$1 log=$logs/$1.log
	shift
	if "$@" >"$log" 2>&1; then
		echo "ok - $name" | record
	else
		echo "not ok - $name (see build/check/$name.log)" | record
		tail -n 25 "$log" | sed 's/^/# /'
		return 1
	fi
}

echo "# vmview make check: $(date -u '+%F %T') UTC"
if ! scripts/deps.sh test; then
	echo "not ok - dependencies installed" | record
	echo "0 passed, 1 failed"
	exit 1
fi
# The kernels of the test guests, each built for once; their images
# fetched now too, before the DKMS and refusal tests fetch beside the
# guests.
declare -A hdrs=()
for g in $(guest_names test); do
	guest_kernel "$g" image || { echo "not ok - kernel of guest $g" | record; continue; }
	hdrs[$G_KVER]=$G_HDRS
done
echo "# kernels: $(printf '%s\n' "${!hdrs[@]}" | sort -V | xargs)"

# --- build -----------------------------------------------------------------
step build-cli make -s cli
step kselftest-headers make -s ksrc
step build-selftests make -s selftests
# The CLI and the selftests for each architecture of the test guests.
declare -A progs_of=()
for a in $(for g in $(guest_names test); do guest_get "$g" && echo "$G_ARCH"; done | sort -u); do
	if step "build-progs-$a" scripts/guest-progs.sh "$a"; then
		progs_of[$a]=$(tail -n 1 "$logs/build-progs-$a.log")
	fi
done

warnfree() { # kver: build the module with W=1 and sparse, fail on any warning
	local d=build/kmod/$1
	build_module "${hdrs[$1]}" "$d" W=1 C=1
	local rc=$?
	cat "$d/build.log"
	[ $rc -eq 0 ] && ! grep -q 'warning:' "$d/build.log"
}
for k in $(printf '%s\n' "${!hdrs[@]}" | sort -V); do
	step "module-w1-sparse-$k" warnfree "$k"
done

# Every symbol vmview.ko needs must be exported to modules by that kernel
# (modpost fails on a missing one too; this says which, on both kernels).
exports() { # kver
	local ko=build/kmod/$1/module/vmview.ko s n=0 miss=0
	[ -f "$ko" ] || return 1
	for s in $(nm -u "$ko" | awk '{print $2}'); do
		n=$((n + 1))
		awk -v s="$s" -F'\t' '$2 == s { f = 1 } END { exit !f }' \
			"${hdrs[$1]}/Module.symvers" ||
			{ echo "not exported to modules: $s"; miss=$((miss + 1)); }
	done
	echo "$n symbols, $miss not exported"
	[ $miss -eq 0 ]
}
for k in $(printf '%s\n' "${!hdrs[@]}" | sort -V); do
	step "module-exports-$k" exports "$k"
done

# --- kernel style ------------------------------------------------------------
host_steps() {
echo "# checkpatch --strict"
for f in module/*.[ch] module/arch/*/*.[ch] selftests/*.[ch]; do
	case $f in *.mod.c) continue ;; esac
	if out=$(perl build/ksrc/scripts/checkpatch.pl --strict --no-tree -q -f "$f" 2>&1) &&
	   ! echo "$out" | grep -Eq '^(WARNING|ERROR|CHECK)'; then
		echo "ok - checkpatch --strict $f" | record
	else
		echo "not ok - checkpatch --strict $f" | record
		echo "$out" | head -n 20 | sed 's/^/# /'
	fi
done

# --- host unit tests ---------------------------------------------------------
echo "# host unit tests"
make -s -C tests >"$logs/host-tests.log" 2>&1
hrc=$?
grep -E '^(not )?ok ' "$logs/host-tests.log" | record
if [ $hrc -ne 0 ] && ! grep -q '^not ok' "$logs/host-tests.log"; then
	echo "not ok - host unit tests (build failed, see build/check/host-tests.log)" | record
	tail -n 25 "$logs/host-tests.log" | sed 's/^/# /'
fi
grep '^#   ' "$logs/host-tests.log" | head -n 40

# A bounded run of the shadow table's fuzzer (make fuzz runs it longer).
make -s -C tests fuzz-smoke >"$logs/fuzz.log" 2>&1
grep -E '^(not )?ok ' "$logs/fuzz.log" | record
grep -Eq '^(not )?ok ' "$logs/fuzz.log" ||
	echo "not ok - fuzz_shadow (see build/check/fuzz.log)" | record

# A step whose own output is TAP: keep its lines, and fail it as a whole
# if it exits non-zero without a "not ok".
tapstep() { # name command...
	local name=$1 log=$logs/$1.log
	shift
	"$@" >"$log" 2>&1
	local rc=$?
	grep -E '^(not )?ok ' "$log" | record
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "not ok - $name (exit $rc, see build/check/$name.log)" | record
		tail -n 25 "$log" | sed 's/^/# /'
	fi
}

# --- the CLI's host tests (fake debugfs trees) ----------------------------------
echo "# vmview-cli host tests"
tapstep cli-tests make -s -C tools/vmview-cli check

# --- packaging and documentation ------------------------------------------------
echo "# docs, Debian packages, DKMS"
step docs make -s docs
step deb make -s deb
tapstep dkms make -s dkms-check

# --- kernels vmview does not support -----------------------------------------
echo "# refusal: the build and the load on kernels guests.table does not test"
tapstep refuse scripts/refuse-test.sh

}
# The host steps run beside the guests: a guest's QEMU keeps about one of
# the two cores busy, the host steps the other (about 6 minutes less in
# all).  Their TAP goes to a file of its own (two writers appending to one
# file could split a line) and their output follows the guests'.
host_steps_apart() {
	local all=$logs/host.tap	# what record appends to, here

	: >"$all"
	host_steps
}
hpid=
if [ "${VMVIEW_CHECK:-all}" = guests ] && [ -z "${CI:-}" ]; then
	echo "# VMVIEW_CHECK=guests: host tests, checkpatch, packaging and refusal skipped"
else
	echo "# host tests, checkpatch, packaging and refusal: beside the guests, shown after them"
	host_steps_apart >"$logs/host-steps.out" 2>&1 &
	hpid=$!
fi

# --- kselftests in the guests -------------------------------------------------
guest() { # name
	local name=$1 pl=$top/build/guest/$1/payload kver
	guest_kernel "$name" image || { echo "not ok - $name: its kernel (see above)" | record; return 1; }
	kver=$G_KVER
	rm -rf "$pl"
	mkdir -p "$pl/selftests"
	cp "build/kmod/$kver/module/vmview.ko" "$pl/" || return 1
	progs=${progs_of[$G_ARCH]:-}
	[ -n "$progs" ] || { echo "not ok - $name: no $G_ARCH programs (see build/check/build-progs-$G_ARCH.log)" | record; return 1; }
	cp "$progs/vmview-cli" "$pl/" || return 1
	find "$progs/selftests/" -maxdepth 1 -type f -perm -u+x -exec cp {} "$pl/selftests/" \;
	{
		echo "export VMVIEW_EXPECT_LEVELS=$G_LEVELS VMVIEW_EXPECT_VA_BITS=$G_VABITS"
		echo "export VMVIEW_GUEST=$name"
		[ -n "${VMVIEW_ONLY:-}" ] && echo "export VMVIEW_ONLY='$VMVIEW_ONLY'"
		cat scripts/guest-run.sh
	} >"$pl/run.sh"
	echo "# guest $name: $kver, $G_LEVELS-level paging${G_KARGS:+ ($G_KARGS)}"
	scripts/vm.sh -g "$name" -p "$pl" \
		-o "build/guest/$name" -t "${VM_TIMEOUT:-900}" >"$logs/guest-$name.log" 2>&1
	grep -E '^(not )?ok ' "$logs/guest-$name.log" | sed "s/^\(\(not \)\?ok [0-9-]*\)/\1 [$name]/" | record
	grep -E '^# (dmesg|console)|^#  ' "$logs/guest-$name.log" | head -n 60
}
for g in ${GUESTS:-$(guest_names test)}; do
	if guest_names test | grep -qx "$g"; then
		guest "$g"
	else
		echo "not ok - $g is not a test guest of guests.table" | record
	fi
done

# The tracepoints recorded by the real tools from Debian (trace-cmd, perf,
# bpftrace) while vmview-cli faults runs, in one boot of its own
# (scripts/guest-tools.sh): the tools and their libraries (about 230 MB,
# LLVM's for bpftrace) would slow every selftest's boot.  The tools are
# Debian's packages of the guest's architecture, with the libraries they
# need (scripts/fetch.sh -r, root "tools-ARCH" in the cache); vm.sh -r
# takes each program's libraries from that root.  Debian builds no
# bpftrace for i386: there, trace-cmd and perf only.  On the guests of
# VMVIEW_TOOLS_GUESTS (default: one of each architecture).  Run when
# VMVIEW_ONLY (a glob) matches vmview_trace_tools.
tools_guest() { # name
	local name=$1 pl=$top/build/guest/$1-tools/payload t a pkgs sysroot
	local tools="trace-cmd perf bpftrace"
	guest_kernel "$name" image || return 1
	# apt names the host's architecture's packages without a suffix
	a=:$(guest_debarch "$G_ARCH")
	[ "$a" = ":$(dpkg --print-architecture)" ] && a=
	[ "$G_ARCH" = i386 ] && tools="trace-cmd perf"
	pkgs=
	for t in $tools; do
		[ "$t" = perf ] && t=linux-perf
		pkgs="$pkgs $t$a"
	done
	# The x86-64 CLI is the host's, linked dynamically: its libraries too.
	[ "$G_ARCH" = x86-64 ] && pkgs="$pkgs libelf1 libjson-c5"
	# shellcheck disable=SC2086 # a list of packages
	sysroot=$(scripts/fetch.sh -r "tools-$G_ARCH" $pkgs 2>"$logs/tools-$name-fetch.log") || {
		echo "not ok - tracing tools for $name fetched (see build/check/tools-$name-fetch.log)" | record
		return 1
	}
	rm -rf "$pl" && mkdir -p "$pl/bin" || return 1
	cp "build/kmod/$G_KVER/module/vmview.ko" "${progs_of[$G_ARCH]}/vmview-cli" "$pl/" || return 1
	for t in $tools; do
		cp "$sysroot/usr/bin/$t" "$pl/bin/" ||
			{ echo "not ok - tracing tools for $name: no $t in $sysroot" | record; return 1; }
	done
	echo "# guest $name: tracepoints with $(cd "$pl/bin" && echo *)"
	scripts/vm.sh -g "$name" -p "$pl" -r "$sysroot" -s scripts/guest-tools.sh -n "$name-tools" \
		-o "build/guest/$name-tools" -t "${VM_TIMEOUT:-900}" >"$logs/guest-$name-tools.log" 2>&1
	grep -E '^(not )?ok ' "$logs/guest-$name-tools.log" |
		sed "s/^\(\(not \)\?ok [0-9-]*\)/\1 [$name-tools]/" | record
	grep -E '^# (dmesg|console)|^#  |^vm.sh' "$logs/guest-$name-tools.log" | head -n 60
}
# shellcheck disable=SC2053 # VMVIEW_ONLY is a glob
if [[ vmview_trace_tools == ${VMVIEW_ONLY:-*} ]]; then
	booted=" $(echo "${GUESTS:-$(guest_names test)}" | tr "\n" " ") "
	for g in ${VMVIEW_TOOLS_GUESTS:-g612-5l i386-pae arm64-612}; do
		case $booted in
		*" $g "*) ;;
		*) continue ;;
		esac
		guest_get "$g" || continue
		if [ -n "${progs_of[$G_ARCH]:-}" ]; then
			tools_guest "$g"
		else
			echo "not ok - tracing tools in $g: no programs built for $G_ARCH" | record
		fi
	done
fi

if [ -n "$hpid" ]; then
	wait "$hpid"
	echo "# host steps"
	cat "$logs/host-steps.out"
	cat "$logs/host.tap" >>"$all"
fi

# --- the count ---------------------------------------------------------------
skipped=$(grep -Ec '^ok .*# SKIP' "$all")
passed=$(( $(grep -Ec '^ok ' "$all") - skipped ))
failed=$(grep -Ec '^not ok ' "$all")
echo "# took $(( $(date +%s) - started ))s"
if [ "$failed" -gt 0 ]; then
	echo "# failures:"
	grep '^not ok ' "$all" | sed 's/^/#   /'
	# What a guest's kernel said, where a reader of only the run's
	# tail (CI's record) still sees it.
	for f in "$logs"/guest-*.log; do
		[ -e "$f" ] && grep -q '^not ok .*: dmesg clean' "$f" || continue
		echo "# $(basename "$f" .log), first lines of its kernel's complaint:"
		grep -E '^# (dmesg|console): ' "$f" | head -n 24 | sed 's/^/#   /'
	done
fi
echo "$passed passed, $failed failed, $skipped skipped" | tee "$logs/summary"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

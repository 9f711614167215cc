#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest (busybox sh), from /vmview, as root: the real
# tracing tools from Debian (/vmview/bin: trace-cmd, perf, bpftrace, put
# there with their libraries by scripts/check.sh) record vmview's
# tracepoints while "vmview-cli faults" runs, and what they recorded is
# checked against what the scenarios do:
#  - vmview_invalidate events came (per tracked PID, seq 0, 1, 2, ...
#    each once: nothing lost or made up; a re-track starts again at 0),
#    of the kinds the scenarios cause: clear (the zero page replaced, the
#    COW copy, MADV_DONTNEED), protection_vma (the mprotect that splits
#    the huge page), release (the target's exit), and soft_dirty where the
#    kernel has soft-dirty bits;
#  - with trace-cmd, every event "vmview-cli -j faults" showed for its
#    steps (it reads PID/events) is in the trace: same pid, seq, kind
#    and range;
#  - vmview_fill events came, each of the same PIDs, each with a
#    duration, storing entries (a chunk may store none).
# bpftrace counts invalidations by kind and by PID in maps (the issue's
# one-liner) and its maps are checked the same way.  Prints TAP.
# A tool that is not in /vmview/bin is skipped with the reason.
export VMVIEW_KO=/vmview/vmview.ko
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs tracefs $T
rc=0
insmod "$VMVIEW_KO" || { echo "not ok - tools: insmod vmview"; exit 1; }
# Soft-dirty bits (not on i386 or arm64): "sd" in a VMA's VmFlags.
sd=0
grep -q '^VmFlags:.* sd' /proc/self/smaps && sd=1

# Check a tool's text output (one event a line, "name: key=value ...").
check() { # tool file
	awk -v tool="$1" -v sd=$sd '
	function val(k) {
		if (match($0, "[ :]" k "=[^ ]*"))
			return substr($0, RSTART + length(k) + 2,
				      RLENGTH - length(k) - 2)
		return ""
	}
	/vmview_invalidate:/ {
		n++; p = val("pid"); s = val("seq") + 0; k = val("kind")
		kinds[k]++; cnt[p]++; pids[p] = 1
		if (s == 0) { base[p] += top[p]; top[p] = 0 }
		if (s + 1 > top[p]) top[p] = s + 1
	}
	/vmview_fill:/ {
		f++; fp[val("pid")]++; entries += val("entries")
		if (val("duration_ns") + 0 > 0) fok++
	}
	function tap(ok, what) {
		printf "%s - %s: %s\n", ok ? "ok" : "not ok", tool, what
		if (!ok) bad = 1
	}
	END {
		tap(n > 0, n + 0 " vmview_invalidate events")
		for (p in pids)
			tap(cnt[p] == base[p] + top[p], "pid " p ": " cnt[p] \
			    " invalidations, seq 0.." top[p] - 1 " each once")
		need = "clear protection_vma release" (sd ? " soft_dirty" : "")
		m = split(need, w, " ")
		for (i = 1; i <= m; i++)
			tap(kinds[w[i]] > 0, kinds[w[i]] + 0 " of kind " w[i])
		tap(f > 0 && fok == f && entries > 0, f + 0 \
		    " vmview_fill events, " fok + 0 " with a duration, " \
		    entries + 0 " entries stored")
		for (p in fp)
			tap(p in pids, "fills of pid " p " (" fp[p] \
			    "), a pid invalidated")
		exit bad
	}' "$2" || { rc=1; echo "# $1 output:"; head -n 40 "$2" | sed 's/^/#   /'; }
}

# The events "vmview-cli -j faults" showed for its steps (read from
# PID/events: pid, seq, kind, range) must each be in the trace.
shown() { # tool trace.txt faults.json
	awk -v tool="$1" '
	function val(k) {
		if (match($0, "[ :]" k "=[^ ]*"))
			return substr($0, RSTART + length(k) + 2,
				      RLENGTH - length(k) - 2)
		return ""
	}
	FNR == NR {
		if (/vmview_invalidate:/)
			have[val("pid") " " val("seq") " " val("kind") " " \
			     val("start") " " val("end")] = 1
		next
	}
	{
		n = split($0, st, "\"step\":")
		for (i = 2; i <= n; i++) {
			s = st[i]
			if (!match(s, /"pid":[0-9]+/))
				continue
			pid = substr(s, RSTART + 6, RLENGTH - 6)
			while (match(s, /"seq":[0-9]+,"event":"[a-z_]+","start":"0x[0-9a-f]+","end":"0x[0-9a-f]+"/)) {
				e = substr(s, RSTART, RLENGTH)
				s = substr(s, RSTART + RLENGTH)
				gsub(/"/, "", e)
				split(e, kv, ",")
				for (j = 1; j <= 4; j++)
					sub(/^[a-z]+:/, "", kv[j])
				key = pid " " kv[1] " " kv[2] " " kv[3] " " kv[4]
				total++
				if (key in have)
					found++
				else if (!miss)
					miss = key
			}
		}
	}
	END {
		ok = total > 0 && found == total
		printf "%s - %s: the %d events vmview-cli faults showed are in the trace%s\n",
		       ok ? "ok" : "not ok", tool, total,
		       miss ? " (not: " miss ")" : ""
		exit !ok
	}' "$2" "$3" || rc=1
}

# trace-cmd: record into a file, report as text.
if command -v trace-cmd >/dev/null; then
	if trace-cmd record -q -e vmview -o /tmp/trace.dat \
		/vmview/vmview-cli -j faults >/tmp/faults.json 2>/tmp/tc.err &&
	   trace-cmd report -i /tmp/trace.dat >/tmp/tc.txt 2>>/tmp/tc.err; then
		echo "ok - trace-cmd record -e vmview vmview-cli faults"
		check trace-cmd /tmp/tc.txt
		shown trace-cmd /tmp/tc.txt /tmp/faults.json
	else
		echo "not ok - trace-cmd record -e vmview vmview-cli faults"
		tail -n 20 /tmp/tc.err | sed 's/^/#   /'
		rc=1
	fi
else
	echo "ok - trace-cmd # SKIP not in the guest's payload"
fi

# perf: system-wide (fills run in the CLI, invalidations in its target).
if command -v perf >/dev/null; then
	if perf record -q -a -e 'vmview:*' -o /tmp/perf.data -- \
		/vmview/vmview-cli faults >/tmp/faults.out 2>/tmp/perf.err &&
	   perf script -i /tmp/perf.data >/tmp/perf.txt 2>>/tmp/perf.err; then
		echo "ok - perf record -e 'vmview:*' vmview-cli faults"
		check perf /tmp/perf.txt
	else
		echo "not ok - perf record -e 'vmview:*' vmview-cli faults"
		tail -n 20 /tmp/perf.err /tmp/faults.out | sed 's/^/#   /'
		rc=1
	fi
else
	echo "ok - perf # SKIP not in the guest's payload"
fi

# bpftrace: invalidations counted by kind (the enum's values: 1 clear,
# 2 protection_vma, 4 soft_dirty, 5 release) and by pid, with each
# pid's highest seq.
if command -v bpftrace >/dev/null; then
	if bpftrace -e 'tracepoint:vmview:vmview_invalidate {
			@kind[args->kind] = count();
			@n[args->pid] = count();
			@top[args->pid] = max(args->seq);
		}' -c '/vmview/vmview-cli faults' >/tmp/bt.txt 2>/tmp/bt.err; then
		echo "ok - bpftrace counting vmview_invalidate by kind"
		if awk -v sd=$sd '
			/^@kind\[/ { k = $1; gsub(/[^0-9]/, "", k); kind[k] = $2 }
			/^@n\[/ { p = $1; gsub(/[^0-9]/, "", p); n[p] = $2 }
			/^@top\[/ { p = $1; gsub(/[^0-9]/, "", p); top[p] = $2 }
			function tap(ok, what) {
				printf "%s - bpftrace: %s\n", ok ? "ok" : "not ok", what
				if (!ok) bad = 1
			}
			END {
				need = "1 2 5" (sd ? " 4" : "")
				m = split(need, w, " ")
				for (i = 1; i <= m; i++)
					tap(kind[w[i]] > 0, kind[w[i]] + 0 " of kind " w[i])
				for (p in n) {
					c++
					tap(n[p] >= top[p] + 1, "pid " p ": " n[p] \
					    " invalidations, highest seq " top[p])
				}
				tap(c > 0, c + 0 " pids")
				exit bad
			}' /tmp/bt.txt; then :; else
			rc=1
			sed 's/^/#   /' /tmp/bt.txt | head -n 30
		fi
	else
		echo "not ok - bpftrace counting vmview_invalidate by kind"
		tail -n 20 /tmp/bt.err | sed 's/^/#   /'
		rc=1
	fi
elif [ "$(uname -m)" = i686 ]; then
	echo "ok - bpftrace # SKIP Debian builds no bpftrace for i386"
else
	echo "ok - bpftrace # SKIP not in the guest's payload"
fi

if rmmod vmview; then
	echo "ok - rmmod vmview after the tools"
else
	echo "not ok - rmmod vmview after the tools"
	rc=1
fi
exit $rc

# SPDX-License-Identifier: GPL-2.0
#
# Is this kernel one vmview is tested on?  Reads guests.table (its header
# says how) and prints nothing when the (arch, series, page size) of the
# kernel being built is in a "test" row; otherwise one line saying what
# vmview supports and what this kernel is, for module/Kbuild to stop with:
#
#   awk -v arch=i386 -v series=6.1 -v page=4k -v release=6.1.0-57-686-pae \
#       -f module/supported.awk guests.table
#   vmview supports x86-64 on Linux 6.1 and 6.12; this is i386
#   (6.1.0-57-686-pae): see Documentation/vmview.rst, Supported kernels
#
# (one line; folded here).  An architecture some row of which has a page
# size no test row of it has is listed with the page sizes tested:
# "arm64 with 4k pages on Linux 6.1 and 6.12"; a page size tested on only
# some of its series says which: "arm64 on Linux 6.1, 6.12 and 7.3 (16k
# pages: 6.12 only)".

# Version order of two "major.minor" series.
function before(a, b,    x, y) {
	split(a, x, ".")
	split(b, y, ".")
	return x[1] + 0 < y[1] + 0 || (x[1] + 0 == y[1] + 0 && x[2] + 0 < y[2] + 0)
}

/^[ \t]*(#|$)/ { next }
{ pages[$2, $9] = 1 }
$11 != "test" { next }
{ tested[$2, $3, $9] = 1 }
!(($2, $9) in tpage) {
	tpage[$2, $9] = 1
	tpages[$2] = tpages[$2] (tpages[$2] == "" ? "" : " or ") $9
}
!(($2, $3) in seen) {
	seen[$2, $3] = 1
	if (!($2 in nseries))
		archs[++narchs] = $2
	n = ++nseries[$2]
	series_of[$2, n] = $3
	# insertion sort: each architecture's series in version order
	for (i = n; i > 1 && before(series_of[$2, i], series_of[$2, i - 1]); i--) {
		t = series_of[$2, i]
		series_of[$2, i] = series_of[$2, i - 1]
		series_of[$2, i - 1] = t
	}
}

END {
	if ((arch, series, page) in tested)
		exit 0
	if (!narchs) {
		print "vmview: no kernel is supported (no test row in guests.table)"
		exit 0
	}
	line = "vmview supports"
	for (a = 1; a <= narchs; a++) {
		name = archs[a]
		list = ""
		for (i = 1; i <= nseries[name]; i++) {
			sep = i == 1 ? "" : i == nseries[name] ? " and " : ", "
			list = list sep series_of[name, i]
		}
		sep = a == 1 ? " " : a == narchs ? ", and " : ", "
		with = ""
		for (k in pages) {
			split(k, kp, SUBSEP)
			if (kp[1] == name && !((name, kp[2]) in tpage))
				with = " with " tpages[name] " pages"
		}
		# a page size tested on some series only: "(16k pages: 6.12 only)"
		np = split(tpages[name], tp, " or ")
		for (j = 1; j <= np; j++) {
			only = ""
			no = 0
			for (i = 1; i <= nseries[name]; i++)
				if ((name, series_of[name, i], tp[j]) in tested)
					only = only (no++ ? ", " : "") series_of[name, i]
			if (no < nseries[name])
				list = list " (" tp[j] " pages: " only " only)"
		}
		line = line sep name with " on Linux " list
	}
	if ((arch, series) in seen)
		this = "Linux " series " with " page " pages"
	else if (arch in nseries)
		this = "Linux " series
	else
		this = arch
	print line "; this is " this " (" release "): see Documentation/vmview.rst, Supported kernels"
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian packages of any architecture and extract them into a root
# directory under the cache, without installing them and without touching
# the system's apt sources:
#
#   scripts/fetch.sh ROOT PKG[:ARCH]...
#
# extracts each package (and nothing it depends on) into
# $VMVIEW_CACHE/roots/ROOT (default cache: /var/cache/vmview, outside the
# work tree), then links every kernel-headers tree's kbuild directory
# (usr/lib/linux-kbuild-VER) to the host's, which serves every
# architecture.  Idempotent: a package already extracted is skipped.
#
# apt runs with a private configuration (APT_CONFIG) whose lists and cache
# live in the cache: the mirror is the one the system's own sources name,
# for the suites in VMVIEW_SUITES (default: bookworm bookworm-updates
# bookworm-security; another list keeps its own lists in
# $VMVIEW_CACHE/apt-FIRSTSUITE) and the architectures amd64, i386 and
# arm64.  The lists are refreshed when they are a day old or a package is
# not found.  Prints the root's path on success.
#
#   scripts/fetch.sh -r ROOT PKG:ARCH...
#
# the same, each package with the shared libraries its programs need to
# run: the lib* packages of its Depends closure, of its architecture
# (not interpreters' standard libraries, data or development packages,
# nor the rest of a system: dpkg, perl, python), for a guest of that
# architecture to run the programs from its initramfs.
#
#   scripts/fetch.sh -l PREFIX
#
# prints the names of the packages beginning with PREFIX that the suites
# have (apt-cache pkgnames, kept until the lists are refreshed), one a
# line, and nothing else.
set -euo pipefail

list= libs=
if [ "${1:-}" = -l ]; then
	list=${2:?usage: fetch.sh -l PREFIX}
	set -- list
elif [ "${1:-}" = -r ]; then
	libs=1
	shift
fi
root_name=${1:?usage: fetch.sh [-r] ROOT PKG[:ARCH]... | -l PREFIX}
shift
cache=${VMVIEW_CACHE:-/var/cache/vmview}
default_suites="bookworm bookworm-updates bookworm-security"
suites=${VMVIEW_SUITES:-$default_suites}
# Each release's lists live apart, so switching between them costs nothing.
apt=$cache/apt
[ "$suites" = "$default_suites" ] || apt=$cache/apt-${suites%% *}
root=$cache/roots/$root_name
# One fetch at a time per cache: make check fetches for its guests while
# the DKMS and refusal tests fetch beside them, and apt, the debs and the
# roots are shared.  Nothing here calls fetch.sh again.
mkdir -p "$cache"
exec 8>"$cache/.fetch.lock"
flock 8

# The mirror the system's sources name (deb822 or one-line format).
mirror() { # suffix: "" for the main archive, "-security"
	local want=debian$1 u
	for u in $(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null) \
		 $(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) print $i }' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null); do
		case ${u%/} in
		*/"$want") echo "${u%/}"; return ;;
		esac
	done
	[ -z "$1" ] && echo "http://deb.debian.org/debian" && return
	# No security mirror named: the main mirror's host serves it.
	echo "$(dirname "$(mirror "")")/$want"
}

setup() {
	local s key=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$apt"/{lists/partial,cache/archives/partial,etc/apt.conf.d,etc/preferences.d,etc/sources.list.d}
	: >"$apt/etc/sources.list.new"
	for s in $suites; do
		case $s in
		*-security) m=$(mirror -security) ;;
		*) m=$(mirror "") ;;
		esac
		echo "deb [arch=amd64,i386,arm64 signed-by=$key] $m $s main" >>"$apt/etc/sources.list.new"
	done
	mv "$apt/etc/sources.list.new" "$apt/etc/sources.list"
	cat >"$apt/apt.conf" <<EOF
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Dir::Etc "$apt/etc";
Dir::Etc::SourceList "$apt/etc/sources.list";
Dir::Etc::SourceParts "$apt/etc/sources.list.d";
Dir::Etc::Parts "$apt/etc/apt.conf.d";
Dir::Etc::PreferencesParts "$apt/etc/preferences.d";
Dir::Etc::TrustedParts "/etc/apt/trusted.gpg.d";
APT::Architecture "amd64";
APT::Architectures { "amd64"; "i386"; "arm64"; };
APT::Sandbox::User "root";
EOF
}

update() {
	echo "fetch: apt-get update ($suites)" >&2
	APT_CONFIG=$apt/apt.conf apt-get update -qq >&2
	touch "$apt/.updated"
}

setup
if [ ! -f "$apt/.updated" ] || [ -n "$(find "$apt/.updated" -mmin +1440)" ] ||
   ! grep -qs "$suites" "$apt/.suites"; then
	update
	echo "$suites" >"$apt/.suites"
fi

if [ -n "$list" ]; then
	# Kept until the lists are next refreshed (apt-cache takes seconds).
	names=$apt/pkgnames-$list
	if [ ! "$names" -nt "$apt/.updated" ]; then
		APT_CONFIG=$apt/apt.conf apt-cache pkgnames "$list" >"$names.new"
		mv "$names.new" "$names"
	fi
	cat "$names"
	exit 0
fi

# -r: the library packages of the closure, each of its package's
# architecture ("libc6:arm64"; a package without one is the host's).
if [ -n "$libs" ]; then
	want=()
	for p in "$@"; do
		a=${p#"${p%%:*}"}
		mapfile -t -O ${#want[@]} want < <(APT_CONFIG=$apt/apt.conf apt-cache depends \
			--recurse --no-recommends --no-suggests --no-conflicts \
			--no-breaks --no-replaces --no-enhances "$p" |
			awk -v a="$a" -v p="$p" '
			/^[ <]/ { next }
			{ n = $1; x = "" }
			n ~ /:/ { x = substr(n, index(n, ":")); n = substr(n, 1, index(n, ":") - 1) }
			x != a { next }
			$1 == p || (n ~ /^(lib|zlib1g$)/ && n !~ /-(stdlib|minimal|common|dev|bin)$/) { print $1 }')
	done
	mapfile -t want < <(printf "%s\n" "${want[@]}" | sort -u)
	set -- "${want[@]}"
fi

mkdir -p "$cache/debs" "$root/.extracted"
todo=()
for p in "$@"; do
	[ -e "$root/.extracted/$p" ] || todo+=("$p")
done
if [ ${#todo[@]} -gt 0 ]; then
	cd "$cache/debs"
	if ! APT_CONFIG=$apt/apt.conf apt-get download -q "${todo[@]}" >&2; then
		update
		APT_CONFIG=$apt/apt.conf apt-get download -q "${todo[@]}" >&2
	fi
	for p in "${todo[@]}"; do
		name=${p%%:*}
		arch=${p#"$name"}
		arch=${arch#:}
		if [ -n "$arch" ]; then
			deb=$(ls -t "${name}_"*"_$arch.deb" 2>/dev/null | head -n 1)
		else
			deb=$(ls -t "${name}_"*.deb 2>/dev/null | head -n 1)
		fi
		[ -n "$deb" ] || { echo "fetch: $p was downloaded but its .deb is not in $cache/debs" >&2; exit 1; }
		dpkg-deb -x "$deb" "$root"
		touch "$root/.extracted/$p"
	done
fi

# Debian's headers reach their build programs through usr/lib/linux-kbuild-VER.
for s in "$root"/usr/src/linux-headers-*/scripts; do
	[ -L "$s" ] || continue
	kb=$(readlink "$s")			# ../../lib/linux-kbuild-VER/scripts
	kb=${kb%/scripts}
	kb=/usr/lib/${kb##*/}
	[ -e "$root$kb" ] && continue
	[ -d "$kb" ] || { echo "fetch: $s needs $kb, which the host does not have (install the amd64 headers of that kernel)" >&2; exit 1; }
	mkdir -p "$root/usr/lib"
	ln -s "$kb" "$root$kb"
done
echo "$root"

#!/bin/sh
# deps.sh: make sure the Debian packages for one purpose are installed.
#   sh tests/deps.sh demo|build|test|ci|deb
#   sh tests/deps.sh list demo|build|test|ci|deb   (print them, one a line)
# deb: what "make deb" needs (the test suite's packages too, unless
# DEB_BUILD_OPTIONS holds nocheck); debian/control's Build-Depends name
# the same packages (tests/t_deb.sh compares them).
# All present: exits 0 silently.  Missing and root: installs them with no
# daemon started (a policy-rc.d that exits 101).  Missing and not root:
# says what to run and exits 1.
set -eu

build="gcc make pkg-config libc-ares-dev libmaxminddb-dev zlib1g-dev"
build="$build nettle-dev publicsuffix"
demo="$build rbldnsd libmaxmind-db-writer-perl mmdb-bin"
# ucspi-tcp-ipv6 provides tcpserver/tcprules with IPv6; it Conflicts with
# (and Provides) plain ucspi-tcp, which apt then replaces.
test="$demo ucspi-tcp-ipv6 nsd maildrop procmail dovecot-sieve"
test="$test libpython3.11-testsuite python3 valgrind daemontools time strace"
test="$test python3-spf python3-dkim opendkim-tools opendkim miltertest"
# libpsl is the reference the public suffix list reader is tested against
test="$test libpsl-dev man-db bsdextrautils"
# headless Chromium renders qqtag-report's HTML page (t_report.sh)
test="$test chromium"
ci="$test clang libclang-rt-14-dev build-essential dpkg-dev debhelper lintian"
# dpkg-buildpackage checks build-essential besides Build-Depends
debtools="build-essential dpkg-dev debhelper lintian"
case " ${DEB_BUILD_OPTIONS-} " in
*" nocheck "*) deb="$build $debtools" ;;
*) deb="$test $debtools" ;;
esac

list=
if [ "${1-}" = list ]; then
	list=1
	shift
fi

case ${1-} in
build) want=$build ;;
demo) want=$demo ;;
test) want=$test ;;
ci) want=$ci ;;
deb) want=$deb ;;
*)
	echo "usage: sh tests/deps.sh [list] demo|build|test|ci|deb" >&2
	exit 2
	;;
esac
mode=$1
if [ -n "$list" ]; then
	# shellcheck disable=SC2086
	printf '%s\n' $want
	exit 0
fi

missing=
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || st=
	case $st in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
missing=${missing# }
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "qqtag: missing Debian packages; run as root: apt-get install $missing" >&2
	exit 1
fi

# No daemon may start at install time (nsd would take port 53): a
# policy-rc.d that denies every start, removed again at exit.  One that
# the host already has is left alone.
prc=/usr/sbin/policy-rc.d
made_prc=
cleanup() {
	if [ -n "$made_prc" ]; then
		rm -f "$prc"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT HUP TERM
if [ ! -e "$prc" ]; then
	made_prc=1
	printf '#!/bin/sh\nexit 101\n' > "$prc"
	chmod 755 "$prc"
fi

export DEBIAN_FRONTEND=noninteractive
install() {
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing
}
lists_empty() {
	! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1
}

echo "qqtag: installing Debian packages: $missing" >&2
if [ "$mode" = ci ] || lists_empty; then
	apt-get update
	install
elif ! install; then
	apt-get update
	install
fi

#!/bin/sh
# t_deb.sh - the Debian package (debian/, "make deb").
# Always: debian/ agrees with the tree (Build-Depends name what
# tests/deps.sh installs, the test suite's packages as <!nocheck>;
# Depends name the package of the public suffix list orgdom.c reads;
# the cron example runs nothing; the Makefile's version is
# debian/changelog's).
# With CI=true or QQTAG_TEST_DEB=1 (as root, on a machine where a test
# may install a package): the package "make deb" built,
# dist/qqtag_VERSION_ARCH.deb (or $QQTAG_DEB): its files (every program
# of the Makefile's PROGS, every man page, the policy as a conffile, the
# docs and recipes, the cron example; no maintainer script, nothing for
# qmail), lintian with no error, "apt-get install ./qqtag_*.deb", qqtag
# -n on the installed policy, one message through the installed qqtag
# and qqtag-filter, remove (the policy stays), purge (nothing stays).
# Otherwise those steps are skipped: on a developer's machine the tests
# never install a package.  QQTAG_TEST_DEB=1 makes a missing package or
# a host that has qqtag installed already a failure; CI=true alone skips
# then (.ci/run runs make deb after the suite, then this test with
# QQTAG_TEST_DEB=1).
. "$(dirname "$0")/lib.sh"

CTL=$TOP/debian/control
# mkvar NAME: the value of the Makefile's variable NAME
mkvar() {
	printf 'v:\n\t@echo $(%s)\n' "$1" |
	    make --no-print-directory -s -C "$TOP" -f Makefile -f - v
}

# ---- debian/ agrees with the tree ----------------------------------------
if [ ! -r "$CTL" ]; then
	fail "debian/control exists"
	t_done
fi
# "NAME PROFILE" per Build-Depends entry (PROFILE "-" when none), then
# "depends NAME" per Depends entry of the binary package
"$PYTHON" - "$CTL" > "$T/ctl" << 'EOF'
import re, sys
paras, cur, field = [], {}, None
for line in open(sys.argv[1]).read().split("\n"):
    if line.startswith("#"):
        continue
    if not line.strip():
        if cur:
            paras.append(cur)
        cur, field = {}, None
        continue
    if line[0] in " \t" and field:
        cur[field] += " " + line.strip()
        continue
    field, _, val = line.partition(":")
    cur[field] = val.strip()
if cur:
    paras.append(cur)
for e in paras[0].get("Build-Depends", "").split(","):
    e = e.strip()
    if e:
        m = re.match(r"([a-z0-9.+-]+)[^<]*(?:<([^>]*)>)?", e)
        print(m.group(1), (m.group(2) or "-").strip())
for p in paras[1:]:
    for e in p.get("Depends", "").split(","):
        if e.strip():
            print("depends", e.split()[0])
EOF
nbd=$(grep -vc '^depends ' "$T/ctl")
[ "$nbd" -ge 10 ] && ok "debian/control: $nbd Build-Depends read" ||
    fail "debian/control: Build-Depends read" "$(cat "$T/ctl")"
# build: every package but build-essential's; test: the rest, <!nocheck>
sh "$TOP/tests/deps.sh" list build > "$T/build"
sh "$TOP/tests/deps.sh" list test > "$T/test"
bad=
for p in $(grep -vxE 'gcc|make' "$T/build"); do
	grep -qx "$p -" "$T/ctl" || bad="$bad $p"
done
[ "$(wc -l < "$T/build")" -ge 5 ] && [ -z "$bad" ] &&
    ok "Build-Depends name deps.sh's build packages, unconditionally" ||
    fail "Build-Depends name deps.sh's build packages (missing:$bad)"
bad=
n=0
for p in $(grep -vxFf "$T/build" "$T/test"); do
	n=$((n + 1))
	grep -qx "$p !nocheck" "$T/ctl" || bad="$bad $p"
done
[ "$n" -ge 10 ] && [ -z "$bad" ] &&
    ok "Build-Depends name deps.sh's $n test packages as <!nocheck>" ||
    fail "Build-Depends name deps.sh's test packages as <!nocheck>" \
	"missing, or not <!nocheck>:$bad"
# orgdom.c reads the public suffix list's DAFSA file (ORGDOM_FILE in
# orgdom.h): Depends must name the package that owns it (dpkg-shlibdeps
# cannot see a data file); libpsl is only the tests' reference
psl=$(sed -n 's/^#define[[:space:]]*ORGDOM_FILE[[:space:]]*"\(.*\)".*/\1/p' \
    "$TOP/orgdom.h")
owner=$(dpkg -S "$psl" 2> /dev/null | sed 's/:.*//')
if [ -n "$psl" ] && [ -n "$owner" ]; then
	grep -qx "depends $owner" "$T/ctl" &&
	    ok "Depends names $owner (it owns $psl)" ||
	    fail "Depends names $owner (it owns $psl)" \
		"$(grep '^depends' "$T/ctl")"
else
	fail "orgdom.h names ORGDOM_FILE, a file of an installed package" \
	    "'$psl' owner '$owner'"
fi
! grep -q '^depends libpsl' "$T/ctl" && grep -q '^depends ' "$T/ctl" &&
    ok "Depends does not name libpsl (the tests' reference only)" ||
    fail "Depends names libpsl" "$(grep '^depends' "$T/ctl")"
grep -qx "depends publicsuffix" "$T/ctl" && ok "Depends names publicsuffix" ||
    fail "Depends names publicsuffix" "$(grep '^depends' "$T/ctl")"

# the cron example: every line a comment, the probe and the report there
CRON=$TOP/debian/qqtag.cron.d
if [ -s "$CRON" ]; then
	grep -n '^[[:space:]]*[^#[:space:]]' "$CRON" > "$T/live"
	[ ! -s "$T/live" ] && ok "every line of the cron example is commented" ||
	    fail "every line of the cron example is commented" "$(cat "$T/live")"
	grep -q '^#[*0-9].* qmaild qqtag -T$' "$CRON" &&
	    grep -q '^#[*0-9].* qqtag-report ' "$CRON" &&
	    ok "the cron example holds the probe and the weekly report" ||
	    fail "the cron example holds qqtag -T and qqtag-report" \
		"$(cat "$CRON")"
else
	fail "debian/qqtag.cron.d exists"
fi

VERSION=$(mkvar VERSION)
if command -v dpkg-parsechangelog > /dev/null 2>&1; then
	assert_eq "the Makefile's VERSION is debian/changelog's" \
	    "$(cd "$TOP" && dpkg-parsechangelog -S Version)" "$VERSION"
else
	skip "VERSION against dpkg-parsechangelog (dpkg-dev not installed)"
fi

# ---- the package: only where a test may install one -----------------------
if [ "${CI-}" != true ] && [ "${QQTAG_TEST_DEB-}" != 1 ]; then
	skip "the package: built, linted, installed and purged only with \
CI=true or QQTAG_TEST_DEB=1 (it installs a package on this host)"
	t_done
fi
# need DESC: a precondition; fails with QQTAG_TEST_DEB=1, else skips
need() {
	if [ "${QQTAG_TEST_DEB-}" = 1 ]; then
		fail "$1"
	else
		skip "the package's install test: $1"
	fi
	t_done
}
ARCH=$(dpkg --print-architecture)
DEB=${QQTAG_DEB:-$TOP/dist/qqtag_${VERSION}_$ARCH.deb}
[ "$(id -u)" = 0 ] || need "root, to install the package"
[ -r "$DEB" ] || need "$DEB built (DEB_BUILD_OPTIONS=nocheck make deb)"
# a package older than its sources is not the one to test
new=
for f in "$TOP"/*.[ch158] "$TOP"/policy "$TOP"/INSTALL "$TOP"/recipes/* \
    "$TOP"/debian/changelog "$TOP"/debian/control "$TOP"/debian/rules \
    "$TOP"/debian/qqtag.*; do
	[ ! "$f" -nt "$DEB" ] || new="$new ${f#"$TOP"/}"
done
[ -z "$new" ] || need "$DEB newer than its sources (older than:$new)"
st=$(dpkg-query -W -f='${Status} ${Version}' qqtag 2> /dev/null)
case $st in
'' | *" not-installed "*) ;;
*) need "this host has no qqtag package yet ($st)" ;;
esac
for f in /etc/qqtag /etc/cron.d/qqtag /usr/bin/qqtag; do
	[ ! -e "$f" ] || need "this host has no $f yet (the test would own it)"
done
PROGS=$(mkvar PROGS)
# (an empty PROGS would make the loops over it below check nothing)
check "the Makefile's PROGS names programs ($PROGS)" [ -n "$PROGS" ]

# its files
dpkg-deb -c "$DEB" | awk '{ print $1, $NF }' > "$T/files"
for p in $PROGS; do
	grep -qx -- "-rwxr-xr-x ./usr/bin/$p" "$T/files" &&
	    ok "the package holds /usr/bin/$p, mode 755" ||
	    fail "the package holds /usr/bin/$p, mode 755" "$(cat "$T/files")"
done
for m in "$TOP"/*.[1-8]; do
	b=${m##*/}
	grep -qx -- "-rw-r--r-- ./usr/share/man/man${b##*.}/$b.gz" "$T/files" &&
	    ok "the package holds the man page $b" ||
	    fail "the package holds /usr/share/man/man${b##*.}/$b.gz"
done
for f in etc/qqtag/policy etc/cron.d/qqtag usr/share/doc/qqtag/INSTALL.gz \
    usr/share/doc/qqtag/copyright; do
	grep -q " \./$f$" "$T/files" && ok "the package holds /$f" ||
	    fail "the package holds /$f"
done
for r in "$TOP"/recipes/*; do
	grep -q " \./usr/share/doc/qqtag/recipes/${r##*/}$" "$T/files" &&
	    ok "the package holds recipes/${r##*/}" ||
	    fail "the package holds /usr/share/doc/qqtag/recipes/${r##*/}"
done
grep -E ' \./(var|srv|home|etc/init\.d|etc/systemd|(usr/)?lib/systemd)/' \
    "$T/files" > "$T/odd"
[ -s "$T/files" ] && [ ! -s "$T/odd" ] &&
    ok "nothing under /var (qmail), no init script, no systemd unit" ||
    fail "nothing under /var, no init script or unit" "$(cat "$T/odd")"
dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./etc/qqtag/policy > "$T/policy"
assert_file_eq "/etc/qqtag/policy is the tree's commented policy" \
    "$TOP/policy" "$T/policy"
mkdir "$T/ctrl"
dpkg-deb -e "$DEB" "$T/ctrl"
assert_eq "conffiles: the policy and the cron example" \
    "/etc/cron.d/qqtag /etc/qqtag/policy" \
    "$(sort "$T/ctrl/conffiles" | tr '\n' ' ' | sed 's/ $//')"
ls "$T/ctrl" > "$T/ctrl.ls"
grep -qx control "$T/ctrl.ls" &&
    ! grep -qxE 'preinst|postinst|prerm|postrm|config' "$T/ctrl.ls" &&
    ok "no maintainer script (it starts and changes nothing)" ||
    fail "no maintainer script" "$(cat "$T/ctrl.ls")"

# lintian: no error (warnings are overridden with reasons, or shown here)
if command -v lintian > /dev/null 2>&1; then
	lintian --fail-on error "$DEB" > "$T/lintian" 2>&1
	rc=$?
	sed 's/^/# lintian: /' "$T/lintian"
	[ $rc = 0 ] && ! grep -q '^E: ' "$T/lintian" &&
	    ok "lintian: no error ($(grep -c '^W: ' "$T/lintian") warnings)" ||
	    fail "lintian: no error (exit $rc)" "$(cat "$T/lintian")"
else
	fail "lintian is installed (sh tests/deps.sh ci)"
fi

# ---- install, use, remove, purge --------------------------------------------
export DEBIAN_FRONTEND=noninteractive
INSTALLED=
# purge what this test installed, whatever happened
_deb_exit() {
	_rc0=$?
	if [ -n "$INSTALLED" ] && dpkg-query -W qqtag > /dev/null 2>&1; then
		apt-get purge -y qqtag > /dev/null 2>&1 || dpkg --purge qqtag
	fi
	(exit $_rc0)
	_t_exit
}
trap _deb_exit EXIT
cp "$DEB" "$T/"
INSTALLED=1
(cd "$T" && apt-get install -y --no-install-recommends "./${DEB##*/}") \
    > "$T/apt.out" 2>&1
rc=$?
assert_eq "apt-get install ./${DEB##*/} exits 0" 0 "$rc"
[ $rc = 0 ] || printf '%s\n' "$(tail -n 20 "$T/apt.out")"
assert_eq "dpkg: qqtag $VERSION installed" "install ok installed $VERSION" \
    "$(dpkg-query -W -f='${Status} ${Version}' qqtag 2>&1)"
for p in $PROGS; do
	[ -x "/usr/bin/$p" ] && [ "$(dpkg -S "/usr/bin/$p" 2>&1)" = \
	    "qqtag: /usr/bin/$p" ] && ok "/usr/bin/$p installed, from qqtag" ||
	    fail "/usr/bin/$p installed, from qqtag" "$(dpkg -S "/usr/bin/$p" 2>&1)"
done
mp=$(man -w qqtag 2>&1)
assert_eq "man finds qqtag(8)" /usr/share/man/man8/qqtag.8.gz "$mp"

# qqtag -n on the installed policy: the queue is the tests' stand-in and
# the files are checked as this user (there is no qmaild here)
QQTAG_QUEUE=$STANDIN /usr/bin/qqtag -n -u "$(id -un)" /etc/qqtag/policy \
    > "$T/n.out" 2>&1
rc=$?
assert_eq "qqtag -n -u $(id -un) /etc/qqtag/policy exits 0" 0 "$rc"
assert_eq "qqtag -n: the last line says the policy is ok" \
    "/etc/qqtag/policy: ok" "$(tail -n 1 "$T/n.out")"
[ $rc = 0 ] || cat "$T/n.out"

# one message through the installed qqtag, with the installed policy (no
# QQTAG_POLICY); DNS goes to a dead loopback port
printf '%s\n' "Received: from mx.example.net (192.0.2.7)" \
    "  by mx.example.test with SMTP; 3 Dec 2026 12:00:00 -0000" \
    "From: Someone <someone@example.net>" "To: rcpt@example.org" \
    "Subject: through the package" "Date: Thu, 3 Dec 2026 12:00:00 +0000" \
    "Message-ID: <deb.1@example.net>" "" "The body, one line." > "$T/msg"
mkenv "$T/env" someone@example.net rcpt@example.org
(unset QQTAG_POLICY QMAILQUEUE RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED
TCPREMOTEIP=192.0.2.7 QQTAG_QUEUE=$STANDIN QQ_OUT=$T/q \
    QQTAG_DNS=127.0.0.1:1 /usr/bin/qqtag < "$T/msg" 1< "$T/env" 2> "$T/log"
echo $? > "$T/rc")
assert_eq "the installed qqtag hands the message on (exit 0)" 0 "$(cat "$T/rc")"
grep -q 'result=queue' "$T/log" && ok "its log line says result=queue" ||
    fail "its log line says result=queue" "$(cat "$T/log")"
if [ -s "$T/q.msg" ]; then
	n=$(wc -c < "$T/msg")
	tail -c "$n" "$T/q.msg" > "$T/tail"
	assert_file_eq "the message reaches the queue byte for byte" \
	    "$T/msg" "$T/tail"
	unfold "$T/q.msg" | grep '^X-Qqtag: ' > "$T/xq"
	grep -q ' checked=yes' "$T/xq" &&
	    ok "X-Qqtag: checked=yes (the installed policy was read)" ||
	    fail "X-Qqtag: checked=yes" "$(cat "$T/xq" "$T/log")"
else
	fail "the stand-in queued the message" "$(cat "$T/log")"
fi
assert_file_eq "the envelope reaches the queue byte for byte" \
    "$T/env" "$T/q.env"
# (exit 1 is also what a missing message or program gives: prove both)
if [ -s "$T/q.msg" ] && [ -x /usr/bin/qqtag-filter ]; then
	/usr/bin/qqtag-filter -t 0 < "$T/q.msg"
	assert_eq "qqtag-filter -t 0 on it: spam (exit 0)" 0 "$?"
	/usr/bin/qqtag-filter -t 1000 < "$T/q.msg"
	assert_eq "qqtag-filter -t 1000 on it: not spam (exit 1)" 1 "$?"
else
	fail "qqtag-filter -t 0 / -t 1000 on the queued message" \
	    "$(ls -l "$T/q.msg" /usr/bin/qqtag-filter 2>&1)"
fi

# remove: the programs go, the (changed) policy stays; purge: all goes
echo "# changed by the administrator" >> /etc/qqtag/policy
apt-get remove -y qqtag > "$T/rm.out" 2>&1
assert_eq "apt-get remove qqtag exits 0" 0 "$?"
assert_eq "removed: dpkg keeps its conffiles" "deinstall ok config-files" \
    "$(dpkg-query -W -f='${Status}' qqtag 2>&1)"
[ ! -e /usr/bin/qqtag ] && [ -e /etc/qqtag/policy ] &&
    ok "removed: /usr/bin/qqtag gone, the changed policy kept" ||
    fail "removed: /usr/bin/qqtag gone, /etc/qqtag/policy kept"
apt-get purge -y qqtag > "$T/purge.out" 2>&1
assert_eq "apt-get purge qqtag exits 0" 0 "$?"
left=
for f in /etc/qqtag /etc/cron.d/qqtag /usr/bin/qqtag /usr/share/doc/qqtag \
    /usr/share/man/man8/qqtag.8.gz; do
	[ ! -e "$f" ] || left="$left $f"
done
assert_eq "purged: nothing left" "" "$left"
if dpkg -s qqtag > "$T/s.out" 2>&1; then
	fail "purged: dpkg -s qqtag fails" "$(cat "$T/s.out")"
else
	ok "purged: dpkg -s qqtag fails (dpkg knows no qqtag)"
fi
t_done

#!/bin/sh
# t_policy.sh - qqtag -n [-u USER] through the binary: the spool, queue,
# list and state paths checked as USER (issue 10 item 3), header names
# restricted to X- names, in -n and in delivery (item 4).  Root-only
# cases (another user's rights) are skipped, and counted, otherwise.
. "$(dirname "$0")/lib.sh"

unset QQTAG_QUEUE QQTAG_POLICY RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED \
    TCP6REMOTEIP QMAILQUEUE QQTAG_LOOP 2> /dev/null || :
ME=$(id -un)
MYUID=$(id -u)
SKIPPED=0
chmod 711 "$T"			# others (nobody) may pass through
mkdir -m 1777 "$T/spool"
mkdir -m 755 "$T/bin" "$T/lists"
cp "$STANDIN" "$T/bin/queue" && chmod 755 "$T/bin/queue"
echo 192.0.2.66 > "$T/lists/bad" && chmod 644 "$T/lists/bad"

# n NAME [ARGS...]: qqtag -n ARGS $T/NAME; $T/NAME.out (stdout),
# $T/NAME.err (stderr), RC
n() {
	_p=$1
	shift
	"$QQTAG" -n "$@" "$T/$_p" > "$T/$_p.out" 2> "$T/$_p.err"
	RC=$?
}
# has DESC FILE TEXT: FILE holds TEXT (fixed string)
has() {
	grep -qF -- "$3" "$2" && ok "$1" ||
	    fail "$1" "no \"$3\" in $2:
$(cat "$2")"
}
skip() {
	SKIPPED=$((SKIPPED + 1))
	echo "skip - $1 (not root)"
}

# --- a good policy passes, and says as whom it checked ----------------------
cat > "$T/good" << P
spool $T/spool
queue $T/bin/queue
iplist BAD $T/lists/bad
state $T/spool/health
header flag X-Site-Flag
P
n good -u "$ME"
assert_eq "good policy: qqtag -n exit 0" 0 "$RC"
has "good: ok line" "$T/good.out" "$T/good: ok"
has "good: spool created as $ME" "$T/good.out" \
    "good:1: spool $T/spool: a file created, written and removed there as $ME (uid $MYUID)"
has "good: queue executable for $ME" "$T/good.out" \
    "good:2: queue $T/bin/queue: an executable file for $ME (uid $MYUID)"
has "good: list read as $ME" "$T/good.out" \
    "good:3: iplist $T/lists/bad: read as $ME (uid $MYUID)"
has "good: state directory checked" "$T/good.out" \
    "good:4: state directory $T/spool: a file created"
has "good: state not written yet is no error" "$T/good.out" \
    "good:4: state $T/spool/health: not there yet"
[ -s "$T/good.out" ] && [ ! -s "$T/good.err" ] &&
    [ -z "$(ls -A "$T/spool" 2>&1)" ] && ok "good: nothing on stderr, spool left empty" ||
    fail "good: stderr/spool" "$(cat "$T/good.err"; ls -A "$T/spool")"

# --- the three policies of issue 10, each named by its line ----------------
printf 'threshold 5\nspool /var/tmpp\nqueue %s\n' "$T/bin/queue" > "$T/typo"
n typo -u "$ME"
assert_eq "spool /var/tmpp: -n fails" 1 "$RC"
has "spool typo: line 2 named" "$T/typo.err" \
    "typo:2: spool /var/tmpp: no such file or directory"
printf 'spool %s\nthreshold 5\nqueue /var/qmail/bin/qmail-queeu\n' \
    "$T/spool" > "$T/queeu"
n queeu -u "$ME"
assert_eq "queue qmail-queeu: -n fails" 1 "$RC"
has "queue typo: line 3 named" "$T/queeu.err" \
    "queeu:3: queue /var/qmail/bin/qmail-queeu: no such file or directory"
# not writable: a read-only directory (root: another user's 0700 one)
mkdir -m 555 "$T/ro"
printf 'spool %s\nqueue %s\n' "$T/ro" "$T/bin/queue" > "$T/ro.p"
if [ "$MYUID" = 0 ]; then
	mkdir -m 700 "$T/rootonly"
	printf 'queue %s\nspool %s\n' "$T/bin/queue" "$T/rootonly" > "$T/priv"
	n priv -u nobody
	assert_eq "root 0700 spool, -u nobody: -n fails" 1 "$RC"
	has "root 0700 spool: line 2, as nobody" "$T/priv.err" \
	    "priv:2: spool $T/rootonly: cannot create a file there as nobody (uid $(id -u nobody)): Permission denied"
	n priv -u root
	assert_eq "root 0700 spool, -u root: -n passes" 0 "$RC"
	has "root 0700 spool: checked as root" "$T/priv.out" \
	    "priv:2: spool $T/rootonly: a file created, written and removed there as root (uid 0)"
	n ro.p -u nobody
	has "read-only spool fails as nobody" "$T/ro.p.err" \
	    "ro.p:1: spool $T/ro: cannot create a file there as nobody"
else
	skip "root 0700 spool fails for -u nobody, passes for -u root"
	n ro.p -u "$ME"
	assert_eq "read-only spool: -n fails" 1 "$RC"
	has "read-only spool: line 1 named" "$T/ro.p.err" \
	    "ro.p:1: spool $T/ro: cannot create a file there as $ME"
fi

# --- other spool and queue trouble ------------------------------------------
printf 'spool %s\nqueue %s\n' "$T/lists/bad" "$T/bin" > "$T/kinds"
n kinds -u "$ME"
has "spool that is a file: not a directory" "$T/kinds.err" \
    "kinds:1: spool $T/lists/bad: not a directory"
has "queue that is a directory: not a regular file" "$T/kinds.err" \
    "kinds:2: queue $T/bin: not a regular file"
cp "$STANDIN" "$T/bin/noexec" && chmod 644 "$T/bin/noexec"
printf 'spool %s\nqueue %s\n' "$T/spool" "$T/bin/noexec" > "$T/noexec"
n noexec -u "$ME"
assert_eq "non-executable queue: -n fails" 1 "$RC"
has "non-executable queue: line 2 named" "$T/noexec.err" \
    "noexec:2: queue $T/bin/noexec: cannot execute it as $ME"
printf 'spool %s\nqueue %s\n' "$T/spool" "$QQTAG" > "$T/self"
n self -u "$ME"
assert_eq "queue = qqtag itself: -n fails" 1 "$RC"
has "self-exec loop named" "$T/self.err" "self:2: queue $QQTAG: this is qqtag itself"
printf 'spool memfd\nqueue %s\n' "$T/bin/queue" > "$T/memfd"
n memfd -u "$ME"
assert_eq "spool memfd: -n passes" 0 "$RC"
has "spool memfd: said, not checked" "$T/memfd.out" \
    "memfd:1: spool memfd: in memory, no directory to check"
printf 'spool %s\n' "$T/spool" > "$T/dflt"
n dflt -u "$ME"
has "no queue line: the default is checked" "$T/dflt.err" \
    "dflt: queue /var/qmail/bin/qmail-queue (default): "
QQTAG_QUEUE=$T/bin/queue n dflt -u "$ME"
assert_eq "QQTAG_QUEUE is checked as delivery uses it" 0 "$RC"
has "QQTAG_QUEUE named" "$T/dflt.out" \
    "dflt: queue $T/bin/queue (QQTAG_QUEUE): an executable file for $ME"

# --- list, GeoIP and state files ------------------------------------------------
cat > "$T/files" << P
spool $T/spool
queue $T/bin/queue
iplist GONE $T/lists/none
geoip asn $T/lists/none.mmdb
state $T/none/health
P
n files -u "$ME"
assert_eq "missing files: -n fails" 1 "$RC"
has "missing list: line 3" "$T/files.err" "files:3: iplist $T/lists/none: no such file"
has "missing GeoIP file: line 4" "$T/files.err" \
    "files:4: geoip asn $T/lists/none.mmdb: no such file"
has "missing state directory: line 5" "$T/files.err" \
    "files:5: state directory $T/none: no such file"
if [ "$MYUID" = 0 ]; then
	echo 192.0.2.1 > "$T/lists/secret" && chmod 600 "$T/lists/secret"
	printf 'spool %s\nqueue %s\nipwl SECRET %s\n' "$T/spool" \
	    "$T/bin/queue" "$T/lists/secret" > "$T/secret"
	n secret -u nobody
	assert_eq "unreadable list, -u nobody: -n fails" 1 "$RC"
	has "unreadable list: line 3, as nobody" "$T/secret.err" \
	    "secret:3: ipwl $T/lists/secret: cannot read it as nobody"
	n secret -u root
	assert_eq "the same list, -u root: -n passes" 0 "$RC"
	has "list read as root" "$T/secret.out" \
	    "secret:3: ipwl $T/lists/secret: read as root (uid 0)"
	n noexec -u root
	has "non-executable queue fails for root too" "$T/noexec.err" \
	    "noexec:2: queue $T/bin/noexec: cannot execute it as root"
	n good -u nobody
	assert_eq "good policy, -u nobody: -n passes" 0 "$RC"
	has "good: checked as nobody" "$T/good.out" \
	    "good:1: spool $T/spool: a file created, written and removed there as nobody"
else
	skip "unreadable list fails for -u nobody, passes for -u root"
	skip "good policy passes for -u nobody"
fi

# --- users --------------------------------------------------------------------
n good -u no-such-user-qqtag
assert_eq "unknown -u user: -n fails" 1 "$RC"
has "unknown user named" "$T/good.err" "good: -u no-such-user-qqtag: no such user"
if id qmaild > /dev/null 2>&1; then
	echo "# user qmaild exists here: the no-qmaild case is not run"
else
	n good
	has "default user qmaild: named when missing" "$T/good.err" \
	    "good: -u qmaild: no such user"
fi
if [ "$MYUID" != 0 ]; then
	n good -u root
	has "not root: says it checked as itself" "$T/good.out" \
	    "good: checked as $ME (uid $MYUID), not as root: run qqtag -n as root"
fi

# --- header names: X- only ------------------------------------------------------
printf 'spool %s\nqueue %s\nthreshold 1\nheader flag Subject\nheader warning Received\n' \
    "$T/spool" "$T/bin/queue" > "$T/hdr"
n hdr -u "$ME"
assert_eq "header flag Subject: -n fails" 1 "$RC"
has "header flag Subject: line 4" "$T/hdr.err" \
    "hdr:4: header flag: only X- names may be configured: Subject"
has "header warning Received: line 5" "$T/hdr.err" \
    "hdr:5: header warning: only X- names may be configured: Received"
printf 'spool %s\nqueue %s\nheader flag X-A\nheader score x-a\n' \
    "$T/spool" "$T/bin/queue" > "$T/dup"
n dup -u "$ME"
has "two kinds, one name: the later line" "$T/dup.err" \
    "dup:4: header score: the name of header flag too: x-a"

# delivery with that policy: Subject and Received stay, X-Spam-Flag written
d=$(date -R)
printf 'Received: from mx.example.org (192.0.2.9)\n  by mail.example.net with SMTP; %s\nSubject: keep me\nFrom: a@example.org\nReceived: from inner\n\nbody\n' \
    "$d" > "$T/m"
mkenv "$T/env" a@example.org b@example.net
rm -f "$T/q.msg"
QQTAG_POLICY=$T/hdr QQTAG_QUEUE=$STANDIN QQ_OUT=$T/q TCPREMOTEIP=192.0.2.7 \
    "$QQTAG" < "$T/m" 1< "$T/env" 2> "$T/log"
assert_eq "header flag Subject: message queued" 0 "$?"
grep -q '^X-Qqtag: .*checked=yes' "$T/q.msg" &&
    ok "the rest of the policy still checks" || fail "checked" "$(cat "$T/q.msg" "$T/log")"
grep -q '^X-Spam-Flag: YES$' "$T/q.msg" && ok "X-Spam-Flag written (default name)" ||
    fail "X-Spam-Flag" "$(cat "$T/q.msg")"
tail -c "$(wc -c < "$T/m")" "$T/q.msg" | cmp -s - "$T/m" &&
    ok "Subject and both Received lines intact" || fail "message changed" "$(cat "$T/q.msg")"
grep -qx 'Subject: keep me' "$T/q.msg" && [ "$(grep -c '^Subject:' "$T/q.msg")" = 1 ] &&
    ok "Subject: once, as sent" || fail "Subject" "$(cat "$T/q.msg")"
has "queue mode: the line is logged, default kept" "$T/log" \
    "qqtag: policy warning: $T/hdr:4: header flag: only X- names may be configured (X-Spam-Flag kept): Subject"

[ "$SKIPPED" -gt 0 ] && echo "# $SKIPPED root-only checks skipped"
t_done

#!/bin/sh
# t_faults.sh - fault injection (issue 6, item 3): the faults that no
# other test injects.  Expected every time: either the message reaches
# the strict stand-in intact (our block, then the original less forged
# lines, byte for byte; the envelope byte for byte) or qqtag exits with a
# temporary code and nothing is queued.
#
# Where each fault of issue 6 is tested:
#   spool full: RLIMIT_FSIZE ................... t_core.sh
#               a 1 MiB tmpfs (when mountable) .. here
#   fd 0 read error, partial body, no envelope . t_core.sh
#   envelope cut at every byte ................. t_core.sh
#   fd 2 closed at start ....................... t_core.sh
#   fd 2 a pipe whose reader is gone (SIGPIPE) . here
#   fd 6 present / absent ...................... t_core.sh, t_tcpserver.sh
#   queue exit codes, killed by a signal ....... t_core.sh
#   queue hanging after the exec (no timer of
#     qqtag's may kill it) ..................... here
#   qqtag killed while it waits for DNS ........ here
#   DNS down, drop, servfail, garbage, wrong
#     id, TC, oversized TXT .................... t_dns.sh, t_qqtag_dns.sh
#   DNS server that never reads (60 and 64
#     lists, timeout 0.5) ...................... here
#   GeoIP truncated, truncated in place while
#     mapped (SIGBUS), renamed ................. unit_geo.c, t_qqtag_geo.sh
#   GeoIP renamed under a stream of messages ... here
#   policy unreadable, binary, broken .......... t_core.sh
#   policy renamed under a stream of messages .. here
#   TCPREMOTEIP absent ......................... t_core.sh
#   TCPREMOTEIP garbage, TCPREMOTEHOST hostile . here
#   10,000 recipients .......................... t_core.sh
#   softlimit -m at INSTALL's value and below .. t_softlimit.sh (10 MiB)
#   a 50 MB header section (byte for byte, peak
#     RSS, softlimit -m at INSTALL's value) .... here
# Ends with "N passed, N failed".
. "$(dirname "$0")/lib.sh"

ASAN=${QQTAG_ASAN:-0}
SOFTLIMIT=6000000	# INSTALL -> BENCHMARKS.md "softlimit -m"; as t_softlimit.sh
SPOOL=$T/spool
mkdir -p "$SPOOL"
# private copies: a rebuild in the work tree during the run changes nothing
cp "$QQTAG" "$T/qqtag" && cp "$STANDIN" "$T/qq-standin" ||
	{ fail "copy the binaries"; t_done; }
QQTAG=$T/qqtag
STANDIN=$T/qq-standin

printf 'spool %s\n' "$SPOOL" > "$T/policy"
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN"
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED TCP6REMOTEIP TCPREMOTEHOST \
    TCPREMOTEINFO QMAILQUEUE QQTAG_LOOP QQTAG_DNS QQTAG_THRESHOLD QQ_EXIT \
    QQ_OUT 2> /dev/null || :
export TCPREMOTEIP=192.0.2.7
mkenv "$T/env" a@example.net b@example.org c@example.org

# A realistic message with forged tags; $T/m1.want is what must follow
# our block (tests/strip.py: the original less the forged lines).
cat > "$T/m1" << EOF
Received: from unknown (HELO mail.example.net) (192.0.2.7)
  by mx.example.org with SMTP; $(LC_ALL=C date -u '+%d %b %Y %H:%M:%S -0000' | sed 's/^0//')
From: A <a@example.net>
To: b@example.org
X-Spam-Flag: YES
X-Spam-Status: Yes, score=99.0
	tests=FORGED
Subject: faults
Date: $(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')
Message-ID: <faults.$$@example.net>

A body line.
EOF
"$PYTHON" "$TOP/tests/strip.py" "$T/m1" "$T/m1.want"

# check.py one QMSG WANT: QMSG is our block, then WANT byte for byte.
# The block: only our fields, printable ASCII and tabs, LF line ends,
# lines of at most 998 bytes (RFC 5322 2.1.1).  Prints the X-Qqtag field
# unfolded; exit 1 with the reason on stdout.
# check.py batch DIR N WANT ENV: the same for DIR/I.msg, I = 0..N-1,
# each with exit status DIR/I.rc 0 and envelope DIR/I.env = ENV; one
# line per message, "I ok X-Qqtag: ..." or "I bad REASON".
cat > "$T/check.py" << 'EOF'
import sys
OURS = {b"Authentication-Results", b"X-Qqtag", b"X-Qqtag-Geo",
        b"X-Spam-Flag", b"X-Spam-Status",
        b"X-Spam-Level", b"X-Spam-Score", b"X-Spam-Warning"}

def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None

def check(got, want):
    """(None, X-Qqtag unfolded) or (reason, None)."""
    if got is None:
        return "nothing queued", None
    if not got.endswith(want):
        return "the original less forged lines is not at the end", None
    block = got[:len(got) - len(want)]
    if block and not block.endswith(b"\n"):
        return "block not LF-terminated", None
    xq = None
    for l in block.split(b"\n")[:-1]:
        if len(l) > 998:
            return "block line of %d bytes (> 998)" % len(l), None
        if any((c < 32 and c != 9) or c > 126 for c in l):
            return "control or 8-bit byte in the block: %r" % l[:80], None
        if l[:1] == b"\t":
            if xq is not None and cur == b"X-Qqtag":
                xq += b" " + l[1:]
            continue
        cur = l.split(b":")[0]
        if cur not in OURS:
            return "not our field in the block: %r" % l[:80], None
        if cur == b"X-Qqtag":
            xq = l
    if xq is None:
        return "no X-Qqtag field", None
    return None, xq.decode("ascii")

if sys.argv[1] == "one":
    why, xq = check(read(sys.argv[2]), read(sys.argv[3]))
    print(why or xq)
    sys.exit(1 if why else 0)
d, n, want, env = sys.argv[2], int(sys.argv[3]), read(sys.argv[4]), \
    read(sys.argv[5])
for i in range(n):
    rc = (read("%s/%d.rc" % (d, i)) or b"?").strip().decode()
    why, xq = check(read("%s/%d.msg" % (d, i)), want)
    if rc != "0":
        why = "exit %s" % rc
    elif not why and read("%s/%d.env" % (d, i)) != env:
        why = "envelope differs"
    print("%d %s" % (i, ("bad " + why) if why else ("ok " + xq)))
EOF

# qq NAME MSG [VAR=VALUE]...: qqtag with fd 0 MSG, fd 1 $T/env; the
# stand-in's records in $T/NAME.{msg,env,info}, the log in $T/NAME.log,
# the exit status in RC.
qq() {
	_n=$1
	_m=$2
	shift 2
	rm -f "$T/$_n.msg" "$T/$_n.env" "$T/$_n.info"
	env QQ_OUT="$T/$_n" "$@" "$QQTAG" < "$_m" 1< "$T/env" 2> "$T/$_n.log"
	RC=$?
}
# delivered NAME WANT DESC: exit 0, our block then WANT byte for byte,
# the envelope byte for byte.  XQ: the X-Qqtag field, unfolded.
delivered() {
	XQ=$("$PYTHON" "$T/check.py" one "$T/$1.msg" "$2")
	_r=$?
	if [ "$RC" = 0 ] && [ $_r = 0 ] && cmp -s "$T/$1.env" "$T/env"; then
		ok "$3"
	else
		fail "$3" "exit $RC; $XQ; $(cmp "$T/$1.env" "$T/env" 2>&1)
$(head -c 600 "$T/$1.log")"
	fi
}
# temporary NAME DESC: a temporary exit status of qqtag's own, and the
# queue never got a complete message
temporary() {
	case $RC in
	5[1-4] | 81 | 120) _t=yes ;;
	*) _t=no ;;
	esac
	if [ $_t = yes ] && [ ! -e "$T/$1.msg" ]; then
		ok "$2 (exit $RC)"
	else
		fail "$2" "exit $RC; queued: $(ls "$T/$1.msg" 2> /dev/null)
$(head -c 600 "$T/$1.log")"
	fi
}
# logline NAME DESC: fd 2 got exactly one line, qqtag's, all printable
# ASCII, and it says what happened (result=)
logline() {
	if "$PYTHON" - "$T/$1.log" << 'EOF'
import sys
d = open(sys.argv[1], "rb").read()
lines = d.split(b"\n")
sys.exit(not (d.endswith(b"\n") and len(lines) == 2 and
              lines[0].startswith(b"qqtag: pid=") and
              b" result=" in lines[0] and
              all(32 <= c <= 126 for c in lines[0])))
EOF
	then
		ok "$2"
	else
		fail "$2" "$(od -c "$T/$1.log" | head -n 12)"
	fi
}
# printable TEXT: TEXT cut to 24 bytes, blanks and other bytes as '?'
printable() {
	printf '%s' "$1" | head -c 24 | LC_ALL=C tr -c '[:graph:]' '?'
}
# now_ms: a monotonic-enough wall clock in milliseconds
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# ---- DNS: a counting server (REFUSED to all) and one that never reads ----
CNT=$(free_port)
: > "$T/count.log"
"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$CNT" -l 600 2>> "$T/count.log" &
_t_pids="$_t_pids $!"
i=0
while [ "$(DNSQ_TIMEOUT=0.3 dnsq "$CNT" probe.test A 2> /dev/null |
    head -n 1)" != REFUSED ]; do
	i=$((i + 1))
	[ $i -lt 30 ] || { fail "counting DNS server answers"; t_done; }
	sleep 0.1
done
HANG=$(free_port)
"$PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("bound", flush=True)
time.sleep(600)' "$HANG" > "$T/hang.out" 2>&1 &
_t_pids="$_t_pids $!"
i=0
while ! grep -q bound "$T/hang.out"; do
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "hanging DNS server binds"; t_done; }
	sleep 0.1
done
# queries COMMAND...: how many queries the counting server got meanwhile
queries() {
	_c0=$(wc -l < "$T/count.log")
	"$@"
	sleep 0.1
	NQ=$(($(wc -l < "$T/count.log") - _c0))
}
cat > "$T/pol.count" << EOF
spool $SPOOL
dns 127.0.0.1:$CNT
timeout 1
dnsbl ZEN zen.test profile=zen
rhsbl DBL dbl.test profile=dbl
EOF

# ---- the real queue hangs after the exec: no timer of ours kills it -----
# watchdog 0.3 is armed after the message; the exec must disarm it (an
# itimer survives execve).  Second case: the exec comes at 0.25 s, after
# a DNS deadline, just before the watchdog would have fired.
cat > "$T/pol.wd" << EOF
spool $SPOOL
watchdog 0.3
EOF
cat > "$T/pol.wd2" << EOF
spool $SPOOL
dns 127.0.0.1:$HANG
timeout 0.25
watchdog 0.3
dnsbl ZEN zen.test profile=zen
EOF
for p in wd wd2; do
	rm -f "$T/$p.msg" "$T/$p.info"
	env QQ_EXIT=hang QQ_OUT="$T/$p" QQTAG_POLICY="$T/pol.$p" "$QQTAG" \
	    < "$T/m1" 1< "$T/env" 2> "$T/$p.log" &
	pid=$!
	sleep 1.5
	if kill -0 "$pid" 2> /dev/null &&
	    [ "$(cat "/proc/$pid/comm")" = qq-standin ] &&
	    grep -q '^exit=hang$' "$T/$p.info" 2> /dev/null; then
		ok "policy $p: the queue hangs after the exec: alive after 1.5 s"
	else
		fail "policy $p: the queue hangs after the exec: alive after 1.5 s" \
		    "$(cat "$T/$p.log" "$T/$p.info" 2> /dev/null)"
	fi
	kill "$pid" 2> /dev/null
	wait "$pid"
	assert_eq "  ... it dies of our SIGTERM only" 143 "$?"
	RC=0
	delivered "$p" "$T/m1.want" "  ... it had the whole message and envelope"
done

# ---- qqtag killed while it waits for DNS: nothing queued -----------------
cat > "$T/pol.slow" << EOF
spool $SPOOL
dns 127.0.0.1:$HANG
timeout 5
dnsbl ZEN zen.test profile=zen
EOF
rm -f "$T/term.msg" "$T/term.info"
env QQ_OUT="$T/term" QQTAG_POLICY="$T/pol.slow" "$QQTAG" < "$T/m1" \
    1< "$T/env" 2> "$T/term.log" &
pid=$!
sleep 0.4
kill -TERM "$pid"
wait "$pid"
RC=$?
if [ "$RC" = 143 ] && [ ! -e "$T/term.info" ]; then
	ok "SIGTERM while waiting for DNS: killed, queue never run (qmail-smtpd: 451)"
else
	fail "SIGTERM while waiting for DNS" "exit $RC $(cat "$T/term.info" 2> /dev/null)"
fi
assert_eq "  ... no spool file left" "" "$(ls -A "$SPOOL" 2>&1)"

# ---- TCPREMOTEIP garbage: queued intact, no query, log line sanitised ----
CRLF=$(printf '192.0.2.7\r\nX-Spam-Flag: YES')
LONG=$("$PYTHON" -c 'print("1" * 300)')
EIGHT=$(printf '192.0.2.\377\351')
n=0
for ip in x 999.1.1.1 "$LONG" "::ffff:" "::ffff:999.1.1.1" "::ffff:x" \
    "::ffff:192.0.2.7.1" ":::ffff:192.0.2.7" "192.0.2.7/24" " 192.0.2.7" \
    '$(touch pwned)' '`touch pwned`;|&<>*?' "$CRLF" "$EIGHT"; do
	n=$((n + 1))
	queries qq ip$n "$T/m1" TCPREMOTEIP="$ip" QQTAG_POLICY="$T/pol.count"
	desc="TCPREMOTEIP $(printable "$ip")"
	delivered ip$n "$T/m1.want" "$desc: queued intact"
	assert_eq "  ... no DNS query" 0 "$NQ"
	logline ip$n "  ... one log line, printable ASCII"
	v=$(logkv "$T/ip$n.log" ip)
	[ ${#v} -le 63 ] && ok "  ... ip= at most 63 bytes (${#v})" ||
	    fail "  ... ip= at most 63 bytes" "$v"
done
[ ! -e pwned ] && [ ! -e "$T/pwned" ] && [ ! -e "$SPOOL/pwned" ] &&
    ok "shell metacharacters in TCPREMOTEIP: nothing ran" ||
    fail "a command in TCPREMOTEIP ran"
# the control: an IPv4-mapped address is the IPv4 client, and is looked up
queries qq ipok "$T/m1" TCPREMOTEIP=::ffff:192.0.2.7 QQTAG_POLICY="$T/pol.count"
delivered ipok "$T/m1.want" "TCPREMOTEIP ::ffff:192.0.2.7: queued intact"
grep -q '^7\.2\.0\.192\.zen\.test 1 ' "$T/count.log" &&
    ok "  ... looked up as 192.0.2.7 (the counting server works: $NQ queries)" ||
    fail "  ... looked up as 192.0.2.7" "$(tail -n 5 "$T/count.log")"

# ---- TCPREMOTEHOST hostile: queued intact, sanitised ----------------------
n=0
for h in "$(printf 'evil.example.net\r\nBcc: victim@example.org')" \
    "$(printf 'caf\351.\377\200.example.net')" \
    "$("$PYTHON" -c 'print("h" * 300 + ".example.net")')" \
    "$(printf 'a\tb\001c.example.net')" "a..b" "." '$(touch pwned)'; do
	n=$((n + 1))
	qq host$n "$T/m1" TCPREMOTEHOST="$h" QQTAG_POLICY="$T/pol.count"
	desc="TCPREMOTEHOST $(printable "$h")"
	delivered host$n "$T/m1.want" "$desc: queued intact, block sane"
	logline host$n "  ... one log line, printable ASCII"
done
[ "$(ls "$T"/host*.msg 2> /dev/null | wc -l)" = "$n" ] &&
    ! grep -aq '^Bcc:' "$T"/host*.msg &&
    ok "no hostile TCPREMOTEHOST made a header of its own" ||
    fail "a hostile TCPREMOTEHOST made a header (or $n messages not queued)"
[ ! -e pwned ] && [ ! -e "$T/pwned" ] &&
    ok "shell metacharacters in TCPREMOTEHOST: nothing ran" ||
    fail "a command in TCPREMOTEHOST ran"

# ---- fd 2 a pipe whose reader is gone: SIGPIPE must not stop the mail ----
cat > "$T/pipe2.py" << 'EOF'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
with open(sys.argv[1], "rb") as m, open(sys.argv[2], "rb") as e:
    p = subprocess.run(sys.argv[3:], stdin=m, stdout=e, stderr=w)
sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)
EOF
printf 'spool %s\ntimeout banana\n' "$SPOOL" > "$T/pol.broken"
for p in policy pol.broken; do
	rm -f "$T/pipe.msg" "$T/pipe.env"
	QQ_OUT=$T/pipe QQTAG_POLICY=$T/$p "$PYTHON" "$T/pipe2.py" "$T/m1" \
	    "$T/env" "$QQTAG"
	RC=$?
	: > "$T/pipe.log"
	delivered pipe "$T/m1.want" "fd 2 a broken pipe ($p, log lines to write): still queued"
done

# ---- a DNS server that never answers: the deadline holds -----------------
# 60 lists (and a PTR and sender-domain query) on a UDP port that accepts
# everything and reads nothing; timeout 0.5: 0.5 s + 100 ms after the
# message at most.  Wall time includes two process start-ups.
deadpol() {
	printf 'spool %s\ndns 127.0.0.1:%s\ntimeout 0.5\n' "$SPOOL" "$HANG"
	_i=1
	while [ $_i -le "$1" ]; do
		echo "dnsbl $2$_i l$_i.dead.test"
		_i=$((_i + 1))
	done
}
if [ "$ASAN" = 1 ]; then SLACK=800; else SLACK=400; fi
deadpol 1 L > "$T/pol.dead1"
deadpol 60 L > "$T/pol.dead60"
deadpol 64 LABEL_OF_A_VERY_VERBOSE_ADMINISTRATOR_ > "$T/pol.dead64"
for p in dead1 dead60 dead64; do
	t0=$(now_ms)
	qq $p "$T/m1" QQTAG_POLICY="$T/pol.$p"
	wall=$(($(now_ms) - t0))
	delivered $p "$T/m1.want" "hanging DNS server, $p: queued intact, block lines <= 998 bytes"
	ae=$(logkv "$T/$p.log" after_eom_ms)
	if [ -n "$ae" ] && [ "$ae" -ge 490 ] && [ "$ae" -le 600 ]; then
		ok "  ... after_eom_ms $ae: within 0.5 s + 100 ms"
	else
		fail "  ... after_eom_ms within 0.5 s + 100 ms" "$(cat "$T/$p.log")"
	fi
	[ "$wall" -le $((600 + SLACK)) ] &&
	    ok "  ... wall time $wall ms (<= 600 + $SLACK start-up)" ||
	    fail "  ... wall time $wall ms > 600 + $SLACK"
	logline $p "  ... one log line, printable ASCII"
	grep -q ' errors=[^ ]*:timeout' "$T/$p.log" &&
	    ok "  ... the log line names the timeouts (errors=)" ||
	    fail "  ... the log line names the timeouts (errors=)" "$(cat "$T/$p.log")"
	if [ $p = dead60 ]; then
		nto=$(printf '%s\n' "$XQ" | grep -o ':timeout' | wc -l)
		[ "$nto" -ge 60 ] &&
		    ok "  ... X-Qqtag reports $nto timeouts (60 lists, PTR, sender)" ||
		    fail "  ... X-Qqtag reports every timeout ($nto)" "$XQ"
	fi
done

# ---- the policy replaced by rename while messages run ---------------------
# stream NAME N [VAR=VALUE]...: N messages through qqtag one after the
# other; records in $T/NAME/I.{msg,env,info,rc,log}
stream() {
	_d=$T/$1
	_k=$2
	shift 2
	mkdir -p "$_d"
	_i=0
	while [ $_i -lt "$_k" ]; do
		env QQ_OUT="$_d/$_i" "$@" "$QQTAG" < "$T/m1" 1< "$T/env" \
		    2> "$_d/$_i.log"
		echo $? > "$_d/$_i.rc"
		_i=$((_i + 1))
	done
}
# renamer TARGET FILE...: until $T/stop exists, copy each FILE in turn
# next to TARGET and rename it over TARGET; the count in $T/renames
renamer() {
	_tgt=$1
	shift
	_c=0
	while [ ! -e "$T/stop" ]; do
		for _f in "$@"; do
			cp "$_f" "$_tgt.tmp" && mv -f "$_tgt.tmp" "$_tgt"
			_c=$((_c + 1))
		done
	done
	echo $_c > "$T/renames"
}
# streamed NAME N DESC: every message of stream NAME queued intact
streamed() {
	"$PYTHON" "$T/check.py" batch "$T/$1" "$2" "$T/m1.want" "$T/env" \
	    > "$T/$1.sum"
	_bad=$(grep -c '^[0-9]* bad' "$T/$1.sum")
	_ok=$(grep -c '^[0-9]* ok' "$T/$1.sum")
	if [ "$_bad" = 0 ] && [ "$_ok" = "$2" ]; then
		ok "$3: all $2 queued intact ($(cat "$T/renames") renames meanwhile)"
	else
		fail "$3: all $2 queued intact" "$(grep bad "$T/$1.sum" | head -n 5)"
	fi
}
printf 'spool %s\nthreshold 5\n' "$SPOOL" > "$T/pol.good"
printf 'spool %s\ntimeout banana\n' "$SPOOL" > "$T/pol.bad"
randbytes 3000 > "$T/pol.bin"
echo "# pol.bin and country-junk.mmdb: random bytes of seed $RSEED" \
    "(TEST_SEED=$RSEED replays)"
: > "$T/pol.empty"
cp "$T/pol.good" "$T/pol.live"
rm -f "$T/stop"
renamer "$T/pol.live" "$T/pol.bad" "$T/pol.good" "$T/pol.bin" \
    "$T/pol.good" "$T/pol.empty" "$T/pol.good" &
rp=$!
stream pstream 200 QQTAG_POLICY="$T/pol.live"
touch "$T/stop"
wait $rp
streamed pstream 200 "policy renamed good/bad/binary/empty under 200 messages"
yes=$(grep -c ' ok X-Qqtag: .*checked=yes' "$T/pstream.sum")
no=$(grep -c ' ok X-Qqtag: checked=no reason=policy$' "$T/pstream.sum")
assert_eq "  ... each checked=yes or checked=no reason=policy ($yes + $no)" \
    200 $((yes + no))
[ "$yes" -gt 0 ] && [ "$no" -gt 0 ] &&
    ok "  ... both seen: the renames happened mid-stream" ||
    fail "  ... both seen" "checked=yes $yes, reason=policy $no"

# ---- the GeoIP database replaced by rename while messages run -------------
D=$T/db
mkdir -p "$D"
if perl "$TOP/tests/mkmmdb.pl" "$D" > "$T/mkmmdb.out" 2>&1; then
	head -c 1000 "$D/country.mmdb" > "$D/country-cut.mmdb"
	randbytes 3000 > "$D/country-junk.mmdb"
	cp "$D/country.mmdb" "$D/live.mmdb"
	cat > "$T/pol.geo" << EOF
spool $SPOOL
geoip country $D/live.mmdb
geoip asn $D/asn.mmdb
EOF
	rm -f "$T/stop"
	renamer "$D/live.mmdb" "$D/country-alt.mmdb" "$D/country-cut.mmdb" \
	    "$D/country.mmdb" "$D/country-junk.mmdb" &
	rp=$!
	stream gstream 200 QQTAG_POLICY="$T/pol.geo"
	touch "$T/stop"
	wait $rp
	streamed gstream 200 "GeoIP database renamed DE/AT/cut/junk under 200 messages"
	de=$(grep -c ' ok X-Qqtag: .* country=DE asn=64500' "$T/gstream.sum")
	at=$(grep -c ' ok X-Qqtag: .* country=AT asn=64500' "$T/gstream.sum")
	er=$(grep -c ' ok X-Qqtag: .*errors=[^ ]*country-' "$T/gstream.sum")
	assert_eq "  ... each DE, AT or a geo error ($de + $at + $er)" 200 \
	    $((de + at + er))
	[ "$de" -gt 0 ] && [ "$at" -gt 0 ] &&
	    ok "  ... DE and AT seen: the renames happened mid-stream" ||
	    fail "  ... DE and AT seen" "DE $de, AT $at, errors $er"
else
	fail "mkmmdb.pl builds the GeoIP databases" "$(tail -n 5 "$T/mkmmdb.out")"
fi

# ---- a 50 MB header section -------------------------------------------
# 51,200 lines of 1 KiB, no empty line for 50 MiB; forged tags (with
# continuation lines) every 5,000 lines and one at the very end.
"$PYTHON" - "$T/big" << 'EOF'
import sys
with open(sys.argv[1], "wb") as out:
    total = i = 0
    while total < 50 * 1024 * 1024:
        if i % 5000 == 17:
            l = b"X-Spam-Flag: YES %d\n\tcontinued %s\n" % (i, b"f" * 900)
        else:
            l = b"X-Filler-%07d: " % i
            l += b"a" * (1023 - len(l)) + b"\n"
        out.write(l)
        total += len(l)
        i += 1
    out.write(b"x-spam-status: Yes, at the end of 50 MB\n\nbody\n")
EOF
"$PYTHON" "$TOP/tests/strip.py" "$T/big" "$T/big.want"
qq big "$T/big"
delivered big "$T/big.want" "50 MB header section (file): byte for byte less 12 forged fields"
assert_eq "  ... the log counts 12 stripped" 12 "$(logkv "$T/big.log" stripped)"
rm -f "$T/big.msg"
rm -f "$T/big.msg" "$T/big.env"
cat "$T/big" | env QQ_OUT="$T/big" "$QQTAG" 1< "$T/env" 2> "$T/big.log"
RC=$?
delivered big "$T/big.want" "50 MB header section (pipe): byte for byte"
rm -f "$T/big.msg"
if [ "$ASAN" = 1 ]; then
	echo "# sanitizer build: peak RSS and softlimit not measured"
else
	# qqtag's peak RSS: the probe queue exec'd in its place inherits it
	${CC:-cc} -O2 -static -o "$T/probeq" "$TOP/bench/probeq.c" 2> /dev/null ||
	    ${CC:-cc} -O2 -o "$T/probeq" "$TOP/bench/probeq.c"
	cat "$T/big" | env QQTAG_QUEUE="$T/probeq" PROBE_OUT="$T/probe" \
	    "$QQTAG" 1< "$T/env" 2> "$T/probe.log"
	rss=$(sed -n 's/^maxrss_kb=\([0-9]*\) .*/\1/p' "$T/probe")
	if [ -n "$rss" ] && [ "$rss" -lt 8192 ]; then
		ok "  ... qqtag's peak RSS $rss KiB (< 8 MiB)"
	else
		fail "  ... qqtag's peak RSS < 8 MiB" "$(cat "$T/probe" "$T/probe.log")"
	fi
	# at INSTALL's softlimit, with DNS lists and GeoIP databases mapped
	cat > "$T/pol.full" << EOF
spool $SPOOL
dns 127.0.0.1:$HANG
timeout 0.3
dnsbl ZEN zen.test profile=zen
rhsbl DBL dbl.test profile=dbl
geoip country $D/country.mmdb
geoip asn $D/asn.mmdb
EOF
	rm -f "$T/big.msg" "$T/big.env"
	cat "$T/big" | softlimit -m "$SOFTLIMIT" env QQ_OUT="$T/big" \
	    QQTAG_POLICY="$T/pol.full" "$QQTAG" 1< "$T/env" 2> "$T/big.log"
	RC=$?
	delivered big "$T/big.want" "  ... under softlimit -m $SOFTLIMIT with DNS and GeoIP: byte for byte"
	grep -q ' geo=DE/AS64500 ' "$T/big.log" &&
	    ok "  ... and the GeoIP lookup worked under the limit" ||
	    fail "  ... GeoIP under the limit" "$(cat "$T/big.log")"
	rm -f "$T/big.msg"
fi
assert_eq "spool empty after everything so far" "" "$(ls -A "$SPOOL" 2>&1)"

# ---- the spool on a 1 MiB tmpfs ------------------------------------------
M=$T/tmpfs
mkdir -p "$M"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m qqtag-faults "$M" \
    2> /dev/null; then
	trap '_frc=$?; umount "$M" 2> /dev/null; (exit $_frc); _t_exit' EXIT
	printf 'spool %s\n' "$M" > "$T/pol.tmpfs"
	# msgkb KIB: a message of KIB KiB in $T/mk, no forged tag
	msgkb() {
		"$PYTHON" -c '
import sys
n = int(sys.argv[1]) * 1024
sys.stdout.buffer.write(b"Subject: fill\n\n" + b"y" * (n - 16) + b"\n")
' "$1" > "$T/mk"
	}
	msgkb 2000
	qq tf "$T/mk" QQTAG_POLICY="$T/pol.tmpfs"
	temporary tf "tmpfs 1 MiB, message 2 MB: spool full"
	msgkb 100
	qq tf "$T/mk" QQTAG_POLICY="$T/pol.tmpfs"
	delivered tf "$T/mk" "tmpfs 1 MiB, then 100 KB: queued intact (space given back)"
	# around the edge: message, block page, envelope page
	kb=990
	good=0
	full=0
	bad=
	while [ $kb -le 1030 ]; do
		msgkb $kb
		qq tf "$T/mk" QQTAG_POLICY="$T/pol.tmpfs"
		if [ "$RC" = 0 ] && "$PYTHON" "$T/check.py" one "$T/tf.msg" \
		    "$T/mk" > /dev/null && cmp -s "$T/tf.env" "$T/env"; then
			good=$((good + 1))
		elif [ "$RC" = 53 ] && [ ! -e "$T/tf.msg" ]; then
			full=$((full + 1))
		else
			bad="$bad $kb:$RC"
		fi
		kb=$((kb + 2))
	done
	assert_eq "tmpfs edge, 990..1030 KiB in 2 KiB steps: each queued intact or 53 with nothing queued ($good queued, $full full)" \
	    "" "$bad"
	[ "$good" -gt 0 ] && [ "$full" -gt 0 ] && ok "  ... both outcomes seen" ||
	    fail "  ... both outcomes seen" "$good queued, $full full"
	# the message fits, the envelope (10,000 recipients) does not
	head -c 800000 /dev/zero > "$M/filler"
	"$PYTHON" -c '
import sys
sys.stdout.buffer.write(b"Fs@example.net\0" + b"".join(b"Tuser%d@example.org\0" % i for i in range(10000)) + b"\0")
' > "$T/env10k"
	msgkb 100
	rm -f "$T/tf.msg" "$T/tf.info"
	QQ_OUT=$T/tf QQTAG_POLICY=$T/pol.tmpfs "$QQTAG" < "$T/mk" \
	    1< "$T/env10k" 2> "$T/tf.log"
	RC=$?
	temporary tf "tmpfs: message fits, 10,000-recipient envelope does not"
	rm -f "$M/filler"
	assert_eq "  ... the tmpfs is empty again" "" "$(ls -A "$M" 2>&1)"
	umount "$M" && ok "tmpfs unmounted" || fail "umount $M"
	trap _t_exit EXIT
else
	skip "spool-full on a tiny file system: cannot mount a tmpfs here" \
	    "(t_core.sh covers RLIMIT_FSIZE)"
fi

t_done

#!/bin/sh
# t_infra: the test infrastructure itself: lib.sh's assertions and
# servers (rbldnsd, nsd on loopback) and the qmail-queue stand-in's
# verdicts, which must be notqmail qmail-queue.c's.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# ---- lib.sh basics --------------------------------------------------------

assert_eq "assert_eq compares strings" abc abc
check "check passes on exit 0" true
printf 'a\0b' > "$T/f1"
cp "$T/f1" "$T/f2"
assert_file_eq "assert_file_eq on equal files" "$T/f1" "$T/f2"
# the failing paths must count failures: run them in a subshell
out=$( (T_PASS=0 T_FAIL=0; check x false; assert_eq y 1 2;
	printf 'a\0c' > "$T/f3"; assert_file_eq z "$T/f1" "$T/f3";
	echo "counts $T_PASS $T_FAIL") | tail -n 1)
assert_eq "check/assert_eq/assert_file_eq count failures" "counts 0 3" "$out"
p1=$(free_port)
case $p1 in
[2-5][0-9][0-9][0-9][0-9]) ok "free_port gives a high port ($p1)" ;;
*) fail "free_port gives a high port" "$p1" ;;
esac

# ---- rbldnsd ---------------------------------------------------------------

zone=bl.test
mkdir "$T/rbl"
cat > "$T/rbl/bl" << 'EOF'
:127.0.0.2:Listed for testing, see http://bl.test/?$
127.0.0.2
127.0.0.10 :127.0.0.10:other code
EOF
rport=$(free_port)
if start_rbldnsd "$T/rbl" "$rport" "$zone:ip4set:bl"; then
	ok "rbldnsd starts on 127.0.0.1/$rport"
else
	fail "rbldnsd starts on 127.0.0.1/$rport"
fi
assert_eq "2.0.0.127.$zone is listed with 127.0.0.2" \
    "NOERROR
A 127.0.0.2" "$(dnsq "$rport" "2.0.0.127.$zone" A)"
assert_eq "2.0.0.127.$zone TXT" \
    "NOERROR
TXT Listed for testing, see http://bl.test/?127.0.0.2" \
    "$(dnsq "$rport" "2.0.0.127.$zone" TXT)"
assert_eq "1.0.0.127.$zone is NXDOMAIN" NXDOMAIN \
    "$(dnsq "$rport" "1.0.0.127.$zone" A)"
assert_eq "10.0.0.127.$zone answers its own code" "NOERROR
A 127.0.0.10" "$(dnsq "$rport" "10.0.0.127.$zone" A)"

# ---- nsd -----------------------------------------------------------------

mkdir "$T/nsd"
cat > "$T/nsd/example.test.zone" << 'EOF'
$ORIGIN example.test.
$TTL 60
@	IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@	IN NS ns
@	IN MX 10 mail
ns	IN A 127.0.0.1
mail	IN A 192.0.2.25
mail	IN AAAA 2001:db8::25
EOF
cat > "$T/nsd/2.0.192.in-addr.arpa.zone" << 'EOF'
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 60
@	IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@	IN NS ns.example.test.
25	IN PTR mail.example.test.
EOF
nport=$(free_port)
if start_nsd "$T/nsd" "$nport"; then
	ok "nsd starts on 127.0.0.1@$nport"
else
	fail "nsd starts on 127.0.0.1@$nport"
fi
assert_eq "nsd A answer" "NOERROR
A 192.0.2.25" "$(dnsq "$nport" mail.example.test A)"
assert_eq "nsd AAAA answer" "NOERROR
AAAA 2001:db8::25" "$(dnsq "$nport" mail.example.test AAAA)"
assert_eq "nsd MX answer" "NOERROR
MX 10 mail.example.test." "$(dnsq "$nport" example.test MX)"
assert_eq "nsd PTR answer" "NOERROR
PTR mail.example.test." "$(dnsq "$nport" 25.2.0.192.in-addr.arpa PTR)"
assert_eq "nsd NXDOMAIN" NXDOMAIN "$(dnsq "$nport" nope.example.test A)"
dead=$(free_port)
assert_eq "dnsq reports a silent port" TIMEOUT \
    "$(DNSQ_TIMEOUT=0.3 dnsq "$dead" example.test A)"

# ---- the qmail-queue stand-in ---------------------------------------------

printf 'Received: from x\nSubject: test\n\nbody\n' > "$T/m"
o=$T/out

# standin NAME ENVFILE [MSGFILE]: run it with fd 0 = message, fd 1 =
# envelope, fd 6 closed, QQ_OUT=$o.NAME; prints the exit status.
standin() {
	QQ_OUT=$o.$1 "$STANDIN" < "${3:-$T/m}" 1< "$2" 6>&-
	echo $?
}

mkenv "$T/e" a@example.test b@example.test c@example.test
rc=$(QQ_EXIT=0 standin ok "$T/e")
assert_eq "complete envelope: exit 0" 0 "$rc"
assert_file_eq "complete envelope: message recorded" "$T/m" "$o.ok.msg"
assert_file_eq "complete envelope: envelope recorded" "$T/e" "$o.ok.env"
check "info: fd6 closed" grep -qx fd6=closed "$o.ok.info"
check "info: offset 0" grep -qx offset=0 "$o.ok.info"
check "info: verdict 0" grep -qx verdict=0 "$o.ok.info"
check "info: argv0" grep -qx "argv0=$STANDIN" "$o.ok.info"
check "info: fds" grep -q '^fds=0,1,2' "$o.ok.info"
check "info: ppid" grep -q '^ppid=[0-9]' "$o.ok.info"

rc=$(QQ_EXIT=31 standin x31 "$T/e")
assert_eq "QQ_EXIT=31 after a complete envelope" 31 "$rc"
check "QQ_EXIT=31 still records" test -f "$o.x31.msg"

mkenv "$T/e0" a@example.test
assert_eq "no recipient at all is accepted (as qmail-queue)" 0 \
    "$(standin none "$T/e0")"
assert_file_eq "no recipient: envelope recorded" "$T/e0" "$o.none.env"

mkenv "$T/enull" ''
assert_eq "null sender accepted" 0 "$(standin null "$T/enull")"

printf 'Fa@example.test\0Tb@example.test\0' > "$T/etrunc"
assert_eq "envelope without final NUL: 54" 54 "$(standin trunc "$T/etrunc")"
check "truncated: no .msg" test ! -e "$o.trunc.msg"
check "truncated: no .env" test ! -e "$o.trunc.env"
check "truncated: no temp files" test ! -e "$o.trunc.msg.tmp"
check "truncated: verdict in info" grep -qx verdict=54 "$o.trunc.info"

printf 'Fa@example.test\0Tb@exam' > "$T/etrunc2"
assert_eq "envelope cut inside an address: 54" 54 \
    "$(standin trunc2 "$T/etrunc2")"
: > "$T/eempty"
assert_eq "empty envelope: 54" 54 "$(standin empty "$T/eempty")"
assert_eq "unreadable fd 0 (a directory): 54" 54 \
    "$(standin dir "$T/e" "$T")"

printf 'Xa@example.test\0\0' > "$T/ex"
assert_eq "envelope starting with X: 91" 91 "$(standin x "$T/ex")"
check "91: no .msg" test ! -e "$o.x.msg"
printf 'Fa@example.test\0Zb@example.test\0\0' > "$T/ez"
assert_eq "Z where T expected: 91" 91 "$(standin z "$T/ez")"

long1002=$(printf '%1002s' '' | tr ' ' a)
long1003=${long1002}a
mkenv "$T/e1002" "$long1002" "$long1002"
assert_eq "1002-byte addresses are accepted" 0 "$(standin l1002 "$T/e1002")"
mkenv "$T/e1003s" "$long1003" b@example.test
assert_eq "1003-byte sender: 11" 11 "$(standin l1003s "$T/e1003s")"
mkenv "$T/e1003r" a@example.test "$long1003"
assert_eq "1003-byte recipient: 11" 11 "$(standin l1003r "$T/e1003r")"
printf 'F%s' "$long1003" > "$T/e1003n"
assert_eq "1003 bytes and no NUL yet: already 11" 11 \
    "$(standin l1003n "$T/e1003n")"

QQ_EXIT=82 QQ_OUT=$o.x82 "$STANDIN" < "$T/m" 1< "$T/e" 6> "$T/fd6"
assert_eq "QQ_EXIT=82: exit 82" 82 "$?"
assert_eq "QQ_EXIT=82: default text on fd 6" "Dcustom refusal" "$(cat "$T/fd6")"
check "QQ_EXIT=82: info says fd6=open" grep -qx fd6=open "$o.x82.info"
QQ_EXIT=82 QQ_FD6TEXT='Zplease retry' "$STANDIN" < "$T/m" 1< "$T/e" \
    6> "$T/fd6b"
assert_eq "QQ_FD6TEXT is written" "Zplease retry" "$(cat "$T/fd6b")"

# (an inner sh, so its "Killed" notice can go to /dev/null)
rc=$(QQ_EXIT=signal:9 sh -c '"$1" < "$2" 1< "$3"; echo $?' sh \
    "$STANDIN" "$T/m" "$T/e" 2> /dev/null)
assert_eq "QQ_EXIT=signal:9 dies by SIGKILL" 137 "$rc"
timeout 1 env QQ_EXIT=hang "$STANDIN" < "$T/m" 1< "$T/e"
assert_eq "QQ_EXIT=hang hangs until killed" 124 "$?"

# fd 0 is read from its current offset, a pipe works too
(dd of=/dev/null bs=9 count=1 2> /dev/null;
	QQ_OUT=$o.off exec "$STANDIN" 1< "$T/e") < "$T/m"
tail -c +10 "$T/m" > "$T/mtail"
assert_file_eq "fd 0 is read from its current offset" "$T/mtail" "$o.off.msg"
check "info: offset=9" grep -qx offset=9 "$o.off.info"
# shellcheck disable=SC2002
cat "$T/m" | QQ_OUT=$o.pipe "$STANDIN" 1< "$T/e"
assert_file_eq "message through a pipe" "$T/m" "$o.pipe.msg"
check "info: offset=pipe" grep -qx offset=pipe "$o.pipe.info"

assert_eq "no QQ_OUT: runs, records nothing" 0 \
    "$(cd "$T" && "$STANDIN" < m 1< e; echo $?)"

t_done

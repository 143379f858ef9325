#!/bin/sh
# t_dkim.sh - the DKIM verifier against real signers and a real DNS
# server.  Keys made now (RSA 512/1024/2048/4096, Ed25519) are served by
# nsd on loopback (one key record past 512 bytes, one past 1232: TCP);
# messages are signed by dkimpy and by OpenDKIM (opendkim-testmsg, which
# signs rsa-sha1 only; the opendkim milter's rsa-sha256 and ed25519-sha256
# signatures: t_dkim_opendkim.sh), with mutations (tests/dkimgen.py).  Each is judged
# by tests/dkimcheck (the check as queue mode runs it), compared with the
# expected result and with dkimpy's own dkim.verify(); a few go through
# qqtag in queue mode (X-Spam-Status tests=, the message byte for byte).
. "$(dirname "$0")/lib.sh"

DC=$TOP/tests/dkimcheck
[ -x "$DC" ] || { fail "tests/dkimcheck is built (make testbins)"; t_done; }
mkdir -p "$T/g/zone" "$T/spool"
if ! "$PYTHON" "$TOP/tests/dkimgen.py" "$T/g" > "$T/gen.log" 2>&1; then
	fail "dkimgen.py makes keys and messages" "$(tail -n 5 "$T/gen.log")"
	t_done
fi
n=$(ls "$T/g/msgs" | wc -l)
[ "$n" -ge 25 ] && ok "$n signed messages made" || fail "messages made" "$n"
port=$(free_port)
start_nsd "$T/g/zone" "$port" || { fail "nsd starts"; t_done; }
S=127.0.0.1:$port

# every case: each signature's result as expected
while read -r name want py; do
	[ -e "$T/g/msgs/$name" ] || continue
	"$DC" -s "$S" "$T/g/msgs/$name" > "$T/out.$name" 2>&1
	got=$(awk -F'\t' '$2 ~ /^[0-9]+$/ { printf "%s%s", s, $3; s = "," }' \
	    "$T/out.$name")
	assert_eq "$name: $want" "$want" "$got"
done < "$T/g/expect"

# dkimpy as a second opinion: it agrees on pass/not pass, except where
# this verifier is stricter on purpose (RFC 8301 rsa-sha1; key h= and
# t=s, which dkimpy does not read)
agree=0
while read -r name want py; do
	[ -e "$T/g/msgs/$name" ] || continue
	case $name in header-cut)
		continue ;;	# dkimpy has the whole header section
	rsa-sha1|opendkim-sha1|sha1only-key|strict-sub)
		assert_eq "$name: dkimpy accepts it, we do not" True "$py"
		continue ;;
	esac
	case $want in pass*) mine=True ;; *) mine=False ;; esac
	if [ "$mine" = "$py" ]; then agree=$((agree + 1)); else
		fail "$name: dkimpy says $py, we say $want"; fi
done < "$T/g/expect"
[ "$agree" -ge 20 ] && ok "dkimpy agrees on $agree cases" ||
    fail "dkimpy agrees on $agree cases only"
assert_eq "OpenDKIM's signature is good by dkimpy (so its rsa-sha1 fail is ours)" \
    "opendkim-sha1-dkimpy any True" "$(grep '^opendkim-sha1-dkimpy' "$T/g/expect")"

# reasons and tests
r() { awk -F'\t' -v i="$2" '$2 == i { print $9 }' "$T/out.$1"; }
tests() { awk -F'\t' '$2 == "tests" { print $3 }' "$T/out.$1"; }
assert_eq "body changed: reason" "body hash mismatch" "$(r body-changed 0)"
assert_eq "subject changed: reason" "signature verification failed" \
    "$(r subject-changed 0)"
assert_eq "revoked: reason" "key revoked" "$(r revoked 0)"
assert_eq "rsa-sha1: reason" "rsa-sha1 not accepted (RFC 8301)" \
    "$(r rsa-sha1 0)"
assert_eq "512 bits: reason" "key 512 bits < 1024 (RFC 8301)" "$(r rsa512 0)"
assert_eq "expired: reason" "signature expired (x=)" "$(r expired 0)"
assert_eq "header section over the copy: reason" \
    "header section too long to verify" "$(r header-cut 0)"
assert_eq "l= tail: partial" partial \
    "$(awk -F'\t' '$2 == 0 { print $8 }' "$T/out.l-tail")"
case $(r l-tail 0) in "l= leaves "*" body bytes unsigned") ok "l= tail: said" ;;
*) fail "l= tail: said" "$(r l-tail 0)" ;; esac
assert_eq "whole body: not partial" whole \
    "$(awk -F'\t' '$2 == 0 { print $8 }' "$T/out.rr")"
assert_eq "testing key: said" "body hash mismatch; key in testing mode (t=y)" \
    "$(r testing-bad 0)"
assert_eq "good: tests" DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU "$(tests rr)"
assert_eq "bad: tests" DKIM_SIGNED,DKIM_INVALID "$(tests body-changed)"
assert_eq "one of two good: tests" DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU \
    "$(tests one-good)"
assert_eq "testing key fails: no DKIM_INVALID" DKIM_SIGNED "$(tests testing-bad)"
assert_eq "no key (permerror): never scores" DKIM_SIGNED "$(tests nokey)"
assert_eq "six signatures: one skipped" skipped=1 \
    "$(awk -F'\t' '$2 == "tests" { print $4 }' "$T/out.six")"
"$DC" -s "$S" -e mail.example.test "$T/g/msgs/rr" > "$T/out.ef"
assert_eq "envelope domain signed: DKIM_VALID_EF" \
    DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU,DKIM_VALID_EF \
    "$(awk -F'\t' '$2 == "tests" { print $3 }' "$T/out.ef")"

# a dead server: temperror, which never scores (no DKIM_INVALID)
dead=$(free_port)
"$DC" -s "127.0.0.1:$dead" "$T/g/msgs/body-changed" > "$T/out.dead"
assert_eq "no DNS: temperror" temperror \
    "$(awk -F'\t' '$2 == 0 { print $3 }' "$T/out.dead")"
assert_eq "no DNS: no DKIM_INVALID" DKIM_SIGNED \
    "$(awk -F'\t' '$2 == "tests" { print $3 }' "$T/out.dead")"

# the trace shows each step
"$DC" -t -s "$S" "$T/g/msgs/rr" > "$T/trace"
for w in "key query r2048._domainkey.example.test TXT" "key rsa 2048 bits" \
    "body hash " "pass"; do
	grep -q "$w" "$T/trace" && ok "trace: $w" ||
	    fail "trace: $w" "$(cat "$T/trace")"
done

# through qqtag in queue mode: the tests (its log line, as in
# X-Spam-Status), the message byte for byte after the block
cat > "$T/policy" << P
spool $T/spool
dns $S
timeout 3
P
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q"
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED TCPREMOTEHOST 2> /dev/null || :
mkenv "$T/env" alice@mail.example.test bob@example.org
qq() {
	TCPREMOTEIP=192.0.2.7 "$QQTAG" < "$T/g/msgs/$1" 1< "$T/env" \
	    2> "$T/log.$1"
	sed -n 's/.* tests=\([^ ]*\) .*/\1/p' "$T/log.$1"
}
for c in rr:DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU,DKIM_VALID_EF \
    ed25519:DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU,DKIM_VALID_EF \
    huge1232:DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU,DKIM_VALID_EF \
    body-changed:DKIM_SIGNED,DKIM_INVALID; do
	got=$(qq "${c%%:*}" | tr ',' '\n' | grep '^DKIM' | paste -sd, -)
	assert_eq "qqtag ${c%%:*}: ${c#*:}" "${c#*:}" "$got"
	tail -c "$(wc -c < "$T/g/msgs/${c%%:*}")" "$T/q.msg" > "$T/q.tail"
	assert_file_eq "qqtag ${c%%:*}: message byte for byte" \
	    "$T/g/msgs/${c%%:*}" "$T/q.tail"
done
grep -q '^X-Spam-Warning: DKIM signature not valid by example.test: body hash mismatch' \
    "$T/q.msg" && ok "qqtag: the warning says why" ||
    fail "qqtag: the warning says why" "$(grep '^X-Spam' "$T/q.msg")"
printf 'dkim off\n' >> "$T/policy"
got=$(qq rr)
case $got in *DKIM*) fail "dkim off: no DKIM test" "$got" ;;
"") fail "dkim off: the log line has tests=" "$(cat "$T/log.rr")" ;;
*) ok "dkim off: no DKIM test" ;; esac
t_done

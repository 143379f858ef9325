#!/bin/sh
# t_dmarc.sh - DMARC end to end: nsd serves _dmarc records on loopback
# (behind tests/dnsrelay.py, which drops the queries of one domain), the
# real qqtag looks them up: in queue mode (the tests and warnings a
# failing From: domain gets, several From: fields) and through qqtag -c
# -F (every result, the queries and the record in the trace): the From:
# record, the organizational domain's with sp=, a public suffix From:
# (co.uk), temperror at the deadline, permerror, no record, pct, a record
# over 512 bytes, and "dmarc off".  SPF and DKIM are not in this build's
# table: every DMARC here fails or is none (the pass cases are in
# unit_dmarc's table).
. "$(dirname "$0")/lib.sh"

N=$T/nsd
mkdir -p "$N" "$T/spool"
zone() {	# zone NAME [RR...]: a zone with its records
	_z=$1
	shift
	{
		printf '$ORIGIN %s.\n$TTL 60\n' "$_z"
		printf '@ SOA ns.%s. hostmaster.%s. 1 3600 600 86400 60\n' "$_z" "$_z"
		printf '@ NS ns.%s.\nns A 127.0.0.1\n' "$_z"
		for _r in "$@"; do
			printf '%s\n' "$_r"
		done
	} > "$N/$_z.zone"
}
RUA='rua=mailto:dmarc@example.net'
# a TXT string holds 255 bytes: the record is 3 strings of 4 URIs, joined
rua4() {
	for _i in 0 1 2 3; do
		printf 'mailto:dmarc-reports-%s%s@reports.example.net,' "$1" "$_i"
	done
}
zone reject.test '_dmarc TXT "v=DMARC1; p=reject; sp=quarantine"'
zone quar.test '_dmarc TXT "v=DMARC1; p=quarantine"'
zone none.test "_dmarc TXT \"v=DMARC1; p=none; $RUA\""
zone bad.test '_dmarc TXT "v=DMARC1; p=bogus"'
zone fallback.test "_dmarc TXT \"v=DMARC1; p=bogus; $RUA\""
zone multi.test '_dmarc TXT "v=DMARC1; p=reject"' '_dmarc TXT "v=DMARC1; p=none"'
zone other.test '_dmarc TXT "v=spf1 -all"' '@ TXT "v=spf1 -all"'
zone nodmarc.test '@ TXT "v=spf1 -all"'
zone slow.test '_dmarc TXT "v=DMARC1; p=reject"'
zone pct.test '_dmarc TXT "v=DMARC1; p=reject; pct=0"'
zone big.test "_dmarc TXT \"v=DMARC1; p=quarantine; rua=$(rua4 a)\" \"$(rua4 b)\" \"$(rua4 c)mailto:x@example.net; ruf=mailto:f@example.net\""
zone foo.co.uk '_dmarc TXT "v=DMARC1; p=reject; sp=none"'
zone co.uk '_dmarc TXT "v=DMARC1; p=quarantine"'
NSDP=$(free_port)
start_nsd "$N" "$NSDP" || { fail "nsd starts"; t_done; }
RELAY=$(free_port)
"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$RELAY" -l 300 -u ".=$NSDP" \
    -r "_dmarc.slow.test=drop" 2>> "$T/relay.log" &
_t_pids="$_t_pids $!"
i=0
until [ "$(DNSQ_TIMEOUT=0.3 dnsq "$RELAY" reject.test SOA 2> /dev/null |
    head -n 1)" = NOERROR ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "relay answers"; t_done; }
	sleep 0.1
done
n=$(grep '^_dmarc' "$N/big.test.zone" | wc -c)
[ "$n" -gt 560 ] && [ "$(dnsq "$RELAY" _dmarc.big.test TXT | grep -c TXT)" = 0 ] &&
    ok "big.test's record ($n bytes) does not fit a plain UDP answer" ||
    fail "big.test's record is over 512 bytes" "$n: $(dnsq "$RELAY" _dmarc.big.test TXT)"

cat > "$T/policy" <<P
spool $T/spool
dns 127.0.0.1:$RELAY
timeout 1
P
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q"
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED TCPREMOTEHOST QQTAG_DNS \
    2> /dev/null || :

# ---- qqtag -c -F DOMAIN: every result, and the trace -----------------------
# cdmarc DOMAIN: the trace lines and the DMARC finding of qqtag -c
cdmarc() {
	"$QQTAG" -c 192.0.2.77 -F "$1" > "$T/c.out" 2>&1
	grep -E '^dmarc: |^DMARC' "$T/c.out"
}
# cres DESC DOMAIN TEST VERDICT ANSWER: the finding line says so
cres() {
	_out=$(cdmarc "$2")
	if printf '%s\n' "$_out" | grep -qE "^$3 +dmarc +$4 +$2 +$5 "; then
		ok "$1"
	else
		fail "$1" "$(cat "$T/c.out")"
	fi
}
cres "From: record p=reject: fail" reject.test DMARC_REJECT LISTED \
    'fail \(p=reject\)'
grep -q '^dmarc: asking _dmarc.reject.test TXT' "$T/c.out" &&
    grep -q '^dmarc: _dmarc.reject.test TXT: "v=DMARC1; p=reject; sp=quarantine": record p=reject sp=quarantine adkim=r aspf=r pct=100' "$T/c.out" &&
    ok "trace: the query and the record" || fail "trace" "$(cat "$T/c.out")"
grep -q '^DMARC_REJECT .* +2.0 "reject.test"$' "$T/c.out" && ok "DMARC_REJECT weighs 2.0" ||
    fail "DMARC_REJECT weight" "$(cat "$T/c.out")"
grep -q '^dmarc: asking _dmarc.reject.test' "$T/c.out" &&
    ! grep -q '_dmarc.test' "$T/c.out" &&
    ok "From: is the organizational domain: one query" ||
    fail "one query" "$(cat "$T/c.out")"
cres "org fallback: sp=quarantine" mail.reject.test DMARC_QUARANTINE LISTED \
    'fail \(p=quarantine\)'
grep -q '^dmarc: asking _dmarc.mail.reject.test TXT' "$T/c.out" &&
    grep -q '^dmarc: asking _dmarc.reject.test TXT' "$T/c.out" &&
    grep -q '^dmarc: no record at _dmarc.mail.reject.test, using _dmarc.reject.test' "$T/c.out" &&
    ok "both records asked, the org domain's used" ||
    fail "org fallback trace" "$(cat "$T/c.out")"
cres "p=quarantine" quar.test DMARC_QUARANTINE LISTED 'fail \(p=quarantine\)'
cres "p=none" none.test DMARC_NONE LISTED 'fail \(p=none\)'
cres "bad p=, valid rua=: p=none" fallback.test DMARC_NONE LISTED \
    'fail \(p=none\)'
cres "bad p=, no rua=: permerror" bad.test DMARC clean permerror
cres "two records: permerror" multi.test DMARC clean permerror
cres "only other TXT: none" other.test DMARC clean none
cres "no record: none" nodmarc.test DMARC clean none
cres "no record at From: nor org: none" mail.nodmarc.test DMARC clean none
cres "a REFUSED answer: temperror" nowhere.test DMARC clean temperror
cres "pct=0: reject spared to quarantine" pct.test DMARC_QUARANTINE LISTED \
    'fail \(p=reject, pct: quarantine\)'
cres "a record over 512 bytes" big.test DMARC_QUARANTINE LISTED \
    'fail \(p=quarantine\)'
cres "co.uk: the org domain is foo.co.uk (sp=none)" mail.foo.co.uk \
    DMARC_NONE LISTED 'fail \(p=none\)'
grep -q '^dmarc: asking _dmarc.foo.co.uk TXT' "$T/c.out" &&
    ! grep -q '_dmarc.co.uk' "$T/c.out" &&
    ok "co.uk: the public suffix's own record is never asked" ||
    fail "co.uk query" "$(cat "$T/c.out")"
start=$(date +%s%N)
cres "no answer by the deadline: temperror" slow.test DMARC clean temperror
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 900 ] && [ "$ms" -lt 3000 ] &&
    ok "temperror after the 1 s deadline ($ms ms)" ||
    fail "temperror at the deadline" "$ms ms"
grep -q '_dmarc.slow.test TXT: timeout' "$T/c.out" &&
    ok "trace: the timeout" || fail "trace timeout" "$(cat "$T/c.out")"

# ---- queue mode -----------------------------------------------------------
d=$(date -R)
mkenv "$T/env" news@shop.example.net bob@example.org
# qmsg FROM-LINES...: a message from 192.0.2.77 with these From: lines
qmsg() {
	{
		printf 'Received: from unknown (HELO mx.shop.example.net) (192.0.2.77)\n'
		printf '  by mx.example.org with SMTP; %s\n' "$d"
		for _f in "$@"; do
			printf '%s\n' "$_f"
		done
		printf 'To: bob@example.org\nDate: %s\n' "$d"
		printf 'Message-ID: <1.2@shop.example.net>\nSubject: hi\n\nbody\n'
	} > "$T/m"
	TCPREMOTEIP=192.0.2.77 "$QQTAG" < "$T/m" 1< "$T/env" 2> "$T/log"
	_rc=$?
	unfold "$T/q.msg" > "$T/h"
	return $_rc
}
qmsg 'From: Bank <alerts@reject.test>'
assert_eq "queue: exit 0" 0 "$?"
grep -q '^X-Qqtag: .*tests=[A-Z_,]*DMARC_REJECT' "$T/h" &&
    ok "queue: X-Qqtag names DMARC_REJECT" || fail "queue tests" "$(cat "$T/h")"
grep -qx 'X-Spam-Warning: From: domain reject.test fails DMARC (p=reject)' \
    "$T/h" && ok "queue: the warning names the domain and the policy" ||
    fail "queue warning" "$(grep -i warning "$T/h")"
tr -d '\000' < "$T/q.msg" | cmp -s - "$T/q.msg" && [ -s "$T/q.msg" ] &&
    ok "queue: no NUL byte in what is queued" ||
    fail "queue: NUL bytes" "$(od -c "$T/q.msg" | grep -m 3 '\\0')"
grep -q 'DMARC_REJECT' "$T/log" && ok "queue: the log line too" ||
    fail "queue log" "$(cat "$T/log")"
qmsg 'From: a@mail.reject.test'
grep -q '^X-Qqtag: .*DMARC_QUARANTINE' "$T/h" &&
    ok "queue: subdomain, org record's sp=quarantine" ||
    fail "queue sp" "$(cat "$T/h")"
qmsg 'From: a@reject.test' 'From: b@example.net'
grep -q '^X-Qqtag: .*DMARC_MULTI_FROM' "$T/h" &&
    ! grep -q 'DMARC_REJECT' "$T/h" &&
    ok "queue: several From: fields: DMARC_MULTI_FROM, no record used" ||
    fail "queue multi From" "$(cat "$T/h")"
qmsg 'From: a@reject.test, b@reject.test'
grep -q '^X-Qqtag: .*DMARC_MULTI_FROM' "$T/h" &&
    ok "queue: several addresses in From:: DMARC_MULTI_FROM" ||
    fail "queue multi box" "$(cat "$T/h")"
qmsg 'From: a@nodmarc.test'
grep -q '^X-Qqtag: ' "$T/h" &&
    ! grep -v '^Authentication-Results: ' "$T/h" | grep -q 'DMARC' &&
    grep -q '^Authentication-Results: .* dmarc=none ' "$T/h" &&
    ok "queue: no record: no DMARC test, dmarc=none" ||
    fail "queue none" "$(cat "$T/h")"
start=$(date +%s%N)
qmsg 'From: a@slow.test'
ms=$((($(date +%s%N) - start) / 1000000))
grep -q '^X-Qqtag: .*checked=yes' "$T/h" &&
    ! grep -v '^Authentication-Results: ' "$T/h" | grep -q 'DMARC' &&
    grep -q '^Authentication-Results: .* dmarc=temperror ' "$T/h" &&
    grep -q '_dmarc.slow.test' "$T/relay.log" &&
    ok "queue: temperror (query dropped) never scores" ||
    fail "queue temperror" "$(cat "$T/h")"
[ "$ms" -lt 3000 ] && ok "queue: done within the deadline ($ms ms)" ||
    fail "queue deadline" "$ms ms"
# pct is drawn from the Message-ID: the same message, the same tag
qmsg 'From: a@pct.test'
cp "$T/h" "$T/h1"
qmsg 'From: a@pct.test'
grep -q 'DMARC_QUARANTINE' "$T/h1" && cmp -s "$T/h1" "$T/h" &&
    ok "queue: pct=0 spares reject to quarantine, every time" ||
    fail "queue pct" "$(diff "$T/h1" "$T/h")"

# ---- no public suffix list --------------------------------------------------
# The list's directory hidden by an empty one in a mount namespace of its
# own (user namespace when not root): a From: of three labels needs the
# list (one or two labels are their own organizational domain), so DMARC
# is the error dmarc:psl and the message is queued as always, no test.
qmsg 'From: Bank <alerts@mail.reject.test>'
cp "$T/m" "$T/mpsl"
mkdir -p "$T/nopsl"
if [ "$(id -u)" = 0 ]; then _ns="unshare -m"; else _ns="unshare -r -m"; fi
rm -f "$T/q.msg"
if $_ns true 2> /dev/null; then
	TCPREMOTEIP=192.0.2.77 $_ns sh -c 'mount --bind "$1" \
	    /usr/share/publicsuffix && exec "$2"' sh "$T/nopsl" "$QQTAG" \
	    < "$T/mpsl" 1< "$T/env" 2> "$T/log"
	assert_eq "no list: exit 0" 0 "$?"
	if [ -s "$T/q.msg" ] && grep -q 'errors=[^ ]*dmarc:psl' "$T/log"; then
		ok "no list: errors=dmarc:psl in the log"
		tail -c "$(wc -c < "$T/mpsl")" "$T/q.msg" | cmp -s - "$T/mpsl" &&
		    unfold "$T/q.msg" | grep -q '^X-Qqtag: .*errors=[^ ]*dmarc:psl' &&
		    ! grep -q 'DMARC_' "$T/q.msg" &&
		    ok "  ... the message queued byte for byte, no DMARC test" ||
		    fail "  ... queued" "$(head -n 5 "$T/q.msg")"
	else
		fail "no list: errors=dmarc:psl" "$(cat "$T/log")"
	fi
	# the same message with the list: DMARC judges it (the hiding is
	# what made the difference)
	qmsg 'From: Bank <alerts@mail.reject.test>'
	grep -q 'DMARC_' "$T/h" && ! grep -q 'dmarc:psl' "$T/log" &&
	    ok "  ... with the list DMARC judges the same message" ||
	    fail "with the list" "$(cat "$T/log")"
else
	skip "no list: no mount namespace here ($_ns)"
fi

# ---- dmarc off -------------------------------------------------------------
echo "dmarc off" >> "$T/policy"
check "dmarc off passes qqtag -n" env QQTAG_QUEUE="$STANDIN" "$QQTAG" -n \
    -u "$(id -un)" "$T/policy"
: > "$T/relay.log"
qmsg 'From: Bank <alerts@reject.test>'
grep -q '^X-Qqtag: ' "$T/h" && ! grep -q 'DMARC' "$T/h" &&
    ! grep -q '_dmarc' "$T/relay.log" &&
    ok "dmarc off: no query, no test" || fail "dmarc off" "$(cat "$T/h")"
echo "dmarc maybe" >> "$T/policy"
"$QQTAG" -n -u "$(id -un)" "$T/policy" > "$T/n.out" 2>&1
grep -q 'dmarc on|off' "$T/n.out" && ok "qqtag -n: dmarc maybe is refused" ||
    fail "dmarc maybe" "$(cat "$T/n.out")"
t_done

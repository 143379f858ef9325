#!/bin/sh
# t_qqtag_geo.sh - GeoIP/ASN through the real qqtag: the X-Qqtag keys, the
# sanitised X-Qqtag-Geo header, country and ASN weights in the score, and
# broken databases costing only the geo data (the message goes on whole).
. "$(dirname "$0")/lib.sh"

D=$T/db
mkdir -p "$D" "$T/spool"
perl "$TOP/tests/mkmmdb.pl" "$D" > /dev/null 2>&1 ||
    fail "mkmmdb.pl builds the databases"
cat > "$T/policy" <<P
spool $T/spool
geoip country $D/country.mmdb
geoip asn $D/asn.mmdb
country CN 1.5 fr -0.5
asn 64500 2 AS64501 1
threshold 3
P
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q"
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED TCPREMOTEHOST 2> /dev/null || :
mkenv "$T/env" a@example.net b@example.org
printf 'Subject: geo\nX-Qqtag-Geo: ZZ AS1 forged\n\nbody\n' > "$T/m"

# run IP: qqtag for a client at IP; $T/q.msg, $T/log
run() {
	rm -f "$T/q.msg"
	TCPREMOTEIP=$1 "$QQTAG" < "$T/m" 1< "$T/env" 2> "$T/log"
	RC=$?
}
# unfolded: the message's header section, continuation lines joined
unfolded() {
	awk '/^$/ { exit } /^[ \t]/ { sub(/^[ \t]+/, " "); printf "%s", $0; next }
	    NR > 1 { print "" } { printf "%s", $0 } END { print "" }' "$T/q.msg"
}
printf 'Subject: geo\n\nbody\n' > "$T/m.body"

check "qqtag -n accepts the geo lines" "$QQTAG" -n "$T/policy"

run 192.0.2.7
assert_eq "DE client: exit 0" 0 "$RC"
unfolded | grep -q '^X-Qqtag: .*country=DE asn=64500' &&
    ok "X-Qqtag country=DE asn=64500" || fail "X-Qqtag keys" "$(head -3 "$T/q.msg")"
grep -q '^X-Qqtag-Geo: DE AS64500 Example Org$' "$T/q.msg" &&
    ok "X-Qqtag-Geo line" || fail "X-Qqtag-Geo" "$(cat "$T/q.msg")"
grep -q 'tests=GEO_ASN_64500' "$T/q.msg" && grep -q 'score=2.0' "$T/q.msg" &&
    ok "ASN weight scores" || fail "ASN weight" "$(head -2 "$T/q.msg")"
[ "$(grep -c '^X-Qqtag-Geo:' "$T/q.msg")" = 1 ] &&
    ok "forged X-Qqtag-Geo stripped" || fail "forged geo kept"
grep -q 'tests=GEO_ASN_64500 .* geo=DE/AS64500 ' "$T/log" &&
    ok "log line carries the geo test and geo=" || fail "geo log" "$(cat "$T/log")"

run 203.0.113.9
grep -q 'tests=GEO_CC_CN,GEO_ASN_64501' "$T/q.msg" &&
    grep -q 'score=2.5 required=3.0 flag=no' "$T/q.msg" &&
    ok "CN + AS64501 weights add up" || fail "CN weights" "$(head -3 "$T/q.msg")"
# the hostile AS name: one header line of printable ASCII, folded
"$PYTHON" - "$T/q.msg" <<'PY' && ok "hostile AS name sanitised, no header added" || fail "hostile org"
import sys
m = open(sys.argv[1], "rb").read()
head = m.split(b"\n\n")[0]
names = [l.split(b":")[0] for l in head.split(b"\n") if l[:1] not in (b" ", b"\t")]
want = {b"X-Qqtag", b"X-Spam-Status", b"X-Spam-Level", b"X-Spam-Score",
        b"X-Qqtag-Geo", b"X-Spam-Warning", b"Subject"}
assert set(names) <= want, names
for l in head.split(b"\n"):
    assert len(l) <= 998 and all(32 <= c < 127 or c == 9 for c in l), l
geo = [l for l in head.split(b"\n") if l.startswith(b"X-Qqtag-Geo:")][0]
assert geo.startswith(b"X-Qqtag-Geo: CN AS64501 "), geo
PY

run 2001:db8::1:2:3
grep -q '^X-Qqtag-Geo: FR AS64502 Example v6 Net$' "$T/q.msg" &&
    grep -q 'score=-0.5' "$T/q.msg" && ok "IPv6 client: FR, negative weight" ||
    fail "IPv6 geo" "$(head -8 "$T/q.msg")"
run ::ffff:192.0.2.8
grep -q 'country=DE' "$T/q.msg" && ok "::ffff:192.0.2.8 is IPv4" ||
    fail "mapped" "$(head -3 "$T/q.msg")"
run 10.1.2.3
grep -q 'X-Qqtag-Geo' "$T/q.msg" && fail "private IP looked up" ||
    ok "no geo for a private IP"
RELAYCLIENT= run 192.0.2.7
grep -q 'X-Qqtag-Geo' "$T/q.msg" && fail "relay client looked up" ||
    ok "no geo for a relay client"

# broken databases: fewer tags, message whole
sz=$(wc -c < "$D/country.mmdb")
head -c $((sz / 2)) "$D/country.mmdb" > "$D/half.mmdb"
sed "s|$D/country.mmdb|$D/half.mmdb|" "$T/policy" > "$T/policy.half"
QQTAG_POLICY=$T/policy.half run 192.0.2.7
assert_eq "truncated country db: still queued" 0 "$RC"
grep -q 'errors=country-corrupt' "$T/q.msg" && grep -q '^X-Qqtag-Geo: -- AS64500' "$T/q.msg" &&
    ok "truncated db named in errors=, ASN still used" || fail "half db" "$(head -8 "$T/q.msg")"
tail -n 3 "$T/q.msg" | cmp -s - "$T/m.body" && ok "message intact" ||
    fail "message after geo error"
sed "s|$D/country.mmdb|$D/none.mmdb|" "$T/policy" > "$T/policy.none"
QQTAG_POLICY=$T/policy.none run 192.0.2.7
assert_eq "missing country db: still queued" 0 "$RC"
grep -q 'errors=country-missing geo=--/AS64500' "$T/log" &&
    ok "missing db: a key in the log line" || fail "log" "$(cat "$T/log")"
grep -q 'errors=country-missing' "$T/q.msg" && ok "missing db in errors=" ||
    fail "missing db" "$(head -3 "$T/q.msg")"
"$QQTAG" -n "$T/policy.none" > "$T/out" 2>&1
assert_eq "qqtag -n rejects a missing database" 1 "$?"
grep -q 'none.mmdb' "$T/out" && ok "qqtag -n names it" || fail "-n text" "$(cat "$T/out")"
head -c 5000 /dev/urandom > "$D/junk.mmdb"
sed "s|$D/asn.mmdb|$D/junk.mmdb|" "$T/policy" > "$T/policy.junk"
QQTAG_POLICY=$T/policy.junk run 192.0.2.7
assert_eq "random-bytes ASN db: still queued" 0 "$RC"
grep -q 'asn-corrupt' "$T/q.msg" && grep -q 'country=DE' "$T/q.msg" &&
    ok "corrupt ASN db: error named, country kept" || fail "junk db" "$(head -3 "$T/q.msg")"

t_done

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

# msg IP: $T/m, a realistic message from a client at IP, so that the
# header heuristics (heur.c) stay quiet and every score below is the geo
# weights' alone: qmail-smtpd's Received line with a fully qualified
# HELO, From, To, a Message-ID and a Date of now (DATE_IN_PAST fires
# after 10 days).  It carries a forged X-Qqtag-Geo; $T/m.want is the
# message less that line, what the queue must get after our block.
msg() {
	{
		echo "Received: from unknown (HELO mail.example.net) ($1)"
		echo "  by mx.example.org with SMTP; $(LC_ALL=C date -u \
		    '+%d %b %Y %H:%M:%S -0000' | sed 's/^0//')"
		echo "X-Qqtag-Geo: ZZ AS1 forged"
		echo "From: A <a@example.net>"
		echo "To: b@example.org"
		echo "Subject: geo"
		echo "Date: $(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')"
		echo "Message-ID: <geo.$$@example.net>"
		echo
		echo "body"
	} > "$T/m"
	grep -v '^X-Qqtag-Geo: ZZ ' "$T/m" > "$T/m.want"
}
# run IP: qqtag for a client at IP; $T/q.msg, $T/log.  Asserts that it
# exits 0 and queued a message (every geo error costs only geo data).
run() {
	msg "$1"
	rm -f "$T/q.msg"
	TCPREMOTEIP=$1 "$QQTAG" < "$T/m" 1< "$T/env" 2> "$T/log"
	RC=$?
	if [ "$RC" = 0 ] && [ -s "$T/q.msg" ]; then
		ok "qqtag, $1, ${QQTAG_POLICY##*/}: exit 0, queued"
	else
		fail "qqtag, $1, ${QQTAG_POLICY##*/}: exit 0, queued" \
		    "exit $RC; $(cat "$T/log")"
	fi
}
# nogeo DESC: qqtag's verdict is in $T/q.msg, with no geo data in it
nogeo() {
	if ! unfold "$T/q.msg" | grep -q '^X-Qqtag: '; then
		fail "$1" "no X-Qqtag field: $(head -n 5 "$T/q.msg" 2>&1)"
	elif unfold "$T/q.msg" | grep -q '^X-Qqtag-Geo:\|^X-Qqtag: .* country='; then
		fail "$1" "$(unfold "$T/q.msg")"
	else
		ok "$1"
	fi
}
# xq: the X-Qqtag field, unfolded (not X-Qqtag-Geo); X-Qqtag folds at 78
# columns: never grep its raw lines.
xq() {
	unfold "$T/q.msg" | grep '^X-Qqtag: '
}

check "qqtag -n accepts the geo lines" "$QQTAG" -n -u "$(id -un)" "$T/policy"

run 192.0.2.7
assert_eq "DE client: exit 0" 0 "$RC"
unfold "$T/q.msg" | grep -q '^X-Qqtag: .*country=DE asn=64500' &&
    ok "X-Qqtag country=DE asn=64500" || fail "X-Qqtag keys" "$(head -3 "$T/q.msg")"
unfold "$T/q.msg" | grep -q '^X-Qqtag-Geo: DE AS64500 Example Org$' &&
    ok "X-Qqtag-Geo line" || fail "X-Qqtag-Geo" "$(cat "$T/q.msg")"
xq | grep -q '^X-Qqtag: score=2\.0 required=3\.0 flag=no checked=yes tests=GEO_ASN_64500 ' &&
    ok "ASN weight scores" || fail "ASN weight" "$(xq)"
[ "$(unfold "$T/q.msg" | grep -c '^X-Qqtag-Geo:')" = 1 ] &&
    ok "forged X-Qqtag-Geo stripped" || fail "forged geo kept"
tail -c "$(wc -c < "$T/m.want")" "$T/q.msg" | cmp -s - "$T/m.want" &&
    ok "the rest of the message as it came, less the forged line" ||
    fail "message after our block" "$(cat "$T/q.msg")"
grep -q 'tests=GEO_ASN_64500 .* geo=DE/AS64500 ' "$T/log" &&
    ok "log line carries the geo test and geo=" || fail "geo log" "$(cat "$T/log")"

run 203.0.113.9
xq | grep -q '^X-Qqtag: score=2\.5 required=3\.0 flag=no checked=yes tests=GEO_CC_CN,GEO_ASN_64501 ' &&
    ok "CN + AS64501 weights add up" || fail "CN weights" "$(xq)"
# the hostile AS name: one header line of printable ASCII, folded
"$PYTHON" - "$T/q.msg" <<'PY' && ok "hostile AS name sanitised, no header added" || fail "hostile org"
import sys
m = open(sys.argv[1], "rb").read()
head = m.split(b"\n\n")[0]
names = [l.split(b":")[0] for l in head.split(b"\n") if l[:1] not in (b" ", b"\t")]
want = {b"Authentication-Results", b"X-Qqtag", b"X-Spam-Status",
        b"X-Spam-Level", b"X-Spam-Score",
        b"X-Qqtag-Geo", b"X-Spam-Warning", b"Received", b"From", b"To",
        b"Subject", b"Date", b"Message-ID"}
assert set(names) <= want, names
for l in head.split(b"\n"):
    assert len(l) <= 998 and all(32 <= c < 127 or c == 9 for c in l), l
geo = [l for l in head.split(b"\n") if l.startswith(b"X-Qqtag-Geo:")][0]
assert geo.startswith(b"X-Qqtag-Geo: CN AS64501 "), geo
PY

run 2001:db8::1:2:3
unfold "$T/q.msg" | grep -q '^X-Qqtag-Geo: FR AS64502 Example v6 Net$' &&
    xq | grep -q '^X-Qqtag: score=-0\.5 .* tests=GEO_CC_FR ' &&
    ok "IPv6 client: FR, negative weight" ||
    fail "IPv6 geo" "$(unfold "$T/q.msg")"
run ::ffff:192.0.2.8
xq | grep -q ' country=DE asn=64500\( \|$\)' && ok "::ffff:192.0.2.8 is IPv4" ||
    fail "mapped" "$(xq)"
run 10.1.2.3
nogeo "no geo for a private IP"
RELAYCLIENT= run 192.0.2.7
nogeo "no geo for a relay client"

# broken databases: fewer tags, message whole
sz=$(wc -c < "$D/country.mmdb")
head -c $((sz / 2)) "$D/country.mmdb" > "$D/half.mmdb"
sed "s|$D/country.mmdb|$D/half.mmdb|" "$T/policy" > "$T/policy.half"
QQTAG_POLICY=$T/policy.half run 192.0.2.7
assert_eq "truncated country db: still queued" 0 "$RC"
xq | grep -q ' errors=\([^ ]*,\)*country-corrupt[, ]' &&
    unfold "$T/q.msg" | grep -q '^X-Qqtag-Geo: -- AS64500 Example Org$' &&
    ok "truncated db named in errors=, ASN still used" || fail "half db" "$(unfold "$T/q.msg")"
tail -c "$(wc -c < "$T/m.want")" "$T/q.msg" | cmp -s - "$T/m.want" &&
    ok "message intact" || fail "message after geo error" "$(cat "$T/q.msg")"
sed "s|$D/country.mmdb|$D/none.mmdb|" "$T/policy" > "$T/policy.none"
QQTAG_POLICY=$T/policy.none run 192.0.2.7
assert_eq "missing country db: still queued" 0 "$RC"
grep -q 'errors=country-missing geo=--/AS64500' "$T/log" &&
    ok "missing db: a key in the log line" || fail "log" "$(cat "$T/log")"
xq | grep -q ' errors=\([^ ]*,\)*country-missing[, ]' && ok "missing db in errors=" ||
    fail "missing db" "$(xq)"
"$QQTAG" -n -u "$(id -un)" "$T/policy.none" > "$T/out" 2>&1
assert_eq "qqtag -n rejects a missing database" 1 "$?"
grep -q 'none.mmdb' "$T/out" && ok "qqtag -n names it" || fail "-n text" "$(cat "$T/out")"
randbytes 5000 > "$D/junk.mmdb"
sed "s|$D/asn.mmdb|$D/junk.mmdb|" "$T/policy" > "$T/policy.junk"
QQTAG_POLICY=$T/policy.junk run 192.0.2.7
assert_eq "random-bytes ASN db (seed $RSEED): still queued" 0 "$RC"
xq | grep -q ' errors=\([^ ]*,\)*asn-corrupt[, ]' && xq | grep -q ' country=DE\( \|$\)' &&
    ok "corrupt ASN db: error named, country kept" || fail "junk db (seed $RSEED)" "$(xq)"

# qqtag -c shows the geo data and scores it as queue mode does
"$QQTAG" -c 203.0.113.9 > "$T/c.out" 2>&1
assert_eq "qqtag -c 203.0.113.9: exit 0" 0 "$?"
grep -q '^GEOIP .* CN AS64501 ' "$T/c.out" && grep -q '^GEO_CC_CN .*+1.5' "$T/c.out" &&
    grep -q '^score 2.5 required 3.0 flag no' "$T/c.out" &&
    ok "qqtag -c: geo line, geo tests, same score as queue mode" ||
    fail "qqtag -c geo" "$(cat "$T/c.out")"
if ! grep -q '^GEOIP .* CN AS64501 ' "$T/c.out"; then
	fail "qqtag -c output sanitised" "no GEOIP line: $(cat "$T/c.out")"
elif tr -d '\n' < "$T/c.out" | LC_ALL=C grep -q '[^ -~]'; then
	fail "qqtag -c printed raw bytes of the AS name"
else
	ok "qqtag -c output sanitised"
fi

t_done

#!/bin/sh
# t_qqtag_e2e.sh - everything together through the real qqtag: rbldnsd
# lists, the GeoIP files and the heuristics on one message, checked header
# by header; and trusted relays: the hop's client checked when the hop did
# not run qqtag, its tags kept when it did, the same headers stripped from
# an untrusted client.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/spool" "$T/z" "$T/db"
perl "$TOP/tests/mkmmdb.pl" "$T/db" > /dev/null 2>&1 || fail "mkmmdb.pl"
printf ':127.0.0.4:XBL test $\n192.0.2.77\n' > "$T/z/zen"
port=$(free_port)
start_rbldnsd "$T/z" "$port" zen.test:ip4set:zen || fail "rbldnsd starts"
cat > "$T/policy" <<P
spool $T/spool
authservid mx.example.org
dns 127.0.0.1:$port
timeout 1
dnsbl ZEN zen.test profile=zen
geoip country $T/db/country.mmdb
geoip asn $T/db/asn.mmdb
asn 64500 0.5
P
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q"
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED TCPREMOTEHOST 2> /dev/null || :
d=$(date -R)
mkenv "$T/env" news@shop.example.net bob@example.org

# the client's message, as our qmail-smtpd received it (no Message-ID)
{
	printf 'Received: from unknown (HELO mail.shop.example.net) (192.0.2.77)\n'
	printf '  by mx.example.org with SMTP; %s\n' "$d"
	printf 'X-Spam-Status: No, score=-9.9 forged\n'
	printf 'From: Shop <news@shop.example.net>\nTo: bob@example.org\n'
	printf 'Date: %s\nSubject: offer\n\nbody\n' "$d"
} > "$T/m1"
TCPREMOTEIP=192.0.2.77 "$QQTAG" < "$T/m1" 1< "$T/env" 2> "$T/log"
assert_eq "exit 0" 0 "$?"
# header by header: the block, unfolded
# (a fold after a comma is a soft break: unfolded without a space)
awk '/^Received: from unknown/ { exit }
    /^[ \t]/ { sub(/^[ \t]+/, ""); printf "%s%s", last == "," ? "" : " ", $0;
    last = substr($0, length($0)); next }
    NR > 1 { print "" } { printf "%s", $0; last = substr($0, length($0)) }
    END { print "" }' "$T/q.msg" > "$T/block"
cat > "$T/want" <<W
Authentication-Results: mx.example.org; spf=temperror (SPF record lookup: refused) smtp.mailfrom=news@shop.example.net; dmarc=temperror (DNS: refused) header.from=shop.example.net; iprev=temperror policy.iprev=192.0.2.77
X-Qqtag: score=4.0 required=5.0 flag=no checked=yes tests=SPAMHAUS_XBL,GEO_ASN_64500,MISSING_MID lists=ZEN errors=RDNS:refused,SENDER_DOMAIN:refused country=DE asn=64500
X-Spam-Status: No, score=4.0 required=5.0 tests=SPAMHAUS_XBL,GEO_ASN_64500,MISSING_MID
X-Spam-Level: ****
X-Spam-Score: 4.0
X-Qqtag-Geo: DE AS64500 Example Org
X-Spam-Warning: 192.0.2.77 is listed in ZEN as SPAMHAUS_XBL (127.0.0.4): XBL test 192.0.2.77
X-Spam-Warning: the client's network (AS) is weighted: Example Org
X-Spam-Warning: no Message-ID: field
W
i=0
while IFS= read -r want; do
	i=$((i + 1))
	got=$(sed -n "${i}p" "$T/block")
	assert_eq "block line $i: ${want%%:*}" "$want" "$got"
done < "$T/want"
assert_eq "block has $(wc -l < "$T/want") fields" "$(wc -l < "$T/want")" \
    "$(wc -l < "$T/block" | tr -d ' ')"
"$PYTHON" "$TOP/tests/strip.py" "$T/m1" "$T/m1.want"
tail -c "$(wc -c < "$T/m1.want")" "$T/q.msg" | cmp -s - "$T/m1.want" &&
    ok "then the message less the forged X-Spam-Status" || fail "message body"
grep -q 'score=4.0 flag=no tests=SPAMHAUS_XBL,GEO_ASN_64500,MISSING_MID errors=RDNS:refused,SENDER_DOMAIN:refused geo=DE/AS64500 ' "$T/log" &&
    ok "log line" || fail "log line" "$(cat "$T/log")"

# a trusted backup MX that did not run qqtag relays the same message
{
	printf 'Received: from backup.example.org (198.51.100.25)\n'
	printf '  by mx.example.org with SMTP; %s\n' "$d"
	printf 'Received: from mail.shop.example.net (unknown [192.0.2.77])\n'
	printf '\tby backup.example.org (Postfix) with ESMTP id 1;\n\t%s\n' "$d"
	sed 1,2d "$T/m1"
} > "$T/m2"
QQTAG_TRUSTED=1 TCPREMOTEIP=198.51.100.25 "$QQTAG" < "$T/m2" 1< "$T/env" \
    2> "$T/log"
assert_eq "trusted hop: exit 0" 0 "$?"
unfold "$T/q.msg" | head -n 1 |
    grep -q '^Authentication-Results: mx.example.org; .*policy.iprev=192.0.2.77$' &&
    grep -q '^X-Qqtag: score=' "$T/q.msg" &&
    grep -q '^X-Spam-Warning: 192.0.2.77 is listed in ZEN' "$T/q.msg" &&
    ok "trusted hop without qqtag: the hop's client 192.0.2.77 is checked" ||
    fail "hop check" "$(head -12 "$T/q.msg")"
# the sender's forged X-Spam-Status sits below the hop's own Received
# line, where the hop cannot have written it: stripped (issue 10.6)
grep -q '^X-Spam-Status: No, score=-9.9 forged' "$T/m2" &&
    grep -q '^X-Spam-Status: ' "$T/q.msg" &&
    ! grep -q '^X-Spam-Status: No, score=-9.9 forged' "$T/q.msg" &&
    ok "trusted hop: tags below its own Received line are stripped" ||
    fail "trusted hop: tags below its line stripped" "$(head -14 "$T/q.msg")"
grep -q 'class=trusted .*stripped=1 ' "$T/log" && ok "log: class=trusted, 1 stripped" ||
    fail "class" "$(cat "$T/log")"

# a forged "X-Qqtag: flag=no" below the hop's line does not pass for the
# hop's own verdict: the hop's client is still checked (issue 10.6)
{
	sed -n 1,4p "$T/m2"
	printf 'X-Qqtag: score=0.0 required=5.0 flag=no checked=yes\n'
	sed 1,4d "$T/m2"
} > "$T/m2f"
QQTAG_TRUSTED=1 TCPREMOTEIP=198.51.100.25 "$QQTAG" < "$T/m2f" 1< "$T/env" \
    2> "$T/log"
assert_eq "trusted hop, forged X-Qqtag below its line: exit 0" 0 "$?"
[ "$(grep -c '^X-Qqtag:' "$T/q.msg")" = 1 ] &&
    unfold "$T/q.msg" | grep -v '^Authentication-Results: ' | head -n 1 |
    grep -q '^X-Qqtag: score=4.0 .*tests=SPAMHAUS_XBL' &&
    grep -q '^X-Spam-Warning: 192.0.2.77 is listed in ZEN' "$T/q.msg" &&
    ok "  ... the hop's client is checked, the forged X-Qqtag stripped" ||
    fail "  ... hop check despite forged X-Qqtag" "$(head -14 "$T/q.msg")"

# a trusted hop that ran qqtag: its verdict stands, nothing added; only
# the tags below its own Received line go
{
	printf 'Received: from backup.example.org (198.51.100.25)\n'
	printf '  by mx.example.org with SMTP; %s\n' "$d"
	printf 'X-Qqtag: score=9.0 required=5.0 flag=yes checked=yes\n'
	sed 1,2d "$T/m2"
} > "$T/m3"
grep -v '^X-Spam-Status: No, score=-9.9 forged' "$T/m3" > "$T/m3.want"
QQTAG_TRUSTED=1 TCPREMOTEIP=198.51.100.25 "$QQTAG" < "$T/m3" 1< "$T/env" \
    2> "$T/log"
assert_file_eq "trusted hop that ran qqtag: its block kept, nothing added, forged below stripped" \
    "$T/m3.want" "$T/q.msg"

# the same message from an untrusted client: the hop's tags are stripped
TCPREMOTEIP=198.51.100.25 "$QQTAG" < "$T/m3" 1< "$T/env" 2> "$T/log"
[ "$(grep -ci '^x-qqtag:' "$T/q.msg")" = 1 ] &&
    ! grep -q 'score=9.0' "$T/q.msg" && ! grep -q 'forged' "$T/q.msg" &&
    ok "untrusted client: its X-Qqtag and X-Spam-Status are stripped" ||
    fail "untrusted strip" "$(head -12 "$T/q.msg")"
t_done

#!/bin/sh
# t_agree.sh: qqtag -c and queue mode agree (issue 10.2).  Several
# policies (a local iplist alone, DNS lists alone, an RHSBL, local and
# DNS lists and GeoIP together), several clients (listed, clean, IPv6,
# loopback, private).  Each client goes through queue mode with a message
# that fires no header test, and through qqtag -c with the same sender;
# the tests, the score and the checked/reason must be the same.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/z" "$T/l" "$T/spool" "$T/db"
printf ':127.0.0.2:on the DNS list\n192.0.2.7\n198.51.100.0/24\n' > "$T/z/bl"
printf 'spam.example :127.0.1.2:spam domain\n' > "$T/z/dbl"
port=$(free_port)
start_rbldnsd "$T/z" "$port" bl.test:ip4set:bl dbl.test:dnset:dbl ||
	{ fail "rbldnsd starts"; t_done; }
printf '192.0.2.0/25\n2001:db8:1::/48\n' > "$T/l/bad"
printf '192.0.2.7\n' > "$T/l/partners"
printf 'spam.example\n' > "$T/l/domains"
GEO=
if perl "$TOP/tests/mkmmdb.pl" "$T/db" > "$T/mkmmdb.log" 2>&1; then
	GEO="geoip country $T/db/country.mmdb
country DE 1.5 US 0.5"
else
	skip "GeoIP in the mixed policy (mkmmdb.pl: $(tail -n 1 "$T/mkmmdb.log"))"
fi

base="spool $T/spool
dns 127.0.0.1:$port
timeout 1"
printf '%s\niplist LOCAL %s 127.0.0.2=2.5\n' "$base" "$T/l/bad" > "$T/p.iplist"
printf '%s\ndnsbl BL bl.test 127.0.0.2=3\n' "$base" > "$T/p.dnsbl"
printf '%s\nrhsbl DBL dbl.test profile=dbl\n' "$base" > "$T/p.rhsbl"
printf '%s\ndnsbl BL bl.test 127.0.0.2=3\nrhsbl DBL dbl.test profile=dbl
iplist LOCAL %s 127.0.0.2=2.5\nipwl PARTNERS %s\ndomainlist BADDOM %s 127.0.0.2=2\n%s\n' \
    "$base" "$T/l/bad" "$T/l/partners" "$T/l/domains" "$GEO" > "$T/p.mixed"
for p in iplist dnsbl rhsbl mixed; do
	check "policy $p is valid (qqtag -n)" env QQTAG_QUEUE="$STANDIN" \
	    "$QQTAG" -n -u "$(id -un)" "$T/p.$p"
done

export QQTAG_QUEUE="$STANDIN"
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED TCPREMOTEHOST QQTAG_DNS \
    QQTAG_THRESHOLD 2> /dev/null || :

# msg IP SENDER: a message no header test fires on (HELO is the client's
# confirmed name is not possible here: no HELO at all, no Received line)
msg() {
	{
		echo "From: A <$2>"
		echo "To: b@example.org"
		echo "Subject: agreement"
		echo "Date: $(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')"
		echo "Message-ID: <agree.$$@example.net>"
		echo
		echo "body"
	} > "$T/m"
	mkenv "$T/env" "$2" b@example.org
}

# queue POLICY IP SENDER: "tests=... score=S" or "checked=no reason=R"
queue() {
	msg "$2" "$3"
	rm -f "$T/q.msg"
	QQTAG_POLICY=$1 QQ_OUT=$T/q TCPREMOTEIP=$2 "$QQTAG" < "$T/m" \
	    1< "$T/env" 2> "$T/qlog"
	unfold "$T/q.msg" | grep '^X-Qqtag: ' > "$T/qx"
	if grep -q 'checked=no' "$T/qx"; then
		sed -n 's/.*\(checked=no reason=[a-z]*\).*/\1/p' "$T/qx"
		return
	fi
	printf 'tests=%s score=%s\n' \
	    "$(sed -n 's/.* tests=\([^ ]*\).*/\1/p' "$T/qx")" \
	    "$(sed -n 's/^X-Qqtag: score=\([^ ]*\) .*/\1/p' "$T/qx")"
}

# cmode POLICY IP SENDER: the same from qqtag -c
cmode() {
	QQTAG_POLICY=$1 "$QQTAG" -c "$2" -f "$3" -F "${3#*@}" > "$T/cout" \
	    2> "$T/cerr"
	if grep -q 'checked=no' "$T/cout"; then
		sed -n 's/.*(\(checked=no reason=[a-z]*\)).*/\1/p' "$T/cout"
		return
	fi
	printf 'tests=%s score=%s\n' \
	    "$(sed -n 's/^tests=//p' "$T/cout")" \
	    "$(sed -n 's/^score \([^ ]*\) .*/\1/p' "$T/cout")"
}

n=0
for p in iplist dnsbl rhsbl mixed; do
	for c in 192.0.2.7:a@example.net 192.0.2.200:a@spam.example \
	    198.51.100.9:a@example.net 203.0.113.5:a@example.net \
	    2001:db8:1::5:a@example.net 127.0.0.1:a@spam.example \
	    10.1.2.3:a@example.net; do
		ip=${c%:*}
		s=${c##*:}
		q=$(queue "$T/p.$p" "$ip" "$s")
		k=$(cmode "$T/p.$p" "$ip" "$s")
		n=$((n + 1))
		case $q in
		"tests= score=" | "")
			fail "case $n ($p, $ip): queue mode gave no verdict" \
			    "$(cat "$T/qx" "$T/qlog")" ;;
		"$k") ok "case $n ($p, $ip, $s): $q"
			echo "$q" >> "$T/seen" ;;
		*) fail "case $n ($p, $ip, $s): queue and -c differ" \
		    "queue: $q
   -c: $k
$(cat "$T/cout")" ;;
		esac
	done
done

# agreement on nothing proves nothing: every kind was seen listed
for t in LOCAL BL DBL BADDOM PARTNERS 'checked=no reason=private'; do
	grep -q "$t" "$T/seen" 2> /dev/null &&
	    ok "agreed cases include $t" || fail "agreed cases include $t"
done
if [ -n "$GEO" ]; then
	grep -q 'GEO_CC_' "$T/seen" &&
	    ok "agreed cases include a GeoIP weight" ||
	    fail "agreed cases include a GeoIP weight" "$(cat "$T/seen")"
fi
t_done

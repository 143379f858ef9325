#!/bin/sh
# t_demo.sh - "make demo" runs to the end: sh demo/run.sh after the build,
# as the make target runs it.  Checked: exit 0 and the closing line; the
# tagged headers it prints (X-Spam-Flag: YES for the listed client,
# checked=no for the relay client, the forged lines shown as stripped);
# what reached the stand-in queue (DEMO_OUT): every message delivered, the
# original bytes less only forged tag lines, no forged "X-Spam-Flag: NO",
# envelopes byte for byte, every DNS check answered by the demo's own
# rbldnsd, also in a network namespace with nothing but loopback; GeoIP
# on (X-Qqtag-Geo on every checked message) exactly when the sample
# databases can be built; the dates of the messages filled in with now,
# so the clean one stays at score 0; and no process or
# temporary file left behind, also when the demo is stopped half-way by
# SIGTERM or a closed pipe (| head), or cannot start.  Ends with "N passed, N failed".
. "$(dirname "$0")/lib.sh"

DEMO=$TOP/demo
mkdir -p "$T/tmp" "$T/tmp2" "$T/tmp3" "$T/out"

# leftovers DIR: processes whose command line mentions DIR (the demo's
# rbldnsd runs with -w DIR/qqtag-demo.X/zones), one "pid: args" a line.
leftovers() {
	for _c in /proc/[0-9]*/cmdline; do
		_a=$( (tr '\0' ' ' < "$_c") 2> /dev/null) || continue
		case $_a in
		*"$1"*) echo "${_c%/cmdline}: $_a" | sed 's|^/proc/||' ;;
		esac
	done
}
# unfold FILE: header lines with their continuations joined (a fold after
# a comma is removed, any other is one space)
unfold() {
	awk '/^\t/ { sub(/^\t/, ""); l = l (l ~ /,$/ ? "" : " ") $0; next }
		{ if (NR > 1) print l; l = $0 } END { if (NR) print l }' "$1"
}
# section N [FILE]: the lines of the demo's section "N. title" in FILE
# ($T/demo.out)
section() {
	awk -v n="$1" '
		/^[0-9]+\. / { on = (index($0, n ". ") == 1) }
		/^qqtag -c / { on = 0 }
		on' "${2:-$T/demo.out}"
}
# logline N [FILE]: section N's qqtag log line, its wrapped lines joined
logline() {
	section "$1" "${2-}" | awk '/^qqtag log line/ { on = 1; next }
		/^[a-z]/ { on = 0 } on { sub(/^ +/, ""); l = l (l == "" ? "" : " ") $0 }
		END { print l }'
}
# answered [FILE]: how many sections' log lines say errors=none (every
# DNS check and the GeoIP lookup answered)
answered() {
	_n=0
	for _s in 1 2 3 4 5 6 7 8; do
		case " $(logline $_s "${1-}") " in
		*" errors=none "*) _n=$((_n + 1)) ;;
		esac
	done
	echo $_n
}
# added N: section N's "qqtag added:" block, unindented
added() {
	section "$1" | awk '/^qqtag added:/ { on = 1; next }
		/^[a-z]/ { on = 0 } on { sub(/^    /, ""); print }'
}
# stripped N: section N's "stripped from the message" lines, unindented
stripped() {
	section "$1" | awk '/^stripped from the message/ { on = 1; next }
		/^[a-z]/ { on = 0 } on { sub(/^    /, ""); print }'
}

# ---- the demo as make demo runs it --------------------------------------------
start=$(date +%s)
(cd "$TOP" && TMPDIR=$T/tmp sh demo/run.sh) > "$T/demo.out" 2> "$T/demo.err"
rc=$?
secs=$(($(date +%s) - start))
assert_eq "demo exits 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/# /' "$T/demo.out" "$T/demo.err"
assert_eq "demo ends with its closing line" \
    "demo: 8 messages tagged and queued; rbldnsd stopped, temporary files removed." \
    "$(tail -n 1 "$T/demo.out")"
assert_eq "nothing on stderr" "" "$(cat "$T/demo.err")"
if [ "$secs" -le 20 ]; then
	ok "demo runs in a few seconds ($secs s)"
else
	fail "demo runs in a few seconds" "$secs s"
fi
assert_eq "eight sections" "1 2 3 4 5 6 7 8" \
    "$(sed -n 's/^\([0-9]\)\. .*/\1/p' "$T/demo.out" | tr '\n' ' ' |
    sed 's/ $//')"
assert_eq "every message queued with exit 0" 8 \
    "$(grep -c '^queue   : exit 0, [0-9]* bytes queued, the envelope byte for byte$' \
    "$T/demo.out")"
assert_eq "a log line for every message" 8 \
    "$(grep -c '^    qqtag: pid=' "$T/demo.out")"

added 1 > "$T/a1"
unfold "$T/a1" > "$T/u1"
grep -q '^X-Qqtag: score=-0\.2 required=5\.0 flag=no checked=yes tests=SPF_PASS,DMARC_PASS ' \
    "$T/u1" && ! grep -q '^X-Spam-Flag' "$T/u1" &&
    ok "clean client: checked, SPF and DMARC pass (-0.2), no X-Spam-Flag" ||
    fail "clean client" "$(cat "$T/a1")"
grep -q '^Authentication-Results: mx\.example\.com; spf=pass .* dmarc=pass (p=reject) .*header\.from=example\.org; iprev=pass ' \
    "$T/u1" && ok "clean client: Authentication-Results spf, dmarc, iprev pass" ||
    fail "clean client: Authentication-Results" "$(cat "$T/a1")"
added 2 > "$T/a2"
grep -q '^X-Spam-Flag: YES$' "$T/a2" &&
    ok "listed client: X-Spam-Flag: YES printed" ||
    fail "listed client: X-Spam-Flag: YES" "$(section 2)"
unfold "$T/a2" > "$T/u2"
miss=
for t in SPAMHAUS_SBL SPAMHAUS_XBL SPAMHAUS_PBL RDNS_NONE SENDER_DOMAIN_NX; do
	grep -q "^X-Spam-Status: Yes, .*tests=\(.*,\)*$t\(,\|\$\)" "$T/u2" ||
		miss="$miss $t"
done
assert_eq "listed client: several codes and findings in X-Spam-Status" "" \
    "$miss"
for w in 'in ZEN as SPAMHAUS_SBL (127.0.0.2)' 'in ZEN as SPAMHAUS_XBL (127.0.0.4)' \
    'in ZEN as SPAMHAUS_PBL (127.0.0.10)' 'has no reverse DNS' \
    'lottery.example (sender domain) does not exist'; do
	grep -qF "$w" "$T/u2" || miss="$miss [$w]"
done
assert_eq "listed client: a warning for each" "" "$miss"
added 3 > "$T/a3"
unfold "$T/a3" > "$T/u3"
grep -q '^X-Spam-Status: No, .*tests=.*SPAMHAUS_CSS,DNSWL_HI' "$T/u3" &&
    ok "allowlisted client: DNSWL outweighs the CSS listing" ||
    fail "allowlisted client" "$(cat "$T/a3")"
added 4 > "$T/a4"
unfold "$T/a4" > "$T/u4"
grep -q '^X-Spam-Warning: 192\.0\.2\.44 is listed in ZEN as SPAMHAUS_PBL ' \
    "$T/u4" && ok "dynamic client: the PBL listing" ||
    fail "dynamic client" "$(cat "$T/a4")"
grep -q '^X-Spam-Warning: .*rDNS 192-0-2-44\.dsl\.example\.net$' "$T/u4" &&
    grep -q '^X-Spam-Status: No, .*tests=\(.*,\)*RDNS_DYNAMIC\(,\|$\)' "$T/u4" &&
    ok "dynamic client: its rDNS name found dynamic (RDNS_DYNAMIC)" ||
    fail "dynamic client: RDNS_DYNAMIC" "$(cat "$T/a4")"
added 5 > "$T/a5"
stripped 5 > "$T/s5"
# one X-Spam-Flag field, YES.  (Not "no X-Spam-Flag: NO anywhere": with
# GeoIP on, the sample AS name of the client is hostile and holds that
# text, sanitised into the values of X-Qqtag-Geo and X-Spam-Warning.)
grep -q '^X-Spam-Flag: YES$' "$T/a5" &&
    [ "$(grep -ci '^x-spam-flag:' "$T/a5")" = 1 ] &&
    ok "forged message: flagged YES, no forged NO in the added block" ||
    fail "forged message flag" "$(cat "$T/a5")"
assert_eq "forged message: the forged lines are shown as stripped" \
    "X-Spam-Flag: NO|X-Spam-Status: No, score=-10.0 required=5.0|	tests=ALL_TRUSTED autolearn=ham|x-spam-level:|X-Qqtag: score=0.0 required=5.0 flag=no checked=yes|X-Qqtag-Geo: US AS64496 Friendly Bank" \
    "$(tr '\n' '|' < "$T/s5" | sed 's/|$//')"
added 6 > "$T/a6"
unfold "$T/a6" > "$T/u6"
grep -q '^X-Spam-Warning: 2001:db8:bad:1::25 is listed in ZEN' "$T/u6" &&
    grep -q '^X-Spam-Flag: YES$' "$T/u6" &&
    ok "IPv6 client: listed on the ip6trie zone, flagged" ||
    fail "IPv6 client" "$(cat "$T/a6")"
added 7 > "$T/a7"
assert_eq "relay client: only checked=no reason=relayclient" \
    "X-Qqtag: checked=no reason=relayclient" "$(cat "$T/a7")"
assert_eq "relay client: its forged X-Spam-Status shown as stripped" \
    "X-Spam-Status: No, score=0.0 (my own mail is never spam)" \
    "$(stripped 7)"
added 8 > "$T/a8"
unfold "$T/a8" > "$T/u8"
grep -q '^X-Spam-Warning: cheap-pills\.example is listed in DBLURI as URIBL_DBL_SPAM (127\.0\.1\.2)' \
    "$T/u8" &&
    grep -q '^X-Spam-Status: No, .*tests=\(.*,\)*URIBL_DBL_SPAM\(,\|$\)' "$T/u8" &&
    ok "linking message: the linked domain in the URI list (URIBL_DBL_SPAM)" ||
    fail "linking message: URIBL_DBL_SPAM" "$(cat "$T/a8")"
case " $(logline 8) " in
*" uris=cheap-pills.example "*) ok "linking message: uris= in its log line" ;;
*) fail "linking message: uris= in its log line" "$(logline 8)" ;;
esac
# the clean message 1 has no link: no URI finding, no uris= (in a log
# line that is there)
l1=$(logline 1)
if ! grep -q 'URIBL' "$T/u1" && [ -n "$l1" ] && [ -s "$T/u1" ] &&
    case " $l1 " in *" uris="*) false ;; *) true ;; esac; then
	ok "clean message: no URI finding, no uris="
else
	fail "clean message: no URI finding" "$(cat "$T/a1"; echo "$l1")"
fi
assert_eq "every checked message: every check answered (errors=none)" 7 \
    "$(answered)"
grep -q '^score [0-9.]* required 5\.0 flag yes' "$T/demo.out" &&
    ok "qqtag -c shown for the listed client" ||
    fail "qqtag -c" "$(sed -n '/^qqtag -c/,$p' "$T/demo.out")"

# GeoIP: on exactly when MaxMind's writer can build the sample databases
# (qqtag knows the geoip keyword); then every checked message has its
# X-Qqtag-Geo and country= in X-Qqtag, and the relay client has neither
geo=0
for s in 1 2 3 4 5 6 7 8; do
	added $s | unfold /dev/stdin | grep -q '^X-Qqtag-Geo: ' && geo=$((geo + 1))
done
if perl -MMaxMind::DB::Writer::Tree -e 1 2> /dev/null; then
	grep -q '^  GeoIP     on: ' "$T/demo.out" &&
	    ok "GeoIP: the demo uses the sample databases" ||
	    fail "GeoIP on" "$(sed -n '/GeoIP/,+2p' "$T/demo.out")"
	assert_eq "GeoIP: X-Qqtag-Geo on the seven checked messages" 7 "$geo"
	assert_eq "GeoIP: the forged message's client, weighted" \
	    "X-Qqtag-Geo: CN AS64501|country=CN asn=64501|GEO_CC_CN,GEO_ASN_64501" \
	    "$(unfold "$T/a5" | sed -n 's/^\(X-Qqtag-Geo: CN AS64501\) .*/\1/p')|$(
	    unfold "$T/a5" | sed -n 's/^X-Qqtag: .* \(country=[A-Z]* asn=[0-9]*\)$/\1/p')|$(
	    unfold "$T/a5" | sed -n 's/^X-Spam-Status: Yes, .*tests=.*\(GEO_CC_CN,GEO_ASN_64501\).*/\1/p')"
else
	grep -q '^  GeoIP     off (not built: ' "$T/demo.out" &&
	    ok "GeoIP: no sample databases, the demo says geo is off" ||
	    fail "GeoIP off" "$(sed -n '/GeoIP/,+2p' "$T/demo.out")"
	assert_eq "GeoIP off: no X-Qqtag-Geo" 0 "$geo"
fi

# nothing left behind
pid=$(sed -n 's/^  rbldnsd .*(pid \([0-9]*\)).*/\1/p' "$T/demo.out")
if [ -n "$pid" ] && ! kill -0 "$pid" 2> /dev/null; then
	ok "the demo's rbldnsd (pid $pid) is gone"
else
	fail "the demo's rbldnsd is gone" "pid '$pid'"
fi
assert_eq "no process of the demo left" "" "$(leftovers "$T/tmp")"
assert_eq "no temporary file left" "" "$(ls -A "$T/tmp" 2>&1)"

# ---- what reached the queue -----------------------------------------------------
(cd "$TOP" && TMPDIR=$T/tmp2 DEMO_OUT=$T/out sh demo/run.sh) \
    > "$T/demo2.out" 2>&1
assert_eq "with DEMO_OUT: exit 0" 0 "$?"
# N.in is the sample message as sent: demo/msgs/ with @DATE@ and @RCVD@
# filled in, with now
now=$(date +%s)
n=0
bad=
dates=
for m in "$DEMO"/msgs/*.msg; do
	n=$((n + 1))
	q=$T/out/$n
	d=$(sed -n 's/^Date: //p' "$q.in")
	r=$(sed -n '2s/.*; //p' "$q.in")
	sed -e "s/@DATE@/$d/" -e "s/@RCVD@/$r/" "$m" | cmp -s - "$q.in" ||
	    dates="$dates $n"
	s=$(date -d "$d" +%s 2> /dev/null) || s=0
	[ $((now - s)) -ge 0 ] && [ $((now - s)) -lt 600 ] ||
	    dates="$dates $n:$d"
	"$PYTHON" "$TOP/tests/strip.py" "$q.in" "$T/want.$n"
	if [ ! -f "$q.msg" ] || ! "$PYTHON" - "$q.msg" "$T/want.$n" << 'PY'
import sys
got = open(sys.argv[1], "rb").read()
want = open(sys.argv[2], "rb").read()
# a checked message's block starts with Authentication-Results, an
# unchecked one with its X-Qqtag
first = got.split(b"\n")[0]
sys.exit(0 if got.endswith(want) and (first.startswith(
    b"Authentication-Results: ") or first.startswith(
    b"X-Qqtag: checked=no ")) else 1)
PY
	then
		bad="$bad $n"
	fi
done
assert_eq "8 messages as sent: demo/msgs/ with the dates of now" "8:" \
    "$n:$dates"
assert_eq "8 messages: our block, then the original less forged tags" \
    "8:" "$n:$bad"
# the header sections as queued (up to the first empty line)
for q in "$T"/out/[0-9]*.msg; do
	sed '/^$/q' "$q"
done > "$T/heads"
assert_eq "no forged 'X-Spam-Flag: NO' reaches the queue" "" \
    "$(grep -i '^x-spam-flag: *no' "$T/heads")"
assert_eq "no forged 'X-Spam-Status: No, score=-10' reaches the queue" "" \
    "$(grep -i '^x-spam-status: no, score=-10' "$T/heads")"
assert_eq "forged message: one X-Spam-Flag, YES" "X-Spam-Flag: YES" \
    "$(grep -i '^x-spam-flag' "$T/out/5.msg")"
assert_eq "forged message: one X-Qqtag" 1 "$(grep -ci '^x-qqtag:' "$T/out/5.msg")"
if [ "$geo" -gt 0 ]; then
	assert_eq "forged message: one X-Qqtag-Geo, qqtag's" "CN AS64501" \
	    "$(sed -n 's/^x-qqtag-geo: *\([^ ]* [^ ]*\).*/\1/Ip' "$T/out/5.msg")"
fi
assert_eq "relay message: first line checked=no reason=relayclient" \
    "X-Qqtag: checked=no reason=relayclient" "$(head -n 1 "$T/out/7.msg")"
assert_eq "listed message: X-Spam-Flag: YES" "X-Spam-Flag: YES" \
    "$(grep '^X-Spam-Flag' "$T/out/2.msg")"
printf 'Fwinner@lottery.example\0Tbob@example.com\0\0' > "$T/env2"
assert_file_eq "listed message: envelope byte for byte" "$T/env2" \
    "$T/out/2.env"
assert_eq "every log line says result=queue" 8 \
    "$(cat "$T"/out/*.log | grep -c ' result=queue$')"
assert_eq "DEMO_OUT: no process left" "" "$(leftovers "$T/tmp2")"
assert_eq "DEMO_OUT: no temporary file left" "" "$(ls -A "$T/tmp2" 2>&1)"

# ---- no network but loopback ------------------------------------------------------
# In a network namespace of its own (only lo, brought up) the demo must
# run just the same: it needs nothing beyond 127.0.0.1, and a query that
# tried to leave would show as a DNS error in a log line.
if unshare -n sh -c 'ip link set lo up' > /dev/null 2>&1; then
	mkdir -p "$T/tmp5"
	(cd "$TOP" && TMPDIR=$T/tmp5 unshare -n sh -c \
	    'ip link set lo up && exec sh demo/run.sh') > "$T/demo5.out" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && [ "$(answered "$T/demo5.out")" = 7 ] &&
	    [ "$(tail -n 1 "$T/demo5.out")" = "$(tail -n 1 "$T/demo.out")" ]; then
		ok "only loopback (unshare -n): same run, every check answered"
	else
		fail "only loopback (unshare -n)" "exit $rc
$(grep -E 'errors=|FAIL|demo:' "$T/demo5.out")"
	fi
	assert_eq "only loopback: nothing left" "" "$(ls -A "$T/tmp5" 2>&1)"
else
	skip "only loopback (unshare -n): not permitted here"
fi

# ---- stopped half-way; no qqtag ---------------------------------------------------
: > "$T/demo3.out"
(cd "$TOP" && exec env TMPDIR="$T/tmp3" sh demo/run.sh) > "$T/demo3.out" 2>&1 &
dpid=$!
i=0
while ! grep -q '^  rbldnsd ' "$T/demo3.out" && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -TERM "$dpid"
wait "$dpid"
rc=$?
if [ "$rc" != 0 ]; then
	ok "SIGTERM half-way: the demo stops (exit $rc)"
else
	ok "SIGTERM half-way: the demo had already finished"
fi
sleep 0.2
assert_eq "SIGTERM half-way: no process left" "" "$(leftovers "$T/tmp3")"
assert_eq "SIGTERM half-way: no temporary file left" "" "$(ls -A "$T/tmp3" 2>&1)"

mkdir -p "$T/tmp6"
(cd "$TOP" && TMPDIR=$T/tmp6 sh demo/run.sh 2> /dev/null |
    head -n 3 > "$T/demo6.out")
sleep 0.2
assert_eq "demo | head -n 3 (SIGPIPE): the demo ran, 3 lines read" 3 \
    "$(wc -l < "$T/demo6.out")"
assert_eq "demo | head -n 3 (SIGPIPE): no process left" "" \
    "$(leftovers "$T/tmp6")"
assert_eq "demo | head -n 3 (SIGPIPE): no temporary file left" "" \
    "$(ls -A "$T/tmp6" 2>&1)"

(cd "$TOP" && TMPDIR=$T/tmp3 QQTAG=/nonexistent/qqtag sh demo/run.sh) \
    > "$T/demo4.out" 2>&1
assert_eq "no qqtag: exit 1" 1 "$?"
grep -q 'make demo' "$T/demo4.out" && ok "no qqtag: says to run make demo" ||
    fail "no qqtag message" "$(cat "$T/demo4.out")"
assert_eq "no qqtag: nothing left" "" "$(ls -A "$T/tmp3" 2>&1)"

t_done

#!/bin/sh
# t_report.sh - qqtag-report: the log lines of the real qqtag (every list
# asked in lists=, its verdict marked) read back; a generated log whose
# counts are known (tests/reportgen.py, the field order of qqtag's own
# lines) gives exactly those figures, whatever the stamps (multilog, gzip
# rotated files, syslog, ISO) and through a pipe; windows; --check's exit
# codes and thresholds; a truncated gzip file is reported; a hostile
# line's HTML comes out as text; the HTML page rendered by headless
# Chromium shows its charts (pixels of the chart colours counted).
. "$(dirname "$0")/lib.sh"

REPORT=$TOP/qqtag-report
export TZ=UTC
START=1796256000	# 2026-12-03 00:00:00 UTC

# ---- the real qqtag's lines -------------------------------------------------
mkdir -p "$T/spool" "$T/z"
printf ':127.0.0.4:XBL\n192.0.2.77\n' > "$T/z/zen"
printf ':127.255.255.254:blocked\n192.0.2.0/24\n' > "$T/z/blocked"
port=$(free_port)
start_rbldnsd "$T/z" "$port" zen.test:ip4set:zen \
    blocked.test:ip4set:blocked || fail "rbldnsd starts"
cat > "$T/policy" <<P
spool $T/spool
dns 127.0.0.1:$port
timeout 1
dnsbl ZEN zen.test profile=zen
dnsbl OPEN blocked.test profile=zen
P
mkenv "$T/env" news@shop.example.net bob@example.org
for ip in 192.0.2.77 192.0.2.78 198.51.100.9; do
	printf 'Received: from x (%s)\n  by mx with SMTP; 3 Dec 2026 13:00:00 -0000\nSubject: hi\n\nbody\n' \
	    "$ip" > "$T/m"
	QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q" \
	    TCPREMOTEIP=$ip "$QQTAG" < "$T/m" 1< "$T/env" 2>> "$T/real.log"
done
grep -q ' lists=ZEN+,OPEN! ' "$T/real.log" &&
    grep -q ' lists=ZEN,OPEN! ' "$T/real.log" &&
    grep -q ' lists=ZEN,OPEN ' "$T/real.log" &&
    ok "qqtag logs lists=: listed +, error !, clean bare" ||
    fail "lists= in qqtag's line" "$(cat "$T/real.log")"
grep -v '^dnsbl' "$T/policy" > "$T/policy.nolists"
QQTAG_POLICY="$T/policy.nolists" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q" \
    TCPREMOTEIP=192.0.2.77 "$QQTAG" < "$T/m" 1< "$T/env" 2> "$T/none.log"
grep -q ' lists=none ' "$T/none.log" && ok "  ... lists=none when no list is asked" ||
    fail "  ... lists=none" "$(cat "$T/none.log")"
# the generator writes qqtag's fields in qqtag's order (this policy has
# no GeoIP: no geo=)
order() { sed 's/^.*qqtag: //; s/=[^ ]*//g; s/ geo / /' | head -n 1; }
o_real=$(grep 'SPAMHAUS_XBL' "$T/real.log" | order)
o_gen=$("$PYTHON" "$TOP/tests/reportgen.py" 5 "$START" 60 plain - |
    grep 'flag=yes' | order)
check "reportgen.py: qqtag's line has fields ($o_real)" [ -n "$o_real" ]
check "reportgen.py: a generated flag=yes line has fields" [ -n "$o_gen" ]
assert_eq "reportgen.py: qqtag's field order" "$o_real" "$o_gen"
"$REPORT" "$T/real.log" > "$T/real.out"
assert_eq "real lines: 3 messages" "3" \
    "$(sed -n 's/^  messages  *\([0-9]*\)$/\1/p' "$T/real.out")"
assert_eq "real lines: ZEN asked 3, 1 listed" \
    "  ZEN                                         3  33.3%  66.7%   0.0%" \
    "$(grep '^  ZEN ' "$T/real.out")"
assert_eq "real lines: OPEN answered its error code to 2" \
    "    errors: error code 2; codes 127.255.255.254 2" \
    "$(grep -A1 '^  OPEN ' "$T/real.out" | tail -n 1)"

# ---- a generated log of known counts ----------------------------------------
N=1000
"$PYTHON" "$TOP/tests/reportgen.py" $N $START 60 multilog "$T/all.log" \
    "$T/exp" || fail "reportgen.py"
. "$T/exp"
# the value of report line "  NAME  N ..." (first number after the name)
val() { sed -n "s/^  $1  *\([0-9][0-9]*\).*/\1/p" "$2" | head -n 1; }
# line "  NAME ..." whole, blanks squeezed
row() { grep "^  $1 " "$2" | head -n 1 | tr -s ' '; }

# multilog's directory: a gzip'ed rotated file, then current
mkdir "$T/ml"
head -n 400 "$T/all.log" | gzip > "$T/ml/@400000006b10b10a00000000.s"
tail -n +401 "$T/all.log" > "$T/ml/current"
"$REPORT" "$T/ml" > "$T/r1"
assert_eq "exit 0" 0 "$?"
assert_eq "messages" $N "$(val messages "$T/r1")"
assert_eq "checked" "$checked" "$(val checked "$T/r1")"
assert_eq "flagged" "$flagged" "$(val flagged "$T/r1")"
assert_eq "flagged share of checked" " flagged 200 22.7% of checked" \
    "$(row flagged "$T/r1")"
assert_eq "classes: relayclient" "$relay" "$(val relayclient "$T/r1")"
assert_eq "results: truncated" "$truncated" "$(val truncated "$T/r1")"
assert_eq "results: queue" $((N - truncated)) "$(val queue "$T/r1")"
assert_eq "bytes" "$bytes" "$(val bytes "$T/r1")"
assert_eq "test SPAMHAUS_XBL: hits, share, in flagged" \
    " SPAMHAUS_XBL $t_SPAMHAUS_XBL 22.7% $flagged" \
    "$(row SPAMHAUS_XBL "$T/r1")"
assert_eq "test RDNS_NONE hits" "$t_RDNS_NONE" "$(val RDNS_NONE "$T/r1")"
assert_eq "ZEN: asked, listed, clean, error" \
    " ZEN $checked 15.9% 54.1% 30.0%" "$(row ZEN "$T/r1")"
assert_eq "ZEN's errors: the code, counted" \
    "    errors: error code $zen_err; codes 127.255.255.254 $zen_err" \
    "$(grep -A1 '^  ZEN ' "$T/r1" | tail -n 1)"
assert_eq "SPAMCOP's errors: timeouts" "    errors: timeout $spamcop_err" \
    "$(grep -A1 '^  SPAMCOP ' "$T/r1" | tail -n 1)"
assert_eq "DBL clean" " DBL $checked 0.0% 100.0% 0.0%" "$(row DBL "$T/r1")"
assert_eq "after_eom_ms percentiles" \
    " after the last byte $((N - truncated)) $eom_p50 $eom_p90 $eom_p95 $eom_p99 49" \
    "$(row 'after the last byte' "$T/r1")"
assert_eq "flagged by country: CN" " CN $fl_cn 50.0% 100.0%" \
    "$(row CN "$T/r1")"
assert_eq "flagged by AS: AS64500" " AS64500 $fl_de 50.0% 12.8%" \
    "$(row AS64500 "$T/r1")"
assert_eq "per hour: 03:00" " 03:00-03:59 60 20.0%" \
    "$(row 03:00-03:59 "$T/r1")"
assert_eq "other lines skipped and counted" "$other" \
    "$(val 'other lines (skipped)' "$T/r1")"
assert_eq "qqtag's other lines counted" "$notices" \
    "$(val 'other qqtag lines' "$T/r1")"
since=$(date -u -d "@$((first_blocked + 120))" +%H:%M)
assert_eq "the warning at the top: ZEN's blocked resolver, since when" \
    "CRITICAL: ZEN answered 127.255.255.254 to 100% of queries since $since ($zen_err messages): your resolver is blocked (public or open resolver); see INSTALL section 4 (A local caching resolver)" \
    "$(sed -n 3p "$T/r1")"

# the same log through a pipe, as syslog lines, as ISO lines, gzip'ed
grep -v '^qqtag report' "$T/r1" > "$T/r1.body"
for f in syslog iso; do
	"$PYTHON" "$TOP/tests/reportgen.py" $N $START 60 $f "$T/$f.log"
	"$REPORT" < "$T/$f.log" | grep -v '^qqtag report' > "$T/$f.out"
	assert_file_eq "$f stamps, standard input: the same figures" \
	    "$T/r1.body" "$T/$f.out"
done
gzip -c "$T/all.log" | "$REPORT" | grep -v '^qqtag report' > "$T/gz.out"
assert_file_eq "gzip through a pipe: the same figures" "$T/r1.body" \
    "$T/gz.out"

# a truncated gzip file: reported, the lines before it counted
gzip -c "$T/all.log" > "$T/t.gz"
head -c $(($(wc -c < "$T/t.gz") / 2)) "$T/t.gz" > "$T/half.gz"
"$REPORT" "$T/half.gz" > "$T/half.out" 2> "$T/half.err"
rc=$?
m=$(val messages "$T/half.out")
[ "$rc" = 1 ] && [ "${m:-0}" -gt 100 ] && [ "$m" -lt $N ] &&
    grep -q '^WARNING: .*half.gz: gzip data ends early' "$T/half.out" &&
    grep -q 'half.gz: gzip data ends early' "$T/half.err" &&
    ok "truncated gzip: exit 1, warned, $m messages counted" ||
    fail "truncated gzip" "rc=$rc m=$m $(cat "$T/half.err")"

# ---- time windows -------------------------------------------------------------
"$PYTHON" "$TOP/tests/reportgen.py" 50 $START 60 plain "$T/plain.log"
"$REPORT" --since 2026-12-03T01:00 --until '2026-12-03 02:00' "$T/all.log" \
    "$T/plain.log" > "$T/w1"
assert_eq "--since/--until: one hour (since included, until not)" 60 \
    "$(val messages "$T/w1")"
assert_eq "  ... lines without a stamp are left out by a window" 50 \
    "$(val 'no time stamp, window: left out' "$T/w1")"
assert_eq "  ... the rest is outside" $((N - 60)) \
    "$(val 'outside the time window' "$T/w1")"
"$REPORT" "$T/all.log" "$T/plain.log" > "$T/w0"
assert_eq "no window: lines without a stamp count" $((N + 50)) \
    "$(val messages "$T/w0")"
"$REPORT" --now 2026-12-03T03:00Z --last 90m "$T/all.log" > "$T/w2"
assert_eq "--last 90m (from --now)" $((N - 90)) "$(val messages "$T/w2")"
"$REPORT" --since 2026-12-03T16:00+01:00 "$T/all.log" > "$T/w3"
assert_eq "--since with a zone offset" $((N - 900)) "$(val messages "$T/w3")"
"$REPORT" --since yesterday "$T/all.log" > /dev/null 2>&1
assert_eq "a date that is none: usage, exit 2" 2 "$?"
"$REPORT" --last 5x "$T/all.log" > /dev/null 2>&1
assert_eq "a duration that is none: exit 2" 2 "$?"

# ---- --check ------------------------------------------------------------------
ck() { "$REPORT" --check "$@" > "$T/ck" 2> "$T/ck.err"; echo "$? $(cat "$T/ck")"; }
early="--until 2026-12-03T10:00 $T/all.log"	# before ZEN is blocked
# shellcheck disable=SC2086
r=$(ck $early)
case $r in
"0 QQTAG OK - 600 messages, "*" flagged, after_eom_ms p95 47") ok "--check: ok, exit 0" ;;
*) fail "--check: ok, exit 0" "$r" ;;
esac
# shellcheck disable=SC2086
r=$(ck --warn-list-errors 3 $early)
case $r in
"1 QQTAG WARNING - SPAMCOP failed 4.5% of queries (timeout 4.5%)"*) ok "--check --warn-list-errors 3: exit 1" ;;
*) fail "--check --warn-list-errors 3: exit 1" "$r" ;;
esac
# shellcheck disable=SC2086
r=$(ck --warn-list-errors 3 --crit-list-errors 4 $early)
case $r in 2*"SPAMCOP failed"*) ok "--crit-list-errors 4: exit 2" ;;
*) fail "--crit-list-errors 4: exit 2" "$r" ;; esac
# shellcheck disable=SC2086
r=$(ck --warn-after-eom-p95 40 $early)
case $r in "1 QQTAG WARNING - clients waited 47 ms"*) ok "--warn-after-eom-p95 40: exit 1" ;;
*) fail "--warn-after-eom-p95 40: exit 1" "$r" ;; esac
# shellcheck disable=SC2086
r=$(ck --warn-after-eom-p95 40 --crit-after-eom-p95 45 $early)
case $r in 2*) ok "--crit-after-eom-p95 45: exit 2" ;;
*) fail "--crit-after-eom-p95 45: exit 2" "$r" ;; esac
r=$(ck "$T/all.log")
case $r in "2 QQTAG CRITICAL - ZEN answered 127.255.255.254 to 100% of queries since"*) ok "--check: the blocked list is critical" ;;
*) fail "--check: the blocked list is critical" "$r" ;; esac
r=$(ck "$T/nonexistent")
case $r in "3 QQTAG UNKNOWN"*) ok "--check: nothing readable, exit 3" ;;
*) fail "--check: nothing readable, exit 3" "$r" ;; esac
sed -n '1,30s/ score=.* ms=/ policy=error ms=/p' "$T/all.log" |
    grep 'class=untrusted' > "$T/polerr.log"
{ head -n 200 "$T/all.log"; cat "$T/polerr.log"; } > "$T/pol.log"
n=$(grep -c . "$T/polerr.log")
r=$(ck --warn-unchecked 1 --crit-unchecked 50 "$T/pol.log")
case $r in "1 QQTAG WARNING - $n messages from untrusted clients"*"policy=error"*) ok "--warn-unchecked: $n policy=error messages, exit 1" ;;
*) fail "--warn-unchecked: exit 1" "$r" ;; esac
r=$(ck --warn-unchecked 1 --crit-unchecked 5 "$T/pol.log")
case $r in 2*) ok "--crit-unchecked 5: exit 2" ;;
*) fail "--crit-unchecked 5: exit 2" "$r" ;; esac

# ---- --html ---------------------------------------------------------------------
# a hostile line: markup in the fields (a field has no blank: the part of
# '"><svg onload=' after the blank is a word of its own)
printf '%s\n' \
    'qqtag: pid=1 ip=<b>x</b> class=<script>alert(1)</script> bytes=1 hdrlines=1 stripped=0 rcpts=1 score=9.0 flag=yes tests="><svg/onload=alert(2)>,<img/src=x> errors="><svg:127.255.255.254 geo=<i>/AS<u> lists="><svg! ms=1 after_eom_ms=1 result="><svg onload=alert(3)>' \
    > "$T/evil.log"
cat "$T/all.log" "$T/evil.log" > "$T/page.log"
"$REPORT" --html "$T/page.html" "$T/page.log" > "$T/page.txt"
assert_eq "--html: exit 0" 0 "$?"
h=$T/page.html
[ -s "$h" ] && grep -q '^<!DOCTYPE html>' "$h" && grep -q '</html>' "$h" &&
    ok "--html wrote a page" || fail "--html wrote a page"
assert_eq "  ... three inline SVG charts, no other <svg" 3 \
    "$(grep -o '<svg' "$h" | wc -l | tr -d ' ')"
assert_eq "  ... no <script, <img, <i>, <b>, <u> from the log" 0 \
    "$(grep -ci '<script\|<img\|<i>\|<b>\|<u>' "$h")"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$h" &&
    grep -q '&quot;&gt;&lt;svg/onload=alert(2)&gt;' "$h" &&
    grep -q '&lt;img/src=x&gt;' "$h" && grep -q '&quot;&gt;&lt;svg' "$h" &&
    ok "  ... the hostile fields come out as text" ||
    fail "  ... the hostile fields come out as text"
grep -q '<tr><td>03:00</td><td>60</td><td>20.0%</td></tr>' "$h" &&
    grep -q '<tr><td>ZEN</td><td>880</td><td>15.9%</td><td>54.1%</td><td>30.0%</td>' "$h" &&
    ok "  ... the same figures as the text (lists, per hour)" ||
    fail "  ... the same figures as the text"
grep -q 'name="viewport"' "$h" && ! grep -qi 'https\?:' "$h" &&
    grep -q "default-src 'none'" "$h" &&
    ok "  ... viewport for phones; no URL, nothing loaded from the network" ||
    fail "  ... viewport, no network"
grep -q '^  &quot;\|^  "><svg' "$T/page.txt" &&
    ok "  ... the text summary names it as it is (no HTML there)" ||
    fail "  ... the text summary names it as it is"

# rendered by headless Chromium: the charts' colours are on the screenshot
# (messages blue, flagged red, errors orange, clean green, latency teal)
CHROMIUM=$(command -v chromium || command -v chromium-browser || :)
if [ -z "$CHROMIUM" ]; then
	skip "Chromium renders the page (no chromium: apt-get install chromium)"
else
	for size in 412,2400 1280,2000; do
		png=$T/shot-${size%,*}.png
		timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		    --user-data-dir="$T/chromium" --hide-scrollbars \
		    --screenshot="$png" --window-size=$size "file://$h" \
		    > "$T/chromium.log" 2>&1
		if [ ! -s "$png" ]; then
			fail "Chromium screenshot at $size" \
			    "$(tail -n 5 "$T/chromium.log")"
			continue
		fi
		"$PYTHON" "$TOP/tests/pngcount.py" "$png" 4e79a7 e15759 \
		    f28e2b 59a14f 76b7b2 > "$T/px"
		few=$(awk '$2 < 500 { print }' "$T/px")
		[ "$(grep -c . "$T/px")" = 5 ] && [ -z "$few" ] &&
		    ok "Chromium at $size: every chart colour drawn ($(tr '\n' ' ' < "$T/px"))" ||
		    fail "Chromium at $size: chart colours" "$(cat "$T/px")"
	done
	# the same page without its charts shows none of those colours
	sed '/<svg/,/<\/svg>/d; /class="key"/d' "$h" > "$T/nochart.html"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --user-data-dir="$T/chromium" --screenshot="$T/nochart.png" \
	    --window-size=412,2400 "file://$T/nochart.html" > /dev/null 2>&1
	"$PYTHON" "$TOP/tests/pngcount.py" "$T/nochart.png" 4e79a7 e15759 \
	    f28e2b 59a14f 76b7b2 > "$T/px0" 2>&1
	assert_eq "  ... the pixels come from the charts (none without them)" \
	    "0 0 0 0 0" "$(awk '{ print $2 }' "$T/px0" | tr '\n' ' ' | sed 's/ $//')"
fi

# ---- the progress line: on a terminal only -----------------------------------
"$PYTHON" "$TOP/tests/reportgen.py" 70000 $START 1 multilog "$T/70k.log"
"$PYTHON" - "$REPORT" "$T/70k.log" > "$T/pty.out" 2>&1 <<'PY'
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
out = b""
while True:
    try:
        b = os.read(m, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
p.wait()
sys.stdout.write(repr(out))
PY
grep -q 'qqtag-report: 65536 lines, ' "$T/pty.out" &&
    ok "a progress line on stderr when it is a terminal" ||
    fail "progress line on a terminal" "$(head -c 300 "$T/pty.out")"
"$REPORT" "$T/70k.log" > /dev/null 2> "$T/nopty.err"
rc=$?
assert_eq "  ... qqtag-report on the 70k log exits 0" 0 "$rc"
[ -s "$T/70k.log" ] && [ ! -s "$T/nopty.err" ] &&
    ok "  ... and none when stderr is a file" ||
    fail "  ... none when stderr is a file" "$(head -c 300 "$T/nopty.err")"

# ---- the man page --------------------------------------------------------------
w=$(MANWIDTH=80 man --warnings -l "$TOP/qqtag-report.1" 2>&1 > "$T/man.out")
[ -s "$T/man.out" ] || w="$w (nothing rendered)"
assert_eq "qqtag-report.1 renders without warnings" "" "$w"
for o in --since --until --last --now --html --check --warn-list-errors \
    --crit-list-errors --warn-unchecked --crit-unchecked \
    --warn-after-eom-p95 --crit-after-eom-p95 --min-messages; do
	grep -q -- "$o" "$TOP/qqtag-report.c" && MANWIDTH=200 man -l \
	    "$TOP/qqtag-report.1" 2> /dev/null | col -b | grep -q -- "$o" &&
	    ok "qqtag-report(1) documents $o" || fail "qqtag-report(1): $o"
done
t_done

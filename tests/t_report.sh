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
    grep -q ' lists=ZEN ' "$T/real.log" &&
    ok "qqtag logs lists=: listed +, error !, clean bare" ||
    fail "lists= in qqtag's line" "$(cat "$T/real.log")"
# the generator writes qqtag's fields in qqtag's order
order() { sed 's/^.*qqtag: //; s/=[^ ]*//g' | head -n 1; }
assert_eq "reportgen.py: qqtag's field order" \
    "$(grep 'SPAMHAUS_XBL' "$T/real.log" | order | sed 's/ uris//')" \
    "$("$PYTHON" "$TOP/tests/reportgen.py" 5 "$START" 60 plain - |
    grep 'flag=yes' | order)"
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

#!/bin/sh
# uri.sh - issue 13's benchmark: the URI lists, on the body stream, while
# the client uploads; their CPU and memory.
#
#   sh bench/uri.sh [N]         (N runs per case, default 9, at least 7)
#
# Real rbldnsd on 127.0.0.1 serves a DBL-shaped list (dnset, profile dbl)
# behind bench/dns-delay.py, which answers every query $RTT ms (default
# 50) after it came in.  The message: 100 KB of HTML with 50 links to 50
# domains (two of them listed; the first 20 distinct hosts are checked).  qqtag runs as qmail-smtpd runs it
# (bench/dns-drive.py; the envelope after the message; the stand-in
# queue), client 192.0.2.50; SPF, DKIM and DMARC off in both policies, so
# that only the URI check differs.  Cases, N runs each, interleaved:
#   slow       the upload pauses 200 ms (4 round trips) after its first
#              half and 200 ms more before its end: time after the last
#              byte.  Goal: <= 0.3 RTT (links in the last part are asked
#              when they arrive, the others long before).
#   cpu-uri / cpu-none   the message at once, with / without the urilist
#              line: CPU (user + system of qqtag and the stand-in).
#              Goal: <= +1 ms.
# Memory (BIG=1, default): a 100 MiB message of HTML links through
# bench/drive.c into /bin/true, with and without the urilist line: peak
# RSS.  Goal: within today's figure (issue 2: <= 8192 KiB).
# Prints markdown for BENCHMARKS.md; exit 1 if a goal is missed, 2 if the
# benchmark itself failed.  Environment: QQTAG, STANDIN, RTT, BIG, KEEP=1.
set -u
export LC_ALL=C
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/bench-lib.sh"
bench_init uri.sh "${1-}"
BIG=${BIG:-1}
. "$TOP/tests/lib.sh"
command -v rbldnsd > /dev/null || die "rbldnsd missing (sh tests/deps.sh test)"
DRIVE="$PYTHON $TOP/bench/dns-drive.py"
REV=$(git -C "$TOP" rev-parse --short HEAD 2> /dev/null || echo "?")
cp "$QQTAG" "$T/qqtag" && cp "$STANDIN" "$T/qq-standin" || die "copy"

# ---- the list, the messages ------------------------------------------------
mkdir -p "$T/z" "$T/spool"
printf ':127.0.1.2:listed $\nlisted7.example\nlisted13.example\n' > "$T/z/dbl"
RBL=$(free_port)
start_rbldnsd "$T/z" "$RBL" dbl.bench.test:dnset:dbl ||
	die "rbldnsd does not start"
RELAY=$(free_port)
"$PYTHON" "$TOP/bench/dns-delay.py" -p "$RELAY" -d "$RTT" -u ".=$RBL" \
    2> "$T/relay.log" &
_t_pids="$_t_pids $!"
# (dnsq prints TIMEOUT when nothing answers: wait for a real answer, as
# lib.sh's _t_wait_dns does)
i=0
while :; do
	case $(DNSQ_TIMEOUT=1 dnsq "$RELAY" 2.0.0.127.dbl.bench.test A \
	    2> /dev/null | head -n 1) in
	NOERROR | NXDOMAIN) break ;;
	esac
	i=$((i + 1))
	[ $i -lt 30 ] || die "the relay does not answer"
	sleep 0.1
done
"$PYTHON" - "$T" "$BIG" << 'EOF'
import sys
t, big = sys.argv[1], sys.argv[2] == "1"
head = ("Received: from mail.shop.example (HELO mail.shop.example) "
        "(192.0.2.50)\n  by mx.example.org with SMTP; "
        "3 Dec 2026 10:00:00 -0000\nFrom: news@shop.example\n"
        "To: bob@example.org\nSubject: offers\nMessage-ID: <1@shop.example>\n"
        "Date: Thu, 03 Dec 2026 10:00:00 +0000\nMIME-Version: 1.0\n"
        "Content-Type: text/html; charset=us-ascii\n\n<html><body>\n")
para = "<p>" + "lorem ipsum dolor sit amet " * 60 + "</p>\n"
links = "".join('<p><a href="https://www.%s%d.example/offer?id=%d">offer '
                '%d</a></p>\n' % ("listed" if i in (7, 13) else "shop", i,
                                  i, i) for i in range(50))
body = (para * 60)[:100 * 1024 - len(links)] + links + "</body></html>\n"
open(t + "/msg", "w").write(head + body)
if big:
    with open(t + "/big", "w") as f:
        f.write(head)
        chunk = para * 100 + links
        n = 0
        while n < 100 * 1024 * 1024:
            f.write(chunk)
            n += len(chunk)
EOF
BASE="dns 127.0.0.1:$RELAY
spool $T/spool
timeout 2
spf off
dkim off
dmarc off"
printf '%s\n' "$BASE" > "$T/policy-none"
printf '%s\nurilist DBL dbl.bench.test profile=dbl\n' "$BASE" > "$T/policy-uri"
printf 'Fnews@shop.example\0Tbob@example.org\0\0' > "$T/env"
HALF=$(($(wc -c < "$T/msg") / 2))
LATE=$(($(wc -c < "$T/msg") - 600))
unset QQ_OUT QQ_EXIT RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED QQTAG_LOOP \
    QMAILQUEUE TCP6REMOTEIP TCPREMOTEHOST QQTAG_DNS QQTAG_THRESHOLD \
    2> /dev/null || :
export TCPREMOTEIP=192.0.2.50 QQTAG_QUEUE="$T/qq-standin"

# correctness first: both listed domains found, nothing else listed
QQ_OUT=$T/chk QQTAG_POLICY=$T/policy-uri "$T/qqtag" < "$T/msg" \
    1< "$T/env" 2> "$T/chk.log" || die "qqtag: $(cat "$T/chk.log")"
# (a test scores once a message: the second listed domain is in the log's
# uris=, not in a second warning; the relay serves only the list, so the
# rDNS and sender-domain checks are errors, the list never)
grep -q "^X-Spam-Warning: .*listed7.example" "$T/chk.msg" ||
	die "listed7.example not warned: $(head -n 20 "$T/chk.msg")"
for d in listed7.example listed13.example; do
	grep -q " uris=[^ ]*$d" "$T/chk.log" ||
		die "$d not in uris=: $(cat "$T/chk.log")"
done
! grep -q 'errors=[^ ]*DBL' "$T/chk.log" || die "DBL errors: $(cat "$T/chk.log")"

qq() {
	_c=$1 _p=$2
	shift 2
	: > "$T/qq.log"
	_r=$(QQTAG_POLICY=$_p $DRIVE qq "$T/qqtag" "$T/msg" "$T/env" \
	    "$T/qq.log" "$@") || die "drive failed: $_c"
	case $_r in
	*" rc=0") ;;
	*) die "$_c: $_r $(cat "$T/qq.log")" ;;
	esac
	_l=$(grep '^qqtag: pid=' "$T/qq.log")
	_a=${_l#*after_eom_ms=}
	set -- $(echo "$_r" | tr ' ' '\n' | sed 's/^[a-z_]*=//')
	echo "$_c $1 $2 ${_a%% *} $3 $4" >> "$T/runs"
}
big() {
	_r=$(QQTAG_POLICY=$2 QQTAG_QUEUE=/bin/true "$T/drive" pipe "$T/big" \
	    "$T/env" "$T/big.log" "$T/qqtag") || die "drive failed: $1"
	case $_r in
	*" status=0") ;;
	*) die "$1: $_r $(cat "$T/big.log")" ;;
	esac
	_m=${_r#*maxrss_kb=}
	echo "$1 - - - - ${_m%% *}" >> "$T/runs"
}
one_round() {
	qq slow "$T/policy-uri" "$HALF:200" "$LATE:200"
	qq cpu-uri "$T/policy-uri"
	qq cpu-none "$T/policy-none"
}
one_round
: > "$T/runs"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
i=0
while [ $i -lt "$N" ]; do
	one_round
	i=$((i + 1))
done
if [ "$BIG" = 1 ]; then
	${CC:-cc} -O2 -static -o "$T/drive" "$TOP/bench/drive.c" ||
		die "cc drive.c"
	for k in 1 2 3; do
		big big-uri "$T/policy-uri"
		big big-none "$T/policy-none"
	done
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

. "$TOP/bench/table-lib.sh"
G03=$(awk -v r="$RTT" 'BEGIN { printf "%.1f", 0.3 * r }')
MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "### Run of $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
echo
echo "- machine: $(nproc) CPUs, $MODEL, Linux $(uname -r)"
echo "- command: \`sh bench/uri.sh $N\` (RTT=$RTT), qqtag $REV"
echo "- load average before/after: $LOAD0 / $LOAD1"
echo
echo "| case | measure | median | min | max | goal | result |"
echo "|---|---|---:|---:|---:|---|---|"
row slow 3 "50 links, 2 pauses of 200 ms: last byte -> exit" "$G03"
row slow 4 "same: after_eom_ms (log)"
row cpu-uri 5 "100 KB HTML, 50 links, urilist: CPU"
row cpu-none 5 "the same, no urilist: CPU"
echo
diff_head
diff_row cpu-uri cpu-none 5 "CPU ms, the urilist line" 1
if [ "$BIG" = 1 ]; then
	_n=$(med big-uri 6 | cut -d' ' -f1)
	_o=$(med big-none 6 | cut -d' ' -f1)
	verdict "$_n" 8192
	echo
	echo "| 100 MiB of HTML links | peak RSS KiB (median of 3) | goal | result |"
	echo "|---|---:|---|---|"
	echo "| no urilist | $_o | | |"
	echo "| urilist | $_n | <= 8192 | $V |"
fi
echo
[ "$FAILED" = 0 ] && echo "Goals: all PASS." ||
	echo "Goals: at least one FAIL (see the table)."
exit "$FAILED"

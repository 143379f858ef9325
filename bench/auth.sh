#!/bin/sh
# auth.sh - issue 12's benchmark: SPF, DKIM and DMARC inside the one DNS
# deadline, their CPU and their memory.
#
#   sh bench/auth.sh [N]        (N runs per case, default 9, at least 7)
#
# Real nsd on 127.0.0.1 behind bench/dns-delay.py, which answers every
# query $RTT ms (default 50: one round trip) after it came in.
# bench/auth-gen.py makes the zones (shop.example: SPF in a chain of 3 TXT
# lookups, DMARC p=reject, an RSA-2048 key; other.example: SPF in a chain
# of 2) and a 100 KB message From: news@shop.example signed by dkimpy.
# qqtag runs as qmail-smtpd runs it (bench/dns-drive.py: fd 0 a pipe, the
# envelope on fd 1 read after the message, tests/qq-standin as the queue),
# client 192.0.2.50.  Cases, N runs each, interleaved:
#   same     the upload pauses 200 ms (4 round trips) after its first
#            half; envelope sender news@shop.example, the From: domain:
#            SPF, the DKIM key and DMARC were all asked at the end of the
#            header section.  Goal: after the last byte <= 0.3 RTT.
#   other    the same upload, envelope sender bounce@other.example: its
#            SPF is asked once the envelope is read (2 round trips, one
#            after the other).  Goal: <= 2 RTT (+ the same 0.3 RTT).
#   cpu-auth / cpu-off   the signed message at once, the checks on /
#            "spf off", "dkim off", "dmarc off": CPU (user + system of
#            qqtag and the stand-in it execs).  Goal: <= +1 ms.
#   plain-new / plain-old   the message without a signature, this qqtag
#            (checks on) / QQTAG_OLD, the binary before issue 12 (same
#            policy): CPU, library loading included.  Goal: <= +0.5 ms.
# Memory (BIG=1, default): a 100 MiB signed message, 3 times each, new
# and old, through bench/drive.c into the queue /bin/true: qqtag's peak
# RSS.  Goal: issue 2's figure,
# <= 8192 KiB.
# Prints markdown for BENCHMARKS.md; exit 1 if a goal is missed, 2 if the
# benchmark itself failed.  Environment: QQTAG, QQTAG_OLD, STANDIN, RTT,
# BIG, KEEP=1.
set -u
export LC_ALL=C
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/bench-lib.sh"
bench_init auth.sh "${1-}"
BIG=${BIG:-1}
. "$TOP/tests/lib.sh"
[ -n "${QQTAG_OLD:-}" ] || die "QQTAG_OLD: the qqtag binary before issue 12"
command -v nsd > /dev/null || die "nsd missing (sh tests/deps.sh test)"
DRIVE="$PYTHON $TOP/bench/dns-drive.py"
REV=$(git -C "$TOP" rev-parse --short HEAD 2> /dev/null || echo "?")
git -C "$TOP" diff --quiet HEAD -- '*.c' '*.h' 2> /dev/null ||
	REV="$REV + uncommitted changes"
cp "$QQTAG" "$T/qqtag" && cp "$STANDIN" "$T/qq-standin" &&
    cp "$QQTAG_OLD" "$T/qqtag-old" || die "copy"

# ---- zones, messages, servers ---------------------------------------------
BIG=$BIG "$PYTHON" "$TOP/bench/auth-gen.py" "$T/g" || die "auth-gen.py"
NSDP=$(free_port)
start_nsd "$T/g/zones" "$NSDP" || die "nsd does not start"
RELAY=$(free_port)
"$PYTHON" "$TOP/bench/dns-delay.py" -p "$RELAY" -d "$RTT" -u ".=$NSDP" \
    2> "$T/relay.log" &
_t_pids="$_t_pids $!"
i=0
until [ "$(DNSQ_TIMEOUT=1 dnsq "$RELAY" shop.example SOA 2> /dev/null |
    head -n 1)" = NOERROR ]; do
	i=$((i + 1))
	[ $i -lt 30 ] || die "the relay does not answer"
	sleep 0.1
done
mkdir -p "$T/spool"
printf 'dns 127.0.0.1:%s\nspool %s\ntimeout 2\n' "$RELAY" "$T/spool" \
    > "$T/policy"
{ cat "$T/policy"; printf 'spf off\ndkim off\ndmarc off\n'; } > "$T/policy-off"
printf 'Fnews@shop.example\0Tbob@example.org\0\0' > "$T/env.same"
printf 'Fbounce@other.example\0Tbob@example.org\0\0' > "$T/env.other"
HALF=$(($(wc -c < "$T/g/signed") / 2))
unset QQ_OUT QQ_EXIT RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED QQTAG_LOOP \
    QMAILQUEUE TCP6REMOTEIP TCPREMOTEHOST QQTAG_DNS QQTAG_THRESHOLD \
    2> /dev/null || :
export TCPREMOTEIP=192.0.2.50 QQTAG_QUEUE="$T/qq-standin"

# correctness first: all three pass, in one Authentication-Results
QQ_OUT=$T/chk QQTAG_POLICY=$T/policy "$T/qqtag" < "$T/g/signed" \
    1< "$T/env.same" 2> "$T/chk.log" || die "qqtag: $(cat "$T/chk.log")"
unfold "$T/chk.msg" | head -n 1 > "$T/ar"
for w in spf=pass dkim=pass dmarc=pass; do
	grep -q " $w " "$T/ar" || die "no $w: $(cat "$T/ar")"
done
tail -c "$(wc -c < "$T/g/signed")" "$T/chk.msg" | cmp -s - "$T/g/signed" ||
	die "the message was not handed on intact"

# qq CASE BIN MSG POLICY ENV [OFFSET:MS]: one timed run; appends
# "CASE wall tail after_eom_ms cpu maxrss" to $T/runs.
qq() {
	_c=$1 _b=$2 _m=$3 _p=$4 _e=$5
	shift 5
	: > "$T/qq.log"
	_r=$(QQTAG_POLICY=$_p QQTAG_QUEUE=${QUEUE:-$T/qq-standin} \
	    $DRIVE qq "$_b" "$_m" "$_e" "$T/qq.log" "$@") ||
		die "drive failed: $_c"
	case $_r in
	*" rc=0") ;;
	*) die "$_c: $_r $(cat "$T/qq.log")" ;;
	esac
	_l=$(grep '^qqtag: pid=' "$T/qq.log")
	_a=${_l#*after_eom_ms=}
	set -- $(echo "$_r" | tr ' ' '\n' | sed 's/^[a-z_]*=//')
	echo "$_c $1 $2 ${_a%% *} $3 $4" >> "$T/runs"
}
one_round() {
	qq same "$T/qqtag" "$T/g/signed" "$T/policy" "$T/env.same" "$HALF:200"
	qq other "$T/qqtag" "$T/g/signed" "$T/policy" "$T/env.other" \
	    "$HALF:200"
	qq cpu-auth "$T/qqtag" "$T/g/signed" "$T/policy" "$T/env.same"
	qq cpu-off "$T/qqtag" "$T/g/signed" "$T/policy-off" "$T/env.same"
	qq plain-new "$T/qqtag" "$T/g/plain" "$T/policy" "$T/env.same"
	qq plain-old "$T/qqtag-old" "$T/g/plain" "$T/policy" "$T/env.same"
}
one_round	# warm-up, not counted
: > "$T/runs"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
i=0
while [ $i -lt "$N" ]; do
	one_round
	i=$((i + 1))
done
# big CASE BIN: the 100 MiB signed message through bench/drive.c (a small
# static driver: the python driver's forked copy would hold the message
# it read, and ru_maxrss counts it), the queue /bin/true (the stand-in
# would hold it too): qqtag's own peak RSS; "CASE - tail - - maxrss"
big() {
	: > "$T/big.log"
	_r=$(QQTAG_POLICY=$T/policy QQTAG_QUEUE=/bin/true "$T/drive" pipe \
	    "$T/g/big.signed" "$T/env.same" "$T/big.log" "$2") ||
		die "drive failed: $1"
	case $_r in
	*" status=0") ;;
	*) die "$1: $_r $(cat "$T/big.log")" ;;
	esac
	grep -q 'tests=.*DKIM_VALID' "$T/big.log" || [ "$1" = big-old ] ||
		die "$1: the signature did not verify: $(cat "$T/big.log")"
	_t=${_r#*tail_us=}
	_m=${_r#*maxrss_kb=}
	echo "$1 - $(awk -v t="${_t%% *}" 'BEGIN { printf "%.1f", t / 1000 }') - - ${_m%% *}" >> "$T/runs"
}
if [ "$BIG" = 1 ]; then
	${CC:-cc} -O2 -static -o "$T/drive" "$TOP/bench/drive.c" ||
		die "cc drive.c"
	for k in 1 2 3; do
		big big-new "$T/qqtag"
		big big-old "$T/qqtag-old"
	done
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ---------------------------------------------------------------
. "$TOP/bench/table-lib.sh"
G03=$(awk -v r="$RTT" 'BEGIN { printf "%.1f", 0.3 * r }')
G23=$(awk -v r="$RTT" 'BEGIN { printf "%.1f", 2.3 * r }')
MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "### Run of $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
echo
echo "- machine: $(nproc) CPUs, $MODEL, Linux $(uname -r)"
echo "- command: \`QQTAG_OLD=... sh bench/auth.sh $N\` (RTT=$RTT), qqtag $REV;"
echo "  old: $QQTAG_OLD"
echo "- load average before/after: $LOAD0 / $LOAD1"
echo "- one round trip = $RTT ms; $N runs per case, interleaved, after one"
echo "  warm-up round; times in ms, CPU = user + system of qqtag and the"
echo "  stand-in queue it execs"
echo
echo "| case | measure | median | min | max | goal | result |"
echo "|---|---|---:|---:|---:|---|---|"
row same 3 "sender = From: domain, 200 ms pause: last byte -> exit" "$G03"
row same 4 "same: after_eom_ms (log)"
row other 3 "sender other.example (SPF chain of 2): last byte -> exit" "$G23"
row other 4 "same: after_eom_ms (log)"
row cpu-auth 5 "signed 100 KB, checks on: CPU"
row cpu-off 5 "signed 100 KB, spf/dkim/dmarc off: CPU"
row plain-new 5 "unsigned 100 KB, this qqtag: CPU"
row plain-old 5 "unsigned 100 KB, before issue 12: CPU"
echo
diff_head
diff_row cpu-auth cpu-off 5 "CPU ms, one RSA-2048 signature" 1
diff_row plain-new plain-old 5 "CPU ms, no signature, new binary" 0.5
if [ "$BIG" = 1 ]; then
	echo
	echo "| 100 MiB signed message | peak RSS KiB (median of 3) | goal | result |"
	echo "|---|---:|---|---|"
	_n=$(med big-new 6 | cut -d' ' -f1)
	_o=$(med big-old 6 | cut -d' ' -f1)
	echo "| before issue 12 (no DKIM) | $_o | | |"
	verdict "$_n" 8192
	echo "| this qqtag (DKIM verified) | $_n | <= 8192 | $V |"
	row big-new 3 "100 MiB signed: last byte -> exit (DKIM hashing)"
fi
echo
[ "$FAILED" = 0 ] && echo "Goals: all PASS." ||
	echo "Goals: at least one FAIL (see the tables)."
exit "$FAILED"

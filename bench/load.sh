#!/bin/sh
# load.sh - issue 6's load benchmark at full size (tests/t_load.sh runs
# a reduced one in make test):
#
#   sh bench/load.sh [N [C]]          (default 5000 messages, 32 sessions)
#
# N messages (70% 2 KB, 25% 50 KB, 5% 1 MB) at concurrency C through real
# tcpserver + tcprules, tests/smtpfront.py (qmail-smtpd's stand-in), qqtag
# and the strict stand-in queue (bench/load-lib.sh has the chain, the
# three client rules and the DNS set-up), in three phases, each on a
# fresh tcpserver:
#   base        the front end runs the queue itself: no qqtag (the floor)
#   qqtag-live  qqtag, rbldnsd answering every query
#   qqtag-dead  qqtag through tests/dnsrelay.py, one list never answering
#               (every checked message waits for the 1 s deadline)
# Each phase checks that every message arrived exactly once, byte for
# byte, with its envelope; that tcpserver is left with no child, zombie or
# extra descriptor; that no process of a session survives; and that the
# spool is empty.  Reported: messages/s (client wall time), CPU per
# message of the whole chain (tcpserver's reaped children: front end,
# qqtag, queue), CPU of qqtag's process before its exec (bench/load-
# queue.c; less the base phase's, that is qqtag's own), the time from
# the client's final dot to the reply, qqtag's after_eom_ms.
#
# Environment: QQTAG, STANDIN (as tests/lib.sh), LOAD_LIMIT (seconds per
# phase, default 1800), REV (what to call the qqtag measured), KEEP=1.
# Prints markdown for BENCHMARKS.md (progress on stderr); the last line
# is "N passed, N failed" of the checks; exit 1 if one failed.
export LC_ALL=C
. "$(dirname "$0")/../tests/lib.sh"
N=${1:-5000}
C=${2:-32}
MIX=70,25,5
LOAD_LIMIT=${LOAD_LIMIT:-1800}
cp "$QQTAG" "$T/qqtag" && cp "$STANDIN" "$T/qq-standin" ||
	{ fail "copy the binaries"; t_done; }
QQTAG=$T/qqtag
STANDIN=$T/qq-standin
. "$TOP/bench/load-lib.sh"

load0=$(cut -d' ' -f1-3 /proc/loadavg)
date0=$(date -u)
load_setup 1 >&2 || t_done
for ph in base:base:live qqtag-live:qqtag:live qqtag-dead:qqtag:dead; do
	name=${ph%%:*}
	pol=${ph##*:}
	mode=${ph#*:}
	mode=${mode%:*}
	echo "== $name: $N messages at concurrency $C" >&2
	load_phase "$name" "$mode" "$T/pol.$pol" "$N" "$C" "$MIX" >&2
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

g() {
	load_get "$@"
}
base_q=$(g base queue_cpu_us_mean)
echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' \
    /proc/cpuinfo | head -n 1), Linux $(uname -r)"
echo "- Date: $date0; qqtag ${REV:-$(git -C "$TOP" describe --always \
    --dirty 2> /dev/null)}"
echo "- Load average (1, 5, 15 min) at start: $load0; at end: $load1"
echo "- $N messages (mix $MIX % of 2 KB / 50 KB / 1 MB), concurrency $C," \
    "sessions of 1-3 messages"
echo
echo "| phase | msgs/s | CPU ms/msg, whole chain | CPU ms/msg, qqtag's process (less base) | reply after the final dot, ms: p50 / p95 / max | qqtag after_eom_ms: p50 / p95 / max | checked / listed / relay client | queued exactly once, byte for byte |"
echo "|---|---|---|---|---|---|---|---|"
for name in base qqtag-live qqtag-dead; do
	q=$(g $name queue_cpu_us_mean)
	if [ $name = base ]; then
		qd=$(awk -v q="$q" 'BEGIN { printf "%.2f (floor)", q / 1000 }')
		ae=-
	else
		qd=$(awk -v q="$q" -v b="$base_q" \
		    'BEGIN { printf "%.2f (%.2f)", q / 1000, (q - b) / 1000 }')
		ae="$(g $name after_eom_ms_p50) / $(g $name after_eom_ms_p95) / $(g $name after_eom_ms_max)"
	fi
	ex=yes
	[ "$(g $name bad)" = 0 ] && [ "$(g $name replies250)" = "$N" ] &&
	    [ "$(g $name unique)" = "$N" ] && [ "$(g $name queued)" = "$N" ] ||
	    ex=NO
	echo "| $name | $(g $name msgs_per_s) | $(g $name chain_cpu_ms) | $qd | $(g $name eom_ms_p50) / $(g $name eom_ms_p95) / $(g $name eom_ms_max) | $ae | $(g $name checked) / $(g $name listed) / $(g $name relayclient) | $ex: $(g $name queued) of $N |"
done
t_done

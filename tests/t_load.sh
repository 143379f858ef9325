#!/bin/sh
# t_load.sh - the load test of issue 6 in a reduced size (bench/load.sh
# runs the full one: 5,000 messages at concurrency 32): 300 messages of
# 2 KB, 50 KB and 1 MB at concurrency 8 through real tcpserver and
# tcprules, tests/smtpfront.py, qqtag and the strict stand-in, with
# rbldnsd answering the lists and one list (DEAD) never answering.
# Every message must arrive exactly once, byte for byte, with its
# envelope; no process, descriptor or spool file may be left over.  The
# machinery is bench/load-lib.sh; LOAD_N and LOAD_C change the size.
# Ends with "N passed, N failed".
. "$(dirname "$0")/lib.sh"

for p in tcpserver tcprules rbldnsd; do
	command -v $p > /dev/null 2>&1 || {
		fail "$p is installed (sh tests/deps.sh test)"
		t_done
	}
done
# private copies: a rebuild in the work tree during the run changes nothing
cp "$QQTAG" "$T/qqtag" && cp "$STANDIN" "$T/qq-standin" ||
	{ fail "copy the binaries"; t_done; }
QQTAG=$T/qqtag
STANDIN=$T/qq-standin

. "$TOP/bench/load-lib.sh"
N=${LOAD_N:-300}
LOAD_LIMIT=120
TIMEOUT=0.5
load_setup $TIMEOUT || t_done
load_phase load qqtag "$T/pol.dead" "$N" "${LOAD_C:-8}" 80,18,2

# what the checks made of the three kinds of client
checked=$(load_get load checked)
relay=$(load_get load relayclient)
listed=$(load_get load listed)
dead=$(load_get load deadtimeouts)
[ "$relay" -gt 0 ] && [ "$checked" -gt 0 ] &&
    [ $((relay + checked)) = "$N" ] &&
    ok "every message checked ($checked) or a relay client's ($relay)" ||
    fail "checked + relay clients = $N" "$(cat "$T/load.result")"
[ "$listed" -gt 0 ] && [ "$listed" -lt "$checked" ] &&
    ok "rbldnsd answered under load: $listed of $checked listed" ||
    fail "some checked messages listed, not all" "$(cat "$T/load.result")"
assert_eq "the dead list is a timeout in every checked message" \
    "$checked" "$dead"
max=$(load_get load after_eom_ms_max)
[ -n "$max" ] && [ "$max" -le 1500 ] &&
    ok "after the last byte: at most $max ms (timeout $TIMEOUT s, + 1 s under load)" ||
    fail "after_eom_ms at most timeout + 1 s" "$(cat "$T/load.result")"
t_done

#!/bin/sh
# t_qqtag_lists.sh - local lists and list health through the real qqtag:
# iplist/ipwl/domainlist files (plain and gzip) tag the message; qqtag -T
# probes rbldnsd zones, writes the state file, names broken lists on
# stderr (silent when all are healthy; -v lists them all), and queue mode
# skips the lists it marked broken until a healthy probe clears them.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/spool" "$T/z" "$T/l"
# local lists
printf ':127.0.0.2:Local block: $\n192.0.2.0/24\n!192.0.2.200\n' > "$T/l/bad"
gzip -c "$T/l/bad" > "$T/l/bad.gz"
printf '198.51.100.7 :127.0.0.2:partner\n' > "$T/l/partners"
printf ':127.0.0.2:bad domain $\n.spam.example\n' > "$T/l/domains"
# DNS zones: one healthy, one answering "blocked" for everything
printf '127.0.0.2\n192.0.2.50\n' > "$T/z/good"
printf '0/1 :127.255.255.254:blocked\n128/1 :127.255.255.254:blocked\n' \
    > "$T/z/blocked"
port=$(free_port)
start_rbldnsd "$T/z" "$port" good.test:ip4set:good \
    blocked.test:ip4set:blocked || fail "rbldnsd starts"
cat > "$T/policy" <<P
spool $T/spool
dns 127.0.0.1:$port
timeout 1
dnsbl GOOD good.test
dnsbl BLOCKED blocked.test
iplist LOCAL $T/l/bad.gz 127.0.0.2=3
ipwl PARTNERS $T/l/partners
domainlist BADDOM $T/l/domains 127.0.0.2=2
state $T/health 1h
P
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q"
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED 2> /dev/null || :
export TCPREMOTEHOST=mx.example.org
d=$(date -R)
printf 'Received: from mx.example.org (HELO mx.example.org) (192.0.2.9)\n  by mail.example.net with SMTP; %s\nFrom: a@ok.example\nTo: b@example.net\nDate: %s\nMessage-ID: <1@ok.example>\nSubject: x\n\nbody\n' "$d" "$d" > "$T/m"
mkenv "$T/env" a@mail.spam.example b@example.net

run() {
	rm -f "$T/q.msg"
	TCPREMOTEIP=$1 "$QQTAG" < "$T/m" 1< "$T/env" 2> "$T/log"
	RC=$?
}

check "qqtag -n accepts the list lines" "$QQTAG" -n -u "$(id -un)" "$T/policy"
run 192.0.2.9
assert_eq "listed client: exit 0" 0 "$RC"
unfold "$T/q.msg" > "$T/h"
grep -q '^X-Qqtag: .*tests=LOCAL,BADDOM' "$T/h" &&
    ok "iplist (gzip) and domainlist (sender) score" || fail "lists scored" "$(cat "$T/h")"
grep -q 'lists=LOCAL,BADDOM' "$T/h" && ok "lists= names the local lists" ||
    fail "lists=" "$(cat "$T/h")"
grep -q '^X-Spam-Warning: 192.0.2.9 is listed in LOCAL (127.0.0.2): Local block: 192.0.2.9$' "$T/h" &&
    ok "local list TXT with \$ substituted" || fail "local TXT" "$(cat "$T/h")"
grep -q '^X-Spam-Warning: mail.spam.example is listed in BADDOM' "$T/h" &&
    ok "domain list warning" || fail "domain warning" "$(cat "$T/h")"
grep -q 'BLOCKED:127.255.255.254' "$T/h" && ok "blocked list is an error, not a listing" ||
    fail "blocked" "$(cat "$T/h")"
# the exclusion !192.0.2.200: first prove LOCAL's file was read -- its
# neighbour 192.0.2.201 is listed (a positive control on the same file),
# and the .200 run checked the client with no LOCAL error -- then that
# .200 is not listed
run 192.0.2.201
unfold "$T/q.msg" > "$T/h201"
run 192.0.2.200
unfold "$T/q.msg" > "$T/h"
if ! grep -q '^X-Qqtag: .*tests=\([^ ]*,\)*LOCAL[, ]' "$T/h201"; then
	fail "! exclusion honoured" "control 192.0.2.201 not listed in LOCAL: \
$(cat "$T/h201")"
elif ! grep -q '^X-Qqtag: .* checked=yes ' "$T/h" ||
    grep -q '^X-Qqtag: .*[=,]LOCAL:' "$T/h"; then
	fail "! exclusion honoured" "LOCAL not read for 192.0.2.200: \
$(cat "$T/h")"
elif grep -q '^X-Qqtag: .*tests=\([^ ]*,\)*LOCAL[, ]' "$T/h"; then
	fail "! exclusion honoured" "exclusion ignored: $(cat "$T/h")"
else
	ok "! exclusion honoured"
fi
run 198.51.100.7
unfold "$T/q.msg" | grep -q 'tests=PARTNERS' && ok "ipwl entry found" ||
    fail "ipwl" "$(unfold "$T/q.msg")"

# the health probe: silent but for broken lists (stderr); -v every list
"$QQTAG" -T > "$T/probe" 2> "$T/probe.err"
assert_eq "qqtag -T: exit 1 (a list is broken)" 1 "$?"
assert_eq "qqtag -T: nothing on stdout" "" "$(cat "$T/probe")"
grep -q '^qqtag: list broken: BLOCKED (dnsbl): 127.0.0.2:127.255.255.254$' \
    "$T/probe.err" && ! grep -q GOOD "$T/probe.err" &&
    ok "qqtag -T: stderr names the broken list only" ||
    fail "probe stderr" "$(cat "$T/probe.err")"
"$QQTAG" -T -v > "$T/probe" 2> "$T/probe.err"
assert_eq "qqtag -T -v: exit 1 (a list is broken)" 1 "$?"
grep -q '^5 lists, 1 broken; state written to ' "$T/probe" &&
    ok "probe summary" || fail "probe output" "$(cat "$T/probe")"
[ "$(grep -c 'BLOCKED' "$T/probe")" = 1 ] && [ "$(grep -c 'GOOD' "$T/probe")" = 1 ] &&
    ok "probe: one line per list" || fail "probe lines" "$(cat "$T/probe")"
grep -q '^broken BLOCKED ' "$T/health" && grep -q '^ok GOOD' "$T/health" &&
    ok "state file marks BLOCKED broken, GOOD ok" || fail "state" "$(cat "$T/health")"
run 192.0.2.50
unfold "$T/q.msg" > "$T/h"
grep -q 'BLOCKED:broken' "$T/h" && grep -q 'tests=GOOD' "$T/h" &&
    ok "queue mode skips the broken list, uses the good one" ||
    fail "skip broken" "$(cat "$T/h")"
grep -q 'errors=.*BLOCKED:broken' "$T/log" && ok "log names the skipped list" ||
    fail "log" "$(cat "$T/log")"
# the list recovers: a healthy probe clears it
printf '127.0.0.2\n' > "$T/z/blocked"
chmod a+r "$T/z/blocked"
kill -HUP "$LAST_PID"
sleep 1
"$QQTAG" -T > "$T/probe" 2>&1
assert_eq "healthy probe: exit 0" 0 "$?"
assert_eq "healthy probe: silent" "" "$(cat "$T/probe")"
grep -q '^ok BLOCKED' "$T/health" && ok "healthy probe: state rewritten" ||
    fail "healthy state" "$(cat "$T/health")"
run 192.0.2.50
unfold "$T/q.msg" | grep -q 'BLOCKED:' && fail "recovered list still skipped" "$(unfold "$T/q.msg")" ||
    ok "a healthy probe restores the list"
# a corrupt state file is ignored (all lists used) and noted in the log
printf 'qqtag-health 1 garbage\n' > "$T/health"
run 192.0.2.50
assert_eq "corrupt state: still queued" 0 "$RC"
grep -q 'health=ignored' "$T/log" && ok "corrupt state ignored, noted in the log" ||
    fail "corrupt state" "$(cat "$T/log")"
# a missing list file is an error result, never a listing
sed "s|$T/l/bad.gz|$T/l/none.gz|" "$T/policy" > "$T/policy.miss"
QQTAG_POLICY=$T/policy.miss run 192.0.2.9
unfold "$T/q.msg" > "$T/h"
grep -q 'LOCAL:missing' "$T/h" && ! grep -q 'tests=[^ ]*LOCAL' "$T/h" &&
    ok "missing list file: error, not a listing" || fail "missing file" "$(cat "$T/h")"
t_done

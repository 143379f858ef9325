#!/bin/sh
# t_health.sh: list health with no daemon.  rbldnsd zones that answer
# normally, answer 127.255.255.254 for everything, list the whole world,
# list it but 127.0.0.1 (the documentation address gives them away), list
# nothing (broken, unless the list has the notest option), answer DNSWL's
# 127.0.0.255, never answer (a relay that drops),
# RHSBLs that list "test" or also "invalid", IPv6 lists with and without
# ::ffff:127.0.0.2: the probe (lists_probe, qqtag -T) marks each as it
# should and writes the state atomically.  A list is asked its profile's
# documented test point: the DBL's dbltest.com, not RFC 5782's "test".
# qqtag -T is silent when every list is healthy (a cron line mails
# nothing), names each broken list on stderr, prints every list with -v,
# and exits 2 with the reason when the state cannot be written.  Checks
# run with the state skip
# the broken lists at once (error "broken", no wait for the dead one);
# a truncated, corrupt, stale or future state is ignored; once the zones
# heal, a new probe restores every list.  Driven by tests/listcheck.
# URI lists (urilist) through qqtag -T: DBL-, URIBL- and SURBL-shaped
# zones healthy at their profiles' test points, URIBL's refused and
# Spamhaus's blocked code to everything, a dead one, one listing the
# world, one without its test point; each broken one named on stderr and
# marked in the state (apart from an rhsbl of the same label); queue mode
# then neither asks nor scores them, nor waits for the dead one.
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/listcheck.sh
. "$TOP/tests/listcheck.sh"

Z=$T/zones
mkdir -p "$Z"
good() {
	printf ':2:good $\n127.0.0.2\n192.0.2.99\n'
}
good > "$Z/good"
printf '0/1 :127.255.255.254:blocked\n128/1 :127.255.255.254:blocked\n' \
    > "$Z/blocked"
printf '0/1 :2:everything\n128/1 :2:everything\n' > "$Z/world"
printf '0/1\n128/1\n!127.0.0.1\n' > "$Z/world2"
printf '# nothing much\n192.0.2.77\n' > "$Z/empty"
printf '127.0.0.2 :127.0.0.255:over quota\n192.0.2.99 :127.0.10.2:\n' \
    > "$Z/wl"
printf 'test :2:test listing\nspam.example\n' > "$Z/rgood"
printf '.test\n.invalid\nspam.example\n' > "$Z/rworld"
printf '::ffff:7f00:2/128\n2001:db8:5::/48\n' > "$Z/good6"
printf '2001:db8:5::/48\n' > "$Z/bad6"
printf '192.0.2.0/24 :3:local\n' | gzip -c > "$Z/local.gz"
# DBL-like: Spamhaus's documented test point dbltest.com only (as the
# demo's zone), or also the RFC 5782 name "invalid"
printf ':127.0.1.2:DBL test $\ndbltest.com\nspam.example\n' > "$Z/dbl"
printf ':127.0.1.2:DBL $\ndbltest.com\ninvalid\n' > "$Z/dblworld"
# DNSWL-like: 127.0.0.2 answers 127.0.10.0 (its documented test entry)
printf '127.0.0.2 :127.0.10.0:\n' > "$Z/wl2"

RBL=$(free_port)
start_rbldnsd "$Z" "$RBL" good.test:ip4set:good dead.test:ip4set:good \
    blocked.test:ip4set:blocked world.test:ip4set:world \
    world2.test:ip4set:world2 empty.test:ip4set:empty wl.test:ip4set:wl \
    rgood.test:dnset:rgood rworld.test:dnset:rworld \
    good6.test:ip6trie:good6 bad6.test:ip6trie:bad6 \
    dbl.test:dnset:dbl dblworld.test:dnset:dblworld wl2.test:ip4set:wl2 ||
	{ fail "rbldnsd starts"; t_done; }
RBLPID=$LAST_PID

# start_relay [RULE...]: the relay in front of rbldnsd on port $RELAY
RELAY=$(free_port)
start_relay() {
	"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$RELAY" -l 300 \
	    -u ".=$RBL" "$@" 2>> "$T/relay.log" &
	RELAYPID=$!
	_t_pids="$_t_pids $RELAYPID"
	_i=0
	until [ "$(DNSQ_TIMEOUT=0.3 dnsq "$RELAY" 2.0.0.127.good.test A \
	    2> /dev/null | head -n 1)" = NOERROR ]; do
		_i=$((_i + 1))
		[ $_i -lt 50 ] || return 1
		sleep 0.1
	done
}
start_relay -r "dead.test=drop" || { fail "relay answers"; t_done; }

STATE=$T/run/health.state
mkdir -p "$T/run"
POL=$T/policy
cat > "$POL" << EOF
dns 127.0.0.1:$RELAY
state $STATE 1h
dnsbl GOOD good.test
dnsbl BLOCKED blocked.test
dnsbl WORLD world.test
dnsbl WORLD2 world2.test
dnsbl EMPTY empty.test
dnsbl NOTEST empty.test notest
dnswl WL wl.test profile=dnswl
dnsbl DEAD dead.test
rhsbl RGOOD rgood.test
rhsbl RWORLD rworld.test
dnsbl GOOD6 good6.test ipv6
dnsbl BAD6 bad6.test ipv6
iplist LOCAL $Z/local.gz
EOF

# status LABEL: "ok" or "BROKEN reason" from the last probe output
status() {
	awk -v l="$1" '$1 == l { print ($3 == "ok" ? "ok" : $3 " " $4) }' \
	    "$T/probe.out"
}

# ---- a probe of sick lists ------------------------------------------
t0=$(date +%s)
"$LISTCHECK" probe "$POL" 2500 > "$T/probe.out" 2> "$T/probe.err"
check "probe runs" [ $? -eq 0 ]
t1=$(date +%s)
check "probe bounded by its timeout ($((t1 - t0)) s)" [ $((t1 - t0)) -le 5 ]
sed 's/^/# /' "$T/probe.out"
assert_eq "normal list: ok" "ok" "$(status GOOD)"
assert_eq "127.255.255.254 for everything: broken" \
    "BROKEN 127.0.0.2:127.255.255.254" "$(status BLOCKED)"
assert_eq "lists the world: broken" "BROKEN 127.0.0.1:listed" \
    "$(status WORLD)"
assert_eq "lists the world but 127.0.0.1: the documentation address" \
    "BROKEN 192.0.2.1:listed" "$(status WORLD2)"
assert_eq "test point not listed: broken" "BROKEN 127.0.0.2:unlisted" \
    "$(status EMPTY)"
assert_eq "test point not listed, notest: ok" "ok" "$(status NOTEST)"
assert_eq "DNSWL 127.0.0.255: broken" "BROKEN 127.0.0.2:127.0.0.255" \
    "$(status WL)"
assert_eq "never answers: broken" "BROKEN 127.0.0.2:timeout" \
    "$(status DEAD)"
assert_eq "RHSBL listing test: ok" "ok" "$(status RGOOD)"
assert_eq "RHSBL listing invalid: broken" "BROKEN invalid:listed" \
    "$(status RWORLD)"
assert_eq "IPv6 list with ::ffff:127.0.0.2: ok" "ok" "$(status GOOD6)"
assert_eq "IPv6 list without it: broken" \
    "BROKEN ::ffff:127.0.0.2:unlisted" "$(status BAD6)"
assert_eq "local list read whole" "ok" "$(status LOCAL)"
check "local list counted" grep -q 'LOCAL .*entries:1' "$T/probe.out"

check "state file written" [ -f "$STATE" ]
assert_eq "state: 8 broken DNS lists" 8 "$(grep -c '^broken ' "$STATE")"
assert_eq "state: 4 usable DNS lists" 4 "$(grep -c '^ok ' "$STATE")"
check "state: local lists not in it" sh -c "! grep -q LOCAL '$STATE'"
check "state: ends with its count" grep -qx 'end 12' "$STATE"
assert_eq "state: mode 0644" 644 "$(stat -c %a "$STATE")"
assert_eq "state: no temp file left" 1 "$(ls "$T/run" | wc -l)"
cp "$STATE" "$T/state.sick"

# ---- qqtag -T: profiles' test points; silent when healthy -------------
mkdir -p "$T/q"
QSTATE=$T/q/health
cat > "$T/qpol" << EOF
dns 127.0.0.1:$RBL
timeout 2
state $QSTATE 1h
dnsbl GOOD good.test
rhsbl DBL dbl.test profile=dbl
dnswl WL2 wl2.test profile=dnswl
EOF
# qprobe POLICY [ARG]: qqtag -T; stdout, stderr, status in q.out q.err QRC
qprobe() {
	_p=$1
	shift
	QQTAG_POLICY=$_p "$QQTAG" -T "$@" > "$T/q.out" 2> "$T/q.err"
	QRC=$?
	sed 's/^/# out: /' "$T/q.out"
	sed 's/^/# err: /' "$T/q.err"
}
qprobe "$T/qpol" -v
assert_eq "qqtag -T -v: all healthy, exit 0" 0 "$QRC"
assert_eq "DBL profile, zone listing only dbltest.com: ok" \
    "ok ok" "$(awk '$1 == "DBL" { print $3, $4 }' "$T/q.out")"
assert_eq "DNSWL profile, 127.0.0.2 answering 127.0.10.0: ok" \
    "ok ok" "$(awk '$1 == "WL2" { print $3, $4 }' "$T/q.out")"
check "-v: a line per list and the summary" \
    grep -qx "3 lists, 0 broken; state written to $QSTATE" "$T/q.out"
rm -f "$QSTATE"
qprobe "$T/qpol"
assert_eq "healthy qqtag -T: exit 0" 0 "$QRC"
assert_eq "healthy qqtag -T: nothing on stdout" "" "$(cat "$T/q.out")"
assert_eq "healthy qqtag -T: nothing on stderr" "" "$(cat "$T/q.err")"
check "healthy qqtag -T: state written" grep -qx 'end 3' "$QSTATE"
check "healthy qqtag -T: DBL usable in the state" grep -qx 'ok DBL' \
    "$QSTATE"
now=$(date +%s)
sed "1s/.*/qqtag-health 1 $((now - 3000))/" "$QSTATE" > "$T/q/old" &&
    mv "$T/q/old" "$QSTATE"
qprobe "$T/qpol"
assert_eq "healthy again: exit 0, silent" 0 \
    "$QRC$(cat "$T/q.out" "$T/q.err")"
t=$(sed -n '1s/^qqtag-health 1 //p' "$QSTATE")
check "healthy again: the state is rewritten ($t, now $now)" \
    [ "${t:-0}" -ge "$now" ]

# broken lists: each named on stderr (cron mails it), stdout stays empty
cat "$T/qpol" - > "$T/qpol2" << EOF
dnsbl EMPTY empty.test
rhsbl DBLRFC rgood.test profile=dbl
rhsbl DBLWORLD dblworld.test profile=dbl
EOF
qprobe "$T/qpol2"
assert_eq "broken lists: exit 1" 1 "$QRC"
assert_eq "broken lists: nothing on stdout" "" "$(cat "$T/q.out")"
check "stderr names the list answering nothing at its test point" \
    grep -qx 'qqtag: list broken: EMPTY (dnsbl): 127.0.0.2:unlisted' \
    "$T/q.err"
check "stderr: a DBL zone without dbltest.com is broken" \
    grep -qx 'qqtag: list broken: DBLRFC (rhsbl): dbltest.com:unlisted' \
    "$T/q.err"
check "stderr: a DBL zone listing invalid is broken" \
    grep -qx 'qqtag: list broken: DBLWORLD (rhsbl): invalid:listed' \
    "$T/q.err"
check "stderr: the count and the state file" grep -qx \
    "qqtag: list probe: 3 of 6 lists broken; state written to $QSTATE" \
    "$T/q.err"
assert_eq "stderr: the broken lists only" 4 "$(wc -l < "$T/q.err")"
check "state: EMPTY marked broken" grep -qx 'broken EMPTY 127.0.0.2:unlisted' \
    "$QSTATE"
check "state: DBL still usable" grep -qx 'ok DBL' "$QSTATE"
qprobe "$T/qpol2" -v
assert_eq "-v, broken lists: exit 1" 1 "$QRC"
assert_eq "-v: one line per list and the summary on stdout" 7 \
    "$(wc -l < "$T/q.out")"
check "-v: the broken list's line" grep -q \
    '^EMPTY  *dnsbl  *BROKEN  *127.0.0.2:unlisted ' "$T/q.out"
check "-v: the summary" grep -qx \
    "6 lists, 3 broken; state written to $QSTATE" "$T/q.out"
check "-v: stderr still names it" grep -q 'list broken: EMPTY ' "$T/q.err"

# exit 2, and why, when nothing can be recorded
sed "s|^state .*|state $T/q/nodir/health 1h|" "$T/qpol" > "$T/qpol3"
qprobe "$T/qpol3"
assert_eq "state directory missing: exit 2" 2 "$QRC"
check "exit 2 says why on stderr" grep -q \
    "cannot write state file $T/q/nodir/health: No such file" "$T/q.err"
assert_eq "exit 2: nothing on stdout" "" "$(cat "$T/q.out")"
grep -v '^state ' "$T/qpol" > "$T/qpol4"
qprobe "$T/qpol4"
assert_eq "no state line: exit 2" 2 "$QRC"
check "no state line: said on stderr" grep -q 'no state line' "$T/q.err"
qprobe "$T/qpol" -x
assert_eq "qqtag -T -x: usage, exit 100" 100 "$QRC"

# apply IP [DOMAIN]: a message's DNS checks with the state applied
apply() {
	"$LISTCHECK" apply "$POL" "$@" > "$T/apply.out" 2>&1
}
nbroken() {
	awk '$4 == "error" && $6 == "broken"' "$T/apply.out" | wc -l
}

# ---- checks with that state: broken lists skipped, at once -----------
t0=$(date +%s%N)
apply 192.0.2.99 spam.example
t1=$(date +%s%N)
sed 's/^/# /' "$T/apply.out"
check "state applied: 8 marked" grep -qx 'state 8' "$T/apply.out"
assert_eq "7 IPv4 and RHSBL lists skipped as broken" 7 "$(nbroken)"
check "the dead list is skipped: no wait ($(((t1 - t0) / 1000000)) ms)" \
    [ $(((t1 - t0) / 1000000)) -lt 1500 ]
check "usable list still listed" grep -q '^GOOD GOOD dnsbl LISTED' \
    "$T/apply.out"
check "usable RHSBL still listed" grep -q '^RGOOD RGOOD rhsbl LISTED' \
    "$T/apply.out"
check "DEAD reported as broken" grep -q '^DEAD DEAD dnsbl error .* broken$' \
    "$T/apply.out"

# without a state the dead list costs the wait
mv "$STATE" "$T/state.moved"
t0=$(date +%s%N)
apply 192.0.2.99
t1=$(date +%s%N)
check "missing state: not applied" grep -q '^state -1 .*missing' \
    "$T/apply.out"
assert_eq "missing state: nothing skipped" 0 "$(nbroken)"
check "missing state: the dead list times out" \
    grep -q '^DEAD DEAD dnsbl error .* timeout$' "$T/apply.out"
check "missing state: waited for it ($(((t1 - t0) / 1000000)) ms)" \
    [ $(((t1 - t0) / 1000000)) -ge 2000 ]

# ---- damaged, stale and future states are ignored --------------------
head -c 60 "$T/state.sick" > "$STATE"
apply 192.0.2.99
check "truncated state: ignored" grep -q '^state -1 .*corrupt' \
    "$T/apply.out"
assert_eq "truncated state: nothing skipped" 0 "$(nbroken)"
sed '$d' "$T/state.sick" > "$STATE"
apply 192.0.2.99
check "state without its end line: ignored" grep -q '^state -1 .*corrupt' \
    "$T/apply.out"
randbytes 300 > "$STATE"
apply 192.0.2.99
check "garbage state (random bytes, seed $RSEED): ignored" grep -q '^state -1 .*corrupt' "$T/apply.out"
assert_eq "garbage state: nothing skipped" 0 "$(nbroken)"
sed 's/^ok GOOD$/ok G@@D/' "$T/state.sick" > "$STATE"
apply 192.0.2.99
check "bad label in state: ignored" grep -q '^state -1 .*corrupt' \
    "$T/apply.out"
now=$(date +%s)
sed "1s/.*/qqtag-health 1 $((now - 7200))/" "$T/state.sick" > "$STATE"
apply 192.0.2.99
check "stale state (2 h, MAXAGE 1 h): ignored" \
    grep -q '^state -1 .*stale' "$T/apply.out"
assert_eq "stale state: nothing skipped" 0 "$(nbroken)"
sed "1s/.*/qqtag-health 1 $((now + 7200))/" "$T/state.sick" > "$STATE"
apply 192.0.2.99
check "state from the future: ignored" grep -q '^state -1 .*future' \
    "$T/apply.out"
sed "1s/.*/qqtag-health 1 $((now - 600))/" "$T/state.sick" > "$STATE"
apply 192.0.2.99
check "10-minute-old state: applied" grep -qx 'state 8' "$T/apply.out"
assert_eq "10-minute-old state: 6 IPv4 lists skipped" 6 "$(nbroken)"

# ---- the lists heal; a new probe restores them -----------------------
good > "$Z/blocked.new"
good > "$Z/world.new"
good > "$Z/world2.new"
good > "$Z/empty.new"
printf '127.0.0.2 :127.0.10.2:\n' > "$Z/wl.new"
printf 'test\n' > "$Z/rworld.new"
cp "$Z/good6" "$Z/bad6.new"
for f in blocked world world2 empty wl rworld bad6; do
	touch -d '+2 seconds' "$Z/$f.new"
	chmod a+r "$Z/$f.new"
	mv "$Z/$f.new" "$Z/$f"
done
kill -HUP "$RBLPID"
i=0
until [ "$(dnsq "$RBL" 2.0.0.127.blocked.test A 2> /dev/null | tail -n 1)" = \
    "A 127.0.0.2" ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || break
	sleep 0.1
done
kill "$RELAYPID" 2> /dev/null
wait "$RELAYPID" 2> /dev/null
start_relay || fail "relay restarts"
"$LISTCHECK" probe "$POL" 2500 > "$T/probe.out" 2> "$T/probe.err"
sed 's/^/# /' "$T/probe.out"
check "healed: the probe finds nothing broken" grep -qx 'broken 0' \
    "$T/probe.out"
assert_eq "healed: state has no broken list" 0 "$(grep -c '^broken ' \
    "$STATE")"
apply 192.0.2.99 spam.example
check "healed state applied: 0 marked" grep -qx 'state 0' "$T/apply.out"
assert_eq "healed: nothing skipped" 0 "$(nbroken)"
check "healed: the formerly dead list answers" \
    grep -q '^DEAD DEAD dnsbl LISTED 192.0.2.99 127.0.0.2' "$T/apply.out"
assert_eq "healed: every IPv4 list answers" 7 \
    "$(grep -c ' dnsbl LISTED 192.0.2.99 ' "$T/apply.out")"

# ---- URI lists (urilist): qqtag -T probes them too ---------------------
# rbldnsd serves DBL-, URIBL- and SURBL-shaped dnset zones with their
# profiles' test points (dbltest.com 127.0.1.2, test.uribl.com
# 127.0.0.14, test.surbl.org), one without its test point, one listing
# the world; a relay in front of it answers URIBL's "query refused"
# 127.0.0.1 and Spamhaus's "blocked" 127.255.255.254 to everything of
# two zones and drops a third (dead), logging every query.  The broken
# URI lists are named on stderr and marked in the state apart from a DNS
# list of the same label; queue mode then neither asks nor scores them.
UZ=$T/uzones
mkdir -p "$UZ"
printf ':127.0.1.2:DBL $\ndbltest.com\nspam-dbl.example\n' > "$UZ/udbl"
printf 'test.uribl.com :127.0.0.14:test\nblack.example :127.0.0.2:black\n' \
    > "$UZ/uuribl"
printf 'test.surbl.org :127.0.0.254:test\nph.example :127.0.0.8:ph\n' \
    > "$UZ/usurbl"
printf ':127.0.0.2:everything $\ntest\ninvalid\n.example\n' > "$UZ/uworld"
printf 'nothing.example\n' > "$UZ/uempty"
URBL=$(free_port)
start_rbldnsd "$UZ" "$URBL" udbl.test:dnset:udbl uuribl.test:dnset:uuribl \
    usurbl.test:dnset:usurbl uworld.test:dnset:uworld \
    uempty.test:dnset:uempty unotest.test:dnset:uempty ||
	{ fail "rbldnsd (URI zones) starts"; t_done; }
URELAY=$(free_port)
"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$URELAY" -l 300 -u ".=$URBL" \
    -r "udead.test=drop" -r "urefused.test=a:127.0.0.1" \
    -r "ublocked.test=a:127.255.255.254" 2>> "$T/urelay.log" &
_t_pids="$_t_pids $!"
i=0
until [ "$(DNSQ_TIMEOUT=0.3 dnsq "$URELAY" dbltest.com.udbl.test A \
    2> /dev/null | head -n 1)" = NOERROR ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "relay (URI zones) answers"; t_done; }
	sleep 0.1
done

mkdir -p "$T/u" "$T/uspool"
USTATE=$T/u/health
# the healthy URI lists alone: silent, exit 0, their own state lines
cat > "$T/upol0" << EOF
dns 127.0.0.1:$URELAY
timeout 2
state $USTATE 1h
urilist DBL udbl.test profile=dbl
urilist URIBL uuribl.test profile=uribl
urilist SURBL usurbl.test profile=surbl
urilist NOTEST unotest.test notest
EOF
qprobe "$T/upol0"
assert_eq "healthy URI lists: exit 0, silent" 0 \
    "$QRC$(cat "$T/q.out" "$T/q.err")"
assert_eq "healthy URI lists: uriok lines in the state" "uriok DBL
uriok URIBL
uriok SURBL
uriok NOTEST
end 4" "$(sed 1d "$USTATE")"

# SPAMHAUS is both a healthy rhsbl and a URI list behind a blocked
# resolver: one label, two lists, marked apart
{ sed '/^dns /a\
spool '"$T/uspool"'\
spf off\
dkim off\
dmarc off\
rhsbl SPAMHAUS udbl.test profile=dbl' "$T/upol0"; cat << EOF; } > "$T/upol"
urilist REFUSED urefused.test profile=uribl
urilist SPAMHAUS ublocked.test profile=dbl
urilist UDEAD udead.test profile=surbl
urilist UWORLD uworld.test
urilist EMPTY uempty.test
EOF
check "qqtag -n accepts the URI lists' policy" env QQTAG_QUEUE="$STANDIN" \
    "$QQTAG" -n -u "$(id -un)" "$T/upol"
rm -f "$USTATE"
qprobe "$T/upol" -v
assert_eq "URI lists, some broken: exit 1" 1 "$QRC"
# ustatus LABEL KIND: "ok" or "BROKEN reason" from the -v output
ustatus() {
	awk -v l="$1" -v k="$2" '$1 == l && $2 == k {
	    print ($3 == "ok" ? "ok" : $3 " " $4) }' "$T/q.out"
}
assert_eq "-v: DBL-shaped zone, dbltest.com 127.0.1.2: ok" ok \
    "$(ustatus DBL urilist)"
assert_eq "-v: URIBL-shaped zone, test.uribl.com 127.0.0.14: ok" ok \
    "$(ustatus URIBL urilist)"
assert_eq "-v: SURBL-shaped zone, test.surbl.org: ok" ok \
    "$(ustatus SURBL urilist)"
assert_eq "-v: no test point, notest: ok" ok "$(ustatus NOTEST urilist)"
assert_eq "-v: URIBL's 127.0.0.1 (refused) to everything: broken" \
    "BROKEN test.uribl.com:127.0.0.1" "$(ustatus REFUSED urilist)"
assert_eq "-v: Spamhaus's 127.255.255.254 (blocked) to everything: broken" \
    "BROKEN dbltest.com:127.255.255.254" "$(ustatus SPAMHAUS urilist)"
assert_eq "-v: the rhsbl of the same label: ok" ok \
    "$(ustatus SPAMHAUS rhsbl)"
assert_eq "-v: dead: broken" "BROKEN test.surbl.org:timeout" \
    "$(ustatus UDEAD urilist)"
assert_eq "-v: lists the world (invalid too): broken" \
    "BROKEN invalid:listed" "$(ustatus UWORLD urilist)"
assert_eq "-v: no profile, RFC 5782's test not listed: broken" \
    "BROKEN test:unlisted" "$(ustatus EMPTY urilist)"
check "-v: the summary counts the URI lists" grep -qx \
    "10 lists, 5 broken; state written to $USTATE" "$T/q.out"
for l in "REFUSED (urilist): test.uribl.com:127.0.0.1" \
    "SPAMHAUS (urilist): dbltest.com:127.255.255.254" \
    "UDEAD (urilist): test.surbl.org:timeout" \
    "UWORLD (urilist): invalid:listed" "EMPTY (urilist): test:unlisted"; do
	check "stderr names the broken URI list ${l%% *}" \
	    grep -qxF "qqtag: list broken: $l" "$T/q.err"
done
check "stderr: the count and the state file" grep -qx \
    "qqtag: list probe: 5 of 10 lists broken; state written to $USTATE" \
    "$T/q.err"
assert_eq "stderr: the broken lists only" 6 "$(wc -l < "$T/q.err")"
qprobe "$T/upol"
assert_eq "without -v: exit 1, nothing on stdout" 1 "$QRC$(cat "$T/q.out")"
assert_eq "without -v: the same stderr" 6 "$(wc -l < "$T/q.err")"
check "state: the rhsbl SPAMHAUS usable" grep -qx 'ok SPAMHAUS' "$USTATE"
check "state: the URI list SPAMHAUS broken, on a line of its own" \
    grep -qx 'uribroken SPAMHAUS dbltest.com:127.255.255.254' "$USTATE"
assert_eq "state: 5 broken URI lists, 4 usable" "5 4" \
    "$(grep -c '^uribroken ' "$USTATE") $(grep -c '^uriok ' "$USTATE")"
check "state: ends with its count" grep -qx 'end 10' "$USTATE"
cp "$USTATE" "$T/u/state.sick"

# ---- queue mode: the broken URI lists neither asked nor scored --------
DATE=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')
cat > "$T/umsg" << EOF
From: Someone <someone@sender.example>
To: rcpt@example.org
Subject: links
Date: $DATE
Message-ID: <u1@sender.example>

See http://www.spam-dbl.example/offer, http://black.example/ and
http://ph.example/login.
EOF
mkenv "$T/uenv" someone@sender.example rcpt@example.org
# uq NAME: qqtag on the message with the URI policy; the stand-in's copy
# in $T/NAME.msg, the log in $T/NAME.log, the relay's queries in
# $T/NAME.rq, the status in QRC
uq() {
	: > "$T/urelay.log"
	env QQTAG_POLICY="$T/upol" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/$1" \
	    TCPREMOTEIP=192.0.2.50 "$QQTAG" < "$T/umsg" 1< "$T/uenv" \
	    2> "$T/$1.log"
	QRC=$?
	sleep 0.2	# the relay's last lines
	cp "$T/urelay.log" "$T/$1.rq"
	sed 's/^/# /' "$T/$1.log"
}
# asked NAME: the broken lists' zones the relay was asked, one a line
asked() {
	grep -o '[a-z]*\.\(urefused\|ublocked\|udead\|uworld\|uempty\)\.test ' \
	    "$T/$1.rq" | sed 's/^[^.]*\.//; s/ $//' | sort -u
}
# without a state every list is asked, the dead one costs the deadline
mv "$USTATE" "$T/u/moved"
uq uq0
assert_eq "no state: queued" 0 "$QRC"
assert_eq "no state: every broken zone asked" "ublocked.test
udead.test
uempty.test
urefused.test
uworld.test" "$(asked uq0)"
case ,$(logkv "$T/uq0.log" tests), in *,UWORLD,*) ok "no state: the world-listing list scores" ;;
*) fail "no state: UWORLD scores" "$(cat "$T/uq0.log")" ;; esac
ae=$(logkv "$T/uq0.log" after_eom_ms)
check "no state: the dead list costs the deadline (after_eom_ms $ae)" \
    [ "${ae:-0}" -ge 1500 ]
# with the probe's state: not asked, not scored, no wait
mv "$T/u/moved" "$USTATE"
uq uq1
assert_eq "state: queued" 0 "$QRC"
check "state: the relay saw the message's queries" \
    grep -q '^spam-dbl\.example\.udbl\.test 1 ' "$T/uq1.rq"
assert_eq "state: no broken URI list asked" "" "$(asked uq1)"
check "state: the rhsbl SPAMHAUS (same label) still asked" \
    grep -q '^sender\.example\.udbl\.test 1 ' "$T/uq1.rq"
assert_eq "state: only the healthy lists score" \
    "URIBL_DBL_SPAM,URIBL_BLACK,URIBL_PH_SURBL" "$(logkv "$T/uq1.log" tests)"
for l in REFUSED SPAMHAUS UDEAD UWORLD EMPTY; do
	case ,$(logkv "$T/uq1.log" errors), in *,$l:broken,*)
		ok "state: $l an error \"broken\" in the log" ;;
	*) fail "state: $l:broken in errors=" "$(cat "$T/uq1.log")" ;; esac
done
ae=$(logkv "$T/uq1.log" after_eom_ms)
check "state: no wait for the dead list (after_eom_ms $ae)" \
    [ "${ae:-9999}" -lt 1000 ]
check "state: the warning names the DBL-listed domain" grep -q \
    '^X-Spam-Warning: spam-dbl\.example is listed in DBL' "$T/uq1.msg"

t_done

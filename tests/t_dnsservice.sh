#!/bin/sh
# t_dnsservice.sh: dns.c, the one DNS service of a message, end to end
# (tests/dnscheck -q) against real nsd and tests/dnsrelay.py on
# 127.0.0.1: the per-message answer cache (one query on the wire for
# several asks, also after the answer came: counted in the relay's log),
# the caps (DNS_TOTAL_MAX, in-flight slots), EDNS0 (a 1000-byte TXT over
# UDP) and the TCP retry of just the truncated query (a 3000-byte TXT: nsd
# truncates UDP answers past 1232 bytes), a truncated answer whose TCP
# retry hangs not delaying the other queries, the deadline (DNS_TIMEOUT
# for a server that never answers), and the SERVFAIL / REFUSED / NXDOMAIN
# / NODATA / unreachable mapping.  Ends with "N passed, N failed".
. "$(dirname "$0")/lib.sh"

DNSCHECK=${DNSCHECK:-$TOP/tests/dnscheck}
[ -x "$DNSCHECK" ] || { fail "tests/dnscheck built (make testbins)"; t_done; }

# ---- nsd: big TXT records -------------------------------------------------
N=$T/nsd
mkdir -p "$N"
# txt N: one TXT record of N bytes of "x" in strings of 250
txt() {
	"$PYTHON" -c 'import sys
n = int(sys.argv[1])
print(" ".join("\"%s\"" % ("x" * min(250, n - i)) for i in range(0, n, 250)))' "$1"
}
cat > "$N/big.test.zone" << EOF
\$ORIGIN big.test.
\$TTL 60
@ SOA ns hostmaster 1 3600 600 86400 60
@ NS ns
ns A 127.0.0.1
t1000 TXT $(txt 1000)
t3000 TXT $(txt 3000)
small TXT "small"
host A 192.0.2.1
EOF
NSDP=$(free_port)
start_nsd "$N" "$NSDP" || { fail "nsd starts"; t_done; }

# ---- the relay: misbehaving zones, every query logged ------------------------
RELAY=$(free_port)
"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$RELAY" -l 120 -u ".=$NSDP" \
    -r "slow.test=delay:200,nxdomain" -r "dead.test=drop" \
    -r "sf.test=servfail" -r "ref.test=refused" -r "nx.test=nxdomain" \
    -r "nd.test=nodata" -r "tc.test=truncated" -r "cap.test=nxdomain" \
    2> "$T/relay.log" &
_t_pids="$_t_pids $!"
i=0
until [ "$(DNSQ_TIMEOUT=0.3 dnsq "$RELAY" ns.big.test A 2> /dev/null |
    head -n 1)" = NOERROR ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "relay answers"; t_done; }
	sleep 0.1
done
RS=127.0.0.1:$RELAY

# q NAME ARGS...: dnscheck -q, output in $T/NAME.out
q() {
	_n=$1
	shift
	"$DNSCHECK" -q "$@" > "$T/$_n.out" 2> "$T/$_n.err"
}
has() {
	if grep -aEq -- "$3" "$T/$1.out"; then
		ok "$2"
	else
		fail "$2" "no line matching: $3
$(cat "$T/$1.out" "$T/$1.err" | head -n 20)"
	fi
}
count() {
	grep -c -- "$2" "$T/$1.out"
}
# wire NAME TYPE: how many queries for NAME (lowercase) TYPE the relay saw
wire() {
	grep -c "^$1 $2 " "$T/relay.log"
}
ms_of() {
	sed -n "s|^$2 .* ms=\([0-9]*\) .*|\1|p" "$T/$1.out" | head -n 1
}

# ---- the cache ---------------------------------------------------------------
q cache -t 2000 "$RS" host.big.test/A HOST.Big.Test./A host.big.test/TXT \
    +500 host.big.test/A
assert_eq "four asks, four answers" 4 "$(count cache '^host.big.test/A ok \|^HOST.Big.Test./A ok \|^host.big.test/TXT nodata ')"
has cache "  ... counted: 2 queries, 2 from the cache" '^queries 2 hits 2 '
assert_eq "  ... one A query on the wire for three asks (one after the answer)" 1 "$(wire host.big.test 1)"
assert_eq "  ... and one TXT query" 1 "$(wire host.big.test 16)"
q cachenx -t 2000 "$RS" a.nx.test/A +300 a.nx.test/A a.nx.test/MX
assert_eq "a cached NXDOMAIN answers the second ask" 2 "$(count cachenx '^a.nx.test/A nxdomain ')"
assert_eq "  ... one A query on the wire" 1 "$(wire a.nx.test 1)"
assert_eq "  ... another type is another query" 1 "$(wire a.nx.test 15)"

# ---- caps (the values of dns.h, as qqtag(8) documents them) -------------
IM=$(sed -n 's/^#define DNS_INFLIGHT_MAX[^0-9]*\([0-9][0-9]*\).*/\1/p' "$TOP/dns.h")
TM=$(sed -n 's/^#define DNS_TOTAL_MAX[^0-9]*\([0-9][0-9]*\).*/\1/p' "$TOP/dns.h")
if [ -n "$IM" ] && [ -n "$TM" ] &&
    tr '\n' ' ' < "$TOP/qqtag.8" | grep -q "At most $IM queries are on the wire" &&
    tr '\n' ' ' < "$TOP/qqtag.8" | grep -q "At most $TM distinct queries are sent"; then
	ok "qqtag(8) documents the caps ($IM in flight, $TM in all)"
else
	fail "qqtag(8) documents the caps" "dns.h: '$IM' '$TM'"
fi
set --
i=0
while [ $i -le "$TM" ]; do
	set -- "$@" "n$i.cap.test/A"
	i=$((i + 1))
done
q cap -t 5000 "$RS" "$@"
assert_eq "DNS_TOTAL_MAX ($TM) queries answered" "$TM" "$(count cap ' nxdomain ')"
assert_eq "  ... the next one is capped" 1 "$(count cap "^n$TM.cap.test/A capped ")"
has cap "  ... without a query; $((TM - IM)) waited for a slot" "^queries $TM hits 0 capped 1 tcp 0 queued $((TM - IM))\$"
# distinct names: on a loaded machine c-ares may send one again after
# its retry interval, which is one query, not two
assert_eq "  ... $TM distinct names on the wire" "$TM" \
    "$(grep -o '^n[0-9]*\.cap\.test 1 ' "$T/relay.log" | sort -u | wc -l)"
assert_eq "  ... the capped one never" 0 "$(wire "n$TM\.cap\.test" 1)"
q capnow -t 2000 -c 0,1 "$RS" a.slow.test/A b.slow.test/A
a=$(ms_of capnow a.slow.test/A)
b=$(ms_of capnow b.slow.test/A)
if grep -q '^b.slow.test/A capped ' "$T/capnow.out" && [ "$b" -lt 100 ] &&
    [ "$a" -ge 190 ]; then
	ok "capped at once ($b ms), not after the others ($a ms)"
else
	fail "capped at once, not after the others" "$(cat "$T/capnow.out")"
fi
assert_eq "  ... and never on the wire" 0 "$(wire b.slow.test 1)"
q slots -t 2000 -c 2,0 "$RS" a.slow.test/A b.slow.test/A c.slow.test/A
assert_eq "in-flight cap 2: three answered" 3 "$(count slots ' nxdomain ')"
has slots "  ... one waited for a slot" 'queued 1$'
c=$(ms_of slots c.slow.test/A)
a=$(ms_of slots a.slow.test/A)
if [ "$a" -lt 350 ] && [ "$c" -ge 380 ]; then
	ok "  ... the third left when a slot freed ($a ms, then $c ms)"
else
	fail "  ... the third left when a slot freed" "$(cat "$T/slots.out")"
fi

# ---- EDNS0 and the TCP retry (nsd directly: it serves TCP) ---------------------
q edns -t 2000 "127.0.0.1:$NSDP" t1000.big.test/TXT small.big.test/TXT
has edns "1000-byte TXT over UDP with EDNS0" '^t1000.big.test/TXT ok len=1[0-9][0-9][0-9] .* txtlen=1000$'
has edns "  ... no TCP needed" 'tcp 0 '
q tcp -t 2000 "127.0.0.1:$NSDP" t3000.big.test/TXT small.big.test/TXT \
    host.big.test/A
has tcp "3000-byte TXT: truncated over UDP, whole over TCP" '^t3000.big.test/TXT ok len=3[0-9][0-9][0-9] .* rr=1 txtlen=3000$'
has tcp "  ... one TCP retry" 'tcp 1 '
has tcp "  ... the other queries answered over UDP" '^small.big.test/TXT ok .* txtlen=5$'
has tcp "  ... no descriptor left (both channels)" '^fds 0$'

# a truncated answer whose TCP retry never answers (a listener that accepts
# and says nothing, on the relay's port)
"$PYTHON" -c 'import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(__import__("sys").argv[1])))
s.listen(16)
held = []
end = time.time() + 60
while time.time() < end:
    s.settimeout(1)
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass' "$RELAY" &
HANG=$!
_t_pids="$_t_pids $HANG"
sleep 0.3
q tchang -t 1000 "$RS" x.tc.test/TXT a.slow.test/A host.big.test/A
e=$(sed -n 's/^elapsed //p' "$T/tchang.out")
if [ "$e" -ge 950 ] && [ "$e" -le 1100 ]; then
	ok "truncated, TCP retry hangs: the deadline holds ($e ms)"
else
	fail "truncated, TCP retry hangs: the deadline holds" "$(cat "$T/tchang.out")"
fi
has tchang "  ... it ends truncated at the deadline" '^x.tc.test/TXT truncated len=[0-9]+ ms=(9[5-9][0-9]|10[0-9][0-9]) '
a=$(ms_of tchang a.slow.test/A)
if [ -n "$a" ] && [ "$a" -lt 400 ]; then
	ok "  ... the others answered in their own time ($a ms)"
else
	fail "  ... the others answered in their own time" "$(cat "$T/tchang.out")"
fi
has tchang "  ... over UDP" '^host.big.test/A ok '
has tchang "  ... one TCP retry, for that query only" 'tcp 1 '
has tchang "  ... no descriptor left" '^fds 0$'
kill "$HANG" 2> /dev/null
wait "$HANG" 2> /dev/null
# no TCP at all (connection refused): truncated at once
q tcref -t 2000 "$RS" y.tc.test/TXT
has tcref "TCP refused: truncated, at once" '^y.tc.test/TXT truncated len=[0-9]+ ms=[0-9]{1,3} '

# ---- deadline and rcodes ----------------------------------------------------------
q rc -t 1000 "$RS" a.dead.test/A a.sf.test/A a.ref.test/A a.nx.test/A \
    a.nd.test/A
has rc "never answered: timeout at the deadline" '^a.dead.test/A timeout len=0 ms=(9[5-9][0-9]|10[0-9][0-9]) '
has rc "SERVFAIL" '^a.sf.test/A servfail '
has rc "REFUSED" '^a.ref.test/A refused '
has rc "NXDOMAIN" '^a.nx.test/A nxdomain '
has rc "NODATA" '^a.nd.test/A nodata '
has rc "no descriptor left" '^fds 0$'
P0=$(free_port)
q unreach -t 1000 "127.0.0.1:$P0" host.big.test/A
has unreach "no server: unreachable, at once" '^host.big.test/A unreachable len=0 ms=[0-9]{1,3} '

t_done

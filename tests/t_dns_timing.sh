#!/bin/sh
# t_dns_timing.sh: dnsbl.c's queries fly in parallel.  Ten lists on real
# rbldnsd and reverse/forward zones on real nsd, every answer delayed 200 ms
# by tests/dnsrelay.py: a clean client with TCPREMOTEHOST costs one round
# trip (< 300 ms), one needing PTR + forward-confirm, or a listed one
# needing its TXT, two (< 500 ms); the deadline bounds a slow server.
# Ends with "N passed, N failed".
. "$(dirname "$0")/lib.sh"

DNSCHECK=${DNSCHECK:-$(tool dnscheck)} || exit 1
DELAY=${DNS_DELAY:-200}

Z=$T/zones
mkdir -p "$Z"
printf ':127.0.0.2:listed $\n192.0.2.60\n' > "$Z/list"
RBL=$(free_port)
set --
for i in 0 1 2 3 4 5 6 7 8 9; do
	set -- "$@" "s$i.lists.test:ip4set:list"
done
start_rbldnsd "$Z" "$RBL" "$@" || { fail "rbldnsd starts"; t_done; }

N=$T/nsd
mkdir -p "$N"
cat > "$N/example.test.zone" << 'EOF'
$ORIGIN example.test.
$TTL 60
@ SOA ns hostmaster 1 3600 600 86400 60
@ NS ns
ns A 127.0.0.1
client A 192.0.2.50
client A 192.0.2.60
EOF
cat > "$N/2.0.192.in-addr.arpa.zone" << 'EOF'
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 60
@ SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@ NS ns.example.test.
50 PTR client.example.test.
60 PTR client.example.test.
EOF
NSDP=$(free_port)
start_nsd "$N" "$NSDP" || { fail "nsd starts"; t_done; }

RELAY=$(free_port)
"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$RELAY" -l 120 -q \
    -u ".=$NSDP" -u "lists.test=$RBL" -r ".=delay:$DELAY" \
    -r "dead.test=drop" 2> "$T/relay.log" &
_t_pids="$_t_pids $!"
i=0
until [ "$(DNSQ_TIMEOUT=1 dnsq "$RELAY" example.test SOA 2> /dev/null |
    head -n 1)" = NOERROR ]; do
	i=$((i + 1))
	[ $i -lt 30 ] || { fail "relay answers"; t_done; }
	sleep 0.1
done

POL=$T/policy
echo "dns 127.0.0.1:$RELAY" > "$POL"
for i in 0 1 2 3 4 5 6 7 8 9; do
	echo "dnsbl L$i s$i.lists.test" >> "$POL"
done

# within NAME DESC MAX ARGS...: dnscheck finishes everything in < MAX ms
within() {
	_n=$1
	_d=$2
	_max=$3
	shift 3
	"$DNSCHECK" "$@" > "$T/$_n.out" 2>&1
	_e=$(sed -n 's/^elapsed //p' "$T/$_n.out")
	_p=$(sed -n 's/^pending //p' "$T/$_n.out")
	if [ "$_p" = 0 ] && [ -n "$_e" ] && [ "$_e" -lt "$_max" ]; then
		ok "$_d: $_e ms"
	else
		fail "$_d (< $_max ms)" "$(cat "$T/$_n.out")"
	fi
}
count() {
	grep -c -- "$2" "$T/$1.out"
}

within host "10 lists + forward-confirm of TCPREMOTEHOST, clean: one round trip" \
    $((DELAY + 100)) "$POL" 192.0.2.50 client.example.test
assert_eq "  ... 10 clean results" 10 "$(count host '^dnsbl L[0-9] L[0-9] 192.0.2.50 clean ')"
assert_eq "  ... confirmed" 1 "$(count host '^rdns client.example.test$')"
within ptr "10 lists + PTR + forward-confirm: two round trips" \
    $((2 * DELAY + 100)) "$POL" 192.0.2.50 -
assert_eq "  ... confirmed" 1 "$(count ptr '^rdns client.example.test$')"
within txt "10 listings + their TXT: two round trips" \
    $((2 * DELAY + 100)) "$POL" 192.0.2.60 client.example.test
assert_eq "  ... 10 listings with TXT" 10 "$(count txt '^dnsbl L[0-9] L[0-9] 192.0.2.60 listed .*txt=listed\\x20192.0.2.60$')"
echo "dnsbl DEAD dead.test" >> "$POL"
"$DNSCHECK" -t 700 "$POL" 192.0.2.50 client.example.test > "$T/dead.out" 2>&1
e=$(sed -n 's/^elapsed //p' "$T/dead.out")
if [ "$e" -ge 690 ] && [ "$e" -le 750 ]; then
	ok "a dead list among them costs the deadline + 50 ms at most: $e ms"
else
	fail "a dead list costs the deadline + 50 ms at most" "$(cat "$T/dead.out")"
fi
assert_eq "  ... the others answered" 10 "$(count dead '^dnsbl L[0-9] .* clean ')"
assert_eq "  ... the dead one is an error" 1 "$(count dead '^dnsbl DEAD DEAD .* error .*answer=timeout ')"
assert_eq "  ... no descriptor left" 1 "$(count dead '^fds 0$')"
t_done

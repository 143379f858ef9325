#!/bin/sh
# t_dns.sh: dnsbl.c end to end against real servers on 127.0.0.1 --
# rbldnsd (ip4set, ip4trie, ip6trie, dnset zones: several codes, TXT texts,
# RFC 5782 test points, multi-A answers, 127.0.1.255 / 127.255.255.x /
# 127.0.0.255 answers, all-distinct-nibble IPv6 entries) and nsd (reverse
# and forward zones, hostile PTR names), reached through tests/dnsrelay.py
# which routes each zone to its server.  Driven by tests/dnscheck until
# qqtag has its check mode.  Ends with "N passed, N failed".
. "$(dirname "$0")/lib.sh"

DNSCHECK=${DNSCHECK:-$(tool dnscheck)} || exit 1
KEY=s3cr3tk3yQQ
SENT=$T/all.out		# every dnscheck output, for the secret-key grep
: > "$SENT"

# ---- zones -------------------------------------------------------------
Z=$T/zones
mkdir -p "$Z"
cat > "$Z/zen-sbl" << 'EOF'
:127.0.0.2:SBL test listing $
127.0.0.2
192.0.2.2
192.0.2.40
EOF
cat > "$Z/zen-xbl" << 'EOF'
:127.0.0.4:XBL test listing $
127.0.0.2
192.0.2.4
192.0.2.40
192.0.2.99 :127.255.255.254:open resolver
192.0.2.98 :127.255.255.252:typing error
EOF
cat > "$Z/zen-pbl" << 'EOF'
:127.0.0.10:PBL test listing $
127.0.0.2
192.0.2.5
192.0.2.40
EOF
cat > "$Z/gen-trie" << 'EOF'
:127.0.0.2:generic list
127.0.0.2/32
192.0.2.0/28 :127.0.0.3:range listing
192.0.2.4/32 :127.0.0.5:single listing
192.0.2.97/32 :10.0.0.1:bad answer
192.0.2.96/32 :127.0.0.1:loopback answer
EOF
cat > "$Z/v6" << 'EOF'
:127.0.0.2:v6 listed $
::ffff:127.0.0.2/128
2001:db8:1234:5678:9abc:def0:fedc:ba98/128 :127.0.0.4:exact listing
2001:db8:1234:5678::/64 :127.0.0.3:net listing
EOF
cat > "$Z/dbl" << 'EOF'
:127.0.1.2:DBL spam domain
spam.example
.phish.example :127.0.1.4:phish
ipquery.example :127.0.1.255:IP queries not allowed
dbltest.com
EOF
cat > "$Z/wl" << 'EOF'
:127.0.15.3:high trust
127.0.0.2
192.0.2.30
192.0.2.31 :127.0.0.255:over quota
192.0.2.32 :127.0.7.1:low trust
EOF
cat > "$Z/plain" << 'EOF'
:127.0.0.2:plain $
192.0.2.40
EOF

RBL=$(free_port)
start_rbldnsd "$Z" "$RBL" \
    "$KEY.zen.dq.spamhaus.net:ip4set:zen-sbl" \
    "$KEY.zen.dq.spamhaus.net:ip4set:zen-xbl" \
    "$KEY.zen.dq.spamhaus.net:ip4set:zen-pbl" \
    gen.test:ip4trie:gen-trie v6.test:ip6trie:v6 \
    dbl.spamhaus.org:dnset:dbl list.dnswl.org:ip4set:wl \
    plain.test:ip4tset:plain || { fail "rbldnsd starts"; t_done; }

# nsd: reverse (IPv4, IPv6) and forward zones, hostile PTR targets
N=$T/nsd
mkdir -p "$N"
L63=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
LONG=$L63.$L63.$L63.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example.test
V6REV=8.9.a.b.c.d.e.f.0.f.e.d.c.b.a.9
cat > "$N/example.test.zone" << EOF
\$ORIGIN example.test.
\$TTL 60
@ SOA ns hostmaster 1 3600 600 86400 60
@ NS ns
@ MX 10 mx
ns A 127.0.0.1
mx A 192.0.2.10
good A 192.0.2.10
good A 192.0.2.11
good A 192.0.2.40
other A 192.0.2.99
v6host AAAA 2001:db8:1234:5678:9abc:def0:fedc:ba98
v4only A 192.0.2.20
$LONG. A 192.0.2.13
onlyaaaa AAAA 2001:db8::5
onlymx MX 10 mx
EOF
cat > "$N/2.0.192.in-addr.arpa.zone" << EOF
\$ORIGIN 2.0.192.in-addr.arpa.
\$TTL 60
@ SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@ NS ns.example.test.
10 PTR good.example.test.
11 PTR good.example.test.
12 PTR nosuchname.example.test.
13 PTR $LONG.
14 PTR evil\\013\\010Bcc:\\032x.example.test.
15 PTR \\200\\233.example.test.
16 PTR nul\\000byte.example.test.
18 PTR other.example.test.
40 PTR good.example.test.
EOF
cat > "$N/8.7.6.5.4.3.2.1.8.b.d.0.1.0.0.2.ip6.arpa.zone" << EOF
\$ORIGIN 8.7.6.5.4.3.2.1.8.b.d.0.1.0.0.2.ip6.arpa.
\$TTL 60
@ SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@ NS ns.example.test.
$V6REV PTR v6host.example.test.
EOF
cat > "$N/example.zone" << EOF
\$ORIGIN example.
\$TTL 60
@ SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@ NS ns.example.test.
EOF
NSDP=$(free_port)
start_nsd "$N" "$NSDP" || { fail "nsd starts"; t_done; }

# the relay routes list zones to rbldnsd, everything else to nsd, and
# misbehaves for the zones named in -r rules
RELAY=$(free_port)
"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$RELAY" -l 300 \
    -u ".=$NSDP" -u "$KEY.zen.dq.spamhaus.net=$RBL" -u "gen.test=$RBL" \
    -u "v6.test=$RBL" -u "dbl.spamhaus.org=$RBL" -u "list.dnswl.org=$RBL" \
    -u "plain.test=$RBL" \
    -r "dead.test=drop" -r "sf.test=servfail" -r "ref.test=refused" \
    -r "junk.test=garbage" -r "wid.test=wrongid" -r "tc.test=truncated" \
    -r "bad.test=badanswer" -r "open.test=a:127.255.255.254" \
    -r "bigtxt.test=a:127.0.0.2,txt:2000" -r "crlf.test=a:127.0.0.2,txt:400" -r "sfdom.test=servfail" \
    2> "$T/relay.log" &
_t_pids="$_t_pids $!"
i=0
until [ "$(DNSQ_TIMEOUT=0.3 dnsq "$RELAY" example.test SOA 2> /dev/null |
    head -n 1)" = NOERROR ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "relay answers"; t_done; }
	sleep 0.1
done

POL=$T/policy
cat > "$POL" << EOF
# lists under test
dns [::1]:1,127.0.0.1:$RELAY
dnsbl ZEN $KEY.zen.dq.spamhaus.net
dnsbl GEN gen.test
dnsbl V6 v6.test ipv6
dnsbl PLAIN plain.test ipv4 notxt
dnswl WL list.dnswl.org
rhsbl DBL dbl.spamhaus.org
EOF

# dc NAME ARGS...: run dnscheck, output in $T/NAME.out (and in $SENT)
dc() {
	_n=$1
	shift
	"$DNSCHECK" "$@" > "$T/$_n.out" 2> "$T/$_n.err"
	cat "$T/$_n.out" "$T/$_n.err" >> "$SENT"
}
# has NAME DESC PATTERN: ok if $T/NAME.out has a line matching PATTERN
has() {
	if grep -aEq -- "$3" "$T/$1.out"; then
		ok "$2"
	else
		fail "$2" "no line matching: $3
$(cat "$T/$1.out")"
	fi
}
hasnt() {
	if grep -aEq -- "$3" "$T/$1.out"; then
		fail "$2" "$(grep -aE -- "$3" "$T/$1.out")"
	else
		ok "$2"
	fi
}
elapsed() {
	sed -n 's/^elapsed //p' "$T/$1.out"
}

# ---- RFC 5782 test points ---------------------------------------------
dc tp2 -A "$POL" 127.0.0.2 -
has tp2 "ZEN test point answers .2 .4 .10 at once" \
    '^dnsbl ZEN SPAMHAUS_SBL 127.0.0.2 listed w=3 .*answer=127.0.0.2 '
has tp2 "ZEN test point XBL" '^dnsbl ZEN SPAMHAUS_XBL .* listed w=3 .*answer=127.0.0.4 '
has tp2 "ZEN test point PBL" '^dnsbl ZEN SPAMHAUS_PBL .* listed w=2 .*answer=127.0.0.10 '
has tp2 "ip4trie test point" '^dnsbl GEN GEN 127.0.0.2 listed w=1 '
has tp2 "DNSWL test point" '^dnswl WL DNSWL_HI 127.0.0.2 listed w=-5 '
hasnt tp2 "dnswl fetches no TXT" '^dnswl .*txtlen=[1-9]'
has tp2 "TXT fetched for a listing (all three records)" '^dnsbl ZEN SPAMHAUS_SBL .*txt=SBL\\x20test\\x20listing\\x20127.0.0.2\\x20.*PBL'
dc tp1 -A "$POL" 127.0.0.1 -
has tp1 "127.0.0.1 is not listed (ZEN)" '^dnsbl ZEN ZEN 127.0.0.1 clean '
has tp1 "127.0.0.1 is not listed (GEN)" '^dnsbl GEN GEN 127.0.0.1 clean '
dc priv "$POL" 127.0.0.2 -
has priv "loopback client: no query without -A" '^pending 0$'
hasnt priv "loopback client: no result" '^(dnsbl|dnswl|rdns reverse) '

# ---- IPv4 answers ---------------------------------------------------------
dc x4 "$POL" 192.0.2.4 -
has x4 "XBL alone" '^dnsbl ZEN SPAMHAUS_XBL 192.0.2.4 listed w=3 .*answer=127.0.0.4 '
has x4 "ip4trie longest prefix code" '^dnsbl GEN GEN 192.0.2.4 listed .*answer=127.0.0.5 .*txt=single\\x20listing$'
has x4 "rdns none" '^rdns reverse DNS RDNS_NONE 192.0.2.4 listed .*answer=nxdomain'
has x4 "dnswl clean" '^dnswl WL WL 192.0.2.4 clean '
hasnt x4 "ipv6-only list not queried for IPv4" '^dnsbl V6 '
has x4 "no descriptor survives dns_stop" '^fds 0$'
dc x40 "$POL" 192.0.2.40 -
has x40 "three datasets, three A records, three results" '^dnsbl ZEN SPAMHAUS_PBL 192.0.2.40 listed'
has x40 "  ... SBL" '^dnsbl ZEN SPAMHAUS_SBL 192.0.2.40 listed'
has x40 "  ... XBL" '^dnsbl ZEN SPAMHAUS_XBL 192.0.2.40 listed'
has x40 "notxt list: listed without TXT" '^dnsbl PLAIN PLAIN 192.0.2.40 listed w=1 .*txtlen=0 '
has x40 "forward-confirmed rdns" '^rdns good.example.test$'
dc x99 "$POL" 192.0.2.99 -
has x99 "127.255.255.254 is an error" '^dnsbl ZEN ZEN 192.0.2.99 error .*answer=127.255.255.254 '
dc x98 "$POL" 192.0.2.98 -
has x98 "127.255.255.252 is an error" '^dnsbl ZEN ZEN 192.0.2.98 error .*answer=127.255.255.252 '
dc x97 "$POL" 192.0.2.97 -
has x97 "answer outside 127/8 is an error" '^dnsbl GEN GEN 192.0.2.97 error .*answer=10.0.0.1 '
dc x96 "$POL" 192.0.2.96 -
has x96 "127.0.0.1 answer is an error" '^dnsbl GEN GEN 192.0.2.96 error .*answer=127.0.0.1 '
dc x31 "$POL" 192.0.2.31 -
has x31 "DNSWL 127.0.0.255 is an error" '^dnswl WL WL 192.0.2.31 error .*answer=127.0.0.255 '
dc x32 "$POL" 192.0.2.32 -
has x32 "DNSWL trust 1" '^dnswl WL DNSWL_LOW 192.0.2.32 listed w=-0.7 .*answer=127.0.7.1 '
dc map "$POL" ::ffff:192.0.2.4 -
has map "::ffff: mapped address is IPv4" '^dnsbl ZEN SPAMHAUS_XBL 192.0.2.4 listed'
hasnt map "mapped: no IPv6 list" '^dnsbl V6 '

# ---- IPv6 -------------------------------------------------------------------
V6=2001:db8:1234:5678:9abc:def0:fedc:ba98
dc v6 "$POL" $V6 -
has v6 "ip6trie exact entry with all-distinct nibbles" "^dnsbl V6 V6 $V6 listed .*answer=127.0.0.4 .*txt=exact\\\\x20listing$"
has v6 "IPv6 PTR + AAAA forward-confirm" '^rdns v6host.example.test$'
hasnt v6 "ipv4-only list not queried" '^dnsbl PLAIN '
dc v6n "$POL" 2001:db8:1234:5678::1 -
has v6n "ip6trie /64" '^dnsbl V6 V6 2001:db8:1234:5678::1 listed .*answer=127.0.0.3 '
dc v6x "$POL" 2001:db8:1234:5679:9abc:def0:fedc:ba98 -
has v6x "neighbouring /64 is clean (nibble order)" '^dnsbl V6 V6 .* clean '

# ---- reverse DNS and TCPREMOTEHOST ---------------------------------------
dc r11 "$POL" 192.0.2.11 -
has r11 "second A record confirms" '^rdns good.example.test$'
dc r12 "$POL" 192.0.2.12 -
has r12 "PTR name without A: unconfirmed" '^rdns reverse DNS RDNS_UNCONFIRMED 192.0.2.12 listed .*answer=nosuchname.example.test '
dc r18 "$POL" 192.0.2.18 -
has r18 "A of PTR name lacks the IP: unconfirmed" '^rdns reverse DNS RDNS_UNCONFIRMED 192.0.2.18 listed'
dc r13 "$POL" 192.0.2.13 -
has r13 "249-byte PTR name confirmed" "^rdns $LONG\$"
for h in 14 15 16; do
	dc r$h "$POL" 192.0.2.$h -
	has r$h "hostile PTR name (.$h) is unconfirmed" "^rdns reverse DNS RDNS_UNCONFIRMED 192.0.2.$h listed"
	if grep -aq "$(printf '\r')" "$T/r$h.out" ||
	    [ "$(grep -ac '' "$T/r$h.out")" -ne "$(grep -c '' "$T/r13.out")" ]; then
		fail "hostile PTR name (.$h) holds no raw CR/LF" "$(od -c "$T/r$h.out" | head)"
	else
		ok "hostile PTR name (.$h) holds no raw CR/LF"
	fi
done
has r14 "CR LF kept as c-ares escapes" 'answer=evil\\013\\010bcc: x.example.test '
has r16 "NUL kept as an escape" 'answer=nul\\000byte.example.test '
dc rh "$POL" 192.0.2.10 good.example.test
has rh "TCPREMOTEHOST forward-confirmed without PTR" '^rdns good.example.test$'
dc rhbad "$POL" 192.0.2.10 other.example.test
has rhbad "TCPREMOTEHOST not confirming" '^rdns reverse DNS RDNS_UNCONFIRMED .*answer=other.example.test '
dc rhv6 "$POL" $V6 v4only.example.test
has rhv6 "IPv6 client: A-only name does not confirm" '^rdns reverse DNS RDNS_UNCONFIRMED'

# ---- sender and From: domains -----------------------------------------------
dc d1 "$POL" 192.0.2.200 - spam.example www.phish.example
has d1 "RHSBL sender (dnset)" '^rhsbl DBL SPAMHAUS_DBL spam.example listed w=3 src=2 .*txt=DBL\\x20spam\\x20domain$'
has d1 "RHSBL From: wildcard" '^rhsbl DBL SPAMHAUS_DBL www.phish.example listed w=3 src=1 .*answer=127.0.1.4 '
has d1 "sender domain NX" '^sender sender domain SENDER_DOMAIN_NX spam.example listed w=0\? src=2 '
dc d2 "$POL" 192.0.2.200 - ipquery.example IPQUERY.example.
has d2 "DBL 127.0.1.255 is an error" '^rhsbl DBL DBL ipquery.example error .*src=3 .*answer=127.0.1.255 '
has d2 "same domain queried once" '^pending 0$'
if [ "$(grep -c '^rhsbl ' "$T/d2.out")" -eq 1 ]; then ok "one RHSBL result for a shared domain"; else fail "one RHSBL result for a shared domain" "$(cat "$T/d2.out")"; fi
dc d3 "$POL" 192.0.2.200 - example.test onlyaaaa.example.test
has d3 "existing sender domain" '^sender sender domain SENDER_DOMAIN example.test clean .*answer=exists'
has d3 "From: domain gets no existence check" '^rhsbl DBL DBL onlyaaaa.example.test clean'
hasnt d3 "  ... (none)" '^sender .*onlyaaaa'
dc d4 "$POL" 192.0.2.200 - onlyaaaa.example.test
has d4 "domain with only AAAA exists" '^sender .*SENDER_DOMAIN onlyaaaa.example.test clean'
dc d5 "$POL" 192.0.2.200 - x.sfdom.test
has d5 "SERVFAIL on the sender domain is an error, not a finding" '^sender sender domain SENDER_DOMAIN x.sfdom.test error .*answer=servfail'
dc d6 "$POL" 192.0.2.200 - '[192.0.2.1]' 'bad..domain'
hasnt d6 "bogus domains are not queried" '^(rhsbl|sender) '
dc d7 "$POL" 192.0.2.200 - ''
hasnt d7 "null sender is not a finding" '^(rhsbl|sender) '

# ---- misbehaving servers (relay) ---------------------------------------------
cat > "$T/bad.pol" << EOF
dns 127.0.0.1:$RELAY
dnsbl DEAD dead.test
dnsbl SF sf.test
dnsbl REF ref.test
dnsbl JUNK junk.test
dnsbl WID wid.test
dnsbl TC tc.test
dnsbl BAD bad.test
dnsbl OPEN open.test
dnsbl BIG bigtxt.test
dnsbl CRLF crlf.test
dnsbl ZEN $KEY.zen.dq.spamhaus.net
EOF
dc bad -t 1000 "$T/bad.pol" 192.0.2.4 -
e=$(elapsed bad)
if [ "$e" -ge 950 ] && [ "$e" -le 1050 ]; then
	ok "a dead list costs the deadline (+50 ms at most): $e ms"
else
	fail "a dead list costs the deadline (+50 ms at most)" "elapsed $e"
fi
has bad "dropped queries: error timeout" '^dnsbl DEAD DEAD 192.0.2.4 error .*answer=timeout '
has bad "SERVFAIL: error" '^dnsbl SF SF .* error .*answer=servfail '
has bad "REFUSED: error" '^dnsbl REF REF .* error .*answer=refused '
has bad "garbage: error" '^dnsbl JUNK JUNK .* error .*answer=timeout '
has bad "wrong id: error" '^dnsbl WID WID .* error .*answer=timeout '
has bad "truncated: error" '^dnsbl TC TC .* error .*answer=truncated '
has bad "broken answer record: error" '^dnsbl BAD BAD .* error .*answer=badresp '
has bad "127.255.255.254 never scores" '^dnsbl OPEN OPEN .* error .*answer=127.255.255.254 '
has bad "others still answer" '^dnsbl ZEN SPAMHAUS_XBL 192.0.2.4 listed'
has bad "hostile TXT (CR LF Bcc NUL 8-bit) returned raw with its length" '^dnsbl CRLF CRLF 192.0.2.4 listed .*txtlen=400 txt=listed\\x0d\\x0aBcc:\\x20x\\x00\\xff'
has bad "2000-byte UDP TXT (EDNS0): listed, TXT kept up to 512 bytes" '^dnsbl BIG BIG 192.0.2.4 listed .*txtlen=512 txt=listed\\x0d\\x0aBcc:'
has bad "no descriptor survives the deadline" '^fds 0$'

# ---- resolver failures ---------------------------------------------------------
P0=$(free_port)
printf 'dns 127.0.0.1:%s\ndnsbl ZEN %s.zen.dq.spamhaus.net\n' "$P0" "$KEY" > "$T/dead.pol"
dc deadsrv -t 1000 "$T/dead.pol" 192.0.2.4 -
has deadsrv "no resolver: error" '^dnsbl ZEN ZEN 192.0.2.4 error .*answer=unreachable '
e=$(elapsed deadsrv)
if [ "$e" -lt 200 ]; then ok "  ... at once ($e ms)"; else fail "  ... at once" "$e ms"; fi
QQTAG_DNS=127.0.0.1:$RELAY dc env -t 1000 "$T/dead.pol" 192.0.2.4 -
has env "QQTAG_DNS overrides the policy's dns" '^dnsbl ZEN SPAMHAUS_XBL 192.0.2.4 listed'

# ---- the secret key ------------------------------------------------------------
if grep -aiq "$KEY" "$SENT"; then
	fail "secret zone key never in any output" "$(grep -a "$KEY" "$SENT" | head -n 3)"
else
	ok "secret zone key never in any output ($(grep -c '' "$SENT") lines)"
fi
if grep -iq "$KEY" "$T/relay.log"; then
	ok "  (the key did go out in queries)"
else
	fail "  (the key did go out in queries)"
fi

t_done

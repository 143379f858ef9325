#!/bin/sh
# t_geo.sh: the GeoIP test databases that tests/mkmmdb.pl builds with
# MaxMind's own writer, checked with MaxMind's own reader (mmdblookup,
# Debian mmdb-bin): every documentation network is really in the files
# (the writer drops reserved networks unless told not to), IPv4 lives
# under ::/96 and answers through ::ffff:, the metadata is what the unit
# test expects, and the hostile records are stored as intended.  What
# geo.c makes of the same files is tests/unit_geo.c.  Ends with
# "N passed, N failed".
. "$(dirname "$0")/lib.sh"

D=$T/db
mkdir -p "$D"
for t in perl mmdblookup; do
	command -v $t > /dev/null 2>&1 ||
		fail "$t not installed (sh tests/deps.sh test)"
done
check "mkmmdb.pl builds the databases" perl "$TOP/tests/mkmmdb.pl" "$D"
for f in country asn country-alt country4 deep shallow big; do
	if [ -s "$D/$f.mmdb" ]; then
		ok "$f.mmdb written"
	else
		fail "$f.mmdb missing or empty"
	fi
done

# look FILE IP PATH...: the value mmdblookup prints, reduced to one word
# (strings unquoted, numbers without their type), or "none".
look() {
	_f=$1
	_ip=$2
	shift 2
	mmdblookup -f "$D/$_f.mmdb" -i "$_ip" "$@" 2> /dev/null |
	    sed -n 's/^ *"\{0,1\}\([^"<]*\)"\{0,1\} <[a-z0-9_]*>$/\1/p' |
	    sed 's/ *$//' | head -n 1 | grep . || echo none
}

# want FILE IP EXPECTED PATH...
want() {
	_f=$1
	_ip=$2
	_e=$3
	shift 3
	assert_eq "$_f $_ip $*" "$_e" "$(look "$_f" "$_ip" "$@")"
}

want country 192.0.2.1 DE country iso_code
want country 192.0.2.254 DE registered_country iso_code
want country ::ffff:192.0.2.1 DE country iso_code
want country ::192.0.2.1 DE country iso_code
want country 198.51.100.7 US country iso_code
want country 203.0.113.9 CN country iso_code
want country 2001:db8::1 FR country iso_code
want country 2001:db8:ffff::1 FR country iso_code
want country 2001:db8:1::1 none country iso_code
want country 2001:db8:1::1 SE registered_country iso_code
want country 2001:db8:2::1 d3 country iso_code
want country 2001:db8:3::1 de country iso_code
want country 2001:db8:4::1 DEU country iso_code
want country 2001:db8:5::1 none country iso_code
want country 8.8.8.8 none country iso_code
want country 2001:db9::1 none country iso_code
want country-alt 192.0.2.1 AT country iso_code
want country-alt 198.51.100.7 US country iso_code
want country4 192.0.2.1 DE country iso_code
want country4 203.0.113.1 CN country iso_code
want big 192.0.2.1 DE country iso_code
want shallow 1.2.3.4 XX country iso_code

want asn 192.0.2.1 64500 autonomous_system_number
want asn 192.0.2.1 "Example Org" autonomous_system_organization
want asn ::ffff:192.0.2.1 64500 autonomous_system_number
want asn 198.51.100.7 none autonomous_system_number
want asn 203.0.113.1 64501 autonomous_system_number
want asn 2001:db8::1 64502 autonomous_system_number
want asn 2001:db8::1 "Example v6 Net" autonomous_system_organization
want asn 2001:db8:2::1 AS64503 autonomous_system_number
want asn 2001:db8:3::1 0 autonomous_system_number
want asn 2001:db8:4::1 64504 autonomous_system_number
want asn 2001:db8:4::1 none autonomous_system_organization
want asn 2001:db8:5::1 4294967295 autonomous_system_number

# The hostile organisation: CR LF and a forged header line inside.
mmdblookup -f "$D/asn.mmdb" -i 203.0.113.1 autonomous_system_organization \
    > "$T/evil" 2>&1
if grep -q 'Evil Org' "$T/evil" && tr '\r' '!' < "$T/evil" |
    grep -q '^X-Spam-Flag: NO!$'; then
	ok "hostile organisation stored with CR LF and a header line"
else
	fail "hostile organisation" "$(cat -A "$T/evil" | head -n 5)"
fi

# metadata: FILE "Record size: N bits" "IP version: IPvN" "Type: T"
meta() {
	mmdblookup -v -f "$D/$1.mmdb" -i 192.0.2.1 2> /dev/null |
	    sed -n 's/^ *\(Record size\|IP version\|Type\): *//p' |
	    tr '\n' ' ' | sed 's/ *$//'
}
assert_eq "country.mmdb metadata" "24 bits IPv6 GeoLite2-Country" \
    "$(meta country)"
assert_eq "asn.mmdb metadata" "28 bits IPv6 GeoLite2-ASN" "$(meta asn)"
assert_eq "country-alt.mmdb metadata" "32 bits IPv6 GeoLite2-Country" \
    "$(meta country-alt)"
assert_eq "country4.mmdb metadata" "24 bits IPv4 GeoLite2-Country" \
    "$(meta country4)"

# Without remove_reserved_networks => 0 the documentation ranges vanish:
# the reason mkmmdb.pl sets it.  Shown with the writer's default.
cat > "$T/default.pl" << 'EOF'
use MaxMind::DB::Writer::Tree;
my $t = MaxMind::DB::Writer::Tree->new(ip_version => 6, record_size => 24,
    database_type => 'x', languages => ['en'], description => { en => 'x' },
    map_key_type_callback => sub { 'utf8_string' });
$t->insert_network('192.0.2.0/24', { cc => 'DE' });
$t->insert_network('8.8.8.0/24', { cc => 'US' });
open(my $fh, '>:raw', $ARGV[0]) or die;
$t->write_tree($fh);
close($fh);
EOF
if perl "$T/default.pl" "$D/default.mmdb" 2> /dev/null; then
	assert_eq "writer default keeps public networks" US \
	    "$(look default 8.8.8.1 cc)"
	assert_eq "writer default drops TEST-NET (FACTS.md)" none \
	    "$(look default 192.0.2.1 cc)"
else
	ok "# writer refuses reserved networks outright (newer writer)"
fi

# deep.mmdb overflows the stack of libmaxminddb's own reader: the reason
# geo.c contains SIGSEGV as well as SIGBUS.  Informational: a fixed
# libmaxminddb answers XX and that is fine too.
sh -c 'ulimit -s 8192; mmdblookup -f "$1" -i 1.2.3.4 country; exit $?' \
    sh "$D/deep.mmdb" > /dev/null 2>&1
rc=$?
case $rc in
0) ok "# deep.mmdb: this libmaxminddb skips deep nesting safely" ;;
*) ok "# deep.mmdb: mmdblookup dies (exit $rc): libmaxminddb recursion" ;;
esac

t_done

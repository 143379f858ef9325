#!/usr/bin/perl
# mkmmdb.pl OUTDIR - build the GeoIP test databases with MaxMind's own
# writer (Debian libmaxmind-db-writer-perl).  Every network is a
# documentation range (RFC 5737 TEST-NET-1/2/3, RFC 3849 2001:db8::/32),
# which the writer silently drops unless remove_reserved_networks is 0.
#
#   country.mmdb      GeoLite2-Country shape (country.iso_code,
#                     registered_country.iso_code), IPv6 tree, IPv4 under
#                     ::/96, ::ffff:0:0/96 aliased, record size 24
#   asn.mmdb          GeoLite2-ASN shape (autonomous_system_number,
#                     autonomous_system_organization), record size 28
#   country-alt.mmdb  country.mmdb with 192.0.2.0/24 in AT instead of DE
#                     (the replacement in the rename test), record size 32
#   country4.mmdb     an IPv4-only (ip_version 4) country database
#   deep.mmdb         hostile, written byte by byte: one record, a map
#                     whose first key holds arrays nested DEEP (1,000,000)
#                     levels, then country.iso_code "XX".  libmaxminddb
#                     1.7.1 skips a value by recursing without a depth
#                     limit: any lookup in this file overflows the stack
#   shallow.mmdb      the same with 10 levels: looks up as XX
#   big.mmdb          country.mmdb plus 4000 /24 networks in 1/8-126/8
#                     (a fixed pseudo-random sequence) in four countries:
#                     a search tree of many pages, for the SIGBUS tests
#
# Data (tests/unit_geo.c and tests/t_geo.sh rely on it):
#   192.0.2.0/24     DE   AS64500 "Example Org"
#   198.51.100.0/24  US   (not in asn.mmdb)
#   203.0.113.0/24   CN   AS64501 hostile organisation: CR LF, a forged
#                         header, NUL, 8-bit, more than 300 bytes
#   2001:db8::/32    FR   AS64502 "Example v6 Net"
#   2001:db8:1::/48  registered_country SE only (no country)
#   2001:db8:2::/48  country.iso_code "d3" (not letters) / ASN as a string
#   2001:db8:3::/48  country.iso_code "de" (lower case) / ASN 0
#   2001:db8:4::/48  country.iso_code "DEU" (three letters) / ASN, no org
#   2001:db8:5::/48  country without iso_code / ASN 4294967295, org 127 B
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

my $out = shift @ARGV or die "usage: mkmmdb.pl OUTDIR\n";

my %types = (
	country				=> 'map',
	registered_country		=> 'map',
	iso_code			=> 'utf8_string',
	geoname_id			=> 'uint32',
	names				=> 'map',
	en				=> 'utf8_string',
	autonomous_system_number	=> 'uint32',
	autonomous_system_organization	=> 'utf8_string',
);

# tree(TYPE, IPVERSION, RECORDSIZE, CALLBACK): a writer tree for tests.
sub tree {
	my ($type, $ipv, $rs, $cb) = @_;
	return MaxMind::DB::Writer::Tree->new(
	    ip_version			=> $ipv,
	    record_size			=> $rs,
	    database_type		=> $type,
	    languages			=> ['en'],
	    description			=> { en => "qqtag test $type" },
	    map_key_type_callback	=> $cb // sub { $types{ $_[0] } },
	    remove_reserved_networks	=> 0,
	    alias_ipv6_to_ipv4		=> $ipv == 6 ? 1 : 0,
	);
}

sub cc {
	my ($iso, $id) = @_;
	return { iso_code => $iso, geoname_id => $id,
	    names => { en => "Country $iso" } };
}

sub write_tree {
	my ($t, $name) = @_;
	open(my $fh, '>:raw', "$out/$name.tmp") or die "$out/$name: $!\n";
	$t->write_tree($fh);
	close($fh) or die "$out/$name: $!\n";
	rename("$out/$name.tmp", "$out/$name") or die "$out/$name: $!\n";
}

sub country_tree {
	my ($rs, $ipv, $de) = @_;
	my $t = tree('GeoLite2-Country', $ipv, $rs);
	$t->insert_network('192.0.2.0/24', { country => cc($de, 1),
	    registered_country => cc($de, 1) });
	$t->insert_network('198.51.100.0/24', { country => cc('US', 2),
	    registered_country => cc('US', 2) });
	$t->insert_network('203.0.113.0/24', { country => cc('CN', 3),
	    registered_country => cc('CN', 3) });
	return $t if $ipv == 4;
	$t->insert_network('2001:db8::/32', { country => cc('FR', 4),
	    registered_country => cc('FR', 4) });
	$t->insert_network('2001:db8:1::/48',
	    { registered_country => cc('SE', 5) });
	$t->insert_network('2001:db8:2::/48', { country => cc('d3', 6) });
	$t->insert_network('2001:db8:3::/48', { country => cc('de', 7) });
	$t->insert_network('2001:db8:4::/48', { country => cc('DEU', 8) });
	$t->insert_network('2001:db8:5::/48',
	    { country => { geoname_id => 9 } });
	return $t;
}

write_tree(country_tree(24, 6, 'DE'), 'country.mmdb');
write_tree(country_tree(32, 6, 'AT'), 'country-alt.mmdb');
write_tree(country_tree(24, 4, 'DE'), 'country4.mmdb');

my $big = country_tree(24, 6, 'DE');
my $x = 12345;
my @ccs = qw(BR IN JP ZA);
for my $i (1 .. 4000) {
	$x = ($x * 1103515245 + 12345) % 2147483648;	# the C89 rand()
	my $net = sprintf('%d.%d.%d.0/24', 1 + ($x >> 16) % 126,
	    ($x >> 8) & 255, $x & 255);
	$big->insert_network($net, { country => cc($ccs[$i % 4], 10 + $i % 4),
	    registered_country => cc($ccs[$i % 4], 10 + $i % 4) });
}
write_tree($big, 'big.mmdb');

# The hostile organisation: header injection, NUL, 8-bit (the writer
# stores U+00E9 and U+00FF as two UTF-8 bytes each), then padding.
my $evil = "Evil Org\r\nX-Spam-Flag: NO\r\n\0\x{e9}\x{ff}\x01\x7f";
$evil .= 'A' x (300 - length($evil)) . 'END';

# 2001:db8:2::/48 carries its AS number as a string, so its key type
# depends on the network: a callback per tree cannot say that, so this
# tree types autonomous_system_number by the value's shape.
my $asn_cb = sub {
	my ($key, $value) = @_;
	return 'utf8_string'
	    if $key eq 'autonomous_system_number' && $value =~ /\D/;
	return $types{$key};
};
my $a = tree('GeoLite2-ASN', 6, 28, $asn_cb);
$a->insert_network('192.0.2.0/24', { autonomous_system_number => 64500,
    autonomous_system_organization => 'Example Org' });
$a->insert_network('203.0.113.0/24', { autonomous_system_number => 64501,
    autonomous_system_organization => $evil });
$a->insert_network('2001:db8::/32', { autonomous_system_number => 64502,
    autonomous_system_organization => 'Example v6 Net' });
$a->insert_network('2001:db8:2::/48',
    { autonomous_system_number => 'AS64503',
    autonomous_system_organization => 'String ASN' });
$a->insert_network('2001:db8:3::/48', { autonomous_system_number => 0,
    autonomous_system_organization => 'Zero' });
$a->insert_network('2001:db8:4::/48',
    { autonomous_system_number => 64504 });
$a->insert_network('2001:db8:5::/48',
    { autonomous_system_number => 4294967295,
    autonomous_system_organization => 'O' x 127 });
write_tree($a, 'asn.mmdb');

# The hostile deep.mmdb (and its harmless twin shallow.mmdb), by hand:
# MaxMind DB format 2.0, ip_version 4, record size 24, a single node
# whose two records point at data offset 0.
sub str_ { my $b = shift; return pack('C', 0x40 | length($b)) . $b }
sub uint_ {
	my ($type, $v, $bytes) = @_;
	my $b = substr(pack('Q>', $v), 8 - $bytes);
	$b =~ s/^\0+//;
	return $type == 2 ? pack('CC', length($b), 2) . $b :
	    pack('C', ($type << 5) | length($b)) . $b;
}
sub map_ {
	my @kv = @_;
	my $out = pack('C', 0xe0 | (@kv / 2));
	while (my ($k, $v) = splice(@kv, 0, 2)) {
		$out .= str_($k) . $v;
	}
	return $out;
}

sub deep {
	my ($name, $depth) = @_;
	my $nest = "\x01\x04" x $depth . "\x00\x04";	# [[[...[]...]]]
	my $data = map_(aaa => $nest,
	    country => map_(iso_code => str_('XX')));
	my $rec = substr(pack('N', 1 + 16), 1);	# node_count + separator
	my $meta = map_(
	    node_count => uint_(6, 1, 4),
	    record_size => uint_(5, 24, 2),
	    ip_version => uint_(5, 4, 2),
	    database_type => str_('Deep'),
	    languages => "\x00\x04",
	    binary_format_major_version => uint_(5, 2, 2),
	    binary_format_minor_version => uint_(5, 0, 2),
	    build_epoch => uint_(2, 1700000000, 8),
	    description => map_());
	open(my $fh, '>:raw', "$out/$name") or die "$out/$name: $!\n";
	print $fh $rec, $rec, "\0" x 16, $data, "\xab\xcd\xefMaxMind.com",
	    $meta;
	close($fh) or die "$out/$name: $!\n";
}

deep('deep.mmdb', 1000000);
deep('shallow.mmdb', 10);

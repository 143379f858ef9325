#!/bin/sh
# demo/run.sh - what "make demo" runs after the build: a handful of sample
# messages from different SMTP clients go through the real qqtag, with its
# own rbldnsd on a free high port of 127.0.0.1 serving sample lists, into
# a stand-in for qmail-queue.  For each message it prints the client, the
# header block qqtag put on top, the forged lines it stripped, its log
# line, and what the queue got.  Nothing goes beyond 127.0.0.1; whatever
# it starts is stopped, and its temporary directory removed, at exit.
#
#   sh demo/run.sh            (from anywhere; needs a built ./qqtag)
#
# The sample messages in demo/msgs/ carry @DATE@ (the Date: field) and
# @RCVD@ (the date of qmail-smtpd's Received line); both become now, so
# that the date heuristics (DATE_IN_PAST after 10 days) see fresh mail.
#
# Environment: QQTAG (default ./qqtag), DEMO_OUT=DIR keeps the messages
# there (N.in as sent, dates filled in; N.msg, N.env, N.info as queued;
# N.log), KEEP=1 keeps the temporary directory.  Packages: rbldnsd; for
# GeoIP libmaxmind-db-writer-perl and mmdb-bin ("sh tests/deps.sh demo"
# installs them).  POSIX sh, no python.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd) || exit 1
DEMO=$TOP/demo
QQTAG=${QQTAG:-$TOP/qqtag}
STANDIN=$TOP/tests/qq-standin
RULE=------------------------------------------------------------------------

die() {
	echo "demo: $*" >&2
	exit 1
}

[ -x "$QQTAG" ] || die "no $QQTAG: run \"make demo\" (or make) first"
command -v rbldnsd > /dev/null 2>&1 ||
	die "rbldnsd is missing: run \"sh tests/deps.sh demo\" as root"
if [ ! -x "$STANDIN" ] ||
    [ -n "$(find "$STANDIN.c" -newer "$STANDIN" 2> /dev/null)" ]; then
	make -s -C "$TOP" tests/qq-standin > /dev/null ||
		die "cannot build tests/qq-standin"
fi

# ---- the temporary directory and the cleanup -------------------------------

D=$(mktemp -d "${TMPDIR:-/tmp}/qqtag-demo.XXXXXX") || exit 1
RBL_PID=
cleanup() {
	rc=$?
	set +e
	trap - EXIT
	trap '' PIPE HUP INT TERM
	if [ -n "$RBL_PID" ]; then
		kill "$RBL_PID" 2> /dev/null
		i=0
		while kill -0 "$RBL_PID" 2> /dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$RBL_PID" 2> /dev/null
		wait "$RBL_PID" 2> /dev/null
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		echo "demo: KEEP=1: $D kept"
	else
		rm -rf "$D"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# "sh demo/run.sh | head": a write to the closed pipe must clean up too
trap 'exit 141' PIPE

OUT=${DEMO_OUT:-$D/out}
mkdir -p "$D/zones" "$D/spool" "$D/geo" "$OUT" || exit 1
cp "$DEMO"/zones/* "$D/zones/" || exit 1
# as root rbldnsd drops to user rbldns, which must read the zones
chmod -R a+rX "$D/zones"

# ---- rbldnsd on a free port ---------------------------------------------------

# free_port: a random high port free for TCP and UDP on 127.0.0.1.
free_port() {
	perl -MIO::Socket::INET -e '
	for (1 .. 200) {
		my $p = 20000 + int(rand(40000));
		my $u = IO::Socket::INET->new(Proto => "udp",
		    LocalAddr => "127.0.0.1", LocalPort => $p) or next;
		my $t = IO::Socket::INET->new(Proto => "tcp",
		    LocalAddr => "127.0.0.1", LocalPort => $p, Listen => 1,
		    ReuseAddr => 0) or next;
		print "$p\n";
		exit 0;
	}
	exit 1;'
}

# The zones: a ZEN-like list (IPv4 and IPv6 parts), a DNSWL-like
# allowlist, a DBL-like domain list (sender domains and linked domains),
# forward names and MX records of the senders, and empty reverse zones
# (no client has a PTR record).
ZONES="zen.dnsbl.test:ip4set:zen-sbl zen.dnsbl.test:ip4set:zen-css
zen.dnsbl.test:ip4set:zen-xbl zen.dnsbl.test:ip4set:zen-pbl
zen.dnsbl.test:ip6trie:zen6-sbl zen.dnsbl.test:ip6trie:zen6-xbl
list.dnswl.test:ip4trie:dnswl dbl.dnsbl.test:dnset:dbl
example.org:generic:hosts-example.org example.net:generic:hosts-example.net
example:generic:hosts-example in-addr.arpa:generic:reverse
ip6.arpa:generic:reverse"

# start_rbldnsd: rbldnsd in the foreground (-n) as our child; 0 once it
# has loaded the zones and listens, 1 if it died (e.g. the port was taken).
start_rbldnsd() {
	: > "$D/rbldnsd.log"
	# shellcheck disable=SC2086
	rbldnsd -n -b "127.0.0.1/$PORT" -w "$D/zones" -t 60 $ZONES \
	    > "$D/rbldnsd.log" 2>&1 &
	RBL_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		if grep -q ' started' "$D/rbldnsd.log"; then
			return 0
		fi
		if ! kill -0 "$RBL_PID" 2> /dev/null; then
			wait "$RBL_PID" 2> /dev/null
			RBL_PID=
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

tries=0
while :; do
	PORT=$(free_port) || die "no free port on 127.0.0.1"
	start_rbldnsd && break
	tries=$((tries + 1))
	if [ $tries -ge 5 ]; then
		sed 's/^/    /' "$D/rbldnsd.log" >&2
		die "rbldnsd does not start"
	fi
done

# ---- the GeoIP sample databases and the policy ----------------------------------

GEO=none
if [ -f "$TOP/tests/mkmmdb.pl" ] &&
    perl -MMaxMind::DB::Writer::Tree -e 1 2> /dev/null; then
	if perl "$TOP/tests/mkmmdb.pl" "$D/geo" > "$D/geo.log" 2>&1; then
		GEO=built
	else
		GEO="not built: $(tail -n 1 "$D/geo.log")"
	fi
elif [ -f "$TOP/tests/mkmmdb.pl" ]; then
	GEO="not built: MaxMind's writer (libmaxmind-db-writer-perl) is missing"
fi

# fill FILE: demo/policy.in with the demo's paths and port.
fill() {
	sed -e "s|@QUEUE@|$STANDIN|" -e "s|@SPOOL@|$D/spool|" \
	    -e "s|@PORT@|$PORT|" -e "s|@GEODIR@|$D/geo|" "$DEMO/policy.in" > "$1"
}
# nogeo IN OUT: the geo lines commented out, with a note why.
nogeo() {
	sed -e 's/^\(geoip\|country\|asn\) /#(geo off) \1 /' "$1" > "$2"
}
POLICY=$D/policy
fill "$D/policy.geo"
GEONOTE=
if [ "$GEO" = built ] &&
    "$QQTAG" -n -u "$(id -un)" "$D/policy.geo" 2> "$D/n.out" > /dev/null; then
	cp "$D/policy.geo" "$POLICY"
	GEONOTE="on: sample country and ASN databases (tests/mkmmdb.pl);
            X-Qqtag gets country= and asn=, and X-Qqtag-Geo is added.
            The name of AS64501 (message 5) is hostile test data: CR LF,
            a forged X-Spam-Flag: NO, 8-bit bytes; see it sanitised."
else
	nogeo "$D/policy.geo" "$POLICY"
	if [ "$GEO" = built ]; then
		# an older qqtag (QQTAG=...) without the geoip keyword
		GEONOTE="off: sample databases built, but this qqtag rejects
            the policy's geo lines:
            $(grep -m 1 -v ': ok$' "$D/n.out" | sed 's|.*/||')"
	else
		GEONOTE="off ($GEO)"
	fi
	"$QQTAG" -n -u "$(id -un)" "$POLICY" 2> "$D/n.out" > /dev/null ||
		die "the demo policy does not parse: $(cat "$D/n.out")"
fi

echo "qqtag demo: sample messages through $QQTAG"
echo "  rbldnsd   127.0.0.1 port $PORT (pid $RBL_PID): ZEN-, DNSWL- and DBL-like"
echo "            lists with TEST-NET entries, forward names, MX records"
echo "  GeoIP     $GEONOTE"
echo "  policy    demo/policy.in (dns 127.0.0.1:$PORT, threshold 5)"
echo "  queue     tests/qq-standin (stores what qmail-queue would get)"

# ---- one message --------------------------------------------------------------------

N=0
FAILED=0
# now, as a Date: field (RFC 5322 3.3) and as qmail-smtpd writes it in its
# Received line (date822fmt: no leading zero, -0000)
NOW_DATE=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')
NOW_RCVD=$(LC_ALL=C date -u '+%d %b %Y %H:%M:%S -0000' | sed 's/^0//')

# geo IP: "country CC, ASnumber" from the sample databases (mmdblookup).
geo() {
	[ "$GEO" = built ] && command -v mmdblookup > /dev/null 2>&1 || return 0
	_cc=$(mmdblookup -f "$D/geo/country.mmdb" -i "$1" country iso_code \
	    2> /dev/null | sed -n 's/^ *"\([A-Za-z]*\)".*/\1/p')
	_as=$(mmdblookup -f "$D/geo/asn.mmdb" -i "$1" \
	    autonomous_system_number 2> /dev/null |
	    sed -n 's/^ *\([0-9][0-9]*\) .*/AS\1/p')
	echo "${_cc:-unknown country}${_as:+, $_as}"
}

# wrap: each line of stdin as words, indented, wrapped at 76 columns
# (a word is never cut).
wrap() {
	awk '{
		line = "   "
		for (i = 1; i <= NF; i++) {
			if (length(line) + 1 + length($i) > 76 && line != "   ") {
				print line
				line = "   "
			}
			line = line " " $i
		}
		print line
	}'
}

# show TITLE MSG SENDER RCPT [VAR=VALUE]...: run qqtag as qmail-smtpd
# would, in a clean environment plus VAR=VALUE, and print what happened.
show() {
	_title=$1
	_from=$3
	_to=$4
	N=$((N + 1))
	_q=$OUT/$N
	_msg=$_q.in
	sed -e "s/@DATE@/$NOW_DATE/" -e "s/@RCVD@/$NOW_RCVD/" \
	    "$DEMO/msgs/$2" > "$_msg" || exit 1
	shift 4
	printf 'F%s\0T%s\0\0' "$_from" "$_to" > "$D/env.$N"
	rm -f "$_q.msg" "$_q.env" "$_q.info"

	env -i PATH="$PATH" QQTAG_POLICY="$POLICY" QQ_OUT="$_q" "$@" \
	    "$QQTAG" < "$_msg" 1< "$D/env.$N" 2> "$_q.log"
	_rc=$?

	echo
	echo "$RULE"
	echo "$N. $_title"
	echo "$RULE"
	_ip=
	_cl=
	for _v in "$@"; do
		case $_v in
		TCPREMOTEIP=* | TCP6REMOTEIP=*) _ip=${_v#*=} ;;
		esac
		case $_v in
		*=) _cl="$_cl $_v\"\"" ;;
		*) _cl="$_cl $_v" ;;
		esac
	done
	echo "client  :$_cl"
	[ -n "$_ip" ] && [ -n "$(geo "$_ip")" ] &&
		echo "geo     : $(geo "$_ip") (sample database, mmdblookup)"
	echo "envelope: from <$_from> to <$_to>"
	if [ "$_rc" != 0 ] || [ ! -f "$_q.msg" ]; then
		FAILED=$((FAILED + 1))
		echo "FAILED: qqtag exit $_rc, nothing queued"
		sed 's/^/    /' "$_q.log"
		return
	fi
	echo "qqtag added:"
	FIRST=$(head -n 1 "$_msg") awk '
		$0 == ENVIRON["FIRST"] { exit }
		{ print "    " $0 }' "$_q.msg"
	# the original header lines missing from what the queue got
	awk 'NR == FNR { q[++nq] = $0; next }
		FNR == 1 { for (j = 1; j <= nq && q[j] != $0; j++) ; }
		$0 == "" { exit }
		{ if (j <= nq && q[j] == $0) j++; else print "    " $0 }' \
	    "$_q.msg" "$_msg" > "$D/stripped"
	if [ -s "$D/stripped" ]; then
		echo "stripped from the message (forged tags):"
		cat "$D/stripped"
	else
		echo "stripped: nothing (no forged tags in this message)"
	fi
	echo "qqtag log line (fd 2):"
	wrap < "$_q.log"
	if cmp -s "$_q.env" "$D/env.$N"; then
		_e="the envelope byte for byte"
	else
		_e="the envelope DIFFERS"
		FAILED=$((FAILED + 1))
	fi
	echo "queue   : exit 0, $(wc -c < "$_q.msg" | tr -d ' ') bytes queued, $_e"
}

show "A clean client: forward-confirmed host name, on no list" \
    1-clean.msg alice@example.org bob@example.com \
    TCPREMOTEIP=198.51.100.20 TCPREMOTEHOST=mail.example.org
show "A listed client: SBL+XBL+PBL, no reverse DNS, no such sender domain" \
    2-listed.msg winner@lottery.example bob@example.com \
    TCPREMOTEIP=192.0.2.99
show "An allowlisted client: DNSWL trust high outweighs a CSS listing" \
    3-allowlisted.msg news@partner.example bob@example.com \
    TCPREMOTEIP=192.0.2.30 TCPREMOTEHOST=mx.partner.example
show "A dynamic-looking host name (DSL range, on the PBL)" \
    4-dynamic.msg joe@example.net bob@example.com \
    TCPREMOTEIP=192.0.2.44 TCPREMOTEHOST=192-0-2-44.dsl.example.net
show "Forged tags: the spammer says X-Spam-Flag: NO" \
    5-forged.msg deals@bulk-offers.example bob@example.com \
    TCPREMOTEIP=203.0.113.66
show "An IPv6 client on the IPv6 part of the ZEN-like list" \
    6-ipv6.msg service@example.net bob@example.com \
    TCPREMOTEIP=2001:db8:bad:1::25
show "A relay client (RELAYCLIENT set: your own user, from a listed IP)" \
    7-relay.msg carol@example.com friend@example.org \
    TCPREMOTEIP=192.0.2.99 RELAYCLIENT=
show "A clean client, but the message links to a listed domain (URI list)" \
    8-uri.msg alice@example.org bob@example.com \
    TCPREMOTEIP=198.51.100.20 TCPREMOTEHOST=mail.example.org

# ---- what an administrator sees -----------------------------------------------------

echo
echo "$RULE"
echo "qqtag -c 192.0.2.99 -f winner@lottery.example: every DNS check for one client"
echo "$RULE"
env -i PATH="$PATH" QQTAG_POLICY="$POLICY" "$QQTAG" -c 192.0.2.99 \
    -f winner@lottery.example 2>&1 | awk '
	# test kind verdict subject [answer] Nms [weight] ["TXT"]: narrower
	# columns, no TXT; any other line as it is
	{
		for (m = 4; m <= NF && $m !~ /^[0-9]+ms$/; m++) ;
		if (m > NF || m > 6) { print; next }
		printf "%-17s %-6s %-7s %-16s %-11s %5s %s\n", $1, $2, $3, $4,
		    m == 6 ? $5 : "", $m, $(m + 1) ~ /^[-+][0-9]/ ? $(m + 1) : ""
	}'
echo "(test, kind, verdict, what was looked up, the answer, time, weight)"
echo "(DNS checks only: the header heuristics, such as message 2's"
echo " HELO_NOT_FQDN, need the message)"

echo
if [ "$FAILED" -gt 0 ]; then
	echo "demo: $FAILED of $N messages FAILED"
	exit 1
fi
echo "demo: $N messages tagged and queued; rbldnsd stopped, temporary files removed."
[ -n "${DEMO_OUT-}" ] && echo "demo: the queued messages are in $OUT"
exit 0

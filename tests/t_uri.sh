#!/bin/sh
# t_uri.sh: issue 13 end to end through the real qqtag binary: the URI
# blocklists.  Real rbldnsd serves DBL-, URIBL- and SURBL-shaped dnset
# zones with their codes (DBL 127.0.1.x, URIBL and SURBL bit masks), their
# error codes (127.0.1.255, 127.0.0.1) and an address listing; a relay
# (tests/dnsrelay.py) in front of it logs every query, drops a dead list
# and delays answers.  qqtag runs as qmail-smtpd runs it, the strict
# stand-in as the queue.  Checked: the tests and warnings in the block,
# the log line, no zone key anywhere, each domain asked once per list,
# the allowlist asks nothing, errors never score, a dead list costs the
# deadline and no more, a link split by a pause in the upload, quoted-
# printable (a soft break inside a host, split by pauses), base64 HTML,
# mailto: and Reply-To:, the
# queries leave during the upload (after_eom_ms small), qqtag -c -U and
# qqtag -a.  Ends with "N passed, N failed".
. "$(dirname "$0")/lib.sh"

KEY=s3cr3tk3yuri
SPOOL=$T/spool
mkdir -p "$SPOOL"
cp "$QQTAG" "$T/qqtag" || { fail "copy $QQTAG"; t_done; }
QQTAG=$T/qqtag

# bench/dns-drive.py qq PROG MSG ENV LOG [OFFSET:MS]...: PROG with fd 0 a
# pipe fed with MSG (pausing MS ms after OFFSET bytes), fd 1 ENV, fd 2
# LOG; prints "... rc=R" (R its exit status) after timing figures.
DRIVE=$TOP/bench/dns-drive.py

# ---- zones --------------------------------------------------------------------
Z=$T/zones
mkdir -p "$Z"
cat > "$Z/dbl" << 'EOF'
:127.0.1.2:DBL spam domain $
dbltest.com
spam-dbl.example
phish.example :127.0.1.4:DBL phish
abused.example :127.0.1.102:DBL abused legit
err-dbl.example :127.0.1.255:IP queries prohibited
reply-dbl.example
mailto-dbl.example :127.0.1.5:DBL malware
EOF
cat > "$Z/uribl" << 'EOF'
:127.0.0.2:URIBL black $
test.uribl.com :127.0.0.14:URIBL test
black.example
grey.example :127.0.0.4:URIBL grey
multi.example :127.0.0.14:URIBL black grey red
refused.example :127.0.0.1:Query Refused
b64.example
EOF
cat > "$Z/surbl" << 'EOF'
:127.0.0.8:SURBL phishing $
test.surbl.org :127.0.0.254:SURBL test
ph.example
abuse.example :127.0.0.64:SURBL abuse
7.100.51.198 :127.0.0.64:SURBL abuse address
qp-split.example
EOF
RBL=$(free_port)
start_rbldnsd "$Z" "$RBL" dbl.test:dnset:dbl uribl.test:dnset:uribl \
    "$KEY.surbl.test:dnset:surbl" || { fail "rbldnsd starts"; t_done; }

# relays: one that logs every query, one 300 ms late
start_relay() {
	_p=$1
	_l=$2
	shift 2
	"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$_p" -l 600 "$@" 2>> "$_l" &
	_t_pids="$_t_pids $!"
	_i=0
	while [ "$(DNSQ_TIMEOUT=0.5 dnsq "$_p" x.dbl.test A 2> /dev/null |
	    head -n 1)" = TIMEOUT ]; do
		_i=$((_i + 1))
		[ $_i -lt 30 ] || return 1
		sleep 0.1
	done
}
ROUTES="-u dbl.test=$RBL -u uribl.test=$RBL -u $KEY.surbl.test=$RBL"
RELAY=$(free_port)
: > "$T/relay.log"
# shellcheck disable=SC2086
start_relay "$RELAY" "$T/relay.log" $ROUTES -r dead.test=drop ||
	{ fail "relay answers"; t_done; }
R300=$(free_port)
# shellcheck disable=SC2086
start_relay "$R300" /dev/null $ROUTES -q -r ".=delay:300" ||
	{ fail "relay (300 ms) answers"; t_done; }

# ---- policies -----------------------------------------------------------------------
# URI lists only (QQTAG_DNS names the resolver: no dns line, so no client
# check runs and every score is the URI lists'); SPF, DKIM and DMARC off,
# and the header rule on text/html messages (issue 14)
pol() {
	cat << EOF
spool $SPOOL
timeout $1
threshold 5
spf off
dkim off
dmarc off
weight MIME_HTML_ONLY 0
urilist DBL dbl.test profile=dbl
urilist URIBL uribl.test profile=uribl
urilist SURBL $KEY.surbl.test profile=surbl
uriallow mysite.example
EOF
}
pol 2 > "$T/policy"
{ pol 1; echo "urilist DEAD dead.test"; } > "$T/policy.dead"
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN"
unset TCPREMOTEIP TCP6REMOTEIP TCPREMOTEHOST TCPREMOTEINFO RELAYCLIENT \
    QQTAG_SKIP QQTAG_TRUSTED QQTAG_THRESHOLD QMAILQUEUE QQTAG_LOOP \
    2> /dev/null || :

check "qqtag -n accepts urilist and uriallow lines" "$QQTAG" -n -u "$(id -un)" \
    "$T/policy"

# ---- messages -----------------------------------------------------------------------
DATE=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')
hdrs() {
	cat << EOF
Received: from client.example.test (HELO mail.example.test) (192.0.2.50)
  by mx.example.org with SMTP; $DATE
From: Someone <someone@example.test>
To: rcpt@example.org
Subject: links
Date: $DATE
Message-ID: <1@example.test>
EOF
}
{
	hdrs
	echo
	echo "Hello, see http://www.spam-dbl.example/offer and"
	echo "https://Black.Example:8443/x, http://ph.example./login,"
	echo "http://198.51.100.7/img.png, again http://spam-dbl.example/,"
	echo "http://www.google.com/ and http://shop.mysite.example/."
} > "$T/plain"
{
	hdrs
	echo "MIME-Version: 1.0"
	echo "Content-Type: text/html; charset=us-ascii"
	echo
	echo "<html><body><p>Hi</p>"
	echo "<a href=\"http://www.multi.example/a\">a</a>"
	echo "<img src=\"https://cdn.grey.example/p.gif\">"
	echo "<a href=\"http://abused.example/r?u=1\">b</a>"
	echo "</body></html>"
} > "$T/html"
{
	hdrs
	echo
	echo "errors: http://err-dbl.example/ http://refused.example/"
} > "$T/errs"
{
	hdrs
	echo
	echo "nothing listed: http://clean.example/ http://www.w3.org/"
} > "$T/clean"
# MIME: a quoted-printable text part whose link has a soft line break
# in its host, a base64 HTML part, a mailto: link, a Reply-To: domain
B64=$(printf '<p>see <a href="http://www.b64.example/&amp;x">here</a></p>\n' |
    base64 -w 60)
{
	hdrs | sed '/^Subject:/a\
Reply-To: Sales <sales@mail.reply-dbl.example>'
	echo "MIME-Version: 1.0"
	echo 'Content-Type: multipart/alternative; boundary="b1"'
	echo
	echo "preamble http://preamble-not-a-part.example/"
	echo "--b1"
	echo "Content-Type: text/plain; charset=utf-8"
	echo "Content-Transfer-Encoding: quoted-printable"
	echo
	echo "Go to http://shop.qp-=3D"
	echo "x http://www.qp-sp=
lit.example/deal or write to mailto:boss@mailto-dbl.example"
	echo "--b1"
	echo "Content-Type: text/html"
	echo "Content-Transfer-Encoding: base64"
	echo
	echo "$B64"
	echo "--b1--"
} > "$T/mime"
mkenv "$T/env" someone@example.test rcpt@example.org

# q NAME MSG [VAR=VALUE]...: qqtag on MSG (fd 0 a file); the stand-in's
# copy in $T/NAME.msg, the log in $T/NAME.log, the block in $T/NAME.hdr
q() {
	_n=$1
	_m=$2
	shift 2
	env QQ_OUT="$T/$_n" TCPREMOTEIP=192.0.2.50 "$@" "$QQTAG" < "$_m" \
	    1< "$T/env" 2> "$T/$_n.log"
	RC=$?
	sed '/^$/q' "$T/$_n.msg" 2> /dev/null | awk '
	    /^[ \t]/ { sub(/^[ \t]+/, " "); line = line $0; next }
	    { if (line != "") print line; line = $0 }
	    END { if (line != "") print line }' > "$T/$_n.hdr"
	cat "$T/$_n.msg" "$T/$_n.log" >> "$T/sent" 2> /dev/null
}
# qd NAME MSG [OFFSET:MS]... -- [VAR=VALUE]...: the same through $DRIVE
qd() {
	_n=$1
	_m=$2
	shift 2
	_p=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_p="$_p $1"
		shift
	done
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2086
	env QQ_OUT="$T/$_n" TCPREMOTEIP=192.0.2.50 "$@" "$PYTHON" "$DRIVE" \
	    qq "$QQTAG" "$_m" "$T/env" "$T/$_n.log" $_p > "$T/$_n.drive"
	RC=$(sed -n 's/.* rc=\([0-9]*\)$/\1/p' "$T/$_n.drive")
	cat "$T/$_n.msg" "$T/$_n.log" >> "$T/sent" 2> /dev/null
}
# tests_of NAME: the tests= of run NAME's log line, one a line, sorted
tests_of() {
	logkv "$T/$1.log" tests | tr ',' '\n' | sort
}
# delivered NAME MSG: the stand-in got MSG byte for byte after the block
delivered() {
	if [ -s "$T/$1.msg" ] && "$PYTHON" -c '
import sys
a = open(sys.argv[1], "rb").read()
b = open(sys.argv[2], "rb").read()
sys.exit(0 if a.endswith(b) and a[:len(a) - len(b)].endswith(b"\n") else 1)
' "$T/$1.msg" "$2"; then
		ok "$3"
	else
		fail "$3" "$(cat "$T/$1.log")"
	fi
}

# ---- a plain message with links ----------------------------------------------------------
: > "$T/relay.log"
q plain "$T/plain" QQTAG_DNS=127.0.0.1:$RELAY
assert_eq "plain: queued (exit 0)" 0 "$RC"
delivered plain "$T/plain" "plain: the message follows the block byte for byte"
assert_eq "plain: DBL spam, URIBL black, SURBL phishing and an abused address" \
    "URIBL_ABUSE_SURBL
URIBL_BLACK
URIBL_DBL_SPAM
URIBL_PH_SURBL" "$(tests_of plain)"
assert_eq "plain: flagged (2.5 + 1.7 + 2 + 1.5 >= 5)" "X-Spam-Flag: YES" \
    "$(grep '^X-Spam-Flag:' "$T/plain.hdr")"
if grep -q '^X-Spam-Warning: .*spam-dbl\.example.* listed in DBL' \
    "$T/plain.hdr" && grep -q '^X-Spam-Warning: .*198\.51\.100\.7.* listed in SURBL' \
    "$T/plain.hdr"; then
	ok "plain: the warnings name the registrable domain and the address"
else
	fail "plain: warnings" "$(grep Warning "$T/plain.hdr")"
fi
if [ "$(logkv "$T/plain.log" uris)" = "spam-dbl.example,black.example,ph.example,198.51.100.7" ]
then
	ok "plain: the log line names the listed domains (uris=), each once"
else
	fail "plain: the log line" "$(cat "$T/plain.log")"
fi
# the relay saw every query: each domain once per list, in its registrable
# form, the address reversed, the allowlisted ones never
rq() {
	grep -c "^$1 1 " "$T/relay.log"
}
assert_eq "plain: spam-dbl.example asked of DBL once (two links, www. and bare)" \
    1 "$(rq 'spam-dbl\.example\.dbl\.test\.\{0,1\}')"
assert_eq "plain: ... of URIBL once" 1 \
    "$(rq 'spam-dbl\.example\.uribl\.test\.\{0,1\}')"
check "plain: the relay logged the queries" [ -s "$T/relay.log" ]
assert_eq "plain: no www. name asked" 0 "$(grep -c 'www\.' "$T/relay.log")"
assert_eq "plain: the address, reversed, asked of SURBL only" "1 0 0" \
    "$(rq "7\.100\.51\.198\.$KEY\.surbl\.test\.\{0,1\}") $(rq \
    '7\.100\.51\.198\.dbl\.test\.\{0,1\}') $(rq \
    '7\.100\.51\.198\.uribl\.test\.\{0,1\}')"
if [ -s "$T/relay.log" ] && ! grep -q 'google\|mysite' "$T/relay.log"; then
	ok "plain: built-in and uriallow domains never asked"
else
	fail "plain: allowlisted domains asked" "$(cat "$T/relay.log")"
fi

# ---- HTML: bit masks, abused --------------------------------------------------------------
q html "$T/html" QQTAG_DNS=127.0.0.1:$RELAY
# (MIME_HTML_ONLY, a header rule of issue 14, is listed at weight 0)
assert_eq "html: URIBL 127.0.0.14 is black, grey and red; grey alone; DBL abused" \
    "MIME_HTML_ONLY
URIBL_BLACK
URIBL_DBL_ABUSE_SPAM
URIBL_GREY
URIBL_GREY
URIBL_RED" "$(tests_of html)"
# 1.7 + 1.5 + 0.5 + 0.1: URIBL_GREY scores once for its two domains
assert_eq "html: a test scores once a message (score 3.8)" 3.8 \
    "$(logkv "$T/html.log" score)"
delivered html "$T/html" "html: delivered byte for byte"

# ---- MIME: quoted-printable, base64, mailto:, Reply-To: ----------------------------------
: > "$T/relay.log"
q mime "$T/mime" QQTAG_DNS=127.0.0.1:$RELAY
assert_eq "mime: Reply-To: (DBL spam), a QP soft break inside a host (SURBL), base64 HTML (URIBL), mailto: (DBL malware)" \
    "URIBL_BLACK
URIBL_DBL_MALWARE
URIBL_DBL_SPAM
URIBL_PH_SURBL" "$(tests_of mime)"
delivered mime "$T/mime" "mime: delivered byte for byte"
assert_eq "mime: qp-split.example asked once of each list" 3 \
    "$(grep -c '^qp-split\.example\.[^ ]* 1 ' "$T/relay.log")"
# the soft break and the boundary line split by pauses in the upload
QB=$(grep -b -o 'qp-sp=' "$T/mime" | head -n 1 | cut -d: -f1)
check "mime: the QP soft break found in the message (offset $QB)" \
    [ -n "$QB" ]
for d in 5 6 7; do
	qd "mime$d" "$T/mime" "$((QB + d)):50" -- QQTAG_DNS=127.0.0.1:$RELAY
	if [ "$(tests_of "mime$d" | tr '\n' ' ')" = "URIBL_BLACK URIBL_DBL_MALWARE URIBL_DBL_SPAM URIBL_PH_SURBL " ]
	then
		ok "mime: a pause $d bytes into the QP soft break, all four found"
	else
		fail "mime: QP soft break across two reads ($d)" \
		    "$(cat "$T/mime$d.log")"
	fi
done

# ---- error codes never score ------------------------------------------------------------
q errs "$T/errs" QQTAG_DNS=127.0.0.1:$RELAY
assert_eq "errs: queued" 0 "$RC"
if grep -q '^X-Spam-Status: No' "$T/errs.hdr" &&
    ! grep -q 'tests=[^ ]*URIBL' "$T/errs.hdr"; then
	ok "errs: 127.0.1.255 (DBL) and 127.0.0.1 (URIBL refused) score nothing"
else
	fail "errs: errors scored" "$(cat "$T/errs.hdr")"
fi
# each code on its own (one error in both files must not count as two)
for e in 'DBL[^ ,;]*127\.0\.1\.255' 'URIBL[^ ,;]*127\.0\.0\.1'; do
	if cat "$T/errs.log" "$T/errs.hdr" 2> /dev/null | grep -q "$e"; then
		ok "errs: the error $e reported with its code"
	else
		fail "errs: the error $e reported" \
		    "$(cat "$T/errs.log" "$T/errs.hdr")"
	fi
done

# ---- clean ----------------------------------------------------------------------------------
q clean "$T/clean" QQTAG_DNS=127.0.0.1:$RELAY
if grep -q '^X-Spam-Status: No' "$T/clean.hdr" &&
    ! grep -q 'X-Spam-Warning' "$T/clean.hdr"; then
	ok "clean: no test, no warning"
else
	fail "clean" "$(cat "$T/clean.hdr")"
fi
assert_eq "clean: the log line says tests=none" none \
    "$(logkv "$T/clean.log" tests)"

# ---- the rDNS name (TCPREMOTEHOST) ----------------------------------------------------------
q rdns "$T/clean" QQTAG_DNS=127.0.0.1:$RELAY TCPREMOTEHOST=mx1.phish.example
assert_eq "rdns: TCPREMOTEHOST's registrable domain listed (DBL phish)" \
    URIBL_DBL_PHISH "$(tests_of rdns)"

# ---- a dead list ------------------------------------------------------------------------------
qd dead "$T/plain" -- QQTAG_DNS=127.0.0.1:$RELAY QQTAG_POLICY="$T/policy.dead"
ae=$(logkv "$T/dead.log" after_eom_ms)
if [ "$RC" = 0 ] && [ -n "$ae" ] && [ "$ae" -ge 900 ] && [ "$ae" -lt 1500 ]
then
	ok "dead list: waits for the deadline (timeout 1) and no more: $ae ms"
else
	fail "dead list: after_eom_ms in [900, 1500)" "$(cat "$T/dead.log")"
fi
if grep -q 'DEAD' "$T/dead.log" && grep -q 'timeout' "$T/dead.log"; then
	ok "dead list: an error timeout in the log"
else
	fail "dead list: timeout logged" "$(cat "$T/dead.log")"
fi
assert_eq "dead list: the other lists still score" "URIBL_ABUSE_SURBL
URIBL_BLACK
URIBL_DBL_SPAM
URIBL_PH_SURBL" "$(tests_of dead)"

# ---- a link split by a pause in the upload -------------------------------------------------
HL=$(sed '/^$/q' "$T/clean" | wc -c)
{ hdrs; echo; echo "split: http://www.spam-dbl.example/x"; } > "$T/split"
for off in 14 20 28; do
	qd "split$off" "$T/split" "$((HL + off)):50" -- \
	    QQTAG_DNS=127.0.0.1:$RELAY
	sed '/^$/q' "$T/split$off.msg" > "$T/split$off.hdr"
	if grep -q 'URIBL_DBL_SPAM' "$T/split$off.hdr"; then
		ok "split: a pause $off bytes into the body line, link found"
	else
		fail "split: link across two reads (offset $off)" \
		    "$(cat "$T/split$off.hdr" "$T/split$off.log")"
	fi
done
# across the header/body boundary: the pause right after the empty line
qd splithb "$T/split" "$((HL - 1)):50" "$((HL + 2)):50" -- \
    QQTAG_DNS=127.0.0.1:$RELAY
if sed '/^$/q' "$T/splithb.msg" | grep -q 'URIBL_DBL_SPAM'; then
	ok "split: pauses around the end of the header section, link found"
else
	fail "split: header/body" "$(cat "$T/splithb.log")"
fi

# ---- timing: the queries leave during the upload ----------------------------------------------
# every answer 300 ms late; the link is in the first body line
BB=$((HL + 36))
qd up0 "$T/split" -- QQTAG_DNS=127.0.0.1:$R300
ae=$(logkv "$T/up0.log" after_eom_ms)
if [ -n "$ae" ] && [ "$ae" -ge 250 ]; then
	ok "instant upload, answers 300 ms late: after_eom_ms $ae (the wait is real)"
else
	fail "instant upload: after_eom_ms >= 250" "$(cat "$T/up0.log")"
fi
qd up1 "$T/split" "$BB:700" -- QQTAG_DNS=127.0.0.1:$R300
ae=$(logkv "$T/up1.log" after_eom_ms)
if [ "$RC" = 0 ] && [ -n "$ae" ] && [ "$ae" -lt 100 ] &&
    sed '/^$/q' "$T/up1.msg" | grep -q 'URIBL_DBL_SPAM'; then
	ok "700 ms pause after the link (A, TXT: 2 round trips): listed, after_eom_ms $ae (< 100)"
else
	fail "queries during the upload: after_eom_ms < 100" \
	    "$(cat "$T/up1.drive" "$T/up1.log")"
fi

# ---- qqtag -c -U --------------------------------------------------------------------------------
QQTAG_DNS=127.0.0.1:$RELAY "$QQTAG" -c 192.0.2.50 -U dbltest.com \
    > "$T/c1.out" 2>&1
if grep -q 'URIBL_DBL_SPAM' "$T/c1.out" && grep -q 'dbltest\.com' \
    "$T/c1.out"; then
	ok "-c -U dbltest.com: DBL's test point listed"
else
	fail "-c -U dbltest.com" "$(cat "$T/c1.out")"
fi
QQTAG_DNS=127.0.0.1:$RELAY "$QQTAG" -c 192.0.2.50 -U test.uribl.com \
    > "$T/c2.out" 2>&1
if grep -q 'URIBL_BLACK' "$T/c2.out" && grep -q 'URIBL_RED' "$T/c2.out"
then
	ok "-c -U test.uribl.com: asked as given (127.0.0.14)"
else
	fail "-c -U test.uribl.com" "$(cat "$T/c2.out")"
fi
QQTAG_DNS=127.0.0.1:$RELAY "$QQTAG" -c 192.0.2.50 -U 198.51.100.7 \
    > "$T/c3.out" 2>&1
if grep -q 'URIBL_ABUSE_SURBL' "$T/c3.out"; then
	ok "-c -U ADDRESS: SURBL asked reversed"
else
	fail "-c -U 198.51.100.7" "$(cat "$T/c3.out")"
fi
QQTAG_DNS=127.0.0.1:$RELAY "$QQTAG" -c 192.0.2.50 -U clean.example \
    > "$T/c4.out" 2>&1
if grep -q 'clean\.example' "$T/c4.out" && ! grep -q 'URIBL_' "$T/c4.out"
then
	ok "-c -U clean.example: asked, nothing listed"
else
	fail "-c -U clean.example" "$(cat "$T/c4.out")"
fi
cat "$T"/c?.out >> "$T/sent"

# ---- qqtag -a ----------------------------------------------------------------------------------
QQTAG_DNS=127.0.0.1:$RELAY "$QQTAG" -a "$T/plain" > "$T/a.out" 2>&1
if grep -q '^uri: domain www\.spam-dbl\.example -> spam-dbl\.example' \
    "$T/a.out" && grep -q '^uri: allowlisted www\.google\.com' "$T/a.out" &&
    grep -q '^uri: address 198\.51\.100\.7' "$T/a.out" &&
    grep -q 'URIBL_DBL_SPAM' "$T/a.out"; then
	ok "-a: the extracted hosts, their domains and the findings shown"
else
	fail "-a FILE shows the extracted domains" "$(cat "$T/a.out")"
fi
cat "$T/a.out" >> "$T/sent"
# the cap: 5 DKIM d= (asked first, at the header step) and 22 links: the
# d= and the extractor's 20 hosts all asked, none past the cap
{
	for i in 1 2 3 4 5; do
		printf 'DKIM-Signature: v=1; a=rsa-sha256; d=signer%d.example; ' \
		    "$i"
		printf 's=s; h=from; bh=AAAA; b=AAAA\n'
	done
	printf 'From: a@sender.example\nSubject: links\n\n'
	i=1
	while [ $i -le 22 ]; do
		echo "http://www.link$i.example/"
		i=$((i + 1))
	done
} > "$T/capmsg"
QQTAG_DNS=127.0.0.1:$RELAY "$QQTAG" -a "$T/capmsg" > "$T/cap.out" 2>&1
assert_eq "cap: 5 DKIM d= and 20 links asked" "5 20" \
    "$(grep -c '^uri: domain signer[1-5]\.example ' "$T/cap.out") $(grep -c \
    '^uri: domain www\.link[0-9]*\.example ' "$T/cap.out")"
check "cap: the last link kept is asked (link20)" grep -q \
    '^uri: domain www\.link20\.example -> link20\.example$' "$T/cap.out"
check "cap: none past the cap" sh -c "[ -s '$T/cap.out' ] &&
    ! grep -q 'past the cap' '$T/cap.out'"

# ---- the zone key never leaves -------------------------------------------------------------------
if [ -s "$T/sent" ] && grep -q 'SURBL' "$T/sent" &&
    ! grep -q "$KEY" "$T/sent"; then
	ok "the SURBL zone's key is in no header, log line or -c/-a output"
else
	fail "zone key leaked" "$(grep -n "$KEY" "$T/sent" | head -n 3)"
fi

t_done

#!/bin/sh
# t_tcpserver.sh - the environment path from tcp.smtp to qqtag, for real:
# a tcp.smtp compiled by real tcprules, real tcpserver (ucspi-tcp-ipv6) on
# 127.0.0.1 (and ::1) running tests/smtpfront.py (qmail-smtpd's stand-in),
# which runs $QMAILQUEUE the qmail way; qqtag hands on to the strict
# stand-in queue.  Clients connect from different loopback source
# addresses (127.0.0.2, .3, ...) so that different rules match: qqtag
# plain, RELAYCLIENT, QQTAG_SKIP, a stricter QQTAG_POLICY, the queue's
# custom error on fd 6, a size limit that cuts the message, a deny rule,
# QQTAG_THRESHOLD, QQTAG_TRUSTED, ::1 on a second tcpserver, and the
# default rule without QMAILQUEUE (plain queue, message untouched).
# Loopback clients get no DNS lookups from qqtag (the policy's resolver is
# a dead port, and no error shows): this test is about what each rule
# makes of the message.  One rule sets TCPREMOTEIP and QQTAG_DNS so that
# a listed client is looked up on a real rbldnsd through the whole chain.
# With Debian's plain ucspi-tcp (no IPv6: its tcprules rejects
# "::1:allow") the IPv6 rule and case are skipped, and say so.
# Ends with "N passed, N failed[, N skipped]".
. "$(dirname "$0")/lib.sh"

for p in tcpserver tcprules; do
	command -v $p > /dev/null 2>&1 || {
		fail "$p is installed (sh tests/deps.sh test)"
		t_done
	}
done

SPOOL=$T/spool
mkdir -p "$SPOOL"
cat > "$T/policy" << EOF
spool $SPOOL
threshold 5
EOF
cat > "$T/strict-policy" << EOF
spool $SPOOL
threshold 2.5
EOF

# rbldnsd for the one rule that makes qqtag look a client up (below)
mkdir -p "$T/zones"
printf ':127.0.0.2:listed for the tcpserver test\n192.0.2.99\n' > "$T/zones/bl"
printf ':127.0.0.4:also XBL\n192.0.2.99\n' > "$T/zones/bl2"
printf 'none TXT "no PTR records"\n' > "$T/zones/reverse"
printf '@ MX 10 mx.example.net.\nmx A 192.0.2.10\n' > "$T/zones/example.net"
RBL=$(free_port)
start_rbldnsd "$T/zones" "$RBL" zen.test:ip4set:bl zen.test:ip4set:bl2 \
    in-addr.arpa:generic:reverse example.net:generic:example.net ||
	{ fail "rbldnsd starts"; t_done; }
cat >> "$T/policy" << EOF
dns 127.0.0.1:1
timeout 1
dnsbl ZEN zen.test profile=zen
EOF

# ---- tcp.smtp ----------------------------------------------------------------------
# Plain ucspi-tcp's tcprules (not ucspi-tcp-ipv6) cannot compile an IPv6
# rule: then the ::1 rule is left out and the ::1 case skipped.
V6RULES=1
if ! printf '::1:allow\n' |
    tcprules "$T/v6.cdb" "$T/v6.tmp" > "$T/v6.out" 2>&1; then
	V6RULES=0
	skip "IPv6 rules: this tcprules ($(command -v tcprules)) rejects \
'::1:allow' (plain ucspi-tcp, not ucspi-tcp-ipv6?): the ::1 rule and \
case are left out; $(head -n 1 "$T/v6.out")"
fi
Q="QMAILQUEUE=\"$QQTAG\",QQTAG_QUEUE=\"$STANDIN\""
cat > "$T/tcp.smtp" << EOF
# qqtag, checked and tagged.  Loopback clients are never checked, so
# the rules that stand for outside clients set TCPREMOTEIP to one
# (documentation addresses, not listed) and QQTAG_DNS to our rbldnsd
127.0.0.2:allow,$Q,TCPREMOTEIP="192.0.2.2",QQTAG_DNS="127.0.0.1:$RBL",QQ_OUT="$T/q2"
# a loopback client as it is: passed on checked=no reason=private
127.0.0.13:allow,$Q,QQ_OUT="$T/q13"
# a relay client: stripped and marked, not checked
127.0.0.3:allow,RELAYCLIENT="",$Q,QQ_OUT="$T/q3"
# skipped by the admin: stripped and marked, not checked
127.0.0.4:allow,$Q,QQTAG_SKIP="1",QQ_OUT="$T/q4"
# a network with a stricter policy
127.0.0.5:allow,$Q,TCPREMOTEIP="192.0.2.5",QQTAG_DNS="127.0.0.1:$RBL",QQTAG_POLICY="$T/strict-policy",QQ_OUT="$T/q5"
# the real queue refuses with its own text on fd 6 (notqmail)
127.0.0.6:allow,$Q,QQ_OUT="$T/q6",QQ_EXIT="82",QQ_FD6TEXT="Dthe stand-in says no (#5.7.1)"
# qmail-smtpd's size limit trips: no envelope
127.0.0.7:allow,$Q,QQ_OUT="$T/q7",DATABYTES="400"
# refused by tcpserver
127.0.0.8:deny
# a rule sets any variable, TCPREMOTEIP too: it stands for a listed
# client so that qqtag's DNS checks run, on the resolver QQTAG_DNS names
127.0.0.10:allow,$Q,TCPREMOTEIP="192.0.2.99",QQTAG_DNS="127.0.0.1:$RBL",QQ_OUT="$T/q10"
# a per-network threshold
127.0.0.11:allow,$Q,TCPREMOTEIP="192.0.2.11",QQTAG_DNS="127.0.0.1:$RBL",QQTAG_THRESHOLD="3",QQ_OUT="$T/q11"
# a trusted relay (a backup MX running qqtag itself): its tags are kept
127.0.0.12:allow,$Q,QQTAG_TRUSTED="1",QQ_OUT="$T/q12"
EOF
[ "$V6RULES" = 0 ] || cat >> "$T/tcp.smtp" << EOF
# IPv6 loopback through qqtag
::1:allow,$Q,TCPREMOTEIP="2001:db8::1",QQTAG_DNS="127.0.0.1:$RBL",QQ_OUT="$T/q6v6"
EOF
cat >> "$T/tcp.smtp" << EOF
# everyone else: no QMAILQUEUE, the plain queue
:allow,QQ_OUT="$T/qdefault"
EOF
tcprules "$T/rules.cdb" "$T/rules.tmp" < "$T/tcp.smtp" > "$T/tcprules.out" 2>&1
assert_eq "tcprules compiles tcp.smtp" "0:" "$?:$(cat "$T/tcprules.out")"

# ---- the client ------------------------------------------------------------------------
# client.py SRC DST PORT MSG SENDER RCPT...: one SMTP session from source
# address SRC: EHLO $HELO (client.example), MAIL, RCPT, DATA with MSG
# (LF made CRLF, dot-stuffed; RAW=1 sends MSG's bytes as they are, with
# no final dot), QUIT.  Prints each reply, then "RESULT: CODE TEXT", the
# reply to the message ("RESULT: closed" if the server hung up first).
cat > "$T/client.py" << 'EOF'
import os, socket, sys
src, dst, port, msg, sender = sys.argv[1:6]
rcpts = sys.argv[6:]
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(float(os.environ.get("CLIENT_TIMEOUT", "10")))
s.bind((src, 0))
s.connect((dst, int(port)))
f = s.makefile("rb")

def reply():
    text = []
    while True:
        line = f.readline()
        if not line:
            print("RESULT: closed")
            sys.exit(0)
        line = line.decode("ascii", "replace").rstrip("\r\n")
        print("S: " + line)
        text.append(line[4:])
        if line[3:4] != "-":
            return line[:3], " ".join(text)

def cmd(c, want):
    s.sendall(c.encode() + b"\r\n")
    code, text = reply()
    if code != want:
        print("RESULT: %s %s" % (code, text))
        sys.exit(0)

if reply()[0] != "220":
    sys.exit(1)
cmd("EHLO " + os.environ.get("HELO", "client.example"), "250")
cmd("MAIL FROM:<%s>" % sender, "250")
for r in rcpts:
    cmd("RCPT TO:<%s>" % r, "250")
cmd("DATA", "354")
data = open(msg, "rb").read()
if os.environ.get("RAW") != "1":
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    data = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n"
                    for l in lines) + b".\r\n"
s.sendall(data)
code, text = reply()
print("RESULT: %s %s" % (code, text))
try:
    s.sendall(b"QUIT\r\n")
    reply()
except OSError:
    pass
EOF

# send NAME SRC MSG [VAR=VALUE]...: client.py from SRC to the server,
# sender s@example.net, recipient r@example.org; transcript in
# $T/NAME.out, the reply to the message in RESULT.
send() {
	_n=$1
	_src=$2
	_m=$3
	shift 3
	_dst=127.0.0.1
	_p=$PORT
	case $_src in *:*) _dst=::1 _p=$PORT6 ;; esac
	env "$@" "$PYTHON" "$T/client.py" "$_src" "$_dst" "$_p" "$_m" \
	    s@example.net r@example.org > "$T/$_n.out" 2>&1
	RESULT=$(sed -n 's/^RESULT: //p' "$T/$_n.out")
}

# ---- tcpserver -------------------------------------------------------------------------
# start_tcpserver ADDR PORT: tcpserver with the rules, the front end as
# its program, the plain stand-in as the default queue; its stderr (the
# qqtag log lines) in $T/tcpserver.log.  Returns once it accepts.
start_tcpserver() {
	tcpserver -H -R -l 0 -x "$T/rules.cdb" "$1" "$2" \
	    "$PYTHON" "$TOP/tests/smtpfront.py" "$STANDIN" \
	    >> "$T/tcpserver.log" 2>&1 &
	_t_pids="$_t_pids $!"
	LAST_PID=$!
	_i=0
	while [ $_i -lt 100 ]; do
		if "$PYTHON" -c '
import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)
s.settimeout(1)
s.connect((a, int(sys.argv[2])))
s.recv(100)
s.sendall(b"QUIT\r\n")
s.recv(100)' "$1" "$2" 2> /dev/null; then
			return 0
		fi
		kill -0 "$LAST_PID" 2> /dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	cat "$T/tcpserver.log" >&2
	return 1
}

export QQTAG_POLICY="$T/policy" SMTPFRONT_LOCAL=mx.example.org
unset QMAILQUEUE QQTAG_QUEUE QQ_OUT QQ_EXIT RELAYCLIENT QQTAG_SKIP \
    QQTAG_TRUSTED QQTAG_THRESHOLD QQTAG_DNS DATABYTES TCPREMOTEIP \
    TCPREMOTEHOST 2> /dev/null || :
: > "$T/tcpserver.log"
PORT=$(free_port)
start_tcpserver 127.0.0.1 "$PORT" || { fail "tcpserver starts"; t_done; }
TS=$LAST_PID
ok "tcpserver runs the front end on 127.0.0.1:$PORT"

# ---- the messages ------------------------------------------------------------------------
# A Date of now: the date heuristics (DATE_IN_PAST after 10 days) stay quiet
MSG_DATE=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')
cat > "$T/msg" << EOF
From: Someone <s@example.net>
To: r@example.org
X-Spam-Flag: NO
Subject: through tcpserver
X-Spam-Status: No, score=-5.0
	tests=FORGED
Date: $MSG_DATE
Message-ID: <tcp-1@example.net>

A line.
.a line that starts with a dot (dot-stuffed on the wire)
..two dots
End.
EOF
# what the queue must get after the front end's Received line: LF line
# ends, dots unstuffed (the file already is what was meant)
"$PYTHON" "$TOP/tests/strip.py" "$T/msg" "$T/msg.stripped"
printf 'Fs@example.net\0Tr@example.org\0\0' > "$T/env.want"

# block NAME: the lines of $T/NAME.msg above the front end's Received line
block() {
	sed '/^Received: from /,$d' "$T/$1.msg"
}
# after NAME: $T/NAME.msg from the front end's Received line on
after() {
	sed -n '/^Received: from /,$p' "$T/$1.msg"
}
# qqlog IP: the qqtag log lines for client IP in tcpserver's log
qqlog() {
	grep "^qqtag: pid=[0-9]* ip=$1 " "$T/tcpserver.log"
}
# delivered NAME IP HELOPART: reply 250; the queue got our block, then
# the front end's Received line for IP, then the message less forged
# tags; the envelope byte for byte.
delivered() {
	_why=
	case $RESULT in 250\ ok\ *) ;; *) _why="reply: $RESULT" ;; esac
	if [ -z "$_why" ]; then
		after "$1" > "$T/$1.after"
		head -n 2 "$T/$1.after" > "$T/$1.rcvd"
		sed 1,2d "$T/$1.after" > "$T/$1.rest"
		if ! grep -Eq "^Received: from unknown $3\\($2\\)\$" "$T/$1.rcvd"; then
			_why="trace line: $(head -n 1 "$T/$1.rcvd")"
		elif ! sed -n 2p "$T/$1.rcvd" | grep -Eq \
		    '^  by mx\.example\.org with SMTP; [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} -0000$'; then
			_why="trace line 2: $(sed -n 2p "$T/$1.rcvd")"
		elif ! cmp -s "$T/$1.rest" "$T/msg.stripped"; then
			_why="message: $(diff "$T/msg.stripped" "$T/$1.rest" | head -n 8)"
		elif ! cmp -s "$T/$1.env" "$T/env.want"; then
			_why="envelope differs"
		fi
	fi
	if [ -z "$_why" ]; then
		ok "$4"
	else
		fail "$4" "$_why
$(cat "$T/$1.out")"
	fi
}
# xq NAME DESC REQUIRED: qqtag checked the message of run NAME against
# the threshold REQUIRED (the first line of its X-Qqtag, the block's
# second field after Authentication-Results)
xq() {
	if block "$1" | grep -v '^	' | sed -n 2p | grep -Eq \
	    "^X-Qqtag: score=-?[0-9.]+ required=$3 flag=(yes|no) checked=yes( |\$)"; then
		ok "$2"
	else
		fail "$2" "$(block "$1")"
	fi
}
# noforged NAME DESC: the queue got the message, with a header section
# (the front end's Received line, then the message's own Subject above
# the empty line), and no forged tag in it
noforged() {
	if [ ! -s "$T/$1.msg" ] ||
	    ! grep -q '^Received: from ' "$T/$1.msg" ||
	    ! sed '/^$/q' "$T/$1.msg" | grep -q '^Subject: through tcpserver$' ||
	    ! grep -q '^$' "$T/$1.msg"; then
		fail "$2" "no message with a header section was queued: \
$(head -n 12 "$T/$1.msg" 2>&1)"
	elif grep -qi '^x-spam-flag: *no\|^x-spam-status: *no, score=-5\|^	tests=FORGED' \
	    "$T/$1.msg"; then
		fail "$2" "$(sed '/^$/q' "$T/$1.msg")"
	else
		ok "$2"
	fi
}
# tagsonly NAME DESC: qqtag's block (above the front end's Received
# line) is there, starts with Authentication-Results: then X-Qqtag:,
# and holds only tag fields
tagsonly() {
	block "$1" > "$T/$1.block" 2>&1
	if ! head -n 1 "$T/$1.block" | grep -q '^Authentication-Results: ' ||
	    ! grep -v '^	' "$T/$1.block" | sed -n 2p | grep -q '^X-Qqtag: '
	then
		fail "$2" "no block of qqtag's: $(head -n 5 "$T/$1.block")"
		return
	fi
	assert_eq "$2" "" "$(grep -Ev \
	    '^(	|Authentication-Results: |X-Qqtag: |X-Spam-(Flag|Status|Level|Score|Warning):)' \
	    "$T/$1.block")"
}

# ---- 127.0.0.2: qqtag checks and tags -------------------------------------------------
send c2 127.0.0.2 "$T/msg"
delivered q2 '192\.0\.2\.2' '\(HELO client\.example\) ' \
    "127.0.0.2 (QMAILQUEUE=qqtag): 250, Received line, message less forged tags, envelope"
noforged q2 "  ... no forged tag reached the queue"
xq q2 "  ... X-Qqtag: checked=yes, the normal threshold" 5.0
tagsonly q2 "  ... qqtag's block is all tag fields"
qqlog 192.0.2.2 > "$T/l2"
grep -q ' class=untrusted .* stripped=2 rcpts=1 .* errors=none .* result=queue$' "$T/l2" &&
    ok "  ... qqtag's log line on tcpserver's stderr: untrusted, 2 stripped, no lookup" ||
    fail "  ... log line" "$(cat "$T/tcpserver.log")"
grep -q "^argv0=$STANDIN\$" "$T/q2.info" &&
    ok "  ... qqtag exec'd the queue from QQTAG_QUEUE of the rule" ||
    fail "  ... queue argv0" "$(cat "$T/q2.info")"
grep -q '^fd6=open$' "$T/q2.info" &&
    ok "  ... fd 6 from the front end reaches the queue" ||
    fail "  ... fd 6" "$(cat "$T/q2.info")"

# ---- 127.0.0.13: a loopback client is never checked (issue 10.2) ---------------------
send c13 127.0.0.13 "$T/msg"
delivered q13 127.0.0.13 '\(HELO client\.example\) ' \
    "127.0.0.13 (loopback, as it is): 250, Received line, message less forged tags, envelope"
noforged q13 "  ... no forged tag reached the queue"
assert_eq "  ... only X-Qqtag: checked=no reason=private" \
    "X-Qqtag: checked=no reason=private" "$(block q13)"
qqlog 127.0.0.13 | grep -q ' class=private .* stripped=2 .* result=queue$' &&
    ok "  ... log line: class=private" ||
    fail "  ... log line: class=private" "$(cat "$T/tcpserver.log")"

# ---- 127.0.0.3: RELAYCLIENT ---------------------------------------------------------
send c3 127.0.0.3 "$T/msg"
delivered q3 127.0.0.3 '\(HELO client\.example\) ' \
    "127.0.0.3 (RELAYCLIENT): 250, Received line, message less forged tags, envelope"
noforged q3 "  ... no forged tag reached the queue"
assert_eq "  ... only X-Qqtag: checked=no reason=relayclient" \
    "X-Qqtag: checked=no reason=relayclient" "$(block q3)"
qqlog 127.0.0.3 | grep -q ' class=relayclient .* stripped=2 ' &&
    ok "  ... log line: class=relayclient" ||
    fail "  ... log line" "$(cat "$T/tcpserver.log")"

# ---- 127.0.0.4: QQTAG_SKIP -------------------------------------------------------------
send c4 127.0.0.4 "$T/msg" HELO=unknown
delivered q4 127.0.0.4 '' \
    "127.0.0.4 (QQTAG_SKIP): 250, Received line (no HELO part), message, envelope"
noforged q4 "  ... no forged tag reached the queue"
assert_eq "  ... only X-Qqtag: checked=no reason=skip" \
    "X-Qqtag: checked=no reason=skip" "$(block q4)"

# ---- 127.0.0.5: QQTAG_POLICY --------------------------------------------------------------
send c5 127.0.0.5 "$T/msg"
delivered q5 '192\.0\.2\.5' '\(HELO client\.example\) ' \
    "127.0.0.5 (QQTAG_POLICY strict): 250, Received line, message, envelope"
noforged q5 "  ... no forged tag reached the queue"
xq q5 "  ... X-Qqtag: checked=yes with the strict policy's threshold" 2.5
grep -Eq '^X-Spam-Status: (Yes|No), score=-?[0-9.]+ required=2\.5 ' "$T/q5.msg" &&
    ok "  ... X-Spam-Status says required=2.5 too" ||
    fail "  ... X-Spam-Status" "$(block q5)"

# ---- 127.0.0.10: DNS checks through the whole chain --------------------------------------
send c10 127.0.0.10 "$T/msg"
delivered q10 '192\.0\.2\.99' '\(HELO client\.example\) ' \
    "127.0.0.10 (TCPREMOTEIP, QQTAG_DNS from the rule): 250, message, envelope"
noforged q10 "  ... no forged tag reached the queue"
block q10 > "$T/b10"
grep -q '^X-Spam-Flag: YES$' "$T/b10" &&
    grep -q '^X-Spam-Warning: 192\.0\.2\.99 is listed in ZEN as SPAMHAUS_SBL (127\.0\.0\.2):' "$T/b10" &&
    ok "  ... listed on the resolver of QQTAG_DNS: X-Spam-Flag: YES, warning" ||
    fail "  ... listed" "$(cat "$T/b10")"
qqlog 192.0.2.99 | grep -q ' flag=yes tests=.*SPAMHAUS_SBL.* errors=none ' &&
    ok "  ... log line: the listing, no DNS error" ||
    fail "  ... log line" "$(cat "$T/tcpserver.log")"

# ---- 127.0.0.11: QQTAG_THRESHOLD ------------------------------------------------------------
send c11 127.0.0.11 "$T/msg"
delivered q11 '192\.0\.2\.11' '\(HELO client\.example\) ' \
    "127.0.0.11 (QQTAG_THRESHOLD=3): 250, Received line, message, envelope"
xq q11 "  ... X-Qqtag: checked=yes, required=3.0" 3.0

# ---- 127.0.0.12: QQTAG_TRUSTED ------------------------------------------------------------
send c12 127.0.0.12 "$T/msg"
case $RESULT in
250\ ok\ *) ok "127.0.0.12 (QQTAG_TRUSTED): 250" ;;
*) fail "127.0.0.12 (QQTAG_TRUSTED): 250" "$(cat "$T/c12.out")" ;;
esac
{
	head -n 2 "$T/q12.msg"
	cat "$T/msg"
} > "$T/q12.want"
assert_file_eq "  ... its tags kept, nothing added: Received line + original" \
    "$T/q12.want" "$T/q12.msg"
grep -q '^Received: from unknown (HELO client\.example) (127\.0\.0\.12)$' \
    "$T/q12.msg" && ok "  ... with the front end's Received line" ||
    fail "  ... Received line" "$(head -n 2 "$T/q12.msg")"
qqlog 127.0.0.12 | grep -q ' class=trusted ' &&
    ok "  ... qqtag ran: log line class=trusted" ||
    fail "  ... log line" "$(cat "$T/tcpserver.log")"

# ---- 127.0.0.9: the default rule, no QMAILQUEUE --------------------------------------------
send c9 127.0.0.9 "$T/msg"
case $RESULT in
250\ ok\ *) ok "127.0.0.9 (default rule): 250 from the plain queue" ;;
*) fail "127.0.0.9 (default rule): 250" "$(cat "$T/c9.out")" ;;
esac
{
	head -n 2 "$T/qdefault.msg"
	cat "$T/msg"
} > "$T/qdefault.want"
assert_file_eq "  ... the message arrives unmodified (Received line + original)" \
    "$T/qdefault.want" "$T/qdefault.msg"
grep -q '^Received: from unknown (HELO client\.example) (127\.0\.0\.9)$' \
    "$T/qdefault.msg" && ok "  ... with the front end's Received line" ||
    fail "  ... Received line" "$(head -n 2 "$T/qdefault.msg")"
assert_file_eq "  ... envelope byte for byte" "$T/env.want" "$T/qdefault.env"
assert_eq "  ... qqtag did not run" "" "$(qqlog 127.0.0.9)"

# ---- 127.0.0.6: the queue's own refusal on fd 6 through qqtag ------------------------------
send c6 127.0.0.6 "$T/msg"
assert_eq "127.0.0.6 (queue exits 82, text on fd 6): the text is the reply" \
    "554 the stand-in says no (#5.7.1)" "$RESULT"
qqlog 127.0.0.6 | grep -q ' result=queue$' &&
    ok "  ... qqtag handed it on; nothing of qqtag's held fd 6 (no hang)" ||
    fail "  ... log line" "$(cat "$T/tcpserver.log")"

# ---- 127.0.0.7: DATABYTES cuts the message: no envelope, nothing queued ---------------------
"$PYTHON" -c '
import sys
sys.stdout.write("Subject: big\n\n" + "".join("line %d of a message over the limit\n" % i for i in range(50)))
' > "$T/big"
send c7 127.0.0.7 "$T/big"
assert_eq "127.0.0.7 (DATABYTES=400): 552 from the front end" \
    "552 sorry, that message size exceeds my databytes limit (#5.3.4)" \
    "$RESULT"
[ ! -e "$T/q7.msg" ] && [ ! -e "$T/q7.info" ] &&
    ok "  ... no envelope: qqtag never ran the queue, nothing queued" ||
    fail "  ... nothing queued" "$(cat "$T/q7.info" 2> /dev/null)"
qqlog 127.0.0.7 > "$T/l7"
if [ -s "$T/l7" ] && ! grep -q 'result=queue' "$T/l7"; then
	ok "  ... qqtag logged it without queueing"
else
	fail "  ... qqtag log" "$(cat "$T/tcpserver.log")"
fi

# ---- 127.0.0.8: deny ---------------------------------------------------------------------
send c8 127.0.0.8 "$T/msg"
assert_eq "127.0.0.8 (deny): tcpserver drops the connection" closed "$RESULT"

# ---- the front end itself: a bare LF is refused ------------------------------------------------
printf 'Subject: bare\n\nbare LF\n.\n' > "$T/bare"
rm -f "$T/q2.msg" "$T/q2.info"
send c2b 127.0.0.2 "$T/bare" RAW=1
assert_eq "bare LF in DATA: 451 as qmail-smtpd, nothing queued" \
    "451 See http://pobox.com/~djb/docs/smtplf.html.:no" \
    "$RESULT:$([ -e "$T/q2.msg" ] && echo yes || echo no)"

# ---- ::1 ---------------------------------------------------------------------------------------
if [ "$V6RULES" = 0 ]; then
	skip "::1 (IPv6 rule): no IPv6 rules in this tcprules (see above)"
elif "$PYTHON" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
    2> /dev/null; then
	PORT6=$(free_port)
	if start_tcpserver ::1 "$PORT6"; then
		send c6v6 ::1 "$T/msg"
		delivered q6v6 '2001:db8::1' '\(HELO client\.example\) ' \
		    "::1 (IPv6 rule): 250, Received line, message less forged tags, envelope"
		noforged q6v6 "  ... no forged tag reached the queue"
		xq q6v6 "  ... X-Qqtag: checked=yes" 5.0
		qqlog 2001:db8::1 | grep -q ' class=untrusted ' &&
		    ok "  ... qqtag read the IPv6 client from tcpserver's environment" ||
		    fail "  ... log line" "$(cat "$T/tcpserver.log")"
	else
		fail "tcpserver starts on ::1"
	fi
else
	skip "::1 (IPv6 rule): no ::1 on this host"
fi

# ---- the end ----------------------------------------------------------------------------------
check "tcpserver's log holds qqtag log lines" \
    grep -q '^qqtag: pid=' "$T/tcpserver.log"
assert_eq "tcpserver's log holds only qqtag log lines" "" \
    "$(grep -v '^qqtag: pid=' "$T/tcpserver.log")"
assert_eq "qqtag's spool is empty" "" "$(ls -A "$SPOOL" 2>&1)"
stop_all
if kill -0 "$TS" 2> /dev/null; then
	fail "tcpserver stopped"
else
	ok "tcpserver stopped"
fi
t_done

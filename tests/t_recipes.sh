#!/bin/sh
# t_recipes.sh - the per-user recipes in recipes/, run as they are (only
# paths substituted) by the real programs on messages tagged by the real
# qqtag: .qmail + condredirect (qmail is not packaged: stand-ins for
# qmail-local and condredirect that keep their exit-code contracts),
# maildrop, procmail and dovecot's sieve-test.  Scores are real: a private
# rbldnsd lists the spam clients.  Checks where each message lands.
. "$(dirname "$0")/lib.sh"

F=$TOP/qqtag-filter
R=$TOP/recipes
for p in "$QQTAG" "$F"; do
	[ -x "$p" ] || { fail "$p is built"; t_done; }
done
for c in rbldnsd maildrop procmail sieve-test; do
	command -v "$c" > /dev/null 2>&1 ||
	    { fail "$c is installed (sh tests/deps.sh test)"; t_done; }
done
chmod 755 "$T"	# sieve-test runs as nobody when we are root

# --- tagging: qqtag, a DNS list on rbldnsd, the strict queue stand-in -----
Z=$T/zones
mkdir -p "$Z" "$T/spool" "$T/tagged"
cat > "$Z/bl" << 'EOF'
:127.0.0.2:spam source
192.0.2.66
192.0.2.33 :127.0.0.3:dubious
EOF
PORT=$(free_port)
start_rbldnsd "$Z" "$PORT" bl.test:ip4set:bl || { fail "rbldnsd starts"; t_done; }
cat > "$T/policy" << EOF
spool $T/spool
threshold 5
timeout 2
dns 127.0.0.1:$PORT
dnsbl TESTBL bl.test 127.0.0.2=7.5 127.0.0.3=3
EOF
check "test policy is valid (qqtag -n)" env QQTAG_QUEUE="$STANDIN" \
    "$QQTAG" -n -u "$(id -un)" "$T/policy"
mkenv "$T/env" sender@example.net alice@example.org
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED QQTAG_THRESHOLD QQTAG_DNS \
    TCP6REMOTEIP QMAILQUEUE 2> /dev/null || :

# tag NAME IP SOURCE [VAR=value...]: SOURCE through qqtag from client IP;
# the queued message, with the line qmail-queue puts on top, becomes
# $T/tagged/NAME.
tag() {
	_n=$1
	_ip=$2
	_src=$3
	shift 3
	rm -f "$T/q.msg"
	env QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q" \
	    TCPREMOTEIP="$_ip" "$@" "$QQTAG" < "$_src" 1< "$T/env" 2> "$T/tag.log"
	_rc=$?
	if [ "$_rc" != 0 ] || [ ! -f "$T/q.msg" ]; then
		fail "qqtag tags $_n" "exit $_rc: $(cat "$T/tag.log")"
		return
	fi
	{
		echo "Received: (qmail 4242 invoked from network); $RCVD_DATE"
		cat "$T/q.msg"
	} > "$T/tagged/$_n"
}

# unfold FILE: FILE's header section, continuation lines joined (a fold
# after a comma, as in the tests= list, is removed; any other is one
# space).  X-Qqtag folds at 78 columns: never grep its raw lines.
unfold() {
	awk '/^$/ { exit }
	    /^[ \t]/ { sub(/^[ \t]+/, ""); l = l (l ~ /,$/ ? "" : " ") $0; next }
	    { if (NR > 1) print l; l = $0 } END { if (NR) print l }' "$1"
}
# tagline NAME: the topmost X-Qqtag field of a tagged message, unfolded.
tagline() {
	unfold "$T/tagged/$1" | grep -m 1 '^X-Qqtag:'
}
# tagfield NAME: the same field as qqtag wrote it, continuation lines too.
tagfield() {
	awk '/^$/ { exit } on && /^[ \t]/ { print; next } on { exit }
	    /^X-Qqtag:/ { on = 1; print }' "$T/tagged/$1"
}

# The messages are realistic, so that the header heuristics (heur.c)
# stay quiet and every score is the DNS list's alone: qmail-smtpd's
# Received line with a fully qualified HELO, From, To, a Message-ID and
# a Date of now (DATE_IN_PAST fires after 10 days, DATE_IN_FUTURE beyond
# 24 h).
RCVD_DATE=$(LC_ALL=C date -u '+%d %b %Y %H:%M:%S -0000' | sed 's/^0//')
MSG_DATE=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')
# rcvd IP: qmail-smtpd's Received line for a client at IP
rcvd() {
	printf 'Received: from unknown (HELO mx.example.net) (%s)\n' "$1"
	printf '  by mx.example.org with SMTP; %s\n' "$RCVD_DATE"
}
{
	rcvd 192.0.2.66
	cat << EOF
From: Someone <someone@example.net>
To: alice@example.org
Subject: an offer
Date: $MSG_DATE
Message-ID: <1@example.net>

Hello.
EOF
} > "$T/plain.eml"
# forged verdicts in every form a downstream recipe might read
{
	rcvd 192.0.2.66
	cat << EOF
X-Spam-Flag: NO
X-Qqtag: score=-5.0 required=5.0 flag=no checked=yes
X-Spam-Status: No, score=-5.0 required=5.0
From: Someone <someone@example.net>
x-qqtag: checked=no reason=relayclient
To: alice@example.org
Subject: trust me
X-Spam-Score: -5.0
Date: $MSG_DATE
Message-ID: <2@example.net>

Hello.
EOF
} > "$T/forged-no.eml"
{
	rcvd 192.0.2.7
	cat << EOF
X-Qqtag: score=99.0 required=5.0 flag=yes checked=yes
X-Spam-Flag: YES
From: Friend <friend@example.net>
To: alice@example.org
Subject: a forged verdict against me
Date: $MSG_DATE
Message-ID: <3@example.net>

Hello.
EOF
} > "$T/forged-yes.eml"
rcvd 192.0.2.66 > "$T/big.eml"
"$PYTHON" - "$T/big.eml" "$MSG_DATE" << 'PY'
import sys
with open(sys.argv[1], "ab") as f:
    f.write(b"From: someone@example.net\nTo: alice@example.org\n"
            b"Subject: big\nDate: %s\nMessage-ID: <4@example.net>\n\n"
            % sys.argv[2].encode())
    line = b"b" * 76 + b"\n"
    for _ in range(10 * 1024 * 1024 // 77 + 1):
        f.write(line)
PY

tag spam 192.0.2.66 "$T/plain.eml"
tag forged-no 192.0.2.66 "$T/forged-no.eml"
tag border 192.0.2.33 "$T/plain.eml"
tag clean 192.0.2.7 "$T/plain.eml"
tag forged-yes 192.0.2.7 "$T/forged-yes.eml"
tag relay 192.0.2.66 "$T/plain.eml" RELAYCLIENT=
tag big 192.0.2.66 "$T/big.eml"
MSGS="spam forged-no border clean forged-yes relay big"
# what the tags say: fixed by qqtag's scoring, checked here so that a
# change there shows up as what it is
case $(tagline spam) in
"X-Qqtag: score=7.5 required=5.0 flag=yes checked=yes"*) ok "spam client: score 7.5, flagged" ;;
*) fail "spam client tag" "$(tagline spam)" ;;
esac
case $(tagline forged-no) in
*"score=7.5 "*"flag=yes checked=yes"*) ok "forged flag=no stripped, real tag flagged" ;;
*) fail "forged-no tag" "$(tagline forged-no)" ;;
esac
n=$(grep -ci '^x-qqtag:' "$T/tagged/forged-no")
assert_eq "forged-no: only qqtag's own X-Qqtag is left" 1 "$n"
grep -qi '^X-Spam-Flag: NO' "$T/tagged/forged-no" && fail "forged X-Spam-Flag: NO stripped" ||
    ok "forged X-Spam-Flag: NO stripped"
case $(tagline border) in
*"score=3.0 "*"flag=no checked=yes"*) ok "dubious client: score 3.0, not flagged" ;;
*) fail "border tag" "$(tagline border)" ;;
esac
case $(tagline clean) in
*"score=0.0 "*"flag=no checked=yes"*) ok "clean client: score 0.0" ;;
*) fail "clean tag" "$(tagline clean)" ;;
esac
case $(tagline forged-yes) in
*"score=0.0 "*"flag=no checked=yes"*) ok "forged flag=yes from a clean client stripped" ;;
*) fail "forged-yes tag" "$(tagline forged-yes)" ;;
esac
case $(tagline relay) in
"X-Qqtag: checked=no"*) ok "relay client: checked=no" ;;
*) fail "relay tag" "$(tagline relay)" ;;
esac

# expected landing per message: flag recipes and -t 5 recipes agree here
# (site threshold 5); the border message (3.0) shows the difference in
# the threshold checks below
want() {
	case $1 in
	spam | forged-no | big) echo spam ;;
	*) echo inbox ;;
	esac
}

# recipe FILE OUT HOME: copy recipes/FILE with paths made local.
recipe() {
	sed -e "s|/usr/local/bin/qqtag-filter|$F|g" \
	    -e "s|/var/qmail/bin/condredirect|$T/bin/condredirect|g" \
	    -e "s|\$HOME|$3|g" "$R/$1" > "$2"
	chmod 600 "$2"
}

# newhome DIR: a home with ./Maildir/ and its .Spam folder.
newhome() {
	rm -rf "$1"
	for _d in "$1/Maildir" "$1/Maildir/.Spam"; do
		mkdir -p "$_d/new" "$_d/cur" "$_d/tmp"
	done
}

# landed HOME: "spam", "inbox", or what else happened.
landed() {
	_s=$(find "$1/Maildir/.Spam/new" -type f | wc -l)
	_i=$(find "$1/Maildir/new" -type f | wc -l)
	case "$_s $_i" in
	"1 0") echo spam ;;
	"0 1") echo inbox ;;
	*) echo "spam=$_s inbox=$_i" ;;
	esac
}

# intact HOME NAME: the delivered copy carries the tagged message whole.
intact() {
	_got=$(find "$1/Maildir" -path '*/new/*' -type f | head -n 1)
	if [ -n "$_got" ] && unfold "$_got" | grep -qxF "$(tagline "$2")" &&
	    [ "$(tail -n 1 "$_got")" = "$(tail -n 1 "$T/tagged/$2")" ] &&
	    [ "$(wc -c < "$_got")" -ge "$(wc -c < "$T/tagged/$2")" ]; then
		return 0
	fi
	return 1
}

# --- .qmail + condredirect ------------------------------------------------
# qmail-local stand-in (qmail-local(8), qmail-command(8), dot-qmail(5)):
# cwd $HOME; "#" lines are comments; "|command" runs /bin/sh -c with the
# message file on fd 0: exit 0 goes on, 99 ends the delivery, 100 64 65
# 70 76 77 78 112 bounce, anything else defers; "./dir/" or "/dir/" is a
# maildir.  Prints what happened, last line delivered/bounced/deferred.
mkdir -p "$T/bin"
cat > "$T/bin/qmail-local" << 'EOF'
#!/bin/sh
cd "$HOME" || exit 111
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'#'* | '') ;;
	'|'*)
		sh -c "${line#|}" < "$2"
		rc=$?
		case $rc in
		0) ;;
		99) echo delivered; exit 0 ;;
		100 | 64 | 65 | 70 | 76 | 77 | 78 | 112) echo bounced; exit 100 ;;
		*) echo "deferred ($rc)"; exit 111 ;;
		esac
		;;
	*/)
		d=${line%/}
		t=$(mktemp "$d/tmp/msg.XXXXXX") || { echo deferred; exit 111; }
		cp "$2" "$t" && mv "$t" "$d/new/" || { echo deferred; exit 111; }
		echo "maildir $line"
		;;
	*) echo "forward $line" ;;
	esac
done < "$1"
echo delivered
EOF
# condredirect stand-in (qmail 1.03's condredirect.c): run the program
# with the message on fd 0; exit 0: rewind fd 0, forward the message to
# the new address (here: a local USER-EXT, delivered by ~/.qmail-EXT
# through the qmail-local stand-in) and exit 99; 111 or a crash: exit
# 111; anything else: exit 0.
cat > "$T/bin/condredirect" << 'EOF'
#!/bin/sh
addr=$1
shift
"$@"
rc=$?
[ "$rc" = 111 ] || [ "$rc" -gt 128 ] && exit 111
[ "$rc" = 0 ] || exit 0
fwd=$(mktemp "${TMPDIR:-/tmp}/fwd.XXXXXX") || exit 111
"$PYTHON" -c '
import os, sys
os.lseek(0, 0, os.SEEK_SET)
while True:
    b = os.read(0, 65536)
    if not b:
        break
    sys.stdout.buffer.write(b)
' > "$fwd" || { rm -f "$fwd"; exit 111; }
echo "redirected to $addr"
HOME=$HOME "$QL" "$HOME/.qmail-${addr#"$USER"-}" "$fwd" > /dev/null
rc=$?
rm -f "$fwd"
[ "$rc" = 0 ] || exit 111
exit 99
EOF
chmod 755 "$T/bin/qmail-local" "$T/bin/condredirect"
export QL="$T/bin/qmail-local"

# dotqmail NAME: deliver a tagged message to alice by recipes/dot-qmail.
dotqmail() {
	_h=$T/home/dq-$1
	newhome "$_h"
	recipe dot-qmail "$_h/.qmail" "$_h"
	recipe dot-qmail-spam "$_h/.qmail-spam" "$_h"
	HOME=$_h USER=alice TMPDIR=$T "$QL" "$_h/.qmail" "$T/tagged/$1" \
	    > "$T/ql.out" 2>&1
	echo "$? $(tail -n 1 "$T/ql.out")"
}
for n in $MSGS; do
	r=$(dotqmail "$n")
	assert_eq ".qmail+condredirect: $n delivered" "0 delivered" "$r"
	assert_eq ".qmail+condredirect: $n lands in $(want "$n")" "$(want "$n")" \
	    "$(landed "$T/home/dq-$n")"
	intact "$T/home/dq-$n" "$n" && ok ".qmail+condredirect: $n arrives whole" ||
	    fail ".qmail+condredirect: $n arrives whole"
done
grep -q '^|/var/qmail/bin/condredirect "\$USER-spam" /usr/local/bin/qqtag-filter -t 5$' \
    "$R/dot-qmail" && ok "recipes/dot-qmail holds the condredirect line tested" ||
    fail "recipes/dot-qmail line"
# a read error in qqtag-filter defers the whole delivery, nothing lands
_h=$T/home/dq-err
newhome "$_h"
recipe dot-qmail "$_h/.qmail" "$_h"
recipe dot-qmail-spam "$_h/.qmail-spam" "$_h"
HOME=$_h USER=alice "$QL" "$_h/.qmail" / > "$T/ql.out" 2>&1
assert_eq ".qmail+condredirect: unreadable message deferred" \
    "111 deferred (111)" "$? $(tail -n 1 "$T/ql.out")"
assert_eq "  ... and nothing delivered" "spam=0 inbox=0" "$(landed "$_h")"

# --- maildrop ---------------------------------------------------------------
# maildrop FILTERFILE < msg: "manual mode", the filter file must be ours
# and mode 600.  maildrop takes HOME from the password file, not the
# environment: the recipe's $HOME is substituted.
md() {
	_h=$T/home/md-$1
	newhome "$_h"
	recipe mailfilter "$_h/.mailfilter" "$_h"
	maildrop "$_h/.mailfilter" < "$T/tagged/$1" > "$T/md.out" 2>&1
	echo $?
}
for n in $MSGS; do
	assert_eq "maildrop: $n delivered" 0 "$(md "$n")"
	assert_eq "maildrop: $n lands in $(want "$n")" "$(want "$n")" \
	    "$(landed "$T/home/md-$n")"
	intact "$T/home/md-$n" "$n" && ok "maildrop: $n arrives whole" ||
	    fail "maildrop: $n arrives whole" "$(cat "$T/md.out")"
done
# a mail-only account whose login shell is nologin (as root: run as
# nobody): maildrop runs commands with $SHELL, which the recipe sets
if [ "$(id -u)" = 0 ]; then
	if setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    test -x "$F" 2> /dev/null; then
		_h=$T/home/md-nologin
		newhome "$_h"
		recipe mailfilter "$_h/.mailfilter" "$_h"
		chown -R nobody "$_h"
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    env HOME="$_h" maildrop "$_h/.mailfilter" \
		    < "$T/tagged/spam" > "$T/md.out" 2>&1
		assert_eq "maildrop as nobody (shell $(getent passwd nobody |
		    cut -d: -f7)): spam lands in spam" spam "$(landed "$_h")"
	else
		echo "# $F not reachable for nobody: nologin case skipped"
	fi
fi
# qqtag-filter exiting 111: the recipe makes maildrop defer (EX_TEMPFAIL)
printf '#!/bin/sh\ncat > /dev/null\nexit 111\n' > "$T/bin/f111"
chmod 755 "$T/bin/f111"
_h=$T/home/md-111
newhome "$_h"
recipe mailfilter "$_h/.mailfilter" "$_h"
sed -i "s|$F|$T/bin/f111|" "$_h/.mailfilter"
maildrop "$_h/.mailfilter" < "$T/tagged/spam" > "$T/md.out" 2>&1
assert_eq "maildrop: qqtag-filter's 111 defers (exit 75)" 75 "$?"
assert_eq "  ... and nothing delivered" "spam=0 inbox=0" "$(landed "$_h")"

# --- procmail ---------------------------------------------------------------
# procmail -m RCFILE < msg: mail filter mode, works as root; the rc file
# sets MAILDIR, DEFAULT and LOGFILE from $HOME (substituted: procmail too
# takes HOME from the password file).
pm() {
	_h=$T/home/pm-$1
	newhome "$_h"
	recipe procmailrc "$_h/.procmailrc" "$_h"
	procmail -m "$_h/.procmailrc" < "$T/tagged/$1" > "$T/pm.out" 2>&1
	echo $?
}
for n in $MSGS; do
	assert_eq "procmail: $n delivered" 0 "$(pm "$n")"
	assert_eq "procmail: $n lands in $(want "$n")" "$(want "$n")" \
	    "$(landed "$T/home/pm-$n")"
	intact "$T/home/pm-$n" "$n" && ok "procmail: $n arrives whole" ||
	    fail "procmail: $n arrives whole" "$(cat "$T/pm.out" "$T/home/pm-$n/procmail.log")"
done
grep -q 'Folder: \.Spam/new/' "$T/home/pm-spam/procmail.log" &&
    ok "procmail: its log names the Spam folder" ||
    fail "procmail log" "$(cat "$T/home/pm-spam/procmail.log")"

# --- sieve (dovecot's sieve-test) ---------------------------------------------
# sieve-test SCRIPT MSG prints the actions it would take; no dovecot runs.
# It needs a config: a mail user (as root: mail_uid nobody, since it
# refuses root) and a mail location; it saves the compiled script next
# to it, so that directory belongs to the mail user.
S=$T/sieve
mkdir -p "$S"
if [ "$(id -u)" = 0 ]; then
	su=nobody
	sg=$(id -gn nobody)
	chown nobody "$S"
else
	su=$(id -un)
	sg=$(id -gn)
fi
cat > "$S/dovecot.conf" << EOF
mail_uid = $su
mail_gid = $sg
mail_home = $S
mail_location = maildir:$S/Maildir
EOF
cp "$R/sieve" "$S/qqtag.sieve"
chmod -R a+rX "$S" "$T/tagged"
# sv NAME: the folder sieve-test would store the message in.
sv() {
	sieve-test -c "$S/dovecot.conf" "$S/qqtag.sieve" "$T/tagged/$1" \
	    > "$T/sv.out" 2> "$T/sv.err"
	_rc=$?
	_f=$(sed -n 's/^ \* store message in folder: //p' "$T/sv.out" | tr '\n' ' ')
	echo "$_rc ${_f% }"
}
for n in $MSGS; do
	case $(want "$n") in
	spam) w=Junk ;;
	*) w=INBOX ;;
	esac
	r=$(sv "$n")
	assert_eq "sieve: $n stored in $w" "0 $w" "$r"
	[ "$r" = "0 $w" ] || sed 's/^/#   /' "$T/sv.out" "$T/sv.err"
done
# only the topmost X-Qqtag (":index 1"): a lower flag=yes is not looked at
{ tagfield clean; echo "X-Qqtag: score=99.0 flag=yes checked=yes"; cat "$T/plain.eml"; } \
    > "$T/tagged/lower-yes"
chmod a+r "$T/tagged/lower-yes"
assert_eq "sieve: a lower X-Qqtag flag=yes is ignored (:index 1)" "0 INBOX" \
    "$(sv lower-yes)"
assert_eq "  ... and qqtag-filter agrees" 1 \
    "$("$F" < "$T/tagged/lower-yes"; echo $?)"

# --- per-user thresholds: the border message (3.0, not flagged) -----------
assert_eq "threshold: border (3.0) not spam at -t 5" 1 \
    "$("$F" -t 5 < "$T/tagged/border"; echo $?)"
assert_eq "threshold: border (3.0) spam at -t 3" 0 \
    "$("$F" -t 3 < "$T/tagged/border"; echo $?)"
assert_eq "threshold: border (3.0) not flagged (no -t)" 1 \
    "$("$F" < "$T/tagged/border"; echo $?)"
assert_eq "threshold: clean (0.0) spam at -t -1" 0 \
    "$("$F" -t -1 < "$T/tagged/clean"; echo $?)"
assert_eq "threshold: relay (checked=no) never spam" 1 \
    "$("$F" -t -100 < "$T/tagged/relay"; echo $?)"

# --- the man page shows these very recipes ---------------------------------
if command -v man > /dev/null 2>&1 && command -v col > /dev/null 2>&1; then
	LC_ALL=C MANWIDTH=200 man -l "$TOP/qqtag-filter.1" 2> "$T/man.err" |
	    col -b | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' > "$T/man.txt"
	assert_eq "qqtag-filter.1 renders without warnings" "" "$(cat "$T/man.err")"
	for r in dot-qmail dot-qmail-spam mailfilter procmailrc sieve; do
		missing=$(grep -v '^#' "$R/$r" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' |
		    grep -v '^$' | while IFS= read -r l; do
			grep -qxF -- "$l" "$T/man.txt" || echo "$l"
		done)
		assert_eq "qqtag-filter.1 shows recipes/$r line for line" "" "$missing"
	done
else
	skip "the man page shows the recipes: man or col is not installed"
fi

t_done

#!/bin/sh
# t_forged.sh - forged tags in the forms that downstream readers misread
# (issue 10, items 5 and 5b): a NUL ending the name (dovecot's sieve; maildrop
# reads it as the colon), CR bytes in or around the name (maildrop drops
# them), a bare CR starting a line (Python's email), a fold before the colon
# (procmail joins it), blanks before the colon.  Each message goes through
# the real readers before qqtag (each named reader does see the forged
# field: the test can fail), then through the built qqtag and the strict
# queue stand-in, then through every reader again: none sees an X-Spam-Flag
# or a forged X-Qqtag, and every one sees qqtag's own X-Qqtag.  The queued
# message is qqtag's block and the original less exactly the lines
# tests/strip.py (the tests' own reading of the rules) takes out.
. "$(dirname "$0")/lib.sh"

for c in maildrop procmail sieve-test; do
	command -v "$c" > /dev/null 2>&1 ||
	    { fail "$c is installed (sh tests/deps.sh test)"; t_done; }
done
[ -x "$QQTAG" ] || { fail "$QQTAG is built"; t_done; }
chmod 755 "$T"	# sieve-test runs as nobody when we are root
mkdir -p "$T/spool" "$T/m"
cat > "$T/policy" << EOF
spool $T/spool
threshold 5
EOF
mkenv "$T/env" sender@example.net alice@example.org
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED QQTAG_THRESHOLD QQTAG_DNS \
    TCP6REMOTEIP QMAILQUEUE 2> /dev/null || :

# --- the readers -------------------------------------------------------------
# Each prints what it sees: "flag" (an X-Spam-Flag field), "qyes" (an
# X-Qqtag saying flag=yes: qqtag never writes that for these clean
# messages, so it is forged), "ours" (qqtag's own X-Qqtag, which starts
# "score="), space-separated, "none" when it sees none of these.
TAB=$(printf '\t')
# maildrop: "manual mode", the filter file ours and mode 600; a command-
# less filter, so $SHELL does not matter, but set it as recipes do.
cat > "$T/mailfilter" << EOF
SHELL="/bin/sh"
DEFAULT="/dev/null"
F=""
if (/^X-Spam-Flag[ $TAB]*:/)
{
	F="\$F flag"
}
if (/^X-Qqtag[ $TAB]*:.*flag=yes/)
{
	F="\$F qyes"
}
if (/^X-Qqtag: score=/)
{
	F="\$F ours"
}
if (\$F eq "")
{
	F="none"
}
echo "\$F"
EXITCODE=0
exit
EOF
chmod 600 "$T/mailfilter"
r_maildrop() {
	maildrop "$T/mailfilter" < "$1" 2> "$T/md.err" | sed 's/^ *//'
}
# procmail -m RCFILE: filter mode; each recipe adds a word to $F, which
# goes to its log.
cat > "$T/procmailrc" << EOF
DEFAULT=/dev/null
LOGFILE=$T/procmail.log
F=
:0
* ^X-Spam-Flag[ $TAB]*:
{
F="\$F flag"
}
:0
* ^X-Qqtag[ $TAB]*:.*flag=yes
{
F="\$F qyes"
}
:0
* ^X-Qqtag: score=
{
F="\$F ours"
}
LOG="seen:\$F
"
:0
/dev/null
EOF
r_procmail() {
	rm -f "$T/procmail.log"
	procmail -m "$T/procmailrc" < "$1" > /dev/null 2>&1
	_f=$(sed -n 's/^seen: *//p' "$T/procmail.log" 2> /dev/null)
	echo "${_f:-none}"
}
# dovecot's sieve-test: the folders the script would file into.
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
cat > "$S/t.sieve" << 'EOF'
require ["fileinto"];
if exists "X-Spam-Flag" { fileinto "flag"; }
if header :contains "X-Qqtag" "flag=yes" { fileinto "qyes"; }
if header :matches "X-Qqtag" "score=*" { fileinto "ours"; }
EOF
chmod -R a+rX "$S"
r_sieve() {
	cp "$1" "$S/msg"
	chmod a+r "$S/msg"
	sieve-test -c "$S/dovecot.conf" "$S/t.sieve" "$S/msg" > "$T/sv.out" \
	    2> "$T/sv.err"
	_f=$(sed -n 's/^ \* store message in folder: //p' "$T/sv.out" |
	    grep -v '^INBOX$' | tr '\n' ' ')
	_f=${_f% }
	echo "${_f:-none}"
}
# Python's email, both policies: the same words, "py:" once per policy.
r_python() {
	"$PYTHON" - "$1" << 'PY'
import email, email.policy, sys
b = open(sys.argv[1], "rb").read()
out = []
for pol in (email.policy.compat32, email.policy.default):
    m = email.message_from_bytes(b, policy=pol)
    w = []
    if m.get_all("X-Spam-Flag"):
        w.append("flag")
    q = [str(v) for v in m.get_all("X-Qqtag") or []]
    if any("flag=yes" in v for v in q):
        w.append("qyes")
    if any(v.startswith("score=") for v in q):
        w.append("ours" if len(q) == 1 else "ours+%d" % (len(q) - 1))
    out.append(" ".join(w) or "none")
print(out[0] if out[0] == out[1] else "compat32 %s / default %s" % tuple(out))
PY
}
READERS="maildrop procmail sieve python"

# --- the messages ------------------------------------------------------------
RCVD_DATE=$(LC_ALL=C date -u '+%d %b %Y %H:%M:%S -0000' | sed 's/^0//')
MSG_DATE=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')
# msg NAME FORM: a message with the bytes FORM (printf format) after From:
msg() {
	{
		printf 'Received: from unknown (HELO mx.example.net) (192.0.2.7)\n'
		printf '  by mx.example.org with SMTP; %s\n' "$RCVD_DATE"
		printf 'From: Someone <someone@example.net>\n'
		printf "$2"
		printf 'To: alice@example.org\nSubject: a test\nDate: %s\n' \
		    "$MSG_DATE"
		printf 'Message-ID: <%s@example.net>\n\nHello.\n' "$1"
	} > "$T/m/$1"
}
# NAME, the readers that see the forged field before qqtag, the form
FORMS="
nul-colon	sieve maildrop	X-Spam-Flag\\000: YES\\n
nul-junk	sieve maildrop	X-Spam-Flag\\000junk: YES\\n
nul-qqtag	sieve	X-Qqtag\\000: flag=yes\\n
nul-blank	maildrop	X-Spam-Flag \\000: YES\\n
cr-colon	maildrop	X-Spam-Flag\\r: YES\\n
cr-inside	maildrop	X-Spam\\r-Flag: YES\\n
cr-before	maildrop	\\rX-Spam-Flag: YES\\n
bare-cr	python	Subject: hi\\rX-Spam-Flag: YES\\n
bare-cr-qqtag	python	Subject: hi\\rX-Qqtag: score=0 flag=yes\\n\\tchecked=yes\\n
bare-cr-cont	python	Subject: hi\\n more\\rX-Spam-Flag: YES\\n
fold-colon	procmail	X-Spam-Flag\\n : YES\\n
fold-blank	procmail	X-Spam-Flag \\n\\t: YES\\n
obs-fws	sieve maildrop procmail	X-Spam-Flag \\t: YES\\n
plain	sieve maildrop procmail python	x-spam-flag: YES\\nX-Qqtag: flag=yes\\n
"

# --- each form: the readers before, qqtag, the readers after ------------------
printf '%s\n' "$FORMS" > "$T/forms"
while IFS="$TAB" read -r name seen form; do
	[ -n "$name" ] || continue
	msg "$name" "$form"
	m=$T/m/$name
	for r in $seen; do
		w=$("r_$r" "$m")
		case " $w " in
		*" flag "* | *" qyes "*)
			ok "$name: $r sees the forged field before qqtag ($w)" ;;
		*)
			fail "$name: $r sees the forged field before qqtag" \
			    "it sees: $w" ;;
		esac
	done
	rm -f "$T/q.msg"
	env QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q" \
	    TCPREMOTEIP=192.0.2.7 "$QQTAG" < "$m" 1< "$T/env" 2> "$T/log"
	rc=$?
	if [ "$rc" != 0 ] || [ ! -s "$T/q.msg" ]; then
		fail "$name: qqtag queues it" "exit $rc: $(cat "$T/log")"
		continue
	fi
	cp "$T/q.msg" "$T/m/$name.out"
	"$PYTHON" "$TOP/tests/strip.py" "$m" "$T/want"
	if tail -c "$(wc -c < "$T/want")" "$T/q.msg" | cmp -s - "$T/want" &&
	    [ "$(wc -c < "$T/want")" -lt "$(wc -c < "$m")" ]; then
		ok "$name: queued as the original less the forged lines"
	else
		fail "$name: queued as the original less the forged lines" \
		    "$(od -c "$T/q.msg" | tail -n 12)"
	fi
	grep -q ' stripped=[1-9]' "$T/log" && ok "$name: the log counts it" ||
	    fail "$name: the log counts it" "$(cat "$T/log")"
	for r in $READERS; do
		assert_eq "$name: after qqtag $r sees only qqtag's X-Qqtag" ours \
		    "$("r_$r" "$T/q.msg")"
	done
done < "$T/forms"

# --- item 5: a name in the namespace at any length ---------------------------
long=$("$PYTHON" -c 'print("X-Qqtag-" + "a" * 200)')
longer=$("$PYTHON" -c 'print("x-QQTAG-" + "b" * 3000)')
msg long "$long: flag=yes\\n$longer: flag=yes\\n\\tmore\\n"
env QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q" \
    TCPREMOTEIP=192.0.2.7 "$QQTAG" < "$T/m/long" 1< "$T/env" 2> "$T/log"
grep -q "^$long: flag=yes" "$T/m/long" &&
    ok "long: the message holds them" || fail "long: the message holds them"
grep -q ' stripped=2 ' "$T/log" &&
    ok "long: X-Qqtag- names of 208 and 3008 bytes stripped" ||
    fail "long: X-Qqtag- names stripped" "$(cat "$T/log")"
grep -q '^Message-ID: <long@example.net>' "$T/q.msg" &&
    ok "long: the rest is there" || fail "long: the rest is there"
grep -qi '^X-Qqtag-' "$T/q.msg" &&
    fail "long: none left" "$(head -c 400 "$T/q.msg")" || ok "long: none left"

t_done

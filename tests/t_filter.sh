#!/bin/sh
# t_filter.sh - qqtag-filter: verdicts on the topmost X-Qqtag (flag,
# thresholds, negative and equal scores, forged lower headers, folding),
# hostile input (garbage, binary, empty, header-less, huge), bounded
# reading of a 10 MB message, read errors, usage errors, and
# condredirect(1)'s contract through a stand-in.
. "$(dirname "$0")/lib.sh"

F=$TOP/qqtag-filter
if [ ! -x "$F" ]; then
	fail "qqtag-filter is built (make qqtag-filter)"
	t_done
fi

# v DESC WANT FILE [ARG...]: qqtag-filter ARG... < FILE exits WANT.
v() {
	_d=$1
	_w=$2
	_f=$3
	shift 3
	"$F" "$@" < "$_f" > "$T/v.out" 2> "$T/v.err"
	_rc=$?
	if [ "$_rc" = "$_w" ]; then
		ok "$_d"
	else
		fail "$_d" "exit $_rc, wanted $_w: qqtag-filter $*
$(head -c 300 "$T/v.err")"
	fi
}

# m NAME TEXT: write message $T/NAME from printf-style TEXT (\n, \t, \r).
m() {
	# shellcheck disable=SC2059
	printf "$2" > "$T/$1"
}

TOP7="X-Qqtag: score=7.5 required=5.0 flag=yes checked=yes tests=SPAMHAUS_XBL,RDNS_NONE\n\tlists=ZEN errors=none\n"
m flagged "Received: (qmail 1 invoked from network); 27 Nov 2026 01:40:23 -0000\n${TOP7}Received: from unknown (192.0.2.7)\n  by mx with SMTP; 27 Nov 2026 01:40:22 -0000\nFrom: a@example.net\nSubject: hi\n\nbody\n"
m ham "X-Qqtag: score=1.2 required=5.0 flag=no checked=yes tests=RDNS_NONE\n\tlists=none errors=none\nSubject: hi\n\nbody\n"
m high_noflag "X-Qqtag: score=9.0 required=10.0 flag=no checked=yes\n\nbody\n"
m neg "X-Qqtag: score=-2.3 required=5.0 flag=no checked=yes tests=DNSWL_HI\n\n"
m zero "X-Qqtag: score=0.0 required=-1.0 flag=yes checked=yes\n\n"
m plus "X-Qqtag: score=+6 checked=yes flag=yes\n\n"

# --- the verdict ---------------------------------------------------------
v "flag=yes, no -t: spam" 0 "$T/flagged"
v "flag=no, no -t: not spam" 1 "$T/ham"
v "-t 8 over score 7.5: not spam" 1 "$T/flagged" -t 8
v "-t 7.5 equal to score 7.5: spam" 0 "$T/flagged" -t 7.5
v "-t 7.50 equal as numbers: spam" 0 "$T/flagged" -t 7.50
v "-t 7.6: not spam" 1 "$T/flagged" -t 7.6
v "-t 7: spam" 0 "$T/flagged" -t 7
v "-t 1 on score 1.2 though flag=no: spam" 0 "$T/ham" -t 1
v "-t 5 on score 9.0, flag=no: the score decides" 0 "$T/high_noflag" -t 5
v "no -t on score 9.0, flag=no: the flag decides" 1 "$T/high_noflag"
v "negative score -2.3, -t -2.3 (equal): spam" 0 "$T/neg" -t -2.3
v "negative score -2.3, -t -2: not spam" 1 "$T/neg" -t -2
v "negative score -2.3, -t -3: spam" 0 "$T/neg" -t -3
v "negative score -2.3, -t 0: not spam" 1 "$T/neg" -t 0
v "score 0.0, -t 0: spam" 0 "$T/zero" -t 0
v "score 0.0, -t -0.0: spam" 0 "$T/zero" -t -0.0
v "score 0.0, -t 0.1: not spam" 1 "$T/zero" -t 0.1
v "score +6 (sign, no decimals), -t 6: spam" 0 "$T/plus" -t 6
v "-t 5 given twice: the last counts" 1 "$T/flagged" -t 5 -t 8

# --- only the topmost X-Qqtag counts -----------------------------------
m forged "X-Qqtag: score=0.0 required=5.0 flag=no checked=yes\nReceived: from x\nX-Qqtag: flag=yes score=99 checked=yes\nX-Spam-Flag: YES\n\nbody\n"
v "forged lower X-Qqtag flag=yes under a real flag=no: not spam" 1 "$T/forged"
v "  ... with -t 5 (lower says score=99): not spam" 1 "$T/forged" -t 5
m forged2 "${TOP7}X-Qqtag: score=-9.0 flag=no checked=yes\n\n"
v "lower X-Qqtag flag=no under a real flag=yes: spam" 0 "$T/forged2"
m forged3 "X-Qqtag: checked=no reason=relayclient\nX-Qqtag: score=99.0 flag=yes checked=yes\n\n"
v "forged lower header under checked=no: not spam" 1 "$T/forged3" -t 1
m dupkeys "X-Qqtag: score=1.0 flag=no checked=yes score=99.0 flag=yes\n\n"
v "repeated key in the topmost field: the first counts (flag)" 1 "$T/dupkeys"
v "repeated key in the topmost field: the first counts (score)" 1 "$T/dupkeys" -t 5
m cont_forge "X-Qqtag: score=1.0 flag=no checked=yes\n flag=yes score=9.0\n\n"
v "continuation adding keys again: the first counts" 1 "$T/cont_forge" -t 5
m below_body "Subject: x\n\nX-Qqtag: score=9.0 flag=yes checked=yes\n"
v "X-Qqtag in the body: not a header" 1 "$T/below_body"

# --- folding and names ---------------------------------------------------
m fold_tab "X-Qqtag: score=7.5 required=5.0\n\tflag=yes\n\tchecked=yes\nSubject: x\n\n"
v "folded with TAB, flag on a continuation line" 0 "$T/fold_tab"
m fold_sp "X-Qqtag:\n score=7.5\n  flag=yes checked=yes\n\n"
v "folded with SP, value starts on the next line" 0 "$T/fold_sp"
v "  ... -t 7.5 with the score on a continuation line" 0 "$T/fold_sp" -t 7.5
m fold_crlf "X-Qqtag: score=7.5 required=5.0\r\n\tflag=yes checked=yes\r\nSubject: x\r\n\r\nbody\r\n"
v "CRLF line ends: CR is a blank" 0 "$T/fold_crlf" -t 7.5
m fold_last "X-Qqtag: score=7.5 flag=yes\n checked=yes"
v "field ended by end of input (no newline)" 0 "$T/fold_last"
m case "x-QQTAG: score=7.5 flag=yes checked=yes\n\n"
v "name is case-insensitive" 0 "$T/case"
m obs "X-Qqtag \t: score=7.5 flag=yes checked=yes\n\n"
v "blanks before the colon (obs-fws, stripped by qqtag too)" 0 "$T/obs"
m longer "X-Qqtagx: score=7.5 flag=yes checked=yes\nX-Qqtag-Status: flag=yes checked=yes\n\n"
v "X-Qqtagx and X-Qqtag-Status are other names" 1 "$T/longer"
# qqtag's block with GeoIP on: X-Qqtag folded at 78 columns with country=
# and asn= at its end, then X-Qqtag-Geo, whose AS name is untrusted text
# (sanitised, but it may say anything, "flag=yes score=99" too)
GEOTAG="X-Qqtag: score=2.5 required=5.0 flag=no checked=yes tests=GEO_CC_CN,\n\tGEO_ASN_64501 lists=none errors=none country=CN asn=64501\nX-Spam-Status: No, score=2.5 required=5.0 tests=GEO_CC_CN,GEO_ASN_64501\nX-Spam-Level: **\nX-Spam-Score: 2.5\nX-Qqtag-Geo: CN AS64501 Evil X-Qqtag: flag=yes checked=yes score=99.0\n"
m geo "${GEOTAG}Subject: x\n\nbody\n"
v "X-Qqtag-Geo below X-Qqtag (GeoIP on), AS name says flag=yes: not spam" 1 "$T/geo"
v "  ... -t 3 over score 2.5: not spam" 1 "$T/geo" -t 3
v "  ... -t 2.5: spam (the score is X-Qqtag's, folded or not)" 0 "$T/geo" -t 2.5
m geo_above "X-Qqtag-Geo: ZZ AS1 flag=yes checked=yes score=99.0\n${GEOTAG}\n"
v "an X-Qqtag-Geo above X-Qqtag is not the topmost X-Qqtag" 1 "$T/geo_above" -t 5
m shorter "X-Qqta: score=7.5 flag=yes checked=yes\n\n"
v "X-Qqta is another name" 1 "$T/shorter"
m values "X-Qqtag: score=7.5 flag=YES checked=yes\n\n"
v "flag=YES is not flag=yes (exact values)" 1 "$T/values"
m keyprefix "X-Qqtag: xflag=yes checked=yes myscore=9.0\n\n"
v "xflag= and myscore= are other keys" 1 "$T/keyprefix"
v "  ... with -t" 1 "$T/keyprefix" -t 1
m mbox "From someone@example.net Thu Nov 27 01:40:22 2026\nReturn-Path: <a@example.net>\n${TOP7}\nbody\n"
v "mbox From_ line in front (procmail): skipped" 0 "$T/mbox"
m junkline "Subject: x\nthis line is not a field\n${TOP7}\n"
v "a line that is not a field is skipped, not an end" 0 "$T/junkline"

# --- missing, unchecked, unparseable -----------------------------------
m none "Received: from x\nSubject: no tag\n\nbody\n"
v "no X-Qqtag: not spam" 1 "$T/none"
v "no X-Qqtag, -t -100: not spam" 1 "$T/none" -t -100
m unchecked "X-Qqtag: checked=no reason=relayclient\nSubject: x\n\n"
v "checked=no: not spam" 1 "$T/unchecked"
v "checked=no, -t -100: not spam" 1 "$T/unchecked" -t -100
m nocheck "X-Qqtag: score=9.0 flag=yes\n\n"
v "no checked key: not spam" 1 "$T/nocheck"
m noscore "X-Qqtag: flag=yes checked=yes\n\n"
v "no score with -t: not spam" 1 "$T/noscore" -t -100
v "  ... without -t the flag decides" 0 "$T/noscore"
for s in abc 1e3 nan inf -inf 0x10 7.5x 7. .5 '' '--1' '+-1' 7,5 \
    99999999999999999999999999999999999999999999999999999999999999999999; do
	m badscore "X-Qqtag: score=$s flag=yes checked=yes\n\n"
	v "unparseable score '$s' with -t: not spam" 1 "$T/badscore" -t -1000
done

# --- hostile input ------------------------------------------------------
: > "$T/empty"
v "empty input: not spam" 1 "$T/empty"
m nl "\n"
v "a lone newline: not spam" 1 "$T/nl"
m headerless "\nX-Qqtag: score=9.0 flag=yes checked=yes\n"
v "header-less message (empty first line): not spam" 1 "$T/headerless"
m textonly "Hello, this is no header at all\nX-Qqtag: score=9.0 flag=yes checked=yes\n\n"
v "text first, tag below: skipped line, tag read" 0 "$T/textonly"
FSEED=${TEST_SEED:-5}
"$PYTHON" - "$T" "$FSEED" << 'PY'
import random, sys
d = sys.argv[1]
r = random.Random(int(sys.argv[2]))
open(d + "/binary", "wb").write(bytes(r.randrange(256) for _ in range(200000)))
open(d + "/nul", "wb").write(b"X-Qqtag: score=9.0\0 flag=yes checked=yes\n\n")
open(d + "/nulname", "wb").write(b"X-Qq\0tag: score=9.0 flag=yes checked=yes\n\n")
open(d + "/8bit", "wb").write(b"X-Qqtag: score=9.0 flag=yes\xff checked=yes\n\n")
open(d + "/nulflag", "wb").write(b"X-Qqtag: score=9.0 flag=yes\0x checked=yes\n\n")
open(d + "/longword", "wb").write(b"X-Qqtag: checked=yes flag=yes score=9." +
    b"0" * 100 + b"\n\n")
open(d + "/longline", "wb").write(b"X-Qqtag: checked=yes flag=yes " +
    b"x" * 100000 + b" score=9.0\n\n")
open(d + "/nonl", "wb").write(b"X-Qqtag: checked=yes flag=yes score=9.0" +
    b" " * 70000)
PY
v "200 KB of random bytes (seed $FSEED): not spam" 1 "$T/binary"
v "  ... with -t -100" 1 "$T/binary" -t -100
v "NUL in a word spoils that word only: flag still read" 0 "$T/nul"
v "  ... the score word is ignored" 1 "$T/nul" -t 1
v "NUL inside the name: another name" 1 "$T/nulname"
v "8-bit byte glued to flag=yes: not yes" 1 "$T/8bit"
v "NUL glued to flag=yes: not yes" 1 "$T/nulflag"
v "overlong score word (100 digits): ignored" 1 "$T/longword" -t 1
v "field longer than 64 KiB: cut, not spam" 1 "$T/longline" -t 1
v "field not ended within 64 KiB (no newline): not spam" 1 "$T/nonl"

# --- bounded reading ------------------------------------------------------
# pos FILE ARG...: run qqtag-filter on FILE, print "RC OFFSET" where
# OFFSET is how far it read fd 0 (the shared file offset, from fdinfo).
pos() {
	_f=$1
	shift
	# shellcheck disable=SC2016
	sh -c '"$@"; r=$?; o=$(sed -n "s/^pos:[[:space:]]*//p" /proc/$$/fdinfo/0)
	    echo "$r $o"' sh "$F" "$@" < "$_f" 2> /dev/null
}
"$PYTHON" - "$T" << 'PY'
import sys
d = sys.argv[1]
top = (b"X-Qqtag: score=7.5 required=5.0 flag=yes checked=yes tests=X\n"
       b"\tlists=ZEN errors=none\nSubject: big\n\n")
with open(d + "/big", "wb") as f:
    f.write(top)
    line = b"a" * 76 + b"\n"
    for _ in range(10 * 1024 * 1024 // len(line) + 1):
        f.write(line)
# a 1 MB header section with no X-Qqtag, then a (forged) one below it
with open(d + "/bighdr", "wb") as f:
    for i in range(16000):
        f.write(b"X-Filler-%05d: " % i + b"b" * 50 + b"\n")
    f.write(b"X-Qqtag: score=99.0 flag=yes checked=yes\n\nbody\n")
# a tag whose end (the first byte of the next line) is byte 65536, the
# last one examined; and one byte later
tag = b"X-Qqtag: score=9.0 flag=yes checked=yes\n \n"
for name, extra in (("edge", 0), ("edge1", 1)):
    with open(d + "/" + name, "wb") as f:
        f.write(b"X-Filler: " + b"c" * (65536 - 10 - 1 - len(tag) - 1 + extra)
                + b"\n" + tag + b"\nbody\n" * 100)
PY
# shellcheck disable=SC2046
set -- $(pos "$T/big")
assert_eq "10 MB message (file): spam" 0 "$1"
hl=$(head -n 4 "$T/big" | wc -c)
if [ -n "$2" ] && [ "$2" -le $((hl + 4096)) ]; then
	ok "10 MB message (file): read $2 bytes (header $hl + one buffer at most)"
else
	fail "10 MB message (file): read only the header" "offset ${2-?}, header $hl"
fi
# shellcheck disable=SC2046
set -- $(pos "$T/bighdr")
assert_eq "1 MB header section, X-Qqtag at its end: not spam" 1 "$1"
if [ -n "$2" ] && [ "$2" -le 65536 ]; then
	ok "1 MB header section: read $2 bytes (64 KiB at most)"
else
	fail "1 MB header section: reading capped" "offset ${2-?}"
fi
# shellcheck disable=SC2046
set -- $(pos "$T/edge")
assert_eq "tag ending at byte 65536: read" 0 "$1"
assert_eq "  ... read no more than 64 KiB" 65536 "$2"
# shellcheck disable=SC2046
set -- $(pos "$T/edge1")
assert_eq "tag ending at byte 65537: past the cap, not spam" 1 "$1"

# A 10 MB message through a pipe: the writer must be stopped early by
# EPIPE (its count of bytes written stays far below 10 MB) and the
# filter must answer at once.
"$PYTHON" - "$T" "$F" << 'PY' > "$T/pipe.out" 2>&1
import os, subprocess, sys, time
d, f = sys.argv[1], sys.argv[2]
data = open(d + "/big", "rb").read()
t0 = time.time()
p = subprocess.Popen([f], stdin=subprocess.PIPE)
sent = 0
try:
    while sent < len(data):
        p.stdin.write(data[sent:sent + 65536])
        p.stdin.flush()
        sent += 65536
except BrokenPipeError:
    pass
try:
    p.stdin.close()
except BrokenPipeError:
    pass
rc = p.wait(timeout=20)
print(rc, min(sent, len(data)), len(data), "%.2f" % (time.time() - t0))
PY
read -r prc psent plen ptime < "$T/pipe.out"
assert_eq "10 MB message (pipe): spam" 0 "$prc"
if [ -n "$psent" ] && [ "$psent" -lt $((1024 * 1024)) ]; then
	ok "10 MB message (pipe): writer stopped by EPIPE after $psent of $plen bytes (${ptime}s)"
else
	fail "10 MB message (pipe): writer stopped early" "$(cat "$T/pipe.out")"
fi

# A 10 MB header section of garbage through a pipe: answers quickly.
"$PYTHON" - "$F" << 'PY' > "$T/pipe2.out" 2>&1
import subprocess, sys, time
t0 = time.time()
p = subprocess.Popen([sys.argv[1], "-t", "1"], stdin=subprocess.PIPE)
chunk = b"".join(b"X-Junk-%d: %s\n" % (i, b"j" * 60) for i in range(1000))
try:
    for _ in range(150):
        p.stdin.write(chunk)
    p.stdin.close()
except BrokenPipeError:
    pass
print(p.wait(timeout=20), "%.2f" % (time.time() - t0))
PY
read -r prc ptime < "$T/pipe2.out"
assert_eq "10 MB of header lines (pipe), no tag: not spam" 1 "$prc"

# fd 0 non-blocking and empty at first: EAGAIN is waited out.
"$PYTHON" - "$F" "$T/flagged" << 'PY' > "$T/nb.out" 2>&1
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fl = fcntl.fcntl(r, fcntl.F_GETFL)
fcntl.fcntl(r, fcntl.F_SETFL, fl | os.O_NONBLOCK)
p = subprocess.Popen([sys.argv[1]], stdin=r)
os.close(r)
time.sleep(0.3)
os.write(w, open(sys.argv[2], "rb").read())
os.close(w)
print(p.wait(timeout=20))
PY
assert_eq "non-blocking fd 0 (EAGAIN retried): spam" 0 "$(cat "$T/nb.out")"

# --- read errors: 111 ------------------------------------------------------
"$F" < / 2> "$T/err"
assert_eq "fd 0 a directory (EISDIR): 111" 111 "$?"
grep -q 'cannot read the message: Is a directory' "$T/err" &&
    ok "  ... says why on stderr" || fail "EISDIR message" "$(cat "$T/err")"
"$F" <&- 2> "$T/err"
assert_eq "fd 0 closed (EBADF): 111" 111 "$?"
"$F" -t 5 < / 2> /dev/null
assert_eq "read error with -t: 111" 111 "$?"

# --- usage: never 0, never 111 ------------------------------------------
for a in "-t abc" "-t 1e3" "-t nan" "-t" "-x" "extra" "-t 5 extra"; do
	# shellcheck disable=SC2086
	"$F" $a < "$T/flagged" > /dev/null 2> "$T/err"
	rc=$?
	if [ "$rc" = 1 ] && grep -q 'usage: qqtag-filter' "$T/err"; then
		ok "bad usage '$a': exit 1 with a message"
	else
		fail "bad usage '$a'" "exit $rc: $(cat "$T/err")"
	fi
done
"$F" -t '' < "$T/flagged" 2> /dev/null
assert_eq "bad usage -t '': exit 1" 1 "$?"
"$F" > "$T/out" 2> "$T/err" < "$T/flagged"
rc=$?
# it ran (exit 0: spam), and said nothing
assert_eq "quiet without -v (stdout)" "exit 0:" "exit $rc:$(cat "$T/out")"
assert_eq "quiet without -v (stderr)" "" "$(cat "$T/err")"
"$F" -v -t 8 < "$T/flagged" > "$T/out" 2> "$T/err"
assert_eq "-v: stdout stays empty" "" "$(cat "$T/out")"
grep -q '^qqtag-filter: X-Qqtag score=7.5 flag=yes checked=yes; threshold 8: not spam, exit 1$' \
    "$T/err" && ok "-v reports score, flag and verdict" ||
    fail "-v line" "$(cat "$T/err")"
"$F" -v < "$T/none" 2> "$T/err"
grep -q 'no X-Qqtag field' "$T/err" && ok "-v says when there is no tag" ||
    fail "-v no tag" "$(cat "$T/err")"
"$F" -v -t 1 < "$T/8bit" 2> "$T/err"
grep -q '^qqtag-filter: ' "$T/err" && ! LC_ALL=C grep -q '[^ -~]' "$T/err" &&
    ok "-v output stays printable ASCII" ||
    fail "-v output printable" "$(od -c "$T/err" | head)"

"$PYTHON" - "$F" "$T/flagged" << 'PY' > "$T/epipe.out" 2>&1
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run([sys.argv[1], "-v"], stdin=open(sys.argv[2], "rb"),
                   stderr=w)
print(p.returncode)
PY
assert_eq "-v with stderr a pipe nobody reads (EPIPE): still exit 0" 0 \
    "$(cat "$T/epipe.out")"

# --- condredirect(1)'s contract --------------------------------------------
# The stand-in does what qmail 1.03's condredirect does: run the program
# with the message on fd 0; exit 0 -> forward to the new address and exit
# 99 (qmail-local skips the rest of .qmail); 111 or a crash -> exit 111
# (delivery deferred); anything else -> exit 0 (go on with the next line).
cat > "$T/condredirect" << 'EOF'
#!/bin/sh
addr=$1
shift
"$@"
rc=$?
if [ "$rc" = 0 ]; then
	echo "redirected $addr"
	exit 99
fi
if [ "$rc" = 111 ] || [ "$rc" -gt 128 ]; then
	echo "deferred"
	exit 111
fi
echo "continue"
exit 0
EOF
chmod 755 "$T/condredirect"
# cr DESC WANT-LINE WANT-RC MSG ARG...: condredirect user-spam qqtag-filter ARG...
cr() {
	_d=$1
	_wl=$2
	_wr=$3
	_msg=$4
	shift 4
	_l=$("$T/condredirect" alice-spam "$F" "$@" < "$_msg" 2> /dev/null)
	_rc=$?
	assert_eq "condredirect: $_d" "$_wl $_wr" "$_l $_rc"
}
cr "flagged message is redirected (exit 99)" "redirected alice-spam" 99 "$T/flagged"
cr "over the threshold: redirected" "redirected alice-spam" 99 "$T/flagged" -t 5
cr "under the threshold: next line" continue 0 "$T/flagged" -t 8
cr "not flagged: next line" continue 0 "$T/ham"
cr "no tag: next line" continue 0 "$T/none"
cr "garbage: next line" continue 0 "$T/binary"
cr "bad -t: next line (mail is not lost)" continue 0 "$T/flagged" -t x
cr "read error: deferred (111)" deferred 111 / -t 5

t_done

#!/bin/sh
# t_body.sh - the body stream (issue 11.4).  tests/qqtag-body is qqtag
# with one more check (tests/check_body.c) that asks for the body and
# writes what it was given.  For each message, through a pipe (as from
# qmail-smtpd) and from a file: the check saw exactly the bytes after the
# header section, in order, in chunks of at most CHECK_CHUNK, after the
# headers step; the queue still got the message byte for byte; memory
# does not grow with the body.  Without a check that asks, the body is
# spliced (strace counts splice calls), with one it is not.
. "$(dirname "$0")/lib.sh"

QB=$TOP/tests/qqtag-body
[ -x "$QB" ] || { fail "tests/qqtag-body is built (make testbins)"; t_done; }
mkdir -p "$T/spool" "$T/m"
printf 'spool %s\n' "$T/spool" > "$T/policy"
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q"
export TCPREMOTEIP=192.0.2.7
mkenv "$T/env" a@example.net b@example.org

# the messages, and what their body is (the bytes after the first
# LF-only empty line; none when there is none)
"$PYTHON" - "$T/m" <<'PY'
import os, random, sys
d = sys.argv[1]
rnd = random.Random(int(os.environ.get("TEST_SEED", "11")))
big = bytes(rnd.randrange(256) for _ in range(300000))
cases = {
    "small": b"Subject: a\n\nbody\n",
    "nobody": b"Subject: a\nX: b\n",
    "noblank-eof": b"Subject: a\nno end",
    "blankfirst": b"\nbody only\n",
    "crlf-nul": b"Subject: a\r\n\r\nX\r\n\n\x00\x01\r\nend",
    "blank-in-body": b"A: 1\n\n\n\nB: 2\n\n",
    "binary": b"Subject: bin\n\n" + big,
    "long-header": b"X-Long: " + b"y" * 200000 + b"\n\n" + big[:70000],
}
for name, data in cases.items():
    open(os.path.join(d, name + ".msg"), "wb").write(data)
    i = data.find(b"\n\n")
    body = data[i + 2:] if i >= 0 else (data[1:] if data[:1] == b"\n" else b"")
    if data[:1] == b"\n":
        body = data[1:]
    open(os.path.join(d, name + ".body"), "wb").write(body)
PY
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(b"Subject: big\n\n" + b"0123456789abcdef" * (20 << 16))' \
    > "$T/m/big20m.msg"
tail -c +15 "$T/m/big20m.msg" > "$T/m/big20m.body"
n=$(ls "$T"/m/*.msg | wc -l)
[ "$n" = 9 ] && ok "9 messages made" || fail "9 messages made" "$(ls "$T/m")"

# body NAME HOW: HOW is pipe or file
body() {
	rm -f "$T/b" "$T/b.info" "$T/q.msg"
	if [ "$2" = pipe ]; then
		cat "$T/m/$1.msg" | QQTAG_BODYTEST=$T/b "$QB" 1< "$T/env" \
		    2> "$T/log"
	else
		QQTAG_BODYTEST=$T/b "$QB" < "$T/m/$1.msg" 1< "$T/env" \
		    2> "$T/log"
	fi
	_rc=$?
	"$PYTHON" "$TOP/tests/strip.py" "$T/m/$1.msg" "$T/want"
	_w=$(wc -c < "$T/want")
	if [ "$_rc" != 0 ] || [ ! -s "$T/q.msg" ] ||
	    [ "$(tail -c "$_w" "$T/q.msg" | cmp - "$T/want" 2>&1)" != "" ]; then
		fail "$1 ($2): queued byte for byte" "rc=$_rc $(cat "$T/log")"
		return
	fi
	ok "$1 ($2): queued byte for byte"
	if [ -e "$T/b" ] && cmp -s "$T/b" "$T/m/$1.body"; then
		ok "$1 ($2): the check saw exactly the body ($(wc -c < "$T/b") bytes)"
	else
		fail "$1 ($2): the check saw exactly the body" \
		    "$(cmp "$T/b" "$T/m/$1.body" 2>&1) $(cat "$T/b.info" 2>&1)"
	fi
	_max=$(sed -n 's/.* max=\([0-9]*\) .*/\1/p' "$T/b.info" 2>/dev/null)
	if grep -q ' headers=1$' "$T/b.info" 2>/dev/null &&
	    [ -n "$_max" ] && [ "$_max" -le 65536 ]; then
		ok "$1 ($2): after the headers step, chunks of at most 64 KiB ($(cat "$T/b.info"))"
	else
		fail "$1 ($2): headers first, chunks <= 64 KiB" \
		    "$(cat "$T/b.info" 2>&1)"
	fi
}
for f in "$T"/m/*.msg; do
	m=$(basename "$f" .msg)
	body "$m" pipe
	body "$m" file
done
body big20m pipe
c=$(sed -n 's/chunks=\([0-9]*\) .*/\1/p' "$T/b.info")
[ "${c:-0}" -ge 300 ] && ok "20 MiB body: $c chunks" ||
    fail "20 MiB body in many chunks" "$(cat "$T/b.info")"

# splice: used when no check asks for the body, never when one does
if command -v strace > /dev/null; then
	cat "$T/m/big20m.msg" | strace -f -e trace=splice -o "$T/st1" "$QB" \
	    1< "$T/env" 2> /dev/null
	cat "$T/m/big20m.msg" | QQTAG_BODYTEST=$T/b strace -f -e \
	    trace=splice -o "$T/st2" "$QB" 1< "$T/env" 2> /dev/null
	s1=$(grep -c 'splice(' "$T/st1")
	s2=$(grep -c 'splice(' "$T/st2")
	[ -s "$T/st1" ] && [ "$s1" -gt 0 ] && [ "$s2" = 0 ] &&
	    ok "body spliced when no check asks ($s1 calls), read when one does" ||
	    fail "splice only without a body check" "no check: $s1, check: $s2"
else
	skip "splice calls not counted: no strace"
fi

# memory: constant in the body's size, also through user space
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(b"Subject: big\n\n" + b"x" * (100 << 20))' \
    > "$T/m/big100m.msg"
# qqtag's own peak: /usr/bin/time (small) forks and execs it, and /bin/true
# (small) replaces it as the queue; the peak of every image is reported
rss() {
	QQTAG_BODYTEST=$T/b100 QQTAG_QUEUE=/bin/true /usr/bin/time -f '%x %M' \
	    -o "$T/time" "$QB" < "$T/m/big100m.msg" 1< "$T/env" 2> /dev/null
	cat "$T/time"
}
# ASan's runtime and shadow add a few MiB of their own, not per body byte
lim=8
[ "${QQTAG_ASAN:-0}" = 1 ] && lim=32
set -- $(rss) $(wc -c < "$T/b100" 2>/dev/null || echo 0)
[ "$1" = 0 ] && [ "$2" -gt 0 ] && [ "$2" -lt $((lim << 10)) ] &&
    [ "$3" = $((100 << 20)) ] &&
    ok "100 MiB body through a body check: max RSS $2 KiB (< $lim MiB)" ||
    fail "100 MiB body: small RSS" "rc=$1 rss=$2 KiB"
rm -f "$T/m/big100m.msg" "$T/m/big20m.msg"
t_done

#!/bin/sh
# t_core.sh - the hand-over to qmail-queue: byte-exact, every failure mode,
# client classes, policy trouble, descriptors.  Uses the strict stand-in.
. "$(dirname "$0")/lib.sh"

SPOOL=$T/spool
mkdir -p "$SPOOL"
cat > "$T/policy" <<P
spool $SPOOL
P
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q"
export TCPREMOTEIP=192.0.2.7
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED TCP6REMOTEIP QMAILQUEUE \
    QQTAG_LOOP 2> /dev/null || :
mkenv "$T/env" sender@example.net a@example.org b@example.org

# run MSG ENV: qqtag with the stand-in; sets RC, log in $T/log
run() {
	rm -f "$T/q.msg" "$T/q.env" "$T/q.info"
	"$QQTAG" < "$1" 1< "$2" 2> "$T/log"
	RC=$?
}

# exact DESC MSG: exit 0, msg = our block + MSG less forged lines,
# envelope byte for byte.  Every other message comes through a pipe, as
# from qmail-smtpd (the body is then spliced), the others from a file.
PIPE=0
exact() {
	PIPE=$((1 - PIPE))
	if [ $PIPE = 1 ]; then
		rm -f "$T/q.msg" "$T/q.env" "$T/q.info"
		cat "$2" | "$QQTAG" 1< "$T/env" 2> "$T/log"
		RC=$?
	else
		run "$2" "$T/env"
	fi
	"$PYTHON" "$TOP/tests/strip.py" "$2" "$T/want"
	if [ "$RC" != 0 ] || ! "$PYTHON" - "$T/q.msg" "$T/want" <<'PY'
import sys
got = open(sys.argv[1], "rb").read()
want = open(sys.argv[2], "rb").read()
if not got.endswith(want):
    sys.exit(1)
block = got[:len(got) - len(want)]
lines = block.split(b"\n")
names = [l.split(b":")[0] for l in lines[:-1] if l[:1] != b"\t"]
# a checked message's block starts with Authentication-Results, then the
# verdict; an unchecked one is the verdict alone
first = ([b"X-Qqtag"] if block.startswith(b"X-Qqtag: checked=no ") else
         [b"Authentication-Results", b"X-Qqtag"])
if names[:len(first)] != first or lines[-1] != b"":
    sys.exit(2)
for l in lines[:-1]:
    if not (l[:1] == b"\t" or l.split(b":")[0] in (b"X-Qqtag",
            b"Authentication-Results",
            b"X-Qqtag-Continued",
            b"X-Spam-Flag", b"X-Spam-Status", b"X-Spam-Level",
            b"X-Spam-Score", b"X-Spam-Warning")):
        sys.exit(3)
    if len(l) > 998 or b"\r" in l or any(c < 32 and c != 9 for c in l):
        sys.exit(4)
PY
	then
		fail "$1" "rc=$RC $(cat "$T/log")${CASE_INFO:+
$CASE_INFO}"
		return
	fi
	if cmp -s "$T/q.env" "$T/env"; then
		ok "$1"
	else
		fail "$1: envelope differs" "$CASE_INFO"
	fi
}

# --- byte-exact hand-over ----------------------------------------------
# the mutations mut-NNN are case NNN of the seed gen_cases.py prints;
# a failure names both (TEST_SEED=S sh tests/t_core.sh replays)
CSEED=${TEST_SEED:-20261127}
"$PYTHON" "$TOP/tests/gen_cases.py" "$T/cases" "${CASES:-150}"
n=0
for m in "$T"/cases/*.msg; do
	c=$(basename "$m" .msg)
	case $c in
	mut-*) CASE_INFO="case ${c#mut-} seed $CSEED (TEST_SEED=$CSEED \
CASES=${CASES:-150} sh tests/t_core.sh replays)" ;;
	*) CASE_INFO= ;;
	esac
	exact "byte-exact $c" "$m"
	n=$((n + 1))
done
CASE_INFO=
check "gen_cases.py wrote the mutations" [ -e "$T/cases/mut-000.msg" ]
echo "# $n messages checked"

# a first line that starts with a blank continues no field of ours (10.5d)
exact "leading blank: byte-exact" "$T/cases/first-line-blank.msg"
"$PYTHON" - "$T/q.msg" <<'PY' > "$T/h"
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(repr(m.get_all("X-Qqtag")), repr(m.get_all("X-Qqtag-Continued")))
PY
grep -q "checked=yes" "$T/h" && ! grep -q "checked=yes[^']*starts with" "$T/h" &&
    grep -q 'continues this field\\n starts with blank' "$T/h" &&
    ok "leading blank: continues X-Qqtag-Continued, not the verdict" ||
    fail "leading blank: continues X-Qqtag-Continued" "$(cat "$T/h")"
exact "no leading blank: byte-exact" "$T/cases/lf-only.msg"
grep -q "X-Qqtag: " "$T/q.msg" && ! grep -q "X-Qqtag-Continued" "$T/q.msg" &&
    ok "no leading blank: no guard field written" ||
    fail "guard field without need" "$(head -n 5 "$T/q.msg")"
ls -A "$SPOOL" > "$T/left" 2>&1
assert_eq "no spool file left behind" "" "$(cat "$T/left")"
grep -c 'result=queue' "$T/log" > /dev/null && ok "log line says queue" ||
    fail "log line" "$(cat "$T/log")"

# --- envelope: 10,000 recipients, byte for byte -----------------------
"$PYTHON" -c '
import sys
sys.stdout.buffer.write(b"Fs@example.net\0" + b"".join(b"Tuser%d@example.org\0" % i for i in range(10000)) + b"\0")
' > "$T/env10k"
printf 'Subject: many\n\nhi\n' > "$T/m1"
run "$T/m1" "$T/env10k"
assert_eq "10,000 recipients: exit" 0 "$RC"
assert_file_eq "10,000 recipients: envelope byte for byte" "$T/env10k" "$T/q.env"
grep -q 'rcpts=10000' "$T/log" && ok "log counts 10,000 rcpts" ||
    fail "log rcpts" "$(cat "$T/log")"

# the descriptors the shell itself passes on (dash keeps its script open)
"$STANDIN" < "$T/m1" 1< "$T/env" 2> /dev/null
basefds=$(sed -n 's/^fds=//p' "$T/q.info")

# --- the real queue's verdicts pass through ----------------------------
for code in 0 11 31 51 71 91; do
	QQ_EXIT=$code run "$T/m1" "$T/env"
	assert_eq "queue exit $code passes through" "$code" "$RC"
done
rm -f "$T/fd6"
QQ_EXIT=82 QQ_FD6TEXT="Dno thanks" "$QQTAG" < "$T/m1" 1< "$T/env" \
    2> "$T/log" 6> "$T/fd6"
assert_eq "queue exit 82 passes through" 82 "$?"
assert_eq "fd 6 text reaches qmail-smtpd" "Dno thanks" "$(cat "$T/fd6")"
grep -q '^fd6=open' "$T/q.info" && ok "fd 6 open in the queue" ||
    fail "fd 6 open" "$(cat "$T/q.info")"
run "$T/m1" "$T/env"
grep -q '^fd6=closed' "$T/q.info" && ok "no fd 6 when none came" ||
    fail "fd6 closed" "$(cat "$T/q.info")"
if [ "${QQTAG_VALGRIND:-0}" = 1 ]; then
	# valgrind's own log descriptor survives its exec of the queue
	echo "# under valgrind: descriptor check left to the plain run"
else
	grep -q "^fds=$basefds\$" "$T/q.info" && ok "no descriptor of ours leaks" ||
	    fail "fd leak" "$(grep fds "$T/q.info")"
fi
QQ_EXIT=signal:9 run "$T/m1" "$T/env"
assert_eq "queue killed by a signal: same status" 137 "$RC"

# --- failures: nothing complete is queued ------------------------------
QQ_EXIT=0 run "$T/m1" /dev/null
assert_eq "no envelope at all: 54" 54 "$RC"
[ ! -e "$T/q.info" ] && ok "no envelope: queue never run" ||
    fail "queue ran without envelope"
size=$(wc -c < "$T/env")
i=0
bad=0
while [ $i -lt "$size" ]; do
	head -c $i "$T/env" > "$T/envcut"
	run "$T/m1" "$T/envcut"
	if [ "$RC" != 54 ] || [ -e "$T/q.info" ]; then
		bad=$((bad + 1))
		echo "# cut at $i: rc=$RC"
	fi
	i=$((i + 1))
done
assert_eq "envelope cut at each of $size positions: 54, nothing run" 0 "$bad"
head -c 3000 "$T/cases/long-line-200k.msg" > "$T/partial"
run "$T/partial" /dev/null
assert_eq "partial body, no envelope: 54" 54 "$RC"
printf 'Xs@x\0\0' > "$T/envbad"
run "$T/m1" "$T/envbad"
assert_eq "malformed envelope: qmail-queue's verdict 91" 91 "$RC"
[ ! -e "$T/q.msg" ] && ok "malformed envelope: nothing queued" ||
    fail "queued a malformed envelope"
"$QQTAG" < / 1< "$T/env" 2> "$T/log"
assert_eq "fd 0 read error: 54" 54 "$?"
QQTAG_QUEUE=/nonexistent/qmail-queue run "$T/m1" "$T/env"
assert_eq "queue missing: 120" 120 "$RC"
QQTAG_QUEUE=$T/policy run "$T/m1" "$T/env"
assert_eq "queue not executable: 120" 120 "$RC"
# the binary itself, not the valgrind wrapper script (make valgrind)
QQTAG_QUEUE=${QQTAG_REAL:-$QQTAG} run "$T/m1" "$T/env"
assert_eq "queue is qqtag itself: 120" 120 "$RC"
# one message, one log line, and its result= is what happened (issue 10.8)
oneline() {
	_n=$(grep -c '' "$T/log")
	grep -q " result=$2\$" "$T/log" && [ "$_n" = 1 ] &&
	    grep -q "$3" "$T/log" && ok "$1: one log line, result=$2" ||
	    fail "$1: one log line, result=$2" "$(cat "$T/log")"
}
oneline "loop" loop 'queue_error=ELOOP'
cp "${QQTAG_REAL:-$QQTAG}" "$T/qqtag-copy"
QQTAG_QUEUE=$T/qqtag-copy run "$T/m1" "$T/env"
assert_eq "queue is a copy of qqtag: 120" 120 "$RC"
oneline "copy of qqtag as queue" loop 'queue_error=ELOOP'
QQTAG_QUEUE=/nonexistent/qmail-queue run "$T/m1" "$T/env"
oneline "queue missing" execerror 'queue_error=ENOENT'
QQTAG_QUEUE=$T/policy run "$T/m1" "$T/env"
oneline "queue not executable" execerror 'queue_error=EACCES'
printf 'no magic\n' > "$T/noexec"
chmod 755 "$T/noexec"
QQTAG_QUEUE=$T/noexec run "$T/m1" "$T/env"
assert_eq "queue neither ELF nor script: 120" 120 "$RC"
oneline "queue neither ELF nor script" execerror 'queue_error=ENOEXEC'
[ ! -e "$T/q.msg" ] && ok "queue that cannot run: nothing queued" ||
    fail "queue that cannot run: something queued"
QMAILQUEUE=$T/nowhere run "$T/m1" "$T/env"
assert_eq "QMAILQUEUE is never used" 0 "$RC"

# spool full: the file size limit, then a tmpfs-sized directory is not
# available without mounting; RLIMIT_FSIZE stands for ENOSPC
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(b"Subject: big\n\n" + b"x" * 2000000)' > "$T/big"
rm -f "$T/q.info"
(ulimit -f 1000; "$QQTAG" < "$T/big" 1< "$T/env" 2> "$T/log")
assert_eq "spool full: 53" 53 "$?"
[ ! -e "$T/q.info" ] && ok "spool full: queue never run" ||
    fail "queue ran on a full spool"
oneline "spool full" spoolerror 'class=untrusted'
grep -q ' result=spoolerror$' "$T/log" && ! grep -q "score=\|flag=" "$T/log" &&
    ok "spool error: no verdict logged" ||
    fail "spool error: no verdict logged" "$(cat "$T/log")"
cat > "$T/policy.nospool" <<P
spool /nonexistent/dir
P
QQTAG_POLICY=$T/policy.nospool run "$T/m1" "$T/env"
assert_eq "spool directory missing: 53" 53 "$RC"

# --- watchdog: after the message only, never over the upload ----------
cat > "$T/policy.wd" <<P
spool $SPOOL
watchdog 0.3
P
(sleep 1; cat "$T/m1") | QQTAG_POLICY=$T/policy.wd "$QQTAG" 1< "$T/env" \
    2> "$T/log"
rc=$?
assert_eq "slow upload is not cut by the watchdog" 0 "$rc"
mkfifo "$T/envfifo"
# the envelope comes late, long after the message: 1 s, 5 s under
# valgrind (its start-up alone took more than 1 s on a busy machine)
if [ "${QQTAG_VALGRIND:-0}" = 1 ]; then late=5; else late=1; fi
(sleep "$late"; cat "$T/env") > "$T/envfifo" &
QQTAG_POLICY=$T/policy.wd "$QQTAG" < "$T/m1" 1< "$T/envfifo" 2> "$T/log"
assert_eq "stalled work after the message: watchdog 52" 52 "$?"
oneline "watchdog" watchdog 'class=untrusted'
grep -q ' result=watchdog$' "$T/log" && ! grep -q ' ms=' "$T/log" &&
    ok "watchdog line: no stale times" ||
    fail "watchdog line: no stale times" "$(cat "$T/log")"
wait

# --- client classes -------------------------------------------------------
f=$T/cases/forged-mixed.msg
RELAYCLIENT= run "$f" "$T/env"
grep -q '^X-Qqtag: ' "$T/q.msg" && ! grep -qi '^x-spam-flag' "$T/q.msg" &&
    ok "relayclient: forged tags stripped" ||
    fail "relayclient: forged kept (or nothing queued)" "$(head -n 3 "$T/q.msg")"
head -n 1 "$T/q.msg" | grep -q '^X-Qqtag: checked=no reason=relayclient$' &&
    ok "relayclient: marked not checked" || fail "relayclient mark" "$(head -n 2 "$T/q.msg")"
QQTAG_SKIP=1 run "$f" "$T/env"
head -n 1 "$T/q.msg" | grep -q '^X-Qqtag: checked=no reason=skip$' &&
    ! grep -qi '^x-spam-status' "$T/q.msg" && ok "QQTAG_SKIP: stripped, marked" ||
    fail "skip" "$(head -n 3 "$T/q.msg")"
QQTAG_TRUSTED=1 run "$f" "$T/env"
assert_file_eq "trusted relay: its tags kept, nothing added" "$f" "$T/q.msg"
(unset TCPREMOTEIP; run "$f" "$T/env"; head -n 1 "$T/q.msg") > "$T/h"
grep -q 'reason=local' "$T/h" && ok "no TCPREMOTEIP: local injection, unchecked" ||
    fail "local" "$(cat "$T/h")"
(unset TCPREMOTEIP; TCP6REMOTEIP=2001:db8::7 run "$T/m1" "$T/env"; cat "$T/log") > "$T/h"
grep -q 'ip=2001:db8::7 class=untrusted' "$T/h" && ok "TCP6REMOTEIP read" ||
    fail "TCP6REMOTEIP" "$(cat "$T/h")"

(TCPREMOTEIP="192.0.2.7 class=trusted result=queue" run "$T/m1" "$T/env"
 cat "$T/log") > "$T/h"
# not an address: never looked up, class=private (issue 10.2)
[ "$(grep -o ' class=' "$T/h" | wc -l)" = 1 ] && grep -q 'class=private' "$T/h" &&
    ok "a TCPREMOTEIP with blanks cannot add log fields" || fail "log injection" "$(cat "$T/h")"

# --- policy trouble -------------------------------------------------------
printf 'spool %s\ntimeout banana\n' "$SPOOL" > "$T/policy.bad"
QQTAG_POLICY=$T/policy.bad run "$f" "$T/env"
assert_eq "unparsable policy: message still queued" 0 "$RC"
grep -q 'policy.bad:2: ' "$T/log" && ok "unparsable policy: file:line logged" ||
    fail "policy log" "$(cat "$T/log")"
head -n 1 "$T/q.msg" | grep -q 'checked=no reason=policy' &&
    ! grep -qi '^x-spam-flag' "$T/q.msg" && ok "unparsable policy: unchecked, forged stripped" ||
    fail "policy bad block" "$(head -n 3 "$T/q.msg")"
printf 'spool %s\nfrobnicate 3\n' "$SPOOL" > "$T/policy.new"
QQTAG_POLICY=$T/policy.new run "$T/m1" "$T/env"
grep -m 1 '^X-Qqtag: ' "$T/q.msg" | grep -q 'checked=yes' &&
    ok "unknown keyword ignored in queue mode" ||
    fail "unknown kw" "$(cat "$T/log")"
"$QQTAG" -n "$T/policy.new" > "$T/out" 2>&1
assert_eq "qqtag -n is strict" 1 "$?"
grep -q "policy.new:2: unknown keyword: frobnicate" "$T/out" &&
    ok "qqtag -n names file:line" || fail "-n message" "$(cat "$T/out")"
"$QQTAG" -n -u "$(id -un)" "$T/policy" > "$T/out" 2>&1
assert_eq "qqtag -n accepts a good policy" 0 "$?"
# off: nothing checked, forged tags still stripped, marked (10.5c)
printf 'off\nspool %s\n' "$SPOOL" > "$T/policy.off"
QQTAG_POLICY=$T/policy.off exact "policy off: byte-exact, forged stripped" "$f"
grep -qi '^x-spam-flag' "$f" && head -n 1 "$T/q.msg" |
    grep -q '^X-Qqtag: checked=no reason=off$' &&
    ! grep -qi '^x-spam-flag' "$T/q.msg" &&
    ok "policy off: checked=no reason=off, forged X-Spam-Flag gone" ||
    fail "policy off: block" "$(head -n 3 "$T/q.msg")"
oneline "policy off" queue 'policy=off'
for c in TRUSTED RELAYCLIENT; do
	(export QQTAG_$c=1 RELAYCLIENT= QQTAG_POLICY=$T/policy.off
	    run "$f" "$T/env")
	head -n 1 "$T/q.msg" | grep -q '^X-Qqtag: checked=no reason=off$' &&
	    ok "policy off, $c: marked reason=off" ||
	    fail "policy off, $c" "$(head -n 3 "$T/q.msg")"
done

# a policy that was asked for and is missing: unchecked, loudly (10.1)
QQTAG_POLICY=$T/no-such-policy run "$T/m1" "$T/env"
assert_eq "missing policy: still queued" 0 "$RC"
head -n 1 "$T/q.msg" | grep -q '^X-Qqtag: checked=no reason=policy$' &&
    ok "missing policy: checked=no reason=policy" ||
    fail "missing policy: block" "$(head -n 3 "$T/q.msg")"
grep -q "policy file missing.*no-such-policy: No such file or directory" \
    "$T/log" && grep -q ' policy=error .*result=queue$' "$T/log" &&
    ok "missing policy: log names the file and errno" ||
    fail "missing policy: log" "$(cat "$T/log")"
if [ -e /etc/qqtag/policy ]; then
	skip "no policy at all (/etc/qqtag/policy exists on this host)"
else
	(unset QQTAG_POLICY; run "$T/m1" "$T/env"; cat "$T/log";
	    head -n 1 "$T/q.msg") > "$T/h"
	grep -q "/etc/qqtag/policy: No such file" "$T/h" &&
	    grep -q '^X-Qqtag: checked=no reason=policy$' "$T/h" &&
	    ok "no policy at all: checked=no reason=policy, logged" ||
	    fail "no policy at all" "$(cat "$T/h")"
fi
randbytes 5000 > "$T/policy.bin"
QQTAG_POLICY=$T/policy.bin run "$f" "$T/env"
assert_eq "binary policy (random bytes, seed $RSEED): still queued" 0 "$RC"
chmod 000 "$T/policy.bad"
if [ "$(id -u)" != 0 ]; then
	QQTAG_POLICY=$T/policy.bad run "$f" "$T/env"
	assert_eq "unreadable policy: still queued" 0 "$RC"
fi
cat > "$T/policy.mem" <<P
spool memfd
P
QQTAG_POLICY=$T/policy.mem exact "memfd spool (policy: spool memfd)" "$f"

# --- descriptors ------------------------------------------------------------
"$QQTAG" < "$f" 1< "$T/env" 2>&-
assert_eq "fd 2 closed at start: still queued" 0 "$?"
grep -q "^fds=$basefds\$" "$T/q.info" && ok "fd 2 closed: /dev/null put there" ||
    fail "fd2" "$(cat "$T/q.info")"
"$PYTHON" "$TOP/tests/strip.py" "$f" "$T/want"
tail -c "$(wc -c < "$T/want")" "$T/q.msg" | cmp -s - "$T/want" &&
    ok "fd 2 closed: message intact" || fail "fd2 message"

t_done

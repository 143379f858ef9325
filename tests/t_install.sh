#!/bin/sh
# t_install.sh - INSTALL works as written, tested through the document:
# the files it shows (each after a line "File PATH:", an indented block
# without blank lines) and its command blocks are cut out of INSTALL and
# run.  (a) the run scripts pass sh -n; (b) qmail-smtpd's run script runs
# in a fake /var/qmail with stub softlimit/tcpserver/setuidgid/id first on
# PATH that record their argv: plain names found through PATH (no
# /usr/local/bin), a number for tcpserver -c when
# control/concurrencyincoming is missing, empty or not a number; (c) the
# tcp.smtp example compiles with the real tcprules and tcprulescheck
# gives each network the rule meant for it (IPv6 rules: skipped when
# tcprules is plain ucspi-tcp's); (d) every qqtag command in INSTALL uses
# options of the binary's usage text and runs without a usage error; the
# set-up commands (policy edits, policy.strict) do what the text says.
# Nothing listens anywhere: no port is opened.
. "$(dirname "$0")/lib.sh"

INST=${INSTALL_FILE:-$TOP/INSTALL}
done_install() {
	echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" -eq 0 ]
	exit
}

# The indented blocks of INSTALL, one per record: "PREV\tLINE1\nLINE2..."
# where PREV is the text line before the block.  filebody PATH: the block
# after "File PATH:" (exactly one); cmdblock TEXT: the one block holding
# TEXT.  Both print the block's lines without the four-space indent.
_t_blocks_py='
import sys
mode, key, path = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(path).read().split("\n")
blocks, prev, i = [], "", 0
while i < len(lines):
    if lines[i].startswith("    "):
        b = []
        while i < len(lines) and lines[i].startswith("    "):
            b.append(lines[i][4:])
            i += 1
        blocks.append((prev, b))
        continue
    if lines[i].strip():
        prev = lines[i]
    i += 1
if mode == "file":
    hits = [b for p, b in blocks if p == "File " + key + ":"]
else:
    hits = [b for p, b in blocks if any(key in l for l in b)]
if len(hits) != 1:
    sys.stderr.write("%d blocks for %s %s\n" % (len(hits), mode, key))
    sys.exit(1)
print("\n".join(hits[0]))
'
filebody() {
	"$PYTHON" -c "$_t_blocks_py" file "$1" "$INST"
}
cmdblock() {
	"$PYTHON" -c "$_t_blocks_py" cmd "$1" "$INST"
}

[ -r "$INST" ] || { fail "INSTALL exists"; done_install; }

# ---- (a) the run scripts parse -------------------------------------------
SMTPD_RUN=/etc/service/qmail-smtpd/run
HEALTH_RUN=/etc/service/qqtag-health/run
for f in $SMTPD_RUN $HEALTH_RUN; do
	n=$(echo "$f" | tr / _)
	if filebody "$f" > "$T/$n" 2> "$T/err" && [ -s "$T/$n" ]; then
		ok "INSTALL shows $f"
	else
		fail "INSTALL shows $f after a line 'File $f:'" "$(cat "$T/err")"
		continue
	fi
	assert_eq "$f starts with #!/bin/sh" "#!/bin/sh" "$(head -n 1 "$T/$n")"
	check "$f passes sh -n" sh -n "$T/$n"
	if command -v shellcheck > /dev/null 2>&1; then
		check "$f passes shellcheck" shellcheck -s sh "$T/$n"
	else
		skip "shellcheck of $f (shellcheck not installed)"
	fi
done

# ---- (b) qmail-smtpd's run script in a fake /var/qmail ----------------------
# Stubs: each records its argv, one argument a line, in $T/argv.NAME.
mkdir -p "$T/bin" "$T/root/var/qmail/control" "$T/root/var/qmail/bin"
for p in softlimit tcpserver setuidgid; do
	cat > "$T/bin/$p" << EOF
#!/bin/sh
: > "$T/argv.$p"
for a in "\$@"; do printf '%s\n' "\$a" >> "$T/argv.$p"; done
EOF
done
# softlimit runs the rest, as the real one does, through PATH
cat >> "$T/bin/softlimit" << 'EOF'
while [ $# -gt 0 ]; do
	case $1 in
	-[acdflmoprst]) shift 2 ;;
	*) break ;;
	esac
done
exec "$@"
EOF
cat > "$T/bin/id" << 'EOF'
#!/bin/sh
case $1 in
-u) echo 7791 ;;
-g) echo 2108 ;;
*) exit 1 ;;
esac
EOF
chmod 755 "$T/bin/"*
echo mx.example.test > "$T/root/var/qmail/control/me"

R=$T/root/var/qmail
sed "s|/var/qmail|$R|g" "$T/_etc_service_qmail-smtpd_run" > "$T/run.smtpd"
grep -q "cd $R" "$T/run.smtpd" && grep -q softlimit "$T/run.smtpd" &&
    ok "the run script works in /var/qmail and runs softlimit" ||
	fail "the run script does cd /var/qmail and runs softlimit" \
	    "$(cat "$T/run.smtpd")"
if grep -n '/usr/local/bin/[a-z]' "$T/run.smtpd" > "$T/locals"; then
	fail "the run script names no program in /usr/local/bin" \
	    "$(cat "$T/locals")"
else
	ok "the run script names no program in /usr/local/bin"
fi

# runsmtpd CASE [CONTENT]: run the script; CONTENT (if given) goes to
# control/concurrencyincoming, else the file is missing.
runsmtpd() {
	rm -f "$T/argv.softlimit" "$T/argv.tcpserver" \
	    "$R/control/concurrencyincoming"
	[ $# -gt 1 ] && printf '%s' "$2" > "$R/control/concurrencyincoming"
	(cd "$T" && PATH="$T/bin:/usr/bin:/bin" sh "$T/run.smtpd") \
	    > "$T/run.out.$1" 2>&1
	echo $? > "$T/run.rc.$1"
}

# cval: the value after -c in the recorded tcpserver argv
cval() {
	awk 'p { print; exit } $0 == "-c" { p = 1 }' "$T/argv.tcpserver"
}

runsmtpd missing
assert_eq "the run script exits as tcpserver did (missing)" 0 \
    "$(cat "$T/run.rc.missing")"
if [ -s "$T/argv.softlimit" ] && [ -s "$T/argv.tcpserver" ]; then
	ok "the stub softlimit and tcpserver were run through PATH"
	assert_eq "softlimit runs tcpserver by its plain name" \
	    "-m 30000000 tcpserver" \
	    "$(head -n 3 "$T/argv.softlimit" | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "tcpserver's argv (concurrencyincoming missing)" \
	    "-v -R -l mx.example.test -x /etc/tcp.smtp.cdb -c 40 -u 7791 \
-g 2108 0 25 $R/bin/qmail-smtpd" \
	    "$(tr '\n' ' ' < "$T/argv.tcpserver" | sed 's/ $//')"
	grep -q 'concurrencyincoming.*using 40' "$T/run.out.missing" &&
	    ok "the run script says it uses the default" ||
	    fail "the run script says it uses the default" \
		"$(cat "$T/run.out.missing")"
else
	fail "the stub softlimit and tcpserver were run through PATH" \
	    "$(cat "$T/run.out.missing")"
fi
for c in "25:25" "120
:120" "forty:40" ":40" "0:40" "-5:40" "4 0:40"; do
	content=${c%:*}
	want=${c##*:}
	runsmtpd case "$content"
	if [ -s "$T/argv.tcpserver" ]; then
		assert_eq "concurrencyincoming '$content' gives tcpserver -c $want" \
		    "$want" "$(cval)"
	else
		fail "tcpserver runs with concurrencyincoming '$content'" \
		    "$(cat "$T/run.out.case")"
	fi
done

# the health service: setuidgid qmaild, qqtag -T in a loop
sed "s|/var/qmail|$R|g" "$T/_etc_service_qqtag-health_run" > "$T/run.health"
rm -f "$T/argv.setuidgid"
(cd "$T" && PATH="$T/bin:/usr/bin:/bin" sh "$T/run.health") \
    > "$T/health.out" 2>&1
if [ -s "$T/argv.setuidgid" ]; then
	ok "the health run script runs setuidgid through PATH"
	assert_eq "setuidgid runs the probe as qmaild in sh" "qmaild sh -c" \
	    "$(head -n 3 "$T/argv.setuidgid" | tr '\n' ' ' | sed 's/ $//')"
	grep -q 'qqtag -T' "$T/argv.setuidgid" && ok "the loop runs qqtag -T" ||
	    fail "the loop runs qqtag -T" "$(cat "$T/argv.setuidgid")"
else
	fail "the health run script runs setuidgid" "$(cat "$T/health.out")"
fi

# the cron.d file: a user field, qqtag found through its PATH, errors
# mailed (no redirection), MAILTO set
if filebody /etc/cron.d/qqtag > "$T/cron" 2> "$T/err"; then
	ok "INSTALL shows /etc/cron.d/qqtag"
	grep -q '^MAILTO=.' "$T/cron" && ok "cron.d: MAILTO set" ||
	    fail "cron.d: MAILTO set" "$(cat "$T/cron")"
	awk '/^[^#A-Z]/ { n++; if (NF < 7 || $6 != "qmaild" ||
	    $7 " " $8 != "qqtag -T" || NF != 8) bad = 1 }
	    END { exit !(n == 1 && !bad) }' "$T/cron" &&
	    ok "cron.d: one line, user qmaild, exactly 'qqtag -T'" ||
	    fail "cron.d: one line 'M H D M W qmaild qqtag -T'" "$(cat "$T/cron")"
	cpath=$(sed -n 's/^PATH=//p' "$T/cron")
	case ":$cpath:" in
	*:/usr/local/bin:*) ok "cron.d: PATH holds /usr/local/bin (make install)" ;;
	*) fail "cron.d: PATH holds /usr/local/bin" "$(cat "$T/cron")" ;;
	esac
else
	fail "INSTALL shows /etc/cron.d/qqtag" "$(cat "$T/err")"
fi

# ---- (c) tcp.smtp with the real tcprules ------------------------------
TCPRULES=${TCPRULES:-tcprules}
if ! command -v "$TCPRULES" > /dev/null 2>&1 ||
    ! command -v tcprulescheck > /dev/null 2>&1; then
	fail "tcprules and tcprulescheck are installed (sh tests/deps.sh test)"
	done_install
fi
if filebody /etc/tcp.smtp > "$T/tcp.smtp" 2> "$T/err"; then
	ok "INSTALL shows /etc/tcp.smtp"
else
	fail "INSTALL shows /etc/tcp.smtp" "$(cat "$T/err")"
	done_install
fi
# the address of a rule is what comes before ":allow" or ":deny"
awk '/^#/ { next } { i = index($0, ":allow"); if (!i) i = index($0, ":deny")
	a = substr($0, 1, i - 1); print (a ~ /:/ ? "6" : "4") " " $0 }' \
    "$T/tcp.smtp" > "$T/tcp.fam"
grep '^4 ' "$T/tcp.fam" | cut -c3- > "$T/tcp4"
n6=$(grep -c '^6 ' "$T/tcp.fam")
[ "$n6" -ge 2 ] && ok "tcp.smtp shows $n6 IPv6 rules" ||
    fail "tcp.smtp shows IPv6 rules" "$(cat "$T/tcp.smtp")"
printf '::1:allow\n' > "$T/probe6"
if "$TCPRULES" "$T/probe6.cdb" "$T/probe6.tmp" < "$T/probe6" \
    > /dev/null 2>&1; then
	v6=1
	RULES=$T/tcp.smtp
else
	v6=0
	RULES=$T/tcp4
	skip "$n6 IPv6 rules: this tcprules (plain ucspi-tcp) rejects" \
	    "::1:allow; install ucspi-tcp-ipv6"
fi
check "tcprules compiles tcp.smtp" "$TCPRULES" "$T/tcp.cdb" "$T/tcp.tmp" \
    < "$RULES"

# rule IP: what tcpserver does for a client at IP (tcprulescheck reads
# TCPREMOTEIP; plain ucspi-tcp's manual names the argument too)
rule() {
	TCPREMOTEIP=$1 tcprulescheck "$T/tcp.cdb" "$1" 2>&1
}
Q='set environment variable QMAILQUEUE=/usr/local/bin/qqtag'
RC='set environment variable RELAYCLIENT='
# expect IP RULE WANT...: tcprulescheck names RULE and prints each WANT
expect() {
	_ip=$1
	_r=$2
	shift 2
	rule "$_ip" > "$T/rule.out"
	_ok=1
	grep -qx "rule $_r" "$T/rule.out" || _ok=0
	for _w in "$@"; do
		case $_w in
		!*) ! grep -qx "${_w#!}" "$T/rule.out" || _ok=0 ;;
		*) grep -qx "$_w" "$T/rule.out" || _ok=0 ;;
		esac
	done
	[ $_ok = 1 ] && ok "tcprulescheck $_ip: rule '$_r'" ||
	    fail "tcprulescheck $_ip: rule '$_r' $*" "$(cat "$T/rule.out")"
}
expect 127.0.0.1 127.: "$RC" "$Q"
expect 192.168.1.20 192.168.1.: "$RC" "$Q"
expect 192.0.2.7 192.0.2.: "$Q" \
    'set environment variable QQTAG_POLICY=/etc/qqtag/policy.strict' "!$RC"
expect 198.51.100.25 198.51.100.25: "$Q" \
    'set environment variable QQTAG_TRUSTED=1'
expect 198.51.100.99 : "$Q" 'allow connection' "!$RC"
if [ $v6 = 1 ]; then
	expect ::1 ::1: "$RC" "$Q"
	expect 2001:db8:1::25 2001:db8:1:: "$RC" "$Q"
	expect 2001:db8:1:7::1 2001:db8:1:: "$RC" "$Q"
	expect 2001:db8:10::1 : "$Q" "!$RC"
else
	skip "tcprulescheck of the IPv6 rules (plain ucspi-tcp)"
fi
# one binary: every QMAILQUEUE of the rules is /usr/local/bin/qqtag
nq=$(grep -c 'QMAILQUEUE=' "$T/tcp.smtp")
nl=$(grep -c 'QMAILQUEUE="/usr/local/bin/qqtag"' "$T/tcp.smtp")
[ "$nq" -gt 5 ] && [ "$nq" = "$nl" ] &&
    ok "all $nq QMAILQUEUE values are /usr/local/bin/qqtag" ||
    fail "QMAILQUEUE is /usr/local/bin/qqtag in every rule ($nl of $nq)"
if grep -n '^    .*/var/qmail/bin/qqtag' "$INST" > "$T/copies"; then
	fail "no command or file of INSTALL uses /var/qmail/bin/qqtag" \
	    "$(cat "$T/copies")"
else
	ok "no command or file of INSTALL uses /var/qmail/bin/qqtag"
fi

# ---- (d) qqtag's command lines and the set-up commands ----------------
"$QQTAG" -Z > "$T/usage" 2>&1
assert_eq "qqtag with an unknown option exits 100" 100 "$?"
grep -q '^usage: qqtag' "$T/usage" && ok "qqtag prints its usage" ||
    fail "qqtag prints its usage" "$(cat "$T/usage")"
grep -oE -- '[[ ]-[A-Za-z]' "$T/usage" | cut -c2- | sort -u > "$T/opts"
nopt=$(wc -l < "$T/opts")
[ "$nopt" -ge 4 ] && ok "usage names $nopt options" ||
    fail "usage names the options" "$(cat "$T/usage")"
# -u qmaild: this user here (there is no qmaild)
grep -qx -- -u "$T/opts" && ok "usage names -u (qqtag -n -u USER)" ||
    fail "usage names -u" "$(cat "$T/usage")"
UARG=" -u $(id -un) "

# Every qqtag command in INSTALL: quoted in the text ("qqtag -n FILE")
# and unquoted in code blocks (four-space indent); one per line of
# $T/cmds as "WHERE<TAB>COMMAND", COMMAND with any VAR=value in front.
"$PYTHON" - "$INST" > "$T/cmds" << 'EOF'
import re, sys
E = r"(?=[\s;&|'\"]|$)"
ARGS = r"((?: +-[A-Za-z]+" + E + r"(?: +[^-\s;&|'\"][^\s;&|'\"]*)*)+)"
quoted = re.compile(r'"(?:/usr/local/bin/)?qqtag' + ARGS + '"')
code = re.compile(r"((?:[A-Z_]+=\S+ +)*)(?<![^\s'])(?:/usr/local/bin/)?qqtag"
    + ARGS)
for n, line in enumerate(open(sys.argv[1]), 1):
    for m in quoted.finditer(line):
        print("text:%d\tqqtag%s" % (n, m.group(1)))
    if not line.startswith("    "):
        continue
    for m in code.finditer(line):
        if m.start() > 0 and line[m.start() - 1] == '"':
            continue
        print("code:%d\t%sqqtag%s" % (n, m.group(1), m.group(2)))
EOF
ncode=$(grep -c '^code' "$T/cmds")
[ "$ncode" -ge 6 ] && ok "INSTALL holds $ncode qqtag command lines" ||
    fail "INSTALL's qqtag command lines are found" "$(cat "$T/cmds")"
grep -q 'qqtag -n -u qmaild /etc/qqtag/policy.new$' "$T/cmds" &&
    ok "the roll-out recipe runs qqtag -n -u qmaild" ||
    fail "the roll-out recipe runs qqtag -n -u qmaild" "$(cat "$T/cmds")"
while IFS='	' read -r where cmd; do
	for o in $(printf '%s\n' "$cmd" | grep -o -- ' -[A-Za-z]' | tr -d ' '); do
		if grep -qx -- "$o" "$T/opts"; then
			:
		else
			fail "INSTALL $where: '$cmd': qqtag has no $o" \
			    "$(cat "$T/usage")"
			continue 2
		fi
	done
	ok "INSTALL $where: $cmd: options in the usage text"
done < "$T/cmds"

# The set-up commands, in a fake root: /etc/qqtag and /var/qmail moved
# under $T, chown recorded (there is no qmaild here), qqtag on PATH.
E=$T/root/etc/qqtag
mkdir -p "$E" "$T/qbin"
# the real queue is not packaged: a stand-in where qmail has it, for -n
mkdir -p "$R/bin"
printf '#!/bin/sh\nexit 0\n' > "$R/bin/qmail-queue"
chmod 755 "$R/bin/qmail-queue"
sed "s|/var/qmail|$R|g" "$TOP/policy" > "$E/policy"
ln -s "$QQTAG" "$T/qbin/qqtag"
# chown and apt-get are recorded, never run
for p in chown apt-get; do
	cat > "$T/qbin/$p" << EOF
#!/bin/sh
printf '%s\n' "\$*" >> "$T/$p.log"
EOF
done
chmod 755 "$T/qbin/chown" "$T/qbin/apt-get"
# fake TEXT: rewrite the paths of a command block
fake() {
	sed -e "s|/etc/qqtag|$E|g" -e "s|/var/qmail|$R|g" \
	    -e "s|/usr/local/bin/qqtag|qqtag|g"
}
# runblock TEXT DESC: run the command block holding TEXT, in the fake root
runblock() {
	if ! cmdblock "$1" > "$T/block" 2> "$T/err"; then
		fail "INSTALL has one command block with '$1'" "$(cat "$T/err")"
		return 1
	fi
	sed -i "s/ -u qmaild /$UARG/" "$T/block"
	fake < "$T/block" > "$T/block.sh"
	if PATH="$T/qbin:$PATH" QQTAG_DNS=127.0.0.1:1 sh -e "$T/block.sh" \
	    > "$T/block.out" 2>&1; then
		ok "$2"
	else
		fail "$2" "$(cat "$T/block.sh" "$T/block.out")"
	fi
}
grep -q '^threshold 5$' "$E/policy" &&
    grep -q '^spool /var/tmp$' "$E/policy" &&
    grep -q "^#state $R/qqtag/health 1h" "$E/policy" &&
    grep -q '^#dns ' "$E/policy" &&
    ok "the default policy has the lines INSTALL edits" ||
    fail "the default policy has threshold, spool, #state and #dns lines"
runblock 'mkdir -p /var/qmail/qqtag-spool' "INSTALL's directories are made"
[ -d "$R/qqtag-spool" ] && [ -d "$R/qqtag" ] &&
    [ "$(stat -c %a "$R/qqtag-spool")" = 700 ] &&
    ok "spool directory made, mode 700" ||
    fail "spool directory made, mode 700"
grep -qx "qmaild $R/qqtag-spool $R/qqtag" "$T/chown.log" &&
    ok "both directories go to qmaild" ||
    fail "both directories go to qmaild" "$(cat "$T/chown.log" 2> /dev/null)"
runblock "s|^spool .*|" "INSTALL's policy edits and qqtag -n pass"
grep -qx "spool $R/qqtag-spool" "$E/policy" &&
    grep -qx "state $R/qqtag/health 1h" "$E/policy" &&
    ok "the policy spools on the queue's file system and names the state" ||
    fail "spool and state lines set" \
	"$(grep -E '^#?(spool|state)' "$E/policy")"
# INSTALL's sample output, for qmaild, is what qqtag -n printed here for
# this user: every line of it (uid and user put in), the last one last
cmdblock "/etc/qqtag/policy: ok" | fake |
    sed "s/as qmaild (uid [0-9]*)/as $(id -un) (uid $(id -u))/;
	s/for qmaild (uid [0-9]*)/for $(id -un) (uid $(id -u))/" > "$T/want"
assert_eq "qqtag -n ends with the line INSTALL shows last" \
    "$(tail -n 1 "$T/want")" "$(tail -n 1 "$T/block.out")"
grep -vxFf "$T/block.out" "$T/want" > "$T/missing"
[ "$(grep -c '' "$T/want")" -ge 4 ] && [ ! -s "$T/missing" ] &&
    ok "every line INSTALL shows for qqtag -n is what it prints" ||
    fail "every line INSTALL shows for qqtag -n is what it prints" \
	"$(cat "$T/missing") ---- printed: $(cat "$T/block.out")"
runblock "sed -i 's|^#dns" "INSTALL's resolver line is set"
grep -qx "dns 127.0.0.1:53" "$E/policy" && ok "policy: dns 127.0.0.1:53" ||
    fail "policy: dns 127.0.0.1:53" "$(grep '^#*dns' "$E/policy")"
runblock "cp /etc/qqtag/policy /etc/qqtag/policy.strict" \
    "INSTALL's stricter policy is made and passes qqtag -n"
[ -r "$E/policy.strict" ] && grep -qx 'threshold 3' "$E/policy.strict" &&
    ok "policy.strict exists with threshold 3" ||
    fail "policy.strict exists with threshold 3"

# Every qqtag command of the code blocks runs without a usage error (DNS
# goes to a dead loopback port; the policies are the fake root's).
cp "$E/policy" "$E/policy.new"
grep '^code' "$T/cmds" | cut -f2 | sort -u | fake > "$T/runs"
while read -r cmd; do
	cmd=$(printf '%s\n' "$cmd" | sed "s/ -u qmaild /$UARG/")
	PATH="$T/qbin:$PATH" QQTAG_DNS=127.0.0.1:1 QQTAG_POLICY="$E/policy" \
	    timeout 30 sh -c "$cmd" > "$T/cmd.out" 2>&1 < /dev/null
	rc=$?
	if [ $rc -ne 100 ] && [ $rc -lt 124 ] &&
	    ! grep -q '^usage:' "$T/cmd.out"; then
		ok "runs: $cmd (exit $rc)"
	else
		fail "runs: $cmd" "exit $rc
$(head -n 5 "$T/cmd.out")"
	fi
done < "$T/runs"

done_install

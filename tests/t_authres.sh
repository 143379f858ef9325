#!/bin/sh
# t_authres.sh - SPF, DKIM and DMARC together, through queue mode, as the
# Authentication-Results header and the tests show them: a table of From:
# / envelope sender / client / signature combinations with the expected
# result of each method and the DMARC policy (real nsd, messages signed
# by dkimpy: tests/authgen.py); forged Authentication-Results under our
# id stripped, another server's kept, as Python's email parser reads the
# queued message; qqtag -a on the stored form of a message (CR LF, an
# mbox From line, the Return-Path as the sender).
. "$(dirname "$0")/lib.sh"

"$PYTHON" "$TOP/tests/authgen.py" "$T/g" > "$T/gen.log" 2>&1 ||
	{ fail "authgen.py" "$(cat "$T/gen.log")"; t_done; }
port=$(free_port)
start_nsd "$T/g/zones" "$port" || { fail "nsd starts"; t_done; }
mkdir -p "$T/spool"
cat > "$T/policy" << EOF
spool $T/spool
dns 127.0.0.1:$port
timeout 2
authservid mx.test
EOF
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q"
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED TCPREMOTEHOST QQTAG_DNS \
    2> /dev/null || :

# run NAME CLIENT SENDER: the message through qqtag; $T/ar the header,
# unfolded, $T/log the log line
run() {
	mkenv "$T/env" "$3" bob@example.org
	rm -f "$T/q.msg"
	TCPREMOTEIP=$2 "$QQTAG" < "$T/g/m/$1" 1< "$T/env" 2> "$T/log"
	RC=$?
	unfold "$T/q.msg" 2> /dev/null | head -n 1 > "$T/ar"
}

# case NAME CLIENT SENDER DMARCTEST WANT...: each WANT is in the header
# (DMARCTEST: the DMARC test in tests=, or "-" for none)
while read -r name client sender dtest want; do
	[ "$sender" = '""' ] && sender=
	run "$name" "$client" "$sender"
	if [ "$RC" != 0 ] || ! grep -q '^Authentication-Results: mx\.test; ' \
	    "$T/ar"; then
		fail "$name: queued with our header" "rc=$RC $(cat "$T/log")"
		continue
	fi
	miss=
	for w in $(echo "$want" | tr '|' ' '); do
		w=$(echo "$w" | tr '~' ' ')
		grep -qF -- "$w" "$T/ar" || miss="$miss [$w]"
	done
	if [ -z "$miss" ]; then
		ok "$name: $(echo "$want" | tr '|~' ', ')"
	else
		fail "$name: missing$miss" "$(cat "$T/ar")"
	fi
	tests=$(sed -n 's/^qqtag: .* tests=\([^ ]*\) .*/\1/p' "$T/log")
	got=$(echo "$tests" | tr ',' '\n' | grep '^DMARC_' | tr '\n' ' ')
	[ -n "$tests" ] || { fail "$name: the log line has tests=" "$(cat "$T/log")"; continue; }
	[ "$dtest" = - ] && dtest=
	assert_eq "$name: DMARC test in tests=" "${dtest:+$dtest }" "$got"
	tail -c "$(wc -c < "$T/g/m/$name")" "$T/q.msg" |
	    cmp -s - "$T/g/m/$name" && ok "$name: the message byte for byte" ||
	    fail "$name: the message byte for byte"
done << 'EOF'
spf-aligned 192.0.2.10 x@bank.test DMARC_PASS spf=pass|smtp.mailfrom=x@bank.test|dmarc=pass~(p=reject)|header.from=bank.test
spf-fails 192.0.2.10 x@other.test DMARC_REJECT spf=fail|smtp.mailfrom=x@other.test|dmarc=fail~(p=reject)
dkim-saves 192.0.2.10 x@other.test DMARC_PASS spf=fail|dkim=pass~header.d=bank.test~header.s=sel|dmarc=pass
relaxed-sub 192.0.2.10 x@mail.bank.test DMARC_PASS spf=pass|smtp.mailfrom=x@mail.bank.test|dmarc=pass|header.from=bank.test
strict-sub 192.0.2.10 x@bounce.strict.test DMARC_QUARANTINE spf=pass|dmarc=fail~(p=quarantine)
strict-dkim 192.0.2.10 x@other.test DMARC_PASS spf=fail|dkim=pass~header.d=strict.test|dmarc=pass
unaligned 192.0.2.99 x@other.test DMARC_REJECT spf=pass|smtp.mailfrom=x@other.test|dkim=pass~header.d=other.test|dmarc=fail~(p=reject)
no-record 192.0.2.10 x@none.test - spf=pass|dmarc=none
body-changed 192.0.2.10 x@other.test DMARC_REJECT dkim=fail~(body~hash~mismatch)|dmarc=fail~(p=reject)
bounce 192.0.2.10 "" DMARC_PASS spf=pass|smtp.helo=mail.bank.test|dmarc=pass
EOF

# ---- forged headers under our id ---------------------------------------------
{
	sed -n 1,2p "$T/g/m/spf-fails"
	printf 'Authentication-Results: MX.TEST; dmarc=pass header.from=bank.test\n'
	printf 'Authentication-Results:\n\t(comment) mx.test;\n\tspf=pass\n'
	printf 'Authentication-Results: other.example; spf=pass\n'
	sed 1,2d "$T/g/m/spf-fails"
} > "$T/g/m/forged"
grep -c '^Authentication-Results' "$T/g/m/forged" > "$T/n"
assert_eq "forged: the message holds 3 Authentication-Results" 3 "$(cat "$T/n")"
run forged 192.0.2.10 x@other.test
"$PYTHON" - "$T/q.msg" > "$T/py" 2>&1 << 'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.compat32)
for v in m.get_all("Authentication-Results") or []:
    f = v.split(";")
    print(f[0].strip() + "; " + f[1].split()[0])
PY
assert_eq "forged: Python's email sees ours first, then the other server's" \
    "mx.test; spf=fail|other.example; spf=pass" \
    "$(tr '\n' '|' < "$T/py" | sed 's/|$//')"
grep -q ' stripped=2 ' "$T/log" && ok "forged: the log counts 2 stripped" ||
    fail "forged: the log counts 2 stripped" "$(cat "$T/log")"
grep -q 'dmarc=fail (p=reject)' "$T/ar" &&
    ok "forged: our verdict stands (dmarc=fail)" ||
    fail "forged: our verdict stands" "$(cat "$T/ar")"

# ---- qqtag -a on the stored message ------------------------------------------
{
	printf 'From x@other.test Thu Dec  3 10:00:02 2026\n'
	printf 'Return-Path: <x@other.test>\n'
	printf 'Delivered-To: bob@example.org\n'
	cat "$T/q.msg"
} | sed 's/$/\r/' > "$T/stored"
grep -c "$(printf '\r')\$" "$T/stored" > "$T/n"
[ "$(cat "$T/n")" -gt 10 ] && ok "-a: the stored file has CR LF line ends" ||
    fail "-a: the stored file has CR LF line ends"
"$QQTAG" -a "$T/stored" -i 192.0.2.10 > "$T/a" 2>&1
assert_eq "-a: exit 0" 0 "$?"
for w in 'spf: ' 'dmarc: asking _dmarc.bank.test TXT' \
    'Authentication-Results: mx.test; spf=fail' 'smtp.mailfrom=x@other.test' \
    'spf: result fail' \
    'tests=' ; do
	grep -qF -- "$w" "$T/a" && ok "-a: prints $w" ||
	    fail "-a: prints $w" "$(cat "$T/a")"
done
# the signed case stored the same way: DKIM passes over CR LF and From
{
	printf 'From x@other.test Thu Dec  3 10:00:02 2026\n'
	printf 'Return-Path: <x@other.test>\n'
	cat "$T/g/m/dkim-saves"
} | sed 's/$/\r/' > "$T/stored2"
"$QQTAG" -a "$T/stored2" -i 192.0.2.10 > "$T/a2" 2>&1
awk '/^Authentication-Results:/ { p = 1; printf "%s", $0; next }
    p && /^[ \t]/ { sub(/^[ \t]+/, " "); printf "%s", $0; next }
    p { exit }' "$T/a2" > "$T/ar2"
for w in 'dkim=pass header.d=bank.test' 'dmarc=pass' 'spf=fail'; do
	grep -qF -- "$w" "$T/ar2" && ok "-a, signed, CR LF: $w" ||
	    fail "-a, signed, CR LF: $w" "$(cat "$T/a2")"
done
grep -q '^dkim: d=bank.test s=sel: key query sel._domainkey.bank.test TXT' \
    "$T/a2" && ok "-a: the key query is traced" ||
    fail "-a: the key query is traced" "$(cat "$T/a2")"

t_done

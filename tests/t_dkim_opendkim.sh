#!/bin/sh
# t_dkim_opendkim.sh - the DKIM verifier against OpenDKIM's real signer.
# opendkim-testmsg (t_dkim.sh) signs rsa-sha1 only, which RFC 8301 fails;
# here the opendkim milter itself signs: three instances of our own in
# the foreground (rsa-sha256 relaxed/relaxed with From oversigned,
# rsa-sha256 simple/simple, ed25519-sha256 relaxed/relaxed), fed by
# Debian's miltertest (a Lua script speaking the milter protocol, as an
# MTA would: the CRLF form of the message, header folds included).  The
# DKIM-Signature field it inserts goes on top of the message as qmail's
# queue holds it (LF only); then mutations (body, signed header, an
# oversigned From added, an unsigned header added).  Keys from
# opendkim-genkey (RSA) and openssl (Ed25519), served by nsd.  Each case
# is judged by tests/dkimcheck (result and reason), by qqtag in queue
# mode (tests=, the message byte for byte), by dkimpy's dkim.verify() as
# a third opinion, and a few by `qqtag -a`.  No opendkim, miltertest, or
# an opendkim that does not start: the cases are skipped, never passed.
. "$(dirname "$0")/lib.sh"

DC=$TOP/tests/dkimcheck
[ -x "$DC" ] || { fail "tests/dkimcheck is built (make testbins)"; t_done; }

# the cases: NAME INSTANCE EXPECTED-RESULT (mutations are made below)
cat > "$T/cases" << 'C'
rr rr pass
ss ss pass
ed ed pass
rr-body rr fail
ss-body ss fail
ed-body ed fail
rr-subject rr fail
ss-subject ss fail
ed-subject ed fail
rr-from-added rr fail
rr-unsigned-added rr pass
ss-unsigned-added ss pass
ed-unsigned-added ed pass
rr-ws rr pass
ss-ws ss fail
C
skip_all() {
	while read -r name inst want; do
		skip "$name: $1"
	done < "$T/cases"
	t_done
}
for p in opendkim miltertest opendkim-genkey openssl nsd; do
	command -v "$p" > /dev/null 2>&1 || skip_all "no $p here"
done

# keys: RSA 2048 from OpenDKIM's own opendkim-genkey (its zone line is
# served as it is), Ed25519 from openssl (the record's p= is the raw
# 32-byte public key, RFC 8463)
mkdir -p "$T/k" "$T/zone" "$T/m" "$T/spool"
check "opendkim-genkey makes an RSA key" \
    opendkim-genkey -b 2048 -d example.test -s od2048 -D "$T/k"
check "openssl makes an Ed25519 key" \
    openssl genpkey -algorithm ed25519 -out "$T/k/oded.pem"
edpub=$(openssl pkey -in "$T/k/oded.pem" -pubout -outform DER |
    tail -c 32 | base64)
[ "$(printf '%s' "$edpub" | base64 -d | wc -c)" -eq 32 ] &&
    ok "Ed25519 public key: 32 bytes" ||
    fail "Ed25519 public key: 32 bytes" "$edpub"
{
	printf '$ORIGIN example.test.\n$TTL 60\n'
	printf '@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n'
	printf 'ns A 127.0.0.1\n'
	cat "$T/k/od2048.txt"
	printf 'oded._domainkey TXT "v=DKIM1; k=ed25519; p=%s"\n' "$edpub"
} > "$T/zone/example.test.zone"
port=$(free_port)
start_nsd "$T/zone" "$port" || { fail "nsd starts"; t_done; }
S=127.0.0.1:$port
got=$(dnsq "$port" od2048._domainkey.example.test TXT | sed -n 2p)
case $got in "TXT v=DKIM1; h=sha256; k=rsa; p=MII"*) ok "nsd serves od2048" ;;
*) fail "nsd serves od2048" "$got" ;; esac

# start_odkim NAME SELECTOR KEY ALG CANON [LINE]: an opendkim signer on
# $T/NAME.sock in the foreground, stopped at exit with the other servers;
# 0 once its socket is there, 1 (log shown) if it exits or never listens
start_odkim() {
	{
		echo "Mode s"
		echo "Domain example.test"
		echo "SubDomains yes"
		echo "Selector $2"
		echo "KeyFile $3"
		echo "SignatureAlgorithm $4"
		echo "Canonicalization $5"
		echo "Socket local:$T/$1.sock"
		echo "PidFile $T/$1.pid"
		echo "UserID $(id -un)"
		echo "Syslog no"
		echo "RequireSafeKeys false"
		[ -z "${6-}" ] || echo "$6"
	} > "$T/$1.conf"
	opendkim -f -x "$T/$1.conf" > "$T/$1.log" 2>&1 &
	LAST_PID=$!
	_t_pids="$_t_pids $LAST_PID"
	_i=0
	while [ $_i -lt 50 ]; do
		[ -S "$T/$1.sock" ] && return 0
		kill -0 "$LAST_PID" 2> /dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# opendkim $1 did not start; its log:" >&2
	sed 's/^/#   /' "$T/$1.log" >&2
	return 1
}
up=
for i in "rr od2048 $T/k/od2048.private rsa-sha256 relaxed/relaxed" \
    "ss od2048 $T/k/od2048.private rsa-sha256 simple/simple" \
    "ed oded $T/k/oded.pem ed25519-sha256 relaxed/relaxed"; do
	# shellcheck disable=SC2086
	set -- $i
	x=
	[ "$1" = rr ] && x="OversignHeaders From"
	if start_odkim "$@" "$x"; then up="$up $1"; fi
done
[ -n "$up" ] || skip_all "opendkim does not start here (its log above)"

# the Lua script: the message file $msg (LF line ends) to the milter at
# $sock as an MTA sends it (field values without the one space after the
# colon, folds and body lines CRLF); prints the DKIM-Signature field it
# inserts, LF line ends.  miltertest prints no Lua error: say it first.
cat > "$T/sign.lua" << 'L'
local function die(m)
	io.stderr:write("sign.lua: ", m, "\n")
	error(m)
end
local f = assert(io.open(msg, "rb"))
local all = f:read("*a")
f:close()
local hs, body = all:match("^(.-\n)\n(.*)$")
if hs == nil then die("no empty line after the header section") end
local conn = mt.connect(sock, 20, 0.1)
if conn == nil then die("mt.connect(" .. sock .. ") failed") end
local function step(r, what)
	if r ~= nil then die(what .. ": " .. r) end
	local rep = mt.getreply(conn)
	if rep ~= SMFIR_CONTINUE then
		die(what .. ": reply " .. string.char(rep))
	end
end
step(mt.conninfo(conn, "localhost", "127.0.0.1"), "conninfo")
mt.macro(conn, SMFIC_MAIL, "i", "odkimtest")
step(mt.mailfrom(conn, "alice@mail.example.test"), "mailfrom")
step(mt.rcptto(conn, "bob@example.org"), "rcptto")
local name, val
local function field()
	if name ~= nil then
		step(mt.header(conn, name, val), "header " .. name)
	end
end
for line in hs:gmatch("([^\n]*)\n") do
	if line:match("^[ \t]") and name ~= nil then
		val = val .. "\r\n" .. line
	else
		field()
		name, val = line:match("^([^:]+):(.*)$")
		if name == nil then die("not a field: " .. line) end
		val = val:gsub("^ ", "", 1)
	end
end
field()
step(mt.eoh(conn), "eoh")
if body ~= "" then
	step(mt.bodystring(conn, (body:gsub("\n", "\r\n"))), "body")
end
if mt.eom(conn) ~= nil then die("eom failed") end
if not mt.eom_check(conn, MT_HDRINSERT, "DKIM-Signature") and
    not mt.eom_check(conn, MT_HDRADD, "DKIM-Signature") then
	die("no DKIM-Signature field added")
end
local sig = mt.getheader(conn, "DKIM-Signature", 0)
if sig == nil then die("mt.getheader failed") end
io.write("DKIM-Signature:", (sig:gsub("\r\n", "\n")), "\n")
mt.disconnect(conn)
L

# the message (dkimgen.py's): a fold, trailing white space, empty lines
# at the end; LF only, as qmail-smtpd stores it
printf '%s\n' "Received: from mail.example.test (192.0.2.7)" \
    "  by mx.example.org with SMTP; 3 Dec 2026 10:00:00 -0000" \
    "From: Alice <alice@mail.example.test>" "To: bob@example.org" \
    "Subject: DKIM test  " "	with a fold" \
    "Date: Thu, 03 Dec 2026 10:00:00 +0000" \
    "Message-ID: <m1@mail.example.test>" "" "Hello  there, 	" "" \
    "second paragraph" "" "" > "$T/base"

# odsign INST: sign $T/base with instance INST into $T/m/INST; 0 or 1
odsign() {
	miltertest -D "msg=$T/base" -D "sock=local:$T/$1.sock" \
	    -s "$T/sign.lua" > "$T/sig.$1" 2> "$T/mt.$1.err" &&
	    cat "$T/sig.$1" "$T/base" > "$T/m/$1"
}
signed=
for i in $up; do
	if odsign "$i"; then
		signed="$signed $i"
		ok "opendkim $i signs"
	else
		fail "opendkim $i signs" "$(cat "$T/mt.$i.err" "$T/$i.log")"
	fi
done
has() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }
if has rr "$signed"; then
	grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;' \
	    "$T/m/rr" && ok "rr: rsa-sha256 relaxed/relaxed" ||
	    fail "rr: rsa-sha256 relaxed/relaxed" "$(head -n 3 "$T/m/rr")"
	# OpenDKIM names an oversigned field once more at the end of h=
	h=$(unfold "$T/m/rr" |
	    sed -n 's/^DKIM-Signature:.* h=\([^;]*\);.*/\1/p')
	assert_eq "rr: From oversigned" From:To:Subject:Date:From "$h"
fi
if has ss "$signed"; then
	grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple;' \
	    "$T/m/ss" && ok "ss: rsa-sha256 simple/simple" ||
	    fail "ss: rsa-sha256 simple/simple" "$(head -n 3 "$T/m/ss")"
fi
if has ed "$signed"; then
	grep -q '^DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;' \
	    "$T/m/ed" && ok "ed: ed25519-sha256 relaxed/relaxed" ||
	    fail "ed: ed25519-sha256 relaxed/relaxed" "$(head -n 3 "$T/m/ed")"
fi

# the mutations, after signing, of the message as stored
mut() {
	has "$2" "$signed" || return 0
	sed "$3" "$T/m/$2" > "$T/m/$1"
	cmp -s "$T/m/$1" "$T/m/$2" &&
	    fail "$1: the mutation changes the message"
}
for i in rr ss ed; do
	mut "$i-body" "$i" 's/^Hello/Jello/'
	mut "$i-subject" "$i" 's/^Subject: DKIM test/Subject: DKIM best/'
	mut "$i-unsigned-added" "$i" 's/^Date:/X-Added: yes\nDate:/'
done
mut rr-from-added rr 's/^To:/From: Mallory <m@mail.example.test>\nTo:/'
mut rr-ws rr 's/^Hello  there/Hello there/'
mut ss-ws ss 's/^Hello  there/Hello there/'
n=0
cr=
for f in "$T"/m/*; do
	[ -e "$f" ] || continue
	tr -d '\n' < "$f" | grep -q "$(printf '\r')" && cr="$cr ${f##*/}"
	n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
	skip "no message was signed"
else
	assert_eq "$n messages, LF only as qmail stores them (none with a CR)" "" "$cr"
fi

# dkimpy's view of a message: its dkim.verify() on the CRLF form, keys
# from the zone file
cat > "$T/py" << 'P'
import re, sys
import dkim
zone = open(sys.argv[1]).read()
recs = {}
for m in re.finditer(r'^(\w+)\._domainkey\s+(?:IN\s+)?TXT\s+(\(.*?\)|"[^\n]*")',
                     zone, re.M | re.S):
    recs[m.group(1)] = "".join(re.findall(r'"([^"]*)"', m.group(2)))
def dnsfunc(name, timeout=5):
    r = recs.get(name.decode().split("._domainkey.")[0])
    return r.encode() if r else None
for f in sys.argv[2:]:
    msg = open(f, "rb").read().replace(b"\n", b"\r\n")
    try:
        v = dkim.verify(msg, dnsfunc=dnsfunc)
    except Exception:
        v = False
    print(f.rsplit("/", 1)[1], v)
P
[ "$n" -eq 0 ] ||
    "$PYTHON" "$T/py" "$T/zone/example.test.zone" "$T"/m/* > "$T/dkimpy" 2>&1 ||
    fail "dkimpy runs" "$(cat "$T/dkimpy")"

cat > "$T/policy" << P
spool $T/spool
dns $S
timeout 3
P
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" QQ_OUT="$T/q"
unset RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED TCPREMOTEHOST 2> /dev/null || :
mkenv "$T/env" alice@mail.example.test bob@example.org
qq() {
	TCPREMOTEIP=192.0.2.7 "$QQTAG" < "$T/m/$1" 1< "$T/env" 2> "$T/log.$1"
	sed -n 's/.* tests=\([^ ]*\) .*/\1/p' "$T/log.$1" | tr ',' '\n' |
	    grep '^DKIM' | paste -sd, -
}

# every case: our verifier (result, reason), qqtag in queue mode, dkimpy
while read -r name inst want; do
	if ! has "$inst" "$signed"; then
		skip "$name: opendkim $inst did not start or sign"
		continue
	fi
	"$DC" -s "$S" "$T/m/$name" > "$T/out.$name" 2>&1
	got=$(awk -F'\t' '$2 ~ /^[0-9]+$/ { printf "%s%s", s, $3; s = "," }' \
	    "$T/out.$name")
	why=$(awk -F'\t' '$2 == 0 { print $9 }' "$T/out.$name")
	assert_eq "$name: $want${why:+ ($why)}" "$want" "$got"
	case $want in
	pass) t=DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU,DKIM_VALID_EF py=True ;;
	*) t=DKIM_SIGNED,DKIM_INVALID py=False ;;
	esac
	assert_eq "$name: qqtag tests=$t" "$t" "$(qq "$name")"
	tail -c "$(wc -c < "$T/m/$name")" "$T/q.msg" > "$T/q.tail"
	assert_file_eq "$name: qqtag keeps the message byte for byte" \
	    "$T/m/$name" "$T/q.tail"
	assert_eq "$name: dkimpy says $py too" "$name $py" \
	    "$(grep "^$name " "$T/dkimpy")"
done < "$T/cases"

# the reasons: each failure is the one the mutation makes
r() {
	has "${1%%-*}" "$signed" || return 0
	assert_eq "$1: reason" "$2" \
	    "$(awk -F'\t' '$2 == 0 { print $9 }' "$T/out.$1")"
}
for i in rr ss ed; do
	r "$i-body" "body hash mismatch"
	r "$i-subject" "signature verification failed"
done
r rr-from-added "signature verification failed"
r ss-ws "body hash mismatch"

# qqtag -a: the steps, the findings and the Authentication-Results field
qa() {
	QQTAG_DNS=$S "$QQTAG" -a "$T/m/$1" -f alice@mail.example.test \
	    > "$T/a.$1" 2>&1
}
d=header.d=example.test
for c in "rr pass $d header.s=od2048 header.a=rsa-sha256" \
    "ed pass $d header.s=oded header.a=ed25519-sha256" \
    "ss-body fail (body hash mismatch) $d header.s=od2048 header.a=rsa-sha256"
do
	name=${c%% *}
	c=${c#* }
	if ! has "${name%%-*}" "$signed"; then
		skip "qqtag -a $name: not signed"
		continue
	fi
	qa "$name"
	# header.b=: the first 8 characters of the signature's b=
	b=$(unfold "$T/m/$name" |
	    sed -n 's/^DKIM-Signature:.* b=\([^;]*\).*/\1/p' | tr -d ' \t' |
	    cut -c 1-8)
	ar=$(awk '/^Authentication-Results:/ { p = 1; printf "%s", $0; next }
	    p && /^[ \t]/ { sub(/^[ \t]+/, " "); printf "%s", $0; next }
	    p { exit }' "$T/a.$name")
	case $ar in
	*"; dkim=$c header.b=$b" | *"; dkim=$c header.b=$b; "*) ok "qqtag -a $name: dkim=$c header.b=$b" ;;
	*) fail "qqtag -a $name: dkim=$c header.b=$b" "$(cat "$T/a.$name")" ;;
	esac
done
t_done

#!/bin/sh
# softlimit.sh - the smallest `softlimit -m` under which qqtag still hands
# a 10 MiB message on correctly (issue 2, for INSTALL).
#
#   sh bench/softlimit.sh
#
# qmail-smtpd usually runs under daemontools' `softlimit -m BYTES`, which
# sets RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK and RLIMIT_MEMLOCK; qqtag and
# the queue program it execs inherit them.  RLIMIT_AS caps the address
# space (VmPeak), shared libraries and their reservations included, so
# the number depends on what the binary links more than on the message.
#
# "Correctly": exit 0, the stand-in (tests/qq-standin, running under the
# same limit after the exec) queued qqtag's block (SPF, DKIM and DMARC
# passed: every library mapped) followed by the message byte for byte,
# and the envelope byte for byte.  A binary search to 4 KiB;
# a limit counts as enough only if 3 runs in a row pass.  The same search
# for reference: qqtag exec'ing a tiny static queue (bench/probeq.c) =
# qqtag alone; the stand-in alone; /bin/true (any program linked with
# glibc).  Then what happens below the minimum.  The recommendation is
# the minimum plus 50%, rounded up to a whole million bytes.
#
# Environment: QQTAG (default ./qqtag), STANDIN (tests/qq-standin),
# BENCH_TMP (default /var/tmp), CC.  Exit 2 if it cannot measure.
set -eu
export LC_ALL=C
TOP=$(cd "$(dirname "$0")/.." && pwd)
QQTAG=${QQTAG:-$TOP/qqtag}
STANDIN=${STANDIN:-$TOP/tests/qq-standin}
CC=${CC:-cc}

die() {
	echo "softlimit.sh: $*" >&2
	exit 2
}

command -v softlimit > /dev/null ||
	die "no softlimit: apt-get install daemontools (not daemontools-run)"
if [ "$QQTAG" = "$TOP/qqtag" ] && [ "$STANDIN" = "$TOP/tests/qq-standin" ]
then
	make -s -C "$TOP" qqtag tests/qq-standin >&2 || die "build failed"
fi
[ -x "$QQTAG" ] && [ -x "$STANDIN" ] || die "no $QQTAG or $STANDIN"

# lib.sh: $T (removed at exit), free_port, start_nsd and its trap
. "$TOP/tests/lib.sh"
W=$T
cp "$QQTAG" "$W/qqtag"
cp "$STANDIN" "$W/qq-standin"
$CC -O2 -static -o "$W/probeq" "$TOP/bench/probeq.c" || die "cc probeq.c"
mkdir "$W/spool" "$W/zones"
printf 'Fsender@example.net\0Tbob@example.org\0\0' > "$W/env"
# 10 MiB: a header section, then base64 (no forged header: the stand-in
# must get the block followed by exactly these bytes), signed by dkimpy
# (RSA-2048) for mail.example.net: every check runs with what it maps,
# DKIM's crypto and (a From: of three labels) libpsl for DMARC; nsd on
# 127.0.0.1 serves the key, SPF and DMARC records
{
	printf 'From: Alice <alice@mail.example.net>\nTo: bob@example.org\n'
	printf 'Subject: ten megabytes\nMessage-ID: <10m@example.net>\n'
	printf 'MIME-Version: 1.0\nContent-Type: application/pdf\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	head -c 7750000 /dev/urandom | base64 -w 76
} | head -c 10485000 > "$W/unsigned"
echo >> "$W/unsigned"
"$PYTHON" - "$W" << 'PY' || die "signing failed"
import base64, subprocess, sys
import dkim
w = sys.argv[1]
subprocess.run(["openssl", "genrsa", "-traditional", "-out", w + "/k.pem",
                "2048"], check=True, capture_output=True)
der = subprocess.run(["openssl", "rsa", "-in", w + "/k.pem", "-pubout",
                      "-outform", "DER"], check=True,
                     capture_output=True).stdout
p = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
m = open(w + "/unsigned", "rb").read().replace(b"\n", b"\r\n")
sig = dkim.sign(m, b"sel", b"example.net", open(w + "/k.pem", "rb").read())
rcvd = (b"Received: from mail.example.net (HELO mx1.example.net) "
        b"(192.0.2.7)\n  by mx.example.org with SMTP; "
        b"27 Nov 2026 01:40:22 -0000\n")
open(w + "/msg", "wb").write(rcvd + (sig + m).replace(b"\r\n", b"\n"))
open(w + "/zones/example.net.zone", "w").write(
    "$ORIGIN example.net.\n$TTL 60\n@ SOA ns hostmaster 1 3600 600 86400 60\n"
    "@ NS ns\nns A 127.0.0.1\n@ TXT \"v=spf1 ip4:192.0.2.7 -all\"\n"
    "_dmarc TXT \"v=DMARC1; p=none\"\nsel._domainkey TXT " +
    " ".join('"%s"' % p[i:i + 200] for i in range(0, len(p), 200)) + "\n")
PY
NSDP=$(free_port)
start_nsd "$W/zones" "$NSDP" || die "nsd does not start"
printf 'spool %s\ndns 127.0.0.1:%s\n' "$W/spool" "$NSDP" > "$W/policy"

unset QQ_EXIT RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED QQTAG_LOOP QMAILQUEUE \
	TCP6REMOTEIP 2> /dev/null || :
export TCPREMOTEIP=192.0.2.7 QQTAG_POLICY="$W/policy" QQ_OUT="$W/q"
SZ=$(wc -c < "$W/msg")

# try_qqtag LIMIT: qqtag -> stand-in hands the message on correctly
try_qqtag() {
	rm -f "$W/q".*
	QQTAG_QUEUE=$W/qq-standin softlimit -m "$1" "$W/qqtag" \
		< "$W/msg" 1< "$W/env" 2> /dev/null || return 1
	[ -f "$W/q.msg" ] && unfold "$W/q.msg" | head -n 1 |
	    grep -q '^Authentication-Results: [^;]*; spf=pass .* dkim=pass .* dmarc=pass ' &&
		tail -c "$SZ" "$W/q.msg" | cmp -s - "$W/msg" &&
		cmp -s "$W/q.env" "$W/env"
}

# try_alone LIMIT: qqtag -> the tiny static probe queue
try_alone() {
	rm -f "$W/probe"
	QQTAG_QUEUE=$W/probeq PROBE_OUT=$W/probe softlimit -m "$1" \
		"$W/qqtag" < "$W/msg" 1< "$W/env" 2> /dev/null || return 1
	grep -q "msg=[0-9]" "$W/probe"
}

# try_standin LIMIT: the stand-in alone, straight from the files
try_standin() {
	rm -f "$W/q".*
	softlimit -m "$1" "$W/qq-standin" < "$W/msg" 1< "$W/env" \
		2> /dev/null || return 1
	cmp -s "$W/q.msg" "$W/msg"
}

# try_true LIMIT
try_true() {
	softlimit -m "$1" /bin/true 2> /dev/null
}

# search TRY: the smallest multiple of 4096 at which TRY passes 3 times
search() {
	_lo=0
	_hi=$((64 * 1024 * 1024))
	for _k in 1 2 3; do
		"$1" "$_hi" || die "$1 fails even at $_hi bytes"
	done
	while [ $((_hi - _lo)) -gt 4096 ]; do
		_mid=$(((_lo + _hi) / 2 / 4096 * 4096))
		if "$1" "$_mid" && "$1" "$_mid" && "$1" "$_mid"; then
			_hi=$_mid
		else
			_lo=$_mid
		fi
	done
	echo "$_hi"
}

# below LIMIT: exit status and whether anything was queued
below() {
	rm -f "$W/q".*
	QQTAG_QUEUE=$W/qq-standin softlimit -m "$1" "$W/qqtag" \
		< "$W/msg" 1< "$W/env" 2> "$W/err" && _rc=0 || _rc=$?
	_q=nothing
	[ -f "$W/q.msg" ] && _q="QUEUED $(wc -c < "$W/q.msg") bytes"
	# the log line's errors= (what could not run), or the first words
	_e=$(sed -n 's/^qqtag: pid=.* \(errors=[^ ]*\) .*/\1/p' "$W/err")
	[ -n "$_e" ] ||
		_e=$(head -c 90 "$W/err" | tr '\n|' ' /' | sed "s|$W/||")
	echo "| $1 | $_rc | $_q | $_e |"
}

echo "softlimit.sh: searching..." >&2
min=$(search try_qqtag)
# what an old run script's limit (INSTALL recommended 6000000 before
# issue 12) gives now
below6=$(below 6000000)
alone=$(search try_alone)
stand=$(search try_standin)
tru=$(search try_true)
rec=$(awk -v m="$min" 'BEGIN {
	r = m * 1.5 / 1000000; i = int(r); if (i < r) i++; print i * 1000000 }')
libs=$(ldd "$W/qqtag" 2> /dev/null | awk '/=>/ { printf "%s ", $1 }')
kib() {
	awk -v b="$1" 'BEGIN { printf "%d bytes (%.0f KiB)", b, b / 1024 }'
}

cat <<EOF
softlimit -m, 10 MiB message, $(date -u)
qqtag: $QQTAG, links $libs

| what runs under the limit | smallest -m that works |
|---|---|
| qqtag -> stand-in, 10 MiB handed on byte for byte | $(kib "$min") |
| qqtag -> tiny static queue (qqtag alone) | $(kib "$alone") |
| stand-in alone | $(kib "$stand") |
| /bin/true (floor of any glibc program) | $(kib "$tru") |

Recommended for INSTALL (minimum + 50%, rounded up): softlimit -m $rec

With the limit INSTALL recommended before issue 12:

| -m | exit | queued | stderr |
|---|---|---|---|
$below6

Below the minimum (qqtag -> stand-in):

| -m | exit | queued | stderr |
|---|---|---|---|
EOF
for l in $((min - 4096)) $((min - 65536)) $((min * 3 / 4)) $((min / 2)) \
	$((min / 4)); do
	below "$l"
done

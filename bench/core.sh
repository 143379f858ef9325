#!/bin/sh
# core.sh - issue 2's benchmark: qqtag's hand-over against a pass-through.
#
#   sh bench/core.sh [N]          (N runs per case, default 7)
#
# Messages of 5 KiB, 1 MiB and 100 MiB (a 20-line header section, then a
# text or base64 body; one forged X-Spam-Flag line that qqtag strips) are
# generated once into a temp dir under $BENCH_TMP (default /var/tmp, on
# disk: qqtag's spool directory is there too).  Each is pushed, N times,
# interleaved, through
#   base        bench/passthru.c, which only execs the stand-in
#   qqtag       qqtag (spool on disk) -> stand-in
#   qqtag-memfd qqtag with "spool memfd" -> stand-in (contrast only)
# with fd 0 a pipe fed in 64 KiB writes (as qmail-smtpd feeds it) and the
# envelope on a pipe once the message is written; the same two again with
# fd 0 a plain file (base-file, qqtag-file), with a stand-in that stores
# its copy on disk as the real qmail-queue does (base-store, qqtag-store),
# and with the feed paced at 1 Gbit/s, a fast client (base-1g, qqtag-1g);
# these last are informative.  The stand-in (tests/qq-standin)
# otherwise discards what it reads: it costs the same in every case.
#
# Time: wall clock from fork to reaping the queue program (bench/drive.c),
# median of N; and the part of it after the feed's last byte, which is
# what an SMTP client waits for (DESIGN.md invariant 4).  Memory: qqtag's own peak RSS is measured by exec'ing
# bench/probeq.c (static, tiny) in place of the queue: Linux keeps the
# peak of the image it replaced, so that is qqtag's peak; RssShmem and the
# memfd's size are read from /proc while qqtag waits for the envelope.  The
# "maxrss" of the timed runs is the maximum over qqtag's image and the
# stand-in's (one process), as /usr/bin/time reports it.
#
# Environment: QQTAG (default ./qqtag), STANDIN (tests/qq-standin), N100
# (runs at 100 MiB, default N), BENCH_TMP, CC, KEEP=1 keeps the temp dir,
# REV (what to call the qqtag measured; default: the work tree's commit).
# Prints markdown for BENCHMARKS.md; exit 1 if a goal is missed, 2 if the
# benchmark itself failed.
set -eu
export LC_ALL=C
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-7}
N100=${N100:-$N}
QQTAG=${QQTAG:-$TOP/qqtag}
STANDIN=${STANDIN:-$TOP/tests/qq-standin}
CC=${CC:-cc}
PY=${PYTHON:-python3}

die() {
	echo "core.sh: $*" >&2
	exit 2
}

case $N$N100 in
*[!0-9]* | "") die "N must be a number" ;;
esac
[ "$N" -ge 1 ] && [ "$N100" -ge 1 ] || die "N must be at least 1"
if [ "$QQTAG" = "$TOP/qqtag" ] && [ "$STANDIN" = "$TOP/tests/qq-standin" ]
then
	make -s -C "$TOP" qqtag tests/qq-standin >&2 || die "build failed"
fi
[ -x "$QQTAG" ] || die "no $QQTAG"
[ -x "$STANDIN" ] || die "no $STANDIN"

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -z "${REV-}" ]; then
	REV=$(git -C "$TOP" rev-parse --short HEAD 2> /dev/null || echo "?")
	git -C "$TOP" diff --quiet HEAD -- '*.c' '*.h' Makefile 2> /dev/null ||
		REV="$REV + uncommitted changes"
fi
W=$(mktemp -d "${BENCH_TMP:-/var/tmp}/qqbench.XXXXXX") || die "mktemp"
cleanup() {
	[ "${KEEP:-0}" = 1 ] && { echo "kept $W" >&2; return; }
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT HUP TERM

# Private copies: a rebuild in the work tree during the run changes nothing.
cp "$QQTAG" "$W/qqtag"
cp "$STANDIN" "$W/qq-standin"
B="$CC -O2 -Wall -Wextra"
$B -static -o "$W/drive" "$TOP/bench/drive.c" || die "cc drive.c"
$B -static -o "$W/probeq" "$TOP/bench/probeq.c" || die "cc probeq.c"
$B -DQUEUE="\"$W/qq-standin\"" -o "$W/passthru" "$TOP/bench/passthru.c" ||
	die "cc passthru.c"
$B -DQUEUE="\"$W/probeq\"" -o "$W/passthru-probe" "$TOP/bench/passthru.c" ||
	die "cc passthru.c"

mkdir "$W/spool" "$W/store"
echo "spool $W/spool" > "$W/policy"
echo "spool memfd" > "$W/policy-memfd"
printf 'Fsender@example.net\0Tbob@example.org\0Tcarol@example.org\0\0' \
	> "$W/env"

# ---- messages ---------------------------------------------------------
"$PY" - "$W" <<'PY' || die "cannot generate the messages"
import base64, random, sys
w = sys.argv[1]
HDR = (
    "Received: from mail.example.net (HELO mx1.example.net) (192.0.2.7)\n"
    "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n"
    "Received: from [10.0.0.5] (helo=client.example.net)\n"
    "\tby mx1.example.net with esmtpa (Exim 4.96)\n"
    "\tid 1tXyZ-000abc-12; Fri, 27 Nov 2026 01:40:20 +0000\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;\n"
    "\ts=s1; h=from:to:subject:date:message-id;\n"
    "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n"
    "\tb=dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdA==\n"
    "From: Alice Example <alice@example.net>\n"
    "To: Bob Example <bob@example.org>, carol@example.org\n"
    "Subject: Quarterly report and attachments\n"
    "Date: Fri, 27 Nov 2026 01:40:19 +0000\n"
    "Message-ID: <20261127014019.12345@client.example.net>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b1_qqtag\"\n"
    "X-Mailer: Example Mail 1.0\n"
    "X-Spam-Flag: NO\n"
    "List-Unsubscribe: <mailto:unsub@example.net>\n"
    "\n").encode()
END = b"\n--b1_qqtag--\n"
WORDS = b"the quick brown fox jumps over a lazy dog report figures".split()

def make(size, path):
    r = random.Random(size)
    out = bytearray(HDR)
    out += b"--b1_qqtag\nContent-Type: text/plain; charset=utf-8\n\n"
    if size <= 8192:
        while len(out) < size:
            out += b" ".join(r.choice(WORDS) for _ in range(11)) + b"\n"
    else:
        out += (b"See attached.\n\n--b1_qqtag\nContent-Type: "
                b"application/pdf\nContent-Transfer-Encoding: base64\n\n")
        raw = r.randbytes(57 * 16384)
        chunk = b"".join(base64.b64encode(raw[i:i + 57]) + b"\n"
                         for i in range(0, len(raw), 57))
        with open(path, "wb") as f:
            n = len(out)
            f.write(out)
            while n < size - len(END):
                k = min(len(chunk), size - len(END) - n)
                f.write(chunk[:k])
                n += k
            f.write(END)
        return
    del out[size - len(END):]
    out += END
    open(path, "wb").write(out)

for name, size in (("5k", 5 << 10), ("1m", 1 << 20), ("100m", 100 << 20)):
    make(size, "%s/%s.msg" % (w, name))
PY
for s in 5k 1m 100m; do
	sed '/^X-Spam-Flag: NO$/d' "$W/$s.msg" > "$W/$s.want"
done

# ---- the runs ---------------------------------------------------------
unset QQ_OUT QQ_EXIT QQ_FD6TEXT RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED \
	QQTAG_LOOP QMAILQUEUE TCP6REMOTEIP DRIVE_PROBE PROBE_OUT 2> /dev/null || :
export TCPREMOTEIP=192.0.2.7

# one CONFIG SIZE ROUND: a single run; appends
# "SIZE CONFIG ROUND us maxrss_kb tail_us" to $W/runs
one() {
	_feed=pipe
	_prog=$W/qqtag
	_pol=$W/policy
	_q=$W/qq-standin
	_out=
	_rate=
	case $1 in
	*-1g) _rate=125000000 ;;
	esac
	case $1 in
	*-file) _feed="file" ;;
	esac
	case $1 in
	*-store) _out=$W/store/q ;;
	esac
	case $1 in
	base*) _prog=$W/passthru ;;
	qqtag-memfd) _pol=$W/policy-memfd ;;
	esac
	_r=$(env ${_out:+QQ_OUT=$_out} ${_rate:+DRIVE_RATE=$_rate} QQTAG_POLICY="$_pol" QQTAG_QUEUE="$_q" \
		"$W/drive" "$_feed" "$W/$2.msg" "$W/env" "$W/qqtag.log" "$_prog") ||
		die "drive failed: $1 $2"
	case $_r in
	*" status=0") ;;
	*) die "$1 $2: $_r; log: $(tail -n 2 "$W/qqtag.log")" ;;
	esac
	rm -f "$W/store/q".*
	_us=${_r#us=}
	_us=${_us%% *}
	_kb=${_r#*maxrss_kb=}
	_kb=${_kb%% *}
	_tail=${_r#*tail_us=}
	_tail=${_tail%% *}
	echo "$2 $1 $3 $_us $_kb $_tail" >> "$W/runs"
}

# correctness first: the timed path must hand on the right bytes
for s in 5k 1m 100m; do
	rm -f "$W/chk".*
	QQTAG_POLICY=$W/policy QQTAG_QUEUE=$W/qq-standin QQ_OUT=$W/chk \
		"$W/drive" pipe "$W/$s.msg" "$W/env" "$W/qqtag.log" "$W/qqtag" \
		> /dev/null
	_sz=$(wc -c < "$W/$s.want")
	head -c 8 "$W/chk.msg" | grep -q '^X-Qqtag:' &&
		tail -c "$_sz" "$W/chk.msg" | cmp -s - "$W/$s.want" &&
		cmp -s "$W/chk.env" "$W/env" ||
		die "$s: qqtag did not hand on block + message less the forged line"
done
rm -f "$W/chk".*

CONFIGS="base qqtag qqtag-memfd base-file qqtag-file base-store qqtag-store
	base-1g qqtag-1g"
: > "$W/runs"
echo "core.sh: $N runs per case ($N100 at 100 MiB), interleaved..." >&2
i=1
while [ "$i" -le "$N" ] || [ "$i" -le "$N100" ]; do
	for s in 5k 1m 100m; do
		case $s in
		100m) [ "$i" -le "$N100" ] || continue ;;
		*) [ "$i" -le "$N" ] || continue ;;
		esac
		# rotate the order every round so no config always goes first
		# shellcheck disable=SC2086
		set -- $CONFIGS
		k=1
		while [ "$k" -lt "$i" ]; do
			_c=$1
			shift
			set -- "$@" "$_c"
			k=$((k + 1))
		done
		for c in "$@"; do
			one "$c" "$s" "$i"
		done
	done
	i=$((i + 1))
done

# probe CONFIG SIZE: 3 runs into the measuring queue; the largest values
probe() {
	_pol=$W/policy
	_prog=$W/qqtag
	case $1 in
	qqtag-memfd) _pol=$W/policy-memfd ;;
	base) _prog=$W/passthru-probe ;;
	esac
	: > "$W/probe.out"
	for _k in 1 2 3; do
		_r=$(DRIVE_PROBE=1 PROBE_OUT=$W/probe.out QQTAG_POLICY=$_pol \
			QQTAG_QUEUE=$W/probeq "$W/drive" pipe "$W/$2.msg" "$W/env" \
			"$W/qqtag.log" "$_prog") || die "probe $1 $2"
		echo "$_r $(tail -n 1 "$W/probe.out")"
	done | awk -v c="$1" -v s="$2" '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v = kv[2] + 0
	    if (!(kv[1] in m) || v > m[kv[1]]) m[kv[1]] = v } }
	END { printf "%s %s %d %d %d %d %d %d\n", s, c, m["maxrss_kb"],
	    m["VmHWM_kb"], m["RssShmem_kb"], m["memfd_kb"],
	    m["spoolfile_kb"], m["VmPeak_kb"] }'
}
: > "$W/mem"
for s in 5k 1m 100m; do
	for c in base qqtag qqtag-memfd; do
		probe "$c" "$s" >> "$W/mem"
	done
done
[ "$(awk 'NF == 8' "$W/mem" | wc -l)" -eq 9 ] || die "probe runs failed"

# /usr/bin/time's view, 100 MiB, once each (fd 1 a file here)
tv() {
	[ -x /usr/bin/time ] || {
		echo "(no /usr/bin/time: apt-get install time)"
		return
	}
	rm -f "$W/tv"
	# shellcheck disable=SC2002 # a pipe on fd 0, as qmail-smtpd gives
	cat "$W/100m.msg" | QQTAG_POLICY=$W/policy QQTAG_QUEUE=$1 \
		/usr/bin/time -o "$W/tv" -f '%e s %M KiB' "$2" 1< "$W/env" \
		2> /dev/null || :
	cat "$W/tv"
}
TV1=$(tv "$W/qq-standin" "$W/passthru")
TV2=$(tv "$W/qq-standin" "$W/qqtag")
TV3=$(tv "$W/probeq" "$W/qqtag")

# ---- report -----------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
fs=$(df -PT "$W/spool" | awk 'NR == 2 { print $2 " (" $7 ")" }')
libs=$(ldd "$W/qqtag" 2> /dev/null | awk '/=>/ { printf "%s ", $1 }')

cat <<EOF
Machine: $(nproc) CPUs, ${cpu:-unknown CPU}, Linux $(uname -r); spool on $fs
Date: $(date -u); qqtag $REV; links: $libs
Load average (1, 5, 15 min) at start: $LOAD0; at end: $(cut -d' ' -f1-3 /proc/loadavg)
Runs: N=$N (N=$N100 at 100 MiB), interleaved, order rotated every round

Wall time, ms: median (min-max) of N; "after last byte": median time from
the feed's last write to the queue's exit (file rows: nearly all of it);
maxrss KiB: median, the largest of qqtag's and the stand-in's images
(one process), as /usr/bin/time reports it.

| size | fd 0 | base (exec only) | qqtag | qqtag / base | qqtag - base | after last byte: base / qqtag | maxrss: base / qqtag |
|---|---|---|---|---|---|---|---|
EOF
awk -v order="5k 1m 100m" '
function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ k = $1 SUBSEP $2; n[k]++; us[k, n[k]] = $4; kb[k, n[k]] = $5
  tl[k, n[k]] = $6
  lo[k] = (n[k] == 1 || $4 < lo[k]) ? $4 : lo[k]
  hi[k] = ($4 > hi[k]) ? $4 : hi[k]
  pair[$1, $3, $2] = $4 }
END {
	ns = split(order, S, " ")
	split("pipe: base qqtag;file: base-file qqtag-file;" \
	    "pipe, memfd spool: base qqtag-memfd;" \
	    "pipe, queue stores: base-store qqtag-store;" \
	    "pipe at 1 Gbit/s: base-1g qqtag-1g", R, ";")
	for (r = 1; r <= 5; r++) {
		split(R[r], f, ": "); split(f[2], c, " ")
		for (i = 1; i <= ns; i++) {
			s = S[i]
			for (j = 1; j <= 2; j++) {
				kk = s SUBSEP c[j]; m = n[kk]
				delete t; delete t2; delete t3
				for (x = 1; x <= m; x++) {
					t[x] = us[kk, x]; t2[x] = kb[kk, x]
					t3[x] = tl[kk, x]
				}
				M[j] = med(t, m) / 1000; K[j] = med(t2, m)
				TL[j] = med(t3, m) / 1000
				L[j] = lo[kk] / 1000; H[j] = hi[kk] / 1000
			}
			printf "| %s | %s | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.2f | %+.2f | %.2f / %.2f | %d / %d |\n",
			    s, f[1], M[1], L[1], H[1], M[2], L[2], H[2], M[2] / M[1],
			    M[2] - M[1], TL[1], TL[2], K[1], K[2]
			if (r == 1) { printf "%s %.2f %.2f\n", s, M[1], M[2] > "'"$W"'/medians" }
		}
	}
	# paired differences at 5 KiB, pipe: qqtag - base of the same round
	m = 0
	for (x = 1; x <= n["5k" SUBSEP "qqtag"]; x++)
		d[++m] = pair["5k", x, "qqtag"] - pair["5k", x, "base"]
	printf "%.3f\n", med(d, m) / 1000 > "'"$W"'/paired5k"
}' "$W/runs"

cat <<EOF

Memory of qqtag itself, KiB (fd 0 a pipe; the largest of 3 runs).  Peak
RSS is qqtag's high-water mark as the exec'd probe queue inherits it;
VmHWM, RssShmem, memfd and spool file are read from /proc while qqtag
waits for the envelope (the whole message spooled).  RSS + shared =
peak RSS + RssShmem + memfd (a memfd is RAM that no RSS shows).  VmPeak is
the address space, what softlimit -m caps.  "base" is the floor: the
driver's forked copy, the wrapper and the probe.

| size | config | peak RSS | VmHWM | RssShmem | memfd | RSS + shared | spool file (page cache) | VmPeak |
|---|---|---|---|---|---|---|---|---|
EOF
awk '{ printf "| %s | %s | %d | %d | %d | %d | %d | %d | %d |\n",
	$1, $2, $3, $4, $5, $6, $3 + $5 + $6, $7, $8 }' "$W/mem"

cat <<EOF

/usr/bin/time -f '%e s %M KiB', 100 MiB, \`cat msg | time PROG 1< env\`,
one run each (the times are single samples; the medians above count)
(%M is the largest image of the process: time's own forked copy, the
program and the queue it execs):
- passthru -> stand-in: $TV1
- qqtag -> stand-in: $TV2
- qqtag -> probe queue: $TV3

EOF

# ---- goals ------------------------------------------------------------
fails=0
goal() {
	if [ "$1" = PASS ]; then
		echo "- PASS: $2"
	else
		echo "- FAIL: $2"
		fails=$((fails + 1))
	fi
}
mem=$(awk '$1 == "100m" && $2 == "qqtag" { print $3 + $5 + $6 }' "$W/mem")
shm=$(awk '$1 == "100m" && $2 == "qqtag" { print $5 + $6 }' "$W/mem")
mshm=$(awk '$1 == "100m" && $2 == "qqtag-memfd" { print $5 + $6 }' "$W/mem")
read -r _ b100 q100 <<EOF
$(grep '^100m ' "$W/medians")
EOF
read -r _ b5 q5 <<EOF
$(grep '^5k ' "$W/medians")
EOF
d5=$(cat "$W/paired5k")
echo "Goals (issue 2; fd 0 a pipe, spool on disk):"
r=$(awk -v m="$mem" 'BEGIN { print (m <= 8192) ? "PASS" : "FAIL" }')
goal "$r" "memory (RSS + shared) at 100 MiB: $mem KiB <= 8192 KiB (RssShmem + memfd $shm KiB; with spool memfd they would be $mshm KiB)"
r=$(awk -v b="$b100" -v q="$q100" 'BEGIN {
	printf "%s %.2f", (q <= 1.5 * b) ? "PASS" : "FAIL", q / b }')
goal "${r% *}" "wall time at 100 MiB: $q100 ms = ${r#* } x base ($b100 ms), goal <= 1.5 x"
r=$(awk -v d="$d5" 'BEGIN { print (d <= 2) ? "PASS" : "FAIL" }')
goal "$r" "added at 5 KiB: median of paired differences $d5 ms (medians $q5 - $b5 ms), goal <= 2 ms"
[ "$fails" -eq 0 ] || exit 1
exit 0

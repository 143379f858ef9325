#!/bin/sh
# lists.sh - issue 7's benchmark: a local list read per message against a
# loopback rbldnsd serving the same file.
#
#   sh bench/lists.sh [N]          (N runs per case, default 7)
#
# Files of 100, 10,000, 100,000 and 1,000,000 entries of three kinds -- ip4set (90 %
# single addresses, 10 % CIDR blocks, a default ":2:TXT $" line), dnset
# (names, a quarter of them wildcards) and ip6trie (/64s and /128s) -- plain
# and gzip'd, are generated once under $BENCH_TMP (default /var/tmp).  For
# each, tests/listcheck times (median of N, microseconds, in one process,
# page cache warm as on a mail server):
#   message   what qqtag does per message: read the file keeping only what
#             the message's IP or domain can match, then look it up
#   whole     read the whole file into sorted arrays, then look up (the
#             probe, the tools)
# and /usr/bin/time gives the peak RSS of one such run (the process, with
# its libraries).  rbldnsd serves the same plain files on 127.0.0.1; the
# policy's DNS check (dnsbl.c, c-ares) is timed from start to result for
# an address that is listed (A then TXT: two round trips) and one that is
# not (one).  Prints markdown for BENCHMARKS.md; exit 2 if the benchmark
# itself failed.
set -eu
export LC_ALL=C
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-7}
PY=${PYTHON:-python3}
LC=${LISTCHECK:-$TOP/tests/listcheck}

die() {
	echo "lists.sh: $*" >&2
	exit 2
}

case $N in
*[!0-9]* | "") die "N must be a number" ;;
esac
make -s -C "$TOP" tests/listcheck >&2 || die "build failed"
command -v rbldnsd > /dev/null || die "rbldnsd is not installed"
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed"

B=$(mktemp -d "${BENCH_TMP:-/var/tmp}/qqtag-lists.XXXXXX")
RPID=
cleanup() {
	[ -n "$RPID" ] && kill "$RPID" 2> /dev/null && wait "$RPID" || :
	[ "${KEEP:-0}" = 1 ] || rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 755 "$B"

# ---- data -----------------------------------------------------------------
"$PY" - "$B" << 'EOF'
import random, sys
R = random.Random(7)
out = sys.argv[1]
for n, tag in ((100, "100"), (10000, "10k"), (100000, "100k"),
               (1000000, "1m")):
    with open("%s/ip4-%s" % (out, tag), "w") as f:
        f.write(":2:Listed, see https://bl.example/lookup?ip=$\n")
        f.write("192.0.2.1\n")
        for _ in range(n - 1):
            a = R.randrange(1 << 32)
            if R.random() < 0.1:
                p = R.choice((24, 24, 22, 20, 16))
                a &= ~((1 << (32 - p)) - 1) & 0xffffffff
                f.write("%d.%d.%d.%d/%d\n" % (a >> 24, a >> 16 & 255,
                        a >> 8 & 255, a & 255, p))
            else:
                f.write("%d.%d.%d.%d\n" % (a >> 24, a >> 16 & 255,
                        a >> 8 & 255, a & 255))
    with open("%s/dn-%s" % (out, tag), "w") as f:
        f.write(":2:Listed, see https://bl.example/lookup?d=$\n")
        f.write("spam.example\n")
        for _ in range(n - 1):
            d = "".join(R.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                        for _ in range(R.randrange(5, 14)))
            d += "." + R.choice(("com", "net", "org", "info", "example"))
            f.write(("*." if R.random() < 0.25 else "") + d + "\n")
    with open("%s/ip6-%s" % (out, tag), "w") as f:
        f.write(":2:Listed, see https://bl.example/lookup?ip=$\n")
        f.write("2001:db8:5::/48\n")
        for _ in range(n - 1):
            a = R.randrange(1 << 128)
            g = ["%x" % (a >> (112 - 16 * i) & 0xffff) for i in range(8)]
            f.write(":".join(g[:4]) + "\n" if R.random() < 0.5 else
                    ":".join(g) + "\n")
EOF
for f in "$B"/ip4-* "$B"/dn-* "$B"/ip6-*; do
	gzip -6 -c "$f" > "$f.gz"
done
chmod a+r "$B"/*

# ---- rbldnsd on loopback, the same plain files --------------------------
PORT=$("$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
ZONES=
for size in 100 10k 100k 1m; do
	ZONES="$ZONES a$size.test:ip4set:ip4-$size d$size.test:dnset:dn-$size"
	ZONES="$ZONES s$size.test:ip6trie:ip6-$size"
done
# shellcheck disable=SC2086
rbldnsd -n -b "127.0.0.1/$PORT" -w "$B" -t 60 $ZONES > "$B/rbldnsd.log" 2>&1 &
RPID=$!
i=0
until grep -q 'started' "$B/rbldnsd.log"; do
	i=$((i + 1))
	[ $i -lt 600 ] || die "rbldnsd did not start: $(cat "$B/rbldnsd.log")"
	kill -0 "$RPID" 2> /dev/null || die "rbldnsd: $(cat "$B/rbldnsd.log")"
	sleep 0.1
done
RBLLOAD=$(sed -n 's/.*zones reloaded, time \([^ ]*\) sec.*/\1/p' \
    "$B/rbldnsd.log" | head -n 1)

# ---- measurements ----------------------------------------------------------
# us MODE FMT FILE QUERY: median microseconds of N reads and lookups
us() {
	"$LC" time "$1" "$2" "$3" "$4" "$N" | sed -n 's/^median_us \([0-9]*\).*/\1/p'
}
# rss MODE FMT FILE QUERY: peak RSS (KiB) of one read and lookup
rss() {
	/usr/bin/time -f %M "$LC" time "$1" "$2" "$3" "$4" 1 2>&1 > /dev/null |
	    tail -n 1
}
# dns ZONE KIND QUERY: median microseconds of the DNS check
dns() {
	printf 'dns 127.0.0.1:%s\n%s L %s.test\n' "$PORT" "$2" "$1" \
	    > "$B/policy"
	if [ "$2" = rhsbl ]; then
		printf 'dns 127.0.0.1:%s\nrhsbl L %s.test\n' "$PORT" "$1" \
		    > "$B/policy"
	fi
	"$LC" dnstime "$B/policy" "$3" "$N" |
	    sed -n 's/^median_us \([0-9]*\).*/\1/p'
}
ms() {
	awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'
}
kib() {
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

cat << EOF
### Machine and run

- Machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo |
    head -n 1); Linux $(uname -r); files under ${BENCH_TMP:-/var/tmp}
- Date: $(date -u); qqtag $(git -C "$TOP" rev-parse --short HEAD 2> /dev/null || echo '?')
- Load average at start: $(cut -d' ' -f 1-3 /proc/loadavg)
- Runs: N=$N per case, median; rbldnsd loaded all twelve files in ${RBLLOAD:-?} s

Command: \`sh bench/lists.sh $N\`

| list | entries | file | per message: read+lookup | whole read+lookup | RSS per message | RSS whole |
|---|---:|---|---:|---:|---:|---:|
EOF
for kind in ip4 dn ip6; do
	case $kind in
	ip4) fmt=ip4set q=192.0.2.1 name=ip4set ;;
	dn) fmt=dnset q=spam.example name=dnset ;;
	ip6) fmt=ip6trie q=2001:db8:5::1 name=ip6trie ;;
	esac
	for size in 100 10k 100k 1m; do
		for z in "" .gz; do
			f=$B/$kind-$size$z
			m=$(us each "$fmt" "$f" "$q")
			w=$(us load "$fmt" "$f" "$q")
			rm_=$(rss each "$fmt" "$f" "$q")
			rw=$(rss load "$fmt" "$f" "$q")
			echo "| $name | $size | $(du -h "$f" | cut -f 1)${z:+ gz} | $(ms "$m") ms | $(ms "$w") ms | $(kib "$rm_") MiB | $(kib "$rw") MiB |"
		done
	done
done
echo
echo "| loopback rbldnsd, same file | entries | listed (A + TXT) | not listed (A) |"
echo "|---|---:|---:|---:|"
for size in 100 10k 100k 1m; do
	echo "| ip4set | $size | $(ms "$(dns "a$size" dnsbl 192.0.2.1)") ms | $(ms "$(dns "a$size" dnsbl 198.51.100.7)") ms |"
done
for size in 100 10k 100k 1m; do
	echo "| dnset | $size | $(ms "$(dns "d$size" rhsbl spam.example)") ms | $(ms "$(dns "d$size" rhsbl ham.example)") ms |"
done
for size in 100 10k 100k 1m; do
	echo "| ip6trie | $size | $(ms "$(dns "s$size" dnsbl 2001:db8:5::1)") ms | $(ms "$(dns "s$size" dnsbl 2001:db8:6::1)") ms |"
done

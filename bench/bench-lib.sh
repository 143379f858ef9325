# bench-lib.sh - the opening bench/dns.sh, auth.sh and uri.sh share,
# sourced by them before tests/lib.sh.
#
# bench_init NAME [N]: NAME (for messages, and die's) is the script's;
# N runs (default 9, at least 7) and $RTT (default 50 ms) must be
# numbers; QQTAG and STANDIN default to the tree's, and the tree's qqtag
# is built when it is the one used.  Exits 2 on a bad argument or a
# failed build.
bench_init() {
	BENCH=$1
	N=${2:-9}
	RTT=${RTT:-50}
	case $N$RTT in
	*[!0-9]* | "") die "N and RTT must be numbers" ;;
	esac
	[ "$N" -ge 7 ] || die "N must be at least 7"
	QQTAG=${QQTAG:-$TOP/qqtag}
	STANDIN=${STANDIN:-$TOP/tests/qq-standin}
	if [ "$QQTAG" = "$TOP/qqtag" ]; then
		make -s -C "$TOP" qqtag >&2 || die "build failed"
	fi
}
# die TEXT: the benchmark itself failed (exit 2)
die() {
	echo "$BENCH: $*" >&2
	exit 2
}

#!/bin/sh
# report.sh - issue 15's benchmark: qqtag-report's speed and memory.
#
#   sh bench/report.sh [LINES] [GIB]    (default 5000000 lines, 1 GiB)
#
# A log of LINES message lines in qqtag's exact format (tests/reportgen.py:
# 100,000 generated lines with multilog stamps, repeated; every 100th
# message followed by a tcpserver line, every 250th by a qqtag notice) is
# written under $BENCH_TMP (default /var/tmp), then:
#   file      qqtag-report on the file (page cache warm, best of 3): lines
#             a second, and the peak RSS (/usr/bin/time)
#   gzip      the same log gzip'ed (a rotated file), through zlib
#   pipe      GIB GiB of the same lines through a pipe (memory must not
#             grow: peak RSS against a 100,000-line run)
# Prints markdown for BENCHMARKS.md; exit 2 if the benchmark failed, 1 if
# a run fell below 500,000 lines a second or memory grew by more than 1 MiB.
set -eu
export LC_ALL=C TZ=UTC
TOP=$(cd "$(dirname "$0")/.." && pwd)
LINES=${1:-5000000}
GIB=${2:-1}
PY=${PYTHON:-python3}
DIR=${BENCH_TMP:-/var/tmp}/qqtag-bench-report
R=$TOP/qqtag-report

die() {
	echo "report.sh: $*" >&2
	exit 2
}
make -s -C "$TOP" qqtag-report >&2 || die "build failed"
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed"
mkdir -p "$DIR"
chunk=$DIR/chunk.log
"$PY" "$TOP/tests/reportgen.py" 100000 1796256000 6 multilog "$chunk"
clines=$(wc -l < "$chunk")
reps=$(((LINES + 99999) / 100000))
big=$DIR/big.log
if [ ! -s "$big" ] || [ "$(cat "$DIR/big.reps" 2> /dev/null)" != "$reps" ]; then
	i=0
	: > "$big"
	while [ $i -lt $reps ]; do cat "$chunk" >> "$big"; i=$((i + 1)); done
	gzip -1 -c "$big" > "$big.gz"
	echo "$reps" > "$DIR/big.reps"
fi
nlines=$(wc -l < "$big")

# run NAME CMD...: best wall time of 3 and its peak RSS (KiB) into $s, $rss
run() {
	_n=$1
	shift
	_best=
	for _i in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$DIR/time" "$@" > "$DIR/out" ||
		    die "$_n failed"
		read -r _s _m < "$DIR/time"
		if [ -z "$_best" ] || awk "BEGIN { exit !($_s < $_best) }"; then
			_best=$_s
			rss=$_m
		fi
	done
	s=$_best
}
# rate LINES SECONDS: lines a second; "-" if either is not a number
rate() {
	awk -v n="$1" -v s="$2" 'BEGIN {
		if (n !~ /^[0-9]+$/ || s !~ /^[0-9]+(\.[0-9]+)?$/) {
			print "-"
			exit
		}
		printf "%.0f", n / (s > 0 ? s : 0.01) }'
}

run small "$R" "$chunk"
small_rss=$rss
run file "$R" "$big"
file_s=$s file_rss=$rss
msgs=$(sed -n 's/^  messages  *\([0-9]*\)$/\1/p' "$DIR/out")
run gzip "$R" "$big.gz"
gz_s=$s gz_rss=$rss
# GIB GiB through a pipe (the log repeated as needed)
bytes=$((GIB * 1024 * 1024 * 1024))
# (/usr/bin/time measures qqtag-report alone, at the end of the pipe)
sh -c 'while cat "$1"; do :; done 2> /dev/null | head -c "$2" |
    /usr/bin/time -f "%e %M" -o "$3" "$4" > "$5"' sh "$big" "$bytes" \
    "$DIR/time" "$R" "$DIR/pipe.out" || die "pipe run failed"
read -r pipe_s pipe_rss < "$DIR/time"
pipe_lines=$(sed -n 's/^  lines  *\([0-9]*\)$/\1/p' "$DIR/pipe.out")
echo "| input | lines | seconds | lines/s | peak RSS |"
echo "|---|---:|---:|---:|---:|"
echo "| 100,000-message file | $clines | - | - | $small_rss KiB |"
echo "| file ($msgs messages) | $nlines | $file_s | $(rate "$nlines" "$file_s") | $file_rss KiB |"
echo "| the same, gzip'ed | $nlines | $gz_s | $(rate "$nlines" "$gz_s") | $gz_rss KiB |"
echo "| $GIB GiB through a pipe | $pipe_lines | $pipe_s | $(rate "$pipe_lines" "$pipe_s") | $pipe_rss KiB |"
bad=0
# every run with a rate (file, gzip, pipe) must reach 500,000 lines a
# second; an empty or non-numeric figure is a failure too
for x in "file:$(rate "$nlines" "$file_s")" "gzip:$(rate "$nlines" "$gz_s")" \
    "pipe:$(rate "$pipe_lines" "$pipe_s")"; do
	case ${x#*:} in
	'' | *[!0-9]*)
		echo "report.sh: ${x%%:*}: no rate" >&2
		bad=1
		continue ;;
	esac
	[ "${x#*:}" -ge 500000 ] ||
	    { echo "report.sh: ${x%%:*} below 500,000 lines/s" >&2; bad=1; }
done
[ $((pipe_rss - small_rss)) -le 1024 ] && [ $((file_rss - small_rss)) -le 1024 ] ||
    { echo "report.sh: memory grew with the log" >&2; bad=1; }
exit $bad

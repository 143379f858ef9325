#!/bin/sh
# t_fuzzreplay.sh - replay every fuzz target's seed corpus (and the crash
# seeds kept as regressions) with the plain build: no clang needed.
. "$(dirname "$0")/lib.sh"

n=0
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	name=${src##*/fuzz_}
	name=${name%.c}
	bin=$TOP/tests/fuzz/replay_$name
	n=$((n + 1))
	if [ ! -x "$bin" ]; then
		fail "$name: replay binary not built"
		continue
	fi
	if [ ! -d "$TOP/tests/fuzz/$name" ]; then
		fail "$name: no seed corpus tests/fuzz/$name/"
		continue
	fi
	check "$name: $(ls "$TOP/tests/fuzz/$name" | wc -l) seeds replayed" \
	    "$bin" "$TOP/tests/fuzz/$name"
done
[ $n -gt 0 ] && ok "$n fuzz targets" || fail "no fuzz target"
t_done

# table-lib.sh - the result tables of bench/auth.sh and bench/uri.sh,
# sourced by them.  $T/runs holds a line per run: CASE and columns
# (2 wall, 3 last byte -> exit, 4 after_eom_ms, 5 CPU, 6 peak RSS), "-"
# where a case has no figure.  FAILED becomes 1 when a goal is missed.

# med CASE COLUMN: the median of a column, then its min and max
med() {
	awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$T/runs" | sort -n |
	    awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f\n", m, v[1], v[NR] }'
}
FAILED=0
# _num S: true if S is a decimal number (optional sign, digits, fraction)
_num() {
	printf '%s\n' "$1" | grep -Eqx '[-+]?[0-9]+(\.[0-9]+)?'
}
# verdict VALUE GOAL: V=PASS if VALUE is a number <= GOAL, else V=FAIL and
# FAILED=1 ("-", no runs, fails) (not in a subshell: FAILED must stick)
verdict() {
	if _num "$1" && _num "$2" &&
	    awk -v v="$1" -v g="$2" 'BEGIN { exit !(v + 0 <= g + 0) }'; then
		V=PASS
	else
		FAILED=1
		V=FAIL
	fi
}
# row CASE COLUMN TEXT [GOAL]: a line of the "median min max" table
row() {
	set -- "$1" "$2" "$3" "${4-}" $(med "$1" "$2")
	V=
	[ -z "$4" ] || verdict "$5" "$4"
	echo "| $1 | $3 | $5 | $6 | $7 | ${4:+<= $4} | $V |"
}
# diff_row A B COLUMN TEXT GOAL: a line of the "a b a - b" table
diff_row() {
	_a=$(med "$1" "$3" | cut -d' ' -f1)
	_b=$(med "$2" "$3" | cut -d' ' -f1)
	if _num "$_a" && _num "$_b"; then
		_d=$(awk -v a="$_a" -v b="$_b" 'BEGIN { printf "%.2f", a - b }')
	else
		_d=-
	fi
	verdict "$_d" "$5"
	echo "| $1 - $2 | $4 | $_a | $_b | $_d | <= +$5 | $V |"
}
# diff_head: the header of that table
diff_head() {
	echo "| difference | measure | a | b | a - b | goal | result |"
	echo "|---|---|---:|---:|---:|---|---|"
}

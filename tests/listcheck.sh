# listcheck.sh: sourced (after lib.sh) by the tests driven by
# tests/listcheck: LISTCHECK is tests/listcheck, or, when that is missing
# or older than a source file, a fresh build of it in $T from every
# module (all *.c but the programs' mains).

listcheck_build() {
	set --
	for _f in "$TOP"/*.c; do
		case ${_f##*/} in
		qqtag.c | qqtag-filter.c) ;;
		*) set -- "$@" "$_f" ;;
		esac
	done
	# shellcheck disable=SC2046
	${CC:-cc} -std=c99 -D_GNU_SOURCE -DCARES_NO_DEPRECATED -O1 -g \
	    -Wall -Wextra -Werror -I"$TOP" -o "$LISTCHECK" \
	    "$TOP/tests/listcheck.c" "$@" \
	    $(pkg-config --libs libcares libmaxminddb zlib) -lm
}

LISTCHECK=${LISTCHECK:-$TOP/tests/listcheck}
if [ ! -x "$LISTCHECK" ] || [ -n "$(find "$TOP" "$TOP/tests/listcheck.c" \
    -maxdepth 1 -name '*.[ch]' -newer "$LISTCHECK" | head -n 1)" ]; then
	LISTCHECK=$T/listcheck
	listcheck_build ||
		{ echo "# cannot build listcheck" >&2; exit 1; }
fi

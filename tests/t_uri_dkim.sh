#!/bin/sh
# t_uri_dkim.sh: the URI check's DKIM d= source end to end (issue 13)
# with really signed messages.  dkimpy signs with a key made now, nsd
# serves the key records of listed.example and unlisted.example, real
# rbldnsd a DBL-shaped zone listing listed.example; a relay
# (tests/dnsrelay.py) in front of both logs every query.  qqtag runs in
# queue mode, the strict stand-in as the queue.  A message validly signed
# by d=listed.example whose body links nowhere listed: the URI check
# reports the d= domain (URIBL_DBL_SPAM, the warning naming it, uris=);
# the same message with its body changed after signing (DKIM_INVALID):
# d= asked speculatively but never counted; a valid signature of an
# unlisted domain: asked, nothing reported.  Each negative check first
# proves the output it looks in was produced.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/zone" "$T/msgs" "$T/spool"
cat > "$T/sign.py" << 'EOF'
import base64, os, subprocess, sys
import dkim

d = sys.argv[1]
key = os.path.join(d, "key.pem")
subprocess.run(["openssl", "genrsa", "-traditional", "-out", key, "2048"],
               check=True, capture_output=True)
der = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform",
                      "DER"], check=True, capture_output=True).stdout
rec = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
txt = " ".join('"%s"' % rec[i:i + 250] for i in range(0, len(rec), 250))
for dom in ("listed.example", "unlisted.example"):
    with open(os.path.join(d, "zone", dom + ".zone"), "w") as z:
        z.write("$ORIGIN %s.\n$TTL 60\n@ SOA ns hostmaster 1 3600 600 "
                "86400 60\n@ NS ns\nns A 127.0.0.1\nsel._domainkey TXT %s\n"
                % (dom, txt))
priv = open(key, "rb").read()
msg = (b"From: News <news@sender.example>\n"
       b"To: bob@example.org\n"
       b"Subject: our offer\n"
       b"Date: Thu, 03 Dec 2026 10:00:00 +0000\n"
       b"Message-ID: <n1@sender.example>\n\n"
       b"Hello, the offer is at http://www.clean.example/offer today.\n")


def sign(dom):
    """dkimpy signs the CRLF form; the signature goes on top, LF only."""
    crlf = msg.replace(b"\n", b"\r\n")
    sig = dkim.sign(crlf, b"sel", dom, priv, include_headers=[
        b"from", b"to", b"subject", b"date", b"message-id"])
    return sig.replace(b"\r\n", b"\n") + msg


def out(name, data):
    with open(os.path.join(d, "msgs", name), "wb") as f:
        f.write(data)


out("listed", sign(b"listed.example"))
out("broken", sign(b"listed.example").replace(b"today", b"TODAY"))
out("unlisted", sign(b"unlisted.example"))
# the signature broken by a link to a listed domain put in its place
out("forged", sign(b"listed.example").replace(b"www.clean.example",
                                               b"www.spam.example"))
EOF
if ! "$PYTHON" "$T/sign.py" "$T" > "$T/sign.log" 2>&1; then
	fail "sign.py makes the key and signed messages" "$(tail -n 5 \
	    "$T/sign.log")"
	t_done
fi
for f in listed broken unlisted; do
	check "signed message $f made" [ -s "$T/msgs/$f" ]
done
check "the broken one differs in its body only" sh -c \
    "! cmp -s '$T/msgs/listed' '$T/msgs/broken' &&
    grep -q TODAY '$T/msgs/broken'"

NSD=$(free_port)
start_nsd "$T/zone" "$NSD" || { fail "nsd starts"; t_done; }
mkdir -p "$T/rbl"
printf ':127.0.1.2:DBL spam domain $\ndbltest.com\nlisted.example\nspam.example\n' \
    > "$T/rbl/dbl"
RBL=$(free_port)
start_rbldnsd "$T/rbl" "$RBL" dbl.test:dnset:dbl ||
	{ fail "rbldnsd starts"; t_done; }
RELAY=$(free_port)
: > "$T/relay.log"
"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$RELAY" -l 300 -u "dbl.test=$RBL" \
    -u "listed.example=$NSD" -u "unlisted.example=$NSD" \
    2>> "$T/relay.log" &
_t_pids="$_t_pids $!"
i=0
until [ "$(DNSQ_TIMEOUT=0.3 dnsq "$RELAY" dbltest.com.dbl.test A \
    2> /dev/null | head -n 1)" = NOERROR ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "relay answers"; t_done; }
	sleep 0.1
done

# URI lists and DKIM only: no dns line (QQTAG_DNS names the relay), SPF
# and DMARC off
cat > "$T/policy" << EOF
spool $T/spool
timeout 3
threshold 5
spf off
dmarc off
urilist DBL dbl.test profile=dbl
EOF
export QQTAG_POLICY="$T/policy" QQTAG_QUEUE="$STANDIN" \
    QQTAG_DNS="127.0.0.1:$RELAY"
unset TCPREMOTEHOST RELAYCLIENT QQTAG_SKIP QQTAG_TRUSTED QQTAG_THRESHOLD \
    QMAILQUEUE QQTAG_LOOP 2> /dev/null || :
mkenv "$T/env" news@sender.example bob@example.org

# q NAME: qqtag on message NAME; the stand-in's copy in $T/NAME.msg, its
# header block in $T/NAME.hdr, the log in $T/NAME.log, the relay's
# queries in $T/NAME.rq, the status in RC
q() {
	: > "$T/relay.log"
	env QQ_OUT="$T/$1" TCPREMOTEIP=192.0.2.7 "$QQTAG" < "$T/msgs/$1" \
	    1< "$T/env" 2> "$T/$1.log"
	RC=$?
	sleep 0.2	# the relay's last lines
	cp "$T/relay.log" "$T/$1.rq"
	sed '/^$/q' "$T/$1.msg" 2> /dev/null > "$T/$1.hdr"
	sed 's/^/# /' "$T/$1.log"
}
# has NAME TEST: is TEST among the tests= of run NAME?
has() {
	case ,$(logkv "$T/$1.log" tests), in *,"$2",*) return 0 ;; esac
	return 1
}

# ---- a valid signature of a listed domain --------------------------------
q listed
assert_eq "listed: queued" 0 "$RC"
check "listed: the signature verified (DKIM_VALID)" has listed DKIM_VALID
check "listed: the d= domain listed (URIBL_DBL_SPAM)" has listed \
    URIBL_DBL_SPAM
check "listed: the warning names the d= domain" grep -q \
    '^X-Spam-Warning: listed\.example is listed in DBL as URIBL_DBL_SPAM' \
    "$T/listed.hdr"
assert_eq "listed: uris= names it" listed.example \
    "$(logkv "$T/listed.log" uris)"
check "listed: the body's link asked, and clean" grep -q \
    '^clean\.example\.dbl\.test 1 ' "$T/listed.rq"
check "listed: the key fetched through the relay" grep -q \
    '^sel\._domainkey\.listed\.example 16 ' "$T/listed.rq"

# ---- the same message, its body changed after signing --------------------
q broken
assert_eq "broken: queued" 0 "$RC"
check "broken: the signature failed (DKIM_INVALID)" has broken DKIM_INVALID
check "broken: d= asked all the same (speculatively, during the upload)" \
    grep -q '^listed\.example\.dbl\.test 1 ' "$T/broken.rq"
if [ -n "$(logkv "$T/broken.log" tests)" ] && ! has broken URIBL_DBL_SPAM; then
	ok "broken: the listed d= not counted"
else
	fail "broken: no URIBL_DBL_SPAM" "$(cat "$T/broken.log")"
fi
if grep -q '^X-Spam-Status:' "$T/broken.hdr" &&
    ! grep -q 'listed\.example is listed' "$T/broken.hdr"; then
	ok "broken: no warning names the d= domain"
else
	fail "broken: no warning" "$(cat "$T/broken.hdr")"
fi
if grep -q ' result=queue' "$T/broken.log" &&
    ! grep -q ' uris=' "$T/broken.log"; then
	ok "broken: no listed domain in the log line"
else
	fail "broken: uris=" "$(cat "$T/broken.log")"
fi
# qqtag -a shows why: the same verdict, said in its trace
"$QQTAG" -a "$T/msgs/broken" > "$T/a.out" 2>&1
sed 's/^/# -a: /' "$T/a.out"
check "-a broken: the d= found" grep -q \
    '^uri: domain listed\.example -> listed\.example' "$T/a.out"
check "-a broken: and not counted" grep -q \
    '^uri: DKIM d= not valid, not counted: listed\.example' "$T/a.out"

# ---- a valid signature of an unlisted domain -----------------------------
q unlisted
assert_eq "unlisted: queued" 0 "$RC"
check "unlisted: the signature verified (DKIM_VALID)" has unlisted \
    DKIM_VALID
check "unlisted: its d= asked" grep -q \
    '^unlisted\.example\.dbl\.test 1 ' "$T/unlisted.rq"
if [ -n "$(logkv "$T/unlisted.log" tests)" ] &&
    ! logkv "$T/unlisted.log" tests |
    grep -q URIBL; then
	ok "unlisted: no URI test"
else
	fail "unlisted: no URIBL_ test" "$(cat "$T/unlisted.log")"
fi
if grep -q '^X-Spam-Status: No' "$T/unlisted.hdr" &&
    ! grep -q '^X-Spam-Warning:' "$T/unlisted.hdr"; then
	ok "unlisted: not flagged, no warning"
else
	fail "unlisted: no warning" "$(cat "$T/unlisted.hdr")"
fi

# ---- a forged signature of a listed d=, and a listed link ----------------
# the d= result comes first (asked at the header step) and is not
# counted; it must not take the link's URIBL_DBL_SPAM score away
q forged
assert_eq "forged: queued" 0 "$RC"
check "forged: the signature failed (DKIM_INVALID)" has forged DKIM_INVALID
check "forged: the link's domain scores (URIBL_DBL_SPAM)" has forged \
    URIBL_DBL_SPAM
sc=$(logkv "$T/forged.log" score)
check "forged: URIBL_DBL_SPAM's 2.5 in the score ($sc)" awk -v s="$sc" \
    'BEGIN { exit !(s != "" && s + 0 >= 2.5) }'
assert_eq "forged: uris= names the link's domain only" spam.example \
    "$(logkv "$T/forged.log" uris)"
check "forged: its warning, with the weight" grep -q \
    '^X-Spam-Warning: spam\.example is listed in DBL as URIBL_DBL_SPAM' \
    "$T/forged.hdr"
t_done

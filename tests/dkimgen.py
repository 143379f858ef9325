"""dkimgen.py - the DKIM cases of tests/t_dkim.sh, made at test time.

    dkimgen.py DIR PORT-UNUSED

Keys: RSA 512/1024/2048/4096 (openssl genrsa, as opendkim-genkey does),
Ed25519 (dknewkey).  Messages signed by dkimpy (dkim.sign) with
mutations, and by OpenDKIM (opendkim-testmsg, which signs rsa-sha1 only).
Writes DIR/example.test.zone (the key records, for nsd), DIR/msgs/NAME
(each message as qmail's queue holds it: LF line ends, unless the name
says crlf), and DIR/expect: "NAME RESULT[,RESULT...] DKIMPY" where RESULT
is each signature's expected result in order and DKIMPY is dkimpy's own
dkim.verify() of the message (True/False) as a second opinion.
"""
import os
import subprocess
import sys
import time

import dkim

D = sys.argv[1]
os.makedirs(os.path.join(D, "msgs"), exist_ok=True)
os.makedirs(os.path.join(D, "keys"), exist_ok=True)
NOW = int(time.time())
records = {}


def rsa_key(name, bits):
    path = os.path.join(D, "keys", name + ".pem")
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", path,
                    str(bits)], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", path, "-pubout",
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    import base64
    return open(path, "rb").read(), base64.b64encode(der).decode()


def ed_key(name):
    path = os.path.join(D, "keys", name)
    subprocess.run(["dknewkey", "--ktype", "ed25519", path], check=True,
                   capture_output=True)
    priv = open(path + ".key", "rb").read().strip()
    rec = open(path + ".dns").read().strip()
    return priv, rec


keys = {}
for name, bits in (("r1024", 1024), ("r2048", 2048), ("r4096", 4096),
                   ("r512", 512)):
    keys[name] = rsa_key(name, bits)
    records[name] = "v=DKIM1; k=rsa; p=" + keys[name][1]
keys["ed"] = ed_key("ed")
records["ed"] = keys["ed"][1]
# a 2048-bit key whose record passes 512 bytes with notes; a 4096-bit one
# past 1232 bytes (EDNS0's flag-day size: TCP)
records["big"] = records["r2048"] + "; n=" + "note" * 60
keys["big"] = keys["r2048"]
records["huge"] = records["r4096"] + "; n=" + "padding" * 80
keys["huge"] = keys["r4096"]
records["revoked"] = "v=DKIM1; k=rsa; p="
keys["revoked"] = keys["r2048"]
records["testing"] = records["r2048"] + "; t=y"
keys["testing"] = keys["r2048"]
records["strict"] = records["r2048"] + "; t=s"
keys["strict"] = keys["r2048"]
records["sha1only"] = "v=DKIM1; k=rsa; h=sha1; p=" + keys["r2048"][1]
keys["sha1only"] = keys["r2048"]
keys["nokey"] = keys["r2048"]

BASE = (b"Received: from mail.example.test (192.0.2.7)\n"
        b"  by mx.example.org with SMTP; 3 Dec 2026 10:00:00 -0000\n"
        b"From: Alice <alice@mail.example.test>\n"
        b"To: bob@example.org\n"
        b"Subject: DKIM test  \n\twith a fold\n"
        b"Date: Thu, 03 Dec 2026 10:00:00 +0000\n"
        b"Message-ID: <m1@mail.example.test>\n\n"
        b"Hello  there, \t\n\nsecond paragraph\n\n\n")

HDRS = [b"from", b"to", b"subject", b"date", b"message-id"]


def crlf(m):
    return m.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def sign(msg, sel, canon=(b"relaxed", b"relaxed"), alg=b"rsa-sha256",
         length=False, identity=None, domain=b"example.test", heads=HDRS):
    """dkimpy signs the CRLF form; the signature goes on top, LF-only."""
    sig = dkim.sign(crlf(msg), sel.encode(), domain, keys[sel][0],
                    identity=identity, canonicalize=canon,
                    signature_algorithm=alg, include_headers=heads,
                    length=length)
    return sig.replace(b"\r\n", b"\n") + msg


def with_x(fn, x):
    """Sign with an x= tag (dkimpy has no option: its field list is
    wrapped)."""
    orig = dkim.DKIM.gen_header

    def gh(self, fields, *a, **k):
        fields = fields[:-1] + [(b"x", str(x).encode())] + fields[-1:]
        return orig(self, fields, *a, **k)
    dkim.DKIM.gen_header = gh
    try:
        return fn()
    finally:
        dkim.DKIM.gen_header = orig


def at_time(fn, t):
    orig = time.time
    time.time = lambda: t
    try:
        return fn()
    finally:
        time.time = orig


def opendkim(msg, sel):
    """opendkim-testmsg signs (rsa-sha1, relaxed/simple).  Its printed
    field repeats the tail of b= after the last fold (a known print
    bug): cut b= back to the signature's length in base64."""
    p = subprocess.run(["opendkim-testmsg", "-d", "example.test", "-s",
                        sel, "-k", os.path.join(D, "keys", sel + ".pem"),
                        "-t", D], input=msg, capture_output=True,
                       check=True).stdout
    first = b"\n" + msg.split(b":", 1)[0] + b":"
    head, _, rest = p.partition(first)
    i = head.index(b"b=") + 2
    b64 = head[i:].replace(b"\n", b"").replace(b"\t", b"").replace(b" ", b"")
    head = head[:i] + b64[:(2048 // 8 + 2) // 3 * 4]
    return head + first + rest


cases = {}
tail = BASE.replace(b"second paragraph\n", b"second paragraph\nAPPENDED\n")
cases["rr"] = (sign(BASE, "r2048"), "pass")
cases["ss"] = (sign(BASE, "r2048", (b"simple", b"simple")), "pass")
cases["rs"] = (sign(BASE, "r2048", (b"relaxed", b"simple")), "pass")
cases["sr"] = (sign(BASE, "r2048", (b"simple", b"relaxed")), "pass")
cases["r1024"] = (sign(BASE, "r1024"), "pass")
cases["ed25519"] = (sign(BASE, "ed", alg=b"ed25519-sha256"), "pass")
cases["big512"] = (sign(BASE, "big"), "pass")
cases["huge1232"] = (sign(BASE, "huge"), "pass")
# the wire's CRLF form is what was signed; the queue holds it LF-only
cases["crlf-signed"] = (sign(crlf(BASE), "r2048", (b"simple", b"simple"))
                        .replace(b"\r\n", b"\n"),
                        "pass")
s = sign(BASE, "r2048")
cases["body-changed"] = (s.replace(b"Hello", b"Jello"), "fail")
cases["subject-changed"] = (s.replace(b"DKIM test", b"DKIM best"), "fail")
cases["unsigned-added"] = (s.replace(b"Date:", b"X-Added: yes\nDate:"),
                           "pass")
cases["ws-relaxed"] = (s.replace(b"Hello  there", b"Hello \t there"), "pass")
ls = sign(BASE, "r2048", length=True)
cases["l-tail"] = (ls.replace(b"second paragraph\n\n\n",
                              b"second paragraph\nAPPENDED TAIL\n"), "pass")
cases["expired"] = (at_time(lambda: with_x(lambda: sign(BASE, "r2048"),
                                          NOW - 86400), NOW - 3 * 86400),
                    "fail")
cases["future-t"] = (at_time(lambda: sign(BASE, "r2048"), NOW + 86400),
                     "fail")
cases["revoked"] = (sign(BASE, "revoked"), "fail")
cases["rsa-sha1"] = (sign(BASE, "r2048", alg=b"rsa-sha1"), "fail")
cases["rsa512"] = (sign(BASE, "r512"), "fail")
cases["nokey"] = (sign(BASE, "nokey"), "permerror")
cases["sha1only-key"] = (sign(BASE, "sha1only"), "permerror")
cases["testing-bad"] = (sign(BASE, "testing").replace(b"Hello", b"Jello"),
                        "fail")
cases["strict-sub"] = (sign(BASE, "strict",
                            identity=b"x@sub.example.test"), "fail")
two = sign(sign(BASE, "r1024"), "ed", alg=b"ed25519-sha256")
cases["two-good"] = (two, "pass,pass")
bad_then_good = sign(sign(BASE, "r2048").replace(b"Hello", b"Jello"),
                     "r1024")
cases["one-good"] = (bad_then_good, "pass,fail")
six = BASE
for sel in ("r1024", "r2048", "r1024", "r2048", "r1024", "r2048"):
    six = sign(six, sel)
cases["six"] = (six, "pass,pass,pass,pass,pass")
cases["opendkim-sha1"] = (opendkim(BASE, "r2048"), "fail")
# a header section past the 64 KiB copy: not verifiable here
cases["header-cut"] = (sign(BASE.replace(b"To:", b"X-Long: " + b"y" * 70000
                                         + b"\nTo:"), "r2048"), "permerror")


def txt(name):
    return records[name.split(".")[0]].encode()


def dnsfunc(name, timeout=5):
    n = name.decode().split("._domainkey.")[0]
    return records[n].encode() if n in records else None


with open(os.path.join(D, "expect"), "w") as e:
    for name, (msg, want) in cases.items():
        open(os.path.join(D, "msgs", name), "wb").write(msg)
        try:
            v = dkim.verify(crlf(msg), dnsfunc=dnsfunc)
        except Exception:
            v = False
        e.write("%s %s %s\n" % (name, want, v))
    # OpenDKIM's rsa-sha1 signature is good by dkimpy, which still takes
    # rsa-sha1: proof that the second signer's output is a real signature
    d = dkim.DKIM(crlf(cases["opendkim-sha1"][0]))
    e.write("opendkim-sha1-dkimpy any %s\n" % d.verify(dnsfunc=dnsfunc))


def chunks(s):
    s = s.replace('"', '\\"')
    return " ".join('"%s"' % s[i:i + 250] for i in range(0, len(s), 250))


with open(os.path.join(D, "zone", "example.test.zone"), "w") as z:
    z.write("$ORIGIN example.test.\n$TTL 60\n"
            "@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n"
            "ns A 127.0.0.1\n")
    for name, rec in records.items():
        z.write("%s._domainkey TXT %s\n" % (name, chunks(rec)))

"""authgen.py DIR: the zones and messages of tests/t_authres.sh.

Zones (nsd): bank.test (SPF 192.0.2.10, DMARC p=reject relaxed, a DKIM
key), mail.bank.test (SPF 192.0.2.10), strict.test (SPF 192.0.2.10,
DMARC p=quarantine aspf=s adkim=s, a key), bounce.strict.test (SPF
192.0.2.10), other.test (SPF 192.0.2.99 only, a key), none.test (SPF
192.0.2.10, no DMARC).  Messages DIR/m/NAME, LF line ends as qmail
queues them, signed by dkimpy where the case says so, each behind the
Received line qmail-smtpd writes (HELO mail.bank.test).
"""
import base64
import os
import subprocess
import sys

import dkim

D = sys.argv[1]
os.makedirs(os.path.join(D, "m"), exist_ok=True)
os.makedirs(os.path.join(D, "zones"), exist_ok=True)
SOA = "@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\nns A 127.0.0.1\n"


def key(dom):
    pem = os.path.join(D, dom + ".pem")
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", pem,
                    "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", pem, "-pubout",
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    p = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    return "sel._domainkey TXT " + " ".join(
        '"%s"' % p[i:i + 200] for i in range(0, len(p), 200)) + "\n"


ZONES = {
    "bank.test": ['@ TXT "v=spf1 ip4:192.0.2.10 -all"',
                  '_dmarc TXT "v=DMARC1; p=reject"',
                  'mail TXT "v=spf1 ip4:192.0.2.10 -all"'],
    "strict.test": ['@ TXT "v=spf1 ip4:192.0.2.10 -all"',
                    '_dmarc TXT "v=DMARC1; p=quarantine; aspf=s; adkim=s"',
                    'bounce TXT "v=spf1 ip4:192.0.2.10 -all"'],
    "other.test": ['@ TXT "v=spf1 ip4:192.0.2.99 -all"'],
    "none.test": ['@ TXT "v=spf1 ip4:192.0.2.10 -all"'],
}
for dom, rrs in ZONES.items():
    with open(os.path.join(D, "zones", dom + ".zone"), "w") as f:
        f.write("$ORIGIN %s.\n$TTL 60\n" % dom + SOA + "\n".join(rrs) +
                "\n")
        if dom != "none.test":
            f.write(key(dom))


def msg(name, frm, client, signer=None, mutate=False):
    m = ("From: <%s>\r\nTo: bob@example.org\r\nSubject: case %s\r\n"
         "Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n"
         "Message-ID: <%s@x.test>\r\n\r\nbody of %s\r\n" %
         (frm, name, name, name)).encode()
    if signer:
        pem = open(os.path.join(D, signer + ".pem"), "rb").read()
        m = dkim.sign(m, b"sel", signer.encode(), pem) + m
    if mutate:
        m = m.replace(b"body of", b"BODY of")
    rcvd = ("Received: from mail.bank.test (HELO mail.bank.test) (%s)\n"
            "  by mx.test with SMTP; 3 Dec 2026 10:00:01 -0000\n" % client)
    with open(os.path.join(D, "m", name), "wb") as f:
        f.write(rcvd.encode() + m.replace(b"\r\n", b"\n"))


msg("spf-aligned", "a@bank.test", "192.0.2.10")
msg("spf-fails", "a@bank.test", "192.0.2.10")
msg("dkim-saves", "a@bank.test", "192.0.2.10", "bank.test")
msg("relaxed-sub", "a@bank.test", "192.0.2.10")
msg("strict-sub", "a@strict.test", "192.0.2.10")
msg("strict-dkim", "a@strict.test", "192.0.2.10", "strict.test")
msg("unaligned", "a@bank.test", "192.0.2.99", "other.test")
msg("no-record", "a@none.test", "192.0.2.10")
msg("body-changed", "a@bank.test", "192.0.2.10", "bank.test", True)
msg("bounce", "a@bank.test", "192.0.2.10")

#!/usr/bin/env python3
"""auth-gen.py DIR: the zones, key and messages of bench/auth.sh.

DIR/zones/shop.example.zone and other.example.zone (for nsd):
  shop.example   SPF in a chain of 3 TXT lookups (the record, two nested
                 includes), _dmarc p=reject, an RSA-2048 DKIM key
                 (sel._domainkey, a TXT over 255 bytes in two strings)
  other.example  SPF in a chain of 2 (the record, one include)
  both pass 192.0.2.50, the benchmark's client.
DIR/signed     100 KB, From: shop.example, one rsa-sha256 signature
               (dkimpy, relaxed/relaxed), LF line ends as qmail queues it
DIR/plain      the same message without the signature
DIR/big.signed 100 MiB, signed the same way (only with BIG=1)
"""
import base64
import email.utils
import os
import subprocess
import sys

import dkim

D = sys.argv[1]
os.makedirs(os.path.join(D, "zones"), exist_ok=True)
key = os.path.join(D, "sel.pem")
subprocess.run(["openssl", "genrsa", "-traditional", "-out", key, "2048"],
               check=True, capture_output=True)
der = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform",
                      "DER"], check=True, capture_output=True).stdout
p = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
txt = " ".join('"%s"' % p[i:i + 200] for i in range(0, len(p), 200))
SOA = "@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\nns A 127.0.0.1\n"
with open(os.path.join(D, "zones", "shop.example.zone"), "w") as f:
    f.write("$ORIGIN shop.example.\n$TTL 60\n" + SOA +
            '@ TXT "v=spf1 include:_s1.shop.example -all"\n'
            '_s1 TXT "v=spf1 include:_s2.shop.example -all"\n'
            '_s2 TXT "v=spf1 ip4:192.0.2.50 -all"\n'
            '_dmarc TXT "v=DMARC1; p=reject"\n'
            "sel._domainkey TXT " + txt + "\n")
with open(os.path.join(D, "zones", "other.example.zone"), "w") as f:
    f.write("$ORIGIN other.example.\n$TTL 60\n" + SOA +
            '@ TXT "v=spf1 include:_s1.other.example -all"\n'
            '_s1 TXT "v=spf1 ip4:192.0.2.50 -all"\n')


def message(size):
    h = ("Date: " + email.utils.formatdate() + "\r\n"
         "From: Shop <news@shop.example>\r\nTo: bob@example.org\r\n"
         "Subject: benchmark\r\nMessage-ID: <1@shop.example>\r\n")
    line = "a line of a plain text body, about sixty bytes long......\r\n"
    body = line * (size // len(line))
    return h.encode(), body.encode()


def write(name, data):
    rcvd = (b"Received: from mail.shop.example (HELO mail.shop.example) "
            b"(192.0.2.50)\n  by mx.example.org with SMTP; "
            + email.utils.formatdate().encode() + b"\n")
    with open(os.path.join(D, name), "wb") as f:
        f.write(rcvd + data.replace(b"\r\n", b"\n"))


def signed(size):
    h, b = message(size)
    m = h + b"\r\n" + b
    sig = dkim.sign(m, b"sel", b"shop.example", open(key, "rb").read(),
                    canonicalize=(b"relaxed", b"relaxed"),
                    include_headers=[b"from", b"to", b"subject", b"date",
                                     b"message-id"])
    return sig + m, m


s, m = signed(100 * 1024)
write("signed", s)
write("plain", m)
if os.environ.get("BIG") == "1":
    s, _ = signed(100 * 1024 * 1024)
    write("big.signed", s)

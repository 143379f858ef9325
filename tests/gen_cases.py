#!/usr/bin/env python3
"""gen_cases.py DIR [N] - hostile, real and mutated messages for t_core.sh.

Writes DIR/NAME.msg files: the hard cases of issue 2, the messages of
Python's test_email data, and N (default 200) mutations of them made from
a fixed seed, or $TEST_SEED when set (so a failure can be replayed: the
mutation mut-NNN is case NNN of that seed).  Prints the seed."""
import os
import random
import sys

d = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
os.makedirs(d, exist_ok=True)
seed = int(os.environ.get("TEST_SEED") or 20261127)
print("# gen_cases.py seed %d (TEST_SEED=%d replays)" % (seed, seed))
rnd = random.Random(seed)
cases = {}

R = b"Received: from mx.example.net (HELO a) ([192.0.2.7])\n  by mail.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n"
cases["empty"] = b""
cases["lf-only"] = b"\n"
cases["headers-no-body-no-newline"] = R + b"Subject: hi\nFrom: a@b.example"
cases["no-separator"] = R + b"Subject: hi\nHello there\nX-Spam-Flag: NO\n"
cases["crlf"] = R.replace(b"\n", b"\r\n") + b"Subject: x\r\nX-Spam-Flag: NO\r\n\r\nbody\r\n"
cases["cr-only"] = b"Subject: x\rX-Spam-Flag: NO\r\rbody\r"
cases["nul-bytes"] = R + b"Subject: a\0b\nX-Spam-Status: \0No\n\nbo\0dy\0"
cases["latin1"] = R + "Subject: caf\xe9 \xfc\xdf\nFrom: J\xf6rg <j@x.example>\n\n\xe9t\xe9\n".encode("latin-1")
cases["8bit-utf8"] = R + "Subject: Grüße\n\nÄ\n".encode()
cases["first-line-blank"] = b" starts with blank\nX-Spam-Flag: NO\n\nbody\n"
cases["long-line-200k"] = R + b"Subject: " + b"x" * 200 * 1024 + b"\nX-Spam-Flag: NO\n\nb\n"
cases["20000-lines"] = R + b"".join(b"X-H%d: v\n" % i for i in range(20000)) + b"X-Spam-Status: No\n\nbody\n"
cases["mbox-from"] = b"From someone@example.net Mon Nov 27 01:40:22 2026\n" + R + b"X-Spam-Flag: NO\n\n"
cases["forged-mixed"] = R + b"x-SpAm-fLaG: NO\n\tcontinued\n cont2\nSubject: s\nX-SPAM-STATUS : No, score=-10\n  tests=NONE\nX-Spam-Level:\nX-Spam-Score: -10\nX-Spam-Warning: none\nX-Qqtag: score=0 flag=no\nX-Qqtag-Foo: bar\nTo: t@x\n\nbody\n"
cases["forged-after-cap"] = R + b"".join(b"X-Pad-%06d: %s\n" % (i, b"p" * 60) for i in range(3000)) + b"X-Spam-Flag: NO\n\nbody\n"
cases["flag-in-body"] = R + b"Subject: s\n\nX-Spam-Flag: YES\nX-Spam-Status: No\n"
cases["padded-name"] = R + b"X-Spam-Flag" + b" " * 300 + b": NO\n\n"
cases["only-forged"] = b"X-Spam-Flag: NO"
cases["binary"] = bytes(range(256)) * 64

datadir = "/usr/lib/python3.11/test/test_email/data"
real = []
if os.path.isdir(datadir):
    for f in sorted(os.listdir(datadir)):
        with open(os.path.join(datadir, f), "rb") as fh:
            b = fh.read()
        cases["py-" + f.replace(".", "_")] = b
        real.append(b)

pieces = [b"X-Spam-Flag: YES\n", b"x-spam-status: No\n", b" cont\n",
          b"\tcont\n", b"\n", b"\r\n", b"\r", b"\0", b"\xff", b":",
          b"X-Qqtag: flag=no\n", b"X-Spam-Level \t: **\n", b"From x\n"]
base = real or list(cases.values())
for i in range(n):
    b = bytearray(rnd.choice(base))
    for _ in range(rnd.randint(1, 8)):
        p = rnd.randint(0, len(b))
        op = rnd.random()
        if op < 0.5:
            b[p:p] = rnd.choice(pieces)
        elif op < 0.8 and b:
            del b[p:p + rnd.randint(1, 20)]
        elif b:
            b[min(p, len(b) - 1)] = rnd.randint(0, 255)
    cases["mut-%03d" % i] = bytes(b)

for k, v in cases.items():
    with open(os.path.join(d, k + ".msg"), "wb") as fh:
        fh.write(v)

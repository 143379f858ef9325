#!/usr/bin/env python3
"""load-smtp.py - load generator and checker of bench/load.sh and
tests/t_load.sh (standard library only, loopback only).

  load-smtp.py send PORT N C RUN MIX > RESULTS
      N messages over C concurrent SMTP sessions to 127.0.0.1:PORT.
      Session S connects from 127.0.0.(2 + S % 3) and sends
      1 + (S / 3) % 3 messages, then QUIT.  One line per message on stdout:
          ID CODE SRC EOM_MS
      (CODE the reply to the message, or ERR; EOM_MS the time from the
      final dot to the reply), and last "wall_s=... sessions=...".
  load-smtp.py check DIR N RUN MIX RESULTS MODE
      Reads what the queue recorded in DIR (bench/load-queue.c:
      q.PID.K.msg, .env, .cpu) and prints key=value lines: every message
      with reply 250 must have been queued exactly once, byte for byte
      (MODE qqtag: our block, the front end's Received line, the message
      less its forged tags; MODE base, no qqtag: the Received line and
      the message as sent), with its envelope byte for byte; nothing else
      queued.
      "bad: ..." lines say what is wrong.  Exit 1 if anything is.

Message ID (0 <= ID < N) is a pure function of (ID, RUN, MIX): a header
section (From, To, Subject, Date, Message-ID <load-ID.RUN@example.net>;
every third message two forged tags that qqtag must strip), then a body
of 2 KB, 50 KB or 1 MB (MIX: percentages of the three sizes, "70,25,5"),
lines of 76 bytes, some starting with a dot (dot-stuffed on the wire).
Envelope: sender sID@example.net, 1 + ID % 3 recipients.
"""
import os
import re
import socket
import sys
import threading
import time

SIZES = (2 * 1024, 50 * 1024, 1024 * 1024)
OURS = {b"Authentication-Results", b"X-Qqtag", b"X-Qqtag-Geo", b"X-Spam-Flag",
        b"X-Spam-Status",
        b"X-Spam-Level", b"X-Spam-Score", b"X-Spam-Warning"}


def size_of(i, mix):
    pct = [int(x) for x in mix.split(",")]
    r = (i * 37 + 11) % 100
    if r < pct[0]:
        return SIZES[0]
    if r < pct[0] + pct[1]:
        return SIZES[1]
    return SIZES[2]


def message(i, run, mix):
    """(bytes sent as DATA, bytes the queue must get after the Received
    line, sender, recipients)."""
    sender = b"s%d@example.net" % i
    rcpts = [b"r%d-%d@example.org" % (i, k) for k in range(1 + i % 3)]
    head = (b"From: Load <%s>\nTo: r@example.org\nSubject: load %d\n"
            b"Date: %s\nMessage-ID: <load-%d.%s@example.net>\n" %
            (sender, i, run_date(run), i, run.encode()))
    forged = (b"X-Spam-Flag: YES\nX-Spam-Status: Yes, score=20.0\n"
              b"\ttests=FORGED\n") if i % 3 == 0 else b""
    want = size_of(i, mix)
    lines, n, k = [], len(head) + len(forged) + 1, 0
    while n < want:
        pre = b"." if k % 50 == 7 else b""
        l = pre + b"load %d line %d " % (i, k)
        l += b"abcdefghijklmnopqrstuvwxyz0123456789"[:max(0, 75 - len(l))]
        l = l[:75] + b"\n"
        lines.append(l)
        n += len(l)
        k += 1
    body = b"".join(lines)
    return (head + forged + b"\n" + body, head + b"\n" + body, sender,
            rcpts)


def run_date(run):
    """A Date of the run's start (RUN is "NAME-EPOCH")."""
    t = time.gmtime(int(run.rsplit("-", 1)[1]))
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", t).encode()


def envelope(sender, rcpts):
    return b"F" + sender + b"\0" + b"".join(
        b"T" + r + b"\0" for r in rcpts) + b"\0"


def wire(data):
    """LF to CRLF, dot-stuffed, the final dot."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n"
                    for l in lines) + b".\r\n"


class Session:
    def __init__(self, src, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=120,
                                          source_address=(src, 0))
        self.f = self.s.makefile("rb")

    def reply(self):
        while True:
            line = self.f.readline()
            if not line:
                raise OSError("connection closed")
            if line[3:4] != b"-":
                return line.decode("ascii", "replace").rstrip("\r\n")

    def cmd(self, c, want):
        self.s.sendall(c + b"\r\n")
        r = self.reply()
        if not r.startswith(want):
            raise OSError("%s -> %s" % (c[:20].decode(), r))

    def close(self):
        try:
            self.s.sendall(b"QUIT\r\n")
            self.reply()
        except OSError:
            pass
        self.s.close()


def send(port, n, c, run, mix):
    lock = threading.Lock()
    state = {"next": 0, "session": 0}
    out = []

    def take():
        with lock:
            s = state["session"]
            state["session"] += 1
            k = 1 + (s // 3) % 3
            first = state["next"]
            state["next"] = min(n, first + k)
            return s, list(range(first, state["next"]))

    def worker():
        while True:
            s, ids = take()
            if not ids:
                return
            src = "127.0.0.%d" % (2 + s % 3)
            res = []
            try:
                sess = Session(src, port)
                if not sess.reply().startswith("220"):
                    raise OSError("no greeting")
                sess.cmd(b"EHLO client.example", "250")
                for i in ids:
                    data, _, sender, rcpts = message(i, run, mix)
                    sess.cmd(b"MAIL FROM:<" + sender + b">", "250")
                    for r in rcpts:
                        sess.cmd(b"RCPT TO:<" + r + b">", "250")
                    sess.cmd(b"DATA", "354")
                    sess.s.sendall(wire(data))
                    t = time.monotonic()
                    r = sess.reply()
                    res.append("%d %s %s %d" % (i, r[:3], src,
                               (time.monotonic() - t) * 1000))
                sess.close()
            except OSError as e:
                done = {int(x.split()[0]) for x in res}
                res += ["%d ERR %s %s" % (i, src, str(e).replace(" ", "_"))
                        for i in ids if i not in done]
            with lock:
                out.extend(res)

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    out.sort(key=lambda x: int(x.split()[0]))
    sys.stdout.write("".join(x + "\n" for x in out))
    sys.stdout.write("wall_s=%.3f sessions=%d\n" % (wall, state["session"]))


def pct(v, p):
    if not v:
        return 0
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def split_block(got):
    """(block, rest) where block is our leading fields."""
    i = 0
    cur = None
    while i < len(got):
        j = got.find(b"\n", i)
        if j < 0:
            break
        line = got[i:j]
        if line[:1] == b"\t" and cur is not None:
            pass
        else:
            name = line.split(b":")[0]
            if name not in OURS:
                break
            cur = name
        i = j + 1
    return got[:i], got[i:]


def block_problem(block):
    for l in block.split(b"\n")[:-1]:
        if len(l) > 998:
            return "block line of %d bytes" % len(l)
        if any((c < 32 and c != 9) or c > 126 for c in l):
            return "control or 8-bit byte in the block"
    return None


RCVD = re.compile(rb"Received: from unknown \(HELO client\.example\) "
                  rb"\([0-9.]+\)\n  by mx\.example\.org with SMTP; "
                  rb"[0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} -0000\n")
MID = re.compile(rb"\nMessage-ID: <load-([0-9]+)\.([^@>]+)@example\.net>\n")


def check(d, n, run, mix, results, mode):
    replies = {}
    eom = []
    for line in open(results):
        f = line.split()
        if f and f[0].isdigit():
            replies[int(f[0])] = f[1]
            if f[1] == "250":
                eom.append(int(f[3]))
    bad = []
    seen = {}
    cpu = []
    kinds = {"checked": 0, "relayclient": 0, "listed": 0, "timeouts": 0,
             "noblock": 0}
    names = sorted(os.listdir(d))
    for name in names:
        if not name.endswith(".msg"):
            continue
        base = os.path.join(d, name[:-4])
        got = open(base + ".msg", "rb").read()
        block, rest = split_block(got)
        m = RCVD.match(rest)
        mid = MID.search(rest)
        if not m or not mid or mid.group(2).decode() != run:
            bad.append("%s: no Received line or Message-ID of this run" %
                       name)
            continue
        i = int(mid.group(1))
        seen[i] = seen.get(i, 0) + 1
        sent, want, sender, rcpts = message(i, run, mix)
        if mode == "base":
            want = sent
        why = block_problem(block)
        if mode == "base" and block:
            why = "a block without qqtag"
        if rest[m.end():] != want:
            why = "message %d not byte for byte" % i
        elif open(base + ".env", "rb").read() != envelope(sender, rcpts):
            why = "envelope of %d differs" % i
        if why:
            bad.append("%s: %s" % (name, why))
        xq = b" ".join(l.strip() for l in block.split(b"\n")
                       if l.startswith(b"X-Qqtag:") or l[:1] == b"\t")
        if not block:
            kinds["noblock"] += 1
        elif b"reason=relayclient" in xq:
            kinds["relayclient"] += 1
        elif b"checked=yes" in xq:
            kinds["checked"] += 1
            if b"lists=none" not in xq:
                kinds["listed"] += 1
            if b"DEAD:timeout" in xq:
                kinds["timeouts"] += 1
        try:
            c = dict(x.split("=") for x in
                     open(base + ".cpu").read().split())
            cpu.append(int(c["cpu_us"]))
        except (OSError, ValueError, KeyError):
            bad.append("%s: no .cpu record" % name)
    n250 = sum(1 for v in replies.values() if v == "250")
    missing = [i for i in range(n) if replies.get(i) == "250" and
               i not in seen]
    dup = [i for i, k in seen.items() if k > 1]
    unreplied = [i for i in range(n) if replies.get(i) != "250"]
    ghost = [i for i in seen if replies.get(i) != "250"]
    # a queue run that did not commit (the stand-in's verdict was not 0)
    failed = sum(1 for x in names if x.endswith(".info") and
                 b"verdict=0" not in open(os.path.join(d, x), "rb").read())
    for i in missing[:5]:
        bad.append("message %d: reply 250, not queued" % i)
    for i in dup[:5]:
        bad.append("message %d queued %d times" % (i, seen[i]))
    for i in unreplied[:5]:
        bad.append("message %d: reply %s" % (i, replies.get(i, "none")))
    for i in ghost[:5]:
        bad.append("message %d queued, but its reply was %s" %
                   (i, replies.get(i, "none")))
    if failed:
        bad.append("%d queue runs with a verdict other than 0" % failed)
    print("messages=%d replies250=%d queued=%d unique=%d missing=%d dup=%d "
          "bad=%d" % (n, n250, sum(seen.values()), len(seen), len(missing),
                      len(dup), len(bad)))
    print("checked=%d listed=%d deadtimeouts=%d relayclient=%d noblock=%d" %
          (kinds["checked"], kinds["listed"], kinds["timeouts"],
           kinds["relayclient"], kinds["noblock"]))
    print("queue_cpu_us_mean=%d queue_cpu_us_p50=%d queue_cpu_us_p95=%d" %
          (sum(cpu) / max(1, len(cpu)), pct(cpu, 50), pct(cpu, 95)))
    print("eom_ms_p50=%d eom_ms_p95=%d eom_ms_max=%d" %
          (pct(eom, 50), pct(eom, 95), max(eom or [0])))
    for b in bad[:20]:
        print("bad: " + b)
    return 1 if bad or n250 != n else 0


def main():
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "send":
        send(int(a[1]), int(a[2]), int(a[3]), a[4], a[5])
        return 0
    if len(a) == 7 and a[0] == "check":
        return check(a[1], int(a[2]), a[3], a[4], a[5], a[6])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""dns-drive.py: timing helpers for bench/dns.sh (stdlib only).

  dns-drive.py qq PROG MSG ENV LOG [OFFSET:MS]...
      Runs PROG (qqtag) as qmail-smtpd does: fd 0 a pipe fed with MSG,
      pausing MS milliseconds once OFFSET bytes are written; fd 1 ENV (the
      envelope, read after the message); fd 2 LOG.  Prints
      "wall_ms=W tail_ms=X cpu_ms=C maxrss_kb=M rc=R": W from before the
      fork to PROG's exit, X from the last byte written (the pipe closed)
      to the exit, C and M PROG's user + system time and peak RSS (over
      PROG and what it execs).

  dns-drive.py seq PORT NAME/TYPE...
      The sequential baseline: one UDP query after another to
      127.0.0.1:PORT, each sent when the previous one is answered.
      Prints "wall_ms=W answered=K".

  dns-drive.py cmd PROG [ARG]...
      Runs PROG (e.g. rblsmtpd) with fd 0 and fd 1 on /dev/null; prints
      "wall_ms=W rc=R".
"""

import os
import random
import socket
import struct
import subprocess
import sys
import time

TYPES = {"A": 1, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}


def ms(t):
    return "%.1f" % (t * 1000.0)


def drive_qq(prog, msg, env, log, pauses):
    marks = {}
    for a in pauses:
        off, wait = a.split(":")
        marks[int(off)] = int(wait) / 1000.0
    data = open(msg, "rb").read()
    with open(env, "rb") as ef, open(log, "ab") as lf:
        r, w = os.pipe()
        t0 = time.monotonic()
        p = subprocess.Popen([prog], stdin=r, stdout=ef, stderr=lf)
        os.close(r)
        pos = 0
        for off in sorted(marks) + [len(data)]:
            while pos < off:
                pos += os.write(w, data[pos:off])
            if off in marks:
                time.sleep(marks[off])
        tl = time.monotonic()
        os.close(w)
        _, st, ru = os.wait4(p.pid, 0)
        p.returncode = rc = os.waitstatus_to_exitcode(st)
        te = time.monotonic()
    # cpu: user + system time of the process (qqtag, then the queue it
    # execs: the same stand-in for every qqtag measured)
    print("wall_ms=%s tail_ms=%s cpu_ms=%s maxrss_kb=%d rc=%d" % (
        ms(te - t0), ms(te - tl), ms(ru.ru_utime + ru.ru_stime),
        ru.ru_maxrss, rc))


def query(name, qtype):
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode("ascii")
    return qid, q + b"\0" + struct.pack(">HH", TYPES[qtype], 1)


def drive_seq(port, names):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    answered = 0
    t0 = time.monotonic()
    for nt in names:
        name, qtype = nt.rsplit("/", 1)
        qid, q = query(name, qtype)
        s.sendto(q, ("127.0.0.1", port))
        try:
            while True:
                m = s.recv(65535)
                if len(m) >= 12 and struct.unpack(">H", m[:2])[0] == qid:
                    answered += 1
                    break
        except socket.timeout:
            pass
    te = time.monotonic()
    print("wall_ms=%s answered=%d" % (ms(te - t0), answered))


def drive_cmd(argv):
    with open(os.devnull, "r+b") as null:
        t0 = time.monotonic()
        rc = subprocess.call(argv, stdin=null, stdout=null)
        te = time.monotonic()
    print("wall_ms=%s rc=%d" % (ms(te - t0), rc))


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "qq":
        drive_qq(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
                 sys.argv[6:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "seq":
        drive_seq(int(sys.argv[2]), sys.argv[3:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "cmd":
        drive_cmd(sys.argv[2:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

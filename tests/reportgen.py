#!/usr/bin/env python3
"""reportgen.py - a qqtag log whose figures are known, for t_report.sh and
bench/report.sh.  Lines are in the exact format qqtag writes (qqtag.c's
log_line, report.c's report_log; t_report.sh checks the field order
against lines of the real qqtag).

  reportgen.py N START STEP FORMAT OUT [EXPECT]

N messages from Unix time START, one every STEP seconds; FORMAT multilog
(TAI64N stamps), syslog, iso or plain (no stamps); OUT the log file ("-":
stdout); EXPECT a file for the expected figures (key=value).  Message i:
  i % 10 == 0    class=relayclient, not checked
  i % 50 == 1    class=untrusted, result=truncated (no score, no eom)
  otherwise      checked: flagged when i % 4 == 0; tests SPAMHAUS_XBL and
                 RDNS_NONE when flagged, RDNS_NONE when i % 3 == 0;
                 ZEN listed when flagged and i < N*7/10, from message
                 N*7/10 on every ZEN answer is 127.255.255.254; DBL clean;
                 SPAMCOP timeout when i % 25 == 3; geo CN/AS4134 when
                 i % 8 == 0, else DE/AS64500
  ms = i % 100, after_eom_ms = i % 50 (checked and relay messages)
Every 100th message is followed by a tcpserver line (other, skipped),
every 250th by a qqtag notice line.
"""
import sys
import time


def stamp(fmt, t):
    if fmt == "multilog":
        return "@%016x%08x " % (t + 0x400000000000000A, 0)
    if fmt == "syslog":
        return time.strftime("%b %e %H:%M:%S", time.gmtime(t)) + \
            " mx qmail-smtpd[4242]: "
    if fmt == "iso":
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t)) + \
            " mx qmail-smtpd[4242]: "
    return ""


def message(i, n, e):
    head = "qqtag: pid=%d ip=192.0.2.%d class=%s bytes=%d hdrlines=12 " \
        "stripped=0 rcpts=1" % (1000 + i, i % 250 + 1,
                                "relayclient" if i % 10 == 0 else
                                "untrusted", 1000 + i % 7)
    e["bytes"] += 1000 + i % 7
    if i % 10 == 0:
        e["relay"] += 1
        e["eom"].append(i % 50)
        return head + " ms=%d after_eom_ms=%d result=queue" % (i % 100, i % 50)
    if i % 50 == 1:
        e["truncated"] += 1
        return head + " ms=%d result=truncated" % (i % 100)
    e["checked"] += 1
    e["eom"].append(i % 50)
    fl = i % 4 == 0
    blocked = i >= n * 7 // 10
    tests = []
    if fl:
        tests.append("SPAMHAUS_XBL")
    if fl or i % 3 == 0:
        tests.append("RDNS_NONE")
    errors = []
    lists = []
    if blocked:
        errors.append("ZEN:127.255.255.254")
        lists.append("ZEN!")
        e["zen_err"] += 1
    elif fl:
        lists.append("ZEN+")
        e["zen_listed"] += 1
    else:
        lists.append("ZEN")
    lists.append("DBL")
    if i % 25 == 3:
        errors.insert(0, "SPAMCOP:timeout")
        lists.append("SPAMCOP!")
        e["spamcop_err"] += 1
    else:
        lists.append("SPAMCOP")
    for t in tests:
        e["t_" + t] += 1
    cn = i % 8 == 0
    if fl:
        e["flagged"] += 1
        e["fl_cn" if cn else "fl_de"] += 1
    score = 6.0 if fl else (1.0 if i % 3 == 0 else 0.0)
    return head + (" score=%.1f flag=%s tests=%s errors=%s geo=%s lists=%s"
                   " ms=%d after_eom_ms=%d result=queue") % (
        score, "yes" if fl else "no", ",".join(tests) or "none",
        ",".join(errors) or "none", "CN/AS4134" if cn else "DE/AS64500",
        ",".join(lists), i % 100, i % 50)


def main():
    n, start, step = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    fmt, out = sys.argv[4], sys.argv[5]
    e = dict(bytes=0, relay=0, truncated=0, checked=0, flagged=0,
             zen_err=0, zen_listed=0, spamcop_err=0, t_SPAMHAUS_XBL=0,
             t_RDNS_NONE=0, fl_cn=0, fl_de=0, eom=[], other=0, notices=0,
             first_blocked=start + (n * 7 // 10) * step)
    f = sys.stdout if out == "-" else open(out, "w")
    w = f.write
    for i in range(n):
        t = start + i * step
        w(stamp(fmt, t) + message(i, n, e) + "\n")
        if i % 100 == 99:
            w(stamp(fmt, t) + "tcpserver: status: 1/40\n")
            e["other"] += 1
        if i % 250 == 249:
            w(stamp(fmt, t) + "qqtag: list probe: 1 of 4 lists broken\n")
            e["notices"] += 1
    if f is not sys.stdout:
        f.close()
    if len(sys.argv) > 6:
        eom = sorted(e.pop("eom"))
        with open(sys.argv[6], "w") as x:
            for k in sorted(e):
                x.write("%s=%d\n" % (k, e[k]))
            for p in (50, 90, 95, 99):
                r = -(-p * len(eom) // 100)     # nearest rank
                x.write("eom_p%d=%d\n" % (p, eom[r - 1]))


main()

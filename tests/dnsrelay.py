#!/usr/bin/env python3
"""dnsrelay.py: a misbehaving DNS relay for qqtag's tests (stdlib only).

    dnsrelay.py -p PORT [-l LIFETIME_S] [-u SUFFIX=PORT]... [-r SUFFIX=ACT[,ACT]...]...

Listens on UDP 127.0.0.1:PORT only and forwards each query to the upstream
127.0.0.1:PORT of the longest matching -u suffix ("." matches every name;
no upstream: REFUSED).  The longest matching -r suffix applies its actions:

  delay:MS        answer (or forward) MS milliseconds late
  drop            never answer
  servfail | refused | nxdomain | nodata     answer that, no forwarding
  garbage         the right ID followed by random bytes
  badanswer       a valid header and question, then a broken answer record
  wrongid         the upstream's answer with another ID
  truncated       an empty answer with the TC bit set (no TCP is served)
  a:IP[+IP...]    A queries: these records instead of forwarding
  txt:N           TXT queries: one record of N bytes (several strings) that
                  starts with "listed\\r\\nBcc: x\\0" and holds 8-bit bytes

It exits by itself after LIFETIME seconds (default 60), and on SIGTERM.
Every query is logged to stderr as "qname qtype action".
"""

import getopt
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

HOST = "127.0.0.1"


def qname_of(pkt):
    """(name, qtype, end offset of the question) of a query, or None."""
    labels, o = [], 12
    try:
        while True:
            n = pkt[o]
            if n == 0 or n & 0xC0:
                break
            labels.append(pkt[o + 1:o + 1 + n].decode("ascii", "replace"))
            o += 1 + n
        if pkt[o] != 0:
            return None
        qtype = struct.unpack(">H", pkt[o + 1:o + 3])[0]
        return ".".join(labels).lower(), qtype, o + 5
    except (IndexError, struct.error):
        return None


def best(table, name):
    """The value of the longest suffix of name in table, or None."""
    hit, hitlen = None, -1
    for suffix, val in table.items():
        s = suffix.strip(".").lower()
        if s == "" or name == s or name.endswith("." + s):
            if len(s) > hitlen:
                hit, hitlen = val, len(s)
    return hit


def reply(query, qend, rcode=0, answers=b"", ancount=0, tc=False):
    flags = 0x8180 | rcode | (0x0200 if tc else 0)
    hdr = query[:2] + struct.pack(">HHHHH", flags, 1, ancount, 0, 0)
    return hdr + query[12:qend] + answers


def rr(rtype, rdata):
    return b"\xc0\x0c" + struct.pack(">HHIH", rtype, 1, 60, len(rdata)) + rdata


def big_txt(n):
    body = b"listed\r\nBcc: x\x00\xff\xe9\x7f" + b"A" * max(0, n)
    body = body[:n]
    strings = b""
    for i in range(0, len(body), 255):
        chunk = body[i:i + 255]
        strings += bytes([len(chunk)]) + chunk
    return rr(16, strings)


def forward(query, port, wait=3.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(wait)
    try:
        s.sendto(query, (HOST, port))
        while True:
            ans = s.recv(65535)
            if ans[:2] == query[:2]:
                return ans
    except OSError:
        return None
    finally:
        s.close()


def answer(query, acts, upstream):
    """The bytes to send back, or None for no answer."""
    q = qname_of(query)
    if q is None:
        return None
    name, qtype, qend = q
    if "drop" in acts:
        return None
    for word, rc in (("servfail", 2), ("nxdomain", 3), ("refused", 5)):
        if word in acts:
            return reply(query, qend, rcode=rc)
    if "nodata" in acts:
        return reply(query, qend)
    if "garbage" in acts:
        return query[:2] + bytes(random.randrange(256) for _ in range(40))
    if "badanswer" in acts:
        return reply(query, qend, ancount=1) + b"\xc0\x0c\x00\x01\x00"
    if "truncated" in acts:
        return reply(query, qend, tc=True)
    if qtype == 1 and "a" in acts:
        recs = b"".join(rr(1, socket.inet_aton(ip))
                        for ip in acts["a"].split("+"))
        return reply(query, qend, answers=recs,
                     ancount=len(acts["a"].split("+")))
    if qtype == 16 and "txt" in acts:
        return reply(query, qend, answers=big_txt(int(acts["txt"])),
                     ancount=1)
    port = best(upstream, name)
    if port is None:
        return reply(query, qend, rcode=5)
    ans = forward(query, port)
    if ans is not None and "wrongid" in acts:
        ans = bytes([ans[0] ^ 0x55, ans[1] ^ 0x55]) + ans[2:]
    return ans


def serve_one(sock, query, peer, rules, upstream, log):
    q = qname_of(query)
    acts = best(rules, q[0]) if q else None
    acts = acts or {}
    if log:
        sys.stderr.write("%s %s %s\n" % (q[0] if q else "?",
                                         q[1] if q else "?",
                                         ",".join(sorted(acts)) or "-"))
    if "delay" in acts:
        time.sleep(int(acts["delay"]) / 1000.0)
    ans = answer(query, acts, upstream)
    if ans is not None:
        try:
            sock.sendto(ans, peer)
        except OSError:
            pass


def parse_rule(arg):
    suffix, _, spec = arg.partition("=")
    acts = {}
    for act in spec.split(","):
        key, _, val = act.partition(":")
        acts[key] = val
    return suffix, acts


def main():
    opts, _ = getopt.getopt(sys.argv[1:], "p:l:u:r:q")
    port, life, rules, upstream, log = None, 60.0, {}, {}, True
    for o, v in opts:
        if o == "-p":
            port = int(v)
        elif o == "-l":
            life = float(v)
        elif o == "-u":
            suffix, _, up = v.partition("=")
            upstream[suffix] = int(up)
        elif o == "-r":
            suffix, acts = parse_rule(v)
            rules[suffix] = acts
        elif o == "-q":
            log = False
    if port is None:
        sys.stderr.write("usage: dnsrelay.py -p PORT [-l S] [-u S=P] "
                         "[-r S=ACT]\n")
        return 2
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((HOST, port))
    end = time.monotonic() + life
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(min(left, 0.5))
        try:
            query, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        except OSError:     # ICMP unreachable from a client gone away
            continue
        if len(query) < 12:
            continue
        threading.Thread(target=serve_one, daemon=True,
                         args=(sock, query, peer, rules, upstream,
                               log)).start()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())

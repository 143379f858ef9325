#!/usr/bin/env python3
"""dns-delay.py: a DNS forwarder that adds a fixed round trip, for
bench/dns.sh (stdlib only).

    dns-delay.py -p PORT -d MS [-l LIFETIME_S] -u SUFFIX=PORT...

Listens on UDP 127.0.0.1:PORT, forwards each query at once to the upstream
127.0.0.1:PORT of the longest matching -u suffix ("." matches every name;
no match: the query is dropped), and sends the upstream's answer back MS
milliseconds after the query arrived (later only if the upstream itself
took longer).  One thread and one poll loop: answers that fall due
together leave together, as they would from a resolver one round trip
away -- unlike tests/dnsrelay.py, whose thread per query sleeps and then
forwards, so on a loaded machine answers due at the same moment leave a
few milliseconds apart each.  Exits after LIFETIME seconds (default 3600)
or on SIGTERM.
"""

import getopt
import heapq
import os
import selectors
import signal
import socket
import sys
import time

HOST = "127.0.0.1"
UPSTREAM_WAIT = 5.0


def qname(pkt):
    labels, o = [], 12
    try:
        while pkt[o] != 0:
            n = pkt[o]
            if n & 0xC0:
                return None
            labels.append(pkt[o + 1:o + 1 + n].decode("ascii", "replace"))
            o += 1 + n
    except IndexError:
        return None
    return ".".join(labels).lower()


def upstream_of(table, name):
    hit, hitlen = None, -1
    for suffix, port in table.items():
        s = suffix.strip(".").lower()
        if (s == "" or name == s or name.endswith("." + s)) and \
                len(s) > hitlen:
            hit, hitlen = port, len(s)
    return hit


def main():
    opts, _ = getopt.getopt(sys.argv[1:], "p:d:l:u:")
    port, delay, life, table = None, 0.0, 3600.0, {}
    for o, v in opts:
        if o == "-p":
            port = int(v)
        elif o == "-d":
            delay = int(v) / 1000.0
        elif o == "-l":
            life = float(v)
        elif o == "-u":
            suffix, _, up = v.partition("=")
            table[suffix] = int(up)
    if port is None or not table:
        sys.stderr.write(__doc__)
        return 2
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind((HOST, port))
    srv.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, None)
    due = []            # heap of (time, seq, answer, peer)
    seq = 0
    end = time.monotonic() + life
    while time.monotonic() < end:
        now = time.monotonic()
        wait = 0.5 if not due else max(0.0, due[0][0] - now)
        for key, _ in sel.select(wait):
            if key.data is None:
                while True:
                    try:
                        q, peer = srv.recvfrom(4096)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        continue
                    t = time.monotonic()
                    name = qname(q) if len(q) >= 12 else None
                    up = upstream_of(table, name) if name is not None \
                        else None
                    if up is None:
                        continue
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    u.setblocking(False)
                    u.connect((HOST, up))
                    u.send(q)
                    sel.register(u, selectors.EVENT_READ, (t, peer, q[:2]))
                continue
            t, peer, qid = key.data
            try:
                ans = key.fileobj.recv(65535)
            except OSError:
                continue
            if ans[:2] != qid:
                continue
            sel.unregister(key.fileobj)
            key.fileobj.close()
            seq += 1
            heapq.heappush(due, (t + delay, seq, ans, peer))
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, ans, peer = heapq.heappop(due)
            try:
                srv.sendto(ans, peer)
            except OSError:
                pass
        for key in list(sel.get_map().values()):
            if key.data is not None and now - key.data[0] > UPSTREAM_WAIT:
                sel.unregister(key.fileobj)
                key.fileobj.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

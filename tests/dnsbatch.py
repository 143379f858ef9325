#!/usr/bin/env python3
"""dnsbatch.py: many DNSBL lookups against one server, in parallel.

    dnsbatch.py PORT ZONE ip|domain < QUERIES > ANSWERS

Reads one IP address (ip) or domain (domain) a line, asks 127.0.0.1:PORT
for the A and the TXT records of its DNSBL name under ZONE (reversed
octets or nibbles for an IP), up to 200 queries in flight, EDNS0 with a
4096-byte buffer, resending after a second, and prints one line per query
in input order, as tests/listcheck prints its lookups:

    QUERY<TAB>RCODE<TAB>CODES<TAB>TXTS

RCODE is the A query's (NOERROR, NXDOMAIN, ... or TIMEOUT); CODES the A
records and TXTS the TXT strings (the strings of one record joined), each
set sorted and joined by ',' and '|', TXT bytes escaped (\\\\ \\| \\t
\\xHH).  A truncated answer prints RCODE TC.  Exits 1 if any query got no
answer.  Standard library only.
"""

import ipaddress
import select
import socket
import struct
import sys
import time

INFLIGHT = 200
RESEND = 1.0
GIVEUP = 60.0


def dns_name(q, kind, zone):
    """The DNSBL query name of q under zone."""
    if kind == "ip":
        rev = ipaddress.ip_address(q).reverse_pointer
        rev = rev.rsplit(".in-addr.arpa", 1)[0].rsplit(".ip6.arpa", 1)[0]
        return rev + "." + zone
    return q.rstrip(".") + "." + zone


def packet(qid, name, qtype):
    """A query with an EDNS0 OPT record (payload 4096)."""
    p = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1)
    for label in name.split("."):
        if label:
            b = label.encode("latin-1")
            p += bytes([len(b)]) + b
    p += b"\0" + struct.pack(">HH", qtype, 1)
    return p + b"\0" + struct.pack(">HHIH", 41, 4096, 0, 0)


def skip_name(m, o):
    """Offset past the (possibly compressed) name at o."""
    while True:
        n = m[o]
        if n & 0xC0 == 0xC0:
            return o + 2
        o += 1
        if n == 0:
            return o
        o += n


def escape(b):
    """TXT bytes escaped as tests/listcheck does."""
    out = []
    for c in b:
        if c in (0x5C, 0x7C):
            out.append("\\" + chr(c))
        elif c == 9:
            out.append("\\t")
        elif c < 0x20 or c >= 0x7F:
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
    return "".join(out)


def parse(m, qtype):
    """(rcode text, [values]) of an answer."""
    flags, qd, an = struct.unpack(">HHH", m[2:8])
    if flags & 0x0200:
        return "TC", []
    rc = {0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN",
          5: "REFUSED"}.get(flags & 15, "RCODE%d" % (flags & 15))
    o = 12
    for _ in range(qd):
        o = skip_name(m, o) + 4
    vals = []
    for _ in range(an):
        o = skip_name(m, o)
        t, _c, _ttl, n = struct.unpack(">HHIH", m[o:o + 10])
        o += 10
        d = m[o:o + n]
        o += n
        if t == 1 and qtype == 1:
            vals.append(socket.inet_ntoa(d))
        elif t == 16 and qtype == 16:
            j, s = 0, b""
            while j < len(d):
                s += d[j + 1:j + 1 + d[j]]
                j += 1 + d[j]
            vals.append(escape(s))
    return rc, vals


def run(port, zone, kind, queries):
    """Ask everything; {(index, qtype): (rcode, values)}."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    todo = [(i, t) for i in range(len(queries)) for t in (1, 16)]
    pend, out, qid, nxt = {}, {}, 0, 0
    end = time.time() + GIVEUP
    while (nxt < len(todo) or pend) and time.time() < end:
        while nxt < len(todo) and len(pend) < INFLIGHT:
            i, t = todo[nxt]
            nxt += 1
            qid = (qid + 1) & 0xFFFF
            p = packet(qid, dns_name(queries[i], kind, zone), t)
            pend[qid] = (i, t, p, time.time())
            s.sendto(p, ("127.0.0.1", port))
        ready, _, _ = select.select([s], [], [], 0.1)
        now = time.time()
        if not ready:
            for k, (i, t, p, ts) in list(pend.items()):
                if now - ts > RESEND:
                    pend[k] = (i, t, p, now)
                    s.sendto(p, ("127.0.0.1", port))
            continue
        while True:
            try:
                m = s.recv(65535)
            except BlockingIOError:
                break
            k = struct.unpack(">H", m[:2])[0]
            if k in pend:
                i, t, _p, _ts = pend.pop(k)
                out[(i, t)] = parse(m, t)
    return out


def main():
    port, zone, kind = int(sys.argv[1]), sys.argv[2].strip("."), sys.argv[3]
    queries = [l.strip() for l in sys.stdin if l.strip()]
    out = run(port, zone, kind, queries)
    lost = 0
    for i, q in enumerate(queries):
        rc, a = out.get((i, 1), ("TIMEOUT", []))
        _rc, txt = out.get((i, 16), ("TIMEOUT", []))
        lost += (i, 1) not in out or (i, 16) not in out
        print("%s\t%s\t%s\t%s" % (q, rc, ",".join(sorted(set(a))),
                                  "|".join(sorted(set(txt)))))
    sys.exit(1 if lost else 0)


main()

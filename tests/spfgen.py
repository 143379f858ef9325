#!/usr/bin/env python3
"""spfgen.py: generated SPF cases for tests/t_spf.sh, and pyspf as the oracle.

    spfgen.py gen SEED NCASES DIR   zones DIR/*.zone, cases DIR/cases
    spfgen.py oracle PORT CASES     pyspf's result of every case, one a line
    spfgen.py compare PORT CASES QQTAG JOBS
                                    both, side by side; prints every
                                    disagreement, then "agree N disagree N"

A case line: "N IP SENDER HELO" (SENDER "-" is the null sender).  The zone
spf.test holds records d0..dD (random terms: ip4/ip6 with CIDR, a and mx
with dual CIDR, ptr, exists with macros incl. transformers and
delimiters, include chains and loops, redirect, void lookups, syntax
errors, two records, TXT answers over 512 bytes, records split in
strings), hosts h*, mail exchangers m*, names for exists, and reverse
zones for PTR.  Standard library plus pyspf (python3-spf); pyspf's own DNS
modules (dnspython, pydns) are not needed: its DNSLookup is replaced by a
small client of 127.0.0.1:PORT (UDP with EDNS0, TCP when truncated).

Known deviations of pyspf 2.0.14 from RFC 7208 are kept out of the
generated records (see KNOWN in t_spf.sh and in the comments below).
"""

import ipaddress
import os
import random
import re
import socket
import struct
import subprocess
import sys
import types

Z = "spf.test"
V4 = ["192.0.2.%d" % i for i in range(1, 31)] + \
    ["198.51.100.%d" % i for i in range(1, 11)]
V6 = ["2001:db8::%x" % i for i in range(1, 21)] + \
    ["2001:db8:1234:5678:9abc:def0:1357:%x" % i for i in range(1, 6)]
LOCALS = ["alice", "bob", "x-y", "a.b", "postmaster", "Carol", "d_e",
          "f+g"]
ND, NH, NM = 300, 40, 20


# ---- an RFC 7208 §7.3 expander, only to make some exists names exist ----

def nibbles(ip):
    return ".".join(ipaddress.ip_address(ip).exploded.replace(":", ""))


def macro_value(letter, c):
    local, dom, cur, ip, helo = c
    a = ipaddress.ip_address(ip)
    return {"l": local, "o": dom, "d": cur, "h": helo,
            "s": local + "@" + dom,
            "i": str(a) if a.version == 4 else nibbles(ip),
            "v": "in-addr" if a.version == 4 else "ip6"}[letter]


def expand(spec, c):
    out, i = "", 0
    while i < len(spec):
        if spec[i] != "%":
            out += spec[i]
            i += 1
            continue
        j = spec.index("}", i)
        body = spec[i + 2:j]
        letter, rest = body[0], body[1:]
        k = 0
        while k < len(rest) and rest[k].isdigit():
            k += 1
        digits, rest = rest[:k], rest[k:]
        rev = rest[:1] == "r"
        delims = rest[1:] if rev else rest
        v = macro_value(letter.lower(), c)
        parts = [v]
        for d in (delims or "."):
            parts = [q for p in parts for q in p.split(d)]
        if rev:
            parts.reverse()
        if digits:
            parts = parts[-int(digits):]
        out += ".".join(parts)
        i = j + 1
    return out


# ---- generation ---------------------------------------------------------

def txt_rdata(s):
    """A TXT record in zone syntax: strings of at most 255 bytes."""
    chunks = [s[i:i + 255] for i in range(0, len(s), 255)] or [""]
    return " ".join('"%s"' % ch.replace("\\", "\\\\").replace('"', '\\"')
                    for ch in chunks)


def qual(r):
    return r.choice(["", "", "", "+", "-", "~", "?"])


EXISTS = ["%{i}.ex", "%{ir}.%{v}.rv", "%{l}.lp", "%{l1r-}.lq",
          "%{d2}.dx", "%{o}.ox", "%{h}.hx", "%{lr+-}.lr", "%{i2}.i2",
          "%{i4r}.i4", "%{L}.ul"]


def term(r, k):
    """One random term of record d<k>."""
    x = r.random()
    if x < 0.16:
        if r.random() < 0.5:
            ip = r.choice(V4)
            c = r.choice(["", "", "/24", "/16", "/30", "/8", "/0", "/32"])
            return qual(r) + "ip4:" + ip + c
        ip = r.choice(V6)
        c = r.choice(["", "", "/64", "/48", "/126", "/0", "/128"])
        return qual(r) + "ip6:" + ip + c
    if x < 0.32:
        tgt = r.choice(["", ":h%d.%s" % (r.randrange(NH), Z),
                        ":h%d.%s" % (r.randrange(NH), Z),
                        ":nx%d.%s" % (r.randrange(50), Z)])
        c = r.choice(["", "", "/24", "//64", "/24//48", "/31", "//120"])
        return qual(r) + "a" + tgt + c
    if x < 0.44:
        tgt = r.choice(["", ":m%d.%s" % (r.randrange(NM), Z),
                        ":m%d.%s" % (r.randrange(NM), Z),
                        ":nx%d.%s" % (r.randrange(50), Z)])
        c = r.choice(["", "", "/24", "//64", "/16//32"])
        return qual(r) + "mx" + tgt + c
    if x < 0.50:
        return qual(r) + r.choice(["ptr", "ptr:d%d.%s" % (r.randrange(ND),
                                   Z), "ptr:" + Z])
    if x < 0.66:
        return qual(r) + "exists:" + r.choice(EXISTS) + "." + Z
    if x < 0.90:
        j = r.randrange(ND) if r.random() < 0.85 else None
        if j is None:
            return qual(r) + "include:nx%d.%s" % (r.randrange(50), Z)
        return qual(r) + "include:d%d.%s" % (j, Z)
    if x < 0.93:
        return "foo%d=bar.%%{d}" % r.randrange(1 << 30)
    return qual(r) + "all"


BAD = ["ip4:192.0.2.1/33", "a:foo", "exists:%{x}.foo.test", "bogus",
       "ip6:zz::1", "a/", "-all:3", "include:", "mx//129", "ip4:1.2.3",
       "a:%{d}.%", "ip6:::1//64", "exists:%{c}.x.test", "%{d}.test",
       "ptr/24", "a:%{d}.123", "ip4:1.2.3.4//24"]


def record(r, k):
    """The TXT records of d<k> (zone rdata lines)."""
    n = r.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 8])
    terms = [term(r, k) for _ in range(n)]
    if r.random() < 0.04:
        terms.insert(r.randrange(len(terms) + 1), r.choice(BAD))
    if r.random() < 0.15:
        terms.append("redirect=d%d.%s" % (r.randrange(ND), Z))
    elif r.random() < 0.5:
        terms.append(r.choice(["-all", "~all", "?all", "+all", "all"]))
    if r.random() < 0.05:
        terms = ["ip4:203.0.113.%d" % i for i in range(1, 41)] + terms
    head = "v=spf1"
    if r.random() < 0.03:
        head = "V=SPF1"
    sep = "  " if r.random() < 0.05 else " "
    out = [txt_rdata(sep.join([head] + terms))]
    if r.random() < 0.08:
        out.append(txt_rdata("site-verification=" + "x" * 600))
    if r.random() < 0.02:
        out.append(txt_rdata("v=spf1 -all"))
    if r.random() < 0.01:
        out = [txt_rdata("v=spf10 -all")]
    return out


def gen(seed, ncases, d):
    r = random.Random(seed)
    fwd = ["$TTL 300",
           "@ IN SOA ns.%s. h.%s. 1 3600 600 86400 300" % (Z, Z),
           "@ IN NS ns.%s." % Z, "ns IN A 127.0.0.1"]
    hosts = {}
    for k in range(NH):
        h = "h%d" % k
        addrs = r.sample(V4, r.choice([0, 1, 1, 2, 3])) + \
            r.sample(V6, r.choice([0, 1, 2]))
        hosts[h] = addrs
        for a in addrs:
            fwd.append("%s IN %s %s" % (h, "A" if ":" not in a else "AAAA",
                                        a))
    for k in range(NM):
        n = 11 if k == 0 else r.choice([1, 1, 2, 3, 4])
        for i in range(n):
            tgt = "h%d.%s." % (r.randrange(NH), Z) if r.random() < 0.85 \
                else "nx%d.%s." % (r.randrange(50), Z)
            fwd.append("m%d IN MX %d %s" % (k, 10 * i, tgt))
    rev = {}
    for ip in V4 + V6:
        if r.random() < 0.5:
            continue
        for _ in range(r.choice([1, 1, 2, 3])):
            j = r.randrange(ND)
            name = "r%d.d%d" % (r.randrange(1000), j)
            rev.setdefault(ip, []).append("%s.%s." % (name, Z))
            a = ip if r.random() < 0.8 else r.choice(V4 + V6)
            fwd.append("%s IN %s %s" % (name, "A" if ":" not in a
                                          else "AAAA", a))
    for k in range(ND):
        if r.random() < 0.05:
            continue			# no record: NXDOMAIN
        if r.random() < 0.05:
            fwd.append("d%d IN A 192.0.2.99" % k)	# NODATA for TXT
            continue
        for rd in record(r, k):
            fwd.append("d%d IN TXT %s" % (k, rd))
        if r.random() < 0.3:
            fwd.append("d%d IN MX 10 h%d.%s." % (k, r.randrange(NH), Z))
        if r.random() < 0.3:
            fwd.append("d%d IN A %s" % (k, r.choice(V4)))
            fwd.append("d%d IN AAAA %s" % (k, r.choice(V6)))
    cases = []
    names = set()
    for n in range(ncases):
        ip = r.choice(V4 + V6)
        if r.random() < 0.05:
            ip = "::ffff:" + r.choice(V4)
        local = r.choice(LOCALS)
        dom = "d%d.%s" % (r.randrange(ND), Z)
        helo = r.choice(["h%d.%s" % (r.randrange(NH), Z),
                         "d%d.%s" % (r.randrange(ND), Z)])
        sender = local + "@" + dom
        if r.random() < 0.08:
            sender = "-"
        cases.append("%d %s %s %s" % (n, ip, sender, helo))
        # make about half of the exists names of this case exist
        if sender == "-":
            local, dom = "postmaster", helo
        pip = ip[7:] if ip.startswith("::ffff:") else ip
        for t in EXISTS:
            if t == "%{L}.ul" or r.random() < 0.5:
                continue
            for cur in (dom, "d%d.%s" % (r.randrange(ND), Z)):
                name = expand(t, (local, dom, cur, pip, helo))
                if name not in names and "@" not in name and all(
                        0 < len(x) < 64 for x in name.split(".")):
                    names.add(name)
                    fwd.append("%s IN A 127.0.0.2" % name)
    with open(d + "/" + Z + ".zone", "w") as f:
        f.write("\n".join(fwd) + "\n")
    zones = {}
    for ip, ptrs in rev.items():
        a = ipaddress.ip_address(ip)
        rp = a.reverse_pointer
        if a.version == 4:
            zone = ".".join(rp.split(".")[1:])
        else:
            zone = "8.b.d.0.1.0.0.2.ip6.arpa"
        for p in ptrs:
            zones.setdefault(zone, []).append("%s. IN PTR %s" % (rp, p))
    for zone in ["2.0.192.in-addr.arpa", "100.51.198.in-addr.arpa",
                 "8.b.d.0.1.0.0.2.ip6.arpa"]:
        with open("%s/%s.zone" % (d, zone), "w") as f:
            f.write("$TTL 300\n@ IN SOA ns.%s. h.%s. 1 3600 600 86400 300\n"
                    "@ IN NS ns.%s.\n" % (Z, Z, Z))
            f.write("\n".join(zones.get(zone, [])) + "\n")
    with open(d + "/cases", "w") as f:
        f.write("\n".join(cases) + "\n")


# ---- a DNS client for pyspf --------------------------------------------

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "PTR": 12, "MX": 15, "TXT": 16,
         "AAAA": 28, "SPF": 99}


def qpacket(qid, name, qtype):
    p = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1)
    for label in name.rstrip(".").split("."):
        b = label.encode("latin-1")
        p += bytes([len(b)]) + b
    p += b"\0" + struct.pack(">HH", qtype, 1)
    return p + b"\0" + struct.pack(">HHIH", 41, 4096, 0, 0)


def rname(m, o):
    labels, jumped, end = [], False, None
    for _ in range(128):
        n = m[o]
        if n >= 0xc0:
            if not jumped:
                end = o + 2
            o = ((n & 0x3f) << 8) | m[o + 1]
            jumped = True
            continue
        o += 1
        if n == 0:
            break
        labels.append(m[o:o + n].decode("latin-1"))
        o += n
    return ".".join(labels), (end if jumped else o)


def ask(port, name, qtype, tcp=False):
    qid = random.randrange(65536)
    q = qpacket(qid, name, TYPES[qtype])
    for _ in range(3):
        try:
            if tcp:
                s = socket.create_connection(("127.0.0.1", port), 5)
                s.sendall(struct.pack(">H", len(q)) + q)
                buf = b""
                while len(buf) < 2 or len(buf) < 2 + \
                        struct.unpack(">H", buf[:2])[0]:
                    c = s.recv(65536)
                    if not c:
                        break
                    buf += c
                s.close()
                m = buf[2:]
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(2)
                s.sendto(q, ("127.0.0.1", port))
                m = s.recv(65536)
                s.close()
            if struct.unpack(">H", m[:2])[0] == qid:
                return m
        except OSError:
            continue
    return None


def lookup(port):
    import spf

    def DNSLookup(name, qtype, strict=True, timeout=20):
        m = ask(port, name, qtype)
        if m is not None and m[2] & 2:
            m = ask(port, name, qtype, tcp=True)
        if m is None:
            raise spf.TempError("DNS timeout")
        rcode = m[3] & 15
        if rcode == 3:
            return []
        if rcode != 0:
            raise spf.TempError("DNS rcode %d" % rcode)
        qd, an = struct.unpack(">HH", m[4:8])
        o = 12
        for _ in range(qd):
            o = rname(m, o)[1] + 4
        out = []
        for _ in range(an):
            owner, o = rname(m, o)
            t, _c, _ttl, ln = struct.unpack(">HHIH", m[o:o + 10])
            o += 10
            rd = m[o:o + ln]
            if t == TYPES.get(qtype):
                if t == 1:
                    v = socket.inet_ntop(socket.AF_INET, rd)
                elif t == 28:
                    v = socket.inet_ntop(socket.AF_INET6, rd)
                elif t == 15:
                    v = (struct.unpack(">H", rd[:2])[0], rname(m, o + 2)[0])
                elif t == 12:
                    v = rname(m, o)[0]
                else:
                    v, i = [], 0
                    while i < len(rd):
                        v.append(rd[i + 1:i + 1 + rd[i]])
                        i += 1 + rd[i]
                out.append(((name, qtype), v))
            o += ln
        return out
    return DNSLookup


def load_spf(port):
    fake = types.ModuleType("DNS")
    fake.Type = types.SimpleNamespace(SPF=99)
    fake.DiscoverNameServers = lambda: None
    fake.DNSError = Exception
    sys.modules.setdefault("DNS", fake)
    import spf
    spf.DNSLookup = lookup(port)
    return spf


def oracle(port, cases):
    spf = load_spf(port)
    res = {}
    for line in open(cases):
        n, ip, sender, helo = line.split()
        q = spf.query(i=ip, s="" if sender == "-" else sender, h=helo)
        res[n] = q.check()[0]
    return res


def ours(qqtag, cases, jobs):
    import concurrent.futures as cf

    def one(line):
        n, ip, sender, helo = line.split()
        p = subprocess.run([qqtag, "-c", ip, "-f",
                            "" if sender == "-" else sender, "-H", helo],
                           capture_output=True, text=True,
                           errors="replace")
        for ln in p.stdout.splitlines():
            w = ln.split()
            if len(w) >= 5 and w[0].startswith("SPF") and w[1] == "spf":
                return n, w[4], p.stdout
        return n, "missing", p.stdout + p.stderr
    with cf.ThreadPoolExecutor(jobs) as ex:
        return {n: (r, out) for n, r, out in
                ex.map(one, open(cases).read().splitlines())}


def zone_txt(zone):
    """NAME (lowercase, no trailing dot) -> the TXT records of the zone
    file ZONE, each its strings joined: the whole record, where qqtag's
    trace cuts a long one short with "..."."""
    recs = {}
    for ln in open(zone):
        m = re.match(r"(\S+) IN TXT (.*)$", ln)
        if m:
            name = m.group(1).lower()
            if not name.endswith("."):
                name += "." + Z
            s = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
            recs.setdefault(name.rstrip("."), []).append(
                re.sub(r"\\(.)", r"\1", s))
    return recs


def fetched(trace, recs):
    """(NAME, RECORD) for each record qqtag's trace shows it fetched
    ("spf: NAME TXT -> RECORD"), RECORD whole from the zone's records
    RECS (zone_txt) where the zone has one v=spf1 record for NAME."""
    for ln in trace.splitlines():
        m = re.match(r"spf: (\S+) TXT -> (.*)$", ln)
        if not m:
            continue
        name = m.group(1).lower().rstrip(".")
        spf = [t for t in recs.get(name, [])
               if re.match(r"v=spf1( |$)", t, re.I)]
        yield name, spf[0] if len(spf) == 1 else m.group(2)


def deviation(want, got, trace, recs):
    """Known deviations 6 and 10 of t_spf.sh, by qqtag's trace and the
    zone's records RECS (zone_txt): pyspf refuses a record that includes
    its own domain when it parses it (10); pyspf counts every redirect=
    of a record it parses against the 10-term limit, RFC 7208 only the
    redirect= it evaluates: it is this case when pyspf's permerror
    disappears once the redirects qqtag never reached are not counted
    (6).  None: not a known deviation."""
    if want != "permerror" or got == "permerror":
        return None
    for name, rec in fetched(trace, recs):
        if re.search(r"(^| )[-+~?]?include:%s\.?( |$)" % re.escape(name),
                     rec, re.I):
            return ("pyspf refuses a record that includes its own domain "
                    "(%s) when it parses it, RFC 7208 evaluates up to "
                    "the match" % name)
    with_redirect = sum(1 for _, rec in fetched(trace, recs)
                        if re.search(r" redirect=", rec))
    terms = taken = 0
    for ln in trace.splitlines():
        m = re.search(r"; (\d+) DNS terms,", ln)
        if ln.startswith("spf: result") and m:
            terms = int(m.group(1))
        elif re.match(r"spf: redirect=\S+ -> ", ln):
            taken += 1
    skipped = with_redirect - taken
    if skipped > 0 and terms <= 10 < terms + skipped:
        return ("pyspf counts %d redirect= never evaluated: %d + %d > 10 "
                "terms" % (skipped, terms, skipped))
    return None


def compare(port, cases, qqtag, jobs, seed):
    want = oracle(port, cases)
    got = ours(qqtag, cases, jobs)
    agree = dis = known = 0
    lines = {ln.split()[0]: ln for ln in open(cases)}
    recs = zone_txt(os.path.join(os.path.dirname(cases), Z + ".zone"))
    for n in sorted(want, key=int):
        if got[n][0] == want[n]:
            agree += 1
            continue
        why = deviation(want[n], got[n][0], got[n][1], recs)
        if why:
            known += 1
            print("known case %s seed %s: pyspf %s qqtag %s: %s" % (
                n, seed, want[n], got[n][0], why))
            continue
        dis += 1
        print("case %s seed %s: pyspf %s qqtag %s: %s" % (
            n, seed, want[n], got[n][0], lines[n].strip()))
        for ln in got[n][1].splitlines():
            if ln.startswith("spf:"):
                print("    " + ln)
    counts = {}
    for n in want:
        counts[want[n]] = counts.get(want[n], 0) + 1
    print("results " + " ".join("%s=%d" % kv for kv in sorted(
        counts.items())))
    print("agree %d disagree %d known %d" % (agree, dis, known))


def main():
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "oracle":
        for n, v in sorted(oracle(int(sys.argv[2]), sys.argv[3]).items(),
                           key=lambda kv: int(kv[0])):
            print(n, v)
    elif sys.argv[1] == "compare":
        compare(int(sys.argv[2]), sys.argv[3], sys.argv[4],
                int(sys.argv[5]), sys.argv[6])


if __name__ == "__main__":
    main()

#!/bin/sh
# t_lists.sh: the list file reader (listfile.c) against real rbldnsd,
# differentially.  Generated list files of every supported kind -- ip4set
# (single addresses, CIDR, partial prefixes, full and short ranges with
# their edges, exclusions, per-entry codes and texts, default lines, $N
# variables, the $= base template, $MAXRANGE4, specials, invalid lines),
# ip6trie (:: and group prefixes, /N, duplicates, exclusions), ip6tset
# (/64s, /128 exclusions), dnset (names, *. and . wildcards, exclusions,
# several values), a file mixing IPv4 and IPv6 (format=auto) and
# rbldnsd(8)'s own range examples -- are served by rbldnsd and read by
# tests/listcheck, plain, gzip and filtered per query; every answer (A
# codes and TXT strings) must be the same for thousands of random
# addresses and names and every range edge.  Then the same file as a DNS
# list and as a local list gives the same result (listres.c builds both).
# LISTS_SEED=N (or TEST_SEED=N) repeats a run; LINES=N sizes the files (default 700).
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/listcheck.sh
. "$TOP/tests/listcheck.sh"
BATCH="$PYTHON $TOP/tests/dnsbatch.py"
SEED=${LISTS_SEED:-${TEST_SEED:-$(date +%s)}}
echo "# seed $SEED (LISTS_SEED=$SEED sh tests/t_lists.sh repeats this run)"

Z=$T/zones
mkdir -p "$Z"
cat > "$T/gen.py" << 'PYEOF'
import ipaddress, os, random, sys

seed, out = int(sys.argv[1]), sys.argv[2]
R = random.Random(seed)
TXT = ["listed $", "see http://bl.example/lookup?$ now", "$1 and $2",
       "costs $$5", "pipe|and\\backslash", "plain text", "tab\there",
       "caf\xe9 bytes", "=eq start $", "dollar at end $", "$9 unset var",
       "x" * 300, "sub $= base"]


def value():
    r = R.random()
    if r < 0.45:
        return ""
    if r < 0.60:
        return " :%d" % R.randrange(2, 12)
    if r < 0.80:
        return " :%d:%s" % (R.randrange(2, 12), R.choice(TXT))
    if r < 0.87:
        return " " + R.choice(TXT)
    if r < 0.91:
        return " :%d:" % R.randrange(2, 12)
    if r < 0.95:
        return " :127.0.%d.%d:%s" % (R.randrange(3), R.randrange(1, 255),
                                      R.choice(TXT))
    return R.choice([":%d:glued" % R.randrange(2, 9), " :10.1.2.3:outside",
                     " :0:bad zero", " :2 junk", " # comment only",
                     " ; semi comment"])


def specials():
    return R.choice(["$TTL 300", "$SOA 0 ns.example. hm.example. 0 1h 1h 1w 1h",
                     "#$NS 0 ns.example.", "# plain comment", "; other comment",
                     "", "   ", "$1 var-one", "$2 var-two $", ":$TTL 60",
                     "$BOGUS special"])


def dq(a):
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def ip4set(nlines, base=False, maxrange=False):
    nets = [(R.randrange(1, 224) << 24) | (R.randrange(256) << 16)
            for _ in range(5)]
    L, edges = [], set()
    if base:
        L.append("$= base[$=] for $")
    if maxrange:
        L.append("$MAXRANGE4 /%d" % R.randrange(12, 20))
    L.append(":%d:default one $" % R.randrange(2, 5))
    for _ in range(nlines):
        r = R.random()
        net = R.choice(nets)
        excl = "!" if R.random() < 0.15 else ""
        if r < 0.03:
            L.append(specials())
            continue
        if r < 0.05:
            L.append(":%d:%s" % (R.randrange(2, 12), R.choice(TXT)))
            continue
        if r < 0.07:
            L.append(R.choice(["1.2.3.4/33", "10.0.0.1/8", "300.1.1.1",
                               "garbage line", "10", "0.0.0.0/0", "1.2.3",
                               "1.2.3.4.5", "1..2.3", "5.6.7.8-5.6.7.1",
                               "1.2-1.2.3.4", "2001:db8::1"]))
            continue
        if r < 0.35:
            a = net | R.randrange(1 << 16)
            b = a
            s = dq(a)
        elif r < 0.55:
            plen = R.choice([8, 12, 16, 19, 20, 22, 23, 24, 25, 26, 28, 30,
                             31, 32])
            a = (net | R.randrange(1 << 16)) & (0xffffffff << (32 - plen)) & 0xffffffff
            b = a | ((1 << (32 - plen)) - 1)
            s = "%s/%d" % (dq(a), plen)
            if R.random() < 0.2 and plen in (8, 16, 24):
                s = ".".join(dq(a).split(".")[:plen // 8]) + "/%d" % plen
        elif r < 0.65:
            a = (net | R.randrange(1 << 16)) & 0xffffff00
            b = a | 255
            s = ".".join(dq(a).split(".")[:3])
            if R.random() < 0.3:
                a &= 0xffff0000
                b = a | 0xffff
                s = ".".join(dq(a).split(".")[:2])
        elif r < 0.80:
            a = net | R.randrange(1 << 16)
            b = min(a + R.choice([1, 5, 200, 300, 1000, 70000]), 0xffffffff)
            s = "%s-%s" % (dq(a), dq(b))
        elif r < 0.88:
            a = net | R.randrange(1 << 16)
            lo = a & 255
            hi = R.randrange(lo, 256)
            b = (a & 0xffffff00) | hi
            s = "%s-%d" % (dq(a), hi)
        else:
            x = R.randrange(256)
            y = R.randrange(x, 256)
            a = (net & 0xff000000) | (x << 16)
            b = (net & 0xff000000) | (y << 16) | 0xffff
            s = "%d.%d-%d" % (net >> 24, x, y) if R.random() < 0.5 else \
                "%d.%d-%d.%d" % (net >> 24, x, net >> 24, y)
        line = excl + s + ("" if excl else value())
        if R.random() < 0.05:
            line = "  " + line + "  \t"
        L.append(line)
        for e in (a - 1, a, b, b + 1, R.randrange(a, b + 1)):
            if 0 <= e <= 0xffffffff:
                edges.add(e)
    q = set(dq(e) for e in edges)
    while len(q) < len(edges) + 600:
        q.add(dq(R.choice(nets) | R.randrange(1 << 16)))
    for _ in range(50):
        q.add(dq(R.randrange(1 << 32)))
    return L, sorted(q)


def v6(a):
    return ipaddress.IPv6Address(a)


def groups(a, n):
    x = v6(a).exploded.split(":")[:n]
    return ":".join(g.lstrip("0") or "0" for g in x)


def ip6trie(nlines):
    nets = [R.randrange(1 << 32) << 96 for _ in range(4)]
    L, edges = [":%d:v6 default $" % R.randrange(2, 5)], set()
    for _ in range(nlines):
        r = R.random()
        if r < 0.03:
            L.append(specials())
            continue
        if r < 0.05:
            L.append(R.choice(["2001:db8::1/129", "2001:db8::1/64", "12345::",
                               "2001", "g::1", "1:2:3:4:5:6:7:8:9", "::/x",
                               "10.0.0.1"]))
            continue
        if r < 0.07:
            L.append(":%d:%s" % (R.randrange(2, 12), R.choice(TXT)))
            continue
        net = R.choice(nets)
        plen = R.choice([16, 20, 32, 33, 40, 47, 48, 56, 60, 63, 64, 64, 72,
                         96, 100, 112, 120, 127, 128, 128, 128])
        if plen < 32:
            net = R.randrange(1 << 128)
        a = (net | R.randrange(1 << 96)) & (((1 << 128) - 1) << (128 - plen)) & ((1 << 128) - 1)
        b = a | ((1 << (128 - plen)) - 1)
        f = R.random()
        if plen % 16 == 0 and plen >= 32 and f < 0.3:
            s = groups(a, plen // 16)
            if R.random() < 0.3:
                s = s.upper()
        elif plen == 128 and f < 0.6:
            s = v6(a).compressed if R.random() < 0.7 else v6(a).exploded
        else:
            s = "%s/%d" % (v6(a).compressed, plen)
        excl = "!" if R.random() < 0.15 else ""
        L.append(excl + s + ("" if excl else value()))
        for e in (a - 1, a, b, b + 1, R.randrange(a, b + 1)):
            if 0 <= e < (1 << 128):
                edges.add(e)
        if R.random() < 0.05:
            L.append(s + " :%d:duplicate" % R.randrange(2, 9))
    q = set(v6(e).compressed for e in edges)
    for _ in range(400):
        q.add(v6(R.choice(nets) | R.randrange(1 << 96)).compressed)
    q = set(x for x in q if not x.startswith("::ffff:") and
            ipaddress.IPv6Address(x).ipv4_mapped is None)
    return L, sorted(q)


def ip6tset(nlines):
    nets = [R.randrange(1 << 48) << 80 for _ in range(3)]
    L, edges = [], set()
    for i in range(nlines):
        r = R.random()
        if i == nlines // 3:
            L.append(":%d:tset $ first" % R.randrange(2, 9))
        if i == nlines // 2:
            L.append(":9:tset second ignored")
        if r < 0.03:
            L.append(R.choice(["2001:db8::/64", "2001:db8:1:2:3",
                               "!2001:db8:1:2", "junk"]))
            continue
        a = (R.choice(nets) | (R.randrange(1 << 16) << 64))
        if R.random() < 0.3:
            x = a | R.randrange(1 << 64)
            L.append("!" + (v6(x).compressed if R.random() < 0.5 else
                            v6(x).exploded))
            edges.update((x - 1, x, x + 1))
        else:
            L.append(groups(a, 4) + (" :5:ignored" if R.random() < .1 else ""))
            edges.update((a - 1, a, a | ((1 << 64) - 1), (a | ((1 << 64) - 1)) + 1,
                          a | R.randrange(1 << 64)))
    q = set(v6(e).compressed for e in edges if 0 <= e < (1 << 128))
    q = set(x for x in q if ipaddress.IPv6Address(x).ipv4_mapped is None)
    return L, sorted(q)


def label():
    return "".join(R.choice("abcdefghijklmnopqrstuvwxyz0123456789-")
                   for _ in range(R.randrange(1, 9))).strip("-") or "a"


def dnset(nlines):
    tlds = ["example", "test", "co.uk", "com"]
    bases = [label() + "." + R.choice(tlds) for _ in range(40)]
    L, names = [":%d:dn default $" % R.randrange(2, 5)], set()
    for _ in range(nlines):
        r = R.random()
        if r < 0.03:
            L.append(specials())
            continue
        if r < 0.05:
            L.append(":%d:%s" % (R.randrange(2, 12), R.choice(TXT)))
            continue
        if r < 0.06:
            L.append(R.choice([".", "*.", "!", "a..b.example", "x" * 70 + ".com"]))
            continue
        d = R.choice(bases)
        for _k in range(R.randrange(0, 3)):
            d = label() + "." + d
        form = R.random()
        s = ("*." if form < 0.25 else "." if form < 0.45 else "") + d
        if R.random() < 0.1:
            s = s.upper()
        if R.random() < 0.05:
            s += "."
        excl = "!" if R.random() < 0.15 else ""
        L.append(excl + s + ("" if excl else value()))
        names.update((d, label() + "." + d, label() + "." + label() + "." + d,
                      d.split(".", 1)[1]))
    q = set(names)
    for _ in range(300):
        q.add(label() + "." + R.choice(bases))
    return L, sorted(q)


def edge4():
    L = ["127.0.0.0/24 :2:a", "127.0.0 :3:b", "127/24 :4:c", "127-127.0.0 :5:d",
         "127.0.0.0-127.0.0.255 :6:e", "127.0.0.1-255 :7:f",
         "127.16.0.0-127.31.255.255 :8:g", "127.16.0-127.31.255 :9:h",
         "127.16-127.31 :10:i", "127.16-31 :11:j", "127.16.0.0/12 :12:k",
         "127.16.0/12 :13:l", "127.16/12 :14:m", "127.1.0.0/16", "!127.1.2.3",
         "127.1.2.0/24 :15:n", "!127.1.3.0/24", "127.1.3.7 :16:o",
         "127.1.2.3 :17:p", "127.1.2.3 :17:p", "127.1.2.3 :18:q $1",
         "127.1.2.4 :17:p", "127.1.2.4", "127.1.2.4 x", "127.1.2.4 :2:x",
         "$1 one", "127.2.0.0-127.2.1.255 :19:r", "!127.2.1.0/25",
         "127.3.0.0/8", "127.4.5.6-127.4.5.6"]
    q = []
    for a in ("127.0.0.0", "127.0.0.1", "127.0.0.255", "127.0.1.0",
              "127.16.0.0", "127.31.255.255", "127.32.0.0", "127.15.255.255",
              "127.1.0.0", "127.1.2.3", "127.1.2.4", "127.1.2.5", "127.1.3.6",
              "127.1.3.7", "127.1.255.255", "127.2.0.0", "127.2.1.127",
              "127.2.1.128", "127.2.1.255", "127.2.2.0", "127.4.5.6",
              "127.4.5.7", "127.200.0.1"):
        q.append(a)
    return L, q


def write(name, L, q, kinds):
    with open(os.path.join(out, name), "wb") as f:
        f.write(("\n".join(L) + "\n").encode("latin-1"))
    with open(os.path.join(out, name + ".q"), "w") as f:
        f.write("\n".join(q) + "\n")


n = int(os.environ.get("LINES", "700"))
write("ip4a", *ip4set(n), "ip")
write("ip4b", *ip4set(n, base=True, maxrange=True), "ip")
write("ip6t", *ip6trie(n), "ip")
write("ip6s", *ip6tset(n // 2), "ip")
write("dn", *dnset(n), "domain")
L4, q4 = ip4set(n // 2)
L6, q6 = ip6trie(n // 2)
mix = L4 + L6
R.shuffle(mix)
write("mix", mix, q4 + q6, "ip")
write("edge", *edge4(), "ip")
PYEOF
LINES=${LINES:-700} "$PYTHON" "$T/gen.py" "$SEED" "$Z" ||
	{ echo "# generator failed" >&2; exit 1; }
for f in ip4a ip4b ip6t ip6s dn mix edge; do
	gzip -9 -c "$Z/$f" > "$Z/$f.gz"
done

PORT=$(free_port)
start_rbldnsd "$Z" "$PORT" a4.test:ip4set:ip4a b4.test:ip4set:ip4b \
    t6.test:ip6trie:ip6t s6.test:ip6tset:ip6s dn.test:dnset:dn \
    mix.test:ip4set:mix mix.test:ip6trie:mix ed.test:ip4set:edge ||
	{ fail "rbldnsd starts"; t_done; }

# same_answers DESC WANT GOT [QUERIES]: assert_file_eq; a difference also
# names the seed and its generated case: the first differing line (with
# QUERIES, one query a line, the query itself).
same_answers() {
	if cmp -s "$2" "$3"; then
		ok "$1"
		return
	fi
	_c=$(cmp "$2" "$3" 2> /dev/null | sed -n 's/.*, line \([0-9]*\)$/\1/p')
	if [ -z "$_c" ]; then
		# one is a prefix of the other: the first line only one has
		_c=$(wc -l < "$2")
		[ "$(wc -l < "$3")" -ge "$_c" ] || _c=$(wc -l < "$3")
		_c=$((_c + 1))
	fi
	_q=
	[ $# -lt 4 ] || _q=" (query $(sed -n "${_c}p" "$4"))"
	fail "$1" "case $_c$_q seed $SEED \
(LISTS_SEED=$SEED sh tests/t_lists.sh replays)
$(diff "$2" "$3" 2>&1 | head -n 10)"
}

# one ZONE FILE FORMAT KIND MIN: rbldnsd's answers against ours.
one() {
	_z=$1 _f=$2 _fmt=$3 _kind=$4 _min=$5
	$BATCH "$PORT" "$_z.test" "$_kind" < "$Z/$_f.q" > "$Z/$_f.dns"
	check "$_f: rbldnsd answered every query" [ $? -eq 0 ]
	_n=$(wc -l < "$Z/$_f.q")
	_l=$(grep -c '	NOERROR	' "$Z/$_f.dns")
	_x=$(grep -c '	NXDOMAIN	' "$Z/$_f.dns")
	check "$_f: $_n queries ($_l listed, $_x not)" \
	    test "$_n" -ge "$_min" -a "$_l" -gt 0 -a "$_x" -gt 0
	"$LISTCHECK" load "$_fmt" "$Z/$_f" "$Z/$_f.q" > "$Z/$_f.plain"
	same_answers "$_f: plain file, whole: same as rbldnsd" \
	    "$Z/$_f.dns" "$Z/$_f.plain" "$Z/$_f.q"
	"$LISTCHECK" load "$_fmt" "$Z/$_f.gz" "$Z/$_f.q" > "$Z/$_f.gzout"
	same_answers "$_f: gzip file, whole: same as rbldnsd" \
	    "$Z/$_f.dns" "$Z/$_f.gzout" "$Z/$_f.q"
	# one filtered read per query, as a message does (a sample)
	awk 'NR % 7 == 1' "$Z/$_f.q" > "$Z/$_f.q7"
	awk 'NR % 7 == 1' "$Z/$_f.dns" > "$Z/$_f.dns7"
	"$LISTCHECK" each "$_fmt" "$Z/$_f.gz" "$Z/$_f.q7" > "$Z/$_f.each"
	same_answers "$_f: filtered read per query: same as rbldnsd" \
	    "$Z/$_f.dns7" "$Z/$_f.each" "$Z/$_f.q7"
}

one a4 ip4a ip4set ip 1500
one b4 ip4b ip4set ip 1500
one t6 ip6t ip6trie ip 1500
one s6 ip6s ip6tset ip 500
one dn dn dnset domain 1000
one mix mix auto ip 1500
one ed edge ip4set ip 20

# the comparisons are not trivial
check "several codes in one answer (ip4set, dnset)" \
    grep -q '	NOERROR	[0-9.]*,' "$Z/ip4a.dns" "$Z/dn.dns"
check "TXT with substitutions and escapes" \
    grep -q '\\|\|\\\\' "$Z/ip4a.dns"
check "base template applied" grep -q 'base\[' "$Z/ip4b.dns"
check "rbldnsd saw invalid lines too" grep -q 'invalid' \
    "$T/rbldnsd.$PORT.log"
"$LISTCHECK" stats ip4set "$Z/ip4a" > "$T/stats"
check "our reader counts invalid lines" grep -q 'invalid [1-9]' "$T/stats"

# The same file as a DNS list (rbldnsd) and as a local list: same results.
cat > "$T/policy" << EOF2
dns 127.0.0.1:$PORT
dnsbl SAME a4.test 127.0.0.[2..5]=2:SAME_LOW 127.0.0.[6..11]=3:SAME_HIGH
iplist SAME_L $Z/ip4a.gz 127.0.0.[2..5]=2:SAME_LOW 127.0.0.[6..11]=3:SAME_HIGH
EOF2
grep '	NOERROR	[0-9.]*	[^|]*$' "$Z/ip4a.dns" | head -n 40 |
    cut -f 1 > "$T/same.q"
grep '	NXDOMAIN	' "$Z/ip4a.dns" | head -n 10 | cut -f 1 >> "$T/same.q"
: > "$T/same.dns"
: > "$T/same.loc"
while read -r ip; do
	"$LISTCHECK" apply "$T/policy" "$ip" | grep -v '^state' |
	    cut -d' ' -f 1,4- >> "$T/same.dns"
	"$LISTCHECK" policy "$T/policy" "$ip" | grep -v '^results' |
	    cut -d' ' -f 1,4- | sed 's/^SAME_L /SAME /' >> "$T/same.loc"
done < "$T/same.q"
check "50 addresses checked both ways" [ "$(wc -l < "$T/same.dns")" -ge 50 ]
same_answers "DNS list and local list of one file: same results" \
    "$T/same.dns" "$T/same.loc"
t_done

# lib.sh: what every end-to-end test tests/t_*.sh sources first:
#   . "$(dirname "$0")/lib.sh"
# Counters and assertions, a temp dir $T, free loopback ports, private
# rbldnsd and nsd instances on 127.0.0.1, a DNS query helper, and a trap
# that stops every server and removes $T at exit.  POSIX sh.  Servers are
# started as background children of the test's own shell: never call
# start_* inside $(...) or a pipeline.

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
QQTAG=${QQTAG:-$TOP/qqtag}
STANDIN=${STANDIN:-$TOP/tests/qq-standin}
if [ -z "${PYTHON-}" ]; then
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
export TOP QQTAG STANDIN PYTHON

T_PASS=0
T_FAIL=0
T_SKIP=0
LAST_PID=
_t_pids=

# ---- assertions ----------------------------------------------------------

# ok DESC: count a pass.
ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok - $1"
}

# fail DESC [DETAIL]: count a failure, DETAIL lines indented below it.
fail() {
	T_FAIL=$((T_FAIL + 1))
	echo "FAIL - $1"
	if [ $# -gt 1 ] && [ -n "$2" ]; then
		printf '%s\n' "$2" | sed 's/^/    /'
	fi
}

# skip DESC: count a case that could not run here (never a pass).
skip() {
	T_SKIP=$((T_SKIP + 1))
	echo "skip - $1"
}

# check DESC CMD...: run CMD (output kept in $T/check.out); ok if it exits 0.
check() {
	_d=$1
	shift
	if "$@" > "$T/check.out" 2>&1; then
		ok "$_d"
	else
		_rc=$?
		fail "$_d" "exit $_rc: $*
$(tail -n 5 "$T/check.out")"
	fi
}

# logkv FILE KEY: the value of the first KEY= field in FILE (a qqtag log
# line: blank-separated KEY=VALUE fields); empty if none or no FILE
logkv() {
	tr ' ' '\n' < "$1" | sed -n "s/^$2=//p" | head -n 1
}

# assert_eq DESC EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1" "expected: $2
     got: $3"
	fi
}

# assert_file_eq DESC FILE1 FILE2: byte for byte (cmp).
assert_file_eq() {
	if cmp -s "$2" "$3"; then
		ok "$1"
		return
	fi
	fail "$1" "$(cmp "$2" "$3" 2>&1 | head -n 1)
$(wc -c "$2" "$3" 2>&1 | head -n 2)
$(diff "$2" "$3" 2>&1 | head -n 10)"
}

# t_done: print the closing "N passed, N failed[, N skipped]" line; exit 1
# on failures.
t_done() {
	if [ "$T_SKIP" -gt 0 ]; then
		echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	else
		echo "$T_PASS passed, $T_FAIL failed"
	fi
	[ "$T_FAIL" -eq 0 ] && exit 0
	exit 1
}

# ---- processes and cleanup -------------------------------------------------

# stop_all: stop every server that start_* started (TERM, then KILL).
stop_all() {
	for _p in $_t_pids; do
		kill "$_p" 2> /dev/null || :
	done
	for _p in $_t_pids; do
		_i=0
		while kill -0 "$_p" 2> /dev/null && [ $_i -lt 50 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		kill -9 "$_p" 2> /dev/null || :
		wait "$_p" 2> /dev/null || :
	done
	_t_pids=
}

_t_exit() {
	_rc=$?
	set +e
	trap - EXIT
	stop_all
	if [ "${KEEP:-0}" != 1 ] && [ -n "${T-}" ]; then
		rm -rf "$T"
	fi
	exit $_rc
}

T=$(mktemp -d "${TMPDIR:-/tmp}/qqtag-test.XXXXXX") || exit 1
[ "${KEEP:-0}" = 1 ] && echo "# KEEP=1: temp dir $T is kept"
trap _t_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ports and DNS ----------------------------------------------------------

_t_port_py='
import random, socket, sys
for _ in range(200):
    port = random.randrange(20000, 60000)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        u.bind(("127.0.0.1", port))
        t.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        u.close()
        t.close()
    print(port)
    sys.exit(0)
sys.exit(1)
'

# free_port: print a high port free for both TCP and UDP on 127.0.0.1.
free_port() {
	"$PYTHON" -c "$_t_port_py"
}

_t_dnsq_py='
import os, random, socket, struct, sys
port, name = int(sys.argv[1]), sys.argv[2]
qtype = sys.argv[3].upper() if len(sys.argv) > 3 else "A"
server = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
wait = float(os.environ.get("DNSQ_TIMEOUT", "2"))
T = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
     "TXT": 16, "AAAA": 28, "ANY": 255}
RT = {v: k for k, v in T.items()}
RC = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
      4: "NOTIMP", 5: "REFUSED"}

def rname(m, o):
    labels, end = [], None
    for _ in range(128):
        n = m[o]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = o + 2
            o = ((n & 0x3F) << 8) | m[o + 1]
            continue
        o += 1
        if n == 0:
            return ".".join(labels) + ".", (o if end is None else end)
        labels.append(m[o:o + n].decode("ascii", "replace"))
        o += n
    raise ValueError("name loop")

def rdata(t, m, o, n):
    d = m[o:o + n]
    if t == 1:
        return socket.inet_ntop(socket.AF_INET, d)
    if t == 28:
        return socket.inet_ntop(socket.AF_INET6, d)
    if t in (2, 5, 12):
        return rname(m, o)[0]
    if t == 15:
        return "%d %s" % (struct.unpack(">H", d[:2])[0], rname(m, o + 2)[0])
    if t == 16:
        out, i = [], 0
        while i < len(d):
            out.append(d[i + 1:i + 1 + d[i]].decode("ascii", "replace"))
            i += 1 + d[i]
        return "".join(out)
    if t == 6:
        mname, p = rname(m, o)
        rn, p = rname(m, p)
        return "%s %s %d %d %d %d %d" % ((mname, rn) +
                                         struct.unpack(">5I", m[p:p + 20]))
    return d.hex()

qid = random.randrange(65536)
q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
for label in name.rstrip(".").split("."):
    if label:
        q += bytes([len(label)]) + label.encode("ascii")
q += b"\0" + struct.pack(">HH", T[qtype], 1)
fam = socket.AF_INET6 if ":" in server else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(wait)
s.sendto(q, (server, port))
try:
    while True:
        m = s.recv(65535)
        if len(m) >= 12 and struct.unpack(">H", m[:2])[0] == qid:
            break
except socket.timeout:
    print("TIMEOUT")
    sys.exit(1)
flags, qd, an = struct.unpack(">HHH", m[2:8])
print(RC.get(flags & 15, "RCODE%d" % (flags & 15)))
o = 12
for _ in range(qd):
    o = rname(m, o)[1] + 4
for _ in range(an):
    o = rname(m, o)[1]
    t, c, ttl, n = struct.unpack(">HHIH", m[o:o + 10])
    o += 10
    print(RT.get(t, "TYPE%d" % t), rdata(t, m, o, n))
    o += n
'

# dnsq PORT NAME [TYPE [SERVER]]: one UDP query (no recursion asked) to
# SERVER (127.0.0.1) on PORT.  Prints the rcode (NOERROR, NXDOMAIN, ...)
# then one "TYPE data" line per answer record (TXT strings joined, names
# with a trailing dot).  No answer within $DNSQ_TIMEOUT (2) seconds:
# prints TIMEOUT, exits 1.
dnsq() {
	"$PYTHON" -c "$_t_dnsq_py" "$@"
}

# _t_wait_dns PID PORT NAME LOG: wait until PORT answers an A query for
# NAME with NOERROR or NXDOMAIN while PID lives; 0 or 1.  (A, not SOA:
# rbldnsd refuses SOA and NS queries for a zone without $SOA.)
_t_wait_dns() {
	_i=0
	while [ $_i -lt 100 ]; do
		if ! kill -0 "$1" 2> /dev/null; then
			echo "# server exited early; its log $4:" >&2
			sed 's/^/#   /' "$4" >&2
			return 1
		fi
		_r=$(DNSQ_TIMEOUT=0.2 dnsq "$2" "$3" A 2> /dev/null | head -n 1)
		case $_r in
		NOERROR | NXDOMAIN) return 0 ;;
		esac
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# server on port $2 never answered for $3; log $4:" >&2
	sed 's/^/#   /' "$4" >&2
	return 1
}

# start_rbldnsd ZONEDIR PORT zone:type:file...: rbldnsd on 127.0.0.1/PORT
# serving the datasets (file names relative to ZONEDIR); returns once it
# answers.  Sets LAST_PID; log in $T/rbldnsd.PORT.log.
start_rbldnsd() {
	_zd=$1
	_port=$2
	shift 2
	# as root rbldnsd drops to user rbldns, which must read the zones
	if [ "$(id -u)" = 0 ]; then
		chmod -R a+rX "$_zd"
	fi
	_log=$T/rbldnsd.$_port.log
	rbldnsd -n -b "127.0.0.1/$_port" -w "$_zd" -t 60 "$@" > "$_log" 2>&1 &
	LAST_PID=$!
	_t_pids="$_t_pids $LAST_PID"
	_t_wait_dns "$LAST_PID" "$_port" "${1%%:*}" "$_log"
}

# start_nsd CONFDIR PORT: nsd on 127.0.0.1@PORT serving every zone file
# CONFDIR/ZONE.zone written by the test (e.g. example.test.zone,
# 2.0.192.in-addr.arpa.zone); it writes CONFDIR/nsd.conf and returns once
# the first zone answers.  Sets LAST_PID; log in CONFDIR/nsd.log.
start_nsd() {
	_cd=$(cd "$1" && pwd)
	_port=$2
	_first=
	{
		echo "server:"
		echo "	ip-address: 127.0.0.1@$_port"
		echo "	port: $_port"
		echo "	server-count: 1"
		echo "	username: \"\""
		echo "	chroot: \"\""
		echo "	zonesdir: \"$_cd\""
		echo "	pidfile: \"$_cd/nsd.pid\""
		echo "	database: \"\""
		echo "	zonelistfile: \"$_cd/zone.list\""
		echo "	xfrdfile: \"$_cd/xfrd.state\""
		echo "	xfrdir: \"$_cd\""
		echo "	logfile: \"$_cd/nsd.log\""
		echo "	verbosity: 1"
		echo "	hide-version: yes"
		echo "	rrl-ratelimit: 0"
		echo "remote-control:"
		echo "	control-enable: no"
		for _z in "$_cd"/*.zone; do
			[ -e "$_z" ] || continue
			_z=${_z##*/}
			_z=${_z%.zone}
			[ -n "$_first" ] || _first=$_z
			echo "zone:"
			echo "	name: \"$_z\""
			echo "	zonefile: \"$_z.zone\""
		done
	} > "$_cd/nsd.conf"
	if [ -z "$_first" ]; then
		echo "# start_nsd: no *.zone file in $_cd" >&2
		return 1
	fi
	if ! nsd-checkconf "$_cd/nsd.conf" >&2; then
		return 1
	fi
	nsd -d -c "$_cd/nsd.conf" >> "$_cd/nsd.log" 2>&1 &
	LAST_PID=$!
	_t_pids="$_t_pids $LAST_PID"
	_t_wait_dns "$LAST_PID" "$_port" "$_first" "$_cd/nsd.log"
}

# ---- generated input ---------------------------------------------------------

# RSEED: the seed of randbytes, $TEST_SEED when set (to replay a failure),
# else the time.  A failing case made from it names "seed $RSEED".
RSEED=${TEST_SEED:-$(date +%s)}

# randbytes N: N pseudo-random bytes on stdout from the seed $RSEED (the
# same seed, the same bytes: unlike /dev/urandom a failure can be replayed).
randbytes() {
	"$PYTHON" -c 'import random, sys
sys.stdout.buffer.write(random.Random(int(sys.argv[2])).randbytes(int(sys.argv[1])))' \
	    "$1" "$RSEED"
}

# ---- messages ---------------------------------------------------------------

# unfold FILE: the header section of a message, one field a line: folded
# lines joined with one space, or none after a comma (qqtag and
# SpamAssassin fold lists after commas).
unfold() {
	awk '/^$/ { exit }
	    /^[ \t]/ { sub(/^[ \t]+/, ""); printf "%s%s", last == "," ? "" : " ", $0
		last = substr($0, length($0)); next }
	    NR > 1 { print "" } { printf "%s", $0; last = substr($0, length($0)) }
	    END { print "" }' "$1"
}

# ---- test tools built from the modules -------------------------------------

# tool_build NAME OUT: tests/NAME.c linked with every module (all *.c but
# the programs' mains) and the libraries the Makefile links, into OUT; for
# a tool older than a source file (the Makefile's is used when current).
tool_build() {
	set -- "$1" "$2"
	for _f in "$TOP"/*.c; do
		case ${_f##*/} in
		qqtag.c | qqtag-filter.c) ;;
		*) set -- "$@" "$_f" ;;
		esac
	done
	_n=$1 _o=$2
	shift 2
	# shellcheck disable=SC2046
	${CC:-cc} -std=c99 -D_GNU_SOURCE -DCARES_NO_DEPRECATED -O1 -g \
	    -Wall -Wextra -Werror -I"$TOP" -o "$_o" "$TOP/tests/$_n.c" "$@" \
	    $(pkg-config --libs libcares \
	    libmaxminddb zlib nettle hogweed gmp) -lm
}
# tool NAME: the path of tests/NAME, built afresh in $T when it is missing
# or older than a source file; exits the test when it cannot be built.
tool() {
	if [ -x "$TOP/tests/$1" ] && [ -z "$(find "$TOP" "$TOP/tests/$1.c" \
	    -maxdepth 1 -name '*.[ch]' -newer "$TOP/tests/$1" | head -n 1)" ]
	then
		echo "$TOP/tests/$1"
	elif tool_build "$1" "$T/$1" >&2; then
		echo "$T/$1"
	else
		echo "# cannot build $1" >&2
		exit 1
	fi
}

# ---- the qmail-queue stand-in ---------------------------------------------

# mkenv FILE SENDER [RCPT...]: write a complete qmail-queue envelope.
mkenv() {
	_f=$1
	shift
	{
		printf 'F%s\0' "$1"
		shift
		for _r in "$@"; do
			printf 'T%s\0' "$_r"
		done
		printf '\0'
	} > "$_f"
}

# The Makefile builds the stand-in; build it here too when it is missing
# or older than its source, so a single test can run on its own.
if [ ! -x "$STANDIN" ] ||
    [ -n "$(find "$STANDIN.c" -newer "$STANDIN" 2> /dev/null)" ]; then
	${CC:-cc} -O2 -Wall -Wextra -Werror -o "$STANDIN" "$STANDIN.c" ||
		{ echo "# cannot build $STANDIN" >&2; exit 1; }
fi

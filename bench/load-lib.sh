# load-lib.sh - the load test's machinery, shared by tests/t_load.sh
# (reduced, in make test) and bench/load.sh (full size).  Sourced after
# tests/lib.sh (T, free_port, start_rbldnsd, ok, fail, PYTHON, QQTAG,
# STANDIN).  Loopback only; every server is a child of the caller's shell.
#
# The chain, as on a real host: bench/load-smtp.py (C client sessions) ->
# real tcpserver with a tcp.smtp compiled by real tcprules ->
# tests/smtpfront.py (qmail-smtpd's stand-in) -> $QMAILQUEUE = qqtag ->
# bench/load-queue.c -> tests/qq-standin, which records every message.
# Sessions come from three loopback addresses, each with its own rule:
#   127.0.0.2  TCPREMOTEIP=192.0.2.99, listed in the ZEN test zone
#   127.0.0.3  TCPREMOTEIP=192.0.2.50, clean
#   127.0.0.4  RELAYCLIENT: stripped and marked, not checked
# DNS: rbldnsd answers the lists, reverse zone and sender domain; the
# "dead" policy goes through tests/dnsrelay.py, which forwards to rbldnsd
# but never answers for the list DEAD (dead.test).
#
#   load_setup TIMEOUT      servers, $T/load-queue, $T/pol.live, $T/pol.dead
#   load_phase NAME MODE POLICY N C MIX
#       MODE qqtag (QMAILQUEUE=qqtag) or base (QMAILQUEUE=load-queue, no
#       qqtag: the floor).  Runs N messages at concurrency C through a
#       fresh tcpserver, checks them all (ok/fail lines) and writes
#       key=value results to $T/NAME.result.
# $LOAD_LIMIT: seconds the client may take (default 600).

LOAD_LIMIT=${LOAD_LIMIT:-600}

load_setup() {
	LOAD_TIMEOUT=$1
	SPOOL=$T/spool
	mkdir -p "$SPOOL" "$T/zones"
	${CC:-cc} -O2 -static -o "$T/load-queue" "$TOP/bench/load-queue.c" \
	    2> /dev/null ||
	    ${CC:-cc} -O2 -o "$T/load-queue" "$TOP/bench/load-queue.c" ||
	    { fail "cc bench/load-queue.c"; return 1; }
	printf ':127.0.0.2:listed for the load test\n192.0.2.99\n' \
	    > "$T/zones/bl"
	printf 'spam.example\n' > "$T/zones/dbl"
	printf 'none TXT "no PTR records"\n' > "$T/zones/reverse"
	printf '@ MX 10 mx.example.net.\nmx A 192.0.2.10\n' \
	    > "$T/zones/example.net"
	LOAD_RBL=$(free_port)
	start_rbldnsd "$T/zones" "$LOAD_RBL" zen.test:ip4set:bl \
	    dbl.test:dnset:dbl in-addr.arpa:generic:reverse \
	    example.net:generic:example.net ||
		{ fail "rbldnsd starts"; return 1; }
	LOAD_RELAY=$(free_port)
	"$PYTHON" "$TOP/tests/dnsrelay.py" -p "$LOAD_RELAY" -l 7200 -q \
	    -u ".=$LOAD_RBL" -r dead.test=drop 2> "$T/relay.log" &
	_t_pids="$_t_pids $!"
	_i=0
	while [ "$(DNSQ_TIMEOUT=0.3 dnsq "$LOAD_RELAY" example.net MX \
	    2> /dev/null | head -n 1)" != NOERROR ]; do
		_i=$((_i + 1))
		[ $_i -lt 30 ] || { fail "dnsrelay.py answers"; return 1; }
		sleep 0.1
	done
	for _p in live dead; do
		{
			echo "spool $SPOOL"
			echo "timeout $LOAD_TIMEOUT"
			echo "threshold 5"
			if [ $_p = live ]; then
				echo "dns 127.0.0.1:$LOAD_RBL"
			else
				echo "dns 127.0.0.1:$LOAD_RELAY"
			fi
			echo "dnsbl ZEN zen.test profile=zen"
			echo "rhsbl DBL dbl.test profile=dbl"
			[ $_p = dead ] && echo "dnsbl DEAD dead.test"
		} > "$T/pol.$_p"
	done
	# the proof that they work: a listed client is listed, DEAD is dead
	QQTAG_POLICY=$T/pol.dead "$QQTAG" -c 192.0.2.99 > "$T/probe.c" 2>&1
	grep -q 'SPAMHAUS_SBL .* LISTED ' "$T/probe.c" && grep -q 'DEAD.*timeout' \
	    "$T/probe.c" || { fail "qqtag -c: ZEN listed, DEAD timeout" \
	    "$(cat "$T/probe.c")"; return 1; }
	export SMTPFRONT_LOCAL=mx.example.org
	unset QMAILQUEUE QQTAG_QUEUE QQTAG_POLICY QQ_OUT QQ_EXIT RELAYCLIENT \
	    QQTAG_SKIP QQTAG_TRUSTED QQTAG_THRESHOLD QQTAG_DNS DATABYTES \
	    TCPREMOTEIP TCPREMOTEHOST 2> /dev/null || :
}

# _load_rules MODE POLICY RECDIR: $T/tcp.smtp and $T/rules.cdb
_load_rules() {
	_env="LOADQ_DIR=\"$3\",LOADQ_STANDIN=\"$STANDIN\",QQLOAD=\"$T\""
	if [ "$1" = qqtag ]; then
		_q="QMAILQUEUE=\"$QQTAG\",QQTAG_QUEUE=\"$T/load-queue\",QQTAG_POLICY=\"$2\",$_env"
	else
		_q="QMAILQUEUE=\"$T/load-queue\",$_env"
	fi
	cat > "$T/tcp.smtp" << EOF
127.0.0.1:allow,QQLOAD="$T"
127.0.0.2:allow,$_q,TCPREMOTEIP="192.0.2.99"
127.0.0.3:allow,$_q,TCPREMOTEIP="192.0.2.50"
127.0.0.4:allow,$_q,RELAYCLIENT=""
:deny
EOF
	tcprules "$T/rules.cdb" "$T/rules.tmp" < "$T/tcp.smtp"
}

# _load_stat PID: "UTIME STIME CUTIME CSTIME FDS" of PID (ticks)
_load_stat() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ printf "%s %s %s %s ", $12, $13, $14, $15 }'
	ls "/proc/$1/fd" | wc -l
}

# _load_marked: pids of processes whose environment has QQLOAD=$T (only
# what tcpserver started has it: the front ends, qqtag, the queues)
_load_marked() {
	for _e in /proc/[0-9]*/environ; do
		if { tr '\0' '\n' < "$_e"; } 2> /dev/null | grep -qxF "QQLOAD=$T"; then
			_e=${_e#/proc/}
			echo "${_e%/environ}"
		fi
	done
}

load_phase() {
	_n=$1 _mode=$2 _pol=$3 _N=$4 _C=$5 _mix=$6
	_rec=$T/$_n.rec
	_run=$_n-$(date +%s)
	rm -rf "$_rec"
	mkdir -p "$_rec"
	_load_rules "$_mode" "$_pol" "$_rec" ||
		{ fail "$_n: tcprules"; return 1; }
	_port=$(free_port)
	tcpserver -H -R -l 0 -c $((2 * _C)) -b 128 -x "$T/rules.cdb" \
	    127.0.0.1 "$_port" "$PYTHON" "$TOP/tests/smtpfront.py" \
	    /nonexistent/qmail-queue 2> "$T/$_n.ts.log" &
	_ts=$!
	_t_pids="$_t_pids $_ts"
	_i=0
	until "$PYTHON" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.recv(100); s.sendall(b"QUIT\r\n"); s.recv(100)' "$_port" 2> /dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] && kill -0 $_ts 2> /dev/null ||
			{ fail "$_n: tcpserver starts"; return 1; }
		sleep 0.1
	done
	sleep 0.2
	set -- $(_load_stat $_ts)
	_c0=$(($3 + $4))
	_fd0=$5
	timeout "$LOAD_LIMIT" "$PYTHON" "$TOP/bench/load-smtp.py" send \
	    "$_port" "$_N" "$_C" "$_run" "$_mix" > "$T/$_n.res" 2> "$T/$_n.err"
	_rc=$?
	_wall=$(sed -n 's/^wall_s=\([0-9.]*\) .*/\1/p' "$T/$_n.res")
	assert_eq "$_n: the client finished in time (exit 0)" 0 "$_rc"
	# every session's processes end: tcpserver reaps the front ends
	_i=0
	while [ -n "$(ps -o pid= --ppid $_ts)" ] && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.2
	set -- $(_load_stat $_ts)
	_cpu=$(($3 + $4 - _c0))
	assert_eq "$_n: tcpserver has no child left" "" \
	    "$(ps -o pid=,stat=,args= --ppid $_ts)"
	assert_eq "$_n: tcpserver's descriptors: as many as before" "$_fd0" "$5"
	assert_eq "$_n: no zombie child of tcpserver" "" \
	    "$(ps -eo pid=,stat=,ppid= | awk -v p=$_ts '$2 ~ /^Z/ && $3 == p')"
	assert_eq "$_n: no process of a session left (environment QQLOAD)" "" \
	    "$(_load_marked)"
	assert_eq "$_n: qqtag's spool directory empty" "" "$(ls -A "$SPOOL")"
	"$PYTHON" "$TOP/bench/load-smtp.py" check "$_rec" "$_N" "$_run" \
	    "$_mix" "$T/$_n.res" "$_mode" > "$T/$_n.sum" 2>&1
	_rc=$?
	_kv=$(tr ' ' '\n' < "$T/$_n.sum" | grep '=' | tr '\n' ' ')
	if [ $_rc = 0 ]; then
		ok "$_n: $_N messages, each queued exactly once, byte for byte, envelope too"
	else
		fail "$_n: each message queued exactly once, byte for byte" \
		    "$(cat "$T/$_n.sum"; head -n 5 "$T/$_n.err")"
	fi
	# the log lines: one per message of qqtag's, nothing else
	_logs=0
	_ae=
	if [ "$_mode" = qqtag ]; then
		_logs=$(grep -c '^qqtag: pid=.* result=queue$' "$T/$_n.ts.log")
		assert_eq "$_n: one qqtag log line per message, result=queue" \
		    "$_N" "$_logs"
		_ae=$(sed -n 's/.* after_eom_ms=\([0-9]*\) .*/\1/p' \
		    "$T/$_n.ts.log" | sort -n | awk '{ a[NR] = $1 }
		    END { if (NR) printf "%d %d %d", a[int(NR / 2) + 1],
		    a[int(NR * 0.95) + 1], a[NR] }')
	fi
	assert_eq "$_n: nothing else on tcpserver's stderr" "" \
	    "$(grep -v '^qqtag: pid=' "$T/$_n.ts.log" | head -n 5)"
	kill $_ts 2> /dev/null
	wait $_ts 2> /dev/null
	{
		echo "$_kv"
		echo "name=$_n mode=$_mode n=$_N c=$_C mix=$_mix wall_s=$_wall"
		awk -v n="$_N" -v w="$_wall" -v c="$_cpu" -v hz="$(getconf CLK_TCK)" \
		    'BEGIN { printf "msgs_per_s=%.1f chain_cpu_ms=%.2f\n",
		    (w > 0 ? n / w : 0), c * 1000 / hz / n }'
		set -- $_ae
		echo "after_eom_ms_p50=${1:-} after_eom_ms_p95=${2:-} after_eom_ms_max=${3:-}"
	} | tr '\n' ' ' > "$T/$_n.result"
	echo >> "$T/$_n.result"
	echo "# $(cat "$T/$_n.result")"
	[ "${KEEP:-0}" = 1 ] || rm -rf "$_rec"
}

# load_get NAME KEY: a value of $T/NAME.result
load_get() {
	tr ' ' '\n' < "$T/$1.result" | sed -n "s/^$2=//p" | head -n 1
}

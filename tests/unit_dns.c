/*
 * unit_dns.c: unit tests of dns.c -- status words and classes, server
 * lists, the answer parsers on crafted packets (hostile ones included),
 * and the service against a tiny DNS server inside this process (a UDP
 * socket on 127.0.0.1 answering from a table, counting what it is asked):
 * the cache, callbacks never from inside dns_query(), the caps, a
 * truncated answer whose TCP retry is refused, dns_cancel, dns_stop and
 * dns_wait.  End-to-end behaviour against nsd is tests/t_dnsservice.sh.
 * Ends with "N passed, N failed".
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "unit.h"

/* ---- packets ---------------------------------------------------------- */

static size_t
put_name(unsigned char *b, const char *s)
{
	size_t o = 0, n;
	const char *dot;

	while (*s != '\0') {
		dot = strchr(s, '.');
		n = dot ? (size_t)(dot - s) : strlen(s);
		b[o++] = (unsigned char)n;
		memcpy(b + o, s, n);
		o += n;
		s += n + (dot != NULL);
	}
	b[o++] = 0;
	return o;
}

static size_t
put_hdr(unsigned char *b, int flags, int an, const char *q, int qtype)
{
	size_t o;

	memset(b, 0, 12);
	b[0] = 0x12;
	b[1] = 0x34;
	b[2] = (unsigned char)(0x81 | (flags >> 8));
	b[3] = (unsigned char)(0x80 | (flags & 0x0f));
	b[5] = 1;
	b[7] = (unsigned char)an;
	o = 12 + put_name(b + 12, q);
	b[o++] = 0;
	b[o++] = (unsigned char)qtype;
	b[o++] = 0;
	b[o++] = 1;
	return o;
}

/* One record owned by the question name (pointer 0xc00c). */
static size_t
put_rr(unsigned char *b, int type, unsigned long ttl, const void *rd,
    size_t n)
{
	b[0] = 0xc0;
	b[1] = 0x0c;
	b[2] = 0;
	b[3] = (unsigned char)type;
	b[4] = 0;
	b[5] = 1;
	b[6] = (unsigned char)(ttl >> 24);
	b[7] = (unsigned char)(ttl >> 16);
	b[8] = (unsigned char)(ttl >> 8);
	b[9] = (unsigned char)ttl;
	b[10] = (unsigned char)(n >> 8);
	b[11] = (unsigned char)n;
	memcpy(b + 12, rd, n);
	return 12 + n;
}

/* ---- statuses and servers -------------------------------------------- */

static void
test_status(void)
{
	T(strcmp(dns_status_text(DNS_OK), "ok") == 0, "ok");
	T(strcmp(dns_status_text(DNS_SERVFAIL), "servfail") == 0, "servfail");
	T(strcmp(dns_status_text(DNS_REFUSED), "refused") == 0, "refused");
	T(strcmp(dns_status_text(DNS_TIMEOUT), "timeout") == 0, "timeout");
	T(strcmp(dns_status_text(DNS_UNREACHABLE), "unreachable") == 0,
	    "unreachable");
	T(strcmp(dns_status_text(DNS_TRUNCATED), "truncated") == 0,
	    "truncated");
	T(strcmp(dns_status_text(DNS_CAPPED), "capped") == 0, "capped");
	T(strcmp(dns_status_text(DNS_ERROR), "error") == 0 &&
	    strcmp(dns_status_text(-1), "error") == 0 &&
	    strcmp(dns_status_text(99), "error") == 0, "error");
	T(dns_class(DNS_OK) == DNS_C_DATA, "class ok");
	T(dns_class(DNS_NXDOMAIN) == DNS_C_NONE &&
	    dns_class(DNS_NODATA) == DNS_C_NONE, "class none");
	T(dns_class(DNS_SERVFAIL) == DNS_C_ERROR &&
	    dns_class(DNS_TIMEOUT) == DNS_C_ERROR &&
	    dns_class(DNS_TRUNCATED) == DNS_C_ERROR &&
	    dns_class(DNS_CAPPED) == DNS_C_ERROR, "class error");
}

static void
test_servers(void)
{
	static const char *const good[] = { "127.0.0.1", "127.0.0.1:5353",
	    "[::1]:53", "::1", "127.0.0.1:1,[::1]:65535,192.0.2.1", NULL };
	static const char *const bad[] = { "", "x", "127.0.0.1:0",
	    "127.0.0.1:65536", "127.0.0.1:", "[::1", "[::1]x", "1.2.3",
	    "127.0.0.1,", ",127.0.0.1", "127.0.0.1:53x", "host.example",
	    NULL };
	struct dns *d;
	char err[64];
	int i;

	for (i = 0; good[i] != NULL; i++)
		T(dns_servers_valid(good[i]), "good %s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		T(!dns_servers_valid(bad[i]), "bad %s", bad[i]);
	T(!dns_servers_valid(NULL), "NULL");
	err[0] = '\0';
	d = dns_new("nonsense", err, sizeof(err));
	T(d == NULL && errno == EINVAL && err[0] != '\0', "dns_new bad");
	d = dns_new(NULL, NULL, 0);
	T(d != NULL && dns_pending(d) == 0 && dns_timeout(d, 10) == -1 &&
	    dns_wait(d, -1, 1000) == DNS_WAIT_IDLE, "nothing pending");
	dns_free(d);
	T(dns_query(NULL, "a.test", DNS_T_A, NULL, NULL) == -1 &&
	    errno == EIO, "NULL service");
	T(dns_wait(NULL, 0, -1) == DNS_WAIT_IDLE, "NULL service waits not");
}

/* ---- parsers ------------------------------------------------------------ */

static void
test_rr(void)
{
	unsigned char b[600], a[4] = { 192, 0, 2, 7 };
	struct dns_rr rr;
	char name[300];
	size_t o, mx;
	int n;

	T(dns_rcode(NULL, 0) == -1 && dns_rcode(b, 11) == -1, "no header");
	o = put_hdr(b, 3, 0, "x.example", 1);
	T(dns_rcode(b, (int)o) == 3, "rcode 3");
	o = put_hdr(b, 0, 3, "x.example", 1);
	o += put_rr(b + o, 1, 3600, a, 4);
	mx = o;
	o += put_rr(b + o, 15, 60, "\0\012\3mx1\300\014", 9);
	o += put_rr(b + o, 1, 70000, a, 4);
	memset(&rr, 0, sizeof(rr));
	T(dns_rr(b, (int)o, &rr) == 1 && rr.type == 1 && rr.class == 1 &&
	    rr.ttl == 3600 && rr.len == 4 && memcmp(b + rr.off, a, 4) == 0,
	    "first record");
	T(dns_rr(b, (int)o, &rr) == 1 && rr.type == 15 && rr.len == 9 &&
	    rr.off == mx + 12, "second record");
	n = dns_name(b, (int)o, rr.off + 2, name, sizeof(name));
	T(n == 13 && strcmp(name, "mx1.x.example") == 0, "compressed name %d",
	    n);
	T(dns_name(b, (int)o, rr.off + 2, name, 5) == 13, "small buffer");
	T(dns_rr(b, (int)o, &rr) == 1 && rr.ttl == 70000, "third record");
	T(dns_rr(b, (int)o, &rr) == 0, "past the end");
	memset(&rr, 0, sizeof(rr));
	T(dns_rr(b, (int)o - 1, &rr) == 1 && dns_rr(b, (int)o - 1, &rr) == 1 &&
	    dns_rr(b, (int)o - 1, &rr) == -1, "cut RDATA");
	/* a record whose owner points at itself */
	o = put_hdr(b, 0, 1, "x.example", 1);
	b[o] = 0xc0;
	b[o + 1] = (unsigned char)o;
	memset(&rr, 0, sizeof(rr));
	T(dns_rr(b, (int)o + 12, &rr) == -1, "pointer loop");
	T(dns_name(b, (int)o + 2, o, name, sizeof(name)) == -1,
	    "pointer loop name");
	T(dns_name(b, (int)o, o + 5, name, sizeof(name)) == -1,
	    "name past the end");
	/* odd bytes spelt \DDD */
	o = put_hdr(b, 0, 0, "e\r\nv.example", 12);
	T(dns_name(b, (int)o, 12, name, sizeof(name)) > 0 &&
	    strcmp(name, "e\\013\\010v.example") == 0, "escapes %s", name);
}

static void
test_addrs_txt(void)
{
	unsigned char b[2048], out[16 * 4], a6[16], rd[600];
	char txt[32];
	size_t o;
	int i;

	o = put_hdr(b, 0, 3, "h.example", 1);
	for (i = 1; i <= 3; i++) {
		unsigned char a[4] = { 192, 0, 2, (unsigned char)i };
		o += put_rr(b + o, 1, 60, a, 4);
	}
	T(dns_addrs(b, (int)o, 4, out, 4) == 3 && out[3] == 1 &&
	    out[11] == 3, "three A");
	T(dns_addrs(b, (int)o, 4, out, 2) == 2, "at most max");
	T(dns_addrs(b, (int)o, 6, out, 4) == 0, "no AAAA in an A answer");
	T(dns_addrs(b, (int)o, 5, out, 4) == -1, "family 5");
	T(dns_addrs(b, (int)o - 2, 4, out, 4) == -1, "cut answer");
	o = put_hdr(b, 3, 0, "h.example", 1);
	T(dns_addrs(b, (int)o, 4, out, 4) == 0, "NXDOMAIN: none");
	o = put_hdr(b, 2, 0, "h.example", 1);
	T(dns_addrs(b, (int)o, 4, out, 4) == -1, "SERVFAIL: error");
	o = put_hdr(b, 0, 1, "h.example", 28);
	inet_pton(AF_INET6, "2001:db8:1234:5678:9abc:def0:fedc:ba98", a6);
	o += put_rr(b + o, 28, 60, a6, 16);
	T(dns_addrs(b, (int)o, 6, out, 4) == 1 && memcmp(out, a6, 16) == 0,
	    "AAAA");

	o = put_hdr(b, 0, 2, "t.example", 16);
	memcpy(rd, "\3abc\2de", 7);
	o += put_rr(b + o, 16, 60, rd, 7);
	memcpy(rd, "\4f\0\r\n", 5);
	o += put_rr(b + o, 16, 60, rd, 5);
	T(dns_txt(b, (int)o, txt, sizeof(txt)) == 10 &&
	    memcmp(txt, "abcde f\0\r\n", 10) == 0, "two TXT records");
	T(dns_txt(b, (int)o, txt, 4) == 4 && memcmp(txt, "abcd", 4) == 0,
	    "TXT cap");
	T(dns_txt(b, 11, txt, sizeof(txt)) == 0 &&
	    dns_txt(NULL, 0, txt, sizeof(txt)) == 0, "no TXT");
	rd[0] = 200;	/* a string longer than its record */
	o = put_hdr(b, 0, 1, "t.example", 16);
	o += put_rr(b + o, 16, 60, rd, 5);
	T(dns_txt(b, (int)o, txt, sizeof(txt)) == 0, "hostile TXT");
}

/* ---- a DNS server in this process ---------------------------------------- */

static int srv = -1;		/* its UDP socket */
static int srvport;
static int asked[8];		/* queries per name of names[] */
static const char *const names[] = { "a.test", "b.test", "c.test",
	"tc.test", "drop.test", "nx.test", "d.test", NULL };

static void
srv_start(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	srv = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(srv, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(srv, (struct sockaddr *)&sin, &len) == -1)
		abort();
	srvport = ntohs(sin.sin_port);
}

/* Answer one query: a.test..d.test A 192.0.2.N, tc.test TC, nx.test
 * NXDOMAIN, drop.test nothing. */
static void
srv_answer(void)
{
	unsigned char q[600], r[700];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	char name[300];
	ssize_t n;
	size_t qend, o;
	int i;

	if ((n = recvfrom(srv, q, sizeof(q), 0, (struct sockaddr *)&from,
	    &flen)) < 12 || dns_name(q, (int)n, 12, name, sizeof(name)) <= 0)
		return;
	for (qend = 12; qend < (size_t)n && q[qend] != 0; qend += q[qend] + 1)
		;
	qend += 5;
	for (i = 0; names[i] != NULL && strcmp(names[i], name) != 0; i++)
		;
	if (names[i] == NULL || qend > (size_t)n)
		return;
	asked[i]++;
	if (strcmp(name, "drop.test") == 0)
		return;
	memcpy(r, q, qend);
	r[2] = 0x81 | (strcmp(name, "tc.test") == 0 ? 0x02 : 0);
	r[3] = strcmp(name, "nx.test") == 0 ? 0x83 : 0x80;
	memset(r + 6, 0, 6);		/* no answer, no OPT echoed */
	o = qend;
	if (name[0] >= 'a' && name[0] <= 'd' && name[1] == '.') {
		unsigned char a[4] = { 192, 0, 2, (unsigned char)(name[0] -
		    'a' + 1) };
		r[7] = 1;
		o += put_rr(r + o, 1, 60, a, 4);
	}
	(void)sendto(srv, r, o, 0, (struct sockaddr *)&from, flen);
}

/* Serve d and the server until nothing is pending or ms passed. */
static void
serve(struct dns *d, int ms)
{
	struct pollfd p[40];
	int n, i, to, rc;

	for (i = 0; i < ms / 10 + 5 && dns_pending(d) > 0; i++) {
		p[0].fd = srv;
		p[0].events = POLLIN;
		p[0].revents = 0;
		n = dns_pollfds(d, p + 1, 39);
		to = dns_timeout(d, 10);
		rc = poll(p, (nfds_t)n + 1, to < 0 ? 10 : to);
		if (rc > 0 && p[0].revents)
			srv_answer();
		dns_process(d, p + 1, rc > 0 ? n : 0);
	}
}

struct got {
	int	 n;
	int	 status;
	int	 alen;
	int	 tc;
	unsigned char a4;	/* last octet of the first A */
};

static int in_query;		/* set around dns_query() calls */
static int cb_in_query;		/* a callback came from inside one */

static void
on_got(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct got *g = arg;
	unsigned char a[4];

	cb_in_query |= in_query;
	g->n++;
	g->status = status;
	g->alen = alen;
	g->tc = abuf != NULL && alen > 3 && (abuf[2] & 0x02) != 0;
	if (dns_addrs(abuf, alen, 4, a, 1) == 1)
		g->a4 = a[3];
}

static int
ask(struct dns *d, const char *name, int type, struct got *g)
{
	int r;

	in_query = 1;
	r = dns_query(d, name, type, on_got, g);
	in_query = 0;
	return r;
}

static struct dns *
service(void)
{
	char csv[40];

	snprintf(csv, sizeof(csv), "127.0.0.1:%d", srvport);
	return dns_new(csv, NULL, 0);
}

static int
count_fds(void)
{
	DIR *dir;
	struct dirent *e;
	int n = 0;

	if ((dir = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n - 1;
}

static void
test_cache(void)
{
	struct dns *d = service();
	struct dns_stats st;
	struct got g[5];
	struct pollfd p[4];

	memset(g, 0, sizeof(g));
	memset(asked, 0, sizeof(asked));
	T(ask(d, "a.test", DNS_T_A, &g[0]) == 0 &&
	    ask(d, "A.TEST.", DNS_T_A, &g[1]) == 0 &&
	    ask(d, "a.test", DNS_T_TXT, &g[2]) == 0, "asked");
	T(dns_pending(d) == 3 && dns_pollfds(d, p, 4) == 1 &&
	    (fcntl(p[0].fd, F_GETFD) & FD_CLOEXEC), "one socket, cloexec");
	serve(d, 2000);
	T(g[0].n == 1 && g[0].status == DNS_OK && g[0].a4 == 1 &&
	    g[1].n == 1 && g[1].status == DNS_OK && g[1].a4 == 1,
	    "both asks answered");
	T(g[2].n == 1 && g[2].status == DNS_OK && g[2].a4 == 1,
	    "other type answered");
	T(asked[0] == 2, "one query per type on the wire: %d", asked[0]);
	T(ask(d, "a.test", DNS_T_A, &g[3]) == 0 && g[3].n == 0 &&
	    dns_pending(d) == 1 && dns_timeout(d, 1000) == 0,
	    "after the answer: from the cache, due at once");
	serve(d, 100);
	T(g[3].n == 1 && g[3].status == DNS_OK && g[3].a4 == 1 &&
	    asked[0] == 2, "cache answer, no query");
	dns_stats(d, &st);
	T(st.queries == 2 && st.hits == 2, "stats %u %u", st.queries,
	    st.hits);
	T(!cb_in_query, "no callback from inside dns_query");
	T(ask(d, "a..test", DNS_T_A, &g[4]) == -1 && errno == EINVAL,
	    "empty label refused (c-ares would)") ;
	dns_free(d);
}

static void
test_caps(void)
{
	struct dns *d = service();
	struct dns_stats st;
	struct got g[4];

	memset(g, 0, sizeof(g));
	memset(asked, 0, sizeof(asked));
	dns_limits(d, 0, 2);
	T(ask(d, "a.test", DNS_T_A, &g[0]) == 0 &&
	    ask(d, "b.test", DNS_T_A, &g[1]) == 0 &&
	    ask(d, "c.test", DNS_T_A, &g[2]) == 0 &&
	    ask(d, "a.test", DNS_T_A, &g[3]) == 0, "asked");
	T(g[2].n == 0, "capped, but not from inside dns_query");
	serve(d, 2000);
	T(g[2].n == 1 && g[2].status == DNS_CAPPED && g[2].alen == 0,
	    "third distinct query capped");
	T(g[3].n == 1 && g[3].status == DNS_OK, "a cache hit is no query");
	T(asked[2] == 0 && asked[0] == 1 && asked[1] == 1,
	    "capped never on the wire");
	dns_free(d);

	d = service();
	memset(g, 0, sizeof(g));
	dns_limits(d, 1, 0);
	T(ask(d, "a.test", DNS_T_A, &g[0]) == 0 &&
	    ask(d, "b.test", DNS_T_A, &g[1]) == 0 &&
	    ask(d, "c.test", DNS_T_A, &g[2]) == 0, "asked one slot");
	dns_stats(d, &st);
	T(st.queued == 2 && st.queries == 1, "two wait for the slot");
	serve(d, 2000);
	T(g[0].status == DNS_OK && g[1].status == DNS_OK &&
	    g[2].status == DNS_OK && g[2].a4 == 3, "all answered in turn");
	dns_free(d);
	T(!cb_in_query, "no callback from inside dns_query");
}

static void
test_tc_stop(void)
{
	struct dns *d = service();
	struct dns_stats st;
	struct got g[5];
	struct pollfd p[4];
	int fds0 = count_fds();

	memset(g, 0, sizeof(g));
	memset(asked, 0, sizeof(asked));
	T(ask(d, "tc.test", DNS_T_TXT, &g[0]) == 0 &&
	    ask(d, "drop.test", DNS_T_A, &g[1]) == 0 &&
	    ask(d, "nx.test", DNS_T_A, &g[2]) == 0 &&
	    ask(d, "d.test", DNS_T_A, &g[3]) == 0 &&
	    ask(d, "d.test", DNS_T_A, &g[4]) == 0, "asked");
	dns_cancel(d, &g[4]);
	T(dns_pending(d) == 4, "one dropped: pending %d", dns_pending(d));
	serve(d, 400);
	dns_stats(d, &st);
	/* no TCP listener on the server's port: the retry is refused */
	T(g[0].n == 1 && g[0].status == DNS_TRUNCATED && g[0].tc &&
	    g[0].alen > 12 && st.tcp == 1, "TC, TCP refused: truncated %s",
	    dns_status_text(g[0].status));
	T(g[2].status == DNS_NXDOMAIN && g[3].status == DNS_OK,
	    "the others answered");
	T(g[1].n == 0 && g[4].n == 0, "drop.test still waits, cancelled "
	    "never called");
	dns_stop(d);
	T(g[1].n == 1 && g[1].status == DNS_TIMEOUT, "stop: timeout");
	T(g[4].n == 0, "cancelled never called");
	T(dns_pending(d) == 0 && dns_pollfds(d, p, 4) == 0 &&
	    count_fds() == fds0, "stopped: no socket left");
	T(ask(d, "a.test", DNS_T_A, &g[4]) == -1 && errno == ETIMEDOUT &&
	    g[4].n == 0, "after the stop: refused");
	dns_stop(d);
	T(g[1].n == 1, "stop is idempotent");
	dns_free(d);
}

static void
test_wait(void)
{
	struct dns *d = service();
	struct got g;
	int pfd[2];

	memset(&g, 0, sizeof(g));
	if (pipe(pfd) == -1)
		abort();
	T(ask(d, "drop.test", DNS_T_TXT, &g) == 0, "asked");
	T(dns_wait(d, pfd[0], 50) == DNS_WAIT_DEADLINE, "deadline");
	T(write(pfd[1], "x", 1) == 1 && dns_wait(d, pfd[0], -1) ==
	    DNS_WAIT_READABLE, "readable");
	dns_stop(d);
	T(g.status == DNS_TIMEOUT, "stopped");
	close(pfd[1]);
	T(dns_wait(d, pfd[0], -1) == DNS_WAIT_IDLE, "idle");
	close(pfd[0]);
	dns_free(d);
}

int
main(void)
{
	test_status();
	test_servers();
	test_rr();
	test_addrs_txt();
	srv_start();
	test_cache();
	test_caps();
	test_tc_stop();
	test_wait();
	close(srv);
	return t_done();
}

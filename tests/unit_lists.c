/*
 * unit_lists.c: lists.c -- the rbldnsd file syntax (ip4set, ip6trie,
 * ip6tset, dnset, values, specials), lookups, filtered reads against whole
 * reads, gzip and broken files, policy lines, per-message results, the
 * state file and its use; and dnsbl.c's hooks for them.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "dns.h"
#include "dnsbl.h"
#include "lists.h"
#include "msg.h"
#include "unit.h"

static struct dns *run_dns;	/* the DNS service of run_start's run */

/* A dnsbl run for ip on a DNS service of its own (run_free frees both). */
static struct dnsbl_run *
run_start(const struct dnsbl_conf *c, const char *ip, const char *rh,
    int flags)
{
	struct ipaddr a;

	run_dns = dns_new(dnsbl_conf_get_servers(c), NULL, 0);
	(void)ipaddr_parses(ip, &a);
	return dnsbl_start_flags(c, run_dns, &a, rh, flags);
}

static void
run_free(struct dnsbl_run *r)
{
	dnsbl_free(r);
	dns_free(run_dns);
	run_dns = NULL;
}

static char dir[] = "/tmp/unit_lists.XXXXXX";
static struct lists_answer ans;

/* ------------------------------------------------------------------ */
/* helpers                                                              */

static struct lists_set *
mem(const char *text, int format, struct lists_stats *st, int *err)
{
	return lists_load_mem(text, strlen(text), format, NULL, time(NULL),
	    st, err);
}

/* Look q up in text: "-" not listed, else "CODES|TXT|TXT" (file order). */
static const char *
look(const char *text, int format, const char *q)
{
	static char out[4096];
	struct lists_set *s;
	struct lists_key k;
	size_t o = 0;
	int e, i;

	if ((s = mem(text, format, NULL, &e)) == NULL) {
		snprintf(out, sizeof(out), "ERR:%s", lists_strerror(e));
		return out;
	}
	if ((format == LISTS_DNSET ? lists_key_domain(&k, q) :
	    lists_key_ip(&k, q)) == -1) {
		lists_set_free(s);
		return "BADKEY";
	}
	if (!lists_lookup(s, &k, &ans)) {
		lists_set_free(s);
		return "-";
	}
	out[0] = '\0';
	for (i = 0; i < ans.n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%lu.%lu.%lu."
		    "%lu", i ? "," : "", ans.code[i] >> 24,
		    (ans.code[i] >> 16) & 255, (ans.code[i] >> 8) & 255,
		    ans.code[i] & 255);
	for (i = 0; i < ans.ntxt; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "|%.*s",
		    (int)ans.txtlen[i], ans.txt[i]);
	lists_set_free(s);
	return out;
}

#define LOOK(text, fmt, q, want) do {					\
	const char *got_ = look(text, fmt, q);				\
	T(strcmp(got_, want) == 0, "%s in %s: got \"%s\" want \"%s\"",	\
	    q, #text, got_, want);					\
} while (0)

static void
write_file(const char *path, const char *text, int gz)
{
	gzFile g;
	FILE *f;

	if (gz) {
		g = gzopen(path, "wb9");
		gzwrite(g, text, (unsigned)strlen(text));
		gzclose(g);
	} else {
		f = fopen(path, "w");
		fputs(text, f);
		fclose(f);
	}
}

static char *
path(const char *name)
{
	static char p[8][256];
	static int i;

	i = (i + 1) % 8;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

/* ------------------------------------------------------------------ */
/* ip4set                                                               */

static const char ip4[] =
    "# comment\n"
    "; other comment\n"
    "$TTL 300\n"
    ":3:default $\n"
    "10.0.0.0/8\n"
    "10.1\n"
    "10.1.2 :4:slash24 $\n"
    "10.1.2.3 :5\n"
    "!10.1.2.4\n"
    "!10.1.3.0/24\n"
    "10.1.3.7 :6:\n"
    "10.2.0.0-10.2.1.255 :7:range\n"
    "10.3.0.250-10.3.1.5 :8:ragged\n"
    "10.4.5.1-9\n"
    "10.5-10.6 :9\n"
    "10.7.0.1 one\n"
    "10.7.0.1 :2:two\n"
    "10.7.0.1 one\n"
    "!10.7.0.2\n"
    "10.7.0.2\n";

static void
test_ip4set(void)
{
	LOOK(ip4, LISTS_IP4SET, "10.9.9.9", "127.0.0.3|default 10.9.9.9");
	LOOK(ip4, LISTS_IP4SET, "10.1.9.9", "127.0.0.3|default 10.1.9.9");
	LOOK(ip4, LISTS_IP4SET, "10.1.2.9", "127.0.0.4|slash24 10.1.2.9");
	LOOK(ip4, LISTS_IP4SET, "10.1.2.3", "127.0.0.5|default 10.1.2.3");
	LOOK(ip4, LISTS_IP4SET, "10.1.2.4", "-");
	LOOK(ip4, LISTS_IP4SET, "10.1.3.6", "-");
	LOOK(ip4, LISTS_IP4SET, "10.1.3.7", "127.0.0.6");
	LOOK(ip4, LISTS_IP4SET, "10.2.1.255", "127.0.0.7|range");
	LOOK(ip4, LISTS_IP4SET, "10.3.0.249", "127.0.0.3|default 10.3.0.249");
	LOOK(ip4, LISTS_IP4SET, "10.3.0.250", "127.0.0.8|ragged");
	LOOK(ip4, LISTS_IP4SET, "10.3.1.5", "127.0.0.8|ragged");
	LOOK(ip4, LISTS_IP4SET, "10.3.1.6", "127.0.0.3|default 10.3.1.6");
	LOOK(ip4, LISTS_IP4SET, "10.4.5.9", "127.0.0.3|default 10.4.5.9");
	LOOK(ip4, LISTS_IP4SET, "10.6.255.255", "127.0.0.9|default "
	    "10.6.255.255");
	LOOK(ip4, LISTS_IP4SET, "10.7.0.1", "127.0.0.3,127.0.0.2|one|two");
	LOOK(ip4, LISTS_IP4SET, "10.7.0.2", "-");
	LOOK(ip4, LISTS_IP4SET, "11.0.0.0", "-");
	LOOK(ip4, LISTS_IP4SET, "9.255.255.255", "-");
	LOOK(ip4, LISTS_IP4SET, "::ffff:10.1.2.3", "127.0.0.5|default "
	    "10.1.2.3");
	LOOK(ip4, LISTS_IP4SET, "2001:db8::1", "-");
	/* rbldnsd refuses these: 0/0, host bits, bare numbers, backwards */
	LOOK("0.0.0.0/0\n", LISTS_IP4SET, "1.2.3.4", "ERR:corrupt");
	LOOK("0/0\n1.1.1.1\n1.1.1.2\n", LISTS_IP4SET, "1.2.3.4", "-");
	LOOK("10.0.0.1/8\n1.1.1.1\n1.1.1.2\n", LISTS_IP4SET, "10.0.0.1", "-");
	LOOK("10\n1.1.1.1\n1.1.1.2\n", LISTS_IP4SET, "10.0.0.1", "-");
	LOOK("5.6.7.8-5.6.7.1\n1.1.1.1\n1.1.1.2\n", LISTS_IP4SET, "5.6.7.5",
	    "-");
	LOOK("1.2-1.2.3.4\n1.1.1.1\n1.1.1.2\n", LISTS_IP4SET, "1.2.0.1", "-");
	LOOK("1.2.3.4/33\n1.1.1.1\n1.1.1.2\n", LISTS_IP4SET, "1.2.3.4", "-");
	LOOK("10/8 :2:x\n", LISTS_IP4SET, "10.200.0.1", "127.0.0.2|x");
	LOOK("1.2.3.4:7:glued\n", LISTS_IP4SET, "1.2.3.4", "127.0.0.7|glued");
	LOOK("1.2.3.4 :10.1:odd A\n", LISTS_IP4SET, "1.2.3.4",
	    "10.0.0.1|odd A");
	LOOK("1.2.3.4 # just a comment\n", LISTS_IP4SET, "1.2.3.4",
	    "127.0.0.2");
	LOOK("1.2.3.4 :0:zero\n2.2.2.2\n3.3.3.3\n", LISTS_IP4SET, "1.2.3.4",
	    "-");
	LOOK("1.2.3.4\r\n", LISTS_IP4SET, "1.2.3.4", "127.0.0.2");
	LOOK("1.2.3.4", LISTS_IP4SET, "1.2.3.4", "127.0.0.2");
	LOOK("  1.2.3.4 \t\n", LISTS_IP4SET, "1.2.3.4", "127.0.0.2");
	LOOK("1.2.3.4\0junk\n", LISTS_IP4SET, "1.2.3.4", "127.0.0.2");
}

/* $ substitution, variables, the base template, truncation. */
static void
test_txt(void)
{
	char big[600], want[300];

	LOOK("$1 one\n1.2.3.4 :2:a $1 b $2 c $$ d $\n", LISTS_IP4SET,
	    "1.2.3.4", "127.0.0.2|a one b $2 c $ d 1.2.3.4");
	LOOK("1.2.3.4 :2:late $1\n$1 defined later\n$1 second ignored\n",
	    LISTS_IP4SET, "1.2.3.4", "127.0.0.2|late defined later");
	LOOK("$= base[$=] ($)\n1.2.3.4 r1\n1.2.3.5\n1.2.3.6 =own $\n",
	    LISTS_IP4SET, "1.2.3.4", "127.0.0.2|base[r1] (1.2.3.4)");
	LOOK("$= base[$=] ($)\n1.2.3.4 r1\n1.2.3.5\n1.2.3.6 =own $\n",
	    LISTS_IP4SET, "1.2.3.5", "127.0.0.2|base[1.2.3.5] (1.2.3.5)");
	LOOK("$= base[$=] ($)\n1.2.3.4 r1\n1.2.3.5\n1.2.3.6 =own $\n",
	    LISTS_IP4SET, "1.2.3.6", "127.0.0.2|own 1.2.3.6");
	LOOK("1.2.3.4 :2:=no base either $\n", LISTS_IP4SET, "1.2.3.4",
	    "127.0.0.2|no base either 1.2.3.4");
	LOOK(":5:dflt\n1.2.3.4 :6\n", LISTS_IP4SET, "1.2.3.4",
	    "127.0.0.6|dflt");
	LOOK(":5:dflt\n1.2.3.4 :6:\n", LISTS_IP4SET, "1.2.3.4", "127.0.0.6");
	LOOK(":5:dflt\n1.2.3.4 own\n", LISTS_IP4SET, "1.2.3.4",
	    "127.0.0.5|own");
	memset(big, 'x', sizeof(big));
	memcpy(big, "1.2.3.4 :2:", 11);
	memcpy(big + 500, "\n", 2);
	memset(want, 'x', sizeof(want));
	memcpy(want, "127.0.0.2|", 10);
	want[10 + 254] = '\0';
	LOOK(big, LISTS_IP4SET, "1.2.3.4", want);
	LOOK("1.2.3.4 :2:$ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $\n",
	    LISTS_IP4SET, "1.2.3.4", "127.0.0.2|1.2.3.4 1.2.3.4 1.2.3.4 "
	    "1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 "
	    "1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 "
	    "1.2.3.4 1.2.3.4 1.2.3.4");
}

/*
 * ":A" entries take the default's TXT from the text store while it grows
 * (a use-after-free the fuzz target found): many of them, every TXT whole.
 */
static void
test_default_txt(void)
{
	struct lists_set *s;
	struct lists_key k;
	char *buf, q[32];
	size_t n = 0, size = 400000, i, bad = 0;
	int e;

	buf = malloc(size);
	n += (size_t)snprintf(buf, size, ":2:%0200d $\n", 7);
	for (i = 0; i < 3000; i++)
		n += (size_t)snprintf(buf + n, size - n, "10.0.%zu.%zu :%zu\n",
		    i / 250, i % 250, 3 + i % 5);
	s = lists_load_mem(buf, n, LISTS_IP4SET, NULL, 0, NULL, &e);
	for (i = 0; s != NULL && i < 3000; i += 7) {
		snprintf(q, sizeof(q), "10.0.%zu.%zu", i / 250, i % 250);
		(void)lists_key_ip(&k, q);
		bad += !lists_lookup(s, &k, &ans) || ans.ntxt != 1 ||
		    ans.txtlen[0] != 201 + strlen(q) ||
		    memcmp(ans.txt[0], "0000", 4) != 0;
	}
	T(s != NULL && bad == 0, "3000 :A entries keep the default TXT: %zu "
	    "bad", bad);
	lists_set_free(s);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* IPv6, dnset                                                          */

static const char ip6[] =
    ":3:v6 $\n"
    "2001:db8::/32\n"
    "2001:db8:1 :4:bare 48\n"
    "2001:DB8:1:2::/64 :5:upper\n"
    "!2001:db8:1:2::5\n"
    "2001:db8:1:2::6 :6:host\n"
    "2001:db8:1:2::6 :7:dup ignored\n"
    "2001:db8:1:3::/64\n"
    "!2001:db8:1:3::/80\n"
    "::1 :8:loop\n"
    "2001:db8:1:2::7/64\n";

static void
test_ip6(void)
{
	LOOK(ip6, LISTS_IP6TRIE, "2001:db8:ffff::1", "127.0.0.3|v6 "
	    "2001:db8:ffff::1");
	LOOK(ip6, LISTS_IP6TRIE, "2001:db8:1::9", "127.0.0.4|bare 48");
	LOOK(ip6, LISTS_IP6TRIE, "2001:db8:1:2::9", "127.0.0.5|upper");
	LOOK(ip6, LISTS_IP6TRIE, "2001:db8:1:2::5", "-");
	LOOK(ip6, LISTS_IP6TRIE, "2001:db8:1:2::6", "127.0.0.6|host");
	LOOK(ip6, LISTS_IP6TRIE, "2001:db8:1:3::1", "-");
	LOOK(ip6, LISTS_IP6TRIE, "2001:db8:1:3:1::1", "127.0.0.3|v6 "
	    "2001:db8:1:3:1::1");
	LOOK(ip6, LISTS_IP6TRIE, "::1", "127.0.0.8|loop");
	LOOK(ip6, LISTS_IP6TRIE, "2001:db9::1", "-");
	LOOK(ip6, LISTS_IP6TRIE, "10.0.0.1", "-");
	/* rbldnsd's address text: the longest zero run, lowercase */
	LOOK("::/0 :2:$\n", LISTS_IP6TRIE, "1:0:0:2:0:0:0:3",
	    "127.0.0.2|1:0:0:2::3");
	LOOK("::/0 :2:$\n", LISTS_IP6TRIE, "1:0:0:2:3:0:0:4",
	    "127.0.0.2|1::2:3:0:0:4");
	LOOK("::/0 :2:$\n", LISTS_IP6TRIE, "ABCD:1:2:3:4:5:6:7",
	    "127.0.0.2|abcd:1:2:3:4:5:6:7");
	LOOK("::/0 :2:$\n", LISTS_IP6TRIE, "1::", "127.0.0.2|1::");
	LOOK("::/0 :2:$\n", LISTS_IP6TRIE, "::", "127.0.0.2|::");
	LOOK("::/0 :2:$\n", LISTS_IP6TRIE, "::1:2:3:4", "127.0.0.2|::1:2:3:4");
	/* ip6tset: /64s, /128 exclusions, one value: the first ':' line */
	LOOK("2001:db8:1:2\n!2001:db8:1:2::5\n:4:tset $\n:5:second\n"
	    "2001:db8:1:3 :9:ignored\n", LISTS_IP6TSET, "2001:db8:1:2::6",
	    "127.0.0.4|tset 2001:db8:1:2::6");
	LOOK("2001:db8:1:2\n!2001:db8:1:2::5\n", LISTS_IP6TSET,
	    "2001:db8:1:2::5", "-");
	LOOK("2001:db8:1:2\n2001:db8::/48\n!2001:db8:1:2::5\n", LISTS_IP6TSET,
	    "2001:db8:1:2:ffff::", "127.0.0.2");
	/* auto: both families in one file */
	LOOK(":2:both\n10.0.0.0/8\n2001:db8::/32\n!2001:db8::1\n",
	    LISTS_AUTO, "2001:db8::2", "127.0.0.2|both");
	LOOK(":2:both\n10.0.0.0/8\n2001:db8::/32\n!2001:db8::1\n",
	    LISTS_AUTO, "10.1.1.1", "127.0.0.2|both");
	LOOK(":2:both\n10.0.0.0/8\n::/0\n!2001:db8::1\n",
	    LISTS_AUTO, "2001:db8::1", "-");
}

static const char dn[] =
    ":3:dn $\n"
    "spam.example\n"
    "*.wild.example :4:wild\n"
    ".both.example :5:both\n"
    "!ok.both.example\n"
    "Upper.Example. :6:case\n"
    "!*.x.spam2.example\n"
    ".spam2.example\n"
    "multi.example :7:a\n"
    "multi.example :8:b\n"
    "multi.example :7:a\n";

static void
test_dnset(void)
{
	LOOK(dn, LISTS_DNSET, "spam.example", "127.0.0.3|dn spam.example");
	LOOK(dn, LISTS_DNSET, "a.spam.example", "-");
	LOOK(dn, LISTS_DNSET, "wild.example", "-");
	LOOK(dn, LISTS_DNSET, "a.b.wild.example", "127.0.0.4|wild");
	LOOK(dn, LISTS_DNSET, "both.example", "127.0.0.5|both");
	LOOK(dn, LISTS_DNSET, "x.both.example", "127.0.0.5|both");
	LOOK(dn, LISTS_DNSET, "ok.both.example", "-");
	LOOK(dn, LISTS_DNSET, "sub.ok.both.example", "127.0.0.5|both");
	LOOK(dn, LISTS_DNSET, "UPPER.example", "127.0.0.6|case");
	LOOK(dn, LISTS_DNSET, "y.x.spam2.example", "-");
	LOOK(dn, LISTS_DNSET, "x.spam2.example", "127.0.0.3|dn spam2.example");
	LOOK(dn, LISTS_DNSET, "multi.example", "127.0.0.7,127.0.0.8|a|b");
	LOOK(dn, LISTS_DNSET, "example", "-");
	LOOK("\\046.x.example\n", LISTS_DNSET, "x.example", "-");
	LOOK("a\\.b.example :2:$\n", LISTS_DNSET, "a.b.example", "-");
	LOOK("*.example :2:$\n", LISTS_DNSET, "a.b\\.c.example",
	    "127.0.0.2|example");
}

/* ------------------------------------------------------------------ */
/* Specials: $MAXRANGE4, $TIMESTAMP                                     */

static void
test_specials(void)
{
	struct lists_set *s;
	char text[256];
	time_t now = time(NULL);
	int e;

	LOOK("$MAXRANGE4 /24\n10.0.0.0/16\n10.1.0.0/24\n10.2.0.0/25\n",
	    LISTS_IP4SET, "10.0.0.1", "-");
	LOOK("$MAXRANGE4 /24\n10.0.0.0/16\n10.1.0.0/24\n10.2.0.0/25\n",
	    LISTS_IP4SET, "10.1.0.1", "127.0.0.2");
	LOOK("$MAXRANGE4 /24\n10.0.0.0/16\n10.1.0.0/24\n10.2.0.0/25\n",
	    LISTS_IP4SET, "10.2.0.1", "127.0.0.2");
	LOOK("$MAXRANGE4 256\n$MAXRANGE4 /8\n10.1.0.0/24\n10.2.0.0/25\n",
	    LISTS_IP4SET, "10.2.0.1", "127.0.0.2");
	LOOK("$TIMESTAMP 2001:01:01 2002-01-01\n1.2.3.4\n", LISTS_IP4SET,
	    "1.2.3.4", "ERR:expired");
	LOOK("$TIMESTAMP 2001:01:01 +1d\n1.2.3.4\n", LISTS_IP4SET, "1.2.3.4",
	    "ERR:expired");
	LOOK("$TIMESTAMP 2001:01:01:12:30:00 2037:12:31\n1.2.3.4\n",
	    LISTS_IP4SET, "1.2.3.4", "127.0.0.2");
	LOOK("$TIMESTAMP 0 -\n1.2.3.4\n", LISTS_IP4SET, "1.2.3.4",
	    "127.0.0.2");
	LOOK("$TIMESTAMP 2038:01:01\n1.2.3.4\n", LISTS_IP4SET, "1.2.3.4",
	    "ERR:future");
	LOOK("$TIMESTAMP 2001:02:30\n1.2.3.4\n2.3.4.5\n", LISTS_IP4SET,
	    "1.2.3.4", "127.0.0.2");
	/* a stamp is checked against the loader's clock */
	snprintf(text, sizeof(text), "$TIMESTAMP 2020:06:01 +%lds\n1.2.3.4\n",
	    (long)(now - 1590969600 + 100));
	s = lists_load_mem(text, strlen(text), LISTS_IP4SET, NULL, now, NULL,
	    &e);
	T(s != NULL && e == LISTS_OK, "relative expiry in the future: %s",
	    lists_strerror(e));
	lists_set_free(s);
	s = lists_load_mem(text, strlen(text), LISTS_IP4SET, NULL, now + 200,
	    NULL, &e);
	T(s == NULL && e == LISTS_EEXPIRED, "expired 100 s later: %s",
	    lists_strerror(e));
	LOOK("$BOGUS\n$TTL\n1.2.3.4\n", LISTS_IP4SET, "1.2.3.4",
	    "ERR:corrupt");
	LOOK("$BOGUS\n1.2.3.4\n2.3.4.5\n", LISTS_IP4SET, "1.2.3.4",
	    "127.0.0.2");
}

/* ------------------------------------------------------------------ */
/* Files: gzip, missing, unreadable, corrupt, too big, NUL bytes        */

static void
test_files(void)
{
	static const char text[] = ":2:file $\n192.0.2.0/24\n!192.0.2.7\n";
	struct lists_stats st;
	struct lists_set *s;
	struct lists_key k;
	char buf[300000], *gzp;
	size_t i, n;
	FILE *f;
	int e, fd;

	(void)lists_key_ip(&k, "192.0.2.9");
	write_file(path("plain"), text, 0);
	write_file(path("gz"), text, 1);
	s = lists_load(path("plain"), LISTS_AUTO, NULL, time(NULL), &st, &e);
	T(s != NULL && lists_lookup(s, &k, &ans) && ans.n == 1 &&
	    st.entries == 2 && st.lines == 3, "plain file");
	lists_set_free(s);
	s = lists_load(path("gz"), LISTS_AUTO, NULL, time(NULL), &st, &e);
	T(s != NULL && lists_lookup(s, &k, &ans) && ans.ntxt == 1 &&
	    memcmp(ans.txt[0], "file 192.0.2.9", 14) == 0, "gzip file");
	lists_set_free(s);
	s = lists_load(path("nonesuch"), LISTS_AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTS_EMISSING, "missing: %s", lists_strerror(e));
	s = lists_load(dir, LISTS_AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTS_EUNREADABLE, "directory: %s",
	    lists_strerror(e));
	T(mkfifo(path("fifo"), 0600) == 0, "mkfifo");
	s = lists_load(path("fifo"), LISTS_AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTS_EUNREADABLE, "fifo (no hang): %s",
	    lists_strerror(e));
	if (getuid() != 0) {
		write_file(path("noperm"), text, 0);
		chmod(path("noperm"), 0);
		s = lists_load(path("noperm"), LISTS_AUTO, NULL, 0, &st, &e);
		T(s == NULL && e == LISTS_EUNREADABLE, "mode 0: %s",
		    lists_strerror(e));
	}
	/* a gzip stream cut short, or damaged, is corrupt, never a list */
	for (i = 0, n = 0; i < 2000; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "10.%zu.%zu.0/24 :2:entry %zu with some text\n", i / 256,
		    i % 256, i);
	write_file(path("big.gz"), buf, 1);
	gzp = path("big.gz");
	f = fopen(gzp, "r+");
	fseek(f, 0, SEEK_END);
	n = (size_t)ftell(f);
	T(ftruncate(fileno(f), (off_t)(n / 2)) == 0, "truncate");
	fclose(f);
	s = lists_load(gzp, LISTS_AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTS_ECORRUPT, "truncated gzip: %s",
	    lists_strerror(e));
	write_file(path("big.gz"), buf, 1);
	fd = open(gzp, O_RDWR);
	T(pwrite(fd, "\xff\xff\xff\xff", 4, 300) == 4, "damage");
	close(fd);
	s = lists_load(gzp, LISTS_AUTO, NULL, 0, &st, &e);
	T(s == NULL && (e == LISTS_ECORRUPT), "damaged gzip: %s",
	    lists_strerror(e));
	write_file(path("html"), "<html>\n<body>404 Not Found</body>\n"
	    "</html>\n", 0);
	s = lists_load(path("html"), LISTS_AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTS_ECORRUPT && st.invalid == 3 &&
	    st.firstbad == 1, "not a list: %s", lists_strerror(e));
	s = lists_load_mem("1.2.3.4\0junk\n5.6.7.8\n", 21, LISTS_IP4SET, NULL,
	    0, &st, &e);
	T(s != NULL && st.entries == 2 && st.invalid == 0, "NUL ends a line");
	lists_set_free(s);
	s = lists_load_mem("", 0, LISTS_IP4SET, NULL, 0, &st, &e);
	T(s != NULL && st.lines == 0, "empty file is an empty list");
	lists_set_free(s);
}

/* Over LISTS_MAXUNITS entries (ranges expanded) is "toobig". */
static void
test_toobig(void)
{
	struct lists_stats st;
	struct lists_set *s;
	struct lists_key k;
	char *buf;
	size_t n = 0, i, size = 4000 * 32;
	int e;

	buf = malloc(size);
	(void)lists_key_ip(&k, "1.2.3.4");
	/* 1274 units a line: 3925 lines reach 5,000,000 */
	for (i = 0; i < 3900; i++)
		n += (size_t)snprintf(buf + n, size - n,
		    "1.0.0.1-1.255.255.254\n");
	s = lists_load_mem(buf, n, LISTS_IP4SET, &k, 0, &st, &e);
	T(s != NULL && st.units == 3900 * 1274UL && st.kept == 3900,
	    "under the cap: units %zu kept %zu", st.units, st.kept);
	T(s != NULL && lists_lookup(s, &k, &ans) && ans.n == 1,
	    "filtered read finds it");
	lists_set_free(s);
	for (; i < 4000; i++)
		n += (size_t)snprintf(buf + n, size - n,
		    "1.0.0.1-1.255.255.254\n");
	s = lists_load_mem(buf, n, LISTS_IP4SET, &k, 0, &st, &e);
	T(s == NULL && e == LISTS_ETOOBIG, "over the cap: %s",
	    lists_strerror(e));
	free(buf);
}

/* A filtered read (one message) answers exactly as a whole read. */
static void
test_filtered(void)
{
	static const char *const texts[] = { ip4, ip6, dn };
	static const int fmts[] = { LISTS_IP4SET, LISTS_IP6TRIE, LISTS_DNSET };
	static const char *const q4[] = { "10.1.2.3", "10.1.2.4", "10.7.0.1",
	    "10.3.1.5", "10.5.0.0", "10.6.255.255", "10.1.3.7", "1.1.1.1" };
	static const char *const q6[] = { "2001:db8:1:2::5", "2001:db8::1",
	    "::1", "2001:db8:1:2::6", "2001:db8:1:3::1", "fe80::1" };
	static const char *const qd[] = { "spam.example", "a.wild.example",
	    "ok.both.example", "multi.example", "x.y.both.example", "no.ne" };
	static const char *const *qs[] = { q4, q6, qd };
	static const size_t nq[] = { 8, 6, 6 };
	struct lists_answer a2;
	struct lists_set *whole, *part;
	struct lists_key k;
	size_t t, i;
	int e, h1, h2;

	for (t = 0; t < 3; t++) {
		whole = mem(texts[t], fmts[t], NULL, &e);
		for (i = 0; i < nq[t]; i++) {
			(void)(fmts[t] == LISTS_DNSET ? lists_key_domain(&k,
			    qs[t][i]) : lists_key_ip(&k, qs[t][i]));
			part = lists_load_mem(texts[t], strlen(texts[t]),
			    fmts[t], &k, 0, NULL, &e);
			h1 = lists_lookup(whole, &k, &ans);
			h2 = lists_lookup(part, &k, &a2);
			T(h1 == h2 && ans.n == a2.n && ans.ntxt == a2.ntxt &&
			    (!h1 || memcmp(ans.code, a2.code, sizeof(ans.code[0])
			    * (size_t)ans.n) == 0), "filtered %s", qs[t][i]);
			lists_set_free(part);
		}
		lists_set_free(whole);
	}
}

/* ------------------------------------------------------------------ */
/* dnsbl.c's hooks                                                      */

static void
test_dnsbl_hooks(void)
{
	char *w1[] = { "iplist", "L1", "/x", "127.0.0.[2..3]=2.5:T_A",
	    "127.0.0.9=error", "notxt" };
	char *w2[] = { "ipwl", "L2", "/x" };
	char *w3[] = { "iplist", "bad label", "/x" };
	char *w4[] = { "iplist", "L4", "/x", "profile=zen", "SPAMHAUS_PBL=0.5",
	    "notest" };
	struct dnsbl_list_info info;
	struct dnsbl_class c;
	struct dnsbl_list *l;
	unsigned long codes[3];
	const char *test;
	char err[128];
	double w;

	l = dnsbl_list_new("dnsbl", 6, w1, err, sizeof(err));
	T(l != NULL, "dnsbl_list_new: %s", err);
	dnsbl_list_info(l, &info);
	T(strcmp(info.label, "L1") == 0 && strcmp(info.kind, "dnsbl") == 0 &&
	    info.txt == 0 && info.nfilters == 2 && !info.notest, "info");
	T(dnsbl_list_filter(l, 0, &test, &w) == 1 && strcmp(test, "T_A") ==
	    0 && w == 2.5, "filter 0");
	T(dnsbl_list_filter(l, 1, &test, &w) == 0, "filter 1 is an error one");
	T(dnsbl_list_filter(l, 2, &test, &w) == -1, "no filter 2");
	codes[0] = 0x7f000003UL;
	codes[1] = 0x7f000005UL;
	T(dnsbl_classify_codes(l, codes, 2, &c) == DNSBL_LISTED &&
	    c.fmask[0] == 1 && strcmp(c.answer, "127.0.0.3,127.0.0.5") == 0,
	    "listed: %s", c.answer);
	T(dnsbl_classify_codes(l, codes + 1, 1, &c) == DNSBL_CLEAN,
	    "unmatched code: clean");
	codes[2] = 0x7f000009UL;
	T(dnsbl_classify_codes(l, codes, 3, &c) == DNSBL_ERROR &&
	    strcmp(c.answer, "127.0.0.9") == 0, "error filter");
	codes[0] = 0x0a000001UL;
	T(dnsbl_classify_codes(l, codes, 1, &c) == DNSBL_ERROR,
	    "outside 127/8");
	codes[0] = 0x7fffffe0UL;
	T(dnsbl_classify_codes(l, codes, 1, &c) == DNSBL_ERROR,
	    "127.255.255.224: %s", c.answer);
	T(dnsbl_classify_codes(l, codes, 0, &c) == DNSBL_CLEAN, "no codes");
	dnsbl_list_free(l);
	l = dnsbl_list_new("dnswl", 3, w2, err, sizeof(err));
	T(l != NULL && dnsbl_list_filter(l, 0, &test, &w) == 1 && w == -1.0,
	    "ipwl weight -1");
	dnsbl_list_free(l);
	T(dnsbl_list_new("dnsbl", 3, w3, err, sizeof(err)) == NULL &&
	    strstr(err, "bad label") != NULL, "bad label: %s", err);
	T(dnsbl_list_new("other", 3, w2, err, sizeof(err)) == NULL,
	    "bad kind");
	l = dnsbl_list_new("dnsbl", 6, w4, err, sizeof(err));
	T(l != NULL, "profile=zen: %s", err);
	dnsbl_list_info(l, &info);
	T(info.notest, "notest");
	codes[0] = 0x7f00000aUL;
	T(l != NULL && dnsbl_classify_codes(l, codes, 1, &c) ==
	    DNSBL_LISTED && dnsbl_list_filter(l, 4, &test, &w) == 1 &&
	    strcmp(test, "SPAMHAUS_PBL") == 0 && w == 0.5, "zen profile");
	dnsbl_list_free(l);
}

/* dnsbl_conf_skip: a broken list ends as an error at once, unqueried. */
static void
test_skip(void)
{
	char *w[] = { "dnsbl", "BL", "bl.invalid" };
	char *s[] = { "dns", "127.0.0.1:9" };
	const struct dnsbl_result *d;
	struct dnsbl_conf *c = dnsbl_conf_new();
	struct dnsbl_run *r;
	char err[128];

	T(dnsbl_conf_line(c, 3, w, err, sizeof(err)) == 0 &&
	    dnsbl_conf_line(c, 2, s, err, sizeof(err)) == 0, "conf");
	T(dnsbl_conf_skip(c, "NOPE", 1) == -1 && errno == ENOENT,
	    "unknown label");
	T(dnsbl_conf_skip(c, "BL", 1) == 0, "skip");
	r = run_start(c, "192.0.2.1", "host.example", 0);
	d = dnsbl_result(r, 0);
	T(r != NULL && dnsbl_pending(r) == 1 && d != NULL &&
	    d->verdict == DNSBL_ERROR && strcmp(d->answer, "broken") == 0 &&
	    strcmp(d->label, "BL") == 0, "broken list: %s",
	    d ? d->answer : "none");
	run_free(r);
	r = run_start(c, "192.0.2.1", NULL, DNSBL_NOSKIP |
	    DNSBL_NORDNS);
	T(r != NULL && dnsbl_pending(r) == 1 && dnsbl_nresults(r) == 0,
	    "NOSKIP queries it");
	run_free(r);
	T(dnsbl_conf_skip(c, "BL", 0) == 0, "unskip");
	r = run_start(c, "192.0.2.1", NULL, DNSBL_NORDNS);
	T(r != NULL && dnsbl_pending(r) == 1 && dnsbl_nresults(r) == 0,
	    "usable again");
	run_free(r);
	dnsbl_conf_free(c);
}

/* ------------------------------------------------------------------ */
/* Policy lines and one message                                         */

static int
conf(struct lists_conf *c, const char *line, char *err, size_t errlen)
{
	char buf[1024], *w[64], *p, *save;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok_r(buf, " ", &save); p != NULL && n < 64;
	    p = strtok_r(NULL, " ", &save))
		w[n++] = p;
	err[0] = '\0';
	return lists_conf_line(c, n, w, err, errlen);
}

static void
test_conf(void)
{
	struct lists_conf *c = lists_conf_new();
	struct dnsbl_conf *dc = dnsbl_conf_new();
	char line[512], err[200], *dw[] = { "dnsbl", "DNS1", "bl.example" };

	snprintf(line, sizeof(line), "iplist MINE %s 127.0.0.2=3:MY_TEST",
	    path("plain"));
	T(conf(c, line, err, sizeof(err)) == 0, "iplist: %s", err);
	snprintf(line, sizeof(line), "ipwl OURS %s format=ip4set", path("gz"));
	T(conf(c, line, err, sizeof(err)) == 0, "ipwl: %s", err);
	snprintf(line, sizeof(line), "domainlist DOMS %s notxt", path("dn"));
	T(conf(c, line, err, sizeof(err)) == 0, "domainlist: %s", err);
	T(conf(c, "state /var/tmp/x.state 10m", err, sizeof(err)) == 0 &&
	    strcmp(lists_conf_state(c), "/var/tmp/x.state") == 0, "state: %s",
	    err);
	T(lists_conf_nlists(c) == 3, "three lists");
	T(conf(c, "iplist MINE /a", err, sizeof(err)) == -1 &&
	    strstr(err, "duplicate") != NULL, "duplicate: %s", err);
	T(conf(c, "iplist REL rel/file", err, sizeof(err)) == -1 &&
	    strstr(err, "absolute") != NULL, "relative: %s", err);
	T(conf(c, "iplist F /a format=dnset", err, sizeof(err)) == -1,
	    "iplist dnset: %s", err);
	T(conf(c, "domainlist F /a format=ip4set", err, sizeof(err)) == -1,
	    "domainlist ip4set: %s", err);
	T(conf(c, "iplist F /a format=zork", err, sizeof(err)) == -1,
	    "unknown format: %s", err);
	T(conf(c, "iplist F /a 127.0.0.300", err, sizeof(err)) == -1,
	    "bad filter: %s", err);
	T(conf(c, "iplist F /a frobnicate", err, sizeof(err)) == -1,
	    "bad option: %s", err);
	T(conf(c, "iplist F", err, sizeof(err)) == -1, "short: %s", err);
	T(conf(c, "state", err, sizeof(err)) == -1, "state alone: %s", err);
	T(conf(c, "state /x 0", err, sizeof(err)) == -1, "age 0: %s", err);
	T(conf(c, "state /x 5y", err, sizeof(err)) == -1, "age 5y: %s", err);
	T(conf(c, "state x", err, sizeof(err)) == -1, "relative state");
	T(conf(c, "dnsbl X x.example", err, sizeof(err)) == -1, "not ours");
	T(lists_conf_check(c, dc, err, sizeof(err)) == 0, "no clash");
	dnsbl_conf_line(dc, 3, dw, err, sizeof(err));
	T(lists_conf_check(c, dc, err, sizeof(err)) == 0, "still no clash");
	T(conf(c, "iplist DNS1 /a", err, sizeof(err)) == 0 &&
	    lists_conf_check(c, dc, err, sizeof(err)) == -1, "clash: %s", err);
	dnsbl_conf_free(dc);
	lists_conf_free(c);
}

static void
test_run(void)
{
	struct lists_conf *c = lists_conf_new();
	const struct dnsbl_result *d;
	struct lists_run *r;
	char line[512], err[200];

	write_file(path("l4"), ":2:local $\n192.0.2.0/24\n192.0.2.9 :3:\n"
	    "192.0.2.10 :127.255.255.254:blocked\n2001:db8::/32 :4:six\n"
	    "192.0.2.11 :2:two\n192.0.2.11 :5:five\n", 1);
	write_file(path("dn"), ":2:dom $\n.spam.example\n", 0);
	snprintf(line, sizeof(line), "iplist MINE %s 127.0.0.2=3:MY_A "
	    "127.0.0.[3..5]=1.5:MY_B", path("l4"));
	conf(c, line, err, sizeof(err));
	snprintf(line, sizeof(line), "ipwl WL %s ipv4", path("l4"));
	conf(c, line, err, sizeof(err));
	snprintf(line, sizeof(line), "iplist GONE %s", path("nonesuch"));
	conf(c, line, err, sizeof(err));
	snprintf(line, sizeof(line), "domainlist DOMS %s", path("dn"));
	conf(c, line, err, sizeof(err));

	r = lists_start(c, "192.0.2.11");
	T(lists_nresults(r) == 4, "results: %zu", lists_nresults(r));
	d = lists_result(r, 0);
	T(d && d->verdict == DNSBL_LISTED && strcmp(d->test, "MY_A") == 0 &&
	    d->weight == 3 && strcmp(d->kind, "dnsbl") == 0 &&
	    strcmp(d->label, "MINE") == 0 && strcmp(d->answer, "127.0.0.2") ==
	    0 && strcmp(d->subject, "192.0.2.11") == 0 && d->txtlen == 8 &&
	    memcmp(d->txt, "two five", 8) == 0, "MY_A");
	d = lists_result(r, 1);
	T(d && d->verdict == DNSBL_LISTED && strcmp(d->test, "MY_B") == 0 &&
	    d->weight == 1.5 && strcmp(d->answer, "127.0.0.5") == 0, "MY_B");
	d = lists_result(r, 2);
	T(d && d->verdict == DNSBL_LISTED && strcmp(d->kind, "dnswl") == 0 &&
	    d->weight == -1 && strcmp(d->answer, "127.0.0.2,127.0.0.5") == 0 &&
	    d->txt == NULL, "ipwl: %s", d ? d->answer : "");
	d = lists_result(r, 3);
	T(d && d->verdict == DNSBL_ERROR && strcmp(d->answer, "missing") == 0 &&
	    strcmp(d->label, "GONE") == 0, "missing file: error");
	lists_domain(r, DNSBL_SENDER, "A.Spam.Example.");
	lists_domain(r, DNSBL_FROM, "a.spam.example");
	lists_domain(r, DNSBL_FROM, "bogus");
	T(lists_nresults(r) == 5, "domain: %zu", lists_nresults(r));
	d = lists_result(r, 4);
	T(d && d->verdict == DNSBL_LISTED && strcmp(d->kind, "rhsbl") == 0 &&
	    strcmp(d->subject, "a.spam.example") == 0 && d->source ==
	    (DNSBL_FROM | DNSBL_SENDER) && d->txtlen == 16 &&
	    memcmp(d->txt, "dom spam.example", 16) == 0, "domain listed");
	lists_free(r);

	r = lists_start(c, "192.0.2.10");
	d = lists_result(r, 0);
	T(d && d->verdict == DNSBL_ERROR && strcmp(d->answer,
	    "127.255.255.254") == 0, "error code in a local list: error");
	lists_free(r);
	r = lists_start(c, "198.51.100.1");
	d = lists_result(r, 0);
	T(lists_nresults(r) == 3 && d && d->verdict == DNSBL_CLEAN &&
	    d->answer[0] == '\0', "not listed: clean");
	lists_free(r);
	r = lists_start(c, "2001:db8::5");
	T(lists_nresults(r) == 2 && strcmp(lists_result(r, 0)->test, "MY_B") ==
	    0, "IPv6 client; the ipv4 list is not asked");
	lists_free(r);
	r = lists_start(c, "not an ip");
	T(r != NULL && lists_nresults(r) == 0, "bad ip: nothing");
	lists_free(r);
	T(lists_nresults(NULL) == 0 && lists_result(NULL, 0) == NULL,
	    "NULL run");
	lists_free(NULL);
	lists_conf_free(c);
}

/* ------------------------------------------------------------------ */
/* The state file                                                       */

static void
test_state_file(void)
{
	struct lists_health h[4], r[8];
	char *p = path("state"), buf[512];
	struct stat st;
	time_t when;
	size_t n;
	FILE *f;

	memset(h, 0, sizeof(h));
	h[0].label = "ZEN";
	h[1].label = "SPAMCOP";
	h[1].broken = 1;
	snprintf(h[1].reason, sizeof(h[1].reason), "127.0.0.2:timeout");
	h[2].label = "LOCAL";
	h[2].local = 1;
	h[2].broken = 1;
	h[3].label = "DBL";
	h[3].broken = 1;
	snprintf(h[3].reason, sizeof(h[3].reason), "test:127.0.1.255");
	T(lists_state_write(p, 1700000000, h, 4) == 0, "write");
	T(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644, "mode 0644");
	T(lists_state_read(p, &when, r, 8, &n) == 0 && n == 3 && when ==
	    1700000000 && strcmp(r[1].label, "SPAMCOP") == 0 && r[1].broken &&
	    strcmp(r[1].reason, "127.0.0.2:timeout") == 0 && !r[0].broken &&
	    strcmp(r[2].label, "DBL") == 0, "read back: n %zu", n);
	lists_state_free(r, n);
	f = fopen(p, "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	T(strcmp(buf, "qqtag-health 1 1700000000\nok ZEN\nbroken SPAMCOP "
	    "127.0.0.2:timeout\nbroken DBL test:127.0.1.255\nend 3\n") == 0,
	    "text: %s", buf);
	T(lists_state_read(path("nostate"), &when, r, 8, &n) == -1 &&
	    errno == ENOENT, "missing");
}

/* Every damaged form of a state file reads as corrupt, keeping nothing. */
static void
test_state_corrupt(void)
{
	static const char *const bad[] = {
	    "",
	    "qqtag-health 1 1700000000\nok ZEN\n",
	    "qqtag-health 1 1700000000\nok ZEN\nend 1",
	    "qqtag-health 1 1700000000\nok ZEN\nend 2\n",
	    "qqtag-health 1 1700000000\nok ZEN\nend 1\nok X\n",
	    "qqtag-health 2 1700000000\nok ZEN\nend 1\n",
	    "qqtag-health 1 -5\nend 0\n",
	    "qqtag-health 1 17x\nend 0\n",
	    "qqtag-health  1 1700000000\nend 0\n",
	    "qqtag-health 1 1700000000\nbroken ZEN\nend 1\n",
	    "qqtag-health 1 1700000000\nbroken Z@N why\nend 1\n",
	    "qqtag-health 1 1700000000\nok ZEN extra\nend 1\n",
	    "qqtag-health 1 1700000000\nok ZEN \nend 1\n",
	    "qqtag-health 1 1700000000\nmaybe ZEN\nend 1\n",
	    "qqtag-health 1 1700000000\r\nok ZEN\r\nend 1\r\n",
	    "\x1f\x8b\x08\x00garbage",
	};
	struct lists_health r[8];
	time_t when;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path("bad"), bad[i], 0);
		T(lists_state_read(path("bad"), &when, r, 8, &n) == -1 &&
		    errno == EINVAL && n == 0, "corrupt state %zu", i);
	}
	write_file(path("bad"), "qqtag-health 1 1700000000\nok A\nok B\n"
	    "end 2\n", 0);
	T(lists_state_read(path("bad"), &when, r, 1, &n) == -1 && n == 0,
	    "more entries than room");
}

/* lists_state_apply: fresh marks, stale / future / corrupt do not. */
static void
test_state_apply(void)
{
	char *w1[] = { "dnsbl", "ZEN", "zen.example" };
	char *w2[] = { "dnsbl", "SC", "sc.example" };
	struct dnsbl_conf *dc = dnsbl_conf_new();
	struct lists_conf *c = lists_conf_new();
	struct lists_health h[3];
	const struct dnsbl_result *d;
	struct dnsbl_run *r;
	char line[300], err[200];
	time_t now = time(NULL);

	dnsbl_conf_line(dc, 3, w1, err, sizeof(err));
	dnsbl_conf_line(dc, 3, w2, err, sizeof(err));
	T(lists_state_apply(c, dc, now, err, sizeof(err)) == -1 && errno ==
	    ENOENT, "no state configured");
	snprintf(line, sizeof(line), "state %s 600", path("st"));
	conf(c, line, err, sizeof(err));
	T(lists_state_apply(c, dc, now, err, sizeof(err)) == -1 && errno ==
	    ENOENT && strstr(err, "missing") != NULL, "none written: %s", err);
	memset(h, 0, sizeof(h));
	h[0].label = "ZEN";
	h[0].broken = 1;
	snprintf(h[0].reason, sizeof(h[0].reason), "x");
	h[1].label = "SC";
	h[2].label = "GONE";
	h[2].broken = 1;
	snprintf(h[2].reason, sizeof(h[2].reason), "y");
	lists_state_write(path("st"), now - 60, h, 3);
	T(lists_state_apply(c, dc, now, err, sizeof(err)) == 1,
	    "fresh: one marked");
	r = run_start(dc, "192.0.2.1", NULL, DNSBL_NORDNS);
	d = dnsbl_result(r, 0);
	T(d != NULL && strcmp(d->label, "ZEN") == 0 && strcmp(d->answer,
	    "broken") == 0 && dnsbl_pending(r) == 1, "ZEN skipped, SC asked");
	run_free(r);
	T(lists_state_apply(c, dc, now + 600, err, sizeof(err)) == -1 &&
	    errno == EINVAL && strstr(err, "stale") != NULL, "stale: %s", err);
	r = run_start(dc, "192.0.2.1", NULL, DNSBL_NORDNS);
	T(dnsbl_nresults(r) == 0 && dnsbl_pending(r) == 2,
	    "stale: every list usable again");
	run_free(r);
	T(lists_state_apply(c, dc, now - 3600, err, sizeof(err)) == -1 &&
	    strstr(err, "future") != NULL, "future: %s", err);
	T(lists_state_apply(c, dc, now, err, sizeof(err)) == 1, "again");
	write_file(path("st"), "qqtag-health 1 5\nbroken ZEN x\n", 0);
	T(lists_state_apply(c, dc, now, err, sizeof(err)) == -1 &&
	    errno == EINVAL && strstr(err, "corrupt") != NULL, "truncated: %s",
	    err);
	r = run_start(dc, "192.0.2.1", NULL, DNSBL_NORDNS);
	T(dnsbl_nresults(r) == 0, "corrupt: usable");
	run_free(r);
	lists_conf_free(c);
	dnsbl_conf_free(dc);
}

/* The probe with no DNS list: local lists read whole, state written. */
static void
test_probe_local(void)
{
	struct lists_conf *c = lists_conf_new();
	struct lists_health h[4], r[4];
	char line[300], err[200];
	time_t when;
	size_t n, nh;
	int k;

	snprintf(line, sizeof(line), "iplist A %s", path("l4"));
	conf(c, line, err, sizeof(err));
	snprintf(line, sizeof(line), "iplist B %s", path("nonesuch"));
	conf(c, line, err, sizeof(err));
	snprintf(line, sizeof(line), "state %s", path("pst"));
	conf(c, line, err, sizeof(err));
	k = lists_probe(c, NULL, 100, h, 4, &nh, err, sizeof(err));
	T(k == 1 && nh == 2 && h[0].local && !h[0].broken && strcmp(h[0].reason,
	    "entries:6") == 0 && h[1].broken && strcmp(h[1].reason,
	    "missing") == 0 && strcmp(h[1].kind, "iplist") == 0,
	    "probe of local lists: %d %s %s", k, h[0].reason, h[1].reason);
	T(lists_health_text(&h[1], line, sizeof(line)) == 0 &&
	    strstr(line, "BROKEN") != NULL, "text: %s", line);
	T(lists_health_text(&h[1], line, 10) == -1 && strlen(line) == 9,
	    "text cut");
	T(lists_state_read(path("pst"), &when, r, 4, &n) == 0 && n == 0,
	    "local lists are not in the state");
	snprintf(line, sizeof(line), "state %s/no/such/dir/st", dir);
	conf(c, line, err, sizeof(err));
	T(lists_probe(c, NULL, 100, h, 4, &nh, err, sizeof(err)) == -1 &&
	    nh == 2 && strstr(err, "cannot write") != NULL, "unwritable: %s",
	    err);
	lists_conf_free(c);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_ip4set();
	test_txt();
	test_default_txt();
	test_ip6();
	test_dnset();
	test_specials();
	test_files();
	test_toobig();
	test_filtered();
	test_dnsbl_hooks();
	test_skip();
	test_conf();
	test_run();
	test_state_file();
	test_state_corrupt();
	test_state_apply();
	test_probe_local();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}

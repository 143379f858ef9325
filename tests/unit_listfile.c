/*
 * unit_listfile.c: listfile.c -- the rbldnsd file syntax (ip4set,
 * ip6trie, ip6tset, dnset, values, specials), lookups, filtered reads
 * against whole reads, gzip and broken files.
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

#include "listfile.h"
#include "listtest.h"

/* The formats, short: the tables of lookups below are long enough. */
#define AUTO	LISTFILE_AUTO
#define IP4SET	LISTFILE_IP4SET
#define IP6TRIE	LISTFILE_IP6TRIE
#define IP6TSET	LISTFILE_IP6TSET
#define DNSET	LISTFILE_DNSET

static struct listfile_answer ans;

/* ------------------------------------------------------------------ */
/* helpers                                                              */

static struct listfile *
mem(const char *text, int format, struct listfile_stats *st, int *err)
{
	return listfile_load_mem(text, strlen(text), format, NULL, time(NULL),
	    st, err);
}

/* Look q up in text: "-" not listed, else "CODES|TXT|TXT" (file order). */
static const char *
look(const char *text, int format, const char *q)
{
	static char out[4096];
	struct listfile *s;
	struct listfile_key k;
	size_t o = 0;
	int e, i;

	if ((s = mem(text, format, NULL, &e)) == NULL) {
		snprintf(out, sizeof(out), "ERR:%s", listfile_strerror(e));
		return out;
	}
	if ((format == DNSET ? listfile_key_domain(&k, q) :
	    listfile_key_ip(&k, q)) == -1) {
		listfile_free(s);
		return "BADKEY";
	}
	if (!listfile_lookup(s, &k, &ans)) {
		listfile_free(s);
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
	listfile_free(s);
	return out;
}

#define LOOK(text, fmt, q, want) do {					\
	const char *got_ = look(text, fmt, q);				\
	T(strcmp(got_, want) == 0, "%s in %s: got \"%s\" want \"%s\"",	\
	    q, #text, got_, want);					\
} while (0)

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
	LOOK(ip4, IP4SET, "10.9.9.9", "127.0.0.3|default 10.9.9.9");
	LOOK(ip4, IP4SET, "10.1.9.9", "127.0.0.3|default 10.1.9.9");
	LOOK(ip4, IP4SET, "10.1.2.9", "127.0.0.4|slash24 10.1.2.9");
	LOOK(ip4, IP4SET, "10.1.2.3", "127.0.0.5|default 10.1.2.3");
	LOOK(ip4, IP4SET, "10.1.2.4", "-");
	LOOK(ip4, IP4SET, "10.1.3.6", "-");
	LOOK(ip4, IP4SET, "10.1.3.7", "127.0.0.6");
	LOOK(ip4, IP4SET, "10.2.1.255", "127.0.0.7|range");
	LOOK(ip4, IP4SET, "10.3.0.249", "127.0.0.3|default 10.3.0.249");
	LOOK(ip4, IP4SET, "10.3.0.250", "127.0.0.8|ragged");
	LOOK(ip4, IP4SET, "10.3.1.5", "127.0.0.8|ragged");
	LOOK(ip4, IP4SET, "10.3.1.6", "127.0.0.3|default 10.3.1.6");
	LOOK(ip4, IP4SET, "10.4.5.9", "127.0.0.3|default 10.4.5.9");
	LOOK(ip4, IP4SET, "10.6.255.255", "127.0.0.9|default "
	    "10.6.255.255");
	LOOK(ip4, IP4SET, "10.7.0.1", "127.0.0.3,127.0.0.2|one|two");
	LOOK(ip4, IP4SET, "10.7.0.2", "-");
	LOOK(ip4, IP4SET, "11.0.0.0", "-");
	LOOK(ip4, IP4SET, "9.255.255.255", "-");
	LOOK(ip4, IP4SET, "::ffff:10.1.2.3", "127.0.0.5|default "
	    "10.1.2.3");
	LOOK(ip4, IP4SET, "2001:db8::1", "-");
	/* rbldnsd refuses these: 0/0, host bits, bare numbers, backwards */
	LOOK("0.0.0.0/0\n", IP4SET, "1.2.3.4", "ERR:corrupt");
	LOOK("0/0\n1.1.1.1\n1.1.1.2\n", IP4SET, "1.2.3.4", "-");
	LOOK("10.0.0.1/8\n1.1.1.1\n1.1.1.2\n", IP4SET, "10.0.0.1", "-");
	LOOK("10\n1.1.1.1\n1.1.1.2\n", IP4SET, "10.0.0.1", "-");
	LOOK("5.6.7.8-5.6.7.1\n1.1.1.1\n1.1.1.2\n", IP4SET, "5.6.7.5",
	    "-");
	LOOK("1.2-1.2.3.4\n1.1.1.1\n1.1.1.2\n", IP4SET, "1.2.0.1", "-");
	LOOK("1.2.3.4/33\n1.1.1.1\n1.1.1.2\n", IP4SET, "1.2.3.4", "-");
	LOOK("10/8 :2:x\n", IP4SET, "10.200.0.1", "127.0.0.2|x");
	LOOK("1.2.3.4:7:glued\n", IP4SET, "1.2.3.4", "127.0.0.7|glued");
	LOOK("1.2.3.4 :10.1:odd A\n", IP4SET, "1.2.3.4",
	    "10.0.0.1|odd A");
	LOOK("1.2.3.4 # just a comment\n", IP4SET, "1.2.3.4",
	    "127.0.0.2");
	LOOK("1.2.3.4 :0:zero\n2.2.2.2\n3.3.3.3\n", IP4SET, "1.2.3.4",
	    "-");
	LOOK("1.2.3.4\r\n", IP4SET, "1.2.3.4", "127.0.0.2");
	LOOK("1.2.3.4", IP4SET, "1.2.3.4", "127.0.0.2");
	LOOK("  1.2.3.4 \t\n", IP4SET, "1.2.3.4", "127.0.0.2");
	LOOK("1.2.3.4\0junk\n", IP4SET, "1.2.3.4", "127.0.0.2");
}

/* $ substitution, variables, the base template, truncation. */
static void
test_txt(void)
{
	char big[600], want[300];

	LOOK("$1 one\n1.2.3.4 :2:a $1 b $2 c $$ d $\n", IP4SET,
	    "1.2.3.4", "127.0.0.2|a one b $2 c $ d 1.2.3.4");
	LOOK("1.2.3.4 :2:late $1\n$1 defined later\n$1 second ignored\n",
	    IP4SET, "1.2.3.4", "127.0.0.2|late defined later");
	LOOK("$= base[$=] ($)\n1.2.3.4 r1\n1.2.3.5\n1.2.3.6 =own $\n",
	    IP4SET, "1.2.3.4", "127.0.0.2|base[r1] (1.2.3.4)");
	LOOK("$= base[$=] ($)\n1.2.3.4 r1\n1.2.3.5\n1.2.3.6 =own $\n",
	    IP4SET, "1.2.3.5", "127.0.0.2|base[1.2.3.5] (1.2.3.5)");
	LOOK("$= base[$=] ($)\n1.2.3.4 r1\n1.2.3.5\n1.2.3.6 =own $\n",
	    IP4SET, "1.2.3.6", "127.0.0.2|own 1.2.3.6");
	LOOK("1.2.3.4 :2:=no base either $\n", IP4SET, "1.2.3.4",
	    "127.0.0.2|no base either 1.2.3.4");
	LOOK(":5:dflt\n1.2.3.4 :6\n", IP4SET, "1.2.3.4",
	    "127.0.0.6|dflt");
	LOOK(":5:dflt\n1.2.3.4 :6:\n", IP4SET, "1.2.3.4", "127.0.0.6");
	LOOK(":5:dflt\n1.2.3.4 own\n", IP4SET, "1.2.3.4",
	    "127.0.0.5|own");
	memset(big, 'x', sizeof(big));
	memcpy(big, "1.2.3.4 :2:", 11);
	memcpy(big + 500, "\n", 2);
	memset(want, 'x', sizeof(want));
	memcpy(want, "127.0.0.2|", 10);
	want[10 + 254] = '\0';
	LOOK(big, IP4SET, "1.2.3.4", want);
	LOOK("1.2.3.4 :2:$ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $\n",
	    IP4SET, "1.2.3.4", "127.0.0.2|1.2.3.4 1.2.3.4 1.2.3.4 "
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
	struct listfile *s;
	struct listfile_key k;
	char *buf, q[32];
	size_t n = 0, size = 400000, i, bad = 0;
	int e;

	buf = malloc(size);
	n += (size_t)snprintf(buf, size, ":2:%0200d $\n", 7);
	for (i = 0; i < 3000; i++)
		n += (size_t)snprintf(buf + n, size - n, "10.0.%zu.%zu :%zu\n",
		    i / 250, i % 250, 3 + i % 5);
	s = listfile_load_mem(buf, n, IP4SET, NULL, 0, NULL, &e);
	for (i = 0; s != NULL && i < 3000; i += 7) {
		snprintf(q, sizeof(q), "10.0.%zu.%zu", i / 250, i % 250);
		(void)listfile_key_ip(&k, q);
		bad += !listfile_lookup(s, &k, &ans) || ans.ntxt != 1 ||
		    ans.txtlen[0] != 201 + strlen(q) ||
		    memcmp(ans.txt[0], "0000", 4) != 0;
	}
	T(s != NULL && bad == 0, "3000 :A entries keep the default TXT: %zu "
	    "bad", bad);
	listfile_free(s);
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
	LOOK(ip6, IP6TRIE, "2001:db8:ffff::1", "127.0.0.3|v6 "
	    "2001:db8:ffff::1");
	LOOK(ip6, IP6TRIE, "2001:db8:1::9", "127.0.0.4|bare 48");
	LOOK(ip6, IP6TRIE, "2001:db8:1:2::9", "127.0.0.5|upper");
	LOOK(ip6, IP6TRIE, "2001:db8:1:2::5", "-");
	LOOK(ip6, IP6TRIE, "2001:db8:1:2::6", "127.0.0.6|host");
	LOOK(ip6, IP6TRIE, "2001:db8:1:3::1", "-");
	LOOK(ip6, IP6TRIE, "2001:db8:1:3:1::1", "127.0.0.3|v6 "
	    "2001:db8:1:3:1::1");
	LOOK(ip6, IP6TRIE, "::1", "127.0.0.8|loop");
	LOOK(ip6, IP6TRIE, "2001:db9::1", "-");
	LOOK(ip6, IP6TRIE, "10.0.0.1", "-");
	/* rbldnsd's address text: the longest zero run, lowercase */
	LOOK("::/0 :2:$\n", IP6TRIE, "1:0:0:2:0:0:0:3",
	    "127.0.0.2|1:0:0:2::3");
	LOOK("::/0 :2:$\n", IP6TRIE, "1:0:0:2:3:0:0:4",
	    "127.0.0.2|1::2:3:0:0:4");
	LOOK("::/0 :2:$\n", IP6TRIE, "ABCD:1:2:3:4:5:6:7",
	    "127.0.0.2|abcd:1:2:3:4:5:6:7");
	LOOK("::/0 :2:$\n", IP6TRIE, "1::", "127.0.0.2|1::");
	LOOK("::/0 :2:$\n", IP6TRIE, "::", "127.0.0.2|::");
	LOOK("::/0 :2:$\n", IP6TRIE, "::1:2:3:4", "127.0.0.2|::1:2:3:4");
	/* ip6tset: /64s, /128 exclusions, one value: the first ':' line */
	LOOK("2001:db8:1:2\n!2001:db8:1:2::5\n:4:tset $\n:5:second\n"
	    "2001:db8:1:3 :9:ignored\n", IP6TSET, "2001:db8:1:2::6",
	    "127.0.0.4|tset 2001:db8:1:2::6");
	LOOK("2001:db8:1:2\n!2001:db8:1:2::5\n", IP6TSET,
	    "2001:db8:1:2::5", "-");
	LOOK("2001:db8:1:2\n2001:db8::/48\n!2001:db8:1:2::5\n", IP6TSET,
	    "2001:db8:1:2:ffff::", "127.0.0.2");
	/* auto: both families in one file */
	LOOK(":2:both\n10.0.0.0/8\n2001:db8::/32\n!2001:db8::1\n",
	    AUTO, "2001:db8::2", "127.0.0.2|both");
	LOOK(":2:both\n10.0.0.0/8\n2001:db8::/32\n!2001:db8::1\n",
	    AUTO, "10.1.1.1", "127.0.0.2|both");
	LOOK(":2:both\n10.0.0.0/8\n::/0\n!2001:db8::1\n",
	    AUTO, "2001:db8::1", "-");
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
	LOOK(dn, DNSET, "spam.example", "127.0.0.3|dn spam.example");
	LOOK(dn, DNSET, "a.spam.example", "-");
	LOOK(dn, DNSET, "wild.example", "-");
	LOOK(dn, DNSET, "a.b.wild.example", "127.0.0.4|wild");
	LOOK(dn, DNSET, "both.example", "127.0.0.5|both");
	LOOK(dn, DNSET, "x.both.example", "127.0.0.5|both");
	LOOK(dn, DNSET, "ok.both.example", "-");
	LOOK(dn, DNSET, "sub.ok.both.example", "127.0.0.5|both");
	LOOK(dn, DNSET, "UPPER.example", "127.0.0.6|case");
	LOOK(dn, DNSET, "y.x.spam2.example", "-");
	LOOK(dn, DNSET, "x.spam2.example", "127.0.0.3|dn spam2.example");
	LOOK(dn, DNSET, "multi.example", "127.0.0.7,127.0.0.8|a|b");
	LOOK(dn, DNSET, "example", "-");
	LOOK("\\046.x.example\n", DNSET, "x.example", "-");
	LOOK("a\\.b.example :2:$\n", DNSET, "a.b.example", "-");
	LOOK("*.example :2:$\n", DNSET, "a.b\\.c.example",
	    "127.0.0.2|example");
}

/* ------------------------------------------------------------------ */
/* Specials: $MAXRANGE4, $TIMESTAMP                                     */

static void
test_specials(void)
{
	struct listfile *s;
	char text[256];
	time_t now = time(NULL);
	int e;

	LOOK("$MAXRANGE4 /24\n10.0.0.0/16\n10.1.0.0/24\n10.2.0.0/25\n",
	    IP4SET, "10.0.0.1", "-");
	LOOK("$MAXRANGE4 /24\n10.0.0.0/16\n10.1.0.0/24\n10.2.0.0/25\n",
	    IP4SET, "10.1.0.1", "127.0.0.2");
	LOOK("$MAXRANGE4 /24\n10.0.0.0/16\n10.1.0.0/24\n10.2.0.0/25\n",
	    IP4SET, "10.2.0.1", "127.0.0.2");
	LOOK("$MAXRANGE4 256\n$MAXRANGE4 /8\n10.1.0.0/24\n10.2.0.0/25\n",
	    IP4SET, "10.2.0.1", "127.0.0.2");
	LOOK("$TIMESTAMP 2001:01:01 2002-01-01\n1.2.3.4\n", IP4SET,
	    "1.2.3.4", "ERR:expired");
	LOOK("$TIMESTAMP 2001:01:01 +1d\n1.2.3.4\n", IP4SET, "1.2.3.4",
	    "ERR:expired");
	LOOK("$TIMESTAMP 2001:01:01:12:30:00 2037:12:31\n1.2.3.4\n",
	    IP4SET, "1.2.3.4", "127.0.0.2");
	LOOK("$TIMESTAMP 0 -\n1.2.3.4\n", IP4SET, "1.2.3.4",
	    "127.0.0.2");
	LOOK("$TIMESTAMP 2038:01:01\n1.2.3.4\n", IP4SET, "1.2.3.4",
	    "ERR:future");
	LOOK("$TIMESTAMP 2001:02:30\n1.2.3.4\n2.3.4.5\n", IP4SET,
	    "1.2.3.4", "127.0.0.2");
	/* a stamp is checked against the loader's clock */
	snprintf(text, sizeof(text), "$TIMESTAMP 2020:06:01 +%lds\n1.2.3.4\n",
	    (long)(now - 1590969600 + 100));
	s = listfile_load_mem(text, strlen(text), IP4SET, NULL, now, NULL,
	    &e);
	T(s != NULL && e == LISTFILE_OK, "relative expiry in the future: %s",
	    listfile_strerror(e));
	listfile_free(s);
	s = listfile_load_mem(text, strlen(text), IP4SET, NULL, now + 200,
	    NULL, &e);
	T(s == NULL && e == LISTFILE_EEXPIRED, "expired 100 s later: %s",
	    listfile_strerror(e));
	LOOK("$BOGUS\n$TTL\n1.2.3.4\n", IP4SET, "1.2.3.4",
	    "ERR:corrupt");
	LOOK("$BOGUS\n1.2.3.4\n2.3.4.5\n", IP4SET, "1.2.3.4",
	    "127.0.0.2");
}

/* ------------------------------------------------------------------ */
/* Files: gzip, missing, unreadable, corrupt, too big, NUL bytes        */

static void
test_files(void)
{
	static const char text[] = ":2:file $\n192.0.2.0/24\n!192.0.2.7\n";
	struct listfile_stats st;
	struct listfile *s;
	struct listfile_key k;
	char buf[300000], *gzp;
	size_t i, n;
	FILE *f;
	int e, fd;

	(void)listfile_key_ip(&k, "192.0.2.9");
	write_file(path("plain"), text, 0);
	write_file(path("gz"), text, 1);
	s = listfile_load(path("plain"), AUTO, NULL, time(NULL), &st, &e);
	T(s != NULL && listfile_lookup(s, &k, &ans) && ans.n == 1 &&
	    st.entries == 2 && st.lines == 3, "plain file");
	listfile_free(s);
	s = listfile_load(path("gz"), AUTO, NULL, time(NULL), &st, &e);
	T(s != NULL && listfile_lookup(s, &k, &ans) && ans.ntxt == 1 &&
	    memcmp(ans.txt[0], "file 192.0.2.9", 14) == 0, "gzip file");
	listfile_free(s);
	s = listfile_load(path("nonesuch"), AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTFILE_EMISSING, "missing: %s",
	    listfile_strerror(e));
	s = listfile_load(lt_dir, AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTFILE_EUNREADABLE, "directory: %s",
	    listfile_strerror(e));
	T(mkfifo(path("fifo"), 0600) == 0, "mkfifo");
	s = listfile_load(path("fifo"), AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTFILE_EUNREADABLE, "fifo (no hang): %s",
	    listfile_strerror(e));
	if (getuid() != 0) {
		write_file(path("noperm"), text, 0);
		chmod(path("noperm"), 0);
		s = listfile_load(path("noperm"), AUTO, NULL, 0, &st, &e);
		T(s == NULL && e == LISTFILE_EUNREADABLE, "mode 0: %s",
		    listfile_strerror(e));
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
	s = listfile_load(gzp, AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTFILE_ECORRUPT, "truncated gzip: %s",
	    listfile_strerror(e));
	write_file(path("big.gz"), buf, 1);
	fd = open(gzp, O_RDWR);
	T(pwrite(fd, "\xff\xff\xff\xff", 4, 300) == 4, "damage");
	close(fd);
	s = listfile_load(gzp, AUTO, NULL, 0, &st, &e);
	T(s == NULL && (e == LISTFILE_ECORRUPT), "damaged gzip: %s",
	    listfile_strerror(e));
	write_file(path("html"), "<html>\n<body>404 Not Found</body>\n"
	    "</html>\n", 0);
	s = listfile_load(path("html"), AUTO, NULL, 0, &st, &e);
	T(s == NULL && e == LISTFILE_ECORRUPT && st.invalid == 3 &&
	    st.firstbad == 1, "not a list: %s", listfile_strerror(e));
	s = listfile_load_mem("1.2.3.4\0junk\n5.6.7.8\n", 21, IP4SET, NULL,
	    0, &st, &e);
	T(s != NULL && st.entries == 2 && st.invalid == 0, "NUL ends a line");
	listfile_free(s);
	s = listfile_load_mem("", 0, IP4SET, NULL, 0, &st, &e);
	T(s != NULL && st.lines == 0, "empty file is an empty list");
	listfile_free(s);
}

/* Over LISTFILE_MAXUNITS entries (ranges expanded) is "toobig". */
static void
test_toobig(void)
{
	struct listfile_stats st;
	struct listfile *s;
	struct listfile_key k;
	char *buf;
	size_t n = 0, i, size = 4000 * 32;
	int e;

	buf = malloc(size);
	(void)listfile_key_ip(&k, "1.2.3.4");
	/* 1274 units a line: 3925 lines reach 5,000,000 */
	for (i = 0; i < 3900; i++)
		n += (size_t)snprintf(buf + n, size - n,
		    "1.0.0.1-1.255.255.254\n");
	s = listfile_load_mem(buf, n, IP4SET, &k, 0, &st, &e);
	T(s != NULL && st.units == 3900 * 1274UL && st.kept == 3900,
	    "under the cap: units %zu kept %zu", st.units, st.kept);
	T(s != NULL && listfile_lookup(s, &k, &ans) && ans.n == 1,
	    "filtered read finds it");
	listfile_free(s);
	for (; i < 4000; i++)
		n += (size_t)snprintf(buf + n, size - n,
		    "1.0.0.1-1.255.255.254\n");
	s = listfile_load_mem(buf, n, IP4SET, &k, 0, &st, &e);
	T(s == NULL && e == LISTFILE_ETOOBIG, "over the cap: %s",
	    listfile_strerror(e));
	free(buf);
}

/* A filtered read (one message) answers exactly as a whole read. */
static void
test_filtered(void)
{
	static const char *const texts[] = { ip4, ip6, dn };
	static const int fmts[] = { IP4SET, IP6TRIE, DNSET };
	static const char *const q4[] = { "10.1.2.3", "10.1.2.4", "10.7.0.1",
	    "10.3.1.5", "10.5.0.0", "10.6.255.255", "10.1.3.7", "1.1.1.1" };
	static const char *const q6[] = { "2001:db8:1:2::5", "2001:db8::1",
	    "::1", "2001:db8:1:2::6", "2001:db8:1:3::1", "fe80::1" };
	static const char *const qd[] = { "spam.example", "a.wild.example",
	    "ok.both.example", "multi.example", "x.y.both.example", "no.ne" };
	static const char *const *qs[] = { q4, q6, qd };
	static const size_t nq[] = { 8, 6, 6 };
	struct listfile_answer a2;
	struct listfile *whole, *part;
	struct listfile_key k;
	size_t t, i;
	int e, h1, h2;

	for (t = 0; t < 3; t++) {
		whole = mem(texts[t], fmts[t], NULL, &e);
		for (i = 0; i < nq[t]; i++) {
			(void)(fmts[t] == DNSET ?
			    listfile_key_domain(&k, qs[t][i]) :
			    listfile_key_ip(&k, qs[t][i]));
			part = listfile_load_mem(texts[t], strlen(texts[t]),
			    fmts[t], &k, 0, NULL, &e);
			h1 = listfile_lookup(whole, &k, &ans);
			h2 = listfile_lookup(part, &k, &a2);
			T(h1 == h2 && ans.n == a2.n && ans.ntxt == a2.ntxt &&
			    (!h1 || memcmp(ans.code, a2.code,
			    sizeof(ans.code[0]) * (size_t)ans.n) == 0),
			    "filtered %s", qs[t][i]);
			listfile_free(part);
		}
		listfile_free(whole);
	}
}

int
main(void)
{
	static void (*const tests[])(void) = {
	    test_ip4set, test_txt, test_default_txt, test_ip6, test_dnset,
	    test_specials, test_files, test_toobig, test_filtered, NULL
	};

	return lt_main(tests);
}

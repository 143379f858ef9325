/*
 * unit_rfc5322.c - the header section parser (rfc5322.c): field
 * iteration both ways, unfolding, address lists and RFC 2047 display
 * names, dates, Message-ID, the one domain-name rule, rfc_parse's
 * summary, hostile bytes.  The From: and date tables moved here from
 * unit_heur.c with the parser (issue 11).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rfc5322.h"
#include "unit.h"

/* qmail-smtpd's line, as the first field of every section. */
#define QMAIL								\
	"Received: from x.example (198.51.100.7)\n"			\
	"  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n"

static struct rfc_fields	m;

/* rfc_parse on a string literal (NULs inside count). */
#define PARSE(lit) rfc_parse(lit, sizeof(lit) - 1, 0, &m)

static void
t_from(void)
{
	/* parseable forms */
	static const struct {
		const char	*from, *addr, *domain, *display;
	} ok[] = {
		{ "alice@example.net", "alice@example.net", "example.net", "" },
		{ "Alice <alice@example.net>", "alice@example.net",
		  "example.net", "Alice" },
		{ "\"Smith, John\" <john@Example.NET>", "john@Example.NET",
		  "example.net", "Smith, John" },
		{ "alice@example.net (Alice Example)", "alice@example.net",
		  "example.net", "Alice Example" },
		{ "=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@example.de>",
		  "joerg@example.de", "example.de",
		  "J\xc3\xb6rg M\xc3\xbcller" },
		{ "=?iso-8859-1?q?J=F6rg?= =?iso-8859-1?q?_M=FCller?= "
		  "<joerg@example.de>", "joerg@example.de", "example.de",
		  "J\xf6rg M\xfcller" },
		{ "<@relay.example:alice@example.net>", "alice@example.net",
		  "example.net", "" },
		{ "\"a b\"@example.net", "\"a b\"@example.net", "example.net",
		  "" },
		{ "a@b.example, c@d.example", "a@b.example", "b.example", "" },
		{ "Friends: a@b.example, Carol <c@d.example>;",
		  "a@b.example", "b.example", "" },
		{ "alice @ example.net", "alice@example.net", "example.net",
		  "" },
		{ "Alice (the boss) <alice(x)@example.net>",
		  "alice@example.net", "example.net", "Alice" },
		{ "john@x.example <john@x.example>", "john@x.example",
		  "x.example", "john@x.example" },
		{ "<alice@[192.0.2.1]>", "alice@[192.0.2.1]", "[192.0.2.1]",
		  "" },
		{ "\"J\\\"R\\\" Smith\" <jr@example.net>", "jr@example.net",
		  "example.net", "J\"R\" Smith" },
	};
	static const char *const bad[] = {
		"Alice", "<>", "alice@", "@example.net",
		"undisclosed-recipients:;", "John Smith john@example.net",
		"<alice@example.net", "\"unterminated <a@b.example>",
		"a@b@c.example", "alice@exa mple.net", "alice@.example.net",
		"alice@example..net", "a@b.example, junk", "", "(comment)",
		"al(ice@example.net", "<alice@example.net> <bob@example.net>",
	};
	char	b[2048];
	size_t	i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(b, sizeof(b), "%sFrom: %s\n\n", QMAIL, ok[i].from);
		rfc_parse(b, strlen(b), 0, &m);
		T(m.from_ok && strcmp(m.from_addr, ok[i].addr) == 0 &&
		    strcmp(m.from_domain, ok[i].domain) == 0 &&
		    strcmp(m.from_display, ok[i].display) == 0,
		    "From: %s -> ok %d [%s] [%s] [%s]", ok[i].from,
		    m.from_ok, m.from_addr, m.from_domain,
		    m.from_display);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(b, sizeof(b), "%sFrom: %s\n\n", QMAIL, bad[i]);
		rfc_parse(b, strlen(b), 0, &m);
		T(!m.from_ok, "From: %s parsed as [%s]", bad[i],
		    m.from_addr);
		T(rfc_from_domain(&m) == NULL, "From: %s: no domain",
		    bad[i]);
	}
}

static void
t_date(void)
{
	static const struct {
		const char	*s;
		long long	 t;
	} ok[] = {
		{ "Fri, 27 Nov 2026 01:40:22 +0000", 1795743622 },
		{ "27 Nov 2026 01:40:22 +0000", 1795743622 },
		{ "Fri, 27 Nov 26 01:40:22 GMT", 1795743622 },
		{ "Fri, 27 Nov 126 01:40:22 UT", 1795743622 },
		{ "fri, 27 nov 2026 01:40:22 z", 1795743622 },
		{ "Fri,27 Nov 2026 01:40:22 +0000", 1795743622 },
		{ "Fri 27 Nov 2026 01:40:22 +0000", 1795743622 },
		{ "Fri, 27 Nov 2026 02:40:22 +0100 (CET)", 1795743622 },
		{ "Fri, 27 Nov 2026 02:40:22 +0100 CET", 1795743622 },
		{ "Thu, 26 Nov 2026 20:40:22 EST", 1795743622 },
		{ "Thu, 26 Nov 2026 17:40:22 PST", 1795743622 },
		{ "(x) Fri (y), 27 (z) Nov 2026 01:40:22 (a) +0000 (b)",
		  1795743622 },
		{ "Fri, 27 Nov 2026 01:40 +0000", 1795743600 },
		{ "Fri, 27 Nov 2026 1:40:22 +0000", 1795743622 },
		{ "Fri, 27 Nov 2026 01:40:22 A", 1795743622 },
		{ "Fri,  4 May 2001 14:05:44 -0400 (EDT)", 988999544 },
		{ "Sat, 29 Feb 2020 12:00:00 -0130", 1582983000 },
		{ "Thu, 01 Jan 1970 00:00:00 +0000", 0 },
		{ "Thu, 01 Jan 1970 01:00:00 +0100", 0 },
		{ "Fri, 27 Nov 2026 01:40:60 +0000", 1795743660 },
		/* zones up to +-14:00, minutes 00-59 (issue 10) */
		{ "Fri, 27 Nov 2026 15:40:22 +1400", 1795743622 },
		{ "Thu, 26 Nov 2026 11:40:22 -1400", 1795743622 },
		{ "Thu, 26 Nov 2026 13:40:22 -1200", 1795743622 },
		{ "Fri, 27 Nov 2026 07:39:22 +0559", 1795743622 },
		{ "Fri, 27 Nov 2026 07:10:22 +0530", 1795743622 },
		/* years: 2 and 3 digits obsolete, 4 digits as written */
		{ "Thu, 22 Aug 02 13:17:22 +0100", 1030018642 },
		{ "Thu, 22 Aug 102 13:17:22 +0100", 1030018642 },
		{ "Thu, 22 Aug 2002 13:17:22 +0100", 1030018642 },
		{ "Fri, 31 Dec 1999 23:59:59 +0000", 946684799 },
		{ "Fri, 31 Dec 99 23:59:59 +0000", 946684799 },
		{ "Sun, 1 Jan 50 00:00:00 +0000", -631152000 },
		{ "Fri, 31 Dec 49 00:00:00 +0000", 2524521600 },
	};
	static const char *const bad[] = {
		"Mon Jul  1 10:52:37 2003", "31 Feb 2020 10:00 +0000",
		"29 Feb 2021 10:00 +0000", "29 Feb 1900 10:00 +0000",
		"Fri, 27 Nov 2026 25:00:00 +0000", "Fri, 27 Nov 2026 01:40:00",
		"yesterday", "", "Fri, 27 Foo 2026 01:40:00 +0000",
		"Fri, 27 Nov 2026 01:40:00 +0000 junk junk",
		"Fri, 27 Nov 2026 01:40:00 J", "27 Nov 1899 01:40 +0000",
		"Fri, 32 Nov 2026 01:40:00 +0000",
		"Fri, 27 Nov 2026 01:61:00 +0000",
		"Fri, 27 Nov 2026 01:40:00 +2400",
		"Fri, 27 Nov 2026 01:40:00 +01",
		"Fri, 27 Nov 20261 01:40 +0000",
		"Fri, 27 Nov 2026 01:40:00 GMT CET",
		"Fri, 27 Nov 2026 01:40:00:00 +0000", "Fri, 27 Nov 2026 +0000",
		"Fri, 27 Nov 2026 01:40:00 -0000 (unterminated",
		"Fri, 27 Nov 2026 01:40:00 +0000 toolongname",
		"Frid, 27 Nov 2026 01:40:00 +0000", "1795743622",
		"Fri, 27 Nov 2026 0x1:40:00 +0000",
		"Fri, 27 Nov 2026 01:40:00 +0000, "
		    "Fri, 27 Nov 2026 01:40:00 +0000",
		/* zones beyond +-14:00 or minutes >= 60 (issue 10) */
		"Fri, 27 Nov 2026 15:40:22 +1401",
		"Thu, 26 Nov 2026 11:40:22 -1401",
		"Thu, 26 Nov 2026 11:40:22 -1260",
		"Fri, 27 Nov 2026 07:40:22 +0560",
		"Fri, 27 Nov 2026 07:40:22 +0099",
		"Sun, 25 Aug 2002 19:21:44 -1900",
		"Sun, 25 Aug 2002 19:21:44 -1600",
		"Sun, 25 Aug 2002 19:21:44 +9999",
		/* a four-digit year is that year: 0102 is no 2002 */
		"Thu, 22 Aug 0102 13:17:22 +0100",
		"Thu, 22 Aug 0002 13:17:22 +0100",
		"Thu, 22 Aug 0999 13:17:22 +0100",
		"Thu, 22 Aug 1899 13:17:22 +0100",
	};
	time_t	t;
	size_t	i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		T(rfc_date(ok[i].s, strlen(ok[i].s), &t) &&
		    (long long)t == ok[i].t, "date %s: %lld", ok[i].s,
		    (long long)t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T(!rfc_date(bad[i], strlen(bad[i]), &t), "bad date %s",
		    bad[i]);
}

/* Names of the fields iterated, "name|name|..." (top-down or not). */
static const char *
names(const char *hdr, size_t len, const char *only, int up)
{
	static char		 b[4096];
	struct rfc_iter		 it;
	struct rfc_field	 f;
	size_t			 o = 0;

	b[0] = '\0';
	rfc_iter_init(&it, hdr, len);
	while ((up ? rfc_prev(&it, only, &f) : rfc_next(&it, only, &f)) &&
	    o + f.nlen + 2 < sizeof(b)) {
		o += (size_t)snprintf(b + o, sizeof(b) - o, "%s%.*s",
		    o ? "|" : "", (int)f.nlen, f.name);
		/* raw is the whole field, val its part after the colon */
		T(f.raw == f.name && f.val > f.name + f.nlen &&
		    f.val[-1] == ':' && f.val + f.vlen == f.raw + f.rawlen,
		    "field spans %.*s", (int)f.nlen, f.name);
	}
	return b;
}

#define NAMES(lit, only, up) names(lit, sizeof(lit) - 1, only, up)

static void
t_iter(void)
{
	static const char h[] = "Received: a\n b\nX-Junk line\n\tcont\n"
	    "DKIM-Signature: v=1;\n\th=from\nfrom : x\nReceived: c\n"
	    " Received: not a field\nB:\nFrom:y\n\nAfter: body\n";
	static const char cut[] = "A: 1\nB: 2\n  more";
	struct rfc_iter		 it;
	struct rfc_field	 f;
	char			 v[64];

	T(strcmp(NAMES(h, NULL, 0), "Received|DKIM-Signature|from|"
	    "Received|B|From") == 0, "down: %s", NAMES(h, NULL, 0));
	T(strcmp(NAMES(h, NULL, 1), "From|B|Received|from|DKIM-Signature|"
	    "Received") == 0, "up: %s", NAMES(h, NULL, 1));
	T(strcmp(NAMES(h, "FROM", 0), "from|From") == 0, "named down");
	T(strcmp(NAMES(h, "from", 1), "From|from") == 0, "named up");
	T(strcmp(NAMES(h, "After", 0), "") == 0, "no field past the end");
	T(strcmp(NAMES(cut, NULL, 1), "B|A") == 0, "cut copy up");
	T(strcmp(NAMES("\nA: 1\n", NULL, 0), "") == 0, "empty section");
	T(strcmp(NAMES(" A: 1\nB: 2\n", NULL, 1), "B") == 0,
	    "a continuation first is no field");
	T(strcmp(NAMES("A\0: 1\nB: 2\n", NULL, 0), "B") == 0, "NUL in name");
	T(strcmp(NAMES("", NULL, 1), "") == 0, "nothing");
	/* the raw bytes and the unfolded value of the last Received */
	rfc_iter_init(&it, h, sizeof(h) - 1);
	T(rfc_prev(&it, "Received", &f) && f.rawlen == 35 &&
	    memcmp(f.raw, "Received: c\n Received: not a field\n", 35) == 0,
	    "raw Received, its continuation line included");
	T(rfc_prev(&it, "Received", &f) && f.rawlen == 15 &&
	    rfc_unfold(f.val, f.vlen, v, sizeof(v)) == 3 &&
	    strcmp(v, "a b") == 0, "unfolded [%s]", v);
	T(!rfc_prev(&it, "Received", &f), "two Received fields");
	/* both cursors are independent */
	rfc_iter_init(&it, h, sizeof(h) - 1);
	T(rfc_next(&it, NULL, &f) && rfc_prev(&it, NULL, &f) &&
	    rfc_field_is(&f, "From") && rfc_next(&it, NULL, &f) &&
	    rfc_field_is(&f, "dkim-signature"), "independent cursors");
}

static void
t_unfold(void)
{
	char	v[8];

	T(rfc_unfold(" a\r\n\tb \n", 8, v, sizeof(v)) == 4 &&
	    strcmp(v, "a \tb") == 0, "[%s]", v);
	T(rfc_unfold("a\0b", 3, v, sizeof(v)) == 3 && strcmp(v, "a b") == 0,
	    "NUL is a blank");
	T(rfc_unfold("abcdefghij", 10, v, sizeof(v)) == 7 &&
	    strcmp(v, "abcdefg") == 0, "cut at cap - 1");
	T(rfc_unfold(" \n\t \n", 5, v, sizeof(v)) == 0 && v[0] == '\0',
	    "blank value");
	T(rfc_unfold("abc", 3, v, 1) == 0 && v[0] == '\0', "cap 1");
}

static void
t_msgid(void)
{
	static const char *const ok[] = {
		"<abc@def>", " <abc@def> ",
		"<abc.123$x%y@mail.example.net> (c)",
		"(c) <v0421010eb70653b14e06@[208.192.102.193]>",
		"<\"a b\"@example.net>", "\n <CAKx3+zQ=abc_def-1@mail.example>",
		"(a (nested) comment) <a@b> (and \"one\" more)",
	};
	static const char *const bad[] = {
		"abc@def", "<abc>", "<@def>", "<abc@>", "<a b@c>",
		"<abc@def> junk", "<abc@def><ghi@jkl>", "", " ", "<>", "<@>",
		"<caf\xc3\xa9@def>", "<a@b", "a@b>", "(unterminated <a@b>",
		"<a@b> (unterminated", "<\"unterminated@b>", "<a\0b@c>",
		"<a<b@c>", "<a@b>>",
	};
	size_t	i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		T(rfc_msgid(ok[i], strlen(ok[i])), "msgid %s", ok[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T(!rfc_msgid(bad[i], i == 17 ? 7 : strlen(bad[i])),
		    "bad msgid %zu %s", i, bad[i]);
	T(!rfc_msgid("<abc@def>", 8), "n bounds it");
	/* rfc_parse: one valid, or the first of several is not enough */
	PARSE("Message-ID: <a@b>\n\n");
	T(m.nmid == 1 && m.mid_ok, "one msg-id");
	PARSE("Message-ID: <a@b>\nMessage-Id: <c@d>\n\n");
	T(m.nmid == 2 && !m.mid_ok, "two msg-ids");
}

static void
t_2047(void)
{
	static const struct {
		const char	*in, *out;
	} f[] = {
		{ "=?utf-8?q?a_b=3F?=", "a b?" },
		{ "=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab" },
		{ "=?utf-8?q?a?=   plain  =?utf-8?q?b?=", "a plain b" },
		{ "=?utf-8?b?aGVsbG8=?=", "hello" },
		{ "=?utf-8?B?aGVsbG8?=", "hello" },
		{ "=?utf-8?x?abc?=", "=?utf-8?x?abc?=" },
		{ "=?utf-8?q?abc", "=?utf-8?q?abc" },
		{ "=?utf-8?q?=ZZ?=", "=ZZ" },
		{ "=?utf-8?q?=4", "=?utf-8?q?=4" },
		{ "=?utf-8?b?!!!!?=", "" },
		{ "=??q?a?=", "a" },
		{ "=?", "=?" },
		{ "x=?utf-8?q?a?=", "x=?utf-8?q?a?=" },
		{ "=?utf-8?q?a?=x", "ax" },
		{ "", "" },
	};
	char	b[128], small[4], one[1];
	size_t	i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		T(rfc_2047(f[i].in, strlen(f[i].in), b, sizeof(b)) ==
		    strlen(f[i].out) && strcmp(b, f[i].out) == 0,
		    "2047 %zu %s: [%s]", i, f[i].in, b);
	/* an encoded word is at most 75 bytes (RFC 2047 §2) */
	snprintf(b, sizeof(b), "=?utf-8?q?%064d?=", 0);
	T(rfc_2047(b, strlen(b), one, sizeof(one)) == 0 && one[0] == '\0',
	    "cap 1");
	T(rfc_2047(b, strlen(b), small, sizeof(small)) == 3 &&
	    strcmp(small, "=?u") == 0, "76 bytes: no encoded word [%s]",
	    small);
	snprintf(b, sizeof(b), "=?utf-8?q?%063d?=", 0);
	T(strlen(b) == 75 && rfc_2047(b, strlen(b), b + 80, 48) == 47 &&
	    strspn(b + 80, "0") == 47, "75 bytes: an encoded word");

	T(rfc_2047("=?utf-8?q?abcdef?=", 18, small, sizeof(small)) == 3 &&
	    strcmp(small, "abc") == 0, "cut: [%s]", small);
}

/* The one domain-name rule (issue 11: one validator, not five). */
static void
t_dom(void)
{
	static const struct {
		const char	*in;
		unsigned	 flags;
		const char	*out;	/* NULL: not a name */
	} f[] = {
		{ "Example.COM", DOM_FQDN, "example.com" },
		{ "example.com.", DOM_FQDN, "example.com" },
		{ "example.com..", DOM_FQDN, NULL },
		{ ".example.com", DOM_FQDN, NULL },
		{ "a..b", 0, NULL },
		{ "localhost", 0, "localhost" },
		{ "localhost", DOM_FQDN, NULL },
		{ "localhost.", 0, "localhost" },
		{ ".", 0, NULL },
		{ "", 0, NULL },
		{ "a-b.example", DOM_FQDN, "a-b.example" },
		{ "xn--bcher-kva.example", DOM_FQDN, "xn--bcher-kva.example" },
		{ "-a.example", DOM_FQDN, NULL },
		{ "a-.example", DOM_FQDN, NULL },
		{ "a.example-", DOM_FQDN, NULL },
		{ "a.-example", DOM_FQDN, NULL },
		{ "mail_1.example", DOM_FQDN, NULL },
		{ "mail_1.example", DOM_US | DOM_FQDN, "mail_1.example" },
		{ "_dmarc.example.com", DOM_US, "_dmarc.example.com" },
		{ "_-.example", DOM_US, NULL },
		{ "_a-b.example", DOM_US, "_a-b.example" },
		{ "host.123", DOM_FQDN, NULL },
		{ "host.123", 0, "host.123" },
		{ "host.1a", DOM_FQDN, "host.1a" },
		{ "192.0.2.1", DOM_FQDN, NULL },
		{ "b\xc3\xbc" "cher.example", DOM_FQDN, NULL },
		{ "B\xc3\xbc" "cher.example", DOM_8BIT,
		  "b\xc3\xbc" "cher.example" },
		{ "a b.example", DOM_US | DOM_8BIT, NULL },
		{ "a@b.example", DOM_US | DOM_8BIT, NULL },
		{ "[192.0.2.1]", DOM_US | DOM_8BIT, NULL },
		{ "a\tb", 0, NULL },
	};
	char	b[300], out[RFC_NAME], small[4];
	size_t	i;
	int	n;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		n = dom_norm(f[i].in, strlen(f[i].in), f[i].flags, out,
		    sizeof(out));
		if (f[i].out == NULL)
			T(n == -1 && !dom_valid(f[i].in, strlen(f[i].in),
			    f[i].flags), "dom %zu %s: not a name", i, f[i].in);
		else
			T(n == (int)strlen(f[i].out) &&
			    strcmp(out, f[i].out) == 0 && dom_valid(f[i].in,
			    strlen(f[i].in), f[i].flags), "dom %zu %s: %d [%s]",
			    i, f[i].in, n, n >= 0 ? out : "");
	}
	/* labels of 63, names of 253 (RFC 1035 §2.3.4), a trailing dot free */
	memset(b, 'a', sizeof(b));
	b[63] = '.';
	memcpy(b + 64, "example", 8);
	T(dom_valid(b, strlen(b), DOM_FQDN), "63-byte label");
	b[63] = 'a';
	b[64] = '.';
	T(!dom_valid(b, strlen(b), DOM_FQDN), "64-byte label");
	memset(b, 'a', sizeof(b));
	for (i = 63; i < 253; i += 64)
		b[i] = '.';
	b[253] = '\0';
	T(dom_norm(b, 253, 0, out, sizeof(out)) == 253, "253 bytes");
	b[253] = '.';
	T(dom_norm(b, 254, 0, out, sizeof(out)) == 253, "253 and a dot");
	b[253] = 'a';
	T(!dom_valid(b, 254, 0), "254 bytes");
	/* n bounds it; out must hold it */
	T(dom_norm("example.com", 7, 0, out, sizeof(out)) == 7 &&
	    strcmp(out, "example") == 0, "n bounds it");
	T(dom_norm("example.com", 11, 0, small, sizeof(small)) == -1,
	    "out too small");
	T(dom_norm("abc", 3, 0, small, sizeof(small)) == 3, "out just fits");
	T(dom_norm(NULL, 0, 0, out, sizeof(out)) == -1, "NULL");
	T(dom_norm("ab.c-", 5, 0, out, sizeof(out)) == -1 && out[0] == '\0',
	    "failed: out is empty");
}

/* From: forms the one domain rule changes (issue 11), and 8-bit. */
static void
t_from_domain(void)
{
	char	b[512];

	PARSE("From: a@-x.example\n\n");
	T(m.nfrom == 1 && !m.from_ok, "leading hyphen: unparseable");
	snprintf(b, sizeof(b), "From: a@%064d.example\n\n", 0);
	rfc_parse(b, strlen(b), 0, &m);
	T(m.nfrom == 1 && !m.from_ok, "64-byte label: unparseable");
	PARSE("From: =?utf-8?q?J=C3=B6rg?= <j@b\xc3\xbc" "cher.example>\n\n");
	T(m.from_ok && strcmp(m.from_domain, "b\xc3\xbc" "cher.example") == 0
	    && rfc_from_domain(&m) == NULL, "8-bit domain: no DNS name");
	PARSE("From: a@Example.NET.\n\n");
	T(m.from_ok && strcmp(m.from_domain, "example.net") == 0 &&
	    strcmp(m.from_addr, "a@Example.NET.") == 0 &&
	    strcmp(rfc_from_domain(&m), "example.net") == 0, "trailing dot");
	PARSE("From: <a@[IPv6:2001:DB8::1]>\n\n");
	T(m.from_ok && strcmp(m.from_domain, "[ipv6:2001:db8::1]") == 0 &&
	    rfc_from_domain(&m) == NULL, "literal: %s", m.from_domain);
	/* DMARC's author: one From field, one mailbox (RFC 7489 §6.6.1) */
	PARSE("From: a@b.example\n\n");
	T(strcmp(rfc_from_domain(&m), "b.example") == 0 && m.from_nbox == 1,
	    "one author");
	PARSE("From: a@b.example, c@b.example\n\n");
	T(m.from_ok && m.from_nbox == 2 && rfc_from_domain(&m) == NULL,
	    "two mailboxes");
	PARSE("From: a@b.example\nFrom: a@b.example\n\n");
	T(m.from_ok && m.nfrom == 2 && rfc_from_domain(&m) == NULL,
	    "two From fields");
	PARSE("From: a@localhost\n\n");
	T(m.from_ok && rfc_from_domain(&m) == NULL, "no dot");
	PARSE("To: a@b.example\n\n");
	T(m.nfrom == 0 && rfc_from_domain(&m) == NULL, "no From");
}

/* What rfc_parse sums up. */
static void
t_fields(void)
{
	time_t	t;

	PARSE(QMAIL "To: a@b.example, \"C, D\" <c@d.example>\n"
	    "cc: Team: e@f.example, g@h.example;, i@j.example\n"
	    "To: undisclosed-recipients:;\nCC: (nobody)\n"
	    "Date: Fri, 27 Nov 2026 01:40:22 +0000\n"
	    "Date: junk\nFrom: x@y.example\n\nTo: past@the.end\n");
	T(m.nto == 2 && m.ncc == 2 && m.nvisible == 5, "to %u cc %u vis %u",
	    m.nto, m.ncc, m.nvisible);
	T(m.ndate == 2 && m.date_ok && rfc_date("27 Nov 2026 01:40:22 GMT",
	    24, &t) && m.date == t, "the first Date counts");
	T(!m.eightbit && !m.cut && m.nmid == 0 && m.nfrom == 1, "the rest");
	rfc_parse("Subject: caf\xc3\xa9\n", 14, 1, &m);
	T(m.eightbit && m.cut && m.nfrom == 0, "8-bit, cut");
	PARSE("Date: \nDate: Fri, 27 Nov 2026 01:40:22 +0000\n\n");
	T(m.ndate == 2 && !m.date_ok, "an empty first Date");
}

/* Hostile bytes: parse never fails, never reads past its input. */
static void
t_hostile(void)
{
	static const char *const f[] = {
		"", "\n", ":", "From:", "From: \"", "From: (((((", "From: <",
		"From: =?", "Date:", "\n\nFrom: a@b.example",
		" continuation\nFrom: a@b.example\n",
		"From: =?utf-8?b?=?= <a@b.example>\n",
		"From: =?utf-8?q?=?= <a@b.example>\n",
		"From: =?utf-8?x?abc?= <a@b.example>\n",
		"From: \"a\\", "Message-ID: <\"", "To: a:b:c:d;;;,,,<<>>",
		"To: <<<<a@b.example>>>>", "To: \"\\", "To: [", "To: (\\",
		"From: @@@@:a@b.example", "From: <@a,@b,@c:d@e.example>",
		"From: <@a,@b,@c d@e.example>", "Date: ((((((((", "Date: (\\",
		"Date: Fri, 27 Nov 2026 01:40:22 +0000 (",
		"Date: 99999999999999999999 Nov 2026 01:40 +0000",
		"Date: 1 Nov 2026 99999999999999999999:40 +0000",
	};
	char	big[RFC_FIELD + 64];
	size_t	i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		rfc_parse(f[i], strlen(f[i]), 0, &m);
		T(memchr(m.from_addr, '\0', sizeof(m.from_addr)) &&
		    memchr(m.from_domain, '\0', sizeof(m.from_domain)) &&
		    memchr(m.from_display, '\0', sizeof(m.from_display)) &&
		    m.nfrom + m.ndate + m.nmid + m.nto <= 1, "hostile %zu", i);
	}
	/* a field longer than RFC_FIELD is cut, never overrun */
	memcpy(big, "From: ", 6);
	memset(big + 6, 'a', sizeof(big) - 6);
	memcpy(big + sizeof(big) - 16, "@b.example>\n\n", 13);
	rfc_parse(big, sizeof(big) - 3, 0, &m);
	T(m.nfrom == 1 && !m.from_ok, "oversize From");
	/* a display name longer than kept is cut */
	memcpy(big, "From: \"", 7);
	memset(big + 7, 'x', 1000);
	memcpy(big + 1007, "\" <a@b.example>\n", 16);
	rfc_parse(big, 1023, 0, &m);
	T(m.from_ok && strlen(m.from_display) == RFC_DISPLAY - 1,
	    "long display %zu", strlen(m.from_display));
}

int
main(void)
{
	t_from();
	t_date();
	t_iter();
	t_unfold();
	t_msgid();
	t_2047();
	t_dom();
	t_from_domain();
	t_fields();
	t_hostile();
	return t_done();
}

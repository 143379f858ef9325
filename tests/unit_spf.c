/*
 * unit_spf.c - spfrec.c: record selection from TXT answers, the term
 * parser and whole-record check (RFC 7208 §4.6, §5, §6, §12), macro
 * expansion with RFC 7208 §7.4's examples exactly, and hostile records
 * (huge CIDR lengths, bad macros, 1000 terms, NULs, 8-bit bytes,
 * "v=spf10", two records, oversize records).  The evaluator is checked
 * end to end against pyspf by tests/t_spf.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "spfrec.h"
#include "unit.h"

/* ---- a TXT answer: records given as strings, '|' splits one in two ---- */

static size_t
answer(unsigned char *a, size_t cap, const char *const *recs, size_t n)
{
	static const unsigned char head[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'e', 'x', 'a', 4, 't', 'e', 's', 't', 0, 0, 16, 0, 1
	};
	size_t	k = sizeof(head), i, rdlen, l;
	const char *s, *bar;

	memcpy(a, head, k);
	a[7] = (unsigned char)n;
	for (i = 0; i < n; i++) {
		static const unsigned char rr[] = { 0xc0, 12, 0, 16, 0, 1, 0, 0,
		    1, 0 };
		size_t	at;

		memcpy(a + k, rr, sizeof(rr));
		k += sizeof(rr);
		at = k;
		k += 2;
		for (s = recs[i]; ; s = bar + 1) {
			bar = strchr(s, '|');
			l = bar ? (size_t)(bar - s) : strlen(s);
			while (l > 255) {	/* 255-byte pieces */
				a[k++] = 255;
				memcpy(a + k, s, 255);
				k += 255;
				s += 255;
				l -= 255;
			}
			a[k++] = (unsigned char)l;
			memcpy(a + k, s, l);
			k += l;
			if (bar == NULL)
				break;
		}
		rdlen = k - at - 2;
		a[at] = (unsigned char)(rdlen >> 8);
		a[at + 1] = (unsigned char)rdlen;
		if (k > cap)
			abort();
	}
	return k;
}

static int
sel(const char *const *recs, size_t n, char *out, size_t cap)
{
	static unsigned char a[70000];
	size_t	len = 0, alen = answer(a, sizeof(a), recs, n);

	return spf_select(a, (int)alen, out, cap, &len);
}

static void
test_select(void)
{
	char		 out[SPF_TXT_MAX + 1], *big;
	const char	*one[] = { "google=abc", "v=spf1 -all", "x" };
	const char	*two[] = { "v=spf1 -all", "V=SPF1 +all" };
	const char	*ten[] = { "v=spf10 -all" };
	const char	*split[] = { "v=spf1 ip4:192.0.2.1| -all" };
	const char	*upper[] = { "V=sPf1 ~all" };
	const char	*bare[] = { "v=spf1" };
	const char	*nospc[] = { "v=spf1-all" };
	const char	*many[1];

	T(sel(one, 3, out, sizeof(out)) == 1 && strcmp(out, "v=spf1 -all") ==
	    0, "one SPF record among others: %s", out);
	T(sel(two, 2, out, sizeof(out)) == -1, "two SPF records: permerror");
	T(sel(ten, 1, out, sizeof(out)) == 0, "v=spf10 is no SPF record");
	T(sel(split, 1, out, sizeof(out)) == 1 &&
	    strcmp(out, "v=spf1 ip4:192.0.2.1 -all") == 0,
	    "strings of a record joined without a space: %s", out);
	T(sel(upper, 1, out, sizeof(out)) == 1, "v=spf1 in any case");
	T(sel(bare, 1, out, sizeof(out)) == 1, "a bare v=spf1 is a record");
	T(sel(nospc, 1, out, sizeof(out)) == 0, "v=spf1-all is not");
	T(sel(one, 0, out, sizeof(out)) == 0, "no records: none");
	if ((big = malloc(SPF_TXT_MAX + 100)) == NULL)
		abort();
	memset(big, 'x', SPF_TXT_MAX + 99);
	memcpy(big, "v=spf1 ", 7);
	big[SPF_TXT_MAX + 99] = '\0';
	many[0] = big;
	T(sel(many, 1, out, sizeof(out)) == -2,
	    "record over SPF_TXT_MAX: permerror");
	big[SPF_TXT_MAX] = '\0';
	T(sel(many, 1, out, sizeof(out)) == 1 && strlen(out) == SPF_TXT_MAX,
	    "record of exactly SPF_TXT_MAX bytes fits");
	T(sel(many, 1, out, 100) == -2, "record over the caller's buffer");
	free(big);
	T(spf_select((const unsigned char *)"\x12\x34\x81\x80\0\1\0\1", 8,
	    out, sizeof(out), &(size_t){ 0 }) == -3, "truncated answer");
}

/* ---- terms ----------------------------------------------------------- */

static int
check(const char *rec)
{
	const char	*bad;
	unsigned	 uses = 0;

	return spf_record_check(rec, strlen(rec), &uses, &bad);
}

static int
one_term(const char *text, struct spf_term *t)
{
	size_t	pos = 0;

	return spf_term_next(text, strlen(text), &pos, t);
}

static void
test_terms(void)
{
	struct spf_term	t;
	static const char *const good[] = {
		"v=spf1", "v=spf1 -all", "v=spf1   a  mx  ", "v=spf1 +all",
		"v=spf1 a:mail.example.com/24//64", "v=spf1 mx//0",
		"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all",
		"v=spf1 include:_spf.example.com ?all", "v=spf1 ptr",
		"v=spf1 ptr:example.com", "v=spf1 exists:%{ir}.%{v}.x.test",
		"v=spf1 redirect=_spf.example.com",
		"v=spf1 REDIRECT=_spf.example.com", "v=spf1 exp=e.%{d}",
		"v=spf1 foo=bar foo=baz", "v=spf1 x-y.z=%{d}%%%_%-",
		"v=spf1 a:example.com.", "v=spf1 a:%{d}", "v=spf1 A:EX.COM",
		"v=spf1 a:x.example.x-1", "v=spf1 ip4:0.0.0.0/0",
		"v=spf1 ip6:::/0", "v=spf1 a/32//128"
	};
	static const char *const bad[] = {
		"v=spf1 a:foo", "v=spf1 a:example.123",
		"v=spf1 ip4:192.0.2.1/33",
		"v=spf1 ip4:192.0.2.1/99999999999", "v=spf1 ip6:::1/129",
		"v=spf1 ip4:192.0.2.1//64", "v=spf1 ip4:1.2.3",
		"v=spf1 ip4:01.2.3.4", "v=spf1 mx//129", "v=spf1 a/33",
		"v=spf1 -all:3", "v=spf1 include:", "v=spf1 include",
		"v=spf1 exists", "v=spf1 bogus", "v=spf1 +-all",
		"v=spf1 redirect=a.test redirect=b.test",
		"v=spf1 exp=a.test exp=b.test", "v=spf1 a:%{x}.test",
		"v=spf1 a:%{d0}.test", "v=spf1 a:x.%{c}", "v=spf1 a:x.%{r}",
		"v=spf1 a:%{d", "v=spf1 a:x.test%", "v=spf1 a:x.%.test",
		"v=spf1 foo=%{t}", "v=spf1 1foo=bar", "v=spf1 ptr/24",
		"v=spf1 a:ex\x01.test", "v=spf1 a:ex\xc3\xa9.test",
		"v=spf1 a:ex.test/024", "v=spf1 a:-x.te-", "v=spf1 redirect=",
		"v=spf1 ip6:zz::1", "v=spf1 a:x.test/24/24"
	};
	size_t		i;
	char		big[12000];

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T(check(good[i]) == 0, "valid: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T(check(bad[i]) == -1, "syntax error: %s", bad[i]);
	T(spf_record_check("v=spf1 a\0 -all", 14, &(unsigned){ 0 },
	    &(const char *){ NULL }) == -1, "a NUL inside a record");

	T(one_term("-a:ex.test/24//64", &t) == 1 && t.kind == SPF_A &&
	    t.qual == '-' && t.cidr4 == 24 && t.cidr6 == 64 &&
	    t.speclen == 7 && memcmp(t.spec, "ex.test", 7) == 0,
	    "a with dual CIDR");
	T(one_term("mx//48", &t) == 1 && t.kind == SPF_MX && t.cidr4 == 32 &&
	    t.cidr6 == 48 && t.spec == NULL, "mx with an IPv6 CIDR only");
	T(one_term("ip4:192.0.2.7/16", &t) == 1 && t.kind == SPF_IP4 &&
	    t.cidr4 == 16 && t.net[0] == 192 && t.net[3] == 7, "ip4/16");
	T(one_term("~ip6:2001:db8::1", &t) == 1 && t.kind == SPF_IP6 &&
	    t.cidr6 == 128 && t.qual == '~' && t.net[15] == 1, "ip6");
	T(one_term("Redirect=x.test", &t) == 1 && t.kind == SPF_REDIRECT,
	    "modifier names in any case");
	T(one_term("include:x.test", &t) == 1 && t.kind == SPF_INCLUDE &&
	    t.qual == '+', "include, default qualifier +");

	/* 1000 terms: parsed one at a time, nothing kept per term */
	i = (size_t)snprintf(big, sizeof(big), "v=spf1");
	while (i < 6 + 3 * 1000)
		i += (size_t)snprintf(big + i, sizeof(big) - i, " mx");
	T(check(big) == 0, "a record of 1000 terms is checked");
	{
		size_t	pos = 6, n = 0;

		while (spf_term_next(big, strlen(big), &pos, &t) == 1)
			n++;
		T(n == 1000, "... and walked: %zu terms", n);
	}
}

/* ---- macros: RFC 7208 §7.4 ------------------------------------------- */

static void
expect(struct spf_macro_in *in, const char *m, const char *want, int exp)
{
	char	out[SPF_EXPAND_MAX + 1];
	int	n = spf_expand(in, m, strlen(m), exp, out, sizeof(out));

	T(n >= 0 && strcmp(out, want) == 0, "%s -> %s (want %s)", m,
	    n >= 0 ? out : "error", want);
}

static void
test_macros(void)
{
	struct spf_macro_in in;
	char		 out[SPF_EXPAND_MAX + 1], longl[300];
	size_t		 i;
	static const char *const ex[][2] = {
		{ "%{s}", "strong-bad@email.example.com" },
		{ "%{o}", "email.example.com" },
		{ "%{d}", "email.example.com" },
		{ "%{d4}", "email.example.com" },
		{ "%{d3}", "email.example.com" },
		{ "%{d2}", "example.com" },
		{ "%{d1}", "com" },
		{ "%{dr}", "com.example.email" },
		{ "%{d2r}", "example.email" },
		{ "%{l}", "strong-bad" },
		{ "%{l-}", "strong.bad" },
		{ "%{lr}", "strong-bad" },
		{ "%{lr-}", "bad.strong" },
		{ "%{l1r-}", "strong" },
		{ "%{ir}.%{v}._spf.%{d2}",
		    "3.2.0.192.in-addr._spf.example.com" },
		{ "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
		{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
		    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
		{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
		    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
		{ "%{d2}.trusted-domains.example.net",
		    "example.com.trusted-domains.example.net" },
	};

	memset(&in, 0, sizeof(in));
	in.local = "strong-bad";
	in.domain = "email.example.com";
	in.cur = "email.example.com";
	in.helo = "mx.example.org";
	in.ip.family = 4;
	memcpy(in.ip.a, "\xc0\x00\x02\x03", 4);
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		expect(&in, ex[i][0], ex[i][1], 0);
	/* §7.4's IPv6 example */
	in.ip.family = 6;
	memcpy(in.ip.a, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\xcb\x01", 16);
	expect(&in, "%{ir}.%{v}._spf.%{d2}", "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com", 0);
	expect(&in, "%{i}", "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.c.b.0.1", 0);
	expect(&in, "%{c}", "2001:db8::cb01", 1);
	/* URL escaping (uppercase letter), the escapes, exp-only letters */
	expect(&in, "%{S}", "strong-bad%40email.example.com", 0);
	expect(&in, "%%%_%-", "% %20", 1);
	expect(&in, "%{h}", "mx.example.org", 0);
	expect(&in, "%{p}", "unknown", 0);
	expect(&in, "%{r}", "unknown", 1);
	expect(&in, "%{d1000}", "email.example.com", 0);
	expect(&in, "%{l+-=}", "strong.bad", 0);
	expect(&in, "x.test.", "x.test", 0);
	in.local = "a b/c";
	expect(&in, "%{L}.x.test", "a%20b%2Fc.x.test", 0);
	T(spf_expand(&in, "%{t}", 4, 0, out, sizeof(out)) == -1,
	    "%%{t} outside exp=");
	T(spf_expand(&in, "%{d0}", 5, 0, out, sizeof(out)) == -1,
	    "zero digit transformer");
	T(spf_expand(&in, "%{x}", 4, 0, out, sizeof(out)) == -1, "%%{x}");
	T(spf_expand(&in, "%", 1, 0, out, sizeof(out)) == -1, "lone %%");
	T(spf_expand(&in, "%{d}", 4, 0, out, 5) == -1, "output over cap");
	/* §7.3: a name over 253 bytes loses labels on the left */
	memset(longl, 'a', sizeof(longl));
	for (i = 60; i < sizeof(longl); i += 61)
		longl[i] = '.';
	longl[sizeof(longl) - 1] = '\0';
	in.local = longl;
	T(spf_expand(&in, "%{l}.x.test", 11, 0, out, sizeof(out)) > 0 &&
	    strlen(out) <= 253 && out[0] != '.' &&
	    strcmp(out + strlen(out) - 7, ".x.test") == 0,
	    "cut to 253 bytes from the left: %zu", strlen(out));
	T(spf_macro_check("%{l}%{s}x", 9, 0, &(unsigned){ 0 }),
	    "macro check");
	{
		unsigned u = 0;

		spf_macro_check("%{L}.%{ir}.%{v}", 15, 0, &u);
		T(u == (SPF_USES('l') | SPF_USES('i') | SPF_USES('v')),
		    "letters used: %x", u);
	}
}

static void
test_net(void)
{
	struct ipaddr	ip = { 4, { 192, 0, 2, 200 } };
	unsigned char	net[16] = { 192, 0, 2, 0 };

	T(spf_net_match(&ip, net, 4, 24), "in /24");
	T(!spf_net_match(&ip, net, 4, 32), "not /32");
	T(spf_net_match(&ip, net, 4, 0), "/0 matches all");
	T(!spf_net_match(&ip, net, 4, 25), "/25: .200 is in the upper half");
	net[3] = 128;
	T(spf_net_match(&ip, net, 4, 25), "/25 of .128: .200 is in it");
	T(!spf_net_match(&ip, net, 6, 0), "IPv4 client, ip6 mechanism");
}

int
main(void)
{
	test_select();
	test_terms();
	test_macros();
	test_net();
	return t_done();
}

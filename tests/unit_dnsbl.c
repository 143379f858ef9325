/*
 * unit_dnsbl.c: unit tests of dnsbl.c -- reverse names, address
 * classes, domain normalisation, policy lines (good and hostile), answer
 * classification on crafted packets, PTR/TXT/A parsing, and runs (on a
 * dns.c service) that never leak a secret zone key.  The address classes
 * are msg.c's ipaddr_parse/ipaddr_private, which dnsbl.c uses.  Ends with
 * "N passed, N failed".
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../dns.h"
#include "../dnsbl.h"
#include "../msg.h"
#include "../rfc5322.h"

static int npass, nfail;

#define CHECK(cond, ...) do {						\
	if (cond)							\
		npass++;						\
	else {								\
		nfail++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

#define SECRET "s3cr3tk3yABC"

/* ---- packet building ---------------------------------------------- */

static size_t
enc_name(unsigned char *b, const char *s, size_t len)
{
	size_t o = 0, i = 0, start;

	while (i < len) {
		start = i;
		while (i < len && s[i] != '.')
			i++;
		b[o++] = (unsigned char)(i - start);
		memcpy(b + o, s + start, i - start);
		o += i - start;
		if (i < len)
			i++;
	}
	b[o++] = 0;
	return o;
}

static size_t
hdr(unsigned char *b, int rcode, int an, const char *q, int qtype)
{
	size_t o;

	memset(b, 0, 12);
	b[0] = 0x12;
	b[1] = 0x34;
	b[2] = 0x81;
	b[3] = (unsigned char)(0x80 | rcode);
	b[5] = 1;
	b[7] = (unsigned char)an;
	o = 12 + enc_name(b + 12, q, strlen(q));
	b[o++] = 0;
	b[o++] = (unsigned char)qtype;
	b[o++] = 0;
	b[o++] = 1;
	return o;
}

static size_t
rr(unsigned char *b, int type, const unsigned char *rd, size_t rdlen)
{
	b[0] = 0xc0;
	b[1] = 0x0c;
	b[2] = (unsigned char)(type >> 8);
	b[3] = (unsigned char)type;
	b[4] = 0;
	b[5] = 1;
	b[6] = b[7] = b[8] = 0;
	b[9] = 60;
	b[10] = (unsigned char)(rdlen >> 8);
	b[11] = (unsigned char)rdlen;
	memcpy(b + 12, rd, rdlen);
	return 12 + rdlen;
}

/* An A answer with n codes given as "a.b.c.d" texts. */
static int
mk_a(unsigned char *b, int rcode, const char *const *codes, int n)
{
	size_t o = hdr(b, rcode, n, "2.0.0.127.zone.test", 1);
	unsigned char a[4];
	unsigned v[4];
	int i, j;

	for (i = 0; i < n; i++) {
		sscanf(codes[i], "%u.%u.%u.%u", &v[0], &v[1], &v[2], &v[3]);
		for (j = 0; j < 4; j++)
			a[j] = (unsigned char)v[j];
		o += rr(b + o, 1, a, 4);
	}
	return (int)o;
}

/* ---- helpers -------------------------------------------------------- */

static struct dnsbl_conf *
conf_of(const char *const *lines, char *err, size_t errlen)
{
	struct dnsbl_conf *c = dnsbl_conf_new();
	char buf[1024], *w[64], *p, *save;
	int n, i;

	for (i = 0; lines[i] != NULL; i++) {
		snprintf(buf, sizeof(buf), "%s", lines[i]);
		n = 0;
		for (p = strtok_r(buf, " ", &save); p != NULL && n < 64;
		    p = strtok_r(NULL, " ", &save))
			w[n++] = p;
		if (dnsbl_conf_line(c, n, w, err, errlen) == -1) {
			dnsbl_conf_free(c);
			return NULL;
		}
	}
	return c;
}

/* Does one policy line parse?  err gets the reason. */
static int
line_ok(const char *line, char *err, size_t errlen)
{
	const char *lines[2] = { line, NULL };
	struct dnsbl_conf *c;

	err[0] = '\0';
	c = conf_of(lines, err, errlen);
	dnsbl_conf_free(c);
	return c != NULL;
}

static int
classify(const char *line, const char *const *codes, int n, int rcode,
    struct dnsbl_class *cls)
{
	const char *lines[2] = { line, NULL };
	struct dnsbl_conf *c;
	unsigned char b[1024];
	char err[256];
	int v, len;

	if ((c = conf_of(lines, err, sizeof(err))) == NULL) {
		printf("bad line %s: %s\n", line, err);
		return -1;
	}
	len = mk_a(b, rcode, codes, n);
	v = dnsbl_classify(dnsbl_conf_list(c, 0), b, len, cls);
	dnsbl_conf_free(c);
	return v;
}

/* ---- tests ---------------------------------------------------------- */

/* msg.c's parse, as the family (4, 6, 0 none) and the 16 bytes. */
static int
ip_family(const char *s, unsigned char a[16])
{
	struct ipaddr ip;

	if (ipaddr_parses(s, &ip) == -1)
		return 0;
	memcpy(a, ip.a, 16);
	return ip.family;
}

/* msg.c's rule for addresses never looked up. */
static int
ip_skip(int family, const unsigned char *a)
{
	struct ipaddr ip;

	ip.family = family;
	memcpy(ip.a, a, 16);
	return ipaddr_private(&ip);
}

static void
test_revname(void)
{
	unsigned char a[16];
	char buf[80];
	int f;

	f = ip_family("192.0.2.1", a);
	CHECK(f == 4, "v4 family %d", f);
	dnsbl_revname(f, a, buf, sizeof(buf));
	CHECK(strcmp(buf, "1.2.0.192") == 0, "v4 rev %s", buf);
	f = ip_family("2001:db8:1234:5678:9abc:def0:fedc:ba98", a);
	CHECK(f == 6, "v6 family %d", f);
	CHECK(dnsbl_revname(f, a, buf, sizeof(buf)) == 63, "v6 len");
	CHECK(strcmp(buf, "8.9.a.b.c.d.e.f.0.f.e.d.c.b.a.9."
	    "8.7.6.5.4.3.2.1.8.b.d.0.1.0.0.2") == 0, "v6 rev %s", buf);
	CHECK(dnsbl_revname(f, a, buf, 63) == -1, "v6 small buffer");
	f = ip_family("::ffff:192.0.2.77", a);
	CHECK(f == 4 && a[0] == 192 && a[3] == 77, "mapped %d", f);
	dnsbl_revname(f, a, buf, sizeof(buf));
	CHECK(strcmp(buf, "77.2.0.192") == 0, "mapped rev %s", buf);
	f = ip_family("::FFFF:c000:0201", a);
	CHECK(f == 4 && a[3] == 1, "mapped hex %d", f);
	CHECK(ip_family(NULL, a) == 0, "NULL ip");
	CHECK(ip_family("", a) == 0, "empty ip");
	CHECK(ip_family("192.0.2", a) == 0, "short ip");
	CHECK(ip_family("192.0.2.1 ", a) == 0, "trailing space");
	CHECK(ip_family("fe80::1%eth0", a) == 6, "scoped v6");
}

static void
test_skip(void)
{
	static const char *const skip[] = { "127.0.0.1", "127.1.2.3",
	    "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
	    "169.254.1.1", "0.0.0.0", "100.64.0.1", "224.0.0.1",
	    "255.255.255.255", "::1", "::", "fe80::1", "febf::1", "fd00::1",
	    "fc00::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
	    NULL };
	static const char *const keep[] = { "192.0.2.1", "172.32.0.1",
	    "172.15.0.1", "100.128.0.1", "8.8.8.8", "2001:db8::1",
	    "2a00:1450::1", "fec0::1", "::ffff:192.0.2.1", NULL };
	unsigned char a[16];
	int i, f;

	for (i = 0; skip[i] != NULL; i++) {
		f = ip_family(skip[i], a);
		CHECK(f != 0 && ip_skip(f, a), "should skip %s", skip[i]);
	}
	for (i = 0; keep[i] != NULL; i++) {
		f = ip_family(keep[i], a);
		CHECK(f != 0 && !ip_skip(f, a), "should query %s",
		    keep[i]);
	}
}

/* A mail domain as dnsbl_domain() and lists_domain() take it. */
static int
mail_dom(const char *in, char *out, size_t size)
{
	return in == NULL ? -1 : dom_norm(in, strlen(in), DOM_FQDN, out, size);
}

static void
test_domain(void)
{
	static const char *const bad[] = { "", "com", "-a.com", "a-.com",
	    "a..com", ".a.com", "1.2.3.4", "[192.0.2.1]", "ex ample.com",
	    "exa_mple.com", "a.com..", "xn--\xc3\xa9.com", "a.b\r\nBcc.com",
	    "a\0.com", "a.1-2", "a.b.123", NULL };
	char out[256], big[400];
	int i;

	CHECK(mail_dom("Example.COM.", out, sizeof(out)) == 11 &&
	    strcmp(out, "example.com") == 0, "norm %s", out);
	CHECK(mail_dom("xn--bcher-kva.example", out, sizeof(out)) >
	    0, "idn");
	CHECK(mail_dom("a1.b-2.c3", out, sizeof(out)) > 0, "ldh");
	for (i = 0; bad[i] != NULL; i++)
		CHECK(mail_dom(bad[i], out, sizeof(out)) == -1,
		    "bogus domain %d accepted", i);
	CHECK(mail_dom(NULL, out, sizeof(out)) == -1, "NULL");
	memset(big, 'a', 64);
	memcpy(big + 64, ".com", 5);
	CHECK(mail_dom(big, out, sizeof(out)) == -1, "64 label");
	for (i = 0; i < 63; i++)
		memcpy(big + 4 * i, "abc.", 4);
	memcpy(big + 252, "c", 2);
	CHECK(mail_dom(big, out, sizeof(out)) == 253, "253");
	memcpy(big + 252, "cd", 3);
	CHECK(mail_dom(big, out, sizeof(out)) == -1, "254");
	CHECK(mail_dom("abc.example", out, 5) == -1, "small out");
}

static void
test_lines(void)
{
	static const char *const good[] = {
	    "dnsbl ZEN zen.spamhaus.org",
	    "dnsbl ZEN " SECRET ".zen.dq.spamhaus.net SPAMHAUS_PBL=0.5",
	    "dnsbl SPAMCOP bl.spamcop.net 127.0.0.2=2.5",
	    "dnswl DNSWL list.dnswl.org 127.0.[0..255].[2..3]=-3 "
		"127.0.[0..255].1=-1:DNSWL_LOW",
	    "rhsbl DBL dbl.spamhaus.org.",
	    "dnsbl MYIP6 v6.example.net ipv6 127.0.0.2=1",
	    "dnsbl X x.example 127.0.0.[2;4;9..11]=2:X_A 127.0.0.3:X_B notxt",
	    "dnsbl M mirror.local profile=zen ipv4",
	    "dnsbl N zen.spamhaus.org profile=none",
	    "dns 127.0.0.1:5353,[::1]:5353",
	    "dns 127.0.0.1 ::1 [::1]:53",
	    "dnsbl E e.example 127.0.0.[200..210]=error 127.0.0.2",
	    NULL };
	static const char *const bad[] = {
	    "dnsbl",
	    "dnsbl ZEN",
	    "dnsbl bad!label zone.example",
	    "dnsbl _X zone.example",
	    "dnsbl X.Y zone.example",
	    "dnsbl AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA zone.example",
	    "dnsbl X nodot",
	    "dnsbl X a..b",
	    "dnsbl X .a.b",
	    "dnsbl X -a.example",
	    "dnsbl X a-.example",
	    "dnsbl X zone.123",
	    "dnsbl X a.b 127.0.0.[2..1]",
	    "dnsbl X a.b 127.0.0.256",
	    "dnsbl X a.b 127.0.0",
	    "dnsbl X a.b 127.0.0.2.5",
	    "dnsbl X a.b 127.0.0.2=abc",
	    "dnsbl X a.b 127.0.0.2=1e999",
	    "dnsbl X a.b 127.0.0.2=nan",
	    "dnsbl X a.b 127.0.0.2=",
	    "dnsbl X a.b 127.0.0.[2;",
	    "dnsbl X a.b 127.0.0.[2;;3]",
	    "dnsbl X a.b 127.0.0.[]",
	    "dnsbl X a.b 127.0.0.0002",
	    "dnsbl X a.b 127.0.0.-1",
	    "dnsbl X a.b 127.0.0.2:bad!name",
	    "dnsbl X a.b 127.0.0.2:",
	    "dnsbl X a.b 127.0.0.2=1:A:B",
	    "dnsbl X a.b frobnicate",
	    "dnsbl X a.b profile=nosuch",
	    "dnsbl X a.b NOSUCH=1",
	    "dnsbl X zen.spamhaus.org SPAMHAUS_PBL=x",
	    "dns",
	    "dns 127.0.0.1:0",
	    "dns 127.0.0.1:65536",
	    "dns 127.0.0.1:53x",
	    "dns localhost",
	    "dns 127.0.0.1,,",
	    "dns [::1",
	    "frob a b",
	    NULL };
	char err[256], zone[300], line[400];
	int i;

	for (i = 0; good[i] != NULL; i++)
		CHECK(line_ok(good[i], err, sizeof(err)), "good line %s: %s",
		    good[i], err);
	for (i = 0; bad[i] != NULL; i++) {
		CHECK(!line_ok(bad[i], err, sizeof(err)) && err[0] != '\0',
		    "bad line accepted: %s", bad[i]);
		CHECK(strchr(err, '\n') == NULL, "err has newline");
	}
	memset(zone, 'a', 240);
	for (i = 0; i < 4; i++)
		zone[60 * i + 59] = '.';
	memcpy(zone + 240, "x" SECRET, 14);
	snprintf(line, sizeof(line), "dnsbl X %s", zone);
	CHECK(!line_ok(line, err, sizeof(err)), "long zone accepted");
	CHECK(strstr(err, SECRET) == NULL, "err echoes zone: %s", err);
	CHECK(!line_ok("dnsbl X " SECRET ".x!y", err, sizeof(err)) &&
	    strstr(err, SECRET) == NULL, "bad zone err echoes: %s", err);
	CHECK(!line_ok("dnsbl X " SECRET ".a.b 1.2.3", err, sizeof(err)) &&
	    strstr(err, SECRET) == NULL, "filter err echoes: %s", err);
	CHECK(!line_ok("dnsbl X " SECRET ".a.b\r", err, sizeof(err)),
	    "CR in zone");
}

static void
test_duplicate(void)
{
	static const char *const lines[] = { "dnsbl A a.example",
	    "dnsbl A b.example", NULL };
	char err[256];

	CHECK(conf_of(lines, err, sizeof(err)) == NULL, "duplicate label");
}

static void
test_classify(void)
{
	static const char *const zen3[] = { "127.0.0.2", "127.0.0.4",
	    "127.0.0.10" };
	static const char *const e254[] = { "127.255.255.254" };
	static const char *const mixed[] = { "127.0.0.2", "127.255.255.254" };
	static const char *const dbl_err[] = { "127.0.1.255" };
	static const char *const dbl_ok[] = { "127.0.1.2" };
	static const char *const wl_err[] = { "127.0.0.255" };
	static const char *const wl_hi[] = { "127.0.15.3" };
	static const char *const ten[] = { "10.0.0.1" };
	static const char *const one[] = { "127.0.0.1" };
	static const char *const five[] = { "127.0.0.5" };
	static const char *const eight[] = { "127.0.0.8" };
	struct dnsbl_class c;
	int v;

	v = classify("dnsbl Z zen.spamhaus.org", zen3, 3, 0, &c);
	CHECK(v == DNSBL_LISTED && c.naddr == 3, "zen3 %d", v);
	CHECK(c.fmask[0] == 1 && c.fmask[1] == 0 && c.fmask[2] == 2 &&
	    c.fmask[3] == 0 && c.fmask[4] == 4, "zen3 masks");
	v = classify("dnsbl Z zen.spamhaus.org", e254, 1, 0, &c);
	CHECK(v == DNSBL_ERROR && strcmp(c.answer, "127.255.255.254") == 0,
	    "254 %d %s", v, c.answer);
	v = classify("dnsbl Z zen.spamhaus.org", mixed, 2, 0, &c);
	CHECK(v == DNSBL_ERROR, "mixed %d", v);
	v = classify("dnsbl G generic.example", e254, 1, 0, &c);
	CHECK(v == DNSBL_ERROR, "generic 254 %d", v);
	v = classify("rhsbl D dbl.spamhaus.org", dbl_err, 1, 0, &c);
	CHECK(v == DNSBL_ERROR && strcmp(c.answer, "127.0.1.255") == 0,
	    "dbl 255 %d", v);
	v = classify("rhsbl D dbl.spamhaus.org 127.0.1.[2..255]=9", dbl_err, 1,
	    0, &c);
	CHECK(v == DNSBL_ERROR, "dbl 255 with user filter %d", v);
	v = classify("rhsbl D dbl.spamhaus.org", dbl_ok, 1, 0, &c);
	CHECK(v == DNSBL_LISTED && c.fmask[0] == 1, "dbl 2 %d", v);
	v = classify("dnswl W list.dnswl.org", wl_err, 1, 0, &c);
	CHECK(v == DNSBL_ERROR, "dnswl 255 %d", v);
	v = classify("dnswl W list.dnswl.org", wl_hi, 1, 0, &c);
	CHECK(v == DNSBL_LISTED && c.fmask[3] == 1, "dnswl hi %d", v);
	v = classify("dnsbl G generic.example", ten, 1, 0, &c);
	CHECK(v == DNSBL_ERROR && strcmp(c.answer, "10.0.0.1") == 0,
	    "10.0.0.1 %d", v);
	v = classify("dnsbl G generic.example", one, 1, 0, &c);
	CHECK(v == DNSBL_ERROR, "127.0.0.1 %d", v);
	v = classify("dnsbl G generic.example 127.0.0.1", one, 1, 0, &c);
	CHECK(v == DNSBL_ERROR, "127.0.0.1 with filter %d", v);
	v = classify("dnsbl G generic.example", five, 1, 0, &c);
	CHECK(v == DNSBL_LISTED, "generic 5 %d", v);
	v = classify("dnsbl Z zen.spamhaus.org", eight, 1, 0, &c);
	CHECK(v == DNSBL_CLEAN && strcmp(c.answer, "127.0.0.8") == 0,
	    "zen unknown code %d %s", v, c.answer);
	v = classify("dnsbl G generic.example 127.0.0.[2..4]", five, 1, 0, &c);
	CHECK(v == DNSBL_CLEAN, "filter miss %d", v);
	v = classify("dnsbl G generic.example", five, 0, 3, &c);
	CHECK(v == DNSBL_CLEAN, "nxdomain %d", v);
	v = classify("dnsbl G generic.example", five, 0, 0, &c);
	CHECK(v == DNSBL_CLEAN, "nodata %d", v);
	v = classify("dnsbl G generic.example", five, 0, 2, &c);
	CHECK(v == DNSBL_ERROR && strcmp(c.answer, "servfail") == 0,
	    "servfail %d", v);
	v = classify("dnsbl G generic.example", five, 0, 5, &c);
	CHECK(v == DNSBL_ERROR && strcmp(c.answer, "refused") == 0,
	    "refused %d", v);
}

static void
test_classify_hostile(void)
{
	static const char *const five[] = { "127.0.0.5", "127.0.0.6" };
	static const char *const lines[] = { "dnsbl G g.example", NULL };
	struct dnsbl_conf *c;
	struct dnsbl_class cls;
	unsigned char b[1024];
	char err[64];
	int len, i, v, bad = 0;

	c = conf_of(lines, err, sizeof(err));
	len = mk_a(b, 0, five, 2);
	for (i = 0; i < len; i++) {	/* every truncation */
		v = dnsbl_classify(dnsbl_conf_list(c, 0), b, i, &cls);
		if (v == DNSBL_LISTED && i < len)
			bad++;
	}
	CHECK(bad == 0, "truncated answers listed %d times", bad);
	CHECK(dnsbl_classify(dnsbl_conf_list(c, 0), NULL, 0, &cls) ==
	    DNSBL_ERROR, "NULL");
	memset(b, 0xff, sizeof(b));
	CHECK(dnsbl_classify(dnsbl_conf_list(c, 0), b, 512, &cls) ==
	    DNSBL_ERROR, "0xff");
	dnsbl_conf_free(c);
}

static void
test_many_records(void)
{
	static const char *codes[40];
	static char text[40][24];
	static const char *const lines[] = { "dnsbl G g.example", NULL };
	struct dnsbl_conf *c;
	struct dnsbl_class cls;
	unsigned char b[2048];
	char err[64];
	int i, v;

	for (i = 0; i < 40; i++) {
		snprintf(text[i], sizeof(text[i]), "127.0.0.%d", i + 2);
		codes[i] = text[i];
	}
	c = conf_of(lines, err, sizeof(err));
	v = dnsbl_classify(dnsbl_conf_list(c, 0), b, mk_a(b, 0, codes, 40),
	    &cls);
	CHECK(v == DNSBL_LISTED && cls.naddr == DNSBL_MAXA, "40 records %d %d",
	    v, cls.naddr);
	CHECK(strlen(cls.answer) < sizeof(cls.answer) &&
	    cls.answer[strlen(cls.answer) - 1] != ',', "answer %s",
	    cls.answer);
	dnsbl_conf_free(c);
}

static void
test_ptr(void)
{
	unsigned char b[1024], rd[300];
	char name[1100];
	size_t o, n;
	int rc;

	o = hdr(b, 0, 1, "1.2.0.192.in-addr.arpa", 12);
	n = enc_name(rd, "mail.example.org", 16);
	o += rr(b + o, 12, rd, n);
	rc = dnsbl_ptr_parse(b, (int)o, name, sizeof(name));
	CHECK(rc == 0 && strcmp(name, "mail.example.org") == 0, "ptr %d %s",
	    rc, name);
	o = hdr(b, 0, 1, "1.2.0.192.in-addr.arpa", 12);
	n = enc_name(rd, "evil\r\nBcc: x.exa\0mple.org", 26);
	o += rr(b + o, 12, rd, n);
	rc = dnsbl_ptr_parse(b, (int)o, name, sizeof(name));
	CHECK(rc == 0 && strchr(name, '\r') == NULL &&
	    strchr(name, '\n') == NULL, "hostile ptr %d %s", rc, name);
	o = hdr(b, 3, 0, "1.2.0.192.in-addr.arpa", 12);
	CHECK(dnsbl_ptr_parse(b, (int)o, name, sizeof(name)) == 1, "nx");
	o = hdr(b, 0, 0, "1.2.0.192.in-addr.arpa", 12);
	CHECK(dnsbl_ptr_parse(b, (int)o, name, sizeof(name)) == 1, "nodata");
	o = hdr(b, 2, 0, "1.2.0.192.in-addr.arpa", 12);
	CHECK(dnsbl_ptr_parse(b, (int)o, name, sizeof(name)) == -1, "sf");
	o = hdr(b, 0, 1, "1.2.0.192.in-addr.arpa", 12);
	n = enc_name(rd, "mail.example.org", 16);
	o += rr(b + o, 12, rd, n);
	CHECK(dnsbl_ptr_parse(b, (int)o - 3, name, sizeof(name)) == -1,
	    "truncated ptr");
	o = hdr(b, 0, 1, "1.2.0.192.in-addr.arpa", 12);
	n = enc_name(rd, "mail.example.org", 16);
	o += rr(b + o, 12, rd, n);
	CHECK(dnsbl_ptr_parse(b, (int)o, name, 5) == 2, "ptr too long");
}

static void
test_addr_txt(void)
{
	unsigned char b[2048], a[16], rd[800];
	char out[DNSBL_TXTMAX];
	size_t o;
	int i;

	o = hdr(b, 0, 2, "mail.example.org", 1);
	o += rr(b + o, 1, (const unsigned char *)"\xc0\x00\x02\x07", 4);
	o += rr(b + o, 1, (const unsigned char *)"\xc0\x00\x02\x01", 4);
	ip_family("192.0.2.1", a);
	CHECK(dnsbl_addr_match(b, (int)o, 4, a) == 1, "a match");
	ip_family("192.0.2.2", a);
	CHECK(dnsbl_addr_match(b, (int)o, 4, a) == 0, "a mismatch");
	o = hdr(b, 3, 0, "mail.example.org", 1);
	CHECK(dnsbl_addr_match(b, (int)o, 4, a) == 0, "a nx");
	o = hdr(b, 2, 0, "mail.example.org", 1);
	CHECK(dnsbl_addr_match(b, (int)o, 4, a) == -1, "a servfail");
	o = hdr(b, 0, 1, "mail.example.org", 28);
	ip_family("2001:db8:1234:5678:9abc:def0:fedc:ba98", a);
	o += rr(b + o, 28, a, 16);
	CHECK(dnsbl_addr_match(b, (int)o, 6, a) == 1, "aaaa match");
	a[15] ^= 1;
	CHECK(dnsbl_addr_match(b, (int)o, 6, a) == 0, "aaaa mismatch");

	o = hdr(b, 0, 1, "2.0.0.127.zone.test", 16);
	rd[0] = 6;
	memcpy(rd + 1, "ab\r\nc\0", 6);
	rd[7] = 3;
	memcpy(rd + 8, "xyz", 3);
	o += rr(b + o, 16, rd, 11);
	CHECK(dnsbl_txt_parse(b, (int)o, out, sizeof(out)) == 9 &&
	    memcmp(out, "ab\r\nc\0xyz", 9) == 0, "txt raw");
	o = hdr(b, 0, 1, "2.0.0.127.zone.test", 16);
	for (i = 0; i < 3; i++) {
		rd[256 * i] = 255;
		memset(rd + 256 * i + 1, 'A' + i, 255);
	}
	o += rr(b + o, 16, rd, 768);
	CHECK(dnsbl_txt_parse(b, (int)o, out, sizeof(out)) == DNSBL_TXTMAX,
	    "txt cap");
	CHECK(dnsbl_txt_parse(b, 20, out, sizeof(out)) == 0, "txt short");
}

/* Every string of every result must be free of the key. */
static int
leaks(const struct dnsbl_run *r)
{
	const struct dnsbl_result *x;
	size_t i;

	for (i = 0; i < dnsbl_nresults(r); i++) {
		x = dnsbl_result(r, i);
		if (strstr(x->test, SECRET) || strstr(x->label, SECRET) ||
		    strstr(x->kind, SECRET) || strstr(x->subject, SECRET) ||
		    strstr(x->answer, SECRET))
			return 1;
	}
	return 0;
}

/* A UDP port on 127.0.0.1 where nothing listens. */
static int
dead_port(void)
{
	struct sockaddr_in sin;
	int s, port, i;

	/*
	 * Below Linux's ephemeral range (32768-60999): a port the kernel
	 * handed out and we closed could come back as the source port of
	 * c-ares's own socket, which would then read its query as the
	 * answer (a "clean" run, once in a while).
	 */
	for (i = 0; i < 1000; i++) {
		port = 20000 + (int)(((unsigned)getpid() * 7919u +
		    (unsigned)i * 104729u) % 12000u);
		if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
			break;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons((unsigned short)port);
		if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			close(s);
			return port;
		}
		close(s);
	}
	return 9;	/* discard: nobody listens on loopback here */
}

/* A run on its own DNS service of the conf's servers. */
static struct dnsbl_run *
start(const struct dnsbl_conf *c, struct dns **d, const char *ip,
    const char *rh, int flags)
{
	struct ipaddr a;

	*d = dns_new(dnsbl_conf_get_servers(c), NULL, 0);
	(void)ipaddr_parses(ip, &a);
	return dnsbl_start_flags(c, *d, ip != NULL ? &a : NULL, rh, flags);
}

static void
finish_run(struct dnsbl_run *r, struct dns *d)
{
	dnsbl_free(r);
	dns_free(d);
}

static void
test_runs(void)
{
	static const char *const lines[] = {
	    "dnsbl ZEN " SECRET ".zen.dq.spamhaus.net",
	    "dnswl WL " SECRET ".dwl.dnswl.org",
	    "rhsbl DBL " SECRET ".dbl.dq.spamhaus.net",
	    "dnsbl V6 v6only.example ipv6",
	    NULL };
	struct dnsbl_conf *c;
	struct dnsbl_run *r;
	struct dns *d;
	struct pollfd p[4];
	char err[128], csv[64];

	c = conf_of(lines, err, sizeof(err));
	CHECK(c != NULL, "conf: %s", err);
	snprintf(csv, sizeof(csv), "127.0.0.1:%d", dead_port());
	CHECK(dnsbl_conf_servers(c, csv) == 0, "servers");
	CHECK(strcmp(dnsbl_conf_get_servers(c), csv) == 0, "servers back");
	r = start(c, &d, NULL, NULL, 0);
	CHECK(r != NULL && dnsbl_pending(r) == 0 && dnsbl_nresults(r) == 0 &&
	    dns_pollfds(d, p, 4) == 0 && dns_timeout(d, 100) == -1,
	    "no ip");
	finish_run(r, d);
	r = start(c, &d, "10.0.0.1", "x.example", 0);
	CHECK(r != NULL && dnsbl_pending(r) == 0 && dns_pending(d) == 0,
	    "private ip");
	finish_run(r, d);
	r = start(c, &d, "192.0.2.1", NULL, 0);
	CHECK(dnsbl_pending(r) == 3, "pending %d", dnsbl_pending(r));
	CHECK(dns_pollfds(d, p, 4) >= 1, "sockets");
	CHECK((fcntl(p[0].fd, F_GETFD) & FD_CLOEXEC) != 0, "socket cloexec");
	dnsbl_domain(r, DNSBL_SENDER, "Example.ORG");
	dnsbl_domain(r, DNSBL_FROM, "example.org.");
	dnsbl_domain(r, DNSBL_FROM, "bogus..org");
	dnsbl_domain(r, DNSBL_SENDER, "");
	dnsbl_domain(r, DNSBL_SENDER, NULL);
	CHECK(dnsbl_pending(r) == 5, "pending %d", dnsbl_pending(r));
	CHECK(dns_wait(d, -1, 2000) == DNS_WAIT_IDLE, "dead server answered");
	CHECK(dnsbl_pending(r) == 0, "dead server pending");
	dns_stop(d);
	dnsbl_stop(r);
	dnsbl_stop(r);
	CHECK(dnsbl_nresults(r) == 5, "results %zu", dnsbl_nresults(r));
	CHECK(dnsbl_result(r, 5) == NULL, "past end");
	CHECK(dnsbl_result(r, 0)->verdict == DNSBL_ERROR &&
	    strcmp(dnsbl_result(r, 0)->label, "ZEN") == 0, "dead = error");
	CHECK(dnsbl_result(r, 3)->source == (DNSBL_FROM | DNSBL_SENDER),
	    "source %d", dnsbl_result(r, 3)->source);
	CHECK(!leaks(r), "secret leaked");
	finish_run(r, d);

	r = start(c, &d, "192.0.2.1", NULL, DNSBL_NORDNS | DNSBL_NOEXIST);
	dnsbl_domain(r, DNSBL_SENDER, "example.org");
	CHECK(dnsbl_pending(r) == 3, "flags pending %d", dnsbl_pending(r));
	finish_run(r, d);
	r = start(c, &d, "127.0.0.2", NULL, DNSBL_ANYIP);
	CHECK(dnsbl_pending(r) == 3, "anyip pending %d", dnsbl_pending(r));
	finish_run(r, d);

	r = start(c, &d, "2001:db8::1", "host.example", 0);
	CHECK(dnsbl_pending(r) == 4, "v6 pending %d", dnsbl_pending(r));
	dns_stop(d);
	CHECK(dnsbl_pending(r) == 0 && dnsbl_nresults(r) == 4 &&
	    strcmp(dnsbl_result(r, 0)->answer, "timeout") == 0, "stop");
	CHECK(dns_pollfds(d, p, 4) == 0 && dns_timeout(d, 5) == -1,
	    "stopped has no fds");
	dnsbl_stop(r);		/* as qqtag does after dns_stop() */
	dnsbl_domain(r, DNSBL_SENDER, "example.org");
	CHECK(dnsbl_nresults(r) == 4, "domain after stop");
	CHECK(!leaks(r), "secret leaked");
	finish_run(r, d);

	/* dnsbl_stop alone: its checks end, its callbacks are dropped */
	r = start(c, &d, "192.0.2.1", NULL, 0);
	CHECK(dnsbl_pending(r) == 3 && dns_pending(d) == 3, "own stop %d",
	    dns_pending(d));
	dnsbl_stop(r);
	CHECK(dnsbl_pending(r) == 0 && dns_pending(d) == 0 &&
	    dnsbl_nresults(r) == 3, "own stop dropped %d", dns_pending(d));
	finish_run(r, d);

	/* no service: every check an error "resolver", at once */
	r = dnsbl_start_flags(c, NULL, NULL, NULL, 0);
	CHECK(r != NULL && dnsbl_pending(r) == 0, "null ip, null dns");
	dnsbl_free(r);
	{
		struct ipaddr a;

		(void)ipaddr_parses("192.0.2.1", &a);
		r = dnsbl_start(c, NULL, &a, NULL);
		CHECK(r != NULL && dnsbl_pending(r) == 0 &&
		    dnsbl_nresults(r) == 3 && strcmp(dnsbl_result(r, 0)->answer,
		    "resolver") == 0, "no dns: resolver");
		dnsbl_free(r);
	}
	dnsbl_conf_free(c);
}

/* Each profile's documented test point reaches the probe (issue 10). */
static void
test_testpoints(void)
{
	static const struct {
		const char *line, *test;
	} t[] = {
	    { "dnsbl ZEN zen.spamhaus.org", "127.0.0.2" },
	    { "dnsbl ZEN " SECRET ".zen.dq.spamhaus.net", "127.0.0.2" },
	    { "rhsbl DBL dbl.spamhaus.org", "dbltest.com" },
	    { "rhsbl DBL " SECRET ".dbl.dq.spamhaus.net", "dbltest.com" },
	    { "rhsbl DBL dbl.mirror.example profile=dbl", "dbltest.com" },
	    { "rhsbl DBL dbl.mirror.example profile=dbl notest",
		"dbltest.com" },
	    { "dnswl WL list.dnswl.org", "127.0.0.2" },
	    { "dnsbl SC bl.spamcop.net", "127.0.0.2" },
	    { "dnsbl BC b.barracudacentral.org", "127.0.0.2" },
	    { "dnsbl OTHER bl.example.net", NULL },
	    { "rhsbl OTHER dbl.spamhaus.org profile=none", NULL },
	    /* a profile of the other kind gives no point: RFC 5782's */
	    { "dnsbl WRONG dbl.spamhaus.org", NULL },
	    { "rhsbl WRONG zen.spamhaus.org", NULL },
	};
	struct dnsbl_list_info info;
	struct dnsbl_conf *c;
	const char *lines[2] = { NULL, NULL };
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		lines[0] = t[i].line;
		c = conf_of(lines, err, sizeof(err));
		CHECK(c != NULL, "%s: %s", t[i].line, err);
		if (c == NULL)
			continue;
		dnsbl_list_info(dnsbl_conf_list(c, 0), &info);
		CHECK(t[i].test == NULL ? info.test == NULL :
		    info.test != NULL && strcmp(info.test, t[i].test) == 0,
		    "%s: test point %s", t[i].line, info.test ? info.test :
		    "(RFC 5782)");
		CHECK(info.notest == (strstr(t[i].line, "notest") != NULL),
		    "%s: notest", t[i].line);
		dnsbl_conf_free(c);
	}
}

int
main(void)
{
	test_revname();
	test_skip();
	test_domain();
	test_lines();
	test_duplicate();
	test_classify();
	test_classify_hostile();
	test_many_records();
	test_ptr();
	test_addr_txt();
	test_runs();
	test_testpoints();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}

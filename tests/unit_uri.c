/*
 * unit_uri.c: unit tests of the URI lists -- the urilist profiles of
 * dnsbl.c (DBL, URIBL, SURBL codes, bit masks, error codes, test points,
 * their SpamAssassin test names), the &MASK filter octet, which lists a
 * domain and an address are asked of (domains only for DBL and URIBL,
 * addresses reversed for SURBL, once each, never the RHSBL lists), the
 * allowlist (built-in, uriallow, nodefault) and the registrable domain a
 * host is asked as, a DKIM d= counted only for a valid signature (uri.c).
 * No zone ever in a reason.  Ends with
 * "N passed, N failed".
 */
#include <string.h>

#include "unit.h"

#include "../check.h"
#include "../dnsbl.h"
#include "../msg.h"
#include "../orgdom.h"
#include "../policy.h"
#include "../report.h"
#include "../uri.h"

extern const struct check check_uri;

#define SECRET	"s3cr3tk3yXYZ"

static char err[256];

/* One policy line: 0 or -1, the reason in err. */
static int
line(void *c, const char *l)
{
	char	 buf[512], *av[32], *p, *save;
	int	 ac = 0;

	snprintf(buf, sizeof(buf), "%s", l);
	for (p = strtok_r(buf, " ", &save); p != NULL && ac < 31;
	    p = strtok_r(NULL, " ", &save))
		av[ac++] = p;
	err[0] = '\0';
	return check_uri.conf_line(c, ac, av, err, sizeof(err));
}

/* A uri conf from policy lines; NULL (the reason on stderr). */
static void *
conf_of(const char *const *lines)
{
	void	*c = check_uri.conf_new();

	for (; c != NULL && *lines != NULL; lines++)
		if (line(c, *lines) == -1) {
			fprintf(stderr, "line \"%s\": %s\n", *lines, err);
			check_uri.conf_free(c);
			return NULL;
		}
	return c;
}

/* The tests of the listing filters that code matches, "A,B", in buf. */
static const char *
tests_of(const struct dnsbl_list *l, unsigned long code, char *buf,
    size_t size)
{
	struct dnsbl_class	 cls;
	const char		*t;
	double			 w;
	size_t			 f, n = 0;

	buf[0] = '\0';
	switch (dnsbl_classify_codes(l, &code, 1, &cls)) {
	case DNSBL_ERROR:
		snprintf(buf, size, "error");
		return buf;
	case DNSBL_CLEAN:
		snprintf(buf, size, "clean");
		return buf;
	default:
		break;
	}
	for (f = 0; dnsbl_list_filter(l, f, &t, &w) != -1; f++)
		if (dnsbl_list_filter(l, f, &t, &w) == 1 && cls.fmask[f])
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
			    n ? "," : "", t);
	return buf;
}

#define C(a, b, c, d) ((unsigned long)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static void
test_profiles(void)
{
	static const char *const pol[] = {
		"urilist DBL dbl.spamhaus.org",
		"urilist URIBL multi.uribl.com",
		"urilist SURBL " SECRET ".multi.surbl.org",
		"urilist MIRROR uribl.mirror.example profile=uribl",
		"urilist PLAIN plain.example",
		NULL };
	const struct dnsbl_conf	*dc;
	struct dnsbl_list_info	 in;
	void			*c;
	char			 b[256];

	T((c = conf_of(pol)) != NULL, "the URI lists parse");
	if (c == NULL)
		return;
	dc = uri_conf_lists(c);
	T(dnsbl_conf_nlists(dc) == 5, "five lists");
	dnsbl_list_info(dnsbl_conf_list(dc, 0), &in);
	T(strcmp(in.kind, "urilist") == 0, "kind urilist: %s", in.kind);
	T(in.test && strcmp(in.test, "dbltest.com") == 0, "DBL test point");
#define TESTS(i, code, want) do {					\
	tests_of(dnsbl_conf_list(dc, i), code, b, sizeof(b));		\
	T(strcmp(b, want) == 0, "list %d code %lu.%lu.%lu.%lu: %s, want %s", \
	    i, (code) >> 24, ((code) >> 16) & 255, ((code) >> 8) & 255,	\
	    (code) & 255, b, want);					\
} while (0)
	TESTS(0, C(127, 0, 1, 2), "URIBL_DBL_SPAM");
	TESTS(0, C(127, 0, 1, 3), "URIBL_DBL_SPAM");
	TESTS(0, C(127, 0, 1, 4), "URIBL_DBL_PHISH");
	TESTS(0, C(127, 0, 1, 5), "URIBL_DBL_MALWARE");
	TESTS(0, C(127, 0, 1, 6), "URIBL_DBL_BOTNETCC");
	TESTS(0, C(127, 0, 1, 99), "URIBL_DBL_SPAM");
	TESTS(0, C(127, 0, 1, 102), "URIBL_DBL_ABUSE_SPAM");
	TESTS(0, C(127, 0, 1, 103), "URIBL_DBL_ABUSE_REDIR");
	TESTS(0, C(127, 0, 1, 104), "URIBL_DBL_ABUSE_PHISH");
	TESTS(0, C(127, 0, 1, 105), "URIBL_DBL_ABUSE_MALW");
	TESTS(0, C(127, 0, 1, 106), "URIBL_DBL_ABUSE_BOTCC");
	TESTS(0, C(127, 0, 1, 255), "error");
	TESTS(0, C(127, 0, 0, 1), "error");
	TESTS(0, C(127, 255, 255, 254), "error");
	TESTS(0, C(127, 0, 1, 200), "clean");	/* unmatched 127/8 code */
	TESTS(1, C(127, 0, 0, 2), "URIBL_BLACK");
	TESTS(1, C(127, 0, 0, 4), "URIBL_GREY");
	TESTS(1, C(127, 0, 0, 8), "URIBL_RED");
	TESTS(1, C(127, 0, 0, 14), "URIBL_BLACK,URIBL_GREY,URIBL_RED");
	TESTS(1, C(127, 0, 0, 1), "error");	/* query refused */
	TESTS(1, C(127, 0, 1, 2), "clean");	/* not 127.0.0.x */
	TESTS(2, C(127, 0, 0, 8), "URIBL_PH_SURBL");
	TESTS(2, C(127, 0, 0, 16), "URIBL_MW_SURBL");
	TESTS(2, C(127, 0, 0, 64), "URIBL_ABUSE_SURBL");
	TESTS(2, C(127, 0, 0, 128), "URIBL_CR_SURBL");
	TESTS(2, C(127, 0, 0, 88), "URIBL_PH_SURBL,URIBL_MW_SURBL,"
	    "URIBL_ABUSE_SURBL");
	TESTS(2, C(127, 0, 0, 1), "error");
	TESTS(3, C(127, 0, 0, 6), "URIBL_BLACK,URIBL_GREY");
	TESTS(4, C(127, 0, 0, 2), "PLAIN");
	TESTS(4, C(127, 0, 0, 1), "error");
	dnsbl_list_info(dnsbl_conf_list(dc, 2), &in);
	T(in.test && strcmp(in.test, "test.surbl.org") == 0, "SURBL test "
	    "point");
	dnsbl_list_info(dnsbl_conf_list(dc, 1), &in);
	T(in.test && strcmp(in.test, "test.uribl.com") == 0, "URIBL test "
	    "point");
	check_uri.conf_free(c);
}

static void
test_lines(void)
{
	void			*c = check_uri.conf_new();
	const struct dnsbl_conf	*dc;
	char			 b[256];

	T(c != NULL, "conf");
	if (c == NULL)
		return;
	dc = uri_conf_lists(c);
	T(line(c, "urilist M m.example 127.0.0.&6=2:MASKED 127.0.0.&1=error")
	    == 0, "&MASK filters: %s", err);
	TESTS(0, C(127, 0, 0, 2), "MASKED");
	TESTS(0, C(127, 0, 0, 4), "MASKED");
	TESTS(0, C(127, 0, 0, 8), "clean");
	TESTS(0, C(127, 0, 0, 3), "error");
	T(line(c, "urilist B b.example 127.0.0.&0") == -1, "&0 refused");
	T(line(c, "urilist B b.example 127.0.0.&256") == -1, "&256 refused");
	T(line(c, "urilist B b.example 127.0.0.&") == -1, "& alone refused");
	T(line(c, "urilist B b.example profile=zen") == -1 &&
	    strstr(err, "profile") != NULL, "no zen profile for urilist: %s",
	    err);
	T(line(c, "urilist B " SECRET ".bad..zone") == -1 &&
	    strstr(err, SECRET) == NULL, "a bad zone is never echoed: %s",
	    err);
	T(line(c, "urilist D dbl.example profile=dbl URIBL_DBL_SPAM=4") == 0,
	    "override a profile weight: %s", err);
	T(line(c, "urilist D other.example") == -1, "duplicate label");
	T(line(c, "uriallow") == -1, "uriallow needs a domain");
	T(line(c, "uriallow not_a..domain") == -1, "uriallow bad domain");
	T(line(c, "dnsbl X x.example") == -1, "dnsbl is not a URI keyword");
	check_uri.conf_free(c);
}

/* A DNS-less run: every check ends "resolver", its subject recorded. */
static int
asked(const struct dnsbl_run *r, const char *label, const char *subject)
{
	const struct dnsbl_result *res;
	size_t			   i;
	int			   n = 0;

	for (i = 0; (res = dnsbl_result(r, i)) != NULL; i++)
		if (strcmp(res->label, label) == 0 &&
		    strcmp(res->subject, subject) == 0)
			n++;
	return n;
}

static void
test_keys(void)
{
	static const char *const pol[] = {
		"urilist DBL dbl.spamhaus.org",
		"urilist URIBL multi.uribl.com",
		"urilist SURBL multi.surbl.org",
		NULL };
	struct dnsbl_conf	*rh;
	struct dnsbl_run	*r;
	void			*c;
	char			*av[] = { "rhsbl", "RH", "rh.example", NULL };

	T((c = conf_of(pol)) != NULL, "conf");
	T((rh = dnsbl_conf_new()) != NULL, "rhsbl conf");
	if (c == NULL || rh == NULL)
		return;
	r = dnsbl_start_flags(uri_conf_lists(c), NULL, NULL, NULL,
	    DNSBL_NOIP);
	T(r != NULL, "a run without an address");
	dnsbl_domain(r, DNSBL_URI, "spam.example");
	dnsbl_domain(r, DNSBL_URI, "SPAM.example.");
	dnsbl_domain(r, DNSBL_DKIM, "spam.example");
	T(asked(r, "DBL", "spam.example") == 1 && asked(r, "URIBL",
	    "spam.example") == 1 && asked(r, "SURBL", "spam.example") == 1,
	    "a domain: every list once");
	T(dnsbl_result(r, 0) && dnsbl_result(r, 0)->source == (DNSBL_URI |
	    DNSBL_DKIM), "its sources: URI and DKIM");
	dnsbl_domain(r, DNSBL_FROM, "from.example");
	T(asked(r, "DBL", "from.example") == 0, "a From: domain is not asked "
	    "of the URI lists");
	dnsbl_uri_ip(r, DNSBL_URI, "198.51.100.7");
	dnsbl_uri_ip(r, DNSBL_URI, "198.51.100.7");
	T(asked(r, "SURBL", "198.51.100.7") == 1, "an address: SURBL once");
	T(asked(r, "DBL", "198.51.100.7") == 0 && asked(r, "URIBL",
	    "198.51.100.7") == 0, "an address: not DBL or URIBL");
	dnsbl_uri_ip(r, DNSBL_URI, "10.1.2.3");
	dnsbl_uri_ip(r, DNSBL_URI, "127.0.0.2");
	T(asked(r, "SURBL", "10.1.2.3") == 0 && asked(r, "SURBL",
	    "127.0.0.2") == 0, "private addresses are not asked");
	dnsbl_uri_ip(r, DNSBL_URI, "not.an.ip");
	T(dnsbl_nresults(r) == 4, "four checks in all: %zu",
	    dnsbl_nresults(r));
	T(dnsbl_result(r, 0)->verdict == DNSBL_ERROR &&
	    strcmp(dnsbl_result(r, 0)->answer, "resolver") == 0,
	    "no DNS: an error");
	dnsbl_free(r);
	/* an RHSBL run never asks the URI lists, and the URI source never
	   asks an RHSBL */
	T(dnsbl_conf_line(rh, 3, av, err, sizeof(err)) == 0, "rhsbl line");
	r = dnsbl_start_flags(rh, NULL, NULL, NULL, DNSBL_NOIP);
	dnsbl_domain(r, DNSBL_URI, "spam.example");
	T(dnsbl_nresults(r) == 0, "DNSBL_URI does not ask an RHSBL");
	dnsbl_domain(r, DNSBL_FROM, "spam.example");
	T(dnsbl_nresults(r) == 1, "DNSBL_FROM does");
	dnsbl_free(r);
	dnsbl_conf_free(rh);
	check_uri.conf_free(c);
}

static void
test_allow(void)
{
	void	*c = check_uri.conf_new();

	T(uri_allowed(c, "w3.org") && uri_allowed(c, "www.google.com") &&
	    uri_allowed(c, "googleapis.com"), "built-in allowlist");
	T(!uri_allowed(c, "notgoogle.com") && !uri_allowed(c, "google.com.evil"
	    ".example") && !uri_allowed(c, "spam.example"), "only under it");
	T(line(c, "uriallow Example.ORG mysite.example") == 0, "uriallow: %s",
	    err);
	T(uri_allowed(c, "example.org") && uri_allowed(c, "a.b.example.org") &&
	    uri_allowed(c, "mysite.example") && !uri_allowed(c,
	    "xexample.org"), "the site's list");
	T(line(c, "uriallow nodefault") == 0, "nodefault");
	T(!uri_allowed(c, "google.com") && uri_allowed(c, "example.org"),
	    "nodefault drops the built-in list only");
	check_uri.conf_free(c);
}

static void
test_domain(void)
{
	char	d[256];

	if (orgdom_load(NULL) == -1) {
		T_SKIP("no public suffix list here");
		return;
	}
#define DOM(h, want) do {						\
	const char *_r = uri_domain(h, d, sizeof(d));			\
	T(_r != NULL && strcmp(_r, want) == 0, "%s -> %s, want %s", h,	\
	    _r ? _r : "NULL", want);					\
} while (0)
	DOM("www.example.com", "example.com");
	DOM("a.b.c.example.com", "example.com");
	DOM("WWW.Example.CO.UK.", "example.co.uk");
	DOM("shop.example.co.uk", "example.co.uk");
	DOM("xn--bcher-kva.example", "xn--bcher-kva.example");
	DOM("user.github.io", "user.github.io");
	DOM("test.surbl.org", "surbl.org");
	T(uri_domain("-bad-.example", d, sizeof(d)) == NULL, "a bad name");
	T(uri_domain("localhost", d, sizeof(d)) == NULL, "one label");
	T(uri_domain("www.example.com", d, 5) == NULL, "out too small");
}

/* The findings of one message for subject, "-" when none. */
static const char *
finding_for(const struct report *rep, const char *subject)
{
	size_t	i;

	for (i = 0; i < rep->n; i++)
		if (rep->f[i].subject != NULL && rep->f[i].subjlen ==
		    strlen(subject) && memcmp(rep->f[i].subject, subject,
		    rep->f[i].subjlen) == 0)
			return rep->f[i].test;
	return "-";
}

/*
 * A DKIM-Signature's d= is asked at the header step (a DNS service that
 * never answers: the deadline makes it an error); its result is reported
 * only when DKIM left a valid signature of that domain in m->auth.
 */
static void
dkim_case(int valid)
{
	static const char hdr[] =
	    "DKIM-Signature: v=1; a=rsa-sha256; d=Mail.Signer.example; "
	    "s=sel;\n\th=from:subject; bh=AAAA; b=AAAA\n"
	    "From: a@signer.example\n";
	static const char *const pol[] = { "urilist DBL dbl.test "
	    "profile=dbl", NULL };
	struct policy	 p;
	struct report	*rep;
	struct msg	 m;
	void		*c, *u;

	memset(&m, 0, sizeof(m));
	m.mode = MSG_QUEUE;
	m.servers = "127.0.0.1:9";	/* discard: never answers */
	m.hdr = hdr;
	m.hdrlen = sizeof(hdr) - 1;
	policy_defaults(&p);
	m.pol = &p;
	if ((rep = calloc(1, sizeof(*rep))) == NULL ||
	    (c = conf_of(pol)) == NULL) {
		T(0, "setup");
		free(rep);
		return;
	}
	report_init(rep, &p, 5);
	u = check_uri.start(c, &m);
	T(u != NULL, "the check starts");
	check_uri.headers(u, &m);
	T(check_uri.wants_body(u), "it wants the body");
	if (valid) {
		m.auth.dkim.n = 1;
		m.auth.dkim.sig[0].res = AUTH_PASS;
		snprintf(m.auth.dkim.sig[0].d, sizeof(m.auth.dkim.sig[0].d),
		    "%s", "mail.signer.example");
	}
	dns_stop(m.dns);
	check_uri.findings(u, &m, rep);
	T(strcmp(finding_for(rep, "signer.example"), valid ? "DBL" : "-") ==
	    0, "a d= result is reported only for a valid signature (%d): %s",
	    valid, finding_for(rep, "signer.example"));
	check_uri.done(u);
	check_uri.conf_free(c);
	report_free(rep);
	free(rep);
	msg_free(&m);
	policy_free(&p);
}

int
main(void)
{
	test_profiles();
	test_lines();
	test_keys();
	test_allow();
	test_domain();
	if (orgdom_load(NULL) == 0) {
		dkim_case(0);
		dkim_case(1);
	} else
		T_SKIP("no public suffix list: the DKIM d= cases");
	return t_done();
}

/*
 * unit_dmarc.c - DMARC: organizational domains (orgdom.c, the public
 * suffix list missing included), record parsing and selection
 * (dmarcrec.c, hostile records, DNS answers built by hand), and the
 * decision (dmarc_decide) on a table of From:/envelope/signature
 * combinations with the result and policy expected; the policy keyword.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "check.h"
#include "dmarc.h"
#include "dmarcrec.h"
#include "dns.h"
#include "orgdom.h"
#include "unit.h"

static void
test_orgdom(void)
{
	static const struct { const char *in, *org; } t[] = {
		{ "example.com", "example.com" },
		{ "mail.example.com", "example.com" },
		{ "a.b.c.example.com", "example.com" },
		{ "MAIL.Example.COM", "example.com" },
		{ "mail.example.com.", "example.com" },
		{ "example.co.uk", "example.co.uk" },
		{ "x.y.example.co.uk", "example.co.uk" },
		{ "co.uk", "co.uk" },		/* a suffix is its own */
		{ "com", "com" },
		{ "a.b.kobe.jp", "a.b.kobe.jp" },	/* *.kobe.jp */
		{ "www.city.kobe.jp", "city.kobe.jp" },	/* !city.kobe.jp */
		{ "foo.bar.github.io", "bar.github.io" },	/* private */
		{ "mail.example.xn--p1ai", "example.xn--p1ai" },
		{ "host.example.unlistedtld", "example.unlistedtld" },
	};
	char	out[256], small[4];
	size_t	i;

	T(orgdom_load(NULL) == 0, "the system's public suffix list loads");
	T(strcmp(orgdom_source(), "none") != 0, "source %s",
	    orgdom_source());
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *r = orgdom_of(t[i].in, out, sizeof(out));

		T(r != NULL && strcmp(r, t[i].org) == 0, "orgdom_of(%s) = %s, "
		    "want %s", t[i].in, r ? r : "NULL", t[i].org);
	}
	errno = 0;
	T(orgdom_of("example.com", small, sizeof(small)) == NULL &&
	    errno == ENAMETOOLONG, "a short buffer is ENAMETOOLONG");
	errno = 0;
	T(orgdom_of("", out, sizeof(out)) == NULL && errno == EINVAL,
	    "an empty name is EINVAL");
	T(orgdom_of(NULL, out, sizeof(out)) == NULL, "NULL is refused");
	T(orgdom_same("a.example.com", "b.EXAMPLE.com") == 1, "same org");
	T(orgdom_same("a.example.co.uk", "b.other.co.uk") == 0,
	    "co.uk siblings differ");
	T(orgdom_same("example.co.uk", "co.uk") == 0, "a suffix differs");
}

/* No list at all: every lookup fails ENOENT, DMARC says temperror. */
static void
test_no_list(void)
{
	struct dmarc_look	l;
	struct dmarc_eval	e;
	char			out[256];

	orgdom_unload();
	errno = 0;
	T(orgdom_load("/nonexistent/psl.dafsa") == -1 && errno == ENOENT,
	    "a missing list file fails ENOENT");
	errno = 0;
	T(orgdom_of("mail.example.com", out, sizeof(out)) == NULL &&
	    errno == ENOENT, "orgdom_of fails without a list");
	T(orgdom_same("a.example.com", "example.com") == -1,
	    "orgdom_same fails without a list");
	T(strncmp(orgdom_source(), "none (", 6) == 0, "source says none "
	    "and why (%s)", orgdom_source());
	T(dmarc_aligned("example.com", "example.com", 'r') == 1,
	    "identical names align without a list");
	T(dmarc_aligned("example.com", "a.example.com", 'r') == -1,
	    "relaxed alignment cannot be judged without a list");
	memset(&l, 0, sizeof(l));
	memset(&e, 0, sizeof(e));
	e.fromstate = DMARC_FROM_ONE;
	e.from = "example.com";
	e.org = NULL;
	e.lfrom = &l;
	dmarc_decide(&e, NULL);
	T(e.res == AUTH_TEMPERROR && e.test == NULL &&
	    strstr(e.reason, "public suffix") != NULL,
	    "no list: temperror (%s), never a score", e.reason);
	orgdom_unload();
	T(orgdom_load("/usr/share/publicsuffix/public_suffix_list.dafsa") ==
	    0 && strstr(orgdom_source(), "dafsa") != NULL,
	    "a list file loads (%s)", orgdom_source());
	T(orgdom_of("a.example.co.uk", out, sizeof(out)) != NULL &&
	    strcmp(out, "example.co.uk") == 0, "and works");
	orgdom_unload();
	T(orgdom_load(NULL) == 0, "the system's list again");
}

static void
test_records(void)
{
	static const struct {
		const char	*txt;
		int		 r, p, sp, adkim, aspf;
		unsigned	 pct;
		int		 rua, fb;
	} t[] = {
		{ "v=DMARC1; p=reject", DMARC_REC_OK, 3, 0, 'r', 'r', 100, 0,
		    0 },
		{ "v=DMARC1;p=none", DMARC_REC_OK, 1, 0, 'r', 'r', 100, 0, 0 },
		{ "v=DMARC1; p=quarantine; sp=reject; adkim=s; aspf=s; "
		    "pct=20", DMARC_REC_OK, 2, 3, 's', 's', 20, 0, 0 },
		{ "  v = DMARC1 ;\tP = Reject ; SP=NONE; ADKIM=S ;",
		    DMARC_REC_OK, 3, 1, 's', 'r', 100, 0, 0 },
		{ "v=DMARC1; p=reject; pct=0", DMARC_REC_OK, 3, 0, 'r', 'r', 0,
		    0, 0 },
		{ "v=DMARC1; p=reject; pct=101", DMARC_REC_OK, 3, 0, 'r', 'r',
		    100, 0, 0 },
		{ "v=DMARC1; p=reject; pct=abc", DMARC_REC_OK, 3, 0, 'r', 'r',
		    100, 0, 0 },
		{ "v=DMARC1; p=reject; pct=-5", DMARC_REC_OK, 3, 0, 'r', 'r',
		    100, 0, 0 },
		{ "v=DMARC1; p=reject; pct=0050", DMARC_REC_OK, 3, 0, 'r', 'r',
		    100, 0, 0 },
		{ "v=DMARC1; p=reject; adkim=x; aspf=", DMARC_REC_OK, 3, 0,
		    'r', 'r', 100, 0, 0 },
		{ "v=DMARC1; p=reject; fo=1; ri=86400; foo=bar; junk",
		    DMARC_REC_OK, 3, 0, 'r', 'r', 100, 0, 0 },
		{ "v=DMARC1; p=none; p=reject", DMARC_REC_OK, 1, 0, 'r', 'r',
		    100, 0, 0 },	/* the first counts */
		{ "v=DMARC1; adkim=s; p=reject", DMARC_REC_OK, 3, 0, 's', 'r',
		    100, 0, 0 },
		{ "v=DMARC1; p=reject; rua=mailto:d@example.com",
		    DMARC_REC_OK, 3, 0, 'r', 'r', 100, 1, 0 },
		/* §6.6.3 step 6: bad or missing p=, a valid rua=: p=none */
		{ "v=DMARC1; p=bogus; rua=mailto:d@example.com",
		    DMARC_REC_OK, 1, 0, 'r', 'r', 100, 1, 1 },
		{ "v=DMARC1; rua=mailto:d@example.com!10m, bad",
		    DMARC_REC_OK, 1, 0, 'r', 'r', 100, 1, 1 },
		{ "v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.com",
		    DMARC_REC_OK, 1, 0, 'r', 'r', 100, 1, 1 },
		{ "v=DMARC1; p=reject; sp=bogus", DMARC_REC_BAD, 3, 0, 'r', 'r',
		    100, 0, 0 },
		{ "v=DMARC1; p=bogus", DMARC_REC_BAD, 0, 0, 'r', 'r', 100, 0,
		    0 },
		{ "v=DMARC1", DMARC_REC_BAD, 0, 0, 'r', 'r', 100, 0, 0 },
		{ "v=DMARC1;", DMARC_REC_BAD, 0, 0, 'r', 'r', 100, 0, 0 },
		{ "v=DMARC1; p=", DMARC_REC_BAD, 0, 0, 'r', 'r', 100, 0, 0 },
		{ "v=DMARC1; p=bogus; rua=nothing", DMARC_REC_BAD, 0, 0, 'r',
		    'r', 100, 0, 0 },
		{ "v=DMARC1; p=bogus; rua=mailto:", DMARC_REC_BAD, 0, 0, 'r',
		    'r', 100, 0, 0 },
		{ "v=DMARC1; p=bogus; rua=1x:y", DMARC_REC_BAD, 0, 0, 'r', 'r',
		    100, 0, 0 },
		/* not DMARC: discarded */
		{ "p=reject; v=DMARC1", DMARC_REC_OTHER, 0, 0, 'r', 'r', 100,
		    0, 0 },
		{ "v=dmarc1; p=reject", DMARC_REC_OTHER, 0, 0, 'r', 'r', 100,
		    0, 0 },
		{ "v=DMARC2; p=reject", DMARC_REC_OTHER, 0, 0, 'r', 'r', 100,
		    0, 0 },
		{ "v=DMARC1 p=reject", DMARC_REC_OTHER, 0, 0, 'r', 'r', 100, 0,
		    0 },
		{ "v=spf1 -all", DMARC_REC_OTHER, 0, 0, 'r', 'r', 100, 0, 0 },
		{ "; v=DMARC1; p=reject", DMARC_REC_OTHER, 0, 0, 'r', 'r', 100,
		    0, 0 },
		{ "", DMARC_REC_OTHER, 0, 0, 'r', 'r', 100, 0, 0 },
		{ "v", DMARC_REC_OTHER, 0, 0, 'r', 'r', 100, 0, 0 },
		{ "=DMARC1; p=reject", DMARC_REC_OTHER, 0, 0, 'r', 'r', 100, 0,
		    0 },
	};
	struct dmarc_rec	rec;
	size_t			i;
	int			r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r = dmarc_rec_parse(t[i].txt, strlen(t[i].txt), &rec);
		T(r == t[i].r, "record \"%s\": %d, want %d", t[i].txt, r,
		    t[i].r);
		if (r != DMARC_REC_OK)
			continue;
		T((int)rec.p == t[i].p && (int)rec.sp == t[i].sp &&
		    rec.adkim == t[i].adkim && rec.aspf == t[i].aspf &&
		    rec.pct == t[i].pct && rec.rua == t[i].rua &&
		    rec.pfallback == t[i].fb, "record \"%s\": p=%d sp=%d "
		    "adkim=%c aspf=%c pct=%u rua=%d fb=%d", t[i].txt, rec.p,
		    rec.sp, rec.adkim, rec.aspf, rec.pct, rec.rua,
		    rec.pfallback);
	}
	/* bytes that are no text, and NUL inside */
	T(dmarc_rec_parse("v=DMARC1\0; p=reject", 19, &rec) == DMARC_REC_OTHER,
	    "a NUL in the version value");
	T(dmarc_rec_parse("v=DMARC1; p=reject\0", 19, &rec) == DMARC_REC_BAD,
	    "a NUL after p's value");
	T(dmarc_rec_parse("v=DMARC1; p=reject", 10, &rec) == DMARC_REC_BAD,
	    "the length counts, not the NUL");
	T(dmarc_rec_parse(NULL, 0, &rec) == DMARC_REC_OTHER, "NULL");
	T(strcmp(dmarc_pol_text(DMARC_P_QUARANTINE), "quarantine") == 0 &&
	    strcmp(dmarc_pol_text((enum dmarc_pol)9), "-") == 0,
	    "policy names");
}

/* A DNS answer to _dmarc.example.com TXT with n records of strings. */
static int
answer(unsigned char *b, size_t cap, const char *const *recs, size_t n,
    int splitat)
{
	static const unsigned char q[] = "\x06_dmarc\x07" "example\x03" "com";
	size_t	o = 12, i, len, k, s;

	memset(b, 0, 12);
	b[2] = 0x81;
	b[3] = 0x80;
	b[5] = 1;
	b[7] = (unsigned char)n;
	memcpy(b + o, q, sizeof(q));
	o += sizeof(q);
	memcpy(b + o, "\0\x10\0\x01", 4);
	o += 4;
	for (i = 0; i < n; i++) {
		len = strlen(recs[i]);
		if (o + 12 + len + len / 255 + 2 > cap)
			return -1;
		memcpy(b + o, "\xc0\x0c\0\x10\0\x01\0\0\x0e\x10", 10);
		o += 10;
		s = o;
		o += 2;
		for (k = 0; k < len || k == 0; ) {
			size_t	c = len - k > 255 ? 255 : len - k;

			if (splitat > 0 && (size_t)splitat < c)
				c = (size_t)splitat;
			b[o++] = (unsigned char)c;
			memcpy(b + o, recs[i] + k, c);
			o += c;
			k += c;
			if (len == 0)
				break;
		}
		b[s] = (unsigned char)((o - s - 2) >> 8);
		b[s + 1] = (unsigned char)(o - s - 2);
	}
	return (int)o;
}

static void
test_answers(void)
{
	static const char *const one[] = { "v=DMARC1; p=reject" };
	static const char *const mixed[] = { "v=spf1 -all",
	    "v=DMARC1; p=quarantine", "google-site-verification=x" };
	static const char *const two[] = { "v=DMARC1; p=reject",
	    "v=DMARC1; p=none" };
	static const char *const other[] = { "v=spf1 -all", "hello" };
	static const char *const bad[] = { "v=DMARC1; p=maybe" };
	static unsigned char b[20000];
	static char big[6000];
	const char	*bigp[1] = { big };
	struct dmarc_look l;
	int		n;

	n = answer(b, sizeof(b), one, 1, 0);
	dmarc_rec_answer(b, n, DNS_OK, &l);
	T(l.found == DMARC_F_RECORD && l.rec.p == DMARC_P_REJECT &&
	    l.txtlen == 18, "one record");
	n = answer(b, sizeof(b), one, 1, 4);	/* "v=DM" "ARC1" ... */
	dmarc_rec_answer(b, n, DNS_OK, &l);
	T(l.found == DMARC_F_RECORD && l.rec.p == DMARC_P_REJECT,
	    "a record in several strings is joined");
	n = answer(b, sizeof(b), mixed, 3, 0);
	dmarc_rec_answer(b, n, DNS_OK, &l);
	T(l.found == DMARC_F_RECORD && l.rec.p == DMARC_P_QUARANTINE,
	    "other TXT records are discarded");
	n = answer(b, sizeof(b), two, 2, 0);
	dmarc_rec_answer(b, n, DNS_OK, &l);
	T(l.found == DMARC_F_MULTI, "two DMARC records: several");
	n = answer(b, sizeof(b), other, 2, 0);
	dmarc_rec_answer(b, n, DNS_OK, &l);
	T(l.found == DMARC_F_NONE, "no DMARC among the TXT: none");
	n = answer(b, sizeof(b), bad, 1, 0);
	dmarc_rec_answer(b, n, DNS_OK, &l);
	T(l.found == DMARC_F_BAD, "one unusable record: bad");
	dmarc_rec_answer(NULL, 0, DNS_NXDOMAIN, &l);
	T(l.found == DMARC_F_NONE, "NXDOMAIN: none");
	dmarc_rec_answer(NULL, 0, DNS_NODATA, &l);
	T(l.found == DMARC_F_NONE, "NODATA: none");
	dmarc_rec_answer(NULL, 0, DNS_SERVFAIL, &l);
	T(l.found == DMARC_F_ERROR, "SERVFAIL: error");
	dmarc_rec_answer(NULL, 0, DNS_TIMEOUT, &l);
	T(l.found == DMARC_F_ERROR && l.status == DNS_TIMEOUT,
	    "timeout: error");
	n = answer(b, sizeof(b), one, 1, 0);
	dmarc_rec_answer(b, n - 3, DNS_OK, &l);
	T(l.found == DMARC_F_ERROR, "a cut answer: error");
	dmarc_rec_answer(b, 5, DNS_OK, &l);
	T(l.found == DMARC_F_ERROR, "no header: error");
	/* longer than DMARC_TXT_MAX: p=reject early counts, a cut tag not */
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "v=DMARC1; p=reject; rua=", 24);
	n = answer(b, sizeof(b), bigp, 1, 0);
	dmarc_rec_answer(b, n, DNS_OK, &l);
	T(l.found == DMARC_F_RECORD && l.rec.p == DMARC_P_REJECT,
	    "a %zu-byte record: its head", strlen(big));
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "v=DMARC1; p=reject; x=", 22);
	memcpy(big + DMARC_TXT_MAX - 7, "; pct=10;", 9);	/* "pct=1" in */
	n = answer(b, sizeof(b), bigp, 1, 0);
	dmarc_rec_answer(b, n, DNS_OK, &l);
	T(l.found == DMARC_F_RECORD && l.rec.pct == 100,
	    "a tag cut at the cap is dropped, not read short (pct=%u)",
	    l.rec.pct);
}

enum { P = AUTH_PASS, F = AUTH_FAIL, N = AUTH_NONE, TE = AUTH_TEMPERROR,
    PE = AUTH_PERMERROR, U = AUTH_UNSET, SF = AUTH_SOFTFAIL };
enum { ONE = DMARC_FROM_ONE, FIELDS = DMARC_FROM_FIELDS,
    BOXES = DMARC_FROM_BOXES, NOFROM = DMARC_FROM_NONE };

/* One message: From:, the two lookups, SPF, DKIM, the pct draw. */
struct row {
	const char	*name;
	int		 fromstate;
	const char	*from;
	const char	*rfrom, *rorg;	/* a record, "NX", "ERR", "MULTI" */
	int		 spf;
	const char	*spfdom;
	int		 helo;
	const char	*dkim;		/* "pass:d fail:d ..." */
	unsigned	 dice;
	int		 res;
	const char	*policy;	/* published, "-" none */
	const char	*test;		/* "" none */
};

#define REJ	"v=DMARC1; p=reject"
#define QUA	"v=DMARC1; p=quarantine"
#define NON	"v=DMARC1; p=none"

static const struct row rows[] = {
	{ "DKIM aligned relaxed", ONE, "example.com", REJ, NULL, U, "", 0,
	    "pass:mail.example.com", 0, P, "reject", "DMARC_PASS" },
	{ "DKIM exact", ONE, "example.com", REJ, NULL, U, "", 0,
	    "pass:example.com", 0, P, "reject", "DMARC_PASS" },
	{ "DKIM strict, subdomain d", ONE, "example.com",
	    "v=DMARC1; p=reject; adkim=s", NULL, U, "", 0,
	    "pass:mail.example.com", 0, F, "reject", "DMARC_REJECT" },
	{ "DKIM strict, exact d", ONE, "example.com",
	    "v=DMARC1; p=reject; adkim=s", NULL, U, "", 0,
	    "pass:EXAMPLE.com.", 0, P, "reject", "DMARC_PASS" },
	{ "DKIM pass, other domain", ONE, "example.com", REJ, NULL, U, "",
	    0, "pass:example.net", 0, F, "reject", "DMARC_REJECT" },
	{ "DKIM fail aligned", ONE, "example.com", REJ, NULL, U, "", 0,
	    "fail:example.com", 0, F, "reject", "DMARC_REJECT" },
	{ "one good signature of three", ONE, "example.com", REJ, NULL, U,
	    "", 0, "fail:example.com pass:example.net pass:s.example.com", 0,
	    P, "reject", "DMARC_PASS" },
	{ "SPF aligned relaxed", ONE, "example.com", REJ, NULL, P,
	    "bounce.example.com", 0, "", 0, P, "reject", "DMARC_PASS" },
	{ "SPF strict, subdomain", ONE, "example.com",
	    "v=DMARC1; p=reject; aspf=s", NULL, P, "bounce.example.com", 0,
	    "", 0, F, "reject", "DMARC_REJECT" },
	{ "SPF strict exact", ONE, "example.com",
	    "v=DMARC1; p=reject; aspf=s", NULL, P, "example.com", 0, "", 0,
	    P, "reject", "DMARC_PASS" },
	{ "SPF pass other domain", ONE, "example.com", REJ, NULL, P,
	    "example.net", 0, "", 0, F, "reject", "DMARC_REJECT" },
	{ "SPF fail aligned", ONE, "example.com", REJ, NULL, F,
	    "example.com", 0, "", 0, F, "reject", "DMARC_REJECT" },
	{ "SPF softfail aligned", ONE, "example.com", QUA, NULL, SF,
	    "example.com", 0, "", 0, F, "quarantine", "DMARC_QUARANTINE" },
	{ "SPF null sender: HELO counts", ONE, "example.com", REJ, NULL, P,
	    "mx.example.com", 1, "", 0, P, "reject", "DMARC_PASS" },
	{ "p=quarantine, nothing", ONE, "example.com", QUA, NULL, U, "", 0,
	    "", 0, F, "quarantine", "DMARC_QUARANTINE" },
	{ "p=none, nothing", ONE, "example.com", NON, NULL, U, "", 0, "", 0,
	    F, "none", "DMARC_NONE" },
	{ "no record anywhere", ONE, "mail.example.com", "NX", "NX", P,
	    "example.com", 0, "", 0, N, "-", "" },
	{ "no record, From is org", ONE, "example.com", "NX", NULL, U, "",
	    0, "", 0, N, "-", "" },
	{ "org record, sp=", ONE, "mail.example.com", "NX",
	    "v=DMARC1; p=reject; sp=quarantine", U, "", 0, "", 0, F,
	    "quarantine", "DMARC_QUARANTINE" },
	{ "org record, no sp", ONE, "mail.example.com", "NX", REJ, U, "", 0,
	    "", 0, F, "reject", "DMARC_REJECT" },
	{ "org record, DKIM at org aligns", ONE, "mail.example.com", "NX",
	    REJ, U, "", 0, "pass:example.com", 0, P, "reject", "DMARC_PASS" },
	{ "org record adkim=s, DKIM at org", ONE, "mail.example.com", "NX",
	    "v=DMARC1; p=reject; adkim=s", U, "", 0, "pass:example.com", 0,
	    F, "reject", "DMARC_REJECT" },
	{ "From record wins over org's sp", ONE, "mail.example.com", NON,
	    "v=DMARC1; p=reject; sp=reject", U, "", 0, "", 0, F, "none",
	    "DMARC_NONE" },
	{ "From record is the org's: p, not sp", ONE, "example.com",
	    "v=DMARC1; p=none; sp=reject", NULL, U, "", 0, "", 0, F, "none",
	    "DMARC_NONE" },
	{ "org's TXT other than DMARC", ONE, "mail.example.com", "NX",
	    "v=spf1 -all", U, "", 0, "", 0, N, "-", "" },
	{ "temperror on From record", ONE, "mail.example.com", "ERR", REJ, U,
	    "", 0, "", 0, TE, "-", "" },
	{ "timeout on From record", ONE, "example.com", "TIMEOUT", NULL, P,
	    "example.com", 0, "", 0, TE, "-", "" },
	{ "temperror on org record", ONE, "mail.example.com", "NX", "ERR", U,
	    "", 0, "", 0, TE, "-", "" },
	{ "org error unused when From has one", ONE, "mail.example.com", QUA,
	    "ERR", U, "", 0, "", 0, F, "quarantine", "DMARC_QUARANTINE" },
	{ "unusable record: permerror", ONE, "example.com",
	    "v=DMARC1; p=bogus", NULL, U, "", 0, "", 0, PE, "-", "" },
	{ "unusable From record, no org fallback", ONE, "mail.example.com",
	    "v=DMARC1; p=bogus", REJ, U, "", 0, "", 0, PE, "-", "" },
	{ "bad p, valid rua: p=none", ONE, "example.com",
	    "v=DMARC1; p=bogus; rua=mailto:r@example.com", NULL, U, "", 0,
	    "", 0, F, "none", "DMARC_NONE" },
	{ "missing p, valid rua: p=none", ONE, "example.com",
	    "v=DMARC1; rua=mailto:r@example.com", NULL, P, "example.com", 0,
	    "", 0, P, "none", "DMARC_PASS" },
	{ "several records: permerror", ONE, "example.com", "MULTI", NULL, P,
	    "example.com", 0, "", 0, PE, "-", "" },
	{ "several at From, org not used", ONE, "mail.example.com", "MULTI",
	    REJ, U, "", 0, "", 0, PE, "-", "" },
	{ "pct=0 reject: quarantine", ONE, "example.com",
	    "v=DMARC1; p=reject; pct=0", NULL, U, "", 0, "", 0, F, "reject",
	    "DMARC_QUARANTINE" },
	{ "pct=0 quarantine: none", ONE, "example.com",
	    "v=DMARC1; p=quarantine; pct=0", NULL, U, "", 0, "", 0, F,
	    "quarantine", "DMARC_NONE" },
	{ "pct=100, highest draw", ONE, "example.com",
	    "v=DMARC1; p=reject; pct=100", NULL, U, "", 0, "", 99, F,
	    "reject", "DMARC_REJECT" },
	{ "pct=50, draw 49", ONE, "example.com", "v=DMARC1; p=reject; pct=50",
	    NULL, U, "", 0, "", 49, F, "reject", "DMARC_REJECT" },
	{ "pct=50, draw 50", ONE, "example.com", "v=DMARC1; p=reject; pct=50",
	    NULL, U, "", 0, "", 50, F, "reject", "DMARC_QUARANTINE" },
	{ "pct=0 does not touch a pass", ONE, "example.com",
	    "v=DMARC1; p=reject; pct=0", NULL, U, "", 0, "pass:example.com",
	    0, P, "reject", "DMARC_PASS" },
	{ "several From: fields", FIELDS, NULL, NULL, NULL, P, "example.com",
	    0, "pass:example.com", 0, F, "-", "DMARC_MULTI_FROM" },
	{ "several From: addresses", BOXES, NULL, NULL, NULL, U, "", 0, "",
	    0, F, "-", "DMARC_MULTI_FROM" },
	{ "no From: domain", NOFROM, NULL, NULL, NULL, P, "example.com", 0,
	    "", 0, N, "-", "" },
	{ "public suffix From: co.uk siblings", ONE, "foo.co.uk", REJ, NULL,
	    P, "bar.co.uk", 0, "pass:co.uk", 0, F, "reject", "DMARC_REJECT" },
	{ "co.uk: same org", ONE, "mail.foo.co.uk", "NX", REJ, P, "foo.co.uk",
	    0, "", 0, P, "reject", "DMARC_PASS" },
	{ "From is a public suffix", ONE, "co.uk", "NX", NULL, P, "co.uk", 0,
	    "", 0, N, "-", "" },
	{ "private suffix github.io", ONE, "a.github.io", REJ, NULL, U, "", 0,
	    "pass:b.github.io", 0, F, "reject", "DMARC_REJECT" },
	{ "DKIM aligned temperror, no pass", ONE, "example.com", REJ, NULL, F,
	    "example.net", 0, "temperror:example.com", 0, TE, "reject", "" },
	{ "SPF aligned temperror, no pass", ONE, "example.com", REJ, NULL,
	    TE, "example.com", 0, "fail:example.com", 0, TE, "reject", "" },
	{ "SPF temperror unaligned: fail", ONE, "example.com", REJ, NULL, TE,
	    "example.net", 0, "", 0, F, "reject", "DMARC_REJECT" },
	{ "temperror loses to an aligned pass", ONE, "example.com", REJ, NULL,
	    TE, "example.com", 0, "pass:example.com", 0, P, "reject",
	    "DMARC_PASS" },
	{ "SPF and DKIM did not run", ONE, "example.com", REJ, NULL, U,
	    "example.com", 0, "", 0, F, "reject", "DMARC_REJECT" },
};

/* A lookup as the table spells it. */
static void
look_of(const char *spec, struct dmarc_look *l)
{
	memset(l, 0, sizeof(*l));
	if (spec == NULL)
		return;
	if (strcmp(spec, "NX") == 0) {
		l->found = DMARC_F_NONE;
		l->status = DNS_NXDOMAIN;
	} else if (strcmp(spec, "ERR") == 0 || strcmp(spec, "TIMEOUT") == 0) {
		l->found = DMARC_F_ERROR;
		l->status = spec[0] == 'E' ? DNS_SERVFAIL : DNS_TIMEOUT;
	} else if (strcmp(spec, "MULTI") == 0)
		l->found = DMARC_F_MULTI;
	else {
		switch (dmarc_rec_parse(spec, strlen(spec), &l->rec)) {
		case DMARC_REC_OK:
			l->found = DMARC_F_RECORD;
			break;
		case DMARC_REC_BAD:
			l->found = DMARC_F_BAD;
			break;
		default:
			l->found = DMARC_F_NONE;
		}
	}
}

/* "pass:d fail:d" into dk. */
static void
dkim_of(const char *spec, struct auth_dkim *dk)
{
	char	buf[512], *w, *save = NULL, *c;

	memset(dk, 0, sizeof(*dk));
	snprintf(buf, sizeof(buf), "%s", spec);
	for (w = strtok_r(buf, " ", &save); w != NULL && dk->n <
	    AUTH_DKIM_MAX; w = strtok_r(NULL, " ", &save)) {
		c = strchr(w, ':');
		*c++ = '\0';
		dk->sig[dk->n].res = strcmp(w, "pass") == 0 ? AUTH_PASS :
		    strcmp(w, "temperror") == 0 ? AUTH_TEMPERROR : AUTH_FAIL;
		snprintf(dk->sig[dk->n].d, sizeof(dk->sig[0].d), "%s", c);
		dk->n++;
	}
}

static void
test_decide(void)
{
	struct dmarc_look	lf, lo;
	struct dmarc_eval	e;
	struct auth_spf		spf;
	struct auth_dkim	dk;
	char			org[256];
	const struct row	*r;
	size_t			i;
	FILE			*tr;

	tr = getenv("DMARC_TRACE") ? stderr : NULL;
	T(sizeof(rows) / sizeof(rows[0]) >= 30, "the table has %zu rows",
	    sizeof(rows) / sizeof(rows[0]));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = &rows[i];
		memset(&e, 0, sizeof(e));
		memset(&spf, 0, sizeof(spf));
		look_of(r->rfrom, &lf);
		look_of(r->rorg, &lo);
		spf.res = r->spf;
		spf.helo = r->helo;
		snprintf(spf.domain, sizeof(spf.domain), "%s", r->spfdom);
		dkim_of(r->dkim, &dk);
		e.fromstate = r->fromstate;
		e.from = r->from;
		e.org = r->from ? orgdom_of(r->from, org, sizeof(org)) : NULL;
		e.lfrom = &lf;
		e.lorg = e.org && strcmp(e.org, r->from) ? &lo : NULL;
		e.spf = &spf;
		e.dkim = &dk;
		e.dice = r->dice;
		if (tr != NULL)
			fprintf(tr, "== %s\n", r->name);
		dmarc_decide(&e, tr);
		T((int)e.res == r->res && strcmp(dmarc_pol_text(e.policy),
		    r->policy) == 0 && strcmp(e.test ? e.test : "", r->test) ==
		    0, "row %zu \"%s\": %s p=%s %s (%s), want %s p=%s %s", i,
		    r->name, auth_res_text(e.res), dmarc_pol_text(e.policy),
		    e.test ? e.test : "-", e.reason, auth_res_text(r->res),
		    r->policy, r->test);
		T(e.reason[0] != '\0', "row %zu has a reason", i);
		T(e.test == NULL || check_test(e.test) != NULL,
		    "row %zu: %s is a built-in test", i, e.test);
	}
}

static void
test_dice(void)
{
	unsigned	seen[100] = { 0 }, k, hit = 0;
	char		id[64];
	int		i;

	T(dmarc_dice("<a@b>", 5) == dmarc_dice(" <a@b>\n", 7),
	    "whitespace does not change the draw");
	T(dmarc_dice("<a@b>", 5) == dmarc_dice("<a@b>", 5), "deterministic");
	for (i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "<%d.%d@example.com>", i, i * 7);
		k = dmarc_dice(id, strlen(id));
		T(k < 100, "draw %u below 100", k);
		seen[k]++;
	}
	for (k = 0; k < 100; k++)
		hit += seen[k] > 0;
	T(hit > 90, "2000 Message-IDs draw %u of the 100 values", hit);
}

static void
test_conf(void)
{
	const struct check	*k;
	size_t			 i, is, id;
	void			*c;
	char			 err[128], on[] = "dmarc", v1[] = "on",
				 v2[] = "off", v3[] = "maybe";
	char			*av[3] = { on, v1, NULL };

	k = check_by_keyword("dmarc", &i);
	T(k != NULL && strcmp(k->name, "dmarc") == 0, "keyword dmarc");
	if (k == NULL)
		return;
	/* it reads SPF's and DKIM's results: after both (uri.c follows) */
	T(check_by_keyword("spf", &is) != NULL && check_by_keyword("dkim",
	    &id) != NULL && i > is && i > id, "dmarc comes after spf and dkim "
	    "in the table");
	c = k->conf_new();
	T(k->conf_line(c, 2, av, err, sizeof(err)) == 0, "dmarc on");
	av[1] = v2;
	T(k->conf_line(c, 2, av, err, sizeof(err)) == 0, "dmarc off");
	errno = 0;
	T(k->start(c, NULL) == NULL && errno == 0, "off: nothing runs");
	av[1] = v3;
	T(k->conf_line(c, 2, av, err, sizeof(err)) == -1 &&
	    strstr(err, "dmarc on|off") != NULL, "dmarc maybe: %s", err);
	T(k->conf_line(c, 1, av, err, sizeof(err)) == -1, "dmarc alone");
	k->conf_free(c);
}

int
main(void)
{
	test_orgdom();
	test_no_list();
	test_records();
	test_answers();
	test_decide();
	test_dice();
	test_conf();
	return t_done();
}

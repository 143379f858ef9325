/*
 * dnsbl.c: every DNS check of one message, asked through the message's
 * DNS service (dns.c): DNSBL and DNSWL lists keyed by the client IP, RHSBL
 * lists keyed by the From: and envelope sender domains, reverse DNS with
 * forward confirmation, and sender-domain existence.
 *
 * All IP-keyed queries leave in dnsbl_start(); domain queries leave when
 * dnsbl_domain() learns a domain.  The caller serves the DNS service
 * (dns_wait) and stops it (dns_stop) at its deadline: the checks still
 * waiting then end as errors "timeout".  Every check ends listed, clean
 * (NXDOMAIN or NODATA) or error (timeout, SERVFAIL, REFUSED, a malformed
 * answer, an answer outside 127/8, 127.0.0.1, 127.255.255.0/24, or a
 * list's documented error code): errors never score.  The zone of a list
 * never appears in a result: paid zones carry a secret key.
 *
 * Policy grammar (lines handed over by policy.c):
 *
 *   dnsbl LABEL ZONE [OPTION|FILTER]...	client IP blocklist
 *   dnswl LABEL ZONE [OPTION|FILTER]...	client IP allowlist
 *   rhsbl LABEL ZONE [OPTION|FILTER]...	From: and sender domain list
 *   urilist LABEL ZONE [OPTION|FILTER]...	the domains a message links
 *						to (uri.c hands these lines
 *						over: its own conf)
 *   dns SERVER[,SERVER]...			resolvers instead of
 *						/etc/resolv.conf
 *
 * LABEL   letters, digits, '_' and '-', at most 40: the name of the list in
 *         headers and logs (and its test name when a filter has none).
 * ZONE    the DNS zone queried, e.g. zen.spamhaus.org or
 *         KEY.zen.dq.spamhaus.net (dom_norm's rule with '_', two labels,
 *         a letter in the last; lowercased); it never appears in any
 *         output.
 * FILTER  OCTETS[=WEIGHT][:TEST] or OCTETS=error
 *         OCTETS is four dot-separated octets, each a number 0-255 or a
 *         bracketed list of numbers and ranges, postscreen style:
 *         127.0.0.2, 127.0.0.[4..7], 127.0.[0..255].[2;3], 127.0.1.[2;4..6];
 *         or &MASK, every value with one of MASK's bits (bit-mask lists:
 *         127.0.0.&2 is URIBL black).
 *         An answer record matching a filter is a listing under TEST
 *         (default: LABEL) with WEIGHT (default 1 for dnsbl and rhsbl, -1
 *         for dnswl).  "=error" makes matching codes errors.
 * OPTION  ipv4 | ipv6       query this list for IPv4 (IPv6) clients only
 *         notxt             do not fetch the TXT reason of a listing
 *         notest            the list does not list its test point (its
 *                           profile's, else RFC 5782 5's 127.0.0.2 or
 *                           "test"): the health probe (health.c) does
 *                           not require it
 *         profile=NAME      use the built-in profile NAME (zen, dbl,
 *                           dnswl, spamcop, barracuda) whatever the zone
 *                           is called (mirrors), or none
 *         TEST=WEIGHT       change the weight of a test of the list, e.g.
 *                           SPAMHAUS_PBL=0.5
 *
 * Without filters a list whose zone is, or ends in, a known zone uses that
 * list's built-in profile:
 *   zen.spamhaus.org sbl. xbl. pbl. sbl-xbl. (also *.dq.spamhaus.net):
 *     127.0.0.2 SPAMHAUS_SBL=3, .3 SPAMHAUS_CSS=2, .[4..7] SPAMHAUS_XBL=3,
 *     .9 SPAMHAUS_DROP=4, .[10..11] SPAMHAUS_PBL=2
 *   dbl.spamhaus.org (dbl.dq.spamhaus.net): 127.0.1.[2..99] SPAMHAUS_DBL=3,
 *     127.0.1.[100..199] SPAMHAUS_DBL_ABUSED=1.5; 127.0.1.255 is an error
 *   list.dnswl.org (dwl.dnswl.org): 127.0.X.0 DNSWL_NONE=0, .1
 *     DNSWL_LOW=-0.7, .2 DNSWL_MED=-2.3, .3 DNSWL_HI=-5; 127.0.0.255 error
 *   bl.spamcop.net: 127.0.0.2 SPAMCOP=2
 *   b.barracudacentral.org: 127.0.0.2 BARRACUDA=2
 * Filters given on the line replace a profile's listings but keep its
 * error codes.  Any other list: every 127.0.0.0/8 answer is a listing.
 * For every list an answer outside 127/8, 127.0.0.1 or in 127.255.255.0/24
 * is an error, and one error code anywhere in an answer makes the whole
 * answer an error.  Several records matching several filters give one
 * result per matching filter, each scored once.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dns.h"
#include "dnsbl.h"
#include "listres.h"
#include "msg.h"
#include "report.h"
#include "rfc5322.h"
#include "score.h"
#include "util.h"

#define MAXLISTS	64	/* lists in one policy */
#define LABELMAX	40	/* list label / test name */
#define NAMEMAX		256	/* DNS name in text, NUL included */
#define ZONEMAX		189	/* 253 less an IPv6 reverse name and dot */
#define ESCNAMEMAX	1100	/* dns_name() output, \DDD escapes */
#define SERVERSMAX	1024	/* resolver list text */

#define T_A	DNS_T_A
#define T_PTR	DNS_T_PTR
#define T_MX	DNS_T_MX
#define T_TXT	DNS_T_TXT
#define T_AAAA	DNS_T_AAAA
#define C_IN	1

enum { K_DNSBL, K_DNSWL, K_RHSBL, K_URIBL };
static const char *const kindname[] = { "dnsbl", "dnswl", "rhsbl",
	"urilist" };
static const double kindweight[] = { 1.0, -1.0, 1.0, 1.0 };

/* What a URI list (urilist line, uri.c) is asked about */
#define KEY_DOM	1	/* registrable domains */
#define KEY_IP	2	/* IP literals of URLs, reversed */

struct filter {
	unsigned char	 oct[4][32];	/* bitmap of accepted values */
	double		 weight;
	int		 error;		/* matching codes are errors */
	char		 test[LABELMAX + 1];
};

struct dnsbl_list {
	char		 label[LABELMAX + 1];
	char		 zone[NAMEMAX];
	int		 kind;
	int		 family;	/* 0 both, 4, 6 */
	int		 txt;
	int		 skip;		/* marked broken (list health) */
	int		 notest;	/* no RFC 5782 test point listed */
	int		 keys;		/* urilist: KEY_DOM | KEY_IP */
	const char	*test;		/* its profile's test point, or NULL */
	struct filter	*f;
	size_t		 nf;
};

struct dnsbl_conf {
	struct dnsbl_list	*lists[MAXLISTS];
	size_t			 nlists;
	char			*servers;
};

struct profile {
	const char		*name;
	const char *const	*zones;
	const char *const	*filters;
	int			 domains;	/* a domain list (RHSBL) */
	const char		*test;		/* documented test point */
	int			 uri;		/* urilist lines only */
	int			 keys;		/* urilist: KEY_DOM|KEY_IP */
};

/*
 * Test points (health.c, the probe): the name each operator
 * documents as always listed.  RFC 5782 5: "IPv4-based DNSxLs MUST
 * contain an entry for 127.0.0.2 for testing purposes ... MUST NOT contain
 * an entry for 127.0.0.1"; domain lists likewise "test" and "invalid".
 * The probe always requires 127.0.0.1, "invalid" and documentation
 * addresses not to be listed.  What we found (issue 10):
 *   zen       127.0.0.2, answering 127.0.0.2, .4 and .10 (Spamhaus's
 *             return-code table; seen in real dig output)
 *   dbl       dbltest.com, answering 127.0.1.2: Spamhaus's published
 *             DBL test domain (FACTS.md; every DBL client and checker we
 *             found probes it; the FAQ page itself was not in our search
 *             index).  "test" is not documented for the DBL, and the
 *             demo's zone lists only dbltest.com.  Spamhaus documents no
 *             unlisted name: RFC 5782's "invalid" is the negative point.
 *   dnswl     127.0.0.2, answering 127.0.10.0 (dnswl.org's test entry,
 *             category 10 trust 0: DNSWL_NONE); 127.0.0.255 is its
 *             "blocked" code, an error.  Their page was not in our search
 *             index: the code is from issue 10 and FACTS.md.
 *   spamcop   127.0.0.2 (RFC 5782; no page of their own was found)
 *   barracuda 127.0.0.2 (RFC 5782; no page of their own was found)
 * A list without a profile is held to RFC 5782; one that does not list
 * its test point needs the notest option.
 */

static const char *const zen_z[] = { "zen.spamhaus.org", "sbl.spamhaus.org",
	"xbl.spamhaus.org", "pbl.spamhaus.org", "sbl-xbl.spamhaus.org",
	"zen.dq.spamhaus.net", "sbl.dq.spamhaus.net", "xbl.dq.spamhaus.net",
	"pbl.dq.spamhaus.net", "sbl-xbl.dq.spamhaus.net", NULL };
static const char *const zen_f[] = { "127.0.0.2=3:SPAMHAUS_SBL",
	"127.0.0.3=2:SPAMHAUS_CSS", "127.0.0.[4..7]=3:SPAMHAUS_XBL",
	"127.0.0.9=4:SPAMHAUS_DROP", "127.0.0.[10..11]=2:SPAMHAUS_PBL", NULL };
static const char *const dbl_z[] = { "dbl.spamhaus.org",
	"dbl.dq.spamhaus.net", NULL };
static const char *const dbl_f[] = { "127.0.1.[2..99]=3:SPAMHAUS_DBL",
	"127.0.1.[100..199]=1.5:SPAMHAUS_DBL_ABUSED", "127.0.1.255=error",
	NULL };
static const char *const wl_z[] = { "list.dnswl.org", "dwl.dnswl.org", NULL };
static const char *const wl_f[] = { "127.0.[0..255].0=0:DNSWL_NONE",
	"127.0.[0..255].1=-0.7:DNSWL_LOW", "127.0.[0..255].2=-2.3:DNSWL_MED",
	"127.0.[0..255].3=-5:DNSWL_HI", "127.0.0.255=error", NULL };
static const char *const sc_z[] = { "bl.spamcop.net", NULL };
static const char *const sc_f[] = { "127.0.0.2=2:SPAMCOP", NULL };
static const char *const bc_z[] = { "b.barracudacentral.org", NULL };
static const char *const bc_f[] = { "127.0.0.2=2:BARRACUDA", NULL };

/*
 * The URI lists (urilist lines, uri.c) have profiles of their own, with
 * SpamAssassin's test names (its 25_uribl.cf), chosen by the same zones
 * or profile=NAME on a urilist line:
 *   dbl    Spamhaus DBL: 127.0.1.2 spam, .4 phish, .5 malware, .6 botnet
 *          C&C (.3, .7-.99 counted as spam), .102-.106 legitimate
 *          domains abused (spam, redirector, phish, malware, botnet C&C;
 *          .100-.101, .107-.199 counted as abused spam), .255 "IP queries
 *          are not allowed": an error.  Domains only.  Test point
 *          dbltest.com (127.0.1.2).
 *   uribl  multi.uribl.com: a bit mask in the last octet, 2 black, 4 grey,
 *          8 red; 127.0.0.1 is URIBL's "query refused" (bit 1 is never a
 *          listing, uribl.com/refused.shtml): an error, as for every list.
 *          Domains only.  Test point test.uribl.com (127.0.0.14).
 *   surbl  multi.surbl.org: bit mask 8 PH (phishing), 16 MW (malware), 64
 *          ABUSE, 128 CR (cracked sites); 127.0.0.1 an error.  Domains and
 *          IP addresses (reversed, as for client lists).  Test point
 *          test.surbl.org.
 * An urilist without a profile is asked about domains and IP addresses,
 * every 127/8 answer but 127.0.0.1 a listing under its label.
 */
static const char *const udbl_f[] = { "127.0.1.[2..3;7..99]=2.5:URIBL_DBL_SPAM",
	"127.0.1.4=2.5:URIBL_DBL_PHISH", "127.0.1.5=2.5:URIBL_DBL_MALWARE",
	"127.0.1.6=2.5:URIBL_DBL_BOTNETCC",
	"127.0.1.[100..102;107..199]=1.5:URIBL_DBL_ABUSE_SPAM",
	"127.0.1.103=1:URIBL_DBL_ABUSE_REDIR",
	"127.0.1.104=2:URIBL_DBL_ABUSE_PHISH",
	"127.0.1.105=2:URIBL_DBL_ABUSE_MALW",
	"127.0.1.106=2:URIBL_DBL_ABUSE_BOTCC", "127.0.1.255=error", NULL };
static const char *const uribl_z[] = { "multi.uribl.com", NULL };
static const char *const uribl_f[] = { "127.0.0.&2=1.7:URIBL_BLACK",
	"127.0.0.&4=0.5:URIBL_GREY", "127.0.0.&8=0.1:URIBL_RED", NULL };
static const char *const surbl_z[] = { "multi.surbl.org", NULL };
static const char *const surbl_f[] = { "127.0.0.&8=2:URIBL_PH_SURBL",
	"127.0.0.&16=2:URIBL_MW_SURBL", "127.0.0.&64=1.5:URIBL_ABUSE_SURBL",
	"127.0.0.&128=1.5:URIBL_CR_SURBL", NULL };

static const struct profile profiles[] = {
	{ "zen", zen_z, zen_f, 0, "127.0.0.2", 0, 0 },
	{ "dbl", dbl_z, dbl_f, 1, "dbltest.com", 0, 0 },
	{ "dnswl", wl_z, wl_f, 0, "127.0.0.2", 0, 0 },
	{ "spamcop", sc_z, sc_f, 0, "127.0.0.2", 0, 0 },
	{ "barracuda", bc_z, bc_f, 0, "127.0.0.2", 0, 0 },
	{ "dbl", dbl_z, udbl_f, 1, "dbltest.com", 1, KEY_DOM },
	{ "uribl", uribl_z, uribl_f, 1, "test.uribl.com", 1, KEY_DOM },
	{ "surbl", surbl_z, surbl_f, 1, "test.surbl.org", 1,
	    KEY_DOM | KEY_IP },
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

const struct score_test dnsbl_score_tests[] = {
	{ "RDNS_NONE", 1.5, "the client IP has no PTR record" },
	{ "RDNS_UNCONFIRMED", 1.0,
	    "the client's PTR name does not resolve back to its IP" },
	{ "SENDER_DOMAIN_NX", 2.5,
	    "the envelope sender domain has no MX, A or AAAA (NXDOMAIN)" },
};
const size_t dnsbl_nscore_tests = sizeof(dnsbl_score_tests) /
    sizeof(dnsbl_score_tests[0]);

enum { CK_LIST, CK_RDNS, CK_SENDER };
enum { ST_RUN, ST_TXT, ST_DONE };
enum { Q_A, Q_TXT, Q_PTR, Q_FWD, Q_EXIST };

struct lcheck;

struct query {
	struct lcheck	*ck;
	int		 what;
	int		 live;		/* its callback is due */
};

struct lcheck {
	struct listres		 lr;	/* first: its results, the chain */
	struct dnsbl_run	*run;
	int			 type;
	int			 state;
	const struct dnsbl_list	*list;
	char			 qname[NAMEMAX];
	struct query		 q[3];
	struct dnsbl_class	 cls;
	char			*txt;
	size_t			 txtlen;
	int			 nx;		/* sender: NXDOMAIN answers */
	int			 nerr;		/* sender: failed answers */
	const char		*err;		/* sender: first error */
};

struct dnsbl_run {
	const struct dnsbl_conf	*conf;
	struct dns		*dns;		/* the message's, not ours */
	int			 stopped;
	int			 flags;		/* DNSBL_ANYIP ... */
	int			 family;	/* 0: no IP checks */
	unsigned char		 addr[16];
	char			 ip[INET6_ADDRSTRLEN];
	struct listres_chain	 checks;
	int			 pending;	/* checks not done */
	char			*ptrname;	/* PTR or TCPREMOTEHOST */
	char			*rdnsname;	/* forward-confirmed name */
};

static void on_answer(void *, int, const unsigned char *, int);

/* ------------------------------------------------------------------ */
/* Policy lines                                                         */

/* A bad policy line: the reason in err, errno EINVAL, -1. */
#define cferr(err, errlen, ...)	errf(err, errlen, EINVAL, __VA_ARGS__)

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_alnum(int c)
{
	return is_lower(c | 0x20) || (c >= '0' && c <= '9');
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* A label or test name: [A-Za-z0-9][A-Za-z0-9_-]*, at most LABELMAX. */
static int
valid_label(const char *s)
{
	size_t i;

	if (!is_alnum((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return i <= LABELMAX;
}

/* One number 0..255, at most three digits. */
static int
parse_num(const char **sp, unsigned *v)
{
	const char *s = *sp;
	unsigned n = 0;
	int i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == 3)
			return -1;
		n = n * 10 + (unsigned)(s[i] - '0');
	}
	if (i == 0 || n > 255)
		return -1;
	*v = n;
	*sp = s + i;
	return 0;
}

static void
setbits(unsigned char set[32], unsigned lo, unsigned hi)
{
	for (; lo <= hi; lo++)
		set[lo >> 3] |= (unsigned char)(1u << (lo & 7));
}

/* One octet of a filter: N or [N;N..N;...]. */
static int
parse_octet(const char **sp, unsigned char set[32])
{
	const char *s = *sp;
	unsigned lo, hi;

	if (*s == '&') {	/* &MASK: a value with one of its bits */
		s++;
		if (parse_num(&s, &lo) == -1 || lo == 0)
			return -1;
		for (hi = 1; hi < 256; hi++)
			if (hi & lo)
				setbits(set, hi, hi);
		*sp = s;
		return 0;
	}
	if (*s != '[') {
		if (parse_num(&s, &lo) == -1)
			return -1;
		setbits(set, lo, lo);
		*sp = s;
		return 0;
	}
	for (s++;; s++) {
		if (parse_num(&s, &lo) == -1)
			return -1;
		hi = lo;
		if (s[0] == '.' && s[1] == '.') {
			s += 2;
			if (parse_num(&s, &hi) == -1 || hi < lo)
				return -1;
		}
		setbits(set, lo, hi);
		if (*s == ']')
			break;
		if (*s != ';')
			return -1;
	}
	*sp = s + 1;
	return 0;
}

/* OCTETS[=WEIGHT][:TEST] or OCTETS=error into f; test defaults to label. */
static int
parse_filter(const char *word, const char *label, double defw,
    struct filter *f)
{
	const char *s = word, *colon;
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return -1;
		if (parse_octet(&s, f->oct[i]) == -1)
			return -1;
	}
	f->weight = defw;
	colon = strchr(s, ':');
	if (colon == NULL)
		colon = s + strlen(s);
	if (*s == '=') {
		if (strcmp(s + 1, "error") == 0) {
			f->error = 1;
			colon = s + strlen(s);
		} else if (score_weight(s + 1, colon, &f->weight) == -1)
			return -1;
	} else if (s != colon)
		return -1;
	if (*colon == ':')
		label = colon + 1;
	if (!valid_label(label))
		return -1;
	memcpy(f->test, label, strlen(label) + 1);
	return 0;
}

static int
add_filter(struct dnsbl_list *l, const struct filter *f)
{
	struct filter *nf;

	if (l->nf >= DNSBL_MAXFILTERS) {
		errno = E2BIG;
		return -1;
	}
	nf = realloc(l->f, (l->nf + 1) * sizeof(*nf));
	if (nf == NULL)
		return -1;
	l->f = nf;
	l->f[l->nf++] = *f;
	return 0;
}

/*
 * Zone: dom_norm's domain name with '_' (RFC 8552 names), two labels and
 * a letter in the top one, lowercased, one trailing dot dropped, at most
 * ZONEMAX.  0, or -1.
 */
static int
parse_zone(const char *s, char *zone)
{
	return dom_norm(s, strlen(s), DOM_US | DOM_FQDN, zone, ZONEMAX + 1) ==
	    -1 ? -1 : 0;
}

/* Does zone equal suffix or end in ".suffix" (case-insensitively)? */
static int
zone_is(const char *zone, const char *suffix)
{
	size_t zl = strlen(zone), sl = strlen(suffix), i;

	if (zl < sl || (zl > sl && zone[zl - sl - 1] != '.'))
		return 0;
	for (i = 0; i < sl; i++)
		if (lower((unsigned char)zone[zl - sl + i]) != suffix[i])
			return 0;
	return 1;
}

static const struct profile *
profile_by_zone(const char *zone, int uri)
{
	size_t i, j;

	for (i = 0; i < NPROFILES; i++)
		for (j = 0; profiles[i].uri == uri &&
		    profiles[i].zones[j] != NULL; j++)
			if (zone_is(zone, profiles[i].zones[j]))
				return &profiles[i];
	return NULL;
}

/* Add the profile's filters: errors only, or all. */
static int
add_profile(struct dnsbl_list *l, const struct profile *p, int errors_only)
{
	struct filter f;
	size_t i;

	for (i = 0; p->filters[i] != NULL; i++) {
		if (parse_filter(p->filters[i], l->label, 0, &f) == -1)
			return -1;
		if (errors_only && !f.error)
			continue;
		if (add_filter(l, &f) == -1)
			return -1;
	}
	return 0;
}

/* TEST=WEIGHT: change the weight of every filter called TEST. */
static int
override(struct dnsbl_list *l, const char *word, const char *eq)
{
	size_t i, n = (size_t)(eq - word);
	double w;
	int found = 0;

	if (score_weight(eq + 1, eq + strlen(eq), &w) == -1)
		return -1;
	for (i = 0; i < l->nf; i++)
		if (!l->f[i].error && strlen(l->f[i].test) == n &&
		    memcmp(l->f[i].test, word, n) == 0) {
			l->f[i].weight = w;
			found = 1;
		}
	return found ? 0 : -1;
}

static int
find_profile(const char *name, int uri, const struct profile **pp)
{
	size_t i;

	if (strcmp(name, "none") == 0) {
		*pp = NULL;
		return 0;
	}
	for (i = 0; i < NPROFILES; i++)
		if (profiles[i].uri == uri &&
		    strcmp(name, profiles[i].name) == 0) {
			*pp = &profiles[i];
			return 0;
		}
	return -1;
}

/* First pass over the options: flags, profile, user filters. */
static int
list_options(struct dnsbl_list *l, int argc, char *argv[],
    const struct profile **pp, char *err, size_t errlen)
{
	struct filter f;
	int i;

	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "ipv4") == 0)
			l->family = 4;
		else if (strcmp(argv[i], "ipv6") == 0)
			l->family = 6;
		else if (strcmp(argv[i], "notxt") == 0)
			l->txt = 0;
		else if (strcmp(argv[i], "notest") == 0)
			l->notest = 1;
		else if (strncmp(argv[i], "profile=", 8) == 0) {
			if (find_profile(argv[i] + 8, l->kind == K_URIBL,
			    pp) == -1)
				return cferr(err, errlen, "unknown profile "
				    "\"%.40s\"", argv[i] + 8);
		} else if (argv[i][0] >= '0' && argv[i][0] <= '9') {
			if (parse_filter(argv[i], l->label,
			    kindweight[l->kind], &f) == -1)
				return cferr(err, errlen, "bad filter "
				    "\"%.80s\"", argv[i]);
			if (add_filter(l, &f) == -1)
				return cferr(err, errlen, "too many filters");
		} else if (strchr(argv[i], '=') == NULL)
			return cferr(err, errlen, "unknown option \"%.40s\"",
			    argv[i]);
	}
	return 0;
}

/* Filters: the user's, else the profile's, else 127/8; overrides last. */
static int
list_filters(struct dnsbl_list *l, int argc, char *argv[],
    const struct profile *p, char *err, size_t errlen)
{
	struct filter f;
	const char *eq;
	int i, user = l->nf > 0;

	if (p != NULL && add_profile(l, p, user) == -1)
		return cferr(err, errlen, "out of memory");
	if (!user && p == NULL) {
		if (parse_filter("127.[0..255].[0..255].[0..255]", l->label,
		    kindweight[l->kind], &f) == -1 || add_filter(l, &f) == -1)
			return cferr(err, errlen, "out of memory");
	}
	for (i = 3; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (eq == NULL || strncmp(argv[i], "profile=", 8) == 0 ||
		    (argv[i][0] >= '0' && argv[i][0] <= '9'))
			continue;
		if (override(l, argv[i], eq) == -1)
			return cferr(err, errlen, "bad weight or no such test "
			    "\"%.60s\"", argv[i]);
	}
	return 0;
}

static void
list_free(struct dnsbl_list *l)
{
	if (l != NULL) {
		free(l->f);
		free(l);
	}
}

/*
 * A list from a policy line: argv[1] LABEL, argv[2] ZONE (a zone when
 * zoned, else not looked at), options and filters from argv[3].  NULL
 * with a reason in err.
 */
static struct dnsbl_list *
list_parse(int kind, int zoned, int argc, char *argv[], char *err,
    size_t errlen)
{
	struct dnsbl_list *l;
	const struct profile *p = NULL;

	if (argc < 3) {
		(void)cferr(err, errlen, "%s: need LABEL and %s", argv[0],
		    zoned ? "ZONE" : "FILE");
		return NULL;
	}
	if (!valid_label(argv[1])) {
		(void)cferr(err, errlen, "bad label \"%.40s\"", argv[1]);
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		(void)cferr(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	memcpy(l->label, argv[1], strlen(argv[1]) + 1);
	l->kind = kind;
	l->txt = kind != K_DNSWL;
	if (zoned && parse_zone(argv[2], l->zone) == -1) {
		list_free(l);	/* the zone may hold a key: never echo it */
		(void)cferr(err, errlen, "bad zone name for %s", argv[1]);
		return NULL;
	}
	if (zoned)
		p = profile_by_zone(l->zone, kind == K_URIBL);
	if (list_options(l, argc, argv, &p, err, errlen) == -1 ||
	    list_filters(l, argc, argv, p, err, errlen) == -1) {
		list_free(l);
		return NULL;
	}
	if (p != NULL && (p->domains == (kind == K_RHSBL) || p->uri))
		l->test = p->test;
	l->keys = p != NULL && p->uri ? p->keys : KEY_DOM | KEY_IP;
	return l;
}

static int
conf_list(struct dnsbl_conf *c, int kind, int argc, char *argv[], char *err,
    size_t errlen)
{
	struct dnsbl_list *l;
	size_t i;

	if (argc >= 2)
		for (i = 0; i < c->nlists; i++)
			if (strcmp(c->lists[i]->label, argv[1]) == 0)
				return cferr(err, errlen, "duplicate label "
				    "%.40s", argv[1]);
	if (c->nlists >= MAXLISTS)
		return cferr(err, errlen, "more than %d lists", MAXLISTS);
	if ((l = list_parse(kind, 1, argc, argv, err, errlen)) == NULL)
		return -1;
	c->lists[c->nlists++] = l;
	return 0;
}

/*
 * A list of the policy grammar whose answers come from elsewhere (lists.c:
 * local list files).  kind is "dnsbl", "dnswl" or "rhsbl"; argv is a
 * policy line: argv[1] LABEL, argv[2] not looked at, options and filters
 * from argv[3] (a profile only by profile=NAME).  NULL with errno and a
 * one-line reason in err.
 */
struct dnsbl_list *
dnsbl_list_new(const char *kind, int argc, char *argv[], char *err,
    size_t errlen)
{
	int k;

	for (k = K_DNSBL; k <= K_RHSBL; k++)
		if (strcmp(kind, kindname[k]) == 0)
			return list_parse(k, 0, argc, argv, err, errlen);
	(void)cferr(err, errlen, "unknown list kind");
	return NULL;
}

/* Free a list made by dnsbl_list_new(). */
void
dnsbl_list_free(struct dnsbl_list *l)
{
	list_free(l);
}

/* The public facts of a list (its zone stays inside). */
void
dnsbl_list_info(const struct dnsbl_list *l, struct dnsbl_list_info *i)
{
	i->label = l->label;
	i->kind = kindname[l->kind];
	i->family = l->family;
	i->txt = l->txt;
	i->notest = l->notest;
	i->test = l->test;
	i->nfilters = l->nf;
}

/*
 * Filter i of a list: 1 a listing filter (its test and weight set), 0 an
 * error filter, -1 no such filter.
 */
int
dnsbl_list_filter(const struct dnsbl_list *l, size_t i, const char **test,
    double *weight)
{
	if (i >= l->nf)
		return -1;
	if (l->f[i].error)
		return 0;
	*test = l->f[i].test;
	*weight = l->f[i].weight;
	return 1;
}

/*
 * Mark the list LABEL broken (skip 1) or usable (skip 0): a broken list is
 * not queried, its check ends at once as an error "broken" (list health,
 * health.c).  0, or -1 with errno ENOENT when no list has that label.
 */
int
dnsbl_conf_skip(struct dnsbl_conf *c, const char *label, int skip)
{
	size_t i;

	for (i = 0; i < c->nlists; i++)
		if (strcmp(c->lists[i]->label, label) == 0) {
			c->lists[i]->skip = skip != 0;
			return 0;
		}
	errno = ENOENT;
	return -1;
}

/*
 * Use the servers in csv (host[:port],...) instead of /etc/resolv.conf.
 * Returns 0, or -1 with errno EINVAL (bad list) or ENOMEM.
 */
int
dnsbl_conf_servers(struct dnsbl_conf *c, const char *csv)
{
	char *dup;

	if (!dns_servers_valid(csv)) {
		errno = EINVAL;
		return -1;
	}
	if ((dup = strdup(csv)) == NULL)
		return -1;
	free(c->servers);
	c->servers = dup;
	return 0;
}

/* The resolvers of the policy ("dns" line, QQTAG_DNS), or NULL. */
const char *
dnsbl_conf_get_servers(const struct dnsbl_conf *c)
{
	return c == NULL ? NULL : c->servers;
}

static int
conf_dns(struct dnsbl_conf *c, int argc, char *argv[], char *err,
    size_t errlen)
{
	char buf[SERVERSMAX];
	size_t n = 0, w;
	int i;

	if (argc < 2)
		return cferr(err, errlen, "dns: need SERVER[,SERVER]");
	for (i = 1; i < argc; i++) {
		w = strlen(argv[i]);
		if (n + w + 2 > sizeof(buf))
			return cferr(err, errlen, "dns: too many servers");
		if (i > 1)
			buf[n++] = ',';
		memcpy(buf + n, argv[i], w);
		n += w;
	}
	buf[n] = '\0';
	if (dnsbl_conf_servers(c, buf) == -1)
		return errno == ENOMEM ? cferr(err, errlen, "out of memory") :
		    cferr(err, errlen, "dns: bad server list \"%.80s\"", buf);
	return 0;
}

/*
 * One policy line (dnsbl, dnswl, rhsbl or dns), split into words.  Returns
 * 0, or -1 with errno and a one-line reason in err that never holds a zone.
 */
int
dnsbl_conf_line(struct dnsbl_conf *c, int argc, char *argv[], char *err,
    size_t errlen)
{
	if (argc < 1)
		return cferr(err, errlen, "empty line");
	if (strcmp(argv[0], "dnsbl") == 0)
		return conf_list(c, K_DNSBL, argc, argv, err, errlen);
	if (strcmp(argv[0], "dnswl") == 0)
		return conf_list(c, K_DNSWL, argc, argv, err, errlen);
	if (strcmp(argv[0], "rhsbl") == 0)
		return conf_list(c, K_RHSBL, argc, argv, err, errlen);
	if (strcmp(argv[0], "urilist") == 0)
		return conf_list(c, K_URIBL, argc, argv, err, errlen);
	if (strcmp(argv[0], "dns") == 0)
		return conf_dns(c, argc, argv, err, errlen);
	return cferr(err, errlen, "not a DNS keyword: %.20s", argv[0]);
}

/* An empty configuration; NULL with errno ENOMEM. */
struct dnsbl_conf *
dnsbl_conf_new(void)
{
	return calloc(1, sizeof(struct dnsbl_conf));
}

void
dnsbl_conf_free(struct dnsbl_conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nlists; i++)
		list_free(c->lists[i]);
	free(c->servers);
	free(c);
}

size_t
dnsbl_conf_nlists(const struct dnsbl_conf *c)
{
	return c->nlists;
}

/* The i-th list (for tests and the fuzz target), or NULL. */
const struct dnsbl_list *
dnsbl_conf_list(const struct dnsbl_conf *c, size_t i)
{
	return i < c->nlists ? c->lists[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Pure functions on names, addresses and answers                       */

/*
 * The reverse name of an address, without the zone or a trailing dot:
 * "4.3.2.1" or 32 nibbles "b.a.9.8...." built from the 16 bytes in a loop
 * (RFC 5782 2.4).  Returns its length, or -1 if buf is too small.
 */
int
dnsbl_revname(int family, const unsigned char *a, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i, n;

	if (family == 4) {
		n = snprintf(buf, size, "%u.%u.%u.%u", a[3], a[2], a[1], a[0]);
		return n < 0 || (size_t)n >= size ? -1 : n;
	}
	if (family != 6 || size < 64)
		return -1;
	for (i = 15; i >= 0; i--) {
		buf[o++] = hex[a[i] & 0x0f];
		buf[o++] = '.';
		buf[o++] = hex[a[i] >> 4];
		buf[o++] = '.';
	}
	buf[o - 1] = '\0';
	return (int)o - 1;
}

/*
 * The first PTR target of an answer, as c-ares spells it (dns_name:
 * non-printable bytes as \DDD, dots inside labels as \.).  Returns 0 with
 * the name, 1 for no PTR (NXDOMAIN or NODATA), 2 for a name too long for
 * name, -1 for a malformed answer or an error rcode.
 */
int
dnsbl_ptr_parse(const unsigned char *abuf, int alen, char *name, size_t size)
{
	struct dns_rr rr;
	int r, n;

	if (alen < 12 || size == 0)
		return -1;
	if ((abuf[3] & 0x0f) == 3)
		return 1;
	if ((abuf[3] & 0x0f) != 0)
		return -1;
	memset(&rr, 0, sizeof(rr));
	while ((r = dns_rr(abuf, alen, &rr)) == 1) {
		if (rr.type != T_PTR || rr.class != C_IN)
			continue;
		if ((n = dns_name(abuf, alen, rr.off, name, size)) < 0)
			return -1;
		return (size_t)n >= size ? 2 : 0;
	}
	return r == 0 ? 1 : -1;
}

/*
 * Does an A (family 4) or AAAA (6) answer hold addr?  1 yes, 0 no (also
 * NXDOMAIN and NODATA), -1 a malformed answer or an error rcode.
 */
int
dnsbl_addr_match(const unsigned char *abuf, int alen, int family,
    const unsigned char *addr)
{
	unsigned char a[DNSBL_MAXA * 16];
	size_t w = family == 4 ? 4 : 16;
	int n, i;

	if ((n = dns_addrs(abuf, alen, family, a, DNSBL_MAXA)) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (memcmp(a + w * (size_t)i, addr, w) == 0)
			return 1;
	return 0;
}

/*
 * The TXT strings of an answer into out, raw bytes: strings of a record
 * joined, records separated by one space, at most size bytes, no NUL
 * added.  Returns the length (0 for none or a malformed answer).
 */
size_t
dnsbl_txt_parse(const unsigned char *abuf, int alen, char *out, size_t size)
{
	return dns_txt(abuf, alen, out, size);
}

static int
filter_match(const struct filter *f, unsigned long code)
{
	int i;
	unsigned o;

	for (i = 0; i < 4; i++) {
		o = (unsigned)(code >> (24 - 8 * i)) & 0xff;
		if (!(f->oct[i][o >> 3] & (1u << (o & 7))))
			return 0;
	}
	return 1;
}

static void
code_text(unsigned long code, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%lu.%lu.%lu.%lu", (code >> 24) & 0xff,
	    (code >> 16) & 0xff, (code >> 8) & 0xff, code & 0xff);
}

/* An error code for every list (RFC 5782 2.1, 2.3; Spamhaus) or this one? */
static int
code_is_error(const struct dnsbl_list *l, unsigned long code)
{
	size_t f;

	if ((code >> 24) != 127 || code == 0x7f000001UL ||
	    (code & 0xffffff00UL) == 0x7fffff00UL)
		return 1;
	for (f = 0; f < l->nf; f++)
		if (l->f[f].error && filter_match(&l->f[f], code))
			return 1;
	return 0;
}

static void
rcode_text(int rcode, char *buf, size_t size)
{
	static const char *const names[] = { "noerror", "formerr", "servfail",
	    "nxdomain", "notimp", "refused" };

	if (rcode >= 0 && rcode < 6)
		(void)snprintf(buf, size, "%s", names[rcode]);
	else
		(void)snprintf(buf, size, "rcode %d", rcode);
}

/* The codes c->addr[0..n-1] against the list's filters and error codes. */
static int
classify_addrs(const struct dnsbl_list *l, struct dnsbl_class *c, int n)
{
	unsigned long all = 0;
	size_t f;
	int i;

	c->verdict = DNSBL_ERROR;
	for (i = 0; i < n; i++) {
		if (code_is_error(l, c->addr[i])) {
			code_text(c->addr[i], c->answer, sizeof(c->answer));
			return c->verdict;
		}
		for (f = 0; f < l->nf; f++)
			if (!l->f[f].error && filter_match(&l->f[f],
			    c->addr[i]))
				c->fmask[f] |= 1UL << i;
	}
	c->naddr = n;
	for (f = 0; f < l->nf; f++)
		all |= c->fmask[f];
	listres_codes(c, n > 0 ? ((1UL << (n - 1)) << 1) - 1 : 0, c->answer,
	    sizeof(c->answer));
	return c->verdict = all ? DNSBL_LISTED : DNSBL_CLEAN;
}

/*
 * Classify a raw A answer for list l (any bytes: a fuzz target calls it).
 * NXDOMAIN/NODATA is clean; an error rcode, a malformed packet or any
 * error code makes an error; else each record is matched against the
 * filters (fmask) and the verdict is listed if one matched.  Returns the
 * verdict.
 */
int
dnsbl_classify(const struct dnsbl_list *l, const unsigned char *abuf,
    int alen, struct dnsbl_class *c)
{
	unsigned char a[DNSBL_MAXA * 4];
	int n, rc, i;

	memset(c, 0, sizeof(*c));
	c->verdict = DNSBL_ERROR;
	if (abuf == NULL || alen < 12) {
		(void)snprintf(c->answer, sizeof(c->answer), "badresp");
		return c->verdict;
	}
	rc = abuf[3] & 0x0f;
	if (rc != 0 && rc != 3) {
		rcode_text(rc, c->answer, sizeof(c->answer));
		return c->verdict;
	}
	if (rc == 3 || (n = dns_addrs(abuf, alen, 4, a, DNSBL_MAXA)) == 0)
		return c->verdict = DNSBL_CLEAN;
	if (n < 0) {
		(void)snprintf(c->answer, sizeof(c->answer), "badresp");
		return c->verdict;
	}
	for (i = 0; i < n; i++)
		c->addr[i] = (unsigned long)a[4 * i] << 24 |
		    (unsigned long)a[4 * i + 1] << 16 |
		    (unsigned long)a[4 * i + 2] << 8 | a[4 * i + 3];
	return classify_addrs(l, c, n);
}

/*
 * Classify answer codes (host order) that came from elsewhere (a local
 * list file, lists.c) exactly as dnsbl_classify() classifies an A answer
 * holding them: none is clean, any error code makes an error, else listed
 * when a filter matched (fmask).  At most DNSBL_MAXA codes are looked at.
 * Returns the verdict.
 */
int
dnsbl_classify_codes(const struct dnsbl_list *l, const unsigned long *codes,
    int n, struct dnsbl_class *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	if (n < 0)
		n = 0;
	if (n > DNSBL_MAXA)
		n = DNSBL_MAXA;
	for (i = 0; i < n; i++)
		c->addr[i] = codes[i] & 0xffffffffUL;
	return classify_addrs(l, c, n);
}

/* ------------------------------------------------------------------ */
/* Checks and their results                                             */

/* The check whose results lr are (lr is its first member). */
static struct lcheck *
check_of(struct listres *lr)
{
	return (struct lcheck *)(void *)lr;
}

static struct lcheck *
check_new(struct dnsbl_run *r, int type, const struct dnsbl_list *l,
    const char *subject, int source)
{
	struct lcheck *ck;
	int rc;

	if ((ck = calloc(1, sizeof(*ck))) == NULL)
		return NULL;
	if (type == CK_LIST)
		rc = listres_begin(&r->checks, &ck->lr, l->label,
		    kindname[l->kind], subject, source, 1);
	else
		rc = listres_begin(&r->checks, &ck->lr, type == CK_RDNS ?
		    "reverse DNS" : "sender domain", type == CK_RDNS ?
		    "rdns" : "sender", subject, source, 0);
	if (rc == -1) {
		free(ck);
		return NULL;
	}
	ck->run = r;
	ck->type = type;
	ck->list = l;
	r->pending++;
	return ck;
}

static void
done(struct lcheck *ck)
{
	if (ck->state != ST_DONE) {
		ck->state = ST_DONE;
		ck->run->pending--;
	}
}

/* Finish a check with one result. */
static void
finish(struct lcheck *ck, enum dnsbl_verdict v, const char *test,
    const char *answer)
{
	if (ck->state == ST_DONE)
		return;
	(void)listres_add(&ck->lr, v, test, answer);
	done(ck);
}

/* Finish a listed list check: one result per matching filter. */
static void
finish_listed(struct lcheck *ck)
{
	if (ck->state == ST_DONE)
		return;
	listres_judge(&ck->lr, ck->list, &ck->cls, ck->txt, ck->txtlen);
	done(ck);
}

/*
 * Send one query of a check.  A failure finishes the check as an error
 * ("timeout" after the deadline, else "resolver"); a listing whose TXT
 * cannot be asked stays listed.
 */
static void
send_q(struct lcheck *ck, int slot, int what, const char *name, int type)
{
	ck->q[slot].ck = ck;
	ck->q[slot].what = what;
	if (dns_query(ck->run->dns, name, type, on_answer, &ck->q[slot]) ==
	    0) {
		ck->q[slot].live = 1;
		return;
	}
	if (what == Q_TXT)
		finish_listed(ck);
	else
		finish(ck, DNSBL_ERROR, ck->type == CK_RDNS ? "RDNS" :
		    ck->type == CK_SENDER ? "SENDER_DOMAIN" : NULL,
		    errno == ETIMEDOUT ? "timeout" : "resolver");
}

/* Name "left.zone." into buf; -1 if too long. */
static int
join(char *buf, size_t size, const char *left, const char *zone)
{
	int n;

	n = snprintf(buf, size, "%s.%s.", left, zone);
	return n < 0 || (size_t)n >= size || n > 254 ? -1 : 0;
}

static void
list_answer(struct lcheck *ck, int status, const unsigned char *abuf,
    int alen)
{
	if (dns_class(status) == DNS_C_NONE) {
		finish(ck, DNSBL_CLEAN, NULL, NULL);
		return;
	}
	if (status != DNS_OK) {
		finish(ck, DNSBL_ERROR, NULL, dns_status_text(status));
		return;
	}
	switch (dnsbl_classify(ck->list, abuf, alen, &ck->cls)) {
	case DNSBL_LISTED:
		if (ck->list->txt) {
			ck->state = ST_TXT;
			send_q(ck, 1, Q_TXT, ck->qname, T_TXT);
		} else
			finish_listed(ck);
		break;
	case DNSBL_CLEAN:
		finish(ck, DNSBL_CLEAN, NULL, ck->cls.answer);
		break;
	default:
		finish(ck, DNSBL_ERROR, NULL, ck->cls.answer);
		break;
	}
}

static void
txt_answer(struct lcheck *ck, int status, const unsigned char *abuf,
    int alen)
{
	char buf[DNSBL_TXTMAX];
	size_t n = 0;

	if (status == DNS_OK || status == DNS_TRUNCATED)
		n = dnsbl_txt_parse(abuf, alen, buf, sizeof(buf));
	if (n > 0 && (ck->txt = malloc(n)) != NULL) {
		memcpy(ck->txt, buf, n);
		ck->txtlen = n;
	}
	finish_listed(ck);
}

static void
fwd_start(struct lcheck *ck, const char *name)
{
	char q[NAMEMAX + 1];

	(void)snprintf(q, sizeof(q), "%s.", name);	/* dom_norm: <= 253 */
	send_q(ck, 0, Q_FWD, q, ck->run->family == 4 ? T_A : T_AAAA);
}

/* A PTR name arrived (or TCPREMOTEHOST): confirm it, or it is bogus. */
static void
rdns_name(struct lcheck *ck, const char *name)
{
	struct dnsbl_run *r = ck->run;
	char norm[NAMEMAX];

	free(r->ptrname);
	r->ptrname = strdup(name);
	if (dom_norm(name, strlen(name), DOM_US | DOM_FQDN, norm,
	    sizeof(norm)) == -1) {
		finish(ck, DNSBL_LISTED, "RDNS_UNCONFIRMED", name);
		return;
	}
	fwd_start(ck, norm);
}

static void
ptr_answer(struct lcheck *ck, int status, const unsigned char *abuf,
    int alen)
{
	char name[ESCNAMEMAX];

	if (dns_class(status) == DNS_C_NONE) {
		finish(ck, DNSBL_LISTED, "RDNS_NONE", dns_status_text(status));
		return;
	}
	if (status != DNS_OK) {
		finish(ck, DNSBL_ERROR, "RDNS", dns_status_text(status));
		return;
	}
	switch (dnsbl_ptr_parse(abuf, alen, name, sizeof(name))) {
	case 0:
		rdns_name(ck, name);
		break;
	case 1:
		finish(ck, DNSBL_LISTED, "RDNS_NONE", "nodata");
		break;
	case 2:
		finish(ck, DNSBL_LISTED, "RDNS_UNCONFIRMED", "name too long");
		break;
	default:
		finish(ck, DNSBL_ERROR, "RDNS", "badresp");
		break;
	}
}

static void
fwd_answer(struct lcheck *ck, int status, const unsigned char *abuf,
    int alen)
{
	struct dnsbl_run *r = ck->run;
	const char *name = r->ptrname != NULL ? r->ptrname : "";
	int m;

	if (dns_class(status) == DNS_C_NONE) {
		finish(ck, DNSBL_LISTED, "RDNS_UNCONFIRMED", name);
		return;
	}
	if (status != DNS_OK) {
		finish(ck, DNSBL_ERROR, "RDNS", dns_status_text(status));
		return;
	}
	m = dnsbl_addr_match(abuf, alen, r->family, r->addr);
	if (m == 1) {
		free(r->rdnsname);
		r->rdnsname = strdup(name);
		finish(ck, DNSBL_CLEAN, "RDNS", name);
	} else if (m == 0)
		finish(ck, DNSBL_LISTED, "RDNS_UNCONFIRMED", name);
	else
		finish(ck, DNSBL_ERROR, "RDNS", "badresp");
}

/*
 * MX, A, AAAA of the sender domain: one that exists makes it clean.  A
 * truncated answer without its TCP retry says what its rcode says.
 */
static void
exist_answer(struct lcheck *ck, int status, const unsigned char *abuf,
    int alen)
{
	if (status == DNS_TRUNCATED && dns_rcode(abuf, alen) == 0)
		status = DNS_NODATA;
	else if (status == DNS_TRUNCATED && dns_rcode(abuf, alen) == 3)
		status = DNS_NXDOMAIN;
	if (status == DNS_OK || status == DNS_NODATA) {
		finish(ck, DNSBL_CLEAN, "SENDER_DOMAIN", "exists");
		return;
	}
	if (status == DNS_NXDOMAIN)
		ck->nx++;
	else {
		if (ck->err == NULL)
			ck->err = dns_status_text(status);
		ck->nerr++;
	}
	if (ck->nx == 3)
		finish(ck, DNSBL_LISTED, "SENDER_DOMAIN_NX", "nxdomain");
	else if (ck->nx + ck->nerr == 3)
		finish(ck, DNSBL_ERROR, "SENDER_DOMAIN", ck->err);
}

/* The one DNS callback (dns_cb): dispatch on what the query was for. */
static void
on_answer(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct query *q = arg;
	struct lcheck *ck = q->ck;

	q->live = 0;
	if (ck->state == ST_DONE)
		return;
	if (status == DNS_TRUNCATED && q->what != Q_TXT &&
	    q->what != Q_EXIST) {
		/*
		 * TC and its TCP retry failed: records may be missing, an
		 * error code among them
		 */
		finish(ck, DNSBL_ERROR, ck->type == CK_RDNS ? "RDNS" : NULL,
		    "truncated");
		return;
	}
	switch (q->what) {
	case Q_A:
		list_answer(ck, status, abuf, alen);
		break;
	case Q_TXT:
		txt_answer(ck, status, abuf, alen);
		break;
	case Q_PTR:
		ptr_answer(ck, status, abuf, alen);
		break;
	case Q_FWD:
		fwd_answer(ck, status, abuf, alen);
		break;
	default:
		exist_answer(ck, status, abuf, alen);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* One message                                                          */

static int
list_start(struct dnsbl_run *r, const struct dnsbl_list *l,
    const char *subject, const char *key, int source)
{
	struct lcheck *ck;

	if ((ck = check_new(r, CK_LIST, l, subject, source)) == NULL)
		return -1;
	if (l->skip && !(r->flags & DNSBL_NOSKIP)) {
		finish(ck, DNSBL_ERROR, NULL, "broken");
		return 0;
	}
	if (join(ck->qname, sizeof(ck->qname), key, l->zone) == -1) {
		finish(ck, DNSBL_ERROR, NULL, "name too long");
		return 0;
	}
	send_q(ck, 0, Q_A, ck->qname, T_A);
	return 0;
}

static int
rdns_start(struct dnsbl_run *r, const char *rev, const char *remotehost)
{
	struct lcheck *ck;
	char q[NAMEMAX];

	if ((ck = check_new(r, CK_RDNS, NULL, r->ip, 0)) == NULL)
		return -1;
	if (remotehost != NULL && remotehost[0] != '\0') {
		rdns_name(ck, remotehost);
		return r->ptrname == NULL ? -1 : 0;
	}
	(void)join(q, sizeof(q), rev, r->family == 4 ? "in-addr.arpa" :
	    "ip6.arpa");
	send_q(ck, 0, Q_PTR, q, T_PTR);
	return 0;
}

/* The address asked about: ip, or with DNSBL_NOMAP ::ffff:a.b.c.d. */
static void
run_addr(struct dnsbl_run *r, const struct ipaddr *ip, int flags)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };

	if (ip == NULL)
		return;
	r->family = ip->family;
	memcpy(r->addr, ip->a, sizeof(r->addr));
	if ((flags & DNSBL_NOMAP) && ip->family == 4) {
		memcpy(r->addr, mapped, sizeof(mapped));	/* RFC 5782 5 */
		memcpy(r->addr + 12, ip->a, 4);
		r->family = 6;
	}
}

/*
 * Start every IP-keyed check of conf for the client ip, asking through
 * dns: DNSBL and DNSWL lists, and (unless DNSBL_NORDNS) reverse DNS --
 * forward confirmation of remotehost (TCPREMOTEHOST) when given, else PTR
 * then forward confirmation.  A missing address (NULL, family 0) or
 * (without DNSBL_ANYIP) one never looked up (ipaddr_private) starts
 * nothing, now or later: the run is stopped, so dnsbl_domain() queries
 * nothing (STYLE.md).  A NULL dns makes every check an error "resolver".
 * NULL only when out of memory.
 */
struct dnsbl_run *
dnsbl_start_flags(const struct dnsbl_conf *c, struct dns *dns,
    const struct ipaddr *ip, const char *remotehost, int flags)
{
	struct dnsbl_run *r;
	char rev[72];
	size_t i;
	int fail = 0;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->conf = c;
	r->dns = dns;
	r->flags = flags;
	listres_chain_init(&r->checks);
	if (flags & DNSBL_NOIP)		/* URI lists only (uri.c) */
		return r;
	run_addr(r, ip, flags);
	if (r->family == 0 || (!(flags & DNSBL_ANYIP) &&
	    ipaddr_private(ip))) {
		/* born stopped: dnsbl_domain() must not query either */
		r->family = 0;
		r->stopped = 1;
		return r;
	}
	(void)inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, r->ip,
	    sizeof(r->ip));
	(void)dnsbl_revname(r->family, r->addr, rev, sizeof(rev));
	for (i = 0; i < c->nlists && !fail; i++)
		if (c->lists[i]->kind <= K_DNSWL && (c->lists[i]->family ==
		    0 || c->lists[i]->family == r->family))
			fail = list_start(r, c->lists[i], r->ip, rev, 0);
	if (fail || (!(flags & DNSBL_NORDNS) &&
	    rdns_start(r, rev, remotehost) == -1)) {
		dnsbl_free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

/* dnsbl_start_flags() without flags. */
struct dnsbl_run *
dnsbl_start(const struct dnsbl_conf *c, struct dns *dns,
    const struct ipaddr *ip, const char *remotehost)
{
	return dnsbl_start_flags(c, dns, ip, remotehost, 0);
}

/* Query an RHSBL for dom, dropping leading labels until the name fits. */
static void
rhsbl_start(struct dnsbl_run *r, const struct dnsbl_list *l,
    const char *dom, int which)
{
	struct listres *lr;
	const char *key = dom;

	for (lr = r->checks.head; lr != NULL; lr = lr->next)
		if (check_of(lr)->type == CK_LIST && check_of(lr)->list == l &&
		    strcmp(lr->subject, dom) == 0) {
			listres_source(lr, which);
			return;
		}
	while (strlen(key) + strlen(l->zone) + 2 > 254 &&
	    strchr(key, '.') != NULL)
		key = strchr(key, '.') + 1;
	(void)list_start(r, l, dom, key, which);
}

static void
sender_start(struct dnsbl_run *r, const char *dom)
{
	static const int types[3] = { T_MX, T_A, T_AAAA };
	struct listres *lr;
	struct lcheck *ck;
	char q[NAMEMAX + 1];
	int i;

	for (lr = r->checks.head; lr != NULL; lr = lr->next)
		if (check_of(lr)->type == CK_SENDER &&
		    strcmp(lr->subject, dom) == 0)
			return;
	if ((ck = check_new(r, CK_SENDER, NULL, dom, DNSBL_SENDER)) == NULL)
		return;
	(void)snprintf(q, sizeof(q), "%s.", dom);
	for (i = 0; i < 3 && ck->state != ST_DONE; i++)
		send_q(ck, i, Q_EXIST, q, types[i]);
}

static void
prefetch_done(void *arg, int status, const unsigned char *abuf, int alen)
{
	(void)arg;
	(void)status;
	(void)abuf;
	(void)alen;
}

/*
 * The From: domain is most often the envelope sender's: its existence
 * queries leave when the header section is complete, during the upload,
 * and the sender's check (which qmail-smtpd's envelope, written after the
 * message, starts) finds their answers in the message's cache or joins
 * them in flight instead of costing a round trip after the last byte.
 */
static void
exist_prefetch(struct dnsbl_run *r, const char *dom)
{
	static const int types[3] = { T_MX, T_A, T_AAAA };
	char q[NAMEMAX + 1];
	int i;

	if (r->dns == NULL)
		return;
	(void)snprintf(q, sizeof(q), "%s.", dom);
	for (i = 0; i < 3; i++)
		(void)dns_query(r->dns, q, types[i], prefetch_done, NULL);
}

/* One LDH label, lowercased (RFC 5782 5 test names "test", "invalid"). */
static int
one_label(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] != '\0'; i++) {
		if (i >= 63 || i + 1 >= size || !(is_alnum((unsigned char)
		    in[i]) || (in[i] == '-' && i > 0)))
			return -1;
		out[i] = (char)lower((unsigned char)in[i]);
	}
	if (i == 0 || out[i - 1] == '-')
		return -1;
	out[i] = '\0';
	return (int)i;
}

/*
 * A domain became known: which is DNSBL_FROM or DNSBL_SENDER.  Starts the
 * RHSBL checks (once per domain) and, for the sender, the existence check.
 * NULL, "" (null sender) or a bogus domain does nothing; so does a stopped
 * run.  Out of memory loses the check silently.
 */
void
dnsbl_domain(struct dnsbl_run *r, int which, const char *domain)
{
	char dom[NAMEMAX];
	size_t i;

	if (r == NULL || r->stopped || domain == NULL || domain[0] == '\0')
		return;
	if (dom_norm(domain, strlen(domain), DOM_FQDN, dom, sizeof(dom)) ==
	    -1 &&
	    (!(r->flags & DNSBL_ANYNAME) || one_label(domain, dom,
	    sizeof(dom)) == -1))
		return;
	which &= DNSBL_FROM | DNSBL_SENDER | DNSBL_URI | DNSBL_DKIM;
	for (i = 0; i < r->conf->nlists; i++)
		if (r->conf->lists[i]->kind == (which & (DNSBL_URI |
		    DNSBL_DKIM) ? K_URIBL : K_RHSBL) &&
		    (r->conf->lists[i]->keys & KEY_DOM))
			rhsbl_start(r, r->conf->lists[i], dom, which);
	if ((which & DNSBL_SENDER) && !(r->flags & DNSBL_NOEXIST))
		sender_start(r, dom);
	else if (which == DNSBL_FROM && !(r->flags & DNSBL_NOEXIST))
		exist_prefetch(r, dom);
}

/*
 * An IP literal of a URL (text, as uri.c found it): its reversed address
 * is asked of every URI list that takes addresses (RFC 5782 2.1, as for a
 * client), once per address and list.  An address never looked up
 * (ipaddr_private, unless DNSBL_ANYIP), a bogus one or a stopped run:
 * nothing.  Out of memory loses the check silently.
 */
void
dnsbl_uri_ip(struct dnsbl_run *r, int which, const char *text)
{
	struct ipaddr	 ip;
	struct listres	*lr;
	const struct dnsbl_list *l;
	char		 rev[72], norm[INET6_ADDRSTRLEN];
	size_t		 i;
	int		 known;

	if (r == NULL || r->stopped || text == NULL ||
	    ipaddr_parses(text, &ip) == -1 || (!(r->flags & DNSBL_ANYIP) &&
	    ipaddr_private(&ip)))
		return;
	(void)inet_ntop(ip.family == 4 ? AF_INET : AF_INET6, ip.a, norm,
	    sizeof(norm));
	(void)dnsbl_revname(ip.family, ip.a, rev, sizeof(rev));
	for (i = 0; i < r->conf->nlists; i++) {
		l = r->conf->lists[i];
		if (l->kind != K_URIBL || !(l->keys & KEY_IP) ||
		    (l->family != 0 && l->family != ip.family))
			continue;
		for (known = 0, lr = r->checks.head; lr != NULL && !known;
		    lr = lr->next)
			if (check_of(lr)->list == l &&
			    strcmp(lr->subject, norm) == 0) {
				listres_source(lr, which);
				known = 1;
			}
		if (!known)
			(void)list_start(r, l, norm, rev, which);
	}
}

/* Checks not yet finished. */
int
dnsbl_pending(const struct dnsbl_run *r)
{
	return r == NULL ? 0 : r->pending;
}

/* Drop the callbacks still due to the run's checks. */
static void
cancel_all(struct dnsbl_run *r)
{
	struct listres *lr;
	struct lcheck *ck;
	size_t i;

	for (lr = r->checks.head; lr != NULL; lr = lr->next) {
		ck = check_of(lr);
		for (i = 0; i < sizeof(ck->q) / sizeof(ck->q[0]); i++)
			if (ck->q[i].live) {
				dns_cancel(r->dns, &ck->q[i]);
				ck->q[i].live = 0;
			}
	}
}

/*
 * The run's own deadline (dns_stop() does it for every run of the
 * service): every unfinished check becomes an error "timeout" (a listing
 * still waiting for its TXT stays a listing, without TXT), and its
 * callbacks still due are dropped.  Idempotent.
 */
void
dnsbl_stop(struct dnsbl_run *r)
{
	struct listres *lr;
	struct lcheck *ck;

	if (r == NULL || r->stopped)
		return;
	cancel_all(r);
	for (lr = r->checks.head; lr != NULL; lr = lr->next) {
		ck = check_of(lr);
		if (ck->state == ST_TXT)
			finish_listed(ck);
		else
			finish(ck, DNSBL_ERROR, ck->type == CK_RDNS ? "RDNS" :
			    ck->type == CK_SENDER ? "SENDER_DOMAIN" : NULL,
			    "timeout");
	}
	r->stopped = 1;
}

/* Number of results of finished checks, in the order checks started. */
size_t
dnsbl_nresults(const struct dnsbl_run *r)
{
	return r == NULL ? 0 : listres_count(&r->checks);
}

/* The i-th result; valid until dnsbl_free().  NULL past the end. */
const struct dnsbl_result *
dnsbl_result(const struct dnsbl_run *r, size_t i)
{
	return r == NULL ? NULL : listres_get(&r->checks, i);
}

/* The forward-confirmed client name, or NULL. */
const char *
dnsbl_rdns(const struct dnsbl_run *r)
{
	return r == NULL ? NULL : r->rdnsname;
}

/* The PTR name (or TCPREMOTEHOST), confirmed or not, raw; or NULL. */
const char *
dnsbl_ptr(const struct dnsbl_run *r)
{
	return r == NULL ? NULL : r->ptrname;
}

/*
 * Free the run and drop its callbacks still due; its dns must not have
 * been freed while any was (dns_stop() first leaves none).
 */
void
dnsbl_free(struct dnsbl_run *r)
{
	struct listres *lr, *next;

	if (r == NULL)
		return;
	cancel_all(r);
	r->stopped = 1;
	for (lr = r->checks.head; lr != NULL; lr = next) {
		next = lr->next;
		listres_clear(lr);
		free(check_of(lr)->txt);
		free(check_of(lr));
	}
	free(r->ptrname);
	free(r->rdnsname);
	free(r);
}

/* ---- the check (check.h) ------------------------------------------- */

static const char *const dnsbl_keywords[] = { "dnsbl", "dnswl", "rhsbl",
	"dns", NULL };

static void *
dnsbl_conf_new_v(void)
{
	return dnsbl_conf_new();
}

static void
dnsbl_conf_free_v(void *c)
{
	dnsbl_conf_free(c);
}

static int
dnsbl_conf_line_v(void *c, int ac, char *av[], char *err, size_t n)
{
	return dnsbl_conf_line(c, ac, av, err, n);
}

static const struct score_test *
dnsbl_test_at(size_t i)
{
	return i < dnsbl_nscore_tests ? &dnsbl_score_tests[i] : NULL;
}

/*
 * Connect: every IP-keyed query leaves now, on the message's DNS service
 * (made on first use with the resolvers of the "dns" line, unless the
 * connection named its own).  A policy without any DNS line asks nothing.
 */
static void *
dnsbl_start_v(const void *conf, struct msg *m)
{
	/* no dnsbl, dnswl, rhsbl or dns line: no DNS check at all (rDNS,
	   sender domain) -- as a policy without them always meant */
	if (dnsbl_conf_nlists(conf) == 0 &&
	    dnsbl_conf_get_servers(conf) == NULL)
		return NULL;
	if (m->servers == NULL)
		m->servers = dnsbl_conf_get_servers(conf);
	return dnsbl_start_flags(conf, msg_dns(m), &m->ip, m->remotehost,
	    m->anyip ? DNSBL_ANYIP : 0);
}

static void
dnsbl_headers_v(void *r, struct msg *m)
{
	dnsbl_domain(r, DNSBL_FROM, m->from_domain);
}

static void
dnsbl_envelope_v(void *r, struct msg *m)
{
	dnsbl_domain(r, DNSBL_SENDER, m->sender_domain);
}

/*
 * The rDNS result as RFC 8601's iprev: pass (confirmed), fail (the
 * forward lookup does not give the address back), permerror (no PTR),
 * temperror (a DNS error).
 */
static void
dnsbl_iprev(const struct dnsbl_result *res, struct msg *m)
{
	const char	*name = m->rdns != NULL ? m->rdns : "";

	if (strcmp(res->test, "RDNS") == 0)
		m->auth.iprev = res->verdict == DNSBL_CLEAN ? AUTH_PASS :
		    AUTH_TEMPERROR;
	else if (strcmp(res->test, "RDNS_UNCONFIRMED") == 0)
		m->auth.iprev = AUTH_FAIL;
	else if (strcmp(res->test, "RDNS_NONE") == 0)
		m->auth.iprev = AUTH_PERMERROR;
	else
		return;
	snprintf(m->auth.iprev_name, sizeof(m->auth.iprev_name), "%s",
	    m->auth.iprev == AUTH_PASS ? name : "");
}

/* Every result, and the client's names for the checks after this one. */
static void
dnsbl_findings_v(void *r, struct msg *m, struct report *rep)
{
	size_t	i;

	dnsbl_stop(r);
	m->rdns = dnsbl_rdns(r);
	for (i = 0; i < dnsbl_nresults(r); i++) {
		listres_report(rep, m->pol, dnsbl_result(r, i));
		dnsbl_iprev(dnsbl_result(r, i), m);
	}
	m->rdns = dnsbl_rdns(r);
	m->ptr = dnsbl_ptr(r);
}

static void
dnsbl_done_v(void *r)
{
	dnsbl_free(r);
}

const struct check check_dnsbl = {
	.name = "dnsbl",
	.keywords = dnsbl_keywords,
	.conf_new = dnsbl_conf_new_v,
	.conf_free = dnsbl_conf_free_v,
	.conf_line = dnsbl_conf_line_v,
	.test_at = dnsbl_test_at,
	.start = dnsbl_start_v,
	.headers = dnsbl_headers_v,
	.envelope = dnsbl_envelope_v,
	.findings = dnsbl_findings_v,
	.done = dnsbl_done_v,
};

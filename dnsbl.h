/*
 * dnsbl.h: every DNS check of one message -- DNSBL, DNSWL and RHSBL lists,
 * reverse DNS with forward confirmation, sender-domain existence -- asked
 * through the message's DNS service (dns.h), which the caller serves
 * (dns_wait) and stops at its deadline (dns_stop).  Results are
 * three-valued (listed, clean, error).  The policy grammar is described at
 * the top of dnsbl.c.
 */
#ifndef DNSBL_H
#define DNSBL_H

#include <stddef.h>

#include "score.h"

struct dns;		/* dns.h: the message's DNS service */
struct ipaddr;		/* msg.h: an address, parsed once */
struct dnsbl_conf;	/* opaque: lists, resolver servers */
struct dnsbl_run;	/* opaque: one message's checks */
struct dnsbl_list;	/* opaque: one list of the policy */

/* dnsbl_domain(): where a domain came from (bits of dnsbl_result.source) */
#define DNSBL_FROM	1	/* From: header domain */
#define DNSBL_SENDER	2	/* envelope sender domain */
#define DNSBL_URI	4	/* a URI list's domain: the message's links,
				   Reply-To:, the rDNS name (uri.c) */
#define DNSBL_DKIM	8	/* a URI list's domain: a DKIM-Signature's
				   d= (uri.c counts it when valid) */

/* dnsbl_start_flags() */
#define DNSBL_ANYIP	1	/* query loopback/private IPs too (check mode,
				   RFC 5782 test points such as 127.0.0.2) */
#define DNSBL_NORDNS	2	/* no PTR / forward-confirm check */
#define DNSBL_NOEXIST	4	/* no sender-domain existence check */
#define DNSBL_NOSKIP	8	/* query lists marked broken too (probe) */
#define DNSBL_ANYNAME	16	/* dnsbl_domain(): one-label names too
				   (RFC 5782 5 test points "test",
				   "invalid") */
#define DNSBL_NOMAP	32	/* an IPv4 address is asked as
				   ::ffff:a.b.c.d (RFC 5782 5 test points
				   of IPv6 lists) */
#define DNSBL_NOIP	64	/* no IP-keyed checks at all, and a missing
				   address does not stop the run: the URI
				   lists of uri.c (dnsbl_domain with
				   DNSBL_URI, dnsbl_uri_ip) */

enum dnsbl_verdict { DNSBL_CLEAN, DNSBL_LISTED, DNSBL_ERROR };

struct dnsbl_result {
	const char *test;	/* score name: filter test or list label,
				   RDNS, RDNS_NONE, RDNS_UNCONFIRMED,
				   SENDER_DOMAIN, SENDER_DOMAIN_NX */
	const char *label;	/* the list's policy label (never its zone);
				   "reverse DNS" / "sender domain" otherwise */
	const char *kind;	/* "dnsbl" "dnswl" "rhsbl" "urilist" "rdns"
				   "sender" */
	const char *subject;	/* IP text or domain looked up (raw) */
	enum dnsbl_verdict verdict;
	double weight;		/* list results: the matched filter's weight */
	int has_weight;		/* 0 for rdns/sender: weight by test name */
	char answer[64];	/* codes "127.0.0.4,127.0.0.10", error text
				   ("timeout", "servfail", "127.255.255.254"),
				   or for RDNS_UNCONFIRMED the PTR name */
	const char *txt;	/* raw TXT of a listing, not NUL-terminated */
	size_t txtlen;		/* at most DNSBL_TXTMAX */
	unsigned ms;		/* from the check's start to its last answer */
	int source;		/* 0: client IP; else DNSBL_FROM|DNSBL_SENDER,
				   DNSBL_URI|DNSBL_DKIM */
};

#define DNSBL_TXTMAX	512	/* TXT bytes kept per listing */

/*
 * The tests whose results have no weight of their own (has_weight == 0):
 * RDNS_NONE, RDNS_UNCONFIRMED, SENDER_DOMAIN_NX with default weights.
 * List results carry their filter's weight (policy line, profile).
 */
extern const struct score_test dnsbl_score_tests[];
extern const size_t dnsbl_nscore_tests;

/* Configuration (from the policy file). */
struct dnsbl_conf *dnsbl_conf_new(void);
void dnsbl_conf_free(struct dnsbl_conf *);
/*
 * One policy line whose keyword is dnsbl, dnswl, rhsbl or dns, already split
 * into words (argv[0] is the keyword).  Returns 0, or -1 with a one-line
 * reason in err (errno EINVAL, or ENOMEM).
 */
int dnsbl_conf_line(struct dnsbl_conf *, int, char *[], char *, size_t);
/* Resolver override, "127.0.0.1:5353,[::1]:5353"; 0, or -1 EINVAL/ENOMEM. */
int dnsbl_conf_servers(struct dnsbl_conf *, const char *);
/* The resolvers for dns_new(): the override, or NULL (resolv.conf). */
const char *dnsbl_conf_get_servers(const struct dnsbl_conf *);
size_t dnsbl_conf_nlists(const struct dnsbl_conf *);
const struct dnsbl_list *dnsbl_conf_list(const struct dnsbl_conf *, size_t);
/*
 * List health (health.c): mark the list LABEL broken (1) or usable (0).  A
 * broken list is not queried; its check ends at once as an error whose
 * answer is "broken".  0, or -1 with errno ENOENT for an unknown label.
 */
int dnsbl_conf_skip(struct dnsbl_conf *, const char *, int);

/*
 * A list of this grammar whose answers come from elsewhere (lists.c: local
 * list files): kind "dnsbl", "dnswl" or "rhsbl"; argv a policy line whose
 * argv[2] is not looked at.  NULL with errno and a reason in err.
 * dnsbl_list_info(): its label, kind, family, TXT wish, the notest
 * option, its profile's test point, filter count.
 * dnsbl_list_filter(l, i, &test, &weight): 1 a listing filter, 0 an error
 * filter, -1 past the end.
 */
struct dnsbl_list_info {
	const char	*label;
	const char	*kind;		/* "dnsbl" "dnswl" "rhsbl" */
	int		 family;	/* 0 both, 4, 6 */
	int		 txt;		/* wants the TXT of a listing */
	int		 notest;	/* its test point is not listed */
	const char	*test;		/* its profile's documented test
					   point (an IPv4 address, or a
					   name for rhsbl), NULL: RFC 5782 */
	size_t		 nfilters;
};
struct dnsbl_list *dnsbl_list_new(const char *, int, char *[], char *,
    size_t);
void dnsbl_list_free(struct dnsbl_list *);
void dnsbl_list_info(const struct dnsbl_list *, struct dnsbl_list_info *);
int dnsbl_list_filter(const struct dnsbl_list *, size_t, const char **,
    double *);

/*
 * One message.  The conf must outlive the run; the dns (the message's DNS
 * service, dns.h) must outlive it too, or be stopped before it is freed.
 *
 * dnsbl_start(conf, dns, ip, remotehost): every IP-keyed query leaves at
 *   once (DNSBL/DNSWL lists, PTR unless remotehost (TCPREMOTEHOST) is
 *   given, then forward-confirm).  ip is the client address (msg.h); a
 *   NULL ip, family 0, or one ipaddr_private() says is never looked up
 *   starts nothing, and its run is born stopped (no domain checks
 *   either).  A NULL dns: every check ends an error "resolver".  NULL only
 *   when out of memory.  dnsbl_start_flags() adds DNSBL_* flags.
 * dnsbl_domain(run, DNSBL_FROM or DNSBL_SENDER, domain): RHSBL checks of
 *   the domain (once per domain), and for the sender its existence (MX,
 *   A, AAAA).  NULL, "", a bogus domain or a stopped run: nothing.
 *   With DNSBL_URI or DNSBL_DKIM: the URI lists (urilist) that take
 *   domains instead, nothing else.
 * dnsbl_uri_ip(run, DNSBL_URI, text): an IP literal of a URL against the
 *   URI lists that take addresses (reversed, once per address).
 * dnsbl_pending(run): checks not finished (all answered when 0).  The
 *   caller serves dns (dns_wait) and ends it with dns_stop() at its
 *   deadline: unfinished checks then become errors "timeout" (a listing
 *   waiting for its TXT stays listed).
 * dnsbl_stop(run): the same for this run alone, without stopping dns.
 *   Idempotent.
 * dnsbl_nresults/dnsbl_result: finished results, in the order the checks
 *   started; valid until dnsbl_free().
 * dnsbl_rdns(run): the forward-confirmed client name, or NULL.
 * dnsbl_ptr(run): the PTR name (or TCPREMOTEHOST) confirmed or not, raw
 *   (c-ares escapes odd bytes as \DDD), or NULL.
 */
struct dnsbl_run *dnsbl_start(const struct dnsbl_conf *, struct dns *,
    const struct ipaddr *, const char *);
struct dnsbl_run *dnsbl_start_flags(const struct dnsbl_conf *, struct dns *,
    const struct ipaddr *, const char *, int);
void dnsbl_domain(struct dnsbl_run *, int, const char *);
void dnsbl_uri_ip(struct dnsbl_run *, int, const char *);
int dnsbl_pending(const struct dnsbl_run *);
void dnsbl_stop(struct dnsbl_run *);
size_t dnsbl_nresults(const struct dnsbl_run *);
const struct dnsbl_result *dnsbl_result(const struct dnsbl_run *, size_t);
const char *dnsbl_rdns(const struct dnsbl_run *);
const char *dnsbl_ptr(const struct dnsbl_run *);
void dnsbl_free(struct dnsbl_run *);

/*
 * Pure functions, exported for the unit tests and fuzz targets.
 */
#define DNSBL_MAXA	32	/* A records of one answer looked at */
#define DNSBL_MAXFILTERS 32	/* filters of one list */

struct dnsbl_class {
	enum dnsbl_verdict verdict;
	int naddr;			/* A records parsed */
	unsigned long addr[DNSBL_MAXA];	/* host order */
	unsigned long fmask[DNSBL_MAXFILTERS]; /* per filter: bit i = addr i */
	char answer[64];		/* error text or unmatched codes */
};

int dnsbl_classify(const struct dnsbl_list *, const unsigned char *, int,
    struct dnsbl_class *);
int dnsbl_classify_codes(const struct dnsbl_list *, const unsigned long *,
    int, struct dnsbl_class *);
int dnsbl_revname(int, const unsigned char *, char *, size_t);
int dnsbl_ptr_parse(const unsigned char *, int, char *, size_t);
int dnsbl_addr_match(const unsigned char *, int, int, const unsigned char *);
size_t dnsbl_txt_parse(const unsigned char *, int, char *, size_t);

#endif

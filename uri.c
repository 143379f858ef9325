/*
 * uri.c - the URI blocklist check: the domains a message links to (its
 * body, through the streaming extractor uriextract.c), its Reply-To:
 * domain, the client's rDNS name and the d= of its valid DKIM signatures,
 * asked of DBL-, URIBL- and SURBL-style lists while the client is still
 * uploading.  The lists are dnsbl.c's lists of kind "urilist": the same
 * filters, profiles, error codes, three-valued results and findings
 * (listres.c); the zone of a list never leaves dnsbl.c.
 *
 * Policy (qqtag-policy(5)):
 *   urilist LABEL ZONE [FILTER|OPTION]...	as a dnsbl line; profiles dbl,
 *						uribl, surbl (dnsbl.c)
 *   uriallow DOMAIN... | nodefault		never asked about DOMAIN (or
 *						a name under it); nodefault
 *						drops the built-in list
 *
 * Each host found becomes its registrable domain through the public
 * suffix list (orgdom_of): the lists hold registrable domains,
 * and SURBL's own two- and three-level tables are not needed for it.  A
 * host that is an IPv4 literal is asked, reversed, of the lists that take
 * addresses (surbl, lists without a profile).  Every distinct domain
 * (at most URI_DOMAINS_MAX a message) is asked of every list once, as
 * soon as it is found: the queries leave during the upload and the one
 * DNS deadline bounds them.
 *
 * Sources and when their queries leave:
 *   rDNS     TCPREMOTEHOST (qqtag -c -r), at the start; a PTR name only
 *            dnsbl.c learns comes too late (its findings) and is not used
 *   headers  Reply-To: (the extractor), at the end of the header section
 *   DKIM     the d= of every DKIM-Signature that parses, at the end of the
 *            header section, speculatively: DKIM's verdict comes only in
 *            its findings, after the deadline.  A result whose only source
 *            is a d= is reported only when DKIM found a valid signature
 *            of that registrable domain.
 *   body     each link, as the extractor finds it
 *   -c -U    qqtag -c's test domain, asked as given (a list's test point
 *            such as test.surbl.org is no registrable domain)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dkimtag.h"
#include "headers.h"
#include "dns.h"
#include "dnsbl.h"
#include "listres.h"
#include "msg.h"
#include "orgdom.h"
#include "report.h"
#include "rfc5322.h"
#include "uri.h"
#include "uriextract.h"
#include "util.h"

/* distinct domains asked per message: the extractor's hosts (body and
 * Reply-To:), the rDNS name, the d= of each DKIM signature */
#define URI_DOMAINS_MAX	(URIX_HOSTS_MAX + 1 + AUTH_DKIM_MAX)
#define URI_ALLOW_MAX	256	/* uriallow domains of one policy */
#define URI_NAMEMAX	(DOM_MAX + 1)

/*
 * The built-in allowlist: registrable domains in very many legitimate
 * messages (HTML boilerplate, the big mail, search, social and CDN
 * providers).  Asking about them costs queries (and the free tiers'
 * volume) and never finds a listing.
 */
static const char *const uri_allow_default[] = {
	"w3.org", "schema.org", "google.com", "gmail.com", "googleapis.com",
	"gstatic.com", "youtube.com", "microsoft.com", "outlook.com",
	"office.com", "live.com", "apple.com", "icloud.com", "yahoo.com",
	"facebook.com", "instagram.com", "linkedin.com", "twitter.com",
	"x.com", "amazon.com", "wikipedia.org", "cloudflare.com", NULL
};

struct uri_conf {
	struct dnsbl_conf	*lists;		/* urilist lines only */
	char			*allow[URI_ALLOW_MAX];
	size_t			 nallow;
	int			 nodefault;
};

struct uri_run {
	const struct uri_conf	*conf;
	struct msg		*m;
	struct dnsbl_run	*run;
	struct urix		 x;
	int			 xstate;	/* 0 none, 1 fed, 2 ended */
	char			 dom[URI_DOMAINS_MAX][URI_NAMEMAX];
	size_t			 ndom;
};

/* ---- pure functions (unit_uri) ------------------------------------- */

/* Is name (lowercased) dom itself or a name under it? */
static int
under(const char *name, const char *dom)
{
	size_t nl = strlen(name), dl = strlen(dom);

	return nl >= dl && strcmp(name + nl - dl, dom) == 0 &&
	    (nl == dl || name[nl - dl - 1] == '.');
}

/*
 * Is the lowercased name allowlisted: under a uriallow domain of conf
 * or, unless nodefault, of the built-in list?  1 or 0.
 */
int
uri_allowed(const struct uri_conf *c, const char *name)
{
	size_t i;

	for (i = 0; c != NULL && i < c->nallow; i++)
		if (under(name, c->allow[i]))
			return 1;
	if (c != NULL && c->nodefault)
		return 0;
	for (i = 0; uri_allow_default[i] != NULL; i++)
		if (under(name, uri_allow_default[i]))
			return 1;
	return 0;
}

/*
 * The domain a host is asked as: its registrable domain (orgdom_of);
 * without a public suffix list, its last two labels.  out, or NULL with
 * errno EINVAL (not a name) or ENAMETOOLONG.
 */
const char *
uri_domain(const char *host, char *out, size_t size)
{
	char		 norm[URI_NAMEMAX];
	const char	*p;
	size_t		 n;

	if (dom_norm(host, strlen(host), DOM_FQDN, norm, sizeof(norm)) ==
	    -1) {
		errno = EINVAL;
		return NULL;
	}
	if (orgdom_of(norm, out, size) != NULL)
		return out;
	if (errno != ENOENT)
		return NULL;
	n = strlen(norm);
	p = norm + n;
	while (p > norm && p[-1] != '.')
		p--;
	if (p > norm)
		for (p--; p > norm && p[-1] != '.'; p--)
			;
	if ((n = strlen(p)) >= size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(out, p, n + 1);
	return out;
}

/* ---- policy -------------------------------------------------------- */

static void *
uri_conf_new(void)
{
	struct uri_conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->lists = dnsbl_conf_new()) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

static void
uri_conf_free(void *v)
{
	struct uri_conf *c = v;
	size_t		 i;

	if (c == NULL)
		return;
	dnsbl_conf_free(c->lists);
	for (i = 0; i < c->nallow; i++)
		free(c->allow[i]);
	free(c);
}

/* uriallow DOMAIN... | nodefault */
static int
uri_allow_line(struct uri_conf *c, int argc, char *argv[], char *err,
    size_t errlen)
{
	char	norm[URI_NAMEMAX];
	int	i;

	if (argc < 2)
		return errf(err, errlen, EINVAL, "uriallow: need DOMAIN");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "nodefault") == 0) {
			c->nodefault = 1;
			continue;
		}
		if (dom_norm(argv[i], strlen(argv[i]), DOM_FQDN, norm,
		    sizeof(norm)) == -1)
			return errf(err, errlen, EINVAL, "uriallow: bad "
			    "domain \"%.80s\"", argv[i]);
		if (c->nallow >= URI_ALLOW_MAX)
			return errf(err, errlen, EINVAL, "uriallow: more "
			    "than %d domains", URI_ALLOW_MAX);
		if ((c->allow[c->nallow] = strdup(norm)) == NULL)
			return errf(err, errlen, ENOMEM, "out of memory");
		c->nallow++;
	}
	return 0;
}

/*
 * One urilist or uriallow line.  0, or -1 with errno and a reason in
 * err (never a zone: dnsbl.c's rule).
 */
int
uri_conf_line(void *v, int argc, char *argv[], char *err, size_t errlen)
{
	struct uri_conf *c = v;

	if (argc >= 1 && strcmp(argv[0], "uriallow") == 0)
		return uri_allow_line(c, argc, argv, err, errlen);
	if (argc >= 1 && strcmp(argv[0], "urilist") == 0)
		return dnsbl_conf_line(c->lists, argc, argv, err, errlen);
	return errf(err, errlen, EINVAL, "not a URI keyword");
}

/* The urilist lines of a conf (tests): dnsbl.c's conf of them. */
const struct dnsbl_conf *
uri_conf_lists(const void *v)
{
	return ((const struct uri_conf *)v)->lists;
}

/*
 * The urilist lines of a conf (NULL: NULL), for list health (lists.c):
 * the state file marks the URI lists found broken in it.
 */
struct dnsbl_conf *
uri_conf_dnsbl(void *v)
{
	return v == NULL ? NULL : ((struct uri_conf *)v)->lists;
}

/* ---- one message --------------------------------------------------- */

static void
trace(struct uri_run *u, const char *what, const char *host,
    const char *dom)
{
	char	h[128], d[128];
	size_t	n;

	if (u->m->trace == NULL)
		return;
	n = hdr_sanitise(h, sizeof(h) - 1, host, strlen(host));
	h[n] = '\0';
	n = hdr_sanitise(d, sizeof(d) - 1, dom, strlen(dom));
	d[n] = '\0';
	fprintf(u->m->trace, "uri: %s %s%s%s\n", what, h, dom[0] ? " -> " :
	    "", d);
}

/* Ask dom (a registrable domain) once, within the cap. */
static void
ask(struct uri_run *u, int which, const char *host, const char *dom)
{
	size_t	i;

	if (uri_allowed(u->conf, dom) || uri_allowed(u->conf, host)) {
		trace(u, "allowlisted", host, dom);
		return;
	}
	for (i = 0; i < u->ndom; i++)
		if (strcmp(u->dom[i], dom) == 0) {
			dnsbl_domain(u->run, which, dom);	/* source */
			return;
		}
	if (u->ndom >= URI_DOMAINS_MAX || strlen(dom) >= URI_NAMEMAX) {
		trace(u, "past the cap, not asked:", host, dom);
		return;
	}
	memcpy(u->dom[u->ndom++], dom, strlen(dom) + 1);
	trace(u, "domain", host, dom);
	dnsbl_domain(u->run, which, dom);
}

/* A host from one of the sources: which DNSBL_URI or DNSBL_DKIM. */
static void
host_found(struct uri_run *u, int which, const char *host, int is_ip)
{
	char	dom[URI_NAMEMAX];

	if (is_ip) {
		trace(u, "address", host, "");
		dnsbl_uri_ip(u->run, which, host);
		return;
	}
	if (uri_domain(host, dom, sizeof(dom)) == NULL) {
		trace(u, "not a domain:", host, "");
		return;
	}
	ask(u, which, host, dom);
}

/* urix_found_fn: the extractor found a host (body, Reply-To:). */
static void
on_found(void *arg, const char *host, int is_ip)
{
	host_found(arg, DNSBL_URI, host, is_ip);
}

static void *
uri_start(const void *conf, struct msg *m)
{
	const struct uri_conf	*c = conf;
	struct uri_run		*u;
	struct ipaddr		 ip;
	int			 flags = DNSBL_NOIP;

	if (dnsbl_conf_nlists(c->lists) == 0)
		return NULL;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->conf = c;
	u->m = m;
	if (m->anyip)
		flags |= DNSBL_ANYIP;
	if (m->mode == MSG_CLIENT)
		flags |= DNSBL_ANYNAME;
	if ((u->run = dnsbl_start_flags(c->lists, msg_dns(m), NULL, NULL,
	    flags)) == NULL) {
		free(u);
		errno = ENOMEM;
		return NULL;
	}
	if (m->remotehost != NULL && m->remotehost[0] != '\0')
		host_found(u, DNSBL_URI, m->remotehost, 0);
	if (m->mode == MSG_CLIENT && m->uritest != NULL) {
		trace(u, "test", m->uritest, "");
		if (ipaddr_parses(m->uritest, &ip) == 0)
			dnsbl_uri_ip(u->run, DNSBL_URI, m->uritest);
		else
			dnsbl_domain(u->run, DNSBL_URI, m->uritest);
	}
	return u;
}

/* The d= of every DKIM-Signature that parses, asked speculatively. */
static void
dkim_domains(struct uri_run *u, struct msg *m)
{
	struct rfc_iter	 it;
	struct rfc_field f;
	struct dkim_sig	*sig;
	const char	*why;
	int		 n = 0;

	if ((sig = malloc(sizeof(*sig))) == NULL)
		return;
	rfc_iter_init(&it, m->hdr, m->hdrlen);
	while (n++ < AUTH_DKIM_MAX && rfc_next(&it, "DKIM-Signature", &f) ==
	    1)
		if (dkim_sig_parse(f.val, f.vlen, sig, &why) == 0)
			host_found(u, DNSBL_DKIM, sig->d, 0);
	free(sig);
}

static void
uri_headers(void *v, struct msg *m)
{
	struct uri_run	*u = v;

	if (m->hdr == NULL || u->xstate != 0)
		return;
	urix_init(&u->x, on_found, u);
	u->xstate = 1;
	urix_headers(&u->x, m->hdr, m->hdrlen);
	dkim_domains(u, m);
}

static int
uri_wants_body(const void *v)
{
	const struct uri_run *u = v;

	return u->xstate == 1 && u->m->mode == MSG_QUEUE;
}

static void
uri_body(void *v, struct msg *m, const char *p, size_t n)
{
	struct uri_run	*u = v;

	(void)m;
	if (u->xstate == 1)
		urix_feed(&u->x, p, n);
}

/* The message is complete (the envelope comes after it): the last host. */
static void
uri_envelope(void *v, struct msg *m)
{
	struct uri_run	*u = v;

	(void)m;
	if (u->xstate == 1) {
		urix_end(&u->x);
		u->xstate = 2;
	}
}

/* Is the registrable domain dom that of a valid DKIM signature? */
static int
dkim_valid(const struct msg *m, const char *dom)
{
	char	 d[URI_NAMEMAX];
	size_t	 i;

	for (i = 0; i < m->auth.dkim.n && i < AUTH_DKIM_MAX; i++)
		if (m->auth.dkim.sig[i].res == AUTH_PASS &&
		    uri_domain(m->auth.dkim.sig[i].d, d, sizeof(d)) != NULL &&
		    strcmp(d, dom) == 0)
			return 1;
	return 0;
}

/* Does result r count: not a d= without a valid signature of its own? */
static int
counted(const struct msg *m, const struct dnsbl_result *r)
{
	return r->source != DNSBL_DKIM || dkim_valid(m, r->subject);
}

/* Did a counted result before the i-th list the same test (another
 * domain)? */
static int
scored(const struct msg *m, const struct dnsbl_run *run, size_t i)
{
	const struct dnsbl_result	*r = dnsbl_result(run, i), *p;
	size_t				 j;

	for (j = 0; j < i; j++) {
		p = dnsbl_result(run, j);
		if (p->verdict == DNSBL_LISTED && p->weight != 0 &&
		    strcmp(p->test, r->test) == 0 && counted(m, p))
			return 1;
	}
	return 0;
}

/*
 * Every result; a test scores once a message, as a SpamAssassin rule
 * does (twenty listed links are not twenty times the evidence): its
 * listings for further domains are reported with weight 0.
 */
static void
uri_findings(void *v, struct msg *m, struct report *rep)
{
	struct uri_run			*u = v;
	const struct dnsbl_result	*r;
	struct dnsbl_result		 once;
	size_t				 i;

	uri_envelope(u, m);
	dnsbl_stop(u->run);
	for (i = 0; i < dnsbl_nresults(u->run); i++) {
		r = dnsbl_result(u->run, i);
		if (!counted(m, r)) {
			trace(u, "DKIM d= not valid, not counted:",
			    r->subject, "");
			continue;
		}
		if (r->verdict == DNSBL_LISTED && scored(m, u->run, i)) {
			once = *r;
			once.weight = 0;
			once.has_weight = 1;
			r = &once;
		}
		listres_report(rep, m->pol, r);
	}
}

static void
uri_done(void *v)
{
	struct uri_run	*u = v;

	if (u == NULL)
		return;
	dnsbl_free(u->run);
	free(u);
}

static const char *const uri_keywords[] = { "urilist", "uriallow", NULL };

const struct check check_uri = {
	.name = "uri",
	.keywords = uri_keywords,
	.conf_new = uri_conf_new,
	.conf_free = uri_conf_free,
	.conf_line = uri_conf_line,
	.start = uri_start,
	.headers = uri_headers,
	.wants_body = uri_wants_body,
	.body = uri_body,
	.envelope = uri_envelope,
	.findings = uri_findings,
	.done = uri_done,
};

/*
 * lists.c: the site's own lists, kept as files next to the policy and
 * checked like DNS lists, and list health: the state file the probe
 * (qqtag -T) writes and qqtag reads at start to skip broken DNS lists and
 * URI lists (the uri check's urilist lines).
 *
 * Policy grammar (lines handed over by policy.c):
 *
 *   iplist LABEL FILE [format=F] [OPTION|FILTER]...   client IP blocklist
 *   ipwl LABEL FILE [format=F] [OPTION|FILTER]...     client IP allowlist
 *   domainlist LABEL FILE [OPTION|FILTER]...          From:/sender domains
 *   state FILE [MAXAGE]                                list-health state
 *
 * LABEL, OPTION and FILTER are those of the DNS lines (dnsbl.c): labels in
 * headers and logs, OCTETS[=WEIGHT][:TEST] filters on the codes of the
 * file, ipv4|ipv6, notxt, profile=NAME, TEST=WEIGHT.  Weights default to
 * 1 (iplist, domainlist) and -1 (ipwl); without filters every 127/8 code
 * is a listing; codes outside 127/8, 127.0.0.1 and 127.255.255.0/24 are
 * errors, as for DNS lists.  Results are struct dnsbl_result with kind
 * "dnsbl" (iplist), "dnswl" (ipwl) or "rhsbl" (domainlist).
 * FILE    an absolute path, plain or gzip (zlib reads both), in rbldnsd's
 *         syntax so that an rsync'd feed is used as it comes:
 *         format=auto (default for iplist/ipwl): IPv4 lines as rbldnsd's
 *         ip4set, IPv6 lines (an address whose first group ends in ':')
 *         as ip6trie; format=ip4set, ip6trie, ip6tset: that dataset only;
 *         domainlist files are dnset.
 * MAXAGE  seconds, or a number with s, m, h or d (default 1h): an older
 *         state file is ignored.
 *
 * A list file that is missing, unreadable, corrupt, too big, expired or
 * from the future (listfile.c) is an error result ("missing", ...), never
 * a listing.  A list is read once per message (qqtag is one process per
 * message) keeping only what the message's IP or domain can match, so
 * memory stays constant whatever the file's size.  Results are made by
 * listres.c, as those of DNS lists; list health (the state line's use,
 * the probe) is health.c.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dnsbl.h"
#include "headers.h"
#include "health.h"
#include "listfile.h"
#include "listres.h"
#include "lists.h"
#include "msg.h"
#include "policy.h"
#include "report.h"
#include "rfc5322.h"
#include "uri.h"
#include "util.h"

#define MAXLISTS	64		/* local lists in one policy */
#define MAXWORDS	64		/* words of one policy line */
#define NAMEMAX		256		/* a domain as text, NUL included */
#define DEFMAXAGE	3600UL

/* ------------------------------------------------------------------ */
/* Types                                                                */

struct llist {
	struct dnsbl_list	*dl;
	struct dnsbl_list_info	 info;
	const char		*keyword;
	char			*file;
	int			 format;
	int			 domain;
};

struct lists_conf {
	struct llist	 l[MAXLISTS];
	size_t		 n;
	char		*state;
	unsigned long	 maxage;
	const char	*health;	/* state not used, and why (log) */
};

/* One list looked up for one IP or domain. */
struct lcheck {
	struct listres		 lr;	/* first: its results, the chain */
	const struct llist	*l;
	char			 txt[DNSBL_TXTMAX];
	size_t			 txtlen;
};

struct lists_run {
	const struct lists_conf	*conf;
	struct listres_chain	 checks;
	struct listfile_key	 ipkey;
	int			 haveip;
};

/* ------------------------------------------------------------------ */
/* Policy lines                                                         */

/* An empty configuration; NULL with errno ENOMEM. */
struct lists_conf *
lists_conf_new(void)
{
	struct lists_conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->maxage = DEFMAXAGE;
	return c;
}

/* Free a configuration and its lists (NULL is fine). */
void
lists_conf_free(struct lists_conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		dnsbl_list_free(c->l[i].dl);
		free(c->l[i].file);
	}
	free(c->state);
	free(c);
}

/* The number of local lists. */
size_t
lists_conf_nlists(const struct lists_conf *c)
{
	return c == NULL ? 0 : c->n;
}

/* The state file of the policy, or NULL. */
const char *
lists_conf_state(const struct lists_conf *c)
{
	return c == NULL ? NULL : c->state;
}

/* The state file's MAXAGE in seconds (default 1 h). */
unsigned long
lists_conf_maxage(const struct lists_conf *c)
{
	return c == NULL ? DEFMAXAGE : c->maxage;
}

/*
 * The i-th local list's file as the probe reads it: 0, or -1 past the
 * end (or c NULL).
 */
int
lists_conf_file(const struct lists_conf *c, size_t i, struct lists_file *f)
{
	if (c == NULL || i >= c->n)
		return -1;
	f->label = c->l[i].info.label;
	f->keyword = c->l[i].keyword;
	f->path = c->l[i].file;
	f->format = c->l[i].format;
	return 0;
}

/* MAXAGE: seconds, or a number with s, m, h or d. */
static int
parse_age(const char *s, unsigned long *v)
{
	unsigned long m = 1;
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &e, 10);
	if (errno != 0)
		return -1;
	if (*e == 's' || *e == 'm' || *e == 'h' || *e == 'd') {
		m = *e == 's' ? 1 : *e == 'm' ? 60 : *e == 'h' ? 3600 : 86400;
		e++;
	}
	if (*e != '\0' || *v == 0 || *v > 3650UL * 86400 / m)
		return -1;
	*v *= m;
	return 0;
}

static int
conf_state(struct lists_conf *c, int argc, char *argv[], char *err,
    size_t errlen)
{
	unsigned long age = DEFMAXAGE;
	char *dup;

	if (argc < 2 || argc > 3)
		return errf(err, errlen, EINVAL, "state: need FILE "
		    "[MAXAGE]");
	if (argv[1][0] != '/' || strlen(argv[1]) >= PATH_MAX)
		return errf(err, errlen, EINVAL, "state: FILE must be an "
		    "absolute path");
	if (argc == 3 && parse_age(argv[2], &age) == -1)
		return errf(err, errlen, EINVAL, "state: bad MAXAGE "
		    "\"%.20s\"", argv[2]);
	if ((dup = strdup(argv[1])) == NULL)
		return errf(err, errlen, ENOMEM, "out of memory");
	free(c->state);
	c->state = dup;
	c->maxage = age;
	return 0;
}

/* Split off format= (ours) from the words dnsbl.c parses. */
static int
conf_words(int argc, char *argv[], char **words, int *nw, int *format,
    char *err, size_t errlen)
{
	int i;

	*nw = 0;
	for (i = 0; i < argc; i++) {
		if (i >= 3 && strncmp(argv[i], "format=", 7) == 0) {
			if ((*format = listfile_format(argv[i] + 7)) == -1 ||
			    (*format == LISTFILE_DNSET) != (argv[0][0] == 'd'))
				return errf(err, errlen, EINVAL, "bad "
				    "format \"%.20s\"", argv[i] + 7);
			continue;
		}
		words[(*nw)++] = argv[i];
	}
	return 0;
}

static int
conf_list(struct lists_conf *c, const char *kind, int argc, char *argv[],
    char *err, size_t errlen)
{
	char *words[MAXWORDS];
	struct llist *l;
	size_t i;
	int nw, format = argv[0][0] == 'd' ? LISTFILE_DNSET : LISTFILE_AUTO;

	if (argc < 3 || argc > MAXWORDS)
		return errf(err, errlen, EINVAL, "%s: need LABEL and FILE",
		    argv[0]);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->l[i].info.label, argv[1]) == 0)
			return errf(err, errlen, EINVAL, "duplicate label "
			    "%.40s", argv[1]);
	if (c->n >= MAXLISTS)
		return errf(err, errlen, EINVAL, "more than %d local lists",
		    MAXLISTS);
	if (argv[2][0] != '/' || strlen(argv[2]) >= PATH_MAX)
		return errf(err, errlen, EINVAL, "%s %.40s: FILE must be an "
		    "absolute path", argv[0], argv[1]);
	if (conf_words(argc, argv, words, &nw, &format, err, errlen) == -1)
		return -1;
	l = &c->l[c->n];
	memset(l, 0, sizeof(*l));
	if ((l->dl = dnsbl_list_new(kind, nw, words, err, errlen)) == NULL)
		return -1;
	if ((l->file = strdup(argv[2])) == NULL) {
		dnsbl_list_free(l->dl);
		return errf(err, errlen, ENOMEM, "out of memory");
	}
	dnsbl_list_info(l->dl, &l->info);
	l->keyword = argv[0][0] == 'd' ? "domainlist" : argv[0][2] == 'w' ?
	    "ipwl" : "iplist";
	l->format = format;
	l->domain = format == LISTFILE_DNSET;
	c->n++;
	return 0;
}

/*
 * One policy line (iplist, ipwl, domainlist or state) split into words.
 * Returns 0, or -1 with errno and a one-line reason in err.
 */
int
lists_conf_line(struct lists_conf *c, int argc, char *argv[], char *err,
    size_t errlen)
{
	if (argc < 1)
		return errf(err, errlen, EINVAL, "empty line");
	if (strcmp(argv[0], "iplist") == 0)
		return conf_list(c, "dnsbl", argc, argv, err, errlen);
	if (strcmp(argv[0], "ipwl") == 0)
		return conf_list(c, "dnswl", argc, argv, err, errlen);
	if (strcmp(argv[0], "domainlist") == 0)
		return conf_list(c, "rhsbl", argc, argv, err, errlen);
	if (strcmp(argv[0], "state") == 0)
		return conf_state(c, argc, argv, err, errlen);
	return errf(err, errlen, EINVAL, "not a local-list keyword: %.20s",
	    argv[0]);
}

/*
 * After the whole policy: a local list may not share its label with a DNS
 * list (headers, logs and the state name lists by label).  0, or -1 with
 * errno EINVAL and the reason in err.
 */
int
lists_conf_check(const struct lists_conf *c, const struct dnsbl_conf *dc,
    char *err, size_t errlen)
{
	struct dnsbl_list_info info;
	size_t i, j;

	if (c == NULL || dc == NULL)
		return 0;
	for (i = 0; i < c->n; i++)
		for (j = 0; j < dnsbl_conf_nlists(dc); j++) {
			dnsbl_list_info(dnsbl_conf_list(dc, j), &info);
			if (strcmp(info.label, c->l[i].info.label) == 0)
				return errf(err, errlen, EINVAL, "label %s "
				    "names a DNS list and a local list",
				    info.label);
		}
	return 0;
}


/* ------------------------------------------------------------------ */
/* One message                                                          */

/* The check whose results lr are (lr is its first member). */
static struct lcheck *
check_of(struct listres *lr)
{
	return (struct lcheck *)(void *)lr;
}

/* The TXT strings of a listing, joined by one blank (as from DNS). */
static void
keep_txt(struct lcheck *ck, const struct listfile_answer *a)
{
	size_t k;
	int i;

	ck->txtlen = 0;
	for (i = 0; i < a->ntxt && ck->txtlen < sizeof(ck->txt); i++) {
		if (i > 0)
			ck->txt[ck->txtlen++] = ' ';
		k = sizeof(ck->txt) - ck->txtlen;
		k = a->txtlen[i] < k ? a->txtlen[i] : k;
		memcpy(ck->txt + ck->txtlen, a->txt[i], k);
		ck->txtlen += k;
	}
}

/* Look key up in list l's file: its codes judged as an A answer's. */
static void
look_up(struct lcheck *ck, const struct listfile *s,
    const struct listfile_key *k)
{
	struct listfile_answer *a;
	struct dnsbl_class cls;

	if ((a = malloc(sizeof(*a))) == NULL) {
		(void)listres_add(&ck->lr, DNSBL_ERROR, NULL, "nomem");
		return;
	}
	(void)listfile_lookup(s, k, a);
	if (dnsbl_classify_codes(ck->l->dl, a->code, a->n, &cls) ==
	    DNSBL_LISTED && ck->l->info.txt)
		keep_txt(ck, a);
	listres_judge(&ck->lr, ck->l->dl, &cls, ck->txt, ck->txtlen);
	free(a);
}

/* Read list l for key and look it up: one check with its results. */
static void
check_one(struct lists_run *r, const struct llist *l,
    const struct listfile_key *k, const char *subject, int source)
{
	struct listfile *s;
	struct lcheck *ck;
	int e;

	if ((ck = calloc(1, sizeof(*ck))) == NULL)
		return;
	ck->l = l;
	if (listres_begin(&r->checks, &ck->lr, l->info.label, l->info.kind,
	    subject, source, 1) == -1) {
		free(ck);
		return;
	}
	if ((s = listfile_load(l->file, l->format, k, time(NULL), NULL,
	    &e)) == NULL) {
		(void)listres_add(&ck->lr, DNSBL_ERROR, NULL,
		    listfile_strerror(e));
		return;
	}
	look_up(ck, s, k);
	listfile_free(s);
}

/*
 * Start a message: every IP list (of the client's family) is read for ip
 * and looked up now.  A NULL or invalid ip checks nothing (domains still
 * may be).  NULL only when out of memory.
 */
struct lists_run *
lists_start(const struct lists_conf *c, const char *ip)
{
	struct lists_run *r;
	size_t i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->conf = c;
	listres_chain_init(&r->checks);
	if (c == NULL || ip == NULL || listfile_key_ip(&r->ipkey, ip) == -1)
		return r;
	r->haveip = 1;
	for (i = 0; i < c->n; i++)
		if (!c->l[i].domain && (c->l[i].info.family == 0 ||
		    c->l[i].info.family == r->ipkey.family))
			check_one(r, &c->l[i], &r->ipkey, r->ipkey.text, 0);
	return r;
}

/*
 * A domain became known (which: DNSBL_FROM or DNSBL_SENDER): every domain
 * list is read for it and looked up, once per domain.  NULL, "" or a
 * bogus domain does nothing.
 */
void
lists_domain(struct lists_run *r, int which, const char *domain)
{
	char dom[NAMEMAX];
	struct listfile_key k;
	struct listres *lr;
	size_t i;
	int seen = 0;

	if (r == NULL || r->conf == NULL || domain == NULL ||
	    dom_norm(domain, strlen(domain), DOM_FQDN, dom, sizeof(dom)) ==
	    -1 || listfile_key_domain(&k, dom) == -1)
		return;
	which &= DNSBL_FROM | DNSBL_SENDER;
	for (lr = r->checks.head; lr != NULL; lr = lr->next)
		if (check_of(lr)->l->domain && strcmp(lr->subject, dom) == 0) {
			seen = 1;
			listres_source(lr, which);
		}
	if (seen)
		return;
	for (i = 0; i < r->conf->n; i++)
		if (r->conf->l[i].domain)
			check_one(r, &r->conf->l[i], &k, dom, which);
}

/* Results of the message so far, in the order the checks ran. */
size_t
lists_nresults(const struct lists_run *r)
{
	return r == NULL ? 0 : listres_count(&r->checks);
}

/* The i-th result, valid until lists_free(); NULL past the end. */
const struct dnsbl_result *
lists_result(const struct lists_run *r, size_t i)
{
	return r == NULL ? NULL : listres_get(&r->checks, i);
}

/* Free a message's results (NULL is fine). */
void
lists_free(struct lists_run *r)
{
	struct listres *lr, *next;

	if (r == NULL)
		return;
	for (lr = r->checks.head; lr != NULL; lr = next) {
		next = lr->next;
		listres_clear(lr);
		free(check_of(lr));
	}
	free(r);
}

/* ---- the check (check.h) ------------------------------------------- */

extern const struct check check_dnsbl;
extern const struct check check_uri;

#define PROBE_MAX	256	/* lists one probe reports */

static const char *const lists_keywords[] = { "iplist", "ipwl",
	"domainlist", "state", NULL };

static void *
lists_conf_new_v(void)
{
	return lists_conf_new();
}

static void
lists_conf_free_v(void *c)
{
	lists_conf_free(c);
}

static int
lists_conf_line_v(void *c, int ac, char *av[], char *err, size_t n)
{
	return lists_conf_line(c, ac, av, err, n);
}

/*
 * After the whole policy.  -n: no local list has a DNS list's label.
 * Otherwise (queue mode, -c, -T): the health state marks the DNS lists
 * and URI lists the probe found broken; a stale or corrupt state is not
 * used, and the log says so (health=ignored).
 */
static int
lists_conf_check_v(void *v, const struct policy *p, int strict, char *err,
    size_t n)
{
	struct lists_conf	*c = v;
	struct dnsbl_conf	*dc = policy_conf(p, &check_dnsbl);
	struct dnsbl_conf	*uc;

	if (strict)
		return lists_conf_check(c, dc, err, n);
	uc = uri_conf_dnsbl(policy_conf(p, &check_uri));
	if ((dc != NULL || uc != NULL) && lists_state_apply(c, dc, uc,
	    time(NULL), err, n) == -1 && errno == EINVAL)
		c->health = "ignored";
	return 0;
}

static void *
lists_start_v(const void *conf, struct msg *m)
{
	const struct lists_conf	*c = conf;

	if (c->health != NULL)
		m->health = c->health;
	if (c->n == 0)
		return NULL;
	return lists_start(c, m->iptext);
}

static void
lists_headers_v(void *r, struct msg *m)
{
	lists_domain(r, DNSBL_FROM, m->from_domain);
}

static void
lists_envelope_v(void *r, struct msg *m)
{
	lists_domain(r, DNSBL_SENDER, m->sender_domain);
}

static void
lists_findings_v(void *r, struct msg *m, struct report *rep)
{
	size_t	i;

	for (i = 0; i < lists_nresults(r); i++)
		listres_report(rep, m->pol, lists_result(r, i));
}

/* A line on stderr for cron: "qqtag: what: text" (text sanitised). */
static void
probe_say(const char *what, const char *text)
{
	char	tmp[300];
	size_t	n = hdr_sanitise(tmp, sizeof(tmp), text, strlen(text));

	dprintf(2, "qqtag: %s: %.*s\n", what, (int)n, tmp);
}

/*
 * qqtag -T: probe every list (DNS, URI, local) at its test points and
 * write the state file.  Silent when all is well (cron mails nothing);
 * each broken list and whatever stopped the probe is a line on stderr;
 * verbose adds a line per list and a summary on stdout.  Returns the
 * lists broken, -1 when nothing could be recorded.
 */
static int
lists_probe_v(void *v, const struct policy *p, struct msg *m, int verbose)
{
	static struct lists_health h[PROBE_MAX];
	struct lists_conf	*c = v;
	struct dnsbl_conf	*dc = policy_conf(p, &check_dnsbl);
	struct dnsbl_conf	*uc;
	char			 err[300], line[300];
	size_t			 i, n = 0;
	int			 broken;

	uc = uri_conf_dnsbl(policy_conf(p, &check_uri));
	if (dc == NULL || (m->servers != NULL &&
	    dnsbl_conf_servers(dc, m->servers) == -1))
		return probe_say("list probe not run", "no resolver"), -1;
	broken = lists_probe(c, dc, uc, (int)p->timeout_ms, h, PROBE_MAX, &n,
	    err, sizeof(err));
	for (i = 0; i < n; i++) {
		if (verbose &&
		    lists_health_text(&h[i], line, sizeof(line)) == 0)
			printf("%s\n", line);
		if (!h[i].broken)
			continue;
		(void)snprintf(line, sizeof(line), "%s (%s): %s", h[i].label,
		    h[i].kind, h[i].reason);
		probe_say("list broken", line);
	}
	if (broken == -1)
		probe_say("list health not recorded", err);
	else if (c->state == NULL)
		probe_say("list health not recorded",
		    "no state line in the policy");
	else if (broken > 0) {
		(void)snprintf(line, sizeof(line), "%d of %zu lists broken; "
		    "state written to %s", broken, n, c->state);
		probe_say("list probe", line);
	}
	if (verbose && broken >= 0)
		printf("%zu lists, %d broken%s%s\n", n, broken,
		    c->state ? "; state written to " : "",
		    c->state ? c->state : "");
	return broken == -1 || c->state == NULL ? -1 : broken;
}

static void
lists_done_v(void *r)
{
	lists_free(r);
}

const struct check check_lists = {
	.name = "lists",
	.keywords = lists_keywords,
	.names_files = 1,
	.conf_new = lists_conf_new_v,
	.conf_free = lists_conf_free_v,
	.conf_line = lists_conf_line_v,
	.conf_check = lists_conf_check_v,
	.start = lists_start_v,
	.headers = lists_headers_v,
	.envelope = lists_envelope_v,
	.findings = lists_findings_v,
	.done = lists_done_v,
	.probe = lists_probe_v,
};

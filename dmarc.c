/*
 * dmarc.c - DMARC (RFC 7489): the check_dmarc of check.c's table and its
 * decision (dmarc.h).
 *
 * Headers step: the author domain (one From: field with one mailbox,
 * §6.6.1) and its organizational domain (orgdom.c); _dmarc.FROM and,
 * when the organizational domain differs, _dmarc.ORG are asked at once,
 * while the client still uploads (§6.6.3 asks ORG only when FROM has no
 * record: asking both saves a round trip, and ORG's answer is then used
 * or ignored).  Findings step (after spf and dkim in the table): the
 * record is chosen, the SPF and DKIM identities are aligned with the
 * author domain, pct is drawn, the result goes to m->auth.dmarc and to
 * the report.
 *
 * Results: pass (an aligned SPF or DKIM pass), fail (none aligned, a
 * record exists: its policy, after pct, picks the test), none (no
 * record, or no author domain), temperror (the DNS of a record needed
 * failed or did not answer by the deadline; an aligned identity's SPF
 * or DKIM temperror without an aligned pass; no public suffix list),
 * permerror (several DMARC records, or one without a usable p=).  Only
 * pass and fail score.
 *
 * pct (§6.6.4) is drawn per message but deterministically: FNV-1a of the
 * Message-ID: value (whitespace left out; else of the From: address)
 * modulo 100; the policy applies when the draw is below pct.  A message
 * spared by pct is treated one step milder (§6.6.4: reject is handled
 * as quarantine, quarantine as none).  The same message always gets the
 * same tags.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "check.h"
#include "dmarc.h"
#include "dmarcrec.h"
#include "dns.h"
#include "headers.h"
#include "msg.h"
#include "orgdom.h"
#include "policy.h"
#include "report.h"
#include "rfc5322.h"
#include "util.h"

enum { T_PASS, T_REJECT, T_QUARANTINE, T_NONE, T_MULTI_FROM, T_N };

static const struct score_test dmarc_tests[T_N] = {
	{ "DMARC_PASS", -0.1,
	    "the From: domain passes DMARC (an aligned SPF or DKIM pass)" },
	{ "DMARC_REJECT", 2.0,
	    "DMARC fails and the From: domain's policy is reject" },
	{ "DMARC_QUARANTINE", 1.5,
	    "DMARC fails and the From: domain's policy is quarantine "
	    "(or reject spared by pct)" },
	{ "DMARC_NONE", 0.1,
	    "DMARC fails and the From: domain's policy is none "
	    "(or quarantine spared by pct)" },
	{ "DMARC_MULTI_FROM", 0.5,
	    "several From: fields or addresses: DMARC cannot pass "
	    "(RFC 7489 6.6.1)" },
};

/* ---- the decision ----------------------------------------------- */

/* A name without its trailing dot, lowercased into out (RFC_NAME). */
static void
name_key(const char *s, char *out)
{
	size_t	n = strlen(s), i;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n >= RFC_NAME)
		n = RFC_NAME - 1;
	for (i = 0; i < n; i++)
		out[i] = (char)rfc_lc((unsigned char)s[i]);
	out[n] = '\0';
}

/* Does id align with from, strictly ('s') or relaxed?  1, 0, -1. */
int
dmarc_aligned(const char *from, const char *id, int mode)
{
	char	a[RFC_NAME], b[RFC_NAME];

	if (from == NULL || id == NULL || *from == '\0' || *id == '\0')
		return 0;
	name_key(from, a);
	name_key(id, b);
	if (strcmp(a, b) == 0)
		return 1;
	if (mode == 's')
		return 0;
	return orgdom_same(a, b);
}

/* The pct draw 0..99: FNV-1a of s[0..n) without whitespace, mod 100. */
unsigned
dmarc_dice(const char *s, size_t n)
{
	unsigned long	h = 2166136261UL;
	size_t		i;

	for (i = 0; s != NULL && i < n; i++) {
		if (rfc_iswsp((unsigned char)s[i]))
			continue;
		h = ((h ^ (unsigned char)s[i]) * 16777619UL) & 0xffffffffUL;
	}
	return (unsigned)(h % 100);
}

/* Which record counts (§6.6.3)?  0: e->rec set; -1: res and reason set. */
static int
pick(struct dmarc_eval *e, FILE *tr)
{
	const struct dmarc_look	*l = e->lfrom;
	int			 org = 0;

	if (l->found == DMARC_F_NONE && e->lorg != NULL &&
	    strcmp(e->org, e->from) != 0) {
		if (tr != NULL)
			fprintf(tr, "dmarc: no record at _dmarc.%s, "
			    "using _dmarc.%s\n", e->from, e->org);
		l = e->lorg;
		org = 1;
	}
	switch (l->found) {
	case DMARC_F_RECORD:
		e->rec = &l->rec;
		e->atorg = org;
		return 0;
	case DMARC_F_NONE:
		e->res = AUTH_NONE;
		snprintf(e->reason, sizeof(e->reason), "no DMARC record");
		break;
	case DMARC_F_BAD:
		e->res = AUTH_PERMERROR;
		snprintf(e->reason, sizeof(e->reason), "record without a "
		    "valid p= (and no rua=)");
		break;
	case DMARC_F_MULTI:
		e->res = AUTH_PERMERROR;
		snprintf(e->reason, sizeof(e->reason), "several DMARC "
		    "records");
		break;
	default:
		e->res = AUTH_TEMPERROR;
		snprintf(e->reason, sizeof(e->reason), "DNS: %s%s",
		    l->found == DMARC_F_UNASKED ? "not asked" :
		    dns_status_text(l->status), org ? " (org domain)" : "");
	}
	return -1;
}

/* One identity against the From: domain, traced; 1 aligned, 0 not. */
static int
align_one(const struct dmarc_eval *e, const char *what, const char *id,
    enum auth_res res, int mode, FILE *tr)
{
	int	a = dmarc_aligned(e->from, id, mode);

	if (tr != NULL)
		fprintf(tr, "dmarc: %s %s%s: %s with %s (%s)\n",
		    auth_res_text(res), what, id, a == 1 ? "aligned" :
		    "not aligned", e->from, mode == 's' ? "strict" :
		    "relaxed");
	return a == 1;
}

/* Any aligned SPF/DKIM identity with result res?  "SPF"/"DKIM"/NULL. */
static const char *
aligned_with(const struct dmarc_eval *e, enum auth_res res, FILE *tr)
{
	const struct auth_dkim_sig *s;
	size_t			 i;

	for (i = 0; e->dkim != NULL && i < e->dkim->n && i < AUTH_DKIM_MAX;
	    i++) {
		s = &e->dkim->sig[i];
		if (s->res == res && s->d[0] != '\0' && align_one(e,
		    "DKIM d=", s->d, s->res, e->rec->adkim, tr))
			return "DKIM";
	}
	if (e->spf != NULL && e->spf->res == res && e->spf->domain[0] &&
	    align_one(e, e->spf->helo ? "SPF helo=" : "SPF mailfrom=",
	    e->spf->domain, res, e->rec->aspf, tr))
		return "SPF";
	return NULL;
}

/* A fail: the policy after pct, and its test. */
static void
apply(struct dmarc_eval *e, FILE *tr)
{
	static const int test[] = { T_NONE, T_NONE, T_QUARANTINE, T_REJECT };
	int	spared = e->dice >= e->rec->pct;

	e->res = AUTH_FAIL;
	e->dis = e->policy;
	if (spared && e->dis == DMARC_P_REJECT)
		e->dis = DMARC_P_QUARANTINE;
	else if (spared)
		e->dis = DMARC_P_NONE;
	e->test = dmarc_tests[test[e->dis]].name;
	snprintf(e->reason, sizeof(e->reason), "no aligned SPF or DKIM "
	    "pass%s%s", spared ? "; pct spares it: " : "", spared ?
	    dmarc_pol_text(e->dis) : "");
	if (tr != NULL)
		fprintf(tr, "dmarc: fail, policy %s, pct=%u draw %u: %s\n",
		    dmarc_pol_text(e->policy), e->rec->pct, e->dice,
		    dmarc_pol_text(e->dis));
}

/* The author state that ends it before any record: 1 if so. */
static int
early(struct dmarc_eval *e)
{
	if (e->fromstate == DMARC_FROM_FIELDS ||
	    e->fromstate == DMARC_FROM_BOXES) {
		e->res = AUTH_FAIL;
		e->test = dmarc_tests[T_MULTI_FROM].name;
		snprintf(e->reason, sizeof(e->reason), "several From: %s",
		    e->fromstate == DMARC_FROM_FIELDS ? "fields" :
		    "addresses");
		return 1;
	}
	if (e->fromstate != DMARC_FROM_ONE || e->from == NULL) {
		e->res = AUTH_NONE;
		snprintf(e->reason, sizeof(e->reason), "no From: domain");
		return 1;
	}
	if (e->org == NULL) {
		e->res = AUTH_TEMPERROR;
		snprintf(e->reason, sizeof(e->reason), "no public suffix "
		    "list");
		return 1;
	}
	return 0;
}

/* The result of the message (dmarc.h); each step to tr. */
void
dmarc_decide(struct dmarc_eval *e, FILE *tr)
{
	const char	*how;

	e->res = AUTH_NONE;
	e->policy = e->dis = DMARC_P_UNSET;
	e->rec = NULL;
	e->atorg = 0;
	e->test = NULL;
	e->reason[0] = '\0';
	if (early(e) || pick(e, tr) == -1) {
		if (tr != NULL)
			fprintf(tr, "dmarc: %s (%s)\n", auth_res_text(e->res),
			    e->reason);
		return;
	}
	e->policy = e->atorg && e->rec->sp != DMARC_P_UNSET ? e->rec->sp :
	    e->rec->p;
	if ((how = aligned_with(e, AUTH_PASS, tr)) != NULL) {
		e->res = AUTH_PASS;
		e->test = dmarc_tests[T_PASS].name;
		snprintf(e->reason, sizeof(e->reason), "aligned %s pass", how);
	} else if ((how = aligned_with(e, AUTH_TEMPERROR, tr)) != NULL) {
		e->res = AUTH_TEMPERROR;
		snprintf(e->reason, sizeof(e->reason), "aligned %s "
		    "temperror, no aligned pass", how);
	} else
		apply(e, tr);
	if (tr != NULL && e->res != AUTH_FAIL)
		fprintf(tr, "dmarc: %s (%s)\n", auth_res_text(e->res),
		    e->reason);
}

/* ---- the check (check.h) ---------------------------------------- */

struct dmarc_run;

struct dmarc_q {
	struct dmarc_run *run;
	int		 pending;	/* its callback is due */
	char		 name[DNS_NAMEMAX];
	struct dmarc_look look;
};

struct dmarc_run {
	struct msg	*m;
	struct timespec	 t0;
	unsigned	 ms;		/* the last answer, from start */
	int		 asked;		/* the headers step ran */
	enum dmarc_from	 fromstate;
	char		 from[RFC_NAME];
	char		 org[RFC_NAME];
	int		 haveorg;
	unsigned	 dice;
	struct dmarc_q	 q[2];		/* _dmarc.FROM, _dmarc.ORG */
	struct dmarc_eval e;
	char		 answer[48];
};

static const char *const dmarc_keywords[] = { "dmarc", NULL };

static const struct score_test *
dmarc_test_at(size_t i)
{
	return i < T_N ? &dmarc_tests[i] : NULL;
}

/* Nothing to ask before the header section: the room is made now. */
static void *
dmarc_start(const void *conf, struct msg *m)
{
	const struct auth_conf	*c = conf;
	struct dmarc_run	*r;

	errno = 0;
	if (!c->on)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->m = m;
	r->q[0].run = r->q[1].run = r;
	(void)clock_gettime(CLOCK_MONOTONIC, &r->t0);
	return r;
}

/* A record's start, sanitised, for the trace. */
static void
trace_look(FILE *tr, const struct dmarc_q *q)
{
	char	txt[sizeof(q->look.txt) + 1];
	size_t	n;

	if (q->look.found != DMARC_F_RECORD && q->look.found != DMARC_F_BAD &&
	    q->look.found != DMARC_F_MULTI) {
		fprintf(tr, "dmarc: %s TXT: %s: %s\n", q->name,
		    dns_status_text(q->look.status), q->look.found ==
		    DMARC_F_NONE ? "no DMARC record" : "DNS error");
		return;
	}
	n = hdr_sanitise(txt, sizeof(txt) - 1, q->look.txt, q->look.txtlen);
	txt[n] = '\0';
	fprintf(tr, "dmarc: %s TXT: \"%s\": %s p=%s sp=%s adkim=%c aspf=%c "
	    "pct=%u%s\n", q->name, txt, q->look.found == DMARC_F_RECORD ?
	    "record" : q->look.found == DMARC_F_BAD ? "unusable (permerror)" :
	    "one of several (permerror)", dmarc_pol_text(q->look.rec.p),
	    dmarc_pol_text(q->look.rec.sp), q->look.rec.adkim,
	    q->look.rec.aspf, q->look.rec.pct, q->look.rec.pfallback ?
	    " (p= from rua=)" : "");
}

/* dns_cb: one _dmarc TXT answer. */
static void
dmarc_answer(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct dmarc_q	*q = arg;
	long		 ms;

	q->pending = 0;
	dmarc_rec_answer(abuf, alen, status, &q->look);
	ms = ms_since(&q->run->t0);
	if ((unsigned long)ms > q->run->ms)
		q->run->ms = (unsigned)ms;
	if (q->run->m->trace != NULL)
		trace_look(q->run->m->trace, q);
}

/* Ask _dmarc.DOMAIN TXT; a name too long to exist has no record. */
static void
ask(struct dmarc_run *r, struct dmarc_q *q, const char *dom)
{
	int	n;

	n = snprintf(q->name, sizeof(q->name), "_dmarc.%s", dom);
	if (n < 0 || n > DOM_MAX) {
		q->look.found = DMARC_F_NONE;
		q->look.status = DNS_NXDOMAIN;
		return;
	}
	if (r->m->trace != NULL)
		fprintf(r->m->trace, "dmarc: asking %s TXT\n", q->name);
	q->pending = 1;
	if (auth_query(r->m, q->name, DNS_T_TXT, dmarc_answer, q) == -1) {
		q->pending = 0;
		q->look.found = DMARC_F_ERROR;
		q->look.status = errno == EDQUOT ? DNS_CAPPED : DNS_ERROR;
		if (r->m->trace != NULL)
			fprintf(r->m->trace, "dmarc: %s not asked: %s\n",
			    q->name, strerror(errno));
	}
}

/* The author domain (§6.6.1): -c -F's domain when there is no message. */
static void
author(struct dmarc_run *r, const struct msg *m)
{
	const struct rfc_fields	*f = &m->hdrs.rfc;
	const char		*d = NULL;

	r->fromstate = DMARC_FROM_NONE;
	if (!m->have_headers) {
		if (m->from_domain != NULL && dom_valid(m->from_domain,
		    strlen(m->from_domain), DOM_US | DOM_FQDN))
			d = m->from_domain;
	} else if (f->nfrom > 1)
		r->fromstate = DMARC_FROM_FIELDS;
	else if (f->nfrom == 1 && f->from_nbox > 1)
		r->fromstate = DMARC_FROM_BOXES;
	else
		d = rfc_from_domain(f);
	if (d != NULL) {
		r->fromstate = DMARC_FROM_ONE;
		name_key(d, r->from);
	}
}

/* The pct draw: of the Message-ID: value, else the From: address. */
static unsigned
draw(const struct dmarc_run *r, const struct msg *m)
{
	struct rfc_iter		it;
	struct rfc_field	f;

	if (m->have_headers && m->hdr != NULL) {
		rfc_iter_init(&it, m->hdr, m->hdrlen);
		if (rfc_next(&it, "Message-ID", &f))
			return dmarc_dice(f.val, f.vlen);
		return dmarc_dice(m->hdrs.rfc.from_addr,
		    strlen(m->hdrs.rfc.from_addr));
	}
	return dmarc_dice(r->from, strlen(r->from));
}

/*
 * The header section is complete: the author domain, its organizational
 * domain, and both record queries, now.
 */
static void
dmarc_headers(void *v, struct msg *m)
{
	struct dmarc_run	*r = v;
	FILE			*tr = m->trace;

	if (r->asked++)
		return;
	author(r, m);
	r->dice = draw(r, m);
	if (r->fromstate != DMARC_FROM_ONE) {
		if (tr != NULL)
			fprintf(tr, "dmarc: %s\n", r->fromstate ==
			    DMARC_FROM_NONE ? "no From: domain" :
			    "several From: fields or addresses");
		return;
	}
	r->haveorg = orgdom_of(r->from, r->org, sizeof(r->org)) != NULL;
	if (tr != NULL)
		fprintf(tr, "dmarc: From: domain %s, organizational domain %s "
		    "(public suffix list: %s)\n", r->from, r->haveorg ?
		    r->org : "unknown", orgdom_source());
	if (!r->haveorg)
		return;
	ask(r, &r->q[0], r->from);
	if (strcmp(r->org, r->from) != 0)
		ask(r, &r->q[1], r->org);
}

/* The finding's answer text: "fail (p=reject)", "none"... */
static void
answer_text(struct dmarc_run *r)
{
	const struct dmarc_eval	*e = &r->e;

	if (e->policy == DMARC_P_UNSET)
		snprintf(r->answer, sizeof(r->answer), "%s",
		    auth_res_text(e->res));
	else if (e->res == AUTH_FAIL && e->dis != e->policy)
		snprintf(r->answer, sizeof(r->answer), "%s (p=%s, pct: %s)",
		    auth_res_text(e->res), dmarc_pol_text(e->policy),
		    dmarc_pol_text(e->dis));
	else
		snprintf(r->answer, sizeof(r->answer), "%s (p=%s)",
		    auth_res_text(e->res), dmarc_pol_text(e->policy));
}

/* The finding: listed for a test (pass, fail), else clean. */
static void
report_it(struct dmarc_run *r, struct msg *m, struct report *rep)
{
	struct finding	f;
	const char	*dom = r->fromstate == DMARC_FROM_ONE ? r->from : "";
	const char	*pol, *verb;

	answer_text(r);
	finding_init(&f, r->e.test ? r->e.test : "DMARC", "dmarc",
	    r->e.test ? F_LISTED : F_CLEAN);
	f.label = "dmarc";
	f.subject = dom;
	f.subjlen = strlen(dom);
	f.answer = r->answer;
	if (r->fromstate == DMARC_FROM_ONE && !r->haveorg) {
		f.verdict = F_ERROR;	/* ours: errors=dmarc:psl */
		f.answer = "psl";
	}
	f.anslen = strlen(f.answer);
	f.ms = r->ms;
	if (r->e.test != NULL) {
		f.weight = policy_weight(m->pol, r->e.test);
		if (r->fromstate != DMARC_FROM_ONE) {
			finding_text(&f, r->e.reason, strlen(r->e.reason), 0,
			    0);
			finding_text(&f, "(DMARC cannot pass)", 19, 0, 0);
		} else {
			pol = strchr(r->answer, '(');	/* "(p=reject)" */
			finding_text(&f, "From: domain", 12, 0, 0);
			finding_text(&f, dom, strlen(dom), 1, 0);
			verb = r->e.res == AUTH_PASS ? "passes DMARC" :
			    "fails DMARC";
			finding_text(&f, verb, strlen(verb), 0, 0);
			if (r->e.res != AUTH_PASS && pol != NULL)
				finding_text(&f, pol, strlen(pol), 0, 0);
		}
	}
	report_finding(rep, &f);
}

/* Decide with what SPF and DKIM left (they run first), and report. */
static void
dmarc_findings(void *v, struct msg *m, struct report *rep)
{
	struct dmarc_run	*r = v;
	struct dmarc_eval	*e = &r->e;

	if (!r->asked || (!m->have_headers && r->fromstate ==
	    DMARC_FROM_NONE))
		return;		/* qqtag -c without -F: nothing to say */
	e->fromstate = r->fromstate;
	e->from = r->from;
	e->org = r->haveorg ? r->org : NULL;
	e->lfrom = &r->q[0].look;
	e->lorg = r->q[1].name[0] != '\0' ? &r->q[1].look : NULL;
	e->spf = &m->auth.spf;
	e->dkim = &m->auth.dkim;
	e->dice = r->dice;
	dmarc_decide(e, m->trace);
	m->auth.dmarc.res = e->res;
	snprintf(m->auth.dmarc.from, sizeof(m->auth.dmarc.from), "%s",
	    r->fromstate == DMARC_FROM_ONE ? r->from : "");
	snprintf(m->auth.dmarc.policy, sizeof(m->auth.dmarc.policy), "%s",
	    e->policy != DMARC_P_UNSET ? dmarc_pol_text(e->policy) : "");
	snprintf(m->auth.dmarc.reason, sizeof(m->auth.dmarc.reason), "%s",
	    e->reason);
	report_it(r, m, rep);
}

/* Drop what is still due to this message's queries, and free. */
static void
dmarc_done(void *v)
{
	struct dmarc_run	*r = v;
	int			 i;

	for (i = 0; r != NULL && i < 2; i++)
		if (r->q[i].pending && r->m->dns != NULL)
			dns_cancel(r->m->dns, &r->q[i]);
	free(r);
}

const struct check check_dmarc = {
	.name = "dmarc",
	.keywords = dmarc_keywords,
	.conf_new = auth_conf_new,
	.conf_free = free,
	.conf_line = auth_conf_line,
	.test_at = dmarc_test_at,
	.start = dmarc_start,
	.headers = dmarc_headers,
	.findings = dmarc_findings,
	.done = dmarc_done,
};

/*
 * spf.c - the SPF check (RFC 7208): the policy keyword `spf on|off`, the
 * SPF_* tests, and when each evaluation runs.  qmail-smtpd writes the
 * envelope after the message, so at the headers step the evaluation of
 * the From: domain starts (most direct mail uses the same domain); at the
 * envelope step it is reused when the envelope sender's domain is the
 * same and the result cannot differ (same local part, or no local-part
 * macro used by the terms it evaluated), else the envelope sender is
 * evaluated then.  The null sender checks the HELO identity (§2.4).  The
 * result goes to m->auth.spf for DMARC and Authentication-Results.
 * spfrec.c parses, spfeval.c evaluates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check.h"
#include "envelope.h"
#include "msg.h"
#include "policy.h"
#include "report.h"
#include "spfeval.h"
#include "spfrec.h"
#include "util.h"

enum {
	T_PASS, T_FAIL, T_SOFTFAIL, T_NEUTRAL,
	T_HELO_PASS, T_HELO_FAIL, T_HELO_SOFTFAIL, T_HELO_NEUTRAL, T_N
};

/* SpamAssassin's names; weights near its defaults, pass slightly good. */
static const struct score_test spf_tests[] = {
	{ "SPF_PASS", -0.1, "SPF: the sender's domain authorises the client" },
	{ "SPF_FAIL", 1.0, "SPF: the sender's domain forbids the client" },
	{ "SPF_SOFTFAIL", 0.7,
	    "SPF: the sender's domain doubts the client (~all)" },
	{ "SPF_NEUTRAL", 0.2,
	    "SPF: the sender's domain says nothing of the client" },
	{ "SPF_HELO_PASS", -0.1,
	    "SPF of the HELO name (null sender): pass" },
	{ "SPF_HELO_FAIL", 1.0,
	    "SPF of the HELO name (null sender): fail" },
	{ "SPF_HELO_SOFTFAIL", 0.7,
	    "SPF of the HELO name (null sender): softfail" },
	{ "SPF_HELO_NEUTRAL", 0.2,
	    "SPF of the HELO name (null sender): neutral" },
};

struct spf_run {
	struct spf_eval	*early;		/* the From: domain's */
	struct spf_eval	*late;		/* the envelope sender's */
	struct spf_eval	*early_helo;	/* postmaster@HELO's, speculative */
	struct spf_eval	*use;		/* the one findings reports */
	char		 early_local[AUTH_ADDR];
	char		 early_dom[DNS_NAMEMAX];
	int		 judged;	/* an envelope was seen */
	int		 helo;		/* identity is the HELO */
	const char	*none;		/* none without evaluation, why */
	char		 identity[AUTH_ADDR];
	char		 domain[DNS_NAMEMAX];
	struct timespec	 t0;
};

static const char *const spf_keywords[] = { "spf", NULL };

static const struct score_test *
spf_test_at(size_t i)
{
	return i < T_N ? &spf_tests[i] : NULL;
}

static void *
spf_start(const void *conf, struct msg *m)
{
	const struct auth_conf	*c = conf;
	struct spf_run		*r;

	errno = 0;
	if ((c != NULL && !c->on) || m->mode == MSG_PROBE ||
	    m->ip.family == 0)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) != NULL)
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
	return r;
}

/* The HELO name: qqtag -c -H, else qmail-smtpd's Received line. */
static const char *
helo_of(const struct msg *m)
{
	return m->helo != NULL ? m->helo : rcvd_helo(&m->hdrs.rcvd);
}

/* The HELO, if it can be an SPF identity (a domain name, no literal). */
static const char *
helo_name(const struct msg *m, const char **why)
{
	const char	*h = helo_of(m);
	struct ipaddr	 ip;

	*why = NULL;
	if (m->hop && m->helo == NULL)	/* our Received line is the relay's */
		*why = "the trusted relay's client's HELO is not known";
	else if (h == NULL || *h == '\0')
		*why = "no HELO name";
	else if (h[0] == '[' || ipaddr_parses(h, &ip) == 0 ||
	    !dom_valid(h, strlen(h), DOM_US | DOM_FQDN))
		*why = "HELO is not a domain name";
	return *why == NULL ? h : NULL;
}

/*
 * Queue mode: the null sender's identity, postmaster@HELO, is known from
 * qmail-smtpd's Received line; evaluate it during the upload too, so a
 * bounce costs no round trip after the message.
 */
static void
helo_early(struct spf_run *r, struct msg *m)
{
	const char	*why, *h;

	if (m->mode != MSG_QUEUE || (h = helo_name(m, &why)) == NULL)
		return;
	r->early_helo = spf_eval_start(m, "postmaster", h, h, NULL);
}

/* Header section complete: evaluate the From: domain now. */
static void
spf_headers(void *v, struct msg *m)
{
	struct spf_run	*r = v;
	const char	*a = m->hdrs.rfc.from_addr, *at;

	helo_early(r, m);
	if (m->from_domain == NULL || m->from_domain[0] == '\0')
		return;
	snprintf(r->early_local, sizeof(r->early_local), "postmaster");
	at = strrchr(a, '@');
	if (m->have_headers && at != NULL && at > a &&
	    strcasecmp(at + 1, m->from_domain) == 0 &&
	    (size_t)(at - a) < sizeof(r->early_local))
		snprintf(r->early_local, sizeof(r->early_local), "%.*s",
		    (int)(at - a), a);
	snprintf(r->early_dom, sizeof(r->early_dom), "%s", m->from_domain);
	if (m->trace != NULL)
		fprintf(m->trace, "spf: From: domain %s, before the envelope\n",
		    r->early_dom);
	r->early = spf_eval_start(m, r->early_local, r->early_dom,
	    helo_of(m), m->trace);
}

/* Can the From: domain's evaluation stand for local@dom? */
static int
reusable(const struct spf_run *r, const char *local, const char *dom)
{
	if (r->early == NULL || strcasecmp(r->early_dom, dom) != 0)
		return 0;
	if (strcmp(r->early_local, local) == 0)
		return 1;
	return spf_eval_done(r->early) && (spf_eval_uses(r->early) &
	    (SPF_USES('l') | SPF_USES('s'))) == 0;
}

/* The null sender: postmaster@HELO (RFC 7208 §2.4), if HELO is a name. */
static void
helo_identity(struct spf_run *r, struct msg *m)
{
	const char	*h = helo_of(m), *why;

	r->helo = 1;
	if (h != NULL && *h != '\0')
		snprintf(r->identity, sizeof(r->identity), "postmaster@%s", h);
	if ((h = helo_name(m, &why)) == NULL) {
		r->none = why;
		return;
	}
	snprintf(r->domain, sizeof(r->domain), "%s", h);
	if (r->early_helo != NULL) {
		if (m->trace != NULL)
			fprintf(m->trace, "spf: null sender, HELO identity %s "
			    "(evaluated during the upload)\n", h);
		r->use = r->early_helo;
		return;
	}
	if (m->trace != NULL)
		fprintf(m->trace, "spf: null sender, HELO identity %s\n", h);
	r->late = spf_eval_start(m, "postmaster", h, h, m->trace);
}

/* The envelope: reuse the From: domain's evaluation, or start one. */
static void
spf_envelope(void *v, struct msg *m)
{
	struct spf_run	*r = v;
	const char	*s, *at;
	char		 local[AUTH_ADDR];

	if (m->env == NULL)
		return;
	r->judged = 1;
	s = m->env->sender.p != NULL ? m->env->sender.p : "";	/* "F\0" */
	if (*s == '\0') {
		helo_identity(r, m);
		return;
	}
	snprintf(r->identity, sizeof(r->identity), "%s", s);
	if ((at = strrchr(s, '@')) == NULL || at[1] == '\0') {
		r->none = "sender has no domain";
		return;
	}
	snprintf(local, sizeof(local), "%.*s", (int)(at - s), s);
	if (dom_valid(at + 1, strlen(at + 1), DOM_US))
		snprintf(r->domain, sizeof(r->domain), "%s", at + 1);
	if (reusable(r, local[0] ? local : "postmaster", at + 1)) {
		if (m->trace != NULL)
			fprintf(m->trace, "spf: envelope sender's domain is "
			    "the From: domain: its evaluation stands\n");
		r->use = r->early;
		return;
	}
	if (m->trace != NULL)
		fprintf(m->trace, "spf: envelope sender %s\n", s);
	r->late = spf_eval_start(m, local, at + 1, helo_of(m), m->trace);
}

/* The finding: SPF_* (listed) for pass/fail/softfail/neutral, else clean. */
static void
report_res(struct spf_run *r, struct msg *m, struct report *rep,
    enum auth_res res)
{
	static const int test[] = {
		[AUTH_PASS] = T_PASS, [AUTH_FAIL] = T_FAIL,
		[AUTH_SOFTFAIL] = T_SOFTFAIL, [AUTH_NEUTRAL] = T_NEUTRAL
	};
	struct finding	 f;
	const char	*word = auth_res_text(res);
	int		 listed = res == AUTH_PASS || res == AUTH_FAIL ||
			    res == AUTH_SOFTFAIL || res == AUTH_NEUTRAL;
	const struct score_test *t;

	t = listed ? &spf_tests[test[res] + (r->helo ? T_HELO_PASS : 0)] :
	    NULL;
	finding_init(&f, t ? t->name : r->helo ? "SPF_HELO" : "SPF", "spf",
	    listed ? F_LISTED : F_CLEAN);
	f.label = f.test;
	f.subject = m->auth.spf.identity;
	f.subjlen = strlen(f.subject);
	f.answer = word;
	f.anslen = strlen(word);
	f.ms = (unsigned)ms_since(&r->t0);
	if (listed) {
		f.weight = policy_weight(m->pol, t->name);
		snprintf(f.text, sizeof(f.text), "SPF %s%s for", r->helo ?
		    "(HELO) " : "", word);
		finding_text(&f, f.text, strlen(f.text), 0, 0);
		finding_text(&f, f.subject, f.subjlen, 1, 0);
	}
	report_finding(rep, &f);
}

/* Results into m->auth.spf, and the finding. */
static void
spf_findings(void *v, struct msg *m, struct report *rep)
{
	struct spf_run	*r = v;
	struct auth_spf	*a = &m->auth.spf;
	const char	*why = r->none;
	enum auth_res	 res = AUTH_NONE;

	if (!r->judged)
		return;
	if (r->use == NULL)
		r->use = r->late;
	if (r->use != NULL)
		res = spf_eval_res(r->use, &why);
	a->res = res;
	a->helo = r->helo;
	snprintf(a->identity, sizeof(a->identity), "%s", r->identity);
	snprintf(a->domain, sizeof(a->domain), "%s", r->domain);
	snprintf(a->reason, sizeof(a->reason), "%s", why ? why : "");
	if (m->trace != NULL && r->use == NULL)
		fprintf(m->trace, "spf: result none (%s)\n", a->reason);
	report_res(r, m, rep, res);
}

static void
spf_done(void *v)
{
	struct spf_run	*r = v;

	if (r == NULL)
		return;
	spf_eval_free(r->early);
	spf_eval_free(r->early_helo);
	spf_eval_free(r->late);
	free(r);
}

const struct check check_spf = {
	.name = "spf",
	.keywords = spf_keywords,
	.conf_new = auth_conf_new,
	.conf_free = free,
	.conf_line = auth_conf_line,
	.test_at = spf_test_at,
	.start = spf_start,
	.headers = spf_headers,
	.envelope = spf_envelope,
	.findings = spf_findings,
	.done = spf_done,
};

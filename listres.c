/*
 * listres.c - the results of list checks (listres.h): what a DNS list
 * (dnsbl.c) and a local list file (lists.c) report is made here, so the
 * two cannot drift apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnsbl.h"
#include "listres.h"
#include "policy.h"
#include "report.h"
#include "util.h"

/* An empty chain. */
void
listres_chain_init(struct listres_chain *ch)
{
	ch->head = NULL;
	ch->tail = &ch->head;
}

/*
 * lr (zeroed) starts now with the fields every result shares and joins
 * the end of ch.  0, or -1 with errno ENAMETOOLONG (lr is not joined).
 */
int
listres_begin(struct listres_chain *ch, struct listres *lr, const char *label,
    const char *kind, const char *subject, int source, int has_weight)
{
	size_t n = strlen(subject);

	if (n >= sizeof(lr->subject)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(lr->subject, subject, n + 1);
	lr->label = label;
	lr->kind = kind;
	lr->source = source;
	lr->has_weight = has_weight;
	(void)clock_gettime(CLOCK_MONOTONIC, &lr->t0);
	lr->next = NULL;
	*ch->tail = lr;
	ch->tail = &lr->next;
	return 0;
}

/*
 * One more result of lr (test NULL: the label); NULL when out of memory
 * or past DNSBL_MAXFILTERS + 1 results.
 */
struct dnsbl_result *
listres_add(struct listres *lr, enum dnsbl_verdict v, const char *test,
    const char *answer)
{
	struct dnsbl_result *x, *res;

	if (lr->nres >= DNSBL_MAXFILTERS + 1)
		return NULL;
	if ((x = realloc(lr->res, (lr->nres + 1) * sizeof(*x))) == NULL)
		return NULL;
	lr->res = x;
	res = &x[lr->nres++];
	memset(res, 0, sizeof(*res));
	res->verdict = v;
	res->test = test != NULL ? test : lr->label;
	res->label = lr->label;
	res->kind = lr->kind;
	res->subject = lr->subject;
	res->source = lr->source;
	res->has_weight = lr->has_weight;
	res->ms = (unsigned)ms_since(&lr->t0);
	(void)snprintf(res->answer, sizeof(res->answer), "%s",
	    answer != NULL ? answer : "");
	return res;
}

/* The codes of mask (bit i: c->addr[i]) as "127.0.0.2,127.0.0.4". */
void
listres_codes(const struct dnsbl_class *c, unsigned long mask, char *buf,
    size_t size)
{
	size_t n = 0;
	int i, k;

	buf[0] = '\0';
	for (i = 0; i < c->naddr; i++) {
		if (!(mask & (1UL << i)))
			continue;
		k = snprintf(buf + n, size - n, "%s%lu.%lu.%lu.%lu",
		    n > 0 ? "," : "", (c->addr[i] >> 24) & 255,
		    (c->addr[i] >> 16) & 255, (c->addr[i] >> 8) & 255,
		    c->addr[i] & 255);
		if (k < 0 || (size_t)k >= size - n) {
			buf[n] = '\0';	/* whole codes only */
			break;
		}
		n += (size_t)k;
	}
}

/*
 * The results of an answer classified for list l: clean or error, one
 * result; listed, one per matching filter with its test, weight, codes
 * and the listing's TXT (txtlen 0: none).
 */
void
listres_judge(struct listres *lr, const struct dnsbl_list *l,
    const struct dnsbl_class *c, const char *txt, size_t txtlen)
{
	struct dnsbl_result *res;
	const char *test;
	char codes[64];
	double w;
	size_t f;
	int r;

	if (c->verdict != DNSBL_LISTED) {
		(void)listres_add(lr, c->verdict, NULL, c->answer);
		return;
	}
	for (f = 0; f < DNSBL_MAXFILTERS; f++) {
		if (c->fmask[f] == 0)
			continue;
		if ((r = dnsbl_list_filter(l, f, &test, &w)) == -1)
			break;
		if (r != 1)
			continue;
		listres_codes(c, c->fmask[f], codes, sizeof(codes));
		if ((res = listres_add(lr, DNSBL_LISTED, test, codes)) == NULL)
			break;
		res->weight = w;
		res->txt = txtlen > 0 ? txt : NULL;
		res->txtlen = txtlen;
	}
}

/* lr's subject is also which (DNSBL_FROM, DNSBL_SENDER): every result. */
void
listres_source(struct listres *lr, int which)
{
	size_t i;

	lr->source |= which;
	for (i = 0; i < lr->nres; i++)
		lr->res[i].source = lr->source;
}

/* The number of results of the chain's checks. */
size_t
listres_count(const struct listres_chain *ch)
{
	const struct listres *lr;
	size_t n = 0;

	for (lr = ch->head; lr != NULL; lr = lr->next)
		n += lr->nres;
	return n;
}

/* The i-th result, in the order the checks started; NULL past the end. */
const struct dnsbl_result *
listres_get(const struct listres_chain *ch, size_t i)
{
	const struct listres *lr;

	for (lr = ch->head; lr != NULL; lr = lr->next) {
		if (i < lr->nres)
			return &lr->res[i];
		i -= lr->nres;
	}
	return NULL;
}

/* Free lr's results (lr itself is the caller's). */
void
listres_clear(struct listres *lr)
{
	free(lr->res);
	lr->res = NULL;
	lr->nres = 0;
}

/* The warning of a DNS result: what was looked up, where, the answer. */
static void
dns_parts(const struct dnsbl_result *d, struct finding *f)
{
	finding_text(f, d->subject, strlen(d->subject), 1, 0);
	if (strcmp(d->test, "RDNS_NONE") == 0) {
		finding_text(f, "has no reverse DNS", 18, 0, 0);
	} else if (strcmp(d->test, "RDNS_UNCONFIRMED") == 0) {
		finding_text(f, "has reverse DNS", 15, 0, 0);
		finding_text(f, d->answer, strnlen(d->answer,
		    sizeof(d->answer)), 1, 0);
		finding_text(f, "that does not resolve back to it", 32, 0, 0);
	} else if (strcmp(d->test, "SENDER_DOMAIN_NX") == 0) {
		finding_text(f, "(sender domain) does not exist", 30, 0, 0);
	} else {
		snprintf(f->text, sizeof(f->text), "is listed in %s%s%s "
		    "(%.*s)", d->label, strcmp(d->test, d->label) ? " as " :
		    "", strcmp(d->test, d->label) ? d->test : "",
		    (int)sizeof(d->answer), d->answer);
		finding_text(f, f->text, strlen(f->text), 0, 0);
		if (d->txt != NULL) {
			f->once = d->txt;
			f->oncefrom = f->nparts;
			finding_text(f, ":", 1, 0, 1);
			finding_text(f, d->txt, d->txtlen, 1, 0);
		}
	}
}

/*
 * One list result (DNS or local) as a finding of the report: a listing
 * scores with its filter's weight (or its test's in the policy), an
 * error is named; the warning says what was looked up, where, the codes
 * and the TXT once.
 */
void
listres_report(struct report *r, const struct policy *pol,
    const struct dnsbl_result *d)
{
	static const enum finding_verdict v[] = { F_CLEAN, F_LISTED,
	    F_ERROR };
	struct finding	f;
	int		list;

	list = strcmp(d->kind, "dnsbl") == 0 || strcmp(d->kind, "dnswl") ==
	    0 || strcmp(d->kind, "rhsbl") == 0 || strcmp(d->kind,
	    "urilist") == 0;
	finding_init(&f, d->test, d->kind, v[d->verdict]);
	f.list = list;
	f.label = list ? d->label : d->test;
	f.weight = d->has_weight ? d->weight : policy_weight(pol, d->test);
	f.subject = d->subject;
	f.subjlen = strlen(d->subject);
	f.answer = d->answer;
	f.anslen = strnlen(d->answer, sizeof(d->answer));
	f.ms = d->ms;
	if (f.verdict == F_LISTED)
		dns_parts(d, &f);
	report_finding(r, &f);
}

/*
 * logagg.c - qqtag-report's figures: each message line (logline.c) adds
 * to counters, capped name tables (lognames.c), two histograms
 * (loghist.c) and a time line (logtl.c).  Nothing grows with the log.
 *
 * Per list (the lists= field, qqtag(8) DIAGNOSTICS): each message that
 * asked it counts once as listed (LABEL+), error (LABEL!, the kind taken
 * from its LABEL:ANSWER word in errors=) or clean.  Other errors= words
 * (RDNS:timeout, country-missing, dmarc:psl; every one on a line written
 * before lists= existed) are counted whole as error keys.
 */
#include <stdlib.h>
#include <string.h>

#include "logagg.h"

struct lerr {
	struct ll_slice	label, answer, word;
	int		used;		/* taken by a list of lists= */
};

static const char *const kind_names[K_N] = { "timeout", "refused",
    "servfail", "error code", "broken (health probe)", "other" };

/* Set up an empty aggregate. */
int
agg_init(struct agg *a)
{
	memset(a, 0, sizeof(*a));
	a->hc_lo = -1;
	if (names_init(&a->classes, AG_CLASSES) == -1 ||
	    names_init(&a->results, AG_RESULTS) == -1 ||
	    names_init(&a->tests, AG_TESTS) == -1 ||
	    names_init(&a->lists, AG_LISTS) == -1 ||
	    names_init(&a->errkeys, AG_ERRKEYS) == -1 ||
	    names_init(&a->cc, AG_CC) == -1 ||
	    names_init(&a->asn, AG_ASN) == -1) {
		agg_free(a);
		return -1;
	}
	return 0;
}

/* Free it. */
void
agg_free(struct agg *a)
{
	names_free(&a->classes);
	names_free(&a->results);
	names_free(&a->tests);
	names_free(&a->lists);
	names_free(&a->errkeys);
	names_free(&a->cc);
	names_free(&a->asn);
}

/* The name of a kind. */
const char *
agg_kind_name(enum ag_kind k)
{
	return k < K_N ? kind_names[k] : "other";
}

/* A dotted quad a.b.c.d? */
static int
is_quad(const char *p, size_t n)
{
	size_t	i, dots = 0, run = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (run == 0)
				return 0;
			dots++;
			run = 0;
		} else if (p[i] >= '0' && p[i] <= '9' && run < 3)
			run++;
		else
			return 0;
	}
	return dots == 3 && run > 0;
}

/* Classify an error answer. */
enum ag_kind
agg_kind(const char *p, size_t n)
{
	struct ll_slice	s = { p, n };

	if (ll_is(&s, "timeout"))
		return K_TIMEOUT;
	if (ll_is(&s, "refused"))
		return K_REFUSED;
	if (ll_is(&s, "servfail"))
		return K_SERVFAIL;
	if (ll_is(&s, "broken"))
		return K_BROKEN;
	if (is_quad(p, n))
		return K_CODE;
	return K_OTHER;
}

/* The local hour of t (localtime_r once an hour of log). */
static int
local_hour(struct agg *a, time_t t)
{
	struct tm	tm;

	if (a->hc_lo >= 0 && t >= a->hc_lo && t < a->hc_lo + 3600)
		return a->hc_hour;
	localtime_r(&t, &tm);
	a->hc_lo = t - tm.tm_min * 60 - tm.tm_sec;
	a->hc_hour = tm.tm_hour;
	return tm.tm_hour;
}

/* geo=CC[/ASN]: messages and flagged ones per country and AS. */
static void
count_geo(struct agg *a, const struct ll_slice *g, int fl)
{
	const char	*sl = memchr(g->p, '/', g->n);
	size_t		 ccn = sl ? (size_t)(sl - g->p) : g->n, id;

	id = names_id(&a->cc, g->p, ccn);
	a->cc_n[id]++;
	a->cc_fl[id] += fl;
	if (sl != NULL && g->n - ccn > 1) {
		id = names_id(&a->asn, sl + 1, g->n - ccn - 1);
		a->asn_n[id]++;
		a->asn_fl[id] += fl;
	}
}

static void
count_tests(struct agg *a, struct ll_slice list, int fl)
{
	struct ll_slice	w;
	size_t		id;

	while (ll_word(&list, &w)) {
		if (ll_is(&w, "none"))
			continue;
		id = names_id(&a->tests, w.p, w.n);
		a->test_n[id]++;
		a->test_fl[id] += fl;
	}
}

/* errors= as LABEL:ANSWER words (report.c cuts it with "...(N errors)"). */
static size_t
line_errors(const struct ll_rec *r, struct lerr *e, size_t max)
{
	struct ll_slice	list = r->s[LL_ERRORS], w;
	const char	*c;
	size_t		n = 0;

	while (n < max && ll_word(&list, &w)) {
		if (ll_is(&w, "none"))
			continue;
		if ((c = memmem(w.p, w.n, "...(", 4)) != NULL)
			w.n = (size_t)(c - w.p);
		if (w.n == 0)
			break;
		memset(&e[n], 0, sizeof(e[n]));
		e[n].word = w;
		c = memchr(w.p, ':', w.n);
		e[n].label.p = w.p;
		e[n].label.n = c ? (size_t)(c - w.p) : w.n;
		e[n].answer.p = c ? c + 1 : w.p + w.n;
		e[n].answer.n = c ? w.n - e[n].label.n - 1 : 0;
		n++;
		if (c == NULL && list.n == 0)
			break;
	}
	return n;
}

/* A list's error code, among the few kept. */
static void
count_code(struct ag_list *l, const struct ll_slice *ans)
{
	size_t	i, n = ans->n < AG_CODELEN - 1 ? ans->n : AG_CODELEN - 1;

	for (i = 0; i < AG_CODES && l->code[i].n > 0; i++)
		if (strlen(l->code[i].c) == n && memcmp(l->code[i].c, ans->p,
		    n) == 0)
			break;
	if (i == AG_CODES) {
		l->code_other++;
		return;
	}
	if (l->code[i].n++ == 0)
		memcpy(l->code[i].c, ans->p, n);
}

/* A list answered with an error: its kind, its code, the run of codes. */
static void
list_error(struct ag_list *l, struct lerr *e, time_t t, int stamped)
{
	enum ag_kind	k = K_OTHER;
	size_t		n;

	if (e != NULL)
		k = agg_kind(e->answer.p, e->answer.n);

	l->error++;
	l->kind[k]++;
	if (k != K_CODE) {
		l->run = 0;
		return;
	}
	count_code(l, &e->answer);
	if (l->run++ == 0) {
		l->run_since = t;
		l->run_stamped = stamped;
		n = e->answer.n < AG_CODELEN - 1 ? e->answer.n : AG_CODELEN - 1;
		memcpy(l->run_code, e->answer.p, n);
		l->run_code[n] = '\0';
	}
}

/* The error word of label w (LABEL:ANSWER), or NULL. */
static struct lerr *
error_of(struct lerr *e, size_t n, const struct ll_slice *w)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (e[i].label.n == w->n && memcmp(e[i].label.p, w->p,
		    w->n) == 0) {
			e[i].used = 1;
			return &e[i];
		}
	return NULL;
}

/* lists=ZEN+,DBL,SPAMCOP!: each list asked, its verdict. */
static void
count_lists(struct agg *a, const struct ll_rec *r, struct lerr *e,
    size_t ne, time_t t, int stamped)
{
	struct ll_slice	list = r->s[LL_LISTS], w;
	struct ag_list	*l;
	char		 mark;

	while (ll_word(&list, &w)) {
		if (ll_is(&w, "none"))
			continue;
		mark = w.p[w.n - 1];
		if ((mark == '+' || mark == '!') && --w.n == 0)
			continue;
		l = &a->list[names_id(&a->lists, w.p, w.n)];
		l->asked++;
		if (mark == '!')
			list_error(l, error_of(e, ne, &w), t, stamped);
		else {
			l->run = 0;
			if (mark == '+')
				l->listed++;
			else
				l->clean++;
		}
	}
}

static void
count_errors(struct agg *a, const struct ll_rec *r, time_t t, int stamped)
{
	struct lerr	e[AG_LINE_ERRS];
	size_t		ne = line_errors(r, e, AG_LINE_ERRS), i;

	if (LL_HAS(r, LL_LISTS))
		count_lists(a, r, e, ne, t, stamped);
	else
		a->nolists++;
	for (i = 0; i < ne; i++)
		if (!e[i].used)
			a->err_n[names_id(&a->errkeys, e[i].word.p,
			    e[i].word.n)]++;
}

/* Where and when: the hour of day, the time line, the period. */
static void
count_time(struct agg *a, time_t t, int fl)
{
	int	h = local_hour(a, t);

	a->hour_n[h]++;
	a->hour_fl[h] += fl;
	tl_add(&a->tl, t, fl);
	if (!a->stamped || t < a->first)
		a->first = t;
	if (!a->stamped || t > a->last)
		a->last = t;
	a->stamped = 1;
}

/* Not checked though it should have been: an untrusted client. */
static int
unchecked(const struct ll_rec *r)
{
	return !LL_HAS(r, LL_SCORE) && LL_HAS(r, LL_CLASS) &&
	    ll_is(&r->s[LL_CLASS], "untrusted") && LL_HAS(r, LL_RESULT) &&
	    r->s[LL_RESULT].n >= 5 && memcmp(r->s[LL_RESULT].p, "queue",
	    5) == 0;
}

static void
count_kinds(struct agg *a, const struct ll_rec *r)
{
	a->class_n[LL_HAS(r, LL_CLASS) ? names_id(&a->classes,
	    r->s[LL_CLASS].p, r->s[LL_CLASS].n) : names_id(&a->classes,
	    "-", 1)]++;
	if (LL_HAS(r, LL_RESULT))
		a->result_n[names_id(&a->results, r->s[LL_RESULT].p,
		    r->s[LL_RESULT].n)]++;
	else {
		a->cut++;
		a->result_n[names_id(&a->results, "(line cut)", 10)]++;
	}
	if (LL_HAS(r, LL_POLICY)) {
		a->polerr += ll_is(&r->s[LL_POLICY], "error");
		a->poloff += ll_is(&r->s[LL_POLICY], "off");
	}
	a->health += LL_HAS(r, LL_HEALTH);
	a->unchecked += unchecked(r);
}

/* Count one message line. */
void
agg_msg(struct agg *a, const struct ll_rec *r, time_t t, int stamped)
{
	int	fl = r->flag == 1 && LL_HAS(r, LL_FLAG);

	a->msgs++;
	a->badfields += r->bad;
	a->dupfields += r->dup;
	a->bytes += r->num[LL_BYTES];
	a->rcpts += r->num[LL_RCPTS];
	a->stripped += r->num[LL_STRIPPED];
	count_kinds(a, r);
	if (LL_HAS(r, LL_SCORE)) {
		a->checked++;
		a->flagged += fl;
		count_tests(a, r->s[LL_TESTS], fl);
		count_errors(a, r, t, stamped);
		if (LL_HAS(r, LL_GEO))
			count_geo(a, &r->s[LL_GEO], fl);
	}
	if (LL_HAS(r, LL_MS))
		hist_add(&a->ms, r->num[LL_MS]);
	if (LL_HAS(r, LL_AFTER_EOM))
		hist_add(&a->eom, r->num[LL_AFTER_EOM]);
	if (stamped)
		count_time(a, t, fl);
}

/*
 * The ids of table t with a count in v[] above 0, most first (ties: first
 * seen first), "other" included; at most max of them into idx.  Returns
 * how many.
 */
size_t
agg_top(const struct names *t, const uint64_t *v, size_t *idx, size_t max)
{
	size_t	n = 0, i, j, k;

	for (i = 0; i <= t->cap; i++) {
		if ((i >= t->n && i != t->cap) || v[i] == 0)
			continue;
		for (j = 0; j < n && v[idx[j]] >= v[i]; j++)
			;
		if (j >= max)
			continue;
		for (k = n < max ? n : max - 1; k > j; k--)
			idx[k] = idx[k - 1];
		idx[j] = i;
		if (n < max)
			n++;
	}
	return n;
}

/* The lists with a query, most asked first (agg_top), into
 * idx[AG_LISTS + 1].  Returns how many. */
size_t
agg_top_lists(const struct agg *a, size_t *idx)
{
	uint64_t	asked[AG_LISTS + 1];
	size_t		i;

	for (i = 0; i <= AG_LISTS; i++)
		asked[i] = a->list[i].asked;
	return agg_top(&a->lists, asked, idx, AG_LISTS + 1);
}

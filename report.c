/*
 * report.c - what the checks found, as a score, a verdict and the header
 * block qqtag puts on top of the message:
 *
 *   X-Qqtag: score=S required=T flag=yes|no checked=yes tests=A,B
 *   	lists=L errors=E [key=value...]
 *   X-Spam-Flag: YES				(flagged only)
 *   X-Spam-Status: Yes|No, score=S required=T tests=A,B
 *   X-Spam-Level: ***				(one star a point)
 *   X-Spam-Score: S
 *   X-Spam-Warning: one line per finding that counts against the mail
 *
 * X-Qqtag has a fixed name for tools that must not depend on the policy
 * (qqtag-filter); the others are SpamAssassin's, so existing recipes,
 * webmail and mail clients work unchanged, and their names come from the
 * policy.  Everything goes through the one writer (headers.c).  Score and
 * flag are SpamAssassin's: the sum of the weights, flagged at or above
 * the threshold.  Errors never score.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "headers.h"
#include "policy.h"
#include "report.h"

#define STARS_MAX	50
#define LOG_ERRORS_MAX	600	/* bytes of errors= in the log line */

/* Start a report; threshold is the policy's or the connection's. */
void
report_init(struct report *r, const struct policy *p, double threshold)
{
	/* every field but f[]: findings are written whole as they come, and
	   zeroing REPORT_MAX of them costs every message page faults */
	memset(r, 0, offsetof(struct report, f));
	r->pol = p;
	r->threshold = threshold;
	buf_init(&r->lists, 1024);
	buf_init(&r->errors, 1024);
	buf_init(&r->info, 1024);
}

/* Release the report. */
void
report_free(struct report *r)
{
	buf_free(&r->lists);
	buf_free(&r->errors);
	buf_free(&r->info);
}

/* Is w a word of the comma-separated list in b? */
static int
has_word(const struct buf *b, const char *w, size_t n)
{
	const char	*p = b->p, *end = b->p + b->len, *c;

	while (p != NULL && p < end) {
		c = memchr(p, ',', (size_t)(end - p));
		if ((size_t)((c ? c : end) - p) == n && memcmp(p, w, n) == 0)
			return 1;
		p = c ? c + 1 : NULL;
	}
	return 0;
}

/* A comma-separated set of words, capped by its buffer: overflow drops. */
static void
add_word(struct buf *b, const char *w)
{
	size_t	n = strlen(w);

	if (buf_room(b) < n + 2 || has_word(b, w, n))
		return;
	if (b->len > 0)
		buf_appendc(b, ',');
	buf_append(b, w, n);
}

/* Start a finding of test (kind for -c) with that verdict, no parts. */
void
finding_init(struct finding *f, const char *test, const char *kind,
    enum finding_verdict v)
{
	memset(f, 0, sizeof(*f));
	f->test = test;
	f->kind = kind;
	f->verdict = v;
}

/*
 * Add a piece to the warning: n bytes of p, untrusted (the writer
 * sanitises and cuts it) or program text; glue: no space before it.
 * Pieces past FINDING_PARTS are dropped.
 */
void
finding_text(struct finding *f, const char *p, size_t n, int untrusted,
    int glue)
{
	struct finding_part *t;

	if (f->nparts == FINDING_PARTS || p == NULL)
		return;
	t = &f->part[f->nparts++];
	t->p = p;
	t->n = n;
	t->untrusted = untrusted;
	t->glue = glue;
}

/*
 * Record a finding.  A listed one scores its weight and, when it is a
 * list's, names the list in lists=; an error is named in errors= as
 * LABEL:ANSWER (or the answer alone).  Findings past REPORT_MAX are dropped.
 */
void
report_finding(struct report *r, const struct finding *src)
{
	struct finding	*f;
	char		 e[128];
	size_t		 i;

	if (r->n == REPORT_MAX)
		return;
	f = &r->f[r->n++];
	*f = *src;
	for (i = 0; i < f->nparts; i++)	/* parts in the copied text */
		if (f->part[i].p >= src->text &&
		    f->part[i].p < src->text + sizeof(src->text))
			f->part[i].p = f->text + (f->part[i].p - src->text);
	if (f->verdict == F_ERROR) {
		snprintf(e, sizeof(e), "%s%s%.*s", f->label ? f->label : "",
		    f->label ? ":" : "", (int)f->anslen, f->answer ?
		    f->answer : "error");
		add_word(&r->errors, e);
		r->nerrors++;
	} else if (f->verdict == F_LISTED) {
		r->score += f->weight;
		r->nlisted++;
		if (f->list && f->label != NULL)
			add_word(&r->lists, f->label);
	}
}

/*
 * A test fired with weight w; text is our warning (NULL: the test's
 * name), detail untrusted bytes shown after it.
 */
void
report_add(struct report *r, const char *test, double w, const char *text,
    const char *detail, size_t detlen)
{
	struct finding	f;

	finding_init(&f, test, "heur", F_LISTED);
	f.weight = w;
	finding_text(&f, text ? text : test, strlen(text ? text : test), 0, 0);
	if (detail != NULL && detlen > 0) {
		finding_text(&f, ":", 1, 0, 1);
		finding_text(&f, detail, detlen, 1, 0);
	}
	report_finding(r, &f);
}

/* A check that failed without a DNS result (a GeoIP database, ...). */
void
report_error(struct report *r, const char *key)
{
	add_word(&r->errors, key);
	r->nerrors++;
}

/*
 * Where the client is: country code (two letters, or NULL), AS number (0:
 * unknown) and the AS organisation (untrusted bytes, or NULL).  Shown in
 * X-Qqtag (country=, asn=) and in X-Qqtag-Geo for per-user filters.
 */
void
report_geo(struct report *r, const char *cc, unsigned long asn,
    const char *org, size_t orglen)
{
	char	num[24];

	r->cc = cc;
	r->asn = asn;
	r->org = org;
	r->orglen = orglen;
	if (cc != NULL)
		report_info(r, "country", cc, strlen(cc));
	if (asn != 0) {
		snprintf(num, sizeof(num), "%lu", asn);
		report_info(r, "asn", num, strlen(num));
	}
}

/* X-Qqtag-Geo: DE AS64500 Example Org */
static int
write_geo(const struct report *r, struct buf *o)
{
	struct hdr_w	w;
	char		num[24];

	if (r->cc == NULL && r->asn == 0)
		return 0;
	hdr_begin(&w, o, "X-Qqtag-Geo");
	hdr_text(&w, r->cc ? r->cc : "--");
	if (r->asn != 0) {
		snprintf(num, sizeof(num), "AS%lu", r->asn);
		hdr_text(&w, num);
		if (r->org != NULL)
			hdr_untrusted(&w, r->org, r->orglen);
	}
	return hdr_end(&w);
}

/* An informational key=value for X-Qqtag (value untrusted, sanitised). */
void
report_info(struct report *r, const char *key, const char *v, size_t n)
{
	char	tmp[80];
	size_t	i, len;

	len = hdr_sanitise(tmp, sizeof(tmp) - 1, v, n);
	for (i = 0; i < len; i++)
		if (tmp[i] == ' ' || tmp[i] == ',' || tmp[i] == '=')
			tmp[i] = '_';
	if (len == 0 || buf_room(&r->info) < strlen(key) + len + 3)
		return;
	if (r->info.len > 0)
		buf_appendc(&r->info, ' ');
	buf_printf(&r->info, "%s=", key);
	buf_append(&r->info, tmp, len);
}

/* Flagged as SpamAssassin does: score at or above the threshold. */
int
report_flagged(const struct report *r)
{
	return r->score >= r->threshold - 1e-9;
}

/* "-0.0" is not a score a person wants to read. */
static double
tidy(double s)
{
	s = round(s * 10) / 10;
	return s == 0 ? 0 : s;
}

static void
tests_list(const struct report *r, struct hdr_w *w, const char *none)
{
	const char	*names[REPORT_MAX];
	size_t		 i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->f[i].verdict == F_LISTED)
			names[n++] = r->f[i].test;
	hdr_list(w, "tests=", names, n, none);
}

/* prefix and a comma-separated list from b, foldable after each comma. */
static void
csv_list(struct hdr_w *w, const char *prefix, const struct buf *b)
{
	const char	*names[REPORT_MAX];
	char		 tmp[1024];
	size_t		 n = 0, len;
	char		*p, *c;

	len = b->len < sizeof(tmp) - 1 ? b->len : sizeof(tmp) - 1;
	memcpy(tmp, b->p ? b->p : "", len);
	tmp[len] = '\0';
	for (p = tmp; len > 0 && p != NULL && n < REPORT_MAX; p = c) {
		if ((c = strchr(p, ',')) != NULL)
			*c++ = '\0';
		names[n++] = p;
	}
	hdr_list(w, prefix, names, n, "none");
}

static int
write_qqtag(const struct report *r, struct buf *o)
{
	struct hdr_w	w;
	char		tmp[128];

	hdr_begin(&w, o, "X-Qqtag");
	snprintf(tmp, sizeof(tmp), "score=%.1f required=%.1f flag=%s "
	    "checked=yes", tidy(r->score), tidy(r->threshold),
	    report_flagged(r) ? "yes" : "no");
	hdr_text(&w, tmp);
	tests_list(r, &w, "none");
	csv_list(&w, "lists=", &r->lists);
	csv_list(&w, "errors=", &r->errors);
	if (r->info.len)
		hdr_text(&w, r->info.p);
	return hdr_end(&w);
}

static int
write_sa(const struct report *r, struct buf *o)
{
	const struct policy_headers *h = &r->pol->hdr;
	struct hdr_w	w;
	char		tmp[128];
	int		flag = report_flagged(r), i, stars;

	if (flag) {
		hdr_begin(&w, o, h->flag);
		hdr_text(&w, "YES");
		if (hdr_end(&w) == -1)
			return -1;
	}
	hdr_begin(&w, o, h->status);
	snprintf(tmp, sizeof(tmp), "%s, score=%.1f required=%.1f",
	    flag ? "Yes" : "No", tidy(r->score), tidy(r->threshold));
	hdr_text(&w, tmp);
	tests_list(r, &w, "none");
	if (hdr_end(&w) == -1)
		return -1;
	stars = r->score < 1 ? 0 : r->score > STARS_MAX ? STARS_MAX :
	    (int)r->score;
	for (i = 0; i < stars; i++)
		tmp[i] = '*';
	tmp[stars] = '\0';
	hdr_begin(&w, o, h->level);
	hdr_text(&w, tmp);
	if (hdr_end(&w) == -1)
		return -1;
	hdr_begin(&w, o, h->score);
	snprintf(tmp, sizeof(tmp), "%.1f", tidy(r->score));
	hdr_text(&w, tmp);
	return hdr_end(&w);
}

/* Was finding i's tail (a list's TXT) shown by an earlier one? */
static int
once_shown(const struct report *r, size_t i)
{
	size_t	j;

	for (j = 0; j < i && r->f[i].once != NULL; j++)
		if (r->f[j].verdict == F_LISTED && r->f[j].weight > 0 &&
		    r->f[j].once == r->f[i].once)
			return 1;
	return 0;
}

/* One X-Spam-Warning from a finding's parts. */
static int
write_warning(const struct report *r, size_t i, struct buf *o)
{
	const struct finding	*f = &r->f[i];
	const struct finding_part *t;
	struct hdr_w		 w;
	size_t			 k, n = f->nparts;

	if (f->once != NULL && f->oncefrom < n && once_shown(r, i))
		n = f->oncefrom;
	hdr_begin(&w, o, r->pol->hdr.warning);
	if (n == 0)
		hdr_text(&w, f->test);
	for (k = 0; k < n; k++) {
		t = &f->part[k];
		if (t->untrusted)
			hdr_untrusted(&w, t->p, t->n);
		else if (t->glue)
			hdr_glue(&w, t->p);
		else
			hdr_text(&w, t->p);
	}
	return hdr_end(&w);
}

static int
write_warnings(const struct report *r, struct buf *o)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		if (r->f[i].verdict != F_LISTED || r->f[i].weight <= 0)
			continue;
		/* the verdict is written; warnings past the room are left out */
		if (write_warning(r, i, o) == -1)
			return errno == EOVERFLOW ? 0 : -1;
	}
	return 0;
}

/*
 * The header block of a checked message, appended to o.  Returns 0, or
 * -1 when o is full (EOVERFLOW) or memory ran out.
 */
int
report_block(const struct report *r, struct buf *o)
{
	if (write_qqtag(r, o) == -1 || write_sa(r, o) == -1 ||
	    write_geo(r, o) == -1 || write_warnings(r, o) == -1)
		return -1;
	return 0;
}

/* The block of a message that was not checked, and why. */
int
report_unchecked(const struct report *r, struct buf *o, const char *why)
{
	struct hdr_w	w;
	char		tmp[128];

	(void)r;
	hdr_begin(&w, o, "X-Qqtag");
	snprintf(tmp, sizeof(tmp), "checked=no reason=%s", why);
	hdr_text(&w, tmp);
	return hdr_end(&w);
}

/*
 * The field that ends a block in front of a message whose first line is
 * a continuation (it starts with a blank): that line continues this
 * field instead of the verdict's.  0, or -1 as hdr_end.
 */
int
report_guard(struct buf *o)
{
	struct hdr_w	w;

	hdr_begin(&w, o, "X-Qqtag-Continued");
	hdr_text(&w, "the message's first line continues this field");
	return hdr_end(&w);
}

/*
 * uris=: the listed domains and addresses of the URI lists (uri.c), each
 * once, sanitised (untrusted: from the message), at most LOG_URIS_MAX.
 */
#define LOG_URIS_MAX	8
static void
log_uris(const struct report *r, struct buf *l)
{
	char	tmp[80];
	size_t	i, j, k = 0, n;

	for (i = 0; i < r->n && k < LOG_URIS_MAX && buf_room(l) > 100; i++) {
		if (r->f[i].verdict != F_LISTED || r->f[i].kind == NULL ||
		    strcmp(r->f[i].kind, "urilist") != 0)
			continue;
		for (j = 0; j < i; j++)		/* once each */
			if (r->f[j].verdict == F_LISTED && r->f[j].kind &&
			    strcmp(r->f[j].kind, "urilist") == 0 &&
			    r->f[j].subjlen == r->f[i].subjlen &&
			    memcmp(r->f[j].subject, r->f[i].subject,
			    r->f[i].subjlen) == 0)
				break;
		if (j < i)
			continue;
		n = hdr_sanitise(tmp, sizeof(tmp) - 1, r->f[i].subject,
		    r->f[i].subjlen);
		for (j = 0; j < n; j++)
			if (tmp[j] == ' ' || tmp[j] == ',')
				tmp[j] = '?';
		buf_appends(l, k++ ? "," : " uris=");
		buf_append(l, tmp, n);
	}
}

/*
 * lists=: every list asked for the message, once, by its policy label
 * (never its zone), marked + when it listed, ! when it failed (its
 * LABEL:ANSWER is in errors=), bare when clean; "none" when no list was
 * asked.  qqtag-report counts each list's answers from it.
 */
#define LOG_LISTS_MAX	64
static void
log_lists(const struct report *r, struct buf *l)
{
	const char	*lab[LOG_LISTS_MAX];
	int		 v[LOG_LISTS_MAX];
	size_t		 i, j, k = 0;

	for (i = 0; i < r->n; i++) {
		if (!r->f[i].list || r->f[i].label == NULL)
			continue;
		for (j = 0; j < k && lab[j] != r->f[i].label &&
		    strcmp(lab[j], r->f[i].label) != 0; j++)
			;
		if (j == k) {
			if (k == LOG_LISTS_MAX)
				continue;
			lab[k] = r->f[i].label;
			v[k++] = F_CLEAN;
		}
		if (r->f[i].verdict == F_LISTED || v[j] == F_CLEAN)
			v[j] = r->f[i].verdict;	/* listed > error > clean */
	}
	for (j = 0; j < k && buf_room(l) > 100; j++)
		buf_printf(l, "%s%s%s", j ? "," : " lists=", lab[j],
		    v[j] == F_LISTED ? "+" : v[j] == F_ERROR ? "!" : "");
	if (k == 0)
		buf_appends(l, " lists=none");
}

/*
 * The report's part of the log line: score, flag, tests, uris, errors,
 * geo, lists.
 */
void
report_log(const struct report *r, struct buf *l)
{
	size_t	i, k;

	buf_printf(l, " score=%.1f flag=%s tests=", tidy(r->score),
	    report_flagged(r) ? "yes" : "no");
	for (i = 0, k = 0; i < r->n && buf_room(l) > 100; i++)
		if (r->f[i].verdict == F_LISTED)
			buf_printf(l, "%s%s", k++ ? "," : "", r->f[i].test);
	if (r->nlisted == 0)
		buf_appends(l, "none");
	log_uris(r, l);
	buf_appends(l, " errors=");
	if (r->errors.len == 0)
		buf_appends(l, "none");
	else if (r->errors.len < LOG_ERRORS_MAX)
		buf_append(l, r->errors.p, r->errors.len);
	else {
		buf_append(l, r->errors.p, LOG_ERRORS_MAX);
		buf_printf(l, "...(%u errors)", r->nerrors);
	}
	if (r->cc != NULL || r->asn != 0) {
		buf_printf(l, " geo=%s", r->cc ? r->cc : "--");
		if (r->asn != 0)
			buf_printf(l, "/AS%lu", r->asn);
	}
	log_lists(r, l);
}

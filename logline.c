/*
 * logline.c - qqtag's log line, read back (qqtag-report): the one line per
 * message that qqtag writes on fd 2 (qqtag.c's log_line, report.c's
 * report_log; the fields are documented in qqtag(8) DIAGNOSTICS):
 *
 *   qqtag: pid=812 ip=192.0.2.1 class=untrusted bytes=2301 hdrlines=18
 *   stripped=0 rcpts=1 [policy=error|off] [health=WHY] [score=7.5 flag=yes
 *   tests=A,B [uris=D,E] errors=L:ANSWER,... [geo=CC/ASN] [lists=ZEN+,DBL]]
 *   [queue_error=E] [ms=2041] [after_eom_ms=12] result=queue
 *
 * The line is untrusted in the sense that anything may be in a log file:
 * fields are blank-separated KEY=VALUE words; the first occurrence of a
 * key counts, later ones are counted as duplicates; unknown keys (a newer
 * qqtag) are ignored; a number that does not parse or passes 2^53 makes
 * its field malformed (left out, counted).  Nothing here allocates.
 */
#include <string.h>

#include "logline.h"

#define NUM_MAX		(1ULL << 53)	/* larger: malformed */
#define SCORE10_MAX	1000000000L	/* |score| in tenths */

/* The keys, by field; text fields keep their slice, others a number. */
static const struct {
	const char	*key;
	size_t		 len;
	int		 numeric;
} keys[LL_NFIELDS] = {
	[LL_PID] = { "pid", 3, 1 },
	[LL_IP] = { "ip", 2, 0 },
	[LL_CLASS] = { "class", 5, 0 },
	[LL_BYTES] = { "bytes", 5, 1 },
	[LL_HDRLINES] = { "hdrlines", 8, 1 },
	[LL_STRIPPED] = { "stripped", 8, 1 },
	[LL_RCPTS] = { "rcpts", 5, 1 },
	[LL_POLICY] = { "policy", 6, 0 },
	[LL_HEALTH] = { "health", 6, 0 },
	[LL_SCORE] = { "score", 5, 0 },
	[LL_FLAG] = { "flag", 4, 0 },
	[LL_TESTS] = { "tests", 5, 0 },
	[LL_URIS] = { "uris", 4, 0 },
	[LL_ERRORS] = { "errors", 6, 0 },
	[LL_GEO] = { "geo", 3, 0 },
	[LL_LISTS] = { "lists", 5, 0 },
	[LL_QUEUE_ERROR] = { "queue_error", 11, 0 },
	[LL_MS] = { "ms", 2, 1 },
	[LL_AFTER_EOM] = { "after_eom_ms", 12, 1 },
	[LL_RESULT] = { "result", 6, 0 },
};

/* Find where qqtag's text starts in a line: "qqtag: " anywhere. */
const char *
ll_find(const char *p, size_t n)
{
	return memmem(p, n, "qqtag: ", 7);
}

/* Is slice s the text t? */
int
ll_is(const struct ll_slice *s, const char *t)
{
	size_t	n = strlen(t);

	return s->n == n && memcmp(s->p, t, n) == 0;
}

/* Decimal digits only, below NUM_MAX.  0, or -1. */
static int
num(const char *p, size_t n, uint64_t *v)
{
	uint64_t	x = 0;
	size_t		i;

	if (n == 0 || n > 16)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	if (x >= NUM_MAX)
		return -1;
	*v = x;
	return 0;
}

/* A score as report.c writes it: [-]DIGITS[.DIGIT].  0, or -1. */
static int
score(const char *p, size_t n, long *s10)
{
	uint64_t	whole, frac = 0;
	size_t		dot;
	int		neg = n > 0 && p[0] == '-';

	if (neg) {
		p++;
		n--;
	}
	for (dot = 0; dot < n && p[dot] != '.'; dot++)
		;
	if (num(p, dot, &whole) == -1 || whole >= SCORE10_MAX / 10)
		return -1;
	if (dot < n && (n - dot != 2 || num(p + dot + 1, 1, &frac) == -1))
		return -1;
	*s10 = (long)(whole * 10 + frac);
	if (neg)
		*s10 = -*s10;
	return 0;
}

/* The field of key k, tried from *hint on: qqtag writes them in order. */
static int
field_of(const char *k, size_t n, int *hint)
{
	int	i, f;

	for (i = 0; i < LL_NFIELDS; i++) {
		f = (*hint + i) % LL_NFIELDS;
		if (keys[f].len == n && memcmp(keys[f].key, k, n) == 0) {
			*hint = f + 1;
			return f;
		}
	}
	return -1;
}

/* The value v of field f into r: 0, or -1 when malformed. */
static int
value(struct ll_rec *r, int f, const char *v, size_t n)
{
	if (keys[f].numeric)
		return num(v, n, &r->num[f]);
	if (n == 0)
		return -1;
	if (f == LL_SCORE)
		return score(v, n, &r->score10);
	if (f == LL_FLAG) {
		if (n == 3 && memcmp(v, "yes", 3) == 0)
			r->flag = 1;
		else if (n == 2 && memcmp(v, "no", 2) == 0)
			r->flag = 0;
		else
			return -1;
	}
	r->s[f].p = v;
	r->s[f].n = n;
	return 0;
}

/* One KEY=VALUE word. */
static void
word(struct ll_rec *r, const char *w, size_t n, int *hint)
{
	const char	*eq = memchr(w, '=', n);
	int		 f;

	if (eq == NULL || (f = field_of(w, (size_t)(eq - w), hint)) == -1) {
		r->unknown++;
		return;
	}
	if (LL_HAS(r, f)) {
		r->dup++;
		return;
	}
	if (value(r, f, eq + 1, n - (size_t)(eq + 1 - w)) == -1)
		r->bad++;
	else
		r->have |= 1u << f;
}

/* Parse the text after "qqtag: " into r: 1 a message line, 0 a notice. */
int
ll_parse(const char *p, size_t n, struct ll_rec *r)
{
	const char	*end = p + n, *sp;
	int		 hint = 0;

	memset(r, 0, sizeof(*r));
	r->flag = -1;
	if (n < 4 || memcmp(p, "pid=", 4) != 0)
		return 0;
	while (p < end) {
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		for (sp = p; sp < end && *sp != ' ' && *sp != '\t'; sp++)
			;
		word(r, p, (size_t)(sp - p), &hint);
		p = sp;
	}
	return 1;
}

/* The next comma-separated word of *list into *w. */
int
ll_word(struct ll_slice *list, struct ll_slice *w)
{
	const char	*c;

	while (list->n > 0 && list->p[0] == ',') {
		list->p++;
		list->n--;
	}
	if (list->n == 0)
		return 0;
	c = memchr(list->p, ',', list->n);
	w->p = list->p;
	w->n = c ? (size_t)(c - list->p) : list->n;
	list->p += w->n;
	list->n -= w->n;
	return 1;
}

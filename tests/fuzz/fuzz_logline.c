/*
 * fuzz_logline.c - qqtag-report's line reading: any bytes, split into
 * lines, go through the stamp parser, the line parser and the
 * aggregate; every slice the parser returns lies inside the input, and
 * the aggregate's tables never pass their caps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logagg.h"
#include "logline.h"
#include "logstamp.h"
#include "logwarn.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
one(struct agg *a, struct stamp_ctx *c, const char *p, size_t n)
{
	struct ll_rec	 r;
	const char	*q;
	size_t		 used = 0;
	time_t		 t = 0;
	int		 f, st;

	st = stamp_parse(c, p, n, &t, &used);
	if (used > n)
		abort();
	if ((q = ll_find(p + used, n - used)) == NULL)
		return;
	q += 7;
	if (!ll_parse(q, n - (size_t)(q - p), &r))
		return;
	for (f = 0; f < LL_NFIELDS; f++)
		if (LL_HAS(&r, f) && r.s[f].p != NULL && (r.s[f].p < q ||
		    r.s[f].p + r.s[f].n > p + n))
			abort();
	agg_msg(a, &r, t, st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct agg	a;
	static struct warnings	w;
	struct thresholds	th;
	struct stamp_ctx	c;
	const char		*p = (const char *)d, *end = p + n, *nl;

	if (agg_init(&a) == -1)
		return 0;
	stamp_init(&c, 1796302800);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		one(&a, &c, p, (size_t)((nl ? nl : end) - p));
		p = nl ? nl + 1 : end;
	}
	if (a.lists.n > AG_LISTS || a.tests.n > AG_TESTS || a.asn.n > AG_ASN)
		abort();
	warn_defaults(&th);
	memset(&w, 0, sizeof(w));
	warn_eval(&a, &th, &w);
	agg_free(&a);
	return 0;
}

/*
 * fuzz_filter.c - qqtag-filter's header reader and verdict.
 *
 * Properties: the verdict does not depend on how the input is chunked;
 * the reader never examines more than QF_HEAD_MAX bytes; a trusted
 * X-Qqtag put on top of any input decides alone (nothing below it can
 * turn "not spam" into spam or the reverse); the -v line is printable.
 */
#define QQTAG_FILTER_NO_MAIN
#include "../../qqtag-filter.c"

#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
run(struct qf *q, const char *p, size_t n, size_t chunk)
{
	size_t	i, k;

	qf_init(q);
	for (i = 0; i < n && q->state != QF_DONE; i += k) {
		k = chunk && chunk < n - i ? chunk : n - i;
		qf_feed(q, p + i, k);
	}
	qf_end(q);
	if (q->seen > QF_HEAD_MAX)
		abort();
}

static void
same(const struct qf *a, const struct qf *b)
{
	if (a->found != b->found || a->flag != b->flag ||
	    a->checked != b->checked || a->hasscore != b->hasscore ||
	    strcmp(a->score, b->score) != 0 || a->seen != b->seen)
		abort();
}

/* Input below a header of ours: the verdict must be the header's. */
static void
on_top(const char *top, const char *p, size_t n, int want, int uset,
    double t)
{
	struct qf	 q;
	size_t		 tn = strlen(top);
	char		*m;

	if ((m = malloc(tn + n + 1)) == NULL)
		return;
	memcpy(m, top, tn);
	if (n)
		memcpy(m + tn, p, n);
	run(&q, m, tn + n, 0);
	if (qf_decide(&q, uset, t) != want)
		abort();
	free(m);
}

static void
printable(const struct qf *q)
{
	char	line[400];
	size_t	i, n;

	n = qf_describe(q, 1, 5.0, line, sizeof(line));
	if (n >= sizeof(line) || strlen(line) != n)
		abort();
	for (i = 0; i < n; i++)
		if (line[i] < 0x20 || line[i] > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[] = { 1, 2, 7, 4096 };
	const char	*p = (const char *)data;
	struct qf	 whole, part;
	size_t		 i;
	double		 t[] = { -1000, -2.3, 0, 5, 7.5, 1000 };

	run(&whole, p, size, 0);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		run(&part, p, size, chunks[i]);
		same(&whole, &part);
	}
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		(void)qf_decide(&whole, 1, t[i]);
	printable(&whole);
	on_top("X-Qqtag: score=0.0 required=5.0 flag=no checked=yes\n",
	    p, size, QF_HAM, 0, 0);
	on_top("X-Qqtag: score=0.0 required=5.0 flag=no checked=yes\n",
	    p, size, QF_HAM, 1, 0.1);
	on_top("X-Qqtag: score=9.0 required=5.0 flag=yes checked=yes\n",
	    p, size, QF_SPAM, 0, 0);
	on_top("X-Qqtag: score=9.0 required=5.0 flag=yes checked=yes\n",
	    p, size, QF_SPAM, 1, 9.0);
	on_top("X-Qqtag: checked=no reason=relayclient\n",
	    p, size, QF_HAM, 0, 0);
	return 0;
}

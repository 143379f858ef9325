/*
 * unit.h - the smallest test harness: T(cond, fmt...), T_SKIP(fmt...),
 * t_seed() and t_done().
 */
#ifndef QQTAG_UNIT_H
#define QQTAG_UNIT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int t_pass, t_fail, t_skip;

/* T(cond, fmt...): a pass, or a failure with its place and the message. */
#define T(cond, ...) do {						\
	if (cond)							\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

/*
 * T_SKIP(fmt...): a case that cannot run here, counted apart (never a
 * pass); the message says why.  tests/run lists "skip - " lines.
 */
#define T_SKIP(...) do {						\
	t_skip++;							\
	fprintf(stderr, "skip - %s:%d: ", __FILE__, __LINE__);		\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
} while (0)

/*
 * t_seed(dflt): the seed of a test's generated cases: $TEST_SEED when set
 * (to replay a failure), else dflt.  A failing generated case names its
 * case number and this seed.  An unparsable $TEST_SEED is a failure.
 */
static inline unsigned long
t_seed(unsigned long dflt)
{
	const char	*s = getenv("TEST_SEED");
	char		*end;
	unsigned long	 v;

	if (s == NULL || *s == '\0')
		return dflt;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '-' || v > 0xffffffffUL) {
		T(0, "TEST_SEED=%s: not a number below 2^32", s);
		return dflt;
	}
	fprintf(stderr, "# TEST_SEED=%lu\n", v);
	return v;
}

/* t_done(): print "N passed, N failed[, N skipped]"; 1 if any failed. */
static int
t_done(void)
{
	fflush(stderr);
	if (t_skip > 0)
		printf("%d passed, %d failed, %d skipped\n", t_pass, t_fail,
		    t_skip);
	else
		printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail != 0;
}

#endif

/* unit.h - the smallest test harness: T(cond, fmt...) and t_done(). */
#ifndef QQTAG_UNIT_H
#define QQTAG_UNIT_H

#include <stdio.h>

static int t_pass, t_fail;

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

static int
t_done(void)
{
	fflush(stderr);
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail != 0;
}

#endif

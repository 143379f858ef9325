/*
 * util.c - small helpers every module may use (util.h): the milliseconds
 * since a CLOCK_MONOTONIC start, and a one-line reason with errno set.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "util.h"

/* Milliseconds of CLOCK_MONOTONIC since *t0; never negative. */
long
ms_since(const struct timespec *t0)
{
	struct timespec t;
	long long ms;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	ms = (long long)(t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
	if (ms < 0)
		return 0;
	return ms > 2147483647 ? 2147483647 : (long)ms;
}

/*
 * The printf-style reason into err (errlen bytes, cut; err may be NULL),
 * errno set to eno; always returns -1, for "return errf(...)".
 */
int
errf(char *err, size_t errlen, int eno, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = eno;
	return -1;
}

/*
 * score.c - what every policy line with a weight shares (score.h): the
 * one parser of a weight.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

/*
 * A weight: the whole of s (end NULL), or the bytes from s to end (at
 * most 31 of them), is one finite number of at most SCORE_WEIGHTMAX either
 * way.  0 and *w, or -1.
 */
int
score_weight(const char *s, const char *end, double *w)
{
	char buf[32], *ep;
	size_t n;

	if (end != NULL) {
		if ((n = (size_t)(end - s)) >= sizeof(buf))
			return -1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		s = buf;
	}
	if (*s == '\0')
		return -1;
	errno = 0;
	*w = strtod(s, &ep);
	return errno != 0 || *ep != '\0' || !isfinite(*w) ||
	    fabs(*w) > SCORE_WEIGHTMAX ? -1 : 0;
}

/* loghist.h - a fixed log-scale histogram of milliseconds: percentiles */
#ifndef QQTAG_LOGHIST_H
#define QQTAG_LOGHIST_H

#include <stdint.h>

#define HIST_EXACT	64	/* values below are counted exactly */
#define HIST_SUB	32	/* buckets per power of two above */
#define HIST_TOP	40	/* values from 2^40 on count as 2^40 - 1 */
#define HIST_N		(HIST_EXACT + (HIST_TOP - 6) * HIST_SUB)

struct hist {
	uint64_t	n;
	uint64_t	max;
	uint64_t	b[HIST_N];
};

/* Count value v. */
void		hist_add(struct hist *, uint64_t);
/*
 * The percentile pm in per mille (500: p50, 1000: max; nearest rank):
 * the upper bound of the bucket holding it (exact below HIST_EXACT,
 * within 1/32 above), never above the largest value seen; 0 when empty.
 */
uint64_t	hist_pct(const struct hist *, unsigned);
/* Values in [2^(k-1), 2^k) (k = 0: the value 0), k < 41. */
uint64_t	hist_pow2(const struct hist *, int);

#endif

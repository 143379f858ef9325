/*
 * loghist.c - times in milliseconds as a fixed log-scale histogram
 * (HdrHistogram's layout, small): exact below 64 ms, 32 buckets per
 * power of two above, so percentiles are within 3% whatever the number
 * of values, in 9 KiB.
 */
#include "loghist.h"

static unsigned
bucket(uint64_t v)
{
	unsigned	e = 6;

	if (v < HIST_EXACT)
		return (unsigned)v;
	if (v >= 1ULL << HIST_TOP)
		v = (1ULL << HIST_TOP) - 1;
	while (v >> (e + 1))
		e++;
	return HIST_EXACT + (e - 6) * HIST_SUB +
	    (unsigned)((v >> (e - 5)) & (HIST_SUB - 1));
}

/* The largest value of bucket k. */
static uint64_t
bucket_hi(unsigned k)
{
	unsigned	e, sub;

	if (k < HIST_EXACT)
		return k;
	e = (k - HIST_EXACT) / HIST_SUB + 6;
	sub = (k - HIST_EXACT) % HIST_SUB;
	return ((uint64_t)(HIST_SUB + sub + 1) << (e - 5)) - 1;
}

/* Count value v. */
void
hist_add(struct hist *h, uint64_t v)
{
	h->b[bucket(v)]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

/* The percentile pm (per mille), nearest rank. */
uint64_t
hist_pct(const struct hist *h, unsigned pm)
{
	uint64_t	rank, seen = 0, hi;
	unsigned	k;

	if (h->n == 0)
		return 0;
	rank = (pm * h->n + 999) / 1000;
	if (rank == 0)
		rank = 1;
	for (k = 0; k < HIST_N; k++) {
		seen += h->b[k];
		if (seen >= rank)
			break;
	}
	hi = bucket_hi(k < HIST_N ? k : HIST_N - 1);
	return hi < h->max ? hi : h->max;
}

/* Values in [2^(k-1), 2^k), k = 0: zero. */
uint64_t
hist_pow2(const struct hist *h, int k)
{
	uint64_t	lo, hi, c = 0;
	unsigned	b;

	lo = k == 0 ? 0 : 1ULL << (k - 1);
	hi = k == 0 ? 0 : (1ULL << k) - 1;
	for (b = bucket(lo); b < HIST_N && bucket_hi(b) <= hi; b++)
		c += h->b[b];
	return c;
}

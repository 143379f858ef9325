/*
 * logtl.c - a time line of messages in TL_N buckets whose width grows
 * with the span of the log (1 minute, 5, 10, 30, 1 hour, 2, 6, 12, 1 day,
 * 1 week, 4 weeks): when a message falls outside, neighbouring buckets
 * merge into wider ones.  Buckets are aligned on multiples of their width
 * in Unix time (UTC).  Times out of order (a rotated file read after
 * current) shift the line right when it has room.
 */
#include <string.h>

#include "logtl.h"

static const time_t	ladder[] = { 60, 300, 600, 1800, 3600, 7200, 21600,
    43200, 86400, 604800, 2419200 };
#define LADDER_N	(int)(sizeof(ladder) / sizeof(ladder[0]))

/* Buckets in use. */
int
tl_len(const struct tl *l)
{
	int	i;

	for (i = TL_N; i > 0 && l->n[i - 1] == 0; i--)
		;
	return i;
}

/* The next width of the ladder: buckets merge. */
static void
widen(struct tl *l)
{
	uint64_t	n[TL_N], f[TL_N];
	time_t		w = ladder[++l->wi], nb = l->base - l->base % w;
	int		i, j;

	memset(n, 0, sizeof(n));
	memset(f, 0, sizeof(f));
	for (i = 0; i < TL_N; i++) {
		j = (int)((l->base + (time_t)i * l->width - nb) / w);
		n[j] += l->n[i];
		f[j] += l->flagged[i];
	}
	memcpy(l->n, n, sizeof(n));
	memcpy(l->flagged, f, sizeof(f));
	l->base = nb;
	l->width = w;
}

/* t is before base: shift right if the line has room; 0, or -1. */
static int
shift(struct tl *l, time_t t)
{
	time_t	nb = t - t % l->width;
	long	k = (long)((l->base - nb) / l->width);
	int	last = tl_len(l);

	if (k + last > TL_N)
		return -1;
	memmove(l->n + k, l->n, (size_t)last * sizeof(l->n[0]));
	memmove(l->flagged + k, l->flagged, (size_t)last *
	    sizeof(l->flagged[0]));
	memset(l->n, 0, (size_t)k * sizeof(l->n[0]));
	memset(l->flagged, 0, (size_t)k * sizeof(l->flagged[0]));
	l->base = nb;
	return 0;
}

/* Count a message at t. */
void
tl_add(struct tl *l, time_t t, int flagged)
{
	long	i;

	if (t < 0)
		t = 0;
	if (!l->used) {
		l->used = 1;
		l->width = ladder[0];
		l->base = t - t % l->width;
	}
	for (;;) {
		i = t >= l->base ? (long)((t - l->base) / l->width) : -1;
		if (i >= 0 && i < TL_N)
			break;
		if (i < 0 && shift(l, t) == 0)
			continue;
		if (l->wi + 1 == LADDER_N) {	/* 18 years: clamp */
			i = i < 0 ? 0 : TL_N - 1;
			break;
		}
		widen(l);
	}
	l->n[i]++;
	l->flagged[i] += flagged != 0;
}

/* logtl.h - messages and flagged messages over time, in fixed memory */
#ifndef QQTAG_LOGTL_H
#define QQTAG_LOGTL_H

#include <stdint.h>
#include <time.h>

#define TL_N	240	/* buckets */

struct tl {
	int		used;
	int		wi;		/* the width: ladder index */
	time_t		base;		/* start of bucket 0 */
	time_t		width;		/* seconds a bucket */
	uint64_t	n[TL_N];
	uint64_t	flagged[TL_N];
};

/* Count a message at time t (flagged or not). */
void	tl_add(struct tl *, time_t, int);
/* Buckets in use: 0 .. the last one that is not empty, plus one. */
int	tl_len(const struct tl *);

#endif

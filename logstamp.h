/* logstamp.h - the time stamps in front of log lines, and time options */
#ifndef QQTAG_LOGSTAMP_H
#define QQTAG_LOGSTAMP_H

#include <stddef.h>
#include <time.h>

/* Local-time conversions, cached by the hour (logs are in time order). */
struct stamp_ctx {
	time_t	now;		/* syslog's missing year: from it */
	int	now_year;	/* its local year */
	int	key[4];		/* cache: year, month, day, hour */
	time_t	hour;		/* its hour's start */
	int	skey[3];	/* syslog cache: month, day, hour */
	time_t	shour;
};

/* A context whose reference time ("now") is now. */
void	stamp_init(struct stamp_ctx *, time_t);
/*
 * The time stamp at the start of n bytes at p: multilog's TAI64N
 * (@4000...), ISO 8601 (2026-12-03T13:00:00[.frac][Z|+01:00], or with a
 * blank for the T: tai64nlocal's), or syslog's "Dec  3 13:00:00".
 * Returns 1 and sets *t (Unix time) and *used (bytes, with the blank
 * after it), or 0 when the line starts with none of them.
 */
int	stamp_parse(struct stamp_ctx *, const char *, size_t, time_t *,
	    size_t *);
/*
 * An option's date: YYYY-MM-DD[{T| }HH:MM[:SS]][Z|+HH:MM], local time
 * without a zone.  0, or -1 when s is not one.
 */
int	stamp_arg(struct stamp_ctx *, const char *, time_t *);
/* A duration N{s|m|h|d|w} into seconds.  0, or -1. */
int	stamp_duration(const char *, time_t *);

#endif

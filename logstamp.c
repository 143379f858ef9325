/*
 * logstamp.c - the time stamps in front of qqtag's log lines:
 *
 *   @4000000069301c2a1d3c4e5f qqtag: ...	multilog (TAI64N)
 *   2026-12-03 13:00:00.123456789 qqtag: ...	tai64nlocal (local time)
 *   2026-12-03T13:00:00.123+01:00 host ...	rsyslog's RFC 3339 format
 *   Dec  3 13:00:00 host qmail-smtpd[1]: ...	syslog (local, no year)
 *
 * TAI64N: the label is 2^62 + 10 + Unix time, as daemontools' tai64n
 * writes it (it ignores leap seconds, and so do we).  Syslog's stamp has
 * no year: a line gets the year that puts it at most one day after the
 * reference time (now), so a log of December read in January is last
 * year's.  Local times go through mktime(3) once an hour of log, cached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logstamp.h"
#include "rfc5322.h"

#define TAI_OFFSET	0x400000000000000AULL	/* 2^62 + 10 */
#define FUTURE_SLACK	86400	/* syslog: a line ahead of now */

/* Set up the context with reference time now. */
void
stamp_init(struct stamp_ctx *c, time_t now)
{
	struct tm	tm;

	memset(c, 0, sizeof(*c));
	c->now = now;
	localtime_r(&now, &tm);
	c->now_year = tm.tm_year + 1900;
	c->key[0] = -1;
	c->skey[0] = -1;
}

/* n decimal digits at p into *v: 0, or -1. */
static int
digits(const char *p, size_t n, int *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	return 0;
}

/* @ and 24 hex digits (TAI64N); the nanoseconds are not used. */
static int
tai64n(const char *p, size_t n, time_t *t)
{
	uint64_t	x = 0;
	size_t		i;
	int		h;

	if (n < 25 || p[0] != '@')
		return -1;
	for (i = 1; i < 25; i++) {
		if ((h = rfc_hexval((unsigned char)p[i])) == -1)
			return -1;
		if (i <= 16)
			x = x << 4 | (uint64_t)h;
	}
	if (x < TAI_OFFSET || x - TAI_OFFSET > (uint64_t)INT32_MAX * 64)
		return -1;
	*t = (time_t)(x - TAI_OFFSET);
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's). */
static long
days_civil(int y, int m, int d)
{
	long	era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The start of local hour y-m-d h (cached: one mktime an hour of log). */
static time_t
local_hour(struct stamp_ctx *c, int y, int m, int d, int h)
{
	struct tm	tm;

	if (c->key[0] == y && c->key[1] == m && c->key[2] == d &&
	    c->key[3] == h)
		return c->hour;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_isdst = -1;
	c->hour = mktime(&tm);
	c->key[0] = y;
	c->key[1] = m;
	c->key[2] = d;
	c->key[3] = h;
	return c->hour;
}

/* HH:MM:SS at p into *secs (of the day) and *h.  0, or -1. */
static int
clock_hms(const char *p, int *h, int *secs)
{
	int	mi, s;

	if (p[2] != ':' || p[5] != ':' || digits(p, 2, h) == -1 ||
	    digits(p + 3, 2, &mi) == -1 || digits(p + 6, 2, &s) == -1 ||
	    *h > 23 || mi > 59 || s > 60)
		return -1;
	*secs = mi * 60 + s;
	return 0;
}

/* A zone Z, +HH:MM, +HHMM at p (n bytes): *off seconds east; bytes used. */
static size_t
zone(const char *p, size_t n, long *off, int *has)
{
	int	hh, mm;

	*has = 0;
	*off = 0;
	if (n >= 1 && p[0] == 'Z') {
		*has = 1;
		return 1;
	}
	if (n < 5 || (p[0] != '+' && p[0] != '-') || digits(p + 1, 2, &hh))
		return 0;
	if (p[3] == ':' && n >= 6 && digits(p + 4, 2, &mm) == 0)
		n = 6;
	else if (digits(p + 3, 2, &mm) == 0)
		n = 5;
	else
		return 0;
	if (hh > 23 || mm > 59)
		return 0;
	*has = 1;
	*off = (hh * 3600L + mm * 60L) * (p[0] == '-' ? -1 : 1);
	return n;
}

/*
 * YYYY-MM-DD{T| }HH:MM[:SS][.frac][zone] at p: 0 with *t and *used, or
 * -1.  needsec: the seconds are required (a log line).  A date alone is
 * taken (midnight, local) only when it is all of the n bytes.
 */
static int
iso(struct stamp_ctx *c, const char *p, size_t n, int needsec, time_t *t,
    size_t *used)
{
	int	y, m, d, h = 0, mi = 0, s = 0, has;
	size_t	i = 10;
	long	off;

	if (n < 10 || p[4] != '-' || p[7] != '-' || digits(p, 4, &y) ||
	    digits(p + 5, 2, &m) || digits(p + 8, 2, &d) || m < 1 ||
	    m > 12 || d < 1 || d > 31 || y < 1970)
		return -1;
	if (n > 10) {
		if ((p[10] != 'T' && p[10] != ' ') || n < 16 || p[13] != ':' ||
		    digits(p + 11, 2, &h) || digits(p + 14, 2, &mi) ||
		    h > 23 || mi > 59)
			return -1;
		i = 16;
		if (n >= 19 && p[16] == ':' && digits(p + 17, 2, &s) == 0 &&
		    s <= 60)
			i = 19;
		else if (needsec)
			return -1;
		if (i < n && p[i] == '.')
			for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
				;
		i += zone(p + i, n - i, &off, &has);
	} else if (needsec)
		return -1;
	else
		has = 0, off = 0;
	if (has)
		*t = (time_t)((days_civil(y, m, d) * 24 + h) * 3600L + mi *
		    60L + s - off);
	else
		*t = local_hour(c, y, m, d, h) + mi * 60 + s;
	*used = i;
	return 0;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* "Dec  3 13:00:00" (or "Dec 03"): the year of now, or the one before. */
static int
syslog_stamp(struct stamp_ctx *c, const char *p, size_t n, time_t *t)
{
	const char	*mp;
	int		 m, d, h, secs, y;

	if (n < 15 || p[3] != ' ' || p[6] != ' ' ||
	    (mp = memmem(months, sizeof(months) - 1, p, 3)) == NULL ||
	    (mp - months) % 3 != 0 || clock_hms(p + 7, &h, &secs) == -1)
		return -1;
	m = (int)(mp - months) / 3 + 1;
	if (digits(p + 4 + (p[4] == ' '), 2 - (p[4] == ' '), &d) == -1 ||
	    d < 1 || d > 31)
		return -1;
	if (c->skey[0] != m || c->skey[1] != d || c->skey[2] != h) {
		y = c->now_year;
		if (local_hour(c, y, m, d, h) > c->now + FUTURE_SLACK)
			y--;
		c->shour = local_hour(c, y, m, d, h);
		c->skey[0] = m;
		c->skey[1] = d;
		c->skey[2] = h;
	}
	*t = c->shour + secs;
	return 0;
}

/* The stamp at the start of a line, if any: 1 with *t and *used, or 0. */
int
stamp_parse(struct stamp_ctx *c, const char *p, size_t n, time_t *t,
    size_t *used)
{
	size_t	u, e;

	if (n > 0 && p[0] == '@') {
		if (tai64n(p, n, t) == -1)
			return 0;
		u = 25;
	} else if (n > 0 && p[0] >= '0' && p[0] <= '9') {
		for (e = 0; e < n && e < 40 && p[e] != ' '; e++)
			;
		if (e == 10 && e < n)	/* tai64nlocal: date blank time */
			for (e++; e < n && e < 40 && p[e] != ' '; e++)
				;
		if (iso(c, p, e, 1, t, &u) == -1 || u != e)
			return 0;
	} else if (syslog_stamp(c, p, n, t) == 0)
		u = 15;
	else
		return 0;
	if (u < n && p[u] != ' ')	/* a stamp ends with a blank */
		return 0;
	*used = u < n ? u + 1 : u;
	return 1;
}

/* An option's date (local time without a zone): 0, or -1. */
int
stamp_arg(struct stamp_ctx *c, const char *s, time_t *t)
{
	size_t	n = strlen(s), u;

	if (iso(c, s, n, 0, t, &u) == -1 || u != n)
		return -1;
	return 0;
}

/* N{s|m|h|d|w}: seconds into *t.  0, or -1. */
int
stamp_duration(const char *s, time_t *t)
{
	static const char	units[] = "smhdw";
	static const long	secs[] = { 1, 60, 3600, 86400, 604800 };
	const char		*u;
	char			*end;
	long			 v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (end == s || *end == '\0' || end[1] != '\0' ||
	    (u = strchr(units, *end)) == NULL || v <= 0 ||
	    v > 100L * 365 * 86400 / secs[u - units])
		return -1;
	*t = (time_t)(v * secs[u - units]);
	return 0;
}

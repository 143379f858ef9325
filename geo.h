/*
 * geo.h: GeoIP country and AS number of the client IP from MaxMind DB
 * files (GeoLite2, DB-IP lite) through libmaxminddb, with per-country and
 * per-ASN weights from the policy.  The policy grammar is described at the
 * top of geo.c.  No function here fails a message: trouble means no data
 * and a short error key for the log line.
 */
#ifndef QQTAG_GEO_H
#define QQTAG_GEO_H

#include <stddef.h>

#define GEO_ORGMAX	128	/* bytes kept of the AS organisation + NUL */

struct geo_conf;	/* opaque: database paths, country and ASN weights */

struct geo_result {
	int	 have_country, have_asn;
	char	 cc[3];		/* ISO 3166 alpha-2, two upper-case ASCII
				   letters, NUL-terminated */
	unsigned long asn;	/* 1..4294967295 when have_asn */
	char	 org[GEO_ORGMAX]; /* AS organisation: raw bytes (CR, LF,
				   NUL, 8-bit as the file has them) cut to
				   GEO_ORGMAX - 1, then a NUL; the header
				   writer must sanitise it */
	size_t	 orglen;	/* bytes in org before the added NUL; an
				   embedded NUL is counted, so hand the
				   writer (org, orglen) */
	const char *error;	/* NULL, or a static key for the log line:
				   "ip-invalid", or "country-" / "asn-"
				   followed by missing, unreadable, nomem,
				   corrupt, data, sigbus or segv; the
				   country database's error comes first */
	double	 weight;	/* sum of the configured weights that matched */
	const char *tests[2];	/* test names that fired: [0] GEO_CC_xx,
				   [1] GEO_ASN_n; NULL if none.  They point
				   into the geo_conf */
	double	 tweight[2];	/* the weight of each of tests[] */
};

/* Configuration (from the policy file). */
struct geo_conf *geo_conf_new(void);
void	geo_conf_free(struct geo_conf *);
/*
 * One policy line whose keyword is geoip, country or asn, split into words
 * (argv[0] is the keyword).  Returns 0, or -1 with a one-line reason in
 * err (errno EINVAL, or ENOMEM).  A line with an error changes nothing.
 */
int	geo_conf_line(struct geo_conf *, int, char *[], char *, size_t);
/*
 * Strict check for qqtag -n: each configured database exists, opens as a
 * MaxMind DB, and its first records carry the expected fields with the
 * expected types; weights without their database are errors.  0, or -1
 * with a one-line reason in err.
 */
int	geo_conf_check(const struct geo_conf *, char *, size_t);
/* Whether any database is configured (no lookup is worth a call if not). */
int	geo_enabled(const struct geo_conf *);

/*
 * Look up one client IP (text: IPv4, IPv6, ::ffff:a.b.c.d counts as IPv4).
 * Each database is opened (mmap), read and closed again before this
 * returns: no descriptor, mapping or signal handler outlives the call.
 * Never fails: trouble leaves have_country/have_asn 0 and sets error.  An
 * address the databases do not know is no data and no error.
 */
void	geo_lookup(const struct geo_conf *, const char *, struct geo_result *);

/*
 * Tests only: fn(path, arg) is called after each database is opened and
 * before it is read, so a test can truncate or replace the file in
 * between.  NULL removes the hook.
 */
void	geo_test_hook(void (*)(const char *, void *), void *);

#endif

/* report.h - findings, score, verdict, and the header block they make */
#ifndef QQTAG_REPORT_H
#define QQTAG_REPORT_H

#include <stddef.h>

#include "buf.h"

#define REPORT_MAX	128	/* findings of one message */

struct policy;
struct dnsbl_result;

/* One thing that fired: a test name with its weight and what to say. */
struct finding {
	const char	*test;
	double		 weight;
	const struct dnsbl_result *dns;	/* DNS finding, or NULL */
	const char	*text;		/* program-made warning, or NULL */
	const char	*detail;	/* untrusted detail, or NULL */
	size_t		 detlen;
};

struct report {
	const struct policy *pol;
	double		 threshold;
	double		 score;
	struct finding	 f[REPORT_MAX];
	size_t		 n;
	unsigned	 nerrors;
	struct buf	 lists;		/* labels of lists that listed */
	struct buf	 errors;	/* LABEL:code of checks that failed */
	struct buf	 info;		/* extra "key=value" for X-Qqtag */
	const char	*cc;		/* GeoIP country, or NULL */
	unsigned long	 asn;		/* AS number, or 0 */
	const char	*org;		/* AS organisation (untrusted), or NULL */
	size_t		 orglen;
};

void	report_init(struct report *, const struct policy *, double);
void	report_add(struct report *, const char *, double, const char *,
	    const char *, size_t);
void	report_dns(struct report *, const struct dnsbl_result *);
void	report_info(struct report *, const char *, const char *, size_t);
void	report_error(struct report *, const char *);
void	report_geo(struct report *, const char *, unsigned long,
	    const char *, size_t);
int	report_flagged(const struct report *);
int	report_block(const struct report *, struct buf *);
int	report_unchecked(const struct report *, struct buf *, const char *);
int	report_guard(struct buf *);
void	report_log(const struct report *, struct buf *);
void	report_free(struct report *);

#endif

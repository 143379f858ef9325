/* report.h - findings, score, verdict, and the header block they make */
#ifndef QQTAG_REPORT_H
#define QQTAG_REPORT_H

#include <stddef.h>

#include "buf.h"


#define REPORT_MAX	256	/* findings of one message, every verdict */
#define FINDING_PARTS	8	/* pieces of one warning */
#define FINDING_TEXT	96	/* program text a finding formats */

struct policy;

enum finding_verdict { F_CLEAN, F_LISTED, F_ERROR };

/* A piece of a warning: program text, or untrusted bytes (sanitised). */
struct finding_part {
	const char	*p;
	size_t		 n;
	int		 untrusted;
	int		 glue;		/* no space before it */
};

/*
 * One result of a check, whatever its verdict.  Listed findings score
 * and get an X-Spam-Warning built from the parts; errors are named in
 * errors= as KEY (or LABEL:ANSWER); qqtag -c prints every finding.
 * Pointers must stay valid until the report is written (the checks'
 * per-message state lives that long).
 */
struct finding {
	const char	*test;		/* score name */
	const char	*kind;		/* "dnsbl", "geo", "heur"... for -c */
	const char	*label;		/* errors= key (LABEL:ANSWER); a
					   list's policy label, never a zone */
	int		 list;		/* a list: listed, label in lists= */
	enum finding_verdict verdict;
	double		 weight;
	const char	*subject;	/* what was looked up (untrusted) */
	size_t		 subjlen;
	const char	*answer;	/* codes, error key (program text) */
	size_t		 anslen;
	unsigned	 ms;		/* from the check's start */
	const void	*once;		/* the parts from oncefrom on are shown
					   once among the findings with this
					   key (a list's TXT) */
	size_t		 oncefrom;
	size_t		 nparts;
	struct finding_part part[FINDING_PARTS];
	char		 text[FINDING_TEXT];	/* formatted program text */
};

void	finding_init(struct finding *, const char *, const char *,
	    enum finding_verdict);
void	finding_text(struct finding *, const char *, size_t, int, int);

struct report {
	const struct policy *pol;
	double		 threshold;
	double		 score;
	size_t		 n;		/* findings, every verdict */
	size_t		 nlisted;	/* of them listed (they score) */
	unsigned	 nerrors;
	struct buf	 lists;		/* labels of lists that listed */
	struct buf	 errors;	/* LABEL:code of checks that failed */
	struct buf	 info;		/* extra "key=value" for X-Qqtag */
	const char	*cc;		/* GeoIP country, or NULL */
	unsigned long	 asn;		/* AS number, or 0 */
	const char	*org;		/* AS organisation (untrusted), or NULL */
	size_t		 orglen;
	struct finding	 f[REPORT_MAX];	/* last: report_init leaves it */
};

void	report_init(struct report *, const struct policy *, double);
void	report_finding(struct report *, const struct finding *);
void	report_add(struct report *, const char *, double, const char *,
	    const char *, size_t);
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

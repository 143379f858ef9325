/* logwarn.h - what in a log needs the administrator: warnings, --check */
#ifndef QQTAG_LOGWARN_H
#define QQTAG_LOGWARN_H

#include <stddef.h>
#include <stdint.h>

#include "logagg.h"

#define WARN_MAX	64
#define WARN_TEXT	320

enum { LV_OK, LV_WARN, LV_CRIT };

/* The thresholds (command line options; defaults in warn_defaults). */
struct thresholds {
	double		list_warn, list_crit;	/* % of queries */
	double		unchecked_warn, unchecked_crit; /* % */
	uint64_t	eom_warn, eom_crit;	/* after_eom p95, ms */
	uint64_t	min_msgs;	/* fewer queries of a list: no share
					   warnings for it */
};

struct warning {
	int	level;
	char	text[WARN_TEXT];
};

struct warnings {
	size_t		n;
	struct warning	w[WARN_MAX];
};

/* The documented defaults. */
void	warn_defaults(struct thresholds *);
/* Add a warning (past WARN_MAX: dropped). */
void	warn_add(struct warnings *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Every warning the figures of a give, criticals first. */
void	warn_eval(const struct agg *, const struct thresholds *,
	    struct warnings *);
/* The highest level of w (LV_OK when empty). */
int	warn_level(const struct warnings *);

#endif

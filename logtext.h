/* logtext.h - qqtag-report's plain-text summary */
#ifndef QQTAG_LOGTEXT_H
#define QQTAG_LOGTEXT_H

#include <stdio.h>

#include "logagg.h"
#include "logwarn.h"

#define TEXT_TOP	10	/* rows of the country and AS tables */

/* "2026-12-03 13:00" (local time) into buf. */
void	text_time(time_t, char *, size_t);
/* The summary of a, warnings w first, on o.  -1 on a write error. */
int	text_report(FILE *, const struct agg *, const struct warnings *);

#endif

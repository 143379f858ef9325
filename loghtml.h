/* loghtml.h - qqtag-report's HTML page: inline SVG charts, no script */
#ifndef QQTAG_LOGHTML_H
#define QQTAG_LOGHTML_H

#include <stdio.h>

#include "logagg.h"
#include "logwarn.h"

/* The page for a and its warnings on o.  -1 on a write error. */
int	html_report(FILE *, const struct agg *, const struct warnings *);
/* s as HTML text (& < > " ' escaped; other controls as '?') on o. */
void	html_esc(FILE *, const char *);

#endif

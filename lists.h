/*
 * lists.h: local list files (listfile.c reads them) checked like DNS
 * lists: the policy lines, and one message's checks with results built as
 * DNS lists' are (listres.c: same filters, weights, labels, results).  The
 * policy grammar is described at the top of lists.c.
 */
#ifndef LISTS_H
#define LISTS_H

#include <stddef.h>

#include "dnsbl.h"
#include "health.h"	/* list health, for the callers of both */

struct lists_conf;	/* opaque: local lists and the state file */
struct lists_run;	/* opaque: one message's local-list results */

/*
 * Configuration (from the policy file).
 * lists_conf_line(): one line whose keyword is iplist, ipwl, domainlist or
 *   state, split into words (argv[0] the keyword).  0, or -1 with errno
 *   (EINVAL, ENOMEM) and a one-line reason in err.
 * lists_conf_check(): after the whole policy: -1 with a reason when a local
 *   list has the label of a DNS list (dc may be NULL), else 0.
 * lists_conf_state(), lists_conf_maxage(): the state line's FILE (or NULL)
 *   and MAXAGE in seconds.
 * lists_conf_file(c, i, &f): the i-th list's file (for the probe); 0, or
 *   -1 past the end.
 */
struct lists_file {
	const char	*label;
	const char	*keyword;	/* "iplist" "ipwl" "domainlist" */
	const char	*path;
	int		 format;	/* LISTFILE_* */
};

struct lists_conf *lists_conf_new(void);
void lists_conf_free(struct lists_conf *);
int lists_conf_line(struct lists_conf *, int, char *[], char *, size_t);
int lists_conf_check(const struct lists_conf *, const struct dnsbl_conf *,
    char *, size_t);
size_t lists_conf_nlists(const struct lists_conf *);
const char *lists_conf_state(const struct lists_conf *);
unsigned long lists_conf_maxage(const struct lists_conf *);
int lists_conf_file(const struct lists_conf *, size_t, struct lists_file *);

/*
 * One message.
 * lists_start(conf, ip): every IP list is read now, keeping only what
 *   concerns ip (TCPREMOTEIP or TCP6REMOTEIP text; any valid address,
 *   private ones too: the data is local), and looked up.  A NULL or
 *   invalid ip checks nothing.  NULL only when out of memory.
 * lists_domain(run, DNSBL_FROM or DNSBL_SENDER, domain): every domain list
 *   is read for that domain (once per domain) and looked up.
 * lists_nresults/lists_result: the results (struct dnsbl_result, kind
 *   "dnsbl" for iplist, "dnswl" for ipwl, "rhsbl" for domainlist), valid
 *   until lists_free().  listres_report() makes them findings, as DNS results.
 */
struct lists_run *lists_start(const struct lists_conf *, const char *);
void lists_domain(struct lists_run *, int, const char *);
size_t lists_nresults(const struct lists_run *);
const struct dnsbl_result *lists_result(const struct lists_run *, size_t);
void lists_free(struct lists_run *);

#endif

/*
 * spfeval.h - one SPF evaluation, check_host() of RFC 7208 §4, as a state
 * machine that resumes on DNS callbacks (auth_query(): dns.c's cache, the
 * one deadline).  Fixed-size state: SPF_DEPTH records, SPF_NAMES_MAX names
 * of an mx or ptr; memory does not grow with the records' size or terms.
 */
#ifndef QQTAG_SPFEVAL_H
#define QQTAG_SPFEVAL_H

#include <stdio.h>

#include "auth.h"

struct msg;
struct spf_eval;

/*
 * RFC 7208 §4.6.4 limits: SPF_TERMS_MAX terms that ask DNS (include, a,
 * mx, ptr, exists, redirect), SPF_VOID_MAX lookups answering nothing,
 * SPF_NAMES_MAX names of one mx (more: permerror) or ptr (the rest are
 * ignored).  SPF_DEPTH records at once: the top one plus one per include
 * or redirect, which the term limit bounds.  SPF_PREFETCH_MAX: queries
 * one evaluation sends ahead of its terms (include and redirect targets,
 * a/mx/exists names without macros), only while auth queries stay below
 * SPF_PREFETCH_ROOM of AUTH_QUERIES_MAX.
 */
#define SPF_TERMS_MAX	10
#define SPF_VOID_MAX	2
#define SPF_NAMES_MAX	10
#define SPF_DEPTH	(SPF_TERMS_MAX + 1)
#define SPF_PREFETCH_MAX 32
#define SPF_PREFETCH_ROOM (AUTH_QUERIES_MAX / 2)

/*
 * spf_eval_start(m, local, domain, helo, trace): check_host(m->ip,
 *   domain, local@domain) with helo for %{h}; a step a line into trace
 *   when non-NULL.  Queries leave now; the result may already be final
 *   (none for a malformed domain).  NULL only with errno ENOMEM.
 * spf_eval_done(e): 1 when the result is final.
 * spf_eval_res(e, reason): the result (AUTH_TEMPERROR while still
 *   running: the deadline came first), and its reason (program text).
 * spf_eval_uses(e): the macro letters the evaluated terms used
 *   (SPF_USES bits, spfrec.h).
 * spf_eval_queries(e): DNS queries it asked (prefetches included).
 * spf_eval_free(e): cancel what is pending, free.
 */
struct spf_eval	*spf_eval_start(struct msg *, const char *, const char *,
		    const char *, FILE *);
int		 spf_eval_done(const struct spf_eval *);
enum auth_res	 spf_eval_res(const struct spf_eval *, const char **);
unsigned	 spf_eval_uses(const struct spf_eval *);
unsigned	 spf_eval_queries(const struct spf_eval *);
void		 spf_eval_free(struct spf_eval *);

#endif

/*
 * listres.h - the results of list checks, built by one piece of code for
 * DNS lists (dnsbl.c) and local list files (lists.c): a check's fixed
 * fields, an answer's classification turned into results (one per
 * matching filter for a listing), answer codes as text, and a run's
 * results walked in the order its checks started.
 */
#ifndef QQTAG_LISTRES_H
#define QQTAG_LISTRES_H

#include <stddef.h>
#include <time.h>

#include "dnsbl.h"

#define LISTRES_SUBJECTMAX 256	/* IP text or domain, NUL included */

/* One check's results; a module's check struct has it as first member. */
struct listres {
	struct listres		*next;		/* the run's next check */
	const char		*label;		/* of every result */
	const char		*kind;
	int			 has_weight;
	int			 source;	/* 0, DNSBL_FROM|DNSBL_SENDER */
	char			 subject[LISTRES_SUBJECTMAX];
	struct timespec		 t0;		/* the check's start */
	struct dnsbl_result	*res;
	size_t			 nres;
};

/* A run's checks, in the order they started. */
struct listres_chain {
	struct listres		*head;
	struct listres		**tail;
};

/*
 * listres_chain_init(ch): an empty chain.
 * listres_begin(ch, lr, label, kind, subject, source, has_weight): lr
 *   (zeroed by the caller) starts now and joins the chain's end; -1 with
 *   errno ENAMETOOLONG when subject does not fit (lr is not joined).
 * listres_add(lr, verdict, test, answer): one result (test NULL: the
 *   label; answer NULL: ""; ms since the check's start).  NULL when out of
 *   memory or past DNSBL_MAXFILTERS + 1 results.
 * listres_judge(lr, list, class, txt, txtlen): the results of a
 *   classified answer: clean or error, one result with class->answer;
 *   listed, one per matching filter (its test, weight and codes; the TXT,
 *   not copied, must live as long as the results).
 * listres_source(lr, which): the subject is also DNSBL_FROM/SENDER.
 * listres_count/listres_get: the chain's results; NULL past the end.
 * listres_clear(lr): free lr's results (not lr).
 * listres_codes(class, mask, buf, size): the codes of mask (bit i:
 *   class->addr[i]) as "127.0.0.2,127.0.0.4", whole codes only.
 */
void	listres_chain_init(struct listres_chain *);
int	listres_begin(struct listres_chain *, struct listres *, const char *,
	    const char *, const char *, int, int);
struct dnsbl_result *listres_add(struct listres *, enum dnsbl_verdict,
	    const char *, const char *);
void	listres_judge(struct listres *, const struct dnsbl_list *,
	    const struct dnsbl_class *, const char *, size_t);
void	listres_source(struct listres *, int);
size_t	listres_count(const struct listres_chain *);
const struct dnsbl_result *listres_get(const struct listres_chain *, size_t);
void	listres_clear(struct listres *);
void	listres_codes(const struct dnsbl_class *, unsigned long, char *,
	    size_t);

struct policy;
struct report;
void	listres_report(struct report *, const struct policy *,
	    const struct dnsbl_result *);

#endif

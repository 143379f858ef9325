/*
 * check.h - the one interface every check fills in (DESIGN.md §3).
 *
 * A check is one file that defines a `const struct check` and one line of
 * the table in check.c.  qqtag.c (queue mode, -c, -T), policy.c (keywords,
 * -n), report.c (score, block, log) and -l reach checks only through the
 * table: none of them names a particular check.
 *
 * Life of one message, step by step (every step may be NULL):
 *   start     the client is known (struct msg: address, class, rDNS
 *             name from tcpserver); send queries.  Returns the check's
 *             per-message state, or NULL: nothing to do (errno ENOMEM
 *             when memory ran out; the check is then reported as an
 *             error "nomem", never the message deferred).
 *   headers   the header section is complete and parsed (msg->rfc,
 *             msg->rcvd); send more queries.
 *   body      only when wants_body says so: the body in order, in chunks
 *             of at most CHECK_CHUNK bytes, as it is spooled.
 *   envelope  sender and recipients are known (msg->env).
 *   findings  the DNS deadline has passed (or all answered): add every
 *             result to the report, listed, clean or error.  Called in
 *             table order: a check may leave facts in struct msg for the
 *             checks after it (the confirmed rDNS name, say).
 *   done      free the per-message state.
 */
#ifndef QQTAG_CHECK_H
#define QQTAG_CHECK_H

#include <stddef.h>

#include "score.h"

struct msg;
struct policy;
struct report;

#define CHECK_MAX	16		/* checks in the table */
#define CHECK_CHUNK	(64 * 1024)	/* body bytes a check sees at once */

struct check {
	const char	*name;		/* "dnsbl", "geo", ... (logs, -l) */
	const char *const *keywords;	/* policy keywords, NULL-ended */
	int		 names_files;	/* its lines name files -n checks */

	/* policy (policy.c): one conf per policy, made at its first line */
	void	*(*conf_new)(void);
	void	 (*conf_free)(void *);
	/* one line, split into words, argv[0] the keyword: 0, or -1 with
	   errno (EINVAL, ENOMEM) and a one-line reason in err */
	int	 (*conf_line)(void *, int, char *[], char *, size_t);
	/* after the whole policy (queue mode and -n): -1 with a reason when
	   the lines do not fit together (other checks' confs through
	   policy_conf()); strict adds what only -n looks at (files) */
	int	 (*conf_check)(void *, const struct policy *, int, char *,
		    size_t);
	/* -l, -n and "weight NAME W": the i-th built-in test, NULL past the
	   end; tests the policy names (list labels) are not among them */
	const struct score_test *(*test_at)(size_t);

	/* one message */
	void	*(*start)(const void *, struct msg *);
	void	 (*headers)(void *, struct msg *);
	int	 (*wants_body)(const void *);
	void	 (*body)(void *, struct msg *, const char *, size_t);
	void	 (*envelope)(void *, struct msg *);
	void	 (*findings)(void *, struct msg *, struct report *);
	void	 (*done)(void *);

	/* qqtag -T: probe what the check can probe, write what it keeps;
	   lines for stdout (-v) and stderr through the callbacks; returns
	   how many parts are broken, or -1 (nothing recorded) */
	int	 (*probe)(void *, const struct policy *, struct msg *, int);
};

extern const struct check *const check_table[];
extern const size_t check_count;

const struct check *check_by_keyword(const char *, size_t *);
const struct score_test *check_test(const char *);
const struct score_test *check_test_at(size_t);

#endif

/* logagg.h - the figures of a log: counts, tables, histograms, time line */
#ifndef QQTAG_LOGAGG_H
#define QQTAG_LOGAGG_H

#include <stdint.h>
#include <time.h>

#include "loghist.h"
#include "logline.h"
#include "lognames.h"
#include "logtl.h"

#define AG_TESTS	512	/* names kept; the rest is "other" */
#define AG_LISTS	64
#define AG_ERRKEYS	128
#define AG_CC		300
#define AG_ASN		4096
#define AG_RESULTS	32
#define AG_CLASSES	16
#define AG_CODES	4	/* error codes kept per list */
#define AG_CODELEN	16
#define AG_LINE_ERRS	64	/* errors= words of one line looked at */

/* How a list's query failed. */
enum ag_kind { K_TIMEOUT, K_REFUSED, K_SERVFAIL, K_CODE, K_BROKEN, K_OTHER,
	K_N };

struct ag_code {
	char		c[AG_CODELEN];
	uint64_t	n;
};

/* One list (by its policy label): per message, what it answered. */
struct ag_list {
	uint64_t	asked, listed, clean, error;
	uint64_t	kind[K_N];
	struct ag_code	code[AG_CODES];	/* codes: 127.x ... */
	uint64_t	code_other;
	uint64_t	run;		/* messages in a row ending with the
					   last one that asked: an error code */
	time_t		run_since;	/* the first of them */
	int		run_stamped;
	char		run_code[AG_CODELEN];
};

struct agg {
	/* input */
	uint64_t	lines, other, notices, outside, unstamped, cut;
	uint64_t	badfields, dupfields, nolists, overlong;
	/* messages */
	uint64_t	msgs, checked, flagged, unchecked, polerr, poloff;
	uint64_t	health, bytes, rcpts, stripped;
	struct names	classes, results, tests, lists, errkeys, cc, asn;
	uint64_t	class_n[AG_CLASSES + 1], result_n[AG_RESULTS + 1];
	uint64_t	test_n[AG_TESTS + 1], test_fl[AG_TESTS + 1];
	uint64_t	err_n[AG_ERRKEYS + 1];
	uint64_t	cc_n[AG_CC + 1], cc_fl[AG_CC + 1];
	uint64_t	asn_n[AG_ASN + 1], asn_fl[AG_ASN + 1];
	struct ag_list	list[AG_LISTS + 1];
	struct hist	ms, eom;
	uint64_t	hour_n[24], hour_fl[24];
	time_t		hc_lo;		/* hour cache: start */
	int		hc_hour;
	struct tl	tl;
	int		stamped;	/* any message had a time */
	time_t		first, last;
};

/* Set up an empty aggregate.  0, or -1 (ENOMEM). */
int	agg_init(struct agg *);
/*
 * Count one message line r; t its time when stamped (else stamped 0).
 */
void	agg_msg(struct agg *, const struct ll_rec *, time_t, int);
/* Classify an error answer ("timeout", "127.255.255.254" ...). */
enum ag_kind	agg_kind(const char *, size_t);
/* The name of a kind, for reports. */
const char	*agg_kind_name(enum ag_kind);
/*
 * The ids of table t whose counts v[] are not 0, most first, "other"
 * included: at most max into idx; returns how many.
 */
size_t	agg_top(const struct names *, const uint64_t *, size_t *, size_t);
size_t	agg_top_lists(const struct agg *, size_t *);

/* part as a percentage of whole (0 for none) */
static inline double
agg_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* a count for printf's %llu */
#define U(x)	((unsigned long long)(x))
/* Free it. */
void	agg_free(struct agg *);

#endif

/*
 * heur.h - header and envelope heuristics: the named tests that fire on
 * the parsed header section (rfc5322.h, received.h), the envelope and
 * what is known of the client.
 */
#ifndef QQTAG_HEUR_H
#define QQTAG_HEUR_H

#include <stddef.h>
#include <time.h>

#include "msg.h"
#include "score.h"

struct env;

#define HEUR_DETAIL	160	/* detail of one hit */
#define HEUR_MAX	64	/* room that always holds every test */

/* Which groups heur_run() fires (heur_ctx.tests). */
#define HEUR_T_HELO	0x1	/* qmail-smtpd's HELO; uses ip, rdns */
#define HEUR_T_RDNS	0x2	/* uses ip and rdns or ptr */
#define HEUR_T_ENVELOPE	0x4	/* uses env */
#define HEUR_T_HEADERS	0x8	/* the date window uses now */
#define HEUR_T_ALL	0xf

struct heur_ctx {
	unsigned	 tests;		/* HEUR_T_* bits */
	const char	*ip;		/* client IP text, or NULL */
	const char	*localip;	/* ours (TCPLOCALIP), or NULL */
	const char	*rdns;		/* forward-confirmed, or NULL */
	const char	*ptr;		/* PTR, maybe unconfirmed */
	const char *const *local;	/* our names, for HELO_CLAIMS_LOCAL */
	size_t		 nlocal;	/* 0: local ends at a NULL */
	const struct env *env;		/* the envelope, or NULL */
	unsigned long	 maxrcpt;	/* RCPT_MANY above it; 0 off */
	unsigned long	 undisclosed;	/* TO_UNDISCLOSED_MANY */
	time_t		 now;		/* 0: no date window */
	long		 date_past;	/* seconds tolerated; < 0 off */
	long		 date_future;
};

#define HEUR_MAXRCPT		50
#define HEUR_UNDISCLOSED	5
/* RCVD_TIME_BACKWARDS: a hop this much later than the one above it. */
#define HEUR_CLOCK_BACK		(16L * 3600)
/* RCVD_MANY_HOPS above it (real mail: under 20; qmail's limit is 100) */
#define HEUR_HOPS_MANY		40
/* FORGED_QMAIL_RCVD: qmail-queue's line and qmail-smtpd's, apart */
#define HEUR_QMAIL_SKEW		3600L
/* SUBJ_ALL_CAPS: at least this many letters */
#define HEUR_CAPS_MIN		10
/* DATE_IN_PAST beyond 10 days: longer than qmail's queuelifetime (7 days). */
#define HEUR_DATE_PAST		(10L * 86400)
#define HEUR_DATE_FUTURE	86400L

/* One test that fired. */
struct heur_hit {
	const struct score_test *test;	/* points into heur_tests[] */
	char	 detail[HEUR_DETAIL];	/* raw, untrusted: sanitise */
};

extern const struct score_test	heur_tests[];
extern const size_t		heur_ntests;

/* Defaults for a context: every group, policy defaults, nothing known. */
void	heur_ctx_init(struct heur_ctx *);
/* Fire the tests; fills at most max hits, returns how many. */
size_t	heur_run(const struct msg_hdrs *, const struct heur_ctx *,
	    struct heur_hit *, size_t);

/* HELO from qmail-smtpd's Received line, or NULL when it is not there. */
const char *heur_helo(const struct msg_hdrs *);
/* The trusted hop's client IP (canonical text), or NULL when unknown. */
const char *heur_hop_ip(const struct msg_hdrs *);

/* Pure helpers, exported for the unit tests and the fuzz target. */
const char *heur_regdom(const char *);
int	heur_dynamic(const char *, const char *, int);

#endif

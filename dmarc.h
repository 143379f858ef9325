/*
 * dmarc.h - DMARC (RFC 7489): the check (check_dmarc in check.c's table,
 * after spf and dkim) and its decision, a pure function of the From:
 * domain, the two record lookups and what SPF and DKIM left in m->auth
 * (unit tests drive it directly).
 */
#ifndef QQTAG_DMARC_H
#define QQTAG_DMARC_H

#include <stdio.h>

#include "auth.h"
#include "dmarcrec.h"

/* What the header section says of the author (§6.6.1). */
enum dmarc_from {
	DMARC_FROM_NONE = 0,	/* no From:, no mailbox, a literal, junk */
	DMARC_FROM_ONE,		/* one field, one mailbox: from */
	DMARC_FROM_FIELDS,	/* several From: fields */
	DMARC_FROM_BOXES	/* several mailboxes in the one From: */
};

struct dmarc_eval {
	/* in */
	enum dmarc_from	 fromstate;
	const char	*from;		/* the From: domain, lowercased */
	const char	*org;		/* its organizational domain; NULL:
					   no public suffix list */
	const struct dmarc_look *lfrom;	/* _dmarc.FROM */
	const struct dmarc_look *lorg;	/* _dmarc.ORG (org != from) */
	const struct auth_spf *spf;
	const struct auth_dkim *dkim;
	unsigned	 dice;		/* 0..99, the message's pct draw */
	/* out */
	enum auth_res	 res;		/* NONE PASS FAIL TEMPERROR PERMERROR */
	enum dmarc_pol	 policy;	/* published: p=, or sp= at org */
	enum dmarc_pol	 dis;		/* fail: applied after pct */
	const struct dmarc_rec *rec;	/* the record used, or NULL */
	int		 atorg;		/* rec is the org domain's */
	const char	*test;		/* the test that fires, or NULL */
	char		 reason[AUTH_REASON];
};

/*
 * dmarc_decide(e, trace): fill e's out part from its in part; each step
 * to trace when it is not NULL.  Never fails.
 * dmarc_aligned(from, id, mode): does identity domain id align with the
 * From: domain ('s' strict: equal; 'r' relaxed: same organizational
 * domain)?  1, 0, or -1 (no public suffix list).
 * dmarc_dice(s, n): the pct draw 0..99 of s[0..n), whitespace ignored.
 */
void		 dmarc_decide(struct dmarc_eval *, FILE *);
int		 dmarc_aligned(const char *, const char *, int);
unsigned	 dmarc_dice(const char *, size_t);

#endif

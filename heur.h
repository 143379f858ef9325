/* heur.h - header and envelope heuristics: facts from the header copy,
 * the trusted hop's client IP, and the named tests that fire on them. */
#ifndef QQTAG_HEUR_H
#define QQTAG_HEUR_H

#include <stddef.h>
#include <time.h>

#include "score.h"

struct env;

#define HEUR_NAME	256	/* a DNS name, RFC 1035 §2.3.4, and its NUL */
#define HEUR_IP		48	/* INET6_ADDRSTRLEN and slack */
#define HEUR_ADDR	320	/* local part 64, '@', domain 255 */
#define HEUR_DISPLAY	256	/* display name kept, RFC 2047 decoded */
#define HEUR_FIELD	8192	/* one unfolded field looked at */
#define HEUR_RCVD_MAX	16	/* Received fields searched for the hop */
#define HEUR_DETAIL	160	/* detail of one hit */
#define HEUR_MAX	32	/* room that always holds every test */

/*
 * Facts from the header section, filled by heur_parse().  Callers read
 * them through the functions below; the fields are for the unit tests.
 */
struct heur_msg {
	int	 rcvd_ok;		/* first field is qmail-smtpd's line */
	int	 rcvd_helo;		/* it had "(HELO h)" */
	int	 rcvd_auth;		/* "with ESMTPA"/"ESMTPSA" */
	int	 helo_long;		/* HELO longer than kept */
	char	 host[HEUR_NAME];	/* HOST as written ("unknown") */
	char	 helo[HEUR_NAME];	/* HELO (HOST when not written) */
	char	 rcvd_ip[HEUR_IP];	/* client IP of that line, canonical */
	char	 hop_ip[HEUR_IP];	/* trusted hop's client IP, or "" */
	int	 top_date_ok;		/* topmost Received line's date */
	time_t	 top_date;
	unsigned nfrom;			/* From fields */
	int	 from_ok;		/* first From: mailboxes, no junk */
	char	 from_addr[HEUR_ADDR];	/* first mailbox */
	char	 from_domain[HEUR_NAME];/* its domain, lowercased */
	char	 from_display[HEUR_DISPLAY];
	unsigned ndate;
	int	 date_ok;		/* first Date parses (RFC 5322 §3.3) */
	time_t	 date;
	unsigned nmid;
	int	 mid_ok;		/* one Message-ID, "<left@right>" */
	unsigned nto;			/* To fields */
	unsigned nvisible;		/* mailboxes in To and Cc */
	int	 eightbit;		/* a raw byte >= 0x80 in the section */
	int	 cut;			/* copy cut: absence is not known */
};

/* Which groups heur_run() fires (heur_ctx.tests). */
#define HEUR_T_HELO	0x1	/* needs ip (and rdns for the match) */
#define HEUR_T_RDNS	0x2	/* needs ip and rdns or ptr */
#define HEUR_T_ENVELOPE	0x4	/* needs env */
#define HEUR_T_HEADERS	0x8	/* date range needs now */
#define HEUR_T_ALL	0xf

struct heur_ctx {
	unsigned	 tests;		/* HEUR_T_* bits */
	const char	*ip;		/* client IP text, or NULL */
	const char	*localip;	/* our IP (TCPLOCALIP), or NULL */
	const char	*rdns;		/* forward-confirmed rDNS, or NULL */
	const char	*ptr;		/* PTR name even unconfirmed, or NULL */
	const char *const *local;	/* our host names (HELO claims us) */
	size_t		 nlocal;
	const struct env *env;		/* the envelope, or NULL */
	unsigned long	 maxrcpt;	/* RCPT_MANY above this; 0 off */
	unsigned long	 undisclosed;	/* TO_UNDISCLOSED_MANY above this */
	time_t		 now;		/* 0: no date-range tests */
	long		 date_past;	/* seconds tolerated; < 0 off */
	long		 date_future;
};

#define HEUR_MAXRCPT		50
#define HEUR_UNDISCLOSED	5
#define HEUR_DATE_PAST		(10L * 86400)	/* past any queue lifetime */
#define HEUR_DATE_FUTURE	86400L

/* One test that fired. */
struct heur_hit {
	const struct score_test *test;	/* points into heur_tests[] */
	char	 detail[HEUR_DETAIL];	/* raw, untrusted: sanitise it */
};

extern const struct score_test	heur_tests[];
extern const size_t		heur_ntests;

/*
 * Parse the capped header copy (LF line ends; any bytes).  Never fails:
 * malformed input is recorded as evidence.  cut: the copy hit its cap.
 */
void	heur_parse(const char *, size_t, int, struct heur_msg *);
/* Defaults for a context: every group, policy defaults, nothing known. */
void	heur_ctx_init(struct heur_ctx *);
/* Fire the tests; fills at most max hits, returns how many. */
size_t	heur_run(const struct heur_msg *, const struct heur_ctx *,
	    struct heur_hit *, size_t);

/* The From: domain (lowercased LDH name with a dot) or NULL. */
const char *heur_from_domain(const struct heur_msg *);
/* HELO from qmail-smtpd's Received line, or NULL when it is not there. */
const char *heur_helo(const struct heur_msg *);
/* The trusted hop's client IP (canonical text), or NULL when unknown. */
const char *heur_hop_ip(const struct heur_msg *);

/* Pure helpers, exported for the unit tests and the fuzz target. */
int	heur_date(const char *, size_t, time_t *);
const char *heur_regdom(const char *);
int	heur_dynamic(const char *, const char *, int);
int	heur_received_ip(const char *, size_t, char *, size_t);

#endif

/* heur.h - header and envelope heuristics: facts from the header copy,
 * the trusted hop's client IP, and the named tests that fire on them. */
#ifndef QQTAG_HEUR_H
#define QQTAG_HEUR_H

#include <stddef.h>
#include <time.h>

#include "score.h"

struct env;

#define HEUR_NAME	256	/* a DNS name and its NUL (RFC 1035) */
#define HEUR_IP		48	/* INET6_ADDRSTRLEN and slack */
#define HEUR_ADDR	320	/* local part 64, '@', domain 255 */
#define HEUR_DISPLAY	256	/* display name kept, RFC 2047 decoded */
#define HEUR_FIELD	8192	/* one unfolded field looked at */
#define HEUR_RCVD_MAX	16	/* Received fields searched for a hop */
#define HEUR_DETAIL	160	/* detail of one hit */
#define HEUR_MAX	32	/* room that always holds every test */

/*
 * Facts from the header section, filled by heur_parse().  Callers use
 * the functions below; the fields are for the unit tests and drivers.
 */
struct heur_msg {
	/* qmail-smtpd's own Received line, the first field */
	int	 rcvd_ok;		/* it is there and parsed */
	int	 rcvd_helo;		/* it had "(HELO h)" */
	int	 rcvd_auth;		/* "with ESMTPA" or "ESMTPSA" */
	int	 helo_long;		/* HELO longer than kept */
	char	 host[HEUR_NAME];	/* HOST as written ("unknown") */
	char	 helo[HEUR_NAME];	/* HELO (HOST when not written) */
	char	 rcvd_ip[HEUR_IP];	/* its client IP, canonical */
	/* the first Received line below it with an outside IP */
	char	 hop_ip[HEUR_IP];	/* canonical, or "" */
	int	 top_date_ok;		/* topmost Received's date */
	time_t	 top_date;
	unsigned nfrom;			/* From fields */
	int	 from_ok;		/* first one: mailboxes, no junk */
	char	 from_addr[HEUR_ADDR];	/* its first mailbox */
	char	 from_domain[HEUR_NAME];/* lowercased */
	char	 from_display[HEUR_DISPLAY];
	unsigned ndate;			/* Date fields */
	int	 date_ok;		/* the first one parses */
	time_t	 date;
	unsigned nmid;			/* Message-ID fields */
	int	 mid_ok;		/* just one, "<left@right>" */
	unsigned nto;			/* To fields */
	unsigned nvisible;		/* mailboxes in To and Cc */
	int	 eightbit;		/* a raw byte >= 0x80 */
	int	 cut;			/* copy cut: absence unknown */
};

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
/*
 * 1: this Received field value names a client IP from outside (the test
 * heur_parse() uses to find the trusted hop's line); 0 otherwise.
 */
int	heur_hop_line(const char *, size_t);

#endif

/*
 * auth.h - sender authentication (SPF, DKIM, DMARC): the results the
 * three checks leave in struct msg (m->auth) for the checks after them in
 * the table (DMARC reads SPF's and DKIM's) and for the
 * Authentication-Results header (authres.c), and the per-message cap on
 * the DNS queries the three ask together.
 *
 * Every string here is program text or a checked DNS name (dom_valid),
 * except those marked untrusted: the header writer sanitises those.
 */
#ifndef QQTAG_AUTH_H
#define QQTAG_AUTH_H

#include <stddef.h>

#include "dns.h"

struct msg;

/* RFC 8601 §2.7 results; AUTH_UNSET: the method did not run. */
enum auth_res {
	AUTH_UNSET = 0,
	AUTH_NONE,
	AUTH_PASS,
	AUTH_FAIL,
	AUTH_SOFTFAIL,		/* SPF */
	AUTH_NEUTRAL,		/* SPF, DKIM */
	AUTH_POLICY,		/* DKIM: valid, but local policy refuses it */
	AUTH_TEMPERROR,
	AUTH_PERMERROR
};

/*
 * AUTH_QUERIES_MAX: DNS queries SPF, DKIM and DMARC may ask for one
 * message, together (answers from the cache count too).  One SPF
 * evaluation within RFC 7208's limits asks at most 111 (the record, 10
 * terms, 10 names for each of them); two evaluations (From: domain early,
 * envelope sender later), 5 DKIM keys and 2 DMARC records fit.  A query
 * past it is not sent: the method asking is a temperror.
 */
#define AUTH_QUERIES_MAX 256
#define AUTH_DKIM_MAX	5	/* DKIM signatures verified per message */
#define AUTH_ADDR	320	/* an identity local@domain, NUL included */
#define AUTH_REASON	96	/* a result's reason (program text) */
#define AUTH_BTAG	16	/* header.b: the first 8+ chars of b= */

struct auth_spf {
	enum auth_res	 res;
	int		 helo;		/* identity is the HELO (null sender) */
	char		 identity[AUTH_ADDR];	/* untrusted: as given */
	char		 domain[DNS_NAMEMAX];	/* its domain, for DMARC */
	char		 reason[AUTH_REASON];
};

struct auth_dkim_sig {
	enum auth_res	 res;
	char		 d[DNS_NAMEMAX];	/* signing domain */
	char		 s[DNS_NAMEMAX];	/* selector */
	char		 a[24];			/* algorithm as written */
	char		 b[AUTH_BTAG];		/* start of b= */
	int		 partial;		/* l= left part of the body out */
	char		 reason[AUTH_REASON];
};

struct auth_dkim {
	size_t		 n;		/* signatures judged */
	size_t		 skipped;	/* signatures past AUTH_DKIM_MAX */
	struct auth_dkim_sig sig[AUTH_DKIM_MAX];
};

struct auth_dmarc {
	enum auth_res	 res;
	char		 from[DNS_NAMEMAX];	/* header.from domain */
	char		 policy[16];	/* "none" "quarantine" "reject" */
	char		 reason[AUTH_REASON];
};

struct msg_auth {
	struct auth_spf	 spf;
	struct auth_dkim dkim;
	struct auth_dmarc dmarc;
	enum auth_res	 iprev;		/* the client's rDNS (dnsbl.c) */
	char		 iprev_name[DNS_NAMEMAX];	/* policy.iprev's name */
	unsigned	 queries;	/* asked through auth_query() */
};

/* The conf of each of the three: its keyword "NAME on|off", default on. */
struct auth_conf {
	int		 on;
};

/* The result as RFC 8601 spells it ("pass", "temperror"...). */
const char	*auth_res_text(enum auth_res);
/*
 * dns_query() on the message's DNS service, counted against
 * AUTH_QUERIES_MAX.  0: cb will be called; -1 and no callback: errno
 * EDQUOT (the cap), or dns_query()'s errno, or EIO (no DNS service).
 */
int		 auth_query(struct msg *, const char *, int, dns_cb *, void *);
/* A conf that is on; NULL (ENOMEM). */
void		*auth_conf_new(void);
/* "NAME on|off": 0, or -1 with EINVAL and a usage line in err. */
int		 auth_conf_line(void *, int, char *[], char *, size_t);

#endif

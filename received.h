/*
 * received.h - trace lines (RFC 5321 §4.4): qmail-smtpd's own Received
 * line (the HELO and the client it names), the client IP other MTAs'
 * lines name, the trusted hop's line, Received dates, and every
 * Received line as a hop (its HELO, the rDNS its receiver found, its
 * client and date) for the trace rules of heur.c.
 */
#ifndef QQTAG_RECEIVED_H
#define QQTAG_RECEIVED_H

#include <stddef.h>
#include <time.h>

#include "ipaddr.h"
#include "rfc5322.h"

#define RCVD_HOPS_MAX	16	/* Received fields searched for a hop */
#define RCVD_TRACE_MAX	24	/* Received fields kept as hops */
#define RCVD_COUNT_MAX	1000	/* Received fields counted */
#define RCVD_ID		64	/* a queue ID kept, and its NUL */

/* What a hop's receiver wrote of the client's name (rcvd_hop.rdns_state). */
#define RCVD_RDNS_NA	0	/* nothing telling (qmail's "unknown") */
#define RCVD_RDNS_NAME	1	/* a name, in rdns */
#define RCVD_RDNS_NONE	2	/* none found: "(unknown [IP])" */

/* One Received line, as rcvd_hop() reads it. */
struct rcvd_hop {
	int		 from;		/* it has a from-clause */
	int		 qmail_net;	/* qmail-queue's line */
	int		 rdns_state;	/* RCVD_RDNS_* */
	int		 smtp;		/* "with SMTP": HELO */
	char		 helo[RFC_NAME];/* the client's HELO, lowercased */
	char		 rdns[RFC_NAME];/* RCVD_RDNS_NAME: lowercased */
	char		 by[RFC_NAME];	/* the receiver, lowercased */
	char		 id[RCVD_ID];	/* its queue ID ("id X"), or "" */
	struct ipaddr	 ip;		/* rcvd_client's */
	int		 date_ok;
	time_t		 date;
};

/* The trace facts of a header section, filled by rcvd_parse(). */
struct rcvd_info {
	/* qmail-smtpd's own Received line, the first field */
	int		 ok;		/* it is there and parsed */
	int		 helo_given;	/* it had "(HELO h)" */
	int		 auth;		/* "with ESMTPA" or "ESMTPSA" */
	int		 helo_long;	/* HELO longer than kept */
	char		 host[RFC_NAME];/* HOST as written ("unknown") */
	char		 helo[RFC_NAME];/* HELO (HOST when not written) */
	struct ipaddr	 ip;		/* its client IP */
	/* the topmost field, when a Received line: its date */
	int		 top_date_ok;
	time_t		 top_date;
	/* the first Received line below ours naming an outside IP */
	struct ipaddr	 hop;		/* family 0: none */
	char		 hop_text[IPADDR_TEXT];
	/* every Received field, top-down: counted, the first ones parsed */
	unsigned	 nrcvd;		/* at most RCVD_COUNT_MAX */
	unsigned	 nhop;		/* at most RCVD_TRACE_MAX */
	struct rcvd_hop	 hops[RCVD_TRACE_MAX];
};

void	rcvd_parse(const char *, size_t, struct rcvd_info *);
int	rcvd_qmail(const char *, struct rcvd_info *);
int	rcvd_client(const char *, size_t, struct ipaddr *);
int	rcvd_outside(const char *, size_t, struct ipaddr *);
int	rcvd_date(const char *, size_t, time_t *);
int	rcvd_hop(const char *, size_t, struct rcvd_hop *);
const char *rcvd_helo(const struct rcvd_info *);
const char *rcvd_hop_ip(const struct rcvd_info *);

#endif

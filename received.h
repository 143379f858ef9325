/*
 * received.h - trace lines (RFC 5321 §4.4): qmail-smtpd's own Received
 * line (the HELO and the client it names), the client IP other MTAs'
 * lines name, the trusted hop's line, and Received dates.
 */
#ifndef QQTAG_RECEIVED_H
#define QQTAG_RECEIVED_H

#include <stddef.h>
#include <time.h>

#include "msg.h"
#include "rfc5322.h"

#define RCVD_HOPS_MAX	16	/* Received fields searched for a hop */

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
};

void	rcvd_parse(const char *, size_t, struct rcvd_info *);
int	rcvd_qmail(const char *, struct rcvd_info *);
int	rcvd_client(const char *, size_t, struct ipaddr *);
int	rcvd_outside(const char *, size_t, struct ipaddr *);
int	rcvd_date(const char *, size_t, time_t *);
const char *rcvd_helo(const struct rcvd_info *);
const char *rcvd_hop_ip(const struct rcvd_info *);

#endif

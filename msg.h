/*
 * msg.h - one message's context: what every check reads about the client
 * and the message, each thing parsed once: the client address (struct
 * ipaddr) and the one rule for the addresses never looked up; the header
 * section and its parsed fields; the envelope; what checks learn for the
 * checks after them (the confirmed rDNS name).
 */
#ifndef QQTAG_MSG_H
#define QQTAG_MSG_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "auth.h"
#include "ipaddr.h"
#include "received.h"
#include "rfc5322.h"

struct dns;
struct env;
struct policy;

/* The header section, parsed once: its fields and its trace lines. */
struct msg_hdrs {
	struct rfc_fields	 rfc;
	struct rcvd_info	 rcvd;
};

/* What the message is checked for. */
enum msg_mode {
	MSG_QUEUE,		/* queue mode: a real message */
	MSG_CLIENT,		/* qqtag -c: a client, no message */
	MSG_PROBE		/* qqtag -T: the lists' test points */
};

struct msg {
	enum msg_mode	 mode;
	const struct policy *pol;
	struct dns	*dns;		/* the message's DNS service (msg_dns) */
	const char	*servers;	/* its resolvers; NULL: resolv.conf */
	const char	*health;	/* list health not used, and why */
	const char	*iptext;	/* the client as given (untrusted) */
	struct ipaddr	 ip;		/* parsed once; family 0: none */
	int		 hop;		/* ip is a trusted relay's client */
	int		 anyip;		/* qqtag -c -A: private ones too */
	const char	*remotehost;	/* TCPREMOTEHOST, or -r */
	const char	*localip;	/* TCPLOCALIP */
	const char	*helo;		/* qqtag -c -H; else NULL (queue mode:
					   hdrs.rcvd, qmail-smtpd's line) */
	FILE		*trace;		/* qqtag -c, -a: a check's steps */
	const char	*uritest;	/* qqtag -c -U: a domain or address
					   for the URI lists (uri.c) */
	time_t		 now;
	/* the header section, once complete */
	int		 have_headers;
	const char	*hdr;		/* the capped copy */
	size_t		 hdrlen;
	int		 hdrcut;	/* the copy hit its cap */
	struct msg_hdrs	 hdrs;		/* its parsed fields */
	const char	*from_domain;	/* of the one From: mailbox, or NULL */
	/* the envelope, once complete */
	const struct env *env;
	const char	*sender_domain;	/* NULL: none, or the null sender */
	/* left by a check for the ones after it in the table */
	const char	*rdns;		/* forward-confirmed client name */
	const char	*ptr;		/* PTR name, confirmed or not (raw) */
	struct msg_auth	 auth;		/* SPF, DKIM, DMARC, iprev (auth.h) */
};

void	msg_client(struct msg *, const char *, int, int);
struct dns *msg_dns(struct msg *);
void	msg_free(struct msg *);
void	msg_hdrs_parse(const char *, size_t, int, struct msg_hdrs *);
void	msg_headers(struct msg *, const char *, size_t, int);
const char *msg_from_domain(const struct msg_hdrs *);

#endif

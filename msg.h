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
#include <time.h>

#define IPADDR_TEXT	46	/* INET6_ADDRSTRLEN */

/* An address, parsed once; ::ffff:a.b.c.d is IPv4 (RFC 4291 §2.5.5.2). */
struct ipaddr {
	int		 family;	/* 4 or 6; 0: no address */
	unsigned char	 a[16];		/* IPv4 in a[0..3], the rest zero */
};

struct dns;
struct env;
struct heur_msg;
struct policy;

/* What the message is checked for. */
enum msg_mode {
	MSG_QUEUE,		/* queue mode: a real message */
	MSG_CLIENT,		/* qqtag -c: a client, no message */
	MSG_PROBE		/* qqtag -T: the lists' test points */
};

struct msg {
	enum msg_mode	 mode;
	const struct policy *pol;
	struct dns	*dns;		/* the message's DNS service, or NULL */
	const char	*iptext;	/* the client as given (untrusted) */
	struct ipaddr	 ip;		/* parsed once; family 0: none */
	int		 hop;		/* ip is a trusted relay's client */
	int		 anyip;		/* qqtag -c -A: private ones too */
	const char	*remotehost;	/* TCPREMOTEHOST, or -r */
	const char	*localip;	/* TCPLOCALIP */
	time_t		 now;
	/* the header section, once complete */
	int		 have_headers;
	const char	*hdr;		/* the capped copy */
	size_t		 hdrlen;
	int		 hdrcut;	/* the copy hit its cap */
	const struct heur_msg *hm;	/* its parsed fields */
	const char	*from_domain;	/* of the one From: mailbox, or NULL */
	/* the envelope, once complete */
	const struct env *env;
	const char	*sender_domain;	/* NULL: none, or the null sender */
	/* left by a check for the ones after it in the table */
	const char	*rdns;		/* forward-confirmed client name */
	const char	*ptr;		/* PTR name, confirmed or not (raw) */
};

void	msg_client(struct msg *, const char *, int, int);
int	ipaddr_parse(const char *, size_t, struct ipaddr *);
int	ipaddr_parses(const char *, struct ipaddr *);
int	ipaddr_private(const struct ipaddr *);
int	ipaddr_eq(const struct ipaddr *, const struct ipaddr *);
size_t	ipaddr_text(const struct ipaddr *, char *, size_t);

#endif

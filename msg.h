/*
 * msg.h - one message's context: what every check reads about the client
 * and the message, each thing parsed once.  This part: the client address
 * (struct ipaddr) and the one rule for the addresses never looked up.
 */
#ifndef QQTAG_MSG_H
#define QQTAG_MSG_H

#include <stddef.h>

#define IPADDR_TEXT	46	/* INET6_ADDRSTRLEN */

/* An address, parsed once; ::ffff:a.b.c.d is IPv4 (RFC 4291 §2.5.5.2). */
struct ipaddr {
	int		 family;	/* 4 or 6; 0: no address */
	unsigned char	 a[16];		/* IPv4 in a[0..3], the rest zero */
};

int	ipaddr_parse(const char *, size_t, struct ipaddr *);
int	ipaddr_parses(const char *, struct ipaddr *);
int	ipaddr_private(const struct ipaddr *);
int	ipaddr_eq(const struct ipaddr *, const struct ipaddr *);
size_t	ipaddr_text(const struct ipaddr *, char *, size_t);

#endif

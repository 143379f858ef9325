/*
 * ipaddr.h - a client address parsed once, and the one rule for the
 * addresses never looked up (msg.c owns them).
 */
#ifndef QQTAG_IPADDR_H
#define QQTAG_IPADDR_H

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

/*
 * uri.h - the URI blocklist check (uri.c): the domains a message links
 * to, its Reply-To: domain, the client's rDNS name and its valid DKIM
 * d= domains against the policy's urilist lines (dnsbl.c's lists of kind
 * "urilist").  The check itself is check_uri (check.c's table); these
 * are its pure parts, for the unit tests.
 */
#ifndef QQTAG_URI_H
#define QQTAG_URI_H

#include <stddef.h>

struct uri_conf;
struct dnsbl_conf;

/* Is the lowercased name under a uriallow or built-in domain? 1 or 0. */
int		 uri_allowed(const struct uri_conf *, const char *);
/* The registrable domain a host is asked as; NULL with errno. */
const char	*uri_domain(const char *, char *, size_t);
/* One urilist or uriallow line: 0, or -1 with errno and err. */
int		 uri_conf_line(void *, int, char *[], char *, size_t);
/* The urilist lines of a conf (a struct uri_conf). */
const struct dnsbl_conf *uri_conf_lists(const void *);
/* The same, to mark broken lists in (list health, lists.c); NULL: NULL. */
struct dnsbl_conf *uri_conf_dnsbl(void *);

#endif

/*
 * authres.h - the Authentication-Results header (RFC 8601) qqtag puts on
 * top of its block, and the authserv-id it is written (and incoming ones
 * stripped) under.
 */
#ifndef QQTAG_AUTHRES_H
#define QQTAG_AUTHRES_H

#include <stddef.h>

#include "buf.h"

struct msg;

#define AUTHRES_ME	"/var/qmail/control/me"	/* qmail's own name */
#define AUTHRES_ID_MAX	255	/* an authserv-id, NUL not included */

int	authres_id_valid(const char *);
void	authres_default_id(char *, size_t);
int	authres_write(const struct msg *, const char *, struct buf *);

#endif

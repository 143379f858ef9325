/*
 * auth.c - what SPF, DKIM and DMARC share (auth.h): result names and
 * the one counted way they ask DNS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "msg.h"
#include "util.h"

/* The result as RFC 8601 spells it ("pass", "temperror"...). */
const char *
auth_res_text(enum auth_res r)
{
	static const char *const text[] = {
		[AUTH_UNSET] = "none", [AUTH_NONE] = "none",
		[AUTH_PASS] = "pass", [AUTH_FAIL] = "fail",
		[AUTH_SOFTFAIL] = "softfail", [AUTH_NEUTRAL] = "neutral",
		[AUTH_POLICY] = "policy", [AUTH_TEMPERROR] = "temperror",
		[AUTH_PERMERROR] = "permerror"
	};

	if ((unsigned)r >= sizeof(text) / sizeof(text[0]))
		return "none";
	return text[r];
}

/*
 * dns_query() on the message's DNS service, counted against
 * AUTH_QUERIES_MAX: -1 with errno EDQUOT past it, EIO without a service,
 * else dns_query()'s result.
 */
int
auth_query(struct msg *m, const char *name, int type, dns_cb *cb, void *arg)
{
	struct dns	*d;

	if (m->auth.queries >= AUTH_QUERIES_MAX) {
		errno = EDQUOT;
		return -1;
	}
	if ((d = msg_dns(m)) == NULL) {
		errno = EIO;
		return -1;
	}
	m->auth.queries++;
	return dns_query(d, name, type, cb, arg);
}

/* A conf that is on (the three are on by default); NULL (ENOMEM). */
void *
auth_conf_new(void)
{
	struct auth_conf	*c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->on = 1;
	return c;
}

/* "spf|dkim|dmarc on|off": 0, or -1 with EINVAL and a usage line. */
int
auth_conf_line(void *v, int ac, char *av[], char *err, size_t n)
{
	struct auth_conf	*c = v;

	if (ac != 2 || (strcmp(av[1], "on") != 0 && strcmp(av[1], "off") !=
	    0))
		return errf(err, n, EINVAL, "usage: %s on|off", av[0]);
	c->on = strcmp(av[1], "on") == 0;
	return 0;
}

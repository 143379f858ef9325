/*
 * fuzz_heur.c - the heuristics over arbitrary header bytes: heur_parse
 * and heur_run with a fixed context never fail, never read past the
 * input, and keep their promises (hits within bounds, strings
 * terminated, the hop IP canonical).  The first line of the input also
 * goes through the name helpers.  (The date and Received parsers have
 * their own targets: fuzz_rfc5322, fuzz_received.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "envelope.h"
#include "heur.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char envelope[] =
    "Falice@example.net\0Tbob@example.org\0Tx%y@example.org\0"
    "Tc@example.org\0Td@example.org\0Te@example.org\0Tf@example.org\0";
static const char *const locals[] = { "mx.example.org", NULL };

static void
ctx(struct heur_ctx *c, const struct env *e)
{
	heur_ctx_init(c);
	c->ip = "198.51.100.7";
	c->localip = "192.0.2.25";
	c->rdns = "dsl-198-51-100-7.example.net";
	c->ptr = c->rdns;
	c->local = locals;
	c->nlocal = 1;
	c->env = e;
	c->now = (time_t)1795743622;
}

static void
helpers(const uint8_t *d, size_t n)
{
	char		 name[RFC_NAME];
	const char	*nl = memchr(d, '\n', n);
	size_t		 k = nl ? (size_t)(nl - (const char *)d) : n;

	if (k >= sizeof(name))
		k = sizeof(name) - 1;
	memcpy(name, d, k);
	name[k] = '\0';
	(void)heur_dynamic(name, "198.51.100.7", 1);
	if (strlen(heur_regdom(name)) > strlen(name))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct heur_hit	 hit[HEUR_MAX];
	struct heur_msg	 m;
	struct heur_ctx	 c;
	struct env	 e;
	unsigned char	 a[16];
	const char	*s;
	size_t		 i, k;

	env_init(&e);
	env_feed(&e, envelope, sizeof(envelope));
	ctx(&c, &e);
	heur_parse((const char *)d, n, n & 1, &m);
	k = heur_run(&m, &c, hit, HEUR_MAX);
	if (k > heur_ntests || heur_run(&m, &c, hit, 3) > 3)
		abort();
	for (i = 0; i < k; i++)
		if (hit[i].test < heur_tests ||
		    hit[i].test >= heur_tests + heur_ntests ||
		    memchr(hit[i].detail, '\0', HEUR_DETAIL) == NULL)
			abort();
	if ((s = heur_hop_ip(&m)) != NULL && inet_pton(AF_INET, s, a) != 1 &&
	    inet_pton(AF_INET6, s, a) != 1)
		abort();
	if ((s = heur_helo(&m)) != NULL && strlen(s) >= RFC_NAME)
		abort();
	if ((s = heur_from_domain(&m)) != NULL && strchr(s, '.') == NULL)
		abort();
	helpers(d, n);
	env_free(&e);
	return 0;
}

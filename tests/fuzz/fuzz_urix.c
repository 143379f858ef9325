/*
 * fuzz_urix.c - the URI extractor over arbitrary bytes: the input up to
 * its first blank line is the header section, the rest the body.  It
 * never reads past the input, reports at most URIX_HOSTS_MAX distinct
 * hosts, each a valid name or address, and the body fed at once, byte by
 * byte and in chunks of a size taken from the input reports the same
 * hosts in the same order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uriextract.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct seen {
	size_t	n;
	char	h[URIX_HOSTS_MAX][URIX_HOST];
	int	ip[URIX_HOSTS_MAX];
};

static void
found(void *arg, const char *host, int is_ip)
{
	struct seen	*s = arg;
	char		 again[URIX_HOST];
	size_t		 i, k = strlen(host);
	int		 ip2;

	if (s->n >= URIX_HOSTS_MAX || k == 0 || k >= URIX_HOST)
		abort();
	for (i = 0; i < s->n; i++)
		if (strcmp(s->h[i], host) == 0)
			abort();
	/* a reported host is its own normal form */
	if (urihost_norm(host, k, again, &ip2) == -1 && !(is_ip &&
	    strchr(host, ':') != NULL))
		abort();
	memcpy(s->h[s->n], host, k + 1);
	s->ip[s->n++] = is_ip;
}

static void
one(const char *hdr, size_t hlen, const char *b, size_t n, size_t chunk,
    struct seen *s)
{
	static struct urix	u;
	size_t			i, k;

	memset(s, 0, sizeof(*s));
	urix_init(&u, found, s);
	urix_headers(&u, hdr, hlen);
	for (i = 0; i < n; i += k) {
		k = n - i < chunk ? n - i : chunk;
		urix_feed(&u, b + i, k);
	}
	urix_end(&u);
	if (u.nhosts != s->n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct seen	 a, b, c;
	const char		*p = (const char *)d, *e;
	size_t			 h;

	e = memmem(p, n, "\n\n", 2);
	h = e != NULL ? (size_t)(e - p) + 1 : 0;
	one(p, h, p + h, n - h, n - h + 1, &a);
	one(p, h, p + h, n - h, 1, &b);
	one(p, h, p + h, n - h, 1 + (n > 0 ? d[n - 1] % 97 : 0), &c);
	if (memcmp(&a, &b, sizeof(a)) != 0 || memcmp(&a, &c, sizeof(a)) != 0)
		abort();
	return 0;
}

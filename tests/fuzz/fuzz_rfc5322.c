/*
 * fuzz_rfc5322.c - the header section parser over arbitrary bytes:
 * rfc_parse never fails and keeps its promises (strings terminated, the
 * author domain a valid name), the two iterators find the same fields
 * in reverse order within the input, unfolding stays in its buffer and
 * drops line ends; the first line also goes through the date, msg-id,
 * RFC 2047, address-list and domain-name parsers (dom_norm idempotent).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rfc5322.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FIELDS	512	/* fields compared both ways */

static void
terminated(const char *s, size_t cap)
{
	if (memchr(s, '\0', cap) == NULL)
		abort();
}

/* Both cursors find the same fields, in reverse, inside the input. */
static void
iterate(const char *d, size_t n)
{
	static const char	*raw[FIELDS];
	static size_t		 len[FIELDS];
	struct rfc_iter		 it;
	struct rfc_field	 f;
	char			 v[64];
	size_t			 k = 0, u;

	rfc_iter_init(&it, d, n);
	while (rfc_next(&it, NULL, &f) && k < FIELDS) {
		if (f.raw < d || f.raw + f.rawlen > d + n || f.nlen == 0 ||
		    f.val + f.vlen != f.raw + f.rawlen || f.val[-1] != ':')
			abort();
		u = rfc_unfold(f.val, f.vlen, v, sizeof(v));
		if (u >= sizeof(v) || v[u] != '\0' || memchr(v, '\n', u))
			abort();
		raw[k] = f.raw;
		len[k++] = f.rawlen;
	}
	if (k == FIELDS)
		return;
	rfc_iter_init(&it, d, n);
	while (rfc_prev(&it, NULL, &f))
		if (k == 0 || raw[--k] != f.raw || len[k] != f.rawlen)
			abort();
	if (k != 0)
		abort();
}

static void
helpers(const char *d, size_t n)
{
	struct rfc_addrs	 a;
	char			 out[RFC_NAME], again[RFC_NAME], b[128];
	const char		*nl = memchr(d, '\n', n);
	size_t			 k = nl ? (size_t)(nl - d) : n;
	unsigned		 fl = (unsigned)n & 7;
	time_t			 t;
	int			 len;

	(void)rfc_date(d, k, &t);
	(void)rfc_msgid(d, k);
	if (rfc_2047(d, k, b, sizeof(b)) >= sizeof(b))
		abort();
	rfc_addr_list(d, k, &a);
	terminated(a.addr, sizeof(a.addr));
	terminated(a.domain, sizeof(a.domain));
	terminated(a.display, sizeof(a.display));
	if ((len = dom_norm(d, k, fl, out, sizeof(out))) >= 0 &&
	    ((size_t)len != strlen(out) || len > DOM_MAX ||
	    dom_norm(out, (size_t)len, fl, again, sizeof(again)) != len ||
	    strcmp(out, again) != 0 || !dom_valid(d, k, fl)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char		*d = (const char *)data;
	struct rfc_fields	 m;
	const char		*s;

	rfc_parse(d, n, (int)(n & 1), &m);
	terminated(m.from_addr, sizeof(m.from_addr));
	terminated(m.from_domain, sizeof(m.from_domain));
	terminated(m.from_display, sizeof(m.from_display));
	if ((m.from_ok && (m.from_nbox == 0 || m.nfrom == 0)) ||
	    m.nfrom + m.ndate + m.nmid + m.nto + m.ncc > n ||
	    (m.mid_ok && m.nmid != 1))
		abort();
	if ((s = rfc_from_domain(&m)) != NULL &&
	    (!dom_valid(s, strlen(s), DOM_US | DOM_FQDN) || m.nfrom != 1))
		abort();
	iterate(d, n);
	helpers(d, n);
	return 0;
}

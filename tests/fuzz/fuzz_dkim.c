/*
 * fuzz_dkim.c - DKIM's parsers over arbitrary bytes: the tag-list parser,
 * the DKIM-Signature and key-record parsers (their promises: strings
 * terminated, lengths within their arrays, the b= span inside the
 * input), base64, and canonicalization (a body split at a point the
 * input chooses gives the same bytes as whole; the header hash input of
 * a parsed signature over the input as a header section).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkimcanon.h"
#include "dkimcrypto.h"
#include "dkimtag.h"
#include "rfc5322.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct sum {
	unsigned long long	n;
	struct dkim_hash	h;
};

static void
summing(void *ctx, const unsigned char *p, size_t n)
{
	struct sum *s = ctx;

	s->n += n;
	dkim_hash_update(&s->h, p, n);
}

static void
body_twice(const char *d, size_t n, size_t cut, int rel)
{
	struct dkim_body b;
	struct sum	 s1, s2;
	unsigned char	 h1[DKIM_HASHLEN], h2[DKIM_HASHLEN];

	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	dkim_hash_init(&s1.h);
	dkim_hash_init(&s2.h);
	dkim_body_init(&b, rel, summing, &s1);
	dkim_body_feed(&b, d, n);
	dkim_body_end(&b);
	if (b.total != s1.n)
		abort();
	dkim_body_init(&b, rel, summing, &s2);
	dkim_body_feed(&b, d, cut);
	dkim_body_feed(&b, d + cut, n - cut);
	dkim_body_end(&b);
	dkim_hash_final(&s1.h, h1);
	dkim_hash_final(&s2.h, h2);
	if (s1.n != s2.n || memcmp(h1, h2, sizeof(h1)) != 0)
		abort();
}

/* The input as a header section: each DKIM-Signature's hash input. */
static void
headers(const char *d, size_t n, struct dkim_sig *s)
{
	struct rfc_iter	 it;
	struct rfc_field f;
	struct sum	 x;
	const char	*why;

	rfc_iter_init(&it, d, n);
	while (rfc_next(&it, "DKIM-Signature", &f)) {
		if (dkim_sig_parse(f.val, f.vlen, s, &why) == -1)
			continue;
		if (s->bstart > s->bend || s->bend > f.vlen ||
		    strlen(s->d) >= sizeof(s->d) || s->blen > DKIM_SIG_MAX ||
		    strlen(s->btag) > 8)
			abort();
		memset(&x, 0, sizeof(x));
		dkim_hash_init(&x.h);
		dkim_canon_headers(d, n, s, &f, summing, &x);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dkim_sig	s;
	static struct dkim_key	k;
	static unsigned char	out[4096];
	struct dkim_tag		t[DKIM_TAGS_MAX];
	const char		*d = (const char *)data, *why;
	size_t			 cut;

	if (size == 0)
		return 0;
	cut = data[0] % size;
	(void)dkim_tags(d, size, t, DKIM_TAGS_MAX, &why);
	(void)dkim_b64(d, size, out, sizeof(out));
	if (dkim_sig_parse(d, size, &s, &why) == 0 &&
	    (s.bend > size || s.bstart > s.bend || strlen(s.s) >= sizeof(s.s)))
		abort();
	if (dkim_key_parse(d, size, &k, &why) == 0) {
		if (k.plen > sizeof(k.p))
			abort();
		(void)dkim_key_bits(k.k, k.p, k.plen);
		(void)dkim_key_bits(DKIM_K_RSA, k.p, k.plen);
	}
	body_twice(d, size, cut, 0);
	body_twice(d, size, cut, 1);
	headers(d, size, &s);
	return 0;
}

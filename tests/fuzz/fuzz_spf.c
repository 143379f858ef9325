/*
 * fuzz_spf.c - spfrec.c over arbitrary bytes: the bytes as an SPF record
 * (whole-record check, the term walk staying inside the input, every
 * domain-spec and modifier value expanded for an IPv4 and an IPv6 client,
 * a domain never over 253 bytes), as a macro-string (explanation and
 * domain), and inside a TXT answer (record selection).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spfrec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
expand_all(const char *s, size_t n, int exp)
{
	static const unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12,
	    0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x13, 0x57, 0x9b, 0xdf };
	struct spf_macro_in in;
	char		out[SPF_EXPAND_MAX + 1];
	int		r, k;

	memset(&in, 0, sizeof(in));
	in.local = "strong-bad";
	in.domain = in.cur = "email.example.com";
	in.helo = "mx.example.org";
	in.ip.family = 4;
	memcpy(in.ip.a, "\xc0\x00\x02\x03", 4);
	for (k = 0; k < 2; k++) {
		r = spf_expand(&in, s, n, exp, out, sizeof(out));
		if (r >= 0 && (strlen(out) != (size_t)r ||
		    (!exp && r > SPF_DOMAIN_MAX)))
			abort();
		in.ip.family = 6;
		memcpy(in.ip.a, v6, 16);
	}
}

static void
walk(const char *rec, size_t n)
{
	struct spf_term	t;
	const char	*bad;
	unsigned	 uses = 0;
	size_t		 pos = 6;

	spf_record_check(rec, n, &uses, &bad);
	if (bad != NULL && (bad < rec || bad >= rec + n))
		abort();
	if (n < 6)
		return;
	while (spf_term_next(rec, n, &pos, &t) == 1) {
		if (t.text < rec || t.text + t.len > rec + n || pos > n ||
		    (t.spec != NULL && (t.spec < rec ||
		    t.spec + t.speclen > rec + n)) || t.cidr4 > 32 ||
		    t.cidr6 > 128)
			abort();
		if (t.spec != NULL)
			expand_all(t.spec, t.speclen, t.kind == SPF_EXP);
	}
}

static void
select_one(const uint8_t *d, size_t n)
{
	static unsigned char a[600];
	static const unsigned char head[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
		1, 'x', 0, 0, 16, 0, 1, 0xc0, 12, 0, 16, 0, 1, 0, 0, 1, 0
	};
	char	out[SPF_TXT_MAX + 1];
	size_t	k = sizeof(head), len = 0;
	int	r;

	if (n > 255)
		n = 255;
	memcpy(a, head, k);
	a[k++] = 0;
	a[k++] = (unsigned char)(n + 1);
	a[k++] = (unsigned char)n;
	memcpy(a + k, d, n);
	k += n;
	r = spf_select(a, (int)k, out, sizeof(out), &len);
	if (r == 1 && (len != n || memcmp(out, d, n) != 0))
		abort();
	spf_select(d, (int)(n < 512 ? n : 512), out, sizeof(out), &len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char	*s;

	if (n > 8192)
		return 0;
	if ((s = malloc(n ? n : 1)) == NULL)
		return 0;
	memcpy(s, d, n);
	walk(s, n);
	expand_all(s, n, 0);
	expand_all(s, n, 1);
	free(s);
	select_one(d, n);
	return 0;
}

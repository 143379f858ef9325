/*
 * fuzz_dmarc.c - DMARC records over arbitrary bytes: dmarc_rec_parse
 * never fails and keeps its promises (a usable record has p= set, known
 * alignment modes, pct within 0..100; a rua= fallback is p=none); the
 * same bytes as a DNS answer through dmarc_rec_answer, and as a TXT
 * answer built around them; the pct draw stays below 100; a valid name
 * among the bytes gets an organizational domain that ends it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "dmarcrec.h"
#include "dns.h"
#include "orgdom.h"
#include "rfc5322.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
record(const char *d, size_t n)
{
	struct dmarc_rec	r;
	int			k = dmarc_rec_parse(d, n, &r);

	if (k != DMARC_REC_OK && k != DMARC_REC_OTHER && k != DMARC_REC_BAD)
		abort();
	if (k == DMARC_REC_OK && (r.p < DMARC_P_NONE ||
	    r.p > DMARC_P_REJECT || r.sp > DMARC_P_REJECT || r.pct > 100 ||
	    (r.adkim != 'r' && r.adkim != 's') || (r.aspf != 'r' &&
	    r.aspf != 's') || (r.pfallback && (r.p != DMARC_P_NONE ||
	    !r.rua))))
		abort();
}

/* The bytes as one TXT record's strings in an answer. */
static void
as_txt(const char *d, size_t n)
{
	static unsigned char b[12 + 24 + 12 + 65536];
	static const unsigned char head[] = "\0\0\x81\x80\0\x01\0\x01\0\0\0\0"
	    "\x06_dmarc\x04test\0\0\x10\0\x01"
	    "\xc0\x0c\0\x10\0\x01\0\0\0\x3c";
	struct dmarc_look	l;
	size_t			o = sizeof(head) - 1, k, c, rd;

	if (n > 60000)
		n = 60000;
	memcpy(b, head, o);
	rd = o;
	o += 2;
	for (k = 0; k < n; k += c) {
		c = n - k > 255 ? 255 : n - k;
		b[o++] = (unsigned char)c;
		memcpy(b + o, d + k, c);
		o += c;
	}
	b[rd] = (unsigned char)((o - rd - 2) >> 8);
	b[rd + 1] = (unsigned char)(o - rd - 2);
	dmarc_rec_answer(b, (int)o, DNS_OK, &l);
	if (l.txtlen > sizeof(l.txt) || l.found == DMARC_F_UNASKED ||
	    l.found == DMARC_F_MULTI)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char		*d = (const char *)data;
	struct dmarc_look	 l;
	char			 name[RFC_NAME], org[RFC_NAME];
	size_t			 k;

	record(d, n);
	as_txt(d, n);
	dmarc_rec_answer(data, n > 65535 ? 65535 : (int)n, DNS_OK, &l);
	if (l.txtlen > sizeof(l.txt) || l.found == DMARC_F_UNASKED)
		abort();
	if (dmarc_dice(d, n) >= 100)
		abort();
	if (dom_norm(d, n, DOM_US, name, sizeof(name)) > 0 &&
	    orgdom_of(name, org, sizeof(org)) != NULL) {
		k = strlen(name) - strlen(org);
		if (strlen(org) > strlen(name) || strcmp(name + k, org) != 0 ||
		    (k > 0 && name[k - 1] != '.'))
			abort();
	}
	return 0;
}

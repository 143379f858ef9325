/*
 * dmarcrec.c - DMARC policy records (dmarcrec.h): the tag list of RFC
 * 7489 §6.4 (DKIM's tag=value grammar, RFC 6376 §3.2) and the record
 * selection of §6.6.3.
 *
 * All input is untrusted bytes (TXT records): every loop is bounded by
 * its input, a record by DMARC_TXT_MAX (longer ones are looked at up to
 * their last ';' within it: a tag cut in two is dropped, never read as a
 * shorter value), nothing is allocated, nothing fails.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "dmarcrec.h"
#include "dns.h"
#include "rfc5322.h"

/* One tag of the list: name and value, whitespace trimmed. */
struct tag {
	const char	*name, *val;
	size_t		 nlen, vlen;
	int		 eq;		/* it had an '=' */
};

static int
wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim whitespace on both ends of p[0..*n). */
static const char *
trim(const char *p, size_t *n)
{
	while (*n > 0 && wsp((unsigned char)p[0])) {
		p++;
		(*n)--;
	}
	while (*n > 0 && wsp((unsigned char)p[*n - 1]))
		(*n)--;
	return p;
}

/* The tag at s[*i..n) up to the next ';'; *i moves past it.  0 at end. */
static int
next_tag(const char *s, size_t n, size_t *i, struct tag *t)
{
	const char	*seg, *eq;
	size_t		 len;

	if (*i > n)
		return 0;
	seg = s + *i;
	for (len = 0; *i + len < n && seg[len] != ';'; len++)
		;
	*i += len + 1;
	memset(t, 0, sizeof(*t));
	if ((eq = memchr(seg, '=', len)) == NULL) {
		t->name = trim(seg, &len);
		t->nlen = len;
		return 1;
	}
	t->eq = 1;
	t->nlen = (size_t)(eq - seg);
	t->name = trim(seg, &t->nlen);
	t->vlen = (size_t)(seg + len - (eq + 1));
	t->val = trim(eq + 1, &t->vlen);
	return 1;
}

/* Is the tag called name (case-insensitive)? */
static int
is(const struct tag *t, const char *name)
{
	return t->eq && t->nlen == strlen(name) &&
	    strncasecmp(t->name, name, t->nlen) == 0;
}

/* The value as a policy, or UNSET when it is none of the three. */
static enum dmarc_pol
pol_of(const struct tag *t)
{
	static const char *const w[] = { "none", "quarantine", "reject" };
	size_t	k;

	for (k = 0; k < 3; k++)
		if (t->vlen == strlen(w[k]) &&
		    strncasecmp(t->val, w[k], t->vlen) == 0)
			return (enum dmarc_pol)(DMARC_P_NONE + k);
	return DMARC_P_UNSET;
}

/* adkim= / aspf=: 'r' or 's', else the default 'r'. */
static int
mode_of(const struct tag *t)
{
	if (t->vlen == 1 && rfc_lc((unsigned char)t->val[0]) == 's')
		return 's';
	return 'r';
}

/* pct=: 1*3DIGIT up to 100, else the default 100. */
static unsigned
pct_of(const struct tag *t)
{
	unsigned	v = 0;
	size_t		k;

	if (t->vlen == 0 || t->vlen > 3)
		return 100;
	for (k = 0; k < t->vlen; k++) {
		if (!rfc_isdigit((unsigned char)t->val[k]))
			return 100;
		v = v * 10 + (unsigned)(t->val[k] - '0');
	}
	return v > 100 ? 100 : v;
}

/* One URI of rua=: scheme ":" something, no whitespace (RFC 3986 §3.1). */
static int
uri_ok(const char *p, size_t n)
{
	size_t	k;

	p = trim(p, &n);
	if (n < 3 || !rfc_isalpha((unsigned char)p[0]))
		return 0;
	for (k = 1; k < n && p[k] != ':'; k++)
		if (!rfc_isalpha((unsigned char)p[k]) &&
		    !rfc_isdigit((unsigned char)p[k]) && p[k] != '+' &&
		    p[k] != '-' && p[k] != '.')
			return 0;
	if (k + 1 >= n)
		return 0;
	for (; k < n; k++)
		if (wsp((unsigned char)p[k]) || (unsigned char)p[k] < 0x21 ||
		    (unsigned char)p[k] > 0x7e)
			return 0;
	return 1;
}

/* rua=: a comma-separated list with one valid URI at least. */
static int
rua_ok(const struct tag *t)
{
	size_t	a = 0, b;

	while (a <= t->vlen) {
		for (b = a; b < t->vlen && t->val[b] != ','; b++)
			;
		if (uri_ok(t->val + a, b - a))
			return 1;
		a = b + 1;
	}
	return 0;
}

/* The tags after v=DMARC1; seen: bits of the tags taken already. */
static void
tag_value(const struct tag *t, struct dmarc_rec *r, unsigned *seen,
    int *pbad, int *spbad)
{
	static const char *const names[] = { "p", "sp", "adkim", "aspf",
	    "pct", "rua" };
	size_t	k;

	for (k = 0; k < 6 && !is(t, names[k]); k++)
		;
	if (k == 6 || (*seen & 1u << k))	/* unknown, or a repeat */
		return;
	*seen |= 1u << k;
	if (k == 0)
		*pbad = (r->p = pol_of(t)) == DMARC_P_UNSET;
	else if (k == 1)
		*spbad = (r->sp = pol_of(t)) == DMARC_P_UNSET;
	else if (k == 2)
		r->adkim = mode_of(t);
	else if (k == 3)
		r->aspf = mode_of(t);
	else if (k == 4)
		r->pct = pct_of(t);
	else
		r->rua = rua_ok(t);
}

/* The record s[0..n): DMARC_REC_OK, _OTHER (discard) or _BAD. */
int
dmarc_rec_parse(const char *s, size_t n, struct dmarc_rec *r)
{
	struct tag	 t;
	size_t		 i = 0;
	unsigned	 seen = 0;
	int		 pbad = 1, spbad = 0;

	memset(r, 0, sizeof(*r));
	r->adkim = r->aspf = 'r';
	r->pct = 100;
	if (s == NULL || !next_tag(s, n, &i, &t) || !is(&t, "v") ||
	    t.vlen != 6 || memcmp(t.val, "DMARC1", 6) != 0)
		return DMARC_REC_OTHER;
	while (next_tag(s, n, &i, &t))
		tag_value(&t, r, &seen, &pbad, &spbad);
	if (!pbad && !spbad)
		return DMARC_REC_OK;
	if (!r->rua)
		return DMARC_REC_BAD;
	r->p = DMARC_P_NONE;		/* §6.6.3 step 6.1 */
	r->sp = DMARC_P_UNSET;
	r->pfallback = 1;
	return DMARC_REC_OK;
}

/* "none", "quarantine", "reject"; "-" for UNSET. */
const char *
dmarc_pol_text(enum dmarc_pol p)
{
	static const char *const t[] = { "-", "none", "quarantine", "reject" };

	return (unsigned)p < 4 ? t[p] : "-";
}

/*
 * One TXT RDATA's strings joined into out (DMARC_TXT_MAX); its length.
 * Past the cap the text ends at its last ';' there.
 */
static size_t
txt_join(const unsigned char *rd, size_t len, char *out)
{
	size_t	k = 0, o = 0, sl;
	int	cut = 0;

	while (k < len) {
		sl = rd[k++];
		if (sl > len - k)
			sl = len - k;	/* a malformed string: what is there */
		if (sl > DMARC_TXT_MAX - o) {
			sl = DMARC_TXT_MAX - o;
			cut = 1;
		}
		memcpy(out + o, rd + k, sl);
		o += sl;
		k += sl;
		if (cut)
			break;
	}
	while (cut && o > 0 && out[o - 1] != ';')
		o--;
	return o;
}

/* A TXT answer into look (§6.6.3 steps 1, 2 and 5). */
void
dmarc_rec_answer(const unsigned char *abuf, int alen, int status,
    struct dmarc_look *look)
{
	char		 txt[DMARC_TXT_MAX];
	struct dmarc_rec rec;
	struct dns_rr	 rr;
	size_t		 n, ndmarc = 0;
	int		 r, k;

	memset(look, 0, sizeof(*look));
	look->status = status;
	if (dns_class(status) != DNS_C_DATA) {
		look->found = dns_class(status) == DNS_C_NONE ?
		    DMARC_F_NONE : DMARC_F_ERROR;
		return;
	}
	memset(&rr, 0, sizeof(rr));
	while ((r = dns_rr(abuf, alen, &rr)) == 1) {
		if (rr.type != DNS_T_TXT)
			continue;
		n = txt_join(abuf + rr.off, rr.len, txt);
		if ((k = dmarc_rec_parse(txt, n, &rec)) == DMARC_REC_OTHER)
			continue;
		if (ndmarc++ > 0)
			continue;
		look->rec = rec;
		look->found = k == DMARC_REC_OK ? DMARC_F_RECORD : DMARC_F_BAD;
		look->txtlen = n < sizeof(look->txt) ? n : sizeof(look->txt);
		memcpy(look->txt, txt, look->txtlen);
	}
	if (r == -1)
		look->found = DMARC_F_ERROR;	/* a malformed answer */
	else if (ndmarc == 0)
		look->found = DMARC_F_NONE;
	else if (ndmarc > 1)
		look->found = DMARC_F_MULTI;
}

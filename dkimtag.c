/*
 * dkimtag.c - DKIM tag=value lists (RFC 6376 §3.2): the generic parser,
 * base64 with FWS (§3.5 b=, bh=; §3.6.1 p=), the DKIM-Signature field
 * (§3.5) and the key record (§3.6.1) into fixed structures.
 *
 * All input is untrusted bytes, never NUL-terminated.  Every loop is
 * bounded by its input; every kept string by its array.  A list that
 * breaks the grammar, repeats a tag (§3.2: "the entire tag-list is
 * invalid") or has more than DKIM_TAGS_MAX tags is refused whole.
 */
#include <string.h>
#include <strings.h>

#include "dkimtag.h"
#include "rfc5322.h"

static int
fws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
alnum_(int c)
{
	return rfc_isalpha(c) || rfc_isdigit(c) || c == '_';
}

/* One tag-spec at s[*i]: name, '=', value up to ';' or the end. */
static int
one_tag(const char *s, size_t n, size_t *i, struct dkim_tag *t,
    const char **why)
{
	size_t	j = *i, e;

	t->name = s + j;
	while (j < n && alnum_((unsigned char)s[j]))
		j++;
	t->nlen = (size_t)(s + j - t->name);
	if (t->nlen == 0 || !rfc_isalpha((unsigned char)t->name[0])) {
		*why = "tag list syntax";
		return -1;
	}
	while (j < n && fws((unsigned char)s[j]))
		j++;
	if (j == n || s[j] != '=') {
		*why = "tag without '='";
		return -1;
	}
	t->eq = ++j;
	while (j < n && fws((unsigned char)s[j]))
		j++;
	for (e = j; e < n && s[e] != ';'; e++)
		if ((unsigned char)s[e] < 0x20 && !fws((unsigned char)s[e])) {
			*why = "control byte in a tag value";
			return -1;
		}
	*i = e < n ? e + 1 : e;
	while (e > j && fws((unsigned char)s[e - 1]))
		e--;
	t->val = s + j;
	t->vlen = e - j;
	return 0;
}

/*
 * Split s[0..n) into at most max tags (t[]): their count, or -1 with
 * *why for a syntax error, a duplicate tag or too many tags.
 */
int
dkim_tags(const char *s, size_t n, struct dkim_tag *t, size_t max,
    const char **why)
{
	size_t	i = 0, k = 0, j;

	for (;;) {
		while (i < n && fws((unsigned char)s[i]))
			i++;
		if (i == n)
			return (int)k;
		if (k == max) {
			*why = "too many tags";
			return -1;
		}
		if (one_tag(s, n, &i, &t[k], why) == -1)
			return -1;
		for (j = 0; j < k; j++)
			if (t[j].nlen == t[k].nlen &&
			    memcmp(t[j].name, t[k].name, t[k].nlen) == 0) {
				*why = "duplicate tag";
				return -1;
			}
		k++;
	}
}


/*
 * Base64 (RFC 4648 §4) with FWS anywhere (RFC 6376 §2.4); padding may be
 * left out.  The byte count, or -1: a bad character, data after '=',
 * a dangling sixth of a byte, more than cap bytes.
 */
long
dkim_b64(const char *s, size_t n, unsigned char *out, size_t cap)
{
	unsigned long	acc = 0;
	size_t		i, o = 0, q = 0, pad = 0;
	int		v;

	for (i = 0; i < n; i++) {
		if (fws((unsigned char)s[i]))
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = rfc_b64val((unsigned char)s[i])) == -1)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		if (++q == 4) {
			if (cap - o < 3)
				return -1;
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
			q = 0;
		}
	}
	if (q == 1 || pad > 2 || (pad > 0 && q + pad != 4) || cap - o < q)
		return -1;
	if (q == 2)
		out[o++] = (unsigned char)(acc >> 4);
	else if (q == 3) {
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	return (long)o;
}

/* The tag called name among t[0..k), or NULL. */
static const struct dkim_tag *
tag(const struct dkim_tag *t, int k, const char *name)
{
	int	i;

	for (i = 0; i < k; i++)
		if (t[i].nlen == strlen(name) &&
		    memcmp(t[i].name, name, t[i].nlen) == 0)
			return &t[i];
	return NULL;
}

static int
val_is(const struct dkim_tag *t, const char *s)
{
	return t->vlen == strlen(s) && strncasecmp(t->val, s, t->vlen) == 0;
}

/* A decimal of at most digits digits into *v; 0, or -1. */
static int
number(const struct dkim_tag *t, size_t digits, unsigned long long *v)
{
	size_t	i;

	if (t->vlen == 0 || t->vlen > digits)
		return -1;
	for (*v = 0, i = 0; i < t->vlen; i++) {
		if (!rfc_isdigit((unsigned char)t->val[i]))
			return -1;
		*v = *v * 10 + (unsigned long long)(t->val[i] - '0');
	}
	return 0;
}

/* The next item of a list separated by sep, FWS trimmed: 1, 0 at end. */
static int
item(const char *s, size_t n, size_t *pos, int sep, const char **p,
    size_t *len)
{
	size_t	i = *pos, e;

	if (i > n || (i == n && (n == 0 || s[n - 1] != sep)))
		return 0;
	for (e = i; e < n && s[e] != sep; e++)
		;
	*pos = e + 1;
	while (i < e && fws((unsigned char)s[i]))
		i++;
	while (e > i && fws((unsigned char)s[e - 1]))
		e--;
	*p = s + i;
	*len = e - i;
	return 1;
}

/* The next name of an h= list: 1 with name/nlen, 0 at the end. */
int
dkim_hname(const char *h, size_t n, size_t *pos, const char **name,
    size_t *nlen)
{
	return item(h, n, pos, ':', name, nlen);
}

/* Does the colon list of tag t hold word (case-insensitively)? */
static int
list_has(const struct dkim_tag *t, const char *word)
{
	const char	*p;
	size_t		 pos = 0, len;

	while (item(t->val, t->vlen, &pos, ':', &p, &len))
		if (len == strlen(word) && strncasecmp(p, word, len) == 0)
			return 1;
	return 0;
}

/* A domain tag into out (lowercased, dom_norm with '_'); 0 or -1. */
static int
domain(const struct dkim_tag *t, char *out, size_t cap)
{
	return t->vlen == 0 ||
	    dom_norm(t->val, t->vlen, DOM_US, out, cap) == -1 ? -1 : 0;
}

static int
canon_word(const char *p, size_t n, enum dkim_canon *c)
{
	if (n == 6 && strncasecmp(p, "simple", 6) == 0)
		*c = DKIM_C_SIMPLE;
	else if (n == 7 && strncasecmp(p, "relaxed", 7) == 0)
		*c = DKIM_C_RELAXED;
	else
		return -1;
	return 0;
}

/* c= "header[/body]", default simple/simple (§3.5). */
static int
canon(const struct dkim_tag *t, struct dkim_sig *sig)
{
	const char	*sl;

	sig->hcanon = sig->bcanon = DKIM_C_SIMPLE;
	if (t == NULL)
		return 0;
	if ((sl = memchr(t->val, '/', t->vlen)) == NULL)
		return canon_word(t->val, t->vlen, &sig->hcanon);
	return canon_word(t->val, (size_t)(sl - t->val), &sig->hcanon) ||
	    canon_word(sl + 1, (size_t)(t->val + t->vlen - sl - 1),
	    &sig->bcanon) ? -1 : 0;
}

static void
alg(const struct dkim_tag *t, struct dkim_sig *sig)
{
	rfc_keep(sig->a, sizeof(sig->a), t->val, t->vlen);
	sig->alg = val_is(t, "rsa-sha256") ? DKIM_A_RSA_SHA256 :
	    val_is(t, "ed25519-sha256") ? DKIM_A_ED25519_SHA256 :
	    val_is(t, "rsa-sha1") ? DKIM_A_RSA_SHA1 : DKIM_A_UNKNOWN;
}

/* b= and bh=: decoded; the first 8 characters of b= kept as text. */
static int
hashes(const struct dkim_tag *b, const struct dkim_tag *bh,
    struct dkim_sig *sig, const char **why)
{
	long	n;
	size_t	i, k = 0;

	if ((n = dkim_b64(b->val, b->vlen, sig->b, sizeof(sig->b))) <= 0) {
		*why = "bad b= base64";
		return -1;
	}
	sig->blen = (size_t)n;
	for (i = 0; i < b->vlen && k < 8; i++)
		if (!fws((unsigned char)b->val[i]))
			sig->btag[k++] = b->val[i];
	sig->btag[k] = '\0';
	if ((n = dkim_b64(bh->val, bh->vlen, sig->bh, sizeof(sig->bh))) <= 0) {
		*why = "bad bh= base64";
		return -1;
	}
	sig->bhlen = (size_t)n;
	return 0;
}

/* i=: its domain must be d= or under it (§3.5). */
static int
ident(const struct dkim_tag *t, struct dkim_sig *sig, const char **why)
{
	const char	*at;
	size_t		 n, dn;

	sig->idom[0] = '\0';
	if (t == NULL)
		return 0;
	if ((at = memrchr(t->val, '@', t->vlen)) == NULL ||
	    dom_norm(at + 1, (size_t)(t->val + t->vlen - at - 1), DOM_US,
	    sig->idom, sizeof(sig->idom)) == -1) {
		*why = "bad i=";
		return -1;
	}
	n = strlen(sig->idom);
	dn = strlen(sig->d);
	if (!(n == dn || (n > dn && sig->idom[n - dn - 1] == '.')) ||
	    strcmp(sig->idom + n - dn, sig->d) != 0) {
		*why = "i= not under d=";
		return -1;
	}
	return 0;
}

/* l=, t=, x= (§3.5): l= at most 76 digits by the RFC, 19 here. */
static int
numbers(const struct dkim_tag *t[3], struct dkim_sig *sig, const char **why)
{
	unsigned long long v;

	if ((sig->has_l = t[0] != NULL) && number(t[0], 19, &sig->l) == -1) {
		*why = "bad l=";
		return -1;
	}
	if ((sig->has_t = t[1] != NULL)) {
		if (number(t[1], 12, &v) == -1) {
			*why = "bad t=";
			return -1;
		}
		sig->t = (long long)v;
	}
	if ((sig->has_x = t[2] != NULL)) {
		if (number(t[2], 12, &v) == -1) {
			*why = "bad x=";
			return -1;
		}
		sig->x = (long long)v;
	}
	if (sig->has_t && sig->has_x && sig->x < sig->t) {
		*why = "x= before t=";
		return -1;
	}
	return 0;
}

/* Required tags and v=1 (§3.5, §6.1.1). */
static int
required(const struct dkim_tag *t, int k, const char **why)
{
	static const char *const req[] = { "v", "a", "b", "bh", "d", "h",
	    "s", NULL };
	const struct dkim_tag	*v;
	size_t			 i;

	for (i = 0; req[i] != NULL; i++)
		if (tag(t, k, req[i]) == NULL) {
			*why = "required tag missing";
			return -1;
		}
	v = tag(t, k, "v");
	if (!(v->vlen == 1 && v->val[0] == '1')) {
		*why = "v= is not 1";
		return -1;
	}
	return 0;
}

/* The tags of a DKIM-Signature after the syntax: everything else. */
static int
sig_tags(const struct dkim_tag *t, int k, struct dkim_sig *sig,
    const char **why)
{
	const struct dkim_tag	*n[3], *q;

	alg(tag(t, k, "a"), sig);
	if (canon(tag(t, k, "c"), sig) == -1) {
		*why = "unknown c=";
		return -1;
	}
	if ((q = tag(t, k, "q")) != NULL && !list_has(q, "dns/txt")) {
		*why = "q= without dns/txt";
		return -1;
	}
	if (domain(tag(t, k, "d"), sig->d, sizeof(sig->d)) == -1 ||
	    domain(tag(t, k, "s"), sig->s, sizeof(sig->s)) == -1) {
		*why = "bad d= or s=";
		return -1;
	}
	sig->h = tag(t, k, "h")->val;
	sig->hlen = tag(t, k, "h")->vlen;
	if (!list_has(tag(t, k, "h"), "from")) {
		*why = "From not in h=";
		return -1;
	}
	n[0] = tag(t, k, "l");
	n[1] = tag(t, k, "t");
	n[2] = tag(t, k, "x");
	return ident(tag(t, k, "i"), sig, why) == -1 ||
	    numbers(n, sig, why) == -1 ||
	    hashes(tag(t, k, "b"), tag(t, k, "bh"), sig, why) == -1 ? -1 : 0;
}

/*
 * Parse the value of a DKIM-Signature field (s[0..n)): 0, or -1 with
 * *why.  An unknown algorithm is no error here (sig->alg says so).
 */
int
dkim_sig_parse(const char *s, size_t n, struct dkim_sig *sig,
    const char **why)
{
	struct dkim_tag	t[DKIM_TAGS_MAX];
	const char	*hp;
	size_t		 pos = 0, hn, names = 0;
	int		 k;

	memset(sig, 0, sizeof(*sig));
	if (n > DKIM_FIELD_MAX) {
		*why = "signature field too long";
		return -1;
	}
	if ((k = dkim_tags(s, n, t, DKIM_TAGS_MAX, why)) == -1 ||
	    required(t, k, why) == -1 || sig_tags(t, k, sig, why) == -1)
		return -1;
	sig->bstart = tag(t, k, "b")->eq;
	sig->bend = (size_t)(tag(t, k, "b")->val + tag(t, k, "b")->vlen - s);
	while (dkim_hname(sig->h, sig->hlen, &pos, &hp, &hn))
		if (++names > DKIM_HNAMES_MAX) {
			*why = "too many names in h=";
			return -1;
		}
	return 0;
}

/* Key flags: t= (y, s), h= (sha256 among), k=, s= (email or *). */
static int
key_tags(const struct dkim_tag *t, int k, struct dkim_key *key,
    const char **why)
{
	const struct dkim_tag	*x;

	key->sha256 = (x = tag(t, k, "h")) == NULL || list_has(x, "sha256");
	if ((x = tag(t, k, "t")) != NULL) {
		key->testing = list_has(x, "y");
		key->strict = list_has(x, "s");
	}
	key->k = DKIM_K_RSA;
	if ((x = tag(t, k, "k")) != NULL)
		key->k = val_is(x, "rsa") ? DKIM_K_RSA :
		    val_is(x, "ed25519") ? DKIM_K_ED25519 : DKIM_K_UNKNOWN;
	if ((x = tag(t, k, "s")) != NULL && !list_has(x, "email") &&
	    !list_has(x, "*")) {
		*why = "key not for email (s=)";
		return -1;
	}
	return 0;
}

/*
 * Parse a key record (s[0..n)): 0, or -1 with *why.  p= empty leaves
 * key->plen 0 (revoked, §3.6.1); the caller says so.
 */
int
dkim_key_parse(const char *s, size_t n, struct dkim_key *key,
    const char **why)
{
	struct dkim_tag		 t[DKIM_TAGS_MAX];
	const struct dkim_tag	*p, *v;
	long			 len;
	int			 k;

	memset(key, 0, sizeof(*key));
	if (n > DKIM_KEYREC_MAX) {
		*why = "key record too long";
		return -1;
	}
	if ((k = dkim_tags(s, n, t, DKIM_TAGS_MAX, why)) == -1)
		return -1;
	if ((v = tag(t, k, "v")) != NULL && (v != &t[0] ||
	    !(v->vlen == 5 && memcmp(v->val, "DKIM1", 5) == 0))) {
		*why = "key v= is not DKIM1 first";
		return -1;
	}
	if ((p = tag(t, k, "p")) == NULL) {
		*why = "key record without p=";
		return -1;
	}
	if (key_tags(t, k, key, why) == -1)
		return -1;
	if (p->vlen == 0)
		return 0;
	if ((len = dkim_b64(p->val, p->vlen, key->p, sizeof(key->p))) <= 0) {
		*why = "bad p= base64";
		return -1;
	}
	key->plen = (size_t)len;
	return 0;
}

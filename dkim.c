/*
 * dkim.c - the DKIM verifier check (RFC 6376, RFC 8301, RFC 8463): up to
 * AUTH_DKIM_MAX signatures of a message judged into m->auth.dkim, and the
 * tests DKIM_SIGNED, DKIM_VALID, DKIM_VALID_AU, DKIM_VALID_EF and
 * DKIM_INVALID.
 *
 * At the headers step each DKIM-Signature field is parsed (dkimtag.c),
 * its header hash computed over the h= fields (dkimcanon.c, dkimcrypto.c)
 * and its key query s._domainkey.d TXT sent (auth_query) while the client
 * still uploads.  The body is hashed as it streams past, one hash per
 * distinct (canonicalization, l=) pair, in constant memory.  At findings
 * the body hash is compared with bh= and the signature verified.
 *
 * Results (RFC 8601 §2.7.1): pass; fail (body hash or signature wrong,
 * expired, timestamp in the future, revoked key, rsa-sha1 and RSA keys
 * under 1024 bits by RFC 8301, t=s with an i= subdomain); permerror
 * (syntax, no key, key record unusable or not matching); temperror (the
 * key lookup failed or timed out, the query cap).  temperror and
 * permerror never score.  Signatures under a key in testing mode (t=y)
 * are judged and reported but never score (§3.6.1).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "dkimcanon.h"
#include "dkimcrypto.h"
#include "dkimtag.h"
#include "dns.h"
#include "msg.h"
#include "policy.h"
#include "report.h"
#include "util.h"

/* Clock skew allowed on x= and t= (dkimpy's default too), seconds. */
#define DKIM_SKEW	300

enum { T_SIGNED, T_VALID, T_VALID_AU, T_VALID_EF, T_INVALID, T_N };

static const struct score_test dkim_tests[] = {
	{ "DKIM_SIGNED", 0, "message has a DKIM signature, valid or not" },
	{ "DKIM_VALID", -0.1, "a DKIM signature verifies" },
	{ "DKIM_VALID_AU", -0.1,
	    "a valid DKIM signature by the From: domain or a parent of it" },
	{ "DKIM_VALID_EF", -0.1,
	    "a valid DKIM signature by the envelope sender's domain or a "
	    "parent" },
	{ "DKIM_INVALID", 0.1,
	    "signed, but no DKIM signature verifies (no temperror)" },
};

/* One body hash: a canonicalization and an l= limit. */
struct bodyhash {
	enum dkim_canon	 c;
	int		 has_l;
	unsigned long long l;
	unsigned long long hashed;
	struct dkim_hash h;
	struct dkim_body body;
	unsigned char	 digest[DKIM_HASHLEN];
	int		 over;
};

struct dkim_run;

/* One signature being judged. */
struct one {
	struct dkim_run	*run;
	struct auth_dkim_sig *out;	/* m->auth.dkim.sig[i] */
	int		 pending;	/* its key query is out */
	int		 judged;	/* out->res is final */
	int		 bh;		/* its body hash, -1 none */
	int		 testing;	/* key t=y */
	struct dkim_sig	 sig;
	struct dkim_key	 key;
	unsigned char	 hhash[DKIM_HASHLEN];
};

struct dkim_run {
	struct msg	*m;
	size_t		 n;
	size_t		 nbh;
	struct one	 one[AUTH_DKIM_MAX];
	struct bodyhash	 bh[AUTH_DKIM_MAX];
	char		 warn[T_N][FINDING_TEXT];
};

static const char *const dkim_keywords[] = { "dkim", NULL };

static void
trace(const struct dkim_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
trace(const struct dkim_run *r, const char *fmt, ...)
{
	va_list	ap;

	if (r->m->trace == NULL)
		return;
	va_start(ap, fmt);
	fputs("dkim: ", r->m->trace);
	vfprintf(r->m->trace, fmt, ap);
	fputc('\n', r->m->trace);
	va_end(ap);
}

/* The signature's result, final; the reason is program text. */
static void
judge(struct one *o, enum auth_res res, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
judge(struct one *o, enum auth_res res, const char *fmt, ...)
{
	va_list	ap;
	size_t	n;

	if (o->judged)
		return;
	o->judged = 1;
	o->out->res = res;
	va_start(ap, fmt);
	vsnprintf(o->out->reason, sizeof(o->out->reason), fmt, ap);
	va_end(ap);
	n = strlen(o->out->reason);
	if (o->testing)
		snprintf(o->out->reason + n, sizeof(o->out->reason) - n,
		    "%skey in testing mode (t=y)", n ? "; " : "");
	trace(o->run, "d=%s s=%s: %s%s%s%s", o->out->d, o->out->s,
	    auth_res_text(res), *o->out->reason ? " (" : "", o->out->reason,
	    *o->out->reason ? ")" : "");
}

/* ---- hashing ------------------------------------------------------- */

static void
emit_hash(void *ctx, const unsigned char *p, size_t n)
{
	dkim_hash_update(ctx, p, n);
}

/* Body bytes of one body hash: hashed up to its l= limit. */
static void
emit_body(void *ctx, const unsigned char *p, size_t n)
{
	struct bodyhash	*b = ctx;
	size_t		 k = n;

	if (b->has_l && b->l - b->hashed < k)
		k = (size_t)(b->l - b->hashed);
	dkim_hash_update(&b->h, p, k);
	b->hashed += k;
}

/* The header hash (§3.7): the h= fields, then the signature, b= empty. */
static void
header_hash(struct one *o, const struct msg *m, const struct rfc_field *self)
{
	struct dkim_hash h;

	dkim_hash_init(&h);
	dkim_canon_headers(m->hdr, m->hdrlen, &o->sig, self, emit_hash, &h);
	dkim_hash_final(&h, o->hhash);
}

/* The body hash for this signature: shared by equal (c, l=) pairs. */
static int
body_slot(struct dkim_run *r, const struct dkim_sig *s)
{
	struct bodyhash	*b;
	size_t		 i;

	for (i = 0; i < r->nbh; i++) {
		b = &r->bh[i];
		if (b->c == s->bcanon && b->has_l == s->has_l &&
		    (!s->has_l || b->l == s->l))
			return (int)i;
	}
	b = &r->bh[r->nbh];
	b->c = s->bcanon;
	b->has_l = s->has_l;
	b->l = s->l;
	dkim_hash_init(&b->h);
	dkim_body_init(&b->body, b->c == DKIM_C_RELAXED, emit_body, b);
	return (int)r->nbh++;
}

/* ---- the key ------------------------------------------------------- */

/* A key that parsed: does it fit the signature?  Judges when not. */
static void
key_fits(struct one *o)
{
	int	bits;
	int	ed = o->sig.alg == DKIM_A_ED25519_SHA256;

	if (o->key.k != (ed ? DKIM_K_ED25519 : DKIM_K_RSA)) {
		judge(o, AUTH_PERMERROR, "key type (k=) does not match a=");
		return;
	}
	if (!o->key.sha256) {
		judge(o, AUTH_PERMERROR, "key h= does not allow sha256");
		return;
	}
	if (o->key.plen == 0) {
		judge(o, AUTH_FAIL, "key revoked");
		return;
	}
	if ((bits = dkim_key_bits(o->key.k, o->key.p, o->key.plen)) == -1) {
		judge(o, AUTH_PERMERROR, "unusable key (p=)");
		return;
	}
	if (!ed && bits < DKIM_RSA_MIN) {
		judge(o, AUTH_FAIL, "key %d bits < %d (RFC 8301)", bits,
		    DKIM_RSA_MIN);
		return;
	}
	if (o->key.strict && o->sig.idom[0] != '\0' &&
	    strcmp(o->sig.idom, o->sig.d) != 0)
		judge(o, AUTH_FAIL, "key t=s, but i= is a subdomain of d=");
	trace(o->run, "d=%s s=%s: key %s %d bits%s", o->sig.d, o->sig.s,
	    ed ? "ed25519" : "rsa", bits, o->testing ? ", testing" : "");
}

/* The first TXT record that parses as a key (§3.6.2.2); why if none. */
static int
key_record(struct one *o, const unsigned char *abuf, int alen,
    const char **why)
{
	static char	 rec[DKIM_KEYREC_MAX + 1];
	struct dns_rr	 rr;
	size_t		 i, n, k;
	int		 r;

	*why = "no key record (TXT)";
	memset(&rr, 0, sizeof(rr));
	while ((r = dns_rr(abuf, alen, &rr)) == 1) {
		if (rr.type != DNS_T_TXT)
			continue;
		for (i = 0, n = 0; i < rr.len && n <= DKIM_KEYREC_MAX;
		    i += k + 1) {
			k = abuf[rr.off + i];
			if (i + 1 + k > rr.len || n + k > DKIM_KEYREC_MAX) {
				n = DKIM_KEYREC_MAX + 1;
				break;
			}
			memcpy(rec + n, abuf + rr.off + i + 1, k);
			n += k;
		}
		if (n > DKIM_KEYREC_MAX) {
			*why = "key record too long";
			continue;
		}
		if (dkim_key_parse(rec, n, &o->key, why) == 0)
			return 0;
	}
	if (r == -1)
		*why = "malformed key answer";
	return -1;
}

/* The key query's answer. */
static void
key_answer(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct one	*o = arg;
	const char	*why;

	o->pending = 0;
	trace(o->run, "d=%s s=%s: key answer %s", o->sig.d, o->sig.s,
	    dns_status_text(status));
	if (o->judged)
		return;
	if (dns_class(status) == DNS_C_NONE) {
		judge(o, AUTH_PERMERROR, "no key for the selector");
		return;
	}
	if (dns_class(status) == DNS_C_ERROR) {
		judge(o, AUTH_TEMPERROR, "key lookup: %s",
		    dns_status_text(status));
		return;
	}
	if (key_record(o, abuf, alen, &why) == -1) {
		judge(o, AUTH_PERMERROR, "%s", why);
		return;
	}
	o->testing = o->key.testing;
	key_fits(o);
}

/* s._domainkey.d TXT, at once. */
static void
ask_key(struct one *o, struct msg *m)
{
	char	q[DNS_NAMEMAX];
	int	n;

	n = snprintf(q, sizeof(q), "%s._domainkey.%s", o->sig.s, o->sig.d);
	if (n < 0 || (size_t)n > DOM_MAX) {
		judge(o, AUTH_PERMERROR, "key name too long");
		return;
	}
	trace(o->run, "d=%s s=%s: key query %s TXT", o->sig.d, o->sig.s, q);
	if (auth_query(m, q, DNS_T_TXT, key_answer, o) == -1) {
		judge(o, AUTH_TEMPERROR, "%s", errno == EDQUOT ?
		    "too many DNS queries" : "key query not sent");
		return;
	}
	o->pending = 1;
}

/* ---- the steps ----------------------------------------------------- */

/* The signature's own checks, before any key (§6.1.1). */
static int
sig_usable(struct one *o, const struct msg *m)
{
	const struct dkim_sig *s = &o->sig;

	if (s->alg == DKIM_A_RSA_SHA1) {
		judge(o, AUTH_FAIL, "rsa-sha1 not accepted (RFC 8301)");
		return 0;
	}
	if (s->alg == DKIM_A_UNKNOWN) {
		judge(o, AUTH_PERMERROR, "unknown algorithm a=");
		return 0;
	}
	if (s->has_x && s->x + DKIM_SKEW < (long long)m->now) {
		judge(o, AUTH_FAIL, "signature expired (x=)");
		return 0;
	}
	if (s->has_t && s->t > (long long)m->now + DKIM_SKEW) {
		judge(o, AUTH_FAIL, "signature timestamp t= in the future");
		return 0;
	}
	if (m->hdrcut) {
		judge(o, AUTH_PERMERROR, "header section too long to verify");
		return 0;
	}
	return 1;
}

/* One DKIM-Signature field: parsed, its header hash, its key asked. */
static void
sig_start(struct dkim_run *r, struct msg *m, const struct rfc_field *f)
{
	struct one	*o = &r->one[r->n];
	const char	*why;
	int		 ok;

	o->run = r;
	o->out = &m->auth.dkim.sig[r->n];
	o->bh = -1;
	m->auth.dkim.n = ++r->n;
	ok = f->vlen <= DKIM_FIELD_MAX &&
	    dkim_sig_parse(f->val, f->vlen, &o->sig, &why) == 0;
	rfc_keep(o->out->d, sizeof(o->out->d), o->sig.d, strlen(o->sig.d));
	rfc_keep(o->out->s, sizeof(o->out->s), o->sig.s, strlen(o->sig.s));
	rfc_keep(o->out->a, sizeof(o->out->a), o->sig.a, strlen(o->sig.a));
	rfc_keep(o->out->b, sizeof(o->out->b), o->sig.btag,
	    strlen(o->sig.btag));
	if (!ok) {
		judge(o, AUTH_PERMERROR, "%s", f->vlen > DKIM_FIELD_MAX ?
		    "signature field too long" : why);
		return;
	}
	if (!sig_usable(o, m))
		return;
	header_hash(o, m, f);
	o->bh = body_slot(r, &o->sig);
	ask_key(o, m);
}

static const struct score_test *
dkim_test_at(size_t i)
{
	return i < T_N ? &dkim_tests[i] : NULL;
}

/* Nothing to ask before the header section; the room is made now. */
static void *
dkim_start(const void *conf, struct msg *m)
{
	const struct auth_conf *c = conf;
	struct dkim_run	*r;

	if (!c->on || m->mode == MSG_PROBE) {
		errno = 0;
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) != NULL)
		r->m = m;
	return r;
}

/* Every DKIM-Signature field, top-down: the first AUTH_DKIM_MAX judged. */
static void
dkim_headers(void *v, struct msg *m)
{
	struct dkim_run	*r = v;
	struct rfc_iter	 it;
	struct rfc_field f;

	if (!m->have_headers || m->hdr == NULL || r->n > 0)
		return;
	rfc_iter_init(&it, m->hdr, m->hdrlen);
	while (rfc_next(&it, "DKIM-Signature", &f)) {
		if (r->n == AUTH_DKIM_MAX) {
			m->auth.dkim.skipped++;
			continue;
		}
		sig_start(r, m, &f);
	}
	if (m->auth.dkim.skipped > 0)
		trace(r, "%zu signatures past the first %d not judged",
		    m->auth.dkim.skipped, AUTH_DKIM_MAX);
}

static int
dkim_wants_body(const void *v)
{
	return ((const struct dkim_run *)v)->nbh > 0;
}

/* A body chunk: through every body hash. */
static void
dkim_body(void *v, struct msg *m, const char *p, size_t n)
{
	struct dkim_run	*r = v;
	size_t		 i;

	(void)m;
	for (i = 0; i < r->nbh; i++)
		dkim_body_feed(&r->bh[i].body, p, n);
}

/* The body is over: every body hash final. */
static void
bodies_end(struct dkim_run *r)
{
	struct bodyhash	*b;
	size_t		 i;

	for (i = 0; i < r->nbh; i++) {
		b = &r->bh[i];
		if (b->over)
			continue;
		dkim_body_end(&b->body);
		dkim_hash_final(&b->h, b->digest);
		b->over = 1;
	}
}

static void
hex8(char *out, const unsigned char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < 8 && i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * i] = '\0';
}

/* A signature whose key fits: the body hash, then the signature. */
static void
verify(struct one *o)
{
	struct bodyhash	*b = &o->run->bh[o->bh];
	char		 got[17], want[17];
	int		 v;

	hex8(got, b->digest, sizeof(b->digest));
	hex8(want, o->sig.bh, o->sig.bhlen);
	trace(o->run, "d=%s s=%s: body hash %s... (%llu bytes hashed), bh= "
	    "%s...", o->sig.d, o->sig.s, got, b->hashed, want);
	o->out->partial = b->has_l && b->body.total > b->l;
	if (o->sig.bhlen != DKIM_HASHLEN ||
	    memcmp(b->digest, o->sig.bh, DKIM_HASHLEN) != 0) {
		judge(o, AUTH_FAIL, "body hash mismatch");
		return;
	}
	v = dkim_verify(o->key.k, o->key.p, o->key.plen, o->hhash, o->sig.b,
	    o->sig.blen);
	if (v == 1 && o->out->partial)
		judge(o, AUTH_PASS, "l= leaves %llu body bytes unsigned",
		    b->body.total - b->l);
	else if (v == 1)
		judge(o, AUTH_PASS, "%s", "");
	else if (v == 0)
		judge(o, AUTH_FAIL, "signature verification failed");
	else
		judge(o, AUTH_PERMERROR, "unusable key (p=)");
}

/* Is dom the domain d, or under it?  (Both lowercased, no dot last.) */
static int
under(const char *dom, const char *d)
{
	size_t	n, dn = strlen(d);

	if (dom == NULL || dn == 0 || (n = strlen(dom)) < dn)
		return 0;
	return strcasecmp(dom + n - dn, d) == 0 &&
	    (n == dn || dom[n - dn - 1] == '.');
}

/* One test fired, its warning naming d= and why. */
static void
fire(struct dkim_run *r, struct report *rep, int t, const struct one *o)
{
	struct finding	f;

	finding_init(&f, dkim_tests[t].name, "dkim", F_LISTED);
	f.weight = policy_weight(r->m->pol, dkim_tests[t].name);
	if (o == NULL) {
		finding_text(&f, dkim_tests[t].what,
		    strlen(dkim_tests[t].what), 0, 0);
		report_finding(rep, &f);
		return;
	}
	snprintf(r->warn[t], sizeof(r->warn[t]), "DKIM signature %s by",
	    o->out->res == AUTH_PASS ? "valid" : "not valid");
	finding_text(&f, r->warn[t], strlen(r->warn[t]), 0, 0);
	finding_text(&f, o->out->d, strlen(o->out->d), 1, 0);
	finding_text(&f, ":", 1, 0, 1);
	finding_text(&f, o->out->reason[0] ? o->out->reason : "verified",
	    strlen(o->out->reason[0] ? o->out->reason : "verified"), 0, 0);
	if (o->out->partial)
		finding_text(&f, "(l= left part of the body unsigned)", 35,
		    0, 0);
	f.subject = o->out->d;
	f.subjlen = strlen(o->out->d);
	report_finding(rep, &f);
}

/* Every signature as a clean finding: its result for qqtag -c and logs. */
static void
results(struct dkim_run *r, struct report *rep)
{
	struct finding	f;
	size_t		i;

	for (i = 0; i < r->n; i++) {
		finding_init(&f, "DKIM", "dkim", F_CLEAN);
		f.subject = r->one[i].out->d;
		f.subjlen = strlen(r->one[i].out->d);
		f.answer = auth_res_text(r->one[i].out->res);
		f.anslen = strlen(f.answer);
		report_finding(rep, &f);
	}
}

/* The tests over the judged signatures (testing-mode keys never score). */
static void
tests(struct dkim_run *r, struct msg *m, struct report *rep)
{
	const struct one *valid = NULL, *au = NULL, *ef = NULL, *bad = NULL;
	size_t		 i;
	int		 temp = 0;

	for (i = 0; i < r->n; i++) {
		const struct one *o = &r->one[i];

		temp |= o->out->res == AUTH_TEMPERROR;
		if (o->testing)
			continue;
		if (o->out->res == AUTH_FAIL && bad == NULL)
			bad = o;
		if (o->out->res != AUTH_PASS)
			continue;
		if (valid == NULL)
			valid = o;
		if (au == NULL && under(m->from_domain, o->out->d))
			au = o;
		if (ef == NULL && under(m->sender_domain, o->out->d))
			ef = o;
	}
	if (r->n + m->auth.dkim.skipped > 0)
		fire(r, rep, T_SIGNED, NULL);
	if (valid != NULL)
		fire(r, rep, T_VALID, valid);
	if (au != NULL)
		fire(r, rep, T_VALID_AU, au);
	if (ef != NULL)
		fire(r, rep, T_VALID_EF, ef);
	if (valid == NULL && bad != NULL && !temp)
		fire(r, rep, T_INVALID, bad);
}

/* The deadline is past: every signature judged, then the tests. */
static void
dkim_findings(void *v, struct msg *m, struct report *rep)
{
	struct dkim_run	*r = v;
	size_t		 i;

	bodies_end(r);
	for (i = 0; i < r->n; i++) {
		struct one *o = &r->one[i];

		if (o->pending) {
			dns_cancel(m->dns, o);
			o->pending = 0;
			judge(o, AUTH_TEMPERROR, "no key answer");
		}
		if (!o->judged)
			verify(o);
	}
	results(r, rep);
	tests(r, m, rep);
}

/* Free the run; callbacks still due to it are dropped. */
static void
dkim_done(void *v)
{
	struct dkim_run	*r = v;
	size_t		 i;

	for (i = 0; r != NULL && i < r->n; i++)
		if (r->one[i].pending && r->m->dns != NULL)
			dns_cancel(r->m->dns, &r->one[i]);
	free(r);
}

const struct check check_dkim = {
	.name = "dkim",
	.keywords = dkim_keywords,
	.conf_new = auth_conf_new,
	.conf_free = free,
	.conf_line = auth_conf_line,
	.test_at = dkim_test_at,
	.start = dkim_start,
	.headers = dkim_headers,
	.wants_body = dkim_wants_body,
	.body = dkim_body,
	.findings = dkim_findings,
	.done = dkim_done,
};

/*
 * unit_dkim.c - the DKIM parts: tag lists (RFC 6376 §3.2, §3.5, §3.6.1,
 * hostile lists), base64 with FWS, canonicalization (the §3.4.5 example
 * exactly; every chunking of several bodies; CRLF and LF forms), and the
 * crypto on RFC 8463 Appendix A's signed message (Ed25519 and RSA),
 * verified end to end through the header and body hash, plus an RSA-2048
 * key made here (hogweed) signing a digest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/rsa.h>
#include <nettle/knuth-lfib.h>

#include "unit.h"
#include "dkimcanon.h"
#include "dkimcrypto.h"
#include "dkimtag.h"
#include "rfc5322.h"

/* ---- an emit that collects ---------------------------------------- */

struct col {
	unsigned char	b[8192];
	size_t		n;
};

static void
collect(void *ctx, const unsigned char *p, size_t n)
{
	struct col *c = ctx;

	if (n > sizeof(c->b) - c->n)
		n = sizeof(c->b) - c->n;
	memcpy(c->b + c->n, p, n);
	c->n += n;
}

static void
hash_emit(void *ctx, const unsigned char *p, size_t n)
{
	dkim_hash_update(ctx, p, n);
}

/* ---- tag lists ------------------------------------------------------ */

static const char sig6376[] =
    "v=1; a=rsa-sha256; s=brisbane; d=example.com;\n"
    "      c=simple/simple; q=dns/txt; i=joe@football.example.com;\n"
    "      h=Received : From : To : Subject : Date : Message-ID;\n"
    "      bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
    "      b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\n"
    "        4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\n"
    "        KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\n"
    "        4bmp/YzhwvcubU4=;\n";

static void
t_tags(void)
{
	struct dkim_tag	 t[DKIM_TAGS_MAX];
	struct dkim_sig	*s = calloc(1, sizeof(*s));
	struct dkim_key	*k = calloc(1, sizeof(*k));
	const char	*why = "";
	char		*big;
	size_t		 i, n;
	int		 r;

	r = dkim_tags("a=1; b = two words ;c=", 22, t, DKIM_TAGS_MAX, &why);
	T(r == 3, "three tags: %d (%s)", r, why);
	T(r == 3 && t[1].vlen == 9 && memcmp(t[1].val, "two words", 9) == 0,
	    "value trimmed, inner FWS kept");
	T(r == 3 && t[2].vlen == 0, "empty value");
	T(dkim_tags("", 0, t, DKIM_TAGS_MAX, &why) == 0, "empty list");
	T(dkim_tags("a=1;", 4, t, DKIM_TAGS_MAX, &why) == 1, "trailing ;");
	T(dkim_tags("a=1;a=2", 7, t, DKIM_TAGS_MAX, &why) == -1 &&
	    strcmp(why, "duplicate tag") == 0, "duplicate tag: %s", why);
	T(dkim_tags("a=1;;b=2", 8, t, DKIM_TAGS_MAX, &why) == -1, ";;");
	T(dkim_tags("=1", 2, t, DKIM_TAGS_MAX, &why) == -1, "no name");
	T(dkim_tags("1a=1", 4, t, DKIM_TAGS_MAX, &why) == -1, "digit first");
	T(dkim_tags("a 1", 3, t, DKIM_TAGS_MAX, &why) == -1, "no =");
	T(dkim_tags("a=x\0y", 5, t, DKIM_TAGS_MAX, &why) == -1 &&
	    strcmp(why, "control byte in a tag value") == 0, "NUL: %s", why);
	T(dkim_tags("a\0=1", 4, t, DKIM_TAGS_MAX, &why) == -1, "NUL in name");
	/* 10,000 tags: refused past DKIM_TAGS_MAX, quickly */
	big = malloc(10000 * 8);
	for (i = 0, n = 0; i < 10000; i++)
		n += (size_t)snprintf(big + n, 8, "t%zu=1;", i);
	T(dkim_tags(big, n, t, DKIM_TAGS_MAX, &why) == -1 &&
	    strcmp(why, "too many tags") == 0, "10k tags: %s", why);
	T(dkim_sig_parse(big, n, s, &why) == -1, "10k tags as a signature");
	T(dkim_key_parse(big, n, k, &why) == -1, "10k tags as a key");
	free(big);

	T(dkim_sig_parse(sig6376, strlen(sig6376), s, &why) == 0,
	    "RFC 6376 §3.5 example parses: %s", why);
	T(s->alg == DKIM_A_RSA_SHA256 && s->hcanon == DKIM_C_SIMPLE &&
	    s->bcanon == DKIM_C_SIMPLE, "a= and c=");
	T(strcmp(s->d, "example.com") == 0 && strcmp(s->s, "brisbane") == 0,
	    "d= s=");
	T(strcmp(s->idom, "football.example.com") == 0, "i= domain under d=");
	T(s->bhlen == 32 && s->blen == 128, "bh %zu b %zu", s->bhlen, s->blen);
	T(strcmp(s->btag, "AuUoFEfD") == 0, "header.b %s", s->btag);
	T(memcmp(sig6376 + s->bstart, "AuUo", 4) == 0 &&
	    memcmp(sig6376 + s->bend - 4, "bU4=", 4) == 0,
	    "b= value span: from after '=' to its last character");
#define BAD(str, w) do {						\
	T(dkim_sig_parse(str, strlen(str), s, &why) == -1 &&		\
	    strcmp(why, w) == 0, "%s: %s", str, why);			\
} while (0)
	BAD("a=rsa-sha256; b=AA==; bh=AA==; d=x.example; h=from; s=s",
	    "required tag missing");
	BAD("v=2; a=rsa-sha256; b=AA==; bh=AA==; d=x.example; h=from; s=s",
	    "v= is not 1");
	BAD("v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x.example; h=to; s=s",
	    "From not in h=");
	BAD("v=1; a=rsa-sha256; b=A$==; bh=AA==; d=x.example; h=from; s=s",
	    "bad b= base64");
	BAD("v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x.example; h=from; s=s; "
	    "i=a@y.example", "i= not under d=");
	BAD("v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x.example; h=from; s=s; "
	    "i=a@badx.example", "i= not under d=");
	BAD("v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x.example; h=from; s=s; "
	    "c=fancy", "unknown c=");
	BAD("v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x.example; h=from; s=s; "
	    "t=20; x=10", "x= before t=");
	BAD("v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x.example; h=from; s=s; "
	    "q=http", "q= without dns/txt");
	BAD("v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x..example; h=from; s=s",
	    "bad d= or s=");
	BAD("v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x.example; h=from; s=s; "
	    "l=12x", "bad l=");
	why = "v=1; a=rsa-sha512; b=AA==; bh=AA==; d=x.example; h=From; s=s";
	T(dkim_sig_parse(why, strlen(why), s, &why) == 0 &&
	    s->alg == DKIM_A_UNKNOWN, "unknown a= parses (the caller judges)");

	T(dkim_key_parse("v=DKIM1; p=AAAA", 15, k, &why) == 0 &&
	    k->plen == 3 && k->k == DKIM_K_RSA && k->sha256, "plain key");
	T(dkim_key_parse("v=DKIM1; p=", 11, k, &why) == 0 && k->plen == 0,
	    "p= empty: revoked");
	T(dkim_key_parse("k=ed25519; t=y:s; h=sha1:sha256; p=AAAA", 39, k,
	    &why) == 0 && k->k == DKIM_K_ED25519 && k->testing &&
	    k->strict && k->sha256, "flags");
	T(dkim_key_parse("h=sha1; p=AAAA", 14, k, &why) == 0 && !k->sha256,
	    "h=sha1 only");
	T(dkim_key_parse("p=AAAA; v=DKIM1", 15, k, &why) == -1, "v= not first");
	T(dkim_key_parse("v=DKIM2; p=AAAA", 15, k, &why) == -1, "v=DKIM2");
	T(dkim_key_parse("v=DKIM1; k=rsa", 14, k, &why) == -1, "no p=");
	T(dkim_key_parse("s=tlsrpt; p=AAAA", 16, k, &why) == -1,
	    "s= not email");
	T(dkim_key_parse("p=A\n A A\tA", 10, k, &why) == 0 && k->plen == 3,
	    "p= with FWS");
	free(s);
	free(k);
}

static void
t_b64(void)
{
	unsigned char	o[16];

	T(dkim_b64("Zm9v", 4, o, sizeof(o)) == 3 && memcmp(o, "foo", 3) == 0,
	    "foo");
	T(dkim_b64("Zm9vYg==", 8, o, sizeof(o)) == 4, "padded");
	T(dkim_b64("Zm9vYg", 6, o, sizeof(o)) == 4, "unpadded");
	T(dkim_b64(" Zm\r\n\t9v ", 9, o, sizeof(o)) == 3, "FWS inside");
	T(dkim_b64("Zm9vY", 5, o, sizeof(o)) == -1, "dangling sextet");
	T(dkim_b64("Zm=9v", 5, o, sizeof(o)) == -1, "data after =");
	T(dkim_b64("Zm9v====", 8, o, sizeof(o)) == -1, "too much padding");
	T(dkim_b64("Zm9v!", 5, o, sizeof(o)) == -1, "bad character");
	T(dkim_b64("Zm9vZm9vZm9v", 12, o, 8) == -1, "over cap");
}

/* ---- canonicalization ---------------------------------------------- */

static void
body(int rel, const char *p, size_t n, size_t chunk, struct col *c)
{
	struct dkim_body b;
	size_t		 i, k;

	memset(c, 0, sizeof(*c));
	dkim_body_init(&b, rel, collect, c);
	for (i = 0; i < n; i += k) {
		k = chunk == 0 || n - i < chunk ? n - i : chunk;
		dkim_body_feed(&b, p + i, k);
	}
	dkim_body_end(&b);
	T(b.total == c->n, "total %llu == emitted %zu", b.total, c->n);
}

static int
same(const struct col *c, const char *want)
{
	return c->n == strlen(want) && memcmp(c->b, want, c->n) == 0;
}

/* RFC 6376 §3.4.5, in qmail's LF form */
static void
t_example(void)
{
	static const char hdr[] = "A: X\nB : Y\t\n\tZ  \n";
	static const char bod[] = " C \nD \t E\n\n\n";
	struct col	c;

	memset(&c, 0, sizeof(c));
	dkim_canon_field(1, hdr, 5, 0, 0, 0, collect, &c);
	dkim_canon_field(1, hdr + 5, sizeof(hdr) - 6, 0, 0, 0, collect, &c);
	T(same(&c, "a:X\r\nb:Y Z\r\n"), "relaxed header %.*s", (int)c.n,
	    c.b);
	memset(&c, 0, sizeof(c));
	dkim_canon_field(0, hdr, 5, 0, 0, 0, collect, &c);
	dkim_canon_field(0, hdr + 5, sizeof(hdr) - 6, 0, 0, 0, collect, &c);
	T(same(&c, "A: X\r\nB : Y\t\r\n\tZ  \r\n"), "simple header");
	body(1, bod, sizeof(bod) - 1, 0, &c);
	T(same(&c, " C\r\nD E\r\n"), "relaxed body %.*s", (int)c.n, c.b);
	body(0, bod, sizeof(bod) - 1, 0, &c);
	T(same(&c, " C \r\nD \t E\r\n"), "simple body");
	/* the same in CRLF form */
	body(1, " C \r\nD \t E\r\n\r\n\r\n", 16, 0, &c);
	T(same(&c, " C\r\nD E\r\n"), "relaxed body, CRLF input");
	memset(&c, 0, sizeof(c));
	dkim_canon_field(1, "B : Y\t\r\n\tZ  \r\n", 14, 0, 0, 0, collect, &c);
	T(same(&c, "b:Y Z\r\n"), "relaxed header, CRLF input");
	/* empty bodies (§3.4.3, §3.4.4) and a missing last line end */
	body(0, "", 0, 0, &c);
	T(same(&c, "\r\n"), "simple empty body is CRLF");
	body(1, "", 0, 0, &c);
	T(c.n == 0, "relaxed empty body is empty");
	body(0, "\n\n\n", 3, 0, &c);
	T(same(&c, "\r\n"), "simple: empty lines only");
	body(0, "abc", 3, 0, &c);
	T(same(&c, "abc\r\n"), "CRLF added at the end");
	body(0, "a\rb\n\r", 5, 0, &c);
	T(same(&c, "a\rb\r\n\r\r\n"), "lone CRs are data");
	body(1, "a  \n   \n\nb\n", 11, 0, &c);
	T(same(&c, "a\r\n\r\n\r\nb\r\n"), "blank lines inside kept");
	/* b= left out, last: no final CRLF */
	memset(&c, 0, sizeof(c));
	dkim_canon_field(1, "DKIM-Signature: a=1; b=xyz\n abc; c=2\n", 37,
	    23, 31, 1, collect, &c);
	T(same(&c, "dkim-signature:a=1; b=; c=2"), "b= out: %.*s", (int)c.n,
	    c.b);
}

/* Every chunking of a body gives the same canonical bytes. */
static void
t_chunks(void)
{
	static const char *const bodies[] = {
		"Hello  there, \t\n\nsecond \t paragraph\n\n\n",
		"a\r\n\r\n  b \r\r\n\t\n\n\nc",
		"\n\n \n\t\nx\n \n",
		" lead\tand  trail \t \nno end  ",
	};
	struct col	whole, part;
	size_t		i, k;
	int		rel, bad;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		for (rel = 0; rel < 2; rel++) {
			body(rel, bodies[i], strlen(bodies[i]), 0, &whole);
			for (bad = 0, k = 1; k <= strlen(bodies[i]); k++) {
				body(rel, bodies[i], strlen(bodies[i]), k,
				    &part);
				bad += part.n != whole.n ||
				    memcmp(part.b, whole.b, whole.n) != 0;
			}
			T(bad == 0, "body %zu %s: %d chunkings differ", i,
			    rel ? "relaxed" : "simple", bad);
		}
}

/* ---- RFC 8463 Appendix A: the signed message, verified ------------- */

static const char rfc8463[] =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\n"
    " d=football.example.com; i=@football.example.com;\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\n"
    " subject : date : message-id : from : subject : date;\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
    " d=football.example.com; i=@football.example.com;\n"
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\n"
    " date : message-id : from : subject : date;\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\n"
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\n"
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\n"
    "From: Joe SixPack <joe@football.example.com>\n"
    "To: Suzie Q <suzie@shopping.example.net>\n"
    "Subject: Is dinner ready?\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\n"
    "\n"
    "Hi.\n"
    "\n"
    "We lost the game.  Are you hungry yet?\n"
    "\n"
    "Joe.\n";

static const char key_brisbane[] =
    "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
static const char key_test[] =
    "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
    "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
    "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
    "Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

/* Verify signature field f of msg (header section hdr) with key rec. */
static int
verify_one(const char *msg, size_t hdrlen, const struct rfc_field *f,
    const char *rec, const char *bod, size_t bodlen)
{
	struct dkim_sig	*s = calloc(1, sizeof(*s));
	struct dkim_key	*k = calloc(1, sizeof(*k));
	struct dkim_hash h;
	struct dkim_body b;
	unsigned char	 hh[DKIM_HASHLEN], bh[DKIM_HASHLEN];
	const char	*why = "";
	int		 r = -2;

	if (dkim_sig_parse(f->val, f->vlen, s, &why) == -1 ||
	    dkim_key_parse(rec, strlen(rec), k, &why) == -1) {
		T(0, "parse: %s", why);
		goto out;
	}
	dkim_hash_init(&h);
	dkim_body_init(&b, s->bcanon == DKIM_C_RELAXED, hash_emit, &h);
	dkim_body_feed(&b, bod, bodlen);
	dkim_body_end(&b);
	dkim_hash_final(&h, bh);
	T(s->bhlen == 32 && memcmp(bh, s->bh, 32) == 0, "%s: body hash",
	    s->s);
	dkim_hash_init(&h);
	dkim_canon_headers(msg, hdrlen, s, f, hash_emit, &h);
	dkim_hash_final(&h, hh);
	r = dkim_verify(k->k, k->p, k->plen, hh, s->b, s->blen);
	s->b[10] ^= 1;
	T(dkim_verify(k->k, k->p, k->plen, hh, s->b, s->blen) == 0,
	    "%s: a flipped bit fails", s->s);
	hh[0] ^= 1;
	s->b[10] ^= 1;
	T(dkim_verify(k->k, k->p, k->plen, hh, s->b, s->blen) == 0,
	    "%s: another digest fails", s->s);
out:
	free(s);
	free(k);
	return r;
}

static void
t_rfc8463(void)
{
	struct rfc_iter	 it;
	struct rfc_field f;
	const char	*bod = strstr(rfc8463, "\n\n") + 2;
	size_t		 hdrlen = (size_t)(bod - rfc8463);
	struct dkim_key	*k = calloc(1, sizeof(*k));
	const char	*why;
	int		 n = 0;

	T(dkim_key_parse(key_test, strlen(key_test), k, &why) == 0 &&
	    dkim_key_bits(k->k, k->p, k->plen) == 1024, "RSA key: 1024 bits");
	T(dkim_key_parse(key_brisbane, strlen(key_brisbane), k, &why) == 0 &&
	    dkim_key_bits(k->k, k->p, k->plen) == 256, "Ed25519 key");
	T(dkim_key_bits(DKIM_K_RSA, k->p, k->plen) == -1,
	    "the Ed25519 key is no RSA key");
	free(k);
	rfc_iter_init(&it, rfc8463, hdrlen);
	while (rfc_next(&it, "DKIM-Signature", &f)) {
		n++;
		T(verify_one(rfc8463, hdrlen, &f, n == 1 ? key_brisbane :
		    key_test, bod, strlen(bod)) == 1, "RFC 8463 signature %d "
		    "verifies", n);
	}
	T(n == 2, "two signatures");
}

/* ---- an RSA-2048 key made here ------------------------------------- */

/* A DER tag and length (minimal form) into o; the header's length. */
static size_t
der_head(unsigned char *o, int tag, size_t n)
{
	o[0] = (unsigned char)tag;
	if (n < 128) {
		o[1] = (unsigned char)n;
		return 2;
	}
	if (n < 256) {
		o[1] = 0x81;
		o[2] = (unsigned char)n;
		return 3;
	}
	o[1] = 0x82;
	o[2] = (unsigned char)(n >> 8);
	o[3] = (unsigned char)n;
	return 4;
}

/* A DER INTEGER of x (non-negative) into o; its length. */
static size_t
der_int(unsigned char *o, const mpz_t x)
{
	unsigned char	tmp[600];
	size_t		n = nettle_mpz_sizeinbase_256_u(x), pad, h;

	nettle_mpz_get_str_256(n, tmp, x);
	pad = (tmp[0] & 0x80) != 0;
	h = der_head(o, 0x02, n + pad);
	o[h] = 0;
	memcpy(o + h + pad, tmp, n);
	return h + pad + n;
}

static void
t_rsa2048(void)
{
	struct rsa_public_key	 pub;
	struct rsa_private_key	 key;
	struct knuth_lfib_ctx	 rnd;
	unsigned char		 der[600], body[600], digest[32], sig[256];
	size_t			 n, k;
	mpz_t			 s;

	rsa_public_key_init(&pub);
	rsa_private_key_init(&key);
	knuth_lfib_init(&rnd, (uint32_t)t_seed(2048));
	mpz_set_ui(pub.e, 65537);
	T(rsa_generate_keypair(&pub, &key, &rnd,
	    (nettle_random_func *)knuth_lfib_random, NULL, NULL, 2048, 0),
	    "RSA-2048 key made");
	n = der_int(body, pub.n);
	n += der_int(body + n, pub.e);
	k = der_head(der, 0x30, n);
	memcpy(der + k, body, n);
	n += k;
	T(dkim_key_bits(DKIM_K_RSA, der, n) == 2048, "bare RSAPublicKey: "
	    "2048 bits");
	memset(digest, 7, sizeof(digest));
	mpz_init(s);
	T(rsa_sha256_sign_digest(&key, digest, s), "signed");
	nettle_mpz_get_str_256(sizeof(sig), sig, s);
	T(dkim_verify(DKIM_K_RSA, der, n, digest, sig, sizeof(sig)) == 1,
	    "verifies");
	digest[31] ^= 0x80;
	T(dkim_verify(DKIM_K_RSA, der, n, digest, sig, sizeof(sig)) == 0,
	    "another digest fails");
	T(dkim_verify(DKIM_K_RSA, der, n - 1, digest, sig, sizeof(sig)) == -1,
	    "a cut key is unusable");
	mpz_clear(s);
	rsa_public_key_clear(&pub);
	rsa_private_key_clear(&key);
}

int
main(void)
{
	t_tags();
	t_b64();
	t_example();
	t_chunks();
	t_rfc8463();
	t_rsa2048();
	return t_done();
}

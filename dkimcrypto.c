/*
 * dkimcrypto.c - SHA-256, DKIM public keys and signature verification
 * through Nettle and hogweed (the only file that includes them): RSA
 * PKCS#1 v1.5 with SHA-256 (RFC 6376 §3.3.1) and Ed25519 over the
 * SHA-256 digest (RFC 8463 §3).  Keys arrive as the decoded p= of a key
 * record: RSA as SubjectPublicKeyInfo (§3.6.1) or, as some publishers
 * write it, a bare RSAPublicKey; Ed25519 as its 32 raw bytes.
 */
#include <string.h>

#include <gmp.h>
#include <nettle/asn1.h>
#include <nettle/bignum.h>
#include <nettle/eddsa.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>

#include "dkimcrypto.h"

/* The opaque state must hold Nettle's (a negative size fails to build). */
typedef char dkim_hash_fits[sizeof(((struct dkim_hash *)0)->u.b) >=
    sizeof(struct sha256_ctx) ? 1 : -1];

/* A new SHA-256. */
void
dkim_hash_init(struct dkim_hash *h)
{
	sha256_init((struct sha256_ctx *)(void *)h->u.b);
}

/* n more bytes. */
void
dkim_hash_update(struct dkim_hash *h, const void *p, size_t n)
{
	sha256_update((struct sha256_ctx *)(void *)h->u.b, n, p);
}

/* The digest (DKIM_HASHLEN bytes) into out; h starts over. */
void
dkim_hash_final(struct dkim_hash *h, unsigned char *out)
{
	sha256_digest((struct sha256_ctx *)(void *)h->u.b, DKIM_HASHLEN, out);
}

/* rsaEncryption, 1.2.840.113549.1.1.1 (RFC 3279 §2.3.1) */
static const uint8_t oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x01 };

/* SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { OID, params }, BIT STRING } */
static int
spki(struct rsa_public_key *k, const unsigned char *p, size_t n)
{
	struct asn1_der_iterator i, alg;

	if (asn1_der_iterator_first(&i, n, p) != ASN1_ITERATOR_CONSTRUCTED ||
	    i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed_last(&i) !=
	    ASN1_ITERATOR_CONSTRUCTED || i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed(&i, &alg) != ASN1_ITERATOR_PRIMITIVE ||
	    alg.type != ASN1_IDENTIFIER || alg.length != sizeof(oid_rsa) ||
	    memcmp(alg.data, oid_rsa, sizeof(oid_rsa)) != 0 ||
	    asn1_der_iterator_next(&i) != ASN1_ITERATOR_PRIMITIVE ||
	    i.type != ASN1_BITSTRING ||
	    asn1_der_decode_bitstring_last(&i) != ASN1_ITERATOR_CONSTRUCTED)
		return 0;
	return rsa_public_key_from_der_iterator(k, DKIM_RSA_MAX, &i);
}

/* An RSA key from p: SPKI, else a bare RSAPublicKey; 1, or 0. */
static int
rsa_key(struct rsa_public_key *k, const unsigned char *p, size_t n)
{
	struct asn1_der_iterator i;

	if (spki(k, p, n))
		return 1;
	return asn1_der_iterator_first(&i, n, p) ==
	    ASN1_ITERATOR_CONSTRUCTED &&
	    rsa_public_key_from_der_iterator(k, DKIM_RSA_MAX, &i);
}

/* The key's size in bits, or -1 when p[0..n) is no key of type kt. */
int
dkim_key_bits(enum dkim_ktype kt, const unsigned char *p, size_t n)
{
	struct rsa_public_key	k;
	int			bits = -1;

	if (kt == DKIM_K_ED25519)
		return n == ED25519_KEY_SIZE ? 256 : -1;
	if (kt != DKIM_K_RSA)
		return -1;
	rsa_public_key_init(&k);
	if (rsa_key(&k, p, n))
		bits = (int)mpz_sizeinbase(k.n, 2);
	rsa_public_key_clear(&k);
	return bits;
}

static int
rsa_verify(const unsigned char *p, size_t n, const unsigned char *digest,
    const unsigned char *sig, size_t siglen)
{
	struct rsa_public_key	k;
	mpz_t			s;
	int			r = -1;

	rsa_public_key_init(&k);
	mpz_init(s);
	if (rsa_key(&k, p, n)) {
		nettle_mpz_set_str_256_u(s, siglen, sig);
		r = siglen <= k.size &&
		    rsa_sha256_verify_digest(&k, digest, s) ? 1 : 0;
	}
	mpz_clear(s);
	rsa_public_key_clear(&k);
	return r;
}

/*
 * Is sig[0..siglen) key p's signature of the SHA-256 digest?  1 valid,
 * 0 not, -1 the key is unusable.
 */
int
dkim_verify(enum dkim_ktype kt, const unsigned char *p, size_t n,
    const unsigned char *digest, const unsigned char *sig, size_t siglen)
{
	if (kt == DKIM_K_RSA)
		return rsa_verify(p, n, digest, sig, siglen);
	if (kt != DKIM_K_ED25519 || n != ED25519_KEY_SIZE)
		return -1;
	if (siglen != ED25519_SIGNATURE_SIZE)
		return 0;
	return ed25519_sha512_verify(p, DKIM_HASHLEN, digest, sig) ? 1 : 0;
}

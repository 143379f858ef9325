/*
 * dkimcrypto.h - the crypto DKIM needs (RFC 6376 §3.3, RFC 8301, RFC
 * 8463): SHA-256, the public key of a key record's p= (RSA as
 * SubjectPublicKeyInfo or bare RSAPublicKey DER; Ed25519 as 32 raw
 * bytes), and signature verification.  dkimcrypto.c is the only file
 * that includes Nettle; the hash state is an opaque fixed-size block.
 */
#ifndef QQTAG_DKIMCRYPTO_H
#define QQTAG_DKIMCRYPTO_H

#include <stddef.h>

#include "dkimtag.h"

#define DKIM_HASHLEN	32	/* SHA-256 */
#define DKIM_RSA_MIN	1024	/* bits; smaller keys fail (RFC 8301 §3.2) */
#define DKIM_RSA_MAX	8192	/* bits; larger keys are refused */

struct dkim_hash {
	union {
		unsigned char	b[160];
		unsigned long long align;
	} u;
};

/*
 * dkim_hash_init/update/final: SHA-256 (cannot fail).
 * dkim_key_bits(k, p, n): the key's size in bits (256 for Ed25519), or -1
 *   when p[0..n) is no key of type k (or an RSA key over DKIM_RSA_MAX).
 * dkim_verify(k, p, n, digest, sig, siglen): is sig a signature of the
 *   SHA-256 digest by key p?  RSA: PKCS#1 v1.5 over the digest (§3.3.1);
 *   Ed25519: PureEdDSA over the 32 digest bytes (RFC 8463 §3).  1 valid,
 *   0 not, -1 the key is unusable.
 */
void	dkim_hash_init(struct dkim_hash *);
void	dkim_hash_update(struct dkim_hash *, const void *, size_t);
void	dkim_hash_final(struct dkim_hash *, unsigned char *);
int	dkim_key_bits(enum dkim_ktype, const unsigned char *, size_t);
int	dkim_verify(enum dkim_ktype, const unsigned char *, size_t,
	    const unsigned char *, const unsigned char *, size_t);

#endif

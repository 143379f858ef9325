/*
 * dkimtag.h - DKIM tag=value lists (RFC 6376 §3.2): the generic parser,
 * base64 with folding whitespace, and the two lists DKIM reads: the
 * DKIM-Signature field (§3.5) and the key record (§3.6.1).  Untrusted
 * bytes in, fixed-size structures out; nothing allocates.
 */
#ifndef QQTAG_DKIMTAG_H
#define QQTAG_DKIMTAG_H

#include <stddef.h>

#define DKIM_TAGS_MAX	64	/* tags of one list; more: permerror */
#define DKIM_FIELD_MAX	8192	/* a DKIM-Signature field; longer: perm */
#define DKIM_KEYREC_MAX	8192	/* a key record (TXT strings joined) */
#define DKIM_SIG_MAX	1024	/* b= bytes (RSA-8192) */
#define DKIM_KEY_MAX	2048	/* p= bytes (DER of RSA-16384) */
#define DKIM_HNAMES_MAX	128	/* names in h=; more: permerror */

/* One tag: name and value as offsets into the list's bytes. */
struct dkim_tag {
	const char	*name;
	size_t		 nlen;
	const char	*val;		/* FWS before and after trimmed */
	size_t		 vlen;
	size_t		 eq;		/* offset just after the '=' */
};

/* Algorithms (a=) and canonicalizations (c=). */
enum dkim_alg { DKIM_A_UNKNOWN, DKIM_A_RSA_SHA256, DKIM_A_RSA_SHA1,
	DKIM_A_ED25519_SHA256 };
enum dkim_canon { DKIM_C_SIMPLE, DKIM_C_RELAXED };
enum dkim_ktype { DKIM_K_RSA, DKIM_K_ED25519, DKIM_K_UNKNOWN };

/* A DKIM-Signature field's value, parsed (§3.5). */
struct dkim_sig {
	enum dkim_alg	 alg;
	char		 a[24];		/* as written, cut */
	unsigned char	 b[DKIM_SIG_MAX];
	size_t		 blen;
	char		 btag[16];	/* the first 8 characters of b= */
	size_t		 bstart, bend;	/* b= value to blank: [eq, end) */
	unsigned char	 bh[64];
	size_t		 bhlen;
	enum dkim_canon	 hcanon, bcanon;
	char		 d[256];	/* lowercased */
	char		 s[256];	/* lowercased */
	char		 idom[256];	/* i='s domain, lowercased; "" none */
	const char	*h;		/* h= value in the caller's bytes */
	size_t		 hlen;
	int		 has_l;
	unsigned long long l;
	int		 has_t, has_x;
	long long	 t, x;
};

/* A key record (§3.6.1), parsed. */
struct dkim_key {
	enum dkim_ktype	 k;
	int		 sha256;	/* h= allows sha256 (or no h=) */
	int		 testing;	/* t=y */
	int		 strict;	/* t=s */
	unsigned char	 p[DKIM_KEY_MAX];
	size_t		 plen;		/* 0: revoked (p= empty) */
};

/*
 * dkim_tags(s, n, t, max, why): split a tag-list into t[]; the count, or
 * -1 with *why set (syntax, a duplicate tag, more than max tags, a NUL
 * or control byte in a value).
 * dkim_b64(s, n, out, cap): base64 with FWS anywhere; the byte count, or
 * -1 (a bad character or padding, more than cap bytes).
 * dkim_sig_parse(s, n, sig, why): the value of a DKIM-Signature field
 *   (s[0..n), after the colon); 0, or -1 with *why (every required tag
 *   present, v=1, known c=, q= dns/txt, From in h=, i= under d=, x >= t;
 *   an unknown a= is no error here: alg DKIM_A_UNKNOWN).
 * dkim_key_parse(s, n, key, why): a key record; 0, or -1 with *why (v=
 *   not first or not DKIM1, no p=, bad base64, s= not for email).
 * dkim_hname(h, hlen, &pos, &name, &nlen): the next name of an h= list
 *   (FWS trimmed); 1, or 0 at the end.
 */
int	dkim_tags(const char *, size_t, struct dkim_tag *, size_t,
	    const char **);
long	dkim_b64(const char *, size_t, unsigned char *, size_t);
int	dkim_sig_parse(const char *, size_t, struct dkim_sig *,
	    const char **);
int	dkim_key_parse(const char *, size_t, struct dkim_key *,
	    const char **);
int	dkim_hname(const char *, size_t, size_t *, const char **, size_t *);

#endif

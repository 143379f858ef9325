/*
 * dkimcanon.h - DKIM canonicalization (RFC 6376 §3.4): simple and relaxed,
 * of one header field and of the body stream.  Input is the message as
 * qmail's queue holds it: LF ends a line and stands for the wire's CRLF
 * (a CR just before the LF is taken as part of that line end, so CRLF
 * input gives the same result).  Output goes to an emit callback.
 */
#ifndef QQTAG_DKIMCANON_H
#define QQTAG_DKIMCANON_H

#include <stddef.h>

struct dkim_sig;
struct rfc_field;

typedef void dkim_emit(void *, const unsigned char *, size_t);

#define DKIM_OUTBUF	512	/* canonical bytes buffered before emit */

/*
 * The body, canonicalized in a stream of chunks: constant state (empty
 * lines at the end held as a count, a pending whitespace run, a pending
 * CR), whatever the body's size.
 */
struct dkim_body {
	int			 relaxed;
	dkim_emit		*emit;
	void			*ctx;
	unsigned long long	 empties;	/* empty lines held back */
	int			 cr;		/* a CR waits for its LF */
	int			 wsp;		/* relaxed: a run waits */
	int			 inl;		/* the line has content */
	unsigned long long	 total;		/* canonical bytes emitted */
	size_t			 blen;
	unsigned char		 buf[DKIM_OUTBUF];
};

/*
 * dkim_body_init(b, relaxed, emit, ctx): a new body stream.
 * dkim_body_feed(b, p, n): n more body bytes (any chunking gives the
 *   same output).
 * dkim_body_end(b): the body is over: the final line end, what simple
 *   adds to an empty body; everything emitted.  b->total is the length
 *   of the canonical body.
 * dkim_canon_field(relaxed, raw, n, cut0, cut1, last, emit, ctx): one
 *   header field raw[0..n) (name to its final LF) canonicalized; the
 *   bytes raw[cut0..cut1) left out first (b= of the signature itself,
 *   cut0 == cut1: none); last: without the final CRLF (the signature
 *   field, §3.7).
 * dkim_canon_headers(hdr, len, sig, self, emit, ctx): the header hash
 *   input of sig (its field self) in the header section hdr[0..len).
 */
void	dkim_body_init(struct dkim_body *, int, dkim_emit *, void *);
void	dkim_body_feed(struct dkim_body *, const char *, size_t);
void	dkim_body_end(struct dkim_body *);
void	dkim_canon_field(int, const char *, size_t, size_t, size_t, int,
	    dkim_emit *, void *);
void	dkim_canon_headers(const char *, size_t, const struct dkim_sig *,
	    const struct rfc_field *, dkim_emit *, void *);

#endif

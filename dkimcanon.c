/*
 * dkimcanon.c - DKIM canonicalization (RFC 6376 §3.4) on qmail's LF-only
 * form: header fields (§3.4.1 simple, §3.4.2 relaxed) and the body as a
 * stream (§3.4.3, §3.4.4).
 *
 * qmail-smtpd turns each CRLF into LF, so each LF here is the wire's
 * CRLF; a CR right before an LF is taken as part of it (CRLF input, fed
 * without qmail-smtpd, hashes the same).  Other CRs are data.  The body
 * state is constant: trailing empty lines are a count, emitted only
 * when content follows them; a whitespace run is one flag.
 */
#include <string.h>
#include <strings.h>

#include "dkimcanon.h"
#include "dkimtag.h"
#include "rfc5322.h"

static void
flush(struct dkim_body *b)
{
	if (b->blen > 0)
		b->emit(b->ctx, b->buf, b->blen);
	b->total += b->blen;
	b->blen = 0;
}

static void
put(struct dkim_body *b, unsigned char c)
{
	if (b->blen == sizeof(b->buf))
		flush(b);
	b->buf[b->blen++] = c;
}

/* A new body stream with emit(ctx, bytes, n) as its output. */
void
dkim_body_init(struct dkim_body *b, int relaxed, dkim_emit *emit, void *ctx)
{
	memset(b, 0, sizeof(*b));
	b->relaxed = relaxed;
	b->emit = emit;
	b->ctx = ctx;
}

/* Content on the line: held empty lines and whitespace go out first. */
static void
content(struct dkim_body *b, unsigned char c)
{
	if (!b->inl) {
		for (; b->empties > 0; b->empties--) {
			put(b, '\r');
			put(b, '\n');
		}
		b->inl = 1;
	}
	if (b->wsp) {
		put(b, ' ');
		b->wsp = 0;
	}
	put(b, c);
}

static void
line_end(struct dkim_body *b)
{
	b->cr = 0;
	b->wsp = 0;
	if (b->inl) {
		put(b, '\r');
		put(b, '\n');
		b->inl = 0;
	} else
		b->empties++;
}

/* Bytes that end a plain run: line ends, and blanks when relaxed. */
static int
special(const struct dkim_body *b, unsigned char c)
{
	return c == '\n' || c == '\r' || (b->relaxed && (c == ' ' ||
	    c == '\t'));
}

/*
 * The rest of a run of plain bytes, copied in bulk; a single space
 * between two plain bytes stays as it is in relaxed, so it is part of
 * the run (the common case of text).
 */
static size_t
run(struct dkim_body *b, const char *p, size_t n)
{
	size_t		i = 0, k;
	const int	rel = b->relaxed;

	for (;;) {
		while (i < n && p[i] > ' ')
			i++;
		if (i == n)
			break;
		if (p[i] == '\n' || p[i] == '\r' || (rel && p[i] == '\t'))
			break;
		if (p[i] != ' ' || !rel) {
			i++;
			continue;
		}
		if (i + 1 == n || special(b, (unsigned char)p[i + 1]))
			break;
		i += 2;
	}
	for (k = 0; k < i; ) {
		size_t room = sizeof(b->buf) - b->blen;

		if (room == 0) {
			flush(b);
			continue;
		}
		if (room > i - k)
			room = i - k;
		memcpy(b->buf + b->blen, p + k, room);
		b->blen += room;
		k += room;
	}
	return i;
}

/* n more body bytes: the same output whatever the chunking. */
void
dkim_body_feed(struct dkim_body *b, const char *p, size_t n)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c == '\n') {
			line_end(b);
			continue;
		}
		if (b->cr) {
			b->cr = 0;
			content(b, '\r');
		}
		if (c == '\r')
			b->cr = 1;
		else if (b->relaxed && (c == ' ' || c == '\t'))
			b->wsp = 1;
		else {
			content(b, c);
			i += run(b, p + i + 1, n - i - 1);
		}
	}
}

/* The body is over: the last line's end; simple's CRLF for no body. */
void
dkim_body_end(struct dkim_body *b)
{
	if (b->cr) {
		b->cr = 0;
		content(b, '\r');
	}
	b->wsp = 0;
	if (b->inl)
		line_end(b);
	if (!b->relaxed && b->total == 0 && b->blen == 0) {
		put(b, '\r');
		put(b, '\n');
	}
	flush(b);
}

/* A small output buffer for one header field. */
struct fout {
	dkim_emit	*emit;
	void		*ctx;
	size_t		 n;
	unsigned char	 buf[256];
};

/* Full: all but the last two bytes go (they may be the final CRLF). */
static void
fput(struct fout *o, unsigned char c)
{
	if (o->n == sizeof(o->buf)) {
		o->emit(o->ctx, o->buf, o->n - 2);
		memmove(o->buf, o->buf + o->n - 2, 2);
		o->n = 2;
	}
	o->buf[o->n++] = c;
}

static int
wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Is raw[i] a line end (an LF, or a CR just before one)? */
static int
eol(const char *raw, size_t n, size_t i)
{
	return raw[i] == '\n' || (raw[i] == '\r' && i + 1 < n &&
	    raw[i + 1] == '\n');
}

/* simple: the bytes as they are, each line end CRLF. */
static void
simple(const char *raw, size_t n, size_t c0, size_t c1, struct fout *o)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (i == c0 && c1 > c0) {
			i = c1 - 1;
			continue;
		}
		if (raw[i] == '\r' && i + 1 < n && raw[i + 1] == '\n')
			continue;
		if (raw[i] == '\n')
			fput(o, '\r');
		fput(o, (unsigned char)raw[i]);
	}
}

/*
 * relaxed: name lowercased without trailing blanks, ':', the value
 * unfolded, blank runs one space, none at either end, then CRLF.
 */
static void
relaxed(const char *raw, size_t n, size_t c0, size_t c1, struct fout *o)
{
	const char	*colon = memchr(raw, ':', n);
	size_t		 i, nl, start;
	int		 pend = 0, any = 0;

	nl = colon != NULL ? (size_t)(colon - raw) : n;
	while (nl > 0 && wsp((unsigned char)raw[nl - 1]))
		nl--;
	for (i = 0; i < nl; i++)
		fput(o, (unsigned char)rfc_lc((unsigned char)raw[i]));
	fput(o, ':');
	start = colon != NULL ? (size_t)(colon - raw) + 1 : n;
	for (i = start; i < n; i++) {
		if (i == c0 && c1 > c0) {
			i = c1 - 1;
			continue;
		}
		if (eol(raw, n, i))
			continue;
		if (wsp((unsigned char)raw[i])) {
			pend = any;
			continue;
		}
		if (pend)
			fput(o, ' ');
		pend = 0;
		any = 1;
		fput(o, (unsigned char)raw[i]);
	}
	fput(o, '\r');
	fput(o, '\n');
}

/*
 * One header field raw[0..n), canonicalized to emit; raw[c0..c1) left
 * out (the signature's own b= value); last: no final CRLF (§3.7).
 */
void
dkim_canon_field(int rel, const char *raw, size_t n, size_t c0, size_t c1,
    int last, dkim_emit *emit, void *ctx)
{
	struct fout	o;

	o.emit = emit;
	o.ctx = ctx;
	o.n = 0;
	if (rel)
		relaxed(raw, n, c0, c1, &o);
	else {
		simple(raw, n, c0, c1, &o);
		if (n == 0 || raw[n - 1] != '\n') {
			fput(&o, '\r');
			fput(&o, '\n');
		}
	}
	if (last && o.n >= 2)
		o.n -= 2;
	if (o.n > 0)
		emit(ctx, o.buf, o.n);
}

/*
 * The field h= names for the k-th time (k from 0): fields of a name are
 * taken from the bottom up (§5.4.2); 1 with f, 0 when there is none.
 */
static int
pick(const char *hdr, size_t hdrlen, const char *name, size_t nlen,
    size_t k, struct rfc_field *f)
{
	struct rfc_iter	 it;
	char		 nm[RFC_NAME];

	if (nlen == 0 || nlen >= sizeof(nm))
		return 0;
	memcpy(nm, name, nlen);
	nm[nlen] = '\0';
	rfc_iter_init(&it, hdr, hdrlen);
	while (rfc_prev(&it, nm, f))
		if (k-- == 0)
			return 1;
	return 0;
}

/* How often name came in h= before this instance of it. */
static size_t
seen(const struct dkim_sig *s, const char *name, size_t nlen)
{
	const char	*p;
	size_t		 at = 0, n, k = 0;

	while (dkim_hname(s->h, s->hlen, &at, &p, &n) && p != name)
		if (n == nlen && strncasecmp(p, name, n) == 0)
			k++;
	return k;
}

/*
 * The header hash input (§3.7) of signature s, whose field is self, in
 * the header section hdr[0..hdrlen): the fields h= names, each name's
 * instances from the bottom up (§5.4.2; one that does not exist adds
 * nothing), then the signature field with its b= value left out and no
 * final CRLF.
 */
void
dkim_canon_headers(const char *hdr, size_t hdrlen, const struct dkim_sig *s,
    const struct rfc_field *self, dkim_emit *emit, void *ctx)
{
	struct rfc_field f;
	const char	*name;
	size_t		 pos = 0, nlen, voff;
	int		 rel = s->hcanon == DKIM_C_RELAXED;

	while (dkim_hname(s->h, s->hlen, &pos, &name, &nlen))
		if (pick(hdr, hdrlen, name, nlen, seen(s, name, nlen), &f))
			dkim_canon_field(rel, f.raw, f.rawlen, 0, 0, 0, emit,
			    ctx);
	voff = (size_t)(self->val - self->raw);
	dkim_canon_field(rel, self->raw, self->rawlen, voff + s->bstart,
	    voff + s->bend, 1, emit, ctx);
}

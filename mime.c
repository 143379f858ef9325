/*
 * mime.c - the MIME walk of the URI extractor (RFC 2045, 2046): each part's
 * Content-Type and Content-Transfer-Encoding, multipart boundaries kept
 * for URIX_DEPTH_MAX levels, message/rfc822 parts entered, and the text
 * parts' quoted-printable or base64 decoded on the fly into a small
 * window handed to uriextract.c.  Everything is a byte state machine: any
 * chunking of the body gives the same result.  LF ends a line (qmail's
 * queue); a CR before it is tolerated.  Non-text parts are skipped.
 */
#include <string.h>
#include <strings.h>

#include "rfc5322.h"
#include "uriextract.h"

enum { M_HDR, M_BODY, M_SKIP };
enum { K_TEXT, K_HTML, K_MULTI, K_MSG, K_OTHER };
enum { E_ID, E_QP, E_B64 };
enum { Q_N, Q_EQ, Q_EQ1, Q_SOFT };

static void	deliver(struct urix *, const char *, size_t);

/* Start the walk: a body without header section is text/plain. */
void
mime_init(struct urix_mime *m)
{
	memset(m, 0, sizeof(*m));
	m->state = M_BODY;
	m->kind = K_TEXT;
	m->enc = E_ID;
	m->bol = 1;
	m->hbol = 1;
}



static void
wflush(struct urix *u)
{
	if (u->mime.wlen > 0)
		urix_text(u, u->mime.w, u->mime.wlen);
	u->mime.wlen = 0;
}

static void
out(struct urix *u, int c)
{
	u->mime.w[u->mime.wlen++] = (char)c;
	if (u->mime.wlen == sizeof(u->mime.w))
		wflush(u);
}

/* Quoted-printable (RFC 2045 §6.7): =XX, soft breaks "=" blanks LF. */
static void
qp_byte(struct urix *u, int c)
{
	struct urix_mime	*m = &u->mime;

	switch (m->qstate) {
	case Q_EQ:
		m->qstate = Q_N;
		if (rfc_hexval(c) >= 0) {
			m->qv = (unsigned)c;
			m->qstate = Q_EQ1;
			return;
		}
		if (c == '\n')
			return;
		if (c == ' ' || c == '\t' || c == '\r') {
			m->qstate = Q_SOFT;
			return;
		}
		out(u, '=');
		break;
	case Q_EQ1:
		m->qstate = Q_N;
		if (rfc_hexval(c) >= 0) {
			out(u, rfc_hexval((int)m->qv) << 4 | rfc_hexval(c));
			return;
		}
		out(u, '=');
		out(u, (int)m->qv);
		break;
	case Q_SOFT:
		if (c == ' ' || c == '\t' || c == '\r')
			return;
		m->qstate = Q_N;
		if (c == '\n')
			return;
		break;
	}
	if (c == '=')
		m->qstate = Q_EQ;
	else
		out(u, c);
}

/* A base64 quantum cut short by '=' or the end: its whole bytes. */
static void
b64_flush(struct urix *u)
{
	struct urix_mime	*m = &u->mime;

	if (m->b64n == 2)
		out(u, (int)(m->b64v >> 4 & 255));
	else if (m->b64n == 3) {
		out(u, (int)(m->b64v >> 10 & 255));
		out(u, (int)(m->b64v >> 2 & 255));
	}
	m->b64n = 0;
	m->b64v = 0;
}

/* Base64 (RFC 2045 §6.8): bytes outside the alphabet are ignored. */
static void
b64_byte(struct urix *u, int c)
{
	struct urix_mime	*m = &u->mime;
	int			 v;

	if ((v = rfc_b64val(c)) < 0) {
		if (c == '=')
			b64_flush(u);
		return;
	}
	m->b64v = (m->b64v << 6 | (unsigned)v) & 0xffffff;
	if (++m->b64n == 4) {
		out(u, (int)(m->b64v >> 16));
		out(u, (int)(m->b64v >> 8 & 255));
		out(u, (int)(m->b64v & 255));
		m->b64n = 0;
	}
}

static void
decode(struct urix *u, const char *p, size_t n)
{
	size_t	i;

	switch (u->mime.enc) {
	case E_QP:
		for (i = 0; i < n; i++)
			qp_byte(u, (unsigned char)p[i]);
		break;
	case E_B64:
		for (i = 0; i < n; i++)
			b64_byte(u, (unsigned char)p[i]);
		break;
	default:
		urix_text(u, p, n);
		return;
	}
	wflush(u);
}

/* The end of a part's body: what the decoders and the scanner hold. */
static void
part_end(struct urix *u)
{
	struct urix_mime	*m = &u->mime;

	if (m->state != M_BODY)
		return;
	/* a last '=' is a soft break without its LF */
	if (m->enc == E_QP && m->qstate == Q_EQ1) {
		out(u, '=');
		out(u, (int)m->qv);
	} else if (m->enc == E_B64)
		b64_flush(u);
	m->qstate = Q_N;
	wflush(u);
	urix_flush(u);
}

/* A new part's header section; text/plain until it says otherwise. */
static void
part_begin(struct urix_mime *m)
{
	m->state = M_HDR;
	m->kind = K_TEXT;
	m->enc = E_ID;
	m->pbok = 0;
	m->flen = 0;
	m->hbol = 1;
}

/*
 * One parameter value at p[*i] (quoted-string with its escapes, or a
 * token) copied to out (cap bytes); *i moves past it; -1 if too long.
 */
static int
pvalue(const char *p, size_t n, size_t *i, char *o, size_t cap,
    size_t *olen)
{
	size_t	k = 0;
	int	q = 0, c, toolong = 0;

	if (*i < n && p[*i] == '"') {
		q = 1;
		(*i)++;
	}
	for (; *i < n; (*i)++) {
		c = (unsigned char)p[*i];
		if (q && c == '"') {
			(*i)++;
			break;
		}
		if (!q && (c == ';' || c == ' ' || c == '\t'))
			break;
		if (q && c == '\\' && *i + 1 < n)
			c = (unsigned char)p[++(*i)];
		if (k < cap)
			o[k++] = (char)c;
		else
			toolong = 1;
	}
	*olen = k;
	return toolong || k == 0 ? -1 : 0;
}

static size_t
skipws(const char *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/* The boundary= parameter of a Content-Type value, from p[i] on. */
static void
ct_params(struct urix_mime *m, const char *p, size_t n, size_t i)
{
	size_t	ns, ne;

	while (i < n) {
		if (p[i++] != ';')
			continue;
		ns = i = skipws(p, n, i);
		while (i < n && p[i] != '=' && p[i] != ';' && p[i] != ' ' &&
		    p[i] != '\t')
			i++;
		ne = i;
		i = skipws(p, n, i);
		if (i >= n || p[i] != '=')
			continue;
		i = skipws(p, n, i + 1);
		if (ne - ns == 8 && strncasecmp(p + ns, "boundary", 8) == 0 &&
		    !m->pbok)
			m->pbok = pvalue(p, n, &i, m->pb, sizeof(m->pb),
			    &m->pblen) == 0;
		else
			(void)pvalue(p, n, &i, NULL, 0, &ns);
	}
}

/* A token at the start of a value, compared case-insensitively. */
static int
prefix(const char *p, size_t n, const char *s)
{
	size_t	k = strlen(s);

	return n >= k && strncasecmp(p, s, k) == 0;
}

static void
ctype(struct urix_mime *m, const char *p, size_t n)
{
	size_t	i = skipws(p, n, 0), e;

	e = i;
	while (e < n && p[e] != ';' && p[e] != ' ' && p[e] != '\t' &&
	    p[e] != '(')
		e++;
	p += i;
	e -= i;
	n -= i;
	if (e == 9 && prefix(p, e, "text/html"))
		m->kind = K_HTML;
	else if (e == 0 || prefix(p, e, "text/"))
		m->kind = K_TEXT;
	else if (prefix(p, e, "multipart/"))
		m->kind = K_MULTI;
	else if (e == 14 && prefix(p, e, "message/rfc822"))
		m->kind = K_MSG;
	else
		m->kind = K_OTHER;
	m->pbok = 0;
	ct_params(m, p, n, e);
}

static void
cte(struct urix_mime *m, const char *p, size_t n)
{
	size_t	i = skipws(p, n, 0), e = i;

	while (e < n && p[e] != ';' && p[e] != ' ' && p[e] != '\t' &&
	    p[e] != '(')
		e++;
	if (e - i == 16 && prefix(p + i, e - i, "quoted-printable"))
		m->enc = E_QP;
	else if (e - i == 6 && prefix(p + i, e - i, "base64"))
		m->enc = E_B64;
	else
		m->enc = E_ID;
}

/* A whole (unfolded) header field: the ones that matter here. */
static void
field_end(struct urix *u)
{
	struct urix_mime	*m = &u->mime;
	const char		*f = m->field, *c;
	size_t			 k, n = m->flen;

	m->flen = 0;
	if (n == 0 || (c = memchr(f, ':', n)) == NULL)
		return;
	k = (size_t)(c - f);
	while (k > 0 && (f[k - 1] == ' ' || f[k - 1] == '\t'))
		k--;
	n -= (size_t)(c + 1 - f);
	if (k == 12 && strncasecmp(f, "content-type", k) == 0)
		ctype(m, c + 1, n);
	else if (k == 25 &&
	    strncasecmp(f, "content-transfer-encoding", k) == 0)
		cte(m, c + 1, n);
	else if (k == 8 && m->top && strncasecmp(f, "reply-to", k) == 0)
		urix_reply_to(u, c + 1, n);
}

/* The blank line after a part's header section: what its body is. */
static void
headers_end(struct urix *u)
{
	struct urix_mime	*m = &u->mime;
	struct urix_level	*l;

	m->top = 0;
	if (m->kind == K_MULTI && m->pbok && m->depth < URIX_DEPTH_MAX) {
		l = &m->lv[m->depth++];
		memcpy(l->b, m->pb, m->pblen);
		l->blen = m->pblen;
		m->state = M_SKIP;	/* the preamble */
		return;
	}
	if (m->kind == K_MSG) {
		part_begin(m);		/* the enclosed message's headers */
		return;
	}
	if (m->kind == K_MULTI) {	/* too deep, or no boundary */
		m->kind = K_TEXT;
		m->enc = E_ID;
	}
	m->state = m->kind == K_TEXT || m->kind == K_HTML ? M_BODY : M_SKIP;
	m->qstate = Q_N;
	m->b64n = 0;
	m->b64v = 0;
	m->wlen = 0;
	urix_part(u, m->kind == K_HTML);
}

/* One header byte: fields unfolded into m->field (the rest cut). */
static void
hdr_byte(struct urix *u, int c)
{
	struct urix_mime	*m = &u->mime;

	if (c == '\r')
		return;
	if (m->hbol) {
		m->hbol = 0;
		if (c == '\n') {
			field_end(u);
			headers_end(u);
			return;
		}
		if (c != ' ' && c != '\t')
			field_end(u);
	}
	if (c == '\n')
		m->hbol = 1;
	else if (m->flen < sizeof(m->field))
		m->field[m->flen++] = (char)c;
}

/*
 * The message's header section: its Content-Type, its encoding, its
 * Reply-To:.  A section without its blank line is ended here.
 */
void
mime_headers(struct urix *u, const char *p, size_t n)
{
	struct urix_mime	*m = &u->mime;
	size_t			 i;

	part_begin(m);
	m->top = 1;
	for (i = 0; i < n && m->state == M_HDR; i++)
		hdr_byte(u, (unsigned char)p[i]);
	if (m->state == M_HDR && !m->hbol)
		hdr_byte(u, '\n');
	if (m->state == M_HDR)
		hdr_byte(u, '\n');
}

/*
 * A held line "--..." is a delimiter of level k (the innermost that
 * matches, RFC 2046 §5.1.1: a delimiter also ends the parts inside it):
 * k + 1, or 0 for none; *close for "--boundary--".  Blanks may follow.
 */
static size_t
delimiter(const struct urix_mime *m, int *close)
{
	const char	*p;
	size_t		 k, n, i;

	for (k = m->depth; k > 0; k--) {
		n = m->lv[k - 1].blen;
		if (m->lblen < 2 + n || m->lb[0] != '-' || m->lb[1] != '-' ||
		    memcmp(m->lb + 2, m->lv[k - 1].b, n) != 0)
			continue;
		p = m->lb + 2 + n;
		n = m->lblen - 2 - n;
		*close = n >= 2 && p[0] == '-' && p[1] == '-';
		for (i = *close ? 2 : 0; i < n; i++)
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
			    p[i] != '\n')
				break;
		if (i == n)
			return k;
	}
	return 0;
}

/* A delimiter of level k: the parts inside end, the next one begins. */
static void
boundary(struct urix *u, size_t k, int close)
{
	struct urix_mime	*m = &u->mime;

	part_end(u);
	m->depth = k;
	if (close) {
		m->depth = k - 1;
		m->state = M_SKIP;	/* the epilogue */
	} else
		part_begin(m);
}

/* The held line start: a delimiter, or bytes for the part. */
static void
release(struct urix *u)
{
	struct urix_mime	*m = &u->mime;
	size_t			 k, n = m->lblen;
	int			 close = 0;

	m->bol = m->lb[n - 1] == '\n';
	k = delimiter(m, &close);
	m->lblen = 0;
	if (k > 0) {
		boundary(u, k, close);
		return;
	}
	deliver(u, m->lb, n);
}

/*
 * A line starting with '-' in a multipart: held (at most URIX_LINE bytes)
 * until its LF says whether it is a delimiter.  Returns the bytes used.
 */
static size_t
hold(struct urix *u, const char *p, size_t n)
{
	struct urix_mime	*m = &u->mime;
	size_t			 i = 0;
	int			 c = 0;

	while (i < n && m->lblen < sizeof(m->lb)) {
		c = (unsigned char)p[i++];
		m->lb[m->lblen++] = (char)c;
		if (c == '\n' || (m->lblen <= 2 && c != '-'))
			break;
	}
	if (c != '\n' && m->lblen < sizeof(m->lb) &&
	    (m->lblen > 2 || c == '-'))
		return i;
	if (c == '\n')
		release(u);
	else {
		n = m->lblen;
		m->lblen = 0;
		m->bol = 0;
		deliver(u, m->lb, n);
	}
	return i;
}

/* Bytes of one line (or its rest) to whatever the state wants. */
static void
deliver(struct urix *u, const char *p, size_t n)
{
	struct urix_mime	*m = &u->mime;
	size_t			 i;

	for (i = 0; i < n && m->state == M_HDR; i++)
		hdr_byte(u, (unsigned char)p[i]);
	if (i < n && m->state == M_BODY)
		decode(u, p + i, n - i);
}

/* Body bytes, in chunks of any size. */
void
mime_feed(struct urix *u, const char *p, size_t n)
{
	struct urix_mime	*m = &u->mime;
	const char		*nl;
	size_t			 k;

	while (n > 0) {
		if (m->lblen > 0 || (m->bol && m->depth > 0 && *p == '-'))
			k = hold(u, p, n);
		else {
			nl = memchr(p, '\n', n);
			k = nl != NULL ? (size_t)(nl - p) + 1 : n;
			deliver(u, p, k);
			m->bol = nl != NULL;
		}
		p += k;
		n -= k;
	}
}

/* The end of the body: a held last line, then the open part's end. */
void
mime_end(struct urix *u)
{
	struct urix_mime	*m = &u->mime;

	if (m->lblen > 0)
		release(u);
	if (m->state == M_HDR) {
		field_end(u);
		m->state = M_SKIP;
	}
	part_end(u);
}

/*
 * headers.c - the header section of the incoming message and the headers
 * qqtag writes.
 *
 * The filter is a byte state machine with constant state: it passes the
 * message through, drops every field whose name is one of qqtag's own
 * (forged tags, DESIGN.md invariant 6) with its continuation lines, and
 * keeps a capped copy of the header section for the heuristics.
 *
 * Where the header section ends: at the first empty line, LF alone (a CR
 * is data, as everywhere in the queue's LF-only format).  STYLE.md
 * suggests ending it at the first line that is neither a field nor a
 * continuation, but procmail and maildrop (downstream filters that read
 * our tags) take everything up to the first empty line as header: a junk
 * line, an mbox "From " line or a lone CR in front of a forged
 * X-Spam-Status would otherwise smuggle it past us.  So forged names are
 * stripped up to that line, in the union of what the readers call header;
 * lines that are not fields are kept as they are.
 *
 * What is a field of ours: whatever any common reader takes for one
 * (issue 10, checked against the real programs).  A name starts at the
 * start of a line that is not a continuation, and after every run of CRs
 * not followed by LF (Python's email parser starts a line at a bare CR).
 * The name is bytes 0x21-0x7E but ':', any case, any length; CR bytes
 * in it are left out (maildrop drops CRs).  After it come blanks and CRs
 * (obs-fws; dovecot's sieve trims them), at a line's start also folds
 * (procmail joins a fold before the colon), then ':' or NUL (sieve ends
 * a name at NUL, maildrop reads a NUL as the colon).  A CR taken into a
 * name or the blanks after it starts no name of its own.
 *
 * What goes: we never change bytes inside a line, so a line that holds a
 * name of ours goes whole, with the lines that continue it (for a fold
 * before the colon: the name's line and the folds).  A bare CR field in
 * the middle of a line thus takes the start of that line with it; a bare
 * CR field in a continuation line takes that line and the continuation
 * lines after it (the lines before it are on their way already).
 *
 * Bounds: a line is held, undecided, up to HDR_HOLD_MAX bytes (it covers
 * RFC 5322's 998).  A line that fills the hold while a name of ours may
 * still be forming (a prefix entry such as X-Qqtag-* matched, or our name
 * padded with blanks or folds) is taken as forged; any other is passed
 * on, and the rest of it streams: a bare CR field of ours found there
 * cuts the line from that name to its LF (the LF stays), the one case
 * where bytes inside a line go.  Only the first HDR_NAME_MAX bytes of a
 * name are kept: enough for a prefix entry, and an exact name is never
 * that long.
 *
 * Authentication-Results under our authserv-id (hdr_filter_authserv) are
 * forged too (RFC 8601 §5), those of other servers are kept: the field
 * is held, its continuation lines included, until the id after the colon
 * (behind blanks, folds and comments; CRs in it left out, as maildrop
 * reads it) is complete, then dropped whole or passed on.  One whose id
 * is still unknown when the hold is full, or whose name starts after a
 * bare CR or in the streamed part of a long line, is taken as forged.
 *
 * Trusted hop mode (hdr_filter_trust_hop, a relay in QQTAG_TRUSTED): a
 * relay's tags are trusted only above its own Received line, where it
 * can have written them.  Every field is kept down to the Received field
 * the hop function accepts (asked with the field's value once the field
 * is complete; never the message's first line, our qmail-smtpd's own);
 * from the next field on, everything is stripped as for any client.  A
 * copy cut short before that line ends the trust there.  A header section
 * without the hop's line is kept whole (hop_found says so).
 *
 * The writer is the only place header text is made: values are sanitised
 * (rblsmtpd's rule: printable ASCII, whitespace runs become one space,
 * other bytes '?', untrusted parts cut at 200 bytes) and folded at 78
 * columns with LF TAB (RFC 5322 §2.2.3; the qmail queue is LF-only).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "headers.h"

#define SOFT	'\001'	/* fold point without a space; never sanitised in */
#define AUTHRES_ID_CMP	256	/* authserv-id bytes compared */

#define ISBLANK(c)	((c) == ' ' || (c) == '\t')

static int	fold(struct hdr_w *);

enum {
	S_START,	/* at the start of a header line, nothing held */
	S_NAME,		/* in what may be a field name (held) */
	S_GAP,		/* after a name: blanks, CRs, folds (held) */
	S_FOLD,		/* a line "our name" held, at the next line's start */
	S_REST,		/* rest of a line not known to be forged (held) */
	S_CR,		/* CRs in the rest of a line (held) */
	S_DROP,		/* rest of a dropped line */
	S_CUT,		/* rest of a long line cut at a forged name */
	S_BODY		/* past the header section */
};

/* Add a name (or "Prefix*") to the set; -1 with EOVERFLOW when full. */
int
hdr_names_add(struct hdr_names *h, const char *name)
{
	size_t	i;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->name[i], name) == 0)
			return 0;
	if (h->n == HDR_NAMES_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	h->name[h->n++] = name;
	return 0;
}

/* Does the field name s (n bytes, not NUL-terminated) belong to the set? */
int
hdr_names_match(const struct hdr_names *h, const char *s, size_t n)
{
	size_t	i, len;

	for (i = 0; h != NULL && i < h->n; i++) {
		len = strlen(h->name[i]);
		if (len > 0 && h->name[i][len - 1] == '*') {
			if (n >= len - 1 && strncasecmp(h->name[i], s,
			    len - 1) == 0)
				return 1;
		} else if (n == len && strncasecmp(h->name[i], s, n) == 0)
			return 1;
	}
	return 0;
}

/* Start filtering a message; strip NULL keeps every field. */
void
hdr_filter_init(struct hdr_filter *f, const struct hdr_names *strip)
{
	memset(f, 0, sizeof(*f));
	f->strip = strip;
	f->state = S_START;
	buf_init(&f->copy, HDR_COPY_MAX);
}

/*
 * Trusted hop mode: keep every field down to the Received field hop()
 * accepts (never the message's first line, our own qmail-smtpd's), strip
 * as for any client below it.  Call after hdr_filter_init with a strip
 * set; cannot fail.
 */
void
hdr_filter_trust_hop(struct hdr_filter *f, hdr_hop_fn hop)
{
	f->hop = hop;
	f->trusting = 1;
}

/*
 * Strip Authentication-Results fields whose authserv-id is id (any case);
 * id is kept, not copied.  Cannot fail.
 */
void
hdr_filter_authserv(struct hdr_filter *f, const char *id)
{
	f->arid = id;
}

/* Release the copy. */
void
hdr_filter_free(struct hdr_filter *f)
{
	buf_free(&f->copy);
}

static int
isnamec(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ':';
}

static int
strict(const struct hdr_filter *f)
{
	return f->strip != NULL && !f->trusting;
}

/* Kept header bytes also go to the capped copy. */
static int
out(struct hdr_filter *f, const char *p, size_t n, hdr_emit_fn emit,
    void *ctx)
{
	size_t	room;

	if (n == 0)
		return 0;
	if (!f->body) {
		room = buf_room(&f->copy);
		if (room < n)
			f->copy_cut = 1;
		if (buf_append(&f->copy, p, n < room ? n : room) == -1)
			f->copy_cut = 1;
	}
	return emit(ctx, p, n);
}

/* Pass on the first n held bytes; the rest stays held. */
static int
flush(struct hdr_filter *f, size_t n, hdr_emit_fn emit, void *ctx)
{
	if (out(f, f->hold, n, emit, ctx) == -1)
		return -1;
	memmove(f->hold, f->hold + n, f->holdlen - n);
	f->holdlen -= n;
	f->lineoff = f->lineoff > n ? f->lineoff - n : 0;
	return 0;
}

static void
name_reset(struct hdr_filter *f, int first)
{
	f->first = first;
	f->namelen = 0;
	f->namelong = 0;
}

static void
name_add(struct hdr_filter *f, unsigned char c)
{
	if (f->namelen < sizeof(f->name))
		f->name[f->namelen++] = (char)c;
	else
		f->namelong = 1;
}

/*
 * Is the name seen so far one of ours (complete), or the start of one of
 * ours (!complete)?  A prefix entry matches a name of any length: only
 * its first HDR_NAME_MAX bytes are kept, and they are enough.
 */
static int
name_ours(const struct hdr_filter *f, int complete)
{
	const struct hdr_names *h = f->strip;
	size_t	 i, len, m;

	for (i = 0; h != NULL && i < h->n; i++) {
		len = strlen(h->name[i]);
		if (len > 0 && h->name[i][len - 1] == '*') {
			m = len - 1 < f->namelen ? len - 1 : f->namelen;
			if ((!complete || f->namelong || f->namelen >= len - 1)
			    && strncasecmp(h->name[i], f->name, m) == 0)
				return 1;
		} else if (!f->namelong && (complete ? f->namelen == len :
		    f->namelen <= len) &&
		    strncasecmp(h->name[i], f->name, f->namelen) == 0)
			return 1;
	}
	return 0;
}

static int
named(const struct hdr_filter *f, const char *s)
{
	return !f->namelong && f->namelen == strlen(s) &&
	    strncasecmp(f->name, s, f->namelen) == 0;
}

/* A name of ours: drop what is held and the rest of the line. */
static int
forged(struct hdr_filter *f)
{
	f->holdlen = 0;
	f->lineoff = 0;
	f->nstripped++;
	f->dropping = 1;
	f->state = f->longline ? S_CUT : S_DROP;
	return 0;
}

/* After CFWS (blanks, CRs, LFs, nested comments) of p..e: its end. */
static const char *
skip_cfws(const char *p, const char *e)
{
	int	depth = 0;

	for (; p < e; p++) {
		if (depth > 0 && *p == '\\' && p + 1 < e)
			p++;
		else if (*p == '(')
			depth++;
		else if (depth > 0 && *p == ')')
			depth--;
		else if (depth == 0 && !ISBLANK(*p) && *p != '\r' &&
		    *p != '\n')
			break;
	}
	return p;
}

/*
 * The held Authentication-Results value: is its authserv-id ours (1),
 * not ours (0), or not yet complete (-1; at the end of the input, final,
 * what is there is the id)?  A token or a quoted string; CRs in it are
 * left out (maildrop's reading).
 */
static int
ar_ours(const struct hdr_filter *f, int final)
{
	const char	*e = f->hold + f->holdlen, *p;
	char		 id[AUTHRES_ID_CMP];
	size_t		 n = 0;
	int		 quoted;

	if (f->arval > f->holdlen)
		return final ? 0 : -1;
	if ((p = skip_cfws(f->hold + f->arval, e)) == e)
		return final ? 0 : -1;
	if ((quoted = *p == '"'))
		p++;
	for (; p < e; p++) {
		if (*p == '\r')
			continue;
		if (quoted ? *p == '"' : (strchr(" \t\n;()\"", *p) != NULL ||
		    *p == '\0'))
			break;
		if (quoted && *p == '\\' && p + 1 < e)
			p++;
		if (n == sizeof(id))
			return 0;
		id[n++] = *p;
	}
	if (p == e && !final)
		return -1;
	return n == strlen(f->arid) && strncasecmp(id, f->arid, n) == 0;
}

/* An Authentication-Results field is held until its id is known. */
static int
ar_name(const struct hdr_filter *f)
{
	return f->arid != NULL && strict(f) &&
	    named(f, "Authentication-Results");
}

/*
 * The hold is full, the line undecided.  A name that may still become one
 * of ours is taken as forged (no reader needs it padded or that long);
 * anything else is passed on, and the rest of the line streams.
 */
static int
overflow(struct hdr_filter *f, hdr_emit_fn emit, void *ctx)
{
	int	maybe = 0;

	if (f->ar) {			/* its id not known by now: forged */
		f->ar = 0;
		if (ar_ours(f, 0) != 0)
			return forged(f);
	}
	if (strict(f) && f->state == S_NAME)
		maybe = f->namelen > 0 && name_ours(f, 0);
	else if (strict(f) && (f->state == S_GAP || f->state == S_FOLD))
		maybe = name_ours(f, 1);
	if (maybe)
		return forged(f);
	if (flush(f, f->holdlen, emit, ctx) == -1)
		return -1;
	f->longline = 1;
	if ((f->state == S_NAME && f->namelen > 0) || f->state == S_GAP)
		f->state = S_REST;
	return 0;
}

/*
 * Hold byte c, or pass it on in the streaming part of a long line.
 * Returns 1, 0 when the hold was full and the state changed instead
 * (the caller passes c on again), -1 on an emit error.
 */
static int
keep(struct hdr_filter *f, unsigned char c, hdr_emit_fn emit, void *ctx)
{
	char	b = (char)c;

	if (f->longline && (f->state == S_REST || f->state == S_CR)) {
		if (f->holdlen > 0 && flush(f, f->holdlen, emit, ctx) == -1)
			return -1;
		return out(f, &b, 1, emit, ctx) == -1 ? -1 : 1;
	}
	if (f->holdlen == sizeof(f->hold))
		return overflow(f, emit, ctx);
	f->hold[f->holdlen++] = b;
	return 1;
}

/*
 * A field is complete (the next line is not a continuation).  In trusted
 * hop mode a Received field is shown to the hop function: its line is
 * the boundary below which we strip.  A copy cut short ends the trust.
 */
static void
field_done(struct hdr_filter *f)
{
	const char	*v;
	size_t		 n;

	if (f->trusting && f->copy_cut)
		f->trusting = 0;
	if (!f->rcv)
		return;
	f->rcv = 0;
	if (!f->trusting || f->rcvoff > f->copy.len)
		return;
	v = f->copy.p + f->rcvoff;
	n = f->copy.len - f->rcvoff;
	if (n > 0 && v[n - 1] == '\n')
		n--;
	if (f->hop(v, n) == 1) {
		f->trusting = 0;
		f->hop_found = 1;
	}
}

/* ':' or NUL after a name: every reader sees a field of that name. */
static int
separator(struct hdr_filter *f)
{
	if (strict(f) && name_ours(f, 1))
		return forged(f) + 1;
	if (ar_name(f)) {
		if (!f->first || f->longline || f->ar)
			return forged(f) + 1;
		f->ar = 1;
		f->arval = f->holdlen + 1;	/* after the colon */
	}
	if (f->trusting && f->first && named(f, "X-Qqtag"))
		f->hop_qqtag++;
	if (f->trusting && f->hop != NULL && f->first && f->nlines > 0 &&
	    named(f, "Received")) {
		f->rcv = 1;
		f->rcvoff = f->copy.len + f->holdlen + 1;
	}
	f->state = S_REST;
	return 0;
}

/* Not a name of ours: the earlier lines of a fold go, this one stays. */
static int
to_rest(struct hdr_filter *f, hdr_emit_fn emit, void *ctx)
{
	if (f->lineoff > 0 && flush(f, f->lineoff, emit, ctx) == -1)
		return -1;
	f->state = S_REST;
	return 0;
}

static int
at_start(struct hdr_filter *f, unsigned char c, hdr_emit_fn emit, void *ctx)
{
	f->longline = 0;
	f->lineoff = 0;
	if (ISBLANK(c)) {
		f->state = f->dropping ? S_DROP : S_REST;
		return 0;
	}
	if (f->ar) {			/* ended with no id: not ours */
		f->ar = 0;
		if (flush(f, f->holdlen, emit, ctx) == -1)
			return -1;
	}
	field_done(f);
	f->dropping = 0;
	if (c == '\n') {		/* the empty line */
		f->nlines++;
		f->state = S_BODY;
		if (out(f, "\n", 1, emit, ctx) == -1)
			return -1;
		f->body = 1;
		return 1;
	}
	name_reset(f, 1);
	f->state = S_NAME;
	return 0;
}

/* LF after a name: a fold may still bring the colon (procmail). */
static int
name_lf(struct hdr_filter *f, hdr_emit_fn emit, void *ctx)
{
	int	r;

	if (!f->first || f->longline || !strict(f) || (!name_ours(f, 1) &&
	    !ar_name(f)))
		return to_rest(f, emit, ctx);
	if ((r = keep(f, '\n', emit, ctx)) != 1)
		return r;
	f->nlines++;
	f->state = S_FOLD;
	return 1;
}

/* One byte of a name, or of the blanks, CRs and folds after it. */
static int
step_name(struct hdr_filter *f, unsigned char c, hdr_emit_fn emit,
    void *ctx)
{
	int	r;

	if (f->state == S_NAME && (isnamec(c) || c == '\r')) {
		if ((r = keep(f, c, emit, ctx)) == 1 && c != '\r')
			name_add(f, c);
		return r;
	}
	if (f->namelen == 0 && f->state == S_NAME)
		return c == '\n' ? name_lf(f, emit, ctx) : to_rest(f, emit,
		    ctx);
	if (c == ':' || c == '\0')
		return separator(f);
	if (c == '\n')
		return name_lf(f, emit, ctx);
	if (ISBLANK(c) || c == '\r') {
		if ((r = keep(f, c, emit, ctx)) == 1)
			f->state = S_GAP;
		return r;
	}
	return to_rest(f, emit, ctx);
}

/*
 * The end of a line of a held Authentication-Results field: drop it when
 * its id is ours, pass it on when not, hold on while the id may still
 * come on a continuation line.
 */
static int
ar_line_end(struct hdr_filter *f, hdr_emit_fn emit, void *ctx)
{
	int	r;

	if ((r = keep(f, '\n', emit, ctx)) != 1)
		return r;
	f->nlines++;
	if ((r = ar_ours(f, 0)) == 1) {
		forged(f);
		f->state = S_START;
		return 1;
	}
	f->state = S_START;
	if (r == 0) {
		f->ar = 0;
		if (flush(f, f->holdlen, emit, ctx) == -1)
			return -1;
	}
	return 1;
}

/* One byte in the rest of a line: a CR not before LF starts a name. */
static int
step_rest(struct hdr_filter *f, unsigned char c, hdr_emit_fn emit,
    void *ctx)
{
	int	r;

	if (c == '\n' && f->ar)
		return ar_line_end(f, emit, ctx);
	if (c == '\n') {
		if (flush(f, f->holdlen, emit, ctx) == -1 ||
		    out(f, "\n", 1, emit, ctx) == -1)
			return -1;
		f->nlines++;
		f->state = S_START;
		return 1;
	}
	if (c == '\r') {
		if ((r = keep(f, c, emit, ctx)) == 1)
			f->state = S_CR;
		return r;
	}
	if (f->state == S_CR) {		/* Python's email starts a line */
		name_reset(f, 0);
		f->state = S_NAME;
		return 0;
	}
	return keep(f, c, emit, ctx);
}

/*
 * One byte of the header section.  Returns 1 when it was consumed, 0 when
 * it must be passed on again in the new state, -1 on an emit error.
 */
static int
step(struct hdr_filter *f, unsigned char c, hdr_emit_fn emit, void *ctx)
{
	switch (f->state) {
	case S_START:
		return at_start(f, c, emit, ctx);
	case S_NAME:
	case S_GAP:
		return step_name(f, c, emit, ctx);
	case S_FOLD:
		if (!ISBLANK(c)) {
			if (flush(f, f->holdlen, emit, ctx) == -1)
				return -1;
			f->state = S_START;
			return 0;
		}
		if (f->holdlen == sizeof(f->hold))
			return overflow(f, emit, ctx);
		f->lineoff = f->holdlen;
		f->hold[f->holdlen++] = (char)c;
		f->state = S_GAP;
		return 1;
	default:
		return step_rest(f, c, emit, ctx);
	}
}

/*
 * Many bytes at once where no decision is pending: the rest of a dropped
 * line, a run of plain bytes in the rest of a line.  Returns how many were
 * consumed (0: none, use step), or (size_t)-1 on an emit error.
 */
static size_t
skim(struct hdr_filter *f, const char *p, size_t n, hdr_emit_fn emit,
    void *ctx)
{
	const char	*nl;
	size_t		 k;

	if (f->state == S_DROP || f->state == S_CUT) {
		if ((nl = memchr(p, '\n', n)) == NULL)
			k = n;
		else {
			k = (size_t)(nl - p) + 1;
			if (f->state == S_CUT &&
			    out(f, "\n", 1, emit, ctx) == -1)
				return (size_t)-1;
			f->nlines++;
			f->state = S_START;
		}
		f->hdrbytes += k;
		return k;
	}
	if (f->state != S_REST)
		return 0;
	for (k = 0; k < n && p[k] != '\n' && p[k] != '\r'; k++)
		;
	if (f->longline) {
		if (k > 0 && ((f->holdlen > 0 && flush(f, f->holdlen, emit,
		    ctx) == -1) || out(f, p, k, emit, ctx) == -1))
			return (size_t)-1;
	} else {
		if (k > sizeof(f->hold) - f->holdlen)
			k = sizeof(f->hold) - f->holdlen;
		memcpy(f->hold + f->holdlen, p, k);
		f->holdlen += k;
	}
	f->hdrbytes += k;
	return k;
}

/*
 * Pass n more bytes of the message through the filter; kept bytes go to
 * emit in order.  Returns 0, or -1 when emit failed (errno is emit's).
 */
int
hdr_filter_feed(struct hdr_filter *f, const char *p, size_t n,
    hdr_emit_fn emit, void *ctx)
{
	size_t	i = 0, k;
	int	r;

	while (i < n) {
		if (f->state == S_BODY)
			return emit(ctx, p + i, n - i);
		if ((k = skim(f, p + i, n - i, emit, ctx)) == (size_t)-1)
			return -1;
		if (k > 0) {
			i += k;
			continue;
		}
		if ((r = step(f, (unsigned char)p[i], emit, ctx)) == -1)
			return -1;
		if (r == 1) {
			f->hdrbytes++;
			i++;
		}
	}
	return 0;
}

/* End of message: whatever is still held is a partial line; keep it. */
int
hdr_filter_end(struct hdr_filter *f, hdr_emit_fn emit, void *ctx)
{
	if (f->ar) {			/* the input ended inside it */
		f->ar = 0;
		if (ar_ours(f, 1) == 1)
			forged(f);
	}
	if (f->holdlen > 0 && flush(f, f->holdlen, emit, ctx) == -1)
		return -1;
	if (!f->body)
		field_done(f);
	f->body = 1;
	return 0;
}

/*
 * Sanitise n untrusted bytes into dst (room bytes): printable ASCII is
 * kept, runs of SP/HT/CR/LF become one space, everything else '?'.
 * Returns the length written; never writes a NUL.
 */
size_t
hdr_sanitise(char *dst, size_t room, const void *src, size_t n)
{
	const unsigned char *s = src;
	size_t	 i, o = 0;
	int	 ws = 0;

	for (i = 0; i < n && o < room; i++) {
		unsigned char c = s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			ws = 1;
			continue;
		}
		if (ws && o > 0) {
			dst[o++] = ' ';
			if (o == room)
				break;
		}
		ws = 0;
		dst[o++] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
	}
	return o;
}

/* Start a header named name (a constant of ours) to be appended to out. */
void
hdr_begin(struct hdr_w *w, struct buf *o, const char *name)
{
	w->out = o;
	w->name = name;
	w->vlen = 0;
	w->space = 1;
	w->cut = 0;
}

static void
add(struct hdr_w *w, const void *s, size_t n, size_t cap)
{
	char	 tmp[HDR_VALUE_MAX];
	size_t	 len, room;

	len = hdr_sanitise(tmp, cap < sizeof(tmp) ? cap : sizeof(tmp), s, n);
	if (len == 0)
		return;
	room = sizeof(w->val) - w->vlen;
	if (w->space && w->vlen > 0 && room > 0) {
		w->val[w->vlen++] = ' ';
		room--;
	}
	w->space = 1;
	if (len > room) {
		len = room;
		w->cut = 1;
	}
	memcpy(w->val + w->vlen, tmp, len);
	w->vlen += len;
}

/*
 * Append program-made text (still sanitised: nothing raw reaches a
 * header).  Each part is a word group: parts are joined with one space.
 */
void
hdr_text(struct hdr_w *w, const char *s)
{
	add(w, s, strlen(s), sizeof(w->val));
}

/*
 * Append outside text (DNS, GeoIP, HELO, header values): sanitised and cut
 * at HDR_UNTRUSTED_MAX bytes, "..." marking a cut.
 */
void
hdr_untrusted(struct hdr_w *w, const void *s, size_t n)
{
	char	 tmp[HDR_UNTRUSTED_MAX + 4];
	size_t	 len;

	len = hdr_sanitise(tmp, sizeof(tmp), s, n);
	if (len > HDR_UNTRUSTED_MAX) {
		len = HDR_UNTRUSTED_MAX - 3;
		memcpy(tmp + len, "...", 3);
		len += 3;
	}
	add(w, tmp, len, sizeof(w->val));
}

/* Append program-made text glued to what precedes it (no space). */
void
hdr_glue(struct hdr_w *w, const char *s)
{
	w->space = 0;
	add(w, s, strlen(s), sizeof(w->val));
}

/*
 * Append prefix and the names joined by commas ("tests=A,B,C"), or
 * prefix and none when there are no names.  The value may be folded
 * after any comma, as SpamAssassin folds its test list.
 */
void
hdr_list(struct hdr_w *w, const char *prefix, const char *const *names,
    size_t n, const char *none)
{
	size_t	i;

	hdr_text(w, prefix);
	if (n == 0) {
		hdr_glue(w, none);
		return;
	}
	for (i = 0; i < n; i++) {
		hdr_glue(w, names[i]);
		if (i + 1 < n && w->vlen + 2 <= sizeof(w->val)) {
			w->val[w->vlen++] = ',';
			w->val[w->vlen++] = SOFT;
		}
	}
}

/*
 * Fold the value at spaces (and soft breaks) so that lines stay within
 * HDR_FOLD columns where a word allows it, and append "Name: value\n" to
 * the output.  Returns 0, or -1 (EOVERFLOW/ENOMEM from the output) with
 * nothing of this header appended.
 */
int
hdr_end(struct hdr_w *w)
{
	size_t	start = w->out->len;

	if (fold(w) == -1) {
		w->out->len = start;	/* no half header, ever */
		if (w->out->p != NULL)
			w->out->p[start] = '\0';
		return -1;
	}
	return 0;
}

static int
fold(struct hdr_w *w)
{
	struct buf	*o = w->out;
	size_t		 col, i, j, wl;
	int		 soft;

	while (w->vlen > 0 && (w->val[w->vlen - 1] == ' ' ||
	    w->val[w->vlen - 1] == SOFT))
		w->vlen--;
	if (buf_appends(o, w->name) == -1 || buf_appendc(o, ':') == -1)
		return -1;
	col = strlen(w->name) + 1;
	for (i = 0; i < w->vlen; i = j) {
		soft = w->val[i] == SOFT;
		while (i < w->vlen && (w->val[i] == ' ' || w->val[i] == SOFT))
			i++;
		for (j = i; j < w->vlen && w->val[j] != ' ' &&
		    w->val[j] != SOFT; j++)
			;
		if ((wl = j - i) == 0)
			break;
		if (wl > HDR_WORD_MAX) {	/* RFC 5322 §2.1.1: 998 */
			j = i + HDR_WORD_MAX;
			wl = HDR_WORD_MAX;
		}
		if (i > 0 && col + (soft ? 0 : 1) + wl > HDR_FOLD) {
			if (buf_append(o, "\n\t", 2) == -1)
				return -1;
			col = 1;
		} else if (!soft || i == 0) {
			if (buf_appendc(o, ' ') == -1)
				return -1;
			col++;
		}
		if (buf_append(o, w->val + i, wl) == -1)
			return -1;
		col += wl;
	}
	return buf_appendc(o, '\n');
}

/*
 * Does the header section hdr (len bytes, maybe cut) hold a field called
 * name?  Field names are matched without regard to case, at line starts.
 */
int
hdr_has_field(const char *hdr, size_t len, const char *name)
{
	size_t	n = strlen(name), i = 0;

	while (hdr != NULL && i < len) {
		if (len - i > n && strncasecmp(hdr + i, name, n) == 0 &&
		    (hdr[i + n] == ':' || hdr[i + n] == ' ' ||
		    hdr[i + n] == '\t'))
			return 1;
		while (i < len && hdr[i] != '\n')
			i++;
		i++;
	}
	return 0;
}

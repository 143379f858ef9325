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

static int	fold(struct hdr_w *);

enum {
	S_START,	/* at the start of a header line */
	S_NAME,		/* in what may be a field name (held) */
	S_WSP,		/* name followed by blanks (held), obs-fws */
	S_KEEP,		/* rest of a kept line */
	S_DROP,		/* rest of a dropped line */
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

/* Start filtering a message; strip NULL keeps every field (trusted hop). */
void
hdr_filter_init(struct hdr_filter *f, const struct hdr_names *strip)
{
	memset(f, 0, sizeof(*f));
	f->strip = strip;
	f->state = S_START;
	buf_init(&f->copy, HDR_COPY_MAX);
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

static int
flush_hold(struct hdr_filter *f, hdr_emit_fn emit, void *ctx)
{
	int	r;

	r = out(f, f->hold, f->holdlen, emit, ctx);
	f->holdlen = 0;
	return r;
}

/* The held name ended with ':': drop or keep the field. */
static int
decide(struct hdr_filter *f, hdr_emit_fn emit, void *ctx)
{
	size_t	n = 0;

	while (n < f->holdlen && isnamec((unsigned char)f->hold[n]))
		n++;
	if (f->strip != NULL && hdr_names_match(f->strip, f->hold, n)) {
		f->holdlen = 0;
		f->dropping = 1;
		f->nstripped++;
		f->state = S_DROP;
		return 0;
	}
	f->dropping = 0;
	f->state = S_KEEP;
	return flush_hold(f, emit, ctx);
}

/* The line holds no field of ours: pass it on as it is. */
static int
keep_line(struct hdr_filter *f, hdr_emit_fn emit, void *ctx)
{
	f->dropping = 0;
	f->state = S_KEEP;
	return flush_hold(f, emit, ctx);
}

/*
 * One byte at the start of a line or inside a held name.  Returns 1 when
 * the byte was consumed, 0 when the caller must pass it on in the new
 * state, -1 on an emit error.
 */
static int
step_held(struct hdr_filter *f, unsigned char c, hdr_emit_fn emit, void *ctx)
{
	if (f->state == S_START) {
		if (c == ' ' || c == '\t') {
			f->state = f->dropping ? S_DROP : S_KEEP;
			return 0;
		}
		if (c == '\n') {		/* the empty line */
			f->nlines++;
			f->hold[0] = '\n';
			f->holdlen = 1;
			if (flush_hold(f, emit, ctx) == -1)
				return -1;
			f->state = S_BODY;
			f->body = 1;
			return 1;
		}
		if (!isnamec(c))
			return keep_line(f, emit, ctx) == -1 ? -1 : 0;
		f->state = S_NAME;
	}
	if (c == ':') {
		f->hold[f->holdlen++] = (char)c;
		return decide(f, emit, ctx) == -1 ? -1 : 1;
	}
	if (c == ' ' || c == '\t') {
		/* obs-fws before the colon: only our names are worth holding */
		if (f->state == S_NAME && (f->strip == NULL ||
		    !hdr_names_match(f->strip, f->hold, f->holdlen)))
			return keep_line(f, emit, ctx) == -1 ? -1 : 0;
		if (f->holdlen == sizeof(f->hold) - 1) {
			/* our name padded past the hold: treat it as forged */
			f->holdlen = 0;
			f->dropping = 1;
			f->nstripped++;
			f->state = S_DROP;
			return 0;
		}
		f->state = S_WSP;
		f->hold[f->holdlen++] = (char)c;
		return 1;
	}
	if (f->state == S_NAME && isnamec(c) &&
	    f->holdlen < sizeof(f->hold) - 1) {
		f->hold[f->holdlen++] = (char)c;
		return 1;
	}
	return keep_line(f, emit, ctx) == -1 ? -1 : 0;
}

/*
 * Pass n more bytes of the message through the filter; kept bytes go to
 * emit in order.  Returns 0, or -1 when emit failed (errno is emit's).
 */
int
hdr_filter_feed(struct hdr_filter *f, const char *p, size_t n,
    hdr_emit_fn emit, void *ctx)
{
	size_t	i = 0, run;
	int	r;

	while (i < n) {
		if (f->state == S_BODY)
			return emit(ctx, p + i, n - i);
		if (f->state == S_KEEP || f->state == S_DROP) {
			const char *nl = memchr(p + i, '\n', n - i);

			run = nl ? (size_t)(nl - (p + i)) + 1 : n - i;
			f->hdrbytes += run;
			if (f->state == S_KEEP &&
			    out(f, p + i, run, emit, ctx) == -1)
				return -1;
			if (nl) {
				f->nlines++;
				f->state = S_START;
			}
			i += run;
			continue;
		}
		if ((r = step_held(f, (unsigned char)p[i], emit, ctx)) == -1)
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
	if (f->holdlen > 0 && flush_hold(f, emit, ctx) == -1)
		return -1;
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

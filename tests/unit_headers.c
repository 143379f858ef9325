/*
 * unit_headers.c - the forged-header filter and the header writer.
 *
 * The filter is checked against a plain line-by-line oracle written from
 * the rules in headers.c, for hand-made hostile cases, generated messages
 * fed in every chunking, and the real messages of Python's test suite.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "headers.h"
#include "unit.h"

#define HOLD	HDR_HOLD_MAX

static struct hdr_names names;

static int
emit(void *ctx, const char *p, size_t n)
{
	return buf_append(ctx, p, n);
}

/* The hop function of the tests: a Received value holding "hop". */
static int
hop_word(const char *v, size_t n)
{
	return memmem(v, n, "hop", 3) != NULL;
}

struct run {
	size_t	stripped;
	size_t	hop_qqtag;
	int	hop_found;
};

/* Run the filter over in, chunk bytes at a time (0 = all at once). */
static struct run
filtx(const char *in, size_t n, size_t chunk, struct buf *out,
    const struct hdr_names *strip, hdr_hop_fn hop)
{
	struct hdr_filter	f;
	struct run		r;
	size_t			i, k;

	hdr_filter_init(&f, strip);
	if (hop != NULL)
		hdr_filter_trust_hop(&f, hop);
	for (i = 0; i < n; i += k) {
		k = chunk && chunk < n - i ? chunk : n - i;
		hdr_filter_feed(&f, in + i, k, emit, out);
	}
	hdr_filter_end(&f, emit, out);
	r.stripped = f.nstripped;
	r.hop_qqtag = f.hop_qqtag;
	r.hop_found = f.hop_found;
	hdr_filter_free(&f);
	return r;
}

static size_t
filt(const char *in, size_t n, size_t chunk, struct buf *out,
    const struct hdr_names *strip)
{
	return filtx(in, n, chunk, out, strip, NULL).stripped;
}

static int
namec(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ':';
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The oracle's tracker: a name at in[k] (name bytes and CRs, the CRs left
 * out of the name), blanks and CRs, at a line's start (first) also folds
 * once the name is ours, then ':' or NUL.  Returns 1 for one of our
 * names; *stop is where it stopped (the separator, or the first byte that
 * is none of these).  The name goes to nm.
 */
static int
o_tracker(const char *in, size_t n, size_t k, int first, size_t *stop,
    struct buf *nm)
{
	size_t	j = k;
	int	ours;

	buf_reset(nm);
	for (; j < n && (namec((unsigned char)in[j]) || in[j] == '\r'); j++)
		if (in[j] != '\r')
			buf_appendc(nm, in[j]);
	*stop = j;
	if (nm->len == 0)
		return 0;
	ours = hdr_names_match(&names, nm->p, nm->len);
	for (;;) {
		while (j < n && (blank(in[j]) || in[j] == '\r'))
			j++;
		*stop = j;
		if (j < n && (in[j] == ':' || in[j] == '\0'))
			return ours;
		if (!first || !ours || j + 1 >= n || in[j] != '\n' ||
		    !blank(in[j + 1]))
			return 0;
		j++;
	}
}

/* The end of the physical line holding in[k]. */
static size_t
eol(const char *in, size_t n, size_t k)
{
	const char *nl = k < n ? memchr(in + k, '\n', n - k) : NULL;

	return nl ? (size_t)(nl - in) + 1 : n;
}

/* The start of the physical line holding in[k], not before from. */
static size_t
bol(const char *in, size_t from, size_t k)
{
	while (k > from && in[k - 1] != '\n')
		k--;
	return k;
}

/* Rest of a line from r to e: a run of CRs not before LF starts a name. */
static int
o_rest(const char *in, size_t n, size_t r, size_t e, struct buf *nm)
{
	size_t	stop;

	while (r < e) {
		if (in[r] != '\r') {
			r++;
			continue;
		}
		while (r < e && in[r] == '\r')
			r++;
		if (r == e || in[r] == '\n')
			return 0;
		if (o_tracker(in, n, r, 0, &stop, nm))
			return 1;
		r = stop;
	}
	return 0;
}

/*
 * The oracle: the rules of headers.c with no limit on a held line, one
 * whole line at a time.  *lng is set when the section has a line the
 * filter cannot hold whole (there HDR_HOLD_MAX rules, tested apart).
 */
static size_t
oracle(const char *in, size_t n, struct buf *out, int *lng)
{
	struct buf	nm;
	size_t		i = 0, e, r, ls, stripped = 0;
	int		dropping = 0;

	buf_init(&nm, 0);
	while (i < n) {
		e = eol(in, n, i);
		if (in[i] == '\n') {
			buf_append(out, in + i, n - i);
			break;
		}
		if (e - i >= HOLD - 2 && lng != NULL && (memchr(in + i, '\r',
		    e - i) != NULL || memchr(in + i, '\0', e - i) != NULL))
			*lng = 1;
		if (blank(in[i]) && dropping) {
			i = e;
			continue;
		}
		r = i;
		if (!blank(in[i])) {
			dropping = 0;
			if (o_tracker(in, n, i, 1, &r, &nm)) {
				if (lng != NULL && r - i >= HOLD / 2)
					*lng = 1;
				stripped++;
				dropping = 1;
				i = eol(in, n, r);
				continue;
			}
			if (lng != NULL && r - i >= HOLD / 2)
				*lng = 1;
		}
		ls = bol(in, i, r);
		buf_append(out, in + i, ls - i);
		e = eol(in, n, r);
		if (o_rest(in, n, r, e, &nm)) {
			stripped++;
			dropping = 1;
		} else
			buf_append(out, in + ls, e - ls);
		i = e;
	}
	buf_free(&nm);
	return stripped;
}

/*
 * Where trusted hop mode stops trusting: after the first Received field
 * (not on the first line) whose value holds "hop"; n when there is none.
 * Counts the X-Qqtag fields above it.
 */
static size_t
o_boundary(const char *in, size_t n, size_t *nq, int *found)
{
	struct buf	nm;
	size_t		i = 0, e, stop, v, end;

	buf_init(&nm, 0);
	*nq = 0;
	*found = 0;
	while (i < n && in[i] != '\n') {
		e = eol(in, n, i);
		if (blank(in[i])) {
			i = e;
			continue;
		}
		o_tracker(in, n, i, 0, &stop, &nm);
		if (stop < n && (in[stop] == ':' || in[stop] == '\0') &&
		    nm.len == 7 && strncasecmp(nm.p, "X-Qqtag", 7) == 0)
			(*nq)++;
		for (end = e; end < n && blank(in[end]); end = eol(in, n, end))
			;
		v = stop + 1;
		if (i > 0 && stop < n && (in[stop] == ':' || in[stop] ==
		    '\0') && nm.len == 8 && strncasecmp(nm.p, "Received",
		    8) == 0 && hop_word(in + v, end - v - (in[end - 1] ==
		    '\n'))) {
			buf_free(&nm);
			*found = 1;
			return end;
		}
		i = end;
	}
	buf_free(&nm);
	return n;
}

static void
same(const char *what, const char *in, size_t n)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 64, 4096 };
	struct buf	a, b, c;
	size_t		i, sa, sb;
	int		lng = 0;

	buf_init(&b, 0);
	sb = oracle(in, n, &b, &lng);
	buf_init(&c, 0);
	filt(in, n, 0, &c, &names);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		buf_init(&a, 0);
		sa = filt(in, n, chunks[i], &a, &names);
		T(a.len == c.len && (a.len == 0 || memcmp(a.p, c.p,
		    a.len) == 0), "%s (chunk %zu): chunking changes the output",
		    what, chunks[i]);
		T(lng || (a.len == b.len && (a.len == 0 || memcmp(a.p, b.p,
		    a.len) == 0) && sa == sb),
		    "%s (chunk %zu): %zu/%zu bytes, %zu/%zu stripped", what,
		    chunks[i], a.len, b.len, sa, sb);
		buf_free(&a);
	}
	buf_free(&b);
	buf_free(&c);
}

/*
 * Trusted hop mode: everything down to the hop's field as it is, the rest
 * as the plain filter (the oracle) has it, in every chunking.
 */
static void
same_hop(const char *what, const char *in, size_t n)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 64, 4096 };
	struct buf	a, b;
	struct run	r;
	size_t		i, bnd, nq;
	int		lng = 0, found;

	bnd = o_boundary(in, n, &nq, &found);
	buf_init(&b, 0);
	buf_append(&b, in, bnd);
	oracle(in + bnd, n - bnd, &b, &lng);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		buf_init(&a, 0);
		r = filtx(in, n, chunks[i], &a, &names, hop_word);
		T(lng || (a.len == b.len && (a.len == 0 || memcmp(a.p, b.p,
		    a.len) == 0) && r.hop_qqtag == nq &&
		    r.hop_found == found),
		    "%s (hop, chunk %zu): %zu/%zu bytes, %zu/%zu X-Qqtag "
		    "above, found %d/%d", what, chunks[i], a.len, b.len,
		    r.hop_qqtag, nq, r.hop_found, found);
		buf_free(&a);
	}
	buf_free(&b);
}

/* Expect exactly want as output, and the oracle to agree. */
static void
expectn(const char *what, const char *in, size_t n, const char *want,
    size_t wn, size_t nstrip)
{
	struct buf	a;
	size_t		s;

	buf_init(&a, 0);
	s = filt(in, n, 1, &a, &names);
	T(a.len == wn && (wn == 0 || memcmp(a.p, want, wn) == 0) &&
	    s == nstrip, "%s: got [%.*s] (%zu stripped)", what, (int)a.len,
	    a.p ? a.p : "", s);
	buf_free(&a);
	same(what, in, n);
}

static void
expect(const char *what, const char *in, const char *want, size_t nstrip)
{
	expectn(what, in, strlen(in), want, strlen(want), nstrip);
}

static void
test_cases(void)
{
	expect("empty", "", "", 0);
	expect("lf only", "\n", "\n", 0);
	expect("plain", "From: a\nSubject: b\n\nbody\n",
	    "From: a\nSubject: b\n\nbody\n", 0);
	expect("forged", "X-Spam-Flag: NO\nSubject: b\n\nX-Spam-Flag: YES\n",
	    "Subject: b\n\nX-Spam-Flag: YES\n", 1);
	expect("mixed case + continuation",
	    "A: 1\nx-SPAM-status: No,\n score=0\n\tmore\nB: 2\n\n",
	    "A: 1\nB: 2\n\n", 1);
	expect("blank before colon", "X-Spam-Flag \t: NO\nA: b\n", "A: b\n", 1);
	expect("longer name kept", "X-Spam-Flagged: x\nX-Spam-Fla: y\n",
	    "X-Spam-Flagged: x\nX-Spam-Fla: y\n", 0);
	expect("no colon kept", "X-Spam-Flag NO\n", "X-Spam-Flag NO\n", 0);
	expect("own namespace", "X-Qqtag: score=0\nX-QQTAG-Extra: 1\nX: 2\n",
	    "X: 2\n", 2);
	expect("no final newline", "Subject: x\nX-Spam-Score: -99",
	    "Subject: x\n", 1);
	expect("first line blank-led", " x\nX-Spam-Flag: NO\n\nb",
	    " x\n\nb", 1);
	expect("mbox From line", "From a@b Mon Jan 1\nX-Spam-Status: No\n\n",
	    "From a@b Mon Jan 1\n\n", 1);
	expect("junk line does not end the section",
	    "Subject: x\nhello\nX-Spam-Status: No\n\nbody\n",
	    "Subject: x\nhello\n\nbody\n", 1);
	expect("lone CR is not the empty line",
	    "A: b\r\n\r\nX-Spam-Flag: NO\r\n\nX-Spam-Flag: NO\n",
	    "A: b\r\n\r\n\nX-Spam-Flag: NO\n", 1);
	expect("continuation of a kept junk line",
	    "junk\n X-Spam-Flag: x\n\n", "junk\n X-Spam-Flag: x\n\n", 0);
	expectn("NUL bytes", "A: \0\nX-Spam-Flag:\0\n\n\0", 21, "A: \0\n\n\0",
	    7, 1);
}

/* Item 5b of issue 10: what a downstream reader takes for our field. */
static void
test_readers(void)
{
	/* dovecot's sieve ends a name at NUL; maildrop reads NUL as ':' */
	expectn("NUL ends the name", "X-Spam-Flag\0: YES\nA: b\n", 23,
	    "A: b\n", 5, 1);
	expectn("NUL, then junk", "X-Spam-Flag\0junk: YES\nA: b\n", 27,
	    "A: b\n", 5, 1);
	expectn("X-Qqtag NUL", "X-Qqtag\0: flag=yes\nA: b\n", 24, "A: b\n", 5,
	    1);
	expectn("NUL, no colon (maildrop: X-Spam-Flag:)",
	    "X-Spam-Flag\0 YES\nA: b\n", 22, "A: b\n", 5, 1);
	expectn("blank, NUL (maildrop: X-Spam-Flag :)",
	    "x-spam-flag \0: YES\n\tmore\nA: b\n", 30, "A: b\n", 5, 1);
	expectn("NUL inside a longer name is kept",
	    "X-Spam-Flag-Not\0: x\nA: b\n", 25, "X-Spam-Flag-Not\0: x\nA: b\n",
	    25, 0);
	expectn("NUL cutting our name short is kept",
	    "X-Spam\0-Flag: YES\n", 18, "X-Spam\0-Flag: YES\n", 18, 0);
	expectn("NUL first is kept", "\0X-Spam-Flag: YES\n", 18,
	    "\0X-Spam-Flag: YES\n", 18, 0);
	/* maildrop drops CR bytes */
	expect("CR before the colon", "X-Spam-Flag\r: YES\nA: b\n", "A: b\n",
	    1);
	expect("CR inside the name", "X-Spam\r-Flag: YES\nA: b\n", "A: b\n", 1);
	expect("CR before the name", "\rX-Spam-Flag: YES\nA: b\n", "A: b\n", 1);
	expect("CRs and blanks", "\r\rX-\rQqtag\r \r:\r1\r\n \r2\nA: b\n",
	    "A: b\n", 1);
	/* Python's email starts a line at a bare CR */
	expect("bare CR starts a field: the whole line goes",
	    "Subject: hi\rX-Spam-Flag: YES\n more\nA: b\n", "A: b\n", 1);
	expect("bare CR in a continuation: from that line on",
	    "Subject: hi\n more\rX-Spam-Flag: YES\n\tmore\nA: b\n",
	    "Subject: hi\nA: b\n", 1);
	expect("bare CR after a field's value",
	    "A: \rX-Qqtag: flag=yes\nB: c\n", "B: c\n", 1);
	expect("CR inside a name not ours: no reader sees a field (kept)",
	    "junk\rX-Qqtag: flag=yes\n", "junk\rX-Qqtag: flag=yes\n", 0);
	expect("bare CRs before the name",
	    "Subject: hi\r\r\rX-Qqtag-A: 1\nA: b\n", "A: b\n", 1);
	expect("CR LF is a line end, not a bare CR",
	    "Subject: hi\r\nX-Spam-Flag: YES\r\nA: b\r\n",
	    "Subject: hi\r\nA: b\r\n", 1);
	expect("bare CR, blank: a continuation for Python (kept)",
	    "Subject: hi\r X-Spam-Flag: YES\n",
	    "Subject: hi\r X-Spam-Flag: YES\n", 0);
	expect("bare CR, a name not ours (kept)",
	    "Subject: hi\rX-Spam-Flagged: YES\rX-Spam-Fla: y\n",
	    "Subject: hi\rX-Spam-Flagged: YES\rX-Spam-Fla: y\n", 0);
	expect("Python does not split at VT or FF (kept)",
	    "Subject: hi\vX-Spam-Flag: YES\fX-Qqtag: 1\n",
	    "Subject: hi\vX-Spam-Flag: YES\fX-Qqtag: 1\n", 0);
	expect("CR in a value, no name after it (kept)",
	    "Subject: a\rb c\r\r\nD: e\r\n",
	    "Subject: a\rb c\r\r\nD: e\r\n", 0);
	/* procmail joins a fold before the colon */
	expect("fold before the colon", "X-Spam-Flag\n : YES\nA: b\n", "A: b\n",
	    1);
	expect("blanks and folds before the colon",
	    "X-Spam-Flag \n\t\n \r\t: YES\n more\nA: b\n", "A: b\n", 1);
	expect("fold, no colon (kept)", "X-Spam-Flag\n NO\nA: b\n",
	    "X-Spam-Flag\n NO\nA: b\n", 0);
	expect("fold, then a bare CR field",
	    "X-Spam-Flag\n \rX-Qqtag: 1\nA: b\n",
	    "X-Spam-Flag\n \rX-Qqtag: 1\nA: b\n", 0);
	expect("no fold, no colon (kept)", "X-Spam-Flag\nA: b\n\n",
	    "X-Spam-Flag\nA: b\n\n", 0);
	expect("name, then the empty line (kept)", "X-Spam-Flag\n\n : x\n",
	    "X-Spam-Flag\n\n : x\n", 0);
	expect("a fold of a name not ours (kept)", "Subject\n : x\n",
	    "Subject\n : x\n", 0);
	expect("fold of a name ours at the end", "X-Qqtag\n ",
	    "X-Qqtag\n ", 0);
}

/* Item 5: our names at any length; the hold's limits. */
static void
test_long(void)
{
	struct buf	in, want, out;
	size_t		len[] = { 200, HOLD - 20, HOLD, HOLD + 1, 5000 };
	size_t		i, s;

	for (i = 0; i < sizeof(len) / sizeof(len[0]); i++) {
		buf_init(&in, 0);
		buf_appends(&in, "A: b\nX-QQTAG-");
		while (in.len < 13 + len[i])
			buf_appendc(&in, (char)('a' + in.len % 26));
		buf_appends(&in, ": flag=yes\n\tmore\nC: d\n\n");
		expectn("long X-Qqtag- name", in.p, in.len,
		    "A: b\nC: d\n\n", 11, 1);
		buf_reset(&in);
		/* a name too long for any exact name of ours: kept */
		buf_appends(&in, "X-Spam-Flag");
		while (in.len < 11 + len[i])
			buf_appendc(&in, 'x');
		buf_appends(&in, ": YES\n\n");
		expectn("long name past X-Spam-Flag", in.p, in.len, in.p,
		    in.len, 0);
		buf_free(&in);
	}
	/* the hold is full: a name of ours without its colon yet goes */
	buf_init(&in, 0);
	buf_appends(&in, "X-Qqtag-");
	while (in.len < 3 * HOLD)
		buf_appendc(&in, 'q');
	buf_appends(&in, " no colon\nA: b\n");
	buf_init(&out, 0);
	s = filt(in.p, in.len, 3, &out, &names);
	T(s == 1 && out.len == 5 && memcmp(out.p, "A: b\n", 5) == 0,
	    "X-Qqtag- past the hold: %zu stripped, %zu bytes", s, out.len);
	same("X-Qqtag- past the hold", in.p, in.len);
	/* a long line: a bare CR field past the hold cuts the line there */
	buf_reset(&in);
	buf_reset(&out);
	buf_init(&want, 0);
	buf_appends(&in, "Subject: ");
	while (in.len < 2 * HOLD)
		buf_appendc(&in, 's');
	buf_append(&want, in.p, in.len);
	buf_appends(&want, "\r\nA: b\n\n");
	buf_appends(&in, "\rX-Spam-Flag: YES\n more\nA: b\n\n");
	s = filt(in.p, in.len, 5, &out, &names);
	T(s == 1 && out.len == want.len && memcmp(out.p, want.p, want.len) ==
	    0, "long line cut at a bare CR field: %zu stripped", s);
	same("long line cut at a bare CR field", in.p, in.len);
	/* a long line of CRs, then our name */
	buf_reset(&in);
	buf_reset(&out);
	while (in.len < 2 * HOLD)
		buf_appendc(&in, '\r');
	buf_appends(&in, "X-Spam-Flag: YES\nA: b\n");
	s = filt(in.p, in.len, 0, &out, &names);
	T(s == 1 && out.len == 2 * HOLD + 6 && memmem(out.p, out.len,
	    "Flag", 4) == NULL, "CRs past the hold, then our name: %zu",
	    out.len);
	same("CRs past the hold", in.p, in.len);
	/* our name padded with a fold past the hold */
	buf_reset(&in);
	buf_appends(&in, "X-Spam-Flag\n");
	while (in.len < 2 * HOLD)
		buf_appendc(&in, ' ');
	buf_appends(&in, "NO\nA: b\n");
	buf_reset(&out);
	s = filt(in.p, in.len, 0, &out, &names);
	T(s == 1 && out.len == 5, "fold padded past the hold: %zu", s);
	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
}

static void
test_padded(void)
{
	char	in[600];
	size_t	n;

	n = (size_t)snprintf(in, sizeof(in), "X-Spam-Flag");
	memset(in + n, ' ', 300);
	memcpy(in + n + 300, ": NO\nA: b\n\n", 11);
	n += 311;
	same("padded forged name", in, n);
	{
		struct buf a;

		buf_init(&a, 0);
		T(filt(in, n, 5, &a, &names) == 1 && a.len == 6,
		    "padded name is dropped");
		buf_free(&a);
	}
	memset(in, 'A', 300);
	memcpy(in + 300, ": long name\n\n", 13);
	same("300-byte name", in, 313);
}

/* Item 6 of issue 10: a trusted relay's tags count above its own line. */
static void
test_hop(void)
{
	static const char relay[] =
	    "Received: from hop.example (1.2.3.4) by us with SMTP; d\n"
	    "Received: (qmail 123 invoked from network); d\n"
	    "X-Spam-Flag: YES\n"
	    "X-Qqtag: score=9.0 flag=yes\n\tchecked=yes\n"
	    "X-Spam-Status: Yes, score=9.0\n"
	    "Received: from client.example (HELO x) (198.51.100.7)\n"
	    "  by hop.example with SMTP; d\n";
	static const char sender[] =
	    "X-Spam-Status: No\n"
	    "X-Qqtag: flag=no\n"
	    "From: a@b\n"
	    "X-Spam-Flag\0: NO\n"
	    "Subject: s\rx-qqtag: flag=no\n\tcont\n"
	    "Received: from hop.example by hop.example; d\n"
	    "X-Qqtag: flag=no\n"
	    "\nX-Qqtag: body\n";
	static const char kept[] = "From: a@b\n"
	    "Received: from hop.example by hop.example; d\n"
	    "\nX-Qqtag: body\n";
	struct buf	in, want, out;
	struct run	r;
	size_t		i;

	buf_init(&in, 0);
	buf_init(&want, 0);
	buf_init(&out, 0);
	buf_appends(&in, relay);
	buf_append(&in, sender, sizeof(sender) - 1);
	buf_appends(&want, relay);
	buf_appends(&want, kept);
	r = filtx(in.p, in.len, 1, &out, &names, hop_word);
	T(out.len == want.len && memcmp(out.p, want.p, want.len) == 0,
	    "relay block kept, forged below stripped: [%.*s]", (int)out.len,
	    out.p);
	T(r.stripped == 5 && r.hop_qqtag == 1 && r.hop_found == 1,
	    "hop: %zu stripped, %zu X-Qqtag above, found %d", r.stripped,
	    r.hop_qqtag, r.hop_found);
	same_hop("relay with qqtag", in.p, in.len);
	/* a relay without qqtag: the sender's X-Qqtag is below its line */
	buf_reset(&in);
	buf_reset(&out);
	buf_appends(&in, "Received: from hop (1.2.3.4) by us; d\n"
	    "Received: (qmail 1 invoked from network); d\n"
	    "Received: from c (198.51.100.7) by hop.example; d\n"
	    "X-Qqtag: score=0.0 flag=no checked=yes\nX-Spam-Status: No\n"
	    "\nbody\n");
	r = filtx(in.p, in.len, 0, &out, &names, hop_word);
	T(r.stripped == 2 && r.hop_qqtag == 0 && r.hop_found == 1 &&
	    out.len == in.len - 57, "relay without qqtag: %zu stripped, %zu "
	    "above", r.stripped, r.hop_qqtag);
	same_hop("relay without qqtag", in.p, in.len);
	/* no hop line at all: everything is kept (the first is never it) */
	buf_reset(&out);
	r = filtx(relay, 56, 0, &out, &names, hop_word);
	T(r.stripped == 0 && r.hop_found == 0 && out.len == 56,
	    "our own line is never the hop line");
	buf_reset(&in);
	buf_reset(&out);
	buf_appends(&in, "Received: by hop\nX-Qqtag: a\nX-Spam-Flag: YES\n\n");
	r = filtx(in.p, in.len, 0, &out, &names, hop_word);
	T(r.stripped == 0 && r.hop_qqtag == 1 && r.hop_found == 0 &&
	    out.len == in.len, "no hop line: all kept, %zu X-Qqtag",
	    r.hop_qqtag);
	same_hop("no hop line", in.p, in.len);
	/* the copy is cut before a hop line: strict from there */
	buf_reset(&in);
	buf_reset(&out);
	buf_appends(&in, "Received: from x by us\nX-Qqtag: above\n");
	for (i = 0; in.len < HDR_COPY_MAX + 100; i++)
		buf_printf(&in, "X-Pad-%zu: %060zu\n", i, i);
	buf_appends(&in, "X-Qqtag: cut\nReceived: by hop\nX-Qqtag: below\n\n");
	r = filtx(in.p, in.len, 4096, &out, &names, hop_word);
	T(r.stripped == 2 && r.hop_qqtag == 1 && r.hop_found == 0 &&
	    out.len == in.len - 28, "copy cut: strict: %zu stripped, found %d",
	    r.stripped, r.hop_found);
	/* the plain mode of old: strip NULL keeps all */
	buf_reset(&out);
	r = filtx(in.p, in.len, 0, &out, NULL, NULL);
	T(r.stripped == 0 && out.len == in.len, "no strip set: all kept");
	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
}

static void
test_huge(void)
{
	struct buf	in, out;
	size_t		i, s, gone = 0, before;

	/* a 200 KB header line, then a 20,000-line header section */
	buf_init(&in, 64 * 1024 * 1024);
	buf_appends(&in, "Subject: ");
	for (i = 0; i < 200 * 1024; i++)
		buf_appendc(&in, (char)('a' + i % 26));
	buf_appendc(&in, '\n');
	for (i = 0; i < 20000; i++) {
		before = in.len;
		buf_printf(&in, i % 100 == 7 ? "X-Spam-Flag: NO %zu\n" :
		    "X-Header-%zu: v\n", i);
		if (i % 100 == 7)
			gone += in.len - before;
	}
	buf_appends(&in, "\nX-Spam-Flag: body\n");
	same("huge section", in.p, in.len);
	buf_init(&out, 64 * 1024 * 1024);
	s = filt(in.p, in.len, 65536, &out, &names);
	T(s == 200, "20,000 lines: %zu stripped", s);
	T(out.len == in.len - gone, "size after stripping %zu", out.len);
	buf_free(&in);
	buf_free(&out);
}

/* Generated messages from hostile pieces, checked in every chunking. */
static void
test_generated(void)
{
	static const char *const piece[] = {
		"X-Spam-Flag: YES\n", "x-spam-status: No, score=-5\n",
		" continued\n", "\tcontinued\n", "Subject: hi\n", "\n", "\r\n",
		"From foo Mon\n", "X-Spam-Level \t: ***\n", "junk\n", "\r",
		"X-Qqtag-A: 1\n", "X-Spam-Flagged: 1\n", ":\n", " \n",
		"X-Spam-Warning:", "\0", "\xe9t\xe9: x\n", "X-Spam-Score",
		"From: a@b\n", "Received: from x\n by y\n",
		"X-Spam-Flag\0", "\rX-Spam-Flag: y\n",
		"Subject: a\rX-Qqtag: 1\n",
		"X-Spam-Flag\n", " : YES\n", "Received: from hop\n",
		"Received: by hop;\n\tx\n", "X-Qqtag: a\n", "X-Spam\r-Flag",
		"\r", "X-Qqtag-", "\r\n",
	};
	struct buf	in;
	uint32_t	seed, seed0 = (uint32_t)t_seed(12345);
	int		i, j, n;
	char		what[80];

	seed = seed0;
	for (i = 0; i < 3000; i++) {
		buf_init(&in, 0);
		n = 1 + (int)(seed % 40);
		for (j = 0; j < n; j++) {
			const char *p;

			seed = seed * 1103515245 + 12345;
			p = piece[(seed >> 8) % (sizeof(piece) / sizeof(*piece))];
			buf_append(&in, p, *p ? strlen(p) : 1);
		}
		snprintf(what, sizeof(what), "generated case %d seed %lu "
		    "(TEST_SEED=%lu replays)", i, (unsigned long)seed0,
		    (unsigned long)seed0);
		same(what, in.p, in.len);
		same_hop(what, in.p, in.len);
		buf_free(&in);
	}
}

static void
test_python_corpus(void)
{
	const char	*dir = "/usr/lib/python3.11/test/test_email/data";
	struct dirent	*de;
	DIR		*d;
	int		 files = 0;

	if ((d = opendir(dir)) == NULL) {
		T(0, "%s missing (package libpython3.11-testsuite)", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char	 path[512];
		FILE	*fp;
		struct buf b;
		char	 tmp[4096];
		size_t	 n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		buf_init(&b, 0);
		while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
			buf_append(&b, tmp, n);
		fclose(fp);
		same(de->d_name, b.p ? b.p : "", b.len);
		buf_free(&b);
		files++;
	}
	closedir(d);
	T(files > 50, "python corpus: %d files", files);
}

static void
test_writer(void)
{
	struct buf	o;
	struct hdr_w	w;
	char		big[1000];
	size_t		i, col;

	buf_init(&o, 0);
	hdr_begin(&w, &o, "X-Spam-Warning");
	hdr_text(&w, "listed in");
	hdr_untrusted(&w, "EVIL\r\nBcc: x@y\0\x80\x7f  z", 20);
	T(hdr_end(&w) == 0, "writer ok");
	T(strcmp(o.p, "X-Spam-Warning: listed in EVIL Bcc: x@y??? z\n") == 0,
	    "sanitised: [%s]", o.p);
	buf_reset(&o);
	memset(big, 'x', sizeof(big));
	hdr_begin(&w, &o, "X-A");
	hdr_untrusted(&w, big, sizeof(big));
	hdr_end(&w);
	T(o.len == strlen("X-A: ") + HDR_UNTRUSTED_MAX + 1 &&
	    memcmp(o.p + o.len - 4, "...\n", 4) == 0, "cut at 200: %zu",
	    o.len);
	buf_reset(&o);
	hdr_begin(&w, &o, "X-Spam-Status");
	for (i = 0; i < 60; i++)
		hdr_text(&w, "TEST_NAME_X,");
	hdr_end(&w);
	for (i = 0, col = 0; i < o.len; i++) {
		if (o.p[i] == '\n') {
			T(col <= HDR_FOLD, "line of %zu columns", col);
			T(i + 1 == o.len || o.p[i + 1] == '\t', "folded with tab");
			col = 0;
		} else
			col++;
		T(o.p[i] != '\r', "no CR");
	}
	buf_reset(&o);
	hdr_begin(&w, &o, "X-Long");
	for (i = 0; i < 300; i++)
		hdr_glue(&w, "abcdefgh,");
	hdr_end(&w);
	for (i = 0, col = 0; i < o.len; i++) {
		col = o.p[i] == '\n' ? 0 : col + 1;
		T(col <= 998, "RFC 5322 line limit kept: %zu", col);
	}
	buf_reset(&o);
	hdr_begin(&w, &o, "X-B");
	hdr_untrusted(&w, "\r\n\r\n", 4);
	hdr_end(&w);
	T(strcmp(o.p, "X-B:\n") == 0, "blank value: [%s]", o.p);
	buf_free(&o);
}

int
main(void)
{
	hdr_names_add(&names, "X-Spam-Flag");
	hdr_names_add(&names, "X-Spam-Status");
	hdr_names_add(&names, "X-Spam-Level");
	hdr_names_add(&names, "X-Spam-Score");
	hdr_names_add(&names, "X-Spam-Warning");
	hdr_names_add(&names, "X-Qqtag");
	hdr_names_add(&names, "X-Qqtag-*");
	test_cases();
	test_readers();
	test_long();
	test_hop();
	test_padded();
	test_huge();
	test_generated();
	test_python_corpus();
	test_writer();
	return t_done();
}

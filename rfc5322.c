/*
 * rfc5322.c - the header section held in memory, as RFC 5322 reads it.
 *
 * Owns: field scanning top-down and bottom-up (the name rule of the
 * forged-header filter, headers.c: bytes 0x21-0x7E but ':', blanks
 * allowed before the colon as obs-fws; LF ends a line, a CR is data),
 * unfolding (§2.2.3), address lists (§3.4 and the obsolete §4.4 forms:
 * display names, quoted strings, comments, groups, routes) with RFC 2047
 * display decoding, the §3.3 date (obsolete §4.3 forms included),
 * msg-id (§3.6.4), and the one domain-name validator every module uses
 * (dom_norm).  rfc_parse() sums up the fields the checks read.
 *
 * All input is untrusted bytes.  Every loop is bounded by its input,
 * which is the header copy (HDR_COPY_MAX) or one unfolded field
 * (RFC_FIELD), and every kept string by its array.  No allocation,
 * nothing that can fail: malformed input is evidence for the tests,
 * never an error.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rfc5322.h"

/* Keep s[0..n) as a C string in dst, cut to fit; 1 when it was cut. */
int
rfc_keep(char *dst, size_t cap, const char *s, size_t n)
{
	int	cut = n >= cap;

	if (cut)
		n = cap - 1;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
	return cut;
}

/* ---- fields -------------------------------------------------------- */

static const char *
line_end(const char *p, const char *end)
{
	const char	*nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

/* The first byte of the line that ends just before e (e > start). */
static const char *
line_start(const char *start, const char *e)
{
	const char	*p = e - 1;

	while (p > start && p[-1] != '\n')
		p--;
	return p;
}

static int
isnamec(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ':';
}

/*
 * Is [p, e), a line and its continuation lines, a field: a name, maybe
 * blanks (RFC 5322 §4.5 obs-fws), a colon?  1 with f filled, else 0.
 */
static int
as_field(const char *p, const char *e, struct rfc_field *f)
{
	const char	*q;
	size_t		 nlen;

	for (q = p; q < e && isnamec((unsigned char)*q); q++)
		;
	nlen = (size_t)(q - p);
	while (q < e && (*q == ' ' || *q == '\t'))
		q++;
	if (nlen == 0 || q >= e || *q != ':')
		return 0;
	f->raw = f->name = p;
	f->rawlen = (size_t)(e - p);
	f->nlen = nlen;
	f->val = q + 1;
	f->vlen = (size_t)(e - q - 1);
	return 1;
}

/*
 * Start iterating the header section in hdr[0..len): it ends before the
 * first empty line (or at len, when the copy was cut or has none).
 */
void
rfc_iter_init(struct rfc_iter *it, const char *hdr, size_t len)
{
	const char	*e = NULL;

	if (len > 0 && hdr[0] == '\n')
		e = hdr;
	else if (len > 0 && (e = memmem(hdr, len, "\n\n", 2)) != NULL)
		e++;
	else
		e = hdr + len;
	it->start = it->fwd = hdr;
	it->end = it->back = e;
}

/* Does the field have this name (case-insensitively)? */
int
rfc_field_is(const struct rfc_field *f, const char *name)
{
	return strlen(name) == f->nlen &&
	    strncasecmp(f->name, name, f->nlen) == 0;
}

/* Is [p, e) a field, and one of that name (NULL: any)? */
static int
wanted(const char *p, const char *e, const char *name, struct rfc_field *f)
{
	return as_field(p, e, f) && (name == NULL || rfc_field_is(f, name));
}

/*
 * The next field top-down (name NULL: any, else only fields of that
 * name): 1 with f filled, 0 at the end.  A line that is no field is
 * skipped with its continuation lines.
 */
int
rfc_next(struct rfc_iter *it, const char *name, struct rfc_field *f)
{
	const char	*p, *e;

	while (it->fwd < it->end) {
		p = it->fwd;
		e = line_end(p, it->end);
		while (e < it->end && (*e == ' ' || *e == '\t'))
			e = line_end(e, it->end);
		it->fwd = e;
		if (wanted(p, e, name, f))
			return 1;
	}
	return 0;
}

/*
 * The next field bottom-up (as DKIM's h= picks instances, RFC 6376
 * §5.4.2), the same fields rfc_next() finds in reverse order: 1 with f
 * filled, 0 at the top.  The two cursors are independent.
 */
int
rfc_prev(struct rfc_iter *it, const char *name, struct rfc_field *f)
{
	const char	*p, *e;

	while (it->back > it->start) {
		e = it->back;
		p = line_start(it->start, e);
		while (p > it->start && (*p == ' ' || *p == '\t'))
			p = line_start(it->start, p);
		it->back = p;
		if (wanted(p, e, name, f))
			return 1;
	}
	return 0;
}

/*
 * Unfold a field value into dst (RFC 5322 §2.2.3): line ends go, CR and
 * NUL become blanks, leading and trailing blanks are trimmed.  Cut at
 * cap - 1 bytes (cap > 0).  Returns the length.
 */
size_t
rfc_unfold(const char *v, size_t n, char *dst, size_t cap)
{
	size_t	i, o = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		char c = v[i];

		if (c == '\n')
			continue;
		if (c == '\r' || c == '\0')
			c = ' ';
		if (o == 0 && (c == ' ' || c == '\t'))
			continue;
		dst[o++] = c;
	}
	while (o > 0 && (dst[o - 1] == ' ' || dst[o - 1] == '\t'))
		o--;
	dst[o] = '\0';
	return o;
}

/* ---- domain names -------------------------------------------------- */

/* Does the label s[0..n) hold an ASCII letter? */
static int
has_letter(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (rfc_isalpha((unsigned char)s[i]))
			return 1;
	return 0;
}

/* dom_norm's work; out is left half-written when it fails. */
static int
norm(const char *s, size_t n, unsigned flags, char *out, size_t cap)
{
	size_t	i, lab = 0, nlab = 0, top = 0;

	if (s == NULL)
		return -1;
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > DOM_MAX || n >= cap)
		return -1;
	for (i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)s[i] : '.';

		if (c == '.') {
			if (lab == 0 || lab > DOM_LABEL_MAX ||
			    out[i - 1] == '-')
				return -1;
			nlab++;
			top = i - lab;
			lab = 0;
			if (i < n)
				out[i] = '.';
			continue;
		}
		if (c == '-' ? lab == 0 : !(rfc_isalpha(c) || rfc_isdigit(c) ||
		    (c == '_' && (flags & DOM_US)) ||
		    (c >= 0x80 && (flags & DOM_8BIT))))
			return -1;
		out[i] = (char)rfc_lc(c);
		lab++;
	}
	if ((flags & DOM_FQDN) && (nlab < 2 || !has_letter(s + top, n - top)))
		return -1;
	out[n] = '\0';
	return (int)n;
}

/*
 * The one domain-name rule.  Normalise s[0..n) into out (cap bytes):
 * one trailing dot dropped, ASCII lowercased; labels of 1..63 letters,
 * digits and '-', no '-' first or last (RFC 5321 §4.1.2 sub-domain,
 * RFC 1035 §2.3.1), at most 253 bytes; flags widen or narrow it
 * (DOM_US '_', DOM_8BIT bytes >= 0x80, DOM_FQDN two labels and a top
 * label with a letter, RFC 3696 §2).  Returns the length, or -1 when s
 * is no such name or out is too small (out is then "" when cap > 0).
 */
int
dom_norm(const char *s, size_t n, unsigned flags, char *out, size_t cap)
{
	int	r;

	if ((r = norm(s, n, flags, out, cap)) == -1 && cap > 0)
		out[0] = '\0';
	return r;
}

/* Is s[0..n) a domain name by dom_norm()'s rule and flags?  1 or 0. */
int
dom_valid(const char *s, size_t n, unsigned flags)
{
	char	t[RFC_NAME];

	return dom_norm(s, n, flags, t, sizeof(t)) >= 0;
}

/* ---- addresses (RFC 5322 §3.4) ------------------------------------- */

/*
 * s[i] opens a quoted string, a comment (nested) or a domain literal:
 * the index just past its end, n when it does not end (*closed 0).
 */
static size_t
skip_qc(const char *s, size_t i, size_t n, int *closed)
{
	char	open = s[i], close;
	int	depth = 0;

	close = open == '"' ? '"' : open == '(' ? ')' : ']';
	*closed = 0;
	for (i++; i < n; i++) {
		if (s[i] == '\\' && open != '[')
			i++;
		else if (open == '(' && s[i] == '(')
			depth++;
		else if (s[i] == close && depth-- == 0) {
			*closed = 1;
			return i + 1;
		}
	}
	return n;
}

static size_t
skip_q(const char *s, size_t i, size_t n)
{
	int	closed;

	return skip_qc(s, i, n, &closed);
}



/* Decode the text of an encoded word (Q or B) into dst; bytes written. */
static size_t
ew_text(int enc, const char *s, size_t n, char *dst, size_t cap)
{
	size_t		 i, o = 0;
	unsigned	 acc = 0, bits = 0;
	int		 v;

	for (i = 0; i < n && o + 1 < cap; i++) {
		if (enc == 'q') {
			if (s[i] == '=' && i + 2 < n && rfc_hexval(s[i + 1]) >= 0 &&
			    rfc_hexval(s[i + 2]) >= 0) {
				dst[o++] = (char)(rfc_hexval(s[i + 1]) * 16 +
				    rfc_hexval(s[i + 2]));
				i += 2;
			} else
				dst[o++] = s[i] == '_' ? ' ' : s[i];
		} else if ((v = rfc_b64val((unsigned char)s[i])) >= 0) {
			acc = (acc << 6 | (unsigned)v) & 0xffffff;
			if ((bits += 6) >= 8) {
				bits -= 8;
				dst[o++] = (char)(acc >> bits & 0xff);
			}
		}
	}
	return o;
}

/*
 * An encoded word "=?charset?Q|B?text?=" at s (RFC 2047 §2, at most 75
 * bytes): its length, 0 when s does not start with one; *enc and the
 * text span are set.
 */
static size_t
ew_parse(const char *s, size_t n, int *enc, const char **txt, size_t *tn)
{
	const char	*q1, *e;
	size_t		 lim = n < 75 ? n : 75;

	if (lim < 8 || s[0] != '=' || s[1] != '?' ||
	    (q1 = memchr(s + 2, '?', lim - 2)) == NULL ||
	    q1 + 3 >= s + lim || q1[2] != '?')
		return 0;
	*enc = rfc_lc((unsigned char)q1[1]);
	*txt = q1 + 3;
	if ((*enc != 'q' && *enc != 'b') ||
	    (e = memchr(*txt, '?', (size_t)(s + lim - *txt))) == NULL ||
	    e + 1 >= s + lim || e[1] != '=')
		return 0;
	*tn = (size_t)(e - *txt);
	return (size_t)(e + 2 - s);
}

/*
 * Decode RFC 2047 encoded words in s[0..n) into dst (a C string, cap >
 * 0): blank runs become one space, and go between two encoded words
 * (§6.2); the charset is ignored (the bytes are kept), a malformed word
 * stays as written.  Returns the length; never fails.
 */
size_t
rfc_2047(const char *s, size_t n, char *dst, size_t cap)
{
	const char	*txt;
	size_t		 i = 0, o = 0, k, w, tn;
	int		 enc, prev = 0, ew;

	while (i < n && o + 1 < cap) {
		if (rfc_iswsp((unsigned char)s[i])) {
			i++;
			continue;
		}
		for (k = i; k < n && !rfc_iswsp((unsigned char)s[k]); k++)
			;
		ew = ew_parse(s + i, k - i, &enc, &txt, &tn) > 0;
		if (o > 0 && !(prev && ew))
			dst[o++] = ' ';
		while (i < k && o + 1 < cap &&
		    (w = ew_parse(s + i, k - i, &enc, &txt, &tn)) > 0) {
			o += ew_text(enc, txt, tn, dst + o, cap - o);
			i += w;
		}
		prev = ew && i == k;
		while (i < k && o + 1 < cap)
			dst[o++] = s[i++];
		i = k;
	}
	dst[o] = '\0';
	return o;
}

/* Append the inside of a quoted string or comment, unescaped. */
static size_t
inner(const char *s, size_t n, char *t, size_t o, size_t cap)
{
	size_t	i;

	for (i = 1; i < n && o + 1 < cap; i++) {
		if (s[i] == '\\' && i + 1 < n)
			t[o++] = s[++i];
		else if (s[i] == '(' || s[i] == ')' || s[i] == '"')
			t[o++] = ' ';
		else
			t[o++] = s[i];
	}
	return o;
}

/*
 * The words of a display name (or, comments set, the text of its
 * comments, RFC 5322 §3.4 "addr (Name)") as plain text: quotes and
 * escapes gone, blank runs one space, encoded words decoded.
 */
static void
phrase(const char *s, size_t n, int comments, char *dst, size_t cap)
{
	char	t[RFC_DISPLAY * 4];
	size_t	i = 0, j, o = 0;

	while (i < n && o + 2 < sizeof(t)) {
		if (s[i] == '"' || s[i] == '(') {
			j = skip_q(s, i, n);
			if ((s[i] == '(') == (comments != 0))
				o = inner(s + i, j - i, t, o, sizeof(t) - 1);
			t[o++] = ' ';
			i = j;
		} else if (!comments)
			t[o++] = s[i++];
		else
			i++;
	}
	(void)rfc_2047(t, o, dst, cap);
}

static int
atext(int c)
{
	return rfc_isalpha(c) || rfc_isdigit(c) || c >= 0x80 ||
	    (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Copy an addr-spec without its CFWS; -1 when words meet without a dot. */
static int
addr_clean(const char *s, size_t n, char *c, size_t cap)
{
	size_t	i = 0, j, o = 0;
	int	sp = 0;

	while (i < n) {
		if (s[i] == '(' || rfc_iswsp((unsigned char)s[i])) {
			i = s[i] == '(' ? skip_q(s, i, n) : i + 1;
			sp = 1;
			continue;
		}
		j = s[i] == '"' || s[i] == '[' ? skip_q(s, i, n) : i + 1;
		if (sp && o > 0 && strchr(".@:,", c[o - 1]) == NULL &&
		    strchr(".@", s[i]) == NULL)
			return -1;
		if (j - i >= cap - o)
			return -1;
		memcpy(c + o, s + i, j - i);
		o += j - i;
		sp = 0;
		i = j;
	}
	c[o] = '\0';
	return (int)o;
}

/*
 * The domain of an addr-spec into out: a domain literal "[...]" as
 * written, or a name by dom_norm() ('_' and 8-bit bytes allowed, one
 * label enough); lowercased.  0, or -1 when it is neither.
 */
static int
addr_domain(const char *d, size_t n, char *out, size_t cap)
{
	size_t	i;

	if (n == 0 || d[0] != '[')
		return dom_norm(d, n, DOM_US | DOM_8BIT, out, cap) < 0 ? -1 : 0;
	if (n < 2 || d[n - 1] != ']')
		return -1;
	rfc_keep(out, cap, d, n);
	for (i = 0; out[i] != '\0'; i++)
		out[i] = (char)rfc_lc((unsigned char)out[i]);
	return 0;
}

/* The local part c[0..n): dot-atom or quoted strings (obs-local-part). */
static int
local_ok(const char *c, size_t n)
{
	size_t	i;
	int	closed;

	for (i = 0; i < n; i++)
		if (c[i] == '"') {
			i = skip_qc(c, i, n, &closed) - 1;
			if (!closed)
				return 0;
		} else if (c[i] != '.' && !atext((unsigned char)c[i]))
			return 0;
	return n > 0;
}

/*
 * An addr-spec (RFC 5322 §3.4.1, obsolete route and CFWS allowed),
 * cleaned into c, its domain normalised into dom (RFC_NAME bytes).
 * Returns the offset of the '@' before the domain, or -1 when it is not
 * one.
 */
static int
addr_spec(const char *s, size_t n, char *c, size_t cap, char *dom)
{
	size_t	i, len, at = 0, r;
	int	l, have = 0;
	char	*colon;

	if ((l = addr_clean(s, n, c, cap)) <= 0)
		return -1;
	len = (size_t)l;
	if (c[0] == '@') {		/* obs-route "@a,@b:" */
		if ((colon = memchr(c, ':', len)) == NULL)
			return -1;
		r = (size_t)(colon - c) + 1;
		memmove(c, c + r, len - r + 1);
		len -= r;
	}
	for (i = 0; i < len; i++)
		if (c[i] == '"')
			i = skip_q(c, i, len) - 1;
		else if (c[i] == '@') {
			at = i;
			have = 1;
		}
	if (!have || !local_ok(c, at) ||
	    addr_domain(c + at + 1, len - at - 1, dom, RFC_NAME) == -1)
		return -1;
	return (int)at;
}

/* Anything but blanks and comments in s[0..n)? */
static int
has_text(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] == '(')
			i = skip_q(s, i, n) - 1;
		else if (!rfc_iswsp((unsigned char)s[i]))
			return 1;
	return 0;
}

/* One mailbox: name-addr ("display <addr>") or addr-spec ("addr (c)"). */
static void
mailbox(const char *s, size_t n, struct rfc_addrs *a)
{
	char	c[RFC_ADDR], dom[RFC_NAME];
	size_t	i, lt = n, gt = n, b = 0, e = n;
	int	at;

	if (!has_text(s, n))
		return;		/* obs-mbox-list: empty elements */
	for (i = 0; i < n && gt == n; i++)
		if (s[i] == '"' || s[i] == '(')
			i = skip_q(s, i, n) - 1;
		else if (s[i] == '<' && lt == n)
			lt = i;
		else if (s[i] == '>' && lt < n)
			gt = i;
	if (lt < n) {
		b = lt + 1;
		e = gt;
	}
	if ((lt < n && (gt == n || has_text(s + gt + 1, n - gt - 1))) ||
	    (at = addr_spec(s + b, e - b, c, sizeof(c), dom)) == -1) {
		a->nbad++;
		return;
	}
	if (a->nbox++ > 0)
		return;
	rfc_keep(a->addr, sizeof(a->addr), c, strlen(c));
	rfc_keep(a->domain, sizeof(a->domain), dom, strlen(dom));
	if (lt < n)
		phrase(s, lt, 0, a->display, sizeof(a->display));
	else
		phrase(s, n, 1, a->display, sizeof(a->display));
}

/*
 * Scan an address-list (RFC 5322 §3.4) into a: mailboxes separated by
 * commas, groups "name: mailbox, ...;" (their members count), quoted
 * strings, comments and literals skipped as units; the first mailbox
 * kept.  Bounded by n; never fails (junk counts in a->nbad).
 */
void
rfc_addr_list(const char *s, size_t n, struct rfc_addrs *a)
{
	size_t	i, start = 0;
	int	group = 0, angle = 0;

	memset(a, 0, sizeof(*a));
	for (i = 0; i <= n; i++) {
		char c = i < n ? s[i] : ',';

		if (i < n && (c == '"' || c == '(' || c == '[')) {
			i = skip_q(s, i, n) - 1;
			continue;
		}
		if (c == '<' || c == '>')
			angle = c == '<';
		else if (!angle && (c == ',' || c == ';' ||
		    (c == ':' && !group))) {
			if (c == ':')
				group = 1;
			else
				mailbox(s + start, i - start, a);
			if (c == ';')
				group = 0;
			start = i + 1;
		}
	}
}

/* ---- dates (RFC 5322 §3.3, §4.3) ----------------------------------- */

#define RFC_DATE_LEN	200	/* a longer Date value is junk */
#define RFC_DATE_TOKS	8

static const char *const day_names[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
	"nov", "dec", NULL
};

/* Obsolete zone names (§4.3) and their offsets in minutes. */
static const struct {
	const char	*name;
	int		 min;
} zones[] = {
	{ "ut", 0 }, { "gmt", 0 }, { "utc", 0 }, { "z", 0 },
	{ "edt", -240 }, { "est", -300 }, { "cdt", -300 }, { "cst", -360 },
	{ "mdt", -360 }, { "mst", -420 }, { "pdt", -420 }, { "pst", -480 },
};

/* An unsigned decimal of min..max digits, the whole token. */
static int
digits(const char *s, size_t min, size_t max, unsigned long *v)
{
	char	*end;
	size_t	 n;

	for (n = 0; rfc_isdigit((unsigned char)s[n]); n++)
		;
	if (n < min || n > max || s[n] != '\0')
		return -1;
	*v = strtoul(s, &end, 10);
	return end == s + n ? 0 : -1;
}

static int
name_index(const char *const *l, const char *s)
{
	int	i;

	for (i = 0; l[i] != NULL; i++)
		if (strcasecmp(l[i], s) == 0)
			return i;
	return -1;
}

/* "hh:mm" or "hh:mm:ss" into seconds of the day. */
static int
clock_of(char *s, long *secs)
{
	unsigned long	 v[3] = { 0, 0, 0 };
	char		*p[3] = { s, NULL, NULL }, *c;
	int		 i, n = 1;

	while (n < 3 && (c = strchr(p[n - 1], ':')) != NULL) {
		*c = '\0';
		p[n++] = c + 1;
	}
	if (n < 2 || strchr(p[n - 1], ':') != NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (digits(p[i], i ? 2 : 1, 2, &v[i]) == -1)
			return -1;
	if (v[0] > 23 || v[1] > 59 || v[2] > 60)
		return -1;
	*secs = (long)(v[0] * 3600 + v[1] * 60 + v[2]);
	return 0;
}

/*
 * A zone: +hhmm / -hhmm, an obsolete name, or a military letter (as 0).
 * No zone in use lies beyond +-14:00 (Kiribati +14, Baker Island -12):
 * "-1900" or "+0560" is no zone, and the date holding it is invalid.
 */
#define RFC_ZONE_MAX	1400
static int
zone_of(const char *s, long *off)
{
	unsigned long	v;
	size_t		i;

	if ((s[0] == '+' || s[0] == '-') && digits(s + 1, 4, 4, &v) == 0) {
		if (v > RFC_ZONE_MAX || v % 100 > 59)
			return -1;
		*off = (long)((v / 100) * 3600 + (v % 100) * 60);
		if (s[0] == '-')
			*off = -*off;
		return 0;
	}
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strcasecmp(s, zones[i].name) == 0) {
			*off = zones[i].min * 60L;
			return 0;
		}
	*off = 0;
	return rfc_isalpha((unsigned char)s[0]) && s[1] == '\0' &&
	    rfc_lc((unsigned char)s[0]) != 'j' ? 0 : -1;
}

/*
 * A year: four digits are taken as written (RFC 5322 §3.3), and one
 * before 1900 is no date for mail; two and three digits are the
 * obsolete forms of §4.3 (00-49 are 2000-2049, 50-99 and three digits
 * add 1900).  "0102" is year 102, not 2002.
 */
static int
year_of(const char *s, unsigned long *y)
{
	if (digits(s, 2, 4, y) == -1)
		return -1;
	if (strlen(s) == 2)
		*y += *y < 50 ? 2000 : 1900;
	else if (strlen(s) == 3)
		*y += 1900;
	return *y >= 1900 ? 0 : -1;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long	era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int
mday_ok(unsigned long y, int mon, unsigned long d)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31,
	    31, 30, 31, 30, 31 };
	int	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return d >= 1 && d <= mdays[mon] && (mon != 1 || d < 29 || leap);
}

/* Split s (comments gone) into tokens at blanks and commas. */
static size_t
date_tokens(char *s, char **tok)
{
	size_t	n = 0;

	for (;;) {
		while (*s != '\0' &&
		    (rfc_iswsp((unsigned char)*s) || *s == ','))
			s++;
		if (*s == '\0')
			return n;
		if (n == RFC_DATE_TOKS)
			return n + 1;
		tok[n++] = s;
		while (*s != '\0' && !rfc_iswsp((unsigned char)*s) && *s != ',')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

/*
 * Parse an RFC 5322 date-time (§3.3 and the obsolete §4.3 forms: no
 * day name or no comma, 2- and 3-digit years, no seconds, zone names
 * and military letters, comments anywhere; one trailing zone name after
 * a numeric zone is tolerated).  1 with *t set, or 0.
 */
int
rfc_date(const char *s, size_t n, time_t *t)
{
	char		 b[RFC_DATE_LEN + 1], *tok[RFC_DATE_TOKS];
	size_t		 i, o = 0, nt, k = 0;
	unsigned long	 day, year;
	long		 secs, off;
	int		 mon, closed;

	for (i = 0; i < n && o < RFC_DATE_LEN; i++)
		if (s[i] == '(') {
			i = skip_qc(s, i, n, &closed) - 1;
			if (!closed)
				return 0;
			b[o++] = ' ';
		} else
			b[o++] = s[i] == '\0' ? '?' : s[i];
	if (i < n)
		return 0;
	b[o] = '\0';
	if ((nt = date_tokens(b, tok)) < 5 || nt > RFC_DATE_TOKS)
		return 0;
	if (rfc_isalpha((unsigned char)tok[0][0]) &&
	    name_index(day_names, tok[k++]) == -1)
		return 0;
	if (nt - k < 5 || digits(tok[k++], 1, 2, &day) == -1 ||
	    (mon = name_index(month_names, tok[k++])) == -1 ||
	    year_of(tok[k++], &year) == -1 ||
	    clock_of(tok[k++], &secs) == -1 || zone_of(tok[k++], &off) == -1)
		return 0;
	if (k < nt) {		/* "+0200 CEST": a name after a number */
		for (i = 0; rfc_isalpha((unsigned char)tok[k][i]); i++)
			;
		if ((tok[k - 1][0] != '+' && tok[k - 1][0] != '-') ||
		    tok[k][i] != '\0' || i == 0 || i > 5)
			return 0;
		k++;
	}
	if (k != nt)
		return 0;
	if (!mday_ok(year, mon, day))
		return 0;
	*t = (time_t)(days_from_civil((long long)year, (unsigned)mon + 1,
	    (unsigned)day) * 86400 + secs - off);
	return 1;
}

/* ---- Message-ID (RFC 5322 §3.6.4) ---------------------------------- */

/*
 * One msg-id "<left@right>" with nothing but CFWS around it: printable
 * ASCII inside, no blank outside quotes, an '@' with text on each side.
 * Lenient about what left and right hold (real ones hold '$', '%'...).
 * 1 when v[0..n) is one, else 0.
 */
int
rfc_msgid(const char *v, size_t n)
{
	size_t	i = 0, e = n, lt, at = 0;

	for (;;) {
		while (i < e && rfc_iswsp((unsigned char)v[i]))
			i++;
		if (i < e && v[i] == '(')
			i = skip_q(v, i, e);
		else
			break;
	}
	while (e > i && rfc_iswsp((unsigned char)v[e - 1]))
		e--;
	while (e > i && v[e - 1] == ')') {	/* a trailing comment */
		size_t c = i;

		while (c < e && v[c] != '(')
			c = v[c] == '"' ? skip_q(v, c, e) : c + 1;
		if (c >= e)
			return 0;
		for (e = c; e > i && rfc_iswsp((unsigned char)v[e - 1]); e--)
			;
	}
	if (e - i < 5 || v[i] != '<' || v[e - 1] != '>')
		return 0;
	for (lt = i++, e--; i < e; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '"') {
			i = skip_q(v, i, e) - 1;
			continue;
		}
		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>')
			return 0;
		if (c == '@')
			at = i;
	}
	return at > lt + 1 && at + 1 < e;
}


/* ---- the header section -------------------------------------------- */

static int
has8bit(const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/* Is v[0..n) one "<addr>" and nothing else (a: its address list)? */
static int
brkts_alone(const struct rfc_addrs *a, const char *v, size_t n)
{
	return a->nbox == 1 && a->nbad == 0 && n > 2 && v[0] == '<' &&
	    v[n - 1] == '>' && memchr(v + 1, '<', n - 1) == NULL;
}

/* The From: field's facts. */
static void
parse_from(struct rfc_fields *m, const char *v, size_t n)
{
	struct rfc_addrs	a;

	rfc_addr_list(v, n, &a);
	m->from_ok = a.nbox > 0 && a.nbad == 0;
	m->from_brkts = brkts_alone(&a, v, n);
	m->from_bare = a.nbox == 1 && a.nbad == 0 && a.display[0] == '\0' &&
	    memchr(v, '<', n) == NULL;
	m->from_nbox = a.nbox;
	if (a.nbox == 0)
		return;
	rfc_keep(m->from_addr, sizeof(m->from_addr), a.addr, strlen(a.addr));
	rfc_keep(m->from_domain, sizeof(m->from_domain), a.domain,
	    strlen(a.domain));
	rfc_keep(m->from_display, sizeof(m->from_display), a.display,
	    strlen(a.display));
}

enum {
	F_FROM, F_DATE, F_MID, F_TO, F_CC, F_SUBJ, F_MAILER, F_CTYPE,
	F_MIMEVER, F_MIMEOLE, F_MSPRIO, F_THREADIDX, F_XPRIO,
	F_RATWARE, F_RATWARE2, F_RATWARE3, F_N
};

static const char *const fields[F_N] = {
	"From", "Date", "Message-ID", "To", "Cc", "Subject", "X-Mailer",
	"Content-Type", "MIME-Version", "X-MimeOLE", "X-MSMail-Priority",
	"Thread-Index", "X-Priority",
	/* bulk mailers' own: Mach5 Mailer, "Indy" ratware, X-Precedence-Ref */
	"X-M5MailerProjectID", "X-Library", "X-Precedence-Ref"
};

/* Does s[0..n) hold w (lowercase ASCII), case-insensitively? */
static int
has_word(const char *s, size_t n, const char *w)
{
	size_t	i, k, wn = strlen(w);

	for (i = 0; i + wn <= n; i++) {
		for (k = 0; k < wn && rfc_lc((unsigned char)s[i + k]) == w[k];
		    k++)
			;
		if (k == wn)
			return 1;
	}
	return 0;
}

/*
 * A To: or Cc: field: its mailboxes; To's first, and whether it names
 * an "undisclosed" address (mailers write the empty group
 * "undisclosed-recipients:;", which has no '@').
 */
static void
parse_rcpt(struct rfc_fields *m, int which, const char *v, size_t n)
{
	struct rfc_addrs	a;

	rfc_addr_list(v, n, &a);
	m->nvisible += a.nbox;
	if (which == F_CC)
		return;
	if (m->nto++ == 0 && a.nbox > 0) {
		rfc_keep(m->to_addr, sizeof(m->to_addr), a.addr,
		    strlen(a.addr));
		m->to_brkts = brkts_alone(&a, v, n);
	}
	if (has_word(v, n, "undisclosed") && memchr(v, '@', n) != NULL)
		m->to_undisclosed = 1;
}

/*
 * rfc_unfold, but each line end and the blanks after it become one
 * space: a folded Subject keeps its words, not its indentation.
 */
static size_t
unfold_one(const char *v, size_t n, char *dst, size_t cap)
{
	char	t[RFC_FIELD];
	size_t	i, o = 0;

	for (i = 0; i < n && o + 1 < sizeof(t); i++) {
		t[o++] = v[i] == '\n' ? ' ' : v[i];
		if (v[i] == '\n')
			while (i + 1 < n &&
			    (v[i + 1] == ' ' || v[i + 1] == '\t'))
				i++;
	}
	return rfc_unfold(t, o, dst, cap);
}

/* Keep the first field of a kind (count it in *k, when k is set). */
static void
keep_first(char *dst, size_t cap, unsigned *k, const char *v, size_t n)
{
	if (k == NULL || (*k)++ == 0)
		rfc_keep(dst, cap, v, n);
}

/* One field of interest, unfolded into v (n bytes). */
static void
field(struct rfc_fields *m, int which, const char *v, size_t n)
{
	switch (which) {
	case F_FROM:
		if (m->nfrom++ == 0)
			parse_from(m, v, n);
		break;
	case F_DATE:
		if (m->ndate++ == 0)
			m->date_ok = rfc_date(v, n, &m->date);
		break;
	case F_MID:
		if (m->nmid == 0)
			rfc_keep(m->msgid, sizeof(m->msgid), v, n);
		m->mid_ok = m->nmid++ == 0 && rfc_msgid(v, n);
		break;
	case F_TO:
	case F_CC:
		m->ncc += which == F_CC;
		parse_rcpt(m, which, v, n);
		break;
	case F_SUBJ:
		keep_first(m->subject, sizeof(m->subject), &m->nsubject, v, n);
		break;
	case F_MAILER:
		if (m->mailer[0] == '\0')
			keep_first(m->mailer, sizeof(m->mailer), NULL, v, n);
		break;
	case F_CTYPE:
		if (m->nctype == 0)	/* the whole value: the copy is cut */
			m->ctype_boundary = has_word(v, n, "boundary=");
		keep_first(m->ctype, sizeof(m->ctype), &m->nctype, v, n);
		break;
	case F_XPRIO:
		if (m->xprio < 0)
			m->xprio = n > 0 && rfc_isdigit((unsigned char)v[0]) ?
			    v[0] - '0' : 0;
		break;
	default:
		m->mimever |= which == F_MIMEVER;
		m->mimeole |= which == F_MIMEOLE;
		m->msprio |= which == F_MSPRIO;
		m->threadidx |= which == F_THREADIDX;
		m->ratware |= which >= F_RATWARE;
	}
}

/*
 * Parse the header copy hdr[0..len) (LF line ends, any bytes) into m:
 * From, Date, Message-ID, To and Cc; the first Subject, X-Mailer and
 * Content-Type as text, and which MIME and Microsoft fields are there.
 * cut: the copy hit its cap, so a missing field may lie past it.  Never
 * fails: malformed input is recorded as evidence.
 */
void
rfc_parse(const char *hdr, size_t len, int cut, struct rfc_fields *m)
{
	char		 v[RFC_FIELD];
	struct rfc_iter	 it;
	struct rfc_field f;
	size_t		 n;
	int		 k;

	memset(m, 0, sizeof(*m));
	m->cut = cut;
	m->xprio = -1;
	m->eightbit = has8bit(hdr, len);
	rfc_iter_init(&it, hdr, len);
	while (rfc_next(&it, NULL, &f))
		for (k = 0; k < F_N; k++)
			if (rfc_field_is(&f, fields[k])) {
				n = k == F_SUBJ ? unfold_one(f.val, f.vlen, v,
				    sizeof(v)) : rfc_unfold(f.val, f.vlen, v,
				    sizeof(v));
				field(m, k, v, n);
				break;
			}
}

/*
 * The author's domain as DMARC takes it (RFC 7489 §6.6.1): exactly one
 * From field holding exactly one mailbox, whose domain is a name with a
 * dot (dom_norm, '_' allowed).  NULL otherwise (none, several, a
 * literal, junk).
 */
const char *
rfc_from_domain(const struct rfc_fields *m)
{
	if (m->nfrom != 1 || !m->from_ok || m->from_nbox != 1 ||
	    !dom_valid(m->from_domain, strlen(m->from_domain),
	    DOM_US | DOM_FQDN))
		return NULL;
	return m->from_domain;
}

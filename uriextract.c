/*
 * uriextract.c - the hosts a message links to: the URL scanner over the
 * decoded text of mime.c (http://, https://, bare www., mailto:, and in
 * text/html the entities decoded and href=//host, src=//host), the
 * Reply-To: hosts, and the report of each distinct host once (at most
 * URIX_HOSTS_MAX; the rest counted in dropped).  A byte state machine
 * with a window of the last 8 bytes: constant memory, any chunking.
 */
#include <string.h>

#include "rfc5322.h"
#include "uriextract.h"

enum { SC_TEXT, SC_HOST, SC_MAILTO, SC_ATTR, SC_ATTR1 };

/* Start a message. */
void
urix_init(struct urix *u, urix_found_fn *found, void *arg)
{
	memset(u, 0, sizeof(*u));
	u->found = found;
	u->arg = arg;
	mime_init(&u->mime);
}

/* The header section: top-level type, encoding, Reply-To:. */
void
urix_headers(struct urix *u, const char *hdr, size_t len)
{
	mime_headers(u, hdr, len);
}

/* Body bytes, any chunking. */
void
urix_feed(struct urix *u, const char *p, size_t n)
{
	mime_feed(u, p, n);
}

/* The end of the body. */
void
urix_end(struct urix *u)
{
	mime_end(u);
}

/* One host (raw bytes): normalised, reported if new and room is left. */
static void
report(struct urix *u, const char *p, size_t n)
{
	char	h[URIX_HOST];
	size_t	i;
	int	is_ip;

	if (urihost_norm(p, n, h, &is_ip) == -1)
		return;
	for (i = 0; i < u->nhosts; i++)
		if (strcmp(u->hosts[i], h) == 0)
			return;
	if (u->nhosts == URIX_HOSTS_MAX) {
		u->dropped++;
		return;
	}
	memcpy(u->hosts[u->nhosts++], h, sizeof(h));
	u->found(u->arg, h, is_ip);
}

/* The hosts after each '@' outside quoted strings of a Reply-To: value. */
void
urix_reply_to(struct urix *u, const char *p, size_t n)
{
	size_t	i, j;
	int	q = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\' && q)
			i++;
		else if (p[i] == '"')
			q = !q;
		else if (p[i] == '@' && !q) {
			for (j = i + 1; j < n && strchr(" \t\r\n<>,;:()\"",
			    p[j]) == NULL; j++)
				;
			report(u, p + i + 1, j - i - 1);
			i = j - 1;
		}
	}
}

/* The window ends with s (n bytes, lowercase, at most 8). */
#define TAIL(w, s)	tail((w), (s), sizeof(s) - 1)
static int
tail(uint64_t w, const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((int)(w >> (8 * (n - 1 - i)) & 255) != s[i])
			return 0;
	return 1;
}

/*
 * Bytes that end a URL's authority in text (RFC 3986 §3.2 less what
 * linkers stop at: '&' too, as a query's separator after an entity).
 */
static int
ends_host(int c)
{
	if (c <= ' ' || c == 0x7f)
		return 1;
	switch (c) {
	case '/': case '?': case '#': case '\\': case '<': case '>':
	case '"': case '\'': case '`': case '(': case ')': case ',':
	case ';': case '{': case '}': case '|': case '^': case '&':
		return 1;
	}
	return 0;
}

static void
host_reset(struct urix_scan *s)
{
	s->hlen = 0;
	s->bad = 0;
	s->port = 0;
	s->pct = 0;
}

/* The host is complete: report it, back to text. */
static void
host_end(struct urix *u)
{
	struct urix_scan	*s = &u->scan;

	/* 8-bit bytes right after a host are text (a UTF-8 quote), not it */
	while (s->hlen > 0 && (unsigned char)s->host[s->hlen - 1] >= 0x80)
		s->hlen--;
	if (!s->bad && s->hlen > 0)
		report(u, s->host, s->hlen);
	host_reset(s);
	s->state = SC_TEXT;
	s->win = 0;
}

static void
host_put(struct urix_scan *s, int c)
{
	if (s->hlen < sizeof(s->host))
		s->host[s->hlen++] = (char)c;
	else
		s->bad = 1;
}

/*
 * %XX in a host (browsers decode it, WHATWG URL "host parser"): 1 while
 * one is read, 2 with the byte decoded in *c (a name byte, never a
 * delimiter), 0 for a byte as it came.
 */
static int
host_pct(struct urix_scan *s, int *c)
{
	int	v = rfc_hexval(*c);

	if (s->pct == 0) {
		if (*c != '%')
			return 0;
		s->pct = 1;
		return 1;
	}
	if (v < 0) {
		s->pct = 0;
		s->bad = 1;
		return 0;
	}
	if (s->pct++ == 1) {
		s->pctv = (unsigned char)v;
		return 1;
	}
	s->pct = 0;
	*c = s->pctv << 4 | v;
	return 2;
}

/* One byte of an authority: userinfo@, host, [v6], :port.  0: not used. */
static int
host_byte(struct urix *u, int c)
{
	struct urix_scan	*s = &u->scan;

	if (ends_host(c)) {
		host_end(u);
		return 0;
	}
	switch (host_pct(s, &c)) {
	case 1:
		return 1;
	case 2:
		if (!s->port)
			host_put(s, c);
		return 1;
	}
	if (c == '@') {
		host_reset(s);
		return 1;
	}
	if (s->port)
		return 1;
	if (c == ':' && (s->hlen == 0 || s->host[0] != '[' ||
	    s->host[s->hlen - 1] == ']')) {
		s->port = 1;
		return 1;
	}
	host_put(s, c);
	return 1;
}

/* After href= or src= in HTML: an optional quote, then "//" and a host. */
static int
attr_byte(struct urix_scan *s, int c)
{
	if (s->state == SC_ATTR && (c == '"' || c == '\'') && s->pct == 0) {
		s->pct = 1;
		return 1;
	}
	s->pct = 0;
	if (c != '/') {
		s->state = SC_TEXT;
		return 0;
	}
	s->state = s->state == SC_ATTR ? SC_ATTR1 : SC_HOST;
	return 1;
}

/* A trigger completed by c (the window ends with it). */
static void
trigger(struct urix_scan *s, int c)
{
	uint64_t	w = s->win;

	if (c == '/' && (TAIL(w, "http://") || TAIL(w, "https://")))
		s->state = SC_HOST;
	else if (c == '.' && TAIL(w, "www.") && ((w >> 32 & 255) == 0 ||
	    strchr("abcdefghijklmnopqrstuvwxyz0123456789.-/",
	    (int)(w >> 32 & 255)) == NULL)) {
		s->state = SC_HOST;
		memcpy(s->host, "www.", 4);
		s->hlen = 4;
	} else if (c == ':' && TAIL(w, "mailto:"))
		s->state = SC_MAILTO;
	else if (c == '=' && s->html && (TAIL(w, "href=") ||
	    TAIL(w, "src=")))
		s->state = SC_ATTR;
	else
		return;
	s->win = 0;
}

/* One byte of decoded text. */
static void
scan_byte(struct urix *u, int c)
{
	struct urix_scan	*s = &u->scan;

	switch (s->state) {
	case SC_HOST:
		if (host_byte(u, c))
			return;
		break;
	case SC_MAILTO:
		if (c == '@') {
			s->state = SC_HOST;
			return;
		}
		if (!ends_host(c) && c != ':')
			return;
		s->state = SC_TEXT;
		break;
	case SC_ATTR:
	case SC_ATTR1:
		if (attr_byte(s, c))
			return;
		break;
	}
	c = c == 0 ? 1 : rfc_lc(c);
	s->win = s->win << 8 | (unsigned)c;
	if (c == '/' || c == '.' || c == ':' || c == '=')
		trigger(s, c);
}

static const struct {
	const char	*name;
	char		 c;
} named[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "period", '.' }, { "colon", ':' }, { "sol", '/' },
	{ "commat", '@' }, { "nbsp", ' ' }, { "hyphen", '-' }, { "num", '#' },
	{ "lowbar", '_' }, { "percnt", '%' }, { "quest", '?' },
	{ "equals", '=' }, { "excl", '!' }, { "semi", ';' }, { "comma", ',' },
	{ "lpar", '(' }, { "rpar", ')' }, { "tab", '\t' }, { "newline", '\n' },
	{ "bsol", '\\' }, { "plus", '+' }, { "dollar", '$' },
};

/* &#N; &#xH; or a name from the table: the byte, 0x80 beyond ASCII, -1. */
static int
entity(const char *e, size_t n, int semi)
{
	unsigned long	v = 0;
	size_t		i, k = 0;
	int		hex = n >= 2 && e[0] == '#' && rfc_lc(e[1]) == 'x';

	if (n > 0 && e[0] == '#') {
		for (i = hex ? 2 : 1; i < n; i++, k++) {
			int	c = (unsigned char)e[i];
			int	d = hex ? rfc_hexval(c) :
			    rfc_isdigit(c) ? c - '0' : -1;

			if (d < 0)
				return -1;
			v = v * (hex ? 16 : 10) + (unsigned)d;
			if (v > 0x10ffff)
				v = 0x110000;
		}
		return k == 0 ? -1 : v == 0 || v > 127 ? 0x80 : (int)v;
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strlen(named[i].name) == n &&
		    strncmp(named[i].name, e, n) == 0 &&
		    (semi || i < 4))
			return (unsigned char)named[i].c;
	return -1;
}

/* '&' and the bytes after it that made no entity, as they came. */
static void
ent_raw(struct urix *u)
{
	size_t	i;

	scan_byte(u, '&');
	for (i = 0; i < u->scan.elen; i++)
		scan_byte(u, (unsigned char)u->scan.ent[i]);
}

/* c continues the entity in e (elen bytes): a name, or #digits, #xhex. */
static int
ent_char(int c, const char *e, size_t elen)
{
	int	digit = rfc_isdigit(c);
	int	alpha = rfc_isalpha(c);

	if (elen == 0)
		return alpha || digit || c == '#';
	if (e[0] != '#')
		return alpha || digit;
	if (elen == 1 && (c == 'x' || c == 'X'))
		return 1;
	if (elen >= 2 && (e[1] == 'x' || e[1] == 'X'))
		return rfc_hexval(c) >= 0;
	return digit;
}

/* One byte of text/html: entities decoded (HTML's character reference
 * state, numeric ones without ';' too), then scanned. */
static void
ent_byte(struct urix *u, int c)
{
	struct urix_scan	*s = &u->scan;
	int			 v;

	if (!s->inent) {
		if (c == '&') {
			s->inent = 1;
			s->elen = 0;
		} else
			scan_byte(u, c);
		return;
	}
	if (c != ';' && s->elen < sizeof(s->ent) && ent_char(c, s->ent, s->elen)) {
		s->ent[s->elen++] = (char)c;
		return;
	}
	s->inent = 0;
	if ((v = entity(s->ent, s->elen, c == ';')) < 0)
		ent_raw(u);
	else
		scan_byte(u, v);
	if (c != ';' || v < 0)
		ent_byte(u, c);
}

/*
 * Text bytes that can complete no trigger and start no entity only move
 * the window: the common case, in a tight loop.  Returns the bytes used.
 */
static size_t
plain_run(struct urix_scan *s, const char *p, size_t n)
{
	uint64_t	w = s->win;
	size_t		i;
	int		c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c == '/' || c == '.' || c == ':' || c == '=' || c == '&' ||
		    c == '\0')
			break;
		w = w << 8 | (unsigned)rfc_lc(c);
	}
	s->win = w;
	return i;
}

/* Decoded text of the current part. */
void
urix_text(struct urix *u, const char *p, size_t n)
{
	struct urix_scan	*s = &u->scan;
	size_t			 i = 0;

	while (i < n) {
		if (s->state == SC_TEXT && !s->inent &&
		    (i += plain_run(s, p + i, n - i)) == n)
			break;
		if (s->html)
			ent_byte(u, (unsigned char)p[i++]);
		else
			scan_byte(u, (unsigned char)p[i++]);
	}
}

/* The end of a text part: a pending entity, a pending host. */
void
urix_flush(struct urix *u)
{
	struct urix_scan	*s = &u->scan;
	int			 v;

	if (s->inent) {
		s->inent = 0;
		if ((v = entity(s->ent, s->elen, 0)) < 0)
			ent_raw(u);
		else
			scan_byte(u, v);
	}
	if (s->state == SC_HOST)
		host_end(u);
	host_reset(s);
	s->state = SC_TEXT;
	s->win = 0;
}

/* A text part begins: html says whether entities are decoded. */
void
urix_part(struct urix *u, int html)
{
	urix_flush(u);
	u->scan.html = html;
}

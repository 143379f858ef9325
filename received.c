/*
 * received.c - trace lines (RFC 5321 §4.4) of the header section.
 *
 * Owns: qmail-smtpd's own Received line, the first field qqtag sees
 * (FACTS.md: "from HOST [(HELO h)] ([INFO@]IP) by LOCAL with PROTO;
 * date", '?' for unsafe bytes, ESMTPA/ESMTPS), the client IP of the
 * from-clause other MTAs write (Postfix, Exim, Sendmail, Exchange,
 * qmail), the trusted hop's line (the first one below ours naming an
 * address from outside, msg.c's ipaddr_private rule) and the date after
 * a Received line's last ';'; every Received line as a hop for the
 * trace rules (rcvd_hop: HELO, the rDNS its receiver found, client,
 * date; qmail-queue's "invoked from network" line).
 *
 * All input is untrusted bytes, bounded as in rfc5322.c; nothing here
 * can fail.
 */
#include <string.h>
#include <strings.h>

#include "received.h"

/* s[0..n) without '?' or brackets around it (qmail's safeput, §FACTS). */
static void
unwrap(const char **s, size_t *n)
{
	while (*n > 0 && strchr("?[", **s) != NULL) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && strchr("?]", (*s)[*n - 1]) != NULL)
		(*n)--;
}

/* The IP after the last '@' of s[0..n), '?' and brackets off: 0 or -1. */
static int
after_at(const char *s, size_t n, struct ipaddr *ip)
{
	const char	*at;

	for (at = s + n; at > s && at[-1] != '@'; at--)
		;
	n -= (size_t)(at - s);
	unwrap(&at, &n);
	return ipaddr_parse(at, n, ip);
}

/*
 * qmail-smtpd's own line, unfolded (rfc_unfold's output, a C string):
 * "from HOST [(HELO h) ]([INFO@]IP) by LOCAL with PROTO; date".  HOST,
 * HELO and INFO went through safeput(), so they hold no blank and no
 * parenthesis.  No "(HELO h)" means the HELO was HOST (case-
 * insensitively).  1 with the qmail fields of r set, else 0.
 */
static int
qmail_line(const char *v, struct rcvd_info *r)
{
	const char	*p = v, *h, *e;
	size_t		 hn;

	r->helo_given = r->auth = r->helo_long = 0;
	if (strncmp(p, "from ", 5) != 0)
		return 0;
	for (h = p += 5; *p != '\0' && *p != ' '; p++)
		;
	hn = (size_t)(p - h);
	if (*p++ != ' ')
		return 0;
	if (strncmp(p, "(HELO ", 6) == 0) {
		if ((e = strchr(p += 6, ')')) == NULL || e[1] != ' ')
			return 0;
		r->helo_long = rfc_keep(r->helo, sizeof(r->helo), p,
		    (size_t)(e - p));
		r->helo_given = 1;
		p = e + 2;
	}
	if (*p != '(' || (e = strchr(p, ')')) == NULL ||
	    after_at(p + 1, (size_t)(e - p - 1), &r->ip) == -1)
		return 0;
	for (p = e + 1; *p == ' ' || *p == '\t'; p++)
		;
	if (strncmp(p, "by ", 3) != 0)
		return 0;
	rfc_keep(r->host, sizeof(r->host), h, hn);
	if (!r->helo_given)
		r->helo_long = rfc_keep(r->helo, sizeof(r->helo), h, hn);
	if ((p = strstr(p, " with ")) != NULL)
		r->auth = strncmp(p + 6, "ESMTPA", 6) == 0 ||
		    strncmp(p + 6, "ESMTPSA", 7) == 0;
	return 1;
}

/*
 * qmail-smtpd's line (qmail_line) into r: 1 with r->ok set, or 0 with
 * r's qmail fields (ok, helo_given, auth, helo_long, host, helo, ip)
 * cleared.
 */
int
rcvd_qmail(const char *v, struct rcvd_info *r)
{
	r->ok = qmail_line(v, r);
	if (!r->ok) {
		r->helo_given = r->auth = r->helo_long = 0;
		r->host[0] = r->helo[0] = '\0';
		memset(&r->ip, 0, sizeof(r->ip));
	}
	return r->ok;
}

/* One IP candidate of a from-clause; keep the one that wins. */
struct cand {
	struct ipaddr	ip;
	int		have;		/* one was found */
	int		inner;		/* inside parentheses */
};

static void
candidate(struct cand *c, const char *s, size_t n, int depth)
{
	struct ipaddr	ip;

	/* the first one inside parentheses wins, else the last outside */
	if (c->inner || after_at(s, n, &ip) == -1)
		return;
	c->ip = ip;
	c->have = 1;
	c->inner = depth > 0;
}

/*
 * Length of the token at s: up to a blank, a parenthesis, a bracket or
 * a NUL; at least 1, so that a stray ']' moves the scan on.
 */
static size_t
token(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n && s[i] != '\0' && !rfc_iswsp((unsigned char)s[i]) &&
	    strchr("()[];", s[i]) == NULL; i++)
		;
	return i > 0 ? i : 1;
}

/*
 * The client IP of a Received line's from-clause (RFC 5321 §4.4), as
 * the common MTAs write it:
 *   qmail     from HOST (HELO h) ([INFO@]IP)
 *   Postfix   from helo (host [IP])          from helo (unknown [IPv6:..])
 *   Sendmail  from helo (host [IP] (may be forged))   from helo ([IP])
 *   Exim      from host ([IP] helo=h)   from [IP] (helo=h)   from h (host) [IP]
 *   Exchange  from host (IP)
 * The HELO argument (after qmail's "(HELO" or Exim's "helo=") is never
 * taken.  The first IP inside parentheses wins, else the last one
 * outside.  Returns 1 with *ip set, 0 when the line has no from-clause
 * or no IP.
 */
int
rcvd_client(const char *v, size_t n, struct ipaddr *ip)
{
	struct cand	 c;
	size_t		 i = 0, k;
	int		 depth = 0, skip = 0;

	memset(&c, 0, sizeof(c));
	memset(ip, 0, sizeof(*ip));
	while (i < n && rfc_iswsp((unsigned char)v[i]))
		i++;
	if (n - i < 5 || strncasecmp(v + i, "from", 4) != 0 ||
	    !rfc_iswsp((unsigned char)v[i + 4]))
		return 0;
	for (i += 4; i < n && v[i] != ';'; i += k) {
		k = 1;
		if (v[i] == '(')
			depth++;
		else if (v[i] == ')') {
			depth -= depth > 0;
			skip = 0;
		} else if (v[i] == '[') {
			const char *e = memchr(v + i, ']', n - i);

			k = e ? (size_t)(e - v - i) + 1 : n - i;
			if (!skip && e)
				candidate(&c, v + i + 1, k - 2, depth);
			skip = 0;
		} else if (!rfc_iswsp((unsigned char)v[i])) {
			k = token(v + i, n - i);
			if (depth == 0 && k == 2 &&
			    strncasecmp(v + i, "by", 2) == 0)
				break;
			if (!skip)
				candidate(&c, v + i, k, depth);
			skip = (k == 4 && v[i - 1] == '(' &&
			    strncmp(v + i, "HELO", 4) == 0) ||
			    (k == 5 && strncasecmp(v + i, "helo=", 5) == 0);
		}
	}
	if (c.have)
		*ip = c.ip;
	return c.have;
}

/*
 * Is this Received field value (folded or not) the line a trusted hop
 * wrote for a client from outside: a from-clause whose client IP is one
 * that is looked up (not ipaddr_private)?  1 with *ip set, else 0 (ip
 * family 0); never fails.  rcvd_parse() takes the first such line below
 * ours as the hop's.
 */
int
rcvd_outside(const char *v, size_t n, struct ipaddr *ip)
{
	if (rcvd_client(v, n, ip) && !ipaddr_private(ip))
		return 1;
	memset(ip, 0, sizeof(*ip));
	return 0;
}

/*
 * The date after the last ';' of a Received field value (RFC 5321
 * §4.4, rfc_date's forms): 1 with *t set, or 0.
 */
int
rcvd_date(const char *v, size_t n, time_t *t)
{
	const char	*semi = NULL;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (v[i] == ';')
			semi = v + i;
	return semi != NULL && rfc_date(semi + 1, (size_t)(v + n - semi - 1),
	    t);
}

/* ---- every line as a hop (the trace rules of heur.c) -------------- */

/* Lowercased copy of s[0..n) into dst (RFC_NAME bytes). */
static void
keep_lc(char *dst, const char *s, size_t n)
{
	size_t	i;

	(void)rfc_keep(dst, RFC_NAME, s, n);
	for (i = 0; dst[i] != '\0'; i++)
		dst[i] = (char)rfc_lc((unsigned char)dst[i]);
}

/* The rDNS name s[0..n) a receiver wrote; "" (a NUL first) is none. */
static void
set_rdns(struct rcvd_hop *h, const char *s, size_t n)
{
	keep_lc(h->rdns, s, n);
	if (h->rdns[0] != '\0')
		h->rdns_state = RCVD_RDNS_NAME;
}

/* "(qmail N invoked from network)" at v: qmail-queue's own line. */
static int
qmail_invoked(const char *v, size_t n)
{
	size_t	i = 7;

	if (n < 7 || strncmp(v, "(qmail ", 7) != 0)
		return 0;
	while (i < n && rfc_isdigit((unsigned char)v[i]))
		i++;
	return i > 7 && n - i >= 22 &&
	    strncmp(v + i, " invoked from network)", 22) == 0;
}

/* The length of the word at s (up to a blank, a parenthesis or ';'). */
static size_t
word(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n && !rfc_iswsp((unsigned char)s[i]) &&
	    strchr("();", s[i]) == NULL; i++)
		;
	return i;
}

/* Is v[i..n) a blank, the word w (any case) and a blank? */
static int
kw_at(const char *v, size_t n, size_t i, const char *w)
{
	size_t	k = strlen(w);

	return i + k + 2 <= n && rfc_iswsp((unsigned char)v[i]) &&
	    strncasecmp(v + i + 1, w, k) == 0 &&
	    rfc_iswsp((unsigned char)v[i + k + 1]);
}

/*
 * The comment right after the from-clause's first word, c[0..cn):
 * Postfix's and Sendmail's "(host [IP])", "(unknown [IP])", "([IP])",
 * "(user@host [IP] (may be forged))".  The rDNS the receiver found;
 * Exim writes "([IP])" also when the HELO was the rDNS name, or when it
 * looked nothing up: then it tells nothing.
 */
static void
comment_rdns(const char *c, size_t cn, int exim, struct rcvd_hop *h)
{
	const char	*at;
	size_t		 k = word(c, cn);

	if (cn > 0 && c[0] == '[') {
		h->rdns_state = exim ? RCVD_RDNS_NA : RCVD_RDNS_NONE;
		return;
	}
	if (k == 0 || k >= cn || c[k] != ' ' || k + 1 >= cn || c[k + 1] != '[')
		return;
	if ((at = memchr(c, '@', k)) != NULL) {
		k -= (size_t)(at + 1 - c);
		c = at + 1;
	}
	if (k == 7 && strncasecmp(c, "unknown", 7) == 0)
		h->rdns_state = RCVD_RDNS_NONE;
	else
		set_rdns(h, c, k);
}

/* n base-62 bytes at p, then the byte end. */
static int
b62_run(const char *p, size_t n, char end)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!rfc_isalpha((unsigned char)p[i]) &&
		    !rfc_isdigit((unsigned char)p[i]))
			return 0;
	return p[n] == end;
}

/*
 * Exim's message ID, which it writes as the queue ID even where the
 * administrator took "(Exim 4.96)" out of the Received line:
 * "1abcDE-0001Xy-AB" (6-6-2 base-62 bytes) before Exim 4.97,
 * "1rBAvT-00000000Ttm-2k3A" (6-11-4) since.
 */
static int
exim_id(const char *id)
{
	if (!b62_run(id, 6, '-'))
		return 0;
	if (b62_run(id + 7, 6, '-'))
		return b62_run(id + 14, 2, '\0');
	return b62_run(id + 7, 11, '-') && b62_run(id + 19, 4, '\0');
}

/*
 * The HELO and rDNS of a from-clause v[0..n) after "from ": qmail's
 * "HOST (HELO h)" (HOST "unknown" tells nothing: tcpserver -H writes it
 * too), Exim's "host ([IP] helo=h)", else the first word is the HELO
 * and the comment after it holds the rDNS (comment_rdns; Exim's by its
 * name or its queue ID, by_id's h->id).
 */
static void
from_clause(const char *v, size_t n, struct rcvd_hop *h)
{
	const char	*x = v, *c, *e, *he;
	size_t		 xn = word(v, n), i, hn;

	c = x + xn;
	while (c < v + n && rfc_iswsp((unsigned char)*c))
		c++;
	e = c < v + n && *c == '(' ? memchr(c, ')', (size_t)(v + n - c)) : NULL;
	if (e != NULL && e - c > 6 && strncmp(c, "(HELO ", 6) == 0) {
		keep_lc(h->helo, c + 6, (size_t)(e - c - 6));
		if (!(xn == 7 && strncasecmp(x, "unknown", 7) == 0))
			set_rdns(h, x, xn);
		h->smtp = 0;	/* qmail writes "with SMTP" after EHLO too */
		return;
	}
	for (i = 0; i + 5 < n && !kw_at(v, n, i, "by"); i++)
		if (strncasecmp(v + i, "helo=", 5) == 0 &&
		    (i == 0 || v[i - 1] == ' ' || v[i - 1] == '(')) {
			he = v + i + 5;
			for (hn = 0; he + hn < v + n &&
			    strchr(" )]", he[hn]) == NULL; hn++)
				;
			keep_lc(h->helo, he, hn);
			if (xn > 0 && x[0] != '[')
				set_rdns(h, x, xn);
			return;
		}
	keep_lc(h->helo, x, xn);
	if (e != NULL)
		comment_rdns(c + 1, (size_t)(e - c - 1),
		    memmem(v, n, "Exim", 4) != NULL || exim_id(h->id), h);
}

/* " with SMTP" (any case), not ESMTP...: the client said HELO. */
static int
with_smtp(const char *v, size_t n)
{
	size_t	i;

	for (i = 0; i + 10 <= n; i++)
		if (kw_at(v, n, i, "with") &&
		    strncasecmp(v + i + 6, "smtp", 4) == 0 &&
		    (i + 10 == n || !rfc_isalpha((unsigned char)v[i + 10])))
			return 1;
	return 0;
}

/* Is c a byte of a queue ID (Sendmail's, Postfix's, Exim's)? */
static int
idc(int c)
{
	return rfc_isalpha(c) || rfc_isdigit(c) || c == '.' || c == '-';
}

/*
 * The receiver after "by" and its queue ID after the first "id" behind
 * it (Sendmail "id g8PIPHC08718", Postfix "id 136B943C32", Exim
 * "id 17hrT0-0004gj-00", "id <...>" cut at its first other byte).
 */
static void
by_id(const char *v, size_t n, struct rcvd_hop *h)
{
	size_t	i, k;

	for (i = 0; i < n && !kw_at(v, n, i, "by"); i++)
		;
	if (i >= n)
		return;
	for (i += 4; i < n && rfc_iswsp((unsigned char)v[i]); i++)
		;
	keep_lc(h->by, v + i, word(v + i, n - i));
	for (; i < n && !kw_at(v, n, i, "id"); i++)
		;
	if (i >= n)
		return;
	i += 4;
	i += i < n && v[i] == '<';
	for (k = 0; i + k < n && idc((unsigned char)v[i + k]); k++)
		;
	(void)rfc_keep(h->id, sizeof(h->id), v + i, k);
}

/*
 * One Received field value v[0..n) (unfolded, rfc_unfold's output) as a
 * hop: its date (after the last ';'), qmail-queue's "invoked from
 * network" line, or a from-clause's HELO, rDNS, client IP, receiver and
 * queue ID.  Returns
 * 1 when h->from or h->qmail_net is set, else 0; h is always filled.
 */
int
rcvd_hop(const char *v, size_t n, struct rcvd_hop *h)
{
	memset(h, 0, sizeof(*h));
	h->date_ok = rcvd_date(v, n, &h->date);
	while (n > 0 && rfc_iswsp((unsigned char)*v)) {
		v++;
		n--;
	}
	if (qmail_invoked(v, n))
		return h->qmail_net = 1;
	if (n < 6 || strncasecmp(v, "from", 4) != 0 ||
	    !rfc_iswsp((unsigned char)v[4]))
		return 0;
	(void)rcvd_client(v, n, &h->ip);
	h->smtp = with_smtp(v, n);
	by_id(v, n, h);
	for (v += 5, n -= 5; n > 0 && rfc_iswsp((unsigned char)*v); v++, n--)
		;
	from_clause(v, n, h);
	return h->from = 1;
}

/* One Received field of the section: counted, kept, searched for a hop. */
static void
trace_line(struct rcvd_info *r, const char *v, size_t vn, int ours,
    unsigned *searched)
{
	if (r->nrcvd < RCVD_COUNT_MAX)
		r->nrcvd++;
	if (r->nhop < RCVD_TRACE_MAX)
		(void)rcvd_hop(v, vn, &r->hops[r->nhop++]);
	if (ours || r->hop.family != 0 || (*searched)++ >= RCVD_HOPS_MAX)
		return;
	if (rcvd_outside(v, vn, &r->hop))
		ipaddr_text(&r->hop, r->hop_text, sizeof(r->hop_text));
}

/*
 * Parse the trace lines of the header copy hdr[0..len) into r:
 * qmail-smtpd's line must be the first field; the trusted hop's line is
 * the first Received line below it (among RCVD_HOPS_MAX) that names an
 * IP from outside (loopback and private hops are the relay's own).
 * Every Received field is counted and the first RCVD_TRACE_MAX are
 * parsed as hops (rcvd_hop), ours first.  Never fails.
 */
void
rcvd_parse(const char *hdr, size_t len, struct rcvd_info *r)
{
	char		 v[RFC_FIELD];
	struct rfc_iter	 it;
	struct rfc_field f;
	unsigned	 searched = 0;
	size_t		 vn;
	int		 ours = 0;

	memset(r, 0, sizeof(*r));
	rfc_iter_init(&it, hdr, len);
	if (!rfc_next(&it, NULL, &f))
		return;
	if (rfc_field_is(&f, "Received")) {
		vn = rfc_unfold(f.val, f.vlen, v, sizeof(v));
		r->top_date_ok = rcvd_date(v, vn, &r->top_date);
		ours = rcvd_qmail(v, r);
		trace_line(r, v, vn, ours, &searched);
	}
	while (rfc_next(&it, "Received", &f)) {
		vn = rfc_unfold(f.val, f.vlen, v, sizeof(v));
		trace_line(r, v, vn, 0, &searched);
	}
}

/* HELO of qmail-smtpd's line (HOST when no HELO was written), or NULL. */
const char *
rcvd_helo(const struct rcvd_info *r)
{
	return r->ok ? r->helo : NULL;
}

/* The trusted hop's client IP as text, or NULL when unknown. */
const char *
rcvd_hop_ip(const struct rcvd_info *r)
{
	return r->hop.family != 0 ? r->hop_text : NULL;
}

/*
 * received.c - trace lines (RFC 5321 §4.4) of the header section.
 *
 * Owns: qmail-smtpd's own Received line, the first field qqtag sees
 * (FACTS.md: "from HOST [(HELO h)] ([INFO@]IP) by LOCAL with PROTO;
 * date", '?' for unsafe bytes, ESMTPA/ESMTPS), the client IP of the
 * from-clause other MTAs write (Postfix, Exim, Sendmail, Exchange,
 * qmail), the trusted hop's line (the first one below ours naming an
 * address from outside, msg.c's ipaddr_private rule) and the date after
 * a Received line's last ';'.
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

/*
 * Parse the trace lines of the header copy hdr[0..len) into r:
 * qmail-smtpd's line must be the first field; the trusted hop's line is
 * the first Received line below it (among RCVD_HOPS_MAX) that names an
 * IP from outside (loopback and private hops are the relay's own).
 * Never fails.
 */
void
rcvd_parse(const char *hdr, size_t len, struct rcvd_info *r)
{
	char		 v[RFC_FIELD];
	struct rfc_iter	 it;
	struct rfc_field f;
	unsigned	 n = 0;
	size_t		 vn;
	int		 more;

	memset(r, 0, sizeof(*r));
	rfc_iter_init(&it, hdr, len);
	if (!rfc_next(&it, NULL, &f))
		return;
	more = rfc_field_is(&f, "Received");
	if (more) {
		vn = rfc_unfold(f.val, f.vlen, v, sizeof(v));
		r->top_date_ok = rcvd_date(v, vn, &r->top_date);
		more = !rcvd_qmail(v, r);
	}
	while ((more || rfc_next(&it, "Received", &f)) &&
	    n++ < RCVD_HOPS_MAX) {
		more = 0;
		vn = rfc_unfold(f.val, f.vlen, v, sizeof(v));
		if (rcvd_outside(v, vn, &r->hop)) {
			ipaddr_text(&r->hop, r->hop_text, sizeof(r->hop_text));
			return;
		}
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

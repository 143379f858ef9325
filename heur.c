/*
 * heur.c - the header and envelope heuristics, and the client IP a
 * trusted hop's Received line names.
 *
 * Owns: the named tests of heur_tests[] (HELO, rDNS, envelope, header
 * tests) and every parser they need: qmail-smtpd's own Received line
 * (the first field qqtag sees, FACTS.md), the from-clause of other
 * MTAs' Received lines, an RFC 5322 address-list scanner with RFC 2047
 * display decoding, the RFC 5322 §3.3 date (obsolete forms included),
 * msg-id, and the name checks (fully qualified, dynamic-looking,
 * registered domain).
 *
 * All input is untrusted bytes.  Every loop is bounded by its input,
 * which is the header copy (HDR_COPY_MAX) or one unfolded field
 * (HEUR_FIELD), and every kept string by its array.  No regular
 * expressions, no allocation, nothing that can fail: malformed input is
 * evidence for a test, never an error.  False positives cost more than
 * misses, so every test errs towards silence (weights are modest, in
 * SpamAssassin's range, and named after its rules where one exists).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "envelope.h"
#include "heur.h"

enum {
	T_RCVD_NUMERIC_HELO,
	T_HELO_IP_MISMATCH,
	T_HELO_NOT_FQDN,
	T_HELO_CLAIMS_LOCAL,
	T_HELO_RDNS_MISMATCH,
	T_HELO_DYNAMIC_IPADDR,
	T_RDNS_DYNAMIC,
	T_RCPT_RELAY_PROBE,
	T_RCPT_MANY,
	T_SENDER_NO_DOMAIN,
	T_SENDER_NOT_FQDN,
	T_MISSING_FROM,
	T_FROM_MULTIPLE,
	T_FROM_UNPARSEABLE,
	T_FROM_DISPLAY_SPOOF,
	T_MISSING_DATE,
	T_INVALID_DATE,
	T_DATE_IN_FUTURE,
	T_DATE_IN_PAST,
	T_MISSING_MID,
	T_INVALID_MSGID,
	T_HEADER_8BIT,
	T_TO_UNDISCLOSED_MANY,
	T_N
};

const struct score_test heur_tests[] = {
	{ "RCVD_NUMERIC_HELO", 0.5,
	    "HELO is a bare IP address, not an [address literal]" },
	{ "HELO_IP_MISMATCH", 1.5,
	    "HELO is an IP address or literal other than the client's" },
	{ "HELO_NOT_FQDN", 1.0,
	    "HELO is not a fully qualified domain name" },
	{ "HELO_CLAIMS_LOCAL", 1.5,
	    "HELO claims to be this host (a local name or our IP)" },
	{ "HELO_RDNS_MISMATCH", 0.5,
	    "HELO's registered domain is not the client's rDNS's" },
	{ "HELO_DYNAMIC_IPADDR", 1.0,
	    "HELO name has the client's IP address in it" },
	{ "RDNS_DYNAMIC", 1.0,
	    "client's rDNS name looks dynamic or generic" },
	{ "RCPT_RELAY_PROBE", 1.5,
	    "a recipient's local part holds '%', '!' or '@'" },
	{ "RCPT_MANY", 1.0,
	    "more envelope recipients than the policy allows" },
	{ "SENDER_NO_DOMAIN", 1.5,
	    "envelope sender has no domain (bounces excepted)" },
	{ "SENDER_NOT_FQDN", 1.0,
	    "envelope sender's domain is not fully qualified" },
	{ "MISSING_FROM", 1.0, "no From: field" },
	{ "FROM_MULTIPLE", 1.0, "more than one From: field" },
	{ "FROM_UNPARSEABLE", 1.0, "From: holds no parseable address" },
	{ "FROM_DISPLAY_SPOOF", 1.0,
	    "From: display name holds an address in another domain" },
	{ "MISSING_DATE", 1.0, "no Date: field" },
	{ "INVALID_DATE", 1.0, "Date: is not an RFC 5322 date" },
	{ "DATE_IN_FUTURE", 1.0, "Date: is too far in the future" },
	{ "DATE_IN_PAST", 1.0, "Date: is too far in the past" },
	{ "MISSING_MID", 0.5, "no Message-ID: field" },
	{ "INVALID_MSGID", 0.5, "Message-ID: is not one <left@right>" },
	{ "HEADER_8BIT", 0.3, "raw 8-bit bytes in the header section" },
	{ "TO_UNDISCLOSED_MANY", 1.0,
	    "no visible To:/Cc: address, yet many envelope recipients" },
};

const size_t heur_ntests = sizeof(heur_tests) / sizeof(heur_tests[0]);

/* ---- bytes --------------------------------------------------------- */

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int
isalph(int c)
{
	c = lc(c);
	return c >= 'a' && c <= 'z';
}

static int
iswsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Keep s[0..n) as a C string in dst, cut to fit; 1 when it was cut. */
static int
keep(char *dst, size_t cap, const char *s, size_t n)
{
	int	cut = n >= cap;

	if (cut)
		n = cap - 1;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
	return cut;
}

/* Lowercased copy without one trailing dot; 1 when it was cut. */
static int
keep_lower(char *dst, size_t cap, const char *s, size_t n)
{
	size_t	i;
	int	cut;

	if (n > 0 && s[n - 1] == '.')
		n--;
	cut = keep(dst, cap, s, n);
	for (i = 0; dst[i] != '\0'; i++)
		dst[i] = (char)lc((unsigned char)dst[i]);
	return cut;
}

/* ---- IP addresses -------------------------------------------------- */

struct ip {
	int		fam;		/* 4 or 6 */
	unsigned char	a[16];		/* IPv4 in a[0..3] */
};

/* IP text (optionally "IPv6:"-prefixed); ::ffff:a.b.c.d is IPv4. */
static int
ip_parse(const char *s, size_t n, struct ip *ip)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	char	t[HEUR_IP];

	if (n >= 5 && strncasecmp(s, "IPv6:", 5) == 0) {
		s += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof(t))
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, t, ip->a) == 1) {
		ip->fam = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, t, ip->a) != 1)
		return -1;
	ip->fam = 6;
	if (memcmp(ip->a, mapped, 12) == 0) {
		memmove(ip->a, ip->a + 12, 4);
		memset(ip->a + 4, 0, 12);
		ip->fam = 4;
	}
	return 0;
}

static int
ip_parses(const char *s, struct ip *ip)
{
	return s == NULL ? -1 : ip_parse(s, strlen(s), ip);
}

static void
ip_text(const struct ip *ip, char *dst, size_t cap)
{
	if (inet_ntop(ip->fam == 4 ? AF_INET : AF_INET6, ip->a, dst,
	    (socklen_t)cap) == NULL)
		dst[0] = '\0';
}

static int
ip_eq(const struct ip *x, const struct ip *y)
{
	return x->fam == y->fam && memcmp(x->a, y->a, 16) == 0;
}

/* Loopback, private, shared, link-local, ULA or unspecified. */
static int
ip_internal(const struct ip *ip)
{
	const unsigned char *a = ip->a;
	static const unsigned char zero[16];

	if (ip->fam == 4)
		return a[0] == 0 || a[0] == 127 || a[0] == 10 ||
		    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168) ||
		    (a[0] == 169 && a[1] == 254) ||
		    (a[0] == 100 && (a[1] & 0xc0) == 64);
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return 1;
	return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* ---- fields -------------------------------------------------------- */

struct field {
	const char	*name;
	size_t		 nlen;
	const char	*val;
	size_t		 vlen;
};

static const char *
line_end(const char *p, const char *end)
{
	const char	*nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

static int
isnamec(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ':';
}

/*
 * The next field at *pp: 1 with f filled, 0 at the empty line or the end.
 * A line that is no field is skipped with its continuation lines; a name
 * may be followed by blanks before its colon (RFC 5322 §4.5 obs-fws).
 */
static int
next_field(const char **pp, const char *end, struct field *f)
{
	const char	*p = *pp, *e, *q;
	size_t		 nlen;

	while (p < end && *p != '\n') {
		e = line_end(p, end);
		while (e < end && (*e == ' ' || *e == '\t'))
			e = line_end(e, end);
		for (q = p; q < e && isnamec((unsigned char)*q); q++)
			;
		nlen = (size_t)(q - p);
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (nlen > 0 && q < e && *q == ':') {
			f->name = p;
			f->nlen = nlen;
			f->val = q + 1;
			f->vlen = (size_t)(e - q - 1);
			*pp = e;
			return 1;
		}
		p = e;
	}
	*pp = p;
	return 0;
}

static int
name_is(const struct field *f, const char *name)
{
	return strlen(name) == f->nlen &&
	    strncasecmp(f->name, name, f->nlen) == 0;
}

/*
 * Unfold a field value into dst (RFC 5322 §2.2.3): line ends go, CR and
 * NUL become blanks, leading and trailing blanks are trimmed.  Cut at
 * cap - 1 bytes.  Returns the length.
 */
static size_t
unfold(const char *v, size_t n, char *dst, size_t cap)
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

/* ---- names --------------------------------------------------------- */

/* Second-level labels under which ccTLDs register names (co.uk ...). */
static const char *const sld_short[] = {
	"ac", "co", "com", "edu", "gen", "go", "gob", "gov", "ltd", "mil",
	"ne", "net", "nic", "nom", "or", "org", "plc", "sch", NULL
};

static int
in_list(const char *const *l, const char *s, size_t n)
{
	for (; *l != NULL; l++)
		if (strlen(*l) == n && strncasecmp(*l, s, n) == 0)
			return 1;
	return 0;
}

/*
 * The registered domain of a name (no trailing dot): the last two
 * labels, or the last three when the last is a two-letter ccTLD and the
 * second-to-last one of sld_short (example.co.uk).  An approximation of
 * the Public Suffix List that needs no data file: it errs towards "same
 * domain", which keeps the tests that use it quiet.
 */
const char *
heur_regdom(const char *name)
{
	const char	*d[3] = { NULL, NULL, NULL };
	const char	*p;
	size_t		 n = strlen(name), k = 0;

	for (p = name + n; p > name && k < 3; p--)
		if (p[-1] == '.')
			d[k++] = p - 1;
	if (d[1] == NULL)
		return name;
	if (name + n - d[0] - 1 == 2 &&
	    in_list(sld_short, d[1] + 1, (size_t)(d[0] - d[1] - 1)))
		return d[2] != NULL ? d[2] + 1 : name;
	return d[1] + 1;
}

/* Compare two names case-insensitively, ignoring one trailing dot. */
static int
name_eq(const char *a, const char *b)
{
	size_t	na = strlen(a), nb = strlen(b);

	if (na > 0 && a[na - 1] == '.')
		na--;
	if (nb > 0 && b[nb - 1] == '.')
		nb--;
	return na == nb && na > 0 && strncasecmp(a, b, na) == 0;
}

/* Same registered domain (heur_regdom), case and trailing dot aside. */
static int
regdom_eq(const char *a, const char *b)
{
	char	x[HEUR_NAME], y[HEUR_NAME];

	keep_lower(x, sizeof(x), a, strlen(a));
	keep_lower(y, sizeof(y), b, strlen(b));
	return strcmp(heur_regdom(x), heur_regdom(y)) == 0;
}

/*
 * A fully qualified host name: two or more labels of letters, digits,
 * '-' or '_' (1..63 bytes, 253 in all), a top label that is not all
 * digits, and not localhost or *.localdomain (RFC 1123 §2.1, RFC 2606).
 */
static int
fqdn(const char *s)
{
	size_t	n = strlen(s), i, lab = 0, nlab = 0, last = 0;
	int	alpha = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)s[i] : '.';

		if (c == '.') {
			if (lab == 0 || lab > 63)
				return 0;
			nlab++;
			last = i - lab;
			lab = 0;
			alpha = 0;
			continue;
		}
		if (!isalph(c) && !isdig(c) && c != '-' && c != '_')
			return 0;
		lab++;
	}
	for (i = last; i < n; i++)
		alpha |= isalph((unsigned char)s[i]);
	if (nlab < 2 || !alpha)
		return 0;
	if (n - last == 11 && strncasecmp(s + last, "localdomain", 11) == 0)
		return 0;
	return !(n - last == 9 && strncasecmp(s + last, "localhost", 9) == 0);
}

/* Iterating the alphabetic runs ("words") of s[0..n). */
struct words {
	const char	*s;
	size_t		 n, i;
};

static int
next_word(struct words *w, const char **run, size_t *len)
{
	while (w->i < w->n && !isalph((unsigned char)w->s[w->i]))
		w->i++;
	if (w->i == w->n)
		return 0;
	*run = w->s + w->i;
	while (w->i < w->n && isalph((unsigned char)w->s[w->i]))
		w->i++;
	*len = (size_t)(w->s + w->i - *run);
	return 1;
}

/*
 * Words that make a name look like a mail server or a fixed line: any
 * word below the registered domain starting with one of these exempts
 * the name from RDNS_DYNAMIC (wider than "the leftmost label": providers
 * write both static-192-0-2-7.isp.example and 192-0-2-7.static.isp.example,
 * and big senders 66-220-155-1.mail-out.example).
 */
static const char *const not_dynamic[] = {
	"static", "mail", "smtp", "mx", "mta", "relay", "outbound", NULL
};

/* Words of dynamic or generic access pools (SpamAssassin RDNS_DYNAMIC). */
static const char *const dynamic_words[] = {
	"adsl", "bb", "broadband", "cable", "client", "clients", "cpe",
	"cust", "customer", "dhcp", "dial", "dialin", "dialup", "dsl", "dyn",
	"dynamic", "dynip", "fios", "ftth", "home", "mobile", "nat", "pool",
	"ppp", "pppoe", "res", "resnet", "residential", "sdsl", "user",
	"users", "vdsl", "wifi", "wireless", "xdsl", NULL
};

static int
exempt(const char *s, size_t n)
{
	struct words		 w = { s, n, 0 };
	const char		*r;
	const char *const	*l;
	size_t			 len;

	while (next_word(&w, &r, &len))
		for (l = not_dynamic; *l != NULL; l++)
			if (len >= strlen(*l) &&
			    strncmp(r, *l, strlen(*l)) == 0)
				return 1;
	return 0;
}

/* A dynamic-pool word; "host" and "ip" count only with digits after. */
static int
dyn_word(const char *s, size_t n)
{
	struct words	 w = { s, n, 0 };
	const char	*r, *a;
	size_t		 len;

	for (a = s; a < s + n && !isdig((unsigned char)*a); a++)
		;
	if (a == s + n)
		return 0;
	while (next_word(&w, &r, &len)) {
		if (in_list(dynamic_words, r, len))
			return 1;
		a = r + len;
		if (a < s + n && *a == '-')
			a++;
		if (((len == 4 && strncmp(r, "host", 4) == 0) ||
		    (len == 2 && strncmp(r, "ip", 2) == 0)) &&
		    a < s + n && isdig((unsigned char)*a))
			return 1;
	}
	return 0;
}

#define HEUR_RUNS	64	/* digit runs of one name looked at */

struct run_d {
	size_t		off, len;
	unsigned	val;
};

/* Four digit runs with one separator each, in order or reversed. */
static int
octets_at(const char *s, const struct run_d *r, const unsigned char *q)
{
	int	k, fwd = 1, rev = 1;

	for (k = 0; k < 4; k++) {
		if (r[k].len > 3)
			return 0;
		if (k < 3 && (r[k + 1].off != r[k].off + r[k].len + 1 ||
		    strchr(".-_", s[r[k].off + r[k].len]) == NULL))
			return 0;
		fwd &= r[k].val == q[k];
		rev &= r[k].val == q[3 - k];
	}
	return fwd || rev;
}

/*
 * The IPv4 address q in s[0..n): dotted or dashed decimal (in order or
 * reversed, zero-padded or not), twelve zero-padded digits, or eight hex
 * digits.
 */
static int
embedded(const char *s, size_t n, const unsigned char *q)
{
	struct run_d	r[HEUR_RUNS];
	char		pad[2][16], hex[16];
	size_t		nr = 0, i, k;

	for (i = 0; i < n && nr < HEUR_RUNS; ) {
		if (!isdig((unsigned char)s[i])) {
			i++;
			continue;
		}
		r[nr].off = i;
		r[nr].val = 0;
		for (k = i; k < n && isdig((unsigned char)s[k]); k++)
			if (k - i < 4)
				r[nr].val = r[nr].val * 10 +
				    (unsigned)(s[k] - '0');
		r[nr].len = k - i;
		nr++;
		i = k;
	}
	snprintf(pad[0], sizeof(pad[0]), "%03u%03u%03u%03u", q[0], q[1], q[2],
	    q[3]);
	snprintf(pad[1], sizeof(pad[1]), "%03u%03u%03u%03u", q[3], q[2], q[1],
	    q[0]);
	snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", q[0], q[1], q[2], q[3]);
	for (i = 0; i < nr; i++) {
		if (i + 3 < nr && octets_at(s, r + i, q))
			return 1;
		if (r[i].len == 12 && (memcmp(s + r[i].off, pad[0], 12) == 0 ||
		    memcmp(s + r[i].off, pad[1], 12) == 0))
			return 1;
	}
	return memmem(s, n, hex, 8) != NULL;
}

/*
 * Does a host name look dynamic or generic?  Only the labels below its
 * registered domain count, and none of them may carry a not_dynamic
 * word.  Returns 1 when the IPv4 address ip is embedded in it, 2 for a
 * dynamic-pool word (when words is set; it needs a digit nearby too),
 * else 0.  A NULL, IPv6 or unparseable ip skips the embedding check.
 */
int
heur_dynamic(const char *name, const char *ip, int words)
{
	char		low[HEUR_NAME];
	struct ip	q;
	size_t		n;

	if (name == NULL || keep_lower(low, sizeof(low), name, strlen(name)))
		return 0;
	n = (size_t)(heur_regdom(low) - low);
	if (n == 0 || exempt(low, n))
		return 0;
	if (ip_parses(ip, &q) == 0 && q.fam == 4 && embedded(low, n, q.a))
		return 1;
	return words && dyn_word(low, n) ? 2 : 0;
}

/* ---- Received lines ------------------------------------------------ */

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

/* "( [INFO@]IP )" of qmail's line: the IP after the last '@'. */
static int
qmail_ip(struct heur_msg *m, const char *p, const char *e)
{
	const char	*at;
	struct ip	 ip;
	size_t		 n;

	for (at = e; at > p && at[-1] != '@'; at--)
		;
	n = (size_t)(e - at);
	unwrap(&at, &n);
	if (ip_parse(at, n, &ip) == -1)
		return -1;
	ip_text(&ip, m->rcvd_ip, sizeof(m->rcvd_ip));
	return 0;
}

/*
 * qmail-smtpd's own line, unfolded: "from HOST [(HELO h) ](INFO@IP) by
 * LOCAL with PROTO; date".  HOST, HELO and INFO went through safeput(),
 * so they hold no blank and no parenthesis.  No "(HELO h)" means the
 * HELO was HOST (case-insensitively).
 */
static void
parse_qmail(struct heur_msg *m, const char *v)
{
	const char	*p = v, *h, *e;
	size_t		 hn;

	if (strncmp(p, "from ", 5) != 0)
		return;
	for (h = p += 5; *p != '\0' && *p != ' '; p++)
		;
	hn = (size_t)(p - h);
	if (*p++ != ' ')
		return;
	if (strncmp(p, "(HELO ", 6) == 0) {
		if ((e = strchr(p += 6, ')')) == NULL || e[1] != ' ')
			return;
		m->helo_long = keep(m->helo, sizeof(m->helo), p,
		    (size_t)(e - p));
		m->rcvd_helo = 1;
		p = e + 2;
	}
	if (*p != '(' || (e = strchr(p, ')')) == NULL ||
	    qmail_ip(m, p + 1, e) == -1)
		return;
	for (p = e + 1; *p == ' ' || *p == '\t'; p++)
		;
	if (strncmp(p, "by ", 3) != 0)
		return;
	keep(m->host, sizeof(m->host), h, hn);
	if (!m->rcvd_helo)
		m->helo_long = keep(m->helo, sizeof(m->helo), h, hn);
	if ((p = strstr(p, " with ")) != NULL)
		m->rcvd_auth = strncmp(p + 6, "ESMTPA", 6) == 0 ||
		    strncmp(p + 6, "ESMTPSA", 7) == 0;
	m->rcvd_ok = 1;
}

/* One IP candidate of a from-clause; keep the one that wins. */
struct cand {
	struct ip	ip;
	int		have;		/* one was found */
	int		inner;		/* inside parentheses */
};

static void
candidate(struct cand *c, const char *s, size_t n, int depth)
{
	const char	*at;
	struct ip	 ip;

	for (at = s + n; at > s && at[-1] != '@'; at--)
		;
	n -= (size_t)(at - s);
	unwrap(&at, &n);
	/* the first one inside parentheses wins, else the last outside */
	if (c->inner || ip_parse(at, n, &ip) == -1)
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

	for (i = 0; i < n && s[i] != '\0' && !iswsp((unsigned char)s[i]) &&
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
 * taken.  The first
 * IP inside parentheses wins, else the last one outside.  Returns 1 with
 * the canonical text in out, 0 when the line has no from-clause or no IP.
 */
int
heur_received_ip(const char *v, size_t n, char *out, size_t cap)
{
	struct cand	 c;
	size_t		 i = 0, k;
	int		 depth = 0, skip = 0;

	memset(&c, 0, sizeof(c));
	while (i < n && iswsp((unsigned char)v[i]))
		i++;
	if (n - i < 5 || strncasecmp(v + i, "from", 4) != 0 ||
	    !iswsp((unsigned char)v[i + 4]))
		return 0;
	for (i += 4; i < n && v[i] != ';'; i += k) {
		k = 1;
		if (v[i] == '(')
			depth++;
		else if (v[i] == ')') {
			depth -= depth > 0;
			skip = 0;
		}
		else if (v[i] == '[') {
			const char *e = memchr(v + i, ']', n - i);

			k = e ? (size_t)(e - v - i) + 1 : n - i;
			if (!skip && e)
				candidate(&c, v + i + 1, k - 2, depth);
			skip = 0;
		} else if (!iswsp((unsigned char)v[i])) {
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
	if (!c.have)
		return 0;
	ip_text(&c.ip, out, cap);
	return out[0] != '\0';
}

/* The outside client IP a Received value names into out: 1, or 0. */
static int
outside_ip(const char *v, size_t n, char *out, size_t cap)
{
	char		t[HEUR_IP];
	struct ip	ip;

	if (!heur_received_ip(v, n, t, sizeof(t)) ||
	    ip_parses(t, &ip) == -1 || ip_internal(&ip))
		return 0;
	keep(out, cap, t, strlen(t));
	return 1;
}

/*
 * Is this Received field value (folded or not) the line a trusted hop
 * wrote for a client from outside: a from-clause whose client IP is
 * not loopback, private, shared, link-local, ULA or unspecified?  1 or
 * 0; never fails.
 * heur_parse() takes the first such line below ours as the hop's.
 */
int
heur_hop_line(const char *v, size_t n)
{
	char	t[HEUR_IP];

	return outside_ip(v, n, t, sizeof(t));
}

/* A Received line below ours: is it the trusted hop's, from outside? */
static int
hop(struct heur_msg *m, const char *v, size_t n)
{
	return outside_ip(v, n, m->hop_ip, sizeof(m->hop_ip));
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

static int
hexval(int c)
{
	c = lc(c);
	if (isdig(c))
		return c - '0';
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int
b64val(int c)
{
	if (isalph(c))
		return c >= 'a' ? c - 'a' + 26 : c - 'A';
	if (isdig(c))
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
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
			if (s[i] == '=' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			    hexval(s[i + 2]) >= 0) {
				dst[o++] = (char)(hexval(s[i + 1]) * 16 +
				    hexval(s[i + 2]));
				i += 2;
			} else
				dst[o++] = s[i] == '_' ? ' ' : s[i];
		} else if ((v = b64val((unsigned char)s[i])) >= 0) {
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
	*enc = lc((unsigned char)q1[1]);
	*txt = q1 + 3;
	if ((*enc != 'q' && *enc != 'b') ||
	    (e = memchr(*txt, '?', (size_t)(s + lim - *txt))) == NULL ||
	    e + 1 >= s + lim || e[1] != '=')
		return 0;
	*tn = (size_t)(e - *txt);
	return (size_t)(e + 2 - s);
}

/*
 * Decode RFC 2047 encoded words in s[0..n) into dst (a C string): blank
 * runs become one space, and go between two encoded words (§6.2); the
 * charset is ignored, only ASCII matters to the tests.
 */
static void
decode2047(const char *s, size_t n, char *dst, size_t cap)
{
	const char	*txt;
	size_t		 i = 0, o = 0, k, w, tn;
	int		 enc, prev = 0, ew;

	while (i < n && o + 1 < cap) {
		if (iswsp((unsigned char)s[i])) {
			i++;
			continue;
		}
		for (k = i; k < n && !iswsp((unsigned char)s[k]); k++)
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
	char	t[HEUR_DISPLAY * 4];
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
	decode2047(t, o, dst, cap);
}

static int
atext(int c)
{
	return isalph(c) || isdig(c) || c >= 0x80 ||
	    (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Copy an addr-spec without its CFWS; -1 when words meet without a dot. */
static int
addr_clean(const char *s, size_t n, char *c, size_t cap)
{
	size_t	i = 0, j, o = 0;
	int	sp = 0;

	while (i < n) {
		if (s[i] == '(' || iswsp((unsigned char)s[i])) {
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

/* A domain: dot-atom of letters, digits, '-', '_' (or 8-bit), or [..]. */
static int
domain_ok(const char *d, size_t n)
{
	size_t	i;

	if (n > 0 && d[0] == '[')
		return n >= 2 && d[n - 1] == ']';
	if (n > 0 && d[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || d[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.' ? d[i + 1] == '.' : !(isalph(c) || isdig(c) ||
		    c == '-' || c == '_' || c >= 0x80))
			return 0;
	}
	return 1;
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
 * cleaned into c.  Returns the offset of the '@' before the domain, or
 * -1 when it is not one.
 */
static int
addr_spec(const char *s, size_t n, char *c, size_t cap)
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
	    !domain_ok(c + at + 1, len - at - 1))
		return -1;
	return (int)at;
}

struct alist {
	unsigned	nbox;		/* mailboxes */
	unsigned	nbad;		/* items that are no mailbox */
	char		addr[HEUR_ADDR];
	char		domain[HEUR_NAME];
	char		display[HEUR_DISPLAY];
};

/* Anything but blanks and comments in s[0..n)? */
static int
has_text(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] == '(')
			i = skip_q(s, i, n) - 1;
		else if (!iswsp((unsigned char)s[i]))
			return 1;
	return 0;
}

/* One mailbox: name-addr ("display <addr>") or addr-spec ("addr (c)"). */
static void
mailbox(const char *s, size_t n, struct alist *a)
{
	char	c[HEUR_ADDR];
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
	    (at = addr_spec(s + b, e - b, c, sizeof(c))) == -1) {
		a->nbad++;
		return;
	}
	if (a->nbox++ > 0)
		return;
	keep(a->addr, sizeof(a->addr), c, strlen(c));
	keep_lower(a->domain, sizeof(a->domain), c + at + 1,
	    strlen(c + at + 1));
	if (lt < n)
		phrase(s, lt, 0, a->display, sizeof(a->display));
	else
		phrase(s, n, 1, a->display, sizeof(a->display));
}

/*
 * Scan an address-list (RFC 5322 §3.4): mailboxes separated by commas,
 * groups "name: mailbox, ...;" (their members count), quoted strings,
 * comments and literals skipped as units.  Bounded by n.
 */
static void
alist_scan(const char *s, size_t n, struct alist *a)
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

/* A lowercase domain name: two or more LDH labels, an alphabetic TLD. */
static int
dom_like(const char *s, size_t n)
{
	size_t	i, lab = 0, nlab = 0, tld = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (lab == 0 || lab > 63)
				return 0;
			nlab++;
			tld = i - lab;
			lab = 0;
		} else if (isalph((unsigned char)s[i]) ||
		    isdig((unsigned char)s[i]) || s[i] == '-' || s[i] == '_')
			lab++;
		else
			return 0;
	}
	for (i = tld; i < n; i++)
		if (!isalph((unsigned char)s[i]))
			return 0;
	return nlab >= 2 && n - tld >= 2;
}

/* Bytes of an address-looking run in a display name. */
static int
runc(int c)
{
	return isalph(c) || isdig(c) || (c != 0 && strchr(".-_@+%", c));
}

/*
 * Is run (lowercase, NUL-terminated) an address "local@domain.tld"?
 * Punctuation around it ("<a@b.example>.") is not part of it.  Returns
 * the domain, or NULL.
 */
static const char *
run_addr(char *run)
{
	char	*at, *b = run;
	size_t	 e = strlen(run);

	while (e > 0 && strchr(".-", run[e - 1]) != NULL)
		run[--e] = '\0';
	while (*b != '\0' && strchr(".-", *b) != NULL)
		b++;
	if ((at = strrchr(b, '@')) == NULL || at == b ||
	    !(isalph((unsigned char)at[-1]) || isdig((unsigned char)at[-1])) ||
	    !dom_like(at + 1, strlen(at + 1)))
		return NULL;
	return at + 1;
}

/* Does the word "via" follow d[i..]?  A list's DMARC rewrite of From. */
static int
via_after(const char *d, size_t i)
{
	size_t	n = strlen(d);

	for (; i + 5 <= n; i++)
		if (d[i] == ' ' && strncasecmp(d + i + 1, "via", 3) == 0 &&
		    (d[i + 4] == ' ' || d[i + 4] == '\0'))
			return 1;
	return 0;
}

/*
 * Does the From display name hold an address (RFC 2047 words decoded
 * first) whose registered domain is not the real address's?  A name
 * that mentions a site ("Comics.com", "CNET News.com"), the address
 * itself, an address in the same registered domain, "user at
 * example.com" and a list's "a@b.example via List" rewrite are fine.
 * which: that address's domain.
 */
static int
display_spoof(const struct heur_msg *m, char *which, size_t cap)
{
	const char	*d = m->from_display, *mine, *dom;
	char		 run[HEUR_NAME];
	size_t		 n = strlen(d), i = 0, j;

	if (m->from_domain[0] == '[' || m->from_domain[0] == '\0')
		return 0;
	mine = heur_regdom(m->from_domain);
	for (; i < n; i = j + 1) {
		for (j = i; j < n && runc((unsigned char)d[j]); j++)
			;
		if (j == i || memchr(d + i, '@', j - i) == NULL ||
		    keep_lower(run, sizeof(run), d + i, j - i) ||
		    (dom = run_addr(run)) == NULL ||
		    strcmp(heur_regdom(dom), mine) == 0)
			continue;
		if (via_after(d, j))
			return 0;
		keep(which, cap, dom, strlen(dom));
		return 1;
	}
	return 0;
}

/* ---- dates (RFC 5322 §3.3, §4.3) ----------------------------------- */

#define HEUR_DATE_LEN	200	/* a longer Date value is junk */
#define HEUR_DATE_TOKS	8

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

	for (n = 0; isdig((unsigned char)s[n]); n++)
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
#define HEUR_ZONE_MAX	1400
static int
zone_of(const char *s, long *off)
{
	unsigned long	v;
	size_t		i;

	if ((s[0] == '+' || s[0] == '-') && digits(s + 1, 4, 4, &v) == 0) {
		if (v > HEUR_ZONE_MAX || v % 100 > 59)
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
	return isalph((unsigned char)s[0]) && s[1] == '\0' &&
	    lc((unsigned char)s[0]) != 'j' ? 0 : -1;
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
		while (*s != '\0' && (iswsp((unsigned char)*s) || *s == ','))
			s++;
		if (*s == '\0')
			return n;
		if (n == HEUR_DATE_TOKS)
			return n + 1;
		tok[n++] = s;
		while (*s != '\0' && !iswsp((unsigned char)*s) && *s != ',')
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
heur_date(const char *s, size_t n, time_t *t)
{
	char		 b[HEUR_DATE_LEN + 1], *tok[HEUR_DATE_TOKS];
	size_t		 i, o = 0, nt, k = 0;
	unsigned long	 day, year;
	long		 secs, off;
	int		 mon, closed;

	for (i = 0; i < n && o < HEUR_DATE_LEN; i++)
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
	if ((nt = date_tokens(b, tok)) < 5 || nt > HEUR_DATE_TOKS)
		return 0;
	if (isalph((unsigned char)tok[0][0]) &&
	    name_index(day_names, tok[k++]) == -1)
		return 0;
	if (nt - k < 5 || digits(tok[k++], 1, 2, &day) == -1 ||
	    (mon = name_index(month_names, tok[k++])) == -1 ||
	    year_of(tok[k++], &year) == -1 ||
	    clock_of(tok[k++], &secs) == -1 || zone_of(tok[k++], &off) == -1)
		return 0;
	if (k < nt) {		/* "+0200 CEST": a name after a number */
		for (i = 0; isalph((unsigned char)tok[k][i]); i++)
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
 */
static int
msgid_ok(const char *v, size_t n)
{
	size_t	i = 0, e = n, lt, at = 0;

	for (;;) {
		while (i < e && iswsp((unsigned char)v[i]))
			i++;
		if (i < e && v[i] == '(')
			i = skip_q(v, i, e);
		else
			break;
	}
	while (e > i && iswsp((unsigned char)v[e - 1]))
		e--;
	while (e > i && v[e - 1] == ')') {	/* a trailing comment */
		size_t c = i;

		while (c < e && v[c] != '(')
			c = v[c] == '"' ? skip_q(v, c, e) : c + 1;
		if (c >= e)
			return 0;
		for (e = c; e > i && iswsp((unsigned char)v[e - 1]); e--)
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

/* Date after the last ';' of a Received line (RFC 5321 §4.4). */
static void
received_date(struct heur_msg *m, const char *v, size_t n)
{
	const char	*semi = NULL;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (v[i] == ';')
			semi = v + i;
	if (semi != NULL)
		m->top_date_ok = heur_date(semi + 1,
		    (size_t)(v + n - semi - 1), &m->top_date);
}

/* The From: field's facts. */
static void
parse_from(struct heur_msg *m, const char *v, size_t n)
{
	struct alist	a;

	alist_scan(v, n, &a);
	m->from_ok = a.nbox > 0 && a.nbad == 0;
	if (a.nbox == 0)
		return;
	keep(m->from_addr, sizeof(m->from_addr), a.addr, strlen(a.addr));
	keep(m->from_domain, sizeof(m->from_domain), a.domain,
	    strlen(a.domain));
	keep(m->from_display, sizeof(m->from_display), a.display,
	    strlen(a.display));
}

/* One field of interest, unfolded into v (n bytes). */
static void
field(struct heur_msg *m, const struct field *f, char *v, size_t n,
    unsigned *nrcvd)
{
	struct alist	a;

	if (name_is(f, "Received")) {
		if (!m->hop_ip[0] && *nrcvd < HEUR_RCVD_MAX) {
			(*nrcvd)++;
			hop(m, v, n);
		}
	} else if (name_is(f, "From")) {
		if (m->nfrom++ == 0)
			parse_from(m, v, n);
	} else if (name_is(f, "Date")) {
		if (m->ndate++ == 0)
			m->date_ok = heur_date(v, n, &m->date);
	} else if (name_is(f, "Message-ID")) {
		m->mid_ok = m->nmid++ == 0 && msgid_ok(v, n);
	} else if (name_is(f, "To") || name_is(f, "Cc")) {
		m->nto += name_is(f, "To");
		alist_scan(v, n, &a);
		m->nvisible += a.nbox;
	}
}

static int
wanted(const struct field *f)
{
	return name_is(f, "Received") || name_is(f, "From") ||
	    name_is(f, "Date") || name_is(f, "Message-ID") ||
	    name_is(f, "To") || name_is(f, "Cc");
}

/*
 * Parse the header copy: qmail-smtpd's line must be the first field; the
 * trusted hop's line is the first Received line below it that names an
 * IP from outside (loopback and private hops are the relay's own).
 */
void
heur_parse(const char *hdr, size_t len, int cut, struct heur_msg *m)
{
	char		 v[HEUR_FIELD];
	const char	*p = hdr, *end = hdr + len;
	struct field	 f;
	unsigned	 nrcvd = 0;
	size_t		 n;
	int		 first = 1;

	memset(m, 0, sizeof(*m));
	m->cut = cut;
	m->eightbit = has8bit(hdr, len);
	while (next_field(&p, end, &f)) {
		if (!wanted(&f)) {
			first = 0;
			continue;
		}
		n = unfold(f.val, f.vlen, v, sizeof(v));
		if (first && name_is(&f, "Received")) {
			received_date(m, v, n);
			parse_qmail(m, v);
		}
		if (!(first && m->rcvd_ok))
			field(m, &f, v, n, &nrcvd);
		first = 0;
	}
}

/* ---- the tests ----------------------------------------------------- */

struct run {
	struct heur_hit	*hit;
	size_t		 max, n;
};

static void
fire(struct run *r, int t, const char *what, const char *detail)
{
	struct heur_hit	*h;
	size_t		 n;

	if (r->n >= r->max)
		return;
	h = &r->hit[r->n++];
	h->test = &heur_tests[t];
	keep(h->detail, sizeof(h->detail), what, strlen(what));
	n = strlen(h->detail);
	if (detail != NULL)
		keep(h->detail + n, sizeof(h->detail) - n, detail,
		    strlen(detail));
}

/* HELO as an IP: bare, [literal], qmail 1.03's ?literal?, IPv6: form. */
static int
helo_ip(const char *helo, struct ip *ip, int *literal)
{
	const char	*s = helo;
	size_t		 n = strlen(helo);

	*literal = n >= 2 && ((s[0] == '[' && s[n - 1] == ']') ||
	    (s[0] == '?' && s[n - 1] == '?'));
	if (*literal) {
		s++;
		n -= 2;
	}
	return ip_parse(s, n, ip) == 0;
}

/* Is HELO one of our names?  nlocal 0: the list ends at a NULL. */
static int
claims_local(const char *helo, const struct heur_ctx *c)
{
	size_t	i;

	for (i = 0; c->local != NULL && (c->nlocal == 0 || i < c->nlocal) &&
	    c->local[i] != NULL; i++)
		if (name_eq(helo, c->local[i]))
			return 1;
	return 0;
}

/* The HELO tests, on qmail-smtpd's line; not for an authenticated client. */
static void
run_helo(const struct heur_msg *m, const struct heur_ctx *c, struct run *r)
{
	struct ip	hip, cip, lip;
	int		literal, client, local;

	if (!m->rcvd_ok || m->rcvd_auth)
		return;
	client = ip_parses(c->ip, &cip) == 0;
	local = ip_parses(c->localip, &lip) == 0;
	if (helo_ip(m->helo, &hip, &literal)) {
		if (!literal)
			fire(r, T_RCVD_NUMERIC_HELO, "HELO ", m->helo);
		if (local && ip_eq(&hip, &lip) &&
		    !(client && ip_eq(&cip, &lip)))
			fire(r, T_HELO_CLAIMS_LOCAL, "HELO ", m->helo);
		else if (client && !ip_eq(&hip, &cip))
			fire(r, T_HELO_IP_MISMATCH, "HELO ", m->helo);
		return;
	}
	if (claims_local(m->helo, c)) {
		fire(r, T_HELO_CLAIMS_LOCAL, "HELO ", m->helo);
		return;
	}
	if (m->helo_long || !fqdn(m->helo)) {
		fire(r, T_HELO_NOT_FQDN, "HELO ", m->helo);
		return;
	}
	if (client && heur_dynamic(m->helo, c->ip, 0) == 1)
		fire(r, T_HELO_DYNAMIC_IPADDR, "HELO ", m->helo);
	if (c->rdns != NULL && fqdn(c->rdns) && !regdom_eq(m->helo, c->rdns))
		fire(r, T_HELO_RDNS_MISMATCH, "HELO ", m->helo);
}

/* RDNS_DYNAMIC on the confirmed name, else the PTR name. */
static void
run_rdns(const struct heur_msg *m, const struct heur_ctx *c, struct run *r)
{
	const char	*name;

	name = c->rdns != NULL && c->rdns[0] != '\0' ? c->rdns : c->ptr;
	if (m->rcvd_auth || name == NULL || name[0] == '\0')
		return;
	if (heur_dynamic(name, c->ip, 1))
		fire(r, T_RDNS_DYNAMIC, "rDNS ", name);
}

/*
 * A recipient whose local part routes on: '%', '!' or a second '@'
 * (source routing, RFC 5321 §3.6.1 and appendix C).  qmail-smtpd takes
 * the quotes off a quoted local part, so "a@b"@c arrives as a@b@c and
 * counts too.
 */
static const char *
relay_probe(const struct env *e)
{
	const char	*a, *at;
	size_t		 n;

	for (a = env_rcpt_next(e, NULL); a != NULL; a = env_rcpt_next(e, a)) {
		at = strrchr(a, '@');
		n = at ? (size_t)(at - a) : strlen(a);
		if (memchr(a, '%', n) || memchr(a, '!', n) || memchr(a, '@', n))
			return a;
	}
	return NULL;
}

/*
 * The envelope tests.  The null sender and qmail's double-bounce sender
 * "#@[]" are bounces, never evidence; an address-literal domain is
 * left alone.
 */
static void
run_env(const struct heur_ctx *c, struct run *r)
{
	const struct env	*e = c->env;
	const char		*s = e->sender.p, *at, *a;
	char			 dom[HEUR_NAME], num[32];
	size_t			 n = e->sender.len;

	if (n > 0 && s != NULL && !(n == 4 && memcmp(s, "#@[]", 4) == 0)) {
		at = memrchr(s, '@', n);
		if (at == NULL)
			fire(r, T_SENDER_NO_DOMAIN, "sender ", s);
		else if (at[1] != '[' && (keep(dom, sizeof(dom), at + 1,
		    (size_t)(s + n - at - 1)) || !fqdn(dom)))
			fire(r, T_SENDER_NOT_FQDN, "sender ", s);
	}
	if ((a = relay_probe(e)) != NULL)
		fire(r, T_RCPT_RELAY_PROBE, "recipient ", a);
	if (c->maxrcpt > 0 && e->nrcpt > c->maxrcpt) {
		snprintf(num, sizeof(num), "%lu", e->nrcpt);
		fire(r, T_RCPT_MANY, "recipients ", num);
	}
}

/* Date out of the tolerated window around now. */
static void
run_date(const struct heur_msg *m, const struct heur_ctx *c, struct run *r)
{
	char	num[32];

	if (!m->date_ok || c->now == 0)
		return;
	if (c->date_future >= 0 && m->date > c->now &&
	    m->date - c->now > c->date_future) {
		snprintf(num, sizeof(num), "%lld h ahead",
		    (long long)(m->date - c->now) / 3600);
		fire(r, T_DATE_IN_FUTURE, "Date ", num);
	}
	if (c->date_past >= 0 && m->date < c->now &&
	    c->now - m->date > c->date_past) {
		snprintf(num, sizeof(num), "%lld h old",
		    (long long)(c->now - m->date) / 3600);
		fire(r, T_DATE_IN_PAST, "Date ", num);
	}
}

/* The header tests; a cut copy cannot tell that a field is missing. */
static void
run_headers(const struct heur_msg *m, const struct heur_ctx *c,
    struct run *r)
{
	char	dom[HEUR_NAME];

	if (m->nfrom == 0 && !m->cut)
		fire(r, T_MISSING_FROM, "", NULL);
	if (m->nfrom > 1)
		fire(r, T_FROM_MULTIPLE, "", NULL);
	if (m->nfrom > 0 && !m->from_ok)
		fire(r, T_FROM_UNPARSEABLE, "", NULL);
	if (m->from_ok && display_spoof(m, dom, sizeof(dom)))
		fire(r, T_FROM_DISPLAY_SPOOF, "display holds @", dom);
	if (m->ndate == 0 && !m->cut)
		fire(r, T_MISSING_DATE, "", NULL);
	if (m->ndate > 0 && !m->date_ok)
		fire(r, T_INVALID_DATE, "", NULL);
	run_date(m, c, r);
	if (m->nmid == 0 && !m->cut)
		fire(r, T_MISSING_MID, "", NULL);
	if (m->nmid > 0 && !m->mid_ok)
		fire(r, T_INVALID_MSGID, "", NULL);
	if (m->eightbit)
		fire(r, T_HEADER_8BIT, "", NULL);
	if (c->env != NULL && c->undisclosed > 0 && !m->cut &&
	    m->nvisible == 0 && c->env->nrcpt > c->undisclosed)
		fire(r, T_TO_UNDISCLOSED_MANY, "", NULL);
}

/* Defaults: every group, policy defaults, nothing known of the client. */
void
heur_ctx_init(struct heur_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->tests = HEUR_T_ALL;
	c->maxrcpt = HEUR_MAXRCPT;
	c->undisclosed = HEUR_UNDISCLOSED;
	c->date_past = HEUR_DATE_PAST;
	c->date_future = HEUR_DATE_FUTURE;
}

/*
 * Fire the tests of the groups in c->tests, in heur_tests[] order; each
 * hit points into heur_tests[] with a short raw detail.  Returns the
 * number of hits (at most max; HEUR_MAX always holds them all).
 */
size_t
heur_run(const struct heur_msg *m, const struct heur_ctx *c,
    struct heur_hit *hit, size_t max)
{
	struct run	r = { hit, max, 0 };

	if (c->tests & HEUR_T_HELO)
		run_helo(m, c, &r);
	if (c->tests & HEUR_T_RDNS)
		run_rdns(m, c, &r);
	if ((c->tests & HEUR_T_ENVELOPE) && c->env != NULL)
		run_env(c, &r);
	if (c->tests & HEUR_T_HEADERS)
		run_headers(m, c, &r);
	return r.n;
}

/* The From: domain when it is a plain LDH name with a dot, else NULL. */
const char *
heur_from_domain(const struct heur_msg *m)
{
	const char	*d = m->from_domain;
	size_t		 i;

	if (!m->from_ok || d[0] == '\0' || d[0] == '.' ||
	    strchr(d, '.') == NULL)
		return NULL;
	for (i = 0; d[i] != '\0'; i++)
		if (!isalph((unsigned char)d[i]) &&
		    !isdig((unsigned char)d[i]) && strchr("-._", d[i]) == NULL)
			return NULL;
	return d;
}

/* HELO of qmail-smtpd's line (HOST when no HELO was written), or NULL. */
const char *
heur_helo(const struct heur_msg *m)
{
	return m->rcvd_ok ? m->helo : NULL;
}

/* The trusted hop's client IP, or NULL. */
const char *
heur_hop_ip(const struct heur_msg *m)
{
	return m->hop_ip[0] ? m->hop_ip : NULL;
}

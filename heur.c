/*
 * heur.c - the header and envelope heuristics: the named tests of
 * heur_tests[] (HELO, rDNS, envelope, header tests; issue 14's trace,
 * Message-ID and mailer, recipient, subject and MIME header rules) and
 * the name heuristics they need (dynamic-looking names, an approximate
 * registered domain, an address in a display name, the big mail
 * providers' domains).
 *
 * The tests read the parsed header section: its fields (rfc5322.c) and
 * its trace lines (received.c); domain names are judged by dom_norm()
 * and addresses by msg.c.  Nothing here can fail.  False positives cost
 * more than misses, so every test errs towards silence (weights are
 * modest, in SpamAssassin's range, and named after its rules where one
 * exists).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check.h"
#include "envelope.h"
#include "heur.h"
#include "msg.h"
#include "policy.h"
#include "report.h"
#include "util.h"

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
	T_RCVD_HELO_IP_MISMATCH,
	T_FORGED_PROVIDER_RCVD,
	T_FORGED_HELO_FROMDOM,
	T_RCVD_TIME_BACKWARDS,
	T_FORGED_QMAIL_RCVD,
	T_RCVD_ILLEGAL_IP,
	T_RCVD_MANY_HOPS,
	T_MSGID_FROM_MTA_ID,
	T_RATWARE_MS_HASH,
	T_FORGED_MUA_OUTLOOK,
	T_RATWARE_OE_MALFORMED,
	T_MISSING_MIMEOLE,
	T_XMAILER_RANDOM,
	T_RATWARE_HEADER,
	T_X_PRIORITY_HIGH,
	T_UNDISC_RECIPS,
	T_TO_EQ_FROM_MANY,
	T_FROM_BRKTS_NO_NAME,
	T_FROM_ENDS_IN_NUMS,
	T_FROM_NONAME_TO_BRKTS,
	T_SUBJ_ALL_CAPS,
	T_SUBJ_HAS_UNIQ_ID,
	T_MIME_HTML_ONLY,
	T_MIME_HEADER_CTYPE_ONLY,
	T_MIME_MISSING_BOUNDARY,
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
	{ "RCVD_HELO_IP_MISMATCH", 1.5,
	    "a hop's HELO is a bare IP address other than its client's" },
	{ "FORGED_PROVIDER_RCVD", 2.0,
	    "a hop's HELO claims a big mail provider, its rDNS is not it" },
	{ "FORGED_HELO_FROMDOM", 1.0,
	    "the first hop's HELO is the From: domain, not its rDNS's" },
	{ "RCVD_TIME_BACKWARDS", 2.0,
	    "a hop is dated hours after the hop that received from it" },
	{ "FORGED_QMAIL_RCVD", 1.0,
	    "a qmail \"invoked from network\" line without its SMTP line" },
	{ "RCVD_ILLEGAL_IP", 1.0,
	    "a hop's client is 0/8, multicast or reserved" },
	{ "RCVD_MANY_HOPS", 0.5, "more Received lines than real mail has" },
	{ "MSGID_FROM_MTA_ID", 1.5,
	    "Message-ID written by a relay: the sender wrote none" },
	{ "RATWARE_MS_HASH", 2.0,
	    "Outlook-style Message-ID, but no Microsoft mailer" },
	{ "FORGED_MUA_OUTLOOK", 2.0,
	    "X-Mailer claims Outlook, the headers Outlook writes are missing" },
	{ "RATWARE_OE_MALFORMED", 1.5,
	    "X-Mailer: Outlook Express with a version it never wrote" },
	{ "MISSING_MIMEOLE", 2.0, "X-MSMail-Priority without X-MimeOLE" },
	{ "XMAILER_RANDOM", 1.5, "X-Mailer is a random-looking token" },
	{ "RATWARE_HEADER", 1.5,
	    "a field only bulk software writes (X-Precedence-Ref ...)" },
	{ "X_PRIORITY_HIGH", 1.0, "X-Priority: 1" },
	{ "UNDISC_RECIPS", 2.0,
	    "To: an undisclosed-recipients address (not the empty group)" },
	{ "TO_EQ_FROM_MANY", 1.0,
	    "To: is the From: address, with many envelope recipients" },
	{ "FROM_BRKTS_NO_NAME", 1.5, "From: is a bare <address>" },
	{ "FROM_ENDS_IN_NUMS", 1.5,
	    "From: address's local part ends in five digits or more" },
	{ "FROM_NONAME_TO_BRKTS", 1.5,
	    "From: a bare address, To: a bare <address> (bulk mailers)" },
	{ "SUBJ_ALL_CAPS", 2.0, "Subject: is all capitals" },
	{ "SUBJ_HAS_UNIQ_ID", 2.0,
	    "Subject: holds a tracking ID after a run of blanks" },
	{ "MIME_HTML_ONLY", 1.5, "the message is text/html alone" },
	{ "MIME_HEADER_CTYPE_ONLY", 2.0,
	    "Content-Type other than text/plain without MIME-Version" },
	{ "MIME_MISSING_BOUNDARY", 1.5,
	    "Content-Type multipart without a boundary" },
};

const size_t heur_ntests = sizeof(heur_tests) / sizeof(heur_tests[0]);

/* ---- names --------------------------------------------------------- */

/* Lowercased copy without one trailing dot; 1 when it was cut. */
static int
keep_lower(char *dst, size_t cap, const char *s, size_t n)
{
	size_t	i;
	int	cut;

	if (n > 0 && s[n - 1] == '.')
		n--;
	cut = rfc_keep(dst, cap, s, n);
	for (i = 0; dst[i] != '\0'; i++)
		dst[i] = (char)rfc_lc((unsigned char)dst[i]);
	return cut;
}

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
	char	x[RFC_NAME], y[RFC_NAME];

	keep_lower(x, sizeof(x), a, strlen(a));
	keep_lower(y, sizeof(y), b, strlen(b));
	return strcmp(heur_regdom(x), heur_regdom(y)) == 0;
}

/*
 * A fully qualified host name (dom_norm with '_', two labels, a letter
 * on top), but not localhost or *.localdomain (RFC 1123 §2.1, RFC 2606).
 */
static int
fqdn(const char *s, size_t n)
{
	char		 t[RFC_NAME];
	const char	*top;

	if (dom_norm(s, n, DOM_US | DOM_FQDN, t, sizeof(t)) == -1)
		return 0;
	top = strrchr(t, '.') + 1;
	return strcmp(top, "localhost") != 0 && strcmp(top, "localdomain") != 0;
}

/* Iterating the alphabetic runs ("words") of s[0..n). */
struct words {
	const char	*s;
	size_t		 n, i;
};

static int
next_word(struct words *w, const char **run, size_t *len)
{
	while (w->i < w->n && !rfc_isalpha((unsigned char)w->s[w->i]))
		w->i++;
	if (w->i == w->n)
		return 0;
	*run = w->s + w->i;
	while (w->i < w->n && rfc_isalpha((unsigned char)w->s[w->i]))
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

	for (a = s; a < s + n && !rfc_isdigit((unsigned char)*a); a++)
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
		    a < s + n && rfc_isdigit((unsigned char)*a))
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
		if (!rfc_isdigit((unsigned char)s[i])) {
			i++;
			continue;
		}
		r[nr].off = i;
		r[nr].val = 0;
		for (k = i; k < n && rfc_isdigit((unsigned char)s[k]); k++)
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
	char		low[RFC_NAME];
	struct ipaddr	q;
	size_t		n;

	if (name == NULL || keep_lower(low, sizeof(low), name, strlen(name)))
		return 0;
	n = (size_t)(heur_regdom(low) - low);
	if (n == 0 || exempt(low, n))
		return 0;
	if (ipaddr_parses(ip, &q) == 0 && q.family == 4 &&
	    embedded(low, n, q.a))
		return 1;
	return words && dyn_word(low, n) ? 2 : 0;
}

/* A domain name in text: dom_norm's, with a TLD of two letters or more. */
static int
dom_like(const char *s, size_t n)
{
	const char	*dot = memrchr(s, '.', n);
	size_t		 i;

	if (!dom_valid(s, n, DOM_US | DOM_FQDN) || dot == NULL ||
	    s + n - dot - 1 < 2)
		return 0;
	for (i = (size_t)(dot + 1 - s); i < n; i++)
		if (!rfc_isalpha((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Bytes of an address-looking run in a display name. */
static int
runc(int c)
{
	return rfc_isalpha(c) || rfc_isdigit(c) ||
	    (c != 0 && strchr(".-_@+%", c));
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
	    !(rfc_isalpha((unsigned char)at[-1]) ||
	    rfc_isdigit((unsigned char)at[-1])) ||
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
display_spoof(const struct rfc_fields *m, char *which, size_t cap)
{
	const char	*d = m->from_display, *mine, *dom;
	char		 run[RFC_NAME];
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
		rfc_keep(which, cap, dom, strlen(dom));
		return 1;
	}
	return 0;
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
	rfc_keep(h->detail, sizeof(h->detail), what, strlen(what));
	n = strlen(h->detail);
	if (detail != NULL)
		rfc_keep(h->detail + n, sizeof(h->detail) - n, detail,
		    strlen(detail));
}

/* HELO as an IP: bare, [literal], qmail 1.03's ?literal?, IPv6: form. */
static int
helo_ip(const char *helo, struct ipaddr *ip, int *literal)
{
	const char	*s = helo;
	size_t		 n = strlen(helo);

	*literal = n >= 2 && ((s[0] == '[' && s[n - 1] == ']') ||
	    (s[0] == '?' && s[n - 1] == '?'));
	if (*literal) {
		s++;
		n -= 2;
	}
	return ipaddr_parse(s, n, ip) == 0;
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
run_helo(const struct rcvd_info *m, const struct heur_ctx *c, struct run *r)
{
	struct ipaddr	hip, cip, lip;
	int		literal, client, local;

	if (!m->ok || m->auth)
		return;
	client = ipaddr_parses(c->ip, &cip) == 0;
	local = ipaddr_parses(c->localip, &lip) == 0;
	if (helo_ip(m->helo, &hip, &literal)) {
		if (!literal)
			fire(r, T_RCVD_NUMERIC_HELO, "HELO ", m->helo);
		if (local && ipaddr_eq(&hip, &lip) &&
		    !(client && ipaddr_eq(&cip, &lip)))
			fire(r, T_HELO_CLAIMS_LOCAL, "HELO ", m->helo);
		else if (client && !ipaddr_eq(&hip, &cip))
			fire(r, T_HELO_IP_MISMATCH, "HELO ", m->helo);
		return;
	}
	if (claims_local(m->helo, c)) {
		fire(r, T_HELO_CLAIMS_LOCAL, "HELO ", m->helo);
		return;
	}
	if (m->helo_long || !fqdn(m->helo, strlen(m->helo))) {
		fire(r, T_HELO_NOT_FQDN, "HELO ", m->helo);
		return;
	}
	if (client && heur_dynamic(m->helo, c->ip, 0) == 1)
		fire(r, T_HELO_DYNAMIC_IPADDR, "HELO ", m->helo);
	if (c->rdns != NULL && fqdn(c->rdns, strlen(c->rdns)) &&
	    !regdom_eq(m->helo, c->rdns))
		fire(r, T_HELO_RDNS_MISMATCH, "HELO ", m->helo);
}

/* RDNS_DYNAMIC on the confirmed name, else the PTR name. */
static void
run_rdns(const struct rcvd_info *m, const struct heur_ctx *c, struct run *r)
{
	const char	*name;

	name = c->rdns != NULL && c->rdns[0] != '\0' ? c->rdns : c->ptr;
	if (m->auth || name == NULL || name[0] == '\0')
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
	char			 num[32];
	size_t			 n = e->sender.len;

	if (n > 0 && s != NULL && !(n == 4 && memcmp(s, "#@[]", 4) == 0)) {
		at = memrchr(s, '@', n);
		if (at == NULL)
			fire(r, T_SENDER_NO_DOMAIN, "sender ", s);
		else if (at[1] != '[' &&
		    !fqdn(at + 1, (size_t)(s + n - at - 1)))
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
run_date(const struct rfc_fields *m, const struct heur_ctx *c, struct run *r)
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
run_headers(const struct rfc_fields *m, const struct heur_ctx *c,
    struct run *r)
{
	char	dom[RFC_NAME];

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

/* ---- the trace rules (every Received line, received.c) ------------- */

/* Families of big mail providers: a HELO in one comes from its hosts. */
static const char *const providers[][8] = {
	{ "yahoo.com", "yahoo.net", "yahoo.co.uk", "yahoo.fr", "yahoo.de",
	    "yahoo.ca", "yahoodns.net", NULL },
	{ "hotmail.com", "msn.com", "outlook.com", "live.com",
	    "microsoft.com", "passport.com", "hotmail.co.uk", NULL },
	{ "aol.com", "aol.net", "aim.com", "compuserve.com", "cs.com",
	    "netscape.net", "netscape.com", NULL },
	{ "gmail.com", "google.com", "googlemail.com", NULL },
	{ "excite.com", NULL }, { "mail.com", NULL }, { "juno.com", NULL },
	{ "earthlink.net", NULL }, { "lycos.com", NULL }, { "usa.net", NULL },
};
#define NPROVIDERS	(sizeof(providers) / sizeof(providers[0]))

/* The provider family whose domains hold name's registered domain. */
static int
provider(const char *name)
{
	char		 low[RFC_NAME];
	const char	*reg;
	size_t		 i, k;

	if (keep_lower(low, sizeof(low), name, strlen(name)))
		return -1;
	reg = heur_regdom(low);
	for (i = 0; i < NPROVIDERS; i++)
		for (k = 0; providers[i][k] != NULL; k++)
			if (strcmp(reg, providers[i][k]) == 0)
				return (int)i;
	return -1;
}

/*
 * A hop's HELO claims a big provider (a name under one of its domains)
 * while the receiver found the client's name elsewhere, or none.
 */
static int
forged_provider(const struct rcvd_hop *h)
{
	int	p;

	if (h->helo[0] == '\0' || h->rdns_state == RCVD_RDNS_NA ||
	    (p = provider(h->helo)) == -1)
		return 0;
	return h->rdns_state == RCVD_RDNS_NONE || provider(h->rdns) != p;
}

/* 0/8, multicast 224/4, reserved 240/4 (RFC 6890): no client has one. */
static int
illegal_ip(const struct ipaddr *a)
{
	return a->family == 4 && (a->a[0] == 0 || a->a[0] >= 224);
}

/* The HELO rules on one hop below ours (ours: run_helo). */
static void
trace_hop(const struct rcvd_hop *h, struct run *r, int *done)
{
	struct ipaddr	hip;
	char		ip[IPADDR_TEXT];
	int		literal;

	if (!h->from || h->ip.family == 0)
		return;
	if (!(*done & 1) && !ipaddr_private(&h->ip) &&
	    helo_ip(h->helo, &hip, &literal) && !literal &&
	    !ipaddr_private(&hip) && !ipaddr_eq(&hip, &h->ip)) {
		fire(r, T_RCVD_HELO_IP_MISMATCH, "HELO ", h->helo);
		*done |= 1;
	}
	if (!(*done & 2) && !ipaddr_private(&h->ip) && forged_provider(h)) {
		fire(r, T_FORGED_PROVIDER_RCVD, "HELO ", h->helo);
		*done |= 2;
	}
	if (!(*done & 4) && illegal_ip(&h->ip)) {
		ipaddr_text(&h->ip, ip, sizeof(ip));
		fire(r, T_RCVD_ILLEGAL_IP, "client ", ip);
		*done |= 4;
	}
}

/* Does a hop's HELO or rDNS name hold its client's IPv4 address? */
static int
hop_dynamic(const struct rcvd_hop *h)
{
	char	ip[IPADDR_TEXT];

	ipaddr_text(&h->ip, ip, sizeof(ip));
	return heur_dynamic(h->helo, ip, 0) == 1 ||
	    (h->rdns_state == RCVD_RDNS_NAME &&
	    heur_dynamic(h->rdns, ip, 0) == 1);
}

/*
 * The Message-ID holds the queue ID of a relay below ours that received
 * the message from a public client (Sendmail's "<date.ID@relay>",
 * Postfix's, Exim's "<E1ID@relay>"): the relay wrote it, since the
 * sender wrote none (SpamAssassin's MSGID_FROM_MTA_ID).  Not when the
 * relay or the Message-ID is in the From: domain, nor when the client's
 * name holds its address (a customer's machine and its provider's
 * submission server, which may add one).
 */
static int
msgid_from_mta(const struct rcvd_info *t, const struct rfc_fields *m)
{
	const struct rcvd_hop	*h;
	const char		*lt, *at;
	char			 left[RFC_DISPLAY], right[RFC_DISPLAY];
	unsigned		 i;

	if ((lt = strchr(m->msgid, '<')) == NULL ||
	    (at = strchr(lt, '@')) == NULL || !m->from_ok)
		return 0;
	rfc_keep(left, sizeof(left), lt + 1, (size_t)(at - lt - 1));
	rfc_keep(right, sizeof(right), at + 1, strcspn(at + 1, ">"));
	for (i = t->ok ? 1 : 0; i < t->nhop; i++) {
		h = &t->hops[i];
		if (!h->from || strlen(h->id) < 6 || strstr(left, h->id) == NULL)
			continue;
		return h->ip.family != 0 && !ipaddr_private(&h->ip) &&
		    h->by[0] != '\0' && !regdom_eq(h->by, m->from_domain) &&
		    !regdom_eq(right, m->from_domain) && !hop_dynamic(h);
	}
	return 0;
}

/*
 * The first hop (the lowest from-line with an outside client) said
 * "HELO from-domain" (the bare registered domain of From:) while its
 * receiver found no rDNS or one in another domain: bulk software
 * greets with the domain it forges.  A mail server greets with its own
 * host name, and speaks EHLO (the hop says "with SMTP" only after HELO).
 */
static int
forged_helo_fromdom(const struct rcvd_info *t, const struct rfc_fields *m)
{
	const struct rcvd_hop	*h = NULL;
	unsigned		 i;

	for (i = t->ok ? 1 : 0; i < t->nhop; i++)
		if (t->hops[i].from && t->hops[i].ip.family != 0 &&
		    !ipaddr_private(&t->hops[i].ip))
			h = &t->hops[i];
	if (h == NULL || !h->smtp || !m->from_ok || m->from_domain[0] == '\0' ||
	    strcmp(h->helo, m->from_domain) != 0 ||
	    strcmp(heur_regdom(h->helo), h->helo) != 0)
		return 0;
	return h->rdns_state == RCVD_RDNS_NONE ||
	    (h->rdns_state == RCVD_RDNS_NAME && !regdom_eq(h->rdns, h->helo));
}

/*
 * qmail-queue writes "(qmail N invoked from network)" on top of
 * qmail-smtpd's from-line in the same second: one hours apart from the
 * from-line below it was written by someone else.  (qmail-qmqpd writes
 * no line of its own, so one with no from-line below is real.)
 */
static int
forged_qmail(const struct rcvd_info *t, unsigned i)
{
	const struct rcvd_hop	*h = &t->hops[i], *b;
	time_t			 d;

	if (!h->qmail_net || i + 1 >= t->nhop)
		return 0;
	b = &t->hops[i + 1];
	if (!b->from || !h->date_ok || !b->date_ok)
		return 0;
	d = h->date - b->date;
	return d > HEUR_QMAIL_SKEW || d < -HEUR_QMAIL_SKEW;
}

/*
 * The trace rules over every kept hop: HELO claims below ours, clocks
 * (a hop later than the one that received from it, ours included:
 * hops against each other, never against now), forged qmail lines,
 * the number of hops.
 */
static void
run_trace(const struct rcvd_info *t, const struct rfc_fields *m,
    struct run *r)
{
	char		num[32];
	unsigned	i;
	int		done = 0;
	time_t		back = 0;

	for (i = t->ok ? 1 : 0; i < t->nhop; i++)
		trace_hop(&t->hops[i], r, &done);
	if (forged_helo_fromdom(t, m))
		fire(r, T_FORGED_HELO_FROMDOM, "HELO ", m->from_domain);
	if (msgid_from_mta(t, m))
		fire(r, T_MSGID_FROM_MTA_ID, "Message-ID ", m->msgid);
	for (i = 0; i + 1 < t->nhop; i++)
		if (t->hops[i].date_ok && t->hops[i + 1].date_ok &&
		    t->hops[i + 1].date - t->hops[i].date > back)
			back = t->hops[i + 1].date - t->hops[i].date;
	if (back > HEUR_CLOCK_BACK) {
		snprintf(num, sizeof(num), "%lld h", (long long)back / 3600);
		fire(r, T_RCVD_TIME_BACKWARDS, "hop ", num);
	}
	for (i = 0; i < t->nhop; i++)
		if (forged_qmail(t, i)) {
			fire(r, T_FORGED_QMAIL_RCVD, "", NULL);
			break;
		}
	if (t->nrcvd > HEUR_HOPS_MANY) {
		snprintf(num, sizeof(num), "%u", t->nrcvd);
		fire(r, T_RCVD_MANY_HOPS, "Received ", num);
	}
}

/* ---- mailer, recipient, subject and MIME rules ---------------------- */

/* n hex digits (at least min, at most max) at *p; moves *p past them. */
static int
hexrun(const char **p, size_t min, size_t max)
{
	size_t	k = 0;

	while (strchr("0123456789abcdefABCDEF", **p) != NULL && **p != '\0') {
		(*p)++;
		k++;
	}
	return k >= min && k <= max;
}

/* Outlook's and Outlook Express's "<12hex$8hex$8hex@host>". */
static int
outlook_msgid(const char *mid)
{
	const char	*p = mid;

	if (*p++ != '<' || !hexrun(&p, 12, 16) || *p++ != '$' ||
	    !hexrun(&p, 8, 8) || *p++ != '$' || !hexrun(&p, 8, 8))
		return 0;
	return *p == '@';
}

/* A mailer name that is one random-looking token (bulk software). */
static int
random_mailer(const char *s)
{
	size_t	i, n = strlen(s);
	int	up = 0, lo = 0, dig = 0, after = 0;

	if (n < 10)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (rfc_isdigit(c))
			dig = 1;
		else if (c >= 'A' && c <= 'Z')
			up = 1;
		else if (c >= 'a' && c <= 'z')
			lo = 1;
		else
			return 0;
		after |= dig && rfc_isalpha(c);
	}
	return up && lo && after;
}

/*
 * X-Mailer claims Outlook Express 5 or 6, which always write X-MimeOLE
 * and X-MSMail-Priority, and neither is there; or Outlook (not
 * Express) up to 2007, which wrote X-MimeOLE, and it is missing with no
 * Thread-Index either (Outlook 2010 and later write no X-MimeOLE, but
 * always a Thread-Index).
 */
static int
forged_outlook(const struct rfc_fields *m)
{
	const char	*x = m->mailer, *o;

	if (m->mimeole || (o = strstr(x, "Microsoft Outlook")) == NULL)
		return 0;
	if (strncmp(o + 17, " Express", 8) != 0)
		return !m->threadidx;
	return !m->msprio && (strncmp(o + 25, " 5", 2) == 0 ||
	    strncmp(o + 25, " 6", 2) == 0);
}

/* Digits at *p, at least min and at most max; moves *p past them. */
static int
digits_at(const char **p, size_t min, size_t max)
{
	size_t	k = 0;

	while (rfc_isdigit((unsigned char)**p)) {
		(*p)++;
		k++;
	}
	return k >= min && k <= max;
}

/*
 * "Microsoft Outlook Express " and a version that is not N.NN.NNNN.N
 * (one to four digits last) alone, as Windows builds write it: bulk
 * software's "5.00.2919.6900 DM", "6.00.2600.0000.213597".  The
 * Macintosh edition writes its own form and is left alone.
 */
static int
oe_malformed(const char *x)
{
	const char	*p = strstr(x, "Microsoft Outlook Express ");

	if (p == NULL || strncmp(p += 26, "Macintosh", 9) == 0)
		return 0;
	return !(digits_at(&p, 1, 1) && *p++ == '.' && digits_at(&p, 2, 2) &&
	    *p++ == '.' && digits_at(&p, 4, 4) && *p++ == '.' &&
	    digits_at(&p, 1, 4) && *p == '\0');
}

/* The Message-ID and X-Mailer rules: a mailer and its structure. */
static void
run_mailer(const struct rfc_fields *m, struct run *r)
{
	const char	*x = m->mailer;
	int		 ms;

	ms = strcasestr(x, "microsoft") != NULL ||
	    strcasestr(x, "outlook") != NULL || m->mimeole || m->threadidx;
	if (m->cut)	/* a field past the cut may be the missing one */
		ms = 1;
	if (outlook_msgid(m->msgid) && !ms)
		fire(r, T_RATWARE_MS_HASH, "Message-ID ", m->msgid);
	if (!m->cut && forged_outlook(m))
		fire(r, T_FORGED_MUA_OUTLOOK, "X-Mailer ", x);
	if (oe_malformed(x))
		fire(r, T_RATWARE_OE_MALFORMED, "X-Mailer ", x);
	if (m->msprio && !m->mimeole && !m->cut)
		fire(r, T_MISSING_MIMEOLE, "", NULL);
	if (random_mailer(x))
		fire(r, T_XMAILER_RANDOM, "X-Mailer ", x);
	if (m->ratware)
		fire(r, T_RATWARE_HEADER, "", NULL);
	if (m->xprio == 1)
		fire(r, T_X_PRIORITY_HIGH, "", NULL);
}

/* The local part of addr ends in five digits or more. */
static int
ends_in_nums(const char *addr)
{
	const char	*at = strrchr(addr, '@'), *p = at;

	while (p != NULL && p > addr && rfc_isdigit((unsigned char)p[-1]))
		p--;
	return p != NULL && at - p >= 5;
}

/* The recipient and From: address rules. */
static void
run_rcpt(const struct rfc_fields *m, const struct heur_ctx *c,
    struct run *r)
{
	if (m->to_undisclosed)
		fire(r, T_UNDISC_RECIPS, "", NULL);
	if (c->env != NULL && c->undisclosed > 0 &&
	    c->env->nrcpt > c->undisclosed && m->to_addr[0] != '\0' &&
	    m->from_ok && strcasecmp(m->to_addr, m->from_addr) == 0)
		fire(r, T_TO_EQ_FROM_MANY, "", NULL);
	if (m->from_brkts)
		fire(r, T_FROM_BRKTS_NO_NAME, "", NULL);
	if (m->from_ok && ends_in_nums(m->from_addr))
		fire(r, T_FROM_ENDS_IN_NUMS, "From ", m->from_addr);
	if (m->from_bare && m->to_brkts)
		fire(r, T_FROM_NONAME_TO_BRKTS, "", NULL);
}

/*
 * At least HEUR_CAPS_MIN letters (RFC 2047 decoded), none lowercase,
 * and nothing outside ASCII (a Cyrillic or CJK subject with a Latin
 * name in capitals is not shouting).
 */
static int
all_caps(const char *s)
{
	char	d[RFC_DISPLAY];
	size_t	i, n, up = 0;

	n = rfc_2047(s, strlen(s), d, sizeof(d));
	for (i = 0; i < n; i++)
		if ((d[i] >= 'a' && d[i] <= 'z') || (unsigned char)d[i] >= 0x80)
			return 0;
		else if (d[i] >= 'A' && d[i] <= 'Z')
			up++;
	return up >= HEUR_CAPS_MIN;
}

/*
 * A bulk mailer's tracking ID: a run of ten blanks or more before more
 * text, or a last word with a digit in it after three blanks or more.
 */
static int
uniq_id(const char *s)
{
	size_t	i, b = 0, n = strlen(s), last = 0;
	int	dig = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t') {
			b++;
			continue;
		}
		if (b >= 10)
			return 1;
		if (b > 0) {
			last = b;
			dig = 0;
		}
		b = 0;
		dig |= rfc_isdigit((unsigned char)s[i]);
	}
	return last >= 3 && dig;
}

/* Does s start with the MIME type t (case-insensitively)? */
static int
ctype_is(const char *s, const char *t)
{
	return strncasecmp(s, t, strlen(t)) == 0;
}

/* The subject and MIME header rules. */
static void
run_subject_mime(const struct rfc_fields *m, struct run *r)
{
	if (all_caps(m->subject))
		fire(r, T_SUBJ_ALL_CAPS, "", NULL);
	if (uniq_id(m->subject))
		fire(r, T_SUBJ_HAS_UNIQ_ID, "", NULL);
	if (m->nctype == 0)
		return;
	if (ctype_is(m->ctype, "text/html"))
		fire(r, T_MIME_HTML_ONLY, "", NULL);
	if (!m->mimever && !m->cut && !ctype_is(m->ctype, "text/plain"))
		fire(r, T_MIME_HEADER_CTYPE_ONLY, "", NULL);
	if (ctype_is(m->ctype, "multipart/") && !m->ctype_boundary)
		fire(r, T_MIME_MISSING_BOUNDARY, "", NULL);
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
heur_run(const struct msg_hdrs *m, const struct heur_ctx *c,
    struct heur_hit *hit, size_t max)
{
	struct run	r = { hit, max, 0 };

	if (c->tests & HEUR_T_HELO)
		run_helo(&m->rcvd, c, &r);
	if (c->tests & HEUR_T_RDNS)
		run_rdns(&m->rcvd, c, &r);
	if ((c->tests & HEUR_T_ENVELOPE) && c->env != NULL)
		run_env(c, &r);
	if (c->tests & HEUR_T_HEADERS) {
		run_headers(&m->rfc, c, &r);
		run_trace(&m->rcvd, &m->rfc, &r);
		run_mailer(&m->rfc, &r);
		run_rcpt(&m->rfc, c, &r);
		run_subject_mime(&m->rfc, &r);
	}
	return r.n;
}

/* HELO of qmail-smtpd's line (HOST when no HELO was written), or NULL. */
const char *
heur_helo(const struct msg_hdrs *m)
{
	return rcvd_helo(&m->rcvd);
}

/* The trusted hop's client IP, or NULL. */
const char *
heur_hop_ip(const struct msg_hdrs *m)
{
	return rcvd_hop_ip(&m->rcvd);
}


/* ---- the check (check.h) ------------------------------------------- */

#define HEUR_LOCAL_MAX	32	/* names of a policy's "local" lines */

struct heur_conf {
	char		*local[HEUR_LOCAL_MAX + 1];	/* NULL-ended */
	size_t		 nlocal;
	unsigned long	 maxrcpt;	/* RCPT_MANY above it */
};

struct heur_run {
	const struct heur_conf *conf;
	struct heur_hit	 hit[HEUR_MAX];
};

static const char *const heur_keywords[] = { "local", "maxrcpt", NULL };

static void *
heur_conf_new(void)
{
	struct heur_conf *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->maxrcpt = HEUR_MAXRCPT;
	return c;
}

static void
heur_conf_free(void *v)
{
	struct heur_conf *c = v;

	while (c != NULL && c->nlocal > 0)
		free(c->local[--c->nlocal]);
	free(c);
}

/* local NAME...: the names (and IP literals) that are ours, for HELO. */
static int
conf_local(struct heur_conf *c, int ac, char *av[], char *err, size_t n)
{
	int	i;

	if (ac < 2)
		return errf(err, n, EINVAL, "usage: local NAME...");
	for (i = 1; i < ac; i++) {
		if (c->nlocal == HEUR_LOCAL_MAX)
			return errf(err, n, EINVAL, "too many local names");
		if (strlen(av[i]) > 253)
			return errf(err, n, EINVAL, "name too long: %.64s", av[i]);
		if ((c->local[c->nlocal] = strdup(av[i])) == NULL)
			return -1;
		c->local[++c->nlocal] = NULL;
	}
	return 0;
}

/* maxrcpt N: more envelope recipients than this fire RCPT_MANY. */
static int
conf_maxrcpt(struct heur_conf *c, int ac, char *av[], char *err, size_t n)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	if (ac != 2 || (v = strtoul(av[1], &end, 10), errno) ||
	    end == av[1] || *end || av[1][0] == '-' || v > 1000000)
		return errf(err, n, EINVAL, "needs a number of recipients");
	c->maxrcpt = v;
	return 0;
}

static int
heur_conf_line(void *v, int ac, char *av[], char *err, size_t n)
{
	if (strcmp(av[0], "local") == 0)
		return conf_local(v, ac, av, err, n);
	return conf_maxrcpt(v, ac, av, err, n);
}

static const struct score_test *
heur_test_at(size_t i)
{
	return i < heur_ntests ? &heur_tests[i] : NULL;
}

/* The tests need nothing at connect time; their room is made now. */
static void *
heur_start(const void *conf, struct msg *m)
{
	struct heur_run	*r;

	(void)m;
	if ((r = calloc(1, sizeof(*r))) != NULL)
		r->conf = conf;
	return r;
}

/*
 * Which groups run: everything on a message; for a trusted relay's
 * client no HELO test (our HELO line is the relay's); with no message
 * (qqtag -c) the client's rDNS tests only.
 */
static unsigned
heur_groups(const struct msg *m)
{
	if (!m->have_headers)
		return HEUR_T_RDNS;
	if (m->hop)
		return HEUR_T_RDNS | HEUR_T_ENVELOPE | HEUR_T_HEADERS;
	return HEUR_T_ALL;
}

/* Fire the tests on what the message context knows, weighted. */
static void
heur_findings(void *v, struct msg *m, struct report *rep)
{
	struct heur_run	*r = v;
	struct heur_ctx	 c;
	size_t		 i, n;

	heur_ctx_init(&c);
	c.tests = heur_groups(m);
	c.ip = m->iptext;
	c.localip = m->localip;
	c.rdns = m->rdns;
	c.ptr = m->ptr;
	c.local = (const char *const *)r->conf->local;
	c.nlocal = r->conf->nlocal;
	c.env = m->env;
	c.maxrcpt = r->conf->maxrcpt;
	c.now = m->now;
	n = heur_run(&m->hdrs, &c, r->hit, HEUR_MAX);
	for (i = 0; i < n; i++)
		report_add(rep, r->hit[i].test->name, policy_weight(m->pol,
		    r->hit[i].test->name), r->hit[i].test->what,
		    r->hit[i].detail, strnlen(r->hit[i].detail, HEUR_DETAIL));
}

const struct check check_heur = {
	.name = "heur",
	.keywords = heur_keywords,
	.conf_new = heur_conf_new,
	.conf_free = heur_conf_free,
	.conf_line = heur_conf_line,
	.test_at = heur_test_at,
	.start = heur_start,
	.findings = heur_findings,
	.done = free,
};

/*
 * spfrec.c - SPF records as text (spfrec.h): picking the record out of
 * a TXT answer (RFC 7208 §4.5), terms one at a time (§4.6.1, §5, §6, the
 * ABNF of §12), the whole-record syntax check that comes before any
 * evaluation (§4.6: a syntax error anywhere is a permerror), and macro
 * expansion (§7).  Every input is untrusted bytes, never NUL-terminated;
 * every output is bounded by the caller's buffer.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "spfrec.h"

static const char *const kind_name[] = {
	"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists",
	"redirect", "exp", "modifier"
};

/* A kind as the record spells it ("include", "redirect"...). */
const char *
spf_kind_name(enum spf_kind k)
{
	if ((unsigned)k >= sizeof(kind_name) / sizeof(kind_name[0]))
		return "?";
	return kind_name[k];
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* ---- record selection (§4.5) --------------------------------------- */

/*
 * The character-strings of one TXT RDATA joined, the first cap bytes
 * into dst; the whole length, or -1 malformed.
 */
static long
txt_join(const unsigned char *a, const struct dns_rr *rr, char *dst,
    size_t cap)
{
	size_t	i = rr->off, end = rr->off + rr->len, k, total = 0;

	while (i < end) {
		k = a[i++];
		if (k > end - i)
			return -1;
		for (; k > 0; k--, i++, total++)
			if (total < cap)
				dst[total] = (char)a[i];
	}
	return (long)total;
}

static int
is_spf1(const char *s, size_t n)
{
	return n >= 6 && strncasecmp(s, "v=spf1", 6) == 0 &&
	    (n == 6 || s[6] == ' ');
}

/*
 * The one SPF record of a TXT answer (records starting "v=spf1", any
 * case, then a space or the end), its strings joined, into out (cap
 * bytes, NUL added: cap must exceed SPF_TXT_MAX), its length in *len.
 * 1 found; 0 none; -1 more than one (permerror); -2 longer than
 * SPF_TXT_MAX or than cap - 1 (permerror); -3 a malformed answer.
 */
int
spf_select(const unsigned char *a, int alen, char *out, size_t cap,
    size_t *len)
{
	struct dns_rr	rr;
	char		head[8];
	long		n;
	int		r, found = 0, toolong = 0;

	if (cap == 0)
		return -2;
	out[0] = '\0';
	memset(&rr, 0, sizeof(rr));
	while ((r = dns_rr(a, alen, &rr)) == 1) {
		if (rr.type != DNS_T_TXT)
			continue;
		if ((n = txt_join(a, &rr, head, sizeof(head))) < 0)
			return -3;
		if (!is_spf1(head, (size_t)n < sizeof(head) ? (size_t)n :
		    sizeof(head)))
			continue;
		if (found++ > 0)
			continue;
		if ((size_t)n > SPF_TXT_MAX || (size_t)n >= cap) {
			toolong = 1;
			continue;
		}
		txt_join(a, &rr, out, cap);
		out[n] = '\0';
		*len = (size_t)n;
	}
	if (r < 0)
		return -3;
	if (found > 1)
		return -1;
	if (toolong)
		return -2;
	return found;
}

/* ---- macros (§7.1) ------------------------------------------------- */

static int
is_delim(int c)
{
	return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' ||
	    c == '_' || c == '=';
}

/*
 * One "%{...}" at s[0..n): its length, the letter (lowercase), whether
 * uppercase, the digit (0: none), reversal and delimiters; -1 invalid.
 */
struct macro {
	int		 letter;
	int		 upper;
	unsigned	 digits;
	int		 reverse;
	const char	*delim;
	size_t		 ndelim;
};

static long
macro_parse(const char *s, size_t n, int exp, struct macro *mc)
{
	size_t	i = 3;
	int	have = 0;

	if (n < 4 || s[0] != '%' || s[1] != '{')
		return -1;
	mc->letter = lc((unsigned char)s[2]);
	mc->upper = s[2] >= 'A' && s[2] <= 'Z';
	if (strchr("slodiphcrtv", mc->letter) == NULL || mc->letter == 0)
		return -1;
	if (!exp && strchr("crt", mc->letter) != NULL)
		return -1;		/* §7.1: exp= text only */
	for (mc->digits = 0; i < n && is_digit(s[i]); i++, have = 1)
		if ((mc->digits = mc->digits * 10 + (unsigned)(s[i] - '0')) >
		    1000)
			mc->digits = 1000;
	if (have && mc->digits == 0)
		return -1;		/* §7.1: the digit MUST be nonzero */
	mc->reverse = i < n && lc((unsigned char)s[i]) == 'r';
	i += mc->reverse;
	mc->delim = s + i;
	for (mc->ndelim = 0; i < n && is_delim(s[i]); i++)
		mc->ndelim++;
	if (i >= n || s[i] != '}')
		return -1;
	return (long)i + 1;
}

/*
 * Walk the macro-string s[0..n) (§7.1): 1 valid, 0 not; *last: the last
 * token was a macro-expand.  exp: c, r and t allowed.
 */
static int
macro_scan(const char *s, size_t n, int exp, unsigned *uses, int *last)
{
	struct macro	mc;
	size_t		i;
	long		k;

	*last = 0;
	for (i = 0; i < n; i++) {
		*last = 0;
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return 0;
		if (s[i] != '%')
			continue;
		*last = 1;
		if (i + 1 < n && (s[i + 1] == '%' || s[i + 1] == '_' ||
		    s[i + 1] == '-')) {
			i++;
			continue;
		}
		if ((k = macro_parse(s + i, n - i, exp, &mc)) < 0)
			return 0;
		if (uses != NULL)
			*uses |= SPF_USES(mc.letter);
		i += (size_t)k - 1;
	}
	return 1;
}

/*
 * Is s[0..n) a macro-string (§7.1)?  exp: the c, r and t letters are
 * allowed.  The letters used are or-ed into *uses (SPF_USES); 1 or 0.
 */
int
spf_macro_check(const char *s, size_t n, int exp, unsigned *uses)
{
	int	last;

	return macro_scan(s, n, exp, uses, &last);
}

/* toplabel (§12): alphanumerics with a letter, or with an inner '-'. */
static int
toplabel(const char *s, size_t n)
{
	size_t	i;
	int	alpha = 0, hyphen = 0;

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (is_alpha((unsigned char)s[i]))
			alpha = 1;
		else if (s[i] == '-')
			hyphen = 1;
		else if (!is_digit((unsigned char)s[i]))
			return 0;
	}
	return alpha || hyphen;
}

/*
 * Is s[0..n) a domain-spec (§12): a macro-string ending in a macro or in
 * "." toplabel with one optional trailing dot?  1 or 0.
 */
int
spf_domain_spec_ok(const char *s, size_t n)
{
	size_t	i;
	int	last;

	if (n == 0 || !macro_scan(s, n, 0, NULL, &last))
		return 0;
	if (last)			/* a macro-expand ends it */
		return 1;
	if (s[n - 1] == '.')
		n--;
	for (i = n; i > 0 && s[i - 1] != '.'; i--)
		;
	if (i == 0)
		return 0;		/* "." toplabel is required */
	return toplabel(s + i, n - i);
}

/* ---- terms (§4.6.1, §5, §6) ---------------------------------------- */

/* A CIDR length "/N" (N = 0 or no leading zero) ending s[0..*n): cut. */
static int
cidr_tail(const char *s, size_t *n, int dbl, unsigned max, unsigned *out)
{
	size_t	i = *n, d;
	unsigned v = 0;

	while (i > 0 && is_digit((unsigned char)s[i - 1]))
		i--;
	d = *n - i;
	if (d == 0 || i < 1 + (size_t)dbl || s[i - 1] != '/' ||
	    (dbl && s[i - 2] != '/') || (d > 1 && s[i] == '0'))
		return 0;
	if (d > 3)
		return -1;
	for (; i < *n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (v > max)
		return -1;
	*out = v;
	*n -= d + 1 + (size_t)dbl;
	return 1;
}

static int
mech_kind(const char *s, size_t n)
{
	static const struct { const char *name; enum spf_kind k; } m[] = {
		{ "all", SPF_ALL }, { "include", SPF_INCLUDE },
		{ "a", SPF_A }, { "mx", SPF_MX }, { "ptr", SPF_PTR },
		{ "ip4", SPF_IP4 }, { "ip6", SPF_IP6 },
		{ "exists", SPF_EXISTS }
	};
	size_t	i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strlen(m[i].name) == n && strncasecmp(m[i].name, s, n) ==
		    0)
			return (int)m[i].k;
	return -1;
}

/* ip4:/ip6: network[/N] after the colon. */
static int
ip_arg(struct spf_term *t, const char *s, size_t n)
{
	char		ip[64];
	unsigned	max = t->kind == SPF_IP4 ? 32 : 128;
	unsigned	*cidr = t->kind == SPF_IP4 ? &t->cidr4 : &t->cidr6;

	if (cidr_tail(s, &n, 0, max, cidr) < 0 || n == 0 || n >= sizeof(ip))
		return -1;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(t->kind == SPF_IP4 ? AF_INET : AF_INET6, ip, t->net) !=
	    1)
		return -1;
	return 0;
}

/* The arguments after a mechanism's name: rest[0..n). */
static int
mech_args(struct spf_term *t, const char *rest, size_t n)
{
	switch (t->kind) {
	case SPF_ALL:
		return n == 0 ? 0 : -1;
	case SPF_IP4:
	case SPF_IP6:
		return n > 1 && rest[0] == ':' ? ip_arg(t, rest + 1, n - 1) :
		    -1;
	case SPF_A:
	case SPF_MX:
		if (cidr_tail(rest, &n, 1, 128, &t->cidr6) < 0 ||
		    cidr_tail(rest, &n, 0, 32, &t->cidr4) < 0)
			return -1;
		/* FALLTHROUGH */
	case SPF_PTR:
		if (n == 0)
			return 0;
		break;
	default:
		break;
	}
	if (n < 2 || rest[0] != ':' || !spf_domain_spec_ok(rest + 1, n - 1))
		return -1;
	t->spec = rest + 1;
	t->speclen = n - 1;
	return 0;
}

/* A modifier name=value (§6, §12): 1, 0 not a modifier, -1 invalid. */
static int
modifier(struct spf_term *t, const char *s, size_t n)
{
	size_t	i = 1;

	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	while (i < n && (is_alpha((unsigned char)s[i]) ||
	    is_digit((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' ||
	    s[i] == '.'))
		i++;
	if (i == n || s[i] != '=')
		return 0;
	t->kind = SPF_UNKNOWN_MOD;
	if (i == 8 && strncasecmp(s, "redirect", 8) == 0)
		t->kind = SPF_REDIRECT;
	else if (i == 3 && strncasecmp(s, "exp", 3) == 0)
		t->kind = SPF_EXP;
	t->spec = s + i + 1;
	t->speclen = n - i - 1;
	if (t->kind == SPF_UNKNOWN_MOD)
		return spf_macro_check(t->spec, t->speclen, 0, NULL) ? 1 : -1;
	return spf_domain_spec_ok(t->spec, t->speclen) ? 1 : -1;
}

/*
 * The next term of rec[0..len) from *pos (just past "v=spf1" at first):
 * 1 and *t (pointing into rec), 0 past the last, -1 a syntax error
 * (*t->text names the term).  Spaces (only SP, §12) separate terms.
 */
int
spf_term_next(const char *rec, size_t len, size_t *pos, struct spf_term *t)
{
	size_t	i = *pos, e, k;
	int	r;

	while (i < len && rec[i] == ' ')
		i++;
	if (i >= len)
		return 0;
	for (e = i; e < len && rec[e] != ' '; e++)
		;
	*pos = e;
	memset(t, 0, sizeof(*t));
	t->text = rec + i;
	t->len = e - i;
	t->qual = '+';
	t->cidr4 = 32;
	t->cidr6 = 128;
	if ((r = modifier(t, rec + i, e - i)) != 0)
		return r;
	if (strchr("+-~?", rec[i]) != NULL && rec[i] != '\0')
		t->qual = rec[i++];
	for (k = i; k < e && (is_alpha((unsigned char)rec[k]) || (k > i &&
	    is_digit((unsigned char)rec[k]))); k++)
		;
	if (k == i || (r = mech_kind(rec + i, k - i)) < 0)
		return -1;
	t->kind = (enum spf_kind)r;
	return mech_args(t, rec + k, e - k) == 0 ? 1 : -1;
}

/*
 * Check a whole record (§4.6: before anything is evaluated): every term
 * valid, redirect and exp at most once each (§6).  0, or -1 with *bad
 * the offending term (or NULL).  The macro letters of every term are
 * or-ed into *uses.
 */
int
spf_record_check(const char *rec, size_t len, unsigned *uses,
    const char **bad)
{
	struct spf_term	t;
	size_t		pos = 6;
	int		r, redirect = 0, exp = 0;

	*bad = NULL;
	if (!is_spf1(rec, len))
		return -1;
	while ((r = spf_term_next(rec, len, &pos, &t)) == 1) {
		if ((t.kind == SPF_REDIRECT && redirect++) ||
		    (t.kind == SPF_EXP && exp++)) {
			*bad = t.text;
			return -1;
		}
		if (t.spec != NULL && t.kind != SPF_EXP &&
		    t.kind != SPF_UNKNOWN_MOD)
			spf_macro_check(t.spec, t.speclen, 0, uses);
	}
	if (r < 0)
		*bad = t.text;
	return r;
}

/* ---- expansion (§7.3, §7.4) ---------------------------------------- */

struct out {
	char	*p;
	size_t	 n, cap;
	int	 over;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (n > o->cap - o->n) {
		o->over = 1;
		return;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

/* RFC 3986 unreserved bytes stay, the rest becomes %XX (§7.3). */
static void
put_escaped(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char	e[3];
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_alpha(c) || is_digit(c) || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			put(o, s + i, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		put(o, e, 3);
	}
}

/* The value a letter stands for, into buf; its length. */
static size_t
letter_value(const struct spf_macro_in *in, int letter, char *buf,
    size_t cap)
{
	const char	*s = NULL;
	int		 n = 0;
	size_t		 i;

	switch (letter) {
	case 's':
		n = snprintf(buf, cap, "%s@%s", in->local ? in->local : "",
		    in->domain ? in->domain : "");
		break;
	case 'l': s = in->local; break;
	case 'o': s = in->domain; break;
	case 'd': s = in->cur; break;
	case 'h': s = in->helo; break;
	case 'p': s = in->ptr ? in->ptr : "unknown"; break;
	case 'r': s = in->recv ? in->recv : "unknown"; break;
	case 'v': s = in->ip.family == 6 ? "ip6" : "in-addr"; break;
	case 'c':
		return ipaddr_text(&in->ip, buf, cap);
	case 't':
		n = snprintf(buf, cap, "%lld", (long long)in->now);
		break;
	case 'i':
		if (in->ip.family == 4)
			n = snprintf(buf, cap, "%u.%u.%u.%u", in->ip.a[0],
			    in->ip.a[1], in->ip.a[2], in->ip.a[3]);
		for (i = 0; in->ip.family == 6 && i < 32 && cap >= 64; i++) {
			buf[2 * i] = "0123456789abcdef"[(in->ip.a[i / 2] >>
			    (i % 2 ? 0 : 4)) & 15];
			buf[2 * i + 1] = '.';
			n = 63;
		}
		break;
	}
	if (s != NULL)
		n = snprintf(buf, cap, "%s", s);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

/* The k-th part (0-based) of v[0..n) split at delimiters d[0..nd). */
static const char *
part_at(const char *v, size_t n, const char *d, size_t nd, size_t k,
    size_t *plen)
{
	size_t	i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && memchr(d, v[i], nd) == NULL)
			continue;
		if (k-- == 0) {
			*plen = i - start;
			return v + start;
		}
		start = i + 1;
	}
	*plen = 0;
	return v;
}

/* One macro: split, reverse, keep the right-hand parts, join with '.'. */
static void
expand_one(const struct spf_macro_in *in, const struct macro *mc,
    struct out *o)
{
	char		 v[SPF_EXPAND_MAX], res[SPF_EXPAND_MAX];
	struct out	 r = { res, 0, sizeof(res), 0 };
	const char	*d = mc->ndelim ? mc->delim : ".", *p;
	size_t		 n, nd = mc->ndelim ? mc->ndelim : 1, parts = 1, i;
	size_t		 first, plen;

	n = letter_value(in, mc->letter, v, sizeof(v));
	for (i = 0; i < n; i++)
		parts += memchr(d, v[i], nd) != NULL;
	first = mc->digits && mc->digits < parts ? parts - mc->digits : 0;
	for (i = first; i < parts; i++) {
		p = part_at(v, n, d, nd, mc->reverse ? parts - 1 - i : i,
		    &plen);
		if (i > first)
			put(&r, ".", 1);
		put(&r, p, plen);
	}
	if (r.over)
		o->over = 1;
	else if (mc->upper)
		put_escaped(o, res, r.n);
	else
		put(o, res, r.n);
}

/* §7.3: cut whole labels off the left until at most 253 bytes remain. */
static size_t
cut_left(char *s, size_t n)
{
	size_t	i = 0;

	while (n - i > SPF_DOMAIN_MAX) {
		const char *dot = memchr(s + i, '.', n - i);

		if (dot == NULL)
			return 0;
		i = (size_t)(dot - s) + 1;
	}
	memmove(s, s + i, n - i);
	return n - i;
}

/*
 * Expand the macro-string s[0..n) (§7.3) into out (cap bytes, NUL
 * added).  exp: explanation text (c, r, t allowed).  Otherwise a domain
 * name: one trailing dot dropped and labels cut off the left until it
 * fits 253 bytes.  The length, or -1 with errno EINVAL (syntax) or
 * ENOSPC (longer than cap - 1 or SPF_EXPAND_MAX).
 */
int
spf_expand(const struct spf_macro_in *in, const char *s, size_t n, int exp,
    char *out, size_t cap)
{
	struct macro	mc;
	struct out	o = { out, 0, cap > 0 ? cap - 1 : 0, 0 };
	size_t		i;
	long		k;

	if (o.cap > SPF_EXPAND_MAX)
		o.cap = SPF_EXPAND_MAX;
	if (cap == 0 || !spf_macro_check(s, n, exp, NULL)) {
		errno = cap == 0 ? ENOSPC : EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			put(&o, s + i, 1);
			continue;
		}
		if (s[i + 1] != '{') {
			put(&o, s[i + 1] == '%' ? "%" : s[i + 1] == '_' ?
			    " " : "%20", s[i + 1] == '-' ? 3 : 1);
			i++;
			continue;
		}
		k = macro_parse(s + i, n - i, exp, &mc);
		expand_one(in, &mc, &o);
		i += (size_t)k - 1;
	}
	if (o.over) {
		errno = ENOSPC;
		return -1;
	}
	if (!exp && o.n > 0 && out[o.n - 1] == '.')
		o.n--;
	if (!exp)
		o.n = cut_left(out, o.n);
	out[o.n] = '\0';
	return (int)o.n;
}

/* Is ip inside net/bits of that family (4 or 6)?  1 or 0. */
int
spf_net_match(const struct ipaddr *ip, const unsigned char *net, int family,
    unsigned bits)
{
	unsigned	i, mask;

	if (ip->family != family)
		return 0;
	for (i = 0; bits > 0; i++, bits -= bits >= 8 ? 8 : bits) {
		mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
		if ((ip->a[i] & mask) != (net[i] & mask))
			return 0;
	}
	return 1;
}

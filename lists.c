/*
 * lists.c: the site's own lists, kept as files next to the policy and
 * checked like DNS lists, and list health: the state file the probe
 * (qqtag -T) writes and qqtag reads at start to skip broken DNS lists.
 *
 * Policy grammar (lines handed over by policy.c):
 *
 *   iplist LABEL FILE [format=F] [OPTION|FILTER]...   client IP blocklist
 *   ipwl LABEL FILE [format=F] [OPTION|FILTER]...     client IP allowlist
 *   domainlist LABEL FILE [OPTION|FILTER]...          From:/sender domains
 *   state FILE [MAXAGE]                                list-health state
 *
 * LABEL, OPTION and FILTER are those of the DNS lines (dnsbl.c): labels in
 * headers and logs, OCTETS[=WEIGHT][:TEST] filters on the codes of the
 * file, ipv4|ipv6, notxt, profile=NAME, TEST=WEIGHT.  Weights default to
 * 1 (iplist, domainlist) and -1 (ipwl); without filters every 127/8 code
 * is a listing; codes outside 127/8, 127.0.0.1 and 127.255.255.0/24 are
 * errors, as for DNS lists.  Results are struct dnsbl_result with kind
 * "dnsbl" (iplist), "dnswl" (ipwl) or "rhsbl" (domainlist).
 * FILE    an absolute path, plain or gzip (zlib reads both), in rbldnsd's
 *         syntax so that an rsync'd feed is used as it comes:
 *         format=auto (default for iplist/ipwl): IPv4 lines as rbldnsd's
 *         ip4set, IPv6 lines (an address whose first group ends in ':')
 *         as ip6trie; format=ip4set, ip6trie, ip6tset: that dataset only;
 *         domainlist files are dnset.
 * MAXAGE  seconds, or a number with s, m, h or d (default 1h): an older
 *         state file is ignored.
 *
 * File syntax (rbldnsd(8)): '#' and ';' lines are comments; ":A:TXT"
 * sets the value of the entries that follow (A: 127.0.0.N as N, or a full
 * address; TXT a template where $ is the address or domain, $$ a dollar,
 * $0..$9 the "$N text" variables, and with a "$= TEMPLATE" line the base
 * template in which $= is the entry's own text); an entry may carry its
 * own ":A:TXT", ":A" or TXT; '!' excludes.  ip4set: a.b.c.d, a.b.c.d/N,
 * prefixes a.b.c and a.b, ranges a.b.c.d-e.f.g.h, a.b-c.d, a.b.c.d-h; the
 * most specific octet level decides (a /32 entry beats a /24, an
 * exclusion at that level wins), several values at one level give several
 * codes.  ip6trie: CIDR prefixes (:: allowed, /N or 16-bit groups), the
 * longest prefix decides, the first of duplicates counts.  ip6tset: /64s
 * as four groups, /128 exclusions, one value for all (the first ':' line).
 * dnset: example.com (that name), *.example.com (names below it),
 * .example.com (both); the exact name decides first, then the longest
 * wildcard.  $TTL, $SOA, $NS lines are ignored; $MAXRANGE4 drops larger
 * IPv4 ranges; $TIMESTAMP STAMP [EXPIRES]: a file whose expiry passed is
 * the error "expired", one stamped in the future "future".
 *
 * A file that is missing, unreadable, a broken gzip stream, changed while
 * read, over LISTS_MAXUNITS entries or LISTS_MAXBYTES of text, or that has
 * more invalid lines than entries is an error result ("missing",
 * "unreadable", "corrupt", "toobig", ...), never a listing.  A list is read
 * once per message (qqtag is one process per message) keeping only what
 * the message's IP or domain can match, so memory stays constant whatever
 * the file's size; loaded whole (tests, the probe) it is sorted arrays and
 * binary search.
 *
 * State file (written by lists_probe, atomically; any deviation is
 * "corrupt" and the whole file is ignored):
 *
 *   qqtag-health 1 UNIXTIME
 *   ok LABEL
 *   broken LABEL REASON
 *   end COUNT
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "dns.h"
#include "dnsbl.h"
#include "lists.h"
#include "msg.h"

#define MAXLISTS	64		/* local lists in one policy */
#define MAXWORDS	64		/* words of one policy line */
#define LABELMAX	40
#define MAXLINE		8192		/* longer lines are cut (rbldnsd) */
#define TMPLMAX		255		/* TXT template bytes (rbldnsd) */
#define READBUF		65536
#define NSUBST		11		/* $0..$9, and $= at 10 */
#define SUBST_BASE	10
#define NAMEMAX		256		/* DNS name, wire or text */
#define DNTEXTMAX	1100		/* a wire name as escaped text */
#define STATEMAX	65536		/* bytes of a state file */
#define STATELINES	1024
#define DEFMAXAGE	3600UL
#define FUTURESLACK	300		/* state written "later" than now */
#define VAL_EXCL	0		/* value index of an exclusion */
#define VAL_DEF		1		/* 127.0.0.2 without TXT */
#define VAL_TSET	UINT32_MAX	/* ip6tset: the file's one value */
#define PROBE_RUNS	12		/* test addresses one probe asks */
#define PROBE_DOMS	8		/* test names one probe asks */
#define PROBE_WANTS	4		/* test points of one list */
/* queries of one probe: A and TXT of every list at every test point */
#define PROBE_QUERIES	((PROBE_RUNS + PROBE_DOMS) * 64 * 2)

/* ------------------------------------------------------------------ */
/* Types                                                                */

struct vec {
	void	*p;
	size_t	 n;
	size_t	 cap;
};

struct val {
	uint32_t a;			/* A code, host order */
	uint32_t off;			/* template, NUL-terminated */
};

struct e4 {
	uint32_t addr;
	uint32_t val;
};

struct e6 {
	unsigned char	a[16];
	uint32_t	val;
	uint32_t	seq;
	unsigned char	plen;
};

struct edn {
	uint32_t off;			/* length byte, then the wire name */
	uint32_t val;
};

struct grp {
	unsigned	plen;
	size_t		lo;
	size_t		hi;
};

struct lists_set {
	int			 format;
	time_t			 now;
	const struct lists_key	*key;	/* the filter while loading */
	struct vec		 vals;	/* struct val */
	struct vec		 text;	/* templates */
	struct vec		 names;	/* dnset names */
	struct vec		 e4[4];	/* /32 /24 /16 /8 */
	struct vec		 e6;
	struct vec		 dn[2];	/* plain, wildcard */
	struct grp		 g6[129];
	size_t			 ng6;
	char			*subst[NSUBST];
	uint32_t		 def;	/* value of entries without one */
	uint32_t		 tdef;	/* ip6tset: first ':' line */
	uint32_t		 maxrange;
	time_t			 expires;
	uint32_t		 seq;
	int			 err;
	struct lists_stats	 st;
};

struct reader {
	gzFile			 gz;
	const unsigned char	*mem;
	size_t			 memlen;
	size_t			 memoff;
	unsigned char		 buf[READBUF];
	size_t			 len;
	size_t			 off;
	size_t			 total;
	int			 eof;
	int			 err;
};

struct llist {
	struct dnsbl_list	*dl;
	struct dnsbl_list_info	 info;
	const char		*keyword;
	char			*file;
	int			 format;
	int			 domain;
};

struct lists_conf {
	struct llist	 l[MAXLISTS];
	size_t		 n;
	char		*state;
	unsigned long	 maxage;
};

struct check {
	struct check		*next;
	const struct llist	*l;
	char			 subject[NAMEMAX];
	int			 source;
	char			 txt[DNSBL_TXTMAX];
	size_t			 txtlen;
	struct dnsbl_result	*res;
	size_t			 nres;
};

struct lists_run {
	const struct lists_conf	*conf;
	struct check		*head;
	struct check		**tail;
	struct lists_key	 ipkey;
	int			 haveip;
};

static const char *const errname[] = { "ok", "missing", "unreadable",
	"corrupt", "toobig", "expired", "future", "nomem" };

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static int
is_space(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_comment(int c)
{
	return c == '#' || c == ';';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A hex digit's value, or -1 (a table: IPv6 feeds are millions of them). */
static int
hexval(int c)
{
	static const signed char v[256] = {
	    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	    ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	    ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11,
	    ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16 };

	return v[c & 0xff] - 1;
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static char *
skip_space(char *s)
{
	while (is_space((unsigned char)*s))
		s++;
	return s;
}

/* An entry's address may be followed by nothing, blanks, a comment, ':'. */
static int
tail_ok(int c)
{
	return c == '\0' || is_space(c) || is_comment(c) || c == ':';
}

static uint32_t
mask4(int bits)
{
	return bits <= 0 ? 0 : 0xffffffffU << (32 - bits);
}

static unsigned
ms_since(const struct timespec *t0)
{
	struct timespec t;
	long long ms;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	ms = (long long)(t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
	return ms < 0 ? 0 : (unsigned)ms;
}

static int
fmt_err(char *err, size_t errlen, int e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fmt_err(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = e;
	return -1;
}

/* Room for one more element of size sz, at most max elements. */
static void *
vec_add(struct vec *v, size_t sz, size_t max)
{
	size_t ncap;
	void *np;

	if (v->n >= max) {
		errno = EFBIG;
		return NULL;
	}
	if (v->n == v->cap) {
		ncap = v->cap < 64 ? 64 : v->cap * 2;
		if (ncap > max)
			ncap = max;
		if (ncap > SIZE_MAX / sz) {
			errno = ENOMEM;
			return NULL;
		}
		if ((np = realloc(v->p, ncap * sz)) == NULL)
			return NULL;
		v->p = np;
		v->cap = ncap;
	}
	return (char *)v->p + v->n++ * sz;
}

/* Append n bytes to a byte vector; the offset, or -1. */
static long long
vec_bytes(struct vec *v, const void *p, size_t n)
{
	size_t ncap, off = v->n;
	void *np;

	if (n > UINT32_MAX - off) {
		errno = EFBIG;
		return -1;
	}
	if (off + n > v->cap) {
		ncap = v->cap < 4096 ? 4096 : v->cap;
		while (ncap < off + n && ncap <= SIZE_MAX / 2)
			ncap *= 2;
		if (ncap < off + n || (np = realloc(v->p, ncap)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		v->p = np;
		v->cap = ncap;
	}
	memcpy((char *)v->p + off, p, n);
	v->n += n;
	return (long long)off;
}

static void
vec_free(struct vec *v)
{
	free(v->p);
	v->p = NULL;
	v->n = v->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Reading lines: a gzip or plain file through zlib, or memory          */

/* Refill the buffer: 0, or -1 with rd->err set. */
static int
rd_fill(struct reader *rd)
{
	int n, zerr;
	size_t k;

	rd->off = rd->len = 0;
	if (rd->gz == NULL) {
		k = rd->memlen - rd->memoff;
		k = k < sizeof(rd->buf) ? k : sizeof(rd->buf);
		memcpy(rd->buf, rd->mem + rd->memoff, k);
		rd->memoff += k;
		rd->len = k;
	} else if ((n = gzread(rd->gz, rd->buf, sizeof(rd->buf))) < 0) {
		(void)gzerror(rd->gz, &zerr);
		rd->err = zerr == Z_ERRNO ? LISTS_EUNREADABLE : LISTS_ECORRUPT;
		return -1;
	} else
		rd->len = (size_t)n;
	if (rd->len == 0) {
		rd->eof = 1;
		/* a gzip stream cut short reads as EOF with Z_BUF_ERROR */
		if (rd->gz != NULL && (gzerror(rd->gz, &zerr), zerr != Z_OK)) {
			rd->err = LISTS_ECORRUPT;
			return -1;
		}
	}
	rd->total += rd->len;
	if (rd->total > LISTS_MAXBYTES) {
		rd->err = LISTS_ETOOBIG;
		return -1;
	}
	return 0;
}

/*
 * The next line (without its LF) into line[0..*n), at most MAXLINE bytes:
 * the rest of a longer line is dropped, as rbldnsd does.  A last line
 * without LF counts.  1 a line, 0 end of file, -1 error (rd->err).
 */
static int
rd_line(struct reader *rd, char *line, size_t *n)
{
	const unsigned char *p;
	size_t take, room;
	int any = 0;

	*n = 0;
	for (;;) {
		if (rd->off == rd->len) {
			if (rd->eof || rd_fill(rd) == -1)
				return rd->err ? -1 : any;
			if (rd->len == 0)
				return any;
		}
		any = 1;
		p = memchr(rd->buf + rd->off, '\n', rd->len - rd->off);
		take = p != NULL ? (size_t)(p - (rd->buf + rd->off)) :
		    rd->len - rd->off;
		room = MAXLINE - *n;
		memcpy(line + *n, rd->buf + rd->off, take < room ? take : room);
		*n += take < room ? take : room;
		rd->off += take;
		if (p != NULL) {
			rd->off++;
			return 1;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Addresses and names as rbldnsd reads them                            */

/* Digits of one octet (any number of them, value <= 255). */
static int
ip4_octet(char **sp, uint32_t *o)
{
	char *s = *sp;
	uint32_t v;

	if (!is_digit((unsigned char)*s))
		return -1;
	for (v = 0; is_digit((unsigned char)*s); s++) {
		v = v * 10 + (uint32_t)(*s - '0');
		if (v > 255)
			return -1;
	}
	*o = v;
	*sp = s;
	return 0;
}

/* a, a.b, a.b.c or a.b.c.d: its bits (8..32), or -1; *np after it. */
static int
ip4_prefix(char *s, uint32_t *ap, char **np)
{
	uint32_t o;
	int i;

	*ap = 0;
	for (i = 0; i < 4; i++) {
		if (i > 0) {
			if (*s != '.')
				break;
			s++;
		}
		if (ip4_octet(&s, &o) == -1) {
			*np = s;
			return -1;
		}
		*ap |= o << (24 - 8 * i);
	}
	*np = s;
	return 8 * i;
}

/* /N: 0..32, or -1. */
static int
ip4_mbits(char *s, char **np)
{
	int bits = 0;

	if (!is_digit((unsigned char)*s))
		return -1;
	for (; is_digit((unsigned char)*s); s++)
		if ((bits = bits * 10 + (*s - '0')) > 32)
			return -1;
	*np = s;
	return bits;
}

/*
 * An ip4set address: prefix, CIDR or range, into a..b.  Returns the CIDR
 * bits (32 for a range; a bare number is refused), or -1.
 */
static int
ip4_range(char *s, uint32_t *a, uint32_t *b, char **np)
{
	int bits, bbits;

	if ((bits = ip4_prefix(s, a, &s)) < 0)
		return -1;
	if (*s == '-') {
		if ((bbits = ip4_prefix(s + 1, b, &s)) < 0)
			return -1;
		if (bbits == 8) {	/* 127.0.0.1-2: the last octet */
			*b = (*b >> (bits - 8)) | (*a & mask4(bits - 8));
			bbits = bits;
		} else if (bbits != bits)
			return -1;
		*b |= ~mask4(bbits);
		*np = s;
		return *a > *b ? -1 : 32;
	}
	if (*s == '/') {
		if ((bits = ip4_mbits(s + 1, &s)) < 0)
			return -1;
	} else if (bits == 8)
		return -1;
	*b = *a | ~mask4(bits);
	*np = s;
	return bits;
}

/* An A value: inet_aton's odd forms (127.1 = 127.0.0.1); bits or -1. */
static int
ip4_addr(char *s, uint32_t *ap, char **np)
{
	int bits = ip4_prefix(s, ap, np);

	if (bits == 8)
		*ap >>= 24;
	else if (bits == 16)
		*ap = (*ap & 0xff000000U) | ((*ap >> 16) & 255);
	else if (bits == 24)
		*ap = (*ap & 0xffff0000U) | ((*ap >> 8) & 255);
	return bits;
}

/* One group of up to four hex digits; -1 when none or over 0xffff. */
static int
ip6_group(char **sp, unsigned *v)
{
	char *s = *sp;
	int h;

	*v = 0;
	for (; (h = hexval((unsigned char)*s)) >= 0; s++) {
		*v = (*v << 4) | (unsigned)h;
		if (*v > 0xffff)
			break;
	}
	if (s == *sp || *v > 0xffff) {
		*sp = s;
		return -1;
	}
	*sp = s;
	return 0;
}

/*
 * rbldnsd's IPv6 prefix: 16-bit groups separated by ':', one "::" (which
 * makes a full address).  Returns the bits given (16..128), or -1.
 */
static int
ip6_prefix(char *s, unsigned char a[16], char **np)
{
	unsigned v, bytes = 0, nz;
	int zstart = -1, ret = -1;

	memset(a, 0, 16);
	if (s[0] == ':' && s[1] == ':') {
		zstart = 0;
		s += 2;
	}
	for (;;) {
		if (ip6_group(&s, &v) == -1)
			break;
		a[bytes++] = (unsigned char)(v >> 8);
		a[bytes++] = (unsigned char)v;
		if (*s != ':' || bytes + 2 > 16) {
			ret = (int)bytes * 8;
			break;
		}
		s++;
		if (zstart < 0 && *s == ':') {
			zstart = (int)bytes;
			s++;
		}
	}
	if (zstart >= 0) {
		if ((nz = 16 - bytes) == 0)
			ret = -1;
		else {
			memmove(a + zstart + nz, a + zstart, bytes -
			    (unsigned)zstart);
			memset(a + zstart, 0, nz);
			ret = 128;
		}
	}
	*np = s;
	return ret;
}

/* An ip6trie prefix with an optional /N: bits (0..128), or -1. */
static int
ip6_cidr(char *s, unsigned char a[16], char **np)
{
	int bits = ip6_prefix(s, a, &s);

	if (bits >= 0 && *s == '/') {
		s++;
		if (!is_digit((unsigned char)*s))
			return -1;
		for (bits = 0; is_digit((unsigned char)*s); s++)
			if ((bits = bits * 10 + (*s - '0')) > 128)
				return -1;
	} else if (bits == 16)
		return -1;	/* a bare number */
	*np = s;
	return bits;
}

/* Clear the bits past plen (0..128); 1 if any was set. */
static int
ip6_mask(unsigned char a[16], unsigned plen)
{
	unsigned i = plen / 8;
	int host = 0;

	if (i < 16 && plen % 8 != 0) {
		unsigned char m = (unsigned char)(0xff << (8 - plen % 8));

		host = (a[i] & ~m) != 0;
		a[i++] &= m;
	}
	for (; i < 16; i++) {
		host |= a[i] != 0;
		a[i] = 0;
	}
	return host;
}

/* Does a begin with the plen-bit prefix p? */
static int
ip6_in(const unsigned char *a, const unsigned char *p, unsigned plen)
{
	unsigned char t[16];

	memcpy(t, a, 16);
	(void)ip6_mask(t, plen);
	return memcmp(t, p, 16) == 0;
}

/*
 * A name in text (rbldnsd's dns_ptodn: \X and \DDD escapes, empty labels
 * dropped) into wire format, lowercased.  Its length (with the final 0),
 * or 0 for a bad name.
 */
static size_t
name_wire(const char *s, size_t n, unsigned char *dn)
{
	size_t d = 1, label = 1, i = 0;
	unsigned c;

	while (i < n) {
		c = (unsigned char)s[i++];
		if (c == '.') {
			if (d - label > 63)
				return 0;
			if (d != label) {
				dn[label - 1] = (unsigned char)(d - label);
				label = ++d;
			}
			continue;
		}
		if (c == '\\') {
			if (i == n)
				break;
			c = (unsigned char)s[i++];
			if (is_digit((int)c)) {
				c -= '0';
				if (i < n && is_digit((unsigned char)s[i])) {
					c = c * 10 + (unsigned)(s[i++] - '0');
					if (i < n && is_digit((unsigned char)
					    s[i])) {
						c = c * 10 +
						    (unsigned)(s[i++] - '0');
						if (c > 255)
							return 0;
					}
				}
			}
		}
		if (d >= NAMEMAX - 2)
			return 0;
		dn[d++] = (unsigned char)lower((int)c);
	}
	if (d - label > 63)
		return 0;
	dn[label - 1] = (unsigned char)(d - label);
	if (d != label)
		dn[d++] = 0;
	return d;
}

/* A wire name as rbldnsd prints it ($ in a dnset TXT); its length. */
static size_t
name_text(const unsigned char *dn, char *out, size_t size)
{
	static const char special[] = "\".;\\@$";
	size_t o = 0, i, n;
	unsigned char c;

	if (dn[0] == 0)
		return (size_t)snprintf(out, size, ".");
	for (; (n = *dn++) != 0; dn += n) {
		if (o > 0 && o + 1 < size)
			out[o++] = '.';
		for (i = 0; i < n && o + 5 < size; i++) {
			c = dn[i];
			if (c != '\0' && strchr(special, c) != NULL) {
				out[o++] = '\\';
				out[o++] = (char)c;
			} else if (c <= 0x20 || c >= 0x7f)
				o += (size_t)snprintf(out + o, size - o,
				    "\\%03u", c);
			else
				out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

/* rbldnsd's text of an IPv6 address: the longest zero run as ::. */
static void
ip6_text(const unsigned char *a, char *out, size_t size)
{
	unsigned w[8], i, nz, best = 0, start = 0;
	size_t o = 0;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 8; i++) {
		for (nz = 0; i + nz < 8 && w[i + nz] == 0; nz++)
			;
		if (nz > 1 && nz > best) {
			best = nz;
			start = i;
		}
	}
	for (i = 0; i < 8 && o + 6 < size; i++) {
		if (best > 0 && i == start) {
			o += (size_t)snprintf(out + o, size - o, "::");
			i += best - 1;
			continue;
		}
		o += (size_t)snprintf(out + o, size - o, "%s%x",
		    o > 0 && out[o - 1] != ':' ? ":" : "", w[i]);
	}
	out[o] = '\0';
}

/* ------------------------------------------------------------------ */
/* Values: an A code and a TXT template                                 */

static int
set_fail(struct lists_set *s, int e)
{
	if (s->err == LISTS_OK)
		s->err = e;
	return -1;
}

static int
errno_fail(struct lists_set *s)
{
	return set_fail(s, errno == EFBIG ? LISTS_ETOOBIG : LISTS_ENOMEM);
}

static const char *
tmpl_of(const struct lists_set *s, uint32_t v)
{
	return (const char *)s->text.p + ((struct val *)s->vals.p)[v].off;
}

/*
 * The index of value (a, t[0..n)); the last one again when equal.  t may
 * point into s->text (":A" takes the default's TXT), which growing moves:
 * it is copied first.
 */
static int
val_add(struct lists_set *s, uint32_t a, const char *src, size_t n,
    uint32_t *idx)
{
	char t[TMPLMAX + 1];
	struct val *v;
	long long off;

	if (n > TMPLMAX)
		n = TMPLMAX;
	memcpy(t, src, n);
	t[n] = '\0';
	if (s->vals.n > VAL_DEF) {
		v = (struct val *)s->vals.p + s->vals.n - 1;
		if (v->a == a && strncmp(tmpl_of(s, (uint32_t)(s->vals.n -
		    1)), t, n) == 0 && tmpl_of(s, (uint32_t)(s->vals.n -
		    1))[n] == '\0') {
			*idx = (uint32_t)(s->vals.n - 1);
			return 0;
		}
	}
	if ((off = vec_bytes(&s->text, t, n)) == -1 ||
	    vec_bytes(&s->text, "", 1) == -1 ||
	    (v = vec_add(&s->vals, sizeof(*v), UINT32_MAX - 1)) == NULL)
		return errno_fail(s);
	v->a = a;
	v->off = (uint32_t)off;
	*idx = (uint32_t)(s->vals.n - 1);
	return 0;
}

/*
 * rbldnsd's value syntax at p: ":A:TXT", ":A" (the TXT of def) or TXT
 * (the A of def).  1 invalid, 0 with *idx, -1 fatal.
 */
static int
parse_value(struct lists_set *s, char *p, uint32_t def, uint32_t *idx)
{
	const struct val *d = (const struct val *)s->vals.p + def;
	const char *t;
	uint32_t a;
	int bits;

	if (*p == ':') {
		bits = ip4_addr(p + 1, &a, &p);
		if (bits <= 0 || a == 0)
			return 1;
		if (bits == 8)
			a |= 0x7f000000U;	/* :2 is 127.0.0.2 */
		p = skip_space(p);
		if (*p == ':')
			t = skip_space(p + 1);
		else if (*p != '\0')
			return 1;
		else
			t = tmpl_of(s, def);
	} else {
		a = d->a;
		t = p;
	}
	return val_add(s, a, t, strlen(t), idx);
}

/* ":A:TXT" line: the value of the entries that follow. */
static int
default_line(struct lists_set *s, char *p)
{
	uint32_t v;
	int r;

	if (s->format == LISTS_IP6TSET && s->tdef != 0)
		return 0;	/* ip6tset: the first one counts */
	if ((r = parse_value(s, p, VAL_DEF, &v)) != 0)
		return r;
	if (s->format == LISTS_IP6TSET)
		s->tdef = v;
	else
		s->def = v;
	return 0;
}

/* The value of an entry whose address ended at p. */
static int
entry_value(struct lists_set *s, int excl, char *p, uint32_t *v)
{
	if (excl) {
		*v = VAL_EXCL;
		return 0;
	}
	p = skip_space(p);
	if (*p == '\0' || is_comment((unsigned char)*p)) {
		*v = s->def;
		return 0;
	}
	return parse_value(s, p, s->def, v);
}

/* Append n bytes of src at *lp, never past e. */
static void
put(char **lp, char *e, const char *src, size_t n)
{
	if (n > (size_t)(e - *lp))
		n = (size_t)(e - *lp);
	memcpy(*lp, src, n);
	*lp += n;
}

/*
 * rbldnsd's TXT substitution of template txt for subject s0 into out
 * (LISTS_TXTLEN bytes): $ the subject, $$ a dollar, $N a variable ($N
 * itself when unset), with a base template $= the entry's own text (or
 * the subject) inside it; a leading '=' escapes the base template.
 */
static size_t
txt_subst(const struct lists_set *s, const char *txt, const char *s0,
    char *out)
{
	char *lp = out, *e = out + LISTS_TXTLEN;
	const char *base = s->subst[SUBST_BASE], *sx, *q, *srec = s0;

	if (txt[0] == '=')
		sx = ++txt;
	else if (base != NULL && *base != '\0') {
		sx = *txt ? txt : s0;
		txt = base;
	} else
		sx = txt;
	while (lp < e) {
		q = strchr(txt, '$');
		if (q == NULL)
			q = txt + strlen(txt);
		put(&lp, e, txt, (size_t)(q - txt));
		if (*q++ == '\0')
			break;
		if (*q == '$')
			put(&lp, e, q++, 1);
		else if (is_digit((unsigned char)*q)) {
			if (s->subst[*q - '0'] == NULL)
				put(&lp, e, q - 1, 2);
			else
				put(&lp, e, s->subst[*q - '0'],
				    strlen(s->subst[*q - '0']));
			q++;
		} else if (*q == '=') {
			put(&lp, e, sx, strlen(sx));
			q++;
		} else
			put(&lp, e, srec, strlen(srec));
		txt = q;
	}
	return (size_t)(lp - out);
}

/* ------------------------------------------------------------------ */
/* Special lines: $TTL $SOA $NS $MAXRANGE4 $TIMESTAMP $N $=             */

/* The word w (lowercase) at p, case-insensitively, then blanks: past it. */
static char *
first_word(char *p, const char *w)
{
	for (; *w != '\0'; w++, p++)
		if (lower((unsigned char)*p) != *w)
			return NULL;
	return is_space((unsigned char)*p) ? skip_space(p) : NULL;
}

/* rbldnsd's time: a number with an optional unit s m h d w; or NULL. */
static char *
parse_time(char *s, unsigned long *t)
{
	unsigned long m = 1;
	char *e;

	if (!is_digit((unsigned char)*s))
		return NULL;
	errno = 0;
	*t = strtoul(s, &e, 10);
	if (errno != 0 || *t > 0xffffffffUL)
		return NULL;
	switch (lower((unsigned char)*e)) {
	case 'w': m = 7 * 24 * 3600; e++; break;
	case 'd': m = 24 * 3600; e++; break;
	case 'h': m = 3600; e++; break;
	case 'm': m = 60; e++; break;
	case 's': e++; break;
	default: break;
	}
	if (*t > 0xffffffffUL / m)
		return NULL;
	*t *= m;
	if (*e != '\0' && *e != ':') {
		if (!is_space((unsigned char)*e))
			return NULL;
		e = skip_space(e);
	}
	return e;
}

/* One field of a timestamp: up to w digits in [lo, hi], then : or -. */
static char *
stamp_field(char *s, unsigned *v, unsigned lo, unsigned hi, int w)
{
	unsigned n = 0;

	if (!is_digit((unsigned char)*s))
		return NULL;
	do
		n = n * 10 + (unsigned)(*s++ - '0');
	while (is_digit((unsigned char)*s) && --w > 0);
	if (n < lo || n > hi)
		return NULL;
	if (*s == ':' || *s == '-')
		s++;
	*v = n;
	return s;
}

static int
leap(unsigned y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* rbldnsd's yyyy:mm:dd[:hh[:mi[:ss]]], or 0 / - / : for none. */
static char *
parse_stamp(char *s, time_t *tp)
{
	static const unsigned mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	unsigned f[6] = { 0, 0, 0, 0, 0, 0 }, i, days;

	if ((*s == '0' || *s == '-' || *s == ':') && (s[1] == '\0' ||
	    is_space((unsigned char)s[1]))) {
		*tp = 0;
		return skip_space(s + 1);
	}
	if ((s = stamp_field(s, &f[0], 1970, 2038, 4)) == NULL ||
	    (s = stamp_field(s, &f[1], 1, 12, 2)) == NULL ||
	    (s = stamp_field(s, &f[2], 1, f[1] == 2 && leap(f[0]) ? 29 :
	    mdays[f[1] - 1], 2)) == NULL)
		return NULL;
	for (i = 3; i < 6 && *s != '\0' && !is_space((unsigned char)*s); i++)
		if ((s = stamp_field(s, &f[i], 0, i == 3 ? 23 : 59, 2)) ==
		    NULL)
			return NULL;
	if (*s != '\0' && !is_space((unsigned char)*s))
		return NULL;
	days = 365 * (f[0] - 1970) + f[2] - 1;
	for (i = 1970; i < f[0]; i++)
		days += leap(i);
	for (i = 0; i + 1 < f[1]; i++)
		days += mdays[i] + (i == 1 && leap(f[0]));
	*tp = (time_t)(((days * 24ULL + f[3]) * 60 + f[4]) * 60 + f[5]);
	return skip_space(s);
}

/* $TIMESTAMP STAMP [EXPIRES|+TIME]: 1 invalid, 0, -1 stamped later. */
static int
special_stamp(struct lists_set *s, char *w)
{
	time_t stamp, exp;
	unsigned long rel;

	if ((w = parse_stamp(w, &stamp)) == NULL)
		return 1;
	if (*w == '\0')
		exp = 0;
	else if (*w == '+') {
		if ((w = parse_time(w + 1, &rel)) == NULL || *w != '\0' ||
		    stamp == 0 || rel == 0)
			return 1;
		exp = stamp + (time_t)rel;
	} else if ((w = parse_stamp(w, &exp)) == NULL || *w != '\0')
		return 1;
	if (stamp != 0 && stamp > s->now)
		return set_fail(s, LISTS_EFUTURE);
	if (exp != 0 && (s->expires == 0 || s->expires > exp))
		s->expires = exp;
	return 0;
}

/* $MAXRANGE4 N or /N: IPv4 entries of N addresses or more are dropped. */
static int
special_maxrange(struct lists_set *s, char *w)
{
	unsigned long r;
	int cidr = *w == '/';
	char *e;

	w += cidr;
	if (!is_digit((unsigned char)*w))
		return 1;
	errno = 0;
	r = strtoul(w, &e, 10);
	e = skip_space(e);
	if (errno != 0 || *e != '\0' || r == 0 || r > 0xffffffffUL ||
	    (cidr && r > 32))
		return 1;
	if (cidr)
		r = (unsigned long)(uint32_t)(~mask4((int)r) + 1U);
	if (s->maxrange == 0 || s->maxrange >= r)
		s->maxrange = (uint32_t)r;	/* only ever lowered */
	return 0;
}

/* "$N text" or "$= text": a substitution variable, the first one counts. */
static int
special_var(struct lists_set *s, char *p)
{
	int n = *p == '=' ? SUBST_BASE : *p - '0';

	p = skip_space(p + 2);
	if (*p == '\0')
		return 1;
	if (s->subst[n] != NULL)
		return 0;
	if ((s->subst[n] = strdup(p)) == NULL)
		return set_fail(s, LISTS_ENOMEM);
	return 0;
}

/* A $ line (p after the '$'): 0, 1 invalid, -1 fatal. */
static int
special_line(struct lists_set *s, char *p)
{
	char *w;

	if (first_word(p, "soa") != NULL || first_word(p, "ns") != NULL ||
	    first_word(p, "nameserver") != NULL ||
	    first_word(p, "ttl") != NULL)
		return 0;	/* zone data: nothing to do for a local list */
	if ((w = first_word(p, "maxrange4")) != NULL)
		return special_maxrange(s, w);
	if ((w = first_word(p, "timestamp")) != NULL)
		return special_stamp(s, w);
	if ((is_digit((unsigned char)p[0]) || p[0] == '=') &&
	    is_space((unsigned char)p[1]))
		return special_var(s, p);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Entries                                                              */

/* Count units against the cap; -1 (toobig) past it. */
static int
count_units(struct lists_set *s, size_t n)
{
	if (n > LISTS_MAXUNITS - s->st.units)
		return set_fail(s, LISTS_ETOOBIG);
	s->st.units += n;
	return 0;
}

static int
push4(struct lists_set *s, int idx, uint32_t addr, uint32_t val)
{
	struct e4 *e;

	if ((e = vec_add(&s->e4[idx], sizeof(*e), LISTS_MAXUNITS)) == NULL)
		return errno_fail(s);
	e->addr = addr;
	e->val = val;
	s->st.kept++;
	return 0;
}

static uint32_t
key4(const struct lists_key *k)
{
	return (uint32_t)k->addr[0] << 24 | (uint32_t)k->addr[1] << 16 |
	    (uint32_t)k->addr[2] << 8 | k->addr[3];
}

/*
 * count IPv4 entries at octet level idx (0: /32 ... 3: /8) from start;
 * with a key only the one that covers it.
 */
static int
add4(struct lists_set *s, int idx, uint32_t start, uint32_t count,
    uint32_t val)
{
	int sh = 8 * idx;
	uint32_t i, q;

	if (count == 0)
		return 0;
	if (count_units(s, count) == -1)
		return -1;
	if (s->key != NULL) {
		if (s->key->family != 4)
			return 0;
		q = key4(s->key) & mask4(32 - sh);
		if (q < start || ((q - start) >> sh) >= count)
			return 0;
		return push4(s, idx, q, val);
	}
	for (i = 0; i < count; i++)
		if (push4(s, idx, start + (i << sh), val) == -1)
			return -1;
	return 0;
}

/* One octet level of rbldnsd's range expansion; 1 when a..b is done. */
static int
expand_level(struct lists_set *s, int lvl, uint32_t *a, uint32_t *b,
    uint32_t v, int *r)
{
	int sh = 8 * lvl;

	if ((*a | 255U) >= *b) {
		if (*b - *a == 255U)
			*r = add4(s, lvl + 1, *a << sh, 1, v);
		else
			*r = add4(s, lvl, *a << sh, *b - *a + 1, v);
		return 1;
	}
	if (*a & 255U) {
		if ((*r = add4(s, lvl, *a << sh, 256U - (*a & 255U), v)) != 0)
			return 1;
		*a = (*a >> 8) + 1;
	} else
		*a >>= 8;
	if ((*b & 255U) != 255U) {
		if ((*r = add4(s, lvl, (*b & ~255U) << sh, (*b & 255U) + 1,
		    v)) != 0)
			return 1;
		*b = (*b >> 8) - 1;
	} else
		*b >>= 8;
	return 0;
}

/* An IPv4 range as entries at the /32, /24, /16 and /8 levels. */
static int
add_range4(struct lists_set *s, uint32_t a, uint32_t b, uint32_t v)
{
	int lvl, r = 0;

	for (lvl = 0; lvl < 3; lvl++)
		if (expand_level(s, lvl, &a, &b, v, &r))
			return r;
	return add4(s, 3, a << 24, b - a + 1, v);
}

/* An IPv6 prefix (host bits clear). */
static int
add6(struct lists_set *s, const unsigned char *a, unsigned plen,
    uint32_t v)
{
	struct e6 *e;

	if (count_units(s, 1) == -1)
		return -1;
	s->seq++;
	if (s->key != NULL && (s->key->family != 6 ||
	    !ip6_in(s->key->addr, a, plen)))
		return 0;
	if ((e = vec_add(&s->e6, sizeof(*e), LISTS_MAXUNITS)) == NULL)
		return errno_fail(s);
	memcpy(e->a, a, 16);
	e->plen = (unsigned char)plen;
	e->val = v;
	e->seq = s->seq;
	s->st.kept++;
	return 0;
}

/* Is the wire name w a proper suffix of the key's name? */
static int
key_below(const struct lists_key *k, const unsigned char *w, size_t wlen)
{
	size_t o = 0;

	while (o < k->dnlen && k->dn[o] != 0) {
		o += (size_t)k->dn[o] + 1;
		if (k->dnlen - o == wlen && memcmp(k->dn + o, w, wlen) == 0)
			return 1;
	}
	return 0;
}

/* A dnset name into the plain (0) or wildcard (1) entries. */
static int
add_dn(struct lists_set *s, int wild, const unsigned char *w, size_t wlen,
    uint32_t v, long long *off)
{
	unsigned char lb = (unsigned char)wlen;
	struct edn *e;

	if (count_units(s, 1) == -1)
		return -1;
	if (s->key != NULL && (s->key->family != 0 || (wild ?
	    !key_below(s->key, w, wlen) : (s->key->dnlen != wlen ||
	    memcmp(s->key->dn, w, wlen) != 0))))
		return 0;
	if (*off < 0 && ((*off = vec_bytes(&s->names, &lb, 1)) == -1 ||
	    vec_bytes(&s->names, w, wlen) == -1))
		return errno_fail(s);
	if ((e = vec_add(&s->dn[wild], sizeof(*e), LISTS_MAXUNITS)) == NULL)
		return errno_fail(s);
	e->off = (uint32_t)*off;
	e->val = v;
	s->st.kept++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lines of each format: 0 taken, 1 invalid, -1 fatal (s->err)          */

static int
ip4set_line(struct lists_set *s, char *p)
{
	uint32_t a, b, v;
	int excl, bits, r;

	if ((excl = *p == '!'))
		p = skip_space(p + 1);
	if ((bits = ip4_range(p, &a, &b, &p)) <= 0 ||
	    !tail_ok((unsigned char)*p) || (a & ~mask4(bits)) != 0 ||
	    (s->maxrange != 0 && s->maxrange <= b - a))
		return 1;
	if ((r = entry_value(s, excl, p, &v)) != 0)
		return r;
	return add_range4(s, a, b, v);
}

static int
ip6trie_line(struct lists_set *s, char *p)
{
	unsigned char a[16];
	uint32_t v;
	int excl, bits, r;

	if ((excl = *p == '!'))
		p = skip_space(p + 1);
	if ((bits = ip6_cidr(p, a, &p)) < 0 || !tail_ok((unsigned char)*p) ||
	    ip6_mask(a, (unsigned)bits))
		return 1;
	if ((r = entry_value(s, excl, p, &v)) != 0)
		return r;
	return add6(s, a, (unsigned)bits, v);
}

static int
ip6tset_line(struct lists_set *s, char *p)
{
	unsigned char a[16];
	int excl, bits;

	if ((excl = *p == '!'))
		p = skip_space(p + 1);
	if ((bits = ip6_prefix(p, a, &p)) < 0 || !tail_ok((unsigned char)*p) ||
	    bits != (excl ? 128 : 64))
		return 1;
	return add6(s, a, (unsigned)bits, excl ? VAL_EXCL : VAL_TSET);
}

static int
dnset_line(struct lists_set *s, char *p)
{
	unsigned char w[NAMEMAX];
	long long off = -1;
	size_t n, wlen;
	uint32_t v;
	int excl, wild = 0, plain = 1, r;

	if ((excl = *p == '!'))
		p = skip_space(p + 1);
	if (*p == '.') {
		wild = 1;
		p++;
	} else if (p[0] == '*' && p[1] == '.') {
		wild = 1;
		plain = 0;
		p += 2;
	}
	for (n = 0; p[n] != '\0' && !is_space((unsigned char)p[n]); n++)
		;
	if (n == 0 || (wlen = name_wire(p, n, w)) <= 1)
		return 1;
	if ((r = entry_value(s, excl, p + n, &v)) != 0)
		return r;
	if (plain && add_dn(s, 0, w, wlen, v, &off) == -1)
		return -1;
	return wild ? add_dn(s, 1, w, wlen, v, &off) : 0;
}

/* format=auto: an address whose first group ends in ':' is IPv6. */
static int
auto_line(struct lists_set *s, char *p)
{
	char *q = p, *h;

	if (*q == '!')
		q = skip_space(q + 1);
	if (q[0] == ':' && q[1] == ':')
		return ip6trie_line(s, p);
	for (h = q; hexval((unsigned char)*q) >= 0; q++)
		;
	return *q == ':' && q != h ? ip6trie_line(s, p) : ip4set_line(s, p);
}

/* A line after rbldnsd's trimming: specials, comments, defaults, data. */
static int
data_line(struct lists_set *s, char *p)
{
	int r;

	if (p[0] == '$' || ((is_comment((unsigned char)p[0]) || p[0] == ':')
	    && p[1] == '$'))
		return special_line(s, p[0] == '$' ? p + 1 : p + 2);
	if (p[0] == '\0' || is_comment((unsigned char)p[0]))
		return 0;
	if (p[0] == ':' && (p[1] != ':' || s->format == LISTS_IP6TSET ||
	    s->format == LISTS_IP4SET || s->format == LISTS_DNSET))
		return default_line(s, p);
	switch (s->format) {
	case LISTS_IP4SET:
		r = ip4set_line(s, p);
		break;
	case LISTS_IP6TRIE:
		r = ip6trie_line(s, p);
		break;
	case LISTS_IP6TSET:
		r = ip6tset_line(s, p);
		break;
	case LISTS_DNSET:
		r = dnset_line(s, p);
		break;
	default:
		r = auto_line(s, p);
		break;
	}
	if (r == 0)
		s->st.entries++;
	return r;
}

/* One raw line: cut at NUL, drop a CR before the LF, trim, parse. */
static int
one_line(struct lists_set *s, char *line, size_t n)
{
	char *p;
	int r;

	s->st.lines++;
	n = strnlen(line, n);
	if (n > 0 && line[n - 1] == '\r')
		n--;
	while (n > 0 && is_space((unsigned char)line[n - 1]))
		n--;
	line[n] = '\0';
	p = skip_space(line);
	if ((r = data_line(s, p)) == 1 && s->st.invalid++ == 0)
		s->st.firstbad = s->st.lines;
	return r == -1 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */

static struct lists_set *
set_new(int format, const struct lists_key *key, time_t now)
{
	struct lists_set *s;
	struct val *v;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->format = format;
	s->key = key;
	s->now = now;
	s->def = VAL_DEF;
	if (vec_bytes(&s->text, "", 1) == -1 ||
	    vec_add(&s->vals, sizeof(*v), 2) == NULL ||
	    vec_add(&s->vals, sizeof(*v), 2) == NULL) {
		lists_set_free(s);
		return NULL;
	}
	v = s->vals.p;
	v[VAL_EXCL].a = 0;
	v[VAL_EXCL].off = 0;
	v[VAL_DEF].a = 0x7f000002U;	/* rbldnsd's: 127.0.0.2, no TXT */
	v[VAL_DEF].off = 0;
	return s;
}

static int
read_all(struct lists_set *s, struct reader *rd)
{
	char *line;
	size_t n;
	int r;

	if ((line = malloc(MAXLINE + 1)) == NULL)
		return set_fail(s, LISTS_ENOMEM);
	while ((r = rd_line(rd, line, &n)) == 1)
		if (one_line(s, line, n) == -1)
			break;
	if (r == -1)
		(void)set_fail(s, rd->err);
	s->st.bytes = rd->total;
	free(line);
	return s->err != LISTS_OK ? -1 : 0;
}

static int
cmp4(const void *x, const void *y)
{
	const struct e4 *a = x, *b = y;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->val < b->val ? -1 : a->val > b->val;
}

static int
cmp6(const void *x, const void *y)
{
	const struct e6 *a = x, *b = y;
	int c;

	if (a->plen != b->plen)
		return a->plen > b->plen ? -1 : 1;	/* longest first */
	if ((c = memcmp(a->a, b->a, 16)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Wire names: by length, then bytes (any order does, this is rbldnsd's). */
static int
name_cmp(const unsigned char *a, const unsigned char *b)
{
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return memcmp(a + 1, b + 1, a[0]);
}

static const unsigned char *names_base;	/* for cmpdn under qsort */

static int
cmpdn(const void *x, const void *y)
{
	const struct edn *a = x, *b = y;
	int c;

	if ((c = name_cmp(names_base + a->off, names_base + b->off)) != 0)
		return c;
	return a->val < b->val ? -1 : a->val > b->val;
}

/* Sort, then drop repeats (same key and value; e6: same prefix). */
static void
sort_vec(struct vec *v, size_t sz, int (*cmp)(const void *, const void *),
    int prefix)
{
	char *p = v->p;
	size_t i, o;

	if (v->n < 2)
		return;
	qsort(p, v->n, sz, cmp);
	for (i = 1, o = 1; i < v->n; i++) {
		const char *prev = p + (o - 1) * sz, *cur = p + i * sz;

		if (prefix ? memcmp(prev, cur, 16) == 0 && ((const struct e6 *)
		    prev)->plen == ((const struct e6 *)cur)->plen :
		    cmp(prev, cur) == 0)
			continue;	/* ip6trie: the first prefix counts */
		if (o != i)
			memcpy(p + o * sz, cur, sz);
		o++;
	}
	v->n = o;
}

static void
group6(struct lists_set *s)
{
	const struct e6 *e = s->e6.p;
	size_t i;

	s->ng6 = 0;
	for (i = 0; i < s->e6.n; i++) {
		if (s->ng6 == 0 || s->g6[s->ng6 - 1].plen != e[i].plen) {
			s->g6[s->ng6].plen = e[i].plen;
			s->g6[s->ng6].lo = i;
			s->ng6++;
		}
		s->g6[s->ng6 - 1].hi = i + 1;
	}
}

/* Sorted arrays, the file's verdicts (corrupt, expired); 0 or -1. */
static int
finish(struct lists_set *s)
{
	struct e6 *e = s->e6.p;
	size_t i;

	if (s->err != LISTS_OK)
		return -1;
	for (i = 0; i < s->e6.n; i++)
		if (e[i].val == VAL_TSET)
			e[i].val = s->tdef != 0 ? s->tdef : VAL_DEF;
	for (i = 0; i < 4; i++)
		sort_vec(&s->e4[i], sizeof(struct e4), cmp4, 0);
	sort_vec(&s->e6, sizeof(struct e6), cmp6, 1);
	group6(s);
	names_base = s->names.p;
	for (i = 0; i < 2; i++)
		sort_vec(&s->dn[i], sizeof(struct edn), cmpdn, 0);
	names_base = NULL;
	if (s->st.invalid > 0 && s->st.invalid > s->st.entries)
		return set_fail(s, LISTS_ECORRUPT);
	if (s->expires != 0 && s->now > s->expires)
		return set_fail(s, LISTS_EEXPIRED);
	s->key = NULL;
	return 0;
}

/* Hand over a finished set, or its error. */
static struct lists_set *
load_end(struct lists_set *s, struct lists_stats *st, int *err)
{
	int e;

	if (st != NULL)
		*st = s->st;
	if (finish(s) == -1) {
		e = s->err;
		if (st != NULL)
			*st = s->st;
		lists_set_free(s);
		*err = e;
		return NULL;
	}
	if (st != NULL)
		*st = s->st;
	*err = LISTS_OK;
	return s;
}

/*
 * Load a list from memory (the fuzz target and the unit tests): format a
 * lists_format, key NULL for everything or a filter, now for $TIMESTAMP.
 * NULL with *err a LISTS_E* code; st (may be NULL) gets the counts.
 */
struct lists_set *
lists_load_mem(const void *p, size_t n, int format,
    const struct lists_key *key, time_t now, struct lists_stats *st,
    int *err)
{
	struct lists_set *s;
	struct reader *rd;

	if ((s = set_new(format, key, now)) == NULL ||
	    (rd = calloc(1, sizeof(*rd))) == NULL) {
		lists_set_free(s);
		*err = LISTS_ENOMEM;
		return NULL;
	}
	rd->mem = p;
	rd->memlen = n;
	(void)read_all(s, rd);
	free(rd);
	return load_end(s, st, err);
}

static int
open_err(void)
{
	return errno == ENOENT || errno == ENOTDIR ? LISTS_EMISSING :
	    errno == ENOMEM ? LISTS_ENOMEM : LISTS_EUNREADABLE;
}

/* Read a file through zlib; -1 with s->err. */
static int
read_file(struct lists_set *s, int fd, const struct stat *st0)
{
	struct reader *rd;
	struct stat st1;
	int r;

	if ((rd = calloc(1, sizeof(*rd))) == NULL) {
		(void)close(fd);
		return set_fail(s, LISTS_ENOMEM);
	}
	if ((rd->gz = gzdopen(fd, "rb")) == NULL) {
		(void)close(fd);
		free(rd);
		return set_fail(s, LISTS_ENOMEM);
	}
	(void)gzbuffer(rd->gz, READBUF);
	r = read_all(s, rd);
	/* rbldnsd's rule: a file written in place while read is no file */
	if (r == 0 && (fstat(fd, &st1) == -1 || st1.st_size != st0->st_size ||
	    st1.st_mtim.tv_sec != st0->st_mtim.tv_sec ||
	    st1.st_mtim.tv_nsec != st0->st_mtim.tv_nsec))
		r = set_fail(s, LISTS_ECORRUPT);
	(void)gzclose(rd->gz);
	free(rd);
	return r;
}

/*
 * Load the list file at path (plain or gzip): as lists_load_mem().  A
 * missing file is LISTS_EMISSING, anything but a readable regular file
 * LISTS_EUNREADABLE.
 */
struct lists_set *
lists_load(const char *path, int format, const struct lists_key *key,
    time_t now, struct lists_stats *st, int *err)
{
	struct lists_set *s;
	struct stat st0;
	int fd;

	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		*err = open_err();
		return NULL;
	}
	if (fstat(fd, &st0) == -1 || !S_ISREG(st0.st_mode)) {
		(void)close(fd);
		*err = LISTS_EUNREADABLE;
		return NULL;
	}
	if ((s = set_new(format, key, now)) == NULL) {
		(void)close(fd);
		*err = LISTS_ENOMEM;
		return NULL;
	}
	(void)read_file(s, fd, &st0);
	return load_end(s, st, err);
}

/* Free a set (NULL is fine). */
void
lists_set_free(struct lists_set *s)
{
	int i;

	if (s == NULL)
		return;
	vec_free(&s->vals);
	vec_free(&s->text);
	vec_free(&s->names);
	for (i = 0; i < 4; i++)
		vec_free(&s->e4[i]);
	vec_free(&s->e6);
	vec_free(&s->dn[0]);
	vec_free(&s->dn[1]);
	for (i = 0; i < NSUBST; i++)
		free(s->subst[i]);
	free(s);
}

/* ------------------------------------------------------------------ */
/* Lookups                                                              */

/*
 * A key for an IP text (TCPREMOTEIP style; ::ffff:a.b.c.d is IPv4): 0, or
 * -1 when it is no address.
 */
int
lists_key_ip(struct lists_key *k, const char *ip)
{
	struct ipaddr a;

	memset(k, 0, sizeof(*k));
	if (ipaddr_parses(ip, &a) == -1)
		return -1;
	k->family = a.family;
	memcpy(k->addr, a.a, sizeof(k->addr));
	(void)inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->addr, k->text,
	    sizeof(k->text));
	return 0;
}

/* A key for a domain (a trailing dot and case do not matter): 0 or -1. */
int
lists_key_domain(struct lists_key *k, const char *dom)
{
	size_t n;

	memset(k, 0, sizeof(*k));
	if (dom == NULL || (n = strlen(dom)) == 0 || n >= sizeof(k->text) ||
	    (k->dnlen = name_wire(dom, n, k->dn)) <= 1)
		return -1;
	(void)name_text(k->dn, k->text, sizeof(k->text));
	return 0;
}

static int
look4(const struct lists_set *s, uint32_t q, uint32_t *v, int *nv)
{
	const struct e4 *e;
	size_t lo, hi, mid, n;
	uint32_t f;
	int lvl;

	for (lvl = 0; lvl < 4; lvl++) {
		e = s->e4[lvl].p;
		n = s->e4[lvl].n;
		f = q & mask4(32 - 8 * lvl);
		for (lo = 0, hi = n; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (e[mid].addr < f)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == n || e[lo].addr != f)
			continue;
		if (e[lo].val == VAL_EXCL)	/* sorts first: it wins */
			return 0;
		for (; lo < n && e[lo].addr == f && *nv < DNSBL_MAXA; lo++)
			v[(*nv)++] = e[lo].val;
		return 1;
	}
	return 0;
}

static int
look6(const struct lists_set *s, const unsigned char *q, uint32_t *v,
    int *nv)
{
	const struct e6 *e = s->e6.p;
	unsigned char t[16];
	size_t g, lo, hi, mid;
	int c;

	for (g = 0; g < s->ng6; g++) {
		memcpy(t, q, 16);
		(void)ip6_mask(t, s->g6[g].plen);
		for (lo = s->g6[g].lo, hi = s->g6[g].hi; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if ((c = memcmp(e[mid].a, t, 16)) == 0) {
				if (e[mid].val == VAL_EXCL)
					return 0;
				v[(*nv)++] = e[mid].val;
				return 1;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return 0;
}

/* Entries of vec d named w (first index), or -1. */
static long long
find_dn(const struct lists_set *s, int d, const unsigned char *w)
{
	const struct edn *e = s->dn[d].p;
	const unsigned char *base = s->names.p;
	size_t lo = 0, hi = s->dn[d].n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (name_cmp(base + e[mid].off, w) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->dn[d].n || name_cmp(base + e[lo].off, w) != 0)
		return -1;
	return (long long)lo;
}

/* The values of entries d[i...] (same name); 0 when an exclusion. */
static int
take_dn(const struct lists_set *s, int d, size_t i, uint32_t *v, int *nv,
    const unsigned char **name)
{
	const struct edn *e = s->dn[d].p;
	const unsigned char *base = s->names.p, *first = base + e[i].off;

	if (e[i].val == VAL_EXCL)	/* sorts first: it wins */
		return 0;
	*name = first + 1;
	for (; i < s->dn[d].n && *nv < DNSBL_MAXA &&
	    name_cmp(base + e[i].off, first) == 0; i++)
		v[(*nv)++] = e[i].val;
	return 1;
}

/* The exact name first, then the longest wildcard (at least one label). */
static int
look_dn(const struct lists_set *s, const struct lists_key *k, uint32_t *v,
    int *nv, const unsigned char **name)
{
	unsigned char w[NAMEMAX + 1];
	size_t o = 0;
	long long i;

	w[0] = (unsigned char)k->dnlen;
	memcpy(w + 1, k->dn, k->dnlen);
	if ((i = find_dn(s, 0, w)) >= 0)
		return take_dn(s, 0, (size_t)i, v, nv, name);
	while (o < k->dnlen && k->dn[o] != 0) {
		o += (size_t)k->dn[o] + 1;
		if (o >= k->dnlen || k->dn[o] == 0)
			break;		/* the root is never listed */
		w[0] = (unsigned char)(k->dnlen - o);
		memcpy(w + 1, k->dn + o, k->dnlen - o);
		if ((i = find_dn(s, 1, w)) >= 0)
			return take_dn(s, 1, (size_t)i, v, nv, name);
	}
	return 0;
}

/* Value v into the answer: its code and its TXT, each once. */
static void
answer_add(const struct lists_set *s, struct lists_answer *a, uint32_t v,
    const char *subj)
{
	const struct val *val = (const struct val *)s->vals.p + v;
	char t[LISTS_TXTLEN];
	size_t n;
	int i;

	for (i = 0; i < a->n && a->code[i] != val->a; i++)
		;
	if (i == a->n && a->n < DNSBL_MAXA)
		a->code[a->n++] = val->a;
	if ((n = txt_subst(s, tmpl_of(s, v), subj, t)) == 0)
		return;
	for (i = 0; i < a->ntxt; i++)
		if (a->txtlen[i] == n && memcmp(a->txt[i], t, n) == 0)
			return;
	if (a->ntxt < DNSBL_MAXA) {
		memcpy(a->txt[a->ntxt], t, n);
		a->txtlen[a->ntxt++] = n;
	}
}

/*
 * Look k up in s: 1 listed (a holds the distinct codes and TXT strings,
 * TXT as rbldnsd makes it: $ is the IP, or the listed name), 0 not.
 */
int
lists_lookup(const struct lists_set *s, const struct lists_key *k,
    struct lists_answer *a)
{
	uint32_t v[DNSBL_MAXA];
	const unsigned char *name = NULL;
	char subj[DNTEXTMAX];
	int nv = 0, hit, i;

	a->n = a->ntxt = 0;
	if (k->family == 4) {
		hit = look4(s, key4(k), v, &nv);
		(void)snprintf(subj, sizeof(subj), "%u.%u.%u.%u", k->addr[0],
		    k->addr[1], k->addr[2], k->addr[3]);
	} else if (k->family == 6) {
		hit = look6(s, k->addr, v, &nv);
		ip6_text(k->addr, subj, sizeof(subj));
	} else {
		hit = look_dn(s, k, v, &nv, &name);
		if (hit)
			(void)name_text(name, subj, sizeof(subj));
	}
	if (!hit)
		return 0;
	for (i = 0; i < nv; i++)
		answer_add(s, a, v[i], subj);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Policy lines                                                         */

/* "auto", "ip4set", "ip6trie", "ip6tset", "dnset": LISTS_*, or -1. */
int
lists_format(const char *name)
{
	static const char *const names[] = { "auto", "ip4set", "ip6trie",
	    "ip6tset", "dnset" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* The one-word text of a LISTS_E* code (an error result's answer). */
const char *
lists_strerror(int e)
{
	if (e < 0 || (size_t)e >= sizeof(errname) / sizeof(errname[0]))
		return "error";
	return errname[e];
}

/* An empty configuration; NULL with errno ENOMEM. */
struct lists_conf *
lists_conf_new(void)
{
	struct lists_conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->maxage = DEFMAXAGE;
	return c;
}

/* Free a configuration and its lists (NULL is fine). */
void
lists_conf_free(struct lists_conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		dnsbl_list_free(c->l[i].dl);
		free(c->l[i].file);
	}
	free(c->state);
	free(c);
}

/* The number of local lists. */
size_t
lists_conf_nlists(const struct lists_conf *c)
{
	return c == NULL ? 0 : c->n;
}

/* The state file of the policy, or NULL. */
const char *
lists_conf_state(const struct lists_conf *c)
{
	return c == NULL ? NULL : c->state;
}

/* MAXAGE: seconds, or a number with s, m, h or d. */
static int
parse_age(const char *s, unsigned long *v)
{
	unsigned long m = 1;
	char *e;

	if (!is_digit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &e, 10);
	if (errno != 0)
		return -1;
	if (*e == 's' || *e == 'm' || *e == 'h' || *e == 'd') {
		m = *e == 's' ? 1 : *e == 'm' ? 60 : *e == 'h' ? 3600 : 86400;
		e++;
	}
	if (*e != '\0' || *v == 0 || *v > 3650UL * 86400 / m)
		return -1;
	*v *= m;
	return 0;
}

static int
conf_state(struct lists_conf *c, int argc, char *argv[], char *err,
    size_t errlen)
{
	unsigned long age = DEFMAXAGE;
	char *dup;

	if (argc < 2 || argc > 3)
		return fmt_err(err, errlen, EINVAL, "state: need FILE "
		    "[MAXAGE]");
	if (argv[1][0] != '/' || strlen(argv[1]) >= PATH_MAX)
		return fmt_err(err, errlen, EINVAL, "state: FILE must be an "
		    "absolute path");
	if (argc == 3 && parse_age(argv[2], &age) == -1)
		return fmt_err(err, errlen, EINVAL, "state: bad MAXAGE "
		    "\"%.20s\"", argv[2]);
	if ((dup = strdup(argv[1])) == NULL)
		return fmt_err(err, errlen, ENOMEM, "out of memory");
	free(c->state);
	c->state = dup;
	c->maxage = age;
	return 0;
}

/* Split off format= (ours) from the words dnsbl.c parses. */
static int
conf_words(int argc, char *argv[], char **words, int *nw, int *format,
    char *err, size_t errlen)
{
	int i;

	*nw = 0;
	for (i = 0; i < argc; i++) {
		if (i >= 3 && strncmp(argv[i], "format=", 7) == 0) {
			if ((*format = lists_format(argv[i] + 7)) == -1 ||
			    (*format == LISTS_DNSET) != (argv[0][0] == 'd'))
				return fmt_err(err, errlen, EINVAL, "bad "
				    "format \"%.20s\"", argv[i] + 7);
			continue;
		}
		words[(*nw)++] = argv[i];
	}
	return 0;
}

static int
conf_list(struct lists_conf *c, const char *kind, int argc, char *argv[],
    char *err, size_t errlen)
{
	char *words[MAXWORDS];
	struct llist *l;
	size_t i;
	int nw, format = argv[0][0] == 'd' ? LISTS_DNSET : LISTS_AUTO;

	if (argc < 3 || argc > MAXWORDS)
		return fmt_err(err, errlen, EINVAL, "%s: need LABEL and FILE",
		    argv[0]);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->l[i].info.label, argv[1]) == 0)
			return fmt_err(err, errlen, EINVAL, "duplicate label "
			    "%.40s", argv[1]);
	if (c->n >= MAXLISTS)
		return fmt_err(err, errlen, EINVAL, "more than %d local lists",
		    MAXLISTS);
	if (argv[2][0] != '/' || strlen(argv[2]) >= PATH_MAX)
		return fmt_err(err, errlen, EINVAL, "%s %.40s: FILE must be an "
		    "absolute path", argv[0], argv[1]);
	if (conf_words(argc, argv, words, &nw, &format, err, errlen) == -1)
		return -1;
	l = &c->l[c->n];
	memset(l, 0, sizeof(*l));
	if ((l->dl = dnsbl_list_new(kind, nw, words, err, errlen)) == NULL)
		return -1;
	if ((l->file = strdup(argv[2])) == NULL) {
		dnsbl_list_free(l->dl);
		return fmt_err(err, errlen, ENOMEM, "out of memory");
	}
	dnsbl_list_info(l->dl, &l->info);
	l->keyword = argv[0][0] == 'd' ? "domainlist" : argv[0][2] == 'w' ?
	    "ipwl" : "iplist";
	l->format = format;
	l->domain = format == LISTS_DNSET;
	c->n++;
	return 0;
}

/*
 * One policy line (iplist, ipwl, domainlist or state) split into words.
 * Returns 0, or -1 with errno and a one-line reason in err.
 */
int
lists_conf_line(struct lists_conf *c, int argc, char *argv[], char *err,
    size_t errlen)
{
	if (argc < 1)
		return fmt_err(err, errlen, EINVAL, "empty line");
	if (strcmp(argv[0], "iplist") == 0)
		return conf_list(c, "dnsbl", argc, argv, err, errlen);
	if (strcmp(argv[0], "ipwl") == 0)
		return conf_list(c, "dnswl", argc, argv, err, errlen);
	if (strcmp(argv[0], "domainlist") == 0)
		return conf_list(c, "rhsbl", argc, argv, err, errlen);
	if (strcmp(argv[0], "state") == 0)
		return conf_state(c, argc, argv, err, errlen);
	return fmt_err(err, errlen, EINVAL, "not a local-list keyword: %.20s",
	    argv[0]);
}

/*
 * After the whole policy: a local list may not share its label with a DNS
 * list (headers, logs and the state name lists by label).  0, or -1 with
 * errno EINVAL and the reason in err.
 */
int
lists_conf_check(const struct lists_conf *c, const struct dnsbl_conf *dc,
    char *err, size_t errlen)
{
	struct dnsbl_list_info info;
	size_t i, j;

	if (c == NULL || dc == NULL)
		return 0;
	for (i = 0; i < c->n; i++)
		for (j = 0; j < dnsbl_conf_nlists(dc); j++) {
			dnsbl_list_info(dnsbl_conf_list(dc, j), &info);
			if (strcmp(info.label, c->l[i].info.label) == 0)
				return fmt_err(err, errlen, EINVAL, "label %s "
				    "names a DNS list and a local list",
				    info.label);
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* One message                                                          */

static struct dnsbl_result *
result_add(struct check *ck, enum dnsbl_verdict v, const char *test,
    const char *answer, unsigned ms)
{
	struct dnsbl_result *x, *res;

	if (ck->nres >= DNSBL_MAXFILTERS + 1)
		return NULL;
	if ((x = realloc(ck->res, (ck->nres + 1) * sizeof(*x))) == NULL)
		return NULL;
	ck->res = x;
	res = &x[ck->nres++];
	memset(res, 0, sizeof(*res));
	res->verdict = v;
	res->test = test != NULL ? test : ck->l->info.label;
	res->label = ck->l->info.label;
	res->kind = ck->l->info.kind;
	res->subject = ck->subject;
	res->source = ck->source;
	res->has_weight = 1;
	res->ms = ms;
	(void)snprintf(res->answer, sizeof(res->answer), "%s",
	    answer != NULL ? answer : "");
	return res;
}

/* The codes of mask (bit i: c->addr[i]) as "127.0.0.2,127.0.0.4". */
static void
mask_text(const struct dnsbl_class *c, unsigned long mask, char *buf,
    size_t size)
{
	size_t n = 0;
	int i, k;

	buf[0] = '\0';
	for (i = 0; i < c->naddr; i++) {
		if (!(mask & (1UL << i)))
			continue;
		k = snprintf(buf + n, size - n, "%s%lu.%lu.%lu.%lu",
		    n > 0 ? "," : "", (c->addr[i] >> 24) & 255,
		    (c->addr[i] >> 16) & 255, (c->addr[i] >> 8) & 255,
		    c->addr[i] & 255);
		if (k < 0 || (size_t)k >= size - n) {
			buf[n] = '\0';	/* whole codes only */
			break;
		}
		n += (size_t)k;
	}
}

/* The TXT strings of a listing, joined by one blank (as from DNS). */
static void
keep_txt(struct check *ck, const struct lists_answer *a)
{
	size_t k;
	int i;

	ck->txtlen = 0;
	for (i = 0; i < a->ntxt && ck->txtlen < sizeof(ck->txt); i++) {
		if (i > 0)
			ck->txt[ck->txtlen++] = ' ';
		k = sizeof(ck->txt) - ck->txtlen;
		k = a->txtlen[i] < k ? a->txtlen[i] : k;
		memcpy(ck->txt + ck->txtlen, a->txt[i], k);
		ck->txtlen += k;
	}
}

/* The results of one lookup: as dnsbl.c makes them from an A answer. */
static void
judge(struct check *ck, const struct lists_answer *a, unsigned ms)
{
	struct dnsbl_class cls;
	struct dnsbl_result *res;
	const char *test;
	char codes[64];
	double w;
	size_t f;

	switch (dnsbl_classify_codes(ck->l->dl, a->code, a->n, &cls)) {
	case DNSBL_CLEAN:
		(void)result_add(ck, DNSBL_CLEAN, NULL, cls.answer, ms);
		return;
	case DNSBL_ERROR:
		(void)result_add(ck, DNSBL_ERROR, NULL, cls.answer, ms);
		return;
	default:
		break;
	}
	if (ck->l->info.txt)
		keep_txt(ck, a);
	for (f = 0; f < DNSBL_MAXFILTERS; f++) {
		if (cls.fmask[f] == 0 ||
		    dnsbl_list_filter(ck->l->dl, f, &test, &w) != 1)
			continue;
		mask_text(&cls, cls.fmask[f], codes, sizeof(codes));
		if ((res = result_add(ck, DNSBL_LISTED, test, codes, ms)) ==
		    NULL)
			break;
		res->weight = w;
		res->txt = ck->txtlen > 0 ? ck->txt : NULL;
		res->txtlen = ck->txtlen;
	}
}

/* Read list l for key and look it up: one check with its results. */
static void
check_one(struct lists_run *r, const struct llist *l,
    const struct lists_key *k, const char *subject, int source)
{
	struct lists_answer *a;
	struct lists_set *s;
	struct timespec t0;
	struct check *ck;
	int e;

	if ((ck = calloc(1, sizeof(*ck))) == NULL)
		return;
	ck->l = l;
	ck->source = source;
	(void)snprintf(ck->subject, sizeof(ck->subject), "%s", subject);
	*r->tail = ck;
	r->tail = &ck->next;
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((s = lists_load(l->file, l->format, k, time(NULL), NULL, &e)) ==
	    NULL) {
		(void)result_add(ck, DNSBL_ERROR, NULL, lists_strerror(e),
		    ms_since(&t0));
		return;
	}
	if ((a = malloc(sizeof(*a))) == NULL) {
		(void)result_add(ck, DNSBL_ERROR, NULL, "nomem",
		    ms_since(&t0));
	} else {
		(void)lists_lookup(s, k, a);
		judge(ck, a, ms_since(&t0));
		free(a);
	}
	lists_set_free(s);
}

/*
 * Start a message: every IP list (of the client's family) is read for ip
 * and looked up now.  A NULL or invalid ip checks nothing (domains still
 * may be).  NULL only when out of memory.
 */
struct lists_run *
lists_start(const struct lists_conf *c, const char *ip)
{
	struct lists_run *r;
	size_t i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->conf = c;
	r->tail = &r->head;
	if (c == NULL || ip == NULL || lists_key_ip(&r->ipkey, ip) == -1)
		return r;
	r->haveip = 1;
	for (i = 0; i < c->n; i++)
		if (!c->l[i].domain && (c->l[i].info.family == 0 ||
		    c->l[i].info.family == r->ipkey.family))
			check_one(r, &c->l[i], &r->ipkey, r->ipkey.text, 0);
	return r;
}

/*
 * A domain became known (which: DNSBL_FROM or DNSBL_SENDER): every domain
 * list is read for it and looked up, once per domain.  NULL, "" or a
 * bogus domain does nothing.
 */
void
lists_domain(struct lists_run *r, int which, const char *domain)
{
	char dom[NAMEMAX];
	struct lists_key k;
	struct check *ck;
	size_t i, j;
	int seen = 0;

	if (r == NULL || r->conf == NULL || domain == NULL ||
	    dnsbl_domain_norm(domain, dom, sizeof(dom)) == -1 ||
	    lists_key_domain(&k, dom) == -1)
		return;
	which &= DNSBL_FROM | DNSBL_SENDER;
	for (ck = r->head; ck != NULL; ck = ck->next)
		if (ck->l->domain && strcmp(ck->subject, dom) == 0) {
			seen = 1;
			ck->source |= which;
			for (j = 0; j < ck->nres; j++)
				ck->res[j].source = ck->source;
		}
	if (seen)
		return;
	for (i = 0; i < r->conf->n; i++)
		if (r->conf->l[i].domain)
			check_one(r, &r->conf->l[i], &k, dom, which);
}

/* Results of the message so far, in the order the checks ran. */
size_t
lists_nresults(const struct lists_run *r)
{
	const struct check *ck;
	size_t n = 0;

	if (r == NULL)
		return 0;
	for (ck = r->head; ck != NULL; ck = ck->next)
		n += ck->nres;
	return n;
}

/* The i-th result, valid until lists_free(); NULL past the end. */
const struct dnsbl_result *
lists_result(const struct lists_run *r, size_t i)
{
	const struct check *ck;

	if (r == NULL)
		return NULL;
	for (ck = r->head; ck != NULL; ck = ck->next) {
		if (i < ck->nres)
			return &ck->res[i];
		i -= ck->nres;
	}
	return NULL;
}

/* Free a message's results (NULL is fine). */
void
lists_free(struct lists_run *r)
{
	struct check *ck, *next;

	if (r == NULL)
		return;
	for (ck = r->head; ck != NULL; ck = next) {
		next = ck->next;
		free(ck->res);
		free(ck);
	}
	free(r);
}

/* ------------------------------------------------------------------ */
/* List health: the state file                                          */

/* A reason as one printable word of at most LISTS_REASONMAX - 1. */
static void
reason_word(char *out, const char *in)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < LISTS_REASONMAX; i++)
		out[i] = in[i] > ' ' && in[i] < 0x7f ? in[i] : '_';
	if (i == 0)
		out[i++] = '-';
	out[i] = '\0';
}

static int
valid_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > LABELMAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!(is_digit((unsigned char)s[i]) || (lower((unsigned char)
		    s[i]) >= 'a' && lower((unsigned char)s[i]) <= 'z') ||
		    (i > 0 && (s[i] == '_' || s[i] == '-'))))
			return 0;
	return 1;
}

/* The state text for entries h[0..n) (DNS lists only). */
static int
state_text(char *buf, size_t size, time_t t, const struct lists_health *h,
    size_t n)
{
	size_t o, i, count = 0;
	int k;

	k = snprintf(buf, size, "qqtag-health 1 %lld\n", (long long)t);
	for (o = (size_t)k, i = 0; i < n && k >= 0 && o < size; i++) {
		if (h[i].local || !valid_label(h[i].label, strlen(h[i].label)))
			continue;
		k = h[i].broken ? snprintf(buf + o, size - o, "broken %s %s\n",
		    h[i].label, h[i].reason) : snprintf(buf + o, size - o,
		    "ok %s\n", h[i].label);
		o += (size_t)k;
		count++;
	}
	if (k < 0 || o >= size || (k = snprintf(buf + o, size - o,
	    "end %zu\n", count)) < 0 || (size_t)k >= size - o) {
		errno = EFBIG;
		return -1;
	}
	return (int)(o + (size_t)k);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory of path so the rename survives a crash. */
static int
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, r;

	if (slash == NULL)
		memcpy(dir, ".", 2);
	else if (slash == path)
		memcpy(dir, "/", 2);
	else {
		if ((n = (size_t)(slash - path)) >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	(void)close(fd);
	return r;
}

/*
 * Write the state for h[0..n) (probe time t) to path atomically: a temp
 * file in the same directory, mode 0644, fsync, rename, fsync of the
 * directory.  0, or -1 with errno (the old file stays).
 */
int
lists_state_write(const char *path, time_t t, const struct lists_health *h,
    size_t n)
{
	char tmp[PATH_MAX], *buf;
	int fd, len, e, r;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((buf = malloc(STATEMAX)) == NULL)
		return -1;
	if ((len = state_text(buf, STATEMAX, t, h, n)) == -1 ||
	    (fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		free(buf);
		return -1;
	}
	r = write_all(fd, buf, (size_t)len);
	if (r == 0)
		r = fchmod(fd, 0644);	/* qqtag (qmaild) reads it */
	if (r == 0)
		r = fsync(fd);
	e = errno;
	if (close(fd) == -1 && r == 0) {
		r = -1;
		e = errno;
	}
	if (r == 0 && rename(tmp, path) == -1) {
		r = -1;
		e = errno;
	}
	if (r == -1) {
		(void)unlink(tmp);
		free(buf);
		errno = e;
		return -1;
	}
	free(buf);
	return sync_dir(path);
}

/* Read a whole small file into buf (NUL-terminated); its length or -1. */
static long
read_small(const char *path, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1)
		return -1;
	while (n < size) {
		if ((r = read(fd, buf + n, size - n)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	(void)close(fd);
	if (r == -1)
		return -1;
	if (n >= size) {
		errno = EFBIG;
		return -1;
	}
	buf[n] = '\0';
	return (long)n;
}

/* Split one state line into words at single blanks; the count or -1. */
static int
state_words(char *line, char **w, int max)
{
	char *sp;
	int n = 0;

	for (;;) {
		if (n == max || *line == ' ' || *line == '\0')
			return -1;	/* too many, or an empty word */
		w[n++] = line;
		if ((sp = strchr(line, ' ')) == NULL)
			return n;
		*sp = '\0';
		line = sp + 1;
	}
}

static int
state_num(const char *s, unsigned long long *v)
{
	char *e;

	if (!is_digit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, &e, 10);
	return errno != 0 || *e != '\0' ? -1 : 0;
}

/* One "ok LABEL" / "broken LABEL REASON" line into h. */
static int
state_entry(char **w, int nw, struct lists_health *h)
{
	size_t i;

	if (!((nw == 2 && strcmp(w[0], "ok") == 0) || (nw == 3 &&
	    strcmp(w[0], "broken") == 0)) || !valid_label(w[1],
	    strlen(w[1])) || (nw == 3 && strlen(w[2]) >= LISTS_REASONMAX))
		return -1;
	for (i = 0; nw == 3 && w[2][i] != '\0'; i++)
		if (w[2][i] <= ' ' || w[2][i] >= 0x7f)
			return -1;
	memset(h, 0, sizeof(*h));
	if ((h->label = strdup(w[1])) == NULL)
		return -1;
	h->kind = "dns";
	h->broken = nw == 3;
	(void)snprintf(h->reason, sizeof(h->reason), "%s", nw == 3 ? w[2] :
	    "ok");
	return 0;
}

/* Parse the state text; 0 or -1 (EINVAL, ENOMEM). */
static int
state_parse(char *p, time_t *when, struct lists_health *h, size_t max,
    size_t *n)
{
	unsigned long long v;
	char *nl, *w[4] = { NULL, NULL, NULL, NULL };
	int nw, line;

	for (line = 0; *p != '\0' && line <= STATELINES + 2; line++,
	    p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;		/* a cut last line: truncated */
		*nl = '\0';
		if ((nw = state_words(p, w, 4)) == -1)
			break;
		if (line == 0) {
			if (nw != 3 || strcmp(w[0], "qqtag-health") != 0 ||
			    strcmp(w[1], "1") != 0 || state_num(w[2], &v) ==
			    -1 || v > (unsigned long long)INT64_MAX)
				break;
			*when = (time_t)v;
		} else if (nw == 2 && strcmp(w[0], "end") == 0)
			return state_num(w[1], &v) == 0 && v == *n &&
			    nl[1] == '\0' ? 0 : -1;
		else if (*n >= max || state_entry(w, nw, &h[*n]) == -1)
			break;
		else
			(*n)++;
	}
	return -1;
}

/* Free the labels lists_state_read() gave h[0..n). */
void
lists_state_free(struct lists_health *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)(uintptr_t)h[i].label);
		h[i].label = NULL;
	}
}

/*
 * Read a state file: the probe's time and its entries (labels allocated:
 * lists_state_free).  0, or -1 with errno: ENOENT (missing), EFBIG (over
 * STATEMAX), EINVAL (corrupt or truncated: nothing is kept).
 */
int
lists_state_read(const char *path, time_t *when, struct lists_health *h,
    size_t max, size_t *n)
{
	char *buf;
	int r;

	*n = 0;
	if ((buf = malloc(STATEMAX + 1)) == NULL)
		return -1;
	if (read_small(path, buf, STATEMAX + 1) == -1) {
		free(buf);
		return -1;
	}
	if ((r = state_parse(buf, when, h, max, n)) == -1) {
		lists_state_free(h, *n);
		*n = 0;
		errno = EINVAL;
	}
	free(buf);
	return r;
}

/* ------------------------------------------------------------------ */
/* List health: applying the state, probing                             */

/*
 * Read the policy's state file and mark its broken lists in dc; every
 * other list of dc is made usable.  A missing, stale (older than MAXAGE),
 * future, corrupt or truncated state marks nothing.  Returns the number
 * marked, or -1 with errno ENOENT (no state) or EINVAL and the reason.
 */
int
lists_state_apply(const struct lists_conf *c, struct dnsbl_conf *dc,
    time_t now, char *err, size_t errlen)
{
	struct dnsbl_list_info info;
	struct lists_health *h;
	size_t i, n;
	time_t t = 0;
	int marked = 0;

	for (i = 0; dc != NULL && i < dnsbl_conf_nlists(dc); i++) {
		dnsbl_list_info(dnsbl_conf_list(dc, i), &info);
		(void)dnsbl_conf_skip(dc, info.label, 0);
	}
	if (c == NULL || c->state == NULL || dc == NULL)
		return fmt_err(err, errlen, ENOENT, "no state file");
	if ((h = calloc(STATELINES, sizeof(*h))) == NULL)
		return fmt_err(err, errlen, ENOMEM, "out of memory");
	if (lists_state_read(c->state, &t, h, STATELINES, &n) == -1) {
		free(h);
		return fmt_err(err, errlen, errno == ENOENT ? ENOENT : EINVAL,
		    "state file %s: %s", errno == ENOENT ? "missing" :
		    errno == EINVAL ? "corrupt" : "unreadable", c->state);
	}
	if (t > now + FUTURESLACK || now - t > (time_t)c->maxage) {
		lists_state_free(h, n);
		free(h);
		return fmt_err(err, errlen, EINVAL, "state file %s: %s (%lld "
		    "s old)", c->state, t > now ? "from the future" : "stale",
		    (long long)(now - t));
	}
	for (i = 0; i < n; i++)
		if (h[i].broken && dnsbl_conf_skip(dc, h[i].label, 1) == 0)
			marked++;
	lists_state_free(h, n);
	free(h);
	return marked;
}

/*
 * The probe's queries: one run per test address, every test name asked
 * on the first run (a run asks its domains of the rhsbl lists only).
 */
struct probe {
	struct dnsbl_run	*run[PROBE_RUNS];
	const char		*ip[PROBE_RUNS];
	int			 flags[PROBE_RUNS];
	size_t			 nrun;
	const char		*dom[PROBE_DOMS];
	size_t			 ndom;
};

/* A test point of one list: listed there (1) or not (0). */
struct want {
	const char	*at;		/* an address, or a name (rhsbl) */
	int		 flags;		/* DNSBL_NOMAP: ::ffff: stays IPv6 */
	int		 listed;
};

/*
 * The test points of a list, in the order they are judged: its profile's
 * documented point or RFC 5782 5's (127.0.0.2, "test"; IPv6-only lists
 * ::ffff:127.0.0.2) must be listed unless the list has notest; 127.0.0.1,
 * 192.0.2.1 and 2001:db8::1 (documentation), "invalid", ::ffff:127.0.0.1
 * must not.
 */
static size_t
wants(const struct dnsbl_list_info *info, struct want *w)
{
	size_t n = 0;

	if (strcmp(info->kind, "rhsbl") == 0) {
		w[n++] = (struct want){ info->test != NULL ? info->test :
		    "test", 0, 1 };
		w[n++] = (struct want){ "invalid", 0, 0 };
	} else if (info->family == 6) {
		w[n++] = (struct want){ "::ffff:127.0.0.2", DNSBL_NOMAP, 1 };
		w[n++] = (struct want){ "::ffff:127.0.0.1", DNSBL_NOMAP, 0 };
		w[n++] = (struct want){ "2001:db8::1", 0, 0 };
	} else {
		w[n++] = (struct want){ info->test != NULL ? info->test :
		    "127.0.0.2", 0, 1 };
		w[n++] = (struct want){ "127.0.0.1", 0, 0 };
		w[n++] = (struct want){ "192.0.2.1", 0, 0 };
		if (info->family == 0)
			w[n++] = (struct want){ "2001:db8::1", 0, 0 };
	}
	if (info->notest) {
		memmove(w, w + 1, (n - 1) * sizeof(*w));
		n--;
	}
	return n;
}

/* Index of the run (rhsbl: the name) asking w; add it when new; -1 full. */
static int
probe_at(struct probe *p, const struct want *w, int rhsbl, int add)
{
	size_t i, *n = rhsbl ? &p->ndom : &p->nrun;

	for (i = 0; i < *n; i++)
		if (rhsbl ? strcasecmp(p->dom[i], w->at) == 0 :
		    p->flags[i] == w->flags && strcmp(p->ip[i], w->at) == 0)
			return (int)i;
	if (!add || *n == (rhsbl ? PROBE_DOMS : PROBE_RUNS))
		return -1;
	if (rhsbl)
		p->dom[*n] = w->at;
	else {
		p->ip[*n] = w->at;
		p->flags[*n] = w->flags;
	}
	return (int)(*n)++;
}

/* Start a run for every test point of every list of dc, asking dns. */
static void
probe_start(struct probe *p, const struct dnsbl_conf *dc, struct dns *dns)
{
	struct dnsbl_list_info info;
	struct want w[PROBE_WANTS];
	struct ipaddr a;
	size_t i, j, nw;
	int rhsbl;

	memset(p, 0, sizeof(*p));
	for (i = 0; dc != NULL && i < dnsbl_conf_nlists(dc); i++) {
		dnsbl_list_info(dnsbl_conf_list(dc, i), &info);
		rhsbl = strcmp(info.kind, "rhsbl") == 0;
		for (j = 0, nw = wants(&info, w); j < nw; j++)
			(void)probe_at(p, &w[j], rhsbl, 1);
	}
	if (p->ndom > 0 && p->nrun == 0) {
		p->ip[0] = "127.0.0.2";
		p->nrun = 1;
	}
	for (i = 0; i < p->nrun; i++) {
		(void)ipaddr_parses(p->ip[i], &a);
		p->run[i] = dnsbl_start_flags(dc, dns, &a, NULL, DNSBL_ANYIP |
		    DNSBL_NORDNS | DNSBL_NOEXIST | DNSBL_NOSKIP |
		    DNSBL_ANYNAME | p->flags[i]);
	}
	for (i = 0; i < p->ndom; i++)
		dnsbl_domain(p->run[0], DNSBL_FROM, p->dom[i]);
}

enum { P_NONE, P_CLEAN, P_LISTED, P_ERROR };

/*
 * What run r says of the list label (of subject, unless NULL): an
 * answer's codes count as listed.
 */
static int
outcome(const struct dnsbl_run *r, const char *label, const char *subject,
    char *ans, size_t size, unsigned *ms)
{
	const struct dnsbl_result *d;
	size_t i;
	int o = P_NONE;

	for (i = 0; (d = dnsbl_result(r, i)) != NULL; i++) {
		if (strcmp(d->label, label) != 0 || (subject != NULL &&
		    strcasecmp(d->subject, subject) != 0))
			continue;
		*ms = d->ms > *ms ? d->ms : *ms;
		if (d->verdict == DNSBL_ERROR) {
			(void)snprintf(ans, size, "%s", d->answer);
			return P_ERROR;
		}
		if (d->verdict == DNSBL_LISTED || d->answer[0] != '\0')
			o = P_LISTED;
		else if (o == P_NONE)
			o = P_CLEAN;
	}
	return o;
}

/* The verdict on one DNS list from its test points. */
static void
probe_list(struct probe *p, const struct dnsbl_list_info *info,
    struct lists_health *h)
{
	struct want w[PROBE_WANTS];
	char ans[64], why[128];
	size_t i, nw = wants(info, w);
	int o, k, rhsbl = strcmp(info->kind, "rhsbl") == 0;

	memset(h, 0, sizeof(*h));
	h->label = info->label;
	h->kind = info->kind;
	snprintf(h->reason, sizeof(h->reason), "ok");
	for (i = 0; i < nw && !h->broken; i++) {
		ans[0] = '\0';
		k = probe_at(p, &w[i], rhsbl, 0);
		o = k < 0 || p->run[rhsbl ? 0 : k] == NULL ? P_NONE :
		    outcome(p->run[rhsbl ? 0 : k], info->label, rhsbl ?
		    w[i].at : NULL, ans, sizeof(ans), &h->ms);
		if (o == P_NONE)
			snprintf(ans, sizeof(ans), "nocheck");
		else if (o == P_CLEAN && w[i].listed)
			snprintf(ans, sizeof(ans), "unlisted");
		else if (o == P_LISTED && !w[i].listed)
			snprintf(ans, sizeof(ans), "listed");
		else if (o != P_ERROR)
			continue;
		h->broken = 1;
		(void)snprintf(why, sizeof(why), "%s:%s", w[i].at, ans);
		reason_word(h->reason, why);
	}
}

/* Read every local list whole: its entries, or its error. */
static void
probe_local(const struct llist *l, struct lists_health *h)
{
	struct lists_stats st;
	struct lists_set *s;
	struct timespec t0;
	int e;

	memset(h, 0, sizeof(*h));
	h->label = l->info.label;
	h->kind = l->keyword;
	h->local = 1;
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	s = lists_load(l->file, l->format, NULL, time(NULL), &st, &e);
	h->ms = ms_since(&t0);
	h->broken = s == NULL;
	if (s == NULL)
		(void)snprintf(h->reason, sizeof(h->reason), "%s",
		    lists_strerror(e));
	else
		(void)snprintf(h->reason, sizeof(h->reason), "entries:%lu",
		    st.entries);
	lists_set_free(s);
}

/*
 * The probe (qqtag -T): every DNS list of dc at its test points (see
 * wants(): its profile's documented point, else RFC 5782 5's, must be
 * listed unless the list has the notest option; 127.0.0.1, "invalid" and
 * documentation addresses must not), where any error (no answer,
 * SERVFAIL, an error code such as 127.255.255.254 or DNSWL's 127.0.0.255)
 * marks it broken; then every local list read whole.  h[] gets DNS lists
 * then local lists (at most max), *nh their count; the state file of c,
 * when it has one, is written.  Returns the number of broken lists, or
 * -1 with errno and err when the state could not be written (h[] is
 * filled all the same).
 */
int
lists_probe(const struct lists_conf *c, const struct dnsbl_conf *dc,
    int timeout_ms, struct lists_health *h, size_t max, size_t *nh,
    char *err, size_t errlen)
{
	struct probe p;
	struct dnsbl_list_info info;
	struct dns *dns;
	size_t i, n = 0;
	int broken = 0;

	/* one service for every run; NULL: every list an error "resolver" */
	dns = dns_new(dnsbl_conf_get_servers(dc), NULL, 0);
	dns_limits(dns, 0, PROBE_QUERIES);
	probe_start(&p, dc, dns);
	(void)dns_wait(dns, -1, timeout_ms);
	dns_stop(dns);
	for (i = 0; dc != NULL && i < dnsbl_conf_nlists(dc) && n < max; i++) {
		dnsbl_list_info(dnsbl_conf_list(dc, i), &info);
		probe_list(&p, &info, &h[n++]);
	}
	for (i = 0; c != NULL && i < c->n && n < max; i++)
		probe_local(&c->l[i], &h[n++]);
	for (i = 0; i < p.nrun; i++)
		dnsbl_free(p.run[i]);
	dns_free(dns);
	for (i = 0; i < n; i++)
		broken += h[i].broken;
	*nh = n;
	if (c != NULL && c->state != NULL &&
	    lists_state_write(c->state, time(NULL), h, n) == -1)
		return fmt_err(err, errlen, errno, "cannot write state file "
		    "%s: %s", c->state, strerror(errno));
	return broken;
}

/*
 * "LABEL KIND ok|BROKEN REASON MSms" for the probe's output, no newline:
 * 0, or -1 with errno EOVERFLOW when buf was too small (it is cut).
 */
int
lists_health_text(const struct lists_health *h, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size, "%-20s %-10s %-6s %-40s %5ums", h->label,
	    h->kind, h->broken ? "BROKEN" : "ok", h->reason, h->ms);
	if (n < 0 || (size_t)n >= size) {
		errno = EOVERFLOW;
		return -1;
	}
	return 0;
}

/*
 * listfile.c: local list files in rbldnsd's syntax (listfile.h), plain or
 * gzip (zlib reads both) so that an rsync'd feed is used as it comes, and
 * their lookups.
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
 * read, over LISTFILE_MAXUNITS entries or LISTFILE_MAXBYTES of text, or
 * that has more invalid lines than entries fails with a LISTFILE_E* code
 * ("missing", "unreadable", "corrupt", "toobig", ...).  Read with a key
 * (what one message looks up), only what the key can match is kept, so
 * memory stays constant whatever the file's size; read whole (tests, the
 * probe) it is sorted arrays and binary search.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "listfile.h"
#include "msg.h"
#include "rfc5322.h"

#define MAXLINE		8192		/* longer lines are cut (rbldnsd) */
#define TMPLMAX		255		/* TXT template bytes (rbldnsd) */
#define READBUF		65536
#define NSUBST		11		/* $0..$9, and $= at 10 */
#define SUBST_BASE	10
#define NAMEMAX		256		/* DNS name, wire or text */
#define DNTEXTMAX	1100		/* a wire name as escaped text */
#define VAL_EXCL	0		/* value index of an exclusion */
#define VAL_DEF		1		/* 127.0.0.2 without TXT */
#define VAL_TSET	UINT32_MAX	/* ip6tset: the file's one value */

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

struct listfile {
	int			 format;
	time_t			 now;
	const struct listfile_key	*key;	/* the filter while loading */
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
	struct listfile_stats	 st;
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
		rd->err = zerr == Z_ERRNO ? LISTFILE_EUNREADABLE :
		    LISTFILE_ECORRUPT;
		return -1;
	} else
		rd->len = (size_t)n;
	if (rd->len == 0) {
		rd->eof = 1;
		/* a gzip stream cut short reads as EOF with Z_BUF_ERROR */
		if (rd->gz != NULL && (gzerror(rd->gz, &zerr), zerr != Z_OK)) {
			rd->err = LISTFILE_ECORRUPT;
			return -1;
		}
	}
	rd->total += rd->len;
	if (rd->total > LISTFILE_MAXBYTES) {
		rd->err = LISTFILE_ETOOBIG;
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
	for (; (h = rfc_hexval((unsigned char)*s)) >= 0; s++) {
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
set_fail(struct listfile *s, int e)
{
	if (s->err == LISTFILE_OK)
		s->err = e;
	return -1;
}

static int
errno_fail(struct listfile *s)
{
	return set_fail(s, errno == EFBIG ? LISTFILE_ETOOBIG : LISTFILE_ENOMEM);
}

static const char *
tmpl_of(const struct listfile *s, uint32_t v)
{
	return (const char *)s->text.p + ((struct val *)s->vals.p)[v].off;
}

/*
 * The index of value (a, t[0..n)); the last one again when equal.  t may
 * point into s->text (":A" takes the default's TXT), which growing moves:
 * it is copied first.
 */
static int
val_add(struct listfile *s, uint32_t a, const char *src, size_t n,
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
parse_value(struct listfile *s, char *p, uint32_t def, uint32_t *idx)
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
default_line(struct listfile *s, char *p)
{
	uint32_t v;
	int r;

	if (s->format == LISTFILE_IP6TSET && s->tdef != 0)
		return 0;	/* ip6tset: the first one counts */
	if ((r = parse_value(s, p, VAL_DEF, &v)) != 0)
		return r;
	if (s->format == LISTFILE_IP6TSET)
		s->tdef = v;
	else
		s->def = v;
	return 0;
}

/* The value of an entry whose address ended at p. */
static int
entry_value(struct listfile *s, int excl, char *p, uint32_t *v)
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
 * (LISTFILE_TXTLEN bytes): $ the subject, $$ a dollar, $N a variable ($N
 * itself when unset), with a base template $= the entry's own text (or
 * the subject) inside it; a leading '=' escapes the base template.
 */
static size_t
txt_subst(const struct listfile *s, const char *txt, const char *s0,
    char *out)
{
	char *lp = out, *e = out + LISTFILE_TXTLEN;
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
special_stamp(struct listfile *s, char *w)
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
		return set_fail(s, LISTFILE_EFUTURE);
	if (exp != 0 && (s->expires == 0 || s->expires > exp))
		s->expires = exp;
	return 0;
}

/* $MAXRANGE4 N or /N: IPv4 entries of N addresses or more are dropped. */
static int
special_maxrange(struct listfile *s, char *w)
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
special_var(struct listfile *s, char *p)
{
	int n = *p == '=' ? SUBST_BASE : *p - '0';

	p = skip_space(p + 2);
	if (*p == '\0')
		return 1;
	if (s->subst[n] != NULL)
		return 0;
	if ((s->subst[n] = strdup(p)) == NULL)
		return set_fail(s, LISTFILE_ENOMEM);
	return 0;
}

/* A $ line (p after the '$'): 0, 1 invalid, -1 fatal. */
static int
special_line(struct listfile *s, char *p)
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
count_units(struct listfile *s, size_t n)
{
	if (n > LISTFILE_MAXUNITS - s->st.units)
		return set_fail(s, LISTFILE_ETOOBIG);
	s->st.units += n;
	return 0;
}

static int
push4(struct listfile *s, int idx, uint32_t addr, uint32_t val)
{
	struct e4 *e;

	if ((e = vec_add(&s->e4[idx], sizeof(*e), LISTFILE_MAXUNITS)) == NULL)
		return errno_fail(s);
	e->addr = addr;
	e->val = val;
	s->st.kept++;
	return 0;
}

static uint32_t
key4(const struct listfile_key *k)
{
	return (uint32_t)k->addr[0] << 24 | (uint32_t)k->addr[1] << 16 |
	    (uint32_t)k->addr[2] << 8 | k->addr[3];
}

/*
 * count IPv4 entries at octet level idx (0: /32 ... 3: /8) from start;
 * with a key only the one that covers it.
 */
static int
add4(struct listfile *s, int idx, uint32_t start, uint32_t count,
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
expand_level(struct listfile *s, int lvl, uint32_t *a, uint32_t *b,
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
add_range4(struct listfile *s, uint32_t a, uint32_t b, uint32_t v)
{
	int lvl, r = 0;

	for (lvl = 0; lvl < 3; lvl++)
		if (expand_level(s, lvl, &a, &b, v, &r))
			return r;
	return add4(s, 3, a << 24, b - a + 1, v);
}

/* An IPv6 prefix (host bits clear). */
static int
add6(struct listfile *s, const unsigned char *a, unsigned plen,
    uint32_t v)
{
	struct e6 *e;

	if (count_units(s, 1) == -1)
		return -1;
	s->seq++;
	if (s->key != NULL && (s->key->family != 6 ||
	    !ip6_in(s->key->addr, a, plen)))
		return 0;
	if ((e = vec_add(&s->e6, sizeof(*e), LISTFILE_MAXUNITS)) == NULL)
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
key_below(const struct listfile_key *k, const unsigned char *w, size_t wlen)
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
add_dn(struct listfile *s, int wild, const unsigned char *w, size_t wlen,
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
	if ((e = vec_add(&s->dn[wild], sizeof(*e), LISTFILE_MAXUNITS)) == NULL)
		return errno_fail(s);
	e->off = (uint32_t)*off;
	e->val = v;
	s->st.kept++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lines of each format: 0 taken, 1 invalid, -1 fatal (s->err)          */

static int
ip4set_line(struct listfile *s, char *p)
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
ip6trie_line(struct listfile *s, char *p)
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
ip6tset_line(struct listfile *s, char *p)
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
dnset_line(struct listfile *s, char *p)
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
auto_line(struct listfile *s, char *p)
{
	char *q = p, *h;

	if (*q == '!')
		q = skip_space(q + 1);
	if (q[0] == ':' && q[1] == ':')
		return ip6trie_line(s, p);
	for (h = q; rfc_hexval((unsigned char)*q) >= 0; q++)
		;
	return *q == ':' && q != h ? ip6trie_line(s, p) : ip4set_line(s, p);
}

/* A line after rbldnsd's trimming: specials, comments, defaults, data. */
static int
data_line(struct listfile *s, char *p)
{
	int r;

	if (p[0] == '$' || ((is_comment((unsigned char)p[0]) || p[0] == ':')
	    && p[1] == '$'))
		return special_line(s, p[0] == '$' ? p + 1 : p + 2);
	if (p[0] == '\0' || is_comment((unsigned char)p[0]))
		return 0;
	if (p[0] == ':' && (p[1] != ':' || s->format == LISTFILE_IP6TSET ||
	    s->format == LISTFILE_IP4SET || s->format == LISTFILE_DNSET))
		return default_line(s, p);
	switch (s->format) {
	case LISTFILE_IP4SET:
		r = ip4set_line(s, p);
		break;
	case LISTFILE_IP6TRIE:
		r = ip6trie_line(s, p);
		break;
	case LISTFILE_IP6TSET:
		r = ip6tset_line(s, p);
		break;
	case LISTFILE_DNSET:
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
one_line(struct listfile *s, char *line, size_t n)
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

static struct listfile *
set_new(int format, const struct listfile_key *key, time_t now)
{
	struct listfile *s;
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
		listfile_free(s);
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
read_all(struct listfile *s, struct reader *rd)
{
	char *line;
	size_t n;
	int r;

	if ((line = malloc(MAXLINE + 1)) == NULL)
		return set_fail(s, LISTFILE_ENOMEM);
	while ((r = rd_line(rd, line, &n)) == 1)
		if (one_line(s, line, n) == -1)
			break;
	if (r == -1)
		(void)set_fail(s, rd->err);
	s->st.bytes = rd->total;
	free(line);
	return s->err != LISTFILE_OK ? -1 : 0;
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
group6(struct listfile *s)
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
finish(struct listfile *s)
{
	struct e6 *e = s->e6.p;
	size_t i;

	if (s->err != LISTFILE_OK)
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
		return set_fail(s, LISTFILE_ECORRUPT);
	if (s->expires != 0 && s->now > s->expires)
		return set_fail(s, LISTFILE_EEXPIRED);
	s->key = NULL;
	return 0;
}

/* Hand over a finished set, or its error. */
static struct listfile *
load_end(struct listfile *s, struct listfile_stats *st, int *err)
{
	int e;

	if (st != NULL)
		*st = s->st;
	if (finish(s) == -1) {
		e = s->err;
		if (st != NULL)
			*st = s->st;
		listfile_free(s);
		*err = e;
		return NULL;
	}
	if (st != NULL)
		*st = s->st;
	*err = LISTFILE_OK;
	return s;
}

/*
 * Load a list from memory (the fuzz target and the unit tests): format a
 * listfile_format, key NULL for everything or a filter, now for $TIMESTAMP.
 * NULL with *err a LISTFILE_E* code; st (may be NULL) gets the counts.
 */
struct listfile *
listfile_load_mem(const void *p, size_t n, int format,
    const struct listfile_key *key, time_t now, struct listfile_stats *st,
    int *err)
{
	struct listfile *s;
	struct reader *rd;

	if ((s = set_new(format, key, now)) == NULL ||
	    (rd = calloc(1, sizeof(*rd))) == NULL) {
		listfile_free(s);
		*err = LISTFILE_ENOMEM;
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
	return errno == ENOENT || errno == ENOTDIR ? LISTFILE_EMISSING :
	    errno == ENOMEM ? LISTFILE_ENOMEM : LISTFILE_EUNREADABLE;
}

/* Read a file through zlib; -1 with s->err. */
static int
read_file(struct listfile *s, int fd, const struct stat *st0)
{
	struct reader *rd;
	struct stat st1;
	int r;

	if ((rd = calloc(1, sizeof(*rd))) == NULL) {
		(void)close(fd);
		return set_fail(s, LISTFILE_ENOMEM);
	}
	if ((rd->gz = gzdopen(fd, "rb")) == NULL) {
		(void)close(fd);
		free(rd);
		return set_fail(s, LISTFILE_ENOMEM);
	}
	(void)gzbuffer(rd->gz, READBUF);
	r = read_all(s, rd);
	/* rbldnsd's rule: a file written in place while read is no file */
	if (r == 0 && (fstat(fd, &st1) == -1 || st1.st_size != st0->st_size ||
	    st1.st_mtim.tv_sec != st0->st_mtim.tv_sec ||
	    st1.st_mtim.tv_nsec != st0->st_mtim.tv_nsec))
		r = set_fail(s, LISTFILE_ECORRUPT);
	(void)gzclose(rd->gz);
	free(rd);
	return r;
}

/*
 * Load the list file at path (plain or gzip): as listfile_load_mem().  A
 * missing file is LISTFILE_EMISSING, anything but a readable regular file
 * LISTFILE_EUNREADABLE.
 */
struct listfile *
listfile_load(const char *path, int format, const struct listfile_key *key,
    time_t now, struct listfile_stats *st, int *err)
{
	struct listfile *s;
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
		*err = LISTFILE_EUNREADABLE;
		return NULL;
	}
	if ((s = set_new(format, key, now)) == NULL) {
		(void)close(fd);
		*err = LISTFILE_ENOMEM;
		return NULL;
	}
	(void)read_file(s, fd, &st0);
	return load_end(s, st, err);
}

/* Free a set (NULL is fine). */
void
listfile_free(struct listfile *s)
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
listfile_key_ip(struct listfile_key *k, const char *ip)
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
listfile_key_domain(struct listfile_key *k, const char *dom)
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
look4(const struct listfile *s, uint32_t q, uint32_t *v, int *nv)
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
		for (; lo < n && e[lo].addr == f && *nv < LISTFILE_MAXA; lo++)
			v[(*nv)++] = e[lo].val;
		return 1;
	}
	return 0;
}

static int
look6(const struct listfile *s, const unsigned char *q, uint32_t *v,
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
find_dn(const struct listfile *s, int d, const unsigned char *w)
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
take_dn(const struct listfile *s, int d, size_t i, uint32_t *v, int *nv,
    const unsigned char **name)
{
	const struct edn *e = s->dn[d].p;
	const unsigned char *base = s->names.p, *first = base + e[i].off;

	if (e[i].val == VAL_EXCL)	/* sorts first: it wins */
		return 0;
	*name = first + 1;
	for (; i < s->dn[d].n && *nv < LISTFILE_MAXA &&
	    name_cmp(base + e[i].off, first) == 0; i++)
		v[(*nv)++] = e[i].val;
	return 1;
}

/* The exact name first, then the longest wildcard (at least one label). */
static int
look_dn(const struct listfile *s, const struct listfile_key *k, uint32_t *v,
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
answer_add(const struct listfile *s, struct listfile_answer *a, uint32_t v,
    const char *subj)
{
	const struct val *val = (const struct val *)s->vals.p + v;
	char t[LISTFILE_TXTLEN];
	size_t n;
	int i;

	for (i = 0; i < a->n && a->code[i] != val->a; i++)
		;
	if (i == a->n && a->n < LISTFILE_MAXA)
		a->code[a->n++] = val->a;
	if ((n = txt_subst(s, tmpl_of(s, v), subj, t)) == 0)
		return;
	for (i = 0; i < a->ntxt; i++)
		if (a->txtlen[i] == n && memcmp(a->txt[i], t, n) == 0)
			return;
	if (a->ntxt < LISTFILE_MAXA) {
		memcpy(a->txt[a->ntxt], t, n);
		a->txtlen[a->ntxt++] = n;
	}
}

/*
 * Look k up in s: 1 listed (a holds the distinct codes and TXT strings,
 * TXT as rbldnsd makes it: $ is the IP, or the listed name), 0 not.
 */
int
listfile_lookup(const struct listfile *s, const struct listfile_key *k,
    struct listfile_answer *a)
{
	uint32_t v[LISTFILE_MAXA];
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
/* Names of formats and errors                                          */

/* "auto", "ip4set", "ip6trie", "ip6tset", "dnset": LISTFILE_*, or -1. */
int
listfile_format(const char *name)
{
	static const char *const names[] = { "auto", "ip4set", "ip6trie",
	    "ip6tset", "dnset" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* The one-word text of a LISTFILE_E* code (an error result's answer). */
const char *
listfile_strerror(int e)
{
	if (e < 0 || (size_t)e >= sizeof(errname) / sizeof(errname[0]))
		return "error";
	return errname[e];
}

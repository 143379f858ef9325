/*
 * uriextract.h - the hosts a message links to, from its header section and
 * body stream: a constant-memory push parser of untrusted bytes (no DNS,
 * no policy).  mime.c walks the MIME structure and decodes; uriextract.c
 * finds the URLs in the decoded text; urihost.c checks and normalises one
 * host.
 */
#ifndef QQTAG_URIEXTRACT_H
#define QQTAG_URIEXTRACT_H

#include <stddef.h>
#include <stdint.h>

/* distinct hosts reported per message (SpamAssassin stops at 20) */
#define URIX_HOSTS_MAX	20
/*
 * multipart levels whose boundaries are kept: a multipart part deeper than
 * this is scanned as plain undecoded text (its lines, boundaries and
 * headers included), so nesting hides no unencoded link
 */
#define URIX_DEPTH_MAX	10
#define URIX_HOST	256	/* a host: 253 bytes, NUL, slack */
#define URIX_BOUNDARY	128	/* longest boundary kept (RFC 2046: 70) */
#define URIX_FIELD	1024	/* a header field kept, unfolded: a
				   boundary= past it is lost (the part is
				   then scanned as undecoded text) */
#define URIX_LINE	(URIX_BOUNDARY + 32) /* a line start held for a
				   boundary check ("--", boundary, "--", blanks) */
#define URIX_WIN	256	/* decoded bytes handed on at once */
#define URIX_ENT	12	/* an HTML entity's name or number */

/*
 * found(arg, host, is_ip): one distinct host, lowercased, without
 * userinfo, port and trailing dot; is_ip is 1 for an address literal:
 * IPv4 in dotted quad (browser forms such as http://3232235777/ or
 * 0x7f.1 normalised) or IPv6 as inet_ntop writes it, without brackets
 * (tell them apart by a ':').  host is valid during the call only.
 */
typedef void urix_found_fn(void *arg, const char *host, int is_ip);

/* internal: the URL scanner's state (uriextract.c) */
struct urix_scan {
	uint64_t	 win;		/* last 8 text bytes, lowercased */
	int		 state;
	int		 html;		/* this part is text/html */
	int		 port;		/* in a ":port" (or "user:pass") */
	int		 bad;		/* the host overflowed */
	int		 pct;		/* hex digits of a %XX so far */
	unsigned char	 pctv;
	size_t		 hlen;
	char		 host[URIX_HOST];
	size_t		 elen;		/* bytes in ent, after '&' */
	int		 inent;
	char		 ent[URIX_ENT];
};

/* internal: one multipart level */
struct urix_level {
	size_t		 blen;
	char		 b[URIX_BOUNDARY];
};

/* internal: the MIME walk (mime.c) */
struct urix_mime {
	int		 state;		/* headers, body, skip */
	int		 top;		/* in the message's own header section */
	int		 bol;		/* at the start of a line */
	int		 hbol;		/* header machine at a line start */
	int		 kind, enc;	/* this part's type and encoding */
	int		 qstate;	/* quoted-printable decoder */
	unsigned	 qv;
	unsigned	 b64v;		/* base64 quantum */
	int		 b64n;
	size_t		 depth;
	struct urix_level lv[URIX_DEPTH_MAX];
	size_t		 pblen;		/* the boundary= of this part */
	char		 pb[URIX_BOUNDARY];
	int		 pbok;
	size_t		 flen;
	char		 field[URIX_FIELD];
	size_t		 lblen;
	char		 lb[URIX_LINE];
	size_t		 wlen;
	char		 w[URIX_WIN];
};

struct urix {
	urix_found_fn	*found;
	void		*arg;
	size_t		 nhosts;	/* reported so far */
	size_t		 dropped;	/* new hosts past URIX_HOSTS_MAX */
	char		 hosts[URIX_HOSTS_MAX][URIX_HOST];
	struct urix_mime mime;
	struct urix_scan scan;
};

/* Start a message; found is called once per distinct host.  No failure. */
void	urix_init(struct urix *, urix_found_fn *, void *);
/*
 * The message's header section (LF line ends, the blank line optional):
 * the top-level Content-Type and Content-Transfer-Encoding, and the host
 * of each Reply-To: address.  No failure.
 */
void	urix_headers(struct urix *, const char *, size_t);
/* Body bytes in order, in chunks of any size.  No failure. */
void	urix_feed(struct urix *, const char *, size_t);
/* The end of the body: what is pending (a URL at the very end).  No failure. */
void	urix_end(struct urix *);

/* internal: mime.c hands decoded text to uriextract.c */
void	urix_text(struct urix *, const char *, size_t);
/* internal: a text part starts (html or not) or ends (flush) */
void	urix_part(struct urix *, int);
void	urix_flush(struct urix *);
/* internal: the hosts of a Reply-To: field's value */
void	urix_reply_to(struct urix *, const char *, size_t);
/* internal: the MIME walk */
void	mime_init(struct urix_mime *);
void	mime_headers(struct urix *, const char *, size_t);
void	mime_feed(struct urix *, const char *, size_t);
void	mime_end(struct urix *);

/*
 * urihost_norm(in, n, out, &is_ip): the host in (n bytes: no userinfo, no
 * port; an IPv6 literal in brackets) checked and written to out
 * (URIX_HOST bytes) lowercased, the trailing dot removed; 0, or -1 when
 * it is no LDH name of two labels or more and no address literal.
 */
int	urihost_norm(const char *, size_t, char *, int *);

#endif

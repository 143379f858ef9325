/*
 * rfc5322.h - the header section held in memory (RFC 5322): fields and
 * their iteration (either way), unfolding, address lists, RFC 2047
 * encoded words, dates, Message-ID; and the one domain-name validator.
 */
#ifndef QQTAG_RFC5322_H
#define QQTAG_RFC5322_H

#include <stddef.h>
#include <time.h>

#define RFC_NAME	256	/* a DNS name and its NUL (RFC 1035) */
#define RFC_ADDR	320	/* local part 64, '@', domain 255 */
#define RFC_DISPLAY	256	/* display name kept, RFC 2047 decoded */
#define RFC_FIELD	8192	/* one unfolded field looked at */
#define DOM_MAX		253	/* a name's text, no trailing dot */
#define DOM_LABEL_MAX	63	/* RFC 1035 §2.3.4 */

/* ASCII only, whatever the locale (message bytes are not text). */
static inline int
rfc_lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static inline int
rfc_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int
rfc_isalpha(int c)
{
	c = rfc_lc(c);
	return c >= 'a' && c <= 'z';
}

/* A hex digit's value (either case), or -1. */
static inline int
rfc_hexval(int c)
{
	c = rfc_lc(c);
	if (rfc_isdigit(c))
		return c - '0';
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A base64 digit's value (RFC 4648 §4), or -1 (padding included). */
static inline int
rfc_b64val(int c)
{
	if (rfc_isalpha(c))
		return c >= 'a' ? c - 'a' + 26 : c - 'A';
	if (rfc_isdigit(c))
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static inline int
rfc_iswsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One field of the section: pointers into the caller's bytes. */
struct rfc_field {
	const char	*raw;	/* its first byte (the name) */
	size_t		 rawlen;/* to the end of its last line, LF included */
	const char	*name;	/* == raw */
	size_t		 nlen;
	const char	*val;	/* after the colon, folded, LF included */
	size_t		 vlen;
};

/* Two cursors over one header section: top-down and bottom-up. */
struct rfc_iter {
	const char	*start, *end;	/* the section, up to its empty line */
	const char	*fwd, *back;
};

void	rfc_iter_init(struct rfc_iter *, const char *, size_t);
int	rfc_next(struct rfc_iter *, const char *, struct rfc_field *);
int	rfc_prev(struct rfc_iter *, const char *, struct rfc_field *);
int	rfc_field_is(const struct rfc_field *, const char *);
size_t	rfc_unfold(const char *, size_t, char *, size_t);
int	rfc_keep(char *, size_t, const char *, size_t);

/* What an address list holds; the first mailbox is kept. */
struct rfc_addrs {
	unsigned	nbox;		/* mailboxes */
	unsigned	nbad;		/* items that are no mailbox */
	char		addr[RFC_ADDR];	/* addr-spec, CFWS gone */
	char		domain[RFC_NAME];/* lowercased; "[..]" a literal */
	char		display[RFC_DISPLAY];
};

void	rfc_addr_list(const char *, size_t, struct rfc_addrs *);
size_t	rfc_2047(const char *, size_t, char *, size_t);
int	rfc_date(const char *, size_t, time_t *);
int	rfc_msgid(const char *, size_t);

/* The facts of a header section, filled by rfc_parse(). */
struct rfc_fields {
	unsigned nfrom;			/* From fields */
	unsigned from_nbox;		/* mailboxes in the first */
	int	 from_ok;		/* first one: mailboxes, no junk */
	char	 from_addr[RFC_ADDR];	/* its first mailbox */
	char	 from_domain[RFC_NAME];	/* lowercased, no trailing dot */
	char	 from_display[RFC_DISPLAY];
	unsigned ndate;			/* Date fields */
	int	 date_ok;		/* the first one parses */
	time_t	 date;
	unsigned nmid;			/* Message-ID fields */
	int	 mid_ok;		/* just one, "<left@right>" */
	unsigned nto;			/* To fields */
	unsigned ncc;			/* Cc fields */
	unsigned nvisible;		/* mailboxes in To and Cc */
	int	 eightbit;		/* a raw byte >= 0x80 */
	int	 cut;			/* copy cut: absence unknown */
	/* for the mailer, recipient, subject and MIME rules (heur.c) */
	char	 msgid[RFC_DISPLAY];	/* the first Message-ID */
	char	 mailer[RFC_DISPLAY];	/* the first X-Mailer */
	char	 subject[RFC_DISPLAY];	/* the first Subject */
	char	 ctype[RFC_DISPLAY];	/* the first Content-Type */
	char	 to_addr[RFC_ADDR];	/* the first To: mailbox */
	unsigned nsubject;		/* Subject fields */
	unsigned nctype;		/* Content-Type fields */
	int	 mimever;		/* a MIME-Version field */
	int	 ctype_boundary;	/* the first Content-Type has one */
	int	 mimeole;		/* an X-MimeOLE field */
	int	 msprio;		/* an X-MSMail-Priority field */
	int	 threadidx;		/* a Thread-Index field */
	int	 xprio;			/* X-Priority digit; -1 */
	int	 to_undisclosed;	/* a To: "undisclosed" address */
	int	 from_brkts;		/* From: "<addr>" alone */
	int	 from_bare;		/* From: addr alone */
	int	 to_brkts;		/* To: "<addr>" alone */
	int	 ratware;		/* a bulk mailer's field */
};

void	rfc_parse(const char *, size_t, int, struct rfc_fields *);
const char *rfc_from_domain(const struct rfc_fields *);

/* dom_norm flags */
#define DOM_US		0x1	/* '_' in labels (RFC 8552 names, real HELOs) */
#define DOM_8BIT	0x2	/* bytes >= 0x80 as letters (RFC 6532) */
#define DOM_FQDN	0x4	/* two labels at least, a letter on top */

int	dom_norm(const char *, size_t, unsigned, char *, size_t);
int	dom_valid(const char *, size_t, unsigned);

#endif

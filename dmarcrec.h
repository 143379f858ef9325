/*
 * dmarcrec.h - DMARC policy records (RFC 7489 §6.3, §6.4): one TXT
 * string parsed into a struct dmarc_rec, and the records of one TXT
 * answer sorted into what policy discovery (§6.6.3) makes of them.
 */
#ifndef QQTAG_DMARCREC_H
#define QQTAG_DMARCREC_H

#include <stddef.h>

#define DMARC_TXT_MAX	4096	/* record bytes looked at (see dmarcrec.c) */

enum dmarc_pol {
	DMARC_P_UNSET = 0,	/* sp=: absent, p= applies */
	DMARC_P_NONE,
	DMARC_P_QUARANTINE,
	DMARC_P_REJECT
};

struct dmarc_rec {
	enum dmarc_pol	 p;		/* never UNSET in a valid record */
	enum dmarc_pol	 sp;		/* UNSET: p */
	int		 adkim;		/* 's' or 'r' */
	int		 aspf;		/* 's' or 'r' */
	unsigned	 pct;		/* 0..100 */
	int		 rua;		/* a syntactically valid rua= URI */
	int		 pfallback;	/* p= or sp= bad, rua= there: p=none */
};

/* dmarc_rec_parse() results */
#define DMARC_REC_OK	 0	/* a DMARC record, usable */
#define DMARC_REC_OTHER	 1	/* no v=DMARC1 first: not DMARC, discard */
#define DMARC_REC_BAD	 2	/* v=DMARC1, but no usable p= or sp= */

/* What one _dmarc TXT lookup found (policy discovery, §6.6.3). */
enum dmarc_found {
	DMARC_F_UNASKED = 0,	/* no query (or not answered yet) */
	DMARC_F_NONE,		/* no record: NXDOMAIN, NODATA, no DMARC TXT */
	DMARC_F_RECORD,		/* exactly one DMARC record, usable: rec */
	DMARC_F_BAD,		/* exactly one, unusable: permerror */
	DMARC_F_MULTI,		/* several DMARC records: permerror */
	DMARC_F_ERROR		/* DNS failure, timeout, cap: temperror */
};

struct dmarc_look {
	enum dmarc_found found;
	int		 status;	/* the DNS status (dns.h) */
	struct dmarc_rec rec;
	char		 txt[160];	/* start of the record (untrusted) */
	size_t		 txtlen;
};

/*
 * dmarc_rec_parse(s, n, rec): the record s[0..n) (any bytes).  v=DMARC1
 *   must be the first tag (value exactly "DMARC1"); tag names and the
 *   p/sp/adkim/aspf values are case-insensitive; unknown tags and bad
 *   optional values are ignored (defaults: adkim=r aspf=r pct=100); the
 *   first of a repeated tag counts.  A bad or missing p= (or a bad sp=)
 *   with a valid rua= is p=none (pfallback).  DMARC_REC_OK, _OTHER, _BAD.
 * dmarc_rec_answer(abuf, alen, status, look): a TXT answer (dns_cb's
 *   arguments) into look: the answer's TXT records (strings joined)
 *   not starting with v=DMARC1 are discarded; one left is the record.
 * dmarc_pol_text(p): "none", "quarantine", "reject" ("-" for UNSET).
 */
int		 dmarc_rec_parse(const char *, size_t, struct dmarc_rec *);
void		 dmarc_rec_answer(const unsigned char *, int, int,
		    struct dmarc_look *);
const char	*dmarc_pol_text(enum dmarc_pol);

#endif

/* headers.h - header section filter and the one header writer */
#ifndef QQTAG_HEADERS_H
#define QQTAG_HEADERS_H

#include <stddef.h>

#include "buf.h"

#define HDR_NAME_MAX	 96		/* longest field name we compare */
#define HDR_HOLD_MAX	 1024		/* a header line held undecided */
#define HDR_COPY_MAX	 (64 * 1024)	/* capped copy for the heuristics */
#define HDR_UNTRUSTED_MAX 200		/* rblsmtpd's cut for outside text */
#define HDR_VALUE_MAX	 4000		/* one written header, all parts */
#define HDR_FOLD	 78		/* RFC 5322 §2.1.1 */
#define HDR_WORD_MAX	 900		/* longer words are cut into lines */
#define HDR_NAMES_MAX	 32

/* Names of qqtag's own headers; an entry ending in '*' is a prefix. */
struct hdr_names {
	const char	*name[HDR_NAMES_MAX];
	size_t		 n;
};

typedef int (*hdr_emit_fn)(void *, const char *, size_t);

/* 1: this Received field's value (raw, may hold folds) is the hop's own */
typedef int (*hdr_hop_fn)(const char *, size_t);

struct hdr_filter {
	const struct hdr_names *strip;	/* NULL: keep every line */
	hdr_hop_fn	 hop;		/* trusted hop mode: finds its line */
	int		 state;
	int		 dropping;	/* current field is forged */
	int		 first;		/* name starts at the line's start */
	int		 longline;	/* part of this line is passed on */
	int		 trusting;	/* above the trusted hop's line */
	int		 rcv;		/* current field: a Received to ask */
	size_t		 rcvoff;	/* its value's offset in copy */
	size_t		 lineoff;	/* fold: this line's start in hold */
	size_t		 holdlen;
	size_t		 namelen;	/* name bytes (CR left out) */
	int		 namelong;	/* name longer than name[] */
	char		 name[HDR_NAME_MAX];
	char		 hold[HDR_HOLD_MAX];
	size_t		 nstripped;	/* forged fields removed */
	size_t		 nlines;	/* header section lines seen */
	unsigned long long hdrbytes;	/* header section bytes seen */
	int		 body;		/* header section is over */
	struct buf	 copy;		/* kept header bytes, capped */
	int		 copy_cut;	/* copy hit HDR_COPY_MAX */
	const char	*arid;		/* our authserv-id, or NULL */
	int		 ar;		/* an Authentication-Results held */
	size_t		 arval;		/* its value's offset in hold */
	size_t		 hop_qqtag;	/* X-Qqtag fields kept above the hop */
	int		 hop_found;	/* the hop's Received line was seen */
};

int	hdr_names_add(struct hdr_names *, const char *);
int	hdr_names_match(const struct hdr_names *, const char *, size_t);
void	hdr_filter_init(struct hdr_filter *, const struct hdr_names *);
void	hdr_filter_trust_hop(struct hdr_filter *, hdr_hop_fn);
void	hdr_filter_authserv(struct hdr_filter *, const char *);
int	hdr_filter_feed(struct hdr_filter *, const char *, size_t,
	    hdr_emit_fn, void *);
int	hdr_filter_end(struct hdr_filter *, hdr_emit_fn, void *);
void	hdr_filter_free(struct hdr_filter *);

/* One header being written: name, then value parts, then folded out. */
struct hdr_w {
	struct buf	*out;
	const char	*name;
	size_t		 vlen;
	int		 space;		/* a space is owed before the next byte */
	int		 cut;		/* value hit HDR_VALUE_MAX */
	char		 val[HDR_VALUE_MAX];
};

void	hdr_begin(struct hdr_w *, struct buf *, const char *);
void	hdr_text(struct hdr_w *, const char *);
void	hdr_untrusted(struct hdr_w *, const void *, size_t);
void	hdr_glue(struct hdr_w *, const char *);
void	hdr_list(struct hdr_w *, const char *, const char *const *, size_t,
	    const char *);
int	hdr_end(struct hdr_w *);
size_t	hdr_sanitise(char *, size_t, const void *, size_t);
int	hdr_has_field(const char *, size_t, const char *);

#endif

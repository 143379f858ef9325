/* logline.h - one qqtag log line ("qqtag: pid=... result=...") parsed */
#ifndef QQTAG_LOGLINE_H
#define QQTAG_LOGLINE_H

#include <stddef.h>
#include <stdint.h>

/* A piece of the line: n bytes at p (not NUL-terminated). */
struct ll_slice {
	const char	*p;
	size_t		 n;
};

/* The fields qqtag writes, in its order; LL_HAS says which were there. */
enum ll_field {
	LL_PID, LL_IP, LL_CLASS, LL_BYTES, LL_HDRLINES, LL_STRIPPED,
	LL_RCPTS, LL_POLICY, LL_HEALTH, LL_SCORE, LL_FLAG, LL_TESTS,
	LL_URIS, LL_ERRORS, LL_GEO, LL_LISTS, LL_QUEUE_ERROR, LL_MS,
	LL_AFTER_EOM, LL_RESULT, LL_NFIELDS
};
#define LL_HAS(r, f)	(((r)->have >> (f)) & 1u)

struct ll_rec {
	uint32_t	 have;		/* 1 << LL_x: present, valid */
	unsigned	 bad;		/* fields present but malformed */
	unsigned	 dup;		/* repeated (first counts) */
	unsigned	 unknown;	/* words this version does not know */
	uint64_t	 num[LL_NFIELDS];	/* numeric fields */
	long		 score10;	/* score in tenths */
	int		 flag;		/* yes: 1, no: 0, else -1 */
	struct ll_slice	 s[LL_NFIELDS];	/* text fields */
};

/*
 * Where qqtag's own text ("qqtag: ") starts in a line of n bytes at p, or
 * NULL: a line of another program.
 */
const char	*ll_find(const char *, size_t);
/*
 * Parse the text after "qqtag: " (n bytes at p) into r.  Returns 1 for a
 * message line (pid= first), 0 for another qqtag line (a notice).  Never
 * fails: malformed fields are counted in r->bad and left out.
 */
int	ll_parse(const char *, size_t, struct ll_rec *);
/*
 * The next comma-separated word of *list into *w (the list shrinks);
 * 0 when there is none.
 */
int	ll_word(struct ll_slice *, struct ll_slice *);
/* Is slice s the text t? */
int	ll_is(const struct ll_slice *, const char *);

#endif

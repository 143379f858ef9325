/* lognames.h - names seen in a log (tests, lists, countries ...), capped */
#ifndef QQTAG_LOGNAMES_H
#define QQTAG_LOGNAMES_H

#include <stddef.h>

#define NAMES_LEN	48	/* a longer name is cut */

struct names_e {
	char		s[NAMES_LEN + 1];
};

/*
 * At most cap names, each with an id 0..cap-1 in order of first sight;
 * every name after the cap is id cap, "other".
 */
struct names {
	size_t		 cap, n;
	size_t		 hsize;		/* hash index slots */
	struct names_e	*e;
	unsigned	*h;		/* id + 1 per slot, 0: free */
};

/* A table of at most cap names.  0, or -1 (ENOMEM). */
int		 names_init(struct names *, size_t);
/*
 * The id of the n bytes at p, added when new (bytes outside printable
 * ASCII become '?'); cap when the table is full and p is not in it.
 */
size_t		 names_id(struct names *, const char *, size_t);
/* The name of id ("other" for cap). */
const char	*names_str(const struct names *, size_t);
/* Free the table. */
void		 names_free(struct names *);

#endif

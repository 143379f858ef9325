/*
 * orgdom.h - organizational domains (RFC 7489 §3.2) from the public
 * suffix list: DMARC's relaxed alignment and its policy fallback, the
 * URI lists' registrable domains, and any check that wants "the same
 * registered domain".
 *
 * The list is the DAFSA file of Debian's publicsuffix package (the file
 * libpsl reads), loaded once per process on first use (orgdom_load) and
 * read by dafsa.c; orgdom.c says why libpsl itself is not used.
 * Measured here (qqtag runs once per message; BENCHMARKS.md, issue 13):
 * reading the file and 40 lookups cost about 30 us, where opening
 * libpsl cost 0.5 ms.
 */
#ifndef QQTAG_ORGDOM_H
#define QQTAG_ORGDOM_H

#include <stddef.h>

#ifndef ORGDOM_FILE
#define ORGDOM_FILE	"/usr/share/publicsuffix/public_suffix_list.dafsa"
#endif

/*
 * orgdom_load(file): load the list now (later calls do nothing and
 *   return the first result).  file NULL: ORGDOM_FILE; else that file
 *   (tests; an admin's newer list made by libpsl's psl-make-dafsa).  0, or -1 with
 *   errno ENOENT: no list (every orgdom_of then fails with ENOENT).
 * orgdom_of(dom, out, size): the organizational domain of the name dom
 *   (text, any case, one trailing dot ignored) lowercased into out: the
 *   public suffix plus one label; dom itself when dom is a public
 *   suffix (co.uk) or a single label.  out, or NULL with errno ENOENT
 *   (no list), EINVAL (not a name), ENAMETOOLONG (out too small).
 * orgdom_same(a, b): 1 when a and b have the same organizational domain,
 *   0 when not, -1 with errno as orgdom_of.
 * orgdom_source(): where the list came from (the file's name, or
 *   "none (file: why)"), for traces; loads it.
 * orgdom_unload(): free it (tests: load another file next).
 */
int		 orgdom_load(const char *);
const char	*orgdom_of(const char *, char *, size_t);
int		 orgdom_same(const char *, const char *);
const char	*orgdom_source(void);
void		 orgdom_unload(void);

#endif

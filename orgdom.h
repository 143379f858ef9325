/*
 * orgdom.h - organizational domains (RFC 7489 §3.2) from the public
 * suffix list through libpsl: DMARC's relaxed alignment and its policy
 * fallback, and any check that wants "the same registered domain".
 *
 * The list is loaded once per process, on first use (orgdom_load):
 * libpsl is dlopen()ed (orgdom.c says why), then libpsl's built-in copy
 * is taken unless the system's file is newer (Debian's publicsuffix
 * package updated after libpsl was built), then that file, else the
 * built-in copy even if older.  Measured here (qqtag runs once per
 * message; in-process, median of 300 processes): the built-in copy
 * 15-40 us, the system's DAFSA file about 300 us, psl_latest() 450 us
 * (it reads the file whenever the file is not older: on Debian 12 it
 * always is, by 59 s), the .dat text file 8 ms; mapping libpsl with
 * libidn2 and libunistring costs more than any of them, about 0.5 ms.
 */
#ifndef QQTAG_ORGDOM_H
#define QQTAG_ORGDOM_H

#include <stddef.h>

/*
 * orgdom_load(file): load the list now (later calls do nothing and
 *   return the first result).  file NULL: the system's list as above;
 *   else that file only (tests, an admin's newer list).  0, or -1 with
 *   errno ENOENT: no list (every orgdom_of then fails with ENOENT).
 * orgdom_of(dom, out, size): the organizational domain of the name dom
 *   (text, any case, one trailing dot ignored) lowercased into out: the
 *   public suffix plus one label; dom itself when dom is a public
 *   suffix (co.uk) or a single label.  out, or NULL with errno ENOENT
 *   (no list), EINVAL (not a name), ENAMETOOLONG (out too small).
 * orgdom_same(a, b): 1 when a and b have the same organizational domain,
 *   0 when not, -1 with errno as orgdom_of.
 * orgdom_source(): where the list came from ("libpsl built-in", a file
 *   name, "none"), for traces; loads it.
 * orgdom_unload(): free it (tests: load another file next).
 */
int		 orgdom_load(const char *);
const char	*orgdom_of(const char *, char *, size_t);
int		 orgdom_same(const char *, const char *);
const char	*orgdom_source(void);
void		 orgdom_unload(void);

#endif

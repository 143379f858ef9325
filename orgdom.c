/*
 * orgdom.c - organizational domains from the public suffix list
 * (orgdom.h).  The only file that knows the list.
 *
 * The list is the publicsuffix package's public_suffix_list.dafsa, the
 * compact graph libpsl itself reads, read into memory and walked by
 * dafsa.c; the rules (wildcards, exceptions, the "*" default) are
 * applied here exactly as libpsl's psl_registrable_domain() applies
 * them (tests/unit_orgdom.c holds the two side by side on every rule of
 * the list).  libpsl is not linked or opened: with libidn2 and
 * libunistring its mapping cost about 0.5 ms a message, more than all
 * of the URI check's work together (BENCHMARKS.md, issue 13), and
 * failed under a softlimit -m that fits qqtag; the file is 54 KB.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dafsa.h"
#include "orgdom.h"
#include "rfc5322.h"

#define PSL_EXCEPTION	0x01	/* a "!" rule (libpsl's flag bits) */
#define PSL_WILDCARD	0x02	/* a "*." rule, stored on its parent */
#define PSL_FILE_MAX	(16UL * 1024 * 1024)

static struct {
	int		 tried;		/* orgdom_load ran */
	const unsigned char *map;	/* the file, read; NULL: no list */
	const unsigned char *graph;	/* after the header */
	size_t		 glen;
	char		 source[160];	/* the file, or why there is none */
} od;

/*
 * Read the open fd of a regular file of a sane size into memory: the
 * copy (malloc), or NULL with errno.  Read, not mapped: a list file
 * truncated in place under a mapping would be a SIGBUS (DESIGN.md 1.4);
 * 54 KB are read in about 10 us.
 */
static unsigned char *
read_fd(int fd, size_t *len)
{
	struct stat	 st;
	unsigned char	*p;
	size_t		 got = 0;
	ssize_t		 r;

	if (fstat(fd, &st) == -1)
		return NULL;
	if (!S_ISREG(st.st_mode) || st.st_size <= DAFSA_HEADER ||
	    (unsigned long long)st.st_size > PSL_FILE_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((p = malloc((size_t)st.st_size)) == NULL)
		return NULL;
	while (got < (size_t)st.st_size && (r = read(fd, p + got,
	    (size_t)st.st_size - got)) != 0)
		if (r > 0)
			got += (size_t)r;
		else if (errno != EINTR) {
			free(p);
			return NULL;
		}
	*len = got;	/* a file that shrank meanwhile: what was read */
	return p;
}

/* Read file and check its header: 0, or -1 (od.source says why). */
static int
read_list(const char *file)
{
	unsigned char	*p = NULL;
	size_t		 len = 0, h;
	int		 fd, e;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) != -1) {
		p = read_fd(fd, &len);
		e = errno;
		close(fd);
		errno = e;
	}
	if (p == NULL) {
		snprintf(od.source, sizeof(od.source), "none (%s: %s)", file,
		    strerror(errno));
		return -1;
	}
	if ((h = dafsa_header(p, len)) == 0) {
		free(p);
		snprintf(od.source, sizeof(od.source), "none (%s: not a "
		    "DAFSA of libpsl's format 0)", file);
		return -1;
	}
	od.map = p;
	od.graph = od.map + h;
	od.glen = len - h;
	snprintf(od.source, sizeof(od.source), "%s", file);
	return 0;
}

/* Load the list once (file, or the system's); 0, or -1 errno ENOENT. */
int
orgdom_load(const char *file)
{
	if (!od.tried) {
		od.tried = 1;
		(void)read_list(file != NULL ? file : ORGDOM_FILE);
	}
	if (od.map == NULL) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* Free the list; the next use loads again. */
void
orgdom_unload(void)
{
	free((void *)od.map);
	memset(&od, 0, sizeof(od));
}

/* Where the list came from, for traces ("none (why)" without one). */
const char *
orgdom_source(void)
{
	(void)orgdom_load(NULL);
	return od.source;
}

/*
 * Is the lowercase name a public suffix?  libpsl's is_public_suffix()
 * for every rule type: a single label is (the "*" default); a name the
 * list holds is, unless an exception; a name whose parent carries a
 * wildcard is.
 */
static int
is_suffix(const char *name)
{
	const char	*dot = strchr(name, '.');
	int		 v;

	if (dot == NULL)
		return 1;
	if ((v = dafsa_lookup(od.graph, od.glen, name, strlen(name))) != -1)
		return (v & PSL_EXCEPTION) == 0;
	dot++;
	v = dafsa_lookup(od.graph, od.glen, dot, strlen(dot));
	return v != -1 && (v & PSL_WILDCARD) != 0;
}

/*
 * The registrable domain of the lowercase name: the suffix plus one
 * label, found from the left as libpsl does (so that a listed name under
 * an unlisted parent is seen), or NULL when the name is a suffix.
 */
static const char *
registrable(const char *name)
{
	const char	*reg = NULL, *dot;

	while (!is_suffix(name) && (dot = strchr(name, '.')) != NULL) {
		reg = name;
		name = dot + 1;
	}
	return reg;
}

/*
 * The organizational domain of dom, lowercased into out (RFC 7489 §3.2:
 * the longest public suffix that matches, plus one label; the list's
 * wildcard and exception rules and its "*" default apply, so an
 * unlisted top-level domain counts as a suffix).  A public suffix or a
 * name of one or two labels is its own (no list loaded for those).
 * NULL with errno ENOENT, EINVAL, ENAMETOOLONG.
 */
const char *
orgdom_of(const char *dom, char *out, size_t size)
{
	char		 low[RFC_NAME];
	const char	*reg;
	size_t		 i, n;

	n = dom != NULL ? strlen(dom) : 0;
	if (n > 0 && dom[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof(low) || dom[0] == '.') {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < n; i++)
		low[i] = (char)rfc_lc((unsigned char)dom[i]);
	low[n] = '\0';
	/*
	 * One or two labels are their own organizational domain whatever
	 * the list says (a suffix of its own, or the suffix plus one label):
	 * the list is not needed for them.
	 */
	if (strchr(low, '.') == strrchr(low, '.'))
		reg = low;
	else if (orgdom_load(NULL) == -1)
		return NULL;
	else if ((reg = registrable(low)) == NULL)
		reg = low;	/* a suffix itself */
	if ((n = strlen(reg)) >= size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(out, reg, n + 1);
	return out;
}

/* Do a and b share their organizational domain?  1, 0, or -1 (errno). */
int
orgdom_same(const char *a, const char *b)
{
	char	x[RFC_NAME], y[RFC_NAME];

	if (orgdom_of(a, x, sizeof(x)) == NULL ||
	    orgdom_of(b, y, sizeof(y)) == NULL)
		return -1;
	return strcmp(x, y) == 0;
}

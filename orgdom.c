/*
 * orgdom.c - organizational domains through libpsl (orgdom.h).  The only
 * file that knows libpsl.
 *
 * libpsl is opened with dlopen() when a list is first needed, not linked:
 * linked, it and its dependencies (libidn2, libunistring: about 2 MB of
 * mappings) are mapped into every qqtag process, cost about 0.4 ms of
 * start-up per message even when no From: domain is looked at, and make
 * the process fail to start at all (exit 127, a deferral) under a
 * softlimit -m that fits qqtag without them (tests/t_softlimit.sh:
 * 6000000).  Opened late, a mapping that fails costs only DMARC (an
 * error "dmarc:psl"), as DESIGN.md section 1.4 wants.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libpsl.h>

#include "orgdom.h"
#include "rfc5322.h"

#define ORGDOM_LIB	"libpsl.so.5"	/* libpsl 0.21's soname */

/* libpsl's functions, from dlsym(). */
struct psl_fn {
	const psl_ctx_t	*(*builtin)(void);
	int		 (*outdated)(void);
	const char	*(*dist)(void);
	psl_ctx_t	*(*load)(const char *);
	const char	*(*regdom)(const psl_ctx_t *, const char *);
	void		 (*free)(psl_ctx_t *);
};

static struct {
	int		 tried;		/* orgdom_load ran */
	void		*lib;		/* dlopen()ed, kept */
	struct psl_fn	 fn;
	const psl_ctx_t	*psl;		/* NULL: no list */
	psl_ctx_t	*owned;		/* loaded from a file: ours to free */
	const char	*source;
	char		 why[160];	/* why there is none */
} od;

/* dlopen libpsl and find its functions: 0, or -1 (od.why says why). */
static int
open_lib(void)
{
	static const char *const name[] = { "psl_builtin",
	    "psl_builtin_outdated", "psl_dist_filename", "psl_load_file",
	    "psl_registrable_domain", "psl_free" };
	void	**slot[6];
	size_t	  i;
	char	 *e;

	if (od.lib == NULL && (od.lib = dlopen(ORGDOM_LIB, RTLD_LAZY |
	    RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(od.why, sizeof(od.why), "none (%s)", e ? e :
		    ORGDOM_LIB " cannot be loaded");
		return -1;
	}
	slot[0] = (void **)&od.fn.builtin;	/* POSIX dlsym() idiom */
	slot[1] = (void **)&od.fn.outdated;
	slot[2] = (void **)&od.fn.dist;
	slot[3] = (void **)&od.fn.load;
	slot[4] = (void **)&od.fn.regdom;
	slot[5] = (void **)&od.fn.free;
	for (i = 0; i < 6; i++)
		if ((*slot[i] = dlsym(od.lib, name[i])) == NULL) {
			snprintf(od.why, sizeof(od.why), "none (%s has no "
			    "%s)", ORGDOM_LIB, name[i]);
			return -1;
		}
	return 0;
}

/* The system's list: built-in unless outdated, the file, the built-in. */
static void
load_system(void)
{
	const char	*dist = od.fn.dist();

	if (!od.fn.outdated() && (od.psl = od.fn.builtin()) != NULL) {
		od.source = "libpsl built-in";
		return;
	}
	if (dist != NULL && *dist != '\0' &&
	    (od.owned = od.fn.load(dist)) != NULL) {
		od.psl = od.owned;
		od.source = dist;
		return;
	}
	if ((od.psl = od.fn.builtin()) != NULL)
		od.source = "libpsl built-in (older than the system's file)";
}

/* Load the list once (file, or the system's); 0, or -1 errno ENOENT. */
int
orgdom_load(const char *file)
{
	if (!od.tried) {
		od.tried = 1;
		snprintf(od.why, sizeof(od.why), "none");
		od.source = od.why;
		if (open_lib() == -1)
			;
		else if (file == NULL)
			load_system();
		else if ((od.owned = od.fn.load(file)) != NULL) {
			od.psl = od.owned;
			od.source = file;
		}
	}
	if (od.psl == NULL) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* Free the list; the next use loads again. */
void
orgdom_unload(void)
{
	void	*lib = od.lib;
	struct psl_fn fn = od.fn;

	if (od.owned != NULL)
		od.fn.free(od.owned);
	memset(&od, 0, sizeof(od));
	od.lib = lib;		/* kept: dlclose() buys nothing here */
	od.fn = fn;
}

/* Where the list came from, for traces ("none" without one). */
const char *
orgdom_source(void)
{
	(void)orgdom_load(NULL);
	return od.source;
}

/*
 * The organizational domain of dom, lowercased into out (RFC 7489 §3.2:
 * the longest public suffix that matches, plus one label; libpsl applies
 * the list's wildcard and exception rules and its "*" default, so an
 * unlisted top-level domain counts as a suffix).  A public suffix or a
 * name of one or two labels is its own (no list loaded for those).  NULL with errno ENOENT, EINVAL, ENAMETOOLONG.
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
	 * the list (and libpsl's mapping, 0.5 ms) is not needed for them.
	 */
	if (strchr(low, '.') == strrchr(low, '.'))
		reg = low;
	else if (orgdom_load(NULL) == -1)
		return NULL;
	else if ((reg = od.fn.regdom(od.psl, low)) == NULL)
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

/*
 * orgdom.c - organizational domains through libpsl (orgdom.h).  The only
 * file that includes <libpsl.h>.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <libpsl.h>

#include "orgdom.h"
#include "rfc5322.h"

static struct {
	int		 tried;		/* orgdom_load ran */
	const psl_ctx_t	*psl;		/* NULL: no list */
	psl_ctx_t	*owned;		/* loaded from a file: ours to free */
	const char	*source;
} od;

/* The system's list: built-in unless outdated, the file, the built-in. */
static void
load_system(void)
{
	const char	*dist = psl_dist_filename();

	if (!psl_builtin_outdated() && (od.psl = psl_builtin()) != NULL) {
		od.source = "libpsl built-in";
		return;
	}
	if (dist != NULL && *dist != '\0' &&
	    (od.owned = psl_load_file(dist)) != NULL) {
		od.psl = od.owned;
		od.source = dist;
		return;
	}
	if ((od.psl = psl_builtin()) != NULL)
		od.source = "libpsl built-in (older than the system's file)";
}

/* Load the list once (file, or the system's); 0, or -1 errno ENOENT. */
int
orgdom_load(const char *file)
{
	if (!od.tried) {
		od.tried = 1;
		od.source = "none";
		if (file == NULL)
			load_system();
		else if ((od.owned = psl_load_file(file)) != NULL) {
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
	if (od.owned != NULL)
		psl_free(od.owned);
	memset(&od, 0, sizeof(od));
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
 * single label is its own.  NULL with errno ENOENT, EINVAL, ENAMETOOLONG.
 */
const char *
orgdom_of(const char *dom, char *out, size_t size)
{
	char		 low[RFC_NAME];
	const char	*reg;
	size_t		 i, n;

	if (orgdom_load(NULL) == -1)
		return NULL;
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
	if ((reg = psl_registrable_domain(od.psl, low)) == NULL)
		reg = low;	/* a suffix itself, or one label */
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

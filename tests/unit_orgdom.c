/*
 * unit_orgdom.c - the public suffix list reader (dafsa.c, orgdom.c)
 * held against libpsl, the list's reference library, on the same file:
 * for every rule of the publicsuffix package's text list, the names the
 * rule governs (the rule, one and two labels under it, a wildcard's
 * parent and children, an exception and a name under it) must give the
 * registrable domain libpsl's psl_registrable_domain() gives.  Then
 * hostile graphs: truncated, offsets past the end, loops that are not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <libpsl.h>

#include "dafsa.h"
#include "orgdom.h"
#include "unit.h"

#define PSL_DAT	"/usr/share/publicsuffix/public_suffix_list.dat"

static psl_ctx_t	*ref;
static unsigned long	 compared, idn;

/* Compare one name: ours against libpsl's (NULL there: a suffix). */
static void
same(const char *name)
{
	char		 out[300];
	const char	*want, *got;

	if ((want = psl_registrable_domain(ref, name)) == NULL)
		want = name;
	got = orgdom_of(name, out, sizeof(out));
	compared++;
	if (got == NULL || strcmp(got, want) != 0)
		T(0, "orgdom_of(%s) = %s, libpsl says %s", name,
		    got ? got : strerror(errno), want);
}

/* The names one rule governs. */
static void
rule_names(const char *rule)
{
	static const char *const pre[] = { "", "x.", "www.y.", "a.b.c." };
	char	name[300];
	size_t	i;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", pre[i], rule);
		same(name);
	}
}

/* One line of the text list: its rule without "!" or "*.", as A-labels. */
static void
dat_line(char *line)
{
	char	*r = line, *ace = NULL;
	size_t	 n = strcspn(line, " \t\r\n");

	line[n] = '\0';
	if (n == 0 || strncmp(line, "//", 2) == 0)
		return;
	if (*r == '!')
		r++;
	else if (strncmp(r, "*.", 2) == 0) {
		r += 2;
		same(r);	/* a wildcard's parent */
	}
	if (idn2_to_ascii_8z(r, &ace, IDN2_NONTRANSITIONAL) != IDN2_OK) {
		T(0, "idn2 cannot convert rule %s", line);
		return;
	}
	if (strcmp(ace, r) != 0)
		idn++;
	rule_names(ace);
	free(ace);
}

/* Every rule of the text list against libpsl on the DAFSA. */
static void
test_against_libpsl(void)
{
	FILE	*f;
	char	 line[512];

	ref = psl_load_file(ORGDOM_FILE);
	T(ref != NULL, "libpsl loads %s", ORGDOM_FILE);
	T(orgdom_load(NULL) == 0 && strcmp(orgdom_source(), ORGDOM_FILE) == 0,
	    "orgdom maps %s (%s)", ORGDOM_FILE, orgdom_source());
	if (ref == NULL || (f = fopen(PSL_DAT, "r")) == NULL) {
		T(0, "%s: %s", PSL_DAT, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		dat_line(line);
	fclose(f);
	T(compared > 30000, "%lu names compared with libpsl", compared);
	fprintf(stderr, "# %lu names compared with libpsl, %lu rules IDNs\n",
	    compared, idn);
	T(idn > 300, "%lu of the rules were IDNs (compared as A-labels)", idn);
	psl_free(ref);
}

/*
 * Graphs by hand in make_dafsa.py's format: an offset list (0x81: one
 * offset, +1, the last), characters (0x80 set on a label's last one,
 * whose children's offsets follow), a return value (0x80 | value).
 */
static void
test_graph(void)
{
	static const unsigned char chain[] = { 0x81, 'a', 'b', 0x81 };
	static const unsigned char tree[] = {
		0x81, 'a', 'b' | 0x80,	/* "ab", then its children */
		0x81, 0x83,		/* one child, value 3 */
	};
	unsigned char	trunc[sizeof(tree)];
	size_t		i;

	T(dafsa_lookup(chain, sizeof(chain), "ab", 2) == 1, "ab -> 1");
	T(dafsa_lookup(tree, sizeof(tree), "ab", 2) == 3, "ab -> 3 (child)");
	T(dafsa_lookup(chain, sizeof(chain), "a", 1) == -1, "a prefix: -1");
	T(dafsa_lookup(chain, sizeof(chain), "abc", 3) == -1, "longer: -1");
	T(dafsa_lookup(chain, sizeof(chain), "ax", 2) == -1, "mismatch: -1");
	T(dafsa_lookup(tree, sizeof(tree), "b", 1) == -1, "other first: -1");
	T(dafsa_lookup(chain, sizeof(chain), "", 0) == -1, "empty key: -1");
	for (i = 0; i < sizeof(tree); i++) {
		memcpy(trunc, tree, i);
		T(dafsa_lookup(trunc, i, "ab", 2) == -1,
		    "truncated to %zu bytes: -1", i);
	}
}

/* Hostile graph bytes: every 2-byte graph, big offsets, no loops. */
static void
test_hostile(void)
{
	unsigned char	g[3];
	unsigned	a, b;
	int		v, bad = 0;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			g[0] = (unsigned char)a;
			g[1] = (unsigned char)b;
			g[2] = 0xff;
			v = dafsa_lookup(g, 3, "ab", 2);
			if (v < -1 || v > 15)
				bad++;
		}
	T(bad == 0, "65,536 hostile graphs: every value -1..15 (%d bad)", bad);
	T(dafsa_header((const unsigned char *)".DAFSA@PSL_1   \n", 16) == 0,
	    "format 1 (UTF-8) is refused");
	T(dafsa_header((const unsigned char *)".DAFSA@PSL_0   \n", 16) == 16,
	    "format 0 is taken");
	T(dafsa_header((const unsigned char *)".DAFSA@PSL_0", 12) == 0,
	    "a short header is refused");
}

/* Files that are not a list: orgdom says none and why. */
static void
test_files(void)
{
	char	out[64];

	orgdom_unload();
	T(orgdom_load(PSL_DAT) == -1 && errno == ENOENT &&
	    strstr(orgdom_source(), "not a DAFSA") != NULL,
	    "the text list is refused (%s)", orgdom_source());
	T(orgdom_of("a.b.example.com", out, sizeof(out)) == NULL &&
	    errno == ENOENT, "then orgdom_of fails with ENOENT");
	T(orgdom_of("example.com", out, sizeof(out)) != NULL,
	    "two labels need no list");
	orgdom_unload();
	T(orgdom_load("/dev/null") == -1 && strstr(orgdom_source(),
	    "Invalid argument") != NULL, "/dev/null is refused (%s)",
	    orgdom_source());
	orgdom_unload();
	T(orgdom_load("/nonexistent") == -1 && strstr(orgdom_source(),
	    "No such file") != NULL, "a missing file says so (%s)",
	    orgdom_source());
	orgdom_unload();
	T(orgdom_load(NULL) == 0, "the system's list again");
}

int
main(void)
{
	test_against_libpsl();
	test_graph();
	test_hostile();
	test_files();
	return t_done();
}

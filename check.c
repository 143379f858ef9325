/*
 * check.c - the table of checks (check.h).  Adding a check is one file
 * that defines its struct check, and one line here; the order is the
 * order of every step, findings included (a check may read what an
 * earlier one left in struct msg).
 */
#include <string.h>

#include "check.h"

extern const struct check check_dnsbl;
extern const struct check check_lists;
extern const struct check check_geo;
extern const struct check check_heur;
extern const struct check check_spf;
extern const struct check check_dkim;
extern const struct check check_dmarc;
extern const struct check check_uri;
#ifdef CHECK_TEST	/* tests/check_*.c: a check only a test binary has */
extern const struct check CHECK_TEST;
#endif

const struct check *const check_table[] = {
	&check_dnsbl,
	&check_lists,
	&check_geo,
	&check_heur,
	&check_spf,
	&check_dkim,
	&check_dmarc,
	&check_uri,
#ifdef CHECK_TEST
	&CHECK_TEST,
#endif
};

const size_t check_count = sizeof(check_table) / sizeof(check_table[0]);

/* The check that claims a policy keyword (its index in *i), or NULL. */
const struct check *
check_by_keyword(const char *kw, size_t *i)
{
	const char *const *k;
	size_t		  n;

	for (n = 0; n < check_count; n++)
		for (k = check_table[n]->keywords; k != NULL && *k != NULL;
		    k++)
			if (strcmp(*k, kw) == 0) {
				*i = n;
				return check_table[n];
			}
	return NULL;
}

/* The i-th built-in test, counting across the table; NULL past the end. */
const struct score_test *
check_test_at(size_t i)
{
	const struct score_test	*t;
	size_t			 n, j;

	for (n = 0; n < check_count; n++) {
		if (check_table[n]->test_at == NULL)
			continue;
		for (j = 0; (t = check_table[n]->test_at(j)) != NULL; j++)
			if (i-- == 0)
				return t;
	}
	return NULL;
}

/* The built-in test called name, or NULL. */
const struct score_test *
check_test(const char *name)
{
	const struct score_test	*t;
	size_t			 i;

	for (i = 0; (t = check_test_at(i)) != NULL; i++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

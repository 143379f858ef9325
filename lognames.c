/*
 * lognames.c - the names a log brings (test names, list labels, error
 * keys, countries, AS numbers, results): a fixed-size table per kind, so
 * a log of any size, even a hostile one with a new name on every line,
 * holds memory flat.  Names past the cap share one "other" id.  Stored
 * names are printable ASCII (anything else is '?'), at most NAMES_LEN.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lognames.h"

/* A table of at most cap names. */
int
names_init(struct names *t, size_t cap)
{
	memset(t, 0, sizeof(*t));
	t->cap = cap;
	for (t->hsize = 16; t->hsize < cap * 2; t->hsize *= 2)
		;
	t->e = calloc(cap ? cap : 1, sizeof(*t->e));
	t->h = calloc(t->hsize, sizeof(*t->h));
	if (t->e == NULL || t->h == NULL) {
		names_free(t);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* The name as stored: printable ASCII, cut at NAMES_LEN. */
static size_t
clean(char *to, const char *p, size_t n)
{
	size_t	i;

	if (n > NAMES_LEN)
		n = NAMES_LEN;
	for (i = 0; i < n; i++)
		to[i] = p[i] > ' ' && p[i] < 0x7f ? p[i] : '?';
	to[n] = '\0';
	return n;
}

static uint32_t
hash(const char *s, size_t n)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The id of a name, added when new; cap when full. */
size_t
names_id(struct names *t, const char *p, size_t n)
{
	char		 s[NAMES_LEN + 1];
	size_t		 len = clean(s, p, n), slot;
	unsigned	 id;

	slot = hash(s, len) & (t->hsize - 1);
	while ((id = t->h[slot]) != 0) {
		if (strcmp(t->e[id - 1].s, s) == 0)
			return id - 1;
		slot = (slot + 1) & (t->hsize - 1);
	}
	if (t->n == t->cap)
		return t->cap;
	memcpy(t->e[t->n].s, s, len + 1);
	t->h[slot] = (unsigned)++t->n;
	return t->n - 1;
}

/* The name of id. */
const char *
names_str(const struct names *t, size_t id)
{
	return id < t->n ? t->e[id].s : "other";
}

/* Free the table. */
void
names_free(struct names *t)
{
	free(t->e);
	free(t->h);
	t->e = NULL;
	t->h = NULL;
}

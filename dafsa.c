/*
 * dafsa.c - lookups in the public suffix list's DAFSA (dafsa.h).
 *
 * The graph is a list of nodes.  Each node starts with an offset list
 * (1, 2 or 3 bytes an offset, relative to the previous one; bit 0x80
 * marks the last), each offset pointing at a child: a run of characters
 * (bit 0x80 set on the last), then either the child's own offset list
 * or a return value (0x80 | value in the low four bits).  This walks it
 * as libpsl's and Chromium's LookupStringInFixedSet() do, with indices
 * checked against the end instead of pointers.
 */
#include "dafsa.h"

#include <string.h>

/* The cursor over the graph. */
struct walk {
	const unsigned char	*g;
	size_t			 len;
	size_t			 pos;	/* next offset in the offset list */
	size_t			 at;	/* the child the last offset gave */
};

/* Take the next offset of the list at pos into at: 1, or 0 at its end. */
static int
next_offset(struct walk *w)
{
	const unsigned char	*p = w->g + w->pos;
	size_t			 n, add;

	if (w->pos >= w->len)
		return 0;
	switch (p[0] & 0x60) {
	case 0x60:
		n = 3;
		break;
	case 0x40:
		n = 2;
		break;
	default:
		n = 1;
	}
	if (w->len - w->pos < n)
		return 0;
	if (n == 3)
		add = (size_t)(p[0] & 0x1f) << 16 | (size_t)p[1] << 8 | p[2];
	else if (n == 2)
		add = (size_t)(p[0] & 0x1f) << 8 | p[1];
	else
		add = p[0] & 0x3f;
	w->at = add > w->len - w->at ? w->len : w->at + add;
	w->pos = (p[0] & 0x80) ? w->len : w->pos + n;
	return 1;
}

/* Is the byte at i the last character of a run (or a return value)? */
static int
is_eol(const struct walk *w, size_t i)
{
	return i < w->len && (w->g[i] & 0x80) != 0;
}

/* Does the byte at i hold the character c (not the last of its run)? */
static int
is_char(const struct walk *w, size_t i, char c)
{
	return i < w->len && w->g[i] == (unsigned char)c;
}

/* Is the byte at i the last character of a run, and c? */
static int
is_end_char(const struct walk *w, size_t i, char c)
{
	return i < w->len && w->g[i] == ((unsigned char)c | 0x80);
}

/* The return value at i, or -1 when it holds none. */
static int
value_at(const struct walk *w, size_t i)
{
	if (i < w->len && (w->g[i] & 0xe0) == 0x80)
		return w->g[i] & 0x0f;
	return -1;
}

/*
 * The value of key in the graph, or -1.  A child whose first character
 * matches is the only candidate (the graph has one child a character),
 * so a mismatch after it is final.
 */
int
dafsa_lookup(const unsigned char *g, size_t glen, const char *key,
    size_t klen)
{
	struct walk	w = { g, glen, 0, 0 };
	size_t		k = 0;
	int		consumed, v;

	while (next_offset(&w)) {
		consumed = 0;
		if (k < klen && !is_eol(&w, w.at)) {
			if (!is_char(&w, w.at, key[k]))
				continue;
			consumed = 1;
			for (w.at++, k++; !is_eol(&w, w.at) && k < klen;
			    w.at++, k++)
				if (!is_char(&w, w.at, key[k]))
					return -1;
		}
		if (k == klen) {
			if ((v = value_at(&w, w.at)) != -1 || consumed)
				return v;
			continue;
		}
		if (!is_end_char(&w, w.at, key[k])) {
			if (consumed)
				return -1;
			continue;
		}
		k++;
		w.pos = w.at = w.at + 1;	/* into the child's offsets */
	}
	return -1;
}

/* 16 when p starts with libpsl's ASCII DAFSA header, else 0. */
size_t
dafsa_header(const unsigned char *p, size_t n)
{
	static const char	h[] = ".DAFSA@PSL_0   \n";

	if (n < DAFSA_HEADER || memcmp(p, h, DAFSA_HEADER) != 0)
		return 0;
	return DAFSA_HEADER;
}

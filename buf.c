/*
 * buf.c - the one growable buffer type: overflow-checked, with a hard
 * maximum, so no caller can make it grow with untrusted input.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Set up an empty buffer that will never hold more than max bytes. */
void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_MAX_DEFAULT;
}

static int
buf_grow(struct buf *b, size_t need)
{
	size_t	 ncap;
	char	*np;

	if (need > b->max || need < b->len) {
		errno = EOVERFLOW;
		return -1;
	}
	if (need + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need + 1) {
		if (ncap > b->max / 2) {
			ncap = b->max + 1;
			break;
		}
		ncap *= 2;
	}
	if ((np = realloc(b->p, ncap)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

/* Have room for n bytes now, so that appending them later cannot fail. */
int
buf_reserve(struct buf *b, size_t n)
{
	return buf_grow(b, n);
}

/*
 * Append n bytes; the buffer stays NUL-terminated for convenience.
 * Fails with EOVERFLOW past the maximum (nothing appended) or ENOMEM.
 */
int
buf_append(struct buf *b, const void *s, size_t n)
{
	if (n > b->max - b->len) {
		errno = EOVERFLOW;
		return -1;
	}
	if (buf_grow(b, b->len + n) == -1)
		return -1;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* Append a C string. */
int
buf_appends(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* Append one byte. */
int
buf_appendc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

/* Append formatted text of trusted, program-made values. */
int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 tmp[512];
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = EOVERFLOW;
		return -1;
	}
	return buf_append(b, tmp, (size_t)n);
}

/* Bytes that may still be appended. */
size_t
buf_room(const struct buf *b)
{
	return b->max - b->len;
}

/* Forget the contents, keep the memory. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Release the memory. */
void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/*
 * logread.c - qqtag-report's input: a file or standard input, read line by
 * line in constant memory.  A file that starts with gzip's magic bytes
 * (1f 8b) is inflated as it is read (zlib; concatenated members, as
 * "cat a.gz b.gz" makes, are read one after the other).  A gzip stream
 * that ends early, or corrupt data, ends the input at that point and is
 * reported (lr_problem), never a crash: the lines before it count.
 * Lines longer than LR_LINE_MAX are skipped whole and counted; a last
 * line without LF is a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "logread.h"

#define LR_IN	(256 * 1024)	/* raw bytes of one read */
#define LR_BUF	(1024 * 1024)	/* text; >= 2 * LR_LINE_MAX */

struct lr {
	int		 fd;
	int		 gz;		/* inflating */
	int		 eof;		/* no more input */
	int		 skipping;	/* in an overlong line */
	z_stream	 z;
	size_t		 inlen;		/* raw bytes first read */
	size_t		 start, end;	/* unread: buf[start..end) */
	uint64_t	 overlong;
	char		 problem[160];
	unsigned char	 in[LR_IN];
	char		 buf[LR_BUF];
};

static void
problem(struct lr *r, const char *what, const char *detail)
{
	if (r->problem[0] == '\0')
		snprintf(r->problem, sizeof(r->problem), "%s%s%s", what,
		    detail ? ": " : "", detail ? detail : "");
	r->eof = 1;
}

/* Raw bytes into in[] after what is there; 0 at EOF, -1 on error. */
static ssize_t
raw(struct lr *r, unsigned char *to, size_t room)
{
	ssize_t	n;

	do
		n = read(r->fd, to, room);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		problem(r, "read error", strerror(errno));
	return n;
}

/* Open a file ("-": standard input); gzip by its magic. */
struct lr *
lr_open(const char *name)
{
	struct lr	*r;
	ssize_t		 n;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->fd = strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY | O_CLOEXEC);
	if (r->fd == -1) {
		free(r);
		return NULL;
	}
	while (r->inlen < 2 && (n = raw(r, r->in + r->inlen,
	    sizeof(r->in) - r->inlen)) > 0)
		r->inlen += (size_t)n;
	if (r->inlen >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
		if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
			lr_close(r);
			errno = ENOMEM;
			return NULL;
		}
		r->gz = 1;
		r->z.next_in = r->in;
		r->z.avail_in = (uInt)r->inlen;
	} else {		/* plain text: what was read is text */
		memcpy(r->buf, r->in, r->inlen);
		r->end = r->inlen;
		r->inlen = 0;
	}
	return r;
}

/* A member ended: another may follow (magic), else trailing garbage. */
static int
next_member(struct lr *r)
{
	ssize_t	n;

	if (r->z.avail_in == 0) {
		if ((n = raw(r, r->in, sizeof(r->in))) <= 0)
			return n == 0 ? (r->eof = 1, 0) : -1;
		r->z.next_in = r->in;
		r->z.avail_in = (uInt)n;
	}
	if (r->z.next_in[0] != 0x1f) {
		problem(r, "garbage after the gzip data", NULL);
		return -1;
	}
	inflateReset(&r->z);
	return 0;
}

/* Inflate into buf[end..]: at least one byte, or the end of the input. */
static void
fill_gz(struct lr *r)
{
	ssize_t	n;
	int	rc;

	r->z.next_out = (unsigned char *)r->buf + r->end;
	r->z.avail_out = (uInt)(LR_BUF - r->end);
	while (!r->eof && r->z.avail_out == LR_BUF - r->end) {
		if (r->z.avail_in == 0) {
			if ((n = raw(r, r->in, sizeof(r->in))) == 0)
				problem(r, "gzip data ends early (truncated "
				    "file)", NULL);
			if (n <= 0)
				break;
			r->z.next_in = r->in;
			r->z.avail_in = (uInt)n;
		}
		rc = inflate(&r->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			(void)next_member(r);
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			problem(r, "corrupt gzip data", r->z.msg ? r->z.msg :
			    "inflate failed");
	}
	r->end = LR_BUF - r->z.avail_out;
}

static void
fill(struct lr *r)
{
	ssize_t	n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->gz) {
		fill_gz(r);
		return;
	}
	if ((n = raw(r, (unsigned char *)r->buf + r->end, LR_BUF - r->end)) <=
	    0)
		r->eof = 1;
	else
		r->end += (size_t)n;
}

/* Give the line [start, e) and step past its end (skip bytes). */
static void
take(struct lr *r, size_t e, size_t skip, const char **p, size_t *n)
{
	*p = r->buf + r->start;
	*n = e - r->start;
	if (*n > 0 && (*p)[*n - 1] == '\r')
		(*n)--;
	r->start = e + skip;
}

/* The next line: 1 with *p and *n, or 0 at the end of the input. */
int
lr_line(struct lr *r, const char **p, size_t *n)
{
	const char	*nl;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			take(r, (size_t)(nl - r->buf), 1, p, n);
			if (!r->skipping && *n <= LR_LINE_MAX)
				return 1;
			r->overlong += !r->skipping;
			r->skipping = 0;
			continue;
		}
		if (r->end - r->start > LR_LINE_MAX) {
			r->overlong += !r->skipping;
			r->skipping = 1;
			r->start = r->end = 0;
		}
		if (r->eof) {
			if (r->start == r->end || r->skipping)
				return 0;
			take(r, r->end, 0, p, n);
			return 1;
		}
		fill(r);
	}
}

/* What went wrong, or NULL. */
const char *
lr_problem(const struct lr *r)
{
	return r->problem[0] ? r->problem : NULL;
}

/* Overlong lines skipped. */
uint64_t
lr_overlong(const struct lr *r)
{
	return r->overlong;
}


/* Close and free. */
void
lr_close(struct lr *r)
{
	if (r == NULL)
		return;
	if (r->gz)
		inflateEnd(&r->z);
	if (r->fd > 0)
		close(r->fd);
	free(r);
}

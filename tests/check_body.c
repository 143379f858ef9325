/*
 * check_body.c - a check that only tests/qqtag-body has (check.c's
 * CHECK_TEST): it asks for the body stream and writes what it sees to
 * $QQTAG_BODYTEST (the bytes) and $QQTAG_BODYTEST.info ("chunks=N max=M
 * bytes=B headers=H"), so tests/t_body.sh can compare them with the
 * message.  With QQTAG_BODYTEST unset it wants no body (the splice path).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "msg.h"

struct body_run {
	int			 fd;
	unsigned long		 chunks;
	size_t			 max;
	unsigned long long	 bytes;
	int			 headers;	/* the headers step came first */
};

static void *
body_conf_new(void)
{
	static int	conf;

	return &conf;
}

static void
body_conf_free(void *c)
{
	(void)c;
}

static void *
body_start(const void *conf, struct msg *m)
{
	const char	*f = getenv("QQTAG_BODYTEST");
	struct body_run	*r;

	(void)conf;
	(void)m;
	if (f == NULL || (r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return r;
}

static void
body_headers(void *v, struct msg *m)
{
	struct body_run	*r = v;

	r->headers = m->have_headers && r->bytes == 0;
}

static int
body_wants(const void *v)
{
	return ((const struct body_run *)v)->fd != -1;
}

static void
body_body(void *v, struct msg *m, const char *p, size_t n)
{
	struct body_run	*r = v;

	(void)m;
	r->chunks++;
	r->bytes += n;
	if (n > r->max)
		r->max = n;
	if (write(r->fd, p, n) != (ssize_t)n)
		r->fd = -1;
}

static void
body_done(void *v)
{
	struct body_run	*r = v;
	char		 path[4096];
	FILE		*f;

	if (snprintf(path, sizeof(path), "%s.info",
	    getenv("QQTAG_BODYTEST")) < (int)sizeof(path) &&
	    (f = fopen(path, "w")) != NULL) {
		fprintf(f, "chunks=%lu max=%zu bytes=%llu headers=%d\n",
		    r->chunks, r->max, r->bytes, r->headers);
		fclose(f);
	}
	if (r->fd != -1)
		close(r->fd);
	free(r);
}

const struct check check_body = {
	.name = "bodytest",
	.conf_new = body_conf_new,
	.conf_free = body_conf_free,
	.start = body_start,
	.headers = body_headers,
	.wants_body = body_wants,
	.body = body_body,
	.done = body_done,
};

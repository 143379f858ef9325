/*
 * unit_report.c - the header block: a block that outgrows its room keeps
 * the verdict and only whole headers (tag, never reject: fewer warnings,
 * never a failed hand-over), and hdr_end never leaves half a header.
 */
#include <errno.h>
#include <string.h>

#include "headers.h"
#include "policy.h"
#include "report.h"
#include "unit.h"

static void
whole_headers(const struct buf *b, const char *what)
{
	size_t	i;

	T(b->len > 0 && b->p[b->len - 1] == '\n', "%s: ends a line", what);
	T(strncmp(b->p, "X-Qqtag: ", 9) == 0, "%s: X-Qqtag first", what);
	for (i = 0; i + 1 < b->len; i++)
		if (b->p[i] == '\n')
			T(b->p[i + 1] == '\t' || strncmp(b->p + i + 1, "X-", 2) ==
			    0, "%s: line %zu starts a field or a fold", what, i);
}

int
main(void)
{
	struct policy	p;
	struct report	r;
	struct buf	b;
	struct hdr_w	w;
	char		detail[300], empty[1] = "";
	size_t		i, before;

	policy_defaults(&p);
	policy_parse(&p, "t", empty, 0, 0);
	report_init(&r, &p, 5);
	memset(detail, 'x', sizeof(detail));
	for (i = 0; i < REPORT_MAX; i++)
		report_add(&r, "A_FAIRLY_LONG_TEST_NAME_FOR_ROOM", 1.0,
		    "something fired", detail, sizeof(detail));
	buf_init(&b, 16384);
	T(report_block(&r, &b) == 0, "an oversized block still succeeds");
	whole_headers(&b, "cut block");
	T(strstr(b.p, "\nX-Spam-Status: Yes, score=128.0") != NULL,
	    "the verdict is kept");
	T(strstr(b.p, "\nX-Spam-Warning: ") != NULL, "some warnings fit");
	buf_free(&b);

	/* hdr_end is all or nothing */
	buf_init(&b, 40);
	buf_appends(&b, "X-A: 1\n");
	before = b.len;
	hdr_begin(&w, &b, "X-Spam-Warning");
	hdr_untrusted(&w, detail, sizeof(detail));
	T(hdr_end(&w) == -1 && errno == EOVERFLOW, "overflow reported");
	T(b.len == before && strcmp(b.p, "X-A: 1\n") == 0,
	    "nothing of the failed header left");
	buf_free(&b);
	report_free(&r);
	policy_free(&p);
	return t_done();
}

/*
 * unit_report.c - the header block: a block that outgrows its room keeps
 * the verdict and only whole headers (tag, never reject: fewer warnings,
 * never a failed hand-over), and hdr_end never leaves half a header.
 */
#include <errno.h>
#include <stdio.h>
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

/* Findings of every verdict: only listed ones score and warn. */
static void
findings_generic(const struct policy *p)
{
	static const char txt[] = "listed\r\nBcc: x";
	struct report	r;
	struct finding	f;
	struct buf	b;
	int		i;

	report_init(&r, p, 5);
	for (i = 0; i < 2; i++) {	/* one list, two codes, one TXT */
		finding_init(&f, i ? "L_TWO" : "L_ONE", "dnsbl", F_LISTED);
		f.list = 1;
		f.label = "LIST";
		f.weight = 3;
		snprintf(f.text, sizeof(f.text), "is listed (code %d)", i);
		finding_text(&f, f.text, strlen(f.text), 0, 0);
		f.once = txt;
		f.oncefrom = f.nparts;
		finding_text(&f, ":", 1, 0, 1);
		finding_text(&f, txt, sizeof(txt) - 1, 1, 0);
		report_finding(&r, &f);
	}
	finding_init(&f, "CLEAN_ONE", "dnsbl", F_CLEAN);
	report_finding(&r, &f);
	finding_init(&f, "ERR_ONE", "dnsbl", F_ERROR);
	f.label = "DEAD";
	f.answer = "timeout";
	f.anslen = 7;
	report_finding(&r, &f);
	T(r.n == 4 && r.nlisted == 2 && r.score == 6, "4 findings, 2 score");
	buf_init(&b, 16384);
	T(report_block(&r, &b) == 0, "block written");
	T(strstr(b.p, "tests=L_ONE,L_TWO") != NULL && strstr(b.p,
	    "lists=LIST errors=DEAD:timeout") != NULL,
	    "tests, lists, errors: %s", b.p);
	T(strstr(b.p, "CLEAN_ONE") == NULL && strstr(b.p, "ERR_ONE") == NULL,
	    "clean and error findings neither score nor warn");
	T(strstr(b.p, "(code 0): listed Bcc: x\n") != NULL,
	    "the TXT is shown, sanitised: %s", b.p);
	T(strstr(b.p, "(code 1)\n") != NULL && strstr(b.p,
	    "(code 1):") == NULL, "and only once");
	buf_free(&b);
	report_free(&r);
}

int
main(void)
{
	struct policy	p;
	struct report	r;
	struct buf	b;
	struct hdr_w	w;
	char		detail[300], empty[1] = "", want[64];
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
	snprintf(want, sizeof(want), "\nX-Spam-Status: Yes, score=%d.0",
	    REPORT_MAX);
	T(strstr(b.p, want) != NULL, "the verdict is kept");
	T(strstr(b.p, "\nX-Spam-Warning: ") != NULL, "some warnings fit");
	buf_free(&b);

	findings_generic(&p);

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

/*
 * unit_headers.c - the forged-header filter and the header writer.
 *
 * The filter is checked against a plain line-by-line oracle written from
 * the rules in headers.c, for hand-made hostile cases, generated messages
 * fed in every chunking, and the real messages of Python's test suite.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "headers.h"
#include "unit.h"

#define HOLD	(HDR_NAME_MAX + 16)

static struct hdr_names names;

static int
emit(void *ctx, const char *p, size_t n)
{
	return buf_append(ctx, p, n);
}

/* Run the filter over in, chunk bytes at a time (0 = all at once). */
static size_t
filt(const char *in, size_t n, size_t chunk, struct buf *out,
    const struct hdr_names *strip)
{
	struct hdr_filter	f;
	size_t			i, k, stripped;

	hdr_filter_init(&f, strip);
	for (i = 0; i < n; i += k) {
		k = chunk && chunk < n - i ? chunk : n - i;
		hdr_filter_feed(&f, in + i, k, emit, out);
	}
	hdr_filter_end(&f, emit, out);
	stripped = f.nstripped;
	hdr_filter_free(&f);
	return stripped;
}

static int
namec(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ':';
}

/* The oracle: the same rules, one whole line at a time. */
static size_t
oracle(const char *in, size_t n, struct buf *out)
{
	size_t	i = 0, j, k, w, len, stripped = 0;
	int	dropping = 0, ours;

	while (i < n) {
		const char *nl = memchr(in + i, '\n', n - i);
		const char *l = in + i;

		j = nl ? (size_t)(nl - in) + 1 : n;
		len = j - i;
		if (len == 1 && l[0] == '\n') {
			buf_append(out, in + i, n - i);
			return stripped;
		}
		if (l[0] == ' ' || l[0] == '\t') {
			if (!dropping)
				buf_append(out, l, len);
			i = j;
			continue;
		}
		for (k = 0; k < len && namec((unsigned char)l[k]); k++)
			;
		for (w = k; w < len && (l[w] == ' ' || l[w] == '\t'); w++)
			;
		ours = k > 0 && k < HOLD && hdr_names_match(&names, l, k);
		dropping = ours && ((w < len && l[w] == ':' && w < HOLD) ||
		    (w > k && w >= HOLD));
		if (dropping)
			stripped++;
		else
			buf_append(out, l, len);
		i = j;
	}
	return stripped;
}

static void
same(const char *what, const char *in, size_t n)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 64, 4096 };
	struct buf	a, b;
	size_t		i, sa, sb;

	buf_init(&b, 0);
	sb = oracle(in, n, &b);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		buf_init(&a, 0);
		sa = filt(in, n, chunks[i], &a, &names);
		T(a.len == b.len && (a.len == 0 || memcmp(a.p, b.p,
		    a.len) == 0) && sa == sb,
		    "%s (chunk %zu): %zu/%zu bytes, %zu/%zu stripped", what,
		    chunks[i], a.len, b.len, sa, sb);
		buf_free(&a);
	}
	buf_free(&b);
}

/* Expect exactly want as output, and the oracle to agree. */
static void
expectn(const char *what, const char *in, size_t n, const char *want,
    size_t wn, size_t nstrip)
{
	struct buf	a;
	size_t		s;

	buf_init(&a, 0);
	s = filt(in, n, 1, &a, &names);
	T(a.len == wn && (wn == 0 || memcmp(a.p, want, wn) == 0) &&
	    s == nstrip, "%s: got [%.*s] (%zu stripped)", what, (int)a.len,
	    a.p ? a.p : "", s);
	buf_free(&a);
	same(what, in, n);
}

static void
expect(const char *what, const char *in, const char *want, size_t nstrip)
{
	expectn(what, in, strlen(in), want, strlen(want), nstrip);
}

static void
test_cases(void)
{
	expect("empty", "", "", 0);
	expect("lf only", "\n", "\n", 0);
	expect("plain", "From: a\nSubject: b\n\nbody\n",
	    "From: a\nSubject: b\n\nbody\n", 0);
	expect("forged", "X-Spam-Flag: NO\nSubject: b\n\nX-Spam-Flag: YES\n",
	    "Subject: b\n\nX-Spam-Flag: YES\n", 1);
	expect("mixed case + continuation",
	    "A: 1\nx-SPAM-status: No,\n score=0\n\tmore\nB: 2\n\n",
	    "A: 1\nB: 2\n\n", 1);
	expect("blank before colon", "X-Spam-Flag \t: NO\nA: b\n", "A: b\n", 1);
	expect("longer name kept", "X-Spam-Flagged: x\nX-Spam-Fla: y\n",
	    "X-Spam-Flagged: x\nX-Spam-Fla: y\n", 0);
	expect("no colon kept", "X-Spam-Flag NO\n", "X-Spam-Flag NO\n", 0);
	expect("own namespace", "X-Qqtag: score=0\nX-QQTAG-Extra: 1\nX: 2\n",
	    "X: 2\n", 2);
	expect("no final newline", "Subject: x\nX-Spam-Score: -99",
	    "Subject: x\n", 1);
	expect("first line blank-led", " x\nX-Spam-Flag: NO\n\nb",
	    " x\n\nb", 1);
	expect("mbox From line", "From a@b Mon Jan 1\nX-Spam-Status: No\n\n",
	    "From a@b Mon Jan 1\n\n", 1);
	expect("junk line does not end the section",
	    "Subject: x\nhello\nX-Spam-Status: No\n\nbody\n",
	    "Subject: x\nhello\n\nbody\n", 1);
	expect("lone CR is not the empty line",
	    "A: b\r\n\r\nX-Spam-Flag: NO\r\n\nX-Spam-Flag: NO\n",
	    "A: b\r\n\r\n\nX-Spam-Flag: NO\n", 1);
	expect("continuation of a kept junk line",
	    "junk\n X-Spam-Flag: x\n\n", "junk\n X-Spam-Flag: x\n\n", 0);
	expectn("NUL bytes", "A: \0\nX-Spam-Flag:\0\n\n\0", 21, "A: \0\n\n\0",
	    7, 1);
}

static void
test_padded(void)
{
	char	in[600];
	size_t	n;

	n = (size_t)snprintf(in, sizeof(in), "X-Spam-Flag");
	memset(in + n, ' ', 300);
	memcpy(in + n + 300, ": NO\nA: b\n\n", 11);
	n += 311;
	same("padded forged name", in, n);
	{
		struct buf a;

		buf_init(&a, 0);
		T(filt(in, n, 5, &a, &names) == 1 && a.len == 6,
		    "padded name is dropped");
		buf_free(&a);
	}
	memset(in, 'A', 300);
	memcpy(in + 300, ": long name\n\n", 13);
	same("300-byte name", in, 313);
}

static void
test_huge(void)
{
	struct buf	in, out;
	size_t		i, s, gone = 0, before;

	/* a 200 KB header line, then a 20,000-line header section */
	buf_init(&in, 64 * 1024 * 1024);
	buf_appends(&in, "Subject: ");
	for (i = 0; i < 200 * 1024; i++)
		buf_appendc(&in, (char)('a' + i % 26));
	buf_appendc(&in, '\n');
	for (i = 0; i < 20000; i++) {
		before = in.len;
		buf_printf(&in, i % 100 == 7 ? "X-Spam-Flag: NO %zu\n" :
		    "X-Header-%zu: v\n", i);
		if (i % 100 == 7)
			gone += in.len - before;
	}
	buf_appends(&in, "\nX-Spam-Flag: body\n");
	same("huge section", in.p, in.len);
	buf_init(&out, 64 * 1024 * 1024);
	s = filt(in.p, in.len, 65536, &out, &names);
	T(s == 200, "20,000 lines: %zu stripped", s);
	T(out.len == in.len - gone, "size after stripping %zu", out.len);
	buf_free(&in);
	buf_free(&out);
}

/* Generated messages from hostile pieces, checked in every chunking. */
static void
test_generated(void)
{
	static const char *const piece[] = {
		"X-Spam-Flag: YES\n", "x-spam-status: No, score=-5\n",
		" continued\n", "\tcontinued\n", "Subject: hi\n", "\n", "\r\n",
		"From foo Mon\n", "X-Spam-Level \t: ***\n", "junk\n", "\r",
		"X-Qqtag-A: 1\n", "X-Spam-Flagged: 1\n", ":\n", " \n",
		"X-Spam-Warning:", "\0", "\xe9t\xe9: x\n", "X-Spam-Score",
		"From: a@b\n", "Received: from x\n by y\n",
	};
	struct buf	in;
	uint32_t	seed, seed0 = (uint32_t)t_seed(12345);
	int		i, j, n;
	char		what[80];

	seed = seed0;
	for (i = 0; i < 3000; i++) {
		buf_init(&in, 0);
		n = 1 + (int)(seed % 40);
		for (j = 0; j < n; j++) {
			const char *p;

			seed = seed * 1103515245 + 12345;
			p = piece[(seed >> 8) % (sizeof(piece) / sizeof(*piece))];
			buf_append(&in, p, *p ? strlen(p) : 1);
		}
		snprintf(what, sizeof(what), "generated case %d seed %lu "
		    "(TEST_SEED=%lu replays)", i, (unsigned long)seed0,
		    (unsigned long)seed0);
		same(what, in.p, in.len);
		buf_free(&in);
	}
}

static void
test_python_corpus(void)
{
	const char	*dir = "/usr/lib/python3.11/test/test_email/data";
	struct dirent	*de;
	DIR		*d;
	int		 files = 0;

	if ((d = opendir(dir)) == NULL) {
		T(0, "%s missing (package libpython3.11-testsuite)", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char	 path[512];
		FILE	*fp;
		struct buf b;
		char	 tmp[4096];
		size_t	 n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		buf_init(&b, 0);
		while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
			buf_append(&b, tmp, n);
		fclose(fp);
		same(de->d_name, b.p ? b.p : "", b.len);
		buf_free(&b);
		files++;
	}
	closedir(d);
	T(files > 50, "python corpus: %d files", files);
}

static void
test_writer(void)
{
	struct buf	o;
	struct hdr_w	w;
	char		big[1000];
	size_t		i, col;

	buf_init(&o, 0);
	hdr_begin(&w, &o, "X-Spam-Warning");
	hdr_text(&w, "listed in");
	hdr_untrusted(&w, "EVIL\r\nBcc: x@y\0\x80\x7f  z", 20);
	T(hdr_end(&w) == 0, "writer ok");
	T(strcmp(o.p, "X-Spam-Warning: listed in EVIL Bcc: x@y??? z\n") == 0,
	    "sanitised: [%s]", o.p);
	buf_reset(&o);
	memset(big, 'x', sizeof(big));
	hdr_begin(&w, &o, "X-A");
	hdr_untrusted(&w, big, sizeof(big));
	hdr_end(&w);
	T(o.len == strlen("X-A: ") + HDR_UNTRUSTED_MAX + 1 &&
	    memcmp(o.p + o.len - 4, "...\n", 4) == 0, "cut at 200: %zu",
	    o.len);
	buf_reset(&o);
	hdr_begin(&w, &o, "X-Spam-Status");
	for (i = 0; i < 60; i++)
		hdr_text(&w, "TEST_NAME_X,");
	hdr_end(&w);
	for (i = 0, col = 0; i < o.len; i++) {
		if (o.p[i] == '\n') {
			T(col <= HDR_FOLD, "line of %zu columns", col);
			T(i + 1 == o.len || o.p[i + 1] == '\t', "folded with tab");
			col = 0;
		} else
			col++;
		T(o.p[i] != '\r', "no CR");
	}
	buf_reset(&o);
	hdr_begin(&w, &o, "X-Long");
	for (i = 0; i < 300; i++)
		hdr_glue(&w, "abcdefgh,");
	hdr_end(&w);
	for (i = 0, col = 0; i < o.len; i++) {
		col = o.p[i] == '\n' ? 0 : col + 1;
		T(col <= 998, "RFC 5322 line limit kept: %zu", col);
	}
	buf_reset(&o);
	hdr_begin(&w, &o, "X-B");
	hdr_untrusted(&w, "\r\n\r\n", 4);
	hdr_end(&w);
	T(strcmp(o.p, "X-B:\n") == 0, "blank value: [%s]", o.p);
	buf_free(&o);
}

int
main(void)
{
	hdr_names_add(&names, "X-Spam-Flag");
	hdr_names_add(&names, "X-Spam-Status");
	hdr_names_add(&names, "X-Spam-Level");
	hdr_names_add(&names, "X-Spam-Score");
	hdr_names_add(&names, "X-Spam-Warning");
	hdr_names_add(&names, "X-Qqtag");
	hdr_names_add(&names, "X-Qqtag-*");
	test_cases();
	test_padded();
	test_huge();
	test_generated();
	test_python_corpus();
	test_writer();
	return t_done();
}

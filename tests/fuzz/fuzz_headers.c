/*
 * fuzz_headers.c - the forged-header filter and the header writer.
 *
 * The first byte picks the chunk size and the mode: plain, or trusted
 * hop mode (the hop's line: a Received value holding "hop").
 * Properties: the output does not depend on how the input is chunked;
 * the output is a subsequence of the input; in hop mode with no hop line
 * found in a header section that fits the copy, nothing is stripped; the
 * writer never lets CR, LF (but as LF TAB folds), NUL or 8-bit bytes
 * through, whatever it is given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "headers.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
emit(void *ctx, const char *p, size_t n)
{
	return buf_append(ctx, p, n);
}

static int
hop_word(const char *v, size_t n)
{
	return memmem(v, n, "hop", 3) != NULL;
}

static int
hop_never(const char *v, size_t n)
{
	(void)v;
	(void)n;
	return 0;
}

/* Returns how many fields were stripped. */
static size_t
run(const struct hdr_names *h, hdr_hop_fn hop, const char *p, size_t n,
    size_t chunk, struct buf *out)
{
	struct hdr_filter	f;
	size_t			i, k, s;

	hdr_filter_init(&f, h);
	hdr_filter_authserv(&f, "mx.example.org");
	if (hop != NULL)
		hdr_filter_trust_hop(&f, hop);
	for (i = 0; i < n; i += k) {
		k = chunk && chunk < n - i ? chunk : n - i;
		hdr_filter_feed(&f, p + i, k, emit, out);
	}
	hdr_filter_end(&f, emit, out);
	s = f.nstripped;
	hdr_filter_free(&f);
	return s;
}

static void
check_writer(const uint8_t *d, size_t n)
{
	struct buf	o;
	struct hdr_w	w;
	size_t		i;

	buf_init(&o, 0);
	hdr_begin(&w, &o, "X-Spam-Warning");
	hdr_text(&w, "listed:");
	hdr_untrusted(&w, d, n);
	hdr_untrusted(&w, d, n / 2);
	if (hdr_end(&w) == 0) {
		for (i = 0; i < o.len; i++) {
			unsigned char c = (unsigned char)o.p[i];

			if (c == '\n' && i + 1 < o.len && o.p[i + 1] != '\t')
				abort();
			if (c != '\n' && c != '\t' && (c < 0x20 || c > 0x7e))
				abort();
		}
		if (o.len == 0 || o.p[o.len - 1] != '\n')
			abort();
	}
	buf_free(&o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct hdr_names h = { { "X-Spam-Flag", "X-Spam-Status", "X-Qqtag",
	    "X-Qqtag-*" }, 4 };
	struct buf	a, b;
	hdr_hop_fn	hop;
	size_t		chunk, i, j;

	if (n < 1)
		return 0;
	chunk = 1 + (d[0] >> 1) % 17;
	hop = d[0] & 1 ? hop_word : NULL;
	d++;
	n--;
	buf_init(&a, 0);
	buf_init(&b, 0);
	run(&h, hop, (const char *)d, n, 0, &a);
	run(&h, hop, (const char *)d, n, chunk, &b);
	if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len) != 0))
		abort();
	if (hop != NULL && n < HDR_COPY_MAX) {
		buf_reset(&b);
		if (run(&h, hop_never, (const char *)d, n, chunk, &b) != 0 ||
		    b.len != n || (n > 0 && memcmp(b.p, d, n) != 0))
			abort();
	}
	/* output lines appear in the input, in order */
	for (i = 0, j = 0; i < a.len; i++, j++) {
		while (j < n && (char)d[j] != a.p[i])
			j++;
		if (j == n)
			abort();
	}
	buf_free(&a);
	buf_free(&b);
	check_writer(d, n);
	return 0;
}

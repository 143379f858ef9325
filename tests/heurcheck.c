/*
 * heurcheck.c - test tool: the header heuristics over message files, as
 * qqtag sees a message (CRLF made LF as qmail-smtpd does, the header
 * section through the forged-header filter's capped copy).
 *
 *   heurcheck [-1] [-n NOW] FILE...
 *
 * A file whose first line starts "From " is an mbox: each message in it
 * is checked (as FILE#1, FILE#2...).  With -1 each file is one message
 * (a corpus file): a leading "From " line is its envelope line, dropped.
 * Only the header tests run (no client, no envelope).  NOW (seconds
 * since the epoch) defaults to the message's topmost Received date, else
 * its own Date, so archived mail is judged against the time it arrived.
 * One line per message:
 *
 *   NAME TAB SCORE TAB TEST,TEST... TAB F D M TAB DETAIL|DETAIL...
 *
 * where F, D, M count its From, Date and Message-ID fields.  A test
 * tool: stdout is fine here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../headers.h"
#include "../heur.h"

#define FILE_MAX	(32u * 1024 * 1024)

static int
discard(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

/* Check one message (LF line ends already) and print its line. */
static void
check(const char *name, const char *p, size_t n, time_t now)
{
	struct hdr_filter	 f;
	struct hdr_names	 strip = { { "X-Qqtag", "X-Spam-*" }, 2 };
	struct heur_hit		 hit[HEUR_MAX];
	struct heur_msg		 m;
	struct heur_ctx		 c;
	double			 score = 0;
	size_t			 k, i;

	hdr_filter_init(&f, &strip);
	if (hdr_filter_feed(&f, p, n, discard, NULL) == -1 ||
	    hdr_filter_end(&f, discard, NULL) == -1) {
		printf("%s\tERROR\n", name);
		hdr_filter_free(&f);
		return;
	}
	heur_parse(f.copy.p ? f.copy.p : "", f.copy.len, f.copy_cut, &m);
	heur_ctx_init(&c);
	c.tests = HEUR_T_HEADERS;
	c.now = now ? now : m.rcvd.top_date_ok ? m.rcvd.top_date :
	    m.rfc.date_ok ? m.rfc.date : 0;
	k = heur_run(&m, &c, hit, HEUR_MAX);
	for (i = 0; i < k; i++)
		score += hit[i].test->weight;
	printf("%s\t%.1f\t", name, score);
	for (i = 0; i < k; i++)
		printf("%s%s", i ? "," : "", hit[i].test->name);
	printf("\t%u %u %u\t", m.rfc.nfrom, m.rfc.ndate, m.rfc.nmid);
	for (i = 0; i < k; i++)
		if (hit[i].detail[0] != '\0')
			printf("%s%s", i ? "|" : "", hit[i].detail);
	printf("\n");
	hdr_filter_free(&f);
}

/* CRLF to LF in place (qmail-smtpd does it); returns the new length. */
static size_t
lf(char *p, size_t n)
{
	size_t	i, o = 0;

	for (i = 0; i < n; i++)
		if (!(p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
			p[o++] = p[i];
	return o;
}

/* An mbox: messages start at "From " lines after an empty line. */
static void
mbox(const char *path, char *p, size_t n, time_t now)
{
	char	 name[4096];
	char	*s, *e, *next;
	int	 k = 0;

	for (s = p; s < p + n; s = next) {
		s = memchr(s, '\n', (size_t)(p + n - s));
		if (s == NULL)
			return;
		s++;
		for (e = s, next = p + n; e < p + n; e++)
			if (e[0] == '\n' && p + n - e > 6 &&
			    memcmp(e + 1, "\nFrom ", 6) == 0) {
				next = e + 2;
				break;
			}
		snprintf(name, sizeof(name), "%s#%d", path, ++k);
		check(name, s, (size_t)(e - s), now);
	}
}

static int
one(const char *path, time_t now, int single)
{
	char	*nl;
	FILE	*fp;
	char	*p;
	size_t	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	if ((p = malloc(FILE_MAX)) == NULL) {
		fclose(fp);
		return -1;
	}
	n = fread(p, 1, FILE_MAX, fp);
	fclose(fp);
	n = lf(p, n);
	if (single && n > 5 && memcmp(p, "From ", 5) == 0 &&
	    (nl = memchr(p, '\n', n)) != NULL)
		check(path, nl + 1, n - (size_t)(nl + 1 - p), now);
	else if (n > 5 && memcmp(p, "From ", 5) == 0)
		mbox(path, p, n, now);
	else
		check(path, p, n, now);
	free(p);
	return 0;
}

int
main(int argc, char *argv[])
{
	time_t	 now = 0;
	char	*end;
	int	 i = 1, bad = 0, single = 0;

	if (argc > 1 && strcmp(argv[1], "-1") == 0) {
		single = 1;
		i++;
	}
	if (argc > i + 1 && strcmp(argv[i], "-n") == 0) {
		errno = 0;
		now = (time_t)strtoll(argv[i + 1], &end, 10);
		if (errno || *end != '\0' || end == argv[i + 1]) {
			fprintf(stderr, "heurcheck: bad NOW %s\n", argv[i + 1]);
			return 2;
		}
		i += 2;
	}
	for (; i < argc; i++)
		if (one(argv[i], now, single) == -1) {
			fprintf(stderr, "heurcheck: %s: %s\n", argv[i],
			    strerror(errno));
			bad = 1;
		}
	return bad;
}

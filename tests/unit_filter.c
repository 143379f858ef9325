/*
 * unit_filter.c - qqtag-filter's reader and verdict (qf_*): numbers, the
 * verdict table, chunking, where reading stops, the 64 KiB cap, reading
 * from files and directories, the -v line.
 */
#define QQTAG_FILTER_NO_MAIN
#include "../qqtag-filter.c"

#include <fcntl.h>

#include "unit.h"

static void
feed_all(struct qf *q, const char *p, size_t n, size_t chunk)
{
	size_t	i, k;

	qf_init(q);
	for (i = 0; i < n && q->state != QF_DONE; i += k) {
		k = chunk && chunk < n - i ? chunk : n - i;
		qf_feed(q, p + i, k);
	}
	qf_end(q);
}

/* The verdict on msg, the same whichever way it is chunked. */
static int
verdict(const char *msg, int uset, double t)
{
	struct qf	q;
	size_t		n = strlen(msg), chunk;
	int		v, w;

	feed_all(&q, msg, n, 0);
	v = qf_decide(&q, uset, t);
	for (chunk = 1; chunk < 8; chunk++) {
		feed_all(&q, msg, n, chunk);
		w = qf_decide(&q, uset, t);
		T(w == v, "chunk %zu changes the verdict on %s", chunk, msg);
	}
	return v;
}

static void
test_number(void)
{
	static const char *const good[] = { "0", "7.5", "-2.3", "+6", "007",
	    "1.25", "-0.0", "1000" };
	static const char *const bad[] = { "", "-", "+", ".5", "5.", "1e3",
	    "nan", "inf", "-inf", "0x10", " 5", "5 ", "1,5", "--1", "+-1",
	    "7.5.1", "5a" };
	char	big[420];
	double	d;
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T(qf_number(good[i], &d) == 0, "number '%s'", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T(qf_number(bad[i], &d) == -1, "not a number '%s'", bad[i]);
	T(qf_number("-2.3", &d) == 0 && d == -2.3, "-2.3 value");
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T(qf_number(big, &d) == -1, "419 nines overflow: not a number");
}

static void
test_verdicts(void)
{
	const char *top = "X-Qqtag: score=7.5 required=5.0 flag=yes "
	    "checked=yes tests=A,B\n\tlists=ZEN errors=none\n\nbody\n";

	T(verdict(top, 0, 0) == QF_SPAM, "flagged");
	T(verdict(top, 1, 7.5) == QF_SPAM, "equal to threshold");
	T(verdict(top, 1, 7.6) == QF_HAM, "under threshold");
	T(verdict(top, 1, -1) == QF_SPAM, "negative threshold");
	T(verdict("X-Qqtag: score=-2.3 flag=no checked=yes\n\n", 1, -2.3) ==
	    QF_SPAM, "negative score equal");
	T(verdict("X-Qqtag: score=-2.3 flag=no checked=yes\n\n", 1, -2.2) ==
	    QF_HAM, "negative score under");
	T(verdict("X-Qqtag: flag=no checked=yes\nX-Qqtag: flag=yes "
	    "checked=yes score=99\n\n", 0, 0) == QF_HAM, "forged lower");
	T(verdict("X-Qqtag: checked=no reason=relayclient\n\n", 1, -100) ==
	    QF_HAM, "unchecked");
	T(verdict("Subject: x\n\n", 0, 0) == QF_HAM, "no tag");
	T(verdict("", 0, 0) == QF_HAM, "empty");
	T(verdict("\nX-Qqtag: flag=yes checked=yes\n", 0, 0) == QF_HAM,
	    "header-less");
	T(verdict("X-Qqtag:\n flag=yes\n\tchecked=yes\n", 0, 0) == QF_SPAM,
	    "folded");
	T(verdict("X-QQTAG  : flag=yes checked=yes\r\n\r\n", 0, 0) ==
	    QF_SPAM, "case, obs-fws, CRLF");
	T(verdict("From x Thu Nov 27 01:40:22 2026\nX-Qqtag: flag=yes "
	    "checked=yes\n\n", 0, 0) == QF_SPAM, "mbox From_ line skipped");
	T(verdict("X-Qqtag: flag=yes checked=yes flag=no\n\n", 0, 0) ==
	    QF_SPAM, "first key wins");
	T(verdict("X-Qqtag: score=9 checked=yes\n\n", 1, 9) == QF_SPAM,
	    "score without decimals");
	T(verdict("X-Qqtag: score=1e3 checked=yes\n\n", 1, 0) == QF_HAM,
	    "exponent refused");
	T(verdict("X-Qqtagx: flag=yes checked=yes\n\n", 0, 0) == QF_HAM,
	    "longer name");
	T(verdict("X-Qqtag flag=yes checked=yes\n\n", 0, 0) == QF_HAM,
	    "no colon");
}

/* Reading stops right after the byte that ends the topmost field. */
static void
test_stop(void)
{
	const char	*m = "Return-Path: <a@b>\nX-Qqtag: flag=yes "
	    "checked=yes\n\tscore=1.0\nSubject: x\n\nbody\n";
	const char	*s = strstr(m, "Subject");
	struct qf	 q;
	size_t		 used;

	qf_init(&q);
	used = qf_feed(&q, m, strlen(m));
	T(used == (size_t)(s - m) + 1, "used %zu, wanted %zu", used,
	    (size_t)(s - m) + 1);
	T(q.state == QF_DONE && q.found, "done, found");
	T(qf_feed(&q, m, strlen(m)) == 0, "nothing more taken when done");

	qf_init(&q);
	used = qf_feed(&q, "Subject: x\n\nbody", 16);
	T(used == 12 && q.state == QF_DONE && !q.found, "stops at the "
	    "empty line (used %zu)", used);
}

static void
test_cap(void)
{
	static char	m[QF_HEAD_MAX + 100];
	struct qf	q;
	size_t		used;

	memset(m, 'a', sizeof(m));
	memcpy(m, "X-Qqtag: flag=yes checked=yes ", 30);
	qf_init(&q);
	used = qf_feed(&q, m, QF_HEAD_MAX);
	T(used == QF_HEAD_MAX && q.state == QF_VALUE, "64 KiB taken");
	used = qf_feed(&q, m, 10);
	T(used == 0 && q.cut && !q.found && q.state == QF_DONE, "cut");
	qf_end(&q);
	T(!q.found && qf_decide(&q, 0, 0) == QF_HAM, "cut field is absent");

	/* a field whose ending byte is the 65536th: read */
	memset(m, 'b', sizeof(m));
	memcpy(m, "X-F: ", 5);
	memcpy(m + QF_HEAD_MAX - 32, "\nX-Qqtag: flag=yes checked=yes\nZ",
	    32);
	feed_all(&q, m, sizeof(m), 0);
	T(q.found && q.seen == QF_HEAD_MAX && !q.cut, "edge field read "
	    "(seen %zu)", q.seen);
}

static void
test_read(void)
{
	char		 path[] = "/tmp/qqtag-unit-filter.XXXXXX";
	static char	 body[256 * 1024];
	const char	*top = "X-Qqtag: score=7.5 flag=yes checked=yes\n"
	    "Subject: x\n\n";
	struct qf	 q;
	int		 fd, d;
	off_t		 at;

	if ((fd = mkstemp(path)) == -1) {
		T(0, "mkstemp");
		return;
	}
	unlink(path);
	memset(body, 'x', sizeof(body));
	T(write(fd, top, strlen(top)) == (ssize_t)strlen(top), "write");
	T(write(fd, body, sizeof(body)) == (ssize_t)sizeof(body), "write");
	lseek(fd, 0, SEEK_SET);
	qf_init(&q);
	T(qf_read(fd, &q) == 0 && q.found, "read from a file");
	at = lseek(fd, 0, SEEK_CUR);
	T(at > 0 && at <= QF_READ_SIZE, "one read only (offset %lld)",
	    (long long)at);
	close(fd);

	if ((d = open("/", O_RDONLY | O_DIRECTORY)) != -1) {
		qf_init(&q);
		errno = 0;
		T(qf_read(d, &q) == -1 && errno == EISDIR, "directory: EISDIR");
		close(d);
	}
	qf_init(&q);
	T(qf_read(-1, &q) == -1 && errno == EBADF, "bad fd: EBADF");
}

static void
test_describe(void)
{
	struct qf	q;
	char		line[400], small[10];
	const char	*m = "X-Qqtag: score=\001\377 flag=yes checked=yes\n\n";
	size_t		n, i;

	feed_all(&q, m, strlen(m), 0);
	n = qf_describe(&q, 1, 5, line, sizeof(line));
	T(n == strlen(line), "length");
	for (i = 0; i < n; i++)
		T(line[i] >= 0x20 && line[i] <= 0x7e, "printable at %zu", i);
	T(strstr(line, "score=(absent) flag=yes checked=yes") != NULL,
	    "unprintable score word ignored: %s", line);
	n = qf_describe(&q, 0, 0, small, sizeof(small));
	T(n == sizeof(small) - 1 && strlen(small) == n, "truncated");
	T(qf_describe(&q, 0, 0, small, 0) == 0, "size 0");
	m = "X-Qqtag: score=x<y> checked=yes\n\n";
	feed_all(&q, m, strlen(m), 0);
	qf_describe(&q, 1, 5, line, sizeof(line));
	T(strstr(line, "score=x<y> flag=absent checked=yes; threshold 5: "
	    "not spam, exit 1") != NULL, "%s", line);
}

int
main(void)
{
	test_number();
	test_verdicts();
	test_stop();
	test_cap();
	test_read();
	test_describe();
	return t_done();
}

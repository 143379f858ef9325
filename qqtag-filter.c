/*
 * qqtag-filter.c - the per-user downstream filter: is this delivered
 * message spam for me?
 *
 * Reads the header section of a message on fd 0 (never the body), finds
 * the topmost X-Qqtag field and exits 0 when the message is flagged (or,
 * with -t, when its score is at or over the user's threshold), 1 when it
 * is not, and 111 only when fd 0 cannot be read.  That is condredirect(1)'s
 * contract: 0 redirects and ends the delivery, 111 defers it, anything
 * else goes on with the next line of the .qmail file.
 *
 * Why the topmost field only: qqtag writes its X-Qqtag on top of the
 * message and strips every incoming one (DESIGN.md invariant 6); what is
 * above it was added by the local qmail (Received, Delivered-To,
 * Return-Path), and any X-Qqtag below it came from outside.
 *
 * Where the header section ends: at the first empty line (LF alone), the
 * same place qqtag's forged-header filter stops stripping; lines that are
 * not fields (an mbox "From " line put in front by procmail, junk) are
 * skipped.  Unfolding: a continuation line (SP or TAB first) belongs to
 * the field above it; the value is read as key=value words separated by
 * blanks (a CR is a blank too), and a word with a byte outside printable
 * ASCII, or longer than QF_WORD_MAX, is ignored.  Only the first
 * QF_HEAD_MAX bytes are examined, in constant memory: anything past them
 * counts as absent.
 *
 * The parser (qf_*) is callable on its own: the fuzz target and the unit
 * test include this file with QQTAG_FILTER_NO_MAIN defined.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QF_HEAD_MAX	(64 * 1024)	/* header bytes examined at most */
#define QF_WORD_MAX	64		/* longest key=value word kept */
#define QF_READ_SIZE	4096		/* one read(2) */
#define QF_NAME		"x-qqtag"	/* the fixed name, lower case */
#define QF_NAMELEN	(sizeof(QF_NAME) - 1)

/* Exit codes: condredirect(1) and qmail-command(8). */
#define QF_SPAM		0
#define QF_HAM		1
#define QF_TEMP		111

enum qf_state {
	QF_START,	/* at the start of a header line */
	QF_FNAME,	/* in what may be a field name */
	QF_FWSP,	/* our name followed by blanks (obs-fws) */
	QF_VALUE,	/* in the topmost X-Qqtag's value */
	QF_SKIP,	/* rest of a line of no interest */
	QF_DONE		/* nothing more to read */
};

/* What a key said: absent, "yes", anything else. */
enum qf_yn { QF_ABSENT = -1, QF_OTHER = 0, QF_YES = 1 };

struct qf {
	enum qf_state	 state;
	size_t		 seen;		/* header bytes examined */
	size_t		 namelen;	/* bytes of the current name */
	int		 namematch;	/* ... all equal to QF_NAME's */
	int		 infield;	/* in the topmost X-Qqtag */
	int		 found;		/* it was read to its end */
	int		 cut;		/* stopped at QF_HEAD_MAX */
	char		 word[QF_WORD_MAX + 1];
	size_t		 wordlen;
	int		 wordbad;	/* too long or not printable: ignored */
	enum qf_yn	 flag, checked;
	int		 hasscore;
	char		 score[QF_WORD_MAX + 1];	/* as written */
};

void	qf_init(struct qf *);
size_t	qf_feed(struct qf *, const char *, size_t);
void	qf_end(struct qf *);
int	qf_number(const char *, double *);
int	qf_decide(const struct qf *, int, double);
int	qf_read(int, struct qf *);
size_t	qf_describe(const struct qf *, int, double, char *, size_t);

/* Start reading a new message. */
void
qf_init(struct qf *q)
{
	memset(q, 0, sizeof(*q));
	q->state = QF_START;
	q->flag = QF_ABSENT;
	q->checked = QF_ABSENT;
}

static int
isnamec(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ':';
}

static enum qf_yn
yesno(const char *v)
{
	return strcmp(v, "yes") == 0 ? QF_YES : QF_OTHER;
}

/* A whole key=value word of the topmost field: the first of a key wins. */
static void
word_end(struct qf *q)
{
	const char	*v;

	if (q->wordlen == 0 || q->wordbad) {
		q->wordlen = 0;
		q->wordbad = 0;
		return;
	}
	q->word[q->wordlen] = '\0';
	q->wordlen = 0;
	if ((v = strchr(q->word, '=')) == NULL)
		return;
	v++;
	if (strncmp(q->word, "flag=", 5) == 0 && q->flag == QF_ABSENT)
		q->flag = yesno(v);
	else if (strncmp(q->word, "checked=", 8) == 0 &&
	    q->checked == QF_ABSENT)
		q->checked = yesno(v);
	else if (strncmp(q->word, "score=", 6) == 0 && !q->hasscore) {
		q->hasscore = 1;
		memcpy(q->score, v, strlen(v) + 1);
	}
}

static void
value_byte(struct qf *q, unsigned char c)
{
	if (c == ' ' || c == '\t' || c == '\r') {
		word_end(q);
		return;
	}
	/* values are printable ASCII; qqtag writes nothing else */
	if (q->wordlen == QF_WORD_MAX || c < 0x21 || c > 0x7e) {
		q->wordbad = 1;
		return;
	}
	q->word[q->wordlen++] = (char)c;
}

/* The topmost X-Qqtag ended: nothing below it matters. */
static void
field_end(struct qf *q)
{
	word_end(q);
	q->infield = 0;
	q->found = 1;
	q->state = QF_DONE;
}

/* The name ended with ':'; is it ours? */
static void
name_end(struct qf *q)
{
	if (q->namematch && q->namelen == QF_NAMELEN) {
		q->infield = 1;
		q->state = QF_VALUE;
	} else
		q->state = QF_SKIP;
}

static void
name_byte(struct qf *q, unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c - 'A' + 'a');
	if (q->namelen >= QF_NAMELEN || (unsigned char)QF_NAME[q->namelen] != c)
		q->namematch = 0;
	if (q->namelen <= QF_NAMELEN)
		q->namelen++;
}

/* The first byte of a line. */
static void
line_start(struct qf *q, unsigned char c)
{
	if (c == ' ' || c == '\t') {		/* a continuation line */
		if (q->infield) {
			word_end(q);
			q->state = QF_VALUE;
		} else
			q->state = QF_SKIP;
		return;
	}
	if (q->infield) {
		field_end(q);
		return;
	}
	if (c == '\n') {			/* the empty line */
		q->state = QF_DONE;
		return;
	}
	if (!isnamec(c)) {
		q->state = QF_SKIP;
		return;
	}
	q->namelen = 0;
	q->namematch = 1;
	q->state = QF_FNAME;
	name_byte(q, c);
}

static void
step(struct qf *q, unsigned char c)
{
	switch (q->state) {
	case QF_START:
		line_start(q, c);
		break;
	case QF_FNAME:
		if (c == ':')
			name_end(q);
		else if ((c == ' ' || c == '\t') && q->namematch &&
		    q->namelen == QF_NAMELEN)
			q->state = QF_FWSP;
		else if (isnamec(c))
			name_byte(q, c);
		else
			q->state = c == '\n' ? QF_START : QF_SKIP;
		break;
	case QF_FWSP:
		if (c == ':')
			name_end(q);
		else if (c != ' ' && c != '\t')
			q->state = c == '\n' ? QF_START : QF_SKIP;
		break;
	case QF_VALUE:
		if (c == '\n') {
			word_end(q);
			q->state = QF_START;
		} else
			value_byte(q, c);
		break;
	case QF_SKIP:
		if (c == '\n')
			q->state = QF_START;
		break;
	case QF_DONE:
		break;
	}
}

/* QF_HEAD_MAX bytes examined: a field not read to its end is absent. */
static void
cut_off(struct qf *q)
{
	q->cut = 1;
	q->infield = 0;
	q->state = QF_DONE;
}

/*
 * Examine n more bytes.  Returns how many were used: fewer than n (maybe
 * none) once nothing more is needed, and then q->state is QF_DONE.  At
 * QF_HEAD_MAX bytes it stops, and a field not yet read to its end counts
 * as absent.
 */
size_t
qf_feed(struct qf *q, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n && q->state != QF_DONE; i++) {
		if (q->seen == QF_HEAD_MAX) {
			cut_off(q);
			break;
		}
		q->seen++;
		step(q, (unsigned char)p[i]);
	}
	return i;
}

/* End of input: a field cut by it ends there. */
void
qf_end(struct qf *q)
{
	if (q->infield)
		field_end(q);
	q->state = QF_DONE;
}

/*
 * Parse a score or threshold: an optional sign, digits, optionally a
 * point and more digits (no exponent, hex, inf or nan), then strtod(3)
 * with end-pointer and range checks.  0, or -1 when s is not one.
 */
int
qf_number(const char *s, double *d)
{
	const char	*p = s;
	char		*end;
	size_t		 n;

	if (*p == '+' || *p == '-')
		p++;
	if ((n = strspn(p, "0123456789")) == 0)
		return -1;
	p += n;
	if (*p == '.') {
		p++;
		if ((n = strspn(p, "0123456789")) == 0)
			return -1;
		p += n;
	}
	if (*p != '\0')
		return -1;
	errno = 0;
	*d = strtod(s, &end);
	if (errno != 0 || end != p || !isfinite(*d))
		return -1;
	return 0;
}

/*
 * The verdict: QF_SPAM when the topmost X-Qqtag says checked=yes and
 * flag=yes (usethreshold 0) or a score at or over threshold; QF_HAM for
 * everything else, garbage and absence included.
 */
int
qf_decide(const struct qf *q, int usethreshold, double threshold)
{
	double	s;

	if (!q->found || q->checked != QF_YES)
		return QF_HAM;
	if (!usethreshold)
		return q->flag == QF_YES ? QF_SPAM : QF_HAM;
	if (!q->hasscore || qf_number(q->score, &s) == -1)
		return QF_HAM;
	return s >= threshold ? QF_SPAM : QF_HAM;
}

/*
 * Read fd until the topmost X-Qqtag is known, the header section ends,
 * QF_HEAD_MAX bytes were examined, or end of file; so at most one read
 * past what was needed.  EINTR and EAGAIN are retried (poll for the
 * latter).  0, or -1 with errno on a read error.
 */
int
qf_read(int fd, struct qf *q)
{
	char		 in[QF_READ_SIZE];
	size_t		 want;
	ssize_t		 n;
	struct pollfd	 pfd;

	while (q->state != QF_DONE) {
		want = QF_HEAD_MAX - q->seen;
		if (want == 0) {
			cut_off(q);
			break;
		}
		if (want > sizeof(in))
			want = sizeof(in);
		n = read(fd, in, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			pfd.fd = fd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
				return -1;
			continue;
		}
		if (n == -1)
			return -1;
		if (n == 0) {
			qf_end(q);
			break;
		}
		qf_feed(q, in, (size_t)n);
	}
	return 0;
}

/*
 * Append s to out (size > 0, NUL-terminated, at its length), truncating;
 * with word set, bytes outside 0x21-0x7e (message bytes) become '?'.
 */
static size_t
put(char *out, size_t size, size_t at, const char *s, int word)
{
	for (; *s != '\0' && at + 1 < size; s++, at++)
		out[at] = !word || (*s >= 0x21 && *s <= 0x7e) ? *s : '?';
	out[at] = '\0';
	return at;
}

static const char *
ynname(enum qf_yn v)
{
	return v == QF_YES ? "yes" : v == QF_OTHER ? "other" : "absent";
}

/*
 * What was found and why the verdict is what it is, one line (no
 * newline) for -v, NUL-terminated in out; returns its length.
 */
size_t
qf_describe(const struct qf *q, int usethreshold, double threshold,
    char *out, size_t size)
{
	char	tmp[160];
	size_t	at = 0;
	int	v = qf_decide(q, usethreshold, threshold);

	if (size == 0)
		return 0;
	out[0] = '\0';
	if (!q->found) {
		snprintf(tmp, sizeof(tmp), "no X-Qqtag field%s",
		    q->cut ? " in the header bytes examined" : "");
		at = put(out, size, at, tmp, 0);
	} else {
		at = put(out, size, at, "X-Qqtag score=", 0);
		at = put(out, size, at, q->hasscore ? q->score : "(absent)", 1);
		snprintf(tmp, sizeof(tmp), " flag=%s checked=%s",
		    ynname(q->flag), ynname(q->checked));
		at = put(out, size, at, tmp, 0);
	}
	if (usethreshold)
		snprintf(tmp, sizeof(tmp), "; threshold %g: %s, exit %d",
		    threshold, v == QF_SPAM ? "spam" : "not spam", v);
	else
		snprintf(tmp, sizeof(tmp), "; no threshold, flag decides: "
		    "%s, exit %d", v == QF_SPAM ? "spam" : "not spam", v);
	return put(out, size, at, tmp, 0);
}

#ifndef QQTAG_FILTER_NO_MAIN

static void
say(const char *a, const char *b)
{
	char	line[512];
	int	n;
	ssize_t	r;

	n = snprintf(line, sizeof(line), "qqtag-filter: %s%s\n", a, b);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	do
		r = write(2, line, (size_t)n);
	while (r == -1 && errno == EINTR);
}

/*
 * Bad usage must neither defer the mail forever (111) nor redirect it
 * (0): say why and let delivery go on (1).
 */
static int
usage(const char *why)
{
	say(why, "");
	say("usage: qqtag-filter [-v] [-t score]", "");
	return QF_HAM;
}

int
main(int argc, char *argv[])
{
	struct qf	 q;
	char		 line[400];
	double		 threshold = 0;
	int		 c, uset = 0, verbose = 0, v;

	/* a closed stderr pipe must not kill us: condredirect calls a crash 111 */
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt(argc, argv, "t:v")) != -1) {
		switch (c) {
		case 't':
			if (qf_number(optarg, &threshold) == -1)
				return usage("-t needs a decimal number such "
				    "as 5 or -2.5; not filtering");
			uset = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			return usage("unknown option; not filtering");
		}
	}
	if (optind != argc)
		return usage("no arguments are taken; not filtering");
	qf_init(&q);
	if (qf_read(0, &q) == -1) {
		say("cannot read the message: ", strerror(errno));
		return QF_TEMP;
	}
	v = qf_decide(&q, uset, threshold);
	if (verbose) {
		qf_describe(&q, uset, threshold, line, sizeof(line));
		say(line, "");
	}
	return v;
}

#endif /* QQTAG_FILTER_NO_MAIN */

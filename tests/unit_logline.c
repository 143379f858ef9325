/*
 * unit_logline.c - qqtag-report's reading: the log line parser (every
 * field qqtag writes, hostile lines), the time stamps (TAI64N, syslog's
 * missing year, ISO 8601), the histogram's percentiles, the capped name
 * tables, the reader (gzip, truncated gzip, overlong lines, NUL bytes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "logagg.h"
#include "loghist.h"
#include "logline.h"
#include "lognames.h"
#include "logread.h"
#include "logstamp.h"
#include "logtl.h"
#include "logwarn.h"
#include "unit.h"

/* A line as qqtag.c's log_line and report.c's report_log write it. */
static const char full[] = "pid=812 ip=192.0.2.1 class=untrusted "
    "bytes=2301 hdrlines=18 stripped=1 rcpts=3 policy=off health=ignored "
    "score=7.5 flag=yes tests=SPAMHAUS_XBL,RDNS_NONE uris=evil.example "
    "errors=SPAMCOP:timeout,ZEN:127.255.255.254 geo=DE/AS64500 "
    "lists=ZEN!,DBL+,SPAMCOP! queue_error=ENOENT ms=2041 after_eom_ms=12 "
    "result=queue";

static int
is(const struct ll_slice *s, const char *t)
{
	return ll_is(s, t);
}

static void
every_field(void)
{
	struct ll_rec	r;
	struct ll_slice	l, w;
	int		f, n = 0;

	T(ll_parse(full, strlen(full), &r) == 1, "a message line");
	for (f = 0; f < LL_NFIELDS; f++)
		T(LL_HAS(&r, f), "field %d present", f);
	T(r.num[LL_PID] == 812 && r.num[LL_BYTES] == 2301 &&
	    r.num[LL_HDRLINES] == 18 && r.num[LL_STRIPPED] == 1 &&
	    r.num[LL_RCPTS] == 3 && r.num[LL_MS] == 2041 &&
	    r.num[LL_AFTER_EOM] == 12, "numbers");
	T(is(&r.s[LL_IP], "192.0.2.1") && is(&r.s[LL_CLASS], "untrusted") &&
	    is(&r.s[LL_POLICY], "off") && is(&r.s[LL_HEALTH], "ignored") &&
	    is(&r.s[LL_URIS], "evil.example") && is(&r.s[LL_GEO],
	    "DE/AS64500") && is(&r.s[LL_QUEUE_ERROR], "ENOENT") &&
	    is(&r.s[LL_RESULT], "queue"), "text fields");
	T(r.score10 == 75 && r.flag == 1, "score 7.5, flag yes");
	T(r.bad == 0 && r.dup == 0 && r.unknown == 0, "nothing odd");
	l = r.s[LL_LISTS];
	while (ll_word(&l, &w))
		n++;
	T(n == 3, "three lists, got %d", n);
	T(ll_parse("pid=1 score=-2.3 flag=no result=x", 33, &r) == 1 &&
	    r.score10 == -23 && r.flag == 0, "negative score, flag no");
	T(ll_parse("policy error (message passed on unchecked): x", 45, &r) ==
	    0, "a notice is not a message");
}

static void
hostile(void)
{
	static const char nul[] = "pid=1 class=untr\0sted result=queue";
	struct ll_rec	r;
	char		big[LR_LINE_MAX];
	size_t		i;
	const char	*s;

	s = "pid=1 flag=yes flag=no score=1.0 score=99.0 result=queue";
	ll_parse(s, strlen(s), &r);
	T(r.flag == 1 && r.score10 == 10 && r.dup == 2, "duplicates: the "
	    "first counts (dup %u)", r.dup);
	s = "pid=1 bytes=99999999999999999999 ms=-5 after_eom_ms=1e9 "
	    "score=1.25 flag=maybe result=queue";
	ll_parse(s, strlen(s), &r);
	T(!LL_HAS(&r, LL_BYTES) && !LL_HAS(&r, LL_MS) && !LL_HAS(&r,
	    LL_AFTER_EOM) && !LL_HAS(&r, LL_SCORE) && !LL_HAS(&r, LL_FLAG) &&
	    r.bad == 5, "huge and malformed numbers left out (bad %u)", r.bad);
	s = "pid=1 ip=1.2.3.4 class=untrusted bytes=12";	/* cut */
	ll_parse(s, strlen(s), &r);
	T(!LL_HAS(&r, LL_RESULT) && r.num[LL_BYTES] == 12, "a cut line");
	ll_parse(nul, sizeof(nul) - 1, &r);
	T(r.s[LL_CLASS].n == 9 && LL_HAS(&r, LL_RESULT), "NUL inside a "
	    "value stays inside it");
	memset(big, 'x', sizeof(big));
	memcpy(big, "pid=1 tests=", 12);
	for (i = 12; i < sizeof(big); i += 7)
		big[i] = i % 2 ? ',' : ' ';
	ll_parse(big, sizeof(big), &r);
	T(LL_HAS(&r, LL_PID) && r.unknown > 100, "an overlong line of junk");
	s = "pid= ip= score= =x = tests=,,, result=queue";
	ll_parse(s, strlen(s), &r);
	T(!LL_HAS(&r, LL_PID) && LL_HAS(&r, LL_TESTS) && LL_HAS(&r,
	    LL_RESULT), "empty values");
	T(ll_find("Dec  3 host x[1]: qqtag: pid=1", 30) != NULL &&
	    ll_find("tcpserver: pid 1", 16) == NULL, "ll_find");
}

static void
stamps(void)
{
	struct stamp_ctx c;
	time_t		 now = 1796302800, t;	/* 12-03 13:00 */
	size_t		 u;
	const char	*s;

	setenv("TZ", "UTC", 1);
	tzset();
	stamp_init(&c, now);
	s = "@4000000069303520000000000 qqtag: pid=1";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 0, "25 hex digits: none");
	s = "@40000000693035200000000a qqtag: pid=1";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 1 && u == 26 &&
	    t == 0x69303520 - 10, "TAI64N (%lld)", (long long)t);
	s = "@40000000693035200000000g qqtag: pid=1";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 0, "TAI64N: not hex");
	s = "Dec  3 13:00:00 mx qmail-smtpd[123]: qqtag: pid=1";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 1 && t == now && u == 16,
	    "syslog, this year");
	s = "Dec 04 12:00:00 mx x: y";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 1 && t == now + 82800,
	    "syslog: 23 h ahead is still this year");
	s = "Dec 31 23:59:59 mx x: y";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 1 && t == 1767225599,
	    "syslog: December 31 is last year's (%lld)", (long long)t);
	stamp_init(&c, 1767225600 + 3600);	/* 2026-01-01 01:00 */
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 1 && t == 1767225599,
	    "syslog: read on January 1st, last year's");
	stamp_init(&c, now);
	s = "Foo  3 13:00:00 mx x: y";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 0, "no such month");
	s = "Dec  3 25:00:00 mx x: y";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 0, "no such hour");
	s = "2026-12-03 13:00:00.123456789 qqtag: pid=1";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 1 && t == now && u == 30,
	    "tai64nlocal");
	s = "2026-12-03T14:00:00.5+01:00 mx x: y";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 1 && t == now,
	    "RFC 3339 with an offset");
	s = "2026-12-03T13:00:00Z mx";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 1 && t == now, "Z");
	s = "2026-13-03T13:00:00Z mx";
	T(stamp_parse(&c, s, strlen(s), &t, &u) == 0, "month 13");
	T(stamp_arg(&c, "2026-12-03", &t) == 0 && t == now - 13 * 3600,
	    "a date alone: midnight");
	T(stamp_arg(&c, "2026-12-03T13:00", &t) == 0 && t == now &&
	    stamp_arg(&c, "2026-12-03 13:00:00", &t) == 0 && t == now,
	    "date and time");
	T(stamp_arg(&c, "2026-12-03x", &t) == -1 && stamp_arg(&c, "", &t) ==
	    -1 && stamp_arg(&c, "yesterday", &t) == -1, "not dates");
	T(stamp_duration("24h", &t) == 0 && t == 86400 &&
	    stamp_duration("7d", &t) == 0 && t == 604800 &&
	    stamp_duration("90m", &t) == 0 && t == 5400, "durations");
	T(stamp_duration("h", &t) == -1 && stamp_duration("5", &t) == -1 &&
	    stamp_duration("5y", &t) == -1 && stamp_duration("-5h", &t) ==
	    -1 && stamp_duration("99999999999999w", &t) == -1,
	    "not durations");
}

static void
histogram(void)
{
	static struct hist	h;
	uint64_t		v;
	int			i;

	T(hist_pct(&h, 500) == 0, "empty");
	for (i = 1; i <= 20; i++)
		hist_add(&h, (uint64_t)i);
	T(hist_pct(&h, 500) == 10 && hist_pct(&h, 950) == 19 &&
	    hist_pct(&h, 990) == 20 && hist_pct(&h, 1000) == 20,
	    "exact below 64 (nearest rank)");
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 1000; i++)
		hist_add(&h, 1000 + (uint64_t)i);
	v = hist_pct(&h, 500);
	T(v >= 1499 && v <= 1499 + 1499 / 32, "p50 within 1/32 (%llu)",
	    (unsigned long long)v);
	hist_add(&h, ~0ULL);
	T(hist_pct(&h, 1000) >= 1ULL << 39 && h.max == ~0ULL,
	    "huge values land in the top bucket");
	T(hist_pow2(&h, 11) == 976, "1024..1999 in [1024, 2048): %llu",
	    (unsigned long long)hist_pow2(&h, 11));
}

static void
names_cap(void)
{
	struct names	t;
	char		s[16];
	size_t		i, id;

	T(names_init(&t, 4) == 0, "init");
	for (i = 0; i < 10; i++) {
		snprintf(s, sizeof(s), "N%zu", i);
		id = names_id(&t, s, strlen(s));
		T(i < 4 ? id == i : id == 4, "name %zu: id %zu", i, id);
	}
	T(names_id(&t, "N2", 2) == 2, "found again");
	T(strcmp(names_str(&t, 4), "other") == 0, "the rest is other");
	id = names_id(&t, "N\x1b[1m", 5);
	T(id == 4, "full");
	names_free(&t);
	T(names_init(&t, 4) == 0, "init");
	id = names_id(&t, "<b>\x1b\n", 5);
	T(strcmp(names_str(&t, id), "<b>??") == 0, "controls become ?");
	names_free(&t);
}

static void
timeline(void)
{
	static struct tl	l;
	time_t			t0 = 1796302800;
	int			i;
	uint64_t		sum = 0;

	for (i = 0; i < 7 * 24; i++)		/* a week, one an hour */
		tl_add(&l, t0 + (time_t)i * 3600, i % 2);
	for (i = 0; i < TL_N; i++)
		sum += l.n[i];
	T(sum == 168 && l.width == 3600 && tl_len(&l) == 168,
	    "a week in hours (width %lld, len %d)", (long long)l.width,
	    tl_len(&l));
	tl_add(&l, t0 - 86400, 1);		/* earlier: shifted right */
	T(l.n[0] == 1 && l.base == t0 - 86400, "an earlier time shifts");
	tl_add(&l, t0 + 400L * 86400, 0);	/* much later: merged */
	for (sum = 0, i = 0; i < TL_N; i++)
		sum += l.n[i];
	T(sum == 170 && l.width >= 86400, "a year later widens (%lld)",
	    (long long)l.width);
}

/* Write n bytes of p to a temp file (gzip'ed when gz); its name. */
static const char *
tmpfile_with(const char *p, size_t n, int gz, size_t cut)
{
	static char	name[64];
	gzFile		z;
	FILE		*f;
	int		fd;

	snprintf(name, sizeof(name), "/tmp/unit_logline.XXXXXX");
	if ((fd = mkstemp(name)) == -1)
		return NULL;
	if (gz) {
		z = gzdopen(fd, "wb");
		gzwrite(z, p, (unsigned)n);
		gzclose(z);
		if (cut && (f = fopen(name, "rb")) != NULL) {	/* half */
			fseek(f, 0, SEEK_END);
			if (truncate(name, ftell(f) / 2) == -1)
				name[0] = '\0';
			fclose(f);
		}
	} else {
		f = fdopen(fd, "wb");
		fwrite(p, 1, n, f);
		fclose(f);
	}
	return name;
}

/* Lines of a file, and its problem. */
static int
lines_of(const char *name, const char **problem, uint64_t *overlong)
{
	static char	 pr[200];
	struct lr	*r = lr_open(name);
	const char	*p;
	size_t		 n;
	int		 k = 0;

	if (r == NULL)
		return -1;
	while (lr_line(r, &p, &n))
		k++;

	*overlong = lr_overlong(r);
	*problem = NULL;
	if (lr_problem(r) != NULL) {
		snprintf(pr, sizeof(pr), "%s", lr_problem(r));
		*problem = pr;
	}
	lr_close(r);
	unlink(name);
	return k;
}

static void
reader(void)
{
	static char	 big[300000];
	const char	*name, *pr;
	uint64_t	 ol;
	size_t		 i;
	int		 k;

	for (i = 0; i < sizeof(big); i++)	/* lines of 99 bytes and LF */
		big[i] = i % 100 == 99 ? '\n' : (char)('a' + i % 26);
	name = tmpfile_with(big, sizeof(big), 0, 0);
	T((k = lines_of(name, &pr, &ol)) == 3000 && pr == NULL, "plain: %d",
	    k);
	name = tmpfile_with(big, sizeof(big), 1, 0);
	T((k = lines_of(name, &pr, &ol)) == 3000 && pr == NULL, "gzip: %d",
	    k);
	name = tmpfile_with(big, sizeof(big), 1, 1);
	k = lines_of(name, &pr, &ol);
	T(k >= 0 && k < 3000 && pr != NULL && strstr(pr, "truncated"),
	    "truncated gzip: %d lines, then \"%s\"", k, pr ? pr : "");
	name = tmpfile_with("\x1f\x8bgarbage\n", 10, 0, 0);
	k = lines_of(name, &pr, &ol);
	T(k == 0 && pr != NULL, "not gzip after the magic: %s", pr ? pr : "");
	memset(big, 'x', sizeof(big));		/* one overlong line */
	memcpy(big + 20000, "\nshort\nend", 10);
	name = tmpfile_with(big, 20010, 0, 0);
	T(lines_of(name, &pr, &ol) == 2 && ol == 1, "overlong skipped, then "
	    "2 lines, the last without LF");
	name = tmpfile_with("a\0b\r\nc\n", 7, 0, 0);
	T(lines_of(name, &pr, &ol) == 2, "NUL and CR");
	T(lr_open("/nonexistent/x") == NULL && errno == ENOENT, "no file");
}

static void
add(struct agg *a, const char *line, time_t t)
{
	struct ll_rec	r;

	ll_parse(line, strlen(line), &r);
	agg_msg(a, &r, t, t != 0);
}

/* Per list: listed, clean, error and its kind; the blocked run warning. */
static void
aggregate(void)
{
	static struct agg	a;
	struct thresholds	th;
	static struct warnings	w;
	size_t			zen, dbl;
	int			i;

	T(agg_init(&a) == 0, "agg_init");
	add(&a, "pid=1 class=untrusted score=3.0 flag=no tests=SPAMHAUS_XBL "
	    "errors=none lists=ZEN+,DBL result=queue", 1796281200);
	for (i = 0; i < 12; i++)	/* from 06:00: blocked */
		add(&a, "pid=2 class=untrusted score=0.0 flag=no tests=none "
		    "errors=RDNS:timeout,ZEN:127.255.255.254 lists=ZEN!,DBL "
		    "result=queue", 1796277600 + 3600 + i * 60);
	add(&a, "pid=3 class=untrusted score=0.0 flag=no tests=none "
	    "errors=none result=queue", 1796302800);	/* no lists= */
	zen = names_id(&a.lists, "ZEN", 3);
	dbl = names_id(&a.lists, "DBL", 3);
	T(a.list[zen].asked == 13 && a.list[zen].listed == 1 &&
	    a.list[zen].error == 12 && a.list[zen].kind[K_CODE] == 12 &&
	    strcmp(a.list[zen].code[0].c, "127.255.255.254") == 0,
	    "ZEN: 1 listed, 12 error codes");
	T(a.list[dbl].asked == 13 && a.list[dbl].clean == 13, "DBL clean");
	T(a.err_n[names_id(&a.errkeys, "RDNS:timeout", 12)] == 12,
	    "RDNS:timeout is another check's error");
	T(a.nolists == 1 && a.checked == 14, "a line without lists=");
	setenv("TZ", "UTC", 1);
	tzset();
	warn_defaults(&th);
	warn_eval(&a, &th, &w);
	T(w.n >= 1 && w.w[0].level == LV_CRIT && strstr(w.w[0].text,
	    "ZEN answered 127.255.255.254 to 100% of queries since 07:00 "
	    "(12 messages): your resolver is blocked") != NULL,
	    "the blocked resolver warning: %s", w.n ? w.w[0].text : "none");
	add(&a, "pid=4 class=untrusted score=0.0 flag=no tests=none "
	    "errors=none lists=ZEN,DBL result=queue", 1796302801);
	memset(&w, 0, sizeof(w));
	warn_eval(&a, &th, &w);
	T(w.n >= 1 && strstr(w.w[0].text, "ZEN answered error codes to 85.7%")
	    != NULL, "answered again: a share, no run: %s", w.n ?
	    w.w[0].text : "none");
	agg_free(&a);
	T(agg_init(&a) == 0, "agg_init");	/* skipped by the probe */
	for (i = 0; i < 20; i++)
		add(&a, "pid=5 class=untrusted score=0.0 flag=no tests=none "
		    "errors=DBL:broken lists=ZEN,DBL! result=queue", 0);
	dbl = names_id(&a.lists, "DBL", 3);
	T(a.list[dbl].kind[K_BROKEN] == 20, "broken by the health probe");
	memset(&w, 0, sizeof(w));
	warn_eval(&a, &th, &w);
	T(w.n == 1 && w.w[0].level == LV_CRIT && strstr(w.w[0].text,
	    "DBL was not asked for 100.0% of messages: marked broken by the "
	    "health probe (qqtag -T)") != NULL, "the broken list's warning: "
	    "%s", w.n ? w.w[0].text : "none");
	agg_free(&a);
}

int
main(void)
{
	every_field();
	hostile();
	stamps();
	histogram();
	names_cap();
	timeline();
	reader();
	aggregate();
	return t_done();
}

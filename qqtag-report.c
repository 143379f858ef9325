/*
 * qqtag-report.c - read qqtag's log lines (one per message) and say what
 * they add up to: a plain-text summary, an HTML page (--html), or one
 * status line and an exit code for monitoring (--check).  See
 * qqtag-report(1).
 *
 * Input: files, directories (multilog's: @*.s in name order, then
 * current) or standard input; gzip files are inflated (logread.c).  Each
 * line may carry a time stamp (logstamp.c); "qqtag: pid=" lines are
 * parsed (logline.c) and counted (logagg.c); every other line is counted
 * and skipped.  Memory does not grow with the input.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "logagg.h"
#include "loghtml.h"
#include "logline.h"
#include "logread.h"
#include "logstamp.h"
#include "logtext.h"
#include "logwarn.h"

#define DIR_FILES_MAX	100000	/* files read from one directory */
#define PROGRESS_EVERY	65536	/* lines between clock looks */

enum { EX_OK, EX_INPUT, EX_USAGE };	/* without --check */
enum { CK_OK, CK_WARN, CK_CRIT, CK_UNKNOWN };	/* --check */

static struct {
	struct agg		 a;
	struct stamp_ctx	 sc;
	struct thresholds	 th;
	struct warnings		 w;
	int			 window;	/* --since/until/last */
	time_t			 since, until;
	int			 check;
	const char		*html;
	int			 progress;	/* stderr is a terminal */
	time_t			 shown;		/* last progress */
	int			 badinput;	/* input not read whole */
	int			 goodinput;	/* some input read */
} g;

static void
usage(void)
{
	fprintf(stderr, "usage: qqtag-report [--since DATE] [--until DATE] "
	    "[--last N{s|m|h|d|w}]\n"
	    "           [--now DATE] [--html FILE] [--check] "
	    "[--warn-list-errors PCT]\n"
	    "           [--crit-list-errors PCT] [--warn-unchecked PCT] "
	    "[--crit-unchecked PCT]\n"
	    "           [--warn-after-eom-p95 MS] [--crit-after-eom-p95 MS] "
	    "[--min-messages N]\n"
	    "           [FILE | DIRECTORY | -]...\n");
	exit(g.check ? CK_UNKNOWN : EX_USAGE);
}

static void
progress(int done)
{
	time_t	now;

	if (!g.progress)
		return;
	if (done) {
		fprintf(stderr, "\r%60s\r", "");
		return;
	}
	now = time(NULL);
	if (now == g.shown)
		return;
	g.shown = now;
	fprintf(stderr, "\rqqtag-report: %llu lines, %llu messages ",
	    (unsigned long long)g.a.lines, (unsigned long long)g.a.msgs);
}

/* One line of the log. */
static void
line(const char *p, size_t n)
{
	struct ll_rec	 r;
	const char	*q;
	size_t		 used = 0;
	time_t		 t = 0;
	int		 stamped;

	g.a.lines++;
	stamped = stamp_parse(&g.sc, p, n, &t, &used);
	if ((q = ll_find(p + used, n - used)) == NULL) {
		g.a.other++;
		return;
	}
	q += 7;
	if (!ll_parse(q, n - (size_t)(q - p), &r)) {
		g.a.notices++;
		return;
	}
	if (g.window && !stamped) {
		g.a.unstamped++;
		return;
	}
	if (g.window && (t < g.since || t >= g.until)) {
		g.a.outside++;
		return;
	}
	agg_msg(&g.a, &r, t, stamped);
}

/* Read one file ("-": standard input) to its end. */
static void
read_file(const char *name)
{
	struct lr	*r;
	const char	*p;
	size_t		 n;

	if ((r = lr_open(name)) == NULL) {
		fprintf(stderr, "qqtag-report: %s: %s\n", name,
		    strerror(errno));
		warn_add(&g.w, LV_WARN, "%s: cannot be read: %s", name,
		    strerror(errno));
		g.badinput = 1;
		return;
	}
	while (lr_line(r, &p, &n)) {
		line(p, n);
		if (g.a.lines % PROGRESS_EVERY == 0)
			progress(0);
	}
	g.a.overlong += lr_overlong(r);
	if (lr_problem(r) != NULL) {
		fprintf(stderr, "qqtag-report: %s: %s\n", name, lr_problem(r));
		warn_add(&g.w, LV_WARN, "%s: %s (the lines before it are "
		    "counted)", name, lr_problem(r));
		g.badinput = 1;
	} else
		g.goodinput = 1;
	lr_close(r);
}

/* multilog's files: @TAI64N.s and @TAI64N.u in name (time) order. */
static int
multilog_name(const struct dirent *d)
{
	return d->d_name[0] == '@';
}

/* A directory: its rotated files in time order, then current. */
static void
read_dir(const char *dir)
{
	struct dirent	**de;
	char		  path[4096];
	int		  n, i;

	if ((n = scandir(dir, &de, multilog_name, alphasort)) == -1) {
		warn_add(&g.w, LV_WARN, "%s: cannot be read: %s", dir,
		    strerror(errno));
		g.badinput = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		if (i < DIR_FILES_MAX && (size_t)snprintf(path, sizeof(path),
		    "%s/%s", dir, de[i]->d_name) < sizeof(path))
			read_file(path);
		free(de[i]);
	}
	free(de);
	if ((size_t)snprintf(path, sizeof(path), "%s/current", dir) <
	    sizeof(path) && access(path, F_OK) == 0)
		read_file(path);
}

static void
read_arg(const char *arg)
{
	struct stat	st;

	if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		read_dir(arg);
	else
		read_file(arg);
}

static double
opt_pct(const char *s)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v <= 100))
		usage();
	return v;
}

static uint64_t
opt_num(const char *s)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' ||
	    v > 1ULL << 40)
		usage();
	return v;
}

static time_t
opt_date(const char *s)
{
	time_t	t;

	if (stamp_arg(&g.sc, s, &t) == -1) {
		fprintf(stderr, "qqtag-report: %s: not a date "
		    "(YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM])\n", s);
		usage();
	}
	return t;
}

enum { O_SINCE = 256, O_UNTIL, O_LAST, O_NOW, O_HTML, O_CHECK, O_WLIST,
	O_CLIST, O_WUNCH, O_CUNCH, O_WEOM, O_CEOM, O_MIN };

static const struct option longopts[] = {
	{ "since", required_argument, NULL, O_SINCE },
	{ "until", required_argument, NULL, O_UNTIL },
	{ "last", required_argument, NULL, O_LAST },
	{ "now", required_argument, NULL, O_NOW },
	{ "html", required_argument, NULL, O_HTML },
	{ "check", no_argument, NULL, O_CHECK },
	{ "warn-list-errors", required_argument, NULL, O_WLIST },
	{ "crit-list-errors", required_argument, NULL, O_CLIST },
	{ "warn-unchecked", required_argument, NULL, O_WUNCH },
	{ "crit-unchecked", required_argument, NULL, O_CUNCH },
	{ "warn-after-eom-p95", required_argument, NULL, O_WEOM },
	{ "crit-after-eom-p95", required_argument, NULL, O_CEOM },
	{ "min-messages", required_argument, NULL, O_MIN },
	{ NULL, 0, NULL, 0 }
};

/* The time options, once --now is known. */
static void
window(const char *since, const char *until, const char *last,
    const char *now)
{
	time_t	d;

	stamp_init(&g.sc, time(NULL));
	if (now != NULL)
		stamp_init(&g.sc, opt_date(now));
	g.since = 0;
	g.until = (time_t)1 << 40;
	if (last != NULL && since != NULL)
		usage();
	if (last != NULL) {
		if (stamp_duration(last, &d) == -1)
			usage();
		g.since = g.sc.now - d;
	}
	if (since != NULL)
		g.since = opt_date(since);
	if (until != NULL)
		g.until = opt_date(until);
	g.window = since != NULL || until != NULL || last != NULL;
}

static void
options(int argc, char *argv[])
{
	const char	*since = NULL, *until = NULL, *last = NULL;
	const char	*now = NULL;
	int		 c;

	warn_defaults(&g.th);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (c) {
		case O_SINCE: since = optarg; break;
		case O_UNTIL: until = optarg; break;
		case O_LAST: last = optarg; break;
		case O_NOW: now = optarg; break;
		case O_HTML: g.html = optarg; break;
		case O_CHECK: g.check = 1; break;
		case O_WLIST: g.th.list_warn = opt_pct(optarg); break;
		case O_CLIST: g.th.list_crit = opt_pct(optarg); break;
		case O_WUNCH: g.th.unchecked_warn = opt_pct(optarg); break;
		case O_CUNCH: g.th.unchecked_crit = opt_pct(optarg); break;
		case O_WEOM: g.th.eom_warn = opt_num(optarg); break;
		case O_CEOM: g.th.eom_crit = opt_num(optarg); break;
		case O_MIN: g.th.min_msgs = opt_num(optarg); break;
		default: usage();
		}
	window(since, until, last, now);
}

/* --check: one status line, exit 0, 1, 2 (3: nothing could be read). */
static int
check_status(void)
{
	int	lv = warn_level(&g.w);

	if (!g.goodinput) {
		printf("QQTAG UNKNOWN - no input could be read\n");
		return CK_UNKNOWN;
	}
	if (lv == LV_OK)
		printf("QQTAG OK - %llu messages, %.1f%% of checked flagged, "
		    "after_eom_ms p95 %llu\n", (unsigned long long)g.a.msgs,
		    g.a.checked ? 100.0 * (double)g.a.flagged /
		    (double)g.a.checked : 0.0,
		    (unsigned long long)hist_pct(&g.a.eom, 950));
	else if (g.w.n > 1)
		printf("QQTAG %s - %s (and %zu more)\n", lv == LV_CRIT ?
		    "CRITICAL" : "WARNING", g.w.w[0].text, g.w.n - 1);
	else
		printf("QQTAG %s - %s\n", lv == LV_CRIT ? "CRITICAL" :
		    "WARNING", g.w.w[0].text);
	return lv == LV_CRIT ? CK_CRIT : lv == LV_WARN ? CK_WARN : CK_OK;
}

static int
write_html(void)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(g.html, "w")) == NULL) {
		fprintf(stderr, "qqtag-report: %s: %s\n", g.html,
		    strerror(errno));
		return -1;
	}
	rc = html_report(f, &g.a, &g.w);
	if (fclose(f) == EOF || rc == -1) {
		fprintf(stderr, "qqtag-report: %s: write error\n", g.html);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct warnings	in;
	int		i, rc;

	options(argc, argv);
	if (agg_init(&g.a) == -1) {
		fprintf(stderr, "qqtag-report: out of memory\n");
		return g.check ? CK_UNKNOWN : EX_INPUT;
	}
	g.progress = isatty(2);
	if (optind == argc)
		read_file("-");
	for (i = optind; i < argc; i++)
		read_arg(argv[i]);
	progress(1);
	in = g.w;		/* input problems last */
	memset(&g.w, 0, sizeof(g.w));
	warn_eval(&g.a, &g.th, &g.w);
	for (i = 0; i < (int)in.n; i++)
		warn_add(&g.w, in.w[i].level, "%s", in.w[i].text);
	if (g.html != NULL && write_html() == -1)
		g.badinput = 1;
	if (g.check)
		return check_status();
	rc = text_report(stdout, &g.a, &g.w);
	return rc == -1 || g.badinput ? EX_INPUT : EX_OK;
}

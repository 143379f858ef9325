/*
 * listcheck.c: test driver for the local lists (listfile.c, lists.c) and
 * list health (health.c).
 * A test tool: stdout is fine here.
 *
 *   listcheck load FORMAT FILE [QUERIES]   read FILE whole, look up every
 *                                          query (one IP or domain a line;
 *                                          stdin without QUERIES)
 *   listcheck each FORMAT FILE [QUERIES]   the same, one filtered read per
 *                                          query (what a message does)
 *   listcheck stats FORMAT FILE            counts of a whole read
 *   listcheck time each|load FORMAT FILE QUERY N
 *                                          N reads and lookups: median,
 *                                          min, max microseconds, kept
 *   listcheck dnstime POLICY IP|DOMAIN N   N runs of the policy's DNS
 *                                          checks for IP (or the RHSBL
 *                                          checks of DOMAIN): median us
 *   listcheck policy POLICY IP [SENDERDOMAIN [FROMDOMAIN]]
 *                                          local-list results as qqtag
 *                                          reports them
 *   listcheck probe POLICY [TIMEOUT_MS]    the health probe (qqtag -T)
 *   listcheck apply POLICY IP [DOMAIN]     the state applied, then the DNS
 *                                          checks of IP: skipped lists
 *                                          show as errors "broken"
 *
 * Lookup lines: "QUERY<TAB>NOERROR|NXDOMAIN<TAB>CODES<TAB>TXTS", codes and
 * TXT strings each sorted and joined by ',' and '|' (TXT bytes escaped:
 * \\ \| \t and \xHH), the format of tests/dnsbatch.py, for diff(1).
 * POLICY lines other than dnsbl dnswl rhsbl dns iplist ipwl domainlist
 * state are skipped.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../dns.h"
#include "../dnsbl.h"
#include "../health.h"
#include "../listfile.h"
#include "../lists.h"
#include "../msg.h"

#define MAXWORDS	64
#define MAXHEALTH	256

static struct dnsbl_conf *dc;
static struct lists_conf *lc;

static long long
now_us(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int
num(const char *s)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (errno != 0 || *e != '\0' || v < 0 || v > 1000000)
		return -1;
	return (int)v;
}

static int
is_dns(const char *w)
{
	return strcmp(w, "dnsbl") == 0 || strcmp(w, "dnswl") == 0 ||
	    strcmp(w, "rhsbl") == 0 || strcmp(w, "dns") == 0;
}

static int
is_local(const char *w)
{
	return strcmp(w, "iplist") == 0 || strcmp(w, "ipwl") == 0 ||
	    strcmp(w, "domainlist") == 0 || strcmp(w, "state") == 0;
}

static int
load_policy(const char *path)
{
	FILE *f;
	char line[4096], err[256], *w[MAXWORDS], *p, *save;
	int n, lineno = 0, bad = 0;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	dc = dnsbl_conf_new();
	lc = lists_conf_new();
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		n = 0;
		for (p = strtok_r(line, " \t\r\n", &save); p != NULL && n <
		    MAXWORDS; p = strtok_r(NULL, " \t\r\n", &save))
			w[n++] = p;
		if (n == 0)
			continue;
		if ((is_dns(w[0]) && dnsbl_conf_line(dc, n, w, err,
		    sizeof(err)) == -1) || (is_local(w[0]) &&
		    lists_conf_line(lc, n, w, err, sizeof(err)) == -1)) {
			fprintf(stderr, "%s:%d: %s\n", path, lineno, err);
			bad = 1;
		}
	}
	fclose(f);
	if (!bad && lists_conf_check(lc, dc, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", path, err);
		bad = 1;
	}
	if (getenv("QQTAG_DNS") != NULL && dnsbl_conf_servers(dc,
	    getenv("QQTAG_DNS")) == -1)
		bad = 1;
	return bad ? -1 : 0;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* TXT bytes escaped into out (4 * n + 1 bytes). */
static void
escape(const char *t, size_t n, char *out)
{
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)t[i];
		if (c == '\\' || c == '|')
			o += (size_t)snprintf(out + o, 3, "\\%c", c);
		else if (c == '\t')
			o += (size_t)snprintf(out + o, 3, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void
print_answer(const char *q, int hit, const struct listfile_answer *a)
{
	static char txt[DNSBL_MAXA][4 * LISTFILE_TXTLEN + 1];
	char codes[DNSBL_MAXA][20], *cp[DNSBL_MAXA], *tp[DNSBL_MAXA];
	int i;

	printf("%s\t%s\t", q, hit ? "NOERROR" : "NXDOMAIN");
	for (i = 0; hit && i < a->n; i++) {
		snprintf(codes[i], sizeof(codes[i]), "%lu.%lu.%lu.%lu",
		    (a->code[i] >> 24) & 255, (a->code[i] >> 16) & 255,
		    (a->code[i] >> 8) & 255, a->code[i] & 255);
		cp[i] = codes[i];
	}
	qsort(cp, hit ? (size_t)a->n : 0, sizeof(cp[0]), cmpstr);
	for (i = 0; hit && i < a->n; i++)
		printf("%s%s", i ? "," : "", cp[i]);
	putchar('\t');
	for (i = 0; hit && i < a->ntxt; i++) {
		escape(a->txt[i], a->txtlen[i], txt[i]);
		tp[i] = txt[i];
	}
	qsort(tp, hit ? (size_t)a->ntxt : 0, sizeof(tp[0]), cmpstr);
	for (i = 0; hit && i < a->ntxt; i++)
		printf("%s%s", i ? "|" : "", tp[i]);
	putchar('\n');
}

static int
make_key(struct listfile_key *k, int format, const char *q)
{
	return format == LISTFILE_DNSET ? listfile_key_domain(k, q) :
	    listfile_key_ip(k, q);
}

/* load / each: every query line of in. */
static int
lookups(int each, int format, const char *file, FILE *in)
{
	static struct listfile_answer a;
	struct listfile *s = NULL;
	struct listfile_key k;
	char line[1024];
	int e, hit;

	if (!each && (s = listfile_load(file, format, NULL, time(NULL), NULL,
	    &e)) == NULL) {
		fprintf(stderr, "%s: %s\n", file, listfile_strerror(e));
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (make_key(&k, format, line) == -1) {
			printf("%s\tBADQUERY\t\t\n", line);
			continue;
		}
		if (each && (s = listfile_load(file, format, &k, time(NULL),
		    NULL, &e)) == NULL) {
			printf("%s\tERROR:%s\t\t\n", line,
			    listfile_strerror(e));
			continue;
		}
		hit = listfile_lookup(s, &k, &a);
		print_answer(line, hit, &a);
		if (each) {
			listfile_free(s);
			s = NULL;
		}
	}
	listfile_free(s);
	return 0;
}

static int
stats(int format, const char *file)
{
	struct listfile_stats st;
	struct listfile *s;
	long long t0 = now_us();
	int e;

	s = listfile_load(file, format, NULL, time(NULL), &st, &e);
	printf("%s lines %lu entries %lu invalid %lu firstbad %lu units %zu "
	    "kept %zu bytes %zu us %lld\n", s ? "ok" : listfile_strerror(e),
	    st.lines, st.entries, st.invalid, st.firstbad, st.units, st.kept,
	    st.bytes, now_us() - t0);
	listfile_free(s);
	return s ? 0 : 1;
}

static int
cmpll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void
print_times(long long *t, int n, const char *extra)
{
	qsort(t, (size_t)n, sizeof(t[0]), cmpll);
	printf("median_us %lld min_us %lld max_us %lld%s\n", t[n / 2], t[0],
	    t[n - 1], extra);
}

/* time each|load: N times read (filtered or whole) and look up once. */
static int
timing(int each, int format, const char *file, const char *q, int n)
{
	static struct listfile_answer a;
	struct listfile_stats st;
	struct listfile *s;
	struct listfile_key k;
	long long *t, t0;
	char extra[128];
	int i, e, hit = 0;

	if (n < 1 || make_key(&k, format, q) == -1 ||
	    (t = calloc((size_t)n, sizeof(*t))) == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		t0 = now_us();
		if ((s = listfile_load(file, format, each ? &k : NULL,
		    time(NULL), &st, &e)) == NULL) {
			fprintf(stderr, "%s: %s\n", file, listfile_strerror(e));
			return 1;
		}
		hit = listfile_lookup(s, &k, &a);
		t[i] = now_us() - t0;
		listfile_free(s);
	}
	snprintf(extra, sizeof(extra), " units %zu kept %zu listed %d",
	    st.units, st.kept, hit);
	print_times(t, n, extra);
	free(t);
	return 0;
}

static struct dns *run_dns;	/* the DNS service of run_start's run */

/* A dnsbl run for ip (a text address) on a DNS service of its own. */
static struct dnsbl_run *
run_start(const char *ip, int flags)
{
	struct ipaddr a;

	run_dns = dns_new(dnsbl_conf_get_servers(dc), NULL, 0);
	(void)ipaddr_parses(ip, &a);
	return dnsbl_start_flags(dc, run_dns, &a, NULL, flags);
}

/* Serve one run until it is done or 5 s passed. */
static void
wait_run(struct dnsbl_run *r)
{
	(void)dns_wait(run_dns, -1, 5000);
	dns_stop(run_dns);
	dnsbl_stop(r);
}

static void
run_free(struct dnsbl_run *r)
{
	dnsbl_free(r);
	dns_free(run_dns);
	run_dns = NULL;
}

static int
dnstime(const char *ip, int n)
{
	struct listfile_key k;
	struct dnsbl_run *r;
	long long *t, t0;
	int i;

	if (n < 1 || (t = calloc((size_t)n, sizeof(*t))) == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		t0 = now_us();
		if (listfile_key_ip(&k, ip) == 0)
			r = run_start(ip, DNSBL_ANYIP | DNSBL_NORDNS |
			    DNSBL_NOEXIST);
		else {
			/* a domain: the RHSBLs of the policy */
			r = run_start("127.0.0.2", DNSBL_ANYIP |
			    DNSBL_NORDNS | DNSBL_NOEXIST);
			dnsbl_domain(r, DNSBL_FROM, ip);
		}
		wait_run(r);
		t[i] = now_us() - t0;
		if (i == n - 1 && dnsbl_nresults(r) > 0)
			printf("# %s %s\n", dnsbl_result(r, 0)->label,
			    dnsbl_result(r, 0)->answer);
		run_free(r);
	}
	print_times(t, n, "");
	free(t);
	return 0;
}

static void
print_result(const struct dnsbl_result *d)
{
	static const char *const verdict[] = { "clean", "LISTED", "error" };
	char txt[4 * DNSBL_TXTMAX + 1];

	printf("%s %s %s %s %s %s", d->test, d->label, d->kind,
	    verdict[d->verdict], d->subject, d->answer[0] ? d->answer : "-");
	if (d->verdict == DNSBL_LISTED)
		printf(" %+.2f", d->weight);
	if (d->source)
		printf(" src=%d", d->source);
	if (d->txt != NULL) {
		escape(d->txt, d->txtlen, txt);
		printf(" \"%s\"", txt);
	}
	putchar('\n');
}

static int
policy(int argc, char *argv[])
{
	struct lists_run *r;
	size_t i;

	if ((r = lists_start(lc, argv[3])) == NULL)
		return 1;
	if (argc > 4)
		lists_domain(r, DNSBL_SENDER, argv[4]);
	if (argc > 5)
		lists_domain(r, DNSBL_FROM, argv[5]);
	for (i = 0; i < lists_nresults(r); i++)
		print_result(lists_result(r, i));
	printf("results %zu\n", lists_nresults(r));
	lists_free(r);
	return 0;
}

static int
probe(int argc, char *argv[])
{
	static struct lists_health h[MAXHEALTH];
	char line[256], err[256];
	size_t n, i;
	int broken;

	broken = lists_probe(lc, dc, NULL, argc > 3 ? num(argv[3]) : 3000, h,
	    MAXHEALTH, &n, err, sizeof(err));
	for (i = 0; i < n; i++) {
		lists_health_text(&h[i], line, sizeof(line));
		printf("%s\n", line);
	}
	if (broken == -1) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	printf("broken %d\n", broken);
	return 0;
}

static int
apply(int argc, char *argv[])
{
	struct dnsbl_run *r;
	char err[256];
	size_t i;
	int n;

	n = lists_state_apply(lc, dc, NULL, time(NULL), err, sizeof(err));
	printf("state %d%s%s\n", n, n == -1 ? " " : "", n == -1 ? err : "");
	r = run_start(argv[3], DNSBL_ANYIP | DNSBL_NORDNS | DNSBL_NOEXIST);
	if (argc > 4)
		dnsbl_domain(r, DNSBL_FROM, argv[4]);
	wait_run(r);
	for (i = 0; i < dnsbl_nresults(r); i++)
		print_result(dnsbl_result(r, i));
	run_free(r);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: listcheck load|each FORMAT FILE [QUERIES]\n"
	    "       listcheck stats FORMAT FILE\n"
	    "       listcheck time each|load FORMAT FILE QUERY N\n"
	    "       listcheck dnstime|policy|probe|apply POLICY ...\n");
	exit(2);
}

static int
by_format(int argc, char *argv[])
{
	FILE *in = stdin;
	int format, r, each = strcmp(argv[1], "each") == 0;

	if (strcmp(argv[1], "time") == 0) {
		if (argc != 7 || (format = listfile_format(argv[3])) == -1)
			usage();
		return timing(strcmp(argv[2], "each") == 0, format, argv[4],
		    argv[5], num(argv[6]));
	}
	if (argc < 4 || (format = listfile_format(argv[2])) == -1)
		usage();
	if (strcmp(argv[1], "stats") == 0)
		return stats(format, argv[3]);
	if (argc > 4 && (in = fopen(argv[4], "r")) == NULL) {
		perror(argv[4]);
		return 2;
	}
	r = lookups(each, format, argv[3], in);
	if (in != stdin)
		fclose(in);
	return r;
}

int
main(int argc, char *argv[])
{
	int r;

	if (argc < 3)
		usage();
	if (strcmp(argv[1], "load") == 0 || strcmp(argv[1], "each") == 0 ||
	    strcmp(argv[1], "stats") == 0 || strcmp(argv[1], "time") == 0)
		return by_format(argc, argv);
	if (load_policy(argv[2]) == -1)
		return 2;
	if (strcmp(argv[1], "dnstime") == 0 && argc == 5)
		r = dnstime(argv[3], num(argv[4]));
	else if (strcmp(argv[1], "policy") == 0 && argc >= 4)
		r = policy(argc, argv);
	else if (strcmp(argv[1], "probe") == 0)
		r = probe(argc, argv);
	else if (strcmp(argv[1], "apply") == 0 && argc >= 4)
		r = apply(argc, argv);
	else
		usage();
	lists_conf_free(lc);
	dnsbl_conf_free(dc);
	return r;
}

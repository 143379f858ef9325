/*
 * dnscheck.c: test driver for dnsbl.c and dns.c.
 *
 *   dnscheck [-A] [-t DEADLINE_MS] [-d DELAY_MS] POLICY IP [REMOTEHOST
 *       [SENDER_DOMAIN [FROM_DOMAIN]]]
 *   dnscheck -q [-t DEADLINE_MS] [-c INFLIGHT,TOTAL] SERVERS NAME/TYPE...
 *
 * First form: reads the dnsbl/dnswl/rhsbl/dns lines of POLICY (other
 * keywords are skipped), applies $QQTAG_DNS, runs every check for IP on
 * one DNS service served by dns_wait() (REMOTEHOST "-" = none; the domains
 * are handed over DELAY_MS after the start, default 0), stops it at the
 * deadline (default 2000 ms) and prints one line per result, then
 * "pending N", "elapsed MS", "rdns", "ptr", "fds N" (descriptors open
 * after dns_stop) and the service's counters.  -A queries private IPs too.
 *
 * Second form (-q): dns.c alone.  Asks every NAME/TYPE (TYPE a number or
 * A, TXT, PTR, MX, AAAA; a name asked twice joins the first) of the
 * servers ("127.0.0.1:5353,..."), with other caps if -c; an argument +MS
 * serves the service up to MS ms (until all is answered) before the next
 * asks.  Prints one line per answer in the order they came: "NAME/TYPE
 * STATUS len=N ms=N rr=N txtlen=N" (ms from the start), then "elapsed",
 * "fds" and the counters.
 * A test tool: stdout is fine here.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../dns.h"
#include "../dnsbl.h"
#include "../msg.h"

#define MAXWORDS 64

static long long
now_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int
load(struct dnsbl_conf *c, const char *path)
{
	FILE *f;
	char line[4096], err[256], *w[MAXWORDS], *p, *save;
	int n, lineno = 0, bad = 0;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		n = 0;
		for (p = strtok_r(line, " \t\r\n", &save); p != NULL && n <
		    MAXWORDS; p = strtok_r(NULL, " \t\r\n", &save))
			w[n++] = p;
		if (n == 0 || (strcmp(w[0], "dnsbl") && strcmp(w[0], "dnswl") &&
		    strcmp(w[0], "rhsbl") && strcmp(w[0], "dns")))
			continue;
		if (dnsbl_conf_line(c, n, w, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s:%d: %s\n", path, lineno, err);
			bad = 1;
		}
	}
	fclose(f);
	return bad ? -1 : 0;
}

static void
put_txt(const char *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)t[i];
		if (ch >= 0x21 && ch <= 0x7e && ch != '\\')
			putchar(ch);
		else
			printf("\\x%02x", ch);
	}
}

static void
print_results(const struct dnsbl_run *r)
{
	const struct dnsbl_result *x;
	static const char *const v[] = { "clean", "listed", "error" };
	size_t i;

	for (i = 0; i < dnsbl_nresults(r); i++) {
		x = dnsbl_result(r, i);
		printf("%s %s %s %s %s w=%g%s src=%d ms=%u answer=%s txtlen=%zu"
		    " txt=", x->kind, x->label, x->test, x->subject,
		    v[x->verdict], x->weight, x->has_weight ? "" : "?",
		    x->source, x->ms, x->answer, x->txtlen);
		if (x->txt != NULL)
			put_txt(x->txt, x->txtlen);
		putchar('\n');
	}
}

static int
count_fds(void)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own */
}

/* Serve d until all is answered or the deadline; domains at dom_at. */
static void
loop(struct dns *d, struct dnsbl_run *r, long long deadline,
    long long dom_at, char **doms)
{
	long long t;

	for (;;) {
		t = now_ms();
		if (doms != NULL && t >= dom_at) {
			dnsbl_domain(r, DNSBL_SENDER, doms[0]);
			if (doms[1] != NULL)
				dnsbl_domain(r, DNSBL_FROM, doms[1]);
			doms = NULL;
		}
		if (doms == NULL)
			break;
		if (dns_wait(d, -1, (int)(dom_at - t)) == DNS_WAIT_IDLE &&
		    dom_at > now_ms())
			usleep((useconds_t)(dom_at - now_ms()) * 1000);
	}
	t = now_ms();
	(void)dns_wait(d, -1, deadline > t ? (int)(deadline - t) : 0);
}

static void
print_stats(const struct dns *d)
{
	struct dns_stats st;

	dns_stats(d, &st);
	printf("queries %u hits %u capped %u tcp %u queued %u\n", st.queries,
	    st.hits, st.capped, st.tcp, st.queued);
}

/* -q: one ask of dns.c, and what came back. */
struct ask {
	const char	*what;
	long long	 t0;
};

static void
on_ask(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct ask *a = arg;
	struct dns_rr rr;
	char txt[70000];
	int n = 0;

	memset(&rr, 0, sizeof(rr));
	while (abuf != NULL && dns_rr(abuf, alen, &rr) == 1)
		n++;
	printf("%s %s len=%d ms=%lld rr=%d txtlen=%zu\n", a->what,
	    dns_status_text(status), alen, now_ms() - a->t0, n,
	    dns_txt(abuf, alen, txt, sizeof(txt)));
	fflush(stdout);
}

static int
qtype(const char *s)
{
	static const struct {
		const char *n;
		int t;
	} t[] = { { "A", DNS_T_A }, { "TXT", DNS_T_TXT }, { "PTR", DNS_T_PTR },
	    { "MX", DNS_T_MX }, { "AAAA", DNS_T_AAAA } };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].n) == 0)
			return t[i].t;
	return (int)strtol(s, NULL, 10);
}

static int
asks(int argc, char *argv[], long long deadline, int inflight, int total)
{
	static struct ask a[1024];
	struct dns *d;
	char err[128], name[300], *sl;
	long long t0;
	int i, fds0;

	fds0 = count_fds();
	if ((d = dns_new(strcmp(argv[0], "-") ? argv[0] : NULL, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "dns_new: %s\n", err);
		return 1;
	}
	dns_limits(d, inflight, total);
	t0 = now_ms();
	for (i = 1; i < argc && i < 1024; i++) {
		if (argv[i][0] == '+') {
			(void)dns_wait(d, -1, (int)strtol(argv[i] + 1, NULL,
			    10));
			continue;
		}
		snprintf(name, sizeof(name), "%s", argv[i]);
		if ((sl = strrchr(name, '/')) == NULL)
			return 2;
		*sl = '\0';
		a[i].what = argv[i];
		a[i].t0 = t0;
		if (dns_query(d, name, qtype(sl + 1), on_ask, &a[i]) == -1)
			printf("%s refused %s\n", argv[i], strerror(errno));
	}
	printf("pending %d\n", dns_pending(d));
	deadline -= now_ms() - t0;
	(void)dns_wait(d, -1, deadline > 0 ? (int)deadline : 0);
	dns_stop(d);
	printf("elapsed %lld\n", now_ms() - t0);
	printf("fds %d\n", count_fds() - fds0);
	print_stats(d);
	dns_free(d);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct dnsbl_conf *c;
	struct dnsbl_run *r;
	struct dns *d;
	struct ipaddr ip;
	long long t0, deadline = 2000, delay = 0;
	const char *rh = NULL, *env;
	char err[128];
	int opt, flags = 0, fds0, q = 0, inflight = 0, total = 0;

	while ((opt = getopt(argc, argv, "Aqt:d:c:")) != -1) {
		if (opt == 'A')
			flags |= DNSBL_ANYIP;
		else if (opt == 'q')
			q = 1;
		else if (opt == 't')
			deadline = strtoll(optarg, NULL, 10);
		else if (opt == 'd')
			delay = strtoll(optarg, NULL, 10);
		else if (opt == 'c' && sscanf(optarg, "%d,%d", &inflight,
		    &total) == 2)
			;
		else
			return 2;
	}
	argc -= optind;
	argv += optind;
	if (q && argc >= 2)
		return asks(argc, argv, deadline, inflight, total);
	if (argc < 2) {
		fprintf(stderr, "usage: dnscheck [-A] [-t MS] [-d MS] POLICY "
		    "IP [REMOTEHOST [SENDER [FROM]]]\n");
		return 2;
	}
	if ((c = dnsbl_conf_new()) == NULL || load(c, argv[0]) == -1)
		return 1;
	if ((env = getenv("QQTAG_DNS")) != NULL &&
	    dnsbl_conf_servers(c, env) == -1) {
		fprintf(stderr, "bad QQTAG_DNS\n");
		return 1;
	}
	if (argc > 2 && strcmp(argv[2], "-") != 0)
		rh = argv[2];
	fds0 = count_fds();
	t0 = now_ms();
	if ((d = dns_new(dnsbl_conf_get_servers(c), err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "dns_new: %s\n", err);
		return 1;
	}
	(void)ipaddr_parses(argv[1], &ip);
	if ((r = dnsbl_start_flags(c, d, &ip, rh, flags)) == NULL)
		return 1;
	loop(d, r, t0 + deadline, t0 + delay, argc > 3 ? argv + 3 : NULL);
	printf("pending %d\n", dnsbl_pending(r));
	dns_stop(d);
	printf("elapsed %lld\n", now_ms() - t0);
	print_results(r);
	printf("rdns %s\n", dnsbl_rdns(r) ? dnsbl_rdns(r) : "-");
	printf("ptr %s\n", dnsbl_ptr(r) ? dnsbl_ptr(r) : "-");
	printf("fds %d\n", count_fds() - fds0);
	print_stats(d);
	dnsbl_free(r);
	dns_free(d);
	dnsbl_conf_free(c);
	return 0;
}

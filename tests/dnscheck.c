/*
 * dnscheck.c: test driver for dnsbl.c until qqtag has its check mode.
 *
 *   dnscheck [-A] [-t DEADLINE_MS] [-d DELAY_MS] POLICY IP [REMOTEHOST
 *       [SENDER_DOMAIN [FROM_DOMAIN]]]
 *
 * Reads the dnsbl/dnswl/rhsbl/dns lines of POLICY (other keywords are
 * skipped), applies $QQTAG_DNS, runs every check for IP with its own poll()
 * loop (REMOTEHOST "-" = none; the domains are handed over DELAY_MS after
 * the start, default 0), stops at the deadline (default 2000 ms) and prints
 * one line per result, then "pending N", "elapsed MS", "rdns", "ptr" and
 * "fds N" (descriptors open after dnsbl_stop).  -A queries private IPs too.
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

#include "../dnsbl.h"

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

static void
loop(struct dnsbl_run *r, long long deadline, long long dom_at,
    char **doms)
{
	struct pollfd p[32];
	long long left, t;
	int n, to, rc;

	for (;;) {
		t = now_ms();
		if (doms != NULL && t >= dom_at) {
			dnsbl_domain(r, DNSBL_SENDER, doms[0]);
			if (doms[1] != NULL)
				dnsbl_domain(r, DNSBL_FROM, doms[1]);
			doms = NULL;
		}
		if ((dnsbl_pending(r) == 0 && doms == NULL) ||
		    (left = deadline - t) <= 0)
			break;
		if (doms != NULL && dom_at - t < left)
			left = dom_at - t;
		n = dnsbl_pollfds(r, p, 32);
		to = dnsbl_timeout(r, (int)left);
		if (to < 0)
			to = (int)left;
		rc = poll(p, (nfds_t)n, to);
		if (rc == -1 && errno != EINTR) {
			perror("poll");
			break;
		}
		dnsbl_process(r, p, rc > 0 ? n : 0);
	}
}

int
main(int argc, char *argv[])
{
	struct dnsbl_conf *c;
	struct dnsbl_run *r;
	long long t0, deadline = 2000, delay = 0;
	const char *rh = NULL, *env;
	int opt, flags = 0, fds0;

	while ((opt = getopt(argc, argv, "At:d:")) != -1) {
		if (opt == 'A')
			flags |= DNSBL_ANYIP;
		else if (opt == 't')
			deadline = strtoll(optarg, NULL, 10);
		else if (opt == 'd')
			delay = strtoll(optarg, NULL, 10);
		else
			return 2;
	}
	argc -= optind;
	argv += optind;
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
	if ((r = dnsbl_start_flags(c, argv[1], rh, flags)) == NULL)
		return 1;
	loop(r, t0 + deadline, t0 + delay, argc > 3 ? argv + 3 : NULL);
	printf("pending %d\n", dnsbl_pending(r));
	dnsbl_stop(r);
	printf("elapsed %lld\n", now_ms() - t0);
	print_results(r);
	printf("rdns %s\n", dnsbl_rdns(r) ? dnsbl_rdns(r) : "-");
	printf("ptr %s\n", dnsbl_ptr(r) ? dnsbl_ptr(r) : "-");
	printf("fds %d\n", count_fds() - fds0);
	dnsbl_free(r);
	dnsbl_conf_free(c);
	return 0;
}

/*
 * dkimcheck.c - test tool: the DKIM check on stored messages, as qqtag's
 * queue mode runs it (the header section through the forged-header
 * filter's capped copy, the body in CHECK_CHUNK pieces), printing what it
 * left in m->auth.dkim.
 *
 *   dkimcheck [-t] [-n NOW] [-r REPEAT] [-f FROMDOMAIN] -s SERVERS FILE...
 *
 * One line per signature:  FILE TAB i TAB RESULT TAB d= TAB s= TAB a= TAB
 * b= TAB partial TAB REASON; then FILE TAB tests TAB TEST,TEST... (the
 * listed findings).  -t: the check's trace on stdout.  -r: the whole
 * check REPEAT times on the same message (CPU measurement; the key
 * answer comes from the DNS cache after the first).  A test tool: stdout
 * is fine here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../check.h"
#include "../dns.h"
#include "../headers.h"
#include "../msg.h"
#include "../policy.h"
#include "../report.h"

#define FILE_MAX	(256u * 1024 * 1024)

extern const struct check check_dkim;

static int
discard(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

static struct policy	pol;
static struct report	rep;

/* One run of the check over the message; prints when out. */
static void
run(struct msg *m, const char *name, const char *p, size_t n,
    struct hdr_filter *f, int out)
{
	void		*conf, *r;
	size_t		 i, k, body;

	memset(&m->auth, 0, sizeof(m->auth));
	conf = check_dkim.conf_new();
	r = check_dkim.start(conf, m);
	check_dkim.headers(r, m);
	body = (size_t)f->hdrbytes;
	if (check_dkim.wants_body(r))
		for (i = body; i < n; i += k) {
			k = n - i < CHECK_CHUNK ? n - i : CHECK_CHUNK;
			check_dkim.body(r, m, p + i, k);
		}
	if (dns_pending(m->dns) > 0)
		(void)dns_wait(m->dns, -1, 5000);
	report_init(&rep, &pol, 5.0);
	check_dkim.findings(r, m, &rep);
	for (i = 0; out && i < m->auth.dkim.n; i++) {
		const struct auth_dkim_sig *s = &m->auth.dkim.sig[i];

		printf("%s\t%zu\t%s\td=%s\ts=%s\ta=%s\tb=%s\t%s\t%s\n", name,
		    i, auth_res_text(s->res), s->d, s->s, s->a, s->b,
		    s->partial ? "partial" : "whole", s->reason);
	}
	if (out) {
		printf("%s\ttests\t", name);
		for (i = 0, k = 0; i < rep.n; i++)
			if (rep.f[i].verdict == F_LISTED)
				printf("%s%s", k++ ? "," : "", rep.f[i].test);
		printf("\tskipped=%zu\n", m->auth.dkim.skipped);
	}
	report_free(&rep);
	check_dkim.done(r);
	free(conf);
}

static int
one(const char *path, struct msg *m, time_t now, long repeat)
{
	struct hdr_filter	 f;
	FILE			*fp;
	char			*p;
	size_t			 n;
	long			 i;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	if ((p = malloc(FILE_MAX)) == NULL) {
		fclose(fp);
		return -1;
	}
	n = fread(p, 1, FILE_MAX, fp);
	fclose(fp);
	hdr_filter_init(&f, NULL);
	if (hdr_filter_feed(&f, p, n, discard, NULL) == -1 ||
	    hdr_filter_end(&f, discard, NULL) == -1) {
		free(p);
		hdr_filter_free(&f);
		return -1;
	}
	msg_headers(m, f.copy.p ? f.copy.p : "", f.copy.len, f.copy_cut);
	if (now != 0)
		m->now = now;
	for (i = 0; i < repeat; i++)
		run(m, path, p, n, &f, i == repeat - 1);
	hdr_filter_free(&f);
	free(p);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: dkimcheck [-t] [-n NOW] [-r N] [-e DOMAIN] "
	    "-s SERVERS FILE...\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	struct msg	 m;
	time_t		 now = 0;
	long		 repeat = 1;
	int		 i, bad = 0;

	memset(&m, 0, sizeof(m));
	policy_defaults(&pol);
	m.mode = MSG_QUEUE;
	m.pol = &pol;
	msg_client(&m, "192.0.2.1", 0, 0);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-t") == 0)
			m.trace = stdout;
		else if (i + 1 == argc)
			return usage();
		else if (strcmp(argv[i], "-n") == 0)
			now = (time_t)strtoll(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-r") == 0)
			repeat = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-s") == 0)
			m.servers = argv[++i];
		else if (strcmp(argv[i], "-e") == 0)
			m.sender_domain = argv[++i];
		else
			return usage();
	}
	if (i == argc || repeat < 1)
		return usage();
	for (; i < argc; i++) {
		if (one(argv[i], &m, now, repeat) == -1) {
			fprintf(stderr, "dkimcheck: %s: %s\n", argv[i],
			    strerror(errno));
			bad = 1;
		}
		msg_free(&m);
	}
	return bad;
}

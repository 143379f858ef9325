/*
 * unit_health.c: health.c -- the state file (written, read back, every
 * damaged form ignored), its use (fresh marks broken DNS lists, stale /
 * future / corrupt does not; dnsbl.c's skip hook), URI lists' lines of
 * their own (a URI list and a DNS list sharing a label are marked
 * apart), and the probe of local lists.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns.h"
#include "dnsbl.h"
#include "health.h"
#include "lists.h"
#include "listtest.h"
#include "msg.h"

static struct dns *run_dns;	/* the DNS service of run_start's run */

/* A dnsbl run for ip on a DNS service of its own (run_free frees both). */
static struct dnsbl_run *
run_start(const struct dnsbl_conf *c, const char *ip, const char *rh,
    int flags)
{
	struct ipaddr a;

	run_dns = dns_new(dnsbl_conf_get_servers(c), NULL, 0);
	(void)ipaddr_parses(ip, &a);
	return dnsbl_start_flags(c, run_dns, &a, rh, flags);
}

static void
run_free(struct dnsbl_run *r)
{
	dnsbl_free(r);
	dns_free(run_dns);
	run_dns = NULL;
}

/* dnsbl_conf_skip: a broken list ends as an error at once, unqueried. */
static void
test_skip(void)
{
	char *w[] = { "dnsbl", "BL", "bl.invalid" };
	char *s[] = { "dns", "127.0.0.1:9" };
	const struct dnsbl_result *d;
	struct dnsbl_conf *c = dnsbl_conf_new();
	struct dnsbl_run *r;
	char err[128];

	T(dnsbl_conf_line(c, 3, w, err, sizeof(err)) == 0 &&
	    dnsbl_conf_line(c, 2, s, err, sizeof(err)) == 0, "conf");
	T(dnsbl_conf_skip(c, "NOPE", 1) == -1 && errno == ENOENT,
	    "unknown label");
	T(dnsbl_conf_skip(c, "BL", 1) == 0, "skip");
	r = run_start(c, "192.0.2.1", "host.example", 0);
	d = dnsbl_result(r, 0);
	T(r != NULL && dnsbl_pending(r) == 1 && d != NULL &&
	    d->verdict == DNSBL_ERROR && strcmp(d->answer, "broken") == 0 &&
	    strcmp(d->label, "BL") == 0, "broken list: %s",
	    d ? d->answer : "none");
	run_free(r);
	r = run_start(c, "192.0.2.1", NULL, DNSBL_NOSKIP |
	    DNSBL_NORDNS);
	T(r != NULL && dnsbl_pending(r) == 1 && dnsbl_nresults(r) == 0,
	    "NOSKIP queries it");
	run_free(r);
	T(dnsbl_conf_skip(c, "BL", 0) == 0, "unskip");
	r = run_start(c, "192.0.2.1", NULL, DNSBL_NORDNS);
	T(r != NULL && dnsbl_pending(r) == 1 && dnsbl_nresults(r) == 0,
	    "usable again");
	run_free(r);
	dnsbl_conf_free(c);
}

/* ------------------------------------------------------------------ */
/* The state file                                                       */

static void
test_state_file(void)
{
	struct lists_health h[4], r[8];
	char *p = path("state"), buf[512];
	struct stat st;
	time_t when;
	size_t n;
	FILE *f;

	memset(h, 0, sizeof(h));
	h[0].label = "ZEN";
	h[1].label = "SPAMCOP";
	h[1].broken = 1;
	snprintf(h[1].reason, sizeof(h[1].reason), "127.0.0.2:timeout");
	h[2].label = "LOCAL";
	h[2].local = 1;
	h[2].broken = 1;
	h[3].label = "DBL";
	h[3].broken = 1;
	snprintf(h[3].reason, sizeof(h[3].reason), "test:127.0.1.255");
	T(lists_state_write(p, 1700000000, h, 4) == 0, "write");
	T(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644, "mode 0644");
	T(lists_state_read(p, &when, r, 8, &n) == 0 && n == 3 && when ==
	    1700000000 && strcmp(r[1].label, "SPAMCOP") == 0 && r[1].broken &&
	    strcmp(r[1].reason, "127.0.0.2:timeout") == 0 && !r[0].broken &&
	    strcmp(r[2].label, "DBL") == 0, "read back: n %zu", n);
	lists_state_free(r, n);
	f = fopen(p, "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	T(strcmp(buf, "qqtag-health 1 1700000000\nok ZEN\nbroken SPAMCOP "
	    "127.0.0.2:timeout\nbroken DBL test:127.0.1.255\nend 3\n") == 0,
	    "text: %s", buf);
	T(lists_state_read(path("nostate"), &when, r, 8, &n) == -1 &&
	    errno == ENOENT, "missing");
}

/* Every damaged form of a state file reads as corrupt, keeping nothing. */
static void
test_state_corrupt(void)
{
	static const char *const bad[] = {
	    "",
	    "qqtag-health 1 1700000000\nok ZEN\n",
	    "qqtag-health 1 1700000000\nok ZEN\nend 1",
	    "qqtag-health 1 1700000000\nok ZEN\nend 2\n",
	    "qqtag-health 1 1700000000\nok ZEN\nend 1\nok X\n",
	    "qqtag-health 2 1700000000\nok ZEN\nend 1\n",
	    "qqtag-health 1 -5\nend 0\n",
	    "qqtag-health 1 17x\nend 0\n",
	    "qqtag-health  1 1700000000\nend 0\n",
	    "qqtag-health 1 1700000000\nbroken ZEN\nend 1\n",
	    "qqtag-health 1 1700000000\nbroken Z@N why\nend 1\n",
	    "qqtag-health 1 1700000000\nok ZEN extra\nend 1\n",
	    "qqtag-health 1 1700000000\nok ZEN \nend 1\n",
	    "qqtag-health 1 1700000000\nmaybe ZEN\nend 1\n",
	    "qqtag-health 1 1700000000\r\nok ZEN\r\nend 1\r\n",
	    "qqtag-health 1 1700000000\nuriok DBL why\nend 1\n",
	    "qqtag-health 1 1700000000\nuribroken DBL\nend 1\n",
	    "qqtag-health 1 1700000000\nuri ok DBL\nend 1\n",
	    "qqtag-health 1 1700000000\nurimaybe DBL\nend 1\n",
	    "qqtag-health 1 1700000000\nURIok DBL\nend 1\n",
	    "\x1f\x8b\x08\x00garbage",
	};
	struct lists_health r[8];
	time_t when;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path("bad"), bad[i], 0);
		T(lists_state_read(path("bad"), &when, r, 8, &n) == -1 &&
		    errno == EINVAL && n == 0, "corrupt state %zu", i);
	}
	write_file(path("bad"), "qqtag-health 1 1700000000\nok A\nok B\n"
	    "end 2\n", 0);
	T(lists_state_read(path("bad"), &when, r, 1, &n) == -1 && n == 0,
	    "more entries than room");
}

/* lists_state_apply: fresh marks, stale / future / corrupt do not. */
static void
test_state_apply(void)
{
	char *w1[] = { "dnsbl", "ZEN", "zen.example" };
	char *w2[] = { "dnsbl", "SC", "sc.example" };
	struct dnsbl_conf *dc = dnsbl_conf_new();
	struct lists_conf *c = lists_conf_new();
	struct lists_health h[3];
	const struct dnsbl_result *d;
	struct dnsbl_run *r;
	char line[300], err[200];
	time_t now = time(NULL);

	dnsbl_conf_line(dc, 3, w1, err, sizeof(err));
	dnsbl_conf_line(dc, 3, w2, err, sizeof(err));
	T(lists_state_apply(c, dc, NULL, now, err, sizeof(err)) == -1 &&
	    errno == ENOENT, "no state configured");
	snprintf(line, sizeof(line), "state %s 600", path("st"));
	conf(c, line, err, sizeof(err));
	T(lists_state_apply(c, dc, NULL, now, err, sizeof(err)) == -1 &&
	    errno == ENOENT && strstr(err, "missing") != NULL,
	    "none written: %s", err);
	memset(h, 0, sizeof(h));
	h[0].label = "ZEN";
	h[0].broken = 1;
	snprintf(h[0].reason, sizeof(h[0].reason), "x");
	h[1].label = "SC";
	h[2].label = "GONE";
	h[2].broken = 1;
	snprintf(h[2].reason, sizeof(h[2].reason), "y");
	lists_state_write(path("st"), now - 60, h, 3);
	T(lists_state_apply(c, dc, NULL, now, err, sizeof(err)) == 1,
	    "fresh: one marked");
	r = run_start(dc, "192.0.2.1", NULL, DNSBL_NORDNS);
	d = dnsbl_result(r, 0);
	T(d != NULL && strcmp(d->label, "ZEN") == 0 && strcmp(d->answer,
	    "broken") == 0 && dnsbl_pending(r) == 1, "ZEN skipped, SC asked");
	run_free(r);
	T(lists_state_apply(c, dc, NULL, now + 600, err, sizeof(err)) == -1 &&
	    errno == EINVAL && strstr(err, "stale") != NULL, "stale: %s", err);
	r = run_start(dc, "192.0.2.1", NULL, DNSBL_NORDNS);
	T(dnsbl_nresults(r) == 0 && dnsbl_pending(r) == 2,
	    "stale: every list usable again");
	run_free(r);
	T(lists_state_apply(c, dc, NULL, now - 3600, err, sizeof(err)) == -1 &&
	    strstr(err, "future") != NULL, "future: %s", err);
	T(lists_state_apply(c, dc, NULL, now, err, sizeof(err)) == 1, "again");
	write_file(path("st"), "qqtag-health 1 5\nbroken ZEN x\n", 0);
	T(lists_state_apply(c, dc, NULL, now, err, sizeof(err)) == -1 &&
	    errno == EINVAL && strstr(err, "corrupt") != NULL, "truncated: %s",
	    err);
	r = run_start(dc, "192.0.2.1", NULL, DNSBL_NORDNS);
	T(dnsbl_nresults(r) == 0, "corrupt: usable");
	run_free(r);
	lists_conf_free(c);
	dnsbl_conf_free(dc);
}

/* A DNS list and a URI list of one label: lines and marks of their own. */
static void
test_state_uri(void)
{
	char *w1[] = { "rhsbl", "DBL", "dbl.example", "profile=dbl" };
	char *w2[] = { "urilist", "DBL", "dbl.example", "profile=dbl" };
	char *w3[] = { "urilist", "URIBL", "uribl.example", "profile=uribl" };
	char *s[] = { "dns", "127.0.0.1:9" };
	struct dnsbl_conf *dc = dnsbl_conf_new(), *uc = dnsbl_conf_new();
	struct lists_conf *c = lists_conf_new();
	struct lists_health h[3], r[4];
	const struct dnsbl_result *d;
	struct dnsbl_run *run;
	char line[300], err[200], buf[512];
	time_t now = time(NULL), when;
	size_t n;
	FILE *f;

	T(dnsbl_conf_line(dc, 4, w1, err, sizeof(err)) == 0 &&
	    dnsbl_conf_line(dc, 2, s, err, sizeof(err)) == 0 &&
	    dnsbl_conf_line(uc, 4, w2, err, sizeof(err)) == 0 &&
	    dnsbl_conf_line(uc, 4, w3, err, sizeof(err)) == 0 &&
	    dnsbl_conf_line(uc, 2, s, err, sizeof(err)) == 0, "confs: %s",
	    err);
	memset(h, 0, sizeof(h));
	h[0].label = "DBL";
	h[0].kind = "rhsbl";
	h[1].label = "DBL";
	h[1].kind = "urilist";
	h[1].broken = 1;
	snprintf(h[1].reason, sizeof(h[1].reason), "dbltest.com:unlisted");
	h[2].label = "URIBL";
	h[2].kind = "urilist";
	snprintf(line, sizeof(line), "state %s 600", path("ust"));
	conf(c, line, err, sizeof(err));
	T(lists_state_write(path("ust"), now - 60, h, 3) == 0, "write");
	f = fopen(path("ust"), "r");
	n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	snprintf(line, sizeof(line), "qqtag-health 1 %lld\nok DBL\n"
	    "uribroken DBL dbltest.com:unlisted\nuriok URIBL\nend 3\n",
	    (long long)(now - 60));
	T(strcmp(buf, line) == 0, "text: %s", buf);
	T(lists_state_read(path("ust"), &when, r, 4, &n) == 0 && n == 3 &&
	    strcmp(r[0].kind, "dns") == 0 && !r[0].broken &&
	    strcmp(r[1].kind, "urilist") == 0 && r[1].broken &&
	    strcmp(r[1].reason, "dbltest.com:unlisted") == 0 &&
	    strcmp(r[2].kind, "urilist") == 0 && !r[2].broken, "read back");
	lists_state_free(r, n);
	T(lists_state_apply(c, dc, uc, now, err, sizeof(err)) == 1,
	    "one marked: %s", err);
	run_dns = dns_new(dnsbl_conf_get_servers(uc), NULL, 0);
	run = dnsbl_start_flags(uc, run_dns, NULL, NULL, DNSBL_NOIP);
	dnsbl_domain(run, DNSBL_URI, "spam.example");
	d = dnsbl_result(run, 0);
	T(d != NULL && strcmp(d->label, "DBL") == 0 && strcmp(d->kind,
	    "urilist") == 0 && d->verdict == DNSBL_ERROR &&
	    strcmp(d->answer, "broken") == 0 && dnsbl_pending(run) == 1,
	    "URI DBL skipped, URIBL asked");
	run_free(run);
	run = run_start(dc, "192.0.2.1", NULL, DNSBL_NORDNS | DNSBL_NOEXIST);
	dnsbl_domain(run, DNSBL_FROM, "spam.example");
	T(dnsbl_nresults(run) == 0 && dnsbl_pending(run) == 1,
	    "the rhsbl DBL of the same label is still asked");
	run_free(run);
	T(lists_state_apply(c, dc, NULL, now, err, sizeof(err)) == 0,
	    "no URI conf: the URI line marks nothing");
	T(lists_state_apply(c, NULL, uc, now, err, sizeof(err)) == 1,
	    "no DNS conf: the URI lists all the same");
	lists_conf_free(c);
	dnsbl_conf_free(dc);
	dnsbl_conf_free(uc);
}

/* The probe with no DNS list: local lists read whole, state written. */
static void
test_probe_local(void)
{
	struct lists_conf *c = lists_conf_new();
	struct lists_health h[4], r[4];
	char line[300], err[200];
	time_t when;
	size_t n, nh;
	int k;

	write_file(path("l4"), LT_L4, 1);
	T(conf_path(c, "iplist A", "l4", "") == 0 && conf_path(c,
	    "iplist B", "nonesuch", "") == 0 && conf_path(c, "state", "pst",
	    "") == 0, "the policy");
	k = lists_probe(c, NULL, NULL, 100, h, 4, &nh, err, sizeof(err));
	T(k == 1 && nh == 2 && h[0].local && !h[0].broken && strcmp(h[0].reason,
	    "entries:6") == 0 && h[1].broken && strcmp(h[1].reason,
	    "missing") == 0 && strcmp(h[1].kind, "iplist") == 0,
	    "probe of local lists: %d %s %s", k, h[0].reason, h[1].reason);
	T(lists_health_text(&h[1], line, sizeof(line)) == 0 &&
	    strstr(line, "BROKEN") != NULL, "text: %s", line);
	T(lists_health_text(&h[1], line, 10) == -1 && strlen(line) == 9,
	    "text cut");
	T(lists_state_read(path("pst"), &when, r, 4, &n) == 0 && n == 0,
	    "local lists are not in the state");
	snprintf(line, sizeof(line), "state %s/no/such/dir/st", lt_dir);
	conf(c, line, err, sizeof(err));
	T(lists_probe(c, NULL, NULL, 100, h, 4, &nh, err, sizeof(err)) == -1 &&
	    nh == 2 && strstr(err, "cannot write") != NULL, "unwritable: %s",
	    err);
	lists_conf_free(c);
}

int
main(void)
{
	static void (*const tests[])(void) = {
	    test_skip, test_state_file, test_state_corrupt, test_state_apply,
	    test_state_uri, test_probe_local, NULL
	};

	return lt_main(tests);
}

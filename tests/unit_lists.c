/*
 * unit_lists.c: lists.c -- policy lines and one message's results (as
 * DNS lists' are: kinds, labels, tests, weights, codes, TXT, sources);
 * and dnsbl.c's hooks for local lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsbl.h"
#include "lists.h"
#include "listtest.h"

/* ------------------------------------------------------------------ */
/* dnsbl.c's hooks                                                      */

static void
test_dnsbl_hooks(void)
{
	char *w1[] = { "iplist", "L1", "/x", "127.0.0.[2..3]=2.5:T_A",
	    "127.0.0.9=error", "notxt" };
	char *w2[] = { "ipwl", "L2", "/x" };
	char *w3[] = { "iplist", "bad label", "/x" };
	char *w4[] = { "iplist", "L4", "/x", "profile=zen", "SPAMHAUS_PBL=0.5",
	    "notest" };
	struct dnsbl_list_info info;
	struct dnsbl_class c;
	struct dnsbl_list *l;
	unsigned long codes[3];
	const char *test;
	char err[128];
	double w;

	l = dnsbl_list_new("dnsbl", 6, w1, err, sizeof(err));
	T(l != NULL, "dnsbl_list_new: %s", err);
	dnsbl_list_info(l, &info);
	T(strcmp(info.label, "L1") == 0 && strcmp(info.kind, "dnsbl") == 0 &&
	    info.txt == 0 && info.nfilters == 2 && !info.notest, "info");
	T(dnsbl_list_filter(l, 0, &test, &w) == 1 && strcmp(test, "T_A") ==
	    0 && w == 2.5, "filter 0");
	T(dnsbl_list_filter(l, 1, &test, &w) == 0, "filter 1 is an error one");
	T(dnsbl_list_filter(l, 2, &test, &w) == -1, "no filter 2");
	codes[0] = 0x7f000003UL;
	codes[1] = 0x7f000005UL;
	T(dnsbl_classify_codes(l, codes, 2, &c) == DNSBL_LISTED &&
	    c.fmask[0] == 1 && strcmp(c.answer, "127.0.0.3,127.0.0.5") == 0,
	    "listed: %s", c.answer);
	T(dnsbl_classify_codes(l, codes + 1, 1, &c) == DNSBL_CLEAN,
	    "unmatched code: clean");
	codes[2] = 0x7f000009UL;
	T(dnsbl_classify_codes(l, codes, 3, &c) == DNSBL_ERROR &&
	    strcmp(c.answer, "127.0.0.9") == 0, "error filter");
	codes[0] = 0x0a000001UL;
	T(dnsbl_classify_codes(l, codes, 1, &c) == DNSBL_ERROR,
	    "outside 127/8");
	codes[0] = 0x7fffffe0UL;
	T(dnsbl_classify_codes(l, codes, 1, &c) == DNSBL_ERROR,
	    "127.255.255.224: %s", c.answer);
	T(dnsbl_classify_codes(l, codes, 0, &c) == DNSBL_CLEAN, "no codes");
	dnsbl_list_free(l);
	l = dnsbl_list_new("dnswl", 3, w2, err, sizeof(err));
	T(l != NULL && dnsbl_list_filter(l, 0, &test, &w) == 1 && w == -1.0,
	    "ipwl weight -1");
	dnsbl_list_free(l);
	T(dnsbl_list_new("dnsbl", 3, w3, err, sizeof(err)) == NULL &&
	    strstr(err, "bad label") != NULL, "bad label: %s", err);
	T(dnsbl_list_new("other", 3, w2, err, sizeof(err)) == NULL,
	    "bad kind");
	l = dnsbl_list_new("dnsbl", 6, w4, err, sizeof(err));
	T(l != NULL, "profile=zen: %s", err);
	dnsbl_list_info(l, &info);
	T(info.notest, "notest");
	codes[0] = 0x7f00000aUL;
	T(l != NULL && dnsbl_classify_codes(l, codes, 1, &c) ==
	    DNSBL_LISTED && dnsbl_list_filter(l, 4, &test, &w) == 1 &&
	    strcmp(test, "SPAMHAUS_PBL") == 0 && w == 0.5, "zen profile");
	dnsbl_list_free(l);
}

/* ------------------------------------------------------------------ */
/* Policy lines and one message                                         */


static void
test_conf(void)
{
	struct lists_conf *c = lists_conf_new();
	struct dnsbl_conf *dc = dnsbl_conf_new();
	char line[512], err[200], *dw[] = { "dnsbl", "DNS1", "bl.example" };

	snprintf(line, sizeof(line), "iplist MINE %s 127.0.0.2=3:MY_TEST",
	    path("plain"));
	T(conf(c, line, err, sizeof(err)) == 0, "iplist: %s", err);
	snprintf(line, sizeof(line), "ipwl OURS %s format=ip4set", path("gz"));
	T(conf(c, line, err, sizeof(err)) == 0, "ipwl: %s", err);
	snprintf(line, sizeof(line), "domainlist DOMS %s notxt", path("dn"));
	T(conf(c, line, err, sizeof(err)) == 0, "domainlist: %s", err);
	T(conf(c, "state /var/tmp/x.state 10m", err, sizeof(err)) == 0 &&
	    strcmp(lists_conf_state(c), "/var/tmp/x.state") == 0, "state: %s",
	    err);
	T(lists_conf_nlists(c) == 3, "three lists");
	T(conf(c, "iplist MINE /a", err, sizeof(err)) == -1 &&
	    strstr(err, "duplicate") != NULL, "duplicate: %s", err);
	T(conf(c, "iplist REL rel/file", err, sizeof(err)) == -1 &&
	    strstr(err, "absolute") != NULL, "relative: %s", err);
	T(conf(c, "iplist F /a format=dnset", err, sizeof(err)) == -1,
	    "iplist dnset: %s", err);
	T(conf(c, "domainlist F /a format=ip4set", err, sizeof(err)) == -1,
	    "domainlist ip4set: %s", err);
	T(conf(c, "iplist F /a format=zork", err, sizeof(err)) == -1,
	    "unknown format: %s", err);
	T(conf(c, "iplist F /a 127.0.0.300", err, sizeof(err)) == -1,
	    "bad filter: %s", err);
	T(conf(c, "iplist F /a frobnicate", err, sizeof(err)) == -1,
	    "bad option: %s", err);
	T(conf(c, "iplist F", err, sizeof(err)) == -1, "short: %s", err);
	T(conf(c, "state", err, sizeof(err)) == -1, "state alone: %s", err);
	T(conf(c, "state /x 0", err, sizeof(err)) == -1, "age 0: %s", err);
	T(conf(c, "state /x 5y", err, sizeof(err)) == -1, "age 5y: %s", err);
	T(conf(c, "state x", err, sizeof(err)) == -1, "relative state");
	T(conf(c, "dnsbl X x.example", err, sizeof(err)) == -1, "not ours");
	T(lists_conf_check(c, dc, err, sizeof(err)) == 0, "no clash");
	dnsbl_conf_line(dc, 3, dw, err, sizeof(err));
	T(lists_conf_check(c, dc, err, sizeof(err)) == 0, "still no clash");
	T(conf(c, "iplist DNS1 /a", err, sizeof(err)) == 0 &&
	    lists_conf_check(c, dc, err, sizeof(err)) == -1, "clash: %s", err);
	dnsbl_conf_free(dc);
	lists_conf_free(c);
}

static void
test_run(void)
{
	struct lists_conf *c = lists_conf_new();
	const struct dnsbl_result *d;
	struct lists_run *r;
	char line[512], err[200];

	write_file(path("l4"), LT_L4, 1);
	write_file(path("dn"), ":2:dom $\n.spam.example\n", 0);
	snprintf(line, sizeof(line), "iplist MINE %s 127.0.0.2=3:MY_A "
	    "127.0.0.[3..5]=1.5:MY_B", path("l4"));
	conf(c, line, err, sizeof(err));
	snprintf(line, sizeof(line), "ipwl WL %s ipv4", path("l4"));
	conf(c, line, err, sizeof(err));
	snprintf(line, sizeof(line), "iplist GONE %s", path("nonesuch"));
	conf(c, line, err, sizeof(err));
	snprintf(line, sizeof(line), "domainlist DOMS %s", path("dn"));
	conf(c, line, err, sizeof(err));

	r = lists_start(c, "192.0.2.11");
	T(lists_nresults(r) == 4, "results: %zu", lists_nresults(r));
	d = lists_result(r, 0);
	T(d && d->verdict == DNSBL_LISTED && strcmp(d->test, "MY_A") == 0 &&
	    d->weight == 3 && strcmp(d->kind, "dnsbl") == 0 &&
	    strcmp(d->label, "MINE") == 0 && strcmp(d->answer, "127.0.0.2") ==
	    0 && strcmp(d->subject, "192.0.2.11") == 0 && d->txtlen == 8 &&
	    memcmp(d->txt, "two five", 8) == 0, "MY_A");
	d = lists_result(r, 1);
	T(d && d->verdict == DNSBL_LISTED && strcmp(d->test, "MY_B") == 0 &&
	    d->weight == 1.5 && strcmp(d->answer, "127.0.0.5") == 0, "MY_B");
	d = lists_result(r, 2);
	T(d && d->verdict == DNSBL_LISTED && strcmp(d->kind, "dnswl") == 0 &&
	    d->weight == -1 && strcmp(d->answer, "127.0.0.2,127.0.0.5") == 0 &&
	    d->txt == NULL, "ipwl: %s", d ? d->answer : "");
	d = lists_result(r, 3);
	T(d && d->verdict == DNSBL_ERROR && strcmp(d->answer, "missing") == 0 &&
	    strcmp(d->label, "GONE") == 0, "missing file: error");
	lists_domain(r, DNSBL_SENDER, "A.Spam.Example.");
	lists_domain(r, DNSBL_FROM, "a.spam.example");
	lists_domain(r, DNSBL_FROM, "bogus");
	T(lists_nresults(r) == 5, "domain: %zu", lists_nresults(r));
	d = lists_result(r, 4);
	T(d && d->verdict == DNSBL_LISTED && strcmp(d->kind, "rhsbl") == 0 &&
	    strcmp(d->subject, "a.spam.example") == 0 && d->source ==
	    (DNSBL_FROM | DNSBL_SENDER) && d->txtlen == 16 &&
	    memcmp(d->txt, "dom spam.example", 16) == 0, "domain listed");
	lists_free(r);

	r = lists_start(c, "192.0.2.10");
	d = lists_result(r, 0);
	T(d && d->verdict == DNSBL_ERROR && strcmp(d->answer,
	    "127.255.255.254") == 0, "error code in a local list: error");
	lists_free(r);
	r = lists_start(c, "198.51.100.1");
	d = lists_result(r, 0);
	T(lists_nresults(r) == 3 && d && d->verdict == DNSBL_CLEAN &&
	    d->answer[0] == '\0', "not listed: clean");
	lists_free(r);
	r = lists_start(c, "2001:db8::5");
	T(lists_nresults(r) == 2 && strcmp(lists_result(r, 0)->test, "MY_B") ==
	    0, "IPv6 client; the ipv4 list is not asked");
	lists_free(r);
	r = lists_start(c, "not an ip");
	T(r != NULL && lists_nresults(r) == 0, "bad ip: nothing");
	lists_free(r);
	T(lists_nresults(NULL) == 0 && lists_result(NULL, 0) == NULL,
	    "NULL run");
	lists_free(NULL);
	lists_conf_free(c);
}

int
main(void)
{
	static void (*const tests[])(void) = {
	    test_dnsbl_hooks, test_conf, test_run, NULL
	};

	return lt_main(tests);
}

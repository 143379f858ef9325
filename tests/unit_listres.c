/*
 * unit_listres.c: listres.c -- the one builder of list results: a DNS A
 * answer and a local list's codes give the same results; one result per
 * matching filter; codes cut whole; sources; the walk in start order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsbl.h"
#include "listres.h"
#include "unit.h"

/* A policy line for a list (argv[2], the zone, is not looked at). */
static struct dnsbl_list *
list(char *line)
{
	char err[200], *w[16], *save = NULL, *p;
	struct dnsbl_list *l;
	int n = 0;

	for (p = strtok_r(line, " ", &save); p != NULL && n < 16;
	    p = strtok_r(NULL, " ", &save))
		w[n++] = p;
	if ((l = dnsbl_list_new(w[0], n, w, err, sizeof(err))) == NULL)
		fprintf(stderr, "list: %s\n", err);
	return l;
}

/*
 * An A answer (NOERROR) holding codes[0..n): header, the question
 * 2.0.0.127.bl.example A IN, one record a code (name by pointer).
 */
static size_t
answer(unsigned char *b, const unsigned long *codes, int n)
{
	static const unsigned char head[] = { 0x12, 0x34, 0x81, 0x80, 0, 1,
	    0, 0, 0, 0, 0, 0, 1, '2', 1, '0', 1, '0', 3, '1', '2', '7', 2,
	    'b', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };
	static const unsigned char rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0,
	    60, 0, 4 };
	size_t o = sizeof(head);
	int i;

	memcpy(b, head, sizeof(head));
	b[7] = (unsigned char)n;
	for (i = 0; i < n; i++, o += 4) {
		memcpy(b + o, rr, sizeof(rr));
		o += sizeof(rr);
		b[o] = (unsigned char)(codes[i] >> 24);
		b[o + 1] = (unsigned char)(codes[i] >> 16);
		b[o + 2] = (unsigned char)(codes[i] >> 8);
		b[o + 3] = (unsigned char)codes[i];
	}
	return o;
}

static int
same(const struct dnsbl_result *a, const struct dnsbl_result *b)
{
	return a->verdict == b->verdict && strcmp(a->test, b->test) == 0 &&
	    strcmp(a->label, b->label) == 0 && strcmp(a->kind, b->kind) == 0 &&
	    strcmp(a->subject, b->subject) == 0 && a->weight == b->weight &&
	    a->has_weight == b->has_weight && a->source == b->source &&
	    strcmp(a->answer, b->answer) == 0 && a->txtlen == b->txtlen &&
	    (a->txtlen == 0 || memcmp(a->txt, b->txt, a->txtlen) == 0);
}

/* The same codes from a DNS answer and from a list file: same results. */
static void
test_dns_equals_local(void)
{
	static const unsigned long cases[][3] = {
	    { 0 }, { 0x7f000002UL }, { 0x7f000002UL, 0x7f00000aUL },
	    { 0x7f000004UL, 0x7f000003UL, 0x7f000002UL },
	    { 0x7f000002UL, 0x7fffff01UL }, { 0x0a000001UL },
	    { 0x7f000001UL }, { 0x7f000063UL } };
	static const int ncodes[] = { 0, 1, 2, 3, 2, 1, 1, 1 };
	char line[] = "dnsbl BL bl.example 127.0.0.2=3:T_TWO "
	    "127.0.0.[2..4]=1.5:T_LOW 127.0.0.10=-1:T_TEN 127.0.0.99=error";
	struct dnsbl_class dc, lc;
	struct listres_chain ch;
	struct listres d, l;
	unsigned char pkt[512];
	struct dnsbl_list *bl = list(line);
	size_t i, k, plen;

	T(bl != NULL, "the list");
	for (i = 0; bl != NULL && i < sizeof(ncodes) / sizeof(ncodes[0]);
	    i++) {
		memset(&d, 0, sizeof(d));
		memset(&l, 0, sizeof(l));
		listres_chain_init(&ch);
		plen = answer(pkt, cases[i], ncodes[i]);
		(void)dnsbl_classify(bl, pkt, (int)plen, &dc);
		(void)dnsbl_classify_codes(bl, cases[i], ncodes[i], &lc);
		T(listres_begin(&ch, &d, "BL", "dnsbl", "192.0.2.1", 0, 1) ==
		    0 && listres_begin(&ch, &l, "BL", "dnsbl", "192.0.2.1", 0,
		    1) == 0, "begin");
		listres_judge(&d, bl, &dc, "why", 3);
		listres_judge(&l, bl, &lc, "why", 3);
		T(d.nres > 0 && d.nres == l.nres, "case %zu: %zu and %zu "
		    "results", i, d.nres, l.nres);
		for (k = 0; k < d.nres && k < l.nres; k++)
			T(same(&d.res[k], &l.res[k]), "case %zu result %zu: "
			    "%s %s / %s %s", i, k, d.res[k].test,
			    d.res[k].answer, l.res[k].test, l.res[k].answer);
		listres_clear(&d);
		listres_clear(&l);
	}
	dnsbl_list_free(bl);
}

/* A listing: one result per matching filter, its test, weight, codes. */
static void
test_judge(void)
{
	static const unsigned long codes[] = { 0x7f000002UL, 0x7f000004UL,
	    0x7f00000aUL };
	char line[] = "dnsbl L /x 127.0.0.2=3:T_TWO "
	    "127.0.0.[2..4]=1.5:T_LOW 127.0.0.10=-1:T_TEN 127.0.0.11:T_NONE";
	struct dnsbl_list *l = list(line);
	struct listres_chain ch;
	struct dnsbl_class c;
	struct listres r;

	memset(&r, 0, sizeof(r));
	listres_chain_init(&ch);
	T(l != NULL && listres_begin(&ch, &r, "L", "dnsbl", "192.0.2.7",
	    DNSBL_FROM, 1) == 0, "begin");
	if (l == NULL)
		return;
	T(dnsbl_classify_codes(l, codes, 3, &c) == DNSBL_LISTED, "listed");
	listres_judge(&r, l, &c, "txt here", 8);
	T(r.nres == 3, "three filters matched: %zu", r.nres);
	T(r.nres == 3 && strcmp(r.res[0].test, "T_TWO") == 0 &&
	    r.res[0].weight == 3 && strcmp(r.res[0].answer, "127.0.0.2") ==
	    0, "T_TWO: %s", r.nres ? r.res[0].answer : "");
	T(r.nres == 3 && strcmp(r.res[1].test, "T_LOW") == 0 &&
	    r.res[1].weight == 1.5 && strcmp(r.res[1].answer,
	    "127.0.0.2,127.0.0.4") == 0, "T_LOW: %s", r.nres > 1 ?
	    r.res[1].answer : "");
	T(r.nres == 3 && strcmp(r.res[2].test, "T_TEN") == 0 &&
	    r.res[2].weight == -1 && r.res[2].txtlen == 8 &&
	    memcmp(r.res[2].txt, "txt here", 8) == 0 && r.res[2].source ==
	    DNSBL_FROM && r.res[2].has_weight && strcmp(r.res[2].subject,
	    "192.0.2.7") == 0 && strcmp(r.res[2].label, "L") == 0,
	    "T_TEN with TXT, source, subject, label");
	listres_clear(&r);
	T(r.nres == 0 && r.res == NULL, "cleared");
	/* a listing without TXT points at none */
	listres_judge(&r, l, &c, "", 0);
	T(r.nres == 3 && r.res[0].txt == NULL && r.res[0].txtlen == 0,
	    "no TXT");
	listres_clear(&r);
	dnsbl_list_free(l);
}

/* Clean and error: one result, the label as test, the class's answer. */
static void
test_clean_error(void)
{
	struct listres_chain ch;
	struct dnsbl_class c;
	struct listres r;

	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	listres_chain_init(&ch);
	(void)listres_begin(&ch, &r, "reverse DNS", "rdns", "192.0.2.7", 0,
	    0);
	c.verdict = DNSBL_ERROR;
	snprintf(c.answer, sizeof(c.answer), "127.255.255.254");
	listres_judge(&r, NULL, &c, NULL, 0);
	T(r.nres == 1 && r.res[0].verdict == DNSBL_ERROR &&
	    strcmp(r.res[0].test, "reverse DNS") == 0 && !r.res[0].has_weight &&
	    strcmp(r.res[0].answer, "127.255.255.254") == 0 &&
	    strcmp(r.res[0].kind, "rdns") == 0, "error");
	c.verdict = DNSBL_CLEAN;
	c.answer[0] = '\0';
	listres_judge(&r, NULL, &c, NULL, 0);
	T(r.nres == 2 && r.res[1].verdict == DNSBL_CLEAN &&
	    r.res[1].answer[0] == '\0', "clean");
	T(listres_add(&r, DNSBL_LISTED, "RDNS_NONE", NULL) != NULL &&
	    strcmp(r.res[2].test, "RDNS_NONE") == 0 && r.res[2].answer[0] ==
	    '\0', "a named test, no answer");
	while (listres_add(&r, DNSBL_CLEAN, NULL, "x") != NULL)
		;
	T(r.nres == DNSBL_MAXFILTERS + 1, "capped at %zu", r.nres);
	listres_clear(&r);
}

/* Codes as text: the ones of the mask, whole codes only. */
static void
test_codes(void)
{
	struct dnsbl_class c;
	char buf[64];
	int i;

	memset(&c, 0, sizeof(c));
	c.naddr = 5;
	for (i = 0; i < 5; i++)
		c.addr[i] = 0x7f000000UL | (unsigned long)(100 + i);
	listres_codes(&c, 0x15, buf, sizeof(buf));
	T(strcmp(buf, "127.0.0.100,127.0.0.102,127.0.0.104") == 0, "%s", buf);
	listres_codes(&c, 0, buf, sizeof(buf));
	T(buf[0] == '\0', "none");
	listres_codes(&c, 0x1f, buf, 30);
	T(strcmp(buf, "127.0.0.100,127.0.0.101") == 0, "cut: %s", buf);
	listres_codes(&c, 0x1f, buf, 12);
	T(strcmp(buf, "127.0.0.100") == 0, "exactly one fits: %s", buf);
	listres_codes(&c, 0x1f, buf, 11);
	T(buf[0] == '\0', "none fits: %s", buf);
}

/* The walk is in the order checks started, whatever order they end. */
static void
test_chain(void)
{
	struct listres_chain ch;
	struct listres a, b, c;
	char long_[300];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	listres_chain_init(&ch);
	T(listres_count(&ch) == 0 && listres_get(&ch, 0) == NULL, "empty");
	(void)listres_begin(&ch, &a, "A", "rhsbl", "a.example", DNSBL_FROM,
	    1);
	(void)listres_begin(&ch, &b, "B", "dnsbl", "192.0.2.1", 0, 1);
	memset(long_, 'x', sizeof(long_) - 1);
	long_[sizeof(long_) - 1] = '\0';
	T(listres_begin(&ch, &c, "C", "rhsbl", long_, 0, 1) == -1 &&
	    errno == ENAMETOOLONG, "subject too long");
	(void)listres_add(&b, DNSBL_CLEAN, NULL, NULL);
	(void)listres_add(&a, DNSBL_LISTED, "T1", "127.0.0.2");
	(void)listres_add(&a, DNSBL_LISTED, "T2", "127.0.0.2");
	T(listres_count(&ch) == 3, "three");
	T(listres_get(&ch, 0) != NULL && strcmp(listres_get(&ch, 0)->test,
	    "T1") == 0 && strcmp(listres_get(&ch, 2)->test, "B") == 0 &&
	    listres_get(&ch, 3) == NULL, "start order");
	listres_source(&a, DNSBL_SENDER);
	T(a.res[0].source == (DNSBL_FROM | DNSBL_SENDER) && a.res[1].source ==
	    (DNSBL_FROM | DNSBL_SENDER) && b.res[0].source == 0,
	    "source added to every result of a");
	listres_clear(&a);
	listres_clear(&b);
}

int
main(void)
{
	test_dns_equals_local();
	test_judge();
	test_clean_error();
	test_codes();
	test_chain();
	return t_done();
}

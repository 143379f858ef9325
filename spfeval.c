/*
 * spfeval.c - one SPF evaluation (spfeval.h): check_host() of RFC 7208
 * §4-§5 as a state machine.  Each step either ends synchronously (all,
 * ip4, ip6, a cached answer still comes through a callback) or sends its
 * queries through auth_query() and returns; the callbacks resume it.  The
 * state is fixed in size: a stack of SPF_DEPTH records (the top one,
 * then one per include; redirect replaces a record), the names of the
 * one mx or ptr in progress.  Any temperror or permerror anywhere ends
 * the whole evaluation (§5.2, §6.1).  When a record arrives, the records
 * and names its terms will need (without macros) are asked for at once
 * (prefetch): their answers wait in dns.c's cache, so the wall time is
 * about the depth of the include chain in round trips.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "dns.h"
#include "msg.h"
#include "spfeval.h"
#include "spfrec.h"

#define SPF_ADDRS_MAX	64	/* addresses of one answer compared */
#define SPF_TRACE_MAX	400	/* bytes of a record in a trace line */

enum state { ST_IDLE, ST_REC, ST_A, ST_MX, ST_MXADDR, ST_PTR, ST_PTRADDR };

struct spf_slot {
	struct spf_eval	*e;
	unsigned	 i;
};

struct spf_frame {
	char		 domain[DNS_NAMEMAX];
	char		 rec[SPF_TXT_MAX + 1];
	size_t		 len, pos;
	int		 have;		/* the record is in */
	int		 redirected;	/* reached by redirect= */
	int		 include;	/* an include's target */
	int		 in_term;	/* t is being evaluated */
	int		 counted;	/* t was counted against the limit */
	struct spf_term	 t;		/* the term in progress (in rec) */
	const char	*redir;		/* redirect= value in rec */
	size_t		 redirlen;
};

struct spf_eval {
	struct msg	*m;
	FILE		*trace;
	struct spf_macro_in in;
	char		 local[AUTH_ADDR];
	char		 domain[DNS_NAMEMAX];
	char		 helo[DNS_NAMEMAX];
	char		 pname[DNS_NAMEMAX];
	int		 pstate;	/* %{p}: 0 unasked, 1 asking, 2 known */
	int		 pfor;		/* the PTR walk is for %{p} */
	unsigned	 uses, terms, voids, queries, prefetched;
	int		 done, wait, matched, dnserr;
	enum state	 state;
	enum auth_res	 res;
	char		 reason[AUTH_REASON];
	size_t		 depth;
	struct spf_frame f[SPF_DEPTH];
	char		 target[DNS_NAMEMAX];
	char		 names[SPF_NAMES_MAX][DNS_NAMEMAX];
	size_t		 nnames;
	unsigned char	 valid[SPF_NAMES_MAX];
	struct spf_slot	 slot[SPF_NAMES_MAX];
	struct spf_slot	 pre;		/* prefetches' callback argument */
};

static void	run(struct spf_eval *);
static void	answer(void *, int, const unsigned char *, int);

/* ---- trace and result ---------------------------------------------- */

static void
tr_bytes(FILE *fp, const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i < SPF_TRACE_MAX; i++)
		putc((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] <
		    0x7f ? s[i] : '?', fp);
	if (n > SPF_TRACE_MAX)
		fputs("...", fp);
}

/* "spf: TERM -> what" for the term in progress. */
static void
tr_term(struct spf_eval *e, const struct spf_term *t, const char *what)
{
	if (e->trace == NULL)
		return;
	fputs("spf: ", e->trace);
	tr_bytes(e->trace, t->text, t->len);
	fprintf(e->trace, " -> %s\n", what);
}

static void
finish(struct spf_eval *e, enum auth_res r, const char *fmt, ...)
{
	va_list	ap;

	if (e->done)
		return;
	e->done = 1;
	e->res = r;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	if (e->trace != NULL)
		fprintf(e->trace, "spf: result %s (%s; %u DNS terms, %u void "
		    "lookups, %u queries)\n", auth_res_text(r), e->reason,
		    e->terms, e->voids, e->queries);
}

static enum auth_res
qual_res(char q)
{
	return q == '-' ? AUTH_FAIL : q == '~' ? AUTH_SOFTFAIL : q == '?' ?
	    AUTH_NEUTRAL : AUTH_PASS;
}

/* ---- asking -------------------------------------------------------- */

/* A name DNS can carry: labels of 1..63 bytes, at most 253 in all. */
static int
name_ok(const char *s)
{
	size_t	n = strlen(s), i, l = 0;

	if (n == 0 || n > SPF_DOMAIN_MAX)
		return 0;
	for (i = 0; i <= n; i++, l++)
		if (i == n || s[i] == '.') {
			if (l == 0 || l > 63)
				return 0;
			l = (size_t)-1;
		}
	return 1;
}

/* Ask for name/type, the answer to slot i; -1: finished (temperror). */
static int
ask(struct spf_eval *e, unsigned i, const char *name, int type)
{
	e->queries++;
	if (auth_query(e->m, name, type, answer, &e->slot[i]) == -1) {
		finish(e, AUTH_TEMPERROR, errno == EDQUOT ?
		    "authentication query cap reached" : "DNS unavailable");
		return -1;
	}
	e->wait++;
	return 0;
}

static void
prefetched(void *arg, int status, const unsigned char *a, int alen)
{
	(void)arg;
	(void)status;
	(void)a;
	(void)alen;
}

static void
prefetch_one(struct spf_eval *e, const char *name, int type)
{
	if (e->prefetched >= SPF_PREFETCH_MAX ||
	    e->m->auth.queries >= SPF_PREFETCH_ROOM || !name_ok(name))
		return;
	if (auth_query(e->m, name, type, prefetched, &e->pre) == 0) {
		e->prefetched++;
		e->queries++;
	}
}

/*
 * The record of frame fr is in: ask now for what its terms will need
 * and that no macro hides (include and redirect records, the names of
 * a, mx and exists), so a later ask joins or hits the cache.
 */
static void
prefetch(struct spf_eval *e, const struct spf_frame *fr)
{
	struct spf_term	t;
	char		name[DNS_NAMEMAX];
	size_t		pos = 6;
	int		addr = e->in.ip.family == 6 ? DNS_T_AAAA : DNS_T_A;

	while (spf_term_next(fr->rec, fr->len, &pos, &t) == 1) {
		if (t.spec != NULL && (memchr(t.spec, '%', t.speclen) != NULL ||
		    t.speclen >= sizeof(name)))
			continue;
		if (t.spec != NULL) {
			memcpy(name, t.spec, t.speclen);
			name[t.speclen] = '\0';
		} else
			snprintf(name, sizeof(name), "%s", fr->domain);
		if (t.kind == SPF_INCLUDE || t.kind == SPF_REDIRECT)
			prefetch_one(e, name, DNS_T_TXT);
		else if (t.kind == SPF_A)
			prefetch_one(e, name, addr);
		else if (t.kind == SPF_MX)
			prefetch_one(e, name, DNS_T_MX);
		else if (t.kind == SPF_EXISTS)
			prefetch_one(e, name, DNS_T_A);
	}
}

/* ---- records and frames -------------------------------------------- */

static struct spf_frame *
top(const struct spf_eval *e)
{
	return (struct spf_frame *)&e->f[e->depth - 1];
}

/* Fetch the record of the top frame. */
static void
fetch(struct spf_eval *e)
{
	struct spf_frame *fr = top(e);

	if (!name_ok(fr->domain)) {
		if (e->depth == 1 && !fr->redirected)
			finish(e, AUTH_NONE, "malformed domain");
		else
			finish(e, AUTH_PERMERROR, "%s to a malformed domain",
			    fr->redirected ? "redirect" : "include");
		return;
	}
	e->state = ST_REC;
	ask(e, 0, fr->domain, DNS_T_TXT);
}

/* The top frame has no record (NXDOMAIN, NODATA, no v=spf1). */
static void
no_record(struct spf_eval *e)
{
	struct spf_frame *fr = top(e);

	if (e->trace != NULL)
		fprintf(e->trace, "spf: %s TXT -> no SPF record\n",
		    fr->domain);
	if (e->depth == 1 && !fr->redirected)
		finish(e, AUTH_NONE, "no SPF record");
	else
		finish(e, AUTH_PERMERROR, "%s target has no SPF record",
		    fr->redirected ? "redirect" : "include");
}

static void
got_record(struct spf_eval *e, int status, const unsigned char *a,
    int alen)
{
	struct spf_frame *fr = top(e);
	const char	 *bad;
	unsigned	  uses = 0;
	int		  r;

	if (dns_class(status) == DNS_C_ERROR) {
		finish(e, AUTH_TEMPERROR, "SPF record lookup: %s",
		    dns_status_text(status));
		return;
	}
	if (dns_class(status) == DNS_C_NONE ||
	    (r = spf_select(a, alen, fr->rec, sizeof(fr->rec), &fr->len)) ==
	    0) {
		no_record(e);
		return;
	}
	if (r < 0) {
		if (r == -3)
			finish(e, AUTH_TEMPERROR, "malformed TXT answer");
		else
			finish(e, AUTH_PERMERROR, r == -1 ?
			    "more than one SPF record" :
			    "SPF record over %d bytes", SPF_TXT_MAX);
		return;
	}
	if (e->trace != NULL) {
		fprintf(e->trace, "spf: %s TXT -> ", fr->domain);
		tr_bytes(e->trace, fr->rec, fr->len);
		putc('\n', e->trace);
	}
	if (spf_record_check(fr->rec, fr->len, &uses, &bad) != 0) {
		if (e->trace != NULL && bad != NULL) {
			fputs("spf: syntax error at ", e->trace);
			tr_bytes(e->trace, bad, strcspn(bad, " "));
			putc('\n', e->trace);
		}
		finish(e, AUTH_PERMERROR, "syntax error in SPF record");
		return;
	}
	fr->have = 1;
	fr->pos = 6;
	prefetch(e, fr);
}

/* Start a new frame (include) or replace the top one (redirect). */
static void
push(struct spf_eval *e, const char *domain, int redirect)
{
	struct spf_frame *fr;

	if (!redirect) {
		if (e->depth == SPF_DEPTH) {
			finish(e, AUTH_PERMERROR, "includes nested too deep");
			return;
		}
		e->depth++;
	}
	fr = top(e);
	if (redirect)
		fr->redirected = 1;
	else {
		fr->redirected = 0;
		fr->include = 1;
	}
	snprintf(fr->domain, sizeof(fr->domain), "%s", domain);
	fr->have = 0;
	fr->in_term = 0;
	fr->redir = NULL;
	fetch(e);
}

/* The top frame's record ended in r: pop it into its include term. */
static void
frame_result(struct spf_eval *e, enum auth_res r, const char *why)
{
	struct spf_frame *fr;

	if (e->depth == 1) {
		finish(e, r, "%s", why);
		return;
	}
	e->depth--;
	fr = top(e);
	tr_term(e, &fr->t, auth_res_text(r));
	fr->in_term = 0;
	if (r == AUTH_PASS)
		frame_result(e, qual_res(fr->t.qual), fr->t.qual == '+' ?
		    "mechanism include matched" : fr->t.qual == '-' ?
		    "mechanism -include matched" : fr->t.qual == '~' ?
		    "mechanism ~include matched" :
		    "mechanism ?include matched");
}

/* ---- terms --------------------------------------------------------- */

/* The term in progress matched: its record's result is its qualifier. */
static void
matched(struct spf_eval *e)
{
	struct spf_frame *fr = top(e);
	char		  why[AUTH_REASON];

	tr_term(e, &fr->t, "match");
	snprintf(why, sizeof(why), "mechanism %s%s matched", fr->t.qual ==
	    '+' ? "" : (char[]){ fr->t.qual, '\0' },
	    spf_kind_name(fr->t.kind));
	fr->in_term = 0;
	frame_result(e, qual_res(fr->t.qual), why);
}

static void
no_match(struct spf_eval *e)
{
	struct spf_frame *fr = top(e);

	tr_term(e, &fr->t, "no match");
	fr->in_term = 0;
}

/* A lookup that answered nothing (§4.6.4): -1 past the limit. */
static int
void_lookup(struct spf_eval *e)
{
	if (++e->voids > SPF_VOID_MAX) {
		finish(e, AUTH_PERMERROR, "more than %d void lookups",
		    SPF_VOID_MAX);
		return -1;
	}
	return 0;
}

/* The target of a term: its domain-spec expanded, or the domain. */
static int
target(struct spf_eval *e, const char *spec, size_t n)
{
	struct spf_frame *fr = top(e);

	e->in.cur = fr->domain;
	e->in.ptr = e->pstate == 2 ? e->pname : NULL;
	if (spec == NULL) {
		snprintf(e->target, sizeof(e->target), "%s", fr->domain);
		return 0;
	}
	spf_macro_check(spec, n, 0, &e->uses);
	if (spf_expand(&e->in, spec, n, 0, e->target, sizeof(e->target)) <
	    0) {
		finish(e, AUTH_PERMERROR, "macro expansion failed");
		return -1;
	}
	return 0;
}

/* The reverse name of the client (RFC 1035 §3.5, RFC 3596 §2.5). */
static void
reverse_name(const struct ipaddr *ip, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t	i, k = 0;

	if (ip->family == 4) {
		snprintf(out, cap, "%u.%u.%u.%u.in-addr.arpa", ip->a[3],
		    ip->a[2], ip->a[1], ip->a[0]);
		return;
	}
	for (i = 32; i > 0 && k + 4 < cap; i--) {
		out[k++] = hex[(ip->a[(i - 1) / 2] >> ((i - 1) % 2 ? 0 : 4)) &
		    15];
		out[k++] = '.';
	}
	snprintf(out + k, cap - k, "ip6.arpa");
}

/* Start the PTR walk (ptr mechanism, or %{p} when pfor). */
static void
ptr_walk(struct spf_eval *e, int pfor)
{
	char	rev[DNS_NAMEMAX];

	reverse_name(&e->in.ip, rev, sizeof(rev));
	e->pfor = pfor;
	if (pfor)
		e->pstate = 1;
	e->state = ST_PTR;
	ask(e, 0, rev, DNS_T_PTR);
}

/* Send the queries of a DNS-asking term (counted already). */
static void
dns_term(struct spf_eval *e, const struct spf_term *t)
{
	int	addr = e->in.ip.family == 6 ? DNS_T_AAAA : DNS_T_A;

	if (t->kind == SPF_INCLUDE) {
		push(e, e->target, 0);
		return;
	}
	if (t->kind == SPF_PTR) {
		ptr_walk(e, 0);
		return;
	}
	if (!name_ok(e->target)) {	/* it cannot exist: a void lookup */
		if (void_lookup(e) == 0)
			no_match(e);
		return;
	}
	e->state = t->kind == SPF_MX ? ST_MX : ST_A;
	ask(e, 0, e->target, t->kind == SPF_MX ? DNS_T_MX :
	    t->kind == SPF_EXISTS ? DNS_T_A : addr);
}

/* Evaluate the term in progress of the top frame. */
static void
term(struct spf_eval *e)
{
	struct spf_frame *fr = top(e);
	struct spf_term	 *t = &fr->t;
	unsigned	  uses = 0;

	if (t->kind == SPF_ALL || (t->kind == SPF_IP4 &&
	    spf_net_match(&e->in.ip, t->net, 4, t->cidr4)) ||
	    (t->kind == SPF_IP6 &&
	    spf_net_match(&e->in.ip, t->net, 6, t->cidr6))) {
		matched(e);
		return;
	}
	if (t->kind == SPF_IP4 || t->kind == SPF_IP6) {
		no_match(e);
		return;
	}
	if (t->spec != NULL)
		spf_macro_check(t->spec, t->speclen, 0, &uses);
	if ((uses & SPF_USES('p')) && e->pstate != 2) {
		ptr_walk(e, 1);		/* %{p} first, then this term */
		return;
	}
	if (!fr->counted && ++e->terms > SPF_TERMS_MAX) {
		finish(e, AUTH_PERMERROR, "more than %d DNS-querying terms",
		    SPF_TERMS_MAX);
		return;
	}
	fr->counted = 1;
	if (target(e, t->spec, t->speclen) == 0)
		dns_term(e, t);
}

/* The record of the top frame has no more terms. */
static void
record_end(struct spf_eval *e)
{
	struct spf_frame *fr = top(e);
	struct spf_term	  t;
	unsigned	  uses = 0;

	if (fr->redir == NULL) {
		frame_result(e, AUTH_NEUTRAL, "no mechanism matched");
		return;
	}
	spf_macro_check(fr->redir, fr->redirlen, 0, &uses);
	if ((uses & SPF_USES('p')) && e->pstate != 2) {
		ptr_walk(e, 1);
		return;
	}
	if (++e->terms > SPF_TERMS_MAX) {
		finish(e, AUTH_PERMERROR, "more than %d DNS-querying terms",
		    SPF_TERMS_MAX);
		return;
	}
	if (target(e, fr->redir, fr->redirlen) == -1)
		return;
	memset(&t, 0, sizeof(t));
	t.text = fr->redir - 9;
	t.len = fr->redirlen + 9;
	tr_term(e, &t, e->target);
	push(e, e->target, 1);
}

/* Run until the evaluation waits for an answer or is over. */
static void
run(struct spf_eval *e)
{
	struct spf_frame *fr;
	int		  r;

	while (!e->done && e->wait == 0) {
		e->state = ST_IDLE;
		fr = top(e);
		if (!fr->have) {
			fetch(e);
			continue;
		}
		if (!fr->in_term) {
			r = spf_term_next(fr->rec, fr->len, &fr->pos, &fr->t);
			if (r <= 0) {
				record_end(e);
				continue;
			}
			if (fr->t.kind == SPF_REDIRECT) {
				fr->redir = fr->t.spec;
				fr->redirlen = fr->t.speclen;
			}
			if (fr->t.kind >= SPF_REDIRECT)
				continue;
			fr->in_term = 1;
			fr->counted = 0;
		}
		term(e);
	}
}

/* ---- answers ------------------------------------------------------- */

/* Does an A/AAAA answer hold an address in ip/bits?  -1 malformed. */
static int
addr_match(const struct spf_eval *e, const unsigned char *a, int alen,
    int family, unsigned bits, int *count)
{
	unsigned char	addrs[SPF_ADDRS_MAX * 16];
	int		n, i, w = family == 4 ? 4 : 16;

	if ((n = dns_addrs(a, alen, family, addrs, SPF_ADDRS_MAX)) < 0)
		return -1;
	*count = n;
	for (i = 0; i < n; i++)
		if (spf_net_match(&e->in.ip, addrs + i * w, family, bits))
			return 1;
	return 0;
}

/* a and exists: one answer. */
static void
got_a(struct spf_eval *e, int status, const unsigned char *a, int alen)
{
	struct spf_term	*t = &top(e)->t;
	int		 fam = t->kind == SPF_EXISTS ? 4 : e->in.ip.family;
	int		 n = 0, r;

	if (dns_class(status) == DNS_C_ERROR) {
		finish(e, AUTH_TEMPERROR, "%s lookup: %s",
		    spf_kind_name(t->kind), dns_status_text(status));
		return;
	}
	r = dns_class(status) == DNS_C_DATA ? addr_match(e, a, alen, fam,
	    t->kind == SPF_EXISTS ? 0 : fam == 4 ? t->cidr4 : t->cidr6, &n) : 0;
	if (r < 0) {
		finish(e, AUTH_TEMPERROR, "malformed answer");
		return;
	}
	if (n == 0 && void_lookup(e) == -1)
		return;
	if (r == 1 || (t->kind == SPF_EXISTS && n > 0))	/* §5.7: any A */
		matched(e);
	else
		no_match(e);
}

/* The names of an MX or PTR answer into e->names; -1 malformed. */
static int
names_of(struct spf_eval *e, const unsigned char *a, int alen, int type,
    size_t *all)
{
	struct dns_rr	rr;
	int		r, n;

	e->nnames = 0;
	*all = 0;
	memset(&rr, 0, sizeof(rr));
	while ((r = dns_rr(a, alen, &rr)) == 1) {
		if (rr.type != type || (type == DNS_T_MX && rr.len < 3))
			continue;
		(*all)++;
		if (e->nnames == SPF_NAMES_MAX)
			continue;
		n = dns_name(a, alen, rr.off + (type == DNS_T_MX ? 2 : 0),
		    e->names[e->nnames], DNS_NAMEMAX);
		if (n < 0)
			return -1;
		if (n >= DNS_NAMEMAX)
			continue;
		e->valid[e->nnames++] = 0;
	}
	return r;
}

/* MX or PTR answer: ask for every name's addresses at once. */
static void
got_names(struct spf_eval *e, int status, const unsigned char *a, int alen)
{
	int	mx = e->state == ST_MX, addr = e->in.ip.family == 6 ?
		    DNS_T_AAAA : DNS_T_A;
	size_t	i, all = 0;

	e->nnames = 0;
	if (dns_class(status) == DNS_C_ERROR) {
		finish(e, AUTH_TEMPERROR, "%s lookup: %s", mx ? "mx" :
		    "ptr", dns_status_text(status));
		return;
	}
	if (dns_class(status) == DNS_C_DATA &&
	    names_of(e, a, alen, mx ? DNS_T_MX : DNS_T_PTR, &all) < 0) {
		finish(e, AUTH_TEMPERROR, "malformed answer");
		return;
	}
	if (mx && all > SPF_NAMES_MAX) {
		finish(e, AUTH_PERMERROR, "more than %d MX names",
		    SPF_NAMES_MAX);
		return;
	}
	if (all == 0 && void_lookup(e) == -1)
		return;
	e->state = mx ? ST_MXADDR : ST_PTRADDR;
	e->matched = 0;
	e->dnserr = 0;
	for (i = 0; i < e->nnames && !e->done; i++)
		if (e->names[i][0] != '\0' && name_ok(e->names[i]))
			ask(e, (unsigned)i, e->names[i], addr);
}

/* One name's addresses (mx, ptr). */
static void
got_addr(struct spf_eval *e, unsigned i, int status, const unsigned char *a,
    int alen)
{
	struct spf_term	*t = &top(e)->t;
	int		 fam = e->in.ip.family, n = 0, r;

	if (dns_class(status) == DNS_C_ERROR) {
		e->dnserr = status;	/* mx: temperror; ptr: skip (§5.5) */
		return;
	}
	r = dns_class(status) == DNS_C_DATA ? addr_match(e, a, alen, fam,
	    e->state == ST_PTRADDR ? (fam == 4 ? 32 : 128) : fam == 4 ?
	    t->cidr4 : t->cidr6, &n) : 0;
	if (n == 0)
		void_lookup(e);
	if (r == 1) {
		e->matched = 1;
		e->valid[i] = 1;
	}
}

/* Is name a or a subdomain of dom?  (case-insensitive, §5.5) */
static int
under(const char *name, const char *dom)
{
	size_t	n = strlen(name), d = strlen(dom);

	if (n == d)
		return strcasecmp(name, dom) == 0;
	return n > d && name[n - d - 1] == '.' && strcasecmp(name + n - d,
	    dom) == 0;
}

/* %{p} (§7.3): the domain itself, else a name under it, else any. */
static const char *
p_pick(const struct spf_eval *e)
{
	const char	*dom = top(e)->domain, *any = NULL, *sub = NULL;
	size_t		 i;

	for (i = 0; i < e->nnames; i++) {
		if (!e->valid[i])
			continue;
		if (strcasecmp(e->names[i], dom) == 0)
			return e->names[i];
		if (sub == NULL && under(e->names[i], dom))
			sub = e->names[i];
		if (any == NULL)
			any = e->names[i];
	}
	return sub != NULL ? sub : any != NULL ? any : "unknown";
}

/* Every address of an mx or ptr is in: decide. */
static void
names_done(struct spf_eval *e)
{
	size_t	i;

	if (e->state == ST_MXADDR) {
		if (e->dnserr && !e->matched)
			finish(e, AUTH_TEMPERROR, "mx address lookup: %s",
			    dns_status_text(e->dnserr));
		else if (e->matched)
			matched(e);
		else
			no_match(e);
		return;
	}
	if (e->pfor) {			/* §7.3: d, then under d, then any */
		e->pstate = 2;
		snprintf(e->pname, sizeof(e->pname), "%s", p_pick(e));
		return;
	}
	for (i = 0; i < e->nnames; i++)
		if (e->valid[i] && under(e->names[i], e->target)) {
			matched(e);
			return;
		}
	no_match(e);
}

static void
answer(void *arg, int status, const unsigned char *a, int alen)
{
	struct spf_slot	*s = arg;
	struct spf_eval	*e = s->e;

	e->wait--;
	if (e->done)
		return;
	if (e->state == ST_REC)
		got_record(e, status, a, alen);
	else if (e->state == ST_A)
		got_a(e, status, a, alen);
	else if (e->state == ST_MX || e->state == ST_PTR) {
		if (e->state == ST_PTR && dns_class(status) == DNS_C_ERROR)
			status = DNS_NODATA;	/* §5.5: no match */
		got_names(e, status, a, alen);
		if (e->wait == 0 && !e->done)
			names_done(e);
	} else if (e->state == ST_MXADDR || e->state == ST_PTRADDR) {
		got_addr(e, s->i, status, a, alen);
		if (e->wait == 0 && !e->done)
			names_done(e);
	}
	if (e->wait == 0)
		run(e);
}

/* ---- the interface ------------------------------------------------- */

/*
 * check_host(m->ip, domain, local@domain), helo for %{h}, steps into
 * trace.  NULL only with errno ENOMEM; otherwise the result may be final
 * at once (a malformed domain, no client address).
 */
struct spf_eval *
spf_eval_start(struct msg *m, const char *local, const char *domain,
    const char *helo, FILE *trace)
{
	struct spf_eval	*e;
	size_t		 i;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->m = m;
	e->trace = trace;
	for (i = 0; i < SPF_NAMES_MAX; i++) {
		e->slot[i].e = e;
		e->slot[i].i = (unsigned)i;
	}
	e->pre.e = e;
	snprintf(e->local, sizeof(e->local), "%s", local && *local ? local :
	    "postmaster");
	snprintf(e->domain, sizeof(e->domain), "%s", domain ? domain : "");
	snprintf(e->helo, sizeof(e->helo), "%s", helo ? helo : "");
	e->in.local = e->local;
	e->in.domain = e->domain;
	e->in.helo = e->helo;
	e->in.ip = m->ip;
	e->in.now = m->now;
	e->depth = 1;
	snprintf(e->f[0].domain, sizeof(e->f[0].domain), "%s", e->domain);
	if (e->in.ip.family == 0)
		finish(e, AUTH_NONE, "no client address");
	else if (!name_ok(e->domain) || strchr(e->domain, '.') == NULL)
		finish(e, AUTH_NONE, "malformed domain");
	else
		run(e);
	return e;
}

/* 1 when the result is final. */
int
spf_eval_done(const struct spf_eval *e)
{
	return e->done;
}

/* The result (temperror while not final) and its reason. */
enum auth_res
spf_eval_res(const struct spf_eval *e, const char **reason)
{
	if (!e->done) {
		*reason = "no answer before the deadline";
		return AUTH_TEMPERROR;
	}
	*reason = e->reason;
	return e->res;
}

/* The macro letters the evaluated terms used (SPF_USES bits). */
unsigned
spf_eval_uses(const struct spf_eval *e)
{
	return e->uses;
}

/* DNS queries asked, prefetches included. */
unsigned
spf_eval_queries(const struct spf_eval *e)
{
	return e->queries;
}

/* Cancel every callback still due to e, free it.  NULL is fine. */
void
spf_eval_free(struct spf_eval *e)
{
	struct dns	*d;
	size_t		 i;

	if (e == NULL)
		return;
	if (e->m->dns != NULL && (d = e->m->dns) != NULL) {
		for (i = 0; i < SPF_NAMES_MAX; i++)
			dns_cancel(d, &e->slot[i]);
		dns_cancel(d, &e->pre);
	}
	free(e);
}

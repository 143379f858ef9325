/*
 * unit_authres.c - Authentication-Results: the incoming ones under our
 * authserv-id stripped by the header filter (every chunking), others
 * kept; the header qqtag writes from m->auth, hostile values left out;
 * the authserv-id rules.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "authres.h"
#include "headers.h"
#include "msg.h"
#include "unit.h"

#define ID	"mx.example.org"

static struct hdr_names names;

static int
emit(void *ctx, const char *p, size_t n)
{
	return buf_append(ctx, p, n);
}

static int
hop_word(const char *v, size_t n)
{
	return memmem(v, n, "hop", 3) != NULL;
}

/* Filter in (n bytes) chunk bytes at a time; the count stripped. */
static size_t
filt(const char *in, size_t n, size_t chunk, struct buf *out, int hop)
{
	struct hdr_filter	f;
	size_t			i, k, s;

	hdr_filter_init(&f, &names);
	hdr_filter_authserv(&f, ID);
	if (hop)
		hdr_filter_trust_hop(&f, hop_word);
	for (i = 0; i < n; i += k) {
		k = chunk && chunk < n - i ? chunk : n - i;
		hdr_filter_feed(&f, in + i, k, emit, out);
	}
	hdr_filter_end(&f, emit, out);
	s = f.nstripped;
	hdr_filter_free(&f);
	return s;
}

/* in gives want with nstrip fields stripped, in every chunking. */
static void
expectn(const char *what, const char *in, size_t n, const char *want,
    size_t nstrip, int hop)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 64, 1000 };
	struct buf	 a;
	size_t		 i, s, wn = strlen(want);

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		buf_init(&a, 0);
		s = filt(in, n, chunks[i], &a, hop);
		T(a.len == wn && (wn == 0 || memcmp(a.p, want, wn) == 0) &&
		    s == nstrip, "%s (chunk %zu): got [%.*s] (%zu stripped)",
		    what, chunks[i], (int)a.len, a.p ? a.p : "", s);
		buf_free(&a);
	}
}

static void
expect(const char *what, const char *in, const char *want, size_t nstrip)
{
	expectn(what, in, strlen(in), want, nstrip, 0);
}

#define TAIL	"From: a@b.example\n\nbody\n"

static void
test_strip(void)
{
	expect("ours", "Authentication-Results: " ID "; dkim=pass\n" TAIL,
	    TAIL, 1);
	expect("ours, other case", "authentication-results: MX.Example.ORG;"
	    " spf=pass\n" TAIL, TAIL, 1);
	expect("ours with a version", "Authentication-Results: " ID " 1; "
	    "spf=pass\n" TAIL, TAIL, 1);
	expect("ours, folded", "Authentication-Results:\n " ID ";\n\tdkim="
	    "pass header.d=bank.example\n" TAIL, TAIL, 1);
	expect("ours behind comments", "Authentication-Results: (a (nested)"
	    " \\) one) " ID ";\n dmarc=pass\n" TAIL, TAIL, 1);
	expect("ours quoted", "Authentication-Results: \"" ID "\"; spf=pass\n"
	    TAIL, TAIL, 1);
	expect("ours with a CR inside (maildrop drops it)",
	    "Authentication-Results: mx.exa\rmple.org; spf=pass\n" TAIL,
	    TAIL, 1);
	expect("ours, no space", "Authentication-Results:" ID ";spf=pass\n"
	    TAIL, TAIL, 1);
	expect("ours twice around a kept one",
	    "Authentication-Results: " ID "; a=pass\nAuthentication-Results: "
	    "other.example; spf=pass\nAuthentication-Results: " ID
	    "; b=pass\n" TAIL, "Authentication-Results: other.example; "
	    "spf=pass\n" TAIL, 2);
	expect("fold before the colon (procmail joins it)",
	    "Authentication-Results\n : " ID "; spf=pass\n" TAIL, TAIL, 1);
	expectn("NUL as the colon (sieve, maildrop)",
	    "Authentication-Results\0 " ID "; spf=pass\n" TAIL,
	    strlen("Authentication-Results") + 1 + strlen(" " ID
	    "; spf=pass\n" TAIL), TAIL, 1, 0);
	expect("after a bare CR (Python starts a field)",
	    "Subject: x\rAuthentication-Results: other.example; y\n" TAIL,
	    TAIL, 1);
	expect("no LF at the end", "Authentication-Results: " ID, "", 1);
}

static void
test_keep(void)
{
	expect("another server's", "Authentication-Results: other.example; "
	    "spf=pass\n\tdkim=pass\n" TAIL, "Authentication-Results: "
	    "other.example; spf=pass\n\tdkim=pass\n" TAIL, 0);
	expect("ours as a prefix", "Authentication-Results: " ID ".evil; "
	    "x=y\n" TAIL, "Authentication-Results: " ID ".evil; x=y\n" TAIL,
	    0);
	expect("a prefix of ours", "Authentication-Results: mx.example.or; "
	    "x=y\n" TAIL, "Authentication-Results: mx.example.or; x=y\n"
	    TAIL, 0);
	expect("an empty one", "Authentication-Results:\n" TAIL,
	    "Authentication-Results:\n" TAIL, 0);
	expect("only a comment, then the next field",
	    "Authentication-Results: (x)\n  (y)\nSubject: s\n" TAIL,
	    "Authentication-Results: (x)\n  (y)\nSubject: s\n" TAIL, 0);
	expect("another name", "Authentication-Results-X: " ID "; y\n" TAIL,
	    "Authentication-Results-X: " ID "; y\n" TAIL, 0);
	expect("in the body", TAIL "Authentication-Results: " ID "; y\n",
	    TAIL "Authentication-Results: " ID "; y\n", 0);
	expect("no LF at the end, another id", "Authentication-Results: x.y",
	    "Authentication-Results: x.y", 0);
	expectn("above a trusted hop's line",
	    "Received: from ours\nAuthentication-Results: " ID "; spf=pass\n"
	    "Received: from hop\nAuthentication-Results: " ID "; x=y\n" TAIL,
	    strlen("Received: from ours\nAuthentication-Results: " ID
	    "; spf=pass\nReceived: from hop\nAuthentication-Results: " ID
	    "; x=y\n" TAIL), "Received: from ours\nAuthentication-Results: "
	    ID "; spf=pass\nReceived: from hop\n" TAIL, 1, 1);
}

/* Past the hold: an id not known by then is forged, a known one kept. */
static void
test_long(void)
{
	char	in[4096], want[4096];
	size_t	n;

	n = (size_t)snprintf(in, sizeof(in), "Authentication-Results: (");
	memset(in + n, 'c', 1100);
	n += 1100;
	n += (size_t)snprintf(in + n, sizeof(in) - n, ") other.example; x\n"
	    TAIL);
	expectn("1100 bytes of comment before the id", in, n, TAIL, 1, 0);
	n = (size_t)snprintf(in, sizeof(in), "Authentication-Results: "
	    "other.example; x=");
	memset(in + n, 'v', 2000);
	n += 2000;
	n += (size_t)snprintf(in + n, sizeof(in) - n, "\n\tmore\n" TAIL);
	memcpy(want, in, n + 1);
	expectn("another server's, 2000 bytes long", in, n, want, 0, 0);
}

static void
ar(struct msg *m, const char *want)
{
	struct buf	o;

	buf_init(&o, 0);
	T(authres_write(m, ID, &o) == 0, "written");
	T(o.len == strlen(want) && memcmp(o.p, want, o.len) == 0,
	    "got [%.*s]\nwant [%s]", (int)o.len, o.p ? o.p : "", want);
	buf_free(&o);
}

static void
test_write(void)
{
	struct msg	 m;
	struct auth_dkim_sig *g;

	memset(&m, 0, sizeof(m));
	ar(&m, "Authentication-Results: " ID "; none\n");
	m.auth.spf.res = AUTH_PASS;
	snprintf(m.auth.spf.identity, AUTH_ADDR, "user@example.com");
	m.auth.dkim.n = 1;
	g = &m.auth.dkim.sig[0];
	g->res = AUTH_FAIL;
	snprintf(g->d, sizeof(g->d), "example.com");
	snprintf(g->s, sizeof(g->s), "sel");
	snprintf(g->a, sizeof(g->a), "rsa-sha256");
	snprintf(g->b, sizeof(g->b), "AbC+/9xY");
	snprintf(g->reason, sizeof(g->reason), "body hash mismatch");
	m.auth.dmarc.res = AUTH_FAIL;
	snprintf(m.auth.dmarc.from, sizeof(m.auth.dmarc.from), "example.com");
	snprintf(m.auth.dmarc.policy, sizeof(m.auth.dmarc.policy), "reject");
	m.auth.iprev = AUTH_PASS;
	snprintf(m.auth.iprev_name, sizeof(m.auth.iprev_name), "mail.x.net");
	ipaddr_parses("192.0.2.1", &m.ip);
	ar(&m, "Authentication-Results: " ID "; spf=pass\n"
	    "\tsmtp.mailfrom=user@example.com; dkim=fail (body hash mismatch)"
	    "\n\theader.d=example.com header.s=sel header.a=rsa-sha256 "
	    "header.b=AbC+/9xY;\n\tdmarc=fail (p=reject) header.from="
	    "example.com; iprev=pass\n\tpolicy.iprev=192.0.2.1 (mail.x.net)\n");
	/* what the sender controls cannot end a value or a comment */
	memset(&m.auth, 0, sizeof(m.auth));
	m.auth.spf.res = AUTH_FAIL;
	snprintf(m.auth.spf.identity, AUTH_ADDR, "a;dkim=pass@ok.example");
	snprintf(m.auth.spf.reason, AUTH_REASON, "x) dkim=pass (y\\");
	m.auth.dkim.n = 1;
	g = &m.auth.dkim.sig[0];
	g->res = AUTH_PASS;
	snprintf(g->d, sizeof(g->d), "a;b.example");
	snprintf(g->s, sizeof(g->s), "s el");
	snprintf(g->b, sizeof(g->b), "a=b;");
	ar(&m, "Authentication-Results: " ID "; spf=fail (x? dkim=pass ?y?)\n"
	    "\tsmtp.mailfrom=ok.example; dkim=pass\n");
	memset(&m.auth, 0, sizeof(m.auth));
	m.auth.spf.res = AUTH_NONE;
	m.auth.spf.helo = 1;
	snprintf(m.auth.spf.identity, AUTH_ADDR, "postmaster@helo.example");
	ar(&m, "Authentication-Results: " ID "; spf=none "
	    "smtp.helo=helo.example\n");
}

static void
test_ids(void)
{
	char	id[AUTHRES_ID_MAX + 1];

	T(authres_id_valid(ID), "a host name");
	T(authres_id_valid("a_b-c.d"), "underscore and hyphen");
	T(!authres_id_valid(""), "empty");
	T(!authres_id_valid("a;b"), "semicolon");
	T(!authres_id_valid("a b"), "space");
	T(!authres_id_valid(".a"), "leading dot");
	T(!authres_id_valid("a..b"), "empty label");
	T(!authres_id_valid(NULL), "none");
	authres_default_id(id, sizeof(id));
	T(authres_id_valid(id), "the default is valid: [%s]", id);
}

static void
nop(void *arg, int status, const unsigned char *abuf, int alen)
{
	(void)arg;
	(void)status;
	(void)abuf;
	(void)alen;
}

/* "NAME on|off", default on, anything else refused with its usage. */
static void
test_conf(void)
{
	char	*on[] = { "spf", "on" }, *off[] = { "dkim", "off" };
	char	*bad[] = { "spf", "maybe" }, *two[] = { "dmarc", "on", "x" };
	char	 err[100];
	struct auth_conf *c = auth_conf_new();

	T(c != NULL && c->on == 1, "on by default");
	if (c == NULL)
		return;
	T(auth_conf_line(c, 2, off, err, sizeof(err)) == 0 && c->on == 0,
	    "off");
	T(auth_conf_line(c, 2, on, err, sizeof(err)) == 0 && c->on == 1,
	    "on");
	T(auth_conf_line(c, 2, bad, err, sizeof(err)) == -1 && c->on == 1 &&
	    strcmp(err, "usage: spf on|off") == 0, "maybe refused: %s", err);
	T(auth_conf_line(c, 3, two, err, sizeof(err)) == -1 &&
	    strcmp(err, "usage: dmarc on|off") == 0, "two words: %s", err);
	free(c);
}

/* Past AUTH_QUERIES_MAX nothing is asked (no DNS service is even made). */
static void
test_cap(void)
{
	struct msg	m;

	memset(&m, 0, sizeof(m));
	m.auth.queries = AUTH_QUERIES_MAX;
	errno = 0;
	T(auth_query(&m, "example.com", DNS_T_TXT, nop, NULL) == -1 &&
	    errno == EDQUOT, "refused at the cap: errno %d", errno);
	T(m.auth.queries == AUTH_QUERIES_MAX && m.dns == NULL,
	    "nothing counted, no service made: %u", m.auth.queries);
	T(strcmp(auth_res_text(AUTH_TEMPERROR), "temperror") == 0 &&
	    strcmp(auth_res_text(AUTH_UNSET), "none") == 0 &&
	    strcmp(auth_res_text((enum auth_res)99), "none") == 0,
	    "result names");
}

int
main(void)
{
	hdr_names_add(&names, "X-Spam-Flag");
	hdr_names_add(&names, "X-Qqtag");
	hdr_names_add(&names, "X-Qqtag-*");
	test_strip();
	test_keep();
	test_long();
	test_write();
	test_ids();
	test_cap();
	test_conf();
	return t_done();
}

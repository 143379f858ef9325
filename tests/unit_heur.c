/*
 * unit_heur.c - the heuristics: every test positive and negative on
 * real-looking headers, every Received-line form for heur_helo() and
 * heur_hop_ip(), the date, address, msg-id and name parsers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "envelope.h"
#include "heur.h"
#include "unit.h"

/* Fri, 27 Nov 2026 01:40:22 +0000 */
#define NOW	((time_t)1795743622)
#define CLIENT	"198.51.100.7"

/* qmail-smtpd's line for a client that said HELO h (NULL: as HOST). */
#define QMAIL(host, helo)						\
	"Received: from " host " " helo "(" CLIENT ")\n"		\
	"  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n"

/* What Thunderbird sends, as it reaches us. */
#define GOOD_HDRS							\
	"Message-ID: <6f1c2a0e-3d4b-4c1e-9a2b-7e5f0d1c2b3a@example.net>\n" \
	"Date: Fri, 27 Nov 2026 02:39:58 +0100\n"			\
	"MIME-Version: 1.0\n"						\
	"User-Agent: Mozilla Thunderbird\n"				\
	"Content-Language: en-US\n"					\
	"To: Bob Example <bob@example.org>\n"				\
	"From: Alice Example <alice@example.net>\n"			\
	"Subject: Minutes of Thursday's meeting\n"			\
	"Content-Type: text/plain; charset=UTF-8; format=flowed\n"	\
	"Content-Transfer-Encoding: 7bit\n"

#define GOOD	QMAIL("mail.example.net", "") GOOD_HDRS "\n"

static struct heur_hit	hits[HEUR_MAX];
static size_t		nhits;
static struct msg_hdrs	msg;
static struct env	env;
static const char *const locals[] = { "mx.example.org", "example.org",
    NULL };

static void
ctx_default(struct heur_ctx *c)
{
	heur_ctx_init(c);
	c->ip = CLIENT;
	c->localip = "192.0.2.25";
	c->rdns = "mail.example.net";
	c->ptr = "mail.example.net";
	c->local = locals;
	c->nlocal = 2;
	c->env = &env;
	c->now = NOW;
}

/* An envelope: sender, then recipients up to NULL. */
static void
mkenv(const char *sender, ...)
{
	static char	 b[16384];
	const char	*r;
	size_t		 n = 0;
	va_list		 ap;

	env_free(&env);
	env_init(&env);
	b[n++] = 'F';
	memcpy(b + n, sender, strlen(sender) + 1);
	n += strlen(sender) + 1;
	va_start(ap, sender);
	while ((r = va_arg(ap, const char *)) != NULL) {
		b[n++] = 'T';
		memcpy(b + n, r, strlen(r) + 1);
		n += strlen(r) + 1;
	}
	va_end(ap);
	b[n++] = '\0';
	env_feed(&env, b, n);
}

static void
mkenv_n(unsigned long k)
{
	static char	b[65536];
	size_t		n = 0;
	unsigned long	i;

	env_free(&env);
	env_init(&env);
	n += (size_t)snprintf(b + n, sizeof(b) - n, "Falice@example.net");
	b[n++] = '\0';
	for (i = 0; i < k; i++) {
		n += (size_t)snprintf(b + n, sizeof(b) - n,
		    "Tu%lu@example.org", i);
		b[n++] = '\0';
	}
	b[n++] = '\0';
	env_feed(&env, b, n);
}

static void
runc(const char *hdr, const struct heur_ctx *c)
{
	msg_hdrs_parse(hdr, strlen(hdr), 0, &msg);
	nhits = heur_run(&msg, c, hits, HEUR_MAX);
}

static void
run(const char *hdr)
{
	struct heur_ctx	c;

	ctx_default(&c);
	runc(hdr, &c);
}

static int
fired(const char *name)
{
	size_t	i;

	for (i = 0; i < nhits; i++)
		if (strcmp(hits[i].test->name, name) == 0)
			return 1;
	return 0;
}

static const char *
list(void)
{
	static char	b[1024];
	size_t		i, n = 0;

	b[0] = '\0';
	for (i = 0; i < nhits && n < sizeof(b) - 100; i++)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "%s(%s) ",
		    hits[i].test->name, hits[i].detail);
	return nhits ? b : "nothing";
}

/* Fires exactly the tests named (space-separated), nothing else. */
static int
exactly(const char *names)
{
	char		 w[64];
	const char	*p = names, *e;
	size_t		 k = 0;

	while (*p != '\0') {
		if (*p == ' ') {
			p++;
			continue;
		}
		if ((e = strchr(p, ' ')) == NULL)
			e = p + strlen(p);
		snprintf(w, sizeof(w), "%.*s", (int)(e - p), p);
		if (!fired(w))
			return 0;
		k++;
		p = e;
	}
	return k == nhits;
}

/* heur_parse on a string literal (NULs inside count). */
#define PARSE(lit) msg_hdrs_parse(lit, sizeof(lit) - 1, 0, &msg)

#define ONLY(hdr, names) do {						\
	run(hdr);							\
	T(exactly(names), "%s: want [%s], got %s", #hdr, names, list()); \
} while (0)

static void
t_table(void)
{
	size_t	i, j;

	T(heur_ntests <= HEUR_MAX, "HEUR_MAX %d < %zu", HEUR_MAX, heur_ntests);
	for (i = 0; i < heur_ntests; i++) {
		const char *n = heur_tests[i].name;

		T(heur_tests[i].weight > 0 && heur_tests[i].weight <= 2,
		    "%s weight", n);
		T(strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
		    strlen(n), "%s name", n);
		T(heur_tests[i].what && strlen(heur_tests[i].what) < 70,
		    "%s what", n);
		for (j = 0; j < i; j++)
			T(strcmp(n, heur_tests[j].name) != 0, "dup %s", n);
	}
}

/* The well-formed message fires nothing, whatever we know. */
static void
t_clean(void)
{
	struct heur_ctx	c;

	mkenv("alice@example.net", "bob@example.org", NULL);
	ONLY(GOOD, "");
	ctx_default(&c);
	c.rdns = c.ptr = NULL;
	runc(GOOD, &c);
	T(nhits == 0, "no rDNS: %s", list());
	T(strcmp(heur_helo(&msg), "mail.example.net") == 0, "helo %s",
	    heur_helo(&msg));
	T(strcmp(msg_from_domain(&msg), "example.net") == 0, "from domain");
	T(heur_hop_ip(&msg) == NULL, "no hop");
	T(msg.rfc.date_ok && msg.rfc.date == NOW - 24, "date %lld",
	    (long long)msg.rfc.date);
	T(msg.rcvd.top_date_ok && msg.rcvd.top_date == NOW, "received date");
}

static void
t_helo(void)
{
	struct heur_ctx	c;

	mkenv("alice@example.net", "bob@example.org", NULL);
	/* address literals and bare IPs */
	ONLY(QMAIL("unknown", "(HELO 198.51.100.7) ") GOOD_HDRS "\n",
	    "RCVD_NUMERIC_HELO");
	ONLY(QMAIL("unknown", "(HELO 203.0.113.5) ") GOOD_HDRS "\n",
	    "RCVD_NUMERIC_HELO HELO_IP_MISMATCH");
	ONLY(QMAIL("unknown", "(HELO [198.51.100.7]) ") GOOD_HDRS "\n", "");
	ONLY(QMAIL("unknown", "(HELO ?198.51.100.7?) ") GOOD_HDRS "\n", "");
	ONLY(QMAIL("unknown", "(HELO [203.0.113.5]) ") GOOD_HDRS "\n",
	    "HELO_IP_MISMATCH");
	ONLY(QMAIL("unknown", "(HELO ?203.0.113.5?) ") GOOD_HDRS "\n",
	    "HELO_IP_MISMATCH");
	ONLY(QMAIL("unknown", "(HELO [IPv6:2001:db8::5]) ") GOOD_HDRS "\n",
	    "HELO_IP_MISMATCH");
	ONLY(QMAIL("unknown", "(HELO [192.0.2.25]) ") GOOD_HDRS "\n",
	    "HELO_CLAIMS_LOCAL");
	/* not fully qualified */
	ONLY(QMAIL("unknown", "(HELO localhost) ") GOOD_HDRS "\n",
	    "HELO_NOT_FQDN");
	ONLY(QMAIL("unknown", "(HELO localhost.localdomain) ") GOOD_HDRS
	    "\n", "HELO_NOT_FQDN");
	ONLY(QMAIL("unknown", "(HELO WIN-7QK2PLM3R4) ") GOOD_HDRS "\n",
	    "HELO_NOT_FQDN");
	ONLY(QMAIL("unknown", "(HELO host.123) ") GOOD_HDRS "\n",
	    "HELO_NOT_FQDN");
	ONLY(QMAIL("unknown", "(HELO mail.example.net?) ") GOOD_HDRS "\n",
	    "HELO_NOT_FQDN");
	ONLY(QMAIL("unknown", "(HELO ) ") GOOD_HDRS "\n", "HELO_NOT_FQDN");
	ONLY(QMAIL("unknown", "") GOOD_HDRS "\n", "HELO_NOT_FQDN");
	ONLY(QMAIL("unknown", "(HELO mail.example.net) ") GOOD_HDRS "\n", "");
	ONLY(QMAIL("unknown", "(HELO mail.example.net.) ") GOOD_HDRS "\n", "");
	ONLY(QMAIL("unknown", "(HELO mail_1.example.net) ") GOOD_HDRS "\n",
	    "");
	/* dom_norm's rule (issue 11): no '-' at a label's edge, 63 bytes */
	ONLY(QMAIL("unknown", "(HELO -mail.example.net) ") GOOD_HDRS "\n",
	    "HELO_NOT_FQDN");
	ONLY(QMAIL("unknown", "(HELO mail-.example.net) ") GOOD_HDRS "\n",
	    "HELO_NOT_FQDN");
	ONLY(QMAIL("unknown", "(HELO a-1.example.net) ") GOOD_HDRS "\n",
	    "");
	/* claims to be us */
	ONLY(QMAIL("unknown", "(HELO mx.example.org) ") GOOD_HDRS "\n",
	    "HELO_CLAIMS_LOCAL");
	ONLY(QMAIL("unknown", "(HELO MX.Example.ORG.) ") GOOD_HDRS "\n",
	    "HELO_CLAIMS_LOCAL");
	ONLY(QMAIL("unknown", "(HELO mx2.example.org) ") GOOD_HDRS "\n",
	    "HELO_RDNS_MISMATCH");
	ctx_default(&c);
	c.nlocal = 0;		/* the list ends at its NULL */
	runc(QMAIL("unknown", "(HELO example.org) ") GOOD_HDRS "\n", &c);
	T(exactly("HELO_CLAIMS_LOCAL"), "NULL-ended local names: %s", list());
	c.nlocal = 1;		/* only the first name */
	runc(QMAIL("unknown", "(HELO example.org) ") GOOD_HDRS "\n", &c);
	T(exactly("HELO_RDNS_MISMATCH"), "nlocal 1: %s", list());
	/* against the rDNS: registered domains compared loosely */
	ONLY(QMAIL("mail.example.net", "(HELO mx.example.net) ") GOOD_HDRS
	    "\n", "");
	ONLY(QMAIL("mail.example.net", "(HELO smtp.other.example) ")
	    GOOD_HDRS "\n", "HELO_RDNS_MISMATCH");
	ctx_default(&c);
	c.rdns = "out.example.co.uk";
	runc(QMAIL("out.example.co.uk", "(HELO mx.example.co.uk) ")
	    GOOD_HDRS "\n", &c);
	T(nhits == 0, "co.uk same: %s", list());
	runc(QMAIL("out.example.co.uk", "(HELO mx.other.co.uk) ")
	    GOOD_HDRS "\n", &c);
	T(exactly("HELO_RDNS_MISMATCH"), "co.uk other: %s", list());
	c.rdns = NULL;		/* unknown rDNS: no comparison */
	runc(QMAIL("unknown", "(HELO smtp.other.example) ") GOOD_HDRS "\n",
	    &c);
	T(nhits == 0, "no rDNS, no mismatch: %s", list());
	/* HELO with the client's IP in it */
	c.rdns = "198-51-100-7.dyn.example.net";
	c.ptr = c.rdns;
	runc(QMAIL("198-51-100-7.dyn.example.net", "") GOOD_HDRS "\n", &c);
	T(exactly("HELO_DYNAMIC_IPADDR RDNS_DYNAMIC"), "dynamic helo: %s",
	    list());
	/* an authenticated client's HELO is its laptop's business */
	ctx_default(&c);
	runc("Received: from unknown (HELO [192.168.1.5]) (alice@"
	    CLIENT ")\n  by mx.example.org with ESMTPA; 27 Nov 2026 "
	    "01:40:22 -0000\n" GOOD_HDRS "\n", &c);
	T(nhits == 0, "ESMTPA: %s", list());
	/* no client IP known: the IP comparisons cannot fire */
	c.ip = NULL;
	runc(QMAIL("unknown", "(HELO [203.0.113.5]) ") GOOD_HDRS "\n", &c);
	T(nhits == 0, "no client ip: %s", list());
	/* groups can be switched off */
	ctx_default(&c);
	c.tests = HEUR_T_HEADERS;
	runc(QMAIL("unknown", "(HELO localhost) ") GOOD_HDRS "\n", &c);
	T(nhits == 0, "HELO group off: %s", list());
}

static void
t_dynamic(void)
{
	static const struct {
		const char	*name, *ip;
		int		 want;
	} f[] = {
		{ "203-0-113-7.example.net", "203.0.113.7", 1 },
		{ "host-7-113-0-203.example.net", "203.0.113.7", 1 },
		{ "dhcp.203.0.113.7.isp.example", "203.0.113.7", 1 },
		{ "c-203-0-113-7.hsd1.ca.comcast.example", "203.0.113.7", 1 },
		{ "ip203000113007.example.net", "203.0.113.7", 1 },
		{ "007113000203.example.net", "203.0.113.7", 1 },
		{ "CB007107.Example.NET.", "203.0.113.7", 1 },
		{ "d203-0-113-7.example.co.uk", "203.0.113.7", 1 },
		{ "203_000_113_007.example.net", "203.0.113.7", 1 },
		{ "ec2-203-0-113-7.compute-1.amazonaws.example", "203.0.113.7",
		  1 },
		{ "ppp-94-66-12-34.example.net", "203.0.113.7", 2 },
		{ "adsl-5-6.example.net", "203.0.113.7", 2 },
		{ "pool-71-191-12-34.washdc.fios.example.net", NULL, 2 },
		{ "host123.example.net", "203.0.113.7", 2 },
		{ "ip-5-6.example.net", "203.0.113.7", 2 },
		{ "dynamic-adsl-78-12-34-56.clienti.example.it", NULL, 2 },
		{ "cpe-74-73-125-20.nyc.res.rr.example", NULL, 2 },
		{ "mail.example.net", "203.0.113.7", 0 },
		{ "host.example.net", "203.0.113.7", 0 },
		{ "dynamic.example.net", "203.0.113.7", 0 },
		{ "mail-203-0-113-7.example.net", "203.0.113.7", 0 },
		{ "203-0-113-7.static.example.net", "203.0.113.7", 0 },
		{ "static-203-0-113-7.dsl.example.net", "203.0.113.7", 0 },
		{ "mx1.example.net", "203.0.113.7", 0 },
		{ "smtp-out-7.example.com", "203.0.113.7", 0 },
		{ "66-220-155-179.mail-mail.facebook.example", "66.220.155.179",
		  0 },
		{ "a8-30.smtp-out.amazonses.example", "203.0.113.7", 0 },
		{ "mail-wr1-f54.google.example", "203.0.113.7", 0 },
		{ "o1.ptr2674.example.com", "203.0.113.7", 0 },
		{ "203-0-113-8.example.net", "203.0.113.7", 0 },
		{ "203-0-113.example.net", "203.0.113.7", 0 },
		{ "example.net", "203.0.113.7", 0 },
		{ "203-0-113-7.net", "203.0.113.7", 0 },
		{ "dsl-1.example.net", "2001:db8::1", 2 },
		{ "", "203.0.113.7", 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		T(heur_dynamic(f[i].name, f[i].ip, 1) == f[i].want,
		    "dynamic %s: %d", f[i].name,
		    heur_dynamic(f[i].name, f[i].ip, 1));
	T(heur_dynamic("ppp-94-66-12-34.example.net", NULL, 0) == 0,
	    "words off");
	T(heur_dynamic(NULL, NULL, 1) == 0, "NULL");
}

static void
t_rdns(void)
{
	struct heur_ctx	c;

	mkenv("alice@example.net", "bob@example.org", NULL);
	ctx_default(&c);
	c.rdns = c.ptr = "dsl-198-51-100-7.pool.example.net";
	runc(QMAIL("dsl-198-51-100-7.pool.example.net", "") GOOD_HDRS "\n",
	    &c);
	T(fired("RDNS_DYNAMIC"), "rdns dynamic: %s", list());
	c.rdns = NULL;
	c.ptr = "pool-1-2-3-4.isp.example";
	runc(GOOD, &c);
	T(exactly("RDNS_DYNAMIC"), "unconfirmed PTR: %s", list());
	c.ptr = NULL;
	runc(GOOD, &c);
	T(nhits == 0, "no rDNS: %s", list());
	c.rdns = c.ptr = "smtp7.mail.example.net";
	runc(QMAIL("smtp7.mail.example.net", "") GOOD_HDRS "\n", &c);
	T(nhits == 0, "mail server: %s", list());
}

static void
t_regdom(void)
{
	static const char *const f[][2] = {
		{ "mail.example.com", "example.com" },
		{ "example.com", "example.com" },
		{ "com", "com" },
		{ "a.b.example.co.uk", "example.co.uk" },
		{ "example.co.uk", "example.co.uk" },
		{ "co.uk", "co.uk" },
		{ "mail.abc.de", "abc.de" },
		{ "x.example.com.au", "example.com.au" },
		{ "mx.example.co", "example.co" },
		{ "", "" },
	};
	size_t	i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		T(strcmp(heur_regdom(f[i][0]), f[i][1]) == 0, "regdom %s: %s",
		    f[i][0], heur_regdom(f[i][0]));
}

static void
t_envelope(void)
{
	struct heur_ctx	c;

	mkenv("alice@example.net", "bob%other.example@example.org", NULL);
	ONLY(GOOD, "RCPT_RELAY_PROBE");
	mkenv("alice@example.net", "bob@example.org",
	    "other.example!bob@example.org", NULL);
	ONLY(GOOD, "RCPT_RELAY_PROBE");
	mkenv("alice@example.net", "bob@other.example@example.org", NULL);
	ONLY(GOOD, "RCPT_RELAY_PROBE");
	mkenv("alice@example.net", "bob+list@example.org", "postmaster",
	    NULL);
	ONLY(GOOD, "");
	mkenv_n(51);
	ONLY(GOOD, "RCPT_MANY");
	mkenv_n(50);
	ONLY(GOOD, "");
	ctx_default(&c);
	c.maxrcpt = 0;
	mkenv_n(500);
	runc(GOOD, &c);
	T(nhits == 0, "maxrcpt 0 is off: %s", list());
	mkenv("", "bob@example.org", NULL);
	ONLY(GOOD, "");
	mkenv("#@[]", "bob@example.org", NULL);
	ONLY(GOOD, "");
	mkenv("alice", "bob@example.org", NULL);
	ONLY(GOOD, "SENDER_NO_DOMAIN");
	mkenv("alice@localhost", "bob@example.org", NULL);
	ONLY(GOOD, "SENDER_NOT_FQDN");
	mkenv("alice@example", "bob@example.org", NULL);
	ONLY(GOOD, "SENDER_NOT_FQDN");
	mkenv("alice@", "bob@example.org", NULL);
	ONLY(GOOD, "SENDER_NOT_FQDN");
	mkenv("alice@[192.0.2.1]", "bob@example.org", NULL);
	ONLY(GOOD, "");
	mkenv("bounces+123-abc=example.org@mail.example.net",
	    "bob@example.org", NULL);
	ONLY(GOOD, "");
	ctx_default(&c);
	c.env = NULL;
	runc(GOOD, &c);
	T(nhits == 0, "no envelope: %s", list());
}

static void
t_from(void)
{
	mkenv("alice@example.net", "bob@example.org", NULL);
	ONLY(QMAIL("mail.example.net", "") "Date: Fri, 27 Nov 2026 01:40:00 "
	    "+0000\nMessage-ID: <1@example.net>\nTo: bob@example.org\n\n",
	    "MISSING_FROM");
	ONLY(QMAIL("mail.example.net", "") GOOD_HDRS
	    "From: Mallory <mallory@example.net>\n\n", "FROM_MULTIPLE");
	/* the parseable and unparseable forms: unit_rfc5322.c t_from */
	ONLY(QMAIL("mail.example.net", "") "Date: Fri, 27 Nov 2026 01:40:00 "
	    "+0000\nMessage-ID: <1@example.net>\nTo: bob@example.org\n"
	    "From: Alice\n\n", "FROM_UNPARSEABLE");
	T(msg_from_domain(&msg) == NULL, "unparseable: no RHSBL domain");
	PARSE("From: a@b.example, junk\n\n");
	T(!msg.rfc.from_ok && msg_from_domain(&msg) == NULL,
	    "junk after a mailbox: no RHSBL domain");
	PARSE("From: Alice <alice@Example.NET.>\n\n");
	T(msg_from_domain(&msg) && strcmp(msg_from_domain(&msg),
	    "example.net") == 0, "RHSBL domain lowercased, no dot");
	PARSE("From: <alice@[192.0.2.1]>\n\n");
	T(msg_from_domain(&msg) == NULL, "literal: no RHSBL domain");
	PARSE("From: alice@localhost\n\n");
	T(msg_from_domain(&msg) == NULL, "no dot: no RHSBL domain");
	/* obs-fws before the colon, any case */
	PARSE("fROM   : a@b.example\n\n");
	T(msg.rfc.nfrom == 1 && msg.rfc.from_ok, "fROM   :");
}

#define SPOOF(from) QMAIL("mail.example.net", "")			\
	"Date: Fri, 27 Nov 2026 01:40:00 +0000\n"			\
	"Message-ID: <1@mail.example.net>\nTo: bob@example.org\n"	\
	"From: " from "\n\n"

/*
 * FROM_DISPLAY_SPOOF fires on an address in the display name whose
 * registered domain is not the real address's (issue 10); a display
 * name that mentions a site is a brand, not a spoof.
 */
static void
t_spoof(void)
{
	static const char *const yes[] = {
		"\"marty66@aol.com\" <synjan@ecis.com>",
		"\"support@bank.example\" <a@b.example>",
		"=?utf-8?q?service=40paypal=2Ecom?= <x@evil.example>",
		"=?utf-8?b?c2VjdXJpdHlAYmFuay5leGFtcGxl?= <x@evil.example>",
		"\"Bank <alerts@bank.example>\" <x@evil.example>",
		"x@evil.example (security@bank.example)",
		"\"Mail from service@paypal.com.\" <x@evil.example>",
		"\"Info@Bank.Example\" <x@evil.example>",
		"\"a.b+c@mail.bank.example\" <x@evil.example>",
	};
	static const char *const no[] = {
		/* brand names with a dot (issue 10's newsletters) */
		"\"CNET News.com Daily Dispatch\" "
		    "<dispatch@newsletter.online.com>",
		"\"Comics.com\" <comics@comics.unitedmedia.com>",
		"\"paypal.com\" <x@evil.example>",
		"PayPal.com Service <x@evil.example>",
		"\"RankMyPix.com\" <paco@s3.serveimage.com>",
		"=?utf-8?q?Comics=2Ecom?= <x@unitedmedia.example>",
		"\"Amazon.co.uk\" <auto-confirm@amazon.co.uk>",
		"\"Booking.com\" <noreply@mailer.booking.com>",
		/* the address itself, or one in the same registered domain */
		"\"john@x.example\" <john@x.example>",
		"\"JOHN@X.EXAMPLE\" <john@x.example>",
		"\"info@mail.example.com\" <bounce@example.com>",
		"\"ufu_adv@heller.example\" <fla_adv@heller.example>",
		"=?utf-8?q?john=40x=2Eexample?= <john@x.example>",
		/* no address: "at" words, no local part, no dotted domain */
		"\"user at bank.example\" <x@evil.example>",
		"\"user (at) bank.example\" <x@evil.example>",
		"\"@bank.example\" <x@evil.example>",
		"\"Sales @ bank.example\" <x@evil.example>",
		"\"hyatt@mozilla\" <rssfeeds@spamassassin.example>",
		"\"x@192.0.2.1\" <x@evil.example>",
		/* a list's DMARC rewrite (Google Groups, Mailman) */
		"\"'alice@example.net' via Dev\" <dev@lists.example.org>",
		"\"alice@example.net via dev\" <dev@lists.example.org>",
		/* plain names */
		"\"John Smith\" <john@x.example>",
		"\"Dr. J. Smith\" <j@x.example>",
		"\"Smith, J.R.\" <j@x.example>",
		"\"Node.js Foundation\" <x@nodejs.example>",
		"John X. Doe <bbb@ddd.example>",
		"bbb@ddd.example (John X. Doe)",
		"\"Version 2.0 release\" <x@y.example>",
		"\"St.Louis office\" <x@y.example>",
		"\"a@b.example\" <x@[192.0.2.1]>",
	};
	char	hdr[1024];
	size_t	i;

	mkenv("x@evil.example", "bob@example.org", NULL);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(hdr, sizeof(hdr), SPOOF("%s"), yes[i]);
		run(hdr);
		T(exactly("FROM_DISPLAY_SPOOF"), "spoof %zu: %s: got %s", i,
		    yes[i], list());
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(hdr, sizeof(hdr), SPOOF("%s"), no[i]);
		run(hdr);
		T(msg.rfc.from_ok && msg.rfc.from_display[0] != '\0' &&
		    !fired("FROM_DISPLAY_SPOOF"), "no spoof %zu: %s [%s]", i,
		    no[i], msg.rfc.from_display);
	}
	ONLY(SPOOF("<x@[192.0.2.1]>"), "FROM_BRKTS_NO_NAME");
	ONLY(SPOOF("x@[192.0.2.1]"), "");
	ONLY(SPOOF("\"marty66@aol.com\" <synjan@ecis.com>"),
	    "FROM_DISPLAY_SPOOF");
	T(nhits == 1 && strcmp(hits[0].detail, "display holds @aol.com") == 0,
	    "spoof detail: %s", nhits ? hits[0].detail : "");
}

#define DATED(d) QMAIL("mail.example.net", "")				\
	"Message-ID: <1@mail.example.net>\nTo: bob@example.org\n"	\
	"From: alice@example.net\nDate: " d "\n\n"

static void
t_date(void)
{
	/* the parser's forms: unit_rfc5322.c t_date */
	mkenv("alice@example.net", "bob@example.org", NULL);
	ONLY(QMAIL("mail.example.net", "") "From: alice@example.net\n"
	    "Message-ID: <1@example.net>\nTo: bob@example.org\n\n",
	    "MISSING_DATE");
	ONLY(DATED("Mon Jul  1 10:52:37 2003"), "INVALID_DATE");
	ONLY(DATED("Fri, 27 Nov 2026 01:40:22 -1900"), "INVALID_DATE");
	ONLY(DATED("Fri, 27 Nov 0102 01:40:22 +0000"), "INVALID_DATE");
	ONLY(DATED("Fri, 27 Nov 2026 15:40:22 +1400"), "");
	ONLY(DATED("Sun, 29 Nov 2026 01:40:22 +0000"), "DATE_IN_FUTURE");
	ONLY(DATED("Sat, 28 Nov 2026 01:00:00 +0000"), "");
	ONLY(DATED("Mon, 16 Nov 2026 01:40:00 +0000"), "DATE_IN_PAST");
	ONLY(DATED("Wed, 18 Nov 2026 01:40:00 +0000"), "");
	ONLY(DATED("Thu, 01 Jan 1970 00:00:00 +0000"), "DATE_IN_PAST");
	ONLY(DATED("Fri, 31 Dec 2037 23:59:59 +0000"), "DATE_IN_FUTURE");
	{
		struct heur_ctx	c;

		ctx_default(&c);
		c.now = 0;
		runc(DATED("Thu, 01 Jan 1970 00:00:00 +0000"), &c);
		T(nhits == 0, "now unknown: %s", list());
		ctx_default(&c);
		c.date_past = -1;
		c.date_future = -1;
		runc(DATED("Thu, 01 Jan 1970 00:00:00 +0000"), &c);
		T(nhits == 0, "window off: %s", list());
		runc(DATED("Fri, 31 Dec 2037 23:59:59 +0000"), &c);
		T(nhits == 0, "window off: %s", list());
	}
}

#define MIDED(m) QMAIL("mail.example.net", "")				\
	"From: alice@example.net\nTo: bob@example.org\n"		\
	"Date: Fri, 27 Nov 2026 01:40:00 +0000\n" m "\n"

static void
t_msgid(void)
{
	mkenv("alice@example.net", "bob@example.org", NULL);
	ONLY(MIDED(""), "MISSING_MID");
	ONLY(MIDED("Message-ID: <abc@def>\n"), "");
	ONLY(MIDED("Message-Id:   <abc.123$x%y@mail.example.net> (c)\n"), "");
	ONLY(MIDED("Message-ID: (c) <v0421010eb70653b14e06@[208.192.102.193]>"
	    "\n"), "");
	ONLY(MIDED("Message-ID: <\"a b\"@example.net>\n"), "");
	ONLY(MIDED("Message-ID:\n <CAKx3+zQ=abc_def-1@mail.gmail.example>\n"),
	    "");
	ONLY(MIDED("Message-ID: abc@def\n"), "INVALID_MSGID");
	ONLY(MIDED("Message-ID: <abc>\n"), "INVALID_MSGID");
	ONLY(MIDED("Message-ID: <@def>\n"), "INVALID_MSGID");
	ONLY(MIDED("Message-ID: <abc@>\n"), "INVALID_MSGID");
	ONLY(MIDED("Message-ID: <a b@c>\n"), "INVALID_MSGID");
	ONLY(MIDED("Message-ID: <abc@def> junk\n"), "INVALID_MSGID");
	ONLY(MIDED("Message-ID: <abc@def><ghi@jkl>\n"), "INVALID_MSGID");
	ONLY(MIDED("Message-ID: <abc@def>\nMessage-ID: <ghi@jkl>\n"),
	    "INVALID_MSGID");
	ONLY(MIDED("Message-ID: <caf\xc3\xa9@def>\n"),
	    "INVALID_MSGID HEADER_8BIT");
	ONLY(MIDED("Message-ID: \n"), "INVALID_MSGID");
}

static void
t_8bit_to(void)
{
	struct heur_ctx	c;

	mkenv("alice@example.net", "bob@example.org", NULL);
	ONLY(QMAIL("mail.example.net", "") GOOD_HDRS "Subject: caf\xc3\xa9\n\n",
	    "HEADER_8BIT");
	ONLY(QMAIL("mail.example.net", "") GOOD_HDRS
	    "Subject: =?UTF-8?Q?caf=C3=A9?=\n\n", "");
	/* To missing or undisclosed, with many envelope recipients */
#define UND(to) QMAIL("mail.example.net", "")				\
	"From: Alice <alice@example.net>\n"				\
	"Date: Fri, 27 Nov 2026 01:40:00 +0000\n"			\
	"Message-ID: <1@mail.example.net>\n" to "\n"
	mkenv_n(6);
	ONLY(UND("To: undisclosed-recipients:;\n"), "TO_UNDISCLOSED_MANY");
	ONLY(UND(""), "TO_UNDISCLOSED_MANY");
	ONLY(UND("To: undisclosed recipients\n"), "TO_UNDISCLOSED_MANY");
	ONLY(UND("To: a@example.org\n"), "");
	ONLY(UND("To: undisclosed-recipients:;\nCc: team@example.org\n"), "");
	ONLY(UND("To: Team: a@example.org, b@example.org;\n"), "");
	mkenv_n(5);
	ONLY(UND("To: undisclosed-recipients:;\n"), "");
	ONLY(UND(""), "");
	ctx_default(&c);
	c.env = NULL;
	runc(UND(""), &c);
	T(nhits == 0, "no envelope: %s", list());
#undef UND
}

/* A Received line of another MTA below ours, dated d. */
#define HOP(from, by, d)						\
	"Received: from " from "\n\tby " by "; " d "\n"
#define D0	"Fri, 27 Nov 2026 01:40:00 +0000"

/* The trace rules: every Received line below ours (received.c). */
static void
t_trace(void)
{
	char	 hdr[16384];
	size_t	 n, i, k;

	mkenv("alice@example.net", "bob@example.org", NULL);
	/* a bare IP as HELO, another client */
	ONLY(QMAIL("mail.example.net", "") HOP("203.0.113.9 (unknown "
	    "[198.51.100.99])", "relay.example.net (Postfix) with SMTP id 1",
	    D0) GOOD_HDRS "\n", "RCVD_HELO_IP_MISMATCH");
	ONLY(QMAIL("mail.example.net", "") HOP("[203.0.113.9] (unknown "
	    "[198.51.100.99])", "relay.example.net (Postfix) with SMTP id 1",
	    D0) GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("198.51.100.99 (unknown "
	    "[198.51.100.99])", "relay.example.net (Postfix) with SMTP id 1",
	    D0) GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("192.168.1.5 (unknown "
	    "[198.51.100.99])", "relay.example.net (Postfix) with SMTP id 1",
	    D0) GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("203.0.113.9 (unknown "
	    "[10.0.0.5])", "relay.example.net (Postfix) with SMTP id 1",
	    D0) GOOD_HDRS "\n", "");
	/* a big provider's name from elsewhere */
	ONLY(QMAIL("mail.example.net", "") HOP("yahoo.com (dsl-7.pool."
	    "isp.example [203.0.113.7])", "mx.example.net (8.12.2/8.12.2) "
	    "with ESMTP id g1", D0) GOOD_HDRS "\n", "FORGED_PROVIDER_RCVD");
	ONLY(QMAIL("mail.example.net", "") HOP("hotmail.com (unknown "
	    "[203.0.113.7])", "mx.example.net (Postfix) with ESMTP id 1", D0)
	    GOOD_HDRS "\n", "FORGED_PROVIDER_RCVD");
	ONLY(QMAIL("mail.example.net", "") HOP("hotmail.com ([203.0.113.7])",
	    "mx.example.net (8.9.3/8.9.3) with ESMTP id J1", D0)
	    GOOD_HDRS "\n", "FORGED_PROVIDER_RCVD");
	ONLY(QMAIL("mail.example.net", "") HOP("dsl-7.isp.example "
	    "([203.0.113.7] helo=mail.yahoo.co.uk)", "mx.example.net with "
	    "esmtp (Exim 4.96) id 1", D0) GOOD_HDRS "\n",
	    "FORGED_PROVIDER_RCVD");
	ONLY(QMAIL("mail.example.net", "") HOP("web1.mail.yahoo.com "
	    "(web1.mail.yahoo.com [216.136.130.65])", "mx.example.net "
	    "(Postfix) with ESMTP id 1", D0) GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("mta5.hotmail.com "
	    "(mail-out.outlook.com [40.92.1.5])", "mx.example.net "
	    "(Postfix) with ESMTP id 1", D0) GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("web1.mail.yahoo.com "
	    "([216.136.130.65])", "mx.example.net with smtp (Exim 3.31) id 1",
	    D0) GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("unknown (HELO yahoo.com) "
	    "(203.0.113.7)", "mx.example.net with SMTP", D0) GOOD_HDRS "\n",
	    "");
	ONLY(QMAIL("mail.example.net", "") HOP("yahoo.com (localhost "
	    "[127.0.0.1])", "mx.example.net (Postfix) with ESMTP id 1", D0)
	    GOOD_HDRS "\n", "");
	/* clocks: a hop later than the one that received from it */
	ONLY(QMAIL("mail.example.net", "") HOP("a.example.net (a.example.net "
	    "[203.0.113.7])", "mx.example.net (Postfix) with ESMTP id 1", D0)
	    HOP("b.example.net (b.example.net [203.0.113.8])",
	    "a.example.net (Postfix) with ESMTP id 2",
	    "Sat, 28 Nov 2026 03:40:00 +0200") GOOD_HDRS "\n",
	    "RCVD_TIME_BACKWARDS");
	ONLY(QMAIL("mail.example.net", "") HOP("a.example.net (a.example.net "
	    "[203.0.113.7])", "mx.example.net (Postfix) with ESMTP id 1", D0)
	    HOP("b.example.net (b.example.net [203.0.113.8])",
	    "a.example.net (Postfix) with ESMTP id 2",
	    "Fri, 27 Nov 2026 17:00:00 +0000") GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("a.example.net (a.example.net "
	    "[203.0.113.7])", "mx.example.net (Postfix) with ESMTP id 1", D0)
	    HOP("b.example.net (b.example.net [203.0.113.8])",
	    "a.example.net (Postfix) with ESMTP id 2",
	    "Thu, 22 Aug 2002 13:09:41 +0100") GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("a.example.net (a.example.net "
	    "[203.0.113.7])", "mx.example.net (Postfix) with ESMTP id 1",
	    "Sun, 29 Nov 2026 01:40:00 +0000") GOOD_HDRS "\n",
	    "RCVD_TIME_BACKWARDS");
	/* qmail-queue's line hours away from qmail-smtpd's */
	ONLY(QMAIL("mail.example.net", "")
	    "Received: (qmail 4711 invoked from network); 27 Nov 2026 "
	    "01:40:00 -0000\n" HOP("unknown (HELO a.example.net) "
	    "(203.0.113.7)", "mail.example.net with SMTP",
	    "26 Nov 2026 19:00:00 -0000") GOOD_HDRS "\n", "FORGED_QMAIL_RCVD");
	ONLY(QMAIL("mail.example.net", "")
	    "Received: (qmail 4711 invoked from network); 27 Nov 2026 "
	    "01:40:00 -0000\n" HOP("unknown (HELO a.example.net) "
	    "(203.0.113.7)", "mail.example.net with SMTP",
	    "27 Nov 2026 01:40:00 -0000") GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "")
	    "Received: (qmail 4711 invoked from network); 27 Nov 2026 "
	    "01:40:00 -0000\n" GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "")
	    "Received: (qmail 4711 invoked by uid 89); 27 Nov 2026 "
	    "01:40:00 -0000\n" HOP("unknown (HELO a.example.net) "
	    "(203.0.113.7)", "mail.example.net with SMTP",
	    "26 Nov 2026 19:00:00 -0000") GOOD_HDRS "\n", "");
	/* addresses no client has */
	ONLY(QMAIL("mail.example.net", "") HOP("a.example.net (a.example.net "
	    "[0.1.2.3])", "mx.example.net (Postfix) with ESMTP id 1", D0)
	    GOOD_HDRS "\n", "RCVD_ILLEGAL_IP");
	ONLY(QMAIL("mail.example.net", "") HOP("a.example.net (a.example.net "
	    "[240.1.2.3])", "mx.example.net (Postfix) with ESMTP id 1", D0)
	    GOOD_HDRS "\n", "RCVD_ILLEGAL_IP");
	T(nhits == 1 && strcmp(hits[0].detail, "client 240.1.2.3") == 0,
	    "illegal IP detail: %s", nhits ? hits[0].detail : "");
	ONLY(QMAIL("mail.example.net", "") HOP("a.example.net (a.example.net "
	    "[223.255.255.254])", "mx.example.net (Postfix) with ESMTP id 1",
	    D0) GOOD_HDRS "\n", "");
	/* the first hop greets with the From: domain */
	ONLY(QMAIL("mail.example.net", "") HOP("example.net (dsl-7.pool."
	    "isp.example [203.0.113.7])", "mx.example.net (8.12.2/8.12.2) "
	    "with SMTP id g1", D0) GOOD_HDRS "\n", "FORGED_HELO_FROMDOM");
	ONLY(QMAIL("mail.example.net", "") HOP("example.net (unknown "
	    "[203.0.113.7])", "mx.example.net (Postfix) with SMTP id 1", D0)
	    GOOD_HDRS "\n", "FORGED_HELO_FROMDOM");
	/* qmail writes "with SMTP" after EHLO too: it proves nothing */
	ONLY(QMAIL("mail.example.net", "")
	    "Received: (qmail 4711 invoked from network); " D0 "\n"
	    HOP("dsl-203-0-113-5.isp.example (HELO example.net) "
	    "(203.0.113.5)", "relay.isp.example with SMTP", D0)
	    GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("example.net (dsl-7.pool."
	    "isp.example [203.0.113.7])", "mx.example.net (8.12.2/8.12.2) "
	    "with ESMTP id g1", D0) GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("example.net (mx2.example.net "
	    "[203.0.113.7])", "mx.example.net (8.12.2/8.12.2) "
	    "with SMTP id g1", D0) GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("mail.example.net (dsl-7."
	    "pool.isp.example [203.0.113.7])", "mx.example.net "
	    "(8.12.2/8.12.2) with SMTP id g1", D0) GOOD_HDRS "\n", "");
	ONLY(QMAIL("mail.example.net", "") HOP("mail.example.net (dsl-7."
	    "pool.isp.example [203.0.113.7])", "mx.example.net "
	    "(8.12.2/8.12.2) with SMTP id g1", D0) HOP("example.net (unknown "
	    "[192.168.1.7])", "mail.example.net (Postfix) with SMTP id 1", D0)
	    GOOD_HDRS "\n", "");
	/* a Message-ID a relay wrote: its queue ID, its name */
#define MTAID(client, by, mid) QMAIL("mail.example.net", "")		\
	HOP(client, by " (8.11.6/8.11.6) with ESMTP id g8PIPHC08718", D0) \
	"From: Alice <alice@example.net>\nTo: Bob <bob@example.org>\n"	\
	"Date: Fri, 27 Nov 2026 01:40:00 +0000\nSubject: Hello\n"	\
	"Message-ID: " mid "\n\n"
	ONLY(MTAID("relay.other.example (relay.other.example [203.0.113.7])",
	    "mx.isp.example", "<200209251825.g8PIPHC08718@mx.isp.example>"),
	    "MSGID_FROM_MTA_ID");
	ONLY(MTAID("relay.other.example ([203.0.113.7])", "mx.isp.example",
	    "<200209251825.g8PIPHC08718@mx.isp.example>"),
	    "MSGID_FROM_MTA_ID");
	ONLY(MTAID("relay.other.example (relay.other.example [203.0.113.7])",
	    "mx.example.net", "<200209251825.g8PIPHC08718@mx.example.net>"),
	    "");
	ONLY(MTAID("relay.other.example (relay.other.example [203.0.113.7])",
	    "mx.isp.example", "<200209251825.g8PIPHC08718@example.net>"), "");
	ONLY(MTAID("relay.other.example (relay.other.example [10.1.2.3])",
	    "mx.isp.example", "<200209251825.g8PIPHC08718@mx.isp.example>"),
	    "");
	ONLY(MTAID("box (host203-0-113-7.isp.example [203.0.113.7])",
	    "mx.isp.example", "<200209251825.g8PIPHC08718@mx.isp.example>"),
	    "");
	ONLY(MTAID("relay.other.example (relay.other.example [203.0.113.7])",
	    "mx.isp.example", "<200209251825.g8PIPHC08719@mx.isp.example>"),
	    "");
#undef MTAID
	/* more hops than real mail has: ours and 39, ours and 40 */
	for (k = 39; k <= 40; k++) {
		n = (size_t)snprintf(hdr, sizeof(hdr), "%s",
		    QMAIL("mail.example.net", ""));
		for (i = 0; i < k; i++)
			n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "%s",
			    HOP("a.example.net (a.example.net [203.0.113.7])",
			    "b.example.net (Postfix) with ESMTP id 1", D0));
		snprintf(hdr + n, sizeof(hdr) - n, "%s", GOOD_HDRS "\n");
		run(hdr);
		T(msg.rcvd.nrcvd == k + 1 && msg.rcvd.nhop == RCVD_TRACE_MAX,
		    "%u hops counted, %u kept", msg.rcvd.nrcvd, msg.rcvd.nhop);
		T(k == 39 ? nhits == 0 : exactly("RCVD_MANY_HOPS"),
		    "%u hops: %s", msg.rcvd.nrcvd, list());
	}
}

/* A message with the header lines h (From, To, Date, Subject given). */
#define MSG(h) QMAIL("mail.example.net", "")				\
	"From: Alice <alice@example.net>\nTo: Bob <bob@example.org>\n"	\
	"Date: Fri, 27 Nov 2026 01:40:00 +0000\n"			\
	"Subject: Minutes of the meeting\n" h "\n"
#define OEID	"Message-ID: <000801c2a3b4$1a2b3c40$6401a8c0@pc1>\n"
#define OE6	"X-Mailer: Microsoft Outlook Express 6.00.2800.1106\n"
#define MSHDRS	"X-MSMail-Priority: Normal\n"			\
	"X-MimeOLE: Produced By Microsoft MimeOLE V6.00.2800.1106\n"

/* The Message-ID and mailer rules. */
static void
t_mailer(void)
{
	mkenv("alice@example.net", "bob@example.org", NULL);
	ONLY(MSG(OEID OE6 MSHDRS), "");
	ONLY(MSG(OEID), "RATWARE_MS_HASH");
	ONLY(MSG(OEID "X-Mailer: The Bat! (v1.52f) Business\n"),
	    "RATWARE_MS_HASH");
	ONLY(MSG("Message-ID: <25fae01c24d54$70df9e10$6b01a8c0@pc1>\n"),
	    "RATWARE_MS_HASH");
	ONLY(MSG(OEID "X-MimeOLE: Produced By Microsoft MimeOLE V6\n"), "");
	ONLY(MSG(OEID "Thread-Index: AcJNOqTffrAnoQpfR+qn33c3TxkEgQ==\n"), "");
	ONLY(MSG(OEID "X-Mailer: Microsoft CDO for Windows 2000\n"), "");
	ONLY(MSG("Message-ID: <0801c2a3b4$1a2b3c40$6401a8c0@pc1>\n"), "");
	ONLY(MSG("Message-ID: <000801c2a3b4$1a2b3c40@pc1>\n"), "");
	/* Outlook claimed, its headers missing */
	ONLY(MSG(OEID OE6), "FORGED_MUA_OUTLOOK");
	ONLY(MSG(OEID OE6 "X-MSMail-Priority: Normal\n"), "MISSING_MIMEOLE");
	ONLY(MSG(OEID "X-Mailer: Microsoft Outlook, Build 10.0.2627\n"),
	    "FORGED_MUA_OUTLOOK");
	ONLY(MSG(OEID "X-Mailer: Microsoft Outlook, Build 10.0.2627\n"
	    "X-MimeOLE: Produced By Microsoft MimeOLE V6\n"), "");
	/* Outlook 2010 and later: no X-MimeOLE, always a Thread-Index */
	ONLY(MSG("Message-ID: <000001d9c1a2$3b4c5d60$b2e51820$@example.net>\n"
	    "X-Mailer: Microsoft Outlook 16.0\n"
	    "Thread-Index: AdnBojtMXWCy5RggQyKLz1x7Jv1Ayw==\n"
	    "Content-Language: en-us\n"), "");
	ONLY(MSG(OEID "X-Mailer: Microsoft Outlook 16.0\n"),
	    "FORGED_MUA_OUTLOOK");
	ONLY(MSG("Message-ID: <B9A1@example.net>\nX-Mailer: Microsoft "
	    "Outlook Express Macintosh Edition - 5.01 (1630)\n"), "");
	/* versions Outlook Express never wrote */
	ONLY(MSG(OEID "X-Mailer: Microsoft Outlook Express 5.00.2919.6900 "
	    "DM\n" MSHDRS), "RATWARE_OE_MALFORMED");
	ONLY(MSG(OEID "X-Mailer: Microsoft Outlook Express 6.00.2600.0000."
	    "213597\n" MSHDRS), "RATWARE_OE_MALFORMED");
	ONLY(MSG(OEID "X-Mailer: Microsoft Outlook Express 5.00.2615.200\n"
	    MSHDRS), "");
	ONLY(MSG(OEID "X-Mailer: Microsoft Outlook Express 4.72.3155.0\n"
	    MSHDRS), "");
	/* Microsoft fields apart */
	ONLY(MSG("Message-ID: <1@example.net>\nX-MSMail-Priority: High\n"),
	    "MISSING_MIMEOLE");
	ONLY(MSG("Message-ID: <1@example.net>\n" MSHDRS), "");
	/* bulk software's own */
	ONLY(MSG("Message-ID: <1@example.net>\nX-Mailer: ArHA8IFlSSFNGzAMo\n"),
	    "XMAILER_RANDOM");
	ONLY(MSG("Message-ID: <1@example.net>\nX-Mailer: MailChimpMailer\n"),
	    "");
	ONLY(MSG("Message-ID: <1@example.net>\nX-Mailer: ABCDEFGHIJ12\n"), "");
	ONLY(MSG("Message-ID: <1@example.net>\nX-Mailer: Apple Mail (2.482)\n"),
	    "");
	ONLY(MSG("Message-ID: <1@example.net>\nX-Precedence-Ref: l2340\n"),
	    "RATWARE_HEADER");
	ONLY(MSG("Message-ID: <1@example.net>\nX-Library: Indy 8.0.25\n"),
	    "RATWARE_HEADER");
	ONLY(MSG("Message-ID: <1@example.net>\nX-M5MailerProjectID: 4fb0\n"),
	    "RATWARE_HEADER");
	ONLY(MSG("Message-ID: <1@example.net>\nX-Mailer: Indy 8.0.25\n"), "");
	ONLY(MSG("Message-ID: <1@example.net>\nX-Priority: 1 (Highest)\n"),
	    "X_PRIORITY_HIGH");
	ONLY(MSG("Message-ID: <1@example.net>\nX-Priority: 3 (Normal)\n"), "");
	ONLY(MSG("Message-ID: <1@example.net>\nX-Priority: High\n"), "");
}

/* A message with From f, To t and Subject s. */
#define FTS(f, t, s) QMAIL("mail.example.net", "")			\
	"From: " f "\nTo: " t "\nDate: Fri, 27 Nov 2026 01:40:00 +0000\n" \
	"Message-ID: <1@mail.example.net>\nSubject: " s "\n\n"

/* The recipient, From: and Subject: rules. */
static void
t_rcpt_subject(void)
{
	mkenv("alice@example.net", "bob@example.org", NULL);
	ONLY(FTS("Alice <alice@example.net>", "<Undisclosed.Recipients@mail."
	    "example.net>", "Hi"), "UNDISC_RECIPS");
	ONLY(FTS("Alice <alice@example.net>", "Undisclosed.Recipients@mail."
	    "example.net", "Hi"), "UNDISC_RECIPS");
	ONLY(FTS("Alice <alice@example.net>", "undisclosed-recipients:;",
	    "Hi"), "");
	ONLY(FTS("Alice <alice@example.net>", "undisclosed-recipient: ;",
	    "Hi"), "");
	ONLY(FTS("<alice@example.net>", "Bob <bob@example.org>", "Hi"),
	    "FROM_BRKTS_NO_NAME");
	ONLY(FTS("<alice@example.net>", "<bob@example.org>", "Hi"),
	    "FROM_BRKTS_NO_NAME");
	ONLY(FTS("alice@example.net", "<bob@example.org>", "Hi"),
	    "FROM_NONAME_TO_BRKTS");
	ONLY(FTS("alice@example.net", "bob@example.org", "Hi"), "");
	ONLY(FTS("alice@example.net (Alice)", "<bob@example.org>", "Hi"), "");
	ONLY(FTS("alice@example.net", "Bob <bob@example.org>", "Hi"), "");
	ONLY(FTS("Alice <a12345@example.net>", "Bob <bob@example.org>", "Hi"),
	    "FROM_ENDS_IN_NUMS");
	ONLY(FTS("Alice <a1234@example.net>", "Bob <bob@example.org>", "Hi"),
	    "");
	ONLY(FTS("Alice <12345a@example.net>", "Bob <bob@example.org>", "Hi"),
	    "");
	/* To: is From:, many recipients */
	mkenv_n(6);
	ONLY(FTS("Alice <alice@example.net>", "alice@example.net", "Hi"),
	    "TO_EQ_FROM_MANY");
	ONLY(FTS("Alice <alice@example.net>", "bob@example.org", "Hi"), "");
	mkenv_n(5);
	ONLY(FTS("Alice <alice@example.net>", "alice@example.net", "Hi"), "");
	/* subjects */
	mkenv("alice@example.net", "bob@example.org", NULL);
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "MAKE MONEY FAST!!"), "SUBJ_ALL_CAPS");
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "=?iso-8859-1?Q?MAKE_MONEY_FAST?="), "SUBJ_ALL_CAPS");
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "IBM AND HP 2026"), "");
	/* Cyrillic with a Latin company name in capitals: not shouting */
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "=?UTF-8?B?0KHRh9GR0YIg0L3QsCDQvtC/0LvQsNGC0YM=?=\n"
	    " =?UTF-8?B?IFJPTUFTSEtBIFRSQURJTkc=?="), "");
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "MAKE MONEY FAST, or not"), "");
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "Great offer            xk"), "SUBJ_HAS_UNIQ_ID");
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "Great offer    ID4711"), "SUBJ_HAS_UNIQ_ID");
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "Great offer    for you"), "");
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "Meeting at 10"), "");
	ONLY(FTS("Alice <alice@example.net>", "Bob <bob@example.org>",
	    "[SACVS] CVS: spamassassin\n\t\tconfigure,1.1.2.1,1.1.2.2"), "");
}

/* The MIME header rules. */
static void
t_mime(void)
{
	mkenv("alice@example.net", "bob@example.org", NULL);
	ONLY(MSG("Message-ID: <1@example.net>\nMIME-Version: 1.0\n"
	    "Content-Type: text/html; charset=us-ascii\n"), "MIME_HTML_ONLY");
	ONLY(MSG("Message-ID: <1@example.net>\n"
	    "Content-Type: TEXT/HTML\n"),
	    "MIME_HTML_ONLY MIME_HEADER_CTYPE_ONLY");
	ONLY(MSG("Message-ID: <1@example.net>\n"
	    "Content-Type: multipart/alternative; boundary=\"b1\"\n"),
	    "MIME_HEADER_CTYPE_ONLY");
	ONLY(MSG("Message-ID: <1@example.net>\n"
	    "Content-Type: text/plain; charset=us-ascii\n"), "");
	ONLY(MSG("Message-ID: <1@example.net>\nMime-Version: 1.0\n"
	    "Content-Type: multipart/mixed\n"), "MIME_MISSING_BOUNDARY");
	ONLY(MSG("Message-ID: <1@example.net>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed;\n\tboundary=\"b1\"\n"), "");
	ONLY(MSG("Message-ID: <1@example.net>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; BOUNDARY=b1\n"), "");
	/* the boundary far into the field, past the kept copy */
	ONLY(MSG("Message-ID: <1@example.net>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/related; type=\"text/html\";\n"
	    "\tstart=\"<part1.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.net>\";\n"
	    "\tboundary=\"b1\"\n"), "");
	ONLY(MSG("Message-ID: <1@example.net>\nMIME-Version: 1.0\n"), "");
}

/* A cut copy: what is missing may lie past the cut. */
static void
t_cut(void)
{
	static const char h[] = QMAIL("mail.example.net", "")
	    "Subject: x\nX-Junk: yyyyyyyy";
	static const char hm[] = QMAIL("mail.example.net", "")
	    "Subject: x\nX-Mailer: Microsoft Outlook, Build 10.0.2627\n"
	    "Content-Type: text/html\nX-Junk: yyyyyyyy";
	struct heur_ctx	c;

	mkenv_n(10);
	ctx_default(&c);
	msg_hdrs_parse(h, strlen(h), 1, &msg);
	nhits = heur_run(&msg, &c, hits, HEUR_MAX);
	T(nhits == 0, "cut: %s", list());
	msg_hdrs_parse(h, strlen(h), 0, &msg);
	nhits = heur_run(&msg, &c, hits, HEUR_MAX);
	T(exactly("MISSING_FROM MISSING_DATE MISSING_MID TO_UNDISCLOSED_MANY"),
	    "not cut: %s", list());
	/* the fields whose absence the mailer and MIME rules judge */
	msg_hdrs_parse(hm, strlen(hm), 1, &msg);
	nhits = heur_run(&msg, &c, hits, HEUR_MAX);
	T(exactly("MIME_HTML_ONLY"), "cut, Content-Type and Outlook claimed: "
	    "%s", list());
	msg_hdrs_parse(hm, strlen(hm), 0, &msg);
	nhits = heur_run(&msg, &c, hits, HEUR_MAX);
	T(exactly("MISSING_FROM MISSING_DATE MISSING_MID TO_UNDISCLOSED_MANY "
	    "FORGED_MUA_OUTLOOK MIME_HTML_ONLY MIME_HEADER_CTYPE_ONLY"),
	    "not cut: %s",
	    list());
	/* room for fewer hits than fire */
	T(heur_run(&msg, &c, hits, 2) == 2, "max respected");
	T(heur_run(&msg, &c, hits, 0) == 0, "max 0");
}

/* Hostile bytes: parse never fails, never reads past its input. */
static void
t_hostile(void)
{
	static const char *const f[] = {
		"", "\n", ":", "Received:", "Received: from", "From:",
		"From: \"", "From: (((((", "From: <", "From: =?", "Date:",
		"Received: from x (HELO", "Received: from x (HELO y) (",
		"Received: from x (1.2.3.4) by", "\n\nFrom: a@b.example",
		" continuation\nFrom: a@b.example\n",
		"From: =?utf-8?b?=?= <a@b.example>\n",
		"From: =?utf-8?q?=?= <a@b.example>\n",
		"From: =?utf-8?x?abc?= <a@b.example>\n",
		"From: \"a\\", "Message-ID: <\"",
	};
	struct heur_ctx	c;
	size_t		i;

	mkenv_n(3);
	ctx_default(&c);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		msg_hdrs_parse(f[i], strlen(f[i]), 0, &msg);
		nhits = heur_run(&msg, &c, hits, HEUR_MAX);
		T(nhits <= heur_ntests, "hostile %zu", i);
	}
	PARSE("From: a@b.example\nX: \0\0\n\n");
	T(msg.rfc.from_ok && !msg.rfc.eightbit, "NUL in the section");
}

/* Real-looking messages from common senders: nothing fires. */
static void
t_real(void)
{
	struct heur_ctx	c;

	mkenv("bounces+1234-ab12-bob=example.org@em1234.example.com",
	    "bob@example.org", NULL);
	ctx_default(&c);
	c.ip = "209.85.220.41";
	c.rdns = c.ptr = "mail-sor-f41.google.com";
	runc("Received: from mail-sor-f41.google.com (HELO "
	    "mail-sor-f41.google.com) (209.85.220.41)\n  by mx.example.org "
	    "with SMTP; 27 Nov 2026 01:40:22 -0000\n"
	    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
	    "        d=gmail.com; s=20230601; t=1795743600; x=1796348400;\n"
	    "        h=to:subject:message-id:date:from:mime-version;\n"
	    "        bh=abc=; b=def=\n"
	    "MIME-Version: 1.0\n"
	    "From: =?UTF-8?Q?Ren=C3=A9e_O=27Brien?= <renee.obrien@gmail.com>\n"
	    "Date: Thu, 26 Nov 2026 17:39:58 -0800\n"
	    "Message-ID: <CAJ3k_8nY0V+q7xZr=Jq1-5m@mail.gmail.com>\n"
	    "Subject: Re: Lunch?\n"
	    "To: \"Bob (work)\" <bob@example.org>, carol@example.org\n"
	    "Content-Type: multipart/alternative; boundary=\"000000\"\n\n",
	    &c);
	T(nhits == 0, "gmail: %s", list());
	c.ip = "40.107.21.100";
	c.rdns = c.ptr =
	    "mail-vi1eur05on2100.outbound.protection.outlook.com";
	runc("Received: from mail-vi1eur05on2100.outbound.protection.outlook."
	    "com (HELO EUR05-VI1-obe.outbound.protection.outlook.com) "
	    "(40.107.21.100)\n  by mx.example.org with SMTP; 27 Nov 2026 "
	    "01:40:22 -0000\n"
	    "From: \"Smith, John\" <John.Smith@contoso.example>\n"
	    "To: Bob Example <bob@example.org>\n"
	    "Subject: Quarterly report\n"
	    "Thread-Topic: Quarterly report\n"
	    "Date: Fri, 27 Nov 2026 01:39:40 +0000\n"
	    "Message-ID:\n"
	    " <AM0PR04MB6434C1F0E2D3A4B5C6D7E8F9A0B1C@"
	    "AM0PR04MB6434.eurprd04.prod."
	    "outlook.com>\n"
	    "Accept-Language: en-US\n"
	    "Content-Language: en-US\n"
	    "X-MS-Has-Attach: \n"
	    "Content-Type: text/plain; charset=\"us-ascii\"\n"
	    "MIME-Version: 1.0\n\n", &c);
	T(nhits == 0, "outlook: %s", list());
}

int
main(void)
{
	env_init(&env);
	t_table();
	t_clean();
	t_helo();
	t_dynamic();
	t_rdns();
	t_regdom();
	t_envelope();
	t_from();
	t_spoof();
	t_date();
	t_msgid();
	t_8bit_to();
	t_trace();
	t_mailer();
	t_rcpt_subject();
	t_mime();
	t_cut();
	t_hostile();
	t_real();
	env_free(&env);
	return t_done();
}

/*
 * unit_received.c - trace lines (received.c): qmail-smtpd's own line in
 * every form for the HELO and the client, the client IP of every MTA's
 * from-clause, the trusted hop's line, Received dates, hostile input.
 * (Moved from unit_heur.c with the parser, issue 11.)
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "msg.h"
#include "received.h"
#include "unit.h"

/* Fri, 27 Nov 2026 01:40:22 +0000 */
#define NOW	((time_t)1795743622)
#define CLIENT	"198.51.100.7"

/* qmail-smtpd's line for a client that said HELO h (NULL: as HOST). */
#define QMAIL(host, helo)						\
	"Received: from " host " " helo "(" CLIENT ")\n"		\
	"  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n"

/* A header section without a Received line. */
#define OTHER_HDRS							\
	"Message-ID: <6f1c2a0e@example.net>\n"				\
	"Date: Fri, 27 Nov 2026 02:39:58 +0100\n"			\
	"To: Bob Example <bob@example.org>\n"				\
	"From: Alice Example <alice@example.net>\n"

static struct rcvd_info	r;

/* rcvd_parse on a string literal (NULs inside count). */
#define PARSE(lit) rcvd_parse(lit, sizeof(lit) - 1, &r)

static const char *
iptext(const struct ipaddr *a)
{
	static char	t[IPADDR_TEXT];

	ipaddr_text(a, t, sizeof(t));
	return t;
}

/* rcvd_client with the address as text in ip (64 bytes). */
static int
client(const char *v, size_t n, char *ip)
{
	struct ipaddr	a;
	int		k;

	k = rcvd_client(v, n, &a);
	snprintf(ip, 64, "%s", k ? iptext(&a) : "");
	return k;
}

/* rcvd_outside, and it fills the address exactly when it says 1. */
static int
outside(const char *v, size_t n)
{
	struct ipaddr	a;
	int		k;

	k = rcvd_outside(v, n, &a);
	T((a.family != 0) == k, "rcvd_outside %d, family %d", k, a.family);
	return k;
}

/* qmail-smtpd's line in every form (FACTS.md). */
static void
t_qmail_line(void)
{
	static const struct {
		const char	*line, *helo, *host, *ip;
		int		 auth;
	} f[] = {
		{ "Received: from mail.example.net (198.51.100.7)\n"
		  "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n",
		  "mail.example.net", "mail.example.net", "198.51.100.7", 0 },
		{ "Received: from mail.example.net (HELO mx1.example.net) "
		  "(198.51.100.7)\n  by mx.example.org with SMTP; "
		  "27 Nov 2026 01:40:22 -0000\n",
		  "mx1.example.net", "mail.example.net", "198.51.100.7", 0 },
		{ "Received: from unknown (HELO foo) (198.51.100.7)\n"
		  "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n",
		  "foo", "unknown", "198.51.100.7", 0 },
		{ "Received: from unknown (198.51.100.7)\n"
		  "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n",
		  "unknown", "unknown", "198.51.100.7", 0 },
		{ "Received: from unknown (HELO ?198.51.100.7?) "
		  "(198.51.100.7)\n"
		  "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n",
		  "?198.51.100.7?", "unknown", "198.51.100.7", 0 },
		{ "Received: from unknown (HELO [198.51.100.7]) "
		  "(198.51.100.7)\n"
		  "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n",
		  "[198.51.100.7]", "unknown", "198.51.100.7", 0 },
		{ "Received: from unknown (HELO laptop) (alice@198.51.100.7)\n"
		  "  by mx.example.org with ESMTPA; "
		  "27 Nov 2026 01:40:22 -0000\n",
		  "laptop", "unknown", "198.51.100.7", 1 },
		{ "Received: from unknown (HELO laptop) (198.51.100.7)\n"
		  "  by mx.example.org with ESMTPSA; "
		  "27 Nov 2026 01:40:22 -0000\n",
		  "laptop", "unknown", "198.51.100.7", 1 },
		{ "Received: from mail.example.net (HELO Mail.Example.NET?x) "
		  "(198.51.100.7)\n  by mx.example.org with ESMTPS; "
		  "27 Nov 2026 01:40:22 -0000\n",
		  "Mail.Example.NET?x", "mail.example.net", "198.51.100.7", 0 },
		{ "Received: from mail.example.net (ident@198.51.100.7)\n"
		  "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n",
		  "mail.example.net", "mail.example.net", "198.51.100.7", 0 },
		{ "Received: from unknown (HELO ) (198.51.100.7)\n"
		  "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n",
		  "", "unknown", "198.51.100.7", 0 },
		{ "Received: from v6.example.net (2001:db8::7)\n"
		  "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n",
		  "v6.example.net", "v6.example.net", "2001:db8::7", 0 },
		{ "Received: from v4.example.net (::ffff:198.51.100.7)\n"
		  "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n",
		  "v4.example.net", "v4.example.net", "198.51.100.7", 0 },
	};
	size_t	i;
	char	b[1024];

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(b, sizeof(b), "%sFrom: a@example.net\n\n", f[i].line);
		rcvd_parse(b, strlen(b), &r);
		T(rcvd_helo(&r) && strcmp(rcvd_helo(&r), f[i].helo) == 0,
		    "form %zu: helo %s", i, rcvd_helo(&r));
		T(strcmp(r.host, f[i].host) == 0, "form %zu: host %s", i,
		    r.host);
		T(strcmp(iptext(&r.ip), f[i].ip) == 0, "form %zu: ip %s", i,
		    iptext(&r.ip));
		T(r.auth == f[i].auth, "form %zu: auth", i);
		T(rcvd_hop_ip(&r) == NULL, "form %zu: our line is no hop", i);
	}
	/* not qmail-smtpd's: no HELO known */
	rcvd_parse(OTHER_HDRS, strlen(OTHER_HDRS), &r);
	T(rcvd_helo(&r) == NULL, "no Received: no helo");
	snprintf(b, sizeof(b), "Received: from mail.example.net "
	    "(mail.example.net [198.51.100.7])\n\tby mx.example.org "
	    "(Postfix) with ESMTP id 1; Fri, 27 Nov 2026 01:40:22 +0000\n\n");
	rcvd_parse(b, strlen(b), &r);
	T(rcvd_helo(&r) == NULL, "Postfix line first: no qmail helo");
	T(rcvd_hop_ip(&r) && strcmp(rcvd_hop_ip(&r), CLIENT) == 0,
	    "Postfix line first is a hop");
}

/* The hop's client IP behind our own line, for every MTA's format. */
static void
t_hop(void)
{
	static const struct {
		const char	*lines, *ip;
	} f[] = {
		/* qmail hop: its queue line, then its smtpd line */
		{ "Received: (qmail 4242 invoked from network); "
		  "27 Nov 2026 01:40:20 -0000\n"
		  "Received: from unknown (HELO 192.0.2.99) (203.0.113.9)\n"
		  "  by backup.example.org with SMTP; "
		  "27 Nov 2026 01:40:20 -0000\n",
		  "203.0.113.9" },
		{ "Received: from mail.example.com (HELO ?10.0.0.1?) "
		  "(user@203.0.113.9)\n  by backup.example.org with ESMTPA; "
		  "27 Nov 2026 01:40:20 -0000\n", "203.0.113.9" },
		/* Postfix */
		{ "Received: from helo.example.com (host.example.com "
		  "[203.0.113.9])\n\t(using TLSv1.3 with cipher "
		  "TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange "
		  "X25519 server-signature RSA-PSS (2048 bits))\n\t"
		  "(No client certificate requested)\n\tby relay.example.org "
		  "(Postfix) with ESMTPS id 4Nq2xY1Z3z\n\tfor "
		  "<bob@example.org>; Fri, 27 Nov 2026 02:40:20 +0100 (CET)\n",
		  "203.0.113.9" },
		{ "Received: from [10.0.0.1] (unknown [203.0.113.9])\n\tby "
		  "relay.example.org (Postfix) with ESMTP id 4Nq2xY1Z3z;\n\t"
		  "Fri, 27 Nov 2026 02:40:20 +0100 (CET)\n", "203.0.113.9" },
		{ "Received: from 192.0.2.99 (unknown [203.0.113.9])\n\tby "
		  "relay.example.org (Postfix) with SMTP id 1;\n\t"
		  "Fri, 27 Nov 2026 02:40:20 +0100 (CET)\n", "203.0.113.9" },
		{ "Received: from helo (unknown [IPv6:2001:db8:1234::9])\n\tby "
		  "relay.example.org (Postfix) with ESMTP id 1;\n\t"
		  "Fri, 27 Nov 2026 02:40:20 +0100 (CET)\n",
		  "2001:db8:1234::9" },
		/* Postfix after a content filter: the local line is skipped */
		{ "Received: from localhost (localhost [127.0.0.1])\n\tby "
		  "relay.example.org (Postfix) with ESMTP id 2;\n\t"
		  "Fri, 27 Nov 2026 02:40:21 +0100 (CET)\n"
		  "X-Virus-Scanned: amavisd-new at example.org\n"
		  "Received: from relay.example.org ([127.0.0.1])\n\tby "
		  "localhost (relay.example.org [127.0.0.1]) (amavisd-new, "
		  "port 10024)\n\twith ESMTP id abc; Fri, 27 Nov 2026 "
		  "02:40:21 +0100 (CET)\n"
		  "Received: from out.example.com (out.example.com "
		  "[203.0.113.9])\n\tby relay.example.org (Postfix) with ESMTP "
		  "id 1;\n\tFri, 27 Nov 2026 02:40:20 +0100 (CET)\n",
		  "203.0.113.9" },
		/* Exim */
		{ "Received: from host.example.com ([203.0.113.9] "
		  "helo=helo.example.com)\n\tby relay.example.org with esmtps "
		  "(TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t"
		  "(envelope-from <alice@example.com>)\n\tid 1abcde-000123-XY"
		  "\n\tfor bob@example.org; Fri, 27 Nov 2026 01:40:20 +0000\n",
		  "203.0.113.9" },
		{ "Received: from [203.0.113.9] (helo=[10.1.1.1])\n\tby "
		  "relay.example.org with esmtp (Exim 4.96)\n\tid 1; "
		  "Fri, 27 Nov 2026 01:40:20 +0000\n", "203.0.113.9" },
		{ "Received: from [203.0.113.9] (helo=192.0.2.99)\n\tby "
		  "relay.example.org with esmtp (Exim 4.96)\n\tid 1; "
		  "Fri, 27 Nov 2026 01:40:20 +0000\n", "203.0.113.9" },
		{ "Received: from host.example.com ([203.0.113.9]:41234 "
		  "helo=x)\n\tby relay.example.org with esmtp (Exim 4.96)\n\t"
		  "id 1; Fri, 27 Nov 2026 01:40:20 +0000\n", "203.0.113.9" },
		{ "Received: from helo.example.com (host.example.com) "
		  "[203.0.113.9]\n\tby relay.example.org with esmtp (Exim 3.36 "
		  "#1)\n\tid 1; Fri, 27 Nov 2026 01:40:20 +0000\n",
		  "203.0.113.9" },
		{ "Received: from root by relay.example.org with local "
		  "(Exim 4.96)\n\t(envelope-from <root@example.org>)\n\tid 2; "
		  "Fri, 27 Nov 2026 01:40:21 +0000\n"
		  "Received: from host.example.com ([203.0.113.9])\n\tby "
		  "relay.example.org with esmtp (Exim 4.96)\n\tid 1; "
		  "Fri, 27 Nov 2026 01:40:20 +0000\n", "203.0.113.9" },
		/* Sendmail */
		{ "Received: from helo.example.com (host.example.com "
		  "[203.0.113.9])\n\tby relay.example.org (8.17.1/8.17.1) with "
		  "ESMTP id 3ARBeK1x012345\n\tfor <bob@example.org>; Fri, 27 "
		  "Nov 2026 01:40:20 GMT\n", "203.0.113.9" },
		{ "Received: from helo.example.com (host.example.com "
		  "[203.0.113.9] (may be forged))\n\tby relay.example.org "
		  "(8.17.1/8.17.1) with ESMTP id 1; Fri, 27 Nov 2026 01:40:20 "
		  "GMT\n", "203.0.113.9" },
		{ "Received: from [10.0.0.1] (ident@host.example.com "
		  "[203.0.113.9])\n\tby relay.example.org (8.17.1/8.17.1) "
		  "id 1; Fri, 27 Nov 2026 01:40:20 GMT\n", "203.0.113.9" },
		{ "Received: from helo ([IPv6:2001:db8::9])\n\tby "
		  "relay.example.org (8.17.1/8.17.1) with ESMTP id 1;\n\tFri, "
		  "27 Nov 2026 01:40:20 GMT\n", "2001:db8::9" },
		{ "Received: (from user@localhost)\n\tby relay.example.org "
		  "(8.17.1/8.17.1/Submit) id 2; Fri, 27 Nov 2026 01:40:21 GMT\n"
		  "Received: from helo ([203.0.113.9])\n\tby relay.example.org "
		  "(8.17.1/8.17.1) id 1; Fri, 27 Nov 2026 01:40:20 GMT\n",
		  "203.0.113.9" },
		/* Exchange, and an internal hop behind it */
		{ "Received: from ex2.corp.example (10.0.0.6) by "
		  "ex1.corp.example (10.0.0.5) with Microsoft SMTP Server id "
		  "15.2.1258.12; Fri, 27 Nov 2026 01:40:21 +0000\n"
		  "Received: from out.example.com (203.0.113.9) by "
		  "ex2.corp.example (10.0.0.6) with Microsoft SMTP Server id "
		  "15.2.1258.12; Fri, 27 Nov 2026 01:40:20 +0000\n",
		  "203.0.113.9" },
		{ "Received: from BN8PR12MB3380.namprd12.prod.example.com "
		  "(2603:10b6:408:61::31) by DM6PR12MB4497.namprd12.prod."
		  "example.com with HTTPS; Fri, 27 Nov 2026 01:40:20 +0000\n",
		  "2603:10b6:408:61::31" },
		/* nothing but local lines */
		{ "Received: by relay.example.org (Postfix, from userid 1000)"
		  "\n\tid 1; Fri, 27 Nov 2026 01:40:20 +0000 (UTC)\n"
		  "Received: (qmail 1 invoked by uid 89); 27 Nov 2026 "
		  "01:40:20 -0000\n", NULL },
		{ "Received: from localhost (HELO x) (127.0.0.1)\n  by "
		  "relay.example.org with SMTP; 27 Nov 2026 01:40:20 -0000\n",
		  NULL },
		{ "Received: from gw.internal (gw.internal [192.168.1.1])\n\t"
		  "by relay (Postfix) id 1; Fri, 27 Nov 2026 01:40:20 +0000\n",
		  NULL },
		{ "Received: from garbage with no ip at all by x; Fri, 27 Nov "
		  "2026 01:40:20 +0000\n", NULL },
	};
	/* the line a forger put below the hop's own is never reached */
	static const char forged[] =
	    "Received: from unknown (HELO x) (192.0.2.10)\n"
	    "  by mx.example.org with SMTP; 27 Nov 2026 01:40:22 -0000\n"
	    "Received: from evil.example ([203.0.113.66])\n\tby "
	    "backup.example.org with esmtp; Fri, 27 Nov 2026 01:40:20 "
	    "+0000\n"
	    "Received: from trusted.example (trusted.example [198.51.100.1])"
	    "\n\tby evil.example; Fri, 27 Nov 2026 01:40:19 +0000\n\n";
	char	b[4096];
	size_t	i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(b, sizeof(b), "Received: from backup.example.org "
		    "(192.0.2.10)\n  by mx.example.org with SMTP; "
		    "27 Nov 2026 01:40:22 -0000\n%sFrom: a@example.net\n\n",
		    f[i].lines);
		rcvd_parse(b, strlen(b), &r);
		if (f[i].ip == NULL)
			T(rcvd_hop_ip(&r) == NULL, "hop %zu: %s", i,
			    rcvd_hop_ip(&r));
		else
			T(rcvd_hop_ip(&r) && strcmp(rcvd_hop_ip(&r),
			    f[i].ip) == 0, "hop %zu: want %s got %s", i,
			    f[i].ip, rcvd_hop_ip(&r));
		T(strcmp(rcvd_helo(&r), "backup.example.org") == 0,
		    "hop %zu: helo", i);
	}
	rcvd_parse(forged, strlen(forged), &r);
	T(rcvd_hop_ip(&r) && strcmp(rcvd_hop_ip(&r), "203.0.113.66") == 0,
	    "forged: %s", rcvd_hop_ip(&r));
}

/* Received lines of mail shipped in Debian (test_email, enmime, SA). */
static const char *const real_rcvd[][2] = {
	{ "from fepD.post.tele.dk (195.41.46.149) by mail.groupcare.dk (LSMTP "
	  "for Windows NT v1.1b) with SMTP id <0.0014F8A2@mail.groupcare.dk>; "
	  "Mon, 30 Apr 2001 12:17:50 +0200", "195.41.46.149" },
	{ "from xcar [192.168.0.2] by jeeves.wooster.local (SMTPD32-7.07 EVAL) "
	  "id AFF92F0214; Sun, 12 May 2002 08:55:37 +0100", "192.168.0.2" },
	{ "from [204.245.199.98] (helo=zinfandel.lacita.com) by "
	  "www.linux.org.uk with esmtp (Exim 3.13 #1) id 14lYR6-0008Iv-00 for "
	  "linuxuser-admin@www.linux.org.uk; Fri, 06 Apr 2001 18:18:40 +0100",
	  "204.245.199.98" },
	{ "from localhost (localhost) by zinfandel.lacita.com (8.7.3/8.6.10-"
	  "MT4.00) with internal id JAB03225; Fri, 6 Apr 2001 09:23:06 -0800 "
	  "(GMT-0800)", NULL },
	{ "from sims-ms-daemon by cougar.noc.ucla.edu (Sun Internet Mail "
	  "Server sims.3.5.2000.03.23.18.03.p10) id <0GK500B01D0B8Y@cougar."
	  "noc.ucla.edu> for scr-admin@socal-raves.org; Sun, 23 Sep 2001 "
	  "20:14:35 -0700 (PDT)", NULL },
	{ "from HVD-Exch16-01. internal.contoso.dom (192.168.1.50) by "
	  "HVD-Exch16-01. internal.contoso.dom (192.168.1.50) with Microsoft "
	  "SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_"
	  "SHA384_P384) id 15.1.1261.35; Thu, 9 Nov 2017 16:23:15 +0100",
	  "192.168.1.50" },
	{ "by 10.76.55.35 with SMTP id o3csp106612oap; Fri, 10 Jul 2015 "
	  "13:12:34 -0700 (PDT)", NULL },
	{ "from mail135-10.atl141.mandrillapp.com (mail135-10.atl141."
	  "mandrillapp.com. [198.2.135.10]) by mx.google.com with ESMTPS id "
	  "k184si6630505ywf.180.2015.07.10.13.12.34 for <deepak@redsift.io> "
	  "(version=TLSv1 cipher=ECDHE-RSA-RC4-SHA bits=128/128); Fri, 10 Jul "
	  "2015 13:12:34 -0700 (PDT)", "198.2.135.10" },
	{ "from [67.214.212.122] by mandrillapp.com id 163e4a0faf244a2da6b0121"
	  "cc7af1fe9; Fri, 10 Jul 2015 20:12:33 +0000", "67.214.212.122" },
	{ "(from daemon@localhost) by europe.std.com (8.9.3/8.9.3) id RAA09630 "
	  "for tbtf-outgoing; Fri, 20 Apr 2001 17:31:18 -0400 (EDT)", NULL },
	{ "from [208.192.102.193] (ppp0c199.std.com [208.192.102.199]) by "
	  "world.std.com (8.9.3/8.9.3) with ESMTP id RAA14226 for <tbtf@world."
	  "std.com>; Fri, 20 Apr 2001 17:12:04 -0400 (EDT)",
	  "208.192.102.199" },
	{ "from example.org (example.org [64.5.53.58]) by example.net (node="
	  "mxbap2) with ESMTP (Nemesis) id UNIQUE for someone@example.com; "
	  "Mon, 08 Feb 2010 14:05:16 +0100", "64.5.53.58" },
};

static void
t_received_ip(void)
{
	char	ip[64];
	const char *v;
	size_t	i;

	for (i = 0; i < sizeof(real_rcvd) / sizeof(real_rcvd[0]); i++) {
		v = real_rcvd[i][0];
		if (real_rcvd[i][1] == NULL)
			T(!client(v, strlen(v), ip),
			    "real %zu: %s", i, ip);
		else
			T(client(v, strlen(v), ip) &&
			    strcmp(ip, real_rcvd[i][1]) == 0, "real %zu: %s",
			    i, ip);
	}

	v = "from x (HELO 203.0.113.1) (198.51.100.2)";
	T(client(v, strlen(v), ip) &&
	    strcmp(ip, "198.51.100.2") == 0, "qmail HELO ip not taken: %s",
	    ip);
	v = "from x (HELO ) (198.51.100.2) by y";
	T(client(v, strlen(v), ip) &&
	    strcmp(ip, "198.51.100.2") == 0, "empty HELO: %s", ip);
	v = "by x with SMTP; date";
	T(!client(v, strlen(v), ip), "no from");
	v = "from [203.0.113.1";
	T(client(v, strlen(v), ip) == 0, "open bracket");
	v = "from x (y [999.1.1.1]) by z";
	T(client(v, strlen(v), ip) == 0, "bad ip");
	/* found by fuzz_heur: a stray ']' stopped the scan for good */
	v = "from 3.9]) by x";
	T(!client(v, strlen(v), ip), "stray bracket");
	T(client("from a\0b ] [198.51.100.5]", 25, ip) &&
	    strcmp(ip, "198.51.100.5") == 0, "NUL and ]: %s", ip);
	v = "from x ([::ffff:198.51.100.3]) by z";
	T(client(v, strlen(v), ip) &&
	    strcmp(ip, "198.51.100.3") == 0, "mapped: %s", ip);
	v = "from x (y [198.51.100.4]); by [203.0.113.1]";
	T(client(v, strlen(v), ip) &&
	    strcmp(ip, "198.51.100.4") == 0, "stops at ';': %s", ip);
}

/*
 * rcvd_outside: a Received value names a client from outside; the same
 * test rcvd_parse() uses to find the trusted hop's line.
 */
static void
t_hop_line(void)
{
	static const struct {
		const char	*v;
		int		 want;
	} f[] = {
		{ "from unknown (HELO 192.0.2.99) (203.0.113.9)\n  by "
		  "backup.example.org with SMTP; 27 Nov 2026 01:40:20 -0000",
		  1 },
		{ "from helo.example.com (host.example.com [203.0.113.9])\n"
		  "\tby relay.example.org (Postfix) with ESMTPS id 4Nq;\n"
		  "\tFri, 27 Nov 2026 02:40:20 +0100 (CET)", 1 },
		{ "from x (y [2001:db8::25]) by z", 1 },
		{ "from x (y [172.32.0.1]) by z", 1 },
		{ "from x (y [100.128.0.1]) by z", 1 },
		{ "from x (y [11.0.0.1]) by z", 1 },
		{ "from x (y [10.1.2.3]) by z", 0 },
		{ "from x (y [172.16.0.1]) by z", 0 },
		{ "from x (y [172.31.255.255]) by z", 0 },
		{ "from x (y [192.168.1.1]) by z", 0 },
		{ "from x (y [100.64.0.1]) by z", 0 },
		{ "from x (y [169.254.1.1]) by z", 0 },
		{ "from x (y [127.0.0.1]) by z", 0 },
		{ "from x (y [0.0.0.0]) by z", 0 },
		{ "from x (y [::1]) by z", 0 },
		{ "from x (y [fe80::1]) by z", 0 },
		{ "from x (y [fd00::1]) by z", 0 },
		{ "from x (y [::ffff:10.0.0.1]) by z", 0 },
		{ "from x (HELO 203.0.113.1) (10.0.0.2) by z", 0 },
		{ "(qmail 4242 invoked from network); 27 Nov 2026", 0 },
		{ "by x with SMTP; 27 Nov 2026 01:40:22 -0000", 0 },
		{ "from x (y [999.1.1.1]) by z", 0 },
		{ "", 0 },
	};
	const char	*lit = "from x ([203.0.113.5]) by z";
	size_t		 i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		T(outside(f[i].v, strlen(f[i].v)) == f[i].want,
		    "hop line %zu: %s", i, f[i].v);
	/* n bounds it: the IP past n is not seen */
	T(outside(lit, strlen(lit)) == 1 && outside(lit, 8) == 0,
	    "hop line bounded by n");
	/* and rcvd_parse takes the first such line below ours as the hop */
	PARSE(QMAIL("relay.example.org", "")
	    "Received: from x (y [10.1.2.3]) by z; 27 Nov 2026 01:40:00 -0000\n"
	    "Received: from x (y [203.0.113.5]) by z; "
	    "27 Nov 2026 01:39:00 -0000\n\n");
	T(rcvd_hop_ip(&r) && strcmp(rcvd_hop_ip(&r), "203.0.113.5") == 0,
	    "hop after an internal line: %s", rcvd_hop_ip(&r));
}
/* The topmost Received field's date, whoever wrote it. */
static void
t_dates(void)
{
	time_t	t;

	PARSE(QMAIL("mail.example.net", "") OTHER_HDRS "\n");
	T(r.top_date_ok && r.top_date == NOW, "qmail line's date");
	PARSE("Received: from a (b [203.0.113.9])\n\tby c (Postfix) id 1;\n"
	    "\tFri, 27 Nov 2026 02:40:22 +0100 (CET)\n\n");
	T(r.top_date_ok && r.top_date == NOW, "Postfix line's date");
	/* only the topmost field counts: a Received below another is not */
	PARSE("X-Other: 1\n" QMAIL("mail.example.net", "") "\n");
	T(!r.top_date_ok && !r.ok, "not topmost: no date, not ours");
	T(rcvd_date("x; y; 27 Nov 2026 01:40:22 -0000", 32, &t) && t == NOW,
	    "the last ';'");
	T(!rcvd_date("from x by y with SMTP", 21, &t), "no ';'");
	T(!rcvd_date("from x;", 7, &t), "nothing after ';'");
	T(!rcvd_date("x; 27 Nov 2026 01:40:22 -0000", 20, &t),
	    "n bounds it");
}

/* A line that is almost qmail-smtpd's leaves nothing behind. */
static void
t_qmail_fail(void)
{
	static const char *const bad[] = {
		"from x (HELO y) (203.0.113.1) with SMTP",
		"from x (HELO y) (203.0.113.1)",
		"from x (HELO y)(203.0.113.1) by z",
		"from x (HELO y) (not-an-ip) by z",
		"from x (HELO y by z",
		"From x (203.0.113.1) by z",
		"from x",
		"",
	};
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0x55, sizeof(r));
		T(rcvd_qmail(bad[i], &r) == 0 && !r.ok && r.helo[0] == '\0' &&
		    r.host[0] == '\0' && r.ip.family == 0 && !r.auth &&
		    !r.helo_given && rcvd_helo(&r) == NULL, "not qmail's %zu: "
		    "%s", i, bad[i]);
	}
	/* and the line that is, for contrast */
	T(rcvd_qmail("from x (HELO y) (203.0.113.1) by z with ESMTPS; d", &r)
	    && r.ok && r.helo_given && !r.auth && strcmp(r.helo, "y") == 0 &&
	    strcmp(iptext(&r.ip), "203.0.113.1") == 0, "qmail's");
	/* a HELO longer than kept is cut and said so */
	{
		char	v[1024];

		memset(v, 'a', sizeof(v));
		memcpy(v, "from x (HELO ", 13);
		snprintf(v + 600, sizeof(v) - 600, ") (203.0.113.1) by z");
		T(rcvd_qmail(v, &r) && r.helo_long &&
		    strlen(r.helo) == RFC_NAME - 1, "long HELO: %zu",
		    strlen(r.helo));
	}
}

/*
 * The hop rule is msg.c's ipaddr_private (issue 11): multicast,
 * reserved and scoped addresses are no outside client either.
 */
static void
t_hop_rule(void)
{
	static const struct {
		const char	*v;
		int		 want;
	} f[] = {
		{ "from x (y [224.0.0.1]) by z", 0 },
		{ "from x (y [240.0.0.1]) by z", 0 },
		{ "from x (y [IPv6:ff02::1]) by z", 0 },
		{ "from x (y [fe80::1%eth0]) by z", 0 },
		{ "from x (y [192.0.2.1]) by z", 1 },
		{ "from x (y [2001:db8::1]) by z", 1 },
		{ "from x (y [223.255.255.255]) by z", 1 },
	};
	size_t	i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		T(outside(f[i].v, strlen(f[i].v)) == f[i].want,
		    "hop rule %zu: %s", i, f[i].v);
}

/* At most RCVD_HOPS_MAX Received fields below ours are searched. */
static void
t_hops_max(void)
{
	static const char in[] = "Received: from a (b [10.0.0.1]) by c; "
	    "27 Nov 2026 01:40:00 -0000\n";
	static const char out[] = "Received: from a (b [203.0.113.7]) by c; "
	    "27 Nov 2026 01:39:00 -0000\n";
	char	b[4096];
	size_t	n, k;

	for (k = RCVD_HOPS_MAX - 1; k <= RCVD_HOPS_MAX; k++) {
		n = (size_t)snprintf(b, sizeof(b), "%s", QMAIL("x.example",
		    ""));
		for (size_t i = 0; i < k; i++)
			n += (size_t)snprintf(b + n, sizeof(b) - n, "%s", in);
		snprintf(b + n, sizeof(b) - n, "%s\n", out);
		rcvd_parse(b, strlen(b), &r);
		if (k < RCVD_HOPS_MAX)
			T(rcvd_hop_ip(&r) && strcmp(rcvd_hop_ip(&r),
			    "203.0.113.7") == 0, "%zu internal lines", k);
		else
			T(r.ok && rcvd_hop_ip(&r) == NULL,
			    "%zu internal lines: not searched", k);
	}
}

/* Hostile bytes: parse never fails, never reads past its input. */
static void
t_hostile(void)
{
	static const char *const f[] = {
		"", "\n", ":", "Received:", "Received: from", "Received: from ",
		"Received: from x (HELO", "Received: from x (HELO y) (",
		"Received: from x (HELO y) ()", "Received: from x (@) by y",
		"Received: from x (1.2.3.4) by", "Received: from x ((((((",
		"Received: from [[[[", "Received: from ]]]] [1.2.3.4",
		"Received: from x (HELO ) (@@@198.51.100.7) by y",
		"Received: from x (HELO ?) (?" "?198.51.100.7?" "?) by y",
		" Received: from x (203.0.113.1) by y\n",
		"Received: from x (203.0.113.1)\n by y\n\nReceived: from z "
		    "([203.0.113.2]) by w\n",
	};
	size_t	i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		rcvd_parse(f[i], strlen(f[i]), &r);
		T(memchr(r.helo, '\0', sizeof(r.helo)) != NULL &&
		    memchr(r.host, '\0', sizeof(r.host)) != NULL &&
		    (rcvd_hop_ip(&r) == NULL || r.hop.family != 0),
		    "hostile %zu", i);
	}
	/* qmail 1.03's '?' and the INFO part stripped: the IP is found */
	PARSE("Received: from x (HELO ?) (?" "?198.51.100.7?" "?) by y\n\n");
	T(r.ok && strcmp(iptext(&r.ip), CLIENT) == 0, "'?' around the IP");
	/* the section ends at its empty line: no hop past it */
	PARSE("Received: from x (203.0.113.1)\n by y\n\n"
	    "Received: from z ([203.0.113.2]) by w\n");
	T(r.ok && rcvd_hop_ip(&r) == NULL, "no hop past the empty line");
	/* a NUL inside a field is a blank once unfolded */
	PARSE("Received: from x (203.0.113.1) by y\n"
	    "Received: from z\0 ([203.0.113.2]) by w\n\n");
	T(r.ok && rcvd_hop_ip(&r) && strcmp(rcvd_hop_ip(&r),
	    "203.0.113.2") == 0, "NUL: %s", rcvd_hop_ip(&r));
}

/* rcvd_hop: every MTA's line as a hop (the trace rules of heur.c). */
static void
t_trace_hop(void)
{
	static const struct {
		const char	*line, *helo, *rdns, *ip;
		int		 state, smtp, ret;
	} f[] = {
		/* Postfix */
		{ "from mail.example.net (mail.example.net [203.0.113.7]) by "
		  "mx.example.org (Postfix) with ESMTP id 1; D",
		  "mail.example.net", "mail.example.net", "203.0.113.7",
		  RCVD_RDNS_NAME, 0, 1 },
		{ "from Yahoo.COM (unknown [203.0.113.7]) by mx.example.org "
		  "(Postfix) with SMTP id 1; D", "yahoo.com", "", "203.0.113.7",
		  RCVD_RDNS_NONE, 1, 1 },
		{ "from h (unknown [IPv6:2001:db8::5]) by mx (Postfix) with "
		  "ESMTPS id 1; D", "h", "", "2001:db8::5", RCVD_RDNS_NONE, 0,
		  1 },
		/* Sendmail: ident user, "may be forged", no name */
		{ "from dd_it7 (postfix@lugh.example.ie [194.125.145.45]) by "
		  "webnote.net (8.9.3/8.9.3) with SMTP id N; D", "dd_it7",
		  "lugh.example.ie", "194.125.145.45", RCVD_RDNS_NAME, 1, 1 },
		{ "from x.example (host66.example.com [65.217.159.66] (may be "
		  "forged)) by dogma (8.11.6/8.11.6) with ESMTP id g; D",
		  "x.example", "host66.example.com", "65.217.159.66",
		  RCVD_RDNS_NAME, 0, 1 },
		{ "from hotmail.com ([202.106.168.178]) by webnote.net "
		  "(8.9.3/8.9.3) with SMTP id J; D", "hotmail.com", "",
		  "202.106.168.178", RCVD_RDNS_NONE, 1, 1 },
		/* Exim: helo= after the address, or "([IP])" telling nothing */
		{ "from dsl.isp.example ([195.174.161.55] helo=yahoo.com) by "
		  "list.example with smtp (Exim 3.31) id 1; D", "yahoo.com",
		  "dsl.isp.example", "195.174.161.55", RCVD_RDNS_NAME, 1, 1 },
		{ "from [203.0.113.7] (helo=box) by list.example with esmtp "
		  "(Exim 4.96) id 1; D", "box", "", "203.0.113.7",
		  RCVD_RDNS_NA, 0, 1 },
		{ "from web1.mail.yahoo.com ([216.136.130.65]) by l.example "
		  "with smtp (Exim 3.31) id 1; D", "web1.mail.yahoo.com", "",
		  "216.136.130.65", RCVD_RDNS_NA, 1, 1 },
		/* Exim with its name taken out of the line: known by its
		 * queue ID (6-6-2 or, since 4.97, 6-11-4 base-62 bytes) */
		{ "from mail-yw1.google.com ([209.85.128.1]) by l.example "
		  "with esmtps id 1abcDE-0001Xy-AB for b@example.org; D",
		  "mail-yw1.google.com", "", "209.85.128.1", RCVD_RDNS_NA, 0,
		  1 },
		{ "from mail-yw1.google.com ([209.85.128.1]) by l.example "
		  "with esmtps id 1rBAvT-00000000Ttm-2k3A; D",
		  "mail-yw1.google.com", "", "209.85.128.1", RCVD_RDNS_NA, 0,
		  1 },
		/* ... and only by one: Sendmail's and near-Exim IDs, a
		 * Postfix-style one, no ID: "([IP])" is no rDNS */
		{ "from gmail.com ([209.85.128.1]) by l.example "
		  "(8.17.1/8.17.1) with ESMTP id 3ARBeK1x012345; D",
		  "gmail.com", "", "209.85.128.1", RCVD_RDNS_NONE, 0, 1 },
		{ "from gmail.com ([209.85.128.1]) by l.example with esmtps "
		  "id 1abcDE-0001Xy-ABC; D", "gmail.com", "", "209.85.128.1",
		  RCVD_RDNS_NONE, 0, 1 },
		{ "from gmail.com ([209.85.128.1]) by l.example with esmtps "
		  "id 1abcDE-0001X_-AB; D", "gmail.com", "", "209.85.128.1",
		  RCVD_RDNS_NONE, 0, 1 },
		{ "from gmail.com ([209.85.128.1]) by l.example with esmtps "
		  "id 1rBAvT-0000000Ttm-2k3A; D", "gmail.com", "",
		  "209.85.128.1", RCVD_RDNS_NONE, 0, 1 },
		{ "from gmail.com ([209.85.128.1]) by l.example with ESMTP "
		  "id 4Nq2xY1Z3z; D", "gmail.com", "", "209.85.128.1",
		  RCVD_RDNS_NONE, 0, 1 },
		{ "from gmail.com ([209.85.128.1]) by l.example; D",
		  "gmail.com", "", "209.85.128.1", RCVD_RDNS_NONE, 0, 1 },
		/* qmail: HOST "unknown" tells nothing (tcpserver -H); its
		 * "with SMTP" follows EHLO too, so it says nothing of HELO */
		{ "from unknown (HELO n19.grp.example.com) (66.218.66.74) by "
		  "mta2.example.com with SMTP; D", "n19.grp.example.com", "",
		  "66.218.66.74", RCVD_RDNS_NA, 0, 1 },
		{ "from mail.example.net (HELO Box) (203.0.113.7) by mx with "
		  "SMTP; D", "box", "mail.example.net", "203.0.113.7",
		  RCVD_RDNS_NAME, 0, 1 },
		/* Exchange, Microsoft SMTPSVC, bare forms */
		{ "from n05.example.de ([80.18.51.178]) by Correo.example.pe "
		  "with Microsoft SMTPSVC(5.0.2195.2966); D", "n05.example.de",
		  "", "80.18.51.178", RCVD_RDNS_NONE, 0, 1 },
		{ "from 68.17.46.205 [210.22.129.122] by rrouzxp5u37blla with "
		  "ESMTP (SMTPD32-7.11) id A; D", "68.17.46.205", "",
		  "210.22.129.122", RCVD_RDNS_NA, 0, 1 },
		{ "from mail pickup service by mail1.example.com with "
		  "Microsoft SMTPSVC; D", "mail", "", "", RCVD_RDNS_NA, 0, 1 },
		/* qmail-queue's own line, and lines without a from-clause */
		{ "(qmail 71045 invoked from network); D", "", "", "",
		  RCVD_RDNS_NA, 0, 1 },
		{ "(qmail 9026 invoked by uid 0); D", "", "", "",
		  RCVD_RDNS_NA, 0, 0 },
		{ "by hub.example.org (Postfix, from userid 538) id C; D", "",
		  "", "", RCVD_RDNS_NA, 0, 0 },
		{ "(qmail 71045 invoked from networks); D", "", "", "",
		  RCVD_RDNS_NA, 0, 0 },
	};
#define DATED "from a (a [203.0.113.7]) by b; 27 Nov 2026 01:40:22 -0000"
#define TABBED "from a (a [203.0.113.7])\tby MX.example.org (Postfix)\twith " \
	"SMTP id 136B943C32\tfor <b@example.org>; D"
#define EXIMID "from h ([203.0.113.7] helo=x) by l.example with esmtp " \
	"(Exim 3.22 #8) id 17hrT0-0004gj-00 for b@example.org; D"
	struct rcvd_hop	h;
	size_t		i;
	int		k;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		k = rcvd_hop(f[i].line, strlen(f[i].line), &h);
		T(k == f[i].ret && strcmp(h.helo, f[i].helo) == 0 &&
		    strcmp(h.rdns, f[i].rdns) == 0 &&
		    h.rdns_state == f[i].state && h.smtp == f[i].smtp &&
		    strcmp(h.ip.family ? iptext(&h.ip) : "", f[i].ip) == 0 &&
		    h.qmail_net == (strstr(f[i].line, "from network)") != NULL),
		    "hop %zu: %d helo [%s] rdns %d [%s] ip [%s] smtp %d", i, k,
		    h.helo, h.rdns_state, h.rdns,
		    h.ip.family ? iptext(&h.ip) : "", h.smtp);
	}
	k = rcvd_hop(DATED, strlen(DATED), &h);
	T(k == 1 && h.date_ok && h.date == NOW, "hop date %lld",
	    (long long)h.date);
#undef DATED
	/* the receiver and its queue ID, tabs as unfolding leaves them */
	k = rcvd_hop(TABBED, strlen(TABBED), &h);
	T(k == 1 && strcmp(h.by, "mx.example.org") == 0 &&
	    strcmp(h.id, "136B943C32") == 0 && h.smtp, "by [%s] id [%s] %d",
	    h.by, h.id, h.smtp);
	k = rcvd_hop(EXIMID, strlen(EXIMID), &h);
	T(k == 1 && strcmp(h.by, "l.example") == 0 &&
	    strcmp(h.id, "17hrT0-0004gj-00") == 0 && !h.smtp,
	    "by [%s] id [%s] %d", h.by, h.id, h.smtp);
	k = rcvd_hop("from a (a [203.0.113.7]) byway id x; D", 38, &h);
	T(k == 1 && h.by[0] == '\0' && h.id[0] == '\0', "no by: [%s] [%s]",
	    h.by, h.id);
#undef TABBED
#undef EXIMID
	/* the section: ours first, every line counted, the first kept */
	PARSE(QMAIL("mail.example.net", "")
	    "Received: (qmail 1 invoked from network); 27 Nov 2026 01:40:22 "
	    "-0000\nReceived: from a (a [203.0.113.7]) by b; D\n"
	    OTHER_HDRS "Received: from late (late [203.0.113.8]) by c; D\n\n");
	T(r.ok && r.nrcvd == 4 && r.nhop == 4 && r.hops[0].from &&
	    strcmp(r.hops[0].helo, "mail.example.net") == 0 &&
	    r.hops[1].qmail_net && strcmp(r.hops[2].helo, "a") == 0 &&
	    strcmp(r.hops[3].helo, "late") == 0 &&
	    strcmp(rcvd_hop_ip(&r), "203.0.113.7") == 0,
	    "trace: %u lines, %u hops", r.nrcvd, r.nhop);
}

int
main(void)
{
	t_qmail_line();
	t_hop();
	t_received_ip();
	t_hop_line();
	t_dates();
	t_qmail_fail();
	t_hop_rule();
	t_hops_max();
	t_hostile();
	t_trace_hop();
	return t_done();
}

/*
 * fuzz_dnsans.c - the answer parsers on arbitrary bytes: dnsbl.c's
 * A-answer classifier against lists with every profile and hostile
 * filters, the PTR walker, the forward-confirm matcher and the TXT reader,
 * and dns.c's own (dns_rr, dns_name, dns_addrs, dns_txt, dns_rcode).  No
 * crash, no leak, and the invariants: a listing only from 127/8 codes
 * that are not 127.0.0.1 or 127.255.255.0/24; a TXT never longer than the
 * cap; every record's RDATA inside the answer; a name that fits is
 * NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnsbl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct dnsbl_conf *conf;

static const char *const lines[] = {
	"dnsbl ZEN zen.spamhaus.org",
	"rhsbl DBL dbl.spamhaus.org",
	"dnswl WL list.dnswl.org",
	"dnsbl SC bl.spamcop.net",
	"dnsbl GEN generic.example",
	"dnsbl F f.example 127.0.0.[2;4..7;255]=2:F_A 127.[0..255].0.2:F_B "
	    "127.0.0.[8..9]=error 127.255.255.[0..255]=9:F_C",
	NULL
};

static void
setup(void)
{
	char buf[256], *w[16], *p, *save, err[128];
	int i, n;

	if ((conf = dnsbl_conf_new()) == NULL)
		abort();
	for (i = 0; lines[i] != NULL; i++) {
		memcpy(buf, lines[i], strlen(lines[i]) + 1);
		n = 0;
		for (p = strtok_r(buf, " ", &save); p != NULL && n < 16;
		    p = strtok_r(NULL, " ", &save))
			w[n++] = p;
		if (dnsbl_conf_line(conf, n, w, err, sizeof(err)) == -1)
			abort();
	}
}

static void
check_class(const struct dnsbl_class *c)
{
	unsigned long code;
	int i, f, any;

	if (c->naddr < 0 || c->naddr > DNSBL_MAXA)
		abort();
	for (i = 0; i < c->naddr; i++) {
		code = c->addr[i];
		for (f = any = 0; f < DNSBL_MAXFILTERS; f++)
			any |= (c->fmask[f] >> i) & 1;
		if (any && ((code >> 24) != 127 || code == 0x7f000001UL ||
		    (code & 0xffffff00UL) == 0x7fffff00UL))
			abort();
	}
	if (memchr(c->answer, '\0', sizeof(c->answer)) == NULL)
		abort();
}

/* dns.c's parsers: every record, every name at an RDATA start. */
static void
dns_parsers(const uint8_t *d, int len)
{
	struct dns_rr rr;
	unsigned char a[16 * 8];
	char name[1100], txt[300];
	int i, k;

	memset(&rr, 0, sizeof(rr));
	for (i = 0; i < 70000 && (k = dns_rr(d, len, &rr)) == 1; i++) {
		if (rr.off > (size_t)len || rr.len > (size_t)len - rr.off)
			abort();
		k = dns_name(d, len, rr.off, name, sizeof(name));
		if (k >= 0 && (size_t)k < sizeof(name) &&
		    memchr(name, '\0', sizeof(name)) == NULL)
			abort();
	}
	if (dns_addrs(d, len, 4, a, 8) > 8 || dns_addrs(d, len, 6, a, 8) > 8)
		abort();
	if (dns_txt(d, len, txt, sizeof(txt)) > sizeof(txt))
		abort();
	if (dns_rcode(d, len) > 15)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct dnsbl_class c;
	unsigned char a[16];
	char name[1100], txt[DNSBL_TXTMAX];
	size_t i;
	int len = n > 65535 ? 65535 : (int)n;

	if (conf == NULL)
		setup();
	for (i = 0; i < dnsbl_conf_nlists(conf); i++) {
		dnsbl_classify(dnsbl_conf_list(conf, i), d, len, &c);
		check_class(&c);
	}
	if (dnsbl_ptr_parse(d, len, name, sizeof(name)) == 0 &&
	    memchr(name, '\0', sizeof(name)) == NULL)
		abort();
	memset(a, 0, sizeof(a));
	(void)dnsbl_addr_match(d, len, 4, a);
	(void)dnsbl_addr_match(d, len, 6, a);
	if (dnsbl_txt_parse(d, len, txt, sizeof(txt)) > sizeof(txt))
		abort();
	dns_parsers(d, len);
	return 0;
}

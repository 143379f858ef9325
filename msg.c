/*
 * msg.c - one message's context (msg.h).  This part: client addresses
 * parsed once, and the one rule for the addresses that are never looked
 * up (DESIGN.md §3; STYLE.md "Parsing untrusted input").
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "msg.h"

/*
 * Parse n bytes of address text: IPv4, IPv6 (a "IPv6:" prefix as in an
 * RFC 5321 address literal, and a "%scope" suffix, are allowed).  0 and
 * the address, or -1 (ip->family 0) when it is none.
 */
int
ipaddr_parse(const char *s, size_t n, struct ipaddr *ip)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	char	t[IPADDR_TEXT + 8];
	const char *pct;

	memset(ip, 0, sizeof(*ip));
	if (s == NULL)
		return -1;
	if (n >= 5 && strncasecmp(s, "IPv6:", 5) == 0) {
		s += 5;
		n -= 5;
	}
	if ((pct = memchr(s, '%', n)) != NULL)
		n = (size_t)(pct - s);
	if (n == 0 || n >= sizeof(t))
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	if (inet_pton(AF_INET, t, ip->a) == 1) {
		ip->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, t, ip->a) != 1)
		return -1;
	ip->family = 6;
	if (memcmp(ip->a, mapped, sizeof(mapped)) == 0) {
		memmove(ip->a, ip->a + 12, 4);
		memset(ip->a + 4, 0, 12);
		ip->family = 4;
	}
	return 0;
}

/* ipaddr_parse of a NUL-terminated string (NULL: no address). */
int
ipaddr_parses(const char *s, struct ipaddr *ip)
{
	return ipaddr_parse(s, s != NULL ? strlen(s) : 0, ip);
}

/*
 * 1 if no lookup may be made for this address and its mail is not
 * checked: no address, unspecified, loopback, RFC 1918, CGNAT (RFC 6598),
 * link-local, multicast and reserved (224/3 in IPv4, ff00::/8), ULA
 * (fc00::/7).  The documentation ranges (192.0.2/24, 2001:db8::/32) stay
 * checkable: the demo and the tests use them.
 */
int
ipaddr_private(const struct ipaddr *ip)
{
	static const unsigned char zero[15];
	const unsigned char *a = ip->a;

	if (ip->family == 4)
		return a[0] == 0 || a[0] == 10 || a[0] == 127 ||
		    a[0] >= 224 || (a[0] == 169 && a[1] == 254) ||
		    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168) ||
		    (a[0] == 100 && (a[1] & 0xc0) == 64);
	if (ip->family == 6)
		return (memcmp(a, zero, 15) == 0 && a[15] <= 1) ||
		    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
		    (a[0] & 0xfe) == 0xfc || a[0] == 0xff;
	return 1;
}

/* Are x and y the same address? */
int
ipaddr_eq(const struct ipaddr *x, const struct ipaddr *y)
{
	return x->family == y->family && x->family != 0 &&
	    memcmp(x->a, y->a, sizeof(x->a)) == 0;
}

/* The address as text in dst (cap bytes); its length, 0 if none. */
size_t
ipaddr_text(const struct ipaddr *ip, char *dst, size_t cap)
{
	if (cap == 0)
		return 0;
	dst[0] = '\0';
	if (ip->family == 0 || inet_ntop(ip->family == 4 ? AF_INET : AF_INET6,
	    ip->a, dst, (socklen_t)cap) == NULL) {
		dst[0] = '\0';
		return 0;
	}
	return strlen(dst);
}

/*
 * The client a message is checked for: ip (text, untrusted; NULL: none)
 * parsed once; hop: it is a trusted relay's client; anyip: qqtag -c -A.
 */
void
msg_client(struct msg *m, const char *ip, int hop, int anyip)
{
	m->iptext = ip;
	ipaddr_parses(ip, &m->ip);
	m->hop = hop;
	m->anyip = anyip;
	m->now = time(NULL);
}

/*
 * Parse the capped header copy (LF line ends, any bytes): its fields
 * (rfc5322.c) and its trace lines (received.c).  Never fails; cut: the
 * copy hit its cap.
 */
void
msg_hdrs_parse(const char *hdr, size_t len, int cut, struct msg_hdrs *h)
{
	rfc_parse(hdr, len, cut, &h->rfc);
	rcvd_parse(hdr, len, &h->rcvd);
}

/* The From: domain (lowercased LDH name with a dot) or NULL. */
const char *
msg_from_domain(const struct msg_hdrs *h)
{
	const struct rfc_fields	*f = &h->rfc;

	if (!f->from_ok || !dom_valid(f->from_domain, strlen(f->from_domain),
	    DOM_US | DOM_FQDN))
		return NULL;
	return f->from_domain;
}

/*
 * The header section is complete: parsed once into m->hdrs; the From:
 * domain the domain lists ask about is a valid name or NULL.
 */
void
msg_headers(struct msg *m, const char *hdr, size_t len, int cut)
{
	m->hdr = hdr;
	m->hdrlen = len;
	m->hdrcut = cut;
	msg_hdrs_parse(hdr, len, cut, &m->hdrs);
	m->from_domain = msg_from_domain(&m->hdrs);
	m->have_headers = 1;
}

/*
 * The message's DNS service, made on first use with m->servers: one
 * channel, one cache, one deadline for every check.  NULL when it cannot
 * be made (every DNS check of the message is then an error).
 */
struct dns *
msg_dns(struct msg *m)
{
	if (m->dns == NULL)
		m->dns = dns_new(m->servers, NULL, 0);
	return m->dns;
}

/* Release what the context holds (its DNS service). */
void
msg_free(struct msg *m)
{
	if (m->dns != NULL)
		dns_free(m->dns);
	m->dns = NULL;
}

/*
 * msg.c - one message's context (msg.h).  This part: client addresses
 * parsed once, and the one rule for the addresses that are never looked
 * up (DESIGN.md §3; STYLE.md "Parsing untrusted input").
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

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

/*
 * urihost.c - one host of a URL, checked and normalised the way a browser
 * reads it (WHATWG URL Standard, "host parsing"): an IPv6 literal in
 * brackets, an IPv4 address in any of the forms browsers accept (a host
 * whose last label is a number must be one), or an LDH name (RFC 1123
 * §2.1; IDNA A-labels "xn--" are LDH and kept as they are).
 */
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rfc5322.h"
#include "uriextract.h"

/* One IPv4 part: 0x hex, 0 octal, or decimal; -1 if not a number. */
static int
v4part(const char *p, size_t n, uint64_t *v)
{
	unsigned	base = 10;
	int		d;

	*v = 0;
	if (n >= 2 && p[0] == '0' && rfc_lc(p[1]) == 'x') {
		base = 16;
		p += 2;
		n -= 2;
	} else if (n >= 2 && p[0] == '0') {
		base = 8;
		p++;
		n--;
	} else if (n == 0)
		return -1;
	for (; n > 0; p++, n--) {
		d = rfc_hexval((unsigned char)*p);
		if (d < 0 || (unsigned)d >= base)
			return -1;
		*v = *v * base + (unsigned)d;
		if (*v > 0xffffffffULL)
			return -1;
	}
	return 0;
}

/* The last label is a number (decimal or 0x hex): the host is IPv4. */
static int
ends_in_number(const char *p, size_t n)
{
	const char	*dot = memrchr(p, '.', n);
	size_t		 i;

	if (dot != NULL) {
		n -= (size_t)(dot + 1 - p);
		p = dot + 1;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == n)
		return 1;
	if (n < 2 || p[0] != '0' || rfc_lc(p[1]) != 'x')
		return 0;
	for (i = 2; i < n; i++)
		if (rfc_hexval((unsigned char)p[i]) < 0)
			return 0;
	return 1;
}

/* WHATWG "IPv4 parser": 1 to 4 parts, the last one fills the rest. */
static int
ipv4(const char *p, size_t n, char *out)
{
	uint64_t	 v, addr = 0;
	const char	*e;
	size_t		 k, np = 0;

	for (;;) {
		e = memchr(p, '.', n);
		k = e ? (size_t)(e - p) : n;
		if (++np > 4 || v4part(p, k, &v) == -1)
			return -1;
		if (e == NULL)
			break;
		if (v > 255)
			return -1;
		addr = addr << 8 | v;
		p += k + 1;
		n -= k + 1;
	}
	if (v >= 1ULL << (8 * (5 - np)))
		return -1;
	addr = addr << (8 * (5 - np)) | v;
	snprintf(out, URIX_HOST, "%u.%u.%u.%u", (unsigned)(addr >> 24),
	    (unsigned)(addr >> 16 & 255), (unsigned)(addr >> 8 & 255),
	    (unsigned)(addr & 255));
	return 0;
}

/* [IPv6]: inet_pton's forms; ::ffff:a.b.c.d is IPv4. */
static int
ipv6(const char *p, size_t n, char *out)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned char	a[16];
	char		t[64];

	if (n < 2 || n - 2 >= sizeof(t) || p[n - 1] != ']')
		return -1;
	memcpy(t, p + 1, n - 2);
	t[n - 2] = '\0';
	if (inet_pton(AF_INET6, t, a) != 1)
		return -1;
	if (memcmp(a, mapped, sizeof(mapped)) == 0)
		snprintf(out, URIX_HOST, "%u.%u.%u.%u", a[12], a[13], a[14],
		    a[15]);
	else if (inet_ntop(AF_INET6, a, out, URIX_HOST) == NULL)
		return -1;
	return 0;
}

/* LDH labels of 1-63 bytes, no '-' at either end, two labels or more. */
static int
ldh(const char *p, size_t n, char *out)
{
	size_t	i, lab = 0, nlab = 1;
	int	c;

	if (n == 0 || n > 253)
		return -1;
	for (i = 0; i < n; i++) {
		c = rfc_lc((unsigned char)p[i]);
		if (c == '.') {
			if (lab == 0 || out[i - 1] == '-')
				return -1;
			lab = 0;
			nlab++;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c == '-' && lab > 0)) {
			if (++lab > 63)
				return -1;
		} else
			return -1;
		out[i] = (char)c;
	}
	if (lab == 0 || out[n - 1] == '-' || nlab < 2)
		return -1;
	out[n] = '\0';
	return 0;
}

/*
 * Check one host and write it normalised to out (URIX_HOST bytes); -1
 * when it is neither an LDH name of two labels or more nor an address.
 */
int
urihost_norm(const char *p, size_t n, char *out, int *is_ip)
{
	*is_ip = 0;
	out[0] = '\0';
	if (n > 0 && p[0] == '[') {
		*is_ip = 1;
		return ipv6(p, n, out);
	}
	if (n > 0 && p[n - 1] == '.')
		n--;
	if (n >= URIX_HOST)
		return -1;
	if (ends_in_number(p, n)) {
		*is_ip = 1;
		return ipv4(p, n, out);
	}
	return ldh(p, n, out);
}

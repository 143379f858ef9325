/*
 * fuzz_geo.c - geo.c over arbitrary MaxMind DB bytes: the input becomes a
 * memfd opened as both the country and the ASN database through
 * /proc/self/fd/N, then geo_lookup runs for a fixed set of addresses plus
 * one taken from the input, and geo_conf_check walks the tree.  Whatever
 * the bytes, the results keep geo.h's promises: a known error key or
 * none, a country of two upper-case letters, an org of at most
 * GEO_ORGMAX - 1 bytes and NUL-terminated.
 * libmaxminddb itself is not instrumented: faults inside it are caught
 * by geo.c's window (that is part of what is tested).
 */
#include <sys/mman.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char	*__lsan_default_suppressions(void);

/*
 * libmaxminddb 1.7.1 leaks about 4.6 KB when MMDB_open meets malformed
 * metadata (MMDB_get_entry_data_list's pool is not freed on error; also
 * under mmdblookup and valgrind).  Not ours and harmless to qqtag (one
 * process per message), but LeakSanitizer would stop the fuzzer on it.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libmaxminddb.so\n";
}

static const char *const ips[] = {
	"192.0.2.1", "::ffff:203.0.113.9", "198.51.100.7", "2001:db8::1",
	"2001:db8:5::1", "1.2.3.4", "0.0.0.0", "255.255.255.255", "::1",
	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::", NULL,
};

static int
sane(const struct geo_result *r)
{
	if (r->error != NULL && strncmp(r->error, "country-", 8) != 0 &&
	    strncmp(r->error, "asn-", 4) != 0)
		return 0;
	if (r->have_country && (strlen(r->cc) != 2 || r->cc[0] < 'A' ||
	    r->cc[0] > 'Z' || r->cc[1] < 'A' || r->cc[1] > 'Z'))
		return 0;
	if (r->orglen >= GEO_ORGMAX || r->org[r->orglen] != '\0')
		return 0;
	return !r->have_asn || (r->asn > 0 && r->asn <= 4294967295UL);
}

/* An address from the input's last 16 bytes, IPv6 text. */
static void
input_ip(const uint8_t *d, size_t n, char *buf, size_t len)
{
	uint8_t	 a[16];
	size_t	 i;

	memset(a, 0, sizeof(a));
	for (i = 0; i < 16 && i < n; i++)
		a[i] = d[n - 1 - i];
	snprintf(buf, len, "%x:%x:%x:%x:%x:%x:%x:%x",
	    a[0] << 8 | a[1], a[2] << 8 | a[3], a[4] << 8 | a[5],
	    a[6] << 8 | a[7], a[8] << 8 | a[9], a[10] << 8 | a[11],
	    a[12] << 8 | a[13], a[14] << 8 | a[15]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	char			 path[64], ip[64], err[256];
	char			*l1[] = { "geoip", "country", path };
	char			*l2[] = { "geoip", "asn", path };
	int			 fd, i;

	if ((fd = memfd_create("fuzz_geo", MFD_CLOEXEC)) == -1)
		return 0;
	if (write(fd, d, n) != (ssize_t)n || (c = geo_conf_new()) == NULL) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (geo_conf_line(c, 3, l1, err, sizeof(err)) == -1 ||
	    geo_conf_line(c, 3, l2, err, sizeof(err)) == -1)
		abort();
	for (i = 0; ips[i] != NULL; i++) {
		geo_lookup(c, ips[i], &r);
		if (!sane(&r))
			abort();
	}
	input_ip(d, n, ip, sizeof(ip));
	geo_lookup(c, ip, &r);
	if (!sane(&r))
		abort();
	if (geo_conf_check(c, err, sizeof(err)) == -1 && err[0] == '\0')
		abort();
	geo_conf_free(c);
	close(fd);
	return 0;
}

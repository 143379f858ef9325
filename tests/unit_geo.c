/*
 * unit_geo.c - geo.c against MaxMind DB files that tests/mkmmdb.pl builds
 * with MaxMind's own writer at the start of the run: policy lines, IPv4,
 * IPv6 and ::ffff: lookups, weights, hostile strings, missing, empty,
 * truncated and corrupted files, a file truncated in place while mapped
 * (SIGBUS, also from another process), a file replaced by rename, hostile
 * nesting that overflows libmaxminddb's stack, and no descriptor, mapping
 * or signal handler left behind.  Ends with the lookup cost.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "geo.h"
#include "unit.h"

static char	dir[256];
static char	p_country[300], p_asn[300], p_alt[300], p_c4[300];
static char	p_deep[300], p_shallow[300], p_big[300], p_work[300];

static const char *const known_errors[] = {
	"ip-invalid", "country-missing", "country-unreadable",
	"country-nomem", "country-corrupt", "country-data", "country-sigbus",
	"country-segv", "asn-missing", "asn-unreadable", "asn-nomem",
	"asn-corrupt", "asn-data", "asn-sigbus", "asn-segv", NULL,
};

const char	*__lsan_default_suppressions(void);

/*
 * libmaxminddb 1.7.1 leaks about 4.6 KB when MMDB_open meets malformed
 * metadata (its own bug, also under mmdblookup; tests/fuzz/geo/
 * libmaxminddb-metadata-leak shows it).  Under make asan the corrupted
 * files would trip LeakSanitizer on it.  A geo.c that forgot MMDB_close
 * is still caught: by the mapping checks below.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libmaxminddb.so\n";
}

/* ---- helpers ------------------------------------------------------- */

static void
path(char *buf, const char *name)
{
	snprintf(buf, 300, "%s/%s", dir, name);
}

static int
nfds(void)
{
	struct dirent	*de;
	DIR		*d;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own */
}

/* Whether /proc/self/maps shows a file of the test directory. */
static int
mapped(void)
{
	char	 line[1024];
	FILE	*fp;
	int	 hit = 0;

	if ((fp = fopen("/proc/self/maps", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		hit |= strstr(line, dir) != NULL;
	fclose(fp);
	return hit;
}

static int
copy(const char *from, const char *to)
{
	char	 b[65536];
	ssize_t	 n;
	int	 in, out, rc = 0;

	if ((in = open(from, O_RDONLY)) == -1)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
		close(in);
		return -1;
	}
	while ((n = read(in, b, sizeof(b))) > 0)
		if (write(out, b, (size_t)n) != n)
			rc = -1;
	close(in);
	close(out);
	return n == 0 ? rc : -1;
}

static unsigned char *
slurp(const char *p, size_t *len)
{
	unsigned char	*b;
	struct stat	 st;
	int		 fd;

	if ((fd = open(p, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		return NULL;
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL || read(fd, b, (size_t)st.st_size) != st.st_size) {
		close(fd);
		free(b);
		return NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static int
spit(const char *p, const void *b, size_t len)
{
	int	 fd, rc;

	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return -1;
	rc = write(fd, b, len) == (ssize_t)len ? 0 : -1;
	close(fd);
	return rc;
}

/* A configuration from policy words, one line per NULL-ended group. */
static struct geo_conf *
conf(const char *cpath, const char *apath)
{
	struct geo_conf	*c;
	char		 err[256];
	char		*l1[] = { "geoip", "country", (char *)cpath };
	char		*l2[] = { "geoip", "asn", (char *)apath };

	if ((c = geo_conf_new()) == NULL)
		return NULL;
	if (cpath != NULL && geo_conf_line(c, 3, l1, err, sizeof(err)))
		fprintf(stderr, "conf: %s\n", err);
	if (apath != NULL && geo_conf_line(c, 3, l2, err, sizeof(err)))
		fprintf(stderr, "conf: %s\n", err);
	return c;
}

static int
line(struct geo_conf *c, const char *text, char *err, size_t errlen)
{
	char	 buf[512], *av[64], *s;
	int	 ac = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	s = buf;
	while (*s != '\0' && ac < 64) {
		while (*s == ' ')
			*s++ = '\0';
		if (*s == '\0')
			break;
		av[ac++] = s;
		while (*s != '\0' && *s != ' ')
			s++;
	}
	return geo_conf_line(c, ac, av, err, errlen);
}

static int
known_error(const char *e)
{
	int	 i;

	if (e == NULL)
		return 1;
	for (i = 0; known_errors[i] != NULL; i++)
		if (strcmp(known_errors[i], e) == 0)
			return 1;
	return 0;
}

/* The invariants of any result, whatever the database held. */
static int
sane(const struct geo_result *r)
{
	if (!known_error(r->error))
		return 0;
	if (r->have_country && (strlen(r->cc) != 2 || r->cc[0] < 'A' ||
	    r->cc[0] > 'Z' || r->cc[1] < 'A' || r->cc[1] > 'Z'))
		return 0;
	if (!r->have_country && r->cc[0] != '\0')
		return 0;
	if (r->orglen >= GEO_ORGMAX || r->org[r->orglen] != '\0')
		return 0;
	if (r->have_asn && (r->asn == 0 || r->asn > 4294967295UL))
		return 0;
	return 1;
}

static const char *
s(const char *p)
{
	return p != NULL ? p : "(null)";
}

/* ---- policy lines ------------------------------------------------- */

static void
t_conf(void)
{
	static const char *const bad[] = {
		"geoip", "geoip country", "geoip country a b",
		"geoip city /x.mmdb", "geoip country rel/x.mmdb",
		"country", "country CN", "country CN 1 RU", "country C1 1",
		"country CHN 1", "country C 1", "country CN x",
		"country CN 1e9",
		"country CN nan", "country CN inf", "country CN 1.5x",
		"country \xc3\xa9X 1", "asn 1", "asn 0 1", "asn AS 1",
		"asn 4294967296 1", "asn -5 1", "asn +5 1", "asn 12x 1",
		"asn 99999999999999999999999 1", "asn 64500 --1", "foo bar 1",
		NULL,
	};
	static const char *const good[] = {
		"country CN 1.5 RU 1.5", "country cn 2", "country DE -0.5",
		"asn 4134 2", "asn AS4837 2 as64500 1000",
		"asn 4294967295 -1000",
		"geoip country /var/lib/GeoIP/GeoLite2-Country.mmdb",
		"geoip asn /var/lib/GeoIP/GeoLite2-ASN.mmdb", NULL,
	};
	struct geo_conf	*c;
	char		 err[256];
	int		 i;

	c = geo_conf_new();
	T(c != NULL, "geo_conf_new");
	T(!geo_enabled(c), "empty configuration is not enabled");
	for (i = 0; bad[i] != NULL; i++) {
		err[0] = '\0';
		T(line(c, bad[i], err, sizeof(err)) == -1 && err[0] != '\0' &&
		    strchr(err, '\n') == NULL,
		    "bad line accepted or no reason: \"%s\" -> %s", bad[i],
		    err);
	}
	T(geo_conf_line(c, 0, NULL, err, sizeof(err)) == -1, "argc 0");
	T(!geo_enabled(c), "bad lines enable nothing");
	for (i = 0; good[i] != NULL; i++)
		T(line(c, good[i], err, sizeof(err)) == 0,
		    "good line \"%s\": %s", good[i], err);
	T(geo_enabled(c), "geoip lines enable lookups");
	geo_conf_free(c);
	geo_conf_free(NULL);
}

/* ---- lookups -------------------------------------------------------- */

struct want {
	const char	*ip;
	const char	*cc;		/* NULL: no country */
	unsigned long	 asn;		/* 0: no ASN */
	const char	*org;		/* NULL: do not compare */
	const char	*error;
};

static const struct want wants[] = {
	{ "192.0.2.1", "DE", 64500, "Example Org", NULL },
	{ "192.0.2.255", "DE", 64500, "Example Org", NULL },
	{ "::ffff:192.0.2.77", "DE", 64500, "Example Org", NULL },
	{ "::FFFF:192.0.2.77", "DE", 64500, "Example Org", NULL },
	{ "198.51.100.7", "US", 0, "", NULL },
	{ "::ffff:198.51.100.7", "US", 0, "", NULL },
	{ "203.0.113.9", "CN", 64501, NULL, NULL },
	{ "2001:db8::1", "FR", 64502, "Example v6 Net", NULL },
	{ "2001:0DB8:ffff:1234:5678:9abc:def0:1", "FR", 64502, NULL, NULL },
	{ "2001:db8:1::1", "SE", 64502, "Example v6 Net", NULL },
	{ "2001:db8:2::1", NULL, 0, "", "country-data" },
	{ "2001:db8:3::1", "DE", 0, "", NULL },
	{ "2001:db8:4::1", NULL, 64504, "", "country-data" },
	{ "2001:db8:5::1", NULL, 4294967295UL, NULL, NULL },
	{ "10.1.2.3", NULL, 0, "", NULL },
	{ "8.8.8.8", NULL, 0, "", NULL },
	{ "192.0.3.1", NULL, 0, "", NULL },
	{ "2001:db9::1", NULL, 0, "", NULL },
	{ "::1", NULL, 0, "", NULL },
	{ "garbage", NULL, 0, "", "ip-invalid" },
	{ "1.2.3", NULL, 0, "", "ip-invalid" },
	{ "192.0.2.1 ", NULL, 0, "", "ip-invalid" },
	{ "::ffff:192.0.2.1.5", NULL, 0, "", "ip-invalid" },
	{ "fe80::1%eth0", NULL, 0, "", "ip-invalid" },
	{ "[2001:db8::1]", NULL, 0, "", "ip-invalid" },
	{ NULL, NULL, 0, NULL, NULL },
};

static void
check_want(const struct geo_conf *c, const struct want *w)
{
	struct geo_result	 r;

	geo_lookup(c, w->ip, &r);
	T(sane(&r), "%s: insane result", w->ip);
	T(w->error == NULL ? r.error == NULL :
	    r.error != NULL && strcmp(r.error, w->error) == 0,
	    "%s: error %s, want %s", w->ip, s(r.error), s(w->error));
	T(w->cc == NULL ? !r.have_country :
	    r.have_country && strcmp(r.cc, w->cc) == 0,
	    "%s: country %d %s, want %s", w->ip, r.have_country, r.cc,
	    s(w->cc));
	T(w->asn == 0 ? !r.have_asn : r.have_asn && r.asn == w->asn,
	    "%s: asn %d %lu, want %lu", w->ip, r.have_asn, r.asn, w->asn);
	T(w->org == NULL || (strcmp(r.org, w->org) == 0 &&
	    r.orglen == strlen(w->org)), "%s: org \"%s\" (%zu), want \"%s\"",
	    w->ip, r.org, r.orglen, s(w->org));
	T(r.weight == 0 && r.tests[0] == NULL && r.tests[1] == NULL,
	    "%s: weight without weights", w->ip);
}

static void
t_lookup(void)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	int			 i, fds = nfds();

	c = conf(p_country, p_asn);
	for (i = 0; wants[i].ip != NULL; i++)
		check_want(c, &wants[i]);
	/* libmaxminddb closes its descriptor once the file is mapped */
	T(fds > 0 && nfds() == fds, "lookups leave no descriptor: %d, %d",
	    fds, nfds());
	T(mapped() == 0, "lookups leave no mapping");
	geo_lookup(c, NULL, &r);
	T(r.error == NULL && !r.have_country && !r.have_asn, "NULL ip");
	geo_lookup(c, "", &r);
	T(r.error == NULL && !r.have_country && !r.have_asn, "empty ip");
	geo_conf_free(c);

	/* no databases: nothing looked up, not even a bad address */
	c = geo_conf_new();
	geo_lookup(c, "garbage", &r);
	T(r.error == NULL && !r.have_country, "no databases, no lookup");
	geo_lookup(NULL, "192.0.2.1", &r);
	T(r.error == NULL && !r.have_country, "NULL configuration");
	geo_conf_free(c);
}

static void
t_ipv4_only(void)
{
	struct geo_conf		*c;
	struct geo_result	 r;

	c = conf(p_c4, NULL);
	geo_lookup(c, "192.0.2.1", &r);
	T(r.have_country && strcmp(r.cc, "DE") == 0 && r.error == NULL,
	    "IPv4 database, IPv4: %s %s", r.cc, s(r.error));
	geo_lookup(c, "::ffff:203.0.113.1", &r);
	T(r.have_country && strcmp(r.cc, "CN") == 0 && r.error == NULL,
	    "IPv4 database, ::ffff: %s %s", r.cc, s(r.error));
	geo_lookup(c, "2001:db8::1", &r);
	T(!r.have_country && r.error == NULL,
	    "IPv4 database, IPv6: no data, no error: %s", s(r.error));
	geo_conf_free(c);
}

static void
t_hostile_org(void)
{
	static const char head[] = "Evil Org\r\nX-Spam-Flag: NO\r\n\0"
	    "\xc3\xa9\xc3\xbf\x01\x7f" "AAAA";
	struct geo_conf		*c;
	struct geo_result	 r;
	size_t			 i;

	c = conf(p_country, p_asn);
	geo_lookup(c, "203.0.113.200", &r);
	T(r.have_asn && r.asn == 64501, "hostile: AS64501");
	T(r.orglen == GEO_ORGMAX - 1, "hostile org cut to %d: %zu",
	    GEO_ORGMAX - 1, r.orglen);
	T(r.org[GEO_ORGMAX - 1] == '\0', "hostile org NUL-terminated");
	T(memcmp(r.org, head, sizeof(head) - 1) == 0,
	    "hostile org kept raw (CR LF NUL 8-bit)");
	for (i = sizeof(head) - 1; i < r.orglen; i++)
		if (r.org[i] != 'A')
			break;
	T(i == r.orglen, "hostile org padding intact to the cut");
	T(strlen(r.org) == 27, "embedded NUL stays (C string is %zu)",
	    strlen(r.org));
	geo_lookup(c, "2001:db8:5::9", &r);
	T(r.orglen == 127 && r.org[127] == '\0' && r.org[126] == 'O',
	    "127-byte org exactly kept: %zu", r.orglen);
	geo_conf_free(c);
}

static void
t_weights(void)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	char			 err[256];

	c = conf(p_country, p_asn);
	T(line(c, "country DE 1.5 CN 2 fr -0.5", err, sizeof(err)) == 0,
	    "weights: %s", err);
	T(line(c, "asn 64500 2 AS64501 3", err, sizeof(err)) == 0,
	    "weights: %s", err);
	T(line(c, "country US 1 X1 2", err, sizeof(err)) == -1,
	    "bad pair rejects the line");
	T(line(c, "asn 64502 1 0 2", err, sizeof(err)) == -1,
	    "bad pair rejects the line");
	T(line(c, "country cn 2.5", err, sizeof(err)) == 0,
	    "a later weight replaces: %s", err);
	geo_lookup(c, "192.0.2.1", &r);
	T(r.weight == 3.5, "DE + AS64500 = 3.5: %g", r.weight);
	T(r.tests[0] && strcmp(r.tests[0], "GEO_CC_DE") == 0 &&
	    r.tests[1] && strcmp(r.tests[1], "GEO_ASN_64500") == 0,
	    "test names %s %s", s(r.tests[0]), s(r.tests[1]));
	geo_lookup(c, "203.0.113.1", &r);
	T(r.weight == 5.5, "CN (replaced 2.5) + AS64501 = 5.5: %g", r.weight);
	geo_lookup(c, "2001:db8::1", &r);
	T(r.weight == -0.5 && r.tests[0] != NULL &&
	    strcmp(r.tests[0], "GEO_CC_FR") == 0 && r.tests[1] == NULL,
	    "FR only, negative: %g %s", r.weight, s(r.tests[1]));
	geo_lookup(c, "198.51.100.1", &r);
	T(r.weight == 0 && r.tests[0] == NULL && r.tests[1] == NULL,
	    "US and the rejected line's 64502 are not weighted: %g %s",
	    r.weight, s(r.tests[0]));
	geo_lookup(c, "2001:db8:3::1", &r);
	T(r.weight == 1.5, "lower-case code in the database: %g", r.weight);
	geo_conf_free(c);
}

/* ---- broken files ------------------------------------------------- */

static void
t_missing(void)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	char			 nope[300], empty[300];

	path(nope, "nope.mmdb");
	path(empty, "empty.mmdb");
	T(spit(empty, "", 0) == 0, "empty file");
	c = conf(nope, p_asn);
	geo_lookup(c, "192.0.2.1", &r);
	T(!r.have_country && r.have_asn && r.asn == 64500 && r.error &&
	    strcmp(r.error, "country-missing") == 0,
	    "country missing, asn still read: %s", s(r.error));
	geo_conf_free(c);
	c = conf(p_country, nope);
	geo_lookup(c, "192.0.2.1", &r);
	T(r.have_country && !r.have_asn && r.error &&
	    strcmp(r.error, "asn-missing") == 0, "asn missing: %s",
	    s(r.error));
	geo_conf_free(c);
	c = conf(empty, empty);
	geo_lookup(c, "192.0.2.1", &r);
	T(!r.have_country && !r.have_asn && r.error &&
	    strcmp(r.error, "country-corrupt") == 0, "empty: %s", s(r.error));
	geo_conf_free(c);
	c = conf(dir, "/etc/passwd/x");
	geo_lookup(c, "192.0.2.1", &r);
	T(r.error && strcmp(r.error, "country-unreadable") == 0,
	    "a directory: %s", s(r.error));
	geo_conf_free(c);
	c = conf(NULL, "/etc/passwd/x");
	geo_lookup(c, "192.0.2.1", &r);
	T(r.error && strcmp(r.error, "asn-missing") == 0,
	    "ENOTDIR is missing: %s", s(r.error));
	geo_conf_free(c);
	c = conf("/etc/passwd", NULL);
	geo_lookup(c, "192.0.2.1", &r);
	T(r.error && strcmp(r.error, "country-corrupt") == 0,
	    "not an MMDB: %s", s(r.error));
	geo_conf_free(c);
}

/*
 * Every test address against a (broken) pair of files: sane results, and
 * if same, a country only when the intact file has the same.
 */
static int
survive(const char *cpath, const char *apath, int same, int *errors)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	int			 i, ok = 1;

	c = conf(cpath, apath);
	for (i = 0; wants[i].ip != NULL; i++) {
		geo_lookup(c, wants[i].ip, &r);
		if (!sane(&r) || (same && r.have_country &&
		    (wants[i].cc == NULL || strcmp(r.cc, wants[i].cc) != 0))) {
			fprintf(stderr, "%s: %d %s %d %lu %zu %s\n",
			    wants[i].ip, r.have_country, r.cc, r.have_asn,
			    r.asn, r.orglen, s(r.error));
			ok = 0;
		}
		*errors += r.error != NULL;
	}
	geo_conf_free(c);
	return ok;
}

static void
t_truncated(void)
{
	unsigned char	*b[2];
	size_t		 len[2], cut;
	const char	*src[2] = { p_country, p_asn };
	char		 tc[300], ta[300];
	int		 i, k, errors = 0, fds = nfds(), bad = -1, n = 0;
	unsigned long	 seed = t_seed(20261127);

	path(tc, "trunc-country.mmdb");
	path(ta, "trunc-asn.mmdb");
	for (i = 0; i < 2; i++)
		b[i] = slurp(src[i], &len[i]);
	T(b[0] && b[1], "read the databases");
	if (!b[0] || !b[1])
		return;
	srand((unsigned)seed);
	for (k = 0; k < 20 + 30; k++) {
		for (i = 0; i < 2; i++) {
			cut = k < 20 ? len[i] * (size_t)k / 20 :
			    (size_t)rand() % len[i];
			spit(i ? ta : tc, b[i], cut);
		}
		if (!survive(tc, ta, 1, &errors)) {
			fprintf(stderr, "truncated: case %d seed %lu failed\n",
			    k, seed);
			if (bad < 0)
				bad = k;
		}
		n++;
	}
	T(bad < 0, "truncated files: sane results (first failure: case %d "
	    "seed %lu; TEST_SEED=%lu replays)", bad, seed, seed);
	T(errors >= n, "truncated files: errors reported (%d in %d)",
	    errors, n);
	T(nfds() == fds, "truncated files: no descriptor left");
	T(mapped() == 0, "truncated files: no mapping left");
	free(b[0]);
	free(b[1]);
}

static void
t_corrupted(void)
{
	unsigned char	*b[2], *m;
	size_t		 len[2], j, at;
	const char	*src[2] = { p_country, p_asn };
	char		 tc[300], ta[300];
	int		 i, k, errors = 0, fds = nfds(), bad = -1, nflip;
	unsigned long	 seed = t_seed(4134);

	path(tc, "bad-country.mmdb");
	path(ta, "bad-asn.mmdb");
	for (i = 0; i < 2; i++)
		b[i] = slurp(src[i], &len[i]);
	if (!b[0] || !b[1] || (m = malloc(len[0] + len[1])) == NULL) {
		T(0, "read the databases");
		return;
	}
	srand((unsigned)seed);
	for (k = 0; k < 400; k++) {
		for (i = 0; i < 2; i++) {
			memcpy(m, b[i], len[i]);
			nflip = 1 + rand() % 8;
			for (j = 0; j < (size_t)nflip; j++) {
				at = (size_t)rand() % len[i];
				m[at] = k % 3 ? (unsigned char)rand() :
				    m[at] ^ (1u << (rand() % 8));
			}
			spit(i ? ta : tc, m, len[i]);
		}
		if (!survive(tc, ta, 0, &errors)) {
			fprintf(stderr, "corrupted: case %d seed %lu failed\n",
			    k, seed);
			if (bad < 0)
				bad = k;
		}
	}
	T(bad < 0, "corrupted files: sane results (%d errors; first failure: "
	    "case %d seed %lu; TEST_SEED=%lu replays)", errors, bad, seed,
	    seed);
	T(nfds() == fds, "corrupted files: no descriptor left");
	T(mapped() == 0, "corrupted files: no mapping left");
	free(m);
	free(b[0]);
	free(b[1]);
}

/* ---- faults: SIGSEGV from hostile nesting, SIGBUS from truncation --- */

static int	marker_hits;
static stack_t	ss0;		/* the signal stack before any lookup */

/* The test's own handler: counts, then lets the fault kill us. */
static void
marker(int sig)
{
	marker_hits++;
	signal(sig, SIG_DFL);
}

/* The caller's handlers and signal stack are back after each lookup. */
static int
handlers_kept(void)
{
	struct sigaction	 bus, segv;
	stack_t			 ss;

	sigaction(SIGBUS, NULL, &bus);
	sigaction(SIGSEGV, NULL, &segv);
	sigaltstack(NULL, &ss);
	/* a disabled stack's address means nothing (valgrind keeps it) */
	return bus.sa_handler == marker && segv.sa_handler == marker &&
	    ss.ss_flags == ss0.ss_flags && ((ss.ss_flags & SS_DISABLE) ||
	    (ss.ss_sp == ss0.ss_sp && ss.ss_size == ss0.ss_size));
}

static void
t_deep(void)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	struct rlimit		 rl;
	int			 fds = nfds();

	/* the overflow needs a bounded stack (qqtag runs under softlimit) */
	if (getrlimit(RLIMIT_STACK, &rl) == 0 &&
	    (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 8 << 20)) {
		rl.rlim_cur = 8 << 20;
		setrlimit(RLIMIT_STACK, &rl);
	}
	c = conf(p_shallow, NULL);
	geo_lookup(c, "1.2.3.4", &r);
	T(r.have_country && strcmp(r.cc, "XX") == 0 && r.error == NULL,
	    "shallow nesting reads: %s %s", r.cc, s(r.error));
	geo_conf_free(c);
	c = conf(p_deep, p_deep);
	geo_lookup(c, "1.2.3.4", &r);
	T(!r.have_country && !r.have_asn && r.error &&
	    strcmp(r.error, "country-segv") == 0,
	    "deep nesting: the stack overflow is contained: %s", s(r.error));
	geo_conf_free(c);
	c = conf(p_country, p_deep);
	geo_lookup(c, "192.0.2.1", &r);
	T(r.have_country && !r.have_asn && r.error &&
	    strcmp(r.error, "asn-segv") == 0, "deep ASN file: %s",
	    s(r.error));
	geo_conf_free(c);
	T(handlers_kept(), "handlers and signal stack restored after SEGV");
	T(nfds() == fds && mapped() == 0, "SEGV: nothing left open");
}

struct trunc {
	off_t	 to;
	int	 child;		/* truncate from another process */
	int	 rename_from;	/* or rename this file over it */
	int	 calls;
};

static char	rename_src[300];

static void
hook(const char *p, void *arg)
{
	struct trunc	*t = arg;
	pid_t		 pid;
	int		 st;

	if (strcmp(p, p_work) != 0)
		return;
	t->calls++;
	if (t->rename_from) {
		T(rename(rename_src, p) == 0, "rename over the database");
		return;
	}
	if (!t->child) {
		T(truncate(p, t->to) == 0, "truncate in place");
		return;
	}
	if ((pid = fork()) == 0)
		_exit(truncate(p, t->to) == 0 ? 0 : 1);
	T(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "another process truncated it");
}

/* Truncate src's copy to "to" after it is opened; SIGBUS blocked if child. */
static void
sigbus_case(const char *src, const char *ip, off_t to, int child)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	struct trunc		 t = { to, child, 0, 0 };
	sigset_t		 set, old, now;
	int			 fds = nfds();

	/* a caller that blocked SIGBUS must not die of it either */
	sigemptyset(&set);
	if (child)
		sigaddset(&set, SIGBUS);
	sigprocmask(SIG_BLOCK, &set, &old);

	T(copy(src, p_work) == 0, "copy %s", src);
	c = conf(p_work, p_asn);
	geo_test_hook(hook, &t);
	geo_lookup(c, ip, &r);
	geo_test_hook(NULL, NULL);
	sigprocmask(SIG_SETMASK, &old, &now);
	T(sigismember(&now, SIGBUS) == child, "signal mask restored");
	T(t.calls == 1, "hook ran once");
	T(!r.have_country && r.error && strcmp(r.error, "country-sigbus") == 0,
	    "truncated to %lld while mapped%s: %s", (long long)to,
	    child ? " (by another process)" : "", s(r.error));
	T(r.have_asn && r.asn == 64500,
	    "the other database is still read after SIGBUS");
	T(handlers_kept(), "handlers and signal stack restored after SIGBUS");
	T(nfds() == fds && mapped() == 0, "SIGBUS: nothing left open");
	geo_lookup(c, ip, &r);
	T(r.error && strcmp(r.error, "country-corrupt") == 0 && sane(&r),
	    "the truncated file afterwards: %s", s(r.error));
	geo_conf_free(c);
}

static void
t_sigbus(void)
{
	sigbus_case(p_country, "192.0.2.1", 0, 0);
	sigbus_case(p_country, "192.0.2.1", 0, 1);
	sigbus_case(p_big, "192.0.2.1", 4096, 0);
	sigbus_case(p_big, "192.0.2.1", 8192, 1);
	T(marker_hits == 0, "no fault reached the caller's handlers");
}

static void
t_rename(void)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	struct trunc		 t = { 0, 0, 1, 0 };

	T(copy(p_country, p_work) == 0, "copy");
	path(rename_src, "alt.tmp");
	T(copy(p_alt, rename_src) == 0, "copy alt");
	c = conf(p_work, NULL);
	geo_test_hook(hook, &t);
	geo_lookup(c, "192.0.2.1", &r);
	geo_test_hook(NULL, NULL);
	T(t.calls == 1 && r.have_country && strcmp(r.cc, "DE") == 0 &&
	    r.error == NULL, "replaced by rename while mapped: the old file "
	    "still reads DE: %s %s", r.cc, s(r.error));
	geo_lookup(c, "192.0.2.1", &r);
	T(r.have_country && strcmp(r.cc, "AT") == 0 && r.error == NULL,
	    "the next lookup reads the new file: %s %s", r.cc, s(r.error));
	geo_conf_free(c);
}

/*
 * A writer process rewrites the file in place (truncate, write in
 * pieces) as fast as it can while this one looks up: whatever a lookup
 * meets, it returns sane.
 */
static void
t_race(void)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	unsigned char		*b;
	size_t			 len, off;
	pid_t			 pid;
	int			 i, fd, st, ok = 1, nerr = 0, nok = 0, nbus = 0;
	int			 fds;

	if ((b = slurp(p_big, &len)) == NULL || copy(p_big, p_work) != 0) {
		T(0, "race setup");
		return;
	}
	if ((pid = fork()) == 0) {
		if ((fd = open(p_work, O_WRONLY)) == -1)
			_exit(1);
		for (i = 0;; i++) {
			if (ftruncate(fd, (off_t)((size_t)i * 7919 % len)))
				_exit(1);
			for (off = 0; off < len; off += 16384)
				if (pwrite(fd, b + off, len - off < 16384 ?
				    len - off : 16384, (off_t)off) < 0)
					_exit(1);
		}
	}
	fds = nfds();
	c = conf(p_work, p_asn);
	for (i = 0; i < 3000; i++) {
		geo_lookup(c, i % 2 ? "192.0.2.1" : "2001:db8::1", &r);
		ok &= sane(&r);
		nerr += r.error != NULL;
		nbus += r.error != NULL && strstr(r.error, "sigbus") != NULL;
		nok += r.have_country;
	}
	kill(pid, SIGKILL);
	printf("race: %d lookups, %d read, %d errors, %d of them SIGBUS\n",
	    i, nok, nerr, nbus);
	waitpid(pid, &st, 0);
	T(ok, "race with a writer: sane results (%d read, %d errors)", nok,
	    nerr);
	T(nfds() == fds && mapped() == 0, "race: nothing left open");
	T(handlers_kept(), "race: handlers restored");
	geo_conf_free(c);
	free(b);
}

/* The process's address space in bytes (VmSize), or 0. */
static unsigned long
vmsize(void)
{
	char		 l[256];
	unsigned long	 kb = 0;
	FILE		*fp;

	if ((fp = fopen("/proc/self/status", "r")) == NULL)
		return 0;
	while (fgets(l, sizeof(l), fp) != NULL)
		if (strncmp(l, "VmSize:", 7) == 0)
			kb = strtoul(l + 7, NULL, 10);
	fclose(fp);
	return kb * 1024;
}

/*
 * Under softlimit -m a database too big for the address space left is
 * the error "nomem", and the other database is still read.  In a child:
 * the limit stays there.  Not under ASan (its shadow needs terabytes).
 */
static void
t_nomem(void)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	struct rlimit		 rl;
	pid_t			 pid;
	int			 st;

	if (getenv("QQTAG_ASAN") != NULL || vmsize() > (1UL << 40)) {
		T_SKIP("nomem: not under ASan (its shadow needs terabytes)");
		return;
	}
	if (getenv("QQTAG_VALGRIND") != NULL) {
		/* valgrind's own mappings and stack live in the same limit */
		T_SKIP("nomem: not under valgrind (it needs the address space)");
		return;
	}
	c = conf(p_big, p_asn);
	if ((pid = fork()) == 0) {
		/* room for the small ASN file, not for big.mmdb */
		rl.rlim_cur = rl.rlim_max = vmsize() + 128 * 1024;
		if (setrlimit(RLIMIT_AS, &rl) == -1)
			_exit(2);
		geo_lookup(c, "192.0.2.1", &r);
		if (r.error == NULL || strcmp(r.error, "country-nomem") != 0)
			_exit(3);
		_exit(r.have_asn && r.asn == 64500 ? 0 : 4);
	}
	T(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "a mapping beyond RLIMIT_AS is country-nomem"
	    " and the ASN is still read (child status %#x)", st);
	geo_conf_free(c);
}

/* ---- geo_conf_check (qqtag -n) ------------------------------------ */

static int
check(const char *cp, const char *ap, const char *extra, const char *want)
{
	struct geo_conf	*c;
	char		 err[512] = "";
	int		 rc;

	c = conf(cp, ap);
	if (extra != NULL)
		line(c, extra, err, sizeof(err));
	rc = geo_conf_check(c, err, sizeof(err));
	geo_conf_free(c);
	if (want == NULL)
		return rc == 0 ? 1 : (fprintf(stderr, "check: %s\n", err), 0);
	if (rc == 0 || strstr(err, want) == NULL) {
		fprintf(stderr, "check: want \"%s\", got %d \"%s\"\n", want,
		    rc, err);
		return 0;
	}
	return 1;
}

static void
t_check(void)
{
	char	 empty[300], nope[300];

	path(empty, "empty.mmdb");
	path(nope, "nope.mmdb");
	T(check(p_country, p_asn, "country CN 1", NULL), "check: good");
	T(check(p_big, NULL, NULL, NULL), "check: big country file");
	T(check(p_c4, NULL, NULL, NULL), "check: IPv4-only file");
	T(check(NULL, NULL, NULL, NULL), "check: no geoip at all");
	T(check(p_asn, p_country, NULL, "not a country database"),
	    "check: swapped files");
	T(check(p_country, p_country, NULL, "not an ASN database"),
	    "check: country file as ASN");
	T(check(nope, NULL, NULL, "no such file"), "check: missing");
	T(check(empty, NULL, NULL, "not a MaxMind DB"), "check: empty");
	T(check(p_deep, NULL, NULL, "SIGSEGV"), "check: deep nesting");
	T(check(NULL, p_asn, "country CN 1", "country weights but no"),
	    "check: weights without database");
	T(check(p_country, NULL, "asn 1 1", "asn weights but no"),
	    "check: asn weights without database");
	T(check("/etc/passwd", NULL, NULL, "not a MaxMind DB"),
	    "check: not an MMDB");
}

/* ---- cost ---------------------------------------------------------- */

static double
per_lookup(const char *cp, const char *ap, const char *ip, int n)
{
	struct geo_conf		*c;
	struct geo_result	 r;
	struct timespec		 a, b;
	int			 i;

	c = conf(cp, ap);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		geo_lookup(c, ip, &r);
	clock_gettime(CLOCK_MONOTONIC, &b);
	geo_conf_free(c);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) /
	    n / 1000;
}

static void
t_cost(void)
{
	double	 us;

	us = per_lookup(p_country, p_asn, "192.0.2.1", 5000);
	printf("cost: open+lookup+close of country.mmdb and asn.mmdb: "
	    "%.1f us per message\n", us);
	T(us < 2000, "lookup cost bounded: %.1f us", us);
	us = per_lookup(p_big, NULL, "192.0.2.1", 5000);
	printf("cost: open+lookup+close of big.mmdb (%s): %.1f us\n",
	    "269 KB", us);
	us = per_lookup(p_country, p_asn, "garbage", 5000);
	printf("cost: a garbage address: %.2f us\n", us);
}

/* ---- main ---------------------------------------------------------- */

static int
setup(void)
{
	const char	*top = getenv("TOP");
	char		 cmd[1024];

	snprintf(dir, sizeof(dir), "%s/unit_geo.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "perl '%s/tests/mkmmdb.pl' '%s'",
	    top ? top : ".", dir);
	if (system(cmd) != 0)
		return -1;
	path(p_country, "country.mmdb");
	path(p_asn, "asn.mmdb");
	path(p_alt, "country-alt.mmdb");
	path(p_c4, "country4.mmdb");
	path(p_deep, "deep.mmdb");
	path(p_shallow, "shallow.mmdb");
	path(p_big, "big.mmdb");
	path(p_work, "work.mmdb");
	return 0;
}

int
main(void)
{
	struct sigaction	 sa;
	char			 cmd[512];

	if (setup() == -1) {
		T(0, "tests/mkmmdb.pl could not build the databases "
		    "(libmaxmind-db-writer-perl installed?)");
		return t_done();
	}
	/* the caller's own handlers, which must never see our faults */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = marker;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaltstack(NULL, &ss0);
	t_conf();
	t_lookup();
	t_ipv4_only();
	t_hostile_org();
	t_weights();
	t_missing();
	t_truncated();
	t_corrupted();
	t_deep();
	t_sigbus();
	t_rename();
	t_race();
	t_nomem();
	t_check();
	T(handlers_kept(), "handlers kept at the end");
	t_cost();
	if (getenv("KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return t_done();
}

/*
 * fuzz_lists.c - the list file reader (listfile.c) on arbitrary bytes:
 * the first byte picks the format (auto, ip4set, ip6trie, ip6tset, dnset),
 * the rest is the file, read through zlib from a memfd (plain or gzip, as
 * qqtag reads it) and from memory.  Oracles: no crash or leak; the two
 * reads agree; for a dozen keys (fixed ones, and addresses taken from the
 * input) a filtered read answers exactly as the whole read, as a message
 * relies on.  The same bytes also go through the state-file reader
 * (health.c).
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "health.h"
#include "listfile.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NOW	1800000000	/* a fixed clock for $TIMESTAMP */

static const char *const fixed[] = { "10.0.0.1", "127.0.0.2", "1.2.3.4",
	"192.0.2.1", "255.255.255.255", "0.0.0.0", "::1", "2001:db8::1",
	"ffff::", "example.com", "a.b.example.com", "test", "x.test" };

static struct listfile_answer a1, a2;

/* The input as a file: a memfd and its /proc path, or -1. */
static int
as_file(const uint8_t *d, size_t n, char *path, size_t size)
{
	int fd;

	if ((fd = memfd_create("fuzz_lists", MFD_CLOEXEC)) == -1)
		return -1;
	if (n > 0 && write(fd, d, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return fd;
}

static int
same(int h1, int h2)
{
	int i;

	if (h1 != h2)
		return 0;
	if (!h1)
		return 1;
	if (a1.n != a2.n || a1.ntxt != a2.ntxt)
		return 0;
	for (i = 0; i < a1.n; i++)
		if (a1.code[i] != a2.code[i])
			return 0;
	for (i = 0; i < a1.ntxt; i++)
		if (a1.txtlen[i] != a2.txtlen[i] ||
		    memcmp(a1.txt[i], a2.txt[i], a1.txtlen[i]) != 0)
			return 0;
	return 1;
}

/* A key from fixed[i], or (i past them) from the input's bytes. */
static int
key(struct listfile_key *k, size_t i, const uint8_t *d, size_t n)
{
	char t[64];

	if (i < sizeof(fixed) / sizeof(fixed[0]))
		return fixed[i][0] >= 'a' && fixed[i][0] <= 'z' ?
		    listfile_key_domain(k, fixed[i]) :
		    listfile_key_ip(k, fixed[i]);
	if (n < 16)
		return -1;
	if (i % 2)
		snprintf(t, sizeof(t), "%u.%u.%u.%u", d[n - 4], d[n - 3],
		    d[n - 2], d[n - 1]);
	else
		snprintf(t, sizeof(t), "%x:%x:%x:%x:%x:%x:%x:%x",
		    d[0] << 8 | d[1], d[2] << 8 | d[3], d[4] << 8 | d[5],
		    d[6] << 8 | d[7], d[8] << 8 | d[9], d[10] << 8 | d[11],
		    d[12] << 8 | d[13], d[14] << 8 | d[15]);
	return listfile_key_ip(k, t);
}

static void
keys(const char *path, int fmt, const struct listfile *whole,
    const uint8_t *d, size_t n)
{
	struct listfile *part;
	struct listfile_key k;
	size_t i;
	int e;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 2; i++) {
		if (key(&k, i, d, n) == -1)
			continue;
		part = listfile_load(path, fmt, &k, NOW, NULL, &e);
		if (part == NULL)
			abort();	/* the whole read worked */
		if (!same(listfile_lookup(whole, &k, &a1),
		    listfile_lookup(part, &k, &a2)))
			abort();
		listfile_free(part);
	}
}

static void
state(const char *path)
{
	struct lists_health h[8];
	time_t when;
	size_t n;

	if (lists_state_read(path, &when, h, 8, &n) == 0)
		lists_state_free(h, n);
	else if (n != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct listfile_stats st1, st2;
	struct listfile *s1, *s2;
	char path[64];
	int fd, fmt, e1, e2;

	if (n < 1)
		return 0;
	fmt = d[0] % 5;
	if ((fd = as_file(d + 1, n - 1, path, sizeof(path))) == -1)
		return 0;
	s1 = listfile_load(path, fmt, NULL, NOW, &st1, &e1);
	if (n < 3 || d[1] != 0x1f || d[2] != 0x8b) {
		/* not gzip: memory and file reads see the same text */
		s2 = listfile_load_mem(d + 1, n - 1, fmt, NULL, NOW, &st2, &e2);
		if ((s1 == NULL) != (s2 == NULL) || e1 != e2 ||
		    st1.entries != st2.entries || st1.units != st2.units)
			abort();
		listfile_free(s2);
	}
	if (s1 != NULL)
		keys(path, fmt, s1, d + 1, n - 1);
	listfile_free(s1);
	state(path);
	close(fd);
	return 0;
}

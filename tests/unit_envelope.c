/*
 * unit_envelope.c - the envelope reader stops exactly where qmail-queue
 * stops, and reaches the same verdict, for every cut and every chunking.
 */
#include <string.h>

#include "envelope.h"
#include "unit.h"

/* Feed n bytes chunk at a time; returns the bytes consumed. */
static size_t
feed(struct env *e, const char *p, size_t n, size_t chunk)
{
	size_t	i = 0, k, used = 0;

	while (i < n && e->status == ENV_MORE) {
		k = chunk && chunk < n - i ? chunk : n - i;
		used += env_feed(e, p + i, k);
		i += k;
	}
	return used;
}

static void
verdict(const char *what, const char *p, size_t n, enum env_status want,
    size_t wantused)
{
	static const size_t chunks[] = { 0, 1, 3, 1000 };
	struct env	e;
	size_t		i, used;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		env_init(&e);
		used = feed(&e, p, n, chunks[i]);
		T(e.status == want && used == wantused,
		    "%s chunk %zu: status %d used %zu", what, chunks[i],
		    (int)e.status, used);
		env_free(&e);
	}
}

static void
test_basic(void)
{
	static const char ok[] = "Fa@b.c\0Tx@y.z\0Tq@r.s\0\0trailing";
	struct env	e;
	const char	*r;
	size_t		cut;

	verdict("complete", ok, sizeof(ok) - 1, ENV_DONE, 22);
	verdict("null sender, no rcpt", "F\0\0", 3, ENV_DONE, 3);
	verdict("not F", "Xa\0\0", 4, ENV_BAD, 1);
	verdict("not T", "Fa\0Zb\0\0", 7, ENV_BAD, 4);
	for (cut = 0; cut < 22; cut++)
		verdict("cut", ok, cut, ENV_MORE, cut);
	env_init(&e);
	feed(&e, ok, sizeof(ok) - 1, 1);
	T(strcmp(e.sender.p, "a@b.c") == 0, "sender [%s]", e.sender.p);
	T(e.nrcpt == 2 && e.nkept == 2, "two recipients");
	r = env_rcpt_next(&e, NULL);
	T(r && strcmp(r, "x@y.z") == 0, "first rcpt");
	r = env_rcpt_next(&e, r);
	T(r && strcmp(r, "q@r.s") == 0, "second rcpt");
	T(env_rcpt_next(&e, r) == NULL, "end of rcpts");
	env_free(&e);
}

/* qmail-queue.c: an address of ADDR - 1 bytes passes, ADDR bytes is 11. */
static void
test_long(void)
{
	char	buf[3000];
	size_t	n;

	buf[0] = 'F';
	memset(buf + 1, 'a', ENV_ADDR - 1);
	buf[ENV_ADDR] = '\0';
	buf[ENV_ADDR + 1] = '\0';
	verdict("sender 1002", buf, ENV_ADDR + 2, ENV_DONE, ENV_ADDR + 2);
	memset(buf + 1, 'a', ENV_ADDR);
	verdict("sender 1003", buf, ENV_ADDR + 3, ENV_LONG, ENV_ADDR + 1);
	n = 0;
	memcpy(buf, "F\0T", 3);
	memset(buf + 3, 'b', ENV_ADDR);
	n = 3 + ENV_ADDR;
	verdict("rcpt 1003", buf, n, ENV_LONG, n);
}

static void
test_many(void)
{
	struct env	e;
	char		rc[32];
	unsigned long	i;
	int		len;

	env_init(&e);
	env_feed(&e, "Fs@x\0", 5);
	for (i = 0; i < 10000; i++) {
		len = snprintf(rc, sizeof(rc), "Tuser%lu@example.org", i);
		env_feed(&e, rc, (size_t)len + 1);
	}
	env_feed(&e, "", 1);
	T(e.status == ENV_DONE && e.nrcpt == 10000, "10,000 rcpts: %lu",
	    e.nrcpt);
	T(e.nkept > 1000 && e.nkept < 10000 && e.rcpts_cut &&
	    e.rcpts.len <= ENV_KEEP_MAX, "kept list capped: %lu", e.nkept);
	T(e.rcpts.p[e.rcpts.len - 1] == '\0', "kept list ends whole");
	env_free(&e);
}

int
main(void)
{
	test_basic();
	test_long();
	test_many();
	return t_done();
}

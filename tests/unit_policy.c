/* unit_policy.c - the policy parser: keywords, strictness, hostile files. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "unit.h"

static char path[] = "/tmp/qqtag-unit-policy.XXXXXX";

static int
load(struct policy *p, const char *text, size_t n, int strict)
{
	FILE	*fp = fopen(path, "wb");

	fwrite(text, 1, n, fp);
	fclose(fp);
	policy_defaults(p);
	return policy_load(p, path, strict);
}

static int
has(const struct policy *p, const char *s)
{
	return p->errs.p != NULL && strstr(p->errs.p, s) != NULL;
}

static void
test_good(void)
{
	static const char t[] =
	    "# comment\n\n  queue /var/qmail/bin/qmail-queue.real  # x\n"
	    "spool /var/spool/qqtag\ntimeout 1.5\nthreshold 4.5\n"
	    "header status X-Qqtag-Status\nheader flag X-My-Flag\n";
	struct policy	p;

	T(load(&p, t, sizeof(t) - 1, 1) == 0, "good policy: %s",
	    p.errs.p ? p.errs.p : "");
	T(strcmp(p.queue, "/var/qmail/bin/qmail-queue.real") == 0, "queue");
	T(strcmp(p.spool, "/var/spool/qqtag") == 0 && !p.memfd, "spool");
	T(p.timeout_ms == 1500 && p.threshold == 4.5, "numbers");
	T(strcmp(p.hdr.status, "X-Qqtag-Status") == 0, "status name");
	T(hdr_names_match(&p.strip, "x-my-flag", 9), "custom name stripped");
	T(hdr_names_match(&p.strip, "X-Spam-Warning", 14), "default kept");
	T(hdr_names_match(&p.strip, "X-Qqtag-Anything", 16), "namespace");
	T(!hdr_names_match(&p.strip, "X-Spam-Flag", 11),
	    "replaced name not stripped");
	policy_free(&p);
}

static void
test_bad(void)
{
	static const char unk[] = "queue /a\nfrobnicate 1\n";
	static const char bin[] = "queue /a\n\x01\x02\0\xff\n";
	struct policy	p;

	T(load(&p, unk, sizeof(unk) - 1, 0) == 0 && p.nunknown == 1 &&
	    has(&p, ":2: unknown keyword: frobnicate"),
	    "unknown keyword tolerated in queue mode");
	policy_free(&p);
	T(load(&p, unk, sizeof(unk) - 1, 1) == -1, "strict rejects unknown");
	policy_free(&p);
	T(load(&p, bin, sizeof(bin) - 1, 0) == -1 &&
	    has(&p, ":2: control character"), "binary line");
	policy_free(&p);
	T(load(&p, "queue relative\n", 15, 0) == -1 && has(&p, ":1: "),
	    "relative queue");
	policy_free(&p);
	T(load(&p, "timeout 0\n", 10, 0) == -1, "zero timeout");
	policy_free(&p);
	T(load(&p, "timeout 2x\n", 11, 0) == -1, "bad number");
	policy_free(&p);
	T(load(&p, "threshold nan\n", 14, 0) == -1, "nan threshold");
	policy_free(&p);
	T(load(&p, "header flag Bad:Name\n", 21, 0) == -1, "bad header name");
	policy_free(&p);
	T(load(&p, "header flag X-Qqtag\n", 20, 0) == -1, "fixed name taken");
	policy_free(&p);
	T(load(&p, "off\n", 4, 0) == 0 && p.off, "off");
	policy_free(&p);
	T(load(&p, "", 0, 1) == 0 && p.found && strcmp(p.queue,
	    POLICY_QUEUE) == 0, "empty file = defaults");
	policy_free(&p);
}

static void
test_missing(void)
{
	struct policy	p;

	policy_defaults(&p);
	T(policy_load(&p, "/nonexistent/qqtag/policy", 0) == 0 && !p.found,
	    "missing file = built-in defaults");
	T(strcmp(p.spool, POLICY_SPOOL) == 0, "default spool");
	policy_free(&p);
	policy_defaults(&p);
	T(policy_load(&p, "/nonexistent/qqtag/policy", 1) == -1,
	    "missing file is an error for -n");
	policy_free(&p);
}

static void
test_long_line(void)
{
	char		*big = malloc(POLICY_LINE_MAX + 100);
	struct policy	 p;

	memset(big, 'a', POLICY_LINE_MAX + 99);
	big[POLICY_LINE_MAX + 99] = '\n';
	T(load(&p, big, POLICY_LINE_MAX + 100, 0) == -1 &&
	    has(&p, "line too long"), "long line");
	policy_free(&p);
	free(big);
}

int
main(void)
{
	int	fd = mkstemp(path);

	close(fd);
	test_good();
	test_bad();
	test_missing();
	test_long_line();
	unlink(path);
	return t_done();
}

/* unit_policy.c - the policy parser: keywords, strictness, hostile files. */
#include <sys/stat.h>

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "headers.h"
#include "policy.h"
#include "policy_verify.h"
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
	T(load(&p, "header flag Bad:Name\n", 21, 1) == -1 &&
	    has(&p, ":1: header flag: bad header name"), "bad header name");
	policy_free(&p);
	T(load(&p, "header flag X-Qqtag\n", 20, 1) == -1 &&
	    has(&p, ":1: header flag: a name qqtag writes"),
	    "fixed name taken");
	policy_free(&p);
	T(load(&p, "off\n", 4, 0) == 0 && p.off, "off");
	policy_free(&p);
	T(load(&p, "", 0, 1) == 0 && p.found && strcmp(p.queue,
	    POLICY_QUEUE) == 0, "empty file = defaults");
	policy_free(&p);
}

/* Refused names: errors for -n; queue mode keeps the default, warns. */
static void
refused(const char *text, const char *where, const char *def,
    const char *flag)
{
	struct policy	p;
	size_t		n = strlen(text);

	T(load(&p, text, n, 1) == -1 && p.nerrors > 0 && has(&p, where),
	    "-n refuses: %s", text);
	policy_free(&p);
	T(load(&p, text, n, 0) == 0 && p.nerrors == 0 && has(&p, where) &&
	    has(&p, "kept)") && strcmp(p.hdr.flag, flag) == 0 &&
	    p.threshold == 7, "queue mode: warning, default kept: %s [%s]",
	    text, p.errs.p ? p.errs.p : "");
	T(def == NULL || (hdr_names_match(&p.strip, def, strlen(def)) &&
	    strcmp(p.hdr.status, "X-Spam-Status") == 0 &&
	    strcmp(p.hdr.warning, "X-Spam-Warning") == 0),
	    "defaults written and stripped: %s", text);
	policy_free(&p);
}

static void
test_header_names(void)
{
	struct policy	p;
	char		long76[100], long77[100];

	refused("threshold 7\nheader flag Subject\n",
	    ":2: header flag: only X- names", "X-Spam-Flag", "X-Spam-Flag");
	refused("header warning Received\nthreshold 7\n",
	    ":1: header warning: only X- names", "X-Spam-Warning",
	    "X-Spam-Flag");
	refused("threshold 7\nheader flag X-\n", ":2: header flag: only X-",
	    NULL, "X-Spam-Flag");
	refused("threshold 7\nheader flag X-Qqtag-Geo\n", ":2: header flag: a "
	    "name qqtag writes itself", NULL, "X-Spam-Flag");
	refused("threshold 7\nheader flag X-*\n", ":2: header flag: bad",
	    NULL, "X-Spam-Flag");
	refused("threshold 7\nheader flag X-a\nheader status x-A\n",
	    ":3: header status: the name of header flag too", NULL, "X-a");
	refused("threshold 7\nheader flag X-Spam-Status\n",
	    ":2: header flag: the name of header status too", NULL,
	    "X-Spam-Flag");
	T(load(&p, "threshold 7\nheader flag Subject\n", 32, 0) == 0 &&
	    !hdr_names_match(&p.strip, "Subject", 7), "Subject never stripped");
	policy_free(&p);
	/* swapped names are distinct: allowed */
	T(load(&p, "header flag X-Spam-Status\nheader status X-Spam-Flag\n",
	    52, 1) == 0, "swapped names: %s", p.errs.p ? p.errs.p : "");
	policy_free(&p);
	T(load(&p, "header flag x-spam-FLAG\nheader level X-Lvl\n", 43, 1) ==
	    0 && strcmp(p.hdr.flag, "x-spam-FLAG") == 0, "x- in any case");
	policy_free(&p);
	memcpy(long76, "header flag X-", 14);
	memset(long76 + 14, 'a', 74);
	memcpy(long76 + 88, "\n", 2);
	memcpy(long77, long76, 88);
	memcpy(long77 + 88, "a\n", 3);
	T(load(&p, long76, 89, 1) == 0 && strlen(p.hdr.flag) == 76,
	    "76-byte name");
	policy_free(&p);
	T(load(&p, long77, 90, 1) == -1 && has(&p, "longer than 76"),
	    "77-byte name");
	policy_free(&p);
}

/* A strict parse notes the lines that name files, for policy_verify. */
static void
test_files(void)
{
	static const char t[] =
	    "spool memfd\nqueue /q\niplist L /l1\ndnsbl Z zen.example\n"
	    "geoip country /c1\ngeoip asn /a\ngeoip country /c2\n"
	    "domainlist D /d\nstate /s/h 1h\ncountry CN 1\n";
	struct policy	p;

	T(load(&p, t, sizeof(t) - 1, 1) == 0 || p.nerrors > 0, "files policy");
	T(p.spool_line == 1 && p.memfd && p.queue_line == 2,
	    "spool/queue lines");
	T(p.nfiles == 5, "five files noted: %zu", p.nfiles);
	T(p.nfiles == 5 && p.files[0].line == 3 &&
	    strcmp(p.files[0].path, "/l1") == 0 &&
	    strcmp(p.files[0].what, "iplist") == 0, "iplist noted");
	T(p.nfiles == 5 && p.files[1].line == 7 &&
	    strcmp(p.files[1].path, "/c2") == 0 &&
	    strcmp(p.files[1].what, "geoip country") == 0,
	    "later geoip line replaces");
	T(p.nfiles == 5 && strcmp(p.files[2].what, "geoip asn") == 0 &&
	    strcmp(p.files[3].what, "domainlist") == 0 &&
	    strcmp(p.files[4].what, "state") == 0 && p.files[4].line == 9 &&
	    strcmp(p.files[4].path, "/s/h") == 0, "asn, domainlist, state");
	policy_free(&p);
	T(load(&p, t, sizeof(t) - 1, 0) == 0 && p.nfiles == 0,
	    "queue mode notes nothing");
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

/* Parse text strictly, then policy_verify as the current user. */
static int
verify(struct policy *p, struct buf *notes, const char *text,
    const char *user, const char *queue)
{
	const struct passwd *me = getpwuid(geteuid());

	buf_reset(notes);
	if (load(p, text, strlen(text), 1) == -1)
		return -2;
	return policy_verify(p, user ? user : me->pw_name, queue, notes);
}

static void
test_verify(void)
{
	char		 dir[] = "/tmp/qqtag-unit-verify.XXXXXX", t[2048];
	char		 self[1024];
	struct stat	 a, b;
	struct policy	 p;
	struct buf	 notes;
	ssize_t		 n;
	FILE		*fp;

	buf_init(&notes, 65536);
	T(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(t, sizeof(t), "%s/q", dir);
	fp = fopen(t, "w");
	fclose(fp);
	chmod(t, 0755);
	snprintf(t, sizeof(t), "%s/l", dir);
	fp = fopen(t, "w");
	fputs("192.0.2.1\n", fp);
	fclose(fp);
	snprintf(t, sizeof(t), "spool %s\nqueue %s/q\niplist L %s/l\n"
	    "state %s/h\n", dir, dir, dir, dir);
	T(verify(&p, &notes, t, NULL, NULL) == 0 && notes.p != NULL &&
	    strstr(notes.p, ":1: spool /tmp/qqtag-unit-verify.") &&
	    strstr(notes.p, ": a file created, written and removed there as ")
	    && strstr(notes.p, ":2: queue ") && strstr(notes.p,
	    ":3: iplist ") && strstr(notes.p, ":4: state directory ") &&
	    strstr(notes.p, "not there yet"), "good: %s%s",
	    notes.p ? notes.p : "", p.errs.p ? p.errs.p : "");
	policy_free(&p);
	T(verify(&p, &notes, t, "no-such-user-qqtag", NULL) == -1 &&
	    has(&p, "-u no-such-user-qqtag: no such user"), "unknown user");
	policy_free(&p);
	snprintf(t, sizeof(t), "spool %s/none\nqueue %s/l\n", dir, dir);
	T(verify(&p, &notes, t, NULL, NULL) == -1 && p.nerrors == 2 &&
	    has(&p, ":1: spool /tmp/qqtag-unit-verify.") &&
	    has(&p, "/none: no such file") && has(&p, ":2: queue ") &&
	    has(&p, "/l: cannot execute it as "), "bad: %s",
	    p.errs.p ? p.errs.p : "");
	policy_free(&p);
	T(verify(&p, &notes, t, NULL, "/bin/sh") == -1 && p.nerrors == 1 &&
	    !has(&p, "queue") && strstr(notes.p, "queue /bin/sh (QQTAG_QUEUE)"),
	    "QQTAG_QUEUE is checked instead");
	policy_free(&p);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	/* under valgrind the link names the program, the inode the tool */
	if (stat(self, &a) == -1 || stat("/proc/self/exe", &b) == -1 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		snprintf(self, sizeof(self), "/proc/self/exe");
	snprintf(t, sizeof(t), "spool memfd\nqueue %s\n", self);
	T(verify(&p, &notes, t, NULL, NULL) == -1 &&
	    has(&p, ":2: queue ") && has(&p, "qqtag itself") &&
	    strstr(notes.p, ":1: spool memfd: in memory"), "self, memfd");
	policy_free(&p);
	snprintf(t, sizeof(t), "%s/q", dir);
	unlink(t);
	snprintf(t, sizeof(t), "%s/l", dir);
	unlink(t);
	rmdir(dir);
	buf_free(&notes);
}

int
main(void)
{
	int	fd = mkstemp(path);

	close(fd);
	test_good();
	test_bad();
	test_header_names();
	test_files();
	test_missing();
	test_long_line();
	test_verify();
	unlink(path);
	return t_done();
}

/*
 * qqtag.c - main: environment, client class, event loop, spool, hand-over,
 * exit codes and the one log line.
 *
 * qmail-smtpd runs qqtag as $QMAILQUEUE at DATA.  The message arrives on
 * fd 0, the envelope on fd 1 (qmail-queue(8)).  The message is filtered
 * (forged tags removed) into an unlinked spool file starting at offset
 * SPOOL_HOLE; the header block is written into the hole just in front of
 * it and the real qmail-queue is exec'd with fd 0 on the block's first
 * byte and fd 1 on a spooled copy of the envelope, so its exit status is
 * ours.  This is the only file that maps failures to exit codes and the
 * only one that execs.
 */
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authres.h"
#include "buf.h"
#include "dns.h"
#include "envelope.h"
#include "check.h"
#include "headers.h"
#include "msg.h"
#include "received.h"
#include "policy.h"
#include "policy_verify.h"
#include "report.h"
#include "score.h"
#include "util.h"

#define EX_NOMEM	51	/* qmail-queue(8): out of memory */
#define EX_WATCHDOG	52	/* qmail-queue(8): timeout */
#define EX_SPOOL	53	/* qmail-queue(8): write error */
#define EX_READ		54	/* qmail-queue(8): unable to read */
#define EX_BUG		81	/* qmail-queue(8): internal bug */
#define EX_EXEC		120	/* qmail-smtpd: unable to exec qq */

#define SPOOL_HOLE	(64 * 1024)	/* room for the header block */
#define BLOCK_MAX	(60 * 1024)
#define IOBUF		(64 * 1024)
#define SPLICE_MAX	(1024 * 1024)	/* bytes one splice(2) may move */
#define LOG_MAX		2048
#define LOOP_VAR	"QQTAG_LOOP"
#define CHECK_HEADERS	1	/* checks_step() */
#define CHECK_ENVELOPE	2

enum class { CL_UNTRUSTED, CL_LOCAL, CL_RELAY, CL_SKIP, CL_TRUSTED,
	CL_PRIVATE };

static const char *const class_name[] = {
	"untrusted", "local", "relayclient", "skip", "trusted", "private"
};

#define SELF_MARK	"qqtag-self-exec-guard:7f3a"	/* in every qqtag binary */
#define SELF_SCAN_MAX	(16 * 1024 * 1024)	/* largest queue file scanned */

static struct {
	struct policy	 pol;
	int		 polerr;	/* the policy did not parse */
	enum class	 cls;
	const char	*ip;
	int		 msgfd, envfd;
	unsigned long long msgbytes;
	struct hdr_filter hf;
	struct env	 env;
	struct msg	 m;		/* the message's context */
	void		*run[CHECK_MAX];	/* each check's state */
	int		 nomem[CHECK_MAX];	/* a check ran out of memory */
	int		 hdrs_done;	/* the header section was parsed */
	int		 scored;	/* the report holds the findings */
	int		 body_wanted;	/* a check reads the body stream */
	int		 anyip;		/* qqtag -c -A: look up any address */
	int		 queue_errno;	/* why the queue cannot be exec'd */
	int		 hopcheck;	/* checking a trusted hop's client */
	struct report	 rep;
	double		 threshold;
	struct timespec	 t0, teom;
	char		 out[IOBUF];	/* write-behind for the spool */
	size_t		 outlen;
	struct buf	 block;		/* the header block */
	struct buf	 log;
} g;

/* fd 2 is the log; nothing useful can be done when writing it fails. */
static void
say(const char *p, size_t n)
{
	ssize_t	r;

	do
		r = write(2, p, n);
	while (r == -1 && errno == EINTR);
}

/* The log line: one write on fd 2, prefixed "qqtag: ". */
static void
log_flush(void)
{
	if (g.log.len == 0)
		return;
	buf_appendc(&g.log, '\n');
	say(g.log.p, g.log.len);
	buf_reset(&g.log);
}

/* A free-form diagnostic line on fd 2 (policy errors, exec failures). */
static void
warn(const char *what, const char *arg)
{
	struct buf	l;

	buf_init(&l, LOG_MAX);
	buf_appends(&l, "qqtag: ");
	buf_appends(&l, what);
	if (arg != NULL) {
		char	tmp[300];
		size_t	n = hdr_sanitise(tmp, sizeof(tmp), arg, strlen(arg));

		buf_appends(&l, ": ");
		buf_append(&l, tmp, n);
	}
	buf_appendc(&l, '\n');
	say(l.p, l.len);
	buf_free(&l);
}

/* A diagnostic line naming a file and what errno e says about it. */
static void
warn_file(const char *what, const char *file, int e)
{
	char	tmp[PATH_MAX + 100];

	snprintf(tmp, sizeof(tmp), "%s: %s", file, strerror(e));
	warn(what, tmp);
}

static int	checked(void);
static void	on_headers(void);
static void	checks_step(int);

/*
 * Build the message's log line in g.log; result is what happens next.
 * times: with the ms= and after_eom_ms= fields.
 */
static void
log_line(const char *result, int times)
{
	char	ip[64];
	size_t	n, i;

	n = hdr_sanitise(ip, sizeof(ip) - 1, g.ip ? g.ip : "-",
	    strlen(g.ip ? g.ip : "-"));
	ip[n] = '\0';
	for (i = 0; i < n; i++)		/* one key=value: no blank in it */
		if (ip[i] == ' ')
			ip[i] = '?';
	buf_reset(&g.log);
	buf_printf(&g.log, "qqtag: pid=%ld ip=%s class=%s bytes=%llu "
	    "hdrlines=%zu stripped=%zu rcpts=%lu",
	    (long)getpid(), ip, class_name[g.cls], g.msgbytes, g.hf.nlines,
	    g.hf.nstripped, g.env.nrcpt);
	if (g.polerr)
		buf_appends(&g.log, " policy=error");
	else if (g.pol.off)
		buf_appends(&g.log, " policy=off");
	if (g.m.health != NULL)
		buf_printf(&g.log, " health=%s", g.m.health);
	if (g.scored)
		report_log(&g.rep, &g.log);
	if (g.queue_errno != 0)
		buf_printf(&g.log, " queue_error=%s",
		    strerrorname_np(g.queue_errno) ?
		    strerrorname_np(g.queue_errno) : "unknown");
	if (times)
		buf_printf(&g.log, " ms=%ld", ms_since(&g.t0));
	if (times && (g.teom.tv_sec || g.teom.tv_nsec))
		buf_printf(&g.log, " after_eom_ms=%ld", ms_since(&g.teom));
	buf_printf(&g.log, " result=%s", result);
}

/* Log the message's outcome: its one line on fd 2. */
static void
log_message(const char *result)
{
	log_line(result, 1);
	log_flush();
}

/* The watchdog's line, made when it is armed: a handler cannot format. */
static char	wd_line[LOG_MAX + 1];
static size_t	wd_len;

static void __attribute__((noreturn))
die(int code, const char *result)
{
	log_message(result);
	_exit(code);
}

static void
on_alarm(int sig)
{
	(void)sig;
	say(wd_line, wd_len);
	_exit(EX_WATCHDOG);
}

/* fds 0 and 1 must be there; fd 2 gets /dev/null if it arrived closed. */
static void
fds_sane(void)
{
	int	fd;

	if (fcntl(2, F_GETFD) == -1) {
		fd = open("/dev/null", O_RDWR | O_NOCTTY);
		if (fd != 2)
			_exit(EX_READ);
	}
	if (fcntl(0, F_GETFD) == -1 || fcntl(1, F_GETFD) == -1)
		_exit(EX_READ);
}

/*
 * The client's class: from tcp.smtp's variables and the address (ip,
 * NULL: local injection); an address never looked up (ipaddr_private:
 * loopback, private, ..., or none that parses) is class private, passed
 * on checked=no reason=private.
 */
static void
classify(const char *ip)
{
	g.ip = ip;
	msg_client(&g.m, ip, 0, 0);	/* the address, parsed once */
	if (getenv("QQTAG_TRUSTED"))
		g.cls = CL_TRUSTED;
	else if (getenv("RELAYCLIENT"))
		g.cls = CL_RELAY;
	else if (getenv("QQTAG_SKIP"))
		g.cls = CL_SKIP;
	else if (g.ip == NULL)
		g.cls = CL_LOCAL;
	else if (ipaddr_private(&g.m.ip))	/* or no address at all */
		g.cls = CL_PRIVATE;
	else
		g.cls = CL_UNTRUSTED;
}

/* The client's address: TCPREMOTEIP, else TCP6REMOTEIP, else NULL. */
static const char *
client_ip(void)
{
	const char	*ip = getenv("TCPREMOTEIP");

	if (ip == NULL || *ip == '\0')
		ip = getenv("TCP6REMOTEIP");
	return ip != NULL && *ip != '\0' ? ip : NULL;
}

/* The real queue: QQTAG_QUEUE, else the policy's, never $QMAILQUEUE. */
static const char *
queue_path(void)
{
	const char	*q = getenv("QQTAG_QUEUE");

	return q && *q == '/' ? q : g.pol.queue;
}

/*
 * Does the open file fd hold a qqtag binary (this one, or a copy of any
 * version since the mark)?  A readable queue is scanned for SELF_MARK;
 * the real qmail-queue is mode 4711, unreadable to qmaild: not opened.
 */
static int
holds_mark(int fd)
{
	static const char mark[] = SELF_MARK;
	const size_t	  ml = sizeof(mark) - 1;
	char		  b[IOBUF + sizeof(mark)];
	size_t		  have = 0, total = 0;
	ssize_t		  n;
	int		  found = 0;

	while (!found && total < SELF_SCAN_MAX &&
	    (n = read(fd, b + have, IOBUF)) > 0) {
		total += (size_t)n;
		have += (size_t)n;
		found = memmem(b, have, mark, ml) != NULL;
		if (have >= ml) {	/* keep a tail the mark may start in */
			memmove(b, b + have - (ml - 1), ml - 1);
			have = ml - 1;
		}
	}
	return found;
}

/* Is path this very qqtag, or are we a queue a qqtag exec'd (a loop)? */
static int
is_self(const char *path)
{
	struct stat	a, b;

	if (getenv(LOOP_VAR) != NULL)
		return 1;
	return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Can the queue be exec'd?  0, or -1 with errno (ELOOP: it is qqtag;
 * ENOEXEC: neither an ELF binary nor a script).  Checked before the log
 * line is written, so that line says what happens.
 */
static int
queue_usable(const char *q)
{
	struct stat	st;
	char		m[4];
	ssize_t		n;
	int		fd, self;

	if (is_self(q)) {
		errno = ELOOP;
		return -1;
	}
	if (stat(q, &st) == -1 || access(q, X_OK) == -1)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	if ((fd = open(q, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return 0;	/* execute-only: exec will tell */
	n = pread(fd, m, sizeof(m), 0);
	self = holds_mark(fd);
	close(fd);
	if (self) {
		errno = ELOOP;
		return -1;
	}
	if ((n >= 2 && m[0] == '#' && m[1] == '!') ||
	    (n == 4 && memcmp(m, "\177ELF", 4) == 0))
		return 0;
	errno = ENOEXEC;
	return -1;
}

/*
 * Exec the real queue; the log line is written by now.  Should exec
 * still fail (the file changed since queue_usable), one more line says
 * so and the status is 120, qmail-smtpd's "unable to exec qq".
 */
static void __attribute__((noreturn))
exec_queue(void)
{
	const char	*q = queue_path();
	char		*argv[2];
	struct itimerval off;

	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	if (setenv(LOOP_VAR, "1", 1) == -1)
		_exit(EX_NOMEM);
	argv[0] = (char *)q;
	argv[1] = NULL;
	execv(q, argv);
	warn("cannot exec the queue", q);
	_exit(EX_EXEC);
}

static int
spool_open(void)
{
	char	path[PATH_MAX];
	int	fd;

	if (g.pol.memfd)
		return memfd_create("qqtag", MFD_CLOEXEC);
	fd = open(g.pol.spool, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
	if (snprintf(path, sizeof(path), "%s/qqtag.XXXXXX", g.pol.spool) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	unlink(path);
	return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
spool_flush(void)
{
	size_t	n = g.outlen;

	g.outlen = 0;
	return write_all(g.msgfd, g.out, n);
}

/* hdr_emit_fn: kept message bytes go to the spool. */
static int
spool_emit(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	if (n > sizeof(g.out) - g.outlen && spool_flush() == -1)
		return -1;
	if (n >= sizeof(g.out))
		return write_all(g.msgfd, p, n);
	memcpy(g.out + g.outlen, p, n);
	g.outlen += n;
	return 0;
}

/*
 * Serve the DNS service until fd is readable.  No deadline here: this
 * is the client's upload, which qmail-smtpd times (DESIGN.md inv. 4).
 */
static void
wait_readable(int fd)
{
	(void)dns_wait(g.m.dns, fd, -1);
}

/* After the message: wait for the answers up to the policy's deadline. */
static void
answers_wait(void)
{
	long	left = (long)g.pol.timeout_ms - ms_since(&g.teom);

	(void)dns_wait(g.m.dns, -1, left > 0 ? (int)left : 0);
	dns_stop(g.m.dns);
}

/* The domain of an address, after its last '@'; NULL if none. */
static const char *
domain_of(const char *addr)
{
	const char	*at = strrchr(addr, '@');

	return at && at[1] ? at + 1 : NULL;
}

/*
 * The body needs no filtering: move it from the pipe qmail-smtpd writes
 * into the spool with splice(2), without a trip through user space.
 * Returns 1 at EOF, 0 when splice cannot be used (fd 0 is no pipe: the
 * caller goes on reading), and dies on a spool or read error.
 */
static int
splice_body(void)
{
	ssize_t	n;

	if (spool_flush() == -1)
		die(EX_SPOOL, "spoolerror");
	for (;;) {
		wait_readable(0);
		n = splice(0, NULL, g.msgfd, NULL, SPLICE_MAX, SPLICE_F_MOVE |
		    SPLICE_F_MORE);
		if (n > 0) {
			g.msgbytes += (unsigned long long)n;
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR)
			continue;
		if (errno == EINVAL || errno == ENOSYS)
			return 0;
		if (errno == ENOSPC || errno == EFBIG || errno == EDQUOT)
			die(EX_SPOOL, "spoolerror");
		die(EX_READ, "readerror");
	}
}

/* The envelope is in: check the sender's domain. */
static void
sender_checks(void)
{
	if (g.env.status != ENV_DONE)
		return;
	g.m.env = &g.env;
	g.m.sender_domain = domain_of(g.env.sender.p ? g.env.sender.p : "");
	checks_step(CHECK_ENVELOPE);
}

/*
 * The checks that asked for the body get its bytes in this chunk of
 * input (n bytes just read, at most CHECK_CHUNK): everything after the
 * header section, unchanged, in order.
 */
static void
body_chunk(const char *in, size_t n)
{
	unsigned long long body = g.msgbytes - g.hf.hdrbytes;
	size_t		   i;

	if (body < n)
		in += n - (size_t)body, n = (size_t)body;
	for (i = 0; n > 0 && i < check_count; i++)
		if (g.run[i] != NULL && check_table[i]->body != NULL &&
		    check_table[i]->wants_body != NULL &&
		    check_table[i]->wants_body(g.run[i]))
			check_table[i]->body(g.run[i], &g.m, in, n);
}

/* Read fd 0 to EOF through the filter into the spool. */
static void
read_message(void)
{
	static char	in[CHECK_CHUNK];	/* a body chunk is one read */
	ssize_t		n;
	int		nosplice = 0;

	for (;;) {
		if (g.hf.body && !nosplice && !g.body_wanted) {
			if (splice_body() == 1)
				break;
			nosplice = 1;
		}
		wait_readable(0);
		n = read(0, in, sizeof(in));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die(EX_READ, "readerror");
		if (n == 0)
			break;
		g.msgbytes += (unsigned long long)n;
		if (hdr_filter_feed(&g.hf, in, (size_t)n, spool_emit,
		    NULL) == -1)
			die(EX_SPOOL, "spoolerror");
		if (g.hf.body)
			on_headers();
		if (g.hf.body && g.body_wanted)
			body_chunk(in, (size_t)n);
	}
	if (hdr_filter_end(&g.hf, spool_emit, NULL) == -1 ||
	    spool_flush() == -1)
		die(EX_SPOOL, "spoolerror");
	on_headers();
}

/*
 * Read fd 1 up to the envelope's terminating NUL, as qmail-queue does.
 * EOF before it: the message is incomplete; qmail-queue would exit 54.
 */
static void
read_envelope(void)
{
	char	in[IOBUF];
	ssize_t	n;
	size_t	used;

	while (g.env.status == ENV_MORE) {
		n = read(1, in, sizeof(in));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die(EX_READ, "readerror");
		if (n == 0)
			die(EX_READ, "truncated");
		used = env_feed(&g.env, in, (size_t)n);
		if (write_all(g.envfd, in, used) == -1)
			die(EX_SPOOL, "spoolerror");
	}
}

static void
arm_watchdog(void)
{
	struct itimerval it;

	log_line("watchdog", 0);
	wd_len = g.log.len < LOG_MAX ? g.log.len : LOG_MAX;
	memcpy(wd_line, g.log.p, wd_len);
	wd_line[wd_len++] = '\n';
	buf_reset(&g.log);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = g.pol.watchdog_ms / 1000;
	it.it_value.tv_usec = (g.pol.watchdog_ms % 1000) * 1000;
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &it, NULL);
}

static int
checked(void)
{
	return !g.polerr && !g.pol.off && (g.cls == CL_UNTRUSTED ||
	    g.hopcheck || (g.anyip && g.cls == CL_PRIVATE));
}

/* Why the message is not checked: the reason= of its X-Qqtag field. */
static const char *
unchecked_reason(void)
{
	if (g.polerr)
		return "policy";
	if (g.pol.off)
		return "off";
	return class_name[g.cls];
}

/* Every check of the table starts on the message, for client ip (text). */
static void
checks_start(const char *ip)
{
	const struct check	*k;
	size_t			 i;

	if (ip != g.m.iptext)		/* a trusted relay's client */
		msg_client(&g.m, ip, g.hopcheck, g.anyip);
	g.m.anyip = g.anyip;
	g.m.pol = &g.pol;
	g.m.localip = getenv("TCPLOCALIP");
	for (i = 0; i < check_count; i++) {
		k = check_table[i];
		if (g.pol.conf[i] == NULL || k->start == NULL ||
		    g.run[i] != NULL)
			continue;
		errno = 0;
		g.run[i] = k->start(g.pol.conf[i], &g.m);
		g.nomem[i] = g.run[i] == NULL && errno == ENOMEM;
	}
}

/* The header section or the envelope is complete: every check's step. */
static void
checks_step(int step)
{
	const struct check	*k;
	size_t			 i;

	for (i = 0; i < check_count; i++) {
		k = check_table[i];
		if (g.run[i] == NULL)
			continue;
		if (step == CHECK_HEADERS && k->headers != NULL)
			k->headers(g.run[i], &g.m);
		if (step == CHECK_ENVELOPE && k->envelope != NULL)
			k->envelope(g.run[i], &g.m);
	}
}

/* Does a running check want the body (asked once the headers are in)? */
static int
checks_want_body(void)
{
	size_t	i;

	for (i = 0; i < check_count; i++)
		if (g.run[i] != NULL && check_table[i]->wants_body != NULL &&
		    check_table[i]->wants_body(g.run[i]))
			return 1;
	return 0;
}

/* Every running check adds its findings to the report, in table order. */
static void
checks_findings(void)
{
	char	key[64];
	size_t	i;

	for (i = 0; i < check_count; i++) {
		if (g.nomem[i]) {
			snprintf(key, sizeof(key), "%s:nomem",
			    check_table[i]->name);
			report_error(&g.rep, key);
		}
		if (g.run[i] != NULL && check_table[i]->findings != NULL)
			check_table[i]->findings(g.run[i], &g.m, &g.rep);
	}
}

/* The checks' per-message state is freed (before exec, after -c). */
static void
checks_done(void)
{
	size_t	i;

	for (i = 0; i < check_count; i++) {
		if (g.run[i] != NULL && check_table[i]->done != NULL)
			check_table[i]->done(g.run[i]);
		g.run[i] = NULL;
	}
}

/* Turn what the checks found into the report. */
static void
score(void)
{
	if (!checked())
		return;
	g.scored = 1;
	checks_findings();
}

/* The header block: the report, or why the message was not checked. */
static int
build_block(void)
{
	if (g.cls == CL_TRUSTED && !g.hopcheck && !g.polerr && !g.pol.off)
		return 0;
	if (!checked())
		return report_unchecked(&g.rep, &g.block, unchecked_reason());
	if (authres_write(&g.m, g.pol.authservid, &g.block) == -1)
		return -1;
	return report_block(&g.rep, &g.block);
}

/*
 * A message that starts with a blank or tab would continue the block's
 * last field (RFC 5322 §2.2.3 unfolding): end the block with a field of
 * our own for it to continue, so no byte of the message changes.
 */
static int
guard_block(void)
{
	char	c;

	if (g.block.len == 0 || pread(g.msgfd, &c, 1, SPOOL_HOLE) != 1 ||
	    (c != ' ' && c != '\t'))
		return 0;
	return report_guard(&g.block);
}

/* Put the block in the hole in front of the message and hand both on. */
static void __attribute__((noreturn))
hand_over(const char *result)
{
	off_t	start;

	score();
	if (build_block() == -1 || guard_block() == -1) {
		if (errno == ENOMEM)
			die(EX_NOMEM, "nomem");
		/* tag, never reject: fewer tags rather than no delivery */
		buf_reset(&g.block);
		if (report_unchecked(&g.rep, &g.block, "blockerror") == -1 ||
		    guard_block() == -1)
			buf_reset(&g.block);
	}
	if (g.block.len > SPOOL_HOLE)
		die(EX_BUG, "blocksize");
	start = SPOOL_HOLE - (off_t)g.block.len;
	if (g.block.len > 0 && pwrite(g.msgfd, g.block.p, g.block.len,
	    start) != (ssize_t)g.block.len)
		die(EX_SPOOL, "spoolerror");
	if (lseek(g.msgfd, start, SEEK_SET) == -1 ||
	    lseek(g.envfd, 0, SEEK_SET) == -1)
		die(EX_SPOOL, "spoolerror");
	if (queue_usable(queue_path()) == -1) {
		g.queue_errno = errno;
		die(EX_EXEC, errno == ELOOP ? "loop" : "execerror");
	}
	log_message(result);
	if (dup2(g.msgfd, 0) == -1 || dup2(g.envfd, 1) == -1)
		die(EX_BUG, "dup2");
	close(g.msgfd);
	close(g.envfd);
	checks_done();		/* the checks first: they hold queries */
	msg_free(&g.m);
	exec_queue();
}

static void
load_policy(void)
{
	const char	*file = getenv("QQTAG_POLICY");
	char		*line, *nl;

	policy_defaults(&g.pol);
	if (file == NULL || *file == '\0')
		file = POLICY_DEFAULT;
	if (policy_load(&g.pol, file, 0) == -1) {
		if (errno == ENOMEM && g.pol.errs.len == 0)
			die(EX_NOMEM, "nomem");
		g.polerr = g.pol.nerrors > 0 || !g.pol.found;
	}
	/*
	 * A missing policy is an installation error, not a clean bill of
	 * health: the message goes on unchecked (checked=no reason=policy),
	 * and the log says which file.
	 */
	if (!g.pol.found && !g.polerr) {
		g.polerr = 1;
		warn_file("policy file missing (message passed on unchecked)",
		    file, ENOENT);
	}
	for (line = g.pol.errs.p; line && *line; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		warn(g.polerr ? "policy error (message passed on unchecked)"
		    : "policy warning", line);
	}
}

/* Per-connection overrides from tcp.smtp: QQTAG_THRESHOLD, QQTAG_DNS. */
static void
overrides(void)
{
	const char	*t = getenv("QQTAG_THRESHOLD");
	const char	*d = getenv("QQTAG_DNS");
	double		 v;

	g.threshold = g.pol.threshold;
	if (t != NULL) {
		if (score_weight(t, NULL, &v) == -1)
			warn("QQTAG_THRESHOLD ignored", t);
		else
			g.threshold = v;
	}
	if (d != NULL && *d && !dns_servers_valid(d))
		warn("QQTAG_DNS ignored", d);
	else if (d != NULL && *d)
		g.m.servers = d;	/* before any check's "dns" line */
}


/*
 * The client ip (text; a trusted relay's client for a hop) is known: every
 * check starts on it, and every IP-keyed query leaves now, during the upload.
 */
static void
start_checks(const char *ip, const char *remotehost)
{
	if (!checked())
		return;
	g.m.remotehost = remotehost;
	checks_start(ip);
}

/* hdr_hop_fn: is this Received value the trusted relay's own line? */
static int
hop_line(const char *v, size_t n)
{
	struct ipaddr	ip;

	return rcvd_outside(v, n, &ip);
}

/*
 * A trusted relay (backup MX, gateway): its tags stay where it can have
 * written them, above its own Received line (the filter strips every tag
 * below it, as from any client).  When it did not run qqtag (no X-Qqtag
 * above that line), check the client its Received line names instead of
 * the relay's own clean address.
 */
static void
trusted_hop(void)
{
	const char	*hop;

	if (g.polerr || g.pol.off || g.hf.hop_qqtag > 0 ||
	    (hop = rcvd_hop_ip(&g.m.hdrs.rcvd)) == NULL)
		return;
	g.hopcheck = 1;
	start_checks(hop, NULL);
}

/* The header section is complete: parse it, start the From: checks. */
static void
on_headers(void)
{
	if (g.hdrs_done)
		return;
	g.hdrs_done = 1;
	msg_headers(&g.m, g.hf.copy.p ? g.hf.copy.p : "", g.hf.copy.len,
	    g.hf.copy_cut);
	if (g.cls == CL_TRUSTED)
		trusted_hop();
	checks_step(CHECK_HEADERS);
	g.body_wanted = checks_want_body();
}

static void __attribute__((noreturn))
usage(void)
{
	static const char m[] =
	    "usage: qqtag            (as $QMAILQUEUE, from qmail-smtpd)\n"
	    "       qqtag -n [-u USER] [FILE]\n"
	    "                        check a policy file strictly, and its\n"
	    "                        files as USER (default " POLICY_USER ")\n"
	    "       qqtag -c IP [-A] [-f SENDER] [-F FROMDOMAIN] [-H HELO]\n"
	    "                [-r RDNSNAME] [-U DOMAIN]\n"
	    "                        run the policy's checks for one client\n"
	    "                        (-U: DOMAIN against the URI lists too)\n"
	    "       qqtag -a FILE [-i IP] [-f SENDER] [-H HELO]\n"
	    "                        run them on a stored message, every\n"
	    "                        authentication step shown\n"
	    "       qqtag -l         list the built-in tests and weights\n"
	    "       qqtag -T [-v]    probe the lists, write the health state;\n"
	    "                        silent unless one is broken (-v: every\n"
	    "                        list on stdout)\n";

	say(m, sizeof(m) - 1);
	_exit(100);
}


/*
 * qqtag -T [-v]: probe every list of the policy at its test points and
 * write the state file qqtag reads to skip broken lists.  Silent when all
 * is well, so that cron mails nothing; every broken list, and whatever
 * stopped the probe, is a line on stderr.  -v adds one line per list and
 * a summary on stdout.  Exit 0 all healthy, 1 some broken, 2 the probe or
 * the state file failed (or the policy names none).
 */
static int
probe_lists(int argc, char *argv[])
{
	const struct check	*k;
	size_t			 i;
	int			 r, broken = 0, failed = 0;
	int			 verbose = argc == 3;

	if (argc > 3 || (verbose && strcmp(argv[2], "-v") != 0))
		usage();
	load_policy();
	if (g.polerr) {
		warn("list probe not run: the policy is unusable", g.pol.file);
		return 2;
	}
	overrides();
	g.m.mode = MSG_PROBE;
	g.m.pol = &g.pol;
	for (i = 0; i < check_count; i++) {
		k = check_table[i];
		if (k->probe == NULL || g.pol.conf[i] == NULL)
			continue;
		r = k->probe(g.pol.conf[i], &g.pol, &g.m, verbose);
		if (r == -1)
			failed = 1;
		else
			broken += r;
	}
	return failed ? 2 : broken > 0;
}

/* qqtag -l: every built-in test with its default weight. */
static int
list_tests(void)
{
	const struct score_test	*t;
	size_t			 i;

	for (i = 0; (t = check_test_at(i)) != NULL; i++)
		printf("%-22s %5.1f  %s\n", t->name, t->weight, t->what);
	return 0;
}

/*
 * qqtag -n [-u USER] [FILE]: strict policy check, and what it names on
 * disk checked as USER (policy_verify.c).  What was checked on stdout,
 * reasons on fd 2; status 0 or 1.
 */
static int
check_policy(int argc, char *argv[])
{
	const char	*file, *user = POLICY_USER;
	struct policy	 p;
	struct buf	 notes;
	int		 c, r;

	optind = 2;
	while ((c = getopt(argc, argv, "u:")) != -1) {
		if (c != 'u' || *optarg == '\0')
			usage();
		user = optarg;
	}
	if (argc - optind > 1)
		usage();
	file = optind < argc ? argv[optind] : getenv("QQTAG_POLICY");
	if (file == NULL || *file == '\0')
		file = POLICY_DEFAULT;
	policy_defaults(&p);
	buf_init(&notes, 64 * 1024);
	r = policy_load(&p, file, 1);
	if (p.found && policy_verify(&p, user, getenv("QQTAG_QUEUE"),
	    &notes) == -1)
		r = -1;
	if (notes.len > 0)
		fwrite(notes.p, 1, notes.len, stdout);
	fflush(stdout);
	say(p.errs.p ? p.errs.p : "", p.errs.len);
	if (r == 0)
		printf("%s: ok\n", file);
	buf_free(&notes);
	policy_free(&p);
	return r == 0 ? 0 : 1;
}

/* qqtag -c: one finding as a line, its untrusted text sanitised. */
static void
print_finding(const struct finding *f)
{
	static const char *const verdict[] = { "clean", "LISTED", "error" };
	const char *who = f->subject ? f->subject : g.ip ? g.ip : "-";
	char	subj[80], txt[120];
	size_t	n, k;

	n = hdr_sanitise(subj, sizeof(subj) - 1, who, f->subject ?
	    f->subjlen : strlen(who));
	subj[n] = '\0';
	printf("%-22s %-6s %-7s %-24s %-28.*s %5ums", f->test, f->kind,
	    verdict[f->verdict], subj, (int)f->anslen, f->answer ? f->answer :
	    "", f->ms);
	if (f->verdict == F_LISTED)
		printf(" %+.1f", f->weight);
	for (k = 1; f->verdict == F_LISTED && k < f->nparts; k++) {
		if (!f->part[k].untrusted)
			continue;
		n = hdr_sanitise(txt, sizeof(txt) - 1, f->part[k].p,
		    f->part[k].n);
		txt[n] = '\0';
		printf(" \"%s\"", txt);
	}
	putchar('\n');
}

/* qqtag -c: where the client is (GeoIP). */
static void
print_location(void)
{
	char	org[80];
	size_t	n;

	n = hdr_sanitise(org, sizeof(org) - 1, g.rep.org, g.rep.org ?
	    g.rep.orglen : 0);
	org[n] = '\0';
	printf("%-22s %-6s %-7s %-24s %s AS%lu %s\n", "GEOIP", "geo", "info",
	    g.ip, g.rep.cc ? g.rep.cc : "--", g.rep.asn, org);
}

/* qqtag -c: every finding, then the tests and the score. */
/* The Authentication-Results header queue mode would write. */
static void
print_authres(void)
{
	struct buf	b;

	buf_init(&b, BLOCK_MAX);
	if (authres_write(&g.m, g.pol.authservid, &b) == 0)
		fwrite(b.p, 1, b.len, stdout);
	buf_free(&b);
}

static void
print_findings(void)
{
	size_t	i, k = 0;

	if (g.rep.cc != NULL || g.rep.asn != 0)
		print_location();
	for (i = 0; i < g.rep.n; i++)
		print_finding(&g.rep.f[i]);
	print_authres();
	printf("tests=");
	for (i = 0; i < g.rep.n; i++)
		if (g.rep.f[i].verdict == F_LISTED)
			printf("%s%s", k++ ? "," : "", g.rep.f[i].test);
	printf("%s\nscore %.1f required %.1f flag %s (%ld ms)\n",
	    k ? "" : "none", g.rep.score, g.threshold,
	    report_flagged(&g.rep) ? "yes" : "no", ms_since(&g.teom));
}

/*
 * qqtag -c IP [-A] [-f SENDER] [-F FROMDOMAIN] [-r RDNSNAME]: the checks
 * queue mode runs on a client (lists, local lists, GeoIP, the client's
 * rDNS tests), through the same functions, as an admin's rblcheck; or
 * why queue mode would not check it.  -A asks the DNS lists about an
 * address queue mode never looks up (a list's test point, 127.0.0.2).  The header and envelope tests need
 * a message and are not run.  stdout is ours in this mode only (in queue
 * mode fd 1 is the envelope).  -U asks the URI lists about DOMAIN (or an
 * address) as given.
 */
static int
check_client(int argc, char *argv[])
{
	const char	*sender = NULL, *from = NULL, *host = NULL;
	int		 c;

	optind = 3;
	while ((c = getopt(argc, argv, "Af:F:H:r:U:")) != -1) {
		if (c == 'A')
			g.anyip = 1;
		else if (c == 'U')
			g.m.uritest = optarg;
		else if (c == 'H')
			g.m.helo = optarg;
		else if (c == 'f')
			sender = optarg;
		else if (c == 'F')
			from = optarg;
		else if (c == 'r')
			host = optarg;
		else
			usage();
	}
	load_policy();
	if (g.polerr)
		return 1;
	classify(argv[2]);
	overrides();
	if (g.cls == CL_PRIVATE)
		printf("%s: queue mode does not check this client (checked=no "
		    "reason=private)%s\n", argv[2], g.anyip ?
		    "; asking the DNS lists anyway (-A)" : "");
	else if (!checked())
		printf("%s: not checked (checked=no reason=%s)\n", argv[2],
		    unchecked_reason());
	if (!checked())
		return 0;
	report_init(&g.rep, &g.pol, g.threshold);
	clock_gettime(CLOCK_MONOTONIC, &g.teom);
	g.m.mode = MSG_CLIENT;
	g.m.trace = stdout;
	start_checks(g.ip, host);
	g.m.from_domain = from;		/* what -F and -f stand for */
	checks_step(CHECK_HEADERS);
	g.m.sender_domain = sender != NULL ? domain_of(sender) : NULL;
	env_init(&g.env);		/* -f: the envelope sender (SPF) */
	if (sender != NULL && buf_append(&g.env.sender, sender,
	    strlen(sender) + 1) == 0)
		g.m.env = &g.env;
	checks_step(CHECK_ENVELOPE);
	answers_wait();
	score();
	print_findings();
	checks_done();
	msg_free(&g.m);
	return 0;
}

/*
 * Copy fd to out with CR LF made LF (a CR before the next chunk's LF
 * too), a leading mbox "From " line left out; 0 at EOF, -1 on error.
 */
static int
lf_copy(int fd, int out)
{
	static char	 in[IOBUF], o[IOBUF + 1];
	int		 cr = 0, first = 1;
	ssize_t		 n, i;
	size_t		 k;

	while ((n = read(fd, in, sizeof(in))) > 0) {
		i = 0;
		if (first && n >= 5 && memcmp(in, "From ", 5) == 0)
			while (i < n && in[i++] != '\n')
				;
		first = 0;
		for (k = 0; i < n; i++) {
			if (cr && in[i] != '\n')
				o[k++] = '\r';
			if (!(cr = in[i] == '\r'))
				o[k++] = in[i];
		}
		if (write_all(out, o, k) == -1)
			return -1;
	}
	if (cr && write_all(out, "\r", 1) == -1)
		return -1;
	return n == 0 ? 0 : -1;
}

/*
 * The stored message as queue mode reads it, on a pipe a child fills
 * (lf_copy: qmail's queue is LF-only).  The read end, or -1 with errno.
 */
static int
open_stored(const char *file)
{
	int	 p[2], fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1 || pipe(p) == -1)
		return -1;
	switch (fork()) {
	case -1:
		return -1;
	case 0:
		close(p[0]);
		_exit(lf_copy(fd, p[1]) == 0 ? 0 : 1);
	default:
		close(fd);
		close(p[1]);
		return p[0];
	}
}

/* -a: the envelope sender: SENDER, else the Return-Path qmail wrote. */
static void
stored_envelope(const char *sender)
{
	struct rfc_iter	 it;
	struct rfc_field f;
	struct rfc_addrs a;

	if (sender == NULL) {
		rfc_iter_init(&it, g.m.hdr, g.m.hdrlen);
		if (rfc_next(&it, "Return-Path", &f) != 1)
			return;
		rfc_addr_list(f.val, f.vlen, &a);
		sender = a.nbox == 1 ? a.addr : "";
	}
	env_feed(&g.env, "F", 1);
	env_feed(&g.env, sender, strlen(sender));
	env_feed(&g.env, "\0\0", 2);
	sender_checks();
}

/*
 * qqtag -a FILE [-i IP] [-f SENDER] [-H HELO]: the checks of queue mode
 * on a stored message (a Maildir file, a message saved from a mail
 * client), for an administrator asking why a signature or DMARC failed:
 * each step of the authentication checks, every finding, the
 * Authentication-Results header and the score.  IP: the client (SPF,
 * iprev and the lists need it; none by default); SENDER: the envelope
 * sender (default: the message's Return-Path field).  qqtag's own old
 * tags in the file are stripped as queue mode would strip them.
 */
static int
check_stored(int argc, char *argv[])
{
	const char	*sender = NULL;
	int		 c, fd;

	optind = 3;
	while ((c = getopt(argc, argv, "f:H:i:")) != -1) {
		if (c == 'f')
			sender = optarg;
		else if (c == 'H')
			g.m.helo = optarg;
		else if (c == 'i')
			g.ip = optarg;
		else
			usage();
	}
	if (optind != argc)
		usage();
	load_policy();
	if (g.polerr)
		return 1;
	overrides();
	if ((fd = open_stored(argv[2])) == -1 || dup2(fd, 0) == -1 ||
	    (g.msgfd = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "qqtag: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	env_init(&g.env);
	g.cls = CL_UNTRUSTED;
	g.anyip = 1;
	g.m.mode = MSG_QUEUE;
	g.m.trace = stdout;
	msg_client(&g.m, g.ip, 0, 1);
	report_init(&g.rep, &g.pol, g.threshold);
	hdr_filter_init(&g.hf, &g.pol.strip);
	hdr_filter_authserv(&g.hf, g.pol.authservid);
	start_checks(g.ip, NULL);
	read_message();
	clock_gettime(CLOCK_MONOTONIC, &g.teom);
	stored_envelope(sender);
	answers_wait();
	score();
	print_findings();
	checks_done();
	msg_free(&g.m);
	return 0;
}

int
main(int argc, char *argv[])
{
	fds_sane();
	if (argc >= 2 && strcmp(argv[1], "-n") == 0)
		return check_policy(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "-c") == 0)
		return check_client(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "-a") == 0)
		return check_stored(argc, argv);
	if (argc == 2 && strcmp(argv[1], "-l") == 0)
		return list_tests();
	if (argc >= 2 && strcmp(argv[1], "-T") == 0)
		return probe_lists(argc, argv);
	if (argc > 1)
		usage();
	clock_gettime(CLOCK_MONOTONIC, &g.t0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	buf_init(&g.log, LOG_MAX);
	if (buf_reserve(&g.log, LOG_MAX - 1) == -1)
		_exit(EX_NOMEM);
	buf_init(&g.block, BLOCK_MAX);
	env_init(&g.env);
	load_policy();
	classify(client_ip());
	overrides();
	hdr_filter_init(&g.hf, &g.pol.strip);
	hdr_filter_authserv(&g.hf, g.pol.authservid);
	if (g.cls == CL_TRUSTED)	/* its tags count above its own line */
		hdr_filter_trust_hop(&g.hf, hop_line);
	if ((g.msgfd = spool_open()) == -1 || (g.envfd = spool_open()) == -1 ||
	    lseek(g.msgfd, SPOOL_HOLE, SEEK_SET) == -1)
		die(errno == ENOMEM ? EX_NOMEM : EX_SPOOL, "spoolerror");
	report_init(&g.rep, &g.pol, g.threshold);
	start_checks(g.ip, getenv("TCPREMOTEHOST"));
	read_message();
	clock_gettime(CLOCK_MONOTONIC, &g.teom);
	arm_watchdog();
	read_envelope();
	sender_checks();
	answers_wait();
	/* a bad envelope goes on as read: qmail-queue gives its verdict */
	hand_over(g.env.status == ENV_DONE ? "queue" :
	    g.env.status == ENV_LONG ? "queue-envelope-long" :
	    "queue-envelope-bad");
}

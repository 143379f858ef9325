/*
 * qq-standin: a strict stand-in for qmail-queue, for the tests only.
 *
 * It reads fd 0 from its current offset to EOF and then the envelope on
 * fd 1 exactly as notqmail's qmail-queue.c does, and gives the same
 * verdicts: 54 read error or early EOF, 91 envelope format error, 11
 * address of ADDR (1003) bytes or more.  A message is "queued" only when
 * the envelope is complete: then $QQ_OUT.msg holds the message bytes and
 * $QQ_OUT.env the envelope bytes consumed (final NUL included).
 * $QQ_OUT.info always records how it was called (open fds, fd 0 offset,
 * argv0, ppid) and the verdict.
 *
 * After a complete envelope it exits with $QQ_EXIT (default 0).  Special
 * values: 82 writes $QQ_FD6TEXT (default "Dcustom refusal") to fd 6
 * first; "signal:N" kills itself with signal N; "hang" sleeps forever.
 * Without $QQ_OUT nothing is recorded.  fd 1 is never written.
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ADDR		1003	/* qmail-queue.c: address length limit */
#define INFO_MAX	4096
#define PATH_MAX_QQ	4096

struct out {
	int	fd;		/* -1: discard */
	char	buf[8192];
	size_t	len;
};

static char	 info[INFO_MAX];
static size_t	 infolen;
static const char *qqout;

static void
info_add(const char *line)
{
	size_t n = strlen(line);

	if (n + 1 > sizeof(info) - infolen)
		return;
	memcpy(info + infolen, line, n);
	infolen += n;
	info[infolen++] = '\n';
}

static int
allwrite(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
die_sys(const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "qq-standin: %s: %s\n", what,
	    strerror(errno));
	allwrite(2, msg, strlen(msg));
	_exit(81);
}

static int
open_rec(const char *suffix, char *path, size_t pathsz)
{
	int fd;

	if (qqout == NULL)
		return -1;
	if ((size_t)snprintf(path, pathsz, "%s%s", qqout, suffix) >= pathsz) {
		errno = ENAMETOOLONG;
		die_sys("QQ_OUT");
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		die_sys(path);
	return fd;
}

static void
write_info(void)
{
	char path[PATH_MAX_QQ];
	int fd;

	if ((fd = open_rec(".info", path, sizeof(path))) == -1)
		return;
	if (allwrite(fd, info, infolen) == -1 || close(fd) == -1)
		die_sys(path);
}

/* A protocol verdict as qmail-queue gives it: record it, exit with it. */
static void
verdict(int code, struct out *msg, struct out *env)
{
	char line[64];
	char path[PATH_MAX_QQ];

	snprintf(line, sizeof(line), "verdict=%d", code);
	info_add(line);
	write_info();
	if (qqout != NULL) {
		if (msg != NULL && msg->fd != -1) {
			snprintf(path, sizeof(path), "%s.msg.tmp", qqout);
			unlink(path);
		}
		if (env != NULL && env->fd != -1) {
			snprintf(path, sizeof(path), "%s.env.tmp", qqout);
			unlink(path);
		}
	}
	_exit(code);
}

static void
out_flush(struct out *o)
{
	if (o->fd != -1 && allwrite(o->fd, o->buf, o->len) == -1)
		die_sys("write record");
	o->len = 0;
}

static void
out_put(struct out *o, const char *p, size_t n)
{
	size_t k;

	while (n > 0) {
		if (o->len == sizeof(o->buf))
			out_flush(o);
		k = sizeof(o->buf) - o->len;
		if (k > n)
			k = n;
		memcpy(o->buf + o->len, p, k);
		o->len += k;
		p += k;
		n -= k;
	}
}

/* Buffered reader of fd 1; -1 on EOF or error (both are 54). */
static char	inbuf[2048];
static size_t	inpos, inlen;

static int
get1(void)
{
	ssize_t r;

	if (inpos == inlen) {
		do
			r = read(1, inbuf, sizeof(inbuf));
		while (r == -1 && errno == EINTR);
		if (r <= 0)
			return -1;
		inpos = 0;
		inlen = (size_t)r;
	}
	return (unsigned char)inbuf[inpos++];
}

static void
record_start(int argc, char **argv)
{
	char line[512];
	size_t n;
	off_t off;
	int fd;

	snprintf(line, sizeof(line), "fd6=%s",
	    fcntl(6, F_GETFD) == -1 ? "closed" : "open");
	info_add(line);
	snprintf(line, sizeof(line), "argv0=%s", argc > 0 ? argv[0] : "");
	info_add(line);
	n = (size_t)snprintf(line, sizeof(line), "fds=");
	for (fd = 0; fd < 64; fd++)
		if (fcntl(fd, F_GETFD) != -1 && n < sizeof(line))
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%d",
			    n > 4 ? "," : "", fd);
	info_add(line);
	off = lseek(0, 0, SEEK_CUR);
	if (off == -1)
		snprintf(line, sizeof(line), "offset=pipe");
	else
		snprintf(line, sizeof(line), "offset=%lld", (long long)off);
	info_add(line);
	snprintf(line, sizeof(line), "ppid=%ld", (long)getppid());
	info_add(line);
}

/* fd 0 from its current offset to EOF, as substdio_copy does. */
static void
read_message(struct out *msg, struct out *env)
{
	char buf[8192];
	ssize_t r;

	for (;;) {
		r = read(0, buf, sizeof(buf));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			verdict(54, msg, env);
		if (r == 0)
			break;
		out_put(msg, buf, (size_t)r);
	}
}

/* One address after its 'F' or 'T', through its NUL (qmail-queue.c). */
static void
read_addr(struct out *msg, struct out *env)
{
	size_t len;
	int c;
	char ch;

	for (len = 0; len < ADDR; len++) {
		if ((c = get1()) == -1)
			verdict(54, msg, env);
		ch = (char)c;
		out_put(env, &ch, 1);
		if (ch == '\0')
			break;
	}
	if (len >= ADDR)
		verdict(11, msg, env);
}

static void
read_envelope(struct out *msg, struct out *env)
{
	int c;
	char ch;

	if ((c = get1()) == -1)
		verdict(54, msg, env);
	if (c != 'F')
		verdict(91, msg, env);
	ch = 'F';
	out_put(env, &ch, 1);
	read_addr(msg, env);
	for (;;) {
		if ((c = get1()) == -1)
			verdict(54, msg, env);
		ch = (char)c;
		if (ch == '\0') {
			out_put(env, &ch, 1);
			break;
		}
		if (ch != 'T')
			verdict(91, msg, env);
		out_put(env, &ch, 1);
		read_addr(msg, env);
	}
}

static void
commit(struct out *o, const char *suffix)
{
	char tmp[PATH_MAX_QQ], path[PATH_MAX_QQ];

	out_flush(o);
	if (o->fd == -1)
		return;
	if (close(o->fd) == -1)
		die_sys("close record");
	snprintf(tmp, sizeof(tmp), "%s%s.tmp", qqout, suffix);
	snprintf(path, sizeof(path), "%s%s", qqout, suffix);
	if (rename(tmp, path) == -1)
		die_sys(path);
}

static long
number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		errno = EINVAL;
		die_sys("QQ_EXIT");
	}
	return v;
}

static void
finish(const char *how)
{
	const char *text;
	sigset_t set;
	long n;

	if (strncmp(how, "signal:", 7) == 0) {
		n = number(how + 7, 1, 64);
		signal((int)n, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, (int)n);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), (int)n);
		_exit(81);
	}
	if (strcmp(how, "hang") == 0)
		for (;;)
			pause();
	n = number(how, 0, 255);
	if (n == 82) {
		text = getenv("QQ_FD6TEXT");
		if (text == NULL)
			text = "Dcustom refusal";
		if (fcntl(6, F_GETFD) != -1)
			allwrite(6, text, strlen(text));
	}
	_exit((int)n);
}

int
main(int argc, char **argv)
{
	static struct out msg, env;
	char path[PATH_MAX_QQ];
	const char *how;
	char line[300];

	signal(SIGPIPE, SIG_IGN);
	qqout = getenv("QQ_OUT");
	if (qqout != NULL && *qqout == '\0')
		qqout = NULL;
	how = getenv("QQ_EXIT");
	if (how == NULL || *how == '\0')
		how = "0";
	if (strncmp(how, "signal:", 7) == 0)
		number(how + 7, 1, 64);
	else if (strcmp(how, "hang") != 0)
		number(how, 0, 255);
	record_start(argc, argv);
	msg.fd = env.fd = -1;
	if (qqout != NULL) {
		/* a stale record must never pass for this run's */
		snprintf(path, sizeof(path), "%s.msg", qqout);
		unlink(path);
		snprintf(path, sizeof(path), "%s.env", qqout);
		unlink(path);
		msg.fd = open_rec(".msg.tmp", path, sizeof(path));
		env.fd = open_rec(".env.tmp", path, sizeof(path));
	}
	read_message(&msg, &env);
	read_envelope(&msg, &env);
	commit(&msg, ".msg");
	commit(&env, ".env");
	info_add("verdict=0");
	snprintf(line, sizeof(line), "exit=%s", how);
	info_add(line);
	write_info();
	finish(how);
	return 81;
}

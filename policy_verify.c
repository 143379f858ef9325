/*
 * policy_verify.c - qqtag -n's checks of what a policy names on disk.
 *
 * A policy can parse and still give every message a 451: a spool
 * directory that does not exist or that qmail-smtpd's user cannot write
 * (qqtag exits 53), a queue program that is not there (120).  Lines that
 * lose tagging are no better: a list or GeoIP file that user cannot read.
 * So qqtag -n tries each as that user would: root forks a child that
 * becomes the user (initgroups, setgid, setuid) and really creates,
 * writes and removes a file in each directory (O_TMPFILE, else mkostemp
 * and unlink, as the spool does), asks access(X_OK) with the effective
 * ids of the queue program, and reads a byte of each file; the child's
 * results come back through a pipe.  Anyone else can only try as
 * themselves, and the notes say so.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "policy_verify.h"

#define MAXITEMS	(POLICY_FILES_MAX + 3)	/* + spool, queue, state dir */
#define LINEMAX		700			/* one error or note */

enum kind {
	K_DIR,		/* a directory the user can create a file in */
	K_EXEC,		/* a regular file the user can execute */
	K_READ,		/* a regular file the user can read */
	K_READ_OPT	/* the same, or not there (yet) */
};

/* Results other than 0 (fine) and errno values. */
#define R_NOTDIR	(-1)
#define R_NOTREG	(-2)
#define R_SELF		(-3)
#define R_ABSENT	(-4)

struct item {
	unsigned	 line;		/* 0: not from a line */
	const char	*what;		/* "spool", "iplist", ... */
	const char	*path;
	const char	*src;		/* "", " (default)", " (QQTAG_QUEUE)" */
	enum kind	 kind;
};

struct run {
	struct item	 it[MAXITEMS];
	int		 res[MAXITEMS];
	size_t		 n;
	char		*owned[POLICY_FILES_MAX];	/* state directories */
	size_t		 nowned;
	struct stat	 self;		/* /proc/self/exe, this qqtag */
	int		 have_self;
};

/* Append "file[:line]: text" to b, unless b is nearly full. */
static void __attribute__((format(printf, 4, 5)))
out(struct buf *b, const struct policy *p, unsigned line, const char *fmt,
    ...)
{
	char	text[LINEMAX];
	va_list	ap;

	if (buf_room(b) < sizeof(text) + 100)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (line > 0)
		buf_printf(b, "%s:%u: %s\n", p->file, line, text);
	else
		buf_printf(b, "%s: %s\n", p->file, text);
}

/* A new file in dir, as the spool makes it: created, written, removed. */
static int
try_create(const char *dir)
{
	char	path[PATH_MAX];
	int	fd, e;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd == -1 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL)) {
		if (snprintf(path, sizeof(path), "%s/.qqtag-n.XXXXXX", dir) >=
		    (int)sizeof(path))
			return ENAMETOOLONG;
		if ((fd = mkostemp(path, O_CLOEXEC)) != -1)
			unlink(path);
	}
	if (fd == -1)
		return errno;
	e = write(fd, "x", 1) == 1 ? 0 : errno ? errno : EIO;
	close(fd);
	return e;
}

/* One item, as whoever runs this: 0, an errno value or an R_ code. */
static int
check_item(const struct run *r, const struct item *it)
{
	struct stat	st;
	char		c;
	int		fd, e;

	if (stat(it->path, &st) == -1)
		return it->kind == K_READ_OPT && errno == ENOENT ? R_ABSENT :
		    errno;
	if (it->kind == K_DIR)
		return S_ISDIR(st.st_mode) ? try_create(it->path) : R_NOTDIR;
	if (!S_ISREG(st.st_mode))
		return R_NOTREG;
	if (it->kind == K_EXEC) {
		if (r->have_self && st.st_dev == r->self.st_dev &&
		    st.st_ino == r->self.st_ino)
			return R_SELF;
		return faccessat(AT_FDCWD, it->path, X_OK, AT_EACCESS) == -1 ?
		    errno : 0;
	}
	fd = open(it->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return errno;
	e = read(fd, &c, 1) == -1 ? errno : 0;
	close(fd);
	return e;
}

static void
check_all(struct run *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		r->res[i] = check_item(r, &r->it[i]);
}

/*
 * Root: the checks run in a child that has become pw (supplementary
 * groups included); its results come back through a pipe.  0, or -1.
 */
static int
check_as(struct run *r, const struct passwd *pw)
{
	size_t	want = r->n * sizeof(r->res[0]), got = 0;
	ssize_t	n;
	pid_t	pid;
	int	fds[2], st;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
		    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1 ||
		    geteuid() != pw->pw_uid || getegid() != pw->pw_gid)
			_exit(2);
		check_all(r);
		_exit(write(fds[1], r->res, want) == (ssize_t)want ? 0 : 3);
	}
	close(fds[1]);
	while (got < want) {
		n = read(fds[0], (char *)r->res + got, want - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	return got == want && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void
add(struct run *r, unsigned line, const char *what, const char *path,
    const char *src, enum kind k)
{
	struct item	*it = &r->it[r->n++];

	it->line = line;
	it->what = what;
	it->path = path;
	it->src = src;
	it->kind = k;
}

/* The items of p: spool, queue, then the files its lines named. */
static int
items(struct run *r, const struct policy *p, const char *queue)
{
	const struct policy_file *f;
	char		*d, *slash;
	size_t		 i;

	if (!p->memfd)
		add(r, p->spool_line, "spool", p->spool,
		    p->spool_line ? "" : " (default)", K_DIR);
	if (queue != NULL && queue[0] == '/')
		add(r, 0, "queue", queue, " (QQTAG_QUEUE)", K_EXEC);
	else
		add(r, p->queue_line, "queue", p->queue,
		    p->queue_line ? "" : " (default)", K_EXEC);
	for (i = 0; i < p->nfiles && r->n < MAXITEMS - 1; i++) {
		f = &p->files[i];
		if (strcmp(f->what, "state") != 0) {
			add(r, f->line, f->what, f->path, "", K_READ);
			continue;
		}
		slash = strrchr(f->path, '/');
		d = strndup(f->path, slash && slash != f->path ?
		    (size_t)(slash - f->path) : 1);
		if (d == NULL)
			return -1;
		r->owned[r->nowned++] = d;
		add(r, f->line, "state directory", d, "", K_DIR);
		add(r, f->line, "state", f->path, "", K_READ_OPT);
	}
	return 0;
}

/* What was done to an item that was fine, or why it is wrong. */
static const char *
text(const struct item *it, int res, const char *as, char *tmp, size_t sz)
{
	static const char *const done[] = {
		"a file created, written and removed there as",
		"an executable file for", "read as", "read as"
	};
	static const char *const cannot[] = {
		"cannot create a file there as", "cannot execute it as",
		"cannot read it as", "cannot read it as"
	};

	if (res == R_NOTDIR)
		return "not a directory";
	if (res == R_NOTREG)
		return "not a regular file";
	if (res == R_SELF)
		return "this is qqtag itself: every message would loop";
	if (res == R_ABSENT)
		return "not there yet (qqtag -T writes it)";
	if (res == ENOENT)
		return "no such file or directory";
	if (res == 0)
		(void)snprintf(tmp, sz, "%s %s", done[it->kind], as);
	else
		(void)snprintf(tmp, sz, "%s %s: %s", cannot[it->kind], as,
		    strerror(res));
	return tmp;
}

static int
report(struct policy *p, const struct run *r, const char *as,
    struct buf *notes)
{
	const struct item *it;
	char		 tmp[300];
	size_t		 i;
	int		 bad = 0;

	for (i = 0; i < r->n; i++) {
		it = &r->it[i];
		out(r->res[i] == 0 || r->res[i] == R_ABSENT ? notes :
		    &p->errs, p, it->line, "%s %.300s%s: %s", it->what,
		    it->path, it->src, text(it, r->res[i], as, tmp,
		    sizeof(tmp)));
		if (r->res[i] != 0 && r->res[i] != R_ABSENT) {
			p->nerrors++;
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* "name (uid N)" of the effective user, for the notes. */
static void
whoami(char *as, size_t sz)
{
	const struct passwd *me = getpwuid(geteuid());

	(void)snprintf(as, sz, "%.64s (uid %lu)", me ? me->pw_name : "?",
	    (unsigned long)geteuid());
}

/* Check what p names as user; see policy_verify.h. */
int
policy_verify(struct policy *p, const char *user, const char *queue,
    struct buf *notes)
{
	static struct run r;
	const struct passwd *pw;
	char		 as[100];
	int		 ret = -1;

	memset(&r, 0, sizeof(r));
	if ((pw = getpwnam(user)) == NULL) {
		out(&p->errs, p, 0, "-u %.64s: no such user (name the user "
		    "qmail-smtpd runs as)", user);
		p->nerrors++;
		return -1;
	}
	r.have_self = stat("/proc/self/exe", &r.self) == 0;
	if (p->memfd)
		out(notes, p, p->spool_line, "spool memfd: in memory, no "
		    "directory to check");
	if (items(&r, p, queue) == -1) {
		out(&p->errs, p, 0, "out of memory");
		p->nerrors++;
		goto done;
	}
	if (geteuid() == 0) {
		(void)snprintf(as, sizeof(as), "%.64s (uid %lu)", pw->pw_name,
		    (unsigned long)pw->pw_uid);
		if (check_as(&r, pw) == -1) {
			out(&p->errs, p, 0, "could not check as %s", as);
			p->nerrors++;
			goto done;
		}
	} else {
		whoami(as, sizeof(as));
		if (geteuid() != pw->pw_uid)
			out(notes, p, 0, "checked as %s, not as %.64s: run "
			    "qqtag -n as root to check as %.64s", as,
			    pw->pw_name, pw->pw_name);
		check_all(&r);
	}
	ret = report(p, &r, as, notes);
done:
	while (r.nowned > 0)
		free(r.owned[--r.nowned]);
	return ret;
}

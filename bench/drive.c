/*
 * drive.c - the benchmark's stand-in for qmail-smtpd: one timed run of a
 * queue program.  Not part of qqtag; built by bench/core.sh.
 *
 *   drive pipe|file MSG ENV LOG PROG
 *
 * Starts PROG with fd 0 the message (pipe: a feeder child copies MSG into
 * a pipe in 64 KiB writes, as qmail-smtpd writes the client's data, at
 * most $DRIVE_RATE bytes a second if that is set; file: MSG opened
 * directly), fd 1 a pipe that gets ENV only once the whole
 * message is written (qmail-queue(8) order), fd 2 LOG.  Prints one line:
 *
 *   [probe fields] us=WALL tail_us=TAIL maxrss_kb=K status=S
 *
 * WALL is microseconds from before the first fork to the reaping of PROG;
 * TAIL from the feeder's last write (the client's last byte) to the same
 * (file: from just after the fork, nearly all of WALL).  K is PROG's ru_maxrss from wait4() (the maximum over every image the
 * process ran, this program's forked copy included: keep it small and
 * static).  S is the exit code, or "sigN".
 *
 * With DRIVE_PROBE=1 in the environment the envelope is held back until
 * PROG blocks in read(1, ...) (it has read the whole message): then its
 * /proc/PID/status (VmPeak VmSize VmHWM VmRSS RssAnon RssFile RssShmem;
 * VmPeak is what softlimit -m, an RLIMIT_AS, caps) and the space
 * its open memfds and deleted (spool) files hold are printed, and the
 * envelope is released.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char	iobuf[64 * 1024];

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

/* fd from to fd to, 64 KiB at a time, at most rate bytes/s (0: no cap) */
static void
copy(int from, int to, double rate)
{
	ssize_t		r, w, off;
	double		sent = 0, ahead;
	struct timespec	t0, now, ts;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (rate > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			ahead = sent / rate - ((double)(now.tv_sec - t0.tv_sec) +
			    (double)(now.tv_nsec - t0.tv_nsec) / 1e9);
			if (ahead > 0) {
				ts.tv_sec = (time_t)ahead;
				ts.tv_nsec = (long)((ahead - (double)ts.tv_sec) *
				    1e9);
				nanosleep(&ts, NULL);
			}
		}
		r = read(from, iobuf, sizeof(iobuf));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		for (off = 0; off < r; off += w) {
			w = write(to, iobuf + off, (size_t)(r - off));
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0)
				return;
		}
		sent += (double)r;
	}
}

/*
 * Has PID read the whole message and blocked waiting for more input
 * (read(1, ...) today; poll/ppoll/epoll_wait/select once DNS is in the
 * loop)?  x86-64 syscall numbers.  -1: PID has exited.
 */
static int
waiting(pid_t pid, int keep, off_t size)
{
	char		 path[64], line[256];
	int		 fd, avail;
	long		 nr;
	unsigned long	 a0;
	long long	 pos;
	ssize_t		 n;
	siginfo_t	 si;
	FILE		*f;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == pid)
		return -1;
	if (keep != -1) {
		if (ioctl(keep, FIONREAD, &avail) == -1 || avail != 0)
			return 0;
	} else {
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/0", (int)pid);
		if ((f = fopen(path, "r")) == NULL)
			return 0;
		pos = -1;
		if (fscanf(f, "pos: %lld", &pos) != 1 || pos < (long long)size)
			pos = -1;
		fclose(f);
		if (pos == -1)
			return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	line[n] = '\0';
	if (sscanf(line, "%ld %lx", &nr, &a0) != 2)
		return 0;
	return (nr == 0 && a0 == 1) || nr == 7 || nr == 271 || nr == 232 ||
	    nr == 281 || nr == 23 || nr == 270;
}

static void
print_status(pid_t pid)
{
	static const char *const keys[] = {
		"VmPeak:", "VmSize:", "VmHWM:", "VmRSS:", "RssAnon:",
		"RssFile:", "RssShmem:"
	};
	char	path[64], line[256];
	FILE	*f;
	size_t	i;
	long	v;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0 &&
			    sscanf(line + strlen(keys[i]), "%ld", &v) == 1)
				printf(" %.*s_kb=%ld", (int)strlen(keys[i]) - 1,
				    keys[i], v);
	fclose(f);
}

/* Blocks held by PROG's memfds and by its deleted (unlinked) files. */
static void
print_fds(pid_t pid)
{
	char	dir[64], path[600], link[512];
	DIR	*d;
	struct dirent *e;
	struct stat st;
	long long memfd = 0, spool = 0;
	ssize_t	n;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0 || stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		link[n] = '\0';
		if (strncmp(link, "/memfd:", 7) == 0)
			memfd += (long long)st.st_blocks * 512;
		else if (strstr(link, " (deleted)") != NULL)
			spool += (long long)st.st_blocks * 512;
	}
	closedir(d);
	printf(" memfd_kb=%lld spoolfile_kb=%lld", memfd / 1024, spool / 1024);
}

int
main(int argc, char *argv[])
{
	int		 msg[2], env[2], mfd, efd, lfd, status, r, keep = -1;
	int		 probe = getenv("DRIVE_PROBE") != NULL;
	pid_t		 prog, feeder = -1;
	struct timespec	 t0, t1, tfed;
	struct rusage	 ru;
	ssize_t		 n;
	char		 ebuf[65536];
	struct stat	 st;

	if (argc != 6 || (strcmp(argv[1], "pipe") != 0 &&
	    strcmp(argv[1], "file") != 0)) {
		fprintf(stderr, "usage: drive pipe|file MSG ENV LOG PROG\n");
		return 2;
	}
	if ((mfd = open(argv[2], O_RDONLY)) == -1)
		die(argv[2]);
	if ((efd = open(argv[3], O_RDONLY)) == -1)
		die(argv[3]);
	n = read(efd, ebuf, sizeof(ebuf));
	if (n <= 0)
		die("envelope (empty or over 64 KiB)");
	if ((lfd = open(argv[4], O_WRONLY | O_CREAT | O_APPEND, 0644)) == -1)
		die(argv[4]);
	if (pipe(env) == -1 || pipe(msg) == -1)
		die("pipe");
	signal(SIGPIPE, SIG_IGN);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((prog = fork()) == -1)
		die("fork");
	if (prog == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(strcmp(argv[1], "pipe") == 0 ? msg[0] : mfd, 0) == -1 ||
		    dup2(env[0], 1) == -1 || dup2(lfd, 2) == -1)
			_exit(126);
		closefrom(3);
		execl(argv[5], argv[5], (char *)NULL);
		_exit(127);
	}
	if (probe && strcmp(argv[1], "pipe") == 0)
		keep = dup(msg[0]);
	close(msg[0]);
	close(env[0]);
	if (strcmp(argv[1], "pipe") == 0) {
		if ((feeder = fork()) == -1)
			die("fork");
		if (feeder == 0) {
			close(env[1]);
			if (keep != -1)
				close(keep);
			copy(mfd, msg[1], getenv("DRIVE_RATE") ?
			    strtod(getenv("DRIVE_RATE"), NULL) : 0);
			_exit(0);
		}
	}
	close(msg[1]);
	if (feeder != -1)
		while (waitpid(feeder, &status, 0) == -1 && errno == EINTR)
			;
	clock_gettime(CLOCK_MONOTONIC, &tfed);
	if (probe) {
		if (fstat(mfd, &st) == -1)
			die("fstat");
		while ((r = waiting(prog, keep, st.st_size)) == 0)
			usleep(200);
		if (r == 1) {
			print_status(prog);
			print_fds(prog);
		}
	}
	if (write(env[1], ebuf, (size_t)n) != n && errno != EPIPE)
		die("write envelope");
	close(env[1]);
	while (wait4(prog, &status, 0, &ru) == -1)
		if (errno != EINTR)
			die("wait4");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%sus=%lld tail_us=%lld maxrss_kb=%ld status=",
	    probe ? " " : "", (long long)(t1.tv_sec - t0.tv_sec) * 1000000LL +
	    (t1.tv_nsec - t0.tv_nsec) / 1000,
	    (long long)(t1.tv_sec - tfed.tv_sec) * 1000000LL +
	    (t1.tv_nsec - tfed.tv_nsec) / 1000, ru.ru_maxrss);
	if (WIFSIGNALED(status))
		printf("sig%d", WTERMSIG(status));
	else
		printf("%d", WEXITSTATUS(status));
	printf("\n");
	return 0;
}

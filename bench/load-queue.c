/*
 * load-queue.c - the queue program of the load test (bench/load.sh,
 * tests/t_load.sh): a measuring front for the strict stand-in.
 *
 *   LOADQ_DIR=DIR LOADQ_STANDIN=PATH load-queue
 *
 * Exec'd by qqtag (or, in the baseline, by the SMTP front end) in place of
 * qmail-queue.  It claims a record name of its own, DIR/q.PID.N (O_EXCL:
 * process ids are reused over thousands of messages), writes DIR/q.PID.N
 * .cpu with the CPU time this process has used before the exec that
 * made it -- getrusage(RUSAGE_SELF): CPU time survives execve, so after
 * "qqtag -> load-queue" it is qqtag's own, plus the front end's child
 * between fork and exec and this program's start (the baseline, front
 * end -> load-queue, measures those) -- then sets QQ_OUT=DIR/q.PID.N and
 * execs the stand-in, which records the message and envelope there.
 * (ru_maxrss is no use here: it also holds the front end's forked
 * image.)  The record:
 *   cpu_us=MICROSECONDS
 * Any failure: exit 81 (qmail-queue's "internal bug", temporary).
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/resource.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	struct rusage	 ru;
	const char	*dir = getenv("LOADQ_DIR");
	const char	*standin = getenv("LOADQ_STANDIN");
	char		 path[4096], line[128];
	int		 fd, i, n;
	long long	 us;

	if (getrusage(RUSAGE_SELF, &ru) == -1 || dir == NULL ||
	    standin == NULL)
		return 81;
	for (i = 0, fd = -1; fd == -1 && i < 1000; i++) {
		n = snprintf(path, sizeof(path), "%s/q.%ld.%d.cpu", dir,
		    (long)getpid(), i);
		if (n < 0 || (size_t)n >= sizeof(path))
			return 81;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd == -1 && errno != EEXIST)
			return 81;
	}
	if (fd == -1)
		return 81;
	us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	n = snprintf(line, sizeof(line), "cpu_us=%lld\n", us);
	if (write(fd, line, (size_t)n) != n || close(fd) == -1)
		return 81;
	path[strlen(path) - 4] = '\0';		/* less ".cpu" */
	if (setenv("QQ_OUT", path, 1) == -1)
		return 81;
	execl(standin, standin, (char *)NULL);
	return 81;
}

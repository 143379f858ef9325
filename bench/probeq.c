/*
 * probeq.c - a measuring queue program for the benchmark (static, tiny).
 * Exec'd in place of qmail-queue, it reports on the process it replaced:
 * getrusage(RUSAGE_SELF).ru_maxrss at its start is the peak RSS of every
 * earlier image of this process (Linux folds the old mm's high-water mark
 * into it at exec), so after "qqtag -> probeq" it is qqtag's own peak.
 * fstat(0) tells what qqtag handed over (a memfd is RAM; a disk file is
 * page cache).  Then it reads fd 0 and fd 1 to EOF, like qmail-queue,
 * and appends one line to $PROBE_OUT:
 *   maxrss_kb=K fd0=memfd|file|pipe fd0_kb=BLOCKS_KB msg=BYTES env=BYTES
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char	buf[64 * 1024];

static long long
drain(int fd)
{
	long long	t = 0;
	ssize_t		r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		t += r;
	return t;
}

int
main(void)
{
	struct rusage	ru;
	struct stat	st;
	char		link[256];
	const char	*kind = "other", *out = getenv("PROBE_OUT");
	ssize_t		n;
	long long	m, e, blocks = 0;
	FILE		*f;

	getrusage(RUSAGE_SELF, &ru);
	if (fstat(0, &st) == 0) {
		blocks = (long long)st.st_blocks * 512 / 1024;
		if (S_ISFIFO(st.st_mode))
			kind = "pipe";
		else if (S_ISREG(st.st_mode))
			kind = "file";
	}
	n = readlink("/proc/self/fd/0", link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		if (strncmp(link, "/memfd:", 7) == 0)
			kind = "memfd";
	}
	m = drain(0);
	e = drain(1);
	if (out != NULL && (f = fopen(out, "a")) != NULL) {
		fprintf(f, "maxrss_kb=%ld fd0=%s fd0_kb=%lld msg=%lld env=%lld\n",
		    ru.ru_maxrss, kind, blocks, m, e);
		fclose(f);
	}
	return 0;
}

/*
 * passthru.c - the benchmark's baseline: a queue wrapper that does
 * nothing but exec the real queue (QUEUE, fixed at build time:
 * cc -O2 -DQUEUE='"/path/to/qq-standin"' -o passthru passthru.c).
 * It costs one exec, the least any qmail-queue wrapper can cost.
 */
#include <unistd.h>

#ifndef QUEUE
#error "build with -DQUEUE='\"/path/to/queue\"'"
#endif

int
main(void)
{
	char	*argv[] = { QUEUE, NULL };

	execv(QUEUE, argv);
	_exit(120);	/* qmail-smtpd: unable to exec qq */
}

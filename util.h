/* util.h - small helpers every module may use: elapsed time, error text */
#ifndef QQTAG_UTIL_H
#define QQTAG_UTIL_H

#include <stddef.h>
#include <time.h>

long	ms_since(const struct timespec *);
int	errf(char *, size_t, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));

#endif

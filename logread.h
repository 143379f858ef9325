/* logread.h - log files line by line: plain or gzip, file or pipe */
#ifndef QQTAG_LOGREAD_H
#define QQTAG_LOGREAD_H

#include <stddef.h>
#include <stdint.h>

#define LR_LINE_MAX	8192	/* longer: skipped and counted */

struct lr;

/*
 * Open file name ("-": standard input) for reading; gzip is recognised by
 * its magic bytes.  NULL with errno when it cannot be opened or memory
 * runs out.
 */
struct lr	*lr_open(const char *);
/*
 * The next line (without its LF, nor a CR before it) as n bytes at *p,
 * valid until the next call.  1, or 0 at the end of the input (or at the
 * first error: lr_problem says which).
 */
int	lr_line(struct lr *, const char **, size_t *);
/* What went wrong reading (truncated gzip, read error ...), or NULL. */
const char	*lr_problem(const struct lr *);
/* Lines longer than LR_LINE_MAX skipped so far. */
uint64_t	lr_overlong(const struct lr *);
/* Close and free (NULL is fine). */
void	lr_close(struct lr *);

#endif

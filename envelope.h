/* envelope.h - the qmail-queue envelope on fd 1 */
#ifndef QQTAG_ENVELOPE_H
#define QQTAG_ENVELOPE_H

#include <stddef.h>

#include "buf.h"

#define ENV_ADDR	1003		/* qmail-queue.c ADDR */
#define ENV_KEEP_MAX	(64 * 1024)	/* recipients kept for heuristics */

enum env_status {
	ENV_MORE,	/* needs more bytes */
	ENV_DONE,	/* terminating NUL seen */
	ENV_BAD,	/* qmail-queue would exit 91 here */
	ENV_LONG	/* qmail-queue would exit 11 here */
};

struct env {
	int		 state;
	enum env_status	 status;
	size_t		 addrlen;
	unsigned long	 nrcpt;		/* all recipients, not capped */
	unsigned long	 nkept;		/* recipients held in rcpts */
	unsigned long long bytes;	/* envelope bytes consumed */
	struct buf	 sender;
	struct buf	 rcpts;		/* NUL-separated, capped */
	size_t		 rcptlen;	/* bytes of whole addresses in rcpts */
	int		 rcpts_cut;
};

void	env_init(struct env *);
size_t	env_feed(struct env *, const char *, size_t);
const char *env_rcpt_next(const struct env *, const char *);
void	env_free(struct env *);

#endif

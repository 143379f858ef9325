/* buf.h - the one bounded growable byte buffer */
#ifndef QQTAG_BUF_H
#define QQTAG_BUF_H

#include <stddef.h>

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* hard maximum of len; 0 = BUF_MAX_DEFAULT */
};

#define BUF_MAX_DEFAULT	(16u * 1024 * 1024)

void	buf_init(struct buf *, size_t);
int	buf_append(struct buf *, const void *, size_t);
int	buf_reserve(struct buf *, size_t);
int	buf_appends(struct buf *, const char *);
int	buf_appendc(struct buf *, char);
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
size_t	buf_room(const struct buf *);
void	buf_reset(struct buf *);
void	buf_free(struct buf *);

#endif

/*
 * envelope.c - the envelope qmail-smtpd writes on fd 1 after the message:
 * "F" sender NUL, then ("T" recipient NUL)..., then NUL (qmail-queue(8)).
 *
 * The parser consumes exactly the bytes qmail-queue would read and stops
 * where qmail-queue would stop (its terminating NUL, or the byte that makes
 * it exit 91 or 11), so that the spooled copy handed on makes the real
 * queue reach the same verdict.  The envelope itself is spooled unbounded
 * by the caller; only what is kept here for the heuristics is capped.
 */
#include <string.h>

#include "envelope.h"

enum { E_F, E_SENDER, E_T, E_RCPT, E_END };

/* Start reading an envelope. */
void
env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->state = E_F;
	e->status = ENV_MORE;
	buf_init(&e->sender, ENV_ADDR);
	buf_init(&e->rcpts, ENV_KEEP_MAX);
}

/* Release what was kept. */
void
env_free(struct env *e)
{
	buf_free(&e->sender);
	buf_free(&e->rcpts);
}

static void
keep(struct env *e, char c)
{
	if (e->state == E_SENDER) {
		if (c != '\0' && buf_appendc(&e->sender, c) == -1)
			buf_reset(&e->sender);
		return;
	}
	if (e->rcpts_cut)
		return;
	if (buf_appendc(&e->rcpts, c) == -1) {
		/* drop the partial address; keep whole ones only */
		e->rcpts.len = e->rcptlen;
		e->rcpts_cut = 1;
	} else if (c == '\0') {
		e->nkept++;
		e->rcptlen = e->rcpts.len;
	}
}

/* One byte inside an address; qmail-queue.c allows ADDR - 1 bytes. */
static void
addr_byte(struct env *e, char c)
{
	keep(e, c);
	if (c == '\0') {
		if (e->state == E_RCPT)
			e->nrcpt++;
		e->state = E_T;
		e->addrlen = 0;
	} else if (++e->addrlen >= ENV_ADDR)
		e->status = ENV_LONG;
}

/*
 * Consume up to n envelope bytes; returns how many were consumed.  It
 * consumes fewer only when the envelope ended (status ENV_DONE) or when
 * qmail-queue would stop at that byte (ENV_BAD, ENV_LONG: that byte is
 * consumed).
 */
size_t
env_feed(struct env *e, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n && e->status == ENV_MORE; i++) {
		char c = p[i];

		switch (e->state) {
		case E_F:
			if (c != 'F')
				e->status = ENV_BAD;
			e->state = E_SENDER;
			break;
		case E_T:
			if (c == '\0') {
				e->state = E_END;
				e->status = ENV_DONE;
			} else if (c != 'T')
				e->status = ENV_BAD;
			else
				e->state = E_RCPT;
			break;
		default:
			addr_byte(e, c);
			break;
		}
	}
	e->bytes += i;
	return i;
}

/* Iterate the kept recipients: pass NULL first, then the previous one. */
const char *
env_rcpt_next(const struct env *e, const char *prev)
{
	const char	*end, *p;

	if (e->rcptlen == 0)
		return NULL;
	end = e->rcpts.p + e->rcptlen;
	if (prev == NULL)
		return e->rcpts.p;
	p = prev + strlen(prev) + 1;
	return p < end ? p : NULL;
}

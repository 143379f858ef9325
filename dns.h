/*
 * dns.h - the one DNS service of a message (DESIGN.md §3): one c-ares
 * channel, any check asks with dns_query(), a per-message answer cache,
 * caps on queries, EDNS0 and a TCP retry of just the truncated query, and
 * the one poll loop (dns_wait) used by queue mode, qqtag -c and qqtag -T.
 * dns.c is the only file that includes the c-ares header.
 *
 * Callbacks are never called from inside dns_query(): only from
 * dns_process(), dns_wait() and dns_stop().  Each accepted query (dns_query
 * returned 0) gets exactly one callback, unless dns_cancel() drops it or
 * dns_free() comes first.
 */
#ifndef QQTAG_DNS_H
#define QQTAG_DNS_H

#include <poll.h>
#include <stddef.h>

struct dns;

/* Query types (RFC 1035 §3.2.2, RFC 3596). */
#define DNS_T_A		1
#define DNS_T_NS	2
#define DNS_T_CNAME	5
#define DNS_T_PTR	12
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28

/*
 * Caps of one message (one struct dns), documented in qqtag(8):
 * DNS_INFLIGHT_MAX queries on the wire at once (more wait in order for a
 * free slot; a waiting query that never left ends DNS_TIMEOUT at the
 * deadline); DNS_TOTAL_MAX distinct queries in all (an answer from the
 * cache is no query): the next one's callback gets DNS_CAPPED without
 * anything sent.  DNS_CACHE_BYTES: answer bytes kept for the cache; an
 * answer past it is handed to its askers and not kept, so a later ask of
 * it is a new query.
 */
#define DNS_INFLIGHT_MAX 128
#define DNS_TOTAL_MAX	512
#define DNS_CACHE_BYTES	(512 * 1024)
#define DNS_EDNS_SIZE	4096	/* EDNS0 UDP payload we offer (RFC 6891) */
#define DNS_TRY_MS	500	/* first retransmit; c-ares doubles it */
#define DNS_TRIES	4	/* 500 + 1000 + 2000 + 4000 ms */
#define DNS_TCP_MS	5000	/* the TCP retry's one try (c-ares 1.18
				   never resends on an open connection):
				   the deadline comes first */
#define DNS_NAMEMAX	256	/* a name in text, NUL included */

/* What a query ended as (the callback's status). */
enum dns_status {
	DNS_OK,			/* an answer with records */
	DNS_NXDOMAIN,		/* the name does not exist */
	DNS_NODATA,		/* the name exists, no record of the type */
	DNS_SERVFAIL,
	DNS_REFUSED,
	DNS_FORMERR,
	DNS_NOTIMP,
	DNS_BADRESP,		/* a malformed answer */
	DNS_TRUNCATED,		/* TC answer, and its TCP retry failed: the
				   truncated UDP answer is handed on */
	DNS_TIMEOUT,		/* no answer before the deadline or retries */
	DNS_UNREACHABLE,	/* no server reachable (connection refused) */
	DNS_CAPPED,		/* over DNS_TOTAL_MAX: never sent */
	DNS_NOMEM,
	DNS_ERROR		/* anything else */
};

/* The three values of every DNS result (DESIGN.md §4). */
enum dns_class {
	DNS_C_DATA,		/* DNS_OK: look at the records */
	DNS_C_NONE,		/* NXDOMAIN, NODATA: clean */
	DNS_C_ERROR		/* everything else: never scores */
};

/*
 * The answer callback: abuf/alen is the raw answer (valid during the call
 * only) for DNS_OK, DNS_NXDOMAIN, DNS_NODATA, DNS_TRUNCATED and the rcode
 * errors; NULL and 0 otherwise.
 */
typedef void dns_cb(void *arg, int status, const unsigned char *abuf,
    int alen);

/* Counters of one struct dns (tests, benchmarks). */
struct dns_stats {
	unsigned	queries;	/* distinct queries sent (UDP) */
	unsigned	hits;		/* asks answered by the cache or
					   joined to a query in flight */
	unsigned	capped;		/* asks refused by DNS_TOTAL_MAX */
	unsigned	tcp;		/* TCP retries of truncated answers */
	unsigned	queued;		/* queries that waited for a slot */
};

/*
 * dns_new(servers): a service with nothing sent yet (no I/O: the channel
 *   comes up with the first query).  servers "127.0.0.1:5353,[::1]:53", or
 *   NULL for /etc/resolv.conf.  NULL with errno EINVAL (bad servers, a
 *   reason in err) or ENOMEM.
 * dns_servers_valid(csv): 1 if csv is a usable server list, else 0.
 * dns_limits(d, inflight, total): other caps (qqtag -T, whose probe is not
 *   one message, asks more); values < 1 keep the current cap.
 * dns_query(d, name, type, cb, arg): ask, or join the same (name, type)
 *   asked before (names compare case-insensitively, a trailing dot does
 *   not matter).  0: cb will be called.  -1 and no callback: errno
 *   ENAMETOOLONG / EINVAL (name), ETIMEDOUT (after dns_stop), EIO (the
 *   resolver cannot be set up), ENOMEM.
 * dns_cancel(d, arg): drop every callback still due to arg.
 * dns_pollfds(d, p, max): the sockets to poll, with events; their count.
 * dns_timeout(d, cap): ms until dns_process() must run even without I/O,
 *   at most cap (when >= 0); -1 when nothing is pending.
 * dns_process(d, p, n): after poll(), the same array with revents (other
 *   fds in it are ignored); also with n = 0 after a timeout.  Calls back.
 * dns_pending(d): callbacks still due.
 * dns_wait(d, fd, ms): the one poll loop: serves d until fd (>= 0) is
 *   readable (DNS_WAIT_READABLE), nothing is pending (DNS_WAIT_IDLE: also
 *   for d NULL, without waiting for fd), or ms (>= 0) milliseconds passed
 *   (DNS_WAIT_DEADLINE).  -1 with errno when poll() fails.  It does not
 *   stop d: call dns_stop() at the deadline.
 * dns_stop(d): the deadline: answers already in are handed on, every
 *   other query's callback gets DNS_TIMEOUT (DNS_TRUNCATED with the UDP
 *   answer while its TCP retry was pending); every socket is closed.
 *   Idempotent.  Not from inside a callback.
 * dns_free(d): close and free all; no callback is called.
 */
struct dns	*dns_new(const char *, char *, size_t);
int		 dns_servers_valid(const char *);
void		 dns_limits(struct dns *, int, int);
int		 dns_query(struct dns *, const char *, int, dns_cb *, void *);
void		 dns_cancel(struct dns *, void *);
int		 dns_pollfds(struct dns *, struct pollfd *, int);
int		 dns_timeout(struct dns *, int);
void		 dns_process(struct dns *, const struct pollfd *, int);
int		 dns_pending(const struct dns *);
int		 dns_wait(struct dns *, int, int);
void		 dns_stop(struct dns *);
void		 dns_free(struct dns *);
void		 dns_stats(const struct dns *, struct dns_stats *);

#define DNS_WAIT_IDLE		0
#define DNS_WAIT_READABLE	1
#define DNS_WAIT_DEADLINE	2

/* A status as a word for logs ("servfail", "timeout", "capped" ...). */
const char	*dns_status_text(int);
/* A status as one of the three values (enum dns_class). */
int		 dns_class(int);

/*
 * Answer parsers (any bytes: the fuzz target calls them).
 * dns_rcode(abuf, alen): the RCODE, or -1 for no header.
 * dns_addrs(abuf, alen, family 4 or 6, out, max): the A (AAAA) records
 *   for the question name (CNAMEs followed), 4 (16) bytes each into out,
 *   at most max; their count (0 for none, NODATA), -1 malformed.
 * dns_rr(abuf, alen, rr): the next record of the answer section (rr
 *   zeroed: the first): 1, 0 past the last, -1 malformed.  rr->off and
 *   rr->len: its RDATA in abuf.
 * dns_name(abuf, alen, off, out, size): the (compressed) name at off as
 *   text, odd bytes as \DDD and dots in labels as \. (c-ares' spelling),
 *   no trailing dot; its length (out holds it only when < size), or -1
 *   malformed.
 * dns_txt(abuf, alen, out, size): the TXT records' strings, raw, a
 *   record's strings joined, records separated by one space, at most size
 *   bytes, no NUL added; the length (0 for none or malformed).
 */
struct dns_rr {
	int		 type;
	int		 class;
	unsigned long	 ttl;
	size_t		 off;		/* RDATA offset in the answer */
	size_t		 len;		/* RDATA length */
	size_t		 next;		/* private: the walk */
	unsigned	 left;
};

int		 dns_rcode(const unsigned char *, int);
int		 dns_addrs(const unsigned char *, int, int, unsigned char *,
		    int);
int		 dns_rr(const unsigned char *, int, struct dns_rr *);
int		 dns_name(const unsigned char *, int, size_t, char *, size_t);
size_t		 dns_txt(const unsigned char *, int, char *, size_t);

#endif

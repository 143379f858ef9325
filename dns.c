/*
 * dns.c - the one DNS service of a message (dns.h), and the only file
 * that includes <ares.h>.
 *
 * One c-ares channel per message, brought up by the first query (a
 * message that asks nothing reads no resolv.conf).  It speaks EDNS0
 * (RFC 6891) offering DNS_EDNS_SIZE bytes, and has ARES_FLAG_IGNTC: a
 * truncated answer comes to us instead of c-ares retrying it over TCP on
 * the same channel (c-ares 1.18: IGNTC and USEVC are channel-wide, and a
 * refused TCP connection there fails every query of that server at once,
 * FACTS.md).  We ask just that query again on a second channel, made
 * lazily with ARES_FLAG_USEVC: the other queries never wait for it.
 * NOCHECKRESP: SERVFAIL and REFUSED reach us as such (1.18 would retry
 * them on every server and end with ECONNREFUSED).
 *
 * Every (name, type) is one entry: asked once, its waiters called back
 * together, its answer kept so that a later ask is answered from it.
 * Callbacks run from dns_process() (or dns_stop()), never from inside
 * dns_query(): a cache hit waits in the ready queue for the next
 * dns_process(), which dns_timeout() makes immediate.
 *
 * The loop: poll() + ARES_OPT_SOCK_STATE_CB + ares_timeout() +
 * ares_process_fd() (STYLE.md "DNS"), written once, in dns_wait().
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ares.h>

#include "dns.h"

#define MAXSOCKS	32	/* sockets of both channels we poll */
#define SERVERSMAX	1024	/* resolver list text */
#define C_IN		1
#define NADDR_MAX	64	/* records one dns_addrs() call parses */

enum { E_WAIT, E_UDP, E_TCP, E_DONE };
enum { CH_UDP, CH_TCP };

struct entry;

struct waiter {
	struct waiter	*next;
	dns_cb		*cb;
	void		*arg;
	struct entry	*e;		/* NULL: status below (capped) */
	int		 status;
};

struct entry {
	struct entry	*next;		/* every entry of the message */
	struct entry	*qnext;		/* waiting for a slot */
	struct dns	*dns;
	char		 name[DNS_NAMEMAX];	/* lowercase, no final dot */
	unsigned	 hash;
	int		 type;
	int		 state;
	int		 findable;	/* a later ask may use it */
	int		 status;
	unsigned char	*ans;		/* the answer kept (or NULL) */
	int		 alen;
	unsigned char	*tc;		/* truncated UDP answer, while TCP */
	int		 tclen;
	struct waiter	*w;
	struct waiter	**wtail;
};

struct chan {
	ares_channel	 ch;
	int		 state;		/* 0 none, 1 up, -1 failed */
	struct dns	*dns;
	int		 idx;
};

struct sock {
	int	fd;
	int	rd;
	int	wr;
	int	chan;
};

struct dns {
	char		*servers;
	struct chan	 chan[2];
	struct sock	 socks[MAXSOCKS];
	int		 nsocks;
	struct entry	*entries;
	struct entry	*qhead;
	struct entry	**qtail;
	struct waiter	*ready;
	struct waiter	**rtail;
	int		 inflight;
	int		 total;
	int		 inflight_max;
	int		 total_max;
	size_t		 kept;		/* answer bytes in the cache */
	int		 pending;	/* callbacks due */
	int		 inquery;	/* inside dns_query() */
	int		 stopped;
	struct dns_stats st;
};

static void on_udp(void *, int, int, unsigned char *, int);
static void on_tcp(void *, int, int, unsigned char *, int);

/* ------------------------------------------------------------------ */
/* Servers                                                              */

/* One "host[:port]" or "[v6]:port" or bare IPv6 server. */
static int
valid_server(const char *s, size_t n)
{
	char buf[64], *ep, *rb;
	const char *port = NULL, *colon;
	unsigned char a[16];
	unsigned long v;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	colon = strchr(buf, ':');
	if (buf[0] == '[') {
		rb = strchr(buf, ']');
		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':'))
			return 0;
		*rb = '\0';
		port = rb[1] == ':' ? rb + 2 : NULL;
		if (inet_pton(AF_INET6, buf + 1, a) != 1)
			return 0;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		buf[colon - buf] = '\0';
		port = colon + 1;
		if (inet_pton(AF_INET, buf, a) != 1)
			return 0;
	} else if (inet_pton(colon ? AF_INET6 : AF_INET, buf, a) != 1)
		return 0;
	if (port == NULL)
		return 1;
	errno = 0;
	v = strtoul(port, &ep, 10);
	return port[0] >= '0' && port[0] <= '9' && *ep == '\0' &&
	    errno == 0 && v >= 1 && v <= 65535;
}

/* 1 if csv is a list of servers ares_set_servers_ports_csv() takes. */
int
dns_servers_valid(const char *csv)
{
	const char *s, *e;
	size_t n;

	if (csv == NULL || (n = strlen(csv)) == 0 || n >= SERVERSMAX)
		return 0;
	for (s = csv;; s = e + 1) {
		if ((e = strchr(s, ',')) == NULL)
			e = s + strlen(s);
		if (!valid_server(s, (size_t)(e - s)))
			return 0;
		if (*e == '\0')
			return 1;
	}
}

/* ------------------------------------------------------------------ */
/* The channels                                                         */

static void
sock_state(void *data, ares_socket_t fd, int rd, int wr)
{
	struct chan *c = data;
	struct dns *d = c->dns;
	int i;

	for (i = 0; i < d->nsocks; i++)
		if (d->socks[i].fd == fd)
			break;
	if (!rd && !wr) {
		if (i < d->nsocks)
			d->socks[i] = d->socks[--d->nsocks];
		return;
	}
	if (i == d->nsocks) {
		if (d->nsocks >= MAXSOCKS)
			return;	/* its queries time out */
		d->nsocks++;
	}
	d->socks[i].fd = fd;
	d->socks[i].rd = rd;
	d->socks[i].wr = wr;
	d->socks[i].chan = c->idx;
}

/* c-ares 1.18 opens its sockets without close-on-exec. */
static int
sock_cloexec(ares_socket_t fd, int type, void *data)
{
	int fl;

	(void)type;
	(void)data;
	if ((fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return -1;	/* c-ares drops the socket */
	return 0;
}

/* Bring channel i up on first use; 0, or -1 (it stays failed). */
static int
chan_up(struct dns *d, int i)
{
	struct chan *c = &d->chan[i];
	struct ares_options o;
	int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_SOCK_STATE_CB | ARES_OPT_LOOKUPS | ARES_OPT_EDNSPSZ;

	if (c->state != 0 || d->stopped)
		return c->state == 1 && !d->stopped ? 0 : -1;
	memset(&o, 0, sizeof(o));
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS |
	    (i == CH_UDP ? ARES_FLAG_IGNTC : ARES_FLAG_USEVC);
	o.timeout = i == CH_UDP ? DNS_TRY_MS : DNS_TCP_MS;
	o.tries = DNS_TRIES;
	o.ednspsz = DNS_EDNS_SIZE;
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = c;
	o.lookups = (char *)"b";
	c->dns = d;
	c->idx = i;
	c->state = -1;
	if (ares_init_options(&c->ch, &o, mask) != ARES_SUCCESS)
		return -1;
	if (d->servers != NULL &&
	    ares_set_servers_ports_csv(c->ch, d->servers) != ARES_SUCCESS) {
		ares_destroy(c->ch);
		c->ch = NULL;
		return -1;
	}
	ares_set_socket_configure_callback(c->ch, sock_cloexec, NULL);
	c->state = 1;
	return 0;
}

/* Close both channels; their callbacks see ARES_EDESTRUCTION. */
static void
chans_down(struct dns *d)
{
	int i;

	for (i = 0; i < 2; i++)
		if (d->chan[i].ch != NULL) {
			ares_destroy(d->chan[i].ch);
			d->chan[i].ch = NULL;
		}
	d->nsocks = 0;
}

/* ------------------------------------------------------------------ */
/* Statuses                                                             */

static int
status_of(int ares_status)
{
	switch (ares_status) {
	case ARES_SUCCESS:
		return DNS_OK;
	case ARES_ENOTFOUND:
		return DNS_NXDOMAIN;
	case ARES_ENODATA:
		return DNS_NODATA;
	case ARES_ESERVFAIL:
		return DNS_SERVFAIL;
	case ARES_EREFUSED:
		return DNS_REFUSED;
	case ARES_EFORMERR:
		return DNS_FORMERR;
	case ARES_ENOTIMP:
		return DNS_NOTIMP;
	case ARES_EBADRESP:
		return DNS_BADRESP;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		return DNS_TIMEOUT;
	case ARES_ECONNREFUSED:
		return DNS_UNREACHABLE;
	case ARES_ENOMEM:
		return DNS_NOMEM;
	default:
		return DNS_ERROR;
	}
}

/* A status as a word for logs and headers. */
const char *
dns_status_text(int status)
{
	static const char *const w[] = { "ok", "nxdomain", "nodata",
	    "servfail", "refused", "formerr", "notimp", "badresp",
	    "truncated", "timeout", "unreachable", "capped", "nomem",
	    "error" };

	if (status < 0 || (size_t)status >= sizeof(w) / sizeof(w[0]))
		return "error";
	return w[status];
}

/* DNS_C_DATA for DNS_OK, DNS_C_NONE for NXDOMAIN/NODATA, else error. */
int
dns_class(int status)
{
	if (status == DNS_OK)
		return DNS_C_DATA;
	if (status == DNS_NXDOMAIN || status == DNS_NODATA)
		return DNS_C_NONE;
	return DNS_C_ERROR;
}

/* ------------------------------------------------------------------ */
/* Entries and waiters                                                  */

/*
 * The cache key of a name: lowercase, one final dot dropped; its length,
 * or -1 with errno ENAMETOOLONG (over 253, a label over 63) or EINVAL
 * (empty, an empty label).
 */
static int
name_key(const char *in, char *out, unsigned *hash)
{
	size_t n, i, lab = 0;
	unsigned h = 2166136261u;	/* FNV-1a */
	unsigned char c;

	if (in == NULL || (n = strlen(in)) == 0) {
		errno = EINVAL;
		return -1;
	}
	if (in[n - 1] == '.' && n > 1)
		n--;
	if (n > 253) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)in[i];
		lab = c == '.' ? 0 : lab + 1;
		if ((c == '.' && (i == 0 || in[i - 1] == '.')) || lab > 63) {
			errno = lab > 63 ? ENAMETOOLONG : EINVAL;
			return -1;
		}
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		out[i] = (char)c;
		h = (h ^ c) * 16777619u;
	}
	out[n] = '\0';
	*hash = h;
	return (int)n;
}

static struct entry *
entry_find(struct dns *d, const char *name, unsigned hash, int type)
{
	struct entry *e;

	for (e = d->entries; e != NULL; e = e->next)
		if (e->findable && e->hash == hash && e->type == type &&
		    strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void
ready_add(struct dns *d, struct waiter *w)
{
	w->next = NULL;
	*d->rtail = w;
	d->rtail = &w->next;
}

/* Call back and free the first waiter of the ready queue. */
static void
ready_one(struct dns *d)
{
	struct waiter *w = d->ready;
	const unsigned char *a = NULL;
	int status = w->status, alen = 0;
	dns_cb *cb = w->cb;
	void *arg = w->arg;

	if ((d->ready = w->next) == NULL)
		d->rtail = &d->ready;
	if (w->e != NULL) {
		status = w->e->status;
		a = w->e->ans;
		alen = w->e->alen;
	}
	free(w);
	d->pending--;
	cb(arg, status, a, alen);
}

static void
ready_flush(struct dns *d)
{
	while (d->ready != NULL)
		ready_one(d);
}

/* Send an entry on the UDP channel (it was counted in d->total). */
static void
entry_send(struct entry *e)
{
	struct dns *d = e->dns;

	e->state = E_UDP;
	d->inflight++;
	d->st.queries++;
	ares_query(d->chan[CH_UDP].ch, e->name, C_IN, e->type, on_udp, e);
}

/* Send the queries waiting for a slot while there are slots. */
static void
send_waiting(struct dns *d)
{
	struct entry *e;

	while (d->qhead != NULL && d->inflight < d->inflight_max &&
	    !d->stopped) {
		e = d->qhead;
		if ((d->qhead = e->qnext) == NULL)
			d->qtail = &d->qhead;
		entry_send(e);
	}
}

/* Keep a copy of the answer for later asks, within DNS_CACHE_BYTES. */
static void
entry_keep(struct entry *e, const unsigned char *a, int alen)
{
	struct dns *d = e->dns;

	if (a == NULL || alen <= 0)
		return;
	if ((size_t)alen > DNS_CACHE_BYTES - d->kept ||
	    (e->ans = malloc((size_t)alen)) == NULL) {
		e->findable = 0;	/* a later ask asks again */
		return;
	}
	memcpy(e->ans, a, (size_t)alen);
	e->alen = alen;
	d->kept += (size_t)alen;
}

/*
 * An entry is answered: keep the answer, free a slot, call its waiters
 * one at a time (a callback may cancel the next one); inside
 * dns_query() they go to the ready queue instead.
 */
static void
entry_done(struct entry *e, int status, const unsigned char *a, int alen)
{
	struct dns *d = e->dns;
	struct waiter *w;
	dns_cb *cb;
	void *arg;

	if (e->state == E_UDP || e->state == E_TCP)
		d->inflight--;
	e->state = E_DONE;
	e->status = status;
	entry_keep(e, a, alen);
	if (e->ans != NULL)
		a = e->ans;
	send_waiting(d);
	while ((w = e->w) != NULL) {
		if ((e->w = w->next) == NULL)
			e->wtail = &e->w;
		if (d->inquery) {
			ready_add(d, w);
			continue;
		}
		cb = w->cb;
		arg = w->arg;
		free(w);
		d->pending--;
		cb(arg, status, a, alen);
	}
	free(e->tc);
	e->tc = NULL;
}

/* The UDP answer: a truncated one is asked again over TCP. */
static void
on_udp(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct entry *e = arg;
	struct dns *d = e->dns;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION || e->state != E_UDP)
		return;
	if (abuf == NULL || alen < 12 || !(abuf[2] & 0x02)) {
		entry_done(e, status_of(status), abuf, alen);
		return;
	}
	if (d->stopped || chan_up(d, CH_TCP) == -1 ||
	    (e->tc = malloc((size_t)alen)) == NULL) {
		entry_done(e, DNS_TRUNCATED, abuf, alen);
		return;
	}
	memcpy(e->tc, abuf, (size_t)alen);
	e->tclen = alen;
	e->state = E_TCP;
	d->st.tcp++;
	ares_query(d->chan[CH_TCP].ch, e->name, C_IN, e->type, on_tcp, e);
}

/* The TCP answer; a failed retry hands on the truncated UDP answer. */
static void
on_tcp(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct entry *e = arg;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION || e->state != E_TCP)
		return;
	switch (status) {
	case ARES_SUCCESS:
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
	case ARES_EFORMERR:
	case ARES_ENOTIMP:
		if (abuf != NULL && alen >= 12 && !(abuf[2] & 0x02)) {
			entry_done(e, status_of(status), abuf, alen);
			return;
		}
		break;
	default:
		break;
	}
	entry_done(e, DNS_TRUNCATED, e->tc, e->tclen);
}

/* ------------------------------------------------------------------ */
/* The service                                                          */

/*
 * A service for one message; nothing is sent and no file is read until
 * the first query.  servers: "host[:port],..." or NULL (resolv.conf).
 * NULL with errno EINVAL (a reason in err) or ENOMEM.
 */
struct dns *
dns_new(const char *servers, char *err, size_t errlen)
{
	struct dns *d;

	if (servers != NULL && !dns_servers_valid(servers)) {
		if (err != NULL && errlen > 0)
			(void)snprintf(err, errlen, "bad server list");
		errno = EINVAL;
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if (servers != NULL && (d->servers = strdup(servers)) == NULL) {
		free(d);
		return NULL;
	}
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		free(d->servers);
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	d->qtail = &d->qhead;
	d->rtail = &d->ready;
	d->inflight_max = DNS_INFLIGHT_MAX;
	d->total_max = DNS_TOTAL_MAX;
	return d;
}

/* Other caps than DNS_INFLIGHT_MAX / DNS_TOTAL_MAX; < 1 keeps one. */
void
dns_limits(struct dns *d, int inflight, int total)
{
	if (d == NULL)
		return;
	if (inflight >= 1)
		d->inflight_max = inflight;
	if (total >= 1)
		d->total_max = total;
	send_waiting(d);
}

static struct waiter *
waiter_new(struct dns *d, dns_cb *cb, void *arg, struct entry *e,
    int status)
{
	struct waiter *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->cb = cb;
	w->arg = arg;
	w->e = e;
	w->status = status;
	d->pending++;
	return w;
}

/* A new entry for (key, type) with its first waiter, sent or queued. */
static int
entry_new(struct dns *d, const char *key, unsigned hash, int type,
    dns_cb *cb, void *arg)
{
	struct entry *e;
	struct waiter *w;

	if (chan_up(d, CH_UDP) == -1) {
		errno = EIO;
		return -1;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	if ((w = waiter_new(d, cb, arg, e, 0)) == NULL) {
		free(e);
		return -1;
	}
	memcpy(e->name, key, strlen(key) + 1);
	e->dns = d;
	e->hash = hash;
	e->type = type;
	e->findable = 1;
	e->w = w;
	e->wtail = &w->next;
	e->next = d->entries;
	d->entries = e;
	d->total++;
	if (d->inflight < d->inflight_max) {
		entry_send(e);
		return 0;
	}
	e->state = E_WAIT;
	d->st.queued++;
	*d->qtail = e;
	d->qtail = &e->qnext;
	return 0;
}

/*
 * Ask (name, type), or join the same question asked before.  0: cb(arg,
 * ...) will be called once, from dns_process() or dns_stop().  -1 and no
 * callback, errno: EINVAL/ENAMETOOLONG a bad name, ETIMEDOUT after
 * dns_stop(), EIO the resolver cannot be set up, ENOMEM.
 */
int
dns_query(struct dns *d, const char *name, int type, dns_cb *cb, void *arg)
{
	char key[DNS_NAMEMAX];
	struct entry *e;
	struct waiter *w;
	unsigned hash;
	int r;

	if (d == NULL) {
		errno = EIO;
		return -1;
	}
	if (d->stopped) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (name_key(name, key, &hash) == -1)
		return -1;
	if ((e = entry_find(d, key, hash, type)) != NULL) {
		if ((w = waiter_new(d, cb, arg, e, 0)) == NULL)
			return -1;
		d->st.hits++;
		if (e->state == E_DONE)
			ready_add(d, w);
		else {
			*e->wtail = w;
			e->wtail = &w->next;
		}
		return 0;
	}
	if (d->total >= d->total_max) {
		if ((w = waiter_new(d, cb, arg, NULL, DNS_CAPPED)) == NULL)
			return -1;
		d->st.capped++;
		ready_add(d, w);
		return 0;
	}
	d->inquery++;
	r = entry_new(d, key, hash, type, cb, arg);
	d->inquery--;
	return r;
}

/* Drop from list *wp every waiter of arg; returns the new tail. */
static struct waiter **
drop_arg(struct dns *d, struct waiter **wp, void *arg)
{
	struct waiter *w;

	while ((w = *wp) != NULL) {
		if (w->arg == arg) {
			*wp = w->next;
			free(w);
			d->pending--;
		} else
			wp = &w->next;
	}
	return wp;
}

/* Drop every callback still due to arg (its owner goes away). */
void
dns_cancel(struct dns *d, void *arg)
{
	struct entry *e;

	if (d == NULL || d->pending == 0)
		return;
	for (e = d->entries; e != NULL; e = e->next)
		if (e->w != NULL)
			e->wtail = drop_arg(d, &e->w, arg);
	d->rtail = drop_arg(d, &d->ready, arg);
}

/* Fill up to max pollfds with the channels' sockets; the count. */
int
dns_pollfds(struct dns *d, struct pollfd *p, int max)
{
	int i, n = 0;

	if (d == NULL || d->pending == 0)
		return 0;
	for (i = 0; i < d->nsocks && n < max; i++) {
		p[n].fd = d->socks[i].fd;
		p[n].events = (short)((d->socks[i].rd ? POLLIN : 0) |
		    (d->socks[i].wr ? POLLOUT : 0));
		p[n].revents = 0;
		n++;
	}
	return n;
}

/*
 * Milliseconds until dns_process() must run even without I/O
 * (retransmits, answers from the cache), at most cap_ms (when >= 0); -1
 * when nothing is pending.
 */
int
dns_timeout(struct dns *d, int cap_ms)
{
	struct timeval max, tv, *tp;
	long long ms, best = cap_ms;
	int i;

	if (d == NULL || d->pending == 0)
		return -1;
	if (d->ready != NULL)
		return 0;
	for (i = 0; i < 2; i++) {
		if (d->chan[i].ch == NULL)
			continue;
		max.tv_sec = cap_ms >= 0 ? cap_ms / 1000 : 0;
		max.tv_usec = cap_ms >= 0 ? (cap_ms % 1000) * 1000 : 0;
		tp = ares_timeout(d->chan[i].ch, cap_ms >= 0 ? &max : NULL,
		    &tv);
		if (tp == NULL)
			continue;
		ms = (long long)tp->tv_sec * 1000 + (tp->tv_usec + 999) / 1000;
		if (best < 0 || ms < best)
			best = ms;
	}
	if (cap_ms >= 0 && best > cap_ms)
		best = cap_ms;
	return best > 1000000000 ? 1000000000 : (int)best;
}

/* After poll(): process the channels' sockets in p[] and timeouts. */
void
dns_process(struct dns *d, const struct pollfd *p, int n)
{
	int i, j, rd, wr, c;

	if (d == NULL)
		return;
	for (i = 0; i < n && !d->stopped; i++) {
		if (p[i].revents == 0)
			continue;
		for (j = 0; j < d->nsocks; j++)
			if (d->socks[j].fd == p[i].fd)
				break;
		if (j == d->nsocks)
			continue;
		c = d->socks[j].chan;
		if (d->chan[c].ch == NULL)
			continue;
		rd = p[i].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL);
		wr = p[i].revents & POLLOUT;
		ares_process_fd(d->chan[c].ch, rd ? p[i].fd : ARES_SOCKET_BAD,
		    wr ? p[i].fd : ARES_SOCKET_BAD);
	}
	for (c = 0; c < 2 && !d->stopped; c++)
		if (d->chan[c].ch != NULL)
			ares_process_fd(d->chan[c].ch, ARES_SOCKET_BAD,
			    ARES_SOCKET_BAD);
	ready_flush(d);
}

/* Callbacks still due. */
int
dns_pending(const struct dns *d)
{
	return d == NULL ? 0 : d->pending;
}

static long long
now_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * The one poll loop: serve d until fd (if >= 0) is readable, nothing is
 * pending, or ms (if >= 0) milliseconds passed.  DNS_WAIT_READABLE,
 * DNS_WAIT_IDLE or DNS_WAIT_DEADLINE; -1 with errno if poll() fails.
 */
int
dns_wait(struct dns *d, int fd, int ms)
{
	struct pollfd pf[MAXSOCKS + 1];
	long long end = ms >= 0 ? now_ms() + ms : -1, left = -1;
	int n, k = fd >= 0, r;

	for (;;) {
		if (dns_pending(d) == 0)
			return DNS_WAIT_IDLE;
		if (end >= 0 && (left = end - now_ms()) <= 0)
			return DNS_WAIT_DEADLINE;
		pf[0].fd = fd;
		pf[0].events = POLLIN;
		pf[0].revents = 0;
		n = dns_pollfds(d, pf + k, MAXSOCKS);
		r = poll(pf, (nfds_t)(n + k), dns_timeout(d, (int)left));
		if (r == -1 && errno != EINTR)
			return -1;
		dns_process(d, pf + k, r > 0 ? n : 0);
		if (k && r > 0 && pf[0].revents != 0)
			return DNS_WAIT_READABLE;
	}
}

/*
 * The deadline: answers already in are handed on, every other query ends
 * DNS_TIMEOUT (DNS_TRUNCATED and the UDP answer while its TCP retry was
 * pending), the channels and their sockets are closed.  Idempotent.
 */
void
dns_stop(struct dns *d)
{
	struct entry *e;

	if (d == NULL || d->stopped)
		return;
	d->stopped = 1;
	chans_down(d);
	ready_flush(d);
	d->qhead = NULL;
	d->qtail = &d->qhead;
	for (e = d->entries; e != NULL; e = e->next) {
		if (e->state == E_DONE)
			continue;
		if (e->tc != NULL)
			entry_done(e, DNS_TRUNCATED, e->tc, e->tclen);
		else
			entry_done(e, DNS_TIMEOUT, NULL, 0);
	}
	ready_flush(d);
}

static void
waiters_free(struct waiter *w)
{
	struct waiter *next;

	for (; w != NULL; w = next) {
		next = w->next;
		free(w);
	}
}

/* Close the channels and free everything; no callback is called. */
void
dns_free(struct dns *d)
{
	struct entry *e, *next;

	if (d == NULL)
		return;
	d->stopped = 1;
	chans_down(d);
	for (e = d->entries; e != NULL; e = next) {
		next = e->next;
		waiters_free(e->w);
		free(e->ans);
		free(e->tc);
		free(e);
	}
	waiters_free(d->ready);
	free(d->servers);
	free(d);
	ares_library_cleanup();
}

/* The counters of d. */
void
dns_stats(const struct dns *d, struct dns_stats *st)
{
	if (d == NULL)
		memset(st, 0, sizeof(*st));
	else
		*st = d->st;
}

/* ------------------------------------------------------------------ */
/* Answer parsers                                                       */

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The RCODE of an answer (RFC 1035 §4.1.1), or -1 for no header. */
int
dns_rcode(const unsigned char *abuf, int alen)
{
	return abuf == NULL || alen < 12 ? -1 : abuf[3] & 0x0f;
}

/* Skip a compressed name at *off; -1 if malformed. */
static int
skip_name(const unsigned char *abuf, int alen, int *off)
{
	char *s;
	long enclen;

	if (*off >= alen || ares_expand_name(abuf + *off, abuf, alen, &s,
	    &enclen) != ARES_SUCCESS)
		return -1;
	ares_free_string(s);
	*off += (int)enclen;
	return 0;
}

/*
 * The next record of the answer section: rr zeroed asks for the first.
 * 1 and its type, class, TTL and RDATA (offset and length in abuf), 0
 * past the last, -1 malformed.
 */
int
dns_rr(const unsigned char *abuf, int alen, struct dns_rr *rr)
{
	unsigned qd, k, rdlen;
	int off;

	if (abuf == NULL || alen < 12)
		return -1;
	if (rr->next == 0) {
		off = 12;
		qd = get16(abuf + 4);
		for (k = 0; k < qd; k++) {
			if (skip_name(abuf, alen, &off) == -1 ||
			    off + 4 > alen)
				return -1;
			off += 4;
		}
		rr->left = get16(abuf + 6);
		rr->next = (size_t)off;
	}
	if (rr->left == 0)
		return 0;
	off = (int)rr->next;
	if (skip_name(abuf, alen, &off) == -1 || off + 10 > alen)
		return -1;
	rdlen = get16(abuf + off + 8);
	if ((unsigned)(alen - off - 10) < rdlen)
		return -1;
	rr->type = (int)get16(abuf + off);
	rr->class = (int)get16(abuf + off + 2);
	rr->ttl = (unsigned long)get16(abuf + off + 4) << 16 |
	    get16(abuf + off + 6);
	rr->off = (size_t)off + 10;
	rr->len = rdlen;
	rr->next = rr->off + rdlen;
	rr->left--;
	return 1;
}

/*
 * The name at off as c-ares spells it (\DDD, \.), no final dot: its
 * length, copied into out only when it fits (< size); -1 malformed.
 */
int
dns_name(const unsigned char *abuf, int alen, size_t off, char *out,
    size_t size)
{
	char *s;
	long enclen;
	size_t n;

	if (abuf == NULL || alen < 12 || off >= (size_t)alen ||
	    ares_expand_name(abuf + off, abuf, alen, &s, &enclen) !=
	    ARES_SUCCESS)
		return -1;
	n = strlen(s);
	if (n < size)
		memcpy(out, s, n + 1);
	ares_free_string(s);
	return (int)n;
}

/*
 * The A (family 4) or AAAA (6) records of an answer, CNAMEs followed, into
 * out (4 or 16 bytes each, at most max): their count, 0 for none (also
 * NXDOMAIN), -1 malformed or an error rcode.
 */
int
dns_addrs(const unsigned char *abuf, int alen, int family,
    unsigned char *out, int max)
{
	struct ares_addrttl a4[NADDR_MAX];
	struct ares_addr6ttl a6[NADDR_MAX];
	int n = NADDR_MAX, rc, i;

	if (abuf == NULL || alen < 12 || max < 0)
		return -1;
	if ((abuf[3] & 0x0f) == 3)
		return 0;
	if ((abuf[3] & 0x0f) != 0)
		return -1;
	if (family == 4)
		rc = ares_parse_a_reply(abuf, alen, NULL, a4, &n);
	else if (family == 6)
		rc = ares_parse_aaaa_reply(abuf, alen, NULL, a6, &n);
	else
		return -1;
	if (rc == ARES_ENODATA)
		return 0;
	if (rc != ARES_SUCCESS)
		return -1;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		if (family == 4)
			memcpy(out + 4 * i, &a4[i].ipaddr, 4);
		else
			memcpy(out + 16 * i, &a6[i].ip6addr, 16);
	}
	return n;
}

/*
 * The TXT strings of an answer into out, raw bytes: strings of a record
 * joined, records separated by one space, at most size bytes, no NUL
 * added.  Returns the length (0 for none or a malformed answer).
 */
size_t
dns_txt(const unsigned char *abuf, int alen, char *out, size_t size)
{
	struct ares_txt_ext *txt, *t;
	size_t n = 0, k;

	if (abuf == NULL || alen < 12 ||
	    ares_parse_txt_reply_ext(abuf, alen, &txt) != ARES_SUCCESS)
		return 0;
	for (t = txt; t != NULL && n < size; t = t->next) {
		if (t->record_start && t != txt)
			out[n++] = ' ';
		k = t->length < size - n ? t->length : size - n;
		memcpy(out + n, t->txt, k);
		n += k;
	}
	ares_free_data(txt);
	return n;
}

/*
 * lists.h: local list files -- rbldnsd's ip4set, ip6trie, ip6tset and
 * dnset syntax, plain or gzip -- checked like DNS lists (same filters,
 * weights, labels, results), and the list-health state that the probe
 * (qqtag -T) writes and qqtag reads at start.  The policy grammar and the
 * file formats are described at the top of lists.c.
 */
#ifndef LISTS_H
#define LISTS_H

#include <stddef.h>
#include <time.h>

#include "dnsbl.h"

struct lists_conf;	/* opaque: local lists and the state file */
struct lists_run;	/* opaque: one message's local-list results */
struct lists_set;	/* opaque: one loaded list file */

/*
 * Configuration (from the policy file).
 * lists_conf_line(): one line whose keyword is iplist, ipwl, domainlist or
 *   state, split into words (argv[0] the keyword).  0, or -1 with errno
 *   (EINVAL, ENOMEM) and a one-line reason in err.
 * lists_conf_check(): after the whole policy: -1 with a reason when a local
 *   list has the label of a DNS list (dc may be NULL), else 0.
 */
struct lists_conf *lists_conf_new(void);
void lists_conf_free(struct lists_conf *);
int lists_conf_line(struct lists_conf *, int, char *[], char *, size_t);
int lists_conf_check(const struct lists_conf *, const struct dnsbl_conf *,
    char *, size_t);
size_t lists_conf_nlists(const struct lists_conf *);
const char *lists_conf_state(const struct lists_conf *);

/*
 * One message.
 * lists_start(conf, ip): every IP list is read now, keeping only what
 *   concerns ip (TCPREMOTEIP or TCP6REMOTEIP text; any valid address,
 *   private ones too: the data is local), and looked up.  A NULL or
 *   invalid ip checks nothing.  NULL only when out of memory.
 * lists_domain(run, DNSBL_FROM or DNSBL_SENDER, domain): every domain list
 *   is read for that domain (once per domain) and looked up.
 * lists_nresults/lists_result: the results (struct dnsbl_result, kind
 *   "dnsbl" for iplist, "dnswl" for ipwl, "rhsbl" for domainlist), valid
 *   until lists_free().  Feed them to report_dns() like DNS results.
 */
struct lists_run *lists_start(const struct lists_conf *, const char *);
void lists_domain(struct lists_run *, int, const char *);
size_t lists_nresults(const struct lists_run *);
const struct dnsbl_result *lists_result(const struct lists_run *, size_t);
void lists_free(struct lists_run *);

/*
 * List health.
 * lists_state_apply(conf, dc, now, err, errlen): read the policy's state
 *   file and mark its broken DNS lists in dc (dnsbl_conf_skip).  Returns
 *   how many were marked; -1 when the state is not used -- errno ENOENT
 *   (no state file configured, or none written yet) or EINVAL (stale,
 *   corrupt, truncated: every list stays usable), with the reason in err.
 * lists_probe(conf, dc, timeout_ms, h, max, &n, err, errlen): query every
 *   DNS list of dc at its test points -- its profile's documented one,
 *   else RFC 5782 5's -- (and read every local list
 *   whole), fill h[0..n) (at most max entries, DNS lists first), write the
 *   state file when the policy names one.  Returns the number of broken
 *   lists, or -1 with errno and a reason in err when the state file could
 *   not be written (h[] and n are filled all the same).
 * lists_health_text(h, buf, size): one printable line for h, no newline:
 *   "LABEL KIND ok|BROKEN REASON MSms"; 0, or -1 (EOVERFLOW) when cut.
 */
#define LISTS_REASONMAX	64

struct lists_health {
	const char	*label;
	const char	*kind;		/* "dnsbl" ... or "iplist" ... */
	int		 local;		/* a local list file */
	int		 broken;
	char		 reason[LISTS_REASONMAX];	/* one word */
	unsigned	 ms;
};

int lists_state_apply(const struct lists_conf *, struct dnsbl_conf *, time_t,
    char *, size_t);
int lists_probe(const struct lists_conf *, const struct dnsbl_conf *, int,
    struct lists_health *, size_t, size_t *, char *, size_t);
int lists_health_text(const struct lists_health *, char *, size_t);

/*
 * The state file itself (exported for the tests): write atomically (temp
 * file in the same directory, fsync, rename, fsync of the directory),
 * 0 or -1 with errno; read: the entries and the probe's time, 0 or -1 with
 * errno (ENOENT missing, EINVAL corrupt or truncated, EFBIG too large).
 */
int lists_state_write(const char *, time_t, const struct lists_health *,
    size_t);
int lists_state_read(const char *, time_t *, struct lists_health *, size_t,
    size_t *);
void lists_state_free(struct lists_health *, size_t);

/*
 * One list file (the tests, listcheck, the fuzz target and the bench).
 * A key is what is looked up; handed to lists_load() as a filter, only the
 * entries that can matter to it are kept (constant memory per message).
 */
enum lists_format {
	LISTS_AUTO,		/* ip4set lines and ip6trie lines */
	LISTS_IP4SET,
	LISTS_IP6TRIE,
	LISTS_IP6TSET,
	LISTS_DNSET
};

enum lists_error {
	LISTS_OK,
	LISTS_EMISSING,		/* "missing": no such file */
	LISTS_EUNREADABLE,	/* "unreadable": open/read failed, no file */
	LISTS_ECORRUPT,		/* "corrupt": gzip error, changed while
				   read, more invalid lines than entries */
	LISTS_ETOOBIG,		/* "toobig": over LISTS_MAXUNITS entries or
				   LISTS_MAXBYTES of text */
	LISTS_EEXPIRED,		/* "expired": $TIMESTAMP expiry passed */
	LISTS_EFUTURE,		/* "future": $TIMESTAMP in the future */
	LISTS_ENOMEM		/* "nomem" */
};

#define LISTS_MAXUNITS	5000000UL	/* entries, ranges expanded */
#define LISTS_MAXBYTES	(256UL << 20)	/* text bytes of one file */
#define LISTS_TXTLEN	254		/* TXT bytes after substitution */

struct lists_key {
	int		 family;	/* 4, 6; 0 for a domain */
	unsigned char	 addr[16];
	unsigned char	 dn[256];	/* domain, wire format */
	size_t		 dnlen;
	char		 text[256];	/* the IP or domain as text */
};

struct lists_stats {
	unsigned long	 lines;		/* lines read */
	unsigned long	 entries;	/* entry lines taken */
	unsigned long	 invalid;	/* lines ignored as invalid */
	unsigned long	 firstbad;	/* line number of the first of them */
	size_t		 units;		/* entries, ranges expanded */
	size_t		 kept;		/* of them kept (a key filters) */
	size_t		 bytes;		/* text bytes read */
};

struct lists_answer {
	int		 n;		/* codes, distinct */
	unsigned long	 code[DNSBL_MAXA];
	int		 ntxt;		/* TXT strings, distinct */
	size_t		 txtlen[DNSBL_MAXA];
	char		 txt[DNSBL_MAXA][LISTS_TXTLEN];
};

int lists_format(const char *);
const char *lists_strerror(int);
int lists_key_ip(struct lists_key *, const char *);
int lists_key_domain(struct lists_key *, const char *);
struct lists_set *lists_load(const char *, int, const struct lists_key *,
    time_t, struct lists_stats *, int *);
struct lists_set *lists_load_mem(const void *, size_t, int,
    const struct lists_key *, time_t, struct lists_stats *, int *);
int lists_lookup(const struct lists_set *, const struct lists_key *,
    struct lists_answer *);
void lists_set_free(struct lists_set *);

#endif

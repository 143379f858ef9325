/*
 * health.h: list health -- the probe behind qqtag -T, and the state file
 * it writes and qqtag reads at start to skip broken DNS lists and URI
 * lists (the format is described at the top of health.c).
 */
#ifndef QQTAG_HEALTH_H
#define QQTAG_HEALTH_H

#include <stddef.h>
#include <time.h>

struct dnsbl_conf;
struct lists_conf;

/*
 * dc is the DNS lists' conf (the dnsbl check's), uc the URI lists' (the
 * uri check's urilist lines, uri_conf_dnsbl()); either may be NULL.  The
 * two are apart in the state file too: a DNS list and a URI list may
 * share a label (rhsbl DBL and urilist DBL).
 * lists_state_apply(conf, dc, uc, now, err, errlen): read the policy's
 *   state file and mark its broken DNS lists in dc and its broken URI
 *   lists in uc (dnsbl_conf_skip).  Returns how many were marked; -1 when
 *   the state is not used -- errno ENOENT (no state file configured, or
 *   none written yet) or EINVAL (stale, corrupt, truncated: every list
 *   stays usable), with the reason in err.
 * lists_probe(conf, dc, uc, timeout_ms, h, max, &n, err, errlen): query
 *   every DNS list of dc and URI list of uc at its test points -- its
 *   profile's documented one, else RFC 5782 5's -- (and read every local
 *   list whole), fill h[0..n) (at most max entries: DNS lists, URI lists,
 *   local lists), write the state file when the policy names one.
 *   Returns the number of broken lists, or -1 with errno and a reason in
 *   err when the state file could not be written (h[] and n are filled
 *   all the same).
 * lists_health_text(h, buf, size): one printable line for h, no newline:
 *   "LABEL KIND ok|BROKEN REASON MSms"; 0, or -1 (EOVERFLOW) when cut.
 */
#define LISTS_REASONMAX	64

struct lists_health {
	const char	*label;
	const char	*kind;		/* "dnsbl" ... "urilist", or "iplist"
					   ... */
	int		 local;		/* a local list file */
	int		 broken;
	char		 reason[LISTS_REASONMAX];	/* one word */
	unsigned	 ms;
};

int lists_state_apply(const struct lists_conf *, struct dnsbl_conf *,
    struct dnsbl_conf *, time_t, char *, size_t);
int lists_probe(const struct lists_conf *, const struct dnsbl_conf *,
    const struct dnsbl_conf *, int, struct lists_health *, size_t, size_t *,
    char *, size_t);
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

#endif

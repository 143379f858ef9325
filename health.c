/*
 * health.c: list health (health.h).  The probe (qqtag -T) asks every DNS
 * list and every URI list (urilist, uri.c) of the policy at its test
 * points and reads every local list file whole; it writes what it found
 * to the policy's state file, which qqtag reads at start to skip the DNS
 * and URI lists found broken.
 *
 * State file (written by lists_probe, atomically; any deviation is
 * "corrupt" and the whole file is ignored):
 *
 *   qqtag-health 1 UNIXTIME
 *   ok LABEL			a DNS list (dnsbl, dnswl, rhsbl)
 *   broken LABEL REASON
 *   uriok LABEL		a URI list: its own lines, since a label
 *   uribroken LABEL REASON	may be both (rhsbl DBL, urilist DBL)
 *   end COUNT
 *
 * A policy without urilist lines writes the file it wrote before them.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "dnsbl.h"
#include "health.h"
#include "listfile.h"
#include "lists.h"
#include "msg.h"
#include "util.h"

#define LABELMAX	40		/* as lists.c and dnsbl.c take them */
#define STATEMAX	65536		/* bytes of a state file */
#define STATELINES	1024
#define FUTURESLACK	300		/* state written "later" than now */
#define PROBE_RUNS	12		/* test addresses one probe asks */
#define PROBE_DOMS	8		/* test names one probe asks */
#define PROBE_WANTS	4		/* test points of one list */
/* queries of one probe: A and TXT of every list (64 DNS lists, 64 URI
   lists) at every test point */
#define PROBE_QUERIES	((PROBE_RUNS + 2 * PROBE_DOMS) * 64 * 2)

/* ------------------------------------------------------------------ */
/* List health: the state file                                          */

/* A reason as one printable word of at most LISTS_REASONMAX - 1. */
static void
reason_word(char *out, const char *in)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < LISTS_REASONMAX; i++)
		out[i] = in[i] > ' ' && in[i] < 0x7f ? in[i] : '_';
	if (i == 0)
		out[i++] = '-';
	out[i] = '\0';
}

static int
valid_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > LABELMAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (i > 0 && (s[i] == '_' || s[i] == '-'))))
			return 0;
	return 1;
}

/* The state text for entries h[0..n) (DNS and URI lists only). */
static int
state_text(char *buf, size_t size, time_t t, const struct lists_health *h,
    size_t n)
{
	const char *uri;
	size_t o, i, count = 0;
	int k;

	k = snprintf(buf, size, "qqtag-health 1 %lld\n", (long long)t);
	for (o = (size_t)k, i = 0; i < n && k >= 0 && o < size; i++) {
		if (h[i].local || !valid_label(h[i].label, strlen(h[i].label)))
			continue;
		uri = h[i].kind != NULL && strcmp(h[i].kind, "urilist") ==
		    0 ? "uri" : "";
		k = h[i].broken ? snprintf(buf + o, size - o,
		    "%sbroken %s %s\n", uri, h[i].label, h[i].reason) :
		    snprintf(buf + o, size - o, "%sok %s\n", uri, h[i].label);
		o += (size_t)k;
		count++;
	}
	if (k < 0 || o >= size || (k = snprintf(buf + o, size - o,
	    "end %zu\n", count)) < 0 || (size_t)k >= size - o) {
		errno = EFBIG;
		return -1;
	}
	return (int)(o + (size_t)k);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory of path so the rename survives a crash. */
static int
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, r;

	if (slash == NULL)
		memcpy(dir, ".", 2);
	else if (slash == path)
		memcpy(dir, "/", 2);
	else {
		if ((n = (size_t)(slash - path)) >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	(void)close(fd);
	return r;
}

/*
 * Write the state for h[0..n) (probe time t) to path atomically: a temp
 * file in the same directory, mode 0644, fsync, rename, fsync of the
 * directory.  0, or -1 with errno (the old file stays).
 */
int
lists_state_write(const char *path, time_t t, const struct lists_health *h,
    size_t n)
{
	char tmp[PATH_MAX], *buf;
	int fd, len, e, r;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((buf = malloc(STATEMAX)) == NULL)
		return -1;
	if ((len = state_text(buf, STATEMAX, t, h, n)) == -1 ||
	    (fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		free(buf);
		return -1;
	}
	r = write_all(fd, buf, (size_t)len);
	if (r == 0)
		r = fchmod(fd, 0644);	/* qqtag (qmaild) reads it */
	if (r == 0)
		r = fsync(fd);
	e = errno;
	if (close(fd) == -1 && r == 0) {
		r = -1;
		e = errno;
	}
	if (r == 0 && rename(tmp, path) == -1) {
		r = -1;
		e = errno;
	}
	if (r == -1) {
		(void)unlink(tmp);
		free(buf);
		errno = e;
		return -1;
	}
	free(buf);
	return sync_dir(path);
}

/* Read a whole small file into buf (NUL-terminated); its length or -1. */
static long
read_small(const char *path, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1)
		return -1;
	while (n < size) {
		if ((r = read(fd, buf + n, size - n)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	(void)close(fd);
	if (r == -1)
		return -1;
	if (n >= size) {
		errno = EFBIG;
		return -1;
	}
	buf[n] = '\0';
	return (long)n;
}

/* Split one state line into words at single blanks; the count or -1. */
static int
state_words(char *line, char **w, int max)
{
	char *sp;
	int n = 0;

	for (;;) {
		if (n == max || *line == ' ' || *line == '\0')
			return -1;	/* too many, or an empty word */
		w[n++] = line;
		if ((sp = strchr(line, ' ')) == NULL)
			return n;
		*sp = '\0';
		line = sp + 1;
	}
}

static int
state_num(const char *s, unsigned long long *v)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &e, 10);
	return errno != 0 || *e != '\0' ? -1 : 0;
}

/*
 * One "ok LABEL" / "broken LABEL REASON" line into h, kind "dns"; with
 * "uri" before ok or broken, kind "urilist".
 */
static int
state_entry(char **w, int nw, struct lists_health *h)
{
	const char *st = w[0];
	size_t i;
	int uri = strncmp(st, "uri", 3) == 0;

	if (uri)
		st += 3;
	if (!((nw == 2 && strcmp(st, "ok") == 0) || (nw == 3 &&
	    strcmp(st, "broken") == 0)) || !valid_label(w[1],
	    strlen(w[1])) || (nw == 3 && strlen(w[2]) >= LISTS_REASONMAX))
		return -1;
	for (i = 0; nw == 3 && w[2][i] != '\0'; i++)
		if (w[2][i] <= ' ' || w[2][i] >= 0x7f)
			return -1;
	memset(h, 0, sizeof(*h));
	if ((h->label = strdup(w[1])) == NULL)
		return -1;
	h->kind = uri ? "urilist" : "dns";
	h->broken = nw == 3;
	(void)snprintf(h->reason, sizeof(h->reason), "%s", nw == 3 ? w[2] :
	    "ok");
	return 0;
}

/* Parse the state text; 0 or -1 (EINVAL, ENOMEM). */
static int
state_parse(char *p, time_t *when, struct lists_health *h, size_t max,
    size_t *n)
{
	unsigned long long v;
	char *nl, *w[4] = { NULL, NULL, NULL, NULL };
	int nw, line;

	for (line = 0; *p != '\0' && line <= STATELINES + 2; line++,
	    p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;		/* a cut last line: truncated */
		*nl = '\0';
		if ((nw = state_words(p, w, 4)) == -1)
			break;
		if (line == 0) {
			if (nw != 3 || strcmp(w[0], "qqtag-health") != 0 ||
			    strcmp(w[1], "1") != 0 || state_num(w[2], &v) ==
			    -1 || v > (unsigned long long)INT64_MAX)
				break;
			*when = (time_t)v;
		} else if (nw == 2 && strcmp(w[0], "end") == 0)
			return state_num(w[1], &v) == 0 && v == *n &&
			    nl[1] == '\0' ? 0 : -1;
		else if (*n >= max || state_entry(w, nw, &h[*n]) == -1)
			break;
		else
			(*n)++;
	}
	return -1;
}

/* Free the labels lists_state_read() gave h[0..n). */
void
lists_state_free(struct lists_health *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)(uintptr_t)h[i].label);
		h[i].label = NULL;
	}
}

/*
 * Read a state file: the probe's time and its entries (labels allocated:
 * lists_state_free).  0, or -1 with errno: ENOENT (missing), EFBIG (over
 * STATEMAX), EINVAL (corrupt or truncated: nothing is kept).
 */
int
lists_state_read(const char *path, time_t *when, struct lists_health *h,
    size_t max, size_t *n)
{
	char *buf;
	int r;

	*n = 0;
	if ((buf = malloc(STATEMAX + 1)) == NULL)
		return -1;
	if (read_small(path, buf, STATEMAX + 1) == -1) {
		free(buf);
		return -1;
	}
	if ((r = state_parse(buf, when, h, max, n)) == -1) {
		lists_state_free(h, *n);
		*n = 0;
		errno = EINVAL;
	}
	free(buf);
	return r;
}

/* ------------------------------------------------------------------ */
/* List health: applying the state, probing                             */

/* Make every list of dc (NULL: none) usable. */
static void
unskip_all(struct dnsbl_conf *dc)
{
	struct dnsbl_list_info info;
	size_t i;

	for (i = 0; dc != NULL && i < dnsbl_conf_nlists(dc); i++) {
		dnsbl_list_info(dnsbl_conf_list(dc, i), &info);
		(void)dnsbl_conf_skip(dc, info.label, 0);
	}
}

/*
 * Read the policy's state file and mark its broken DNS lists in dc and
 * its broken URI lists in uc (either may be NULL); every other list of
 * both is made usable.  A missing, stale (older than MAXAGE), future,
 * corrupt or truncated state marks nothing.  Returns the number marked,
 * or -1 with errno ENOENT (no state) or EINVAL and the reason.
 */
int
lists_state_apply(const struct lists_conf *c, struct dnsbl_conf *dc,
    struct dnsbl_conf *uc, time_t now, char *err, size_t errlen)
{
	struct lists_health *h;
	struct dnsbl_conf *in;
	const char *state = lists_conf_state(c);
	size_t i, n;
	time_t t = 0;
	int marked = 0;

	unskip_all(dc);
	unskip_all(uc);
	if (state == NULL || (dc == NULL && uc == NULL))
		return errf(err, errlen, ENOENT, "no state file");
	if ((h = calloc(STATELINES, sizeof(*h))) == NULL)
		return errf(err, errlen, ENOMEM, "out of memory");
	if (lists_state_read(state, &t, h, STATELINES, &n) == -1) {
		free(h);
		return errf(err, errlen, errno == ENOENT ? ENOENT : EINVAL,
		    "state file %s: %s", errno == ENOENT ? "missing" :
		    errno == EINVAL ? "corrupt" : "unreadable", state);
	}
	if (t > now + FUTURESLACK || now - t > (time_t)lists_conf_maxage(c)) {
		lists_state_free(h, n);
		free(h);
		return errf(err, errlen, EINVAL, "state file %s: %s (%lld "
		    "s old)", state, t > now ? "from the future" : "stale",
		    (long long)(now - t));
	}
	for (i = 0; i < n; i++) {
		in = strcmp(h[i].kind, "urilist") == 0 ? uc : dc;
		if (h[i].broken && in != NULL &&
		    dnsbl_conf_skip(in, h[i].label, 1) == 0)
			marked++;
	}
	lists_state_free(h, n);
	free(h);
	return marked;
}

/*
 * The probe's queries: one run per test address, every test name asked
 * on the first run (a run asks its domains of the rhsbl lists only).  The
 * URI lists' probe has one run, of test names only (DNSBL_NOIP), as uri.c
 * asks them.
 */
struct probe {
	struct dnsbl_run	*run[PROBE_RUNS];
	const char		*ip[PROBE_RUNS];
	int			 flags[PROBE_RUNS];
	size_t			 nrun;
	const char		*dom[PROBE_DOMS];
	size_t			 ndom;
};

/* A test point of one list: listed there (1) or not (0). */
struct want {
	const char	*at;		/* an address, or a name (named()) */
	int		 flags;		/* DNSBL_NOMAP: ::ffff: stays IPv6 */
	int		 listed;
};

/* Is the list asked about names (rhsbl, urilist) rather than addresses? */
static int
named(const struct dnsbl_list_info *info)
{
	return strcmp(info->kind, "rhsbl") == 0 ||
	    strcmp(info->kind, "urilist") == 0;
}

/*
 * The test points of a list, in the order they are judged: its profile's
 * documented point or RFC 5782 5's (127.0.0.2, "test"; IPv6-only lists
 * ::ffff:127.0.0.2) must be listed unless the list has notest; 127.0.0.1,
 * 192.0.2.1 and 2001:db8::1 (documentation), "invalid", ::ffff:127.0.0.1
 * must not.
 *
 * URI lists (urilist) are asked names, as rhsbl lists are: the point of
 * their profile (dnsbl.c) must be listed -- any code its filters do not
 * call an error will do -- and RFC 5782's "invalid" must not.  Where the
 * points come from (our search index, 2026-12-03):
 *   dbl    dbltest.com, 127.0.1.2: Spamhaus's DBL FAQ has "How can I test
 *          the DBL?" (spamhaus.org/faq/section/Spamhaus DBL; its answer's
 *          text was not in the index); every DBL client and checker we
 *          found probes dbltest.com.dbl.spamhaus.org and expects
 *          127.0.1.2.  The DBL documents no unlisted name: "invalid".
 *   uribl  test.uribl.com, 127.0.0.14 (black, grey and red): the test
 *          point clients cite from uribl.com/about.shtml and measure;
 *          127.0.0.1 is URIBL's "query refused" (uribl.com/refused.shtml),
 *          the profile's error: a blocked resolver marks the list broken.
 *   surbl  test.surbl.org: SURBL's implementation guidelines
 *          (surbl.org/implementation.html): "2.0.0.127 and test.surbl.org
 *          [...] are both in all SURBL lists"; the code multi answers
 *          for it is not documented there, hence any listing code.
 * A URI list without a profile is held to RFC 5782's "test".
 */
static size_t
wants(const struct dnsbl_list_info *info, struct want *w)
{
	size_t n = 0;

	if (named(info)) {
		w[n++] = (struct want){ info->test != NULL ? info->test :
		    "test", 0, 1 };
		w[n++] = (struct want){ "invalid", 0, 0 };
	} else if (info->family == 6) {
		w[n++] = (struct want){ "::ffff:127.0.0.2", DNSBL_NOMAP, 1 };
		w[n++] = (struct want){ "::ffff:127.0.0.1", DNSBL_NOMAP, 0 };
		w[n++] = (struct want){ "2001:db8::1", 0, 0 };
	} else {
		w[n++] = (struct want){ info->test != NULL ? info->test :
		    "127.0.0.2", 0, 1 };
		w[n++] = (struct want){ "127.0.0.1", 0, 0 };
		w[n++] = (struct want){ "192.0.2.1", 0, 0 };
		if (info->family == 0)
			w[n++] = (struct want){ "2001:db8::1", 0, 0 };
	}
	if (info->notest) {
		memmove(w, w + 1, (n - 1) * sizeof(*w));
		n--;
	}
	return n;
}

/* Index of the run (named: the name) asking w; add it when new; -1 full. */
static int
probe_at(struct probe *p, const struct want *w, int nm, int add)
{
	size_t i, *n = nm ? &p->ndom : &p->nrun;

	for (i = 0; i < *n; i++)
		if (nm ? strcasecmp(p->dom[i], w->at) == 0 :
		    p->flags[i] == w->flags && strcmp(p->ip[i], w->at) == 0)
			return (int)i;
	if (!add || *n == (nm ? PROBE_DOMS : PROBE_RUNS))
		return -1;
	if (nm)
		p->dom[*n] = w->at;
	else {
		p->ip[*n] = w->at;
		p->flags[*n] = w->flags;
	}
	return (int)(*n)++;
}

/*
 * Start a run for every test point of every list of dc, asking dns; uri:
 * dc holds URI lists (uri.c's conf), asked their test names only.
 */
static void
probe_start(struct probe *p, const struct dnsbl_conf *dc, struct dns *dns,
    int uri)
{
	struct dnsbl_list_info info;
	struct want w[PROBE_WANTS];
	struct ipaddr a;
	size_t i, j, nw;

	memset(p, 0, sizeof(*p));
	for (i = 0; dc != NULL && i < dnsbl_conf_nlists(dc); i++) {
		dnsbl_list_info(dnsbl_conf_list(dc, i), &info);
		for (j = 0, nw = wants(&info, w); j < nw; j++)
			(void)probe_at(p, &w[j], named(&info), 1);
	}
	if (uri && p->ndom > 0) {
		p->run[0] = dnsbl_start_flags(dc, dns, NULL, NULL,
		    DNSBL_NOIP | DNSBL_NOSKIP | DNSBL_ANYNAME);
		p->nrun = 1;
	} else if (p->ndom > 0 && p->nrun == 0) {
		p->ip[0] = "127.0.0.2";
		p->nrun = 1;
	}
	for (i = 0; !uri && i < p->nrun; i++) {
		(void)ipaddr_parses(p->ip[i], &a);
		p->run[i] = dnsbl_start_flags(dc, dns, &a, NULL, DNSBL_ANYIP |
		    DNSBL_NORDNS | DNSBL_NOEXIST | DNSBL_NOSKIP |
		    DNSBL_ANYNAME | p->flags[i]);
	}
	for (i = 0; i < p->ndom; i++)
		dnsbl_domain(p->run[0], uri ? DNSBL_URI : DNSBL_FROM,
		    p->dom[i]);
}

enum { P_NONE, P_CLEAN, P_LISTED, P_ERROR };

/*
 * What run r says of the list label (of subject, unless NULL): an
 * answer's codes count as listed.
 */
static int
outcome(const struct dnsbl_run *r, const char *label, const char *subject,
    char *ans, size_t size, unsigned *ms)
{
	const struct dnsbl_result *d;
	size_t i;
	int o = P_NONE;

	for (i = 0; (d = dnsbl_result(r, i)) != NULL; i++) {
		if (strcmp(d->label, label) != 0 || (subject != NULL &&
		    strcasecmp(d->subject, subject) != 0))
			continue;
		*ms = d->ms > *ms ? d->ms : *ms;
		if (d->verdict == DNSBL_ERROR) {
			(void)snprintf(ans, size, "%s", d->answer);
			return P_ERROR;
		}
		if (d->verdict == DNSBL_LISTED || d->answer[0] != '\0')
			o = P_LISTED;
		else if (o == P_NONE)
			o = P_CLEAN;
	}
	return o;
}

/* The verdict on one DNS or URI list from its test points. */
static void
probe_list(struct probe *p, const struct dnsbl_list_info *info,
    struct lists_health *h)
{
	struct want w[PROBE_WANTS];
	char ans[64], why[128];
	size_t i, nw = wants(info, w);
	int o, k, nm = named(info);

	memset(h, 0, sizeof(*h));
	h->label = info->label;
	h->kind = info->kind;
	snprintf(h->reason, sizeof(h->reason), "ok");
	for (i = 0; i < nw && !h->broken; i++) {
		ans[0] = '\0';
		k = probe_at(p, &w[i], nm, 0);
		o = k < 0 || p->run[nm ? 0 : k] == NULL ? P_NONE :
		    outcome(p->run[nm ? 0 : k], info->label, nm ? w[i].at :
		    NULL, ans, sizeof(ans), &h->ms);
		if (o == P_NONE)
			snprintf(ans, sizeof(ans), "nocheck");
		else if (o == P_CLEAN && w[i].listed)
			snprintf(ans, sizeof(ans), "unlisted");
		else if (o == P_LISTED && !w[i].listed)
			snprintf(ans, sizeof(ans), "listed");
		else if (o != P_ERROR)
			continue;
		h->broken = 1;
		(void)snprintf(why, sizeof(why), "%s:%s", w[i].at, ans);
		reason_word(h->reason, why);
	}
}

/* Read every local list whole: its entries, or its error. */
static void
probe_local(const struct lists_file *l, struct lists_health *h)
{
	struct listfile_stats st;
	struct listfile *s;
	struct timespec t0;
	int e;

	memset(h, 0, sizeof(*h));
	h->label = l->label;
	h->kind = l->keyword;
	h->local = 1;
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	s = listfile_load(l->path, l->format, NULL, time(NULL), &st, &e);
	h->ms = (unsigned)ms_since(&t0);
	h->broken = s == NULL;
	if (s == NULL)
		(void)snprintf(h->reason, sizeof(h->reason), "%s",
		    listfile_strerror(e));
	else
		(void)snprintf(h->reason, sizeof(h->reason), "entries:%lu",
		    st.entries);
	listfile_free(s);
}

/*
 * The probe (qqtag -T): every DNS list of dc and URI list of uc at its
 * test points (see wants(): its profile's documented point, else RFC 5782
 * 5's, must be listed unless the list has the notest option; 127.0.0.1,
 * "invalid" and documentation addresses must not), where any error (no
 * answer, SERVFAIL, an error code such as 127.255.255.254, DNSWL's
 * 127.0.0.255 or URIBL's 127.0.0.1) marks it broken; then every local
 * list read whole.  h[] gets DNS lists, URI lists, then local lists (at
 * most max), *nh their count; the state file of c, when it has one, is
 * written.  Returns the number of broken lists, or -1 with errno and err
 * when the state could not be written (h[] is filled all the same).
 */
int
lists_probe(const struct lists_conf *c, const struct dnsbl_conf *dc,
    const struct dnsbl_conf *uc, int timeout_ms, struct lists_health *h,
    size_t max, size_t *nh, char *err, size_t errlen)
{
	const struct dnsbl_conf *conf[2] = { dc, uc };
	struct probe p[2];
	struct dnsbl_list_info info;
	struct lists_file lf;
	struct dns *dns;
	const char *state;
	size_t i, k, n = 0;
	int broken = 0;

	/* one service for every run; NULL: every list an error "resolver" */
	dns = dns_new(dnsbl_conf_get_servers(dc), NULL, 0);
	dns_limits(dns, 0, PROBE_QUERIES);
	for (k = 0; k < 2; k++)
		probe_start(&p[k], conf[k], dns, k == 1);
	(void)dns_wait(dns, -1, timeout_ms);
	dns_stop(dns);
	for (k = 0; k < 2; k++)
		for (i = 0; conf[k] != NULL && i < dnsbl_conf_nlists(conf[k]) &&
		    n < max; i++) {
			dnsbl_list_info(dnsbl_conf_list(conf[k], i), &info);
			probe_list(&p[k], &info, &h[n++]);
		}
	for (i = 0; n < max && lists_conf_file(c, i, &lf) == 0; i++)
		probe_local(&lf, &h[n++]);
	for (k = 0; k < 2; k++)
		for (i = 0; i < p[k].nrun; i++)
			dnsbl_free(p[k].run[i]);
	dns_free(dns);
	for (i = 0; i < n; i++)
		broken += h[i].broken;
	*nh = n;
	if ((state = lists_conf_state(c)) != NULL &&
	    lists_state_write(state, time(NULL), h, n) == -1)
		return errf(err, errlen, errno, "cannot write state file "
		    "%s: %s", state, strerror(errno));
	return broken;
}

/*
 * "LABEL KIND ok|BROKEN REASON MSms" for the probe's output, no newline:
 * 0, or -1 with errno EOVERFLOW when buf was too small (it is cut).
 */
int
lists_health_text(const struct lists_health *h, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size, "%-20s %-10s %-6s %-40s %5ums", h->label,
	    h->kind, h->broken ? "BROKEN" : "ok", h->reason, h->ms);
	if (n < 0 || (size_t)n >= size) {
		errno = EOVERFLOW;
		return -1;
	}
	return 0;
}


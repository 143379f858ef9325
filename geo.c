/*
 * geo.c: the GeoIP country and AS number of the client IP, read from
 * MaxMind DB files (GeoLite2-Country / GeoLite2-ASN, or DB-IP's
 * dbip-country-lite / dbip-asn-lite, which share the format) through
 * libmaxminddb, and the policy's per-country and per-ASN weights.  The
 * only file that includes <maxminddb.h>.
 *
 * Policy grammar (lines handed over by policy.c):
 *
 *   geoip country PATH			country database, e.g.
 *					/var/lib/GeoIP/GeoLite2-Country.mmdb
 *					or dbip-country-lite.mmdb
 *   geoip asn PATH			AS number database, e.g.
 *					/var/lib/GeoIP/GeoLite2-ASN.mmdb
 *					or dbip-asn-lite.mmdb
 *   country CC WEIGHT [CC WEIGHT]...	e.g. country CN 1.5 RU 1.5
 *   asn NUMBER WEIGHT [NUMBER WEIGHT]...	e.g. asn 4134 2 AS4837 2
 *
 * PATH    an absolute path; a later geoip line for the same database
 *         replaces an earlier one.  Without any geoip line nothing is
 *         looked up.
 * CC      ISO 3166-1 alpha-2 country code, two ASCII letters, any case.
 *         A client located in CC fires the test GEO_CC_CC (GEO_CC_CN)
 *         with WEIGHT.  The country is the database's country.iso_code,
 *         or registered_country.iso_code for networks without one.
 * NUMBER  AS number 1-4294967295, optionally written AS4134.  A client
 *         in that AS fires the test GEO_ASN_NUMBER (GEO_ASN_4134).
 * WEIGHT  a number, -1000 to 1000; negative weights lower the score.
 *         A later line for the same CC or NUMBER replaces its weight.
 *
 * Each lookup opens each database (mmap), reads it and closes it again,
 * one database at a time: no descriptor survives (libmaxminddb closes
 * its own after mmap), the address space holds one file at a time (under
 * softlimit -m a mapping that fails is the error "nomem"), and a file
 * replaced by rename is picked up by the next message while a message
 * already reading keeps the old inode.  Every access to a mapping happens
 * inside a window where SIGBUS (the file truncated in place under us) and
 * SIGSEGV (libmaxminddb 1.7.1 recursing without a depth limit over
 * hostile nested data until the stack overflows, or reading out of
 * bounds) jump back to the caller on an alternate signal stack; the old
 * handlers and stack are restored when the window closes.  A missing,
 * unreadable, truncated or corrupt database therefore means no geo data
 * and an error key for the log line, never a crash or a delay.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>

#include "check.h"
#include "geo.h"
#include "msg.h"
#include "report.h"
#include "score.h"
#include "util.h"

#define GEO_PATHMAX	4096	/* bytes of a database path, NUL incl. */
#define GEO_MAXWEIGHTS	4096	/* country and ASN weights in a policy */
#define GEO_ASNMAX	4294967295UL
#define GEO_ALTSTACK	65536	/* signal stack for a fault in the window */
#define GEO_CHECK_NODES	100000	/* search nodes geo_conf_check visits */
#define GEO_CHECK_RECS	64	/* data records it examines */
#define GEO_TREE_DEPTH	128	/* bits of an IPv6 address */

enum { DB_COUNTRY, DB_ASN, DB_N };

/* Errors of one database, the index into errkeys. */
enum geo_err {
	E_NONE, E_MISSING, E_UNREADABLE, E_NOMEM, E_CORRUPT, E_DATA,
	E_SIGBUS, E_SEGV, E_N
};

static const char *const errkeys[DB_N][E_N] = {
	{ NULL, "country-missing", "country-unreadable", "country-nomem",
	    "country-corrupt", "country-data", "country-sigbus",
	    "country-segv" },
	{ NULL, "asn-missing", "asn-unreadable", "asn-nomem", "asn-corrupt",
	    "asn-data", "asn-sigbus", "asn-segv" },
};

static const char *const errtext[E_N] = {
	NULL, "no such file", "cannot be opened or mapped",
	"out of memory mapping it (softlimit -m too low?)",
	"not a MaxMind DB file, or corrupt", NULL,
	"truncated while being read (SIGBUS)",
	"corrupt data crashed the reader (SIGSEGV)",
};

static const char *const dbname[DB_N] = { "country", "asn" };

struct geo_weight {
	unsigned long	 key;		/* AS number, or 'C' << 8 | 'N' */
	int		 db;		/* DB_COUNTRY or DB_ASN */
	double		 weight;
	char		 name[24];	/* GEO_CC_CN, GEO_ASN_4294967295 */
};

struct geo_conf {
	char			*path[DB_N];
	struct geo_weight	*w;
	size_t			 nw, cap;
};

/* A reader runs inside the window on an open database. */
typedef int (*geo_reader)(const MMDB_s *, void *);

/*
 * The fault window.  Static, not automatic: what changes between
 * sigsetjmp() and siglongjmp() must not live in the frame that called
 * sigsetjmp() (C99 7.13.2.1).  One window at a time: qqtag is single
 * threaded.
 */
static struct {
	sigjmp_buf		 jb;
	MMDB_s			 db;
	volatile sig_atomic_t	 armed;		/* a fault jumps back */
	volatile sig_atomic_t	 fault;		/* the signal that did */
	volatile int		 phase;		/* 1 opening, 2 open */
	volatile int		 err;
} win;

static char	altstack[GEO_ALTSTACK];

static void	(*hook_fn)(const char *, void *);
static void	*hook_arg;

struct guard {
	struct sigaction	 bus, segv;
	sigset_t		 mask;
	stack_t			 ss;
	int			 ssok;
};

/* ------------------------------------------------------------------ */
/* The fault window                                                     */

static void
on_fault(int sig)
{
	if (!win.armed) {
		/* not ours: the default action when the access repeats */
		signal(sig, SIG_DFL);
		return;
	}
	win.armed = 0;
	win.fault = sig;
	siglongjmp(win.jb, 1);
}

/*
 * Open the window: our handler for SIGBUS and SIGSEGV on our own signal
 * stack (a stack overflow leaves no room on the stack that overflowed),
 * and both unblocked (a blocked synchronous fault kills the process).
 */
static void
guard_on(struct guard *g)
{
	struct sigaction	 sa;
	sigset_t		 set;
	stack_t			 ss;

	sigemptyset(&set);
	sigaddset(&set, SIGBUS);
	sigaddset(&set, SIGSEGV);
	(void)sigprocmask(SIG_UNBLOCK, &set, &g->mask);
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = 0;
	g->ssok = sigaltstack(&ss, &g->ss) == 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_ONSTACK;
	(void)sigaction(SIGBUS, &sa, &g->bus);
	(void)sigaction(SIGSEGV, &sa, &g->segv);
}

static void
guard_off(struct guard *g)
{
	(void)sigaction(SIGBUS, &g->bus, NULL);
	(void)sigaction(SIGSEGV, &g->segv, NULL);
	if (g->ssok)
		(void)sigaltstack(&g->ss, NULL);
	(void)sigprocmask(SIG_SETMASK, &g->mask, NULL);
}

/* MMDB_open's status as a geo_err (errno as MMDB_open left it). */
static int
open_err(int st)
{
	switch (st) {
	case MMDB_SUCCESS:
		return E_NONE;
	case MMDB_FILE_OPEN_ERROR:
		return errno == ENOENT || errno == ENOTDIR ? E_MISSING :
		    E_UNREADABLE;
	case MMDB_OUT_OF_MEMORY_ERROR:
		return E_NOMEM;
	case MMDB_IO_ERROR:
		/* mmap: EINVAL is an empty file, ENODEV a directory */
		if (errno == ENOMEM)
			return E_NOMEM;
		return errno == EINVAL ? E_CORRUPT : E_UNREADABLE;
	default:
		return E_CORRUPT;
	}
}

/*
 * Open path, run fn on it inside the fault window, close it.  Returns a
 * geo_err: fn's, the open's, or E_SIGBUS/E_SEGV after a fault.
 */
static int
db_run(const char *path, geo_reader fn, void *arg)
{
	struct guard	 g;

	memset(&win.db, 0, sizeof(win.db));
	win.phase = 0;
	win.fault = 0;
	win.err = E_NONE;
	guard_on(&g);
	if (sigsetjmp(win.jb, 1) == 0) {
		win.armed = 1;
		win.phase = 1;
		errno = 0;
		win.err = open_err(MMDB_open(path, MMDB_MODE_MMAP, &win.db));
		if (win.err == E_NONE) {
			win.phase = 2;
			if (hook_fn != NULL)
				hook_fn(path, hook_arg);
			win.err = fn(&win.db, arg);
		}
		win.armed = 0;
	} else
		win.err = win.fault == SIGBUS ? E_SIGBUS : E_SEGV;
	guard_off(&g);
	/*
	 * A fault inside MMDB_open leaves a partly built MMDB_s (zeroed
	 * first); MMDB_close frees what is there and unmaps the file.
	 */
	if (win.phase == 2 || (win.phase == 1 && win.fault != 0))
		MMDB_close(&win.db);
	return win.err;
}

/* Tests only: see geo.h. */
void
geo_test_hook(void (*fn)(const char *, void *), void *arg)
{
	hook_fn = fn;
	hook_arg = arg;
}

/* ------------------------------------------------------------------ */
/* Reading records                                                      */

/* path's value under e: 1 found, 0 absent, or -geo_err. */
static int
field(MMDB_entry_s *e, const char *const *path, MMDB_entry_data_s *d)
{
	int	 st;

	/* MMDB_aget_value allocates nothing (MMDB_get_value would) */
	st = MMDB_aget_value(e, d, path);
	if (st == MMDB_SUCCESS)
		return d->has_data ? 1 : 0;
	if (st == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
	    st == MMDB_INVALID_LOOKUP_PATH_ERROR)
		return 0;
	return st == MMDB_OUT_OF_MEMORY_ERROR ? -E_NOMEM : -E_CORRUPT;
}

static int
letter(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char
upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/*
 * The country code of the record at e into cc (3 bytes): E_NONE with cc
 * set or empty (no code), else a geo_err.  Only two ASCII letters count.
 */
static int
read_cc(MMDB_entry_s *e, char *cc)
{
	static const char *const cpath[] = { "country", "iso_code", NULL };
	static const char *const rpath[] = { "registered_country",
	    "iso_code", NULL };
	MMDB_entry_data_s	 d;
	int			 f;

	cc[0] = '\0';
	if ((f = field(e, cpath, &d)) == 0)
		f = field(e, rpath, &d);
	if (f <= 0)
		return -f;
	if (d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2 ||
	    !letter((unsigned char)d.utf8_string[0]) ||
	    !letter((unsigned char)d.utf8_string[1]))
		return E_DATA;
	cc[0] = upper(d.utf8_string[0]);
	cc[1] = upper(d.utf8_string[1]);
	cc[2] = '\0';
	return E_NONE;
}

/* An unsigned MMDB value into *n: 0, or -1 for any other type. */
static int
read_uint(const MMDB_entry_data_s *d, uint64_t *n)
{
	switch (d->type) {
	case MMDB_DATA_TYPE_UINT16:
		*n = d->uint16;
		return 0;
	case MMDB_DATA_TYPE_UINT32:
		*n = d->uint32;
		return 0;
	case MMDB_DATA_TYPE_UINT64:
		*n = d->uint64;
		return 0;
	default:
		return -1;
	}
}

/* Where GeoLite2-ASN keeps the number and the organisation. */
static const char *const npath[] = { "autonomous_system_number", NULL };
static const char *const opath[] = { "autonomous_system_organization",
	NULL };

/*
 * The AS number and organisation of the record at e into r: E_NONE (with
 * have_asn set, or not for AS 0 or no number), else a geo_err.
 */
static int
read_asn(MMDB_entry_s *e, struct geo_result *r)
{
	MMDB_entry_data_s	 d;
	uint64_t		 n;
	size_t			 len;
	int			 f;

	if ((f = field(e, npath, &d)) <= 0)
		return -f;
	if (read_uint(&d, &n) == -1 || n > GEO_ASNMAX)
		return E_DATA;
	if (n == 0)
		return E_NONE;
	if ((f = field(e, opath, &d)) < 0)
		return -f;
	len = 0;
	/* not NUL-terminated: data_size bytes, cut to fit */
	if (f == 1 && d.type == MMDB_DATA_TYPE_UTF8_STRING) {
		len = d.data_size;
		if (len > sizeof(r->org) - 1)
			len = sizeof(r->org) - 1;
		memcpy(r->org, d.utf8_string, len);
	}
	r->org[len] = '\0';
	r->orglen = len;
	r->asn = (unsigned long)n;
	r->have_asn = 1;
	return E_NONE;
}

struct lookup_arg {
	const struct sockaddr	*sa;
	struct geo_result	*r;
	int			 db;
};

/* geo_reader: look the address up and read the record it finds. */
static int
read_lookup(const MMDB_s *db, void *v)
{
	struct lookup_arg	*a = v;
	MMDB_lookup_result_s	 lr;
	int			 st, e;

	lr = MMDB_lookup_sockaddr(db, a->sa, &st);
	if (st == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return E_NONE;		/* an IPv4-only file: no data */
	if (st != MMDB_SUCCESS)
		return st == MMDB_OUT_OF_MEMORY_ERROR ? E_NOMEM : E_CORRUPT;
	if (!lr.found_entry)
		return E_NONE;
	if (a->db == DB_ASN)
		return read_asn(&lr.entry, a->r);
	if ((e = read_cc(&lr.entry, a->r->cc)) == E_NONE &&
	    a->r->cc[0] != '\0')
		a->r->have_country = 1;
	return e;
}

/* ------------------------------------------------------------------ */
/* Lookup                                                               */

/* IP text into ss: 0, or -1.  ::ffff:a.b.c.d becomes IPv4. */
static int
parse_ip(const char *ip, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;
	struct in6_addr		 a6;
	struct in_addr		 a4;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &a4) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_addr = a4;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &a6) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, &a6.s6_addr[12], 4);
		return 0;
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_addr = a6;
	return 0;
}

static const struct geo_weight *
find_weight(const struct geo_conf *c, int db, unsigned long key)
{
	size_t	 i;

	for (i = 0; i < c->nw; i++)
		if (c->w[i].db == db && c->w[i].key == key)
			return &c->w[i];
	return NULL;
}

static unsigned long
cc_key(const char *cc)
{
	return (unsigned long)(unsigned char)cc[0] << 8 |
	    (unsigned char)cc[1];
}

/* Drop what a failed read of database db may have left in r. */
static void
clear_db(struct geo_result *r, int db)
{
	if (db == DB_COUNTRY) {
		r->have_country = 0;
		memset(r->cc, 0, sizeof(r->cc));
		return;
	}
	r->have_asn = 0;
	r->asn = 0;
	r->orglen = 0;
	memset(r->org, 0, sizeof(r->org));
}

/* Whether any database is configured. */
int
geo_enabled(const struct geo_conf *c)
{
	return c != NULL && (c->path[DB_COUNTRY] != NULL ||
	    c->path[DB_ASN] != NULL);
}

/* Look up one client IP: see geo.h.  Never fails; errors go to r->error. */
void
geo_lookup(const struct geo_conf *c, const char *ip, struct geo_result *r)
{
	const struct geo_weight	*w;
	struct sockaddr_storage	 ss;
	struct lookup_arg	 a;
	int			 db, e;

	memset(r, 0, sizeof(*r));
	if (!geo_enabled(c) || ip == NULL || *ip == '\0')
		return;
	if (parse_ip(ip, &ss) == -1) {
		r->error = "ip-invalid";
		return;
	}
	for (db = 0; db < DB_N; db++) {
		if (c->path[db] == NULL)
			continue;
		a.sa = (const struct sockaddr *)&ss;
		a.r = r;
		a.db = db;
		if ((e = db_run(c->path[db], read_lookup, &a)) != E_NONE) {
			clear_db(r, db);
			if (r->error == NULL)
				r->error = errkeys[db][e];
		}
	}
	if (r->have_country &&
	    (w = find_weight(c, DB_COUNTRY, cc_key(r->cc))) != NULL) {
		r->weight += w->weight;
		r->tests[0] = w->name;
		r->tweight[0] = w->weight;
	}
	if (r->have_asn && (w = find_weight(c, DB_ASN, r->asn)) != NULL) {
		r->weight += w->weight;
		r->tests[1] = w->name;
		r->tweight[1] = w->weight;
	}
}

/* ------------------------------------------------------------------ */
/* Strict check (qqtag -n)                                              */

struct check_arg {
	int		 db;
	unsigned	 nodes, recs, good, bad;
	const char	*why;		/* the last bad record's fault */
};

/*
 * One data record: does it carry the expected fields, well typed?  A bad
 * record is counted, not fatal (a lookup copes with it); corruption is.
 */
static int
check_record(MMDB_entry_s *e, struct check_arg *a)
{
	MMDB_entry_data_s	 d;
	uint64_t		 n;
	char			 cc[3];
	int			 f;

	a->recs++;
	if (a->db == DB_COUNTRY) {
		if ((f = read_cc(e, cc)) == E_DATA) {
			a->why = "a country.iso_code is not two letters";
			a->bad++;
		} else if (f == E_NONE && cc[0] != '\0')
			a->good++;
		return f == E_DATA ? E_NONE : f;
	}
	if ((f = field(e, npath, &d)) < 0)
		return -f;
	if (f == 1 && (read_uint(&d, &n) == -1 || n > GEO_ASNMAX)) {
		a->why = "an autonomous_system_number is not a number";
		a->bad++;
		return E_NONE;
	}
	a->good += f;
	if ((f = field(e, opath, &d)) < 0)
		return -f;
	if (f == 1 && d.type != MMDB_DATA_TYPE_UTF8_STRING) {
		a->why = "an autonomous_system_organization is not a string";
		a->bad++;
	}
	return E_NONE;
}

/* Depth-first over the search tree, bounded by nodes, records, depth. */
static int
check_walk(const MMDB_s *db, uint32_t node, int depth, struct check_arg *a)
{
	MMDB_search_node_s	 n;
	MMDB_entry_s		 ent[2];
	uint64_t		 rec[2];
	uint8_t			 type[2];
	int			 i, e;

	if (a->nodes >= GEO_CHECK_NODES || a->recs >= GEO_CHECK_RECS)
		return E_NONE;
	a->nodes++;
	if (depth >= GEO_TREE_DEPTH)
		return E_CORRUPT;	/* deeper than any address: a loop */
	if (MMDB_read_node(db, node, &n) != MMDB_SUCCESS)
		return E_CORRUPT;
	rec[0] = n.left_record;
	rec[1] = n.right_record;
	type[0] = n.left_record_type;
	type[1] = n.right_record_type;
	ent[0] = n.left_record_entry;
	ent[1] = n.right_record_entry;
	for (i = 0; i < 2; i++) {
		e = E_NONE;
		if (type[i] == MMDB_RECORD_TYPE_SEARCH_NODE)
			e = check_walk(db, (uint32_t)rec[i], depth + 1, a);
		else if (type[i] == MMDB_RECORD_TYPE_DATA &&
		    a->recs < GEO_CHECK_RECS)
			e = check_record(&ent[i], a);
		if (e != E_NONE)
			return e;
	}
	return E_NONE;
}

/* geo_reader: walk the first records and judge the fields. */
static int
read_check(const MMDB_s *db, void *v)
{
	struct check_arg	*a = v;
	int			 e;

	if ((e = check_walk(db, 0, 0, a)) != E_NONE)
		return e;
	if (a->good > 0)
		return E_NONE;
	if (a->why == NULL)
		a->why = a->db == DB_COUNTRY ?
		    "no country.iso_code in its first records: not a country "
		    "database?" :
		    "no autonomous_system_number in its first records: not "
		    "an ASN database?";
	return E_DATA;
}

/* ------------------------------------------------------------------ */
/* Configuration                                                        */

/* Check a configuration: see geo.h. */
int
geo_conf_check(const struct geo_conf *c, char *err, size_t errlen)
{
	struct check_arg	 a;
	size_t			 i;
	int			 db, e;

	for (db = 0; db < DB_N; db++) {
		for (i = 0; i < c->nw && c->path[db] == NULL; i++)
			if (c->w[i].db == db)
				return errf(err, errlen, EINVAL,
				    "%s weights but no \"geoip %s PATH\"",
				    dbname[db], dbname[db]);
		if (c->path[db] == NULL)
			continue;
		memset(&a, 0, sizeof(a));
		a.db = db;
		if ((e = db_run(c->path[db], read_check, &a)) != E_NONE)
			return errf(err, errlen, EINVAL, "geoip %s %s: %s",
			    dbname[db], c->path[db],
			    e == E_DATA ? a.why : errtext[e]);
	}
	return 0;
}

/* A new, empty configuration, or NULL (ENOMEM). */
struct geo_conf *
geo_conf_new(void)
{
	return calloc(1, sizeof(struct geo_conf));
}

/* Free a configuration and everything it holds; NULL is fine. */
void
geo_conf_free(struct geo_conf *c)
{
	if (c == NULL)
		return;
	free(c->path[DB_COUNTRY]);
	free(c->path[DB_ASN]);
	free(c->w);
	free(c);
}

/* CC or [AS]NUMBER into *key: 0, or -1. */
static int
parse_key(int db, const char *s, unsigned long *key)
{
	char	*end;

	if (db == DB_COUNTRY) {
		if (strlen(s) != 2 || !letter((unsigned char)s[0]) ||
		    !letter((unsigned char)s[1]))
			return -1;
		*key = (unsigned long)upper(s[0]) << 8 | upper(s[1]);
		return 0;
	}
	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*key = strtoul(s, &end, 10);
	return errno != 0 || *end != '\0' || *key == 0 ||
	    *key > GEO_ASNMAX ? -1 : 0;
}

/* Room for n more weights: 0, or -1 (ENOMEM). */
static int
reserve(struct geo_conf *c, size_t n)
{
	struct geo_weight	*w;
	size_t			 cap;

	if (c->nw + n <= c->cap)
		return 0;
	cap = c->nw + n < 16 ? 16 : (c->nw + n) * 2;
	if ((w = realloc(c->w, cap * sizeof(*w))) == NULL)
		return -1;
	c->w = w;
	c->cap = cap;
	return 0;
}

static void
set_weight(struct geo_conf *c, int db, unsigned long key, double weight)
{
	struct geo_weight	*w;

	if ((w = (struct geo_weight *)find_weight(c, db, key)) == NULL) {
		w = &c->w[c->nw++];
		w->db = db;
		w->key = key;
		if (db == DB_COUNTRY)
			(void)snprintf(w->name, sizeof(w->name), "GEO_CC_%c%c",
			    (char)(key >> 8), (char)(key & 0xff));
		else
			(void)snprintf(w->name, sizeof(w->name), "GEO_ASN_%lu",
			    key);
	}
	w->weight = weight;
}

/* country CC WEIGHT... / asn NUMBER WEIGHT...: all or nothing. */
static int
conf_weights(struct geo_conf *c, int db, int ac, char **av, char *err,
    size_t errlen)
{
	unsigned long	 key;
	double		 w;
	int		 i;

	if (ac < 3 || (ac - 1) % 2 != 0)
		return errf(err, errlen, EINVAL, "usage: %s %s WEIGHT ...",
		    av[0], db == DB_COUNTRY ? "CC" : "NUMBER");
	for (i = 1; i < ac; i += 2) {
		if (parse_key(db, av[i], &key) == -1)
			return errf(err, errlen, EINVAL,
			    "%s: bad %s \"%.40s\"", av[0], db == DB_COUNTRY ?
			    "country code" : "AS number", av[i]);
		if (score_weight(av[i + 1], NULL, &w) == -1)
			return errf(err, errlen, EINVAL,
			    "%s: bad weight \"%.40s\"", av[0], av[i + 1]);
	}
	if (c->nw + (size_t)(ac - 1) / 2 > GEO_MAXWEIGHTS)
		return errf(err, errlen, EINVAL,
		    "%s: more than %d country and ASN weights", av[0],
		    GEO_MAXWEIGHTS);
	if (reserve(c, (size_t)(ac - 1) / 2) == -1)
		return errf(err, errlen, ENOMEM, "out of memory");
	for (i = 1; i < ac; i += 2) {
		(void)parse_key(db, av[i], &key);
		(void)score_weight(av[i + 1], NULL, &w);
		set_weight(c, db, key, w);
	}
	return 0;
}

/* geoip country|asn PATH */
static int
conf_geoip(struct geo_conf *c, int ac, char **av, char *err, size_t errlen)
{
	char	*p;
	int	 db;

	if (ac != 3)
		return errf(err, errlen, EINVAL,
		    "usage: geoip country|asn PATH");
	if (strcmp(av[1], "country") == 0)
		db = DB_COUNTRY;
	else if (strcmp(av[1], "asn") == 0)
		db = DB_ASN;
	else
		return errf(err, errlen, EINVAL,
		    "geoip: \"%.40s\" is not country or asn", av[1]);
	if (av[2][0] != '/' || strlen(av[2]) >= GEO_PATHMAX)
		return errf(err, errlen, EINVAL,
		    "geoip %s: PATH must be absolute", av[1]);
	if ((p = strdup(av[2])) == NULL)
		return errf(err, errlen, ENOMEM, "out of memory");
	free(c->path[db]);
	c->path[db] = p;
	return 0;
}

/* One policy line (geoip, country, asn): see geo.h. */
int
geo_conf_line(struct geo_conf *c, int argc, char *argv[], char *err,
    size_t errlen)
{
	if (argc < 1)
		return errf(err, errlen, EINVAL, "empty line");
	if (strcmp(argv[0], "geoip") == 0)
		return conf_geoip(c, argc, argv, err, errlen);
	if (strcmp(argv[0], "country") == 0)
		return conf_weights(c, DB_COUNTRY, argc, argv, err, errlen);
	if (strcmp(argv[0], "asn") == 0)
		return conf_weights(c, DB_ASN, argc, argv, err, errlen);
	return errf(err, errlen, EINVAL, "%.40s: not a geo keyword",
	    argv[0]);
}

/* ---- the check (check.h) ------------------------------------------- */

static const char *const geo_keywords[] = { "geoip", "country", "asn",
	NULL };

static void *
geo_conf_new_v(void)
{
	return geo_conf_new();
}

static void
geo_conf_free_v(void *c)
{
	geo_conf_free(c);
}

static int
geo_conf_line_v(void *c, int ac, char *av[], char *err, size_t errlen)
{
	return geo_conf_line(c, ac, av, err, errlen);
}

/* -n opens the databases; queue mode only looks up what is there. */
static int
geo_conf_check_v(void *c, const struct policy *p, int strict, char *err,
    size_t errlen)
{
	(void)p;
	return strict ? geo_conf_check(c, err, errlen) : 0;
}

/* Connect: the lookup is local and quick; done at once. */
static void *
geo_start(const void *conf, struct msg *m)
{
	struct geo_result	*r;

	if (!geo_enabled(conf) || ipaddr_private(&m->ip))
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	geo_lookup(conf, m->iptext, r);
	return r;
}

/* The weights that matched, the location for X-Qqtag(-Geo), errors. */
static void
geo_findings(void *run, struct msg *m, struct report *rep)
{
	static const char *const what[2] = {
	    "the client's country is weighted",
	    "the client's network (AS) is weighted" };
	const struct geo_result	*r = run;
	struct finding		 f;
	int			 i;

	(void)m;
	if (r->error != NULL)
		report_error(rep, r->error);
	for (i = 0; i < 2; i++) {
		if (r->tests[i] == NULL)
			continue;
		finding_init(&f, r->tests[i], "geo", F_LISTED);
		f.weight = r->tweight[i];
		f.subject = i == 0 ? r->cc : r->org;
		f.subjlen = i == 0 ? 2 : r->orglen;
		finding_text(&f, what[i], strlen(what[i]), 0, 0);
		finding_text(&f, ":", 1, 0, 1);
		finding_text(&f, f.subject, f.subjlen, 1, 0);
		report_finding(rep, &f);
	}
	report_geo(rep, r->have_country ? r->cc : NULL, r->have_asn ?
	    r->asn : 0, r->have_asn ? r->org : NULL, r->orglen);
}

const struct check check_geo = {
	.name = "geo",
	.keywords = geo_keywords,
	.names_files = 1,
	.conf_new = geo_conf_new_v,
	.conf_free = geo_conf_free_v,
	.conf_line = geo_conf_line_v,
	.conf_check = geo_conf_check_v,
	.start = geo_start,
	.findings = geo_findings,
	.done = free,
};

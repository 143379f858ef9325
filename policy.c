/*
 * policy.c - the policy file: one keyword per line, words separated by
 * blanks, '#' to the end of a line is a comment.
 *
 * A policy that does not parse never stops mail: the caller logs the
 * "file:line: reason" lines collected here and passes the message on
 * untagged.  Unknown keywords are errors only in strict mode (qqtag -n):
 * in queue mode they are noted and ignored, so a newer policy rolled out
 * to a host with an older binary degrades instead of breaking.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "authres.h"
#include "check.h"
#include "policy.h"
#include "score.h"

#define MAXWORDS	64

struct ctx {
	struct policy	*p;
	unsigned	 line;
	int		 strict;
};

static void
complain(struct ctx *c, const char *what, const char *arg)
{
	struct buf *e = &c->p->errs;

	if (buf_room(e) < 200)
		return;
	buf_printf(e, "%s:%u: %s", c->p->file, c->line, what);
	if (arg != NULL) {
		char	tmp[64];
		size_t	n = hdr_sanitise(tmp, sizeof(tmp) - 1, arg,
		    strlen(arg));

		tmp[n] = '\0';
		buf_printf(e, ": %s", tmp);
	}
	buf_appendc(e, '\n');
}

static int
set_str(char **dst, const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

/* Seconds with an optional fraction, from 0.05 to max; -1 if not. */
static int
parse_ms(const char *s, unsigned max, unsigned *ms)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(d) || d < 0.05 ||
	    d > max)
		return -1;
	*ms = (unsigned)(d * 1000 + 0.5);
	return 0;
}

/* The header kinds, their default names, and where the name is kept. */
static const struct {
	const char	*def;
	const char	*kind;
	size_t		 off;
} hdr_kinds[POLICY_NHDR] = {
#define HK(k)	#k, offsetof(struct policy_headers, k)
	{ "X-Spam-Flag",	HK(flag) },
	{ "X-Spam-Status",	HK(status) },
	{ "X-Spam-Level",	HK(level) },
	{ "X-Spam-Score",	HK(score) },
	{ "X-Spam-Warning",	HK(warning) },
#undef HK
};

static char **
hdr_slot(struct policy *p, size_t i)
{
	return (char **)(void *)((char *)&p->hdr + hdr_kinds[i].off);
}

/* The name header kind i gets: the policy's, else the default. */
static const char *
hdr_name(struct policy *p, size_t i)
{
	char	*s = *hdr_slot(p, i);

	return s != NULL ? s : hdr_kinds[i].def;
}

/*
 * Why a name may not be configured, or NULL.  qqtag strips every incoming
 * field of the names it writes, so only private X- names (RFC 6648 §2)
 * may be chosen: "Subject" or "Received" would remove the real fields of
 * every message.  The rest is RFC 5322 ftext ('*' is a pattern to the
 * forged-header filter), at most 76 bytes, and not a name qqtag writes
 * itself.
 */
static const char *
name_problem(const char *s)
{
	size_t	i, n = strlen(s);

	if (n > 76)
		return "header name longer than 76 bytes";
	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ':' || s[i] == '*')
			return "bad header name";
	if (n < 3 || strncasecmp(s, "X-", 2) != 0)
		return "only X- names may be configured";
	if (strcasecmp(s, "X-Qqtag") == 0 || strcasecmp(s, "X-Qqtag-Geo") == 0)
		return "a name qqtag writes itself";
	return NULL;
}

/*
 * A name refused: an error for qqtag -n; in queue mode a warning, and the
 * header keeps its default name so the rest of the policy still tags.
 */
static int
hdr_refuse(struct ctx *c, size_t i, const char *why, const char *name)
{
	char	what[200];

	(void)snprintf(what, sizeof(what), "header %s: %s%s%s%s",
	    hdr_kinds[i].kind, why, c->strict ? "" : " (",
	    c->strict ? "" : hdr_kinds[i].def, c->strict ? "" : " kept)");
	complain(c, what, name);
	return c->strict ? -1 : 0;
}

static int
kw_header(struct ctx *c, int ac, char **av)
{
	const char	*why;
	size_t		 i;

	if (ac != 3)
		return complain(c, "usage: header flag|status|level|score|"
		    "warning NAME", NULL), -1;
	for (i = 0; i < POLICY_NHDR; i++)
		if (strcmp(av[1], hdr_kinds[i].kind) == 0)
			break;
	if (i == POLICY_NHDR)
		return complain(c, "unknown header kind", av[1]), -1;
	if ((why = name_problem(av[2])) != NULL)
		return hdr_refuse(c, i, why, av[2]);
	if (set_str(hdr_slot(c->p, i), av[2]) == -1)
		return -1;
	c->p->hdr_line[i] = c->line;
	return 0;
}

/*
 * Two header kinds may not share a name (downstream filters could not
 * tell them apart): the later line is refused as hdr_refuse() does, and
 * its header goes back to the default name, until no two names match.
 */
static int
hdr_collisions(struct ctx *c)
{
	struct policy	*p = c->p;
	char		 why[64];
	size_t		 i, j;
	int		 r = 0;

again:
	for (j = 0; j < POLICY_NHDR; j++)
		for (i = 0; i < POLICY_NHDR; i++) {
			if (i == j || p->hdr_line[j] == 0 ||
			    p->hdr_line[j] < p->hdr_line[i] ||
			    strcasecmp(hdr_name(p, i), hdr_name(p, j)) != 0)
				continue;
			(void)snprintf(why, sizeof(why), "the name of header "
			    "%s too", hdr_kinds[i].kind);
			c->line = p->hdr_line[j];
			if (hdr_refuse(c, j, why, hdr_name(p, j)) == -1) {
				p->nerrors++;
				r = -1;
			}
			free(*hdr_slot(p, j));
			*hdr_slot(p, j) = NULL;
			p->hdr_line[j] = 0;
			goto again;
		}
	return r;
}

static int
kw_path(struct ctx *c, int ac, char **av)
{
	if (ac != 2 || av[1][0] != '/')
		return complain(c, "needs one absolute path", NULL), -1;
	if (strcmp(av[0], "queue") == 0) {
		c->p->queue_line = c->line;
		return set_str(&c->p->queue, av[1]);
	}
	c->p->memfd = 0;
	c->p->spool_line = c->line;
	return set_str(&c->p->spool, av[1]);
}

static int
kw_spool(struct ctx *c, int ac, char **av)
{
	if (ac == 2 && strcmp(av[1], "memfd") == 0) {
		c->p->memfd = 1;
		c->p->spool_line = c->line;
		return 0;
	}
	return kw_path(c, ac, av);
}

static int
kw_time(struct ctx *c, int ac, char **av)
{
	unsigned	*dst = strcmp(av[0], "timeout") == 0 ?
			    &c->p->timeout_ms : &c->p->watchdog_ms;

	if (ac != 2 || parse_ms(av[1], 600, dst) == -1)
		return complain(c, "needs seconds (0.05 to 600)", NULL), -1;
	return 0;
}

static int
kw_threshold(struct ctx *c, int ac, char **av)
{
	if (ac != 2 || score_weight(av[1], NULL, &c->p->threshold) == -1)
		return complain(c, "needs one number", NULL), -1;
	return 0;
}

/* authservid NAME: the id our Authentication-Results are written under */
static int
kw_authservid(struct ctx *c, int ac, char **av)
{
	if (ac != 2 || !authres_id_valid(av[1]))
		return complain(c, "needs one host name (letters, digits, "
		    "'-', '_', dots)", ac == 2 ? av[1] : NULL), -1;
	return set_str(&c->p->authservid, av[1]);
}

static int
kw_off(struct ctx *c, int ac, char **av)
{
	(void)av;
	if (ac != 1)
		return complain(c, "takes no argument", NULL), -1;
	c->p->off = 1;
	return 0;
}

/* The conf of a check of the table in this policy, or NULL. */
void *
policy_conf(const struct policy *p, const struct check *k)
{
	size_t	i;

	for (i = 0; i < check_count; i++)
		if (check_table[i] == k)
			return p->conf[i];
	return NULL;
}

/* The weight of a built-in test: the policy's, else its default, else 0. */
double
policy_weight(const struct policy *p, const char *name)
{
	const struct score_test	*t;
	size_t			 i;

	for (i = 0; i < p->nweights; i++)
		if (strcmp(p->weights[i].name, name) == 0)
			return p->weights[i].weight;
	return (t = check_test(name)) ? t->weight : 0;
}

/* weight NAME W: the weight of a built-in test (lists carry their own). */
static int
kw_weight(struct ctx *c, int ac, char **av)
{
	const struct score_test	*t;
	struct policy		*p = c->p;
	double			 w;
	size_t			 i;

	if (ac != 3 || score_weight(av[2], NULL, &w) == -1)
		return complain(c, "usage: weight TEST NUMBER", NULL), -1;
	if ((t = check_test(av[1])) == NULL)
		return complain(c, "no such test", av[1]), -1;
	for (i = 0; i < p->nweights; i++)
		if (p->weights[i].name == t->name)
			break;
	if (i == POLICY_WEIGHTS_MAX)
		return complain(c, "too many weights", NULL), -1;
	p->weights[i].name = t->name;
	p->weights[i].weight = w;
	p->weights[i].what = t->what;
	if (i == p->nweights)
		p->nweights++;
	return 0;
}

/*
 * Note the file a module's line names, for the checks of qqtag -n
 * (policy_verify.c), which report it with its line: FILE of iplist,
 * ipwl and domainlist (lists.c), PATH of geoip and state.  A later geoip
 * line for the same database, or a later state line, replaces the
 * earlier one as it does in the modules.
 */
static int
note_file(struct ctx *c, int ac, char **av)
{
	struct policy		*p = c->p;
	struct policy_file	*f;
	char			 what[sizeof(f->what)], *d;
	const char		*path;
	size_t			 i;

	if (strcmp(av[0], "state") == 0 && ac >= 2)
		path = av[1];
	else if (ac >= 3 && strcmp(av[0], "country") != 0 &&
	    strcmp(av[0], "asn") != 0)
		path = av[2];
	else
		return 0;
	(void)snprintf(what, sizeof(what), "%s%s%.8s", av[0],
	    strcmp(av[0], "geoip") == 0 ? " " : "",
	    strcmp(av[0], "geoip") == 0 ? av[1] : "");
	for (i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i].what, what) == 0 &&
		    (strcmp(av[0], "geoip") == 0 ||
		    strcmp(av[0], "state") == 0))
			break;
	if (i == POLICY_FILES_MAX)
		return complain(c, "too many files", NULL), -1;
	if ((d = strdup(path)) == NULL)
		return -1;
	f = &p->files[i];
	free(f->path);
	f->path = d;
	f->line = c->line;
	memcpy(f->what, what, sizeof(what));
	if (i == p->nfiles)
		p->nfiles++;
	return 0;
}

/* A line of a check of the table (check.h), which parses its own. */
static int
kw_check(struct ctx *c, size_t i, int ac, char **av)
{
	const struct check	*k = check_table[i];
	struct policy		*p = c->p;
	char			 err[200];
	int			 r;

	if (p->conf[i] == NULL && (p->conf[i] = k->conf_new()) == NULL)
		return -1;
	r = k->conf_line(p->conf[i], ac, av, err, sizeof(err));
	if (r == -1 && errno != ENOMEM)
		complain(c, err, NULL);
	if (r == 0 && c->strict && k->names_files)
		r = note_file(c, ac, av);
	return r;
}

static const struct keyword {
	const char	*name;
	int		(*fn)(struct ctx *, int, char **);
} keywords[] = {
	{ "authservid",	kw_authservid },
	{ "header",	kw_header },
	{ "off",	kw_off },
	{ "queue",	kw_path },
	{ "spool",	kw_spool },
	{ "threshold",	kw_threshold },
	{ "timeout",	kw_time },
	{ "watchdog",	kw_time },
	{ "weight",	kw_weight },
};

/* Split a line into words in place; '#' starts a comment. */
static int
split(char *s, char **av, int max)
{
	int	ac = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			return ac;
		if (ac == max)
			return -1;
		av[ac++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static int
do_line(struct ctx *c, char *line, size_t len)
{
	char	*av[MAXWORDS];
	size_t	 i;
	int	 ac;

	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			return complain(c, "control character", NULL), -1;
	if ((ac = split(line, av, MAXWORDS)) == -1)
		return complain(c, "too many words", NULL), -1;
	if (ac == 0)
		return 0;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(av[0], keywords[i].name) == 0)
			return keywords[i].fn(c, ac, av);
	if (check_by_keyword(av[0], &i) != NULL)
		return kw_check(c, i, ac, av);
	c->p->nunknown++;
	complain(c, "unknown keyword", av[0]);
	return c->strict ? -1 : 0;
}

static int
read_all(const char *file, struct buf *b)
{
	char	 tmp[8192];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || buf_append(b, tmp, (size_t)n) == -1)
			break;
	}
	close(fd);
	return n == 0 ? 0 : -1;
}

/* The built-in policy, used alone when no file exists. */
void
policy_defaults(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->file = POLICY_DEFAULT;
	p->timeout_ms = 2000;
	p->threshold = 5.0;
	buf_init(&p->errs, POLICY_ERRS_MAX);
}

static int
finish(struct policy *p)
{
	struct policy_headers *h = &p->hdr;
	char		 id[AUTHRES_ID_MAX + 1];
	size_t		 i;

	for (i = 0; i < POLICY_NHDR; i++)
		if (*hdr_slot(p, i) == NULL &&
		    set_str(hdr_slot(p, i), hdr_kinds[i].def) == -1)
			return -1;
	for (i = 0; i < check_count; i++)	/* every check runs */
		if (p->conf[i] == NULL &&
		    (p->conf[i] = check_table[i]->conf_new()) == NULL)
			return -1;
	if (!p->authservid) {
		authres_default_id(id, sizeof(id));
		if (set_str(&p->authservid, id) == -1)
			return -1;
	}
	if ((!p->queue && set_str(&p->queue, POLICY_QUEUE) == -1) ||
	    (!p->spool && set_str(&p->spool, POLICY_SPOOL) == -1))
		return -1;
	if (p->watchdog_ms == 0)
		p->watchdog_ms = p->timeout_ms + 10000;
	p->strip.n = 0;
	hdr_names_add(&p->strip, h->flag);
	hdr_names_add(&p->strip, h->status);
	hdr_names_add(&p->strip, h->level);
	hdr_names_add(&p->strip, h->score);
	hdr_names_add(&p->strip, h->warning);
	hdr_names_add(&p->strip, "X-Qqtag");
	hdr_names_add(&p->strip, "X-Qqtag-*");
	return 0;
}

/* A whole-policy error (no line): counted, and said in errs. */
static int
policy_error(struct policy *p, const char *err)
{
	if (buf_room(&p->errs) > 400)
		buf_printf(&p->errs, "%s: %.300s\n", p->file, err);
	p->nerrors++;
	return -1;
}

/*
 * After the whole policy, every check's own look at its lines: in -n
 * (strict) also the files they name; in queue mode what the check
 * prepares once (the list-health state).
 */
static int
check_confs(struct policy *p, int strict)
{
	char	err[300];

	size_t	i;
	int	r = 0;

	for (i = 0; i < check_count; i++)
		if (p->conf[i] != NULL && check_table[i]->conf_check != NULL &&
		    check_table[i]->conf_check(p->conf[i], p, strict, err,
		    sizeof(err)) == -1)
			r = policy_error(p, err);
	return r;
}

/*
 * Parse a policy held in memory (tlen bytes of any content, and a NUL at
 * text[tlen]) over the defaults already set; file names it in messages.
 * Returns 0, or -1 when a line was wrong (p->errs says where); -1 with
 * ENOMEM when memory ran out.  strict also rejects unknown keywords and
 * refused header names (queue mode: a warning, the default name), checks
 * the files' contents and notes their lines for policy_verify().  text is
 * changed.
 */
int
policy_parse(struct policy *p, const char *file, char *text, size_t tlen,
    int strict)
{
	struct ctx	 c = { p, 0, strict };
	char		*s, *nl, *end = text + tlen;
	size_t		 len;
	int		 r = 0;

	p->file = file;
	for (s = text; s != NULL && s < end; s = nl ? nl + 1 : NULL) {
		c.line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl)
			*nl = '\0';
		len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (len > POLICY_LINE_MAX)
			complain(&c, "line too long", NULL);
		if (len > POLICY_LINE_MAX || do_line(&c, s, len) == -1) {
			p->nerrors++;
			r = -1;
		}
	}
	if (hdr_collisions(&c) == -1)
		r = -1;
	if (finish(p) == -1)
		return -1;
	if (check_confs(p, strict) == -1 && strict)
		r = -1;
	return r;
}

/*
 * Read the policy file over the defaults already set.  A missing file is
 * no error in queue mode (built-in defaults).  Returns as policy_parse,
 * and -1 when the file could not be read.
 */
int
policy_load(struct policy *p, const char *file, int strict)
{
	struct ctx	 c = { p, 0, strict };
	struct buf	 b;
	int		 r;

	p->file = file;
	buf_init(&b, POLICY_FILE_MAX);
	if (read_all(file, &b) == -1) {
		int e = errno;

		buf_free(&b);
		if (e == ENOENT && !strict)
			return finish(p);
		complain(&c, e == EOVERFLOW ? "file too big" : strerror(e),
		    NULL);
		finish(p);
		return -1;
	}
	p->found = 1;
	r = policy_parse(p, file, b.p ? b.p : "", b.len, strict);
	buf_free(&b);
	return r;
}

/* Release what the policy holds. */
void
policy_free(struct policy *p)
{
	size_t	i;

	free(p->hdr.flag);
	free(p->hdr.status);
	free(p->hdr.level);
	free(p->hdr.score);
	free(p->hdr.warning);
	free(p->queue);
	free(p->spool);
	free(p->authservid);
	while (p->nfiles > 0)
		free(p->files[--p->nfiles].path);
	for (i = 0; i < check_count; i++)
		if (p->conf[i] != NULL)
			check_table[i]->conf_free(p->conf[i]);
	buf_free(&p->errs);
}

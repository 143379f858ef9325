/*
 * logwarn.c - the warnings at the top of qqtag-report's summary and the
 * status of --check: what needs action, worst first.
 *
 *   a list that answered an error code (127.255.255.254 ...) to every
 *     query since some time, at least min_msgs of them: critical;
 *   a list's share of errors (timeout, refused, codes, broken by the
 *     health probe): list_warn / list_crit percent of its queries;
 *   messages of untrusted clients not checked (policy=error, policy=off):
 *     unchecked_warn / unchecked_crit percent;
 *   the 95th percentile of after_eom_ms: eom_warn / eom_crit;
 *   results that defer mail (nomem, watchdog, spoolerror, readerror:
 *     warning; execerror, loop: critical); health= (the state file not
 *     used): warning.
 *
 * The INSTALL sections named are those of the file's table of contents.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "logwarn.h"

#define SEE_RESOLVER	"see INSTALL section 4 (A local caching resolver)"
#define SEE_HEALTH	"see INSTALL section 8 (List health)"

/* The documented defaults. */
void
warn_defaults(struct thresholds *t)
{
	t->list_warn = 5;
	t->list_crit = 50;
	t->unchecked_warn = 1;
	t->unchecked_crit = 10;
	t->eom_warn = 1000;
	t->eom_crit = 2500;
	t->min_msgs = 10;
}

/* Add a warning. */
void
warn_add(struct warnings *w, int level, const char *fmt, ...)
{
	va_list	ap;

	if (w->n == WARN_MAX)
		return;
	w->w[w->n].level = level;
	va_start(ap, fmt);
	vsnprintf(w->w[w->n].text, WARN_TEXT, fmt, ap);
	va_end(ap);
	w->n++;
}

/* The highest level. */
int
warn_level(const struct warnings *w)
{
	size_t	i;
	int	lv = LV_OK;

	for (i = 0; i < w->n; i++)
		if (w->w[i].level > lv)
			lv = w->w[i].level;
	return lv;
}

/* What an error code means (the operators' documentation, FACTS.md). */
static const char *
code_meaning(const char *c)
{
	if (strcmp(c, "127.255.255.254") == 0)
		return "your resolver is blocked (public or open resolver)";
	if (strcmp(c, "127.255.255.255") == 0)
		return "excessive queries: over the free use limit";
	if (strcmp(c, "127.255.255.252") == 0)
		return "typing error in the zone name";
	if (strncmp(c, "127.255.255.", 12) == 0)
		return "the list refuses your queries (key or resolver)";
	if (strcmp(c, "127.0.0.255") == 0)
		return "over quota or blocked (DNSWL)";
	if (strcmp(c, "127.0.1.255") == 0)
		return "IP queries are not allowed (a domain list asked for "
		    "addresses)";
	if (strcmp(c, "127.0.0.1") == 0)
		return "query refused: your resolver is blocked or over the "
		    "limit";
	return "the list answers an error code, it tags nothing";
}

/* "06:00" on the day of the log's end, else "2026-12-02 06:00". */
static void
since_text(const struct agg *a, time_t t, char *buf, size_t size)
{
	struct tm	tt, te;

	localtime_r(&t, &tt);
	localtime_r(&a->last, &te);
	if (tt.tm_year == te.tm_year && tt.tm_yday == te.tm_yday)
		strftime(buf, size, "%H:%M", &tt);
	else
		strftime(buf, size, "%Y-%m-%d %H:%M", &tt);
}

/* A list answering an error code to every query since run_since. */
static int
list_run(const struct agg *a, const struct thresholds *th, const char *name,
    const struct ag_list *l, struct warnings *w)
{
	char	since[40];

	if (l->run < th->min_msgs || l->run == 0)
		return 0;
	if (l->run_stamped) {
		since_text(a, l->run_since, since, sizeof(since));
		warn_add(w, LV_CRIT, "%s answered %s to 100%% of queries since "
		    "%s (%llu messages): %s; %s", name, l->run_code, since,
		    (unsigned long long)l->run, code_meaning(l->run_code),
		    SEE_RESOLVER);
	} else
		warn_add(w, LV_CRIT, "%s answered %s to the last %llu queries "
		    "(100%%): %s; %s", name, l->run_code,
		    (unsigned long long)l->run, code_meaning(l->run_code),
		    SEE_RESOLVER);
	return 1;
}

/* The kind that failed most of a list's queries. */
static enum ag_kind
main_kind(const struct ag_list *l)
{
	int	k, best = K_OTHER;

	for (k = 0; k < K_N; k++)
		if (l->kind[k] > l->kind[best])
			best = k;
	return (enum ag_kind)best;
}

/* A list's share of errors. */
static void
list_share(const struct thresholds *th, const char *name,
    const struct ag_list *l, struct warnings *w)
{
	double		p = agg_pct(l->error, l->asked);
	enum ag_kind	k = main_kind(l);
	int		lv = p >= th->list_crit ? LV_CRIT : LV_WARN;

	if (l->asked < th->min_msgs || p < th->list_warn)
		return;
	if (k == K_BROKEN)
		warn_add(w, lv, "%s was not asked for %.1f%% of messages: "
		    "marked broken by the health probe (qqtag -T); %s", name,
		    agg_pct(l->kind[k], l->asked), SEE_HEALTH);
	else if (k == K_CODE && l->code[0].n > 0)
		warn_add(w, lv, "%s answered error codes to %.1f%% of queries "
		    "(%s %.1f%%: %s); %s", name, p, l->code[0].c,
		    agg_pct(l->code[0].n, l->asked), code_meaning(l->code[0].c),
		    SEE_RESOLVER);
	else
		warn_add(w, lv, "%s failed %.1f%% of queries (%s %.1f%%): "
		    "the list or your resolver is down or slow; %s", name, p,
		    agg_kind_name(k), agg_pct(l->kind[k], l->asked), SEE_RESOLVER);
}

/* Error keys with a code on lines without lists= (an older qqtag). */
static void
old_codes(const struct agg *a, const struct thresholds *th,
    struct warnings *w)
{
	const char	*s, *c;
	size_t		 i;

	for (i = 0; i <= a->errkeys.n && i <= AG_ERRKEYS; i++) {
		s = names_str(&a->errkeys, i);
		if ((c = strchr(s, ':')) == NULL || agg_kind(c + 1,
		    strlen(c + 1)) != K_CODE || a->checked < th->min_msgs ||
		    agg_pct(a->err_n[i], a->checked) < th->list_warn)
			continue;
		warn_add(w, agg_pct(a->err_n[i], a->checked) >= th->list_crit ?
		    LV_CRIT : LV_WARN, "errors= named %s on %.1f%% of checked "
		    "messages: %s; %s", s, agg_pct(a->err_n[i], a->checked),
		    code_meaning(c + 1), SEE_RESOLVER);
	}
}

static void
lists_warn(const struct agg *a, const struct thresholds *th,
    struct warnings *w)
{
	size_t	i;

	for (i = 0; i < a->lists.n; i++)
		if (!list_run(a, th, names_str(&a->lists, i), &a->list[i], w))
			list_share(th, names_str(&a->lists, i), &a->list[i], w);
	old_codes(a, th, w);
}

/* Results that mean qqtag deferred mail (qqtag(8) EXIT STATUS). */
static void
results_warn(const struct agg *a, struct warnings *w)
{
	static const struct {
		const char	*result;
		int		 level;
		const char	*why;
	} bad[] = {
		{ "execerror", LV_CRIT, "the queue program cannot be executed "
		    "(queue_error= says why)" },
		{ "loop", LV_CRIT, "the queue program is qqtag itself" },
		{ "nomem", LV_WARN, "out of memory: raise softlimit's -m "
		    "(INSTALL section 3)" },
		{ "watchdog", LV_WARN, "the work after the message took too "
		    "long" },
		{ "spoolerror", LV_WARN, "the spool directory cannot be "
		    "written" },
		{ "readerror", LV_WARN, "the message or envelope could not be "
		    "read" },
	};
	size_t	i, k;

	for (i = 0; i < a->results.n; i++)
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
			if (strcmp(names_str(&a->results, i), bad[k].result) ==
			    0)
				warn_add(w, bad[k].level, "%llu messages "
				    "deferred (result=%s): %s",
				    (unsigned long long)a->result_n[i],
				    bad[k].result, bad[k].why);
}

static void
checks_warn(const struct agg *a, const struct thresholds *th,
    struct warnings *w)
{
	double		p = agg_pct(a->unchecked, a->checked + a->unchecked);
	uint64_t	p95 = hist_pct(&a->eom, 950);

	if (a->unchecked > 0 && p >= th->unchecked_warn)
		warn_add(w, p >= th->unchecked_crit ? LV_CRIT : LV_WARN,
		    "%llu messages from untrusted clients (%.1f%%) were passed "
		    "on unchecked (%llu policy=error: the policy does not "
		    "parse, check it with qqtag -n; %llu policy=off)",
		    (unsigned long long)a->unchecked, p,
		    (unsigned long long)a->polerr,
		    (unsigned long long)a->poloff);
	if (a->eom.n > 0 && p95 >= th->eom_warn)
		warn_add(w, p95 >= th->eom_crit ? LV_CRIT : LV_WARN,
		    "clients waited %llu ms or more after their last byte for "
		    "5%% of messages (after_eom_ms p95): lists answer slowly "
		    "or time out; %s", (unsigned long long)p95, SEE_RESOLVER);
	if (a->health > 0)
		warn_add(w, LV_WARN, "%llu messages did not use the list "
		    "health state (health=: stale or corrupt state file): "
		    "is qqtag -T running from cron? %s",
		    (unsigned long long)a->health, SEE_HEALTH);
}

/* Every warning, criticals first (in their order). */
void
warn_eval(const struct agg *a, const struct thresholds *th,
    struct warnings *w)
{
	struct warnings	t;
	size_t		i;
	int		lv;

	memset(&t, 0, sizeof(t));
	lists_warn(a, th, &t);
	checks_warn(a, th, &t);
	results_warn(a, &t);
	for (lv = LV_CRIT; lv > LV_OK; lv--)
		for (i = 0; i < t.n; i++)
			if (t.w[i].level == lv && w->n < WARN_MAX)
				w->w[w->n++] = t.w[i];
}

/*
 * logtext.c - the plain-text summary, in the spirit of pflogsumm:
 * warnings first (what needs action), then messages, classes, results,
 * tests, lists, other check errors, latency percentiles, countries and
 * AS numbers of flagged mail, messages per hour of day, and what was
 * read.  Names from the log were made printable ASCII when stored
 * (lognames.c): nothing from the log can drive a terminal.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "logtext.h"

/* "2026-12-03 13:00" (local time). */
void
text_time(time_t t, char *buf, size_t size)
{
	struct tm	tm;

	localtime_r(&t, &tm);
	if (strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0 && size > 0)
		buf[0] = '\0';
}

static void
head(FILE *o, const struct agg *a, const struct warnings *w)
{
	char	t0[32], t1[32];
	size_t	i;

	if (a->stamped) {
		text_time(a->first, t0, sizeof(t0));
		text_time(a->last, t1, sizeof(t1));
		fprintf(o, "qqtag report: %s to %s (local time)\n\n", t0, t1);
	} else
		fprintf(o, "qqtag report (no time stamps)\n\n");
	if (w->n == 0)
		fprintf(o, "No warnings.\n\n");
	for (i = 0; i < w->n; i++)
		fprintf(o, "%s: %s\n", w->w[i].level == LV_CRIT ?
		    "CRITICAL" : "WARNING", w->w[i].text);
	if (w->n > 0)
		fputc('\n', o);
}

static void
messages(FILE *o, const struct agg *a)
{
	fprintf(o, "Messages\n");
	fprintf(o, "  %-34s %10llu\n", "messages", U(a->msgs));
	fprintf(o, "  %-34s %10llu %5.1f%%\n", "checked", U(a->checked),
	    agg_pct(a->checked, a->msgs));
	fprintf(o, "  %-34s %10llu %5.1f%% of checked\n", "flagged",
	    U(a->flagged), agg_pct(a->flagged, a->checked));
	fprintf(o, "  %-34s %10llu\n", "untrusted, not checked",
	    U(a->unchecked));
	fprintf(o, "  %-34s %10llu\n", "bytes", U(a->bytes));
	fprintf(o, "  %-34s %10llu\n", "recipients", U(a->rcpts));
	fprintf(o, "  %-34s %10llu\n\n", "forged tag fields stripped",
	    U(a->stripped));
}

/* A table of names with counts and the share of whole. */
static void
counts(FILE *o, const char *title, const struct names *t,
    const uint64_t *v, uint64_t whole)
{
	size_t	idx[AG_ERRKEYS + 1], n, i;

	n = agg_top(t, v, idx, sizeof(idx) / sizeof(idx[0]));
	fprintf(o, "%s\n", title);
	for (i = 0; i < n; i++)
		fprintf(o, "  %-34s %10llu %5.1f%%\n", names_str(t, idx[i]),
		    U(v[idx[i]]), agg_pct(v[idx[i]], whole));
	if (n == 0)
		fprintf(o, "  (none)\n");
	fputc('\n', o);
}

static void
tests(FILE *o, const struct agg *a)
{
	size_t	idx[AG_TESTS + 1], n, i;

	n = agg_top(&a->tests, a->test_n, idx, AG_TESTS + 1);
	fprintf(o, "%-36s %10s %6s %10s\n", "Tests", "hits", "share",
	    "in flagged");
	for (i = 0; i < n; i++)
		fprintf(o, "  %-34s %10llu %5.1f%% %10llu\n",
		    names_str(&a->tests, idx[i]), U(a->test_n[idx[i]]),
		    agg_pct(a->test_n[idx[i]], a->checked),
		    U(a->test_fl[idx[i]]));
	if (n == 0)
		fprintf(o, "  (none)\n");
	fputc('\n', o);
}

/* A list's error kinds and codes on one line. */
static void
list_errors(FILE *o, const struct ag_list *l)
{
	int	k, any = 0;
	size_t	c;

	fprintf(o, "    errors:");
	for (k = 0; k < K_N; k++)
		if (l->kind[k] > 0)
			fprintf(o, "%s %s %llu", any++ ? "," : "",
			    agg_kind_name((enum ag_kind)k), U(l->kind[k]));
	for (c = 0; c < AG_CODES && l->code[c].n > 0; c++)
		fprintf(o, "%s %s %llu", c ? "," : "; codes", l->code[c].c,
		    U(l->code[c].n));
	if (l->code_other > 0)
		fprintf(o, ", other codes %llu", U(l->code_other));
	fputc('\n', o);
}

static void
lists(FILE *o, const struct agg *a)
{
	size_t		idx[AG_LISTS + 1], n, i;
	const struct ag_list *l;

	n = agg_top_lists(a, idx);
	fprintf(o, "%-36s %10s %6s %6s %6s\n", "Lists", "asked", "listed",
	    "clean", "error");
	for (i = 0; i < n; i++) {
		l = &a->list[idx[i]];
		fprintf(o, "  %-34s %10llu %5.1f%% %5.1f%% %5.1f%%\n",
		    names_str(&a->lists, idx[i]), U(l->asked),
		    agg_pct(l->listed, l->asked), agg_pct(l->clean, l->asked),
		    agg_pct(l->error, l->asked));
		if (l->error > 0)
			list_errors(o, l);
	}
	if (n == 0)
		fprintf(o, "  (none%s)\n", a->nolists ? ": the log lines have "
		    "no lists= field (qqtag before issue 15)" : "");
	fputc('\n', o);
}

static void
latency(FILE *o, const char *name, const struct hist *h)
{
	fprintf(o, "  %-22s %8llu %7llu %7llu %7llu %7llu %7llu\n", name,
	    U(h->n), U(hist_pct(h, 500)), U(hist_pct(h, 900)),
	    U(hist_pct(h, 950)), U(hist_pct(h, 990)), U(h->max));
}

static void
latencies(FILE *o, const struct agg *a)
{
	fprintf(o, "Time in ms%14s %8s %7s %7s %7s %7s %7s\n", "", "messages",
	    "p50", "p90", "p95", "p99", "max");
	latency(o, "after the last byte", &a->eom);
	latency(o, "whole run", &a->ms);
	fputc('\n', o);
}

/* Flagged mail by country or AS: the TEXT_TOP with the most. */
static void
flagged_by(FILE *o, const char *title, const struct names *t,
    const uint64_t *n, const uint64_t *fl, uint64_t flagged)
{
	size_t	idx[TEXT_TOP], k, i;

	k = agg_top(t, fl, idx, TEXT_TOP);
	fprintf(o, "%-36s %10s %6s %14s\n", title, "flagged", "share",
	    "of its mail");
	for (i = 0; i < k; i++)
		fprintf(o, "  %-34s %10llu %5.1f%% %13.1f%%\n",
		    names_str(t, idx[i]), U(fl[idx[i]]),
		    agg_pct(fl[idx[i]], flagged), agg_pct(fl[idx[i]], n[idx[i]]));
	if (k == 0)
		fprintf(o, "  (none)\n");
	fputc('\n', o);
}

static void
hours(FILE *o, const struct agg *a)
{
	int	h;

	fprintf(o, "%-36s %10s %6s\n", "Per hour (local time)",
	    "messages", "flagged");
	for (h = 0; h < 24; h++)
		if (a->hour_n[h] > 0)
			fprintf(o, "  %02d:00-%02d:59%23s %10llu %5.1f%%\n", h,
			    h, "", U(a->hour_n[h]), agg_pct(a->hour_fl[h],
			    a->hour_n[h]));
	if (!a->stamped)
		fprintf(o, "  (no time stamps)\n");
	fputc('\n', o);
}

static void
input(FILE *o, const struct agg *a)
{
	fprintf(o, "Input\n");
	fprintf(o, "  %-34s %10llu\n", "lines", U(a->lines));
	fprintf(o, "  %-34s %10llu\n", "message lines", U(a->msgs));
	fprintf(o, "  %-34s %10llu\n", "other qqtag lines", U(a->notices));
	fprintf(o, "  %-34s %10llu\n", "other lines (skipped)", U(a->other));
	fprintf(o, "  %-34s %10llu\n", "outside the time window",
	    U(a->outside));
	fprintf(o, "  %-34s %10llu\n", "no time stamp, window: left out",
	    U(a->unstamped));
	fprintf(o, "  %-34s %10llu\n", "overlong lines (skipped)",
	    U(a->overlong));
	fprintf(o, "  %-34s %10llu\n", "lines cut short (no result=)",
	    U(a->cut));
	fprintf(o, "  %-34s %10llu\n", "malformed fields", U(a->badfields));
	fprintf(o, "  %-34s %10llu\n", "repeated fields", U(a->dupfields));
}

/* The whole summary. */
int
text_report(FILE *o, const struct agg *a, const struct warnings *w)
{
	head(o, a, w);
	messages(o, a);
	counts(o, "Client classes", &a->classes, a->class_n, a->msgs);
	counts(o, "Results", &a->results, a->result_n, a->msgs);
	tests(o, a);
	lists(o, a);
	counts(o, "Other check errors (share of checked)", &a->errkeys,
	    a->err_n, a->checked);
	latencies(o, a);
	flagged_by(o, "Flagged mail by country", &a->cc, a->cc_n, a->cc_fl,
	    a->flagged);
	flagged_by(o, "Flagged mail by AS", &a->asn, a->asn_n, a->asn_fl,
	    a->flagged);
	hours(o, a);
	input(o, a);
	return fflush(o) == EOF || ferror(o) ? -1 : 0;
}

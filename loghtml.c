/*
 * loghtml.c - qqtag-report --html: one self-contained page, the same
 * figures as the text summary with three charts drawn as inline SVG
 * (volume and flagged share over time, each list's listed / error /
 * clean shares, the time clients waited after their last byte).  No
 * script, no style sheet or font from the network, and a
 * Content-Security-Policy that would refuse them anyway; readable on a
 * phone (viewport, charts scale to the width).  Every text that comes
 * from the log goes through html_esc.
 */
#include <stdio.h>
#include <string.h>

#include "loghtml.h"
#include "logtext.h"

#define C_MSGS		"#4e79a7"	/* messages (blue) */
#define C_FLAG		"#e15759"	/* flagged, listed (red) */
#define C_ERR		"#f28e2b"	/* errors, flagged share */
#define C_CLEAN		"#59a14f"	/* clean (green) */
#define C_LAT		"#76b7b2"	/* latency (teal) */
#define HTML_TOP	10
#define LAT_BINS	16	/* after_eom_ms bins: 0, 1, 2-3 ... 16384+ */

/* s as HTML text. */
void
html_esc(FILE *o, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		case '\'': fputs("&#39;", o); break;
		default:
			fputc((unsigned char)*s < ' ' || *s == 0x7f ? '?' : *s,
			    o);
		}
}

static void
head(FILE *o)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<title>qqtag report</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:0 auto;max-width:60em;"
	    "padding:0 .5em;color:#222}\n"
	    "svg{width:100%;height:auto;display:block}\n"
	    "table{border-collapse:collapse;margin:.5em 0}\n"
	    "td,th{padding:.15em .6em;text-align:right;"
	    "border-bottom:1px solid #ddd}\n"
	    "td:first-child,th:first-child{text-align:left;min-width:6em;"
	    "overflow-wrap:anywhere}\n"
	    ".scroll{overflow-x:auto}\n"
	    ".crit{color:#fff;background:#b22;padding:.3em}\n"
	    ".warn{background:#fd8;padding:.3em}\n"
	    ".key span{display:inline-block;width:.8em;height:.8em;"
	    "margin:0 .3em 0 1em}\n"
	    "</style></head>\n<body>\n", o);
}

static void
warnings(FILE *o, const struct warnings *w)
{
	size_t	i;

	if (w->n == 0) {
		fputs("<p>No warnings.</p>\n", o);
		return;
	}
	fputs("<h2>Needs action</h2>\n", o);
	for (i = 0; i < w->n; i++) {
		fprintf(o, "<p class=\"%s\">%s: ", w->w[i].level == LV_CRIT ?
		    "crit" : "warn", w->w[i].level == LV_CRIT ? "CRITICAL" :
		    "WARNING");
		html_esc(o, w->w[i].text);
		fputs("</p>\n", o);
	}
}

static void
summary(FILE *o, const struct agg *a)
{
	char	t0[32], t1[32];

	fputs("<h1>qqtag report</h1>\n", o);
	if (a->stamped) {
		text_time(a->first, t0, sizeof(t0));
		text_time(a->last, t1, sizeof(t1));
		fprintf(o, "<p>%s to %s (local time)</p>\n", t0, t1);
	}
	fprintf(o, "<table><tr><td>messages</td><td>%llu</td></tr>\n"
	    "<tr><td>checked</td><td>%llu</td><td>%.1f%%</td></tr>\n"
	    "<tr><td>flagged</td><td>%llu</td><td>%.1f%% of checked</td></tr>\n"
	    "<tr><td>untrusted, not checked</td><td>%llu</td></tr>\n"
	    "</table>\n", U(a->msgs), U(a->checked), agg_pct(a->checked, a->msgs),
	    U(a->flagged), agg_pct(a->flagged, a->checked), U(a->unchecked));
}

static void
key(FILE *o, const char *color, const char *what)
{
	fprintf(o, "<span style=\"background:%s\"></span>%s", color, what);
}

static void
width_text(time_t w, char *buf, size_t size)
{
	if (w % 86400 == 0)
		snprintf(buf, size, "%lld d", (long long)(w / 86400));
	else if (w % 3600 == 0)
		snprintf(buf, size, "%lld h", (long long)(w / 3600));
	else
		snprintf(buf, size, "%lld min", (long long)(w / 60));
}

/* Messages (flagged at the bottom) per bucket, the flagged share line. */
static void
volume(FILE *o, const struct agg *a)
{
	const struct tl	*l = &a->tl;
	int		 i, len = tl_len(l);
	uint64_t	 m = 1;
	double		 bw, x, hf, hn;
	char		 t0[32], t1[32], wt[32];

	fputs("<h2>Messages over time</h2>\n", o);
	if (!a->stamped || len == 0) {
		fputs("<p>No time stamps.</p>\n", o);
		return;
	}
	for (i = 0; i < len; i++)
		if (l->n[i] > m)
			m = l->n[i];
	bw = 550.0 / len;
	fputs("<svg viewBox=\"0 0 640 260\" role=\"img\" aria-label=\"messages "
	    "over time\" shape-rendering=\"crispEdges\">\n", o);
	for (i = 0; i < len; i++) {
		x = 50 + i * bw;
		hf = 200.0 * (double)l->flagged[i] / (double)m;
		hn = 200.0 * (double)(l->n[i] - l->flagged[i]) / (double)m;
		fprintf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"" C_FLAG "\"/><rect x=\"%.1f\" "
		    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"" C_MSGS
		    "\"/>\n", x, 220 - hf, bw, hf, x, 220 - hf - hn, bw, hn);
	}
	fputs("<polyline fill=\"none\" stroke=\"" C_ERR "\" stroke-width=\"3\" "
	    "shape-rendering=\"auto\" points=\"", o);
	for (i = 0; i < len; i++)
		if (l->n[i] > 0)
			fprintf(o, "%.1f,%.1f ", 50 + (i + 0.5) * bw, 220 -
			    2 * agg_pct(l->flagged[i], l->n[i]));
	text_time(l->base, t0, sizeof(t0));
	text_time(l->base + (time_t)len * l->width, t1, sizeof(t1));
	width_text(l->width, wt, sizeof(wt));
	fprintf(o, "\"/>\n<g font-size=\"12\"><text x=\"45\" y=\"25\" "
	    "text-anchor=\"end\">%llu</text><text x=\"45\" y=\"220\" "
	    "text-anchor=\"end\">0</text><text x=\"605\" y=\"25\">100%%</text>"
	    "<text x=\"605\" y=\"220\">0%%</text><text x=\"50\" y=\"240\">%s"
	    "</text><text x=\"600\" y=\"240\" text-anchor=\"end\">%s</text>"
	    "<text x=\"325\" y=\"255\" text-anchor=\"middle\">one bar: %s"
	    "</text></g>\n<line x1=\"50\" y1=\"220\" x2=\"600\" y2=\"220\" "
	    "stroke=\"#222\"/></svg>\n<p class=\"key\">", U(m), t0, t1, wt);
	key(o, C_MSGS, "messages");
	key(o, C_FLAG, "flagged");
	key(o, C_ERR, "flagged share (right axis)");
	fputs("</p>\n", o);
}

/* Each list: listed, error, clean as shares of its queries. */
static void
lists_chart(FILE *o, const struct agg *a)
{
	size_t		idx[AG_LISTS + 1], n, i;
	const struct ag_list *l;
	double		wl, we, wc, y;

	n = agg_top_lists(a, idx);
	fputs("<h2>Lists</h2>\n", o);
	if (n == 0) {
		fputs("<p>No list was asked (or the log has no lists= "
		    "field).</p>\n", o);
		return;
	}
	fprintf(o, "<svg viewBox=\"0 0 640 %zu\" role=\"img\" aria-label=\""
	    "list answers\" shape-rendering=\"crispEdges\">\n<g font-size="
	    "\"13\">\n", n * 30 + 10);
	for (i = 0; i < n; i++) {
		l = &a->list[idx[i]];
		y = 5 + (double)i * 30;
		wl = 4.2 * agg_pct(l->listed, l->asked);
		we = 4.2 * agg_pct(l->error, l->asked);
		wc = 420 - wl - we > 0 ? 420 - wl - we : 0;
		fputs("<text x=\"0\" y=\"", o);
		fprintf(o, "%.0f\">", y + 17);
		html_esc(o, names_str(&a->lists, idx[i]));
		fprintf(o, "</text><rect x=\"140\" y=\"%.0f\" width=\"%.1f\" "
		    "height=\"22\" fill=\"" C_FLAG "\"/><rect x=\"%.1f\" "
		    "y=\"%.0f\" width=\"%.1f\" height=\"22\" fill=\"" C_ERR
		    "\"/><rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height="
		    "\"22\" fill=\"" C_CLEAN "\"/><text x=\"566\" y=\"%.0f\">"
		    "%.0f%%/%.0f%%</text>\n", y, wl, 140 + wl, y, we,
		    140 + wl + we, y, wc, y + 17, agg_pct(l->listed, l->asked),
		    agg_pct(l->error, l->asked));
	}
	fputs("</g></svg>\n<p class=\"key\">", o);
	key(o, C_FLAG, "listed");
	key(o, C_ERR, "error");
	key(o, C_CLEAN, "clean");
	fputs(" (numbers: listed/error)</p>\n", o);
}

/* after_eom_ms in power-of-two bins. */
static void
latency_chart(FILE *o, const struct agg *a)
{
	uint64_t	bin[LAT_BINS], m = 1, rest;
	int		k;
	double		h;

	fputs("<h2>Time after the last byte</h2>\n", o);
	if (a->eom.n == 0) {
		fputs("<p>No after_eom_ms values.</p>\n", o);
		return;
	}
	for (k = 0, rest = a->eom.n; k < LAT_BINS; k++) {
		bin[k] = k < LAT_BINS - 1 ? hist_pow2(&a->eom, k) : rest;
		rest -= bin[k];
		if (bin[k] > m)
			m = bin[k];
	}
	fputs("<svg viewBox=\"0 0 640 250\" role=\"img\" aria-label=\"time "
	    "after the last byte\" shape-rendering=\"crispEdges\">\n"
	    "<g font-size=\"11\">\n", o);
	for (k = 0; k < LAT_BINS; k++) {
		h = 190.0 * (double)bin[k] / (double)m;
		fprintf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"30\" height=\""
		    "%.1f\" fill=\"" C_LAT "\"/><text x=\"%d\" y=\"228\" "
		    "text-anchor=\"middle\">%llu%s</text>\n", 50 + k * 34,
		    210 - h, h, 65 + k * 34, k ? 1ULL << (k - 1) : 0ULL,
		    k == LAT_BINS - 1 ? "+" : "");
	}
	fprintf(o, "<text x=\"45\" y=\"25\" text-anchor=\"end\">%llu</text>"
	    "<text x=\"320\" y=\"245\" text-anchor=\"middle\">ms after the "
	    "last byte (bins from the value shown)</text></g></svg>\n"
	    "<table><tr><th></th><th>p50</th><th>p90</th><th>p95</th>"
	    "<th>p99</th><th>max</th></tr>\n", U(m));
	fprintf(o, "<tr><td>after the last byte</td><td>%llu</td><td>%llu</td>"
	    "<td>%llu</td><td>%llu</td><td>%llu</td></tr>\n",
	    U(hist_pct(&a->eom, 500)), U(hist_pct(&a->eom, 900)),
	    U(hist_pct(&a->eom, 950)), U(hist_pct(&a->eom, 990)),
	    U(a->eom.max));
	fprintf(o, "<tr><td>whole run</td><td>%llu</td><td>%llu</td>"
	    "<td>%llu</td><td>%llu</td><td>%llu</td></tr></table>\n",
	    U(hist_pct(&a->ms, 500)), U(hist_pct(&a->ms, 900)),
	    U(hist_pct(&a->ms, 950)), U(hist_pct(&a->ms, 990)), U(a->ms.max));
}

/* A table: name, count, share of whole (and flagged / of its own). */
static void
table(FILE *o, const char *title, const struct names *t, const uint64_t *v,
    const uint64_t *of, uint64_t whole, size_t max)
{
	size_t	idx[AG_TESTS + 1], n, i;

	n = agg_top(t, v, idx, max < AG_TESTS + 1 ? max : AG_TESTS + 1);
	if (n == 0)
		return;
	fputs("<h2>", o);
	html_esc(o, title);
	fputs("</h2>\n<div class=\"scroll\"><table>\n", o);
	for (i = 0; i < n; i++) {
		fputs("<tr><td>", o);
		html_esc(o, names_str(t, idx[i]));
		fprintf(o, "</td><td>%llu</td><td>%.1f%%</td>", U(v[idx[i]]),
		    agg_pct(v[idx[i]], whole));
		if (of != NULL)
			fprintf(o, "<td>%.1f%% of its mail</td>",
			    agg_pct(v[idx[i]], of[idx[i]]));
		fputs("</tr>\n", o);
	}
	fputs("</table></div>\n", o);
}

static void
list_table(FILE *o, const struct agg *a)
{
	size_t	i;
	int	k;
	const struct ag_list *l;

	if (a->lists.n == 0)
		return;
	fputs("<div class=\"scroll\"><table><tr><th>list</th><th>asked</th>"
	    "<th>listed</th><th>clean</th><th>error</th><th>errors</th></tr>\n",
	    o);
	for (i = 0; i <= AG_LISTS; i++) {
		if (i >= a->lists.n && i != AG_LISTS)
			continue;
		if ((l = &a->list[i])->asked == 0)
			continue;
		fputs("<tr><td>", o);
		html_esc(o, names_str(&a->lists, i));
		fprintf(o, "</td><td>%llu</td><td>%.1f%%</td><td>%.1f%%</td>"
		    "<td>%.1f%%</td><td>", U(l->asked), agg_pct(l->listed,
		    l->asked), agg_pct(l->clean, l->asked), agg_pct(l->error,
		    l->asked));
		for (k = 0; k < K_N; k++)
			if (l->kind[k] > 0)
				fprintf(o, "%s %llu ", agg_kind_name(k),
				    U(l->kind[k]));
		for (k = 0; k < AG_CODES && l->code[k].n > 0; k++) {
			html_esc(o, l->code[k].c);
			fprintf(o, ": %llu ", U(l->code[k].n));
		}
		fputs("</td></tr>\n", o);
	}
	fputs("</table></div>\n", o);
}

/* Messages and flagged share per hour of the day (local time). */
static void
hours(FILE *o, const struct agg *a)
{
	int	h;

	if (!a->stamped)
		return;
	fputs("<h2>Per hour (local time)</h2>\n<table><tr><th>hour</th>"
	    "<th>messages</th><th>flagged</th></tr>\n", o);
	for (h = 0; h < 24; h++)
		if (a->hour_n[h] > 0)
			fprintf(o, "<tr><td>%02d:00</td><td>%llu</td>"
			    "<td>%.1f%%</td></tr>\n", h, U(a->hour_n[h]),
			    agg_pct(a->hour_fl[h], a->hour_n[h]));
	fputs("</table>\n", o);
}

/* The page. */
int
html_report(FILE *o, const struct agg *a, const struct warnings *w)
{
	head(o);
	summary(o, a);
	warnings(o, w);
	volume(o, a);
	lists_chart(o, a);
	list_table(o, a);
	latency_chart(o, a);
	table(o, "Tests", &a->tests, a->test_n, NULL, a->checked,
	    AG_TESTS + 1);
	table(o, "Results", &a->results, a->result_n, NULL, a->msgs,
	    AG_RESULTS + 1);
	table(o, "Client classes", &a->classes, a->class_n, NULL, a->msgs,
	    AG_CLASSES + 1);
	table(o, "Other check errors", &a->errkeys, a->err_n, NULL,
	    a->checked, AG_ERRKEYS + 1);
	table(o, "Flagged mail by country", &a->cc, a->cc_fl, a->cc_n,
	    a->flagged, HTML_TOP);
	table(o, "Flagged mail by AS", &a->asn, a->asn_fl, a->asn_n,
	    a->flagged, HTML_TOP);
	hours(o, a);
	fputs("</body></html>\n", o);
	return ferror(o) ? -1 : 0;
}

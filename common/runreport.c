/*
 * The HTML of an import run's report: see runreport.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "runreport.h"

const char RUNREPORT_STYLE[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;"
    "max-width:62em;padding:0 1em;color:#1d2733}"
    "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;"
    "margin-top:1.8em;border-bottom:1px solid #d5dbe1}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "td,th{padding:.2em .7em;border-bottom:1px solid #eceff2;"
    "text-align:left;vertical-align:top}td:first-child{white-space:nowrap}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "pre,code{font:13px/1.4 ui-monospace,monospace}"
    "pre{background:#f3f5f7;padding:.6em .8em;overflow-x:auto;"
    "white-space:pre-wrap;word-break:break-all}"
    ".sub{color:#5b6773}.ok{color:#17753b}.bad{color:#b3261e}"
    ".status{display:inline-block;padding:.2em .6em;border-radius:.3em;"
    "background:#eef6f0}.status.bad{background:#fbeceb}"
    ".group{margin:1em 0;padding:.4em .9em;border-left:4px solid #b3261e;"
    "background:#fcf7f6}.group h3{font-size:1em;margin:.3em 0}"
    "svg text{font:12px system-ui,sans-serif}";

struct w {
	struct buf *out;
	int err;
};

static void p(struct w *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
p(struct w *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (buf_vprintf(w->out, fmt, ap) < 0)
		w->err = -1;
	va_end(ap);
}

/* Text, escaped. */
static void
t(struct w *w, const char *s)
{
	if (html_textz(w->out, s ? s : "") < 0)
		w->err = -1;
}

/* A number with its data-k name (KEY PART[.PART]), in a td or a span. */
static void
num(struct w *w, const char *tag, const char *key, const char *a, const char *b,
    const char *val)
{
	p(w, "<%s class=n data-k=\"%s", tag, key);
	if (a) {
		p(w, ".");
		t(w, a);
	}
	if (b) {
		p(w, ".");
		t(w, b);
	}
	p(w, "\">");
	t(w, val);
	p(w, "</%s>", tag);
}

static void
unum(struct w *w, const char *tag, const char *key, const char *a,
    const char *b, unsigned long long v)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", v);
	num(w, tag, key, a, b, s);
}

static void
head(struct w *w, const struct runreport *r)
{
	const struct runsum *s = r->sum;
	const char *kind = s && s->kind ? s->kind : "import";

	p(w, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
	     "<meta http-equiv=\"Content-Security-Policy\" content=\""
	     "default-src 'none'; style-src 'unsafe-inline'\">"
	     "<meta name=viewport content=\"width=device-width\">"
	     "<title>");
	t(w, s && s->vendor ? s->vendor : "import");
	p(w, " ");
	t(w, kind);
	p(w, ": ");
	if (s && s->query) {
		p(w, "the query ");
		t(w, s->query);
	} else {
		t(w, s && s->file ? s->file : r->run);
	}
	p(w, "</title><style>%s</style></head><body>\n", RUNREPORT_STYLE);
	if (r->index) {
		p(w, "<p class=sub><a href=\"");
		t(w, r->index);
		p(w, "\">All imports</a></p>");
	}
	p(w, "<h1>");
	t(w, s && s->vendor ? s->vendor : "An");
	p(w, " ");
	t(w, kind);
	if (s && s->query) {
		p(w, "</h1><p class=sub>of the query <code id=query>");
		t(w, s->query);
	} else {
		p(w, "</h1><p class=sub>of <code id=file>");
		t(w, s && s->file ? s->file : "(unknown)");
	}
	p(w, "</code>");
	if (s && s->fetched) {
		p(w, " (fetched by ");
		t(w, s->fetched);
		p(w, ")");
	}
	p(w, "<br>run folder <code id=run>");
	t(w, r->run);
	p(w, "</code></p>\n");
	if (s == NULL) {
		p(w, "<p class=\"status bad\">This run left no summary: it was "
		     "stopped before the end (interrupted, or killed). Its "
		     "files are in the run folder; run the import again.</p>");
		return;
	}
	p(w, "<p class=\"status%s\">", s->exit_status > 1 ? " bad" : "");
	if (s->exit_status >= 0) {
		char e[16];

		snprintf(e, sizeof(e), "%d", s->exit_status);
		p(w, "exit ");
		num(w, "span", "exit", NULL, NULL, e);
		t(w, strchr(s->exit_text, ':'));
	} else {
		p(w, "no exit line in the summary");
	}
	p(w, "</p>\n");
}

/* The flow as bars: each stage's in, split into out, dropped, rejected. */
static void
flow_svg(struct w *w, const struct runsum *s)
{
	unsigned long long max = 1;
	size_t i;
	const double x0 = 130, width = 470;

	for (i = 0; i < s->nstages; i++)
		if (s->stages[i].in > max)
			max = s->stages[i].in;
	p(w,
	    "<svg role=img aria-labelledby=flowt width=760 height=%zu "
	    "viewBox=\"0 0 760 %zu\"><title id=flowt>Records in, out and "
	    "set aside, per stage</title>",
	    s->nstages * 30 + 30, s->nstages * 30 + 30);
	for (i = 0; i < s->nstages; i++) {
		const struct runsum_stage *st = &s->stages[i];
		double y = 10 + 30.0 * (double)i, x = x0;
		unsigned long long part[4] = {
		    st->out, st->dropped, st->rejected, st->unwritten};
		static const char *const fill[4] = {
		    "#3b8c5a", "#a3acb5", "#c8443a", "#e0922f"};
		static const char *const what[4] = {
		    "out", "dropped", "rejected", "unwritten"};
		int k;

		p(w, "<text x=0 y=%.0f>", y + 15);
		t(w, st->name);
		p(w, "</text>");
		for (k = 0; k < 4; k++) {
			double len = width * (double)part[k] / (double)max;

			if (part[k] == 0)
				continue;
			if (len < 2)
				len = 2;
			p(w,
			    "<rect x=%.1f y=%.0f width=%.1f height=20 "
			    "fill=\"%s\"><title>%s %llu</title></rect>",
			    x, y, len, fill[k], what[k], part[k]);
			x += len;
		}
		p(w, "<text x=%.0f y=%.0f>%llu in, %llu out</text>", x + 6,
		    y + 15, st->in, st->out);
	}
	p(w,
	    "<text x=%.0f y=%zu fill=\"#3b8c5a\">&#9632; out</text>"
	    "<text x=%.0f y=%zu fill=\"#7d8791\">&#9632; dropped by a "
	    "rule</text><text x=%.0f y=%zu fill=\"#c8443a\">&#9632; "
	    "rejected</text></svg>\n",
	    x0, s->nstages * 30 + 22, x0 + 60, s->nstages * 30 + 22, x0 + 200,
	    s->nstages * 30 + 22);
}

static void
flow(struct w *w, const struct runsum *s)
{
	size_t i, j;

	p(w, "<h2 id=flow>The flow</h2>");
	if (s->nstages == 0) {
		p(w, "<p>No stage ran.</p>");
		return;
	}
	p(w, "<p>");
	unum(w, "span", "records.in", NULL, NULL, s->stages[0].in);
	p(w, " records in; ");
	unum(w, "span", "records.out", NULL, NULL,
	    s->stages[s->nstages - 1].out);
	p(w, " out of the last stage, ");
	t(w, s->stages[s->nstages - 1].name);
	p(w, ".</p>");
	flow_svg(w, s);
	p(w, "<table><tr><th>stage<th class=n>in<th class=n>out"
	     "<th class=n>dropped<th>per rule<th class=n>rejected</tr>");
	for (i = 0; i < s->nstages; i++) {
		const struct runsum_stage *st = &s->stages[i];

		p(w, "<tr><td>");
		t(w, st->name);
		unum(w, "td", "stage", st->name, "in", st->in);
		unum(w, "td", "stage", st->name, "out", st->out);
		unum(w, "td", "stage", st->name, "dropped", st->dropped);
		p(w, "<td>");
		for (j = 0; j < st->nrules; j++) {
			p(w, "%s", j ? ", " : "");
			t(w, st->rules[j].key);
			p(w, " ");
			num(w, "span", "rule", st->name, st->rules[j].key,
			    st->rules[j].val);
		}
		unum(w, "td", "stage", st->name, "rejected", st->rejected);
		if (st->unwritten) {
			p(w, "<td class=bad>unwritten ");
			unum(w, "span", "stage", st->name, "unwritten",
			    st->unwritten);
		}
		p(w, "</tr>\n");
	}
	p(w, "</table>");
}

static void
delivery(struct w *w, const struct runsum *s)
{
	size_t i, j, k;
	char key[160];

	if (s->ndelivery == 0)
		return;
	p(w, "<h2 id=delivery>Delivered</h2><table>");
	for (i = 0; i < s->ndelivery; i++) {
		const struct runsum_line *d = &s->delivery[i];

		p(w, "<tr><th>");
		t(w, d->stage);
		p(w, "<td>");
		for (j = 0; j < d->nkv; j++) {
			int seen = 1;

			for (k = 0; k < j; k++)
				seen += !strcmp(d->kv[k].key, d->kv[j].key);
			if (seen > 1)
				snprintf(key, sizeof(key), "%s#%d",
				    d->kv[j].key, seen);
			else
				snprintf(key, sizeof(key), "%s", d->kv[j].key);
			p(w, "%s", j ? ", " : "");
			t(w, d->kv[j].key);
			p(w, " ");
			num(w, "span", "delivery", d->stage, key, d->kv[j].val);
		}
		p(w, "</tr>\n");
	}
	p(w, "</table>");
}

static void
finals(struct w *w, const struct runsum *s)
{
	size_t i;
	char key[256];

	if (s->nfinals == 0 && s->nresults == 0)
		return;
	p(w, "<h2 id=final>Final status</h2>");
	if (s->nfinals) {
		p(w, "<table><tr><th>post status<th>member status"
		     "<th class=n>records</tr>");
		for (i = 0; i < s->nfinals; i++) {
			p(w, "<tr><td>");
			t(w, s->finals[i].post);
			p(w, "<td>");
			t(w, s->finals[i].member);
			snprintf(key, sizeof(key), "%s.%s", s->finals[i].post,
			    s->finals[i].member);
			unum(w, "td", "final", key, NULL, s->finals[i].n);
			p(w, "</tr>\n");
		}
		p(w, "</table>");
	}
	if (s->nresults) {
		p(w,
		    "<p>per %s result: ", s->result_kind ? s->result_kind : "");
		for (i = 0; i < s->nresults; i++) {
			p(w, "%s", i ? ", " : "");
			t(w, s->results[i].key);
			p(w, " ");
			num(w, "span", "result", s->results[i].key, NULL,
			    s->results[i].val);
		}
		p(w, "</p>");
	}
}

static void
example(struct w *w, const struct rejgroup_example *e)
{
	const char *base = e->file ? strrchr(e->file, '/') : NULL;

	p(w, "<tr><td><code title=\"");
	t(w, e->file);
	p(w, "\">");
	t(w, base ? base + 1 : e->file ? e->file : "?");
	if (e->line)
		p(w, ":%llu", e->line);
	p(w, "</code><td>");
	t(w, e->reason);
	if (e->raw) {
		p(w, "<br><code>");
		t(w, e->raw);
		p(w, "</code>");
	}
	p(w, "</tr>");
}

static void
group(struct w *w, const struct rejgroup *g)
{
	size_t i;

	p(w, "<div class=group><h3>");
	t(w, g->pattern);
	p(w, ": <span class=n data-g=\"");
	t(w, g->stage);
	p(w, "\">%llu</span></h3>", g->n);
	if (g->nvalues > 1 || g->other_values) {
		p(w, "<table>");
		for (i = 0; i < g->nvalues; i++) {
			p(w, "<tr><td class=n>%llu<td>", g->values[i].n);
			t(w, g->values[i].reason);
			p(w, "</tr>");
		}
		if (g->other_values)
			p(w, "<tr><td class=n>%llu<td>other values</tr>",
			    g->other_values);
		p(w, "</table>");
	}
	p(w, "<table><tr><th>examples: where<th>the reason, the value at "
	     "fault</tr>");
	for (i = 0; i < g->nex; i++)
		example(w, &g->ex[i]);
	p(w, "</table></div>\n");
}

/* Says so when the summary counts a stage's rejects otherwise than its
 * file holds them (a summary line lost, a file written to since). */
static void
mismatch(struct w *w, const struct runsum *s, const char *stage,
    unsigned long long n)
{
	const struct runsum_stage *st = s ? runsum_stage(s, stage) : NULL;

	if (s == NULL || (st && st->rejected == n))
		return;
	p(w, "<p class=bad>The summary ");
	if (st)
		p(w, "counts %llu rejected by this stage", st->rejected);
	else
		p(w, "has no line of this stage");
	p(w, "; its rejects file holds %llu.</p>", n);
}

static void
rejects(struct w *w, const struct runreport *r)
{
	const struct rejgroups *rg = r->rej;
	size_t i, j;
	unsigned long long n;

	p(w, "<h2 id=rejects>Rejected, by reason</h2>");
	if (rg->total == 0) {
		p(w, "<p>No record was rejected.</p>");
		return;
	}
	p(w, "<p>Personal data is masked here; the rejects files hold the "
	     "records whole.</p>");
	for (i = 0; i < rg->n; i = j) {
		n = 0;
		for (j = i;
		     j < rg->n && !strcmp(rg->g[j].stage, rg->g[i].stage); j++)
			n += rg->g[j].n;
		p(w, "<h3>");
		t(w, rg->g[i].stage);
		p(w, ": ");
		unum(w, "span", "rejects", rg->g[i].stage, NULL, n);
		p(w, " rejected</h3>");
		mismatch(w, r->sum, rg->g[i].stage, n);
		for (; i < j; i++)
			group(w, &rg->g[i]);
	}
}

static void
resend(struct w *w, const struct runreport *r)
{
	int is_run = r->sum && r->sum->kind && !strcmp(r->sum->kind, "run");

	if (r->rej->total == 0)
		return;
	p(w, "<h2 id=resend>Sending the rejects again</h2>");
	if (r->rows_cmd) {
		p(w, "<p>The rejected rows of the export, with its header, as "
		     "they were written:</p><pre>");
		t(w, r->rows_cmd);
		p(w, " &gt; ");
		t(w, r->rows_file);
		p(w, "</pre><p>Fix them there (for a status no rule maps, "
		     "fix the vendor file's rules instead), then import "
		     "them:</p><pre>");
		t(w, r->resend);
		p(w, " ");
		t(w, r->rows_file);
		p(w, "</pre>");
	}
	if (r->failed_csv) {
		p(w, "<p><code>failed.csv</code> lists the rejected records "
		     "by the columns the vendor file names for it (the list "
		     "to hand back); when those are the columns its import "
		     "needs, it imports as it is:</p><pre>");
		t(w, r->resend);
		p(w, " ");
		t(w, r->failed_csv);
		p(w, "</pre>");
	}
	if (r->export_file && !is_run) {
		p(w, "<p>Or, once the cause is fixed (the vendor file, a "
		     "service that was down), import the whole export again: "
		     "the ledgers send nothing twice.</p><pre>");
		t(w, r->resend);
		p(w, " ");
		t(w, r->export_file);
		p(w, "</pre>");
	} else if (is_run && (r->export_file || r->sum->query)) {
		/* A run of a file or a query: its command again on the same
		 * input (the query is part of the command). */
		p(w, "<p>The rejected records are in the run folder's "
		     "<code>STAGE.rejects.ndjson</code> files, each under "
		     "<code>record</code>, with the reason. Once the cause is "
		     "fixed, run it again: the ledgers send nothing "
		     "twice.</p><pre>");
		t(w, r->resend);
		if (r->export_file) {
			p(w, " ");
			t(w, r->export_file);
		}
		p(w, "</pre>");
	} else if (r->rows_cmd == NULL) {
		p(w, "<p>The records did not come from a file, so no command "
		     "here sends them again: they are in the run folder's "
		     "<code>STAGE.rejects.ndjson</code> files, each under "
		     "<code>record</code> (<code>jq -c .record</code>).</p>");
	}
}

static void
timing(struct w *w, const struct runsum *s)
{
	size_t i;

	p(w, "<h2 id=timing>Timing and exit statuses</h2><p>");
	for (i = 0; i < s->ntiming; i++) {
		p(w, "%s", i ? ", " : "");
		t(w, s->timing[i].key);
		p(w, " ");
		num(w, "span", "timing", s->timing[i].key, NULL,
		    s->timing[i].val);
	}
	if (s->ntiming == 0)
		p(w, "The summary has no timing line.");
	p(w, "</p><p>exit status per stage (-: not run): ");
	for (i = 0; i < s->nexits; i++) {
		p(w, "%s", i ? ", " : "");
		t(w, s->exits[i].key);
		p(w, " ");
		num(w, "span", "exit", s->exits[i].key, NULL, s->exits[i].val);
	}
	p(w, "</p>\n");
}

static void
files(struct w *w, const struct runsum *s)
{
	size_t i;
	char n[24];

	p(w, "<h2 id=files>Files and notes</h2>");
	for (i = 0; i < s->nnotes; i++) {
		p(w, "<p>");
		t(w, s->notes[i]);
		p(w, "</p>");
	}
	p(w, "<table>");
	for (i = 0; i < s->nfiles; i++) {
		p(w, "<tr><td>");
		t(w, s->files[i].what);
		if (s->files[i].n >= 0) {
			snprintf(n, sizeof(n), "%lld", s->files[i].n);
			num(w, "td", "file", s->files[i].what, NULL, n);
		} else {
			p(w, "<td>");
		}
		p(w, "<td><code>");
		t(w, s->files[i].path);
		p(w, "</code></tr>");
	}
	p(w, "</table>\n");
}

int
runreport_write(const struct runreport *r, struct buf *out)
{
	struct w w = {out, 0};

	head(&w, r);
	if (r->sum) {
		flow(&w, r->sum);
		delivery(&w, r->sum);
		finals(&w, r->sum);
	}
	rejects(&w, r);
	resend(&w, r);
	if (r->sum) {
		timing(&w, r->sum);
		files(&w, r->sum);
	}
	p(&w, "</body></html>\n");
	return w.err;
}

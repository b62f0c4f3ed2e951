/* The plumbing every stage shares; see stage.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "input.h"
#include "lines.h"
#include "ndjson.h"
#include "stage.h"
#include "vendor.h"

#define SHOW_REJECTS 10 /* rejects also told on stderr, the first ones */

void
stage_init(struct stage *st, const char *name, const char *synopsis)
{
	memset(st, 0, sizeof(*st));
	st->name = name;
	st->synopsis = synopsis;
	st->max_line = NDJSON_MAX_LINE_DEFAULT;
	diag_init(name);
	tally_init(&st->tally);
	buf_init(&st->out, BUF_UNLIMITED);
	buf_init(&st->why, 4096);
	buf_init(&st->where, 4096);
	jdoc_init(&st->doc);
	st->doc.max_values = NDJSON_MAX_VALUES;
	opterr = 0; /* our own messages, without the program's path */
}

int
stage_option(struct stage *st, int ch, const char *arg, char **argv)
{
	switch (ch) {
	case 'r':
		st->rejects_path = arg;
		return 0;
	case 'D':
		st->dropped_path = arg;
		return 0;
	case 'u':
		st->line_buffered = 1;
		return 0;
	case 'L':
		if (cli_size(arg, &st->max_line) < 0 || st->max_line == 0)
			return cli_usage_error(
			    st->synopsis, "bad size '%s'", arg);
		return 0;
	case 'V':
		cli_version();
		return -1;
	case ':':
		return cli_usage_error(st->synopsis,
		    "option '%s' needs a value", argv[optind - 1]);
	case '?':
		return cli_usage_error(
		    st->synopsis, "unknown option '%s'", argv[optind - 1]);
	}
	return 1;
}

int
stage_start(struct stage *st)
{
	out_init(st->line_buffered);
	if (rejects_open(&st->rej, st->name, st->rejects_path, "reason") < 0) {
		diag(st->rejects_path, 0, "cannot write: %s", strerror(errno));
		return EXIT_IOERR;
	}
	if (rejects_open(&st->drop, st->name, st->dropped_path, "rule") < 0) {
		diag(st->dropped_path, 0, "cannot write: %s", strerror(errno));
		return EXIT_IOERR;
	}
	progress_init(&st->prog, "records");
	return 0;
}

static void
side_error(struct stage *st, const char *path)
{
	diag(path, 0, "write error: %s", strerror(errno));
	st->status = exit_worst(st->status, EXIT_IOERR);
}

void
stage_where(const struct stage *st, const json_t *rec, const char **file,
    unsigned long long *line)
{
	const json_t *meta = json_object_get(rec, "_meta");
	const char *f = json_string_value(json_object_get(meta, "file"));
	const json_t *l = json_object_get(meta, "line");

	*file = st->file;
	*line = st->line;
	if (f && json_is_integer(l) && json_integer_value(l) > 0) {
		*file = f;
		*line = (unsigned long long)json_integer_value(l);
	}
}

void
stage_where_doc(struct stage *st, const struct jdoc *d, const char **file,
    unsigned long long *line)
{
	const struct jdoc_node *meta = jdoc_get(d, &d->nodes[0], "_meta", 5);
	const struct jdoc_node *l = jdoc_get(d, meta, "line", 4);
	const char *f = jdoc_cstr(d, jdoc_get(d, meta, "file", 4), &st->where);
	long long v =
	    l && l->type == JDOC_INT ? strtoll(d->text + l->off, NULL, 10) : 0;

	*file = st->file;
	*line = st->line;
	if (f && v > 0) {
		*file = f;
		*line = (unsigned long long)v;
	}
}

/* Counts a reject and tells the first ones on stderr. */
static void
rejected(struct stage *st, const json_t *rec, const char *why)
{
	const char *file;
	unsigned long long line;

	st->tally.rejected++;
	st->prog.errors++;
	stage_where(st, rec, &file, &line);
	if (st->shown++ < SHOW_REJECTS)
		diag(file, line, "%s", why);
	else if (st->shown == SHOW_REJECTS + 1)
		diag(NULL, 0, "more rejects not shown here%s%s",
		    st->rejects_path ? "; all are in "
		                     : "; use --rejects FILE to keep them",
		    st->rejects_path ? st->rejects_path : "");
}

void
stage_reject_raw(struct stage *st, const char *raw, size_t n, const char *why)
{
	if (rejects_raw(&st->rej, why, st->file, st->line, raw, n) < 0)
		side_error(st, st->rejects_path);
	rejected(st, NULL, why);
}

void
stage_reject(struct stage *st, const json_t *rec, const char *fmt, ...)
{
	struct buf why = BUF_INIT_MAX(4096);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	if (rejects_json(&st->rej, why.data ? why.data : fmt, st->file,
	        st->line, rec) < 0)
		side_error(st, st->rejects_path);
	rejected(st, rec, why.data ? why.data : fmt);
	buf_release(&why);
}

void
stage_drop_at(struct stage *st, const char *rule, const char *file,
    unsigned long long line, const json_t *rec)
{
	tally_drop(&st->tally, rule);
	if (rejects_json(&st->drop, rule, file, line, rec) < 0)
		side_error(st, st->dropped_path);
}

void
stage_drop(struct stage *st, const char *rule, const json_t *rec)
{
	stage_drop_at(st, rule, st->file, st->line, rec);
}

void
stage_drop_read(struct stage *st, const char *rule)
{
	if (st->rec) {
		stage_drop(st, rule, st->rec);
		return;
	}
	tally_drop(&st->tally, rule);
	if (rejects_text(
	        &st->drop, rule, st->file, st->line, st->raw, st->rawlen) < 0)
		side_error(st, st->dropped_path);
}

void
stage_emit_line(struct stage *st, const struct buf *line)
{
	/* Told once: after a write error every record is lost (cli.h). */
	if (out_record(line) < 0 && !st->out_failed++) {
		diag(NULL, 0,
		    "write error on stdout: %s; nothing more is written, and "
		    "the records lost are counted as unwritten",
		    strerror(out_errno()));
		st->status = exit_worst(st->status, EXIT_IOERR);
	}
	st->tally.out++;
}

void
stage_emit_unchanged(struct stage *st)
{
	buf_reset(&st->out);
	buf_add(&st->out, st->raw, st->rawlen);
	buf_addc(&st->out, '\n');
	stage_emit_line(st, &st->out);
}

void
stage_emit(struct stage *st, const json_t *rec)
{
	buf_reset(&st->out);
	ndjson_dump(&st->out, rec);
	stage_emit_line(st, &st->out);
}

void
stage_fast(struct stage *st,
    int (*fast)(struct stage *st, struct jdoc *doc, void *ctx))
{
	const char *env = getenv("SLUICE_FASTPATH");

	st->fast = env && strcmp(env, "0") == 0 ? NULL : fast;
}

json_t *
stage_record(struct stage *st)
{
	/* The line was read as canonical JSON, which jansson always reads;
	 * were it not so, the record shows as its text rather than not at
	 * all. */
	if (st->rec == NULL)
		st->rec = json_loadb(st->raw, st->rawlen, JSON_ALLOW_NUL, NULL);
	if (st->rec == NULL)
		st->rec = json_stringn(st->raw, st->rawlen);
	return st->rec;
}

/*
 * Hands a record line to the fast callback, else parses it for the tree
 * callback. Returns 0, or an exit status.
 */
static int
handle(
    struct stage *st, int (*each)(struct stage *, json_t *, void *), void *ctx)
{
	int rc = st->fast ? jdoc_parse(&st->doc, st->raw, st->rawlen) : -1;

	if (rc == JDOC_TOO_COMPLEX) {
		ndjson_too_complex(&st->why);
		stage_reject_raw(st, st->raw, st->rawlen, st->why.data);
		return 0;
	}
	if (rc == 0 && (rc = st->fast(st, &st->doc, ctx)) != STAGE_SLOW) {
		st->nfast++;
		return rc;
	}
	/* A huge line's index goes before jansson builds its tree, so the
	 * two are never held at once. */
	if (st->doc.cap > 65536)
		jdoc_release(&st->doc);
	if (st->rec == NULL && ndjson_parse_text(st->raw, st->rawlen, &st->rec,
	                           &st->why) != NDJSON_RECORD) {
		stage_reject_raw(st, st->raw, st->rawlen, st->why.data);
		return 0;
	}
	return each(st, st->rec, ctx);
}

int
stage_line(struct stage *st, const char *file, unsigned long long line,
    int toolong, const char *text, size_t len,
    int (*each)(struct stage *, json_t *, void *), void *ctx)
{
	int rc = 0;

	st->file = file;
	st->line = line;
	st->raw = text;
	st->rawlen = len;
	st->tally.in++;
	if (ndjson_check(toolong ? LINES_TOOLONG : LINES_OK, text, &st->rawlen,
	        st->max_line, &st->why) == NDJSON_REJECT)
		stage_reject_raw(st, text, st->rawlen, st->why.data);
	else
		rc = handle(st, each, ctx);
	json_decref(st->rec);
	st->rec = NULL;
	return rc;
}

/* Reads one file. Returns 0, or an exit status. */
static int
run_file(struct stage *st, const char *path,
    int (*each)(struct stage *, json_t *, void *), void *ctx)
{
	struct input in;
	struct lines lr;
	enum lines_status s;
	const char *line;
	size_t len;
	int rc = 0;

	if (input_open(&in, path) != INPUT_OK) {
		diag(in.name, 0, "%s", in.errmsg);
		return input_exitcode(in.status);
	}
	lines_init(&lr, &in, st->max_line);
	while (rc == 0 && (s = lines_next(&lr, &line, &len)) != LINES_EOF) {
		if (s == LINES_ERROR) {
			diag(in.name, lr.lineno + 1, "%s", in.errmsg);
			rc = input_exitcode(in.status);
			break;
		}
		rc = stage_line(st, in.name, lr.lineno, s == LINES_TOOLONG,
		    line, len, each, ctx);
		progress_tick(&st->prog);
	}
	lines_release(&lr);
	input_close(&in);
	return rc;
}

int
stage_run(struct stage *st, int nfiles, char **files,
    int (*each)(struct stage *, json_t *, void *), void *ctx)
{
	int i, rc, worst = 0;

	if (nfiles == 0)
		return run_file(st, "-", each, ctx);
	for (i = 0; i < nfiles; i++) {
		rc = run_file(st, files[i], each, ctx);
		/* A missing file does not stop the others; a stage's own
		 * fatal status does. */
		if (rc != 0 && rc != EXIT_NOINPUT && rc != EXIT_IOERR)
			return rc;
		worst = exit_worst(worst, rc);
	}
	return worst;
}

int
stage_load_vendor(struct vendor *v, const char *which)
{
	struct buf err = BUF_INIT;
	int rc = vendor_load(v, which, &err);

	if (rc < 0)
		diag(NULL, 0, "%s", err.data);
	buf_release(&err);
	return rc == 0 ? 0 : rc == -2 ? EXIT_NOINPUT : EXIT_DATAERR;
}

int
stage_vendor_args(struct stage *st, int argc, char **argv, void (*usage)(void),
    struct vendor *v)
{
	static const struct option longopts[] = {
	    STAGE_VENDOR_LONGOPTS,
	    {"set", required_argument, NULL, 's'},
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	const char *which = NULL;
	char **sets = xcalloc((size_t)argc + 1, sizeof(*sets));
	size_t nsets = 0, i;
	struct buf err = BUF_INIT;
	int ch, rc;

	memset(v, 0, sizeof(*v));
	rc = 0;
	while (rc == 0 && (ch = getopt_long(argc, argv,
	                       ":s:" STAGE_VENDOR_SHORTOPTS STAGE_SHORTOPTS,
	                       longopts, NULL)) != -1) {
		if (ch == 'v' || ch == 'm') {
			which = optarg;
		} else if (ch == 's') {
			sets[nsets++] = optarg;
		} else if (ch == 'h') {
			usage();
			rc = -1;
		} else {
			rc = stage_option(st, ch, optarg, argv);
		}
	}
	if (rc == 0 && which == NULL)
		rc = cli_usage_error(
		    st->synopsis, "--vendor NAME (or FILE) is required");
	if (rc == 0)
		rc = stage_load_vendor(v, which);
	for (i = 0; rc == 0 && i < nsets; i++) {
		if (vendor_set(v, sets[i], &err) < 0)
			rc = cli_usage_error(st->synopsis, "%s", err.data);
	}
	free(sets);
	buf_release(&err);
	return rc;
}

int
stage_finish(struct stage *st, int rc)
{
	struct buf line = BUF_INIT;

	progress_done(&st->prog);
	st->status = exit_worst(st->status, rc);
	if (st->tally.rejected)
		st->status = exit_worst(st->status, EXIT_REJECTS);
	if (rejects_close(&st->rej) < 0)
		side_error(st, st->rejects_path);
	if (rejects_close(&st->drop) < 0)
		side_error(st, st->dropped_path);
	st->status = exit_worst(st->status, out_finish());
	/* Out counts what reached stdout; the rest is lost to the reader. */
	st->tally.unwritten = out_lost();
	st->tally.out -= st->tally.unwritten;
	tally_format(&st->tally, &line);
	diag(NULL, 0, "%s", line.data);
	if (getenv("SLUICE_FASTPATH_STATS"))
		diag(NULL, 0, "fast path: %llu of %llu records", st->nfast,
		    st->tally.in);
	if (!tally_balanced(&st->tally) && rc == 0) {
		diag(NULL, 0, "internal error: records unaccounted for");
		st->status = exit_worst(st->status, EXIT_REJECTS);
	}
	buf_release(&line);
	stage_release(st);
	return st->status;
}

void
stage_release(struct stage *st)
{
	buf_release(&st->out);
	buf_release(&st->why);
	buf_release(&st->where);
	jdoc_release(&st->doc);
}

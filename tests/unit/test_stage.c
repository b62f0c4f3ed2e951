/*
 * Unit tests for common/stage.c, the parts that need no process boundary:
 * stage_option (the common options, a bad size, getopt errors, and 1 for a
 * stage's own option) and stage_run over temporary NDJSON files, with a
 * callback that drops every record it gets. stage_start and stage_finish
 * are left to the stage tests, since they take stdout over. stderr (and
 * stdout for --version) is redirected to a temporary file where a test
 * looks at it, and restored after.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "exitcode.h"
#include "harness.h"
#include "ndjson.h"
#include "rejects.h"
#include "stage.h"
#include "tally.h"

#define SYNOPSIS "shape [-r FILE] [-D FILE] [FILE...]"
#define USAGE_TAIL "usage: " SYNOPSIS "\ntry 'shape --help'\n"

/* One redirected file descriptor. */
struct capture {
	int fd, saved;
	char path[sizeof(HARNESS_TMP)];
};

/* Sends fd (1 or 2) to a fresh temporary file. 0 or -1. */
static int
capture_begin(struct capture *c, int fd)
{
	int tmp;

	fflush(stdout);
	fflush(stderr);
	c->fd = fd;
	memcpy(c->path, HARNESS_TMP, sizeof(HARNESS_TMP));
	if ((tmp = mkstemp(c->path)) < 0)
		return -1;
	if ((c->saved = dup(fd)) < 0 || dup2(tmp, fd) < 0) {
		close(tmp);
		remove(c->path);
		return -1;
	}
	close(tmp);
	return 0;
}

/* Reads a whole file into out (NUL-terminated, never NULL). */
static void
slurp(const char *path, struct buf *out)
{
	char tmp[4096];
	FILE *fp;
	size_t n;

	buf_adds(out, "");
	if ((fp = fopen(path, "rb")) == NULL)
		return;
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(out, tmp, n);
	fclose(fp);
}

/* Restores the descriptor and puts what was written in out. */
static void
capture_end(struct capture *c, struct buf *out)
{
	fflush(stdout);
	fflush(stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	slurp(c->path, out);
	remove(c->path);
}

/* Runs stage_option with stderr captured; returns its result. */
static int
option_err(
    struct stage *st, int ch, const char *arg, char **argv, struct buf *err)
{
	struct capture c;
	int rc;

	if (capture_begin(&c, STDERR_FILENO) < 0)
		return -99;
	rc = stage_option(st, ch, arg, argv);
	capture_end(&c, err);
	return rc;
}

TEST(init_defaults)
{
	struct stage st;

	stage_init(&st, "shape", SYNOPSIS);
	CHECK_STR(st.name, "shape");
	CHECK(st.rejects_path == NULL && st.dropped_path == NULL);
	CHECK(st.line_buffered == 0);
	CHECK(st.max_line == NDJSON_MAX_LINE_DEFAULT);
	CHECK(st.max_line == (size_t)64 << 20);
	CHECK(st.tally.in == 0 && st.status == 0);
	stage_release(&st);
}

TEST(option_common)
{
	struct stage st;
	struct buf err = BUF_INIT;
	char rej[] = "rejects.ndjson", drop[] = "dropped.ndjson";

	stage_init(&st, "shape", SYNOPSIS);
	CHECK(option_err(&st, 'r', rej, NULL, &err) == 0);
	CHECK(st.rejects_path == rej);
	CHECK(option_err(&st, 'D', drop, NULL, &err) == 0);
	CHECK(st.dropped_path == drop);
	CHECK(option_err(&st, 'u', NULL, NULL, &err) == 0);
	CHECK(st.line_buffered == 1);
	CHECK(option_err(&st, 'L', "1k", NULL, &err) == 0);
	CHECK(st.max_line == 1024);
	CHECK(option_err(&st, 'L', "2MiB", NULL, &err) == 0);
	CHECK(st.max_line == (size_t)2 << 20);
	CHECK(option_err(&st, 'L', "100", NULL, &err) == 0);
	CHECK(st.max_line == 100);
	/* Handled options say nothing. */
	CHECK_STR(err.data, "");
	buf_release(&err);
	stage_release(&st);
}

TEST(option_bad_size)
{
	static const char want_abc[] = "shape: bad size 'abc'\n"
	                               "usage: " SYNOPSIS "\n"
	                               "try 'shape --help'\n";
	struct stage st;
	struct buf err = BUF_INIT;

	stage_init(&st, "shape", SYNOPSIS);
	CHECK(option_err(&st, 'L', "abc", NULL, &err) == EXIT_USAGE);
	CHECK(EXIT_USAGE == 64);
	CHECK_STR(err.data, want_abc);
	buf_reset(&err);
	/* Zero is no size for a line. */
	CHECK(option_err(&st, 'L', "0", NULL, &err) == EXIT_USAGE);
	CHECK_STR(err.data, "shape: bad size '0'\n" USAGE_TAIL);
	buf_reset(&err);
	CHECK(option_err(&st, 'L', "-5", NULL, &err) == EXIT_USAGE);
	CHECK_STR(err.data, "shape: bad size '-5'\n" USAGE_TAIL);
	buf_reset(&err);
	CHECK(option_err(&st, 'L', "", NULL, &err) == EXIT_USAGE);
	CHECK_STR(err.data, "shape: bad size ''\n" USAGE_TAIL);
	buf_release(&err);
	stage_release(&st);
}

TEST(option_getopt_errors)
{
	char a0[] = "shape", a1[] = "--bogus", a2[] = "-r";
	char *argv[] = {a0, a1, a2, NULL};
	struct stage st;
	struct buf err = BUF_INIT;
	int saved_optind = optind;

	stage_init(&st, "shape", SYNOPSIS);
	/* getopt_long has moved optind past the offending argument. */
	optind = 2;
	CHECK(option_err(&st, '?', NULL, argv, &err) == EXIT_USAGE);
	CHECK_STR(err.data, "shape: unknown option '--bogus'\n"
	                    "usage: " SYNOPSIS "\ntry 'shape --help'\n");
	buf_reset(&err);
	optind = 3;
	CHECK(option_err(&st, ':', NULL, argv, &err) == EXIT_USAGE);
	CHECK_STR(err.data, "shape: option '-r' needs a value\n"
	                    "usage: " SYNOPSIS "\ntry 'shape --help'\n");
	optind = saved_optind;
	buf_release(&err);
	stage_release(&st);
}

TEST(option_stage_own)
{
	struct stage st;
	struct buf err = BUF_INIT;
	char arg[] = "map.json";

	stage_init(&st, "shape", SYNOPSIS);
	CHECK(option_err(&st, 'm', arg, NULL, &err) == 1);
	CHECK(option_err(&st, 'k', NULL, NULL, &err) == 1);
	CHECK(option_err(&st, 'x', NULL, NULL, &err) == 1);
	/* 'h' is in the common list, but help is the stage's to print. */
	CHECK(option_err(&st, 'h', NULL, NULL, &err) == 1);
	CHECK_STR(err.data, "");
	/* Nothing common was touched. */
	CHECK(st.rejects_path == NULL && st.dropped_path == NULL);
	CHECK(st.line_buffered == 0);
	CHECK(st.max_line == NDJSON_MAX_LINE_DEFAULT);
	buf_release(&err);
	stage_release(&st);
}

TEST(option_version)
{
	struct stage st;
	struct capture c;
	struct buf out = BUF_INIT;
	int rc;

	stage_init(&st, "shape", SYNOPSIS);
	CHECK(capture_begin(&c, STDOUT_FILENO) == 0);
	rc = stage_option(&st, 'V', NULL, NULL);
	capture_end(&c, &out);
	CHECK(rc == -1);
	CHECK_STR(out.data, "shape (sluice) " SLUICE_VERSION "\n");
	buf_release(&out);
	stage_release(&st);
}

/* What the callback saw. */
struct seen {
	int calls;
	int stop_at; /* the call that returns EXIT_DATAERR; 0 for none */
	unsigned long long line[8];
	char file[8][64];
	struct buf raw[8];
	long long id[8];
	int not_object;
};

/* Notes the record and drops it, so that the tally balances. */
static int
each(struct stage *st, json_t *rec, void *ctx)
{
	struct seen *s = ctx;
	int i = s->calls++;

	if (!json_is_object(rec))
		s->not_object++;
	if (i < 8) {
		s->line[i] = st->line;
		snprintf(s->file[i], sizeof(s->file[i]), "%s",
		    st->file ? st->file : "(null)");
		buf_add(&s->raw[i], st->raw, st->rawlen);
		buf_adds(&s->raw[i], "");
		s->id[i] = json_integer_value(json_object_get(rec, "id"));
	}
	stage_drop(st, "seen", rec);
	return s->calls == s->stop_at ? EXIT_DATAERR : 0;
}

static void
seen_init(struct seen *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 8; i++)
		buf_init(&s->raw[i], BUF_UNLIMITED);
}

static void
seen_release(struct seen *s)
{
	int i;

	for (i = 0; i < 8; i++)
		buf_release(&s->raw[i]);
}

/* Checks one line of a rejects file: its line number, reason and record. */
static void
check_reject(const char *text, const char *file, unsigned long long line,
    const char *reason_prefix, const char *record, int at)
{
	json_error_t je;
	json_t *v = json_loads(text, 0, &je);
	const char *reason, *rec, *f, *stage;

	reason = json_string_value(json_object_get(v, "reason"));
	rec = json_string_value(json_object_get(v, "record"));
	f = json_string_value(json_object_get(v, "file"));
	stage = json_string_value(json_object_get(v, "stage"));
	if (v == NULL || stage == NULL || strcmp(stage, "t") != 0 ||
	    f == NULL || strcmp(f, file) != 0 ||
	    json_integer_value(json_object_get(v, "line")) != (long long)line ||
	    reason == NULL ||
	    strncmp(reason, reason_prefix, strlen(reason_prefix)) != 0 ||
	    rec == NULL || strcmp(rec, record) != 0) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: reject entry %s\n", __FILE__, at, text);
	}
	json_decref(v);
}

TEST(run_one_file)
{
	static const char input[] = "[1,2]\n"
	                            "{\"id\": 7,  \"x\" : \"y\"}\n"
	                            "{\"id\":\n"
	                            "\n";
	char path[sizeof(HARNESS_TMP)], rpath[sizeof(HARNESS_TMP)];
	char *files[1];
	struct stage st;
	struct seen s;
	struct capture c;
	struct buf err = BUF_INIT, want = BUF_INIT, rej = BUF_INIT;
	char *nl1, *nl2;
	int rc;

	seen_init(&s);
	CHECK(harness_tmpfile(path, input, strlen(input)) == 0);
	CHECK(harness_tmpfile(rpath, "", 0) == 0);
	files[0] = path;
	stage_init(&st, "t", SYNOPSIS);
	st.rejects_path = rpath;
	CHECK(rejects_open(&st.rej, st.name, rpath, "reason") == 0);
	CHECK(rejects_open(&st.drop, st.name, NULL, "rule") == 0);
	CHECK(capture_begin(&c, STDERR_FILENO) == 0);
	rc = stage_run(&st, 1, files, each, &s);
	capture_end(&c, &err);
	CHECK(rejects_close(&st.rej) == 0);
	CHECK(rejects_close(&st.drop) == 0);

	CHECK(rc == 0);
	/* The callback saw the one object, and only it. */
	CHECK(s.calls == 1);
	CHECK(s.not_object == 0);
	CHECK(s.line[0] == 2);
	CHECK(s.id[0] == 7);
	CHECK_STR(s.file[0], path);
	/* Its line as read, spacing and all, not serialised again. */
	CHECK_STR(s.raw[0].data, "{\"id\": 7,  \"x\" : \"y\"}");
	CHECK(st.tally.in == 4);
	CHECK(st.tally.rejected == 3);
	CHECK(st.tally.dropped == 1);
	CHECK(st.tally.out == 0);
	CHECK(tally_balanced(&st.tally));
	CHECK(st.prog.done == 4);

	/* The first rejects are told on stderr, where they were read. */
	buf_printf(
	    &want, "t: %s:1: expected a JSON object, got an array\n", path);
	CHECK(strncmp(err.data, want.data, want.len) == 0);
	buf_reset(&want);
	buf_printf(&want, "t: %s:3: invalid JSON at column ", path);
	CHECK(strstr(err.data, want.data) != NULL);
	buf_reset(&want);
	buf_printf(
	    &want, "t: %s:4: empty line, expected a JSON object\n", path);
	CHECK(err.len >= want.len &&
	      strcmp(err.data + err.len - want.len, want.data) == 0);

	/* And all of them are in the rejects file, in order. */
	slurp(rpath, &rej);
	nl1 = strchr(rej.data, '\n');
	nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
	CHECK(nl1 != NULL && nl2 != NULL);
	if (nl1 != NULL && nl2 != NULL) {
		*nl1 = *nl2 = '\0';
		check_reject(rej.data, path, 1,
		    "expected a JSON object, got an array", "[1,2]", __LINE__);
		check_reject(nl1 + 1, path, 3, "invalid JSON at column ",
		    "{\"id\":", __LINE__);
		check_reject(nl2 + 1, path, 4,
		    "empty line, expected a JSON object", "", __LINE__);
		CHECK(strchr(nl2 + 1, '\n') != NULL);
	}

	remove(path);
	remove(rpath);
	seen_release(&s);
	buf_release(&err);
	buf_release(&want);
	buf_release(&rej);
	stage_release(&st);
}

TEST(run_two_files)
{
	static const char in1[] = "{\"id\":1}\n{\"id\":2}\r\n";
	static const char in2[] = "\"str\"\n{\"id\":3}";
	char p1[sizeof(HARNESS_TMP)], p2[sizeof(HARNESS_TMP)];
	char *files[2];
	struct stage st;
	struct seen s;
	struct capture c;
	struct buf err = BUF_INIT;
	int rc;

	seen_init(&s);
	CHECK(harness_tmpfile(p1, in1, strlen(in1)) == 0);
	CHECK(harness_tmpfile(p2, in2, strlen(in2)) == 0);
	files[0] = p1;
	files[1] = p2;
	stage_init(&st, "t", SYNOPSIS);
	CHECK(rejects_open(&st.rej, st.name, NULL, "reason") == 0);
	CHECK(rejects_open(&st.drop, st.name, NULL, "rule") == 0);
	CHECK(capture_begin(&c, STDERR_FILENO) == 0);
	rc = stage_run(&st, 2, files, each, &s);
	capture_end(&c, &err);
	CHECK(rejects_close(&st.rej) == 0);
	CHECK(rejects_close(&st.drop) == 0);

	CHECK(rc == 0);
	CHECK(s.calls == 3);
	/* Line numbers start again in each file. */
	CHECK(s.line[0] == 1 && s.line[1] == 2 && s.line[2] == 2);
	CHECK_STR(s.file[0], p1);
	CHECK_STR(s.file[1], p1);
	CHECK_STR(s.file[2], p2);
	CHECK(s.id[0] == 1 && s.id[1] == 2 && s.id[2] == 3);
	/* A CRLF line's \r is not part of the record's text. */
	CHECK_STR(s.raw[0].data, "{\"id\":1}");
	CHECK_STR(s.raw[1].data, "{\"id\":2}");
	/* The last line has no \n and is a record all the same. */
	CHECK_STR(s.raw[2].data, "{\"id\":3}");
	CHECK(st.tally.in == 4 && st.tally.rejected == 1);
	CHECK(tally_balanced(&st.tally));
	remove(p1);
	remove(p2);
	seen_release(&s);
	buf_release(&err);
	stage_release(&st);
}

TEST(run_callback_stops)
{
	static const char input[] = "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n";
	char path[sizeof(HARNESS_TMP)];
	char *files[2];
	struct stage st;
	struct seen s;

	seen_init(&s);
	s.stop_at = 2;
	CHECK(harness_tmpfile(path, input, strlen(input)) == 0);
	/* The status stops the first file and the second is not read. */
	files[0] = path;
	files[1] = path;
	stage_init(&st, "t", SYNOPSIS);
	CHECK(rejects_open(&st.rej, st.name, NULL, "reason") == 0);
	CHECK(rejects_open(&st.drop, st.name, NULL, "rule") == 0);
	CHECK(stage_run(&st, 2, files, each, &s) == EXIT_DATAERR);
	CHECK(s.calls == 2);
	CHECK(st.tally.in == 2);
	CHECK(tally_balanced(&st.tally));
	CHECK(rejects_close(&st.rej) == 0);
	CHECK(rejects_close(&st.drop) == 0);
	remove(path);
	seen_release(&s);
	stage_release(&st);
}

TEST(run_missing_file)
{
	static const char input[] = "{\"id\":5}\n";
	char path[sizeof(HARNESS_TMP)], missing[] = "/nonexistent-sluice/x";
	char *files[2];
	struct stage st;
	struct seen s;
	struct capture c;
	struct buf err = BUF_INIT;
	int rc;

	seen_init(&s);
	CHECK(harness_tmpfile(path, input, strlen(input)) == 0);
	files[0] = missing;
	files[1] = path;
	stage_init(&st, "t", SYNOPSIS);
	CHECK(rejects_open(&st.rej, st.name, NULL, "reason") == 0);
	CHECK(rejects_open(&st.drop, st.name, NULL, "rule") == 0);
	CHECK(capture_begin(&c, STDERR_FILENO) == 0);
	rc = stage_run(&st, 2, files, each, &s);
	capture_end(&c, &err);
	/* The other file is read all the same; the status says what failed. */
	CHECK(rc == EXIT_NOINPUT);
	CHECK(s.calls == 1 && s.id[0] == 5);
	CHECK_STR(err.data, "t: /nonexistent-sluice/x: No such file or "
	                    "directory\n");
	CHECK(rejects_close(&st.rej) == 0);
	CHECK(rejects_close(&st.drop) == 0);
	remove(path);
	seen_release(&s);
	buf_release(&err);
	stage_release(&st);
}

int
main(void)
{
	RUN(init_defaults);
	RUN(option_common);
	RUN(option_bad_size);
	RUN(option_getopt_errors);
	RUN(option_stage_own);
	RUN(option_version);
	RUN(run_one_file);
	RUN(run_two_files);
	RUN(run_callback_stops);
	RUN(run_missing_file);
	return harness_done();
}

/*
 * jschema-check: a test tool for common/jschema. Reads a schema from
 * SCHEMA (a JSON file), then one JSON value per line from FILE (or stdin),
 * and prints one line per value: "valid" or "invalid" (with -v, then one
 * line per violation: "  PATH KEYWORD: MESSAGE"). A schema jschema refuses
 * prints "refused: POINTER: MESSAGE" and nothing else (exit 0); a line that
 * is not JSON prints "error: ..." . With --jdoc, each value is also wrapped
 * as {"v":VALUE} and checked on the jdoc index with jschema_ok_jdoc(): the
 * line ends with " jdoc=valid", " jdoc=invalid", or " jdoc=-" when the
 * wrapped line is not canonical (the fast path would not take it).
 * Every answer is also checked for agreement between jschema_check() and
 * jschema_ok(): a disagreement prints "inconsistent".
 *
 * With --time N, it measures instead: every line is parsed by jansson once
 * and kept, then jschema_ok() runs N times over all of them; then each
 * line is indexed by jdoc_parse() and checked by jschema_ok_jdoc(), N
 * times. It prints the values per second of CPU time of each (the
 * process's, so that a busy machine counts less), and how many passed.
 *
 *   jschema-check [-v] [--jdoc] [--time N] SCHEMA [FILE]
 *   echo '"2026-11-30"' | jschema-check schema.json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "jdoc.h"
#include "jschema.h"

static void
show(const struct jschema_violation *v, void *ctx)
{
	(void)ctx;
	printf("  %s %s: %s\n", v->path[0] ? v->path : "\"\"", v->keyword,
	    v->message);
}

static void
one(const struct jschema *s, const char *line, size_t len, int verbose, int jd,
    struct jdoc *d, struct buf *wrap)
{
	json_error_t je;
	json_t *v =
	    json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	int ok;
	size_t n;

	if (v == NULL) {
		printf("error: %s\n", je.text);
		return;
	}
	ok = jschema_ok(s, v);
	n = jschema_check(s, v, NULL, NULL);
	printf("%s", (n == 0) != ok ? "inconsistent"
	             : ok           ? "valid"
	                            : "invalid");
	if (jd) {
		buf_reset(wrap);
		buf_adds(wrap, "{\"v\":");
		buf_add(wrap, line, len);
		buf_addc(wrap, '}');
		if (jdoc_parse(d, wrap->data, wrap->len) == 0)
			printf(
			    " jdoc=%s", jschema_ok_jdoc(s, d, d->nodes[0].child)
			                    ? "valid"
			                    : "invalid");
		else
			printf(" jdoc=-");
	}
	printf("\n");
	if (verbose && !ok)
		jschema_check(s, v, show, NULL);
	json_decref(v);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --time: the lines of in, checked rounds times on each path. */
static int
timed(const struct jschema *s, FILE *in, long rounds)
{
	struct buf text = BUF_INIT;
	size_t *ends = NULL, n = 0, cap = 0, i, passed;
	json_t **vals;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	struct jdoc d;
	double t0, t1;
	long r;

	while ((len = getline(&line, &lcap, in)) > 0) {
		if (line[len - 1] == '\n')
			len--;
		buf_add(&text, line, (size_t)len);
		if (n == cap)
			ends = xrealloc(
			    ends, (cap = cap ? 2 * cap : 1024) * sizeof(*ends));
		ends[n++] = text.len;
	}
	free(line);
	vals = xcalloc(n + 1, sizeof(*vals));
	t0 = now();
	for (i = 0; i < n; i++) {
		size_t start = i ? ends[i - 1] : 0;

		vals[i] = json_loadb(
		    text.data + start, ends[i] - start, JSON_DECODE_ANY, NULL);
	}
	t1 = now();
	printf("(jansson's parse, for scale: %zu values in %.3f s, %.0f "
	       "values/s)\n",
	    n, t1 - t0, (double)n / (t1 - t0));
	passed = 0;
	t0 = now();
	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			passed += vals[i] && jschema_ok(s, vals[i]);
	t1 = now();
	printf("jansson: %zu values in %.3f s, %.0f values/s, %zu passed\n",
	    n * (size_t)rounds, t1 - t0, (double)n * (double)rounds / (t1 - t0),
	    passed);
	jdoc_init(&d);
	passed = 0;
	t0 = now();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			size_t start = i ? ends[i - 1] : 0;

			if (jdoc_parse(
			        &d, text.data + start, ends[i] - start) == 0)
				passed += jschema_ok_jdoc(s, &d, 0);
		}
	}
	t1 = now();
	printf("jdoc (parse included): %zu values in %.3f s, %.0f values/s, "
	       "%zu passed\n",
	    n * (size_t)rounds, t1 - t0, (double)n * (double)rounds / (t1 - t0),
	    passed);
	jdoc_release(&d);
	for (i = 0; i < n; i++)
		json_decref(vals[i]);
	free(vals);
	free(ends);
	buf_release(&text);
	return 0;
}

int
main(int argc, char **argv)
{
	int verbose = 0, jd = 0, i = 1, rc;
	long rounds = 0;
	struct jschema_error err;
	struct jschema *s;
	json_error_t je;
	json_t *schema;
	FILE *in = stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct jdoc d;
	struct buf wrap = BUF_INIT;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "--jdoc"))
			jd = 1;
		else if (!strcmp(argv[i], "--time") && i + 1 < argc)
			rounds = strtol(argv[++i], NULL, 10);
		else
			break;
	}
	if (i >= argc || argc - i > 2) {
		fprintf(stderr, "usage: jschema-check [-v] [--jdoc] [--time N] "
		                "SCHEMA [FILE]\n");
		return 64;
	}
	schema = json_load_file(argv[i], JSON_DECODE_ANY, &je);
	if (schema == NULL) {
		fprintf(stderr, "jschema-check: %s:%d: %s\n", argv[i], je.line,
		    je.text);
		return 65;
	}
	if ((s = jschema_compile(schema, &err)) == NULL) {
		printf("refused: %s: %s\n", err.pointer, err.message);
		json_decref(schema);
		return 0;
	}
	json_decref(schema);
	if (argc - i == 2 && (in = fopen(argv[i + 1], "r")) == NULL) {
		perror(argv[i + 1]);
		jschema_free(s);
		return 66;
	}
	if (rounds > 0) {
		rc = timed(s, in, rounds);
		if (in != stdin)
			fclose(in);
		jschema_free(s);
		return rc;
	}
	jdoc_init(&d);
	while ((len = getline(&line, &cap, in)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		one(s, line, (size_t)len, verbose, jd, &d, &wrap);
	}
	free(line);
	jdoc_release(&d);
	buf_release(&wrap);
	if (in != stdin)
		fclose(in);
	jschema_free(s);
	return ferror(stdout) || fflush(stdout) ? 74 : 0;
}

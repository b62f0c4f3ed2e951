/*
 * Fuzz target: a schema and values, as the dictionary loader and validate
 * give them to common/jschema (and a pattern to common/esregex). The input
 * is a schema (JSON), a NUL byte, then values, one a line. The schema is
 * compiled or refused (a refusal names a pointer); each value is checked
 * by jschema_check() and jschema_ok(), which must agree, and, when its
 * line is canonical, by the jdoc entry points, which must give the same
 * answers. The schema's text is also tried as a pattern.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esregex.h"
#include "jdoc.h"
#include "jschema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
count(const struct jschema_violation *v, void *ctx)
{
	if (v->path == NULL || v->keyword == NULL || v->message == NULL)
		abort();
	(*(size_t *)ctx)++;
}

static void
one_value(const struct jschema *s, const char *line, size_t len, struct jdoc *d)
{
	json_t *v = json_loadb(line, len, JSON_DECODE_ANY, NULL);
	size_t seen = 0, n;

	if (v == NULL)
		return;
	n = jschema_check(s, v, count, &seen);
	if (n != seen || (n == 0) != jschema_ok(s, v))
		abort();
	if (json_is_object(v) && jdoc_parse(d, line, len) == 0) {
		seen = 0;
		if (jschema_check_jdoc(s, d, 0, count, &seen) != n ||
		    jschema_ok_jdoc(s, d, 0) != (n == 0))
			abort();
	}
	json_decref(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	/* A copy ending in NUL: the sanitizers' regexec reads up to one,
	 * REG_STARTEND or not, as the stages' line buffers all end. */
	char *copy = malloc(n + 1);
	const char *text = copy, *nul, *p, *e, *nl;
	struct jschema_error err;
	struct esregex re;
	struct jschema *s;
	char msg[200];
	json_t *j;
	struct jdoc d;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, n);
	copy[n] = '\0';
	nul = memchr(text, '\0', n);
	if (esregex_compile(&re, text, nul ? (size_t)(nul - text) : n, msg,
	        sizeof(msg)) == 0) {
		esregex_match(&re, text, n);
		esregex_free(&re);
	}
	j = json_loadb(
	    text, nul ? (size_t)(nul - text) : n, JSON_DECODE_ANY, NULL);
	if (j == NULL) {
		free(copy);
		return 0;
	}
	s = jschema_compile(j, &err);
	json_decref(j);
	if (s == NULL) {
		if (memchr(err.message, '\0', sizeof(err.message)) == NULL)
			abort();
		free(copy);
		return 0;
	}
	jdoc_init(&d);
	for (p = nul ? nul + 1 : text + n, e = text + n; p < e; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL)
			nl = e;
		one_value(s, p, (size_t)(nl - p), &d);
	}
	jdoc_release(&d);
	jschema_free(s);
	free(copy);
	return 0;
}

/*
 * JSON helpers for the unit tests: parse a known-good text, compare a value
 * with its expected compact text. Include after harness.h.
 */
#ifndef JSONCHECK_H
#define JSONCHECK_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Parses a JSON text that the test knows to be valid. */
static inline json_t *
parse(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);

	if (v == NULL) {
		fprintf(stderr, "bad test JSON: %s\n", err.text);
		abort();
	}
	return v;
}

/* Compares v, serialised compactly with keys in order, with want. */
static inline void
check_json(const json_t *v, const char *want, int line)
{
	char *got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (got == NULL || strcmp(got, want) != 0) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: got %s, want %s\n", __FILE__, line,
		    got ? got : "(null)", want);
	}
	free(got);
}

#define CHECK_JSON(v, want) check_json((v), (want), __LINE__)

#endif

/*
 * jschema: a JSON Schema (draft 7) subset, compiled once and checked
 * against many values.
 *
 * The subset is what a tracking plan needs (analytics/README.md lists it):
 * type (a name or a list of names; "integer" is a number with no fraction),
 * required, properties, additionalProperties (a boolean or a schema), enum,
 * const, pattern, minLength/maxLength (counted in Unicode code points),
 * minimum/maximum, exclusiveMinimum/exclusiveMaximum (numbers, as in draft
 * 6 and later), items (one schema), minItems/maxItems, format (date-time,
 * date, email, uuid, uri: checked, not only annotated), the boolean schemas
 * true and false, and the annotations description, title, examples,
 * default, $comment (read and ignored). Equality (enum, const) is JSON
 * equality: 1 and 1.0 are equal, key order does not matter.
 *
 * jschema_compile() refuses any other keyword, a keyword with a value of
 * the wrong kind, and a pattern using a feature outside the regular
 * expression subset (lookaround, back-reference, lazy quantifier, \b,
 * named group, \p{...}): the error names the JSON Pointer of the offending
 * keyword within the schema, so that a loader that knows where each value
 * of its file sits can say the line and the column. A pattern is
 * translated into a POSIX extended expression and compiled by regcomp(3);
 * it matches anywhere in the string unless anchored.
 *
 * jschema_check() finds every violation of a value (not only the first) and
 * calls back once per violation with the path of the value at fault (a
 * JSON Pointer into the checked value: "/properties/method", "" for the
 * value itself), the keyword that failed, and a short message in words.
 * jschema_ok() answers only whether there is any, and stops at the first:
 * the fast question for the common case, where nearly every value passes.
 *
 * A compiled schema is read-only: any number of threads may check values
 * with it at once.
 */
#ifndef JSCHEMA_H
#define JSCHEMA_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct jschema;
struct jdoc;

struct jschema_error {
	char pointer[512]; /* the keyword at fault, in the schema:
	                      "/properties/a/patern" */
	char message[256]; /* in words: "unknown keyword \"patern\"" */
};

struct jschema_violation {
	const char *path;    /* JSON Pointer into the checked value */
	const char *keyword; /* "enum", "required", "type", ... */
	const char *message; /* "\"fax\" is not one of the allowed values" */
};

typedef void (*jschema_fn)(const struct jschema_violation *v, void *ctx);

/* Compiles schema (borrowed; not kept). NULL with *err filled on refusal. */
struct jschema *jschema_compile(
    const json_t *schema, struct jschema_error *err);

void jschema_free(struct jschema *s);

/* Every violation of value, through fn; returns how many there were. */
size_t jschema_check(
    const struct jschema *s, const json_t *value, jschema_fn fn, void *ctx);

/* 1 when value satisfies the schema, else 0. */
int jschema_ok(const struct jschema *s, const json_t *value);

/*
 * The same two questions on the value at node (0: the root object) of a
 * jdoc index (jdoc.h: a canonical line, indexed without a jansson tree),
 * answered by the same evaluation as above: for a line jdoc_parse()
 * accepts, the answers and violations are those of jschema_check() and
 * jschema_ok() on the line parsed by jansson.
 */
size_t jschema_check_jdoc(const struct jschema *s, const struct jdoc *d,
    uint32_t node, jschema_fn fn, void *ctx);
int jschema_ok_jdoc(
    const struct jschema *s, const struct jdoc *d, uint32_t node);

#endif

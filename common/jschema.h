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
 * equality: 1 and 1.0 are equal, true is not 1, key order does not matter.
 * Each format's rule is in jformat.h (date-time: RFC 3339 with calendar
 * and clock checked, second 60 only at 23:59:60 UTC; email: one "@", no
 * space, no empty dot-separated part; uuid: 8-4-4-4-12 hex digits; uri:
 * an absolute RFC 3986 URI); the pattern subset is in esregex.h.
 *
 * jschema_compile() refuses any other keyword, a keyword with a value of
 * the wrong kind, and a pattern using a feature outside the regular
 * expression subset (lookaround, back-reference, lazy quantifier, \b,
 * named group, \p{...}): the error names the JSON Pointer of the offending
 * keyword within the schema ("/properties/a/patern"; "" for the schema
 * itself, when it is neither an object nor a boolean), so that a loader
 * that knows where each value of its file sits can say the line and the
 * column. Keywords of draft 7 outside the subset are named as such
 * ("keyword \"anyOf\" is not in the subset"), others as unknown. A pattern
 * is translated into a POSIX extended expression and compiled by
 * regcomp(3), once; it matches anywhere in the string unless anchored.
 *
 * jschema_check() finds every violation of a value (not only the first) and
 * calls back once per violation with the path of the value at fault (a
 * JSON Pointer into the checked value: "/properties/method", "" for the
 * value itself), the keyword that failed, and a short message in words.
 * jschema_ok() answers only whether there is any, and stops at the first:
 * the fast question for the common case, where nearly every value passes.
 * Violations come in the order of the schema's keywords as checked: type,
 * enum, const, then the string, number, array or object keywords; within
 * an object, required (one violation per missing name, at the object's
 * path), then the members. What each names:
 *
 *   - required: the object's path; message "\"NAME\" is required";
 *   - additionalProperties (false): the object's path, one violation per
 *     property not allowed, "property \"NAME\" is not allowed"; with a
 *     schema, that schema's own violations at the property's path;
 *   - the boolean schema false elsewhere (a property's schema, items, the
 *     whole schema): keyword "false", at the value it was given;
 *   - every other keyword: its own name, at the value it checks.
 *
 * The message and path are valid only during the callback. jschema_ok()
 * allocates nothing per value itself (properties are found through a hash
 * table made at compile time, patterns are compiled once); the C
 * library's regexec allocates its own state per match. jschema_check()
 * keeps the path in a buffer of its own.
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

/*
 * Every violation of value, through fn (NULL: only counted); returns how
 * many there were.
 */
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

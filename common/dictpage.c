/*
 * dictpage: the dictionary rendered as Markdown (see dictpage.h). It reads
 * the dictionary's tree, which dictionary_load() has checked whole, so
 * every key it meets is one the format knows.
 */
#include <stdlib.h>
#include <string.h>

#include "dictpage.h"

/* Appends s for a table cell: "|" escaped, line ends as spaces. */
static void
cell(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			buf_adds(out, "\\|");
		else if (*s == '\n' || *s == '\r')
			buf_addc(out, ' ');
		else
			buf_addc(out, *s);
	}
}

/* A value in a cell: a string as written, anything else as JSON. */
static void
value(struct buf *out, const json_t *v)
{
	char *s;

	buf_addc(out, '`');
	if (json_is_string(v)) {
		cell(out, json_string_value(v));
	} else {
		s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		cell(out, s ? s : "?");
		free(s);
	}
	buf_addc(out, '`');
}

static void
sep(struct buf *out, int *n)
{
	if ((*n)++)
		buf_adds(out, "; ");
}

static const char *
type_of(const json_t *schema, struct buf *tmp)
{
	const json_t *t = json_object_get(schema, "type"), *v;
	size_t i;

	buf_reset(tmp);
	buf_add(tmp, "", 0);
	if (json_is_string(t))
		buf_adds(tmp, json_string_value(t));
	else if (json_is_array(t)) {
		json_array_foreach(t, i, v)
		{
			buf_printf(
			    tmp, "%s%s", i ? " or " : "", json_string_value(v));
		}
	} else if (json_is_true(schema) ||
	           (json_is_object(schema) && json_object_size(schema) == 0))
		buf_adds(tmp, "any");
	else if (json_is_false(schema))
		buf_adds(tmp, "none allowed");
	else if (json_object_get(schema, "enum") ||
	         json_object_get(schema, "const"))
		buf_adds(tmp, "listed values");
	else
		buf_adds(tmp, "any");
	return tmp->data;
}

static void constraints(struct buf *out, const json_t *schema, int *n);

/* minX and maxX as words ("8 to 64 characters"). */
static void
range(struct buf *out, const json_t *s, const char *lo, const char *hi,
    const char *unit, int *n)
{
	const json_t *a = json_object_get(s, lo), *b = json_object_get(s, hi);

	if (!a && !b)
		return;
	sep(out, n);
	if (a && b)
		buf_printf(out,
		    "%" JSON_INTEGER_FORMAT " to %" JSON_INTEGER_FORMAT " %s",
		    json_integer_value(a), json_integer_value(b), unit);
	else if (a)
		buf_printf(out, "at least %" JSON_INTEGER_FORMAT " %s",
		    json_integer_value(a), unit);
	else
		buf_printf(out, "at most %" JSON_INTEGER_FORMAT " %s",
		    json_integer_value(b), unit);
}

/* One bound: "minimum" as ">= 0". */
static void
bound(struct buf *out, const json_t *schema, const char *key, const char *op,
    int *n)
{
	const json_t *v = json_object_get(schema, key);
	char *s;

	if (!v)
		return;
	sep(out, n);
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	buf_printf(out, "%s %s", op, s ? s : "?");
	free(s);
}

static void
list(struct buf *out, const json_t *a)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		if (i)
			buf_adds(out, ", ");
		value(out, v);
	}
}

static void
object_constraints(struct buf *out, const json_t *s, int *n)
{
	const json_t *props = json_object_get(s, "properties"), *v;
	const json_t *ap = json_object_get(s, "additionalProperties");
	struct buf tmp = BUF_INIT;
	const char *k;
	int m;

	if (json_object_get(s, "required")) {
		sep(out, n);
		buf_adds(out, "requires ");
		list(out, json_object_get(s, "required"));
	}
	json_object_foreach((json_t *)props, k, v)
	{
		sep(out, n);
		buf_printf(out, "`");
		cell(out, k);
		buf_printf(out, "`: %s", type_of(v, &tmp));
		m = 0;
		buf_adds(out, " (");
		constraints(out, v, &m);
		if (m == 0)
			out->len -= 2, out->data[out->len] = '\0';
		else
			buf_addc(out, ')');
	}
	if (json_is_false(ap)) {
		sep(out, n);
		buf_adds(out, "no other properties");
	} else if (json_is_object(ap)) {
		sep(out, n);
		buf_printf(out, "other properties: %s", type_of(ap, &tmp));
	}
	buf_release(&tmp);
}

/* The schema's constraints in words, "; " between them. */
static void
constraints(struct buf *out, const json_t *s, int *n)
{
	const json_t *v;
	struct buf tmp = BUF_INIT;
	int m = 0;

	if (!json_is_object(s))
		return;
	if ((v = json_object_get(s, "enum"))) {
		sep(out, n);
		buf_adds(out, "one of ");
		list(out, v);
	}
	if ((v = json_object_get(s, "const"))) {
		sep(out, n);
		buf_adds(out, "exactly ");
		value(out, v);
	}
	if ((v = json_object_get(s, "format"))) {
		sep(out, n);
		buf_adds(out, "format ");
		value(out, v);
	}
	if ((v = json_object_get(s, "pattern"))) {
		sep(out, n);
		buf_adds(out, "matches ");
		value(out, v);
	}
	range(out, s, "minLength", "maxLength", "characters", n);
	bound(out, s, "minimum", ">=", n);
	bound(out, s, "exclusiveMinimum", ">", n);
	bound(out, s, "maximum", "<=", n);
	bound(out, s, "exclusiveMaximum", "<", n);
	range(out, s, "minItems", "maxItems", "items", n);
	if ((v = json_object_get(s, "items"))) {
		sep(out, n);
		buf_printf(out, "items: %s", type_of(v, &tmp));
		buf_adds(out, " (");
		constraints(out, v, &m);
		if (m == 0)
			out->len -= 2, out->data[out->len] = '\0';
		else
			buf_addc(out, ')');
	}
	object_constraints(out, s, n);
	buf_release(&tmp);
}

static int
listed(const json_t *names, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
	{
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), name) == 0)
			return 1;
	}
	return 0;
}

/* The table of an object's properties (the metadata's or an event's). */
static void
table(struct buf *out, const json_t *obj, const char *dflt)
{
	const json_t *props = json_object_get(obj, "properties");
	const json_t *req = json_object_get(obj, "required"), *r, *act;
	struct buf tmp = BUF_INIT;
	const char *k;
	int n;

	if (json_object_size(props) == 0) {
		buf_adds(out, "No properties.\n\n");
		return;
	}
	buf_adds(out, "| property | type | constraints | violation | "
	              "description |\n|---|---|---|---|---|\n");
	json_object_foreach((json_t *)props, k, r)
	{
		const json_t *schema = json_object_get(r, "schema");
		buf_adds(out, "| `");
		cell(out, k);
		buf_printf(out, "` | %s | ", type_of(schema, &tmp));
		n = 0;
		if (listed(req, k)) {
			sep(out, &n);
			buf_adds(out, "required");
		}
		constraints(out, schema, &n);
		act = json_object_get(r, "violation");
		buf_printf(
		    out, " | %s | ", act ? json_string_value(act) : dflt);
		cell(out, json_string_value(json_object_get(r, "description")));
		buf_adds(out, " |\n");
	}
	buf_adds(out, "\n");
	buf_release(&tmp);
}

static const char *
str(const json_t *obj, const char *key, const char *dflt)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

static void
head(struct buf *out, const json_t *root)
{
	const json_t *v;

	buf_adds(out, "# The data dictionary\n\n");
	buf_adds(out, "<!-- Rendered from the dictionary by `validate "
	              "--markdown` (`make dictionary`): edit the dictionary, "
	              "not this page. -->\n\n");
	if ((v = json_object_get(root, "about")))
		buf_printf(out, "%s\n\n", json_string_value(v));
	if ((v = json_object_get(root, "version")))
		buf_printf(out, "Version %" JSON_INTEGER_FORMAT ". ",
		    json_integer_value(v));
	buf_printf(out,
	    "A violation does `%s` unless its rule or its event "
	    "says otherwise: `flag` lets the event go on, "
	    "recorded in `_meta.violations`; `omit` removes the "
	    "property; `block` sets the event aside. An event the "
	    "dictionary does not list: `%s`.",
	    str(root, "violation", "block"),
	    str(root, "unknown_event", "block"));
	if ((v = json_object_get(root, "conversions")) && json_array_size(v)) {
		buf_adds(out, " Conversions (what attribution credits): ");
		list(out, v);
		buf_adds(out, ".");
	}
	buf_adds(out, "\n\n");
}

int
dictpage_render(const struct dictionary *d, struct buf *out)
{
	const json_t *root = dictionary_json(d);
	const json_t *meta = json_object_get(root, "metadata"), *e, *v;
	const json_t *events = json_object_get(root, "events");
	const char *dflt = str(root, "violation", "block"), *k, *ed;

	head(out, root);
	buf_printf(out, "## Every event: the metadata\n\n%s\n\n",
	    str(meta, "description", ""));
	if ((v = json_object_get(meta, "identity")) && json_array_size(v)) {
		buf_adds(out, "Who: at least one of ");
		list(out, v);
		buf_adds(out, " has a value (not null). ");
	}
	buf_printf(out,
	    "A top-level key not listed here (but `_meta`, the "
	    "project's side object) is a violation (`%s`).\n\n",
	    dflt);
	table(out, meta, dflt);
	buf_adds(out, "## The events\n\n");
	json_object_foreach((json_t *)events, k, e)
	{
		buf_printf(out, "- [`%s`](#%s): %s\n", k, k,
		    str(e, "description", ""));
	}
	buf_adds(out, "\n");
	json_object_foreach((json_t *)events, k, e)
	{
		ed = str(e, "violation", dflt);
		buf_printf(
		    out, "### %s\n\n%s\n\n", k, str(e, "description", ""));
		buf_printf(out,
		    "In `properties`. A violation does `%s` unless "
		    "its rule says otherwise. ",
		    ed);
		if (json_is_false(json_object_get(e, "additionalProperties")))
			buf_printf(out,
			    "A property not listed is a violation "
			    "(`%s`).",
			    ed);
		else
			buf_adds(out, "Properties not listed are allowed.");
		buf_adds(out, "\n\n");
		table(out, e, ed);
	}
	return out->len < out->max ? 0 : -1;
}

/* Vendor files; see vendor.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vendor.h"

#ifndef SLUICE_VENDORS_DIR
#define SLUICE_VENDORS_DIR "vendors"
#endif

/* clang-format off */
static const char *const top_keys[] = {
	"export", "pipeline", "shape", "rank", "user_rank", "rules",
	"default", "defaults", "delivery", "receive", NULL,
};
static const char *const export_keys[] = {
	"title", "source", "encoding", "delimiter", "fetch", "receive",
	"options", "rejects_csv", NULL,
};
static const char *const option_keys[] = {
	"about", "required", "one_of", "list", "example", NULL,
};
static const char *const delivery_keys[] = {
	"key", "keep", "rank", "match_detail", "member", "table", "action",
	"post_fields", NULL,
};
/* clang-format on */

static int bad(struct buf *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(struct buf *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	buf_printf(err, "%s: ", path);
	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
vendor_dir(void)
{
	const char *dir = getenv("SLUICE_VENDORS");

	return dir && *dir ? dir : SLUICE_VENDORS_DIR;
}

void
vendor_path(const char *which, struct buf *out)
{
	size_t n = strlen(which);

	buf_reset(out);
	if (strchr(which, '/') ||
	    (n >= 5 && strcmp(which + n - 5, ".json") == 0)) {
		buf_adds(out, which);
		return;
	}
	buf_printf(out, "%s/%s/vendor.json", vendor_dir(), which);
}

/* The vendor's name: its folder's for a vendor.json, else the file's. */
static char *
name_of(const char *path)
{
	const char *base = strrchr(path, '/'), *dir;
	size_t n;

	base = base ? base + 1 : path;
	if (strcmp(base, "vendor.json") == 0 && base > path + 1) {
		for (dir = base - 1; dir > path && dir[-1] != '/'; dir--)
			;
		n = (size_t)(base - 1 - dir);
	} else {
		dir = base;
		n = strcspn(base, ".");
	}
	return memcpy(xcalloc(n + 1, 1), dir, n);
}

/* Refuses a key of obj that is neither in allowed nor a comment. */
static int
known_keys(const json_t *obj, const char *const *allowed, const char *what,
    const char *path, struct buf *err)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)obj, key, v)
	{
		if (key[0] == '_')
			continue;
		for (i = 0; allowed[i] && strcmp(allowed[i], key) != 0; i++)
			;
		if (allowed[i] == NULL)
			return bad(err, path,
			    "%s%s%s: not a key of a vendor file", what,
			    *what ? "." : "", key);
	}
	(void)v;
	return 0;
}

/* A string member of obj (NULL when absent), or -1 for another type. */
static int
text(const json_t *obj, const char *key, const char **out, const char *what,
    const char *path, struct buf *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return bad(
		    err, path, "%s.%s: must be a non-empty string", what, key);
	*out = json_string_value(v);
	return 0;
}

/*
 * A list of names as the stages' options take it, "a,b,c" (NULL when
 * absent); -1 for anything else, or a name holding a comma.
 */
static int
names(const json_t *obj, const char *key, char **out, const char *what,
    const char *path, struct buf *err)
{
	json_t *v = json_object_get(obj, key), *e;
	struct buf b = BUF_INIT;
	size_t i;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_array(v) || json_array_size(v) == 0)
		goto wrong;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e) || json_string_length(e) == 0 ||
		    strchr(json_string_value(e), ','))
			goto wrong;
		if (i)
			buf_addc(&b, ',');
		buf_adds(&b, json_string_value(e));
	}
	*out = b.data;
	return 0;
wrong:
	buf_release(&b);
	return bad(err, path,
	    "%s.%s: must be a list of names (strings without commas)", what,
	    key);
}

/* match_detail: a name, or a list of names ("a,b" either way). */
static int
detail_names(const json_t *d, char **out, const char *path, struct buf *err)
{
	const char *one;

	if (json_is_array(json_object_get(d, "match_detail")))
		return names(d, "match_detail", out, "delivery", path, err);
	if (text(d, "match_detail", &one, "delivery", path, err) < 0)
		return -1;
	if (one && strchr(one, ','))
		return bad(err, path,
		    "delivery.match_detail: a name holds no comma (give a list)");
	*out = one ? xstrdup(one) : NULL;
	return 0;
}

/*
 * delivery.action: {"filter": {NAME: FIELD or {"const": V}, ...}}, each
 * FIELD a non-empty string, each V a string or an integer.
 */
static int
action_filter(const json_t *d, const char *path, struct buf *err)
{
	json_t *a = json_object_get(d, "action"), *f, *v, *c;
	const char *name;

	if (a == NULL)
		return 0;
	f = json_object_get(a, "filter");
	if (!json_is_object(a) || json_object_size(a) != 1 ||
	    !json_is_object(f) || json_object_size(f) == 0)
		return bad(err, path,
		    "delivery.action: must be {\"filter\": {NAME: FIELD, ...}}");
	json_object_foreach(f, name, v)
	{
		c = json_object_get(v, "const");
		if ((json_is_string(v) && json_string_length(v) > 0) ||
		    (json_is_object(v) && json_object_size(v) == 1 &&
		        (json_is_string(c) || json_is_integer(c))))
			continue;
		return bad(err, path,
		    "delivery.action.filter.%s: must be a record's field or "
		    "{\"const\": V}",
		    name);
	}
	return 0;
}

static int
load_export(struct vendor *v, struct buf *err)
{
	json_t *e = json_object_get(v->root, "export");

	if (e == NULL)
		return 0;
	if (!json_is_object(e))
		return bad(err, v->path, "export: must be an object");
	if (known_keys(e, export_keys, "export", v->path, err) < 0 ||
	    text(e, "title", &v->title, "export", v->path, err) < 0 ||
	    text(e, "source", &v->source, "export", v->path, err) < 0 ||
	    text(e, "encoding", &v->encoding, "export", v->path, err) < 0 ||
	    text(e, "delimiter", &v->delimiter, "export", v->path, err) < 0 ||
	    text(e, "fetch", &v->fetch, "export", v->path, err) < 0 ||
	    names(e, "rejects_csv", &v->rejects_csv, "export", v->path, err) <
	        0)
		return -1;
	if (json_object_get(e, "receive")) {
		if (!json_is_boolean(json_object_get(e, "receive")))
			return bad(err, v->path,
			    "export.receive: must be true or false");
		v->received = json_is_true(json_object_get(e, "receive"));
	}
	return 0;
}

/* export.options: {NAME: {"about", "required", "one_of"}, ...}. */
static int
load_options(struct vendor *v, struct buf *err)
{
	const char *name;
	json_t *o, *e;
	size_t i;

	v->options =
	    json_object_get(json_object_get(v->root, "export"), "options");
	if (v->options == NULL)
		return 0;
	if (!json_is_object(v->options))
		return bad(err, v->path, "export.options: must be an object");
	json_object_foreach(v->options, name, o)
	{
		if (!json_is_object(o))
			return bad(err, v->path,
			    "export.options.%s: must be an object", name);
		if (known_keys(o, option_keys, "export.options", v->path, err) <
		    0)
			return -1;
		e = json_object_get(o, "required");
		if (e && !json_is_boolean(e))
			return bad(err, v->path,
			    "export.options.%s.required: must be true or "
			    "false",
			    name);
		e = json_object_get(o, "list");
		if (e && !json_is_boolean(e))
			return bad(err, v->path,
			    "export.options.%s.list: must be true or false",
			    name);
		e = json_object_get(o, "one_of");
		if (e && (!json_is_array(e) || json_array_size(e) == 0))
			return bad(err, v->path,
			    "export.options.%s.one_of: must be a list of "
			    "values",
			    name);
		json_array_foreach(e, i, o)
		{
			if (!json_is_string(o))
				return bad(err, v->path,
				    "export.options.%s.one_of[%zu]: must be "
				    "a string",
				    name, i);
		}
	}
	return 0;
}

/* The option's one_of as "a, b, c" into out. */
static void
choices(const json_t *opt, struct buf *out)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(opt, "one_of"), i, e)
	{
		if (i)
			buf_adds(out, ", ");
		buf_adds(out, json_string_value(e));
	}
}

int
vendor_set(struct vendor *v, const char *assignment, struct buf *err)
{
	const char *eq = strchr(assignment, '=');
	const json_t *opt, *e;
	char *name;
	size_t i;
	int ok;

	if (eq == NULL || eq == assignment) {
		buf_printf(err, "--set %s: must be NAME=VALUE", assignment);
		return -1;
	}
	name = xstrdup(assignment);
	name[eq - assignment] = '\0';
	if ((opt = json_object_get(v->options, name)) == NULL) {
		buf_printf(err, "--set %s: %s declares no option '%s'",
		    assignment, v->path, name);
		free(name);
		return -1;
	}
	ok = json_object_get(opt, "one_of") == NULL;
	json_array_foreach(json_object_get(opt, "one_of"), i, e)
	{
		ok |= strcmp(json_string_value(e), eq + 1) == 0;
	}
	if (!ok) {
		buf_printf(
		    err, "--set %s: '%s' must be one of ", assignment, name);
		choices(opt, err);
		free(name);
		return -1;
	}
	if (v->defaults == NULL) {
		v->defaults = json_object();
		json_object_set_new(v->root, "defaults", v->defaults);
		v->map.defaults = v->defaults;
	}
	json_object_set_new(v->defaults, name,
	    json_is_true(json_object_get(opt, "list"))
	        ? json_pack("[s]", eq + 1)
	        : json_string(eq + 1));
	free(name);
	return 0;
}

int
vendor_options_given(const struct vendor *v, struct buf *err)
{
	const char *name;
	const json_t *opt;

	json_object_foreach(v->options, name, opt)
	{
		if (!json_is_true(json_object_get(opt, "required")) ||
		    json_object_get(v->defaults, name))
			continue;
		buf_printf(err, "%s needs --set %s=VALUE", v->title, name);
		if (json_object_get(opt, "about"))
			buf_printf(err, " (%s)",
			    json_string_value(json_object_get(opt, "about")));
		if (json_object_get(opt, "one_of")) {
			buf_adds(err, ", one of ");
			choices(opt, err);
		}
		return -1;
	}
	return 0;
}

static int
load_delivery(struct vendor *v, struct buf *err)
{
	json_t *d = json_object_get(v->root, "delivery");
	const char *p = v->path;

	buf_printf(err, "%s: ", p);
	if (memberrules_load(&v->member, json_object_get(d, "member"),
	        "delivery.member", err) < 0)
		return -1;
	buf_reset(err);
	if (d == NULL)
		return 0;
	if (!json_is_object(d))
		return bad(err, p, "delivery: must be an object");
	if (known_keys(d, delivery_keys, "delivery", p, err) < 0 ||
	    names(d, "key", &v->key, "delivery", p, err) < 0 ||
	    text(d, "keep", &v->keep, "delivery", p, err) < 0 ||
	    text(d, "rank", &v->rank, "delivery", p, err) < 0 ||
	    detail_names(d, &v->match_detail, p, err) < 0 ||
	    names(d, "post_fields", &v->post_fields, "delivery", p, err) < 0 ||
	    action_filter(d, p, err) < 0 ||
	    text(d, "table", &v->table, "delivery", p, err) < 0)
		return -1;
	v->action_filter =
	    json_object_get(json_object_get(d, "action"), "filter");
	return 0;
}

static int
load_pipeline(struct vendor *v, struct buf *err)
{
	json_t *p = json_object_get(v->root, "pipeline"), *e;
	size_t i;

	if (p == NULL)
		return 0;
	if (!json_is_array(p))
		return bad(err, v->path, "pipeline: must be a list of stages");
	json_array_foreach(p, i, e)
	{
		if (!json_is_string(e))
			return bad(err, v->path,
			    "pipeline[%zu]: must be a stage's name", i);
	}
	return 0;
}

int
vendor_load(struct vendor *v, const char *which, struct buf *err)
{
	struct buf path = BUF_INIT;
	int rc;

	memset(v, 0, sizeof(*v));
	vendor_path(which, &path);
	v->path = path.data;
	v->name = name_of(v->path);
	/* The map's loader reads the file (and says where JSON that does
	 * not parse goes wrong); the rest of the file is read from its root. */
	if ((rc = map_load(&v->map, v->path, err)) < 0)
		return rc;
	v->root = json_incref(v->map.root);
	if (known_keys(v->root, top_keys, "", v->path, err) < 0 ||
	    load_export(v, err) < 0 || load_options(v, err) < 0 ||
	    load_delivery(v, err) < 0 || load_pipeline(v, err) < 0)
		return -1;
	v->shape = json_object_get(v->root, "shape");
	v->receive = json_object_get(v->root, "receive");
	v->defaults = v->map.defaults;
	if (v->shape && !json_is_object(v->shape))
		return bad(err, v->path, "shape: must be an object");
	if (v->title == NULL)
		v->title = v->name;
	return 0;
}

void
vendor_release(struct vendor *v)
{
	map_release(&v->map);
	json_decref(v->root);
	free(v->path);
	free(v->name);
	free(v->key);
	free(v->match_detail);
	free(v->post_fields);
	memberrules_release(&v->member);
	free(v->rejects_csv);
	memset(v, 0, sizeof(*v));
}

json_t *
vendor_names(const char *names)
{
	json_t *list = json_array();
	const char *p, *comma;

	for (p = names; *p; p = *comma ? comma + 1 : comma) {
		comma = p + strcspn(p, ",");
		if (comma > p)
			json_array_append_new(
			    list, json_stringn(p, (size_t)(comma - p)));
	}
	return list;
}

/* A member's rules as data; see memberrules.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"
#include "memberrules.h"
#include "reckey.h"

static const char *const rule_names[] = {
    "rank", "union", "minus", "set", "fill", NULL};

static int bad(struct buf *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad(struct buf *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Refuses a key of obj not in allowed (and not a "_" comment). */
static int
only_keys(const json_t *obj, const char *const *allowed, const char *what,
    struct buf *err)
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
			return bad(err, "%s.%s: not a key of a vendor file",
			    what, key);
	}
	(void)v;
	return 0;
}

static int
check_when(const json_t *when, const char *what, struct buf *err)
{
	const char *key;
	json_t *v;

	if (when == NULL)
		return 0;
	if (!json_is_object(when))
		return bad(err, "%s.when: must be an object", what);
	json_object_foreach((json_t *)when, key, v)
	{
		if (!map_when_value_ok(v))
			return bad(err,
			    "%s.when.%s: must be a string, a list of "
			    "strings, true, false or null",
			    what, key);
	}
	return 0;
}

static int
all_strings(const json_t *v)
{
	const json_t *e;
	size_t i;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			return 0;
	}
	return 1;
}

/* One rule: a name, {"rule", "values", "when"} or {"table", "when"}. */
static int
check_rule(const json_t *r, int in_list, const char *what, struct buf *err)
{
	static const char *const keys[] = {
	    "rule", "values", "table", "when", NULL};
	const json_t *name = r, *t, *row, *cell;
	const char *k, *k2;
	size_t i;

	if (json_is_object(r)) {
		if (only_keys(r, keys, what, err) < 0 ||
		    check_when(json_object_get(r, "when"), what, err) < 0)
			return -1;
		if (!in_list && json_object_get(r, "when"))
			return bad(err,
			    "%s.when: only in a list of rules (the first "
			    "whose when holds applies)",
			    what);
		if ((t = json_object_get(r, "table")) != NULL) {
			if (json_object_get(r, "rule"))
				return bad(err,
				    "%s: a table or a rule, not both", what);
			if (!json_is_object(t))
				return bad(
				    err, "%s.table: must be an object", what);
			json_object_foreach((json_t *)t, k, row)
			{
				if (!json_is_object(row))
					return bad(err,
					    "%s.table.%s: must be an object "
					    "of MEMBER: NEW",
					    what, k);
				json_object_foreach((json_t *)row, k2, cell)
				{
					if (!json_is_string(cell))
						return bad(err,
						    "%s.table.%s.%s: must be "
						    "a string",
						    what, k, k2);
				}
			}
			return 0;
		}
		name = json_object_get(r, "rule");
		t = json_object_get(r, "values");
		if (t && !all_strings(t))
			return bad(
			    err, "%s.values: must be a list of strings", what);
	} else {
		t = NULL;
	}
	for (i = 0; rule_names[i] &&
	            !(json_is_string(name) &&
	                strcmp(json_string_value(name), rule_names[i]) == 0);
	     i++)
		;
	if (rule_names[i] == NULL)
		return bad(err,
		    "%s: must be rank, union, minus, set, fill, a "
		    "{\"rule\": ...} or a {\"table\": ...}",
		    what);
	if (strcmp(rule_names[i], "minus") == 0 && t == NULL)
		return bad(err, "%s: minus needs \"values\"", what);
	return 0;
}

static int
check_field(const json_t *r, const char *what, struct buf *err)
{
	struct buf w = BUF_INIT;
	const json_t *e;
	size_t i;
	int rc = 0;

	if (!json_is_array(r))
		return check_rule(r, 0, what, err);
	if (json_array_size(r) == 0)
		return bad(err, "%s: an empty list of rules", what);
	json_array_foreach(r, i, e)
	{
		buf_reset(&w);
		buf_printf(&w, "%s[%zu]", what, i);
		if (!json_is_object(e)) {
			rc = bad(err, "%s: must be an object", w.data);
			break;
		}
		if ((rc = check_rule(e, 1, w.data, err)) < 0)
			break;
	}
	buf_release(&w);
	return rc;
}

/* Adds name to the sorted list of touched fields unless it is there. */
static void
touch(json_t *list, const char *name)
{
	size_t i;
	int c = 1;

	for (i = 0; i < json_array_size(list); i++) {
		c = strcmp(json_string_value(json_array_get(list, i)), name);
		if (c >= 0)
			break;
	}
	if (c != 0)
		json_array_insert_new(list, i, json_string(name));
}

static int
load_set(struct memberrules *m, struct mr_set *s, const json_t *j,
    const char *what, struct buf *err)
{
	static const char *const keys[] = {
	    "name", "when", "once", "target", "fields", NULL};
	const json_t *once, *e, *t;
	const char *k;
	struct buf w = BUF_INIT, spec = BUF_INIT;
	struct reckey rk;
	size_t i;
	int rc = -1;

	if (!json_is_object(j)) {
		bad(err, "%s: must be an object", what);
		goto out;
	}
	if (only_keys(j, keys, what, err) < 0 ||
	    check_when(json_object_get(j, "when"), what, err) < 0)
		goto out;
	s->name = json_string_value(json_object_get(j, "name"));
	if (s->name == NULL || *s->name == '\0') {
		bad(err, "%s.name: must be a non-empty string", what);
		goto out;
	}
	s->when = json_object_get(j, "when");
	if ((t = json_object_get(j, "target")) != NULL) {
		if (!json_is_string(t) ||
		    strcmp(json_string_value(t), "mobile-owner") != 0) {
			bad(err,
			    "%s.target: the only target is \"mobile-owner\"",
			    what);
			goto out;
		}
		s->mobile_owner = 1;
		touch(m->touched, "mobile");
	}
	if ((once = json_object_get(j, "once")) != NULL) {
		if (!all_strings(once) || json_array_size(once) == 0)
			goto bad_once;
		json_array_foreach(once, i, e)
		{
			if (i)
				buf_addc(&spec, ',');
			buf_adds(&spec, json_string_value(e));
		}
		if (strchr(spec.data, ',') &&
		    json_array_size(once) == 1) /* a comma inside a path */
			goto bad_once;
		if (reckey_parse(&rk, spec.data) < 0) {
			reckey_release(&rk);
			goto bad_once;
		}
		reckey_release(&rk);
		s->once = xstrdup(spec.data);
	}
	s->fields = json_object_get(j, "fields");
	if (!json_is_object(s->fields) || json_object_size(s->fields) == 0) {
		bad(err, "%s.fields: must be an object of FIELD: RULE", what);
		goto out;
	}
	json_object_foreach((json_t *)s->fields, k, e)
	{
		buf_reset(&w);
		buf_printf(&w, "%s.fields.%s", what, k);
		if (check_field(e, w.data, err) < 0)
			goto out;
		touch(m->touched, k);
	}
	rc = 0;
	goto out;
bad_once:
	bad(err,
	    "%s.once: must be a list of field paths (a key, without "
	    "commas)",
	    what);
out:
	buf_release(&w);
	buf_release(&spec);
	return rc;
}

static int
load_action(
    struct mr_action *a, const json_t *j, const char *what, struct buf *err)
{
	static const char *const keys[] = {
	    "do", "created", "when", "type", "type_by", NULL};
	const char *k, *d = json_string_value(json_object_get(j, "do"));
	const json_t *by, *c, *v;

	if (!json_is_object(j))
		return bad(err, "%s: must be an object", what);
	if (only_keys(j, keys, what, err) < 0 ||
	    check_when(json_object_get(j, "when"), what, err) < 0)
		return -1;
	a->when = json_object_get(j, "when");
	c = json_object_get(j, "created");
	if (c && !json_is_boolean(c))
		return bad(err, "%s.created: must be true or false", what);
	a->created = json_is_true(c);
	if (d && strcmp(d, "mute-promotions") == 0) {
		a->kind = MR_MUTE;
		if (json_object_get(j, "type") || json_object_get(j, "type_by"))
			return bad(
			    err, "%s: mute-promotions takes no type", what);
		return 0;
	}
	if (d == NULL || strcmp(d, "activate") != 0)
		return bad(
		    err, "%s.do: must be activate or mute-promotions", what);
	a->kind = MR_ACTIVATE;
	a->type = json_string_value(json_object_get(j, "type"));
	by = json_object_get(j, "type_by");
	if ((a->type == NULL) == (by == NULL) || (a->type && *a->type == '\0'))
		return bad(err,
		    "%s: activate needs a \"type\" (a non-empty string) or a "
		    "\"type_by\", one of them",
		    what);
	if (by == NULL)
		return 0;
	a->type_field = json_string_value(json_object_get(by, "field"));
	a->type_map = json_object_get(by, "map");
	if (!json_is_object(by) || a->type_field == NULL ||
	    *a->type_field == '\0' || !json_is_object(a->type_map) ||
	    json_object_size(by) != 2)
		return bad(err,
		    "%s.type_by: must be {\"field\": PATH, \"map\": "
		    "{VALUE: TYPE}}",
		    what);
	json_object_foreach((json_t *)a->type_map, k, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0)
			return bad(err,
			    "%s.type_by.map.%s: must be a non-empty string",
			    what, k);
	}
	return 0;
}

static int
load_find(
    struct memberrules *m, const json_t *f, const char *what, struct buf *err)
{
	static const char *const names[] = {"id", "email", "mobile"};
	const json_t *e;
	size_t i, k, seen = 0;

	if (!json_is_array(f) || json_array_size(f) > 3)
		return bad(
		    err, "%s.find: must be a list of id, email, mobile", what);
	json_array_foreach(f, i, e)
	{
		for (k = 0;
		     k < 3 && !(json_is_string(e) &&
		                  strcmp(json_string_value(e), names[k]) == 0);
		     k++)
			;
		if (k == 3 || (seen & (1u << k)))
			return bad(err,
			    "%s.find[%zu]: must be id, email or mobile, "
			    "each once",
			    what, i);
		seen |= 1u << k;
		m->find[m->nfind++] = (enum mr_find)k;
	}
	return 0;
}

/* Two sets applied once by the same key would share their memory. */
static int
same_once(
    const struct memberrules *m, size_t i, const char *what, struct buf *err)
{
	size_t k;

	for (k = 0; m->sets[i].once && k < i; k++)
		if (m->sets[k].once &&
		    strcmp(m->sets[k].once, m->sets[i].once) == 0)
			return bad(err,
			    "%s.once: another set is applied once by the same "
			    "key (updates[%zu])",
			    what, k);
	return 0;
}

/* Today's rules for a vendor file without the section. */
static const char defaults[] =
    "{\"find\": [\"id\", \"email\", \"mobile\"], \"create\": true,"
    " \"updates\": [{\"name\": \"status\", \"fields\":"
    " {\"voter_registration_status\": \"rank\"}}]}";

int
memberrules_load(struct memberrules *m, const json_t *section, const char *what,
    struct buf *err)
{
	static const char *const keys[] = {
	    "find", "create", "updates", "after", NULL};
	const json_t *u, *a, *c, *e;
	struct buf w = BUF_INIT;
	size_t i;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	m->touched = json_array();
	m->root = section ? json_incref((json_t *)section)
	                  : json_loads(defaults, 0, NULL);
	if (!json_is_object(m->root)) {
		bad(err, "%s: must be an object", what);
		goto out;
	}
	if (only_keys(m->root, keys, what, err) < 0)
		goto out;
	if (json_object_get(m->root, "find") == NULL) {
		m->nfind = 3;
		m->find[0] = MR_ID;
		m->find[1] = MR_EMAIL;
		m->find[2] = MR_MOBILE;
	} else if (load_find(m, json_object_get(m->root, "find"), what, err) <
	           0) {
		goto out;
	}
	c = json_object_get(m->root, "create");
	if (c && !json_is_boolean(c)) {
		bad(err, "%s.create: must be true or false", what);
		goto out;
	}
	m->create = c == NULL || json_is_true(c);
	u = json_object_get(m->root, "updates");
	a = json_object_get(m->root, "after");
	if ((u && !json_is_array(u)) || (a && !json_is_array(a))) {
		bad(err, "%s: updates and after must be lists", what);
		goto out;
	}
	m->sets = xcalloc(json_array_size(u) + 1, sizeof(*m->sets));
	json_array_foreach(u, i, e)
	{
		buf_reset(&w);
		buf_printf(&w, "%s.updates[%zu]", what, i);
		m->nsets++;
		if (load_set(m, &m->sets[i], e, w.data, err) < 0 ||
		    same_once(m, i, w.data, err) < 0)
			goto out;
	}
	m->acts = xcalloc(json_array_size(a) + 1, sizeof(*m->acts));
	json_array_foreach(a, i, e)
	{
		buf_reset(&w);
		buf_printf(&w, "%s.after[%zu]", what, i);
		m->nacts++;
		if (load_action(&m->acts[i], e, w.data, err) < 0)
			goto out;
	}
	rc = 0;
out:
	buf_release(&w);
	return rc;
}

void
memberrules_release(struct memberrules *m)
{
	size_t i;

	for (i = 0; i < m->nsets; i++)
		free(m->sets[i].once);
	free(m->sets);
	free(m->acts);
	json_decref(m->touched);
	json_decref(m->root);
	memset(m, 0, sizeof(*m));
}

int
memberrules_holds(const json_t *when, const json_t *rec)
{
	const char *path;
	const json_t *want, *v;
	enum map_kind kind;

	json_object_foreach((json_t *)when, path, want)
	{
		v = jpath_get(rec, path);
		kind = MAP_OTHER;
		if (v == NULL || json_is_null(v))
			kind = MAP_ABSENT;
		else if (json_is_string(v))
			kind = MAP_STRING;
		else if (json_is_boolean(v))
			kind = json_is_true(v) ? MAP_TRUE : MAP_FALSE;
		if (!map_holds(want, kind, json_string_value(v)))
			return 0;
	}
	return 1;
}

/* Absent, null, "" or []. */
static int
empty(const json_t *v)
{
	return v == NULL || json_is_null(v) ||
	       (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

static int
has(const json_t *list, const json_t *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		if (json_equal((json_t *)v, (json_t *)s))
			return 1;
	}
	return 0;
}

/* The rule of a field that applies to rec, or NULL. */
static const json_t *
pick_rule(const json_t *r, const json_t *rec)
{
	const json_t *e;
	size_t i;

	if (!json_is_array(r))
		return r;
	json_array_foreach(r, i, e)
	{
		if (memberrules_holds(json_object_get(e, "when"), rec))
			return e;
	}
	return NULL;
}

/* The new value by a table, or NULL (borrowed). */
static json_t *
by_table(const json_t *t, const json_t *row, const json_t *mem)
{
	const char *rs = json_is_string(row) ? json_string_value(row) : "";
	const char *ms = json_is_string(mem) ? json_string_value(mem) : "";
	json_t *nv = json_object_get(json_object_get(t, rs), ms);

	return nv && !(json_is_string(mem) && json_equal(nv, (json_t *)mem))
	           ? nv
	           : NULL;
}

/* union and minus: a new list, or NULL for no change. */
static json_t *
by_list(int add, const json_t *with, const json_t *mem)
{
	json_t *out = json_array(), *v;
	size_t i, n = 0;

	json_array_foreach((json_t *)mem, i, v)
	{
		if (!add && has(with, v))
			n++;
		else
			json_array_append(out, v);
	}
	if (add) {
		json_array_foreach((json_t *)with, i, v)
		{
			if (!has(out, v)) {
				json_array_append(out, v);
				n++;
			}
		}
	}
	if (n == 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The new value of one field (a new reference), or NULL for none. */
static json_t *
field_change(const json_t *rule, const struct map *map, const json_t *row,
    const json_t *mem)
{
	const json_t *name = rule, *values;
	const char *n;

	if (json_is_object(rule)) {
		if (json_object_get(rule, "table"))
			return json_incref(
			    by_table(json_object_get(rule, "table"), row, mem));
		name = json_object_get(rule, "rule");
	}
	n = json_string_value(name);
	values = json_object_get(rule, "values");
	if (strcmp(n, "rank") == 0)
		return json_is_string(row) &&
		               map_user_upgrades(map, json_string_value(mem),
		                   json_string_value(row))
		           ? json_incref((json_t *)row)
		           : NULL;
	if (strcmp(n, "set") == 0)
		return !empty(row) && !json_equal((json_t *)row, (json_t *)mem)
		           ? json_incref((json_t *)row)
		           : NULL;
	if (strcmp(n, "fill") == 0)
		return !empty(row) && empty(mem) ? json_incref((json_t *)row)
		                                 : NULL;
	if (values == NULL)
		values = row;
	if (!json_is_array(values))
		return NULL;
	return by_list(strcmp(n, "union") == 0, values, mem);
}

json_t *
memberrules_change(const struct mr_set *s, const struct map *map,
    const json_t *rec, const json_t *member)
{
	const json_t *user = json_object_get(rec, "user"), *rule, *r;
	json_t *out = json_object(), *nv;
	const char *field;

	json_object_foreach((json_t *)s->fields, field, r)
	{
		if ((rule = pick_rule(r, rec)) == NULL)
			continue;
		nv = field_change(rule, map, json_object_get(user, field),
		    json_object_get(member, field));
		if (nv)
			json_object_set_new(out, field, nv);
	}
	return out;
}

const char *
memberrules_activation(const struct mr_action *a, const json_t *rec)
{
	const json_t *v, *e;
	const char *t;
	size_t i;

	if (a->kind != MR_ACTIVATE || a->type)
		return a->type;
	v = jpath_get(rec, a->type_field);
	if (json_is_string(v))
		return json_string_value(
		    json_object_get(a->type_map, json_string_value(v)));
	json_array_foreach((json_t *)v, i, e)
	{
		if (json_is_string(e) &&
		    (t = json_string_value(json_object_get(
		         a->type_map, json_string_value(e)))) != NULL)
			return t;
	}
	return NULL;
}

void
memberrules_action_name(
    const struct mr_action *a, const char *type, struct buf *out)
{
	buf_reset(out);
	if (a->kind == MR_MUTE)
		buf_adds(out, "mute-promotions");
	else
		buf_printf(out, "activate %s", type ? type : "");
}

/* The user fields a create sends, as named in the canonical record. */
static const char *const create_fields[] = {"email", "mobile", "first_name",
    "last_name", "birthdate", "addr_street1", "addr_street2", "addr_city",
    "addr_state", "addr_zip", "voter_registration_status", "source_detail",
    "email_subscription_status", "email_subscription_topics", "sms_status",
    "sms_subscription_topics"};

json_t *
memberrules_create_body(
    const json_t *rec, const char *mobile, const char *source)
{
	json_t *body = jpath_pick(json_object_get(rec, "user"), create_fields,
	    sizeof(create_fields) / sizeof(*create_fields));
	json_t *v;

	if (mobile == NULL)
		json_object_del(body, "mobile");
	if (json_object_get(body, "source_detail") && source)
		json_object_set_new(body, "source", json_string(source));
	v = json_object_get(rec, "referrer_user_id");
	if (json_is_string(v))
		json_object_set(body, "referrer_user_id", v);
	return body;
}

/* A mailing file and a template's variables; mailing.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exitcode.h"
#include "jpath.h"
#include "mailing.h"

#ifndef SLUICE_VENDORS_DIR
#define SLUICE_VENDORS_DIR "vendors"
#endif

/* The file a NAME or FILE stands for (owned by the caller). */
static char *
mailing_file(const char *name)
{
	const char *dir = getenv("SLUICE_MAILINGS");
	const char *vd = SLUICE_VENDORS_DIR, *slash = strrchr(vd, '/');
	size_t n = strlen(name);
	struct buf b = BUF_INIT;

	if (strchr(name, '/') || (n > 5 && strcmp(name + n - 5, ".json") == 0))
		return xstrdup(name);
	if (dir && *dir)
		buf_printf(&b, "%s/%s/mailing.json", dir, name);
	else if (slash)
		buf_printf(&b, "%.*s/mailings/%s/mailing.json",
		    (int)(slash - vd), vd, name);
	else
		buf_printf(&b, "mailings/%s/mailing.json", name);
	return b.data;
}

static int
bad(struct mailing *m, struct buf *err, const char *key, const char *what)
{
	buf_printf(err, "%s: %s: %s", m->path, key, what);
	return EXIT_DATAERR;
}

/* A string member: required, or NULL when absent. */
static int
string_of(struct mailing *m, const json_t *o, const char *key, int required,
    const char **out, struct buf *err)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL && !required)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return bad(m, err, key, "a non-empty string is required");
	*out = json_string_value(v);
	return 0;
}

static int
known_keys(struct mailing *m, const json_t *o, const char *const *keys,
    const char *where, struct buf *err)
{
	const char *k;
	const json_t *v;
	size_t i;

	json_object_foreach((json_t *)o, k, v)
	{
		if (k[0] == '_')
			continue;
		for (i = 0; keys[i] && strcmp(keys[i], k) != 0; i++)
			;
		if (keys[i] == NULL) {
			buf_printf(
			    err, "%s: %s%s: unknown key", m->path, where, k);
			return EXIT_DATAERR;
		}
	}
	return 0;
}

static int
load_subscription(struct mailing *m, const json_t *s, struct buf *err)
{
	static const char *const keys[] = {"field", "off", "missing", NULL};
	const char *missing = "off";
	int rc;

	if (!json_is_object(s))
		return bad(m, err, "subscription", "an object is required");
	if ((rc = known_keys(m, s, keys, "subscription.", err)) != 0 ||
	    (rc = string_of(m, s, "field", 1, &m->sub_field, err)) != 0 ||
	    (rc = string_of(m, s, "missing", 0, &missing, err)) != 0)
		return rc;
	m->sub_off = json_object_get(s, "off");
	if (m->sub_off == NULL) {
		json_object_set_new((json_t *)s, "off", json_pack("[b]", 0));
		m->sub_off = json_object_get(s, "off");
	}
	if (!json_is_array(m->sub_off))
		return bad(m, err, "subscription.off", "an array is required");
	if (strcmp(missing, "off") != 0 && strcmp(missing, "on") != 0)
		return bad(m, err, "subscription.missing", "\"off\" or \"on\"");
	m->missing_off = strcmp(missing, "off") == 0;
	return 0;
}

static int
load_keys(struct mailing *m, struct buf *err)
{
	static const char *const keys[] = {"mailing", "template", "from",
	    "member", "email", "subscription", "variables", "defaults",
	    "configuration_set", NULL};
	const json_t *r = m->root, *v;
	const char *k;
	int rc;

	if (!json_is_object(r))
		return bad(m, err, "(top)", "an object is required");
	m->member = "northstar_id";
	m->email = "email";
	if ((rc = known_keys(m, r, keys, "", err)) != 0 ||
	    (rc = string_of(m, r, "mailing", 1, &m->id, err)) != 0 ||
	    (rc = string_of(m, r, "template", 1, &m->template, err)) != 0 ||
	    (rc = string_of(m, r, "from", 1, &m->from, err)) != 0 ||
	    (rc = string_of(m, r, "member", 0, &m->member, err)) != 0 ||
	    (rc = string_of(m, r, "email", 0, &m->email, err)) != 0 ||
	    (rc = string_of(
	         m, r, "configuration_set", 0, &m->config_set, err)) != 0)
		return rc;
	if ((v = json_object_get(r, "subscription")) != NULL &&
	    (rc = load_subscription(m, v, err)) != 0)
		return rc;
	m->vars = json_object_get(r, "variables");
	if (m->vars && !json_is_object(m->vars))
		return bad(m, err, "variables", "an object is required");
	json_object_foreach((json_t *)m->vars, k, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0) {
			buf_printf(err, "%s: variables.%s: a path is required",
			    m->path, k);
			return EXIT_DATAERR;
		}
	}
	m->defaults = json_object_get(r, "defaults");
	if (m->defaults && !json_is_object(m->defaults))
		return bad(m, err, "defaults", "an object is required");
	return 0;
}

int
mailing_load(struct mailing *m, const char *name, struct buf *err)
{
	json_error_t je;
	struct stat sb;

	memset(m, 0, sizeof(*m));
	m->path = mailing_file(name);
	if (stat(m->path, &sb) < 0 || S_ISDIR(sb.st_mode)) {
		buf_printf(err, "%s: no such mailing file", m->path);
		return EXIT_NOINPUT;
	}
	m->root = json_load_file(m->path, JSON_REJECT_DUPLICATES, &je);
	if (m->root == NULL) {
		buf_printf(err, "%s:%d: %s", m->path, je.line, je.text);
		return EXIT_DATAERR;
	}
	return load_keys(m, err);
}

const char *
mailing_path(const struct mailing *m, const char *var)
{
	const char *p = json_string_value(json_object_get(m->vars, var));

	return p ? p : var;
}

int
mailing_unsubscribed(const struct mailing *m, const json_t *rec)
{
	const json_t *v, *off;
	size_t i;

	if (m->sub_field == NULL)
		return 0;
	if ((v = jpath_get(rec, m->sub_field)) == NULL)
		return m->missing_off;
	json_array_foreach(m->sub_off, i, off)
	{
		if (json_equal((json_t *)v, (json_t *)off))
			return 1;
	}
	return 0;
}

void
mailing_release(struct mailing *m)
{
	free(m->path);
	json_decref(m->root);
	memset(m, 0, sizeof(*m));
}

static int
name_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-' || c == '@';
}

/* Appends the n bytes at p to names unless they are there already. */
static void
add_name(json_t *names, const char *p, size_t n)
{
	const json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
	{
		if (json_string_length(v) == n &&
		    memcmp(json_string_value(v), p, n) == 0)
			return;
	}
	json_array_append_new(names, json_stringn(p, n));
}

/* Whether the n bytes at p name a block {{#if}} holds open. */
static int
guarded(const json_t *open, const char *p, size_t n)
{
	const json_t *v;
	size_t i;

	json_array_foreach(open, i, v)
	{
		if (json_string_length(v) == n &&
		    memcmp(json_string_value(v), p, n) == 0)
			return 1;
	}
	return 0;
}

/* {{#if NAME}} opens a block guarded by NAME; {{/if}} closes the last. */
static void
block(json_t *open, const char *s, const char *e)
{
	const char *n;

	if (e - s >= 3 && memcmp(s, "/if", 3) == 0) {
		json_array_remove(open, json_array_size(open) - 1);
		return;
	}
	if (e - s < 4 || memcmp(s, "#if ", 4) != 0)
		return;
	for (s += 4; s < e && *s == ' '; s++)
		;
	for (n = s; n < e && name_char((unsigned char)*n); n++)
		;
	json_array_append_new(open, json_stringn(s, (size_t)(n - s)));
}

void
template_vars(const char *text, json_t *names)
{
	const char *p = text, *open, *s, *e, *close;
	json_t *blocks = json_array();

	while (text && (open = strstr(p, "{{")) != NULL) {
		s = open + 2;
		if (*s == '{')
			s++;
		if ((close = strstr(s, "}}")) == NULL)
			break;
		p = close + 2;
		while (s < close && *s == ' ')
			s++;
		e = close;
		while (e > s && e[-1] == ' ')
			e--;
		block(blocks, s, e);
		if (e == s || (e - s == 4 && memcmp(s, "else", 4) == 0))
			continue;
		for (open = s; open < e && name_char((unsigned char)*open);
		     open++)
			;
		/* A helper's word ({{#if}}, {{/if}}, {{!...}}), an argument
		 * list or a name with a space in it: not a variable; nor one
		 * inside a block that asks whether it is there. */
		if (open == e && *s != '.' && *s != '@' &&
		    !guarded(blocks, s, (size_t)(e - s)))
			add_name(names, s, (size_t)(e - s));
	}
	json_decref(blocks);
}

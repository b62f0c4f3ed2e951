/* The events and rows layouts of post-quasar's rows; see qlayout.h. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "events_sql.h"
#include "evtime.h"
#include "jsonw.h"
#include "ndjson.h"
#include "qlayout.h"

const char *const qlayout_columns[] = {"member_id", "anonymous_id",
    "session_id", "experiment_group", "url", "referrer", "utm_source",
    "utm_medium", "utm_campaign", NULL};

static const char *const names[] = {"raw", "events", "rows"};

int
qlayout_parse(const char *name)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(name, names[i]) == 0)
			return i;
	}
	return -1;
}

const char *
qlayout_name(enum qlayout l)
{
	return names[l];
}

const char *
qlayout_events_ddl(void)
{
	return events_sql;
}

/* A non-empty string member's value, or NULL. */
static const json_t *
id_member(const json_t *rec, const char *key)
{
	const json_t *v = json_object_get(rec, key);

	return json_is_string(v) && json_string_length(v) > 0 ? v : NULL;
}

static int
to_buf(const char *p, size_t n, void *arg)
{
	return buf_add(arg, p, n);
}

/* Any JSON value's compact text appended to out. 0 or -1. */
static int
dump_any(struct buf *out, const json_t *v)
{
	return json_dump_callback(
	    v, to_buf, out, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* A value as a string column: a string's text, else its compact JSON. */
static int
column(struct buf *out, const char *key, const json_t *v, struct buf *tmp)
{
	int rc;

	if (buf_printf(out, ",\"%s\":", key) < 0)
		return -1;
	if (v == NULL || json_is_null(v))
		return buf_adds(out, "\"\"");
	if (json_is_string(v))
		return jsonw_string(
		    out, json_string_value(v), json_string_length(v));
	buf_reset(tmp);
	rc = dump_any(tmp, v);
	return rc < 0 ? rc : jsonw_string(out, tmp->data, tmp->len);
}

/* Appends the UTC time ms as DateTime's text and its milliseconds. */
static int
when(struct buf *out, int64_t ms)
{
	char text[EVTIME_BUCKET_SIZE];

	evtime_bucket(ms, text);
	return buf_printf(
	    out, ",\"time\":\"%s\",\"time_ms\":%d", text, (int)(ms % 1000));
}

/* Where the event was read: _meta's file and line, else the input's. */
static int
place(struct buf *out, const json_t *rec, const char *file,
    unsigned long long line)
{
	const json_t *meta = json_object_get(rec, "_meta");
	const json_t *f = json_object_get(meta, "file");
	const json_t *l = json_object_get(meta, "line");

	if (json_is_string(f) && json_is_integer(l) &&
	    json_integer_value(l) >= 0) {
		file = json_string_value(f);
		line = (unsigned long long)json_integer_value(l);
	}
	return buf_adds(out, ",\"file\":") < 0 || jsonw_cstring(out, file) < 0
	           ? -1
	           : buf_printf(out, ",\"line\":%llu", line);
}

/* The identity of the event whose id's JSON text is the n bytes at id. */
static void
event_hash(const char *id, size_t n, char hash[SHA256_HEX])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_add(&s, "event_id\n", 9);
	sha256_add(&s, id, n);
	sha256_hex(&s, hash);
}

/* Why rec is not an event (into why), or 0 when it may be one. */
static int
not_event(const json_t *rec, int64_t *ms, struct buf *why)
{
	const json_t *t = json_object_get(rec, "time");
	const json_t *p = json_object_get(rec, "properties");

	buf_reset(why);
	if (id_member(rec, "event_id") == NULL)
		buf_adds(why, "not an event: no event_id (a non-empty string)");
	else if (id_member(rec, "event") == NULL)
		buf_adds(
		    why, "not an event: no event name (a non-empty string)");
	else if (!json_is_string(t))
		buf_adds(why, "not an event: no time (an RFC 3339 string)");
	else if (evtime_parse(json_string_value(t), json_string_length(t), ms) <
	         0)
		buf_printf(why,
		    "not an event: time \"%.40s\" is not RFC 3339 with a zone "
		    "and at most 3 fraction digits",
		    json_string_value(t));
	else if (*ms < 0 || *ms / 1000 > 4294967295LL)
		buf_printf(why,
		    "time \"%.40s\" is out of the table's range (1970 to 2106)",
		    json_string_value(t));
	else if (p != NULL && !json_is_null(p) && !json_is_object(p))
		buf_printf(why, "properties is %s, not an object",
		    ndjson_type_name(p));
	return why->len > 0 ? -1 : 0;
}

/* The text of the JSON value v (NULL: dflt) as a string column. */
static int
json_column(struct buf *out, const char *key, const json_t *v, const char *dflt,
    struct buf *tmp)
{
	buf_reset(tmp);
	if (v == NULL && buf_adds(tmp, dflt) < 0)
		return -1;
	if (v != NULL && dump_any(tmp, v) < 0)
		return -1;
	return buf_printf(out, ",\"%s\":", key) < 0
	           ? -1
	           : jsonw_string(out, tmp->data, tmp->len);
}

int
qlayout_event_row(struct buf *out, const json_t *rec, const char *file,
    unsigned long long line, const char *received, char hash[SHA256_HEX],
    struct buf *why)
{
	const json_t *props = json_object_get(rec, "properties");
	const json_t *viol =
	    json_object_get(json_object_get(rec, "_meta"), "violations");
	const json_t *ev;
	struct buf tmp = BUF_INIT;
	size_t start = out->len, id;
	int64_t ms;
	int i, rc = -1;

	if (not_event(rec, &ms, why) < 0)
		return -1;
	if (json_is_null(props))
		props = NULL;
	if (!json_is_array(viol))
		viol = NULL;
	ev = json_object_get(rec, "event_id");
	if (buf_adds(out, "{\"event_id\":") < 0)
		goto out;
	id = out->len;
	if (jsonw_string(out, json_string_value(ev), json_string_length(ev)) <
	    0)
		goto out;
	event_hash(out->data + id, out->len - id, hash);
	if (column(out, "event", json_object_get(rec, "event"), &tmp) < 0 ||
	    when(out, ms) < 0)
		goto out;
	for (i = 0; qlayout_columns[i]; i++) {
		if (column(out, qlayout_columns[i],
		        json_object_get(rec, qlayout_columns[i]), &tmp) < 0)
			goto out;
	}
	if (json_column(out, "properties", props, "{}", &tmp) < 0 ||
	    json_column(out, "violations", viol, "[]", &tmp) < 0 ||
	    place(out, rec, file, line) < 0 ||
	    buf_printf(out, ",\"received_at\":\"%s\"}\n", received) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		out->len = start;
		buf_reset(why);
		buf_adds(why, "the row is too large");
	}
	buf_release(&tmp);
	return rc;
}

/* The identity of the rows layout's row, the n bytes at row. */
static void
rows_hash(const char *row, size_t n, char hash[SHA256_HEX])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_add(&s, "\"\"\n", 3);
	sha256_add(&s, row, n);
	sha256_hex(&s, hash);
}

int
qlayout_rows_row(struct buf *out, const json_t *rec, char hash[SHA256_HEX])
{
	json_t *copy = json_object(), *v;
	const char *key;
	size_t start = out->len;
	int rc;

	json_object_foreach((json_t *)rec, key, v)
	{
		if (strcmp(key, "_meta") != 0)
			json_object_set(copy, key, v);
	}
	rc = ndjson_dump(out, copy);
	json_decref(copy);
	if (rc == 0)
		rows_hash(out->data + start, out->len - start - 1, hash);
	return rc;
}

int
qlayout_row_hash(
    enum qlayout l, const char *row, size_t n, char hash[SHA256_HEX])
{
	static const char head[] = "{\"event_id\":\"";
	size_t i = sizeof(head) - 1;

	if (l == QLAYOUT_ROWS) {
		rows_hash(row, n, hash);
		return 0;
	}
	if (l != QLAYOUT_EVENTS || n < i || memcmp(row, head, i) != 0)
		return -1;
	for (; i < n && row[i] != '"'; i++) {
		if (row[i] == '\\')
			i++;
	}
	if (i >= n)
		return -1;
	event_hash(row + sizeof(head) - 2, i + 1 - (sizeof(head) - 2), hash);
	return 0;
}

/* Skips spaces and "--" comment lines from s. */
static const char *
skip(const char *s)
{
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (s[0] != '-' || s[1] != '-')
			return s;
		s += strcspn(s, "\n");
	}
}

/* Takes the word w (ASCII case-insensitively) at *s. 1 or 0. */
static int
word(const char **s, const char *w)
{
	size_t n = strlen(w);

	*s = skip(*s);
	if (strncasecmp(*s, w, n) != 0 || isalnum((unsigned char)(*s)[n]) ||
	    (*s)[n] == '_')
		return 0;
	*s += n;
	return 1;
}

int
qlayout_ddl_named(
    struct buf *out, const char *sql, const char *table, struct buf *why)
{
	const char *s = sql, *name, *end;
	size_t n;

	if (!word(&s, "CREATE") || !word(&s, "TABLE")) {
		buf_adds(why, "not a CREATE TABLE statement");
		return -1;
	}
	if (word(&s, "IF") && !(word(&s, "NOT") && word(&s, "EXISTS"))) {
		buf_adds(why, "CREATE TABLE IF: NOT EXISTS expected");
		return -1;
	}
	name = skip(s);
	s = name + strcspn(name, " \t\r\n(");
	if (s == name || *skip(s) != '(') {
		buf_adds(why, "CREATE TABLE: a table name and '(' expected");
		return -1;
	}
	/* One statement: the rest up to a ';' that ends it, comments aside. */
	end = s + strlen(s);
	while (end > s && (isspace((unsigned char)end[-1]) || end[-1] == ';'))
		end--;
	n = strcspn(s, ";");
	if (s + n < end) {
		buf_adds(why, "more than one statement");
		return -1;
	}
	buf_printf(out, "CREATE TABLE IF NOT EXISTS %s", table);
	/* The rest without its comment lines. */
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *t = s;

		nl = nl ? nl + 1 : end;
		while (t < nl && (*t == ' ' || *t == '\t'))
			t++;
		if (!(t + 1 < nl && t[0] == '-' && t[1] == '-'))
			buf_add(out, s, (size_t)(nl - s));
		s = nl;
	}
	return 0;
}

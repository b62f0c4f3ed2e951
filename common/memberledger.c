/* The member ledger; see memberledger.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash128.h"
#include "memberledger.h"

#define FIELDS "member"

static struct hash128
identity(struct buf *b, const char *kind, const char *value)
{
	buf_reset(b);
	buf_adds(b, kind);
	buf_addc(b, '\x1f');
	buf_adds(b, value);
	return hash128(b->data, b->len);
}

/* Adds a record to the arena; its offset, or -1 past 4 GiB. */
static int64_t
add_record(struct memberledger *m, const char *id, const json_t *values,
    const json_t *done)
{
	json_t *rec = json_pack("[s,O,O]", id, values, done);
	char *text = json_dumps(rec, JSON_COMPACT);
	size_t n = strlen(text) + 1;
	int64_t off = (int64_t)m->len;

	json_decref(rec);
	if (m->len + n > UINT32_MAX) {
		free(text);
		return -1;
	}
	if (m->len + n > m->cap) {
		m->cap = m->cap ? m->cap : 4096;
		while (m->len + n > m->cap)
			m->cap += m->cap / 2;
		m->arena = xrealloc(m->arena, m->cap);
	}
	memcpy(m->arena + m->len, text, n);
	m->len += n;
	free(text);
	return off;
}

/* The values of the touched fields in the obj (by name), as a list. */
static json_t *
values_of(const struct memberledger *m, const json_t *obj)
{
	json_t *out = json_array(), *v;
	size_t i;

	for (i = 0; i < json_array_size(m->fields); i++) {
		v = json_object_get(
		    obj, json_string_value(json_array_get(m->fields, i)));
		json_array_append_new(out, v ? json_incref(v) : json_null());
	}
	return out;
}

/* Points every identity of key (a list of [KIND, VALUE]) at off. */
static void
point(struct memberledger *m, const json_t *key, uint32_t off)
{
	const json_t *e;
	const char *kind, *value;
	size_t i;

	json_array_foreach((json_t *)key, i, e)
	{
		kind = json_string_value(json_array_get(e, 0));
		value = json_string_value(json_array_get(e, 1));
		if (kind && value)
			keymap_put(
			    &m->ids, identity(&m->scratch, kind, value), off);
	}
}

/* A line of the file (ledger_open_with's take). */
static void
take(void *arg, const json_t *entry)
{
	struct memberledger *m = arg;
	const char *fields =
	    json_string_value(json_object_get(entry, "fields"));
	const json_t *done = json_object_get(entry, "done");
	json_t *values, *empty = json_array();
	int64_t off;

	if (fields == NULL || strcmp(fields, FIELDS) != 0)
		goto out;
	values = values_of(m, json_object_get(entry, "values"));
	off = add_record(m, json_string_value(json_object_get(entry, "status")),
	    values, json_is_array(done) ? done : empty);
	json_decref(values);
	if (off >= 0)
		point(m, json_object_get(entry, "key"), (uint32_t)off);
out:
	json_decref(empty);
}

void
memberledger_init(struct memberledger *m, const json_t *fields)
{
	memset(m, 0, sizeof(*m));
	m->ledger.fd = -1;
	m->fields = json_incref((json_t *)fields);
	keymap_init(&m->ids);
	buf_init(&m->scratch, BUF_UNLIMITED);
}

int
memberledger_open(
    struct memberledger *m, const char *path, int writable, struct buf *err)
{
	return ledger_open_with(&m->ledger, path, writable, take, m, err);
}

json_t *
memberledger_get(
    const struct memberledger *m, const char *kind, const char *value)
{
	struct buf b = BUF_INIT;
	const uint32_t *off;
	json_t *rec, *member, *v;
	size_t i;

	if (m->ids.n == 0)
		return NULL;
	off = keymap_get(&m->ids, identity(&b, kind, value));
	buf_release(&b);
	if (off == NULL || (rec = json_loads(m->arena + *off, 0, NULL)) == NULL)
		return NULL;
	member = json_pack("{s:O}", "id", json_array_get(rec, 0));
	json_array_foreach(json_array_get(rec, 1), i, v)
	{
		if (!json_is_null(v))
			json_object_set(member,
			    json_string_value(json_array_get(m->fields, i)), v);
	}
	v = json_pack("{s:O,s:o,s:O}", "id", json_array_get(rec, 0), "member",
	    member, "done", json_array_get(rec, 2));
	json_decref(rec);
	return v;
}

int
memberledger_put(struct memberledger *m, const char *const *kinds,
    const char *const *values, size_t n, const char *id, const json_t *member,
    const json_t *done, struct buf *err)
{
	json_t *key = json_array(), *vals = json_object(), *extra, *list;
	json_t *empty = json_array(), *v;
	int64_t off;
	size_t i;
	int rc = -1;

	for (i = 0; i < n; i++)
		json_array_append_new(
		    key, json_pack("[s,s]", kinds[i], values[i]));
	for (i = 0; i < json_array_size(m->fields); i++) {
		const char *f = json_string_value(json_array_get(m->fields, i));

		v = json_object_get(member, f);
		json_object_set_new(vals, f, v ? json_incref(v) : json_null());
	}
	extra =
	    json_pack("{s:O,s:O}", "values", vals, "done", done ? done : empty);
	if (ledger_append(&m->ledger, FIELDS, key, id, extra, err) < 0)
		goto out;
	list = values_of(m, vals);
	off = add_record(m, id, list, done ? done : empty);
	json_decref(list);
	if (off < 0) {
		buf_printf(
		    err, "%s: too many members for one run", m->ledger.path);
		goto out;
	}
	point(m, key, (uint32_t)off);
	rc = 0;
out:
	json_decref(extra);
	json_decref(vals);
	json_decref(key);
	json_decref(empty);
	return rc;
}

/* The kinds of identity, as memberrules.h numbers them. */
static const char *const kinds[] = {"id", "email", "mobile"};

json_t *
memberledger_recall(const struct memberledger *m, const enum mr_find *find,
    size_t nfind, const char *const ident[3], int *by)
{
	json_t *got = NULL;
	size_t i;

	*by = 0;
	for (i = 0; i < nfind && got == NULL; i++)
		if (ident[ *by = (int)find[i]])
			got = memberledger_get(m, kinds[*by], ident[*by]);
	if (nfind == 0 && ident[0])
		got = memberledger_get(m, kinds[0], ident[0]);
	return got;
}

int
memberledger_learn(struct memberledger *m, const char *const ident[3], int by,
    int created, const char *id, const json_t *member, const json_t *before,
    const json_t *now, struct buf *err)
{
	const char *k[3], *v[3];
	json_t *done = json_array();
	size_t n = 0, i;
	int rc = 0;

	for (i = 0; i < 3; i++)
		if (ident[i] && ((int)i == by || (created && i != 0))) {
			k[n] = kinds[i];
			v[n++] = ident[i];
		}
	if (before)
		json_array_extend(done, (json_t *)before);
	if (now)
		json_array_extend(done, (json_t *)now);
	if (n)
		rc = memberledger_put(m, k, v, n, id, member, done, err);
	json_decref(done);
	return rc;
}

size_t
memberledger_bytes(const struct memberledger *m)
{
	return m->ids.cap * (sizeof(*m->ids.slots) + sizeof(*m->ids.vals)) +
	       m->cap;
}

size_t
memberledger_count(const struct memberledger *m)
{
	return m->ids.n;
}

int
memberledger_sync(struct memberledger *m, struct buf *err)
{
	return ledger_sync(&m->ledger, err);
}

void
memberledger_close(struct memberledger *m)
{
	ledger_close(&m->ledger);
	keymap_release(&m->ids);
	free(m->arena);
	json_decref(m->fields);
	buf_release(&m->scratch);
	memset(m, 0, sizeof(*m));
	m->ledger.fd = -1;
}

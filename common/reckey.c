/* Record keys; see reckey.h. */
#include <stdlib.h>
#include <string.h>

#include "jpath.h"
#include "reckey.h"

#define SEP '\x1f'

/* Whether one path is usable: non-empty steps, no control characters. */
static int
path_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return 0;
		if (p[i] == '.' && p[i + 1] == '.')
			return 0;
	}
	return 1;
}

int
reckey_parse(struct reckey *k, const char *spec)
{
	const char *p, *q;
	size_t n = 1;

	memset(k, 0, sizeof(*k));
	for (p = spec; *p; p++)
		n += *p == ',';
	k->paths = xcalloc(n, sizeof(*k->paths));
	for (p = spec;; p = q + 1) {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		if (!path_ok(p, (size_t)(q - p))) {
			reckey_release(k);
			return -1;
		}
		k->paths[k->n] = xmalloc((size_t)(q - p) + 1);
		memcpy(k->paths[k->n], p, (size_t)(q - p));
		k->paths[k->n++][q - p] = '\0';
		if (*q == '\0')
			break;
	}
	k->fields = xstrdup(spec);
	return 0;
}

void
reckey_release(struct reckey *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->paths[i]);
	free(k->paths);
	free(k->fields);
	memset(k, 0, sizeof(*k));
}

int
reckey_add_value(struct buf *out, const json_t *v)
{
	size_t room, need;

	/*
	 * Most key values are short: serialize straight into the room there
	 * is, and only when that was too small grow and serialize again.
	 */
	if (buf_grow(out, 64) < 0 && buf_grow(out, 1) < 0)
		return -1;
	room = out->cap - out->len - 1;
	need = json_dumpb(
	    v, out->data + out->len, room, JSON_COMPACT | JSON_ENCODE_ANY);
	/* json_dumpb never yields 0 bytes for a value it can encode. */
	if (need == 0)
		return -1;
	if (need > room) {
		if (buf_grow(out, need) < 0)
			return -1;
		json_dumpb(v, out->data + out->len, need,
		    JSON_COMPACT | JSON_ENCODE_ANY);
	}
	out->len += need;
	out->data[out->len] = '\0';
	return 0;
}

int
reckey_build(const struct reckey *k, const json_t *rec, struct buf *out,
    const char **missing)
{
	const json_t *v;
	size_t i;

	buf_reset(out);
	for (i = 0; i < k->n; i++) {
		v = jpath_get(rec, k->paths[i]);
		if (v == NULL || json_is_null(v)) {
			*missing = k->paths[i];
			return -1;
		}
		if ((i > 0 && buf_addc(out, SEP) < 0) ||
		    reckey_add_value(out, v) < 0)
			return -2;
	}
	return 0;
}

int
reckey_join(const json_t *arr, struct buf *out)
{
	size_t i;

	buf_reset(out);
	if (!json_is_array(arr))
		return -1;
	for (i = 0; i < json_array_size(arr); i++) {
		if ((i > 0 && buf_addc(out, SEP) < 0) ||
		    reckey_add_value(out, json_array_get(arr, i)) < 0)
			return -1;
	}
	return 0;
}

json_t *
reckey_array(const struct reckey *k, const json_t *rec, const char **missing)
{
	json_t *arr = json_array(), *v;
	size_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < k->n; i++) {
		v = jpath_get(rec, k->paths[i]);
		if (v == NULL || json_is_null(v)) {
			*missing = k->paths[i];
			json_decref(arr);
			return NULL;
		}
		json_array_append(arr, v);
	}
	return arr;
}

struct hash128
reckey_hash(const struct buf *key)
{
	return hash128(key->data, key->len);
}

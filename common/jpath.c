/* Dotted paths into JSON objects; see jpath.h. */
#include <string.h>

#include "jpath.h"

json_t *
jpath_get(const json_t *obj, const char *path)
{
	const char *dot;
	json_t *v = (json_t *)obj;

	for (;;) {
		if (!json_is_object(v))
			return NULL;
		dot = strchr(path, '.');
		if (dot == NULL)
			return json_object_get(v, path);
		v = json_object_getn(v, path, (size_t)(dot - path));
		path = dot + 1;
	}
}

const char *
jpath_string(const json_t *obj, const char *path)
{
	return json_string_value(jpath_get(obj, path));
}

int
jpath_set_new(json_t *obj, const char *path, json_t *value)
{
	const char *dot;
	json_t *next;

	while ((dot = strchr(path, '.')) != NULL) {
		next = json_object_getn(obj, path, (size_t)(dot - path));
		if (next == NULL) {
			next = json_object();
			if (json_object_setn_new(
			        obj, path, (size_t)(dot - path), next) < 0)
				goto fail;
		} else if (!json_is_object(next)) {
			goto fail;
		}
		obj = next;
		path = dot + 1;
	}
	return json_object_set_new(obj, path, value);
fail:
	json_decref(value);
	return -1;
}

json_t *
jpath_pick(const json_t *obj, const char *const *paths, size_t n)
{
	json_t *out = json_object(), *v;
	size_t i;

	for (i = 0; i < n; i++) {
		v = jpath_get(obj, paths[i]);
		if (v == NULL || json_is_null(v) ||
		    (json_is_string(v) && !*json_string_value(v)))
			continue;
		json_object_set(out, paths[i], v);
	}
	return out;
}

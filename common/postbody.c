/* The body of a create request; see postbody.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "postbody.h"

/* Copies rec's field name into body when it is there and not null. */
static void
copy(json_t *body, const json_t *rec, const char *name)
{
	json_t *v = json_object_get(rec, name);

	if (v && !json_is_null(v) && json_object_get(body, name) == NULL)
		json_object_set(body, name, v);
}

json_t *
postbody_create(const json_t *rec, const char *const *base, const char *extra,
    const char *details)
{
	json_t *body = json_object(), *v;
	struct buf name = BUF_INIT;
	const char *p, *comma;
	char *text;

	for (; base && *base; base++)
		copy(body, rec, *base);
	for (p = extra; p && *p; p = comma ? comma + 1 : p + strlen(p)) {
		comma = strchr(p, ',');
		buf_reset(&name);
		buf_add(&name, p, comma ? (size_t)(comma - p) : strlen(p));
		if (name.len)
			copy(body, rec, name.data);
	}
	v = details ? json_object_get(rec, details) : NULL;
	if (json_is_object(v) && (text = json_dumps(v, JSON_COMPACT)) != NULL) {
		json_object_set_new(body, details, json_string(text));
		free(text);
	}
	buf_release(&name);
	return body;
}

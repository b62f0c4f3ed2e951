/* The canonical record's pieces; see canon.h. */
#include "canon.h"

json_t *
canon_text(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *
canon_pick(const json_t *rec, const char *const *cols, size_t n)
{
	json_t *d = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set(d, cols[i], json_object_get(rec, cols[i]));
	return d;
}

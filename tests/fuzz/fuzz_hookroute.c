/*
 * Fuzz target: hook-recv's request validator (common/hookroute). Any bytes
 * as a JSON body and as a form body: never a crash; an answer of 0 comes
 * with a record of the fields checked, any other with a JSON answer; the
 * record's id is made from it. The first byte also picks a route, so that
 * the receive section's loader is fuzzed too.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hookroute.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static const char route_json[] =
    "{\"path\":\"/hook\",\"auth\":{\"headers\":[\"X-Key\"],\"keys\":\"K\"},"
    "\"fields\":{\"mobile\":\"string\",\"id\":\"integer\",\"at\":\"date\"},"
    "\"optional\":{\"district\":\"string\"},\"key\":[\"mobile\",\"at\"]}";

static void
one(const struct hookroute *r, int kind, const char *body, size_t n)
{
	struct buf id = BUF_INIT;
	json_t *rec, *answer;
	int st = hookroute_read(r, kind, body, n, &rec, &answer);

	if ((st == 0) != (rec != NULL) || (st != 0) != (answer != NULL))
		abort();
	if (st != 0 && st != 400 && st != 422)
		abort();
	if (rec) {
		if (!json_is_integer(json_object_get(rec, "id")) ||
		    !json_is_string(json_object_get(rec, "mobile")))
			abort(); /* checked, and converted */
		if (hookroute_id(r, NULL, rec, &id) != 1)
			abort();
	}
	json_decref(rec);
	json_decref(answer);
	buf_release(&id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static struct hookroute r;
	static json_t *root;
	static int loaded;
	struct hookroute other;
	struct buf err = BUF_INIT;
	json_t *section;

	if (!loaded) {
		root = json_loads(route_json, 0, NULL);
		if (hookroute_load(&r, root, &err) < 0)
			abort();
		loaded = 1;
	}
	one(&r, HOOKROUTE_JSON, (const char *)data, n);
	one(&r, HOOKROUTE_FORM, (const char *)data, n);
	if (n > 0 && data[0] == '{') {
		/* The bytes as a receive section: refused with a reason, or
		 * taken. */
		section = json_loadb((const char *)data, n, 0, NULL);
		if (section && hookroute_load(&other, section, &err) < 0 &&
		    err.len == 0)
			abort();
		if (section)
			hookroute_release(&other);
		json_decref(section);
	}
	buf_release(&err);
	return 0;
}

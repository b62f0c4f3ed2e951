/*
 * Fuzz target: a line of NDJSON, as every NDJSON stage reads it. The
 * oracle is the fast path's promise (jdoc.h): a line jdoc accepts is one
 * jansson reads and writes back byte for byte; lookups and splices on it
 * never read outside the line; and jansson's own reading never crashes.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jdoc.h"
#include "ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
check_canonical(const char *text, size_t n)
{
	json_t *v = json_loadb(text, n, JSON_ALLOW_NUL, NULL);
	char *out;

	if (v == NULL)
		abort(); /* jdoc accepted what jansson refuses */
	out = json_dumps(v, JSON_COMPACT);
	if (out == NULL || strlen(out) != n || memcmp(out, text, n) != 0)
		abort(); /* jansson would write it otherwise */
	free(out);
	json_decref(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const char *const paths[] = {"status", "user.email",
	    "details.voter-registration-method", "a.b.c", "_meta"};
	const char *text = (const char *)data;
	struct buf why = BUF_INIT, out = BUF_INIT, s = BUF_INIT;
	struct jdoc d;
	json_t *rec;
	size_t i;

	jdoc_init(&d);
	if (jdoc_parse(&d, text, n) == 0) {
		check_canonical(text, n);
		for (i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
			jdoc_cstr(&d, jdoc_path(&d, paths[i]), &s);
			jdoc_set(&d, paths[i], "\"x\"", 3);
		}
		if (jdoc_write(&d, &out) == 0) {
			/* The spliced line is canonical too. */
			if (jdoc_parse(&d, out.data, out.len - 1) != 0)
				abort();
			check_canonical(out.data, out.len - 1);
		}
	}
	if (ndjson_parse_text(text, n, &rec, &why) == NDJSON_RECORD)
		json_decref(rec);
	jdoc_release(&d);
	buf_release(&why);
	buf_release(&out);
	buf_release(&s);
	return 0;
}

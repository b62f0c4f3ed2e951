/*
 * Fuzz target: a business map file (common/map). Loading never crashes and
 * says why it refused; a map it takes can be matched and applied to a
 * record, on the tree and on a canonical line, with the same rule chosen.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jdoc.h"
#include "map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const char line[] = "{\"status\":\"registered\",\"details\":"
	                           "{\"voter-registration-method\":\"online\"},"
	                           "\"user\":{\"email\":\"a@b.c\"}}";
	struct buf err = BUF_INIT, scratch = BUF_INIT, out = BUF_INIT;
	const struct map_rule *a, *b;
	struct map m;
	struct jdoc d;
	json_t *rec;

	if (map_loadb(&m, "fuzz.json", (const char *)data, n, &err) == 0) {
		rec = json_loads(line, 0, NULL);
		jdoc_init(&d);
		if (jdoc_parse(&d, line, strlen(line)) != 0)
			abort();
		a = map_match(&m, rec);
		b = m.plain ? map_match_doc(&m, &d, &scratch) : a;
		if (a != b)
			abort(); /* the fast path chose another rule */
		if (a) {
			map_apply(a, rec);
			if (map_apply_doc(a, &d) == 0)
				jdoc_write(&d, &out);
		}
		map_upgrades(&m, "pending", "confirmed");
		map_user_upgrades(&m, NULL, "confirmed");
		jdoc_release(&d);
		json_decref(rec);
	} else if (err.len == 0) {
		abort(); /* refused without saying why */
	}
	map_release(&m);
	buf_release(&err);
	buf_release(&scratch);
	buf_release(&out);
	return 0;
}

/*
 * Unit tests for common/canon.c: strings or null for empty values, and
 * columns picked verbatim in the order asked, a missing one left out.
 */
#include <jansson.h>
#include <stdlib.h>

#include "canon.h"
#include "harness.h"

static char *
dump(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	json_decref(v);
	return s;
}

#define CHECK_DUMP(v, want)                                                    \
	do {                                                                   \
		char *s_ = dump(v);                                            \
		CHECK_STR(s_, want);                                           \
		free(s_);                                                      \
	} while (0)

TEST(text)
{
	CHECK_DUMP(canon_text("Zoë"), "\"Zoë\"");
	CHECK_DUMP(canon_text(""), "null");
	CHECK_DUMP(canon_text(NULL), "null");
	CHECK_DUMP(canon_text(" "), "\" \"");
}

TEST(pick)
{
	static const char *const cols[] = {"b", "missing", "a"};
	json_t *rec = json_loads("{\"a\":\"1\",\"b\":\"\",\"c\":3}", 0, NULL);

	CHECK_DUMP(canon_pick(rec, cols, 3), "{\"b\":\"\",\"a\":\"1\"}");
	CHECK_DUMP(canon_pick(rec, cols, 0), "{}");
	json_decref(rec);
}

int
main(void)
{
	RUN(text);
	RUN(pick);
	return harness_done();
}

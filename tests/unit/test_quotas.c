/* Tests for common/quotas: the design file, and where it is wrong. */
#include "harness.h"
#include "quotas.h"

static int
parse(struct quotas *q, const char *text, struct buf *why, unsigned long *l,
    unsigned long *c)
{
	return quotas_parse(q, text, strlen(text), why, l, c);
}

TEST(by_count)
{
	struct quotas q;
	struct buf why = BUF_INIT, key = BUF_INIT;
	unsigned long l, c;
	const char *t =
	    "{\"seed\":\"s\",\"id\":\"northstar_id\",\"fields\":["
	    "{\"name\":\"state\",\"path\":\"user.addr_state\"},"
	    "{\"name\":\"age\",\"path\":\"dob\",\"age_on\":\"2026-11-03\","
	    "\"bands\":[18,30]}],\"cells\":["
	    "{\"cell\":{\"age\":\"18-30\",\"state\":\"CA\"},\"count\":4},"
	    "{\"cell\":{\"state\":\"NY\",\"age\":\"30+\"},\"count\":0}]}";

	CHECK(parse(&q, t, &why, &l, &c) == 0);
	CHECK_STR(q.seed, "s");
	CHECK_STR(q.id, "northstar_id");
	CHECK(q.nfields == 2 && q.ncells == 2 && q.total == 4);
	CHECK(q.fields[1].bands.kind == BANDS_AGE);
	quotas_key_add(&key, "CA", 2);
	quotas_key_add(&key, "18-30", 5);
	CHECK(quotas_cell(&q, key.data, key.len) == 0);
	buf_reset(&key);
	quotas_key_add(&key, "NY", 2);
	quotas_key_add(&key, "30+", 3);
	CHECK(quotas_cell(&q, key.data, key.len) == 1);
	CHECK(quotas_cell(&q, "x", 1) == -1);
	/* The cell object keeps the fields' order. */
	{
		char *s = json_dumps(q.cells[0].cell, JSON_COMPACT);

		CHECK_STR(s, "{\"state\":\"CA\",\"age\":\"18-30\"}");
		free(s);
	}
	quotas_release(&q);
	buf_release(&why);
	buf_release(&key);
}

/* No label runs into the next: "a" + "bc" is not "ab" + "c". */
TEST(keys_are_unambiguous)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	quotas_key_add(&a, "a", 1);
	quotas_key_add(&a, "bc", 2);
	quotas_key_add(&b, "ab", 2);
	quotas_key_add(&b, "c", 1);
	CHECK(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
	buf_release(&a);
	buf_release(&b);
}

TEST(by_share)
{
	struct quotas q;
	struct buf why = BUF_INIT;
	unsigned long l, c;
	const char *t = "{\"fields\":[{\"path\":\"s\"}],\"total\":10,"
	                "\"cells\":[{\"cell\":{\"s\":\"a\"},\"share\":0.7},"
	                "{\"cell\":{\"s\":\"b\"},\"share\":0.3}]}";

	CHECK(parse(&q, t, &why, &l, &c) == 0);
	CHECK(q.seed == NULL && q.id == NULL && q.by_share);
	CHECK(q.cells[0].count == 7 && q.cells[1].count == 3);
	CHECK(q.total == 10);
	quotas_release(&q);
	buf_release(&why);
}

/* Each refusal with its reason and where the value at fault is. */
static void
refused(
    const char *text, unsigned long line, unsigned long col, const char *reason)
{
	struct quotas q;
	struct buf why = BUF_INIT;
	unsigned long l = 0, c = 0;

	CHECK(parse(&q, text, &why, &l, &c) == -2);
	if (l != line || c != col || !why.data || !strstr(why.data, reason))
		fprintf(stderr, "%s\n  -> %lu:%lu %s\n", text, l, c,
		    why.data ? why.data : "");
	CHECK(l == line && c == col);
	CHECK(why.data && strstr(why.data, reason));
	quotas_release(&q);
	buf_release(&why);
}

TEST(refusals_at_line_and_column)
{
	refused(
	    "{\"seed\":\"s\",\n \"field\":[]}", 2, 2, "unknown key \"field\"");
	refused("{\"fields\":[{\"path\":\"a\"}],\n\"cells\":[\n"
	        " {\"cell\":{\"a\":\"x\"},\"count\":-1}]}",
	    3, 28, "\"count\": a whole number");
	refused("{\"fields\":[{\"path\":\"a\",\"bands\":[3,2]}],"
	        "\"cells\":[{\"cell\":{\"a\":\"x\"},\"count\":1}]}",
	    1, 32, "the edges must increase");
	refused("{\"fields\":[{\"path\":\"a\"}],\"cells\":["
	        "{\"cell\":{\"b\":\"x\"},\"count\":1}]}",
	    1, 44, "no field \"b\"");
	refused("{\"fields\":[{\"path\":\"a\"},{\"path\":\"b\"}],\"cells\":["
	        "{\"cell\":{\"a\":\"x\"},\"count\":1}]}",
	    1, 56, "the cell has no \"b\"");
	refused("{\"fields\":[{\"path\":\"a\"}],\"cells\":["
	        "{\"cell\":{\"a\":\"x\"},\"count\":1},"
	        "{\"cell\":{\"a\":\"x\"},\"count\":2}]}",
	    1, 64, "listed twice");
	refused("{\"fields\":[{\"path\":\"a\"}],\"total\":1,\"cells\":["
	        "{\"cell\":{\"a\":\"x\"},\"share\":1},"
	        "{\"cell\":{\"a\":\"y\"},\"share\":1}]}",
	    1, 34, "at least one member a cell");
	refused("{\"fields\":[{\"path\":\"a\"}],\"cells\":["
	        "{\"cell\":{\"a\":\"x\"},\"share\":1}]}",
	    1, 35, "every cell has a \"count\"");
	refused("{\"fields\":[{\"path\":\"a\",\"age_on\":\"2026-01-01\"}],"
	        "\"cells\":[]}",
	    1, 24, "\"age_on\" needs \"bands\"");
	refused("{\"fields\":[{\"path\":\"a\",\"bands\":[1],"
	        "\"labels\":[\"x\",\"x\"]}],\"cells\":[]}",
	    1, 50, "\"x\" twice");
	refused("{\"fields\":[{\"path\":\"a\",\"bands\":[1]}],\"cells\":["
	        "{\"cell\":{\"a\":\"1-2\"},\"count\":1}]}",
	    1, 60, "no band's label");
	refused("{\"fields\": [}", 1, 13, "not JSON");
	refused("[]", 1, 1, "holds an object");
}

TEST(labels)
{
	struct quotas q;
	struct buf why = BUF_INIT;
	unsigned long l, c;
	struct bandval v = {BANDVAL_INT, "42", 2, 42};
	const char *lab = NULL, *w = NULL;
	size_t n = 0;
	const char *t = "{\"fields\":[{\"path\":\"a\"},{\"path\":\"b\","
	                "\"bands\":[40]}],\"cells\":[{\"cell\":{\"a\":\"42\","
	                "\"b\":\"40+\"},\"count\":1}]}";

	CHECK(parse(&q, t, &why, &l, &c) == 0);
	CHECK(quotas_label(&q.fields[0], &v, &lab, &n, &w) == 0);
	CHECK_MEM(lab, n, "42");
	CHECK(quotas_label(&q.fields[1], &v, &lab, &n, &w) == 0);
	CHECK_MEM(lab, n, "40+");
	v.type = BANDVAL_REAL;
	CHECK(quotas_label(&q.fields[0], &v, &lab, &n, &w) < 0);
	quotas_release(&q);
	buf_release(&why);
}

TEST(load_missing_file)
{
	struct quotas q;
	struct buf why = BUF_INIT;
	unsigned long l, c;

	CHECK(quotas_load(&q, "/nonexistent/quotas.json", &why, &l, &c) == -1);
	CHECK(why.data && strstr(why.data, "cannot open"));
	quotas_release(&q);
	buf_release(&why);
}

int
main(void)
{
	RUN(by_count);
	RUN(keys_are_unambiguous);
	RUN(by_share);
	RUN(refusals_at_line_and_column);
	RUN(labels);
	RUN(load_missing_file);
	return harness_done();
}

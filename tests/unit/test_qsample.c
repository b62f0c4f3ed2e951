/* Tests for common/qsample: a quota sample in memory. */
#include "harness.h"
#include "qsample.h"

static int npushed;

static void
pushed(struct qsample_member *m, void *ctx)
{
	(void)m;
	(void)ctx;
	npushed++;
}

static const char design[] =
    "{\"fields\":[{\"path\":\"s\"}],\"cells\":["
    "{\"cell\":{\"s\":\"a\"},\"count\":3},{\"cell\":{\"s\":\"b\"},\"count\":1}]}";

static void
setup(struct quotas *q, struct sipkey *k)
{
	struct buf why = BUF_INIT;
	unsigned long l, c;

	CHECK(quotas_parse(q, design, strlen(design), &why, &l, &c) == 0);
	CHECK(sipkey_init(k, "t", 1) == 0);
	buf_release(&why);
}

static enum qsample_verdict
offer_json(struct qsample *s, const char *text)
{
	struct buf why = BUF_INIT;
	json_t *rec = json_loads(text, 0, NULL);
	enum qsample_verdict v = QSAMPLE_NOT_SAMPLED;

	CHECK(rec != NULL);
	if (qsample_tree_key(s, rec, "id", &why) == 0)
		v = qsample_offer(s, s->text.data, s->text.len, "-", 1);
	else
		v = (enum qsample_verdict) - 1;
	json_decref(rec);
	buf_release(&why);
	return v;
}

TEST(bounded_and_deduplicated)
{
	struct quotas q;
	struct sipkey k;
	struct qsample s;
	struct qsample_member **v;
	char rec[64];
	size_t n, i;
	int kept = 0;

	setup(&q, &k);
	npushed = 0;
	qsample_init(&s, &q, &k, 0, pushed, NULL);
	qsample_start(&s);
	for (i = 0; i < 50; i++) {
		snprintf(rec, sizeof(rec), "{\"id\":\"m%zu\",\"s\":\"a\"}", i);
		kept += offer_json(&s, rec) == QSAMPLE_KEPT;
	}
	CHECK(offer_json(&s, "{\"id\":\"x\",\"s\":\"z\"}") == QSAMPLE_NO_QUOTA);
	CHECK(offer_json(&s, "{\"s\":\"a\"}") == (enum qsample_verdict) - 1);
	v = qsample_cell(&s, 0, &n);
	CHECK(n == 3);
	CHECK(kept - npushed == 3);
	/* A member in the sample seen again is a duplicate. */
	snprintf(rec, sizeof(rec), "{\"id\":\"%s\",\"s\":\"a\"}", v[0]->id);
	free(v);
	qsample_release(&s);
	qsample_init(&s, &q, &k, 0, pushed, NULL);
	for (i = 0; i < 50; i++) {
		char r2[64];

		snprintf(r2, sizeof(r2), "{\"id\":\"m%zu\",\"s\":\"a\"}", i);
		offer_json(&s, r2);
	}
	CHECK(offer_json(&s, rec) == QSAMPLE_DUPLICATE);
	qsample_release(&s);
	quotas_release(&q);
	sipkey_release(&k);
}

/* The fast path's index finds the same id and cell as the tree. */
TEST(doc_key_as_tree_key)
{
	struct quotas q;
	struct sipkey k;
	struct qsample s;
	struct jdoc d;
	struct buf why = BUF_INIT, id = BUF_INIT, cell = BUF_INIT;
	const char *lines[] = {"{\"id\":\"m1\",\"s\":\"a\"}",
	    "{\"id\":17,\"s\":\"b\"}", "{\"id\":\"\\u00e9\",\"s\":\"a\"}",
	    "{\"id\":\"m2\",\"s\":true}"};
	size_t i;

	setup(&q, &k);
	qsample_init(&s, &q, &k, 0, pushed, NULL);
	jdoc_init(&d);
	for (i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		json_t *rec = json_loads(lines[i], 0, NULL);

		CHECK(jdoc_parse(&d, lines[i], strlen(lines[i])) == 0 ||
		      i == 2); /* \u00e9 is not canonical */
		CHECK(qsample_tree_key(&s, rec, "id", &why) == 0);
		buf_reset(&id);
		buf_add(&id, s.id.data, s.id.len);
		buf_reset(&cell);
		buf_add(&cell, s.cellkey.data, s.cellkey.len);
		if (i != 2) {
			CHECK(qsample_doc_key(&s, &d, "id") == 0);
			CHECK(s.id.len == id.len &&
			      memcmp(s.id.data, id.data, id.len) == 0);
			CHECK(s.cellkey.len == cell.len &&
			      memcmp(s.cellkey.data, cell.data, cell.len) == 0);
		}
		json_decref(rec);
	}
	jdoc_release(&d);
	qsample_release(&s);
	quotas_release(&q);
	sipkey_release(&k);
	buf_release(&why);
	buf_release(&id);
	buf_release(&cell);
}

/* Sticky: the state's members stay; newcomers get the vacancies. */
TEST(sticky_pins)
{
	struct quotas q;
	struct sipkey k;
	struct qsample s;
	struct qsample_member **v;
	json_t *cell = json_pack("{s:s}", "s", "b");
	struct samplestate_member old = {"zz", 2, 0, cell, "{}", 2};
	size_t n;

	setup(&q, &k);
	qsample_init(&s, &q, &k, 1, pushed, NULL);
	qsample_add_old(&s, &old);
	qsample_start(&s);
	CHECK(offer_json(&s, "{\"id\":\"m1\",\"s\":\"b\"}") ==
	      QSAMPLE_NOT_SAMPLED);
	v = qsample_cell(&s, 1, &n);
	CHECK(n == 1 && strcmp(v[0]->id, "zz") == 0 && v[0]->old);
	free(v);
	qsample_release(&s);
	/* Without sticky, the smaller key of the two wins the one seat. */
	qsample_init(&s, &q, &k, 0, pushed, NULL);
	qsample_add_old(&s, &old);
	qsample_start(&s);
	offer_json(&s, "{\"id\":\"m1\",\"s\":\"b\"}");
	v = qsample_cell(&s, 1, &n);
	CHECK(n == 1);
	CHECK(
	    strcmp(v[0]->id, sipkey_hash(&k, "m1", 2) < sipkey_hash(&k, "zz", 2)
	                         ? "m1"
	                         : "zz") == 0);
	free(v);
	qsample_release(&s);
	json_decref(cell);
	quotas_release(&q);
	sipkey_release(&k);
}

int
main(void)
{
	RUN(bounded_and_deduplicated);
	RUN(doc_key_as_tree_key);
	RUN(sticky_pins);
	return harness_done();
}

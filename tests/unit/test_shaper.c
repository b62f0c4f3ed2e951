/*
 * Unit tests for common/shaper.c: a shape compiled from its JSON (each
 * mistake refused with where it is), and rows shaped by it, each row both
 * from its line's index (jdoc) and from its jansson tree, which must give
 * the same bytes: columns as written, pieces, constants and defaults,
 * lists of sources, "when" on columns and pieces (strings, true, false,
 * null), "empty", "fn", "columns", "fields" with "only", "omit", drop
 * rules (if, unless, when), missing and odd columns, and _meta (a member
 * set in its place, the others added, the warning).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "jsoncheck.h"
#include "rules.h"
#include "shaper.h"

static json_t *spec_root;

/* Loads a shape (and defaults) from text; returns shaper_load's value. */
static int
load(struct shaper *s, const char *shape, struct buf *err)
{
	json_t *root;

	json_decref(spec_root);
	spec_root = root = parse(shape);
	buf_reset(err);
	return shaper_load(s, json_object_get(root, "shape"),
	    json_object_get(root, "defaults"), rules_table, err);
}

/* The shaper's error for a shape, which must not load. */
#define CHECK_LOAD_ERROR(shape, want)                                          \
	do {                                                                   \
		struct shaper s_;                                              \
		struct buf e_ = BUF_INIT;                                      \
		CHECK(load(&s_, (shape), &e_) < 0);                            \
		CHECK_STR(e_.data, (want));                                    \
		shaper_release(&s_);                                           \
		buf_release(&e_);                                              \
	} while (0)

/*
 * Shapes row both ways; returns the result, the record (or the drop rule,
 * or the reason) in out. The two ways must agree.
 */
static enum shaper_result
shape_row(struct shaper *s, const char *row, struct buf *out)
{
	struct buf tree_out = BUF_INIT;
	enum shaper_result a, b;
	json_t *rec = parse(row);
	struct jdoc d;

	jdoc_init(&d);
	buf_reset(out);
	b = shaper_tree(s, rec, &tree_out);
	if (b == SHAPER_DROP)
		buf_adds(&tree_out, s->rule);
	if (b == SHAPER_REJECT)
		buf_adds(&tree_out, s->why.data);
	if (jdoc_parse(&d, row, strlen(row)) == 0) {
		a = shaper_doc(s, &d, out);
		if (a == SHAPER_DROP)
			buf_adds(out, s->rule);
		if (a == SHAPER_REJECT)
			buf_adds(out, s->why.data);
		CHECK(a == b);
		CHECK_STR(out->data, tree_out.data);
	} else {
		fprintf(stderr, "not canonical: %s\n", row);
		CHECK(0);
		buf_adds(out, tree_out.data);
	}
	jdoc_release(&d);
	json_decref(rec);
	buf_release(&tree_out);
	return b;
}

static const char rtv_like[] =
    "{\"defaults\": {\"action_id\": 954, \"topics\": [\"community\"]},\n"
    " \"shape\": {\n"
    "  \"columns\": [\"Status\", \"Finish\", \"Email\", \"Zip\", "
    "\"Tracking\", \"Opt in\"],\n"
    "  \"optional\": [\"Phone\", \"Id\"],\n"
    "  \"drop\": [{\"rule\": \"test-row\", \"when\": {\"Email\": "
    "\"test@x.org\"}},\n"
    "           {\"rule\": \"staff\", \"column\": \"Email\", "
    "\"if\": \"contains_ci\", \"arg\": \"@staff.org\"}],\n"
    "  \"parse\": {\"status\": {\"column\": \"Status\", \"fn\": "
    "\"slug\"},\n"
    "            \"done\": {\"column\": \"Finish\", \"fn\": \"yes_no\"},\n"
    "            \"in\": {\"column\": \"Opt in\", \"fn\": \"yes_no\"},\n"
    "            \"ts\": {\"column\": \"Tracking\", \"fn\": "
    "\"tracking_source\"},\n"
    "            \"mobile\": {\"column\": \"Phone\", \"fn\": \"mobile\"}},\n"
    "  \"record\": {\n"
    "   \"northstar_id\": {\"piece\": \"ts.user\"},\n"
    "   \"action_id\": {\"default\": \"action_id\"},\n"
    "   \"status\": [{\"when\": {\"status\": \"complete\", \"done\": true}, "
    "\"const\": \"register-OVR\"},\n"
    "              {\"when\": {\"status\": \"complete\"}, \"const\": "
    "\"register-form\"},\n"
    "              {\"piece\": \"status\", \"empty\": \"keep\"}],\n"
    "   \"group_id\": {\"piece\": \"ts.group_id\"},\n"
    "   \"details\": {\"columns\": [\"Status\", \"Phone\", \"Zip\"]},\n"
    "   \"user\": {\"fields\": {\n"
    "     \"email\": {\"column\": \"Email\"},\n"
    "     \"zip\": {\"column\": \"Zip\", \"empty\": \"keep\"},\n"
    "     \"mobile\": {\"piece\": \"mobile\"},\n"
    "     \"lower\": {\"column\": \"Status\", \"fn\": \"slug\"},\n"
    "     \"opted\": {\"piece\": \"in\"},\n"
    "     \"topics\": [{\"when\": {\"in\": true}, \"default\": \"topics\"}, "
    "{\"const\": []}],\n"
    "     \"sms\": [{\"when\": {\"mobile\": null}, \"omit\": true}, "
    "{\"const\": \"active\"}]},\n"
    "    \"only\": [{\"when\": {\"status\": \"step-1\"}, \"keep\": "
    "[\"email\", \"zip\"]}]}\n"
    "  },\n"
    "  \"meta\": {\"vendor_id\": [{\"column\": \"Id\", \"empty\": "
    "\"skip\"}, {\"omit\": true}]}\n"
    " }}";

TEST(shapes_rows)
{
	struct shaper s;
	struct buf err = BUF_INIT, out = BUF_INIT;

	CHECK(load(&s, rtv_like, &err) == 0);
	if (err.len)
		fprintf(stderr, "%s\n", err.data);
	CHECK(shape_row(&s,
	          "{\"Status\":\"Complete\",\"Finish\":\"Yes\","
	          "\"Email\":\"a@x.org\",\"Zip\":\"\",\"Tracking\":"
	          "\"user:5552aa34469c64ec7d8b715b,group_id=7\","
	          "\"Opt in\":\"y\",\"Phone\":\"212-254-2390\",\"Id\":\"T1\","
	          "\"_meta\":{\"file\":\"r.csv\",\"line\":2}}",
	          &out) == SHAPER_OUT);
	CHECK_STR(out.data,
	    "{\"northstar_id\":\"5552aa34469c64ec7d8b715b\",\"action_id\":954,"
	    "\"status\":\"register-OVR\",\"group_id\":7,\"details\":"
	    "{\"Status\":\"Complete\",\"Phone\":\"212-254-2390\",\"Zip\":\"\"},"
	    "\"user\":{\"email\":\"a@x.org\",\"zip\":\"\",\"mobile\":"
	    "\"212-254-2390\",\"lower\":\"complete\",\"opted\":true,"
	    "\"topics\":[\"community\"],\"sms\":\"active\"},\"_meta\":"
	    "{\"file\":\"r.csv\",\"line\":2,\"vendor_id\":\"T1\"}}\n");
	/* No phone, no Id, not finished, empty e-mail, a warning. */
	CHECK(shape_row(&s,
	          "{\"Status\":\"Complete\",\"Finish\":\"y \",\"Email\":\"\","
	          "\"Zip\":\"1\",\"Tracking\":\"group_id=x\",\"Opt in\":\"no\","
	          "\"Id\":\"\",\"_meta\":\"not an object\"}",
	          &out) == SHAPER_OUT);
	CHECK_STR(out.data,
	    "{\"northstar_id\":null,\"action_id\":954,\"status\":"
	    "\"register-form\",\"group_id\":null,\"details\":{\"Status\":"
	    "\"Complete\",\"Zip\":\"1\"},\"user\":{\"email\":null,\"zip\":\"1\","
	    "\"mobile\":null,\"lower\":\"complete\",\"opted\":false,"
	    "\"topics\":[]},\"_meta\":{\"warning\":\"tracking source group_id "
	    "'x' is not a whole number; not used\"}}\n");
	/* "only": a Step 1 member keeps just the fields it names. */
	CHECK(
	    shape_row(&s,
	        "{\"Status\":\"Step 1\",\"Finish\":\"\",\"Email\":\"b@x.org\","
	        "\"Zip\":\"2\",\"Tracking\":\"\",\"Opt in\":\"yes\"}",
	        &out) == SHAPER_OUT);
	CHECK(strstr(out.data,
	          "\"user\":{\"email\":\"b@x.org\",\"zip\":\"2\"}") != NULL);
	/* An empty status slug stays "" ("empty": "keep"). */
	CHECK(shape_row(&s,
	          "{\"Status\":\"\",\"Finish\":\"\",\"Email\":\"c@x.org\","
	          "\"Zip\":\"2\",\"Tracking\":\"\",\"Opt in\":\"\"}",
	          &out) == SHAPER_OUT);
	CHECK(strstr(out.data, "\"status\":\"\",") != NULL);
	shaper_release(&s);
	buf_release(&err);
	buf_release(&out);
}

TEST(drops_and_rejects)
{
	struct shaper s;
	struct buf err = BUF_INIT, out = BUF_INIT;
	static const char base[] = "\"Finish\":\"\",\"Zip\":\"\",\"Tracking\":"
	                           "\"\",\"Opt in\":\"\"";
	char row[512];

	CHECK(load(&s, rtv_like, &err) == 0);
	snprintf(row, sizeof(row),
	    "{\"Status\":\"x\",\"Email\":\"test@x.org\",%s}", base);
	CHECK(shape_row(&s, row, &out) == SHAPER_DROP);
	CHECK_STR(out.data, "test-row");
	snprintf(row, sizeof(row),
	    "{\"Status\":\"x\",\"Email\":\"Jo@STAFF.org\",%s}", base);
	CHECK(shape_row(&s, row, &out) == SHAPER_DROP);
	CHECK_STR(out.data, "staff");
	/* The first problem with a column, in the order of the lists. */
	snprintf(row, sizeof(row), "{\"Email\":\"a@x.org\",%s}", base);
	CHECK(shape_row(&s, row, &out) == SHAPER_REJECT);
	CHECK_STR(out.data, "no column 'Status'");
	CHECK(s.column_problem);
	snprintf(
	    row, sizeof(row), "{\"Status\":1,\"Email\":\"a@x.org\",%s}", base);
	CHECK(shape_row(&s, row, &out) == SHAPER_REJECT);
	CHECK_STR(out.data, "column 'Status' is not a string");
	/* An optional column may be missing, not of another type. */
	snprintf(row, sizeof(row),
	    "{\"Status\":\"x\",\"Email\":\"a@x.org\",%s,\"Phone\":null}", base);
	CHECK(shape_row(&s, row, &out) == SHAPER_REJECT);
	CHECK_STR(out.data, "column 'Phone' is not a string");
	shaper_release(&s);
	buf_release(&err);
	buf_release(&out);
}

/* A reject rule says why, with the value, after the drop rules. */
TEST(reject_rules)
{
	static const char spec[] =
	    "{\"shape\": {\"columns\": [\"email\"],"
	    " \"drop\": [{\"rule\": \"staff\", \"column\": \"email\","
	    " \"if\": \"contains_ci\", \"arg\": \"@staff.org\"}],"
	    " \"reject\": [{\"why\": \"not an e-mail address\","
	    " \"column\": \"email\", \"unless\": \"email_valid\"},"
	    " {\"why\": \"a test row\", \"when\": {\"email\": \"t@x.org\"}}],"
	    " \"record\": {\"e\": {\"column\": \"email\", \"fn\": "
	    "\"email\"}}}}";
	struct shaper s;
	struct buf err = BUF_INIT, out = BUF_INIT;

	CHECK(load(&s, spec, &err) == 0);
	CHECK(shape_row(&s, "{\"email\":\"bob@\"}", &out) == SHAPER_REJECT);
	CHECK_STR(out.data, "email: not an e-mail address \"bob@\"");
	CHECK(!s.column_problem);
	CHECK(shape_row(&s, "{\"email\":\"t@x.org\"}", &out) == SHAPER_REJECT);
	CHECK_STR(out.data, "a test row");
	/* A drop comes first, even for a value a reject would refuse. */
	CHECK(shape_row(&s, "{\"email\":\"@staff.org\"}", &out) == SHAPER_DROP);
	CHECK_STR(out.data, "staff");
	CHECK(shape_row(&s, "{\"email\":\" Ann@X.ORG\"}", &out) == SHAPER_OUT);
	CHECK_STR(out.data, "{\"e\":\"ann@x.org\",\"_meta\":{}}\n");
	shaper_release(&s);
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"reject\": "
	                 "[{\"column\": \"a\", \"unless\": \"real_date\"}], "
	                 "\"record\": {}}}",
	    "shape.reject[0]: why: must say why the row is rejected");
	buf_release(&err);
	buf_release(&out);
}

TEST(meta_members_keep_their_place)
{
	struct shaper s;
	struct buf err = BUF_INIT, out = BUF_INIT;

	CHECK(load(&s,
	          "{\"shape\": {\"columns\": [\"id\", \"c\"], \"parse\": "
	          "{\"code\": {\"column\": \"c\", \"fn\": \"referral_code\"}}, "
	          "\"record\": {\"x\": {\"column\": \"id\", \"empty\": "
	          "\"keep\"}}, \"meta\": {\"vendor_id\": {\"column\": \"id\", "
	          "\"empty\": \"keep\"}}}}",
	          &err) == 0);
	CHECK(
	    shape_row(&s,
	        "{\"id\":\"7\",\"c\":\"user:x\",\"_meta\":{\"warning\":\"old\","
	        "\"vendor_id\":\"6\",\"n\":[1,{\"a\":null}],\"line\":3}}",
	        &out) == SHAPER_OUT);
	CHECK_STR(out.data,
	    "{\"x\":\"7\",\"_meta\":{\"warning\":\"referral code user 'x' is "
	    "not a Northstar id; not used\",\"vendor_id\":\"7\",\"n\":[1,{\"a\":"
	    "null}],\"line\":3}}\n");
	/* No warning this time: the row's own stays. */
	CHECK(shape_row(&s,
	          "{\"id\":\"\\\"q\\u001F\",\"c\":\"\",\"_meta\":{\"warning\":"
	          "\"old\"}}",
	          &out) == SHAPER_OUT);
	CHECK_STR(out.data, "{\"x\":\"\\\"q\\u001F\",\"_meta\":{\"warning\":"
	                    "\"old\",\"vendor_id\":\"\\\"q\\u001F\"}}\n");
	shaper_release(&s);
	buf_release(&err);
	buf_release(&out);
}

TEST(load_errors)
{
	CHECK_LOAD_ERROR("{\"shape\": []}", "shape: must be an object");
	CHECK_LOAD_ERROR("{\"shape\": {}}",
	    "shape: record: the canonical record is missing");
	CHECK_LOAD_ERROR("{\"shape\": {\"record\": {}, \"colums\": []}}",
	    "shape.colums: not a key of a shape");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\", \"a\"], "
	                 "\"record\": {}}}",
	    "shape.columns[1]: column 'a' is named twice");
	CHECK_LOAD_ERROR("{\"shape\": {\"record\": {\"x\": {\"column\": "
	                 "\"a\"}}}}",
	    "shape.record.x.column: no column 'a' in \"columns\" or "
	    "\"optional\" (every column the shape reads is listed there)");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"record\": "
	                 "{\"x\": {\"column\": \"a\", \"piece\": \"p\"}}}}",
	    "shape.record.x: must have one of \"column\", \"piece\", "
	    "\"const\", \"default\", \"columns\", \"fields\" or \"omit\"");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"record\": "
	                 "{\"x\": [{\"column\": \"a\"}, {\"piece\": \"p\"}]}}}",
	    "shape.record.x[1]: piece: no piece named 'p' in \"parse\"");
	CHECK_LOAD_ERROR("{\"shape\": {\"record\": {\"x\": {\"default\": "
	                 "\"d\"}}}}",
	    "shape.record.x: default: no \"d\" in the vendor file's defaults");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"record\": "
	                 "{\"x\": {\"column\": \"a\", \"fn\": \"nope\"}}}}",
	    "shape.record.x: fn: no function named 'nope' (rules/rules.h "
	    "lists them)");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"record\": "
	                 "{\"x\": {\"column\": \"a\", \"fn\": "
	                 "\"referral_code\"}}}}",
	    "shape.record.x: fn: 'referral_code' gives pieces: use it in "
	    "\"parse\"");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"record\": "
	                 "{\"x\": {\"column\": \"a\", \"fn\": \"contains\"}}}}",
	    "shape.record.x: fn: 'contains' needs a non-empty \"arg\"");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"record\": "
	                 "{\"x\": {\"column\": \"a\", \"when\": {\"b\": "
	                 "\"1\"}}}}}",
	    "shape.record.x.when.b: no column or piece of that name");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"record\": "
	                 "{\"x\": {\"column\": \"a\", \"when\": {\"a\": 1}}}}}",
	    "shape.record.x.when.a: must be a string, a list of strings, "
	    "true, false or null");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"record\": "
	                 "{\"x\": {\"column\": \"a\", \"empty\": \"drop\"}}}}",
	    "shape.record.x: empty: must be \"null\", \"keep\" or \"skip\"");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"parse\": "
	                 "{\"a\": {\"column\": \"a\", \"fn\": \"slug\"}}, "
	                 "\"record\": {}}}",
	    "shape.parse.a: a piece may not have a column's name");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"drop\": "
	                 "[{\"rule\": \"r\", \"column\": \"a\", \"if\": "
	                 "\"slug\"}], \"record\": {}}}",
	    "shape.drop[0]: if: 'slug' is not a test (it does not say yes or "
	    "no)");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"drop\": "
	                 "[{\"column\": \"a\", \"if\": \"real_date\"}], "
	                 "\"record\": {}}}",
	    "shape.drop[0]: rule: must name the rule");
	CHECK_LOAD_ERROR("{\"shape\": {\"record\": {\"f\": {\"fields\": "
	                 "{\"a\": {\"const\": 1}}, \"only\": [{\"when\": {}, "
	                 "\"keep\": [\"b\"]}]}}}}",
	    "shape.record.f.only[0]: keep[0]: not a field of the object");
	CHECK_LOAD_ERROR("{\"shape\": {\"record\": {\"_meta\": {\"const\": "
	                 "1}}}}",
	    "shape.record._meta: _meta is the row's own (see \"meta\")");
	CHECK_LOAD_ERROR("{\"shape\": {\"columns\": [\"a\"], \"record\": "
	                 "{\"d\": {\"columns\": [\"a\", \"a\"]}}}}",
	    "shape.record.d.columns[1]: column 'a' is in the list twice");
	CHECK_LOAD_ERROR("{\"shape\": {\"record\": {}, \"meta\": "
	                 "{\"warning\": {\"const\": 1}}}}",
	    "shape.meta.warning: _meta.warning is shape's own: what the "
	    "functions set aside");
	CHECK_LOAD_ERROR("{\"shape\": {\"record\": {}, \"meta\": {\"a\\\"b\": "
	                 "{\"const\": 1}}}}",
	    "shape.meta.a\"b: a _meta field's name may not hold a quote, a "
	    "backslash or a control character");
}

/* A typed shape takes numbers and booleans, as JSON values. */
TEST(typed_rows)
{
	struct shaper s;
	struct buf err = BUF_INIT, out = BUF_INIT;
	json_t *real;
	static const char shape[] =
	    "{\"shape\": {\"typed\": true, \"columns\": [\"n\", \"ok\"],"
	    " \"optional\": [\"d\"],"
	    " \"drop\": [{\"rule\": \"zero\", \"when\": {\"ok\": false}}],"
	    " \"record\": {\"n\": {\"column\": \"n\"},"
	    " \"t\": {\"column\": \"n\", \"fn\": \"slug\"},"
	    " \"details\": {\"columns\": [\"n\", \"ok\", \"d\"]}}}}";

	CHECK(load(&s, shape, &err) == 0);
	CHECK(shape_row(&s, "{\"n\":42,\"ok\":true,\"d\":null}", &out) ==
	      SHAPER_OUT);
	CHECK_STR(out.data, "{\"n\":42,\"t\":\"42\",\"details\":{\"n\":42,"
	                    "\"ok\":true},\"_meta\":{}}\n");
	CHECK(shape_row(&s, "{\"n\":\"x\",\"ok\":false}", &out) == SHAPER_DROP);
	CHECK_STR(out.data, "zero");
	CHECK(shape_row(&s, "{\"n\":[1],\"ok\":true}", &out) == SHAPER_REJECT);
	CHECK_STR(
	    out.data, "column 'n' is not a string, an integer or a boolean");
	/* A real: jansson would write it in its own way. */
	real = json_loads("{\"n\":1.5,\"ok\":true}", 0, NULL);
	CHECK(shaper_tree(&s, real, &out) == SHAPER_REJECT);
	CHECK_STR(
	    s.why.data, "column 'n' is not a string, an integer or a boolean");
	json_decref(real);
	CHECK(shape_row(&s, "{\"n\":null,\"ok\":true}", &out) == SHAPER_REJECT);
	CHECK_STR(out.data, "no column 'n'");
	shaper_release(&s);
	/* Not typed: a number is refused, as csv2ndjson never writes one. */
	CHECK(load(&s, "{\"shape\": {\"columns\": [\"n\"], \"record\": {}}}",
	          &err) == 0);
	CHECK(shape_row(&s, "{\"n\":42}", &out) == SHAPER_REJECT);
	CHECK_STR(out.data, "column 'n' is not a string");
	shaper_release(&s);
	CHECK_LOAD_ERROR("{\"shape\": {\"typed\": 1, \"record\": {}}}",
	    "shape: typed: must be true or false");
	buf_release(&err);
	buf_release(&out);
}

int
main(void)
{
	RUN(shapes_rows);
	RUN(drops_and_rejects);
	RUN(reject_rules);
	RUN(meta_members_keep_their_place);
	RUN(load_errors);
	RUN(typed_rows);
	json_decref(spec_root);
	return harness_done();
}

/*
 * Unit tests for common/memberrules.c: every rule kind (rank, union, minus,
 * set, fill, a table), a list of rules picked by "when", a set's "when",
 * the checks of a section (each mistake refused with its path), the
 * defaults, the activation type by "type" and "type_by", and a create's
 * body. The SMS table of the old importer, as Rock the Vote's vendor file
 * writes it, gives the answers the old importer gave.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "jsoncheck.h"
#include "memberrules.h"

/* Rock the Vote's SMS set, as in its vendor file. */
static const char sms_set[] =
    "{\"updates\": [{\"name\": \"sms\", \"target\": \"mobile-owner\","
    " \"once\": [\"northstar_id\", \"details.Started registration\"],"
    " \"when\": {\"user.sms_status\": [\"active\", \"stop\"]},"
    " \"fields\": {\"sms_status\": {\"table\": {"
    "  \"active\": {\"\": \"active\", \"undeliverable\": \"active\","
    "   \"less\": \"active\", \"pending\": \"active\", \"stop\": \"active\"},"
    "  \"stop\": {\"\": \"stop\", \"undeliverable\": \"stop\"}}},"
    " \"sms_subscription_topics\": ["
    "  {\"when\": {\"user.sms_status\": \"active\"}, \"rule\": \"union\"},"
    "  {\"rule\": \"minus\", \"values\": [\"voting\"]}]}}]}";

static struct map map;

/* The change of the first set of rules for a row and a member (JSON). */
static char *
change_of(const char *rules, const char *row, const char *member)
{
	struct memberrules m;
	struct buf err = BUF_INIT;
	json_t *sec = parse(rules), *rec = parse(row), *mem = parse(member), *c;
	char *s = NULL;

	if (memberrules_load(&m, sec, "member", &err) != 0) {
		fprintf(stderr, "%s\n", err.data);
		goto out;
	}
	c = memberrules_change(&m.sets[0], &map, rec, mem);
	s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
out:
	memberrules_release(&m);
	json_decref(sec);
	json_decref(rec);
	json_decref(mem);
	buf_release(&err);
	return s;
}

#define CHECK_CHANGE(rules, row, member, want)                                 \
	do {                                                                   \
		char *got_ = change_of(rules, row, member);                    \
		CHECK_STR(got_, want);                                         \
		free(got_);                                                    \
	} while (0)

/* The SMS table for a member (status, topics) and a row opting in or out. */
static char *
sms(const char *status, const char *topics, int in)
{
	char row[256], member[256];

	snprintf(row, sizeof(row),
	    "{\"user\": {\"sms_status\": \"%s\", "
	    "\"sms_subscription_topics\": %s}}",
	    in ? "active" : "stop", in ? "[\"voting\"]" : "[]");
	snprintf(member, sizeof(member),
	    "{%s%s%s \"sms_subscription_topics\": %s}",
	    status ? "\"sms_status\": \"" : "", status ? status : "",
	    status ? "\"," : "", topics);
	return change_of(sms_set, row, member);
}

#define CHECK_SMS(status, topics, in, want)                                    \
	do {                                                                   \
		char *got_ = sms(status, topics, in);                          \
		CHECK_STR(got_, want);                                         \
		free(got_);                                                    \
	} while (0)

TEST(sms_table_as_the_old_importer)
{
	/* Case 15's spot checks. */
	CHECK_SMS("stop", "[]", 0, "{}");
	CHECK_SMS("less", "[\"general\",\"voting\"]", 1,
	    "{\"sms_status\":\"active\"}");
	CHECK_SMS("active", "[\"general\",\"voting\",\"pizza\"]", 0,
	    "{\"sms_subscription_topics\":[\"general\",\"pizza\"]}");
	CHECK_SMS("undeliverable", "[]", 1,
	    "{\"sms_status\":\"active\",\"sms_subscription_topics\":"
	    "[\"voting\"]}");
	/* The old importer's own examples. */
	CHECK_SMS("active", "[\"general\",\"voting\"]", 0,
	    "{\"sms_subscription_topics\":[\"general\"]}");
	CHECK_SMS(NULL, "null", 1,
	    "{\"sms_status\":\"active\",\"sms_subscription_topics\":"
	    "[\"voting\"]}");
	CHECK_SMS(NULL, "null", 0, "{\"sms_status\":\"stop\"}");
	CHECK_SMS("", "[]", 0, "{\"sms_status\":\"stop\"}");
	CHECK_SMS("pending", "[\"voting\"]", 1, "{\"sms_status\":\"active\"}");
	CHECK_SMS(
	    "unknown", "[]", 1, "{\"sms_subscription_topics\":[\"voting\"]}");
	CHECK_SMS("less", "[]", 0, "{}");
	/* minus sends only what removes one (the old importer sent the
	 * list unchanged, which changed nothing). */
	CHECK_SMS("active", "[\"general\"]", 0, "{}");
}

TEST(rank_set_fill)
{
	const char *rank = "{\"updates\": [{\"name\": \"s\", \"fields\": "
	                   "{\"voter_registration_status\": \"rank\"}}]}";
	const char *set = "{\"updates\": [{\"name\": \"s\", \"fields\": "
	                  "{\"first_name\": \"set\"}}]}";
	const char *fill = "{\"updates\": [{\"name\": \"s\", \"fields\": "
	                   "{\"first_name\": \"fill\"}}]}";

	CHECK_CHANGE(rank, "{\"user\": {\"voter_registration_status\": \"b\"}}",
	    "{\"voter_registration_status\": \"a\"}",
	    "{\"voter_registration_status\":\"b\"}");
	CHECK_CHANGE(rank, "{\"user\": {\"voter_registration_status\": \"a\"}}",
	    "{\"voter_registration_status\": \"b\"}", "{}");
	CHECK_CHANGE(rank, "{\"user\": {\"voter_registration_status\": \"b\"}}",
	    "{}", "{\"voter_registration_status\":\"b\"}");
	CHECK_CHANGE(rank, "{\"user\": {}}", "{}", "{}");
	CHECK_CHANGE(set, "{\"user\": {\"first_name\": \"Ana\"}}",
	    "{\"first_name\": \"Bea\"}", "{\"first_name\":\"Ana\"}");
	CHECK_CHANGE(set, "{\"user\": {\"first_name\": \"Ana\"}}",
	    "{\"first_name\": \"Ana\"}", "{}");
	/* An empty or absent column never blanks a field. */
	CHECK_CHANGE(set, "{\"user\": {\"first_name\": \"\"}}",
	    "{\"first_name\": \"Bea\"}", "{}");
	CHECK_CHANGE(set, "{\"user\": {}}", "{\"first_name\": \"Bea\"}", "{}");
	CHECK_CHANGE(fill, "{\"user\": {\"first_name\": \"Ana\"}}",
	    "{\"first_name\": \"Bea\"}", "{}");
	CHECK_CHANGE(fill, "{\"user\": {\"first_name\": \"Ana\"}}",
	    "{\"first_name\": null}", "{\"first_name\":\"Ana\"}");
	CHECK_CHANGE(fill, "{\"user\": {\"first_name\": \"Ana\"}}", "{}",
	    "{\"first_name\":\"Ana\"}");
	CHECK_CHANGE(fill, "{\"user\": {}}", "{}", "{}");
}

TEST(union_minus_values)
{
	const char *u = "{\"updates\": [{\"name\": \"s\", \"fields\": "
	                "{\"topics\": \"union\"}}]}";
	const char *uv = "{\"updates\": [{\"name\": \"s\", \"fields\": "
	                 "{\"topics\": {\"rule\": \"union\", \"values\": "
	                 "[\"news\"]}}}]}";
	const char *mv = "{\"updates\": [{\"name\": \"s\", \"fields\": "
	                 "{\"topics\": {\"rule\": \"minus\", \"values\": "
	                 "[\"news\", \"x\"]}}}]}";

	CHECK_CHANGE(u, "{\"user\": {\"topics\": [\"a\", \"b\"]}}",
	    "{\"topics\": [\"b\", \"c\"]}", "{\"topics\":[\"b\",\"c\",\"a\"]}");
	CHECK_CHANGE(u, "{\"user\": {\"topics\": [\"b\"]}}",
	    "{\"topics\": [\"b\", \"c\"]}", "{}");
	CHECK_CHANGE(u, "{\"user\": {}}", "{\"topics\": [\"b\"]}", "{}");
	CHECK_CHANGE(uv, "{\"user\": {}}", "{}", "{\"topics\":[\"news\"]}");
	CHECK_CHANGE(mv, "{\"user\": {}}", "{\"topics\": [\"news\", \"b\"]}",
	    "{\"topics\":[\"b\"]}");
	CHECK_CHANGE(mv, "{\"user\": {}}", "{\"topics\": [\"b\"]}", "{}");
	CHECK_CHANGE(mv, "{\"user\": {}}", "{}", "{}");
}

TEST(table_and_when_lists)
{
	const char *t = "{\"updates\": [{\"name\": \"s\", \"fields\": {\"st\": "
	                "{\"table\": {\"on\": {\"\": \"on\", \"off\": \"on\"}, "
	                "\"off\": {\"on\": \"on\"}}}}}]}";
	const char *w =
	    "{\"updates\": [{\"name\": \"s\", \"fields\": {\"st\": "
	    "[{\"when\": {\"flag\": true}, \"rule\": \"set\"},"
	    " {\"when\": {\"flag\": false}, \"rule\": \"fill\"}]}}]}";

	CHECK_CHANGE(
	    t, "{\"user\": {\"st\": \"on\"}}", "{}", "{\"st\":\"on\"}");
	CHECK_CHANGE(t, "{\"user\": {\"st\": \"on\"}}", "{\"st\": \"\"}",
	    "{\"st\":\"on\"}");
	CHECK_CHANGE(t, "{\"user\": {\"st\": \"on\"}}", "{\"st\": \"off\"}",
	    "{\"st\":\"on\"}");
	/* The new value is what the member has: no change. */
	CHECK_CHANGE(
	    t, "{\"user\": {\"st\": \"off\"}}", "{\"st\": \"on\"}", "{}");
	/* An unlisted pair: no change. */
	CHECK_CHANGE(
	    t, "{\"user\": {\"st\": \"off\"}}", "{\"st\": \"x\"}", "{}");
	CHECK_CHANGE(t, "{\"user\": {}}", "{}", "{}");
	CHECK_CHANGE(w, "{\"flag\": true, \"user\": {\"st\": \"a\"}}",
	    "{\"st\": \"b\"}", "{\"st\":\"a\"}");
	CHECK_CHANGE(w, "{\"flag\": false, \"user\": {\"st\": \"a\"}}",
	    "{\"st\": \"b\"}", "{}");
	/* No "when" holds: no change. */
	CHECK_CHANGE(w, "{\"user\": {\"st\": \"a\"}}", "{}", "{}");
}

TEST(holds)
{
	json_t *rec =
	    parse("{\"a\": \"x\", \"b\": {\"c\": true}, \"n\": null}");
	json_t *w1 = parse("{\"a\": [\"y\", \"x\"], \"b.c\": true}");
	json_t *w2 = parse("{\"a\": \"x\", \"n\": null, \"missing\": null}");
	json_t *w3 = parse("{\"a\": \"x\", \"b.c\": false}");

	CHECK(memberrules_holds(NULL, rec));
	CHECK(memberrules_holds(w1, rec));
	CHECK(memberrules_holds(w2, rec));
	CHECK(!memberrules_holds(w3, rec));
	json_decref(rec);
	json_decref(w1);
	json_decref(w2);
	json_decref(w3);
}

/* Loading text fails with a message that contains want. */
static void
refused(const char *text, const char *want, int line)
{
	struct memberrules m;
	struct buf err = BUF_INIT;
	json_t *sec = parse(text);

	if (memberrules_load(&m, sec, "delivery.member", &err) == 0 ||
	    err.data == NULL || strstr(err.data, want) == NULL) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__,
		    line, err.data ? err.data : "(accepted)", want);
	}
	memberrules_release(&m);
	json_decref(sec);
	buf_release(&err);
}

#define REFUSED(text, want) refused(text, want, __LINE__)

TEST(refuses_mistakes)
{
	REFUSED("{\"finds\": []}", "delivery.member.finds: not a key");
	REFUSED("{\"find\": [\"id\", \"phone\"]}", "delivery.member.find[1]");
	REFUSED("{\"find\": [\"id\", \"id\"]}", "delivery.member.find[1]");
	REFUSED("{\"create\": 1}", "delivery.member.create");
	REFUSED("{\"updates\": [{\"fields\": {\"a\": \"set\"}}]}",
	    "delivery.member.updates[0].name");
	REFUSED(
	    "{\"updates\": [{\"name\": \"s\", \"fields\": {\"a\": \"add\"}}]}",
	    "delivery.member.updates[0].fields.a: must be rank");
	REFUSED("{\"updates\": [{\"name\": \"s\", \"fields\": {\"a\": "
	        "{\"rule\": \"minus\"}}}]}",
	    "fields.a: minus needs \"values\"");
	REFUSED("{\"updates\": [{\"name\": \"s\", \"fields\": {\"a\": "
	        "[{\"rule\": \"set\", \"when\": {\"x\": 1}}]}}]}",
	    "fields.a[0].when.x");
	REFUSED("{\"updates\": [{\"name\": \"s\", \"fields\": {\"a\": "
	        "{\"table\": {\"on\": {\"\": 1}}}}}]}",
	    "fields.a.table.on.: must be a string");
	REFUSED("{\"updates\": [{\"name\": \"s\", \"target\": \"owner\", "
	        "\"fields\": {\"a\": \"set\"}}]}",
	    "updates[0].target");
	REFUSED("{\"updates\": [{\"name\": \"s\", \"once\": [\"a,b\"], "
	        "\"fields\": {\"a\": \"set\"}}]}",
	    "updates[0].once");
	REFUSED("{\"updates\": [{\"name\": \"s\", \"fields\": {}}]}",
	    "updates[0].fields");
	REFUSED(
	    "{\"updates\": [{\"name\": \"s\", \"once\": [\"k\"], \"fields\": "
	    "{\"a\": \"set\"}}, {\"name\": \"t\", \"once\": [\"k\"], "
	    "\"fields\": {\"b\": \"set\"}}]}",
	    "updates[1].once: another set");
	REFUSED("{\"after\": [{\"do\": \"activate\"}]}", "after[0]: activate");
	REFUSED("{\"after\": [{\"do\": \"mute\"}]}", "after[0].do");
	REFUSED("{\"after\": [{\"do\": \"activate\", \"type_by\": "
	        "{\"field\": \"x\"}}]}",
	    "after[0].type_by");
	REFUSED("{\"after\": [{\"do\": \"mute-promotions\", \"type\": \"x\"}]}",
	    "after[0]: mute-promotions");
}

TEST(defaults_and_touched)
{
	struct memberrules m;
	struct buf err = BUF_INIT;
	json_t *sec = parse(sms_set);
	char *t;

	CHECK(memberrules_load(&m, NULL, "delivery.member", &err) == 0);
	CHECK(m.nfind == 3 && m.find[0] == MR_ID && m.find[2] == MR_MOBILE);
	CHECK(m.create && m.nsets == 1 && m.nacts == 0);
	CHECK_STR(m.sets[0].name, "status");
	memberrules_release(&m);
	CHECK(memberrules_load(&m, sec, "delivery.member", &err) == 0);
	CHECK(m.sets[0].mobile_owner);
	CHECK_STR(m.sets[0].once, "northstar_id,details.Started registration");
	t = json_dumps(m.touched, JSON_COMPACT);
	CHECK_STR(t, "[\"mobile\",\"sms_status\",\"sms_subscription_topics\"]");
	free(t);
	memberrules_release(&m);
	json_decref(sec);
	buf_release(&err);
}

TEST(actions)
{
	struct memberrules m;
	struct buf err = BUF_INIT, name = BUF_INIT;
	json_t *sec = parse(
	    "{\"find\": [], \"create\": false, \"after\": ["
	    "{\"do\": \"activate\", \"created\": true, \"when\": "
	    "{\"user.email_subscription_status\": true}, \"type\": \"t1\"},"
	    "{\"do\": \"activate\", \"type_by\": {\"field\": "
	    "\"user.email_subscription_topics\", \"map\": {\"community\": "
	    "\"wyd\", \"news\": \"breakdown\"}}},"
	    "{\"do\": \"mute-promotions\"}]}");
	json_t *r1 =
	    parse("{\"user\": {\"email_subscription_status\": true, "
	          "\"email_subscription_topics\": [\"x\", \"news\"]}}");
	json_t *r2 = parse("{\"user\": {\"email_subscription_topics\": "
	                   "\"community\"}}");
	json_t *r3 = parse("{\"user\": {\"email_subscription_topics\": []}}");

	CHECK(memberrules_load(&m, sec, "delivery.member", &err) == 0);
	CHECK(m.nfind == 0 && !m.create && m.nacts == 3);
	CHECK(m.acts[0].kind == MR_ACTIVATE && m.acts[0].created);
	CHECK(memberrules_holds(m.acts[0].when, r1));
	CHECK(!memberrules_holds(m.acts[0].when, r2));
	CHECK_STR(memberrules_activation(&m.acts[0], r2), "t1");
	CHECK_STR(memberrules_activation(&m.acts[1], r1), "breakdown");
	CHECK_STR(memberrules_activation(&m.acts[1], r2), "wyd");
	CHECK(memberrules_activation(&m.acts[1], r3) == NULL);
	CHECK(m.acts[2].kind == MR_MUTE && !m.acts[2].created);
	CHECK(memberrules_activation(&m.acts[2], r1) == NULL);
	memberrules_action_name(&m.acts[1], "wyd", &name);
	CHECK_STR(name.data, "activate wyd");
	memberrules_action_name(&m.acts[2], NULL, &name);
	CHECK_STR(name.data, "mute-promotions");
	memberrules_release(&m);
	json_decref(sec);
	json_decref(r1);
	json_decref(r2);
	json_decref(r3);
	buf_release(&err);
	buf_release(&name);
}

TEST(create_body)
{
	json_t *rec = parse("{\"referrer_user_id\": \"r1\", \"user\": "
	                    "{\"email\": \"a@x.org\", \"mobile\": \"000\", "
	                    "\"first_name\": \"\", \"source_detail\": \"d\", "
	                    "\"other\": 1}}");
	json_t *b = memberrules_create_body(rec, NULL, "client");

	CHECK_JSON(b, "{\"email\":\"a@x.org\",\"source_detail\":\"d\","
	              "\"source\":\"client\",\"referrer_user_id\":\"r1\"}");
	json_decref(b);
	b = memberrules_create_body(rec, "000", "client");
	CHECK(json_object_get(b, "mobile") != NULL);
	json_decref(b);
	json_decref(rec);
}

int
main(void)
{
	struct buf err = BUF_INIT;
	const char *m = "{\"user_rank\": [\"a\", \"b\"]}";

	if (map_loadb(&map, "rank", m, strlen(m), &err) != 0)
		return 1;
	RUN(sms_table_as_the_old_importer);
	RUN(rank_set_fill);
	RUN(union_minus_values);
	RUN(table_and_when_lists);
	RUN(holds);
	RUN(refuses_mistakes);
	RUN(defaults_and_touched);
	RUN(actions);
	RUN(create_body);
	map_release(&map);
	buf_release(&err);
	return harness_done();
}

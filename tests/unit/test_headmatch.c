/*
 * Unit tests for common/headmatch.c, on made-up vendor files in a folder
 * of the test's: the one vendor whose required columns the header has;
 * several candidates, the one that knows most of the header winning; two
 * as good, ambiguous; none, with the columns seen and the closest vendors
 * in the reason; an empty file; a received vendor and a file that is not
 * a vendor file left out; a header in a vendor's own delimiter; a
 * gzipped upload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "harness.h"
#include "headmatch.h"

static char dir[] = "/tmp/test_headmatch.XXXXXX";
static struct headmatch m;

static void
put(const char *rel, const char *text)
{
	struct buf p = BUF_INIT;
	FILE *f;
	char *slash;

	buf_printf(&p, "%s/%s", dir, rel);
	slash = strrchr(p.data, '/');
	*slash = '\0';
	mkdir(p.data, 0777);
	*slash = '/';
	f = fopen(p.data, "w");
	fputs(text, f);
	fclose(f);
	buf_release(&p);
}

static enum headmatch_status
match(const char *text, struct headmatch_answer *a)
{
	struct buf p = BUF_INIT;
	enum headmatch_status st;

	put("up/file.csv", text);
	buf_printf(&p, "%s/up/file.csv", dir);
	st = headmatch_file(&m, p.data, a);
	buf_release(&p);
	return st;
}

TEST(loaded)
{
	CHECK(m.n == 4);
	CHECK_STR(m.v[0].name, "list");
	CHECK_STR(m.v[1].name, "reg");
	CHECK_STR(m.v[2].name, "signup");
	CHECK_STR(m.v[3].name, "tabbed");
	CHECK(strstr(m.problems.data, "broken/vendor.json") != NULL);
}

TEST(one_candidate)
{
	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;

	CHECK(match("\xef\xbb\xbf"
	            "email,first_name\r\na@x.org,A\r\n",
	          &a) == HEADMATCH_FOUND);
	CHECK_STR(a.vendor, "list");
	headmatch_answer_release(&a);
}

TEST(most_known_wins)
{
	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;

	CHECK(match("id,email,status,extra\n1,a@x.org,ok,\n", &a) ==
	      HEADMATCH_FOUND);
	CHECK_STR(a.vendor, "reg");
	CHECK(match("phone,keyword,email\n", &a) == HEADMATCH_FOUND);
	CHECK_STR(a.vendor, "signup");
	headmatch_answer_release(&a);
}

TEST(ambiguous)
{
	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;

	CHECK(match("email,phone,keyword,id,status\n", &a) ==
	      HEADMATCH_AMBIGUOUS);
	CHECK(a.vendor == NULL);
	CHECK(strstr(a.why.data, "  reg: has its 3 required columns") != NULL);
	CHECK(
	    strstr(a.why.data, "  signup: has its 2 required columns") != NULL);
	headmatch_answer_release(&a);
}

TEST(none)
{
	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;

	CHECK(match("id,status,when\n", &a) == HEADMATCH_NONE);
	CHECK(a.vendor == NULL);
	CHECK(strstr(a.why.data, "columns seen (3): id, status, when\n") ==
	      a.why.data);
	CHECK(strstr(a.why.data,
	          "closest vendors:\n  reg: lacks 1 of its 3 required "
	          "columns: email\n") != NULL);
	headmatch_answer_release(&a);
}

TEST(empty)
{
	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;

	CHECK(match("", &a) == HEADMATCH_EMPTY);
	CHECK(strstr(a.why.data, "empty") != NULL);
	CHECK(match("\n\n", &a) == HEADMATCH_EMPTY);
	headmatch_answer_release(&a);
}

TEST(own_delimiter)
{
	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;

	CHECK(match("code\tamount\n1\t2\n", &a) == HEADMATCH_FOUND);
	CHECK_STR(a.vendor, "tabbed");
	headmatch_answer_release(&a);
}

TEST(gzipped)
{
	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;
	struct buf p = BUF_INIT;
	gzFile g;

	buf_printf(&p, "%s/up/file.csv.gz", dir);
	g = gzopen(p.data, "wb");
	gzputs(g, "email,first_name\na@x.org,A\n");
	gzclose(g);
	CHECK(headmatch_file(&m, p.data, &a) == HEADMATCH_FOUND);
	CHECK_STR(a.vendor, "list");
	buf_reset(&p);
	buf_printf(&p, "%s/up/missing.csv", dir);
	CHECK(headmatch_file(&m, p.data, &a) == HEADMATCH_UNREADABLE);
	headmatch_answer_release(&a);
	buf_release(&p);
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 1;
	put("list/vendor.json", "{\"shape\": {\"columns\": [\"email\"], "
	                        "\"optional\": [\"first_name\"]}}");
	put("reg/vendor.json",
	    "{\"shape\": {\"columns\": [\"id\", \"email\", \"status\"]}}");
	put("signup/vendor.json", "{\"shape\": {\"columns\": [\"phone\", "
	                          "\"keyword\"], \"optional\": [\"email\"]}}");
	put("tabbed/vendor.json", "{\"export\": {\"delimiter\": \"tab\"}, "
	                          "\"shape\": {\"columns\": [\"code\"]}}");
	put("hook/vendor.json", "{\"export\": {\"receive\": true}, "
	                        "\"shape\": {\"columns\": [\"email\"]}}");
	put("broken/vendor.json", "{\"shape\": ");
	put("notes/README.md", "not a vendor");
	headmatch_load(&m, dir);
	RUN(loaded);
	RUN(one_candidate);
	RUN(most_known_wins);
	RUN(ambiguous);
	RUN(none);
	RUN(empty);
	RUN(own_delimiter);
	RUN(gzipped);
	headmatch_release(&m);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	wait(NULL);
	return harness_done();
}

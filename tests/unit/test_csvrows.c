/*
 * Unit tests for common/csvrows.c: the header and the rows chosen by
 * their first line copied byte for byte (CRLF kept), a row whose quoted
 * field spans lines copied whole, a quote written twice, a blank first
 * line, a last line without a newline, no rows chosen, a missing file.
 */
#include "csvrows.h"
#include "harness.h"

static const char CSV[] = "\n"
                          "id,name,note\r\n"
                          "1,Ann,plain\r\n"
                          "2,Bo,\"two\r\nlines\"\r\n"
                          "3,Cy,\"a \"\"quoted\"\" word\"\r\n"
                          "4,Di,last";

static char *
rows(const unsigned long long *lines, size_t n, unsigned long long *copied)
{
	char path[sizeof(HARNESS_TMP)], *data = NULL;
	size_t len = 0;
	struct buf why = BUF_INIT;
	FILE *out = open_memstream(&data, &len);

	CHECK(harness_tmpfile(path, CSV, sizeof(CSV) - 1) == 0);
	CHECK(csvrows_copy(path, lines, n, out, copied, &why) == 0);
	fclose(out);
	unlink(path);
	buf_release(&why);
	return data;
}

TEST(chosen_rows)
{
	static const unsigned long long L[] = {4, 6, 7};
	unsigned long long copied;
	char *got = rows(L, 3, &copied);

	CHECK_STR(got, "id,name,note\r\n"
	               "2,Bo,\"two\r\nlines\"\r\n"
	               "3,Cy,\"a \"\"quoted\"\" word\"\r\n"
	               "4,Di,last\n");
	CHECK(copied == 3);
	free(got);
}

TEST(a_line_inside_a_row_is_no_row)
{
	static const unsigned long long L[] = {3, 5};
	unsigned long long copied;
	char *got = rows(L, 2, &copied);

	CHECK_STR(got, "id,name,note\r\n1,Ann,plain\r\n");
	CHECK(copied == 1);
	free(got);
}

TEST(none_and_missing)
{
	unsigned long long copied = 9;
	char *got = rows(NULL, 0, &copied);
	struct buf why = BUF_INIT;

	CHECK_STR(got, "id,name,note\r\n");
	CHECK(copied == 0);
	free(got);
	CHECK(csvrows_copy("/nonexistent.csv", NULL, 0, stdout, &copied, &why) <
	      0);
	CHECK(why.len > 0);
	buf_release(&why);
}

int
main(void)
{
	RUN(chosen_rows);
	RUN(a_line_inside_a_row_is_no_row);
	RUN(none_and_missing);
	return harness_done();
}

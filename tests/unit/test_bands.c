/* Tests for common/bands: numbers, dates and ages into labelled bands. */
#include "bands.h"
#include "harness.h"

static struct bandval
num(double d)
{
	struct bandval v = {BANDVAL_REAL, NULL, 0, d};

	return v;
}

static struct bandval
str(const char *s)
{
	struct bandval v = {BANDVAL_STRING, s, strlen(s), 0};

	return v;
}

static const char *
label(const struct bands *b, struct bandval v)
{
	const char *why = NULL;
	int i = bands_find(b, &v, &why);

	return i < 0 ? why : b->labels[i];
}

TEST(numbers)
{
	struct bands b;
	const double e[] = {18, 30.5};
	const char *t[] = {"18", "30.5"};
	const char *why = NULL;

	bands_init(&b);
	CHECK(bands_set(&b, BANDS_NUMBER, e, t, 2, &why) == 0);
	CHECK_STR(label(&b, num(-1)), "<18");
	CHECK_STR(label(&b, num(18)), "18-30.5");
	CHECK_STR(label(&b, num(30.49)), "18-30.5");
	CHECK_STR(label(&b, num(30.5)), "30.5+");
	CHECK_STR(label(&b, str("20")), "not a number");
	bands_release(&b);
}

TEST(labels_of_ones_own)
{
	struct bands b;
	const double e[] = {0, 10};
	const char *t[] = {"0", "10"};
	const char *l[] = {"none", "some", "many"};
	const char *why = NULL;

	bands_init(&b);
	CHECK(bands_set(&b, BANDS_NUMBER, e, t, 2, &why) == 0);
	bands_label(&b, l);
	CHECK_STR(label(&b, num(10)), "many");
	CHECK(bands_label_index(&b, "some") == 1);
	CHECK(bands_label_index(&b, "0-10") == -1);
	bands_release(&b);
}

TEST(dates)
{
	struct bands b;
	const char *t[] = {"2024-01-01", "2025-02-28"};
	const char *why = NULL;

	bands_init(&b);
	CHECK(bands_set(&b, BANDS_DATE, NULL, t, 2, &why) == 0);
	CHECK_STR(label(&b, str("2023-12-31T23:59:59Z")), "<2024-01-01");
	CHECK_STR(label(&b, str("2024-01-01")), "2024-01-01/2025-02-28");
	CHECK_STR(label(&b, str("2025-02-28 00:00:00")), "2025-02-28+");
	CHECK_STR(label(&b, str("2025-02-29")), "not a date");
	CHECK_STR(label(&b, str("2025-02-28X")), "not a date");
	CHECK_STR(label(&b, num(20240101)), "not a date");
	bands_release(&b);
}

TEST(ages)
{
	struct bands b;
	const double e[] = {18, 30};
	const char *t[] = {"18", "30"};
	const char *why = NULL;

	bands_init(&b);
	CHECK(bands_set(&b, BANDS_AGE, e, t, 2, &why) == 0);
	CHECK(bands_age_on(&b, "2026-03-01") == 0);
	CHECK_STR(label(&b, str("2008-03-01")), "18-30"); /* 18 today */
	CHECK_STR(label(&b, str("2008-03-02")), "<18");   /* 18 tomorrow */
	CHECK_STR(label(&b, str("1996-03-01")), "30+");
	CHECK_STR(label(&b, str("1996-03-02")), "18-30");
	/* Born on 29 February: a year older on 1 March of a common year. */
	CHECK_STR(label(&b, str("1996-02-29")), "30+");
	CHECK(bands_age_on(&b, "2026-02-28") == 0);
	CHECK_STR(label(&b, str("1996-02-29")), "18-30");
	CHECK(bands_age_on(&b, "2026-02-30") < 0);
	bands_release(&b);
}

TEST(refusals)
{
	struct bands b;
	const double e[] = {30, 18};
	const char *t[] = {"30", "18"};
	const char *d[] = {"2024-01-01", "2024-1-2"};
	const char *why = NULL;

	bands_init(&b);
	CHECK(bands_set(&b, BANDS_NUMBER, e, t, 2, &why) < 0);
	CHECK_STR(why, "bands: the edges must increase");
	bands_release(&b);
	CHECK(bands_set(&b, BANDS_DATE, NULL, d, 2, &why) < 0);
	bands_release(&b);
	CHECK(bands_set(&b, BANDS_NUMBER, e, t, 0, &why) < 0);
	bands_release(&b);
}

int
main(void)
{
	RUN(numbers);
	RUN(labels_of_ones_own);
	RUN(dates);
	RUN(ages);
	RUN(refusals);
	return harness_done();
}

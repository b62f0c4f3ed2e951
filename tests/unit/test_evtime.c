#include "evtime.h"
#include "harness.h"

static int64_t
ms_of(const char *s)
{
	int64_t ms = -42;

	return evtime_parse(s, strlen(s), &ms) == 0 ? ms : -42;
}

TEST(parses_utc_and_offsets)
{
	CHECK(ms_of("1970-01-01T00:00:00Z") == 0);
	CHECK(ms_of("1970-01-01T00:00:00.5Z") == 500);
	CHECK(ms_of("1970-01-01T00:00:00.05Z") == 50);
	CHECK(ms_of("1970-01-01T00:00:01.250z") == 1250);
	CHECK(ms_of("2026-11-30T12:00:00.250Z") == 1796040000250LL);
	CHECK(ms_of("2026-11-30T07:00:00.250-05:00") == 1796040000250LL);
	CHECK(ms_of("2026-11-30T17:30:00.250+05:30") == 1796040000250LL);
	CHECK(ms_of("2024-02-29t00:00:00Z") == 1709164800000LL);
	CHECK(ms_of("1969-12-31T23:59:59.999Z") == -1);
}

TEST(refuses_what_is_not_rfc3339)
{
	CHECK(ms_of("2026-11-30 12:00:00Z") == -42);
	CHECK(ms_of("2026-11-30T12:00Z") == -42);
	CHECK(ms_of("2026-11-30T12:00:00") == -42);
	CHECK(ms_of("2026-11-30T12:00:00.1234Z") == -42);
	CHECK(ms_of("2026-11-30T12:00:00.Z") == -42);
	CHECK(ms_of("2026-11-30T12:00:00.") == -42);
	CHECK(ms_of("2026-02-29T12:00:00Z") == -42);
	CHECK(ms_of("2026-11-31T12:00:00Z") == -42);
	CHECK(ms_of("2026-11-30T24:00:00Z") == -42);
	CHECK(ms_of("2026-11-30T12:00:60Z") == -42);
	CHECK(ms_of("2026-11-30T12:00:00+24:00") == -42);
	CHECK(ms_of("2026-11-30T12:00:00+0500") == -42);
	CHECK(ms_of("2026-11-30T12:00:00ZZ") == -42);
	CHECK(ms_of("yesterday") == -42);
	CHECK(ms_of("") == -42);
}

TEST(writes_iso_and_buckets)
{
	char iso[EVTIME_ISO_SIZE], b[EVTIME_BUCKET_SIZE];

	evtime_iso(1796040000250LL, iso);
	CHECK_STR(iso, "2026-11-30T12:00:00.250Z");
	evtime_iso(-1, iso);
	CHECK_STR(iso, "1969-12-31T23:59:59.999Z");
	evtime_bucket(1796040000250LL, b);
	CHECK_STR(b, "2026-11-30 12:00:00");
	evtime_bucket(evtime_floor(1796040000250LL, 86400000), b);
	CHECK_STR(b, "2026-11-30 00:00:00");
}

TEST(floors_to_the_epoch)
{
	CHECK(evtime_floor(0, 1000) == 0);
	CHECK(evtime_floor(999, 1000) == 0);
	CHECK(evtime_floor(1000, 1000) == 1000);
	CHECK(evtime_floor(-1, 1000) == -1000);
	CHECK(evtime_floor(-1000, 1000) == -1000);
}

TEST(parses_buckets)
{
	int64_t ms = 7;

	CHECK(evtime_parse_bucket("2026-11-30", 10, &ms) == 0);
	CHECK(ms == 1795996800000LL);
	CHECK(evtime_parse_bucket("2026-11-30 01:00:00", 19, &ms) == 0);
	CHECK(ms == 1795996800000LL + 3600000);
	CHECK(evtime_parse_bucket("2026-11-30T01:00:00", 19, &ms) == 0);
	CHECK(evtime_parse_bucket("2026-11-30 01:00", 16, &ms) < 0);
	CHECK(evtime_parse_bucket("2026-13-30", 10, &ms) < 0);
}

static int
time_is(const char *s, int64_t want)
{
	int64_t ms = -1;

	return evtime_parse(s, strlen(s), &ms) == 0 && ms == want;
}

static int
not_time(const char *s)
{
	int64_t ms = 7;

	return evtime_parse(s, strlen(s), &ms) == -1 && ms == 7;
}

TEST(times_of_the_events_layout)
{
	CHECK(time_is("1970-01-01T00:00:00Z", 0));
	CHECK(time_is("2026-11-30T12:00:00.250Z", 1796040000250LL));
	CHECK(time_is("2026-11-30T07:00:00.25-05:00", 1796040000250LL));
	CHECK(time_is("2026-11-30T13:30:00.2+01:30", 1796040000200LL));
	CHECK(time_is("2026-11-30t12:00:00z", 1796040000000LL));
	CHECK(time_is("2024-02-29T23:59:59.999Z", 1709251199999LL));
	/* An offset that takes the time back over the epoch. */
	CHECK(time_is("1970-01-01T00:30:00+01:00", -1800000LL));
	CHECK(not_time("2026-11-30 12:00:00Z"));
	CHECK(not_time("2026-11-30T12:00:00"));
	CHECK(not_time("2026-11-30T12:00:00.1234Z"));
	CHECK(not_time("2026-11-30T12:00:00.Z"));
	CHECK(not_time("2026-11-30T12:00:60Z"));
	CHECK(not_time("2025-02-29T12:00:00Z"));
	CHECK(not_time("2026-13-01T12:00:00Z"));
	CHECK(not_time("2026-11-30T12:00:00+0100"));
	CHECK(not_time("2026-11-30T12:00:00+24:00"));
	CHECK(not_time("2026-11-30T12:00:00Zjunk"));
	CHECK(not_time("2026-11-30"));
}

int
main(void)
{
	RUN(parses_utc_and_offsets);
	RUN(refuses_what_is_not_rfc3339);
	RUN(writes_iso_and_buckets);
	RUN(floors_to_the_epoch);
	RUN(parses_buckets);
	RUN(times_of_the_events_layout);
	return harness_done();
}

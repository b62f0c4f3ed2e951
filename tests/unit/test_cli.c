/*
 * Unit tests for common/cli.c, the parsers only: cli_size (a number with an
 * optional k, M or G suffix in its usual spellings, powers of 1024) and
 * cli_uint (a non-negative integer up to a maximum). Nothing here prints or
 * touches stdout.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "harness.h"

/* Checks that cli_size parses s as want. */
static void
check_size(const char *s, size_t want, int line)
{
	size_t got = 12345;

	if (cli_size(s, &got) != 0 || got != want) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: cli_size(\"%s\") gave %zu, want %zu\n",
		    __FILE__, line, s, got, want);
	}
}

/* Checks that cli_size refuses s. */
static void
check_size_bad(const char *s, int line)
{
	size_t got = 0;

	if (cli_size(s, &got) != -1) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: cli_size(\"%s\") took it as %zu\n",
		    __FILE__, line, s ? s : "(null)", got);
	}
}

#define CHECK_SIZE(s, want) check_size((s), (want), __LINE__)
#define CHECK_SIZE_BAD(s) check_size_bad((s), __LINE__)

TEST(size_plain)
{
	CHECK_SIZE("1024", 1024);
	CHECK_SIZE("0", 0);
	CHECK_SIZE("1", 1);
	CHECK_SIZE("007", 7);
	CHECK_SIZE("10b", 10);
	CHECK_SIZE("10B", 10);
}

TEST(size_suffixes)
{
	CHECK_SIZE("1k", 1024);
	CHECK_SIZE("1K", 1024);
	CHECK_SIZE("3kb", 3 * 1024);
	CHECK_SIZE("64KiB", 64 * 1024);
	CHECK_SIZE("64kib", 64 * 1024);
	CHECK_SIZE("1M", 1024 * 1024);
	CHECK_SIZE("1m", 1024 * 1024);
	CHECK_SIZE("5MB", (size_t)5 << 20);
	CHECK_SIZE("2MiB", (size_t)2 << 20);
	CHECK_SIZE("1G", (size_t)1 << 30);
	CHECK_SIZE("3gb", (size_t)3 << 30);
	CHECK_SIZE("4GiB", (size_t)4 << 30);
	CHECK_SIZE("0M", 0);
}

TEST(size_malformed)
{
	CHECK_SIZE_BAD("");
	CHECK_SIZE_BAD("x");
	CHECK_SIZE_BAD("1X");
	CHECK_SIZE_BAD("-1");
	CHECK_SIZE_BAD(" 1");
	CHECK_SIZE_BAD("1 ");
	CHECK_SIZE_BAD("1 k");
	CHECK_SIZE_BAD("1.5M");
	CHECK_SIZE_BAD("k");
	CHECK_SIZE_BAD("M1");
	CHECK_SIZE_BAD("1kk");
	CHECK_SIZE_BAD("1KiBs");
	CHECK_SIZE_BAD("1T");
	CHECK_SIZE_BAD("0x10");
	CHECK_SIZE_BAD(NULL);
}

TEST(size_overflow)
{
	CHECK_SIZE_BAD("99999999999999999999");
	CHECK_SIZE_BAD("18446744073709551615");
	CHECK_SIZE_BAD("18446744073709551616k");
	/* 2^33 GiB is 2^63 bytes, over any buffer's maximum. */
	CHECK_SIZE_BAD("8589934592G");
	CHECK_SIZE_BAD("9007199254740992M");
	CHECK_SIZE("1048576G", (size_t)1 << 50);
}

/* Checks that cli_uint parses s (at most max) as want. */
static void
check_uint(
    const char *s, unsigned long long max, unsigned long long want, int line)
{
	unsigned long long got = 12345;

	if (cli_uint(s, max, &got) != 0 || got != want) {
		harness_failed_checks++;
		fprintf(stderr,
		    "%s:%d: cli_uint(\"%s\") gave %llu, want %llu\n", __FILE__,
		    line, s, got, want);
	}
}

/* Checks that cli_uint refuses s and leaves *out alone. */
static void
check_uint_bad(const char *s, unsigned long long max, int line)
{
	unsigned long long got = 0;

	if (cli_uint(s, max, &got) != -1) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: cli_uint(\"%s\") took it as %llu\n",
		    __FILE__, line, s ? s : "(null)", got);
	}
}

#define CHECK_UINT(s, max, want) check_uint((s), (max), (want), __LINE__)
#define CHECK_UINT_BAD(s, max) check_uint_bad((s), (max), __LINE__)

TEST(uint_in_range)
{
	CHECK_UINT("0", 10, 0);
	CHECK_UINT("10", 10, 10);
	CHECK_UINT("7", 10, 7);
	CHECK_UINT("007", 10, 7);
	CHECK_UINT("0", 0, 0);
	CHECK_UINT("18446744073709551615", ULLONG_MAX, ULLONG_MAX);
	CHECK_UINT("4294967296", ULLONG_MAX, 4294967296ull);
}

TEST(uint_over_max)
{
	CHECK_UINT_BAD("11", 10);
	CHECK_UINT_BAD("1", 0);
	CHECK_UINT_BAD("100000000000", 99999999999ull);
	CHECK_UINT_BAD("18446744073709551616", ULLONG_MAX);
	CHECK_UINT_BAD("99999999999999999999999", ULLONG_MAX);
}

TEST(uint_malformed)
{
	CHECK_UINT_BAD("", 10);
	CHECK_UINT_BAD("-1", 10);
	CHECK_UINT_BAD("-0", 10);
	CHECK_UINT_BAD("x", 10);
	CHECK_UINT_BAD("1x", 10);
	CHECK_UINT_BAD("5k", 10000);
	CHECK_UINT_BAD(" 1", 10);
	CHECK_UINT_BAD("1 ", 10);
	CHECK_UINT_BAD("1.0", 10);
	CHECK_UINT_BAD(NULL, 10);
}

int
main(void)
{
	RUN(size_plain);
	RUN(size_suffixes);
	RUN(size_malformed);
	RUN(size_overflow);
	RUN(uint_in_range);
	RUN(uint_over_max);
	RUN(uint_malformed);
	return harness_done();
}

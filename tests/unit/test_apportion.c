/* Tests for common/apportion: shares into counts that add up. */
#include "apportion.h"
#include "harness.h"

static int
counts_are(const double *s, size_t n, unsigned long long total,
    const unsigned long long *want)
{
	unsigned long long got[16];
	size_t i;

	if (apportion(s, n, total, got) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (got[i] != want[i]) {
			fprintf(stderr, "part %zu: %llu, want %llu\n", i,
			    got[i], want[i]);
			return 0;
		}
	return 1;
}

TEST(largest_remainder)
{
	const double s[] = {0.7, 0.3};
	const unsigned long long w10[] = {7, 3};
	const double t[] = {1, 1, 1};
	const unsigned long long w10t[] = {4, 3, 3}; /* tie: listed first */
	const double u[] = {0.45, 0.35, 0.2};
	const unsigned long long w7[] = {3, 3, 1}; /* 3.15 2.45 1.4 */

	CHECK(counts_are(s, 2, 10, w10));
	CHECK(counts_are(t, 3, 10, w10t));
	CHECK(counts_are(u, 3, 7, w7));
}

/* A part under 1 gets 1, and the others share the rest in proportion. */
TEST(at_least_one)
{
	const double s[] = {0.98, 0.01, 0.01};
	const unsigned long long w[] = {98, 1, 1};
	const double t[] = {0.6, 0.3, 0.05, 0.05};
	const unsigned long long w7[] = {3, 2, 1, 1};
	const double u[] = {1000, 1, 1, 1};
	const unsigned long long w4[] = {1, 1, 1, 1};

	CHECK(counts_are(s, 3, 100, w));
	CHECK(counts_are(t, 4, 7, w7));
	CHECK(counts_are(u, 4, 4, w4));
}

/* Shares need not add up to 1: only their proportions count. */
TEST(unnormalised)
{
	const double s[] = {2, 6};
	const unsigned long long w[] = {5, 15};

	CHECK(counts_are(s, 2, 20, w));
}

TEST(refusals)
{
	const double s[] = {1, 2, 3};
	const double z[] = {1, 0};
	const double neg[] = {1, -1};
	unsigned long long c[3];

	CHECK(apportion(s, 3, 2, c) < 0); /* fewer than one a part */
	CHECK(apportion(s, 0, 2, c) < 0);
	CHECK(apportion(z, 2, 5, c) < 0);
	CHECK(apportion(neg, 2, 5, c) < 0);
}

/* The counts always add up to the total. */
TEST(sums_exactly)
{
	double s[16];
	unsigned long long c[16], total, sum;
	size_t n, i;

	for (n = 1; n <= 16; n++)
		for (total = n; total < n + 60; total += 7) {
			for (i = 0; i < n; i++)
				s[i] = 0.01 + (double)((i * 37 + n) % 11);
			CHECK(apportion(s, n, total, c) == 0);
			for (sum = 0, i = 0; i < n; i++) {
				sum += c[i];
				CHECK(c[i] >= 1);
			}
			CHECK(sum == total);
		}
}

int
main(void)
{
	RUN(largest_remainder);
	RUN(at_least_one);
	RUN(unnormalised);
	RUN(refusals);
	RUN(sums_exactly);
	return harness_done();
}

/*
 * Unit tests for common/aimd.c on scripted answers: a service at a steady
 * pace lets the limit climb one a window, but only while the limit is
 * reached; a 429 cuts it by the factor, once a window; latency past the
 * baseline cuts it too; a 429 cuts at once, not at the window's end; a hard cap
 * on requests in flight is found and held with few refusals; the limit stays
 * within its range.
 */
#include <math.h>

#include "aimd.h"
#include "harness.h"

/*
 * A simulated service that answers every request in rtt seconds and
 * refuses (429) those beyond cap in flight: n windows of one round trip,
 * each sending limit requests. Returns the refused, and adds the sent.
 */
static unsigned
serve(
    struct aimd *a, double *t, unsigned cap, double rtt, int n, unsigned *sent)
{
	unsigned refused = 0, i, lim;

	while (n-- > 0) {
		lim = aimd_limit(a);
		aimd_full(
		    a, *t); /* always more waiting than the limit lets out */
		for (i = 0; i < lim; i++) {
			int no = i >= cap;

			*t += rtt / lim;
			refused += no;
			aimd_answer(a, *t, no ? rtt / 10 : rtt, no);
		}
		*sent += lim;
	}
	return refused;
}

TEST(climbs_while_reached)
{
	struct aimd a;
	double t = 1;
	unsigned sent = 0;

	aimd_init(&a, 1, 64);
	CHECK(aimd_limit(&a) == 1);
	serve(&a, &t, 1000, 0.05, 20, &sent);
	/* One up a window, or close to it: 20 windows, from 1. */
	CHECK(aimd_limit(&a) >= 15 && aimd_limit(&a) <= 21);
	CHECK(a.downs == 0);
	/* Answers while the limit is not reached: it stays. */
	{
		unsigned l = aimd_limit(&a);
		int i;

		for (i = 0; i < 200; i++)
			aimd_answer(&a, t += 0.01, 0.05, 0);
		CHECK(aimd_limit(&a) == l);
	}
}

TEST(pushback_cuts_once_a_window)
{
	struct aimd a;
	double t = 1;
	int i;

	aimd_init(&a, 40, 64);
	aimd_answer(&a, t, 0.05, 0); /* the first window: the baseline */
	/* Ten 429s in one window: one decrease, 40 to 36, at the first. */
	aimd_answer(&a, t += 0.001, 0.001, 1);
	CHECK(aimd_limit(&a) == 36);
	for (i = 1; i < 10; i++)
		aimd_answer(&a, t += 0.001, 0.001, 1);
	aimd_answer(&a, t += 0.06, 0.05, 0);
	CHECK(aimd_limit(&a) == 36);
	CHECK(a.pushbacks == 1 && a.downs == 1);
	/* A 503 too, as the next window closes. */
	aimd_answer(&a, t += 0.01, 0.001, 1);
	aimd_answer(&a, t += 0.06, 0.05, 0);
	CHECK(aimd_limit(&a) == 32);
	/* Never under the minimum. */
	for (i = 0; i < 100; i++) {
		aimd_answer(&a, t += 0.01, 0.001, 1);
		aimd_answer(&a, t += 0.06, 0.05, 0);
	}
	CHECK(aimd_limit(&a) == 1);
}

TEST(latency_rise_cuts)
{
	struct aimd a;
	double t = 1;
	unsigned sent = 0, before;
	int i;

	aimd_init(&a, 10, 64);
	serve(&a, &t, 1000, 0.05, 10, &sent);
	before = aimd_limit(&a);
	CHECK(a.downs == 0);
	/* The service slows to three times its pace: the limit falls. */
	for (i = 0; i < 10; i++)
		aimd_answer(&a, t += 0.02, 0.15, 0);
	CHECK(aimd_limit(&a) < before);
	CHECK(a.downs >= 1 && a.pushbacks == 0);
	/* Noise of 2% around a steady pace is not a rise. */
	aimd_init(&a, 10, 64);
	t = 1;
	for (i = 0; i < 400; i++) {
		aimd_full(&a, t);
		aimd_answer(&a, t += 0.005, 0.05 * (i % 2 ? 1.02 : 0.98), 0);
	}
	CHECK(a.downs == 0 && aimd_limit(&a) > 10);
}

TEST(finds_a_cap)
{
	struct aimd a;
	double t = 1;
	unsigned sent = 0, refused, mean;

	aimd_init(&a, 8, 256);
	serve(&a, &t, 24, 0.05, 60, &sent); /* settling */
	sent = 0;
	refused = serve(&a, &t, 24, 0.05, 400, &sent);
	mean = sent / 400;
	/* Near the cap, and refused at most 1% of the time. */
	CHECK(mean >= 22 && mean <= 25);
	CHECK(refused * 100 <= sent);
	CHECK(aimd_limit(&a) >= 19 && aimd_limit(&a) <= 25);
}

TEST(range)
{
	struct aimd a;
	double t = 1;
	unsigned sent = 0;

	aimd_init(&a, 0, 5);
	CHECK(aimd_limit(&a) == 1);
	serve(&a, &t, 1000, 0.05, 50, &sent);
	CHECK(aimd_limit(&a) == 5);
	aimd_init(&a, 999, 0);
	CHECK(aimd_limit(&a) == 256 && a.max == 256);
	/* The mean over time: 256 throughout. */
	aimd_answer(&a, 1, 0.05, 0);
	CHECK(fabs(aimd_mean_limit(&a, 3) - 256) < 1e-9);
}

int
main(void)
{
	RUN(climbs_while_reached);
	RUN(pushback_cuts_once_a_window);
	RUN(latency_rise_cuts);
	RUN(finds_a_cap);
	RUN(range);
	return harness_done();
}

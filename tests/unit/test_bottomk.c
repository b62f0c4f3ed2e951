/* Tests for common/bottomk: the k smallest of a stream. */
#include <stdint.h>

#include "bottomk.h"
#include "harness.h"

static struct bottomk_item
item(uint64_t key, const char *id)
{
	struct bottomk_item it = {key, id, strlen(id), NULL};

	return it;
}

/* A small deterministic shuffle of 0..n-1 keys. */
static uint64_t
scrambled(unsigned i)
{
	return (uint64_t)i * 2654435761u % 1000003u;
}

TEST(keeps_the_smallest)
{
	struct bottomk h;
	struct bottomk_item out, *v;
	char ids[200][8];
	size_t n, i;
	int pushed = 0;

	bottomk_init(&h, 5);
	for (i = 0; i < 200; i++) {
		struct bottomk_item it;

		snprintf(ids[i], sizeof(ids[i]), "m%zu", i);
		it = item(scrambled((unsigned)i), ids[i]);
		if (bottomk_offer(&h, &it, &out) == 2)
			pushed++;
	}
	v = bottomk_sorted(&h, &n);
	CHECK(n == 5);
	for (i = 1; i < n; i++)
		CHECK(v[i - 1].key < v[i].key);
	/* The five smallest keys of the 200 by brute force. */
	for (i = 0; i < n; i++) {
		size_t j, smaller = 0;

		for (j = 0; j < 200; j++)
			smaller += scrambled((unsigned)j) < v[i].key;
		CHECK(smaller == i);
	}
	CHECK(pushed > 0);
	bottomk_release(&h);
}

TEST(refused_and_pushed_out)
{
	struct bottomk h;
	struct bottomk_item a = item(10, "a"), b = item(20, "b"),
	                    c = item(5, "c"), d = item(30, "d"), out;

	bottomk_init(&h, 2);
	CHECK(bottomk_offer(&h, &a, &out) == 1);
	CHECK(bottomk_offer(&h, &b, &out) == 1);
	CHECK(!bottomk_would_keep(&h, 30, "d", 1));
	CHECK(bottomk_offer(&h, &d, &out) == 0);
	CHECK(bottomk_would_keep(&h, 5, "c", 1));
	CHECK(bottomk_offer(&h, &c, &out) == 2);
	CHECK(out.key == 20 && out.id[0] == 'b');
	/* Equal keys: the id decides. */
	CHECK(bottomk_would_keep(&h, 10, "0", 1));
	CHECK(!bottomk_would_keep(&h, 10, "b", 1));
	bottomk_release(&h);
}

TEST(zero_keeps_nothing)
{
	struct bottomk h;
	struct bottomk_item a = item(1, "a"), out;
	size_t n;

	bottomk_init(&h, 0);
	CHECK(!bottomk_would_keep(&h, 0, "", 0));
	CHECK(bottomk_offer(&h, &a, &out) == 0);
	bottomk_sorted(&h, &n);
	CHECK(n == 0);
	bottomk_release(&h);
}

/* Two heaps' items offered to a third: the k smallest of both streams. */
TEST(merges)
{
	struct bottomk x, y, z, all;
	struct bottomk_item out, *v, *w;
	char ids[100][8];
	size_t i, nx, ny, nz, na;

	bottomk_init(&x, 7);
	bottomk_init(&y, 7);
	bottomk_init(&z, 7);
	bottomk_init(&all, 7);
	for (i = 0; i < 100; i++) {
		struct bottomk_item it;

		snprintf(ids[i], sizeof(ids[i]), "m%zu", i);
		it = item(scrambled((unsigned)i), ids[i]);
		bottomk_offer(i % 3 ? &x : &y, &it, &out);
		bottomk_offer(&all, &it, &out);
	}
	v = bottomk_sorted(&x, &nx);
	for (i = 0; i < nx; i++)
		bottomk_offer(&z, &v[i], &out);
	v = bottomk_sorted(&y, &ny);
	for (i = 0; i < ny; i++)
		bottomk_offer(&z, &v[i], &out);
	v = bottomk_sorted(&z, &nz);
	w = bottomk_sorted(&all, &na);
	CHECK(nz == na && na == 7);
	for (i = 0; i < nz && i < na; i++)
		CHECK(v[i].key == w[i].key);
	bottomk_release(&x);
	bottomk_release(&y);
	bottomk_release(&z);
	bottomk_release(&all);
}

int
main(void)
{
	RUN(keeps_the_smallest);
	RUN(refused_and_pushed_out);
	RUN(zero_keeps_nothing);
	RUN(merges);
	return harness_done();
}

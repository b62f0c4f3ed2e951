#include "harness.h"
#include "strmap.h"

static int
drop_odd(void *v, void *ctx)
{
	(void)ctx;
	if ((size_t)v % 2) {
		return 1;
	}
	return 0;
}

TEST(put_get_sweep)
{
	struct strmap m;
	char key[32];
	size_t i;

	strmap_init(&m);
	CHECK(strmap_get(&m, "a", 1) == NULL);
	for (i = 1; i <= 10000; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		*strmap_put(&m, key, strlen(key)) = (void *)i;
	}
	CHECK(m.n == 10000);
	CHECK(strmap_get(&m, "k77", 3) == (void *)77);
	CHECK(*strmap_put(&m, "k77", 3) == (void *)77);
	CHECK(m.n == 10000);
	CHECK(strmap_sweep(&m, drop_odd, NULL) == 5000);
	CHECK(m.n == 5000);
	CHECK(strmap_get(&m, "k77", 3) == NULL);
	CHECK(strmap_get(&m, "k78", 3) == (void *)78);
	strmap_release(&m, NULL);
	CHECK(m.n == 0);
}

TEST(keys_with_nul_bytes)
{
	struct strmap m;

	strmap_init(&m);
	*strmap_put(&m, "a\0b", 3) = (void *)1;
	*strmap_put(&m, "a\0c", 3) = (void *)2;
	*strmap_put(&m, "a", 1) = (void *)3;
	CHECK(strmap_get(&m, "a\0b", 3) == (void *)1);
	CHECK(strmap_get(&m, "a\0c", 3) == (void *)2);
	CHECK(strmap_get(&m, "a", 1) == (void *)3);
	CHECK(strmap_get(&m, "a\0", 2) == NULL);
	strmap_release(&m, NULL);
}

int
main(void)
{
	RUN(put_get_sweep);
	RUN(keys_with_nul_bytes);
	return harness_done();
}

/*
 * Unit tests for common/keylock.c: a key held by one job at a time, let go
 * and taken again, through many keys that collide in the table and grow it
 * (removal by backward shift must keep every other key findable).
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "keylock.h"

static struct hash128
key(unsigned long long i)
{
	char s[32];
	int n = snprintf(s, sizeof(s), "key %llu", i);

	return hash128(s, (size_t)n);
}

TEST(take_and_drop)
{
	struct keylock l;
	struct hash128 zero = {0, 0};

	keylock_init(&l);
	CHECK(!keylock_held(&l, key(1)));
	CHECK(keylock_take(&l, key(1)) == 0);
	CHECK(keylock_held(&l, key(1)));
	CHECK(keylock_take(&l, key(1)) == -1);
	CHECK(!keylock_held(&l, key(2)));
	keylock_drop(&l, key(1));
	CHECK(!keylock_held(&l, key(1)));
	keylock_drop(&l, key(1)); /* not held: nothing */
	/* The all-zero hash is a key like another. */
	CHECK(keylock_take(&l, zero) == 0 && keylock_held(&l, zero));
	keylock_drop(&l, zero);
	CHECK(!keylock_held(&l, zero));
	keylock_release(&l);
}

TEST(many_keys)
{
	struct keylock l;
	unsigned long long i;
	int ok = 1;

	keylock_init(&l);
	for (i = 0; i < 5000; i++)
		ok &= keylock_take(&l, key(i)) == 0;
	CHECK(ok);
	/* Every other one let go: the rest still found, the others not. */
	for (i = 0; i < 5000; i += 2)
		keylock_drop(&l, key(i));
	for (i = 0; i < 5000; i++)
		ok &= keylock_held(&l, key(i)) == (int)(i & 1);
	CHECK(ok);
	for (i = 0; i < 5000; i += 2)
		ok &= keylock_take(&l, key(i)) == 0;
	for (i = 0; i < 5000; i++)
		ok &= keylock_held(&l, key(i));
	CHECK(ok && l.n == 5000);
	keylock_release(&l);
}

int
main(void)
{
	RUN(take_and_drop);
	RUN(many_keys);
	return harness_done();
}

/*
 * Unit tests for common/keyset.c: adding and finding hashes, growth that
 * keeps every member and the load at most 0.75, long probe chains and
 * wrap-around at the end of the table, the all-zero hash (the free-slot
 * marker) as a real member, and the keymap's put, get, ref and replace.
 */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "keyset.h"

static struct hash128
hh(uint64_t lo, uint64_t hi)
{
	struct hash128 h;

	h.lo = lo;
	h.hi = hi;
	return h;
}

/* A well-spread hash for test key i. */
static struct hash128
key(uint64_t i)
{
	return hash128(&i, sizeof(i));
}

TEST(add_and_has)
{
	struct keyset s;

	keyset_init(&s);
	CHECK(!keyset_has(&s, key(1)));
	CHECK(keyset_add(&s, key(1)) == 1);
	CHECK(keyset_add(&s, key(1)) == 0);
	CHECK(keyset_has(&s, key(1)));
	CHECK(!keyset_has(&s, key(2)));
	CHECK(keyset_add(&s, key(2)) == 1);
	CHECK(s.n == 2);
	keyset_release(&s);
	CHECK(s.slots == NULL && s.n == 0 && s.cap == 0);
	/* Reusable after release. */
	CHECK(keyset_add(&s, key(1)) == 1);
	keyset_release(&s);
}

TEST(growth_keeps_members)
{
	struct keyset s;
	uint64_t i;
	int ok = 1;

	keyset_init(&s);
	for (i = 0; i < 200000; i++) {
		ok &= keyset_add(&s, key(i)) == 1;
		ok &= s.n * 4 <= s.cap * 3;
	}
	CHECK(ok);
	CHECK(s.n == 200000);
	CHECK((s.cap & (s.cap - 1)) == 0);
	for (i = 0; i < 200000; i++)
		ok &= keyset_has(&s, key(i)) && keyset_add(&s, key(i)) == 0;
	for (i = 200000; i < 210000; i++)
		ok &= !keyset_has(&s, key(i));
	CHECK(ok);
	keyset_release(&s);
}

/* Hashes that share their low bits all land on one home slot. */
TEST(collisions_and_wrap_around)
{
	struct keyset s;
	uint64_t i;
	int ok = 1;

	keyset_init(&s);
	for (i = 1; i <= 40; i++)
		ok &= keyset_add(&s, hh(63, i)) == 1;
	CHECK(ok);
	CHECK(s.cap == 64); /* 40 fit without growth: the chain wraps */
	for (i = 1; i <= 40; i++)
		ok &= keyset_has(&s, hh(63, i));
	CHECK(ok);
	CHECK(!keyset_has(&s, hh(63, 41)));
	/* Growth rehashes the whole chain. */
	for (i = 41; i <= 100; i++)
		ok &= keyset_add(&s, hh(63, i)) == 1;
	for (i = 1; i <= 100; i++)
		ok &= keyset_has(&s, hh(63, i));
	CHECK(ok);
	CHECK(s.n == 100);
	keyset_release(&s);
}

TEST(zero_hash_is_a_member)
{
	struct keyset s;

	keyset_init(&s);
	CHECK(!keyset_has(&s, hh(0, 0)));
	CHECK(keyset_add(&s, hh(0, 0)) == 1);
	CHECK(keyset_has(&s, hh(0, 0)));
	CHECK(keyset_add(&s, hh(0, 0)) == 0);
	CHECK(s.n == 1);
	/* The documented price: it shares an identity with {1, 0}. */
	CHECK(keyset_has(&s, hh(1, 0)));
	CHECK(!keyset_has(&s, hh(0, 1)));
	keyset_release(&s);
}

TEST(add_when_full_and_present)
{
	struct keyset s;
	size_t cap;
	uint64_t i;

	keyset_init(&s);
	for (i = 0; i < 48; i++)
		keyset_add(&s, key(i));
	cap = s.cap;
	/* At the growth threshold, re-adding a member must not grow. */
	CHECK(keyset_add(&s, key(0)) == 0);
	CHECK(s.cap == cap);
	CHECK(keyset_add(&s, key(48)) == 1);
	CHECK(s.cap == 2 * cap);
	keyset_release(&s);
}

TEST(map_put_get)
{
	struct keymap m;
	uint32_t *v;

	keymap_init(&m);
	CHECK(keymap_get(&m, key(1)) == NULL);
	CHECK(keymap_put(&m, key(1), 10) == 1);
	CHECK(keymap_put(&m, key(2), 20) == 1);
	v = keymap_get(&m, key(1));
	CHECK(v && *v == 10);
	CHECK(keymap_put(&m, key(1), 11) == 0);
	v = keymap_get(&m, key(1));
	CHECK(v && *v == 11);
	*v = 12;
	v = keymap_get(&m, key(1));
	CHECK(v && *v == 12);
	CHECK(m.n == 2);
	keymap_release(&m);
	CHECK(m.slots == NULL && m.vals == NULL && m.n == 0);
}

TEST(map_ref)
{
	struct keymap m;
	uint32_t *v;
	int added = -1;

	keymap_init(&m);
	v = keymap_ref(&m, key(5), 7, &added);
	CHECK(added == 1 && v && *v == 7);
	v = keymap_ref(&m, key(5), 9, &added);
	CHECK(added == 0 && v && *v == 7);
	v = keymap_ref(&m, hh(0, 0), 3, &added);
	CHECK(added == 1 && *v == 3);
	v = keymap_get(&m, hh(0, 0));
	CHECK(v && *v == 3);
	keymap_release(&m);
}

TEST(map_growth_keeps_values)
{
	struct keymap m;
	uint32_t *v;
	uint64_t i;
	int ok = 1;

	keymap_init(&m);
	for (i = 0; i < 100000; i++)
		ok &= keymap_put(&m, key(i), (uint32_t)(i * 3)) == 1;
	CHECK(ok);
	CHECK(m.n == 100000 && m.n * 4 <= m.cap * 3);
	for (i = 0; i < 100000; i++) {
		v = keymap_get(&m, key(i));
		ok &= v != NULL && *v == (uint32_t)(i * 3);
	}
	CHECK(ok);
	CHECK(keymap_get(&m, key(100000)) == NULL);
	keymap_release(&m);
}

int
main(void)
{
	RUN(add_and_has);
	RUN(growth_keeps_members);
	RUN(collisions_and_wrap_around);
	RUN(zero_hash_is_a_member);
	RUN(add_when_full_and_present);
	RUN(map_put_get);
	RUN(map_ref);
	RUN(map_growth_keeps_values);
	return harness_done();
}

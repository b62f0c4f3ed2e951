/*
 * Unit tests for common/keyset.c: adding and finding hashes, segments that
 * grow keeping every member and their load between 0.53 and 0.8 (so at
 * most 30 bytes a key at every size), long probe chains and wrap-around at
 * the end of a segment, the all-zero hash (the free-slot marker) as a real
 * member, and the keymap's put, get, ref and replace.
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
	CHECK(s.seg == NULL && s.n == 0 && keyset_bytes(&s) == 0);
	/* Reusable after release. */
	CHECK(keyset_add(&s, key(1)) == 1);
	keyset_release(&s);
}

/* The load of a segment, in thousandths. */
static unsigned
load(const struct keyset_seg *g)
{
	return g->cap ? (unsigned)((uint64_t)g->n * 1000 / g->cap) : 0;
}

TEST(growth_keeps_members)
{
	struct keyset s;
	uint64_t i;
	size_t g, most = 0;
	int ok = 1;

	keyset_init(&s);
	for (i = 0; i < 400000; i++) {
		ok &= keyset_add(&s, key(i)) == 1;
		/* Never more than 32 bytes a key once the set is large. */
		if (i > 100000 && keyset_bytes(&s) > 32 * s.n)
			most++;
	}
	CHECK(ok);
	CHECK(most == 0);
	CHECK(s.n == 400000);
	for (g = 0; g < KEYSET_SEGS; g++)
		ok &= load(&s.seg[g]) <= 800 && load(&s.seg[g]) >= 500;
	CHECK(ok);
	for (i = 0; i < 400000; i++)
		ok &= keyset_has(&s, key(i)) && keyset_add(&s, key(i)) == 0;
	for (i = 400000; i < 410000; i++)
		ok &= !keyset_has(&s, key(i));
	CHECK(ok);
	keyset_release(&s);
}

/* Hashes that share a segment and a home slot: one long chain. */
TEST(collisions_and_wrap_around)
{
	struct keyset s;
	struct keyset_seg *g;
	uint64_t i;
	int ok = 1;

	keyset_init(&s);
	/* lo = 15: the last slot of a 16-slot segment, so the chain wraps. */
	for (i = 1; i <= 12; i++)
		ok &= keyset_add(&s, hh(15, i)) == 1;
	CHECK(ok);
	g = &s.seg[0];
	CHECK(g->cap == 16 && g->n == 12);
	for (i = 1; i <= 12; i++)
		ok &= keyset_has(&s, hh(15, i));
	CHECK(ok);
	CHECK(!keyset_has(&s, hh(15, 13)));
	/* Growth rehashes the whole chain. */
	for (i = 13; i <= 100; i++)
		ok &= keyset_add(&s, hh(15, i)) == 1;
	for (i = 1; i <= 100; i++)
		ok &= keyset_has(&s, hh(15, i));
	CHECK(ok);
	CHECK(s.n == 100 && g->n == 100);
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
	uint32_t cap;
	uint64_t i;

	keyset_init(&s);
	/* 12 keys fill a 16-slot segment to 0.75; the 13th would pass 0.8. */
	for (i = 1; i <= 12; i++)
		keyset_add(&s, hh(i, 7));
	cap = s.seg[0].cap;
	CHECK(cap == 16);
	/* At the growth threshold, re-adding a member must not grow. */
	CHECK(keyset_add(&s, hh(1, 7)) == 0);
	CHECK(s.seg[0].cap == cap);
	CHECK(keyset_add(&s, hh(13, 7)) == 1);
	CHECK(s.seg[0].cap == cap + cap / 2);
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

/*
 * Unit tests for common/shard.c: "K/N" read strictly; a key's shard by the
 * documented hash (pinned, since changing it would move every member to
 * another worker); records joined by any shared key, also through a chain,
 * whatever the order they come in; a group's shard that of its smallest
 * key; a record without keys on shard 1; and a random input's groups
 * against a brute-force grouping.
 */
#include "harness.h"
#include "memberkey.h"
#include "shard.h"

TEST(parse)
{
	unsigned k = 0, n = 0;

	CHECK(shard_parse("1/4", &k, &n) == 0 && k == 1 && n == 4);
	CHECK(shard_parse("4/4", &k, &n) == 0 && k == 4 && n == 4);
	CHECK(shard_parse("1/1", &k, &n) == 0 && k == 1 && n == 1);
	CHECK(shard_parse("7/1024", &k, &n) == 0 && k == 7 && n == 1024);
	CHECK(shard_parse("0/4", &k, &n) < 0);
	CHECK(shard_parse("5/4", &k, &n) < 0);
	CHECK(shard_parse("1/0", &k, &n) < 0);
	CHECK(shard_parse("1/1025", &k, &n) < 0);
	CHECK(shard_parse("1/99999", &k, &n) < 0);
	CHECK(shard_parse("1/4x", &k, &n) < 0);
	CHECK(shard_parse(" 1/4", &k, &n) < 0);
	CHECK(shard_parse("-1/4", &k, &n) < 0);
	CHECK(shard_parse("1:4", &k, &n) < 0);
	CHECK(shard_parse("/4", &k, &n) < 0);
	CHECK(shard_parse("1/", &k, &n) < 0);
	CHECK(shard_parse("", &k, &n) < 0);
}

/* The hash is part of the contract: these are what every version says. */
TEST(pinned)
{
	struct hash128 h = memberkey("email:", "jane@example.org");

	CHECK(shard_of(h, 1) == 1);
	CHECK(shard_of(h, 4) == 1 + h.lo % 4);
	CHECK(shard_of(memberkey("email:", " Jane@Example.ORG "), 4) ==
	      shard_of(h, 4));
	/* MurmurHash3_x64_128 of "email:jane@example.org": h1 below. */
	CHECK(h.lo == UINT64_C(0x705498c203aeed91));
	CHECK(shard_of(h, 4) == 2);
	CHECK(shard_of(h, 1000) == 42);
	CHECK(shard_of(memberkey("email:", "ann@example.org"), 4) == 2);
	CHECK(shard_of(memberkey("mobile:", "+1 212-254-2390"), 4) == 1);
	CHECK(shard_of(memberkey("id:", "5552aa34"), 4) == 2);
}

static struct hash128
smaller(struct hash128 a, struct hash128 b)
{
	return a.lo < b.lo || (a.lo == b.lo && a.hi < b.hi) ? a : b;
}

TEST(groups)
{
	struct shardmap m;
	struct hash128 id = memberkey("id:", "5552aa34");
	struct hash128 e = memberkey("email:", "jane@example.org");
	struct hash128 e2 = memberkey("email:", "ann@example.org");
	struct hash128 mob = memberkey("mobile:", "2122542390");
	struct hash128 y = memberkey("id:", "77aa");
	struct hash128 z = memberkey("email:", "zed@example.org");
	struct hash128 a[2] = {id, e}, b[1] = {e}, c[2] = {e2, mob},
	               d[2] = {mob, y}, j[2] = {e, mob}, s[1] = {z};
	unsigned n, first;

	shardmap_init(&m);
	CHECK(shardmap_add(&m, a, 2) == 0);    /* 0 */
	CHECK(shardmap_add(&m, b, 1) == 0);    /* 1: a's e-mail */
	CHECK(shardmap_add(&m, c, 2) == 0);    /* 2 */
	CHECK(shardmap_add(&m, d, 2) == 0);    /* 3: c's mobile */
	CHECK(shardmap_add(&m, NULL, 0) == 0); /* 4: no key */
	CHECK(shardmap_add(&m, s, 1) == 0);    /* 5: alone */
	for (n = 1; n <= 64; n++) {
		CHECK(shardmap_shard(&m, 0, n) == shardmap_shard(&m, 1, n));
		CHECK(shardmap_shard(&m, 2, n) == shardmap_shard(&m, 3, n));
		CHECK(shardmap_shard(&m, 4, n) == 1);
		CHECK(shardmap_shard(&m, 5, n) == shard_of(z, n));
		CHECK(shardmap_shard(&m, 0, n) == shard_of(smaller(id, e), n));
		CHECK(shardmap_shard(&m, 3, n) ==
		      shard_of(smaller(smaller(e2, mob), y), n));
	}
	/* The two groups apart on some N, then joined by one record. */
	for (n = 2;
	     n <= 64 && shardmap_shard(&m, 0, n) == shardmap_shard(&m, 3, n);
	     n++)
		;
	CHECK(n <= 64);
	CHECK(shardmap_add(&m, j, 2) == 0); /* 6: e and mob */
	for (n = 1; n <= 64; n++) {
		first = shardmap_shard(&m, 0, n);
		CHECK(shardmap_shard(&m, 1, n) == first);
		CHECK(shardmap_shard(&m, 2, n) == first);
		CHECK(shardmap_shard(&m, 3, n) == first);
		CHECK(shardmap_shard(&m, 6, n) == first);
		CHECK(first ==
		      shard_of(
		          smaller(smaller(smaller(id, e), smaller(e2, mob)), y),
		          n));
		CHECK(shardmap_shard(&m, 5, n) == shard_of(z, n));
	}
	CHECK(shardmap_shard(&m, 99, 4) == 1); /* never added */
	shardmap_release(&m);
	CHECK(m.nrecs == 0 && m.nodes == NULL);
}

/*
 * Random records of up to three keys out of a small pool, grouped here by
 * brute force (labels spread until nothing changes), then compared with
 * the map's shards; the same records in reverse order give the same.
 */
#define NREC 400
#define POOL 300

static unsigned long long rnd = 88172645463325252ULL;

static unsigned
next(unsigned below)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return (unsigned)(rnd % below);
}

TEST(random_against_brute_force)
{
	static struct hash128 pool[POOL];
	static unsigned nk[NREC], key[NREC][3], label[NREC];
	struct hash128 keys[3], least;
	struct shardmap fwd, rev;
	unsigned i, j, x, y, n, changed, bad = 0;
	char text[32];

	for (i = 0; i < POOL; i++) {
		snprintf(text, sizeof(text), "%u@example.org", i);
		pool[i] = memberkey("email:", text);
	}
	shardmap_init(&fwd);
	shardmap_init(&rev);
	for (i = 0; i < NREC; i++) {
		nk[i] = next(4); /* 0 to 3 keys */
		for (j = 0; j < nk[i]; j++)
			key[i][j] = next(POOL);
		label[i] = i;
	}
	for (i = 0; i < NREC; i++) {
		for (j = 0; j < nk[i]; j++)
			keys[j] = pool[key[i][j]];
		CHECK(shardmap_add(&fwd, keys, nk[i]) == 0);
		for (j = 0; j < nk[NREC - 1 - i]; j++)
			keys[j] = pool[key[NREC - 1 - i][j]];
		CHECK(shardmap_add(&rev, keys, nk[NREC - 1 - i]) == 0);
	}
	/* Records sharing a key get the smaller label, until none changes. */
	do {
		changed = 0;
		for (x = 0; x < NREC; x++)
			for (y = 0; y < NREC; y++)
				for (i = 0; i < nk[x]; i++)
					for (j = 0; j < nk[y]; j++)
						if (key[x][i] == key[y][j] &&
						    label[y] < label[x]) {
							label[x] = label[y];
							changed = 1;
						}
	} while (changed);
	for (n = 1; n <= 16; n++) {
		for (x = 0; x < NREC; x++) {
			if (nk[x] == 0) {
				bad += shardmap_shard(&fwd, x, n) != 1;
				continue;
			}
			least = pool[key[x][0]];
			for (y = 0; y < NREC; y++)
				for (j = 0; label[y] == label[x] && j < nk[y];
				     j++)
					least = smaller(least, pool[key[y][j]]);
			bad += shardmap_shard(&fwd, x, n) != shard_of(least, n);
			bad += shardmap_shard(&rev, NREC - 1 - x, n) !=
			       shardmap_shard(&fwd, x, n);
		}
	}
	CHECK(bad == 0);
	shardmap_release(&fwd);
	shardmap_release(&rev);
}

int
main(void)
{
	RUN(parse);
	RUN(pinned);
	RUN(groups);
	RUN(random_against_brute_force);
	return harness_done();
}

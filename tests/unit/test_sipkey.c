/* Tests for common/sipkey: SipHash-2-4 keyed by a seed. */
#include <openssl/evp.h>
#include <stdint.h>

#include "harness.h"
#include "sipkey.h"

/* The SipHash paper's vector: key 00..0f, message 00..0e, 0xa129ca6149be45e5
 * (its bytes e5 45 be 49 61 ca 29 a1, read big-endian here). */
TEST(paper_vector)
{
	struct sipkey k;
	unsigned char msg[15];
	char hex[SIPKEY_HEX];
	int i;

	CHECK(sipkey_init(&k, "x", 1) == 0);
	for (i = 0; i < 16; i++)
		k.key[i] = (unsigned char)i;
	for (i = 0; i < 15; i++)
		msg[i] = (unsigned char)i;
	sipkey_hex(sipkey_hash(&k, msg, sizeof(msg)), hex);
	CHECK_STR(hex, "e545be4961ca29a1");
	/* Keyed again for every message: the same answer twice. */
	sipkey_hex(sipkey_hash(&k, msg, sizeof(msg)), hex);
	CHECK_STR(hex, "e545be4961ca29a1");
	sipkey_release(&k);
}

/* The key is the first 16 bytes of the SHA-256 of the seed. */
TEST(seed_is_sha256)
{
	struct sipkey k;
	unsigned char md[32];
	unsigned int n = 0;

	CHECK(sipkey_init(&k, "panel-2026", 10) == 0);
	EVP_Digest("panel-2026", 10, md, &n, EVP_sha256(), NULL);
	CHECK(memcmp(k.key, md, 16) == 0);
	sipkey_release(&k);
}

TEST(seeds_differ)
{
	struct sipkey a, b;

	CHECK(sipkey_init(&a, "one", 3) == 0);
	CHECK(sipkey_init(&b, "two", 3) == 0);
	CHECK(sipkey_hash(&a, "m1", 2) != sipkey_hash(&b, "m1", 2));
	CHECK(sipkey_hash(&a, "m1", 2) == sipkey_hash(&a, "m1", 2));
	CHECK(sipkey_hash(&a, "m1", 2) != sipkey_hash(&a, "m2", 2));
	sipkey_release(&a);
	sipkey_release(&b);
}

TEST(hex_round_trip)
{
	char hex[SIPKEY_HEX];
	uint64_t h = 0;

	sipkey_hex(0x0123456789abcdefULL, hex);
	CHECK_STR(hex, "0123456789abcdef");
	CHECK(sipkey_parse(hex, 16, &h) == 0 && h == 0x0123456789abcdefULL);
	CHECK(sipkey_parse("0123456789ABCDEF", 16, &h) == 0 &&
	      h == 0x0123456789abcdefULL);
	CHECK(sipkey_parse("0123456789abcde", 15, &h) < 0);
	CHECK(sipkey_parse("0123456789abcdeg", 16, &h) < 0);
}

TEST(order_by_key_then_id)
{
	CHECK(sipkey_cmp(1, "b", 1, 2, "a", 1) < 0);
	CHECK(sipkey_cmp(2, "a", 1, 1, "b", 1) > 0);
	CHECK(sipkey_cmp(1, "a", 1, 1, "b", 1) < 0);
	CHECK(sipkey_cmp(1, "a", 1, 1, "ab", 2) < 0);
	CHECK(sipkey_cmp(1, "ab", 2, 1, "ab", 2) == 0);
	/* Keys compare as unsigned numbers. */
	CHECK(sipkey_cmp(UINT64_MAX, "a", 1, 1, "a", 1) > 0);
}

int
main(void)
{
	RUN(paper_vector);
	RUN(seed_is_sha256);
	RUN(seeds_differ);
	RUN(hex_round_trip);
	RUN(order_by_key_then_id);
	return harness_done();
}

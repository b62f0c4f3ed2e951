/*
 * Unit tests for common/sha256.c: the test vectors of FIPS 180-4's
 * examples (the empty string, "abc", the 448-bit and 896-bit messages, a
 * million 'a'), a 300-byte message against Python's hashlib, and every
 * length up to 300 bytes added in one piece and in pieces of several
 * sizes, so that where the input is cut never changes the digest.
 */
#include <string.h>

#include "harness.h"
#include "sha256.h"

/* The digest of n bytes at p, added in pieces of step bytes. */
static const char *
digest(const void *p, size_t n, size_t step, char hex[SHA256_HEX])
{
	const char *b = p;
	struct sha256 s;
	size_t i, k;

	sha256_init(&s);
	for (i = 0; i < n; i += k) {
		k = n - i < step ? n - i : step;
		sha256_add(&s, b + i, k);
	}
	sha256_hex(&s, hex);
	return hex;
}

TEST(standard_vectors)
{
	char hex[SHA256_HEX];
	static char a[1000000];

	CHECK_STR(digest("", 0, 1, hex), "e3b0c44298fc1c149afbf4c8996fb924"
	                                 "27ae41e4649b934ca495991b7852b855");
	CHECK_STR(digest("abc", 3, 3, hex), "ba7816bf8f01cfea414140de5dae2223"
	                                    "b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(
	    digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	        56, 56, hex),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	CHECK_STR(
	    digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	           "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	        112, 7, hex),
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	memset(a, 'a', sizeof(a));
	CHECK_STR(digest(a, sizeof(a), 4096, hex),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(pieces_never_change_the_digest)
{
	char msg[300], whole[SHA256_HEX], got[SHA256_HEX];
	size_t n, step;

	for (n = 0; n < sizeof(msg); n++)
		msg[n] = (char)(n * 37 + 11);
	/* Python's hashlib on the same 300 bytes. */
	CHECK_STR(digest(msg, sizeof(msg), 300, whole),
	    "9b854f0a59eabeac0b0ecaee1f5cd7ab3bfbc93e9b33e2a89ac338b237f300f2");
	for (n = 0; n <= sizeof(msg); n++) {
		digest(msg, n, n ? n : 1, whole);
		for (step = 1; step < 80; step += 13) {
			if (strcmp(digest(msg, n, step, got), whole) != 0) {
				harness_failed_checks++;
				fprintf(stderr, "length %zu in pieces of %zu\n",
				    n, step);
			}
		}
	}
}

int
main(void)
{
	RUN(standard_vectors);
	RUN(pieces_never_change_the_digest);
	return harness_done();
}

/*
 * sipkey: a keyed hash of short strings, the rank of a member in a sample.
 *
 * SipHash-2-4 with a 64-bit output, through OpenSSL's EVP_MAC "SIPHASH".
 * SipHash is a pseudorandom function designed for short inputs: without
 * the key nobody can predict which ids rank first (so a member cannot
 * craft an id into a sample), and with it the rank is the same on every
 * machine and every run. HMAC-SHA256 would do as well but costs several
 * times more on an id of twenty bytes; 64 bits leave a tie between two of
 * ten million ids at odds of about one in 400,000, and ties are broken by
 * the ids themselves (sipkey_cmp).
 *
 * The key is the first 16 bytes of the SHA-256 of a seed string, so that
 * a study names its seed in words. A hash is the 8 bytes SipHash writes,
 * in their order, read as a big-endian number: sorting the numbers sorts
 * the hex texts (sipkey_hex) the same way.
 *
 *	struct sipkey k;
 *	if (sipkey_init(&k, seed, strlen(seed)) < 0) ... (OpenSSL refused)
 *	uint64_t h = sipkey_hash(&k, id, idlen);
 *	sipkey_release(&k);
 */
#ifndef SIPKEY_H
#define SIPKEY_H

#include <stddef.h>
#include <stdint.h>

#define SIPKEY_HEX 17 /* 16 hex digits and a NUL */

struct sipkey {
	void *mac, *ctx; /* EVP_MAC and EVP_MAC_CTX */
	unsigned char key[16];
};

/* Keys k by the n bytes of seed. Returns 0, or -1 (nothing held) when
 * OpenSSL has no SipHash. */
int sipkey_init(struct sipkey *k, const char *seed, size_t n);

/* The hash of the n bytes at p. */
uint64_t sipkey_hash(struct sipkey *k, const void *p, size_t n);

/* h as 16 lower-case hex digits and a NUL. */
void sipkey_hex(uint64_t h, char out[SIPKEY_HEX]);

/* Reads 16 hex digits (either case) at s into *h: 0, or -1. */
int sipkey_parse(const char *s, size_t n, uint64_t *h);

/*
 * The order of samples: by hash, then by the id's bytes (a shorter id
 * that is a prefix of a longer one first). Negative, 0 or positive.
 */
int sipkey_cmp(uint64_t ha, const char *a, size_t na, uint64_t hb,
    const char *b, size_t nb);

void sipkey_release(struct sipkey *k);

#endif

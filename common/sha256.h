/*
 * SHA-256, from OpenSSL's libcrypto (its EVP interface), for post-quasar's
 * row identity: a record's content hash is the warehouse table's key, so
 * two different records must never share one, also when someone crafts
 * them to (a vendor row holds what people typed). A 128-bit
 * non-cryptographic hash (hash128.h) would do against chance but not
 * against that.
 *
 *	struct sha256 s;
 *	char hex[SHA256_HEX];
 *	sha256_init(&s);
 *	sha256_add(&s, p, n); ...
 *	sha256_hex(&s, hex);      64 lower-case hex digits and a NUL
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>

#define SHA256_HEX 65 /* the size of the hex digest, its NUL included */

struct sha256 {
	void *ctx; /* OpenSSL's EVP_MD_CTX, between init and hex */
};

/* Starts a hash (with the spare context, else a new one; sha256_hex()
 * gives it back). Aborts when memory runs out, as xmalloc() does. */
void sha256_init(struct sha256 *s);

/* Adds n bytes at p (p may be NULL when n is 0). */
void sha256_add(struct sha256 *s, const void *p, size_t n);

/*
 * Ends the hash and writes its digest in out, as 64 lower-case hex digits
 * and a NUL. s must be started again before another use.
 */
void sha256_hex(struct sha256 *s, char out[SHA256_HEX]);

#endif

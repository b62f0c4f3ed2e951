/* SHA-256 on OpenSSL's libcrypto; see sha256.h. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "sha256.h"

static void
fail(void)
{
	fputs("sluice: OpenSSL cannot hash (out of memory?)\n", stderr);
	abort();
}

/*
 * Why a fetched digest and a spare context: post-quasar hashes every
 * record, and OpenSSL 3 looks the algorithm up again on each
 * EVP_DigestInit_ex(EVP_sha256()) and allocates a context for each: for
 * records of a kilobyte that doubled the cost of hashing them. The digest
 * is fetched once; a hash ended leaves its context as the spare, which the
 * next one takes (a lock, as stages may hash from more than one thread).
 */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_MD *md;
static EVP_MD_CTX *spare;

static void
fetch(void)
{
	md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void
sha256_init(struct sha256 *s)
{
	EVP_MD_CTX *c;

	pthread_once(&once, fetch);
	pthread_mutex_lock(&lock);
	c = spare;
	spare = NULL;
	pthread_mutex_unlock(&lock);
	if (c == NULL)
		c = EVP_MD_CTX_new();
	if (c == NULL || md == NULL || EVP_DigestInit_ex2(c, md, NULL) != 1)
		fail();
	s->ctx = c;
}

void
sha256_add(struct sha256 *s, const void *p, size_t n)
{
	if (n && EVP_DigestUpdate(s->ctx, p, n) != 1)
		fail();
}

void
sha256_hex(struct sha256 *s, char out[SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_DigestFinal_ex(s->ctx, digest, &n) != 1 || n != 32)
		fail();
	pthread_mutex_lock(&lock);
	if (spare == NULL) {
		spare = s->ctx;
		s->ctx = NULL;
	}
	pthread_mutex_unlock(&lock);
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
}

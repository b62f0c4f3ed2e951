/* SHA-256 on OpenSSL's libcrypto; see sha256.h. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "sha256.h"

static void
fail(void)
{
	fputs("sluice: OpenSSL cannot hash (out of memory?)\n", stderr);
	abort();
}

void
sha256_init(struct sha256 *s)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
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
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_DigestFinal_ex(s->ctx, md, &n) != 1 || n != 32)
		fail();
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

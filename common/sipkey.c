/* sipkey: SipHash-2-4 of short strings (see sipkey.h). */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>

#include "sipkey.h"

int
sipkey_init(struct sipkey *k, const char *seed, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned int size = 8;
	OSSL_PARAM params[2];

	memset(k, 0, sizeof(*k));
	if (!EVP_Digest(seed, n, md, &mdlen, EVP_sha256(), NULL) || mdlen < 16)
		return -1;
	memcpy(k->key, md, 16);
	k->mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	if (k->mac == NULL)
		return -1;
	k->ctx = EVP_MAC_CTX_new(k->mac);
	params[0] = OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_SIZE, &size);
	params[1] = OSSL_PARAM_construct_end();
	if (k->ctx == NULL || !EVP_MAC_init(k->ctx, k->key, 16, params)) {
		sipkey_release(k);
		return -1;
	}
	return 0;
}

uint64_t
sipkey_hash(struct sipkey *k, const void *p, size_t n)
{
	unsigned char out[8] = {0};
	size_t outlen = 0;
	uint64_t h = 0;
	int i;

	/* Keyed again for every id: SipHash's state starts from the key. */
	EVP_MAC_init(k->ctx, k->key, 16, NULL);
	EVP_MAC_update(k->ctx, p, n);
	EVP_MAC_final(k->ctx, out, &outlen, sizeof(out));
	for (i = 0; i < 8; i++)
		h = h << 8 | out[i];
	return h;
}

void
sipkey_hex(uint64_t h, char out[SIPKEY_HEX])
{
	snprintf(out, SIPKEY_HEX, "%016llx", (unsigned long long)h);
}

int
sipkey_parse(const char *s, size_t n, uint64_t *h)
{
	uint64_t v = 0;
	size_t i;

	if (n != 16)
		return -1;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*h = v;
	return 0;
}

int
sipkey_cmp(uint64_t ha, const char *a, size_t na, uint64_t hb, const char *b,
    size_t nb)
{
	int c;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	c = memcmp(a, b, na < nb ? na : nb);
	if (c != 0)
		return c;
	return na < nb ? -1 : na > nb;
}

void
sipkey_release(struct sipkey *k)
{
	EVP_MAC_CTX_free(k->ctx);
	EVP_MAC_free(k->mac);
	memset(k, 0, sizeof(*k));
}

/* Webhook authentication; see hooksig.h. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "hooksig.h"

int
hooksig_key_ok(const char *key, size_t n, char *const *keys, size_t nkeys)
{
	size_t i;
	int ok = 0;

	/* Every key is compared, the matching one or not. */
	for (i = 0; i < nkeys; i++) {
		if (strlen(keys[i]) == n && n > 0)
			ok |= CRYPTO_memcmp(key, keys[i], n) == 0;
	}
	return ok;
}

/* The bytes of a secret ("whsec_" and base64, or base64) into out. */
static int
secret_bytes(const char *secret, unsigned char *out, size_t cap, size_t *n)
{
	size_t len;
	int got;

	if (strncmp(secret, "whsec_", 6) == 0)
		secret += 6;
	len = strlen(secret);
	if (len == 0 || len % 4 != 0 || len / 4 * 3 > cap)
		return -1;
	got = EVP_DecodeBlock(out, (const unsigned char *)secret, (int)len);
	if (got < 0)
		return -1;
	*n = (size_t)got;
	/* EVP_DecodeBlock counts the padding as bytes. */
	if (secret[len - 1] == '=')
		(*n)--;
	if (secret[len - 2] == '=')
		(*n)--;
	return 0;
}

/* base64(HMAC-SHA256(secret, id.ts.body)) into b64 (NUL-terminated). */
static int
signature(const char *id, const char *ts, const char *body, size_t len,
    const char *secret, char b64[48])
{
	unsigned char key[512], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	struct buf msg = BUF_INIT;
	size_t keylen;
	int rc = -1;

	if (secret_bytes(secret, key, sizeof(key), &keylen) < 0)
		return -1;
	buf_printf(&msg, "%s.%s.", id, ts);
	buf_add(&msg, body, len);
	if (HMAC(EVP_sha256(), key, (int)keylen,
	        (const unsigned char *)msg.data, msg.len, mac, &maclen) &&
	    maclen == 32) {
		EVP_EncodeBlock((unsigned char *)b64, mac, 32);
		rc = 0;
	}
	buf_release(&msg);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
hooksig_sign(const char *id, const char *ts, const char *body, size_t len,
    const char *secret, struct buf *out)
{
	char b64[48];

	buf_reset(out);
	if (signature(id, ts, body, len, secret, b64) < 0)
		return -1;
	buf_printf(out, "v1,%s", b64);
	return 0;
}

/* 1 when the list sig holds "v1,want". */
static int
listed(const char *sig, const char *want)
{
	size_t wn = strlen(want), n;
	const char *p = sig;
	int ok = 0;

	while (*p) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == wn + 3 && strncmp(p, "v1,", 3) == 0)
			ok |= CRYPTO_memcmp(p + 3, want, wn) == 0;
		p += n;
	}
	return ok;
}

enum hooksig_result
hooksig_verify(const char *id, const char *ts, const char *sig,
    const char *body, size_t len, char *const *secrets, size_t nsecrets,
    time_t now, long tolerance)
{
	char b64[48], *end;
	long long t;
	size_t i;
	int ok = 0;

	if (!id || !*id || !ts || !*ts || !sig || !*sig)
		return HOOKSIG_MISSING;
	t = strtoll(ts, &end, 10);
	if (*end || end == ts || t < (long long)now - tolerance ||
	    t > (long long)now + tolerance)
		return HOOKSIG_EXPIRED;
	for (i = 0; i < nsecrets; i++) {
		if (signature(id, ts, body, len, secrets[i], b64) == 0)
			ok |= listed(sig, b64);
	}
	return ok ? HOOKSIG_OK : HOOKSIG_BAD;
}

const char *
hooksig_reason(enum hooksig_result r)
{
	switch (r) {
	case HOOKSIG_OK:
		return "signed";
	case HOOKSIG_MISSING:
		return "signature headers missing";
	case HOOKSIG_EXPIRED:
		return "signature timestamp out of tolerance";
	default:
		return "bad signature";
	}
}

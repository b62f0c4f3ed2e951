/*
 * hooksig: is a webhook request from who it says? Static keys compared in
 * constant time, and the Standard Webhooks signature.
 *
 * A static key (an API-key header) matches when it is byte for byte one of
 * the keys allowed; every key is compared whole, whatever the first
 * difference, so the time taken says nothing of how close a guess was.
 * Several keys are allowed at once so that one can be rotated: add the
 * new one, move the sender, remove the old one.
 *
 * The Standard Webhooks signature (www.standardwebhooks.com): the sender
 * sends the headers webhook-id, webhook-timestamp (Unix seconds) and
 * webhook-signature, a list separated by spaces of "v1,SIG", SIG the
 * base64 of HMAC-SHA256 over "ID.TIMESTAMP.BODY" keyed with the secret.
 * A secret is written "whsec_" and the base64 of its bytes (or base64
 * alone). The request is signed when one SIG of the list matches one
 * secret (several, for rotation), and its timestamp is within tolerance
 * seconds of now either way (replays of an old request are refused).
 * Nothing here prints or keeps a secret beyond the call.
 */
#ifndef HOOKSIG_H
#define HOOKSIG_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

/* 1 when key[0..n) is one of the NUL-terminated keys[0..nkeys), else 0. */
int hooksig_key_ok(const char *key, size_t n, char *const *keys, size_t nkeys);

enum hooksig_result {
	HOOKSIG_OK,
	HOOKSIG_MISSING, /* a header is missing or empty */
	HOOKSIG_EXPIRED, /* the timestamp is not a number, or too far off */
	HOOKSIG_BAD      /* no signature matches a secret */
};

/*
 * Checks a signed request: its headers id, ts and sig (NULL when absent),
 * its body, the secrets allowed, and now (Unix seconds).
 */
enum hooksig_result hooksig_verify(const char *id, const char *ts,
    const char *sig, const char *body, size_t len, char *const *secrets,
    size_t nsecrets, time_t now, long tolerance);

/*
 * The signature header's value ("v1,SIG") of body for id, ts and secret,
 * into out (reset). 0, or -1 when the secret is not base64.
 */
int hooksig_sign(const char *id, const char *ts, const char *body, size_t len,
    const char *secret, struct buf *out);

/* A short name of a result, for messages: "bad signature"... */
const char *hooksig_reason(enum hooksig_result r);

#endif

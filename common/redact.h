/*
 * The secrets and tokens a process holds, kept out of what it says.
 *
 * A server may echo what it was sent: a gateway that quotes the request it
 * refused, an OAuth server that puts the request body in its error, an API
 * that repeats the query string. Every message the stages build from a
 * server's answer (a reject's reason, a line on stderr, a note in _meta,
 * a spooled batch's reason) is passed through redact_buf() first, which
 * replaces each secret registered here with REDACT_MARK.
 *
 * A secret is looked for as it is, percent-encoded (as url_escape() puts
 * it in a URL) and JSON-escaped (as jansson writes it in a request body,
 * and with "/" written "\/", as PHP's json_encode writes it), since an echo
 * quotes what was on the wire, which may be any of those.
 *
 * One registry serves the whole process, so that the module that takes a
 * secret (oauth.h for the client secret and its tokens, fetch-rtv for the
 * partner key) registers it once and every message, wherever it is built,
 * is scrubbed of it. The registry holds copies, wiped when dropped. Any
 * thread may call these. Nothing here prints.
 */
#ifndef REDACT_H
#define REDACT_H

#include <stddef.h>

#include "buf.h"

/* What stands in for a secret in a scrubbed message. */
#define REDACT_MARK "[redacted]"

/*
 * Registers a secret (copied). NULL and "" are ignored; a secret
 * registered twice is held once, until it is dropped twice (the client
 * secret and a token could be the same string).
 */
void redact_add(const char *secret);

/* Forgets a secret registered before, wiping the copies. */
void redact_drop(const char *secret);

/* Forgets every secret (wiping the copies): for tests and for exit. */
void redact_clear(void);

/*
 * Replaces, in b, every occurrence of every form of every registered
 * secret with REDACT_MARK. Where the marks make b longer than its maximum
 * (secrets shorter than the mark), the end is cut off, after the secrets
 * are replaced, so that no cut leaves a part of one. Embedded NUL bytes are
 * fine. A caller that quotes only the start of a server's text quotes it
 * from a buffer scrubbed first, for the same reason.
 */
void redact_buf(struct buf *b);

/*
 * redact_buf(), then every control character of b (below 0x20, and 0x7f)
 * made a space: for a message that quotes a server's text, which may hold
 * line breaks and terminal escapes, on one plain line.
 */
void redact_line(struct buf *b);

/*
 * diag() of a formatted message after redact_line(): every secret
 * replaced wherever it appears, in any of its forms (a server may echo
 * what it was sent), on one line (server text may hold line breaks). For
 * a stage whose every message may quote a service.
 */
void redact_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Overwrites n bytes at p with zeros in a way the compiler keeps. */
void redact_wipe(void *p, size_t n);

#endif

/*
 * What a service answered, read for a stage: the body as a JSON object, a
 * count in it, its gist for a message, and why a request was refused in
 * the service's own words. The services' bodies differ only in where they
 * put things, so the caller names the members or paths (jpath.h) and the
 * service; nothing here knows one.
 */
#ifndef ANSWER_H
#define ANSWER_H

#include <jansson.h>

#include "buf.h"
#include "http.h"

/*
 * The body of the call's answer as a JSON object: a new reference the
 * caller releases, or NULL when the body is not one (nor any JSON).
 */
json_t *answer_object(const struct http_call *c);

/*
 * A count an answer gives (a member of it, borrowed; may be NULL): a JSON
 * integer from 0 up, a real from 0 below 9e15 (its whole part), or a
 * string of digits up to 2^53, as services write counts; -1 for anything
 * else, so that a count missing or odd reads as unknown.
 */
long long answer_count(const json_t *v);

/*
 * Appends ": TEXT" to out, at most 200 bytes of it: the string "message"
 * of the answer's body or, lacking one, its string "error", when the body
 * is a JSON object; else the body's first bytes; nothing for an empty
 * body. For a line about an answer that is not 2xx (whose body http.h has
 * scrubbed of secrets).
 */
void answer_gist(struct buf *out, const struct http_call *c);

/*
 * Appends "SERVICE refused it (HTTP STATUS)" to out, then ": MESSAGE" for
 * the string at msg_path in the answer's JSON body, then " FIELD: TEXT"
 * for each string in each array of the object at fields_path (validation
 * errors field by field, as Laravel writes them: {"email": ["The email
 * must be a valid email address."]}); a body that is not JSON adds ": "
 * and its first 200 bytes instead. out is then passed through
 * redact_buf() as a whole. For a reject's reason.
 */
void answer_refusal(struct buf *out, const struct http_call *c,
    const char *service, const char *msg_path, const char *fields_path);

/*
 * What an ended call came to, for a stage that makes one call at a time:
 * 0 for a 2xx answer, else an exit status with the message in msg. No
 * answer: http_failure()'s status and message (service, doing). 401 or
 * 403: EXIT_NOPERM, "SERVICE refused the CREDS while DOING (HTTP 401:
 * GIST): HINT". Any other status: EXIT_UNAVAILABLE, "SERVICE answered
 * HTTP 503 while DOING: GIST" (answer_gist(), maybe empty).
 */
int answer_outcome(const struct http_call *c, const char *service,
    const char *doing, const char *creds, const char *hint, struct buf *msg);

#endif

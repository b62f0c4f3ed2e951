/*
 * How the member stage finds or makes a record's member: the lookups of a
 * vendor's member rules (memberrules.h, "find") in order, then a create
 * (or "no such member" when the rules create nothing), as member-service
 * requests one after another:
 *
 *	GET  /v2/users/ID, /v2/email/EMAIL, /v2/mobile/MOBILE
 *	POST /v2/users        memberrules_create_body()
 *
 * Each lookup is made only for an identity the record has; a 404 moves to
 * the next one, the first found wins. A create whose answer was lost is
 * never sent again blindly: the member is looked up again (e-mail, then
 * mobile) and counts as made when found, since nobody was found before the
 * create (the stage holds the member's keys, memberkey.h, all along). A
 * create refused because the member exists already (a 422 saying
 * "already") is looked up again once. Other refusals reject the record
 * with the service's words. Nothing prints.
 */
#ifndef MEMBERFIND_H
#define MEMBERFIND_H

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "memberrules.h"

struct memberfind {
	const struct memberrules *mr;
	const char *ident[3];     /* by enum mr_find; NULL: none (borrowed) */
	const json_t *rec;        /* the record (borrowed), for a create */
	const char *url, *source; /* the service; a create's "source" */
	size_t look;              /* the lookup in hand (index into find) */
	int step;                 /* a lookup or the create */
	int created;              /* the member was made by this record */
	int by;                   /* the identity that found it, or -1 */
	int relooked, create_lost;
};

/*
 * Sets f up for a record (everything borrowed: it must outlive f) and the
 * first request on c. Returns 1 when c is ready to send, or -1 with why set
 * (nobody to look up and no create: "no such member").
 */
int memberfind_start(struct memberfind *f, const struct memberrules *mr,
    const char *const ident[3], const json_t *rec, const char *url,
    const char *source, struct http_call *c, struct buf *why);

/*
 * The request on c had its answer lost (HTTP_TRANSIENT): sets up what to
 * send instead (a lookup again, or the create again when there is nothing
 * to look up). Returns 1, or 0 when there is nothing to send.
 */
int memberfind_lost(struct memberfind *f, struct http_call *c);

/*
 * Takes the answer on c. Returns 1 when another request is set up on c; 0
 * when the member is known, *member its data (a new reference); -1 when
 * the record is rejected, why saying why.
 */
int memberfind_answer(struct memberfind *f, struct http_call *c,
    json_t **member, struct buf *why);

#endif

/*
 * SMS subscriptions of a member who exists already, when a vendor row says
 * whether they opted in (vendors/rock-the-vote/README.md, "SMS
 * subscriptions"): what to change, given what the member has. New members
 * get their subscription with the create instead.
 *
 *	current sms_status          opted in    opted out
 *	none, "" or undeliverable   active      stop
 *	less, pending, stop         active      (no change)
 *	active, unknown, other      (no change) (no change)
 *
 * Topics: opted in, the member's topics with the configured ones added,
 * sent only when that adds one; opted out, when the member has topics, the
 * member's topics without the configured ones (sent even when none of them
 * was there, as the old importer did).
 */
#ifndef SUBSCRIBE_H
#define SUBSCRIBE_H

#include <jansson.h>

/*
 * The change to send (a new JSON object with sms_status and/or
 * sms_subscription_topics; empty when nothing changes). status and topics
 * are the member's (NULL for none); configured is an array of strings.
 */
json_t *sms_change(const char *status, const json_t *topics, int opted_in,
    const json_t *configured);

#endif

/* SMS subscriptions of existing members; see subscribe.h. */
#include <string.h>

#include "subscribe.h"

static int
has(const json_t *list, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	}
	return 0;
}

static const char *
new_status(const char *status, int opted_in)
{
	if (status == NULL || *status == '\0' ||
	    strcmp(status, "undeliverable") == 0)
		return opted_in ? "active" : "stop";
	if (opted_in &&
	    (strcmp(status, "less") == 0 || strcmp(status, "pending") == 0 ||
	        strcmp(status, "stop") == 0))
		return "active";
	return NULL;
}

/* The topics to send, or NULL for no change (a new reference). */
static json_t *
new_topics(const json_t *topics, int opted_in, const json_t *configured)
{
	json_t *out = json_array(), *v;
	size_t i, added = 0;

	if (!opted_in && json_array_size(topics) == 0) {
		json_decref(out);
		return NULL;
	}
	json_array_foreach(topics, i, v)
	{
		if (json_is_string(v) &&
		    (opted_in || !has(configured, json_string_value(v))))
			json_array_append(out, v);
	}
	if (opted_in) {
		json_array_foreach(configured, i, v)
		{
			if (!has(out, json_string_value(v))) {
				json_array_append(out, v);
				added++;
			}
		}
		if (added == 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *
sms_change(const char *status, const json_t *topics, int opted_in,
    const json_t *configured)
{
	json_t *change = json_object(), *t;
	const char *s = new_status(status, opted_in);

	if (s)
		json_object_set_new(change, "sms_status", json_string(s));
	if ((t = new_topics(topics, opted_in, configured)) != NULL)
		json_object_set_new(change, "sms_subscription_topics", t);
	return change;
}

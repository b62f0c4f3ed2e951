/*
 * Fuzz target: an event's time (common/evtime) and a page view's source
 * (common/touch). The input's first line is read as a time: one that
 * parses is written back in UTC and must parse again to the same
 * millisecond. Its next three lines are a utm_source, a referrer and a
 * URL: the source is never empty, and valid UTF-8 whenever they are (it
 * goes into JSON).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "evtime.h"
#include "touch.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

/* The next line of [*p, end): its start, its length in *len. */
static const char *
next_line(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	*len = (size_t)((nl ? nl : end) - s);
	*p = nl ? nl + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *p = (const char *)data, *end = p + n, *f[4] = {NULL};
	size_t len[4] = {0}, i;
	char iso[EVTIME_ISO_SIZE];
	int64_t ms, again;
	struct buf src = BUF_INIT;

	for (i = 0; i < 4; i++)
		f[i] = next_line(&p, end, &len[i]);
	/* Years 1 to 9998 stay within four digits after any offset. */
	if (f[0] && evtime_parse(f[0], len[0], &ms) == 0 &&
	    ms >= -62135596800000LL + 86400000 && ms < 253370764800000LL) {
		evtime_iso(ms, iso);
		if (evtime_parse(iso, strlen(iso), &again) != 0 || again != ms)
			abort();
	}
	if (touch_source(&src, f[1], len[1], f[2], len[2], f[3], len[3]) < 0 ||
	    src.len == 0)
		abort();
	if (utf8_valid_prefix((const char *)data, n) == n &&
	    utf8_valid_prefix(src.data, src.len) != src.len)
		abort();
	buf_release(&src);
	return 0;
}

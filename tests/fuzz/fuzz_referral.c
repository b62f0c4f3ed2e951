/*
 * Fuzz target: a TurboVote referral code and a Rock the Vote tracking
 * source (rules/referral). An id kept is 24 lower-case hex digits; the
 * warnings are valid UTF-8 whenever the input is (they go into JSON), and
 * never cut a character in two.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "referral.h"
#include "utf8.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

/* An id as kept: empty, or 24 lower-case hex digits. */
static void
check_id(const char *id)
{
	size_t i;

	if (id[0] == '\0')
		return;
	for (i = 0; i < 24; i++) {
		if (!isxdigit((unsigned char)id[i]) ||
		    isupper((unsigned char)id[i]))
			abort();
	}
	if (id[24] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *code = malloc(n + 1);
	struct referral r;
	struct tracking t;
	int valid;

	memcpy(code, data, n);
	code[n] = '\0';
	valid = utf8_valid_prefix(code, strlen(code)) == strlen(code);
	tracking_parse(code, &t);
	check_id(t.user);
	check_id(t.referrer);
	if ((t.user[0] && t.referrer[0]) || t.group_id < -1 ||
	    (valid && t.why.len &&
	        utf8_valid_prefix(t.why.data, t.why.len) != t.why.len))
		abort();
	tracking_release(&t);
	yes_no(code);
	referral_parse(code, &r);
	check_id(r.user);
	if (r.campaign < 0 || r.run < 0)
		abort();
	if (valid && r.why.len &&
	    utf8_valid_prefix(r.why.data, r.why.len) != r.why.len)
		abort();
	referral_release(&r);
	free(code);
	return 0;
}

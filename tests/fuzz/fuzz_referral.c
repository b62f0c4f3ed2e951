/*
 * Fuzz target: a TurboVote referral code (common/referral). A user id kept
 * is 24 lower-case hex digits; the warnings are valid UTF-8 whenever the
 * code is (they go into JSON), and never cut a character in two.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "referral.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *code = malloc(n + 1);
	struct referral r;
	size_t i;
	int valid;

	memcpy(code, data, n);
	code[n] = '\0';
	valid = utf8_valid_prefix(code, strlen(code)) == strlen(code);
	referral_parse(code, &r);
	if (r.user[0]) {
		for (i = 0; i < 24; i++) {
			if (!isxdigit((unsigned char)r.user[i]) ||
			    isupper((unsigned char)r.user[i]))
				abort();
		}
		if (r.user[24] != '\0')
			abort();
	}
	if (r.campaign < 0 || r.run < 0)
		abort();
	if (valid && r.why.len &&
	    utf8_valid_prefix(r.why.data, r.why.len) != r.why.len)
		abort();
	referral_release(&r);
	free(code);
	return 0;
}

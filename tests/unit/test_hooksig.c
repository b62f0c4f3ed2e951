/* Unit tests for common/hooksig: static keys and Standard Webhooks. */
#include <string.h>

#include "harness.h"
#include "hooksig.h"

/* The example of the Standard Webhooks specification's test vectors. */
#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define TS "1614265330"
#define BODY "{\"test\": 2432232314}"
#define SIG "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

TEST(keys)
{
	char *keys[] = {"old", "new-key"};

	CHECK(hooksig_key_ok("new-key", 7, keys, 2));
	CHECK(hooksig_key_ok("old", 3, keys, 2));
	CHECK(!hooksig_key_ok("new-ke", 6, keys, 2));
	CHECK(!hooksig_key_ok("new-keyy", 8, keys, 2));
	CHECK(!hooksig_key_ok("", 0, keys, 2));
	CHECK(!hooksig_key_ok("old", 3, keys, 0));
}

TEST(signature_vector)
{
	struct buf b = BUF_INIT;
	char *secrets[] = {"whsec_AAAA", SECRET};

	CHECK(hooksig_sign(ID, TS, BODY, strlen(BODY), SECRET, &b) == 0);
	CHECK_STR(b.data, SIG);
	CHECK(hooksig_verify(ID, TS, SIG, BODY, strlen(BODY), secrets, 2,
	          1614265330 + 10, 300) == HOOKSIG_OK);
	/* Several signatures in the header, one of them good. */
	CHECK(hooksig_verify(ID, TS, "v1,bad " SIG, BODY, strlen(BODY), secrets,
	          2, 1614265330, 300) == HOOKSIG_OK);
	CHECK(hooksig_verify(ID, TS, SIG, BODY, strlen(BODY), secrets, 1,
	          1614265330, 300) == HOOKSIG_BAD);
	CHECK(hooksig_verify(ID, TS, SIG, "{\"test\": 2432232315}",
	          strlen(BODY), secrets, 2, 1614265330, 300) == HOOKSIG_BAD);
	CHECK(hooksig_verify("msg_other", TS, SIG, BODY, strlen(BODY), secrets,
	          2, 1614265330, 300) == HOOKSIG_BAD);
	CHECK(hooksig_verify(ID, TS, SIG, BODY, strlen(BODY), secrets, 2,
	          1614265330 + 301, 300) == HOOKSIG_EXPIRED);
	CHECK(hooksig_verify(ID, TS, SIG, BODY, strlen(BODY), secrets, 2,
	          1614265330 - 301, 300) == HOOKSIG_EXPIRED);
	CHECK(hooksig_verify(ID, "12x", SIG, BODY, strlen(BODY), secrets, 2, 12,
	          300) == HOOKSIG_EXPIRED);
	CHECK(hooksig_verify(NULL, TS, SIG, BODY, strlen(BODY), secrets, 2,
	          1614265330, 300) == HOOKSIG_MISSING);
	CHECK(hooksig_verify(ID, TS, "", BODY, strlen(BODY), secrets, 2,
	          1614265330, 300) == HOOKSIG_MISSING);
	CHECK(hooksig_sign(ID, TS, BODY, 3, "whsec_!!", &b) < 0);
	buf_release(&b);
}

int
main(void)
{
	RUN(keys);
	RUN(signature_vector);
	return harness_done();
}

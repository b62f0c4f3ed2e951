/*
 * AWS credentials for a stage that signs its requests (Signature Version
 * 4): an access key id, its secret and maybe a session token, from the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)
 * or from a file in the AWS shared-credentials format, an INI file:
 *
 *	[default]
 *	aws_access_key_id = AKIA...
 *	aws_secret_access_key = ...
 *	aws_session_token = ...      (optional)
 *
 * where the profile is the one asked for (else AWS_PROFILE, else
 * "default"). Blank lines and lines starting with "#" or ";" are skipped;
 * keys are matched without case; spaces around "=" and at the ends are
 * not part of a value. Never from the command line: a secret in argv is
 * seen by every user of the machine.
 *
 * The secret and the token are registered with redact_add(), so that no
 * message quotes them; awscreds_release() wipes and forgets them.
 */
#ifndef AWSCREDS_H
#define AWSCREDS_H

#include "buf.h"

struct awscreds {
	char *key_id, *secret, *token; /* owned; token may be NULL */
	struct buf userpwd;            /* "KEY_ID:SECRET", for libcurl */
};

/*
 * Reads the credentials: from file (may be NULL: then the environment)
 * for profile (may be NULL: AWS_PROFILE, else "default"). Returns 0; -1
 * with the reason in err ("FILE:LINE: ...", "no profile [x] in FILE",
 * "AWS_ACCESS_KEY_ID is not set"), never quoting a secret. Release c
 * with awscreds_release() either way.
 */
int awscreds_load(
    struct awscreds *c, const char *file, const char *profile, struct buf *err);

/* Wipes and frees what c holds. */
void awscreds_release(struct awscreds *c);

#endif

/*
 * What post-mail knows of an e-mail API of the shape of Amazon SES v2, so
 * that the stage holds only the life of its records:
 *
 *	GET  /v2/email/templates/NAME         the template (GetEmailTemplate):
 *	     TemplateContent's Subject, Text and Html, whose {{variables}}
 *	     (template_vars(), mailing.h) a record must give values for
 *	GET  /v2/email/account                the pace (GetAccount): SendQuota's
 *	     MaxSendRate (destinations a second), Max24HourSend and
 *	     SentLast24Hours, SendingEnabled
 *	POST /v2/email/outbound-bulk-emails   SendBulkEmail: FromEmailAddress,
 *	     DefaultContent.Template {TemplateName, TemplateData (the
 *	     mailing's defaults, as a JSON string)}, up to SESMAIL_BULK_MAX
 *	     BulkEmailEntries {Destination.ToAddresses, ReplacementEmailContent
 *	     .ReplacementTemplate.ReplacementTemplateData (a JSON string)},
 *	     answered with BulkEmailEntryResults [{Status, Error, MessageId}]
 *	     in the entries' order
 *
 * Requests are signed with AWS Signature Version 4 through libcurl
 * (http.h's aws_* options), which sesmail_configure() sets from the
 * region and the credentials (awscreds.h). Nothing here prints.
 */
#ifndef SESMAIL_H
#define SESMAIL_H

#include <jansson.h>

#include "awscreds.h"
#include "buf.h"
#include "http.h"
#include "mailing.h"

#define SESMAIL_BULK_MAX 50

/* The lines of --help for the signing and the service's options. */
#define SESMAIL_OPTIONS_HELP                                                     \
	"  -C, --credentials-file FILE\n"                                        \
	"                            AWS keys from FILE (the AWS INI format), "  \
	"else from\n"                                                            \
	"                            AWS_ACCESS_KEY_ID and "                     \
	"AWS_SECRET_ACCESS_KEY\n"                                                \
	"  -p, --profile NAME        the file's profile (default $AWS_PROFILE, " \
	"else default)\n"                                                        \
	"  -R, --region REGION       the signing region (default $AWS_REGION, "  \
	"else\n"                                                                 \
	"                            $AWS_DEFAULT_REGION)\n"                     \
	"  -U, --url URL             the service (default $SES_URL, else\n"      \
	"                            https://email.REGION.amazonaws.com)\n"      \
	"  -c, --concurrency N       calls in flight at most (default 8)\n"      \
	"  -N, --retries N           tries again of a throttled call (default "  \
	"8)\n"                                                                   \
	"  -T, --timeout S           a request's time limit (default 60)\n"      \
	"  -O, --connect-timeout S   a connection's time limit (default 10)\n"   \
	"  -A, --cacert FILE         trust the CA certificates in FILE too\n"

struct sesmail {
	json_t *vars;   /* the template's variables: strings, owned */
	double rate;    /* destinations a second (at least 1) */
	size_t size;    /* destinations a call: the rate's, at most 50 */
	long long left; /* of the 24-hour quota; -1: no limit */
	unsigned long long requests; /* what sesmail_ask() sent */
	struct buf sigv4;            /* "aws:amz:REGION:ses" */
	struct buf url;              /* the endpoint */
	struct awscreds creds;
};

/* Sets s up empty. */
void sesmail_init(struct sesmail *s);

/*
 * The endpoint and the signing: region (NULL: $AWS_REGION, else
 * $AWS_DEFAULT_REGION), the credentials (awscreds_load(creds_file,
 * profile)), the URL (url, else $SES_URL, else
 * https://email.REGION.amazonaws.com; *from says which, for messages),
 * and o's aws_* options pointed at them (valid while s is). Returns 0;
 * EXIT_USAGE (no region, no credentials in the environment) or
 * EXIT_NOINPUT (a credentials file that cannot be read or used), with
 * the reason in err.
 */
int sesmail_configure(struct sesmail *s, struct http_opts *o,
    const char *region, const char *creds_file, const char *profile,
    const char *url, const char **from, struct buf *err);

/*
 * Asks the service for the template's variables and the account's pace,
 * one request after another (onecall.h), with o. Returns 0; or with the
 * reason in err, EXIT_UNAVAILABLE (69: unreachable, not JSON, sending
 * paused), EXIT_NOPERM (77: 401 or 403, the signature or keys refused) or
 * EXIT_USAGE (64: another answer, such as no such template).
 */
int sesmail_ask(struct sesmail *s, const struct http_opts *o,
    const struct mailing *m, struct buf *err);

/*
 * A record's replacement data (a new object): each template variable's
 * value from rec (at mailing_path()), but those the mailing's defaults
 * hold and rec lacks. NULL when a variable has no value (absent, null or
 * ""), with "no value for the template's {{VAR}} (at PATH)" in why.
 */
json_t *sesmail_data(const struct sesmail *s, const struct mailing *m,
    const json_t *rec, struct buf *why);

/*
 * The SendBulkEmail body (a new reference) for n destinations: to[i]'s
 * address with data[i] (borrowed) as its replacement data.
 */
json_t *sesmail_body(const struct mailing *m, const char *const *to,
    json_t *const *data, size_t n);

/*
 * Whether a destination's Status is worth sending again (a transient
 * failure or a throttled account), rather than final.
 */
int sesmail_transient(const char *status);

/* Frees what s holds (the credentials wiped). */
void sesmail_release(struct sesmail *s);

#endif

/*
 * OAuth 2 client credentials against Northstar (POST /v2/auth/token): the
 * token one client of the delivery stages holds, and the secret it is made
 * from. The HTTP client (http.h) fetches, caches and refreshes the token;
 * this module only knows the request, the answer and the token's life.
 *
 * The secret comes from the environment (NORTHSTAR_CLIENT_SECRET) or a
 * file, never from the command line; it is kept only in this struct, sent
 * only in the token request's body, and wiped on release. The secret and
 * every token are registered with redact.h while they are held, so that no
 * message built from a server's answer (which may echo the request) holds
 * them. Nothing here prints, and no message this module writes ever holds
 * the secret or a token.
 */
#ifndef OAUTH_H
#define OAUTH_H

#include "buf.h"

struct oauth {
	char *url; /* the token endpoint */
	char *client_id, *client_secret, *scope;
	char *token;       /* the access token, or NULL */
	char *prev_token;  /* the one before, or NULL: calls sent with it may
	                      still be answered, so it stays registered */
	unsigned gen;      /* counts the tokens taken, from 1 */
	double expires_at; /* when to take a new one (monotonic seconds) */
};

/*
 * Sets o up for the Northstar at base_url (the token endpoint is
 * base_url/v2/auth/token), copying the strings, and registers the secret
 * with redact_add(). scope NULL asks for the scopes the delivery stages
 * need. Allocates; release with oauth_release().
 */
void oauth_init(struct oauth *o, const char *base_url, const char *client_id,
    const char *client_secret, const char *scope);

/*
 * Wipes the secret and the tokens, drops them from redact.h's registry and
 * frees what o holds.
 */
void oauth_release(struct oauth *o);

/* Replaces out's contents with the token request's JSON body. 0 or -1. */
int oauth_body(const struct oauth *o, struct buf *out);

/*
 * Takes the token endpoint's answer to a request made at time now. Returns
 * 0 when it holds a token (kept, registered with redact_add(), to be
 * renewed a little before it expires), 1 when the credentials were refused
 * (400, 401 or 403), or -1 when the answer is not one the endpoint should
 * give; why then says what was wrong (in the server's words for a refusal,
 * passed through redact_buf()).
 */
int oauth_take(struct oauth *o, long status, const char *body, size_t n,
    double now, struct buf *why);

/* Whether the token is there and not about to expire at time now. */
int oauth_valid(const struct oauth *o, double now);

/*
 * Forgets the token (after a 401 from an API), so a new one is fetched. It
 * stays registered with redact.h as the previous token.
 */
void oauth_forget(struct oauth *o);

/*
 * Reads the client secret: from the file when path is not NULL (its first
 * line, without the line break), else from NORTHSTAR_CLIENT_SECRET.
 * Returns a new string (the caller wipes and frees it), or NULL with the
 * reason in err.
 */
char *oauth_read_secret(const char *path, struct buf *err);

#endif

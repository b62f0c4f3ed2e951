/* Secrets kept out of messages; see redact.h. */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonw.h"
#include "redact.h"
#include "url.h"

#define FORMS 4 /* as it is, percent-encoded, JSON, JSON with "\/" */

struct secret {
	char *form[FORMS]; /* form[0] is the secret as registered */
	size_t len[FORMS];
	unsigned nforms;
	unsigned refs; /* registrations */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct secret *secrets;
static size_t nsecrets;

void
redact_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* Adds a form of s unless it is empty or one s has already. */
static void
add_form(struct secret *s, struct buf *b)
{
	unsigned i;

	if (b->len == 0 || s->nforms == FORMS)
		goto out;
	for (i = 0; i < s->nforms; i++) {
		if (s->len[i] == b->len &&
		    memcmp(s->form[i], b->data, b->len) == 0)
			goto out;
	}
	s->form[s->nforms] = xmalloc(b->len + 1);
	memcpy(s->form[s->nforms], b->data, b->len + 1);
	s->len[s->nforms++] = b->len;
out:
	if (b->data)
		redact_wipe(b->data, b->len);
	buf_reset(b);
}

/* The index of a secret registered, or nsecrets. Call holding mu. */
static size_t
index_of(const char *secret)
{
	size_t i;

	for (i = 0; i < nsecrets; i++) {
		if (strcmp(secrets[i].form[0], secret) == 0)
			break;
	}
	return i;
}

/* The JSON string of raw without its quotes, "/" written "\/" if slash. */
static void
json_form(struct buf *b, const char *raw, int slash)
{
	struct buf q = BUF_INIT;
	size_t i;

	jsonw_cstring(&q, raw);
	for (i = 1; i + 1 < q.len; i++) {
		if (slash && q.data[i] == '/')
			buf_addc(b, '\\');
		buf_addc(b, q.data[i]);
	}
	if (q.data)
		redact_wipe(q.data, q.len);
	buf_release(&q);
}

void
redact_add(const char *secret)
{
	struct buf b = BUF_INIT;
	struct secret *s;
	size_t i;

	if (secret == NULL || *secret == '\0')
		return;
	pthread_mutex_lock(&mu);
	if ((i = index_of(secret)) < nsecrets) {
		secrets[i].refs++;
		goto out;
	}
	secrets = xrealloc(secrets, (nsecrets + 1) * sizeof(*secrets));
	s = &secrets[nsecrets++];
	memset(s, 0, sizeof(*s));
	s->refs = 1;
	buf_adds(&b, secret);
	add_form(s, &b);
	url_escape(&b, secret);
	add_form(s, &b);
	json_form(&b, secret, 0);
	add_form(s, &b);
	json_form(&b, secret, 1);
	add_form(s, &b);
out:
	pthread_mutex_unlock(&mu);
	buf_release(&b);
}

/* Wipes and frees what secrets[i] holds and takes it out of the list. */
static void
forget(size_t i)
{
	struct secret *s = &secrets[i];
	unsigned k;

	for (k = 0; k < s->nforms; k++) {
		redact_wipe(s->form[k], s->len[k]);
		free(s->form[k]);
	}
	secrets[i] = secrets[--nsecrets];
	if (nsecrets == 0) {
		free(secrets);
		secrets = NULL;
	}
}

void
redact_drop(const char *secret)
{
	size_t i;

	if (secret == NULL || *secret == '\0')
		return;
	pthread_mutex_lock(&mu);
	if ((i = index_of(secret)) < nsecrets && --secrets[i].refs == 0)
		forget(i);
	pthread_mutex_unlock(&mu);
}

void
redact_clear(void)
{
	pthread_mutex_lock(&mu);
	while (nsecrets)
		forget(nsecrets - 1);
	pthread_mutex_unlock(&mu);
}

/* Where needle (m bytes, m > 0) first is in hay (n bytes), or NULL. */
static const char *
find(const char *hay, size_t n, const char *needle, size_t m)
{
	const char *p = hay, *end = hay + n;

	while ((size_t)(end - p) >= m &&
	       (p = memchr(p, needle[0], (size_t)(end - p) - m + 1)) != NULL) {
		if (memcmp(p, needle, m) == 0)
			return p;
		p++;
	}
	return NULL;
}

/*
 * The first place at or after p where a form of a secret starts, the
 * longest form there when several do; *len is its length. NULL: none.
 */
static const char *
next_secret(const char *p, const char *end, size_t *len)
{
	const char *best = NULL, *at;
	size_t i;
	unsigned k;

	for (i = 0; i < nsecrets; i++) {
		for (k = 0; k < secrets[i].nforms; k++) {
			at = find(p, (size_t)(end - p), secrets[i].form[k],
			    secrets[i].len[k]);
			if (at &&
			    (best == NULL || at < best ||
			        (at == best && secrets[i].len[k] > *len))) {
				best = at;
				*len = secrets[i].len[k];
			}
		}
	}
	return best;
}

void
redact_buf(struct buf *b)
{
	struct buf out = BUF_INIT;
	const char *p, *end, *at;
	size_t len = 0;

	pthread_mutex_lock(&mu);
	if (b->data == NULL || nsecrets == 0 ||
	    (at = next_secret(b->data, b->data + b->len, &len)) == NULL) {
		pthread_mutex_unlock(&mu);
		return;
	}
	p = b->data;
	end = b->data + b->len;
	do {
		buf_add(&out, p, (size_t)(at - p));
		buf_adds(&out, REDACT_MARK);
		p = at + len;
	} while ((at = next_secret(p, end, &len)) != NULL);
	buf_add(&out, p, (size_t)(end - p));
	pthread_mutex_unlock(&mu);
	/* Cut to b's maximum only now: no secret is left to cut in two. */
	redact_wipe(b->data, b->len);
	buf_reset(b);
	buf_add(b, out.data, out.len < b->max ? out.len : b->max);
	buf_release(&out);
}

void
redact_line(struct buf *b)
{
	char *p;

	redact_buf(b);
	for (p = b->data; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

void
redact_diag(const char *fmt, ...)
{
	struct buf msg = BUF_INIT_MAX(64 << 10);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	redact_line(&msg);
	diag(NULL, 0, "%s", msg.data ? msg.data : "(out of memory)");
	buf_release(&msg);
}

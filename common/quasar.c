/* ClickHouse rows, URLs and answers for post-quasar; see quasar.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "jpath.h"
#include "jsonw.h"
#include "quasar.h"

static int
ident_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 200 || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	}
	return 1;
}

int
quasar_table_ok(const char *t)
{
	const char *dot = strchr(t, '.');

	if (dot == NULL)
		return ident_ok(t, strlen(t));
	return ident_ok(t, (size_t)(dot - t)) &&
	       ident_ok(dot + 1, strlen(dot + 1));
}

void
quasar_ddl(struct buf *out, const char *table)
{
	buf_printf(out,
	    "CREATE TABLE IF NOT EXISTS %s (source String, file String, "
	    "line UInt64, imported_at DateTime, record String) "
	    "ENGINE = ReplacingMergeTree() ORDER BY (source, file, line)",
	    table);
}

void
quasar_insert(struct buf *out, const char *table)
{
	buf_printf(out, "INSERT INTO %s FORMAT JSONEachRow", table);
}

int
quasar_url(struct buf *out, const char *base, const char *query)
{
	size_t n = strlen(base);

	if (strchr(base, '?') != NULL) {
		if (buf_adds(out, base) < 0 ||
		    (base[n - 1] != '?' && base[n - 1] != '&' &&
		        buf_addc(out, '&') < 0))
			return -1;
	} else {
		while (n > 0 && base[n - 1] == '/')
			n--;
		if (buf_add(out, base, n) < 0 || buf_adds(out, "/?") < 0)
			return -1;
	}
	return buf_adds(out, "query=") < 0 ? -1 : http_escape(out, query);
}

char *
quasar_redact(const char *url)
{
	struct buf b = BUF_INIT;
	const char *auth = strstr(url, "://"), *end, *p, *q, *amp;
	size_t hier;
	int first = 1;

	auth = auth ? auth + 3 : url;
	end = auth + strcspn(auth, "/?#");
	buf_add(&b, url, (size_t)(auth - url));
	/* The host without "user:password@". */
	for (p = end; p > auth && p[-1] != '@'; p--)
		;
	hier = strcspn(p, "?#");
	buf_add(&b, p, hier);
	/* The parameters, without the password; no fragment. */
	for (q = p + hier; *q == '?' || *q == '&'; q = amp) {
		q++;
		amp = q + strcspn(q, "&#");
		if (amp == q || (strncmp(q, "password", 8) == 0 &&
		                    (q[8] == '=' || q + 8 == amp)))
			continue;
		buf_addc(&b, first ? '?' : '&');
		buf_add(&b, q, (size_t)(amp - q));
		first = 0;
	}
	return b.data ? b.data : xstrdup("");
}

void
quasar_datetime(time_t t, char out[20])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

void
quasar_prov_init(struct quasar_prov *p)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->sbuf, BUF_UNLIMITED);
	buf_init(&p->fbuf, BUF_UNLIMITED);
	p->line = -1;
}

void
quasar_prov_release(struct quasar_prov *p)
{
	buf_release(&p->sbuf);
	buf_release(&p->fbuf);
}

/* A string node's text (quotes and all), or NULL. */
static const char *
doc_string(const struct jdoc *d, const struct jdoc_node *meta, const char *key,
    size_t *len)
{
	const struct jdoc_node *n = jdoc_get(d, meta, key, strlen(key));

	if (n == NULL || n->type != JDOC_STRING)
		return NULL;
	*len = n->len;
	return d->text + n->off;
}

void
quasar_prov_doc(struct quasar_prov *p, const struct jdoc *d)
{
	const struct jdoc_node *meta = jdoc_get(d, &d->nodes[0], "_meta", 5);
	const struct jdoc_node *n;
	const char *s;
	long long v = 0;
	uint32_t i;

	p->source = p->file = NULL;
	p->line = -1;
	if (meta == NULL || meta->type != JDOC_OBJECT)
		return;
	p->source = doc_string(d, meta, "source", &p->source_len);
	p->file = doc_string(d, meta, "file", &p->file_len);
	n = jdoc_get(d, meta, "line", 4);
	if (n == NULL || n->type != JDOC_INT || d->text[n->off] == '-')
		return;
	/* Canonical: digits only, within int64_t. */
	for (s = d->text + n->off, i = 0; i < n->len; i++)
		v = v * 10 + (s[i] - '0');
	p->line = v;
}

/* The string at path as JSON text in b, or NULL when it is not one. */
static const char *
tree_string(const json_t *rec, const char *path, struct buf *b, size_t *len)
{
	json_t *v = jpath_get(rec, path);

	buf_reset(b);
	if (!json_is_string(v) ||
	    jsonw_string(b, json_string_value(v), json_string_length(v)) < 0)
		return NULL;
	*len = b->len;
	return b->data;
}

void
quasar_prov_tree(struct quasar_prov *p, const json_t *rec)
{
	json_t *v = jpath_get(rec, "_meta.line");

	p->source = tree_string(rec, "_meta.source", &p->sbuf, &p->source_len);
	p->file = tree_string(rec, "_meta.file", &p->fbuf, &p->file_len);
	p->line = json_is_integer(v) && json_integer_value(v) >= 0
	              ? (long long)json_integer_value(v)
	              : -1;
}

int
quasar_row(struct buf *out, const struct quasar_prov *p, const char *imported,
    const char *raw, size_t n)
{
	/* One reservation for the usual case: little to escape. */
	if (buf_reserve(out, n + p->source_len + p->file_len + 128) < 0 ||
	    buf_adds(out, "{\"source\":") < 0 ||
	    buf_add(out, p->source, p->source_len) < 0 ||
	    buf_adds(out, ",\"file\":") < 0 ||
	    buf_add(out, p->file, p->file_len) < 0 ||
	    buf_adds(out, ",\"line\":") < 0 ||
	    jsonw_uint(out, (unsigned long long)p->line) < 0 ||
	    buf_adds(out, ",\"imported_at\":\"") < 0 ||
	    buf_adds(out, imported) < 0 ||
	    buf_adds(out, "\",\"record\":") < 0 ||
	    jsonw_string_dense(out, raw, n) < 0)
		return -1;
	return buf_adds(out, "}\n");
}

long
quasar_code(const char *body, size_t n)
{
	size_t i = 0;
	long code = 0;

	while (i < n && isspace((unsigned char)body[i]))
		i++;
	if (n - i < 7 || strncmp(body + i, "Code: ", 6) != 0 ||
	    !isdigit((unsigned char)body[i + 6]))
		return -1;
	for (i += 6; i < n && isdigit((unsigned char)body[i]) && code < 1e6;
	     i++)
		code = code * 10 + (body[i] - '0');
	return code;
}

/*
 * ClickHouse's error codes that a retry cannot cure: the request, the
 * table or the data is wrong (parse errors, unknown table, column or
 * field, type mismatch, bad compression, a read-only user). Other codes
 * (timeouts, too many parts, memory, a query cancelled at shutdown,
 * network errors) are worth another try.
 */
static const long refused_codes[] = {6, 16, 25, 26, 27, 36, 38, 41, 44, 47, 48,
    53, 57, 60, 62, 69, 70, 72, 73, 81, 89, 115, 117, 131, 164, 354};

/* Codes that say the credentials were refused. */
static const long denied_codes[] = {192, 193, 194, 195, 497, 516};

static int
listed(long code, const long *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i] == code)
			return 1;
	}
	return 0;
}

enum quasar_verdict
quasar_verdict(long status, const char *body, size_t n)
{
	long code = body ? quasar_code(body, n) : -1;

	if (status >= 200 && status < 300)
		return QUASAR_STORED;
	if (status == 401 || status == 403 ||
	    listed(code, denied_codes,
	        sizeof(denied_codes) / sizeof(denied_codes[0])))
		return QUASAR_DENIED;
	if (listed(code, refused_codes,
	        sizeof(refused_codes) / sizeof(refused_codes[0])))
		return QUASAR_REFUSED;
	if (status == 0 || status == 408 || status == 429 || status >= 500)
		return QUASAR_RETRY;
	return QUASAR_REFUSED;
}

void
quasar_message(struct buf *out, const char *body, size_t n)
{
	static const char tail[] = ", e.what() = ";
	size_t i, k;

	while (n > 0 && isspace((unsigned char)*body)) {
		body++;
		n--;
	}
	for (k = 0; k < n && body[k] != '\n'; k++) {
		if (n - k >= sizeof(tail) - 1 &&
		    memcmp(body + k, tail, sizeof(tail) - 1) == 0)
			break;
	}
	while (k > 0 && isspace((unsigned char)body[k - 1]))
		k--;
	if (k > 300)
		k = 300;
	/* For stderr and the sidecar's JSON: printable ASCII only. */
	for (i = 0; i < k; i++)
		buf_addc(
		    out, body[i] >= 0x20 && body[i] < 0x7f ? body[i] : '?');
}

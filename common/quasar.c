/* ClickHouse rows, URLs and answers for post-quasar; see quasar.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hashledger.h"
#include "http.h"
#include "jpath.h"
#include "jsonw.h"
#include "ndjson.h"
#include "quasar.h"
#include "rowbin.h"
#include "shipcodec.h"

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

/* The key quasar_ddl() gives, as system.tables writes it. */
#define KEY "source, record_hash"

/*
 * The raw layout's columns, in the order of its RowBinary row
 * (quasar_row()), with their types as system.columns writes them.
 */
static const struct {
	const char *name, *type;
} columns[] = {{"source", "String"}, {"record_hash", "FixedString(64)"},
    {"file", "String"}, {"line", "UInt64"}, {"imported_at", "DateTime"},
    {"record", "String"}};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

void
quasar_ddl(struct buf *out, const char *table)
{
	size_t i;

	buf_printf(out, "CREATE TABLE IF NOT EXISTS %s (", table);
	for (i = 0; i < NCOLUMNS; i++)
		buf_printf(out, "%s%s %s", i ? ", " : "", columns[i].name,
		    columns[i].type);
	buf_adds(out, ") ENGINE = ReplacingMergeTree() ORDER BY (" KEY ")");
}

void
quasar_insert(struct buf *out, const char *table, enum qlayout l)
{
	size_t i;

	if (l != QLAYOUT_RAW) {
		buf_printf(out, "INSERT INTO %s FORMAT JSONEachRow", table);
		return;
	}
	buf_printf(out, "INSERT INTO %s (", table);
	for (i = 0; i < NCOLUMNS; i++)
		buf_printf(out, "%s%s", i ? ", " : "", columns[i].name);
	buf_adds(out, ") FORMAT RowBinary");
}

/*
 * The WHERE of table's rows of a system table whose column col names the
 * table (system.tables: name; system.columns: table).
 */
static void
table_where(struct buf *out, const char *table, const char *col)
{
	const char *dot = strchr(table, '.');

	/* quasar_table_ok() names hold no quote: they go in as they are. */
	if (dot)
		buf_printf(out, "database = '%.*s' AND %s = '%s'",
		    (int)(dot - table), table, col, dot + 1);
	else
		buf_printf(out, "database = currentDatabase() AND %s = '%s'",
		    col, table);
}

void
quasar_key_query(struct buf *out, const char *table)
{
	buf_adds(out, "SELECT engine, sorting_key FROM system.tables WHERE ");
	table_where(out, table, "name");
	buf_adds(out, " FORMAT TSV");
}

void
quasar_engine_query(struct buf *out, const char *table)
{
	buf_adds(out, "SELECT engine_full FROM system.tables WHERE ");
	table_where(out, table, "name");
	buf_adds(out, " FORMAT TSV");
}

void
quasar_columns_query(struct buf *out, const char *table)
{
	buf_adds(out, "SELECT name, type FROM system.columns WHERE ");
	table_where(out, table, "table");
	buf_adds(out, " FORMAT TSV");
}

/* Whether the type text (n bytes) is what a RowBinary row of column i
 * holds: its own, or a DateTime in a named time zone (the same UInt32). */
static int
type_ok(size_t i, const char *type, size_t n)
{
	size_t k = strlen(columns[i].type);

	if (n == k && memcmp(type, columns[i].type, n) == 0)
		return 1;
	return strcmp(columns[i].type, "DateTime") == 0 && n > 10 &&
	       memcmp(type, "DateTime(", 9) == 0 && type[n - 1] == ')';
}

int
quasar_columns_check(const char *body, size_t n, struct buf *what)
{
	const char *s, *nl, *tab, *end = body + n;
	int seen[NCOLUMNS] = {0};
	size_t i;

	if (n == 0)
		return 0; /* no table to see, as for its key */

	for (s = body; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if ((tab = memchr(s, '\t', (size_t)(nl - s))) == NULL)
			continue;
		for (i = 0; i < NCOLUMNS; i++) {
			if (strlen(columns[i].name) != (size_t)(tab - s) ||
			    memcmp(s, columns[i].name, (size_t)(tab - s)) != 0)
				continue;
			seen[i] = 1;
			if (!type_ok(i, tab + 1, (size_t)(nl - tab - 1))) {
				buf_printf(what, "%s is %.*s, not %s",
				    columns[i].name, (int)(nl - tab - 1),
				    tab + 1, columns[i].type);
				return -1;
			}
		}
	}
	for (i = 0; i < NCOLUMNS; i++) {
		if (!seen[i]) {
			buf_printf(what, "it has no column %s %s",
			    columns[i].name, columns[i].type);
			return -1;
		}
	}
	return 0;
}

int
quasar_distributed(const char *body, size_t n)
{
	static const char d[] = "Distributed\t";

	return n >= sizeof(d) - 1 && memcmp(body, d, sizeof(d) - 1) == 0;
}

/*
 * One argument of Distributed(...) at *s: a name, maybe in quotes ('...',
 * `...` or "..."), of letters, digits and _ (and - or . for the cluster's:
 * dots_ok), then ',' or ')'. Its bounds in *at, *len; 0, or -1.
 */
static int
engine_arg(const char **s, const char **at, size_t *len, int dots_ok)
{
	const char *p = *s;
	char q = 0;

	while (*p == ' ')
		p++;
	if (*p == '\'' || *p == '`' || *p == '"')
		q = *p++;
	*at = p;
	while (isalnum((unsigned char)*p) || *p == '_' ||
	       (dots_ok && (*p == '-' || *p == '.')))
		p++;
	*len = (size_t)(p - *at);
	if (q && *p++ != q)
		return -1;
	while (*p == ' ')
		p++;
	if (*len == 0 || *len > 200 || (*p != ',' && *p != ')'))
		return -1;
	*s = p + 1;
	return 0;
}

int
quasar_shards_query(struct buf *out, const char *body, size_t n)
{
	static const char d[] = "Distributed(";
	const char *s, *at[3];
	size_t len[3];
	char line[1024];
	int i;

	while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == '\r'))
		n--;
	if (n >= sizeof(line) || n < sizeof(d) ||
	    memcmp(body, d, sizeof(d) - 1) != 0)
		return -1;
	memcpy(line, body, n);
	line[n] = '\0';
	s = line + sizeof(d) - 1;
	for (i = 0; i < 3; i++) {
		if (engine_arg(&s, &at[i], &len[i], i == 0) < 0 ||
		    (i > 0 && !ident_ok(at[i], len[i])))
			return -1;
	}
	buf_printf(out,
	    "SELECT DISTINCT engine, sorting_key FROM cluster('%.*s', "
	    "system.tables) WHERE database = '%.*s' AND name = '%.*s' "
	    "FORMAT TSV",
	    (int)len[0], at[0], (int)len[1], at[1], (int)len[2], at[2]);
	return 0;
}

int
quasar_key_check(const char *body, size_t n, struct buf *what)
{
	static const char want[] = "ReplacingMergeTree\t" KEY;
	const char *tab, *end;
	size_t k;

	while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == '\r'))
		n--;
	if (n == 0)
		return 0;
	/* Every line (a shard's each, for a Distributed table's) the key. */
	for (end = body + n; body < end; body += k + 1) {
		const char *nl = memchr(body, '\n', (size_t)(end - body));

		k = nl ? (size_t)(nl - body) : (size_t)(end - body);
		if (k == sizeof(want) - 1 && memcmp(body, want, k) == 0)
			continue;
		tab = memchr(body, '\t', k);
		if (tab == NULL)
			buf_add(what, body, k);
		else
			buf_printf(what, "%.*s keyed by (%.*s)",
			    (int)(tab - body), body,
			    (int)(k - (size_t)(tab + 1 - body)), tab + 1);
		return -1;
	}
	return 1;
}

const char *
quasar_hint(const char *body, size_t n)
{
	static const char col[] = "record_hash";
	long code = quasar_code(body, n);
	size_t i;

	/* Rows that end before their columns do: read by other types. */
	if (code == 33)
		return "the rows do not fit the table's columns: one has a "
		       "type other than post-quasar writes (--create-table "
		       "names it; see pipelines/sql/quasar-raw.sql)";
	/* No such column (a RowBinary insert naming its columns), or an
	 * unknown field (a JSONEachRow row: an older post-quasar's spool). */
	if (code != 16 && code != 117)
		return NULL;
	for (i = 0; i + sizeof(col) - 1 <= n; i++) {
		if (memcmp(body + i, col, sizeof(col) - 1) == 0)
			return "the table has no column record_hash: an older "
			       "post-quasar made it, keyed by (source, file, "
			       "line); move it aside and make the new one (see "
			       "pipelines/sql/quasar-raw.sql)";
	}
	return NULL;
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
	return buf_adds(out, "query=") < 0 ? -1 : url_escape(out, query);
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
	buf_init(&p->dump, BUF_UNLIMITED);
	buf_init(&p->sdef, BUF_UNLIMITED);
	buf_init(&p->fdef, BUF_UNLIMITED);
	jsonw_cstring(&p->sdef, "");
	p->line = -1;
}

void
quasar_prov_release(struct quasar_prov *p)
{
	buf_release(&p->sbuf);
	buf_release(&p->fbuf);
	buf_release(&p->dump);
	buf_release(&p->sdef);
	buf_release(&p->fdef);
}

void
quasar_prov_source(struct quasar_prov *p, const char *source)
{
	buf_reset(&p->sdef);
	jsonw_cstring(&p->sdef, source);
}

void
quasar_prov_fill(
    struct quasar_prov *p, const char *file, unsigned long long line)
{
	if (p->source == NULL) {
		p->source = p->sdef.data;
		p->source_len = p->sdef.len;
	}
	if (p->file == NULL) {
		if (p->fdef_for != file) {
			buf_reset(&p->fdef);
			jsonw_cstring(&p->fdef, file);
			p->fdef_for = file;
		}
		p->file = p->fdef.data;
		p->file_len = p->fdef.len;
	}
	if (p->line < 0)
		p->line = (long long)line;
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

/* Ends the hash of the source and the n bytes of record text at a, b. */
static void
hash_parts(
    struct quasar_prov *p, const char *a, size_t na, const char *b, size_t nb)
{
	struct sha256 s;

	sha256_init(&s);
	sha256_add(&s, p->source, p->source_len);
	sha256_add(&s, "\n", 1);
	sha256_add(&s, a, na);
	sha256_add(&s, b, nb);
	sha256_hex(&s, p->hash);
}

void
quasar_hash_doc(struct quasar_prov *p, const struct jdoc *d)
{
	const struct jdoc_node *root = &d->nodes[0];
	const struct jdoc_node *m = jdoc_get(d, root, "_meta", 5);
	size_t cut, end;

	if (m == NULL) {
		hash_parts(p, d->text, d->len, NULL, 0);
		return;
	}
	/* From the key's opening quote to the end of the value, and the
	 * comma before it, or after it when it comes first. */
	cut = m->key - 1;
	end = m->off + m->len;
	if (root->child != (uint32_t)(m - d->nodes))
		cut--;
	else if (m->next)
		end++;
	hash_parts(p, d->text, cut, d->text + end, d->len - end);
}

void
quasar_hash_tree(struct quasar_prov *p, const json_t *rec)
{
	json_t *copy = json_object(), *v;
	const char *key;

	json_object_foreach((json_t *)rec, key, v)
	{
		if (strcmp(key, "_meta") != 0)
			json_object_set(copy, key, v);
	}
	/* Unlimited, so the dump cannot fail (memory aborts, xmalloc). */
	buf_reset(&p->dump);
	ndjson_dump(&p->dump, copy);
	json_decref(copy);
	hash_parts(p, p->dump.data, p->dump.len - 1, NULL, 0);
}

/*
 * Appends the string whose JSON text (its quotes included) is the n bytes
 * at s as a RowBinary String: as it is between the quotes when it has no
 * escape, which is the usual case, else decoded.
 */
static int
text_string(struct buf *out, const char *s, size_t n)
{
	json_t *v;
	int rc;

	if (n >= 2 && memchr(s, '\\', n) == NULL)
		return rowbin_string(out, s + 1, n - 2);
	v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	rc = json_is_string(v) ? rowbin_string(out, json_string_value(v),
	                             json_string_length(v))
	                       : -1;
	json_decref(v);
	return rc;
}

int
quasar_row(struct buf *out, const struct quasar_prov *p, time_t imported,
    const char *raw, size_t n)
{
	/* One reservation for the whole row, varints included. */
	if (buf_reserve(out, n + p->source_len + p->file_len + SHA256_HEX + 12 +
	                         3 * ROWBIN_VARINT_MAX) < 0 ||
	    text_string(out, p->source, p->source_len) < 0 ||
	    buf_add(out, p->hash, SHA256_HEX - 1) < 0 ||
	    text_string(out, p->file, p->file_len) < 0 ||
	    rowbin_u64(out, (uint64_t)p->line) < 0 ||
	    rowbin_u32(out, (uint32_t)imported) < 0)
		return -1;
	return rowbin_string(out, raw, n);
}

/* One spooled row given its record_hash, appended to out. 0 or -1. */
static int
upgrade_row(struct quasar_prov *p, struct jdoc *d, const char *s, size_t n,
    struct buf *out)
{
	json_t *row = json_loadb(s, n, JSON_ALLOW_NUL, NULL), *rec = NULL;
	const json_t *src = json_object_get(row, "source");
	const json_t *text = json_object_get(row, "record");
	int rc = -1;

	if (!json_is_string(src) || !json_is_string(text))
		goto out;
	buf_reset(&p->sbuf);
	jsonw_string(&p->sbuf, json_string_value(src), json_string_length(src));
	p->source = p->sbuf.data;
	p->source_len = p->sbuf.len;
	if (jdoc_parse(d, json_string_value(text), json_string_length(text)) ==
	    0) {
		quasar_hash_doc(p, d);
	} else if ((rec = json_loadb(json_string_value(text),
	                json_string_length(text), JSON_ALLOW_NUL, NULL)) !=
	           NULL) {
		quasar_hash_tree(p, rec);
	} else {
		goto out;
	}
	json_object_set_new(row, "record_hash", json_string(p->hash));
	rc = ndjson_dump(out, row);
out:
	json_decref(rec);
	json_decref(row);
	return rc;
}

int
quasar_upgrade_rows(
    struct buf *body, unsigned long long *bytes, struct buf *err)
{
	struct buf plain = BUF_INIT, out = BUF_INIT, rows = BUF_INIT;
	struct quasar_prov p;
	struct jdoc d;
	struct shipcodec g;
	const char *s, *nl;
	unsigned long long k = 0;
	int rc = -1;

	quasar_prov_init(&p);
	jdoc_init(&d);
	shipcodec_init(&g, SHIP_GZIP);
	*bytes = 0;
	if (shipcodec_unpack(SHIP_GZIP, body, &plain, err) < 0)
		goto out;
	for (s = plain.data; s && s < plain.data + plain.len; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(plain.data + plain.len - s));
		if (nl == NULL)
			nl = plain.data + plain.len;
		k++;
		if (upgrade_row(&p, &d, s, (size_t)(nl - s), &rows) < 0) {
			buf_printf(err,
			    "row %llu of the batch is not a "
			    "post-quasar row",
			    k);
			goto out;
		}
	}
	*bytes = rows.len;
	if (shipcodec_pack(&g, rows.data, rows.len, &out) < 0)
		goto out;
	buf_reset(body);
	buf_add(body, out.data, out.len);
	rc = 0;
out:
	if (rc < 0 && err->len == 0)
		buf_adds(err, "cannot gzip the batch (out of memory)");
	shipcodec_release(&g);
	jdoc_release(&d);
	quasar_prov_release(&p);
	buf_release(&plain);
	buf_release(&out);
	buf_release(&rows);
	return rc;
}

/* The first place of the n bytes of key in the m bytes at s, or NULL. */
static const char *
find(const char *s, size_t m, const char *key, size_t n)
{
	const char *end = s + m, *p;

	for (p = s; (size_t)(end - p) >= n; p++) {
		if ((p = memchr(p, key[0], (size_t)(end - p) - n + 1)) == NULL)
			return NULL;
		if (memcmp(p, key, n) == 0)
			return p;
	}
	return NULL;
}

int
quasar_row_keys(const struct buf *rows, struct buf *keys)
{
	static const char key[] = "\"record_hash\":\"";
	struct hash128 h;
	const char *s, *nl, *at;
	size_t n;

	for (s = rows->data; s && s < rows->data + rows->len; s = nl + 1) {
		n = (size_t)(rows->data + rows->len - s);
		if ((nl = memchr(s, '\n', n)) == NULL)
			nl = s + n;
		/* A row's strings before record_hash (source, file) have
		 * their quotes escaped: the first match is the member. */
		at = find(s, (size_t)(nl - s), key, sizeof(key) - 1);
		if (at == NULL || (size_t)(nl - at) < sizeof(key) - 1 + 32 ||
		    hashledger_hex(at + sizeof(key) - 1, &h) < 0)
			return -1;
		buf_add(keys, &h, sizeof(h));
	}
	return 0;
}

int
quasar_rowbin_keys(const struct buf *rows, struct buf *keys)
{
	struct rowbin_in in = {(const unsigned char *)rows->data, rows->len, 0};
	struct hash128 h;
	const char *s, *hex;
	size_t n;

	/* source, record_hash, file, line and imported_at (12 bytes), record:
	 * the columns of quasar_insert(). */
	while (in.at < in.n) {
		if (rowbin_take_string(&in, &s, &n) < 0 ||
		    rowbin_take(&in, SHA256_HEX - 1, &hex) < 0 ||
		    rowbin_take_string(&in, &s, &n) < 0 ||
		    rowbin_take(&in, 8 + 4, &s) < 0 ||
		    rowbin_take_string(&in, &s, &n) < 0 ||
		    hashledger_hex(hex, &h) < 0)
			return -1;
		buf_add(keys, &h, sizeof(h));
	}
	return 0;
}

int
quasar_row_keys_layout(const struct buf *rows, enum qlayout l, struct buf *keys)
{
	char hex[SHA256_HEX];
	struct hash128 h;
	const char *s, *nl;
	size_t n;

	if (l == QLAYOUT_RAW)
		return quasar_row_keys(rows, keys);
	for (s = rows->data; s && s < rows->data + rows->len; s = nl + 1) {
		n = (size_t)(rows->data + rows->len - s);
		if ((nl = memchr(s, '\n', n)) == NULL)
			nl = s + n;
		if (qlayout_row_hash(l, s, (size_t)(nl - s), hex) < 0 ||
		    hashledger_hex(hex, &h) < 0)
			return -1;
		buf_add(keys, &h, sizeof(h));
	}
	return 0;
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
 * field, type mismatch, bad compression, a read-only user; 33, rows that
 * end before their columns do: RowBinary rows read by types other than
 * theirs, as a whole request gets them there). Other codes
 * (timeouts, too many parts, memory, a query cancelled at shutdown,
 * network errors) are worth another try.
 */
static const long refused_codes[] = {6, 16, 25, 26, 27, 33, 36, 38, 41, 44, 47,
    48, 53, 57, 60, 62, 69, 70, 72, 73, 81, 89, 115, 117, 131, 164, 354};

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

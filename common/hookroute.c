/* A webhook route and its requests' checks; see hookroute.h. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hookroute.h"
#include "sha256.h"
#include "utf8.h"

#define ID_MAX 200

/* clang-format off */
static const char *const receive_keys[] = {
	"path", "methods", "content_types", "auth", "signature", "fields",
	"optional", "key", "answer", "dictionary", "events", "defaults", NULL,
};
/* clang-format on */

static int
bad(struct buf *err, const char *what, const char *why)
{
	buf_printf(err, "receive.%s: %s", what, why);
	return -1;
}

static int
known(const json_t *obj, const char *const *allowed, const char *what,
    struct buf *err)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)obj, k, v)
	{
		if (k[0] == '_')
			continue;
		for (i = 0; allowed[i] && strcmp(allowed[i], k) != 0; i++)
			;
		if (allowed[i] == NULL) {
			buf_printf(err,
			    "receive%s%s.%s: not a key of a "
			    "receive section",
			    *what ? "." : "", what, k);
			return -1;
		}
	}
	(void)v;
	return 0;
}

/* A list of non-empty strings into *out (borrowed), or -1. */
static int
strings(const json_t *v, const char ***out, size_t *n, const char *what,
    struct buf *err)
{
	json_t *e;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return bad(err, what, "must be a list of strings");
	*out = xcalloc(json_array_size(v), sizeof(**out));
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e) || json_string_length(e) == 0)
			return bad(err, what, "must be a list of strings");
		(*out)[i] = json_string_value(e);
	}
	*n = json_array_size(v);
	return 0;
}

static int
load_fields(
    struct hookroute *r, const json_t *obj, int required, struct buf *err)
{
	const char *what = required ? "fields" : "optional", *k, *t;
	struct hookroute_field *f;
	json_t *v;

	if (obj == NULL)
		return 0;
	if (!json_is_object(obj))
		return bad(err, what, "must be an object of field: type");
	r->fields = xrealloc(r->fields,
	    (r->nfields + json_object_size(obj)) * sizeof(*r->fields));
	json_object_foreach((json_t *)obj, k, v)
	{
		f = &r->fields[r->nfields++];
		f->name = k;
		f->required = required;
		t = json_string_value(v);
		if (t && strcmp(t, "string") == 0)
			f->type = HOOKROUTE_STRING;
		else if (t && strcmp(t, "integer") == 0)
			f->type = HOOKROUTE_INTEGER;
		else if (t && strcmp(t, "date") == 0)
			f->type = HOOKROUTE_DATE;
		else {
			buf_printf(err,
			    "receive.%s.%s: must be \"string\", \"integer\" "
			    "or \"date\"",
			    what, k);
			return -1;
		}
	}
	return 0;
}

static int
load_auth(struct hookroute *r, const json_t *recv, struct buf *err)
{
	static const char *const auth_keys[] = {"headers", "keys", NULL};
	static const char *const sig_keys[] = {"secrets", "tolerance", NULL};
	const json_t *a = json_object_get(recv, "auth");
	const json_t *s = json_object_get(recv, "signature");

	if (a == NULL && s == NULL)
		return bad(err, "auth",
		    "a route needs \"auth\" or "
		    "\"signature\" (or both)");
	if (a) {
		if (!json_is_object(a) || known(a, auth_keys, "auth", err) < 0)
			return err->len ? -1
			                : bad(err, "auth", "must be an object");
		if (strings(json_object_get(a, "headers"), &r->headers,
		        &r->nheaders, "auth.headers", err) < 0)
			return -1;
		r->keys_var = json_string_value(json_object_get(a, "keys"));
		if (r->keys_var == NULL || *r->keys_var == '\0')
			return bad(err, "auth.keys",
			    "must name the environment variable of the keys");
	}
	if (s) {
		if (!json_is_object(s) ||
		    known(s, sig_keys, "signature", err) < 0)
			return err->len
			           ? -1
			           : bad(err, "signature", "must be an object");
		r->secrets_var =
		    json_string_value(json_object_get(s, "secrets"));
		if (r->secrets_var == NULL || *r->secrets_var == '\0')
			return bad(err, "signature.secrets",
			    "must name the environment variable of the secrets");
		r->tolerance = 300;
		if (json_object_get(s, "tolerance")) {
			if (!json_is_integer(json_object_get(s, "tolerance")) ||
			    json_integer_value(
			        json_object_get(s, "tolerance")) < 1)
				return bad(err, "signature.tolerance",
				    "must be a number of seconds");
			r->tolerance = (long)json_integer_value(
			    json_object_get(s, "tolerance"));
		}
	}
	return 0;
}

static int
load_answer(struct hookroute *r, const json_t *a, struct buf *err)
{
	json_t *st, *body;

	r->status = 200;
	r->answer = "";
	if (a == NULL)
		return 0;
	st = json_object_get(a, "status");
	body = json_object_get(a, "body");
	if (!json_is_object(a) || json_object_size(a) > 2 ||
	    (st && (!json_is_integer(st) || json_integer_value(st) < 200 ||
	               json_integer_value(st) > 299)) ||
	    (body && !json_is_string(body)))
		return bad(err, "answer",
		    "must be {\"status\": 2xx, \"body\": \"text\"}");
	if (st)
		r->status = (int)json_integer_value(st);
	if (body)
		r->answer = json_string_value(body);
	return 0;
}

int
hookroute_load(struct hookroute *r, const json_t *recv, struct buf *err)
{
	const json_t *v;
	const char **ct = NULL;
	size_t nct = 0, i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(recv)) {
		buf_adds(err, "receive: must be an object");
		return -1;
	}
	if (known(recv, receive_keys, "", err) < 0)
		return -1;
	r->path = json_string_value(json_object_get(recv, "path"));
	if (r->path == NULL || r->path[0] != '/')
		return bad(err, "path", "must be a path, starting with /");
	if ((v = json_object_get(recv, "methods")) != NULL) {
		if (strings(v, &r->methods, &r->nmethods, "methods", err) < 0)
			return -1;
	} else {
		r->methods = xcalloc(1, sizeof(*r->methods));
		r->methods[0] = "POST";
		r->nmethods = 1;
	}
	if ((v = json_object_get(recv, "content_types")) != NULL) {
		if (strings(v, &ct, &nct, "content_types", err) < 0)
			goto out;
		for (i = 0; i < nct; i++) {
			if (strcmp(ct[i], "json") == 0)
				r->json = 1;
			else if (strcmp(ct[i], "form") == 0)
				r->form = 1;
			else {
				bad(err, "content_types",
				    "must be a list of \"json\" and \"form\"");
				goto out;
			}
		}
	} else {
		r->json = r->form = 1;
	}
	if (load_auth(r, recv, err) < 0 ||
	    load_fields(r, json_object_get(recv, "fields"), 1, err) < 0 ||
	    load_fields(r, json_object_get(recv, "optional"), 0, err) < 0 ||
	    load_answer(r, json_object_get(recv, "answer"), err) < 0)
		goto out;
	if ((v = json_object_get(recv, "key")) != NULL &&
	    strings(v, &r->key, &r->nkey, "key", err) < 0)
		goto out;
	rc = 0;
out:
	free(ct);
	return rc;
}

void
hookroute_release(struct hookroute *r)
{
	free(r->methods);
	free(r->headers);
	free(r->fields);
	free(r->key);
	memset(r, 0, sizeof(*r));
}

/* --- Secrets ----------------------------------------------------------- */

static int
split(const char *s, char ***out, int n)
{
	size_t len;

	while (*s) {
		s += strspn(s, ", \t\r\n");
		len = strcspn(s, ", \t\r\n");
		if (len == 0)
			break;
		*out = xrealloc(*out, (size_t)(n + 1) * sizeof(**out));
		(*out)[n] = xcalloc(len + 1, 1);
		memcpy((*out)[n++], s, len);
		s += len;
	}
	return n;
}

int
hookroute_secrets(const char *var, char ***out, struct buf *err)
{
	struct buf name = BUF_INIT, text = BUF_INIT;
	const char *v = getenv(var), *file;
	char chunk[4096];
	size_t got;
	FILE *f;
	int n = 0;

	*out = NULL;
	buf_printf(&name, "%s_FILE", var);
	file = getenv(name.data);
	if (v && *v) {
		n = split(v, out, 0);
	} else if (file && *file) {
		if ((f = fopen(file, "r")) == NULL) {
			buf_printf(err, "%s: %s", file, strerror(errno));
			n = -1;
			goto out;
		}
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&text, chunk, got);
		fclose(f);
		n = text.data ? split(text.data, out, 0) : 0;
	}
	if (n == 0) {
		buf_printf(err, "no keys in %s or in the file %s names", var,
		    name.data);
		n = -1;
	}
out:
	if (text.data)
		memset(text.data, 0, text.len);
	buf_release(&text);
	buf_release(&name);
	return n;
}

void
hookroute_free_secrets(char **s, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(s[i], 0, strlen(s[i]));
		free(s[i]);
	}
	free(s);
}

/* --- Requests ---------------------------------------------------------- */

/* 1 when ctype is the media type want, parameters (";charset=") aside. */
static int
is_type(const char *ctype, const char *want)
{
	size_t n = strlen(want);

	while (*ctype == ' ')
		ctype++;
	if (strncasecmp(ctype, want, n) != 0)
		return 0;
	ctype += n;
	while (*ctype == ' ')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

int
hookroute_ctype(const struct hookroute *r, const char *ctype)
{
	if (ctype == NULL)
		return 0;
	if (r->json && is_type(ctype, "application/json"))
		return HOOKROUTE_JSON;
	if (r->form && is_type(ctype, "application/x-www-form-urlencoded"))
		return HOOKROUTE_FORM;
	return 0;
}

/* Percent-decodes s[0..n) ('+' a space) into out; -1 when not UTF-8. */
static int
unescape(const char *s, size_t n, struct buf *out)
{
	size_t i;
	int hi, lo;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			buf_addc(out, ' ');
		else if (s[i] == '%' && i + 2 < n &&
		         (hi = hex_digit((unsigned char)s[i + 1])) >= 0 &&
		         (lo = hex_digit((unsigned char)s[i + 2])) >= 0) {
			buf_addc(out, (char)(hi * 16 + lo));
			i += 2;
		} else
			buf_addc(out, s[i]);
	}
	if (out->data == NULL)
		buf_adds(out, "");
	if (memchr(out->data, '\0', out->len) ||
	    utf8_valid_prefix(out->data, out->len) != out->len)
		return -1;
	return 0;
}

/* A form body as an object of strings; NULL with why set when not one. */
static json_t *
read_form(const char *body, size_t len, const char **why)
{
	json_t *o = json_object();
	struct buf k = BUF_INIT, v = BUF_INIT;
	const char *p = body, *end = body + len, *amp, *eq;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp > p) {
			eq = memchr(p, '=', (size_t)(amp - p));
			if (eq == NULL)
				eq = amp;
			if (unescape(p, (size_t)(eq - p), &k) < 0 ||
			    unescape(eq + (eq < amp),
			        (size_t)(amp - eq - (eq < amp)), &v) < 0) {
				*why = "the form is not UTF-8 text";
				goto fail;
			}
			if (json_object_get(o, k.data)) {
				*why = "a field is given twice";
				goto fail;
			}
			json_object_set_new(
			    o, k.data, json_stringn(v.data, v.len));
		}
		p = amp + 1;
	}
	buf_release(&k);
	buf_release(&v);
	return o;
fail:
	buf_release(&k);
	buf_release(&v);
	json_decref(o);
	return NULL;
}

static int
digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
num(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int
hookroute_is_date(const char *s)
{
	static const int mdays[] = {
	    31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, leap;

	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return 0;
	y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !leap))
		return 0;
	s += 10;
	if (*s == '\0')
		return 1;
	if ((*s != 'T' && *s != ' ') || !digits(s + 1, 2) || s[3] != ':' ||
	    !digits(s + 4, 2) || num(s + 1, 2) > 23 || num(s + 4, 2) > 59)
		return 0;
	s += 6;
	if (*s == ':') {
		if (!digits(s + 1, 2) || num(s + 1, 2) > 60)
			return 0;
		s += 3;
		if (*s == '.') {
			s++;
			if (!isdigit((unsigned char)*s))
				return 0;
			while (isdigit((unsigned char)*s))
				s++;
		}
	}
	if (*s == 'Z')
		return s[1] == '\0';
	if (*s == '+' || *s == '-') {
		if (!digits(s + 1, 2) || num(s + 1, 2) > 23)
			return 0;
		s += 3;
		if (*s == ':')
			s++;
		if (*s == '\0')
			return 1;
		return digits(s, 2) && num(s, 2) <= 59 && s[2] == '\0';
	}
	return *s == '\0';
}

/* "-?[0-9]+" within int64 into *out. */
static int
integer_text(const char *s, json_int_t *out)
{
	char *end;
	long long v;

	if (!(isdigit((unsigned char)*s) ||
	        (*s == '-' && isdigit((unsigned char)s[1]))))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (json_int_t)v;
	return 0;
}

/* Checks one field, converting it in rec; the problem or NULL. */
static const char *
check(const struct hookroute_field *f, json_t *rec)
{
	json_t *v = json_object_get(rec, f->name);
	json_int_t i;
	char text[64];

	if (v == NULL || json_is_null(v) ||
	    (json_is_string(v) && json_string_length(v) == 0)) {
		if (v)
			json_object_del(rec, f->name);
		return f->required ? "is required" : NULL;
	}
	switch (f->type) {
	case HOOKROUTE_INTEGER:
		if (json_is_integer(v))
			return NULL;
		if (json_is_string(v) &&
		    integer_text(json_string_value(v), &i) == 0) {
			json_object_set_new(rec, f->name, json_integer(i));
			return NULL;
		}
		return "must be an integer";
	case HOOKROUTE_DATE:
		if (json_is_string(v) &&
		    strlen(json_string_value(v)) == json_string_length(v) &&
		    hookroute_is_date(json_string_value(v)))
			return NULL;
		return "must be a date (YYYY-MM-DD, with an optional time)";
	default:
		if (json_is_string(v))
			return NULL;
		if (json_is_integer(v)) {
			snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
			json_object_set_new(rec, f->name, json_string(text));
			return NULL;
		}
		return "must be a string";
	}
}

static json_t *
problem(const char *message)
{
	return json_pack("{s:s}", "message", message);
}

int
hookroute_read(const struct hookroute *r, enum hookroute_body kind,
    const char *body, size_t len, json_t **rec, json_t **answer)
{
	json_t *errors = NULL;
	const char *why = "the body is not a JSON object", *p;
	json_error_t je;
	size_t i;

	*answer = NULL;
	if (kind == HOOKROUTE_FORM)
		*rec = read_form(body, len, &why);
	else
		*rec = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (*rec == NULL || !json_is_object(*rec)) {
		json_decref(*rec);
		*rec = NULL;
		*answer = problem(why);
		return 400;
	}
	json_object_del(*rec, "_meta"); /* ours, never the sender's */
	for (i = 0; i < r->nfields; i++) {
		if ((p = check(&r->fields[i], *rec)) == NULL)
			continue;
		if (errors == NULL)
			errors = json_object();
		json_object_set_new(
		    errors, r->fields[i].name, json_pack("[s]", p));
	}
	if (errors == NULL)
		return 0;
	*answer = json_pack("{s:s,s:o}", "message",
	    "The given data was invalid.", "errors", errors);
	json_decref(*rec);
	*rec = NULL;
	return 422;
}

int
hookroute_id(const struct hookroute *r, const char *hdr, const json_t *rec,
    struct buf *out)
{
	char hex[SHA256_HEX], *text;
	struct sha256 h;
	size_t i;

	buf_reset(out);
	if (hdr && *hdr) {
		for (i = 0; hdr[i]; i++) {
			if (i >= ID_MAX || hdr[i] < 0x21 || hdr[i] > 0x7e)
				return -1;
		}
		buf_adds(out, hdr);
		return 1;
	}
	if (r->nkey == 0)
		return 0;
	sha256_init(&h);
	for (i = 0; i < r->nkey; i++) {
		text = json_dumps(json_object_get(rec, r->key[i]),
		    JSON_COMPACT | JSON_ENCODE_ANY);
		sha256_add(
		    &h, text ? text : "null", strlen(text ? text : "null"));
		sha256_add(&h, "\n", 1);
		free(text);
	}
	sha256_hex(&h, hex);
	buf_printf(out, "key:%s", hex);
	return 1;
}

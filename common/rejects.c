/* Rejects and dropped-record files; see rejects.h. */
#include <errno.h>
#include <string.h>

#include "jsonw.h"
#include "rejects.h"
#include "utf8.h"

int
rejects_open(
    struct rejects *r, const char *stage, const char *path, const char *key)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->stage = stage;
	r->key = key;
	buf_init(&r->line, BUF_UNLIMITED);
	if (path == NULL)
		return 0;
	r->fp = fopen(path, "w");
	return r->fp ? 0 : -1;
}

/* Starts an entry: everything up to and including "record":. */
static void
entry_start(struct rejects *r, const char *why, const char *file,
    unsigned long long line)
{
	struct buf *b = &r->line;

	buf_reset(b);
	buf_adds(b, "{\"stage\":");
	jsonw_cstring(b, r->stage);
	buf_printf(b, ",\"%s\":", r->key);
	/* Reasons may quote input bytes: keep the line valid UTF-8. */
	if (utf8_valid_prefix(why, strlen(why)) == strlen(why)) {
		jsonw_cstring(b, why);
	} else {
		struct buf tmp = BUF_INIT;

		utf8_repair(&tmp, why, strlen(why));
		jsonw_string(b, tmp.data, tmp.len);
		buf_release(&tmp);
	}
	if (file) {
		buf_adds(b, ",\"file\":");
		jsonw_cstring(b, file);
	}
	buf_printf(b, ",\"line\":%llu,\"record\":", line);
}

static int
entry_finish(struct rejects *r)
{
	buf_adds(&r->line, "}\n");
	if (fwrite(r->line.data, 1, r->line.len, r->fp) != r->line.len)
		return -1;
	return 0;
}

int
rejects_raw(struct rejects *r, const char *why, const char *file,
    unsigned long long line, const char *raw, size_t n)
{
	if (r->fp == NULL)
		return 0;
	entry_start(r, why, file, line);
	if (utf8_valid_prefix(raw, n) == n) {
		jsonw_string(&r->line, raw, n);
	} else {
		struct buf tmp = BUF_INIT;

		utf8_repair(&tmp, raw, n);
		jsonw_string(&r->line, tmp.data, tmp.len);
		buf_release(&tmp);
	}
	return entry_finish(r);
}

int
rejects_json(struct rejects *r, const char *why, const char *file,
    unsigned long long line, const json_t *record)
{
	size_t need;

	if (r->fp == NULL)
		return 0;
	entry_start(r, why, file, line);
	need = json_dumpb(record, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
	if (buf_grow(&r->line, need) == 0) {
		json_dumpb(record, r->line.data + r->line.len, need,
		    JSON_COMPACT | JSON_ENCODE_ANY);
		r->line.len += need;
		r->line.data[r->line.len] = '\0';
	}
	return entry_finish(r);
}

int
rejects_text(struct rejects *r, const char *why, const char *file,
    unsigned long long line, const char *json, size_t n)
{
	if (r->fp == NULL)
		return 0;
	entry_start(r, why, file, line);
	buf_add(&r->line, json, n);
	return entry_finish(r);
}

int
rejects_close(struct rejects *r)
{
	int rc = 0, saved;

	buf_release(&r->line);
	if (r->fp == NULL)
		return 0;
	if (fflush(r->fp) != 0 || ferror(r->fp))
		rc = -1;
	saved = errno;
	if (fclose(r->fp) != 0)
		rc = -1;
	else
		errno = saved;
	r->fp = NULL;
	return rc;
}

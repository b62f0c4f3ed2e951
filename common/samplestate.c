/* samplestate: a dynamic sample's file (samplestate.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samplestate.h"

static int
dump_to_buf(const char *s, size_t n, void *data)
{
	return buf_add(data, s, n);
}

/* One member's line, checked, to each(). */
static int
member_line(json_t *v, struct buf *rec,
    int (*each)(const struct samplestate_member *m, void *ctx), void *ctx,
    struct buf *why)
{
	struct samplestate_member m;
	const json_t *id = json_object_get(v, "id");
	const json_t *key = json_object_get(v, "key");
	const json_t *record = json_object_get(v, "record");

	m.cell = json_object_get(v, "cell");
	if (!json_is_string(id) || !json_is_string(key) ||
	    !json_is_object(m.cell) || !json_is_object(record) ||
	    sipkey_parse(
	        json_string_value(key), json_string_length(key), &m.key) < 0) {
		buf_adds(why, "not a member of a sample state (id, key, cell, "
		              "record)");
		return -2;
	}
	buf_reset(rec);
	if (json_dump_callback(record, dump_to_buf, rec, JSON_COMPACT) < 0) {
		buf_adds(why, "a record too large");
		return -2;
	}
	m.id = json_string_value(id);
	m.idlen = json_string_length(id);
	m.record = rec->data;
	m.reclen = rec->len;
	return each(&m, ctx);
}

int
samplestate_read(const char *path, uint64_t check,
    int (*each)(const struct samplestate_member *m, void *ctx), void *ctx,
    struct buf *why, unsigned long long *line)
{
	struct buf rec = BUF_INIT;
	char hex[SIPKEY_HEX];
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int rc = 0;

	*line = 0;
	buf_reset(why);
	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT)
			return 1;
		buf_printf(why, "cannot open: %s", strerror(errno));
		return -1;
	}
	sipkey_hex(check, hex);
	while (rc == 0 && (n = getline(&text, &cap, f)) > 0) {
		json_t *v;

		++*line;
		v = json_loadb(text, (size_t)n, JSON_ALLOW_NUL, NULL);
		if (!json_is_object(v)) {
			buf_adds(why, "not a sample state's line");
			rc = -2;
		} else if (*line == 1) {
			const json_t *c = json_object_get(v, "check");

			if (json_integer_value(
			        json_object_get(v, "sample_state")) != 1 ||
			    !json_is_string(c)) {
				buf_adds(why, "not a sample state");
				rc = -2;
			} else if (strcmp(json_string_value(c), hex) != 0) {
				buf_adds(why, "a sample state of another "
				              "seed");
				rc = -2;
			}
		} else {
			rc = member_line(v, &rec, each, ctx, why);
		}
		json_decref(v);
	}
	if (rc == 0 && ferror(f)) {
		buf_printf(why, "cannot read: %s", strerror(errno));
		rc = -1;
	}
	if (rc == 0 && *line == 0) {
		buf_adds(why, "empty: not a sample state");
		rc = -2;
	}
	free(text);
	fclose(f);
	buf_release(&rec);
	return rc;
}

int
samplestate_open(struct samplestate_out *o, const char *path, uint64_t check)
{
	char hex[SIPKEY_HEX];

	wholefile_init(&o->w);
	buf_init(&o->line, BUF_UNLIMITED);
	if (wholefile_open(&o->w, path, "sample-state") < 0)
		return -1;
	sipkey_hex(check, hex);
	buf_printf(&o->line, "{\"sample_state\":1,\"check\":\"%s\"}\n", hex);
	return wholefile_write(&o->w, o->line.data, o->line.len);
}

int
samplestate_add(struct samplestate_out *o, const struct samplestate_member *m)
{
	char hex[SIPKEY_HEX];
	json_t *id = json_stringn(m->id, m->idlen);

	sipkey_hex(m->key, hex);
	buf_reset(&o->line);
	buf_adds(&o->line, "{\"id\":");
	json_dump_callback(
	    id, dump_to_buf, &o->line, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(id);
	buf_printf(&o->line, ",\"key\":\"%s\",\"cell\":", hex);
	json_dump_callback(m->cell, dump_to_buf, &o->line, JSON_COMPACT);
	buf_adds(&o->line, ",\"record\":");
	buf_add(&o->line, m->record, m->reclen);
	buf_adds(&o->line, "}\n");
	return wholefile_write(&o->w, o->line.data, o->line.len);
}

int
samplestate_commit(struct samplestate_out *o)
{
	return wholefile_commit(&o->w);
}

void
samplestate_release(struct samplestate_out *o)
{
	wholefile_release(&o->w);
	buf_release(&o->line);
}

/*
 * Fuzz target: post-quasar's events and rows layouts (common/qlayout.c) on
 * any bytes: the bytes as an RFC 3339 time, as a CREATE TABLE statement to
 * rename, as a row whose identity is read back, and, when they are a JSON
 * object, as a record made an events row and a rows row. None may crash
 * or read past its input; an events row made is JSON, has the columns of
 * the compiled-in statement's count, and gives back its own identity.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qlayout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
rows(const json_t *rec)
{
	struct buf out = BUF_INIT, why = BUF_INIT;
	char h[SHA256_HEX], h2[SHA256_HEX];
	json_t *row;

	if (qlayout_event_row(
	        &out, rec, "f", 1, "2026-01-01 00:00:00", h, &why) == 0) {
		row = json_loadb(out.data, out.len, 0, NULL);
		if (!json_is_object(row) || json_object_size(row) != 18 ||
		    qlayout_row_hash(
		        QLAYOUT_EVENTS, out.data, out.len - 1, h2) != 0 ||
		    strcmp(h, h2) != 0)
			abort();
		json_decref(row);
	} else if (why.len == 0 || out.len != 0) {
		abort();
	}
	buf_reset(&out);
	if (qlayout_rows_row(&out, rec, h) == 0 &&
	    (qlayout_row_hash(QLAYOUT_ROWS, out.data, out.len - 1, h2) != 0 ||
	        strcmp(h, h2) != 0))
		abort();
	buf_release(&out);
	buf_release(&why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	struct buf out = BUF_INIT, why = BUF_INIT;
	char h[SHA256_HEX];
	json_t *rec;

	memcpy(s, data, n);
	s[n] = '\0';
	qlayout_ddl_named(&out, s, "db.t", &why);
	qlayout_row_hash(QLAYOUT_EVENTS, s, n, h);
	qlayout_row_hash(QLAYOUT_ROWS, s, n, h);
	rec = json_loadb(s, n, 0, NULL);
	if (json_is_object(rec))
		rows(rec);
	json_decref(rec);
	buf_release(&out);
	buf_release(&why);
	free(s);
	return 0;
}

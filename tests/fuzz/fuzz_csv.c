/*
 * Fuzz target: a CSV file, as csv2ndjson reads it (common/csvin on libcsv
 * and its fast path). Every record's fields must lie inside what was read,
 * and every field that is valid UTF-8 must come out of jsonw as a JSON
 * string that jansson reads back to the same bytes.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "csvin.h"
#include "input.h"
#include "jsonw.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
check_field(const char *f, size_t len)
{
	struct buf b = BUF_INIT;
	json_t *v;

	if (utf8_valid_prefix(f, len) != len)
		return;
	if (jsonw_string(&b, f, len) < 0)
		abort();
	v = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (v == NULL || json_string_length(v) != len ||
	    memcmp(json_string_value(v), f, len) != 0)
		abort();
	json_decref(v);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char path[] = "/tmp/sluice-fuzz-csv.XXXXXX";
	struct input in;
	struct csvin c;
	enum csvin_status s;
	const char *f;
	size_t i, len;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		abort();
	close(fd);
	if (input_open(&in, path) == INPUT_OK &&
	    csvin_init(&c, &in, n && data[0] == ';' ? ';' : ',', 4096) == 0) {
		while ((s = csvin_next(&c)) != CSVIN_EOF && s != CSVIN_ERROR) {
			if (s != CSVIN_RECORD)
				continue;
			for (i = 0; i < c.nfields; i++) {
				f = csvin_field(&c, i, &len);
				if (f < c.data.data ||
				    f + len > c.data.data + c.data.len)
					abort();
				check_field(f, len);
			}
		}
		csvin_release(&c);
		input_close(&in);
	}
	unlink(path);
	return 0;
}

/*
 * Fuzz target: a CSV file, as csv2ndjson reads it (common/csvin on libcsv
 * and its fast path). Every record's fields must lie inside what was read,
 * every field that is valid UTF-8 must come out of jsonw as a JSON string
 * that jansson reads back to the same bytes, a record called plain or
 * clean must be so, and the fast path must read what libcsv alone reads
 * (csvin's slow): the same statuses, lines, fields and raw texts.
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

/* Whether a field is in the record's own bytes or the read buffer. */
static int
inside(const struct csvin *c, const char *f, size_t len)
{
	if (c->data.data && f >= c->data.data &&
	    f + len <= c->data.data + c->data.len)
		return 1;
	return f >= c->rbuf && f + len <= c->rbuf + c->rlen;
}

/*
 * What csvin_record_plain() and csvin_record_clean() say must hold of
 * every field: plain, ASCII without a control byte, quote or backslash;
 * clean, valid UTF-8 without NUL.
 */
static void
check_verdicts(const struct csvin *c)
{
	const unsigned char *f;
	size_t i, k, len;
	int plain = csvin_record_plain(c), clean = csvin_record_clean(c);

	for (i = 0; i < c->nfields; i++) {
		f = (const unsigned char *)csvin_field(c, i, &len);
		if (clean &&
		    (memchr(f, '\0', len) ||
		        utf8_valid_prefix((const char *)f, len) != len))
			abort();
		for (k = 0; plain && k < len; k++) {
			if (f[k] < 0x20 || f[k] >= 0x80 || f[k] == '"' ||
			    f[k] == '\\')
				abort();
		}
	}
}

/*
 * Reads the file through csvin, fast (slow 0) or every record through
 * libcsv, checking each record, and writes what it read into log: each
 * result's status, line, fields and raw text.
 */
static void
read_all(const char *path, unsigned char delim, int slow, struct buf *log)
{
	struct input in;
	struct csvin c;
	enum csvin_status s;
	const char *f;
	size_t i, len;

	if (input_open(&in, path) != INPUT_OK)
		return;
	if (csvin_init(&c, &in, delim, 4096) == 0) {
		c.slow = slow;
		while ((s = csvin_next(&c)) != CSVIN_EOF && s != CSVIN_ERROR) {
			buf_printf(
			    log, "%d %llu %zu:", (int)s, c.line, c.nfields);
			f = csvin_raw(&c, &len);
			buf_add(log, f, len);
			if (s != CSVIN_RECORD)
				continue;
			check_verdicts(&c);
			for (i = 0; i < c.nfields; i++) {
				f = csvin_field(&c, i, &len);
				if (!inside(&c, f, len))
					abort();
				check_field(f, len);
				buf_printf(log, "|%zu:", len);
				buf_add(log, f, len);
			}
		}
		buf_printf(log, "end %d\n", (int)s);
	}
	csvin_release(&c);
	input_close(&in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char path[] = "/tmp/sluice-fuzz-csv.XXXXXX";
	struct buf fast = BUF_INIT, slow = BUF_INIT;
	unsigned char delim = n && data[0] == ';' ? ';' : ',';
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		abort();
	close(fd);
	/* The fast path and libcsv read the same records. */
	read_all(path, delim, 0, &fast);
	read_all(path, delim, 1, &slow);
	if (fast.len != slow.len ||
	    (fast.len && memcmp(fast.data, slow.data, fast.len) != 0))
		abort();
	buf_release(&fast);
	buf_release(&slow);
	unlink(path);
	return 0;
}

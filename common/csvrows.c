/*
 * Rows of a CSV file by their first line: see csvrows.h.
 */
#include <string.h>

#include "csvrows.h"
#include "input.h"
#include "lines.h"

/* The longest line read whole, as the stages read theirs. */
#define MAX_LINE ((size_t)64 << 20)

static size_t
quotes(const char *s, size_t n)
{
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		k += s[i] == '"';
	return k;
}

int
csvrows_copy(const char *path, const unsigned long long *lines, size_t n,
    FILE *out, unsigned long long *copied, struct buf *why)
{
	struct input in;
	struct lines lr;
	enum lines_status st;
	const char *l;
	size_t len, want = 0, q = 0;
	int header = 1, copy = 0, inside = 0, rc = 0;

	*copied = 0;
	if (input_open(&in, path) != INPUT_OK) {
		buf_printf(why, "%s", in.errmsg);
		return -1;
	}
	lines_init(&lr, &in, MAX_LINE);
	while ((st = lines_next(&lr, &l, &len)) == LINES_OK ||
	       st == LINES_TOOLONG) {
		if (!inside) {
			/* A row starts here: is it one to copy? */
			while (want < n && lines[want] < lr.lineno)
				want++;
			copy =
			    (header && len > 0 && !(len == 1 && *l == '\r')) ||
			    (!header && want < n && lines[want] == lr.lineno);
			if (copy && !header)
				(*copied)++;
			if (copy)
				header = 0;
			q = 0;
		}
		q += quotes(l, len);
		inside = q % 2 == 1;
		if (copy &&
		    (fwrite(l, 1, len, out) != len || putc('\n', out) == EOF)) {
			buf_printf(why, "cannot write the rows");
			rc = -1;
			break;
		}
	}
	if (st == LINES_ERROR) {
		buf_printf(why, "%s", in.errmsg);
		rc = -1;
	}
	lines_release(&lr);
	input_close(&in);
	return rc;
}

/*
 * Fuzz target: a vendor file's shape (common/shaper) and the rows it
 * shapes. The input is a shape, a NUL byte, then rows, one a line. Loading
 * never crashes and says why it refused; a shape it takes shapes every row
 * that is a JSON object, from the row's tree and, when the line is
 * canonical, from its index, to the same bytes, and what it writes is one
 * canonical JSON object (jdoc.h) with a final newline, unless the row holds a
 * real ("line":1.2), which jdoc never takes and the shape may copy as it is.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jdoc.h"
#include "rules.h"
#include "shaper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

/* Whether v is or holds a real. */
static int
has_real(const json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_real(v))
		return 1;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, x)
		{
			if (has_real(x))
				return 1;
		}
	}
	json_array_foreach(v, i, x)
	{
		if (has_real(x))
			return 1;
	}
	return 0;
}

static void
shape_line(struct shaper *s, const char *line, size_t len, struct jdoc *d)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	enum shaper_result ra, rb;
	json_t *rec = json_loadb(line, len, 0, NULL);

	if (!json_is_object(rec))
		goto out;
	rb = shaper_tree(s, rec, &b);
	if (rb == SHAPER_OUT && !has_real(rec)) {
		if (b.len == 0 || b.data[b.len - 1] != '\n' ||
		    jdoc_parse(d, b.data, b.len - 1) != 0)
			abort(); /* not one canonical object */
	}
	if (jdoc_parse(d, line, len) == 0) {
		ra = shaper_doc(s, d, &a);
		if (ra != rb ||
		    (ra == SHAPER_OUT &&
		        (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)))
			abort(); /* the fast path wrote something else */
	}
out:
	json_decref(rec);
	buf_release(&a);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *text = (const char *)data, *nul = memchr(data, 0, n);
	const char *p, *end = text + n, *eol;
	struct buf err = BUF_INIT;
	struct shaper s;
	json_t *root;
	struct jdoc d;

	if (nul == NULL)
		return 0;
	root = json_loadb(text, (size_t)(nul - text), 0, NULL);
	if (root == NULL)
		return 0;
	if (shaper_load(&s, json_object_get(root, "shape"),
	        json_object_get(root, "defaults"), rules_table, &err) == 0) {
		jdoc_init(&d);
		for (p = nul + 1; p < end; p = eol + 1) {
			eol = memchr(p, '\n', (size_t)(end - p));
			if (eol == NULL)
				eol = end;
			shape_line(&s, p, (size_t)(eol - p), &d);
		}
		jdoc_release(&d);
	} else if (err.len == 0) {
		abort(); /* refused without saying why */
	}
	shaper_release(&s);
	json_decref(root);
	buf_release(&err);
	return 0;
}

/*
 * Fuzz target: a data dictionary (common/dictionary) and events checked
 * against it. The input is a dictionary's text, a NUL byte, then event
 * lines. Loading never crashes and says why it refused, at a place
 * (jsonpos) inside the text; a dictionary it takes renders a page, and on
 * every event line that is a canonical object the fast question
 * (dictionary_ok_jdoc) says valid exactly when the checker finds no
 * violation, and the checker's omits leave an object.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dictionary.h"
#include "dictpage.h"
#include "jdoc.h"
#include "jsonpos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
check_line(
    const struct dictionary *d, struct jdoc *doc, const char *line, size_t len)
{
	json_t *ev = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *viol = json_array();
	size_t nviol;

	if (!json_is_object(ev))
		goto out;
	dictionary_check(d, ev, viol, 0);
	nviol = json_array_size(viol);
	if (jdoc_parse(doc, line, len) == 0 &&
	    dictionary_ok_jdoc(d, doc) != (nviol == 0))
		abort(); /* the fast path decided otherwise */
	json_array_clear(viol);
	dictionary_check(d, ev, viol, 1);
	if (json_array_size(viol) != nviol || !json_is_object(ev))
		abort();
out:
	json_decref(ev);
	json_decref(viol);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *text = (const char *)data, *nul = memchr(data, 0, n);
	size_t dlen = nul ? (size_t)(nul - text) : n, i, start;
	struct buf why = BUF_INIT, page = BUF_INIT;
	struct dictionary *d = dictionary_loadb("f", text, dlen, &why);
	struct jsonpos pos;
	struct jdoc doc;

	jsonpos_find(text, dlen, "/events/a/properties/b", 1, &pos);
	if (pos.off > dlen)
		abort();
	if (d == NULL) {
		if (why.len < 2 || strncmp(why.data, "f:", 2) != 0)
			abort(); /* refused without saying where */
		goto out;
	}
	dictpage_render(d, &page);
	jdoc_init(&doc);
	for (start = i = dlen + 1; nul && i <= n; i++)
		if (i == n || text[i] == '\n') {
			check_line(d, &doc, text + start, i - start);
			start = i + 1;
		}
	jdoc_release(&doc);
out:
	dictionary_free(d);
	buf_release(&why);
	buf_release(&page);
	return 0;
}

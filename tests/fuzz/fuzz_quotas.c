/*
 * Fuzz target: a quota sample's design (common/quotas) and records offered
 * to it (common/qsample). The input is a quotas file's text, a NUL byte,
 * then record lines. Loading never crashes and says why it refused, at a
 * place inside the text; with a design it takes, every line that is a JSON
 * object is offered, and where the line is canonical the fast path's id
 * and cell key are the tree's (or it leaves the line to the tree).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jdoc.h"
#include "qsample.h"
#include "quotas.h"
#include "sipkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
pushed(struct qsample_member *m, void *ctx)
{
	(void)m;
	(void)ctx;
}

static void
offer_line(struct qsample *s, struct jdoc *doc, const char *line, size_t len,
    struct buf *why, struct buf *id, struct buf *cell)
{
	json_t *rec = json_loadb(line, len, JSON_ALLOW_NUL, NULL);

	if (!json_is_object(rec))
		goto out;
	if (jdoc_parse(doc, line, len) == 0 &&
	    qsample_doc_key(s, doc, "id") == 0) {
		buf_reset(id);
		buf_add(id, s->id.data, s->id.len);
		buf_reset(cell);
		buf_add(cell, s->cellkey.data, s->cellkey.len);
		if (qsample_tree_key(s, rec, "id", why) != 0 ||
		    s->id.len != id->len || s->cellkey.len != cell->len ||
		    (id->len && memcmp(s->id.data, id->data, id->len)) ||
		    (cell->len &&
		        memcmp(s->cellkey.data, cell->data, cell->len)))
			abort(); /* the fast path decided otherwise */
	}
	if (qsample_tree_key(s, rec, "id", why) == 0)
		qsample_offer(s, s->text.data, s->text.len, "-", 1);
out:
	json_decref(rec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, 0, n);
	size_t qlen = nul ? (size_t)(nul - text) : n;
	struct buf why = BUF_INIT, id = BUF_INIT, cell = BUF_INIT;
	struct quotas q;
	struct sipkey k;
	struct qsample s;
	struct jdoc doc;
	unsigned long line, col;
	size_t c, cnt;

	if (quotas_parse(&q, text, qlen, &why, &line, &col) != 0) {
		if (!why.data || line == 0 || col == 0)
			abort(); /* a refusal must say why and where */
		goto out;
	}
	if (q.total > 100000)
		goto out; /* heaps grow as members come: fine, but slow */
	if (sipkey_init(&k, "fuzz", 4) < 0)
		abort();
	qsample_init(&s, &q, &k, 0, pushed, NULL);
	qsample_start(&s);
	jdoc_init(&doc);
	if (nul) {
		const char *p = nul + 1, *end = text + n;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

			offer_line(&s, &doc, p, len, &why, &id, &cell);
			p += len + 1;
		}
	}
	for (c = 0; c < q.ncells; c++)
		free(qsample_cell(&s, c, &cnt));
	jdoc_release(&doc);
	qsample_release(&s);
	sipkey_release(&k);
out:
	quotas_release(&q);
	buf_release(&why);
	buf_release(&id);
	buf_release(&cell);
	return 0;
}

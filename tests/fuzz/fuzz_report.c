/*
 * Fuzz target: what the report writer makes of text it did not write: an
 * import's summary read back (runsum) and its report written (runreport)
 * from it, a reason's pattern (rejgroup), masking (mask) and HTML escaping
 * (html), on any bytes. None may crash or read past the text; the page
 * never holds a tag the bytes brought ("<script" or "<img"), escaped text
 * never a '<' or a '"', and masking keeps valid UTF-8 valid. The inbox's
 * reading of an import (inboxfile) too: the numbers of the summary an
 * object with every key, a run folder found lying inside the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "inboxfile.h"
#include "mask.h"
#include "rejgroup.h"
#include "runreport.h"
#include "runsum.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
valid_stays_valid(const char *s, size_t n, int row)
{
	struct buf b = BUF_INIT;
	int valid = utf8_valid_prefix(s, n) == n;

	(void)(row ? mask_row(s, n, &b) : mask_text(s, n, &b));
	if (valid && b.len && utf8_valid_prefix(b.data, b.len) != b.len)
		abort();
	buf_release(&b);
}

static void
report(const char *s, size_t n)
{
	struct runsum sum;
	struct rejgroups rg;
	struct runreport r = {0};
	struct buf page = BUF_INIT;

	runsum_init(&sum);
	if (runsum_parse(&sum, s, n) < 0) {
		runsum_release(&sum);
		return;
	}
	rejgroups_init(&rg);
	rejgroups_add(&rg, "stage", s, s, 1, s, n);
	rejgroups_finish(&rg);
	r.sum = &sum;
	r.rej = &rg;
	r.run = "/run";
	r.resend = s;
	if (runreport_write(&r, &page) < 0 || strstr(page.data, "<script") ||
	    strstr(page.data, "<img"))
		abort();
	buf_release(&page);
	rejgroups_release(&rg);
	runsum_release(&sum);
}

/* On the bytes as given (no NUL after them), so a read past them shows. */
static void
inbox(const char *d, size_t n)
{
	struct runsum sum;
	struct buf run = BUF_INIT;
	json_t *o;

	runsum_init(&sum);
	o = inboxfile_numbers(runsum_parse(&sum, d, n) == 0 ? &sum : NULL);
	if (!json_is_object(o) || json_object_size(o) != 7)
		abort();
	json_decref(o);
	runsum_release(&sum);
	if (inboxfile_run_dir(d, n, &run) == 0 && run.len > n)
		abort();
	buf_release(&run);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	struct buf b = BUF_INIT;

	memcpy(s, data, n);
	s[n] = '\0';
	report(s, n);
	inbox((const char *)data, n);
	valid_stays_valid(s, n, 0);
	valid_stays_valid(s, n, 1);
	rejgroups_pattern(s, &b);
	buf_reset(&b);
	html_text(&b, s, n);
	if (b.len && (memchr(b.data, '<', b.len) || memchr(b.data, '"', b.len)))
		abort();
	buf_release(&b);
	free(s);
	return 0;
}

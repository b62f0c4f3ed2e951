/*
 * Fuzz target: post-mail's parsers of data it is given, common/mailing.
 * The input is a template's text, a NUL byte, then a mailing file's text.
 * template_vars() never crashes and names only what lies between braces;
 * a mailing file is loaded (through a temporary file, as the stage reads
 * one) and refused with a reason, or taken: then a record made of the
 * template's variables is asked whether it is unsubscribed, and its
 * replacement data made.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mailing.h"
#include "sesmail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
try_mailing(const uint8_t *p, size_t n, json_t *vars)
{
	char path[] = "/tmp/fuzz-mailing.XXXXXX";
	struct mailing m;
	struct sesmail s;
	struct buf err = BUF_INIT;
	json_t *rec = json_object(), *d;
	const json_t *v;
	size_t i;
	int fd = mkstemp(path);

	if (fd < 0)
		return;
	if (write(fd, p, n) != (ssize_t)n) {
		close(fd);
		unlink(path);
		return;
	}
	close(fd);
	sesmail_init(&s);
	json_array_foreach(vars, i, v)
	{
		json_array_append(s.vars, (json_t *)v);
		if (i % 2)
			json_object_set_new(
			    rec, json_string_value(v), json_string("x"));
	}
	if (mailing_load(&m, path, &err) == 0) {
		(void)mailing_unsubscribed(&m, rec);
		d = sesmail_data(&s, &m, rec, &err);
		json_decref(d);
	} else if (err.len == 0) {
		abort(); /* a refusal always says why */
	}
	mailing_release(&m);
	sesmail_release(&s);
	json_decref(rec);
	buf_release(&err);
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const uint8_t *nul = memchr(data, 0, n);
	size_t tn = nul ? (size_t)(nul - data) : n;
	char *text = malloc(tn + 1);
	json_t *vars = json_array();
	const json_t *v;
	size_t i;

	memcpy(text, data, tn);
	text[tn] = '\0';
	template_vars(text, vars);
	json_array_foreach(vars, i, v)
	{
		if (strstr(text, json_string_value(v)) == NULL)
			abort(); /* a variable is a part of the text */
	}
	if (nul)
		try_mailing(nul + 1, n - tn - 1, vars);
	json_decref(vars);
	free(text);
	return 0;
}

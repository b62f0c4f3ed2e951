/*
 * Fuzz target: the one-value rules of rules/values.c and every function of
 * the table a vendor file calls (rules/rules.h), on any bytes. None may
 * crash or read past the value; slug keeps the value's length and never
 * leaves a space; a real date has a digit; a mobile worth sending has more
 * than nine characters; a function of the table gives a value of a type
 * it may give, and warnings that are valid UTF-8 when the value is.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "utf8.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
check_table(const char *s, size_t len)
{
	struct rulefn_value out[8];
	const struct rulefn *f;
	struct buf why = BUF_INIT;
	size_t i;
	int valid = utf8_valid_prefix(s, len) == len;

	memset(out, 0, sizeof(out));
	for (i = 0; i < 8; i++)
		buf_init(&out[i].s, BUF_UNLIMITED);
	for (f = rules_table; f->name; f++) {
		buf_reset(&why);
		f->call(s, f->arg ? "x" : NULL, out, &why);
		if (f->test && out[0].type != RULEFN_BOOL)
			abort();
		if (valid && why.len &&
		    utf8_valid_prefix(why.data, why.len) != why.len)
			abort();
	}
	for (i = 0; i < 8; i++)
		buf_release(&out[i].s);
	buf_release(&why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1), *half;
	struct buf b = BUF_INIT;
	size_t len, i;

	memcpy(s, data, n);
	s[n] = '\0';
	len = strlen(s);
	slug(s, &b);
	if (b.len != len || memchr(b.data, ' ', b.len))
		abort();
	if (real_date(s) && strpbrk(s, "0123456789") == NULL)
		abort();
	if (mobile_valid(s) && len < 10)
		abort();
	yes_no(s);
	half = s + len / 2;
	if (contains(s, half) != 1 || contains_ci(s, half) != 1)
		abort(); /* a string holds its own second half */
	for (i = 0; i < len; i++) {
		if (contains(s, s + i) != 1)
			abort();
	}
	check_table(s, len);
	buf_release(&b);
	free(s);
	return 0;
}

/* Unit tests for common/esregex: the translation, refusals, UTF-8. */
#include "esregex.h"
#include "harness.h"

/* 1 match, 0 no match, -1 refused. */
static int
m(const char *pattern, const char *subject)
{
	struct esregex r;
	char msg[200];
	int rc;

	if (esregex_compile(&r, pattern, strlen(pattern), msg, sizeof(msg)) < 0)
		return -1;
	rc = esregex_match(&r, subject, strlen(subject));
	esregex_free(&r);
	return rc;
}

static const char *
refusal(const char *pattern)
{
	static char msg[200];
	struct esregex r;

	if (esregex_compile(&r, pattern, strlen(pattern), msg, sizeof(msg)) ==
	    0) {
		esregex_free(&r);
		return "(accepted)";
	}
	return msg;
}

TEST(literals_and_anchors)
{
	CHECK(m("abc", "xxabcxx") == 1);
	CHECK(m("^abc$", "xxabcxx") == 0);
	CHECK(m("^abc$", "abc") == 1);
	CHECK(m("a\\.b", "a.b") == 1);
	CHECK(m("a\\.b", "axb") == 0);
	CHECK(m("a\\/b\\-c", "a/b-c") == 1);
	CHECK(m("\\(\\)\\[\\]\\{\\}\\*\\+\\?\\|\\^\\$\\\\", "()[]{}*+?|^$\\") ==
	      1);
	CHECK(m("", "anything") == 1);
	CHECK(m("a{,2}", "a{,2}") == 1); /* not a quantifier: literal */
	CHECK(m("a{x}", "a{x}") == 1);
	CHECK(m("}]", "}]") == 1);
	CHECK(m("\\x41\\u00e9", "A\xc3\xa9") == 1);
	CHECK(m("\\t\\n", "\t\n") == 1);
	/* $ is the end of the string, not before a final newline. */
	CHECK(m("a$", "a\n") == 0);
}

TEST(classes_and_escapes)
{
	CHECK(m("^\\d+$", "0123") == 1);
	CHECK(m("^\\d+$", "12a") == 0);
	CHECK(m("^\\D$", "a") == 1);
	CHECK(m("^\\D$", "1") == 0);
	CHECK(m("^\\w+$", "a_Z9") == 1);
	CHECK(m("^\\w$", "\xc3\xa9") == 0); /* \w is ASCII */
	CHECK(m("^\\W$", "-") == 1);
	CHECK(m("^\\s$", " ") == 1);
	CHECK(m("^\\s$", "\xc2\xa0") == 1);     /* no-break space */
	CHECK(m("^\\s$", "\xe2\x80\xa8") == 1); /* line separator */
	CHECK(m("^\\s$", "\xef\xbb\xbf") == 1); /* BOM */
	CHECK(m("^\\S$", "\xc2\xa0") == 0);
	CHECK(m("^\\S$", "x") == 1);
	CHECK(m("^[a-c]+$", "abcab") == 1);
	CHECK(m("^[^a-c]$", "d") == 1);
	CHECK(m("^[^a-c]$", "b") == 0);
	CHECK(m("^[\\d_]+$", "1_2") == 1);
	CHECK(m("^[\\w.-]+$", "a.b-c") == 1);
	CHECK(m("^[\\s]$", "\t") == 1);
	CHECK(m("^[\\]]$", "]") == 1);
	CHECK(m("^[\\\\]$", "\\") == 1);
	CHECK(m("^[\\-a]+$", "-a") == 1);
	CHECK(m("^[\\^]$", "^") == 1);
	CHECK(m("^[\\^]$", "a") == 0);
	CHECK(m("^[\\^-]+$", "^-") == 1);
	CHECK(m("^[[]$", "[") == 1);
	CHECK(m("^[+--]+$", "+,-") == 1); /* a range ending in "-" */
	CHECK(m("^[\\]-a]+$", "]^_`a") == 1);
	CHECK(m("^[\\]-a]$", "b") == 0);
	CHECK(m("^[.]$", "x") == 0);
	CHECK(m("^[\\b]$", "\b") == 1);
	CHECK(m("^[*+?{}()|$]+$", "*+?{}()|$") == 1);
	/* \D \W \S inside a class: alternatives. */
	CHECK(m("^[\\s\\S]+$", "a \n\xc3\xa9") == 1);
	CHECK(m("^[a\\D]$", "a") == 1);
	CHECK(m("^[a\\D]$", "x") == 1);
	CHECK(m("^[5\\D]$", "5") == 1);
	CHECK(m("^[5\\D]$", "4") == 0);
	CHECK(m("^[\\W\\d]{2}$", "-7") == 1);
	CHECK(m("^[\\W\\d]$", "a") == 0);
	CHECK(m("^[\\S]$", " ") == 0);
}

TEST(utf8_characters)
{
	/* "." and classes take whole characters, not bytes. */
	CHECK(m("^.$", "\xc3\xa9") == 1);
	CHECK(m("^.$", "\xf0\x9f\x92\xa9") == 1);
	CHECK(m("^..$", "\xc3\xa9") == 0);
	CHECK(m("^[^a]$", "\xe6\xbc\xa2") == 1);
	CHECK(m("^[\xc3\xa0-\xc3\xbf]$", "\xc3\xa9") == 1);
	CHECK(m("^[\xc3\xa0-\xc3\xbf]$", "\xc4\x80") == 0);
	CHECK(m("^[\\u0100-\\u017f]+$", "\xc4\x80\xc5\xbf") == 1);
	CHECK(m("^\xc3\xa1", "\xc3\xa1rbol") == 1);
	/* A quantifier after a non-ASCII character takes all of it, also
	 * on an ASCII subject (matched under the C locale). */
	CHECK(m("^\xc3\xa9?$", "") == 1);
	CHECK(m("^\xc3\xa9?$", "\xc3\xa9") == 1);
	CHECK(m("^\xc3\xa9*x$", "\xc3\xa9\xc3\xa9x") == 1);
	CHECK(m("^\\u00e9+$", "\xc3\xa9\xc3\xa9") == 1);
	CHECK(m("^a\xc3\xa9{0,2}b$", "ab") == 1);
	/* A range across the ASCII boundary, and one too large to list. */
	CHECK(m("^[x-\\u00ff]+$", "xyz\x7f\xc2\x80\xc3\xbf") == 1);
	CHECK(m("^[x-\\u00ff]$", "w") == 0);
	CHECK(m("^[^x-\\u00ff]$", "\xc4\x80") == 1);
	CHECK(strstr(refusal("[\\u4e00-\\u9fff]"), "non-ASCII") != NULL);
	CHECK(m("^.{3}$", "\xe6\xbc\xa2\xe5\xad\x97!") == 1);
	/* "." is not a line terminator; [^...] may be one. */
	CHECK(m("^.$", "\n") == 0);
	CHECK(m("^.$", "\r") == 0);
	CHECK(m("^.$", "\xe2\x80\xa9") == 0);
	CHECK(m("^[^a]$", "\n") == 1);
}

TEST(groups_and_quantifiers)
{
	CHECK(m("^(ab)+$", "ababab") == 1);
	CHECK(m("^(?:ab)+$", "abab") == 1);
	CHECK(m("^(?:ab)+$", "aba") == 0);
	CHECK(m("^(a|bc)$", "bc") == 1);
	CHECK(m("^(|a)$", "") == 1);
	CHECK(m("^a{2}$", "aa") == 1);
	CHECK(m("^a{2}$", "aaa") == 0);
	CHECK(m("^a{2,}$", "aaaa") == 1);
	CHECK(m("^a{2,3}$", "aaaa") == 0);
	CHECK(m("^a?b*c+$", "c") == 1);
	CHECK(m("^(a|b)*c$", "ababc") == 1);
	CHECK(m("^[0-9]{4}-[0-9]{2}$", "2026-11") == 1);
}

TEST(refusals)
{
	CHECK(strstr(refusal("(?=a)"), "lookahead") != NULL);
	CHECK(strstr(refusal("(?!a)"), "lookahead") != NULL);
	CHECK(strstr(refusal("(?<=a)b"), "lookbehind") != NULL);
	CHECK(strstr(refusal("(?<!a)b"), "lookbehind") != NULL);
	CHECK(strstr(refusal("(?<n>a)"), "named group") != NULL);
	CHECK(strstr(refusal("(a)\\1"), "back-reference") != NULL);
	CHECK(strstr(refusal("\\k<n>"), "back-reference") != NULL);
	CHECK(strstr(refusal("a*?"), "lazy") != NULL);
	CHECK(strstr(refusal("a+?"), "lazy") != NULL);
	CHECK(strstr(refusal("a{2}?"), "lazy") != NULL);
	CHECK(strstr(refusal("\\bword"), "\\b") != NULL);
	CHECK(strstr(refusal("\\B"), "\\B") != NULL);
	CHECK(strstr(refusal("\\p{L}"), "property") != NULL);
	CHECK(strstr(refusal("\\P{L}"), "property") != NULL);
	CHECK(strstr(refusal("\\Z"), "unknown escape") != NULL);
	CHECK(strstr(refusal("*a"), "nothing to repeat") != NULL);
	CHECK(strstr(refusal("(+a)"), "nothing to repeat") != NULL);
	CHECK(strstr(refusal("a|*"), "nothing to repeat") != NULL);
	CHECK(strstr(refusal("^*"), "nothing to repeat") != NULL);
	CHECK(strstr(refusal("a**"), "after a quantifier") != NULL);
	CHECK(strstr(refusal("a{300}"), "bound") != NULL);
	CHECK(strstr(refusal("a{3,2}"), "out of order") != NULL);
	CHECK(strstr(refusal("[z-a]"), "out of order") != NULL);
	CHECK(strstr(refusal("[^\\D]"), "negated class") != NULL);
	CHECK(strstr(refusal("[^a\\s\\S]"), "negated class") != NULL);
	CHECK(strstr(refusal("[\\d-z]"), "class escape") != NULL);
	CHECK(strstr(refusal("[]"), "empty class") != NULL);
	CHECK(strstr(refusal("[^]"), "[^]") != NULL);
	CHECK(strstr(refusal("[abc"), "not closed") != NULL);
	CHECK(strstr(refusal("(ab"), "not closed") != NULL);
	CHECK(strstr(refusal("ab)"), "unmatched") != NULL);
	CHECK(strstr(refusal("ab\\"), "backslash") != NULL);
	CHECK(strstr(refusal("\\x4"), "hex") != NULL);
	CHECK(strstr(refusal("\\u00"), "hex") != NULL);
	CHECK(strstr(refusal("\\0"), "NUL") != NULL);
	CHECK(strstr(refusal("\\cA"), "control") != NULL);
	CHECK(strstr(refusal("\\ud800"), "surrogate") != NULL);
	/* The offset of the feature is named. */
	CHECK_STR(
	    refusal("abc(?=x)"), "lookahead is not supported (at offset 3)");
}

TEST(translation)
{
	struct buf b = BUF_INIT;
	char msg[200];

	CHECK(esregex_translate("\\d(?:a|b)", 9, &b, msg, sizeof(msg)) == 0);
	CHECK_STR(b.data, "[0-9](a|b)");
	buf_reset(&b);
	CHECK(esregex_translate("[\\]a^-]", 7, &b, msg, sizeof(msg)) == 0);
	CHECK_STR(b.data, "[]a^-]");
	buf_reset(&b);
	CHECK(esregex_translate("a{,1}", 5, &b, msg, sizeof(msg)) == 0);
	CHECK_STR(b.data, "a\\{,1\\}");
	buf_release(&b);
}

TEST(subject_not_terminated)
{
	struct esregex r;
	char msg[200];

	CHECK(esregex_compile(&r, "^ab$", 4, msg, sizeof(msg)) == 0);
	/* REG_STARTEND: only the n bytes count. */
	CHECK(esregex_match(&r, "abc", 2) == 1);
	CHECK(esregex_match(&r, "abc", 3) == 0);
	esregex_free(&r);
}

int
main(void)
{
	RUN(literals_and_anchors);
	RUN(classes_and_escapes);
	RUN(utf8_characters);
	RUN(groups_and_quantifiers);
	RUN(refusals);
	RUN(translation);
	RUN(subject_not_terminated);
	return harness_done();
}

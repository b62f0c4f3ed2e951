/*
 * esregex: the ECMAScript regular expressions a JSON Schema "pattern" may
 * hold, within a subset, translated into POSIX extended expressions and
 * run by the C library's regcomp(3)/regexec(3).
 *
 * Why translate rather than write an engine: the C library's matcher is
 * well kept, well tested and safe on hostile input (glibc's is a DFA where
 * it can be, with no exponential backtracking for the features we admit),
 * and every feature of the subset has a POSIX equivalent with the same
 * yes-or-no answer. What has none (lookaround, back-references, lazy
 * quantifiers, \b, named groups, Unicode property escapes) is exactly what
 * the subset refuses, at compile time, never silently approximated.
 *
 * The subset: literal characters and escapes (\. \* \/ ..., \t \n \r \f \v,
 * \xHH, \uHHHH), ".", classes [...] and [^...] with ranges and the escapes
 * \d \w \s inside them (and \D \W \S inside a class that is not negated,
 * as in [\s\S]), \d \D \w \W \s \S outside, the anchors ^ and $,
 * groups (...) and (?:...), alternation |, and the greedy quantifiers
 * * + ? {n} {n,} {n,m} (a "{" that starts no quantifier is a literal, as
 * ECMAScript's web reading says). \w and \d are ASCII, as in ECMAScript;
 * \s is ECMAScript's white space and line terminators; "." is any
 * character but the line terminators \n \r U+2028 U+2029.
 *
 * Characters are Unicode code points, not bytes: the expression is
 * compiled and run under the C.UTF-8 locale (through newlocale and
 * uselocale, so the program's own locale is never changed), which makes
 * "." and [^...] take one whole UTF-8 character and lets a class hold
 * ranges of non-ASCII characters in code point order. Subjects must be
 * valid UTF-8 (JSON strings are). One limit of the C matcher: a subject
 * holding a NUL character (\u0000) is matched by "." and classes
 * only where they do not meet the NUL itself.
 *
 * Speed: matching under a multibyte locale costs the C matcher a
 * conversion of the subject to wide characters. A subject of ASCII alone
 * (the common case: ids, codes, paths) is matched by the same expression
 * compiled under the C locale instead, which answers alike: the
 * expression's non-ASCII characters, as bytes, can never meet an ASCII
 * subject, and every range with a non-ASCII end is listed out.
 *
 * A pattern matches anywhere in the subject unless anchored, as JSON
 * Schema says. A compiled expression is read-only; any number of threads
 * may match with it at once.
 */
#ifndef ESREGEX_H
#define ESREGEX_H

#include <regex.h>
#include <stddef.h>

#include "buf.h"

struct esregex {
	regex_t re;    /* compiled under C.UTF-8 */
	regex_t ascii; /* the same expression under C, for ASCII subjects */
	int compiled;
};

/*
 * Translates the n bytes of an ECMAScript pattern into a POSIX extended
 * expression, appended to out. Returns 0, or -1 with a message in words in
 * msg (msgsz bytes, NUL-terminated) naming the feature and its offset.
 */
int esregex_translate(
    const char *src, size_t n, struct buf *out, char *msg, size_t msgsz);

/*
 * Translates and compiles a pattern into r. Returns 0, or -1 with a message
 * in msg (r then holds nothing to free).
 */
int esregex_compile(
    struct esregex *r, const char *src, size_t n, char *msg, size_t msgsz);

/*
 * 1 when the pattern matches somewhere in the n bytes of s, else 0. The C
 * library reads only those n bytes (REG_STARTEND); the sanitizers' regexec
 * reads on to a NUL, so under them s must lie in a buffer that has one
 * (jansson's strings and struct buf's all do).
 */
int esregex_match(const struct esregex *r, const char *s, size_t n);

/* Frees what r holds; r may be all zeros. */
void esregex_free(struct esregex *r);

#endif

/*
 * The shape of a named function that a vendor file calls: what it gets,
 * what it gives back. The functions themselves are vendor rules and live
 * in rules/ (rules.h has their table); this header is in common/ so that
 * the plumbing which interprets a vendor file (shaper.h) knows what a
 * function looks like, never what one does.
 *
 * A function gets one value of the row (a string) and, when it takes one,
 * the argument the vendor file gives it; it gives back one value, or a
 * parser gives back several named pieces (a referral code's user,
 * campaign, source...). A value may be absent: a piece the code does not
 * have, a mobile that is not worth sending.
 */
#ifndef RULEFN_H
#define RULEFN_H

#include "buf.h"

enum rulefn_type {
	RULEFN_ABSENT, /* no value: the next choice of a field is tried */
	RULEFN_NULL,
	RULEFN_STRING,
	RULEFN_INT,
	RULEFN_BOOL
};

struct rulefn_value {
	enum rulefn_type type;
	struct buf s; /* RULEFN_STRING: the text, NUL-terminated (owned,
	                 reused from call to call) */
	long long i;  /* RULEFN_INT; RULEFN_BOOL: 0 or 1 */
};

struct rulefn {
	const char *name;  /* as a vendor file writes it: "referral_code" */
	const char *about; /* one line, for messages and the README */
	/* A parser's pieces, ending with NULL; NULL for a function of one
	 * value. */
	const char *const *pieces;
	int arg;  /* takes an argument ("contains": the text looked for) */
	int test; /* gives yes or no: may be a drop rule's "if" */
	/*
	 * Sets out[0] (or out[0..npieces-1], in the order of pieces) from s,
	 * a NUL-terminated value, and arg (NULL unless the function takes
	 * one). Appends to why, after "; " when why is not empty, what it
	 * set aside and why ("referral code user 'x' is not a Northstar id;
	 * not used"), for the record's _meta.warning.
	 */
	void (*call)(const char *s, const char *arg, struct rulefn_value *out,
	    struct buf *why);
};

static inline void
rulefn_absent(struct rulefn_value *v)
{
	v->type = RULEFN_ABSENT;
}

static inline void
rulefn_bool(struct rulefn_value *v, int b)
{
	v->type = RULEFN_BOOL;
	v->i = b != 0;
}

static inline void
rulefn_int(struct rulefn_value *v, long long i)
{
	v->type = RULEFN_INT;
	v->i = i;
}

/* Sets a string value of n bytes at s (copied). */
static inline void
rulefn_string(struct rulefn_value *v, const char *s, size_t n)
{
	v->type = RULEFN_STRING;
	buf_reset(&v->s);
	buf_add(&v->s, s, n);
}

#endif

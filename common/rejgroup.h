/*
 * The rejects of a run grouped by their reason, for a report that stays
 * small however many records were rejected: one group per stage and
 * reason pattern, its count, its most frequent reasons in full, and its
 * first few records as examples.
 *
 * A reason's pattern is the reason with its values taken out: the text
 * inside double quotes, the numbers, and the words holding an '@' or five
 * digits or more, become "…". So 'no rule of the map matches
 * status="moved-away"' and '... status="REGISTERED"' are one group, with
 * two reasons in it, and so are 'record has 7 fields' and 'record has 3
 * fields'.
 *
 * Everything a group keeps of a record passes through mask_text() (the
 * reasons, which quote values) or mask_row() (a raw line that could not be
 * read as a record): no e-mail address or phone number is kept whole.
 * The memory is bounded: at most REJGROUP_MAX_GROUPS groups (past them, a
 * stage's other rejects are counted in one group of the pattern "(other
 * reasons)"), REJGROUP_MAX_VALUES reasons and REJGROUP_MAX_EXAMPLES
 * examples a group, each cut at REJGROUP_MAX_TEXT bytes; and the source
 * line of every reject (8 bytes each), for the rows to send again.
 */
#ifndef REJGROUP_H
#define REJGROUP_H

#include <stddef.h>

#include "buf.h"

#define REJGROUP_MAX_GROUPS 40
#define REJGROUP_MAX_VALUES 10
#define REJGROUP_MAX_EXAMPLES 3
#define REJGROUP_MAX_TEXT 400
#define REJGROUP_OTHER "(other reasons)"

struct rejgroup_value {
	char *reason; /* masked */
	unsigned long long n;
};

struct rejgroup_example {
	char *file;              /* the source file, as the record names it */
	unsigned long long line; /* its line there, or 0 */
	char *reason;            /* masked */
	char *raw;               /* a raw line, masked (mask_row), or NULL */
};

struct rejgroup {
	char *stage, *pattern;
	unsigned long long n;
	struct rejgroup_value values[REJGROUP_MAX_VALUES];
	size_t nvalues;
	unsigned long long other_values; /* rejects of the reasons not kept */
	struct rejgroup_example ex[REJGROUP_MAX_EXAMPLES];
	size_t nex;
	size_t order; /* of the stage's first group: groups stay by stage */
};

struct rejgroups {
	struct rejgroup *g;
	size_t n;
	unsigned long long total;
	unsigned long long *lines; /* the rejects' source lines */
	size_t nlines, caplines;
	size_t nstages; /* stages seen, for the order */
};

void rejgroups_init(struct rejgroups *r);

/* Replaces out's contents with the pattern of reason (see above). */
void rejgroups_pattern(const char *reason, struct buf *out);

/*
 * Counts one reject of stage, for reason, from file (NULL: unknown) at
 * line (0: unknown); raw, when not NULL, is the rejected text itself (n
 * bytes), for a line that was not a record. The strings are copied.
 */
void rejgroups_add(struct rejgroups *r, const char *stage, const char *reason,
    const char *file, unsigned long long line, const char *raw, size_t n);

/*
 * Reads a rejects file ({"stage","reason","file","line","record"} a line,
 * the source file and line taken from the record's _meta when it has one)
 * and counts each reject; a line that is not one counts under the reason
 * "not a reject record". The stage is the record's own, else stage.
 * Returns 0, or -1 when the file cannot be read (why says so; what was
 * read is counted).
 */
int rejgroups_read(
    struct rejgroups *r, const char *path, const char *stage, struct buf *why);

/*
 * Orders what was counted: the groups by stage (as first seen), then by
 * count, largest first, the "(other reasons)" group last; each group's
 * reasons by count; the source lines sorted, each once.
 */
void rejgroups_finish(struct rejgroups *r);

/* Frees everything; r is left empty. */
void rejgroups_release(struct rejgroups *r);

#endif

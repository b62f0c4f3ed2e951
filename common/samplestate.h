/*
 * samplestate: the file a dynamic sample (sample --state) is kept in
 * between runs, written whole or not at all (wholefile.h: a temporary
 * file beside it, synced, renamed into place), so that a run cut short
 * leaves the last run's sample as it was.
 *
 * NDJSON: a first line {"sample_state":1,"check":HEX}, where HEX is the
 * keyed hash (sipkey.h) of a fixed text under the study's key, so that a
 * state made with another seed is refused rather than mixed with this one;
 * then one line a member, {"id":ID,"key":HEX,"cell":{...},"record":{...}}:
 * its id's text, its key, its cell's labels and its record as read when it
 * joined.
 */
#ifndef SAMPLESTATE_H
#define SAMPLESTATE_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "sipkey.h"
#include "wholefile.h"

/* The fixed text whose hash is a state's check. */
#define SAMPLESTATE_CHECK "sluice sample state"

struct samplestate_member {
	const char *id; /* idlen bytes */
	size_t idlen;
	uint64_t key;
	const json_t *cell; /* borrowed */
	const char *record; /* reclen bytes of compact JSON, no newline */
	size_t reclen;
};

/*
 * Reads the state at path, calling each(m, ctx) for every member (m and
 * what it points to borrowed for the call). Returns 0; 1 when there is no
 * such file (an empty sample, nothing called); -1 when it cannot be read
 * (the reason in why); -2 when it is not a state file or is another
 * seed's (the reason in why, the line in *line); or what each returned
 * when not 0 (it stops the reading).
 */
int samplestate_read(const char *path, uint64_t check,
    int (*each)(const struct samplestate_member *m, void *ctx), void *ctx,
    struct buf *why, unsigned long long *line);

struct samplestate_out {
	struct wholefile w;
	struct buf line;
};

/* Starts writing the state at path (its header line). 0, or -1 (w.where
 * and w.err say what failed). */
int samplestate_open(
    struct samplestate_out *o, const char *path, uint64_t check);

/* Appends a member. 0 or -1 (as above). */
int samplestate_add(
    struct samplestate_out *o, const struct samplestate_member *m);

/* Puts the whole file in place: wholefile_commit()'s 0, -1 or -2. */
int samplestate_commit(struct samplestate_out *o);

/* Frees; a state not committed is removed, the old one left as it was. */
void samplestate_release(struct samplestate_out *o);

#endif

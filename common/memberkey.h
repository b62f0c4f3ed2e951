/*
 * The keys a record names its member by (an id, an e-mail, a mobile), held
 * in a keylock (keylock.h) while the record is in flight: two records that
 * could be the same member are never in flight together, so a lookup
 * followed by a create never makes the member twice.
 *
 * The values are normalised as the member service compares them
 * (Northstar does so), so that two records that write the same member
 * differently still wait for each other: a mobile by its last ten digits
 * ("(212) 254-2390" and "+1 212-254-2390" are one), an id or an e-mail
 * trimmed of white space and lower-cased. Each kind hashes apart from the
 * others, so an id never waits for an e-mail that reads the same.
 * Allocates nothing.
 */
#ifndef MEMBERKEY_H
#define MEMBERKEY_H

#include <stddef.h>

#include "hash128.h"
#include "keylock.h"

#define MEMBERKEY_MAX 3

struct memberkeys {
	struct hash128 keys[MEMBERKEY_MAX];
	size_t n;
	int held; /* taken by memberkeys_take(), not dropped since */
};

/* The key of one value; kind is "id:", "email:" or "mobile:". */
struct hash128 memberkey(const char *kind, const char *v);

/*
 * Sets k to the keys of those of id, email and mobile that are not NULL
 * (borrowed for the call only), not held.
 */
void memberkeys_init(struct memberkeys *k, const char *id, const char *email,
    const char *mobile);

/*
 * Takes all of k's keys in l, or none when any of them is held already
 * (by another record). Returns 1 when taken, else 0. A record that names
 * the same key twice (an id that is also its e-mail) holds it once.
 */
int memberkeys_take(struct memberkeys *k, struct keylock *l);

/* Lets k's keys go in l when k holds them; nothing otherwise. */
void memberkeys_drop(struct memberkeys *k, struct keylock *l);

#endif

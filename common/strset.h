/*
 * A set of strings (open addressing, FNV-1a), for checks like "is this
 * header name taken" that must stay fast with a million names.
 */
#ifndef STRSET_H
#define STRSET_H

#include <stddef.h>

struct strset {
	char **slots; /* cap entries, NULL when free; cap is a power of 2 */
	size_t cap, n;
};

void strset_init(struct strset *s);

/* Adds a copy of str. Returns 1 when added, 0 when it was there already. */
int strset_add(struct strset *s, const char *str);

/* 1 when str is in the set, else 0. */
int strset_has(const struct strset *s, const char *str);

/* Frees the set and its copies. */
void strset_release(struct strset *s);

#endif

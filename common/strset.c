/* A string set; see strset.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "strset.h"

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

void
strset_init(struct strset *s)
{
	s->slots = NULL;
	s->cap = s->n = 0;
}

/* The slot holding str, or the free slot where it would go. */
static size_t
slot_of(char **slots, size_t cap, const char *str)
{
	size_t i = (size_t)fnv1a(str) & (cap - 1);

	while (slots[i] && strcmp(slots[i], str) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static void
grow(struct strset *s)
{
	size_t cap = s->cap ? 2 * s->cap : 64, i;
	char **slots = xcalloc(cap, sizeof(*slots));

	for (i = 0; i < s->cap; i++) {
		if (s->slots[i])
			slots[slot_of(slots, cap, s->slots[i])] = s->slots[i];
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
}

int
strset_has(const struct strset *s, const char *str)
{
	return s->cap && s->slots[slot_of(s->slots, s->cap, str)] != NULL;
}

int
strset_add(struct strset *s, const char *str)
{
	size_t i;

	/* Keep the load under one half so probes stay short. */
	if (2 * (s->n + 1) > s->cap)
		grow(s);
	i = slot_of(s->slots, s->cap, str);
	if (s->slots[i])
		return 0;
	s->slots[i] = xstrdup(str);
	s->n++;
	return 1;
}

void
strset_release(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	strset_init(s);
}

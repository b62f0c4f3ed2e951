/* A record's shard by its member's keys; see shard.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "shard.h"

#define SHARD_FULL ((size_t)UINT32_MAX - 1)

void
shardmap_init(struct shardmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
shardmap_release(struct shardmap *m)
{
	free(m->nodes);
	free(m->table);
	free(m->recs);
	shardmap_init(m);
}

/* Orders keys by lo, then hi: the group's root is its smallest key. */
static int
less(struct hash128 a, struct hash128 b)
{
	return a.lo < b.lo || (a.lo == b.lo && a.hi < b.hi);
}

static size_t
slot_of(const struct shardmap *m, struct hash128 h)
{
	return (size_t)(h.lo ^ (h.hi >> 7)) & (m->captable - 1);
}

/* The table twice as large (16 slots at first), every node put back. */
static void
grow_table(struct shardmap *m)
{
	size_t i, s, cap = m->captable ? m->captable * 2 : 16;

	free(m->table);
	m->table = xcalloc(cap, sizeof(*m->table));
	m->captable = cap;
	for (i = 0; i < m->nnodes; i++) {
		s = slot_of(m, m->nodes[i].key);
		while (m->table[s])
			s = (s + 1) & (cap - 1);
		m->table[s] = (uint32_t)(i + 1);
	}
}

/* The node of key h, made (its own group) when new; SHARD_FULL if full. */
static size_t
node_of(struct shardmap *m, struct hash128 h)
{
	size_t s;

	if (m->captable == 0 || (m->nnodes + 1) * 2 > m->captable)
		grow_table(m);
	for (s = slot_of(m, h); m->table[s]; s = (s + 1) & (m->captable - 1)) {
		if (hash128_eq(m->nodes[m->table[s] - 1].key, h))
			return m->table[s] - 1;
	}
	if (m->nnodes >= SHARD_FULL)
		return SHARD_FULL;
	if (m->nnodes == m->capnodes) {
		m->capnodes = m->capnodes ? m->capnodes * 2 : 16;
		m->nodes = xrealloc(m->nodes, m->capnodes * sizeof(*m->nodes));
	}
	m->nodes[m->nnodes].key = h;
	m->nodes[m->nnodes].parent = (uint32_t)m->nnodes;
	m->table[s] = (uint32_t)(m->nnodes + 1);
	return m->nnodes++;
}

/* The root of node i's group, halving the path on the way. */
static size_t
root_of(struct shardmap *m, size_t i)
{
	while (m->nodes[i].parent != i) {
		m->nodes[i].parent = m->nodes[m->nodes[i].parent].parent;
		i = m->nodes[i].parent;
	}
	return i;
}

/* One group of a's and b's: the smaller key stays the root. */
static void
join(struct shardmap *m, size_t a, size_t b)
{
	a = root_of(m, a);
	b = root_of(m, b);
	if (a == b)
		return;
	if (less(m->nodes[a].key, m->nodes[b].key))
		m->nodes[b].parent = (uint32_t)a;
	else
		m->nodes[a].parent = (uint32_t)b;
}

int
shardmap_add(struct shardmap *m, const struct hash128 *keys, size_t n)
{
	size_t i, first = 0, node;

	if (m->nrecs >= SHARD_FULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((node = node_of(m, keys[i])) == SHARD_FULL)
			return -1;
		if (i == 0)
			first = node;
		else
			join(m, first, node);
	}
	if (m->nrecs == m->caprecs) {
		m->caprecs = m->caprecs ? m->caprecs * 2 : 64;
		m->recs = xrealloc(m->recs, m->caprecs * sizeof(*m->recs));
	}
	m->recs[m->nrecs++] = n ? (uint32_t)(first + 1) : 0;
	return 0;
}

unsigned
shard_of(struct hash128 h, unsigned n)
{
	return 1 + (unsigned)(h.lo % n);
}

unsigned
shardmap_shard(struct shardmap *m, size_t i, unsigned n)
{
	if (i >= m->nrecs || m->recs[i] == 0)
		return 1;
	return shard_of(m->nodes[root_of(m, m->recs[i] - 1)].key, n);
}

/* A decimal number of 1 to 4 digits at *s, moving *s past it; -1 if none. */
static long
number(const char **s)
{
	long v = 0;
	int d = 0;

	while (**s >= '0' && **s <= '9' && d < 5) {
		v = v * 10 + (**s - '0');
		(*s)++;
		d++;
	}
	return d == 0 ? -1 : v;
}

int
shard_parse(const char *s, unsigned *k, unsigned *n)
{
	long a, b;

	if ((a = number(&s)) < 1 || *s++ != '/' || (b = number(&s)) < 1 ||
	    *s != '\0' || a > b || b > SHARD_MAX)
		return -1;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

/*
 * Which of N workers a record belongs to, so that every record of one
 * member goes to one worker: the import split into N shards, each run on
 * its own with ledgers of its own (see the README, "When one machine is
 * not enough").
 *
 * A record names its member by keys: an id, an e-mail, a mobile, as
 * memberkey() hashes them (memberkey.h: normalised as the member service
 * compares them, each kind apart). Two records that share a key are of one
 * group, and so are records joined through others (one shares an e-mail
 * with a second, the second a mobile with a third): the groups are those
 * of a union-find over every key of the input, so all of them must be
 * added before any shard is asked. A group's shard, numbered from 1, is
 *
 *	1 + (m mod N)
 *
 * where m is the smallest low 64 bits (hash128.h's lo) of its keys'
 * hashes: MurmurHash3_x64_128, seed 0, of the kind ("id:", "email:",
 * "mobile:") followed by the normalised value. The same input gives the
 * same shards on every machine. Taking the smallest keeps a group where it
 * was when a later export joins it to another group: the joined group goes
 * where the one with the smaller hash went. A record with no key at all
 * belongs to shard 1, so that exactly one worker sees it.
 *
 * Memory: about 28 bytes a distinct key and 4 a record (keys and records
 * up to 2^32 - 2 each). Allocation failures abort (xrealloc).
 */
#ifndef SHARD_H
#define SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "hash128.h"

/* The most shards a split takes. */
#define SHARD_MAX 1024

struct shardkey {
	struct hash128 key;
	uint32_t parent; /* a node's index; itself for a group's root */
};

struct shardmap {
	struct shardkey *nodes; /* the distinct keys, in the order first seen */
	size_t nnodes, capnodes;
	uint32_t *table; /* open addressing: node index + 1, 0 is free */
	size_t captable;
	uint32_t *recs; /* each record's first key's node + 1, 0: no key */
	size_t nrecs, caprecs;
};

/* An empty map; allocates nothing. */
void shardmap_init(struct shardmap *m);

/* Frees what the map holds; it is empty again. */
void shardmap_release(struct shardmap *m);

/*
 * Adds the next record (numbered from 0 in the order added) with its n
 * keys (borrowed; n may be 0), joining the groups of those keys. Returns
 * 0, or -1 when the map holds 2^32 - 2 keys or records already.
 */
int shardmap_add(struct shardmap *m, const struct hash128 *keys, size_t n);

/*
 * The shard, 1 to n, of record i (added; 0 < n <= SHARD_MAX), as the top
 * says. Ask once every record is added: a later record can join groups.
 */
unsigned shardmap_shard(struct shardmap *m, size_t i, unsigned n);

/* The shard, 1 to n, of a group whose smallest key hash is h. */
unsigned shard_of(struct hash128 h, unsigned n);

/*
 * Parses "K/N" (decimal, 1 <= K <= N <= SHARD_MAX, nothing else) into *k
 * and *n. Returns 0, or -1 when s is not such a pair.
 */
int shard_parse(const char *s, unsigned *k, unsigned *n);

#endif

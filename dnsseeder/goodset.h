/* goodset.h -- the good nodes the seeder serves: per family and service filter, diverse random samples. */
#ifndef AGENTCHAIN_GOODSET_H
#define AGENTCHAIN_GOODSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainparams.h"
#include "netaddr.h"

enum goodset_family {
	GOODSET_V4 = 0,
	GOODSET_V6 = 1,
};

/* Bounds: the set holds at most GOODSET_MAX_NODES addresses per family (a
 * crawl database beyond that is cut, with a log line); a sample has at
 * most GOODSET_MAX_SAMPLE addresses. */
#define GOODSET_MAX_NODES	1000000
#define GOODSET_MAX_SAMPLE	256

/*
 * The per-query random source: a small fast generator (wyrand) seeded from
 * libsodium.  Which nodes are handed out need not be cryptographically
 * unpredictable per query, but the seed must be, so nobody can steer which
 * nodes a victim's resolver is given.
 */
struct goodset_rng {
	uint64_t	state;
};

/* Seed R from libsodium (hash_init must have run). */
void goodset_rng_seed(struct goodset_rng *r);
/* Uniform in [0, N); N must be > 0. */
uint32_t goodset_rng_below(struct goodset_rng *r, uint32_t n);

struct goodset;

/* An empty set.  ALLOW_PRIVATE (regtest) makes every loopback or private
 * address its own netgroup, as netaddr_netgroup_policy does.  Caller frees
 * with goodset_free. */
struct goodset *goodset_new(bool allow_private);
void goodset_free(struct goodset *gs);

/* Add the node at A (port ignored: DNS carries none) with its SERVICES
 * bits and ASN (0 = unknown).  Only before goodset_finish.  Returns 0, or
 * -1 when the family is full. */
int goodset_add(struct goodset *gs, const struct netaddr *a, uint64_t services,
    uint32_t asn);

/* Seal GS after the last goodset_add: drops duplicate addresses and
 * prepares sampling.  Samples may only be drawn after this. */
void goodset_finish(struct goodset *gs);

/* A 64-bit digest of what the sealed set serves (addresses, services,
 * ASNs): equal digests mean the same answers, so the zone's serial need
 * not move. */
uint64_t goodset_digest(const struct goodset *gs);

/* Addresses of FAMILY in the sealed set. */
size_t goodset_size(const struct goodset *gs, enum goodset_family family);

/*
 * Draw up to K (<= GOODSET_MAX_SAMPLE) distinct addresses of FAMILY whose
 * services include every bit of MASK, uniformly at random (a partial
 * Fisher-Yates over a per-filter index array, so no allocation after a
 * filter's first use), preferring at most one address per netgroup and
 * per known ASN: a candidate whose group or ASN is already in the answer
 * is deferred and only used when not enough diverse ones turn up within a
 * bounded number of draws.  OUT receives pointers to the raw addresses (4
 * bytes for V4, 16 for V6), valid until GS is freed.  Returns how many
 * were drawn.  Mutates GS's scratch state: one thread at a time.
 */
size_t goodset_sample(struct goodset *gs, enum goodset_family family,
    uint64_t mask, size_t k, struct goodset_rng *rng, const uint8_t **out);

/*
 * Read the good nodes of PARAMS's network from the crawl database at PATH
 * (read-only, through crawldb_foreach with CRAWLDB_GOOD_ONLY, good judged
 * at NOW) into a new sealed set.  Blocks for as long as SQLite does
 * (bounded by crawldb's busy timeout), so the seeder calls it from a worker
 * thread.  Returns the set (caller frees; ERR is then empty, or holds a
 * warning such as nodes left out beyond GOODSET_MAX_NODES), or NULL with a
 * message naming PATH in ERR when the file is missing, locked, corrupt or
 * of another schema.
 */
struct goodset *goodset_load(const char *path, const struct chainparams *params,
    int64_t now, char *err, size_t errlen);

#endif

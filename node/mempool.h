/* mempool.h -- transactions waiting for a block: bounded in bytes and count, oldest out first.
 *
 * A transaction is an opaque byte string (the chain judges its meaning);
 * its id is double-SHA256 of its bytes.  The pool refuses nothing for its
 * content: it only bounds memory (bytes and count), expires what has
 * waited too long, evicts the oldest to make room, and forgets what a
 * block confirmed. */
#ifndef AGENTCHAIN_MEMPOOL_H
#define AGENTCHAIN_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mempool;

/* Defaults (Bitcoin Core: -maxmempool 300 MB, -mempoolexpiry 336 h). */
#define MEMPOOL_DEFAULT_BYTES	(64u * 1024u * 1024u)
#define MEMPOOL_DEFAULT_COUNT	50000
#define MEMPOOL_DEFAULT_EXPIRY	(14 * 24 * 3600)

struct mempool_opts {
	size_t		max_bytes;	/* 0: default */
	size_t		max_count;	/* 0: default */
	int64_t		expiry;		/* seconds; 0: default */
};

enum mempool_result {
	MEMPOOL_ADDED = 0,
	MEMPOOL_DUPLICATE,	/* already in the pool */
	MEMPOOL_TOO_LARGE,	/* bigger than the whole pool may hold */
};

struct mempool *mempool_new(const struct mempool_opts *o);
void mempool_free(struct mempool *mp);

/* Add LEN bytes of TX (copied), arrived at NOW_MS (wall clock, in
 * milliseconds: what getrawmempool shows and the propagation benchmark
 * times); its id goes into TXID.  Older transactions are evicted while the
 * pool is over a limit. */
enum mempool_result mempool_add(struct mempool *mp, const uint8_t *tx, size_t len, int64_t now_ms,
    uint8_t txid[32]);
bool mempool_has(const struct mempool *mp, const uint8_t txid[32]);
/* The bytes of TXID (borrowed until the pool changes), or NULL. */
const uint8_t *mempool_get(const struct mempool *mp, const uint8_t txid[32], size_t *len);
/* Forget TXID (confirmed in a block).  Returns true if it was there. */
bool mempool_remove(struct mempool *mp, const uint8_t txid[32]);
/* Drop what arrived before NOW_MS (wall milliseconds) - expiry.  Returns
 * how many. */
size_t mempool_expire(struct mempool *mp, int64_t now_ms);

/* Oldest first: call FN for each transaction, with its arrival time in
 * wall milliseconds, until it returns non-zero (which is returned).  The
 * pool must not change during the walk. */
int mempool_foreach(const struct mempool *mp,
    int (*fn)(void *arg, const uint8_t txid[32], const uint8_t *tx, size_t len, int64_t time_ms),
    void *arg);

struct mempool_info {
	size_t		count;
	size_t		bytes;
	size_t		max_bytes;
	size_t		max_count;
	uint64_t	evicted;	/* ever, to make room */
	uint64_t	expired;
};
void mempool_info(const struct mempool *mp, struct mempool_info *out);

#endif

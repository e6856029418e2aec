/* mempool.c -- transactions waiting for a block: bounded in bytes and count, oldest out first.
 *
 * A map by txid for look-ups and a list in arrival order for eviction and
 * expiry: both operations touch the oldest end only. */
#include "mempool.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "hash.h"
#include "map.h"
#include "xmalloc.h"

struct mempool_tx {
	TAILQ_ENTRY(mempool_tx)	 entry;
	uint8_t			 txid[32];
	int64_t			 time_ms;	/* arrival, wall clock */
	size_t			 len;
	uint8_t			*data;
};
TAILQ_HEAD(mempool_list, mempool_tx);

struct mempool {
	struct map		*by_id;		/* txid -> struct mempool_tx * */
	struct mempool_list	 order;		/* oldest first */
	size_t			 bytes;
	struct mempool_info	 info;
	int64_t			 expiry;
};

struct mempool *
mempool_new(const struct mempool_opts *o)
{
	struct mempool *mp = xcalloc(1, sizeof(*mp));

	mp->by_id = map_new();
	TAILQ_INIT(&mp->order);
	mp->info.max_bytes = o != NULL && o->max_bytes > 0 ? o->max_bytes : MEMPOOL_DEFAULT_BYTES;
	mp->info.max_count = o != NULL && o->max_count > 0 ? o->max_count : MEMPOOL_DEFAULT_COUNT;
	mp->expiry = o != NULL && o->expiry > 0 ? o->expiry : MEMPOOL_DEFAULT_EXPIRY;
	return mp;
}

static void
mempool_drop(struct mempool *mp, struct mempool_tx *t)
{
	map_remove(mp->by_id, t->txid, 32);
	TAILQ_REMOVE(&mp->order, t, entry);
	mp->bytes -= t->len;
	free(t->data);
	free(t);
}

void
mempool_free(struct mempool *mp)
{
	struct mempool_tx *t;

	if (mp == NULL)
		return;
	while ((t = TAILQ_FIRST(&mp->order)) != NULL)
		mempool_drop(mp, t);
	map_free(mp->by_id);
	free(mp);
}

enum mempool_result
mempool_add(struct mempool *mp, const uint8_t *tx, size_t len, int64_t now_ms,
    uint8_t txid[32])
{
	struct mempool_tx *t, *old;

	hash_sha256d(tx, len, txid);
	if (map_get(mp->by_id, txid, 32) != NULL)
		return MEMPOOL_DUPLICATE;
	if (len > mp->info.max_bytes)
		return MEMPOOL_TOO_LARGE;
	while ((mp->bytes + len > mp->info.max_bytes || map_count(mp->by_id) + 1 > mp->info.max_count) &&
	    (old = TAILQ_FIRST(&mp->order)) != NULL) {
		mempool_drop(mp, old);
		mp->info.evicted++;
	}
	t = xcalloc(1, sizeof(*t));
	memcpy(t->txid, txid, 32);
	t->time_ms = now_ms;
	t->len = len;
	t->data = xmalloc(len);
	memcpy(t->data, tx, len);
	map_put(mp->by_id, t->txid, 32, t);
	TAILQ_INSERT_TAIL(&mp->order, t, entry);
	mp->bytes += len;
	return MEMPOOL_ADDED;
}

bool
mempool_has(const struct mempool *mp, const uint8_t txid[32])
{
	return map_get(mp->by_id, txid, 32) != NULL;
}

const uint8_t *
mempool_get(const struct mempool *mp, const uint8_t txid[32], size_t *len)
{
	const struct mempool_tx *t = map_get(mp->by_id, txid, 32);

	if (t == NULL)
		return NULL;
	*len = t->len;
	return t->data;
}

bool
mempool_remove(struct mempool *mp, const uint8_t txid[32])
{
	struct mempool_tx *t = map_get(mp->by_id, txid, 32);

	if (t == NULL)
		return false;
	mempool_drop(mp, t);
	return true;
}

size_t
mempool_expire(struct mempool *mp, int64_t now_ms)
{
	struct mempool_tx *t;
	size_t n = 0;

	while ((t = TAILQ_FIRST(&mp->order)) != NULL && t->time_ms < now_ms - mp->expiry * 1000) {
		mempool_drop(mp, t);
		n++;
	}
	mp->info.expired += n;
	return n;
}

int
mempool_foreach(const struct mempool *mp,
    int (*fn)(void *arg, const uint8_t txid[32], const uint8_t *tx, size_t len, int64_t time_ms),
    void *arg)
{
	const struct mempool_tx *t;
	int rc;

	TAILQ_FOREACH(t, &mp->order, entry)
		if ((rc = fn(arg, t->txid, t->data, t->len, t->time_ms)) != 0)
			return rc;
	return 0;
}

void
mempool_info(const struct mempool *mp, struct mempool_info *out)
{
	*out = mp->info;
	out->count = map_count(mp->by_id);
	out->bytes = mp->bytes;
}
